/* SPDX-License-Identifier: MIT */
/*
 * WireGuard's four messages as they sit on the wire (whitepaper section 5.4). All multi-byte
 * integers are little-endian on the wire: read and write them only through the helpers below,
 * never by casting.
 */
#ifndef WGDP_WG_MESSAGES_H
#define WGDP_WG_MESSAGES_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/x25519.h"

enum wg_message_type {
	WG_MSG_INITIATION = 1,
	WG_MSG_RESPONSE = 2,
	WG_MSG_COOKIE = 3,
	WG_MSG_DATA = 4,
};

#define WG_TAI64N_LEN	   12
#define WG_COOKIE_LEN	   16
#define WG_COOKIE_NONCE_LEN 24
#define WG_MSG_PADDING	   16 /* transport plaintext is padded to a multiple of this */

/* The first four bytes of every message: a type byte and three reserved zero bytes. */
struct wg_msg_header {
	uint8_t type;
	uint8_t reserved[3];
};

/* mac1 and mac2 end every handshake message. */
struct wg_msg_macs {
	uint8_t mac1[WG_COOKIE_LEN];
	uint8_t mac2[WG_COOKIE_LEN];
};

struct wg_msg_initiation {
	struct wg_msg_header header;
	uint8_t sender[4];
	uint8_t unencrypted_ephemeral[WGC_X25519_KEY_LEN];
	uint8_t encrypted_static[WGC_X25519_KEY_LEN + WGC_AEAD_TAG_LEN];
	uint8_t encrypted_timestamp[WG_TAI64N_LEN + WGC_AEAD_TAG_LEN];
	struct wg_msg_macs macs;
};

struct wg_msg_response {
	struct wg_msg_header header;
	uint8_t sender[4];
	uint8_t receiver[4];
	uint8_t unencrypted_ephemeral[WGC_X25519_KEY_LEN];
	uint8_t encrypted_nothing[WGC_AEAD_TAG_LEN];
	struct wg_msg_macs macs;
};

struct wg_msg_cookie {
	struct wg_msg_header header;
	uint8_t receiver[4];
	uint8_t nonce[WG_COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[WG_COOKIE_LEN + WGC_AEAD_TAG_LEN];
};

/* The transport header; the encrypted, padded packet and its 16-byte tag follow. */
struct wg_msg_data {
	struct wg_msg_header header;
	uint8_t receiver[4];
	uint8_t counter[8];
};

/* Every struct is made of byte arrays only, so there is no padding to hide. */
static_assert(sizeof(struct wg_msg_initiation) == 148, "initiation is 148 bytes");
static_assert(sizeof(struct wg_msg_response) == 92, "response is 92 bytes");
static_assert(sizeof(struct wg_msg_cookie) == 64, "cookie reply is 64 bytes");
static_assert(sizeof(struct wg_msg_data) == 16, "data header is 16 bytes");
static_assert(offsetof(struct wg_msg_initiation, macs) == 116, "mac1 of an initiation");
static_assert(offsetof(struct wg_msg_response, macs) == 60, "mac1 of a response");

/* The smallest transport message: header and the tag of an empty (keepalive) payload. */
#define WG_MSG_DATA_MIN_LEN (sizeof(struct wg_msg_data) + WGC_AEAD_TAG_LEN)

static inline uint32_t wg_get_le32(const uint8_t p[4])
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wg_put_le32(uint8_t p[4], uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t wg_get_le64(const uint8_t p[8])
{
	return (uint64_t)wg_get_le32(p) | (uint64_t)wg_get_le32(p + 4) << 32;
}

static inline void wg_put_le64(uint8_t p[8], uint64_t v)
{
	wg_put_le32(p, (uint32_t)v);
	wg_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline void wg_msg_header_init(struct wg_msg_header *h, enum wg_message_type type)
{
	h->type = (uint8_t)type;
	memset(h->reserved, 0, sizeof(h->reserved));
}

/*
 * The type of the message in buf, or 0 when it cannot be a well-formed WireGuard message:
 * unknown type, non-zero reserved bytes, or a length that does not match the type (handshake
 * messages have fixed sizes; data needs at least header + tag; padding capped by the MTU
 * means its length need not be a multiple of 16).
 */
enum wg_message_type wg_msg_classify(const void *buf, size_t len);

/* Bytes of plaintext once a payload of len bytes is padded (len rounded up to 16, capped by
 * mtu when mtu is not a multiple of 16). */
static inline size_t wg_padded_len(size_t len, size_t mtu)
{
	size_t padded = (len + WG_MSG_PADDING - 1) & ~(size_t)(WG_MSG_PADDING - 1);

	if (mtu && len <= mtu && padded > mtu)
		padded = mtu;
	return padded;
}

#endif
