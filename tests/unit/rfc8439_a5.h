/* SPDX-License-Identifier: MIT */
/*
 * RFC 8439 Appendix A.5 (AEAD decryption), typed from the RFC: the key, the nonce
 * 00000000 0102030405060708 (WireGuard's form: the counter 0x0807060504030201), the Poly1305
 * key it gives, the AAD, the ciphertext and the tag, as hex with spaces.
 */
#ifndef WGDP_TEST_RFC8439_A5_H
#define WGDP_TEST_RFC8439_A5_H

#define RFC8439_A5_KEY                                    \
	"1c 92 40 a5 eb 55 d3 8a f3 33 88 86 04 f6 b5 f0" \
	"47 39 17 c1 40 2b 80 09 9d ca 5c bc 20 70 75 c0"
#define RFC8439_A5_COUNTER 0x0807060504030201ull
#define RFC8439_A5_POLYKEY                                \
	"bd f0 4a a9 5c e4 de 89 95 b1 4b b6 a1 8f ec af" \
	"26 47 8f 50 c0 54 f5 63 db c0 a2 1e 26 15 72 aa"
#define RFC8439_A5_AAD "f3 33 88 86 00 00 00 00 00 00 4e 91"
#define RFC8439_A5_CIPHER                                 \
	"64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd" \
	"5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2" \
	"4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0" \
	"bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf" \
	"33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81" \
	"14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55" \
	"97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38" \
	"36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4" \
	"b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9" \
	"90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e" \
	"af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a" \
	"0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a" \
	"0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e" \
	"ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10" \
	"49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30" \
	"30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29" \
	"a6 ad 5c b4 02 2b 02 70 9b"
#define RFC8439_A5_TAG "ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38"

#endif
