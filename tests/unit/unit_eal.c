/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>

#include "unit_eal.h"

#define EAL_ARGS_MAX 32

int unit_eal_init(const char *argv0, const char *name, const char *mem_mb, const char *const *extra)
{
	static char prefix[64];
	const char *base[] = { argv0,
			       "-l",
			       "0",
			       "--no-huge",
			       "--no-shconf",
			       "--no-pci",
			       "--no-telemetry",
			       "-m",
			       mem_mb,
			       "--file-prefix",
			       prefix };
	char *argv[EAL_ARGS_MAX + 1];
	int argc = 0;

	snprintf(prefix, sizeof(prefix), "wgdp-test-%s-%d", name, (int)getpid());
	/* rte_eal_init takes char **; it does not write the strings. */
	for (unsigned int i = 0; i < RTE_DIM(base); i++)
		argv[argc++] = (char *)(uintptr_t)base[i];
	for (unsigned int i = 0; extra && extra[i] && argc < EAL_ARGS_MAX; i++)
		argv[argc++] = (char *)(uintptr_t)extra[i];
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}
