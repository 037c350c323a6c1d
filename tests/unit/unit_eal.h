/* SPDX-License-Identifier: MIT */
/* The EAL as the data-plane unit tests start it. */
#ifndef WGDP_TESTS_UNIT_EAL_H
#define WGDP_TESTS_UNIT_EAL_H

/*
 * rte_eal_init for a test: one lcore, no hugepages, no shared config, no PCI, no telemetry,
 * mem_mb MiB, a file prefix of its own ("wgdp-test-<name>-<pid>"), then extra (more EAL
 * arguments, NULL-terminated: log level, --vdev ...). Returns what rte_eal_init returns.
 */
int unit_eal_init(const char *argv0, const char *name, const char *mem_mb,
		  const char *const *extra);

#endif
