// SPDX-License-Identifier: GPL-2.0
/*
 * symdump: what core/ makes of a binary, for tests and debugging. Not a bcc tool.
 *
 *   symdump BIN [GLOB]          ADDR SIZE FILEOFF NAME per function (target resolution)
 *   symdump -l BIN [GLOB]       instruction layout: entry probe site, RETs, tail jumps
 *   symdump -d BIN [GLOB]       DWARF: prologue_end and parameters with locations
 *   symdump -g BIN              Go version, goid and g.stack.hi offsets (table, DWARF) and
 *                               the goid offset the probes use
 *   symdump -p PID ADDR...      symbolize addresses of a running process
 *   symdump -k ADDR...          symbolize kernel addresses
 *   symdump -P FILE [TEXT]      a raw .gopclntab dump: ENTRY END NAME per function, then
 *                               the function of each address read on stdin ("lookup")
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dwarf.h"
#include "core/elf.h"
#include "core/gosym.h"
#include "core/ksym.h"
#include "core/log.h"
#include "core/out.h"
#include "core/probe.h"
#include "core/usym.h"

enum mode { MODE_LIST, MODE_LAYOUT, MODE_DWARF, MODE_GO, MODE_PID, MODE_KERNEL, MODE_PCLN };

static void usage(FILE *f)
{
	fprintf(f, "usage: symdump [-l|-d] BINARY [GLOB]\n"
		   "       symdump -g BINARY\n"
		   "       symdump -p PID ADDR...\n"
		   "       symdump -k ADDR...\n"
		   "       symdump -P PCLNTAB_FILE [TEXT_START]\n");
}

/* Names come from binaries we did not build: escape them. slot: a buffer per argument. */
static const char *esc(const char *s, unsigned int slot)
{
	static char bufs[3][1024];

	return str_escape(bufs[slot % 3], sizeof(bufs[0]), s, strlen(s));
}

static int resolve(const char *bin, const char *glob, unsigned int flags, struct target_set *ts)
{
	char spec_text[4096], err[512];
	struct probe_spec spec;
	int ret;

	snprintf(spec_text, sizeof(spec_text), "%s:%s", bin, glob ? glob : "*");
	ret = probe_spec__parse(spec_text, false, &spec, err, sizeof(err));
	if (ret) {
		tk_err("%s", err);
		return ret;
	}
	ret = target_resolve(&spec, 0, flags, ts, err, sizeof(err));
	probe_spec__free(&spec);
	if (ret)
		tk_err("%s", err);
	return ret;
}

static void print_layout(const struct func_target *f)
{
	static const char *const cond[] = {"always", "jbe-not-taken", "jb-not-taken"};
	const struct func_layout *l = &f->layout;

	printf("%s entry=+0x%x cond=%s body=+0x%x go_prologue=%d rets=", esc(f->name, 0),
	       l->entry_off, l->entry_cond <= ENTRY_JB_NOT_TAKEN ? cond[l->entry_cond] : "?",
	       l->body_off, l->go_prologue);
	for (uint32_t i = 0; i < l->nrets; i++)
		printf("%s+0x%x", i ? "," : "", l->ret_off[i]);
	printf(" tail_jmps=%u%s\n", l->ntail_jmps, l->truncated ? " truncated" : "");
}

static void print_loc(const struct dwarf_loc *loc)
{
	if (!loc->npieces) {
		printf("-");
		return;
	}
	for (unsigned int i = 0; i < loc->npieces; i++) {
		const struct dwarf_piece *p = &loc->pieces[i];
		const char *r = dwarf_reg_name(p->reg);

		if (i)
			printf(",");
		switch (p->kind) {
		case DWARF_LOC_NONE:
			printf("none");
			break;
		case DWARF_LOC_REG:
			r ? printf("%s", r) : printf("reg%d", p->reg);
			break;
		case DWARF_LOC_CFA:
			printf("cfa%+" PRId64, p->off);
			break;
		case DWARF_LOC_FBREG:
			printf("fb%+" PRId64, p->off);
			break;
		case DWARF_LOC_BREG:
			r ? printf("[%s%+" PRId64 "]", r, p->off)
			  : printf("[reg%d%+" PRId64 "]", p->reg, p->off);
			break;
		case DWARF_LOC_ADDR:
			printf("[0x%" PRIx64 "]", (uint64_t)p->off);
			break;
		default:
			printf("unsupported");
		}
		if (p->size)
			printf(":%u", p->size);
	}
}

static void print_dwarf(struct dwarf_file *df, const struct func_target *f)
{
	struct dwarf_func fn;

	if (dwarf_file__func(df, f->addr, &fn)) {
		printf("%s no-dwarf\n", esc(f->name, 0));
		return;
	}
	printf("%s low=0x%" PRIx64 " high=0x%" PRIx64, esc(fn.name, 0), fn.low_pc, fn.high_pc);
	if (fn.prologue_end)
		printf(" prologue_end=+0x%" PRIx64, fn.prologue_end - fn.low_pc);
	printf("\n");
	for (unsigned int i = 0; i < fn.nparams; i++) {
		const struct dwarf_param *p = &fn.params[i];

		printf("  %s %s \"%s\" size=%" PRIu64 " loc=", p->is_result ? "result" : "param",
		       esc(p->name, 0), esc(p->type, 1), p->size);
		print_loc(&p->loc);
		printf("\n");
		for (unsigned int j = 0; j < p->nmembers; j++)
			printf("    .%s \"%s\" off=%" PRIu64 " size=%" PRIu64 "\n",
			       esc(p->members[j].name, 0), esc(p->members[j].type, 1),
			       p->members[j].offset, p->members[j].size);
	}
	dwarf_func__free(&fn);
}

static int cmd_binary(enum mode mode, const char *bin, const char *glob)
{
	struct target_set ts;
	struct dwarf_file *df = NULL;
	int ret;

	ret = resolve(bin, glob, mode == MODE_LAYOUT ? RESOLVE_LAYOUT : 0, &ts);
	if (ret)
		return 1;
	if (mode == MODE_DWARF && (ret = dwarf_file__open(ts.path, &df))) {
		tk_err("%s: no DWARF (%s)", bin, strerror(-ret));
		target_set__free(&ts);
		return 1;
	}
	if (ts.nrefused)
		tk_note("%zu function(s) refused as unsafe probe sites, e.g. %s", ts.nrefused,
			ts.refused_example);
	for (size_t i = 0; i < ts.nfuncs; i++) {
		const struct func_target *f = &ts.funcs[i];

		if (mode == MODE_LIST)
			printf("%" PRIx64 " %" PRIu64 " %" PRIx64 " %s\n", f->addr, f->size,
			       f->offset, esc(f->name, 0));
		else if (mode == MODE_LAYOUT)
			print_layout(f);
		else
			print_dwarf(df, f);
	}
	dwarf_file__close(df);
	target_set__free(&ts);
	return 0;
}

static int cmd_go(const char *bin)
{
	struct elf_file *ef;
	struct dwarf_file *df;
	struct dwarf_go_g g;
	struct gosym_g_offsets tab;
	struct target_set ts;
	const void *bi;
	size_t size;
	char ver[64] = "";
	int ret;

	ret = elf_file__open(bin, &ef);
	if (ret) {
		tk_err("%s: %s", bin, ret == -ENOEXEC ? "not an x86-64 ELF file" : strerror(-ret));
		return 1;
	}
	bi = elf_file__section(ef, ".go.buildinfo", NULL, &size);
	if (!bi || gosym_buildinfo_version(bi, size, ver, sizeof(ver)))
		snprintf(ver, sizeof(ver), "unknown");
	printf("version %s\n", ver);
	if (!gosym_g_offsets(ver, &tab))
		printf("goid_off(table) 0x%x\nstack_hi_off(table) 0x%x\n", tab.goid, tab.stack_hi);
	else
		printf("goid_off(table) none\n");
	elf_file__close(ef);
	if (!dwarf_file__open(bin, &df)) {
		if (!dwarf_file__go_g_offsets(df, &g))
			printf("goid_off(dwarf) 0x%x\nstack_hi_off(dwarf) 0x%x\n", g.goid,
			       g.stack_hi);
		dwarf_file__close(df);
	}
	/* What the probes use: table, else DWARF, else the table's guess. */
	if (!resolve(bin, "main.main", 0, &ts)) {
		printf("goid_off(used) 0x%x\n", ts.goid_off);
		target_set__free(&ts);
	}
	return 0;
}

static int parse_addr(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 16);
	if (errno || end == s || *end) {
		tk_err("bad address '%s'", s);
		return -EINVAL;
	}
	return 0;
}

static int cmd_pid(int pid, char **addrs, int n)
{
	struct usym_cache *c = usym_cache__new();
	int rc = 0;

	if (!c)
		return 1;
	for (int i = 0; i < n; i++) {
		struct usym s;
		uint64_t ip;
		int ret;

		if (parse_addr(addrs[i], &ip)) {
			rc = 1;
			break;
		}
		ret = usym_cache__resolve(c, pid, ip, &s);
		if (ret == -ESRCH) {
			tk_err("process %d not found", pid);
			rc = 1;
			break;
		}
		printf("%" PRIx64 " %s+0x%" PRIx64 " %s\n", ip,
		       s.name ? esc(s.name, 0) : "[unknown]", s.name ? s.off : 0,
		       s.module ? esc(s.module, 1) : "-");
	}
	usym_cache__free(c);
	return rc;
}

static int cmd_kernel(char **addrs, int n)
{
	struct ksyms *k = ksyms__load();

	if (!k) {
		tk_err("cannot read /proc/kallsyms: %s", strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		uint64_t a, off = 0;
		const char *name;

		if (parse_addr(addrs[i], &a)) {
			ksyms__free(k);
			return 1;
		}
		name = ksyms__resolve(k, a, &off);
		printf("%" PRIx64 " %s+0x%" PRIx64 "\n", a, name ? esc(name, 0) : "[unknown]", off);
	}
	ksyms__free(k);
	return 0;
}

static int cmd_pclntab(const char *path, const char *text_arg)
{
	struct gosym_table *t;
	struct gosym_func f;
	uint64_t text = 0;
	char line[128];
	size_t size = 0;
	FILE *fp;
	void *data;
	int ret;

	if (text_arg && parse_addr(text_arg, &text))
		return 1;
	fp = fopen(path, "re");
	if (!fp) {
		tk_err("%s: %s", path, strerror(errno));
		return 1;
	}
	fseek(fp, 0, SEEK_END);
	size = (size_t)ftell(fp);
	rewind(fp);
	data = malloc(size ? size : 1);
	if (!data || fread(data, 1, size, fp) != size) {
		tk_err("%s: cannot read", path);
		fclose(fp);
		free(data);
		return 1;
	}
	fclose(fp);
	ret = gosym_table__parse(data, size, text, &t);
	if (ret) {
		tk_err("%s: not a pclntab we can read (%s)", path, strerror(-ret));
		free(data);
		return 1;
	}
	for (size_t i = 0; i < gosym_table__count(t); i++) {
		if (gosym_table__func(t, i, &f))
			printf("corrupt entry %zu\n", i);
		else
			printf("%" PRIx64 " %" PRIx64 " %s\n", f.entry, f.end, esc(f.name, 0));
	}
	/* Lookups, for addresses given on stdin (not a terminal). */
	while (!isatty(0) && fgets(line, sizeof(line), stdin)) {
		uint64_t pc;

		line[strcspn(line, "\n")] = '\0';
		if (parse_addr(line, &pc))
			break;
		if (gosym_table__lookup(t, pc, &f))
			printf("lookup %" PRIx64 " -\n", pc);
		else
			printf("lookup %" PRIx64 " %s\n", pc, esc(f.name, 0));
	}
	gosym_table__free(t);
	free(data);
	return 0;
}

static int symdump_main(int argc, char **argv)
{
	enum mode mode = MODE_LIST;
	int opt, pid = 0;
	char *end;

	tk_stdout_linebuf();
	while ((opt = getopt(argc, argv, "ldgp:kPh")) != -1) {
		switch (opt) {
		case 'l':
			mode = MODE_LAYOUT;
			break;
		case 'd':
			mode = MODE_DWARF;
			break;
		case 'g':
			mode = MODE_GO;
			break;
		case 'p':
			mode = MODE_PID;
			pid = (int)strtol(optarg, &end, 10);
			if (*end || pid <= 0) {
				tk_err("bad pid '%s'", optarg);
				return 1;
			}
			break;
		case 'k':
			mode = MODE_KERNEL;
			break;
		case 'P':
			mode = MODE_PCLN;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	switch (mode) {
	case MODE_PID:
		return cmd_pid(pid, argv, argc);
	case MODE_KERNEL:
		return cmd_kernel(argv, argc);
	case MODE_GO:
		if (argc != 1)
			break;
		return cmd_go(argv[0]);
	case MODE_PCLN:
		if (argc < 1 || argc > 2)
			break;
		return cmd_pclntab(argv[0], argc == 2 ? argv[1] : NULL);
	default:
		if (argc < 1 || argc > 2)
			break;
		return cmd_binary(mode, argv[0], argc == 2 ? argv[1] : NULL);
	}
	usage(stderr);
	return 1;
}

int main(int argc, char **argv)
{
	return symdump_main(argc, argv);
}
