/* SPDX-License-Identifier: GPL-2.0 */
/* bashreadline: a line bash read, as its BPF half sends it. */
#ifndef TK_BASHREADLINE_H
#define TK_BASHREADLINE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BRL_LINE_LEN 80 /* bcc's */

struct brl_event {
	__u32 pid;
	__u32 pad;
	char line[BRL_LINE_LEN];
};

#endif
