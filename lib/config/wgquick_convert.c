/* SPDX-License-Identifier: MIT */
/*
 * struct wgdp_wgq to and from the other forms (wgquick.h): `wg setconf` text for export, a
 * wgdp JSON config for import, and back from the control socket's export answer.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wgquick.h"
#include "crypto/ct.h"
#include "crypto/keys.h"

/* A text built into one buffer sized up front: no realloc leaves a copy of a key behind. */
struct text {
	char *s;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len = t->len + (size_t)n < t->cap ? t->len + (size_t)n : t->cap - 1;
}

static void put_key(struct text *t, const char *name, const uint8_t key[32])
{
	char b64[WGC_KEY_B64_LEN + 1];

	wgc_key_to_base64(b64, key);
	put(t, "%s = %s\n", name, b64);
	wgc_memzero(b64, sizeof(b64));
}

static void put_peer(struct text *t, const struct wgdp_peer_config *pc, bool keys)
{
	char text[WGDP_ENDPOINT_TEXT_MAX];

	put(t, "\n[Peer]\n");
	put_key(t, "PublicKey", pc->public_key);
	if (keys && pc->has_psk)
		put_key(t, "PresharedKey", pc->psk);
	for (unsigned int i = 0; i < pc->n_allowed_ips; i++) {
		wgdp_format_prefix(&pc->allowed_ips[i], text, sizeof(text));
		put(t, "%s%s", i ? ", " : "AllowedIPs = ", text);
	}
	if (pc->n_allowed_ips)
		put(t, "\n");
	if (pc->has_endpoint) {
		wgdp_format_endpoint(&pc->endpoint, text, sizeof(text));
		put(t, "Endpoint = %s\n", text);
	}
	if (pc->persistent_keepalive)
		put(t, "PersistentKeepalive = %u\n", pc->persistent_keepalive);
}

char *wgdp_wgq_format(const struct wgdp_wgq *wq, bool keys)
{
	/* Lines are at most a key name and a key, an endpoint or a prefix list's worth. */
	struct text t = { .cap = 128 };

	for (unsigned int i = 0; i < wq->n_peers; i++)
		t.cap += 256 + wq->peers[i].n_allowed_ips * (INET6_ADDRSTRLEN + 6);
	t.s = malloc(t.cap);
	if (!t.s)
		return NULL;
	t.s[0] = '\0';
	put(&t, "[Interface]\n");
	if (wq->has_listen_port)
		put(&t, "ListenPort = %u\n", wq->listen_port);
	if (keys && wq->has_private_key)
		put_key(&t, "PrivateKey", wq->private_key);
	for (unsigned int i = 0; i < wq->n_peers; i++)
		put_peer(&t, &wq->peers[i], keys);
	return t.s;
}

static void set_key(json_t *obj, const char *name, const uint8_t key[32])
{
	char b64[WGC_KEY_B64_LEN + 1];

	wgc_key_to_base64(b64, key);
	json_object_set_new(obj, name, json_string(b64));
	wgc_memzero(b64, sizeof(b64));
}

json_t *wgdp_wgq_peer_json(const struct wgdp_peer_config *pc, bool keys)
{
	char text[WGDP_ENDPOINT_TEXT_MAX];
	json_t *o = json_object(), *aips = json_array();

	set_key(o, "public_key", pc->public_key);
	if (keys && pc->has_psk)
		set_key(o, "preshared_key", pc->psk);
	if (pc->has_endpoint) {
		wgdp_format_endpoint(&pc->endpoint, text, sizeof(text));
		json_object_set_new(o, "endpoint", json_string(text));
	}
	for (unsigned int i = 0; i < pc->n_allowed_ips; i++) {
		wgdp_format_prefix(&pc->allowed_ips[i], text, sizeof(text));
		json_array_append_new(aips, json_string(text));
	}
	json_object_set_new(o, "allowed_ips", aips);
	if (pc->persistent_keepalive)
		json_object_set_new(o, "persistent_keepalive",
				    json_integer(pc->persistent_keepalive));
	if (pc->name[0])
		json_object_set_new(o, "name", json_string(pc->name));
	return o;
}

static json_t *no_json(struct wgdp_config_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static json_t *no_json(struct wgdp_config_error *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->path, sizeof(err->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return NULL;
}

/*
 * The interface object of the template to fill, and in *owner the object whose "peers" are
 * that interface's: interfaces[] by name, or the shorthand "interface" (made if absent).
 */
static json_t *template_iface(json_t *root, const char *name, json_t **owner,
			      struct wgdp_config_error *err)
{
	json_t *list = json_object_get(root, "interfaces"), *v;
	size_t i;

	if (list) {
		if (!json_is_array(list))
			return no_json(err, "interfaces", "must be an array of interfaces");
		json_array_foreach(list, i, v)
		{
			json_t *n = json_object_get(v, "name");

			if (json_is_string(n) && strcmp(json_string_value(n), name) == 0)
				return *owner = v;
		}
		return no_json(err, "interfaces", "none is named %s (--name picks the one to fill)",
			       name);
	}
	*owner = root;
	v = json_object_get(root, "interface");
	if (!v) {
		v = json_object();
		json_object_set_new(root, "interface", v);
	}
	return json_is_object(v) ? v : no_json(err, "interface", "must be an object");
}

/* The file's settings into the template's interface; its key replaces the template's. */
static bool fill_iface(json_t *iface, const struct wgdp_wgq *wq, const char *name,
		       struct wgdp_config_error *err)
{
	json_object_set_new(iface, "name", json_string(name));
	if (wq->has_private_key) {
		json_object_del(iface, "private_key_file");
		/* Replacing it frees the template's key unwiped; wgdpctl's jansson wipes what it
		 * frees (secret_alloc.h), but a caller of this library may not have that. */
		wgdp_json_wipe(json_object_get(iface, "private_key"));
		set_key(iface, "private_key", wq->private_key);
	} else if (!json_object_get(iface, "private_key") &&
		   !json_object_get(iface, "private_key_file")) {
		no_json(err, "",
			"no PrivateKey in the file, and no private_key or "
			"private_key_file in the template's interface");
		return false;
	}
	if (wq->has_listen_port)
		json_object_set_new(iface, "listen_port", json_integer(wq->listen_port));
	if (wq->has_mtu)
		json_object_set_new(iface, "mtu", json_integer(wq->mtu));
	return true;
}

json_t *wgdp_wgq_to_json(const struct wgdp_wgq *wq, const char *name, json_t *tmpl,
			 struct wgdp_config_error *err)
{
	json_t *root = tmpl ? json_deep_copy(tmpl) : json_object(), *iface, *owner = NULL, *peers;

	memset(err, 0, sizeof(*err));
	if (!root)
		return no_json(err, "", "out of memory");
	if (!json_is_object(root)) {
		json_decref(root);
		return no_json(err, "(top level)", "a template is a wgdp config: a JSON object");
	}
	iface = template_iface(root, name, &owner, err);
	if (!iface || !fill_iface(iface, wq, name, err)) {
		wgdp_json_wipe(root);
		json_decref(root);
		return NULL;
	}
	peers = json_array();
	for (unsigned int i = 0; i < wq->n_peers; i++)
		json_array_append_new(peers, wgdp_wgq_peer_json(&wq->peers[i], true));
	/* The same for the template's peers and their preshared keys. */
	wgdp_json_wipe(json_object_get(owner, "peers"));
	json_object_set_new(owner, "peers", peers);
	return root;
}

static bool bad_answer(struct wgdp_config_error *err, const char *path, const char *message)
{
	snprintf(err->path, sizeof(err->path), "%s", path);
	snprintf(err->message, sizeof(err->message), "%s", message);
	return false;
}

/* interface.listen_port / mtu: a value in [min, 65535], or absent. */
static bool get_u16(json_t *iface, const char *key, unsigned int min, bool *has, uint16_t *out)
{
	json_t *v = json_object_get(iface, key);

	if (!v)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > 65535)
		return false;
	*has = true;
	*out = (uint16_t)json_integer_value(v);
	return true;
}

static bool iface_from_json(json_t *iface, struct wgdp_wgq *out, struct wgdp_config_error *err)
{
	json_t *key = json_object_get(iface, "private_key");

	if (!get_u16(iface, "listen_port", 1, &out->has_listen_port, &out->listen_port))
		return bad_answer(err, "interface.listen_port", "not a port");
	if (!get_u16(iface, "mtu", 1, &out->has_mtu, &out->mtu))
		return bad_answer(err, "interface.mtu", "not an MTU");
	if (!key)
		return true;
	out->has_private_key = true;
	if (!json_is_string(key) || !wgc_key_from_base64(out->private_key, json_string_value(key)))
		return bad_answer(err, "interface.private_key", "not a base64 key");
	return true;
}

bool wgdp_wgq_from_json(json_t *answer, struct wgdp_wgq *out, struct wgdp_config_error *err)
{
	json_t *iface = json_object_get(answer, "interface");
	json_t *peers = json_object_get(answer, "peers"), *v;
	size_t i, n = json_array_size(peers);

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (!json_is_object(iface) || !json_is_array(peers))
		return bad_answer(err, "", "no interface and peers: not an export answer");
	if (!iface_from_json(iface, out, err)) {
		wgdp_wgq_free(out);
		return false;
	}
	out->peers = calloc(n ? n : 1, sizeof(*out->peers));
	if (!out->peers)
		return bad_answer(err, "", "out of memory");
	json_array_foreach(peers, i, v)
	{
		char path[32];

		snprintf(path, sizeof(path), "peers[%zu]", i);
		if (!wgdp_peer_config_from_json(v, path, &out->peers[i], err)) {
			wgdp_wgq_free(out);
			return false;
		}
		out->n_peers++;
	}
	return true;
}

bool wgdp_wgq_name_of(const char *path, char name[WGDP_IFNAME_MAX + 1])
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(base);

	if (len >= 5 && strcmp(base + len - 5, ".conf") == 0)
		len -= 5;
	if (len == 0 || len > WGDP_IFNAME_MAX)
		return false;
	/* interface.name's rule (config.c): wg-quick's also allows '=' and '+', wgdp does not. */
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    base[i]))
			return false;
	memcpy(name, base, len);
	name[len] = '\0';
	return true;
}

void wgdp_json_wipe(json_t *v)
{
	const char *key;
	json_t *member;
	size_t i;

	if (json_is_string(v)) {
		wgc_memzero((char *)json_string_value(v), json_string_length(v));
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, member)
		{
			(void)key;
			wgdp_json_wipe(member);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, member)
		{
			wgdp_json_wipe(member);
		}
	}
}
