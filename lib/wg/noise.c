/* SPDX-License-Identifier: MIT */
/*
 * The handshake follows the whitepaper's message construction step by step; each helper is
 * one of its operations (MixHash, MixKey, a DH mixed into the chaining key, ...). Consumers
 * work on local copies of hash and chaining key and commit them only on success.
 */
#include <string.h>

#include "crypto/ct.h"
#include "crypto/x25519.h"
#include "noise.h"
#include "tai64n.h"

static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";

/*
 * HASH(CONSTRUCTION) and HASH(HASH(CONSTRUCTION) || IDENTIFIER), the same for every handshake,
 * and the first chaining key as an HMAC key: the first KDF of every handshake has it as key,
 * so its pads are compressed once, here.
 */
static uint8_t initial_chaining_key[WGC_BLAKE2S_HASH_LEN];
static uint8_t initial_hash[WGC_BLAKE2S_HASH_LEN];
static struct wgc_hmac_key initial_kdf_key;

static wg_noise_probe_fn probe;

void wg_noise_set_probe(wg_noise_probe_fn fn)
{
	probe = fn;
}

static inline void at(enum wg_noise_point point)
{
	if (__builtin_expect(probe != NULL, 0) && point != WG_NOISE_POINTS)
		probe(point);
}

static const char *const error_names[WG_NOISE_ERR_COUNT] = {
	[WG_NOISE_OK] = "ok",
	[WG_NOISE_ERR_NO_IDENTITY] = "no_identity",
	[WG_NOISE_ERR_LOW_ORDER] = "low_order",
	[WG_NOISE_ERR_DECRYPT_STATIC] = "bad_static",
	[WG_NOISE_ERR_UNKNOWN_PEER] = "unknown_peer",
	[WG_NOISE_ERR_DECRYPT_TIMESTAMP] = "bad_timestamp",
	[WG_NOISE_ERR_REPLAY] = "replay",
	[WG_NOISE_ERR_FLOOD] = "flood",
	[WG_NOISE_ERR_STATE] = "no_handshake",
	[WG_NOISE_ERR_DECRYPT_EMPTY] = "bad_response",
};

const char *wg_noise_error_name(enum wg_noise_error err)
{
	if ((unsigned int)err >= WG_NOISE_ERR_COUNT)
		return "unknown";
	return error_names[err];
}

static void mix_hash(uint8_t hash[WGC_BLAKE2S_HASH_LEN], const void *data, size_t len)
{
	struct wgc_blake2s s;

	wgc_blake2s_init(&s, WGC_BLAKE2S_HASH_LEN, NULL, 0);
	wgc_blake2s_update(&s, hash, WGC_BLAKE2S_HASH_LEN);
	wgc_blake2s_update(&s, data, len);
	wgc_blake2s_final(&s, hash);
}

/* The constants, computed when the program is loaded: before any thread can race for them. */
static void __attribute__((constructor)) initial_state_init(void)
{
	wgc_hash(initial_chaining_key, construction, strlen(construction));
	memcpy(initial_hash, initial_chaining_key, sizeof(initial_hash));
	mix_hash(initial_hash, identifier, strlen(identifier));
	wgc_hmac_key_init(&initial_kdf_key, initial_chaining_key, sizeof(initial_chaining_key));
}

/* Ci := KDF1(Ci, input). */
static void mix_key(uint8_t chaining_key[WGC_BLAKE2S_HASH_LEN], const uint8_t *input, size_t len)
{
	wgc_kdf(chaining_key, NULL, NULL, chaining_key, input, len);
}

/* (Ci, k) := KDF2(Ci, DH(priv, pub)); false on a low-order point. */
static bool mix_dh(uint8_t chaining_key[WGC_BLAKE2S_HASH_LEN], uint8_t key[WGC_AEAD_KEY_LEN],
		   const uint8_t priv[WGC_X25519_KEY_LEN], const uint8_t pub[WGC_X25519_KEY_LEN],
		   enum wg_noise_point done)
{
	uint8_t shared[WGC_X25519_KEY_LEN];
	bool ok = wgc_x25519(shared, priv, pub);

	at(done);
	if (ok)
		wgc_kdf(chaining_key, key, NULL, chaining_key, shared, sizeof(shared));
	wgc_memzero(shared, sizeof(shared));
	return ok;
}

/* Same, with the static-static result, computed on first use. */
static bool mix_precomputed_dh(uint8_t chaining_key[WGC_BLAKE2S_HASH_LEN],
			       uint8_t key[WGC_AEAD_KEY_LEN], struct wg_handshake *hs,
			       const struct wg_identity *id)
{
	if (!wg_handshake_precompute(hs, id))
		return false;
	wgc_kdf(chaining_key, key, NULL, chaining_key, hs->static_static,
		sizeof(hs->static_static));
	return true;
}

/* (Ci, tau, k) := KDF3(Ci, Q); H := HASH(H || tau). The psk2 step. */
static void mix_psk(uint8_t chaining_key[WGC_BLAKE2S_HASH_LEN], uint8_t hash[WGC_BLAKE2S_HASH_LEN],
		    uint8_t key[WGC_AEAD_KEY_LEN], const uint8_t psk[WGC_AEAD_KEY_LEN])
{
	uint8_t tau[WGC_BLAKE2S_HASH_LEN];

	wgc_kdf(chaining_key, tau, key, chaining_key, psk, WGC_AEAD_KEY_LEN);
	mix_hash(hash, tau, sizeof(tau));
	wgc_memzero(tau, sizeof(tau));
}

/* msg := AEAD(k, 0, plain, H); H := HASH(H || msg). */
static void encrypt_and_hash(uint8_t *dst, const uint8_t *plain, size_t len,
			     const uint8_t key[WGC_AEAD_KEY_LEN],
			     uint8_t hash[WGC_BLAKE2S_HASH_LEN])
{
	wgc_aead_encrypt(dst, plain, len, hash, WGC_BLAKE2S_HASH_LEN, 0, key);
	mix_hash(hash, dst, len + WGC_AEAD_TAG_LEN);
}

static bool decrypt_and_hash(uint8_t *plain, const uint8_t *src, size_t len,
			     const uint8_t key[WGC_AEAD_KEY_LEN],
			     uint8_t hash[WGC_BLAKE2S_HASH_LEN])
{
	if (!wgc_aead_decrypt(plain, src, len + WGC_AEAD_TAG_LEN, hash, WGC_BLAKE2S_HASH_LEN, 0,
			      key))
		return false;
	mix_hash(hash, src, len + WGC_AEAD_TAG_LEN);
	return true;
}

/* Hi := HASH(HASH(HASH(CONSTRUCTION) || IDENTIFIER) || responder's static). */
static void start_hash(uint8_t hash[WGC_BLAKE2S_HASH_LEN],
		       const uint8_t responder_static[WGC_X25519_KEY_LEN])
{
	memcpy(hash, initial_hash, WGC_BLAKE2S_HASH_LEN);
	mix_hash(hash, responder_static, WGC_X25519_KEY_LEN);
}

/* The ephemeral public key goes into both the chaining key and the hash. */
static void mix_ephemeral(uint8_t chaining_key[WGC_BLAKE2S_HASH_LEN],
			  uint8_t hash[WGC_BLAKE2S_HASH_LEN],
			  const uint8_t ephemeral[WGC_X25519_KEY_LEN])
{
	mix_key(chaining_key, ephemeral, WGC_X25519_KEY_LEN);
	mix_hash(hash, ephemeral, WGC_X25519_KEY_LEN);
}

/*
 * Message 1's first step, Ci := KDF1(HASH(CONSTRUCTION), e) and Hi := HASH(Hi || e), with
 * start_hash already in hash: the same as handshake_start then mix_ephemeral, from the
 * precomputed HMAC key of the constant first chaining key.
 */
static void start_with_ephemeral(uint8_t chaining_key[WGC_BLAKE2S_HASH_LEN],
				 uint8_t hash[WGC_BLAKE2S_HASH_LEN],
				 const uint8_t ephemeral[WGC_X25519_KEY_LEN])
{
	wgc_kdf_keyed(chaining_key, NULL, NULL, &initial_kdf_key, ephemeral, WGC_X25519_KEY_LEN);
	mix_hash(hash, ephemeral, WGC_X25519_KEY_LEN);
}

bool wg_identity_set(struct wg_identity *id, const uint8_t private_key[WGC_X25519_KEY_LEN])
{
	memcpy(id->private_key, private_key, WGC_X25519_KEY_LEN);
	id->has_key = wgc_x25519_public(id->public_key, id->private_key);
	if (!id->has_key)
		wg_identity_clear(id);
	else
		start_hash(id->responder_hash, id->public_key);
	return id->has_key;
}

void wg_identity_clear(struct wg_identity *id)
{
	wgc_memzero(id, sizeof(*id));
}

bool wg_handshake_precompute(struct wg_handshake *hs, const struct wg_identity *id)
{
	if (hs->static_static_done)
		return hs->static_static_ok;
	hs->static_static_ok = id->has_key &&
			       wgc_x25519(hs->static_static, id->private_key, hs->remote_static);
	if (!hs->static_static_ok)
		wgc_memzero(hs->static_static, sizeof(hs->static_static));
	/* Without a key there is nothing to cache: a key set later must be used. */
	hs->static_static_done = id->has_key;
	return hs->static_static_ok;
}

void wg_handshake_rekey_identity(struct wg_handshake *hs, const struct wg_identity *id)
{
	(void)id;
	wgc_memzero(hs->static_static, sizeof(hs->static_static));
	hs->static_static_done = false;
	hs->static_static_ok = false;
}

void wg_handshake_init(struct wg_handshake *hs, const struct wg_identity *id,
		       const uint8_t remote_static[WGC_X25519_KEY_LEN], const uint8_t *preshared_key)
{
	memset(hs, 0, sizeof(*hs));
	memcpy(hs->remote_static, remote_static, WGC_X25519_KEY_LEN);
	if (preshared_key)
		memcpy(hs->preshared_key, preshared_key, WGC_AEAD_KEY_LEN);
	wg_handshake_rekey_identity(hs, id);
}

void wg_handshake_clear(struct wg_handshake *hs)
{
	wgc_memzero(hs->ephemeral_private, sizeof(hs->ephemeral_private));
	wgc_memzero(hs->remote_ephemeral, sizeof(hs->remote_ephemeral));
	wgc_memzero(hs->hash, sizeof(hs->hash));
	wgc_memzero(hs->chaining_key, sizeof(hs->chaining_key));
	hs->remote_index = 0;
	hs->local_index = 0;
	hs->state = WG_HS_ZEROED;
}

void wg_handshake_wipe(struct wg_handshake *hs)
{
	wgc_memzero(hs, sizeof(*hs));
}

enum wg_noise_error wg_noise_create_initiation(struct wg_msg_initiation *msg,
					       struct wg_handshake *hs,
					       const struct wg_identity *id, uint32_t local_index,
					       uint64_t real_ns)
{
	uint8_t key[WGC_AEAD_KEY_LEN], timestamp[WG_TAI64N_LEN];
	enum wg_noise_error err = WG_NOISE_ERR_LOW_ORDER;

	if (!id->has_key)
		return WG_NOISE_ERR_NO_IDENTITY;
	memset(msg, 0, sizeof(*msg));
	wg_msg_header_init(&msg->header, WG_MSG_INITIATION);
	wg_put_le32(msg->sender, local_index);

	start_hash(hs->hash, hs->remote_static);
	wgc_x25519_generate(hs->ephemeral_private);
	if (!wgc_x25519_public(msg->unencrypted_ephemeral, hs->ephemeral_private))
		goto fail;
	start_with_ephemeral(hs->chaining_key, hs->hash, msg->unencrypted_ephemeral);

	/* es: our ephemeral with their static, then our static sealed under it. */
	if (!mix_dh(hs->chaining_key, key, hs->ephemeral_private, hs->remote_static,
		    WG_NOISE_POINTS))
		goto fail;
	encrypt_and_hash(msg->encrypted_static, id->public_key, WGC_X25519_KEY_LEN, key, hs->hash);

	/* ss: the precomputed static-static, then the timestamp sealed under it. */
	if (!mix_precomputed_dh(hs->chaining_key, key, hs, id))
		goto fail;
	wg_tai64n(timestamp, real_ns);
	encrypt_and_hash(msg->encrypted_timestamp, timestamp, WG_TAI64N_LEN, key, hs->hash);

	hs->local_index = local_index;
	hs->state = WG_HS_CREATED_INITIATION;
	err = WG_NOISE_OK;
	goto out;
fail:
	wg_handshake_clear(hs);
out:
	wgc_memzero(key, sizeof(key));
	return err;
}

/* Everything an initiation establishes, kept local until the message is accepted. */
struct initiation_result {
	uint8_t chaining_key[WGC_BLAKE2S_HASH_LEN];
	uint8_t hash[WGC_BLAKE2S_HASH_LEN];
	uint8_t remote_static[WGC_X25519_KEY_LEN];
	uint8_t timestamp[WG_TAI64N_LEN];
};

static enum wg_noise_error open_initiation(const struct wg_msg_initiation *msg,
					   const struct wg_identity *id,
					   wg_noise_lookup_fn lookup, void *lookup_ctx,
					   struct initiation_result *r, struct wg_handshake **peer)
{
	uint8_t key[WGC_AEAD_KEY_LEN];
	enum wg_noise_error err;

	memcpy(r->hash, id->responder_hash, sizeof(r->hash));
	start_with_ephemeral(r->chaining_key, r->hash, msg->unencrypted_ephemeral);
	at(WG_NOISE_AT_MIXED_E_I);

	err = WG_NOISE_ERR_LOW_ORDER;
	if (!mix_dh(r->chaining_key, key, id->private_key, msg->unencrypted_ephemeral,
		    WG_NOISE_AT_DH_ES_DONE))
		goto out;
	at(WG_NOISE_AT_DH_ES);
	err = WG_NOISE_ERR_DECRYPT_STATIC;
	if (!decrypt_and_hash(r->remote_static, msg->encrypted_static, WGC_X25519_KEY_LEN, key,
			      r->hash))
		goto out;
	at(WG_NOISE_AT_STATIC);
	err = WG_NOISE_ERR_UNKNOWN_PEER;
	*peer = lookup(lookup_ctx, r->remote_static);
	if (!*peer)
		goto out;
	at(WG_NOISE_AT_LOOKUP);
	err = WG_NOISE_ERR_LOW_ORDER;
	if (!mix_precomputed_dh(r->chaining_key, key, *peer, id))
		goto out;
	at(WG_NOISE_AT_SS);
	err = WG_NOISE_ERR_DECRYPT_TIMESTAMP;
	if (!decrypt_and_hash(r->timestamp, msg->encrypted_timestamp, WG_TAI64N_LEN, key,
			      r->hash))
		goto out;
	at(WG_NOISE_AT_TIMESTAMP);
	err = WG_NOISE_OK;
out:
	wgc_memzero(key, sizeof(key));
	return err;
}

struct wg_handshake *wg_noise_consume_initiation(const struct wg_msg_initiation *msg,
						 const struct wg_identity *id,
						 wg_noise_lookup_fn lookup, void *lookup_ctx,
						 uint64_t now, enum wg_noise_error *err)
{
	struct wg_handshake *hs = NULL;
	struct initiation_result r;
	enum wg_noise_error e;

	if (!id->has_key) {
		e = WG_NOISE_ERR_NO_IDENTITY;
		goto out;
	}
	e = open_initiation(msg, id, lookup, lookup_ctx, &r, &hs);
	if (e != WG_NOISE_OK)
		goto out;
	/* A captured initiation replayed later carries an old timestamp. */
	if (!wg_tai64n_after(r.timestamp, hs->latest_timestamp)) {
		e = WG_NOISE_ERR_REPLAY;
		goto out;
	}
	/* Fresh timestamps at a high rate still cost us a DH each: one per 20 ms per peer.
	 * Signed: a consumption stamped by another lcore a moment ahead of our clock is one of
	 * now, not one of 584 years ago. */
	if (hs->last_initiation_consumption && (int64_t)(now - hs->last_initiation_consumption) <
						       (int64_t)WG_INITIATION_MIN_INTERVAL) {
		e = WG_NOISE_ERR_FLOOD;
		goto out;
	}

	memcpy(hs->latest_timestamp, r.timestamp, WG_TAI64N_LEN);
	hs->last_initiation_consumption = now;
	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WGC_X25519_KEY_LEN);
	memcpy(hs->chaining_key, r.chaining_key, sizeof(r.chaining_key));
	memcpy(hs->hash, r.hash, sizeof(r.hash));
	hs->remote_index = wg_get_le32(msg->sender);
	hs->state = WG_HS_CONSUMED_INITIATION;
out:
	wgc_memzero(&r, sizeof(r));
	if (err)
		*err = e;
	return e == WG_NOISE_OK ? hs : NULL;
}

bool wg_ephemeral_generate(struct wg_ephemeral *e)
{
	wgc_x25519_generate(e->private_key);
	if (wgc_x25519_public(e->public_key, e->private_key))
		return true;
	wgc_memzero(e, sizeof(*e));
	return false;
}

/* getrandom() costs a fixed part and then about 10 cycles a byte: draw private halves only. */
#define EPHEMERALS_A_DRAW 8

size_t wg_ephemeral_generate_many(struct wg_ephemeral *e, size_t n)
{
	uint8_t priv[EPHEMERALS_A_DRAW][WGC_X25519_KEY_LEN];
	size_t made = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t *p = priv[i % EPHEMERALS_A_DRAW];

		if (i % EPHEMERALS_A_DRAW == 0)
			wgc_random(priv, sizeof(priv));
		wgc_x25519_clamp(p);
		memcpy(e[made].private_key, p, WGC_X25519_KEY_LEN);
		if (wgc_x25519_public(e[made].public_key, e[made].private_key))
			made++;
	}
	wgc_memzero(priv, sizeof(priv));
	wgc_memzero(&e[made], (n - made) * sizeof(*e));
	return made;
}

enum wg_noise_error wg_noise_create_response(struct wg_msg_response *msg,
					     struct wg_handshake *hs, uint32_t local_index)
{
	struct wg_ephemeral eph;

	if (hs->state != WG_HS_CONSUMED_INITIATION)
		return WG_NOISE_ERR_STATE;
	if (!wg_ephemeral_generate(&eph)) {
		wg_handshake_clear(hs);
		return WG_NOISE_ERR_LOW_ORDER;
	}
	return wg_noise_create_response_with(msg, hs, local_index, &eph);
}

enum wg_noise_error wg_noise_create_response_with(struct wg_msg_response *msg,
						  struct wg_handshake *hs, uint32_t local_index,
						  struct wg_ephemeral *eph)
{
	uint8_t key[WGC_AEAD_KEY_LEN];
	enum wg_noise_error err = WG_NOISE_ERR_LOW_ORDER;

	if (hs->state != WG_HS_CONSUMED_INITIATION) {
		wgc_memzero(eph, sizeof(*eph));
		return WG_NOISE_ERR_STATE;
	}
	memset(msg, 0, sizeof(*msg));
	wg_msg_header_init(&msg->header, WG_MSG_RESPONSE);
	wg_put_le32(msg->sender, local_index);
	wg_put_le32(msg->receiver, hs->remote_index);

	memcpy(hs->ephemeral_private, eph->private_key, WGC_X25519_KEY_LEN);
	memcpy(msg->unencrypted_ephemeral, eph->public_key, WGC_X25519_KEY_LEN);
	wgc_memzero(eph, sizeof(*eph));
	mix_ephemeral(hs->chaining_key, hs->hash, msg->unencrypted_ephemeral);
	at(WG_NOISE_AT_MIXED_E_R);

	/* ee and se, each only into the chaining key. */
	if (!mix_dh(hs->chaining_key, NULL, hs->ephemeral_private, hs->remote_ephemeral,
		    WG_NOISE_AT_DH_EE_DONE))
		goto fail;
	at(WG_NOISE_AT_DH_EE);
	if (!mix_dh(hs->chaining_key, NULL, hs->ephemeral_private, hs->remote_static,
		    WG_NOISE_AT_DH_SE_DONE))
		goto fail;
	at(WG_NOISE_AT_DH_SE);

	mix_psk(hs->chaining_key, hs->hash, key, hs->preshared_key);
	at(WG_NOISE_AT_PSK);
	encrypt_and_hash(msg->encrypted_nothing, NULL, 0, key, hs->hash);
	at(WG_NOISE_AT_SEALED);

	hs->local_index = local_index;
	hs->state = WG_HS_CREATED_RESPONSE;
	err = WG_NOISE_OK;
	goto out;
fail:
	wg_handshake_clear(hs);
out:
	wgc_memzero(key, sizeof(key));
	return err;
}

enum wg_noise_error wg_noise_consume_response(const struct wg_msg_response *msg,
					      struct wg_handshake *hs,
					      const struct wg_identity *id)
{
	uint8_t chaining_key[WGC_BLAKE2S_HASH_LEN], hash[WGC_BLAKE2S_HASH_LEN];
	uint8_t key[WGC_AEAD_KEY_LEN];
	enum wg_noise_error err;

	if (!id->has_key)
		return WG_NOISE_ERR_NO_IDENTITY;
	if (hs->state != WG_HS_CREATED_INITIATION ||
	    wg_get_le32(msg->receiver) != hs->local_index)
		return WG_NOISE_ERR_STATE;

	memcpy(chaining_key, hs->chaining_key, sizeof(chaining_key));
	memcpy(hash, hs->hash, sizeof(hash));
	mix_ephemeral(chaining_key, hash, msg->unencrypted_ephemeral);

	err = WG_NOISE_ERR_LOW_ORDER;
	if (!mix_dh(chaining_key, NULL, hs->ephemeral_private, msg->unencrypted_ephemeral,
		    WG_NOISE_POINTS))
		goto out;
	if (!mix_dh(chaining_key, NULL, id->private_key, msg->unencrypted_ephemeral,
		    WG_NOISE_POINTS))
		goto out;
	mix_psk(chaining_key, hash, key, hs->preshared_key);
	err = WG_NOISE_ERR_DECRYPT_EMPTY;
	if (!decrypt_and_hash(NULL, msg->encrypted_nothing, 0, key, hash))
		goto out;

	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WGC_X25519_KEY_LEN);
	memcpy(hs->chaining_key, chaining_key, sizeof(chaining_key));
	memcpy(hs->hash, hash, sizeof(hash));
	hs->remote_index = wg_get_le32(msg->sender);
	hs->state = WG_HS_CONSUMED_RESPONSE;
	err = WG_NOISE_OK;
out:
	wgc_memzero(chaining_key, sizeof(chaining_key));
	wgc_memzero(hash, sizeof(hash));
	wgc_memzero(key, sizeof(key));
	return err;
}

bool wg_noise_derive_keypair(struct wg_keypair *kp, struct wg_handshake *hs, uint64_t now)
{
	bool initiator;

	if (hs->state == WG_HS_CONSUMED_RESPONSE)
		initiator = true;
	else if (hs->state == WG_HS_CREATED_RESPONSE)
		initiator = false;
	else
		return false;

	memset(kp, 0, sizeof(*kp));
	/* (T_send_i = T_recv_r, T_recv_i = T_send_r) := KDF2(C, empty). */
	if (initiator)
		wgc_kdf(kp->send_key, kp->recv_key, NULL, hs->chaining_key, NULL, 0);
	else
		wgc_kdf(kp->recv_key, kp->send_key, NULL, hs->chaining_key, NULL, 0);
	wg_replay_init(&kp->replay);
	kp->birth = now;
	kp->initiator = initiator;
	kp->local_index = hs->local_index;
	kp->remote_index = hs->remote_index;
	kp->valid = true;
	wg_handshake_clear(hs);
	return true;
}
