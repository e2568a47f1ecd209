// SPDX-License-Identifier: GPL-2.0
/*
 * tools/snoop_btf.c against libbpf's own BTF parser: every member the snoop tools read must
 * get the offset, size and bitfield position libbpf computes for the running kernel.
 */
#include <bpf/btf.h>
#include <stdlib.h>

#include "unit.h"
#include "../../src/tools/snoop_btf.c"

/* Member name's bit offset and bitfield size via libbpf, descending into anonymous members. */
static bool lib_member(const struct btf *btf, int type_id, const char *name, uint32_t base,
		       uint32_t *bit_off, uint32_t *bits, uint32_t *size)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		uint32_t off = base + btf_member_bit_offset(t, i);
		const char *mn = btf__name_by_offset(btf, m->name_off);

		if (mn && strcmp(mn, name) == 0) {
			*bit_off = off;
			*bits = btf_member_bitfield_size(t, i);
			*size = btf__resolve_size(btf, m->type);
			return true;
		}
		if ((!mn || !*mn) && lib_member(btf, btf__resolve_type(btf, m->type), name, off,
						bit_off, bits, size))
			return true;
	}
	return false;
}

static void test_members_match_libbpf(void)
{
	static const char *const want[][2] = {
		{"task_struct", "real_parent"},
		{"task_struct", "tgid"},
		{"task_struct", "exit_code"},
		{"task_struct", "start_time"},
		{"task_struct", "files"},
		{"files_struct", "fdt"},
		{"fdtable", "max_fds"},
		{"fdtable", "fd"},
		{"file", "f_inode"},
		{"file", "private_data"},
		{"inode", "i_mode"},
		{"socket", "sk"},
		{"sock_common", "skc_family"},
		{"sock_common", "skc_num"},
		{"sock_common", "skc_rcv_saddr"},
		{"sock_common", "skc_v6_rcv_saddr"},
		{"sock_common", "skc_bound_dev_if"},
		{"sock_common", "skc_reuse"},
		{"sock_common", "skc_reuseport"},
		{"sock", "sk_protocol"},
		{"inet_sock", "inet_flags"},
	};
	enum { N = sizeof(want) / sizeof(want[0]) };
	struct snoop_field f[N];
	struct snoop_btf_query q[N];
	struct btf *btf = btf__load_vmlinux_btf();

	CHECK(btf != NULL);
	if (!btf)
		return;
	for (int i = 0; i < N; i++)
		q[i] = (struct snoop_btf_query){want[i][0], want[i][1], &f[i], false};
	CHECK(snoop_btf_resolve(NULL, q, N) == 0);
	for (int i = 0; i < N; i++) {
		uint32_t bit_off = 0, bits = 0, size = 0;
		int id = btf__find_by_name_kind(btf, want[i][0], BTF_KIND_STRUCT);

		CHECK(id > 0);
		CHECK(lib_member(btf, id, want[i][1], 0, &bit_off, &bits, &size));
		if (bits) {
			CHECK(f[i].off == bit_off / 8);
			CHECK(f[i].shift == bit_off % 8);
			CHECK(f[i].bits == bits);
		} else {
			CHECK(f[i].off == bit_off / 8);
			CHECK(f[i].bits == 0);
			CHECK(f[i].size == (size > 8 ? 8 : size));
		}
		if (unit_failed)
			fprintf(stderr,
				"%s.%s: got off %u size %u shift %u bits %u; libbpf bit_off %u "
				"bits %u size %u\n",
				want[i][0], want[i][1], f[i].off, f[i].size, f[i].shift, f[i].bits,
				bit_off, bits, size);
	}
	btf__free(btf);
}

static void test_missing_member(void)
{
	struct snoop_field f;
	struct snoop_btf_query q[] = {
		{"task_struct", "no_such_member_tk", &f, true},
	};

	CHECK(snoop_btf_resolve(NULL, q, 1) == 0);
	CHECK(f.size == 0);
	q[0].optional = false;
	CHECK(snoop_btf_resolve(NULL, q, 1) == -ENOENT);
	q[0].strct = "no_such_struct_tk";
	CHECK(snoop_btf_resolve(NULL, q, 1) == -ENOENT);
}

static void test_not_btf(void)
{
	struct snoop_field f;
	struct snoop_btf_query q[] = {{"task_struct", "tgid", &f, false}};

	CHECK(snoop_btf_resolve("/etc/hostname", q, 1) < 0);
	CHECK(snoop_btf_resolve("/nonexistent/btf", q, 1) == -ENOENT);
}

UNIT_MAIN(test_members_match_libbpf, test_missing_member, test_not_btf)
