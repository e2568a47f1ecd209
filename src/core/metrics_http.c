// SPDX-License-Identifier: GPL-2.0
/* The /metrics endpoint (see metrics_http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/metrics.h"
#include "core/metrics_http.h"
#include "core/net.h"

#define CT_TEXT	       "text/plain; version=0.0.4; charset=utf-8"
#define CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* ---- the request parser ---------------------------------------------------------------- */

/* Where the head ends (just past its empty line), or NULL. */
static const char *head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return buf + i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return buf + i + 3;
	}
	return NULL;
}

/* A media range's q (RFC 9110: "q=0.5", 0 to 1, three decimals), 1 when absent. */
static double media_q(const char *params, const char *end)
{
	const char *p = params;

	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			char num[8] = {0};
			size_t n = 0;

			for (p += 2; p < end && n < sizeof(num) - 1 &&
				     ((*p >= '0' && *p <= '9') || *p == '.');
			     p++)
				num[n++] = *p;
			return n ? atof(num) : 0;
		}
		while (p < end && *p != ';')
			p++;
	}
	return 1;
}

/* Whether an Accept value prefers OpenMetrics to the text format (a tie goes to OpenMetrics,
 * as Prometheus lists it first when it wants it). */
static bool prefers_openmetrics(const char *v, const char *end)
{
	double om = 0, text = 0;

	while (v < end) {
		const char *item = v, *semi, *stop;
		size_t tlen;
		double q;

		while (v < end && *v != ',')
			v++;
		stop = v;
		if (v < end)
			v++;
		while (item < stop && (*item == ' ' || *item == '\t'))
			item++;
		for (semi = item; semi < stop && *semi != ';'; semi++)
			;
		tlen = semi - item;
		while (tlen && (item[tlen - 1] == ' ' || item[tlen - 1] == '\t'))
			tlen--;
		q = media_q(semi, stop);
		if (tlen == 28 && !strncasecmp(item, "application/openmetrics-text", 28))
			om = q > om ? q : om;
		else if ((tlen == 10 && !strncasecmp(item, "text/plain", 10)) ||
			 (tlen == 3 && !strncmp(item, "*/*", 3)))
			text = q > text ? q : text;
	}
	return om > 0 && om >= text;
}

static bool is_token_char(char c)
{
	return c > ' ' && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	const char *end = head_end(buf, len), *p = buf, *sp, *line;
	size_t mlen;

	memset(req, 0, sizeof(*req));
	if (!end)
		return len >= METRICS_HTTP_MAX_HEAD ? 431 : 0;
	if (end - buf > METRICS_HTTP_MAX_HEAD)
		return 431;
	/* request line: METHOD SP TARGET SP HTTP/1.x */
	for (sp = p; sp < end && is_token_char(*sp); sp++)
		;
	mlen = sp - p;
	if (!mlen || sp >= end || *sp != ' ')
		return 400;
	line = sp + 1;
	for (sp = line; sp<end && * sp> ' ' && *sp < 0x7f; sp++)
		;
	if (sp == line || sp >= end || *sp != ' ' || end - sp < 9 ||
	    strncmp(sp + 1, "HTTP/1.", 7) || sp[8] < '0' || sp[8] > '9' ||
	    (sp[9] != '\r' && sp[9] != '\n'))
		return 400;
	if (!(mlen == 3 && !memcmp(p, "GET", 3)) && !(mlen == 4 && !memcmp(p, "HEAD", 4)))
		return 405;
	req->head = mlen == 4;
	if (!((sp - line == 8 && !memcmp(line, "/metrics", 8)) ||
	      (sp - line > 8 && !memcmp(line, "/metrics?", 9))))
		return 404;
	/* header fields: NAME ":" VALUE, one per line; only Accept matters */
	p = memchr(sp, '\n', end - sp) + 1;
	while (p < end) {
		const char *eol = memchr(p, '\n', end - p), *colon, *v, *ve;

		ve = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		if (ve == p)
			break; /* the empty line */
		for (colon = p; colon < ve && is_token_char(*colon); colon++)
			;
		if (colon == p || colon >= ve || *colon != ':')
			return 400;
		for (v = colon + 1; v < ve && (*v == ' ' || *v == '\t'); v++)
			;
		if (colon - p == 6 && !strncasecmp(p, "accept", 6))
			req->openmetrics = prefers_openmetrics(v, ve);
		p = eol + 1;
	}
	return 200;
}

/* ---- the server --------------------------------------------------------------------- */

struct client {
	int fd;
	char in[METRICS_HTTP_MAX_HEAD];
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	uint64_t deadline_ms;
};

struct metrics_server {
	struct metrics *m;
	int epfd, lfd, tfd;
	struct client *clients[METRICS_HTTP_MAX_CLIENTS];
};

enum { TAG_LISTEN = -1, TAG_TIMER = -2 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void client_close(struct metrics_server *s, int slot)
{
	struct client *c = s->clients[slot];

	close(c->fd); /* leaves the epoll set with it */
	free(c->out);
	free(c);
	s->clients[slot] = NULL;
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return "Bad Request";
	}
}

/* The whole response into c->out. 0 or -ENOMEM. */
static int respond(struct metrics_server *s, struct client *c, int status,
		   const struct http_request *req)
{
	char head[256], *body = NULL;
	size_t blen = 0;
	const char *ct = "text/plain; charset=utf-8";
	int hlen;

	if (status == 200) {
		body = metrics_render(s->m, req->openmetrics, &blen);
		if (!body)
			status = 503;
		else
			ct = req->openmetrics ? CT_OPENMETRICS : CT_TEXT;
	}
	if (status != 200) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%d %s\n", status, reason(status));
		body = strdup(msg);
		if (!body)
			return -ENOMEM;
		blen = strlen(body);
	}
	hlen = snprintf(head, sizeof(head),
			"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
			"Connection: close\r\n\r\n",
			status, reason(status), ct, blen,
			status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (req->head)
		blen = 0;
	c->out = malloc(hlen + blen);
	if (!c->out) {
		free(body);
		return -ENOMEM;
	}
	memcpy(c->out, head, hlen);
	memcpy(c->out + hlen, body, blen);
	c->out_len = hlen + blen;
	free(body);
	return 0;
}

/* Write what the socket takes; the client is closed when done or broken. */
static void client_write(struct metrics_server *s, int slot)
{
	struct client *c = s->clients[slot];

	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* EPOLLOUT brings us back */
		if (n <= 0) {
			client_close(s, slot);
			return;
		}
		c->out_off += n;
	}
	shutdown(c->fd, SHUT_WR);
	client_close(s, slot);
}

static void client_read(struct metrics_server *s, int slot)
{
	struct client *c = s->clients[slot];
	struct http_request req;
	struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = slot};
	int status;
	ssize_t n;

	if (c->out) {
		client_write(s, slot);
		return;
	}
	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		client_close(s, slot); /* gone before asking */
		return;
	}
	c->in_len += n;
	status = http_parse_request(c->in, c->in_len, &req);
	if (!status)
		return;
	if (respond(s, c, status, &req) || epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev)) {
		client_close(s, slot);
		return;
	}
	client_write(s, slot);
}

static void accept_all(struct metrics_server *s)
{
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), slot;
		struct epoll_event ev = {.events = EPOLLIN};
		struct client *c;

		if (fd < 0)
			return; /* EAGAIN, or a connection that went away meanwhile */
		for (slot = 0; slot < METRICS_HTTP_MAX_CLIENTS && s->clients[slot]; slot++)
			;
		c = slot < METRICS_HTTP_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
		ev.data.u64 = slot;
		if (!c || epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			free(c);
			close(fd); /* too many at once: the scraper retries at its next interval */
			continue;
		}
		c->fd = fd;
		c->deadline_ms = now_ms() + METRICS_HTTP_TIMEOUT_MS;
		s->clients[slot] = c;
	}
}

static void expire(struct metrics_server *s)
{
	uint64_t buf, now = now_ms();

	while (read(s->tfd, &buf, sizeof(buf)) > 0)
		;
	for (int i = 0; i < METRICS_HTTP_MAX_CLIENTS; i++)
		if (s->clients[i] && s->clients[i]->deadline_ms <= now)
			client_close(s, i);
}

/* The loop's callback: the server's own epoll set is ready. Never stops the loop. */
static int on_ready(void *ctx)
{
	struct metrics_server *s = ctx;
	struct epoll_event evs[16];
	int n = epoll_wait(s->epfd, evs, 16, 0);

	for (int i = 0; i < n; i++) {
		int64_t tag = (int64_t)evs[i].data.u64;

		if (tag == TAG_LISTEN)
			accept_all(s);
		else if (tag == TAG_TIMER)
			expire(s);
		else if (tag >= 0 && tag < METRICS_HTTP_MAX_CLIENTS && s->clients[tag])
			client_read(s, (int)tag);
	}
	return 0;
}

/* addr into a socket address: 0, or -1 with why. */
static int parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *sl, char *why,
		      size_t len)
{
	char host[64];
	const char *colon = strrchr(addr, ':');
	size_t hlen = colon ? (size_t)(colon - addr) : 0;
	uint8_t a[16];
	uint16_t port;
	int family;

	if (!colon || !hlen || hlen >= sizeof(host)) {
		snprintf(why, len, "'%s' is not HOST:PORT (e.g. 127.0.0.1:9435 or [::1]:9435)",
			 addr);
		return -1;
	}
	memcpy(host, addr, hlen);
	host[hlen] = 0;
	if (host[0] == '[' && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = 0;
	}
	if (net_parse_port(colon + 1, &port, false)) {
		snprintf(why, len, "invalid port '%s' in '%s' (1-65535)", colon + 1, addr);
		return -1;
	}
	if (net_parse_addr(host, &family, a) || (family == AF_INET6 && addr[0] != '[')) {
		snprintf(why, len,
			 "invalid address '%s' in '%s' (an IPv4 address, or an IPv6 one in [])",
			 host, addr);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a, 4);
		*sl = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, a, 16);
		*sl = sizeof(*in6);
	}
	return 0;
}

bool metrics_addr_valid(const char *addr, char *why, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	return !parse_addr(addr, &ss, &sl, why, len);
}

static int epoll_add(int epfd, int fd, int64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)tag};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

struct metrics_server *metrics_server_start(struct event_loop *l, const char *addr,
					    struct metrics *m, char *why, size_t len)
{
	struct metrics_server *s;
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, err;

	if (parse_addr(addr, &ss, &sl, why, len))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	s->m = m;
	s->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->tfd = loop_timer_fd(1000, true); /* the clients' deadlines, checked each second */
	if (s->tfd < 0)
		errno = -s->tfd;
	if (s->lfd < 0 || s->epfd < 0 || s->tfd < 0)
		goto sys_fail;
	/* a restarted exporter must not wait out TIME_WAIT; a second one still gets EADDRINUSE */
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(s->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s->lfd, (struct sockaddr *)&ss, sl)) {
		err = errno;
		snprintf(why, len, "cannot listen on %s: %s", addr, strerror(err));
		goto fail;
	}
	if (listen(s->lfd, METRICS_HTTP_MAX_CLIENTS) || epoll_add(s->epfd, s->lfd, TAG_LISTEN) ||
	    epoll_add(s->epfd, s->tfd, TAG_TIMER))
		goto sys_fail;
	err = loop__add_fd(l, s->epfd, on_ready, s);
	if (err) {
		snprintf(why, len, "cannot serve %s: %s", addr, strerror(-err));
		goto fail;
	}
	return s;
sys_fail:
	snprintf(why, len, "cannot listen on %s: %s", addr, strerror(errno));
fail:
	metrics_server_stop(s);
	return NULL;
}

void metrics_server_stop(struct metrics_server *s)
{
	if (!s)
		return;
	for (int i = 0; i < METRICS_HTTP_MAX_CLIENTS; i++)
		if (s->clients[i])
			client_close(s, i);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->tfd >= 0)
		close(s->tfd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
}
