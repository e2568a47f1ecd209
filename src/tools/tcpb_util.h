/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tcpdrop keeps until it runs on tools/tool.h's tool_run(): attaching every loaded
 * program of a skeleton into one attach_set, watching stdout's reader, a one-line report of a
 * failed load.
 */
#ifndef TK_TCPB_UTIL_H
#define TK_TCPB_UTIL_H

struct attach_set;
struct bpf_object;

/*
 * Make sure tracefs is there, then attach every program of obj that was loaded. On success
 * *as owns the links; on failure a one-line error has been printed and *as may hold the
 * links made so far (attach_set__destroy() it either way). 0 or a negative errno.
 */
int tcpb_attach_all(struct bpf_object *obj, struct attach_set **as);

struct event_loop;
/*
 * When stdout is a pipe, stop the loop as soon as its reader goes away (tool | head -1),
 * not only at the next write: a pipe's write end reports only EPOLLERR, then. 0 or -errno.
 */
int tcpb_watch_stdout(struct event_loop *l);

/* "failed to load BPF programs: why" on stderr; returns err. */
int tcpb_load_error(int err);

#endif
