/* SPDX-License-Identifier: GPL-2.0 */
/* Log2 histogram slots on the BPF side, matching core/hist.h's hist_log2_slot(). */
#ifndef TK_LOG2_BPF_H
#define TK_LOG2_BPF_H

#define TK_LOG2_SLOTS 64

/*
 * floor(log2(v)) for v > 0, with shifts only (the BPF backend has no clz): a binary search
 * over the bits, halving the width each step (32, 16, 8, 4, 2, then the last bit).
 */
static __always_inline __u32 tk_log2(__u64 v)
{
	__u32 r = 0, shift;

#pragma unroll
	for (__u32 bits = 32; bits > 1; bits >>= 1) {
		shift = (v >> bits != 0) * bits;
		v >>= shift;
		r |= shift;
	}
	r |= (v >> 1);
	return r;
}

/* bcc's bpf_log2l(): row i holds [2^(i-1), 2^i - 1]; 0 shares row 1 with 1. */
static __always_inline __u32 tk_log2_slot(__u64 v)
{
	__u64 s = v ? tk_log2(v) + 1 : 1;

	if (s >= TK_LOG2_SLOTS)
		s = TK_LOG2_SLOTS - 1;
	/*
	 * A mask the compiler cannot drop (it knows the bound, the verifier may not see it
	 * through the register copies): TK_LOG2_SLOTS is 2^n, so this changes nothing.
	 */
	asm volatile("%[s] &= 63" : [s] "+r"(s));
	return s;
}

#endif
