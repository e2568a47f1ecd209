/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tcpretrans, tcpdrop, tcpcong, tcprtt, tcpsubnet and tcpsynbl share on the user side:
 * attaching every loaded program of a skeleton into one attach_set, a one-line report of a
 * failed load, and log2 histogram buckets as JSON.
 */
#ifndef TK_TCPB_UTIL_H
#define TK_TCPB_UTIL_H

#include <stdint.h>
#include <stdio.h>

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

/* Non-empty slots of a bcc log2 histogram as [{"low":L,"high":H,"count":N},...]. */
void tcpb_json_log2(FILE *f, const uint64_t *slots, unsigned int nslots);

#endif
