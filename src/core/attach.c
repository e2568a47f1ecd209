// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching by program fd through the raw kernel interfaces, so skeleton programs and the
 * language's hand-emitted programs share one path: perf events + BPF_PERF_EVENT links for
 * single uprobes and tracepoints (with cookies), and uprobe_multi links through a raw
 * BPF_LINK_CREATE, which libbpf 1.1 cannot express.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "core/attach.h"
#include "core/kbtf.h"
#include "core/log.h"
#include "core/vec.h"

#define UPROBE_MULTI_RETURN 1

struct attach_set {
	int *fds; /* link and perf-event fds, closed in order */
	size_t nfds, capfds;
	struct bpf_link **links;
	size_t nlinks, caplinks;
	size_t nprobes;
	bool progress_shown; /* a progress line is on the terminal (see show_progress) */
};

struct attach_set *attach_set__new(void)
{
	return calloc(1, sizeof(struct attach_set));
}

static int push_fd(struct attach_set *as, int fd)
{
	if (VEC_RESERVE(as->fds, as->capfds, as->nfds, 1))
		return -ENOMEM;
	as->fds[as->nfds++] = fd;
	return 0;
}

/* Own a new kernel object's fd (closed on failure); it stands for nprobes probes. */
static int adopt_fd(struct attach_set *as, int fd, size_t nprobes)
{
	int err;

	if (fd < 0)
		return fd;
	err = push_fd(as, fd);
	if (err) {
		close(fd);
		return err;
	}
	as->nprobes += nprobes;
	return 0;
}

int attach_set__add_link(struct attach_set *as, struct bpf_link *link)
{
	if (!link)
		return -EINVAL;
	if (VEC_RESERVE(as->links, as->caplinks, as->nlinks, 1))
		return -ENOMEM;
	as->links[as->nlinks++] = link;
	as->nprobes++;
	return 0;
}

size_t attach_set__count(const struct attach_set *as)
{
	return as->nprobes;
}

/* "CAT/EV" of a "tracepoint/CAT/EV" or "tp/CAT/EV" section; NULL for other sections. */
static const char *tp_section(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	if (!strncmp(sec, "tracepoint/", 11))
		return sec + 11;
	if (!strncmp(sec, "tp/", 3))
		return sec + 3;
	return NULL;
}

/* Sections whose auto-attach reads a tracepoint id from tracefs. */
static bool needs_tracefs(const struct bpf_program *prog)
{
	return tp_section(prog) != NULL;
}

int attach_object__drop_missing(struct bpf_object *obj)
{
	char why[128], path[PATH_MAX];
	struct bpf_program *prog;
	const char *tracefs, *tp, *ev;
	int left = 0;

	tracefs = tracefs_dir(why, sizeof(why));
	if (!tracefs) {
		tk_err("%s", why);
		return -ENOENT;
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (!bpf_program__autoload(prog))
			continue;
		tp = tp_section(prog);
		ev = tp ? strchr(tp, '/') : NULL;
		if (ev) {
			snprintf(path, sizeof(path), "%s/events/%s", tracefs, tp);
			if (access(path, F_OK) != 0) {
				if (tk_verbose())
					tk_note("no tracepoint %.*s:%s here, not traced",
						(int)(ev - tp), tp, ev + 1);
				bpf_program__set_autoload(prog, false);
				continue;
			}
		}
		left++;
	}
	if (!left) {
		tk_err("none of the tracepoints this tool needs exist on this kernel");
		return -ENOENT;
	}
	return left;
}

int attach_set__attach_object(struct attach_set *as, struct bpf_object *obj)
{
	struct bpf_program *prog;
	bool tracefs_ok = false;

	bpf_object__for_each_program(prog, obj)
	{
		struct bpf_link *link;
		char why[256];
		int err;

		if (!bpf_program__autoload(prog))
			continue;
		if (!tracefs_ok && needs_tracefs(prog)) {
			if (!tracefs_dir(why, sizeof(why))) {
				tk_err("%s", why);
				return -ENOENT;
			}
			tracefs_ok = true;
		}
		link = bpf_program__attach(prog);
		err = link ? attach_set__add_link(as, link) : -errno;
		if (err) {
			bpf_link__destroy(link);
			tk_err("cannot attach %s: %s", bpf_program__section_name(prog),
			       attach_strerror(err));
			return err;
		}
	}
	return 0;
}

struct closer {
	int *fds;
	size_t n;
};

static void *close_fds(void *arg)
{
	struct closer *c = arg;

	/* last attached, first detached: return probes go before the entry probes they pair with */
	for (size_t i = c->n; i-- > 0;)
		close(c->fds[i]);
	return NULL;
}

/*
 * Each perf-event tracepoint or uprobe waits for an RCU grace period when it goes (~0.1 s
 * here); the waits of different events overlap when closed from several threads.
 */
static void close_all(int *fds, size_t n)
{
	enum { NTHREADS = 32 };
	pthread_t th[NTHREADS];
	struct closer c[NTHREADS];
	size_t per = (n + NTHREADS - 1) / NTHREADS, started = 0;

	if (n < 8) {
		struct closer one = { fds, n };

		close_fds(&one);
		return;
	}
	for (size_t t = 0; t < NTHREADS && t * per < n; t++) {
		c[t].fds = fds + t * per;
		c[t].n = (t + 1) * per <= n ? per : n - t * per;
		if (pthread_create(&th[started], NULL, close_fds, &c[t]))
			close_fds(&c[t]);
		else
			started++;
	}
	for (size_t t = 0; t < started; t++)
		pthread_join(th[t], NULL);
}

void attach_set__destroy(struct attach_set *as)
{
	attach_set__progress_end(as);
	if (!as)
		return;
	for (size_t i = as->nlinks; i-- > 0;)
		bpf_link__destroy(as->links[i]);
	close_all(as->fds, as->nfds);
	free(as->links);
	free(as->fds);
	free(as);
}

/* BPF_LINK_CREATE's attr for uprobe_multi (kernel >= 6.6), absent from older UAPI headers. */
struct link_create_uprobe_multi {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__aligned_u64 path;
	__aligned_u64 offsets;
	__aligned_u64 ref_ctr_offsets;
	__aligned_u64 cookies;
	__u32 cnt;
	__u32 mflags;
	__u32 pid;
	__u32 path_fd;
};

static int link_create_uprobe_multi(int prog_fd, const char *path, const uint64_t *offsets,
				    const uint64_t *cookies, size_t n, int pid, bool ret)
{
	union {
		struct link_create_uprobe_multi lc;
		char pad[128]; /* the kernel wants unknown trailing bytes zeroed */
	} attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.lc.prog_fd = prog_fd;
	attr.lc.attach_type = TK_BPF_TRACE_UPROBE_MULTI;
	attr.lc.path = (uintptr_t)path;
	attr.lc.offsets = (uintptr_t)offsets;
	attr.lc.cookies = (uintptr_t)cookies;
	attr.lc.cnt = n;
	attr.lc.mflags = ret ? UPROBE_MULTI_RETURN : 0;
	attr.lc.pid = pid > 0 ? pid : 0;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

bool kernel_has_uprobe_multi(void)
{
	static int cached = -1;
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = TK_BPF_TRACE_UPROBE_MULTI);
	uint64_t off = 0;
	int prog, link;

	if (cached >= 0)
		return cached;
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &opts);
	if (prog < 0) {
		cached = 0;
		return false;
	}
	/* "/" is no regular file: a kernel that knows uprobe_multi answers EBADF, not EINVAL. */
	link = link_create_uprobe_multi(prog, "/", &off, NULL, 1, 0, false);
	cached = link == -EBADF;
	if (link >= 0)
		close(link);
	close(prog);
	return cached;
}

int attach_prepare_uprobe(struct bpf_program *prog, bool multi)
{
	/* 0 is what a plain uprobe program is loaded with. */
	return bpf_program__set_expected_attach_type(prog, multi ? TK_BPF_TRACE_UPROBE_MULTI : 0);
}

static int read_int_file(const char *path, long *val)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	if (sscanf(buf, "config:%ld", val) == 1 || sscanf(buf, "%ld", val) == 1)
		return 0;
	return -EINVAL;
}

static int perf_event_link(struct attach_set *as, int prog_fd, struct perf_event_attr *attr,
			   int pid, int cpu, uint64_t cookie)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .perf_event.bpf_cookie = cookie);
	int pfd, lfd, err;

	pfd = syscall(__NR_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	lfd = bpf_link_create(prog_fd, pfd, BPF_PERF_EVENT, &lopts);
	if (lfd < 0) {
		err = -errno;
		close(pfd);
		return err;
	}
	/* Close order matters for nothing but tidiness: link first, then its event. */
	err = push_fd(as, lfd);
	if (!err)
		err = push_fd(as, pfd);
	if (err) {
		close(lfd);
		close(pfd);
	}
	return err;
}

/* ref_ctr: a USDT semaphore's file offset (0: none), which the kernel counts while attached */
static int attach_uprobe_single(struct attach_set *as, int prog_fd, const char *path,
				uint64_t offset, uint64_t cookie, int pid, bool ret,
				uint64_t ref_ctr)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	long type, bit = 0;
	int err;

	err = read_int_file("/sys/bus/event_source/devices/uprobe/type", &type);
	if (err)
		return -EOPNOTSUPP;
	if (ret && read_int_file("/sys/bus/event_source/devices/uprobe/format/retprobe", &bit))
		return -EOPNOTSUPP;
	attr.type = type;
	/* the kernel's PERF_UPROBE_REF_CTR_OFFSET_SHIFT */
	attr.config = (ret ? 1ULL << bit : 0) | ref_ctr << 32;
	attr.config1 = (uintptr_t)path;
	attr.config2 = offset;
	return perf_event_link(as, prog_fd, &attr, pid > 0 ? pid : -1, pid > 0 ? -1 : 0, cookie);
}

/*
 * Tens of thousands of uprobes take seconds to attach: past PROGRESS_FROM probes, a line on a
 * terminal's stderr says how many are in so far (rewritten in place, erased by
 * attach_set__progress_end()); nothing when stderr is no terminal.
 */
#define PROGRESS_FROM 4096
#define PROGRESS_STEP 2048 /* uprobes per uprobe_multi link, and between two updates */

static void show_progress(struct attach_set *as)
{
	if (as->nprobes < PROGRESS_FROM || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\rattaching probes: %zu", as->nprobes);
	fflush(stderr);
	as->progress_shown = true;
}

void attach_set__progress_end(struct attach_set *as)
{
	if (as && as->progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		as->progress_shown = false;
	}
}

int attach_uprobes(struct attach_set *as, int prog_fd, bool multi, const char *path,
		   const uint64_t *offsets, const uint64_t *cookies, size_t n, int pid, bool ret)
{
	size_t k;
	int err;

	for (size_t i = 0; i < n; i += k) {
		k = n - i < PROGRESS_STEP ? n - i : PROGRESS_STEP;
		if (multi) {
			err = adopt_fd(as,
				       link_create_uprobe_multi(prog_fd, path, offsets + i,
								cookies ? cookies + i : NULL, k,
								pid, ret),
				       k);
		} else {
			err = 0;
			for (size_t j = i; j < i + k && !err; j++) {
				err = attach_uprobe_single(as, prog_fd, path, offsets[j],
							   cookies ? cookies[j] : 0, pid, ret, 0);
				as->nprobes += !err;
			}
		}
		if (err) {
			attach_set__progress_end(as);
			return err;
		}
		show_progress(as);
	}
	return 0;
}

int attach_tracepoint(struct attach_set *as, int prog_fd, const char *cat, const char *event,
		      uint64_t cookie)
{
	struct perf_event_attr attr = { .size = sizeof(attr), .type = PERF_TYPE_TRACEPOINT,
					.sample_period = 1, .wakeup_events = 1 };
	char why[256], path[512];
	const char *tfs = tracefs_dir(why, sizeof(why));
	long id;
	int err;

	if (!tfs)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tfs, cat, event);
	err = read_int_file(path, &id);
	if (err)
		return -ENOENT;
	attr.config = id;
	err = perf_event_link(as, prog_fd, &attr, -1, 0, cookie);
	if (!err)
		as->nprobes++;
	return err;
}

int attach_usdt(struct attach_set *as, int prog_fd, const char *path, uint64_t offset,
		uint64_t sem_off, int pid)
{
	int err = attach_uprobe_single(as, prog_fd, path, offset, 0, pid, false, sem_off);

	if (!err)
		as->nprobes++;
	return err;
}

int attach_perf_event(struct attach_set *as, int prog_fd, void *perf_event_attr, int pid, int cpu)
{
	int err = perf_event_link(as, prog_fd, perf_event_attr, pid, cpu, 0);

	if (!err)
		as->nprobes++;
	return err;
}

/* The online CPUs' ranges ("0-3,6"): whether cpu is one of them (sysconf()'s count if unread) */
static bool cpu_online(const char *list, int cpu)
{
	const char *p = list;

	if (!list)
		return cpu < sysconf(_SC_NPROCESSORS_ONLN);
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			return false;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (cpu >= lo && cpu <= hi)
			return true;
		p = *end == ',' ? end + 1 : end;
		if (*p == '\n')
			break;
	}
	return false;
}

int attach_perf_event_cpus(struct attach_set *as, int prog_fd, void *perf_event_attr, int cpu)
{
	char buf[256], *list = NULL;
	int fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC), n, err = 0;
	int last = libbpf_num_possible_cpus();

	if (cpu >= 0)
		return attach_perf_event(as, prog_fd, perf_event_attr, -1, cpu);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			list = buf;
		}
	}
	if (last <= 0)
		return last ? last : -ENODEV;
	for (int c = 0; c < last && !err; c++)
		if (cpu_online(list, c))
			err = attach_perf_event(as, prog_fd, perf_event_attr, -1, c);
	return err;
}

int attach_raw_tracepoint(struct attach_set *as, int prog_fd, const char *name)
{
	int fd = bpf_raw_tracepoint_open(name, prog_fd);

	return adopt_fd(as, fd < 0 ? -errno : fd, 1);
}

int attach_raw_tracepoint_cookie(struct attach_set *as, int prog_fd, const char *name,
				 uint64_t cookie)
{
	union {
		struct {
			__u64 name;
			__u32 prog_fd;
			__u32 pad;
			__u64 cookie;
		} rt;
		char pad[128];
	} attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.rt.name = (uintptr_t)name;
	attr.rt.prog_fd = prog_fd;
	attr.rt.cookie = cookie;
	fd = syscall(__NR_bpf, BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
	return adopt_fd(as, fd < 0 ? -errno : fd, 1);
}

static bool fentry_loads(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct kbtf *k;
	int id, fd;

	if (kbtf__open(NULL, &k))
		return false;
	id = kbtf__find(k, "vfs_read", BTF_KIND_FUNC, NULL);
	kbtf__close(k);
	if (id <= 0)
		return false;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

bool kernel_has_kprobes(void)
{
	struct stat st;

	return !stat("/sys/bus/event_source/devices/kprobe", &st);
}

enum kfunc_mech kernel_kfunc_mech(char *why, size_t len)
{
	if (fentry_loads())
		return KFUNC_FENTRY;
	if (kernel_has_kprobes())
		return KFUNC_KPROBE;
	snprintf(why, len,
		 "kernel function probes are unavailable here: this kernel has no kprobes and "
		 "refuses fentry programs; use tracepoints instead (e.g. 't:syscalls:sys_enter_*', "
		 "list them with 'tracekit -l tracepoint:*')");
	return KFUNC_NONE;
}

const char *tracefs_dir(char *why, size_t len)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		char p[64];

		snprintf(p, sizeof(p), "%s/events", dirs[i]);
		if (!stat(p, &st))
			return dirs[i];
	}
	if (!mount("nodev", dirs[0], "tracefs", 0, NULL))
		return dirs[0];
	snprintf(why, len,
		 "tracefs is not mounted and mounting it failed (%s): run 'mount -t tracefs nodev "
		 "/sys/kernel/tracing' as root",
		 strerror(errno));
	return NULL;
}

const char *attach_strerror(int err)
{
	switch (-err) {
	case EPERM:
		return "permission denied: run as root (or with CAP_BPF and CAP_PERFMON)";
	case EACCES:
		return "rejected by the BPF verifier (-v shows the kernel's log)";
	case ENOENT:
		return "no such probe point";
	case EOPNOTSUPP:
		return "not supported by this kernel";
	case EINVAL:
		return "invalid argument (kernel refused the probe)";
	case ESRCH:
		return "no such process";
	case E2BIG:
		return "too many probes for this kernel";
	default:
		return strerror(-err);
	}
}
