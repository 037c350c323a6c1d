/* SPDX-License-Identifier: MIT */
/*
 * lib/dp/rtable.h: a tenant's inside routing table. Expected next hops are read off the
 * prefixes in each test, or come from this file's brute-force longest prefix match, which
 * tries every prefix in turn. The lookup timings are printed, never asserted.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>

#include "rtable.h"
#include "unit.h"
#include "unit_eal.h"

#define N_RANDOM  10000 /* prefixes of the large tables */
#define N_QUERIES 20000
#define LOOKUPS	  2000000 /* a timing loop */

/* ---- Building inputs from text ---- */

static struct wgdp_addr addr(const char *text)
{
	struct wgdp_addr a = { 0 };

	if (inet_pton(AF_INET, text, a.bytes) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, text, a.bytes) == 1)
		a.family = 6;
	else
		abort(); /* a typo in the test */
	return a;
}

/* "10.0.0.1/24": the address as written (host bits kept) and its length. */
static struct wgdp_port_addr port_addr(const char *text)
{
	struct wgdp_port_addr pa;
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (!slash)
		abort();
	*slash = '\0';
	pa.addr = addr(buf);
	pa.len = (uint8_t)atoi(slash + 1);
	return pa;
}

/* A route to prefix, via a gateway or on-link (via NULL). */
static struct wgdp_route_config route(const char *prefix, const char *via)
{
	struct wgdp_port_addr pa = port_addr(prefix);
	struct wgdp_route_config r = { .prefix = { .addr = pa.addr, .len = pa.len } };

	if (via) {
		r.has_via = true;
		r.via = addr(via);
	}
	return r;
}

static struct wgdp_inside_config inside_of(const char *const *addrs)
{
	struct wgdp_inside_config in = { .port_id = 1 };

	for (; *addrs; addrs++)
		in.addrs[in.n_addrs++] = port_addr(*addrs);
	return in;
}

#define INSIDE(...) inside_of((const char *const[]){ __VA_ARGS__, NULL })
#define N(a)	    (unsigned int)(sizeof(a) / sizeof((a)[0]))

static struct dp_rtable *build(const struct wgdp_inside_config *in,
			       const struct wgdp_route_config *routes, unsigned int n)
{
	char err[128] = "";
	struct dp_rtable *t = dp_rtable_build(in, routes, n, err, sizeof(err));

	if (!t)
		fprintf(stderr, "\nbuild: %s\n", err);
	return t;
}

/* ---- Checking answers ---- */

static bool addr_eq(const struct wgdp_addr *a, const struct wgdp_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

static const char *text(const struct wgdp_addr *a, char *buf)
{
	return inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, buf, INET6_ADDRSTRLEN);
}

static bool expect_nh(const struct dp_rtable *t, const struct wgdp_addr *dst, bool want_found,
		      const struct wgdp_addr *want, int line)
{
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN], b3[INET6_ADDRSTRLEN];
	struct wgdp_addr nh = { 0 };
	bool found = dp_rtable_lookup(t, dst, &nh);

	if (found == want_found && (!found || addr_eq(&nh, want)))
		return true;
	fprintf(stderr, "\nline %d: %s -> %s, want %s\n", line, text(dst, b1),
		found ? text(&nh, b2) : "no route", want_found ? text(want, b3) : "no route");
	return false;
}

static bool expect_at(const struct dp_rtable *t, const char *dst, const char *want, int line)
{
	struct wgdp_addr d = addr(dst), w = { 0 };

	if (want)
		w = addr(want);
	return expect_nh(t, &d, want != NULL, &w, line);
}

/* dst's next hop is want: dst itself when on-link, NULL when there is no route. */
#define EXPECT(t, dst, want) CU_ASSERT_TRUE(expect_at((t), (dst), (want), __LINE__))

/* ---- The rules, one at a time ---- */

static void test_onlink(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24", "fd00::1/64");
	struct dp_rtable *t = build(&in, NULL, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT(t, "10.0.0.77", "10.0.0.77");
	EXPECT(t, "10.0.0.1", "10.0.0.1");
	EXPECT(t, "10.0.0.0", "10.0.0.0");
	EXPECT(t, "10.0.0.255", "10.0.0.255");
	EXPECT(t, "10.0.1.0", NULL);
	EXPECT(t, "9.255.255.255", NULL);
	EXPECT(t, "fd00::abcd", "fd00::abcd");
	EXPECT(t, "fd00::ffff:ffff:ffff:ffff", "fd00::ffff:ffff:ffff:ffff");
	EXPECT(t, "fd00:0:0:1::", NULL);
	EXPECT(t, "fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL);
	dp_rtable_free(t);
}

static void test_via(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24");
	struct wgdp_route_config r[] = {
		route("10.9.0.0/16", "10.0.0.254"),
		route("10.8.0.0/24", NULL),
	};
	struct dp_rtable *t = build(&in, r, N(r));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT(t, "10.9.3.4", "10.0.0.254");
	EXPECT(t, "10.9.0.0", "10.0.0.254");
	EXPECT(t, "10.9.255.255", "10.0.0.254");
	EXPECT(t, "10.10.0.0", NULL);
	EXPECT(t, "10.8.255.255", NULL);
	EXPECT(t, "10.8.0.9", "10.8.0.9"); /* an on-link route */
	EXPECT(t, "10.8.1.0", NULL);
	EXPECT(t, "10.0.0.9", "10.0.0.9");
	dp_rtable_free(t);
}

/* The answers of a /8, a /16 and a /24 nested, in either order of the routes. */
static void test_longest(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24");
	struct wgdp_route_config fwd[] = {
		route("10.0.0.0/8", "10.0.0.250"),
		route("10.9.0.0/16", "10.0.0.251"),
		route("10.9.8.0/24", "10.0.0.252"),
	};
	struct wgdp_route_config rev[] = { fwd[2], fwd[1], fwd[0] };

	for (int order = 0; order < 2; order++) {
		struct dp_rtable *t = build(&in, order ? rev : fwd, N(fwd));

		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		EXPECT(t, "10.9.8.7", "10.0.0.252");
		EXPECT(t, "10.9.7.255", "10.0.0.251");
		EXPECT(t, "10.9.9.0", "10.0.0.251");
		EXPECT(t, "10.9.0.0", "10.0.0.251");
		EXPECT(t, "10.0.0.9", "10.0.0.9"); /* on-link /24 beats the /8 */
		EXPECT(t, "10.0.1.0", "10.0.0.250");
		EXPECT(t, "10.200.0.1", "10.0.0.250");
		EXPECT(t, "10.255.255.255", "10.0.0.250");
		EXPECT(t, "11.0.0.0", NULL);
		EXPECT(t, "9.255.255.255", NULL);
		dp_rtable_free(t);
	}
}

static void test_v6(void)
{
	struct wgdp_inside_config in = INSIDE("fd00:0:0:1::1/64");
	struct wgdp_route_config r[] = {
		route("fd00::/48", "fd00:0:0:1::fe"),
		route("2001:db8::/32", "fd00:0:0:1::fd"),
		route("2001:db8:5::/48", "fd00:0:0:1::fc"),
	};
	struct dp_rtable *t = build(&in, r, N(r));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT(t, "fd00:0:0:1::99", "fd00:0:0:1::99"); /* the /64 beats the /48 holding it */
	EXPECT(t, "fd00:0:0:2::1", "fd00:0:0:1::fe");
	EXPECT(t, "fd00::", "fd00:0:0:1::fe");
	EXPECT(t, "fd00:0:0:ffff:ffff:ffff:ffff:ffff", "fd00:0:0:1::fe");
	EXPECT(t, "fd00:0:1::", NULL);
	EXPECT(t, "fd00:1::", NULL);
	EXPECT(t, "2001:db8:5:1::1", "fd00:0:0:1::fc");
	EXPECT(t, "2001:db8:6::1", "fd00:0:0:1::fd");
	EXPECT(t, "2001:db8:4:ffff:ffff:ffff:ffff:ffff", "fd00:0:0:1::fd");
	EXPECT(t, "2001:db9::", NULL);
	EXPECT(t, "10.0.0.1", NULL); /* no IPv4 at all */
	dp_rtable_free(t);
}

static void test_miss(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24");
	struct dp_rtable *empty = build(NULL, NULL, 0), *t = build(&in, NULL, 0);
	struct wgdp_addr odd = addr("10.0.0.1"), nh;

	CU_ASSERT_PTR_NOT_NULL_FATAL(empty);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT(empty, "10.0.0.1", NULL);
	EXPECT(empty, "0.0.0.0", NULL);
	EXPECT(empty, "::1", NULL);
	EXPECT(t, "192.168.0.1", NULL);
	EXPECT(t, "fd00::1", NULL);
	odd.family = 0; /* neither family: no route, not a crash */
	CU_ASSERT_FALSE(dp_rtable_lookup(t, &odd, &nh));
	dp_rtable_free(empty);
	dp_rtable_free(t);
	dp_rtable_free(NULL);
}

static void test_default(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24", "fd00::1/64");
	struct wgdp_route_config r[] = {
		route("0.0.0.0/0", "10.0.0.254"),
		route("::/0", "fd00::fe"),
	};
	struct dp_rtable *t = build(&in, r, N(r));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT(t, "0.0.0.0", "10.0.0.254");
	EXPECT(t, "8.8.8.8", "10.0.0.254");
	EXPECT(t, "255.255.255.255", "10.0.0.254");
	EXPECT(t, "10.0.0.5", "10.0.0.5");
	EXPECT(t, "10.0.1.5", "10.0.0.254");
	EXPECT(t, "::", "fd00::fe");
	EXPECT(t, "2001:db8::1", "fd00::fe");
	EXPECT(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fd00::fe");
	EXPECT(t, "fd00::5", "fd00::5");
	dp_rtable_free(t);
}

/* Three tenants with the same addresses: each table answers for its own routes only. */
static void test_isolation(void)
{
	struct wgdp_inside_config in_ab = INSIDE("10.0.0.1/24"), in_c = INSIDE("10.1.0.1/24");
	struct wgdp_route_config ra[] = { route("10.9.0.0/16", "10.0.0.254") };
	struct wgdp_route_config rb[] = { route("10.9.0.0/16", "10.0.0.253") };
	struct dp_rtable *a = build(&in_ab, ra, 1), *b = build(&in_ab, rb, 1);
	struct dp_rtable *c = build(&in_c, NULL, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT(a, "10.9.1.1", "10.0.0.254");
	EXPECT(b, "10.9.1.1", "10.0.0.253");
	EXPECT(c, "10.9.1.1", NULL);
	EXPECT(a, "10.0.0.7", "10.0.0.7");
	EXPECT(b, "10.0.0.7", "10.0.0.7");
	EXPECT(c, "10.0.0.7", NULL);
	EXPECT(a, "10.1.0.7", NULL);
	EXPECT(c, "10.1.0.7", "10.1.0.7");
	dp_rtable_free(a);
	dp_rtable_free(b);
	dp_rtable_free(c);
}

static void test_host_routes(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24", "fd00::1/64");
	struct wgdp_route_config r[] = {
		route("10.0.0.77/32", "10.0.0.254"), /* one host of the on-link net elsewhere */
		route("192.0.2.1/32", "10.0.0.253"),
		route("255.255.255.255/32", "10.0.0.252"),
		route("0.0.0.0/32", "10.0.0.251"),
		route("fd00::77/128", "fd00::fe"),
		route("2001:db8::1/128", "fd00::fd"),
		route("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "fd00::fc"),
		route("::/128", "fd00::fb"),
	};
	struct dp_rtable *t = build(&in, r, N(r));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT(t, "10.0.0.77", "10.0.0.254");
	EXPECT(t, "10.0.0.76", "10.0.0.76");
	EXPECT(t, "10.0.0.78", "10.0.0.78");
	EXPECT(t, "192.0.2.1", "10.0.0.253");
	EXPECT(t, "192.0.2.0", NULL);
	EXPECT(t, "192.0.2.2", NULL);
	EXPECT(t, "255.255.255.255", "10.0.0.252");
	EXPECT(t, "255.255.255.254", NULL);
	EXPECT(t, "0.0.0.0", "10.0.0.251");
	EXPECT(t, "0.0.0.1", NULL);
	EXPECT(t, "fd00::77", "fd00::fe");
	EXPECT(t, "fd00::76", "fd00::76");
	EXPECT(t, "fd00::78", "fd00::78");
	EXPECT(t, "2001:db8::1", "fd00::fd");
	EXPECT(t, "2001:db8::", NULL);
	EXPECT(t, "2001:db8::2", NULL);
	EXPECT(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fd00::fc");
	EXPECT(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", NULL);
	EXPECT(t, "::", "fd00::fb");
	EXPECT(t, "::1", NULL);
	dp_rtable_free(t);
}

/* A prefix twice (lib/config refuses repeated routes, not a route equal to an inside net). */
static void test_repeats(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24", "10.0.0.2/24");
	struct wgdp_route_config r[] = {
		route("10.9.0.0/16", "10.0.0.251"),
		route("10.0.0.0/24", "10.0.0.254"),
		route("10.9.0.0/16", "10.0.0.252"),
	};
	struct dp_rtable *t = build(&in, r, N(r));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	EXPECT(t, "10.0.0.9", "10.0.0.9");   /* our own net stays on-link */
	EXPECT(t, "10.9.0.9", "10.0.0.251"); /* the first route listed */
	dp_rtable_free(t);
}

static void expect_error(const struct wgdp_inside_config *in, const struct wgdp_route_config *r,
			 unsigned int n, const char *want)
{
	char err[128] = "";

	CU_ASSERT_PTR_NULL(dp_rtable_build(in, r, n, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, want);
}

static void test_errors(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24");
	struct wgdp_route_config r[] = {
		route("10.9.0.0/16", "10.0.0.254"),
		route("fd09::/16", "10.0.0.254"),
	};

	expect_error(&in, r, 2, "routes[1].via: not of the prefix's family");
	r[1] = route("10.8.0.0/16", NULL);
	r[1].prefix.addr.family = 0;
	expect_error(&in, r, 2, "routes[1].prefix: not an address");
	r[1] = route("10.8.0.0/16", NULL);
	r[1].prefix.len = 33;
	expect_error(&in, r, 2, "routes[1].prefix: prefix length 33 too long");
	in.addrs[0].len = 200;
	expect_error(&in, NULL, 0, "inside.address[0]: prefix length 200 too long");
	in.addrs[0].len = 24;
	in.n_addrs = WGDP_PORT_ADDR_MAX + 1;
	expect_error(&in, NULL, 0, "inside.address: too many");
}

/* ---- Against a brute-force longest prefix match ---- */

static unsigned int width(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

/* Whether x lies in the prefix (net, len): whole bytes, then the bits left. */
static bool ref_holds(const struct wgdp_addr *net, unsigned int len, const struct wgdp_addr *x)
{
	unsigned int whole = len / 8, bits = len % 8;

	if (net->family != x->family || memcmp(net->bytes, x->bytes, whole) != 0)
		return false;
	return !bits || ((net->bytes[whole] ^ x->bytes[whole]) >> (8 - bits)) == 0;
}

/* The longest holder's next hop; on a tie the inside address, then the first route. */
static bool ref_lookup(const struct wgdp_inside_config *in, const struct wgdp_route_config *r,
		       unsigned int n, const struct wgdp_addr *x, struct wgdp_addr *nh)
{
	int best = -1;

	for (unsigned int i = 0; in && i < in->n_addrs; i++) {
		if ((int)in->addrs[i].len > best &&
		    ref_holds(&in->addrs[i].addr, in->addrs[i].len, x)) {
			best = in->addrs[i].len;
			*nh = *x;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		if ((int)r[i].prefix.len > best &&
		    ref_holds(&r[i].prefix.addr, r[i].prefix.len, x)) {
			best = r[i].prefix.len;
			*nh = r[i].has_via ? r[i].via : *x;
		}
	}
	return best >= 0;
}

static void random_bytes(uint8_t *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(rand() >> 7);
}

/* Sets (ones) or clears the bits of a below len. */
static void fill_host_bits(struct wgdp_addr *a, unsigned int len, bool ones)
{
	for (unsigned int i = len; i < 8 * width(a->family); i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		a->bytes[i / 8] = ones ? a->bytes[i / 8] | bit : a->bytes[i / 8] & (uint8_t)~bit;
	}
}

static struct wgdp_addr random_addr(uint8_t family)
{
	struct wgdp_addr a = { .family = family };

	random_bytes(a.bytes, width(family));
	/* Most in one corner (10/8, fd00::/16), so that prefixes nest and overlap. */
	if (rand() % 4) {
		a.bytes[0] = family == 4 ? 10 : 0xfd;
		a.bytes[1] = family == 4 ? a.bytes[1] % 4 : 0;
	}
	return a;
}

/*
 * A random route of family: half of them inside an earlier one (nesting deeper), a few an
 * exact repeat of one, the rest anywhere; half on-link, half via a random gateway.
 */
static struct wgdp_route_config random_route(uint8_t family, const struct wgdp_route_config *r,
					     unsigned int n)
{
	unsigned int max = 8 * width(family), pick = (unsigned int)rand() % 20;
	struct wgdp_route_config q = { 0 };

	if (n && pick == 0) {
		q = r[rand() % n];
	} else if (n && pick < 10 &&
		   r[pick = (unsigned int)rand() % n].prefix.addr.family == family &&
		   r[pick].prefix.len < max) {
		q.prefix.addr = random_addr(family);
		memcpy(q.prefix.addr.bytes, r[pick].prefix.addr.bytes, width(family));
		random_bytes(q.prefix.addr.bytes + r[pick].prefix.len / 8 + 1,
			     width(family) - r[pick].prefix.len / 8 - 1);
		q.prefix.len =
			(uint8_t)(r[pick].prefix.len + 1 + rand() % (max - r[pick].prefix.len));
		/* The bits of the parent's last partial byte below its length, randomly. */
		q.prefix.addr.bytes[r[pick].prefix.len / 8] ^=
			(uint8_t)rand() & (0xff >> r[pick].prefix.len % 8);
	} else {
		q.prefix.addr = random_addr(family);
		q.prefix.len = (uint8_t)(rand() % 16 ? 8 + (unsigned int)rand() % (max - 7)
						     : (unsigned int)rand() % 8);
	}
	fill_host_bits(&q.prefix.addr, q.prefix.len, false);
	q.has_via = rand() % 2;
	q.via = q.has_via ? random_addr(q.prefix.addr.family) : (struct wgdp_addr){ 0 };
	return q;
}

static void step(struct wgdp_addr *a, int delta)
{
	for (int i = (int)width(a->family) - 1; i >= 0; i--) {
		a->bytes[i] = (uint8_t)(a->bytes[i] + delta);
		if (a->bytes[i] != (delta > 0 ? 0x00 : 0xff))
			return;
	}
}

/* An address at or next to an edge of a random prefix of in / r, or anywhere. */
static struct wgdp_addr random_query(uint8_t family, const struct wgdp_inside_config *in,
				     const struct wgdp_route_config *r, unsigned int n)
{
	unsigned int n_in = in ? in->n_addrs : 0, pick, len;
	struct wgdp_addr a;

	if (n + n_in == 0 || rand() % 5 == 0)
		return random_addr(family);
	pick = (unsigned int)rand() % (n + n_in);
	a = pick < n ? r[pick].prefix.addr : in->addrs[pick - n].addr;
	len = pick < n ? r[pick].prefix.len : in->addrs[pick - n].len;
	switch (rand() % 5) {
	case 0:
		fill_host_bits(&a, len, false);
		break;
	case 1:
		fill_host_bits(&a, len, true);
		break;
	case 2:
		fill_host_bits(&a, len, false);
		step(&a, -1);
		break;
	case 3:
		fill_host_bits(&a, len, true);
		step(&a, 1);
		break;
	default:
		for (unsigned int i = len; i < 8 * width(a.family); i++)
			if (rand() % 2)
				a.bytes[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
	}
	return a;
}

/* n_queries random queries of family: the table answers as the brute force does. */
static unsigned int check_against_ref(const struct dp_rtable *t, uint8_t family,
				      const struct wgdp_inside_config *in,
				      const struct wgdp_route_config *r, unsigned int n,
				      unsigned int n_queries)
{
	unsigned int wrong = 0;

	for (unsigned int i = 0; i < n_queries; i++) {
		struct wgdp_addr x = random_query(family, in, r, n), want = { 0 };
		bool found = ref_lookup(in, r, n, &x, &want);

		if (!expect_nh(t, &x, found, &want, __LINE__) && ++wrong > 10)
			break;
	}
	return wrong;
}

/* Small tables of both families, the size a tenant typically has. */
static void test_random_small(void)
{
	static const char *const inside_pool[] = { "10.0.0.1/24", "10.1.2.3/16",   "10.0.0.130/25",
						   "fd00::1/64",  "fd00::1:1/112", "fd00:1::9/48" };
	struct wgdp_route_config r[20];

	srand(15);
	for (int k = 0; k < 2000; k++) {
		struct wgdp_inside_config in = { 0 };
		unsigned int n = (unsigned int)rand() % 18;
		struct dp_rtable *t;

		for (unsigned int i = (unsigned int)rand() % 4; i; i--)
			in.addrs[in.n_addrs++] = port_addr(inside_pool[rand() % N(inside_pool)]);
		for (unsigned int i = 0; i < n; i++)
			r[i] = random_route(rand() % 2 ? 4 : 6, r, i);
		t = build(&in, r, n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_EQUAL_FATAL(check_against_ref(t, 4, &in, r, n, 100), 0);
		CU_ASSERT_EQUAL_FATAL(check_against_ref(t, 6, &in, r, n, 100), 0);
		dp_rtable_free(t);
	}
}

/* Lookups of the queries q[0..4096) in a loop, in ns each. */
/* The map form (a small tenant's allowed-ips): random nesting prefixes of both families, each
 * answering its index, against the longest holder found by brute force (a repeat: the first). */
static void test_map_random(void)
{
	enum { N = 600, QUERIES = 4000 };
	static struct wgdp_route_config r[N];
	static struct wgdp_prefix pf[N];
	static uint32_t val[N];
	struct dp_rtable *t;
	unsigned int wrong = 0;

	for (unsigned int i = 0; i < N; i++) {
		r[i] = random_route(i % 3 ? 4 : 6, r, i);
		pf[i] = r[i].prefix;
		val[i] = 1000 + i;
	}
	t = dp_rtable_build_map(pf, val, N);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (unsigned int q = 0; q < QUERIES && wrong < 10; q++) {
		/* Near a random prefix (of either family), or anywhere in this family. */
		struct wgdp_addr x = random_query(q % 2 ? 4 : 6, NULL, r, N);
		uint32_t want = DP_RTABLE_NONE;
		int best = -1;

		for (unsigned int i = 0; i < N; i++) {
			if ((int)r[i].prefix.len > best &&
			    ref_holds(&r[i].prefix.addr, r[i].prefix.len, &x)) {
				best = r[i].prefix.len;
				want = val[i];
			}
		}
		wrong += dp_rtable_value(t, x.family, x.bytes) != want;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	/* Values near the top are refused rather than confused with a miss. */
	val[0] = UINT32_MAX - 1;
	CU_ASSERT_PTR_NULL(dp_rtable_build_map(pf, val, 1));
	dp_rtable_free(t);
}

static double lookup_ns(const struct dp_rtable *t, const struct wgdp_addr *q)
{
	volatile unsigned int sink;
	unsigned int found = 0;
	struct wgdp_addr nh;
	uint64_t start = rte_rdtsc();

	for (unsigned int i = 0; i < LOOKUPS; i++)
		found += dp_rtable_lookup(t, &q[i & 4095], &nh);
	sink = found;
	(void)sink;
	return (double)(rte_rdtsc() - start) * 1e9 / (double)rte_get_tsc_hz() / LOOKUPS;
}

static void print_timing(const char *what, const struct dp_rtable *t, uint8_t family,
			 const struct wgdp_inside_config *in, const struct wgdp_route_config *r,
			 unsigned int n)
{
	static struct wgdp_addr q[4096];

	for (unsigned int i = 0; i < 4096; i++)
		q[i] = random_query(family, in, r, n);
	printf("\n    %s: %zu bytes, lookup v%u %.1f ns ", what, dp_rtable_memory(t), family,
	       lookup_ns(t, q));
}

/* The large tables: 10,000 random prefixes of one family, and the queries' answers. */
static void test_random_large(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24", "fd00::1/64");
	struct wgdp_route_config *r = calloc(N_RANDOM, sizeof(*r));

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	srand(10000);
	for (uint8_t family = 4; family <= 6; family += 2) {
		struct dp_rtable *t;

		for (unsigned int i = 0; i < N_RANDOM; i++)
			r[i] = random_route(family, r, i);
		t = build(&in, r, N_RANDOM);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_EQUAL(check_against_ref(t, family, &in, r, N_RANDOM, N_QUERIES), 0);
		print_timing("10,000 prefixes", t, family, &in, r, N_RANDOM);
		dp_rtable_free(t);
	}
	free(r);
}

/* ---- Cost ---- */

static void test_memory(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24", "fd00::1/64");
	struct wgdp_route_config r[98];
	struct dp_rtable **t = calloc(1000, sizeof(*t));
	size_t total = 0, most = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int i = 0; i < 1000; i++) {
		t[i] = build(&in, NULL, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t[i]);
		total += dp_rtable_memory(t[i]);
		most = RTE_MAX(most, dp_rtable_memory(t[i]));
	}
	CU_ASSERT(most < 4096);
	CU_ASSERT(total < 4u << 20);
	EXPECT(t[999], "10.0.0.5", "10.0.0.5");
	printf("\n    2 prefixes: %zu bytes; 1,000 tables: %zu bytes ", most, total);
	for (int i = 0; i < 1000; i++)
		dp_rtable_free(t[i]);
	free(t);

	srand(100);
	for (unsigned int i = 0; i < N(r); i++)
		r[i] = random_route(i % 2 ? 4 : 6, r, i);
	struct dp_rtable *big = build(&in, r, N(r));

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	printf("\n    100 prefixes: %zu bytes ", dp_rtable_memory(big));
	dp_rtable_free(big);
}

/* A typical tenant: two on-link nets and three routes. */
static void test_timing_small(void)
{
	struct wgdp_inside_config in = INSIDE("10.0.0.1/24", "fd00::1/64");
	struct wgdp_route_config r[] = {
		route("10.9.0.0/16", "10.0.0.254"),
		route("10.8.0.0/24", NULL),
		route("2001:db8::/48", "fd00::fe"),
	};
	struct dp_rtable *t = build(&in, r, N(r));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	srand(5);
	print_timing("5 prefixes", t, 4, &in, r, N(r));
	print_timing("5 prefixes", t, 6, &in, r, N(r));
	dp_rtable_free(t);
}

int main(int argc, char **argv)
{
	static const CU_TestInfo tests[] = {
		{ "on-link from the inside addresses", test_onlink },
		{ "a route via a gateway, an on-link route", test_via },
		{ "the longest prefix wins, in any order", test_longest },
		{ "IPv6: /64 on-link, /48 and /32 via", test_v6 },
		{ "misses, an empty table", test_miss },
		{ "default routes 0.0.0.0/0 and ::/0", test_default },
		{ "tenants with the same prefixes keep their own answers", test_isolation },
		{ "host routes /32 and /128, at both ends of the space", test_host_routes },
		{ "a prefix twice: on-link, else the first route", test_repeats },
		{ "errors name the element", test_errors },
		{ "2,000 small random tables = brute force", test_random_small },
		{ "10,000 random prefixes = brute force", test_random_large },
		{ "the prefix → value map = brute force", test_map_random },
		{ "1,000 tables of 2 prefixes: under 4 MiB", test_memory },
		{ "lookup time, 5 prefixes (printed)", test_timing_small },
		CU_TEST_INFO_NULL,
	};

	(void)argc;
	/* The EAL only gives the TSC frequency of the timings: the table itself is libc memory. */
	if (unit_eal_init(argv[0], "rtable", "64", (const char *const[]){ "--log-level=1", NULL }) <
	    0)
		return 2;
	return unit_run("rtable", tests);
}
