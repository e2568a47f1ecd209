// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "core/attach.h"
#include "core/log.h"
#include "core/loop.h"
#include "tools/tcpb_util.h"

int tcpb_attach_all(struct bpf_object *obj, struct attach_set **as)
{
	*as = attach_set__new();
	if (!*as) {
		tk_err("out of memory");
		return -ENOMEM;
	}
	return attach_set__attach_object(*as, obj);
}

static int stdout_closed(void *ctx)
{
	return 1; /* only EPOLLERR wakes us for a pipe's write end */
}

int tcpb_watch_stdout(struct event_loop *l)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) || !S_ISFIFO(st.st_mode))
		return 0;
	return loop__add_fd(l, STDOUT_FILENO, stdout_closed, NULL);
}

int tcpb_load_error(int err)
{
	tk_err("failed to load BPF programs: %s", attach_strerror(err));
	return err;
}
