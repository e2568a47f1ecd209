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
static const struct flag cloexec_flags[] = {{"FSOPEN_CLOEXEC", 1}, {NULL, 0}};
static const struct flag fsmount_flags[] = {{"FSMOUNT_CLOEXEC", 1}, {NULL, 0}};
static const struct flag attr_flags[] = {
	{"MOUNT_ATTR_RDONLY", 1},
	{"MOUNT_ATTR_NOSUID", 2},
	{"MOUNT_ATTR_NODEV", 4},
	{"MOUNT_ATTR_NOEXEC", 8},
	{"MOUNT_ATTR_NOATIME", 0x10},
	{"MOUNT_ATTR_STRICTATIME", 0x20},
	{"MOUNT_ATTR_NODIRATIME", 0x80},
	{"MOUNT_ATTR_IDMAP", 0x100000},
	{"MOUNT_ATTR_NOSYMFOLLOW", 0x200000},
	{NULL, 0},
};
static const struct flag move_flags[] = {
	{"MOVE_MOUNT_F_SYMLINKS", 1},
	{"MOVE_MOUNT_F_AUTOMOUNTS", 2},
	{"MOVE_MOUNT_F_EMPTY_PATH", 4},
	{"MOVE_MOUNT_T_SYMLINKS", 0x10},
	{"MOVE_MOUNT_T_AUTOMOUNTS", 0x20},
	{"MOVE_MOUNT_T_EMPTY_PATH", 0x40},
	{"MOVE_MOUNT_SET_GROUP", 0x100},
	{"MOVE_MOUNT_BENEATH", 0x200},
	{NULL, 0},
};
static const char *const fsconfig_cmds[] = {
	"FSCONFIG_SET_FLAG",   "FSCONFIG_SET_STRING",	   "FSCONFIG_SET_BINARY",
	"FSCONFIG_SET_PATH",   "FSCONFIG_SET_PATH_EMPTY",  "FSCONFIG_SET_FD",
	"FSCONFIG_CMD_CREATE", "FSCONFIG_CMD_RECONFIGURE", "FSCONFIG_CMD_CREATE_EXCL",
};

#define MS_MGC_VAL   0xc0ed0000UL
#define MS_MGC_MSK   0xffff0000UL
#define AT_FDCWD_VAL -100

/* How a call's arguments print, in its order: a string slot, or a raw argument shown as */
enum arg_kind { A_STR, A_INT, A_FLAGS, A_DFD, A_FSCMD };

struct arg {
	const char *name; /* its JSON key */
	enum arg_kind kind;
	int i; /* A_STR: the slot of e->str; else the index in e->args */
	const struct flag *flags;
};

static const struct call {
	const char *name;
	struct arg args[5];
} calls[] = {
	[MOUNTSNOOP_MOUNT] = {"mount",
			      {{"source", A_STR, 0},
			       {"target", A_STR, 1},
			       {"type", A_STR, 2},
			       {"flags", A_FLAGS, 3, mount_flags},
			       {"data", A_STR, 3}}},
	[MOUNTSNOOP_UMOUNT] = {"umount",
			       {{"target", A_STR, 0}, {"flags", A_FLAGS, 1, umount_flags}}},
	[MOUNTSNOOP_FSOPEN] = {"fsopen",
			       {{"fs_name", A_STR, 0}, {"flags", A_FLAGS, 1, cloexec_flags}}},
	[MOUNTSNOOP_FSCONFIG] = {"fsconfig",
				 {{"fd", A_INT, 0},
				  {"cmd", A_FSCMD, 1},
				  {"key", A_STR, 0},
				  {"value", A_STR, 1},
				  {"aux", A_INT, 4}}},
	[MOUNTSNOOP_FSMOUNT] = {"fsmount",
				{{"fs_fd", A_INT, 0},
				 {"flags", A_FLAGS, 1, fsmount_flags},
				 {"attr_flags", A_FLAGS, 2, attr_flags}}},
	[MOUNTSNOOP_MOVE_MOUNT] = {"move_mount",
				   {{"from_dfd", A_DFD, 0},
				    {"from_path", A_STR, 0},
				    {"to_dfd", A_DFD, 2},
				    {"to_path", A_STR, 1},
				    {"flags", A_FLAGS, 4, move_flags}}},
};

struct opts {
	bool timestamp, parent, json, verbose;
	uint32_t pid;
	struct metric_family *calls; /* --metrics */
};

/* bcc's flags: names joined by '|', the unknown rest (or 0 when none is set) as 0x.. */
static const char *flags_str(char *buf, size_t len, unsigned long flags, const struct flag *f)
{
	size_t pos = 0;

	buf[0] = '\0';
	if (f == mount_flags && (flags & MS_MGC_MSK) == MS_MGC_VAL) {
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

/* Argument a of e as the CALL column shows it (a string quoted and escaped), in buf */
static const char *arg_str(char *buf, size_t len, const struct mountsnoop_event *e,
			   const struct arg *a)
{
	char esc[MOUNTSNOOP_STR * 4];
	long v = a->kind == A_STR ? 0 : (long)e->args[a->i];

	switch (a->kind) {
	case A_STR:
		snprintf(buf, len, "\"%s\"",
			 str_escape(esc, sizeof(esc), e->str[a->i], MOUNTSNOOP_STR));
		break;
	case A_FLAGS:
		flags_str(buf, len, e->args[a->i], a->flags);
		break;
	case A_DFD:
		if ((int)v == AT_FDCWD_VAL)
			snprintf(buf, len, "AT_FDCWD");
		else
			snprintf(buf, len, "%d", (int)v);
		break;
	case A_FSCMD:
		if (v >= 0 && v < (long)(sizeof(fsconfig_cmds) / sizeof(fsconfig_cmds[0])))
			snprintf(buf, len, "%s", fsconfig_cmds[v]);
		else
			snprintf(buf, len, "%ld", v);
		break;
	default:
		snprintf(buf, len, "%d", (int)v);
	}
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

static void print_json(const struct mountsnoop_event *e, const struct call *c, const char *hms)
{
	printf("{\"time\":\"%s\",\"pid\":%u,\"tid\":%u,\"ppid\":%u,\"comm\":", hms, e->pid, e->tid,
	       e->ppid);
	json_strn(stdout, e->comm, sizeof(e->comm));
	printf(",\"pcomm\":");
	json_strn(stdout, e->pcomm, sizeof(e->pcomm));
	printf(",\"mnt_ns\":%u,\"call\":\"%s\"", e->mnt_ns, c->name);
	for (const struct arg *a = c->args; a < c->args + 5 && a->name; a++) {
		printf(",\"%s\":", a->name);
		if (a->kind == A_STR)
			json_strn(stdout, e->str[a->i], MOUNTSNOOP_STR);
		else if (a->kind == A_FLAGS)
			printf("%llu", (unsigned long long)e->args[a->i]);
		else
			printf("%d", (int)e->args[a->i]);
	}
	printf(",\"ret\":%d}\n", e->ret);
}

static int on_mount(void *ctx, void *data, size_t size)
{
	const struct opts *o = ctx;
	const struct mountsnoop_event *e = data;
	char comm[sizeof(e->comm) * 4 + 1], pcomm[sizeof(comm)], hms[16], ret[32];
	char text[MOUNTSNOOP_STR * 4 + 64];
	const struct call *c = e->op < sizeof(calls) / sizeof(calls[0]) ? &calls[e->op] : NULL;
	const char *v[] = {c ? c->name : "?", snoop_errno_label(ret, sizeof(ret), e->ret)};

	if (!c)
		return 0;
	snoop_metric_inc(o->calls, v);
	time_hms(hms, sizeof(hms));
	if (o->json) {
		print_json(e, c, hms);
		return 0;
	}
	if (o->timestamp)
		printf("%-8s ", hms);
	printf("%-16s %-7u %-7u ", str_escape(comm, sizeof(comm), e->comm, sizeof(e->comm)), e->pid,
	       e->tid);
	if (o->parent)
		printf("%-16s %-7u ", str_escape(pcomm, sizeof(pcomm), e->pcomm, sizeof(e->pcomm)),
		       e->ppid);
	printf("%-11u %s(", e->mnt_ns, c->name);
	for (const struct arg *a = c->args; a < c->args + 5 && a->name; a++)
		printf("%s%s", a == c->args ? "" : ", ", arg_str(text, sizeof(text), e, a));
	printf(") = %s\n", ret_str(ret, sizeof(ret), e->ret));
	return 0;
}

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "mountsnoop",
	.description = "trace mount() and umount() syscalls (and fsopen(), fsconfig(), fsmount(),\n"
		       "move_mount())",
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
