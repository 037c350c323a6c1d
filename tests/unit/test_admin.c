/* SPDX-License-Identifier: MIT */
/*
 * lib/dp/admin.c and requests.c on a data plane with no ports running (changes then apply
 * inline, as wgdp-perf control has them): every control request's error path, relative to
 * what the request carries, and a prefix moved by a UAPI set as show and the routing table
 * see it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "admin.h"
#include "admin_priv.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "dp.h"
#include "drain.h"
#include "peer.h"
#include "unit.h"
#include "unit_eal.h"

/* RFC 7748 6.1: Alice is our interface, Bob and Carol are peers. */
#define OUR_KEY	  "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define OUR_PUB	  "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define BOB_KEY	  "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
#define BOB_HEX	  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define CAROL_KEY "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os="
#define CAROL_HEX "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
#define DAVE_KEY  "JRzrA4FUYrImGsY3IWTBg6ETa8jI2Pq0mnQPbdBDD24="

#define IFACE_PORTS                                                           \
	"\"interface\":{\"name\":\"wgdp0\",\"private_key\":\"" OUR_KEY "\"}," \
	"\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"192.0.2.1/24\"]}]"

/* Bob holds 10.0.1.0/24, Carol 10.0.2.0/24. */
static const char config_text[] =
	"{" IFACE_PORTS ",\"peers\":["
	"{\"public_key\":\"" BOB_KEY "\",\"allowed_ips\":[\"10.0.1.0/24\"]},"
	"{\"public_key\":\"" CAROL_KEY "\",\"allowed_ips\":[\"10.0.2.0/24\"]}]}";

static struct dp_ctx *dp;
static struct dp_admin *adm;

static json_t *request(const char *line)
{
	char *text = dp_admin_json_line(adm, line, strlen(line));
	json_t *a = json_loads(text, 0, NULL);

	free(text);
	return a;
}

/* The request must be refused with this path and a message containing message_part. */
static void expect_refused(const char *line, const char *path, const char *message_part)
{
	json_t *a = request(line);
	const char *got_path = json_string_value(json_object_get(a, "path"));
	const char *got_msg = json_string_value(json_object_get(a, "error"));

	CU_ASSERT_TRUE(json_is_false(json_object_get(a, "ok")));
	if (!got_path || strcmp(got_path, path) || !got_msg || !strstr(got_msg, message_part))
		fprintf(stderr, "\n  %s\n  got  %s: %s\n  want %s: ...%s...\n", line,
			got_path ? got_path : "(no path)", got_msg ? got_msg : "", path,
			message_part);
	CU_ASSERT_PTR_NOT_NULL(got_path);
	CU_ASSERT_STRING_EQUAL(got_path ? got_path : "", path);
	CU_ASSERT_TRUE(got_msg && strstr(got_msg, message_part) != NULL);
	json_decref(a);
}

/* Paths name the value at fault as the request holds it: set-config's as in a config file
 * (and as reload gives them), peer-add's under "peer", the others by their member. */
static void test_error_paths(void)
{
	char path[] = "/tmp/wgdp-test-admin.XXXXXX", line[1024];
	FILE *f;
	int fd;

	expect_refused("{\"cmd\":\"set-config\",\"config\":{" IFACE_PORTS ",\"peers\":["
		       "{\"public_key\":\"" BOB_KEY "\",\"endpoint\":\"1.2.3.4\"}]}}",
		       "peers[0].endpoint", "not an endpoint");
	expect_refused("{\"cmd\":\"set-config\",\"config\":{" IFACE_PORTS ",\"peers\":["
		       "{\"public_key\":\"" BOB_KEY "\",\"allowed_ips\":[\"10.0.1.0/24\"]},"
		       "{\"public_key\":\"" CAROL_KEY "\",\"allowed_ips\":[\"10.0.1.9/24\"]}]}}",
		       "peers[1].allowed_ips[0]", "10.0.1.0/24 is already peers[0]'s");
	expect_refused("{\"cmd\":\"set-config\",\"config\":{" IFACE_PORTS ",\"bogus\":1}}", "bogus",
		       "unknown key");
	/* Renaming the only interface would replace it (a reload removes and adds interfaces by
	 * name), but the control socket's default path is named after it. */
	expect_refused("{\"cmd\":\"set-config\",\"config\":{\"interface\":{\"name\":\"other\","
		       "\"private_key\":\"" OUR_KEY "\"},\"ports\":[{\"port\":0,\"role\":\"both\","
		       "\"address\":[\"192.0.2.1/24\"]}]}}",
		       "control.socket", "restart"); /* its default is named after the interface */
	expect_refused("{\"cmd\":\"set-config\",\"config\":[]}", "config", "JSON object");
	expect_refused("{\"cmd\":\"set-config\"}", "config", "is required");

	/* reload names the same paths for the same config in a file. */
	fd = mkstemp(path);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "{" IFACE_PORTS ",\"peers\":[{\"public_key\":\"" BOB_KEY "\",\"allowed_ips\":"
		   "[\"10.0.1.0/24\"]},{\"public_key\":\"" CAROL_KEY "\",\"allowed_ips\":"
		   "[\"10.0.1.0/24\"]}]}");
	fclose(f);
	snprintf(line, sizeof(line), "{\"cmd\":\"reload\",\"path\":\"%s\"}", path);
	expect_refused(line, "peers[1].allowed_ips[0]", "10.0.1.0/24 is already peers[0]'s");
	unlink(path);
	expect_refused("{\"cmd\":\"reload\",\"path\":7}", "path", "must be a string");

	/* peer-add: the peer is JSON too, so a held prefix is refused, not moved. */
	expect_refused("{\"cmd\":\"peer-add\",\"peer\":{\"public_key\":\"" DAVE_KEY "\","
		       "\"allowed_ips\":[\"10.0.3.0/24\",\"10.0.2.7/24\"]}}",
		       "peer.allowed_ips[1]", "10.0.2.0/24 is already peers[1]'s (" CAROL_KEY ")");
	expect_refused("{\"cmd\":\"peer-add\",\"peer\":{\"public_key\":\"" DAVE_KEY "\","
		       "\"allowed_ips\":[\"10.0.3.0/24\",\"10.0.3.1/24\"]}}",
		       "peer.allowed_ips[1]", "10.0.3.0/24 repeats allowed_ips[0]");
	expect_refused("{\"cmd\":\"peer-add\",\"peer\":{\"public_key\":\"" BOB_KEY "\"}}",
		       "peer.public_key", "already a peer");
	expect_refused("{\"cmd\":\"peer-add\",\"peer\":{\"public_key\":\"" OUR_PUB "\"}}",
		       "peer.public_key", "own public key");
	expect_refused("{\"cmd\":\"peer-add\",\"peer\":{\"public_key\":\"" DAVE_KEY "\","
		       "\"allowed_ips\":[\"10.0.3.0/33\"]}}",
		       "peer.allowed_ips[0]", "not a prefix");
	expect_refused("{\"cmd\":\"peer-add\"}", "peer", "is required");
	expect_refused("{\"cmd\":\"peer-remove\",\"public_key\":\"" DAVE_KEY "\"}", "public_key",
		       "no such peer");
	expect_refused("{\"cmd\":\"set-log-level\",\"type\":\"wgdp.*\",\"level\":\"loud\"}",
		       "level", "emergency");
	expect_refused("{\"cmd\":\"dance\"}", "cmd", "unknown command");
	/* Nothing refused changed anything. */
	CU_ASSERT_EQUAL(dp->n_live_peers, 2);
}

/* The id of the peer with this base64 key, as the tables have it. */
static uint32_t peer_id(const char *b64)
{
	uint8_t key[32];

	wgc_key_from_base64(key, b64);
	for (uint32_t id = 0; id < dp->n_peers; id++)
		if (dp->peers[id] && memcmp(dp->peers[id]->public_key, key, 32) == 0)
			return id;
	return DP_PEER_NONE;
}

/* show's allowed_ips of the peer with this key, joined by ','. */
static const char *shown_aips(json_t *show, const char *b64)
{
	static char out[256];
	json_t *peer, *pf;
	size_t i, j;

	out[0] = '\0';
	json_array_foreach(json_object_get(show, "peers"), i, peer)
	{
		if (strcmp(json_string_value(json_object_get(peer, "public_key")), b64))
			continue;
		json_array_foreach(json_object_get(peer, "allowed_ips"), j, pf)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", j ? "," : "",
				 json_string_value(pf));
	}
	return out;
}

/* wg set wgdp0 peer CAROL allowed-ips 10.0.2.0/24,10.0.1.0/24: Bob's prefix is Carol's. */
static void test_uapi_move(void)
{
	static const char set[] = "set=1\npublic_key=" CAROL_HEX "\nreplace_allowed_ips=true\n"
				  "allowed_ip=10.0.2.0/24\nallowed_ip=10.0.1.0/24\n";
	static const uint8_t in_moved[4] = { 10, 0, 1, 9 };
	size_t len;
	char *reply = dp_admin_uapi(adm, "wgdp0", set, sizeof(set) - 1, &len);
	json_t *show;

	CU_ASSERT_STRING_EQUAL(reply, "errno=0\n\n");
	free(reply);
	show = request("{\"cmd\":\"show\"}");
	CU_ASSERT_STRING_EQUAL(shown_aips(show, BOB_KEY), "");
	CU_ASSERT_STRING_EQUAL(shown_aips(show, CAROL_KEY), "10.0.2.0/24,10.0.1.0/24");
	json_decref(show);
	CU_ASSERT_NOT_EQUAL(peer_id(CAROL_KEY), DP_PEER_NONE);
	CU_ASSERT_EQUAL(dp_aips_lookup4(dp->tenants[0]->aips, in_moved), peer_id(CAROL_KEY));
	/* And back to Bob, who is before Carol in the list: the latest change wins. */
	reply = dp_admin_uapi(
		adm, "wgdp0", "set=1\npublic_key=" BOB_HEX "\nallowed_ip=10.0.1.0/24\n",
		strlen("set=1\npublic_key=" BOB_HEX "\nallowed_ip=10.0.1.0/24\n"), &len);
	CU_ASSERT_STRING_EQUAL(reply, "errno=0\n\n");
	free(reply);
	show = request("{\"cmd\":\"show\"}");
	CU_ASSERT_STRING_EQUAL(shown_aips(show, BOB_KEY), "10.0.1.0/24");
	CU_ASSERT_STRING_EQUAL(shown_aips(show, CAROL_KEY), "10.0.2.0/24");
	json_decref(show);
	CU_ASSERT_EQUAL(dp_aips_lookup4(dp->tenants[0]->aips, in_moved), peer_id(BOB_KEY));
}

/*
 * dp_peer_new's slots (peer.c's chunks): several chunks' worth handed out distinct, aligned and
 * zeroed; given back in another order than taken; taken again zeroed, whatever the peer held.
 */
static void test_peer_slots(void)
{
	enum { N = 5000 }; /* four chunks of 2 MiB */
	static struct dp_peer *p[N];
	struct dp_tenant *t = calloc(1, sizeof(*t));
	struct wgdp_peer_config pc = { .n_allowed_ips = 0 };
	uint32_t x = 12345;
	unsigned int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < N; i++) {
			p[i] = dp_peer_new(t, &pc, i);
			if (!p[i])
				break;
			bad += ((uintptr_t)p[i] % RTE_CACHE_LINE_SIZE) != 0;
			bad += p[i]->id != i || p[i]->n_staged || p[i]->send_kp || p[i]->kick ||
			       p[i]->rx_bytes || p[i]->last_handshake_sent || p[i]->name[0];
			/* What a peer's life leaves behind, for the next user of the slot. */
			p[i]->n_staged = 7;
			p[i]->rx_bytes = 1;
			p[i]->kick = true;
			p[i]->last_handshake_sent = 99;
			memset(p[i]->name, 'x', sizeof(p[i]->name) - 1);
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[N - 1]);
		for (uint32_t i = 1; i < N; i++)
			bad += p[i] == p[i - 1];
		/* Freed in a shuffled order, as grace periods end. */
		for (uint32_t i = N - 1; i > 0; i--) {
			uint32_t j;
			struct dp_peer *tmp;

			x = x * 1103515245u + 12345u;
			j = x % (i + 1);
			tmp = p[i];
			p[i] = p[j];
			p[j] = tmp;
		}
		for (uint32_t i = 0; i < N; i++) {
			p[i]->n_staged = 0; /* nothing really staged: dp_peer_destroy frees none */
			dp_peer_destroy(p[i]);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(t);
}

/* The check hook refuses port 9 (as the metrics endpoint refuses an address in use). */
static unsigned int checks, dry_checks;
static uint16_t checked_port;

static bool check_metrics(void *arg, const struct wgdp_config *next, bool dry_run,
			  struct wgdp_config_error *err)
{
	(void)arg;
	checks++;
	dry_checks += dry_run;
	checked_port = next->has_metrics_listen ? next->metrics_listen.port : 0;
	if (checked_port != 9)
		return true;
	snprintf(err->path, sizeof(err->path), "control.metrics_listen");
	snprintf(err->message, sizeof(err->message), "127.0.0.1:9: Address already in use");
	return false;
}

#define WITH_DAVE(listen)                                                       \
	"{\"cmd\":\"set-config\",\"config\":{" IFACE_PORTS ",\"peers\":["       \
	"{\"public_key\":\"" BOB_KEY "\",\"allowed_ips\":[\"10.0.1.0/24\"]},"   \
	"{\"public_key\":\"" CAROL_KEY "\",\"allowed_ips\":[\"10.0.2.0/24\"]}," \
	"{\"public_key\":\"" DAVE_KEY "\"}],\"control\":{\"metrics_listen\":\"" listen "\"}}}"

/* A check that fails refuses the whole apply; one that passes lets it through. */
static void test_check_hook(void)
{
	json_t *a;

	dp_admin_set_check_hook(adm, check_metrics, NULL);
	expect_refused(WITH_DAVE("127.0.0.1:9"), "control.metrics_listen", "already in use");
	CU_ASSERT_EQUAL(checks, 1);
	CU_ASSERT_EQUAL(dry_checks, 0);
	/* A dry run asks the hook too, saying it is one (nothing is to be held for it). Its
	 * tables come from the memory the earlier applies retired: reclaimed first (no control
	 * lcore runs here to do it). */
	dp_reclaim(dp);
	a = request("{\"cmd\":\"set-config\",\"dry_run\":true,\"config\":{" IFACE_PORTS
		    ",\"control\":{\"metrics_listen\":\"127.0.0.1:9\"}}}");
	CU_ASSERT_FALSE(json_is_true(json_object_get(a, "ok")));
	json_decref(a);
	CU_ASSERT_EQUAL(dry_checks, 1);
	checks--;
	CU_ASSERT_EQUAL(dp->n_live_peers, 2);
	a = request(WITH_DAVE("127.0.0.1:9586"));
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	json_decref(a);
	CU_ASSERT_EQUAL(checks, 2);
	CU_ASSERT_EQUAL(checked_port, 9586);
	CU_ASSERT_EQUAL(dp->n_live_peers, 3);
	/* Rules first: a config refused by them never reaches the hook. */
	expect_refused("{\"cmd\":\"set-config\",\"config\":{" IFACE_PORTS ",\"bogus\":1}}", "bogus",
		       "unknown key");
	CU_ASSERT_EQUAL(checks, 2);
	dp_admin_set_check_hook(adm, NULL, NULL);
	a = request("{\"cmd\":\"peer-remove\",\"public_key\":\"" DAVE_KEY "\"}");
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	json_decref(a);
	CU_ASSERT_EQUAL(checks, 2);
}

/* show's peers: how many it lists, and how many interface.peers says there are. */
static void expect_show(const char *line, size_t listed, json_int_t total)
{
	json_t *a = request(line);

	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(a, "peers")), listed);
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(json_object_get(a, "interface"), "peers")),
		total);
	json_decref(a);
}

/*
 * show's max_peers bounds the snapshot itself (what a capped scrape copies under the lock),
 * not only the answer; the interface's count stays whole.
 */
static void test_show_max_peers(void)
{
	struct ctl_snapshot snap;

	pthread_mutex_lock(&adm->lock);
	CU_ASSERT_EQUAL_FATAL(dp_admin_snapshot_first_locked(adm, 0, 1, &snap), 0);
	pthread_mutex_unlock(&adm->lock);
	CU_ASSERT_EQUAL(snap.n_peers, 1);
	CU_ASSERT_EQUAL(snap.n_omitted, 1);
	CU_ASSERT_EQUAL(
		memcmp(snap.peers[0].cfg.public_key, dp->peers[peer_id(BOB_KEY)]->public_key, 32),
		0);
	ctl_snapshot_free(&snap);
	pthread_mutex_lock(&adm->lock);
	CU_ASSERT_EQUAL_FATAL(dp_admin_snapshot_first_locked(adm, 0, 0, &snap), 0);
	pthread_mutex_unlock(&adm->lock);
	CU_ASSERT_EQUAL(snap.n_peers, 0);
	CU_ASSERT_EQUAL(snap.n_omitted, 2);
	ctl_snapshot_free(&snap);

	expect_show("{\"cmd\":\"show\"}", 2, 2);
	expect_show("{\"cmd\":\"show\",\"max_peers\":1}", 1, 2);
	expect_show("{\"cmd\":\"show\",\"max_peers\":0}", 0, 2);
	expect_show("{\"cmd\":\"show\",\"max_peers\":2}", 2, 2);
	expect_show("{\"cmd\":\"show\",\"max_peers\":9223372036854775807}", 2, 2);
	expect_refused("{\"cmd\":\"show\",\"max_peers\":-1}", "max_peers", "number of peers");
	expect_refused("{\"cmd\":\"show\",\"max_peers\":\"all\"}", "max_peers", "number of peers");
	expect_refused("{\"cmd\":\"show\",\"max_peers\":1.5}", "max_peers", "number of peers");
}

static json_int_t peers_shown(void)
{
	json_t *a = request("{\"cmd\":\"show\"}");
	json_int_t n = (json_int_t)json_array_size(json_object_get(a, "peers"));

	json_decref(a);
	return n;
}

/* "dry_run": the answer a change would get, and nothing changes (wgdpctl over several boxes). */
static void test_dry_run(void)
{
	json_int_t before;
	json_t *a;

	/* The earlier tests' allowed-ips generations, retired: their memory back first (no
	 * control lcore runs here to reclaim it). */
	dp_reclaim(dp);
	before = peers_shown();

	a = request("{\"cmd\":\"peer-add\",\"dry_run\":true,\"peer\":{\"public_key\":\"" DAVE_KEY
		    "\",\"allowed_ips\":[\"10.0.3.0/24\"]}}");
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "dry_run")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "added")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "peers")), before + 1);
	json_decref(a);
	CU_ASSERT_EQUAL(peers_shown(), before);

	a = request("{\"cmd\":\"peer-remove\",\"dry_run\":true,\"public_key\":\"" BOB_KEY "\"}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "removed")), 1);
	json_decref(a);
	CU_ASSERT_EQUAL(peers_shown(), before);

	/* A refusal reads as the apply's would. */
	expect_refused("{\"cmd\":\"peer-add\",\"dry_run\":true,\"peer\":{\"public_key\":\"" DAVE_KEY
		       "\",\"allowed_ips\":[\"10.0.3.0/24\",\"10.0.2.7/24\"]}}",
		       "peer.allowed_ips[1]", "10.0.2.0/24 is already peers[1]'s");
	expect_refused("{\"cmd\":\"set-config\",\"dry_run\":true,\"config\":{" IFACE_PORTS
		       ",\"bogus\":1}}",
		       "bogus", "unknown key");
	expect_refused("{\"cmd\":\"reload\",\"dry_run\":1}", "dry_run", "true or false");

	/* The dry run gave its ids back: the real add still fits and shows. */
	a = request("{\"cmd\":\"peer-add\",\"dry_run\":false,\"peer\":{\"public_key\":\"" DAVE_KEY
		    "\",\"allowed_ips\":[\"10.0.3.0/24\"]}}");
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	CU_ASSERT_PTR_NULL(json_object_get(a, "dry_run"));
	json_decref(a);
	CU_ASSERT_EQUAL(peers_shown(), before + 1);
	a = request("{\"cmd\":\"peer-remove\",\"public_key\":\"" DAVE_KEY "\"}");
	json_decref(a);
}

#define SET_PEERS(rest) "{\"cmd\":\"set-peers\"" rest "}"
#define BOB_PEER	"{\"public_key\":\"" BOB_KEY "\",\"allowed_ips\":[\"10.0.1.0/24\"]}"
#define CAROL_PEER	"{\"public_key\":\"" CAROL_KEY "\",\"allowed_ips\":[\"10.0.2.0/24\"]}"
#define DAVE_PEER	"{\"public_key\":\"" DAVE_KEY "\",\"allowed_ips\":[\"10.0.3.0/24\"]}"

/* An ok answer's added, removed and changed; it is freed. */
static void expect_counts(json_t *a, json_int_t added, json_int_t removed, json_int_t changed)
{
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "added")), added);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "removed")), removed);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "changed")), changed);
	json_decref(a);
}

/* A list over limits.max_peers is refused by its length, before any element is read. */
static void expect_too_many(void)
{
	json_t *req = json_pack("{s:s,s:[]}", "cmd", "set-peers", "peers"), *a;
	const char *msg;

	for (uint32_t i = 0; i <= adm->running->max_peers; i++)
		json_array_append_new(json_object_get(req, "peers"), json_null());
	a = dp_admin_request(adm, req);
	msg = json_string_value(json_object_get(a, "error"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "path")), "peers");
	CU_ASSERT_TRUE(msg && strstr(msg, "exceed limits.max_peers") != NULL);
	json_decref(a);
	json_decref(req);
}

static void set_peers_refusals(void)
{
	expect_refused(SET_PEERS(""), "peers", "is required");
	expect_refused(SET_PEERS(",\"peers\":{}"), "peers", "must be an array");
	expect_refused(SET_PEERS(",\"peers\":[" BOB_PEER ",{\"public_key\":\"nope\"}]"),
		       "peers[1].public_key", "not a base64 key");
	expect_refused(SET_PEERS(",\"peers\":[" BOB_PEER ",7]"), "peers[1]", "must be an object");
	expect_refused(SET_PEERS(",\"peers\":[" BOB_PEER "," CAROL_PEER "," BOB_PEER "]"),
		       "peers[2].public_key", "duplicate public key (also peers[0])");
	expect_refused(SET_PEERS(",\"peers\":[" BOB_PEER ",{\"public_key\":\"" DAVE_KEY "\","
				 "\"allowed_ips\":[\"10.0.3.0/24\",\"10.0.1.9/24\"]}]"),
		       "peers[1].allowed_ips[1]", "10.0.1.0/24 is already peers[0]'s");
	expect_refused(SET_PEERS(",\"peers\":[{\"public_key\":\"" DAVE_KEY "\","
				 "\"allowed_ips\":[\"10.0.3.0/33\"]}]"),
		       "peers[0].allowed_ips[0]", "not a prefix");
	expect_refused(SET_PEERS(",\"peers\":[{\"public_key\":\"" OUR_PUB "\"}]"),
		       "peers[0].public_key", "own public key");
	expect_refused(SET_PEERS(",\"interface\":\"wg-x\",\"peers\":[]"), "interface",
		       "no interface wg-x");
	expect_refused(SET_PEERS(",\"dry_run\":\"yes\",\"peers\":[]"), "dry_run", "true or false");
	expect_too_many();
}

/*
 * set-peers: the interface's peers are the list's, everything else stays as it runs; a kept
 * key keeps its dp_peer (its sessions), and a refusal or a dry run changes nothing.
 */
static void test_set_peers(void)
{
	struct wgdp_port_config ports = adm->running->ports[0];
	uint16_t listen_port = adm->running->listen_port;
	struct dp_peer *bob = dp->peers[peer_id(BOB_KEY)];
	json_t *a;

	dp_reclaim(dp);
	set_peers_refusals();
	CU_ASSERT_EQUAL(dp->n_live_peers, 2);

	/* Bob kept, Carol removed, Dave added: as a dry run first. */
	expect_counts(
		request(SET_PEERS(",\"dry_run\":true,\"peers\":[" BOB_PEER "," DAVE_PEER "]")), 1,
		1, 0);
	expect_counts(request(SET_PEERS(",\"dry_run\":true,\"peers\":[]")), 0, 2, 0);
	CU_ASSERT_EQUAL(peers_shown(), 2);
	CU_ASSERT_EQUAL(peer_id(DAVE_KEY), DP_PEER_NONE);

	a = request(SET_PEERS(",\"interface\":\"wgdp0\",\"peers\":[{\"public_key\":\"" BOB_KEY
			      "\",\"allowed_ips\":[\"10.0.1.0/24\"],\"name\":\"bob\"}," DAVE_PEER
			      "]"));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "peers")), 2);
	expect_counts(a, 1, 1, 1); /* Bob's new name is his change */
	CU_ASSERT_EQUAL(peer_id(CAROL_KEY), DP_PEER_NONE);
	CU_ASSERT_NOT_EQUAL(peer_id(DAVE_KEY), DP_PEER_NONE);
	CU_ASSERT_PTR_EQUAL(dp->peers[peer_id(BOB_KEY)], bob);
	CU_ASSERT_STRING_EQUAL(bob->name, "bob");
	a = request("{\"cmd\":\"show\"}");
	CU_ASSERT_STRING_EQUAL(shown_aips(a, DAVE_KEY), "10.0.3.0/24");
	json_decref(a);
	/* The rest as it ran. */
	CU_ASSERT_EQUAL(adm->running->n_ports, 1);
	CU_ASSERT_EQUAL(memcmp(&adm->running->ports[0], &ports, sizeof(ports)), 0);
	CU_ASSERT_EQUAL(adm->running->listen_port, listen_port);
	CU_ASSERT_STRING_EQUAL(adm->running->ifname, "wgdp0");
	CU_ASSERT_TRUE(adm->running->shorthand);

	/* Back as the other tests have them. */
	expect_counts(request(SET_PEERS(",\"peers\":[" BOB_PEER "," CAROL_PEER "]")), 1, 1, 1);
	CU_ASSERT_PTR_EQUAL(dp->peers[peer_id(BOB_KEY)], bob);
}

/* health: serving, then draining with the time left (SIGTERM with --drain-ms). */
static void test_health(void)
{
	json_t *a = request("{\"cmd\":\"health\"}");

	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "state")), "serving");
	CU_ASSERT_PTR_NULL(json_object_get(a, "drain_ms_left"));
	json_decref(a);
	CU_ASSERT_TRUE(dp_drain_begin(dp, 60000));
	CU_ASSERT_FALSE(dp_drain_begin(dp, 1)); /* a second SIGTERM: now */
	a = request("{\"cmd\":\"health\"}");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "state")), "draining");
	CU_ASSERT_TRUE(json_integer_value(json_object_get(a, "drain_ms_left")) > 50000);
	json_decref(a);
	dp_drain_poll(dp, dp_drain_until(dp));
	CU_ASSERT_TRUE(dp->quit);
	dp->quit = false;
	dp->drain_until = 0;
}

int main(int argc, char **argv)
{
	static const CU_TestInfo tests[] = {
		{ "every request's error path", test_error_paths },
		{ "a UAPI set moves a prefix (show, routing)", test_uapi_move },
		{ "peer slots: distinct, zeroed, reused", test_peer_slots },
		{ "a check hook refuses an apply whole", test_check_hook },
		{ "show's max_peers bounds the snapshot", test_show_max_peers },
		{ "dry runs check and change nothing", test_dry_run },
		{ "set-peers replaces the peers only", test_set_peers },
		{ "health: serving, draining", test_health },
		CU_TEST_INFO_NULL,
	};
	struct wgdp_config_error err;
	struct wgdp_config *cfg;
	unsigned int lcore;
	char msg[256];
	int rc;

	(void)argc;
	if (wgc_init() != 0 ||
	    unit_eal_init(argv[0], "admin", "512",
			  (const char *const[]){ "--log-level=*:notice", NULL }) < 0)
		return 2;
	cfg = wgdp_config_parse(config_text, sizeof(config_text) - 1, &err);
	lcore = rte_get_main_lcore();
	dp = cfg ? dp_create(cfg, 1, &lcore, msg, sizeof(msg)) : NULL;
	adm = dp ? dp_admin_create(dp, cfg, NULL) : NULL;
	if (!adm) {
		fprintf(stderr, "test_admin: setup: %s\n", cfg ? msg : err.message);
		return 2;
	}
	rc = unit_run("admin", tests);
	dp_admin_free(adm);
	dp_free(dp);
	wgdp_config_free(cfg);
	rte_eal_cleanup();
	return rc;
}
