/* SPDX-License-Identifier: MIT */
/*
 * lib/ctl/server.c on real unix sockets: UAPI sockets named by their interface, and their set
 * changed while the server runs, by ctl_server_set_uapi from another thread and from inside
 * an ops callback on the server thread; the metrics endpoint on 127.0.0.1, moved and stopped
 * as reloads do. The tests run in order and share one server.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "ctl/server.h"
#include "unit.h"

#define N_MANY	  300
#define WAIT_MS	  3000 /* more than a kept scrape lives (CTL_HTTP_CACHE_MS) */
#define UAPI_OK	  "errno=0\n\n"
#define LONG_NAME "a-name-far-longer-than-any-interface-name"

static char dir[64], json_path[96], plain_path[72];
/* The UAPI sockets' paths, dir/<name>.sock; wd's is under a file: it cannot be made. */
static char wa[96], wb[96], wc[96], wd[96], we[96];
static struct ctl_server *srv;
/* Clients kept from one test to the next. */
static int c_json = -1, c_wa = -1, c_wb = -1;

/* What the ops saw, on the server thread. */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen_ifname[64];
static char logged[4096];
static unsigned int n_logged;

static void sock_path(char *path, size_t size, const char *ifname)
{
	snprintf(path, size, "%s/%s.sock", dir, ifname);
}

static char *op_uapi(void *ctx, const char *ifname, const char *req, size_t len, size_t *reply_len)
{
	(void)ctx;
	(void)req;
	(void)len;
	pthread_mutex_lock(&seen_lock);
	snprintf(seen_ifname, sizeof(seen_ifname), "%s", ifname);
	pthread_mutex_unlock(&seen_lock);
	*reply_len = strlen(UAPI_OK);
	return strdup(UAPI_OK);
}

/* For the metrics endpoint: stats names two interfaces, whose show answers 2 and 1 peers. */
static atomic_bool show_fails;
static atomic_uint n_stats; /* stats requests: one a scrape collected */
static char last_show[256]; /* under seen_lock */

/* Whether line[0..len), not NUL-terminated, holds text. */
static bool holds(const char *line, size_t len, const char *text)
{
	return memmem(line, len, text, strlen(text)) != NULL;
}

static char *metrics_answer(const char *line, size_t len)
{
	if (holds(line, len, "\"cmd\":\"stats\"")) {
		atomic_fetch_add(&n_stats, 1);
		return strdup("{\"ok\":true,\"peers\":3,\"interfaces\":{\"wa\":{},\"wb\":{}}}");
	}
	pthread_mutex_lock(&seen_lock);
	snprintf(last_show, sizeof(last_show), "%.*s", (int)len, line);
	pthread_mutex_unlock(&seen_lock);
	if (atomic_load(&show_fails))
		return strdup("{\"ok\":false,\"error\":\"no such interface\"}");
	if (holds(line, len, "\"interface\":\"wa\""))
		return strdup("{\"ok\":true,\"interface\":{\"name\":\"wa\"},\"peers\":["
			      "{\"public_key\":\"A=\",\"rx_bytes\":1},{\"public_key\":\"B=\"}]}");
	return strdup("{\"ok\":true,\"interface\":{\"name\":\"wb\"},\"peers\":["
		      "{\"public_key\":\"C=\"}]}");
}

/* "resync" changes the UAPI sockets from here, the server thread, as a reload does. */
static char *op_json(void *ctx, const char *line, size_t len)
{
	/* wa back, wc kept, wb gone; a path under a file and a name too long fail alone. */
	const struct ctl_uapi_socket want[] = {
		{ wc, "wc" },
		{ wd, "wd" },
		{ we, LONG_NAME },
		{ wa, "wa" },
	};
	char ans[64];

	(void)ctx;
	if (holds(line, len, "\"cmd\":\"stats\"") || holds(line, len, "\"interface\""))
		return metrics_answer(line, len);
	if (len != strlen("resync") || memcmp(line, "resync", len) != 0)
		return strdup("{\"ok\":true}");
	snprintf(ans, sizeof(ans), "{\"ok\":true,\"rc\":%d}", ctl_server_set_uapi(srv, want, 4));
	return strdup(ans);
}

static void op_log(void *ctx, const char *msg)
{
	(void)ctx;
	pthread_mutex_lock(&seen_lock);
	snprintf(logged + strlen(logged), sizeof(logged) - strlen(logged), "%s\n", msg);
	n_logged++;
	pthread_mutex_unlock(&seen_lock);
}

static const struct ctl_server_ops ops = {
	.json_line = op_json,
	.uapi = op_uapi,
	.log = op_log,
};

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sends req and reads the answer up to end into out; false after WAIT_MS or on EOF. */
static bool ask(int fd, const char *req, const char *end, char *out, size_t cap)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	size_t len = 0;

	out[0] = '\0';
	if (fd < 0 || send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		return false;
	while (len < strlen(end) || strcmp(out + len - strlen(end), end) != 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		ssize_t n;

		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) != 1)
			return false;
		n = recv(fd, out + len, cap - 1 - len, 0);
		if (n <= 0)
			return false;
		len += (size_t)n;
		out[len] = '\0';
	}
	return true;
}

/* A UAPI get on fd: answered, and by the op for interface ifname. */
static void expect_uapi(int fd, const char *ifname)
{
	char out[256];

	pthread_mutex_lock(&seen_lock);
	seen_ifname[0] = '\0';
	pthread_mutex_unlock(&seen_lock);
	CU_ASSERT_TRUE(ask(fd, "get=1\n\n", "\n\n", out, sizeof(out)));
	CU_ASSERT_STRING_EQUAL(out, UAPI_OK);
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_STRING_EQUAL(seen_ifname, ifname);
	pthread_mutex_unlock(&seen_lock);
}

/* A new connection to path answers for ifname. */
static void expect_new_uapi(const char *path, const char *ifname)
{
	int fd = connect_to(path);

	CU_ASSERT_TRUE(fd >= 0);
	expect_uapi(fd, ifname);
	if (fd >= 0)
		close(fd);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool is_private_socket(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0600;
}

/*
 * The socket inode (the kernel's socket, not the file) listening at path, 0 if none: a
 * listener closed and opened again has another one.
 */
static unsigned long listening_inode(const char *path)
{
	FILE *f = fopen("/proc/net/unix", "r");
	unsigned long ino = 0, i;
	unsigned int flags;
	char line[512], p[256];

	while (f && !ino && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*x %*x %x %*x %*x %lu %255s", &flags, &i, p) == 3 &&
		    (flags & 0x10000) && strcmp(p, path) == 0) /* __SO_ACCEPTCON */
			ino = i;
	}
	if (f)
		fclose(f);
	return ino;
}

/* Polls cond for up to WAIT_MS: the server thread applies a new list when it wakes. */
static bool wait_for(bool (*cond)(void))
{
	uint64_t deadline = now_ms() + WAIT_MS;

	while (!cond()) {
		if (now_ms() >= deadline)
			return false;
		usleep(10000);
	}
	return true;
}

static void test_start(void)
{
	const struct ctl_uapi_socket uapi[] = { { wa, "wa" }, { wb, "wb" } };
	char err[256] = "";
	char out[64];
	FILE *plain;

	snprintf(dir, sizeof(dir), "/tmp/wgdp-ctl-server-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(json_path, sizeof(json_path), "%s/ctl/json.sock", dir);
	snprintf(plain_path, sizeof(plain_path), "%s/plain", dir);
	snprintf(wd, sizeof(wd), "%s/wd.sock", plain_path);
	sock_path(wa, sizeof(wa), "wa");
	sock_path(wb, sizeof(wb), "wb");
	sock_path(wc, sizeof(wc), "wc");
	sock_path(we, sizeof(we), "we");
	plain = fopen(plain_path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	fclose(plain);
	srv = ctl_server_start(json_path, uapi, 2, &ops, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_TRUE(is_private_socket(json_path)); /* its directory made */
	CU_ASSERT_TRUE(is_private_socket(wa));
	CU_ASSERT_TRUE(is_private_socket(wb));
	c_wb = connect_to(wb);
	expect_uapi(c_wb, "wb");
	c_wa = connect_to(wa);
	expect_uapi(c_wa, "wa");
	c_json = connect_to(json_path);
	CU_ASSERT_TRUE(ask(c_json, "{\"cmd\":\"show\"}\n", "\n", out, sizeof(out)));
	CU_ASSERT_STRING_EQUAL(out, "{\"ok\":true}\n");
}

/* Two UAPI sockets with the same path: the second would unlink the first's file. */
static void test_start_refuses_a_path_twice(void)
{
	char err[256] = "", json[96], x[96];
	const struct ctl_uapi_socket uapi[] = { { x, "x" }, { x, "y" } };

	snprintf(json, sizeof(json), "%s/json2.sock", dir);
	sock_path(x, sizeof(x), "x");
	CU_ASSERT_PTR_NULL(ctl_server_start(json, uapi, 2, &ops, NULL, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already in use"));
	CU_ASSERT_FALSE(exists(json));
	CU_ASSERT_FALSE(exists(x));
}

static bool wa_gone_wc_there(void)
{
	return !exists(wa) && listening_inode(wc) != 0;
}

static void test_set_uapi(void)
{
	const struct ctl_uapi_socket uapi[] = { { wb, "wb" }, { wc, "wc" } };
	unsigned long wb_ino = listening_inode(wb);

	CU_ASSERT_NOT_EQUAL(wb_ino, 0);
	CU_ASSERT_EQUAL(ctl_server_set_uapi(srv, uapi, 2), 0);
	CU_ASSERT_TRUE(wait_for(wa_gone_wc_there));
	CU_ASSERT_TRUE(is_private_socket(wc));
	CU_ASSERT_NOT_EQUAL(listening_inode(wc), 0);
	CU_ASSERT_EQUAL(listening_inode(wa), 0);
	expect_new_uapi(wc, "wc");
	/* wb stayed the same listener: neither closed nor opened again. */
	CU_ASSERT_EQUAL(listening_inode(wb), wb_ino);
	expect_uapi(c_wb, "wb");
	expect_new_uapi(wb, "wb");
	/* wa's client outlives its socket, under its old name. */
	CU_ASSERT_EQUAL(connect_to(wa), -1);
	expect_uapi(c_wa, "wa");
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_EQUAL(n_logged, 0);
	pthread_mutex_unlock(&seen_lock);
}

static bool wb_gone_wa_there(void)
{
	return !exists(wb) && listening_inode(wa) != 0;
}

/* From the json_line op, on the server thread: must neither deadlock nor wait. */
static void test_set_uapi_from_callback(void)
{
	unsigned long wc_ino = listening_inode(wc);
	char out[64];

	CU_ASSERT_TRUE(ask(c_json, "resync\n", "\n", out, sizeof(out)));
	CU_ASSERT_STRING_EQUAL(out, "{\"ok\":true,\"rc\":0}\n");
	CU_ASSERT_TRUE(wait_for(wb_gone_wa_there));
	CU_ASSERT_TRUE(is_private_socket(wa));
	CU_ASSERT_NOT_EQUAL(wc_ino, 0);
	CU_ASSERT_EQUAL(listening_inode(wc), wc_ino);
	expect_new_uapi(wa, "wa");
	expect_new_uapi(wc, "wc");
	expect_uapi(c_wb, "wb");
	/* The two that could not be opened were told, and opened nothing. */
	CU_ASSERT_FALSE(exists(wd));
	CU_ASSERT_FALSE(exists(we));
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_EQUAL(n_logged, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, wd));
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, we));
	pthread_mutex_unlock(&seen_lock);
	/* And the control socket still answers. */
	CU_ASSERT_TRUE(ask(c_json, "{\"cmd\":\"show\"}\n", "\n", out, sizeof(out)));
	CU_ASSERT_STRING_EQUAL(out, "{\"ok\":true}\n");
}

static char many[N_MANY][96];

static bool many_there(void)
{
	return listening_inode(many[N_MANY - 1]) != 0 && !exists(wc);
}

static bool many_gone(void)
{
	return !exists(many[0]) && !exists(many[N_MANY - 1]);
}

/* The listener and poll arrays grow for many interfaces and shrink back. */
static void test_many(void)
{
	static char names[N_MANY][16];
	struct ctl_uapi_socket uapi[1 + N_MANY] = { { wa, "wa" } };
	unsigned int opened = 0;

	for (unsigned int i = 0; i < N_MANY; i++) {
		snprintf(names[i], sizeof(names[i]), "m%u", i);
		sock_path(many[i], sizeof(many[i]), names[i]);
		uapi[1 + i] = (struct ctl_uapi_socket){ many[i], names[i] };
	}
	CU_ASSERT_EQUAL(ctl_server_set_uapi(srv, uapi, 1 + N_MANY), 0);
	CU_ASSERT_TRUE(wait_for(many_there));
	for (unsigned int i = 0; i < N_MANY; i++)
		opened += is_private_socket(many[i]);
	CU_ASSERT_EQUAL(opened, N_MANY);
	expect_new_uapi(many[0], names[0]);
	expect_new_uapi(many[N_MANY - 1], names[N_MANY - 1]);
	expect_new_uapi(wa, "wa");
	CU_ASSERT_EQUAL(ctl_server_set_uapi(srv, uapi, 1), 0);
	CU_ASSERT_TRUE(wait_for(many_gone));
	expect_new_uapi(wa, "wa");
	expect_uapi(c_wb, "wb");
}

/* The metrics endpoint's addresses: 127.0.0.1 and a port. */
static struct wgdp_endpoint loopback(uint16_t port)
{
	return (struct wgdp_endpoint){ .addr = { .family = 4, .bytes = { 127, 0, 0, 1 } },
				       .port = port };
}

/* A TCP socket listening on 127.0.0.1, any port; *port is its port. */
static int listen_any(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		abort();
	*port = ntohs(sin.sin_port);
	return fd;
}

/* A port free now (another program could take it before the test does: the test would fail,
 * not pass). */
static uint16_t free_port(void)
{
	uint16_t port;

	close(listen_any(&port));
	return port;
}

/* Whether a plain socket (no SO_REUSEADDR) can take port: nothing else holds it. */
static bool port_free(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static int connect_tcp(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* GET /metrics on port: the whole answer in out; false when nothing listens or it times out. */
static bool scrape(uint16_t port, char *out, size_t cap)
{
	static const char req[] =
		"GET /metrics HTTP/1.1\r\nHost: wgdp\r\nConnection: close\r\n\r\n";
	uint64_t deadline = now_ms() + WAIT_MS;
	int fd = connect_tcp(port);
	size_t len = 0;
	ssize_t n = 1;

	out[0] = '\0';
	if (fd < 0)
		return false;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		n = -1;
	while (n > 0 && len + 1 < cap) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();

		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) != 1)
			break;
		n = recv(fd, out + len, cap - 1 - len, 0);
		if (n > 0)
			len += (size_t)n;
		out[len] = '\0';
	}
	close(fd);
	return n == 0;
}

static unsigned int count(const char *text, const char *what)
{
	unsigned int n = 0;

	for (; (text = strstr(text, what)); text++)
		n++;
	return n;
}

/* What wait_for polls: the port nothing listens on any more, the text a scrape must show. */
static uint16_t probe_port;
static const char *probe_text;

static bool probe_refused(void)
{
	int fd = connect_tcp(probe_port);

	if (fd >= 0)
		close(fd);
	return fd < 0;
}

static bool probe_shows(void)
{
	char out[16384];

	return scrape(probe_port, out, sizeof(out)) && strstr(out, probe_text);
}

static bool refused(uint16_t port)
{
	probe_port = port;
	return wait_for(probe_refused);
}

static bool shows(uint16_t port, const char *text)
{
	probe_port = port;
	probe_text = text;
	return wait_for(probe_shows);
}

static bool was_logged(const char *what)
{
	bool yes;

	pthread_mutex_lock(&seen_lock);
	yes = strstr(logged, what) != NULL;
	pthread_mutex_unlock(&seen_lock);
	return yes;
}

/* Served from the prepared listener, with the cap; the same address again keeps it. */
static void test_metrics(void)
{
	struct wgdp_endpoint a = loopback(free_port());
	char err[256] = "", out[16384];

	CU_ASSERT_EQUAL(ctl_server_prepare_metrics(srv, &a, true, err, sizeof(err)), 0);
	ctl_server_set_metrics(srv, &a, 2);
	CU_ASSERT_TRUE(scrape(a.port, out, sizeof(out)));
	CU_ASSERT_EQUAL(strncmp(out, "HTTP/1.1 200 ", 13), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\r\nContent-Type: text/plain; version=0.0.4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nwgdp_peers 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "wgdp_peer_rx_bytes_total{interface=\"wa\","
					   "public_key=\"A=\",name=\"\"} 1\n"));
	CU_ASSERT_EQUAL(count(out, "\nwgdp_peer_rx_bytes_total{"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nwgdp_peer_series_omitted 1\n"));
	/* A reload that keeps the address and changes the cap. */
	CU_ASSERT_EQUAL(ctl_server_prepare_metrics(srv, &a, true, err, sizeof(err)), 0);
	ctl_server_set_metrics(srv, &a, 0);
	CU_ASSERT_TRUE(shows(a.port, "\nwgdp_peer_series_omitted 3\n"));
	ctl_server_set_metrics(srv, &a, 1000);
	CU_ASSERT_TRUE(shows(a.port, "\nwgdp_peer_series_omitted 0\n"));
	CU_ASSERT_TRUE(scrape(a.port, out, sizeof(out)));
	CU_ASSERT_EQUAL(count(out, "\nwgdp_peer_tx_bytes_total{"), 3);
	/* A request that fails: 500 once the body kept is stale, and the log says why. */
	atomic_store(&show_fails, true);
	CU_ASSERT_TRUE(shows(a.port, "HTTP/1.1 500 "));
	CU_ASSERT_TRUE(was_logged("metrics endpoint: a request failed: no such interface"));
	atomic_store(&show_fails, false);
	/* The control socket is served as before. */
	CU_ASSERT_TRUE(ask(c_json, "{\"cmd\":\"show\"}\n", "\n", out, sizeof(out)));
	CU_ASSERT_STRING_EQUAL(out, "{\"ok\":true}\n");
	probe_port = a.port;
}

/* Reloads that move it: a taken address fails the prepare and changes nothing; a new one
 * takes over; a prepared one that never came is closed; none stops it. */
static void test_metrics_moves(void)
{
	struct wgdp_endpoint a = loopback(probe_port), b = loopback(free_port()), c, taken;
	char err[256] = "", want[128], out[16384];
	uint16_t taken_port;
	int busy = listen_any(&taken_port);

	taken = loopback(taken_port);
	/* A dry run's check: the taken address refused, a free one bound and let go at once. */
	CU_ASSERT_EQUAL(ctl_server_prepare_metrics(srv, &taken, false, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(ctl_server_prepare_metrics(srv, &b, false, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(port_free(b.port));
	CU_ASSERT_EQUAL(ctl_server_prepare_metrics(srv, &b, true, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(port_free(b.port)); /* the real one holds it */
	CU_ASSERT_EQUAL(ctl_server_prepare_metrics(srv, &taken, true, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "127.0.0.1:%u: Address already in use", taken_port);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_TRUE(scrape(a.port, out, sizeof(out)));
	CU_ASSERT_EQUAL(strncmp(out, "HTTP/1.1 200 ", 13), 0);

	CU_ASSERT_EQUAL(ctl_server_prepare_metrics(srv, &b, true, err, sizeof(err)), 0);
	ctl_server_set_metrics(srv, &b, 10);
	CU_ASSERT_TRUE(refused(a.port));
	CU_ASSERT_TRUE(scrape(b.port, out, sizeof(out)));
	CU_ASSERT_EQUAL(strncmp(out, "HTTP/1.1 200 ", 13), 0);

	/* Prepared, then the reload failed: bound but not listening, so a client is refused
	 * at once instead of waiting in a backlog nobody serves; the next set closes it. */
	c = loopback(free_port());
	CU_ASSERT_EQUAL(ctl_server_prepare_metrics(srv, &c, true, err, sizeof(err)), 0);
	probe_port = c.port;
	CU_ASSERT_TRUE(probe_refused());
	ctl_server_set_metrics(srv, &b, 10);
	CU_ASSERT_TRUE(refused(c.port));
	CU_ASSERT_TRUE(scrape(b.port, out, sizeof(out)));
	/* Prepared and set: listening from the set on. */
	CU_ASSERT_EQUAL(ctl_server_prepare_metrics(srv, &c, true, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(probe_refused());
	ctl_server_set_metrics(srv, &c, 10);
	CU_ASSERT_TRUE(shows(c.port, "\nwgdp_peers 3\n"));
	CU_ASSERT_TRUE(refused(b.port));
	ctl_server_set_metrics(srv, &b, 10);
	CU_ASSERT_TRUE(shows(b.port, "\nwgdp_peers 3\n"));
	CU_ASSERT_TRUE(refused(c.port));

	/* Set without a prepare, to a taken address: logged, and nothing served. */
	ctl_server_set_metrics(srv, &taken, 10);
	snprintf(want, sizeof(want),
		 "metrics endpoint not served: 127.0.0.1:%u: Address already in use", taken_port);
	CU_ASSERT_TRUE(was_logged(want));
	CU_ASSERT_TRUE(refused(b.port));
	close(busy);

	/* Without a prepare, to a free address: bound then. */
	ctl_server_set_metrics(srv, &a, 10);
	CU_ASSERT_TRUE(shows(a.port, "\nwgdp_peers 3\n"));
	ctl_server_set_metrics(srv, NULL, 10);
	CU_ASSERT_TRUE(refused(a.port));
	/* On again, for test_stop to see it closed. */
	ctl_server_set_metrics(srv, &b, 10);
	CU_ASSERT_TRUE(shows(b.port, "\nwgdp_peers 3\n"));
	probe_port = b.port;
}

/*
 * A scrape within a second of the last is answered without asking wgdp again, and what is
 * asked is the cap's worth of peers: wa's 2 in full for a cap of 2, then none of wb's.
 */
static void test_metrics_cache(void)
{
	struct wgdp_endpoint a = loopback(probe_port);
	char out[16384], show[256];
	unsigned int before;

	ctl_server_set_metrics(srv, &a, 2);
	CU_ASSERT_TRUE(shows(a.port, "\nwgdp_peer_series_omitted 1\n"));
	pthread_mutex_lock(&seen_lock);
	snprintf(show, sizeof(show), "%s", last_show);
	pthread_mutex_unlock(&seen_lock);
	CU_ASSERT_STRING_EQUAL(show, "{\"cmd\":\"show\",\"interface\":\"wb\",\"max_peers\":0}");
	usleep(1100 * 1000);
	before = atomic_load(&n_stats);
	CU_ASSERT_TRUE(scrape(a.port, out, sizeof(out)));
	CU_ASSERT_EQUAL(strncmp(out, "HTTP/1.1 200 ", 13), 0);
	CU_ASSERT_TRUE(scrape(a.port, out, sizeof(out)));
	CU_ASSERT_EQUAL(strncmp(out, "HTTP/1.1 200 ", 13), 0);
	CU_ASSERT_EQUAL(atomic_load(&n_stats), before + 1);
	/* A new cap drops the body kept. */
	ctl_server_set_metrics(srv, &a, 10);
	CU_ASSERT_TRUE(shows(a.port, "\nwgdp_peer_series_omitted 0\n"));
}

static bool start_failure_logged(void)
{
	return was_logged("metrics endpoint: HTTP server: ");
}

/*
 * A server that cannot start (out of files) is off, and the next set of the same address
 * starts it: the address is not taken for one still served.
 */
static void test_metrics_start_fails(void)
{
	struct wgdp_endpoint a = loopback(free_port());
	struct rlimit saved, low;
	int lowest;

	ctl_server_set_metrics(srv, NULL, 10);
	CU_ASSERT_TRUE(refused(probe_port));
	/* Its listener closed: the rest of its files too, soon after. */
	usleep(200 * 1000);
	CU_ASSERT_FATAL(getrlimit(RLIMIT_NOFILE, &saved) == 0);
	lowest = fcntl(0, F_DUPFD, 0);
	CU_ASSERT_FATAL(lowest >= 0);
	close(lowest);
	/* Room for the listener ctl_server_set_metrics binds, none for the server's files. */
	low = saved;
	low.rlim_cur = (rlim_t)lowest + 1;
	CU_ASSERT_FATAL(setrlimit(RLIMIT_NOFILE, &low) == 0);
	ctl_server_set_metrics(srv, &a, 10);
	CU_ASSERT_TRUE(wait_for(start_failure_logged));
	CU_ASSERT_FATAL(setrlimit(RLIMIT_NOFILE, &saved) == 0);
	CU_ASSERT_TRUE(refused(a.port));
	ctl_server_set_metrics(srv, &a, 10);
	CU_ASSERT_TRUE(shows(a.port, "\nwgdp_peers 3\n"));
	probe_port = a.port;
}

/* A closed client reads EOF. */
static bool closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char byte;

	return poll(&p, 1, WAIT_MS) == 1 && recv(fd, &byte, 1, 0) == 0;
}

static void test_stop(void)
{
	char ctl_dir[96];

	ctl_server_stop(srv);
	srv = NULL;
	CU_ASSERT_TRUE(probe_refused()); /* the metrics endpoint */
	CU_ASSERT_FALSE(exists(json_path));
	CU_ASSERT_FALSE(exists(wa));
	CU_ASSERT_TRUE(closed(c_json));
	CU_ASSERT_TRUE(closed(c_wb));
	close(c_json);
	close(c_wa);
	close(c_wb);
	/* Nothing else left behind: the directories are empty. */
	snprintf(ctl_dir, sizeof(ctl_dir), "%s/ctl", dir);
	CU_ASSERT_EQUAL(unlink(plain_path), 0);
	CU_ASSERT_EQUAL(rmdir(ctl_dir), 0);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "sockets named by interface", test_start },
		{ "start refuses a path twice", test_start_refuses_a_path_twice },
		{ "set_uapi from another thread", test_set_uapi },
		{ "set_uapi from an ops callback", test_set_uapi_from_callback },
		{ "hundreds of sockets come and go", test_many },
		{ "the metrics endpoint", test_metrics },
		{ "the metrics endpoint moves, or not", test_metrics_moves },
		{ "a scrape is kept for a second, and asks the cap", test_metrics_cache },
		{ "a metrics server that failed to start is retried", test_metrics_start_fails },
		{ "stop unlinks every socket", test_stop },
		CU_TEST_INFO_NULL,
	};

	return unit_run("ctl_server", tests);
}
