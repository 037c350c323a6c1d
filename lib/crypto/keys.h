/* SPDX-License-Identifier: MIT */
/* 32-byte keys as text, exactly as `wg genkey`, `wg pubkey` and `wg genpsk` print them. */
#ifndef WGDP_CRYPTO_KEYS_H
#define WGDP_CRYPTO_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGC_KEY_LEN	    32
#define WGC_KEY_B64_LEN	    44 /* without the terminating NUL */

/* Writes the 44-character base64 form and a NUL. */
void wgc_key_to_base64(char out[WGC_KEY_B64_LEN + 1], const uint8_t key[WGC_KEY_LEN]);

/*
 * Parses exactly 44 characters of standard base64 with one '=' of padding, canonical
 * (unused low bits zero), as wg does. Returns false on anything else; key is then zeroed.
 */
bool wgc_key_from_base64(uint8_t key[WGC_KEY_LEN], const char *b64);

/* Same, but accepts one trailing newline and surrounding blanks, as in a key file. */
bool wgc_key_from_text(uint8_t key[WGC_KEY_LEN], const char *text, size_t len);

#endif
