/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attaching, owned in one place: every link of a run lives in one attach_set and goes with
 * one attach_set__destroy(), called on every exit path. Picks the best mechanism the kernel
 * offers and says what it chose.
 */
#ifndef TK_ATTACH_H
#define TK_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_program;
struct bpf_link;
struct attach_set;

struct attach_set *attach_set__new(void);
/* Detach and free everything; NULL is fine. */
void attach_set__destroy(struct attach_set *as);
/* Take ownership of a link made elsewhere (e.g. a skeleton's auto-attach). */
int attach_set__add_link(struct attach_set *as, struct bpf_link *link);
size_t attach_set__count(const struct attach_set *as);

struct bpf_object;
/*
 * Attach every program of a loaded object that is marked for autoload, the way its section
 * name says (libbpf's auto-attach), each link owned by as. Mounts tracefs first when a
 * program needs it (libbpf looks tracepoint ids up there; a fresh boot has it unmounted).
 * On error, says which program in one line and returns a negative errno.
 */
int attach_set__attach_object(struct attach_set *as, struct bpf_object *obj);
/*
 * Before load: the programs of tracepoints this kernel lacks (a syscall an architecture does
 * not have, e.g. open on arm64) are not loaded, with a note each under -v. Returns how many
 * programs remain, or -ENOENT after a one-line error when none does (or tracefs is missing).
 */
int attach_object__drop_missing(struct bpf_object *obj);

/* Kernel features, probed once by trying (never by looking at symbol lists). */
bool kernel_has_uprobe_multi(void);

/* The kernel has kprobes (a kprobe PMU): what kprobe_multi links need. */
bool kernel_has_kprobes(void);

enum kfunc_mech { KFUNC_NONE, KFUNC_KPROBE, KFUNC_FENTRY };
/* What can probe kernel functions here; with KFUNC_NONE, why holds a one-line reason. */
enum kfunc_mech kernel_kfunc_mech(char *why, size_t len);

/*
 * Before loading: make prog attachable the way attach_uprobes() will attach it (uprobe_multi
 * needs its expected attach type set at load time).
 */
int attach_prepare_uprobe(struct bpf_program *prog, bool multi);

/* BPF_TRACE_UPROBE_MULTI, absent from libbpf 1.1's headers. */
#define TK_BPF_TRACE_UPROBE_MULTI 48

/* Erase the attach progress line attach_uprobes() may have left on a terminal. */
void attach_set__progress_end(struct attach_set *as);

/*
 * Attach the loaded program prog_fd at n file offsets of path, each with its cookie
 * (bpf_get_attach_cookie()). multi: one uprobe_multi link (raw BPF_LINK_CREATE; the program
 * must have been loaded with expected attach type TK_BPF_TRACE_UPROBE_MULTI); else one
 * perf-event uprobe per offset. ret: return probes (never on Go code).
 * pid > 0 limits the probes to that process. Programs from a skeleton: bpf_program__fd().
 */
int attach_uprobes(struct attach_set *as, int prog_fd, bool multi, const char *path,
		   const uint64_t *offsets, const uint64_t *cookies, size_t n, int pid, bool ret);

/* A perf-event tracepoint (id from tracefs) with a cookie. */
int attach_tracepoint(struct attach_set *as, int prog_fd, const char *cat, const char *event,
		      uint64_t cookie);

/*
 * One uprobe at offset in path (a USDT site) whose semaphore, at file offset sem_off (0:
 * none), the kernel increments while it is attached (uprobe ref_ctr_offset): nothing writes
 * into the traced process. pid > 0: that process only.
 */
int attach_usdt(struct attach_set *as, int prog_fd, const char *path, uint64_t offset,
		uint64_t sem_off, int pid);

/* Software perf event (profile:, interval:, software:) on one CPU (-1: any) or pid. */
int attach_perf_event(struct attach_set *as, int prog_fd, void *perf_event_attr, int pid,
		      int cpu);

/*
 * The same on one CPU (cpu >= 0), or on each online CPU (cpu < 0): what a sampling profiler
 * attaches, one event per CPU, so that every thread, those born later too, is sampled.
 */
int attach_perf_event_cpus(struct attach_set *as, int prog_fd, void *perf_event_attr, int cpu);

/* raw_tp / tp_btf by name through BPF_RAW_TRACEPOINT_OPEN-like link. */
int attach_raw_tracepoint(struct attach_set *as, int prog_fd, const char *name);
/*
 * A raw tracepoint with a cookie (kernel >= 6.10). Unlike perf-event tracepoints, which wait
 * ~0.1 s each for an RCU grace period when they go, these detach at once. -E2BIG/-EINVAL on
 * kernels without raw_tp cookies: fall back to attach_tracepoint().
 */
int attach_raw_tracepoint_cookie(struct attach_set *as, int prog_fd, const char *name,
				 uint64_t cookie);

/* tracefs mount point, mounting it if needed; NULL with a reason in why. */
const char *tracefs_dir(char *why, size_t len);

/* Turn a libbpf/kernel error from load into one line about what the user can do. */
const char *attach_strerror(int err);

#endif
