/* SPDX-License-Identifier: MIT */
/*
 * Reading a file that may hold keys (a config, a peer list, a wg-quick file). stdio would pass
 * it through a FILE buffer that fclose frees unwiped, and realloc leaves the old block behind
 * when it moves: this reads with read(2) straight into blocks it wipes when it lets them go.
 */
#ifndef WGDP_CONFIG_SECRET_FILE_H
#define WGDP_CONFIG_SECRET_FILE_H

#include <stddef.h>

#include <jansson.h>

/*
 * The whole of path, NUL-terminated, in *len bytes (the NUL not
 * counted); the caller wipes and frees it (wgdp_secret_text_free). NULL with err filled ("cannot
 * open: No such file or directory", "larger than 64 MiB") when it cannot be read or is over
 * max bytes.
 */
char *wgdp_secret_file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen);

/* Zeroes text's len bytes and its NUL, then frees it; NULL does nothing. */
void wgdp_secret_text_free(char *text, size_t len);

/*
 * The peer list of a file (set-peers): a JSON array of peers, or an object's "peers" (a
 * config's; with "interfaces" and no "peers", refused: each interface has its own). Read as
 * above, parsed, the rest of the tree let go. NULL with err filled ("line 3, column 7: ...").
 */
json_t *wgdp_peer_list_load(const char *path, size_t max, char *err, size_t errlen);

#endif
