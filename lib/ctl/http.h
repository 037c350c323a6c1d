/* SPDX-License-Identifier: MIT */
/*
 * The metrics endpoint (control.metrics_listen): `GET /metrics` over HTTP/1.1, served by
 * libmicrohttpd in its external-event mode, so that the thread owning the loop (the control
 * thread, lib/ctl/server.c) does all the work: no thread of its own, never a DPDK lcore. The
 * owner polls ctl_http_fd for POLLIN, never longer than ctl_http_timeout_ms, then calls
 * ctl_http_run. Connections are bounded in number and in idle time, so idle or slow clients
 * cost a slot each, never the loop.
 */
#ifndef WGDP_CTL_HTTP_H
#define WGDP_CTL_HTTP_H

#include <stddef.h>

#include "config.h"

#define CTL_HTTP_MAX_CONNECTIONS 16 /* more wait in the listen backlog */
#define CTL_HTTP_MAX_PER_IP	 4  /* more from one address are closed at once */
#define CTL_HTTP_TIMEOUT_S	 10 /* a connection idle this long is closed */
#define CTL_HTTP_CACHE_MS	 1000 /* a 200 this young answers the next scrapes too */
#define CTL_HTTP_CONTENT_TYPE	 "text/plain; version=0.0.4; charset=utf-8"

struct ctl_http_ops {
	/*
	 * The body of a 200 for /metrics: a malloc'd string (freed here), or NULL for a 500. It
	 * is kept for CTL_HTTP_CACHE_MS and answers every scrape meanwhile, so that scrapers
	 * hammering the endpoint (it has no authentication) make one body a second at most.
	 */
	char *(*body)(void *ctx);
	unsigned int max_connections; /* 0: CTL_HTTP_MAX_CONNECTIONS */
	unsigned int timeout_s;	      /* 0: CTL_HTTP_TIMEOUT_S */
};

struct ctl_http;

/*
 * A TCP socket bound to ep (port 0: any free one), non-blocking, with SO_REUSEADDR (a restart
 * need not wait for TIME_WAIT) and, for IPv6, IPV6_V6ONLY (it is one address). Not listening
 * yet: until ctl_http_listen, a connection to it is refused rather than left in a backlog
 * nobody serves (a reload that binds ahead and then fails). The fd, or -1 with err
 * ("127.0.0.1:9586: Address already in use": something listens there).
 */
int ctl_http_bind(const struct wgdp_endpoint *ep, char *err, size_t errlen);

/* Makes fd, bound to ep by ctl_http_bind, listen: 0, or -1 with err (fd stays the caller's). */
int ctl_http_listen(int fd, const struct wgdp_endpoint *ep, char *err, size_t errlen);

/*
 * Serves listen_fd (listening), which it takes over whatever happens (ctl_http_stop closes
 * it). NULL with err filled on failure. Other paths than /metrics are 404, other methods than
 * GET and HEAD 405.
 */
struct ctl_http *ctl_http_start(int listen_fd, const struct ctl_http_ops *ops, void *ctx, char *err,
				size_t errlen);

/* The one fd to poll for POLLIN (an epoll fd over the listener and the connections). */
int ctl_http_fd(const struct ctl_http *h);

/* How long a poll may wait before ctl_http_run is due in any case (timeouts): ms, or -1. */
int ctl_http_timeout_ms(struct ctl_http *h);

/* Accepts, reads, answers, writes and times out what is ready; never blocks. */
void ctl_http_run(struct ctl_http *h);

/* Drops the body kept for the next scrapes (what it shows changed, e.g. the cap). */
void ctl_http_flush(struct ctl_http *h);

/* Closes every connection and the listener. NULL is fine. */
void ctl_http_stop(struct ctl_http *h);

#endif
