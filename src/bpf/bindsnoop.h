/* SPDX-License-Identifier: GPL-2.0 */
/* bindsnoop: the event shared by bindsnoop.bpf.c and tools/bindsnoop.c. */
#ifndef TK_BINDSNOOP_H
#define TK_BINDSNOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* bcc's OPTS column, one bit per letter of "FTNRr". */
#define BINDSNOOP_OPT_FREEBIND	       0x01
#define BINDSNOOP_OPT_TRANSPARENT      0x02
#define BINDSNOOP_OPT_BIND_ADDR_NOPORT 0x04
#define BINDSNOOP_OPT_REUSEADDR	       0x08
#define BINDSNOOP_OPT_REUSEPORT	       0x10

struct bindsnoop_event {
	__u64 ts_ns;
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 uid;
	__s32 ret;
	__u32 bound_dev_if;
	__u16 family; /* AF_INET or AF_INET6 */
	__u16 port;   /* host order: the bound port after success, else the requested one */
	__u16 protocol;
	__u8 opts; /* BINDSNOOP_OPT_* */
	__u8 pad;
	__u8 addr[16]; /* network order, IPv4 in the first 4 bytes */
	char comm[16];
};

#endif
