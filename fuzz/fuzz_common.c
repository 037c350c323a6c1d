/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "fuzz_common.h"

/* Test keys only: they protect nothing, and are never printed. */
static const uint8_t initiator_private[32] = {
	0x48, 0x2b, 0x1c, 0x5e, 0x9a, 0x31, 0x77, 0x02, 0x6d, 0xe4, 0x10,
	0x8f, 0x3b, 0xc6, 0x55, 0x21, 0x90, 0x0a, 0x7e, 0xd3, 0x44, 0x18,
	0xb9, 0x6f, 0x25, 0x83, 0xca, 0x0d, 0x5a, 0xe1, 0x37, 0x4c,
};
static const uint8_t responder_private[32] = {
	0x70, 0x11, 0xa2, 0x3d, 0xc4, 0x5b, 0x86, 0x19, 0xe0, 0x7f, 0x2a,
	0x93, 0x0e, 0xd8, 0x61, 0xb4, 0x3c, 0x57, 0x08, 0xfa, 0x26, 0x9d,
	0x4e, 0x13, 0xab, 0x72, 0x05, 0xc9, 0x38, 0x8e, 0x66, 0x5d,
};
static const uint8_t psk[32] = { [0] = 0x5c, [7] = 0x01, [31] = 0xa5 };

/* splitmix64: plenty for reproducible "randomness"; nothing here needs to be secret. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rng_buf(void *const buf, const size_t size)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)rng_next();
}

static uint32_t rng_random(void)
{
	return (uint32_t)rng_next();
}

static const char *rng_name(void)
{
	return "wgdp-fuzz";
}

static struct randombytes_implementation rng_impl = {
	.implementation_name = rng_name,
	.random = rng_random,
	.buf = rng_buf,
};

void fuzz_rng_reset(uint64_t seed)
{
	rng_state = seed;
}

void fuzz_init_crypto(void)
{
	/* Before sodium_init: libsodium picks its generator there. */
	randombytes_set_implementation(&rng_impl);
	if (wgc_init() != 0) {
		fprintf(stderr, "fuzz: libsodium init failed\n");
		abort();
	}
}

struct wg_handshake *fuzz_lookup(void *ctx, const uint8_t remote_static[32])
{
	struct fuzz_side *responder = ctx;

	return memcmp(remote_static, responder->hs.remote_static, 32) == 0 ? &responder->hs : NULL;
}

static void side_init(struct fuzz_side *s, const uint8_t peer_pub[32])
{
	wg_handshake_init(&s->hs, &s->id, peer_pub, psk);
	wg_cookie_checker_init(&s->checker, s->id.public_key);
	wg_cookie_maker_init(&s->maker, peer_pub);
}

void fuzz_pair_init(struct fuzz_side *initiator, struct fuzz_side *responder)
{
	memset(initiator, 0, sizeof(*initiator));
	memset(responder, 0, sizeof(*responder));
	if (!wg_identity_set(&initiator->id, initiator_private) ||
	    !wg_identity_set(&responder->id, responder_private))
		abort();
	side_init(initiator, responder->id.public_key);
	side_init(responder, initiator->id.public_key);
}

void fuzz_initiator_sent(struct fuzz_side *initiator, struct fuzz_side *responder,
			 struct wg_msg_initiation *msg)
{
	fuzz_rng_reset(1);
	fuzz_pair_init(initiator, responder);
	if (wg_noise_create_initiation(msg, &initiator->hs, &initiator->id, FUZZ_INITIATOR_INDEX,
				       FUZZ_REAL) != WG_NOISE_OK)
		abort();
	wg_cookie_add_macs(&initiator->maker, msg, sizeof(*msg), FUZZ_NOW);
}

size_t fuzz_config_json(char *out, size_t cap)
{
	char priv[WGC_KEY_B64_LEN + 1], peer1[WGC_KEY_B64_LEN + 1], peer2[WGC_KEY_B64_LEN + 1];
	char psk_b64[WGC_KEY_B64_LEN + 1];
	struct wg_identity id;
	int n;

	wgc_key_to_base64(priv, responder_private);
	if (!wg_identity_set(&id, initiator_private))
		abort();
	wgc_key_to_base64(peer1, id.public_key);
	wg_identity_clear(&id);
	if (!wg_identity_set(&id, psk))
		abort();
	wgc_key_to_base64(peer2, id.public_key);
	wg_identity_clear(&id);
	wgc_key_to_base64(psk_b64, psk);
	n = snprintf(out, cap,
		     "{\"interface\":{\"name\":\"wgfuzz\",\"private_key\":\"%s\","
		     "\"listen_port\":51820,\"mtu\":1420},"
		     "\"ports\":[{\"port\":0,\"role\":\"outside\","
		     "\"address\":[\"192.0.2.1/24\",\"2001:db8::1/64\"],"
		     "\"gateway\":\"192.0.2.254\",\"queues\":1},"
		     "{\"port\":1,\"role\":\"inside\",\"address\":[\"10.0.0.1/24\"]}],"
		     "\"peers\":[{\"public_key\":\"%s\",\"preshared_key\":\"%s\","
		     "\"endpoint\":\"198.51.100.7:51820\","
		     "\"allowed_ips\":[\"10.0.1.0/24\",\"fd00:1::/64\"],"
		     "\"persistent_keepalive\":25,\"name\":\"one\"},"
		     "{\"public_key\":\"%s\",\"endpoint\":\"[2001:db8::7]:51821\","
		     "\"allowed_ips\":[\"10.0.2.0/24\"]}],"
		     "\"limits\":{\"under_load_queue\":64,\"handshake_queue\":256,"
		     "\"max_peers\":16},"
		     "\"control\":{\"socket\":\"/nonexistent/wgdp-fuzz.sock\",\"uapi\":false}}\n",
		     priv, peer1, psk_b64, peer2);
	wgc_memzero(priv, sizeof(priv));
	if (n < 0 || (size_t)n >= cap)
		abort();
	return (size_t)n;
}

void fuzz_config_keys(uint8_t peer1[32], uint8_t peer2[32], uint8_t psk_out[32],
		      uint8_t stranger[32])
{
	struct wg_identity id;

	if (!wg_identity_set(&id, initiator_private))
		abort();
	memcpy(peer1, id.public_key, 32);
	if (!wg_identity_set(&id, psk))
		abort();
	memcpy(peer2, id.public_key, 32);
	wg_identity_clear(&id);
	memcpy(psk_out, psk, 32);
	memset(stranger, 0x42, 32);
}
