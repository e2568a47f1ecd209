// SPDX-License-Identifier: GPL-2.0
/*
 * The language's output formats against bpftrace 0.17's exact bytes. Every expected string
 * below was captured from the bpftrace 0.17 installed on this machine, e.g.
 *   bpftrace -e 'BEGIN { @h = hist(5); @h = hist(1000); ... exit(); }'
 * (see the comment above each case). The renderers are pure, so the maps are built in memory.
 */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lang/fmt.h"
#include "lang/print.h"

static const struct lt_type t_s64 = {.kind = LT_INT, .size = 8, .is_signed = true};
static const struct lt_type t_str = {.kind = LT_STR, .size = 64};
static const struct lt_type t_str8 = {.kind = LT_STR, .size = 8};

/* ---- helpers ------------------------------------------------------------------------- */

struct tup {
	struct lt_member m[16];
	struct lt_type t;
};

static void tup_init(struct tup *tp, int n, const struct lt_type *const *types)
{
	for (int i = 0; i < n; i++)
		tp->m[i].type = types[i];
	lt_tuple_layout(tp->m, (uint32_t)n);
	tp->t = (struct lt_type){.kind = LT_TUPLE, .members = tp->m, .nmembers = (uint32_t)n};
}

/* A printf event payload builder: appends values at the tuple's offsets. */
static char *run_printf(const char *fmt, int n, const struct lt_type *const *types,
			const void *const *vals)
{
	static struct lt_sbuf out;
	struct tup tp;
	uint8_t data[2048] = {0};

	tup_init(&tp, n, types);
	for (int i = 0; i < n; i++)
		memcpy(data + tp.m[i].offset, vals[i], lt_type_size(types[i]));
	lt_sbuf_reset(&out);
	CHECK(lt_format_printf(&out, fmt, n ? &tp.t : NULL, data, sizeof(data), NULL, NULL) == 0);
	return (char *)lt_sbuf_str(&out);
}

static uint64_t u(int64_t v)
{
	return (uint64_t)v;
}

#define I(v) (&(uint64_t){u(v)})

struct entries {
	struct lt_entry e[32];
	uint8_t keys[32][256];
	uint8_t vals[32][8 * LT_HIST_SLOTS];
	size_t n;
};

static void add(struct entries *es, const void *key, size_t ks, const void *val, size_t vs)
{
	size_t i = es->n++;

	memset(es->keys[i], 0, sizeof(es->keys[i]));
	memset(es->vals[i], 0, sizeof(es->vals[i]));
	memcpy(es->keys[i], key, ks);
	memcpy(es->vals[i], val, vs);
	es->e[i].key = es->keys[i];
	es->e[i].val = es->vals[i];
}

static const char *render(const struct lt_map *m, struct entries *es, uint64_t top, uint64_t div,
			  bool json)
{
	static struct lt_sbuf out;

	lt_sbuf_reset(&out);
	lt_render_map(&out, m, es->e, es->n, top, div, json, NULL, NULL);
	return lt_sbuf_str(&out);
}

/* The same in bpftrace 0.26's dialect (expected bytes from bpftrace-0.26.md §2.7-2.8). */
static const char *render26(const struct lt_map *m, struct entries *es, bool json)
{
	static struct lt_sbuf out;

	lt_sbuf_reset(&out);
	lt_render_map_as(&out, m, es->e, es->n, 0, 0, json, LANG_0_26, NULL, NULL);
	return lt_sbuf_str(&out);
}

static void hist_add(uint64_t *slots, int64_t v)
{
	slots[lt_hist_slot(v)]++;
}

/* ---- printf -------------------------------------------------------------------------- */

/* printf("%-10s|%10s|%5d|%-5d|%x|%X|%o|%c|%%|%lu|%lld|%p\n", "left", "right", 42, 42, 255,
 * 255, 8, 65, 1, -1, 4096) */
static void test_printf_basic(void)
{
	char l[64] = "left", r[64] = "right";
	const struct lt_type *ty[] = {&t_str, &t_str, &t_s64, &t_s64, &t_s64, &t_s64,
				      &t_s64, &t_s64, &t_s64, &t_s64, &t_s64};
	const void *v[] = {l, r, I(42), I(42), I(255), I(255), I(8), I(65), I(1), I(-1), I(4096)};

	CHECK_STR(run_printf("%-10s|%10s|%5d|%-5d|%x|%X|%o|%c|%%|%lu|%lld|%p\n", 11, ty, v),
		  "left      |     right|   42|42   |ff|FF|10|A|%|1|-1|0x1000\n");
}

/* printf("%d %ld %u %lu %x %lx %hd %hhu\n", 0x1122334455, 0x1122334455, -1, -1, -1, -1,
 * 70000, 300) */
static void test_printf_lengths(void)
{
	const struct lt_type *ty[] = {&t_s64, &t_s64, &t_s64, &t_s64,
				      &t_s64, &t_s64, &t_s64, &t_s64};
	const void *v[] = {I(0x1122334455), I(0x1122334455), I(-1),    I(-1),
			   I(-1),	    I(-1),	     I(70000), I(300)};

	CHECK_STR(run_printf("%d %ld %u %lu %x %lx %hd %hhu\n", 8, ty, v),
		  "573785173 73588229205 4294967295 18446744073709551615 ffffffff "
		  "ffffffffffffffff 4464 44\n");
	/* printf("%llx %lld %p %c%c\n", -2, -2, -1, 0x141, 10) */
	const void *v2[] = {I(-2), I(-2), I(-1), I(0x141), I(10)};
	CHECK_STR(run_printf("%llx %lld %p %c%c\n", 5, ty, v2),
		  "fffffffffffffffe -2 0xffffffffffffffff A\n\n");
	/* "%05d" -> 00042, "%.3d" -> 042, "%-05d" -> "42   ", %zd %jd %lX %lo %hX %llu */
	const void *v3[] = {I(42), I(7), I(42), I(42), I(42), I(42), I(42), I(42)};
	CHECK_STR(run_printf("[%05d][%.3d][%-05d][%zd][%jd][%lX][%lo][%hX]", 8, ty, v3),
		  "[00042][007][42   ][42][42][2A][52][2A]");
	/* Absurd widths are clamped to 1024 columns rather than allocating gigabytes. */
	const void *v5[] = {I(7)};
	CHECK(strlen(run_printf("%0001329690184lx|", 1, ty, v5)) == 1025);
	/* The no-flags fast path must print what printf(3) would. */
	const void *v4[] = {I(-1), I(-1), I(-1), I(-1), I(-1), I(INT64_MIN), I(0), I(255)};
	CHECK_STR(run_printf("%hhd %hd %d %o %X %lld %u %hhx", 8, ty, v4),
		  "-1 -1 -1 37777777777 FFFFFFFF -9223372036854775808 0 ff");
}

/* Text rules: unknown conversions are text; %% only before a conversion. */
static void test_printf_text(void)
{
	CHECK_STR(run_printf("[%i|%+d|%e|%5%|%]\n", 0, NULL, NULL), "[%i|%+d|%e|%5%|%]\n");
	CHECK_STR(run_printf("100%%\n", 0, NULL, NULL), "100%%\n");
	CHECK_STR(run_printf("x%5%y\n", 0, NULL, NULL), "x%5%y\n");
	const struct lt_type *ty[] = {&t_s64};
	const void *v[] = {I(5)};
	/* bpftrace: printf("a%%b %d|%%\n", 5) -> "a%b 5|%%" */
	CHECK_STR(run_printf("a%%b %d|%%\n", 1, ty, v), "a%b 5|%%\n");

	struct lt_spec sp[8];
	CHECK(lt_fmt_parse("%-10s|%10s|%5d|%-5d|%x|%X|%o|%c|%%|%lu|%lld|%p\n", sp, 8) == 11);
	CHECK(lt_fmt_parse("%d %ld %u %lu %x %lx %hd %hhu %i\n", sp, 8) == 8);
	CHECK(lt_fmt_parse("%05d|%+d|% d|%-+6d|%#x|%#o|%.3d|%8.3s|\n", sp, 8) == 3);
	CHECK(lt_fmt_parse("%r %rx %s", sp, 8) == 3);
	CHECK(sp[0].arg == LT_SPEC_BUF && sp[1].arg == LT_SPEC_BUFX && sp[2].arg == LT_SPEC_STR);
}

/* printf("%5s|%-5c|%.2s|\n", "toolongstring", 66, "abc") and string escaping. */
static void test_printf_strings(void)
{
	char a[64] = "toolongstring", c[64] = "abc";
	const struct lt_type *ty[] = {&t_str, &t_s64, &t_str};
	const void *v[] = {a, I(66), c};

	CHECK_STR(run_printf("%5s|%-5c|%.2s|\n", 3, ty, v), "toolongstring|B    |ab|\n");
	/* Strings from the traced side are escaped (bpftrace prints them raw). */
	char e[64] = "a\x01\x7f\x1b[31mred\tx\n";
	const void *v2[] = {e};
	CHECK_STR(run_printf("%s|\n", 1, ty, v2), "a\\x01\\x7f\\e[31mred\\tx\\n|\n");
	/* A string of exactly its size has no NUL inside: printed up to the size. */
	char full[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
	const struct lt_type *ty8[] = {&t_str8, &t_s64};
	const void *v3[] = {full, I(1)};
	CHECK_STR(run_printf("%s %d", 2, ty8, v3), "abcdefgh 1");
}

/* printf("%r|%r|%rx\n", buf("ab\x01\xff", 4), buf("hello", 3), buf("ab", 2)) */
static void test_printf_buf(void)
{
	struct lt_type tb = {.kind = LT_BUF, .size = 8};
	uint8_t b1[16] = {4, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 1, 0xff};
	uint8_t b2[16] = {3, 0, 0, 0, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
	uint8_t b3[16] = {2, 0, 0, 0, 0, 0, 0, 0, 'a', 'b'};
	const struct lt_type *ty[] = {&tb, &tb, &tb};
	const void *v[] = {b1, b2, b3};

	CHECK_STR(run_printf("%r|%r|%rx\n", 3, ty, v), "ab\\x01\\xff|hel|\\x61\\x62\n");
}

/* printf("%s %s\n", ntop(2, 0x0100007f), ntop(...v6...)); ksym(0) -> "0" */
static void test_printf_inet_sym(void)
{
	struct lt_type ti = {.kind = LT_INET};
	struct lt_inet a = {.af = 2, .addr = {127, 0, 0, 1}};
	struct lt_inet b = {.af = 10, .addr = {[15] = 1}};
	struct lt_type tk = {.kind = LT_KSYM};
	const struct lt_type *ty[] = {&ti, &ti, &tk};
	const void *v[] = {&a, &b, I(0)};

	CHECK_STR(run_printf("%s %s [%s]\n", 3, ty, v), "127.0.0.1 ::1 [0]\n");
}

/* ---- maps ---------------------------------------------------------------------------- */

static struct lt_map mk_map(const char *name, enum lt_agg agg, const struct lt_type *key)
{
	struct lt_map m = {.name = name, .agg = agg, .percpu = agg != LT_AGG_NONE};

	if (key)
		m.key = *key;
	m.key_size = lt_map_key_size(&m.key);
	return m;
}

/* @c = count() twice -> "@c: 2"; @s = sum(5)+sum(7) -> "@s: 12"; @mn min(3),min(-2) -> -2 */
static void test_scalar_maps(void)
{
	struct entries es = {0};
	struct lt_map c = mk_map("@c", LT_AGG_COUNT, NULL);
	uint64_t k0 = 0;

	add(&es, &k0, 8, I(2), 8);
	CHECK_STR(render(&c, &es, 0, 0, false), "@c: 2\n");
	CHECK_STR(render(&c, &es, 0, 0, true), "{\"type\": \"map\", \"data\": {\"@c\": 2}}\n");
	struct lt_map mn = mk_map("@mn", LT_AGG_MIN, NULL);
	struct lt_minmax v = {-2, 1};
	es.n = 0;
	add(&es, &k0, 8, &v, sizeof(v));
	CHECK_STR(render(&mn, &es, 0, 0, false), "@mn: -2\n");
	/* avg(5), avg(8) -> "@a: 6" then a blank line; avg(-5), avg(2) -> -1 */
	struct lt_map a = mk_map("@a", LT_AGG_AVG, NULL);
	struct lt_avgstat s = {13, 2};
	es.n = 0;
	add(&es, &k0, 8, &s, sizeof(s));
	CHECK_STR(render(&a, &es, 0, 0, false), "@a: 6\n\n");
	s = (struct lt_avgstat){-3, 2};
	es.n = 0;
	add(&es, &k0, 8, &s, sizeof(s));
	CHECK_STR(render(&a, &es, 0, 0, false), "@a: -1\n\n");
	CHECK_STR(render(&a, &es, 0, 0, true), "{\"type\": \"stats\", \"data\": {\"@a\": -1}}\n");
	/* stats(10), stats(3) -> "@st: count 2, average 6, total 13" + blank */
	struct lt_map st = mk_map("@st", LT_AGG_STATS, NULL);
	s = (struct lt_avgstat){13, 2};
	es.n = 0;
	add(&es, &k0, 8, &s, sizeof(s));
	CHECK_STR(render(&st, &es, 0, 0, false), "@st: count 2, average 6, total 13\n\n");
	s = (struct lt_avgstat){10, 2};
	es.n = 0;
	add(&es, &k0, 8, &s, sizeof(s));
	struct lt_map st2 = mk_map("@s", LT_AGG_STATS, NULL);
	CHECK_STR(render(&st2, &es, 0, 0, true),
		  "{\"type\": \"stats\", \"data\": {\"@s\": {\"count\": 2, \"average\": 5, "
		  "\"total\": 10}}}\n");
}

/* Empty maps: keyless count prints "@n: 0"; others an empty line; avg/stats one more. */
static void test_empty_maps(void)
{
	struct entries es = {0};
	struct tup k;
	const struct lt_type *kt[] = {&t_s64};

	tup_init(&k, 1, kt);
	struct lt_map c = mk_map("@n", LT_AGG_COUNT, NULL);
	CHECK_STR(render(&c, &es, 0, 0, false), "@n: 0\n");
	CHECK_STR(render(&c, &es, 0, 0, true), "{\"type\": \"map\", \"data\": {\"@n\": 0}}\n");
	struct lt_map s = mk_map("@n", LT_AGG_SUM, NULL);
	CHECK_STR(render(&s, &es, 0, 0, false), "\n");
	struct lt_map kc = mk_map("@b", LT_AGG_COUNT, &k.t);
	CHECK_STR(render(&kc, &es, 0, 0, false), "\n");
	CHECK_STR(render(&kc, &es, 0, 0, true), "");
	struct lt_map h = mk_map("@e", LT_AGG_HIST, &k.t);
	CHECK_STR(render(&h, &es, 0, 0, false), "\n");
	struct lt_map a = mk_map("@g", LT_AGG_AVG, &k.t);
	CHECK_STR(render(&a, &es, 0, 0, false), "\n\n");
	struct lt_map st = mk_map("@h", LT_AGG_STATS, NULL);
	CHECK_STR(render(&st, &es, 0, 0, false), "\n\n");
}

/* @x[1,"a"]=3; @x[2,"b"]=1 -> "@x[2, b]: 1\n@x[1, a]: 3"; count maps ascending by value. */
static void test_keyed_sort(void)
{
	struct entries es = {0};
	struct tup k;
	const struct lt_type *kt[] = {&t_s64, &t_str};
	uint8_t key[72] = {0};

	tup_init(&k, 2, kt);
	struct lt_map x = mk_map("@x", LT_AGG_NONE, &k.t);
	x.val = t_s64;
	memcpy(key, I(1), 8);
	strcpy((char *)key + 8, "a");
	add(&es, key, sizeof(key), I(3), 8);
	memcpy(key, I(2), 8);
	strcpy((char *)key + 8, "b");
	add(&es, key, sizeof(key), I(1), 8);
	CHECK_STR(render(&x, &es, 0, 0, false), "@x[2, b]: 1\n@x[1, a]: 3\n");
	CHECK_STR(render(&x, &es, 0, 0, true),
		  "{\"type\": \"map\", \"data\": {\"@x\": {\"2,b\": 1, \"1,a\": 3}}}\n");

	/* @m[1..4] = 1,2,3,40; print(@m, 2, 10) -> "@m[3]: 0\n@m[4]: 4" */
	struct tup k1;
	const struct lt_type *kt1[] = {&t_s64};
	tup_init(&k1, 1, kt1);
	struct lt_map m = mk_map("@m", LT_AGG_NONE, &k1.t);
	m.val = t_s64;
	es.n = 0;
	add(&es, I(4), 8, I(40), 8);
	add(&es, I(2), 8, I(2), 8);
	add(&es, I(1), 8, I(1), 8);
	add(&es, I(3), 8, I(3), 8);
	CHECK_STR(render(&m, &es, 2, 10, false), "@m[3]: 0\n@m[4]: 4\n");
	CHECK_STR(render(&m, &es, 0, 0, false), "@m[1]: 1\n@m[2]: 2\n@m[3]: 3\n@m[4]: 40\n");

	/* String values sort by key: @sk["b"]="x"; @sk["a"]="y"; @sk["c"]="w" */
	struct tup ks;
	const struct lt_type *kts[] = {&t_str};
	tup_init(&ks, 1, kts);
	struct lt_map sk = mk_map("@sk", LT_AGG_NONE, &ks.t);
	sk.val = t_str;
	es.n = 0;
	char kb[64] = "b", vb[64] = "x", ka[64] = "a", va[64] = "y", kc[64] = "c", vc[64] = "w";
	add(&es, kb, 64, vb, 64);
	add(&es, ka, 64, va, 64);
	add(&es, kc, 64, vc, 64);
	CHECK_STR(render(&sk, &es, 0, 0, false), "@sk[a]: y\n@sk[b]: x\n@sk[c]: w\n");
	CHECK_STR(render(&sk, &es, 0, 0, true),
		  "{\"type\": \"map\", \"data\": {\"@sk\": {\"a\": \"y\", \"b\": \"x\", \"c\": "
		  "\"w\"}}}\n");
}

/* avg and stats maps sort by average (stats 100 | 12 x 10 | 3 x 50). */
static void test_stats_sort(void)
{
	struct entries es = {0};
	struct tup k;
	const struct lt_type *kt[] = {&t_s64};
	struct lt_avgstat a = {100, 1}, b = {120, 12}, c = {150, 3};

	tup_init(&k, 1, kt);
	struct lt_map s = mk_map("@s", LT_AGG_STATS, &k.t);
	add(&es, I(1), 8, &a, sizeof(a));
	add(&es, I(2), 8, &b, sizeof(b));
	add(&es, I(3), 8, &c, sizeof(c));
	CHECK_STR(render(&s, &es, 0, 0, false), "@s[2]: count 12, average 10, total 120\n"
						"@s[3]: count 3, average 50, total 150\n"
						"@s[1]: count 1, average 100, total 100\n\n");
	struct lt_map av = mk_map("@a", LT_AGG_AVG, &k.t);
	CHECK_STR(render(&av, &es, 0, 0, false), "@a[2]: 10\n@a[3]: 50\n@a[1]: 100\n\n");
}

#define BAR   "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@"
#define NOBAR "                                                    "

/* @h = hist(5), hist(1000), hist(0), hist(-3), hist(1), hist(3000000) */
static void test_hist(void)
{
	struct entries es = {0};
	uint64_t slots[LT_HIST_SLOTS] = {0};
	uint64_t k0 = 0;
	int64_t vals[] = {5, 1000, 0, -3, 1, 3000000};

	for (size_t i = 0; i < 6; i++)
		hist_add(slots, vals[i]);
	struct lt_map h = mk_map("@h", LT_AGG_HIST, NULL);
	add(&es, &k0, 8, slots, sizeof(slots));
	CHECK_STR(render(&h, &es, 0, 0, false), "@h: \n"
						"(..., 0)               1 |" BAR "|\n"
						"[0]                    1 |" BAR "|\n"
						"[1]                    1 |" BAR "|\n"
						"[2, 4)                 0 |" NOBAR "|\n"
						"[4, 8)                 1 |" BAR "|\n"
						"[8, 16)                0 |" NOBAR "|\n"
						"[16, 32)               0 |" NOBAR "|\n"
						"[32, 64)               0 |" NOBAR "|\n"
						"[64, 128)              0 |" NOBAR "|\n"
						"[128, 256)             0 |" NOBAR "|\n"
						"[256, 512)             0 |" NOBAR "|\n"
						"[512, 1K)              1 |" BAR "|\n"
						"[1K, 2K)               0 |" NOBAR "|\n"
						"[2K, 4K)               0 |" NOBAR "|\n"
						"[4K, 8K)               0 |" NOBAR "|\n"
						"[8K, 16K)              0 |" NOBAR "|\n"
						"[16K, 32K)             0 |" NOBAR "|\n"
						"[32K, 64K)             0 |" NOBAR "|\n"
						"[64K, 128K)            0 |" NOBAR "|\n"
						"[128K, 256K)           0 |" NOBAR "|\n"
						"[256K, 512K)           0 |" NOBAR "|\n"
						"[512K, 1M)             0 |" NOBAR "|\n"
						"[1M, 2M)               0 |" NOBAR "|\n"
						"[2M, 4M)               1 |" BAR "|\n"
						"\n");
	/* -f json: @h = hist(-1), hist(0), hist(1) */
	uint64_t s2[LT_HIST_SLOTS] = {0};
	hist_add(s2, -1);
	hist_add(s2, 0);
	hist_add(s2, 1);
	es.n = 0;
	add(&es, &k0, 8, s2, sizeof(s2));
	CHECK_STR(render(&h, &es, 0, 0, true),
		  "{\"type\": \"hist\", \"data\": {\"@h\": [{\"max\": -1, \"count\": 1}, {\"min\": "
		  "0, \"max\": 0, \"count\": 1}, {\"min\": 1, \"max\": 1, \"count\": 1}]}}\n");
	/* hist(3) then hist(300000) in JSON: from [2, 4) to [256K, 512K) */
	uint64_t s3[LT_HIST_SLOTS] = {0};
	hist_add(s3, 3);
	hist_add(s3, 300000);
	es.n = 0;
	add(&es, &k0, 8, s3, sizeof(s3));
	const char *j = render(&h, &es, 0, 0, true);
	CHECK(strstr(j, "[{\"min\": 2, \"max\": 3, \"count\": 1}, {\"min\": 4, \"max\": 7, "
			"\"count\": 0}") != NULL);
	CHECK(strstr(j, "{\"min\": 262144, \"max\": 524287, \"count\": 1}]}}\n") != NULL);
	CHECK(lt_hist_slot(INT64_MAX) == 64 && lt_hist_slot(2) == 3 && lt_hist_slot(4) == 4);
}

/* Keyed hist sorted by total count; bars scaled to the row maximum (1 of 3 -> 17 '@'). */
static void test_hist_keyed(void)
{
	struct entries es = {0};
	struct tup k;
	const struct lt_type *kt[] = {&t_s64};
	uint64_t a[LT_HIST_SLOTS] = {0}, b[LT_HIST_SLOTS] = {0};

	tup_init(&k, 1, kt);
	hist_add(b, 10);
	for (int i = 0; i < 3; i++)
		hist_add(b, 100);
	hist_add(a, 10);
	struct lt_map h = mk_map("@h", LT_AGG_HIST, &k.t);
	add(&es, I(2), 8, b, sizeof(b));
	add(&es, I(1), 8, a, sizeof(a));
	CHECK_STR(
		render(&h, &es, 0, 0, false),
		"@h[1]: \n"
		"[8, 16)                1 |" BAR "|\n"
		"\n"
		"@h[2]: \n"
		"[8, 16)                1 |@@@@@@@@@@@@@@@@@                                   |\n"
		"[16, 32)               0 |" NOBAR "|\n"
		"[32, 64)               0 |" NOBAR "|\n"
		"[64, 128)              3 |" BAR "|\n"
		"\n");
	/* {"type": "hist", "data": {"@hk": {"k": [{"min": 1, "max": 1, "count": 1}]}}} */
	struct tup ks;
	const struct lt_type *kts[] = {&t_str};
	char kk[64] = "k";
	uint64_t c[LT_HIST_SLOTS] = {0};
	tup_init(&ks, 1, kts);
	hist_add(c, 1);
	struct lt_map hk = mk_map("@hk", LT_AGG_HIST, &ks.t);
	es.n = 0;
	add(&es, kk, 64, c, sizeof(c));
	CHECK_STR(render(&hk, &es, 0, 0, true),
		  "{\"type\": \"hist\", \"data\": {\"@hk\": {\"k\": [{\"min\": 1, \"max\": 1, "
		  "\"count\": 1}]}}}\n");
}

/* @l = lhist(5, 0, 100, 10), lhist(-1, ...), lhist(200, ...); and 35, 55, 55 */
static void test_lhist(void)
{
	struct entries es = {0};
	uint64_t s[LT_HIST_SLOTS] = {0}, k0 = 0;
	struct lt_map l = mk_map("@l", LT_AGG_LHIST, NULL);

	l.lhist_min = 0;
	l.lhist_max = 100;
	l.lhist_step = 10;
	CHECK(lt_lhist_slots(0, 100, 10) == 12);
	s[lt_lhist_slot(5, 0, 100, 10)]++;
	s[lt_lhist_slot(-1, 0, 100, 10)]++;
	s[lt_lhist_slot(200, 0, 100, 10)]++;
	add(&es, &k0, 8, s, sizeof(s));
	CHECK_STR(render(&l, &es, 0, 0, false), "@l: \n"
						"(..., 0)               1 |" BAR "|\n"
						"[0, 10)                1 |" BAR "|\n"
						"[10, 20)               0 |" NOBAR "|\n"
						"[20, 30)               0 |" NOBAR "|\n"
						"[30, 40)               0 |" NOBAR "|\n"
						"[40, 50)               0 |" NOBAR "|\n"
						"[50, 60)               0 |" NOBAR "|\n"
						"[60, 70)               0 |" NOBAR "|\n"
						"[70, 80)               0 |" NOBAR "|\n"
						"[80, 90)               0 |" NOBAR "|\n"
						"[90, 100)              0 |" NOBAR "|\n"
						"[100, ...)             1 |" BAR "|\n"
						"\n");
	memset(s, 0, sizeof(s));
	s[lt_lhist_slot(35, 0, 100, 10)]++;
	s[lt_lhist_slot(55, 0, 100, 10)] += 2;
	es.n = 0;
	add(&es, &k0, 8, s, sizeof(s));
	CHECK_STR(
		render(&l, &es, 0, 0, false),
		"@l: \n"
		"[30, 40)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"[40, 50)               0 |" NOBAR "|\n"
		"[50, 60)               2 |" BAR "|\n"
		"\n");
	/* -f json: lhist(-5, 0, 10, 5) and lhist(50, 0, 10, 5) */
	struct lt_map l2 = l;
	l2.lhist_max = 10;
	l2.lhist_step = 5;
	memset(s, 0, sizeof(s));
	s[lt_lhist_slot(-5, 0, 10, 5)]++;
	s[lt_lhist_slot(50, 0, 10, 5)]++;
	es.n = 0;
	add(&es, &k0, 8, s, sizeof(s));
	CHECK_STR(render(&l2, &es, 0, 0, true),
		  "{\"type\": \"hist\", \"data\": {\"@l\": [{\"max\": -1, \"count\": 1}, {\"min\": "
		  "0, \"max\": 4, \"count\": 0}, {\"min\": 5, \"max\": 9, \"count\": 0}, {\"min\": "
		  "10, \"count\": 1}]}}\n");
}

/* Stack keys: "@[\n    frame\n]: 1"; printf %s: "\n        frame\n" (unresolved here). */
static void test_stacks(void)
{
	struct lt_type ts = {.kind = LT_USTACK};
	uint8_t st[sizeof(struct lt_stack_hdr) + 8 * LT_STACK_FRAMES] = {0};
	uint64_t ip = 0x7f9085ecf4f7;
	struct entries es = {0};
	struct tup k;
	const struct lt_type *kt[] = {&ts};

	memcpy(st + 8, &ip, 8);
	tup_init(&k, 1, kt);
	struct lt_map m = mk_map("@", LT_AGG_COUNT, &k.t);
	add(&es, st, sizeof(st), I(1), 8);
	/* bpftrace 0.17: an unresolvable user frame prints as 0x<addr> */
	CHECK_STR(render(&m, &es, 0, 0, false), "@[\n    0x7f9085ecf4f7\n]: 1\n");
	const struct lt_type *ty[] = {&ts};
	const void *v[] = {st};
	CHECK_STR(run_printf("%s|", 1, ty, v), "\n        0x7f9085ecf4f7\n|");
	/* ustack(perf): "\t7f9085ecf4f7 0x7f9085ecf4f7 ([unknown])" */
	struct lt_type tp = {.kind = LT_USTACK, .stack_perf = true};
	const struct lt_type *typ[] = {&tp};
	CHECK_STR(run_printf("%s", 1, typ, v), "\n\t7f9085ecf4f7 0x7f9085ecf4f7 ([unknown])\n");
}

/* print((1, "two", 3)) -> "(1, two, 3)"; JSON [1,"a"] */
static void test_tuple_value(void)
{
	struct tup t;
	const struct lt_type *tt[] = {&t_s64, &t_str, &t_s64};
	uint8_t d[128] = {0};
	struct lt_sbuf out = {0};

	tup_init(&t, 3, tt);
	memcpy(d + t.m[0].offset, I(1), 8);
	strcpy((char *)d + t.m[1].offset, "two");
	memcpy(d + t.m[2].offset, I(3), 8);
	CHECK(t.m[2].offset == 72 && lt_type_size(&t.t) == 80);
	lt_format_value(&out, &t.t, d, LT_CTX_TEXT, NULL, NULL);
	CHECK_STR(lt_sbuf_str(&out), "(1, two, 3)");
	lt_sbuf_reset(&out);
	lt_format_value(&out, &t.t, d, LT_CTX_JSON, NULL, NULL);
	CHECK_STR(lt_sbuf_str(&out), "[1,\"two\",3]");
	lt_sbuf_free(&out);
}

/* strftime("%H:%M:%S.%f") keeps 6 microsecond digits; "%%f" is a literal %f. */
static void test_strftime(void)
{
	struct lt_sbuf out = {0};

	setenv("TZ", "UTC", 1);
	tzset();
	lt_format_strftime(&out, "%Y-%m-%d %H:%M:%S.%f %%f", 1500000000123456789ULL, 0);
	CHECK_STR(lt_sbuf_str(&out), "2017-07-14 02:40:00.123456 %f");
	lt_sbuf_free(&out);
}

/* Events, the attach line and lost events through an lt_out writing to memory. */
static void test_events(void)
{
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	struct tup t;
	const struct lt_type *tt[] = {&t_s64, &t_str};
	struct lt_fmt fmts[3] = {
		{.fmt = "x %d %s\n"}, {.fmt = NULL, .join_arg_size = 8}, {.fmt = NULL}};
	struct tup pv;
	const struct lt_type *pvt[] = {&t_str};
	struct lt_prog prog = {.fmts = fmts, .nfmts = 3};
	struct lt_out o;
	uint8_t ev[256] = {0};
	struct lt_event_hdr h = {LT_EV_PRINTF, 0};

	tup_init(&t, 2, tt);
	fmts[0].args = t.t;
	tup_init(&pv, 1, pvt);
	fmts[2].args = pv.t;
	lt_out_init(&o, f, &prog, false);
	o.dialect = LANG_0_17; /* the attach line on the output */
	lt_out_attached(&o, 1);
	lt_out_attached(&o, 3);
	memcpy(ev, &h, sizeof(h));
	memcpy(ev + 8 + t.m[0].offset, I(7), 8);
	strcpy((char *)ev + 8 + t.m[1].offset, "a\tb");
	CHECK(lt_out_event(&o, ev, 8 + lt_type_size(&t.t)) == 0);
	CHECK(lt_out_event(&o, ev, 8 + 4) == -EINVAL); /* truncated */
	/* join(argv): "/bin/true a b" */
	memset(ev, 0, sizeof(ev));
	h = (struct lt_event_hdr){LT_EV_JOIN, 1};
	memcpy(ev, &h, sizeof(h));
	strcpy((char *)ev + 8, "/bin/tr");
	strcpy((char *)ev + 16, "a");
	strcpy((char *)ev + 24, "b");
	CHECK(lt_out_event(&o, ev, 8 + 8 * LT_JOIN_MAX_ARGS) == 0);
	/* print("abc") */
	memset(ev, 0, sizeof(ev));
	h = (struct lt_event_hdr){LT_EV_PRINT_VAL, 2};
	memcpy(ev, &h, sizeof(h));
	strcpy((char *)ev + 8, "abc");
	CHECK(lt_out_event(&o, ev, 8 + 64) == 0);
	lt_out_lost(&o, 0);
	lt_out_lost(&o, 22);
	h = (struct lt_event_hdr){LT_EV_EXIT, 0};
	CHECK(lt_out_event(&o, &h, sizeof(h)) == 1);
	h = (struct lt_event_hdr){99, 0};
	CHECK(lt_out_event(&o, &h, sizeof(h)) == -EINVAL);
	fflush(f);
	CHECK_STR(mem, "Attaching 1 probe...\nAttaching 3 probes...\nx 7 a\\tb\n/bin/tr a b\nabc\n"
		       "Lost 22 events\n");
	CHECK(o.lost == 22);
	lt_out_free(&o);
	fclose(f);
	free(mem);

	/* The same under -f json. */
	mem = NULL;
	f = open_memstream(&mem, &memlen);
	lt_out_init(&o, f, &prog, true);
	o.dialect = LANG_0_17;
	lt_out_attached(&o, 2);
	memset(ev, 0, sizeof(ev));
	h = (struct lt_event_hdr){LT_EV_PRINTF, 0};
	memcpy(ev, &h, sizeof(h));
	memcpy(ev + 8 + t.m[0].offset, I(1), 8);
	strcpy((char *)ev + 8 + t.m[1].offset, "q\"\t");
	CHECK(lt_out_event(&o, ev, 8 + lt_type_size(&t.t)) == 0);
	memset(ev, 0, sizeof(ev));
	h = (struct lt_event_hdr){LT_EV_JOIN, 1};
	memcpy(ev, &h, sizeof(h));
	strcpy((char *)ev + 8, "a");
	strcpy((char *)ev + 16, "b");
	CHECK(lt_out_event(&o, ev, 8 + 8 * LT_JOIN_MAX_ARGS) == 0);
	lt_out_lost(&o, 3);
	fflush(f);
	CHECK_STR(mem, "{\"type\": \"attached_probes\", \"data\": {\"probes\": 2}}\n"
		       "{\"type\": \"printf\", \"data\": \"x 1 q\\\"\\t\\n\"}\n"
		       "{\"type\": \"join\", \"data\": \"a b\"}\n"
		       "{\"type\": \"lost_events\", \"data\": {\"events\": 3}}\n");
	lt_out_free(&o);
	fclose(f);
	free(mem);
}

/*
 * Per-CPU values are reduced as types.h says: a real BPF_MAP_TYPE_PERCPU_HASH with a different
 * value on each CPU (min over the CPUs that saw a value, sums elsewhere), then clear/zero.
 */
static void test_percpu_read(void)
{
	int ncpus = libbpf_num_possible_cpus();
	struct lt_map m = mk_map("@m", LT_AGG_MIN, NULL);
	struct lt_minmax mm[64] = {0};
	uint64_t k0 = 0;
	struct lt_entry *e;

	CHECK(ncpus > 0 && ncpus <= 64);
	if (ncpus <= 0 || ncpus > 64)
		return;
	m.value_size = lt_map_value_size(&m);
	m.fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "tk_unit", 8, m.value_size, 4, NULL);
	CHECK(m.fd >= 0);
	if (m.fd < 0)
		return;
	/* CPU 0 never saw a value (v 0, set 0): it must not win the min. */
	for (int c = 1; c < ncpus; c++)
		mm[c] = (struct lt_minmax){10 + c, 1};
	if (ncpus == 1)
		mm[0] = (struct lt_minmax){11, 1};
	CHECK(bpf_map_update_elem(m.fd, &k0, mm, BPF_ANY) == 0);
	CHECK(lt_map_read(&m, ncpus, &e) == 1);
	CHECK(((struct lt_minmax *)e[0].val)->v == 11);
	lt_entries_free(e, 1);

	struct lt_map c = mk_map("@c", LT_AGG_COUNT, NULL);
	uint64_t cnt[64];
	c.value_size = 8;
	c.fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "tk_unit", 8, 8, 4, NULL);
	CHECK(c.fd >= 0);
	for (int i = 0; i < ncpus; i++)
		cnt[i] = (uint64_t)i + 1;
	CHECK(bpf_map_update_elem(c.fd, &k0, cnt, BPF_ANY) == 0);
	CHECK(lt_map_read(&c, ncpus, &e) == 1);
	CHECK(lt_load_u64(e[0].val) == (uint64_t)ncpus * (ncpus + 1) / 2);
	lt_entries_free(e, 1);
	CHECK(lt_map_zero(&c, ncpus) == 0);
	CHECK(lt_map_read(&c, ncpus, &e) == 1);
	CHECK(lt_load_u64(e[0].val) == 0);
	lt_entries_free(e, 1);
	CHECK(lt_map_clear(&c) == 0);
	CHECK(lt_map_read(&c, ncpus, &e) == 0);
	lt_entries_free(e, 0);
	close(m.fd);
	close(c.fd);
}

/* 0.26 text: stats as records, no blank line after avg/stats, empty maps print nothing. */
static void test_v26_maps(void)
{
	struct entries es = {0};
	struct tup k;
	const struct lt_type *kt[] = {&t_s64};
	struct lt_avgstat a = {12, 2}, b = {7, 7};
	uint64_t k0 = 0;

	tup_init(&k, 1, kt);
	struct lt_map st = mk_map("@s", LT_AGG_STATS, NULL);
	add(&es, &k0, 8, &a, sizeof(a));
	CHECK_STR(render26(&st, &es, false), "@s: { .count = 2, .average = 6, .total = 12 }\n");
	CHECK_STR(render26(&st, &es, true), "{\"type\": \"stats\", \"data\": {\"@s\": {\"count\": "
					    "2, \"average\": 6, \"total\": 12}}}\n");
	struct lt_map av = mk_map("@a", LT_AGG_AVG, &k.t);
	es.n = 0;
	add(&es, I(2), 8, &a, sizeof(a));
	add(&es, I(1), 8, &b, sizeof(b));
	CHECK_STR(render26(&av, &es, false), "@a[1]: 1\n@a[2]: 6\n");
	CHECK_STR(render26(&av, &es, true),
		  "{\"type\": \"stats\", \"data\": {\"@a\": {\"1\": 1, \"2\": 6}}}\n");
	struct lt_map sk = mk_map("@s", LT_AGG_STATS, &k.t);
	CHECK_STR(render26(&sk, &es, false), "@s[1]: { .count = 7, .average = 1, .total = 7 }\n"
					     "@s[2]: { .count = 2, .average = 6, .total = 12 }\n");
	/* empty: nothing at all, not even the scalar count's "@n: 0" */
	es.n = 0;
	struct lt_map c = mk_map("@n", LT_AGG_COUNT, NULL);
	CHECK_STR(render26(&c, &es, false), "");
	CHECK_STR(render26(&c, &es, true), "");
	CHECK_STR(render26(&av, &es, false), "");
	CHECK_STR(render26(&st, &es, false), "");
	struct lt_map h = mk_map("@h", LT_AGG_HIST, &k.t);
	CHECK_STR(render26(&h, &es, false), "");
	CHECK_STR(render26(&h, &es, true), "");
}

/* 0.26 histograms: "@h:" header, lhist step 1 as [N], K suffixes only for 1024-multiple steps. */
static void test_v26_hist(void)
{
	struct entries es = {0};
	uint64_t s[LT_HIST_SLOTS] = {0}, k0 = 0;
	struct lt_map h = mk_map("@h", LT_AGG_HIST, NULL);

	hist_add(s, -1);
	hist_add(s, 0);
	hist_add(s, 2);
	add(&es, &k0, 8, s, sizeof(s));
	CHECK_STR(render26(&h, &es, false), "@h:\n"
					    "(..., 0)               1 |" BAR "|\n"
					    "[0]                    1 |" BAR "|\n"
					    "[1]                    0 |" NOBAR "|\n"
					    "[2, 4)                 1 |" BAR "|\n"
					    "\n");
	CHECK_STR(
		render26(&h, &es, true),
		"{\"type\": \"hist\", \"data\": {\"@h\": [{\"max\": -1, \"count\": 1},{\"min\": "
		"0, \"max\": 0, \"count\": 1},{\"min\": 1, \"max\": 1, \"count\": 0},{\"min\": 2, "
		"\"max\": 3, \"count\": 1}]}}\n");
	struct lt_map l = mk_map("@l", LT_AGG_LHIST, NULL);
	l.lhist_min = 0;
	l.lhist_max = 5;
	l.lhist_step = 1;
	memset(s, 0, sizeof(s));
	s[lt_lhist_slot(3, 0, 5, 1)] = 2;
	s[lt_lhist_slot(4, 0, 5, 1)] = 1;
	s[lt_lhist_slot(9, 0, 5, 1)] = 1;
	es.n = 0;
	add(&es, &k0, 8, s, sizeof(s));
	CHECK_STR(
		render26(&l, &es, false),
		"@l:\n"
		"[3]                    2 |" BAR "|\n"
		"[4]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"[5, ...)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"\n");
	CHECK_STR(render26(&l, &es, true),
		  "{\"type\": \"hist\", \"data\": {\"@l\": [{\"min\": 3, \"max\": 3, \"count\": "
		  "2},{\"min\": 4, \"max\": 4, \"count\": 1},{\"min\": 5, \"count\": 1}]}}\n");
	/* lhist(x, 0, 4096, 512): plain numbers in 0.26, 0.17 wrote [1K, 1536) */
	l.lhist_max = 4096;
	l.lhist_step = 512;
	memset(s, 0, sizeof(s));
	s[lt_lhist_slot(1100, 0, 4096, 512)] = 1;
	es.n = 0;
	add(&es, &k0, 8, s, sizeof(s));
	CHECK_STR(render26(&l, &es, false), "@l:\n[1024, 1536)           1 |" BAR "|\n\n");
	CHECK_STR(render(&l, &es, 0, 0, false), "@l: \n[1K, 1536)             1 |" BAR "|\n\n");
	l.lhist_max = 8192;
	l.lhist_step = 1024;
	memset(s, 0, sizeof(s));
	s[lt_lhist_slot(-1, 0, 8192, 1024)] = 1;
	s[lt_lhist_slot(1100, 0, 8192, 1024)] = 1;
	es.n = 0;
	add(&es, &k0, 8, s, sizeof(s));
	CHECK_STR(render26(&l, &es, false), "@l:\n"
					    "(..., 0)               1 |" BAR "|\n"
					    "[0, 1K)                0 |" NOBAR "|\n"
					    "[1K, 2K)               1 |" BAR "|\n"
					    "\n");
}

/* 0.26 JSON: integers beyond +-2^53 are strings; 0.17 wrote them as numbers. */
static void test_v26_json_bigint(void)
{
	struct entries es = {0};
	struct tup k;
	const struct lt_type *kt[] = {&t_s64};
	const struct lt_type t_u64 = {.kind = LT_INT, .size = 8};
	struct tup tv;
	const struct lt_type *vt[] = {&t_s64, &t_u64};
	uint8_t tval[16];
	uint64_t k0 = 0;

	tup_init(&k, 1, kt);
	struct lt_map x = mk_map("@x", LT_AGG_NONE, &k.t);
	x.val = t_u64;
	add(&es, I(1), 8, I(1LL << 53), 8);
	add(&es, I(2), 8, I((1LL << 53) + 1), 8);
	add(&es, I(3), 8, I(-1), 8);
	CHECK_STR(render26(&x, &es, true),
		  "{\"type\": \"map\", \"data\": {\"@x\": {\"1\": 9007199254740992, \"2\": "
		  "\"9007199254740993\", \"3\": \"18446744073709551615\"}}}\n");
	CHECK_STR(render(&x, &es, 0, 0, true),
		  "{\"type\": \"map\", \"data\": {\"@x\": {\"1\": 9007199254740992, \"2\": "
		  "9007199254740993, \"3\": 18446744073709551615}}}\n");
	struct lt_map sm = mk_map("@s", LT_AGG_SUM, NULL);
	es.n = 0;
	add(&es, &k0, 8, I(-(1LL << 53) - 1), 8);
	CHECK_STR(render26(&sm, &es, true),
		  "{\"type\": \"map\", \"data\": {\"@s\": \"-9007199254740993\"}}\n");
	CHECK_STR(render26(&sm, &es, false), "@s: -9007199254740993\n");
	tup_init(&tv, 2, vt);
	struct lt_map t = mk_map("@t", LT_AGG_NONE, NULL);
	t.val = tv.t;
	memcpy(tval, I(-1), 8);
	memcpy(tval + 8, I(-1), 8);
	es.n = 0;
	add(&es, &k0, 8, tval, sizeof(tval));
	CHECK_STR(render26(&t, &es, true),
		  "{\"type\": \"map\", \"data\": {\"@t\": [-1,\"18446744073709551615\"]}}\n");
	/* the top hist bucket's bounds: [2^63, 2^64) */
	uint64_t s[LT_HIST_SLOTS] = {0};
	struct lt_map h = mk_map("@h", LT_AGG_HIST, NULL);
	s[LT_HIST_SLOTS - 1] = 1;
	es.n = 0;
	add(&es, &k0, 8, s, sizeof(s));
	CHECK_STR(render26(&h, &es, true),
		  "{\"type\": \"hist\", \"data\": {\"@h\": [{\"min\": \"9223372036854775808\", "
		  "\"max\": \"18446744073709551615\", \"count\": 1}]}}\n");
}

/* 0.26's end of run: "Lost N events" as they come, the total at exit, both on stderr (2.7). */
static void test_v26_exit_lost(void)
{
	char *mem = NULL, err[256] = {0};
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen), *errf = tmpfile();
	struct lt_prog prog = {0};
	struct lt_out o;
	int saved;

	CHECK(f && errf);
	if (!f || !errf)
		return;
	lt_out_init(&o, f, &prog, false);
	fflush(stderr);
	saved = dup(2);
	CHECK(saved >= 0 && dup2(fileno(errf), 2) == 2);
	lt_out_lost(&o, 2);
	lt_out_lost(&o, 3);
	CHECK(lt_out_exit(&o) == 0);
	fflush(stderr);
	CHECK(dup2(saved, 2) == 2);
	close(saved);
	rewind(errf);
	CHECK(fread(err, 1, sizeof(err) - 1, errf) > 0);
	CHECK_STR(err, "Lost 2 events\nLost 3 events\nWARNING: Total lost event count: 5\n");
	fflush(f);
	CHECK_STR(mem, "\n\n");
	lt_out_free(&o);
	fclose(f);
	fclose(errf);
	free(mem);
}

UNIT_MAIN(test_printf_basic, test_printf_lengths, test_printf_text, test_printf_strings,
	  test_printf_buf, test_printf_inet_sym, test_scalar_maps, test_empty_maps, test_keyed_sort,
	  test_stats_sort, test_hist, test_hist_keyed, test_lhist, test_stacks, test_tuple_value,
	  test_strftime, test_events, test_percpu_read, test_v26_maps, test_v26_hist,
	  test_v26_json_bigint, test_v26_exit_lost)
