/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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

#include "crypto/ct.h"
#include "server.h"

/* Listener 0 is the control socket; listener 1 + k the UAPI socket of interface k. */
#define LISTEN_JSON 0u

struct listener {
	int fd;
	char path[108];
};

struct buf {
	char *data;
	size_t len, cap;
};

struct client {
	int fd;
	unsigned int kind; /* the listener it came in on */
	struct buf in, out;
	size_t out_off;
	bool closing;	      /* close once out is written */
	uint64_t last_active; /* ms, monotonic */
};

struct ctl_server {
	const struct ctl_server_ops *ops;
	void *ctx;
	struct listener *listen;
	unsigned int n_listen;
	struct pollfd *pfd; /* wake, listeners, clients */
	struct client clients[CTL_MAX_CLIENTS];
	unsigned int n_clients;
	int wake[2]; /* a byte here stops the thread */
	pthread_t thread;
};

static bool buf_append(struct buf *b, const char *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *bigger;

		while (cap < b->len + len)
			cap *= 2;
		bigger = realloc(b->data, cap);
		if (!bigger)
			return false;
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
	mode_t old_mask;
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
	/* 0600 from the start: no window in which others could connect. */
	old_mask = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0) {
		umask(old_mask);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old_mask);
	chmod(path, 0600);
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

static void accept_clients(struct ctl_server *srv, unsigned int kind)
{
	for (;;) {
		int fd = accept4(srv->listen[kind].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			/* Out of files the listener stays readable: a pause, not a spin. */
			if (errno == EMFILE || errno == ENFILE)
				usleep(10000);
			return;
		}
		if (srv->n_clients == CTL_MAX_CLIENTS)
			evict_idlest(srv);
		srv->clients[srv->n_clients++] =
			(struct client){ .fd = fd, .kind = kind, .last_active = now_ms() };
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
	char *ans = s->srv->ops->uapi(s->srv->ctx, s->c->kind - 1, req, len, &rlen);

	reply(s->c, ans, rlen, false);
	return !s->c->closing;
}

static void serve(struct ctl_server *srv, struct client *c)
{
	struct serving s = { .srv = srv, .c = c };

	if (c->closing || !c->in.len)
		return;
	buf_consume(&c->in, c->kind == LISTEN_JSON
				    ? ctl_frame_json(c->in.data, c->in.len, json_request, &s)
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

		if (c->kind == LISTEN_JSON)
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

static void *server_main(void *arg)
{
	struct ctl_server *srv = arg;
	struct pollfd *pfd = srv->pfd;

	for (;;) {
		unsigned int n = 0, nc = srv->n_clients;

		pfd[n++] = (struct pollfd){ .fd = srv->wake[0], .events = POLLIN };
		for (unsigned int k = 0; k < srv->n_listen; k++)
			pfd[n++] = (struct pollfd){ .fd = srv->listen[k].fd, .events = POLLIN };
		for (unsigned int i = 0; i < nc; i++) {
			struct client *c = &srv->clients[i];

			pfd[n++] = (struct pollfd){
				.fd = c->fd,
				.events = (short)((c->closing ? 0 : POLLIN) |
						  (c->out.len ? POLLOUT : 0)),
			};
		}
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		/* Clients first, from the end: closing moves the last client into the gap. */
		for (unsigned int i = nc; i-- > 0;) {
			short ev = pfd[1 + srv->n_listen + i].revents;

			if (ev & (POLLIN | POLLHUP | POLLERR))
				client_read(srv, i);
			if (!client_write(&srv->clients[i]) ||
			    (srv->clients[i].closing && !srv->clients[i].out.len))
				client_close(srv, i);
		}
		for (unsigned int k = 0; k < srv->n_listen; k++)
			if (pfd[1 + k].revents & POLLIN)
				accept_clients(srv, k);
	}
	return NULL;
}

static void listeners_close(struct ctl_server *srv)
{
	for (unsigned int k = 0; srv->listen && k < srv->n_listen; k++) {
		if (srv->listen[k].fd >= 0) {
			close(srv->listen[k].fd);
			unlink(srv->listen[k].path);
		}
	}
	free(srv->listen);
	free(srv->pfd);
}

static bool listener_open(struct ctl_server *srv, unsigned int k, const char *path, char *err,
			  size_t errlen)
{
	srv->listen[k].fd = listen_unix(path, err, errlen);
	if (srv->listen[k].fd < 0)
		return false;
	snprintf(srv->listen[k].path, sizeof(srv->listen[k].path), "%s", path);
	return true;
}

struct ctl_server *ctl_server_start(const char *json_path, const char *const *uapi_paths,
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
	srv->n_listen = 1 + n_uapi;
	srv->listen = calloc(srv->n_listen, sizeof(*srv->listen));
	/* No fd yet: before anything can fail, so that the cleanup closes none (0 is stdin). */
	for (unsigned int k = 0; srv->listen && k < srv->n_listen; k++)
		srv->listen[k].fd = -1;
	srv->pfd = calloc(1 + srv->n_listen + CTL_MAX_CLIENTS, sizeof(*srv->pfd));
	if (!srv->listen || !srv->pfd) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (pipe2(srv->wake, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	if (!listener_open(srv, LISTEN_JSON, json_path, err, errlen))
		goto fail;
	for (unsigned int k = 0; k < n_uapi; k++)
		if (!listener_open(srv, 1 + k, uapi_paths[k], err, errlen))
			goto fail;
	if (pthread_create(&srv->thread, NULL, server_main, srv) != 0) {
		snprintf(err, errlen, "cannot start the control thread");
		goto fail;
	}
	return srv;
fail:
	listeners_close(srv);
	if (srv->wake[0] >= 0) {
		close(srv->wake[0]);
		close(srv->wake[1]);
	}
	free(srv);
	return NULL;
}

void ctl_server_stop(struct ctl_server *srv)
{
	if (!srv)
		return;
	if (write(srv->wake[1], "", 1) != 1)
		pthread_cancel(srv->thread);
	pthread_join(srv->thread, NULL);
	while (srv->n_clients)
		client_close(srv, srv->n_clients - 1);
	listeners_close(srv);
	close(srv->wake[0]);
	close(srv->wake[1]);
	free(srv);
}
