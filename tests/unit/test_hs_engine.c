/* SPDX-License-Identifier: MIT */
/*
 * Handshake engines (lib/dp/hs_engine.h): the steering of handshake messages by source, the
 * pools of reserved receiver indexes, and the pause a reload takes, with a real engine on a
 * second lcore.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "config.h"
#include "crypto/ct.h"
#include "dp/dp.h"
#include "dp/hs_engine.h"
#include "unit.h"
#include "wg/index.h"

static struct dp_ctx *dp;
static struct rte_mempool *pool;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void ipv4(uint32_t a, uint8_t out[4])
{
	out[0] = (uint8_t)(a >> 24);
	out[1] = (uint8_t)(a >> 16);
	out[2] = (uint8_t)(a >> 8);
	out[3] = (uint8_t)a;
}

/* An IPv6 source is one source by its /64 (the rate limiter's unit): the interface id does not
 * move it, any bit of the prefix does. */
static void test_ipv6_by_64(void)
{
	uint8_t a[16], b[16];

	for (unsigned int i = 0; i < 16; i++)
		a[i] = (uint8_t)(0x20 + 7 * i);
	memcpy(b, a, 16);
	for (unsigned int i = 8; i < 16; i++)
		b[i] ^= 0xff;
	CU_ASSERT_EQUAL(dp_hs_source_hash(6, a), dp_hs_source_hash(6, b));
	for (unsigned int bit = 0; bit < 64; bit++) {
		memcpy(b, a, 16);
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		CU_ASSERT_NOT_EQUAL(dp_hs_source_hash(6, a), dp_hs_source_hash(6, b));
	}
}

/* Every bit of an IPv4 source counts; the same source always hashes the same. */
static void test_ipv4_bits(void)
{
	uint8_t a[4], b[4];

	ipv4(0xc6120001u, a);
	CU_ASSERT_EQUAL(dp_hs_source_hash(4, a), dp_hs_source_hash(4, a));
	for (unsigned int bit = 0; bit < 32; bit++) {
		ipv4(0xc6120001u ^ (1u << bit), b);
		CU_ASSERT_NOT_EQUAL(dp_hs_source_hash(4, a), dp_hs_source_hash(4, b));
	}
}

/* Neighbouring sources spread evenly over K engines: within 5% of a fair share over 64 Ki
 * consecutive IPv4 addresses and 64 Ki consecutive /64s; K=1 is engine 0. */
static void test_spread(void)
{
	static const unsigned int ks[] = { 1, 2, 3, 4, 8, 16 };

	for (unsigned int k = 0; k < RTE_DIM(ks); k++) {
		unsigned int n4[DP_MAX_HS_ENGINES] = { 0 }, n6[DP_MAX_HS_ENGINES] = { 0 };
		double fair = 65536.0 / ks[k];

		for (uint32_t i = 0; i < 65536; i++) {
			uint8_t a4[4], a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };

			ipv4(0xc6120000u + i, a4);
			a6[6] = (uint8_t)(i >> 8);
			a6[7] = (uint8_t)i;
			n4[dp_hs_engine_pick(dp_hs_source_hash(4, a4), ks[k])]++;
			n6[dp_hs_engine_pick(dp_hs_source_hash(6, a6), ks[k])]++;
		}
		for (unsigned int e = 0; e < ks[k]; e++) {
			CU_ASSERT(n4[e] > fair * 0.95 && n4[e] < fair * 1.05);
			CU_ASSERT(n6[e] > fair * 0.95 && n6[e] < fair * 1.05);
		}
	}
}

/* Initiations go by source; responses and cookie replies answer our messages: engine 0. */
static void test_kinds(void)
{
	struct dp_hs_engine engines[4];
	struct dp_ctx fake = { .engines = engines, .n_engines = 4 };
	unsigned int seen[4] = { 0 };
	uint8_t a[4];

	for (uint32_t i = 0; i < 64; i++) {
		struct dp_hs_engine *e;

		ipv4(0x0a000000u + i * 977, a);
		e = dp_hs_engine_of(&fake, WG_MSG_INITIATION, 4, a);
		CU_ASSERT_PTR_EQUAL(e, dp_hs_engine_of(&fake, WG_MSG_INITIATION, 4, a));
		seen[e - engines]++;
		CU_ASSERT_PTR_EQUAL(dp_hs_engine_of(&fake, WG_MSG_RESPONSE, 4, a), &engines[0]);
		CU_ASSERT_PTR_EQUAL(dp_hs_engine_of(&fake, WG_MSG_COOKIE, 4, a), &engines[0]);
	}
	for (unsigned int e = 0; e < 4; e++)
		CU_ASSERT(seen[e] > 0);
	fake.n_engines = 1;
	CU_ASSERT_PTR_EQUAL(dp_hs_engine_of(&fake, WG_MSG_INITIATION, 4, a), &engines[0]);
}

/* The control lcore keeps engine 1's pool full of reserved indexes, which name nothing a
 * message could use until a session takes one; engine 0 reserves its own. */
static void test_index_pools(void)
{
	struct dp_hs_engine *e1 = &dp->engines[1], *e0 = &dp->engines[0];
	uint32_t base = wg_index_count(dp->indexes), taken[10], spare, room[4 * 64];

	dp_hs_index_pools_fill(dp);
	CU_ASSERT_EQUAL(rte_ring_count(e1->index_pool), DP_HS_INDEX_POOL);
	CU_ASSERT_EQUAL(wg_index_count(dp->indexes), base + DP_HS_INDEX_POOL);
	for (unsigned int i = 0; i < 10; i++) {
		CU_ASSERT_TRUE(dp_hs_index_take(e1, &taken[i]));
		CU_ASSERT_PTR_EQUAL(wg_index_lookup(dp->indexes, taken[i]), DP_INDEX_RESERVED);
	}
	dp_hs_index_pools_fill(dp);
	CU_ASSERT_EQUAL(rte_ring_count(e1->index_pool), DP_HS_INDEX_POOL);
	CU_ASSERT_EQUAL(wg_index_count(dp->indexes), base + DP_HS_INDEX_POOL + 10);
	/* The pools do not eat the room of the peers' own indexes: with 64 peers at most (the
	 * config's max_peers), engine 0 still has its four a peer. */
	for (unsigned int i = 0; i < 4 * 64 - 10; i++) {
		uint32_t ix;

		CU_ASSERT_TRUE_FATAL(dp_hs_index_take(e0, &ix));
		room[i] = ix;
	}
	for (unsigned int i = 0; i < 4 * 64 - 10; i++)
		wg_index_remove(dp->indexes, room[i]);
	/* One given back is the next one taken. */
	dp_hs_index_give_back(e1, taken[3]);
	CU_ASSERT_TRUE(dp_hs_index_take(e1, &spare));
	CU_ASSERT_EQUAL(spare, taken[3]);
	CU_ASSERT_TRUE(dp_hs_index_take(e0, &spare));
	CU_ASSERT_PTR_EQUAL(wg_index_lookup(dp->indexes, spare), DP_INDEX_RESERVED);
	CU_ASSERT_EQUAL(rte_ring_count(e0->ring), 0);
	for (unsigned int i = 0; i < 10; i++)
		wg_index_remove(dp->indexes, taken[i]);
	wg_index_remove(dp->indexes, spare);
}

static bool wait_for_ring_empty(struct rte_ring *r, uint64_t max_ns)
{
	uint64_t t0 = now_ns();

	while (rte_ring_count(r) && now_ns() - t0 < max_ns)
		rte_pause();
	return rte_ring_count(r) == 0;
}

/*
 * Engine 1 runs on lcore 1. A pause returns once it waits between two messages, and while
 * paused it takes none from its queue; on resume it goes on. A message it cannot parse (a
 * port that is not ours) is dropped.
 */
static void test_pause(void)
{
	struct dp_hs_engine *e1 = &dp->engines[1];
	unsigned int lost = 0;

	CU_ASSERT_EQUAL_FATAL(rte_eal_remote_launch(dp_hs_engine_main, e1, e1->lcore_id), 0);
	while (!__atomic_load_n(&e1->running, __ATOMIC_ACQUIRE))
		rte_pause();
	for (unsigned int i = 0; i < 300; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		m->port = 999; /* no port of ours: hs_parse refuses it */
		rte_pktmbuf_append(m, 64);
		dp_hs_engines_pause(dp);
		CU_ASSERT_EQUAL(__atomic_load_n(&e1->paused_gen, __ATOMIC_ACQUIRE),
				dp->hs_pause_gen);
		CU_ASSERT_EQUAL(rte_ring_mp_enqueue(e1->ring, m), 0);
		for (uint64_t t0 = now_ns(); now_ns() - t0 < 20000;)
			rte_pause();
		if (rte_ring_count(e1->ring) != 1)
			lost++;
		dp_hs_engines_resume(dp);
		CU_ASSERT_TRUE(wait_for_ring_empty(e1->ring, 1000000000ull));
	}
	CU_ASSERT_EQUAL(lost, 0);
	/* Back to back: a resume and the next pause may both pass while the engine is off its
	 * CPU; the newest pause must still be acknowledged (a hang here fails by timeout). */
	for (unsigned int i = 0; i < 20000; i++) {
		dp_hs_engines_pause(dp);
		CU_ASSERT_EQUAL(__atomic_load_n(&e1->paused_gen, __ATOMIC_ACQUIRE),
				dp->hs_pause_gen);
		dp_hs_engines_resume(dp);
	}
	__atomic_store_n(&dp->quit, true, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(e1->lcore_id);
	__atomic_store_n(&dp->quit, false, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(e1->running, 0);
	/* Stopped, a pause does not wait for it. */
	dp_hs_engines_pause(dp);
	dp_hs_engines_resume(dp);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0); /* every message freed */
}

static const char config_text[] =
	"{\"interface\":{\"name\":\"wgdp0\","
	"\"private_key\":\"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\",\"listen_port\":51820},"
	"\"ports\":[{\"port\":0,\"role\":\"outside\",\"address\":[\"192.0.2.1/24\"]},"
	"{\"port\":1,\"role\":\"inside\",\"address\":[\"10.0.0.1/24\"]}],\"peers\":[],"
	"\"limits\":{\"max_peers\":64}}";

int main(int argc, char **argv)
{
	static const CU_TestInfo tests[] = {
		{ "an IPv6 source is its /64", test_ipv6_by_64 },
		{ "every bit of an IPv4 source counts", test_ipv4_bits },
		{ "neighbouring sources spread evenly", test_spread },
		{ "initiations by source, the rest to engine 0", test_kinds },
		{ "reserved index pools", test_index_pools },
		{ "a reload's pause, with an engine on its own lcore", test_pause },
		CU_TEST_INFO_NULL,
	};
	char prefix[64];
	const char *eal[] = { argv[0],
			      "--lcores=(0-1)@(0-1)",
			      "--no-huge",
			      "--no-shconf",
			      "--no-pci",
			      "--no-telemetry",
			      "-m",
			      "256",
			      "--vdev",
			      "net_null0",
			      "--vdev",
			      "net_null1",
			      "--log-level=*:notice",
			      "--file-prefix",
			      prefix };
	struct wgdp_config_error err;
	struct wgdp_config *cfg;
	unsigned int main_lcore, hs_lcore;
	char msg[256];
	int rc;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "wgdp-test-hs-engine-%d", (int)getpid());
	if (wgc_init() != 0 || rte_eal_init((int)RTE_DIM(eal), (char **)(uintptr_t)eal) < 0)
		return 2;
	cfg = wgdp_config_parse(config_text, sizeof(config_text) - 1, &err);
	main_lcore = rte_get_main_lcore();
	hs_lcore = rte_get_next_lcore(main_lcore, 1, 0);
	dp = cfg ? dp_create_hs(cfg, 1, &main_lcore, 1, &hs_lcore, msg, sizeof(msg)) : NULL;
	pool = rte_pktmbuf_pool_create("hs_test", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (!dp || !pool || dp_ports_init(dp, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "test_hs_engine: setup: %s\n", cfg ? msg : err.message);
		return 2;
	}
	rc = unit_run("hs_engine", tests);
	dp_ports_stop(dp);
	dp_free(dp);
	rte_mempool_free(pool);
	wgdp_config_free(cfg);
	rte_eal_cleanup();
	return rc;
}
