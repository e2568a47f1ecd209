// SPDX-License-Identifier: GPL-2.0
/* core/heatmap.c: columns, their halving past HEATMAP_MAX_COLS, and the cells written. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/heatmap.h"
#include "unit.h"

static void test_columns(void)
{
	struct heatmap h = {0};
	uint64_t slots[HIST_LOG2_SLOTS] = {0}, total = 0;

	for (unsigned int i = 0; i <= HEATMAP_MAX_COLS; i++) {
		slots[1 + i % 20] = i;
		CHECK(heatmap__add(&h, slots, HIST_LOG2_SLOTS, (i + 1) * 1000000ULL) == 0);
		slots[1 + i % 20] = 0;
		total += i;
	}
	/* 2048 columns became 1024 pairs, then the 2049th came */
	CHECK(h.ncols == HEATMAP_MAX_COLS / 2 + 1 && h.merges == 1);
	CHECK(h.end_ns[0] == 2000000 &&
	      h.end_ns[h.ncols - 1] == (HEATMAP_MAX_COLS + 1) * 1000000ULL);
	CHECK(h.cols[0][1] == 0 && h.cols[0][2] == 1 && h.cols[1][3] == 2 && h.cols[1][4] == 3);
	for (size_t c = 0; c < h.ncols; c++)
		for (unsigned int s = 0; s < HIST_LOG2_SLOTS; s++)
			total -= h.cols[c][s];
	CHECK(total == 0);
	CHECK(heatmap__add(&h, slots, HIST_LOG2_SLOTS, 1) == -EINVAL); /* back in time */
	CHECK(heatmap__add(&h, slots, HIST_LOG2_SLOTS + 1, ~0ULL) == -EINVAL);
	heatmap__free(&h);
	CHECK(h.ncols == 0 && !h.cols);
}

static char *slurp(const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = 0;
	return buf;
}

static void test_write(void)
{
	struct heatmap h = {0};
	uint64_t a[HIST_LOG2_SLOTS] = {[11] = 17, [21] = 1}, b[HIST_LOG2_SLOTS] = {[11] = 3};
	const struct heatmap_opts o = {.subtitle = "funclatency <x>", .unit_ns = 1};
	char path[] = "/tmp/tk_hm_XXXXXX";
	int fd = mkstemp(path);
	char *s;

	CHECK(fd >= 0);
	close(fd);
	CHECK(heatmap__add(&h, a, HIST_LOG2_SLOTS, 1000000000) == 0);
	CHECK(heatmap__add(&h, b, HIST_LOG2_SLOTS, 1500000000) == 0);
	CHECK(heatmap_write_svg(&h, path, &o) == 0);
	s = slurp(path);
	/* slot 11 holds [1024, 2047] ns; slot 21 [1048576, 2097151] ns */
	CHECK(strstr(s, "<title>0.00-1.00 s, 1.02 us-2.05 us: 17 calls</title>") != NULL);
	CHECK(strstr(s, "<title>1.00-1.50 s, 1.02 us-2.05 us: 3 calls</title>") != NULL);
	CHECK(strstr(s, "<title>0.00-1.00 s, 1.05 ms-2.1 ms: 1 call</title>") != NULL);
	CHECK(strstr(s, ">funclatency &lt;x&gt;</text>") != NULL);
	heatmap__free(&h);
	/* nothing called: a picture that says so */
	CHECK(heatmap_write_svg(&h, path, NULL) == 0);
	s = slurp(path);
	CHECK(strstr(s, ">No calls</text>") && !strstr(s, "data-calls"));
	CHECK(heatmap_write_svg(&h, "/nonexistent/dir/hm.svg", NULL) == -ENOENT);
	unlink(path);
}

UNIT_MAIN(test_columns, test_write)
