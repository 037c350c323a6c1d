/* SPDX-License-Identifier: MIT */
/*
 * The control thread's sockets: the JSON-lines control socket and the WireGuard UAPI socket,
 * both unix stream sockets of mode 0600, served by one thread with poll(). Every client has
 * its own buffers, so a slow client, a half-sent line or garbage delays nobody else, and
 * nothing here ever runs on a DPDK lcore.
 */
#ifndef WGDP_CTL_SERVER_H
#define WGDP_CTL_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_MAX_CLIENTS	 64
#define CTL_MAX_REQUEST	 (64u << 20) /* a set-config of a million peers fits */

struct ctl_server_ops {
	/* One request line (no newline) → a malloc'd answer line (no newline). */
	char *(*json_line)(void *ctx, const char *line, size_t len);
	/* One UAPI request to the socket of interface iface (the index of its path at start),
	 * without its final blank line → the malloc'd reply, ending in the blank line;
	 * *reply_len its length. */
	char *(*uapi)(void *ctx, unsigned int iface, const char *req, size_t len,
		      size_t *reply_len);
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
 * Creates the sockets (json_path required; one UAPI socket an interface, uapi_paths[0..n_uapi),
 * none when n_uapi is 0), making their directories if missing, and starts the thread. NULL
 * with err filled on failure (and no socket left behind).
 */
struct ctl_server *ctl_server_start(const char *json_path, const char *const *uapi_paths,
				    unsigned int n_uapi, const struct ctl_server_ops *ops,
				    void *ctx, char *err, size_t errlen);

/* Stops the thread, closes every client, unlinks the sockets. */
void ctl_server_stop(struct ctl_server *srv);

#endif
