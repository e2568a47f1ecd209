// SPDX-License-Identifier: GPL-2.0
/*
 * Config variables (config.h). Keys, defaults and messages are bpftrace 0.26's (src/config.cpp):
 * keys are case-insensitive and may carry the BPFTRACE_ prefix; a value is an integer, a
 * string, true/false or a bare word. Only the variables tracekit has a use for reach
 * struct lang_opts; the others are checked and dropped.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/config.h"

enum cfg_kind {
	CFG_INT,
	CFG_BOOL,
	CFG_STR,
	CFG_WORD, /* one of a list of words, case-insensitive */
	CFG_LICENSE,
};

enum cfg_id {
	K_OTHER,
	K_MAX_STRLEN,
	K_MAX_MAP_KEYS,
	K_STR_TRUNC_TRAILER,
	K_PRINT_MAPS_ON_EXIT,
	K_MISSING_PROBES,
	K_STACK_MODE,
	K_UNSTABLE_TSERIES,
};

struct cfg_key {
	const char *name;
	enum cfg_kind kind;
	enum cfg_id id;
	/* CFG_WORD: the words (NULL-terminated; the word's index is the value) and the error */
	const char *const *words;
	const char *bad;
};

static const char *const missing_words[] = {"error", "warn", "ignore", NULL};
static const char *const stack_words[] = {"bpftrace", "perf", "raw", "build_id", NULL};
static const char *const cache_words[] = {"per_pid", "per_program", "none", "1", "0", NULL};
static const char *const unstable_words[] = {"enable", "warn", "error", "true",
					     "false",  "1",    "0",	NULL};
static const char *const licenses[] = {
	"GPL",		"GPL v2",	"GPL and additional rights",
	"Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
};

/* Every key, in bpftrace's order (by name): the order the environment is read in. */
static const char *const key_names[] = {
	"cache_user_symbols",
	"cpp_demangle",
	"lazy_symbolication",
	"license",
	"log_size",
	"max_bpf_progs",
	"max_cat_bytes",
	"max_map_keys",
	"max_probes",
	"max_strlen",
	"missing_probes",
	"on_stack_limit",
	"perf_rb_pages",
	"print_maps_on_exit",
	"show_debug_info",
	"stack_mode",
	"str_trunc_trailer",
	"unstable_dw_ustack",
	"unstable_import_statement",
	"unstable_tseries",
	"unstable_typeinfo",
	"use_blazesym",
};

static const char *const bool_keys[] = {"cpp_demangle", "lazy_symbolication", "print_maps_on_exit",
					"show_debug_info", "use_blazesym"};

/* The keys that take a word of a list; the unstable_ ones share the last entry. */
static const struct {
	const char *name;
	const char *const *words;
	const char *bad;
} word_keys[] = {
	{"missing_probes", missing_words,
	 "Invalid value for missing_probes: valid values are ignore, warn, and error."},
	/* ours: bpftrace's text is not in the reference */
	{"stack_mode", stack_words,
	 "Invalid value for stack_mode: valid values are bpftrace, perf, raw, and build_id."},
	{"cache_user_symbols", cache_words,
	 "Invalid value for cache_user_symbols: valid values are PER_PID, PER_PROGRAM, and NONE."},
	{"unstable_", unstable_words,
	 "Invalid value for unstable config: valid values are enable, warn, and error."},
};

/* 0.17's names, accepted in a config block with a warning. */
static const struct {
	const char *old, *now;
} renamed[] = {
	{"strlen", "max_strlen"},
	{"no_cpp_demangle", "cpp_demangle"},
	{"cat_bytes_max", "max_cat_bytes"},
	{"map_keys_max", "max_map_keys"},
};

static const char *const env_only[] = {"btf", "kernel_build", "kernel_source", "vmlinux"};
static const char *const dead[] = {"symbol_source"};

/* A value as written: an integer (also true/false), or text. */
struct cfg_val {
	bool is_int;
	uint64_t num;
	const char *str;
};

/* The key without BPFTRACE_ and in lower case, into buf; false when it does not fit. */
static bool key_norm(const char *key, char *buf, size_t size)
{
	size_t i;

	if (!strncasecmp(key, "bpftrace_", 9))
		key += 9;
	for (i = 0; key[i]; i++) {
		if (i + 1 >= size)
			return false;
		buf[i] = (char)tolower((unsigned char)key[i]);
	}
	buf[i] = 0;
	return true;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* What the known key norm (key_norm()'s) takes, in *k; false for an unknown key. */
static bool key_find(const char *norm, struct cfg_key *k)
{
	static const struct {
		const char *name;
		enum cfg_id id;
	} ids[] = {
		{"max_strlen", K_MAX_STRLEN},
		{"max_map_keys", K_MAX_MAP_KEYS},
		{"str_trunc_trailer", K_STR_TRUNC_TRAILER},
		{"print_maps_on_exit", K_PRINT_MAPS_ON_EXIT},
		{"missing_probes", K_MISSING_PROBES},
		{"stack_mode", K_STACK_MODE},
		{"unstable_tseries", K_UNSTABLE_TSERIES},
	};

	if (!in_list(norm, key_names, sizeof(key_names) / sizeof(key_names[0])))
		return false;
	memset(k, 0, sizeof(*k));
	k->name = norm;
	k->kind = CFG_INT;
	if (!strcmp(norm, "license"))
		k->kind = CFG_LICENSE;
	else if (!strcmp(norm, "str_trunc_trailer"))
		k->kind = CFG_STR;
	else if (in_list(norm, bool_keys, sizeof(bool_keys) / sizeof(bool_keys[0])))
		k->kind = CFG_BOOL;
	for (size_t i = 0; i < sizeof(word_keys) / sizeof(word_keys[0]); i++) {
		if (!strncmp(norm, word_keys[i].name, strlen(word_keys[i].name))) {
			k->kind = CFG_WORD;
			k->words = word_keys[i].words;
			k->bad = word_keys[i].bad;
		}
	}
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!strcmp(norm, ids[i].name))
			k->id = ids[i].id;
	return true;
}

/* Index of s among words (case-insensitive), -1 if none. */
static int word_index(const char *s, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (!strcasecmp(s, words[i]))
			return i;
	return -1;
}

/*
 * Store v for k into opts; NULL, or the error's detail ("expecting a number, got x"), in
 * buf, to be said after "KEY: ".
 */
static const char *cfg_set(struct lang_opts *o, const struct cfg_key *k, const struct cfg_val *v,
			   char *buf, size_t size)
{
	uint64_t num = v->num;
	const char *s = v->str;
	char numtext[24];
	int w = -1;

	if (v->is_int) {
		snprintf(numtext, sizeof(numtext), "%" PRIu64, v->num);
		s = numtext;
	}
	switch (k->kind) {
	case CFG_INT:
		if (!v->is_int) {
			char *end;

			errno = 0;
			num = strtoull(s, &end, 0);
			if (!*s || *end || errno || *s == '-') {
				snprintf(buf, size, "expecting a number, got %s", s);
				return buf;
			}
		}
		break;
	case CFG_BOOL:
		if (!v->is_int) {
			if (!strcasecmp(s, "true") || !strcmp(s, "1"))
				num = 1;
			else if (!strcasecmp(s, "false") || !strcmp(s, "0"))
				num = 0;
			else
				return "Invalid bool value: valid values are true, false, 1 or 0.";
		}
		break;
	case CFG_WORD:
		w = word_index(s, k->words);
		/* missing_probes takes no number, not even 0 or 1 */
		if (w < 0 || (v->is_int && k->id == K_MISSING_PROBES))
			return k->bad;
		break;
	case CFG_LICENSE:
		if (v->is_int || !in_list(s, licenses, sizeof(licenses) / sizeof(licenses[0]))) {
			snprintf(
				buf, size,
				"Invalid value for license. Found: %s. Valid values: Dual MPL/GPL, "
				"Dual MIT/GPL, Dual BSD/GPL, GPL and additional rights, GPL v2, "
				"GPL. "
				"Read more about BPF programs and licensing: "
				"https://docs.kernel.org/bpf/"
				"bpf_licensing.html#using-bpf-programs-in-the-linux-kernel",
				s);
			return buf;
		}
		break;
	case CFG_STR:
		break;
	}
	switch (k->id) {
	case K_MAX_STRLEN:
	case K_MAX_MAP_KEYS:
		if (num > UINT32_MAX) {
			snprintf(buf, size, "value %" PRIu64 " is out of range", num); /* ours */
			return buf;
		}
		*(k->id == K_MAX_STRLEN ? &o->max_strlen : &o->max_map_keys) = (uint32_t)num;
		break;
	case K_STR_TRUNC_TRAILER:
		/* v->str lives with the program or the environment; a number has no text there */
		if (v->is_int)
			return "expecting a string"; /* ours */
		o->str_trunc_trailer = v->str;
		break;
	case K_PRINT_MAPS_ON_EXIT:
		o->no_print_maps_on_exit = !num;
		break;
	case K_MISSING_PROBES:
		o->missing_probes = w == 0   ? MISSING_PROBES_ERROR
				    : w == 1 ? MISSING_PROBES_WARN
					     : MISSING_PROBES_IGNORE;
		break;
	case K_STACK_MODE: /* stack_words' order */
		o->stack_mode = w;
		break;
	case K_UNSTABLE_TSERIES: /* unstable_words: enable warn error true false 1 0 */
		o->unstable_tseries = w == 1			   ? UNSTABLE_WARN
				      : w == 2 || w == 4 || w == 6 ? UNSTABLE_ERROR
								   : UNSTABLE_ENABLE;
		break;
	case K_OTHER:
		break;
	}
	return NULL;
}

/* One `KEY = VALUE` of the block; 0 or -EINVAL after reporting. */
static int config_stmt(struct compiler *c, const struct node *st)
{
	const char *key = st->a->name, *err;
	const struct node *vn = st->b;
	struct cfg_key k;
	struct cfg_val v = {0};
	char norm[64], buf[512];

	if (!key_norm(key, norm, sizeof(norm)))
		norm[0] = 0;
	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++) {
		if (!strcmp(norm, renamed[i].old)) {
			diag_warn(c->diag, st->loc, "%s has been renamed, please use %s", key,
				  renamed[i].now);
			snprintf(norm, sizeof(norm), "%s", renamed[i].now);
			break;
		}
	}
	if (in_list(norm, dead, sizeof(dead) / sizeof(dead[0]))) {
		diag_warn(c->diag, st->loc, "%s is deprecated and has no effect", key);
		return 0;
	}
	if (in_list(norm, env_only, sizeof(env_only) / sizeof(env_only[0]))) {
		diag_error(c->diag, st->loc, "%s: can only be set as an environment variable", key);
		return -EINVAL;
	}
	if (!key_find(norm, &k)) {
		diag_error(c->diag, st->loc, "%s: not a known configuration option", key);
		return -EINVAL;
	}
	if (vn->kind == N_NUM) {
		v.is_int = true;
		v.num = (uint64_t)vn->num;
	} else if (vn->kind == N_IDENT &&
		   (!strcmp(vn->name, "true") || !strcmp(vn->name, "false"))) {
		v.is_int = true;
		v.num = !strcmp(vn->name, "true");
	} else {
		v.str = vn->name;
	}
	err = cfg_set(c->opts, &k, &v, buf, sizeof(buf));
	if (err) {
		/* bpftrace's license error is the only one that does not start with the key */
		diag_error(c->diag, st->loc, "%s%s%s", k.kind == CFG_LICENSE ? "" : key,
			   k.kind == CFG_LICENSE ? "" : ": ", err);
		return -EINVAL;
	}
	return 0;
}

int lang_config_apply(struct compiler *c)
{
	char name[64], buf[512];
	int ret = 0;

	if (c->opts->dialect != LANG_0_26)
		return 0;
	for (const struct node *n = c->prog->b; n; n = n->next)
		if (n->kind == N_CONFIG)
			for (const struct node *st = n->args; st; st = st->next)
				if (config_stmt(c, st))
					ret = -EINVAL;
	if (ret)
		return ret;
	/* only the current names are read from the environment: 0.17's are ignored */
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		struct cfg_val v = {0};
		struct cfg_key k;
		const char *err;
		size_t j;

		memcpy(name, "BPFTRACE_", 9);
		for (j = 0; key_names[i][j] && j + 10 < sizeof(name); j++)
			name[9 + j] = (char)toupper((unsigned char)key_names[i][j]);
		name[9 + j] = 0;
		v.str = getenv(name);
		if (!v.str || !key_find(key_names[i], &k))
			continue;
		err = cfg_set(c->opts, &k, &v, buf, sizeof(buf));
		if (err) {
			diag_plain(c->diag, "%s%s%s", k.kind == CFG_LICENSE ? "" : k.name,
				   k.kind == CFG_LICENSE ? "" : ": ", err);
			return -EINVAL;
		}
	}
	return 0;
}
