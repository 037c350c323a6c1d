/* SPDX-License-Identifier: MIT */
/*
 * What a router does to an inner packet it forwards (issue #14): lower its TTL / hop limit
 * (RFC 1812 5.3.1, RFC 8200 3) and clamp the MSS of TCP connections being opened, so that
 * their segments fit the tunnel without fragmentation (the kernel's TCPMSS --clamp-mss-to-pmtu
 * is the usual way to do it by hand; here it is built in).
 *
 * Both run on every forwarded packet: they rewrite only what they must and fix checksums
 * incrementally (RFC 1624), never by a full recomputation. Headers may sit at any alignment:
 * bytes are read one by one.
 */
#ifndef WGDP_DP_INNER_H
#define WGDP_DP_INNER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * RFC 1624 eqn. 3: the checksum hc of data in which the 16-bit value old (as summed: in the
 * byte order of the words it lies in) became new, without the rest of the data:
 * HC' = ~(~HC + ~m + m'). All values as read big-endian from the packet.
 */
static inline uint16_t dp_cksum_update16(uint16_t hc, uint16_t old, uint16_t new_)
{
	uint32_t sum = (uint32_t)(uint16_t)~hc + (uint16_t)~old + new_;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Lowers the TTL / hop limit of a packet being forwarded by one; IPv4's header checksum fixed
 * incrementally (RFC 1624, eqn. 3). False, packet untouched, when TTL/hop limit is <= 1: it
 * expires here (the caller answers time exceeded; RFC 1812 5.3.1 lets a router deliver to
 * itself a packet with TTL 1, but we forward everything). ip at the IP header, a valid header
 * of family 4 or 6 (anything else: false).
 */
/* Whether a packet being forwarded dies here: TTL / hop limit 1 or 0 (RFC 1812 5.3.1). */
static inline bool dp_inner_ttl_expires(const uint8_t *ip, uint8_t family)
{
	return (family == 6 ? ip[7] : ip[8]) <= 1;
}

static inline bool dp_inner_dec_ttl(uint8_t *ip, uint8_t family)
{
	uint16_t hc, old;

	if (family == 6) {
		if (ip[7] <= 1)
			return false;
		ip[7]--;
		return true;
	}
	if (family != 4 || ip[8] <= 1)
		return false;
	/* TTL is the high byte of the header's fifth 16-bit word, the protocol its low byte. */
	old = (uint16_t)(ip[8] << 8 | ip[9]);
	hc = (uint16_t)(ip[10] << 8 | ip[11]);
	ip[8]--;
	hc = dp_cksum_update16(hc, old, (uint16_t)(old - 0x100));
	ip[10] = (uint8_t)(hc >> 8);
	ip[11] = (uint8_t)hc;
	return true;
}

/*
 * A TCP segment with SYN set (SYN or SYN-ACK) whose MSS option is above mss: lowered to mss,
 * the TCP checksum fixed incrementally; true when changed. Every MSS option is clamped, should
 * there be several (receivers differ on which one counts).
 *
 * Left alone: IPv4 fragments (offset != 0 or MF set: the first fragment's checksum covers data
 * we do not have); IPv6 unless TCP is the first next header (a SYN behind extension headers is
 * rare enough not to walk them on every packet); a TCP header or option list that is malformed
 * (data offset < 5 or past the packet, an option length < 2 or past the data offset, an MSS
 * option whose length is not 4: clamping stops there, untouched). EOL ends the options.
 *
 * ip/len: the packet at its IP header, len bytes available; the IP header's own length bounds
 * it further. The non-SYN case costs a protocol and a flags test.
 */
bool dp_inner_clamp_mss(uint8_t *ip, uint32_t len, uint8_t family, uint16_t mss);

#endif
