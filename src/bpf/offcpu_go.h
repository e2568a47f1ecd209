/* SPDX-License-Identifier: GPL-2.0 */
/*
 * offcputime --go, shared by the BPF and user halves: which probe site fired, as the
 * cookie's index (func_probe.h COOKIE_IDX).
 */
#ifndef TK_OFFCPU_GO_H
#define TK_OFFCPU_GO_H

enum offcpu_go_site {
	OFFCPU_GO_PARK = 0, /* runtime.gopark: the current goroutine parks */
	OFFCPU_GO_RUN = 1,  /* runtime.execute(gp): a thread runs gp again */
};

#endif
