/* SPDX-License-Identifier: MIT */
/* Keys as text: exactly the base64 wg prints and accepts. */
#include <string.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "unit.h"

/* RFC 7748 6.1, Alice's private key; its base64 from the standard alphabet (RFC 4648). */
static const char alice_hex[] = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char alice_b64[] = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";

static void test_known_key(void)
{
	uint8_t key[32], parsed[32];
	char text[WGC_KEY_B64_LEN + 1];

	unit_hex(key, 32, alice_hex);
	wgc_key_to_base64(text, key);
	CU_ASSERT_STRING_EQUAL(text, alice_b64);
	CU_ASSERT_EQUAL(strlen(text), 44);
	CU_ASSERT_TRUE(wgc_key_from_base64(parsed, alice_b64));
	UNIT_ASSERT_MEM(parsed, key, 32);
}

static void test_round_trip(void)
{
	uint8_t key[32], back[32];
	char text[WGC_KEY_B64_LEN + 1];

	for (int i = 0; i < 200; i++) {
		wgc_random(key, sizeof(key));
		wgc_key_to_base64(text, key);
		CU_ASSERT_TRUE(wgc_key_from_base64(back, text));
		UNIT_ASSERT_MEM(back, key, 32);
	}
}

static void test_rejects(void)
{
	uint8_t key[32];
	char text[64];

	CU_ASSERT_FALSE(wgc_key_from_base64(key, ""));
	/* 43 and 45 characters. */
	CU_ASSERT_FALSE(wgc_key_from_base64(key, "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo"));
	CU_ASSERT_FALSE(wgc_key_from_base64(key, "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=="));
	/* Not base64. */
	strcpy(text, alice_b64);
	text[5] = '!';
	CU_ASSERT_FALSE(wgc_key_from_base64(key, text));
	/* No padding where it belongs. */
	strcpy(text, alice_b64);
	text[43] = 'A';
	CU_ASSERT_FALSE(wgc_key_from_base64(key, text));
	/* The last character's two low bits fall outside 32 bytes: "Co=" is canonical, "Cp=" not. */
	strcpy(text, alice_b64);
	text[42] = 'p';
	CU_ASSERT_FALSE(wgc_key_from_base64(key, text));
}

static void test_from_text(void)
{
	uint8_t key[32], want[32];
	const char *ok[] = { "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n",
			     "  dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=  \n",
			     "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=" };
	const char *bad[] = { "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\nx",
			      "dwdtCnMYpX08 FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=", "\n" };

	unit_hex(want, 32, alice_hex);
	for (size_t i = 0; i < 3; i++) {
		memset(key, 0, sizeof(key));
		CU_ASSERT_TRUE(wgc_key_from_text(key, ok[i], strlen(ok[i])));
		UNIT_ASSERT_MEM(key, want, 32);
	}
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT_FALSE(wgc_key_from_text(key, bad[i], strlen(bad[i])));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "RFC 7748 key in base64", test_known_key },
		{ "random keys round trip", test_round_trip },
		{ "malformed text refused", test_rejects },
		{ "key files: blanks and a newline", test_from_text },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("keys", tests);
}
