/* SPDX-License-Identifier: MIT */
/*
 * DPDK telemetry (dpdk-telemetry.py): /wgdp/info[,iface], /wgdp/peers[,iface][,offset],
 * /wgdp/peer,[iface,]<key>, /wgdp/stats. The interface may be left out when wgdp runs one. Answers come from the same requests as the control socket's, flattened to what
 * telemetry can carry (dicts of numbers and strings, one level of string arrays).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "admin.h"

/* Telemetry has no unregister: its thread may call us while we stop, so adm is guarded. */
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dp_admin *tel_adm;

#define PEERS_PER_PAGE 500

/* The answer to cmd about interface iface (NULL: the only one); NULL when it failed. */
static json_t *ask(const char *cmd, const char *iface)
{
	json_t *req = iface ? json_pack("{s:s,s:s}", "cmd", cmd, "interface", iface)
			    : json_pack("{s:s}", "cmd", cmd);
	json_t *ans = NULL;

	pthread_mutex_lock(&tel_lock);
	if (tel_adm)
		ans = dp_admin_request(tel_adm, req);
	pthread_mutex_unlock(&tel_lock);
	json_decref(req);
	if (ans && !json_is_true(json_object_get(ans, "ok"))) {
		json_decref(ans);
		return NULL;
	}
	return ans;
}

/* "name,rest" → the name in buf and rest; a params without a comma is all rest. */
static const char *split_iface(const char *params, char *buf, size_t len, const char **rest)
{
	const char *comma = params ? strchr(params, ',') : NULL;

	*rest = params;
	if (!comma || (size_t)(comma - params) >= len)
		return NULL;
	memcpy(buf, params, (size_t)(comma - params));
	buf[comma - params] = '\0';
	*rest = comma + 1;
	return buf;
}

static void add_value(struct rte_tel_data *d, const char *name, json_t *v)
{
	if (json_is_integer(v))
		rte_tel_data_add_dict_u64(d, name, (uint64_t)json_integer_value(v));
	else if (json_is_boolean(v))
		rte_tel_data_add_dict_u64(d, name, json_is_true(v));
	else if (json_is_string(v))
		rte_tel_data_add_dict_string(d, name, json_string_value(v));
}

/* Nested objects become prefix_key entries; arrays of objects prefix<i>_key. */
static void flatten(struct rte_tel_data *d, const char *prefix, json_t *v)
{
	char name[RTE_TEL_MAX_STRING_LEN];
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, m) {
			if (strcmp(key, "ok") == 0)
				continue;
			snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "_" : "", key);
			flatten(d, name, m);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m) {
			snprintf(name, sizeof(name), "%s%zu", prefix, i);
			flatten(d, name, m);
		}
	} else {
		add_value(d, prefix, v);
	}
}

static int tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const char *iface = params && *params ? params : NULL;
	const char *prefix = "", *member = "interface";
	json_t *ans = ask("show", iface);

	(void)cmd;
	/* Several interfaces and none named: their names, ports and peers. */
	if (!ans && !iface) {
		ans = ask("stats", NULL);
		prefix = member = "interfaces";
	}
	if (!ans)
		return -1;
	rte_tel_data_start_dict(d);
	flatten(d, prefix, json_object_get(ans, member));
	rte_tel_data_add_dict_string(d, "version", "wgdp " WGDP_VERSION);
	json_decref(ans);
	return 0;
}

static int tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	json_t *ans = ask("stats", NULL);

	(void)cmd;
	(void)params;
	if (!ans)
		return -1;
	rte_tel_data_start_dict(d);
	/* Per-worker detail would overflow a telemetry dict; totals are here, workers in
	 * `wgdpctl stats`. */
	json_object_del(ans, "workers");
	json_object_del(ans, "control");
	flatten(d, "", ans);
	json_decref(ans);
	return 0;
}

static int tel_peers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char name[WGDP_IFNAME_MAX + 2];
	const char *rest, *iface = split_iface(params, name, sizeof(name), &rest);
	json_t *ans, *peers, *p;
	struct rte_tel_data *keys;
	size_t offset = 0, i;

	(void)cmd;
	/* "iface,offset", "iface" or "offset": a lone parameter is an interface's name if one
	 * has it (names may start with a digit), else the offset. */
	ans = !iface && rest && *rest ? ask("show", rest) : NULL;
	if (!ans && rest && *rest)
		offset = strtoul(rest, NULL, 10);
	if (!ans)
		ans = ask("show", iface);
	if (!ans)
		return -1;
	peers = json_object_get(ans, "peers");
	keys = rte_tel_data_alloc();
	if (!keys) {
		json_decref(ans);
		return -1;
	}
	rte_tel_data_start_array(keys, RTE_TEL_STRING_VAL);
	json_array_foreach(peers, i, p) {
		if (i >= offset && i < offset + PEERS_PER_PAGE)
			rte_tel_data_add_array_string(keys,
				json_string_value(json_object_get(p, "public_key")));
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "count", json_array_size(peers));
	rte_tel_data_add_dict_u64(d, "offset", offset);
	rte_tel_data_add_dict_container(d, "public_keys", keys, 0);
	json_decref(ans);
	return 0;
}

static int tel_peer(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char name[WGDP_IFNAME_MAX + 2];
	const char *key, *iface = split_iface(params, name, sizeof(name), &key);
	json_t *ans, *p;
	size_t i;

	(void)cmd;
	if (!key)
		return -1;
	ans = ask("show", iface);
	if (!ans)
		return -1;
	json_array_foreach(json_object_get(ans, "peers"), i, p) {
		json_t *aips = json_object_get(p, "allowed_ips"), *a;
		struct rte_tel_data *list;
		size_t k;

		if (strcmp(json_string_value(json_object_get(p, "public_key")), key) != 0)
			continue;
		list = rte_tel_data_alloc();
		rte_tel_data_start_dict(d);
		json_object_del(p, "allowed_ips");
		flatten(d, "", p);
		if (list) {
			rte_tel_data_start_array(list, RTE_TEL_STRING_VAL);
			json_array_foreach(aips, k, a)
				rte_tel_data_add_array_string(list, json_string_value(a));
			rte_tel_data_add_dict_container(d, "allowed_ips", list, 0);
		}
		json_decref(ans);
		return 0;
	}
	json_decref(ans);
	return -1;
}

void dp_admin_telemetry_register(struct dp_admin *adm)
{
	static bool registered;

	pthread_mutex_lock(&tel_lock);
	tel_adm = adm;
	pthread_mutex_unlock(&tel_lock);
	if (registered)
		return;
	registered = true;
	rte_telemetry_register_cmd(
		"/wgdp/info", tel_info,
		"An interface: name, public key, port, peers. Parameter: its name "
		"(with several; without, their list).");
	rte_telemetry_register_cmd("/wgdp/stats", tel_stats,
				   "Counters: ports, drops by reason, handshakes. No parameters.");
	rte_telemetry_register_cmd("/wgdp/peers", tel_peers,
				   "Peer public keys, 500 a page. Parameters: interface (with "
				   "several), offset (optional): iface,offset.");
	rte_telemetry_register_cmd("/wgdp/peer", tel_peer,
				   "One peer's state. Parameters: [interface,]base64 public key.");
}

void dp_admin_telemetry_unregister(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_adm = NULL;
	pthread_mutex_unlock(&tel_lock);
}
