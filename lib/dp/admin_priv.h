/* SPDX-License-Identifier: MIT */
/* The admin's state, shared by admin.c (model, diff) and requests.c (the protocols). */
#ifndef WGDP_DP_ADMIN_PRIV_H
#define WGDP_DP_ADMIN_PRIV_H

#include <pthread.h>

#include "admin.h"
#include "ctl/snapshot.h"

enum tid_state {
	TID_FREE = 0,
	TID_LIVE,
	TID_RETIRING, /* its interface was removed: reusable after a grace period */
};

struct dp_admin {
	struct dp_ctx *dp;
	pthread_mutex_t lock;
	char config_path[4096];
	struct wgdp_config *running; /* what runs now */
	uint32_t **ids;		     /* ids[k][i]: the peer id of running->ifaces[k].peers[i] */
	unsigned int n_ids;
	uint16_t *tids;	     /* tids[k]: the tenant id of running->ifaces[k] */
	uint8_t *tid_state;  /* [WGDP_MAX_IFACES]: enum tid_state */
	uint64_t *tid_token; /* RCU: a retiring id is free once every worker passed it */
	uint32_t next_tid;   /* never used yet from here on */
	dp_admin_ifaces_fn ifaces_hook;
	void *ifaces_hook_arg;
	dp_admin_check_fn check_hook;
	void *check_hook_arg;
	uint32_t next_id;	     /* never used yet from here on */
	uint32_t *free_ids;
	uint32_t n_free;
	struct {
		uint32_t id;
		uint64_t token; /* RCU: free once every worker has passed it */
	} *quarantine;
	uint32_t n_quarantine;
	json_t *stats_base; /* counters at the last `clear stats` */
};

int dp_admin_apply_locked(struct dp_admin *adm, struct wgdp_config *next,
			  struct dp_apply_result *res, struct wgdp_config_error *err);
/*
 * A dry run of dp_admin_apply_locked: every check the apply makes before the control lcore,
 * nothing applied; err as the apply would fill it, res with what would change. next stays the
 * caller's (its interface 0 in step with the shorthand's fields, as the apply would see it).
 * The one refusal it cannot foresee is "wgdp is stopping".
 */
int dp_admin_check_locked(struct dp_admin *adm, struct wgdp_config *next,
			  struct dp_apply_result *res, struct wgdp_config_error *err);
/* Interface iface's settings and peers (free with ctl_snapshot_free); -1 when out of memory
 * or no such interface, and then snap holds nothing, its keys wiped: no free needed. */
int dp_admin_snapshot_locked(struct dp_admin *adm, unsigned int iface, struct ctl_snapshot *snap);
/* The same with its first max_peers peers only, the others counted in snap->n_omitted: the
 * copy, under the admin's lock, costs what is kept (a capped scrape of a million peers). */
int dp_admin_snapshot_first_locked(struct dp_admin *adm, unsigned int iface, uint32_t max_peers,
				   struct ctl_snapshot *snap);

/* The index of the interface a request names ("interface": absent = the only one), or -1
 * with err filled. */
int dp_admin_iface_of(const struct dp_admin *adm, const char *name, struct wgdp_config_error *err);

#endif
