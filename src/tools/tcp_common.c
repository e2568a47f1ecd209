// SPDX-License-Identifier: GPL-2.0
/* Shared user-side helpers of the tcp* tools (see tcp_common.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/out.h"
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
