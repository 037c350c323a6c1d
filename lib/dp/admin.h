/* SPDX-License-Identifier: MIT */
/*
 * The control thread's side of the running concentrator: the running config, which peer id
 * each of its peers has, and every operation the control socket, the UAPI, the CLI and
 * telemetry offer. Callers may be on any thread but a worker or the control lcore; one lock
 * serialises them. Changes are computed here (validation, diff, new peers, new allowed-ips
 * generation) and applied on the control lcore through reconf.h.
 */
#ifndef WGDP_DP_ADMIN_H
#define WGDP_DP_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

struct dp_ctx;
struct dp_admin;
struct ctl_snapshot;

/* What an apply did, for the answer and for wgdp-perf control. */
struct dp_apply_result {
	unsigned int added, removed, changed; /* peers */
	unsigned int ifaces_added, ifaces_removed;
	uint64_t prepare_ns; /* control thread: diff, new peers, allowed-ips */
	uint64_t apply_ns;   /* control lcore */
};

/* cfg is the config dp was created from; the admin keeps its own copy. */
struct dp_admin *dp_admin_create(struct dp_ctx *dp, const struct wgdp_config *cfg,
				 const char *config_path);
void dp_admin_free(struct dp_admin *adm);

/*
 * Makes next the running config, whole or not at all (takes ownership of next). On failure
 * returns -1 with err naming the JSON path; nothing changed.
 */
int dp_admin_apply(struct dp_admin *adm, struct wgdp_config *next, struct dp_apply_result *res,
		   struct wgdp_config_error *err);

/*
 * Called with the running config once when set and after every apply, on the applying thread
 * with the admin's lock held (it must not call back into the admin): the UAPI sockets follow
 * the interfaces, the metrics endpoint its address.
 */
typedef void (*dp_admin_ifaces_fn)(void *arg, const struct wgdp_config *running);
void dp_admin_set_ifaces_hook(struct dp_admin *adm, dp_admin_ifaces_fn fn, void *arg);

/*
 * Called during an apply once next passed every rule, just before it is committed, on the
 * applying thread with the admin's lock held (it must not call back into the admin): false
 * refuses next whole, err naming the path. The metrics endpoint binds a new address here, so
 * that a reload to a port in use fails and changes nothing. dry_run: the same checks, for a
 * request's "dry_run", with nothing kept (a port checked is not held).
 */
typedef bool (*dp_admin_check_fn)(void *arg, const struct wgdp_config *next, bool dry_run,
				  struct wgdp_config_error *err);
void dp_admin_set_check_hook(struct dp_admin *adm, dp_admin_check_fn fn, void *arg);

/* The first interface's running state, copied out. */
int dp_admin_snapshot(struct dp_admin *adm, struct ctl_snapshot *snap);

/* A control-socket request (one decoded JSON object) → its answer (never NULL). */
json_t *dp_admin_request(struct dp_admin *adm, json_t *req);

/* A control-socket line (one JSON request, no newline) → the malloc'd answer line, also for
 * a line that is not JSON. */
char *dp_admin_json_line(struct dp_admin *adm, const char *line, size_t len);

/* A UAPI request ("get=1\n..." or "set=1\n...", without the final blank line) to the socket of
 * interface ifname → the reply (errno=19, ENODEV, when there is no such interface: gone since
 * the client connected). */
char *dp_admin_uapi(struct dp_admin *adm, const char *ifname, const char *req, size_t len,
		    size_t *reply_len);

/* Registers /wgdp/info, /wgdp/peers, /wgdp/peer and /wgdp/stats with DPDK telemetry. */
void dp_admin_telemetry_register(struct dp_admin *adm);

/* Telemetry answers nothing from here on (it cannot unregister). */
void dp_admin_telemetry_unregister(void);

#endif
