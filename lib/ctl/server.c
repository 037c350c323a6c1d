/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "crypto/ct.h"
#include "http.h"
#include "metrics.h"
#include "server.h"

/*
 * Listener 0 is the control socket; listeners 1.. the UAPI sockets, in no particular order
 * (ctl_server_set_uapi adds and removes them), each with its interface's name.
 */
#define LISTEN_JSON 0u
#define IFNAME_SIZE 32

struct listener {
	int fd;
	bool keep; /* during a resync: still wanted */
	char path[108];
	char ifname[IFNAME_SIZE]; /* "" for the control socket */
};

/* A list of UAPI sockets handed to the server thread: one block, the strings after sock[]. */
struct wanted {
	unsigned int n;
	struct {
		struct ctl_uapi_socket s;
		bool held; /* by a listener that stays */
	} sock[];
};

struct buf {
	char *data;
	size_t len, cap;
};

struct client {
	int fd;
	bool json;		  /* came in on the control socket */
	char ifname[IFNAME_SIZE]; /* else the interface of its UAPI socket, kept when it goes */
	struct buf in, out;
	size_t out_off;
	bool closing;	      /* close once out is written */
	uint64_t last_active; /* ms, monotonic */
};

/*
 * The metrics endpoint's address and listeners on their way from ctl_server_prepare_metrics /
 * ctl_server_set_metrics to the server thread, which alone runs the HTTP server.
 */
struct metrics_want {
	bool on; /* the latest set: serve at (false again when the server could not start) */
	struct wgdp_endpoint at;
	int prepared_fd; /* bound (not listening) for prepared_at, not set yet; -1 */
	struct wgdp_endpoint prepared_at;
	bool changed; /* set since the server thread last looked */
	int new_fd;   /* a listener to serve instead; -1: keep the one there is (none if !on) */
	size_t max_peers;
};

struct ctl_server {
	const struct ctl_server_ops *ops;
	void *ctx;
	struct listener *listen;
	unsigned int n_listen;
	unsigned int cap_listen; /* room in both listen and pfd */
	struct pollfd *pfd;	 /* wake, listeners, clients */
	struct client clients[CTL_MAX_CLIENTS];
	unsigned int n_clients;
	/* A byte here wakes the thread: to stop, or to apply a new list of UAPI sockets. */
	int wake[2];
	atomic_bool stop;
	/* Only guards the handover of want and metrics, never held while calling ops: set_uapi
	 * from an ops callback on the server thread cannot deadlock. */
	pthread_mutex_t want_lock;
	struct wanted *want; /* not applied yet; NULL = nothing new */
	struct metrics_want metrics;
	/* The server thread's own: the HTTP server and the cap of its scrapes. */
	struct ctl_http *http;
	size_t metrics_max_peers;
	pthread_t thread;
};

static bool buf_append(struct buf *b, const char *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *bigger;

		while (cap < b->len + len)
			cap *= 2;
		/* Copied and the old block wiped, as buf_free does: realloc would free it with
		 * keys in it (an export answer, a set-config request). */
		bigger = malloc(cap);
		if (!bigger)
			return false;
		if (b->data) {
			memcpy(bigger, b->data, b->len);
			wgc_memzero(b->data, b->cap);
		}
		free(b->data);
		b->data = bigger;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return true;
}

/* Buffers may hold keys (UAPI get/set, set-config): wipe before freeing. */
static void buf_free(struct buf *b)
{
	if (b->data)
		wgc_memzero(b->data, b->cap);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void buf_consume(struct buf *b, size_t n)
{
	if (!n)
		return;
	memmove(b->data, b->data + n, b->len - n);
	wgc_memzero(b->data + b->len - n, n);
	b->len -= n;
}

/* Makes every missing directory above path (0755, as /run/wireguard is). */
static void make_parents(const char *path)
{
	char dir[108];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *s = dir + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(dir, 0755);
		*s = '/';
	}
}

static int listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	make_parents(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A socket left by a crashed wgdp would make bind fail. */
	unlink(path);
	/* 0600 before listen(): until then a connect is refused, so there is no window in which
	 * others could get in (and no umask() to change: it is the whole process's, and this
	 * runs while other threads create files). */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, 0600) != 0 ||
	    listen(fd, 16) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(path);
		close(fd);
		return -1;
	}
	return fd;
}

static void client_close(struct ctl_server *srv, unsigned int i)
{
	struct client *c = &srv->clients[i];

	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	srv->clients[i] = srv->clients[--srv->n_clients];
	memset(&srv->clients[srv->n_clients], 0, sizeof(srv->clients[0]));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* All slots taken: the client idle longest goes, so idle connections cannot lock out an
 * operator. */
static void evict_idlest(struct ctl_server *srv)
{
	unsigned int oldest = 0;

	for (unsigned int i = 1; i < srv->n_clients; i++)
		if (srv->clients[i].last_active < srv->clients[oldest].last_active)
			oldest = i;
	client_close(srv, oldest);
}

static void accept_clients(struct ctl_server *srv, unsigned int k)
{
	const struct listener *l = &srv->listen[k];

	for (;;) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;

		if (fd < 0) {
			/* Out of files the listener stays readable: a pause, not a spin. */
			if (errno == EMFILE || errno == ENFILE)
				usleep(10000);
			return;
		}
		if (srv->n_clients == CTL_MAX_CLIENTS)
			evict_idlest(srv);
		c = &srv->clients[srv->n_clients++];
		*c = (struct client){ .fd = fd, .json = k == LISTEN_JSON, .last_active = now_ms() };
		memcpy(c->ifname, l->ifname, sizeof(c->ifname));
	}
}

static void reply(struct client *c, char *text, size_t len, bool newline)
{
	if (!text || !buf_append(&c->out, text, len) || (newline && !buf_append(&c->out, "\n", 1)))
		c->closing = true;
	if (text) {
		wgc_memzero(text, len);
		free(text);
	}
}

size_t ctl_frame_json(const char *data, size_t len, ctl_frame_fn fn, void *arg)
{
	const char *nl;
	size_t used = 0;

	while (used < len && (nl = memchr(data + used, '\n', len - used))) {
		size_t n = (size_t)(nl - (data + used));
		bool more = true;

		if (n && data[used + n - 1] == '\r')
			n--;
		if (n)
			more = fn(arg, data + used, n);
		used = (size_t)(nl - data) + 1;
		if (!more)
			break;
	}
	return used;
}

size_t ctl_frame_uapi(const char *data, size_t len, ctl_frame_fn fn, void *arg)
{
	size_t used = 0;

	while (len - used >= 2) {
		const char *end = memmem(data + used, len - used, "\n\n", 2);
		size_t n;
		bool more;

		if (!end)
			break;
		n = (size_t)(end - (data + used)) + 1;
		more = fn(arg, data + used, n);
		used += n + 1;
		if (!more)
			break;
	}
	return used;
}

struct serving {
	struct ctl_server *srv;
	struct client *c;
};

/* JSON: every complete line is a request. */
static bool json_request(void *arg, const char *line, size_t len)
{
	struct serving *s = arg;
	char *ans = s->srv->ops->json_line(s->srv->ctx, line, len);

	reply(s->c, ans, ans ? strlen(ans) : 0, true);
	return !s->c->closing;
}

/* UAPI: a request ends with an empty line. */
static bool uapi_request(void *arg, const char *req, size_t len)
{
	struct serving *s = arg;
	size_t rlen = 0;
	char *ans = s->srv->ops->uapi(s->srv->ctx, s->c->ifname, req, len, &rlen);

	reply(s->c, ans, rlen, false);
	return !s->c->closing;
}

static void serve(struct ctl_server *srv, struct client *c)
{
	struct serving s = { .srv = srv, .c = c };

	if (c->closing || !c->in.len)
		return;
	buf_consume(&c->in, c->json ? ctl_frame_json(c->in.data, c->in.len, json_request, &s)
				    : ctl_frame_uapi(c->in.data, c->in.len, uapi_request, &s));
}

static void client_read(struct ctl_server *srv, unsigned int i)
{
	struct client *c = &srv->clients[i];
	char chunk[65536];
	ssize_t n = read(c->fd, chunk, sizeof(chunk));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		c->closing = true;
		c->in.len = 0;
		return;
	}
	if (n < 0)
		return;
	c->last_active = now_ms();
	if (c->in.len + (size_t)n > CTL_MAX_REQUEST || !buf_append(&c->in, chunk, (size_t)n)) {
		static const char too_big[] =
			"{\"ok\":false,\"error\":\"request too large or out of memory\"}\n";

		if (c->json)
			buf_append(&c->out, too_big, sizeof(too_big) - 1);
		c->closing = true;
		return;
	}
	wgc_memzero(chunk, (size_t)n);
	serve(srv, c);
}

/* Returns false when the client is done and can be closed. */
static bool client_write(struct client *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		c->out_off += (size_t)n;
	}
	buf_consume(&c->out, c->out.len);
	c->out_off = 0;
	return !c->closing;
}

/* Wakes the server thread; false if it cannot be woken (a full pipe wakes it anyway). */
static bool wake(struct ctl_server *srv)
{
	return write(srv->wake[1], "", 1) == 1 || errno == EAGAIN;
}

/* Empties the wake pipe; true when the thread is to stop. */
static bool woken_to_stop(struct ctl_server *srv)
{
	char bytes[64];

	while (read(srv->wake[0], bytes, sizeof(bytes)) > 0)
		;
	return atomic_load(&srv->stop);
}

static void server_log(struct ctl_server *srv, const char *msg)
{
	if (srv->ops->log)
		srv->ops->log(srv->ctx, msg);
}

/*
 * Room for n listeners in listen and in pfd (the wake pipe, the listeners, the clients, the
 * HTTP server).
 * Growing fails without changing the listeners; shrinking cannot make room short.
 */
static bool listeners_resize(struct ctl_server *srv, unsigned int n)
{
	struct listener *l = realloc(srv->listen, (size_t)n * sizeof(*l));
	struct pollfd *p;

	if (l)
		srv->listen = l;
	p = l ? realloc(srv->pfd, (2 + (size_t)n + CTL_MAX_CLIENTS) * sizeof(*p)) : NULL;
	if (p)
		srv->pfd = p;
	if (p || (l && n < srv->cap_listen))
		srv->cap_listen = n;
	return p != NULL;
}

/* Opens path as the next listener (room reserved); false with err filled. */
static bool listener_open(struct ctl_server *srv, const char *path, const char *ifname, char *err,
			  size_t errlen)
{
	struct listener *l = &srv->listen[srv->n_listen];
	int fd = listen_unix(path, err, errlen);

	if (fd < 0)
		return false;
	*l = (struct listener){ .fd = fd };
	snprintf(l->path, sizeof(l->path), "%s", path);
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	srv->n_listen++;
	return true;
}

static bool uapi_open(struct ctl_server *srv, const struct ctl_uapi_socket *u, char *err,
		      size_t errlen)
{
	size_t len = strlen(u->ifname);

	/* A longer name would be cut, and its requests reach another interface. */
	if (!len || len >= IFNAME_SIZE) {
		snprintf(err, errlen, "%s: bad interface name \"%.40s\"", u->path, u->ifname);
		return false;
	}
	/* Binding it again would unlink the socket file of the listener that has it. */
	for (unsigned int k = 0; k < srv->n_listen; k++) {
		if (strcmp(srv->listen[k].path, u->path) == 0) {
			snprintf(err, errlen, "%s: already in use", u->path);
			return false;
		}
	}
	return listener_open(srv, u->path, u->ifname, err, errlen);
}

/* Marks the UAPI listeners that w still wants, and w's sockets that such a listener holds. */
static void listeners_mark(struct ctl_server *srv, struct wanted *w)
{
	for (unsigned int k = 1; k < srv->n_listen; k++)
		srv->listen[k].keep = false;
	for (unsigned int i = 0; i < w->n; i++) {
		for (unsigned int k = 1; k < srv->n_listen; k++) {
			struct listener *l = &srv->listen[k];

			if (!l->keep && strcmp(l->path, w->sock[i].s.path) == 0 &&
			    strcmp(l->ifname, w->sock[i].s.ifname) == 0) {
				l->keep = w->sock[i].held = true;
				break;
			}
		}
	}
}

/* Closes the UAPI listeners not kept; the others keep their fd (and their backlog). */
static void listeners_drop(struct ctl_server *srv)
{
	unsigned int n = 1;

	for (unsigned int k = 1; k < srv->n_listen; k++) {
		if (srv->listen[k].keep) {
			srv->listen[n++] = srv->listen[k];
			continue;
		}
		close(srv->listen[k].fd);
		unlink(srv->listen[k].path);
	}
	srv->n_listen = n;
}

/* Opens w's sockets that no listener holds; one that fails is logged and skipped. */
static void listeners_add(struct ctl_server *srv, const struct wanted *w)
{
	unsigned int n_new = 0;
	char err[256], msg[320];

	for (unsigned int i = 0; i < w->n; i++)
		n_new += !w->sock[i].held;
	if (!listeners_resize(srv, srv->n_listen + n_new)) {
		server_log(srv, "UAPI sockets: out of memory, none opened");
		return;
	}
	for (unsigned int i = 0; i < w->n; i++) {
		if (w->sock[i].held || uapi_open(srv, &w->sock[i].s, err, sizeof(err)))
			continue;
		snprintf(msg, sizeof(msg), "UAPI socket of %.31s: %s", w->sock[i].s.ifname, err);
		server_log(srv, msg);
	}
}

/* Applies the latest list from ctl_server_set_uapi, if there is one not applied yet. */
static void resync(struct ctl_server *srv)
{
	struct wanted *w;

	pthread_mutex_lock(&srv->want_lock);
	w = srv->want;
	srv->want = NULL;
	pthread_mutex_unlock(&srv->want_lock);
	if (!w)
		return;
	listeners_mark(srv, w);
	/* Closed first: a path that changes interface is unlinked before it is bound again. */
	listeners_drop(srv);
	listeners_add(srv, w);
	/* Fewer than reserved when some failed or went. */
	listeners_resize(srv, srv->n_listen);
	free(w);
}

/*
 * ctl_metrics_collect's ask, in-process: the request as a line through ops->json_line, as the
 * control socket carries it for `wgdpctl metrics`.
 */
static json_t *ask_in_process(void *arg, json_t *req)
{
	struct ctl_server *srv = arg;
	char *line = json_dumps(req, JSON_COMPACT), *ans = NULL, msg[256];
	json_t *a = NULL;

	json_decref(req);
	if (line)
		ans = srv->ops->json_line(srv->ctx, line, strlen(line));
	if (ans)
		a = json_loads(ans, 0, NULL);
	free(line);
	free(ans);
	if (json_is_true(json_object_get(a, "ok")))
		return a;
	snprintf(msg, sizeof(msg), "metrics endpoint: a request failed: %.200s",
		 json_string_value(json_object_get(a, "error")) ?: "out of memory");
	server_log(srv, msg);
	json_decref(a);
	return NULL;
}

static char *metrics_body(void *arg)
{
	struct ctl_server *srv = arg;

	return ctl_metrics_collect(ask_in_process, srv, srv->metrics_max_peers);
}

static bool same_endpoint(const struct wgdp_endpoint *a, const struct wgdp_endpoint *b)
{
	return a->port == b->port && a->addr.family == b->addr.family &&
	       memcmp(a->addr.bytes, b->addr.bytes, a->addr.family == 4 ? 4 : 16) == 0;
}

static void replace_fd(int *slot, int fd)
{
	if (*slot >= 0)
		close(*slot);
	*slot = fd;
}

/* Applies the latest ctl_server_set_metrics, if there is one not applied yet. */
static void metrics_resync(struct ctl_server *srv)
{
	static const struct ctl_http_ops http_ops = { .body = metrics_body };
	struct metrics_want *m = &srv->metrics;
	char err[256], msg[320];
	bool changed, on;
	int fd;

	pthread_mutex_lock(&srv->want_lock);
	changed = m->changed;
	on = m->on;
	fd = m->new_fd;
	m->new_fd = -1;
	m->changed = false;
	if (changed)
		srv->metrics_max_peers = m->max_peers;
	pthread_mutex_unlock(&srv->want_lock);
	if (!changed)
		return;
	if (fd < 0 && on) {
		/* The same address: the body kept may have been made under another cap. */
		ctl_http_flush(srv->http);
		return;
	}
	ctl_http_stop(srv->http);
	srv->http = fd >= 0 ? ctl_http_start(fd, &http_ops, srv, err, sizeof(err)) : NULL;
	if (fd >= 0 && !srv->http) {
		snprintf(msg, sizeof(msg), "metrics endpoint: %s", err);
		server_log(srv, msg);
		/* Not served after all: the next set of this address must not take it for the
		 * one there is, but bind and start again. Unless a newer set brought a listener
		 * already, which the next loop starts. */
		pthread_mutex_lock(&srv->want_lock);
		if (m->new_fd < 0)
			m->on = false;
		pthread_mutex_unlock(&srv->want_lock);
	}
}

static void *server_main(void *arg)
{
	struct ctl_server *srv = arg;

	for (;;) {
		unsigned int n = 0, nl, nc = srv->n_clients;
		struct pollfd *pfd;

		resync(srv);
		metrics_resync(srv);
		pfd = srv->pfd;
		nl = srv->n_listen;
		pfd[n++] = (struct pollfd){ .fd = srv->wake[0], .events = POLLIN };
		for (unsigned int k = 0; k < nl; k++)
			pfd[n++] = (struct pollfd){ .fd = srv->listen[k].fd, .events = POLLIN };
		for (unsigned int i = 0; i < nc; i++) {
			struct client *c = &srv->clients[i];

			pfd[n++] = (struct pollfd){
				.fd = c->fd,
				.events = (short)((c->closing ? 0 : POLLIN) |
						  (c->out.len ? POLLOUT : 0)),
			};
		}
		if (srv->http)
			pfd[n++] =
				(struct pollfd){ .fd = ctl_http_fd(srv->http), .events = POLLIN };
		if (poll(pfd, n, srv->http ? ctl_http_timeout_ms(srv->http) : -1) < 0 &&
		    errno != EINTR)
			break;
		/* Woken to stop, or for a new list of UAPI sockets: the loop's top applies that, and
		 * until then the listeners are the ones polled. */
		if (pfd[0].revents && woken_to_stop(srv))
			break;
		/* Clients first, from the end: closing moves the last client into the gap. */
		for (unsigned int i = nc; i-- > 0;) {
			short ev = pfd[1 + nl + i].revents;

			if (ev & (POLLIN | POLLHUP | POLLERR))
				client_read(srv, i);
			if (!client_write(&srv->clients[i]) ||
			    (srv->clients[i].closing && !srv->clients[i].out.len))
				client_close(srv, i);
		}
		for (unsigned int k = 0; k < nl; k++)
			if (pfd[1 + k].revents & POLLIN)
				accept_clients(srv, k);
		/* Also when not woken by its fd: its timeouts are due. */
		if (srv->http)
			ctl_http_run(srv->http);
	}
	return NULL;
}

static void listeners_close(struct ctl_server *srv)
{
	for (unsigned int k = 0; k < srv->n_listen; k++) {
		close(srv->listen[k].fd);
		unlink(srv->listen[k].path);
	}
	free(srv->listen);
	free(srv->pfd);
}

/* Frees everything but the thread (not running, or joined). */
static void server_free(struct ctl_server *srv)
{
	while (srv->n_clients)
		client_close(srv, srv->n_clients - 1);
	listeners_close(srv);
	if (srv->wake[0] >= 0) {
		close(srv->wake[0]);
		close(srv->wake[1]);
	}
	ctl_http_stop(srv->http);
	replace_fd(&srv->metrics.prepared_fd, -1);
	replace_fd(&srv->metrics.new_fd, -1);
	pthread_mutex_destroy(&srv->want_lock);
	free(srv->want);
	free(srv);
}

struct ctl_server *ctl_server_start(const char *json_path, const struct ctl_uapi_socket *uapi,
				    unsigned int n_uapi, const struct ctl_server_ops *ops,
				    void *ctx, char *err, size_t errlen)
{
	struct ctl_server *srv = calloc(1, sizeof(*srv));

	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->ops = ops;
	srv->ctx = ctx;
	srv->wake[0] = srv->wake[1] = -1;
	srv->metrics.prepared_fd = srv->metrics.new_fd = -1;
	srv->metrics_max_peers = WGDP_METRICS_MAX_PEERS;
	atomic_init(&srv->stop, false);
	pthread_mutex_init(&srv->want_lock, NULL);
	if (!listeners_resize(srv, 1 + n_uapi)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* Non-blocking: set_uapi on the server thread itself must not wait for a full pipe. */
	if (pipe2(srv->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	if (!listener_open(srv, json_path, "", err, errlen))
		goto fail;
	for (unsigned int k = 0; k < n_uapi; k++)
		if (!uapi_open(srv, &uapi[k], err, errlen))
			goto fail;
	if (pthread_create(&srv->thread, NULL, server_main, srv) != 0) {
		snprintf(err, errlen, "cannot start the control thread");
		goto fail;
	}
	return srv;
fail:
	server_free(srv);
	return NULL;
}

/* One block holding uapi[0..n) and its strings; NULL when out of memory. */
static struct wanted *wanted_copy(const struct ctl_uapi_socket *uapi, unsigned int n)
{
	size_t size = sizeof(struct wanted);
	struct wanted *w;
	char *str;

	if (n > (SIZE_MAX - size) / sizeof(w->sock[0]))
		return NULL;
	size += (size_t)n * sizeof(w->sock[0]);
	for (unsigned int i = 0; i < n; i++)
		size += strlen(uapi[i].path) + strlen(uapi[i].ifname) + 2;
	w = malloc(size);
	if (!w)
		return NULL;
	w->n = n;
	str = (char *)&w->sock[n];
	for (unsigned int i = 0; i < n; i++) {
		size_t lp = strlen(uapi[i].path) + 1, li = strlen(uapi[i].ifname) + 1;

		w->sock[i].s.path = memcpy(str, uapi[i].path, lp);
		w->sock[i].s.ifname = memcpy(str + lp, uapi[i].ifname, li);
		w->sock[i].held = false;
		str += lp + li;
	}
	return w;
}

int ctl_server_set_uapi(struct ctl_server *srv, const struct ctl_uapi_socket *uapi, unsigned int n)
{
	struct wanted *w = wanted_copy(uapi, n), *stale;

	if (!w)
		return -1;
	pthread_mutex_lock(&srv->want_lock);
	stale = srv->want;
	srv->want = w;
	pthread_mutex_unlock(&srv->want_lock);
	/* Never applied: the latest list is all that counts. */
	free(stale);
	wake(srv);
	return 0;
}

int ctl_server_prepare_metrics(struct ctl_server *srv, const struct wgdp_endpoint *ep, bool keep,
			       char *err, size_t errlen)
{
	struct metrics_want *m = &srv->metrics;
	int fd = 0;

	pthread_mutex_lock(&srv->want_lock);
	if (ep && !(m->on && same_endpoint(&m->at, ep)) &&
	    !(m->prepared_fd >= 0 && same_endpoint(&m->prepared_at, ep))) {
		/* Bound, not listening: if the reload fails after this, clients are refused,
		 * not left in a backlog that nobody accepts from. */
		fd = ctl_http_bind(ep, err, errlen);
		if (fd >= 0 && !keep) {
			close(fd);
		} else if (fd >= 0) {
			replace_fd(&m->prepared_fd, fd);
			m->prepared_at = *ep;
		}
	}
	pthread_mutex_unlock(&srv->want_lock);
	return fd < 0 ? -1 : 0;
}

/*
 * The listener for ep, listening from now on: the socket prepared, or one bound now; -1
 * (logged) when it cannot be.
 */
static int metrics_listener(struct ctl_server *srv, const struct wgdp_endpoint *ep)
{
	struct metrics_want *m = &srv->metrics;
	char err[256], msg[320];
	int fd;

	if (m->prepared_fd >= 0 && same_endpoint(&m->prepared_at, ep)) {
		fd = m->prepared_fd;
		m->prepared_fd = -1;
	} else {
		fd = ctl_http_bind(ep, err, sizeof(err));
	}
	if (fd >= 0 && ctl_http_listen(fd, ep, err, sizeof(err)) != 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "metrics endpoint not served: %s", err);
		server_log(srv, msg);
	}
	return fd;
}

void ctl_server_set_metrics(struct ctl_server *srv, const struct wgdp_endpoint *ep,
			    size_t max_peers)
{
	struct metrics_want *m = &srv->metrics;

	pthread_mutex_lock(&srv->want_lock);
	if (!ep || !m->on || !same_endpoint(&m->at, ep)) {
		replace_fd(&m->new_fd, ep ? metrics_listener(srv, ep) : -1);
		m->on = m->new_fd >= 0;
		if (ep)
			m->at = *ep;
	}
	/* Prepared for an address that did not come (a reload that failed after the check). */
	replace_fd(&m->prepared_fd, -1);
	m->max_peers = max_peers;
	m->changed = true;
	pthread_mutex_unlock(&srv->want_lock);
	wake(srv);
}

void ctl_server_stop(struct ctl_server *srv)
{
	if (!srv)
		return;
	atomic_store(&srv->stop, true);
	if (!wake(srv))
		pthread_cancel(srv->thread);
	pthread_join(srv->thread, NULL);
	server_free(srv);
}
