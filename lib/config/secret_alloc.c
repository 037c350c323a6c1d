/* SPDX-License-Identifier: MIT */
#include <malloc.h>
#include <stdlib.h>

#include <jansson.h>

#include "secret_alloc.h"
#include "crypto/ct.h"

size_t wgdp_wipe_block(void *p)
{
	/* A free is not told the size: the usable size covers every byte that can have been
	 * written (ASan reports the size asked for, and checks the wipe stays inside it). */
	size_t n = p ? malloc_usable_size(p) : 0;

	if (n)
		wgc_memzero(p, n);
	return n;
}

void wgdp_wiping_free(void *p)
{
	wgdp_wipe_block(p);
	free(p);
}

void wgdp_json_wipe_on_free(void)
{
	json_set_alloc_funcs(malloc, wgdp_wiping_free);
}
