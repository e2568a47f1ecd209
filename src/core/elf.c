// SPDX-License-Identifier: GPL-2.0
/*
 * ELF reading through libelf over a read-only mmap-free descriptor. libelf validates section
 * and segment tables against the file size; we check every offset we compute ourselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/elf.h"
#include "core/vec.h"

#define MAX_PHDRS 256

struct elf_file {
	int fd;
	Elf *elf;
	char *path;
	uint16_t type;
	size_t nphdr;
	GElf_Phdr phdr[MAX_PHDRS];
	const char *image; /* whole file, from elf_rawfile() */
	size_t image_size;
	uint8_t *code;	   /* bytes_at()'s buffer, read with pread() */
	size_t code_cap;
};

int elf_open_raw(const char *path, int *fd, struct Elf **elf)
{
	*fd = -1;
	*elf = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	*elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (!*elf || elf_kind(*elf) != ELF_K_ELF)
		return -ENOEXEC;
	return 0;
}

void elf_close_raw(int fd, struct Elf *elf)
{
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
}

int elf_file__open(const char *path, struct elf_file **out)
{
	struct elf_file *ef = calloc(1, sizeof(*ef));
	GElf_Ehdr eh;
	size_t n;
	int err;

	if (!ef)
		return -ENOMEM;
	err = elf_open_raw(path, &ef->fd, &ef->elf);
	if (err)
		goto fail;
	err = -ENOMEM;
	ef->path = strdup(path);
	if (!ef->path)
		goto fail;
	err = -ENOEXEC;
	if (!gelf_getehdr(ef->elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64)
		goto fail;
	ef->type = eh.e_type;
	if (elf_getphdrnum(ef->elf, &n))
		goto fail;
	for (size_t i = 0; i < n && ef->nphdr < MAX_PHDRS; i++)
		if (gelf_getphdr(ef->elf, i, &ef->phdr[ef->nphdr]))
			ef->nphdr++;
	ef->image = elf_rawfile(ef->elf, &ef->image_size);
	if (!ef->image)
		goto fail;
	*out = ef;
	return 0;
fail:
	elf_file__close(ef);
	return err;
}

void elf_file__close(struct elf_file *ef)
{
	if (!ef)
		return;
	elf_close_raw(ef->fd, ef->elf);
	free(ef->path);
	free(ef->code);
	free(ef);
}

const char *elf_file__path(const struct elf_file *ef)
{
	return ef->path;
}

bool elf_file__is_pie(const struct elf_file *ef)
{
	return ef->type == ET_DYN;
}

static Elf_Scn *find_section(struct elf_file *ef, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(ef->elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(ef->elf, scn))) {
		const char *sname;

		if (!gelf_getshdr(scn, sh))
			continue;
		sname = elf_strptr(ef->elf, shstrndx, sh->sh_name);
		if (sname && strcmp(sname, name) == 0)
			return scn;
	}
	return NULL;
}

const void *elf_file__section(struct elf_file *ef, const char *name, uint64_t *addr, size_t *size)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(ef, name, &sh);

	if (!scn || sh.sh_type == SHT_NOBITS || sh.sh_offset > ef->image_size ||
	    sh.sh_size > ef->image_size - sh.sh_offset)
		return NULL;
	if (addr)
		*addr = sh.sh_addr;
	if (size)
		*size = sh.sh_size;
	return ef->image + sh.sh_offset;
}

struct seen {
	uint64_t *keys;
	size_t n, cap;
};

/* Name + address hash: cheap dedup of symbols present in both .symtab and .dynsym. */
static uint64_t sym_key(const char *name, uint64_t addr)
{
	uint64_t h = 1469598103934665603ULL ^ addr;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return h;
}

/* name in the symbol table sections of type of elf: 0 and *sym, or -ENOENT */
static int raw_symbol_in(Elf *elf, Elf64_Word type, const char *name, GElf_Sym *out)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < d->d_size / sh.sh_entsize; i++) {
			const char *sn;

			if (!gelf_getsym(d, (int)i, out) || out->st_shndx == SHN_UNDEF ||
			    !out->st_value || GELF_ST_TYPE(out->st_info) == STT_TLS ||
			    !(sn = elf_strptr(elf, sh.sh_link, out->st_name)) || strcmp(sn, name))
				continue;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_raw_symbol(struct Elf *elf, const char *name, uint64_t *value, uint64_t *size)
{
	GElf_Sym sym;

	if (raw_symbol_in(elf, SHT_SYMTAB, name, &sym) &&
	    raw_symbol_in(elf, SHT_DYNSYM, name, &sym))
		return -ENOENT;
	*value = sym.st_value;
	if (size)
		*size = sym.st_size;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int walk_symtab(struct elf_file *ef, Elf_Scn *scn, GElf_Shdr *sh, elf_func_cb cb,
		       void *ctx, struct seen *seen, size_t nsorted)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n;

	if (!data || !sh->sh_entsize)
		return 0;
	n = data->d_size / sh->sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int type, ret;
		uint64_t key;

		if (!gelf_getsym(data, i, &sym))
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
		    !sym.st_value)
			continue;
		name = elf_strptr(ef->elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		key = sym_key(name, sym.st_value);
		if (nsorted && bsearch(&key, seen->keys, nsorted, sizeof(key), key_cmp))
			continue;
		if (VEC_RESERVE(seen->keys, seen->cap, seen->n, 1))
			return -ENOMEM;
		seen->keys[seen->n++] = key;
		ret = cb(name, sym.st_value, sym.st_size, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int elf_file__for_each_func(struct elf_file *ef, elf_func_cb cb, void *ctx)
{
	static const Elf64_Word types[] = { SHT_SYMTAB, SHT_DYNSYM };
	struct seen seen = { 0 };
	int ret = 0;

	for (size_t t = 0; t < 2 && !ret; t++) {
		Elf_Scn *scn = NULL;
		size_t nsorted = seen.n;

		/* .dynsym repeats .symtab's entries: skip the ones already reported. */
		if (nsorted)
			qsort(seen.keys, nsorted, sizeof(*seen.keys), key_cmp);
		while ((scn = elf_nextscn(ef->elf, scn)) && !ret) {
			GElf_Shdr sh;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != types[t])
				continue;
			ret = walk_symtab(ef, scn, &sh, cb, ctx, &seen, nsorted);
		}
	}
	free(seen.keys);
	return ret;
}

static const GElf_Phdr *load_segment(const struct elf_file *ef, uint64_t vaddr)
{
	for (size_t i = 0; i < ef->nphdr; i++) {
		const GElf_Phdr *p = &ef->phdr[i];

		if (p->p_type == PT_LOAD && vaddr >= p->p_vaddr && vaddr - p->p_vaddr < p->p_memsz)
			return p;
	}
	return NULL;
}

int elf_file__vaddr_to_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *off)
{
	const GElf_Phdr *p = load_segment(ef, vaddr);

	if (!p || vaddr - p->p_vaddr >= p->p_filesz)
		return -ERANGE;
	*off = vaddr - p->p_vaddr + p->p_offset;
	return 0;
}

int elf_file__segment_delta(const struct elf_file *ef, uint64_t vaddr, int64_t *delta)
{
	const GElf_Phdr *p = load_segment(ef, vaddr);

	if (!p)
		return -ERANGE;
	*delta = (int64_t)(p->p_vaddr - p->p_offset);
	return 0;
}

/*
 * Code is read with pread(), never through our mmap of the file: the kernel installs active
 * uprobes (ours or another tracer's) into every VM_MAYEXEC mapping of the file, our read-only
 * one included, so mapped text can show int3 where the file has the real instruction.
 */
const uint8_t *elf_file__bytes_at(struct elf_file *ef, uint64_t vaddr, size_t len)
{
	const GElf_Phdr *p = load_segment(ef, vaddr);
	uint64_t rel, off;

	if (!p || !len)
		return NULL;
	rel = vaddr - p->p_vaddr;
	if (rel > p->p_filesz || len > p->p_filesz - rel)
		return NULL;
	off = p->p_offset + rel;
	if (off > ef->image_size || len > ef->image_size - off)
		return NULL;
	if (len > ef->code_cap) {
		uint8_t *b = realloc(ef->code, len);

		if (!b)
			return NULL;
		ef->code = b;
		ef->code_cap = len;
	}
	if (pread(ef->fd, ef->code, len, off) != (ssize_t)len)
		return NULL;
	return ef->code;
}

bool elf_file__is_go(struct elf_file *ef)
{
	GElf_Shdr sh;

	return find_section(ef, ".go.buildinfo", &sh) || find_section(ef, ".gopclntab", &sh) ||
	       find_section(ef, ".note.go.buildid", &sh) ||
	       find_section(ef, ".data.rel.ro.gopclntab", &sh);
}
