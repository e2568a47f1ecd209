/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF-side helpers for the tcp* tools: reading a socket's flow with CO-RE, the flow of the
 * sock:inet_sock_set_state tracepoint, a socket from a file descriptor of the current task,
 * and the owner cache.
 *
 * Why an owner cache: many TCP state changes run in softirq context (or, on loopback, in the
 * context of the *peer* process sending the packet), so bpf_get_current_pid_tgid() there names
 * the wrong process. Tools record the owner at an event known to run in the owning process
 * (connect(): CLOSE->SYN_SENT; accept(): sys_exit_accept4; send/recv) keyed by the sock
 * pointer, and use it at later transitions; the entry is deleted when the sock reaches CLOSE.
 */
#ifndef TK_NET_BPF_H
#define TK_NET_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tk_map.bpf.h"
#include "tk_net.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif
#define TK_S_IFMT   00170000
#define TK_S_IFSOCK 0140000

/* Family filter as set from -4/-6: 0 = any. */
static __always_inline bool tk_family_ok(__u16 want, __u16 family)
{
	return want == 0 || want == family;
}

static __always_inline __u32 tk_current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/* The flow of a full (not request/timewait) socket: local = s*, remote = d*. */
static __always_inline void tk_flow_from_sk(const struct sock *sk, struct tk_flow *f)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	f->family = family;
	f->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	f->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)f->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)f->daddr, sk, __sk_common.skc_daddr);
	} else if (family == AF_INET6) {
		/* Explicit size: BPF_CORE_READ_INTO() on an array would copy one element. */
		bpf_core_read(f->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(f->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

/*
 * The flow carried by a tracepoint record: sport, dport and family (host order, three adjacent
 * __u16 as in struct tk_flow, so read in one go) at ports, then the IPv4 or IPv6 addresses.
 * Copied with bpf_probe_read_kernel(): the verifier refuses loads through a ctx pointer plus a
 * variable offset, which is what clang makes of copies from ctx inside an inlined helper.
 */
static __always_inline void tk_flow_read_tp(struct tk_flow *f, const __u16 *ports, const __u8 *s4,
					    const __u8 *d4, const __u8 *s6, const __u8 *d6)
{
	_Static_assert(__builtin_offsetof(struct tk_flow, family) ==
			       __builtin_offsetof(struct tk_flow, sport) + 4,
		       "tk_flow port/family layout");
	bpf_probe_read_kernel(&f->sport, 6, ports);
	if (f->family == AF_INET) {
		bpf_probe_read_kernel(f->saddr, 4, s4);
		bpf_probe_read_kernel(f->daddr, 4, d4);
	} else {
		bpf_probe_read_kernel(f->saddr, 16, s6);
		bpf_probe_read_kernel(f->daddr, 16, d6);
	}
}

/*
 * The flow of a sock:inet_sock_set_state or tcp:tcp_cong_state_set record (ctx): the two name
 * and order their flow fields alike.
 */
#define tk_flow_from_tp(ctx, f)                                                                    \
	({                                                                                         \
		_Static_assert(__builtin_offsetof(typeof(*(ctx)), family) ==                       \
				       __builtin_offsetof(typeof(*(ctx)), sport) + 4,              \
			       "tracepoint port/family layout");                                   \
		tk_flow_read_tp(f, &(ctx)->sport, (ctx)->saddr, (ctx)->daddr, (ctx)->saddr_v6,     \
				(ctx)->daddr_v6);                                                  \
	})

/*
 * The struct sock behind file descriptor fd of the current task, NULL when fd is not a socket.
 * For syscall tracepoints (accept4's returned fd, connect's and bind's fd argument).
 */
static __always_inline struct sock *tk_sock_from_fd(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds;
	struct file *file;
	struct socket *sock;
	unsigned int max_fds;
	umode_t mode;

	if (fd < 0)
		return NULL;
	max_fds = BPF_CORE_READ(task, files, fdt, max_fds);
	if ((unsigned int)fd >= max_fds)
		return NULL;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_core_read(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & TK_S_IFMT) != TK_S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

/* A hash from the sock pointer to its owner; one per tool object. */
#define TK_OWNER_MAP(name, entries) TK_MAP(name, BPF_MAP_TYPE_HASH, entries, __u64, struct tk_owner)

static __always_inline void tk_owner_current(struct tk_owner *o)
{
	__u64 id = bpf_get_current_pid_tgid();

	o->pid = id >> 32;
	o->tid = (__u32)id;
	o->ts_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

/* Record the current task as the owner of sk (always overwrites). */
static __always_inline void tk_owner_set(void *map, const void *sk)
{
	__u64 key = (__u64)sk;
	struct tk_owner o = {};

	tk_owner_current(&o);
	bpf_map_update_elem(map, &key, &o, BPF_ANY);
}

/* Record the current task as owner unless one is already cached. */
static __always_inline void tk_owner_set_once(void *map, const void *sk)
{
	__u64 key = (__u64)sk;
	struct tk_owner o = {};

	tk_owner_current(&o);
	bpf_map_update_elem(map, &key, &o, BPF_NOEXIST);
}

static __always_inline struct tk_owner *tk_owner_get(void *map, const void *sk)
{
	__u64 key = (__u64)sk;

	return bpf_map_lookup_elem(map, &key);
}

/* The cached owner of sk, else the current task (filled into *cur). */
static __always_inline const struct tk_owner *tk_owner_or_current(void *map, const void *sk,
								  struct tk_owner *cur)
{
	struct tk_owner *o = tk_owner_get(map, sk);

	if (o)
		return o;
	tk_owner_current(cur);
	return cur;
}

static __always_inline void tk_owner_del(void *map, const void *sk)
{
	__u64 key = (__u64)sk;

	bpf_map_delete_elem(map, &key);
}

#endif
