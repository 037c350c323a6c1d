/* SPDX-License-Identifier: MIT */
/*
 * The control socket as a client drives it: the server's line framing (ctl_frame_json), then
 * every line through dp_admin_json_line, the daemon's own decode-dispatch-encode, against a
 * minimal data plane: dp_create from a small config (two peers, max_peers 16) with no ports
 * and its control lcore not running, so that changes (set-config, peer-add, peer-remove) are
 * applied at once, as dp_reconf_submit does before start-up. A fresh data plane for every
 * input keeps inputs independent. Every answer must be a JSON object with a boolean "ok".
 *
 * A reload is given no file of the fuzzer's choosing ("path" is dropped) so it cannot read
 * /dev/zero; it reloads the base config from a file of ours.
 *
 * With WGDP_FUZZ_VERBOSE set, the control socket's answers go to stderr (they hold no private
 * key; UAPI replies, which do, are never printed).
 *
 * Input: what a client writes to the control socket (any number of lines); or, when it starts
 * with "get=1" or "set=1", what a client writes to the UAPI socket: ctl_frame_uapi, then
 * dp_admin_uapi, the daemon's own UAPI handling, whose sets go through the same apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fuzz_check.h"
#include "admin.h"
#include "admin_priv.h"
#include "crypto/ct.h"
#include "ctl/server.h"
#include "dp.h"
#include "fuzz_common.h"
#include "fuzz_dpdk.h"
#include "log.h"
#include "neigh.h"
#include "peer.h"

static struct wgdp_config *base;
static char base_path[64];
static struct dp_ctx *dp;
static struct dp_admin *adm;
static bool verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct wgdp_config_error err;
	char text[4096];
	size_t len;
	FILE *f;

	unsigned int lcore = 0;
	char msg[256];

	(void)argc;
	fuzz_init_crypto();
	/* Room for three allowed-ips generations of 64 MiB: old, new, and the reset. */
	fuzz_eal_init((*argv)[0], 512);
	dp_log_init();
	verbose = getenv("WGDP_FUZZ_VERBOSE") != NULL;
	rte_log_set_global_level(RTE_LOG_EMERG);
	len = fuzz_config_json(text, sizeof(text));
	base = wgdp_config_parse(text, len, &err);
	snprintf(base_path, sizeof(base_path), "/tmp/wgdp-fuzz-ctl-%d.json", (int)getpid());
	f = fopen(base_path, "w");
	if (!base || !f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz_ctl: base config\n");
		abort();
	}
	wgc_memzero(text, sizeof(text));
	dp = dp_create(base, 1, &lcore, msg, sizeof(msg));
	if (!dp) {
		fprintf(stderr, "fuzz_ctl: dp_create: %s\n", msg);
		abort();
	}
	/* stats reads the neighbour counters; the ports would have made the table. */
	dp->neigh = dp_neigh_create("fuzz_ctl_neigh", 8, fuzz_pool(), SOCKET_ID_ANY);
	adm = dp_admin_create(dp, base, base_path);
	CHECK(dp->neigh && adm);
	return 0;
}

__attribute__((destructor)) static void remove_base(void)
{
	if (base_path[0])
		unlink(base_path);
}

static void check_answer(const char *text)
{
	json_t *a;

	CHECK(text);
	a = json_loads(text, 0, NULL);
	CHECK(json_is_object(a) && json_is_boolean(json_object_get(a, "ok")));
	json_decref(a);
}

/* A reload names no file of the fuzzer's: its "path" goes, the base file is reloaded. */
static bool is_reload_with_path(const char *line, size_t len)
{
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	bool yes = json_is_object(req) && json_is_string(json_object_get(req, "cmd")) &&
		   strcmp(json_string_value(json_object_get(req, "cmd")), "reload") == 0 &&
		   json_object_get(req, "path");

	json_decref(req);
	return yes;
}

static bool one_line(void *arg, const char *line, size_t len)
{
	char *ans;

	(void)arg;

	if (is_reload_with_path(line, len)) {
		json_t *req = json_pack("{s:s}", "cmd", "reload"), *a = dp_admin_request(adm, req);

		ans = json_dumps(a, JSON_COMPACT);
		json_decref(a);
		json_decref(req);
	} else {
		ans = dp_admin_json_line(adm, line, len);
	}
	dp_reclaim(dp); /* the control lcore's loop, between two requests */
	check_answer(ans);
	if (verbose)
		fprintf(stderr, "> %.*s\n< %s\n", (int)len, line, ans);
	free(ans);
	return true;
}

/* A UAPI request: the reply is "errno=N\n\n", after the get's lines if any. */
static bool one_uapi(void *arg, const char *req, size_t len)
{
	size_t rlen = 0;
	char *r = dp_admin_uapi(adm, base->ifaces[0].name, req, len, &rlen);

	(void)arg;
	dp_reclaim(dp);
	CHECK(r && rlen >= 9 && strlen(r) == rlen);
	CHECK(memcmp(r + rlen - 2, "\n\n", 2) == 0 && strstr(r, "errno="));
	wgc_memzero(r, rlen);
	free(r);
	return true;
}

static bool is_uapi(const uint8_t *data, size_t size)
{
	return size >= 6 && (memcmp(data, "get=1\n", 6) == 0 || memcmp(data, "set=1\n", 6) == 0);
}

/* Back to the base config, as if the input had never been. */
static void reset(void)
{
	struct wgdp_config_error err;
	struct dp_apply_result res;
	struct wgdp_config *again = wgdp_config_dup(base, 0);

	CHECK(again);
	/* What the control lcore does in its loop: free what changes retired (old allowed-ips
	 * tables of 64 MiB would otherwise pile up until none fits). */
	dp_reclaim(dp);
	CHECK(dp_admin_apply(adm, again, &res, &err) == 0);
	dp_reclaim(dp);
	json_decref(adm->stats_base);
	adm->stats_base = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t used;

	if (is_uapi(data, size)) {
		used = ctl_frame_uapi((const char *)data, size, one_uapi, NULL);
		CHECK(used <= size);
	} else {
		used = ctl_frame_json((const char *)data, size, one_line, NULL);
		CHECK(used <= size);
		CHECK(used == size || !memchr(data + used, '\n', size - used));
	}
	reset();
	return 0;
}
