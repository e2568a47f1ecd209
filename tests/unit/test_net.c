// SPDX-License-Identifier: GPL-2.0
/* core/net: bcc's address, state and flag texts; option parsers. */
#include "core/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "unit.h"

static void test_addr(void)
{
	uint8_t a4[16] = {127, 0, 0, 1}, a6[16] = {0};
	char buf[NET_ADDR_STRLEN];

	a6[15] = 1;
	CHECK_STR(net_addr_str(buf, sizeof(buf), AF_INET, a4), "127.0.0.1");
	CHECK_STR(net_addr_str(buf, sizeof(buf), AF_INET6, a6), "::1");
	CHECK_STR(net_addr_str_br(buf, sizeof(buf), AF_INET, a4), "127.0.0.1");
	CHECK_STR(net_addr_str_br(buf, sizeof(buf), AF_INET6, a6), "[::1]");
	CHECK_STR(net_addr_port_str(buf, sizeof(buf), AF_INET, a4, 22, ':'), "127.0.0.1:22");
	CHECK_STR(net_addr_port_str(buf, sizeof(buf), AF_INET6, a6, 8972, ':'), "::1:8972");
	CHECK_STR(net_addr_port_str(buf, sizeof(buf), AF_INET, a4, 80, '/'), "127.0.0.1/80");
	CHECK_STR(net_addr_str(buf, sizeof(buf), 99, a4), "?");
	CHECK(net_ipver(AF_INET) == 4 && net_ipver(AF_INET6) == 6 && net_ipver(1) == 0);
}

static void test_states_flags(void)
{
	char buf[64];

	CHECK_STR(net_tcp_state_name(1), "ESTABLISHED");
	CHECK_STR(net_tcp_state_name(7), "CLOSE");
	CHECK_STR(net_tcp_state_name(10), "LISTEN");
	CHECK_STR(net_tcp_state_name(12), "NEW_SYN_RECV");
	CHECK_STR(net_tcp_state_name(0), "UNKNOWN");
	CHECK_STR(net_tcp_state_name(99), "UNKNOWN");
	CHECK_STR(net_tcp_flags_str(buf, sizeof(buf), 0x12), "SYN|ACK");
	CHECK_STR(net_tcp_flags_str(buf, sizeof(buf), 0x14), "RST|ACK");
	CHECK_STR(net_tcp_flags_str(buf, sizeof(buf), 0), "");
	CHECK_STR(net_tcp_flags_str(buf, 6, 0x12), "SYN");
}

static void test_parse(void)
{
	uint16_t p[4], lo, hi;
	size_t n = 0;
	uint8_t a[16], net[16];
	int fam, nfam;
	unsigned int pfx;

	CHECK(net_parse_port("80", &p[0], false) == 0 && p[0] == 80);
	CHECK(net_parse_port("0", &p[0], false) == -EINVAL);
	CHECK(net_parse_port("0", &p[0], true) == 0);
	CHECK(net_parse_port("65536", &p[0], false) == -EINVAL);
	CHECK(net_parse_port("8x", &p[0], false) == -EINVAL);
	CHECK(net_parse_port("-1", &p[0], false) == -EINVAL);
	CHECK(net_parse_port_list("22,80,443", p, 4, &n) == 0 && n == 3 && p[2] == 443);
	CHECK(net_parse_port_list("1,2,3,4,5", p, 4, &n) == -E2BIG);
	CHECK(net_parse_port_list("22,,x", p, 4, &n) == -EINVAL);
	CHECK(net_parse_port_list("", p, 4, &n) == -EINVAL);
	CHECK(net_parse_port_list("1,,2", p, 4, &n) == -EINVAL);
	CHECK(net_parse_port_list("1,", p, 4, &n) == -EINVAL);
	CHECK(net_parse_port_range("100-200", &lo, &hi) == 0 && lo == 100 && hi == 200);
	CHECK(net_parse_port_range("300", &lo, &hi) == 0 && lo == 300 && hi == 300);
	CHECK(net_parse_port_range("200-100", &lo, &hi) == -EINVAL);
	CHECK(net_parse_addr("10.1.2.3", &fam, a) == 0 && fam == AF_INET && a[3] == 3);
	CHECK(net_parse_addr("fe80::1", &fam, a) == 0 && fam == AF_INET6 && a[15] == 1);
	CHECK(net_parse_addr("nope", &fam, a) == -EINVAL);
	CHECK(net_parse_cidr("192.168.0.0/16", &nfam, net, &pfx) == 0 && pfx == 16);
	CHECK(net_parse_cidr("10.0.0.1", &nfam, net, &pfx) == 0 && pfx == 32);
	CHECK(net_parse_cidr("10.0.0.0/33", &nfam, net, &pfx) == -EINVAL);
	CHECK(net_parse_cidr("10.0.0.0/", &nfam, net, &pfx) == -EINVAL);
	net_parse_cidr("192.168.0.0/17", &nfam, net, &pfx);
	net_parse_addr("192.168.127.9", &fam, a);
	CHECK(net_addr_in_cidr(fam, a, nfam, net, pfx));
	net_parse_addr("192.168.128.9", &fam, a);
	CHECK(!net_addr_in_cidr(fam, a, nfam, net, pfx));
	net_parse_cidr("::/0", &nfam, net, &pfx);
	CHECK(!net_addr_in_cidr(fam, a, nfam, net, pfx));
}

UNIT_MAIN(test_addr, test_states_flags, test_parse)
