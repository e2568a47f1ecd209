/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event loop: one epoll over ring buffers, a signalfd (SIGINT, SIGTERM, SIGHUP), timerfds
 * for -i and -d, and a pidfd for the traced process. Signals are blocked from loop__init() on,
 * so one that arrives while we attach is not lost: it is read on the first pass.
 */
#ifndef TK_LOOP_H
#define TK_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct ring_buffer;

enum loop_reason {
	LOOP_SIGNAL,	 /* SIGINT, SIGTERM or SIGHUP */
	LOOP_DURATION,	 /* -d expired */
	LOOP_TARGET_EXIT,/* the -p process exited */
	LOOP_STOPPED,	 /* a callback asked to stop */
	LOOP_ERROR,
};

typedef int (*loop_fd_cb)(void *ctx); /* non-zero return stops the loop */

#define LOOP_MAX_FDS 16

struct event_loop {
	int epfd, sigfd, interval_fd, duration_fd, pidfd;
	int signo; /* the signal that stopped us */
	bool stop;
	struct {
		int fd;
		loop_fd_cb cb;
		void *ctx;
		bool timer; /* loop__add_timer()'s: drained before cb, closed by loop__close() */
	} fds[LOOP_MAX_FDS];
	int nfds;
	loop_fd_cb on_interval;
	void *interval_ctx;
};

/* Call first, before attaching anything. */
int loop__init(struct event_loop *l);
/* Periodic callback every ms milliseconds (-i). */
int loop__set_interval(struct event_loop *l, uint64_t ms, loop_fd_cb cb, void *ctx);
/* Stop after ms milliseconds (-d). */
int loop__set_duration(struct event_loop *l, uint64_t ms);
/* Stop when pid exits (-p). -ESRCH if it is already gone. */
int loop__watch_pid(struct event_loop *l, int pid);
int loop__add_ringbuf(struct event_loop *l, struct ring_buffer *rb);
int loop__add_fd(struct event_loop *l, int fd, loop_fd_cb cb, void *ctx);
/* One more periodic callback, every ms milliseconds, beside -i's (funclatency --heatmap). */
int loop__add_timer(struct event_loop *l, uint64_t ms, loop_fd_cb cb, void *ctx);
/*
 * A timerfd (CLOEXEC, NONBLOCK) that fires after ms milliseconds (at least 1 ns), and then
 * every ms when periodic: the fd, or a negative errno. For timers in an epoll set of one's own.
 */
int loop_timer_fd(uint64_t ms, bool periodic);
enum loop_reason loop__run(struct event_loop *l);
void loop__close(struct event_loop *l);

#endif
