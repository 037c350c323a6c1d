/* SPDX-License-Identifier: MIT */
/*
 * lib/ctl/http.c on a real TCP socket on 127.0.0.1: a loop thread drives it the way the
 * control thread does (poll on its fd with its timeout, then run), the tests are its clients.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/http.h"
#include "unit.h"

#define BODY "# HELP wgdp_peers Peers.\n# TYPE wgdp_peers gauge\nwgdp_peers 3\n"

/* One server and the thread that runs it; a byte in wake[1] stops the thread. */
static struct ctl_http *srv;
static pthread_t loop;
static int wake[2] = { -1, -1 };
static uint16_t port;
static atomic_int n_bodies;
static atomic_bool body_fails;

static char *body(void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&n_bodies, 1);
	return atomic_load(&body_fails) ? NULL : strdup(BODY);
}

/* The control thread's shape: poll without a timeout of its own, then run. */
static void *loop_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[2] = { { .fd = wake[0], .events = POLLIN },
				       { .fd = ctl_http_fd(srv), .events = POLLIN } };

		if (poll(p, 2, ctl_http_timeout_ms(srv)) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		ctl_http_run(srv);
	}
	return NULL;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
}

/* A listener on 127.0.0.1, any port, as the control thread has it once a reload commits. */
static int listener(void)
{
	struct wgdp_endpoint ep = { .addr = { .family = 4, .bytes = { 127, 0, 0, 1 } } };
	char err[256] = "";
	int fd = ctl_http_bind(&ep, err, sizeof(err));

	if (fd >= 0 && ctl_http_listen(fd, &ep, err, sizeof(err)) != 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		fprintf(stderr, "\n  %s\n", err);
	return fd;
}

static void start(unsigned int max_connections, unsigned int timeout_s)
{
	const struct ctl_http_ops ops = { .body = body,
					  .max_connections = max_connections,
					  .timeout_s = timeout_s };
	char err[256] = "";
	int fd = listener();

	CU_ASSERT_FATAL(fd >= 0);
	port = port_of(fd);
	srv = ctl_http_start(fd, &ops, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_FATAL(ctl_http_fd(srv) >= 0);
	CU_ASSERT_FATAL(pipe(wake) == 0);
	CU_ASSERT_FATAL(pthread_create(&loop, NULL, loop_main, NULL) == 0);
	atomic_store(&n_bodies, 0);
	atomic_store(&body_fails, false);
}

static void stop(void)
{
	CU_ASSERT_EQUAL(write(wake[1], "", 1), 1);
	pthread_join(loop, NULL);
	ctl_http_stop(srv);
	srv = NULL;
	close(wake[0]);
	close(wake[1]);
}

/* A client from 127.0.0.<from> connected to the server, whose reads give up after ms. */
static int client_from(uint8_t from, unsigned int ms)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + from);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
			bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
			connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int client(unsigned int ms)
{
	return client_from(1, ms);
}

static bool send_text(int fd, const char *text)
{
	return send(fd, text, strlen(text), MSG_NOSIGNAL) == (ssize_t)strlen(text);
}

/* Reads until the server closes, the read times out or out is full; the length read. */
static size_t read_all(int fd, char *out, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && (n = recv(fd, out + len, cap - 1 - len, 0)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	return len;
}

/* One request on a connection of its own (the server closes it: Connection: close). */
static void ask(const char *method, const char *path, const char *extra, char *out, size_t cap)
{
	char req[512];
	int fd = client(2000);

	CU_ASSERT_FATAL(fd >= 0);
	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: wgdp\r\nConnection: close\r\n%s\r\n",
		 method, path, extra);
	CU_ASSERT(send_text(fd, req));
	read_all(fd, out, cap);
	close(fd);
}

static const char *body_of(const char *answer)
{
	const char *b = strstr(answer, "\r\n\r\n");

	return b ? b + 4 : "";
}

static void test_metrics(void)
{
	char a[4096], length[64];
	int fd;

	start(0, 0);
	ask("GET", "/metrics", "", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(a, "\r\nContent-Type: " CTL_HTTP_CONTENT_TYPE "\r\n"));
	CU_ASSERT_STRING_EQUAL(body_of(a), BODY);
	/* A query string is not part of the path. */
	ask("GET", "/metrics?name[]=x", "", a, sizeof(a));
	CU_ASSERT_STRING_EQUAL(body_of(a), BODY);
	/* HEAD: the headers alone, from the same body (its length is a header). */
	ask("HEAD", "/metrics", "", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	snprintf(length, sizeof(length), "\r\nContent-Length: %zu\r\n", strlen(BODY));
	CU_ASSERT_PTR_NOT_NULL(strstr(a, length));
	CU_ASSERT_STRING_EQUAL(body_of(a), "");
	/* All three within a second: one body made (test_cache). */
	CU_ASSERT_EQUAL(atomic_load(&n_bodies), 1);
	/* HTTP/1.0, as the simplest scrapers send it. */
	fd = client(2000);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(send_text(fd, "GET /metrics HTTP/1.0\r\n\r\n"));
	read_all(fd, a, sizeof(a));
	close(fd);
	CU_ASSERT_PTR_NOT_NULL(strstr(a, " 200 OK\r\n"));
	CU_ASSERT_STRING_EQUAL(body_of(a), BODY);
	stop();
}

static void test_not_found_not_allowed(void)
{
	static const char *const paths[] = { "/", "/metric", "/metrics/", "/metricsx",
					     "/x/metrics" };
	char a[4096];

	start(0, 0);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ask("GET", paths[i], "", a, sizeof(a));
		CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 404 ", 13), 0);
	}
	ask("POST", "/metrics", "Content-Length: 5\r\n", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 405 ", 13), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(a, "\r\nAllow: GET, HEAD\r\n"));
	ask("DELETE", "/metrics", "", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 405 ", 13), 0);
	/* Neither made a body. */
	CU_ASSERT_EQUAL(atomic_load(&n_bodies), 0);
	atomic_store(&body_fails, true);
	ask("GET", "/metrics", "", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 500 ", 13), 0);
	stop();
}

/* Keep-alive: several scrapes on one connection. */
static void test_keep_alive(void)
{
	const char req[] = "GET /metrics HTTP/1.1\r\nHost: wgdp\r\n\r\n";
	char a[4096];
	int fd;

	start(0, 0);
	fd = client(2000);
	CU_ASSERT_FATAL(fd >= 0);
	for (int i = 0; i < 3; i++) {
		ssize_t n;

		CU_ASSERT(send_text(fd, req));
		n = recv(fd, a, sizeof(a) - 1, 0);
		CU_ASSERT_FATAL(n > 0);
		a[n] = '\0';
		CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	}
	close(fd);
	CU_ASSERT_EQUAL(atomic_load(&n_bodies), 1);
	stop();
}

/*
 * At the connection limit the next client waits in the backlog: it is not served while the
 * others hold their slots, and is served once they go.
 */
static void test_connection_limit(void)
{
	enum { LIMIT = 3 };
	int held[LIMIT], extra;
	char a[4096];

	start(LIMIT, 30);
	for (int i = 0; i < LIMIT; i++) {
		held[i] = client(2000);
		CU_ASSERT_FATAL(held[i] >= 0);
		/* Half a request: the slot stays taken. */
		CU_ASSERT(send_text(held[i], "GET /metrics HTTP/1.1\r\n"));
	}
	usleep(200 * 1000);
	extra = client(500);
	CU_ASSERT_FATAL(extra >= 0);
	CU_ASSERT(send_text(extra, "GET /metrics HTTP/1.1\r\nHost: w\r\n\r\n"));
	CU_ASSERT_EQUAL(read_all(extra, a, sizeof(a)), 0);
	CU_ASSERT_EQUAL(atomic_load(&n_bodies), 0);
	for (int i = 0; i < LIMIT; i++)
		close(held[i]);
	read_all(extra, a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	close(extra);
	ask("GET", "/metrics", "", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	stop();
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t ms_since(uint64_t t0)
{
	return now_ms() - t0;
}

/* A client that sends half a request and stalls is closed after the timeout, with no answer:
 * the loop's own timeout (ctl_http_timeout_ms) brings the run that closes it. */
static void test_idle_timeout(void)
{
	char a[256];
	uint64_t t0;
	int fd;

	start(0, 1);
	fd = client(4000);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(send_text(fd, "GET /metr"));
	t0 = now_ms();
	CU_ASSERT_EQUAL(read_all(fd, a, sizeof(a)), 0);
	CU_ASSERT(now_ms() - t0 >= 900);
	CU_ASSERT(now_ms() - t0 < 3500);
	close(fd);
	stop();
}

/* A connection to port on 127.0.0.1 is refused (nothing listens), rather than accepted. */
static bool connection_refused(void)
{
	int fd = client(500);

	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == ECONNREFUSED;
}

static void test_listen(void)
{
	struct wgdp_endpoint ep = { .addr = { .family = 4, .bytes = { 127, 0, 0, 1 } } };
	struct wgdp_endpoint ep6 = { .addr = { .family = 6, .bytes = { [15] = 1 } } };
	char err[256] = "", want[64];
	int fd = ctl_http_bind(&ep, err, sizeof(err));

	CU_ASSERT_FATAL(fd >= 0);
	ep.port = port = port_of(fd);
	/* Bound only: a client is refused at once, not queued for a server that may never come
	 * (a reload that failed after binding). */
	CU_ASSERT_TRUE(connection_refused());
	CU_ASSERT_EQUAL(ctl_http_listen(fd, &ep, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(connection_refused());
	/* The same address again, listened on: refused, and said so with the address. */
	CU_ASSERT_EQUAL(ctl_http_bind(&ep, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "127.0.0.1:%u: Address already in use", ep.port);
	CU_ASSERT_STRING_EQUAL(err, want);
	close(fd);
	fd = ctl_http_bind(&ep6, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, " (no IPv6 loopback: %s) ", err);
		return;
	}
	ep6.port = port_of(fd);
	CU_ASSERT_EQUAL(ctl_http_listen(fd, &ep6, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ctl_http_bind(&ep6, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "[::1]:"));
	close(fd);
}

/*
 * A body answers the scrapes of the next second without another collect, on other
 * connections too and for HEAD; then a new one is made. A 500 is not kept.
 */
static void test_cache(void)
{
	char a[4096];

	start(0, 0);
	ask("GET", "/metrics", "", a, sizeof(a));
	CU_ASSERT_STRING_EQUAL(body_of(a), BODY);
	/* Collects would fail now: the kept body answers all the same. */
	atomic_store(&body_fails, true);
	ask("GET", "/metrics", "", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	CU_ASSERT_STRING_EQUAL(body_of(a), BODY);
	ask("HEAD", "/metrics", "", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	CU_ASSERT_EQUAL(atomic_load(&n_bodies), 1);
	usleep((CTL_HTTP_CACHE_MS + 100) * 1000);
	/* Stale: collected again, and a failure is not kept either. */
	ask("GET", "/metrics", "", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 500 ", 13), 0);
	ask("GET", "/metrics", "", a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 500 ", 13), 0);
	CU_ASSERT_EQUAL(atomic_load(&n_bodies), 3);
	atomic_store(&body_fails, false);
	ask("GET", "/metrics", "", a, sizeof(a));
	CU_ASSERT_STRING_EQUAL(body_of(a), BODY);
	CU_ASSERT_EQUAL(atomic_load(&n_bodies), 4);
	stop();
}

/*
 * One address holds CTL_HTTP_MAX_PER_IP connections at most: its next one is closed at once
 * (not queued), while another address is served; a slot it frees is its again.
 */
static void test_per_ip_limit(void)
{
	int held[CTL_HTTP_MAX_PER_IP], extra;
	bool served = false;
	uint64_t t0;
	char a[4096];

	start(0, 30);
	for (int i = 0; i < CTL_HTTP_MAX_PER_IP; i++) {
		held[i] = client(2000);
		CU_ASSERT_FATAL(held[i] >= 0);
		CU_ASSERT(send_text(held[i], "GET /metrics HTTP/1.1\r\n"));
	}
	usleep(200 * 1000);
	extra = client(3000);
	CU_ASSERT_FATAL(extra >= 0);
	t0 = now_ms();
	/* Closed maybe before this is sent: no check of the send. */
	send_text(extra, "GET /metrics HTTP/1.1\r\nHost: w\r\n\r\n");
	CU_ASSERT_EQUAL(read_all(extra, a, sizeof(a)), 0);
	CU_ASSERT(ms_since(t0) < 1500);
	close(extra);
	/* 127.0.0.2 is another address (all of 127/8 is the loopback's). */
	extra = client_from(2, 2000);
	CU_ASSERT_FATAL(extra >= 0);
	CU_ASSERT(
		send_text(extra, "GET /metrics HTTP/1.1\r\nHost: w\r\nConnection: close\r\n\r\n"));
	read_all(extra, a, sizeof(a));
	CU_ASSERT_EQUAL(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	close(extra);
	close(held[0]);
	/* Once the server saw the close. */
	for (int tries = 0; tries < 20 && !served; tries++) {
		ask("GET", "/metrics", "", a, sizeof(a));
		served = strncmp(a, "HTTP/1.1 200 ", 13) == 0;
		if (!served)
			usleep(100 * 1000);
	}
	CU_ASSERT_TRUE(served);
	for (int i = 1; i < CTL_HTTP_MAX_PER_IP; i++)
		close(held[i]);
	stop();
}

/* The files open now. */
static unsigned int open_files(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/*
 * A server that cannot start (libmicrohttpd out of files for its epoll fd, a failure after
 * which 0.9.75 leaves the listener it was given open) closes every file it took: the
 * listener, and the copy it gave libmicrohttpd.
 */
static void test_start_failure_leaks_nothing(void)
{
	const struct ctl_http_ops ops = { .body = body };
	unsigned int before = open_files();
	struct rlimit saved, low;
	char err[256] = "";
	int fd = listener(), lowest;
	struct ctl_http *h;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(getrlimit(RLIMIT_NOFILE, &saved) == 0);
	lowest = fcntl(0, F_DUPFD, 0);
	CU_ASSERT_FATAL(lowest >= 0);
	close(lowest);
	/* Room for the copy, none for the epoll fd. */
	low = saved;
	low.rlim_cur = (rlim_t)lowest + 1;
	CU_ASSERT_FATAL(setrlimit(RLIMIT_NOFILE, &low) == 0);
	h = ctl_http_start(fd, &ops, NULL, err, sizeof(err));
	CU_ASSERT_FATAL(setrlimit(RLIMIT_NOFILE, &saved) == 0);
	CU_ASSERT_PTR_NULL(h);
	ctl_http_stop(h);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "libmicrohttpd did not start"));
	CU_ASSERT_EQUAL(open_files(), before);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "GET /metrics: 200, the exposition's content type", test_metrics },
		{ "404 for other paths, 405 for other methods, 500", test_not_found_not_allowed },
		{ "several scrapes on one connection", test_keep_alive },
		{ "the connection limit holds", test_connection_limit },
		{ "a stalled client is timed out", test_idle_timeout },
		{ "bind refuses clients until listen; an address in use", test_listen },
		{ "a body answers the next second's scrapes", test_cache },
		{ "one address holds 4 connections at most", test_per_ip_limit },
		{ "a failed start closes every file it took", test_start_failure_leaks_nothing },
		CU_TEST_INFO_NULL,
	};

	return unit_run("ctl_http", tests);
}
