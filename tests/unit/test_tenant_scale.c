/* SPDX-License-Identifier: MIT */
/*
 * 1,000 interfaces on one wgdp (issue #15: they must load and cost little while idle): each
 * on its own VLAN of one inside port, with its own listen port and one peer. The data plane
 * is built on two net_null ports; what it holds for the tenants is measured (EAL heap and
 * libc heap, before and after) and bounded, and every tenant must be reachable by its listen
 * port and its VLAN. The figures are printed for docs/performance.md.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "dp.h"
#include "gate.h"
#include "peer.h"
#include "unit.h"
#include "unit_eal.h"
#include "wg/clock.h"

#define N_IFACES 1000
/* What an idle tenant may cost, all heaps together: its struct, per-worker state, a compact
 * allowed-ips table, its routing table, one peer, and its share of the shared tables. */
#define MAX_BYTES_A_TENANT (32 * 1024)

/* n interfaces, each on VLAN 1 + i of port 1, listening on 20000 + i, with one peer. */
static char *config_text(unsigned int n)
{
	size_t cap = 400 * n + 1024, len = 0;
	char *t = malloc(cap), key[WGC_KEY_B64_LEN + 1], pub[WGC_KEY_B64_LEN + 1];
	uint8_t raw[32];

	if (!t)
		return NULL;
	len += (size_t)snprintf(t + len, cap - len, "{\"interfaces\":[");
	for (unsigned int i = 0; i < n; i++) {
		/* Distinct keys, made from the index: their shape is all that matters here. */
		memset(raw, 0, sizeof(raw));
		memcpy(raw, &i, sizeof(i));
		raw[31] = 0x40;
		wgc_key_to_base64(key, raw);
		raw[30] = 0x01;
		wgc_key_to_base64(pub, raw);
		len += (size_t)snprintf(
			t + len, cap - len,
			"%s{\"name\":\"t%u\",\"private_key\":\"%s\",\"listen_port\":%u,"
			"\"inside\":{\"port\":1,\"vlan\":%u,\"address\":[\"10.0.0.1/24\"]},"
			"\"peers\":[{\"public_key\":\"%s\",\"allowed_ips\":[\"10.0.1.0/24\"]}]}",
			i ? "," : "", i, key, 20000 + i, 1 + i, pub);
	}
	snprintf(t + len, cap - len,
		 "],\"ports\":[{\"port\":0,\"role\":\"outside\",\"address\":[\"192.0.2.1/24\"]},"
		 "{\"port\":1,\"role\":\"inside\",\"address\":[\"172.16.0.1/24\"]}]}");
	return t;
}

static size_t eal_heap_used(void)
{
	struct rte_malloc_socket_stats st;

	memset(&st, 0, sizeof(st));
	rte_malloc_get_socket_stats((int)rte_socket_id(), &st);
	return st.heap_allocsz_bytes;
}

static size_t libc_heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct wgdp_config *cfg, *cfg_one;

/* What dp_create of c adds to the EAL and libc heaps; the data plane is freed again. */
static void cost_of(const struct wgdp_config *c, size_t *eal, size_t *libc)
{
	unsigned int lcore = rte_get_main_lcore();
	size_t eal0 = eal_heap_used(), libc0 = libc_heap_used();
	struct dp_ctx *dp;
	char msg[256];

	dp = dp_create(c, 1, &lcore, msg, sizeof(msg));
	if (!dp)
		fprintf(stderr, "\n    dp_create: %s\n", msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
	*eal = eal_heap_used() - eal0;
	*libc = libc_heap_used() - libc0;
	dp_free(dp);
}

static void test_thousand(void)
{
	size_t eal_one, libc_one, eal_all, libc_all, a_tenant;
	unsigned int lcore = rte_get_main_lcore();
	struct dp_ctx *dp;
	char msg[256];
	double t0, t1;

	/*
	 * What 1,000 interfaces with one peer each cost in all, the shared tables included (the
	 * mbuf pool comes with the ports, later): under an idle tenant's budget each. One
	 * interface alone costs more: its allowed-ips are rte_fib's 130 MiB, for speed, where
	 * several small tenants get the compact table.
	 */
	cost_of(cfg_one, &eal_one, &libc_one);
	cost_of(cfg, &eal_all, &libc_all);
	a_tenant = (eal_all + libc_all) / N_IFACES;
	printf("\n    1 interface: EAL %zu KiB, libc %zu KiB; %u interfaces: EAL %zu KiB, libc %zu "
	       "KiB, %zu bytes an interface with its peer ",
	       eal_one / 1024, libc_one / 1024, N_IFACES, eal_all / 1024, libc_all / 1024,
	       a_tenant);
	CU_ASSERT_TRUE(a_tenant < MAX_BYTES_A_TENANT);

	/* And they run: built with the ports, each reachable by its port and its VLAN. */
	t0 = now_s();
	dp = dp_create(cfg, 1, &lcore, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
	CU_ASSERT_EQUAL_FATAL(dp_ports_init(dp, msg, sizeof(msg)), 0);
	t1 = now_s();
	printf("built in %.2f s ", t1 - t0);
	CU_ASSERT_TRUE(t1 - t0 < 30.0);
	CU_ASSERT_EQUAL(dp->n_tenants, N_IFACES);
	for (unsigned int i = 0; i < N_IFACES; i++) {
		const struct dp_tenant *t = dp->tenants[i];

		CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, (uint16_t)(20000 + i)), t);
		CU_ASSERT_PTR_EQUAL(dp_port_tenant(dp, &dp->ports[1], (uint16_t)(1 + i)), t);
		CU_ASSERT_EQUAL(t->n_live_peers, 1);
		CU_ASSERT_PTR_NOT_NULL(t->aips->compact); /* not 130 MiB of rte_fib */
	}
	/* Idle, the control lcore's only per-tenant work is the cookie secrets' publication, once
	 * a second: a look at each tenant, and every 2 minutes a new secret each. */
	t0 = now_s();
	for (int i = 0; i < 100; i++)
		dp_gate_publish_all(dp, wg_clock_mono_ns());
	t1 = now_s();
	printf("publication %.1f us a second, ", (t1 - t0) * 1e6 / 100);
	CU_ASSERT_TRUE((t1 - t0) / 100 < 0.001);
	t0 = now_s();
	dp_gate_publish_all(dp, wg_clock_mono_ns() + 130 * 1000000000ull);
	t1 = now_s();
	printf("%.2f ms every 2 minutes (new secrets) ", (t1 - t0) * 1e3);
	CU_ASSERT_TRUE(t1 - t0 < 0.1);
	dp_ports_stop(dp);
	dp_free(dp);
}

static struct wgdp_config *parse(char *text, struct wgdp_config_error *err)
{
	struct wgdp_config *c = text ? wgdp_config_parse(text, strlen(text), err) : NULL;

	free(text);
	if (c && !wgdp_config_check_interfaces(c, err)) {
		wgdp_config_free(c);
		c = NULL;
	}
	return c;
}

int main(int argc, char **argv)
{
	static const CU_TestInfo tests[] = {
		{ "1,000 interfaces load, each reachable, little memory each", test_thousand },
		CU_TEST_INFO_NULL,
	};
	struct wgdp_config_error err;
	int rc;

	(void)argc;
	if (wgc_init() != 0 ||
	    unit_eal_init(argv[0], "tenant-scale", "1024",
			  (const char *const[]){ "--vdev", "net_null0", "--vdev", "net_null1",
						 "--log-level=*:notice", NULL }) < 0)
		return 2;
	cfg = parse(config_text(N_IFACES), &err);
	cfg_one = cfg ? parse(config_text(1), &err) : NULL;
	if (!cfg || !cfg_one) {
		fprintf(stderr, "test_tenant_scale: config: %s: %s\n", err.path, err.message);
		return 2;
	}
	rc = unit_run("tenant_scale", tests);
	wgdp_config_free(cfg);
	wgdp_config_free(cfg_one);
	rte_eal_cleanup();
	return rc;
}
