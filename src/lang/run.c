// SPDX-License-Identifier: GPL-2.0
/*
 * Running a compiled program: create the maps, generate and load one BPF program per attach
 * point, run BEGIN, attach the rest, then the event loop (ring buffer, signalfd) until
 * exit() or a signal, END, and the map dump.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/attach.h"
#include "core/btfmin.h"
#include "core/loop.h"
#include "core/metrics.h"
#include "lang/cg.h"
#include "lang/gopair.h"
#include "lang/print.h"
#include "lang/map_metrics.h"
#include "lang/probes.h"
#include "lang/provider.h"
#include "lang/run.h"

#define RINGBUF_SIZE (1u << 19)

struct runner {
	struct compiler *c;
	struct cg_maps fds;
	struct lt_prog prog;
	struct lt_out out;
	struct attach_set *as;
	struct ring_buffer *rb;
	struct event_loop loop;
	bool exiting;
	bool discard; /* events still queued at exit() */
	bool stopping; /* the probes are gone: queued system() commands are not started */
	int exit_code; /* exit(code)'s, from its event's id */
	int usr1_fd;   /* signalfd of SIGUSR1: self:signal:SIGUSR1 probes (0.17: print the maps) */
	unsigned int budget; /* events left in this pass: keeps signals responsive */
	uint64_t lost_seen;
	int ncpus;
	char *log;
	int btf_fd; /* the callbacks' BTF (btf_min__funcs()), made for the first that needs it */
	uint32_t btf_prog, btf_cb;
	struct lang_metrics *metrics; /* --metrics */
};

static uint64_t now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int map_new(enum bpf_map_type type, const char *name, uint32_t ks, uint32_t vs, uint32_t n)
{
	/*
	 * Hash maps allocate their entries as keys come: preallocating max_entries values per
	 * CPU (a hist's 528 bytes x 4096 x CPUs) costs milliseconds per map at start-up, most of
	 * a long script's load time, for entries most programs never use.
	 */
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .map_flags = type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH
					 ? BPF_F_NO_PREALLOC
					 : 0);
	int fd = bpf_map_create(type, name, ks, vs, n, &opts);

	return fd < 0 ? -errno : fd;
}

static int create_maps(struct runner *r)
{
	struct compiler *c = r->c;
	uint32_t key = 0;

	r->fds.ringbuf = map_new(BPF_MAP_TYPE_RINGBUF, "tk_events", 0, 0, RINGBUF_SIZE);
	r->fds.heap = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, "tk_heap", 4, CG_HEAP_SIZE, 1);
	r->fds.counters = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, "tk_counters", 4, 8, LT_COUNTERS);
	r->fds.funcnames = map_new(BPF_MAP_TYPE_ARRAY, "tk_funcs", 4, LT_STR_DEFAULT,
				   c->nprobe_names ? c->nprobe_names : 1);
	if (r->fds.ringbuf < 0 || r->fds.heap < 0 || r->fds.counters < 0 || r->fds.funcnames < 0)
		return r->fds.ringbuf < 0 ? r->fds.ringbuf
		       : r->fds.heap < 0  ? r->fds.heap
		       : r->fds.counters < 0  ? r->fds.counters
					  : r->fds.funcnames;
	/* function names by probe index ("uprobe:PATH:FUNC"), for `func` under wildcards */
	for (int p = 0; p < c->nprobes; p++)
		for (int a = 0; a < c->probes[p].naps; a++) {
			struct attach_point *ap = &c->probes[p].aps[a];
			const struct uprobe_point *u = &ap->up;
			size_t skip;

			if (!ap_is_uprobe(ap) || !u->display)
				continue;
			skip = strlen(probe_type_name(ap->type)) + strlen(u->display) + 2;
			for (size_t i = 0; i < u->sites.n && u->nfuncs; i++) {
				char name[LT_STR_DEFAULT] = {0};

				key = COOKIE_IDX(u->sites.cookies[i]);
				if (key >= (uint32_t)c->nprobe_names ||
				    strlen(c->probe_names[key]) < skip)
					continue;
				strncpy(name, c->probe_names[key] + skip, sizeof(name) - 1);
				bpf_map_update_elem(r->fds.funcnames, &key, name, BPF_ANY);
			}
		}
	for (int i = 0; i < c->nmaps; i++) {
		struct lt_map *m = &c->maps[i].m;
		/* a declaration's kind and size (let @m = lruhash(N)), else max_map_keys */
		int type = c->maps[i].decl_type ? c->maps[i].decl_type
			   : m->percpu		? BPF_MAP_TYPE_PERCPU_HASH
						: BPF_MAP_TYPE_HASH;
		uint32_t n = c->maps[i].max_entries ? c->maps[i].max_entries
			     : c->opts->max_map_keys ? c->opts->max_map_keys
						     : LT_MAP_KEYS_MAX;
		int fd = map_new(type, "tk_map", m->key_size, m->value_size, n);

		if (fd < 0)
			return fd;
		m->fd = fd;
	}
	return 0;
}

/*
 * From a verifier log: the index of the last instruction it looked at and its last words
 * (the reason), so that the error can point at the user's statement.
 */
static int verifier_failed_insn(const char *log, char *reason, size_t len)
{
	const char *p = log, *last_reason = NULL;
	size_t rlen = 0;
	int at = -1;

	reason[0] = 0;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);
		int idx;
		char c;

		if (sscanf(p, "%d: %c", &idx, &c) == 2)
			at = idx;
		else if (l && strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
			 strncmp(p, "stack depth", 11) && strncmp(p, "cur state", 9) &&
			 strncmp(p, "old state", 9) && p[0] != ';') {
			last_reason = p;
			rlen = l;
		}
		p = eol ? eol + 1 : NULL;
	}
	if (last_reason)
		snprintf(reason, len, "%.*s", (int)rlen, last_reason);
	if (reason[0] && sscanf(reason, "infinite loop detected at insn %d", &at) == 1)
		return at;
	return at;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A program with callbacks (the loads of their addresses, BPF_PSEUDO_FUNC) gets the
 * function info the kernel wants then: one record per subprogram, in order, the program
 * itself first. *info is the caller's to free; 0 records when there are no callbacks.
 */
static int func_info(struct runner *r, const struct bpf_insn *in, int n,
		     struct bpf_func_info **info)
{
	struct bpf_func_info *fi;
	int nfi = 1, k = 1;

	*info = NULL;
	fi = calloc((size_t)n + 1, sizeof(*fi));
	if (!fi)
		return -ENOMEM;
	for (int i = 0; i + 1 < n; i++)
		if (in[i].code == (BPF_LD | BPF_DW | BPF_IMM) && in[i].src_reg == BPF_PSEUDO_FUNC)
			fi[nfi++].insn_off = (uint32_t)(i + 1 + in[i].imm);
	if (nfi == 1) {
		free(fi);
		return 0;
	}
	if (r->btf_fd < 0) {
		r->btf_fd = btf_min__funcs(&r->btf_prog, &r->btf_cb);
		if (r->btf_fd < 0) {
			free(fi);
			return r->btf_fd;
		}
	}
	/* insn_off first in the record: sorted as u32; a callback used twice is one record */
	qsort(fi + 1, (size_t)nfi - 1, sizeof(*fi), cmp_u32);
	for (int i = 1; i < nfi; i++)
		if (fi[i].insn_off != fi[k - 1].insn_off)
			fi[k++] = fi[i];
	nfi = k;
	for (int i = 0; i < nfi; i++)
		fi[i].type_id = i ? r->btf_cb : r->btf_prog;
	*info = fi;
	return nfi;
}

static int load_one(struct runner *r, struct probe *p, struct attach_point *ap, uint64_t start)
{
	struct bpf_func_info *fi;
	struct compiler *c = r->c;
	struct bpf_insn *insns = NULL;
	struct loc *locs = NULL;
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	int n, n2, fd;

	/* the provider's own maps and programs first: the code may refer to them */
	if (ap->prov->prepare) {
		n = ap->prov->prepare(c, ap, &r->fds);
		if (n)
			return n;
	}
	n = cg_program(c, p, ap, &r->fds, start, &insns, &locs);
	if (n < 0) {
		diag_error(c->diag, ap->loc, "%s: %s",
			   n == -E2BIG ? "program too large (stack or heap limit)"
				       : "code generation failed",
			   ap->probe_name);
		return n;
	}
	if (ap->prov->attach_type)
		opts.expected_attach_type = ap->prov->attach_type(ap);
	n2 = func_info(r, insns, n, &fi);
	if (n2 < 0) {
		diag_error(c->diag, ap->loc, "%s: BTF for the program's callbacks: %s",
			   ap->probe_name, strerror(-n2));
		free(insns);
		free(locs);
		return n2;
	}
	if (n2) {
		opts.prog_btf_fd = r->btf_fd;
		opts.func_info = fi;
		opts.func_info_cnt = (uint32_t)n2;
		opts.func_info_rec_size = sizeof(*fi);
	}
	if (!r->log)
		r->log = malloc(1 << 20);
	opts.log_buf = r->log;
	opts.log_size = r->log ? 1 << 20 : 0;
	opts.log_level = 0;
	fd = bpf_prog_load(ap->prov->prog_type, "tk_probe", "GPL", insns, n, &opts);
	if (fd < 0 && r->log) {
		int err = -errno;

		opts.log_level = 1;
		r->log[0] = 0;
		fd = bpf_prog_load(ap->prov->prog_type, "tk_probe", "GPL", insns, n, &opts);
		if (fd < 0) {
			char reason[256];
			int at = verifier_failed_insn(r->log, reason, sizeof(reason));

			diag_error(c->diag, at >= 0 && at < n ? locs[at] : p->node->loc,
				   "the kernel's verifier rejected this (probe %s): %s%s",
				   ap->probe_name, reason[0] ? reason : strerror(-err),
				   c->opts->verbose ? "" : " (run with -v for the verifier log)");
			if (c->opts->verbose)
				fprintf(stderr, "%s\n", r->log);
			free(fi);
			free(insns);
			free(locs);
			return err;
		}
	}
	free(fi);
	free(insns);
	free(locs);
	if (fd < 0) {
		diag_error(c->diag, p->node->loc, "loading probe %s failed: %s", ap->probe_name,
			   strerror(errno));
		return -errno;
	}
	ap->prog_fd = fd;
	return 0;
}

/* Run the programs of begin, end or self probes once, in the order of the program. */
static int run_special(struct runner *r, const struct provider *prov)
{
	for (int i = 0; i < r->c->nprobes; i++) {
		struct probe *p = &r->c->probes[i];

		for (int a = 0; a < p->naps; a++) {
			LIBBPF_OPTS(bpf_test_run_opts, topts);

			if (p->aps[a].prov != prov || p->aps[a].prog_fd < 0)
				continue;
			if (bpf_prog_test_run_opts(p->aps[a].prog_fd, &topts)) {
				fprintf(stderr, "ERROR: running %s failed: %s\n",
					p->aps[a].probe_name, strerror(errno));
				return -errno;
			}
		}
	}
	return 0;
}

static bool has_probe_of(const struct compiler *c, const struct provider *prov)
{
	for (int i = 0; i < c->nprobes; i++)
		for (int a = 0; a < c->probes[i].naps; a++)
			if (c->probes[i].aps[a].prov == prov)
				return true;
	return false;
}

/*
 * SIGUSR1 (0.22 on): runs the self:signal:SIGUSR1 probes, and without one does nothing;
 * 0.17 printed every map.
 */
static int on_sigusr1(void *ctx)
{
	struct runner *r = ctx;
	struct signalfd_siginfo si;

	while (read(r->usr1_fd, &si, sizeof(si)) == sizeof(si)) {
		if (has_probe_of(r->c, &provider_self))
			run_special(r, &provider_self);
		else if (r->c->opts->dialect == LANG_0_17)
			lt_out_print_maps(&r->out);
	}
	return 0;
}

/* Blocked from the start of the run: a SIGUSR1 never ends tracekit (its default action). */
static int sigusr1_open(struct runner *r)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	r->usr1_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return r->usr1_fd < 0 ? -errno : 0;
}

static int attach_one(struct runner *r, struct attach_point *ap)
{
	return ap->prov->attach ? ap->prov->attach(ap, r->as, r->c->opts->pid) : 0;
}

/* system(): format the command like printf, run it through the shell (--unsafe only). */
static void run_system(struct runner *r, const void *data, size_t len)
{
	const struct lt_event_hdr *h = data;
	struct lt_sbuf cmd = {0};

	if (h->id >= r->prog.nfmts)
		return;
	if (!lt_format_printf(&cmd, r->prog.fmts[h->id].fmt, &r->prog.fmts[h->id].args,
			      (const char *)data + sizeof(*h), len - sizeof(*h), &r->prog,
			      &r->out.sym)) {
		fflush(stdout);
		if (system(lt_sbuf_str(&cmd)) < 0)
			fprintf(stderr, "ERROR: system(): %s\n", strerror(errno));
	}
	lt_sbuf_free(&cmd);
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct runner *r = ctx;
	int ret;

	if (r->discard)
		return 0;
	if (len >= sizeof(struct lt_event_hdr) &&
	    ((const struct lt_event_hdr *)data)->kind == LANG_EV_SYSTEM) {
		if (!r->stopping)
			run_system(r, data, len);
		/* a command takes milliseconds: look at the signals after each one */
		if (r->budget)
			r->budget = 1;
		ret = 0;
	} else {
		ret = lt_out_event(&r->out, data, len);
	}

	if (ret == 1) {
		/* exit(code): the code travels in the event's id */
		r->exit_code = (int)(((const struct lt_event_hdr *)data)->id & 0xff);
		r->exiting = true;
		return -ECANCELED;
	}
	/* a producer faster than us must not keep us from seeing SIGINT */
	if (r->budget && !--r->budget)
		return -EAGAIN;
	return 0;
}

#define EVENT_BUDGET 4096

static int consume(void *ctx)
{
	struct runner *r = ctx;
	int n;

	r->budget = EVENT_BUDGET;
	n = ring_buffer__consume(r->rb);
	r->budget = 0;
	if (n == -EAGAIN)
		return 0;
	return n < 0 ? 1 : 0;
}

/* A per-CPU counter summed over the CPUs (0 if it cannot be read). */
static uint64_t counter_sum(struct runner *r, enum lt_counter which)
{
	uint32_t key = which;
	uint64_t *v = calloc(r->ncpus, sizeof(uint64_t)), sum = 0;

	if (!v)
		return 0;
	if (!bpf_map_lookup_elem(r->fds.counters, &key, v))
		for (int i = 0; i < r->ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

static void check_lost(struct runner *r)
{
	uint64_t sum = counter_sum(r, LT_COUNTER_LOST);

	if (sum > r->lost_seen) {
		lt_out_lost(&r->out, sum - r->lost_seen);
		r->lost_seen = sum;
		lang_metrics_set_lost(r->metrics, sum);
	}
}

/*
 * Go returns whose entry was never saved: calls already running when the probes went in,
 * or more than GOPAIR_MAX_CALLS in flight. Their probe did not run; say how many.
 */
static void report_unpaired(uint64_t n, const struct lang_run_opts *ro)
{
	if (n && !ro->no_warnings)
		fprintf(stderr,
			"WARNING: %llu Go return%s had no matching entry (calls in flight at attach, "
			"or more than %d at once) and were not traced\n",
			(unsigned long long)n, n == 1 ? "" : "s", GOPAIR_MAX_CALLS);
}

static int on_tick(void *ctx)
{
	check_lost(ctx);
	return 0;
}

static void close_fds(struct runner *r)
{
	for (int p = 0; p < r->c->nprobes; p++)
		for (int a = 0; a < r->c->probes[p].naps; a++) {
			struct attach_point *ap = &r->c->probes[p].aps[a];

			if (ap->prog_fd >= 0)
				close(ap->prog_fd);
			ap->prog_fd = -1;
			if (ap->prov && ap->prov->release)
				ap->prov->release(ap);
		}
	for (int i = 0; i < r->c->nmaps; i++)
		if (r->c->maps[i].m.fd >= 0)
			close(r->c->maps[i].m.fd);
	if (r->fds.ringbuf >= 0)
		close(r->fds.ringbuf);
	if (r->fds.heap >= 0)
		close(r->fds.heap);
	if (r->fds.counters >= 0)
		close(r->fds.counters);
	if (r->fds.funcnames >= 0)
		close(r->fds.funcnames);
	if (r->btf_fd >= 0)
		close(r->btf_fd);
}

static void fill_prog(struct runner *r)
{
	struct compiler *c = r->c;

	r->prog.maps = calloc(c->nmaps ? c->nmaps : 1, sizeof(*r->prog.maps));
	r->prog.fmts = calloc(c->nfmts ? c->nfmts : 1, sizeof(*r->prog.fmts));
	if (!r->prog.maps || !r->prog.fmts)
		abort();
	for (int i = 0; i < c->nmaps; i++)
		r->prog.maps[i] = c->maps[i].m;
	r->prog.nmaps = c->nmaps;
	for (int i = 0; i < c->nfmts; i++)
		r->prog.fmts[i] = c->fmts[i].f;
	r->prog.nfmts = c->nfmts;
	r->prog.probe_names = c->probe_names;
	r->prog.nprobes = c->nprobe_names;
	r->prog.sites = c->sites;
	r->prog.nsites = (uint32_t)c->nsites;
	r->prog.str_trunc_trailer = c->opts->dialect == LANG_0_17 ? NULL
				    : c->opts->str_trunc_trailer ? c->opts->str_trunc_trailer
								 : "..";
}

static bool only_special(const struct compiler *c)
{
	for (int i = 0; i < c->nprobes; i++)
		for (int a = 0; a < c->probes[i].naps; a++)
			if (c->probes[i].aps[a].prov != &provider_begin &&
			    c->probes[i].aps[a].prov != &provider_end)
				return false;
	return true;
}

int lang_run(struct compiler *c, const struct lang_run_opts *ro)
{
	struct runner r = {.c = c, .fds = {-1, -1, -1, -1}, .usr1_fd = -1, .btf_fd = -1};
	uint64_t start = now_mono_ns();
	enum loop_reason why;
	uint64_t unpaired;
	int err;

	r.ncpus = libbpf_num_possible_cpus();
	if (r.ncpus < 1)
		r.ncpus = 1;
	err = loop__init(&r.loop);
	if (err) {
		fprintf(stderr, "ERROR: event loop: %s\n", strerror(-err));
		return 1;
	}
	err = sigusr1_open(&r);
	if (err) {
		fprintf(stderr, "ERROR: SIGUSR1: %s\n", strerror(-err));
		goto out;
	}
	err = create_maps(&r);
	if (err) {
		fprintf(stderr, "ERROR: creating BPF maps failed: %s\n", strerror(-err));
		goto out;
	}
	for (int p = 0; p < c->nprobes && !err; p++)
		for (int a = 0; a < c->probes[p].naps && !err; a++)
			err = load_one(&r, &c->probes[p], &c->probes[p].aps[a], start);
	if (err)
		goto out;
	fill_prog(&r);
	lt_out_init(&r.out, ro->out ? ro->out : stdout, &r.prog, ro->json);
	r.out.dialect = c->opts->dialect;
	r.out.block_buffered = ro->block_buffered;
	r.out.ncpus = r.ncpus;
	r.rb = ring_buffer__new(r.fds.ringbuf, on_event, &r, NULL);
	if (!r.rb) {
		err = -errno;
		fprintf(stderr, "ERROR: ring buffer: %s\n", strerror(errno));
		goto out;
	}
	loop__add_fd(&r.loop, ring_buffer__epoll_fd(r.rb), consume, &r);
	loop__add_fd(&r.loop, r.usr1_fd, on_sigusr1, &r);
	loop__set_interval(&r.loop, 1000, on_tick, &r);
	if (ro->watch_pid > 0)
		loop__watch_pid(&r.loop, ro->watch_pid);
	/* bound before anything is attached: a port in use costs nothing */
	if (ro->metrics_addr) {
		r.metrics = lang_metrics_start(&r.loop, ro->metrics_addr,
					       ro->metrics_max_series ? ro->metrics_max_series
								      : METRICS_DEFAULT_MAX_SERIES,
					       &r.prog, r.ncpus);
		if (!r.metrics) {
			err = -EINVAL;
			goto out;
		}
	}
	if (!ro->quiet && c->opts->dialect == LANG_0_17)
		lt_out_attached(&r.out, (unsigned int)c->nattach);
	/* 0.17 ran begin before attaching the rest; 0.26 attaches, says so, then runs begin */
	if (c->opts->dialect == LANG_0_17) {
		err = run_special(&r, &provider_begin);
		if (err)
			goto out;
		/*
		 * begin's output, within the event budget: a program whose printing feeds
		 * its own probes (uprobe:c:write) must still reach the loop and its signals
		 */
		consume(&r);
	}
	r.as = attach_set__new();
	if (!r.as) {
		err = -ENOMEM;
		goto out;
	}
	for (int p = 0; p < c->nprobes && !err && !r.exiting; p++)
		for (int a = 0; a < c->probes[p].naps && !err; a++) {
			struct attach_point *ap = &c->probes[p].aps[a];

			err = attach_one(&r, ap);
			if (err && c->opts->missing_probes != MISSING_PROBES_ERROR) {
				/* config missing_probes = warn|ignore: the probe is left out */
				if (c->opts->missing_probes == MISSING_PROBES_WARN)
					fprintf(stderr, "WARNING: attaching %s failed: %s\n",
						ap->probe_name, attach_strerror(err));
				err = 0;
			} else if (err) {
				fprintf(stderr, "ERROR: attaching %s failed: %s\n", ap->probe_name,
					attach_strerror(err));
			}
		}
	attach_set__progress_end(r.as);
	if (!err && r.metrics)
		err = lang_metrics_ready(r.metrics, c);
	if (err)
		goto out;
	if (!ro->quiet && c->opts->dialect == LANG_0_26)
		lt_out_attached(&r.out, (unsigned int)c->nattach);
	if (getenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED"))
		fprintf(stderr, "__BPFTRACE_NOTIFY_PROBES_ATTACHED\n");
	if (c->opts->dialect == LANG_0_26) {
		err = run_special(&r, &provider_begin);
		if (err)
			goto out;
		/*
		 * begin's output, within the event budget: a program whose printing feeds
		 * its own probes (uprobe:c:write) must still reach the loop and its signals
		 */
		consume(&r);
	}
	if (ro->on_attached)
		ro->on_attached(ro->ctx);
	if (ro->dry_run) {
		err = 0;
		goto out;
	}
	/* 0.24 on: a program of begin and end probes only ends by itself */
	if (!r.exiting && !(c->opts->dialect == LANG_0_26 && only_special(c))) {
		why = loop__run(&r.loop);
		(void)why;
	}
	/* read while every probe is in: detaching makes returns without entries of its own */
	unpaired = counter_sum(&r, LT_COUNTER_UNPAIRED);
	/* detach first: END and the dump see a stable picture */
	attach_set__destroy(r.as);
	r.as = NULL;
	/* after exit(), what probes said before they were detached is dropped, as bpftrace does */
	r.discard = r.exiting;
	/* a flood of queued commands (system() on a busy probe) must not outlast Ctrl-C */
	r.stopping = true;
	ring_buffer__consume(r.rb);
	r.stopping = false;
	r.discard = false;
	r.exiting = false;
	run_special(&r, &provider_end);
	while (ring_buffer__consume(r.rb) == -ECANCELED)
		;
	check_lost(&r);
	report_unpaired(unpaired, ro);
	/* config print_maps_on_exit = false (lang/config.c): the end of the run without maps */
	if (c->opts->no_print_maps_on_exit)
		r.prog.nmaps = 0;
	lt_out_exit(&r.out);
	err = 0;
out:
	lang_metrics_stop(r.metrics);
	attach_set__destroy(r.as);
	ring_buffer__free(r.rb);
	loop__close(&r.loop);
	if (r.prog.maps)
		lt_out_free(&r.out);
	close_fds(&r);
	free(r.prog.maps);
	free(r.prog.fmts);
	free(r.log);
	if (r.usr1_fd >= 0)
		close(r.usr1_fd);
	return err ? 1 : r.exit_code;
}
