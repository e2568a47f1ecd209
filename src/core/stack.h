/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stack samples, symbolized once, for every stack output: bcc's text and folded lines, JSON
 * (stack_out.c), pprof (pprof.c) and the flame graph (flamegraph.c). profile, offcputime,
 * stackcount and wakeuptime fill one from their BPF maps; the renderers only read it.
 *
 * A sample is one stack with who ran it and its values, one per value type (pprof's
 * sample_type: "samples"/"count", "cpu"/"nanoseconds", "offcpu"/"nanoseconds"). Its frames
 * are locations, leaf first: the kernel's, then the user's. A location is one address,
 * symbolized into one or more lines: the innermost inlined function first and the function
 * that holds the address last, as in pprof's Location.line.
 *
 * Strings are interned: a uint32_t string id indexes strs[]; id 0 is "". Everything is
 * read-only to renderers, who walk the arrays directly.
 */
#ifndef TK_STACK_H
#define TK_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STACK_MAX_TYPES 4

struct stack_value_type {
	const char *type; /* "samples", "cpu", "offcpu", ... (static strings) */
	const char *unit; /* "count", "nanoseconds", "microseconds", "bytes" */
};

struct stack_line {
	uint32_t func; /* string id; never 0: an unknown function is "[unknown]" */
	uint32_t file; /* string id; 0: unknown */
	uint32_t line; /* 0: unknown */
};

struct stack_loc {
	uint64_t addr;	 /* the sampled ip (a leaf) or a return address (a caller) */
	uint32_t module; /* string id: the mapped file, "[kernel.kallsyms]", or 0 */
	uint32_t line0;	 /* lines[line0 .. line0 + nlines): innermost first */
	uint32_t nlines; /* >= 1 */
	bool kernel;
};

struct stack_sample {
	uint32_t pid;  /* process (tgid) */
	uint32_t tid;  /* thread; 0 when the tool does not key by thread */
	uint32_t comm; /* string id */
	uint32_t loc0; /* loc_ids[loc0 .. loc0 + nlocs): location indexes, leaf first */
	uint32_t nlocs;
	uint32_t nkernel;    /* the first nkernel locations are the kernel's */
	uint32_t val0;	     /* values[val0 .. val0 + ntypes) */
	uint32_t extra;	     /* string id of a tool's own column (wakeuptime's waker), or 0 */
	bool kernel_missing; /* the stack map had no room: "[Missed Kernel Stack]" */
	bool user_missing;   /* "[Missed User Stack]" */
};

struct stack_index;	 /* the interning tables, private to stack.c */
struct stack_symbolizer; /* address -> frames caches, private to stack_sym.c */

struct stack_profile {
	struct stack_value_type types[STACK_MAX_TYPES];
	unsigned int ntypes;
	/* pprof's period_type and period: e.g. "cpu"/"nanoseconds" and 10101010 at 99 Hz */
	struct stack_value_type period_type;
	int64_t period;
	uint64_t time_ns;     /* when collection started, CLOCK_REALTIME; 0: unknown */
	uint64_t duration_ns; /* how long it ran; 0: unknown */
	/* the name of the samples' extra column (wakeuptime's "waker"): a pprof label's key,
	 * a JSON key; NULL: "extra" (static string) */
	const char *extra_label;

	char **strs;
	size_t nstrs, strs_cap;
	struct stack_line *lines;
	size_t nlines, lines_cap;
	struct stack_loc *locs;
	size_t nlocs, locs_cap;
	uint32_t *loc_ids;
	size_t nloc_ids, loc_ids_cap;
	struct stack_sample *samples;
	size_t nsamples, samples_cap;
	int64_t *values;
	size_t nvalues, values_cap;

	struct stack_index *idx;
	struct stack_symbolizer *sym; /* created by the first stack_profile__add_raw() */
	bool sym_shared;	      /* sym is stack_profile__share_symbolizer()'s: not freed */
};

/* 0 or -ENOMEM. types: 1 to STACK_MAX_TYPES value types (the strings are not copied). */
int stack_profile__init(struct stack_profile *p, const struct stack_value_type *types,
			unsigned int ntypes);
void stack_profile__exit(struct stack_profile *p);

/* The string of id (never NULL). */
static inline const char *stack_profile__str(const struct stack_profile *p, uint32_t id)
{
	return id < p->nstrs ? p->strs[id] : "";
}
/* The id of s, interned: 0 for NULL or "". -ENOMEM as a negative value. */
int64_t stack_profile__intern(struct stack_profile *p, const char *s);

/* One frame already symbolized, for stack_profile__add_frames(). */
struct stack_frame {
	const char *func;   /* NULL: "[unknown]" */
	const char *file;   /* NULL: unknown */
	uint32_t line;	    /* 0: unknown */
	const char *module; /* NULL: unknown */
	uint64_t addr;
	bool kernel;
	/* This frame is inlined into the next one: both are lines of one location. */
	bool inlined;
};

/* Who ran a sample. */
struct stack_who {
	uint32_t pid, tid;
	const char *comm;
	const char *extra;		   /* a tool's own column, or NULL */
	bool kernel_missing, user_missing; /* as in struct stack_sample */
};

/*
 * Add a sample of already symbolized frames, leaf first: the kernel's (kernel set), then the
 * user's. Locations with the same address, module and lines are shared. values: ntypes of
 * them. 0 or -ENOMEM, -EINVAL (more than 64 lines in one location).
 */
int stack_profile__add_frames(struct stack_profile *p, const struct stack_who *who,
			      const struct stack_frame *frames, size_t nframes,
			      const int64_t *values);

/*
 * Add a sample as a BPF stack map gives it: addresses leaf first (a zero ends a list
 * early). Each address is symbolized once per process (user) or once (kernel): ELF symbols
 * or .gopclntab, with Go's inlined frames and file:line, through core/usym.c; kallsyms,
 * loaded on the first kernel address. A return address is looked up at addr - 1, so a call
 * at the end of a function (or of an inlined body) gets the call's line. missing: the stack
 * map had no room for that stack (who->kernel_missing, user_missing); the list is then empty.
 * 0 or -ENOMEM. (stack_sym.c)
 */
struct stack_raw {
	const uint64_t *kips, *uips;
	size_t nk, nu;
};
int stack_profile__add_raw(struct stack_profile *p, const struct stack_who *who,
			   const struct stack_raw *raw, const int64_t *values);

/*
 * Read pid's memory map now (usym_cache__remember()): a process that exits before the
 * profile is filled still gets its user frames. 0, -ESRCH, -ENOMEM.
 */
int stack_profile__remember_pid(struct stack_profile *p, int pid);

/*
 * A symbolizer of one's own, for a tool that fills one profile per interval (stackcount -i):
 * symbol tables read once, not once per profile. stack_profile__share_symbolizer() lends it
 * to a profile (which then does not free it); free it after the last profile.
 */
struct stack_symbolizer *stack_symbolizer__new(void);
int stack_symbolizer__remember_pid(struct stack_symbolizer *s, int pid);
void stack_profile__share_symbolizer(struct stack_profile *p, struct stack_symbolizer *s);
/* Free what stack_profile__add_raw() created (stack_profile__exit() calls it). */
void stack_symbolizer__free(struct stack_symbolizer *s);

/* The name a location's line shows: its function, or "[unknown]". */
static inline const char *stack_line_func(const struct stack_profile *p, const struct stack_line *l)
{
	return stack_profile__str(p, l->func);
}

#endif
