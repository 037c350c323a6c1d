/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share: deterministic randomness and the fixed handshake states that
 * the message targets and the corpus generator (gen_corpus.c) both build, so that a message
 * the generator writes is valid against the state the target sets up for every input.
 */
#ifndef WGDP_FUZZ_COMMON_H
#define WGDP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "wg/clock.h"
#include "wg/cookie.h"
#include "wg/noise.h"

/* Fixed clocks: the handshake states are a function of these. */
#define FUZZ_NOW  (1000 * WG_NSEC_PER_SEC)
#define FUZZ_REAL (1700000000ull * WG_NSEC_PER_SEC)

#define FUZZ_INITIATOR_INDEX 0x11111111u
#define FUZZ_RESPONDER_INDEX 0x22222222u

/* The test peers. Their private keys are constants of this file, never printed. */
struct fuzz_side {
	struct wg_identity id;
	struct wg_handshake hs;		  /* our state for the one peer on the other side */
	struct wg_cookie_checker checker; /* ours, as a responder */
	struct wg_cookie_maker maker;	  /* towards the other side */
};

/*
 * Installs a deterministic libsodium randombytes and initialises libsodium. Call once,
 * before anything else uses randomness (LLVMFuzzerInitialize, or main of the generator).
 */
void fuzz_init_crypto(void);

/* Restarts the random stream, so every input sees the same "random" numbers. */
void fuzz_rng_reset(uint64_t seed);

/* A fresh responder and initiator pair with a preshared key, nothing sent yet. */
void fuzz_pair_init(struct fuzz_side *initiator, struct fuzz_side *responder);

/*
 * The initiator's side after sending its initiation (msg, macs filled): the state a response
 * or a cookie reply is consumed against. Deterministic: it resets the random stream.
 */
void fuzz_initiator_sent(struct fuzz_side *initiator, struct fuzz_side *responder,
			 struct wg_msg_initiation *msg);

/* Finds the responder's handshake for the initiator's public key (a one-peer table). */
struct wg_handshake *fuzz_lookup(void *ctx, const uint8_t remote_static[32]);

/*
 * A small running config as JSON (inline private key, two peers, a psk, one outside and one
 * inside port, max_peers 16) into out; returns its length. The config and control-socket
 * targets start from it.
 */
size_t fuzz_config_json(char *out, size_t cap);

/* The public keys of that config's two peers, its psk, and a key of no peer of it. */
void fuzz_config_keys(uint8_t peer1[32], uint8_t peer2[32], uint8_t psk_out[32],
		      uint8_t stranger[32]);

#endif
