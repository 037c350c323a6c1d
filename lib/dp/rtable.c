/* SPDX-License-Identifier: MIT */
/*
 * A tenant's inside routing table as sorted disjoint ranges (rtable.h). The build sorts the
 * prefixes by address and turns them into ranges in one sweep; the lookup is a binary search
 * over the range starts of the destination's family.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "rtable.h"

/* What a range answers: nothing, on-link, or the gateway vias[answer - RT_VIA]. */
enum {
	RT_MISS = 0,
	RT_ONLINK = 1,
	RT_VIA = 2,
};

/* Nested prefixes have distinct lengths once repeats are dropped: 0..128. */
#define RT_DEPTH_MAX 129

/*
 * A 128-bit address in host order. An IPv4 address is the top 32 bits, so that one sweep
 * serves both families: a v4 prefix's end + 1 carries into hi exactly where the next v4
 * address starts, and a v4 range start is hi >> 32.
 */
struct rt_key {
	uint64_t hi;
	uint64_t lo;
};

struct dp_rtable {
	size_t bytes;
	uint32_t n4; /* ranges of a family, at least 1: the first starts at address 0 */
	uint32_t n6;
	const uint32_t *start4;
	const uint32_t *answer4;
	const struct rt_key *start6;
	const uint32_t *answer6;
	const struct wgdp_addr *vias;
};

/* A prefix while building; order is its place in the input, which settles repeats. */
struct rt_prefix {
	struct rt_key first;
	struct rt_key last;
	uint32_t answer;
	uint32_t order;
	uint8_t family;
	uint8_t len;
};

/* One family's ranges while building: starts in increasing order. */
struct rt_ranges {
	struct rt_key *start;
	uint32_t *answer;
	uint32_t n;
};

static bool key_lt(struct rt_key a, struct rt_key b)
{
	return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static bool key_is_max(struct rt_key k)
{
	return k.hi == UINT64_MAX && k.lo == UINT64_MAX;
}

static struct rt_key key_next(struct rt_key k)
{
	k.lo++;
	k.hi += k.lo == 0;
	return k;
}

static struct rt_key key_of(uint8_t family, const uint8_t *bytes)
{
	struct rt_key k = { 0, 0 };
	uint64_t w[2];
	uint32_t v4;

	if (family == 4) {
		memcpy(&v4, bytes, sizeof(v4));
		k.hi = (uint64_t)rte_be_to_cpu_32(v4) << 32;
	} else {
		memcpy(w, bytes, sizeof(w));
		k.hi = rte_be_to_cpu_64(w[0]);
		k.lo = rte_be_to_cpu_64(w[1]);
	}
	return k;
}

/* The bits below a prefix of len (0..128) set: its host part. */
static struct rt_key host_mask(unsigned int len)
{
	struct rt_key m;

	/* A shift by 64 is undefined, so both ends of each word are spelled out. */
	m.hi = len >= 64 ? 0 : UINT64_MAX >> len;
	m.lo = len <= 64 ? UINT64_MAX : len >= 128 ? 0 : UINT64_MAX >> (len - 64);
	return m;
}

/* Checks one prefix and fills p; the address may carry host bits (an inside address). */
static bool prefix_set(struct rt_prefix *p, const struct wgdp_addr *a, unsigned int len,
		       const char *what, char *err, size_t errlen)
{
	struct rt_key k, m;

	if (a->family != 4 && a->family != 6) {
		snprintf(err, errlen, "%s: not an address", what);
		return false;
	}
	if (len > (a->family == 4 ? 32u : 128u)) {
		snprintf(err, errlen, "%s: prefix length %u too long", what, len);
		return false;
	}
	k = key_of(a->family, a->bytes);
	m = host_mask(len);
	p->first = (struct rt_key){ k.hi & ~m.hi, k.lo & ~m.lo };
	p->last = (struct rt_key){ p->first.hi | m.hi, p->first.lo | m.lo };
	p->family = a->family;
	p->len = (uint8_t)len;
	return true;
}

/* Family, then address, then the holder before what it holds, then input order. */
static int prefix_cmp(const void *a, const void *b)
{
	const struct rt_prefix *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (key_lt(x->first, y->first))
		return -1;
	if (key_lt(y->first, x->first))
		return 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Gathers inside's on-link prefixes, then the routes, into p; routes with a via get answers
 * RT_VIA.. in vias. The inside addresses come first so that the order settles a repeat for the
 * on-link answer.
 */
static bool collect(const struct wgdp_inside_config *inside, const struct wgdp_route_config *routes,
		    unsigned int n_routes, struct rt_prefix *p, struct wgdp_addr *vias,
		    uint32_t *n_vias, char *err, size_t errlen)
{
	unsigned int n_in = inside ? inside->n_addrs : 0;
	char what[48];

	for (unsigned int i = 0; i < n_in; i++) {
		snprintf(what, sizeof(what), "inside.address[%u]", i);
		if (!prefix_set(&p[i], &inside->addrs[i].addr, inside->addrs[i].len, what, err,
				errlen))
			return false;
		p[i].answer = RT_ONLINK;
		p[i].order = i;
	}
	for (unsigned int j = 0; j < n_routes; j++) {
		const struct wgdp_route_config *r = &routes[j];
		struct rt_prefix *q = &p[n_in + j];

		snprintf(what, sizeof(what), "routes[%u].prefix", j);
		if (!prefix_set(q, &r->prefix.addr, r->prefix.len, what, err, errlen))
			return false;
		q->order = n_in + j;
		q->answer = RT_ONLINK;
		if (!r->has_via)
			continue;
		if (r->via.family != r->prefix.addr.family) {
			snprintf(err, errlen, "routes[%u].via: not of the prefix's family", j);
			return false;
		}
		vias[*n_vias] = r->via;
		q->answer = RT_VIA + (*n_vias)++;
	}
	return true;
}

/* Appends a range starting at start; one that answers as the range before it extends it. */
static void ranges_add(struct rt_ranges *r, struct rt_key start, uint32_t answer)
{
	if (r->n && r->answer[r->n - 1] == answer)
		return;
	r->start[r->n] = start;
	r->answer[r->n++] = answer;
}

/*
 * Pops the stacked prefixes that end before key: each answers for the addresses from the
 * cursor to its end (none when a longer one ended at the same address).
 */
static void close_before(const struct rt_prefix **stack, unsigned int *depth, struct rt_key *cursor,
			 struct rt_key key, struct rt_ranges *r)
{
	while (*depth && key_lt(stack[*depth - 1]->last, key)) {
		const struct rt_prefix *top = stack[--*depth];

		if (!key_lt(top->last, *cursor))
			ranges_add(r, *cursor, top->answer);
		*cursor = key_next(top->last); /* top->last < key: no wrap */
	}
}

/*
 * Cuts one family's address space into ranges by its sorted prefixes p[0..n). Prefixes nest
 * or are disjoint, so walking them in address order with a stack of those that hold the
 * cursor (the longest on top) meets every boundary once; the top answers for the addresses
 * until the next boundary. Fills r with at most 2n + 1 ranges, the first at address 0.
 */
static void sweep(const struct rt_prefix *p, uint32_t n, struct rt_ranges *r)
{
	const struct rt_prefix *stack[RT_DEPTH_MAX];
	struct rt_key cursor = { 0, 0 };
	unsigned int depth = 0;

	r->n = 0;
	for (uint32_t i = 0; i < n; i++) {
		/* Sorted, a repeat follows its first: the first answers. */
		if (i && p[i].len == p[i - 1].len && !key_lt(p[i - 1].first, p[i].first))
			continue;
		close_before(stack, &depth, &cursor, p[i].first, r);
		if (key_lt(cursor, p[i].first))
			ranges_add(r, cursor, depth ? stack[depth - 1]->answer : RT_MISS);
		cursor = p[i].first;
		stack[depth++] = &p[i];
	}
	while (depth) {
		const struct rt_prefix *top = stack[--depth];

		if (!key_lt(top->last, cursor))
			ranges_add(r, cursor, top->answer);
		/* Those below hold top: they end at the top of the space too. */
		if (key_is_max(top->last))
			return;
		cursor = key_next(top->last);
	}
	ranges_add(r, cursor, RT_MISS);
}

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

/*
 * Lays the final table out in one allocation: the search keys of each family start a cache
 * line, answers follow them.
 */
static struct dp_rtable *table_alloc(const struct rt_ranges *r4, const struct rt_ranges *r6,
				     const struct wgdp_addr *vias, uint32_t n_vias)
{
	size_t o_s4 = align_up(sizeof(struct dp_rtable), RTE_CACHE_LINE_SIZE);
	size_t o_a4 = o_s4 + r4->n * sizeof(uint32_t);
	size_t o_s6 = align_up(o_a4 + r4->n * sizeof(uint32_t), RTE_CACHE_LINE_SIZE);
	size_t o_a6 = o_s6 + r6->n * sizeof(struct rt_key);
	size_t o_v = o_a6 + r6->n * sizeof(uint32_t);
	size_t bytes = align_up(o_v + n_vias * sizeof(*vias), RTE_CACHE_LINE_SIZE);
	uint8_t *mem = aligned_alloc(RTE_CACHE_LINE_SIZE, bytes);
	struct dp_rtable *t = (struct dp_rtable *)mem;
	uint32_t *s4, *a4;

	if (!mem)
		return NULL;
	s4 = (uint32_t *)(mem + o_s4);
	a4 = (uint32_t *)(mem + o_a4);
	for (uint32_t i = 0; i < r4->n; i++) {
		s4[i] = (uint32_t)(r4->start[i].hi >> 32);
		a4[i] = r4->answer[i];
	}
	memcpy(mem + o_s6, r6->start, r6->n * sizeof(struct rt_key));
	memcpy(mem + o_a6, r6->answer, r6->n * sizeof(uint32_t));
	if (n_vias)
		memcpy(mem + o_v, vias, n_vias * sizeof(*vias));
	*t = (struct dp_rtable){
		.bytes = bytes,
		.n4 = r4->n,
		.n6 = r6->n,
		.start4 = s4,
		.answer4 = a4,
		.start6 = (const struct rt_key *)(mem + o_s6),
		.answer6 = (const uint32_t *)(mem + o_a6),
		.vias = (const struct wgdp_addr *)(mem + o_v),
	};
	return t;
}

/* Scratch of a build: freed whatever the outcome. */
struct rt_scratch {
	struct rt_prefix *p;
	struct wgdp_addr *vias;
	struct rt_key *start;
	uint32_t *answer;
};

static void scratch_free(struct rt_scratch *s)
{
	free(s->p);
	free(s->vias);
	free(s->start);
	free(s->answer);
}

/* Room for n prefixes, n_vias gateways, and the ranges they can make. */
static bool scratch_alloc(struct rt_scratch *s, uint32_t n, uint32_t n_vias)
{
	s->p = calloc(n + 1, sizeof(*s->p));
	s->vias = calloc(n_vias + 1, sizeof(*s->vias));
	/* Each family's ranges fit 2 n + 1; both share one scratch of 2 n + 2. */
	s->start = calloc(2 * (size_t)n + 2, sizeof(*s->start));
	s->answer = calloc(2 * (size_t)n + 2, sizeof(*s->answer));
	return s->p && s->vias && s->start && s->answer;
}

/* The table of the n prefixes in s->p (answers set), the gateways in s->vias. */
static struct dp_rtable *table_build(struct rt_scratch *s, uint32_t n, uint32_t n_vias)
{
	struct rt_ranges r4, r6;
	uint32_t n4 = 0;

	qsort(s->p, n, sizeof(*s->p), prefix_cmp);
	while (n4 < n && s->p[n4].family == 4)
		n4++;
	r4 = (struct rt_ranges){ .start = s->start, .answer = s->answer };
	sweep(s->p, n4, &r4);
	r6 = (struct rt_ranges){ .start = s->start + r4.n, .answer = s->answer + r4.n };
	sweep(s->p + n4, n - n4, &r6);
	return table_alloc(&r4, &r6, s->vias, n_vias);
}

struct dp_rtable *dp_rtable_build(const struct wgdp_inside_config *inside,
				  const struct wgdp_route_config *routes, unsigned int n_routes,
				  char *err, size_t errlen)
{
	unsigned int n_in = inside ? inside->n_addrs : 0;
	struct rt_scratch s = { 0 };
	struct dp_rtable *t = NULL;
	uint32_t n, n_vias = 0;

	/* The bounds of lib/config keep every size below far from overflow. */
	if (n_in > WGDP_PORT_ADDR_MAX || n_routes > WGDP_MAX_ROUTES) {
		snprintf(err, errlen, "%s: too many",
			 n_in > WGDP_PORT_ADDR_MAX ? "inside.address" : "routes");
		return NULL;
	}
	n = n_in + n_routes;
	if (!scratch_alloc(&s, n, n_routes)) {
		snprintf(err, errlen, "out of memory for routes");
		goto out;
	}
	if (!collect(inside, routes, n_routes, s.p, s.vias, &n_vias, err, errlen))
		goto out;
	t = table_build(&s, n, n_vias);
	if (!t)
		snprintf(err, errlen, "out of memory for routes");
out:
	scratch_free(&s);
	return t;
}

struct dp_rtable *dp_rtable_build_map(const struct wgdp_prefix *prefixes, const uint32_t *values,
				      uint32_t n)
{
	struct rt_scratch s = { 0 };
	struct dp_rtable *t = NULL;
	char err[80];

	if (n > DP_RTABLE_MAP_MAX || !scratch_alloc(&s, n, 0))
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		if (values[i] >= UINT32_MAX - RT_VIA ||
		    !prefix_set(&s.p[i], &prefixes[i].addr, prefixes[i].len, "", err, sizeof(err)))
			goto out;
		s.p[i].answer = RT_VIA + values[i];
		s.p[i].order = i;
	}
	t = table_build(&s, n, 0);
out:
	scratch_free(&s);
	return t;
}

void dp_rtable_free(struct dp_rtable *t)
{
	free(t);
}

/* The answer of the last range starting at or below x; the first starts at 0. */
static uint32_t lookup4(const struct dp_rtable *t, const uint8_t *bytes)
{
	const uint32_t *s = t->start4;
	uint32_t n = t->n4, x;

	memcpy(&x, bytes, sizeof(x));
	x = rte_be_to_cpu_32(x);
	/* Halve the window, keeping its first start <= x (a conditional move, no branch). */
	while (n > 1) {
		uint32_t half = n / 2;

		s = s[half] <= x ? s + half : s;
		n -= half;
	}
	return t->answer4[s - t->start4];
}

static uint32_t lookup6(const struct dp_rtable *t, const uint8_t *bytes)
{
	const struct rt_key *s = t->start6;
	uint32_t n = t->n6;
	uint64_t w[2], hi, lo;

	memcpy(w, bytes, sizeof(w));
	hi = rte_be_to_cpu_64(w[0]);
	lo = rte_be_to_cpu_64(w[1]);
	while (n > 1) {
		uint32_t half = n / 2;

		/* With && and || the compiler branches, and each step's outcome is a coin toss:
		 * bitwise operators keep the comparison a value. */
		bool le = (s[half].hi < hi) | ((s[half].hi == hi) & (s[half].lo <= lo));

		s += half * (uint32_t)le;
		n -= half;
	}
	return t->answer6[s - t->start6];
}

bool dp_rtable_lookup(const struct dp_rtable *t, const struct wgdp_addr *dst, struct wgdp_addr *nh)
{
	uint32_t answer;

	if (dst->family == 4)
		answer = lookup4(t, dst->bytes);
	else if (dst->family == 6)
		answer = lookup6(t, dst->bytes);
	else
		return false;
	if (answer == RT_MISS)
		return false;
	/* An exact overlap (nh == dst) is a valid assignment. */
	*nh = answer == RT_ONLINK ? *dst : t->vias[answer - RT_VIA];
	return true;
}

uint32_t dp_rtable_value(const struct dp_rtable *t, uint8_t family, const uint8_t *bytes)
{
	uint32_t answer = family == 4 ? lookup4(t, bytes) : lookup6(t, bytes);

	return answer == RT_MISS ? DP_RTABLE_NONE : answer - RT_VIA;
}

size_t dp_rtable_memory(const struct dp_rtable *t)
{
	return t ? t->bytes : 0;
}
