/* SPDX-License-Identifier: MIT */
/* ChaCha20-Poly1305 (RFC 8439) and XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha). */
#include <string.h>

#include "crypto/aead.h"
#include "crypto/ct.h"
#include "unit.h"

/* RFC 8439 section 2.8.2: the "sunscreen" AEAD example. */
static const char rfc_282_key[] =
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
static const char rfc_282_nonce[] = "070000004041424344454647";
static const char rfc_282_aad[] = "50515253c0c1c2c3c4c5c6c7";
static const char rfc_282_plain[] =
	"4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
	"73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
	"6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
	"637265656e20776f756c642062652069742e";
static const char rfc_282_cipher[] =
	"d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	"3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	"92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	"3ff4def08e4b7a9de576d26586cec64b6116";
static const char rfc_282_tag[] = "1ae10b594f09e26a7e902ecbd0600691";

/* RFC 8439 appendix A.5: AEAD decryption. */
static const char rfc_a5_key[] =
	"1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";
static const char rfc_a5_nonce[] = "000000000102030405060708";
static const char rfc_a5_aad[] = "f33388860000000000004e91";
static const char rfc_a5_cipher[] =
	"64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
	"4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
	"332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
	"9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
	"b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
	"af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
	"0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
	"49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
	"a6ad5cb4022b02709b";
static const char rfc_a5_tag[] = "eead9d67890cbb22392336fea1851f38";
static const char rfc_a5_plain[] =
	"496e7465726e65742d4472616674732061726520647261667420646f63756d65"
	"6e74732076616c696420666f722061206d6178696d756d206f6620736978206d"
	"6f6e74687320616e64206d617920626520757064617465642c207265706c6163"
	"65642c206f72206f62736f6c65746564206279206f7468657220646f63756d65"
	"6e747320617420616e792074696d652e20497420697320696e617070726f7072"
	"6961746520746f2075736520496e7465726e65742d4472616674732061732072"
	"65666572656e6365206d6174657269616c206f7220746f206369746520746865"
	"6d206f74686572207468616e206173202fe2809c776f726b20696e2070726f67"
	"726573732e2fe2809d";

/* draft-irtf-cfrg-xchacha-03 appendix A.3.1: same key, AAD and plaintext as 2.8.2. */
static const char xchacha_nonce[] = "404142434445464748494a4b4c4d4e4f5051525354555657";
static const char xchacha_cipher[] =
	"bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
	"731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
	"2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
	"21f9664c97637da9768812f615c68b13b52e";
static const char xchacha_tag[] = "c0875924c1c7987947deafd8780acf49";

struct vec {
	uint8_t key[32], nonce[24], aad[16], plain[512], sealed[512 + 16];
	size_t nonce_len, aad_len, plain_len;
};

static void load(struct vec *v, const char *key, const char *nonce, const char *aad,
		 const char *plain, const char *cipher, const char *tag)
{
	size_t clen;

	memset(v, 0, sizeof(*v));
	unit_hex(v->key, sizeof(v->key), key);
	v->nonce_len = unit_hex(v->nonce, sizeof(v->nonce), nonce);
	v->aad_len = unit_hex(v->aad, sizeof(v->aad), aad);
	v->plain_len = unit_hex(v->plain, sizeof(v->plain), plain);
	clen = unit_hex(v->sealed, sizeof(v->sealed), cipher);
	CU_ASSERT_EQUAL_FATAL(clen, v->plain_len);
	CU_ASSERT_EQUAL_FATAL(unit_hex(v->sealed + clen, 16, tag), 16);
}

static void test_rfc8439_encrypt(void)
{
	struct vec v;
	uint8_t out[512 + 16];

	load(&v, rfc_282_key, rfc_282_nonce, rfc_282_aad, rfc_282_plain, rfc_282_cipher,
	     rfc_282_tag);
	CU_ASSERT_EQUAL(v.plain_len, 114);
	wgc_aead_encrypt_nonce(out, v.plain, v.plain_len, v.aad, v.aad_len, v.nonce, v.key);
	UNIT_ASSERT_MEM(out, v.sealed, v.plain_len + 16);
}

static void test_rfc8439_decrypt(void)
{
	struct vec v;
	uint8_t out[512];

	load(&v, rfc_a5_key, rfc_a5_nonce, rfc_a5_aad, rfc_a5_plain, rfc_a5_cipher, rfc_a5_tag);
	CU_ASSERT_TRUE(wgc_aead_decrypt_nonce(out, v.sealed, v.plain_len + 16, v.aad, v.aad_len,
					      v.nonce, v.key));
	UNIT_ASSERT_MEM(out, v.plain, v.plain_len);
	/* The A.5 nonce is WireGuard-shaped: 4 zero bytes, then a little-endian counter. */
	memset(out, 0, sizeof(out));
	CU_ASSERT_TRUE(wgc_aead_decrypt(out, v.sealed, v.plain_len + 16, v.aad, v.aad_len,
					0x0807060504030201ull, v.key));
	UNIT_ASSERT_MEM(out, v.plain, v.plain_len);
}

/* Every kind of damage must fail to open, and leave no plaintext behind. */
static void test_rfc8439_negative(void)
{
	struct vec v;
	uint8_t out[512], bad[512 + 16];
	size_t n;

	load(&v, rfc_a5_key, rfc_a5_nonce, rfc_a5_aad, rfc_a5_plain, rfc_a5_cipher, rfc_a5_tag);
	n = v.plain_len + 16;
	memcpy(bad, v.sealed, n);
	bad[n - 1] ^= 0x01; /* tag */
	CU_ASSERT_FALSE(wgc_aead_decrypt_nonce(out, bad, n, v.aad, v.aad_len, v.nonce, v.key));
	CU_ASSERT_TRUE(wgc_ct_is_zero(out, v.plain_len));
	memcpy(bad, v.sealed, n);
	bad[100] ^= 0x80; /* ciphertext */
	CU_ASSERT_FALSE(wgc_aead_decrypt_nonce(out, bad, n, v.aad, v.aad_len, v.nonce, v.key));
	v.aad[0] ^= 1; /* associated data */
	CU_ASSERT_FALSE(wgc_aead_decrypt_nonce(out, v.sealed, n, v.aad, v.aad_len, v.nonce, v.key));
	v.aad[0] ^= 1;
	v.key[31] ^= 1; /* key */
	CU_ASSERT_FALSE(wgc_aead_decrypt_nonce(out, v.sealed, n, v.aad, v.aad_len, v.nonce, v.key));
	v.key[31] ^= 1;
	/* counter: the right one opens, its neighbours do not */
	CU_ASSERT_TRUE(wgc_aead_decrypt(out, v.sealed, n, v.aad, v.aad_len, 0x0807060504030201ull,
					v.key));
	CU_ASSERT_FALSE(wgc_aead_decrypt(out, v.sealed, n, v.aad, v.aad_len,
					 0x0807060504030202ull, v.key));
	CU_ASSERT_FALSE(wgc_aead_decrypt(out, v.sealed, n, v.aad, v.aad_len,
					 0x0807060504030200ull, v.key));
	/* Shorter than a tag. */
	CU_ASSERT_FALSE(wgc_aead_decrypt(out, v.sealed, 15, NULL, 0, 0, v.key));
}

static void test_wireguard_nonce_and_round_trip(void)
{
	uint8_t nonce[12], want[12], key[32], plain[300], sealed[316], opened[300];

	wgc_aead_nonce_from_counter(nonce, 0x0102030405060708ull);
	unit_hex(want, sizeof(want), "00000000 0807060504030201");
	UNIT_ASSERT_MEM(nonce, want, 12);

	wgc_random(key, sizeof(key));
	wgc_random(plain, sizeof(plain));
	for (size_t len = 0; len <= sizeof(plain); len += 37) {
		wgc_aead_encrypt(sealed, plain, len, NULL, 0, len, key);
		CU_ASSERT_TRUE(wgc_aead_decrypt(opened, sealed, len + 16, NULL, 0, len, key));
		UNIT_ASSERT_MEM(opened, plain, len);
		CU_ASSERT_FALSE(wgc_aead_decrypt(opened, sealed, len + 16, NULL, 0, len + 1, key));
	}
	/* In place, as the data path does it. */
	memcpy(sealed, plain, 64);
	wgc_aead_encrypt(sealed, sealed, 64, NULL, 0, 7, key);
	CU_ASSERT_TRUE(wgc_aead_decrypt(sealed, sealed, 80, NULL, 0, 7, key));
	UNIT_ASSERT_MEM(sealed, plain, 64);
}

static void test_xchacha(void)
{
	struct vec v;
	uint8_t out[512 + 16];
	size_t n;

	load(&v, rfc_282_key, xchacha_nonce, rfc_282_aad, rfc_282_plain, xchacha_cipher,
	     xchacha_tag);
	CU_ASSERT_EQUAL_FATAL(v.nonce_len, 24);
	n = v.plain_len + 16;
	wgc_xaead_encrypt(out, v.plain, v.plain_len, v.aad, v.aad_len, v.nonce, v.key);
	UNIT_ASSERT_MEM(out, v.sealed, n);
	memset(out, 0, sizeof(out));
	CU_ASSERT_TRUE(wgc_xaead_decrypt(out, v.sealed, n, v.aad, v.aad_len, v.nonce, v.key));
	UNIT_ASSERT_MEM(out, v.plain, v.plain_len);
	v.sealed[3] ^= 4;
	CU_ASSERT_FALSE(wgc_xaead_decrypt(out, v.sealed, n, v.aad, v.aad_len, v.nonce, v.key));
	v.sealed[3] ^= 4;
	v.nonce[23] ^= 1;
	CU_ASSERT_FALSE(wgc_xaead_decrypt(out, v.sealed, n, v.aad, v.aad_len, v.nonce, v.key));
	v.nonce[23] ^= 1;
	CU_ASSERT_FALSE(wgc_xaead_decrypt(out, v.sealed, n, NULL, 0, v.nonce, v.key));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "RFC 8439 2.8.2 encryption", test_rfc8439_encrypt },
		{ "RFC 8439 A.5 decryption", test_rfc8439_decrypt },
		{ "tag, ciphertext, AD, key, counter damage refused", test_rfc8439_negative },
		{ "WireGuard nonce and round trips", test_wireguard_nonce_and_round_trip },
		{ "XChaCha20-Poly1305 draft A.3.1", test_xchacha },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("aead", tests);
}
