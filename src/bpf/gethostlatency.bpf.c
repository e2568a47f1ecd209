// SPDX-License-Identifier: GPL-2.0
/*
 * gethostlatency: libc's getaddrinfo(), gethostbyname() and gethostbyname2(). Their first
 * argument, the host name, is read at entry, while the caller's pointer is sure to be valid;
 * a uretprobe (libc is C) times the call. Keyed by thread: a lookup runs on one thread.
 */
#include "uregs.bpf.h"

#include "tk_events.bpf.h"
#include "func_probe.h"
#include "gethostlatency.h"
#include "tk_map.bpf.h"

const volatile __u32 filter_tgid = 0;

struct lookup {
	__u64 ts;
	char host[GHL_HOST_LEN];
};

TK_MAP(starts, BPF_MAP_TYPE_HASH, 10240, __u32, struct lookup);

TK_EVENTS_RINGBUF(1 << 18);

SEC("uprobe")
int ghl_entry(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct lookup l = {};

	if (filter_tgid && (pid_tgid >> 32) != filter_tgid)
		return 0;
	bpf_probe_read_user_str(l.host, sizeof(l.host), (void *)ctx->di);
	l.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &tid, &l, BPF_ANY);
	return 0;
}

SEC("uprobe")
int ghl_return(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct ghl_event *e;
	struct lookup *l;

	l = bpf_map_lookup_elem(&starts, &tid);
	if (!l)
		return 0;
	e = TK_EVENT_RESERVE(struct ghl_event);
	if (!e) {
		bpf_map_delete_elem(&starts, &tid);
		return 0;
	}
	e->lat_ns = bpf_ktime_get_ns() - l->ts;
	e->pid = pid_tgid >> 32;
	e->tid = tid;
	e->idx = COOKIE_IDX(bpf_get_attach_cookie(ctx));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->host, l->host, sizeof(e->host));
	bpf_map_delete_elem(&starts, &tid);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
