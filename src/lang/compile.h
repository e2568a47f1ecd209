/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compiler's shared state: probes and their attach points, maps, formats, variables,
 * and the builtin/function tables (src/lang/builtins/) that semantic analysis and code
 * generation dispatch through.
 */
#ifndef TK_LANG_COMPILE_H
#define TK_LANG_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/funcplan.h"
#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/dialect.h"
#include "lang/types.h"

enum probe_type {
	PT_BEGIN,
	PT_END,
	PT_UPROBE,
	PT_URETPROBE,
	PT_TRACEPOINT,
	PT_RAWTP,
	PT_INTERVAL,
	PT_PROFILE,
	PT_SOFTWARE,
	PT_HARDWARE,
	PT_KPROBE,
	PT_KRETPROBE,
	PT_KFUNC,
	PT_KRETFUNC,
	PT_USDT,
	PT_WATCHPOINT,
	PT__COUNT,
};

#define PTM(t)	    (1u << (t))
#define PTM_UPROBES (PTM(PT_UPROBE) | PTM(PT_URETPROBE))
#define PTM_REGS    (PTM_UPROBES | PTM(PT_KPROBE) | PTM(PT_KRETPROBE) | PTM(PT_PROFILE))
#define PTM_ALL	    0xffffffffu

/* A tracepoint field from tracefs' format file. */
struct tp_field {
	char *name;
	char *ctype; /* "const char *", "char[16]", "__data_loc char[]", "int", ... */
	int offset, size;
	bool is_signed;
	bool is_str;   /* char[N] array */
	bool is_ptr;   /* pointer (e.g. const char *) */
	bool data_loc; /* __data_loc: u32 (len << 16 | offset) */
	int array_len; /* char[N]: N */
};

struct tp_format {
	struct tp_field *fields;
	int nfields;
};

/* A Go parameter found in DWARF: registers in ABI order, or on the stack. */
struct go_param {
	char *name;
	char *type_name;
	int nregs;   /* words passed in registers (0: on the stack or unknown) */
	int regs[8]; /* pt_regs offsets */
	int size;    /* bytes */
	bool is_result; /* a Go result: in the RET's registers, not the entry's */
	bool is_signed; /* DWARF says a signed integer */
	/* struct members (one level), for args.args.A */
	int nmembers;
	char *member_names[16];
	int member_reg[16]; /* pt_regs offset of each member (in registers) */
};

/* A uprobe's or uretprobe's own part (providers/uprobe.c). */
struct usdt_arg;

struct uprobe_point {
	char *path, *display;
	char *func;
	uint64_t func_offset; /* +OFF as typed */
	bool has_offset;
	bool is_go;
	unsigned int goid_off;
	/* resolved sites (entry or every RET of each matched function), cookies indexed by
	 * probe name (bpf/func_probe.h) */
	struct uprobe_sites sites;
	char **func_names; /* indexed by cookie */
	size_t nfuncs;
	struct go_param *params;
	int nparams;
	bool want_params; /* the probe body reads `args`: load DWARF parameters */
	/* Go uretprobe with `args`: entry registers saved by (process, goid, stack.hi - SP) */
	bool stash;
	int stash_fd, entry_prog_fd;
	int errs_fd; /* Go `error` type names by itab hash (goargs.c), or -1 */
	struct uprobe_sites entry_sites;
	/* usdt: the site's arguments from its note (-1: a form core/usdt.c does not read) */
	struct usdt_arg *usdt_args;
	int usdt_nargs;
};

/* A tracepoint's (cat, name, format) or a raw tracepoint's (name) (providers/tracepoint.c). */
struct tracepoint_point {
	char *cat, *name;
	struct tp_format fmt;
};

/* interval, profile, software, hardware (providers/timer.c). */
struct timer_point {
	char *unit; /* s, ms, us, hz; the event name for software/hardware */
	uint64_t freq;
};

/* kprobe, kretprobe, kfunc, kretfunc: parsed, then refused where the kernel lacks them. */
struct kernel_point {
	char *func;
};

struct provider;
struct getopt_decl;

/*
 * One concrete place a probe program is attached: what every probe type has, and the
 * provider's own part (lang/provider.h).
 */
struct attach_point {
	const struct provider *prov;
	enum probe_type type;
	char *probe_name; /* full name as bpftrace prints it for `probe` */
	uint32_t probe_index; /* LT_PROBE value */
	struct loc loc;
	int prog_fd;
	union {
		struct uprobe_point up;
		struct tracepoint_point tp;
		struct timer_point timer;
		struct kernel_point k;
	};
};

static inline bool ap_is_uprobe(const struct attach_point *ap)
{
	return ap->type == PT_UPROBE || ap->type == PT_URETPROBE;
}

static inline bool ap_is_tracepoint(const struct attach_point *ap)
{
	return ap->type == PT_TRACEPOINT || ap->type == PT_RAWTP;
}

struct probe {
	struct node *node;
	struct attach_point *aps;
	int naps;
	enum probe_type type; /* of the first attach point: decides ctx layout */
	unsigned int types;   /* mask of all attach point types */
	/* scratch variables ($x), probe-scoped as in bpftrace 0.17 */
	struct var *vars;
	int nvars;
};

struct var {
	char *name;
	struct lt_type type;
	uint32_t heap_off; /* by codegen: heap offset, or (int16_t) fp offset for integers */
	bool placed;
};

struct mapdef {
	char *name;
	struct lt_map m;
	struct lt_member *key_members;
	bool typed;	/* value type known */
	bool key_typed; /* key type known */
	struct loc loc;
	bool used_print_only;
	int decl_type;	      /* let @m = TYPE(N) (0.26): its enum bpf_map_type, 0 if none */
	uint32_t max_entries; /* ... and N */
};

struct fmtdef {
	struct lt_fmt f;
	struct lt_member *members;
};

struct lang_opts {
	enum lang_dialect dialect;
	int pid;  /* -p */
	int cpid; /* -c child, known after fork */
	bool has_cpid;
	bool verbose;
	bool offline; /* fuzzer/unit: no file or kernel access during analysis */
	bool list_mode;
	bool unsafe;   /* --unsafe: system() */
	char **params; /* positional parameters $1.. */
	int nparams;
	char **named; /* named program options after `--` (--name[=value]), for getopt() */
	int nnamed;
	/*
	 * Config variables: the `config = { ... }` block, then BPFTRACE_<KEY> in the
	 * environment, which wins (lang/config.c). Zero/NULL means the dialect's default.
	 */
	uint32_t max_strlen;		 /* string capacity, NUL included */
	uint32_t max_map_keys;		 /* a map's max entries */
	const char *str_trunc_trailer;	 /* appended to strings that filled their buffer */
	bool no_print_maps_on_exit;	 /* print_maps_on_exit = false */
	bool warnings_k;		 /* -k: failed map lookups and probe reads warn too */
	int stack_mode;			 /* config stack_mode: 0 bpftrace, 1 perf, 2 raw, 3 build_id */
	enum { MISSING_PROBES_ERROR, MISSING_PROBES_WARN, MISSING_PROBES_IGNORE } missing_probes;
	enum { UNSTABLE_WARN, UNSTABLE_ENABLE, UNSTABLE_ERROR } unstable_tseries;
};

struct compiler {
	struct diag *diag;
	struct node *prog;
	struct lang_opts *opts;
	struct probe *probes;
	int nprobes;
	struct mapdef *maps;
	int nmaps;
	struct fmtdef *fmts;
	int nfmts;
	const char **probe_names;
	int nprobe_names;
	int nattach; /* attach points, as "Attaching N probes" counts them */
	bool needs_elapsed;
	bool quiet;    /* first sema pass: types maps, reports nothing */
	void **allocs; /* arena: freed with the compiler */
	int nallocs;
	int loop_depth;
	struct lt_site *sites;	     /* where helper errors are reported (rterr.c) */
	int nsites;
	struct getopt_decl *getopts; /* getopt() options the program declares (options.c) */
	int ngetopts;
	struct node *ts_call;	     /* the tseries() call checked last: its map's parameters */
	bool ts_warned;		     /* the unstable-feature warning is out (once per run) */
	struct probe *cur;	     /* probe being analysed/generated */
	struct attach_point *cur_ap; /* attach point being generated */
};

/* A string's capacity, its NUL included: max_strlen, 1024 in bpftrace 0.26, 64 in 0.17. */
static inline uint32_t lang_max_strlen(const struct lang_opts *o)
{
	return o->max_strlen ? o->max_strlen : o->dialect == LANG_0_17 ? LT_STR_DEFAULT : 1024;
}

/* Semantic analysis: types, maps, formats; 0 or -EINVAL after diagnostics. */
int sema_run(struct compiler *c);
void compiler_free(struct compiler *c);

/* A ring-buffer record only the driver knows (run.c): system(fmt, args...), --unsafe. */
#define LANG_EV_SYSTEM 100

/* Internal value kinds the semantic pass attaches besides lt_type. */
enum vt_ext {
	VX_NONE,
	VX_AGG,	     /* the value of count()/hist()...: only assignable to a map */
	VX_ARGS,     /* the `args` record (tracepoint or Go parameters) */
	VX_GOSTRUCT, /* a Go struct parameter (args.args) */
	VX_IDENTARG, /* bare identifier used as a function argument (perf, raw, ...) */
	VX_MAPREF,   /* a whole map as an argument (print(@m), clear(@m)) */
	VX_VOID,     /* statement-only call */
};

/* Per-node semantic info (node->ext). */
struct nsema {
	struct lt_type t;
	struct lt_member *members; /* LT_TUPLE */
	enum vt_ext ext;
	enum lt_agg agg;
	int map;		      /* map index for N_MAP / VX_MAPREF */
	int var;		      /* var index for N_VAR */
	int fmt;		      /* fmt index for printf & co */
	int builtin;		      /* index in the builtin table */
	int64_t k[4];		      /* constant arguments (lhist bounds, str length, ...) */
	const struct tp_field *field; /* tracepoint field (for the first attach point) */
	int go_param, go_member;
	bool is_const_str;
	bool is_user_ptr; /* reads through it use user memory */
};

static inline struct nsema *NS(struct node *n)
{
	return (struct nsema *)n->ext;
}

/* Builtins and functions: small tables of callbacks, grouped by family. */
struct cg;
struct builtin {
	const char *name;
	bool is_call;	     /* name(...) rather than a bare identifier */
	unsigned int probes; /* probe types where it is allowed (mask of PTM()) */
	int (*check)(struct compiler *c, struct node *n);
	int (*emit)(struct cg *g, struct node *n, int dst); /* dst: heap offset for blobs */
};

extern const struct builtin builtins_context[], builtins_maps[], builtins_strings[],
	builtins_stacks[], builtins_options[], builtins_names[];
/*
 * After analysis: every named option given is one the program declares (else the error and
 * its hint), and `-- --help` lists them. 0 to go on, 1 to stop with status 1.
 */
int options_check_named(struct compiler *c);
extern const struct builtin builtins_task[]; /* curtask and its derivatives */
extern const struct builtin builtins_debug[]; /* debugf() (builtins/debug.c) */
/* offsetof, pton, cgroupid, macaddr, uaddr; casts to and from integer arrays (builtins/addr.c) */
extern const struct builtin builtins_addr[];
/* sizeof() of a union, enum, typedef or array name: 1 with *size, 0 when not one, or an error */
int addr_sizeof(struct compiler *c, struct node *n, int64_t *size);
/* A cast to an integer array, or of one (n->a analysed): rewritten into "$cast_array"() */
int addr_sema_cast(struct compiler *c, struct node *n);
extern const struct builtin builtins_tseries[]; /* tseries() (builtins/tseries.c) */
/* @m = tseries(...): the map takes the call's parameters, the same at every call site. */
int tseries_map_params(struct compiler *c, struct mapdef *md, bool first);
const struct builtin *builtin_find(const char *name, bool is_call, int *index);
const struct builtin *builtin_get(int index);
/* argN / sargN / gargN: N for that prefix, or -1. */
int builtin_arg_index(const char *name, const char *prefix);

/* sema helpers used by the builtin tables */
int sema_expr(struct compiler *c, struct node *n);
void *c_alloc(struct compiler *c, size_t size);
int sema_err(struct compiler *c, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct nsema *sema_info(struct node *n);
void sema_set_int(struct node *n, int size, bool is_signed);
/* n is a truth value: bpftrace 0.26's bool, or 0.17's unsigned 1/0 integer. */
void sema_set_bool(struct compiler *c, struct node *n);
/* n is a string of size bytes (its NUL included). */
void sema_set_str(struct node *n, uint32_t size);
int sema_map_value(struct compiler *c, struct node *map, enum lt_agg agg, const struct lt_type *val,
		   struct loc loc);
int sema_map_ref(struct compiler *c, struct node *arg, const char *fn);
/* The program's map declarations, once every use of the maps is typed (sema_map.c). */
int sema_map_decls(struct compiler *c);
/* The index of @name in c->maps, added on first use (sema_map.c). */
int sema_map_get(struct compiler *c, struct node *n);
int fmt_add(struct compiler *c, const char *fmt, struct node *args, int nskip);
/*
 * A warning the program prints when it runs (0.26's runtime warnings): msg at loc, with the
 * source excerpt. Returns its fmt index for cg_runtime_warning() (rterr.c).
 */
int sema_runtime_warning(struct compiler *c, struct loc loc, const char *msg);
/* $s[i] on a string (0.25): its byte i, an int8 (builtins/strings.c). */
int sema_str_index(struct compiler *c, struct node *n);
const char *probe_type_name(enum probe_type t);
bool lt_is_int(const struct lt_type *t);
bool sema_const_int(struct compiler *c, struct node *n, int64_t *v);
/* n has exactly `want` arguments, else bpftrace's "f() requires ..." error. */
int sema_nargs(struct compiler *c, struct node *n, int want);
/* n's one argument, analysed, is an integer, else "f() expects WHAT". */
int sema_int_arg(struct compiler *c, struct node *n, const char *what);
const char *lt_type_str(const struct lt_type *t, char *buf, size_t len);
/* sema internals shared by sema.c and sema_stmt.c */
bool types_compatible(const struct lt_type *a, const struct lt_type *b);
/*
 * Records (types.c): a tuple with field names. record_unwrap() moves an N_RECORD's names to
 * its a list and its values to args (once), so that it is checked as a tuple, then
 * record_name() names the members; record_field() is `$r.name`.
 */
bool lt_is_record(const struct lt_type *t);
int record_unwrap(struct compiler *c, struct node *n);
int record_name(struct compiler *c, struct node *n);
int record_field(struct compiler *c, struct node *n);
/* Tuples and records compared with == and != (types.c): the check, and R0 = the result. */
int tuple_compare(struct compiler *c, struct node *n);
int cg_tuple_equal(struct cg *g, struct node *n);
void type_copy(struct compiler *c, struct lt_type *dst, const struct lt_type *src);
int sema_map_keys(struct compiler *c, struct node *n);
struct var *var_find(struct probe *p, const char *name);
struct var *var_add(struct probe *p, const char *name);

#endif
