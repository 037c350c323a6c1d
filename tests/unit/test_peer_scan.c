/* SPDX-License-Identifier: MIT */
/*
 * The peers scan (lib/config/peer_scan.h): wgdp_config_parse must read every config exactly as
 * the JSON tree does, and report every error exactly as the tree does, path and all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "peer_scan.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "unit.h"

/* RFC 7748 6.1 keys, in base64: Alice is our interface, Bob a peer. */
#define OUR_KEY	  "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define OUR_PUB	  "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define PEER_KEY  "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
#define CAROL_KEY "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os="
#define PEER	  "{\"public_key\":\"" PEER_KEY "\"}"

#define HEAD                                                \
	"{\"interface\":{\"private_key\":\"" OUR_KEY "\"}," \
	"\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"192.0.2.1/24\"]}],"
/* An element of interfaces[] without its closing brace: VLAN n of port 1, listen port n. */
#define IFACE(name, key, n)                                                      \
	"{\"name\":\"" name "\",\"private_key\":\"" key "\",\"listen_port\":" #n \
	",\"inside\":{\"port\":1,\"vlan\":" #n ",\"address\":[\"10.0." #n ".1/24\"]}"
#define IFACES_HEAD                                                                     \
	"{\"ports\":[{\"port\":0,\"role\":\"outside\",\"address\":[\"192.0.2.1/24\"]}," \
	"{\"port\":1,\"role\":\"inside\",\"address\":[]}],\"interfaces\":["

static void expect_same_config(const struct wgdp_config *a, const struct wgdp_config *b)
{
	CU_ASSERT_EQUAL_FATAL(a->n_ifaces, b->n_ifaces);
	CU_ASSERT_EQUAL(a->n_peers, b->n_peers);
	CU_ASSERT_EQUAL(a->max_peers, b->max_peers);
	for (unsigned int k = 0; k < a->n_ifaces; k++) {
		const struct wgdp_interface_config *x = &a->ifaces[k], *y = &b->ifaces[k];

		CU_ASSERT_STRING_EQUAL(x->name, y->name);
		CU_ASSERT_EQUAL_FATAL(x->n_peers, y->n_peers);
		CU_ASSERT_EQUAL(x->peers == NULL, y->peers == NULL);
		for (unsigned int i = 0; i < x->n_peers; i++)
			CU_ASSERT(wgdp_peer_config_equal(&x->peers[i], &y->peers[i]));
	}
}

/* text parses, through the scan when scanned says so, to what the tree makes of it. */
static void expect_same(const char *text, bool scanned)
{
	struct wgdp_config_error err, tree_err;
	struct wgdp_peer_scan *scan = wgdp_peer_scan(text, strlen(text));
	struct wgdp_config *cfg = wgdp_config_parse(text, strlen(text), &err);
	struct wgdp_config *tree = wgdp_config_parse_tree(text, strlen(text), &tree_err);

	if (!cfg || !tree || (scan != NULL) != scanned)
		fprintf(stderr, "\n  %s\n  scan %s; %s: %s\n", text, scan ? "yes" : "no", err.path,
			err.message);
	CU_ASSERT_EQUAL(scan != NULL, scanned);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	CU_ASSERT_PTR_NOT_NULL(tree);
	if (cfg && tree)
		expect_same_config(cfg, tree);
	wgdp_peer_scan_free(scan);
	wgdp_config_free(cfg);
	wgdp_config_free(tree);
}

static void test_same_config(void)
{
	static const char *const scanned[] = {
		HEAD "\"peers\":[]}",
		HEAD "\"peers\":[" PEER "]}",
		/* Every field, in another order than the parser reads them. */
		HEAD "\"peers\":[{\"name\":\"branch-7\",\"allowed_ips\":[\"10.0.1.7/24\","
		     "\"fd00:1::/64\"],\"persistent_keepalive\":25,\"endpoint\":"
		     "\"198.51.100.7:51820\",\"preshared_key\":\"" OUR_KEY "\","
		     "\"public_key\":\"" PEER_KEY "\"},{\"public_key\":\"" CAROL_KEY "\","
		     "\"endpoint\":\"[2001:db8::7]:1\",\"persistent_keepalive\":65535,"
		     "\"allowed_ips\":[],\"name\":\"\"}]}",
		/* Whitespace wherever JSON allows it. */
		HEAD "\"peers\" :\n[ \t{ \"public_key\" :\r\n\"" PEER_KEY "\" , \"allowed_ips\""
		     " : [ \"10.1.0.0/16\" , \"10.2.0.0/16\" ] , \"persistent_keepalive\" : 0 }"
		     " ,\n{\"public_key\":\"" CAROL_KEY "\"} ]\n}\n",
		/* DEL is printable ASCII to JSON: no escape needed. */
		HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"name\":\"a\x7f\"}]}",
		/* More prefixes than the scan keeps on its stack. */
		HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"allowed_ips\":["
		     "\"10.0.0.0/24\",\"10.0.1.0/24\",\"10.0.2.0/24\",\"10.0.3.0/24\","
		     "\"10.0.4.0/24\",\"10.0.5.0/24\",\"10.0.6.0/24\",\"10.0.7.0/24\","
		     "\"10.0.8.0/24\",\"10.0.9.0/24\",\"10.0.10.0/24\",\"10.0.11.0/24\","
		     "\"10.0.12.0/24\",\"10.0.13.0/24\",\"10.0.14.0/24\",\"10.0.15.0/24\","
		     "\"10.0.16.0/24\",\"fd00::1/128\",\"10.0.18.0/24\"]}]}",
		/* The peers before the interface, and a skipped section with brackets in strings. */
		"{\"peers\":[" PEER "],\"control\":{\"socket\":\"/tmp/a]}[{\\\"x\"},"
		"\"interface\":{\"private_key\":\"" OUR_KEY "\"},"
		"\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"192.0.2.1/24\"]}]}",
		/* Interfaces: with peers, with none, with an empty array. */
		IFACES_HEAD IFACE("wg-a", OUR_KEY, 1) ",\"peers\":[" PEER "]}," IFACE(
			"wg-b", PEER_KEY,
			2) "}," IFACE("wg-c", CAROL_KEY,
				      3) ",\"peers\":[]}," IFACE("wg-d", OUR_PUB,
								 4) ",\"peers\":[{\"public_key\":"
								    "\"" CAROL_KEY
								    "\",\"allowed_ips\":[\"10.9.0."
								    "0/16\"]}," PEER "]}]}",
	};
	/* Valid, but not for the scan: the tree reads them. */
	static const char *const not_scanned[] = {
		HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"name\":\"caf\\u00e9\"}]}",
		HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"name\":\"caf\xc3\xa9\"}]}",
		HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"persistent_keepalive\":-0}]}",
		HEAD "\"pe\\u0065rs\":[" PEER "]}",
		HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"allowed_ips\":[\"10.0.0.1/"
		     "0000000000000000000000000000000000000000000000000000000000032\"]}]}",
		HEAD "\"limits\":{\"max_peers\":3}}",
	};

	for (size_t i = 0; i < sizeof(scanned) / sizeof(scanned[0]); i++)
		expect_same(scanned[i], true);
	for (size_t i = 0; i < sizeof(not_scanned) / sizeof(not_scanned[0]); i++)
		expect_same(not_scanned[i], false);
}

/* text is refused with the tree's very error, and that error is path: message_part. */
static void expect_error(const char *text, const char *path, const char *message_part)
{
	struct wgdp_config_error err, tree_err;
	struct wgdp_config *cfg = wgdp_config_parse(text, strlen(text), &err);
	struct wgdp_config *tree = wgdp_config_parse_tree(text, strlen(text), &tree_err);

	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_PTR_NULL(tree);
	wgdp_config_free(cfg);
	wgdp_config_free(tree);
	if (strcmp(err.path, path) != 0 || !strstr(err.message, message_part))
		fprintf(stderr, "\n  got  %s: %s\n  want %s: ...%s...\n", err.path, err.message,
			path, message_part);
	CU_ASSERT_STRING_EQUAL(err.path, path);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, message_part));
	CU_ASSERT_STRING_EQUAL(err.path, tree_err.path);
	CU_ASSERT_STRING_EQUAL(err.message, tree_err.message);
}

static void test_same_errors(void)
{
	expect_error(HEAD "\"peers\":[" PEER ",{\"public_key\":\"" CAROL_KEY "\"},"
			  "{\"public_key\":\"" OUR_PUB "\",\"allowed_ips\":[\"10.0.0.300/32\"]}]}",
		     "peers[2].allowed_ips[0]", "not a prefix");
	expect_error(HEAD "\"peers\":[" PEER ",{\"public_key\":\"" CAROL_KEY "\",\"colour\":1}]}",
		     "peers[1].colour", "unknown key");
	expect_error(HEAD "\"peers\":[{\"allowed_ips\":[]}]}", "peers[0].public_key",
		     "is required");
	expect_error(HEAD "\"peers\":[" PEER ",{\"public_key\":\"" PEER_KEY "\"}]}",
		     "peers[1].public_key", "duplicate public key (also peers[0])");
	expect_error(HEAD "\"peers\":[" PEER ",{\"public_key\":\"" OUR_PUB "\"}]}",
		     "peers[1].public_key", "own public key");
	expect_error(HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"allowed_ips\":"
			  "[\"10.0.0.0/8\"]},{\"public_key\":\"" CAROL_KEY "\",\"allowed_ips\":"
			  "[\"10.1.0.0/16\",\"10.0.0.0/8\"]}]}",
		     "peers[1].allowed_ips[1]", "10.0.0.0/8 is already peers[0]'s");
	expect_error(HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"persistent_keepalive\":"
			  "65536}]}",
		     "peers[0].persistent_keepalive", "between 0 and 65535");
	expect_error(HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"persistent_keepalive\":"
			  "2.5}]}",
		     "peers[0].persistent_keepalive", "must be an integer");
	expect_error(HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"endpoint\":null}]}",
		     "peers[0].endpoint", "must be a string");
	/* The last character of a key with a bit set that 32 bytes do not use. */
	expect_error(HEAD
		     "\"peers\":[{\"public_key\":\"3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK09="
		     "\"}]}",
		     "peers[0].public_key", "not a base64 key");
	expect_error(HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"name\":\""
			  "0123456789012345678901234567890123456789012345678901234567890123\"}]}",
		     "peers[0].name", "longer than 63 characters");
	expect_error(HEAD "\"peers\":{}}", "peers", "must be an array");
	expect_error(IFACES_HEAD IFACE("wg-a", OUR_KEY, 1) ",\"peers\":[" PEER "]}," IFACE(
			     "wg-b", PEER_KEY, 2) ",\"peers\":[{\"public_key\":\"" CAROL_KEY
						  "\",\"allowed_ips\":[\"x\"]}]}]}",
		     "interfaces[1].peers[0].allowed_ips[0]", "not a prefix");
	/* An error outside the peers, with peers the scan would take. */
	expect_error(HEAD "\"peers\":[" PEER "],\"limits\":{\"max_peers\":0}}", "limits.max_peers",
		     "between");
	expect_error(IFACES_HEAD IFACE("wg-a", OUR_KEY, 1) "}],\"peers\":[" PEER "]}", "peers",
		     "with interfaces");
	/* JSON errors: the line and column are the text's, not the skeleton's. */
	expect_error(HEAD "\n\"peers\":[\n" PEER ",\n" PEER "\n" PEER "]}", "line 5, column 1", "");
	expect_error(HEAD "\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"public_key\":\"" CAROL_KEY
			  "\"}]}",
		     "line 1, column 220", "duplicate object key");
	expect_error(HEAD "\"peers\":[" PEER "],\"peers\":[" PEER "]}", "line 1, column 217",
		     "duplicate object key");
	expect_error(HEAD "\"peers\":[" PEER "]}x", "line 1, column 211", "end of file expected");
	expect_error(HEAD "\"peers\":[" PEER, "line 1, column 208", "']' expected");
}

/*
 * The scan's public key decoder against the constant-time one: every ASCII byte at every
 * place. (Bytes from 0x80 up never reach it: the scan leaves such strings to the tree. Some of
 * them pass wgc_key_from_base64, whose libsodium decoder reads a char as signed.)
 */
static void test_public_key_base64(void)
{
	char b64[WGC_KEY_B64_LEN + 2];
	uint8_t fast[32], ref[32];
	unsigned int mismatches = 0;

	for (unsigned int round = 0; round < 4; round++) {
		wgc_random(ref, sizeof(ref));
		wgc_key_to_base64(b64, ref);
		CU_ASSERT(wgdp_public_key_from_base64(fast, b64, WGC_KEY_B64_LEN));
		UNIT_ASSERT_MEM(fast, ref, 32);
		for (unsigned int pos = 0; pos < WGC_KEY_B64_LEN; pos++) {
			char saved = b64[pos];

			for (unsigned int c = 1; c < 128; c++) {
				bool a, b;

				b64[pos] = (char)c;
				a = wgdp_public_key_from_base64(fast, b64, WGC_KEY_B64_LEN);
				b = wgc_key_from_base64(ref, b64);
				mismatches += a != b || (a && memcmp(fast, ref, 32) != 0);
			}
			b64[pos] = saved;
		}
		/* A character short or too many. */
		CU_ASSERT_FALSE(wgdp_public_key_from_base64(fast, b64, WGC_KEY_B64_LEN - 1));
		b64[WGC_KEY_B64_LEN] = '=';
		b64[WGC_KEY_B64_LEN + 1] = '\0';
		CU_ASSERT_FALSE(wgdp_public_key_from_base64(fast, b64, WGC_KEY_B64_LEN + 1));
		CU_ASSERT_FALSE(wgc_key_from_base64(ref, b64));
	}
	CU_ASSERT_EQUAL(mismatches, 0);
}

/* Peers to fill the scan's array exactly, both ways, with every optional field now and then. */
static void test_many_peers(void)
{
	enum { N = 2 * 256 }; /* the scan's array grows at 256 and 512 */
	size_t cap = N * 300, len = 0;
	char *text = malloc(cap), key[WGC_KEY_B64_LEN + 1];
	uint8_t raw[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len += (size_t)snprintf(text + len, cap - len, HEAD "\"peers\":[");
	for (unsigned int i = 0; i < N; i++) {
		wgc_random(raw, sizeof(raw));
		wgc_key_to_base64(key, raw);
		len += (size_t)snprintf(
			text + len, cap - len,
			"%s{\"public_key\":\"%s\",\"allowed_ips\":[\"10.%u.%u.0/24\""
			",\"fd00:%x::/64\"]%s%s}",
			i ? "," : "", key, i >> 8, i & 255, i,
			i % 3 ? "" : ",\"endpoint\":\"203.0.113.9:4000\"",
			i % 7 ? "" : ",\"persistent_keepalive\":25,\"name\":\"n\"");
	}
	snprintf(text + len, cap - len, "]}");
	expect_same(text, true);
	free(text);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "the scan reads what the tree reads", test_same_config },
		{ "errors are the tree's, path and all", test_same_errors },
		{ "public keys decode as wgc_key_from_base64", test_public_key_base64 },
		{ "512 peers both ways", test_many_peers },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("peer_scan", tests);
}
