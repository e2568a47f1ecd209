/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The value of bcc's log2-histogram tools (runqlat, cpudist, biolatency...): one histogram per
 * key, shared by src/bpf/hist_tool.bpf.h and src/tools/hist_tool.c.
 */
#ifndef TK_HIST_TOOL_H
#define TK_HIST_TOOL_H

#define HIST_TOOL_SLOTS	   64 /* TK_LOG2_SLOTS: row i holds [2^(i-1), 2^i - 1] */
#define HIST_TOOL_COMM_LEN 16

struct hist_tool_val {
	__u64 slots[HIST_TOOL_SLOTS];
	__u64 count;
	__u64 sum;		       /* of the values, in the histogram's unit: --metrics' _sum */
	char comm[HIST_TOOL_COMM_LEN]; /* the key's task, for keys by pid or tid */
};

#endif
