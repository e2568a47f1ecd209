/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network pieces shared by the tcp* tools: addresses and ports as bcc prints them, TCP state
 * and flag names, and parsers for the address/port options (-L, -D, -P, -a, subnets).
 *
 * Addresses travel from BPF as 16-byte arrays plus an address family (see src/bpf/tk_net.h):
 * IPv4 in the first 4 bytes, both in network byte order. Ports are host order.
 */
#ifndef TK_NET_H
#define TK_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Big enough for "[" + INET6_ADDRSTRLEN + "]" and for any "ADDR:PORT". */
#define NET_ADDR_STRLEN 64

/* 4 for AF_INET, 6 for AF_INET6, 0 otherwise (bcc's IP column). */
int net_ipver(int family);

/*
 * addr as text: "127.0.0.1", "::1". Unknown family: "?". Returns buf.
 * With net_addr_str_br() IPv6 is bracketed, "[::1]", as bcc's tcptracer prints it.
 */
const char *net_addr_str(char *buf, size_t len, int family, const void *addr);
const char *net_addr_str_br(char *buf, size_t len, int family, const void *addr);

/*
 * "ADDR<sep>PORT": sep ':' gives bcc's tcpretrans/tcpdrop/tcptop "127.0.0.1:22" and "::1:22"
 * (bcc does not bracket IPv6 there); sep '/' gives tcpcong's "127.0.0.1/22".
 */
const char *net_addr_port_str(char *buf, size_t len, int family, const void *addr,
			      unsigned int port, char sep);

/*
 * bcc's TCP state names (tcpstates, tcpretrans, tcpdrop): 1 "ESTABLISHED", 2 "SYN_SENT",
 * 3 "SYN_RECV", 4 "FIN_WAIT1", 5 "FIN_WAIT2", 6 "TIME_WAIT", 7 "CLOSE", 8 "CLOSE_WAIT",
 * 9 "LAST_ACK", 10 "LISTEN", 11 "CLOSING", 12 "NEW_SYN_RECV", 13 "BOUND_INACTIVE";
 * anything else "UNKNOWN".
 */
const char *net_tcp_state_name(int state);

/* TCP header flags byte as bcc's tcpdrop prints it: "SYN|ACK", "" when none. Returns buf. */
const char *net_tcp_flags_str(char *buf, size_t len, uint8_t flags);

/* One port 1..65535 (0 allowed with allow_zero). 0 or -EINVAL. */
int net_parse_port(const char *s, uint16_t *port, bool allow_zero);

/*
 * Comma-separated ports ("22,80,443") as bcc's -L/-D take them. At most max ports; *n gets
 * the count. 0, -EINVAL (bad port) or -E2BIG (too many).
 */
int net_parse_port_list(const char *s, uint16_t *ports, size_t max, size_t *n);

/* "LO-HI" or a single port "P" (tcpcong -L/-R). 0 or -EINVAL. */
int net_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi);

/* An IPv4 or IPv6 literal into family + 16-byte addr (zero padded). 0 or -EINVAL. */
int net_parse_addr(const char *s, int *family, uint8_t addr[16]);

/* "ADDR/PREFIX" or "ADDR" (full-length prefix), tcpsubnet's subnets. 0 or -EINVAL. */
int net_parse_cidr(const char *s, int *family, uint8_t addr[16], unsigned int *prefix);

/* Whether addr (of family) lies in net/prefix (of net_family). */
bool net_addr_in_cidr(int family, const uint8_t addr[16], int net_family, const uint8_t net[16],
		      unsigned int prefix);

#endif
