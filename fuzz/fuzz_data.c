/* SPDX-License-Identifier: MIT */
/*
 * Transport data messages as a worker receives a burst of them: wg_msg_classify, the
 * receiver index and counter, the keypair's expiry (wg_timers_keypair_expired), one batch
 * decryption in place (wgc_batch_decrypt, intel-ipsec-mb), the replay window
 * (wg_replay_check) and dp_inner_parse of each plaintext. The fuzzer writes the plaintexts
 * and the counters; the harness seals them under a fixed key as the peer would, so they
 * authenticate, and can corrupt one. Checked: exactly the untouched messages authenticate
 * and decrypt to what was sealed, and the replay window accepts exactly the counters a
 * simple model of it accepts (new, or unseen and at most WG_REPLAY_WINDOW behind).
 *
 * Input: a control byte (bits 0-2: messages - 1; bit 3: corrupt a byte of the first; bit 4:
 * counter steps are multiplied by 64, to walk the window's edges; bit 5: the keypair is
 * old), 8 bytes of first counter (little-endian), then per message a length byte, that many
 * plaintext bytes and a signed counter step to the next message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "crypto/aead.h"
#include "crypto/aead_batch.h"
#include "fuzz_common.h"
#include "pkt.h"
#include "wg/messages.h"
#include "wg/replay.h"
#include "wg/timers.h"

#define MAX_MSGS 8
#define INDEX	 0x33333333u

static const uint8_t key[WGC_AEAD_KEY_LEN] = { 0x01, 0x23, 0x45, 0x67, [31] = 0x89 };
static struct wgc_batch *batch;
static struct wg_replay replay; /* static: 1 KiB, reset every input */

struct msg {
	uint8_t *buf; /* exact size: header, ciphertext, tag */
	uint32_t len;
	uint8_t plain[256];
	uint32_t plain_len;
	uint64_t counter;
	bool corrupt;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_crypto();
	batch = wgc_batch_create(WGC_ARCH_AUTO);
	if (!batch)
		abort();
	return 0;
}

/* Seals m->plain as the peer would, into an exact-size buffer. */
static bool seal(struct msg *m)
{
	struct wg_msg_data *h;

	m->len = (uint32_t)(sizeof(*h) + m->plain_len + WGC_AEAD_TAG_LEN);
	m->buf = malloc(m->len);
	if (!m->buf)
		return false;
	h = (struct wg_msg_data *)m->buf;
	wg_msg_header_init(&h->header, WG_MSG_DATA);
	wg_put_le32(h->receiver, INDEX);
	wg_put_le64(h->counter, m->counter);
	wgc_aead_encrypt(m->buf + sizeof(*h), m->plain, m->plain_len, NULL, 0, m->counter, key);
	if (m->corrupt)
		m->buf[sizeof(*h) + (m->plain_len ? m->plain[0] % (m->plain_len + 16) : 0)] ^= 0x40;
	return true;
}

/* Splits the input into messages; returns how many. */
static unsigned int read_msgs(const uint8_t *data, size_t size, struct msg *msgs)
{
	unsigned int want = (data[0] & 7) + 1, n = 0;
	uint64_t counter = wg_get_le64(data + 1), scale = data[0] & 0x10 ? 64 : 1;
	size_t off = 9;

	while (n < want && off < size) {
		struct msg *m = &msgs[n];
		uint32_t len = data[off++];

		if (len > size - off)
			len = (uint32_t)(size - off);
		memcpy(m->plain, data + off, len);
		m->plain_len = len;
		off += len;
		m->counter = counter;
		m->corrupt = n == 0 && (data[0] & 8);
		if (!seal(m))
			break;
		n++;
		if (off < size)
			counter += (uint64_t)((int64_t)(int8_t)data[off++] * (int64_t)scale);
	}
	return n;
}

/* The window as the whitepaper describes it. */
static bool model_accepts(const struct msg *msgs, unsigned int upto, const bool *accepted,
			  uint64_t next, uint64_t counter)
{
	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	if (counter >= next)
		return true;
	if (next - 1 - counter > WG_REPLAY_WINDOW)
		return false;
	for (unsigned int i = 0; i < upto; i++)
		if (accepted[i] && msgs[i].counter == counter)
			return false;
	return true;
}

static void receive(struct msg *msgs, unsigned int n, uint64_t now, uint64_t birth)
{
	struct wgc_batch_op ops[MAX_MSGS];
	bool accepted[MAX_MSGS] = { false };
	unsigned int k = 0, pos[MAX_MSGS];
	uint64_t ok, next = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct wg_msg_data *h = (const struct wg_msg_data *)msgs[i].buf;
		uint32_t len = msgs[i].len - sizeof(*h) - WGC_AEAD_TAG_LEN;

		CHECK(wg_msg_classify(msgs[i].buf, msgs[i].len) == WG_MSG_DATA);
		CHECK(wg_get_le32(h->receiver) == INDEX);
		if (wg_timers_keypair_expired(birth, wg_get_le64(h->counter), now))
			continue;
		ops[k] = (struct wgc_batch_op){
			.key = key,
			.counter = wg_get_le64(h->counter),
			.src = msgs[i].buf + sizeof(*h),
			.dst = msgs[i].buf + sizeof(*h),
			.len = len,
			.tag = msgs[i].buf + sizeof(*h) + len,
		};
		pos[k++] = i;
	}
	if (!k)
		return;
	ok = wgc_batch_decrypt(batch, ops, k);
	for (unsigned int j = 0; j < k; j++) {
		struct msg *m = &msgs[pos[j]];
		const uint8_t *plain = m->buf + sizeof(struct wg_msg_data);
		uint32_t ip_len;
		uint8_t family;
		bool want;

		CHECK(!!(ok & (1ull << j)) == !m->corrupt);
		if (m->corrupt)
			continue;
		CHECK(memcmp(plain, m->plain, m->plain_len) == 0);
		want = model_accepts(msgs, pos[j], accepted, next, m->counter);
		accepted[pos[j]] = wg_replay_check(&replay, m->counter);
		CHECK(accepted[pos[j]] == want);
		if (accepted[pos[j]] && m->counter >= next)
			next = m->counter + 1;
		if (accepted[pos[j]] && m->plain_len &&
		    dp_inner_parse(plain, m->plain_len, &ip_len, &family))
			CHECK(ip_len <= m->plain_len && (family == 4 || family == 6));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg msgs[MAX_MSGS];
	uint64_t now = 1000 * WG_NSEC_PER_SEC;
	unsigned int n;

	if (size < 9)
		return 0;
	memset(msgs, 0, sizeof(msgs));
	wg_replay_init(&replay);
	n = read_msgs(data, size, msgs);
	receive(msgs, n, now, data[0] & 0x20 ? now - 200 * WG_NSEC_PER_SEC : now - WG_NSEC_PER_SEC);
	for (unsigned int i = 0; i < n; i++)
		free(msgs[i].buf);
	return 0;
}
