/* SPDX-License-Identifier: MIT */
/*
 * The JSON config (SPEC "Config"), parsed and validated in full before anything uses it, so a
 * bad file or a bad reload changes nothing. Every error names the JSON path of the value at
 * fault, e.g. "peers[2].allowed_ips[0]: not a prefix". Unknown keys are errors: a typo must
 * not silently become a default.
 *
 * No DPDK here: the result is plain data the daemon turns into ports, tables and peers.
 */
#ifndef WGDP_APP_CONFIG_H
#define WGDP_APP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WGDP_IFNAME_MAX	       15
#define WGDP_PEER_NAME_MAX     63
#define WGDP_PORT_ADDR_MAX     8
#define WGDP_MAX_PORTS	       16
#define WGDP_PATH_MAX	       108 /* sun_path */
#define WGDP_DEFAULT_PORT      51820
#define WGDP_DEFAULT_MTU       1420
#define WGDP_DEFAULT_NEIGHBOURS 4096
#define WGDP_MAX_IFACES		4096
#define WGDP_MAX_ROUTES		65536 /* an interface's routes */
#define WGDP_METRICS_MAX_PEERS	1000  /* control.metrics_max_peers' default */

enum wgdp_port_role {
	WGDP_ROLE_OUTSIDE = 1,
	WGDP_ROLE_INSIDE = 2,
	WGDP_ROLE_BOTH = WGDP_ROLE_OUTSIDE | WGDP_ROLE_INSIDE,
};

/* An IPv4 or IPv6 address in network byte order; family is 4 or 6. */
struct wgdp_addr {
	uint8_t family;
	uint8_t bytes[16];
};

/* An address with a prefix length; host bits below the length are cleared, as wg does. */
struct wgdp_prefix {
	struct wgdp_addr addr;
	uint8_t len;
};

/* The port's own address keeps its host bits: it is both our address and the on-link net. */
struct wgdp_port_addr {
	struct wgdp_addr addr;
	uint8_t len;
};

struct wgdp_endpoint {
	struct wgdp_addr addr;
	uint16_t port;
};

struct wgdp_port_config {
	uint16_t port_id;
	enum wgdp_port_role role;
	struct wgdp_port_addr addrs[WGDP_PORT_ADDR_MAX];
	unsigned int n_addrs;
	bool has_gateway;
	struct wgdp_addr gateway;
	uint16_t queues;
};

struct wgdp_peer_config {
	uint8_t public_key[32];
	bool has_psk;
	uint8_t psk[32];
	bool has_endpoint;
	struct wgdp_endpoint endpoint;
	struct wgdp_prefix *allowed_ips;
	unsigned int n_allowed_ips;
	uint16_t persistent_keepalive; /* seconds, 0 = off */
	char name[WGDP_PEER_NAME_MAX + 1];
};

/* An interface's inside attachment (docs/tenants.md): a port, an optional 802.1Q VLAN, and
 * our addresses there (with host bits, as a port's). */
struct wgdp_inside_config {
	uint16_t port_id;
	uint16_t vlan; /* 1-4094; 0 = untagged */
	struct wgdp_port_addr addrs[WGDP_PORT_ADDR_MAX];
	unsigned int n_addrs;
};

/* A static route of an interface: on-link, or through via (on-link itself). */
struct wgdp_route_config {
	struct wgdp_prefix prefix;
	bool has_via;
	struct wgdp_addr via;
};

/* One WireGuard interface (a tenant): an element of interfaces[], or the shorthand. */
struct wgdp_interface_config {
	char name[WGDP_IFNAME_MAX + 1];
	uint8_t private_key[32];
	uint16_t listen_port;
	uint16_t mtu;
	uint16_t mss_clamp; /* 0 = off; see wgdp_config_mss */
	bool mss_clamp_auto;
	uint32_t max_peers; /* interfaces[i].max_peers; 0 = only limits.max_peers */
	bool has_inside;    /* without: the inside-role ports and their addresses (one interface) */
	struct wgdp_inside_config inside;
	struct wgdp_route_config *routes;
	unsigned int n_routes;
	struct wgdp_peer_config *peers;
	unsigned int n_peers;
};

/*
 * The interface fields at the top (ifname .. n_peers) are interfaces[0], for the code that
 * knows one interface (docs/tenants.md, "Transition"). For interface 0 they are the owners:
 * the tree edits peers / n_peers / private_key there, and ifaces[0] mirrors them (made equal
 * again by wgdp_config_dup and wgdp_config_check_interfaces). ifaces[1..] own their peers.
 */
struct wgdp_config {
	char ifname[WGDP_IFNAME_MAX + 1];
	uint8_t private_key[32];
	uint16_t listen_port;
	uint16_t mtu;
	/* interface.mss_clamp: 0 = off; "auto" sets mss_clamp_auto (MTU - 40 / - 60). */
	uint16_t mss_clamp;
	bool mss_clamp_auto;
	struct wgdp_port_config ports[WGDP_MAX_PORTS];
	unsigned int n_ports;
	struct wgdp_peer_config *peers;
	unsigned int n_peers;
	uint32_t under_load_queue;
	uint32_t handshake_queue;
	uint32_t max_peers;
	uint32_t neighbours; /* limits.neighbours: the neighbour table's size */
	char socket_path[WGDP_PATH_MAX];
	bool uapi;
	bool has_metrics_listen; /* control.metrics_listen: /metrics over HTTP there */
	struct wgdp_endpoint metrics_listen;
	uint32_t metrics_max_peers; /* per-peer series in a scrape of it */
	struct wgdp_interface_config *ifaces;
	unsigned int n_ifaces;
	bool shorthand; /* written as "interface" (+ top-level "peers"): error paths follow */
};

/* The MSS that SYNs of family (4 or 6) crossing the tunnel are lowered to; 0 = no clamping.
 * "auto" leaves room for the IP and TCP headers inside the MTU (RFC 879: MSS = MTU - 40). */
static inline uint16_t wgdp_config_mss(const struct wgdp_config *cfg, uint8_t family)
{
	if (cfg->mss_clamp_auto)
		return (uint16_t)(cfg->mtu - (family == 4 ? 40 : 60));
	return cfg->mss_clamp;
}

/* "path: message", for stderr and for the control socket's {"path","error"}. */
struct wgdp_config_error {
	char path[128];
	char message[160];
};

/*
 * Parses text (len bytes). On success returns a config to free with wgdp_config_free();
 * on failure NULL with err filled. Key files named by private_key_file are read here.
 */
struct wgdp_config *wgdp_config_parse(const char *text, size_t len, struct wgdp_config_error *err);

/* Parses an already decoded JSON document (the control socket's set-config). */
typedef struct json_t json_t;
struct wgdp_config *wgdp_config_from_json(json_t *root, struct wgdp_config_error *err);

/*
 * Parses one peer object (peer-add); path prefixes error paths, e.g. "peer". On failure out
 * holds nothing to free.
 */
bool wgdp_peer_config_from_json(json_t *obj, const char *path, struct wgdp_peer_config *out,
				struct wgdp_config_error *err);

/* The whole-config peer rules, for configs edited in memory: no duplicate keys, not our own
 * key, no more than limits.max_peers, no prefix held by two peers or listed twice by one;
 * interface 0's (paths "peers[i]"), then every other interface's ("interfaces[k].peers[i]"). */
bool wgdp_config_check_peers(const struct wgdp_config *cfg, struct wgdp_config_error *err);

/*
 * Whether pc may join cfg (peer-add): a key that is neither a peer's nor ours, room under
 * limits.max_peers, and no allowed-ip another peer holds ("peer.allowed_ips[0]: 10.0.1.0/24 is
 * already peers[1]'s (KEY)") or pc lists twice. Error paths start with path, e.g. "peer".
 */
bool wgdp_config_check_new_peer(const struct wgdp_config *cfg, const struct wgdp_peer_config *pc,
				const char *path, struct wgdp_config_error *err);

/*
 * The interface rules again (unique names, listen ports, inside attachments; routes; each
 * interface's max_peers and limits.max_peers in all), for a config edited in memory through
 * the legacy fields (peer-add, the UAPI), which it first copies into interfaces[0]. The daemon
 * calls this where a config enters it (start, reload).
 */
bool wgdp_config_check_interfaces(struct wgdp_config *cfg, struct wgdp_config_error *err);

/*
 * Interface k of cfg seen as a config of one interface (its legacy fields interface k's), for
 * code that edits one interface's peers through them (peer-add, the UAPI): read view, or
 * wgdp_config_dup it. It shares cfg's memory and owns nothing.
 */
void wgdp_config_iface_view(const struct wgdp_config *cfg, unsigned int k,
			    struct wgdp_config *view);

/* A deep copy with room for extra_peers more peers in its array; NULL when out of memory. */
struct wgdp_config *wgdp_config_dup(const struct wgdp_config *src, unsigned int extra_peers);

/* Deep-copies one peer (its own allowed_ips array); false when out of memory. */
bool wgdp_peer_config_copy(struct wgdp_peer_config *dst, const struct wgdp_peer_config *src);

/* Frees what a peer config owns and wipes it (the preshared key). */
void wgdp_peer_config_clear(struct wgdp_peer_config *pc);

/* Reads and parses a file. */
struct wgdp_config *wgdp_config_load(const char *path, struct wgdp_config_error *err);

/* Frees the config, wiping its keys. NULL is fine. */
void wgdp_config_free(struct wgdp_config *cfg);

/* Parses "a.b.c.d/len" or "x::y/len"; host bits are cleared when clear_host is set. */
bool wgdp_parse_prefix(const char *text, struct wgdp_prefix *out, bool clear_host);

/* Parses "IPv4:port" or "[IPv6]:port". */
bool wgdp_parse_endpoint(const char *text, struct wgdp_endpoint *out);

/* Text forms as wg prints them: "10.0.0.1", "10.0.0.0/24", "[fd00::1]:51820". */
#define WGDP_ENDPOINT_TEXT_MAX 64
void wgdp_format_addr(const struct wgdp_addr *a, char *out, size_t len);
void wgdp_format_prefix(const struct wgdp_prefix *p, char *out, size_t len);
void wgdp_format_endpoint(const struct wgdp_endpoint *ep, char *out, size_t len);

#endif
