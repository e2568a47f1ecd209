// SPDX-License-Identifier: GPL-2.0
/*
 * ringbuf: the minimal libbpf program that bench/lang.py compares the language's printf
 * one-liner with.
 *
 *   ringbuf BINARY FUNC
 *
 * Attaches ringbuf.bpf.c as one uprobe on FUNC, prints "attached", then for every hit prints
 * "COMM - FUNC: arg1: A, arg2: B" (line-buffered, as a tracer must be), until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <poll.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "ringbuf.skel.h"

struct event {
	__u32 pid;
	char comm[16];
	__u64 arg0, arg1;
};

static const char *func;

static int on_event(void *ctx, void *data, size_t size)
{
	const struct event *e = data;

	(void)ctx;
	(void)size;

	printf("%.16s - %s: arg1: %d, arg2: %d\n", e->comm, func, (int)e->arg0, (int)e->arg1);
	return 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts);
	struct ringbuf_bpf *skel;
	struct ring_buffer *rb;
	struct pollfd pfd[2];
	sigset_t set;

	if (argc != 3) {
		fprintf(stderr, "usage: ringbuf BINARY FUNC\n");
		return 2;
	}
	func = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	skel = ringbuf_bpf__open_and_load();
	if (!skel)
		return 1;
	opts.func_name = func;
	skel->links.print_hit =
		bpf_program__attach_uprobe_opts(skel->progs.print_hit, -1, argv[1], 0, &opts);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!skel->links.print_hit || !rb) {
		fprintf(stderr, "ringbuf: attach failed: %s\n", strerror(errno));
		ringbuf_bpf__destroy(skel);
		return 1;
	}
	printf("attached\n");
	pfd[0].fd = ring_buffer__epoll_fd(rb);
	pfd[0].events = POLLIN;
	pfd[1].fd = signalfd(-1, &set, 0);
	pfd[1].events = POLLIN;
	while (poll(pfd, 2, -1) >= 0 && !(pfd[1].revents & POLLIN))
		ring_buffer__consume(rb);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	ringbuf_bpf__destroy(skel);
	return 0;
}
