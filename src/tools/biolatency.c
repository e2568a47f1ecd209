// SPDX-License-Identifier: GPL-2.0
/*
 * biolatency: block device I/O latency as log2 histograms, with bcc's command line and
 * output (biolatency.py): one histogram, or one per disk (-D) or per set of I/O flags (-F),
 * from issue to completion or (-Q) from the request's start; -e adds the average and total.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf/biolatency.h"
#include "biolatency.skel.h"
#include "tools/bio_common.h"
#include "tools/hist_tool.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(biolatency);

struct opts {
	unsigned long interval_s, count;
	bool timestamp, queued, ms, disks, flags, extension, json, verbose;
	const char *disk;
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "biolatency",
	.description = "Summarize block device I/O latency as a histogram",
	.opts = TOOL_OPTS(
		TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
		{'Q', "queued", NULL, "include OS queued time in I/O time", TOOL_OPT_FLAG,
		 OPT(queued), .bpf = "targ_queued"},
		{'m', "milliseconds", NULL, "millisecond histogram", TOOL_OPT_FLAG, OPT(ms),
		 .bpf = "targ_ms"},
		{'D', "disks", NULL, "print a histogram per disk device", TOOL_OPT_FLAG, OPT(disks),
		 .group = 1},
		{'F', "flags", NULL, "print a histogram per set of I/O flags", TOOL_OPT_FLAG,
		 OPT(flags), .group = 1},
		{'e', "extension", NULL, "summarize average/total value", TOOL_OPT_FLAG,
		 OPT(extension)},
		BIO_OPT_DISK(OPT(disk)),
		{'j', "json", NULL, "one JSON object per summary", TOOL_OPT_FLAG, OPT(json)},
		{'c', "cgroup", "CG", NULL, TOOL_OPT_UNSUPPORTED},
		TOOL_OPT_LIBBPF_VERBOSE(OPT(verbose))),
	HIST_TOOL_ARGS(struct opts),
	.examples =
		"    biolatency                    # summarize block I/O latency as a histogram\n"
		"    biolatency 1 10               # print 1 second summaries, 10 times\n"
		"    biolatency -mT 1              # 1s summaries, milliseconds, and timestamps\n"
		"    biolatency -Q                 # include OS queued time in I/O time\n"
		"    biolatency -D                 # show each disk device separately\n"
		"    biolatency -F                 # show I/O flags separately\n"
		"    biolatency -j                 # print JSON\n"
		"    biolatency -e                 # show extension summary(total, average)\n"
		"    biolatency -d sdc             # Trace sdc only\n",
};

/* -D: a disk's name from its number, as the kernel names it in /sys/dev/block */
static const char *disk_name(const void *key, char *buf, size_t len)
{
	uint32_t dev;
	char path[64], link[PATH_MAX];
	const char *slash;
	ssize_t n;

	memcpy(&dev, key, sizeof(dev));
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", dev >> 20, dev & ((1U << 20) - 1));
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		snprintf(buf, len, "?"); /* bcc's, for a disk gone since */
		return buf;
	}
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : link);
	return buf;
}

/* -F: bcc's names of an operation (enum req_op) */
static const char *op_name(uint32_t op)
{
	static const struct {
		uint32_t op;
		const char *name;
	} ops[] = {
		{0, "Read"},	    {1, "Write"},	{2, "Flush"},	   {3, "Discard"},
		{5, "SecureErase"}, {7, "ZoneAppend"},	{9, "WriteZeros"}, {11, "ZoneOpen"},
		{13, "ZoneClose"},  {15, "ZoneFinish"}, {17, "ZoneReset"}, {19, "ZoneResetAll"},
		{34, "DrvIn"},	    {35, "DrvOut"},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == op)
			return ops[i].name;
	return "Unknown";
}

/*
 * -F: bcc's name of a set of flags: the operation after the flags' prefixes, which bcc adds
 * in front one by one (so the last of this list comes first: "NoWait-...-Sync-Write").
 */
static const char *flags_name(const void *key, char *buf, size_t len)
{
	static const struct {
		int bit;
		const char *prefix;
	} bits[] = {
		{21, "NoWait-"},  {20, "Background-"}, {19, "ReadAhead-"},	  {15, "Idle-"},
		{14, "NoMerge-"}, {13, "Priority-"},   {17, "ForcedUnitAccess-"}, {12, "Metadata-"},
		{11, "Sync-"},
	};
	uint32_t flags;
	size_t pos = 0;

	memcpy(&flags, key, sizeof(flags));
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && pos < len; i++)
		if (flags & 1U << bits[i].bit)
			pos += snprintf(buf + pos, len - pos, "%s", bits[i].prefix);
	if (pos < len)
		snprintf(buf + pos, len - pos, "%s", op_name(flags & BIO_REQ_OP_MASK));
	return buf;
}

static int fill(struct tool_run *r, void *skel)
{
	struct hist_tool *ht = r->ctx;
	const struct opts *o = ht->priv;
	struct biolatency *obj = skel;

	if (o->disk && bio_disk_dev(o->disk, (uint32_t *)&obj->rodata->targ_dev))
		return 1;
	/* the request's start only for -Q: the queued time is all it gives biolatency */
	bpf_program__set_autoload(obj->progs.bio_io_start, o->queued);
	ht->unit = o->ms ? "msecs" : "usecs";
	ht->sum_scale = o->ms ? 1000000 : 1000; /* the BPF side sums nanoseconds */
	ht->timestamp = o->timestamp;
	ht->json = o->json;
	ht->key = HIST_KEY_NUM;
	if (o->disks) {
		ht->section = "disk";
		ht->key_name = disk_name;
		obj->rodata->targ_key = BIOLATENCY_KEY_DISK;
	} else if (o->flags) {
		ht->section = "flags";
		ht->key_name = flags_name;
		obj->rodata->targ_key = BIOLATENCY_KEY_FLAGS;
	} else {
		ht->key = HIST_KEY_NONE;
	}
	if (o->extension)
		ht->print = hist_tool_print_extension;
	ht->metric = "tracekit_biolatency_latency_seconds";
	ht->metric_help = "Block I/O latency: from issue (-Q: from the request's start) to "
			  "completion, by disk (-D) or I/O flags (-F) (biolatency)";
	ht->metric_div = o->ms ? 1e3 : 1e6;
	r->ready = "Tracing block device I/O... Hit Ctrl-C to end.";
	return hist_tool_fill(ht, r, obj->obj);
}

HIST_TOOL_MAIN(biolatency, struct opts, 0);
TOOL_REGISTER(biolatency, biolatency_main, "block device I/O latency histogram (bcc biolatency)",
	      &cli);
