/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the *snoop tools share on the user side: the run from an opened skeleton to the last
 * event (drop the programs of syscalls this kernel lacks, load, attach every program, read
 * the "events" ring buffer, stop on a signal or after -d, report lost events), plus parsers
 * for the option values several of them take (pid, uid, signal) and the -t clock.
 */
#ifndef TK_SNOOP_COMMON_H
#define TK_SNOOP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/loop.h"

struct bpf_object;
struct attach_set;
struct ring_buffer;

typedef int (*snoop_event_fn)(void *ctx, void *data, size_t size);

struct snoop {
	struct event_loop loop;
	struct attach_set *as;
	struct ring_buffer *rb;
	bool loop_ready;
};

/* Line-buffered stdout, libbpf's log (all of it with verbose), the event loop. */
int snoop__init(struct snoop *s, bool verbose);
/*
 * After open, before load: programs attached to tracepoints this kernel lacks (e.g. open on
 * arm64) are not loaded. Returns how many programs remain, or a negative errno.
 */
int snoop__drop_missing(struct snoop *s, struct bpf_object *obj);
/* After load: attach every loaded program; events from the "events" ring buffer go to fn. */
int snoop__attach(struct snoop *s, struct bpf_object *obj, snoop_event_fn fn, void *ctx);
/*
 * Run until a signal (or duration_ms, when non-zero). lost points to the BPF side's
 * lost_events counter; a non-zero total is reported on stderr. 0 or a negative errno.
 */
int snoop__run(struct snoop *s, uint64_t duration_ms, const volatile unsigned long long *lost);
void snoop__fini(struct snoop *s);

/*
 * With --json stdout carries only events; this tells a person (or a test) on stderr that the
 * tool is attached, where the text header would otherwise say so.
 */
void snoop_json_ready(void);

/* A one-line error about a failed open/load/attach of tool's BPF side; returns 1 (exit code). */
int snoop_load_error(const char *what, int err);

/*
 * Option values (opt: the short option, or the long option's val). Each reports a bad value
 * as a usage error (core/usage.h) and returns -EINVAL; numbers: usage_parse_ulong().
 */
struct usage;
int snoop_parse_pid(const struct usage *u, int opt, const char *s, uint32_t *pid);
/* A uid: number or user name. */
int snoop_parse_uid(const struct usage *u, int opt, const char *s, uint32_t *uid);
/* Signal number or name, with or without "SIG" ("9", "KILL", "SIGKILL"). */
int snoop_parse_signal(const struct usage *u, int opt, const char *s, int *sig);
/* Signal name without "SIG" ("KILL"), or "?" when unknown. */
const char *snoop_signal_name(int sig);

/* -t: seconds since the first event (or since start, with start_ns set beforehand). */
struct snoop_clock {
	uint64_t start_ns;
};
double snoop_clock_rel(struct snoop_clock *c, uint64_t ts_ns);
/* CLOCK_MONOTONIC now, in ns: the clock of bpf_ktime_get_ns(). */
uint64_t snoop_now_ns(void);

/* Escape a string from a traced process (at most n bytes, stopping at NUL) into buf. */
const char *snoop_esc(char *buf, size_t len, const char *s, size_t n);

#endif
