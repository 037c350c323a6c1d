/* SPDX-License-Identifier: MIT */
/*
 * The JSON config loader, wgdp_config_parse, as the daemon runs it on its file and on every
 * reload. An accepted config must hold up: its peers pass the whole-config checks, it copies,
 * and every prefix and endpoint prints as text that parses back to the same value.
 *
 * Most configs go through the peers scan (peer_scan.h): whatever it accepts, the whole JSON
 * tree must read as the same config.
 *
 * Input: the config file's text. (A private_key_file is read here as the daemon would; stdin
 * is /dev/null, so "/dev/stdin" cannot block the fuzzer.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "config.h"
#include "fuzz_common.h"
#include "peer_scan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_crypto();
	if (!freopen("/dev/null", "r", stdin))
		abort();
	return 0;
}

static void roundtrip_prefix(const struct wgdp_prefix *p)
{
	char text[64];
	struct wgdp_prefix back;

	wgdp_format_prefix(p, text, sizeof(text));
	CHECK(wgdp_parse_prefix(text, &back, true));
	CHECK(back.len == p->len && back.addr.family == p->addr.family);
	CHECK(memcmp(back.addr.bytes, p->addr.bytes, p->addr.family == 4 ? 4 : 16) == 0);
}

static void roundtrip_endpoint(const struct wgdp_endpoint *ep)
{
	char text[WGDP_ENDPOINT_TEXT_MAX];
	struct wgdp_endpoint back;

	wgdp_format_endpoint(ep, text, sizeof(text));
	CHECK(wgdp_parse_endpoint(text, &back));
	CHECK(back.port == ep->port && back.addr.family == ep->addr.family);
	CHECK(memcmp(back.addr.bytes, ep->addr.bytes, ep->addr.family == 4 ? 4 : 16) == 0);
}

/* The tree reads text as the same config (the scan may have read it). */
static void check_same_as_tree(const struct wgdp_config *cfg, const uint8_t *data, size_t size)
{
	struct wgdp_config_error err;
	struct wgdp_config *tree = wgdp_config_parse_tree((const char *)data, size, &err);

	CHECK(tree);
	CHECK(tree->n_ifaces == cfg->n_ifaces && tree->n_peers == cfg->n_peers);
	for (unsigned int k = 0; k < cfg->n_ifaces; k++) {
		const struct wgdp_interface_config *a = &cfg->ifaces[k], *b = &tree->ifaces[k];

		CHECK(a->n_peers == b->n_peers && (a->peers == NULL) == (b->peers == NULL));
		for (unsigned int i = 0; i < a->n_peers; i++)
			CHECK(wgdp_peer_config_equal(&a->peers[i], &b->peers[i]));
	}
	wgdp_config_free(tree);
}

static void check_config(const struct wgdp_config *cfg)
{
	struct wgdp_config_error err;
	struct wgdp_config *copy;

	CHECK(wgdp_config_check_peers(cfg, &err));
	for (unsigned int i = 0; i < cfg->n_peers; i++) {
		const struct wgdp_peer_config *pc = &cfg->peers[i];

		for (unsigned int j = 0; j < pc->n_allowed_ips; j++)
			roundtrip_prefix(&pc->allowed_ips[j]);
		if (pc->has_endpoint)
			roundtrip_endpoint(&pc->endpoint);
	}
	copy = wgdp_config_dup(cfg, 1);
	CHECK(copy);
	CHECK(copy->n_peers == cfg->n_peers);
	wgdp_config_free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg;

	memset(&err, 0xa5, sizeof(err)); /* an error must be NUL-terminated however it ends */
	cfg = wgdp_config_parse((const char *)data, size, &err);
	if (!cfg) {
		CHECK(memchr(err.path, '\0', sizeof(err.path)));
		CHECK(memchr(err.message, '\0', sizeof(err.message)) && err.message[0]);
		return 0;
	}
	check_config(cfg);
	check_same_as_tree(cfg, data, size);
	wgdp_config_free(cfg);
	return 0;
}
