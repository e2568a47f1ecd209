// SPDX-License-Identifier: GPL-2.0
/* Shared user-side helpers of the tcp* tools (see tcp_common.h). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/log.h"
#include "core/out.h"
#include "tools/tcp_common.h"

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

int tcp_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	return 2;
}

int tcp_set_family(int *family, int want)
{
	if (*family && *family != want)
		return -EINVAL;
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

int tcp_parse_ports(const char *s, const char *opt, uint16_t *ports, size_t *n)
{
	int err = net_parse_port_list(s, ports, TCP_MAX_PORTS, n);

	if (err == -E2BIG)
		tk_err("too many ports for %s: '%s' (at most %d)", opt, s, TCP_MAX_PORTS);
	else if (err)
		tk_err("invalid value for %s: '%s' (expected comma-separated ports 1-65535)", opt,
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

int tcp_getopt_error(int c, char **argv)
{
	/* optopt names a short option; for a long one only argv[optind - 1] has its text. */
	if (c == ':')
		return optopt ? tcp_usage_error("option -%c needs a value", optopt)
			      : tcp_usage_error("option %s needs a value", argv[optind - 1]);
	return optopt ? tcp_usage_error("unknown option '-%c'", optopt)
		      : tcp_usage_error("unknown option '%s'", argv[optind - 1]);
}
