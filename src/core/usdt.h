/* SPDX-License-Identifier: GPL-2.0 */
/*
 * USDT probes (systemtap's <sys/sdt.h>): the NT_STAPSDT notes of .note.stapsdt, each a
 * probe site, its semaphore and its argument spec ("-4@%edi 8@-8(%rbp) -4@$5"), turned into
 * file offsets the kernel's uprobes take and argument locations a BPF program can read.
 */
#ifndef TK_USDT_H
#define TK_USDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_file;

enum usdt_arg_kind {
	USDT_ARG_CONST, /* $N: the value itself */
	USDT_ARG_REG,	/* %reg: the register (its low size bytes) */
	USDT_ARG_MEM,	/* disp(%reg): size bytes of user memory at reg + disp */
};

struct usdt_arg {
	enum usdt_arg_kind kind;
	int size; /* 1, 2, 4 or 8 bytes */
	bool is_signed;
	int reg_off; /* REG, MEM: the register's byte offset in struct pt_regs */
	int64_t val; /* CONST: the value; MEM: the displacement */
};

struct usdt_probe {
	char *provider, *name;
	uint64_t pc_off;  /* file offset of the site */
	uint64_t sem_off; /* file offset of the semaphore (the kernel's ref_ctr_offset); 0: none */
	char *argspec;	  /* as the note has it */
	struct usdt_arg *args;
	int nargs; /* -1: the spec has a form usdt_arg_parse() does not read */
};

/*
 * Every USDT probe of the ELF file ef, in note order. 0 (also with none), -EINVAL with err
 * set when a note is malformed, -ENOMEM.
 */
int usdt_probes_read(struct elf_file *ef, struct usdt_probe **out, size_t *n, char *err,
		     size_t errlen);
void usdt_probes_free(struct usdt_probe *p, size_t n);

/*
 * The probes of the file target names: a path (with pid > 0 as that process sees it) or a
 * library name, found as uprobes find theirs (target_resolve()). *path: the file opened.
 * Errors as usdt_probes_read() and target_resolve(), err set.
 */
int usdt_probes_of(const char *target, int pid, char **path, struct usdt_probe **out, size_t *n,
		   char *err, size_t errlen);

/* One x86-64 argument spec ("-4@%eax", "8@-8(%rbp)", "-4@$5"); -EINVAL when not understood. */
int usdt_arg_parse(const char *text, struct usdt_arg *a);

#endif
