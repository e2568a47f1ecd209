// SPDX-License-Identifier: GPL-2.0
/*
 * Probe-context builtins: pid, tid, comm, nsecs, jiffies, ncpus, argN, retval, reg(), func,
 * probe, args, and the Go-aware ones (goid, gargN for Go's register ABI, sargN for the old
 * stack ABI).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "core/ksym.h"
#include "core/usdt.h"
#include "lang/cg.h"

static const int sysv_args[] = {PR_DI, PR_SI, PR_DX, PR_CX, PR_R8, PR_R9};
static const int go_args[] = {PR_AX, PR_BX, PR_CX, PR_DI, PR_SI, PR_R8, PR_R9, PR_R10, PR_R11};

static const struct {
	const char *name;
	int off;
} regs[] = {
	{"r15", PR_R15}, {"r14", PR_R14}, {"r13", PR_R13},     {"r12", PR_R12},
	{"bp", PR_BP},	 {"bx", PR_BX},	  {"r11", PR_R11},     {"r10", PR_R10},
	{"r9", PR_R9},	 {"r8", PR_R8},	  {"ax", PR_AX},       {"cx", PR_CX},
	{"dx", PR_DX},	 {"si", PR_SI},	  {"di", PR_DI},       {"orig_ax", PR_ORIG_AX},
	{"ip", PR_IP},	 {"cs", PR_CS},	  {"flags", PR_FLAGS}, {"sp", PR_SP},
	{"ss", PR_SS},
};

static int ck_u64(struct compiler *c, struct node *n)
{
	sema_set_int(n, 8, false);
	return 0;
}

static int ck_s64(struct compiler *c, struct node *n)
{
	sema_set_int(n, 8, true);
	return 0;
}

/*
 * 0.23/0.24: pid(curr_ns|init), tid(...), nsecs(boot|monotonic|tai|sw_tai). k[0] = 1 + the
 * mode's index in names, 0 when none is given.
 */
static int ck_mode(struct compiler *c, struct node *n, const char *const *names, int nnames)
{
	struct node *a = n->kind == N_CALL ? n->args : NULL;
	char list[64] = "";

	sema_set_int(n, 8, false);
	sema_info(n)->k[0] = 0;
	if (!a)
		return 0;
	for (int i = 0; i < nnames; i++)
		if (!a->next && a->kind == N_IDENT && !strcmp(a->name, names[i])) {
			sema_info(n)->k[0] = i + 1;
			return 0;
		}
	for (int i = 0; i < nnames; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? i == nnames - 1 ? " or " : ", " : "", names[i]);
	return sema_err(c, n->loc, "%s() expects %s as its only argument", n->name, list);
}

enum { PIDNS_CURR = 1, PIDNS_INIT };

/* The initial PID namespace's inode number (the kernel's include/linux/proc_ns.h). */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

static int ck_ids(struct compiler *c, struct node *n)
{
	static const char *const names[] = {"curr_ns", "init"};

	return ck_mode(c, n, names, 2);
}

/*
 * pid/tid in tracekit's own PID namespace (0.23's default): the plain helper when that is
 * the initial namespace (the usual case), else bpf_get_ns_current_pid_tgid(), which gives 0
 * for tasks outside it, as bpftrace's does. 1: emitted, 0: the plain helper will do.
 */
static int em_ids_ns(struct cg *g, struct node *n)
{
	struct stat st;

	if (g->c->opts->dialect == LANG_0_17 || NS(n)->k[0] == PIDNS_INIT)
		return 0;
	if (stat("/proc/self/ns/pid", &st))
		return g->err = -errno;
	if (st.st_ino == PROC_PID_INIT_INO)
		return 0;
	cg_ld_imm64(g, BPF_REG_1, (uint64_t)st.st_dev);
	cg_ld_imm64(g, BPF_REG_2, (uint64_t)st.st_ino);
	cg_mov64(g, BPF_REG_3, BPF_REG_10);
	cg_alu_imm(g, BPF_ADD, BPF_REG_3, -8);
	cg_mov_imm(g, BPF_REG_4, sizeof(struct bpf_pidns_info));
	cg_call(g, BPF_FUNC_get_ns_current_pid_tgid);
	cg_ldx(g, BPF_W, BPF_REG_0, BPF_REG_10,
	       (int16_t)(-8 + (!strcmp(n->name, "pid") ? offsetof(struct bpf_pidns_info, tgid)
						       : offsetof(struct bpf_pidns_info, pid))));
	return 1;
}

/* pid and tid, gid and uid: the upper and the lower half of one helper's u64. */
static int em_ids(struct cg *g, struct node *n, int dst)
{
	bool pid_tgid = !strcmp(n->name, "pid") || !strcmp(n->name, "tid");
	int ns = pid_tgid ? em_ids_ns(g, n) : 0;

	if (ns)
		return ns < 0 ? ns : 0;
	cg_call(g, pid_tgid ? BPF_FUNC_get_current_pid_tgid : BPF_FUNC_get_current_uid_gid);
	if (!strcmp(n->name, "pid") || !strcmp(n->name, "gid"))
		cg_alu_imm(g, BPF_RSH, BPF_REG_0, 32);
	else
		cg_emit(g, INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 0, 0, 0)); /* w0 = w0 */
	return 0;
}

enum { NS_BOOT = 1, NS_MONOTONIC, NS_TAI, NS_SW_TAI };

static int ck_nsecs(struct compiler *c, struct node *n)
{
	static const char *const names[] = {"boot", "monotonic", "tai", "sw_tai"};

	return ck_mode(c, n, names, 4);
}

/* *off = ns of clock a minus ns of clock b, now; 0 or -errno */
static int clock_offset(clockid_t a, clockid_t b, int64_t *off)
{
	struct timespec ta, tb;

	if (clock_gettime(a, &ta) || clock_gettime(b, &tb))
		return -errno;
	*off = (ta.tv_sec - tb.tv_sec) * 1000000000LL + (ta.tv_nsec - tb.tv_nsec);
	return 0;
}

/*
 * nsecs: monotonic in 0.17, the boot clock (suspend included) since 0.19; sw_tai is the boot
 * clock plus TAI's offset from it, taken once here, as bpftrace takes it at its start.
 */
static int em_nsecs(struct cg *g, struct node *n, int dst)
{
	int mode = (int)NS(n)->k[0];
	int64_t off = 0;
	int err = mode == NS_SW_TAI ? clock_offset(CLOCK_TAI, CLOCK_BOOTTIME, &off) : 0;

	if (err)
		return g->err = err;
	if (!mode)
		mode = g->c->opts->dialect == LANG_0_17 ? NS_MONOTONIC : NS_BOOT;
	cg_call(g, mode == NS_MONOTONIC ? BPF_FUNC_ktime_get_ns
		   : mode == NS_TAI	? BPF_FUNC_ktime_get_tai_ns
					: BPF_FUNC_ktime_get_boot_ns);
	if (mode == NS_SW_TAI) {
		cg_ld_imm64(g, BPF_REG_1, (uint64_t)off);
		cg_alu_reg(g, BPF_ADD, BPF_REG_0, BPF_REG_1);
	}
	return 0;
}

static int em_simple(struct cg *g, struct node *n, int dst)
{
	if (!strcmp(n->name, "cpu"))
		cg_call(g, BPF_FUNC_get_smp_processor_id);
	else if (!strcmp(n->name, "rand"))
		cg_call(g, BPF_FUNC_get_prandom_u32);
	else if (!strcmp(n->name, "cgroup"))
		cg_call(g, BPF_FUNC_get_current_cgroup_id);
	else if (!strcmp(n->name, "elapsed")) {
		cg_call(g, BPF_FUNC_ktime_get_ns);
		cg_ld_imm64(g, BPF_REG_1, g->start_ns);
		cg_alu_reg(g, BPF_SUB, BPF_REG_0, BPF_REG_1);
	} else if (!strcmp(n->name, "jiffies"))
		cg_call(g, BPF_FUNC_jiffies64);
	else if (!strcmp(n->name, "numaid"))
		cg_call(g, BPF_FUNC_get_numa_node_id);
	else if (!strcmp(n->name, "username")) {
		cg_call(g, BPF_FUNC_get_current_uid_gid);
		/* the uid: the lower half (a 32-bit move zero-extends) */
		cg_emit(g, INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 0, 0, 0));
	}
	return 0;
}

/* username: the uid, printed as its user's name (fmt_sym.c). */
static int ck_username(struct compiler *c, struct node *n)
{
	sema_set_int(n, 8, false);
	sema_info(n)->t.resolve = LT_RES_USERNAME;
	return 0;
}

/*
 * cgroup_path(id[, filter]): the id, printed as its cgroup2 path (fmt_sym.c). Only cgroup2
 * ids exist to BPF, so a filter other than "unified" hierarchies matches nothing there.
 */
static int ck_cgroup_path(struct compiler *c, struct node *n)
{
	int na = (int)node_count(n->args);

	if (na < 1 || na > 2)
		return sema_err(c, n->loc, "cgroup_path() requires 1 or 2 arguments (%d provided)",
				na);
	if (sema_expr(c, n->args) || !lt_is_int(&NS(n->args)->t) || NS(n->args)->ext)
		return sema_err(c, n->args->loc, "cgroup_path() expects an integer cgroup id");
	if (na == 2 && n->args->next->kind != N_STR)
		return sema_err(c, n->args->next->loc,
				"cgroup_path() expects a string literal as its filter");
	sema_set_int(n, 8, false);
	sema_info(n)->t.resolve = LT_RES_CGROUP_PATH;
	return 0;
}

static int em_cgroup_path(struct cg *g, struct node *n, int dst)
{
	return cg_int(g, n->args);
}

/* usermode (0.24, x86-64): 1 when the probe interrupted user code (the CPL in cs is 3). */
static int ck_usermode(struct compiler *c, struct node *n)
{
	sema_set_int(n, 1, false);
	return 0;
}

static int em_usermode(struct cg *g, struct node *n, int dst)
{
	cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_6, PR_CS);
	cg_alu_imm(g, BPF_AND, BPF_REG_0, 3);
	/* CPL 3 -> 1, CPL 0 -> 0 */
	cg_alu_imm(g, BPF_RSH, BPF_REG_0, 1);
	return 0;
}

/* probetype (0.25): the probe's provider, "special" for begin and end. */
#define PROBETYPE_SIZE 16

static int ck_probetype(struct compiler *c, struct node *n)
{
	sema_set_str(n, PROBETYPE_SIZE);
	return 0;
}

static int em_probetype(struct cg *g, struct node *n, int dst)
{
	enum probe_type t = g->ap->type;
	const char *name = t == PT_BEGIN || t == PT_END ? "special" : probe_type_name(t);

	cg_const_str(g, (uint32_t)dst, name, (uint32_t)strnlen(name, PROBETYPE_SIZE - 1),
		     PROBETYPE_SIZE);
	return 0;
}

/* has_cpid (0.25): whether -c gave a child; known when the program is made. */
static int ck_has_cpid(struct compiler *c, struct node *n)
{
	sema_set_bool(c, n);
	return 0;
}

static int em_has_cpid(struct cg *g, struct node *n, int dst)
{
	cg_mov_imm(g, BPF_REG_0, g->c->opts->has_cpid);
	return 0;
}

/* ncpus: the possible CPUs, as bpftrace counts them, known when the program is made. */
static int em_ncpus(struct cg *g, struct node *n, int dst)
{
	int ncpus = libbpf_num_possible_cpus();

	if (ncpus < 0)
		return g->err = ncpus;
	cg_mov_imm(g, BPF_REG_0, ncpus);
	return 0;
}

/* 0.24's literals true and false: bools */
static int ck_bool_lit(struct compiler *c, struct node *n)
{
	sema_set_bool(c, n);
	return 0;
}

static int em_bool_lit(struct cg *g, struct node *n, int dst)
{
	cg_mov_imm(g, BPF_REG_0, !strcmp(n->name, "true"));
	return 0;
}

/*
 * cpid without -c: 0.17's compile error; 0.25 on, zero and a warning each time it is read
 * (a warnf without a place: fmt k[0]).
 */
static int ck_cpid(struct compiler *c, struct node *n)
{
	if (!c->opts->has_cpid && c->opts->dialect == LANG_0_17)
		return sema_err(c, n->loc, "cpid cannot be used without child command");
	if (!c->opts->has_cpid)
		sema_info(n)->k[0] = 1 + fmt_add(c, "No child command (`-c`); cpid is zero", NULL, 0);
	return ck_u64(c, n);
}

static int em_cpid(struct cg *g, struct node *n, int dst)
{
	if (NS(n)->k[0] && !g->c->diag->no_warnings) {
		uint32_t off = cg_heap_alloc(g, 8);

		cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)off, LT_EV_WARNF);
		cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + 4), (int32_t)NS(n)->k[0] - 1);
		cg_output(g, off, 8);
	}
	cg_mov_imm(g, BPF_REG_0, g->c->opts->cpid);
	return 0;
}

/*
 * comm, and 0.25's comm(pid): another process's command. bpftrace reads that through a kfunc
 * that uprobe and tracepoint programs cannot call; here the pid travels and its command is
 * read from /proc when printed (LT_RES_PID_COMM), so it prints but does not compare.
 */
static int ck_comm(struct compiler *c, struct node *n)
{
	if (n->kind == N_CALL && n->args) {
		if (sema_int_arg(c, n, "a pid"))
			return -EINVAL;
		sema_set_int(n, 8, false);
		sema_info(n)->t.resolve = LT_RES_PID_COMM;
		return 0;
	}
	sema_set_str(n, LT_COMM_SIZE);
	return 0;
}

static int em_comm(struct cg *g, struct node *n, int dst)
{
	if (n->kind == N_CALL && n->args)
		return cg_int(g, n->args);
	cg_heap_ptr(g, BPF_REG_1, (uint32_t)dst);
	cg_mov_imm(g, BPF_REG_2, LT_COMM_SIZE);
	cg_call(g, BPF_FUNC_get_current_comm);
	return 0;
}

/* argN of a usdt probe: each of its sites' notes must describe that many arguments */
static int ck_usdt_arg(struct compiler *c, struct node *n, int i)
{
	for (int a = 0; a < c->cur->naps && !c->opts->offline; a++) {
		const struct attach_point *ap = &c->cur->aps[a];
		int nargs = ap->up.usdt_nargs;

		if (ap->type != PT_USDT)
			continue;
		if (nargs < 0)
			return sema_err(c, n->loc, "%s: cannot read the USDT note of %s", n->name,
					ap->probe_name);
		if (i >= nargs)
			return sema_err(c, n->loc, "%s: %s has %d argument%s", n->name,
					ap->probe_name, nargs, nargs == 1 ? "" : "s");
	}
	sema_info(n)->k[0] = i;
	return ck_s64(c, n);
}

static int ck_arg(struct compiler *c, struct node *n)
{
	int i = builtin_arg_index(n->name, "arg");

	if (c->cur->types & PTM(PT_USDT))
		return ck_usdt_arg(c, n, i);
	if (i > 5)
		return sema_err(c, n->loc,
				"%s is not available on x86-64: only arg0-arg5 are in registers",
				n->name);
	if (c->cur->types & PTM(PT_URETPROBE))
		return sema_err(c, n->loc, "The %s builtin can not be used with 'uretprobe' probes",
				n->name);
	sema_info(n)->k[0] = i;
	return ck_u64(c, n);
}

/* argN at a USDT site: where its note says the value is, cut to its size and sign */
static int em_usdt_arg(struct cg *g, int i)
{
	const struct usdt_arg *a;

	if (i >= g->ap->up.usdt_nargs)
		return -EINVAL; /* checked by ck_usdt_arg() */
	a = &g->ap->up.usdt_args[i];
	if (a->kind == USDT_ARG_CONST) {
		cg_ld_imm64(g, BPF_REG_0, (uint64_t)a->val);
		return 0;
	}
	if (a->kind == USDT_ARG_REG) {
		cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_6, (int16_t)a->reg_off);
	} else {
		cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_6, (int16_t)a->reg_off);
		cg_alu_imm(g, BPF_ADD, BPF_REG_3, (int32_t)a->val);
		cg_read(g, BPF_FUNC_probe_read_user, a->size, BPF_REG_0);
	}
	if (a->size < 8) {
		cg_alu_imm(g, BPF_LSH, BPF_REG_0, 64 - 8 * a->size);
		cg_alu_imm(g, a->is_signed ? BPF_ARSH : BPF_RSH, BPF_REG_0, 64 - 8 * a->size);
	}
	return 0;
}

static int em_arg(struct cg *g, struct node *n, int dst)
{
	int i = (int)NS(n)->k[0];

	if (g->ap->type == PT_USDT)
		return em_usdt_arg(g, i);
	if (g->p->type == PT_RAWTP) {
		cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_6, (int16_t)(8 * i));
		return 0;
	}
	cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_6, (int16_t)sysv_args[i]);
	return 0;
}

static int ck_garg(struct compiler *c, struct node *n)
{
	int i = builtin_arg_index(n->name, "garg");

	if (i > 8)
		return sema_err(
			c, n->loc,
			"%s: Go passes at most 9 integer arguments in registers (garg0-garg8)",
			n->name);
	sema_info(n)->k[0] = i;
	return ck_s64(c, n);
}

static int em_garg(struct cg *g, struct node *n, int dst)
{
	cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_6, (int16_t)go_args[NS(n)->k[0]]);
	return 0;
}

static int ck_sarg(struct compiler *c, struct node *n)
{
	if (c->opts->dialect == LANG_0_26) {
		/* 0.25 removed them (bpftrace-0.26.md 2.10); the hint follows the excerpt */
		sema_err(c, n->loc,
			 "sarg* is deleted. This was deprecated in v0.21 and was last available in "
			 "v0.24.");
		if (!c->quiet)
			fprintf(c->diag->out,
				"HINT: Use *(reg(\"sp\") + <stack_offset>) instead.\n");
		return -EINVAL;
	}
	sema_info(n)->k[0] = builtin_arg_index(n->name, "sarg");
	return ck_u64(c, n);
}

/* Read the u64 at user address R1 + off into R0. */
static void read_user_u64(struct cg *g, int16_t off)
{
	cg_mov64(g, BPF_REG_3, BPF_REG_1);
	if (off)
		cg_alu_imm(g, BPF_ADD, BPF_REG_3, off);
	cg_read(g, BPF_FUNC_probe_read_user, 8, BPF_REG_0);
}

static int em_sarg(struct cg *g, struct node *n, int dst)
{
	cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_6, PR_SP);
	read_user_u64(g, (int16_t)(8 * (NS(n)->k[0] + 1)));
	return 0;
}

static int ck_retval(struct compiler *c, struct node *n)
{
	return ck_u64(c, n);
}

static int em_retval(struct cg *g, struct node *n, int dst)
{
	cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_6, PR_AX);
	return 0;
}

/*
 * gretval: every result of a Go function at its RET, as a tuple (retval stays RAX, as in
 * bpftrace). It is written as the tuple of the results by name, (args.r0, args.err), so the
 * results are read, typed and printed as args.NAME reads them (goargs.c).
 */
static int ck_gretval(struct compiler *c, struct node *n)
{
	const struct attach_point *ap = c->cur && c->cur->naps ? &c->cur->aps[0] : NULL;
	struct node *list = NULL;

	if (!ap || !ap->up.is_go)
		return sema_err(c, n->loc,
				"gretval needs a uretprobe on a Go function (use retval elsewhere)");
	for (int i = 0; i < ap->up.nparams; i++) {
		struct node *f, *args;

		if (!ap->up.params[i].is_result)
			continue;
		f = node_new(N_FIELD, n->loc);
		args = node_new(N_IDENT, n->loc);
		f->name = strdup(ap->up.params[i].name);
		args->name = strdup("args");
		if (!f->name || !args->name)
			abort();
		f->a = args;
		node_append(&list, f);
	}
	if (!list)
		return sema_err(c, n->loc, "gretval: %s returns nothing (or its DWARF says nothing)",
				ap->up.nfuncs ? ap->up.func_names[0] : ap->probe_name);
	n->kind = N_TUPLE;
	n->args = list;
	return sema_expr(c, n);
}

static int ck_reg(struct compiler *c, struct node *n)
{
	struct node *a = n->args;

	if (node_count(a) != 1 || a->kind != N_STR)
		return sema_err(c, n->loc, "reg() expects a string literal as argument");
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (!strcmp(a->name, regs[i].name)) {
			sema_info(n)->k[0] = regs[i].off;
			return ck_u64(c, n);
		}
	return sema_err(c, a->loc, "'%s' is not a valid register", a->name);
}

static int em_reg(struct cg *g, struct node *n, int dst)
{
	int16_t off = (int16_t)NS(n)->k[0];

	/* perf_event programs: struct bpf_perf_event_data starts with pt_regs too */
	cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_6, off);
	return 0;
}

static int ck_func(struct compiler *c, struct node *n)
{
	sema_set_str(n, LT_STR_DEFAULT);
	return 0;
}

/* func: the matched function's name, from the funcnames array (index = probe index). */
static int em_func(struct cg *g, struct node *n, int dst)
{
	struct attach_point *ap = g->ap;

	if (ap_is_uprobe(ap) && ap->up.nfuncs == 1) {
		const char *f = ap->up.func_names[0];
		size_t len = strlen(f);

		cg_const_str(g, (uint32_t)dst, f,
			     len < LT_STR_DEFAULT ? (uint32_t)len : LT_STR_DEFAULT - 1,
			     LT_STR_DEFAULT);
		return 0;
	}
	cg_mov64(g, BPF_REG_1, BPF_REG_6);
	cg_call(g, BPF_FUNC_get_attach_cookie);
	cg_stx(g, BPF_W, BPF_REG_10, -8, BPF_REG_0);
	cg_map_lookup_stack(g, g->fds->funcnames);
	cg_copy_value(g, (uint32_t)dst, LT_STR_DEFAULT);
	return 0;
}

static int ck_probe(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);

	s->t.kind = LT_PROBE;
	return 0;
}

static int em_probe(struct cg *g, struct node *n, int dst)
{
	size_t nfuncs = ap_is_uprobe(g->ap) ? g->ap->up.nfuncs : 0;

	if (nfuncs > 1) {
		cg_mov64(g, BPF_REG_1, BPF_REG_6);
		cg_call(g, BPF_FUNC_get_attach_cookie);
		cg_emit(g, INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 0, 0, 0));
		return 0;
	}
	cg_mov_imm(g, BPF_REG_0,
		   nfuncs == 1 ? (int32_t)COOKIE_IDX(g->ap->up.sites.cookies[0])
				      : (int32_t)g->ap->probe_index);
	return 0;
}

/* (name = args.name) for args_record() */
static void add_member(struct node **list, const char *fname, struct loc loc)
{
	struct node *as = node_new(N_ASSIGN, loc), *name = node_new(N_IDENT, loc);
	struct node *field = node_new(N_FIELD, loc), *base = node_new(N_IDENT, loc);

	name->name = strdup(fname);
	field->name = strdup(fname);
	base->name = strdup("args");
	if (!name->name || !field->name || !base->name)
		abort();
	field->a = base;
	as->a = name;
	as->b = field;
	node_append(list, as);
}

/*
 * `args` as a value (0.26: `print(args)`, `@a = args`): the record (name = args.name, ...) of
 * a tracepoint's fields without the common_ ones, or of a function's parameters from DWARF
 * (a uretprobe's results are gretval's), as bpftrace's args struct.
 */
static int args_record(struct compiler *c, struct node *n)
{
	const struct attach_point *ap = &c->cur->aps[0];
	struct node *list = NULL;

	if (ap_is_tracepoint(ap)) {
		for (int i = 0; i < ap->tp.fmt.nfields; i++)
			if (strncmp(ap->tp.fmt.fields[i].name, "common_", 7))
				add_member(&list, ap->tp.fmt.fields[i].name, n->loc);
	} else {
		for (int i = 0; i < ap->up.nparams; i++)
			if (!ap->up.params[i].is_result)
				add_member(&list, ap->up.params[i].name, n->loc);
	}
	if (!list)
		return sema_err(c, n->loc, "args of %s has no members to make a value of",
				ap->probe_name);
	n->kind = N_RECORD;
	n->args = list;
	return sema_expr(c, n);
}

static int ck_args(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);

	if (n->op != '.' && c->opts->dialect == LANG_0_26 && c->cur->naps && !c->opts->offline &&
	    (c->cur->type == PT_TRACEPOINT || (ap_is_uprobe(&c->cur->aps[0]) &&
					       c->cur->aps[0].up.nparams)))
		return args_record(c, n);

	if (!(c->cur->types & (PTM(PT_TRACEPOINT) | PTM(PT_UPROBE) | PTM(PT_URETPROBE))))
		return sema_err(c, n->loc,
				"The args builtin can only be used with tracepoint/uprobe probes");
	for (int i = 0; i < c->cur->naps && !c->opts->offline; i++)
		if (c->cur->aps[i].type == PT_URETPROBE && !c->cur->aps[i].up.is_go)
			return sema_err(c, n->loc,
					"args in a uretprobe needs a Go target (its arguments are "
					"saved at entry, keyed by goroutine)");
	s->ext = VX_ARGS;
	return 0;
}

static int em_none(struct cg *g, struct node *n, int dst)
{
	return 0;
}

/* kaddr("symbol"): a kernel symbol's address, known when the program is made. */
static int ck_kaddr(struct compiler *c, struct node *n)
{
	uint64_t addr = 0;

	if (sema_nargs(c, n, 1))
		return -EINVAL;
	if (n->args->kind != N_STR)
		return sema_err(c, n->args->loc, "kaddr() expects a string literal");
	if (!c->opts->offline && ksym_addr(n->args->name, &addr))
		return sema_err(c, n->loc, "Could not resolve symbol: %s", n->args->name);
	sema_set_int(n, 8, false);
	sema_info(n)->k[0] = (int64_t)addr;
	return 0;
}

/* A constant known when the program is made, in k[0]: a C enumerator written by name
 * (sema_expr.c's enum_const(); no one can spell "$enum"), kaddr()'s address. */
static int em_enum_const(struct cg *g, struct node *n, int dst)
{
	cg_ld_imm64(g, BPF_REG_0, (uint64_t)NS(n)->k[0]);
	return 0;
}

/* goid: the current goroutine's id, *(R14 + goid offset) (Go register ABI). */
static int ck_goid(struct compiler *c, struct node *n)
{
	for (int i = 0; i < c->cur->naps; i++)
		if (!c->opts->offline &&
		    (!ap_is_uprobe(&c->cur->aps[i]) || !c->cur->aps[i].up.is_go))
			return sema_err(c, n->loc, "goid needs a Go program (%s is not one)",
					ap_is_uprobe(&c->cur->aps[i]) && c->cur->aps[i].up.display
						? c->cur->aps[i].up.display
						: "target");
	return ck_u64(c, n);
}

static int em_goid(struct cg *g, struct node *n, int dst)
{
	cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_6, PR_R14);
	read_user_u64(g, (int16_t)(g->ap->up.goid_off ? g->ap->up.goid_off : 0x98));
	return 0;
}

#define P_ALL PTM_ALL
#define P_UP  PTM_UPROBES
#define P_NOBEGIN                                                                                  \
	(PTM_ALL & ~(PTM(PT_BEGIN) | PTM(PT_END) | PTM(PT_INTERVAL) | PTM(PT_TRACEPOINT) |         \
		     PTM(PT_PROFILE) | PTM(PT_SOFTWARE) | PTM(PT_RAWTP)))

const struct builtin builtins_context[] = {
	{"pid", false, P_ALL, ck_ids, em_ids},
	{"tid", false, P_ALL, ck_ids, em_ids},
	{"uid", false, P_ALL, ck_u64, em_ids},
	{"gid", false, P_ALL, ck_u64, em_ids},
	{"nsecs", false, P_ALL, ck_nsecs, em_nsecs},
	{"elapsed", false, P_ALL, ck_u64, em_simple},
	{"cpu", false, P_ALL, ck_u64, em_simple},
	{"rand", false, P_ALL, ck_u64, em_simple},
	{"cgroup", false, P_ALL, ck_u64, em_simple},
	{"cpid", false, P_ALL, ck_cpid, em_cpid},
	{"has_cpid", false, P_ALL, ck_has_cpid, em_has_cpid},
	{"numaid", false, P_ALL, ck_u64, em_simple},
	{"username", false, P_ALL, ck_username, em_simple},
	{"usermode", false, PTM_REGS, ck_usermode, em_usermode},
	{"probetype", false, P_ALL, ck_probetype, em_probetype},
	{"cgroup_path", true, P_ALL, ck_cgroup_path, em_cgroup_path},
	{"jiffies", false, P_ALL, ck_u64, em_simple},
	{"ncpus", false, P_ALL, ck_u64, em_ncpus},
	{"true", false, P_ALL, ck_bool_lit, em_bool_lit},
	{"false", false, P_ALL, ck_bool_lit, em_bool_lit},
	{"comm", false, P_ALL, ck_comm, em_comm},
	{"arg", false, P_UP | PTM(PT_KPROBE) | PTM(PT_RAWTP) | PTM(PT_USDT), ck_arg, em_arg},
	{"sarg", false, P_UP, ck_sarg, em_sarg},
	{"garg", false, P_UP, ck_garg, em_garg},
	{"retval", false, PTM(PT_URETPROBE) | PTM(PT_KRETPROBE), ck_retval, em_retval},
	{"gretval", false, PTM(PT_URETPROBE), ck_gretval, NULL},
	{"$enum", false, P_ALL, NULL, em_enum_const},
	{"kaddr", true, P_ALL, ck_kaddr, em_enum_const},
	{"reg", true, PTM_REGS, ck_reg, em_reg},
	{"func", false, P_UP | PTM(PT_KPROBE) | PTM(PT_KRETPROBE), ck_func, em_func},
	{"probe", false, P_ALL, ck_probe, em_probe},
	{"args", false, P_ALL, ck_args, em_none},
	{"goid", false, P_UP, ck_goid, em_goid},
	{NULL},
};
