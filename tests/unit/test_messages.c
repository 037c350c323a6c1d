/* SPDX-License-Identifier: MIT */
/*
 * The wire formats (whitepaper 5.4): sizes and offsets, the classifier every received
 * datagram goes through, little-endian fields, and padding.
 */
#include <stddef.h>
#include <string.h>

#include "unit.h"
#include "wg/messages.h"

static void test_sizes_and_offsets(void)
{
	CU_ASSERT_EQUAL(sizeof(struct wg_msg_initiation), 148);
	CU_ASSERT_EQUAL(sizeof(struct wg_msg_response), 92);
	CU_ASSERT_EQUAL(sizeof(struct wg_msg_cookie), 64);
	CU_ASSERT_EQUAL(sizeof(struct wg_msg_data), 16);
	/* Offsets from the whitepaper's field lists. */
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_initiation, sender), 4);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_initiation, unencrypted_ephemeral), 8);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_initiation, encrypted_static), 40);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_initiation, encrypted_timestamp), 88);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_initiation, macs), 116);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_response, receiver), 8);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_response, unencrypted_ephemeral), 12);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_response, encrypted_nothing), 44);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_response, macs), 60);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_cookie, nonce), 8);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_cookie, encrypted_cookie), 32);
	CU_ASSERT_EQUAL(offsetof(struct wg_msg_data, counter), 8);
}

static void test_classify(void)
{
	uint8_t buf[2048] = { 0 };

	buf[0] = 1;
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 148), WG_MSG_INITIATION);
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 147), 0);
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 149), 0);
	buf[0] = 2;
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 92), WG_MSG_RESPONSE);
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 148), 0);
	buf[0] = 3;
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 64), WG_MSG_COOKIE);
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 65), 0);
	buf[0] = 4;
	/* Header and tag: 32 bytes is a keepalive, the smallest data message. */
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 32), WG_MSG_DATA);
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 31), 0);
	CU_ASSERT_EQUAL(wg_msg_classify(buf, 1500), WG_MSG_DATA);
	/* Reserved bytes must be zero; unknown types and short buffers are nothing. */
	for (int i = 1; i <= 3; i++) {
		buf[i] = 1;
		CU_ASSERT_EQUAL(wg_msg_classify(buf, 100), 0);
		buf[i] = 0;
	}
	for (int t = 0; t < 256; t++) {
		buf[0] = (uint8_t)t;
		if (t < 1 || t > 4)
			CU_ASSERT_EQUAL(wg_msg_classify(buf, 148), 0);
	}
	for (size_t len = 0; len < 4; len++)
		CU_ASSERT_EQUAL(wg_msg_classify(buf, len), 0);
}

static void test_little_endian(void)
{
	uint8_t b[8];

	wg_put_le32(b, 0x11223344u);
	CU_ASSERT_TRUE(b[0] == 0x44 && b[1] == 0x33 && b[2] == 0x22 && b[3] == 0x11);
	CU_ASSERT_EQUAL(wg_get_le32(b), 0x11223344u);
	wg_put_le64(b, 0x0102030405060708ull);
	CU_ASSERT_TRUE(b[0] == 0x08 && b[7] == 0x01);
	CU_ASSERT_EQUAL(wg_get_le64(b), 0x0102030405060708ull);
}

static void test_padding(void)
{
	CU_ASSERT_EQUAL(wg_padded_len(0, 1420), 0);
	CU_ASSERT_EQUAL(wg_padded_len(1, 1420), 16);
	CU_ASSERT_EQUAL(wg_padded_len(16, 1420), 16);
	CU_ASSERT_EQUAL(wg_padded_len(84, 1420), 96);
	CU_ASSERT_EQUAL(wg_padded_len(1420, 1420), 1420);
	/* An MTU that is not a multiple of 16 caps the padding. */
	CU_ASSERT_EQUAL(wg_padded_len(1410, 1412), 1412);
	CU_ASSERT_EQUAL(wg_padded_len(1412, 1412), 1412);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "sizes and offsets", test_sizes_and_offsets },
		{ "classify", test_classify },
		{ "little-endian fields", test_little_endian },
		{ "padding to 16, capped by the MTU", test_padding },
		CU_TEST_INFO_NULL,
	};

	return unit_run("messages", tests);
}
