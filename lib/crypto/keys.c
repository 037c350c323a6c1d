/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "ct.h"
#include "keys.h"

void wgc_key_to_base64(char out[WGC_KEY_B64_LEN + 1], const uint8_t key[WGC_KEY_LEN])
{
	sodium_bin2base64(out, WGC_KEY_B64_LEN + 1, key, WGC_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

bool wgc_key_from_base64(uint8_t key[WGC_KEY_LEN], const char *b64)
{
	size_t bin_len = 0;
	const char *end = NULL;

	/* 32 bytes are 43 characters and one '='; libsodium refuses non-zero unused bits. */
	if (strnlen(b64, WGC_KEY_B64_LEN + 1) != WGC_KEY_B64_LEN || b64[43] != '=' ||
	    sodium_base642bin(key, WGC_KEY_LEN, b64, WGC_KEY_B64_LEN, NULL, &bin_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    bin_len != WGC_KEY_LEN || end != b64 + WGC_KEY_B64_LEN) {
		wgc_memzero(key, WGC_KEY_LEN);
		return false;
	}
	return true;
}

bool wgc_key_from_text(uint8_t key[WGC_KEY_LEN], const char *text, size_t len)
{
	char buf[WGC_KEY_B64_LEN + 1];
	bool ok;

	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	while (len && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	if (len != WGC_KEY_B64_LEN) {
		wgc_memzero(key, WGC_KEY_LEN);
		return false;
	}
	memcpy(buf, text, WGC_KEY_B64_LEN);
	buf[WGC_KEY_B64_LEN] = '\0';
	ok = wgc_key_from_base64(key, buf);
	wgc_memzero(buf, sizeof(buf));
	return ok;
}
