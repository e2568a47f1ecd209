// SPDX-License-Identifier: GPL-2.0
/* killsnoop: signals sent by kill(), tkill() and tgkill(), with their result. */
/* Few, small events: a small ring buffer (its pages count in the RSS from the start). */
#define SNOOP_RINGBUF_BYTES (64 * 1024)
#include "snoop_common.bpf.h"
#include "killsnoop.h"

const volatile bool failed_only = false;
const volatile __s32 filter_tpid = 0;
const volatile bool sig_filter = false;
const volatile __u64 sig_mask[2] = {}; /* -s: bit n for signal n (0..64) */

struct kill_args {
	__s32 tpid;
	__s32 sig;
	__u32 call;
};

SNOOP_ARGS_MAP(starts, struct kill_args);

/* args[first]: the target (kill: a pid or group; tkill, tgkill: a tid); args[first + 1]: sig. */
static __always_inline int kill_enter(const unsigned long *args, int first, __u32 call)
{
	struct kill_args a = {.tpid = args[first], .sig = args[first + 1], .call = call};

	if (filter_tpid && a.tpid != filter_tpid)
		return 0;
	if (sig_filter && (a.sig < 0 || a.sig > 64 ||
			   !(sig_mask[(a.sig >> 6) & 1] & (1ULL << (a.sig & 63)))))
		return 0;
	return snoop_args_stash(&starts, &a);
}

static __always_inline int kill_exit(long ret)
{
	struct killsnoop_event *e;
	struct kill_args a;

	if (!snoop_exit_event(&starts, a, !failed_only || ret < 0, e))
		return 0;
	e->tpid = a.tpid;
	e->sig = a.sig;
	e->call = a.call;
	e->ret = ret;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SNOOP_SYSCALL_PROGS(kill, kill_entry, kill_return, kill_enter, kill_exit, 0, KILLSNOOP_KILL)
SNOOP_SYSCALL_PROGS(tkill, tkill_entry, tkill_return, kill_enter, kill_exit, 0, KILLSNOOP_TKILL)
SNOOP_SYSCALL_PROGS(tgkill, tgkill_entry, tgkill_return, kill_enter, kill_exit, 1, KILLSNOOP_TGKILL)

char LICENSE[] SEC("license") = "GPL";
