/* SPDX-License-Identifier: MIT */
/* The data-plane context: creation from a validated config, and teardown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "crypto/aead_batch.h"
#include "crypto/ct.h"
#include "gate.h"
#include "hs_engine.h"
#include "peer.h"
#include "wg/clock.h"

static const char *const drop_names[DP_DROP_COUNT] = {
	[DP_DROP_TRUNCATED] = "truncated",
	[DP_DROP_NOT_IP] = "not_ip",
	[DP_DROP_NOT_FOR_US] = "not_for_us",
	[DP_DROP_BAD_MESSAGE] = "bad_message",
	[DP_DROP_UNKNOWN_INDEX] = "unknown_index",
	[DP_DROP_KEYPAIR_EXPIRED] = "keypair_expired",
	[DP_DROP_AUTH] = "auth_failed",
	[DP_DROP_REPLAY] = "replay",
	[DP_DROP_SOURCE] = "source_not_allowed",
	[DP_DROP_INNER_MALFORMED] = "inner_malformed",
	[DP_DROP_NO_PEER] = "no_peer",
	[DP_DROP_NO_ROUTE] = "no_route",
	[DP_DROP_NO_ENDPOINT] = "no_endpoint",
	[DP_DROP_HANDSHAKE_QUEUE] = "handshake_queue_full",
	[DP_DROP_LOCAL_QUEUE] = "local_queue_full",
	[DP_DROP_RESOLVE_QUEUE] = "resolve_ring_full",
	[DP_DROP_STAGE_FULL] = "stage_queue_full",
	[DP_DROP_TOO_BIG] = "too_big",
	[DP_DROP_NO_ROOM] = "no_room",
	[DP_DROP_TX_FULL] = "tx_full",
	[DP_DROP_INSIDE_UNEXPECTED] = "unexpected",
	[DP_DROP_MAC1] = "mac1_invalid",
	[DP_DROP_TTL_EXPIRED] = "ttl_expired",
	[DP_DROP_NO_MBUF] = "no_mbuf",
	[DP_DROP_LINK_BROADCAST] = "link_broadcast",
};

const char *dp_drop_name(enum dp_drop reason)
{
	return (unsigned int)reason < DP_DROP_COUNT ? drop_names[reason] : "unknown";
}

static struct rte_ring *ring(const char *name, unsigned int count, unsigned int flags)
{
	return rte_ring_create(name, count, (int)rte_socket_id(), flags | RING_F_EXACT_SZ);
}

static int rings_create(struct dp_ctx *dp)
{
	dp->local_ring = ring("wgdp_local", DP_LOCAL_RING_SIZE, RING_F_SC_DEQ);
	dp->resolve_ring = ring("wgdp_resolve", DP_LOCAL_RING_SIZE, RING_F_SC_DEQ);
	dp->stage_ring = ring("wgdp_stage", DP_LOCAL_RING_SIZE, RING_F_SC_DEQ);
	dp->event_ring = rte_ring_create_elem("wgdp_events", sizeof(struct dp_event),
					      DP_EVENT_RING_SIZE, (int)rte_socket_id(),
					      RING_F_SC_DEQ);
	if (dp_stray_init(dp) != 0)
		return -1;
	return dp->local_ring && dp->resolve_ring && dp->stage_ring && dp->event_ring ? 0 : -1;
}

static void assign_workers(struct dp_ctx *dp, const unsigned int *lcores)
{
	for (unsigned int w = 0; w < dp->n_workers; w++) {
		dp->workers[w].dp = dp;
		dp->workers[w].index = w;
		dp->workers[w].lcore_id = lcores[w];
		dp->workers[w].tx_queue = (uint16_t)w;
		dp->workers[w].drains_ctl_tx = w == 0;
	}
}

/* Spreads each port's RX queues over the workers, queue q to worker q mod n. */
void dp_assign_queues(struct dp_ctx *dp)
{
	for (unsigned int p = 0; p < dp->n_ports; p++) {
		for (uint16_t q = 0; q < dp->ports[p].n_queues; q++) {
			struct dp_worker *w = &dp->workers[q % dp->n_workers];

			w->rx_port[w->n_rx] = (uint16_t)p;
			w->rx_queue[w->n_rx++] = q;
		}
	}
}

struct dp_ctx *dp_create(const struct wgdp_config *cfg, unsigned int n_workers,
			 const unsigned int *worker_lcores, char *err, size_t errlen)
{
	return dp_create_hs(cfg, n_workers, worker_lcores, 0, NULL, err, errlen);
}

struct dp_ctx *dp_create_hs(const struct wgdp_config *cfg, unsigned int n_workers,
			    const unsigned int *worker_lcores, unsigned int n_hs,
			    const unsigned int *hs_lcores, char *err, size_t errlen)
{
	struct dp_ctx *dp = calloc(1, sizeof(*dp));

	if (!dp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dp->cfg = cfg;
	dp->n_workers = n_workers;
	dp->under_load_queue = cfg->under_load_queue;
	dp->workers = rte_zmalloc("wgdp_workers", n_workers * sizeof(*dp->workers),
				  RTE_CACHE_LINE_SIZE);
	if (!dp->workers || rings_create(dp) != 0 ||
	    dp_hs_engines_create(dp, n_hs, hs_lcores) != 0) {
		snprintf(err, errlen, "rings: %s", rte_strerror(rte_errno));
		goto fail;
	}
	assign_workers(dp, worker_lcores);
	dp_icmp_global_init(&dp->icmp_global);
	dp_router_init(dp, &dp->ctl_router, (uint32_t)rte_rand());
	for (unsigned int w = 0; w < n_workers; w++) {
		dp_router_init(dp, &dp->workers[w].router, (uint32_t)rte_rand());
		dp->workers[w].crypto = wgc_batch_create(WGC_ARCH_AUTO);
		if (!dp->workers[w].crypto) {
			snprintf(err, errlen, "crypto: WGDP_CRYPTO_ARCH names a path this CPU lacks");
			goto fail;
		}
	}
	dp->ctl_crypto = wgc_batch_create(WGC_ARCH_AUTO);
	if (!dp->ctl_crypto) {
		snprintf(err, errlen, "crypto: WGDP_CRYPTO_ARCH names a path this CPU lacks");
		goto fail;
	}
	if (dp_tenants_init(dp, err, errlen) != 0)
		goto fail;
	if (dp_peers_init(dp, err, errlen) != 0)
		goto fail;
	return dp;
fail:
	dp_free(dp);
	return NULL;
}

void dp_mbuf_ring_free(struct rte_ring *r)
{
	void *m;

	while (r && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

/* Call with the workers stopped and the ports stopped (dp_ports_stop). */
void dp_free(struct dp_ctx *dp)
{
	if (!dp)
		return;
	dp_peers_free(dp);
	dp_neigh_free(dp->neigh);
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		dp_mbuf_ring_free(dp->ports[i].ctl_tx);
		free(dp->ports[i].tid_of_vlan);
	}
	dp_hs_engines_free(dp);
	dp_mbuf_ring_free(dp->local_ring);
	dp_mbuf_ring_free(dp->resolve_ring);
	dp_mbuf_ring_free(dp->stage_ring);
	rte_ring_free(dp->event_ring);
	dp_stray_free(dp);
	if (dp->workers)
		for (unsigned int w = 0; w < dp->n_workers; w++)
			wgc_batch_free(dp->workers[w].crypto);
	rte_free(dp->workers);
	wgc_batch_free(dp->ctl_crypto);
	dp_tenants_free(dp); /* after the peers: they point at their tenant */
	rte_mempool_free(dp->pool);
	free(dp);
}
