// SPDX-License-Identifier: GPL-2.0
/*
 * How long pprof_write() takes on a big profile (issue 11: 100,000 samples in under 200 ms):
 * a synthetic profile of 100,000 distinct stacks ~30 frames deep over 2,000 functions, a fifth
 * of the frames inlined into their callers, a tenth of the samples with a kernel part, built
 * once through stack_profile__add_frames() as a tool's would be. Prints the median of a few
 * writes, its ratio to the target, and beside it `go tool pprof -proto` reading and
 * re-encoding the same file (a peer, its process start included). Built by bench/Makefile;
 * run by bench/run.sh. Arguments: [SAMPLES [REPS]].
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/pbwire.h"
#include "core/pprof.h"
#include "core/stack.h"

#define NFUNCS	  2000
#define NKFUNCS	  200 /* the first NKFUNCS are the kernel's */
#define MAXDEPTH  40
#define TARGET_MS 200.0
#define GO	  "/usr/local/go/bin/go"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static char names[NFUNCS][48], files[NFUNCS / 20][48];

/* Frame of function fn that calls callee (a function, or a leaf's ip), at address addr. */
static void frame(struct stack_frame *f, uint32_t fn, uint32_t callee, uint64_t addr, bool kernel,
		  bool inlined)
{
	*f = (struct stack_frame){
		.func = names[fn],
		.file = kernel ? NULL : files[fn / 20],
		.line = kernel ? 0 : 10 + (fn * 3 + callee) % 300,
		.module = kernel   ? "[kernel.kallsyms]"
			  : fn % 3 ? "/usr/bin/server"
				   : "/usr/lib/libc.so.6",
		.addr = addr,
		.kernel = kernel,
		.inlined = inlined,
	};
}

/* Whether callee is inlined into its caller: a property of the pair, one call in five. */
static bool inlined(uint32_t caller, uint32_t callee)
{
	return (caller * 13 + callee) % 5 == 0;
}

/*
 * One sample: a user stack from a few roots down a tree of limited fan-out (so prefixes are
 * shared as in a real program: each function calls one of 4); a tenth with 4 to 8 kernel frames on
 * top. As in a real binary, an address always holds the same lines: it is its function's call site
 * of the innermost inlined function's callee.
 */
static size_t make_stack(struct stack_frame *f)
{
	size_t depth = 20 + rnd(MAXDEPTH - 20), nk = rnd(10) ? 0 : 4 + rnd(5), n = 0;
	uint32_t chain[MAXDEPTH], fn = NKFUNCS + rnd(8), key = 0;

	for (size_t d = 0; d < depth; d++) {
		chain[d] = fn;
		fn = NKFUNCS + (fn * 31 + rnd(4) * 17) % (NFUNCS - NKFUNCS);
	}
	for (size_t k = 0; k < nk; k++) {
		uint32_t kf = rnd(NKFUNCS), site = rnd(4);

		frame(&f[n++], kf, site, 0xffffffff81000000ull + kf * 0x400ull + site * 8, true,
		      false);
	}
	/* leaf first; the leaf "calls" one of 4 sites where its ip was sampled */
	for (size_t d = depth; d-- > 0;) {
		uint32_t callee = d + 1 < depth ? chain[d + 1] : rnd(4);
		bool inl = d > 0 && inlined(chain[d - 1], chain[d]);

		if (d + 1 == depth || !inlined(chain[d], chain[d + 1]))
			key = chain[d] * 7 + callee; /* the innermost line of a location */
		frame(&f[n++], chain[d], callee, 0x400000 + chain[d] * 0x1000ull + key % 512 * 8,
		      false, inl);
	}
	return n;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* CPU time of the process, all its threads: what the write costs whatever else runs. */
static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
	       ru.ru_stime.tv_usec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* `go tool pprof -proto path` with its output thrown away: its wall time, or -1. */
static double go_reencode(const char *path)
{
	char *argv[] = {GO, "tool", "pprof", "-proto", (char *)path, NULL};
	posix_spawn_file_actions_t fa;
	double t0 = now_ms();
	int status;
	pid_t pid;

	if (access(GO, X_OK) || posix_spawn_file_actions_init(&fa))
		return -1;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, GO, &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	static const struct stack_value_type types[] = {{"samples", "count"},
							{"cpu", "nanoseconds"}};
	size_t nsamples = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	struct stack_frame f[MAXDEPTH + 8];
	char path[] = "/tmp/tk_bench_pprof_XXXXXX";
	double t[16], enc[16], cpu[16], go_ms;
	struct stack_profile p;
	size_t nframes = 0;
	struct stat st;
	int fd, err;

	if (!nsamples || reps < 1 || reps > 16) {
		fprintf(stderr, "usage: pprof_write [SAMPLES [REPS (1-16)]]\n");
		return 2;
	}
	for (int i = 0; i < NFUNCS; i++)
		snprintf(names[i], sizeof(names[i]),
			 i < NKFUNCS ? "kfunc_%d" : "main.(*server).fn%d", i);
	for (int i = 0; i < NFUNCS / 20; i++)
		snprintf(files[i], sizeof(files[i]), "/src/server/pkg%d/file%d.go", i % 7, i);
	if (stack_profile__init(&p, types, 2))
		return 1;
	p.period_type = types[1];
	p.period = 10101010;
	for (size_t i = 0; i < nsamples; i++) {
		struct stack_who who = {.pid = 1000 + i % 7, .comm = "server"};
		size_t n = make_stack(f);
		int64_t v[2] = {1 + rnd(3), 0};

		v[1] = v[0] * p.period;
		nframes += n;
		if (stack_profile__add_frames(&p, &who, f, n, v)) {
			fprintf(stderr, "pprof_write: out of memory\n");
			return 1;
		}
	}
	fd = mkstemp(path);
	if (fd < 0) {
		perror("pprof_write: mkstemp");
		return 1;
	}
	close(fd);
	for (int r = 0; r < reps; r++) {
		struct pbuf b = {0};
		double t0 = now_ms();

		err = pprof_encode(&p, &b);
		enc[r] = now_ms() - t0;
		pb_free(&b);
		t0 = now_ms();
		cpu[r] = cpu_ms();
		err = err ? err : pprof_write(&p, path);
		t[r] = now_ms() - t0;
		cpu[r] = cpu_ms() - cpu[r];
		if (err) {
			fprintf(stderr, "pprof_write: %s: %s\n", path, strerror(-err));
			unlink(path);
			return 1;
		}
	}
	qsort(t, reps, sizeof(*t), cmp_double);
	qsort(enc, reps, sizeof(*enc), cmp_double);
	qsort(cpu, reps, sizeof(*cpu), cmp_double);
	stat(path, &st);
	go_ms = go_reencode(path);
	unlink(path);
	printf("pprof_write: %zu samples, %.1f frames each, %zu locations, %zu lines, %zu strings "
	       "-> %.1f MB gzipped\n",
	       p.nsamples, (double)nframes / p.nsamples, p.nlocs, p.nlines, p.nstrs,
	       st.st_size / 1e6);
	printf("  tracekit pprof_write    %8.1f ms  %.2fx the %.0f ms target  (median of %d, on "
	       "%ld "
	       "CPUs; CPU time %.1f ms, of which encoding %.1f ms)\n",
	       t[reps / 2], t[reps / 2] / TARGET_MS, TARGET_MS, reps, sysconf(_SC_NPROCESSORS_ONLN),
	       cpu[reps / 2], enc[reps / 2]);
	if (go_ms >= 0)
		printf("  go tool pprof -proto    %8.1f ms  (reads and re-encodes the file; "
		       "process "
		       "start included)  %.2fx tracekit\n",
		       go_ms, go_ms / t[reps / 2]);
	else
		printf("  go tool pprof -proto         n/a  (%s missing or failed)\n", GO);
	stack_profile__exit(&p);
	return 0;
}
