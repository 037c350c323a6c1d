/* SPDX-License-Identifier: MIT */
/*
 * lib/ctl alone: wg's wording for durations and sizes, the wg-show text, and the UAPI (the
 * line format of https://www.wireguard.com/xplatform/ and wireguard-go's set semantics).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctl/format.h"
#include "ctl/metrics.h"
#include "ctl/server.h"
#include "ctl/snapshot.h"
#include "ctl/uapi.h"
#include "unit.h"
#include "wgquick.h"

/* RFC 7748 6.1's keys, hex: our interface is Alice, Bob a peer. */
#define ALICE_PRIV "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define BOB_PUB	   "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define ALICE_PUB  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define CAROL_PUB  "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"

static void test_duration(void)
{
	static const struct {
		uint64_t s;
		const char *text;
	} cases[] = {
		{ 0, "" },
		{ 1, "1 second" },
		{ 59, "59 seconds" },
		{ 60, "1 minute" },
		{ 61, "1 minute, 1 second" },
		{ 74, "1 minute, 14 seconds" },
		{ 3600, "1 hour" },
		{ 3661, "1 hour, 1 minute, 1 second" },
		{ 86400, "1 day" },
		{ 31536001, "1 year, 1 second" },
	};
	char out[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctl_format_duration(cases[i].s, out, sizeof(out));
		CU_ASSERT_STRING_EQUAL(out, cases[i].text);
	}
}

static void test_bytes(void)
{
	char out[32];

	ctl_format_bytes(0, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "0 B");
	ctl_format_bytes(1023, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1023 B");
	ctl_format_bytes(1024, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1.00 KiB");
	ctl_format_bytes(1536, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1.50 KiB");
	ctl_format_bytes(1572864, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1.50 MiB");
}

static const char show_answer[] =
	"{\"ok\":true,\"interface\":{\"name\":\"wgdp0\",\"public_key\":\"PUB=\","
	"\"listen_port\":51820,\"mtu\":1420,\"peers\":3},\"peers\":["
	"{\"public_key\":\"never=\",\"name\":\"\",\"endpoint\":null,\"allowed_ips\":[],"
	"\"latest_handshake\":0,\"rx_bytes\":0,\"tx_bytes\":0,\"persistent_keepalive\":0,"
	"\"preshared_key\":false},"
	"{\"public_key\":\"old=\",\"name\":\"\",\"endpoint\":\"[fd00::1]:51820\","
	"\"allowed_ips\":[\"fd00:1::/64\"],\"latest_handshake\":900,\"rx_bytes\":1024,"
	"\"tx_bytes\":100,\"persistent_keepalive\":0,\"preshared_key\":false},"
	"{\"public_key\":\"new=\",\"name\":\"branch-7\",\"endpoint\":\"198.51.100.7:51820\","
	"\"allowed_ips\":[\"10.0.1.0/24\",\"fd00:2::/64\"],\"latest_handshake\":926,"
	"\"rx_bytes\":1572864,\"tx_bytes\":1023,\"persistent_keepalive\":25,"
	"\"preshared_key\":true}]}";

static const char show_text[] =
	"interface: wgdp0\n"
	"  public key: PUB=\n"
	"  listening port: 51820\n"
	"\n"
	"peer: new=\n"
	"  name: branch-7\n"
	"  preshared key: (hidden)\n"
	"  endpoint: 198.51.100.7:51820\n"
	"  allowed ips: 10.0.1.0/24, fd00:2::/64\n"
	"  latest handshake: 1 minute, 14 seconds ago\n"
	"  transfer: 1.50 MiB received, 1023 B sent\n"
	"  persistent keepalive: every 25 seconds\n"
	"\n"
	"peer: old=\n"
	"  endpoint: [fd00::1]:51820\n"
	"  allowed ips: fd00:1::/64\n"
	"  latest handshake: 1 minute, 40 seconds ago\n"
	"  transfer: 1.00 KiB received, 100 B sent\n"
	"\n"
	"peer: never=\n"
	"  allowed ips: (none)\n";

static void test_show(void)
{
	json_t *ans = json_loads(show_answer, 0, NULL);
	char *text = ctl_format_show(ans, 1000), *one;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, show_text);
	if (strcmp(text, show_text) != 0)
		fprintf(stderr, "\n%s", text);
	one = ctl_format_peer(ans, "old=", 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	CU_ASSERT_PTR_NOT_NULL(strstr(show_text, one));
	CU_ASSERT_PTR_NULL(ctl_format_peer(ans, "absent=", 1000));
	free(one);
	free(text);
	json_decref(ans);
}

/* Wrong types and missing members print something and never crash. */
static void test_malformed_answers(void)
{
	static const char *const answers[] = {
		"{}", "{\"peers\":42}", "{\"peers\":[null,{\"allowed_ips\":\"x\"}]}",
		"{\"interface\":[],\"ports\":[{\"port\":\"zero\"}],\"workers\":[1]}",
	};

	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		json_t *a = json_loads(answers[i], 0, NULL);
		char *texts[4] = { ctl_format_show(a, 0), ctl_format_stats(a),
				   ctl_format_port_stats(a), ctl_format_lcores(a) };

		for (int k = 0; k < 4; k++) {
			CU_ASSERT_PTR_NOT_NULL(texts[k]);
			free(texts[k]);
		}
		json_decref(a);
	}
}

/* metrics: HELP and TYPE before every family, counters end in _total, label values escaped,
 * per-peer series capped with the rest counted. */
static void test_metrics(void)
{
	json_t *stats = json_loads(
		"{\"ok\":true,\"peers\":3,\"ports\":[{\"port\":0,\"rx_packets\":12}],"
		"\"workers\":[{\"lcore\":1,\"decrypted\":7}],\"drops\":{\"replay\":2},"
		"\"handshake\":{\"initiations_received\":5,\"noise_errors\":{\"flood\":1},"
		"\"under_load\":true,\"lcores\":[{\"lcore\":0,\"initiations_received\":5}]},"
		"\"resources\":{\"keypairs\":4}}",
		0, NULL);
	json_t *show = json_loads(
		"{\"ok\":true,\"interface\":{\"name\":\"wg0\"},\"peers\":["
		"{\"public_key\":\"A=\",\"name\":\"a \\\"q\\\" \\\\ b\",\"rx_bytes\":100,"
		"\"latest_handshake\":1700000000},{\"public_key\":\"B=\",\"tx_bytes\":9},"
		"{\"public_key\":\"C=\"}]}",
		0, NULL);
	char *text = ctl_format_metrics(stats, &show, 1, 2), *line, *save = NULL;
	char last_type[128] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "# TYPE wgdp_port_rx_packets_total counter\n"
					    "wgdp_port_rx_packets_total{port=\"0\"} 12\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_worker_decrypted_total{lcore=\"1\"} 7\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_drops_total{reason=\"replay\"} 2\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(text, "wgdp_handshake_noise_errors_total{error=\"flood\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_under_load 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_keypairs 4\n"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(text, "wgdp_peer_rx_bytes_total{interface=\"wg0\",public_key=\"A=\","
			     "name=\"a \\\"q\\\" \\\\ b\"} 100\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_peer_latest_handshake_seconds{interface=\"wg0\","
					    "public_key=\"A=\",name=\"a "));
	CU_ASSERT_PTR_NULL(strstr(text, "public_key=\"C=\"")); /* past the cap of 2 */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_peer_series_omitted 1\n"));
	/* Every sample follows its family's TYPE line; counters are named _total. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (sscanf(line, "# TYPE %127s", name) == 1) {
			snprintf(last_type, sizeof(last_type), "%s", name);
			if (strstr(line, " counter"))
				CU_ASSERT_PTR_NOT_NULL(strstr(name, "_total"));
			continue;
		}
		if (line[0] == '#')
			continue;
		CU_ASSERT_EQUAL(strncmp(line, last_type, strlen(last_type)), 0);
		CU_ASSERT(line[strlen(last_type)] == ' ' || line[strlen(last_type)] == '{');
	}
	free(text);
	json_decref(stats);
	json_decref(show);
}

/*
 * A fake wgdp for ctl_metrics_collect: two interfaces, or one, of per_iface peers each (1 if
 * 0), listing max_peers of them as wgdp does (all: as a wgdp before max_peers); asked requests
 * recorded.
 */
struct fake_wgdp {
	int n_ifaces;
	bool fail_show;
	int per_iface;
	bool lists_all;
	char asked[512];
};

/* show's answer: interface.peers counts every peer, the list holds the first max of them. */
static json_t *fake_show(const struct fake_wgdp *w, const char *ifname, json_t *max)
{
	json_int_t n = w->per_iface ? w->per_iface : 1;
	json_int_t listed =
		max && !w->lists_all && json_integer_value(max) < n ? json_integer_value(max) : n;
	json_t *list = json_array();

	for (json_int_t i = 0; i < listed; i++)
		json_array_append_new(list,
				      json_pack("{s:s,s:i}", "public_key", "K=", "rx_bytes", 5));
	return json_pack("{s:b,s:{s:s,s:I},s:o}", "ok", 1, "interface", "name",
			 ifname ? ifname : "wg-a", "peers", n, "peers", list);
}

static json_t *fake_ask(void *arg, json_t *req)
{
	struct fake_wgdp *w = arg;
	char *line = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	const char *ifname = json_string_value(json_object_get(req, "interface"));
	json_t *a = NULL;

	snprintf(w->asked + strlen(w->asked), sizeof(w->asked) - strlen(w->asked), "%s\n", line);
	free(line);
	if (strcmp(json_string_value(json_object_get(req, "cmd")), "stats") == 0)
		a = w->n_ifaces == 1 ? json_pack("{s:b,s:i,s:{s:{}}}", "ok", 1, "peers", 2,
						 "interfaces", "wg-a")
				     : json_pack("{s:b,s:i,s:{s:{},s:{}}}", "ok", 1, "peers", 2,
						 "interfaces", "wg-a", "wg-b");
	else if (!w->fail_show)
		a = fake_show(w, ifname, json_object_get(req, "max_peers"));
	json_decref(req);
	return a;
}

/* The lines of text that start with prefix. */
static unsigned int count_lines(const char *text, const char *prefix)
{
	const char *line = text;
	unsigned int n = 0;

	while (line && *line) {
		n += strncmp(line, prefix, strlen(prefix)) == 0;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return n;
}

/* `wgdpctl metrics` and the HTTP endpoint share this: stats, then show for each interface. */
static void test_metrics_collect(void)
{
	struct fake_wgdp one = { .n_ifaces = 1 }, two = { .n_ifaces = 2 },
			 broken = { .n_ifaces = 2, .fail_show = true },
			 big = { .n_ifaces = 2, .per_iface = 5 },
			 old = { .n_ifaces = 1, .per_iface = 5, .lists_all = true };
	char *text = ctl_metrics_collect(fake_ask, &one, 10);

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	/* One interface: no name, as `wgdpctl show` sends it; no more peers than the cap. */
	CU_ASSERT_STRING_EQUAL(one.asked,
			       "{\"cmd\":\"stats\"}\n{\"cmd\":\"show\",\"max_peers\":10}\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_peers 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_peer_rx_bytes_total{interface=\"wg-a\","
					    "public_key=\"K=\",name=\"\"} 5\n"));
	free(text);
	text = ctl_metrics_collect(fake_ask, &two, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	/* The cap counts peers across interfaces: wg-b is asked for none, only its count. */
	CU_ASSERT_STRING_EQUAL(two.asked,
			       "{\"cmd\":\"stats\"}\n"
			       "{\"cmd\":\"show\",\"interface\":\"wg-a\",\"max_peers\":1}\n"
			       "{\"cmd\":\"show\",\"interface\":\"wg-b\",\"max_peers\":0}\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "interface=\"wg-a\""));
	CU_ASSERT_PTR_NULL(strstr(text, "interface=\"wg-b\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_peer_series_omitted 1\n"));
	free(text);
	/* Peers left out of the lists are counted from interface.peers. */
	text = ctl_metrics_collect(fake_ask, &big, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(big.asked,
			       "{\"cmd\":\"stats\"}\n"
			       "{\"cmd\":\"show\",\"interface\":\"wg-a\",\"max_peers\":3}\n"
			       "{\"cmd\":\"show\",\"interface\":\"wg-b\",\"max_peers\":0}\n");
	CU_ASSERT_EQUAL(count_lines(text, "wgdp_peer_rx_bytes_total{"), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_peer_series_omitted 7\n"));
	free(text);
	/* A wgdp that lists every peer whatever it is asked: the cap still holds. */
	text = ctl_metrics_collect(fake_ask, &old, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(count_lines(text, "wgdp_peer_rx_bytes_total{"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "wgdp_peer_series_omitted 4\n"));
	free(text);
	/* Nothing asked to list past the cap when it is huge (wgdpctl metrics 99999999999). */
	text = ctl_metrics_collect(fake_ask, &one, SIZE_MAX);
	CU_ASSERT_PTR_NOT_NULL(strstr(one.asked, "\"max_peers\":9223372036854775807}"));
	free(text);
	CU_ASSERT_PTR_NULL(ctl_metrics_collect(fake_ask, &broken, 10));
}

/* show lcores: the control lcore, the workers, and the handshake lcores beyond engine 0. */
static void test_lcores(void)
{
	json_t *a = json_loads(
		"{\"control\":{\"lcore\":0,\"shares_lcore_with_worker\":false},"
		"\"workers\":[{\"lcore\":1,\"tx_queue\":0,\"queues\":[{\"port\":0,\"queue\":0}],"
		"\"rx_packets\":5,\"tx_packets\":4}],"
		"\"handshake\":{\"lcores\":[{\"lcore\":0,\"initiations_received\":7},"
		"{\"lcore\":3,\"initiations_received\":42,\"queue_depth\":5,\"under_load\":true}]}"
		"}",
		0, NULL);
	char *text = ctl_format_lcores(a);

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "lcore 0: control"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "lcore 1: worker 0, tx queue 0, rx port 0 queue 0"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(text, "lcore 3: handshakes 1; 42 initiations, queue 5, under load\n"));
	CU_ASSERT_PTR_NULL(strstr(text, "handshakes 0"));
	free(text);
	json_decref(a);
}

static void test_port_stats(void)
{
	json_t *a = json_loads("{\"ports\":[{\"port\":0,\"rx_packets\":12,\"rx_bytes\":1234,"
			       "\"tx_packets\":10,\"tx_bytes\":980},{\"port\":1}]}",
			       0, NULL);
	char *text = ctl_format_port_stats(a);

	CU_ASSERT_PTR_NOT_NULL(strstr(text, "NIC statistics for port 0 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "NIC statistics for port 1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "RX-packets: 12 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "TX-bytes:  980\n"));
	free(text);
	json_decref(a);
}

static int parse_set(const char *text, struct ctl_uapi_set *set)
{
	char msg[160];

	return ctl_uapi_parse_set(text, strlen(text), set, msg, sizeof(msg));
}

static void test_uapi_parse(void)
{
	struct ctl_uapi_set set;
	static const struct {
		const char *text;
		int err;
	} bad[] = {
		{ "private_key\n", EINVAL },
		{ "private_key=" ALICE_PUB "0\n", EINVAL },
		{ "private_key=zz" ALICE_PUB "\n", EINVAL },
		{ "listen_port=70000\n", EINVAL },
		{ "colour=blue\n", EINVAL },
		{ "public_key=" BOB_PUB "\nendpoint=1.2.3.4\n", EINVAL },
		{ "public_key=" BOB_PUB "\nallowed_ip=10.0.0.300/8\n", EINVAL },
		{ "public_key=" BOB_PUB "\nprotocol_version=2\n", EPROTO },
		{ "public_key=" BOB_PUB "\nremove=yes\n", EINVAL },
	};

	CU_ASSERT_EQUAL(parse_set("private_key=" ALICE_PRIV "\nlisten_port=51820\nfwmark=0\n"
				  "replace_peers=true\npublic_key=" BOB_PUB "\n"
				  "preshared_key=" ALICE_PUB "\nendpoint=[fd00::7]:5\n"
				  "persistent_keepalive_interval=25\nreplace_allowed_ips=true\n"
				  "allowed_ip=10.0.1.7/24\nallowed_ip=fd00:1::/64\n"
				  "protocol_version=1\npublic_key=" CAROL_PUB "\nremove=true\n",
				  &set),
			0);
	CU_ASSERT_TRUE(set.has_private_key && set.has_listen_port && set.replace_peers);
	CU_ASSERT_EQUAL(set.listen_port, 51820);
	CU_ASSERT_EQUAL_FATAL(set.n_peers, 2);
	CU_ASSERT_EQUAL(set.peers[0].public_key[0], 0xde);
	CU_ASSERT_TRUE(set.peers[0].has_psk && set.peers[0].has_endpoint);
	CU_ASSERT_EQUAL(set.peers[0].endpoint.port, 5);
	CU_ASSERT_EQUAL(set.peers[0].persistent_keepalive, 25);
	CU_ASSERT_TRUE(set.peers[0].replace_allowed_ips);
	CU_ASSERT_EQUAL_FATAL(set.peers[0].n_allowed_ips, 2);
	CU_ASSERT_EQUAL(set.peers[0].allowed_ips[0].addr.bytes[3], 0); /* host bits cleared */
	CU_ASSERT_TRUE(set.peers[1].remove);
	ctl_uapi_set_free(&set);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(parse_set(bad[i].text, &set), bad[i].err);
		CU_ASSERT_PTR_NULL(set.peers);
	}
}

static struct wgdp_config *running(void)
{
	static const char text[] =
		"{\"interface\":{\"name\":\"wgdp0\","
		"\"private_key\":\"dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\"},"
		"\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"192.0.2.1/24\"]}],"
		"\"peers\":[{\"public_key\":\"3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=\","
		"\"allowed_ips\":[\"10.0.1.0/24\"],\"endpoint\":\"198.51.100.7:51820\"}]}";
	struct wgdp_config_error err;
	struct wgdp_config *cfg = wgdp_config_parse(text, sizeof(text) - 1, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	return cfg;
}

/* Parses and applies a set to the running config above; NULL if refused (*err set). */
static struct wgdp_config *apply(const char *text, int *err)
{
	struct wgdp_config *run = running(), *next;
	struct ctl_uapi_set set;
	char msg[200];

	*err = ctl_uapi_parse_set(text, strlen(text), &set, msg, sizeof(msg));
	CU_ASSERT_EQUAL_FATAL(*err, 0);
	next = ctl_uapi_apply(run, &set, err, msg, sizeof(msg));
	ctl_uapi_set_free(&set);
	wgdp_config_free(run);
	return next;
}

static void test_uapi_apply(void)
{
	struct wgdp_config *c;
	int err;

	/* Append vs replace, a duplicate not repeated, a new peer from nothing. */
	c = apply("public_key=" BOB_PUB "\nallowed_ip=10.0.1.0/24\nallowed_ip=10.0.2.0/24\n"
		  "public_key=" CAROL_PUB "\nallowed_ip=10.0.3.0/24\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->n_peers, 2);
	CU_ASSERT_EQUAL(c->peers[0].n_allowed_ips, 2);
	CU_ASSERT_TRUE(c->peers[0].has_endpoint); /* untouched */
	CU_ASSERT_EQUAL(c->peers[1].n_allowed_ips, 1);
	CU_ASSERT_FALSE(c->peers[1].has_endpoint);
	wgdp_config_free(c);
	c = apply("public_key=" BOB_PUB "\nreplace_allowed_ips=true\nallowed_ip=10.9.0.0/16\n",
		  &err);
	CU_ASSERT_EQUAL(c->peers[0].n_allowed_ips, 1);
	CU_ASSERT_EQUAL(c->peers[0].allowed_ips[0].addr.bytes[1], 9);
	wgdp_config_free(c);
	/* update_only skips an unknown peer; remove removes; replace_peers empties. */
	c = apply("public_key=" CAROL_PUB "\nupdate_only=true\nallowed_ip=10.0.3.0/24\n", &err);
	CU_ASSERT_EQUAL(c->n_peers, 1);
	wgdp_config_free(c);
	c = apply("public_key=" BOB_PUB "\nremove=true\n", &err);
	CU_ASSERT_EQUAL(c->n_peers, 0);
	wgdp_config_free(c);
	c = apply("replace_peers=true\npublic_key=" CAROL_PUB "\n", &err);
	CU_ASSERT_EQUAL(c->n_peers, 1);
	CU_ASSERT_EQUAL(c->peers[0].public_key[0], 0x5d);
	wgdp_config_free(c);
	/* A psk of zeros removes it. */
	c = apply("public_key=" BOB_PUB "\npreshared_key=" BOB_PUB "\n", &err);
	CU_ASSERT_TRUE(c->peers[0].has_psk);
	wgdp_config_free(c);
	c = apply("public_key=" BOB_PUB "\npreshared_key="
		  "0000000000000000000000000000000000000000000000000000000000000000\n", &err);
	CU_ASSERT_FALSE(c->peers[0].has_psk);
	wgdp_config_free(c);
	/* Another port is taken (the reload that applies it changes it). */
	c = apply("listen_port=4000\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->listen_port, 4000);
	wgdp_config_free(c);
	/* Refusals: a fwmark, our own key as a peer. */
	CU_ASSERT_PTR_NULL(apply("fwmark=7\n", &err));
	CU_ASSERT_EQUAL(err, EINVAL);
	CU_ASSERT_PTR_NULL(apply("public_key=" ALICE_PUB "\n", &err));
	CU_ASSERT_EQUAL(err, EINVAL);
}

/* The allowed-ips of peer i of c, as text joined by ','. */
static const char *aips_text(const struct wgdp_config *c, unsigned int i)
{
	static char out[256];
	size_t used = 0;

	out[0] = '\0';
	for (unsigned int j = 0; j < c->peers[i].n_allowed_ips && used < sizeof(out); j++) {
		char pf[64];

		wgdp_format_prefix(&c->peers[i].allowed_ips[j], pf, sizeof(pf));
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s", j ? "," : "", pf);
	}
	return out;
}

/*
 * A prefix given to a peer moves to it from whichever peer held it, as in the kernel and
 * wireguard-go: the latest assignment wins, not the order of the peers.
 */
static void test_uapi_moves_prefixes(void)
{
	struct wgdp_config *c;
	int err;

	/* Bob (running, first) holds 10.0.1.0/24; Carol, after him, is given it. */
	c = apply("public_key=" CAROL_PUB "\nallowed_ip=10.0.1.0/24\nallowed_ip=10.0.3.0/24\n",
		  &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->n_peers, 2);
	CU_ASSERT_STRING_EQUAL(aips_text(c, 0), "");
	CU_ASSERT_STRING_EQUAL(aips_text(c, 1), "10.0.1.0/24,10.0.3.0/24");
	CU_ASSERT_TRUE(wgdp_config_check_peers(c, &(struct wgdp_config_error){ 0 }));
	wgdp_config_free(c);
	/* Host bits do not make it another prefix. */
	c = apply("public_key=" CAROL_PUB "\nallowed_ip=10.0.1.77/24\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(aips_text(c, 0), "");
	CU_ASSERT_STRING_EQUAL(aips_text(c, 1), "10.0.1.0/24");
	wgdp_config_free(c);
	/* Back and forth in one set: the last peer given it holds it, whatever the peer order. */
	c = apply("public_key=" CAROL_PUB "\nallowed_ip=10.0.1.0/24\n"
		  "public_key=" BOB_PUB "\nallowed_ip=10.0.1.0/24\nallowed_ip=10.0.2.0/24\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(aips_text(c, 0), "10.0.1.0/24,10.0.2.0/24");
	CU_ASSERT_STRING_EQUAL(aips_text(c, 1), "");
	wgdp_config_free(c);
	/* setconf / syncconf of a file listing it twice: the later peer's, as wg setconf does. */
	c = apply("replace_peers=true\npublic_key=" BOB_PUB "\nallowed_ip=10.0.1.0/24\n"
		  "public_key=" CAROL_PUB "\nreplace_allowed_ips=true\nallowed_ip=10.0.1.0/24\n",
		  &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(aips_text(c, 0), "");
	CU_ASSERT_STRING_EQUAL(aips_text(c, 1), "10.0.1.0/24");
	wgdp_config_free(c);
	/* Overlapping prefixes stay where they are: only the same prefix moves. */
	c = apply("public_key=" CAROL_PUB "\nallowed_ip=10.0.1.0/25\nallowed_ip=10.0.0.0/16\n",
		  &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(aips_text(c, 0), "10.0.1.0/24");
	CU_ASSERT_STRING_EQUAL(aips_text(c, 1), "10.0.1.0/25,10.0.0.0/16");
	wgdp_config_free(c);
	/* Moved to a peer that the same set then removes: nobody holds it. */
	c = apply("public_key=" CAROL_PUB "\nallowed_ip=10.0.1.0/24\n"
		  "public_key=" CAROL_PUB "\nremove=true\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->n_peers, 1);
	CU_ASSERT_STRING_EQUAL(aips_text(c, 0), "");
	wgdp_config_free(c);
	/* update_only for an unknown peer gives nothing to anyone and takes nothing. */
	c = apply("public_key=" CAROL_PUB "\nupdate_only=true\nallowed_ip=10.0.1.0/24\n", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(aips_text(c, 0), "10.0.1.0/24");
	wgdp_config_free(c);
}

static void test_uapi_get(void)
{
	struct wgdp_config *run = running();
	struct ctl_snapshot snap = { .listen_port = 51820 };
	size_t len;
	char *text;

	snap.n_peers = 1;
	snap.peers = calloc(1, sizeof(*snap.peers));
	memcpy(snap.private_key, run->private_key, 32);
	wgdp_peer_config_copy(&snap.peers[0].cfg, &run->peers[0]);
	snap.peers[0].last_handshake_ns = 1700000000123456789ull;
	snap.peers[0].rx_bytes = 10;
	snap.peers[0].tx_bytes = 20;
	text = ctl_uapi_format_get(&snap, &len);
	CU_ASSERT_STRING_EQUAL(text, "private_key=" ALICE_PRIV "\n"
				     "listen_port=51820\n"
				     "public_key=" BOB_PUB "\n"
				     "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
				     "protocol_version=1\n"
				     "endpoint=198.51.100.7:51820\n"
				     "last_handshake_time_sec=1700000000\n"
				     "last_handshake_time_nsec=123456789\n"
				     "tx_bytes=20\n"
				     "rx_bytes=10\n"
				     "persistent_keepalive_interval=0\n"
				     "allowed_ip=10.0.1.0/24\n");
	CU_ASSERT_EQUAL(len, strlen(text));
	free(text);
	ctl_snapshot_free(&snap);
	wgdp_config_free(run);
}

/* The export answer: keys only when asked for, and peers a config's loader reads back. */
static void test_export_json(void)
{
	struct wgdp_config *run = running();
	struct ctl_snapshot snap = { .ifname = "wgdp0", .listen_port = 51820, .mtu = 1420 };
	struct wgdp_config_error err;
	struct wgdp_peer_config back;
	json_t *ans;
	char *text;

	snap.n_peers = 1;
	snap.peers = calloc(1, sizeof(*snap.peers));
	memcpy(snap.private_key, run->private_key, 32);
	wgdp_peer_config_copy(&snap.peers[0].cfg, &run->peers[0]);
	snap.peers[0].cfg.has_psk = true;
	memset(snap.peers[0].cfg.psk, 0x11, 32);
	snap.peers[0].cfg.persistent_keepalive = 25;

	ans = ctl_export_json(&snap, false);
	text = json_dumps(ans, JSON_COMPACT);
	CU_ASSERT_STRING_EQUAL(text,
			       "{\"ok\":true,\"interface\":{\"name\":\"wgdp0\","
			       "\"listen_port\":51820,\"mtu\":1420},\"peers\":[{"
			       "\"public_key\":\"3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=\","
			       "\"endpoint\":\"198.51.100.7:51820\","
			       "\"allowed_ips\":[\"10.0.1.0/24\"],\"persistent_keepalive\":25}]}");
	free(text);
	json_decref(ans);

	ans = ctl_export_json(&snap, true);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(ans, "interface"),
								 "private_key")),
			       "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
	CU_ASSERT_TRUE_FATAL(wgdp_peer_config_from_json(
		json_array_get(json_object_get(ans, "peers"), 0), "peers[0]", &back, &err));
	CU_ASSERT_TRUE(back.has_psk);
	UNIT_ASSERT_MEM(back.psk, snap.peers[0].cfg.psk, 32);
	wgdp_peer_config_clear(&back);
	wgdp_json_wipe(ans);
	json_decref(ans);
	ctl_snapshot_free(&snap);
	wgdp_config_free(run);
}

/* What the framing handed over, joined by '|'; stops after `stop_after` requests. */
struct frames {
	char seen[256];
	unsigned int n, stop_after;
};

static bool collect(void *arg, const char *req, size_t len)
{
	struct frames *f = arg;
	size_t used = strlen(f->seen);

	snprintf(f->seen + used, sizeof(f->seen) - used, "%s%.*s", f->n ? "|" : "", (int)len,
		 req);
	return ++f->n != f->stop_after;
}

static void test_frame_json(void)
{
	static const char in[] = "{\"a\":1}\n\n\r\n{\"b\":2}\r\n{\"c\"";
	struct frames f = { .stop_after = 0 };
	size_t used = ctl_frame_json(in, sizeof(in) - 1, collect, &f);

	/* Empty lines are skipped, "\r\n" ends a line too, the partial line waits. */
	CU_ASSERT_STRING_EQUAL(f.seen, "{\"a\":1}|{\"b\":2}");
	CU_ASSERT_EQUAL(used, sizeof(in) - 1 - strlen("{\"c\""));
	/* A client going away stops the framing after the line that did it. */
	memset(&f, 0, sizeof(f));
	f.stop_after = 1;
	used = ctl_frame_json(in, sizeof(in) - 1, collect, &f);
	CU_ASSERT_STRING_EQUAL(f.seen, "{\"a\":1}");
	CU_ASSERT_EQUAL(used, strlen("{\"a\":1}\n"));
	CU_ASSERT_EQUAL(ctl_frame_json("", 0, collect, &f), 0);
}

static void test_frame_uapi(void)
{
	static const char in[] = "get=1\n\nset=1\nlisten_port=1\n\nget=1\n";
	struct frames f = { .stop_after = 0 };
	size_t used = ctl_frame_uapi(in, sizeof(in) - 1, collect, &f);

	/* Each request keeps its last newline, not the blank line; an unfinished one waits. */
	CU_ASSERT_STRING_EQUAL(f.seen, "get=1\n|set=1\nlisten_port=1\n");
	CU_ASSERT_EQUAL(used, sizeof(in) - 1 - strlen("get=1\n"));
	CU_ASSERT_EQUAL(ctl_frame_uapi("\n", 1, collect, &f), 0);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "durations in wg's words", test_duration },
		{ "sizes in wg's units", test_bytes },
		{ "show as wg show prints it", test_show },
		{ "malformed answers", test_malformed_answers },
		{ "port stats in testpmd's layout", test_port_stats },
		{ "show lcores with handshake lcores", test_lcores },
		{ "metrics in Prometheus' text format", test_metrics },
		{ "metrics: stats, then show for each interface", test_metrics_collect },
		{ "UAPI set parsing", test_uapi_parse },
		{ "UAPI set semantics", test_uapi_apply },
		{ "UAPI moves a prefix to its latest peer", test_uapi_moves_prefixes },
		{ "UAPI get format", test_uapi_get },
		{ "the export answer", test_export_json },
		{ "control socket framing", test_frame_json },
		{ "UAPI socket framing", test_frame_uapi },
		CU_TEST_INFO_NULL,
	};

	return unit_run("ctl", tests);
}
