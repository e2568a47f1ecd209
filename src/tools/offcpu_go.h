/* SPDX-License-Identifier: GPL-2.0 */
/*
 * offcputime --go: off-CPU time per goroutine, from runtime.gopark until runtime.execute runs
 * the goroutine again, charged to the goroutine's own user stack at the park
 * (bpf/offcpu_go.bpf.c), where the thread view sees only the scheduler.
 */
#ifndef TK_OFFCPU_GO_TOOL_H
#define TK_OFFCPU_GO_TOOL_H

#include "tools/offcputime.h"

/*
 * Trace the goroutines of the one process of -p PID until the duration, Ctrl-C or its exit,
 * and write what they waited, and where, as o->st asks: bcc's blocks in microseconds, -f
 * folded, --json, --pprof (offcpu/nanoseconds), --svg. The exit status, after a one-line
 * error if not 0 (no -p, -t, -k, -K, --state: what does not apply to goroutines).
 */
int offcpu_go_run(const struct offcputime_opts *o);

#endif
