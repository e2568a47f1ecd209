// SPDX-License-Identifier: GPL-2.0
/*
 * core/kbtf.c and core/btfmin.c against libbpf's own parse of the running kernel's BTF:
 * every type record, struct member, enumerator and function name must read the same, and a
 * minimal BTF must keep the kernel's offsets for every member it keeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "core/btfmin.h"
#include "core/kbtf.h"
#include "unit.h"

static struct btf *full;
static struct kbtf *k;

/* Member name's bit offset and bitfield size via libbpf, descending into anonymous members. */
static bool lib_member(int type_id, const char *name, uint32_t base, uint32_t *bit_off,
		       uint32_t *bits, uint32_t *size)
{
	const struct btf_type *t = btf__type_by_id(full, type_id);
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		uint32_t off = base + btf_member_bit_offset(t, i);
		const char *mn = btf__name_by_offset(full, m->name_off);

		if (mn && strcmp(mn, name) == 0) {
			*bit_off = off;
			*bits = btf_member_bitfield_size(t, i);
			*size = btf__resolve_size(full, m->type);
			return true;
		}
		if ((!mn || !*mn) &&
		    lib_member(btf__resolve_type(full, m->type), name, off, bit_off, bits, size))
			return true;
	}
	return false;
}

static void test_every_type_reads_the_same(void)
{
	const struct btf_type *t = kbtf__type(k, 1);
	uint32_t bad = 0;

	CHECK(kbtf__type_cnt(k) == btf__type_cnt(full));
	CHECK(kbtf__type(k, 0) && btf_kind(kbtf__type(k, 0)) == BTF_KIND_UNKN);
	CHECK(kbtf__type(k, kbtf__type_cnt(k)) == NULL);
	for (uint32_t id = 1; id < btf__type_cnt(full); id++, t = kbtf__next(k, t)) {
		const struct btf_type *want = btf__type_by_id(full, id);

		/* by id (the sampled index) and in a walk (kbtf__next) */
		if (kbtf__type(k, id) != t || t->info != want->info || t->size != want->size ||
		    strcmp(kbtf__str(k, t->name_off), btf__name_by_offset(full, want->name_off)))
			bad++;
	}
	CHECK(bad == 0);
}

static void test_members_match_libbpf(void)
{
	static const char *const want[][2] = {
		{"task_struct", "real_parent"},	  {"task_struct", "tgid"},
		{"task_struct", "exit_code"},	  {"task_struct", "start_time"},
		{"task_struct", "files"},	  {"files_struct", "fdt"},
		{"fdtable", "max_fds"},		  {"fdtable", "fd"},
		{"file", "f_inode"},		  {"file", "private_data"},
		{"file", "f_path"},		  {"inode", "i_mode"},
		{"socket", "sk"},		  {"sock_common", "skc_family"},
		{"sock_common", "skc_num"},	  {"sock_common", "skc_rcv_saddr"},
		{"sock_common", "skc_v6_rcv_saddr"}, {"sock_common", "skc_bound_dev_if"},
		{"sock_common", "skc_reuse"},	  {"sock_common", "skc_reuseport"},
		{"sock", "sk_protocol"},	  {"inet_sock", "inet_flags"},
		{"dentry", "d_name"},		  {"qstr", "name"},
		{"mount", "mnt"},		  {"mount", "mnt_mountpoint"},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint32_t bit_off = 0, bits = 0, size = 0;
		int id = btf__find_by_name_kind(full, want[i][0], BTF_KIND_STRUCT);
		struct kbtf_member m = {0};
		int before = unit_failed;

		CHECK(id > 0);
		CHECK(lib_member(id, want[i][1], 0, &bit_off, &bits, &size));
		CHECK(kbtf__member(k, want[i][0], want[i][1], &m) == 0);
		CHECK(m.bit_off == bit_off);
		CHECK(m.bitfield == bits);
		CHECK(m.size == size);
		CHECK(kbtf__skip_mods(k, m.type) ==
		      (uint32_t)btf__resolve_type(full, m.type));
		if (unit_failed != before)
			fprintf(stderr, "%s.%s: got %u %u %u, libbpf %u %u %u\n", want[i][0],
				want[i][1], m.bit_off, m.bitfield, m.size, bit_off, bits, size);
	}
}

static void test_find_by_name(void)
{
	static const struct {
		const char *name;
		int kind;
	} want[] = {
		{"task_struct", BTF_KIND_STRUCT},
		{"vfs_read", BTF_KIND_FUNC},
		{"skb_drop_reason", BTF_KIND_ENUM},
		{"u64", BTF_KIND_TYPEDEF},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct btf_type *t = NULL;
		int id = kbtf__find(k, want[i].name, want[i].kind, &t);

		CHECK(id > 0 && id == btf__find_by_name_kind(full, want[i].name, want[i].kind));
		CHECK(t && t == kbtf__type(k, id));
	}
	CHECK(kbtf__find(k, "no_such_function_tk", BTF_KIND_FUNC, NULL) == -ENOENT);
	CHECK(kbtf__find(k, "task_struct", BTF_KIND_FUNC, NULL) == -ENOENT);
}

static void test_enum_both_ways(void)
{
	int id = btf__find_by_name_kind(full, "skb_drop_reason", BTF_KIND_ENUM);
	const struct btf_type *t = btf__type_by_id(full, id);
	const struct btf_enum *e = btf_enum(t);
	int64_t v = -1;

	CHECK(id > 0 && btf_vlen(t) > 10);
	for (int i = 0; i < btf_vlen(t); i++, e++) {
		const char *name = btf__name_by_offset(full, e->name_off);
		const char *first = NULL;

		for (int j = 0; j <= i && !first; j++)
			if (btf_enum(t)[j].val == e->val)
				first = btf__name_by_offset(full, btf_enum(t)[j].name_off);
		CHECK(kbtf__enum_value(k, id, name, &v) == 0 && v == (int64_t)(uint32_t)e->val);
		CHECK_STR(kbtf__enum_name(k, id, (uint32_t)e->val), first);
	}
	CHECK(kbtf__enum_value(k, id, "SKB_DROP_REASON_NO_SUCH_TK", &v) == -ENOENT);
	CHECK(kbtf__enum_name(k, id, 1 << 30) == NULL);
	CHECK(kbtf__enum_name(k, btf__find_by_name_kind(full, "task_struct", BTF_KIND_STRUCT),
			      0) == NULL);
}

static void test_missing_member(void)
{
	struct kbtf_member m;

	CHECK(kbtf__member(k, "task_struct", "no_such_member_tk", &m) == -ENOENT);
	CHECK(kbtf__member(k, "no_such_struct_tk", "tgid", &m) == -ENOENT);
}

static void test_not_btf(void)
{
	struct kbtf *x = (void *)1;

	CHECK(kbtf__open("/etc/hostname", &x) < 0 && x == NULL);
	CHECK(kbtf__open("/nonexistent/btf", &x) == -ENOENT && x == NULL);
	x = (void *)1;
	CHECK(kbtf__new("not BTF at all", 14, &x) == -EINVAL && x == NULL);
	CHECK(kbtf__new(NULL, 0, &x) == -EINVAL && x == NULL);
	kbtf__close(NULL);
}

/* build/bpf/NAME.bpf.o, next to this binary's build/tests/. */
static void *read_object(const char *name, size_t *sz)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;
	void *buf;
	int fd;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../bpf/%s.bpf.o", dirname(exe), name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: %s (run make all first)\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(st.st_size);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*sz = st.st_size;
	return buf;
}

/* Every named member a minimal BTF keeps sits where it sits in the kernel's struct. */
static void check_min_btf(const char *obj)
{
	size_t sz = 0;
	void *elf = read_object(obj, &sz);
	struct btf_min *m = NULL;
	struct btf *min = NULL;
	int members = 0, bad = 0;

	CHECK(elf != NULL);
	if (!elf)
		return;
	CHECK(btf_min__new(elf, sz, &m) == 0);
	if (m)
		min = btf__parse(btf_min__path(m), NULL);
	CHECK(min != NULL);
	for (uint32_t id = 1; min && id < btf__type_cnt(min); id++) {
		const struct btf_type *t = btf__type_by_id(min, id);
		const char *sname = btf__name_by_offset(min, t->name_off);
		const struct btf_member *mb = btf_members(t);
		int kid;

		if (!btf_is_composite(t) || !*sname)
			continue;
		kid = btf__find_by_name_kind(full, sname, btf_kind(t));
		for (int i = 0; i < btf_vlen(t); i++, mb++) {
			const char *mname = btf__name_by_offset(min, mb->name_off);
			const struct btf_type *kt = btf__type_by_id(full, kid);
			const struct btf_member *km = kid > 0 ? btf_members(kt) : NULL;
			int j;

			if (!*mname)
				continue; /* anonymous: its named members are checked in its type */
			members++;
			for (j = 0; km && j < btf_vlen(kt); j++, km++)
				if (!strcmp(btf__name_by_offset(full, km->name_off), mname))
					break;
			if (!km || j == btf_vlen(kt) ||
			    btf_member_bit_offset(t, i) != btf_member_bit_offset(kt, j) ||
			    btf_member_bitfield_size(t, i) != btf_member_bitfield_size(kt, j)) {
				fprintf(stderr, "%s: %s.%s differs from the kernel's\n", obj, sname,
					mname);
				bad++;
			}
		}
	}
	CHECK(members > 5 && bad == 0);
	CHECK(min && btf__type_cnt(min) < 500); /* a few KB, not the kernel's 126,000 types */
	btf__free(min);
	btf_min__free(m);
	free(elf);
}

static void test_min_btf_keeps_kernel_offsets(void)
{
	check_min_btf("bindsnoop");
	check_min_btf("opensnoop");
	check_min_btf("tcpdrop");
}

/* An object without CO-RE relocations needs no kernel BTF: no minimal one either. */
static void test_min_btf_without_relocations(void)
{
	size_t sz = 0;
	void *elf = read_object("killsnoop", &sz);
	struct btf_min *m = (void *)1;

	CHECK(elf && btf_min__new(elf, sz, &m) == -ENODATA && m == NULL);
	CHECK(elf && btf_min__try(elf, sz, &m) == NULL && m == NULL);
	free(elf);
}

static void setup(void)
{
	full = btf__load_vmlinux_btf();
	CHECK(full != NULL);
	CHECK(kbtf__open(NULL, &k) == 0);
	if (!full || !k)
		exit(1);
}

static void teardown(void)
{
	kbtf__close(k);
	btf__free(full);
}

UNIT_MAIN(setup, test_every_type_reads_the_same, test_members_match_libbpf, test_find_by_name,
	  test_enum_both_ways, test_missing_member, test_not_btf,
	  test_min_btf_keeps_kernel_offsets, test_min_btf_without_relocations, teardown)
