/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ct.h"
#include "key_map.h"
#include "prefix_map.h"
#include "uapi.h"

static int bad(char *msg, size_t msglen, int err, const char *fmt, const char *a, size_t alen)
{
	snprintf(msg, msglen, fmt, (int)alen, a);
	return err;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_hex_key(const char *v, size_t len, uint8_t key[32])
{
	if (len != 64)
		return false;
	for (size_t i = 0; i < 32; i++) {
		int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool parse_uint(const char *v, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (!len || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	*out = n;
	return n <= max;
}

static bool is_true(const char *v, size_t len)
{
	return len == 4 && memcmp(v, "true", 4) == 0;
}

static bool bool_value(const char *v, size_t len, bool *out)
{
	*out = is_true(v, len);
	return *out || (len == 5 && memcmp(v, "false", 5) == 0);
}

static struct ctl_uapi_peer *new_peer(struct ctl_uapi_set *set)
{
	struct ctl_uapi_peer *bigger = realloc(set->peers, (set->n_peers + 1) * sizeof(*bigger));

	if (!bigger)
		return NULL;
	set->peers = bigger;
	memset(&set->peers[set->n_peers], 0, sizeof(set->peers[0]));
	return &set->peers[set->n_peers++];
}

static bool add_allowed_ip(struct ctl_uapi_peer *p, const struct wgdp_prefix *pf)
{
	struct wgdp_prefix *bigger = realloc(p->allowed_ips,
					     (p->n_allowed_ips + 1) * sizeof(*bigger));

	if (!bigger)
		return false;
	p->allowed_ips = bigger;
	p->allowed_ips[p->n_allowed_ips++] = *pf;
	return true;
}

/* A device-level key (before the first public_key=). */
static int device_key(struct ctl_uapi_set *set, const char *k, size_t klen, const char *v,
		      size_t vlen, char *msg, size_t msglen)
{
	uint64_t n;

#define KEY(name) (klen == sizeof(name) - 1 && memcmp(k, name, klen) == 0)
	if (KEY("private_key")) {
		if (!parse_hex_key(v, vlen, set->private_key))
			return bad(msg, msglen, EINVAL, "private_key: %.*s", "not 64 hex digits", 17);
		set->has_private_key = true;
	} else if (KEY("listen_port")) {
		if (!parse_uint(v, vlen, 65535, &n))
			return bad(msg, msglen, EINVAL, "listen_port: not a port: %.*s", v, vlen);
		set->has_listen_port = true;
		set->listen_port = (uint16_t)n;
	} else if (KEY("fwmark")) {
		if (!parse_uint(v, vlen, UINT32_MAX, &n))
			return bad(msg, msglen, EINVAL, "fwmark: not a number: %.*s", v, vlen);
		set->has_fwmark = true;
		set->fwmark = (uint32_t)n;
	} else if (KEY("replace_peers")) {
		if (!bool_value(v, vlen, &set->replace_peers))
			return bad(msg, msglen, EINVAL, "replace_peers: %.*s", v, vlen);
	} else {
		return bad(msg, msglen, EINVAL, "unknown device key: %.*s", k, klen);
	}
	return 0;
}

static int peer_key(struct ctl_uapi_peer *p, const char *k, size_t klen, const char *v,
		    size_t vlen, char *msg, size_t msglen)
{
	char text[128];
	struct wgdp_prefix pf;
	uint64_t n;

	if (vlen >= sizeof(text))
		return bad(msg, msglen, EINVAL, "value too long for %.*s", k, klen);
	memcpy(text, v, vlen);
	text[vlen] = '\0';
	if (KEY("remove")) {
		if (!bool_value(v, vlen, &p->remove))
			return bad(msg, msglen, EINVAL, "remove: %.*s", v, vlen);
	} else if (KEY("update_only")) {
		if (!bool_value(v, vlen, &p->update_only))
			return bad(msg, msglen, EINVAL, "update_only: %.*s", v, vlen);
	} else if (KEY("preshared_key")) {
		if (!parse_hex_key(v, vlen, p->psk))
			return bad(msg, msglen, EINVAL, "preshared_key: %.*s", "not 64 hex digits", 17);
		p->has_psk = true;
	} else if (KEY("endpoint")) {
		if (!wgdp_parse_endpoint(text, &p->endpoint))
			return bad(msg, msglen, EINVAL, "endpoint: not an endpoint: %.*s", v, vlen);
		p->has_endpoint = true;
	} else if (KEY("persistent_keepalive_interval")) {
		if (!parse_uint(v, vlen, 65535, &n))
			return bad(msg, msglen, EINVAL, "persistent_keepalive_interval: %.*s", v, vlen);
		p->has_keepalive = true;
		p->persistent_keepalive = (uint16_t)n;
	} else if (KEY("replace_allowed_ips")) {
		if (!bool_value(v, vlen, &p->replace_allowed_ips))
			return bad(msg, msglen, EINVAL, "replace_allowed_ips: %.*s", v, vlen);
	} else if (KEY("allowed_ip")) {
		if (!wgdp_parse_prefix(text, &pf, true))
			return bad(msg, msglen, EINVAL, "allowed_ip: not a prefix: %.*s", v, vlen);
		if (!add_allowed_ip(p, &pf))
			return bad(msg, msglen, ENOMEM, "%.*s", "out of memory", 13);
	} else if (KEY("protocol_version")) {
		if (vlen != 1 || v[0] != '1')
			return bad(msg, msglen, EPROTO, "protocol_version %.*s: only 1 is known", v,
				   vlen);
	} else {
		return bad(msg, msglen, EINVAL, "unknown peer key: %.*s", k, klen);
	}
	return 0;
#undef KEY
}

int ctl_uapi_parse_set(const char *text, size_t len, struct ctl_uapi_set *out, char *msg,
		       size_t msglen)
{
	struct ctl_uapi_peer *peer = NULL;
	const char *end = text + len;
	int err = 0;

	memset(out, 0, sizeof(*out));
	while (text < end && !err) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		const char *line_end = nl ? nl : end, *eq;
		size_t llen = (size_t)(line_end - text);

		eq = memchr(text, '=', llen);
		if (!llen) {
			text = line_end + (nl != NULL);
			continue;
		}
		if (!eq) {
			err = bad(msg, msglen, EINVAL, "not key=value: %.*s", text, llen);
			break;
		}
		if ((size_t)(eq - text) == 10 && memcmp(text, "public_key", 10) == 0) {
			peer = new_peer(out);
			if (!peer)
				err = bad(msg, msglen, ENOMEM, "%.*s", "out of memory", 13);
			else if (!parse_hex_key(eq + 1, (size_t)(line_end - eq - 1), peer->public_key))
				err = bad(msg, msglen, EINVAL, "public_key: %.*s", "not 64 hex digits",
					  17);
		} else if (peer) {
			err = peer_key(peer, text, (size_t)(eq - text), eq + 1,
				       (size_t)(line_end - eq - 1), msg, msglen);
		} else {
			err = device_key(out, text, (size_t)(eq - text), eq + 1,
					 (size_t)(line_end - eq - 1), msg, msglen);
		}
		text = line_end + (nl != NULL);
	}
	if (err)
		ctl_uapi_set_free(out);
	return err;
}

void ctl_uapi_set_free(struct ctl_uapi_set *set)
{
	for (unsigned int i = 0; i < set->n_peers; i++)
		free(set->peers[i].allowed_ips);
	if (set->peers)
		wgc_memzero(set->peers, set->n_peers * sizeof(set->peers[0]));
	free(set->peers);
	wgc_memzero(set, sizeof(*set));
}

static bool has_prefix(const struct wgdp_peer_config *pc, const struct wgdp_prefix *pf)
{
	for (unsigned int i = 0; i < pc->n_allowed_ips; i++)
		if (wgdp_prefix_equal(&pc->allowed_ips[i], pf))
			return true;
	return false;
}

static bool apply_peer(struct wgdp_peer_config *pc, const struct ctl_uapi_peer *up)
{
	if (up->has_psk) {
		pc->has_psk = !wgc_ct_is_zero(up->psk, 32);
		memcpy(pc->psk, up->psk, 32);
	}
	if (up->has_endpoint) {
		pc->has_endpoint = true;
		pc->endpoint = up->endpoint;
	}
	if (up->has_keepalive)
		pc->persistent_keepalive = up->persistent_keepalive;
	if (up->replace_allowed_ips)
		pc->n_allowed_ips = 0;
	for (unsigned int i = 0; i < up->n_allowed_ips; i++) {
		struct wgdp_prefix *bigger;

		if (has_prefix(pc, &up->allowed_ips[i]))
			continue;
		bigger = realloc(pc->allowed_ips, (pc->n_allowed_ips + 1) * sizeof(*bigger));
		if (!bigger)
			return false;
		pc->allowed_ips = bigger;
		pc->allowed_ips[pc->n_allowed_ips++] = up->allowed_ips[i];
	}
	return true;
}

/* Removes peer i, keeping the order of the others (wg show lists them in order). */
static void remove_peer(struct wgdp_config *cfg, uint32_t i)
{
	wgdp_peer_config_clear(&cfg->peers[i]);
	memmove(&cfg->peers[i], &cfg->peers[i + 1], (cfg->n_peers - i - 1) * sizeof(cfg->peers[0]));
	cfg->n_peers--;
}

static void rebuild_map(struct wgdp_key_map *m, const struct wgdp_config *cfg)
{
	wgdp_key_map_clear(m);
	for (uint32_t i = 0; i < cfg->n_peers; i++)
		wgdp_key_map_insert(m, cfg->peers[i].public_key, i);
}

static struct wgdp_config *fail_apply(struct wgdp_config *cfg, struct wgdp_key_map *m,
				      struct wgdp_prefix_map *claims, int err, int *errno_out,
				      char *msg, size_t msglen, const char *text)
{
	snprintf(msg, msglen, "%s", text);
	*errno_out = err;
	wgdp_key_map_fini(m);
	wgdp_prefix_map_free(claims);
	wgdp_config_free(cfg);
	return NULL;
}

/* Set peer k was applied: the prefixes it was given are its claims now, later ones winning. */
static void claim(struct wgdp_prefix_map *claims, const struct ctl_uapi_set *set, uint32_t k)
{
	for (unsigned int j = 0; j < set->peers[k].n_allowed_ips; j++)
		wgdp_prefix_map_set(claims, &set->peers[k].allowed_ips[j], k);
}

/*
 * The kernel's and wireguard-go's allowed-ips are one table: giving a prefix to a peer takes
 * it from the peer that held it. Here each peer has its own list, so after the set every
 * claimed prefix is dropped from the peers that are not its last claimant. One pass with a
 * lookup a prefix (a hash of the set's prefixes), and none when the set gave no prefix.
 */
static void move_claimed(struct wgdp_config *cfg, const struct wgdp_prefix_map *claims,
			 const struct ctl_uapi_set *set)
{
	for (uint32_t i = 0; i < cfg->n_peers; i++) {
		struct wgdp_peer_config *pc = &cfg->peers[i];
		unsigned int kept = 0;

		for (unsigned int j = 0; j < pc->n_allowed_ips; j++) {
			int64_t k = wgdp_prefix_map_find(claims, &pc->allowed_ips[j]);

			if (k < 0 || memcmp(set->peers[k].public_key, pc->public_key, 32) == 0)
				pc->allowed_ips[kept++] = pc->allowed_ips[j];
		}
		pc->n_allowed_ips = kept;
	}
}

static size_t set_prefixes(const struct ctl_uapi_set *set)
{
	size_t n = 0;

	for (unsigned int k = 0; k < set->n_peers; k++)
		n += set->peers[k].n_allowed_ips;
	return n;
}

/* The set's peers, in order, with wireguard-go's semantics; false when out of memory. */
static bool apply_peers(struct wgdp_config *cfg, const struct ctl_uapi_set *set,
			struct wgdp_key_map *m, struct wgdp_prefix_map *claims)
{
	for (uint32_t k = 0; k < set->n_peers; k++) {
		const struct ctl_uapi_peer *up = &set->peers[k];
		int64_t i = wgdp_key_map_find(m, cfg, up->public_key);

		if (up->remove) {
			if (i >= 0) {
				remove_peer(cfg, (uint32_t)i);
				rebuild_map(m, cfg); /* indexes moved: removals are rare */
			}
			continue;
		}
		if (i < 0) {
			if (up->update_only)
				continue;
			i = cfg->n_peers++;
			memset(&cfg->peers[i], 0, sizeof(cfg->peers[0]));
			memcpy(cfg->peers[i].public_key, up->public_key, 32);
			wgdp_key_map_insert(m, up->public_key, (uint32_t)i);
		}
		if (!apply_peer(&cfg->peers[i], up))
			return false;
		claim(claims, set, k);
	}
	return true;
}

struct wgdp_config *ctl_uapi_apply(const struct wgdp_config *running,
				   const struct ctl_uapi_set *set, int *errno_out, char *msg,
				   size_t msglen)
{
	struct wgdp_config *cfg = wgdp_config_dup(running, set->n_peers);
	size_t n_claims = set_prefixes(set);
	struct wgdp_prefix_map *claims = wgdp_prefix_map_new(n_claims);
	struct wgdp_config_error cerr;
	struct wgdp_key_map m = { 0 };

	if (!cfg || !claims)
		return fail_apply(cfg, &m, claims, ENOMEM, errno_out, msg, msglen, "out of memory");
	if (set->has_private_key && wgc_ct_is_zero(set->private_key, 32))
		return fail_apply(cfg, &m, claims, EINVAL, errno_out, msg, msglen,
				  "wgdp cannot run without a private key");
	if (set->has_private_key)
		memcpy(cfg->private_key, set->private_key, 32);
	/* Taken at once by the reload that applies it (another interface's port: refused). */
	if (set->has_listen_port)
		cfg->listen_port = set->listen_port;
	if (set->has_fwmark && set->fwmark)
		return fail_apply(cfg, &m, claims, EINVAL, errno_out, msg, msglen,
				  "wgdp has no fwmark (it is not a kernel interface)");
	if (set->replace_peers) {
		for (uint32_t i = 0; i < cfg->n_peers; i++)
			wgdp_peer_config_clear(&cfg->peers[i]);
		cfg->n_peers = 0;
	}
	if (!wgdp_key_map_init(&m, cfg->n_peers + set->n_peers))
		return fail_apply(cfg, &m, claims, ENOMEM, errno_out, msg, msglen, "out of memory");
	rebuild_map(&m, cfg);
	if (!apply_peers(cfg, set, &m, claims))
		return fail_apply(cfg, &m, claims, ENOMEM, errno_out, msg, msglen, "out of memory");
	if (n_claims)
		move_claimed(cfg, claims, set);
	wgdp_key_map_fini(&m);
	wgdp_prefix_map_free(claims);
	claims = NULL;
	if (!wgdp_config_check_peers(cfg, &cerr)) {
		char text[300];

		snprintf(text, sizeof(text), "%s: %s", cerr.path, cerr.message);
		return fail_apply(cfg, &m, claims, EINVAL, errno_out, msg, msglen, text);
	}
	*errno_out = 0;
	return cfg;
}

static void hex(FILE *f, const char *key, const uint8_t v[32])
{
	fprintf(f, "%s=", key);
	for (int i = 0; i < 32; i++)
		fprintf(f, "%02x", v[i]);
	fputc('\n', f);
}

char *ctl_uapi_format_get(const struct ctl_snapshot *snap, size_t *len)
{
	static const uint8_t zero[32];
	char *buf = NULL, text[WGDP_ENDPOINT_TEXT_MAX];
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	hex(f, "private_key", snap->private_key);
	fprintf(f, "listen_port=%u\n", snap->listen_port);
	for (unsigned int i = 0; i < snap->n_peers; i++) {
		const struct ctl_peer_state *p = &snap->peers[i];

		hex(f, "public_key", p->cfg.public_key);
		hex(f, "preshared_key", p->cfg.has_psk ? p->cfg.psk : zero);
		fprintf(f, "protocol_version=1\n");
		if (p->cfg.has_endpoint) {
			wgdp_format_endpoint(&p->cfg.endpoint, text, sizeof(text));
			fprintf(f, "endpoint=%s\n", text);
		}
		fprintf(f, "last_handshake_time_sec=%" PRIu64 "\n",
			p->last_handshake_ns / UINT64_C(1000000000));
		fprintf(f, "last_handshake_time_nsec=%" PRIu64 "\n",
			p->last_handshake_ns % UINT64_C(1000000000));
		fprintf(f, "tx_bytes=%" PRIu64 "\nrx_bytes=%" PRIu64 "\n", p->tx_bytes, p->rx_bytes);
		fprintf(f, "persistent_keepalive_interval=%u\n", p->cfg.persistent_keepalive);
		for (unsigned int j = 0; j < p->cfg.n_allowed_ips; j++) {
			wgdp_format_prefix(&p->cfg.allowed_ips[j], text, sizeof(text));
			fprintf(f, "allowed_ip=%s\n", text);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
