// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>

#include "core/hist.h"

/* bcc's bpf_log2l(): floor(log2(v)) + 1, and 0 shares the first row with 1. */
unsigned int hist_log2_slot(uint64_t v)
{
	return v ? 64 - __builtin_clzll(v) : 1;
}

/* floor(width * val / max) stars, '+' in the last place if val exceeds max (bcc's rule). */
static void print_bar(FILE *f, uint64_t val, uint64_t max, int width)
{
	int n = max ? (int)((long double)width * val / max) : 0;

	if (n > width)
		n = width;
	for (int i = 0; i < width; i++)
		fputc(i < n ? (val > max && i == n - 1 ? '+' : '*') : ' ', f);
}

/*
 * bcc's print_log2_hist (Python flavour, as the article shows): rows 1..max, row i holding
 * [2^(i-1), 2^i - 1] (row 1: "0 -> 1"); wider columns and 20-star bars past slot 32.
 */
void hist_print_log2(FILE *f, const uint64_t *slots, unsigned int nslots, const char *unit)
{
	int idx_max = -1, width;
	uint64_t val_max = 0;
	bool wide;

	for (unsigned int i = 0; i < nslots; i++) {
		if (slots[i] > 0)
			idx_max = i;
		if (slots[i] > val_max)
			val_max = slots[i];
	}
	if (idx_max <= 0)
		return;
	wide = idx_max > 32;
	width = wide ? 20 : 40;
	if (wide)
		fprintf(f, "               %-29s : count     distribution\n", unit);
	else
		fprintf(f, "     %-19s : count     distribution\n", unit);
	for (int i = 1; i <= idx_max; i++) {
		unsigned long long low = (1ULL << i) >> 1;
		unsigned long long high = i == 64 ? ~0ULL : (1ULL << i) - 1;

		if (low == high)
			low--;
		fprintf(f, wide ? "%20llu -> %-20llu : %-8llu |" : "%10llu -> %-10llu : %-8llu |", low,
			high, (unsigned long long)slots[i]);
		print_bar(f, slots[i], val_max, width);
		fputs("|\n", f);
	}
}

void hist_json_log2(FILE *f, const uint64_t *slots, unsigned int nslots)
{
	bool first = true;

	fputc('[', f);
	/* Row i holds [2^(i-1), 2^i - 1]; row 1 also holds 0. */
	for (unsigned int i = 1; i < nslots && i < 64; i++) {
		unsigned long long lo = i == 1 ? 0 : 1ULL << (i - 1);
		unsigned long long hi = (1ULL << i) - 1;

		if (!slots[i])
			continue;
		fprintf(f, "%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}", first ? "" : ",", lo,
			hi, (unsigned long long)slots[i]);
		first = false;
	}
	fputc(']', f);
}

/* bcc's print_linear_hist: a row per value 0..the highest non-empty one, 40-column bars. */
void hist_print_linear(FILE *f, const uint64_t *slots, unsigned int nslots, const char *unit)
{
	int idx_max = -1;
	uint64_t val_max = 0;

	for (unsigned int i = 0; i < nslots; i++) {
		if (slots[i] > 0)
			idx_max = i;
		if (slots[i] > val_max)
			val_max = slots[i];
	}
	if (idx_max < 0)
		return;
	fprintf(f, "     %-13s : count     distribution\n", unit);
	for (int i = 0; i <= idx_max; i++) {
		fprintf(f, "        %-10d : %-8llu |", i, (unsigned long long)slots[i]);
		print_bar(f, slots[i], val_max, 40);
		fputs("|\n", f);
	}
}
