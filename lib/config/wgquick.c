/* SPDX-License-Identifier: MIT */
/*
 * Reading a wg / wg-quick file (wgquick.h): a line at a time into struct wgdp_wgq, then the
 * rules across peers (own key, duplicate keys, prefixes held twice) once every line is read,
 * each error at the line that broke the rule.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "peer_rules.h"
#include "wgquick.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "crypto/x25519.h"

enum section { SEC_NONE, SEC_IFACE, SEC_PEER };

enum key_id {
	K_PRIVATE_KEY,
	K_LISTEN_PORT,
	K_FWMARK,
	K_ADDRESS,
	K_DNS,
	K_MTU,
	K_TABLE,
	K_PRE_UP,
	K_POST_UP,
	K_PRE_DOWN,
	K_POST_DOWN,
	K_SAVE_CONFIG,
	K_PUBLIC_KEY,
	K_PRESHARED_KEY,
	K_ALLOWED_IPS,
	K_ENDPOINT,
	K_KEEPALIVE,
	K_COUNT,
};

struct reader {
	struct wgdp_wgq *wq;
	struct wgdp_wgq_msg *err;
	unsigned int line;
	enum section section;
	unsigned int section_line;
	unsigned int iface_line;    /* the [Interface] line; 0 before it */
	unsigned int seen[K_COUNT]; /* the line of each key in this section; 0 = not yet */
	size_t peers_cap, notes_cap, aips_cap; /* aips_cap: the current peer's */
};

/*
 * A key of wg or wg-quick: its section, whether its lines add up, whether an empty value
 * means none (wg-quick's keys but SaveConfig: it adds no address, server or hook, and leaves
 * MTU and Table automatic; wg refuses an empty value), and how it is read.
 */
struct key_info {
	const char *name;
	enum section section;
	bool repeats;
	bool empty_is_none;
	bool (*read)(struct reader *r, const struct key_info *k, char *value);
};

static bool fail_at(struct reader *r, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail_at(struct reader *r, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	r->err->line = line;
	va_start(ap, fmt);
	vsnprintf(r->err->text, sizeof(r->err->text), fmt, ap);
	va_end(ap);
	return false;
}

#define fail(r, ...) fail_at(r, (r)->line, __VA_ARGS__)

/* Copies n elements of size bytes to a new array of cap, wiping the old one (peers hold
 * preshared keys: realloc would leave a copy behind). */
static void *grow(void *old, size_t n, size_t cap, size_t size)
{
	void *bigger = calloc(cap, size);

	if (!bigger)
		return NULL;
	if (n) {
		memcpy(bigger, old, n * size);
		wgc_memzero(old, n * size);
	}
	free(old);
	return bigger;
}

static bool note(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool note(struct reader *r, const char *fmt, ...)
{
	struct wgdp_wgq *wq = r->wq;
	struct wgdp_wgq_msg *m;
	va_list ap;

	if (wq->n_notes == r->notes_cap) {
		size_t cap = r->notes_cap ? 2 * r->notes_cap : 8;
		void *bigger = grow(wq->notes, wq->n_notes, cap, sizeof(*wq->notes));

		if (!bigger)
			return fail(r, "out of memory");
		wq->notes = bigger;
		r->notes_cap = cap;
	}
	m = &wq->notes[wq->n_notes++];
	m->line = r->line;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	return true;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* Digits only, in base (10, or 16 with its "0x"), at most max. */
static bool parse_number(const char *text, int base, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*text))
		return false;
	errno = 0;
	*out = strtoul(text, &end, base);
	return !*end && !errno && *out <= max;
}

/* "a.b.c.d/len", "x::y/len", or an address alone, meaning all of it (/32, /128), as wg has. */
static bool parse_prefix_or_addr(const char *item, struct wgdp_prefix *out, bool clear_host)
{
	char buf[64];

	if (strchr(item, '/'))
		return wgdp_parse_prefix(item, out, clear_host);
	if (strlen(item) + sizeof("/128") > sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s/%s", item, strchr(item, ':') ? "128" : "32");
	return wgdp_parse_prefix(buf, out, clear_host);
}

/* Calls fn on each comma-separated item of value, blanks around it trimmed; "" has none. */
static bool each_item(struct reader *r, const struct key_info *k, char *value,
		      bool (*fn)(struct reader *r, const struct key_info *k, char *item))
{
	char *item = value, *comma;

	if (!*value)
		return true;
	for (; item; item = comma) {
		comma = strchr(item, ',');
		if (comma)
			*comma++ = '\0';
		item = trim(item);
		if (!*item)
			return fail(r, "%s: an empty item in the list", k->name);
		if (!fn(r, k, item))
			return false;
	}
	return true;
}

static struct wgdp_peer_config *current(struct reader *r)
{
	return &r->wq->peers[r->wq->n_peers - 1];
}

static bool read_key(struct reader *r, const struct key_info *k, const char *value, uint8_t out[32])
{
	if (wgc_key_from_base64(out, value))
		return true;
	return fail(r, "%s: not a base64 key (44 characters, as wg genkey prints)", k->name);
}

static bool read_private_key(struct reader *r, const struct key_info *k, char *value)
{
	r->wq->has_private_key = true;
	return read_key(r, k, value, r->wq->private_key);
}

static bool read_listen_port(struct reader *r, const struct key_info *k, char *value)
{
	unsigned long port;

	/* wg's 0 asks for any free port: wgdp has to know its port, so it is never 0. */
	if (!parse_number(value, 10, 65535, &port) || port == 0)
		return fail(r, "%s: a port from 1 to 65535", k->name);
	r->wq->has_listen_port = true;
	r->wq->listen_port = (uint16_t)port;
	return true;
}

static bool read_fwmark(struct reader *r, const struct key_info *k, char *value)
{
	unsigned long mark = 0;
	/* As wg reads it: hexadecimal after a lower-case "0x", otherwise decimal, so 010 is ten
	 * and 08 eight (strtoul's base 0 would read octal). */
	int base = strlen(value) > 2 && value[0] == '0' && value[1] == 'x' ? 16 : 10;

	if (strcasecmp(value, "off") != 0 && !parse_number(value, base, UINT32_MAX, &mark))
		return fail(r, "%s: off or a number", k->name);
	if (!mark)
		return true;
	return note(r,
		    "%s ignored: wgdp's packets never pass the kernel's routing, so there is "
		    "nothing to mark",
		    k->name);
}

static bool check_address(struct reader *r, const struct key_info *k, char *item)
{
	struct wgdp_prefix pf;

	if (!parse_prefix_or_addr(item, &pf, false))
		return fail(r, "%s: %.60s is not an address or address/length", k->name, item);
	return true;
}

/* The tunnel-side address of a wg-quick interface: wgdp has none (docs/operations.md). */
static bool read_address(struct reader *r, const struct key_info *k, char *value)
{
	if (!each_item(r, k, value, check_address))
		return false;
	return note(r,
		    "%s ignored: wgdp has no address in the tunnel; route the peers' "
		    "AllowedIPs to its inside address (docs/operations.md)",
		    k->name);
}

static bool read_mtu(struct reader *r, const struct key_info *k, char *value)
{
	unsigned long mtu;

	if (!parse_number(value, 10, 9000, &mtu) || mtu < 576)
		return fail(r, "%s: from 576 to 9000 (wgdp's interface.mtu)", k->name);
	r->wq->has_mtu = true;
	r->wq->mtu = (uint16_t)mtu;
	return true;
}

static bool read_dns(struct reader *r, const struct key_info *k, char *value)
{
	(void)value;
	return note(r, "%s ignored: it sets this host's resolver, which wgdp does not touch",
		    k->name);
}

static bool read_table(struct reader *r, const struct key_info *k, char *value)
{
	(void)value;
	return note(r, "%s ignored: wgdp routes to peers by their AllowedIPs, in no kernel table",
		    k->name);
}

static bool read_hook(struct reader *r, const struct key_info *k, char *value)
{
	(void)value;
	return note(r,
		    "%s not run: wgdp runs no commands; do what it did (NAT, firewall) on "
		    "the hosts around wgdp",
		    k->name);
}

static bool read_save_config(struct reader *r, const struct key_info *k, char *value)
{
	if (strcasecmp(value, "false") == 0)
		return true;
	if (strcasecmp(value, "true") != 0)
		return fail(r, "%s: true or false", k->name);
	return note(r, "%s ignored: wgdp never writes its config (wgdpctl export prints it)",
		    k->name);
}

static bool read_public_key(struct reader *r, const struct key_info *k, char *value)
{
	r->wq->lines[r->wq->n_peers - 1].key = r->line;
	return read_key(r, k, value, current(r)->public_key);
}

static bool read_psk(struct reader *r, const struct key_info *k, char *value)
{
	struct wgdp_peer_config *pc = current(r);

	if (!read_key(r, k, value, pc->psk))
		return false;
	/* All zeros is how wg says "no preshared key". */
	pc->has_psk = !wgc_ct_is_zero(pc->psk, sizeof(pc->psk));
	return true;
}

static bool add_allowed_ip(struct reader *r, const struct key_info *k, char *item)
{
	struct wgdp_peer_config *pc = current(r);
	struct wgdp_wgq_lines *lines = &r->wq->lines[r->wq->n_peers - 1];

	if (pc->n_allowed_ips == r->aips_cap) {
		size_t cap = r->aips_cap ? 2 * r->aips_cap : 4;
		struct wgdp_prefix *aips = realloc(pc->allowed_ips, cap * sizeof(*aips));
		unsigned int *at = aips ? realloc(lines->aips, cap * sizeof(*at)) : NULL;

		if (aips)
			pc->allowed_ips = aips;
		if (!at)
			return fail(r, "out of memory");
		lines->aips = at;
		r->aips_cap = cap;
	}
	/* Host bits cleared, as wg does: 10.0.1.7/24 is 10.0.1.0/24. */
	if (!parse_prefix_or_addr(item, &pc->allowed_ips[pc->n_allowed_ips], true))
		return fail(r, "%s: %.60s is not a prefix (address/length)", k->name, item);
	lines->aips[pc->n_allowed_ips++] = r->line;
	return true;
}

static bool read_allowed_ips(struct reader *r, const struct key_info *k, char *value)
{
	return each_item(r, k, value, add_allowed_ip);
}

/* The host of a host:port that is not an address: a name wg would look up. */
static bool is_host_name(const char *value)
{
	const char *colon = strrchr(value, ':');

	if (value[0] == '[' || !colon || memchr(value, ':', (size_t)(colon - value)))
		return false;
	for (const char *c = value; c < colon; c++)
		if (isalpha((unsigned char)*c))
			return true;
	return false;
}

static bool read_endpoint(struct reader *r, const struct key_info *k, char *value)
{
	struct wgdp_peer_config *pc = current(r);

	if (wgdp_parse_endpoint(value, &pc->endpoint)) {
		pc->has_endpoint = true;
		return true;
	}
	/* wg resolves a name once, when it reads the file; wgdp's config takes addresses, and a
	 * lookup at import would hide that the address is then fixed. */
	if (is_host_name(value))
		return fail(r,
			    "%s: %.60s is a host name; wgdp takes an address (IPv4:port or "
			    "[IPv6]:port): resolve it and write that",
			    k->name, value);
	return fail(r, "%s: %.60s is not IPv4:port or [IPv6]:port", k->name, value);
}

static bool read_keepalive(struct reader *r, const struct key_info *k, char *value)
{
	unsigned long secs = 0;

	if (strcasecmp(value, "off") != 0 && !parse_number(value, 10, 65535, &secs))
		return fail(r, "%s: off or seconds from 0 to 65535", k->name);
	current(r)->persistent_keepalive = (uint16_t)secs;
	return true;
}

/* wg's keys, then wg-quick's (which wg-quick takes out before it hands the file to wg). */
static const struct key_info keys[K_COUNT] = {
	[K_PRIVATE_KEY] = { "PrivateKey", SEC_IFACE, false, false, read_private_key },
	[K_LISTEN_PORT] = { "ListenPort", SEC_IFACE, false, false, read_listen_port },
	[K_FWMARK] = { "FwMark", SEC_IFACE, false, false, read_fwmark },
	[K_ADDRESS] = { "Address", SEC_IFACE, true, true, read_address },
	[K_DNS] = { "DNS", SEC_IFACE, true, true, read_dns },
	[K_MTU] = { "MTU", SEC_IFACE, false, true, read_mtu },
	[K_TABLE] = { "Table", SEC_IFACE, false, true, read_table },
	[K_PRE_UP] = { "PreUp", SEC_IFACE, true, true, read_hook },
	[K_POST_UP] = { "PostUp", SEC_IFACE, true, true, read_hook },
	[K_PRE_DOWN] = { "PreDown", SEC_IFACE, true, true, read_hook },
	[K_POST_DOWN] = { "PostDown", SEC_IFACE, true, true, read_hook },
	[K_SAVE_CONFIG] = { "SaveConfig", SEC_IFACE, false, false, read_save_config },
	[K_PUBLIC_KEY] = { "PublicKey", SEC_PEER, false, false, read_public_key },
	[K_PRESHARED_KEY] = { "PresharedKey", SEC_PEER, false, false, read_psk },
	[K_ALLOWED_IPS] = { "AllowedIPs", SEC_PEER, true, false, read_allowed_ips },
	[K_ENDPOINT] = { "Endpoint", SEC_PEER, false, false, read_endpoint },
	[K_KEEPALIVE] = { "PersistentKeepalive", SEC_PEER, false, false, read_keepalive },
};

static const char *section_name(enum section s)
{
	return s == SEC_IFACE ? "[Interface]" : "[Peer]";
}

/* The section just read must be whole: a peer needs its public key. */
static bool end_section(struct reader *r)
{
	if (r->section == SEC_PEER && !r->wq->lines[r->wq->n_peers - 1].key)
		return fail_at(r, r->section_line, "[Peer] without a PublicKey");
	return true;
}

static bool new_peer(struct reader *r)
{
	struct wgdp_wgq *wq = r->wq;

	if (wq->n_peers == r->peers_cap) {
		size_t cap = r->peers_cap ? 2 * r->peers_cap : 16;
		void *peers = grow(wq->peers, wq->n_peers, cap, sizeof(*wq->peers));
		void *lines;

		if (!peers)
			return fail(r, "out of memory");
		wq->peers = peers;
		lines = grow(wq->lines, wq->n_peers, cap, sizeof(*wq->lines));
		if (!lines)
			return fail(r, "out of memory");
		wq->lines = lines;
		r->peers_cap = cap;
	}
	wq->lines[wq->n_peers++].peer = r->line;
	r->aips_cap = 0;
	return true;
}

static bool begin_section(struct reader *r, char *line)
{
	size_t len = strlen(line);
	char *name;

	if (line[len - 1] != ']')
		return fail(r, "a section header is [Interface] or [Peer]");
	line[len - 1] = '\0';
	name = trim(line + 1);
	if (!end_section(r))
		return false;
	memset(r->seen, 0, sizeof(r->seen));
	r->section_line = r->line;
	if (strcasecmp(name, "Interface") == 0) {
		if (r->iface_line)
			return fail(r, "a second [Interface] (the first is line %u)",
				    r->iface_line);
		r->iface_line = r->line;
		r->section = SEC_IFACE;
		return true;
	}
	if (strcasecmp(name, "Peer") == 0) {
		r->section = SEC_PEER;
		return new_peer(r);
	}
	return fail(r, "unknown section [%.40s] (wg has [Interface] and [Peer])", name);
}

/* Keys are matched in any case, as wg and wg-quick do. */
static enum key_id find_key(const char *name)
{
	enum key_id id;

	for (id = 0; id < K_COUNT; id++)
		if (strcasecmp(name, keys[id].name) == 0)
			break;
	return id;
}

static bool read_setting(struct reader *r, char *line)
{
	char *eq = strchr(line, '='), *name, *value;
	const struct key_info *k;
	enum key_id id;

	if (!eq)
		return fail(r, "not Key = value, a [section] or a # comment");
	*eq = '\0';
	name = trim(line);
	value = trim(eq + 1);
	id = find_key(name);
	if (id == K_COUNT)
		return fail(r, "unknown key '%.40s'", name);
	k = &keys[id];
	if (r->section == SEC_NONE)
		return fail(r, "%s outside a section ([Interface] or [Peer] first)", k->name);
	if (k->section != r->section)
		return fail(r, "%s belongs in %s, not %s", k->name, section_name(k->section),
			    section_name(r->section));
	if (!k->repeats && r->seen[id])
		return fail(r, "%s given twice in this section (also line %u)", k->name,
			    r->seen[id]);
	r->seen[id] = r->line;
	if (!*value && k->empty_is_none)
		return true; /* nothing is lost: no note */
	if (!*value && !k->repeats)
		return fail(r, "%s has no value", k->name);
	return k->read(r, k, value);
}

static bool read_line(struct reader *r, char *line)
{
	char *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	line = trim(line); /* CR of CRLF included */
	if (!*line)
		return true;
	if (*line == '[')
		return begin_section(r, line);
	return read_setting(r, line);
}

static bool read_lines(struct reader *r, char *text)
{
	char *line, *next;

	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		r->line++;
		if (!read_line(r, line))
			return false;
	}
	return end_section(r);
}

/*
 * The rules across peers, as the JSON config has them (peer_rules.h): the error at the line
 * that broke one, the earlier line it clashes with in the message.
 */
static bool check_peers(struct reader *r)
{
	const struct wgdp_wgq *wq = r->wq;
	const struct wgdp_wgq_lines *at;
	struct wgdp_peer_fault f;
	uint8_t own[32];
	bool has_own = wq->has_private_key && wgc_x25519_public(own, wq->private_key);

	if (wgdp_peer_rules_check(wq->peers, wq->n_peers, has_own ? own : NULL, &f))
		return true;
	at = &wq->lines[f.peer];
	switch (f.rule) {
	case WGDP_RULE_NO_MEMORY:
		return fail_at(r, 0, "out of memory");
	case WGDP_RULE_OWN_KEY:
		return fail_at(r, at->key, "PublicKey is this interface's own (its PrivateKey's)");
	case WGDP_RULE_SAME_KEY:
		return fail_at(r, at->key, "PublicKey: this peer is the one of line %u too",
			       wq->lines[f.other].peer);
	case WGDP_RULE_PREFIX_TAKEN:
		return fail_at(r, at->aips[f.aip],
			       "AllowedIPs: %s is the peer's of line %u already (wgdp "
			       "gives a prefix to one peer)",
			       f.prefix, wq->lines[f.other].peer);
	case WGDP_RULE_PREFIX_AGAIN:
		break;
	}
	return fail_at(r, at->aips[f.aip],
		       "AllowedIPs: %s is listed twice for this peer (also line %u)", f.prefix,
		       at->aips[f.other]);
}

/* The line of the first NUL byte: a text file has none, and C strings would stop there. */
static unsigned int nul_line(const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);
	unsigned int line = 1;

	if (!nul)
		return 0;
	for (const char *c = text; c < nul; c++)
		line += *c == '\n';
	return line;
}

bool wgdp_wgq_parse(const char *text, size_t len, struct wgdp_wgq *out, struct wgdp_wgq_msg *err)
{
	struct reader r = { .wq = out, .err = err };
	unsigned int nul = nul_line(text, len);
	char *copy;
	bool ok;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (nul)
		return fail_at(&r, nul, "a NUL byte: not a text file");
	copy = malloc(len + 1);
	if (!copy)
		return fail_at(&r, 0, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	ok = read_lines(&r, copy) && check_peers(&r);
	/* The copy holds the private and preshared keys. */
	wgc_memzero(copy, len);
	free(copy);
	if (!ok)
		wgdp_wgq_free(out);
	return ok;
}

void wgdp_wgq_free(struct wgdp_wgq *wq)
{
	for (unsigned int i = 0; i < wq->n_peers; i++) {
		wgdp_peer_config_clear(&wq->peers[i]);
		if (wq->lines)
			free(wq->lines[i].aips);
	}
	free(wq->peers);
	free(wq->lines);
	free(wq->notes);
	wgc_memzero(wq, sizeof(*wq));
}
