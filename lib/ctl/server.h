/* SPDX-License-Identifier: MIT */
/*
 * The control thread's sockets: the JSON-lines control socket and one WireGuard UAPI socket an
 * interface, all unix stream sockets of mode 0600, served by one thread with poll(). Every
 * client has its own buffers, so a slow client, a half-sent line or garbage delays nobody
 * else, and nothing here ever runs on a DPDK lcore. A UAPI socket is named by its interface,
 * and the set of UAPI sockets can change while the server runs (a reload that adds or removes
 * interfaces): see ctl_server_set_uapi. The same thread serves the metrics endpoint over HTTP
 * (control.metrics_listen, lib/ctl/http.h): see ctl_server_set_metrics.
 */
#ifndef WGDP_CTL_SERVER_H
#define WGDP_CTL_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define CTL_MAX_CLIENTS	 64
#define CTL_MAX_REQUEST	 (64u << 20) /* a set-config of a million peers fits */

/* One UAPI socket: where it is, and the interface whose requests it takes. */
struct ctl_uapi_socket {
	const char *path;
	const char *ifname; /* 1 to 31 characters */
};

/* Called on the server thread, one at a time. */
struct ctl_server_ops {
	/* One request line (no newline) → a malloc'd answer line (no newline). */
	char *(*json_line)(void *ctx, const char *line, size_t len);
	/* One UAPI request, without its final blank line, from a client of the UAPI socket of
	 * interface ifname (the name it had when the client connected: a client outlives the
	 * removal of its socket) → the malloc'd reply, ending in the blank line; *reply_len its
	 * length. */
	char *(*uapi)(void *ctx, const char *ifname, const char *req, size_t len,
		      size_t *reply_len);
	/* Optional (NULL = silent): a UAPI socket that ctl_server_set_uapi could not open, the
	 * metrics endpoint's troubles. */
	void (*log)(void *ctx, const char *msg);
};

struct ctl_server;

/* One framed request; false stops the framing (its client is going away). */
typedef bool (*ctl_frame_fn)(void *arg, const char *req, size_t len);

/*
 * The control socket's framing: calls fn for every complete line in data[0..len), without
 * its "\n" or "\r\n"; empty lines are skipped. Returns how many bytes were used up; what is
 * left is an incomplete line waiting for more.
 */
size_t ctl_frame_json(const char *data, size_t len, ctl_frame_fn fn, void *arg);

/*
 * The UAPI socket's framing: a request ends with an empty line; fn gets it with its last
 * "\n" but without the empty line. Returns how many bytes were used up.
 */
size_t ctl_frame_uapi(const char *data, size_t len, ctl_frame_fn fn, void *arg);

/*
 * Creates the sockets (json_path required; the UAPI sockets uapi[0..n_uapi), none when n_uapi
 * is 0), making their directories if missing, and starts the thread. NULL with err filled on
 * failure (and no socket left behind).
 */
struct ctl_server *ctl_server_start(const char *json_path, const struct ctl_uapi_socket *uapi,
				    unsigned int n_uapi, const struct ctl_server_ops *ops,
				    void *ctx, char *err, size_t errlen);

/*
 * From now on the UAPI sockets are uapi[0..n) (copied; n may be 0): the server thread opens
 * those it lacks, closes and unlinks those no longer in the list (same path and interface
 * name = the same socket, which stays open as it is) and keeps the clients of either. A
 * socket that cannot be opened goes to ops->log and is skipped. Callable from any thread,
 * also from an ops callback (it only hands the list over and wakes the server thread, which
 * applies it before its next poll; the latest list wins). 0, or -1 when out of memory (and
 * nothing changes).
 */
int ctl_server_set_uapi(struct ctl_server *srv, const struct ctl_uapi_socket *uapi, unsigned int n);

/*
 * The metrics endpoint: GET /metrics answers what `wgdpctl metrics` prints (ctl_metrics_collect,
 * asking through ops->json_line), with per-peer series capped at max_peers; a body is kept for
 * a second (CTL_HTTP_CACHE_MS) and answers the scrapes meanwhile. In two steps, so that a
 * reload can fail whole when its new address is taken:
 *
 * ctl_server_prepare_metrics binds a socket for ep ahead, without listening (a reload that
 * fails later leaves no backlog behind, only a bound port that refuses connections until the
 * next set); nothing to do for NULL, for the address set now or for the one already prepared.
 * 0, or -1 with err ("127.0.0.1:9586: Address already in use") and nothing changed. !keep (a
 * dry run): the socket is closed again at once, the check made and nothing held.
 *
 * ctl_server_set_metrics makes ep (NULL: none) the address served, from the server thread's
 * next loop on: with the socket prepared for it (listening from now), the one it has, or else
 * one bound now (a failure goes to ops->log, and so does a server that cannot start; the next
 * set tries again). A socket prepared for another address is closed.
 *
 * Both are callable from any thread, also from an ops callback (like ctl_server_set_uapi).
 */
int ctl_server_prepare_metrics(struct ctl_server *srv, const struct wgdp_endpoint *ep, bool keep,
			       char *err, size_t errlen);
void ctl_server_set_metrics(struct ctl_server *srv, const struct wgdp_endpoint *ep,
			    size_t max_peers);

/* Stops the thread, closes every client, unlinks the sockets. */
void ctl_server_stop(struct ctl_server *srv);

#endif
