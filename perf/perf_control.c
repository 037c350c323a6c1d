/* SPDX-License-Identifier: MIT */
/*
 * wgdp-perf control: how the control plane scales with the number of peers.
 *
 * For each size N: a JSON config of N peers (random public keys, an inner IPv4 /32 each: the
 * remote-access case) is
 * generated, then parsed and turned into a data plane exactly as wgdp does at start
 * (wgdp_config_parse + dp_create: peer tables, allowed-ips generation); the time and the
 * resident memory this adds are reported. Then a reload that changes one peer's allowed-ips
 * goes through the same path as the control socket's: parse, diff, new peers and tables
 * prepared by the control thread, then the control lcore's part, timed on its own (this is
 * all the control lcore is kept from handshakes; workers never stop).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>

#include "config.h"
#include "secret_alloc.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "dp/admin.h"
#include "dp/dp.h"
#include "dp/log.h"
#include "perf.h"

/* The interface key: RFC 7748 6.1's Alice. */
#define OUR_KEY "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="

/* This process's CPU time: on a shared machine wall time also counts other jobs' turns. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t rss_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (size_t)resident * 4096;
}

/* Peer i's entry; changed moves its IPv4 prefix, as an operator's edit would. */
static void peer_entry(FILE *f, const uint8_t *keys, uint32_t i, bool changed)
{
	char b64[WGC_KEY_B64_LEN + 1];

	wgc_key_to_base64(b64, keys + 32 * (size_t)i);
	fprintf(f, "%s{\"public_key\":\"%s\",\"allowed_ips\":[\"%u.%u.%u.%u/32\"]}",
		i ? "," : "", b64, changed ? 11 : 10, (i >> 16) & 255, (i >> 8) & 255, i & 255);
}

static char *config_text(const uint8_t *keys, uint32_t n, int64_t changed, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	fprintf(f, "{\"interface\":{\"name\":\"wgdp0\",\"private_key\":\"" OUR_KEY "\"},"
		   "\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"192.0.2.1/24\"]}],"
		   "\"limits\":{\"max_peers\":%u},\"peers\":[",
		n + 16);
	for (uint32_t i = 0; i < n; i++)
		peer_entry(f, keys, i, (int64_t)i == changed);
	fprintf(f, "]}");
	fclose(f);
	return text;
}

static int bench_size(uint32_t n, bool reload)
{
	uint8_t *keys = malloc(32 * (size_t)n);
	unsigned int lcore = rte_get_main_lcore();
	struct wgdp_config_error cerr;
	struct dp_apply_result res;
	struct wgdp_config *cfg, *next;
	struct dp_admin *adm;
	struct dp_ctx *dp;
	size_t len, rss0;
	double t0, t_parse, t_build, t_reparse, c0, c_parse, c_build;
	char *text, err[256];

	if (!keys)
		return -1;
	wgc_random(keys, 32 * (size_t)n);
	text = config_text(keys, n, -1, &len);
	rss0 = rss_bytes();
	c0 = cpu_now();
	t0 = perf_now();
	cfg = wgdp_config_parse(text, len, &cerr);
	t_parse = perf_now();
	c_parse = cpu_now();
	free(text);
	if (!cfg) {
		fprintf(stderr, "wgdp-perf control: %s: %s\n", cerr.path, cerr.message);
		free(keys);
		return -1;
	}
	dp = dp_create(cfg, 1, &lcore, err, sizeof(err));
	t_build = perf_now();
	c_build = cpu_now();
	if (!dp) {
		fprintf(stderr, "wgdp-perf control: %s\n", err);
		wgdp_config_free(cfg);
		free(keys);
		return -1;
	}
	printf("{\"bench\":\"control\",\"op\":\"load\",\"peers\":%u,\"config_bytes\":%zu,"
	       "\"parse_s\":%.3f,\"build_s\":%.3f,\"load_s\":%.3f,\"bytes_per_peer\":%.0f,"
	       "\"parse_cpu_s\":%.3f,\"build_cpu_s\":%.3f}\n",
	       n, len, t_parse - t0, t_build - t_parse, t_build - t0,
	       (double)(rss_bytes() - rss0) / n, c_parse - c0, c_build - c_parse);
	fflush(stdout);
	adm = reload ? dp_admin_create(dp, cfg, NULL) : NULL;
	if (adm) {
		text = config_text(keys, n, n / 2, &len);
		t0 = perf_now();
		next = wgdp_config_parse(text, len, &cerr);
		t_reparse = perf_now();
		free(text);
		if (next && dp_admin_apply(adm, next, &res, &cerr) == 0)
			printf("{\"bench\":\"control\",\"op\":\"reload_one_change\",\"peers\":%u,"
			       "\"changed\":%u,\"parse_ms\":%.2f,\"prepare_ms\":%.2f,"
			       "\"control_lcore_busy_us\":%.1f,\"workers_paused_us\":0}\n",
			       n, res.changed, (t_reparse - t0) * 1e3, res.prepare_ns / 1e6,
			       res.apply_ns / 1e3);
		else
			fprintf(stderr, "wgdp-perf control: reload failed: %s: %s\n", cerr.path,
				cerr.message);
		fflush(stdout);
		dp_admin_free(adm);
	}
	dp_free(dp);
	wgdp_config_free(cfg);
	free(keys);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: wgdp-perf control [--peers N,N,...] [--memory MB]\n"
		     "  Loads configs of N peers (default 1000,100000,1000000) as wgdp does and\n"
		     "  times a reload that changes one peer (at N <= 100000, and at the largest).\n");
}

int perf_control_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "peers", required_argument, NULL, 'p' },
		{ "memory", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t sizes[8] = { 1000, 100000, 1000000 };
	int n_sizes = 3, c, rc = 0;
	char mem[16] = "6144";
	char *eal_argv[] = { "wgdp-perf", "-l", "0", "--no-huge", "--no-shconf", "--no-pci",
			     "-m", mem, "--log-level=*:error", NULL };

	/* jansson's allocator as wgdp's own main sets it, so the load is timed as wgdp runs it. */
	wgdp_json_wipe_on_free();
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			n_sizes = 0;
			for (char *s = strtok(optarg, ","); s && n_sizes < 8; s = strtok(NULL, ","))
				sizes[n_sizes++] = (uint32_t)strtoul(s, NULL, 10);
			break;
		case 'm':
			snprintf(mem, sizeof(mem), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (wgc_init() != 0 || rte_eal_init((int)(sizeof(eal_argv) / sizeof(eal_argv[0]) - 1),
					    eal_argv) < 0) {
		fprintf(stderr, "wgdp-perf control: EAL initialisation failed\n");
		return 1;
	}
	dp_log_init();
	for (int i = 0; i < n_sizes && rc == 0; i++)
		rc = bench_size(sizes[i], true);
	rte_eal_cleanup();
	return rc ? 1 : 0;
}
