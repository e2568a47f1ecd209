/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-side pieces the tcp* tools share on top of core/net.h: addresses and comms as text,
 * JSON fields, the port filters (the run itself is tool_run()'s, tools/tool.h).
 */
#ifndef TK_TCP_COMMON_H
#define TK_TCP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/tk_net.h"
#include "core/net.h"

/* A flow's two addresses as text, ready for columns or JSON. */
struct tcp_addrs {
	char s[NET_ADDR_STRLEN];
	char d[NET_ADDR_STRLEN];
};

/* bracket: IPv6 as "[::1]" (tcptracer's columns). */
void tcp_addrs_fmt(struct tcp_addrs *a, const struct tk_flow *f, bool bracket);

/* A comm from BPF (16 bytes, maybe without NUL), control characters escaped. */
const char *tcp_comm(char *buf, size_t len, const char *comm);
#define TCP_COMM_BUFLEN 80

/* "\"key\":" followed by a JSON string; for the object bodies the tools print. */
void tcp_json_kv_str(FILE *f, const char *key, const char *val, bool comma);
/* The opening of a connection's JSON object: {"time":T,"pid":P,"comm":C,"ip":4|6 */
void tcp_json_begin(double time_s, uint32_t pid, const char *comm, int family);

struct usage;
/*
 * -4/-6 (c): family 0 (any), AF_INET or AF_INET6. Both given is a usage error (argparse's
 * "argument -6/--ipv6: not allowed with argument -4/--ipv4"): -2, else 0.
 */
int tcp_family_opt(const struct usage *u, int c, int *family);

/*
 * What an event callback returns after printing: -EPIPE once stdout failed (the reader went
 * away, e.g. `tcptracer | head -1`), which stops the event loop; else 0.
 */
int tcp_out_status(void);

struct bpf_object;
struct tool_ports;
/*
 * Ports of a -P/-L/-D filter (TOOL_OPT_PORTS) into the BPF side's TCP_PORT_MAP named map
 * (see src/bpf/tcp_common.bpf.h); 0, or 1 after a one-line error.
 */
int tcp_port_filter(struct bpf_object *obj, const char *map, const struct tool_ports *p);

/*
 * --metrics of the summary tools (tcprtt, tcpsynbl), whose summaries take their log2
 * histograms out of a BPF map (lookup and delete): what each key's summaries took, kept so
 * that a scrape shows the histograms since the start (these plus what the map holds now).
 */
struct tcp_hists {
	size_t key_size, nslots;
	size_t n, cap;
	struct tcp_hist {
		unsigned char key[24]; /* key_size bytes of it */
		uint64_t count;
		double sum;
		uint64_t *slots; /* nslots */
	} * h;
};
/* Add a histogram taken out for key (tcp_hists.key_size bytes). 0 or -ENOMEM. */
int tcp_hists_add(struct tcp_hists *t, const void *key, const uint64_t *slots, uint64_t count,
		  double sum);
void tcp_hists_free(struct tcp_hists *t);
struct metric_series;
/* Add a log2 histogram (bucket i: [2^(i-1), 2^i - 1]) to a series, with its count and sum. */
void tcp_hist_series(struct metric_series *s, const uint64_t *slots, size_t nslots, uint64_t count,
		     double sum);

#endif
