// SPDX-License-Identifier: GPL-2.0
/* What tracing costs and how it goes, as metrics of every exporter (see metrics.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/metrics.h"
#include "core/vec.h"

#ifndef TK_VERSION
#define TK_VERSION "dev"
#endif

int metrics_self_add_prog(struct metrics_self *self, int fd, const char *name)
{
	if (VEC_RESERVE(self->progs, self->cap, self->nprogs, 1))
		return -ENOMEM;
	self->progs[self->nprogs].fd = fd;
	snprintf(self->progs[self->nprogs].name, sizeof(self->progs[0].name), "%s", name);
	self->nprogs++;
	return 0;
}

int metrics_self_add_object(struct metrics_self *self, struct bpf_object *obj)
{
	struct bpf_program *p;
	int err;

	bpf_object__for_each_program(p, obj) {
		if (bpf_program__fd(p) < 0)
			continue; /* not loaded (autoload off) */
		err = metrics_self_add_prog(self, bpf_program__fd(p), bpf_program__name(p));
		if (err)
			return err;
	}
	return 0;
}

static struct metric_series *self_series(struct metrics *m, const char *name, enum metric_type t,
					 const char *help, const char *label, const char *value)
{
	struct metric_family *f = metrics_family(m, name, t, help, &label, label ? 1 : 0, true);

	if (!f)
		return NULL;
	metrics_family_mark_self(f);
	return metric_series(f, &value);
}

static int collect_self(void *ctx, struct metrics *m)
{
	struct metrics_self *self = ctx;
	uint64_t lost = self->lost_events_user;

	metric_set(self_series(m, "tracekit_build_info", METRIC_GAUGE,
			       "tracekit's version, as a label; the value is 1", "version",
			       TK_VERSION),
		   1);
	metric_set(self_series(m, "tracekit_probes_attached", METRIC_GAUGE,
			       "Probes (attach points) tracekit has attached", NULL, NULL),
		   self->probes_attached);
	if (self->lost_events)
		lost += *self->lost_events;
	metric_set(self_series(m, "tracekit_lost_events", METRIC_COUNTER,
			       "Events lost because the ring buffer was full", NULL, NULL),
		   lost);
	metric_set(self_series(m, "tracekit_dropped_series", METRIC_COUNTER,
			       "Distinct label sets not exported: the series limit was reached "
			       "(--metrics-max-series)",
			       NULL, NULL),
		   metrics_dropped(m));
	if (self->stats_fd <= 0)
		return 0; /* the kernel does not report them: left out rather than shown as 0 */
	for (size_t i = 0; i < self->nprogs; i++) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(self->progs[i].fd, &info, &len))
			continue;
		metric_set(self_series(m, "tracekit_bpf_prog_runs", METRIC_COUNTER,
				       "Runs of each of tracekit's BPF programs (kernel bpf_stats)",
				       "prog", self->progs[i].name),
			   info.run_cnt);
		metric_set(self_series(m, "tracekit_bpf_prog_run_seconds", METRIC_COUNTER,
				       "CPU time spent in each of tracekit's BPF programs (kernel "
				       "bpf_stats)",
				       "prog", self->progs[i].name),
			   info.run_time_ns / 1e9);
	}
	return 0;
}

int metrics_add_self(struct metrics *m, struct metrics_self *self)
{
	/* run time and count cost two clock reads per program run: only for an exporter */
	self->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	metrics_set_last_collector(m, collect_self, self);
	return 0;
}

void metrics_self_close(struct metrics_self *self)
{
	if (self->stats_fd > 0)
		close(self->stats_fd);
	self->stats_fd = 0;
	free(self->progs);
	self->progs = NULL;
	self->nprogs = self->cap = 0;
}
