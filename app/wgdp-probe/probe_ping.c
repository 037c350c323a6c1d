/* SPDX-License-Identifier: MIT */
/* The --ping echo: an ICMP or ICMPv6 echo request sealed in a WireGuard transport message. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto/aead.h"
#include "crypto/ct.h"
#include "probe.h"
#include "wg/messages.h"

#define IPV4_HDR_LEN	20
#define IPV6_HDR_LEN	40
#define ICMP_HDR_LEN	8
#define ECHO_DATA_LEN	56
#define PROBE_MTU	1420

int probe_parse_ping(struct probe_ping *ping, const char *text)
{
	char buf[128];
	char *comma;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	comma = strchr(buf, ',');
	if (!comma)
		return -1;
	*comma = '\0';
	memset(ping, 0, sizeof(*ping));
	ping->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(ping->family, buf, ping->src) != 1 ||
	    inet_pton(ping->family, comma + 1, ping->dst) != 1)
		return -1;
	ping->id = (uint16_t)wgc_random_u32();
	ping->seq = 1;
	return 0;
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The ICMPv6 checksum covers a pseudo-header of addresses, length and next header. */
static uint16_t icmp6_checksum(const uint8_t *src, const uint8_t *dst, const uint8_t *icmp,
			       size_t len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	tail[7] = 58;
	sum = sum16(0, src, 16);
	sum = sum16(sum, dst, 16);
	sum = sum16(sum, tail, sizeof(tail));
	return fold(sum16(sum, icmp, len));
}

/* Builds the inner packet; returns its length. */
static size_t build_inner(uint8_t *ip, const struct probe_ping *ping)
{
	size_t icmp_len = ICMP_HDR_LEN + ECHO_DATA_LEN;
	uint8_t *icmp;

	if (ping->family == AF_INET) {
		memset(ip, 0, IPV4_HDR_LEN);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(IPV4_HDR_LEN + icmp_len));
		ip[8] = 64; /* TTL */
		ip[9] = 1;  /* ICMP */
		memcpy(ip + 12, ping->src, 4);
		memcpy(ip + 16, ping->dst, 4);
		put16(ip + 10, fold(sum16(0, ip, IPV4_HDR_LEN)));
		icmp = ip + IPV4_HDR_LEN;
	} else {
		memset(ip, 0, IPV6_HDR_LEN);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)icmp_len);
		ip[6] = 58; /* ICMPv6 */
		ip[7] = 64; /* hop limit */
		memcpy(ip + 8, ping->src, 16);
		memcpy(ip + 24, ping->dst, 16);
		icmp = ip + IPV6_HDR_LEN;
	}
	memset(icmp, 0, icmp_len);
	icmp[0] = ping->family == AF_INET ? 8 : 128; /* echo request */
	put16(icmp + 4, ping->id);
	put16(icmp + 6, ping->seq);
	for (size_t i = 0; i < ECHO_DATA_LEN; i++)
		icmp[ICMP_HDR_LEN + i] = (uint8_t)i;
	if (ping->family == AF_INET)
		put16(icmp + 2, fold(sum16(0, icmp, icmp_len)));
	else
		put16(icmp + 2, icmp6_checksum(ping->src, ping->dst, icmp, icmp_len));
	return (size_t)(icmp - ip) + icmp_len;
}

size_t probe_build_echo(uint8_t *out, size_t cap, const struct probe_ping *ping,
			struct wg_keypair *kp)
{
	struct wg_msg_data *hdr = (struct wg_msg_data *)out;
	uint8_t *payload = out + sizeof(*hdr);
	uint64_t counter = kp->send_counter++;
	size_t inner, padded;

	if (cap < sizeof(*hdr) + 128 + WGC_AEAD_TAG_LEN)
		return 0;
	inner = build_inner(payload, ping);
	padded = wg_padded_len(inner, PROBE_MTU);
	memset(payload + inner, 0, padded - inner);
	wg_msg_header_init(&hdr->header, WG_MSG_DATA);
	wg_put_le32(hdr->receiver, kp->remote_index);
	wg_put_le64(hdr->counter, counter);
	wgc_aead_encrypt(payload, payload, padded, NULL, 0, counter, kp->send_key);
	return sizeof(*hdr) + padded + WGC_AEAD_TAG_LEN;
}

static bool is_echo_reply(const uint8_t *ip, size_t len, const struct probe_ping *ping)
{
	const uint8_t *icmp;

	if (ping->family == AF_INET) {
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4;

		if (len < IPV4_HDR_LEN || ip[0] >> 4 != 4 || ihl < IPV4_HDR_LEN ||
		    len < ihl + ICMP_HDR_LEN || ip[9] != 1 || memcmp(ip + 12, ping->dst, 4) ||
		    memcmp(ip + 16, ping->src, 4))
			return false;
		icmp = ip + ihl;
		if (icmp[0] != 0)
			return false;
	} else {
		if (len < IPV6_HDR_LEN + ICMP_HDR_LEN || ip[0] >> 4 != 6 || ip[6] != 58 ||
		    memcmp(ip + 8, ping->dst, 16) || memcmp(ip + 24, ping->src, 16))
			return false;
		icmp = ip + IPV6_HDR_LEN;
		if (icmp[0] != 129)
			return false;
	}
	return get16(icmp + 4) == ping->id && get16(icmp + 6) == ping->seq;
}

bool probe_check_echo_reply(const uint8_t *msg, size_t len, const struct probe_ping *ping,
			    struct wg_keypair *kp)
{
	const struct wg_msg_data *hdr = (const struct wg_msg_data *)msg;
	uint8_t plain[2048];
	size_t plen;
	uint64_t counter;

	if (wg_msg_classify(msg, len) != WG_MSG_DATA || len - sizeof(*hdr) > sizeof(plain) ||
	    wg_get_le32(hdr->receiver) != kp->local_index)
		return false;
	counter = wg_get_le64(hdr->counter);
	plen = len - sizeof(*hdr) - WGC_AEAD_TAG_LEN;
	if (!wgc_aead_decrypt(plain, msg + sizeof(*hdr), len - sizeof(*hdr), NULL, 0, counter,
			      kp->recv_key) ||
	    !wg_replay_check(&kp->replay, counter))
		return false;
	return is_echo_reply(plain, plen, ping);
}
