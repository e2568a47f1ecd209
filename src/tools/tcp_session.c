// SPDX-License-Identifier: GPL-2.0
/* What tcplife and tcpstates share (see tcp_session.h). */
#include <stdio.h>
#include <string.h>

#include "core/net.h"
#include "core/out.h"
#include "tools/tcp_common.h"
#include "tools/tcp_session.h"

static int loaded(void *ctx, struct bpf_object *obj)
{
	const struct tcp_session_opts *o = ((struct tcp_session_run *)ctx)->o;

	return tcp_port_filter(obj, "lports", &o->lports) ||
	       tcp_port_filter(obj, "dports", &o->dports);
}

void tcp_session_prefix(struct tcp_session_run *r, bool header, uint64_t ts_ns, int family,
			char ip[4])
{
	const struct tcp_session_opts *o = r->o;
	char hms[16];

	if (o->time)
		printf(o->csv ? "%s," : "%-8s ", header ? "TIME" : time_hms(hms, sizeof(hms)));
	if (o->timestamp && header)
		printf(o->csv ? "%s," : "%-9s ", "TIME(s)");
	else if (o->timestamp)
		printf(o->csv ? "%.6f," : "%-9.6f ", snoop_clock_rel(&r->clock, ts_ns));
	if (!o->wide && !o->csv)
		ip[0] = 0;
	else if (header)
		snprintf(ip, 4, "IP");
	else
		snprintf(ip, 4, "%d", net_ipver(family));
}

/* the port filters are on when given */
static int fill(struct tool_run *run, void *skel)
{
	const struct tcp_session_opts *o = ((struct tcp_session_run *)run->ctx)->o;

	TOOL_SET_RODATA(run, "filter_lports", bool, o->lports.n > 0);
	TOOL_SET_RODATA(run, "filter_dports", bool, o->dports.n > 0);
	return 0;
}

int tcp_session_main(struct tool_cli *cli, const struct tool_skel *skel, tool_event_fn on_event,
		     size_t event_size, void (*header)(void *ctx),
		     int (*metrics)(void *ctx, struct metrics *m), int argc, char **argv)
{
	struct tcp_session_opts o = {};
	struct tcp_session_run r = {.o = &o};
	struct tool_run run = {.skel = skel,
			       .fill = fill,
			       .loaded = loaded,
			       .ctx = &r,
			       .on_event = on_event,
			       .event_size = event_size,
			       .header = header,
			       .metrics = metrics};

	return tool_main(cli, &o, &run, argc, argv);
}
