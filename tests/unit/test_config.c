/* SPDX-License-Identifier: MIT */
/* The JSON config: every SPEC field read, every error named by its JSON path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "unit.h"

/* RFC 7748 6.1 keys, in base64: Alice is our interface, Bob a peer. */
#define OUR_KEY	 "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define OUR_PUB	 "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define PEER_KEY "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
#define CAROL_KEY "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os="

static const char full[] =
	"{\"interface\":{\"name\":\"wgdp7\",\"private_key\":\"" OUR_KEY "\","
	"\"listen_port\":51900,\"mtu\":1380},"
	"\"ports\":[{\"port\":0,\"role\":\"outside\",\"address\":[\"192.0.2.1/24\","
	"\"2001:db8::1/64\"],\"gateway\":\"192.0.2.254\",\"queues\":2},"
	"{\"port\":1,\"role\":\"inside\",\"address\":[\"10.0.0.1/24\"]}],"
	"\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"preshared_key\":\"" OUR_KEY "\","
	"\"endpoint\":\"198.51.100.7:51820\",\"allowed_ips\":[\"10.0.1.7/24\",\"fd00:1::/64\"],"
	"\"persistent_keepalive\":25,\"name\":\"branch-7\"},"
	"{\"public_key\":\"XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=\"}],"
	"\"limits\":{\"under_load_queue\":0,\"handshake_queue\":1024,\"max_peers\":10},"
	"\"control\":{\"socket\":\"/tmp/w.sock\",\"uapi\":true}}";

static struct wgdp_config *parse(const char *text, struct wgdp_config_error *err)
{
	return wgdp_config_parse(text, strlen(text), err);
}

/* Parses text that must fail and checks the path and part of the message. */
static void expect_error(const char *text, const char *path, const char *message_part)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(text, &err);

	CU_ASSERT_PTR_NULL(cfg);
	wgdp_config_free(cfg);
	if (strcmp(err.path, path) != 0 || !strstr(err.message, message_part))
		fprintf(stderr, "\n  got  %s: %s\n  want %s: ...%s...\n", err.path, err.message,
			path, message_part);
	CU_ASSERT_STRING_EQUAL(err.path, path);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, message_part));
}

/* A minimal valid config with one replacement: "%s" stands for the peers array. */
static char *with_peers(const char *peers)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"interface\":{\"private_key\":\"" OUR_KEY "\"},"
		 "\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"192.0.2.1/24\"]}],"
		 "\"peers\":%s}",
		 peers);
	return buf;
}

static void test_full_config(void)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(full, &err);
	uint8_t key[32];

	if (!cfg)
		fprintf(stderr, "\n  %s: %s\n", err.path, err.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_STRING_EQUAL(cfg->ifname, "wgdp7");
	wgc_key_from_base64(key, OUR_KEY);
	UNIT_ASSERT_MEM(cfg->private_key, key, 32);
	CU_ASSERT_EQUAL(cfg->listen_port, 51900);
	CU_ASSERT_EQUAL(cfg->mtu, 1380);
	CU_ASSERT_EQUAL(cfg->n_ports, 2);
	CU_ASSERT_EQUAL(cfg->ports[0].role, WGDP_ROLE_OUTSIDE);
	CU_ASSERT_EQUAL(cfg->ports[0].n_addrs, 2);
	CU_ASSERT_EQUAL(cfg->ports[0].addrs[1].addr.family, 6);
	CU_ASSERT_EQUAL(cfg->ports[0].addrs[1].len, 64);
	CU_ASSERT_TRUE(cfg->ports[0].has_gateway);
	CU_ASSERT_EQUAL(cfg->ports[0].gateway.bytes[3], 254);
	CU_ASSERT_EQUAL(cfg->ports[0].queues, 2);
	CU_ASSERT_EQUAL(cfg->ports[1].role, WGDP_ROLE_INSIDE);
	CU_ASSERT_EQUAL(cfg->ports[1].queues, 1);
	CU_ASSERT_EQUAL(cfg->n_peers, 2);
	CU_ASSERT_TRUE(cfg->peers[0].has_psk);
	CU_ASSERT_TRUE(cfg->peers[0].has_endpoint);
	CU_ASSERT_EQUAL(cfg->peers[0].endpoint.port, 51820);
	CU_ASSERT_EQUAL(cfg->peers[0].endpoint.addr.bytes[0], 198);
	CU_ASSERT_EQUAL(cfg->peers[0].n_allowed_ips, 2);
	/* Host bits of an allowed-ip are cleared, as wg does: 10.0.1.7/24 is 10.0.1.0/24. */
	CU_ASSERT_EQUAL(cfg->peers[0].allowed_ips[0].addr.bytes[3], 0);
	CU_ASSERT_EQUAL(cfg->peers[0].allowed_ips[0].len, 24);
	CU_ASSERT_EQUAL(cfg->peers[0].persistent_keepalive, 25);
	CU_ASSERT_STRING_EQUAL(cfg->peers[0].name, "branch-7");
	CU_ASSERT_FALSE(cfg->peers[1].has_endpoint);
	CU_ASSERT_EQUAL(cfg->under_load_queue, 0);
	CU_ASSERT_EQUAL(cfg->handshake_queue, 1024);
	CU_ASSERT_EQUAL(cfg->max_peers, 10);
	CU_ASSERT_STRING_EQUAL(cfg->socket_path, "/tmp/w.sock");
	CU_ASSERT_TRUE(cfg->uapi);
	wgdp_config_free(cfg);
}

static void test_defaults(void)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(with_peers("[]"), &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_STRING_EQUAL(cfg->ifname, "wgdp0");
	CU_ASSERT_EQUAL(cfg->listen_port, WGDP_DEFAULT_PORT);
	CU_ASSERT_EQUAL(cfg->mtu, WGDP_DEFAULT_MTU);
	CU_ASSERT_EQUAL(cfg->under_load_queue, 512);
	CU_ASSERT_EQUAL(cfg->handshake_queue, 4096);
	CU_ASSERT_EQUAL(cfg->max_peers, 1048576);
	CU_ASSERT_STRING_EQUAL(cfg->socket_path, "/run/wgdp/wgdp0.sock");
	CU_ASSERT_FALSE(cfg->uapi);
	CU_ASSERT_EQUAL(cfg->n_peers, 0);
	wgdp_config_free(cfg);
}

static void test_private_key_file(void)
{
	char path[] = "/tmp/wgdp-test-key.XXXXXX", text[512];
	struct wgdp_config_error err;
	struct wgdp_config *cfg;
	uint8_t key[32];
	int fd = mkstemp(path);

	CU_ASSERT_TRUE_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, OUR_KEY "\n", 45), 45);
	close(fd);
	snprintf(text, sizeof(text),
		 "{\"interface\":{\"private_key_file\":\"%s\"},\"ports\":[{\"port\":0,"
		 "\"role\":\"both\",\"address\":[\"192.0.2.1/24\"]}]}",
		 path);
	cfg = parse(text, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	wgc_key_from_base64(key, OUR_KEY);
	UNIT_ASSERT_MEM(cfg->private_key, key, 32);
	wgdp_config_free(cfg);
	unlink(path);
	expect_error(text, "interface.private_key_file", "cannot read");
}

static void test_errors_name_their_path(void)
{
	/* Syntax: the position, from jansson. */
	expect_error("{\"interface\": ", "line 1, column 14", "");
	expect_error("[]", "(top level)", "must be a JSON object");
	expect_error("{\"interface\":{}, \"ports\":[], \"bogus\":1}", "bogus", "unknown key");
	expect_error("{\"ports\":[]}", "interface", "is required");
	expect_error("{\"interface\":{\"private_key\":\"abc\"}}", "interface.private_key",
		     "not a base64 key");
	expect_error("{\"interface\":{}}", "interface", "exactly one of");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\",\"private_key_file\":\"/x\"}}",
		     "interface.private_key_file", "cannot read");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\",\"listen_port\":70000}}",
		     "interface.listen_port", "between 1 and 65535");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\",\"mtu\":\"big\"}}",
		     "interface.mtu", "must be an integer");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\",\"name\":\"much-too-long-name\"}}",
		     "interface.name", "characters");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\"}}", "ports", "is required");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\"},\"ports\":[{\"port\":0,"
		     "\"role\":\"outside\",\"address\":[\"192.0.2.1/24\"]}]}",
		     "ports", "an outside and an inside");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\"},\"ports\":[{\"port\":0,"
		     "\"role\":\"sideways\",\"address\":[]}]}",
		     "ports[0].role", "outside, inside or both");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\"},\"ports\":[{\"port\":0,"
		     "\"role\":\"both\",\"address\":[\"192.0.2.1\"]}]}",
		     "ports[0].address[0]", "not a prefix");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\"},\"ports\":[{\"port\":0,"
		     "\"role\":\"both\",\"address\":[\"192.0.2.1/24\"],\"gateway\":\"fe80::1\"}]}",
		     "ports[0].gateway", "family");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\"},\"ports\":[{\"port\":3,"
		     "\"role\":\"inside\",\"address\":[]},{\"port\":3,\"role\":\"outside\","
		     "\"address\":[]}]}",
		     "ports[1].port", "configured twice");
}

static void test_peer_errors(void)
{
	expect_error(with_peers("[{}]"), "peers[0].public_key", "is required");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\",\"endpoint\":\"1.2.3.4\"}]"),
		     "peers[0].endpoint", "not an endpoint");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\",\"endpoint\":\"::1:80\"}]"),
		     "peers[0].endpoint", "not an endpoint");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\",\"allowed_ips\":[\"10.0.0.0/8\","
				"\"10.0.0.0/33\"]}]"),
		     "peers[0].allowed_ips[1]", "not a prefix");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\",\"allowed_ips\":[\"fd00::/129\"]}]"),
		     "peers[0].allowed_ips[0]", "not a prefix");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\",\"persistent_keepalive\":-1}]"),
		     "peers[0].persistent_keepalive", "between");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\",\"colour\":\"red\"}]"),
		     "peers[0].colour", "unknown key");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\",\"preshared_key\":\"x\"}]"),
		     "peers[0].preshared_key", "not a base64 key");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\"},{\"public_key\":\"" OUR_PUB
				"\"},{\"public_key\":\"" PEER_KEY "\"}]"),
		     "peers[1].public_key", "own public key");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\"},{\"public_key\":\"" PEER_KEY
				"\"}]"),
		     "peers[1].public_key", "duplicate public key (also peers[0])");
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\"},{\"public_key\":\"" CAROL_KEY
				"\"},{\"public_key\":\"" PEER_KEY "\"}]"),
		     "peers[2].public_key", "duplicate public key (also peers[0])");
	/* Duplicate JSON keys are refused by the parser itself. */
	expect_error(with_peers("[{\"public_key\":\"" PEER_KEY "\",\"public_key\":\"" PEER_KEY
				"\"}]"),
		     "line 1, column 220", "duplicate");
}


/* A peer entry with one key and an allowed_ips list (JSON text without the brackets). */
static char *peer_entry(char *buf, size_t len, const char *key, const char *aips)
{
	snprintf(buf, len, "{\"public_key\":\"%s\",\"allowed_ips\":[%s]}", key, aips);
	return buf;
}

static char *two_peers(const char *aips_a, const char *aips_b)
{
	static char peers[1024];
	char a[256], b[256];

	snprintf(peers, sizeof(peers), "[%s,%s]", peer_entry(a, sizeof(a), PEER_KEY, aips_a),
		 peer_entry(b, sizeof(b), CAROL_KEY, aips_b));
	return with_peers(peers);
}

static void expect_ok(const char *text)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(text, &err);

	if (!cfg)
		fprintf(stderr, "\n  refused: %s: %s\n", err.path, err.message);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	wgdp_config_free(cfg);
}

/* One prefix is one peer's: a second holder is refused by its path, after normalisation. */
static void test_prefix_held_twice(void)
{
	expect_error(two_peers("\"10.0.2.0/24\",\"10.0.1.0/24\"",
			       "\"10.0.3.0/24\",\"10.0.1.0/24\""),
		     "peers[1].allowed_ips[1]", "10.0.1.0/24 is already peers[0]'s");
	/* Host bits are cleared first: 10.0.1.5/24 is 10.0.1.0/24. */
	expect_error(two_peers("\"10.0.1.0/24\"", "\"10.0.1.5/24\""), "peers[1].allowed_ips[0]",
		     "10.0.1.0/24 is already peers[0]'s");
	expect_error(two_peers("\"fd00:1::/64\"", "\"fd00:1:0:0:7::1/64\""),
		     "peers[1].allowed_ips[0]", "fd00:1::/64 is already peers[0]'s");
	/* One peer listing a prefix twice is a slip too (show would list it twice). */
	expect_error(two_peers("\"10.0.1.0/24\",\"10.0.2.0/24\",\"10.0.1.9/24\"",
			       "\"10.0.3.0/24\""),
		     "peers[0].allowed_ips[2]", "10.0.1.0/24 repeats allowed_ips[0]");
	/* Overlapping but different prefixes are fine: the longest match routes. So are the same
	 * bytes in another family or with another length. */
	expect_ok(two_peers("\"10.0.0.0/16\",\"0.0.0.0/0\"", "\"10.0.1.0/24\",\"10.0.1.7/32\""));
	expect_ok(two_peers("\"10.0.1.0/24\"", "\"10.0.1.0/25\""));
	expect_ok(two_peers("\"0.0.0.0/0\"", "\"::/0\""));
	expect_ok(two_peers("\"10.0.0.0/8\"", "\"a00::/8\""));
}

/* The same rule for configs edited in memory (the UAPI, peer-add), with the same paths. */
static void test_prefix_held_twice_in_memory(void)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(two_peers("\"10.0.1.0/24\"", "\"10.0.2.0/24\""), &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_TRUE(wgdp_config_check_peers(cfg, &err));
	cfg->peers[1].allowed_ips[0] = cfg->peers[0].allowed_ips[0];
	CU_ASSERT_FALSE(wgdp_config_check_peers(cfg, &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peers[1].allowed_ips[0]");
	CU_ASSERT_STRING_EQUAL(err.message, "10.0.1.0/24 is already peers[0]'s");
	wgdp_config_free(cfg);
}

/* Each rule across peers, in memory (peer-add, the UAPI) as in a file: the same paths, the same
 * messages (peer_rules.c checks for both). */
static void test_peer_rules_in_memory(void)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(two_peers("\"10.0.1.0/24\"", "\"10.0.2.0/24\""), &err);
	uint8_t own[32], carol[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	memcpy(carol, cfg->peers[1].public_key, 32);
	wgc_key_from_base64(own, OUR_PUB);
	memcpy(cfg->peers[1].public_key, own, 32);
	CU_ASSERT_FALSE(wgdp_config_check_peers(cfg, &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peers[1].public_key");
	CU_ASSERT_STRING_EQUAL(err.message, "is the interface's own public key");
	memcpy(cfg->peers[1].public_key, cfg->peers[0].public_key, 32);
	CU_ASSERT_FALSE(wgdp_config_check_peers(cfg, &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peers[1].public_key");
	CU_ASSERT_STRING_EQUAL(err.message, "duplicate public key (also peers[0])");
	memcpy(cfg->peers[1].public_key, carol, 32);
	/* The own key is found before a shared key or prefix, as a file's are. */
	cfg->peers[0].allowed_ips[0] = cfg->peers[1].allowed_ips[0];
	memcpy(cfg->peers[1].public_key, own, 32);
	CU_ASSERT_FALSE(wgdp_config_check_peers(cfg, &err));
	CU_ASSERT_STRING_EQUAL(err.message, "is the interface's own public key");
	memcpy(cfg->peers[1].public_key, carol, 32);
	CU_ASSERT_FALSE(wgdp_config_check_peers(cfg, &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peers[1].allowed_ips[0]");
	CU_ASSERT_STRING_EQUAL(err.message, "10.0.2.0/24 is already peers[0]'s");
	wgdp_config_free(cfg);
}

/* The tree names a config's errors (peer_scan.h): one read from a JSON tree names the same error
 * as one read from text, and an earlier peer's own key comes before a later peer's slip. */
static void test_peer_rules_tree_and_text(void)
{
	static const char *const peers[] = {
		"[{\"public_key\":\"" OUR_PUB "\"},{\"public_key\":\"x\"}]",
		"[{\"public_key\":\"" PEER_KEY "\",\"allowed_ips\":[\"10.0.1.0/24\","
		"\"10.0.1.9/24\"]},{\"public_key\":\"x\"}]",
		"[{\"public_key\":\"" PEER_KEY "\"},{\"public_key\":\"" PEER_KEY "\"}]",
	};
	static const char *const want[][2] = {
		{ "peers[0].public_key", "is the interface's own public key" },
		{ "peers[1].public_key", "not a base64 key" },
		{ "peers[1].public_key", "duplicate public key (also peers[0])" },
	};

	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		const char *text = with_peers(peers[i]);
		json_t *tree = json_loads(text, 0, NULL);
		struct wgdp_config_error err;
		struct wgdp_config *cfg;

		expect_error(text, want[i][0], want[i][1]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
		cfg = wgdp_config_from_json(tree, &err);
		CU_ASSERT_PTR_NULL(cfg);
		wgdp_config_free(cfg);
		CU_ASSERT_STRING_EQUAL(err.path, want[i][0]);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want[i][1]));
		json_decref(tree);
	}
}

/* peer-add's rule: the same errors under the request's "peer", naming the holder's key. */
static void test_new_peer(void)
{
	static const char dave[] =
		"{\"public_key\":\"r7FRRze7m4WdMnkFR5SiBoSH5+WVjkK6CTIkwq3vMHE=\","
		"\"allowed_ips\":[\"10.0.3.0/24\",\"10.0.2.9/24\"]}";
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(two_peers("\"10.0.1.0/24\"", "\"10.0.2.0/24\""), &err);
	struct wgdp_peer_config pc;
	json_t *obj = json_loads(dave, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_TRUE_FATAL(wgdp_peer_config_from_json(obj, "peer", &pc, &err));
	CU_ASSERT_FALSE(wgdp_config_check_new_peer(cfg, &pc, "peer", &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peer.allowed_ips[1]");
	CU_ASSERT_STRING_EQUAL(err.message, "10.0.2.0/24 is already peers[1]'s (" CAROL_KEY ")");
	pc.allowed_ips[1].len = 25; /* 10.0.2.0/25: overlapping is fine */
	CU_ASSERT_TRUE(wgdp_config_check_new_peer(cfg, &pc, "peer", &err));
	pc.allowed_ips[1] = pc.allowed_ips[0];
	CU_ASSERT_FALSE(wgdp_config_check_new_peer(cfg, &pc, "peer", &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peer.allowed_ips[1]");
	CU_ASSERT_STRING_EQUAL(err.message, "10.0.3.0/24 repeats allowed_ips[0]");
	wgc_key_from_base64(pc.public_key, CAROL_KEY);
	CU_ASSERT_FALSE(wgdp_config_check_new_peer(cfg, &pc, "peer", &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peer.public_key");
	cfg->max_peers = 2;
	pc.public_key[0] ^= 1;
	CU_ASSERT_FALSE(wgdp_config_check_new_peer(cfg, &pc, "peer", &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peer");
	wgdp_peer_config_clear(&pc);
	json_decref(obj);
	wgdp_config_free(cfg);
}

/* A config of many peers is checked in one pass: no false duplicate among 2^18 /32s and
 * /24s, and a late duplicate found. A quadratic check would take minutes here. */
static void test_prefix_check_scales(void)
{
	enum { N = 1 << 18 };
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(with_peers("[]"), &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	cfg->max_peers = N;
	free(cfg->peers); /* the parser's empty array */
	cfg->peers = calloc(N, sizeof(*cfg->peers));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg->peers);
	for (uint32_t i = 0; i < N; i++) {
		struct wgdp_peer_config *pc = &cfg->peers[i];
		char text[2][32];

		wgc_random(pc->public_key, 32);
		snprintf(text[0], sizeof(text[0]), "10.%u.%u.%u/32", i >> 16, (i >> 8) & 255,
			 i & 255);
		snprintf(text[1], sizeof(text[1]), "100.%u.%u.0/24", i >> 16, (i >> 8) & 255);
		pc->allowed_ips = calloc(2, sizeof(*pc->allowed_ips));
		CU_ASSERT_PTR_NOT_NULL_FATAL(pc->allowed_ips);
		wgdp_parse_prefix(text[0], &pc->allowed_ips[0], true);
		wgdp_parse_prefix(text[1], &pc->allowed_ips[pc->n_allowed_ips = 1], true);
		/* The /24s: one peer in 256 holds one. */
		pc->n_allowed_ips += (i & 255) == 0;
		cfg->n_peers++;
	}
	CU_ASSERT_TRUE(wgdp_config_check_peers(cfg, &err));
	cfg->peers[N - 1].allowed_ips[0] = cfg->peers[3].allowed_ips[0];
	CU_ASSERT_FALSE(wgdp_config_check_peers(cfg, &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peers[262143].allowed_ips[0]");
	CU_ASSERT_STRING_EQUAL(err.message, "10.0.0.3/32 is already peers[3]'s");
	wgdp_config_free(cfg);
}

static void test_endpoint_and_prefix_parsers(void)
{
	struct wgdp_endpoint ep;
	struct wgdp_prefix pre;

	CU_ASSERT_TRUE(wgdp_parse_endpoint("[2001:db8::7]:51820", &ep));
	CU_ASSERT_EQUAL(ep.addr.family, 6);
	CU_ASSERT_EQUAL(ep.port, 51820);
	CU_ASSERT_EQUAL(ep.addr.bytes[15], 7);
	CU_ASSERT_FALSE(wgdp_parse_endpoint("[2001:db8::7]", &ep));
	CU_ASSERT_FALSE(wgdp_parse_endpoint("[1.2.3.4]:80", &ep));
	CU_ASSERT_FALSE(wgdp_parse_endpoint("1.2.3.4:0", &ep));
	CU_ASSERT_FALSE(wgdp_parse_endpoint("1.2.3.4:65536", &ep));
	CU_ASSERT_FALSE(wgdp_parse_endpoint("1.2.3.4:80x", &ep));
	CU_ASSERT_FALSE(wgdp_parse_endpoint("host.example:80", &ep));
	CU_ASSERT_TRUE(wgdp_parse_prefix("fd00:1:2:3:4::1/64", &pre, true));
	CU_ASSERT_EQUAL(pre.len, 64);
	CU_ASSERT_EQUAL(pre.addr.bytes[7], 3);
	CU_ASSERT_EQUAL(pre.addr.bytes[9], 0);
	CU_ASSERT_EQUAL(pre.addr.bytes[15], 0);
	CU_ASSERT_TRUE(wgdp_parse_prefix("0.0.0.0/0", &pre, true));
	CU_ASSERT_FALSE(wgdp_parse_prefix("10.0.0.0/", &pre, true));
	CU_ASSERT_FALSE(wgdp_parse_prefix("10.0.0.0/+8", &pre, true));
	CU_ASSERT_FALSE(wgdp_parse_prefix("/8", &pre, true));
}

static void test_max_peers(void)
{
	static const char text[] =
		"{\"interface\":{\"private_key\":\"" OUR_KEY "\"},"
		"\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"192.0.2.1/24\"]}],"
		"\"peers\":[{\"public_key\":\"" PEER_KEY "\"},{\"public_key\":\"" OUR_KEY "\"}],"
		"\"limits\":{\"max_peers\":1}}";

	expect_error(text, "peers", "exceed limits.max_peers");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\"},\"ports\":[{\"port\":0,"
		     "\"role\":\"both\",\"address\":[]}],\"limits\":{\"handshake_queue\":1000}}",
		     "limits.handshake_queue", "power of two");
}

/* An interface with one more member: "%s" is, e.g., "\"mss_clamp\":\"auto\"". */
static char *with_interface(const char *extra)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"interface\":{\"private_key\":\"" OUR_KEY "\",%s},"
		 "\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"192.0.2.1/24\"]}]}",
		 extra);
	return buf;
}

static void test_mss_clamp(void)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(with_peers("[]"), &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(wgdp_config_mss(cfg, 4), 0); /* absent: off */
	CU_ASSERT_EQUAL(wgdp_config_mss(cfg, 6), 0);
	wgdp_config_free(cfg);

	/* "auto": room for IPv4 + TCP (40) or IPv6 + TCP (60) headers inside the MTU. */
	cfg = parse(with_interface("\"mss_clamp\":\"auto\""), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(wgdp_config_mss(cfg, 4), 1380);
	CU_ASSERT_EQUAL(wgdp_config_mss(cfg, 6), 1360);
	wgdp_config_free(cfg);
	cfg = parse(with_interface("\"mtu\":1280,\"mss_clamp\":\"auto\""), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(wgdp_config_mss(cfg, 4), 1240);
	CU_ASSERT_EQUAL(wgdp_config_mss(cfg, 6), 1220);
	wgdp_config_free(cfg);

	cfg = parse(with_interface("\"mss_clamp\":1200"), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(wgdp_config_mss(cfg, 4), 1200);
	CU_ASSERT_EQUAL(wgdp_config_mss(cfg, 6), 1200);
	wgdp_config_free(cfg);

	expect_error(with_interface("\"mss_clamp\":\"on\""), "interface.mss_clamp", "\"auto\"");
	expect_error(with_interface("\"mss_clamp\":535"), "interface.mss_clamp", "536");
	expect_error(with_interface("\"mss_clamp\":1381"), "interface.mss_clamp", "(1380)");
	expect_error(with_interface("\"mtu\":1280,\"mss_clamp\":1300"), "interface.mss_clamp",
		     "(1240)");
	expect_error(with_interface("\"mss_clamp\":true"), "interface.mss_clamp", "\"auto\"");
}

/* limits.neighbours: the neighbour table's size, WGDP_DEFAULT_NEIGHBOURS unless set. */
static void test_neighbours(void)
{
#define WITH_NEIGHBOURS(n)                                                                         \
	"{\"interface\":{\"private_key\":\"" OUR_KEY "\"},\"ports\":[{\"port\":0,"                  \
	"\"role\":\"both\",\"address\":[]}],\"limits\":{\"neighbours\":" n "}}"
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(with_peers("[]"), &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->neighbours, WGDP_DEFAULT_NEIGHBOURS);
	wgdp_config_free(cfg);
	cfg = parse(WITH_NEIGHBOURS("16"), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->neighbours, 16);
	wgdp_config_free(cfg);
	cfg = parse(WITH_NEIGHBOURS("1048576"), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->neighbours, 1048576);
	wgdp_config_free(cfg);
	expect_error(WITH_NEIGHBOURS("15"), "limits.neighbours", "must be between 16 and 1048576");
	expect_error(WITH_NEIGHBOURS("1048577"), "limits.neighbours", "must be between");
	expect_error(WITH_NEIGHBOURS("0"), "limits.neighbours", "must be between");
	expect_error(WITH_NEIGHBOURS("-1"), "limits.neighbours", "");
	expect_error(WITH_NEIGHBOURS("\"many\""), "limits.neighbours", "must be an integer");
#undef WITH_NEIGHBOURS
}

/* control.metrics_listen and control.metrics_max_peers: the HTTP metrics endpoint. */
static void test_metrics_keys(void)
{
#define WITH_CONTROL(c)                                                            \
	"{\"interface\":{\"private_key\":\"" OUR_KEY "\"},\"ports\":[{\"port\":0," \
	"\"role\":\"both\",\"address\":[]}],\"control\":{" c "}}"
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(with_peers("[]"), &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_FALSE(cfg->has_metrics_listen);
	CU_ASSERT_EQUAL(cfg->metrics_max_peers, WGDP_METRICS_MAX_PEERS);
	wgdp_config_free(cfg);
	cfg = parse(WITH_CONTROL("\"uapi\":true"), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_FALSE(cfg->has_metrics_listen);
	CU_ASSERT_EQUAL(cfg->metrics_max_peers, WGDP_METRICS_MAX_PEERS);
	wgdp_config_free(cfg);
	cfg = parse(WITH_CONTROL("\"metrics_listen\":\"127.0.0.1:9586\""), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_TRUE(cfg->has_metrics_listen);
	CU_ASSERT_EQUAL(cfg->metrics_listen.addr.family, 4);
	CU_ASSERT_EQUAL(cfg->metrics_listen.addr.bytes[0], 127);
	CU_ASSERT_EQUAL(cfg->metrics_listen.addr.bytes[3], 1);
	CU_ASSERT_EQUAL(cfg->metrics_listen.port, 9586);
	wgdp_config_free(cfg);
	cfg = parse(WITH_CONTROL("\"metrics_listen\":\"[::1]:9100\",\"metrics_max_peers\":0"),
		    &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->metrics_listen.addr.family, 6);
	CU_ASSERT_EQUAL(cfg->metrics_listen.addr.bytes[15], 1);
	CU_ASSERT_EQUAL(cfg->metrics_listen.port, 9100);
	CU_ASSERT_EQUAL(cfg->metrics_max_peers, 0);
	wgdp_config_free(cfg);
	cfg = parse(WITH_CONTROL("\"metrics_max_peers\":16777216"), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_FALSE(cfg->has_metrics_listen);
	CU_ASSERT_EQUAL(cfg->metrics_max_peers, 16777216);
	wgdp_config_free(cfg);

	expect_error(WITH_CONTROL("\"metrics_listen\":\"9586\""), "control.metrics_listen",
		     "not an address and port");
	expect_error(WITH_CONTROL("\"metrics_listen\":\"::1:9586\""), "control.metrics_listen",
		     "[IPv6]:port");
	expect_error(WITH_CONTROL("\"metrics_listen\":\"127.0.0.1:0\""), "control.metrics_listen",
		     "not an address and port");
	expect_error(WITH_CONTROL("\"metrics_listen\":\"localhost:9586\""),
		     "control.metrics_listen", "not an address and port");
	expect_error(WITH_CONTROL("\"metrics_listen\":\"127.0.0.1:65536\""),
		     "control.metrics_listen", "not an address and port");
	expect_error(WITH_CONTROL("\"metrics_listen\":9586"), "control.metrics_listen",
		     "must be a string");
	expect_error(WITH_CONTROL("\"metrics_listen\":null"), "control.metrics_listen",
		     "must be a string");
	expect_error(WITH_CONTROL("\"metrics_max_peers\":16777217"), "control.metrics_max_peers",
		     "must be between 0 and 16777216");
	expect_error(WITH_CONTROL("\"metrics_max_peers\":-1"), "control.metrics_max_peers",
		     "must be between");
	expect_error(WITH_CONTROL("\"metrics_max_peers\":\"all\""), "control.metrics_max_peers",
		     "must be an integer");
	expect_error(WITH_CONTROL("\"metrics\":\"127.0.0.1:9586\""), "control.metrics",
		     "unknown key");
#undef WITH_CONTROL
}

/* Tenants (docs/tenants.md). PORTS has inside ports 1 and 2 and an outside port 0. */
#define PORTS                                                                          \
	"\"ports\":[{\"port\":0,\"role\":\"outside\",\"address\":[\"192.0.2.1/24\"]}," \
	"{\"port\":1,\"role\":\"inside\",\"address\":[\"10.0.0.1/24\"]},"              \
	"{\"port\":2,\"role\":\"both\",\"address\":[\"172.16.0.1/24\"]}]"
#define IFACE_A                                                                              \
	"{\"name\":\"wg-a\",\"private_key\":\"" OUR_KEY "\",\"listen_port\":51820,"          \
	"\"inside\":{\"port\":1,\"vlan\":100,\"address\":[\"10.0.0.1/24\",\"fd00::1/64\"]}," \
	"\"routes\":[{\"prefix\":\"10.9.0.0/16\",\"via\":\"10.0.0.254\"},"                   \
	"{\"prefix\":\"fd09::/48\",\"via\":\"fd00::fe\"},{\"prefix\":\"10.8.0.0/24\"}],"     \
	"\"peers\":[{\"public_key\":\"" PEER_KEY "\",\"allowed_ips\":[\"10.1.0.0/24\"]}]}"

/* "{"interfaces":[IFACE_A, second]} + PORTS"; second is the second interface's text. */
static char *two(const char *second)
{
	static char buf[8192];

	if (snprintf(buf, sizeof(buf), "{\"interfaces\":[" IFACE_A ",%s]," PORTS "}", second) >=
	    (int)sizeof(buf))
		abort();
	return buf;
}

/* A second interface with one member replaced: "%s" is the rest of its keys. */
static char *b_with(const char *rest)
{
	static char buf[4096];

	if (snprintf(buf, sizeof(buf),
		     "{\"name\":\"wg-b\",\"private_key\":\"" PEER_KEY "\",\"listen_port\":51821%s}",
		     rest) >= (int)sizeof(buf))
		abort();
	return buf;
}

static void test_interfaces(void)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg, *copy;
	uint32_t max;
	const struct wgdp_interface_config *a, *b;

	cfg = parse(two(b_with(",\"mss_clamp\":1200,"
			       "\"inside\":{\"port\":1,\"vlan\":200,\"address\":[\"10.0.0.1/24\"]},"
			       "\"peers\":[{\"public_key\":\"" PEER_KEY "\","
			       "\"allowed_ips\":[\"10.1.0.0/24\"]}]")),
		    &err);
	if (!cfg)
		fprintf(stderr, "\n  %s: %s\n", err.path, err.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_ifaces, 2);
	CU_ASSERT_FALSE(cfg->shorthand);
	a = &cfg->ifaces[0];
	b = &cfg->ifaces[1];
	CU_ASSERT_STRING_EQUAL(a->name, "wg-a");
	CU_ASSERT_STRING_EQUAL(b->name, "wg-b");
	CU_ASSERT_EQUAL(b->listen_port, 51821);
	CU_ASSERT_EQUAL(b->mtu, WGDP_DEFAULT_MTU);
	/* mss_clamp is per interface; the legacy field is interfaces[0]'s (off here). */
	CU_ASSERT(b->mss_clamp == 1200 && !b->mss_clamp_auto);
	CU_ASSERT(a->mss_clamp == 0 && cfg->mss_clamp == 0 && !cfg->mss_clamp_auto);
	CU_ASSERT(a->has_inside && a->inside.port_id == 1 && a->inside.vlan == 100);
	CU_ASSERT_EQUAL(a->inside.n_addrs, 2);
	CU_ASSERT_EQUAL(a->inside.addrs[1].addr.family, 6);
	CU_ASSERT_EQUAL(b->inside.vlan, 200);
	CU_ASSERT_EQUAL(a->n_routes, 3);
	CU_ASSERT(a->routes[0].has_via && a->routes[0].via.family == 4);
	CU_ASSERT_EQUAL(a->routes[0].prefix.len, 16);
	CU_ASSERT(a->routes[1].has_via && a->routes[1].via.family == 6);
	CU_ASSERT_FALSE(a->routes[2].has_via);
	/* The same peer key and the same prefix in two tenants. */
	CU_ASSERT_EQUAL(a->n_peers, 1);
	CU_ASSERT_EQUAL(b->n_peers, 1);
	CU_ASSERT_EQUAL(memcmp(a->peers[0].public_key, b->peers[0].public_key, 32), 0);
	/* The single-interface fields are interfaces[0]. */
	CU_ASSERT_STRING_EQUAL(cfg->ifname, "wg-a");
	CU_ASSERT_PTR_EQUAL(cfg->peers, a->peers);
	CU_ASSERT_EQUAL(cfg->n_peers, 1);
	CU_ASSERT_STRING_EQUAL(cfg->socket_path, "/run/wgdp/wg-a.sock");
	/* The daemon runs it; edited in memory past limits.max_peers, the check says so. */
	CU_ASSERT_TRUE(wgdp_config_check_interfaces(cfg, &err));
	max = cfg->max_peers;
	cfg->max_peers = 1;
	CU_ASSERT_FALSE(wgdp_config_check_interfaces(cfg, &err));
	CU_ASSERT_STRING_EQUAL(err.path, "interfaces");
	CU_ASSERT_STRING_EQUAL(err.message, "2 peers exceed limits.max_peers (1)");
	cfg->max_peers = max;
	copy = wgdp_config_dup(cfg, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	CU_ASSERT_EQUAL(copy->n_ifaces, 2);
	CU_ASSERT_PTR_EQUAL(copy->ifaces[0].peers, copy->peers);
	CU_ASSERT_PTR_NOT_EQUAL(copy->ifaces[1].peers, cfg->ifaces[1].peers);
	CU_ASSERT_EQUAL(copy->ifaces[1].n_peers, 1);
	CU_ASSERT_EQUAL(copy->ifaces[0].n_routes, 3);
	CU_ASSERT_PTR_NOT_EQUAL(copy->ifaces[0].routes, a->routes);
	wgdp_config_free(copy);
	wgdp_config_free(cfg);

	/* One interface with the new keys parses and runs. */
	cfg = parse("{\"interfaces\":[" IFACE_A "]," PORTS "}", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_TRUE(wgdp_config_check_interfaces(cfg, &err));
	wgdp_config_free(cfg);
}

/* {"interface": X, "peers": P} is {"interfaces": [X + "peers": P]}. */
static void test_shorthand_equivalence(void)
{
	static const char shorthand[] =
		"{\"interface\":{\"name\":\"wg-a\",\"private_key\":\"" OUR_KEY "\","
		"\"listen_port\":51900,\"mtu\":1380,\"mss_clamp\":\"auto\","
		"\"routes\":[{\"prefix\":\"10.9.0.0/16\",\"via\":\"10.0.0.254\"}]},"
		"\"peers\":[{\"public_key\":\"" PEER_KEY
		"\",\"allowed_ips\":[\"10.1.0.0/24\"]}]," PORTS "}";
	static const char full_form[] =
		"{\"interfaces\":[{\"name\":\"wg-a\",\"private_key\":\"" OUR_KEY "\","
		"\"listen_port\":51900,\"mtu\":1380,\"mss_clamp\":\"auto\","
		"\"routes\":[{\"prefix\":\"10.9.0.0/16\",\"via\":\"10.0.0.254\"}],"
		"\"peers\":[{\"public_key\":\"" PEER_KEY
		"\",\"allowed_ips\":[\"10.1.0.0/24\"]}]}]," PORTS "}";
	struct wgdp_config_error err;
	struct wgdp_config *s = parse(shorthand, &err), *f = parse(full_form, &err);
	struct wgdp_interface_config si, fi;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(s->shorthand && !f->shorthand);
	CU_ASSERT_EQUAL(s->n_ifaces, 1);
	CU_ASSERT_EQUAL(f->n_ifaces, 1);
	si = s->ifaces[0];
	fi = f->ifaces[0];
	CU_ASSERT_EQUAL(si.n_routes, fi.n_routes);
	CU_ASSERT_EQUAL(memcmp(si.routes, fi.routes, si.n_routes * sizeof(*si.routes)), 0);
	CU_ASSERT_EQUAL(si.n_peers, fi.n_peers);
	CU_ASSERT_EQUAL(si.peers[0].n_allowed_ips, fi.peers[0].n_allowed_ips);
	CU_ASSERT_EQUAL(memcmp(si.peers[0].public_key, fi.peers[0].public_key, 32), 0);
	CU_ASSERT_EQUAL(memcmp(si.peers[0].allowed_ips, fi.peers[0].allowed_ips,
			       sizeof(*si.peers[0].allowed_ips)),
			0);
	si.routes = fi.routes = NULL;
	si.peers = fi.peers = NULL;
	CU_ASSERT_EQUAL(memcmp(&si, &fi, sizeof(si)), 0);
	CU_ASSERT_STRING_EQUAL(s->ifname, f->ifname);
	CU_ASSERT_EQUAL(s->mtu, f->mtu);
	CU_ASSERT_EQUAL(s->listen_port, f->listen_port);
	CU_ASSERT_EQUAL(s->mss_clamp_auto, f->mss_clamp_auto);
	CU_ASSERT_EQUAL(s->n_peers, f->n_peers);
	CU_ASSERT_STRING_EQUAL(s->socket_path, f->socket_path);
	/* Shorthand paths stay as they were: the peers at the top level. */
	CU_ASSERT_TRUE(wgdp_config_check_interfaces(s, &err));
	s->max_peers = 0;
	CU_ASSERT_FALSE(wgdp_config_check_interfaces(s, &err));
	CU_ASSERT_STRING_EQUAL(err.path, "peers");
	wgdp_config_free(s);
	wgdp_config_free(f);
}

static void test_interface_errors(void)
{
	static const char iface_b_inside[] =
		",\"inside\":{\"port\":1,\"vlan\":200,\"address\":[\"10.0.0.1/24\"]}";
	struct wgdp_config_error err;
	struct wgdp_config *cfg;
	char buf[2048];

#define B_INSIDE(rest) \
	(snprintf(buf, sizeof(buf), "%s%s", iface_b_inside, rest) >= (int)sizeof(buf) ? NULL : buf)
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\"},\"interfaces\":[" IFACE_A
		     "]," PORTS "}",
		     "interfaces", "not both");
	expect_error("{\"interfaces\":[" IFACE_A "],\"peers\":[]," PORTS "}", "peers",
		     "each interface's peers");
	expect_error("{\"interfaces\":[]," PORTS "}", "interfaces", "non-empty array");
	expect_error("{\"interfaces\":{}," PORTS "}", "interfaces", "non-empty array");
	expect_error("{\"interfaces\":[7]," PORTS "}", "interfaces[0]", "must be an object");
	expect_error("{" PORTS "}", "interface", "is required (or interfaces)");
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\",\"peers\":[]}," PORTS "}",
		     "interface.peers", "top level");
	expect_error(two("{\"private_key\":\"" OUR_KEY "\"}"), "interfaces[1].name", "is required");
	expect_error(two("{\"name\":\"a b\",\"private_key\":\"" OUR_KEY "\"}"),
		     "interfaces[1].name", "characters");
	expect_error(two(b_with(",\"colour\":1")), "interfaces[1].colour", "unknown key");
	expect_error(two("{\"name\":\"wg-b\"}"), "interfaces[1]", "exactly one of private_key");
	expect_error(two(b_with(",\"mtu\":100")), "interfaces[1].mtu", "between 576 and 9000");
	expect_error(two(b_with(",\"mss_clamp\":9")), "interfaces[1].mss_clamp", "auto");
	expect_error(two(b_with(",\"max_peers\":0")), "interfaces[1].max_peers", "between");
	/* inside */
	expect_error(two(b_with(",\"inside\":5")), "interfaces[1].inside", "must be an object");
	expect_error(two(b_with(",\"inside\":{\"vlan\":2,\"address\":[\"10.0.0.1/24\"]}")),
		     "interfaces[1].inside.port", "is required");
	expect_error(
		two(b_with(",\"inside\":{\"port\":1,\"vlan\":4095,\"address\":[\"10.0.0.1/24\"]}")),
		"interfaces[1].inside.vlan", "between 1 and 4094");
	expect_error(
		two(b_with(",\"inside\":{\"port\":1,\"vlan\":0,\"address\":[\"10.0.0.1/24\"]}")),
		"interfaces[1].inside.vlan", "between 1 and 4094");
	expect_error(two(b_with(",\"inside\":{\"port\":1,\"vlan\":\"x\",\"address\":[]}")),
		     "interfaces[1].inside.vlan", "must be an integer");
	expect_error(two(b_with(",\"inside\":{\"port\":1,\"vlan\":5}")),
		     "interfaces[1].inside.address", "is required");
	expect_error(two(b_with(",\"inside\":{\"port\":1,\"vlan\":5,\"address\":[]}")),
		     "interfaces[1].inside.address", "at least one");
	expect_error(two(b_with(",\"inside\":{\"port\":1,\"vlan\":5,\"address\":[\"10.0.0.1\"]}")),
		     "interfaces[1].inside.address[0]", "not a prefix");
	expect_error(
		two(b_with(",\"inside\":{\"port\":1,\"mtu\":5,\"address\":[\"10.0.0.1/24\"]}")),
		"interfaces[1].inside.mtu", "unknown key");
	expect_error(two(b_with(",\"inside\":{\"port\":0,\"address\":[\"10.0.0.1/24\"]}")),
		     "interfaces[1].inside.port", "port 0 is not an inside port");
	expect_error(two(b_with(",\"inside\":{\"port\":9,\"address\":[\"10.0.0.1/24\"]}")),
		     "interfaces[1].inside.port", "port 9 is not an inside port");
	expect_error(two(b_with("")), "interfaces[1].inside", "is required with several");
	expect_error(
		two(b_with(",\"inside\":{\"port\":1,\"vlan\":100,\"address\":[\"10.0.0.1/24\"]}")),
		"interfaces[1].inside", "port 1 vlan 100 is interfaces[0]'s already");
	/* untagged twice is refused too */
	expect_error("{\"interfaces\":[" IFACE_A ","
		     "{\"name\":\"wg-b\",\"private_key\":\"" CAROL_KEY "\",\"listen_port\":2,"
		     "\"inside\":{\"port\":1,\"address\":[\"172.16.0.1/24\"]}},"
		     "{\"name\":\"wg-c\",\"private_key\":\"" CAROL_KEY "\",\"listen_port\":3,"
		     "\"inside\":{\"port\":1,\"address\":[\"172.16.0.1/24\"]}}]," PORTS "}",
		     "interfaces[2].inside", "port 1 untagged is interfaces[1]'s already");
	/* port 2 has role both: an inside port, but its untagged link is the outside's */
	expect_error(two(b_with(",\"inside\":{\"port\":2,\"address\":[\"172.16.0.9/24\"]}")),
		     "interfaces[1].inside.vlan", "role both");
	cfg = parse(two(b_with(",\"inside\":{\"port\":2,\"vlan\":7,"
			       "\"address\":[\"10.0.0.1/24\"]}")),
		    &err);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	wgdp_config_free(cfg);
	/* uniqueness */
	expect_error(two("{\"name\":\"wg-a\",\"private_key\":\"" CAROL_KEY "\",\"listen_port\":2}"),
		     "interfaces[1].name", "wg-a is interfaces[0]'s already");
	expect_error(two("{\"name\":\"wg-b\",\"private_key\":\"" CAROL_KEY "\","
			 "\"listen_port\":51820}"),
		     "interfaces[1].listen_port", "51820 is interfaces[0]'s already");
	/* routes */
	expect_error(two(b_with(B_INSIDE(",\"routes\":{}"))), "interfaces[1].routes",
		     "must be an array");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[5]"))), "interfaces[1].routes[0]",
		     "must be an object");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[{\"via\":\"10.0.0.2\"}]"))),
		     "interfaces[1].routes[0].prefix", "is required");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[{\"prefix\":\"10.9.0.0\"}]"))),
		     "interfaces[1].routes[0].prefix", "not a prefix");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[{\"prefix\":\"10.9.1.0/16\"}]"))),
		     "interfaces[1].routes[0].prefix",
		     "host bits set (the network is 10.9.0.0/16)");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[{\"prefix\":\"10.9.0.0/16\",\"dev\":1}]"))),
		     "interfaces[1].routes[0].dev", "unknown key");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[{\"prefix\":\"10.8.0.0/16\"},"
					 "{\"prefix\":\"10.7.0.0/16\"},"
					 "{\"prefix\":\"10.9.0.0/16\",\"via\":\"gw\"}]"))),
		     "interfaces[1].routes[2].via", "not an address");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[{\"prefix\":\"10.9.0.0/16\","
					 "\"via\":\"fd00::2\"}]"))),
		     "interfaces[1].routes[0].via", "not an IPv4 address");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[{\"prefix\":\"fd09::/48\","
					 "\"via\":\"10.0.0.2\"}]"))),
		     "interfaces[1].routes[0].via", "not an IPv6 address");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[{\"prefix\":\"10.9.0.0/16\","
					 "\"via\":\"10.5.0.2\"}]"))),
		     "interfaces[1].routes[0].via", "not on-link");
	expect_error(two(b_with(B_INSIDE(",\"routes\":[{\"prefix\":\"10.9.0.0/16\"},"
					 "{\"prefix\":\"10.9.0.0/16\",\"via\":\"10.0.0.3\"}]"))),
		     "interfaces[1].routes[1].prefix", "10.9.0.0/16 repeats routes[0]");
	/* Shorthand without inside: on-link means an inside port's prefix. */
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\",\"routes\":[{\"prefix\":"
		     "\"10.9.0.0/16\",\"via\":\"192.0.2.9\"}]}," PORTS "}",
		     "interface.routes[0].via", "not on-link");
	/* peers, per interface */
	expect_error(two(b_with(B_INSIDE(",\"peers\":[{\"public_key\":\"" PEER_KEY "\"},"
					 "{\"public_key\":\"" PEER_KEY "\"}]"))),
		     "interfaces[1].peers[1].public_key", "duplicate public key (also peers[0])");
	/* CAROL_KEY is RFC 7748's Bob's private key: PEER_KEY is its public key. */
	expect_error(two("{\"name\":\"wg-b\",\"private_key\":\"" CAROL_KEY "\",\"listen_port\":2,"
			 "\"inside\":{\"port\":2,\"address\":[\"172.16.0.1/24\"]},"
			 "\"peers\":[{\"public_key\":\"" PEER_KEY "\"}]}"),
		     "interfaces[1].peers[0].public_key", "own public key");
	expect_error(two(b_with(B_INSIDE(",\"peers\":[{\"public_key\":\"" PEER_KEY "\","
					 "\"allowed_ips\":[\"10.1.0.0/24\",\"10.1.0.0/24\"]}]"))),
		     "interfaces[1].peers[0].allowed_ips[1]", "repeats allowed_ips[0]");
	expect_error(two(b_with(B_INSIDE(",\"peers\":[{\"public_key\":\"" PEER_KEY "\","
					 "\"endpoint\":\"x\"}]"))),
		     "interfaces[1].peers[0].endpoint", "not an endpoint");
	expect_error(two(b_with(B_INSIDE(",\"max_peers\":1,\"peers\":[{\"public_key\":\"" PEER_KEY
					 "\"},{\"public_key\":\"" OUR_PUB "\"}]"))),
		     "interfaces[1].peers", "2 peers exceed the interface's max_peers (1)");
	if (snprintf(buf, sizeof(buf),
		     "{\"interfaces\":[" IFACE_A ",%s],\"limits\":{\"max_peers\":1}," PORTS "}",
		     b_with(",\"inside\":{\"port\":1,\"vlan\":200,\"address\":[\"10.0.0.1/24\"]},"
			    "\"peers\":[{\"public_key\":\"" PEER_KEY "\"}]")) >= (int)sizeof(buf))
		abort();
	expect_error(buf, "interfaces", "2 peers exceed limits.max_peers (1)");
#undef B_INSIDE
}

/* A gateway that is our own address would make us resolve ourselves as the next hop. */
static void test_route_via_own_address(void)
{
	expect_error(two(b_with(",\"inside\":{\"port\":1,\"vlan\":200,\"address\":[\"10.0.0.1/24\","
				"\"fd00::1/64\"]},\"routes\":[{\"prefix\":\"fd09::/48\","
				"\"via\":\"fd00::1\"}]")),
		     "interfaces[1].routes[0].via", "fd00::1 is our own address, not a gateway");
	/* Without inside, the inside ports' addresses are ours. */
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\",\"routes\":[{\"prefix\":"
		     "\"10.9.0.0/16\",\"via\":\"10.0.0.1\"}]}," PORTS "}",
		     "interface.routes[0].via", "10.0.0.1 is our own address");
}

/* With the shorthand, the peers an interface max_peers counts are the top-level ones. */
static void test_shorthand_max_peers_path(void)
{
	expect_error("{\"interface\":{\"private_key\":\"" OUR_KEY "\",\"max_peers\":1},"
		     "\"peers\":[{\"public_key\":\"" PEER_KEY "\"},{\"public_key\":\"" OUR_KEY
		     "\"}]," PORTS "}",
		     "peers", "2 peers exceed the interface's max_peers (1)");
}

/*
 * The legacy fields own interface 0 (config.h): what the tree edits there (peer-add into the
 * spare room, a UAPI set of key and port, a replaced peers array) reaches ifaces[0] through
 * wgdp_config_dup and wgdp_config_check_interfaces, and free never follows the stale mirror.
 */
static void test_iface0_mirror(void)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg = parse(full, &err), *edited, *copy;
	struct wgdp_peer_config *fresh;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	edited = wgdp_config_dup(cfg, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(edited);
	CU_ASSERT_TRUE(wgdp_peer_config_copy(&edited->peers[edited->n_peers], &cfg->peers[0]));
	edited->peers[edited->n_peers].public_key[0] ^= 1;
	edited->n_peers++;
	edited->listen_port = 4242;
	edited->mtu = 1300;
	edited->mss_clamp_auto = true;
	edited->private_key[0] ^= 1;
	copy = wgdp_config_dup(edited, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	CU_ASSERT_PTR_EQUAL(copy->ifaces[0].peers, copy->peers);
	CU_ASSERT_EQUAL(copy->ifaces[0].n_peers, cfg->n_peers + 1);
	CU_ASSERT_EQUAL(copy->ifaces[0].listen_port, 4242);
	CU_ASSERT_EQUAL(copy->ifaces[0].mtu, 1300);
	CU_ASSERT_TRUE(copy->ifaces[0].mss_clamp_auto);
	CU_ASSERT_EQUAL(memcmp(copy->ifaces[0].private_key, edited->private_key, 32), 0);
	wgdp_config_free(copy);
	/* A replaced array (UAPI replace_peers): the old one is gone, ifaces[0] still names it. */
	fresh = calloc(1, sizeof(*fresh));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
	for (unsigned int i = 0; i < edited->n_peers; i++)
		wgdp_peer_config_clear(&edited->peers[i]);
	free(edited->peers);
	edited->peers = fresh;
	edited->n_peers = 0;
	copy = wgdp_config_dup(edited, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	CU_ASSERT_EQUAL(copy->ifaces[0].n_peers, 0);
	wgdp_config_free(copy);
	CU_ASSERT_TRUE(wgdp_config_check_interfaces(edited, &err));
	CU_ASSERT_PTR_EQUAL(edited->ifaces[0].peers, fresh);
	CU_ASSERT_EQUAL(edited->ifaces[0].n_peers, 0);
	CU_ASSERT_STRING_EQUAL(edited->ifaces[0].name, edited->ifname);
	wgdp_config_free(edited);
	wgdp_config_free(cfg);
}

/* 1,000 tenants, a peer each, parse in well under a second. */
static void test_many_interfaces(void)
{
	enum { N = 1000 };
	size_t cap = N * 400 + 1024, len = 0;
	char *text = malloc(cap);
	struct wgdp_config_error err;
	struct wgdp_config *cfg;
	struct timespec t0, t1;
	double ms;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len += (size_t)snprintf(text + len, cap - len, "{\"interfaces\":[");
	for (unsigned int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%s{\"name\":\"t%u\",\"private_key\":\"" OUR_KEY "\","
					"\"listen_port\":%u,\"inside\":{\"port\":1,\"vlan\":%u,"
					"\"address\":[\"10.0.0.1/24\"]},\"routes\":[{\"prefix\":"
					"\"0.0.0.0/0\",\"via\":\"10.0.0.254\"}],\"peers\":[{"
					"\"public_key\":\"" PEER_KEY "\",\"allowed_ips\":"
					"[\"10.1.0.0/24\"]}]}",
					i ? "," : "", i, 20000 + i, 1 + i);
	len += (size_t)snprintf(text + len, cap - len, "],\"limits\":{\"max_peers\":%u}," PORTS "}",
				N);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cfg = wgdp_config_parse(text, len, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (!cfg)
		fprintf(stderr, "\n  %s: %s\n", err.path, err.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_ifaces, N);
	CU_ASSERT_EQUAL(cfg->ifaces[N - 1].inside.vlan, N);
	CU_ASSERT(ms < 1000);
	fprintf(stderr, " (%u interfaces: %.1f ms) ", N, ms);
	wgdp_config_free(cfg);
	free(text);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "every field of a full config", test_full_config },
		{ "defaults", test_defaults },
		{ "private_key_file", test_private_key_file },
		{ "errors name their JSON path", test_errors_name_their_path },
		{ "peer errors", test_peer_errors },
		{ "endpoint and prefix parsers", test_endpoint_and_prefix_parsers },
		{ "limits", test_max_peers },
		{ "a prefix held by two peers", test_prefix_held_twice },
		{ "a prefix held twice, in memory", test_prefix_held_twice_in_memory },
		{ "the rules across peers, in memory", test_peer_rules_in_memory },
		{ "the rules across peers, tree and text", test_peer_rules_tree_and_text },
		{ "a new peer's prefixes (peer-add)", test_new_peer },
		{ "the prefix check scales", test_prefix_check_scales },
		{ "interface.mss_clamp", test_mss_clamp },
		{ "limits.neighbours", test_neighbours },
		{ "control.metrics_listen and metrics_max_peers", test_metrics_keys },
		{ "interfaces", test_interfaces },
		{ "the interface shorthand", test_shorthand_equivalence },
		{ "interface errors name their path", test_interface_errors },
		{ "1,000 interfaces", test_many_interfaces },
		{ "a route's gateway is not our own address", test_route_via_own_address },
		{ "shorthand: max_peers errors at the top-level peers",
		  test_shorthand_max_peers_path },
		{ "the legacy fields own interface 0", test_iface0_mirror },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("config", tests);
}
