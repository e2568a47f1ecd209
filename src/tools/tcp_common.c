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

int tcp_fill_port_map(struct bpf_map *map, const uint16_t *ports, size_t n)
{
	uint8_t one = 1;

	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(bpf_map__fd(map), &ports[i], &one, BPF_ANY))
			return -errno;
	return 0;
}

int tcp_port_filter(struct bpf_map *map, const struct tool_ports *p)
{
	int err = tcp_fill_port_map(map, p->port, p->n);

	if (err)
		tk_err("cannot set the port filter: %s", strerror(-err));
	return err ? 1 : 0;
}

int tcp_parse_ports(const struct usage *u, int opt, const char *s, uint16_t *ports, size_t *n)
{
	int err = net_parse_port_list(s, ports, TCP_MAX_PORTS, n);

	if (err == -E2BIG)
		usage_arg_error(u, opt, "too many ports: '%s' (at most %d)", s, TCP_MAX_PORTS);
	else if (err)
		usage_arg_error(u, opt, "invalid value: '%s' (expected comma-separated ports 1-65535)",
				s);
	return err ? -EINVAL : 0;
}

void tcp_json_ready(void)
{
	fprintf(stderr, "Tracing... Hit Ctrl-C to end.\n");
}

int tcp_out_status(void)
{
	return ferror(stdout) ? -EPIPE : 0;
}
