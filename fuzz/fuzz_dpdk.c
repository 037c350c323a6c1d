/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/lsan_interface.h>

#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_memory.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "fuzz_dpdk.h"

static struct rte_mempool *pool;

/* LeakSanitizer scans the heap, stacks and globals, not DPDK's memory: a malloc'd object
 * that only rte_malloc'd memory points to (a peer's keypair, a retired table) would look
 * leaked. DPDK's memory becomes a root region, so such objects count as reachable. */
static int add_root(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	if (msl->base_va && msl->len)
		__lsan_register_root_region(msl->base_va, msl->len);
	return 0;
}

void fuzz_eal_init(const char *prog, unsigned int mem_mb)
{
	char prefix[64], mem[16];
	/* Level 1 is EMERG (0 is refused): the targets would otherwise log every bad input. */
	char *argv[] = { (char *)prog, "-l", "0", "--no-huge", "--no-shconf", "--no-pci",
			 "--no-telemetry", "-m", mem, "--log-level=1", "--file-prefix", prefix,
			 NULL };

	/* A prefix of our own: fuzzers run beside the daemon and each other. */
	snprintf(prefix, sizeof(prefix), "wgdp-fuzz-%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "fuzz: rte_eal_init: %s\n", rte_strerror(rte_errno));
		abort();
	}
	rte_log_set_global_level(RTE_LOG_EMERG);
	rte_memseg_list_walk(add_root, NULL);
	pool = rte_pktmbuf_pool_create("fuzz_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (!pool) {
		fprintf(stderr, "fuzz: mbuf pool: %s\n", rte_strerror(rte_errno));
		abort();
	}
}

struct rte_mempool *fuzz_pool(void)
{
	return pool;
}

/* The shared info lives in its own allocation, so an overflow of the data is not masked. */
struct ext {
	struct rte_mbuf_ext_shared_info shinfo;
	void *buf;
};

static void ext_free(void *addr, void *opaque)
{
	(void)addr;
	free(((struct ext *)opaque)->buf);
	free(opaque);
}

struct rte_mbuf *fuzz_mbuf(const uint8_t *data, size_t len, size_t tailroom)
{
	struct rte_mbuf *m;
	struct ext *e;
	size_t cap = len + tailroom;

	if (cap > UINT16_MAX)
		return NULL;
	m = rte_pktmbuf_alloc(pool);
	e = calloc(1, sizeof(*e));
	if (!m || !e)
		goto fail;
	e->buf = malloc(cap ? cap : 1);
	if (!e->buf)
		goto fail;
	if (len)
		memcpy(e->buf, data, len);
	e->shinfo.free_cb = ext_free;
	e->shinfo.fcb_opaque = e;
	rte_mbuf_ext_refcnt_set(&e->shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, e->buf, 0, (uint16_t)cap, &e->shinfo);
	m->data_off = 0;
	rte_pktmbuf_data_len(m) = (uint16_t)len;
	rte_pktmbuf_pkt_len(m) = (uint32_t)len;
	return m;
fail:
	if (e)
		free(e->buf);
	free(e);
	rte_pktmbuf_free(m);
	return NULL;
}
