/* SPDX-License-Identifier: MIT */
/*
 * A cookie reply to the initiation we sent (fixed keys, deterministic state): classify, find
 * our handshake by receiver index, wg_cookie_reply_consume; an accepted cookie must then be
 * used for mac2, and the same reply must not be accepted twice.
 *
 * Input: one control byte (bit 0: the reply arrives 200 s later), then the UDP payload.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

static struct fuzz_side tmpl_initiator, tmpl_responder;
static struct wg_msg_initiation tmpl_init;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_crypto();
	fuzz_initiator_sent(&tmpl_initiator, &tmpl_responder, &tmpl_init);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_side ini = tmpl_initiator;
	struct wg_msg_initiation again = tmpl_init;
	const struct wg_msg_cookie *reply;
	static const uint8_t zero[WG_COOKIE_LEN];
	uint64_t now;
	uint8_t *msg;
	size_t len;

	if (size < 1)
		return 0;
	now = FUZZ_NOW + (data[0] & 1 ? 200 * WG_NSEC_PER_SEC : 0);
	len = size - 1;
	if (wg_msg_classify(data + 1, len) != WG_MSG_COOKIE)
		return 0;
	msg = malloc(len); /* exact size: ASan catches any read past the message */
	if (!msg)
		return 0;
	memcpy(msg, data + 1, len);
	reply = (const struct wg_msg_cookie *)msg;
	if (wg_get_le32(reply->receiver) != ini.hs.local_index)
		goto out;
	if (!wg_cookie_reply_consume(&ini.maker, reply, now)) {
		if (ini.maker.have_cookie)
			abort(); /* refused, yet a cookie was stored */
		goto out;
	}
	/* Used up: the same reply again must be refused. */
	if (wg_cookie_reply_consume(&ini.maker, reply, now))
		abort();
	/* A fresh cookie goes into mac2 of what we send next. */
	wg_cookie_add_macs(&ini.maker, &again, sizeof(again), now);
	if (memcmp(again.macs.mac2, zero, sizeof(zero)) == 0)
		abort();
out:
	free(msg);
	return 0;
}
