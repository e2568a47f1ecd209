/* SPDX-License-Identifier: GPL-2.0 */
/* sigsnoop: the events shared by sigsnoop.bpf.c and tools/sigsnoop.c. */
#ifndef TK_SIGSNOOP_H
#define TK_SIGSNOOP_H

#include "killsnoop.h"

/*
 * -k sends killsnoop's events (kill(), tkill(), tgkill() and their results); without it,
 * this longer one, from signal:signal_generate, where k.call is SIGSNOOP_GENERATE and k.ret
 * the tracepoint's result (0: delivered, 1: ignored, 2: already pending, 3: queue full,
 * 4: delivered without its siginfo).
 */
#define SIGSNOOP_GENERATE 3

struct sigsnoop_event {
	struct killsnoop_event k;
	__s32 code; /* si_code */
	__u32 pad;
	char tcomm[16];
};

#endif
