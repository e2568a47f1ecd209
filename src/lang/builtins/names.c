// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers to names in BPF: strerror(e), signal_name(s), syscall_name(n) give a string[64]
 * (usable in comparisons and as map keys, as bpftrace 0.25/0.26 make them) from a table the
 * program carries: a switch over the known numbers, each case storing its text.
 *
 * Texts: strerror is the kernel's errno comment text in 0.26 (its UAPI headers, at build
 * time), glibc's strerror() in 0.17 (which resolved it with libc); signal_name is
 * strsignal()'s; syscall_name is the x86-64 table core/syscalls.c has.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/syscalls.h"
#include "lang/cg.h"

#define NAME_SIZE 64

static const struct errno_text {
	int nr;
	const char *text;
} kernel_errnos[] = {
#include "errno_texts.inc"
};

/* The name of number nr for builtin fn, NULL when it has none. */
static const char *name_of(const struct cg *g, const char *fn, int nr)
{
	if (!strcmp(fn, "syscall_name"))
		return syscall_name(nr);
	if (!strcmp(fn, "signal_name"))
		return nr > 0 && nr < SIGRTMIN ? strsignal(nr) : NULL;
	for (size_t i = 0; i < sizeof(kernel_errnos) / sizeof(kernel_errnos[0]); i++) {
		if (kernel_errnos[i].nr != nr)
			continue;
		if (g->c->opts->dialect == LANG_0_17)
			return strerror(nr);
		/* bpftrace joins EWOULDBLOCK's comment to EAGAIN's */
		return nr == EAGAIN ? "Try again (operation would block)" : kernel_errnos[i].text;
	}
	return NULL;
}

static int last_number(const char *fn)
{
	return !strcmp(fn, "syscall_name") ? 1024 : !strcmp(fn, "signal_name") ? SIGRTMIN : 512;
}

static int ck_name(struct compiler *c, struct node *n)
{
	if (sema_int_arg(c, n, "an integer"))
		return -EINVAL;
	sema_set_str(n, NAME_SIZE);
	return 0;
}

/* The text's bytes over a zeroed string: a case is as short as its text (4 bytes a store). */
static void store_name(struct cg *g, int dst, const char *s)
{
	size_t len = strnlen(s, NAME_SIZE - 1);

	cg_const_str(g, (uint32_t)dst, s, (uint32_t)len, (uint32_t)(len + 4) / 4 * 4);
}

static int em_name(struct cg *g, struct node *n, int dst)
{
	const char *fn = n->name, *s;
	int done = cg_label(g), pos = cg_label(g);
	int top = last_number(fn);
	int *labels = calloc((size_t)top, sizeof(*labels));

	if (!labels)
		return g->err = -ENOMEM;
	cg_zero(g, (uint32_t)dst, NAME_SIZE);
	cg_int(g, n->args);
	if (!strcmp(fn, "strerror")) {
		/* strerror(-ret) and strerror(ret) alike */
		cg_jmp_imm(g, BPF_JSGE, BPF_REG_0, 0, pos);
		cg_emit(g, INSN(BPF_ALU64 | BPF_NEG, BPF_REG_0, 0, 0, 0));
	}
	cg_bind(g, pos);
	for (int nr = 0; nr < top; nr++)
		if (name_of(g, fn, nr)) {
			labels[nr] = cg_label(g);
			cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, nr, labels[nr]);
		}
	store_name(g, dst,
		   !strcmp(fn, "syscall_name")	 ? "Unknown syscall"
		   : !strcmp(fn, "signal_name") ? "N/A"
						: "Unknown error");
	cg_ja(g, done);
	for (int nr = 0; nr < top; nr++)
		if (labels[nr] && (s = name_of(g, fn, nr))) {
			cg_bind(g, labels[nr]);
			store_name(g, dst, s);
			cg_ja(g, done);
		}
	cg_bind(g, done);
	free(labels);
	return 0;
}

const struct builtin builtins_names[] = {
	{"strerror", true, PTM_ALL, ck_name, em_name},
	{"signal_name", true, PTM_ALL, ck_name, em_name},
	{"syscall_name", true, PTM_ALL, ck_name, em_name},
	{NULL},
};
