// SPDX-License-Identifier: GPL-2.0
/*
 * Raw stack addresses to frames (stack_profile__add_raw()): user addresses through
 * core/usym.c, inlined frames and file:line included; kernel ones through kallsyms, loaded
 * on the first kernel address. A profile repeats its hot addresses in thousands of stacks,
 * so each (process, address) is symbolized once and its frames kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ksym.h"
#include "core/stack.h"
#include "core/usym.h"
#include "core/vec.h"

#define MAX_FRAMES  127 /* a BPF stack map's deepest stack (PERF_MAX_STACK_DEPTH) */
#define MAX_INLINED 16	/* frames of one address: inlined calls and their holder */

struct sym_entry {
	uint64_t addr;
	uint32_t pid; /* 0 for a kernel address */
	uint32_t frame0, nframes;
};

struct stack_symbolizer {
	struct usym_cache *usyms;
	struct ksyms *ksyms;
	bool ksyms_tried;
	struct sym_entry *entries;
	size_t nentries, entries_cap;
	uint32_t *slots; /* entry index + 1; 0: empty */
	size_t slots_cap;
	struct stack_frame *frames;
	size_t nframes, frames_cap;
	struct stack_frame *sample; /* one sample's frames, made once for every add_raw() */
};

void stack_symbolizer__free(struct stack_symbolizer *s)
{
	if (!s)
		return;
	usym_cache__free(s->usyms);
	ksyms__free(s->ksyms);
	free(s->entries);
	free(s->slots);
	free(s->frames);
	free(s->sample);
	free(s);
}

static size_t slot_of(uint32_t pid, uint64_t addr, size_t cap)
{
	uint64_t h = (addr ^ ((uint64_t)pid << 47)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 20) & (cap - 1);
}

static int slots_grow(struct stack_symbolizer *s)
{
	size_t ncap = s->slots_cap ? s->slots_cap * 2 : 4096;
	uint32_t *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < s->nentries; i++) {
		size_t j = slot_of(s->entries[i].pid, s->entries[i].addr, ncap);

		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = (uint32_t)i + 1;
	}
	free(s->slots);
	s->slots = ns;
	s->slots_cap = ncap;
	return 0;
}

/* Symbolize one kernel address into s->frames (one frame: no lines without vmlinux DWARF). */
static void kernel_frame(struct stack_symbolizer *s, uint64_t addr, struct stack_frame *f)
{
	uint64_t off;

	if (!s->ksyms_tried) {
		s->ksyms = ksyms__load();
		s->ksyms_tried = true;
	}
	*f = (struct stack_frame){
		.func = s->ksyms ? ksyms__resolve(s->ksyms, addr, &off) : NULL,
		.module = "[kernel.kallsyms]",
		.addr = addr,
		.kernel = true,
	};
}

/*
 * Symbolize one user address. lookup: the address to look up (a return address minus one).
 * The frames go to f[0 .. ret), innermost first.
 */
static int user_frames(struct stack_symbolizer *s, uint32_t pid, uint64_t addr, uint64_t lookup,
		       struct stack_frame *f)
{
	struct usym_frame uf[MAX_INLINED];
	struct usym sym;
	int n;

	n = usym_cache__frames(s->usyms, (int)pid, lookup, uf, MAX_INLINED, &sym);
	if (n < 1) {
		/* -ENOENT, -ESRCH: still a frame, "[unknown]", with its module when known */
		f[0] = (struct stack_frame){.module = sym.module, .addr = addr};
		return 1;
	}
	for (int i = 0; i < n; i++)
		f[i] = (struct stack_frame){
			.func = uf[i].func,
			.file = uf[i].file,
			.line = uf[i].line,
			.module = sym.module,
			.addr = addr,
			.inlined = i + 1 < n,
		};
	return n;
}

/* The cached frames of (pid, addr), symbolized on first use: index into s->frames. */
static int frames_of(struct stack_symbolizer *s, uint32_t pid, uint64_t addr, bool leaf,
		     const struct sym_entry **out)
{
	struct stack_frame tmp[MAX_INLINED];
	struct sym_entry *e;
	size_t j;
	int n;

	if ((s->nentries + 1) * 2 > s->slots_cap && slots_grow(s))
		return -ENOMEM;
	for (j = slot_of(pid, addr, s->slots_cap); s->slots[j]; j = (j + 1) & (s->slots_cap - 1)) {
		e = &s->entries[s->slots[j] - 1];
		if (e->pid == pid && e->addr == addr) {
			*out = e;
			return 0;
		}
	}
	if (!pid) {
		kernel_frame(s, addr, tmp);
		n = 1;
	} else {
		/* A caller's frame holds a return address: its call is the byte before. */
		n = user_frames(s, pid, addr, leaf || !addr ? addr : addr - 1, tmp);
		if (n < 0)
			return n;
	}
	if (VEC_RESERVE(s->entries, s->entries_cap, s->nentries, 1) ||
	    VEC_RESERVE(s->frames, s->frames_cap, s->nframes, (size_t)n))
		return -ENOMEM;
	memcpy(&s->frames[s->nframes], tmp, (size_t)n * sizeof(*tmp));
	e = &s->entries[s->nentries];
	*e = (struct sym_entry){
		.addr = addr, .pid = pid, .frame0 = (uint32_t)s->nframes, .nframes = (uint32_t)n};
	s->nframes += (size_t)n;
	s->slots[j] = (uint32_t)++s->nentries;
	*out = e;
	return 0;
}

/*
 * Append the frames of ips[0 .. n) to out (leaf first). A kernel address's pid is 0: kernel
 * symbols are the same for every process. 0 or -ENOMEM.
 */
static int append_frames(struct stack_symbolizer *s, uint32_t pid, const uint64_t *ips, size_t n,
			 struct stack_frame *out, size_t *nout)
{
	for (size_t i = 0; i < n && ips[i]; i++) {
		const struct sym_entry *e;
		int err = frames_of(s, pid, ips[i], i == 0, &e);

		if (err)
			return err;
		if (*nout + e->nframes > MAX_FRAMES * MAX_INLINED)
			break;
		memcpy(&out[*nout], &s->frames[e->frame0], e->nframes * sizeof(*out));
		*nout += e->nframes;
	}
	return 0;
}

struct stack_symbolizer *stack_symbolizer__new(void)
{
	struct stack_symbolizer *s = calloc(1, sizeof(*s));

	if (s)
		s->usyms = usym_cache__new();
	if (s && !s->usyms) {
		free(s);
		s = NULL;
	}
	return s;
}

int stack_symbolizer__remember_pid(struct stack_symbolizer *s, int pid)
{
	return usym_cache__remember(s->usyms, pid);
}

void stack_profile__share_symbolizer(struct stack_profile *p, struct stack_symbolizer *s)
{
	if (!p->sym_shared)
		stack_symbolizer__free(p->sym);
	p->sym = s;
	p->sym_shared = true;
}

/* The profile's symbolizer, made on first use. */
static struct stack_symbolizer *symbolizer(struct stack_profile *p)
{
	if (!p->sym)
		p->sym = stack_symbolizer__new();
	return p->sym;
}

int stack_profile__remember_pid(struct stack_profile *p, int pid)
{
	struct stack_symbolizer *s = symbolizer(p);

	return s ? stack_symbolizer__remember_pid(s, pid) : -ENOMEM;
}

int stack_profile__add_raw(struct stack_profile *p, const struct stack_who *who,
			   const struct stack_raw *raw, const int64_t *values)
{
	struct stack_symbolizer *s = symbolizer(p);
	struct stack_frame *frames;
	size_t n = 0;
	int err;

	if (s && !s->sample)
		s->sample = malloc(sizeof(*s->sample) * MAX_FRAMES * MAX_INLINED);
	if (!s || !s->sample)
		return -ENOMEM;
	frames = s->sample;
	err = append_frames(p->sym, 0, raw->kips, raw->nk, frames, &n);
	if (!err)
		err = append_frames(p->sym, who->pid ? who->pid : UINT32_MAX, raw->uips, raw->nu,
				    frames, &n);
	if (!err)
		err = stack_profile__add_frames(p, who, frames, n, values);
	return err;
}
