// SPDX-License-Identifier: GPL-2.0
/*
 * The bcc tools that tracekit lacks, and why. Each needs kernel function probes (bcc's
 * kprobes; libbpf-tools try fentry first, which fails here too): whether this kernel has
 * kprobes is asked of core at run time, so that on a kernel with them the line says the tool
 * is not built yet rather than impossible. A tool registered since (a kprobe-free substitute)
 * is no longer listed.
 */
#include <stdio.h>
#include <string.h>

#include "core/attach.h"
#include "tools/tool.h"
#include "tools/unavailable.h"

static const struct {
	const char *name;
	const char *probes; /* the kernel functions bcc probes */
} unavailable[] = {
	{"biostacks", "blk_account_io_start, blk_account_io_done"},
	{"biotop", "blk_account_io_start, blk_mq_start_request"},
	{"btrfsdist", "btrfs_file_read_iter, btrfs_file_write_iter, ..."},
	{"btrfsslower", "btrfs_file_read_iter, btrfs_file_write_iter, ..."},
	{"cachestat", "add_to_page_cache_lru, mark_page_accessed, ..."},
	{"cachetop", "add_to_page_cache_lru, mark_page_accessed, ..."},
	{"capable", "cap_capable"},
	{"dcsnoop", "lookup_fast, d_lookup"},
	{"dcstat", "lookup_fast, d_lookup"},
	{"ext4dist", "ext4_file_read_iter, ext4_file_write_iter, ..."},
	{"ext4slower", "ext4_file_read_iter, ext4_file_write_iter, ..."},
	{"filelife", "vfs_create, vfs_unlink, ..."},
	{"fileslower", "vfs_read, vfs_write"},
	{"filetop", "vfs_read, vfs_write"},
	{"klockstat", "mutex_lock, mutex_unlock, ..."},
	{"mdflush", "md_flush_request"},
	{"nfsdist", "nfs_file_read, nfs_file_write, ..."},
	{"nfsslower", "nfs_file_read, nfs_file_write, ..."},
	{"numamove", "migrate_misplaced_folio"},
	{"oomkill", "oom_kill_process"},
	{"readahead", "page_cache_ra_unbounded, mark_page_accessed, ..."},
	{"slabratetop", "kmem_cache_alloc"},
	{"solisten", "inet_listen"},
	{"swapin", "swap_readpage"},
	{"ttysnoop", "tty_write"},
	{"vfscount", "vfs_*"},
	{"vfsstat", "vfs_read, vfs_write, vfs_fsync, vfs_open, vfs_create"},
	{"xfsdist", "xfs_file_read_iter, xfs_file_write_iter, ..."},
	{"xfsslower", "xfs_file_read_iter, xfs_file_write_iter, ..."},
	{"zfsdist", "zpl_iter_read, zpl_iter_write, ..."},
	{"zfsslower", "zpl_iter_read, zpl_iter_write, ..."},
};
#define NUNAVAILABLE (sizeof(unavailable) / sizeof(unavailable[0]))

static int lookup(const char *name)
{
	for (size_t i = 0; i < NUNAVAILABLE; i++)
		if (!strcmp(unavailable[i].name, name) && !tool_find(name))
			return (int)i;
	return -1;
}

bool unavailable_find(const char *name)
{
	return lookup(name) >= 0;
}

/* The reason, probed: a kernel with kprobes could run the tool; tracekit lacks it. */
static void reason(FILE *f, size_t i, bool kprobes)
{
	fprintf(f, "needs kprobes (%s)%s\n", unavailable[i].probes,
		kprobes ? ": not built yet in tracekit" : ", not available on this kernel");
}

void unavailable_list(FILE *f)
{
	bool kprobes = kernel_has_kprobes();

	fprintf(f, "\nbcc's TOOLS NOT IN tracekit (%s):\n",
		kprobes ? "this kernel has kprobes" : "this kernel has no kprobes");
	for (size_t i = 0; i < NUNAVAILABLE; i++) {
		if (tool_find(unavailable[i].name))
			continue;
		/* "name:", not tool_list()'s "name ": these are no tools of ours */
		fprintf(f, "  %s:%*s", unavailable[i].name, (int)(14 - strlen(unavailable[i].name)),
			"");
		reason(f, i, kprobes);
	}
}

int unavailable_run(const char *name)
{
	int i = lookup(name);

	if (i < 0)
		return 2;
	fprintf(stderr, "%s: ", name);
	reason(stderr, i, kernel_has_kprobes());
	return 1;
}
