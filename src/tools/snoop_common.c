// SPDX-License-Identifier: GPL-2.0
/* The run shared by the *snoop tools, and their option parsers (see snoop_common.h). */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "core/attach.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/out.h"
#include "core/usage.h"
#include "tools/snoop_common.h"

int snoop__init(struct snoop *s, bool verbose)
{
	int err;

	memset(s, 0, sizeof(*s));
	tk_stdout_linebuf();
	tk_libbpf_setup(verbose);
	err = loop__init(&s->loop);
	if (err) {
		tk_err("cannot set up the event loop: %s", strerror(-err));
		return err;
	}
	s->loop_ready = true;
	return 0;
}

/* "tracepoint/CAT/EV" or "tp/CAT/EV" -> CAT and EV; false for other sections. */
static bool tp_section(const char *sec, char *cat, size_t catlen, const char **ev)
{
	const char *p, *slash;

	if (strncmp(sec, "tracepoint/", 11) == 0)
		p = sec + 11;
	else if (strncmp(sec, "tp/", 3) == 0)
		p = sec + 3;
	else
		return false;
	slash = strchr(p, '/');
	if (!slash || (size_t)(slash - p) >= catlen)
		return false;
	memcpy(cat, p, slash - p);
	cat[slash - p] = '\0';
	*ev = slash + 1;
	return true;
}

int snoop__drop_missing(struct snoop *s, struct bpf_object *obj)
{
	char why[128], cat[64], path[PATH_MAX];
	struct bpf_program *prog;
	const char *tracefs, *ev;
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
		if (tp_section(bpf_program__section_name(prog), cat, sizeof(cat), &ev)) {
			snprintf(path, sizeof(path), "%s/events/%s/%s", tracefs, cat, ev);
			if (access(path, F_OK) != 0) {
				if (tk_verbose())
					tk_note("no tracepoint %s:%s here, not traced", cat, ev);
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

int snoop__attach(struct snoop *s, struct bpf_object *obj, snoop_event_fn fn, void *ctx)
{
	struct bpf_map *map;
	int err;

	s->as = attach_set__new();
	if (!s->as)
		return -ENOMEM;
	err = attach_set__attach_object(s->as, obj);
	if (err)
		return err;
	map = bpf_object__find_map_by_name(obj, "events");
	if (!map) {
		tk_err("internal error: no events ring buffer");
		return -ENOENT;
	}
	s->rb = ring_buffer__new(bpf_map__fd(map), fn, ctx, NULL);
	if (!s->rb) {
		err = -errno;
		tk_err("cannot open the ring buffer: %s", strerror(-err));
		return err;
	}
	err = loop__add_ringbuf(&s->loop, s->rb);
	if (err)
		tk_err("cannot poll the ring buffer: %s", strerror(-err));
	return err;
}

int snoop__run(struct snoop *s, uint64_t duration_ms, const volatile unsigned long long *lost)
{
	enum loop_reason why;
	int err;

	if (duration_ms) {
		err = loop__set_duration(&s->loop, duration_ms);
		if (err) {
			tk_err("cannot set the duration timer: %s", strerror(-err));
			return err;
		}
	}
	why = loop__run(&s->loop);
	/* Drain what arrived before we stopped, so the last events are not lost. */
	if (s->rb)
		ring_buffer__consume(s->rb);
	fflush(stdout);
	if (lost && *lost)
		tk_note("lost %llu events (ring buffer full)", (unsigned long long)*lost);
	return why == LOOP_ERROR ? -EIO : 0;
}

void snoop__fini(struct snoop *s)
{
	attach_set__destroy(s->as);
	s->as = NULL;
	ring_buffer__free(s->rb);
	s->rb = NULL;
	if (s->loop_ready)
		loop__close(&s->loop);
	s->loop_ready = false;
}

void snoop_json_ready(void)
{
	fprintf(stderr, "Tracing... Hit Ctrl-C to end.\n");
}

int snoop_load_error(const char *what, int err)
{
	tk_err("cannot %s the BPF programs: %s", what, attach_strerror(err));
	return 1;
}

int snoop_parse_pid(const struct usage *u, int opt, const char *s, uint32_t *pid)
{
	unsigned long v;
	int err = usage_parse_ulong(u, opt, s, 1, INT_MAX, &v);

	if (!err)
		*pid = v;
	return err;
}

int snoop_parse_uid(const struct usage *u, int opt, const char *s, uint32_t *uid)
{
	struct passwd *pw;
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!errno && end != s && !*end && s[0] != '-' && v < UINT32_MAX) {
		*uid = v;
		return 0;
	}
	pw = getpwnam(s);
	if (!pw) {
		usage_arg_error(u, opt, "invalid value: '%s' (not a uid or user name)", s);
		return -EINVAL;
	}
	*uid = pw->pw_uid;
	return 0;
}

const char *snoop_signal_name(int sig)
{
	const char *n = sig > 0 ? sigabbrev_np(sig) : NULL;

	return n ? n : "?";
}

int snoop_parse_signal(const struct usage *u, int opt, const char *s, int *sig)
{
	const char *given = s;
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!errno && end != s && !*end && s[0] != '-' && v < (unsigned long)SIGRTMAX + 1) {
		*sig = v;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *n = sigabbrev_np(i);

		if (n && strcasecmp(n, s) == 0) {
			*sig = i;
			return 0;
		}
	}
	usage_arg_error(u, opt, "invalid value: '%s' (not a signal number or name)", given);
	return -EINVAL;
}

uint64_t snoop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

double snoop_clock_rel(struct snoop_clock *c, uint64_t ts_ns)
{
	if (!c->start_ns)
		c->start_ns = ts_ns;
	if (ts_ns < c->start_ns)
		return 0;
	return (double)(ts_ns - c->start_ns) / 1e9;
}

const char *snoop_esc(char *buf, size_t len, const char *s, size_t n)
{
	return str_escape(buf, len, s, n);
}
