/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF code generation: an instruction buffer with labels, and the emitters the builtin
 * tables use. Conventions inside a generated program:
 *   R6 = ctx (pt_regs, tracepoint record, ...), R9 = per-CPU heap (a map value holding
 *   strings, keys, events and scratch variables at fixed offsets), R0 = integer results.
 *   Integer temporaries are spilled to the BPF stack; nothing lives in R1-R5 across calls.
 */
#ifndef TK_LANG_CG_H
#define TK_LANG_CG_H

#include <linux/bpf.h>
#include <stdint.h>

#include "lang/compile.h"

#define CG_HEAP_SIZE 16384
#define CG_MAX_LOOPS 16

/* pt_regs offsets (x86-64) */
enum {
	PR_R15 = 0,
	PR_R14 = 8,
	PR_R13 = 16,
	PR_R12 = 24,
	PR_BP = 32,
	PR_BX = 40,
	PR_R11 = 48,
	PR_R10 = 56,
	PR_R9 = 64,
	PR_R8 = 72,
	PR_AX = 80,
	PR_CX = 88,
	PR_DX = 96,
	PR_SI = 104,
	PR_DI = 112,
	PR_ORIG_AX = 120,
	PR_IP = 128,
	PR_CS = 136,
	PR_FLAGS = 144,
	PR_SP = 152,
	PR_SS = 160,
};

/* Per-CPU counters the runtime reports at exit (map cg_maps.counters). */
enum lt_counter {
	LT_COUNTER_LOST,     /* events the ring buffer had no room for */
	LT_COUNTER_UNPAIRED, /* Go returns with no saved entry (in flight at attach, evicted) */
	LT_COUNTERS,
};

struct cg_maps {
	int ringbuf, heap, counters, funcnames;
};

struct cg {
	struct compiler *c;
	struct probe *p;
	struct attach_point *ap;
	const struct cg_maps *fds;
	struct bpf_insn *insn;
	int n, cap;
	int *labels;
	int nlabels;
	struct {
		int at, label;
	} * fix;
	int nfix;
	int stack;	    /* bytes of spilled temporaries below the 8-byte scratch slots */
	uint32_t heap;	    /* next free heap byte */
	uint32_t heap_vars; /* end of the variables area */
	int brk[CG_MAX_LOOPS], cont[CG_MAX_LOOPS];
	int nloops;
	int exit_label;
	int err;
	uint64_t start_ns;    /* for `elapsed` */
	struct loc cur_loc;   /* statement being emitted */
	uint32_t saved_regs;  /* Go uretprobe: heap copy of the entry registers */
	struct loc *insn_loc; /* per instruction: its statement (for verifier errors) */
	struct cg_sub *subs;  /* callbacks emitted after the program (stmt.c, for-each-map) */
	int nsubs;
};

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

void cg_emit(struct cg *g, struct bpf_insn in);
int cg_label(struct cg *g);
void cg_bind(struct cg *g, int label);
/* Conditional jump to label: op is BPF_JEQ etc.; imm form */
void cg_jmp_imm(struct cg *g, int op, int reg, int32_t imm, int label);
void cg_jmp_reg(struct cg *g, int op, int dst, int src, int label);
void cg_ja(struct cg *g, int label);

void cg_mov_imm(struct cg *g, int reg, int32_t imm);
void cg_mov64(struct cg *g, int dst, int src);
void cg_ld_imm64(struct cg *g, int reg, uint64_t v);
void cg_ld_map(struct cg *g, int reg, int fd);
void cg_alu_imm(struct cg *g, int op, int reg, int32_t imm);
void cg_alu_reg(struct cg *g, int op, int dst, int src);
void cg_ldx(struct cg *g, int size, int dst, int src, int16_t off);
void cg_stx(struct cg *g, int size, int dst, int16_t off, int src);
void cg_st_imm(struct cg *g, int size, int dst, int16_t off, int32_t imm);
void cg_call(struct cg *g, int helper);
/* r = R9 + off */
void cg_heap_ptr(struct cg *g, int reg, uint32_t off);

/* Spill R0 to the stack / load the last spilled value into reg. */
void cg_push(struct cg *g);
void cg_pop(struct cg *g, int reg);

uint32_t cg_heap_alloc(struct cg *g, uint32_t size);
void cg_zero(struct cg *g, uint32_t off, uint32_t size);
void cg_copy(struct cg *g, uint32_t dst, uint32_t src, uint32_t size);
/* Store a constant string (zero padded to size) at heap off. */
void cg_const_str(struct cg *g, uint32_t off, const char *s, uint32_t len, uint32_t size);

/* Sign- or zero-extend R0 from an integer of size bytes (as a cast to that type does). */
void cg_extend(struct cg *g, int size, bool is_signed);

/* Expressions */
/* x op= e, x++, ++x, and x = e used as a value (then in R0 with want). */
int cg_update(struct cg *g, struct node *n, bool want);
/* @m[k] = agg(v) (builtins/maps.c). */
int cg_aggregate(struct cg *g, struct node *map, struct node *fn);
/* @m[k] = tseries(v, ...) (builtins/tseries.c). */
int cg_tseries(struct cg *g, struct node *map, struct node *fn);
int cg_int(struct cg *g, struct node *n);		  /* result in R0 */
int cg_value(struct cg *g, struct node *n, uint32_t off); /* any value at heap off */
bool cg_is_blob(const struct lt_type *t);
/* Build a map's key for the access node at heap off (returns off). */
uint32_t cg_map_key(struct cg *g, struct node *map);
/* R0 = lookup(map, key at off) */
void cg_map_lookup(struct cg *g, int map_fd, uint32_t key_off);
/* R0 = aggregate map m's value at the key at heap key_off, reduced over every CPU. */
void cg_agg_read(struct cg *g, const struct lt_map *m, uint32_t key_off);
/*
 * After an update of @m (map: its node) that returned R0: a full map's runtime warning,
 * when analysis asked for one (0.26). R0-R5 lost.
 */
/* R0 = how many elements map fd holds (len(@m); stmt.c: a callback that counts). */
void cg_map_len(struct cg *g, int fd);
/* R0 = lookup(map, the u32 key the caller stored at fp-8); uses R1, R2. */
void cg_map_lookup_stack(struct cg *g, int map_fd);
/* R0: a map value or NULL. Copy size bytes of it to heap off, or zero them when NULL. */
void cg_copy_value(struct cg *g, uint32_t off, uint32_t size);
/*
 * dst = the size (<= 8) bytes at the address in R3, read with helper (probe_read or
 * probe_read_user) through fp-8, zeroed first so that a failed read gives 0. Uses R0-R2.
 */
void cg_read(struct cg *g, int helper, int size, int dst);
/* r0 = how many width-byte elements at heap offset off (from r9) come before the first zero
 * one, of at most n (strlen, a stack's depth) */
void cg_count_nonzero(struct cg *g, uint32_t off, int width, uint32_t n);
/* R0 = 1 when the strings at heap a and b are equal in their first n bytes (or up to a NUL). */
void cg_str_equal(struct cg *g, uint32_t a, uint32_t b, uint32_t n);
/* dst = (src != 0), without a branch */
void cg_nonzero(struct cg *g, int dst, int src);
/* Print runtime warning fmt (sema_runtime_warning()) now, unless --no-warnings. R0-R5 lost. */
void cg_runtime_warning(struct cg *g, int fmt);
/*
 * After a call of helper (R0 its return): report a failure as bpftrace 0.26 does, at `at`
 * (NULL: the statement being made), when the warning level asks for it (rterr.c). A negative
 * return equal to `tolerated` is no failure (0: none is). R0 is kept unless it reports (a
 * failed lookup keeps its NULL); R1-R5 are lost.
 */
void cg_helper_check(struct cg *g, int helper, int tolerated, const struct loc *at);
/* $s[i]: R0 = byte i of string $s (0 past its end) */
int cg_str_index(struct cg *g, struct node *n);
/*
 * R0 = 0 when the bytes at ha + a equal the string at heap offset b up to b's NUL (within n
 * bytes), else nonzero; no branch. The NUL itself is compared unless `prefix` (a match of b
 * at the start of a). Uses R3-R5.
 */
void cg_str_diff(struct cg *g, int ha, int16_t a, uint32_t b, uint32_t n, bool prefix);
/* Past this many elements, string and stack scans are emitted without a branch per element. */
#define CG_BRANCHY_MAX 64
/* R0 = lookup(map, key at key_off), made first from val_size zero bytes at val_off if absent
 * (R0 NULL only if the map is full: reported at `at`, as cg_helper_check() does). */
void cg_map_lookup_or_init(struct cg *g, int map_fd, uint32_t key_off, uint32_t val_off,
			   uint32_t val_size, const struct loc *at);
/* Send the event at heap off with size bytes through the ring buffer (counts losses). */
void cg_output(struct cg *g, uint32_t off, uint32_t size);
/*
 * Go entry probes sit on the prologue's jump to morestack: go on only when it is not taken,
 * the rule of bpf/func_probe.h's entry_cond_met(), emitted. R6 = ctx; uses R0 and R1.
 */
void cg_go_entry_check(struct cg *g);
/* counters[which]++ on this CPU; uses R0-R2 and fp-8. */
void cg_count(struct cg *g, enum lt_counter which);
/* Return from the program (the verifier wants R0 set). */
void cg_return(struct cg *g);
/*
 * Every program's start: R6 = ctx, R9 = this CPU's heap (none: the program returns), and
 * g->exit_label made. Its end: the exit label, `return 0`, the jumps resolved and the label
 * tables freed; 0 or the first error.
 */
void cg_prologue(struct cg *g);
int cg_epilogue(struct cg *g);

/* Compile one program for attach point ap of probe p; returns insn count or -errno. */
int cg_program(struct compiler *c, struct probe *p, struct attach_point *ap, struct cg_maps *fds,
	       uint64_t start_ns, struct bpf_insn **out, struct loc **locs);

#endif
