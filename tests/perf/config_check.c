/* SPDX-License-Identifier: MIT */
/*
 * config_check FILE: runs wgdp's own config parser and validator (lib/config, exactly what
 * `wgdp -c FILE` runs before anything starts) on FILE, offline: no EAL, no ports.
 * Prints "ok: N peers, N allowed-ips" or the error with its JSON path; exit 0 or 1.
 */
#include <stdio.h>

#include "config.h"

int main(int argc, char **argv)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg;
	unsigned long prefixes = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: config_check FILE\n");
		return 2;
	}
	cfg = wgdp_config_load(argv[1], &err);
	if (!cfg) {
		fprintf(stderr, "%s: %s%s%s\n", argv[1], err.path, err.path[0] ? ": " : "",
			err.message);
		return 1;
	}
	for (unsigned int i = 0; i < cfg->n_peers; i++)
		prefixes += cfg->peers[i].n_allowed_ips;
	printf("ok: %u peers, %lu allowed-ips\n", cfg->n_peers, prefixes);
	wgdp_config_free(cfg);
	return 0;
}
