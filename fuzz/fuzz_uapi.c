/* SPDX-License-Identifier: MIT */
/*
 * The WireGuard UAPI socket as `wg` drives it: the server's framing (ctl_frame_uapi), then
 * for each request, as dp_admin_uapi does, a get (what `wg show` and the control socket's
 * show print of the config) or a set: ctl_uapi_parse_set, then ctl_uapi_apply against the
 * running config, which starts as a small config of two peers and takes each applied set.
 * A set that applies must give a config whose peers pass the whole-config checks and that
 * says what the set said: a peer whose last section is remove=true is gone, one whose last
 * section adds it is there with every allowed_ip of that section. A refusal must carry a
 * positive errno.
 *
 * Input: what a client writes to the socket, e.g. "set=1\npublic_key=...\n...\n\n".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "crypto/ct.h"
#include "ctl/server.h"
#include "ctl/snapshot.h"
#include "ctl/uapi.h"
#include "fuzz_common.h"

static struct wgdp_config *running;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct wgdp_config_error err;
	char text[4096];
	size_t len;

	(void)argc;
	(void)argv;
	fuzz_init_crypto();
	len = fuzz_config_json(text, sizeof(text));
	running = wgdp_config_parse(text, len, &err);
	wgc_memzero(text, sizeof(text));
	if (!running) {
		fprintf(stderr, "fuzz_uapi: base config: %s: %s\n", err.path, err.message);
		abort();
	}
	return 0;
}

/* What `wg show` and the control socket's show would print of cfg. */
static void render(const struct wgdp_config *cfg)
{
	struct ctl_snapshot snap;
	size_t len = 0;
	char *text;
	json_t *show;

	memset(&snap, 0, sizeof(snap));
	snprintf(snap.ifname, sizeof(snap.ifname), "%s", cfg->ifname);
	memcpy(snap.private_key, cfg->private_key, 32);
	snap.listen_port = cfg->listen_port;
	snap.mtu = cfg->mtu;
	snap.peers = calloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*snap.peers));
	CHECK(snap.peers);
	for (unsigned int i = 0; i < cfg->n_peers; i++) {
		CHECK(wgdp_peer_config_copy(&snap.peers[i].cfg, &cfg->peers[i]));
		snap.n_peers++;
	}
	text = ctl_uapi_format_get(&snap, &len);
	CHECK(text && strlen(text) == len);
	wgc_memzero(text, len);
	free(text);
	show = ctl_show_json(&snap);
	CHECK(show);
	json_decref(show);
	ctl_snapshot_free(&snap);
}

static const struct wgdp_peer_config *find(const struct wgdp_config *cfg, const uint8_t key[32])
{
	for (unsigned int i = 0; i < cfg->n_peers; i++)
		if (memcmp(cfg->peers[i].public_key, key, 32) == 0)
			return &cfg->peers[i];
	return NULL;
}

static bool has_prefix(const struct wgdp_peer_config *pc, const struct wgdp_prefix *pf)
{
	for (unsigned int i = 0; i < pc->n_allowed_ips; i++)
		if (pc->allowed_ips[i].len == pf->len &&
		    memcmp(&pc->allowed_ips[i].addr, &pf->addr, sizeof(pf->addr)) == 0)
			return true;
	return false;
}

/* A later section of another peer gives pf too: it moved there (a prefix is one peer's). */
static bool given_later(const struct ctl_uapi_set *set, unsigned int k,
			const struct wgdp_prefix *pf)
{
	for (unsigned int j = k + 1; j < set->n_peers; j++) {
		struct wgdp_peer_config later = { .allowed_ips = set->peers[j].allowed_ips,
						  .n_allowed_ips = set->peers[j].n_allowed_ips };

		if (memcmp(set->peers[j].public_key, set->peers[k].public_key, 32) != 0 &&
		    has_prefix(&later, pf))
			return true;
	}
	return false;
}

/* next says what set said, for each peer's last section. */
static void check_applied(const struct ctl_uapi_set *set, const struct wgdp_config *next)
{
	for (unsigned int k = 0; k < set->n_peers; k++) {
		const struct ctl_uapi_peer *up = &set->peers[k];
		const struct wgdp_peer_config *pc = find(next, up->public_key);
		bool last = true;

		for (unsigned int j = k + 1; j < set->n_peers && last; j++)
			last = memcmp(set->peers[j].public_key, up->public_key, 32) != 0;
		if (!last)
			continue;
		if (up->remove) {
			CHECK(!pc);
			continue;
		}
		if (!pc) {
			CHECK(up->update_only);
			continue;
		}
		for (unsigned int i = 0; i < up->n_allowed_ips; i++)
			CHECK(has_prefix(pc, &up->allowed_ips[i]) ||
			      given_later(set, k, &up->allowed_ips[i]));
		if (up->has_endpoint)
			CHECK(pc->has_endpoint && pc->endpoint.port == up->endpoint.port);
		if (up->has_keepalive)
			CHECK(pc->persistent_keepalive == up->persistent_keepalive);
	}
	if (set->has_private_key)
		CHECK(memcmp(next->private_key, set->private_key, 32) == 0);
}

static void set(struct wgdp_config **cur, const char *body, size_t len)
{
	struct wgdp_config_error cerr;
	struct ctl_uapi_set set;
	struct wgdp_config *next;
	char msg[160];
	int err;

	err = ctl_uapi_parse_set(body, len, &set, msg, sizeof(msg));
	if (err) {
		CHECK(err > 0 && memchr(msg, '\0', sizeof(msg)));
		return;
	}
	next = ctl_uapi_apply(*cur, &set, &err, msg, sizeof(msg));
	if (!next) {
		ctl_uapi_set_free(&set);
		CHECK(err > 0);
		return;
	}
	CHECK(wgdp_config_check_peers(next, &cerr));
	check_applied(&set, next);
	ctl_uapi_set_free(&set);
	if (*cur != running)
		wgdp_config_free(*cur);
	*cur = next;
}

static bool one_request(void *arg, const char *req, size_t len)
{
	struct wgdp_config **cur = arg;

	if (len >= 6 && memcmp(req, "get=1\n", 6) == 0)
		render(*cur);
	else if (len >= 6 && memcmp(req, "set=1\n", 6) == 0)
		set(cur, req + 6, len - 6);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgdp_config *cur = running;
	size_t used = ctl_frame_uapi((const char *)data, size, one_request, &cur);

	CHECK(used <= size);
	if (cur != running)
		wgdp_config_free(cur);
	return 0;
}
