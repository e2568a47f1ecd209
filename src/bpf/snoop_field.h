/* SPDX-License-Identifier: GPL-2.0 */
/* Where a kernel struct member lies, as found in the kernel's BTF (tools/snoop_btf.c). */
#ifndef TK_SNOOP_FIELD_H
#define TK_SNOOP_FIELD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct snoop_field {
	__u32 off;  /* byte offset of the first byte holding the member */
	__u8 size;  /* bytes to read: 1, 2, 4 or 8; 0 = member not found */
	__u8 shift; /* bitfields: bit position in the bytes read (little endian) */
	__u8 bits;  /* bitfields: width; 0 for a plain member */
	__u8 pad;
};

#endif
