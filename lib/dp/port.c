/* SPDX-License-Identifier: MIT */
/*
 * Ports: one ethdev per config port, its RX queues spread over the workers (RSS on IP/UDP
 * where the device offers it; af_packet spreads by its fanout hash), one TX queue per worker,
 * and the mbuf pool sized from all of it.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "peer.h"

#define NB_RXD 1024
#define NB_TXD 1024
#define POOL_CACHE 256

void dp_assign_queues(struct dp_ctx *dp);

static unsigned int pool_size(struct dp_ctx *dp)
{
	const struct wgdp_config *cfg = dp->cfg;
	unsigned int n = 0;

	for (unsigned int i = 0; i < cfg->n_ports; i++)
		n += cfg->ports[i].queues * NB_RXD + dp->n_workers * NB_TXD + DP_CTL_TX_RING;
	n += RTE_MAX(cfg->handshake_queue, 64u) + 3 * DP_LOCAL_RING_SIZE;
	n += (dp->n_workers + 1) * (POOL_CACHE + 4 * DP_BURST);
	/* Staged packets and frames waiting for a next hop may each hold 1/8 of the pool
	 * (DP_STAGE_POOL_SHARE, DP_NEIGH_POOL_SHARE): a third more keeps that quarter off what
	 * the rings above need, so neither can starve the RX refill. */
	return n + RTE_MAX(n / 3, 4096u);
}

static bool has_vlan_tenant(const struct wgdp_config *cfg, uint16_t port_id)
{
	for (unsigned int i = 0; i < cfg->n_ifaces; i++)
		if (cfg->ifaces[i].has_inside && cfg->ifaces[i].inside.port_id == port_id &&
		    cfg->ifaces[i].inside.vlan)
			return true;
	return false;
}

static int port_setup(struct dp_ctx *dp, unsigned int i, char *err, size_t errlen)
{
	const struct wgdp_port_config *pc = &dp->cfg->ports[i];
	struct dp_port *port = &dp->ports[i];
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf = { 0 };
	uint16_t nb_rxd = NB_RXD, nb_txd = NB_TXD, id = pc->port_id;
	char name[32];
	int rc;

	if (!rte_eth_dev_is_valid_port(id) || rte_eth_dev_info_get(id, &info) != 0) {
		snprintf(err, errlen, "ports[%u].port: no DPDK port %u (give it with --vdev or -a)",
			 i, id);
		return -1;
	}
	if (pc->queues > info.max_rx_queues || dp->n_workers > info.max_tx_queues) {
		snprintf(err, errlen,
			 "ports[%u]: port %u offers %u RX / %u TX queues; %u RX and %u TX (one a "
			 "worker) are needed",
			 i, id, info.max_rx_queues, info.max_tx_queues, pc->queues, dp->n_workers);
		return -1;
	}
	if (pc->queues > 1 && (info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP))) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
	}
	/* Tenants on VLANs here: the NIC tags what leaves and untags what comes if it can, else
	 * vlan.h does (af_packet does it for us: the kernel hands it frames untagged, and it
	 * would put the tag back into the frame for us to take off again). */
	port->vlan_hw_tx = has_vlan_tenant(dp->cfg, id) &&
			   (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT);
	if (port->vlan_hw_tx)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
	if (has_vlan_tenant(dp->cfg, id) && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_STRIP))
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	rc = rte_eth_dev_configure(id, pc->queues, (uint16_t)dp->n_workers, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(id, &nb_rxd, &nb_txd);
	for (uint16_t q = 0; rc == 0 && q < pc->queues; q++)
		rc = rte_eth_rx_queue_setup(id, q, nb_rxd, rte_eth_dev_socket_id(id), NULL,
					    dp->pool);
	for (uint16_t q = 0; rc == 0 && q < dp->n_workers; q++)
		rc = rte_eth_tx_queue_setup(id, q, nb_txd, rte_eth_dev_socket_id(id), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(id);
	if (rc != 0) {
		snprintf(err, errlen, "ports[%u]: port %u: setup failed: %s", i, id,
			 rte_strerror(-rc));
		return -1;
	}
	rte_eth_allmulticast_enable(id); /* IPv6 neighbour solicitations are multicast */
	rte_eth_macaddr_get(id, &port->iface.mac);
	/* What an inner packet leaving here may measure; the Ethernet default if the port says
	 * nothing believable. */
	if (rte_eth_dev_get_mtu(id, &port->mtu) != 0 || port->mtu < RTE_ETHER_MIN_MTU)
		port->mtu = RTE_ETHER_MTU;
	port->port_id = id;
	port->iface.port_id = id;
	port->iface.cfg = pc;
	port->n_queues = pc->queues;
	port->outside = pc->role & WGDP_ROLE_OUTSIDE;
	port->inside = pc->role & WGDP_ROLE_INSIDE;
	snprintf(name, sizeof(name), "wgdp_ctl_tx%u", i);
	/* Producers: the control lcore and the handshake engines (their cookie replies). */
	port->ctl_tx = rte_ring_create(name, DP_CTL_TX_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (!port->ctl_tx) {
		snprintf(err, errlen, "ports[%u]: %s", i, rte_strerror(rte_errno));
		return -1;
	}
	dp->n_ports = i + 1;
	return 0;
}

int dp_ports_init(struct dp_ctx *dp, char *err, size_t errlen)
{
	const struct wgdp_config *cfg = dp->cfg;

	dp->pool = rte_pktmbuf_pool_create("wgdp_mbufs", pool_size(dp), POOL_CACHE,
					   RTE_ALIGN(sizeof(struct dp_mbuf_meta), RTE_MBUF_PRIV_ALIGN),
					   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!dp->pool) {
		snprintf(err, errlen, "mbuf pool of %u: %s (try more memory: -m)", pool_size(dp),
			 rte_strerror(rte_errno));
		return -1;
	}
	dp->stage_limit = pool_size(dp) / DP_STAGE_POOL_SHARE;
	/* Configs built in code (benchmarks) may leave the table size unset. */
	dp->neigh = dp_neigh_create("wgdp_neigh",
				    cfg->neighbours ? cfg->neighbours : WGDP_DEFAULT_NEIGHBOURS,
				    dp->pool, (int)rte_socket_id());
	if (!dp->neigh) {
		snprintf(err, errlen, "neighbour table: %s", rte_strerror(rte_errno));
		return -1;
	}
	dp_neigh_set_rcu(dp->neigh, dp->rcu);
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		if (port_setup(dp, i, err, errlen) != 0)
			return -1;
	dp_assign_queues(dp);
	return dp_tenants_attach(dp, err, errlen);
}

void dp_ports_stop(struct dp_ctx *dp)
{
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		rte_eth_dev_stop(dp->ports[i].port_id);
		rte_eth_dev_close(dp->ports[i].port_id);
	}
}
