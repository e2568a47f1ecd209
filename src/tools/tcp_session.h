/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tcplife and tcpstates share: one row per TCP session (or state change) with bcc's
 * -T/-t/-w/-s columns, -p, -4/-6 and the -L/-D port filters, over a BPF side with the same
 * .rodata filter variables and "lports"/"dports" maps. Each tool keeps its own columns.
 */
#ifndef TK_TCP_SESSION_H
#define TK_TCP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "tools/snoop_common.h"
#include "tools/tool.h"

struct tcp_session_opts {
	bool time, timestamp, wide, csv, json;
	uint32_t pid;
	int family;
	struct tool_ports lports, dports;
};

struct tcp_session_run {
	const struct tcp_session_opts *o;
	struct snoop_clock clock;
	struct metric_family *fam[3]; /* --metrics: the tool's own families */
};

#define TCP_SESSION_OPT(f) offsetof(struct tcp_session_opts, f)
/* -T -t -w -s: rows of a table */
#define TCP_SESSION_OPTS_COLUMNS                                                                 \
	{'T', "time", NULL, "include time column on output (HH:MM:SS)", TOOL_OPT_FLAG,          \
	 TCP_SESSION_OPT(time)},                                                                 \
	{'t', "timestamp", NULL, "include timestamp on output (seconds)", TOOL_OPT_FLAG,        \
	 TCP_SESSION_OPT(timestamp)},                                                            \
	{'w', "wide", NULL, "wide column output (fits IPv6 addresses)", TOOL_OPT_FLAG,          \
	 TCP_SESSION_OPT(wide)},                                                                 \
	{'s', "csv", NULL, "comma separated values output", TOOL_OPT_FLAG, TCP_SESSION_OPT(csv)}
/* -L -D: rows of a table */
#define TCP_SESSION_OPTS_PORTS                                                                   \
	{'L', "localport", "LOCALPORT", "comma-separated list of local ports to trace.",        \
	 TOOL_OPT_PORTS, TCP_SESSION_OPT(lports)},                                               \
	{'D', "remoteport", "REMOTEPORT", "comma-separated list of remote ports to trace.",     \
	 TOOL_OPT_PORTS, TCP_SESSION_OPT(dports)}

/*
 * The main of tcplife and tcpstates: their options (cli), their BPF half (skel, with the
 * filter variables and port maps of TCP_SESSION_STATE, bpf/tcp_common.bpf.h), their records,
 * their header and their --metrics families (into fam of the struct tcp_session_run ctx).
 */
int tcp_session_main(struct tool_cli *cli, const struct tool_skel *skel, tool_event_fn on_event,
		     size_t event_size, void (*header)(void *ctx),
		     int (*metrics)(void *ctx, struct metrics *m), int argc, char **argv);

/*
 * The columns before the tool's own: -T's time and -t's timestamp of an event at ts_ns
 * (header: their titles), and in ip the IP column's text ("4"/"6", "IP" for the header,
 * empty without -w/-s).
 */
void tcp_session_prefix(struct tcp_session_run *r, bool header, uint64_t ts_ns, int family,
			char ip[4]);

#endif
