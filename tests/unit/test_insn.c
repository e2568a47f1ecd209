// SPDX-License-Identifier: GPL-2.0
/*
 * insn.c on hand-written byte sequences. The Go ones are copied from a go1.19.8 build
 * (objdump -d -M intel) so that the prologue shapes are the compiler's, not our guess.
 */
#include <errno.h>
#include <string.h>

#include "core/insn.h"
#include "unit.h"

#define BASE 0x480fe0ULL

/* main.small: `cmp rsp,[r14+0x10]; jbe +0x3a` ... 2 RETs ... morestack block, jmp back. */
static const uint8_t go_small[] = {
	0x49, 0x3b, 0x66, 0x10, 0x76, 0x34, 0x48, 0x83, 0xec, 0x10, 0x48, 0x89, 0x6c,
	0x24, 0x08, 0x48, 0x8d, 0x6c, 0x24, 0x08, 0x48, 0x85, 0xc0, 0x7f, 0x0c, 0x31,
	0xc0, 0x48, 0x8b, 0x6c, 0x24, 0x08, 0x48, 0x83, 0xc4, 0x10, 0xc3, 0x48, 0xff,
	0xc8, 0xe8, 0xd3, 0xff, 0xff, 0xff, 0x48, 0xff, 0xc0, 0x48, 0x8b, 0x6c, 0x24,
	0x08, 0x48, 0x83, 0xc4, 0x10, 0xc3, 0x48, 0x89, 0x44, 0x24, 0x08, 0x90, 0xe8,
	0x7b, 0x9e, 0xfd, 0xff, 0x48, 0x8b, 0x44, 0x24, 0x08, 0xeb, 0xb4,
};

/* main.(*Arith).Mul, a leaf: no stack check. */
static const uint8_t go_leaf[] = {0x48, 0x0f, 0xaf, 0xd9, 0x48, 0x89,
				  0x1f, 0x31, 0xc0, 0x31, 0xdb, 0xc3};

/* Copy a prologue into a 0x130-byte function: RET right after it, int3 up to the end. */
static size_t make_func(uint8_t *buf, const uint8_t *pro, size_t len)
{
	memset(buf, 0xcc, 0x130);
	memcpy(buf, pro, len);
	buf[len] = 0xc3;
	return 0x130;
}

static void test_mov_is_not_ret(void)
{
	/* 48 89 c3 is `mov rbx, rax`: a byte scan for c3 would find a RET at +2. */
	static const uint8_t code[] = {0x48, 0x89, 0xc3, 0xc3};
	struct func_layout l;

	CHECK(insn_func_layout(code, sizeof(code), 0x1000, false, &l) == 0);
	CHECK(l.nrets == 1);
	CHECK(l.ret_off[0] == 3);
	CHECK(!l.truncated);
	CHECK(l.entry_off == 0 && l.entry_cond == ENTRY_ALWAYS);
}

static void test_go_small_prologue(void)
{
	struct func_layout l;

	CHECK(insn_func_layout(go_small, sizeof(go_small), BASE, true, &l) == 0);
	CHECK(l.go_prologue);
	CHECK(l.entry_off == 4);
	CHECK(l.entry_cond == ENTRY_JBE_NOT_TAKEN);
	CHECK(l.body_off == 6);
	CHECK(l.nrets == 2);
	CHECK(l.ret_off[0] == 0x24 && l.ret_off[1] == 0x39);
	CHECK(l.ntail_jmps == 0); /* the jmp back to +0 stays inside */
	CHECK(!l.truncated);

	/* Not Go: the entry stays at +0 whatever the bytes look like. */
	CHECK(insn_func_layout(go_small, sizeof(go_small), BASE, false, &l) == 0);
	CHECK(!l.go_prologue && l.entry_off == 0 && l.entry_cond == ENTRY_ALWAYS);
	CHECK(l.body_off == 0 && l.nrets == 2);
}

static void test_go_leaf(void)
{
	struct func_layout l;

	CHECK(insn_func_layout(go_leaf, sizeof(go_leaf), 0x480fc0, true, &l) == 0);
	CHECK(!l.go_prologue);
	CHECK(l.entry_off == 0 && l.entry_cond == ENTRY_ALWAYS && l.body_off == 0);
	CHECK(l.nrets == 1 && l.ret_off[0] == 0xb);
}

static void test_go_large_frame(void)
{
	/* main.mid: lea r12,[rsp-0x198]; cmp r12,[r14+0x10]; jbe +0xac */
	static const uint8_t pro[] = {0x4c, 0x8d, 0xa4, 0x24, 0x68, 0xfe, 0xff, 0xff, 0x4d,
				      0x3b, 0x66, 0x10, 0x0f, 0x86, 0x9a, 0x00, 0x00, 0x00};
	uint8_t buf[0x130];
	size_t n = make_func(buf, pro, sizeof(pro));
	struct func_layout l;

	CHECK(insn_func_layout(buf, n, 0x481040, true, &l) == 0);
	CHECK(l.go_prologue);
	CHECK(l.entry_off == 0xc && l.entry_cond == ENTRY_JBE_NOT_TAKEN && l.body_off == 0x12);
	CHECK(l.nrets == 1 && l.ret_off[0] == 0x12);
}

static void test_go_huge_frame(void)
{
	/* main.huge: mov r12,rsp; sub r12,0x3e40; jb +0x10f; cmp r12,[r14+0x10]; jbe +0x10f */
	static const uint8_t pro[] = {0x49, 0x89, 0xe4, 0x49, 0x81, 0xec, 0x40, 0x3e, 0x00,
				      0x00, 0x0f, 0x82, 0xff, 0x00, 0x00, 0x00, 0x4d, 0x3b,
				      0x66, 0x10, 0x0f, 0x86, 0xf5, 0x00, 0x00, 0x00};
	uint8_t buf[0x130];
	size_t n = make_func(buf, pro, sizeof(pro));
	struct func_layout l;

	CHECK(insn_func_layout(buf, n, 0x481120, true, &l) == 0);
	CHECK(l.go_prologue);
	/* The probe goes on the final jbe, not on the underflow jb. */
	CHECK(l.entry_off == 0x14 && l.entry_cond == ENTRY_JBE_NOT_TAKEN && l.body_off == 0x1a);
}

static void test_reversed_compare(void)
{
	/* cmp [r14+0x10], rsp (39 /r) then jb: count when not taken. */
	static const uint8_t jb[] = {0x49, 0x39, 0x66, 0x10, 0x72, 0x20};
	/* same compare then jae: a form we cannot express, so probe the body. */
	static const uint8_t jae[] = {0x49, 0x39, 0x66, 0x10, 0x73, 0x20};
	uint8_t buf[0x130];
	struct func_layout l;

	CHECK(insn_func_layout(buf, make_func(buf, jb, sizeof(jb)), 0x1000, true, &l) == 0);
	CHECK(l.go_prologue && l.entry_off == 4 && l.entry_cond == ENTRY_JB_NOT_TAKEN);
	CHECK(l.body_off == 6);

	CHECK(insn_func_layout(buf, make_func(buf, jae, sizeof(jae)), 0x1000, true, &l) == 0);
	CHECK(l.go_prologue && l.entry_off == 6 && l.entry_cond == ENTRY_ALWAYS);
	CHECK(l.body_off == 6);
}

static void test_abi0_tls_g(void)
{
	/* mov rcx, fs:[-8]; cmp rsp, [rcx+0x10]; jbe +0x20 (Go < 1.17 / ABI0 code) */
	static const uint8_t pro[] = {0x64, 0x48, 0x8b, 0x0c, 0x25, 0xf8, 0xff, 0xff,
				      0xff, 0x48, 0x3b, 0x61, 0x10, 0x76, 0x20};
	uint8_t buf[0x130];
	struct func_layout l;

	CHECK(insn_func_layout(buf, make_func(buf, pro, sizeof(pro)), 0x1000, true, &l) == 0);
	CHECK(l.go_prologue && l.entry_off == 13 && l.entry_cond == ENTRY_JBE_NOT_TAKEN);
	CHECK(l.body_off == 15);
}

static void test_not_a_prologue(void)
{
	/* cmp rsp,[r14+0x10] but the jbe goes backwards: not the shape we know. */
	static const uint8_t back[] = {0x49, 0x3b, 0x66, 0x10, 0x76, 0xfa, 0xc3};
	/* cmp rsp,[rbx+0x10]: rbx is not g. */
	static const uint8_t notg[] = {0x48, 0x3b, 0x63, 0x10, 0x76, 0x01, 0xc3, 0xc3};
	/* cmp rsp,[r14+0x10]; jle: a signed test is not a stack check. */
	static const uint8_t jle[] = {0x49, 0x3b, 0x66, 0x10, 0x7e, 0x01, 0xc3, 0xc3};
	/* cmp rsp,[r14+0x10]; jbe; then bytes that do not decode: no body, no prologue. */
	static const uint8_t nobody[] = {0x49, 0x3b, 0x66, 0x10, 0x76, 0x02, 0x48, 0xff, 0xff};
	struct func_layout l;

	CHECK(insn_func_layout(jle, sizeof(jle), 0x1000, true, &l) == 0);
	CHECK(!l.go_prologue && l.entry_off == 0 && l.body_off == 0 && l.nrets == 2);
	CHECK(insn_func_layout(nobody, sizeof(nobody), 0x1000, true, &l) == 0);
	CHECK(!l.go_prologue && l.entry_off == 0 && l.entry_cond == ENTRY_ALWAYS && l.truncated);
	CHECK(insn_func_layout(back, sizeof(back), 0x1000, true, &l) == 0);
	CHECK(!l.go_prologue && l.entry_off == 0 && l.entry_cond == ENTRY_ALWAYS);
	CHECK(insn_func_layout(notg, sizeof(notg), 0x1000, true, &l) == 0);
	CHECK(!l.go_prologue && l.entry_off == 0 && l.nrets == 2);
}

static void test_ret_forms(void)
{
	/* ret 8; repz ret; retf is a far return (not a function exit we probe) */
	static const uint8_t code[] = {0xc2, 0x08, 0x00, 0xf3, 0xc3, 0xc3};
	struct func_layout l;

	CHECK(insn_func_layout(code, sizeof(code), 0x1000, false, &l) == 0);
	CHECK(l.nrets == 3);
	CHECK(l.ret_off[0] == 0 && l.ret_off[1] == 3 && l.ret_off[2] == 5);
}

static void test_tail_jumps(void)
{
	/* jmp rel32 outside; jmp [rip+0]; jne outside; jmp inside (+0); jmp rax (not counted) */
	static const uint8_t code[] = {
		0xe9, 0x00, 0x10, 0x00, 0x00,	    /* +0  jmp 0x2005 */
		0xff, 0x25, 0x00, 0x00, 0x00, 0x00, /* +5  jmp [rip] */
		0x0f, 0x85, 0x00, 0x20, 0x00, 0x00, /* +11 jne far */
		0xeb, 0xed,			    /* +17 jmp +0 */
		0xff, 0xe0,			    /* +19 jmp rax */
		0xc3,
	};
	struct func_layout l;

	CHECK(insn_func_layout(code, sizeof(code), 0x1000, false, &l) == 0);
	CHECK(l.ntail_jmps == 3);
	CHECK(l.nrets == 1 && l.ret_off[0] == 21);
}

static void test_bad_bytes(void)
{
	/* 0x06 (push es) does not exist in 64-bit mode. */
	static const uint8_t bad[] = {0x06, 0xc3};
	static const uint8_t late[] = {0xc3, 0x06, 0xc3};
	static const uint8_t cut[] = {0x90, 0x48, 0x8b}; /* mov cut short */
	struct func_layout l;

	CHECK(insn_func_layout(bad, sizeof(bad), 0x1000, true, &l) == -EINVAL);
	CHECK(insn_func_layout(late, sizeof(late), 0x1000, true, &l) == 0);
	CHECK(l.truncated && l.nrets == 1);
	CHECK(insn_func_layout(cut, sizeof(cut), 0x1000, true, &l) == 0);
	CHECK(l.truncated && l.nrets == 0);
	CHECK(insn_func_layout(bad, 0, 0x1000, true, &l) == -EINVAL);
}

static void test_too_many_rets(void)
{
	uint8_t code[FUNC_MAX_RETS + 6];
	struct func_layout l;

	memset(code, 0xc3, sizeof(code));
	CHECK(insn_func_layout(code, sizeof(code), 0x1000, false, &l) == 0);
	CHECK(l.nrets == FUNC_MAX_RETS && l.truncated);
	CHECK(l.ret_off[FUNC_MAX_RETS - 1] == FUNC_MAX_RETS - 1);
}

static void test_boundary(void)
{
	CHECK(insn_is_boundary(go_small, sizeof(go_small), BASE, 0));
	CHECK(insn_is_boundary(go_small, sizeof(go_small), BASE, 4));
	CHECK(!insn_is_boundary(go_small, sizeof(go_small), BASE, 5));
	CHECK(insn_is_boundary(go_small, sizeof(go_small), BASE, 6));
	CHECK(insn_is_boundary(go_small, sizeof(go_small), BASE, 0x24));
	CHECK(!insn_is_boundary(go_small, sizeof(go_small), BASE, 0x25 + 1));
	CHECK(insn_is_boundary(go_small, sizeof(go_small), BASE, sizeof(go_small) - 2));
	CHECK(!insn_is_boundary(go_small, sizeof(go_small), BASE, sizeof(go_small)));
}

static void test_uprobe_unsafe(void)
{
	/* runtime.gcWriteBarrierR8 starts with 49 90 = xchg r8, rax */
	static const uint8_t wb[] = {0x49, 0x90, 0xe8, 0x79, 0xfe, 0xff, 0xff, 0x49, 0x90, 0xc3};

	CHECK(insn_uprobe_unsafe(wb, sizeof(wb)));
	CHECK(insn_uprobe_unsafe((const uint8_t[]){0x41, 0x90}, 2));
	CHECK(insn_uprobe_unsafe((const uint8_t[]){0x4f, 0x90}, 2));
	CHECK(insn_uprobe_unsafe((const uint8_t[]){0x66, 0x41, 0x90}, 3));
	CHECK(insn_uprobe_unsafe((const uint8_t[]){0xf0, 0x66, 0x43, 0x90}, 4));
	CHECK(!insn_uprobe_unsafe((const uint8_t[]){0x90}, 1));
	CHECK(!insn_uprobe_unsafe((const uint8_t[]){0x66, 0x90}, 2));
	CHECK(!insn_uprobe_unsafe((const uint8_t[]){0xf3, 0x90}, 2));	    /* pause */
	CHECK(!insn_uprobe_unsafe((const uint8_t[]){0x48, 0x90}, 2));	    /* REX.W only */
	CHECK(!insn_uprobe_unsafe((const uint8_t[]){0x49, 0x91}, 2));	    /* xchg r9 is fine */
	CHECK(!insn_uprobe_unsafe((const uint8_t[]){0x49, 0x89, 0xe4}, 3)); /* mov r12,rsp */
	CHECK(!insn_uprobe_unsafe((const uint8_t[]){0x49}, 1));
	CHECK(!insn_uprobe_unsafe(go_small, sizeof(go_small)));

	/* refused by the kernel: LOCK and ES/CS/SS/DS prefixes, whatever follows */
	CHECK(insn_uprobe_refused((const uint8_t[]){0xf0, 0x20, 0x18, 0xc3}, 4)); /* lock and */
	CHECK(insn_uprobe_refused((const uint8_t[]){0x66, 0xf0, 0x0f, 0xb1, 0x0a}, 5));
	CHECK(insn_uprobe_refused((const uint8_t[]){0x3e, 0xff, 0xe0}, 3)); /* notrack jmp */
	CHECK(insn_uprobe_refused((const uint8_t[]){0x2e, 0x90}, 2));
	CHECK(!insn_uprobe_refused((const uint8_t[]){0x64, 0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0}, 9));
	CHECK(!insn_uprobe_refused((const uint8_t[]){0x49, 0x3b, 0x66, 0x10}, 4)); /* Go cmp */
	CHECK(!insn_uprobe_refused((const uint8_t[]){0x87, 0x18}, 2)); /* xchg: implicit lock */
}

UNIT_MAIN(test_mov_is_not_ret, test_go_small_prologue, test_go_leaf, test_go_large_frame,
	  test_go_huge_frame, test_reversed_compare, test_abi0_tls_g, test_not_a_prologue,
	  test_ret_forms, test_tail_jumps, test_bad_bytes, test_too_many_rets, test_boundary,
	  test_uprobe_unsafe)
