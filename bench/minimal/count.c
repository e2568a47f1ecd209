// SPDX-License-Identifier: GPL-2.0
/*
 * count: the minimal libbpf uprobe counter that bench/run.sh compares tracekit with.
 *
 *   count BINARY FUNC[+OFFSET]
 *
 * Loads count.bpf.c, attaches it as one uprobe (perf-event based, as libbpf 1.1 does) on
 * FUNC (resolved by libbpf from BINARY's symbol table) plus OFFSET bytes, in every process,
 * prints "attached", and on SIGINT or SIGTERM prints "hits=N" and detaches.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "count.skel.h"

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts);
	struct count_bpf *skel;
	struct bpf_link *link;
	unsigned long off = 0;
	char *func, *plus, *end;
	__u64 hits = 0;
	__u32 key = 0;
	sigset_t set;
	int sig, err;

	if (argc != 3) {
		fprintf(stderr, "usage: count BINARY FUNC[+OFFSET]\n");
		return 2;
	}
	func = strdup(argv[2]);
	if (!func)
		return 1;
	plus = strrchr(func, '+');
	if (plus) {
		*plus = '\0';
		errno = 0;
		off = strtoul(plus + 1, &end, 0);
		if (errno || *end || end == plus + 1) {
			fprintf(stderr, "count: bad offset in %s\n", argv[2]);
			return 2;
		}
	}

	/* Block the signals first so that none is lost between attach and sigwait(). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	skel = count_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "count: loading the BPF object failed: %s\n", strerror(errno));
		return 1;
	}
	opts.func_name = func;
	link = bpf_program__attach_uprobe_opts(skel->progs.count_hit, -1, argv[1], off, &opts);
	if (!link) {
		err = errno;
		fprintf(stderr, "count: attaching to %s:%s failed: %s\n", argv[1], argv[2],
			strerror(err));
		count_bpf__destroy(skel);
		return 1;
	}
	skel->links.count_hit = link;
	printf("attached\n");
	fflush(stdout);

	sigwait(&set, &sig);
	err = bpf_map_lookup_elem(bpf_map__fd(skel->maps.hits), &key, &hits);
	if (err)
		fprintf(stderr, "count: reading the counter failed: %s\n", strerror(errno));
	else
		printf("hits=%llu\n", (unsigned long long)hits);
	count_bpf__destroy(skel);
	free(func);
	return err ? 1 : 0;
}
