/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http.h"

struct ctl_http {
	struct MHD_Daemon *mhd;
	struct ctl_http_ops ops;
	void *ctx;
	struct MHD_Response *cached; /* the latest 200 (a reference of ours), or NULL */
	uint64_t cached_ms;	     /* when it was made, monotonic */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ctl_http_bind(const struct wgdp_endpoint *ep, char *err, size_t errlen)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(ep->port) };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(ep->port) };
	bool v6 = ep->addr.family == 6;
	char text[WGDP_ENDPOINT_TEXT_MAX];
	int fd, on = 1;

	wgdp_format_endpoint(ep, text, sizeof(text));
	memcpy(&sin.sin_addr, ep->addr.bytes, 4);
	memcpy(&sin6.sin6_addr, ep->addr.bytes, 16);
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: socket: %s", text, strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0) ||
	    (v6 ? bind(fd, (struct sockaddr *)&sin6, sizeof(sin6))
		: bind(fd, (struct sockaddr *)&sin, sizeof(sin))) != 0) {
		snprintf(err, errlen, "%s: %s", text, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int ctl_http_listen(int fd, const struct wgdp_endpoint *ep, char *err, size_t errlen)
{
	char text[WGDP_ENDPOINT_TEXT_MAX];

	if (listen(fd, 64) == 0)
		return 0;
	/* Bound beside another socket with SO_REUSEADDR that listened first. */
	wgdp_format_endpoint(ep, text, sizeof(text));
	snprintf(err, errlen, "%s: %s", text, strerror(errno));
	return -1;
}

/* A short text answer (404, 405, 500), from static memory. */
static enum MHD_Result respond_text(struct MHD_Connection *conn, unsigned int status,
				    const char *text)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

/*
 * The body made at most CTL_HTTP_CACHE_MS ago, else a new one, kept for the next scrapes:
 * libmicrohttpd counts a response's references, so one serves every connection. Its age
 * runs from when it was made, so a collect that takes long is not stale at once. A 500 is
 * not kept: the next scrape tries again.
 */
static enum MHD_Result respond_metrics(struct ctl_http *h, struct MHD_Connection *conn)
{
	struct MHD_Response *r;
	char *body;

	if (h->cached && now_ms() - h->cached_ms < CTL_HTTP_CACHE_MS)
		return MHD_queue_response(conn, MHD_HTTP_OK, h->cached);
	/* First: the old body and the new one are never held at once. */
	ctl_http_flush(h);
	body = h->ops.body(h->ctx);
	if (!body)
		return respond_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				    "wgdp could not collect the metrics (see its log)\n");
	r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CTL_HTTP_CONTENT_TYPE);
	h->cached = r;
	h->cached_ms = now_ms();
	return MHD_queue_response(conn, MHD_HTTP_OK, r);
}

/*
 * A refused request is answered at its first call, before any body it has is read: that body
 * is then never read, as libmicrohttpd closes the connection after such an answer. A scrape
 * is answered at the second call (the request whole, no body), which keeps the connection
 * open for the next one.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	static int seen;

	(void)version;
	(void)upload;
	if (strcmp(url, "/metrics") != 0)
		return respond_text(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (!*req_cls) {
		*req_cls = &seen;
		return MHD_YES;
	}
	/* A GET with a body: the body is ignored. */
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	return respond_metrics(cls, conn);
}

/*
 * libmicrohttpd 0.9.75 closes a listener it was given on some of its start failures (no
 * non-blocking mode, a mutex) and not on others (epoll_create1 out of files, an option
 * refused), and says not which. So it gets a copy, and ours stays open until it answered:
 * while ours holds the socket no other file can be that inode, so if the copy's number still
 * names it, the copy is still open and ours to close; if it names another inode, a thread
 * opened a file there since libmicrohttpd closed the copy, and that is not ours.
 */
static void close_copy(int copy, const struct stat *orig)
{
	struct stat st;

	if (fstat(copy, &st) == 0 && st.st_dev == orig->st_dev && st.st_ino == orig->st_ino)
		close(copy);
}

struct ctl_http *ctl_http_start(int listen_fd, const struct ctl_http_ops *ops, void *ctx, char *err,
				size_t errlen)
{
	struct ctl_http *h = calloc(1, sizeof(*h));
	struct stat orig;
	int fd = -1, mhd_errno;

	if (h && fstat(listen_fd, &orig) == 0)
		fd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "HTTP server: %s", h ? strerror(errno) : "out of memory");
		close(listen_fd);
		free(h);
		return NULL;
	}
	h->ops = *ops;
	h->ctx = ctx;
	if (!h->ops.max_connections)
		h->ops.max_connections = CTL_HTTP_MAX_CONNECTIONS;
	if (!h->ops.timeout_s)
		h->ops.timeout_s = CTL_HTTP_TIMEOUT_S;
	/* No MHD_USE_INTERNAL_POLLING_THREAD: the caller's loop runs it (see http.h). A limit
	 * per address below the total: one client cannot take every slot. */
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
				  h->ops.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				  (unsigned int)CTL_HTTP_MAX_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT,
				  h->ops.timeout_s, MHD_OPTION_END);
	mhd_errno = errno;
	if (h->mhd) {
		close(listen_fd);
		return h;
	}
	close_copy(fd, &orig);
	close(listen_fd);
	snprintf(err, errlen, "HTTP server: libmicrohttpd did not start: %s",
		 mhd_errno ? strerror(mhd_errno) : "no reason given");
	free(h);
	return NULL;
}

int ctl_http_fd(const struct ctl_http *h)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);

	return info ? info->epoll_fd : -1;
}

int ctl_http_timeout_ms(struct ctl_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static unsigned int connections(struct ctl_http *h)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return info ? info->num_connections : 0;
}

void ctl_http_run(struct ctl_http *h)
{
	unsigned int before = connections(h);

	MHD_run(h->mhd);
	/* libmicrohttpd (0.9.75) takes its listener out of the epoll set at the connection limit
	 * and puts it back at the start of a run, not where connections close: without a second
	 * run now, clients waiting in the backlog would wait for an event that never comes (their
	 * connect raises none on a listener out of the set). */
	if (connections(h) < before)
		MHD_run(h->mhd);
}

void ctl_http_flush(struct ctl_http *h)
{
	if (!h || !h->cached)
		return;
	MHD_destroy_response(h->cached);
	h->cached = NULL;
}

void ctl_http_stop(struct ctl_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	ctl_http_flush(h);
	free(h);
}
