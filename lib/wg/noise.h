/* SPDX-License-Identifier: MIT */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, WireGuard's handshake (whitepaper section 5.4).
 *
 * One struct wg_handshake per peer holds the state between the two messages. Functions that
 * consume a message change nothing unless the message is accepted, so forged or replayed
 * messages cost their sender our CPU but never our state. The mac1/mac2 fields are the cookie
 * module's business: create_* leave them zero, consume_* ignore them.
 *
 * Time is passed in: `now` is monotonic ns (the initiation flood limit), `real_ns` is wall-clock
 * ns since the Unix epoch (the TAI64N timestamp an initiation carries).
 */
#ifndef WGDP_WG_NOISE_H
#define WGDP_WG_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keypair.h"
#include "messages.h"

/* A peer may start at most one handshake with us per 20 ms (whitepaper 5.1). */
#define WG_INITIATIONS_PER_SECOND 50
#define WG_INITIATION_MIN_INTERVAL (1000000000ull / WG_INITIATIONS_PER_SECOND)

/*
 * Our static key pair, shared by every peer of an interface, and what the responder's side of
 * every handshake starts from (wg_identity_set computes it once): the hash after our public
 * key, HASH(HASH(HASH(CONSTRUCTION) || IDENTIFIER) || public key).
 */
struct wg_identity {
	uint8_t private_key[WGC_X25519_KEY_LEN];
	uint8_t public_key[WGC_X25519_KEY_LEN];
	uint8_t responder_hash[WGC_BLAKE2S_HASH_LEN];
	bool has_key;
};

enum wg_handshake_state {
	WG_HS_ZEROED = 0,
	WG_HS_CREATED_INITIATION,
	WG_HS_CONSUMED_INITIATION,
	WG_HS_CREATED_RESPONSE,
	WG_HS_CONSUMED_RESPONSE,
};

/* Why a handshake message was refused; the data plane counts drops by these. */
enum wg_noise_error {
	WG_NOISE_OK = 0,
	WG_NOISE_ERR_NO_IDENTITY,	/* we have no private key */
	WG_NOISE_ERR_LOW_ORDER,		/* a DH gave all zeros: a low-order point */
	WG_NOISE_ERR_DECRYPT_STATIC,	/* the initiator's static key did not authenticate */
	WG_NOISE_ERR_UNKNOWN_PEER,	/* authenticated, but not a key we know */
	WG_NOISE_ERR_DECRYPT_TIMESTAMP, /* the timestamp did not authenticate */
	WG_NOISE_ERR_REPLAY,		/* timestamp not newer than the last accepted one */
	WG_NOISE_ERR_FLOOD,		/* initiation within 20 ms of the last accepted one */
	WG_NOISE_ERR_STATE,		/* no handshake of ours is waiting for this message */
	WG_NOISE_ERR_DECRYPT_EMPTY,	/* the response's empty payload did not authenticate */
	WG_NOISE_ERR_COUNT
};

/* Short lowercase names for counters and logs, e.g. "replay". */
const char *wg_noise_error_name(enum wg_noise_error err);

struct wg_handshake {
	enum wg_handshake_state state;
	uint8_t remote_static[WGC_X25519_KEY_LEN];
	/* DH(our static, their static): fixed for the pair, so computed once (whitepaper 5.4.2),
	 * on first use rather than at init: loading a million peers must not cost a million
	 * X25519 operations. */
	uint8_t static_static[WGC_X25519_KEY_LEN];
	bool static_static_done;
	bool static_static_ok;
	uint8_t preshared_key[WGC_AEAD_KEY_LEN];
	uint8_t ephemeral_private[WGC_X25519_KEY_LEN];
	uint8_t remote_ephemeral[WGC_X25519_KEY_LEN];
	uint8_t hash[WGC_BLAKE2S_HASH_LEN];
	uint8_t chaining_key[WGC_BLAKE2S_HASH_LEN];
	uint8_t latest_timestamp[WG_TAI64N_LEN];
	uint64_t last_initiation_consumption; /* monotonic ns; 0 before the first */
	uint32_t local_index;		      /* the sender index we put in our message */
	uint32_t remote_index;		      /* the sender index the peer put in theirs */
};

/* Sets id from a private key; false (and id cleared) if it has no valid public key. */
bool wg_identity_set(struct wg_identity *id, const uint8_t private_key[WGC_X25519_KEY_LEN]);
void wg_identity_clear(struct wg_identity *id);

/*
 * Prepares hs for the peer remote_static, with an optional preshared key (NULL = none, which
 * the protocol treats as 32 zero bytes). Precomputes the static-static DH.
 */
void wg_handshake_init(struct wg_handshake *hs, const struct wg_identity *id,
		       const uint8_t remote_static[WGC_X25519_KEY_LEN], const uint8_t *preshared_key);

/* Recomputes the static-static DH after our identity changed. */
/* Computes the static-static DH now if not yet done; false if it is unusable (low order). */
bool wg_handshake_precompute(struct wg_handshake *hs, const struct wg_identity *id);

void wg_handshake_rekey_identity(struct wg_handshake *hs, const struct wg_identity *id);

/* Forgets an unfinished handshake (ephemeral, hash, chaining key); keeps the peer's keys and
 * the replay/flood memory. */
void wg_handshake_clear(struct wg_handshake *hs);

/* Wipes everything, as when the peer is removed. */
void wg_handshake_wipe(struct wg_handshake *hs);

/* Initiator, message 1. local_index must be unique among our live indexes. */
enum wg_noise_error wg_noise_create_initiation(struct wg_msg_initiation *msg,
					       struct wg_handshake *hs,
					       const struct wg_identity *id, uint32_t local_index,
					       uint64_t real_ns);

/* Finds the handshake state of the peer whose static public key is given, or NULL. */
typedef struct wg_handshake *(*wg_noise_lookup_fn)(void *ctx,
						    const uint8_t remote_static[WGC_X25519_KEY_LEN]);

/*
 * Responder, message 1. On success returns the peer's handshake, now CONSUMED_INITIATION;
 * otherwise NULL and *err says why (err may be NULL).
 */
struct wg_handshake *wg_noise_consume_initiation(const struct wg_msg_initiation *msg,
						 const struct wg_identity *id,
						 wg_noise_lookup_fn lookup, void *lookup_ctx,
						 uint64_t now, enum wg_noise_error *err);

/* Responder, message 2, after consuming an initiation. */
enum wg_noise_error wg_noise_create_response(struct wg_msg_response *msg,
					     struct wg_handshake *hs,
					     uint32_t local_index);

/*
 * An ephemeral key pair made ahead of time, when the responder had nothing else to do: its
 * base-point multiplication then stays off the response's path. Each is used once and wiped.
 */
struct wg_ephemeral {
	uint8_t private_key[WGC_X25519_KEY_LEN];
	uint8_t public_key[WGC_X25519_KEY_LEN];
};

bool wg_ephemeral_generate(struct wg_ephemeral *e);

/*
 * Makes up to n ephemerals with one draw from the system's random source for all of them
 * (a getrandom() costs about 1 us here, as much as the rest of a handshake's hashing beside
 * one KDF): for a pool refilled a batch at a time. Returns how many it made, at the front of
 * e; the rest of e is zeroed (in practice there is no rest: see wg_ephemeral_generate).
 */
size_t wg_ephemeral_generate_many(struct wg_ephemeral *e, size_t n);

/* As wg_noise_create_response, with eph (wiped here, whatever the outcome) as our ephemeral. */
enum wg_noise_error wg_noise_create_response_with(struct wg_msg_response *msg,
						  struct wg_handshake *hs, uint32_t local_index,
						  struct wg_ephemeral *eph);

/*
 * Initiator, message 2. hs is the handshake whose local_index the response's receiver field
 * names (the caller's index table finds it). On success hs is CONSUMED_RESPONSE.
 */
enum wg_noise_error wg_noise_consume_response(const struct wg_msg_response *msg,
					      struct wg_handshake *hs,
					      const struct wg_identity *id);

/*
 * Derives the transport keys once the handshake is done on this side (CREATED_RESPONSE or
 * CONSUMED_RESPONSE), fills kp (born at now) and wipes the handshake's secrets. False if hs
 * is in no state to derive.
 */
bool wg_noise_derive_keypair(struct wg_keypair *kp, struct wg_handshake *hs, uint64_t now);

/*
 * Points the responder passes, in this order, for wgdp-perf noise's cost of each step. A probe
 * set with wg_noise_set_probe is called at each of them on the calling thread; without one
 * (the default) a point costs one predictable branch. One probe for the process: set it only
 * while nothing else makes handshakes.
 */
enum wg_noise_point {
	WG_NOISE_AT_MIXED_E_I,	/* consume: start state and the initiator's ephemeral mixed */
	WG_NOISE_AT_DH_ES_DONE, /* X25519(s_r, e_i) computed */
	WG_NOISE_AT_DH_ES,	/* and mixed into the chaining key */
	WG_NOISE_AT_STATIC,	/* the initiator's static key decrypted */
	WG_NOISE_AT_LOOKUP,	/* its peer found */
	WG_NOISE_AT_SS,		/* the static-static DH mixed */
	WG_NOISE_AT_TIMESTAMP,	/* the timestamp decrypted */
	WG_NOISE_AT_MIXED_E_R,	/* response: our ephemeral mixed */
	WG_NOISE_AT_DH_EE_DONE, /* X25519(e_r, e_i) computed */
	WG_NOISE_AT_DH_EE,	/* and mixed */
	WG_NOISE_AT_DH_SE_DONE, /* X25519(e_r, s_i) computed */
	WG_NOISE_AT_DH_SE,	/* and mixed */
	WG_NOISE_AT_PSK,	/* the preshared key mixed */
	WG_NOISE_AT_SEALED,	/* the empty payload sealed */
	WG_NOISE_POINTS		/* no point: the initiator's steps */
};

typedef void (*wg_noise_probe_fn)(enum wg_noise_point point);

/* NULL removes the probe. */
void wg_noise_set_probe(wg_noise_probe_fn fn);

#endif
