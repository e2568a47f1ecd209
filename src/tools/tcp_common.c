// SPDX-License-Identifier: GPL-2.0
/* Shared user-side helpers of the tcp* tools (see tcp_common.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/metrics.h"
#include "core/out.h"
#include "core/vec.h"
#include "core/usage.h"
#include "tools/tcp_common.h"
#include "tools/tool.h"

void tcp_addrs_fmt(struct tcp_addrs *a, const struct tk_flow *f, bool bracket)
{
	if (bracket) {
		net_addr_str_br(a->s, sizeof(a->s), f->family, f->saddr);
		net_addr_str_br(a->d, sizeof(a->d), f->family, f->daddr);
	} else {
		net_addr_str(a->s, sizeof(a->s), f->family, f->saddr);
		net_addr_str(a->d, sizeof(a->d), f->family, f->daddr);
	}
}

const char *tcp_comm(char *buf, size_t len, const char *comm)
{
	return str_escape(buf, len, comm, TK_COMM_LEN);
}

void tcp_json_kv_str(FILE *f, const char *key, const char *val, bool comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", key);
	json_str(f, val);
}

void tcp_json_begin(double time_s, uint32_t pid, const char *comm, int family)
{
	printf("{\"time\":%.6f,\"pid\":%u", time_s, pid);
	tcp_json_kv_str(stdout, "comm", comm, true);
	printf(",\"ip\":%d", net_ipver(family));
}

int tcp_family_opt(const struct usage *u, int c, int *family)
{
	int want = c == '4' ? AF_INET : AF_INET6;

	if (*family && *family != want)
		return -usage_exclusive(u, c, c == '4' ? '6' : '4');
	*family = want;
	return 0;
}

int tcp_port_filter(struct bpf_object *obj, const char *map, const struct tool_ports *p)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, map);
	uint8_t one = 1;

	for (size_t i = 0; i < p->n; i++) {
		if (!m || bpf_map_update_elem(bpf_map__fd(m), &p->port[i], &one, BPF_ANY)) {
			tk_err("cannot set the port filter: %s", m ? strerror(errno) : "no map");
			return 1;
		}
	}
	return 0;
}

int tcp_out_status(void)
{
	return ferror(stdout) ? -EPIPE : 0;
}

int tcp_hists_add(struct tcp_hists *t, const void *key, const uint64_t *slots, uint64_t count,
		  double sum)
{
	struct tcp_hist *h = NULL;

	for (size_t i = 0; i < t->n && !h; i++)
		if (!memcmp(t->h[i].key, key, t->key_size))
			h = &t->h[i];
	if (!h) {
		if (t->key_size > sizeof(h->key) || VEC_RESERVE(t->h, t->cap, t->n, 1))
			return -ENOMEM;
		h = &t->h[t->n];
		*h = (struct tcp_hist){.slots = calloc(t->nslots, sizeof(*h->slots))};
		if (!h->slots)
			return -ENOMEM;
		memcpy(h->key, key, t->key_size);
		t->n++;
	}
	for (size_t i = 0; i < t->nslots; i++)
		h->slots[i] += slots[i];
	h->count += count;
	h->sum += sum;
	return 0;
}

void tcp_hists_free(struct tcp_hists *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->h[i].slots);
	free(t->h);
	t->h = NULL;
	t->n = t->cap = 0;
}

void tcp_hist_series(struct metric_series *s, const uint64_t *slots, size_t nslots, uint64_t count,
		     double sum)
{
	for (size_t i = 0; i < nslots; i++)
		if (slots[i])
			metric_hist_add(s, i, slots[i]);
	metric_add_count_sum(s, count, sum);
}
