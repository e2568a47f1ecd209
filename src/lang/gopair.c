// SPDX-License-Identifier: GPL-2.0
/*
 * Entry/return pairing for Go uretprobes (which are uprobes on every RET, go-tracing.md §4):
 * a hidden entry program saves the registers under the tools' key, struct call_key
 * (process, goid, g.stack.hi - SP): the same at entry and at the RET, it survives stack
 * copying, separates recursive frames and keeps two processes of one binary apart (they
 * share goroutine ids and stack offsets). The RET program takes them back, so `args` works
 * in a Go uretprobe and reads the values the function was called with (e.g. *args.reply
 * after Mul filled it in). A RET with nothing saved is counted, never dropped in silence.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>


#include "core/insn.h"
#include "lang/cg.h"
#include "lang/gopair.h"

#define KEY_TGID offsetof(struct call_key, tgid)
#define KEY_GOID offsetof(struct call_key, id)
#define KEY_POS	 offsetof(struct call_key, pos)

/* heap[key_off] = struct call_key {tgid, 0, goid, stack.hi - SP}; uses R0-R5. */
static void emit_key(struct cg *g, uint32_t key_off, unsigned int goid_off)
{
	/* tgid and pad: the upper and lower halves of pid_tgid, the lower one zeroed */
	cg_call(g, BPF_FUNC_get_current_pid_tgid);
	cg_alu_imm(g, BPF_RSH, BPF_REG_0, 32);
	cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(key_off + KEY_TGID), BPF_REG_0);
	/* goid = *(u64 *)(R14 + goid_off), read into the key directly */
	cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_6, PR_R14);
	cg_alu_imm(g, BPF_ADD, BPF_REG_3, (int32_t)goid_off);
	cg_heap_ptr(g, BPF_REG_1, key_off + KEY_GOID);
	cg_mov_imm(g, BPF_REG_2, 8);
	cg_call(g, BPF_FUNC_probe_read_user);
	/* stack.hi = *(u64 *)(R14 + 8) */
	cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_6, PR_R14);
	cg_alu_imm(g, BPF_ADD, BPF_REG_3, 8);
	cg_heap_ptr(g, BPF_REG_1, key_off + KEY_POS);
	cg_mov_imm(g, BPF_REG_2, 8);
	cg_call(g, BPF_FUNC_probe_read_user);
	cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_9, (int16_t)(key_off + KEY_POS));
	cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_6, PR_SP);
	cg_alu_reg(g, BPF_SUB, BPF_REG_1, BPF_REG_2);
	cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(key_off + KEY_POS), BPF_REG_1);
}

int gopair_entry_program(struct attach_point *ap, const struct cg_maps *fds,
			 struct bpf_insn **out)
{
	struct cg g = {.ap = ap, .fds = fds};
	uint32_t key, val;
	int ret;

	cg_prologue(&g);
	/* the same not-taken-branch condition as entry probes (morestack re-entry) */
	cg_go_entry_check(&g);
	key = cg_heap_alloc(&g, GOPAIR_KEY_SIZE);
	val = cg_heap_alloc(&g, GOPAIR_REGS_SIZE);
	emit_key(&g, key, ap->up.goid_off);
	for (int i = 0; i < GOPAIR_REGS_SIZE; i += 8) {
		cg_ldx(&g, BPF_DW, BPF_REG_1, BPF_REG_6, (int16_t)i);
		cg_stx(&g, BPF_DW, BPF_REG_9, (int16_t)(val + i), BPF_REG_1);
	}
	cg_ld_map(&g, BPF_REG_1, ap->up.stash_fd);
	cg_heap_ptr(&g, BPF_REG_2, key);
	cg_heap_ptr(&g, BPF_REG_3, val);
	cg_mov_imm(&g, BPF_REG_4, BPF_ANY);
	cg_call(&g, BPF_FUNC_map_update_elem);
	ret = cg_epilogue(&g);
	free(g.insn_loc);
	if (ret) {
		free(g.insn);
		return ret;
	}
	*out = g.insn;
	return g.n;
}

void gopair_emit_fetch(struct cg *g, uint32_t saved_off)
{
	uint32_t key = cg_heap_alloc(g, GOPAIR_KEY_SIZE);
	int found = cg_label(g);

	emit_key(g, key, g->ap->up.goid_off);
	cg_map_lookup(g, g->ap->up.stash_fd, key);
	cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, found);
	/* no entry seen (in flight at attach, or evicted): counted, reported at exit */
	cg_count(g, LT_COUNTER_UNPAIRED);
	cg_ja(g, g->exit_label);
	cg_bind(g, found);
	for (int i = 0; i < GOPAIR_REGS_SIZE; i += 8) {
		cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_0, (int16_t)i);
		cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(saved_off + i), BPF_REG_1);
	}
	cg_ld_map(g, BPF_REG_1, g->ap->up.stash_fd);
	cg_heap_ptr(g, BPF_REG_2, key);
	cg_call(g, BPF_FUNC_map_delete_elem);
}
