// SPDX-License-Identifier: GPL-2.0
/*
 * sigsnoop: every signal generated, from signal:signal_generate (the sender is current,
 * the target and the result are the tracepoint's); with -k, the kill(), tkill() and tgkill()
 * calls and their results instead, which are killsnoop's programs: included, not copied,
 * with their filters (-p, -s, -x) serving both.
 */
#include "killsnoop.bpf.c"
#include "sigsnoop.h"

SEC("tracepoint/signal/signal_generate")
int signal_generate(struct trace_event_raw_signal_generate *ctx)
{
	int sig = ctx->sig, result = ctx->result;
	struct sigsnoop_event *e;

	if (failed_only && result == 0)
		return 0;
	if (sig_filter &&
	    (sig < 0 || sig > 64 || !(sig_mask[(sig >> 6) & 1] & (1ULL << (sig & 63)))))
		return 0;
	if (!snoop_task_wanted() || !snoop_reserve(e))
		return 0;
	snoop_event_task(&e->k);
	e->k.tpid = ctx->pid;
	e->k.sig = sig;
	e->k.ret = result;
	e->k.call = SIGSNOOP_GENERATE;
	e->code = ctx->code;
	e->pad = 0;
	bpf_probe_read_kernel(e->tcomm, sizeof(e->tcomm), ctx->comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
