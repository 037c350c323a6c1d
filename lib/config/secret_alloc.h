/* SPDX-License-Identifier: MIT */
/*
 * jansson's memory, zeroed when freed. Configs, control requests and answers, and wgdpctl's
 * import and export carry private and preshared keys in JSON strings, and jansson grows its
 * buffers (the parser's token, json_dumps' text, arrays and objects) by copying them and
 * freeing the old block: wgdp_json_wipe reaches the strings of a tree, never those copies.
 * Only jansson's own free can, so wgdp and wgdpctl give it one that wipes.
 */
#ifndef WGDP_CONFIG_SECRET_ALLOC_H
#define WGDP_CONFIG_SECRET_ALLOC_H

#include <stddef.h>

/*
 * Makes jansson zero every block before freeing it (malloc stays malloc, so a block jansson
 * got before this, or one it hands out such as json_dumps' result, may still be freed by either
 * free). Call at the start of main: jansson's allocator is process-wide and unlocked.
 */
void wgdp_json_wipe_on_free(void);

/* free(p) after zeroing all of its block: malloc_usable_size, not only what was asked for.
 * The free given to jansson; NULL does nothing. */
void wgdp_wiping_free(void *p);

/* Zeroes all of p's block (a live malloc'd block, or NULL) and returns how many bytes. */
size_t wgdp_wipe_block(void *p);

#endif
