/* SPDX-License-Identifier: GPL-2.0 */
/* hardirqs: the histogram key shared by hardirqs.bpf.c and tools/hardirqs.c. */
#ifndef TK_HARDIRQS_H
#define TK_HARDIRQS_H

struct hardirq_key {
	char name[32]; /* the handler's name, as /proc/interrupts shows it */
};

#endif
