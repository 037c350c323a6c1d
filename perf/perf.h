/* SPDX-License-Identifier: MIT */
/* wgdp-perf: benchmarks that print one JSON object per line on stdout. */
#ifndef WGDP_PERF_H
#define WGDP_PERF_H

#include <stdint.h>

/* Each benchmark is a subcommand: argv[0] is its name. Returns the exit status. */
int perf_crypto_main(int argc, char **argv);
int perf_dataplane_main(int argc, char **argv);
int perf_control_main(int argc, char **argv);
int perf_handshake_main(int argc, char **argv);

/* Monotonic seconds, for measuring. */
double perf_now(void);

/* CPU timestamp counter, for cycles per byte; 0 where there is none. */
uint64_t perf_cycles(void);

#endif
