/* SPDX-License-Identifier: MIT */
/*
 * wgdp-perf: the project's benchmarks. Every figure is a JSON line on stdout, so runs can be
 * compared, plotted and kept; anything for humans goes to stderr.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "perf.h"

double perf_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t perf_cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __rdtsc();
#else
	return 0;
#endif
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} benches[] = {
	{ "crypto", perf_crypto_main, "AEAD throughput (batch vs single-buffer) and X25519 rate" },
	{ "dataplane", perf_dataplane_main,
	  "the worker pipeline on net_ring ports beside the crypto ceiling" },
	{ "control", perf_control_main,
	  "config load time and memory per peer, one-peer reload cost, up to 1M peers" },
	{ "handshake", perf_handshake_main,
	  "handshake capacity and response times of a running wgdp, alone and under floods" },
	{ "noise", perf_noise_main,
	  "the responder's cost of one handshake, step by step, beside the X25519 floor" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: wgdp-perf <benchmark> [options]   (wgdp-perf <benchmark> --help)\n\n"
		     "Benchmarks:\n");
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		fprintf(out, "  %-10s %s\n", benches[i].name, benches[i].what);
	fprintf(out, "\nResults are JSON objects, one per line, on stdout.\n"
		     "wgdp-perf --version prints the version.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("wgdp-perf (wgdp) %s\n", WGDP_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (strcmp(argv[1], benches[i].name) == 0)
			return benches[i].run(argc - 1, argv + 1);
	fprintf(stderr, "wgdp-perf: unknown benchmark '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
