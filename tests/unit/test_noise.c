/* SPDX-License-Identifier: MIT */
/*
 * Two in-process peers run Noise_IKpsk2 against each other: handshakes with and without a
 * preshared key, transport both ways, and every way a handshake message can be refused.
 */
#include <string.h>

#include "crypto/ct.h"
#include "crypto/x25519.h"
#include "unit.h"
#include "wg/clock.h"
#include "wg/cookie.h"
#include "wg/index.h"
#include "wg/noise.h"
#include "wg/tai64n.h"

#define T0     (1000 * WG_NSEC_PER_SEC)      /* monotonic */
#define REAL0  (1700000000ull * WG_NSEC_PER_SEC) /* wall clock */

struct side {
	struct wg_identity id;
	struct wg_handshake hs; /* our state for the one peer on the other side */
	struct wg_keypair kp;
};

static struct side alice, bob; /* alice initiates */
static uint8_t psk[32];

static struct wg_handshake *lookup_alice(void *ctx, const uint8_t key[32])
{
	struct side *responder = ctx;

	return memcmp(key, alice.id.public_key, 32) == 0 ? &responder->hs : NULL;
}

static void setup_pair(const uint8_t *alice_psk, const uint8_t *bob_psk)
{
	uint8_t priv[32];

	wgc_x25519_generate(priv);
	CU_ASSERT_TRUE_FATAL(wg_identity_set(&alice.id, priv));
	wgc_x25519_generate(priv);
	CU_ASSERT_TRUE_FATAL(wg_identity_set(&bob.id, priv));
	wgc_memzero(priv, sizeof(priv));
	wg_handshake_init(&alice.hs, &alice.id, bob.id.public_key, alice_psk);
	wg_handshake_init(&bob.hs, &bob.id, alice.id.public_key, bob_psk);
}

/* A full handshake; returns false at the first refusal. */
static bool handshake(uint64_t now, uint64_t real)
{
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	enum wg_noise_error err;

	if (wg_noise_create_initiation(&init, &alice.hs, &alice.id, 0x11111111, real))
		return false;
	if (!wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, now, &err))
		return false;
	if (wg_noise_create_response(&resp, &bob.hs, 0x22222222))
		return false;
	if (wg_noise_consume_response(&resp, &alice.hs, &alice.id))
		return false;
	return wg_noise_derive_keypair(&alice.kp, &alice.hs, now) &&
	       wg_noise_derive_keypair(&bob.kp, &bob.hs, now);
}

/* Sends len bytes from one keypair to the other as a transport message would carry them. */
static bool transport(struct wg_keypair *from, struct wg_keypair *to, size_t len)
{
	uint8_t plain[256], sealed[256 + WGC_AEAD_TAG_LEN], opened[256];
	uint64_t counter = from->send_counter++;

	wgc_random(plain, len);
	wgc_aead_encrypt(sealed, plain, len, NULL, 0, counter, from->send_key);
	if (!wgc_aead_decrypt(opened, sealed, len + WGC_AEAD_TAG_LEN, NULL, 0, counter,
			      to->recv_key))
		return false;
	return memcmp(opened, plain, len) == 0 && wg_replay_check(&to->replay, counter);
}

static void test_handshake_without_psk(void)
{
	setup_pair(NULL, NULL);
	CU_ASSERT_TRUE_FATAL(handshake(T0, REAL0));
	CU_ASSERT_TRUE(alice.kp.initiator);
	CU_ASSERT_FALSE(bob.kp.initiator);
	UNIT_ASSERT_MEM(alice.kp.send_key, bob.kp.recv_key, 32);
	UNIT_ASSERT_MEM(alice.kp.recv_key, bob.kp.send_key, 32);
	CU_ASSERT_FALSE(memcmp(alice.kp.send_key, alice.kp.recv_key, 32) == 0);
	/* Indexes cross over: what one side receives on is what the other sends to. */
	CU_ASSERT_EQUAL(alice.kp.local_index, 0x11111111);
	CU_ASSERT_EQUAL(alice.kp.remote_index, 0x22222222);
	CU_ASSERT_EQUAL(bob.kp.local_index, 0x22222222);
	CU_ASSERT_EQUAL(bob.kp.remote_index, 0x11111111);
	CU_ASSERT_EQUAL(alice.kp.birth, T0);
	for (size_t len = 0; len <= 256; len += 16) {
		CU_ASSERT_TRUE(transport(&alice.kp, &bob.kp, len));
		CU_ASSERT_TRUE(transport(&bob.kp, &alice.kp, len));
	}
	/* Handshake secrets are gone once the keypair exists. */
	CU_ASSERT_EQUAL(alice.hs.state, WG_HS_ZEROED);
	CU_ASSERT_TRUE(wgc_ct_is_zero(alice.hs.chaining_key, 32));
	CU_ASSERT_TRUE(wgc_ct_is_zero(bob.hs.ephemeral_private, 32));
}

static void test_handshake_with_psk(void)
{
	wgc_random(psk, sizeof(psk));
	setup_pair(psk, psk);
	CU_ASSERT_TRUE_FATAL(handshake(T0, REAL0));
	CU_ASSERT_TRUE(transport(&alice.kp, &bob.kp, 100));
	CU_ASSERT_TRUE(transport(&bob.kp, &alice.kp, 100));
}

/* The psk enters only at the response: the initiation passes, the response fails. */
/* A responder ephemeral made ahead of time works as a fresh one would, is the one on the wire,
 * and is wiped once used; a second use of the same (now zeroed) struct cannot slip through. */
static void test_response_with_premade_ephemeral(void)
{
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_ephemeral eph, zero = { 0 };
	uint8_t pub[32];

	setup_pair(NULL, NULL);
	CU_ASSERT_TRUE_FATAL(wg_ephemeral_generate(&eph));
	CU_ASSERT_TRUE(wgc_x25519_public(pub, eph.private_key));
	CU_ASSERT_EQUAL(memcmp(pub, eph.public_key, 32), 0);
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 7, REAL0),
			WG_NOISE_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(
		wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0, NULL));
	CU_ASSERT_EQUAL(wg_noise_create_response_with(&resp, &bob.hs, 8, &eph), WG_NOISE_OK);
	CU_ASSERT_EQUAL(memcmp(resp.unencrypted_ephemeral, pub, 32), 0);
	CU_ASSERT_EQUAL(memcmp(&eph, &zero, sizeof(eph)), 0);
	CU_ASSERT_EQUAL(wg_noise_consume_response(&resp, &alice.hs, &alice.id), WG_NOISE_OK);
	CU_ASSERT_TRUE(wg_noise_derive_keypair(&alice.kp, &alice.hs, T0));
	CU_ASSERT_TRUE(wg_noise_derive_keypair(&bob.kp, &bob.hs, T0));
	CU_ASSERT_TRUE(transport(&alice.kp, &bob.kp, 100));
	CU_ASSERT_TRUE(transport(&bob.kp, &alice.kp, 100));
	/* Out of order: refused, and the ephemeral is still wiped. */
	CU_ASSERT_TRUE_FATAL(wg_ephemeral_generate(&eph));
	CU_ASSERT_EQUAL(wg_noise_create_response_with(&resp, &bob.hs, 9, &eph), WG_NOISE_ERR_STATE);
	CU_ASSERT_EQUAL(memcmp(&eph, &zero, sizeof(eph)), 0);
}

static void test_psk_mismatch(void)
{
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	uint8_t other[32];

	wgc_random(psk, sizeof(psk));
	wgc_random(other, sizeof(other));
	setup_pair(psk, other);
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 1, REAL0), 0);
	CU_ASSERT_PTR_EQUAL(wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0,
							NULL),
			    &bob.hs);
	CU_ASSERT_EQUAL(wg_noise_create_response(&resp, &bob.hs, 2), 0);
	CU_ASSERT_EQUAL(wg_noise_consume_response(&resp, &alice.hs, &alice.id),
			WG_NOISE_ERR_DECRYPT_EMPTY);
	/* A refused response leaves the initiator waiting, state untouched. */
	CU_ASSERT_EQUAL(alice.hs.state, WG_HS_CREATED_INITIATION);
	/* Only a psk on one side is a mismatch too. */
	setup_pair(psk, NULL);
	CU_ASSERT_FALSE(handshake(T0, REAL0));
}

static void test_replayed_initiation(void)
{
	struct wg_msg_initiation init, init2;
	enum wg_noise_error err;

	setup_pair(NULL, NULL);
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 1, REAL0), 0);
	CU_ASSERT_PTR_NOT_NULL(
		wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0, &err));
	/* The same message a second later: same timestamp. */
	CU_ASSERT_PTR_NULL(wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob,
						       T0 + WG_NSEC_PER_SEC, &err));
	CU_ASSERT_EQUAL(err, WG_NOISE_ERR_REPLAY);
	/* A new initiation with an older clock is a replay too. */
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init2, &alice.hs, &alice.id, 1,
						   REAL0 - WG_NSEC_PER_SEC),
			0);
	CU_ASSERT_PTR_NULL(wg_noise_consume_initiation(&init2, &bob.id, lookup_alice, &bob,
						       T0 + 2 * WG_NSEC_PER_SEC, &err));
	CU_ASSERT_EQUAL(err, WG_NOISE_ERR_REPLAY);
	/* A newer one is fine. */
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init2, &alice.hs, &alice.id, 1,
						   REAL0 + WG_NSEC_PER_SEC),
			0);
	CU_ASSERT_PTR_NOT_NULL(wg_noise_consume_initiation(&init2, &bob.id, lookup_alice, &bob,
							   T0 + 3 * WG_NSEC_PER_SEC, &err));
}

static void test_initiation_flood_limit(void)
{
	struct wg_msg_initiation init;
	enum wg_noise_error err;
	uint64_t real = REAL0;

	setup_pair(NULL, NULL);
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 1, real), 0);
	CU_ASSERT_PTR_NOT_NULL(
		wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0, &err));
	/* Fresh timestamp (the TAI64N grain is 2^24 ns), but only 19.99 ms later. */
	real += WG_NSEC_PER_SEC;
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 1, real), 0);
	CU_ASSERT_PTR_NULL(wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob,
						       T0 + WG_INITIATION_MIN_INTERVAL - 1, &err));
	CU_ASSERT_EQUAL(err, WG_NOISE_ERR_FLOOD);
	/* A clock a moment behind the one that stamped the last consumption (another lcore's):
	 * within the 20 ms too. */
	CU_ASSERT_PTR_NULL(
		wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0 - 1000, &err));
	CU_ASSERT_EQUAL(err, WG_NOISE_ERR_FLOOD);
	/* At 20 ms the same message is accepted: a flood refusal does not burn the timestamp. */
	CU_ASSERT_PTR_NOT_NULL(wg_noise_consume_initiation(
		&init, &bob.id, lookup_alice, &bob, T0 + WG_INITIATION_MIN_INTERVAL, &err));
}

static void test_unknown_peer(void)
{
	struct wg_msg_initiation init;
	struct wg_identity stranger;
	struct wg_handshake hs;
	enum wg_noise_error err;
	uint8_t priv[32];

	setup_pair(NULL, NULL);
	wgc_x25519_generate(priv);
	CU_ASSERT_TRUE_FATAL(wg_identity_set(&stranger, priv));
	wg_handshake_init(&hs, &stranger, bob.id.public_key, NULL);
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &hs, &stranger, 9, REAL0), 0);
	CU_ASSERT_PTR_NULL(
		wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0, &err));
	CU_ASSERT_EQUAL(err, WG_NOISE_ERR_UNKNOWN_PEER);
	/* An initiation meant for someone else does not even open. */
	CU_ASSERT_PTR_NULL(
		wg_noise_consume_initiation(&init, &alice.id, lookup_alice, &alice, T0, &err));
	CU_ASSERT_EQUAL(err, WG_NOISE_ERR_DECRYPT_STATIC);
}

/* Flipping any byte of an initiation's cryptographic fields gets it refused, state unchanged. */
static void test_tampered_initiation(void)
{
	struct wg_msg_initiation init, bad;
	enum wg_noise_error err;
	size_t first = offsetof(struct wg_msg_initiation, unencrypted_ephemeral);
	size_t end = offsetof(struct wg_msg_initiation, macs);

	setup_pair(NULL, NULL);
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 1, REAL0), 0);
	for (size_t i = first; i < end; i++) {
		bad = init;
		((uint8_t *)&bad)[i] ^= 0x04;
		CU_ASSERT_PTR_NULL(
			wg_noise_consume_initiation(&bad, &bob.id, lookup_alice, &bob, T0, &err));
		CU_ASSERT_NOT_EQUAL(err, WG_NOISE_OK);
	}
	CU_ASSERT_EQUAL(bob.hs.state, WG_HS_ZEROED);
	CU_ASSERT_TRUE(wgc_ct_is_zero(bob.hs.latest_timestamp, WG_TAI64N_LEN));
	/* The untouched message still goes through afterwards. */
	CU_ASSERT_PTR_NOT_NULL(
		wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0, &err));
}

static void test_tampered_response(void)
{
	struct wg_msg_initiation init;
	struct wg_msg_response resp, bad;
	size_t first = offsetof(struct wg_msg_response, unencrypted_ephemeral);
	size_t end = offsetof(struct wg_msg_response, macs);

	setup_pair(NULL, NULL);
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 7, REAL0), 0);
	CU_ASSERT_PTR_NOT_NULL(
		wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0, NULL));
	CU_ASSERT_EQUAL(wg_noise_create_response(&resp, &bob.hs, 8), 0);
	for (size_t i = first; i < end; i++) {
		bad = resp;
		((uint8_t *)&bad)[i] ^= 0x20;
		CU_ASSERT_NOT_EQUAL(wg_noise_consume_response(&bad, &alice.hs, &alice.id), 0);
	}
	/* A response naming another receiver index is not ours. */
	bad = resp;
	wg_put_le32(bad.receiver, 8);
	CU_ASSERT_EQUAL(wg_noise_consume_response(&bad, &alice.hs, &alice.id), WG_NOISE_ERR_STATE);
	CU_ASSERT_EQUAL(alice.hs.state, WG_HS_CREATED_INITIATION);
	CU_ASSERT_EQUAL(wg_noise_consume_response(&resp, &alice.hs, &alice.id), 0);
	/* ...and only once. */
	CU_ASSERT_EQUAL(wg_noise_consume_response(&resp, &alice.hs, &alice.id), WG_NOISE_ERR_STATE);
}

/* The all-zero point and the point u=1 have small order; both must be refused. */
static void test_low_order_keys(void)
{
	struct wg_msg_initiation init;
	struct wg_handshake hs;
	enum wg_noise_error err;
	uint8_t zero[32] = { 0 }, one[32] = { 1 };

	setup_pair(NULL, NULL);
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 1, REAL0), 0);
	memcpy(init.unencrypted_ephemeral, one, 32);
	CU_ASSERT_PTR_NULL(
		wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0, &err));
	CU_ASSERT_EQUAL(err, WG_NOISE_ERR_LOW_ORDER);
	/* A peer configured with a low-order static key can never handshake. */
	wg_handshake_init(&hs, &alice.id, zero, NULL);
	CU_ASSERT_FALSE(wg_handshake_precompute(&hs, &alice.id));
	CU_ASSERT_NOT_EQUAL(wg_noise_create_initiation(&init, &hs, &alice.id, 1, REAL0), 0);
}

static void test_state_machine(void)
{
	struct wg_msg_response resp;
	struct wg_keypair kp;
	struct wg_identity none = { 0 };
	struct wg_msg_initiation init;

	setup_pair(NULL, NULL);
	/* Nothing consumed: no response, no keys. */
	CU_ASSERT_EQUAL(wg_noise_create_response(&resp, &bob.hs, 1), WG_NOISE_ERR_STATE);
	CU_ASSERT_FALSE(wg_noise_derive_keypair(&kp, &bob.hs, T0));
	/* An initiator that has not received the response cannot derive keys. */
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 1, REAL0), 0);
	CU_ASSERT_FALSE(wg_noise_derive_keypair(&kp, &alice.hs, T0));
	/* Without a private key nothing starts. */
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &none, 1, REAL0),
			WG_NOISE_ERR_NO_IDENTITY);
	CU_ASSERT_PTR_NULL(wg_noise_consume_initiation(&init, &none, lookup_alice, &bob, T0, NULL));
	CU_ASSERT_STRING_EQUAL(wg_noise_error_name(WG_NOISE_ERR_REPLAY), "replay");
}

static void test_message_layout(void)
{
	struct wg_msg_initiation init;
	struct wg_msg_response resp;

	setup_pair(NULL, NULL);
	CU_ASSERT_EQUAL(wg_noise_create_initiation(&init, &alice.hs, &alice.id, 0xa1b2c3d4, REAL0),
			0);
	CU_ASSERT_EQUAL(wg_msg_classify(&init, sizeof(init)), WG_MSG_INITIATION);
	CU_ASSERT_EQUAL(((uint8_t *)&init)[4], 0xd4); /* sender index is little-endian */
	CU_ASSERT_TRUE(wgc_ct_is_zero(&init.macs, sizeof(init.macs)));
	CU_ASSERT_PTR_NOT_NULL(
		wg_noise_consume_initiation(&init, &bob.id, lookup_alice, &bob, T0, NULL));
	CU_ASSERT_EQUAL(bob.hs.remote_index, 0xa1b2c3d4);
	CU_ASSERT_EQUAL(wg_noise_create_response(&resp, &bob.hs, 0x01020304), 0);
	CU_ASSERT_EQUAL(wg_msg_classify(&resp, sizeof(resp)), WG_MSG_RESPONSE);
	CU_ASSERT_EQUAL(wg_get_le32(resp.receiver), 0xa1b2c3d4);
	CU_ASSERT_EQUAL(wg_get_le32(resp.sender), 0x01020304);
}

static void test_tai64n(void)
{
	uint8_t a[12], b[12], want[12];

	/* 1970-01-01T00:00:00Z is TAI64 label 2^62 + 10 (leap seconds then), zero nanoseconds. */
	wg_tai64n(a, 0);
	unit_hex(want, sizeof(want), "400000000000000a 00000000");
	UNIT_ASSERT_MEM(a, want, 12);
	/* 1.5 s: nanoseconds rounded down to a multiple of 2^24 (0x1d000000 = 486539264). */
	wg_tai64n(a, 1500000000ull);
	unit_hex(want, sizeof(want), "400000000000000b 1d000000");
	UNIT_ASSERT_MEM(a, want, 12);
	wg_tai64n(b, 1500000000ull + 20 * WG_NSEC_PER_MSEC);
	CU_ASSERT_TRUE(wg_tai64n_after(b, a));
	CU_ASSERT_FALSE(wg_tai64n_after(a, b));
	CU_ASSERT_FALSE(wg_tai64n_after(a, a));
}

static void test_index_table(void)
{
	enum { N = 50000 };
	static uint32_t idx[N];
	struct wg_index_table *t = wg_index_table_create(N);
	uint32_t spare;
	int value;
	bool unique = true;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int i = 0; i < N; i++)
		CU_ASSERT_TRUE_FATAL(wg_index_add(t, &idx[i], &idx[i]));
	CU_ASSERT_FALSE(wg_index_add(t, &value, &spare)); /* full */
	CU_ASSERT_EQUAL(wg_index_count(t), N);
	for (int i = 0; i < N; i++)
		if (wg_index_lookup(t, idx[i]) != &idx[i])
			unique = false;
	CU_ASSERT_TRUE(unique);
	/* Churn: remove and add many times; tombstones must not break lookups. */
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < N; i += 2) {
			CU_ASSERT_TRUE(wg_index_remove(t, idx[i]));
			CU_ASSERT_PTR_NULL(wg_index_lookup(t, idx[i]));
			CU_ASSERT_FALSE(wg_index_remove(t, idx[i]));
		}
		for (int i = 0; i < N; i += 2)
			CU_ASSERT_TRUE(wg_index_add(t, &idx[i], &idx[i]));
	}
	unique = true;
	for (int i = 0; i < N; i++)
		if (wg_index_lookup(t, idx[i]) != &idx[i])
			unique = false;
	CU_ASSERT_TRUE(unique);
	CU_ASSERT_EQUAL(wg_index_count(t), N);
	wg_index_table_free(t);
}

static struct wg_keypair *new_keypair(struct wg_keypair *kp, bool initiator)
{
	memset(kp, 0, sizeof(*kp));
	kp->initiator = initiator;
	kp->valid = true;
	return kp;
}

/* Whitepaper 5.4.6 / 6.1: current, previous and an unconfirmed next. */
static void test_keypair_slots(void)
{
	struct wg_keypair k[6];
	struct wg_keypairs kps = { 0 };
	struct wg_keypair *retired[3], *one;

	/* Initiator: each new keypair becomes current at once, the old one previous. */
	CU_ASSERT_EQUAL(wg_keypairs_add(&kps, new_keypair(&k[0], true), retired), 0);
	CU_ASSERT_PTR_EQUAL(kps.current, &k[0]);
	CU_ASSERT_EQUAL(wg_keypairs_add(&kps, new_keypair(&k[1], true), retired), 0);
	CU_ASSERT_PTR_EQUAL(kps.current, &k[1]);
	CU_ASSERT_PTR_EQUAL(kps.previous, &k[0]);
	CU_ASSERT_EQUAL(wg_keypairs_add(&kps, new_keypair(&k[2], true), retired), 1);
	CU_ASSERT_PTR_EQUAL(retired[0], &k[0]);
	CU_ASSERT_PTR_EQUAL(kps.previous, &k[1]);

	/* Responder: the new keypair waits in next and we keep sending with current. */
	CU_ASSERT_EQUAL(wg_keypairs_add(&kps, new_keypair(&k[3], false), retired), 1);
	CU_ASSERT_PTR_EQUAL(retired[0], &k[1]);
	CU_ASSERT_PTR_EQUAL(kps.next, &k[3]);
	CU_ASSERT_PTR_EQUAL(kps.current, &k[2]);
	CU_ASSERT_PTR_NULL(kps.previous);
	/* Data under current confirms nothing; data under next rotates. */
	CU_ASSERT_FALSE(wg_keypairs_confirm(&kps, &k[2], &one));
	CU_ASSERT_TRUE(wg_keypairs_confirm(&kps, &k[3], &one));
	CU_ASSERT_PTR_NULL(one);
	CU_ASSERT_PTR_EQUAL(kps.current, &k[3]);
	CU_ASSERT_PTR_EQUAL(kps.previous, &k[2]);
	CU_ASSERT_PTR_NULL(kps.next);
	CU_ASSERT_FALSE(wg_keypairs_confirm(&kps, &k[3], &one));

	/* A second responder keypair replaces an unconfirmed next. */
	wg_keypairs_add(&kps, new_keypair(&k[4], false), retired);
	CU_ASSERT_EQUAL(wg_keypairs_add(&kps, new_keypair(&k[5], false), retired), 1);
	CU_ASSERT_PTR_EQUAL(retired[0], &k[4]);
	CU_ASSERT_PTR_EQUAL(kps.next, &k[5]);

	/* Then we initiate: the unconfirmed next is kept as previous, current retires. */
	CU_ASSERT_EQUAL(wg_keypairs_add(&kps, new_keypair(&k[0], true), retired), 1);
	CU_ASSERT_PTR_EQUAL(retired[0], &k[3]);
	CU_ASSERT_PTR_EQUAL(kps.previous, &k[5]);
	CU_ASSERT_PTR_EQUAL(kps.current, &k[0]);
	CU_ASSERT_PTR_NULL(kps.next);

	CU_ASSERT_EQUAL(wg_keypairs_clear(&kps, retired), 2);
	CU_ASSERT_PTR_NULL(kps.current);
	CU_ASSERT_PTR_NULL(kps.previous);

	k[0].send_key[0] = 1;
	wg_keypair_wipe(&k[0]);
	CU_ASSERT_FALSE(k[0].valid);
	CU_ASSERT_TRUE(wgc_ct_is_zero(k[0].send_key, 32));
}

/* The responder's keypair is confirmed by the initiator's first data packet. */
static void test_responder_confirms_on_first_data(void)
{
	struct wg_keypairs a = { 0 }, b = { 0 };
	struct wg_keypair *retired[2], *one;

	setup_pair(NULL, NULL);
	CU_ASSERT_TRUE_FATAL(handshake(T0, REAL0));
	wg_keypairs_add(&a, &alice.kp, retired);
	wg_keypairs_add(&b, &bob.kp, retired);
	CU_ASSERT_PTR_NULL(b.current); /* bob may not send yet */
	CU_ASSERT_TRUE(transport(a.current, &bob.kp, 0)); /* alice's first packet: a keepalive */
	CU_ASSERT_TRUE(wg_keypairs_confirm(&b, &bob.kp, &one));
	CU_ASSERT_PTR_EQUAL(b.current, &bob.kp);
	CU_ASSERT_TRUE(transport(b.current, a.current, 64));
}

/*
 * A responder's handshake against an independent implementation of the whitepaper (Python's
 * hashlib BLAKE2s and HMAC, and the cryptography package's X25519 and ChaCha20-Poly1305),
 * with fixed keys: s_r = 40..5f, s_i = 60..7f, e_i = 80..9f, e_r = a0..bf, psk = c0..df,
 * sender 0x11223344, our sender 0x55667788. It covers everything the responder precomputes:
 * the start hash of its identity, the first chaining key's HMAC key, the mac1 key's block.
 */
static const char kat_initiation[] =
	"0100000044332211493e82fc74464a59268817623d2053c5eb8e2cc4a988b4fe"
	"e179ec6b010d531db0afdf75eae025964873eb3943977210f12233f3a9c33d12"
	"c365c10541e256e7bb1b13e162285d321496f75d9e759a2320662da30a5bca31"
	"daec73e3a6fd1058071e58112f21b75519312ddcb7f2c1487c318b7faf0989ca"
	"70da54a900000000000000000000000000000000";
static const char kat_response[] =
	"020000008877665544332211605a725d2a4adfeeb1a29e17edd621c1b7593ee8"
	"cdbc44ac6c4ab6e2f805d23c577de04eda375c317114df0c89984b977bffd9c2"
	"56f4af3534e2e24aee8a126300000000000000000000000000000000";
static const char kat_responder_send[] =
	"385c2ddcca8049a8e583ff3ca9951c73ba68eacac94b5aba0e1e8b6376e35e28";
static const char kat_responder_recv[] =
	"82c9021f84f3ad0ba25cdc771c461957a3af9a5fe5e93b2b45a2c6cf585f25d8";
static struct wg_handshake *lookup_kat(void *ctx, const uint8_t key[32])
{
	struct wg_handshake *hs = ctx;

	return memcmp(key, hs->remote_static, 32) == 0 ? hs : NULL;
}

static void fill(uint8_t *p, uint8_t first)
{
	for (int i = 0; i < 32; i++)
		p[i] = (uint8_t)(first + i);
}

static void test_responder_known_answer(void)
{
	static const uint8_t src[4] = { 192, 0, 2, 2 };
	uint8_t key[32], want_resp[92], want_send[32], want_recv[32];
	struct wg_identity us, them;
	struct wg_handshake hs;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_ephemeral eph;
	struct wg_cookie_checker checker;
	struct wg_cookie_maker maker;
	struct wg_keypair kp;

	fill(key, 0x40);
	CU_ASSERT_TRUE_FATAL(wg_identity_set(&us, key));
	fill(key, 0x60);
	CU_ASSERT_TRUE_FATAL(wg_identity_set(&them, key));
	fill(key, 0xc0);
	wg_handshake_init(&hs, &us, them.public_key, key);
	CU_ASSERT_EQUAL_FATAL(unit_hex((uint8_t *)&init, sizeof(init), kat_initiation),
			      sizeof(init));
	unit_hex(want_resp, sizeof(want_resp), kat_response);
	unit_hex(want_send, sizeof(want_send), kat_responder_send);
	unit_hex(want_recv, sizeof(want_recv), kat_responder_recv);

	wg_cookie_checker_init(&checker, us.public_key);
	CU_ASSERT_EQUAL(wg_cookie_validate(&checker, &init, sizeof(init), src, sizeof(src), 51820,
					   false, T0),
			WG_COOKIE_MAC1_VALID);
	CU_ASSERT_PTR_EQUAL_FATAL(
		wg_noise_consume_initiation(&init, &us, lookup_kat, &hs, T0, NULL), &hs);
	fill(eph.private_key, 0xa0);
	CU_ASSERT_TRUE_FATAL(wgc_x25519_public(eph.public_key, eph.private_key));
	CU_ASSERT_EQUAL_FATAL(wg_noise_create_response_with(&resp, &hs, 0x55667788, &eph),
			      WG_NOISE_OK);
	wg_cookie_maker_init(&maker, them.public_key);
	wg_cookie_add_macs(&maker, &resp, sizeof(resp), T0);
	UNIT_ASSERT_MEM(&resp, want_resp, sizeof(want_resp));
	CU_ASSERT_TRUE_FATAL(wg_noise_derive_keypair(&kp, &hs, T0));
	UNIT_ASSERT_MEM(kp.send_key, want_send, 32);
	UNIT_ASSERT_MEM(kp.recv_key, want_recv, 32);
	wg_cookie_checker_wipe(&checker);
	wg_handshake_wipe(&hs);
	wg_keypair_wipe(&kp);
}

/* The start hash wg_identity_set keeps is the one the whitepaper builds step by step. */
static void test_identity_start_hash(void)
{
	static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
	static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
	uint8_t key[32], c[32], buf[32 + sizeof(identifier)], want[32];
	struct wg_identity id;

	/* HASH(CONSTRUCTION) as wireguard-go spells out its InitialChainKey. */
	wgc_hash(c, construction, strlen(construction));
	unit_hex(want, 32, "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
	UNIT_ASSERT_MEM(c, want, 32);
	memcpy(buf, c, 32);
	memcpy(buf + 32, identifier, strlen(identifier));
	wgc_hash(c, buf, 32 + strlen(identifier));
	unit_hex(want, 32, "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
	UNIT_ASSERT_MEM(c, want, 32);

	for (int round = 0; round < 8; round++) {
		wgc_x25519_generate(key);
		CU_ASSERT_TRUE_FATAL(wg_identity_set(&id, key));
		memcpy(buf, c, 32);
		memcpy(buf + 32, id.public_key, 32);
		wgc_hash(want, buf, 64);
		UNIT_ASSERT_MEM(id.responder_hash, want, 32);
	}
	wg_identity_clear(&id);
	CU_ASSERT_TRUE(wgc_ct_is_zero(id.responder_hash, 32));
	wgc_memzero(key, sizeof(key));
}

/* A batch of ephemerals: each clamped, each its own, each public key its private key's. */
static void test_ephemeral_batch(void)
{
	struct wg_ephemeral e[20];
	uint8_t pub[32];

	CU_ASSERT_EQUAL_FATAL(wg_ephemeral_generate_many(e, 20), 20);
	for (int i = 0; i < 20; i++) {
		CU_ASSERT_EQUAL(e[i].private_key[0] & 7, 0);
		CU_ASSERT_EQUAL(e[i].private_key[31] & 0xc0, 0x40);
		CU_ASSERT_TRUE(wgc_x25519_public(pub, e[i].private_key));
		UNIT_ASSERT_MEM(e[i].public_key, pub, 32);
		for (int j = 0; j < i; j++)
			CU_ASSERT_FALSE(memcmp(e[i].private_key, e[j].private_key, 32) == 0);
	}
	CU_ASSERT_EQUAL(wg_ephemeral_generate_many(e, 0), 0);
	wgc_memzero(e, sizeof(e));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "handshake without psk, transport both ways", test_handshake_without_psk },
		{ "handshake with psk", test_handshake_with_psk },
		{ "response with an ephemeral made ahead", test_response_with_premade_ephemeral },
		{ "psk mismatch fails at the response", test_psk_mismatch },
		{ "replayed or older initiation refused", test_replayed_initiation },
		{ "one initiation per 20 ms", test_initiation_flood_limit },
		{ "unknown or misaddressed initiator", test_unknown_peer },
		{ "tampered initiation refused", test_tampered_initiation },
		{ "tampered or misaddressed response refused", test_tampered_response },
		{ "low-order keys refused", test_low_order_keys },
		{ "state machine order", test_state_machine },
		{ "message layout on the wire", test_message_layout },
		{ "TAI64N labels", test_tai64n },
		{ "receiver indexes random and unique", test_index_table },
		{ "keypair slots: previous, current, next", test_keypair_slots },
		{ "responder confirms on first data", test_responder_confirms_on_first_data },
		{ "responder against an independent implementation", test_responder_known_answer },
		{ "identity's start hash is the whitepaper's", test_identity_start_hash },
		{ "ephemerals made a batch at a time", test_ephemeral_batch },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("noise", tests);
}
