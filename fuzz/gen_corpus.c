/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpora of the handshake targets: valid messages made from the same fixed
 * keys and deterministic randomness the targets use, so each seed gets past mac1 and the
 * AEADs and the fuzzer starts from the deep end; and the frames, inner packets, data bursts,
 * control requests and UAPI streams, whose keys derive from the same constants. Deterministic: the
 * same build writes the same bytes. Run by scripts/fuzz.sh --regen-corpus, or:
 *
 *   build-fuzz/fuzz/gen_corpus fuzz/corpus
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/keys.h"
#include "fuzz_common.h"

/* Creates dir/target/ if need be and opens dir/target/name for writing; NULL on failure. */
static FILE *open_seed(const char *dir, const char *target, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	return fopen(path, "wb");
}

static int write_seed(const char *dir, const char *target, const char *name, uint8_t ctl,
		      const void *msg, size_t len)
{
	FILE *f = open_seed(dir, target, name);
	int ok;

	if (!f)
		return -1;
	ok = fwrite(&ctl, 1, 1, f) == 1 && fwrite(msg, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* ---- frames, for fuzz_classify and fuzz_neigh ---- */

#define ETH_LEN	  14
#define IP4_LEN	  20
#define IP6_LEN	  40
#define UDP_LEN	  8
#define MAX_FRAME 1600

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t our_ip4[4] = { 192, 0, 2, 1 }, peer_ip4[4] = { 192, 0, 2, 2 };
static const uint8_t our_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t peer_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The Internet checksum (RFC 1071) of len bytes, continuing from sum. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static unsigned int fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static size_t eth(uint8_t *f, const uint8_t dst[6], unsigned int type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, type);
	return ETH_LEN;
}

/* Ethernet + IPv4 header for a payload of len bytes of protocol proto; returns the header
 * length. */
static size_t ip4(uint8_t *f, uint8_t proto, size_t len, const uint8_t dst[4])
{
	uint8_t *ip = f + eth(f, our_mac, 0x0800);

	memset(ip, 0, IP4_LEN);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned int)(IP4_LEN + len));
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, peer_ip4, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, fold(sum16(0, ip, IP4_LEN)));
	return ETH_LEN + IP4_LEN;
}

static size_t ip6(uint8_t *f, uint8_t proto, size_t len, const uint8_t src[16],
		  const uint8_t dst[16], uint8_t hops, const uint8_t dst_mac[6])
{
	uint8_t *ip = f + eth(f, dst_mac, 0x86dd);

	memset(ip, 0, IP6_LEN);
	ip[0] = 0x60;
	put16(ip + 4, (unsigned int)len);
	ip[6] = proto;
	ip[7] = hops;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	return ETH_LEN + IP6_LEN;
}

/* The ICMPv6 checksum over the pseudo-header and the message at f + ETH_LEN + IP6_LEN. */
static void icmp6_cksum(uint8_t *f, size_t len)
{
	uint8_t *ip = f + ETH_LEN, *icmp = ip + IP6_LEN;
	uint32_t sum = sum16(0, ip + 8, 32) + (uint32_t)len + 58;

	icmp[2] = icmp[3] = 0;
	put16(icmp + 2, fold(sum16(sum, icmp, len)));
}

static size_t udp4_frame(uint8_t *f, const void *msg, size_t len)
{
	size_t off = ip4(f, 17, UDP_LEN + len, our_ip4);

	put16(f + off, 51820);
	put16(f + off + 2, 51820);
	put16(f + off + 4, (unsigned int)(UDP_LEN + len));
	put16(f + off + 6, 0);
	memcpy(f + off + UDP_LEN, msg, len);
	return off + UDP_LEN + len;
}

static size_t udp6_frame(uint8_t *f, const void *msg, size_t len)
{
	size_t off = ip6(f, 17, UDP_LEN + len, peer_ip6, our_ip6, 64, our_mac);

	put16(f + off, 51820);
	put16(f + off + 2, 51820);
	put16(f + off + 4, (unsigned int)(UDP_LEN + len));
	put16(f + off + 6, 0);
	memcpy(f + off + UDP_LEN, msg, len);
	return off + UDP_LEN + len;
}

/* A data message whose "plaintext" is an inner IP header (the classifier does not decrypt). */
static size_t data_msg(uint8_t *out, int family)
{
	size_t inner = family == 4 ? IP4_LEN : IP6_LEN, padded = (inner + 15) & ~(size_t)15;

	memset(out, 0, 16 + padded + 16);
	out[0] = 4;
	out[4] = 0x22;
	out[8] = 1;
	if (family == 4) {
		out[16] = 0x45;
		put16(out + 18, IP4_LEN);
		out[25] = 1;
		memcpy(out + 28, (const uint8_t[]){ 10, 0, 1, 2 }, 4);
		memcpy(out + 32, (const uint8_t[]){ 10, 0, 0, 5 }, 4);
	} else {
		out[16] = 0x60;
		out[22] = 59; /* no next header */
		out[23] = 64;
		out[24] = 0xfd;
		out[40] = 0xfd;
	}
	return 16 + padded + 16;
}

static int classify_seeds(const char *dir, const void *init, const void *resp, const void *cookie)
{
	uint8_t f[MAX_FRAME], msg[128];
	size_t n;
	int rc = 0;

	n = udp4_frame(f, init, 148);
	/* write_seed puts a control byte first; the classifier has none, so frame byte 0 is it. */
	rc |= write_seed(dir, "classify", "ipv4-initiation", f[0], f + 1, n - 1);
	n = udp6_frame(f, init, 148);
	rc |= write_seed(dir, "classify", "ipv6-initiation", f[0], f + 1, n - 1);
	n = udp4_frame(f, resp, 92);
	rc |= write_seed(dir, "classify", "ipv4-response", f[0], f + 1, n - 1);
	n = udp4_frame(f, cookie, 64);
	rc |= write_seed(dir, "classify", "ipv4-cookie", f[0], f + 1, n - 1);
	n = udp4_frame(f, msg, data_msg(msg, 4));
	rc |= write_seed(dir, "classify", "ipv4-data-inner4", f[0], f + 1, n - 1);
	n = udp6_frame(f, msg, data_msg(msg, 6));
	rc |= write_seed(dir, "classify", "ipv6-data-inner6", f[0], f + 1, n - 1);
	n = udp4_frame(f, msg, 32); /* a keepalive: header and tag */
	f[ETH_LEN + IP4_LEN + UDP_LEN] = 4;
	rc |= write_seed(dir, "classify", "ipv4-keepalive", f[0], f + 1, n - 1);
	return rc;
}

static size_t arp(uint8_t *f, unsigned int op, const uint8_t tip[4])
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = f + eth(f, op == 1 ? bcast : our_mac, 0x0806);

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, peer_mac, 6);
	memcpy(a + 14, peer_ip4, 4);
	memcpy(a + 18, op == 2 ? our_mac : (const uint8_t[6]){ 0 }, 6);
	memcpy(a + 24, tip, 4);
	return ETH_LEN + 28;
}

static size_t echo4(uint8_t *f)
{
	size_t off = ip4(f, 1, 8 + 8, our_ip4);
	uint8_t *icmp = f + off;

	memset(icmp, 0, 16);
	icmp[0] = 8;
	put16(icmp + 4, 0x1234);
	put16(icmp + 6, 1);
	memcpy(icmp + 8, "wgdpfuzz", 8);
	put16(icmp + 2, fold(sum16(0, icmp, 16)));
	return off + 16;
}

/* A neighbour solicitation or advertisement (type 135/136) about target. */
static size_t nd(uint8_t *f, uint8_t type, const uint8_t src[16], const uint8_t dst[16],
		 const uint8_t target[16], bool ll_option)
{
	static const uint8_t snm[16] = { 0xff, 2, [11] = 1, [12] = 0xff, [15] = 1 };
	size_t len = 24 + (ll_option ? 8 : 0);
	size_t off = ip6(f, 58, len, src, dst ? dst : snm, 255, our_mac);
	uint8_t *icmp = f + off;

	memset(icmp, 0, len);
	icmp[0] = type;
	if (type == 136)
		icmp[4] = 0x60; /* solicited, override */
	memcpy(icmp + 8, target, 16);
	if (ll_option) {
		icmp[24] = type == 135 ? 1 : 2;
		icmp[25] = 1;
		memcpy(icmp + 26, peer_mac, 6);
	}
	icmp6_cksum(f, len);
	return off + len;
}

static size_t echo6(uint8_t *f)
{
	size_t off = ip6(f, 58, 16, peer_ip6, our_ip6, 64, our_mac);
	uint8_t *icmp = f + off;

	memset(icmp, 0, 16);
	icmp[0] = 128;
	put16(icmp + 4, 0x1234);
	put16(icmp + 6, 1);
	memcpy(icmp + 8, "wgdpfuzz", 8);
	icmp6_cksum(f, 16);
	return off + 16;
}

/* fuzz_neigh's scripts (control byte bit 1): steps of (kind, byte[, frame]). */
struct script {
	uint8_t b[MAX_FRAME * 2];
	size_t n;
};

static void step(struct script *s, uint8_t op, uint8_t arg)
{
	s->b[s->n++] = op;
	s->b[s->n++] = arg;
}

static void step_frame(struct script *s, const uint8_t *f, size_t len)
{
	step(s, 0, (uint8_t)len);
	memcpy(s->b + s->n, f, len);
	s->n += len;
}

/*
 * Answered, reachable, stale after 30 s, used, probed and failed; a full table of next hops
 * and of neighbours that asked; then long enough for all of it to age out.
 */
static void neigh_script(struct script *s)
{
	uint8_t f[MAX_FRAME];

	s->n = 0;
	step_frame(s, f, arp(f, 2, our_ip4));
	step_frame(s, f, nd(f, 136, peer_ip6, our_ip6, peer_ip6, true));
	step(s, 1, 203); /* 40 s: stale */
	step(s, 3, 2);	 /* used */
	step(s, 1, 20);
	step(s, 3, 2);
	for (int i = 0; i < 8; i++)
		step(s, 1, 20); /* probed, unanswered: failed */
	for (uint8_t k = 3; k < 14; k++)
		step(s, 2, k); /* more next hops than the table holds */
	step_frame(s, f, arp(f, 1, our_ip4));
	step(s, 7, 0x85); /* set by hand */
	for (int i = 0; i < 6; i++)
		step(s, 1, 255); /* a minute each: everything ages out */
}

static int neigh_seeds(const char *dir)
{
	static struct script script;

	static const uint8_t unspecified[16];
	uint8_t f[MAX_FRAME];
	size_t n;
	int rc = 0;

	n = arp(f, 1, our_ip4);
	rc |= write_seed(dir, "neigh", "arp-request", 1, f, n);
	rc |= write_seed(dir, "neigh", "arp-request-no-tailroom", 0, f, n);
	n = arp(f, 2, our_ip4);
	rc |= write_seed(dir, "neigh", "arp-reply", 1, f, n);
	n = echo4(f);
	rc |= write_seed(dir, "neigh", "icmp-echo", 1, f, n);
	n = nd(f, 135, peer_ip6, NULL, our_ip6, true);
	rc |= write_seed(dir, "neigh", "ns", 1, f, n);
	n = nd(f, 135, unspecified, NULL, our_ip6, false);
	rc |= write_seed(dir, "neigh", "ns-dad", 1, f, n);
	n = nd(f, 136, peer_ip6, our_ip6, peer_ip6, true);
	rc |= write_seed(dir, "neigh", "na", 1, f, n);
	n = echo6(f);
	rc |= write_seed(dir, "neigh", "icmp6-echo", 1, f, n);
	neigh_script(&script);
	rc |= write_seed(dir, "neigh", "script-lifecycle", 3, script.b, script.n);
	return rc;
}

/* ---- fuzz_data: control byte, first counter, then (length, plaintext, counter step)s ---- */

static int data_seeds(const char *dir)
{
	uint8_t in[1024], inner[64];
	size_t n;
	int rc = 0;

	/* One keepalive at counter 0. */
	memset(in, 0, 10);
	rc |= write_seed(dir, "data", "keepalive", in[0], in + 1, 9);
	/* An inner IPv4 header, then the same counter again (a replay), then the next one. */
	memset(inner, 0, sizeof(inner));
	inner[0] = 0x45;
	put16(inner + 2, IP4_LEN);
	inner[9] = 1;
	n = 0;
	in[n++] = 2; /* 3 messages */
	memset(in + n, 0, 8);
	in[n] = 5;
	n += 8;
	for (int i = 0; i < 3; i++) {
		in[n++] = IP4_LEN;
		memcpy(in + n, inner, IP4_LEN);
		n += IP4_LEN;
		in[n++] = i == 0 ? 0 : 1;
	}
	rc |= write_seed(dir, "data", "ipv4-replay", in[0], in + 1, n - 1);
	/* Eight messages of growing length (IPv6 inner), counters walking the window's edge. */
	n = 0;
	in[n++] = 0x17;
	memset(in + n, 0, 8);
	in[n + 1] = 0x40; /* 16384 */
	n += 8;
	for (int i = 0; i < 8; i++) {
		uint8_t len = (uint8_t)(IP6_LEN + 13 * i);

		in[n++] = len;
		memset(in + n, 0, len);
		in[n] = 0x60;
		put16(in + n + 4, (unsigned int)(len - IP6_LEN));
		in[n + 6] = 59;
		n += len;
		in[n++] = (uint8_t)(i & 1 ? -127 : 127); /* x64: 8128, the window */
	}
	rc |= write_seed(dir, "data", "window-edge", in[0], in + 1, n - 1);
	/* A corrupted first message among two; an old keypair. */
	in[0] = 0x09;
	rc |= write_seed(dir, "data", "corrupt", in[0], in + 1, n - 1);
	in[0] = 0x21;
	rc |= write_seed(dir, "data", "expired", in[0], in + 1, n - 1);
	return rc;
}

/* ---- fuzz_icmp: control byte, MTU / MSS (2 bytes), an inner IP packet ---- */

static const uint8_t inner_src4[4] = { 10, 0, 1, 2 }, inner_dst4[4] = { 192, 0, 2, 80 };
static const uint8_t inner_src6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 1, [15] = 2 };
static const uint8_t inner_dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x80 };

/* An IPv4 header of ihl bytes (NOP options) for len bytes of payload; returns ihl. */
static size_t inner4(uint8_t *p, size_t ihl, uint8_t proto, size_t len, uint8_t ttl)
{
	memset(p, 0, ihl);
	p[0] = (uint8_t)(0x40 | ihl / 4);
	put16(p + 2, (unsigned int)(ihl + len));
	put16(p + 6, 0x4000);
	p[8] = ttl;
	p[9] = proto;
	memcpy(p + 12, inner_src4, 4);
	memcpy(p + 16, inner_dst4, 4);
	memset(p + 20, 1, ihl - 20);
	put16(p + 10, fold(sum16(0, p, ihl)));
	return ihl;
}

static size_t inner6(uint8_t *p, uint8_t next, size_t len, uint8_t hops)
{
	memset(p, 0, IP6_LEN);
	p[0] = 0x60;
	put16(p + 4, (unsigned int)len);
	p[6] = next;
	p[7] = hops;
	memcpy(p + 8, inner_src6, 16);
	memcpy(p + 24, inner_dst6, 16);
	return IP6_LEN;
}

/* A SYN with Linux's options (MSS 1460, SACK permitted, timestamps, window scale) at tcp. */
static size_t syn(uint8_t *tcp, const uint8_t *ip, int family)
{
	static const uint8_t opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
					  1, 3, 3, 7 };
	uint32_t sum;

	memset(tcp, 0, 40);
	put16(tcp, 40000);
	put16(tcp + 2, 443);
	put16(tcp + 4, 0x1234);
	tcp[12] = 10 << 4;
	tcp[13] = 0x02;
	put16(tcp + 14, 64240);
	memcpy(tcp + 20, opts, sizeof(opts));
	sum = family == 4 ? sum16(0, ip + 12, 8) : sum16(0, ip + 8, 32);
	put16(tcp + 16, fold(sum16(sum + 6 + 40, tcp, 40)));
	return 40;
}

static int write_inner(const char *dir, const char *name, uint8_t ctl, unsigned int mtu,
		       const uint8_t *pkt, size_t len)
{
	uint8_t in[2 + MAX_FRAME];

	put16(in, mtu);
	memcpy(in + 2, pkt, len);
	return write_seed(dir, "icmp", name, ctl, in, 2 + len);
}

static int icmp_seeds(const char *dir)
{
	uint8_t p[MAX_FRAME];
	size_t n;
	int rc = 0;

	n = inner4(p, IP4_LEN, 17, 80, 1);
	memset(p + n, 0x5a, 80);
	rc |= write_inner(dir, "ipv4-udp-ttl1", 0, 1420, p, n + 80);
	rc |= write_inner(dir, "ipv4-udp-no-headroom", 1, 1420, p, n + 80);
	memset(p + n + 80, 0, 12); /* WireGuard's padding after the packet */
	rc |= write_inner(dir, "ipv4-udp-padded", 2, 1420, p, n + 92);
	n = inner4(p, 32, 17, 40, 64);
	memset(p + n, 0x33, 40);
	rc |= write_inner(dir, "ipv4-options", 0, 1280, p, n + 40);
	n = inner4(p, IP4_LEN, 17, 40, 64);
	put16(p + 6, 0x2000 | 185);
	put16(p + 10, 0);
	put16(p + 10, fold(sum16(0, p, IP4_LEN)));
	rc |= write_inner(dir, "ipv4-fragment", 0, 1420, p, n + 40);
	n = inner4(p, IP4_LEN, 1, 16, 64);
	memset(p + n, 0, 16);
	p[n] = 8;
	put16(p + n + 2, fold(sum16(0, p + n, 16)));
	rc |= write_inner(dir, "ipv4-echo", 0, 1420, p, n + 16);
	p[n] = 3;
	p[n + 1] = 1;
	put16(p + n + 2, 0);
	put16(p + n + 2, fold(sum16(0, p + n, 16)));
	rc |= write_inner(dir, "ipv4-unreach", 0, 1420, p, n + 16);
	n = inner4(p, IP4_LEN, 6, 40, 64);
	n += syn(p + n, p, 4);
	rc |= write_inner(dir, "ipv4-syn", 0, 1380, p, n);

	n = inner6(p, 17, 1460, 1);
	memset(p + n, 0x6c, 1460);
	rc |= write_inner(dir, "ipv6-udp-1500-hop1", 0, 1280, p, n + 1460);
	n = inner6(p, 6, 40, 64);
	n += syn(p + n, p, 6);
	rc |= write_inner(dir, "ipv6-syn", 0, 1380, p, n);
	n = inner6(p, 0, 8 + 8 + 8, 64);
	memset(p + n, 0, 24);
	p[n] = 44; /* hop-by-hop, then a fragment header (offset 0, more), then UDP */
	p[n + 8] = 17;
	put16(p + n + 10, 1);
	rc |= write_inner(dir, "ipv6-hbh-fragment", 0, 1280, p, n + 24);
	n = inner6(p, 58, 16, 64);
	memset(p + n, 0, 16);
	p[n] = 128;
	rc |= write_inner(dir, "ipv6-echo", 0, 1280, p, n + 16);
	p[n] = 1;
	rc |= write_inner(dir, "ipv6-unreach", 0, 1280, p, n + 16);
	return rc;
}

/* ---- text: the config, the control socket, the UAPI ---- */

/* ---- packets to fragment and frames, for fuzz_router ---- */

/* An input of fuzz_router: ctl, the MTU and the packet's length as the target decodes them
 * (576 + v, mtu + 1 + v), max fragments (0: all), then the packet's first bytes. */
static int write_router(const char *dir, const char *name, uint8_t ctl, unsigned int mtu,
			unsigned int len, uint8_t max, const uint8_t *pkt, size_t n)
{
	uint8_t in[5 + MAX_FRAME];

	put16(in, mtu - 576);
	put16(in + 2, len - mtu - 1);
	in[4] = max;
	memcpy(in + 5, pkt, n);
	return write_seed(dir, "router", name, ctl, in, 5 + n);
}

/* A header of ihl bytes with flags / offset word fo, checksum filled (the target keeps it). */
static size_t frag4(uint8_t *p, size_t ihl, unsigned int len, unsigned int fo)
{
	inner4(p, ihl, 17, len - ihl, 64);
	put16(p + 6, fo);
	put16(p + 10, 0);
	put16(p + 10, fold(sum16(0, p, ihl)));
	return ihl;
}

static int router_seeds(const char *dir)
{
	/* Options: security and loose source route (copied into every fragment), record route
	 * and timestamp (first fragment only), then NOP and EOL: 40 bytes. */
	static const uint8_t sec[11] = { 0x82, 11 }, rr[7] = { 7, 7, 4 },
			     lsrr[7] = { 0x83, 7, 4, 10, 9, 9, 9 }, ts[12] = { 0x44, 12, 5 };
	uint8_t p[MAX_FRAME];
	size_t n;
	int rc = 0;

	memset(p, 0x5a, sizeof(p));
	n = frag4(p, IP4_LEN, 1500, 0);
	rc |= write_router(dir, "udp-1500-mtu1420", 0, 1420, 1500, 0, p, n + 8);
	rc |= write_router(dir, "one-byte-over", 0, 1420, 1421, 0, p, n + 8);
	rc |= write_router(dir, "jumbo-9000-mtu1280", 0, 1280, 9000, 0, p, n + 8);
	rc |= write_router(dir, "too-many-for-max", 0, 576, 3000, 4, p, n + 8);
	n = frag4(p, 60, 1900, 0);
	memcpy(p + IP4_LEN, sec, 11);
	memcpy(p + IP4_LEN + 11, rr, 7);
	memcpy(p + IP4_LEN + 18, lsrr, 7);
	memcpy(p + IP4_LEN + 25, ts, 12);
	p[IP4_LEN + 37] = 1;
	p[IP4_LEN + 38] = 0;
	p[IP4_LEN + 39] = 0;
	put16(p + 10, 0);
	put16(p + 10, fold(sum16(0, p, 60)));
	rc |= write_router(dir, "options-mtu576", 0, 576, 1900, 0, p, n + 8);
	n = frag4(p, IP4_LEN, 1500, 0x2000);
	rc |= write_router(dir, "first-fragment", 0, 1000, 1500, 0, p, n + 8);
	n = frag4(p, IP4_LEN, 1500, 0x2000 | 185);
	rc |= write_router(dir, "middle-fragment", 0, 600, 1500, 0, p, n);
	n = frag4(p, IP4_LEN, 1400, 370);
	rc |= write_router(dir, "last-fragment", 0, 1280, 1400, 0, p, n);
	n = frag4(p, IP4_LEN, 1500, 0);
	p[0] = 0x44; /* a header shorter than 20 bytes: refused */
	rc |= write_router(dir, "short-ihl", 0, 1420, 1500, 0, p, n);

	/* Frames only: to a solicited-node group of ours and to all-routers (not ours). */
	memcpy(p, "\x33\x33\xff\xab\xcd\xef\x02\x00\x00\x00\x00\x09\x86\xdd", ETH_LEN);
	rc |= write_seed(dir, "router", "frame-solicited-node", 1, p, ETH_LEN + IP6_LEN);
	memcpy(p, "\x33\x33\x00\x00\x00\x02", 6);
	rc |= write_seed(dir, "router", "frame-all-routers", 1, p, ETH_LEN + IP6_LEN);
	return rc;
}

static int write_text(const char *dir, const char *target, const char *name, const char *text)
{
	FILE *f = open_seed(dir, target, name);
	size_t len = strlen(text);
	int ok;

	if (!f)
		return -1;
	ok = fwrite(text, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void hex(char out[65], const uint8_t key[32])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", key[i]);
}

static int text_seeds(const char *dir)
{
	uint8_t peer1[32], peer2[32], psk[32], stranger[32];
	char cfg[4096], buf[8192], h1[65], h2[65], hp[65], hs[65], b1[45], bs[45];
	int rc = 0;

	fuzz_config_json(cfg, sizeof(cfg));
	fuzz_config_keys(peer1, peer2, psk, stranger);
	hex(h1, peer1);
	hex(h2, peer2);
	hex(hp, psk);
	hex(hs, stranger);
	wgc_key_to_base64(b1, peer1);
	wgc_key_to_base64(bs, stranger);
	rc |= write_text(dir, "config", "inline-keys.json", cfg);

	/* The control socket: requests as wgdpctl sends them, one a line. */
	rc |= write_text(dir, "ctl", "show", "{\"cmd\":\"show\"}\n");
	rc |= write_text(dir, "ctl", "stats",
			 "{\"cmd\":\"stats\"}\n{\"cmd\":\"clear-stats\"}\r\n{\"cmd\":\"stats\"}\n");
	snprintf(buf, sizeof(buf),
		 "{\"cmd\":\"peer-add\",\"peer\":{\"public_key\":\"%s\","
		 "\"allowed_ips\":[\"10.0.9.0/24\",\"fd00:9::/64\"],"
		 "\"endpoint\":\"192.0.2.9:51820\",\"persistent_keepalive\":10}}\n"
		 "{\"cmd\":\"show\"}\n",
		 bs);
	rc |= write_text(dir, "ctl", "peer-add", buf);
	snprintf(buf, sizeof(buf), "{\"cmd\":\"peer-remove\",\"public_key\":\"%s\"}\n", b1);
	rc |= write_text(dir, "ctl", "peer-remove", buf);
	snprintf(buf, sizeof(buf),
		 "{\"cmd\":\"set-peers\",\"dry_run\":true,\"peers\":[{\"public_key\":\"%s\","
		 "\"allowed_ips\":[\"10.0.1.0/24\"]},{\"public_key\":\"%s\","
		 "\"allowed_ips\":[\"10.0.9.0/24\"]}]}\n{\"cmd\":\"set-peers\",\"peers\":[]}\n",
		 b1, bs);
	rc |= write_text(dir, "ctl", "set-peers", buf);
	snprintf(buf, sizeof(buf), "{\"cmd\":\"set-config\",\"config\":%.*s}\n",
		 (int)strcspn(cfg, "\n"), cfg);
	rc |= write_text(dir, "ctl", "set-config", buf);
	rc |= write_text(dir, "ctl", "reload", "{\"cmd\":\"reload\"}\n");
	rc |= write_text(dir, "ctl", "log-level",
			 "{\"cmd\":\"set-log-level\",\"type\":\"wgdp.*\",\"level\":\"debug\"}\n"
			 "{\"cmd\":\"set-log-level\",\"type\":\"wgdp.handshake\",\"level\":3}\n");
	rc |= write_text(dir, "ctl", "bad", "not json\n{\"cmd\":1}\n[]\n{\"cmd\":\"nope\"}\n{\"cm");

	/* The UAPI: what wg set / wg setconf / wg show write to the socket. */
	snprintf(buf, sizeof(buf),
		 "set=1\nprivate_key=%s\nlisten_port=51820\nfwmark=0\nreplace_peers=true\n"
		 "public_key=%s\npreshared_key=%s\nprotocol_version=1\n"
		 "endpoint=198.51.100.7:51820\npersistent_keepalive_interval=25\n"
		 "replace_allowed_ips=true\nallowed_ip=10.0.1.0/24\nallowed_ip=fd00:1::/64\n"
		 "public_key=%s\nreplace_allowed_ips=true\nallowed_ip=10.0.2.0/24\n\n"
		 "get=1\n\n",
		 hs, h1, hp, h2);
	rc |= write_text(dir, "uapi", "setconf", buf);
	rc |= write_text(dir, "ctl", "uapi-setconf", buf);
	snprintf(buf, sizeof(buf),
		 "set=1\npublic_key=%s\nendpoint=[2001:db8::9]:51820\nallowed_ip=10.0.5.0/24\n"
		 "allowed_ip=fd00:5::/64\n\nget=1\n\n",
		 hs);
	rc |= write_text(dir, "uapi", "add-peer", buf);
	rc |= write_text(dir, "ctl", "uapi-add-peer", buf);
	snprintf(buf, sizeof(buf), "set=1\npublic_key=%s\nremove=true\n\nget=1\n\n", h2);
	rc |= write_text(dir, "uapi", "remove-peer", buf);
	rc |= write_text(dir, "ctl", "uapi-remove-peer", buf);
	snprintf(buf, sizeof(buf),
		 "set=1\npublic_key=%s\nupdate_only=true\npersistent_keepalive_interval=0\n"
		 "preshared_key=%064d\n\n",
		 h1, 0);
	rc |= write_text(dir, "uapi", "update-only", buf);
	rc |= write_text(dir, "uapi", "get", "get=1\n\n");
	return rc;
}

int main(int argc, char **argv)
{
	struct fuzz_side ini, resp;
	struct wg_msg_initiation init;
	struct wg_msg_response response;
	struct wg_msg_cookie reply;
	struct wg_handshake *hs;
	static const uint8_t src[4] = { 192, 0, 2, 7 };
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus CORPUS_DIR\n");
		return 2;
	}
	fuzz_init_crypto();
	fuzz_initiator_sent(&ini, &resp, &init);
	rc |= write_seed(argv[1], "initiation", "valid", 0x00, &init, sizeof(init));
	rc |= write_seed(argv[1], "initiation", "valid-fixmac", 0x01, &init, sizeof(init));
	rc |= write_seed(argv[1], "initiation", "under-load", 0x07, &init, sizeof(init));
	rc |= write_seed(argv[1], "initiation", "replay", 0x09, &init, sizeof(init));
	rc |= write_seed(argv[1], "initiation", "flood", 0x51, &init, sizeof(init));

	/* The responder's answer to exactly the initiation fuzz_response waits on. */
	hs = wg_noise_consume_initiation(&init, &resp.id, fuzz_lookup, &resp, FUZZ_NOW, NULL);
	if (!hs || wg_noise_create_response(&response, hs, FUZZ_RESPONDER_INDEX) != WG_NOISE_OK)
		return 1;
	wg_cookie_add_macs(&resp.maker, &response, sizeof(response), FUZZ_NOW);
	rc |= write_seed(argv[1], "response", "valid", 0x00, &response, sizeof(response));
	rc |= write_seed(argv[1], "response", "answered", 0x03, &response, sizeof(response));

	/* A cookie reply to that initiation, as a responder under load sends it. */
	if (!wg_cookie_reply_create(&reply, &resp.checker, &init, sizeof(init),
				    FUZZ_INITIATOR_INDEX, src, sizeof(src), 51820, FUZZ_NOW))
		return 1;
	rc |= write_seed(argv[1], "cookie", "valid", 0x00, &reply, sizeof(reply));
	rc |= write_seed(argv[1], "cookie", "late", 0x01, &reply, sizeof(reply));

	rc |= classify_seeds(argv[1], &init, &response, &reply);
	rc |= neigh_seeds(argv[1]);
	rc |= text_seeds(argv[1]);
	rc |= data_seeds(argv[1]);
	rc |= icmp_seeds(argv[1]);
	rc |= router_seeds(argv[1]);
	if (rc)
		fprintf(stderr, "gen_corpus: cannot write under %s\n", argv[1]);
	return rc ? 1 : 0;
}
