// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF through libdw. libdw decompresses Go's SHF_COMPRESSED .debug_* sections itself.
 * We walk DIE trees by hand instead of libdw's recursive visitors so that every walk has a
 * bound we chose: a hostile file can make sibling links loop or type chains cycle.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dwarf.h"
#include "core/dwarf_die.h"
#include "core/elf.h"

#define MAX_CUS		 (1u << 16)
#define MAX_DIES_SCANNED (1u << 22) /* top-level DIEs looked at when searching a type */
#define MAX_LINES	 (1u << 24)
#define DWARF_MAX_INLINE 64  /* inlined calls followed at one address */
#define DWARF_MAX_SCOPES 256 /* nested blocks and inlined calls descended into */

struct dwarf_file {
	int fd;
	Elf *elf;
	Dwarf *dw;
};

int dwarf_file__open(const char *path, struct dwarf_file **out)
{
	struct dwarf_file *df;
	int err;

	*out = NULL;
	df = calloc(1, sizeof(*df));
	if (!df)
		return -ENOMEM;
	err = elf_open_raw(path, &df->fd, &df->elf);
	if (err)
		goto fail;
	err = -ENOENT;
	df->dw = dwarf_begin_elf(df->elf, DWARF_C_READ, NULL);
	if (!df->dw)
		goto fail;
	*out = df;
	return 0;
fail:
	dwarf_file__close(df);
	return err;
}

void dwarf_file__close(struct dwarf_file *df)
{
	if (!df)
		return;
	if (df->dw)
		dwarf_end(df->dw);
	elf_close_raw(df->fd, df->elf);
	free(df);
}

/* ---- finding the function ------------------------------------------------------------ */

/* The CU holding addr: libdw's aranges (built from CU ranges when .debug_aranges is absent),
 * else a scan of every CU's ranges. */
static int find_cu(struct dwarf_file *df, uint64_t addr, Dwarf_Die *cu)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	unsigned int n = 0;

	if (dwarf_addrdie(df->dw, addr, cu))
		return 0;
	while (n++ < MAX_CUS && dwarf_nextcu(df->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (next <= off)
			break;
		if (dwarf_offdie(df->dw, off + hsize, cu) && dwarf_haspc(cu, addr) > 0)
			return 0;
		off = next;
	}
	return -ENOENT;
}

static bool is_func_at(Dwarf_Die *die, uint64_t addr)
{
	return dwarf_tag(die) == DW_TAG_subprogram && dwarf_haspc(die, addr) > 0;
}

/* The subprogram holding addr among the CU's children (one level into namespaces). */
static int find_func(struct dwarf_file *df, uint64_t addr, Dwarf_Die *fn)
{
	Dwarf_Die cu, die, inner;
	unsigned int n = 0;

	if (find_cu(df, addr, &cu) || dwarf_child(&cu, &die))
		return -ENOENT;
	do {
		int tag = dwarf_tag(&die);

		if (is_func_at(&die, addr)) {
			*fn = die;
			return 0;
		}
		if ((tag == DW_TAG_namespace || tag == DW_TAG_module) &&
		    !dwarf_child(&die, &inner)) {
			do {
				if (is_func_at(&inner, addr)) {
					*fn = inner;
					return 0;
				}
			} while (++n < DW_MAX_SIBLINGS && dwarf_siblingof(&inner, &inner) == 0);
		}
	} while (++n < DW_MAX_SIBLINGS && dwarf_siblingof(&die, &die) == 0);
	return -ENOENT;
}

static int prologue_end_in(Dwarf_Die *fn, uint64_t low, uint64_t high, uint64_t *addr)
{
	Dwarf_Die cu;
	Dwarf_Lines *lines;
	size_t nlines;
	uint64_t best = 0;

	if (!dwarf_diecu(fn, &cu, NULL, NULL) || dwarf_getsrclines(&cu, &lines, &nlines))
		return -ENOENT;
	if (nlines > MAX_LINES)
		nlines = MAX_LINES;
	for (size_t i = 0; i < nlines; i++) {
		Dwarf_Line *line = dwarf_onesrcline(lines, i);
		Dwarf_Addr a;
		bool pe;

		if (!line || dwarf_lineaddr(line, &a) || dwarf_lineprologueend(line, &pe) || !pe)
			continue;
		if (a >= low && a < high && (!best || a < best))
			best = a;
	}
	if (!best)
		return -ENOENT;
	*addr = best;
	return 0;
}

static int func_range(Dwarf_Die *fn, uint64_t *low, uint64_t *high)
{
	Dwarf_Addr lo, hi;

	if (dwarf_lowpc(fn, &lo) || dwarf_highpc(fn, &hi) || hi <= lo)
		return -ENOENT;
	*low = lo;
	*high = hi;
	return 0;
}

int dwarf_file__prologue_end(struct dwarf_file *df, uint64_t func_addr, uint64_t *addr)
{
	Dwarf_Die fn;
	uint64_t low, high;

	if (!df || find_func(df, func_addr, &fn) || func_range(&fn, &low, &high))
		return -ENOENT;
	return prologue_end_in(&fn, low, high, addr);
}

/* ---- source lines ------------------------------------------------------------------------ */

/* A line table's file names the user's FILE: the same path, or one ending in "/FILE". */
static bool src_matches(const char *src, const char *file)
{
	size_t ls = strlen(src), lf = strlen(file);

	if (ls == lf)
		return !strcmp(src, file);
	return ls > lf && src[ls - lf - 1] == '/' && !strcmp(src + ls - lf, file);
}

/* The lowest is_stmt address of file:line[:col] in one CU's line table; false if none. */
static bool line_addr_in(Dwarf_Lines *lines, size_t nlines, const char *file, unsigned int line,
			 unsigned int col, bool *file_seen, uint64_t *best)
{
	bool found = false;

	for (size_t i = 0; i < nlines; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		const char *src;
		Dwarf_Addr a;
		int ln, lc;
		bool stmt, end;

		if (!l || !(src = dwarf_linesrc(l, NULL, NULL)) || !src_matches(src, file))
			continue;
		*file_seen = true;
		if (dwarf_lineno(l, &ln) || ln < 0 || (unsigned int)ln != line)
			continue;
		if (col && (dwarf_linecol(l, &lc) || lc < 0 || (unsigned int)lc != col))
			continue;
		/* not a statement's first instruction, or the end of a sequence: no site */
		if (dwarf_linebeginstatement(l, &stmt) || !stmt || dwarf_lineendsequence(l, &end) ||
		    end || dwarf_lineaddr(l, &a) || !a)
			continue;
		if (!found || a < *best)
			*best = a;
		found = true;
	}
	return found;
}

int dwarf_file__line_addr(struct dwarf_file *df, const char *file, unsigned int line,
			  unsigned int col, uint64_t *addr)
{
	Dwarf_Off off = 0, next;
	size_t hsize, budget = MAX_LINES;
	unsigned int ncu = 0;
	bool file_seen = false, found = false;
	uint64_t best = 0;

	if (!df || !file || !*file)
		return -ENOENT;
	while (ncu++ < MAX_CUS && dwarf_nextcu(df->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Lines *lines;
		Dwarf_Die cu;
		size_t nlines;
		uint64_t a = 0;

		if (next <= off)
			break;
		if (dwarf_offdie(df->dw, off + hsize, &cu) &&
		    !dwarf_getsrclines(&cu, &lines, &nlines)) {
			/* one bound over every CU, so many tables cannot add up to forever */
			if (nlines > budget)
				nlines = budget;
			budget -= nlines;
			if (line_addr_in(lines, nlines, file, line, col, &file_seen, &a) &&
			    (!found || a < best)) {
				best = a;
				found = true;
			}
		}
		off = next;
	}
	if (!found)
		return file_seen ? -ENODATA : -ENOENT;
	*addr = best;
	return 0;
}

/* ---- source frames ------------------------------------------------------------------------ */

/* The child of parent whose code holds addr: an inlined call, or a block that may hold one. */
static bool scope_child(Dwarf_Die *parent, uint64_t addr, Dwarf_Die *out)
{
	unsigned int n = 0;

	if (dwarf_child(parent, out))
		return false;
	do {
		int tag = dwarf_tag(out);

		if ((tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) &&
		    dwarf_haspc(out, addr) > 0)
			return true;
	} while (++n < DW_MAX_SIBLINGS && dwarf_siblingof(out, out) == 0);
	return false;
}

/* A call site's file (DW_AT_call_file: an index into the CU's file table) and line. */
static void call_site(Dwarf_Die *inl, Dwarf_Die *cu, struct src_frame *fr)
{
	Dwarf_Attribute attr;
	Dwarf_Files *files;
	Dwarf_Word file, line;
	size_t nfiles;

	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &attr), &file) == 0 &&
	    dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && file < nfiles)
		fr->file = dwarf_filesrc(files, file, NULL, NULL);
	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &attr), &line) == 0 &&
	    line <= UINT32_MAX)
		fr->line = (uint32_t)line;
}

int dwarf_file__frames(struct dwarf_file *df, uint64_t addr, struct src_frame *frames, int max)
{
	/* The holding function, then the inlined calls inward: calls[0 .. n). */
	Dwarf_Die calls[DWARF_MAX_INLINE], scope, cu;
	Dwarf_Line *line;
	int n = 1, depth, out = 0;
	int lineno;

	if (max < 1)
		return -EINVAL;
	if (find_func(df, addr, &calls[0]) || !dwarf_diecu(&calls[0], &cu, NULL, NULL))
		return -ENOENT;
	/* Bounded descent: each level is one child list, at most DWARF_MAX_SCOPES deep. */
	scope = calls[0];
	for (depth = 0; depth < DWARF_MAX_SCOPES && n < DWARF_MAX_INLINE; depth++) {
		if (!scope_child(&scope, addr, &scope))
			break;
		if (dwarf_tag(&scope) == DW_TAG_inlined_subroutine)
			calls[n++] = scope;
	}
	/*
	 * The innermost function has the line table's line at addr; each outer one the call
	 * site of the call inside it. Cut to max from the inside, so the holder stays.
	 */
	for (int i = n - 1; i >= 0; i--) {
		struct src_frame fr = {.func = dw_die_name(&calls[i])};

		if (i == n - 1) {
			line = dwarf_getsrc_die(&cu, addr);
			if (line && !dwarf_lineno(line, &lineno) && lineno > 0) {
				fr.file = dwarf_linesrc(line, NULL, NULL);
				fr.line = (uint32_t)lineno;
			}
		} else {
			call_site(&calls[i + 1], &cu, &fr);
		}
		if (i < max)
			frames[out++] = fr;
	}
	return out;
}

/* ---- parameters -------------------------------------------------------------------------- */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int add_members(struct dwarf_param *p, Dwarf_Die *type, bool go)
{
	Dwarf_Die t, m, mt;
	unsigned int n = 0;

	if (!dw_type_peel(type, &t) || dwarf_child(&t, &m))
		return 0;
	p->members = calloc(DWARF_MAX_MEMBERS, sizeof(*p->members));
	if (!p->members)
		return -ENOMEM;
	do {
		struct dwarf_member *dm;
		Dwarf_Attribute attr;
		Dwarf_Word off = 0;
		char tname[DW_TYPE_NAME_MAX] = "?";

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		dm = &p->members[p->nmembers];
		if (dwarf_attr(&m, DW_AT_data_member_location, &attr))
			dwarf_formudata(&attr, &off); /* a location expression stays 0 */
		if (dw_die_type(&m, &mt)) {
			dw_type_name(&mt, go, tname, sizeof(tname));
			dm->kind = dw_type_kind(&mt);
			dm->size = dw_type_size(&mt);
		}
		dm->offset = off;
		dm->name = dup_or_empty(dw_die_name(&m));
		dm->type = strdup(tname);
		p->nmembers++;
		if (!dm->name || !dm->type)
			return -ENOMEM;
	} while (p->nmembers < DWARF_MAX_MEMBERS && ++n < DW_MAX_SIBLINGS &&
		 dwarf_siblingof(&m, &m) == 0);
	return 0;
}

static int add_param(struct dwarf_func *f, Dwarf_Die *die, bool go)
{
	struct dwarf_param *p = &f->params[f->nparams];
	Dwarf_Attribute attr;
	Dwarf_Die type;
	char tname[DW_TYPE_NAME_MAX] = "?";
	bool flag = false;

	f->nparams++;
	if (dw_die_type(die, &type)) {
		dw_type_name(&type, go, tname, sizeof(tname));
		p->kind = dw_type_kind(&type);
		p->size = dw_type_size(&type);
	}
	p->name = dup_or_empty(dw_die_name(die));
	p->type = strdup(tname);
	if (!p->name || !p->type)
		return -ENOMEM;
	if (dwarf_attr_integrate(die, DW_AT_variable_parameter, &attr) &&
	    !dwarf_formflag(&attr, &flag))
		p->is_result = flag;
	dw_param_location(die, f->low_pc, &p->loc);
	if (p->kind == DWARF_TYPE_STRUCT)
		return add_members(p, &type, go);
	return 0;
}

static bool cu_is_go(Dwarf_Die *die)
{
	Dwarf_Die cu;

	return dwarf_diecu(die, &cu, NULL, NULL) && dwarf_srclang(&cu) == DW_LANG_Go;
}

/*
 * DW_AT_frame_base is DW_OP_call_frame_cfa for Go and gcc. Go writes it as DW_FORM_block1,
 * which libdw's location API refuses in a DWARF 4 unit, so look at the raw block too.
 */
static bool frame_base_is_cfa(Dwarf_Die *fn)
{
	Dwarf_Attribute attr;
	Dwarf_Block block;
	Dwarf_Op *expr;
	size_t len;

	if (!dwarf_attr(fn, DW_AT_frame_base, &attr))
		return false;
	if (dwarf_getlocation(&attr, &expr, &len) == 0)
		return len == 1 && expr[0].atom == DW_OP_call_frame_cfa;
	return dwarf_formblock(&attr, &block) == 0 && block.length == 1 &&
	       block.data[0] == DW_OP_call_frame_cfa;
}

int dwarf_file__func(struct dwarf_file *df, uint64_t func_addr, struct dwarf_func *out)
{
	Dwarf_Die fn, child;
	unsigned int n = 0;
	bool go;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!df || find_func(df, func_addr, &fn) || func_range(&fn, &out->low_pc, &out->high_pc))
		return -ENOENT;
	go = cu_is_go(&fn);
	out->name = dup_or_empty(dw_die_name(&fn));
	out->params = calloc(DWARF_MAX_PARAMS, sizeof(*out->params));
	if (!out->name || !out->params) {
		dwarf_func__free(out);
		return -ENOMEM;
	}
	prologue_end_in(&fn, out->low_pc, out->high_pc, &out->prologue_end);
	out->frame_base_is_cfa = frame_base_is_cfa(&fn);

	if (dwarf_child(&fn, &child) == 0) {
		do {
			if (dwarf_tag(&child) == DW_TAG_formal_parameter)
				err = add_param(out, &child, go);
		} while (!err && out->nparams < DWARF_MAX_PARAMS && ++n < DW_MAX_SIBLINGS &&
			 dwarf_siblingof(&child, &child) == 0);
	}
	if (err) {
		dwarf_func__free(out);
		return err;
	}
	/* Go's and gcc's frame base is the CFA: say so once, so users handle only CFA. */
	for (unsigned int i = 0; out->frame_base_is_cfa && i < out->nparams; i++) {
		struct dwarf_loc *loc = &out->params[i].loc;

		for (unsigned int k = 0; k < loc->npieces; k++)
			if (loc->pieces[k].kind == DWARF_LOC_FBREG)
				loc->pieces[k].kind = DWARF_LOC_CFA;
	}
	return 0;
}

void dwarf_func__free(struct dwarf_func *f)
{
	if (!f)
		return;
	for (unsigned int i = 0; f->params && i < f->nparams; i++) {
		struct dwarf_param *p = &f->params[i];

		for (unsigned int j = 0; p->members && j < p->nmembers; j++) {
			free(p->members[j].name);
			free(p->members[j].type);
		}
		free(p->members);
		free(p->name);
		free(p->type);
	}
	free(f->params);
	free(f->name);
	memset(f, 0, sizeof(*f));
}

/* ---- Go's runtime.g --------------------------------------------------------------------- */

static int member_offset(Dwarf_Die *st, const char *name, uint64_t *off, Dwarf_Die *type)
{
	Dwarf_Die m;
	unsigned int n = 0;

	if (dwarf_child(st, &m))
		return -ENOENT;
	do {
		Dwarf_Attribute attr;
		Dwarf_Word v;
		const char *mn;

		if (dwarf_tag(&m) != DW_TAG_member || !(mn = dw_die_name(&m)) || strcmp(mn, name))
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &attr) ||
		    dwarf_formudata(&attr, &v))
			return -EINVAL;
		*off = v;
		if (type && (!dw_die_type(&m, type) || !dw_type_peel(type, type)))
			return -EINVAL;
		return 0;
	} while (++n < DW_MAX_SIBLINGS && dwarf_siblingof(&m, &m) == 0);
	return -ENOENT;
}

static bool find_struct(struct dwarf_file *df, const char *name, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	unsigned int ncu = 0, n = 0; /* n: DIEs over all CUs, so many small CUs stay bounded */

	while (ncu++ < MAX_CUS && dwarf_nextcu(df->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (next <= off || n >= MAX_DIES_SCANNED)
			break;
		if (dwarf_offdie(df->dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *dn;

				if (dwarf_tag(&die) == DW_TAG_structure_type &&
				    (dn = dwarf_diename(&die)) && !strcmp(dn, name)) {
					*out = die;
					return true;
				}
			} while (++n < MAX_DIES_SCANNED && dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return false;
}

int dwarf_file__go_g_offsets(struct dwarf_file *df, struct dwarf_go_g *out)
{
	Dwarf_Die g, stack;
	uint64_t goid, st, hi;

	if (!df || !find_struct(df, "runtime.g", &g))
		return -ENOENT;
	if (member_offset(&g, "goid", &goid, NULL) || member_offset(&g, "stack", &st, &stack) ||
	    member_offset(&stack, "hi", &hi, NULL))
		return -EINVAL;
	if (goid > UINT32_MAX || st + hi > UINT32_MAX)
		return -EINVAL;
	out->goid = (uint32_t)goid;
	out->stack_hi = (uint32_t)(st + hi);
	return 0;
}

/* ---- Go's error types -------------------------------------------------------------------- */

#define DW_AT_GO_RUNTIME_TYPE 0x2904 /* a type's descriptor, as an offset from runtime.types */
#define GO_TYPE_HASH_OFF      16     /* abi.Type: Size_, PtrBytes, then Hash (Go 1.17-1.27) */
#define GO_MAX_ERROR_TYPES    4096

/* The u32 at vaddr in the file's contents, or false (outside every section with bits). */
static bool file_u32(Elf *elf, uint64_t vaddr, uint32_t *v)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS || !sh.sh_addr ||
		    vaddr < sh.sh_addr || vaddr - sh.sh_addr + 4 > sh.sh_size)
			continue;
		if (!(d = elf_getdata(scn, NULL)) || !d->d_buf ||
		    vaddr - sh.sh_addr + 4 > d->d_size)
			return false;
		memcpy(v, (const char *)d->d_buf + (vaddr - sh.sh_addr), 4);
		return true;
	}
	return false;
}

/* The attribute's value: Go writes it as an address (its linker's DW_CLS_GO_TYPEREF). */
static int go_type_offset(Dwarf_Attribute *attr, Dwarf_Word *v)
{
	Dwarf_Addr a;

	if (dwarf_whatform(attr) != DW_FORM_addr)
		return dwarf_formudata(attr, v);
	if (dwarf_formaddr(attr, &a))
		return -1;
	*v = a;
	return 0;
}

/* "pkg.(*T).Error" -> "*pkg.T", "pkg.T.Error" -> "pkg.T": the type with that method. */
static bool error_receiver(const char *fn, char *out, size_t len)
{
	size_t n = strlen(fn);
	const char *open;

	if (n < 7 || strcmp(fn + n - 6, ".Error"))
		return false;
	n -= 6;
	open = strstr(fn, ".(*");
	if (open && open < fn + n && fn[n - 1] == ')')
		return (size_t)snprintf(out, len, "*%.*s%.*s", (int)(open - fn + 1), fn,
					(int)(fn + n - 1 - open - 3), open + 3) < len;
	return n < len && snprintf(out, len, "%.*s", (int)n, fn) > 0;
}

/* What one search for error types has found so far. */
struct err_types {
	struct dwarf_file *df;
	uint64_t types; /* runtime.types: what DW_AT_go_runtime_type is relative to */
	char **names;	/* the receivers of Error methods */
	size_t nnames;
	struct dwarf_go_type *out;
	size_t n;
};

static bool names_has(const struct err_types *et, const char *s)
{
	for (size_t i = 0; i < et->nnames; i++)
		if (!strcmp(et->names[i], s))
			return true;
	return false;
}

static int names_add(struct err_types *et, const char *s)
{
	char **v;

	if (et->nnames >= GO_MAX_ERROR_TYPES || names_has(et, s))
		return 0;
	v = realloc(et->names, (et->nnames + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	et->names = v;
	v[et->nnames] = strdup(s);
	if (!v[et->nnames])
		return -ENOMEM;
	et->nnames++;
	return 0;
}

/* Pass 0: the receiver of an Error method; for a value receiver T, *T has it too. */
static int note_receiver(struct err_types *et, const char *fn)
{
	char recv[sizeof(et->out->type) + 1];
	int err;

	if (!error_receiver(fn, recv + 1, sizeof(recv) - 1))
		return 0;
	err = names_add(et, recv + 1);
	recv[0] = '*';
	return err || recv[1] == '*' ? err : names_add(et, recv);
}

/* Pass 1: a type so named, with the hash its runtime descriptor holds. */
static void note_type(struct err_types *et, Dwarf_Die *die, const char *name)
{
	Dwarf_Attribute attr;
	Dwarf_Word toff;
	uint32_t hash;

	if (et->n >= et->nnames || strlen(name) >= sizeof(et->out->type) ||
	    !dwarf_attr(die, DW_AT_GO_RUNTIME_TYPE, &attr) || go_type_offset(&attr, &toff) ||
	    !names_has(et, name) ||
	    !file_u32(et->df->elf, et->types + toff + GO_TYPE_HASH_OFF, &hash))
		return;
	et->out[et->n].hash = hash;
	strcpy(et->out[et->n].type, name);
	et->n++;
}

/* One bounded walk over the top-level DIEs of every CU. */
static int error_types_pass(struct err_types *et, int pass)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	unsigned int ncu = 0, seen = 0;
	int err = 0;

	while (!err && ncu++ < MAX_CUS &&
	       dwarf_nextcu(et->df->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;
		bool more;

		if (next <= off)
			break;
		more = dwarf_offdie(et->df->dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0;
		while (more && !err) {
			const char *dn = dwarf_diename(&die);
			bool fn = dwarf_tag(&die) == DW_TAG_subprogram;

			if (dn && pass == 0 && fn)
				err = note_receiver(et, dn);
			else if (dn && pass == 1 && !fn)
				note_type(et, &die, dn);
			more = ++seen < MAX_DIES_SCANNED && dwarf_siblingof(&die, &die) == 0;
		}
		off = next;
	}
	return err;
}

int dwarf_file__go_error_types(struct dwarf_file *df, struct dwarf_go_type **out, size_t *n)
{
	struct err_types et = {.df = df};
	int err;

	*out = NULL;
	*n = 0;
	if (!df || elf_raw_symbol(df->elf, "runtime.types", &et.types, NULL))
		return -ENOENT;
	err = error_types_pass(&et, 0);
	if (!err && et.nnames && !(et.out = calloc(et.nnames, sizeof(*et.out))))
		err = -ENOMEM;
	if (!err && et.nnames)
		err = error_types_pass(&et, 1);
	for (size_t i = 0; i < et.nnames; i++)
		free(et.names[i]);
	free(et.names);
	*out = et.out;
	*n = et.n;
	return err;
}

const char *dwarf_reg_name(int reg)
{
	/* x86-64 psABI DWARF numbering: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip */
	static const char *const names[] = {"ax",  "dx",  "cx",	 "bx",	"si",  "di",
					    "bp",  "sp",  "r8",	 "r9",	"r10", "r11",
					    "r12", "r13", "r14", "r15", "ip"};

	if (reg < 0 || reg >= (int)(sizeof(names) / sizeof(names[0])))
		return NULL;
	return names[reg];
}
