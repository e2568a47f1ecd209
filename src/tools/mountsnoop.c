// SPDX-License-Identifier: GPL-2.0
/* mountsnoop: trace mount() and umount() syscalls, with bcc's columns and call format. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bpf/mountsnoop.h"
#include "core/out.h"
#include "mountsnoop.skel.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(mountsnoop);

struct flag {
	const char *name;
	unsigned long bit;
};

/* sys/mount.h's MS_* and umount2()'s flags, in bcc's order */
static const struct flag mount_flags[] = {
	{"MS_RDONLY", 1},
	{"MS_NOSUID", 2},
	{"MS_NODEV", 4},
	{"MS_NOEXEC", 8},
	{"MS_SYNCHRONOUS", 16},
	{"MS_REMOUNT", 32},
	{"MS_MANDLOCK", 64},
	{"MS_DIRSYNC", 128},
	{"MS_NOATIME", 1024},
	{"MS_NODIRATIME", 2048},
	{"MS_BIND", 4096},
	{"MS_MOVE", 8192},
	{"MS_REC", 16384},
	{"MS_SILENT", 32768},
	{"MS_POSIXACL", 1 << 16},
	{"MS_UNBINDABLE", 1 << 17},
	{"MS_PRIVATE", 1 << 18},
	{"MS_SLAVE", 1 << 19},
	{"MS_SHARED", 1 << 20},
	{"MS_RELATIME", 1 << 21},
	{"MS_KERNMOUNT", 1 << 22},
	{"MS_I_VERSION", 1 << 23},
	{"MS_STRICTATIME", 1 << 24},
	{"MS_LAZYTIME", 1 << 25},
	{"MS_ACTIVE", 1UL << 30},
	{"MS_NOUSER", 1UL << 31},
	{NULL, 0},
};
static const struct flag umount_flags[] = {
	{"MNT_FORCE", 1}, {"MNT_DETACH", 2}, {"MNT_EXPIRE", 4}, {"UMOUNT_NOFOLLOW", 8}, {NULL, 0},
};

#define MS_MGC_VAL 0xc0ed0000UL
#define MS_MGC_MSK 0xffff0000UL

struct opts {
	bool timestamp, parent, json, verbose;
	uint32_t pid;
	struct metric_family *calls; /* --metrics */
};

/* bcc's flags: names joined by '|', the unknown rest (or 0 when none is set) as 0x.. */
static const char *flags_str(char *buf, size_t len, unsigned long flags, bool mount)
{
	const struct flag *f = mount ? mount_flags : umount_flags;
	size_t pos = 0;

	buf[0] = '\0';
	if (mount && (flags & MS_MGC_MSK) == MS_MGC_VAL) {
		flags &= ~MS_MGC_MSK;
		pos += snprintf(buf + pos, len - pos, "MS_MGC_VAL");
	}
	for (; f->name && pos < len; f++) {
		if (!(flags & f->bit))
			continue;
		pos += snprintf(buf + pos, len - pos, "%s%s", pos ? "|" : "", f->name);
		flags &= ~f->bit;
	}
	if ((flags || !pos) && pos < len)
		snprintf(buf + pos, len - pos, "%s0x%lx", pos ? "|" : "", flags);
	return buf;
}

/* A string argument as bcc shows it: quoted, escaped */
static const char *quoted(char *buf, size_t len, const char *s)
{
	char esc[MOUNTSNOOP_STR * 4];

	snprintf(buf, len, "\"%s\"", str_escape(esc, sizeof(esc), s, MOUNTSNOOP_STR));
	return buf;
}

/* "0", or "-ENOENT" */
static const char *ret_str(char *buf, size_t len, int ret)
{
	const char *name = ret < 0 ? strerrorname_np(-ret) : NULL;

	if (name)
		snprintf(buf, len, "-%s", name);
	else
		snprintf(buf, len, "%d", ret);
	return buf;
}

static void print_json(const struct mountsnoop_event *e, const char *hms)
{
	bool m = e->op == MOUNTSNOOP_MOUNT;

	printf("{\"time\":\"%s\",\"pid\":%u,\"tid\":%u,\"ppid\":%u,\"comm\":", hms, e->pid, e->tid,
	       e->ppid);
	json_strn(stdout, e->comm, sizeof(e->comm));
	printf(",\"pcomm\":");
	json_strn(stdout, e->pcomm, sizeof(e->pcomm));
	printf(",\"mnt_ns\":%u,\"call\":\"%s\"", e->mnt_ns, m ? "mount" : "umount");
	if (m) {
		printf(",\"source\":");
		json_strn(stdout, e->source, sizeof(e->source));
		printf(",\"type\":");
		json_strn(stdout, e->type, sizeof(e->type));
		printf(",\"data\":");
		json_strn(stdout, e->data, sizeof(e->data));
	}
	printf(",\"target\":");
	json_strn(stdout, e->target, sizeof(e->target));
	printf(",\"flags\":%llu,\"ret\":%d}\n", (unsigned long long)e->flags, e->ret);
}

static int on_mount(void *ctx, void *data, size_t size)
{
	const struct opts *o = ctx;
	const struct mountsnoop_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1], pcomm[sizeof(comm)], hms[16], ret[32], flags[512];
	char src[MOUNTSNOOP_STR * 4 + 3], tgt[sizeof(src)], type[sizeof(src)], dat[sizeof(src)];
	bool m = e->op == MOUNTSNOOP_MOUNT;
	const char *v[] = {m ? "mount" : "umount", snoop_errno_label(ret, sizeof(ret), e->ret)};

	snoop_metric_inc(o->calls, v);
	time_hms(hms, sizeof(hms));
	if (o->json) {
		print_json(e, hms);
		return 0;
	}
	if (o->timestamp)
		printf("%-8s ", hms);
	printf("%-16s %-7u %-7u ", str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm)), e->pid,
	       e->tid);
	if (o->parent)
		printf("%-16s %-7u ", str_escape(pcomm, sizeof(pcomm), e->pcomm, sizeof(e->pcomm)),
		       e->ppid);
	printf("%-11u ", e->mnt_ns);
	flags_str(flags, sizeof(flags), e->flags, m);
	ret_str(ret, sizeof(ret), e->ret);
	if (m)
		printf("mount(%s, %s, %s, %s, %s) = %s\n", quoted(src, sizeof(src), e->source),
		       quoted(tgt, sizeof(tgt), e->target), quoted(type, sizeof(type), e->type),
		       flags, quoted(dat, sizeof(dat), e->data), ret);
	else
		printf("umount(%s, %s) = %s\n", quoted(tgt, sizeof(tgt), e->target), flags, ret);
	return 0;
}

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "mountsnoop",
	.description = "trace mount() and umount() syscalls",
	.opts = TOOL_OPTS(TOOL_OPT_PID_ONLY(OPT(pid), "filter_tgid"),
			  {'t', "timestamp", NULL, "include timestamp on output", TOOL_OPT_FLAG,
			   OPT(timestamp)},
			  {'P', "parent_process", NULL, "also print the parent's comm and PID",
			   TOOL_OPT_FLAG, OPT(parent)},
			  SNOOP_OPTS_JSON_VERBOSE(struct opts)),
	.examples = "    mountsnoop         # trace mount() and umount() system-wide\n"
		    "    mountsnoop -t      # include timestamps\n"
		    "    mountsnoop -P      # include the parent's comm and PID\n"
		    "    mountsnoop -p 1216 # only trace PID 1216\n",
};

static void print_columns(void *ctx)
{
	const struct opts *o = ctx;

	if (o->timestamp)
		printf("%-8s ", "TIME");
	printf("%-16s %-7s %-7s ", "COMM", "PID", "TID");
	if (o->parent)
		printf("%-16s %-7s ", "PCOMM", "PPID");
	printf("%-11s %s\n", "MNT_NS", "CALL");
}

SNOOP_METRIC_HOOK(mount_metrics, struct opts, calls, "tracekit_mountsnoop_calls", METRIC_COUNTER,
		  "mount() and umount() calls traced, by call and errno (0: done) (mountsnoop)", 0,
		  "call", "errno");

static int mountsnoop_main(int argc, char **argv)
{
	struct opts o = {};
	struct tool_run run = {.skel = &mountsnoop_tool_skel,
			       .ctx = &o,
			       TOOL_EVENTS(on_mount, struct mountsnoop_event),
			       .header = print_columns,
			       .metrics = mount_metrics};

	return tool_main(&cli, &o, &run, argc, argv);
}

TOOL_REGISTER(mountsnoop, mountsnoop_main, "trace mount() and umount() syscalls (bcc mountsnoop)",
	      &cli);
