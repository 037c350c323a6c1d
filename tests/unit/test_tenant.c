/* SPDX-License-Identifier: MIT */
/*
 * Tenants (lib/dp/tenant.c) on a data plane with two net_null ports: two interfaces with the
 * same inside subnet on VLANs 100 and 200 of one inside port, the same peer key in both.
 * Every table that picks a peer, a next hop or a neighbour answers per tenant; a reload adds
 * and removes whole interfaces, and refuses by path to change what a live one was built with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "admin.h"
#include "admin_priv.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "dp.h"
#include "peer.h"
#include "route.h"
#include "router.h"
#include "unit.h"
#include "unit_eal.h"

/* Interface A has RFC 7748 6.1's Alice's private key, interface B another; Bob (RFC 7748's
 * public key) is a peer of both, "Carol" (Alice's public key) a peer of B only. */
#define ALICE_KEY "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define B_PRIV	  "JRzrA4FUYrImGsY3IWTBg6ETa8jI2Pq0mnQPbdBDD24="
#define BOB_KEY	  "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
#define CAROL_KEY "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
/* Bytes 0..31: a peer added to A. */
#define DAVE_KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

#define PORTS                                                                          \
	"\"ports\":[{\"port\":0,\"role\":\"outside\",\"address\":[\"192.0.2.1/24\"]}," \
	"{\"port\":1,\"role\":\"inside\",\"address\":[\"172.16.0.1/24\"]}]"
#define IFACE_A_HEAD                                                                  \
	"{\"name\":\"wg-a\",\"private_key\":\"" ALICE_KEY "\",\"listen_port\":51820," \
	"\"inside\":{\"port\":1,\"vlan\":100,\"address\":[\"10.0.0.1/24\"]},"         \
	"\"routes\":[{\"prefix\":\"10.9.0.0/16\",\"via\":\"10.0.0.254\"}],"
#define IFACE_A                                              \
	IFACE_A_HEAD "\"peers\":[{\"public_key\":\"" BOB_KEY \
		     "\",\"allowed_ips\":[\"10.0.1.0/24\"]}]}"
#define IFACE_B_PEERS                                                                    \
	"\"peers\":[{\"public_key\":\"" BOB_KEY "\",\"allowed_ips\":[\"10.0.1.0/24\"]}," \
	"{\"public_key\":\"" CAROL_KEY "\",\"allowed_ips\":[\"10.0.2.0/24\"]}]"
#define IFACE_B_HEAD                                                               \
	"{\"name\":\"wg-b\",\"private_key\":\"" B_PRIV "\",\"listen_port\":51821," \
	"\"inside\":{\"port\":1,\"vlan\":200,\"address\":[\"10.0.0.1/24\"]},"

static const char config_text[] =
	"{\"interfaces\":[" IFACE_A "," IFACE_B_HEAD IFACE_B_PEERS "}]," PORTS "}";

static struct dp_ctx *dp;
static struct dp_admin *adm; /* made with dp: the admin's ids are the data plane's */
static struct dp_tenant *ta, *tb;

static struct wgdp_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct wgdp_addr x = { .family = 4, .bytes = { a, b, c, d } };

	return x;
}

static struct dp_peer *peer_of(struct dp_tenant *t, const char *b64)
{
	uint8_t key[32];

	CU_ASSERT_FATAL(wgc_key_from_base64(key, b64));
	return dp_peer_by_key(dp, t, key);
}

static void test_listen_ports(void)
{
	CU_ASSERT_EQUAL(dp->n_tenants, 2);
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51820), ta);
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51821), tb);
	CU_ASSERT_PTR_NULL(dp_tenant_of_port(dp, 51822));
	CU_ASSERT_PTR_NULL(dp_tenant_of_port(dp, 0));
	CU_ASSERT_STRING_EQUAL(ta->name, "wg-a");
	CU_ASSERT_STRING_EQUAL(tb->name, "wg-b");
	/* Own keys, own cookie secrets and mac1 keys. */
	CU_ASSERT_NOT_EQUAL(memcmp(ta->identity.public_key, tb->identity.public_key, 32), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(ta->cookie_checker.mac1_key, tb->cookie_checker.mac1_key, 32),
			    0);
	CU_ASSERT_NOT_EQUAL(memcmp(ta->cookie_checker.secret, tb->cookie_checker.secret, 32), 0);
}

/* The same public key is a peer of each interface: two peers, each of its own tenant. */
static void test_peers_per_tenant(void)
{
	struct dp_peer *bob_a = peer_of(ta, BOB_KEY), *bob_b = peer_of(tb, BOB_KEY);
	struct dp_peer *carol_b = peer_of(tb, CAROL_KEY);
	uint8_t in1[4] = { 10, 0, 1, 5 }, in2[4] = { 10, 0, 2, 5 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(bob_a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bob_b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(carol_b);
	CU_ASSERT_PTR_NOT_EQUAL(bob_a, bob_b);
	CU_ASSERT_PTR_EQUAL(bob_a->tenant, ta);
	CU_ASSERT_PTR_EQUAL(bob_b->tenant, tb);
	CU_ASSERT_PTR_NULL(peer_of(ta, CAROL_KEY));
	CU_ASSERT_EQUAL(ta->n_live_peers, 1);
	CU_ASSERT_EQUAL(tb->n_live_peers, 2);
	/* Several tenants with few prefixes: the compact tables, not 96 MiB of rte_fib each. */
	CU_ASSERT_PTR_NOT_NULL(ta->aips->compact);
	CU_ASSERT_PTR_NULL(ta->aips->v4);
	CU_ASSERT_TRUE(dp_rtable_memory(tb->aips->compact) < 1024);
	/* The same prefix in both: each tenant's table names its own peer. */
	CU_ASSERT_EQUAL(dp_aips_lookup4(ta->aips, in1), bob_a->id);
	CU_ASSERT_EQUAL(dp_aips_lookup4(tb->aips, in1), bob_b->id);
	CU_ASSERT_EQUAL(dp_aips_lookup4(ta->aips, in2), DP_PEER_NONE);
	CU_ASSERT_EQUAL(dp_aips_lookup4(tb->aips, in2), carol_b->id);
}

static void test_vlans(void)
{
	const struct dp_port *inside = &dp->ports[1], *outside = &dp->ports[0];
	const struct dp_iface *ifc;

	CU_ASSERT_TRUE(inside->has_vlans);
	CU_ASSERT_FALSE(outside->has_vlans);
	CU_ASSERT_PTR_EQUAL(dp_port_tenant(dp, inside, 100), ta);
	CU_ASSERT_PTR_EQUAL(dp_port_tenant(dp, inside, 200), tb);
	CU_ASSERT_PTR_NULL(dp_port_tenant(dp, inside, 0)); /* a trunk: no untagged tenant */
	CU_ASSERT_PTR_NULL(dp_port_tenant(dp, inside, 300));
	CU_ASSERT_PTR_NULL(dp_port_tenant(dp, inside, 4095));
	CU_ASSERT_PTR_NULL(dp_port_tenant(dp, outside, 100));
	ifc = dp_iface_at(dp, inside, 100);
	CU_ASSERT_PTR_EQUAL(ifc, &ta->inside_ifc);
	CU_ASSERT_EQUAL(ifc->vlan, 100);
	CU_ASSERT_EQUAL(ifc->port_id, inside->port_id);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&ifc->mac, &inside->iface.mac));
	CU_ASSERT_PTR_EQUAL(dp_iface_at(dp, inside, 200), &tb->inside_ifc);
	CU_ASSERT_PTR_EQUAL(dp_iface_at(dp, inside, 0), &inside->iface);
	CU_ASSERT_PTR_NULL(dp_iface_at(dp, inside, 300));
}

static void test_routes(void)
{
	struct wgdp_addr far = v4(10, 9, 1, 1), lan = v4(10, 0, 0, 7), gw = v4(10, 0, 0, 254);
	struct wgdp_addr other = v4(172, 16, 0, 9);
	struct wgdp_addr ours = v4(10, 0, 0, 1);
	struct dp_route r;

	CU_ASSERT_TRUE_FATAL(dp_route_inside(dp, ta, &far, &r));
	CU_ASSERT_EQUAL(r.port, 1);
	CU_ASSERT_EQUAL(r.vlan, 100);
	CU_ASSERT_EQUAL(memcmp(&r.nh, &gw, sizeof(gw)), 0);
	CU_ASSERT_EQUAL(memcmp(r.src->bytes, ours.bytes, 4), 0);
	/* B has no route there. */
	CU_ASSERT_FALSE(dp_route_inside(dp, tb, &far, &r));
	CU_ASSERT_TRUE_FATAL(dp_route_inside(dp, tb, &lan, &r));
	CU_ASSERT_EQUAL(r.vlan, 200);
	CU_ASSERT_EQUAL(memcmp(&r.nh, &lan, sizeof(lan)), 0);
	/* The port's own subnet is not a tenant's: a tenant reaches only its own link. */
	CU_ASSERT_FALSE(dp_route_inside(dp, ta, &other, &r));
	/* Errors come from the tenant's address, never the port's. */
	CU_ASSERT_EQUAL(memcmp(dp_inside_source(dp, ta, 4, far.bytes), ours.bytes, 4), 0);
	CU_ASSERT_PTR_NULL(dp_inside_source(dp, ta, 6, NULL));
}

/* 10.0.0.2 on VLAN 100 and 10.0.0.2 on VLAN 200 are two hosts. */
static void test_neighbours(void)
{
	struct rte_ether_addr mac_a = { { 2, 0, 0, 0, 0, 0xa } },
			      mac_b = { { 2, 0, 0, 0, 0, 0xb } };
	struct rte_ether_addr got;
	struct wgdp_addr host = v4(10, 0, 0, 2);
	uint16_t pid = dp->ports[1].port_id;

	CU_ASSERT_TRUE_FATAL(dp_neigh_set(dp->neigh, &ta->inside_ifc, &host, &mac_a));
	CU_ASSERT_TRUE_FATAL(dp_neigh_set(dp->neigh, &tb->inside_ifc, &host, &mac_b));
	CU_ASSERT_TRUE(dp_neigh_lookup(dp->neigh, dp_link(pid, 100), &host, &got));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &mac_a));
	CU_ASSERT_TRUE(dp_neigh_lookup(dp->neigh, dp_link(pid, 200), &host, &got));
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&got, &mac_b));
	CU_ASSERT_FALSE(dp_neigh_lookup(dp->neigh, dp_link(pid, 0), &host, &got));
	CU_ASSERT_FALSE(dp_neigh_lookup(dp->neigh, dp_link(pid, 300), &host, &got));
}

/* A reload changes the peers and keys of every interface at once; what an interface was
 * built with (its VLAN, its listen port) it keeps while it lives. */
static void test_reload(void)
{
	/* A with Dave added, B without Carol. */
	static const char both_changed[] =
		"{\"interfaces\":[" IFACE_A_HEAD "\"peers\":[{\"public_key\":\"" BOB_KEY
		"\",\"allowed_ips\":[\"10.0.1.0/24\"]},{\"public_key\":\"" DAVE_KEY
		"\",\"allowed_ips\":[\"10.0.3.0/24\"]}]}," IFACE_B_HEAD
		"\"peers\":[{\"public_key\":\"" BOB_KEY
		"\",\"allowed_ips\":[\"10.0.1.0/24\"]}]}]," PORTS "}";
	/* B moved to VLAN 300: refused. */
	static const char b_moved[] =
		"{\"interfaces\":[" IFACE_A ",{\"name\":\"wg-b\",\"private_key\":\"" B_PRIV
		"\",\"listen_port\":51821,\"inside\":{\"port\":1,\"vlan\":300,"
		"\"address\":[\"10.0.0.1/24\"]}," IFACE_B_PEERS "}]," PORTS "}";
	/* A without its peer on another port, and B moved: all refused, A's part too. */
	static const char a_port[] =
		"{\"interfaces\":[{\"name\":\"wg-a\",\"private_key\":\"" ALICE_KEY
		"\",\"listen_port\":51830,\"peers\":[],\"inside\":{\"port\":1,\"vlan\":100,"
		"\"address\":[\"10.0.0.1/24\"]}},{\"name\":\"wg-b\",\"private_key\":\"" B_PRIV
		"\",\"listen_port\":51821,\"inside\":{\"port\":1,\"vlan\":300,"
		"\"address\":[\"10.0.0.1/24\"]}," IFACE_B_PEERS "}]," PORTS "}";
	struct dp_peer *bob_b = peer_of(tb, BOB_KEY), *carol_b = peer_of(tb, CAROL_KEY), *dave_a;
	uint8_t in1[4] = { 10, 0, 1, 5 }, in2[4] = { 10, 0, 2, 5 }, in3[4] = { 10, 0, 3, 5 };
	uint8_t a_pub[32], b_pub[32];
	struct wgdp_config_error err;
	struct dp_apply_result res;
	struct wgdp_config *next;

	memcpy(b_pub, tb->identity.public_key, 32);
	next = wgdp_config_parse(b_moved, sizeof(b_moved) - 1, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_EQUAL(dp_admin_apply(adm, next, &res, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.path, "interfaces[1].inside");
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "remove it and add it back"));
	next = wgdp_config_parse(a_port, sizeof(a_port) - 1, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_EQUAL(dp_admin_apply(adm, next, &res, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.path, "interfaces[1].inside");
	CU_ASSERT_EQUAL(ta->n_live_peers, 1);
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51820), ta);
	CU_ASSERT_PTR_NULL(dp_tenant_of_port(dp, 51830));
	/* Nothing changed: B still has both its peers. */
	CU_ASSERT_EQUAL(tb->n_live_peers, 2);
	/* The same config again applies (nothing to do). */
	next = wgdp_config_parse(config_text, sizeof(config_text) - 1, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_EQUAL(dp_admin_apply(adm, next, &res, &err), 0);
	CU_ASSERT_EQUAL(res.added + res.removed + res.changed, 0);
	/* One reload changes both interfaces: A gets Dave, B loses Carol and gets a new key. A's
	 * new peer takes an id of its own (review: ids after interface 0's belong to the other
	 * interfaces); A keeps its identity, B's Bob stays the same peer. */
	memcpy(a_pub, ta->identity.public_key, 32);
	next = wgdp_config_parse(both_changed, sizeof(both_changed) - 1, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	memset(next->ifaces[1].private_key, 0x42, 32);
	CU_ASSERT_EQUAL(dp_admin_apply(adm, next, &res, &err), 0);
	CU_ASSERT_EQUAL(res.added, 1);
	CU_ASSERT_EQUAL(res.removed, 1);
	dave_a = peer_of(ta, DAVE_KEY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dave_a);
	CU_ASSERT_PTR_EQUAL(dave_a->tenant, ta);
	CU_ASSERT_PTR_EQUAL(dp->peers[bob_b->id], bob_b);
	CU_ASSERT_PTR_NULL(dp->peers[carol_b->id]);
	CU_ASSERT_NOT_EQUAL(dave_a->id, bob_b->id);
	CU_ASSERT_NOT_EQUAL(dave_a->id, carol_b->id); /* Carol's id waits out a grace period */
	CU_ASSERT_PTR_NULL(peer_of(tb, CAROL_KEY));
	CU_ASSERT_PTR_EQUAL(peer_of(tb, BOB_KEY), bob_b);
	CU_ASSERT_EQUAL(dp_aips_lookup4(ta->aips, in3), dave_a->id);
	CU_ASSERT_EQUAL(dp_aips_lookup4(tb->aips, in3), DP_PEER_NONE);
	CU_ASSERT_EQUAL(dp_aips_lookup4(tb->aips, in2), DP_PEER_NONE);
	CU_ASSERT_EQUAL(dp_aips_lookup4(tb->aips, in1), bob_b->id);
	CU_ASSERT_EQUAL(ta->n_live_peers, 2);
	CU_ASSERT_EQUAL(tb->n_live_peers, 1);
	CU_ASSERT_EQUAL(memcmp(ta->identity.public_key, a_pub, 32), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(tb->identity.public_key, b_pub, 32), 0);
}

#define BOB_HEX	 "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define DAVE_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static char *uapi(const char *ifname, const char *req)
{
	size_t len = 0;
	char *r = dp_admin_uapi(adm, ifname, req, strlen(req), &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(strlen(r), len);
	return r;
}

/* The answer to req (which it consumes). */
static json_t *request(json_t *req)
{
	json_t *a = dp_admin_request(adm, req);

	json_decref(req);
	return a;
}

static bool holds(char *text, const char *part)
{
	bool yes = strstr(text, part) != NULL;

	free(text);
	return yes;
}

/* One UAPI socket an interface (wg show wg-b, wg set wg-b), and show by "interface". After
 * test_reload: A has Bob and Dave, B has Bob. */
static void test_uapi_per_interface(void)
{
	struct dp_peer *dave_a = peer_of(ta, DAVE_KEY), *dave_b;
	uint8_t in5[4] = { 10, 0, 5, 1 };
	json_t *a;

	CU_ASSERT_TRUE(holds(uapi("wg-b", "get=1\n"), "listen_port=51821\n"));
	CU_ASSERT_TRUE(holds(uapi("wg-b", "get=1\n"), "public_key=" BOB_HEX));
	CU_ASSERT_FALSE(holds(uapi("wg-b", "get=1\n"), DAVE_HEX));
	CU_ASSERT_TRUE(holds(uapi("wg-a", "get=1\n"), "listen_port=51820\n"));
	CU_ASSERT_TRUE(holds(uapi("wg-a", "get=1\n"), "public_key=" DAVE_HEX));
	CU_ASSERT_TRUE(holds(uapi("wg-c", "get=1\n"), "errno=19\n")); /* ENODEV */
	/* A set on B reaches B only. */
	CU_ASSERT_TRUE(
		holds(uapi("wg-b", "set=1\npublic_key=" DAVE_HEX "\nallowed_ip=10.0.5.0/24\n"),
		      "errno=0\n"));
	dave_b = peer_of(tb, DAVE_KEY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dave_b);
	CU_ASSERT_PTR_EQUAL(dave_b->tenant, tb);
	CU_ASSERT_PTR_EQUAL(peer_of(ta, DAVE_KEY), dave_a);
	CU_ASSERT_EQUAL(dp_aips_lookup4(tb->aips, in5), dave_b->id);
	CU_ASSERT_EQUAL(dp_aips_lookup4(ta->aips, in5), DP_PEER_NONE);
	CU_ASSERT_EQUAL(adm->running->ifaces[1].n_peers, 2);
	CU_ASSERT_EQUAL(adm->running->ifaces[0].n_peers, 2);
	CU_ASSERT_TRUE(holds(uapi("wg-b", "set=1\nlisten_port=51821\n"), "errno=0\n"));
	/* wg set listen-port: taken at once; another interface's port refused. */
	CU_ASSERT_TRUE(holds(uapi("wg-b", "set=1\nlisten_port=51999\n"), "errno=0\n"));
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51999), tb);
	CU_ASSERT_PTR_NULL(dp_tenant_of_port(dp, 51821));
	CU_ASSERT_TRUE(holds(uapi("wg-b", "set=1\nlisten_port=51820\n"), "errno=22\n"));
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51820), ta);
	CU_ASSERT_TRUE(holds(uapi("wg-b", "set=1\nlisten_port=51821\n"), "errno=0\n"));
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51821), tb);
	/* show: "interface" names one; with several, it is required. */
	a = request(json_pack("{s:s}", "cmd", "show"));
	CU_ASSERT_TRUE(json_is_false(json_object_get(a, "ok")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "path")), "interface");
	json_decref(a);
	a = request(json_pack("{s:s,s:s}", "cmd", "show", "interface", "wg-b"));
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(a, "peers")), 2);
	json_decref(a);
	a = request(json_pack("{s:s,s:s}", "cmd", "show", "interface", "wg-x"));
	CU_ASSERT_TRUE(json_is_false(json_object_get(a, "ok")));
	json_decref(a);
}

/* peer-add / peer-remove name their interface; stats count each one. */
static void test_requests_per_interface(void)
{
	json_t *a, *peer = json_pack("{s:s,s:[s]}", "public_key", CAROL_KEY, "allowed_ips",
				     "10.0.6.0/24");
	uint8_t in6[4] = { 10, 0, 6, 1 };
	struct dp_peer *carol;

	a = request(json_pack("{s:s,s:O}", "cmd", "peer-add", "peer", peer));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "path")), "interface");
	json_decref(a);
	a = request(
		json_pack("{s:s,s:O,s:s}", "cmd", "peer-add", "peer", peer, "interface", "wg-b"));
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "added")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "peers")), 3); /* B's, not A's 2 */
	json_decref(a);
	carol = peer_of(tb, CAROL_KEY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(carol);
	CU_ASSERT_PTR_NULL(peer_of(ta, CAROL_KEY));
	CU_ASSERT_EQUAL(dp_aips_lookup4(tb->aips, in6), carol->id);
	CU_ASSERT_EQUAL(dp_aips_lookup4(ta->aips, in6), DP_PEER_NONE);
	/* stats: each interface's peers, port and VLAN. */
	a = request(json_pack("{s:s}", "cmd", "stats"));
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(a, "interfaces"), "wg-b"), "peers")),
		tb->n_live_peers);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(
				json_object_get(json_object_get(a, "interfaces"), "wg-b"), "vlan")),
			200);
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(a, "interfaces"), "wg-a"), "listen_port")),
		51820);
	json_decref(a);
	/* The interfaces' bytes are their peers' now, not counters since a clear: a peer removed
	 * after a clear takes its bytes along, and nothing goes below zero (review). */
	__atomic_store_n(&carol->rx_bytes, 5000, __ATOMIC_RELAXED);
	json_decref(request(json_pack("{s:s}", "cmd", "clear-stats")));
	/* Removed from B; A never had it. */
	a = request(json_pack("{s:s,s:s,s:s}", "cmd", "peer-remove", "public_key", CAROL_KEY,
			      "interface", "wg-a"));
	CU_ASSERT_TRUE(json_is_false(json_object_get(a, "ok")));
	json_decref(a);
	a = request(json_pack("{s:s,s:s,s:s}", "cmd", "peer-remove", "public_key", CAROL_KEY,
			      "interface", "wg-b"));
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	json_decref(a);
	CU_ASSERT_PTR_NULL(peer_of(tb, CAROL_KEY));
	a = request(json_pack("{s:s}", "cmd", "stats"));
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(a, "interfaces"), "wg-b"), "rx_bytes")),
		0);
	json_decref(a);
	json_decref(peer);
}

/* The request (taken) must be refused with this path. */
static void expect_refused_at(json_t *req, const char *path)
{
	json_t *a = request(req);
	const char *got = json_string_value(json_object_get(a, "path"));

	CU_ASSERT_TRUE(json_is_false(json_object_get(a, "ok")));
	CU_ASSERT_STRING_EQUAL(got ? got : "", path);
	json_decref(a);
}

/*
 * A config edited in memory with a duplicate key on interface 1 (no parser sees it): the
 * apply refuses it, naming the interface's peer, rather than trusting its caller.
 */
static void test_apply_checks_every_interface(void)
{
	struct wgdp_config_error err;
	struct dp_apply_result res;
	struct wgdp_config *next = wgdp_config_parse(config_text, sizeof(config_text) - 1, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_TRUE_FATAL(next->n_ifaces == 2 && next->ifaces[1].n_peers == 2);
	memcpy(next->ifaces[1].peers[1].public_key, next->ifaces[1].peers[0].public_key, 32);
	CU_ASSERT_EQUAL(dp_admin_apply(adm, next, &res, &err), -1);
	CU_ASSERT_STRING_EQUAL(err.path, "interfaces[1].peers[1].public_key");
	CU_ASSERT_EQUAL(tb->n_live_peers, 2);
}

/* A set-peers request for wg-b; peers: the list's JSON. */
static json_t *set_peers_b(const char *peers)
{
	json_t *list = json_loads(peers, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(list);
	return json_pack("{s:s,s:s,s:o}", "cmd", "set-peers", "interface", "wg-b", "peers", list);
}

#define PEER(key, prefix) "{\"public_key\":\"" key "\",\"allowed_ips\":[\"" prefix "\"]}"

/*
 * set-peers on B, an interface the apply edits through its view: the list's own rules are
 * checked (the apply checks interface 0's peers only), A is untouched, B's kept peer stays.
 */
static void test_set_peers_per_interface(void)
{
	struct dp_peer *bob_a = peer_of(ta, BOB_KEY), *dave_a = peer_of(ta, DAVE_KEY);
	struct dp_peer *bob_b = peer_of(tb, BOB_KEY), *carol_b;
	uint8_t in6[4] = { 10, 0, 6, 1 };
	json_t *a;

	expect_refused_at(
		set_peers_b("[" PEER(BOB_KEY, "10.0.1.0/24") "," PEER(BOB_KEY, "10.0.7.0/24") "]"),
		"peers[1].public_key");
	expect_refused_at(set_peers_b("[" PEER(BOB_KEY, "10.0.1.0/24") "," PEER(CAROL_KEY,
										"10.0.1.9/24") "]"),
			  "peers[1].allowed_ips[0]");
	expect_refused_at(json_pack("{s:s,s:[]}", "cmd", "set-peers", "peers"), "interface");

	a = request(set_peers_b(
		"[" PEER(BOB_KEY, "10.0.1.0/24") "," PEER(CAROL_KEY, "10.0.6.0/24") "]"));
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "added")), 1);   /* Carol */
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "removed")), 1); /* Dave */
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(a, "peers")), 2);
	json_decref(a);
	CU_ASSERT_PTR_EQUAL(peer_of(tb, BOB_KEY), bob_b);
	CU_ASSERT_PTR_NULL(peer_of(tb, DAVE_KEY));
	carol_b = peer_of(tb, CAROL_KEY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(carol_b);
	CU_ASSERT_EQUAL(dp_aips_lookup4(tb->aips, in6), carol_b->id);
	CU_ASSERT_PTR_EQUAL(peer_of(ta, BOB_KEY), bob_a);
	CU_ASSERT_PTR_EQUAL(peer_of(ta, DAVE_KEY), dave_a);
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51821), tb);
	CU_ASSERT_EQUAL(adm->running->ifaces[1].listen_port, 51821);

	/* B back as the next test has it: Bob and Dave. */
	a = request(set_peers_b(
		"[" PEER(BOB_KEY, "10.0.1.0/24") "," PEER(DAVE_KEY, "10.0.5.0/24") "]"));
	CU_ASSERT_TRUE(json_is_true(json_object_get(a, "ok")));
	json_decref(a);
}

/* A as the tests before left it: Bob and Dave. */
#define IFACE_A_NOW                                                                      \
	IFACE_A_HEAD "\"peers\":[{\"public_key\":\"" BOB_KEY                             \
		     "\",\"allowed_ips\":[\"10.0.1.0/24\"]},{\"public_key\":\"" DAVE_KEY \
		     "\",\"allowed_ips\":[\"10.0.3.0/24\"]}]}"
#define IFACE_C                                                                    \
	"{\"name\":\"wg-c\",\"private_key\":\"" B_PRIV "\",\"listen_port\":51821," \
	"\"inside\":{\"port\":1,\"vlan\":300,\"address\":[\"10.0.0.1/24\"]},"      \
	"\"peers\":[{\"public_key\":\"" CAROL_KEY "\",\"allowed_ips\":[\"10.0.2.0/24\"]}]}"

static void apply_text(const char *text, struct dp_apply_result *res)
{
	struct wgdp_config_error err;
	struct wgdp_config *next = wgdp_config_parse(text, strlen(text), &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_EQUAL_FATAL(dp_admin_apply(adm, next, res, &err), 0);
}

static json_t *stats_interface(const char *name)
{
	json_t *a = request(json_pack("{s:s}", "cmd", "stats"));
	json_t *i = json_incref(json_object_get(json_object_get(a, "interfaces"), name));

	json_decref(a);
	return i;
}

/*
 * Last, as it takes B away. Removing B leaves A as it was (its peers, tables and key the
 * same objects) and takes B's demux entries, peers and neighbours; an interface added takes
 * a tenant id B never had (ids come back only after a grace period), B's old listen port,
 * and comes up whole: its peers, allowed-ips, VLAN and listen port.
 */
static void test_reload_interfaces(void)
{
	static const char a_only[] = "{\"interfaces\":[" IFACE_A_NOW "]," PORTS "}";
	static const char a_and_c[] = "{\"interfaces\":[" IFACE_A_NOW "," IFACE_C "]," PORTS "}";
	struct rte_ether_addr mac = { { 2, 0, 0, 0, 0, 0xb } };
	struct wgdp_addr host = v4(10, 0, 0, 2);
	struct dp_peer *bob_a = peer_of(ta, BOB_KEY), *dave_a = peer_of(ta, DAVE_KEY);
	struct dp_peer *bob_b = peer_of(tb, BOB_KEY), *carol_c;
	const struct dp_aips *aips_a = ta->aips;
	uint8_t in2[4] = { 10, 0, 2, 5 }, in3[4] = { 10, 0, 3, 5 };
	uint16_t pid = dp->ports[1].port_id, tid_b = tb->tid;
	uint32_t bob_b_id;
	const struct dp_port *inside = &dp->ports[1];
	uint32_t live = dp->n_live_peers;
	struct dp_apply_result res;
	struct dp_tenant *tc;
	json_t *i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bob_b);
	bob_b_id = bob_b->id; /* bob_b itself is freed after the grace period */
	CU_ASSERT_TRUE_FATAL(dp_neigh_set(dp->neigh, &ta->inside_ifc, &host, &mac));
	CU_ASSERT_TRUE_FATAL(dp_neigh_set(dp->neigh, &tb->inside_ifc, &host, &mac));
	apply_text(a_only, &res);
	CU_ASSERT_EQUAL(res.ifaces_removed, 1);
	CU_ASSERT_EQUAL(res.ifaces_added, 0);
	CU_ASSERT_EQUAL(res.removed, 2); /* B's Bob and Dave */
	CU_ASSERT_EQUAL(res.added + res.changed, 0);
	/* B is gone from every table that led to it. */
	CU_ASSERT_PTR_NULL(dp->tenants[tid_b]);
	CU_ASSERT_PTR_NULL(dp_tenant_of_port(dp, 51821));
	CU_ASSERT_PTR_NULL(dp_port_tenant(dp, inside, 200));
	CU_ASSERT_PTR_NULL(dp->peers[bob_b_id]);
	CU_ASSERT_EQUAL(dp->n_live_peers, live - 2);
	CU_ASSERT_EQUAL(dp_neigh_state(dp->neigh, dp_link(pid, 200), &host), -1);
	CU_ASSERT_NOT_EQUAL(dp_neigh_state(dp->neigh, dp_link(pid, 100), &host), -1);
	/* A is untouched: the same peers, table and listen port. */
	CU_ASSERT_PTR_EQUAL(peer_of(ta, BOB_KEY), bob_a);
	CU_ASSERT_PTR_EQUAL(peer_of(ta, DAVE_KEY), dave_a);
	CU_ASSERT_PTR_EQUAL(ta->aips, aips_a);
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51820), ta);
	CU_ASSERT_PTR_EQUAL(dp_port_tenant(dp, inside, 100), ta);
	CU_ASSERT_FALSE(ta->named_in_logs);		/* the only interface now */
	i = request(json_pack("{s:s}", "cmd", "show")); /* no name needed with one */
	CU_ASSERT_TRUE(json_is_true(json_object_get(i, "ok")));
	json_decref(i);
	i = request(json_pack("{s:s,s:s}", "cmd", "show", "interface", "wg-b"));
	CU_ASSERT_TRUE(json_is_false(json_object_get(i, "ok")));
	json_decref(i);

	/* C comes in on B's old port, on VLAN 300. */
	apply_text(a_and_c, &res);
	CU_ASSERT_EQUAL(res.ifaces_added, 1);
	CU_ASSERT_EQUAL(res.ifaces_removed, 0);
	CU_ASSERT_EQUAL(res.added, 1);
	tc = dp_tenant_of_port(dp, 51821);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tc);
	CU_ASSERT_STRING_EQUAL(tc->name, "wg-c");
	CU_ASSERT_NOT_EQUAL(tc->tid, tid_b);
	CU_ASSERT_NOT_EQUAL(tc->tid, ta->tid);
	CU_ASSERT_PTR_EQUAL(dp->tenants[tc->tid], tc);
	CU_ASSERT_PTR_EQUAL(dp_port_tenant(dp, inside, 300), tc);
	CU_ASSERT_PTR_NULL(dp_port_tenant(dp, inside, 200));
	CU_ASSERT_TRUE(tc->named_in_logs);
	CU_ASSERT_TRUE(ta->named_in_logs);
	CU_ASSERT_EQUAL(tc->inside_port, 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&tc->inside_ifc.mac, &inside->iface.mac));
	carol_c = peer_of(tc, CAROL_KEY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(carol_c);
	CU_ASSERT_PTR_EQUAL(carol_c->tenant, tc);
	CU_ASSERT_PTR_NULL(peer_of(ta, CAROL_KEY));
	CU_ASSERT_EQUAL(dp_aips_lookup4(tc->aips, in2), carol_c->id);
	CU_ASSERT_EQUAL(dp_aips_lookup4(tc->aips, in3), DP_PEER_NONE);
	CU_ASSERT_EQUAL(dp_aips_lookup4(ta->aips, in2), DP_PEER_NONE);
	CU_ASSERT_PTR_EQUAL(peer_of(ta, BOB_KEY), bob_a);
	i = stats_interface("wg-c");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(i, "vlan")), 300);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(i, "peers")), 1);
	json_decref(i);
	i = stats_interface("wg-b");
	CU_ASSERT_PTR_NULL(i);
	json_decref(i);

	/* Both ways in one reload: C out, B back (a new tenant again, with its peers). */
	apply_text(config_text, &res);
	CU_ASSERT_EQUAL(res.ifaces_added, 1);
	CU_ASSERT_EQUAL(res.ifaces_removed, 1);
	CU_ASSERT_PTR_NULL(dp_port_tenant(dp, inside, 300));
	tb = dp_port_tenant(dp, inside, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51821), tb);
	CU_ASSERT_STRING_EQUAL(tb->name, "wg-b");
	CU_ASSERT_EQUAL(tb->n_live_peers, 2);
	CU_ASSERT_PTR_NULL(peer_of(ta, DAVE_KEY)); /* config_text's A has Bob alone */
	CU_ASSERT_PTR_EQUAL(peer_of(ta, BOB_KEY), bob_a);
}

/*
 * A live interface's listen port, MTU, MSS clamp and routes change in place: A and B swap
 * ports in one reload, A's MTU drops and its routes gain 10.8.0.0/16; A's peers stay.
 */
static void test_reload_settings(void)
{
	static const char swapped[] =
		"{\"interfaces\":[{\"name\":\"wg-a\",\"private_key\":\"" ALICE_KEY
		"\",\"listen_port\":51821,\"mtu\":1380,\"mss_clamp\":\"auto\","
		"\"inside\":{\"port\":1,\"vlan\":100,\"address\":[\"10.0.0.1/24\"]},"
		"\"routes\":[{\"prefix\":\"10.9.0.0/16\",\"via\":\"10.0.0.254\"},"
		"{\"prefix\":\"10.8.0.0/16\",\"via\":\"10.0.0.253\"}],"
		"\"peers\":[{\"public_key\":\"" BOB_KEY "\",\"allowed_ips\":[\"10.0.1.0/24\"]}]},"
		"{\"name\":\"wg-b\",\"private_key\":\"" B_PRIV "\",\"listen_port\":51820,"
		"\"inside\":{\"port\":1,\"vlan\":200,\"address\":[\"10.0.0.1/24\"]}," IFACE_B_PEERS
		"}]," PORTS "}";
	struct dp_peer *bob_a = peer_of(ta, BOB_KEY), *bob_b = peer_of(tb, BOB_KEY);
	struct wgdp_addr far8 = v4(10, 8, 1, 1), far9 = v4(10, 9, 1, 1);
	struct dp_apply_result res;
	struct dp_route r;

	CU_ASSERT_FALSE(dp_route_inside(dp, ta, &far8, &r));
	apply_text(swapped, &res);
	CU_ASSERT_EQUAL(res.ifaces_added + res.ifaces_removed + res.added + res.removed, 0);
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51821), ta);
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51820), tb);
	CU_ASSERT_EQUAL(ta->listen_port, 51821);
	CU_ASSERT_EQUAL(tb->listen_port, 51820);
	CU_ASSERT_EQUAL(ta->mtu, 1380);
	CU_ASSERT_EQUAL(dp_tenant_mss(ta, 4), 1340);
	CU_ASSERT_EQUAL(dp_tenant_mss(ta, 6), 1320);
	CU_ASSERT_TRUE(dp_route_inside(dp, ta, &far8, &r));
	CU_ASSERT_EQUAL(r.nh.bytes[3], 253);
	CU_ASSERT_TRUE(dp_route_inside(dp, ta, &far9, &r));
	CU_ASSERT_EQUAL(r.nh.bytes[3], 254);
	CU_ASSERT_FALSE(dp_route_inside(dp, tb, &far8, &r));
	CU_ASSERT_PTR_EQUAL(peer_of(ta, BOB_KEY), bob_a);
	CU_ASSERT_PTR_EQUAL(peer_of(tb, BOB_KEY), bob_b);
	/* And back: A's routes without 10.8.0.0/16 again. */
	apply_text(config_text, &res);
	CU_ASSERT_PTR_EQUAL(dp_tenant_of_port(dp, 51820), ta);
	CU_ASSERT_EQUAL(ta->mtu, 1420);
	CU_ASSERT_EQUAL(dp_tenant_mss(ta, 4), 0);
	CU_ASSERT_FALSE(dp_route_inside(dp, ta, &far8, &r));
}

int main(int argc, char **argv)
{
	static const CU_TestInfo tests[] = {
		{ "listen ports, keys and cookie secrets", test_listen_ports },
		{ "one key, a peer in each tenant; allowed-ips per tenant", test_peers_per_tenant },
		{ "VLANs of one inside port", test_vlans },
		{ "routes and error sources per tenant", test_routes },
		{ "neighbours per VLAN", test_neighbours },
		{ "reload: peers and keys of every interface; the rest refused", test_reload },
		{ "a UAPI socket and show an interface", test_uapi_per_interface },
		{ "peer-add, peer-remove and stats by interface", test_requests_per_interface },
		{ "the apply checks every interface's peers", test_apply_checks_every_interface },
		{ "set-peers by interface", test_set_peers_per_interface },
		{ "reload adds and removes whole interfaces", test_reload_interfaces },
		{ "reload changes a live interface's port, MTU, MSS and routes",
		  test_reload_settings },
		CU_TEST_INFO_NULL,
	};
	struct wgdp_config_error err;
	struct wgdp_config *cfg;
	unsigned int lcore;
	char msg[256];
	int rc;

	(void)argc;
	if (wgc_init() != 0 ||
	    unit_eal_init(argv[0], "tenant", "512",
			  (const char *const[]){ "--vdev", "net_null0", "--vdev", "net_null1",
						 "--log-level=*:notice", NULL }) < 0)
		return 2;
	cfg = wgdp_config_parse(config_text, sizeof(config_text) - 1, &err);
	if (cfg && !wgdp_config_check_interfaces(cfg, &err))
		cfg = NULL;
	lcore = rte_get_main_lcore();
	dp = cfg ? dp_create(cfg, 1, &lcore, msg, sizeof(msg)) : NULL;
	if (!dp || dp_ports_init(dp, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "test_tenant: setup: %s: %s\n", cfg ? "" : err.path,
			cfg ? msg : err.message);
		return 2;
	}
	ta = dp->tenants[0];
	tb = dp->tenants[1];
	adm = dp_admin_create(dp, cfg, NULL);
	if (!adm)
		return 2;
	rc = unit_run("tenant", tests);
	dp_admin_free(adm);
	dp_ports_stop(dp);
	dp_free(dp);
	wgdp_config_free(cfg);
	rte_eal_cleanup();
	return rc;
}
