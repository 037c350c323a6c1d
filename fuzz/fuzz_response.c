/* SPDX-License-Identifier: MIT */
/*
 * The initiator's path for a handshake response: classify, mac1 (our cookie checker, keyed by
 * our public key), then wg_noise_consume_response against the handshake we started (a fixed
 * state: fixed keys and a deterministic ephemeral), and on success the keypair.
 *
 * Input: one control byte, then the UDP payload.
 *   bit 0: fill in a valid mac1 (as a responder knowing our public key would)
 *   bit 1: our handshake was already answered (consumed a response before)
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

#define CTL_FIX_MAC1 0x01
#define CTL_DONE     0x02

static struct fuzz_side tmpl_initiator, tmpl_responder;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct wg_msg_initiation init;

	(void)argc;
	(void)argv;
	fuzz_init_crypto();
	fuzz_initiator_sent(&tmpl_initiator, &tmpl_responder, &init);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_side ini = tmpl_initiator, resp = tmpl_responder;
	const struct wg_msg_response *r;
	enum wg_handshake_state before;
	enum wg_noise_error err;
	struct wg_keypair kp;
	uint8_t ctl, *msg;
	size_t len;

	if (size < 1)
		return 0;
	ctl = data[0];
	len = size - 1;
	fuzz_rng_reset(3);
	if (wg_msg_classify(data + 1, len) != WG_MSG_RESPONSE)
		return 0;
	msg = malloc(len); /* exact size: ASan catches any read past the message */
	if (!msg)
		return 0;
	memcpy(msg, data + 1, len);
	r = (const struct wg_msg_response *)msg;
	if (ctl & CTL_FIX_MAC1)
		wg_cookie_add_macs(&resp.maker, msg, len, FUZZ_NOW);
	if (ctl & CTL_DONE)
		ini.hs.state = WG_HS_CONSUMED_RESPONSE;
	if (wg_cookie_validate(&ini.checker, msg, len, NULL, 0, 0, false, FUZZ_NOW) ==
	    WG_COOKIE_MAC_INVALID)
		goto out;
	/* The control lcore finds the handshake by the receiver index; we have just one. */
	if (wg_get_le32(r->receiver) != ini.hs.local_index)
		goto out;
	before = ini.hs.state;
	err = wg_noise_consume_response(r, &ini.hs, &ini.id);
	if (err != WG_NOISE_OK) {
		if (err >= WG_NOISE_ERR_COUNT || ini.hs.state != before)
			abort(); /* a refused response changes nothing */
		goto out;
	}
	if (ini.hs.state != WG_HS_CONSUMED_RESPONSE || !wg_noise_derive_keypair(&kp, &ini.hs, 0))
		abort();
	/* Once keys are derived the handshake is gone: the same response again is refused. */
	if (wg_noise_consume_response(r, &ini.hs, &ini.id) != WG_NOISE_ERR_STATE)
		abort();
out:
	free(msg);
	return 0;
}
