// SPDX-License-Identifier: GPL-2.0
/*
 * The flame graph writer: a profile's samples merged into one tree (equal paths from the root
 * are one node), laid out as rectangles (x: share of the value, y: depth, the root at the
 * bottom) and written as SVG with a small script for zoom and search.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/flamegraph.h"
#include "core/log.h"
#include "core/stack.h"
#include "core/svg.h"
#include "core/vec.h"

/* Deeper frames are cut (the frame at the cap keeps the value): a runaway recursion or a
 * broken unwind must not make a picture tens of thousands of pixels tall. */
#define FG_MAX_DEPTH 1024
#define FG_FRAME_H   16
#define FG_PAD	     10
#define FG_TOP	     60
#define FG_BOTTOM    36
#define FG_MIN_PX    0.1 /* narrower frames are not drawn: their parent's title says how many */
#define FG_CHAR_W    7.2 /* a 12px monospace character, for fitting names into frames */

enum fg_kind { FG_ROOT, FG_COMM, FG_USER, FG_INLINED, FG_KERNEL, FG_MISSING };

/* The SVG class of each kind: the script reads "k" (kernel: "_[k]" ends the hover name). */
static const char *const fg_class[] = {"r", "c", "u", "i", "k", "m"};

struct fg_node {
	uint32_t name; /* string id; FG_ROOT: none; FG_MISSING: 0 user, 1 kernel */
	uint8_t kind;
	uint32_t parent;
	uint32_t child, next; /* first child and next sibling; 0 (the root): none */
	uint32_t narrow;      /* children too narrow to draw */
	uint32_t depth;	      /* the root's is 0 */
	int64_t value;
};

struct fg {
	const struct stack_profile *p;
	struct fg_node *n;
	size_t nn, cap;
	uint32_t *tab; /* open addressing on (parent, name, kind): node index, 0 empty */
	size_t tab_cap;
	unsigned int depth; /* of the deepest node drawn */
	size_t cut;	    /* samples cut at FG_MAX_DEPTH */
	double scale;	    /* pixels per value */
	const struct flamegraph_opts *o;
	int64_t total;
};

static uint32_t fg_hash(uint32_t parent, uint32_t name, uint8_t kind)
{
	uint64_t h = (uint64_t)parent * 0x9e3779b97f4a7c15ULL ^
		     (uint64_t)name * 0xc2b2ae3d27d4eb4fULL ^ kind;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(h ^ h >> 32);
}

static int fg_rehash(struct fg *g)
{
	size_t cap = g->tab_cap ? g->tab_cap * 2 : 1024;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 1; i < g->nn; i++) {
		const struct fg_node *x = &g->n[i];
		size_t k = fg_hash(x->parent, x->name, x->kind) & (cap - 1);

		while (t[k])
			k = (k + 1) & (cap - 1);
		t[k] = i;
	}
	free(g->tab);
	g->tab = t;
	g->tab_cap = cap;
	return 0;
}

/* The child of parent named (name, kind), added if new: its index, or 0 for no memory. */
static uint32_t fg_child(struct fg *g, uint32_t parent, uint32_t name, uint8_t kind)
{
	size_t k;
	struct fg_node *x;

	if ((g->nn + 1) * 2 > g->tab_cap && fg_rehash(g))
		return 0;
	for (k = fg_hash(parent, name, kind) & (g->tab_cap - 1); g->tab[k];
	     k = (k + 1) & (g->tab_cap - 1)) {
		x = &g->n[g->tab[k]];
		if (x->parent == parent && x->name == name && x->kind == kind)
			return g->tab[k];
	}
	if (g->nn > UINT32_MAX - 1 || VEC_RESERVE(g->n, g->cap, g->nn, 1))
		return 0;
	x = &g->n[g->nn];
	*x = (struct fg_node){.name = name, .kind = kind, .parent = parent};
	x->depth = g->n[parent].depth + 1;
	x->next = g->n[parent].child;
	g->n[parent].child = g->nn;
	g->tab[k] = g->nn;
	return g->nn++;
}

/* One step of a sample's path: *at becomes the child, which gets v. -ENOMEM, or 1 at the cap. */
static int fg_step(struct fg *g, uint32_t *at, unsigned int *depth, uint32_t name, uint8_t kind,
		   int64_t v)
{
	uint32_t c;

	if (*depth >= FG_MAX_DEPTH)
		return 1;
	c = fg_child(g, *at, name, kind);
	if (!c)
		return -ENOMEM;
	g->n[c].value += v;
	*at = c;
	(*depth)++;
	return 0;
}

/* The locations [from, to) of s, outermost (highest index) first, each line outermost first. */
static int fg_locs(struct fg *g, const struct stack_sample *s, uint32_t from, uint32_t to,
		   uint32_t *at, unsigned int *depth, int64_t v)
{
	const struct stack_profile *p = g->p;

	for (uint32_t i = to; i-- > from;) {
		const struct stack_loc *l = &p->locs[p->loc_ids[s->loc0 + i]];

		for (uint32_t j = l->nlines; j-- > 0;) {
			uint8_t kind = l->kernel	   ? FG_KERNEL
				       : j + 1 < l->nlines ? FG_INLINED
							   : FG_USER;
			int err = fg_step(g, at, depth, p->lines[l->line0 + j].func, kind, v);

			if (err)
				return err;
		}
	}
	return 0;
}

/* all; comm; user frames, root to leaf; kernel frames, root to leaf. */
static int fg_add(struct fg *g, const struct stack_sample *s, int64_t v)
{
	uint32_t at = 0;
	unsigned int depth = 0;
	int err;

	g->n[0].value += v;
	err = fg_step(g, &at, &depth, s->comm, FG_COMM, v);
	if (!err)
		err = s->user_missing ? fg_step(g, &at, &depth, 0, FG_MISSING, v)
				      : fg_locs(g, s, s->nkernel, s->nlocs, &at, &depth, v);
	if (!err)
		err = s->kernel_missing ? fg_step(g, &at, &depth, 1, FG_MISSING, v)
					: fg_locs(g, s, 0, s->nkernel, &at, &depth, v);
	if (err > 0)
		g->cut++;
	return err < 0 ? err : 0;
}

static const char *fg_name(const struct fg *g, const struct fg_node *x)
{
	switch (x->kind) {
	case FG_ROOT:
		return "all";
	case FG_MISSING:
		return x->name ? "[Missed Kernel Stack]" : "[Missed User Stack]";
	default:
		return stack_profile__str(g->p, x->name);
	}
}

static int fg_cmp(const void *a, const void *b, void *ctx)
{
	const struct fg *g = ctx;
	const struct fg_node *x = &g->n[*(const uint32_t *)a], *y = &g->n[*(const uint32_t *)b];
	int c = strcmp(fg_name(g, x), fg_name(g, y));

	return c ? c : x->kind - y->kind;
}

/* Siblings by name, as flame graphs order them: the same function is at the same place. */
static int fg_sort(struct fg *g)
{
	uint32_t *v = NULL;
	size_t cap = 0, n;

	for (size_t i = 0; i < g->nn; i++) {
		uint32_t c = g->n[i].child;

		if (!c || !g->n[c].next)
			continue;
		for (n = 0; c; c = g->n[c].next, n++)
			if (VEC_RESERVE(v, cap, n, 1)) {
				free(v);
				return -ENOMEM;
			} else
				v[n] = c;
		qsort_r(v, n, sizeof(*v), fg_cmp, g);
		g->n[i].child = v[0];
		for (size_t k = 0; k < n; k++)
			g->n[v[k]].next = k + 1 < n ? v[k + 1] : 0;
	}
	free(v);
	return 0;
}

/* What is drawn: the narrow children each parent leaves out, and the depth of the picture. */
static void fg_measure(struct fg *g)
{
	for (size_t i = 1; i < g->nn; i++) {
		struct fg_node *x = &g->n[i];

		/* a frame wide enough has every ancestor drawn: they are at least as wide */
		if ((double)x->value * g->scale >= FG_MIN_PX) {
			if (x->depth > g->depth)
				g->depth = x->depth;
		} else if ((double)g->n[x->parent].value * g->scale >= FG_MIN_PX) {
			g->n[x->parent].narrow++;
		}
	}
}

/* A stable colour per name: warm for user code, lighter when inlined, blue for the kernel. */
static void fg_colour(const char *name, uint8_t kind, int rgb[3])
{
	uint32_t h = 2166136261u;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		h = (h ^ *s) * 16777619u;
	h ^= h >> 15;
	switch (kind) {
	case FG_ROOT:
	case FG_MISSING:
		rgb[0] = rgb[1] = rgb[2] = kind == FG_ROOT ? 214 : 176;
		return;
	case FG_COMM:
		rgb[0] = 196 + h % 24, rgb[1] = 190 + h % 24, rgb[2] = 214;
		return;
	case FG_KERNEL:
		rgb[0] = 70 + h % 50, rgb[1] = 160 + (h >> 8) % 50, rgb[2] = 205 + (h >> 16) % 40;
		return;
	}
	if (!strncmp(name, "runtime.", 8)) { /* Go's runtime: sand, apart from the program */
		rgb[0] = 205 + h % 25, rgb[1] = 190 + (h >> 8) % 25, rgb[2] = 110 + (h >> 16) % 40;
		return;
	}
	rgb[0] = 215 + h % 41, rgb[1] = 70 + (h >> 8) % 146, rgb[2] = 20 + (h >> 16) % 51;
	if (kind == FG_INLINED)
		for (int i = 0; i < 3; i++)
			rgb[i] += (255 - rgb[i]) / 3;
}

static void fg_frame(struct fg *g, FILE *f, uint32_t i, int64_t off, unsigned int depth,
		     double height)
{
	const struct fg_node *x = &g->n[i];
	const char *name = fg_name(g, x);
	double w = (double)x->value * g->scale, px = FG_PAD + (double)off * g->scale;
	double y = height - FG_BOTTOM - (depth + 1) * FG_FRAME_H;
	uint64_t div = g->o->div > 1 ? g->o->div : 1;
	char num[32];
	int rgb[3];
	long fit = (long)((w - 6) / FG_CHAR_W);

	fg_colour(name, x->kind, rgb);
	fprintf(f, "<g class=\"f %s\"><title>", fg_class[x->kind]);
	svg_text(f, name, SIZE_MAX);
	fprintf(f, "%s\n%s %s, %.2f%%", x->kind == FG_KERNEL ? "_[k]" : "",
		svg_thousands(num, ((uint64_t)x->value + div / 2) / div),
		g->o->unit ? g->o->unit : "samples", 100.0 * (double)x->value / (double)g->total);
	if (x->kind == FG_INLINED)
		fputs(", inlined", f);
	if (x->narrow)
		fprintf(f, ", %u narrower frame%s not drawn", x->narrow, x->narrow == 1 ? "" : "s");
	if (!i && g->cut)
		fprintf(f, ", %zu stack%s cut at %d frames", g->cut, g->cut == 1 ? "" : "s",
			FG_MAX_DEPTH);
	fprintf(f,
		"</title><rect x=\"%.3f\" y=\"%.1f\" width=\"%.3f\" height=\"%d\" "
		"fill=\"rgb(%d,%d,%d)\" rx=\"2\"/><text x=\"%.3f\" y=\"%.1f\">",
		px, y, w, FG_FRAME_H - 1, rgb[0], rgb[1], rgb[2], px + 3, y + 11.5);
	svg_text(f, name, fit < 3 ? 0 : (size_t)fit);
	fputs("</text></g>\n", f);
}

/* Every frame wide enough, depth first. */
static int fg_frames(struct fg *g, FILE *f, double height)
{
	struct item {
		uint32_t node;
		unsigned int depth;
		int64_t off;
	} *st = NULL;
	size_t n = 0, cap = 0;

	if (VEC_RESERVE(st, cap, n, 1))
		return -ENOMEM;
	st[n++] = (struct item){0, 0, 0};
	while (n) {
		struct item it = st[--n];
		int64_t off = it.off;

		fg_frame(g, f, it.node, it.off, it.depth, height);
		for (uint32_t c = g->n[it.node].child; c; c = g->n[c].next) {
			if ((double)g->n[c].value * g->scale >= FG_MIN_PX) {
				if (VEC_RESERVE(st, cap, n, 1)) {
					free(st);
					return -ENOMEM;
				}
				st[n++] = (struct item){c, it.depth + 1, off};
			}
			off += g->n[c].value;
		}
	}
	free(st);
	return 0;
}

/*
 * The script: click to zoom (the frame fills the width, its ancestors span it, faded),
 * "Reset Zoom" or Escape to return, "Search" or Ctrl-F for a regex whose matching frames turn
 * magenta with their share of the total, the hovered frame's details on the bottom line.
 */
static const char fg_script[] =
	"\"use strict\";\n"
	"var fg = { frames: [], re: null };\n"
	"function fg_fit(f, w) {\n"
	"\tvar n = Math.floor((w - 6) / fg.cw);\n"
	"\tif (n < 3) return \"\";\n"
	"\treturn f.name.length <= n ? f.name : f.name.slice(0, n - 2) + \"..\";\n"
	"}\n"
	"function fg_place(f, x, w) {\n"
	"\tf.r.setAttribute(\"x\", x.toFixed(3));\n"
	"\tf.r.setAttribute(\"width\", w.toFixed(3));\n"
	"\tf.t.setAttribute(\"x\", (x + 3).toFixed(3));\n"
	"\tf.t.textContent = fg_fit(f, w);\n"
	"}\n"
	"function fg_unzoom() {\n"
	"\tfg.frames.forEach(function (f) {\n"
	"\t\tf.g.style.display = \"\";\n"
	"\t\tf.g.classList.remove(\"anc\");\n"
	"\t\tfg_place(f, f.x, f.w);\n"
	"\t});\n"
	"\tfg.reset.style.display = \"none\";\n"
	"}\n"
	"function fg_zoom(z) {\n"
	"\tvar k = fg.full / z.w, e = 1e-6;\n"
	"\tif (z.w >= fg.full - e) return fg_unzoom();\n"
	"\tfg.frames.forEach(function (f) {\n"
	"\t\tvar inside = f.x >= z.x - e && f.x + f.w <= z.x + z.w + e;\n"
	"\t\tvar holds = f.x <= z.x + e && f.x + f.w >= z.x + z.w - e;\n"
	"\t\tif (f.y > z.y && holds) {\n"
	"\t\t\tf.g.style.display = \"\";\n"
	"\t\t\tf.g.classList.add(\"anc\");\n"
	"\t\t\tfg_place(f, fg.pad, fg.full);\n"
	"\t\t} else if (f.y <= z.y && inside) {\n"
	"\t\t\tf.g.style.display = \"\";\n"
	"\t\t\tf.g.classList.remove(\"anc\");\n"
	"\t\t\tfg_place(f, fg.pad + (f.x - z.x) * k, f.w * k);\n"
	"\t\t} else {\n"
	"\t\t\tf.g.style.display = \"none\";\n"
	"\t\t}\n"
	"\t});\n"
	"\tfg.reset.style.display = \"\";\n"
	"}\n"
	"function fg_clear() {\n"
	"\tfg.frames.forEach(function (f) { f.r.setAttribute(\"fill\", f.fill); });\n"
	"\tfg.re = null;\n"
	"\tfg.matched.textContent = \"\";\n"
	"\tfg.search.textContent = \"Search\";\n"
	"}\n"
	"function fg_find(s) {\n"
	"\tvar re, hits = [], sum = 0, end = -1;\n"
	"\ttry { re = new RegExp(s); } catch (err) {\n"
	"\t\tfg.matched.textContent = \"Bad regular expression: \" + s;\n"
	"\t\treturn -1;\n"
	"\t}\n"
	"\tfg.frames.forEach(function (f) {\n"
	"\t\tvar hit = re.test(f.name);\n"
	"\t\tf.r.setAttribute(\"fill\", hit ? \"rgb(230,0,230)\" : f.fill);\n"
	"\t\tif (hit) hits.push(f);\n"
	"\t});\n"
	"\t/* the share: the union of the matches' spans, a frame inside another counted once */\n"
	"\thits.sort(function (a, b) { return a.x - b.x; });\n"
	"\thits.forEach(function (f) {\n"
	"\t\tvar from = Math.max(f.x, end), to = f.x + f.w;\n"
	"\t\tif (to > from) sum += to - from;\n"
	"\t\tend = Math.max(end, to);\n"
	"\t});\n"
	"\tfg.re = s;\n"
	"\tvar pct = 100 * sum / fg.full;\n"
	"\tfg.matched.textContent = \"Matched: \" + pct.toFixed(1) + \"%\";\n"
	"\tfg.search.textContent = \"Reset Search\";\n"
	"\treturn pct;\n"
	"}\n"
	"function fg_prompt() {\n"
	"\tif (fg.re !== null) return fg_clear();\n"
	"\tvar s = prompt(\"Search frames (regular expression):\", \"\");\n"
	"\tif (s) fg_find(s);\n"
	"}\n"
	"function fg_init() {\n"
	"\tvar svg = document.documentElement, gs;\n"
	"\tfg.pad = +svg.getAttribute(\"data-pad\");\n"
	"\tfg.cw = +svg.getAttribute(\"data-cw\");\n"
	"\tfg.full = +svg.getAttribute(\"width\") - 2 * fg.pad;\n"
	"\tfg.details = document.getElementById(\"details\");\n"
	"\tfg.matched = document.getElementById(\"matched\");\n"
	"\tfg.reset = document.getElementById(\"reset\");\n"
	"\tfg.search = document.getElementById(\"search\");\n"
	"\tgs = document.getElementById(\"frames\").children;\n"
	"\tfor (var i = 0; i < gs.length; i++) {\n"
	"\t\tvar g = gs[i], r = g.getElementsByTagName(\"rect\")[0];\n"
	"\t\tvar title = g.getElementsByTagName(\"title\")[0].textContent;\n"
	"\t\tvar name = title.split(\"\\n\")[0];\n"
	"\t\tif (g.classList.contains(\"k\")) name = name.replace(/_\\[k\\]$/, \"\");\n"
	"\t\tvar f = { g: g, r: r, t: g.getElementsByTagName(\"text\")[0], name: name,\n"
	"\t\t\tx: +r.getAttribute(\"x\"), w: +r.getAttribute(\"width\"),\n"
	"\t\t\ty: +r.getAttribute(\"y\"), fill: r.getAttribute(\"fill\"),\n"
	"\t\t\tinfo: title.replace(\"\\n\", \": \") };\n"
	"\t\tfg.frames.push(f);\n"
	"\t\tg.onclick = fg_zoom.bind(null, f);\n"
	"\t\tg.onmouseover = function () { fg.details.textContent = this.info; }.bind(f);\n"
	"\t\tg.onmouseout = function () { fg.details.textContent = \" \"; };\n"
	"\t}\n"
	"\tfg.reset.onclick = fg_unzoom;\n"
	"\tfg.search.onclick = fg_prompt;\n"
	"\tdocument.addEventListener(\"keydown\", function (e) {\n"
	"\t\tif (e.key === \"Escape\") {\n"
	"\t\t\tfg_unzoom();\n"
	"\t\t\tfg_clear();\n"
	"\t\t} else if ((e.ctrlKey || e.metaKey) && e.key === \"f\") {\n"
	"\t\t\te.preventDefault();\n"
	"\t\t\tfg_prompt();\n"
	"\t\t}\n"
	"\t});\n"
	"}\n";

static const char fg_style[] = "text { font-family: monospace; font-size: 12px; fill: #000; }\n"
			       "#title { font-size: 17px; text-anchor: middle; }\n"
			       "#subtitle { fill: #555; text-anchor: middle; }\n"
			       ".ctl { cursor: pointer; fill: #1a4fb4; }\n"
			       ".ctl:hover { text-decoration: underline; }\n"
			       "g.f { cursor: pointer; }\n"
			       "g.f:hover rect { stroke: #222; stroke-width: 0.6; }\n"
			       "g.f text { pointer-events: none; }\n"
			       "g.anc { opacity: 0.6; }\n";

static void fg_write(struct fg *g, FILE *f)
{
	const struct flamegraph_opts *o = g->o;
	unsigned int width = o->width ? o->width : 1200;
	double height = FG_TOP + (double)(g->depth + 1) * FG_FRAME_H + FG_BOTTOM;

	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
		"height=\"%.0f\" viewBox=\"0 0 %u %.0f\" data-pad=\"%d\" data-cw=\"%.1f\" "
		"onload=\"fg_init()\">\n<style>\n%s</style>\n"
		"<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n"
		"<defs><linearGradient id=\"bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
		"<stop offset=\"0%%\" stop-color=\"#ffffff\"/><stop offset=\"100%%\" "
		"stop-color=\"#f3f3e6\"/></linearGradient></defs>\n"
		"<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%.0f\" fill=\"url(#bg)\"/>\n"
		"<text id=\"title\" x=\"%.1f\" y=\"24\">",
		width, height, width, height, FG_PAD, FG_CHAR_W, fg_style, fg_script, width, height,
		width / 2.0);
	svg_text(f, o->title ? o->title : "Flame Graph", SIZE_MAX);
	fprintf(f, "</text>\n<text id=\"subtitle\" x=\"%.1f\" y=\"44\">", width / 2.0);
	if (o->subtitle)
		svg_text(f, o->subtitle, SIZE_MAX);
	fprintf(f,
		"</text>\n<text id=\"reset\" class=\"ctl\" x=\"%d\" y=\"24\" "
		"style=\"display:none\">Reset Zoom</text>\n"
		"<text id=\"search\" class=\"ctl\" x=\"%d\" y=\"24\" "
		"text-anchor=\"end\">Search</text>\n"
		"<text id=\"details\" x=\"%d\" y=\"%.0f\"> </text>\n"
		"<text id=\"matched\" x=\"%d\" y=\"%.0f\" text-anchor=\"end\"></text>\n",
		FG_PAD, width - FG_PAD, FG_PAD, height - 14, width - FG_PAD, height - 14);
	if (!g->total)
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">No samples</text>\n",
			width / 2.0, height / 2);
	fputs("<g id=\"frames\">\n", f);
}

int flamegraph_write_svg(const struct stack_profile *p, unsigned int value_type, const char *path,
			 const struct flamegraph_opts *o)
{
	static const struct flamegraph_opts none;
	struct fg g = {.p = p, .o = o ? o : &none};
	unsigned int width = g.o->width ? g.o->width : 1200;
	FILE *f;
	int err = -ENOMEM;

	if (value_type >= p->ntypes) {
		tk_err("flame graph: no value type %u", value_type);
		return -EINVAL;
	}
	if (width <= 2 * FG_PAD) {
		tk_err("flame graph: a width of %u pixels is too narrow", width);
		return -EINVAL;
	}
	if (VEC_RESERVE(g.n, g.cap, g.nn, 1) || fg_rehash(&g))
		goto out;
	g.n[g.nn++] = (struct fg_node){.kind = FG_ROOT};
	for (size_t i = 0; i < p->nsamples; i++) {
		const struct stack_sample *s = &p->samples[i];
		int64_t v = p->values[s->val0 + value_type];

		if (v > 0 && fg_add(&g, s, v))
			goto out;
	}
	if (fg_sort(&g))
		goto out;
	g.total = g.n[0].value;
	g.scale = g.total ? (width - 2.0 * FG_PAD) / (double)g.total : 0;
	if (g.total)
		fg_measure(&g);
	f = svg_open(path);
	if (!f) {
		err = -errno;
		goto out_free;
	}
	fg_write(&g, f);
	err = g.total ? fg_frames(&g, f, FG_TOP + (double)(g.depth + 1) * FG_FRAME_H + FG_BOTTOM)
		      : 0;
	fputs("</g>\n</svg>\n", f);
	err = svg_close(f, path, err);
	goto out_free;
out:
	tk_err("flame graph: out of memory");
out_free:
	free(g.n);
	free(g.tab);
	return err;
}
