// SPDX-License-Identifier: GPL-2.0
/*
 * bashreadline: the line readline() returns, from a uretprobe (bash is C), for processes
 * named "bash" only: other programs that link libreadline are not shells.
 */
#include "uregs.bpf.h"

#include "tk_events.bpf.h"
#include "bashreadline.h"

TK_EVENTS_RINGBUF(1 << 18);

SEC("uprobe")
int readline_return(struct pt_regs *ctx)
{
	struct brl_event *e;
	char comm[16];

	if (!ctx->ax)
		return 0; /* EOF */
	bpf_get_current_comm(comm, sizeof(comm));
	if (comm[0] != 'b' || comm[1] != 'a' || comm[2] != 's' || comm[3] != 'h' || comm[4])
		return 0;
	e = TK_EVENT_RESERVE(struct brl_event);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->pad = 0;
	bpf_probe_read_user_str(e->line, sizeof(e->line), (void *)ctx->ax);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
