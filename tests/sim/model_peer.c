/* SPDX-License-Identifier: MIT */
/*
 * A model WireGuard peer on the outside port: lib/wg's handshake, cookies, keypair slots,
 * replay window and timers, driven the way the kernel's send.c / receive.c / timers.c drive
 * them, with one-message AEAD from lib/crypto (not the batch path wgdp uses). It initiates and
 * responds, rekeys after REKEY_AFTER_TIME as initiator, sends keepalives, retries and gives up,
 * and counts every inner packet from the host by sequence number.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "crypto/aead.h"
#include "crypto/ct.h"
#include "crypto/x25519.h"
#include "sim.h"
#include "wg/replay.h"

#define MTU 1420

static const uint8_t wgdp_ip[4] = { 192, 0, 2, 1 };

/* The model's timer work comes due at this time; the harness scans a dense array of them. */
static void touch(struct sim_peer *p)
{
	sim_due(p->sim, p->id, model_peer_deadline(p));
}

uint64_t model_peer_deadline(const struct sim_peer *p)
{
	return p->online ? wg_timers_next_deadline(&p->timers) : UINT64_MAX;
}

static struct wg_handshake *lookup(void *ctx, const uint8_t key[32])
{
	struct sim_peer *p = ctx;

	return memcmp(key, p->wgdp_pub, 32) == 0 ? &p->hs : NULL;
}

void model_peer_init(struct sim_peer *p, struct sim *s, unsigned int id)
{
	uint8_t priv[32];

	p->sim = s;
	p->id = id;
	sim_peer_ip(id, p->ip);
	p->port = (uint16_t)(40000 + id);
	wgc_x25519_generate(priv);
	wg_identity_set(&p->ident, priv);
	wgc_memzero(priv, sizeof(priv));
	memcpy(p->wgdp_pub, s->wgdp_pub, 32);
	wg_handshake_init(&p->hs, &p->ident, s->wgdp_pub, NULL);
	wg_cookie_maker_init(&p->maker, s->wgdp_pub);
	wg_cookie_checker_init(&p->checker, p->ident.public_key);
	wg_timers_init(&p->timers);
	p->next_index = (id + 1) << 12;
	p->online = true;
	touch(p);
}

static void free_kps(struct wg_keypair **kps, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		wg_keypair_wipe(kps[i]);
		free(kps[i]);
	}
}

static void clear_keys(struct sim_peer *p)
{
	struct wg_keypair *old[3];

	free_kps(old, wg_keypairs_clear(&p->kps, old));
	p->newest = NULL;
}

void model_peer_free(struct sim_peer *p)
{
	if (!p->sim)
		return;
	clear_keys(p);
	wg_handshake_wipe(&p->hs);
	wg_identity_clear(&p->ident);
	free(p->seen);
	p->seen = NULL;
}

bool model_peer_has_session(const struct sim_peer *p)
{
	const struct wg_keypair *kp = p->kps.current;

	return kp && kp->valid &&
	       !wg_timers_keypair_expired(kp->birth, kp->send_counter, wg_clock_mono_ns());
}

void model_peer_initiate(struct sim_peer *p, uint64_t now, bool retry)
{
	struct wg_msg_initiation msg;

	if (!retry)
		wg_timers_on_new_handshake_requested(&p->timers);
	/* Whitepaper 6.1: one initiation per REKEY_TIMEOUT (kernel last_sent_handshake). */
	if (p->last_initiation_sent && now - p->last_initiation_sent < WG_REKEY_TIMEOUT)
		return;
	if (wg_noise_create_initiation(&msg, &p->hs, &p->ident, ++p->next_index,
				       wg_clock_real_ns()) != WG_NOISE_OK)
		return;
	wg_cookie_add_macs(&p->maker, &msg, sizeof(msg), now);
	p->last_initiation_sent = now;
	p->initiations_sent++;
	sim_send_outside(p->sim, p, &msg, sizeof(msg));
	wg_timers_on_handshake_initiated(&p->timers, now, wgc_random_u32());
	wg_timers_on_any_authenticated_sent(&p->timers, now);
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	touch(p);
}

/* The host-bound inner packet with sequence number seq (model_host.c reads it). */
static uint16_t inner_packet(const struct sim_peer *p, uint64_t seq, uint8_t *out)
{
	static const uint8_t host[4] = { 10, 0, 0, 2 };
	uint8_t src[4];

	sim_inner_ip(p->id, src);
	return sim_inner_packet(out, src, host, p->id, seq);
}

/* Encrypts plain (len bytes, 0 for a keepalive) under kp and sends it (kernel send.c). */
static void send_with(struct sim_peer *p, struct wg_keypair *kp, const uint8_t *plain, uint16_t len,
		      uint64_t now)
{
	uint8_t msg[sizeof(struct wg_msg_data) + 128 + WGC_AEAD_TAG_LEN] = { 0 };
	struct wg_msg_data *hdr = (struct wg_msg_data *)msg;
	size_t padded = wg_padded_len(len, MTU);
	uint64_t counter = kp->send_counter++;

	wg_msg_header_init(&hdr->header, WG_MSG_DATA);
	wg_put_le32(hdr->receiver, kp->remote_index);
	wg_put_le64(hdr->counter, counter);
	if (len)
		memcpy(msg + sizeof(*hdr), plain, len);
	wgc_aead_encrypt(msg + sizeof(*hdr), msg + sizeof(*hdr), padded, NULL, 0, counter,
			 kp->send_key);
	sim_send_outside(p->sim, p, msg, (uint16_t)(sizeof(*hdr) + padded + WGC_AEAD_TAG_LEN));
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	wg_timers_on_any_authenticated_sent(&p->timers, now);
	if (len)
		wg_timers_on_data_sent(&p->timers, now, wgc_random_u32());
	/* keep_key_fresh on send: message count, or age as the initiator. */
	if (wg_timers_should_rekey_on_send(kp->initiator, kp->birth, kp->send_counter, now))
		model_peer_initiate(p, now, false);
}

/* Sends what waited for a session; a keepalive if nothing did and keepalive is asked. */
static void flush_queued(struct sim_peer *p, uint64_t now, bool keepalive)
{
	uint8_t pkt[64];
	unsigned int n = p->n_queued;

	if (!model_peer_has_session(p))
		return;
	p->n_queued = 0;
	for (unsigned int i = 0; i < n; i++)
		send_with(p, p->kps.current, pkt, inner_packet(p, p->queued[i], pkt), now);
	if (!n && keepalive)
		send_with(p, p->kps.current, NULL, 0, now);
}

void model_peer_send(struct sim_peer *p, uint64_t now)
{
	uint64_t seq = p->tx_seq++;
	uint8_t pkt[64];

	if (model_peer_has_session(p)) {
		send_with(p, p->kps.current, pkt, inner_packet(p, seq, pkt), now);
	} else {
		if (p->n_queued == sizeof(p->queued) / sizeof(p->queued[0])) {
			memmove(p->queued, p->queued + 1, (p->n_queued - 1) * sizeof(p->queued[0]));
			p->n_queued--;
		}
		p->queued[p->n_queued++] = seq;
		model_peer_initiate(p, now, false);
	}
	touch(p);
}

static void send_keepalive(struct sim_peer *p, uint64_t now)
{
	if (model_peer_has_session(p))
		send_with(p, p->kps.current, NULL, 0, now);
	else
		model_peer_initiate(p, now, false);
}

/* A fresh keypair from the finished handshake into the slots (responder: next). */
static void add_keypair(struct sim_peer *p, uint64_t now)
{
	struct wg_keypair *kp = calloc(1, sizeof(*kp)), *old[2];

	if (!kp || !wg_noise_derive_keypair(kp, &p->hs, now)) {
		free(kp);
		return;
	}
	free_kps(old, wg_keypairs_add(&p->kps, kp, old));
	p->newest = kp;
	p->newest_seen = false;
	wg_timers_on_session_derived(&p->timers, now);
}

/*
 * mac1 always; mac2 counted when it verifies. Loaded, we answer without a good mac2 with a
 * cookie reply to the message's sender index (kernel receive.c, for initiations and responses
 * alike). True when the message may go on to Noise.
 */
static bool admit(struct sim_peer *p, const uint8_t *msg, uint16_t len, uint64_t now)
{
	enum wg_cookie_mac_state st =
		wg_cookie_validate(&p->checker, msg, len, wgdp_ip, 4, SIM_LISTEN_PORT, true, now);
	struct wg_msg_cookie reply;

	if (st == WG_COOKIE_MAC_INVALID)
		return false;
	if (st == WG_COOKIE_MAC1_AND_MAC2_VALID) {
		p->mac2_valid_seen++;
		return true;
	}
	if (!p->loaded)
		return true;
	if (wg_cookie_reply_create(&reply, &p->checker, msg, len, wg_get_le32(msg + 4), wgdp_ip, 4,
				   SIM_LISTEN_PORT, now)) {
		sim_send_outside(p->sim, p, &reply, sizeof(reply));
		p->cookies_sent++;
	}
	return false;
}

static void rx_initiation(struct sim_peer *p, const uint8_t *msg, uint16_t len, uint64_t now)
{
	struct wg_msg_response resp;

	if (p->ignore_initiations || !admit(p, msg, len, now))
		return;
	if (!wg_noise_consume_initiation((const struct wg_msg_initiation *)msg, &p->ident, lookup,
					 p, now, NULL))
		return;
	wg_timers_on_any_authenticated_received(&p->timers, now);
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	if (wg_noise_create_response(&resp, &p->hs, ++p->next_index) != WG_NOISE_OK)
		return;
	wg_cookie_add_macs(&p->maker, &resp, sizeof(resp), now);
	add_keypair(p, now);
	sim_send_outside(p->sim, p, &resp, sizeof(resp));
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	wg_timers_on_any_authenticated_sent(&p->timers, now);
}

static void rx_response(struct sim_peer *p, const uint8_t *msg, uint16_t len, uint64_t now)
{
	const struct wg_msg_response *r = (const struct wg_msg_response *)msg;

	if (!admit(p, msg, len, now))
		return;
	if (p->hs.state != WG_HS_CREATED_INITIATION ||
	    wg_get_le32(r->receiver) != p->hs.local_index ||
	    wg_noise_consume_response(r, &p->hs, &p->ident) != WG_NOISE_OK)
		return;
	add_keypair(p, now);
	p->handshakes++;
	wg_timers_on_handshake_complete(&p->timers, now);
	wg_timers_on_any_authenticated_received(&p->timers, now);
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	/* The kernel confirms the session at once: what waited, or a keepalive. */
	flush_queued(p, now, true);
}

static struct wg_keypair *find_kp(struct sim_peer *p, uint32_t index)
{
	struct wg_keypair *c[3] = { p->kps.current, p->kps.previous, p->kps.next };

	for (unsigned int i = 0; i < 3; i++)
		if (c[i] && c[i]->valid && c[i]->local_index == index)
			return c[i];
	return NULL;
}

static void rx_cookie(struct sim_peer *p, const uint8_t *msg, uint64_t now)
{
	const struct wg_msg_cookie *c = (const struct wg_msg_cookie *)msg;
	uint32_t index = wg_get_le32(c->receiver);

	if (index == p->hs.local_index || find_kp(p, index))
		wg_cookie_reply_consume(&p->maker, c, now);
}

/* An inner packet from the host: ours, right source, counted once by sequence number. */
static void count_inner(struct sim_peer *p, const uint8_t *ip, size_t len)
{
	uint32_t magic, peer;
	uint64_t seq;
	uint8_t me[4];

	sim_inner_ip(p->id, me);
	if (len < 44 || (ip[0] >> 4) != 4 || memcmp(ip + 16, me, 4) != 0)
		return;
	memcpy(&magic, ip + 28, 4);
	memcpy(&peer, ip + 32, 4);
	memcpy(&seq, ip + 36, 8);
	if (magic != SIM_INNER_MAGIC || peer != p->id)
		return;
	if (sim_seen_mark(&p->seen, &p->seen_bits, seq))
		p->rx_inner++;
	else
		p->rx_dup++;
}

/* The responder's keypair confirmed by the initiator's first data (kernel receive.c). */
static void confirm(struct sim_peer *p, struct wg_keypair *kp, uint64_t now)
{
	struct wg_keypair *old = NULL;

	if (!wg_keypairs_confirm(&p->kps, kp, &old))
		return;
	if (old)
		free_kps(&old, 1);
	p->handshakes++;
	wg_timers_on_handshake_complete(&p->timers, now);
	flush_queued(p, now, false);
}

static void rx_data(struct sim_peer *p, const uint8_t *msg, uint16_t len, uint64_t now)
{
	const struct wg_msg_data *hdr = (const struct wg_msg_data *)msg;
	struct wg_keypair *kp = find_kp(p, wg_get_le32(hdr->receiver));
	uint64_t counter = wg_get_le64(hdr->counter);
	uint8_t plain[MTU];
	size_t plen = len - sizeof(*hdr) - WGC_AEAD_TAG_LEN;

	if (!kp || plen > sizeof(plain) || wg_timers_keypair_expired(kp->birth, counter, now) ||
	    !wgc_aead_decrypt(plain, msg + sizeof(*hdr), len - sizeof(*hdr), NULL, 0, counter,
			      kp->recv_key) ||
	    !wg_replay_check(&kp->replay, counter))
		return;
	if (kp == p->newest && !p->newest_seen) {
		p->newest_seen = true;
		p->first_counter = counter;
		p->first_was_keepalive = plen == 0;
	}
	if (kp == p->kps.next)
		confirm(p, kp, now);
	wg_timers_on_any_authenticated_received(&p->timers, now);
	wg_timers_on_any_authenticated_traversal(&p->timers, now);
	if (plen == 0) {
		p->rx_keepalives++;
	} else {
		wg_timers_on_data_received(&p->timers, now);
		count_inner(p, plain, plen);
	}
	/* keep_key_fresh on receive: the initiator's last chance, once a session. */
	if (kp == p->kps.current &&
	    wg_timers_take_lastminute_rekey(&p->timers, kp->initiator, kp->birth, now))
		model_peer_initiate(p, now, false);
}

void model_peer_rx(struct sim_peer *p, const uint8_t *msg, uint16_t len, uint16_t dport)
{
	uint64_t now = wg_clock_mono_ns();

	if (!p->online)
		return;
	if (dport != p->port) {
		p->rx_wrong_port++; /* the NAT mapping we left: nobody listens there */
		return;
	}
	switch (wg_msg_classify(msg, len)) {
	case WG_MSG_INITIATION:
		rx_initiation(p, msg, len, now);
		break;
	case WG_MSG_RESPONSE:
		rx_response(p, msg, len, now);
		break;
	case WG_MSG_COOKIE:
		rx_cookie(p, msg, now);
		break;
	case WG_MSG_DATA:
		rx_data(p, msg, len, now);
		break;
	}
	touch(p);
}

void model_peer_tick(struct sim_peer *p, uint64_t now)
{
	unsigned int act;

	if (!p->online || now < wg_timers_next_deadline(&p->timers)) {
		touch(p);
		return;
	}
	act = wg_timers_poll(&p->timers, now);
	if (act & WG_TIMER_ZERO_KEYS) {
		clear_keys(p);
		wg_handshake_clear(&p->hs);
	}
	if (act & WG_TIMER_GIVE_UP)
		p->n_queued = 0;
	if (act & WG_TIMER_SEND_INITIATION)
		model_peer_initiate(p, now, true);
	if (act & WG_TIMER_SEND_KEEPALIVE)
		send_keepalive(p, now);
	touch(p);
}
