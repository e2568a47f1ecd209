/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The value model shared by the language's compiler (codegen writes these layouts into BPF
 * maps and ring-buffer events) and its runtime (print*.c / fmt*.c read them back and render
 * them exactly as bpftrace 0.17 does).
 *
 * Everything here is a byte layout contract: change a layout only together with both sides.
 *
 * ---------------------------------------------------------------------------------------------
 * 1. Values (struct lt_type)
 *
 *   kind          bytes (in a key, a tuple, an event)          align  notes
 *   LT_INT        size 1/2/4/8, host endian, signed or not      size   see "integers" below
 *   LT_STR        size bytes, NUL-terminated inside (default 64 = bpftrace's BPFTRACE_STRLEN)
 *   LT_BUF        struct lt_buf_hdr + cap bytes, rounded up to 8   8   buf(p, n); printed \xNN
 *   LT_KSTACK     struct lt_stack_hdr + u64 ip[nframes]          8   bpf_get_stack(ctx, ip, ..., 0)
 *   LT_USTACK     struct lt_stack_hdr + u64 ip[nframes]          8   ... BPF_F_USER_STACK; pid set
 *   LT_KSYM       u64 addr                                       8
 *   LT_USYM       struct lt_usym {u64 addr; u32 pid; u32 pad}    8   usym(), and `func` on uprobes
 *   LT_INET       struct lt_inet {u32 af; u32 pad; u8 addr[16]}  8   ntop(); af 2 = IPv4, 10 = IPv6
 *   LT_TIMESTAMP  u64 ns of CLOCK_BOOTTIME                       8   strftime(fmt, ns); fmt_id
 * below LT_PROBE      u64 probe index                                8   `probe`; runtime has the
 * names LT_TUPLE      members at their offsets (each aligned to its own alignment), size rounded up
 * to the tuple's alignment (the largest member alignment) LT_NONE       0 bytes: a statement
 * without value (printf(), delete(), ...)
 *
 *   Integers: in map keys, map values and printf/print events every integer is stored as 8
 *   bytes, sign- or zero-extended by its declared signedness (this is what makes `%d` of a
 *   64-bit value truncate like bpftrace's does: the formatter applies the C length modifier).
 *   The declared size is kept in the type only for casts, sizeof() and semantic checks. Inside
 *   a tuple, integers are 8 bytes too.
 *
 *   Stacks: nframes defaults to LT_STACK_FRAMES (127, perf_event_max_stack here), so a stack is
 *   exactly 1024 bytes. bpf_get_stack() zero-fills the unused tail, which keeps equal stacks
 *   byte-equal as map keys. Frames are printed up to the first zero ip. For Go entry probes the
 *   compiler may put *(u64 *)SP in ip[1] after shifting (go-tracing.md §6).
 *   kstack(N) / ustack(N) limit the printed frames to N (type field nframes = N; the BPF side
 *   may still capture 127 and the runtime prints N).
 *
 * ---------------------------------------------------------------------------------------------
 * 2. Maps
 *
 *   Key: the map's key expressions laid out as a tuple (see LT_TUPLE) with integers as 8 bytes.
 *   A map without keys (`@x = ...`) has a u64 key that is always 0; its key type is LT_NONE.
 *   Key size = lt_type_size(key), minimum 8.
 *
 *   Value (per CPU, in a BPF_MAP_TYPE_PERCPU_HASH; libbpf/the kernel round each CPU's slot up
 *   to 8 bytes, so a lookup returns ncpus * roundup(value_size, 8) bytes):
 *
 *   agg            per-CPU value                       reduce across CPUs
 *   LT_AGG_COUNT   u64 n                               sum
 *   LT_AGG_SUM     s64 n                               sum
 *   LT_AGG_MIN     struct lt_minmax {s64 v; u64 set}   min of v over CPUs with set != 0
 *   LT_AGG_MAX     struct lt_minmax                    max of v over CPUs with set != 0
 *   LT_AGG_AVG     struct lt_avgstat {s64 sum; u64 n}  sum both; avg = sum / n (C integer div)
 *   LT_AGG_STATS   struct lt_avgstat                   same; prints count, average, total
 *   LT_AGG_HIST    u64 slot[LT_HIST_SLOTS]; s64 sum    sum per slot; slot = lt_hist_slot(v);
 *                                                      sum of v (--metrics' _sum)
 *   LT_AGG_LHIST   u64 slot[lt_lhist_slots(...)]; sum  sum per slot; slot = lt_lhist_slot(...)
 *   LT_AGG_TSERIES u64 hdr; struct lt_ts_slot[count]   per slot: the CPUs at the newest epoch,
 *                  combined by the mode (print_tseries.c); slot = epoch % count with
 *                  epoch = TAI ns / interval; hdr: 0 in BPF, the map's newest epoch once read
 *
 *   A whole histogram lives in one value (no bucket suffix in the key): one lookup per event,
 *   one map entry per key, and the runtime reads a histogram in one syscall.
 *
 *   LT_AGG_NONE (plain assignment `@x[k] = expr`): a BPF_MAP_TYPE_HASH (not per-CPU) whose
 *   value is the expression's type laid out as above (ints as 8 bytes). `@x++`, `@x += n`
 *   are read-modify-write on that value (not atomic, as in bpftrace).
 *
 * ---------------------------------------------------------------------------------------------
 * 3. Events (ring buffer records, BPF -> user space)
 *
 *   Every record starts with struct lt_event_hdr {u32 kind; u32 id}. What follows by kind:
 *
 *   LT_EV_PRINTF   id = index in lt_prog.fmts; then the args as a tuple (fmt->args).
 *   LT_EV_TIME     id = fmt index (fmt->fmt is the strftime format, "%H:%M:%S\n" if none);
 *                  nothing follows (user space reads the clock, like bpftrace).
 *   LT_EV_JOIN     id = fmt index (fmt->fmt is the separator, " " by default); then
 *                  char arg[LT_JOIN_MAX_ARGS][fmt->join_arg_size], an empty arg ends the list.
 *   LT_EV_PRINT    id = map index; then struct lt_ev_print {u64 top; u64 div} (0 = not given).
 *   LT_EV_CLEAR    id = map index: user space deletes every key.
 *   LT_EV_ZERO     id = map index: user space zeroes every value.
 *   LT_EV_PRINT_VAL id = fmt index; then one value of type fmt->args (a 1-member tuple).
 *   LT_EV_CAT      id = fmt index; then the args tuple; fmt->fmt is the path format.
 *   LT_EV_EXIT     id = exit code (0.26's exit(code)); user space stops, runs END, prints the maps.
 *
 *   Records are not padded beyond the last member; user space checks the length.
 */
#ifndef TK_LANG_TYPES_H
#define TK_LANG_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LT_STR_DEFAULT	   64	/* bpftrace's BPFTRACE_STRLEN */
#define LT_STACK_FRAMES	   127	/* frames captured per stack (perf_event_max_stack here) */
#define LT_HIST_SLOTS	   66	/* (..., 0) + [0] + [1] + [2^k, 2^(k+1)) for k = 1..63 */
#define LT_LHIST_MAX_SLOTS 1002 /* (max - min) / step buckets + 2 overflow rows */
#define LT_JOIN_MAX_ARGS   16
#define LT_COMM_SIZE	   16
#define LT_MAP_KEYS_MAX	   4096 /* bpftrace's BPFTRACE_MAP_KEYS_MAX default */

/* ustack(build_id): 32-byte struct bpf_stack_build_id frames in a stack's 8 * 127 bytes */
#define LT_STACK_BUILD_ID_FRAMES 31

enum lt_kind {
	LT_NONE = 0,
	LT_INT,
	LT_STR,
	LT_BUF,
	LT_KSTACK,
	LT_USTACK,
	LT_KSYM,
	LT_USYM,
	LT_INET,
	LT_TIMESTAMP,
	LT_PROBE,
	LT_TUPLE,
	/* a C struct, union or array copied from memory (btftypes.h): size bytes as they are
	 * there, of type btf_ref; printed from its BTF (fmt_value.c) */
	LT_CSTRUCT,
	/* a Go slice's first `size` elements (integers, 8 bytes each here) after its u64 length;
	 * elem is their type (goargs.c) */
	LT_ARRAY,
};

struct lt_type;

struct lt_member {
	const struct lt_type *type;
	uint32_t offset; /* from the start of the tuple */
	const char *name; /* a record's field (0.25's named tuple, types.c); NULL in a tuple */
};

struct lt_type {
	enum lt_kind kind;
	/* LT_INT: declared size 1/2/4/8 (stored as 8, see above). LT_STR: bytes incl. NUL.
	 * LT_BUF: capacity in bytes. Others: unused (0). */
	uint32_t size;
	bool is_signed; /* LT_INT */
	/* LT_INT: bpftrace 0.26's bool (0 or 1, unsigned): printed true/false, %d gives 1/0. */
	bool is_bool;
	/* LT_INT: a number printed as what user space finds for it when printing (fmt_sym.c):
	 * a uid's user name (`username`), a cgroup id's path (`cgroup_path()`), a pid's
	 * command (`comm(pid)`) */
	enum lt_resolve { LT_RES_NONE, LT_RES_USERNAME, LT_RES_CGROUP_PATH, LT_RES_PID_COMM } resolve;
	/* LT_INT: macaddr()'s six bytes (first byte lowest), printed AA:BB:CC:DD:EE:FF */
	bool is_macaddr;
	/* LT_KSTACK/LT_USTACK: frames to print (<= LT_STACK_FRAMES; 0 = all). */
	uint32_t nframes;
	/* LT_KSTACK/LT_USTACK: bpftrace's `perf` mode (`\tADDR sym+off [(path)]`). */
	bool stack_perf;
	/* LT_KSTACK/LT_USTACK: `raw` mode (0.18): bare hex addresses, no indent */
	bool stack_raw;
	/* LT_USTACK: `build_id` mode (0.25): struct bpf_stack_build_id frames (at most
	 * LT_STACK_BUILD_ID_FRAMES), printed `BUILDID 0xOFFSET` (fmt_sym.c) */
	bool stack_build_id;
	/* LT_STR read from memory (str()): a full buffer may be a cut string, printed with
	 * lt_prog.str_trunc_trailer after it (bpftrace 0.18 on) */
	bool may_truncate;
	/* LT_TIMESTAMP: index in lt_prog.fmts of the strftime format. */
	uint32_t fmt_id;
	/* LT_INT: a pointer into kernel or script C types (btftypes.h): the pointee's type
	 * reference and the pointer depth (0: a plain integer). */
	uint32_t btf_ref;
	uint32_t btf_ptr;
	/* LT_TUPLE: a record, its members named (types.c) */
	bool is_record;
	/* LT_ARRAY: the elements' type */
	const struct lt_type *elem;
	/* LT_TUPLE */
	const struct lt_member *members;
	uint32_t nmembers;
};

/* ---- fixed layouts ------------------------------------------------------------------ */

struct lt_stack_hdr {
	uint32_t pid; /* tgid for ustack (symbolization), 0 for kstack */
	uint32_t pad;
	/* uint64_t ip[LT_STACK_FRAMES] follows */
};

struct lt_buf_hdr {
	uint32_t len; /* valid bytes in data */
	uint32_t pad;
	/* uint8_t data[cap] follows */
};

struct lt_usym {
	uint64_t addr;
	uint32_t pid;
	uint32_t pad;
};

struct lt_inet {
	uint32_t af; /* AF_INET (2) or AF_INET6 (10) */
	uint32_t pad;
	uint8_t addr[16]; /* network order; IPv4 uses the first 4 bytes */
};

struct lt_minmax {
	int64_t v;
	uint64_t set;
};

struct lt_avgstat {
	int64_t sum;
	uint64_t n;
};

/*
 * One interval of a tseries (0 epoch: never written). meta: the TAI time of the write
 * ("last": the newest CPU's value wins), the count of values (avg); unused otherwise.
 */
struct lt_ts_slot {
	int64_t v;
	uint64_t meta;
	uint64_t epoch;
};

enum lt_ts_mode { LT_TS_LAST, LT_TS_AVG, LT_TS_MAX, LT_TS_MIN, LT_TS_SUM };

struct lt_event_hdr {
	uint32_t kind; /* enum lt_event_kind */
	uint32_t id;
};

struct lt_ev_print {
	uint64_t top;
	uint64_t div;
};

enum lt_event_kind {
	LT_EV_PRINTF = 1,
	LT_EV_TIME,
	LT_EV_JOIN,
	LT_EV_PRINT,
	LT_EV_CLEAR,
	LT_EV_ZERO,
	LT_EV_PRINT_VAL,
	LT_EV_CAT,
	LT_EV_EXIT,
	LT_EV_ERRORF, /* id = fmt index; then the args tuple; fmt->where says where it was called */
	LT_EV_WARNF,
	LT_EV_HELPER_ERROR, /* id = index in lt_prog.sites; then the helper's int64 return */
};

/* A place in the program where a BPF helper's failure is reported (lang/rterr.c). */
struct lt_site {
	const char *helper; /* "map_update_elem", ... */
	int helper_id;	    /* its BPF_FUNC_ number */
	const char *file;
	int line, col, end;
	const char *excerpt; /* the source line and its underline */
};

enum lt_agg {
	LT_AGG_NONE = 0,
	LT_AGG_COUNT,
	LT_AGG_SUM,
	LT_AGG_MIN,
	LT_AGG_MAX,
	LT_AGG_AVG,
	LT_AGG_STATS,
	LT_AGG_HIST,
	LT_AGG_LHIST,
	LT_AGG_TSERIES, /* tseries(v, interval, count[, mode]) (0.24): lang/print_tseries.c */
};

/* ---- the program description handed from the compiler to the runtime ---------------- */

struct lt_map {
	const char *name;   /* "@" or "@name", as printed */
	struct lt_type key; /* LT_NONE (scalar map) or LT_TUPLE of the key expressions */
	struct lt_type val; /* LT_AGG_NONE: the stored value's type; aggregations: unused */
	enum lt_agg agg;
	int64_t lhist_min, lhist_max, lhist_step; /* LT_AGG_LHIST */
	uint32_t hist_bits; /* LT_AGG_HIST: hist(v, k) (0.20): 2^k buckets per power of 2 */
	/* LT_AGG_TSERIES: interval (ns), intervals kept, mode (enum lt_ts_mode), value signed */
	uint64_t ts_interval;
	uint32_t ts_count, ts_mode;
	bool ts_signed;
	uint32_t key_size;			  /* lt_map_key_size(&key) */
	uint32_t value_size; /* lt_map_value_size(this): one CPU's slot before rounding */
	bool percpu;	     /* every agg except LT_AGG_NONE */
	int fd;		     /* set once created */
	/* --metrics: a label name per key member (lang_key_labels()); NULL: none */
	const char **key_names;
};

struct lt_fmt {
	const char *fmt;	/* printf/strftime format, join separator, cat path format */
	struct lt_type args;	/* LT_TUPLE of the arguments (LT_NONE when there are none) */
	uint32_t join_arg_size; /* LT_EV_JOIN: bytes per argument string */
	/* errorf/warnf: the call's place, printed as FILE:LINE:COL-END before the message */
	const char *file;
	int line, col, end;
	const char *excerpt; /* runtime warnings: the source line and its underline after it */
};

struct lt_prog {
	struct lt_map *maps;
	uint32_t nmaps;
	struct lt_fmt *fmts;
	uint32_t nfmts;
	const char **probe_names; /* for LT_PROBE values, indexed by probe index */
	uint32_t nprobes;
	const char *str_trunc_trailer; /* after a string that filled its buffer (NULL: none) */
	const struct lt_site *sites;   /* helper errors' places */
	uint32_t nsites;
};

/* A string value that filled its buffer: bpftrace 0.18 on shows it was (maybe) cut. */
static inline bool lt_str_is_cut(const struct lt_type *t, const char *s,
				 const struct lt_prog *prog)
{
	return t->may_truncate && prog && prog->str_trunc_trailer &&
	       strnlen(s, t->size) + 1 >= t->size;
}

/* ---- size and alignment ------------------------------------------------------------- */

static inline uint32_t lt_align_up(uint32_t n, uint32_t a)
{
	return a ? (n + a - 1) / a * a : n;
}

/* Alignment of a value of type t in keys, tuples and events. */
static inline uint32_t lt_type_align(const struct lt_type *t)
{
	uint32_t a = 1;

	switch (t->kind) {
	case LT_NONE:
		return 1;
	case LT_STR:
		return 1;
	case LT_TUPLE:
		for (uint32_t i = 0; i < t->nmembers; i++) {
			uint32_t m = lt_type_align(t->members[i].type);
			if (m > a)
				a = m;
		}
		return a;
	default:
		return 8;
	}
}

/* Bytes a value of type t occupies in keys, tuples and events. */
static inline uint32_t lt_type_size(const struct lt_type *t)
{
	switch (t->kind) {
	case LT_NONE:
		return 0;
	case LT_INT:
	case LT_KSYM:
	case LT_TIMESTAMP:
	case LT_PROBE:
		return 8;
	case LT_STR:
		return t->size ? t->size : LT_STR_DEFAULT;
	case LT_BUF:
		return lt_align_up(sizeof(struct lt_buf_hdr) + t->size, 8);
	case LT_KSTACK:
	case LT_USTACK:
		return sizeof(struct lt_stack_hdr) + 8 * LT_STACK_FRAMES;
	case LT_USYM:
		return sizeof(struct lt_usym);
	case LT_INET:
		return sizeof(struct lt_inet);
	case LT_CSTRUCT:
		return t->size;
	case LT_ARRAY:
		return 8 + 8 * t->size;
	case LT_TUPLE: {
		uint32_t end = 0;
		for (uint32_t i = 0; i < t->nmembers; i++) {
			uint32_t e = t->members[i].offset + lt_type_size(t->members[i].type);
			if (e > end)
				end = e;
		}
		return lt_align_up(end, lt_type_align(t));
	}
	}
	return 0;
}

/*
 * Fill members[i].offset for a tuple whose member types are set: each member at the next
 * offset aligned to its own alignment. Returns the tuple's size.
 */
static inline uint32_t lt_tuple_layout(struct lt_member *members, uint32_t n)
{
	uint32_t off = 0, align = 1;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = lt_type_align(members[i].type);
		off = lt_align_up(off, a);
		members[i].offset = off;
		off += lt_type_size(members[i].type);
		if (a > align)
			align = a;
	}
	return lt_align_up(off, align);
}

static inline uint32_t lt_map_key_size(const struct lt_type *key)
{
	uint32_t n = lt_type_size(key);

	return n < 8 ? 8 : lt_align_up(n, 8);
}

static inline uint32_t lt_lhist_slots(int64_t min, int64_t max, int64_t step)
{
	if (step <= 0 || max <= min)
		return 0;
	return (uint32_t)((max - min) / step) + 2;
}

/* The slots of a hist or lhist value (the u64 after them is the values' sum). */
static inline uint32_t lt_hist_slots_of(const struct lt_map *m)
{
	if (m->agg == LT_AGG_LHIST)
		return lt_lhist_slots(m->lhist_min, m->lhist_max, m->lhist_step);
	/* (..., 0), [0] .. [2^(k+1) - 1], then 2^k per power of 2 up to 2^63 */
	return ((63 - m->hist_bits) << m->hist_bits) + (2u << m->hist_bits) + 1;
}

/* One CPU's value bytes for a map (before the kernel's per-CPU rounding to 8). */
static inline uint32_t lt_map_value_size(const struct lt_map *m)
{
	switch (m->agg) {
	case LT_AGG_NONE:
		return lt_align_up(lt_type_size(&m->val) ? lt_type_size(&m->val) : 8, 8);
	case LT_AGG_COUNT:
	case LT_AGG_SUM:
		return 8;
	case LT_AGG_MIN:
	case LT_AGG_MAX:
		return sizeof(struct lt_minmax);
	case LT_AGG_AVG:
	case LT_AGG_STATS:
		return sizeof(struct lt_avgstat);
	case LT_AGG_HIST:
	case LT_AGG_LHIST:
		/* the slots, then the sum of the values (--metrics' _sum, lang/map_metrics.c) */
		return 8 * (lt_hist_slots_of(m) + 1);
	case LT_AGG_TSERIES:
		return 8 + m->ts_count * (uint32_t)sizeof(struct lt_ts_slot);
	}
	return 0;
}

/* ---- histogram slots (the BPF side computes the same with shifts and compares) ------- */

/*
 * bpftrace's log2 buckets: slot 0 = negative "(..., 0)", 1 = "[0]", 2 = "[1]",
 * k + 1 = "[2^(k-1), 2^k)" for k >= 2, i.e. slot = 2 + floor(log2(v)) for v >= 1.
 */
static inline uint32_t lt_hist_slot(int64_t v)
{
	uint32_t l = 0;

	if (v < 0)
		return 0;
	if (v == 0)
		return 1;
	for (uint64_t u = (uint64_t)v; u > 1; u >>= 1)
		l++;
	return 2 + l;
}

/*
 * Linear buckets: slot 0 = "(..., min)", 1 + (v - min) / step for min <= v < max,
 * last = "[max, ...)".
 */
static inline uint32_t lt_lhist_slot(int64_t v, int64_t min, int64_t max, int64_t step)
{
	uint32_t n = lt_lhist_slots(min, max, step);

	if (n == 0 || v < min)
		return 0;
	if (v >= max)
		return n - 1;
	return 1 + (uint32_t)((v - min) / step);
}

#endif
