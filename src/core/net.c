// SPDX-License-Identifier: GPL-2.0
/* Addresses, ports, TCP states and flags as bcc's tcp* tools print and parse them. */
#include "core/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int net_ipver(int family)
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return 6;
	return 0;
}

const char *net_addr_str(char *buf, size_t len, int family, const void *addr)
{
	if ((family != AF_INET && family != AF_INET6) || !inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *net_addr_str_br(char *buf, size_t len, int family, const void *addr)
{
	char tmp[INET6_ADDRSTRLEN];

	if (family != AF_INET6)
		return net_addr_str(buf, len, family, addr);
	net_addr_str(tmp, sizeof(tmp), family, addr);
	snprintf(buf, len, "[%s]", tmp);
	return buf;
}

const char *net_addr_port_str(char *buf, size_t len, int family, const void *addr,
			      unsigned int port, char sep)
{
	char tmp[INET6_ADDRSTRLEN];

	net_addr_str(tmp, sizeof(tmp), family, addr);
	snprintf(buf, len, "%s%c%u", tmp, sep, port);
	return buf;
}

static const char *const tcp_states[] = {
	[1] = "ESTABLISHED",	 [2] = "SYN_SENT",  [3] = "SYN_RECV", [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2",	 [6] = "TIME_WAIT", [7] = "CLOSE",    [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK",	 [10] = "LISTEN",   [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	[13] = "BOUND_INACTIVE",
};

const char *net_tcp_state_name(int state)
{
	if (state <= 0 || (size_t)state >= sizeof(tcp_states) / sizeof(tcp_states[0]))
		return "UNKNOWN";
	return tcp_states[state];
}

const char *net_tcp_flags_str(char *buf, size_t len, uint8_t flags)
{
	/* Bit order of the TCP header byte, lowest first, as bcc's tcpdrop lists them. */
	static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
	size_t off = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (int i = 0; i < 8; i++) {
		if (!(flags & (1u << i)))
			continue;
		int n = snprintf(buf + off, len - off, "%s%s", off ? "|" : "", names[i]);
		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0'; /* whole names only */
			break;
		}
		off += n;
	}
	return buf;
}

int net_parse_port(const char *s, uint16_t *port, bool allow_zero)
{
	char *end;
	long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > 65535 || (v == 0 && !allow_zero))
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int net_parse_port_list(const char *s, uint16_t *ports, size_t max, size_t *n)
{
	char buf[256];
	char *rest, *tok;
	size_t cnt = 0;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	rest = buf;
	/* strsep, not strtok: an empty item ("80,,81", "80,") is an error, not skipped. */
	while ((tok = strsep(&rest, ","))) {
		if (cnt == max)
			return -E2BIG;
		if (net_parse_port(tok, &ports[cnt], false))
			return -EINVAL;
		cnt++;
	}
	*n = cnt;
	return 0;
}

int net_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[32];
	char *dash;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (!dash) {
		if (net_parse_port(buf, lo, false))
			return -EINVAL;
		*hi = *lo;
		return 0;
	}
	*dash = '\0';
	if (net_parse_port(buf, lo, false) || net_parse_port(dash + 1, hi, false) || *lo > *hi)
		return -EINVAL;
	return 0;
}

int net_parse_addr(const char *s, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (!s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int net_parse_cidr(const char *s, int *family, uint8_t addr[16], unsigned int *prefix)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	long v;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (net_parse_addr(buf, family, addr))
		return -EINVAL;
	unsigned int max = *family == AF_INET ? 32 : 128;
	if (!slash) {
		*prefix = max;
		return 0;
	}
	errno = 0;
	v = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || v < 0 || v > (long)max)
		return -EINVAL;
	*prefix = (unsigned int)v;
	return 0;
}

bool net_addr_in_cidr(int family, const uint8_t addr[16], int net_family, const uint8_t net[16],
		      unsigned int prefix)
{
	unsigned int full = prefix / 8, rest = prefix % 8;

	if (family != net_family || prefix > (family == AF_INET ? 32u : 128u))
		return false;
	if (memcmp(addr, net, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((addr[full] & mask) != (net[full] & mask))
			return false;
	}
	return true;
}
