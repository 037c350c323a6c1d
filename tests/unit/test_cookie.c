/* SPDX-License-Identifier: MIT */
/*
 * mac1/mac2 and cookie replies (whitepaper 5.4.4, 5.4.7): an initiator's maker against a
 * responder's checker, with the clock driven by hand. The formulas are re-derived here from
 * the whitepaper with the raw BLAKE2s/XChaCha20 primitives, not taken from the module.
 */
#include <string.h>

#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/ct.h"
#include "unit.h"
#include "wg/clock.h"
#include "wg/cookie.h"

#define T0	 (1000 * WG_NSEC_PER_SEC)
#define SEC	 WG_NSEC_PER_SEC
#define INIT_LEN sizeof(struct wg_msg_initiation)
#define RESP_LEN sizeof(struct wg_msg_response)

static const uint8_t addr4[4] = { 192, 0, 2, 1 };
static const uint8_t addr4_other[4] = { 192, 0, 2, 2 };
static const uint8_t addr6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
static const uint8_t addr6_other[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					 0,    0,    0,	   0,	 0, 0, 0, 0x02 };
#define PORT 51820

static uint8_t responder_pub[32];
static struct wg_cookie_checker checker; /* the responder */
static struct wg_cookie_maker maker;	 /* the initiator, towards the responder */

/* Any 32 bytes will do as a public key: the cookie code never does X25519 with it. */
static void setup(void)
{
	wgc_random(responder_pub, sizeof(responder_pub));
	wg_cookie_checker_init(&checker, responder_pub);
	wg_cookie_maker_init(&maker, responder_pub);
}

/* A handshake message of len bytes, random up to its macs, with the maker's macs added. */
static void make_msg(uint8_t *msg, size_t len, uint64_t now)
{
	wgc_random(msg, len);
	wg_cookie_add_macs(&maker, msg, len, now);
}

/* Both handshake messages end with mac1 || mac2. */
static size_t mac1_off(size_t len)
{
	return len - 2 * WG_COOKIE_LEN;
}

static const uint8_t *mac1_of(const uint8_t *msg, size_t len)
{
	return msg + mac1_off(len);
}

static const uint8_t *mac2_of(const uint8_t *msg, size_t len)
{
	return msg + mac1_off(len) + WG_COOKIE_LEN;
}

static enum wg_cookie_mac_state check(const uint8_t *msg, size_t len, const uint8_t *addr,
				      size_t addr_len, uint16_t port, uint64_t now)
{
	return wg_cookie_validate(&checker, msg, len, addr, addr_len, port, true, now);
}

/* The responder answers msg with a cookie reply and the initiator takes it. */
static bool cookie_round(const uint8_t *msg, size_t len, const uint8_t *addr, size_t addr_len,
			 uint16_t port, uint64_t now)
{
	struct wg_msg_cookie reply;

	if (!wg_cookie_reply_create(&reply, &checker, msg, len, 0x01020304, addr, addr_len, port,
				    now))
		return false;
	return wg_cookie_reply_consume(&maker, &reply, now);
}

/* HASH(label || key), written out as the whitepaper does. */
static void label_key(uint8_t out[32], const char *label, const uint8_t pub[32])
{
	uint8_t in[8 + 32];

	memcpy(in, label, 8);
	memcpy(in + 8, pub, 32);
	wgc_hash(out, in, sizeof(in));
}

static void test_mac1_known_answer(void)
{
	static const size_t lens[] = { INIT_LEN, RESP_LEN };
	uint8_t key[32], cookie_key[32], want[16], msg[INIT_LEN], copy[INIT_LEN];
	const uint8_t zeros[16] = { 0 };

	setup();
	label_key(key, "mac1----", responder_pub);
	label_key(cookie_key, "cookie--", responder_pub);
	UNIT_ASSERT_MEM(maker.mac1_key, key, 32);
	UNIT_ASSERT_MEM(checker.mac1_key, key, 32);
	UNIT_ASSERT_MEM(maker.cookie_key, cookie_key, 32);
	UNIT_ASSERT_MEM(checker.cookie_key, cookie_key, 32);

	for (size_t i = 0; i < 2; i++) {
		size_t len = lens[i];

		wgc_random(msg, len);
		memcpy(copy, msg, len);
		wg_cookie_add_macs(&maker, msg, len, T0);
		/* mac1 = MAC(HASH(LABEL_MAC1 || S_pub), msg[0 : offset of mac1]) */
		wgc_blake2s(want, 16, copy, mac1_off(len), key, 32);
		UNIT_ASSERT_MEM(mac1_of(msg, len), want, 16);
		UNIT_ASSERT_MEM(mac2_of(msg, len), zeros, 16); /* no cookie yet */
		UNIT_ASSERT_MEM(msg, copy, mac1_off(len));     /* the body is left alone */
		UNIT_ASSERT_MEM(maker.last_mac1_sent, want, 16);
		CU_ASSERT_TRUE(maker.have_sent_mac1);
	}
	CU_ASSERT_EQUAL(mac1_off(INIT_LEN), 116);
	CU_ASSERT_EQUAL(mac1_off(RESP_LEN), 60);
}

static void test_checker_accepts_mac1(void)
{
	uint8_t init[INIT_LEN], resp[RESP_LEN];

	setup();
	make_msg(init, INIT_LEN, T0);
	make_msg(resp, RESP_LEN, T0);
	CU_ASSERT_EQUAL(wg_cookie_validate(&checker, init, INIT_LEN, addr4, 4, PORT, false, T0),
			WG_COOKIE_MAC1_VALID);
	CU_ASSERT_EQUAL(wg_cookie_validate(&checker, resp, RESP_LEN, addr4, 4, PORT, false, T0),
			WG_COOKIE_MAC1_VALID);
	/* Under load, a zero mac2 is only mac1-valid. */
	CU_ASSERT_EQUAL(check(init, INIT_LEN, addr4, 4, PORT, T0), WG_COOKIE_MAC1_VALID);
	CU_ASSERT_EQUAL(check(resp, RESP_LEN, addr4, 4, PORT, T0), WG_COOKIE_MAC1_VALID);
}

/* Every byte mac1 covers, and mac1 itself: one flipped bit and the message is dropped. */
static void test_flipped_byte(void)
{
	static const size_t lens[] = { INIT_LEN, RESP_LEN };
	uint8_t msg[INIT_LEN];

	setup();
	for (size_t l = 0; l < 2; l++) {
		size_t len = lens[l];
		unsigned int accepted = 0;

		make_msg(msg, len, T0);
		for (size_t i = 0; i < mac1_off(len) + WG_COOKIE_LEN; i++) {
			msg[i] ^= (uint8_t)(1u << (i % 8));
			accepted += wg_cookie_validate(&checker, msg, len, addr4, 4, PORT, false,
						       T0) != WG_COOKIE_MAC_INVALID;
			msg[i] ^= (uint8_t)(1u << (i % 8));
		}
		CU_ASSERT_EQUAL(accepted, 0);
		/* mac2 is not covered by mac1. */
		msg[len - 1] ^= 1;
		CU_ASSERT_EQUAL(wg_cookie_validate(&checker, msg, len, addr4, 4, PORT, false, T0),
				WG_COOKIE_MAC1_VALID);
	}
}

static void test_wrong_receiver_key(void)
{
	struct wg_cookie_maker other;
	uint8_t other_pub[32], msg[INIT_LEN];

	setup();
	memcpy(other_pub, responder_pub, 32);
	other_pub[31] ^= 0x80;
	wg_cookie_maker_init(&other, other_pub);
	wgc_random(msg, sizeof(msg));
	wg_cookie_add_macs(&other, msg, sizeof(msg), T0);
	CU_ASSERT_EQUAL(check(msg, sizeof(msg), addr4, 4, PORT, T0), WG_COOKIE_MAC_INVALID);
	wg_cookie_maker_wipe(&other);
}

static void test_bad_lengths(void)
{
	static const size_t lens[] = { 0, 32, 64, 91, 93, 147, 149 };
	uint8_t msg[INIT_LEN + 1], copy[INIT_LEN + 1];
	struct wg_msg_cookie reply;

	setup();
	make_msg(msg, INIT_LEN, T0);
	memcpy(copy, msg, sizeof(msg));
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		CU_ASSERT_EQUAL(check(msg, lens[i], addr4, 4, PORT, T0), WG_COOKIE_MAC_INVALID);
		wg_cookie_add_macs(&maker, msg, lens[i], T0);
		UNIT_ASSERT_MEM(msg, copy, sizeof(msg));
		CU_ASSERT_FALSE(wg_cookie_reply_create(&reply, &checker, msg, lens[i], 1, addr4, 4,
						       PORT, T0));
	}
}

/* The whole exchange, then the cookie works for both message kinds from that source. */
static void test_round_trip(void)
{
	uint8_t init[INIT_LEN], resp[RESP_LEN];
	const uint8_t zeros[16] = { 0 };
	struct wg_msg_cookie reply;

	setup();
	make_msg(init, INIT_LEN, T0);
	CU_ASSERT_EQUAL(check(init, INIT_LEN, addr4, 4, PORT, T0), WG_COOKIE_MAC1_VALID);
	CU_ASSERT_TRUE_FATAL(wg_cookie_reply_create(&reply, &checker, init, INIT_LEN, 0xa1b2c3d4,
						    addr4, 4, PORT, T0));
	CU_ASSERT_EQUAL(reply.header.type, WG_MSG_COOKIE);
	CU_ASSERT_TRUE(wgc_ct_is_zero(reply.header.reserved, 3));
	CU_ASSERT_EQUAL(wg_msg_classify(&reply, sizeof(reply)), WG_MSG_COOKIE);
	UNIT_ASSERT_MEM(reply.receiver, "\xd4\xc3\xb2\xa1", 4);
	CU_ASSERT_TRUE(wg_cookie_reply_consume(&maker, &reply, T0 + 1));
	CU_ASSERT_TRUE(maker.have_cookie);
	CU_ASSERT_FALSE(maker.have_sent_mac1);

	make_msg(init, INIT_LEN, T0 + 2);
	CU_ASSERT_FALSE(wgc_ct_equal(mac2_of(init, INIT_LEN), zeros, 16));
	CU_ASSERT_EQUAL(check(init, INIT_LEN, addr4, 4, PORT, T0 + 2),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
	make_msg(resp, RESP_LEN, T0 + 3);
	CU_ASSERT_EQUAL(check(resp, RESP_LEN, addr4, 4, PORT, T0 + 3),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
	/* Not under load: mac2 is not looked at. */
	CU_ASSERT_EQUAL(wg_cookie_validate(&checker, resp, RESP_LEN, addr4, 4, PORT, false, T0),
			WG_COOKIE_MAC1_VALID);
	/* A wrong mac2 byte, with mac1 intact. */
	resp[RESP_LEN - 1] ^= 1;
	CU_ASSERT_EQUAL(check(resp, RESP_LEN, addr4, 4, PORT, T0 + 3), WG_COOKIE_MAC1_VALID);
}

/* Under load in one pass: a reply exactly when mac2 is missing or wrong, nothing for a bad
 * mac1, and the reply carries the cookie that makes the next message's mac2 valid. */
static void test_check_or_reply(void)
{
	uint8_t init[INIT_LEN];
	struct wg_msg_cookie reply, untouched;

	setup();
	make_msg(init, INIT_LEN, T0);
	memset(&reply, 0xee, sizeof(reply));
	untouched = reply;
	init[0] ^= 1; /* mac1 no longer matches */
	CU_ASSERT_EQUAL(wg_cookie_check_or_reply(&checker, init, INIT_LEN, addr4, 4, PORT, T0,
						 &reply),
			WG_COOKIE_MAC_INVALID);
	CU_ASSERT_EQUAL(memcmp(&reply, &untouched, sizeof(reply)), 0);
	init[0] ^= 1;
	CU_ASSERT_EQUAL(wg_cookie_check_or_reply(&checker, init, INIT_LEN, addr4, 4, PORT, T0,
						 &reply),
			WG_COOKIE_MAC1_VALID);
	UNIT_ASSERT_MEM(reply.receiver, init + 4, 4); /* the sender index it answers */
	CU_ASSERT_TRUE_FATAL(wg_cookie_reply_consume(&maker, &reply, T0 + 1));
	make_msg(init, INIT_LEN, T0 + 2);
	memset(&reply, 0xee, sizeof(reply));
	CU_ASSERT_EQUAL(wg_cookie_check_or_reply(&checker, init, INIT_LEN, addr4, 4, PORT, T0 + 2,
						 &reply),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
	CU_ASSERT_EQUAL(memcmp(&reply, &untouched, sizeof(reply)), 0);
	/* The same message from another source: its cookie is not this one. */
	CU_ASSERT_EQUAL(wg_cookie_check_or_reply(&checker, init, INIT_LEN, addr4_other, 4, PORT,
						 T0 + 2, &reply),
			WG_COOKIE_MAC1_VALID);
}

/* A borrowed checker makes the owner's cookies, never renews the secret itself, and its
 * reply nonces are its own: no nonce is used twice under the cookie key. */
static void test_borrowed_checker(void)
{
	uint8_t init[INIT_LEN];
	struct wg_cookie_checker copy;
	struct wg_msg_cookie a, b, c;

	setup();
	make_msg(init, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(wg_cookie_reply_create(&a, &checker, init, INIT_LEN, 1, addr4, 4,
						    PORT, T0));
	CU_ASSERT_TRUE_FATAL(wg_cookie_reply_create(&b, &checker, init, INIT_LEN, 1, addr4, 4,
						    PORT, T0));
	CU_ASSERT_NOT_EQUAL(memcmp(a.nonce, b.nonce, sizeof(a.nonce)), 0);
	wg_cookie_checker_borrow(&copy, &checker);
	CU_ASSERT_TRUE_FATAL(wg_cookie_reply_create(&c, &copy, init, INIT_LEN, 1, addr4, 4, PORT,
						    T0));
	CU_ASSERT_NOT_EQUAL(memcmp(c.nonce, a.nonce, sizeof(a.nonce)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(c.nonce, b.nonce, sizeof(b.nonce)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(c.nonce, a.nonce, 16), 0); /* another prefix, not a count */
	/* The copy's cookie is the owner's: a reply from the copy validates at the owner. */
	CU_ASSERT_TRUE_FATAL(wg_cookie_reply_consume(&maker, &c, T0));
	make_msg(init, INIT_LEN, T0);
	CU_ASSERT_EQUAL(check(init, INIT_LEN, addr4, 4, PORT, T0), WG_COOKIE_MAC1_AND_MAC2_VALID);
	/* Long past 120 s the owner renews (on use), the copy does not. */
	CU_ASSERT_EQUAL(wg_cookie_validate(&copy, init, INIT_LEN, addr4, 4, PORT, true,
					   T0 + 200 * SEC),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
	CU_ASSERT_EQUAL(check(init, INIT_LEN, addr4, 4, PORT, T0 + 200 * SEC), WG_COOKIE_MAC1_VALID);
	/* Renewal ahead of time: within `ahead` of 120 s counts as due. */
	wg_cookie_checker_borrow(&copy, &checker);
	wg_cookie_checker_refresh(&checker, T0 + 200 * SEC + 100 * SEC, 19 * SEC);
	CU_ASSERT_EQUAL(memcmp(copy.secret, checker.secret, 32), 0);
	wg_cookie_checker_refresh(&checker, T0 + 200 * SEC + 100 * SEC, 21 * SEC);
	CU_ASSERT_NOT_EQUAL(memcmp(copy.secret, checker.secret, 32), 0);
}

/*
 * Opens a reply as the whitepaper says (XChaCha20-Poly1305 under HASH("cookie--" || S_pub),
 * AD = mac1), recomputes the cookie as MAC(R_changing, addr || port big-endian) and the next
 * message's mac2 from it.
 */
static void check_cookie_layout(const uint8_t *addr, size_t addr_len)
{
	uint8_t msg[INIT_LEN], key[32], got[16], want[16], input[18];
	struct wg_msg_cookie reply;

	setup();
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(wg_cookie_reply_create(&reply, &checker, msg, INIT_LEN, 7, addr,
						    addr_len, 0x1234, T0));
	label_key(key, "cookie--", responder_pub);
	CU_ASSERT_TRUE_FATAL(wgc_xaead_decrypt(got, reply.encrypted_cookie,
					       sizeof(reply.encrypted_cookie),
					       mac1_of(msg, INIT_LEN), 16, reply.nonce, key));
	memcpy(input, addr, addr_len);
	input[addr_len] = 0x12;
	input[addr_len + 1] = 0x34;
	wgc_blake2s(want, 16, input, addr_len + 2, checker.secret, 32);
	UNIT_ASSERT_MEM(got, want, 16);

	/* mac2 = MAC(cookie, msg[0 : offset of mac2]), mac1 included. */
	CU_ASSERT_TRUE_FATAL(wg_cookie_reply_consume(&maker, &reply, T0));
	make_msg(msg, INIT_LEN, T0);
	wgc_blake2s(want, 16, msg, mac1_off(INIT_LEN) + 16, got, 16);
	UNIT_ASSERT_MEM(mac2_of(msg, INIT_LEN), want, 16);
}

static void test_cookie_layout_ipv4(void)
{
	check_cookie_layout(addr4, 4);
}

static void test_cookie_layout_ipv6(void)
{
	check_cookie_layout(addr6, 16);
}

/* A cookie is good only from the address and port it was sent to. */
static void test_cookie_bound_to_source(void)
{
	uint8_t msg[INIT_LEN];

	setup();
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(cookie_round(msg, INIT_LEN, addr4, 4, 0x1234, T0));
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, 0x1234, T0), WG_COOKIE_MAC1_AND_MAC2_VALID);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4_other, 4, 0x1234, T0), WG_COOKIE_MAC1_VALID);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, 0x1235, T0), WG_COOKIE_MAC1_VALID);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, 0x3412, T0), WG_COOKIE_MAC1_VALID);
	/* The same four bytes as the start of an IPv6 address are another source. */
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr6, 16, 0x1234, T0), WG_COOKIE_MAC1_VALID);
}

static void test_ipv6(void)
{
	uint8_t msg[INIT_LEN], resp[RESP_LEN];

	setup();
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr6, 16, PORT, T0), WG_COOKIE_MAC1_VALID);
	CU_ASSERT_TRUE_FATAL(cookie_round(msg, INIT_LEN, addr6, 16, PORT, T0));
	make_msg(msg, INIT_LEN, T0 + SEC);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr6, 16, PORT, T0 + SEC),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr6_other, 16, PORT, T0 + SEC),
			WG_COOKIE_MAC1_VALID);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr6, 16, PORT + 1, T0 + SEC), WG_COOKIE_MAC1_VALID);
	make_msg(resp, RESP_LEN, T0 + SEC);
	CU_ASSERT_EQUAL(check(resp, RESP_LEN, addr6, 16, PORT, T0 + SEC),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
}

/* Damaged replies are refused and leave the maker waiting for the genuine one. */
static void test_reply_tampered(void)
{
	uint8_t msg[INIT_LEN];
	struct wg_msg_cookie reply, bad;
	unsigned int accepted = 0;

	setup();
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(
		wg_cookie_reply_create(&reply, &checker, msg, INIT_LEN, 1, addr4, 4, PORT, T0));
	for (size_t i = 0; i < sizeof(reply.encrypted_cookie); i++) {
		bad = reply;
		bad.encrypted_cookie[i] ^= 0x01;
		accepted += wg_cookie_reply_consume(&maker, &bad, T0);
	}
	for (size_t i = 0; i < sizeof(reply.nonce); i++) {
		bad = reply;
		bad.nonce[i] ^= 0x40;
		accepted += wg_cookie_reply_consume(&maker, &bad, T0);
	}
	CU_ASSERT_EQUAL(accepted, 0);
	CU_ASSERT_FALSE(maker.have_cookie);
	CU_ASSERT_TRUE(maker.have_sent_mac1);
	CU_ASSERT_TRUE(wg_cookie_reply_consume(&maker, &reply, T0));
}

/* A reply's AD must be the mac1 of the message we sent last. */
static void test_reply_wrong_ad(void)
{
	uint8_t sent[INIT_LEN], unrelated[INIT_LEN], older[INIT_LEN];
	struct wg_msg_cookie reply;

	setup();
	/* A reply to a message we never sent (someone else's, with a valid mac1). */
	make_msg(unrelated, INIT_LEN, T0);
	make_msg(sent, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(wg_cookie_reply_create(&reply, &checker, unrelated, INIT_LEN, 1, addr4,
						    4, PORT, T0));
	CU_ASSERT_FALSE(wg_cookie_reply_consume(&maker, &reply, T0));
	CU_ASSERT_FALSE(maker.have_cookie);

	/* A late reply to an older message, once a newer one is out. */
	make_msg(older, INIT_LEN, T0);
	make_msg(sent, RESP_LEN, T0);
	CU_ASSERT_TRUE_FATAL(
		wg_cookie_reply_create(&reply, &checker, older, INIT_LEN, 1, addr4, 4, PORT, T0));
	CU_ASSERT_FALSE(wg_cookie_reply_consume(&maker, &reply, T0));

	/* The right AD but another responder's cookie key. */
	{
		struct wg_cookie_checker other;
		uint8_t other_pub[32];

		memcpy(other_pub, responder_pub, 32);
		other_pub[0] ^= 1;
		wg_cookie_checker_init(&other, other_pub);
		CU_ASSERT_TRUE_FATAL(wg_cookie_reply_create(&reply, &other, sent, RESP_LEN, 1,
							    addr4, 4, PORT, T0));
		CU_ASSERT_FALSE(wg_cookie_reply_consume(&maker, &reply, T0));
		wg_cookie_checker_wipe(&other);
	}
	CU_ASSERT_FALSE(maker.have_cookie);
	CU_ASSERT_TRUE(cookie_round(sent, RESP_LEN, addr4, 4, PORT, T0));
}

static void test_reply_unsolicited(void)
{
	uint8_t msg[INIT_LEN];
	struct wg_msg_cookie reply;
	struct wg_cookie_maker fresh;

	setup();
	/* A genuine reply, to a message with a valid mac1, but this maker sent nothing. */
	wg_cookie_maker_init(&fresh, responder_pub);
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(
		wg_cookie_reply_create(&reply, &checker, msg, INIT_LEN, 1, addr4, 4, PORT, T0));
	CU_ASSERT_FALSE(wg_cookie_reply_consume(&fresh, &reply, T0));
	CU_ASSERT_FALSE(fresh.have_cookie);
	wg_cookie_maker_wipe(&fresh);
}

static void test_reply_once(void)
{
	uint8_t msg[INIT_LEN];
	struct wg_msg_cookie reply, second;

	setup();
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(
		wg_cookie_reply_create(&reply, &checker, msg, INIT_LEN, 1, addr4, 4, PORT, T0));
	CU_ASSERT_TRUE_FATAL(
		wg_cookie_reply_create(&second, &checker, msg, INIT_LEN, 1, addr4, 4, PORT, T0));
	/* Each reply has its own random nonce. */
	CU_ASSERT_FALSE(wgc_ct_equal(reply.nonce, second.nonce, sizeof(reply.nonce)));
	CU_ASSERT_TRUE(wg_cookie_reply_consume(&maker, &reply, T0));
	CU_ASSERT_FALSE(wg_cookie_reply_consume(&maker, &reply, T0 + 1));
	CU_ASSERT_FALSE(wg_cookie_reply_consume(&maker, &second, T0 + 1));
	/* The refused replay did not renew the cookie's birth. */
	CU_ASSERT_EQUAL(maker.cookie_birth, T0);
}

/* The initiator uses a cookie until 115 s after it arrived, and not a nanosecond longer. */
static void test_maker_cookie_expiry(void)
{
	const uint64_t limit = WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY;
	const uint8_t zeros[16] = { 0 };
	uint8_t msg[INIT_LEN];

	CU_ASSERT_EQUAL(limit, 115 * SEC);
	setup();
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(cookie_round(msg, INIT_LEN, addr4, 4, PORT, T0));

	make_msg(msg, INIT_LEN, T0 + limit - 1);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, PORT, T0 + limit - 1),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
	/* A clock a moment behind the one the cookie was taken at (another lcore's): fresh. */
	make_msg(msg, INIT_LEN, T0 - 1000);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, PORT, T0), WG_COOKIE_MAC1_AND_MAC2_VALID);
	make_msg(msg, INIT_LEN, T0 + limit);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, PORT, T0 + limit),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
	make_msg(msg, INIT_LEN, T0 + limit + 1);
	UNIT_ASSERT_MEM(mac2_of(msg, INIT_LEN), zeros, 16);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, PORT, T0 + limit + 1), WG_COOKIE_MAC1_VALID);

	/* A new reply makes mac2 good again. */
	CU_ASSERT_TRUE(cookie_round(msg, INIT_LEN, addr4, 4, PORT, T0 + limit + 1));
	make_msg(msg, INIT_LEN, T0 + limit + 2);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, PORT, T0 + limit + 2),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
}

/*
 * The responder's secret lives 120 s from its first use. A cookie handed out late in its life
 * is still fresh for the initiator, but dies with the secret: this is why the initiator keeps
 * a 5 s margin.
 */
static void test_secret_rotation(void)
{
	const uint64_t rotate = T0 + WG_COOKIE_SECRET_MAX_AGE;
	uint8_t msg[INIT_LEN], old_secret[32];

	setup();
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(cookie_round(msg, INIT_LEN, addr4, 4, PORT, T0)); /* secret born */
	CU_ASSERT_EQUAL(checker.secret_birth, T0);
	memcpy(old_secret, checker.secret, 32);

	make_msg(msg, INIT_LEN, T0 + 100 * SEC);
	CU_ASSERT_TRUE_FATAL(cookie_round(msg, INIT_LEN, addr4, 4, PORT, T0 + 100 * SEC));
	UNIT_ASSERT_MEM(checker.secret, old_secret, 32); /* same secret, 100 s old */

	make_msg(msg, INIT_LEN, rotate);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, PORT, rotate),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
	/* Not checking mac2 does not touch the secret. */
	CU_ASSERT_EQUAL(
		wg_cookie_validate(&checker, msg, INIT_LEN, addr4, 4, PORT, false, rotate + 1),
		WG_COOKIE_MAC1_VALID);
	CU_ASSERT_EQUAL(checker.secret_birth, T0);

	make_msg(msg, INIT_LEN, rotate + 1);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, PORT, rotate + 1), WG_COOKIE_MAC1_VALID);
	CU_ASSERT_EQUAL(checker.secret_birth, rotate + 1);
	CU_ASSERT_FALSE(wgc_ct_equal(checker.secret, old_secret, 32));

	/* A cookie from the new secret works. */
	CU_ASSERT_TRUE(cookie_round(msg, INIT_LEN, addr4, 4, PORT, rotate + 2));
	make_msg(msg, INIT_LEN, rotate + 3);
	CU_ASSERT_EQUAL(check(msg, INIT_LEN, addr4, 4, PORT, rotate + 3),
			WG_COOKIE_MAC1_AND_MAC2_VALID);
	wgc_memzero(old_secret, sizeof(old_secret));
}

static void test_wipe(void)
{
	uint8_t msg[INIT_LEN];

	setup();
	make_msg(msg, INIT_LEN, T0);
	CU_ASSERT_TRUE_FATAL(cookie_round(msg, INIT_LEN, addr4, 4, PORT, T0));
	CU_ASSERT_TRUE(checker.have_secret);
	wg_cookie_checker_wipe(&checker);
	wg_cookie_maker_wipe(&maker);
	CU_ASSERT_TRUE(wgc_ct_is_zero(&checker, sizeof(checker)));
	CU_ASSERT_TRUE(wgc_ct_is_zero(&maker, sizeof(maker)));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "mac1 known answer (whitepaper formula)", test_mac1_known_answer },
		{ "checker accepts mac1, zero mac2", test_checker_accepts_mac1 },
		{ "flipped byte before mac2", test_flipped_byte },
		{ "wrong receiver key", test_wrong_receiver_key },
		{ "bad lengths", test_bad_lengths },
		{ "round trip", test_round_trip },
		{ "cookie layout and mac2 IPv4", test_cookie_layout_ipv4 },
		{ "cookie layout and mac2 IPv6", test_cookie_layout_ipv6 },
		{ "cookie bound to source", test_cookie_bound_to_source },
		{ "IPv6 round trip", test_ipv6 },
		{ "reply tampered", test_reply_tampered },
		{ "reply wrong AD", test_reply_wrong_ad },
		{ "reply unsolicited", test_reply_unsolicited },
		{ "reply consumed once", test_reply_once },
		{ "maker cookie expires at 115 s", test_maker_cookie_expiry },
		{ "checker secret rotates at 120 s", test_secret_rotation },
		{ "wipe", test_wipe },
		{ "check or reply in one pass", test_check_or_reply },
		{ "borrowed checker: same cookies, own nonces", test_borrowed_checker },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("cookie", tests);
}
