/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "snapshot.h"
#include "wgquick.h"

void ctl_snapshot_free(struct ctl_snapshot *snap)
{
	if (!snap)
		return;
	for (unsigned int i = 0; i < snap->n_peers; i++)
		wgdp_peer_config_clear(&snap->peers[i].cfg);
	free(snap->peers);
	wgc_memzero(snap, sizeof(*snap));
}

static json_t *peer_json(const struct ctl_peer_state *ps)
{
	char key[WGC_KEY_B64_LEN + 1], text[WGDP_ENDPOINT_TEXT_MAX];
	json_t *o = json_object(), *aips = json_array();

	for (unsigned int i = 0; i < ps->cfg.n_allowed_ips; i++) {
		wgdp_format_prefix(&ps->cfg.allowed_ips[i], text, sizeof(text));
		json_array_append_new(aips, json_string(text));
	}
	wgc_key_to_base64(key, ps->cfg.public_key);
	json_object_set_new(o, "public_key", json_string(key));
	json_object_set_new(o, "name", json_string(ps->cfg.name));
	if (ps->cfg.has_endpoint) {
		wgdp_format_endpoint(&ps->cfg.endpoint, text, sizeof(text));
		json_object_set_new(o, "endpoint", json_string(text));
	} else {
		json_object_set_new(o, "endpoint", json_null());
	}
	json_object_set_new(o, "allowed_ips", aips);
	json_object_set_new(o, "latest_handshake",
			    json_integer((json_int_t)(ps->last_handshake_ns / 1000000000ull)));
	json_object_set_new(o, "rx_bytes", json_integer((json_int_t)ps->rx_bytes));
	json_object_set_new(o, "tx_bytes", json_integer((json_int_t)ps->tx_bytes));
	json_object_set_new(o, "persistent_keepalive",
			    json_integer(ps->cfg.persistent_keepalive));
	json_object_set_new(o, "preshared_key", json_boolean(ps->cfg.has_psk));
	return o;
}

json_t *ctl_show_json(const struct ctl_snapshot *snap)
{
	char key[WGC_KEY_B64_LEN + 1];
	json_t *ans = json_object(), *iface = json_object(), *peers = json_array();

	wgc_key_to_base64(key, snap->public_key);
	json_object_set_new(iface, "name", json_string(snap->ifname));
	json_object_set_new(iface, "public_key", json_string(key));
	json_object_set_new(iface, "listen_port", json_integer(snap->listen_port));
	json_object_set_new(iface, "mtu", json_integer(snap->mtu));
	json_object_set_new(iface, "peers", json_integer(snap->n_peers + snap->n_omitted));
	for (unsigned int i = 0; i < snap->n_peers; i++)
		json_array_append_new(peers, peer_json(&snap->peers[i]));
	json_object_set_new(ans, "ok", json_true());
	json_object_set_new(ans, "interface", iface);
	json_object_set_new(ans, "peers", peers);
	return ans;
}

json_t *ctl_export_json(const struct ctl_snapshot *snap, bool keys)
{
	json_t *ans = json_object(), *iface = json_object(), *peers = json_array();
	char key[WGC_KEY_B64_LEN + 1];

	json_object_set_new(iface, "name", json_string(snap->ifname));
	json_object_set_new(iface, "listen_port", json_integer(snap->listen_port));
	json_object_set_new(iface, "mtu", json_integer(snap->mtu));
	if (keys) {
		wgc_key_to_base64(key, snap->private_key);
		json_object_set_new(iface, "private_key", json_string(key));
		wgc_memzero(key, sizeof(key));
	}
	for (unsigned int i = 0; i < snap->n_peers; i++)
		json_array_append_new(peers, wgdp_wgq_peer_json(&snap->peers[i].cfg, keys));
	json_object_set_new(ans, "ok", json_true());
	json_object_set_new(ans, "interface", iface);
	json_object_set_new(ans, "peers", peers);
	return ans;
}
