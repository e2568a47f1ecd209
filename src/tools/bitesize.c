// SPDX-License-Identifier: GPL-2.0
/*
 * bitesize: block device I/O sizes as log2 histograms of Kbytes, one per process name
 * ("Process Name = dd"), with bcc's output (bitesize.py) and libbpf-tools' -c COMM, -d DISK,
 * -T and [interval] [count].
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/log.h"
#include "bitesize.skel.h"
#include "tools/bio_common.h"
#include "tools/hist_tool.h"
#include "tools/tool.h"

TOOL_SKEL_DEFINE(bitesize);

struct opts {
	unsigned long interval_s, count;
	bool timestamp, json, verbose;
	const char *comm, *disk;
};

#define OPT(f) offsetof(struct opts, f)
static struct tool_cli cli = {
	.name = "bitesize",
	.description = "Summarize block device I/O size as a histogram",
	.opts = TOOL_OPTS(TOOL_OPT_TIMESTAMP('T', OPT(timestamp)),
			  {'c', "comm", "COMM", "trace this comm only", TOOL_OPT_STR, OPT(comm)},
			  BIO_OPT_DISK(OPT(disk)), HIST_TOOL_OPTS_JSON_VERBOSE(struct opts)),
	HIST_TOOL_ARGS(struct opts),
	.examples = "    bitesize              # trace block I/O size until Ctrl-C\n"
		    "    bitesize 1 10         # print 1 second summaries, 10 times\n"
		    "    bitesize -T 1         # 1s summaries with timestamps\n"
		    "    bitesize -c fio       # trace fio only\n"
		    "    bitesize -d sdc       # trace sdc only\n",
};

static int fill(struct tool_run *r, void *skel)
{
	struct hist_tool *ht = r->ctx;
	const struct opts *o = ht->priv;
	struct bitesize *obj = skel;

	if (o->comm) {
		if (!o->comm[0] || strlen(o->comm) >= sizeof(obj->rodata->targ_comm)) {
			tk_err("argument -c/--comm: a process name of 1 to %zu characters",
			       sizeof(obj->rodata->targ_comm) - 1);
			return 1;
		}
		strncpy((char *)obj->rodata->targ_comm, o->comm, sizeof(obj->rodata->targ_comm));
	}
	if (o->disk && bio_disk_dev(o->disk, (uint32_t *)&obj->rodata->targ_dev))
		return 1;
	ht->unit = "Kbytes";
	ht->timestamp = o->timestamp;
	ht->json = o->json;
	ht->key = HIST_KEY_STR;
	ht->section = "Process Name";
	ht->label = "comm";
	ht->metric = "tracekit_bitesize_io_kbytes";
	ht->metric_help = "Block I/O size in Kbytes, by the name of the process that started it "
			  "(bitesize)";
	r->ready = "Tracing block I/O... Hit Ctrl-C to end.";
	return hist_tool_fill(ht, r, obj->obj);
}

HIST_TOOL_MAIN(bitesize, struct opts, 0);
TOOL_REGISTER(bitesize, bitesize_main, "block device I/O size histogram (bcc bitesize)", &cli);
