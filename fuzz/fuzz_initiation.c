/* SPDX-License-Identifier: MIT */
/*
 * The responder's path for a handshake initiation: classify, mac1/mac2 (cookie checker), then
 * wg_noise_consume_initiation against a one-peer table built from fixed test keys, and on
 * success the response and the keypair.
 *
 * Input: one control byte, then the UDP payload. Forged macs would stop almost every input at
 * mac1, so the control byte can ask the harness to compute a valid mac1 (and mac2 from a real
 * cookie) over whatever the fuzzer wrote, the way a peer knowing our public key would.
 *   bit 0: fill in a valid mac1          bit 1: under load (check mac2)
 *   bit 2: also a valid mac2 (cookie)    bit 3: a newer timestamp is stored already (replay)
 *   bits 4-5: clock: 0, +5 ms, +1 s, -1 s  bit 6: an initiation was accepted at time 0 (flood)
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#define CTL_FIX_MAC1 0x01
#define CTL_LOAD     0x02
#define CTL_FIX_MAC2 0x04
#define CTL_STALE    0x08
#define CTL_RECENT   0x40

static struct fuzz_side tmpl_initiator, tmpl_responder;
static const uint8_t src_addr[4] = { 192, 0, 2, 7 };
static const uint16_t src_port = 51820;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_crypto();
	fuzz_rng_reset(1);
	fuzz_pair_init(&tmpl_initiator, &tmpl_responder);
	return 0;
}

/* The macs an initiator with a cookie for our source address would send. */
static void fix_macs(struct fuzz_side *ini, struct fuzz_side *resp, uint8_t *msg, size_t len,
		     bool with_cookie, uint64_t now)
{
	struct wg_msg_cookie reply;

	wg_cookie_add_macs(&ini->maker, msg, len, now);
	if (!with_cookie)
		return;
	if (!wg_cookie_reply_create(&reply, &resp->checker, msg, len, FUZZ_INITIATOR_INDEX,
				    src_addr, sizeof(src_addr), src_port, now) ||
	    !wg_cookie_reply_consume(&ini->maker, &reply, now))
		abort(); /* a reply to the message we just sent must be accepted */
	wg_cookie_add_macs(&ini->maker, msg, len, now);
}

static uint64_t clock_for(uint8_t ctl)
{
	static const int64_t offsets[4] = { 0, 5000000, 1000000000, -1000000000 };

	return FUZZ_NOW + (uint64_t)offsets[(ctl >> 4) & 3];
}

/* After a successful consume: what the control lcore does next. */
static void respond(struct wg_handshake *hs, const struct wg_msg_initiation *msg,
		    struct fuzz_side *resp, uint64_t now)
{
	struct wg_msg_response out;
	struct wg_keypair kp;
	enum wg_noise_error err;

	/* The same message again is a replay (or a flood): it must never be accepted twice. */
	if (wg_noise_consume_initiation(msg, &resp->id, fuzz_lookup, resp, now, &err) ||
	    (err != WG_NOISE_ERR_REPLAY && err != WG_NOISE_ERR_FLOOD))
		abort();
	if (wg_noise_create_response(&out, hs, FUZZ_RESPONDER_INDEX) == WG_NOISE_OK &&
	    !wg_noise_derive_keypair(&kp, hs, now))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_side ini = tmpl_initiator, resp = tmpl_responder;
	enum wg_cookie_mac_state macs;
	struct wg_handshake *hs;
	enum wg_noise_error err;
	uint8_t ctl, *msg;
	size_t len;
	uint64_t now;

	if (size < 1)
		return 0;
	ctl = data[0];
	len = size - 1;
	now = clock_for(ctl);
	fuzz_rng_reset(2);
	if (wg_msg_classify(data + 1, len) != WG_MSG_INITIATION)
		return 0;
	/* An exact-size copy: any read past the message is a heap overflow ASan reports. */
	msg = malloc(len);
	if (!msg)
		return 0;
	memcpy(msg, data + 1, len);
	if (ctl & CTL_FIX_MAC1)
		fix_macs(&ini, &resp, msg, len, ctl & CTL_FIX_MAC2, now);
	if (ctl & CTL_STALE)
		memset(resp.hs.latest_timestamp, 0xff, sizeof(resp.hs.latest_timestamp) / 2);
	if (ctl & CTL_RECENT)
		resp.hs.last_initiation_consumption = FUZZ_NOW;
	macs = wg_cookie_validate(&resp.checker, msg, len, src_addr, sizeof(src_addr), src_port,
				  ctl & CTL_LOAD, now);
	if (macs == WG_COOKIE_MAC_INVALID)
		goto out;
	if ((ctl & CTL_LOAD) && macs != WG_COOKIE_MAC1_AND_MAC2_VALID) {
		struct wg_msg_cookie reply;

		/* Under load, without a cookie: the answer is a cookie reply. */
		wg_cookie_reply_create(&reply, &resp.checker, msg, len,
				       wg_get_le32(((struct wg_msg_initiation *)msg)->sender),
				       src_addr, sizeof(src_addr), src_port, now);
		goto out;
	}
	hs = wg_noise_consume_initiation((const struct wg_msg_initiation *)msg, &resp.id,
					 fuzz_lookup, &resp, now, &err);
	if (hs)
		respond(hs, (const struct wg_msg_initiation *)msg, &resp, now);
	else if (err == WG_NOISE_OK || err >= WG_NOISE_ERR_COUNT)
		abort(); /* a refusal always says why */
out:
	free(msg);
	return 0;
}
