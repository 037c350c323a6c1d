/* SPDX-License-Identifier: MIT */
/* wgdp-perf: benchmarks that print one JSON object per line on stdout. */
#ifndef WGDP_PERF_H
#define WGDP_PERF_H

#include <stdint.h>
#include <stdio.h>

/* Each benchmark is a subcommand: argv[0] is its name. Returns the exit status. */
int perf_crypto_main(int argc, char **argv);
int perf_dataplane_main(int argc, char **argv);
int perf_control_main(int argc, char **argv);
int perf_handshake_main(int argc, char **argv);
int perf_noise_main(int argc, char **argv);
/* hs_inproc.c: wgdp-perf handshake --inproc. */
int perf_hs_inproc_main(int argc, char **argv);
void perf_hs_inproc_usage(FILE *out);

/* Monotonic seconds, for measuring. */
double perf_now(void);

/* CPU timestamp counter, for cycles per byte; 0 where there is none. */
uint64_t perf_cycles(void);

#endif
