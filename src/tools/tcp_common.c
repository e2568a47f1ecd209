// SPDX-License-Identifier: GPL-2.0
/* Shared user-side helpers of the tcp* tools (see tcp_common.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

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
