// SPDX-License-Identifier: GPL-2.0
/*
 * USDT notes (see usdt.h). The note layout is systemtap's (sys/sdt.h, _SDT_NOTE_TYPE 3):
 * name "stapsdt", then three addresses (site, .stapsdt.base as linked, semaphore) and three
 * strings (provider, name, argument spec). Read from the file's bytes with every length
 * checked: the binary is not ours.
 */
#include <asm/ptrace.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/elf.h"
#include "core/probe.h"
#include "core/usdt.h"

#define NT_STAPSDT 3

/* x86-64 register names as gas writes them, each with its pt_regs slot. */
static const struct {
	const char *names[4]; /* 64, 32, 16, 8 bits */
	int off;
} x86_regs[] = {
	{{"rax", "eax", "ax", "al"}, offsetof(struct pt_regs, rax)},
	{{"rbx", "ebx", "bx", "bl"}, offsetof(struct pt_regs, rbx)},
	{{"rcx", "ecx", "cx", "cl"}, offsetof(struct pt_regs, rcx)},
	{{"rdx", "edx", "dx", "dl"}, offsetof(struct pt_regs, rdx)},
	{{"rsi", "esi", "si", "sil"}, offsetof(struct pt_regs, rsi)},
	{{"rdi", "edi", "di", "dil"}, offsetof(struct pt_regs, rdi)},
	{{"rbp", "ebp", "bp", "bpl"}, offsetof(struct pt_regs, rbp)},
	{{"rsp", "esp", "sp", "spl"}, offsetof(struct pt_regs, rsp)},
	{{"r8", "r8d", "r8w", "r8b"}, offsetof(struct pt_regs, r8)},
	{{"r9", "r9d", "r9w", "r9b"}, offsetof(struct pt_regs, r9)},
	{{"r10", "r10d", "r10w", "r10b"}, offsetof(struct pt_regs, r10)},
	{{"r11", "r11d", "r11w", "r11b"}, offsetof(struct pt_regs, r11)},
	{{"r12", "r12d", "r12w", "r12b"}, offsetof(struct pt_regs, r12)},
	{{"r13", "r13d", "r13w", "r13b"}, offsetof(struct pt_regs, r13)},
	{{"r14", "r14d", "r14w", "r14b"}, offsetof(struct pt_regs, r14)},
	{{"r15", "r15d", "r15w", "r15b"}, offsetof(struct pt_regs, r15)},
};

/* "%reg" at *s: its pt_regs offset, *s moved past it; -1 when unknown (rip, ah, ...). */
static int parse_reg(const char **s)
{
	const char *p = *s + 1;
	size_t len = 0;

	if (**s != '%')
		return -1;
	while (isalnum((unsigned char)p[len]))
		len++;
	for (size_t i = 0; i < sizeof(x86_regs) / sizeof(*x86_regs); i++)
		for (int k = 0; k < 4; k++)
			if (strlen(x86_regs[i].names[k]) == len &&
			    !strncmp(p, x86_regs[i].names[k], len)) {
				*s = p + len;
				return x86_regs[i].off;
			}
	return -1;
}

int usdt_arg_parse(const char *text, struct usdt_arg *a)
{
	const char *at = strchr(text, '@'), *p;
	char *end;
	long size;

	memset(a, 0, sizeof(*a));
	if (!at)
		return -EINVAL;
	size = strtol(text, &end, 10);
	if (end != at || !size)
		return -EINVAL;
	a->is_signed = size < 0;
	a->size = (int)(size < 0 ? -size : size);
	if (a->size != 1 && a->size != 2 && a->size != 4 && a->size != 8)
		return -EINVAL;
	p = at + 1;
	if (*p == '$') {
		errno = 0;
		a->kind = USDT_ARG_CONST;
		a->val = strtoll(p + 1, &end, 0);
		return errno || end == p + 1 || *end ? -EINVAL : 0;
	}
	if (*p == '%') {
		a->kind = USDT_ARG_REG;
		a->reg_off = parse_reg(&p);
		return a->reg_off < 0 || *p ? -EINVAL : 0;
	}
	/* disp(%reg); an index register (disp(%b,%i,s)) is not supported */
	a->kind = USDT_ARG_MEM;
	errno = 0;
	a->val = *p == '(' ? 0 : strtoll(p, &end, 0);
	if (*p != '(') {
		if (errno || end == p || *end != '(')
			return -EINVAL;
		p = end;
	}
	p++;
	a->reg_off = parse_reg(&p);
	return a->reg_off < 0 || strcmp(p, ")") ? -EINVAL : 0;
}

static int parse_args(struct usdt_probe *pr)
{
	char *spec = strdup(pr->argspec), *save = NULL;
	int cap = 0, ret = 0;

	if (!spec)
		return -ENOMEM;
	for (char *t = strtok_r(spec, " ", &save); t && !ret; t = strtok_r(NULL, " ", &save)) {
		if (pr->nargs == cap) {
			struct usdt_arg *na = realloc(pr->args, (cap ? cap * 2 : 4) * sizeof(*na));

			if (!na) {
				ret = -ENOMEM;
				break;
			}
			pr->args = na;
			cap = cap ? cap * 2 : 4;
		}
		if (usdt_arg_parse(t, &pr->args[pr->nargs])) {
			/* a form we cannot read (%rip-relative, an index register): the probe is
			 * still usable, its arguments are not */
			pr->nargs = -1;
			break;
		}
		pr->nargs++;
	}
	free(spec);
	return ret;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * One note's descriptor: site, base and semaphore addresses as linked, then three strings.
 * bias: the real .stapsdt.base minus the note's (prelink moves sections, not notes).
 */
static int note_probe(struct elf_file *ef, const uint8_t *d, size_t len, int64_t bias,
		      struct usdt_probe *pr)
{
	const char *s[3];
	size_t off = 24;
	uint64_t pc, sem;

	if (len < 24)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		const uint8_t *nul = off < len ? memchr(d + off, 0, len - off) : NULL;

		if (!nul)
			return -EINVAL;
		s[i] = (const char *)d + off;
		off = (size_t)(nul - d) + 1;
	}
	pc = get_u64(d) + (uint64_t)bias;
	sem = get_u64(d + 16);
	if (elf_file__vaddr_to_offset(ef, pc, &pr->pc_off))
		return -EINVAL;
	if (sem && elf_file__vaddr_to_offset(ef, sem + (uint64_t)bias, &pr->sem_off))
		return -EINVAL;
	pr->provider = strdup(s[0]);
	pr->name = strdup(s[1]);
	pr->argspec = strdup(s[2]);
	if (!pr->provider || !pr->name || !pr->argspec)
		return -ENOMEM;
	return parse_args(pr);
}

void usdt_probes_free(struct usdt_probe *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].provider);
		free(p[i].name);
		free(p[i].argspec);
		free(p[i].args);
	}
	free(p);
}

int usdt_probes_read(struct elf_file *ef, struct usdt_probe **out, size_t *n, char *err,
		     size_t errlen)
{
	size_t size, off = 0, cap = 0;
	uint64_t base = 0;
	const uint8_t *notes = elf_file__section(ef, ".note.stapsdt", NULL, &size);
	bool has_base = elf_file__section(ef, ".stapsdt.base", &base, NULL);
	struct usdt_probe *v = NULL;
	int ret = 0;

	*out = NULL;
	*n = 0;
	while (notes && size - off >= 12 && !ret) {
		uint32_t namesz, descsz, type;
		size_t name_off = off + 12, desc_off;

		memcpy(&namesz, notes + off, 4);
		memcpy(&descsz, notes + off + 4, 4);
		memcpy(&type, notes + off + 8, 4);
		desc_off = name_off + ((namesz + 3ULL) & ~3ULL);
		if (desc_off > size || descsz > size - desc_off) {
			ret = -EINVAL;
			break;
		}
		off = desc_off + ((descsz + 3ULL) & ~3ULL);
		if (off > size)
			off = size;
		if (type != NT_STAPSDT || namesz != 8 || memcmp(notes + name_off, "stapsdt", 8))
			continue;
		if (*n == cap) {
			struct usdt_probe *nv = realloc(v, (cap ? cap * 2 : 8) * sizeof(*nv));

			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
			cap = cap ? cap * 2 : 8;
		}
		memset(&v[*n], 0, sizeof(*v));
		ret = note_probe(ef, notes + desc_off, descsz,
				 has_base && descsz >= 16
					 ? (int64_t)(base - get_u64(notes + desc_off + 8))
					 : 0,
				 &v[*n]);
		(*n)++;
	}
	if (ret) {
		snprintf(err, errlen, "%s: %s", elf_file__path(ef),
			 ret == -ENOMEM ? strerror(ENOMEM) : "malformed USDT note (.note.stapsdt)");
		usdt_probes_free(v, *n);
		*n = 0;
		return ret;
	}
	*out = v;
	return 0;
}

int usdt_probes_of(const char *target, int pid, char **path, struct usdt_probe **out, size_t *n,
		   char *err, size_t errlen)
{
	struct probe_spec spec = {.kind = PROBE_UPROBE, .target = (char *)target, .pattern = "*"};
	struct target_set ts;
	struct elf_file *ef;
	int ret;

	*out = NULL;
	*n = 0;
	*path = NULL;
	/* the file lookup of uprobes; its function list is not needed */
	ret = target_resolve(&spec, pid, 0, &ts, err, errlen);
	if (ret)
		return ret;
	*path = strdup(ts.path);
	target_set__free(&ts);
	if (!*path)
		return -ENOMEM;
	ret = elf_file__open(*path, &ef);
	if (ret) {
		snprintf(err, errlen, "%s: %s", target,
			 ret == -ENOEXEC ? "not an x86-64 ELF file" : strerror(-ret));
	} else {
		ret = usdt_probes_read(ef, out, n, err, errlen);
		elf_file__close(ef);
	}
	if (ret) {
		free(*path);
		*path = NULL;
	}
	return ret;
}
