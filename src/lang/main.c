// SPDX-License-Identifier: GPL-2.0
/*
 * `tracekit -e PROG`, `tracekit FILE [ARGS]`, `tracekit -l [PATTERN]`: bpftrace's command
 * line (-e -l -v -p -c -f json) in front of the compiler and the runtime.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#include "core/log.h"
#include "core/metrics.h"
#include "core/metrics_http.h"
#include "core/usage.h"
#include "lang/compile.h"
#include "lang/import.h"
#include "lang/list.h"
#include "lang/parser.h"
#include "lang/probes.h"
#include "lang/provider.h"
#include "lang/run.h"

/* bpftrace's help, shortened to what is here; the synopsis ends at the first blank line. */
static const char usage_text[] =
	"USAGE:\n"
	"    tracekit [options] filename [args...]\n"
	"    tracekit [options] - [args...]            (the program on stdin)\n"
	"    tracekit [options] -e 'program' [args...]\n"
	"    tracekit TOOL [options...]                (a tool; tracekit help lists them)\n"
	"\n"
	"OPTIONS:\n"
	"    -e 'program'   execute this program\n"
	"    -l [search]    list probes (uprobe:PATH:*, tracepoint:CAT:*, ...); -lv: with\n"
	"                   their parameters (tracepoint fields, Go arguments)\n"
	"    -v             verbose: the verifier's log when the kernel rejects a probe\n"
	"    -p PID         uprobes fire in this PID only; PATH and libraries are found\n"
	"                   through /proc/PID\n"
	"    -c 'CMD'       run CMD and trace it (cpid); exit when it exits\n"
	"    -f FORMAT      output format: text (default) or json\n"
	"    -o FILE        the script's output to FILE (diagnostics stay on stderr)\n"
	"    -q, --quiet    no attach notice\n"
	"    -B MODE        buffering of the script's output (stdout or -o FILE): line\n"
	"                   (default), full or none\n"
	"    -k, --warnings runtime warnings (failed probe reads and map lookups)\n"
	"    --no-warnings  no warnings at all\n"
	"    --probe-filter REGEX\n"
	"                   only the probes whose full name matches REGEX (POSIX extended,\n"
	"                   searched anywhere in the name); begin/end always stay\n"
	"    --dry-run      compile, load and attach (begin runs, its output is dropped),\n"
	"                   then exit\n"
	"    --compat VER   0.26 (default) or 0.17: which bpftrace's formats, messages and\n"
	"                   semantics to follow where they differ (also TRACEKIT_COMPAT=VER)\n"
	"    --unsafe       allow unsafe builtins (system())\n"
	"    --metrics HOST:PORT\n"
	"                   serve the maps as Prometheus metrics at http://HOST:PORT/metrics\n"
	"                   (docs/metrics.md); with -q, nothing on stdout\n"
	"    --metrics-max-series N\n"
	"                   at most N series (default 10000)\n"
	"    -b, --btf      accepted, as bpftrace 0.26 does (kernel BTF is always used)\n"
	"    -h, --help     show this help message\n"
	"    -V, --version  print the version\n"
	"    args...        positional parameters $1, $2, ... ($# of them)\n";

void lang_help(FILE *f)
{
	fputs(usage_text, f);
}

/* A wrong command line (getopt has said why): the synopsis and where the rest is. */
/*
 * What follows the program: positional parameters ($1..), and after `--` the named options
 * (--name[=value]) that getopt() reads. `after_dashes`: getopt_long already took the `--`.
 */
static int split_params(struct lang_opts *o, int argc, char **argv, bool after_dashes)
{
	o->params = calloc((size_t)argc + 1, sizeof(*o->params));
	o->named = calloc((size_t)argc + 1, sizeof(*o->named));
	if (!o->params || !o->named)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		if (!after_dashes && !strcmp(argv[i], "--"))
			after_dashes = true;
		else if (after_dashes && !strncmp(argv[i], "--", 2) && argv[i][2])
			o->named[o->nnamed++] = argv[i];
		else
			o->params[o->nparams++] = argv[i];
	}
	return 0;
}

static int usage_short(void)
{
	usage_block(stderr, usage_text);
	fprintf(stderr, "Run 'tracekit --help' for all options.\n");
	return 1;
}

static char *read_file(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (buf)
		buf[len] = 0;
	if (f != stdin)
		fclose(f);
	if (buf && strlen(buf) != len) {
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	return buf;
}

/* -c: the child waits on a pipe until the probes are attached, then exec()s. */
struct child {
	pid_t pid;
	int go_fd;
};

static int child_start(struct child *ch, const char *cmd)
{
	wordexp_t we;
	int p[2];

	/* like bpftrace: the command itself (no shell in between), so cpid is its pid */
	if (wordexp(cmd, &we, WRDE_NOCMD) || !we.we_wordc) {
		errno = EINVAL;
		return -EINVAL;
	}
	if (pipe(p))
		return -errno;
	ch->pid = fork();
	if (ch->pid < 0)
		return -errno;
	if (ch->pid == 0) {
		sigset_t all;
		char c;

		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(0);
		close(p[0]);
		execvp(we.we_wordv[0], we.we_wordv);
		fprintf(stderr, "ERROR: failed to execute '%s': %s\n", we.we_wordv[0],
			strerror(errno));
		_exit(127);
	}
	wordfree(&we);
	close(p[0]);
	ch->go_fd = p[1];
	return 0;
}

static void child_release(void *ctx)
{
	struct child *ch = ctx;

	if (ch->go_fd >= 0) {
		if (write(ch->go_fd, "g", 1) != 1)
			perror("tracekit: -c");
		close(ch->go_fd);
		ch->go_fd = -1;
	}
}

static void child_finish(struct child *ch)
{
	if (ch->pid <= 0)
		return;
	if (ch->go_fd >= 0) {
		close(ch->go_fd); /* never released: the child exits without running CMD */
		ch->go_fd = -1;
	}
	if (waitpid(ch->pid, NULL, WNOHANG) == 0) {
		kill(ch->pid, SIGTERM);
		waitpid(ch->pid, NULL, 0);
	}
}

int lang_main(int argc, char **argv)
{
	enum {
		OPT_DRY_RUN = 256,
		OPT_COMPAT,
		OPT_NO_WARNINGS,
		OPT_PROBE_FILTER,
		OPT_METRICS,
		OPT_METRICS_MAX,
	};
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"unsafe", no_argument, NULL, 'U'},
		{"version", no_argument, NULL, 'V'},
		{"quiet", no_argument, NULL, 'q'},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"compat", required_argument, NULL, OPT_COMPAT},
		{"warnings", no_argument, NULL, 'k'},
		{"no-warnings", no_argument, NULL, OPT_NO_WARNINGS},
		{"probe-filter", required_argument, NULL, OPT_PROBE_FILTER},
		{"btf", no_argument, NULL, 'b'},
		{"metrics", required_argument, NULL, OPT_METRICS},
		{"metrics-max-series", required_argument, NULL, OPT_METRICS_MAX},
		{NULL, 0, NULL, 0},
	};
	struct lang_opts opts = {0};
	struct lang_run_opts ro = {0};
	struct child ch = {.pid = -1, .go_fd = -1};
	const char *prog_text = NULL, *file = NULL, *cmd = NULL, *out_path = NULL;
	const char *compat = getenv("TRACEKIT_COMPAT");
	const char *probe_filter = NULL;
	regex_t filter_re;
	int bufmode = _IOLBF, warning_level = 1; /* bpftrace's: 0 --no-warnings, 2 -k */
	bool list = false, have_filter = false;
	char *src = NULL;
	struct compiler c = {0};
	struct diag diag = {0};
	struct lang_imports imports = {0};
	int opt, ret = 1;

	tk_stdout_linebuf();
	while ((opt = getopt_long(argc, argv, "+e:lvp:c:f:o:hVdqkB:b", longopts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			prog_text = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'v':
			opts.verbose = true;
			break;
		case 'p': {
			char *end;

			opts.pid = (int)strtol(optarg, &end, 10);
			if (*end || opts.pid <= 0) {
				fprintf(stderr, "ERROR: pid '%s' is not a valid process id\n",
					optarg);
				return 1;
			}
			if (kill(opts.pid, 0) && errno == ESRCH) {
				fprintf(stderr, "ERROR: no process with pid %d\n", opts.pid);
				return 1;
			}
			break;
		}
		case 'c':
			cmd = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "json"))
				ro.json = true;
			else if (strcmp(optarg, "text")) {
				fprintf(stderr,
					"ERROR: Invalid output format \"%s\"\nValid formats: "
					"'text', 'json'\n",
					optarg);
				return 1;
			}
			break;
		case 'h':
			lang_help(stdout);
			return 0;
		case 'V':
			printf("tracekit (bpftrace 0.26 language; --compat 0.17)\n");
			return 0;
		case 'o':
			out_path = optarg;
			break;
		case 'q':
			ro.quiet = true;
			break;
		case OPT_DRY_RUN:
			ro.dry_run = true;
			break;
		case OPT_COMPAT:
			compat = optarg;
			break;
		case 'U':
			opts.unsafe = true;
			break;
		case 'k':
		case OPT_NO_WARNINGS:
			if (opt == 'k' && warning_level == 2) {
				fprintf(stderr,
					"ERROR: USAGE: -kk has been deprecated. Use a single -k "
					"for runtime warnings for errors in map lookups and "
					"probe reads.\n");
				return 1;
			}
			if (warning_level == (opt == 'k' ? 0 : 2)) {
				fprintf(stderr, "ERROR: USAGE: -k, --warnings conflicts with "
						"--no-warnings\n");
				return 1;
			}
			warning_level = opt == 'k' ? 2 : 0;
			break;
		case 'B':
			if (!strcmp(optarg, "line")) {
				bufmode = _IOLBF;
			} else if (!strcmp(optarg, "full")) {
				bufmode = _IOFBF;
			} else if (!strcmp(optarg, "none")) {
				bufmode = _IONBF;
			} else {
				fprintf(stderr,
					"ERROR: USAGE: -B must be either 'line', 'full', or "
					"'none'.\n");
				return 1;
			}
			break;
		case OPT_PROBE_FILTER:
			probe_filter = optarg;
			break;
		case OPT_METRICS: {
			char why[160];

			if (!metrics_addr_valid(optarg, why, sizeof(why))) {
				fprintf(stderr, "ERROR: USAGE: --metrics: %s\n", why);
				return 1;
			}
			ro.metrics_addr = optarg;
			break;
		}
		case OPT_METRICS_MAX: {
			char *end;

			errno = 0;
			ro.metrics_max_series = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || !ro.metrics_max_series ||
			    optarg[0] == '-') {
				fprintf(stderr,
					"ERROR: USAGE: --metrics-max-series: '%s' is not a number "
					"of series (1 or more)\n",
					optarg);
				return 1;
			}
			break;
		}
		case 'd':
		case 'b': /* --btf: bpftrace 0.26 keeps it as a no-op; BTF is always used */
			break;
		default:
			return usage_short();
		}
	}
	if (compat && lang_dialect_parse(compat, &opts.dialect)) {
		fprintf(stderr, "ERROR: Invalid compat version \"%s\" (valid: 0.26, 0.17)\n",
			compat);
		return 1;
	}
	/* before anything is written to stdout (bpftrace does it first thing too) */
	if (bufmode != _IOLBF)
		setvbuf(stdout, NULL, bufmode, BUFSIZ);
	ro.no_warnings = warning_level == 0;
	opts.warnings_k = warning_level == 2;
	ro.block_buffered = bufmode == _IOFBF;
	tk_libbpf_setup(opts.verbose);
	if (list) {
		const char *pat = prog_text ? NULL : (optind < argc ? argv[optind] : NULL);
		int lret = provider_list(pat);

		if (lret != -ENOENT)
			return lret ? 1 : 0;
		return lang_list(pat, opts.verbose, opts.pid) ? 1 : 0;
	}
	if (!prog_text) {
		if (optind >= argc) {
			fprintf(stderr, "ERROR: no program given: -e 'program' or a file\n");
			return usage_short();
		}
		file = argv[optind++];
		src = read_file(file);
		if (!src) {
			fprintf(stderr, "ERROR: failed to open file '%s': %s\n", file,
				strerror(errno));
			return 1;
		}
	} else {
		src = strdup(prog_text);
		if (!src)
			return 1;
	}
	if (split_params(&opts, argc - optind, argv + optind, !strcmp(argv[optind - 1], "--")))
		goto out;
	if (cmd) {
		if (child_start(&ch, cmd)) {
			fprintf(stderr, "ERROR: failed to run '%s': %s\n", cmd, strerror(errno));
			goto out;
		}
		opts.cpid = ch.pid;
		opts.has_cpid = true;
		ro.watch_pid = ch.pid;
		ro.on_attached = child_release;
		ro.ctx = &ch;
	} else if (opts.pid > 0) {
		ro.watch_pid = opts.pid; /* bpftrace ends when the -p process does */
	}
	/* --dry-run: what begin prints goes nowhere; nor the output of a quiet exporter */
	if (ro.metrics_addr && ro.quiet && !out_path)
		out_path = "/dev/null";
	if (out_path || ro.dry_run) {
		ro.out = fopen(ro.dry_run ? "/dev/null" : out_path, "w");
		if (!ro.out) {
			fprintf(stderr, "ERROR: Failed to open output file '%s': %s\n", out_path,
				strerror(errno));
			goto out;
		}
		setvbuf(ro.out, NULL, bufmode, BUFSIZ);
	}
	/* POSIX extended instead of ECMAScript: the same for the usual |, .*, [..], ^, $ */
	if (probe_filter) {
		int err = regcomp(&filter_re, probe_filter, REG_EXTENDED | REG_NOSUB);

		if (err) {
			char msg[256];

			regerror(err, &filter_re, msg, sizeof(msg));
			fprintf(stderr, "ERROR: Invalid --probe-filter regex '%s': %s\n",
				probe_filter, msg);
			goto out;
		}
		probes_set_filter(&filter_re);
		have_filter = true;
	}
	diag_init(&diag, file ? file : "stdin", src);
	diag.no_warnings = ro.no_warnings;
	if (opts.dialect == LANG_0_26 && diag_hold(&diag))
		goto out;
	c.diag = &diag;
	c.opts = &opts;
	c.prog = lang_parse(src, &diag);
	if (!c.prog || lang_imports(&c, file, &imports))
		goto out;
	if (probes_expand(&c) || diag.nerrors)
		goto out;
	/* only with --probe-filter: a program has at least one probe otherwise */
	if (!c.nattach) {
		if (!ro.quiet)
			printf("No probes to attach\n");
		goto out;
	}
	if (sema_run(&c) || diag.nerrors)
		goto out;
	if (options_check_named(&c))
		goto out;
	diag_release(&diag);
	ret = lang_run(&c, &ro);
out:
	diag_release(&diag);
	if (have_filter) {
		probes_set_filter(NULL);
		regfree(&filter_re);
	}
	if (ro.out)
		fclose(ro.out);
	child_finish(&ch);
	compiler_free(&c);
	lang_imports_free(&imports);
	free(opts.params);
	free(opts.named);
	free(src);
	return ret;
}
