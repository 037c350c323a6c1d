/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "crypto/ct.h"
#include "snapshot.h"

void ctl_snapshot_free(struct ctl_snapshot *snap)
{
	if (!snap)
		return;
	for (unsigned int i = 0; i < snap->n_peers; i++)
		wgdp_peer_config_clear(&snap->peers[i].cfg);
	free(snap->peers);
	wgc_memzero(snap, sizeof(*snap));
}
