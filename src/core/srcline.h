/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One source frame at a code address, as the binary's own tables tell it (Go's .gopclntab in
 * core/gosym.c, DWARF in core/dwarf.c): what usym.c turns into struct usym_frame.
 */
#ifndef TK_SRCLINE_H
#define TK_SRCLINE_H

#include <stdint.h>

struct src_frame {
	const char *func; /* NULL: unknown */
	const char *file; /* NULL: unknown */
	uint32_t line;	  /* 0: unknown */
};

#endif
