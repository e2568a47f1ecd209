// SPDX-License-Identifier: GPL-2.0
/*
 * bcc's probe specifiers and C expressions in the language's terms (tools/bccspec.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/probe.h"
#include "tools/bccspec.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static char *trim(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

int bcc_split_commas(const char *s, char ***v, size_t *n)
{
	const char *start = s;
	int depth = 0;
	bool quoted = false;

	*v = NULL;
	*n = 0;
	for (;; s++) {
		if (quoted) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				quoted = false;
			if (*s)
				continue;
		}
		if (*s == '"')
			quoted = true;
		else if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		if (*s && (*s != ',' || depth > 0))
			continue;
		char **nv = realloc(*v, (*n + 1) * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		nv[*n] = trim(start, s - start);
		if (!nv[*n])
			return -ENOMEM;
		(*n)++;
		if (!*s)
			return 0;
		start = s + 1;
	}
}

const char *bcc_ctype_cast(const char *type)
{
	static const struct {
		const char *c, *lang;
	} map[] = {
		{"int", "int32"},
		{"signed int", "int32"},
		{"unsigned int", "uint32"},
		{"unsigned", "uint32"},
		{"u32", "uint32"},
		{"__u32", "uint32"},
		{"s32", "int32"},
		{"uint32_t", "uint32"},
		{"int32_t", "int32"},
		{"long", "int64"},
		{"long long", "int64"},
		{"ssize_t", "int64"},
		{"off_t", "int64"},
		{"s64", "int64"},
		{"int64_t", "int64"},
		{"unsigned long", "uint64"},
		{"unsigned long long", "uint64"},
		{"size_t", "uint64"},
		{"u64", "uint64"},
		{"__u64", "uint64"},
		{"uint64_t", "uint64"},
		{"short", "int16"},
		{"unsigned short", "uint16"},
		{"u16", "uint16"},
		{"char", "int8"},
		{"unsigned char", "uint8"},
		{"u8", "uint8"},
		{"bool", "uint8"},
		{"pid_t", "int32"},
		{"uid_t", "uint32"},
	};
	const char *t = type;

	if (!strncmp(t, "const ", 6))
		t += 6;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(t, map[i].c))
			return map[i].lang;
	return NULL;
}

/* "int fd, const char *path": each parameter's name, cast and string-ness. */
static int parse_sig(struct bcc_probe *p, const char *sig, char *err, size_t errlen)
{
	char **v;
	size_t n;
	int ret = 0;

	if (bcc_split_commas(sig, &v, &n))
		return fail(err, errlen, "%s", strerror(ENOMEM));
	if (n == 1 && (!*v[0] || !strcmp(v[0], "void")))
		n = 0, free(v[0]);
	if (n > BCC_MAX_PARAMS)
		ret = fail(err, errlen, "at most %d parameters in a signature", BCC_MAX_PARAMS);
	for (size_t i = 0; i < n; i++) {
		char *s = v[i], *end = s + strlen(s), *name = end, *type;
		struct bcc_param *bp = &p->params[p->nparams];

		while (name > s && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
			name--;
		if (ret || name == end || name == s) {
			if (!ret)
				ret = fail(err, errlen, "bad parameter '%s' in the signature", s);
			free(s);
			continue;
		}
		type = trim(s, name - s);
		bp->name = strdup(name);
		if (type && strchr(type, '*'))
			bp->is_str = strstr(type, "char") != NULL;
		else if (type)
			bp->cast = (char *)bcc_ctype_cast(type);
		free(type);
		free(s);
		if (!bp->name)
			ret = fail(err, errlen, "%s", strerror(ENOMEM));
		else
			p->nparams++;
	}
	free(v);
	return ret;
}

/* Is LIB:FUNC Go code? Resolving it also says early when it names nothing. */
static int find_go(struct bcc_probe *p, int pid, char *err, size_t errlen)
{
	struct probe_spec ps;
	struct target_set ts = {0};
	char *text;
	int ret;

	if (asprintf(&text, "p:%s:%s", p->library, p->function) < 0)
		return fail(err, errlen, "%s", strerror(ENOMEM));
	ret = probe_spec__parse(text, false, &ps, err, errlen);
	free(text);
	if (ret)
		return -EINVAL;
	ret = target_resolve(&ps, pid, 0, &ts, err, errlen);
	probe_spec__free(&ps);
	if (ret)
		return -EINVAL;
	p->is_go = ts.is_go;
	target_set__free(&ts);
	return 0;
}

int bcc_probe_parse(const char *spec, const char *sig, int pid, struct bcc_probe *p, char *err,
		    size_t errlen)
{
	char *s = strdup(spec), *parts[64];
	int n = 0, ret = 0;

	memset(p, 0, sizeof(*p));
	if (!s)
		return fail(err, errlen, "%s", strerror(ENOMEM));
	/* 'func' is 'p::func', 'lib:func' is 'p:lib:func' */
	for (char *c = s; n < 64;) {
		parts[n++] = c;
		c = strchr(c, ':');
		if (!c)
			break;
		*c++ = 0;
	}
	if (n == 1) {
		p->type = 'p';
		p->library = strdup("");
		p->function = strdup(parts[0]);
	} else if (n == 2) {
		p->type = 'p';
		p->library = strdup(parts[0]);
		p->function = strdup(parts[1]);
	} else {
		if (strlen(parts[0]) > 1 || !strchr("prtu", *parts[0])) {
			ret = fail(err, errlen,
				   "probe type must be '', 'p', 't', 'r', or 'u', but got '%s'",
				   parts[0]);
			goto out;
		}
		p->type = *parts[0] ? *parts[0] : 'p';
		if (p->type == 't') {
			if (n != 3) {
				ret = fail(err, errlen, "a tracepoint is t:CATEGORY:EVENT");
				goto out;
			}
			p->category = strdup(parts[1]);
			p->function = strdup(parts[2]);
		} else if (p->type == 'u') {
			p->library = strdup(parts[1]);
			for (int i = 3; i < n; i++)
				parts[i][-1] = ':';
			p->function = strdup(parts[2]);
		} else {
			for (int i = 2; i < n - 1; i++)
				parts[i][-1] = ':';
			p->library = strdup(parts[1]);
			p->function = strdup(parts[n - 1]);
		}
	}
	if (!p->function || (p->type != 't' && !p->library) || (p->type == 't' && !p->category)) {
		ret = fail(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	if (!*p->function || (p->type == 't' && !*p->category) ||
	    (p->type == 'u' && !*p->library)) {
		ret = fail(err, errlen, "missing the function, event or library name");
		goto out;
	}
	if (p->type != 't' && p->type != 'u') {
		char *plus = strchr(p->function, '+');

		if (plus) {
			char *end;

			errno = 0;
			p->offset = strtoul(plus + 1, &end, 0);
			if (errno || end == plus + 1 || *end) {
				ret = fail(err, errlen,
					   "invalid offset format  '%s', must be decimal or "
					   "hexadecimal",
					   plus + 1);
				goto out;
			}
			*plus = 0;
		}
	}
	if (sig) {
		if (p->type == 't' || p->type == 'u') {
			ret = fail(err, errlen,
				   "USDT and tracepoint probes can't have a function signature; "
				   "use arg1, arg2, ... instead");
			goto out;
		}
		p->has_sig = true;
		ret = parse_sig(p, sig, err, errlen);
		if (ret)
			goto out;
	}
	if ((p->type == 'p' || p->type == 'r') && *p->library)
		ret = find_go(p, pid, err, errlen);
out:
	free(s);
	if (ret)
		bcc_probe_free(p);
	return ret;
}

void bcc_probe_free(struct bcc_probe *p)
{
	free(p->library);
	free(p->function);
	free(p->category);
	for (int i = 0; i < p->nparams; i++)
		free(p->params[i].name);
	memset(p, 0, sizeof(*p));
}

void bcc_quote(struct strbuf *out, const char *s)
{
	strbuf_puts(out, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_printf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			strbuf_printf(out, "\\x%02x", (unsigned char)*s);
		else
			strbuf_put(out, s, 1);
	}
	strbuf_puts(out, "\"");
}

void bcc_probe_attach(const struct bcc_probe *p, struct strbuf *out)
{
	switch (p->type) {
	case 't':
		strbuf_printf(out, "tracepoint:%s:%s", p->category, p->function);
		return;
	case 'u':
		strbuf_printf(out, "usdt:%s:%s", p->library, p->function);
		return;
	}
	if (!*p->library) {
		/* the language says in one line that this kernel has no kprobes */
		strbuf_printf(out, "%s:%s", p->type == 'r' ? "kretprobe" : "kprobe", p->function);
		return;
	}
	strbuf_printf(out, "%s:%s:", p->type == 'r' ? "uretprobe" : "uprobe", p->library);
	bcc_quote(out, p->function);
	if (p->offset)
		strbuf_printf(out, "+%lu", p->offset);
}

const char *bcc_probe_display(const struct bcc_probe *p)
{
	return p->function;
}

/* argN (1-based, bcc's) as the language reads it here. */
static void put_arg(const struct bcc_probe *p, int n, struct strbuf *out)
{
	const struct bcc_param *bp = n <= p->nparams ? &p->params[n - 1] : NULL;
	const char *reg = p->is_go ? "garg" : "arg";

	if (bp && bp->cast)
		strbuf_printf(out, "((%s)%s%d)", bp->cast, reg, n - 1);
	else
		strbuf_printf(out, "%s%d", reg, n - 1);
}

static const char *skip_string(const char *s)
{
	for (s++; *s && *s != '"'; s++)
		if (*s == '\\' && s[1])
			s++;
	return *s ? s + 1 : NULL;
}

/* From '(' to its ')': the text between them in *inner; NULL if unbalanced. */
static const char *balanced(const char *s, char **inner)
{
	int depth = 0;

	for (const char *c = s; *c; c++) {
		if (*c == '"') {
			c = skip_string(c);
			if (!c)
				return NULL;
			c--;
		} else if (*c == '(') {
			depth++;
		} else if (*c == ')' && !--depth) {
			*inner = strndup(s + 1, c - s - 1);
			return *inner ? c + 1 : NULL;
		}
	}
	return NULL;
}

/* STRCMP("literal", expr): true when the string at expr is the literal. */
static const char *strcmp_call(const struct bcc_probe *p, const char *s,
			       const struct bcc_expr_ext *ext, struct strbuf *out, char *err,
			       size_t errlen)
{
	char *inner = NULL, **v = NULL;
	size_t n = 0;
	const char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = *s == '(' ? balanced(s, &inner) : NULL;
	if (!end || bcc_split_commas(inner, &v, &n) || n != 2 || v[0][0] != '"') {
		fail(err, errlen, "STRCMP takes (\"literal\", expression)");
		end = NULL;
		goto out;
	}
	strbuf_puts(out, "(str(");
	if (bcc_expr(p, v[1], ext, out, err, errlen))
		end = NULL;
	strbuf_printf(out, ") == %s)", v[0]);
out:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(inner);
	return end;
}

static const char *dollar(const struct bcc_probe *p, const char *s, const struct bcc_expr_ext *ext,
			  struct strbuf *out, char *err, size_t errlen)
{
	static const char *const known[][2] = {
		{"pid", "tid"}, {"tgid", "pid"}, {"uid", "uid"},
		{"gid", "gid"}, {"cpu", "cpu"},	 {"task", "curtask"},
	};
	const char *start = s + 1, *e = start, *rep = NULL;
	char name[64], *arg = NULL;

	(void)p;
	while (isalnum((unsigned char)*e) || *e == '_')
		e++;
	if (e == start || e - start >= (long)sizeof(name)) {
		fail(err, errlen, "bad variable '%.*s'", (int)(e - s + 1), s);
		return NULL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(e - start), start);
	if (*e == '(') {
		e = balanced(e, &arg);
		if (!e) {
			fail(err, errlen, "unbalanced parentheses after $%s", name);
			return NULL;
		}
	}
	if (ext && ext->dollar)
		rep = ext->dollar(ext->ctx, name, arg);
	for (size_t i = 0; !rep && !arg && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(name, known[i][0]))
			rep = known[i][1];
	free(arg);
	if (!rep) {
		fail(err, errlen, "unknown variable $%s", name);
		return NULL;
	}
	strbuf_puts(out, rep);
	return e;
}

int bcc_expr(const struct bcc_probe *p, const char *e, const struct bcc_expr_ext *ext,
	     struct strbuf *out, char *err, size_t errlen)
{
	const char *s = e;

	while (*s) {
		if (*s == '"') {
			const char *end = skip_string(s);

			if (!end)
				return fail(err, errlen, "unterminated string in '%s'", e);
			strbuf_put(out, s, end - s);
			s = end;
		} else if (*s == '$') {
			s = dollar(p, s, ext, out, err, errlen);
			if (!s)
				return -EINVAL;
		} else if (isalpha((unsigned char)*s) || *s == '_') {
			const char *id = s;
			size_t n;
			int i;

			while (isalnum((unsigned char)*s) || *s == '_')
				s++;
			n = s - id;
			if (n == 6 && !strncmp(id, "STRCMP", 6)) {
				s = strcmp_call(p, s, ext, out, err, errlen);
				if (!s)
					return -EINVAL;
				continue;
			}
			if (n == 4 && !strncmp(id, "arg", 3) && id[3] >= '1' && id[3] <= '6') {
				put_arg(p, id[3] - '0', out);
				if (!strncmp(s, "@user", 5))
					s += 5;
				continue;
			}
			/* argdist's old tracepoint form: tp.FIELD */
			if (n == 2 && !strncmp(id, "tp", 2) && *s == '.' && p->type == 't') {
				strbuf_puts(out, "args");
				continue;
			}
			if (n == 6 && !strncmp(id, "retval", 6) && p->type == 'r') {
				strbuf_puts(out, "((int64)retval)");
				continue;
			}
			for (i = 0; i < p->nparams; i++)
				if (strlen(p->params[i].name) == n &&
				    !strncmp(p->params[i].name, id, n))
					break;
			if (i < p->nparams)
				put_arg(p, i + 1, out);
			else
				strbuf_put(out, id, n);
		} else if (isdigit((unsigned char)*s)) {
			const char *num = s;

			while (isalnum((unsigned char)*s) || *s == '.')
				s++;
			strbuf_put(out, num, s - num);
		} else {
			strbuf_put(out, s++, 1);
		}
	}
	return out->oom ? fail(err, errlen, "%s", strerror(ENOMEM)) : 0;
}
