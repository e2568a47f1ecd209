// SPDX-License-Identifier: GPL-2.0
/*
 * bindsnoop: bind() of IPv4 and IPv6 sockets, from syscalls:sys_enter/exit_bind. There is no
 * kprobe on inet_bind here, so the socket is found through the fd in the caller's file table
 * at exit: its protocol, options and, after success, the address and port the kernel bound
 * (port 0 asks for an ephemeral one). Failed binds report the requested sockaddr.
 */
/* Few, small events: a small ring buffer (its pages count in the RSS from the start). */
#define SNOOP_RINGBUF_BYTES (64 * 1024)
#include "snoop_common.bpf.h"
#include "bindsnoop.h"

#define AF_INET	    2
#define AF_INET6    10
#define TK_S_IFMT   00170000
#define TK_S_IFSOCK 0140000

/* Bit numbers of inet_sock::inet_flags (kernels since 6.6 keep these options there). */
#define TK_INET_FLAGS_FREEBIND		   11
#define TK_INET_FLAGS_TRANSPARENT	   15
#define TK_INET_FLAGS_BIND_ADDRESS_NO_PORT 18

const volatile bool report_errors = false;

/* Before 6.6 (no inet_sock::inet_flags) the three options were bitfields of inet_sock. */
struct inet_sock___old {
	__u8 freebind : 1;
	__u8 transparent : 1;
	__u8 bind_address_no_port : 1;
} __attribute__((preserve_access_index));

struct bind_args {
	const void *uaddr;
	__s32 fd;
	__s32 addrlen;
};

SNOOP_ARGS_MAP(starts, struct bind_args);

SEC("tracepoint/syscalls/sys_enter_bind")
int bind_entry(struct snoop_sys_enter *ctx)
{
	struct bind_args a = {
		.fd = ctx->args[0],
		.uaddr = (const void *)ctx->args[1],
		.addrlen = ctx->args[2],
	};

	return snoop_args_stash(&starts, &a);
}

/* The struct sock behind file descriptor fd of the current task, NULL if fd is no socket. */
static __always_inline struct sock *sock_from_fd(int fd)
{
	struct file *file = snoop_file_from_fd(fd);
	struct socket *socket;

	if (!file)
		return NULL;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & TK_S_IFMT) != TK_S_IFSOCK)
		return NULL;
	socket = BPF_CORE_READ(file, private_data);
	return BPF_CORE_READ(socket, sk);
}

static __always_inline __u8 sock_opts(struct sock *sk)
{
	struct inet_sock___old *old = (void *)sk;
	__u64 flags;
	__u8 opts = 0;

	if (bpf_core_field_exists(struct inet_sock, inet_flags)) {
		flags = BPF_CORE_READ((struct inet_sock *)sk, inet_flags);
		if (flags & (1UL << TK_INET_FLAGS_FREEBIND))
			opts |= BINDSNOOP_OPT_FREEBIND;
		if (flags & (1UL << TK_INET_FLAGS_TRANSPARENT))
			opts |= BINDSNOOP_OPT_TRANSPARENT;
		if (flags & (1UL << TK_INET_FLAGS_BIND_ADDRESS_NO_PORT))
			opts |= BINDSNOOP_OPT_BIND_ADDR_NOPORT;
	} else {
		if (BPF_CORE_READ_BITFIELD_PROBED(old, freebind))
			opts |= BINDSNOOP_OPT_FREEBIND;
		if (BPF_CORE_READ_BITFIELD_PROBED(old, transparent))
			opts |= BINDSNOOP_OPT_TRANSPARENT;
		if (BPF_CORE_READ_BITFIELD_PROBED(old, bind_address_no_port))
			opts |= BINDSNOOP_OPT_BIND_ADDR_NOPORT;
	}
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuse))
		opts |= BINDSNOOP_OPT_REUSEADDR;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuseport))
		opts |= BINDSNOOP_OPT_REUSEPORT;
	return opts;
}

/* sockaddr_in6 (and sockaddr_in in its first 16 bytes): a uapi layout. */
struct snoop_sockaddr {
	__u16 family;
	__u16 port; /* network order */
	union {
		__u8 v4[4];
		struct {
			__u32 flowinfo;
			__u8 v6[16];
		};
	};
	__u32 scope_id;
};

/* The requested address from the caller's sockaddr. */
static __always_inline bool user_addr(struct bindsnoop_event *e, const struct bind_args *a)
{
	struct snoop_sockaddr sa = {};

	if (a->addrlen < 16)
		return false;
	if (bpf_probe_read_user(&sa, a->addrlen < (int)sizeof(sa) ? 16 : sizeof(sa), a->uaddr))
		return false;
	if (sa.family != e->family)
		return false;
	e->port = __builtin_bswap16(sa.port);
	if (e->family == AF_INET)
		__builtin_memcpy(e->addr, sa.v4, 4);
	else
		__builtin_memcpy(e->addr, sa.v6, 16);
	return true;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int bind_return(struct snoop_sys_exit *ctx)
{
	struct bindsnoop_event *e;
	struct bind_args a;
	struct sock *sk;
	long ret = ctx->ret;
	__u16 family;

	if (!snoop_args_take(&starts, &a, sizeof(a), ret == 0 || report_errors))
		return 0;
	sk = sock_from_fd(a.fd);
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (!snoop_reserve(e))
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	snoop_event_task(e);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->family = family;
	/* A bitfield before 5.6. */
	e->protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	e->bound_dev_if = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	e->opts = sock_opts(sk);
	if (ret == 0) {
		e->port = BPF_CORE_READ(sk, __sk_common.skc_num);
		/* Explicit sizes: BPF_CORE_READ_INTO() on an array would copy one byte. */
		if (family == AF_INET)
			bpf_core_read(e->addr, 4, &sk->__sk_common.skc_rcv_saddr);
		else
			bpf_core_read(e->addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	} else {
		user_addr(e, &a);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
