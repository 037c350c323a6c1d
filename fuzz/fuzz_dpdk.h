/* SPDX-License-Identifier: MIT */
/* What the DPDK-based fuzz targets share: one EAL without hugepages and exact-size mbufs. */
#ifndef WGDP_FUZZ_DPDK_H
#define WGDP_FUZZ_DPDK_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/* rte_eal_init once, quietly, with mem_mb of memory and no hugepages or PCI; aborts when it
 * cannot. */
void fuzz_eal_init(const char *prog, unsigned int mem_mb);

/* A pool of mbufs for the targets (and for what the code under test allocates). */
struct rte_mempool *fuzz_pool(void);

/*
 * An mbuf whose data is a copy of data[0..len) in a malloc'd buffer of exactly len + tailroom
 * bytes (an attached external buffer), so ASan reports any access past it. NULL when out of
 * mbufs. Freed by rte_pktmbuf_free like any other.
 */
struct rte_mbuf *fuzz_mbuf(const uint8_t *data, size_t len, size_t tailroom);

#endif
