/* SPDX-License-Identifier: MIT */
/*
 * Transport keypairs and the three slots a peer keeps them in (whitepaper 5.4.6 and 6.1):
 *  - current: what we send with;
 *  - previous: the one before, still accepted for packets in flight;
 *  - next: a responder's fresh keypair, unconfirmed until a data packet authenticates under
 *    it (the initiator may not have received our response yet, so we must not send with it).
 *
 * The slot functions never free: a keypair that leaves the slots is handed back in `retired`
 * so the owner can free it when no reader can still hold it (at once in tests, after an RCU
 * grace period in the data plane).
 */
#ifndef WGDP_WG_KEYPAIR_H
#define WGDP_WG_KEYPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "replay.h"

struct wg_keypair {
	uint8_t send_key[WGC_AEAD_KEY_LEN];
	uint8_t recv_key[WGC_AEAD_KEY_LEN];
	uint64_t birth;	       /* monotonic ns when derived */
	uint64_t send_counter; /* the next counter to send; the data plane increments atomically */
	struct wg_replay replay;
	uint32_t local_index;  /* the receiver index peers put on packets for us */
	uint32_t remote_index; /* the receiver index we put on packets for the peer */
	bool initiator;
	bool valid;
};

struct wg_keypairs {
	struct wg_keypair *previous;
	struct wg_keypair *current;
	struct wg_keypair *next;
};

/* Makes kp unusable and wipes its keys. */
void wg_keypair_wipe(struct wg_keypair *kp);

/*
 * Installs a freshly derived keypair. As initiator it becomes current at once (we received the
 * response, so the peer has it too); as responder it waits in next. Returns how many keypairs
 * were retired into retired[0..1].
 */
unsigned int wg_keypairs_add(struct wg_keypairs *kps, struct wg_keypair *kp,
			     struct wg_keypair *retired[2]);

/*
 * Called when a data packet authenticated under kp. If kp is next, it is confirmed: it
 * becomes current and the old current previous. Returns true on that rotation, with the old
 * previous (if any) in *retired.
 */
bool wg_keypairs_confirm(struct wg_keypairs *kps, const struct wg_keypair *kp,
			 struct wg_keypair **retired);

/* Empties all three slots into retired[0..2]; returns how many. */
unsigned int wg_keypairs_clear(struct wg_keypairs *kps, struct wg_keypair *retired[3]);

#endif
