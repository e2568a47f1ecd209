/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /metrics endpoint (--metrics HOST:PORT): a small HTTP/1.1 server inside the event
 * loop. Its sockets live in an epoll set of their own, which is one fd of the loop, so a
 * scrape is served between ring-buffer reads and a slow client never blocks them:
 *   - GET (or HEAD) /metrics: the registry rendered, as OpenMetrics 1.0 when the scraper's
 *     Accept prefers it, else Prometheus text 0.0.4; one request per connection;
 *   - other paths 404, other methods 405, a malformed request 400, a request head over
 *     METRICS_HTTP_MAX_HEAD bytes 431;
 *   - a client not done within METRICS_HTTP_TIMEOUT_MS of its connect is closed; past
 *     METRICS_HTTP_MAX_CLIENTS at once, new connections are closed at once.
 */
#ifndef TK_METRICS_HTTP_H
#define TK_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define METRICS_HTTP_MAX_HEAD	 8192
#define METRICS_HTTP_TIMEOUT_MS	 5000
#define METRICS_HTTP_MAX_CLIENTS 64

struct event_loop;
struct metrics;
struct metrics_server;

struct http_request {
	bool head;	  /* HEAD: the headers only */
	bool openmetrics; /* the Accept header prefers OpenMetrics */
};

/*
 * One request head in buf[0..len): 0 while it is incomplete, else the HTTP status to answer
 * (200 with *req filled, 400, 404, 405; 431 when len reaches METRICS_HTTP_MAX_HEAD without
 * its end). buf need not be NUL-terminated.
 */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

/*
 * Listen on addr ("127.0.0.1:9435", "[::1]:9435") and serve m from l. NULL with a one-line
 * reason in why (a bad address, the port in use), for the caller to print its way.
 */
struct metrics_server *metrics_server_start(struct event_loop *l, const char *addr,
					    struct metrics *m, char *why, size_t len);
/* Close the listening socket and every client. NULL is fine. */
void metrics_server_stop(struct metrics_server *s);

/* Whether addr is a HOST:PORT --metrics takes; a one-line reason in why otherwise. */
bool metrics_addr_valid(const char *addr, char *why, size_t len);

#endif
