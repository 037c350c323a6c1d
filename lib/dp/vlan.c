/* SPDX-License-Identifier: MIT */
/*
 * Which ports tag and untag for us. Of DPDK 22.11's virtual devices only net_af_packet
 * offers both (in software: the kernel always takes the tag off and the PMD puts it back
 * unless VLAN_STRIP is on); net_tap, net_ring, net_null and net_memif offer neither.
 */
#include <rte_ethdev.h>

#include "vlan.h"

bool dp_vlan_rx_offload(uint16_t port_id)
{
	struct rte_eth_dev_info info;

	return rte_eth_dev_info_get(port_id, &info) == 0 &&
	       (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_STRIP);
}

bool dp_vlan_tx_offload(uint16_t port_id)
{
	struct rte_eth_dev_info info;

	return rte_eth_dev_info_get(port_id, &info) == 0 &&
	       (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT);
}
