/* SPDX-License-Identifier: MIT */
/*
 * The peers arrays of a config text, read without a JSON tree (peer_scan.h). Anything this
 * does not take in its stride is left to the ordinary parser: every function here answers
 * false for "not for the shortcut", never for "this is an error".
 */
#include <stdlib.h>
#include <string.h>

#include "peer_scan.h"
#include "crypto/ct.h"
#include "crypto/keys.h"

/* Deeper than any config is: the shortcut gives up rather than recurse on hostile input. */
#define SCAN_MAX_DEPTH 32

struct scanner {
	const char *s; /* the next byte */
	const char *end;
	unsigned int depth;
	struct wgdp_peer_scan *out;
	const char **region; /* [2k], [2k + 1]: where arrays[k] began and ended in the text */
};

/* RFC 8259's whitespace, which is what jansson skips. */
static void ws(struct scanner *sc)
{
	while (sc->s < sc->end &&
	       (*sc->s == ' ' || *sc->s == '\n' || *sc->s == '\r' || *sc->s == '\t'))
		sc->s++;
}

/* Takes c, after whitespace, if it comes next. */
static bool take(struct scanner *sc, char c)
{
	ws(sc);
	if (sc->s < sc->end && *sc->s == c) {
		sc->s++;
		return true;
	}
	return false;
}

static bool next_is(struct scanner *sc, char c)
{
	ws(sc);
	return sc->s < sc->end && *sc->s == c;
}

/* A string of printable ASCII without escapes: what a key, a prefix or a name is written as. */
static bool plain_string(struct scanner *sc, const char **str, size_t *n)
{
	const char *p;

	if (!take(sc, '"'))
		return false;
	for (p = sc->s; p < sc->end && *p != '"'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x80 || *p == '\\')
			return false;
	if (p == sc->end)
		return false;
	*str = sc->s;
	*n = (size_t)(p - sc->s);
	sc->s = p + 1;
	return true;
}

/*
 * Skipping: what is skipped stays in the skeleton, where jansson reads and checks it, so this
 * only has to find where a value ends as jansson would: a string at its first quote that no
 * backslash escapes, a container at its matching bracket.
 */
static bool skip_value(struct scanner *sc);

static bool skip_string(struct scanner *sc)
{
	if (!take(sc, '"'))
		return false;
	while (sc->s < sc->end && *sc->s != '"')
		sc->s += *sc->s == '\\' ? 2 : 1;
	if (sc->s >= sc->end)
		return false;
	sc->s++;
	return true;
}

static bool skip_literal(struct scanner *sc, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(sc->end - sc->s) < n || memcmp(sc->s, word, n) != 0)
		return false;
	sc->s += n;
	return true;
}

static bool number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

static bool skip_number(struct scanner *sc)
{
	const char *start = sc->s;

	while (sc->s < sc->end && number_char(*sc->s))
		sc->s++;
	return sc->s != start;
}

/* The members or elements of a container, its opening bracket taken. */
static bool skip_container(struct scanner *sc, char close)
{
	bool ok = true;

	if (++sc->depth > SCAN_MAX_DEPTH)
		return false;
	if (!take(sc, close)) {
		do {
			ok = close == ']' || (skip_string(sc) && take(sc, ':'));
			ok = ok && skip_value(sc);
		} while (ok && take(sc, ','));
		ok = ok && take(sc, close);
	}
	sc->depth--;
	return ok;
}

static bool skip_value(struct scanner *sc)
{
	ws(sc);
	if (sc->s >= sc->end)
		return false;
	switch (*sc->s) {
	case '"':
		return skip_string(sc);
	case '{':
		sc->s++;
		return skip_container(sc, '}');
	case '[':
		sc->s++;
		return skip_container(sc, ']');
	case 't':
		return skip_literal(sc, "true");
	case 'f':
		return skip_literal(sc, "false");
	case 'n':
		return skip_literal(sc, "null");
	default:
		return skip_number(sc);
	}
}

/* Reading a peer: the fields of parse_peer (config.c), as it would leave them. */
enum peer_field {
	F_PUBLIC_KEY,
	F_PRESHARED_KEY,
	F_ENDPOINT,
	F_ALLOWED_IPS,
	F_KEEPALIVE,
	F_NAME,
};

static int field_of(const char *key, size_t n)
{
	static const char *const names[] = {
		[F_PUBLIC_KEY] = "public_key",
		[F_PRESHARED_KEY] = "preshared_key",
		[F_ENDPOINT] = "endpoint",
		[F_ALLOWED_IPS] = "allowed_ips",
		[F_KEEPALIVE] = "persistent_keepalive",
		[F_NAME] = "name",
	};

	for (int f = 0; f < (int)(sizeof(names) / sizeof(names[0])); f++)
		if (strlen(names[f]) == n && memcmp(names[f], key, n) == 0)
			return f;
	return -1;
}

/* A plain string copied out NUL-terminated, for the text parsers; false if it does not fit. */
static bool string_into(struct scanner *sc, char *buf, size_t size)
{
	const char *s;
	size_t n;

	if (!plain_string(sc, &s, &n) || n >= size)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

/* Base64's alphabet (RFC 4648 table 1) backwards; 0xff: not in it. */
static const uint8_t b64_value[256] = {
	['A'] = 0,  ['B'] = 1,	['C'] = 2,  ['D'] = 3,	['E'] = 4,  ['F'] = 5,	['G'] = 6,
	['H'] = 7,  ['I'] = 8,	['J'] = 9,  ['K'] = 10, ['L'] = 11, ['M'] = 12, ['N'] = 13,
	['O'] = 14, ['P'] = 15, ['Q'] = 16, ['R'] = 17, ['S'] = 18, ['T'] = 19, ['U'] = 20,
	['V'] = 21, ['W'] = 22, ['X'] = 23, ['Y'] = 24, ['Z'] = 25, ['a'] = 26, ['b'] = 27,
	['c'] = 28, ['d'] = 29, ['e'] = 30, ['f'] = 31, ['g'] = 32, ['h'] = 33, ['i'] = 34,
	['j'] = 35, ['k'] = 36, ['l'] = 37, ['m'] = 38, ['n'] = 39, ['o'] = 40, ['p'] = 41,
	['q'] = 42, ['r'] = 43, ['s'] = 44, ['t'] = 45, ['u'] = 46, ['v'] = 47, ['w'] = 48,
	['x'] = 49, ['y'] = 50, ['z'] = 51, ['0'] = 52, ['1'] = 53, ['2'] = 54, ['3'] = 55,
	['4'] = 56, ['5'] = 57, ['6'] = 58, ['7'] = 59, ['8'] = 60, ['9'] = 61, ['+'] = 62,
	['/'] = 63,
};

/* The table's zero is 'A' as well as "not written": the one 'A' tells them apart. */
static uint32_t b64(const char *s)
{
	unsigned char c = (unsigned char)*s;

	return b64_value[c] || c == 'A' ? b64_value[c] : 0x100;
}

bool wgdp_public_key_from_base64(uint8_t key[32], const char *s, size_t n)
{
	uint32_t bad = 0, v;

	if (n != WGC_KEY_B64_LEN || s[43] != '=')
		return false;
	/* Ten groups of four characters, three bytes each, then three characters for two. */
	for (unsigned int g = 0; g < 10; g++, s += 4) {
		v = b64(s) << 18 | b64(s + 1) << 12 | b64(s + 2) << 6 | b64(s + 3);
		bad |= b64(s) | b64(s + 1) | b64(s + 2) | b64(s + 3);
		key[3 * g] = (uint8_t)(v >> 16);
		key[3 * g + 1] = (uint8_t)(v >> 8);
		key[3 * g + 2] = (uint8_t)v;
	}
	v = b64(s) << 12 | b64(s + 1) << 6 | b64(s + 2);
	bad |= b64(s) | b64(s + 1) | b64(s + 2);
	key[30] = (uint8_t)(v >> 10);
	key[31] = (uint8_t)(v >> 2);
	/* 43 characters carry 258 bits: the 2 left over must be zero, as libsodium insists. */
	if ((bad & 0x100) || (v & 3)) {
		memset(key, 0, 32);
		return false;
	}
	return true;
}

/* An integer in [0, max] as jansson reads one: no sign, no fraction, no leading zero. */
static bool small_uint(struct scanner *sc, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;
	unsigned int digits = 0;

	ws(sc);
	while (sc->s < sc->end && *sc->s >= '0' && *sc->s <= '9' && digits < 6) {
		v = v * 10 + (uint32_t)(*sc->s++ - '0');
		digits++;
	}
	if (digits == 0 || digits == 6 || v > max || (digits > 1 && sc->s[-(int)digits] == '0'))
		return false;
	if (sc->s < sc->end && (*sc->s == '.' || *sc->s == 'e' || *sc->s == 'E'))
		return false;
	*out = v;
	return true;
}

/* allowed_ips: into a small array on the stack, then one allocation of the exact size. */
static bool scan_allowed_ips(struct scanner *sc, struct wgdp_peer_config *pc)
{
	struct wgdp_prefix local[16], *list = local, *grown;
	unsigned int n = 0, cap = 16;
	bool ok = true;
	char text[64];

	if (!take(sc, '['))
		return false;
	if (!take(sc, ']')) {
		do {
			if (n == cap) {
				grown = malloc(2 * cap * sizeof(*list));
				if (grown)
					memcpy(grown, list, n * sizeof(*list));
				if (list != local)
					free(list);
				list = grown;
				cap *= 2;
			}
			ok = list && string_into(sc, text, sizeof(text)) &&
			     wgdp_parse_prefix(text, &list[n++], true);
		} while (ok && take(sc, ','));
		ok = ok && take(sc, ']');
	}
	pc->allowed_ips = ok ? calloc(n ? n : 1, sizeof(*pc->allowed_ips)) : NULL;
	if (pc->allowed_ips) {
		memcpy(pc->allowed_ips, list, n * sizeof(*list));
		pc->n_allowed_ips = n;
	}
	if (list != local)
		free(list);
	return pc->allowed_ips != NULL;
}

static bool scan_field(struct scanner *sc, int f, struct wgdp_peer_config *pc)
{
	const char *s;
	size_t n;
	char text[WGC_KEY_B64_LEN + 36];
	uint32_t keepalive;
	bool ok;

	switch (f) {
	case F_PUBLIC_KEY:
		return plain_string(sc, &s, &n) &&
		       wgdp_public_key_from_base64(pc->public_key, s, n);
	case F_PRESHARED_KEY:
		/* A secret: the constant-time decoder, and the copy wiped. */
		ok = string_into(sc, text, WGC_KEY_B64_LEN + 1) &&
		     wgc_key_from_base64(pc->psk, text);
		wgc_memzero(text, sizeof(text));
		pc->has_psk = ok;
		return ok;
	case F_ENDPOINT:
		pc->has_endpoint = string_into(sc, text, sizeof(text)) &&
				   wgdp_parse_endpoint(text, &pc->endpoint);
		return pc->has_endpoint;
	case F_ALLOWED_IPS:
		return scan_allowed_ips(sc, pc);
	case F_KEEPALIVE:
		if (!small_uint(sc, 65535, &keepalive))
			return false;
		pc->persistent_keepalive = (uint16_t)keepalive;
		return true;
	case F_NAME:
		if (!plain_string(sc, &s, &n) || n > WGDP_PEER_NAME_MAX)
			return false;
		memcpy(pc->name, s, n);
		return true;
	}
	return false;
}

/* One peer object; a duplicate or unknown key, or no public_key, is for the parser to name. */
static bool scan_peer(struct scanner *sc, struct wgdp_peer_config *pc)
{
	unsigned int seen = 0;
	bool ok;

	memset(pc, 0, sizeof(*pc));
	if (!take(sc, '{'))
		return false;
	do {
		const char *key;
		size_t n;
		int f;

		ok = plain_string(sc, &key, &n) && take(sc, ':');
		f = ok ? field_of(key, n) : -1;
		ok = f >= 0 && !(seen & (1u << f)) && scan_field(sc, f, pc);
		seen |= ok ? 1u << f : 0;
	} while (ok && take(sc, ','));
	ok = ok && take(sc, '}') && (seen & (1u << F_PUBLIC_KEY));
	if (!ok)
		wgdp_peer_config_clear(pc);
	return ok;
}

static void peers_free(struct wgdp_peer_config *peers, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		wgdp_peer_config_clear(&peers[i]);
	free(peers);
}

/* Records a scanned array and where it was in the text. */
static bool add_array(struct scanner *sc, int iface, const char *begin,
		      struct wgdp_peer_config *peers, unsigned int n)
{
	struct wgdp_peer_scan *out = sc->out;
	struct wgdp_scanned_peers *arrays;
	const char **region;

	arrays = realloc(out->arrays, (out->n_arrays + 1) * sizeof(*arrays));
	if (arrays)
		out->arrays = arrays;
	region = realloc(sc->region, 2 * (out->n_arrays + 1) * sizeof(*region));
	if (region)
		sc->region = region;
	if (!arrays || !region) {
		peers_free(peers, n);
		return false;
	}
	arrays[out->n_arrays] = (struct wgdp_scanned_peers){ iface, peers, n };
	region[2 * out->n_arrays] = begin;
	region[2 * out->n_arrays + 1] = sc->s;
	out->n_arrays++;
	return true;
}

/* Room for one more peer: the array doubles (a peer is ~95 bytes of text). */
static bool peers_room(struct wgdp_peer_config **peers, unsigned int n, unsigned int *cap)
{
	unsigned int want = *cap ? 2 * *cap : 256;
	struct wgdp_peer_config *grown;

	if (n < *cap)
		return true;
	grown = want > *cap ? realloc(*peers, (size_t)want * sizeof(**peers)) : NULL;
	if (!grown)
		return false;
	*peers = grown;
	*cap = want;
	return true;
}

static bool scan_peers(struct scanner *sc, int iface)
{
	struct wgdp_peer_config *peers = NULL;
	unsigned int n = 0, cap = 0;
	const char *begin;
	bool ok;

	ws(sc);
	begin = sc->s;
	ok = take(sc, '[');
	if (ok && !take(sc, ']')) {
		do {
			ok = peers_room(&peers, n, &cap) && scan_peer(sc, &peers[n]);
			n += ok;
		} while (ok && take(sc, ','));
		ok = ok && take(sc, ']');
	} else if (ok) {
		/* As the parser leaves an empty array: an allocation, no peers. */
		peers = calloc(1, sizeof(*peers));
		ok = peers != NULL;
	}
	if (!ok) {
		peers_free(peers, n);
		return false;
	}
	return add_array(sc, iface, begin, peers, n);
}

/* A key, after whitespace: its bytes between the quotes as written (escapes and all). */
static bool key_span(struct scanner *sc, const char **key, size_t *n)
{
	ws(sc);
	*key = sc->s + 1;
	if (!skip_string(sc))
		return false;
	*n = (size_t)(sc->s - 1 - *key);
	return take(sc, ':');
}

static bool key_is(const char *key, size_t n, const char *name)
{
	return n == strlen(name) && memcmp(key, name, n) == 0;
}

/*
 * An object's members, skipped but for the peers arrays: at the top level "peers" (the
 * shorthand's) and the elements of "interfaces"; in interface iface (>= 0) its "peers".
 */
static bool scan_interfaces(struct scanner *sc);

static bool scan_object(struct scanner *sc, int iface)
{
	const char *key;
	size_t n;
	bool ok;

	if (!take(sc, '{'))
		return false;
	if (take(sc, '}'))
		return true;
	do {
		ok = key_span(sc, &key, &n);
		if (ok && key_is(key, n, "peers") && next_is(sc, '['))
			ok = scan_peers(sc, iface);
		else if (ok && iface < 0 && key_is(key, n, "interfaces") && next_is(sc, '['))
			ok = scan_interfaces(sc);
		else
			ok = ok && skip_value(sc);
	} while (ok && take(sc, ','));
	return ok && take(sc, '}');
}

static bool scan_interfaces(struct scanner *sc)
{
	int k = 0;
	bool ok;

	if (!take(sc, '['))
		return false;
	if (take(sc, ']'))
		return true;
	do {
		ok = next_is(sc, '{') ? scan_object(sc, k) : skip_value(sc);
		k++;
	} while (ok && take(sc, ','));
	return ok && take(sc, ']');
}

/* The text with each scanned array replaced by "[]". */
static bool make_skeleton(struct scanner *sc, const char *text, size_t len)
{
	struct wgdp_peer_scan *out = sc->out;
	const char *from = text;
	size_t size = len;
	char *to;

	for (unsigned int k = 0; k < out->n_arrays; k++)
		size -= (size_t)(sc->region[2 * k + 1] - sc->region[2 * k]) - 2;
	out->skeleton = malloc(size ? size : 1);
	if (!out->skeleton)
		return false;
	to = out->skeleton;
	for (unsigned int k = 0; k < out->n_arrays; k++) {
		memcpy(to, from, (size_t)(sc->region[2 * k] - from));
		to += sc->region[2 * k] - from;
		memcpy(to, "[]", 2);
		to += 2;
		from = sc->region[2 * k + 1];
	}
	memcpy(to, from, (size_t)(text + len - from));
	out->skeleton_len = size;
	return true;
}

struct wgdp_peer_scan *wgdp_peer_scan(const char *text, size_t len)
{
	struct scanner sc = { .s = text, .end = text + len };
	bool ok;

	sc.out = calloc(1, sizeof(*sc.out));
	if (!sc.out)
		return NULL;
	ok = scan_object(&sc, -1);
	ws(&sc);
	/* Without a peers array the shortcut saves nothing. */
	ok = ok && sc.s == sc.end && sc.out->n_arrays && make_skeleton(&sc, text, len);
	free(sc.region);
	if (!ok) {
		wgdp_peer_scan_free(sc.out);
		return NULL;
	}
	return sc.out;
}

void wgdp_peer_scan_free(struct wgdp_peer_scan *s)
{
	if (!s)
		return;
	for (unsigned int k = 0; k < s->n_arrays; k++)
		if (s->arrays[k].peers)
			peers_free(s->arrays[k].peers, s->arrays[k].n_peers);
	free(s->arrays);
	free(s->skeleton);
	free(s);
}

bool wgdp_peer_config_equal(const struct wgdp_peer_config *a, const struct wgdp_peer_config *b)
{
	struct wgdp_peer_config x = *a, y = *b;
	bool same;

	/* Both are built from zeroed memory: padding included, the bytes say it all. */
	x.allowed_ips = y.allowed_ips = NULL;
	same = memcmp(&x, &y, sizeof(x)) == 0 &&
	       (!a->n_allowed_ips || memcmp(a->allowed_ips, b->allowed_ips,
					    a->n_allowed_ips * sizeof(*a->allowed_ips)) == 0);
	wgc_memzero(&x, sizeof(x)); /* the preshared keys */
	wgc_memzero(&y, sizeof(y));
	return same;
}
