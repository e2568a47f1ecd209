// SPDX-License-Identifier: GPL-2.0
/*
 * The current task's builtins: `curtask` (a `struct task_struct *`, btftypes.h) and what
 * bpftrace 0.26 derives from it: `ppid` and `pcomm` (curtask.real_parent's tgid and comm),
 * `leader_tid` and `leader_comm` (curtask.group_leader's pid and comm). Offsets come from
 * the running kernel's BTF when the program is compiled.
 */
#include <errno.h>
#include <string.h>

#include "core/kbtf.h"
#include "lang/btftypes.h"
#include "lang/cg.h"

/* The kernel's struct task_struct, whatever the script defines: 0 and *ref, or -ENOENT. */
static int task_struct(struct compiler *c, uint32_t *ref)
{
	uint32_t id;
	const struct kbtf *k = bt_btf(c, 0, &id);
	int tid = k ? kbtf__find(k, "task_struct", BTF_KIND_STRUCT, NULL) : -ENOENT;

	*ref = tid > 0 ? (uint32_t)tid : 0;
	return tid > 0 ? 0 : -ENOENT;
}

static int ck_curtask(struct compiler *c, struct node *n)
{
	uint32_t ref;

	if (bt_check_script(c))
		return -EINVAL;
	if (task_struct(c, &ref)) {
		sema_set_int(n, 8, false); /* no kernel BTF: a plain address */
		return 0;
	}
	bt_set_ptr(n, ref, 1);
	return 0;
}

static int em_curtask(struct cg *g, struct node *n, int dst)
{
	cg_call(g, BPF_FUNC_get_current_task);
	return 0;
}

/* builtin -> (task member holding a task pointer, member of that task) */
static const struct {
	const char *name, *task, *member;
} derived[] = {
	{"ppid", "real_parent", "tgid"},
	{"pcomm", "real_parent", "comm"},
	{"leader_tid", "group_leader", "pid"},
	{"leader_comm", "group_leader", "comm"},
};

/* k[0], k[1]: the two members' byte offsets; the value's type from the second. */
static int ck_derived(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	struct kbtf_member m1, m2;
	const struct kbtf *k;
	uint32_t ref, id;
	size_t i = 0;

	while (strcmp(derived[i].name, n->name))
		i++;
	if (c->opts->dialect == LANG_0_17)
		return sema_err(c, n->loc, "Unknown identifier: '%s'", n->name);
	if (!strcmp(derived[i].member, "comm"))
		sema_set_str(n, LT_COMM_SIZE);
	else
		sema_set_int(n, 4, false);
	if (c->opts->offline)
		return 0;
	if (task_struct(c, &ref) || !(k = bt_btf(c, ref, &id)) ||
	    kbtf__member_of(k, id, derived[i].task, &m1) ||
	    kbtf__member_of(k, id, derived[i].member, &m2))
		return sema_err(c, n->loc, "%s needs the kernel's BTF (struct task_struct)",
				n->name);
	s->k[0] = m1.bit_off / 8;
	s->k[1] = m2.bit_off / 8;
	return 0;
}

static int em_derived(struct cg *g, struct node *n, int dst)
{
	struct nsema *s = NS(n);

	cg_call(g, BPF_FUNC_get_current_task);
	cg_mov64(g, BPF_REG_3, BPF_REG_0);
	cg_alu_imm(g, BPF_ADD, BPF_REG_3, (int32_t)s->k[0]);
	cg_read(g, BPF_FUNC_probe_read_kernel, 8, BPF_REG_3);
	cg_alu_imm(g, BPF_ADD, BPF_REG_3, (int32_t)s->k[1]);
	if (s->t.kind == LT_STR) {
		cg_heap_ptr(g, BPF_REG_1, (uint32_t)dst);
		cg_mov_imm(g, BPF_REG_2, LT_COMM_SIZE);
		cg_call(g, BPF_FUNC_probe_read_kernel);
		return 0;
	}
	cg_read(g, BPF_FUNC_probe_read_kernel, 4, BPF_REG_0);
	return 0;
}

const struct builtin builtins_task[] = {
	{"curtask", false, PTM_ALL, ck_curtask, em_curtask},
	{"ppid", false, PTM_ALL, ck_derived, em_derived},
	{"pcomm", false, PTM_ALL, ck_derived, em_derived},
	{"leader_tid", false, PTM_ALL, ck_derived, em_derived},
	{"leader_comm", false, PTM_ALL, ck_derived, em_derived},
	{NULL},
};
