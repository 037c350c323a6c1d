/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "key_map.h"
#include "peer_rules.h"
#include "peer_scan.h"
#include "prefix_map.h"
#include "secret_file.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "crypto/x25519.h"

/* The JSON path of the value being read, kept as text so errors can quote it. */
struct parse {
	struct wgdp_config_error *err;
	char path[128];
	size_t len;
	/* Peers read ahead by the scan (peer_scan.h); nodes[k]: the "[]" in the tree standing for
	 * scan->arrays[k]. NULL: every peer is read from the tree. */
	struct wgdp_peer_scan *scan;
	json_t **nodes;
};

static bool fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	snprintf(p->err->path, sizeof(p->err->path), "%s", p->len ? p->path : "(top level)");
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
	va_end(ap);
	return false;
}

static size_t push_key(struct parse *p, const char *key)
{
	size_t old = p->len;
	int n = snprintf(p->path + p->len, sizeof(p->path) - p->len, "%s%s", p->len ? "." : "",
			 key);

	if (n > 0)
		p->len = p->len + (size_t)n < sizeof(p->path) ? p->len + (size_t)n :
								  sizeof(p->path) - 1;
	return old;
}

static size_t push_index(struct parse *p, size_t index)
{
	size_t old = p->len;
	int n = snprintf(p->path + p->len, sizeof(p->path) - p->len, "[%zu]", index);

	if (n > 0)
		p->len = p->len + (size_t)n < sizeof(p->path) ? p->len + (size_t)n :
								  sizeof(p->path) - 1;
	return old;
}

static void pop(struct parse *p, size_t old)
{
	p->len = old;
	p->path[old] = '\0';
}

/* Every key of obj must be in allowed (NULL-terminated). */
static bool only_keys(struct parse *p, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value) {
		bool known = false;

		(void)value;
		for (const char *const *a = allowed; *a; a++)
			known |= strcmp(key, *a) == 0;
		if (!known) {
			size_t old = push_key(p, key);

			fail(p, "unknown key");
			pop(p, old);
			return false;
		}
	}
	return true;
}

static bool expect_object(struct parse *p, json_t *v)
{
	return json_is_object(v) || fail(p, "must be an object");
}

/* Reads obj.key as an integer in [min, max]; absent keeps *out (the default) unless required. */
static bool get_uint(struct parse *p, json_t *obj, const char *key, uint64_t min, uint64_t max,
		     bool required, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	size_t old = push_key(p, key);
	bool ok = true;

	if (!v) {
		if (required)
			ok = fail(p, "is required");
	} else if (!json_is_integer(v)) {
		ok = fail(p, "must be an integer");
	} else if (json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) < min ||
		   (uint64_t)json_integer_value(v) > max) {
		ok = fail(p, "must be between %llu and %llu", (unsigned long long)min,
			  (unsigned long long)max);
	} else {
		*out = (uint64_t)json_integer_value(v);
	}
	pop(p, old);
	return ok;
}

/* Reads obj.key as a string; NULL in *out when absent and not required. */
static bool get_string(struct parse *p, json_t *obj, const char *key, bool required,
		       const char **out)
{
	json_t *v = json_object_get(obj, key);
	size_t old = push_key(p, key);
	bool ok = true;

	*out = NULL;
	if (!v) {
		if (required)
			ok = fail(p, "is required");
	} else if (!json_is_string(v)) {
		ok = fail(p, "must be a string");
	} else {
		*out = json_string_value(v);
	}
	pop(p, old);
	return ok;
}

static bool parse_addr(const char *text, struct wgdp_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(text, ':')) {
		out->family = 6;
		return inet_pton(AF_INET6, text, out->bytes) == 1;
	}
	out->family = 4;
	return inet_pton(AF_INET, text, out->bytes) == 1;
}

static void clear_host_bits(struct wgdp_addr *a, unsigned int len)
{
	unsigned int bytes = a->family == 4 ? 4 : 16;

	for (unsigned int bit = len; bit < bytes * 8; bit++)
		a->bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
}

bool wgdp_parse_prefix(const char *text, struct wgdp_prefix *out, bool clear_host)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	char *end;
	unsigned long len;
	size_t addr_len = slash ? (size_t)(slash - text) : strlen(text);

	if (!slash || addr_len == 0 || addr_len >= sizeof(buf) || !slash[1])
		return false;
	memcpy(buf, text, addr_len);
	buf[addr_len] = '\0';
	if (!parse_addr(buf, &out->addr))
		return false;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (*end || errno || slash[1] < '0' || slash[1] > '9' ||
	    len > (out->addr.family == 4 ? 32u : 128u))
		return false;
	out->len = (uint8_t)len;
	if (clear_host)
		clear_host_bits(&out->addr, out->len);
	return true;
}

bool wgdp_parse_endpoint(const char *text, struct wgdp_endpoint *out)
{
	char host[64];
	const char *port;
	size_t host_len;
	char *end;
	unsigned long value;
	bool bracketed = text[0] == '[';

	if (bracketed) {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return false;
		host_len = (size_t)(close - text - 1);
		text++;
		port = close + 2;
	} else {
		port = strrchr(text, ':');
		if (!port)
			return false;
		host_len = (size_t)(port - text);
		port++;
	}
	if (host_len == 0 || host_len >= sizeof(host) || *port < '0' || *port > '9')
		return false;
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	/* IPv6 only in brackets, IPv4 never: "::1:80" would be ambiguous. */
	if (!parse_addr(host, &out->addr) || (out->addr.family == 6) != bracketed)
		return false;
	errno = 0;
	value = strtoul(port, &end, 10);
	if (*end || errno || value == 0 || value > 65535)
		return false;
	out->port = (uint16_t)value;
	return true;
}

/* A base64 key value, or for files (is_file) the key inside the named file. */
static bool get_key(struct parse *p, json_t *obj, const char *key, bool required, bool is_file,
		    uint8_t out[32], bool *present)
{
	const char *text;
	size_t old;
	bool ok = true;

	if (!get_string(p, obj, key, required, &text))
		return false;
	*present = text != NULL;
	if (!text)
		return true;
	old = push_key(p, key);
	if (is_file) {
		char buf[128];
		FILE *f = fopen(text, "r");
		size_t n;

		if (!f) {
			ok = fail(p, "cannot read '%s': %s", text, strerror(errno));
		} else {
			n = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			ok = (n < sizeof(buf) && wgc_key_from_text(out, buf, n)) ||
			     fail(p, "'%s' does not hold a base64 key", text);
			wgc_memzero(buf, sizeof(buf));
		}
	} else if (!wgc_key_from_base64(out, text)) {
		ok = fail(p, "not a base64 key (44 characters, as wg genkey prints)");
	}
	pop(p, old);
	return ok;
}

static bool valid_ifname(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > WGDP_IFNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    name[i]))
			return false;
	return true;
}

/* "auto", or an MSS from 536 (RFC 879's default) up to what the MTU leaves for IPv4. */
static bool parse_mss_clamp(struct parse *p, json_t *v, struct wgdp_interface_config *cfg)
{
	size_t old;
	bool ok = true;

	if (!v)
		return true;
	old = push_key(p, "mss_clamp");
	if (json_is_string(v) && strcmp(json_string_value(v), "auto") == 0)
		cfg->mss_clamp_auto = true;
	else if (json_is_integer(v) && json_integer_value(v) >= 536 &&
		 json_integer_value(v) <= cfg->mtu - 40)
		cfg->mss_clamp = (uint16_t)json_integer_value(v);
	else
		ok = fail(p, "\"auto\" or a number from 536 to the MTU - 40 (%u)", cfg->mtu - 40u);
	pop(p, old);
	return ok;
}

/* An address list with host bits (a port's, an inside attachment's). */
static bool parse_addr_list(struct parse *p, json_t *list, struct wgdp_port_addr *addrs,
			    unsigned int *n_addrs);
static bool parse_iface_peers(struct parse *p, json_t *peers, struct wgdp_interface_config *ic);

/* inside: {"port", "vlan", "address"} */
static bool parse_inside(struct parse *p, json_t *obj, struct wgdp_interface_config *ic)
{
	static const char *const keys[] = { "port", "vlan", "address", NULL };
	uint64_t port = 0, vlan = 0;
	json_t *addrs;
	size_t old;

	if (!obj)
		return true;
	if (!expect_object(p, obj) || !only_keys(p, obj, keys) ||
	    !get_uint(p, obj, "port", 0, 65535, true, &port) ||
	    !get_uint(p, obj, "vlan", 1, 4094, false, &vlan))
		return false;
	ic->has_inside = true;
	ic->inside.port_id = (uint16_t)port;
	ic->inside.vlan = (uint16_t)vlan;
	addrs = json_object_get(obj, "address");
	old = push_key(p, "address");
	if (!addrs)
		return fail(p, "is required");
	if (json_is_array(addrs) && json_array_size(addrs) == 0)
		return fail(p, "needs at least one address");
	if (!parse_addr_list(p, addrs, ic->inside.addrs, &ic->inside.n_addrs))
		return false;
	pop(p, old);
	return true;
}

/* Whether the prefix net/len holds a (net may keep host bits: a port's own address). */
static bool prefix_holds(const struct wgdp_addr *net, unsigned int len, const struct wgdp_addr *a)
{
	unsigned int full = len / 8, rest = len % 8;

	if (net->family != a->family || memcmp(net->bytes, a->bytes, full) != 0)
		return false;
	return !rest || ((net->bytes[full] ^ a->bytes[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* One route: {"prefix": "10.9.0.0/16", "via": "10.0.0.254"}; via absent = on-link. */
static bool parse_route(struct parse *p, json_t *obj, struct wgdp_route_config *r)
{
	static const char *const keys[] = { "prefix", "via", NULL };
	const char *prefix, *via;
	struct wgdp_prefix net;
	char text[64];
	size_t old;

	if (!expect_object(p, obj) || !only_keys(p, obj, keys) ||
	    !get_string(p, obj, "prefix", true, &prefix) || !get_string(p, obj, "via", false, &via))
		return false;
	old = push_key(p, "prefix");
	if (!wgdp_parse_prefix(prefix, &r->prefix, false))
		return fail(p, "not a prefix");
	net = r->prefix;
	clear_host_bits(&net.addr, net.len);
	if (memcmp(net.addr.bytes, r->prefix.addr.bytes, 16) != 0) {
		wgdp_format_prefix(&net, text, sizeof(text));
		return fail(p, "host bits set (the network is %s)", text);
	}
	pop(p, old);
	if (!via)
		return true;
	old = push_key(p, "via");
	if (!parse_addr(via, &r->via))
		return fail(p, "not an address");
	if (r->via.family != r->prefix.addr.family)
		return fail(p, "not an IPv%u address, as the prefix is", r->prefix.addr.family);
	r->has_via = true;
	pop(p, old);
	return true;
}

static bool parse_routes(struct parse *p, json_t *list, struct wgdp_interface_config *ic)
{
	size_t i;
	json_t *v;

	if (!list)
		return true;
	if (!json_is_array(list))
		return fail(p, "must be an array of routes");
	if (json_array_size(list) > WGDP_MAX_ROUTES)
		return fail(p, "at most %d routes", WGDP_MAX_ROUTES);
	ic->routes = calloc(json_array_size(list) ? json_array_size(list) : 1, sizeof(*ic->routes));
	if (!ic->routes)
		return fail(p, "out of memory");
	json_array_foreach(list, i, v)
	{
		size_t old = push_index(p, i);

		if (!parse_route(p, v, &ic->routes[i]))
			return false;
		ic->n_routes++;
		pop(p, old);
	}
	return true;
}

/*
 * An interface: an element of interfaces[] (element: name required, its own peers), or the
 * shorthand "interface" object (name defaults to wgdp0; peers stay at the top level).
 */
static bool parse_interface(struct parse *p, json_t *iface, struct wgdp_interface_config *ic,
			    bool element)
{
	static const char *const keys[] = { "name",	   "private_key", "private_key_file",
					    "listen_port", "mtu",	  "mss_clamp",
					    "max_peers",   "inside",	  "routes",
					    "peers",	   NULL };
	bool inline_key = false, file_key = false;
	uint64_t port = WGDP_DEFAULT_PORT, mtu = WGDP_DEFAULT_MTU, max = 0;
	const char *name;
	size_t old;

	if (!expect_object(p, iface) || !only_keys(p, iface, keys))
		return false;
	if (!element && json_object_get(iface, "peers")) {
		push_key(p, "peers");
		return fail(
			p,
			"peers stay at the top level with \"interface\" (or use \"interfaces\")");
	}
	if (!get_string(p, iface, "name", element, &name))
		return false;
	if (name && !valid_ifname(name)) {
		push_key(p, "name");
		return fail(p, "1 to %d characters of letters, digits, '_', '.', '-'",
			    WGDP_IFNAME_MAX);
	}
	snprintf(ic->name, sizeof(ic->name), "%s", name ? name : "wgdp0");
	if (!get_key(p, iface, "private_key", false, false, ic->private_key, &inline_key) ||
	    !get_key(p, iface, "private_key_file", false, true, ic->private_key, &file_key))
		return false;
	if (inline_key == file_key)
		return fail(p, "needs exactly one of private_key and private_key_file");
	if (!get_uint(p, iface, "listen_port", 1, 65535, false, &port) ||
	    !get_uint(p, iface, "mtu", 576, 9000, false, &mtu) ||
	    !get_uint(p, iface, "max_peers", 1, 1u << 24, false, &max))
		return false;
	ic->listen_port = (uint16_t)port;
	ic->mtu = (uint16_t)mtu;
	ic->max_peers = (uint32_t)max;
	if (!parse_mss_clamp(p, json_object_get(iface, "mss_clamp"), ic))
		return false;
	old = push_key(p, "inside");
	if (!parse_inside(p, json_object_get(iface, "inside"), ic))
		return false;
	pop(p, old);
	old = push_key(p, "routes");
	if (!parse_routes(p, json_object_get(iface, "routes"), ic))
		return false;
	pop(p, old);
	if (!element)
		return true;
	old = push_key(p, "peers");
	if (!parse_iface_peers(p, json_object_get(iface, "peers"), ic))
		return false;
	pop(p, old);
	return true;
}

static bool parse_addr_list(struct parse *p, json_t *list, struct wgdp_port_addr *addrs,
			    unsigned int *n_addrs)
{
	size_t i;
	json_t *v;

	if (!json_is_array(list))
		return fail(p, "must be an array of prefixes");
	if (json_array_size(list) > WGDP_PORT_ADDR_MAX)
		return fail(p, "at most %d addresses", WGDP_PORT_ADDR_MAX);
	json_array_foreach(list, i, v) {
		struct wgdp_prefix pre;
		size_t old = push_index(p, i);

		if (!json_is_string(v) || !wgdp_parse_prefix(json_string_value(v), &pre, false))
			return fail(p, "not a prefix (address/length)");
		addrs[*n_addrs].addr = pre.addr;
		addrs[*n_addrs].len = pre.len;
		(*n_addrs)++;
		pop(p, old);
	}
	return true;
}

static bool parse_port(struct parse *p, json_t *obj, struct wgdp_port_config *pc)
{
	static const char *const keys[] = { "port", "role", "address", "gateway", "queues", NULL };
	uint64_t id = 0, queues = 1;
	const char *role, *gateway;
	json_t *addrs;
	size_t old;

	if (!expect_object(p, obj) || !only_keys(p, obj, keys))
		return false;
	if (!get_uint(p, obj, "port", 0, 65535, true, &id) ||
	    !get_uint(p, obj, "queues", 1, 64, false, &queues) ||
	    !get_string(p, obj, "role", true, &role) ||
	    !get_string(p, obj, "gateway", false, &gateway))
		return false;
	pc->port_id = (uint16_t)id;
	pc->queues = (uint16_t)queues;
	old = push_key(p, "role");
	if (strcmp(role, "outside") == 0)
		pc->role = WGDP_ROLE_OUTSIDE;
	else if (strcmp(role, "inside") == 0)
		pc->role = WGDP_ROLE_INSIDE;
	else if (strcmp(role, "both") == 0)
		pc->role = WGDP_ROLE_BOTH;
	else
		return fail(p, "must be outside, inside or both");
	pop(p, old);

	addrs = json_object_get(obj, "address");
	old = push_key(p, "address");
	if (!addrs)
		return fail(p, "is required");
	if (!parse_addr_list(p, addrs, pc->addrs, &pc->n_addrs))
		return false;
	pop(p, old);

	if (gateway) {
		bool same_family = false;

		old = push_key(p, "gateway");
		if (!parse_addr(gateway, &pc->gateway))
			return fail(p, "not an IP address");
		for (unsigned int i = 0; i < pc->n_addrs; i++)
			same_family |= pc->addrs[i].addr.family == pc->gateway.family;
		if (!same_family)
			return fail(p, "the port has no address of the gateway's family");
		pc->has_gateway = true;
		pop(p, old);
	}
	return true;
}

static bool parse_ports(struct parse *p, json_t *ports, struct wgdp_config *cfg)
{
	unsigned int roles = 0;
	size_t i;
	json_t *v;

	if (!ports)
		return fail(p, "is required");
	if (!json_is_array(ports) || json_array_size(ports) == 0)
		return fail(p, "must be a non-empty array");
	if (json_array_size(ports) > WGDP_MAX_PORTS)
		return fail(p, "at most %d ports", WGDP_MAX_PORTS);
	json_array_foreach(ports, i, v) {
		struct wgdp_port_config *pc = &cfg->ports[i];
		size_t old = push_index(p, i);

		if (!parse_port(p, v, pc))
			return false;
		for (size_t j = 0; j < i; j++) {
			if (cfg->ports[j].port_id == pc->port_id) {
				push_key(p, "port");
				return fail(p, "port %u is configured twice (also ports[%zu])",
					    pc->port_id, j);
			}
		}
		roles |= pc->role;
		cfg->n_ports++;
		pop(p, old);
	}
	if (roles != WGDP_ROLE_BOTH)
		return fail(p, "needs an outside and an inside role (or one port with both)");
	return true;
}

static bool parse_allowed_ips(struct parse *p, json_t *list, struct wgdp_peer_config *peer)
{
	size_t i;
	json_t *v;

	if (!json_is_array(list))
		return fail(p, "must be an array of prefixes");
	peer->allowed_ips = calloc(json_array_size(list) ? json_array_size(list) : 1,
				   sizeof(*peer->allowed_ips));
	if (!peer->allowed_ips)
		return fail(p, "out of memory");
	json_array_foreach(list, i, v) {
		size_t old = push_index(p, i);

		if (!json_is_string(v) ||
		    !wgdp_parse_prefix(json_string_value(v), &peer->allowed_ips[i], true))
			return fail(p, "not a prefix");
		peer->n_allowed_ips++;
		pop(p, old);
	}
	return true;
}

static bool parse_peer(struct parse *p, json_t *obj, struct wgdp_peer_config *peer)
{
	static const char *const keys[] = { "public_key", "preshared_key", "endpoint",
					    "allowed_ips", "persistent_keepalive", "name", NULL };
	uint64_t keepalive = 0;
	const char *endpoint, *name;
	bool have_key;
	json_t *allowed;
	size_t old;

	if (!expect_object(p, obj) || !only_keys(p, obj, keys))
		return false;
	if (!get_key(p, obj, "public_key", true, false, peer->public_key, &have_key) ||
	    !get_key(p, obj, "preshared_key", false, false, peer->psk, &peer->has_psk) ||
	    !get_uint(p, obj, "persistent_keepalive", 0, 65535, false, &keepalive) ||
	    !get_string(p, obj, "endpoint", false, &endpoint) ||
	    !get_string(p, obj, "name", false, &name))
		return false;
	peer->persistent_keepalive = (uint16_t)keepalive;
	if (endpoint) {
		old = push_key(p, "endpoint");
		if (!wgdp_parse_endpoint(endpoint, &peer->endpoint))
			return fail(p, "not an endpoint (IPv4:port or [IPv6]:port)");
		peer->has_endpoint = true;
		pop(p, old);
	}
	if (name) {
		old = push_key(p, "name");
		if (strlen(name) > WGDP_PEER_NAME_MAX)
			return fail(p, "longer than %d characters", WGDP_PEER_NAME_MAX);
		snprintf(peer->name, sizeof(peer->name), "%s", name);
		pop(p, old);
	}
	allowed = json_object_get(obj, "allowed_ips");
	if (allowed) {
		old = push_key(p, "allowed_ips");
		if (!parse_allowed_ips(p, allowed, peer))
			return false;
		pop(p, old);
	}
	return true;
}

/* p is at a peer whose public key is the interface's own. */
static bool own_key_error(struct parse *p)
{
	push_key(p, "public_key");
	return fail(p, "is the interface's own public key");
}

/*
 * The rules across the peers (peer_rules.h), an error at the path of the later peer or prefix
 * involved (the earlier one is in the message). p is at the peers array; own_public NULL when
 * the caller checked each peer's key as it read it.
 */
static bool check_peer_rules(struct parse *p, const struct wgdp_interface_config *cfg,
			     const uint8_t *own_public)
{
	struct wgdp_peer_fault f;

	if (wgdp_peer_rules_check(cfg->peers, cfg->n_peers, own_public, &f))
		return true;
	if (f.rule == WGDP_RULE_NO_MEMORY)
		return fail(p, "out of memory");
	push_index(p, f.peer);
	switch (f.rule) {
	case WGDP_RULE_OWN_KEY:
		return own_key_error(p);
	case WGDP_RULE_SAME_KEY:
		push_key(p, "public_key");
		return fail(p, "duplicate public key (also peers[%u])", f.other);
	default:
		break;
	}
	push_key(p, "allowed_ips");
	push_index(p, f.aip);
	if (f.rule == WGDP_RULE_PREFIX_TAKEN)
		return fail(p, "%s is already peers[%u]'s", f.prefix, f.other);
	return fail(p, "%s repeats allowed_ips[%u]", f.prefix, f.other);
}

/* The peers the scan read for the array node of the tree, handed over; false if none. */
static bool take_scanned(struct parse *p, json_t *node, struct wgdp_interface_config *cfg)
{
	for (unsigned int k = 0; p->scan && k < p->scan->n_arrays; k++) {
		struct wgdp_scanned_peers *sp = &p->scan->arrays[k];

		if (p->nodes[k] == node && sp->peers) {
			cfg->peers = sp->peers;
			cfg->n_peers = sp->n_peers;
			sp->peers = NULL;
			return true;
		}
	}
	return false;
}

static bool parse_iface_peers(struct parse *p, json_t *peers, struct wgdp_interface_config *cfg)
{
	uint8_t own_public[32];
	size_t i;
	json_t *v;

	if (!peers)
		return true;
	if (!json_is_array(peers))
		return fail(p, "must be an array");
	wgc_x25519_public(own_public, cfg->private_key);
	if (take_scanned(p, peers, cfg))
		return check_peer_rules(p, cfg, own_public);
	cfg->peers = calloc(json_array_size(peers) ? json_array_size(peers) : 1,
			    sizeof(*cfg->peers));
	if (!cfg->peers)
		return fail(p, "out of memory");
	/* Each peer's own key as it is read: the tree names a config's errors (peer_scan.h), and
	 * an earlier peer's error is named before a later peer that cannot be read. */
	json_array_foreach(peers, i, v) {
		size_t old = push_index(p, i);

		cfg->n_peers++;
		if (!parse_peer(p, v, &cfg->peers[i]))
			return false;
		if (memcmp(cfg->peers[i].public_key, own_public, 32) == 0)
			return own_key_error(p);
		pop(p, old);
	}
	return check_peer_rules(p, cfg, NULL);
}

/* The shorthand's top-level peers belong to interfaces[0]. */
static bool parse_peers(struct parse *p, json_t *peers, struct wgdp_config *cfg)
{
	return parse_iface_peers(p, peers, &cfg->ifaces[0]);
}

static bool parse_limits(struct parse *p, json_t *limits, struct wgdp_config *cfg)
{
	static const char *const keys[] = { "under_load_queue", "handshake_queue", "max_peers",
					    "neighbours", NULL };
	uint64_t under = 512, queue = 4096, max = 1048576, neigh = WGDP_DEFAULT_NEIGHBOURS;
	size_t old;

	if (limits && (!expect_object(p, limits) || !only_keys(p, limits, keys) ||
		       !get_uint(p, limits, "under_load_queue", 0, 1u << 20, false, &under) ||
		       !get_uint(p, limits, "handshake_queue", 64, 1u << 20, false, &queue) ||
		       !get_uint(p, limits, "max_peers", 1, 1u << 24, false, &max) ||
		       !get_uint(p, limits, "neighbours", 16, 1u << 20, false, &neigh)))
		return false;
	/* The handshake queue is an rte_ring: a power of two. */
	if (queue & (queue - 1)) {
		old = push_key(p, "handshake_queue");
		return fail(p, "must be a power of two");
	}
	cfg->under_load_queue = (uint32_t)under;
	cfg->handshake_queue = (uint32_t)queue;
	cfg->max_peers = (uint32_t)max;
	cfg->neighbours = (uint32_t)neigh;
	(void)old;
	return true;
}

/* control.metrics_listen (absent: no HTTP endpoint) and control.metrics_max_peers. */
static bool parse_metrics(struct parse *p, json_t *control, struct wgdp_config *cfg)
{
	uint64_t max = WGDP_METRICS_MAX_PEERS;
	const char *listen = NULL;
	size_t old;

	if (!get_string(p, control, "metrics_listen", false, &listen) ||
	    !get_uint(p, control, "metrics_max_peers", 0, 1u << 24, false, &max))
		return false;
	cfg->metrics_max_peers = (uint32_t)max;
	if (!listen)
		return true;
	old = push_key(p, "metrics_listen");
	if (!wgdp_parse_endpoint(listen, &cfg->metrics_listen))
		return fail(p, "not an address and port (IPv4:port or [IPv6]:port)");
	cfg->has_metrics_listen = true;
	pop(p, old);
	return true;
}

static bool parse_control(struct parse *p, json_t *control, struct wgdp_config *cfg)
{
	static const char *const keys[] = { "socket", "uapi", "metrics_listen", "metrics_max_peers",
					    NULL };
	const char *socket_path = NULL;
	json_t *uapi;
	size_t old;

	snprintf(cfg->socket_path, sizeof(cfg->socket_path), "/run/wgdp/%s.sock", cfg->ifname);
	cfg->metrics_max_peers = WGDP_METRICS_MAX_PEERS;
	if (!control)
		return true;
	if (!expect_object(p, control) || !only_keys(p, control, keys) ||
	    !get_string(p, control, "socket", false, &socket_path) ||
	    !parse_metrics(p, control, cfg))
		return false;
	if (socket_path) {
		old = push_key(p, "socket");
		if (!*socket_path || strlen(socket_path) >= sizeof(cfg->socket_path))
			return fail(p, "must be a path of 1 to %d bytes", WGDP_PATH_MAX - 1);
		snprintf(cfg->socket_path, sizeof(cfg->socket_path), "%s", socket_path);
		pop(p, old);
	}
	uapi = json_object_get(control, "uapi");
	if (uapi) {
		old = push_key(p, "uapi");
		if (!json_is_boolean(uapi))
			return fail(p, "must be true or false");
		cfg->uapi = json_is_true(uapi);
		pop(p, old);
	}
	return true;
}

/* Runs fn on the member key of root with the path set to it. */
#define SECTION(p, root, key, fn, cfg)                                                     \
	({                                                                                 \
		size_t old_ = push_key(p, key);                                            \
		bool ok_ = fn(p, json_object_get(root, key), cfg);                        \
		if (ok_)                                                                   \
			pop(p, old_);                                                      \
		ok_;                                                                       \
	})

static bool parse_interfaces(struct parse *p, json_t *list, struct wgdp_config *cfg)
{
	size_t i;
	json_t *v;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return fail(p, "must be a non-empty array of interfaces");
	if (json_array_size(list) > WGDP_MAX_IFACES)
		return fail(p, "at most %d interfaces", WGDP_MAX_IFACES);
	cfg->ifaces = calloc(json_array_size(list), sizeof(*cfg->ifaces));
	if (!cfg->ifaces)
		return fail(p, "out of memory");
	json_array_foreach(list, i, v)
	{
		size_t old = push_index(p, i);

		cfg->n_ifaces++;
		if (!parse_interface(p, v, &cfg->ifaces[i], true))
			return false;
		pop(p, old);
	}
	return true;
}

/* The path of interface i ("interfaces[i]", or "interface" for the shorthand). */
static size_t push_iface(struct parse *p, const struct wgdp_config *cfg, unsigned int i)
{
	size_t old = push_key(p, cfg->shorthand ? "interface" : "interfaces");

	if (!cfg->shorthand)
		push_index(p, i);
	return old;
}

static const struct wgdp_port_config *find_port(const struct wgdp_config *cfg, uint16_t id)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].port_id == id)
			return &cfg->ports[i];
	return NULL;
}

/* Whether a is pa's address itself (own) or inside pa's prefix (on-link). */
static bool addr_matches(const struct wgdp_port_addr *pa, const struct wgdp_addr *a, bool own)
{
	if (!own)
		return prefix_holds(&pa->addr, pa->len, a);
	return pa->addr.family == a->family &&
	       memcmp(pa->addr.bytes, a->bytes, a->family == 4 ? 4 : 16) == 0;
}

/* Whether addr is one of ic's inside addresses (own) or on-link there: its inside prefixes,
 * or (no inside) the inside ports'. */
static bool inside_has(const struct wgdp_config *cfg, const struct wgdp_interface_config *ic,
		       const struct wgdp_addr *addr, bool own)
{
	if (ic->has_inside) {
		for (unsigned int k = 0; k < ic->inside.n_addrs; k++)
			if (addr_matches(&ic->inside.addrs[k], addr, own))
				return true;
		return false;
	}
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct wgdp_port_config *pc = &cfg->ports[i];

		for (unsigned int k = 0; (pc->role & WGDP_ROLE_INSIDE) && k < pc->n_addrs; k++)
			if (addr_matches(&pc->addrs[k], addr, own))
				return true;
	}
	return false;
}

/* An interface's routes: no prefix twice, every gateway on-link. */
static bool check_routes(struct parse *p, const struct wgdp_config *cfg,
			 const struct wgdp_interface_config *ic)
{
	struct wgdp_prefix_map *m;
	bool ok = true;

	if (!ic->n_routes)
		return true;
	m = wgdp_prefix_map_new(ic->n_routes);
	if (!m)
		return fail(p, "out of memory");
	push_key(p, "routes");
	for (unsigned int j = 0; j < ic->n_routes && ok; j++) {
		const struct wgdp_route_config *r = &ic->routes[j];
		int64_t first = wgdp_prefix_map_add(m, &r->prefix, j);
		size_t old = push_index(p, j);
		char text[64];

		if (first >= 0) {
			wgdp_format_prefix(&r->prefix, text, sizeof(text));
			push_key(p, "prefix");
			ok = fail(p, "%s repeats routes[%" PRId64 "]", text, first);
		} else if (r->has_via && !inside_has(cfg, ic, &r->via, false)) {
			push_key(p, "via");
			ok = fail(p, "not on-link: no inside address of the interface holds it");
		} else if (r->has_via && inside_has(cfg, ic, &r->via, true)) {
			/* We would resolve ourselves as the next hop (ip route refuses it too). */
			wgdp_format_addr(&r->via, text, sizeof(text));
			push_key(p, "via");
			ok = fail(p, "%s is our own address, not a gateway", text);
		}
		if (ok)
			pop(p, old);
	}
	wgdp_prefix_map_free(m);
	return ok;
}

/* Interface i against the ones before it: names and listen ports unique. */
static bool check_unique(struct parse *p, const struct wgdp_config *cfg, unsigned int i)
{
	const struct wgdp_interface_config *ic = &cfg->ifaces[i];

	for (unsigned int j = 0; j < i; j++) {
		const struct wgdp_interface_config *o = &cfg->ifaces[j];

		if (strcmp(o->name, ic->name) == 0) {
			push_key(p, "name");
			return fail(p, "%s is interfaces[%u]'s already", ic->name, j);
		}
		/* Every interface listens on every outside address (docs/tenants.md). */
		if (o->listen_port == ic->listen_port) {
			push_key(p, "listen_port");
			return fail(p, "%u is interfaces[%u]'s already", ic->listen_port, j);
		}
	}
	return true;
}

/* Interface i's inside: on an inside port, and no (port, VLAN) of an earlier interface. */
static bool check_inside(struct parse *p, const struct wgdp_config *cfg, unsigned int i)
{
	const struct wgdp_interface_config *ic = &cfg->ifaces[i];
	const struct wgdp_port_config *port;

	if (!ic->has_inside) {
		push_key(p, "inside");
		return cfg->n_ifaces == 1 || fail(p, "is required with several interfaces");
	}
	push_key(p, "inside");
	port = find_port(cfg, ic->inside.port_id);
	if (!port || !(port->role & WGDP_ROLE_INSIDE)) {
		push_key(p, "port");
		return fail(p, "port %u is not an inside port of ports[]", ic->inside.port_id);
	}
	/* A one-armed port's untagged link is the outside's: ARP and ND there answer for the
	 * port's addresses, and the tenant's would shadow them. */
	if (port->role == WGDP_ROLE_BOTH && !ic->inside.vlan) {
		push_key(p, "vlan");
		return fail(p, "required on port %u (role both: its untagged link is the outside)",
			    ic->inside.port_id);
	}
	for (unsigned int j = 0; j < i; j++) {
		const struct wgdp_interface_config *o = &cfg->ifaces[j];

		if (!o->has_inside || o->inside.port_id != ic->inside.port_id ||
		    o->inside.vlan != ic->inside.vlan)
			continue;
		if (ic->inside.vlan)
			return fail(p, "port %u vlan %u is interfaces[%u]'s already",
				    ic->inside.port_id, ic->inside.vlan, j);
		return fail(p, "port %u untagged is interfaces[%u]'s already", ic->inside.port_id,
			    j);
	}
	return true;
}

/* Interface i against the ones before it and the ports; p's path is interfaces[i]. */
static bool check_interface(struct parse *p, const struct wgdp_config *cfg, unsigned int i)
{
	const struct wgdp_interface_config *ic = &cfg->ifaces[i];
	size_t old = p->len;

	if (!check_unique(p, cfg, i))
		return false;
	if (ic->max_peers && ic->n_peers > ic->max_peers) {
		if (cfg->shorthand)
			pop(p, 0); /* the shorthand's peers are at the top level */
		push_key(p, "peers");
		return fail(p, "%u peers exceed the interface's max_peers (%u)", ic->n_peers,
			    ic->max_peers);
	}
	if (!check_inside(p, cfg, i))
		return false;
	pop(p, old);
	return check_routes(p, cfg, ic);
}

/* Rules across interfaces and sections, once everything is read. */
static bool check_interfaces(struct parse *p, const struct wgdp_config *cfg)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < cfg->n_ifaces; i++) {
		size_t old = push_iface(p, cfg, i);

		if (!check_interface(p, cfg, i))
			return false;
		pop(p, old);
		total += cfg->ifaces[i].n_peers;
	}
	if (total > cfg->max_peers) {
		push_key(p, cfg->shorthand ? "peers" : "interfaces");
		return fail(p, "%" PRIu64 " peers exceed limits.max_peers (%u)", total,
			    cfg->max_peers);
	}
	return true;
}

/* The single-interface fields hold interface ic (interfaces[0], or a view's: config.h). */
static void fill_legacy_from(struct wgdp_config *cfg, const struct wgdp_interface_config *ic)
{
	snprintf(cfg->ifname, sizeof(cfg->ifname), "%s", ic->name);
	memcpy(cfg->private_key, ic->private_key, 32);
	cfg->listen_port = ic->listen_port;
	cfg->mtu = ic->mtu;
	cfg->mss_clamp = ic->mss_clamp;
	cfg->mss_clamp_auto = ic->mss_clamp_auto;
	cfg->peers = ic->peers;
	cfg->n_peers = ic->n_peers;
}

static void fill_legacy(struct wgdp_config *cfg)
{
	fill_legacy_from(cfg, &cfg->ifaces[0]);
}

void wgdp_config_iface_view(const struct wgdp_config *cfg, unsigned int k, struct wgdp_config *view)
{
	*view = *cfg;
	view->ifaces = &cfg->ifaces[k];
	view->n_ifaces = 1;
	view->shorthand = true; /* its peers' paths: "peers[N]" */
	fill_legacy_from(view, view->ifaces);
}

/* The other way: what the tree changed in the legacy fields, back into ifaces[0]. */
static void sync_iface0(struct wgdp_config *cfg)
{
	struct wgdp_interface_config *ic = &cfg->ifaces[0];

	snprintf(ic->name, sizeof(ic->name), "%s", cfg->ifname);
	memcpy(ic->private_key, cfg->private_key, 32);
	ic->listen_port = cfg->listen_port;
	ic->mtu = cfg->mtu;
	ic->mss_clamp = cfg->mss_clamp;
	ic->mss_clamp_auto = cfg->mss_clamp_auto;
	ic->peers = cfg->peers;
	ic->n_peers = cfg->n_peers;
}

static bool parse_shorthand(struct parse *p, json_t *root, struct wgdp_config *cfg)
{
	size_t old = push_key(p, "interface");

	cfg->shorthand = true;
	cfg->ifaces = calloc(1, sizeof(*cfg->ifaces));
	if (!cfg->ifaces)
		return fail(p, "out of memory");
	cfg->n_ifaces = 1;
	if (!parse_interface(p, json_object_get(root, "interface"), &cfg->ifaces[0], false))
		return false;
	pop(p, old);
	return true;
}

static bool parse_root(struct parse *p, json_t *root, struct wgdp_config *cfg)
{
	static const char *const keys[] = { "interface", "interfaces", "ports", "peers",
					    "limits",	 "control",    NULL };
	json_t *iface, *ifaces;

	if (!json_is_object(root))
		return fail(p, "the config must be a JSON object");
	if (!only_keys(p, root, keys))
		return false;
	iface = json_object_get(root, "interface");
	ifaces = json_object_get(root, "interfaces");
	if (!iface && !ifaces) {
		push_key(p, "interface");
		return fail(p, "is required (or interfaces)");
	}
	if (iface && ifaces) {
		push_key(p, "interfaces");
		return fail(p, "give interface (one) or interfaces, not both");
	}
	if (ifaces && json_object_get(root, "peers")) {
		push_key(p, "peers");
		return fail(p, "with interfaces, peers go in each interface's peers");
	}
	if (iface ? !parse_shorthand(p, root, cfg)
		  : !SECTION(p, root, "interfaces", parse_interfaces, cfg))
		return false;
	fill_legacy(cfg);
	if (!SECTION(p, root, "ports", parse_ports, cfg) ||
	    (iface && !SECTION(p, root, "peers", parse_peers, cfg)) ||
	    !SECTION(p, root, "limits", parse_limits, cfg) ||
	    !SECTION(p, root, "control", parse_control, cfg))
		return false;
	fill_legacy(cfg);
	return check_interfaces(p, cfg);
}

static struct wgdp_config *config_from_json(struct parse *p, json_t *root)
{
	struct wgdp_config *cfg = calloc(1, sizeof(*cfg));

	memset(p->err, 0, sizeof(*p->err));
	if (!cfg) {
		fail(p, "out of memory");
		return NULL;
	}
	if (!parse_root(p, root, cfg)) {
		/* interfaces[0]'s peers are freed through the legacy fields (config.h). */
		if (cfg->n_ifaces)
			fill_legacy(cfg);
		wgdp_config_free(cfg);
		cfg = NULL;
	}
	return cfg;
}

struct wgdp_config *wgdp_config_from_json(json_t *root, struct wgdp_config_error *err)
{
	struct parse p = { .err = err };

	return config_from_json(&p, root);
}

/* The whole text as one JSON tree: what reports every error. */
struct wgdp_config *wgdp_config_parse_tree(const char *text, size_t len,
					   struct wgdp_config_error *err)
{
	struct wgdp_config *cfg;
	json_error_t jerr;
	json_t *root;

	memset(err, 0, sizeof(*err));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err->path, sizeof(err->path), "line %d, column %d", jerr.line,
			 jerr.column);
		snprintf(err->message, sizeof(err->message), "%s", jerr.text);
		return NULL;
	}
	cfg = wgdp_config_from_json(root, err);
	json_decref(root);
	return cfg;
}

/* Where the skeleton's tree holds the "[]" standing for a scanned array; NULL if it does not. */
static json_t *scanned_node(json_t *root, const struct wgdp_scanned_peers *sp)
{
	json_t *owner = root, *node;

	if (sp->iface >= 0)
		owner = json_array_get(json_object_get(root, "interfaces"), (size_t)sp->iface);
	node = json_object_get(owner, "peers");
	return json_is_array(node) && json_array_size(node) == 0 ? node : NULL;
}

/*
 * The peers arrays scanned, the rest (the skeleton) as a tree. NULL on any failure, an error
 * or not: wgdp_config_parse then parses the text whole, and the error it reports is the
 * tree's, path and all. A config is only returned when every scanned array found its place.
 */
static struct wgdp_config *parse_scanned(const char *text, size_t len,
					 struct wgdp_config_error *err)
{
	struct parse p = { .err = err, .scan = wgdp_peer_scan(text, len) };
	struct wgdp_config *cfg = NULL;
	json_t *root = NULL;
	json_error_t jerr;
	bool ok;

	if (p.scan)
		root = json_loadb(p.scan->skeleton, p.scan->skeleton_len, JSON_REJECT_DUPLICATES,
				  &jerr);
	p.nodes = root ? calloc(p.scan->n_arrays, sizeof(*p.nodes)) : NULL;
	ok = p.nodes != NULL;
	for (unsigned int k = 0; ok && k < p.scan->n_arrays; k++) {
		p.nodes[k] = scanned_node(root, &p.scan->arrays[k]);
		ok = p.nodes[k] != NULL;
	}
	cfg = ok ? config_from_json(&p, root) : NULL;
	for (unsigned int k = 0; cfg && k < p.scan->n_arrays; k++) {
		if (p.scan->arrays[k].peers) {
			wgdp_config_free(cfg);
			cfg = NULL;
		}
	}
	free(p.nodes);
	json_decref(root);
	wgdp_peer_scan_free(p.scan);
	return cfg;
}

/* Most of a big config is its peers: they are read straight from the text when they can be. */
struct wgdp_config *wgdp_config_parse(const char *text, size_t len, struct wgdp_config_error *err)
{
	struct wgdp_config *cfg = parse_scanned(text, len, err);

	return cfg ? cfg : wgdp_config_parse_tree(text, len, err);
}

bool wgdp_peer_config_from_json(json_t *obj, const char *path, struct wgdp_peer_config *out,
				struct wgdp_config_error *err)
{
	struct parse p = { .err = err };

	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	push_key(&p, path);
	if (parse_peer(&p, obj, out))
		return true;
	wgdp_peer_config_clear(out);
	return false;
}

bool wgdp_config_check_peers(const struct wgdp_config *cfg, struct wgdp_config_error *err)
{
	struct parse p = { .err = err };
	uint8_t own_public[32];

	memset(err, 0, sizeof(*err));
	push_key(&p, "peers");
	if (cfg->n_peers > cfg->max_peers)
		return fail(&p, "%u peers exceed limits.max_peers (%u)", cfg->n_peers,
			    cfg->max_peers);
	wgc_x25519_public(own_public, cfg->private_key);
	/* Interface 0's peers, as the tree edits them (the legacy fields, config.h). */
	const struct wgdp_interface_config view = { .peers = cfg->peers, .n_peers = cfg->n_peers };

	if (!check_peer_rules(&p, &view, own_public))
		return false;
	/* And every other interface's: an edit through one interface's view (set-peers, the
	 * UAPI) must not bring the apply a duplicate key it would not survive. */
	for (unsigned int k = 1; k < cfg->n_ifaces; k++) {
		struct parse q = { .err = err };

		push_key(&q, "interfaces");
		push_index(&q, k);
		push_key(&q, "peers");
		wgc_x25519_public(own_public, cfg->ifaces[k].private_key);
		if (!check_peer_rules(&q, &cfg->ifaces[k], own_public))
			return false;
	}
	return true;
}

bool wgdp_config_check_interfaces(struct wgdp_config *cfg, struct wgdp_config_error *err)
{
	struct parse p = { .err = err };

	memset(err, 0, sizeof(*err));
	if (!cfg->n_ifaces)
		return true;
	/* Interface 0 may have been edited through the legacy fields (peer-add, the UAPI): the
	 * rules across interfaces (max_peers, each one's and in all) are checked again. */
	sync_iface0(cfg);
	return check_interfaces(&p, cfg);
}

/* pc lists a prefix twice: the error at the second. Leaves pc's prefixes in m. */
static bool check_repeats(struct parse *p, const struct wgdp_peer_config *pc,
			  struct wgdp_prefix_map *m)
{
	for (unsigned int j = 0; j < pc->n_allowed_ips; j++) {
		int64_t first = wgdp_prefix_map_add(m, &pc->allowed_ips[j], j);
		char text[64];

		if (first < 0)
			continue;
		wgdp_format_prefix(&pc->allowed_ips[j], text, sizeof(text));
		push_key(p, "allowed_ips");
		push_index(p, j);
		return fail(p, "%s repeats allowed_ips[%" PRId64 "]", text, first);
	}
	return true;
}

/* pc's allowed_ips[j] is held by peers[owner] of the running config, whose key we name: the
 * operator of a peer-add has the running config's order only through show. */
static bool held_by(struct parse *p, const struct wgdp_config *cfg,
		    const struct wgdp_peer_config *pc, int64_t j, uint32_t owner)
{
	char text[64], key[WGC_KEY_B64_LEN + 1];

	wgdp_format_prefix(&pc->allowed_ips[j], text, sizeof(text));
	wgc_key_to_base64(key, cfg->peers[owner].public_key);
	push_key(p, "allowed_ips");
	push_index(p, (size_t)j);
	return fail(p, "%s is already peers[%u]'s (%s)", text, owner, key);
}

/* None of pc's allowed-ips may be a running peer's: pc's few prefixes go in a hash and the
 * running ones stream past it, so a peer-add costs one pass, not one per prefix. */
static bool check_new_prefixes(struct parse *p, const struct wgdp_config *cfg,
			       const struct wgdp_peer_config *pc)
{
	struct wgdp_prefix_map *m;
	bool ok;

	if (!pc->n_allowed_ips)
		return true;
	m = wgdp_prefix_map_new(pc->n_allowed_ips);
	if (!m)
		return fail(p, "out of memory");
	ok = check_repeats(p, pc, m);
	for (uint32_t i = 0; i < cfg->n_peers && ok; i++) {
		const struct wgdp_peer_config *run = &cfg->peers[i];

		for (unsigned int k = 0; k < run->n_allowed_ips && ok; k++) {
			int64_t j = wgdp_prefix_map_find(m, &run->allowed_ips[k]);

			if (j >= 0)
				ok = held_by(p, cfg, pc, j, i);
		}
	}
	wgdp_prefix_map_free(m);
	return ok;
}

bool wgdp_config_check_new_peer(const struct wgdp_config *cfg, const struct wgdp_peer_config *pc,
				const char *path, struct wgdp_config_error *err)
{
	struct parse p = { .err = err };
	uint8_t own_public[32];
	size_t old;

	memset(err, 0, sizeof(*err));
	push_key(&p, path);
	old = push_key(&p, "public_key");
	wgc_x25519_public(own_public, cfg->private_key);
	if (memcmp(pc->public_key, own_public, 32) == 0)
		return fail(&p, "is the interface's own public key");
	for (uint32_t i = 0; i < cfg->n_peers; i++)
		if (memcmp(cfg->peers[i].public_key, pc->public_key, 32) == 0)
			return fail(&p, "is already a peer (peer-remove it first, or reload)");
	pop(&p, old);
	if (cfg->n_peers >= cfg->max_peers)
		return fail(&p, "%u peers already, as many as limits.max_peers allows",
			    cfg->n_peers);
	return check_new_prefixes(&p, cfg, pc);
}

bool wgdp_peer_config_copy(struct wgdp_peer_config *dst, const struct wgdp_peer_config *src)
{
	*dst = *src;
	dst->allowed_ips = calloc(src->n_allowed_ips ? src->n_allowed_ips : 1,
				  sizeof(*dst->allowed_ips));
	if (!dst->allowed_ips) {
		dst->n_allowed_ips = 0;
		return false;
	}
	if (src->n_allowed_ips)
		memcpy(dst->allowed_ips, src->allowed_ips,
		       src->n_allowed_ips * sizeof(*src->allowed_ips));
	return true;
}

void wgdp_peer_config_clear(struct wgdp_peer_config *pc)
{
	free(pc->allowed_ips);
	wgc_memzero(pc, sizeof(*pc));
}

/* An interface's copy; its peers only for i > 0 (interface 0's are the legacy fields). */
static bool dup_iface(struct wgdp_interface_config *dst, const struct wgdp_interface_config *src,
		      bool with_peers)
{
	*dst = *src;
	dst->routes = NULL;
	dst->n_routes = 0;
	dst->peers = NULL;
	dst->n_peers = 0;
	if (src->n_routes) {
		dst->routes = malloc(src->n_routes * sizeof(*src->routes));
		if (!dst->routes)
			return false;
		memcpy(dst->routes, src->routes, src->n_routes * sizeof(*src->routes));
		dst->n_routes = src->n_routes;
	}
	if (!with_peers)
		return true;
	dst->peers = calloc(src->n_peers ? src->n_peers : 1, sizeof(*dst->peers));
	if (!dst->peers)
		return false;
	for (unsigned int i = 0; i < src->n_peers; i++) {
		if (!wgdp_peer_config_copy(&dst->peers[i], &src->peers[i]))
			return false;
		dst->n_peers++;
	}
	return true;
}

/* cfg is a copy of src but for the interfaces: copies them, interface 0 from the legacy
 * fields (which src's tree may have edited). */
static bool dup_ifaces(struct wgdp_config *cfg, const struct wgdp_config *src)
{
	unsigned int n = src->n_ifaces ? src->n_ifaces : 1;

	cfg->ifaces = calloc(n, sizeof(*cfg->ifaces));
	if (!cfg->ifaces)
		return false;
	for (unsigned int i = 0; i < src->n_ifaces; i++) {
		cfg->n_ifaces++;
		if (!dup_iface(&cfg->ifaces[i], &src->ifaces[i], i > 0))
			return false;
	}
	cfg->n_ifaces = n;
	sync_iface0(cfg);
	return true;
}

static void iface_free(struct wgdp_interface_config *ic, bool with_peers)
{
	for (unsigned int i = 0; with_peers && i < ic->n_peers; i++)
		wgdp_peer_config_clear(&ic->peers[i]);
	if (with_peers)
		free(ic->peers);
	free(ic->routes);
	wgc_memzero(ic, sizeof(*ic));
}

struct wgdp_config *wgdp_config_dup(const struct wgdp_config *src, unsigned int extra_peers)
{
	struct wgdp_config *cfg = malloc(sizeof(*cfg));
	unsigned int room = src->n_peers + extra_peers;

	if (!cfg)
		return NULL;
	*cfg = *src;
	cfg->ifaces = NULL;
	cfg->n_ifaces = 0;
	cfg->n_peers = 0;
	cfg->peers = calloc(room ? room : 1, sizeof(*cfg->peers));
	if (!cfg->peers) {
		wgdp_config_free(cfg);
		return NULL;
	}
	for (unsigned int i = 0; i < src->n_peers; i++) {
		if (!wgdp_peer_config_copy(&cfg->peers[i], &src->peers[i])) {
			wgdp_config_free(cfg);
			return NULL;
		}
		cfg->n_peers++;
	}
	if (!dup_ifaces(cfg, src)) {
		wgdp_config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct wgdp_config *wgdp_config_load(const char *path, struct wgdp_config_error *err)
{
	struct wgdp_config *cfg;
	size_t len;
	char *text;

	memset(err, 0, sizeof(*err));
	/* The text may hold a private key: read and let go without a copy left behind. */
	text = wgdp_secret_file_read(path, SIZE_MAX / 2, &len, err->message, sizeof(err->message));
	if (!text) {
		snprintf(err->path, sizeof(err->path), "%s", path);
		return NULL;
	}
	cfg = wgdp_config_parse(text, len, err);
	wgdp_secret_text_free(text, len);
	return cfg;
}

void wgdp_config_free(struct wgdp_config *cfg)
{
	if (!cfg)
		return;
	for (unsigned int i = 0; i < cfg->n_peers; i++)
		wgdp_peer_config_clear(&cfg->peers[i]);
	free(cfg->peers);
	for (unsigned int i = 0; cfg->ifaces && i < cfg->n_ifaces; i++)
		iface_free(&cfg->ifaces[i], i > 0);
	free(cfg->ifaces);
	wgc_memzero(cfg, sizeof(*cfg));
	free(cfg);
}

void wgdp_format_addr(const struct wgdp_addr *a, char *out, size_t len)
{
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, out, (socklen_t)len))
		snprintf(out, len, "?");
}

void wgdp_format_prefix(const struct wgdp_prefix *p, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	wgdp_format_addr(&p->addr, a, sizeof(a));
	snprintf(out, len, "%s/%u", a, p->len);
}

void wgdp_format_endpoint(const struct wgdp_endpoint *ep, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	wgdp_format_addr(&ep->addr, a, sizeof(a));
	snprintf(out, len, ep->addr.family == 4 ? "%s:%u" : "[%s]:%u", a, ep->port);
}
