/* SPDX-License-Identifier: MIT */
/*
 * The control lcore's loop: config changes, the local slow path (ARP, ND, ICMP for us,
 * next-hop resolution), the workers' notes, handshakes, staged packets, the timers and
 * housekeeping, in that order, each pass. The concepts live in their own files (control.h).
 */
#include <stdio.h>

#include <rte_log.h>

#include <arpa/inet.h>

#include "control.h"
#include "crypto/keys.h"
#include "drain.h"
#include "gate.h"
#include "log.h"
#include "reconf.h"
#include "tenant.h"
#include "vlan.h"
#include "wg/clock.h"

#define HOUSEKEEPING_NS	  WG_NSEC_PER_SEC
#define WORKER_PASSES	  8  /* one lcore: RX bursts per queue before a control pass */
#define NEIGH_TICK_ROUNDS 16 /* neighbour solicitations and probes: 16 x 64 a second at most */

static void dp_peer_key_short(const uint8_t key[32], char out[16])
{
	char b64[WGC_KEY_B64_LEN + 1];

	wgc_key_to_base64(b64, key);
	snprintf(out, 16, "%.4s…%s", b64, b64 + WGC_KEY_B64_LEN - 1);
}

static void endpoint_text(const struct wgdp_endpoint *ep, char *out, size_t len)
{
	char a[64];

	if (ep->addr.family == 4) {
		snprintf(out, len, "%u.%u.%u.%u:%u", ep->addr.bytes[0], ep->addr.bytes[1],
			 ep->addr.bytes[2], ep->addr.bytes[3], ep->port);
		return;
	}
	inet_ntop(AF_INET6, ep->addr.bytes, a, sizeof(a));
	snprintf(out, len, "[%s]:%u", a, ep->port);
}

void dp_peer_log(struct dp_peer *p, uint32_t level, const char *what)
{
	char key[16], ep_text[80] = "no endpoint";
	struct wgdp_endpoint ep;

	if (!rte_log_can_log(dp_log_handshake, level))
		return;
	dp_peer_key_short(p->public_key, key);
	if (dp_peer_endpoint(p, &ep))
		endpoint_text(&ep, ep_text, sizeof(ep_text));
	/* With several interfaces, which one's peer: the same key may be a peer of two. */
	if (p->tenant->named_in_logs)
		rte_log(level, dp_log_handshake, "wgdp.handshake: %s: peer %s (%s): %s\n",
			p->tenant->name, key, ep_text, what);
	else
		rte_log(level, dp_log_handshake, "wgdp.handshake: peer %s (%s): %s\n", key,
			ep_text, what);
}

/* The VLAN a frame came on: the worker took its tag off (vlan.h), as a NIC would. On a port
 * without tenant VLANs the worker looked for none: whatever a NIC says, the frame is the
 * untagged link's, as the worker treated it. */
static uint16_t rx_vlan(const struct dp_port *port, const struct rte_mbuf *m)
{
	if (!port->has_vlans || !(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED))
		return 0;
	return RTE_VLAN_TCI_ID(m->vlan_tci);
}

/* ARP/ND/ICMP for us from the local ring, frames waiting for a next hop from the resolve ring:
 * a burst of each a pass. */
static unsigned int drain_ring(struct dp_sink *s, struct rte_ring *r, uint64_t now)
{
	struct dp_ctx *dp = s->dp;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n = rte_ring_sc_dequeue_burst(r, (void **)pkts, DP_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_mbuf_meta *meta = dp_meta(m);
		struct dp_tx_list out = { .n = 0 };
		bool resolve = meta->kind == DP_META_RESOLVE;
		int port = resolve ? meta->out_port : dp_port_index(dp, m->port);
		const struct dp_iface *ifc =
			port < 0 ? NULL
				 : dp_iface_at(dp, &dp->ports[port],
					       resolve ? meta->vlan : rx_vlan(&dp->ports[port], m));

		if (!ifc) { /* a port or a tenant that went */
			rte_pktmbuf_free(m);
			continue;
		}
		if (resolve) {
			dp_neigh_resolve(dp->neigh, ifc, &meta->nh, m, now, &out);
		} else if (dp_local_input(dp->neigh, ifc, m, now, &out) == DP_LOCAL_REPLY) {
			dp_vlan_tx_mark(m, ifc->vlan);
			dp_sink_add(s, (uint16_t)port, m);
		}
		dp_sink_list(s, &out);
	}
	return n;
}

static void housekeeping(struct dp_sink *s, uint64_t now)
{
	struct dp_tx_list out = { .n = 0 };

	wg_ratelimiter_gc(s->dp->engines[0].ratelimiter, now);
	dp_gate_publish_all(s->dp, now);
	/* The neighbour table stops when out is full; a few more rounds send what is due. */
	for (unsigned int round = 0; round < NEIGH_TICK_ROUNDS; round++) {
		bool more = dp_neigh_tick(s->dp->neigh, now, &out);

		dp_sink_list(s, &out);
		if (!more)
			break;
	}
}

unsigned int dp_control_poll(struct dp_ctx *dp)
{
	struct dp_sink s;
	uint64_t now = wg_clock_mono_ns();
	unsigned int work = 0;

	s.dp = dp;
	s.worker = NULL;
	s.drops = dp->ctl_drops;
	for (unsigned int i = 0; i < dp->n_ports; i++)
		s.tx[i].n = 0;
	work += dp_reconf_poll(dp);
	work += drain_ring(&s, dp->local_ring, now);
	work += drain_ring(&s, dp->resolve_ring, now);
	work += dp_events_drain(&s, now);
	work += dp_stray_drain(dp, now);
	work += dp_handshakes_drain(&dp->engines[0], &s, now);
	work += dp_hs_done_drain(&s);
	dp_hs_index_pools_fill(dp);
	work += dp_stage_drain(&s, now);
	dp_timers_tick(&s, now);
	dp_drain_poll(dp, now);
	if (now >= dp->next_housekeeping) {
		dp->next_housekeeping = now + HOUSEKEEPING_NS;
		housekeeping(&s, now);
	}
	dp_reclaim(dp);
	dp_sink_flush(&s);
	if (!work && !dp->control_is_worker)
		dp_ephemeral_make(&dp->engines[0]);
	return work;
}

void dp_shared_lcore_poll(struct dp_ctx *dp, struct dp_worker *w)
{
	unsigned int work = 0, n;

	for (unsigned int i = 0; i < WORKER_PASSES; i++) {
		n = dp_worker_poll(dp, w);
		work += n;
		if (n < DP_BURST * w->n_rx / 2)
			break;
	}
	if (!dp_control_poll(dp) && !work)
		dp_ephemeral_make(&dp->engines[0]);
}
