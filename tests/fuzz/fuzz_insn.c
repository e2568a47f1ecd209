// SPDX-License-Identifier: GPL-2.0
/*
 * insn.c on arbitrary bytes: the first byte picks Go mode and an offset for
 * insn_is_boundary, the rest is the "function". Every offset reported must lie inside it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/insn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct func_layout l;
	const uint8_t *code = data + 1;
	size_t n;

	if (size < 2)
		return 0;
	n = size - 1;
	if (insn_func_layout(code, n, 0x401000, data[0] & 1, &l) == 0) {
		if (l.nrets > FUNC_MAX_RETS || l.entry_off >= n || l.body_off > n)
			abort();
		for (uint32_t i = 0; i < l.nrets; i++)
			if (l.ret_off[i] >= n || !insn_is_boundary(code, n, 0x401000, l.ret_off[i]))
				abort();
		if (l.go_prologue && !insn_is_boundary(code, n, 0x401000, l.entry_off))
			abort();
	}
	insn_is_boundary(code, n, 0x401000, data[0] % n);
	insn_uprobe_unsafe(code, n);
	return 0;
}
