/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "events" ring buffer of a tool's BPF half, with the lost_events counter in .bss that
 * tool_run() reports (tools/tool.h): one definition for the tools that send records. Include
 * after vmlinux.h or uregs.bpf.h.
 */
#ifndef TK_EVENTS_BPF_H
#define TK_EVENTS_BPF_H

#include <bpf/bpf_helpers.h>

#define TK_EVENTS_RINGBUF(bytes)                                                                   \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_RINGBUF);                                                \
		__uint(max_entries, bytes);                                                        \
	} events SEC(".maps");                                                                     \
	__u64 lost_events = 0 /* records the ring buffer had no room for */

/* A record of type T reserved in events, or NULL (counted in lost_events). */
#define TK_EVENT_RESERVE(T)                                                                        \
	({                                                                                         \
		T *e_ = bpf_ringbuf_reserve(&events, sizeof(T), 0);                                \
		if (!e_)                                                                           \
			__sync_fetch_and_add(&lost_events, 1);                                     \
		e_;                                                                                \
	})

#endif
