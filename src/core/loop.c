// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "core/loop.h"

/* epoll tags: small integers for our own fds, else index + TAG_USER into l->fds. */
enum { TAG_SIGNAL = 1, TAG_INTERVAL, TAG_DURATION, TAG_PID, TAG_USER = 16 };

static int epoll_add(struct event_loop *l, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int loop__init(struct event_loop *l)
{
	sigset_t set;

	memset(l, 0, sizeof(*l));
	l->sigfd = l->interval_fd = l->duration_fd = l->pidfd = -1;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/*
	 * A shell without job control starts background commands with SIGINT ignored, and an
	 * ignored signal is dropped before it could wait in the signalfd: `kill -INT` must
	 * still end us, so take the default disposition back (blocked, it never acts).
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	/* Blocked from here on: a signal during attach waits in the signalfd. */
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	/* A reader that goes away must end us cleanly through EPIPE, not kill us mid-detach. */
	signal(SIGPIPE, SIG_IGN);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->sigfd < 0)
		return -errno;
	return epoll_add(l, l->sigfd, TAG_SIGNAL);
}

int loop_timer_fd(uint64_t ms, bool periodic)
{
	struct itimerspec its = { 0 };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (ms % 1000) * 1000000;
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	if (periodic)
		its.it_interval = its.it_value;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int loop__set_interval(struct event_loop *l, uint64_t ms, loop_fd_cb cb, void *ctx)
{
	l->interval_fd = loop_timer_fd(ms, true);
	if (l->interval_fd < 0)
		return l->interval_fd;
	l->on_interval = cb;
	l->interval_ctx = ctx;
	return epoll_add(l, l->interval_fd, TAG_INTERVAL);
}

int loop__set_duration(struct event_loop *l, uint64_t ms)
{
	l->duration_fd = loop_timer_fd(ms, false);
	if (l->duration_fd < 0)
		return l->duration_fd;
	return epoll_add(l, l->duration_fd, TAG_DURATION);
}

int loop__watch_pid(struct event_loop *l, int pid)
{
	l->pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (l->pidfd < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	return epoll_add(l, l->pidfd, TAG_PID);
}

int loop__add_fd(struct event_loop *l, int fd, loop_fd_cb cb, void *ctx)
{
	int err;

	if (l->nfds >= LOOP_MAX_FDS)
		return -E2BIG;
	err = epoll_add(l, fd, TAG_USER + l->nfds);
	if (err)
		return err;
	l->fds[l->nfds].fd = fd;
	l->fds[l->nfds].cb = cb;
	l->fds[l->nfds].ctx = ctx;
	l->fds[l->nfds].timer = false;
	l->nfds++;
	return 0;
}

int loop__add_timer(struct event_loop *l, uint64_t ms, loop_fd_cb cb, void *ctx)
{
	int fd = loop_timer_fd(ms, true), err;

	if (fd < 0)
		return fd;
	err = loop__add_fd(l, fd, cb, ctx);
	if (err) {
		close(fd);
		return err;
	}
	l->fds[l->nfds - 1].timer = true;
	return 0;
}

static int consume_ringbuf(void *ctx)
{
	int n = ring_buffer__consume(ctx);

	/* -EINTR cannot happen: signals are blocked. A callback error stops us. */
	return n < 0 ? n : 0;
}

int loop__add_ringbuf(struct event_loop *l, struct ring_buffer *rb)
{
	return loop__add_fd(l, ring_buffer__epoll_fd(rb), consume_ringbuf, rb);
}

static void drain(int fd)
{
	uint64_t buf[16];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

enum loop_reason loop__run(struct event_loop *l)
{
	struct epoll_event evs[8];

	while (!l->stop) {
		int n = epoll_wait(l->epfd, evs, 8, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return LOOP_ERROR;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			struct signalfd_siginfo si;

			switch (tag) {
			case TAG_SIGNAL:
				if (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
					l->signo = si.ssi_signo;
					return LOOP_SIGNAL;
				}
				break;
			case TAG_DURATION:
				return LOOP_DURATION;
			case TAG_PID:
				return LOOP_TARGET_EXIT;
			case TAG_INTERVAL:
				drain(l->interval_fd);
				if (l->on_interval && l->on_interval(l->interval_ctx))
					return LOOP_STOPPED;
				break;
			default:
				if (tag >= TAG_USER && tag < TAG_USER + (uint64_t)l->nfds) {
					int k = tag - TAG_USER;

					if (l->fds[k].timer)
						drain(l->fds[k].fd);
					if (l->fds[k].cb(l->fds[k].ctx))
						return LOOP_STOPPED;
				}
			}
		}
	}
	return LOOP_STOPPED;
}

void loop__close(struct event_loop *l)
{
	int *fds[] = { &l->epfd, &l->sigfd, &l->interval_fd, &l->duration_fd, &l->pidfd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	for (int i = 0; i < l->nfds; i++)
		if (l->fds[i].timer)
			close(l->fds[i].fd);
	l->nfds = 0;
}
