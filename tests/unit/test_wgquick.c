/* SPDX-License-Identifier: MIT */
/* wg / wg-quick files: every key read, every error at its line, the setconf text, and the
 * imported config through wgdp's own loader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "wgquick.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "unit.h"

/* RFC 7748 6.1: Alice's private key and its public key; other keys are only peers'. */
#define OUR_KEY	  "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define OUR_PUB	  "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define BOB_PUB	  "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
#define CAROL_PUB "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os="
#define DAVE_PUB  "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define PSK	  "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE="

/* Every key wg and wg-quick know, in mixed case, with comments, blanks and CRLF. */
static const char every_key[] =
	"# wg0.conf, as a wg-quick server has it\r\n"
	"[Interface]\r\n"
	"Address = 10.8.0.1/24, fd42::1/64   # the tunnel net\r\n"
	"privatekey=" OUR_KEY "\r\n"
	"  ListenPort =  51900\r\n"
	"MTU = 1380\r\n"
	"DNS = 10.8.0.1, example.org\r\n"
	"Table = off\r\n"
	"FwMark = 0x1234\r\n"
	"PreUp = true\r\n"
	"PostUp = iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE # NAT\r\n"
	"PreDown = true\r\n"
	"PostDown = iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE\r\n"
	"SaveConfig = true\r\n"
	"\r\n"
	"[peer]\r\n"
	"PublicKey = " BOB_PUB "\r\n"
	"PresharedKey = " PSK "\r\n"
	"AllowedIPs = 10.8.0.2/32, fd42::2/128\r\n"
	"AllowedIPs = 192.168.7.9/24\r\n"
	"ALLOWEDIPS=10.9.0.1\r\n"
	"Endpoint = 198.51.100.7:51820\r\n"
	"PersistentKeepalive = 25\r\n"
	"\r\n"
	"[ Peer ]\r\n"
	"PersistentKeepalive = off\r\n"
	"Endpoint = [2001:db8::7]:4500\r\n"
	"PublicKey = " CAROL_PUB "\r\n"
	"AllowedIPs = \r\n";

static bool parse(const char *text, struct wgdp_wgq *wq, struct wgdp_wgq_msg *err)
{
	bool ok = wgdp_wgq_parse(text, strlen(text), wq, err);

	if (!ok)
		fprintf(stderr, "\n  line %u: %s\n", err->line, err->text);
	return ok;
}

static const char *prefix_text(const struct wgdp_peer_config *pc, unsigned int i)
{
	static char text[64];

	wgdp_format_prefix(&pc->allowed_ips[i], text, sizeof(text));
	return text;
}

static void test_every_key(void)
{
	static const unsigned int note_lines[] = { 3, 7, 8, 9, 10, 11, 12, 13, 14 };
	struct wgdp_wgq wq;
	struct wgdp_wgq_msg err;
	char text[64];
	uint8_t key[32];

	CU_ASSERT_TRUE_FATAL(parse(every_key, &wq, &err));
	wgc_key_from_base64(key, OUR_KEY);
	CU_ASSERT_TRUE(wq.has_private_key);
	UNIT_ASSERT_MEM(wq.private_key, key, 32);
	CU_ASSERT_TRUE(wq.has_listen_port);
	CU_ASSERT_EQUAL(wq.listen_port, 51900);
	CU_ASSERT_TRUE(wq.has_mtu);
	CU_ASSERT_EQUAL(wq.mtu, 1380);
	CU_ASSERT_EQUAL_FATAL(wq.n_peers, 2);

	wgc_key_from_base64(key, BOB_PUB);
	UNIT_ASSERT_MEM(wq.peers[0].public_key, key, 32);
	CU_ASSERT_TRUE(wq.peers[0].has_psk);
	wgc_key_from_base64(key, PSK);
	UNIT_ASSERT_MEM(wq.peers[0].psk, key, 32);
	/* Several lines add up; host bits go; an address alone is all of it. */
	CU_ASSERT_EQUAL_FATAL(wq.peers[0].n_allowed_ips, 4);
	CU_ASSERT_STRING_EQUAL(prefix_text(&wq.peers[0], 0), "10.8.0.2/32");
	CU_ASSERT_STRING_EQUAL(prefix_text(&wq.peers[0], 1), "fd42::2/128");
	CU_ASSERT_STRING_EQUAL(prefix_text(&wq.peers[0], 2), "192.168.7.0/24");
	CU_ASSERT_STRING_EQUAL(prefix_text(&wq.peers[0], 3), "10.9.0.1/32");
	CU_ASSERT_EQUAL(wq.lines[0].aips[2], 20);
	CU_ASSERT_EQUAL(wq.lines[0].aips[3], 21);
	CU_ASSERT_TRUE(wq.peers[0].has_endpoint);
	wgdp_format_endpoint(&wq.peers[0].endpoint, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "198.51.100.7:51820");
	CU_ASSERT_EQUAL(wq.peers[0].persistent_keepalive, 25);
	CU_ASSERT_EQUAL(wq.lines[0].peer, 16);
	CU_ASSERT_EQUAL(wq.lines[0].key, 17);

	CU_ASSERT_FALSE(wq.peers[1].has_psk);
	CU_ASSERT_EQUAL(wq.peers[1].n_allowed_ips, 0);
	CU_ASSERT_EQUAL(wq.peers[1].persistent_keepalive, 0);
	wgdp_format_endpoint(&wq.peers[1].endpoint, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "[2001:db8::7]:4500");
	CU_ASSERT_EQUAL(wq.lines[1].peer, 25);

	/* Address, DNS, Table, FwMark (non-zero), the hooks and SaveConfig are notes. */
	CU_ASSERT_EQUAL_FATAL(wq.n_notes, sizeof(note_lines) / sizeof(note_lines[0]));
	for (unsigned int i = 0; i < wq.n_notes; i++)
		CU_ASSERT_EQUAL(wq.notes[i].line, note_lines[i]);
	CU_ASSERT_PTR_NOT_NULL(strstr(wq.notes[0].text, "Address ignored"));
	CU_ASSERT_PTR_NOT_NULL(strstr(wq.notes[5].text, "PostUp not run"));
	wgdp_wgq_free(&wq);
}

/* What wg-quick sets to its default or turns off is no note: nothing is lost. */
static void test_quiet_defaults(void)
{
	static const char text[] = "[Interface]\nPrivateKey = " OUR_KEY "\nFwMark = off\n"
				   "SaveConfig = false\n[Peer]\nPublicKey = " BOB_PUB "\n"
				   "PresharedKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
	struct wgdp_wgq wq;
	struct wgdp_wgq_msg err;

	CU_ASSERT_TRUE_FATAL(parse(text, &wq, &err));
	CU_ASSERT_EQUAL(wq.n_notes, 0);
	CU_ASSERT_FALSE(wq.has_listen_port);
	CU_ASSERT_FALSE(wq.has_mtu);
	CU_ASSERT_FALSE(wq.peers[0].has_psk); /* all zeros: wg's "none" */
	wgdp_wgq_free(&wq);

	CU_ASSERT_TRUE_FATAL(parse("", &wq, &err)); /* wg setconf takes an empty file too */
	CU_ASSERT_EQUAL(wq.n_peers, 0);
	wgdp_wgq_free(&wq);
}

/* wg-quick does nothing with an empty Address, DNS or hook (no item, an empty command) and
 * leaves an empty MTU or Table automatic: nothing is lost, so no note. */
static void test_empty_wgquick_values(void)
{
	static const char text[] = "[Interface]\nPrivateKey = " OUR_KEY "\nAddress =\nDNS =\n"
				   "DNS = \nMTU =\nTable =\nPreUp =\nPostUp =\nPreDown =\n"
				   "PostDown =\n";
	struct wgdp_wgq wq;
	struct wgdp_wgq_msg err;

	CU_ASSERT_TRUE_FATAL(parse(text, &wq, &err));
	CU_ASSERT_EQUAL(wq.n_notes, 0);
	CU_ASSERT_FALSE(wq.has_mtu);
	wgdp_wgq_free(&wq);
}

/* FwMark as wg reads it: hexadecimal after "0x", decimal otherwise (never octal). */
static void test_fwmark_bases(void)
{
	static const struct {
		const char *value;
		bool ok, noted;
	} marks[] = {
		{ "08", true, true },		  /* eight, where octal would refuse it */
		{ "09", true, true },		  /* likewise */
		{ "00", true, false },		  /* zero: no mark, no note */
		{ "4294967295", true, true },	  /* the largest */
		{ "0xffffffff", true, true },	  /* the same in hexadecimal */
		{ "0xFfFf", true, true },	  /* hex digits in either case */
		{ "0x0", true, false },		  /* zero again */
		{ "037777777777", false, false }, /* decimal, too big; as octal it would fit */
		{ "4294967296", false, false },	  /* one past the largest */
		{ "0x100000000", false, false },  /* likewise */
		{ "0x", false, false },		  /* no digits: wg reads it as decimal, and stops */
		{ "0X10", false, false },	  /* wg's prefix is lower-case */
		{ "0xg", false, false },
		{ "+1", false, false },
	};

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		char text[160];
		struct wgdp_wgq wq;
		struct wgdp_wgq_msg err;
		bool ok;

		snprintf(text, sizeof(text), "[Interface]\nPrivateKey = " OUR_KEY "\nFwMark = %s\n",
			 marks[i].value);
		ok = wgdp_wgq_parse(text, strlen(text), &wq, &err);
		if (ok != marks[i].ok)
			fprintf(stderr, "\n  FwMark = %s: %s\n", marks[i].value,
				ok ? "accepted" : err.text);
		CU_ASSERT_EQUAL(ok, marks[i].ok);
		if (!ok) {
			CU_ASSERT_EQUAL(err.line, 3);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "FwMark: off or a number"));
			continue;
		}
		CU_ASSERT_EQUAL(wq.n_notes, marks[i].noted ? 1 : 0);
		wgdp_wgq_free(&wq);
	}
}

struct bad_file {
	const char *text;
	unsigned int line;
	const char *message;
};

#define IFACE	  "[Interface]\nPrivateKey = " OUR_KEY "\n"
#define PEER(key) "[Peer]\nPublicKey = " key "\n"

static const struct bad_file bad_files[] = {
	{ "ListenPort = 1\n", 1, "ListenPort outside a section" },
	{ "# c\n\nPublicKey = " BOB_PUB "\n[Peer]\n", 3, "outside a section" },
	{ IFACE "Foo = bar\n", 3, "unknown key 'Foo'" },
	{ IFACE "[Peers]\n", 3, "unknown section [Peers]" },
	{ IFACE "[Peer\n", 3, "section header" },
	{ IFACE "just words\n", 3, "not Key = value" },
	{ "[Interface]\nPrivateKey = abc=\n", 2, "PrivateKey: not a base64 key" },
	{ IFACE PEER("3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK0=") "", 4,
	  "PublicKey: not a base64 key" },
	{ IFACE PEER(BOB_PUB) "PresharedKey = " PSK "x\n", 5, "PresharedKey: not a base64" },
	{ IFACE "ListenPort = 1\nlistenport = 2\n", 4,
	  "ListenPort given twice in this section "
	  "(also line 3)" },
	{ IFACE PEER(BOB_PUB) "Endpoint = 192.0.2.1:1\nEndpoint = 192.0.2.1:2\n", 6,
	  "Endpoint given twice" },
	{ IFACE "\n[interface]\n", 4, "a second [Interface] (the first is line 1)" },
	{ IFACE "[Peer]\nAllowedIPs = 10.0.0.0/8\n[Peer]\n", 3, "[Peer] without a PublicKey" },
	{ IFACE "[Peer]\nAllowedIPs = 10.0.0.0/8\n", 3, "[Peer] without a PublicKey" },
	{ IFACE PEER(BOB_PUB) PEER(CAROL_PUB) PEER(BOB_PUB), 8, "the one of line 3 too" },
	{ IFACE PEER(OUR_PUB), 4, "this interface's own" },
	{ IFACE PEER(BOB_PUB) "AllowedIPs = 10.0.1.0/24\n" PEER(
		  CAROL_PUB) "AllowedIPs = fd00::/64\nAllowedIPs = 10.0.1.7/24\n",
	  9, "10.0.1.0/24 is the peer's of line 3 already" },
	{ IFACE PEER(BOB_PUB) "AllowedIPs = 10.0.1.0/24, fd00::1\nAllowedIPs = fd00::1/128\n", 6,
	  "fd00::1/128 is listed twice for this peer (also line 5)" },
	{ IFACE PEER(BOB_PUB) "AllowedIPs = 10.0.1.0/33\n", 5, "10.0.1.0/33 is not a prefix" },
	{ IFACE PEER(BOB_PUB) "AllowedIPs = 10.0.1.0/24,,10.0.2.0/24\n", 5, "an empty item" },
	{ IFACE PEER(BOB_PUB) "Endpoint = vpn.example.org:51820\n", 5,
	  "vpn.example.org:51820 is a host name" },
	{ IFACE PEER(BOB_PUB) "Endpoint = fd00::1:51820\n", 5, "not IPv4:port or [IPv6]:port" },
	{ IFACE PEER(BOB_PUB) "Endpoint = 192.0.2.1\n", 5, "not IPv4:port" },
	{ IFACE PEER(BOB_PUB) "PersistentKeepalive = 65536\n", 5, "off or seconds" },
	{ IFACE PEER(BOB_PUB) "PersistentKeepalive = -1\n", 5, "off or seconds" },
	{ IFACE "ListenPort = 0\n", 3, "a port from 1 to 65535" },
	{ IFACE "ListenPort = 51820x\n", 3, "a port from 1 to 65535" },
	{ IFACE "MTU = 575\n", 3, "MTU: from 576 to 9000" },
	{ IFACE "MTU = 9001\n", 3, "MTU: from 576 to 9000" },
	{ IFACE "FwMark = mark\n", 3, "FwMark: off or a number" },
	{ IFACE "SaveConfig = yes\n", 3, "SaveConfig: true or false" },
	{ IFACE "Address = 10.8.0.1/24, bogus\n", 3, "bogus is not an address" },
	{ IFACE "PublicKey = " BOB_PUB "\n", 3, "PublicKey belongs in [Peer], not [Interface]" },
	{ IFACE PEER(BOB_PUB) "MTU = 1420\n", 5, "MTU belongs in [Interface], not [Peer]" },
	{ IFACE "ListenPort =\n", 3, "ListenPort has no value" },
	/* wg refuses an empty value of its keys; wg-quick's read_bool an empty SaveConfig. */
	{ IFACE "FwMark =\n", 3, "FwMark has no value" },
	{ IFACE "SaveConfig =\n", 3, "SaveConfig has no value" },
	{ IFACE "MTU =\nMTU = 1400\n", 4, "MTU given twice in this section (also line 3)" },
	{ IFACE "ListenPort = 1 # the port\r\nMTU = 1\r\n", 4, "MTU: from 576" },
};

static void test_errors_name_the_line(void)
{
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		const struct bad_file *b = &bad_files[i];
		struct wgdp_wgq wq;
		struct wgdp_wgq_msg err;
		bool ok = wgdp_wgq_parse(b->text, strlen(b->text), &wq, &err);

		CU_ASSERT_FALSE(ok);
		if (ok) {
			wgdp_wgq_free(&wq);
			fprintf(stderr, "\n  accepted: %s", b->text);
			continue;
		}
		if (err.line != b->line || !strstr(err.text, b->message))
			fprintf(stderr, "\n  case %zu: got %u: %s\n  want %u: ...%s...\n", i,
				err.line, err.text, b->line, b->message);
		CU_ASSERT_EQUAL(err.line, b->line);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.text, b->message));
		/* Nothing is left to free after an error. */
		CU_ASSERT_EQUAL(wq.n_peers, 0);
		CU_ASSERT_PTR_NULL(wq.peers);
	}
}

static void test_nul_byte(void)
{
	static const char text[] = IFACE "ListenPort = 1\0\n";
	struct wgdp_wgq wq;
	struct wgdp_wgq_msg err;

	CU_ASSERT_FALSE(wgdp_wgq_parse(text, sizeof(text) - 1, &wq, &err));
	CU_ASSERT_EQUAL(err.line, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "NUL"));
}

static const char setconf_keys[] =
	"[Interface]\n"
	"ListenPort = 51900\n"
	"PrivateKey = " OUR_KEY "\n"
	"\n"
	"[Peer]\n"
	"PublicKey = " BOB_PUB "\n"
	"PresharedKey = " PSK "\n"
	"AllowedIPs = 10.8.0.2/32, fd42::2/128, 192.168.7.0/24, 10.9.0.1/32\n"
	"Endpoint = 198.51.100.7:51820\n"
	"PersistentKeepalive = 25\n"
	"\n"
	"[Peer]\n"
	"PublicKey = " CAROL_PUB "\n"
	"Endpoint = [2001:db8::7]:4500\n";

static void test_format(void)
{
	struct wgdp_wgq wq, again;
	struct wgdp_wgq_msg err;
	char *text, *plain;

	CU_ASSERT_TRUE_FATAL(parse(every_key, &wq, &err));
	text = wgdp_wgq_format(&wq, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_STRING_EQUAL(text, setconf_keys);
	if (strcmp(text, setconf_keys) != 0)
		fprintf(stderr, "\n%s", text);

	/* Without keys: no private key, no preshared key, the rest the same. */
	plain = wgdp_wgq_format(&wq, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
	CU_ASSERT_PTR_NULL(strstr(plain, "PrivateKey"));
	CU_ASSERT_PTR_NULL(strstr(plain, "PresharedKey"));
	CU_ASSERT_PTR_NULL(strstr(plain, OUR_KEY));
	CU_ASSERT_PTR_NULL(strstr(plain, PSK));
	CU_ASSERT_PTR_NOT_NULL(strstr(plain, "AllowedIPs = 10.8.0.2/32, fd42::2/128"));

	/* What export writes, import reads back the same. */
	CU_ASSERT_TRUE_FATAL(parse(text, &again, &err));
	CU_ASSERT_EQUAL(again.n_notes, 0);
	free(text);
	text = wgdp_wgq_format(&again, true);
	CU_ASSERT_STRING_EQUAL(text, setconf_keys);
	wgc_memzero(text, strlen(text));
	free(text);
	free(plain);
	wgdp_wgq_free(&again);
	wgdp_wgq_free(&wq);
}

static const char template_text[] =
	"{\"interface\":{\"name\":\"wgdp0\",\"private_key_file\":\"/nonexistent/key\","
	"\"listen_port\":51820,\"mss_clamp\":\"auto\"},"
	"\"ports\":[{\"port\":0,\"role\":\"outside\",\"address\":[\"192.0.2.1/24\"]},"
	"{\"port\":1,\"role\":\"inside\",\"address\":[\"10.0.0.1/24\"]}],"
	"\"peers\":[{\"public_key\":\"" DAVE_PUB "\"}],"
	"\"control\":{\"socket\":\"/tmp/t.sock\",\"uapi\":true}}";

/* The import of every_key into the template: what wgdp's loader makes of it. */
static void test_import_passes_the_loader(void)
{
	json_t *tmpl = json_loads(template_text, 0, NULL), *out;
	struct wgdp_config_error cerr;
	struct wgdp_config *cfg;
	struct wgdp_wgq wq;
	struct wgdp_wgq_msg err;
	uint8_t key[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmpl);
	CU_ASSERT_TRUE_FATAL(parse(every_key, &wq, &err));
	out = wgdp_wgq_to_json(&wq, "wg0", tmpl, &cerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	/* The template is left as it was; the file's key replaces the template's file. */
	CU_ASSERT_PTR_NOT_NULL(
		json_object_get(json_object_get(tmpl, "interface"), "private_key_file"));
	CU_ASSERT_PTR_NULL(json_object_get(json_object_get(out, "interface"), "private_key_file"));
	cfg = wgdp_config_from_json(out, &cerr);
	if (!cfg)
		fprintf(stderr, "\n  %s: %s\n", cerr.path, cerr.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_STRING_EQUAL(cfg->ifname, "wg0");
	wgc_key_from_base64(key, OUR_KEY);
	UNIT_ASSERT_MEM(cfg->private_key, key, 32);
	CU_ASSERT_EQUAL(cfg->listen_port, 51900);
	CU_ASSERT_EQUAL(cfg->mtu, 1380);
	CU_ASSERT_TRUE(cfg->mss_clamp_auto); /* the template's own */
	CU_ASSERT_STRING_EQUAL(cfg->socket_path, "/tmp/t.sock");
	CU_ASSERT_EQUAL(cfg->n_ports, 2);
	CU_ASSERT_EQUAL_FATAL(cfg->n_peers, 2); /* the file's, not the template's */
	for (unsigned int i = 0; i < 2; i++) {
		const struct wgdp_peer_config *a = &cfg->peers[i], *b = &wq.peers[i];

		UNIT_ASSERT_MEM(a->public_key, b->public_key, 32);
		CU_ASSERT_EQUAL(a->has_psk, b->has_psk);
		UNIT_ASSERT_MEM(a->psk, b->psk, 32);
		CU_ASSERT_EQUAL(a->has_endpoint, b->has_endpoint);
		CU_ASSERT_EQUAL(a->endpoint.port, b->endpoint.port);
		CU_ASSERT_EQUAL(a->persistent_keepalive, b->persistent_keepalive);
		CU_ASSERT_EQUAL_FATAL(a->n_allowed_ips, b->n_allowed_ips);
		for (unsigned int j = 0; j < a->n_allowed_ips; j++)
			UNIT_ASSERT_MEM(&a->allowed_ips[j], &b->allowed_ips[j],
					sizeof(a->allowed_ips[j]));
	}
	wgdp_config_free(cfg);
	wgdp_json_wipe(out);
	json_decref(out);
	json_decref(tmpl);
	wgdp_wgq_free(&wq);
}

/* No template: the interface and the peers alone, as the file gives them. */
static void test_import_without_template(void)
{
	static const char text[] =
		IFACE "ListenPort = 51821\n" PEER(BOB_PUB) "AllowedIPs = 10.0.1.2/32\n";
	struct wgdp_config_error cerr;
	struct wgdp_wgq wq;
	struct wgdp_wgq_msg err;
	json_t *out;
	char *dump;

	CU_ASSERT_TRUE_FATAL(parse(text, &wq, &err));
	out = wgdp_wgq_to_json(&wq, "wg0", NULL, &cerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	dump = json_dumps(out, JSON_COMPACT);
	CU_ASSERT_STRING_EQUAL(dump,
			       "{\"interface\":{\"name\":\"wg0\",\"private_key\":\"" OUR_KEY
			       "\",\"listen_port\":51821},\"peers\":[{\"public_key\":\"" BOB_PUB
			       "\",\"allowed_ips\":[\"10.0.1.2/32\"]}]}");
	wgc_memzero(dump, strlen(dump));
	free(dump);
	/* The wipe leaves the tree's strings all zero. */
	wgdp_json_wipe(out);
	CU_ASSERT_EQUAL(json_string_value(json_object_get(json_object_get(out, "interface"),
							  "private_key"))[0],
			'\0');
	json_decref(out);
	wgdp_wgq_free(&wq);
}

/* Several interfaces in the template: the one of that name is filled, the others stay. */
static void test_import_into_interfaces(void)
{
	static const char tmpl_text[] =
		"{\"interfaces\":[{\"name\":\"wg-a\",\"private_key\":\"" OUR_KEY "\","
		"\"listen_port\":51820,\"inside\":{\"port\":1,\"vlan\":100,"
		"\"address\":[\"10.0.0.1/24\"]},\"peers\":[{\"public_key\":\"" DAVE_PUB "\"}]},"
		"{\"name\":\"wg-b\",\"private_key_file\":\"/nonexistent\",\"listen_port\":51821,"
		"\"inside\":{\"port\":1,\"vlan\":200,\"address\":[\"10.0.0.1/24\"]}}],"
		"\"ports\":[{\"port\":0,\"role\":\"outside\",\"address\":[\"192.0.2.1/24\"]},"
		"{\"port\":1,\"role\":\"inside\",\"address\":[\"172.16.0.1/24\"]}]}";
	static const char text[] =
		"[Interface]\nPrivateKey = " OUR_KEY
		"\nListenPort = 51822\n" PEER(BOB_PUB) "AllowedIPs = 10.0.1.0/24\n";
	json_t *tmpl = json_loads(tmpl_text, 0, NULL), *out;
	struct wgdp_config_error cerr;
	struct wgdp_config *cfg;
	struct wgdp_wgq wq;
	struct wgdp_wgq_msg err;

	CU_ASSERT_TRUE_FATAL(parse(text, &wq, &err));
	out = wgdp_wgq_to_json(&wq, "wg-b", tmpl, &cerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	cfg = wgdp_config_from_json(out, &cerr);
	if (!cfg)
		fprintf(stderr, "\n  %s: %s\n", cerr.path, cerr.message);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ifaces, 2);
	CU_ASSERT_EQUAL(cfg->ifaces[0].n_peers, 1); /* wg-a as it was */
	CU_ASSERT_EQUAL(cfg->ifaces[1].n_peers, 1);
	CU_ASSERT_EQUAL(cfg->ifaces[1].listen_port, 51822);
	CU_ASSERT_EQUAL(cfg->ifaces[1].inside.vlan, 200);
	wgdp_config_free(cfg);
	wgdp_json_wipe(out);
	json_decref(out);

	/* No interface of that name: the template's path says where to look. */
	CU_ASSERT_PTR_NULL(wgdp_wgq_to_json(&wq, "wg-c", tmpl, &cerr));
	CU_ASSERT_STRING_EQUAL(cerr.path, "interfaces");
	CU_ASSERT_PTR_NOT_NULL(strstr(cerr.message, "none is named wg-c"));
	wgdp_json_wipe(tmpl);
	json_decref(tmpl);
	wgdp_wgq_free(&wq);
}

/* A file without a private key needs one from the template. */
static void test_import_key_from_template(void)
{
	static const char text[] = "[Interface]\nListenPort = 51821\n";
	json_t *with = json_loads("{\"interface\":{\"private_key\":\"" OUR_KEY "\"}}", 0, NULL);
	struct wgdp_config_error cerr;
	struct wgdp_wgq wq;
	struct wgdp_wgq_msg err;
	json_t *out;

	CU_ASSERT_TRUE_FATAL(parse(text, &wq, &err));
	CU_ASSERT_PTR_NULL(wgdp_wgq_to_json(&wq, "wg0", NULL, &cerr));
	CU_ASSERT_PTR_NOT_NULL(strstr(cerr.message, "no PrivateKey in the file"));
	out = wgdp_wgq_to_json(&wq, "wg0", with, &cerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(out, "interface"),
								 "private_key")),
			       OUR_KEY);
	json_decref(out);
	json_decref(with);
	wgdp_wgq_free(&wq);
}

/* The control socket's export answer, read back and written as setconf text. */
static void test_from_export_answer(void)
{
	static const char answer[] =
		"{\"ok\":true,\"interface\":{\"name\":\"wg0\",\"listen_port\":51900,\"mtu\":1380,"
		"\"private_key\":\"" OUR_KEY "\"},\"peers\":[{\"public_key\":\"" BOB_PUB "\","
		"\"preshared_key\":\"" PSK "\",\"endpoint\":\"198.51.100.7:51820\","
		"\"allowed_ips\":[\"10.8.0.2/32\",\"fd42::2/128\",\"192.168.7.0/24\","
		"\"10.9.0.1/32\"],\"persistent_keepalive\":25,\"name\":\"bob\"},"
		"{\"public_key\":\"" CAROL_PUB "\",\"endpoint\":\"[2001:db8::7]:4500\","
		"\"allowed_ips\":[]}]}";
	static const char *const bad[][2] = {
		{ "{\"ok\":true}", "" },
		{ "{\"interface\":{\"listen_port\":0},\"peers\":[]}", "interface.listen_port" },
		{ "{\"interface\":{\"private_key\":\"x\"},\"peers\":[]}", "interface.private_key" },
		{ "{\"interface\":{},\"peers\":[{\"public_key\":\"" BOB_PUB "\",\"x\":1}]}",
		  "peers[0].x" },
	};
	json_t *ans = json_loads(answer, 0, NULL);
	struct wgdp_config_error cerr;
	struct wgdp_wgq wq;
	char *text;

	CU_ASSERT_TRUE_FATAL(wgdp_wgq_from_json(ans, &wq, &cerr));
	text = wgdp_wgq_format(&wq, true);
	CU_ASSERT_STRING_EQUAL(text, setconf_keys);
	wgc_memzero(text, strlen(text));
	free(text);
	wgdp_wgq_free(&wq);
	json_decref(ans);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ans = json_loads(bad[i][0], 0, NULL);
		CU_ASSERT_FALSE(wgdp_wgq_from_json(ans, &wq, &cerr));
		CU_ASSERT_STRING_EQUAL(cerr.path, bad[i][1]);
		json_decref(ans);
	}
}

static void test_name_of(void)
{
	char name[WGDP_IFNAME_MAX + 1];

	CU_ASSERT_TRUE(wgdp_wgq_name_of("/etc/wireguard/wg0.conf", name));
	CU_ASSERT_STRING_EQUAL(name, "wg0");
	CU_ASSERT_TRUE(wgdp_wgq_name_of("branch.office-1", name));
	CU_ASSERT_STRING_EQUAL(name, "branch.office-1");
	CU_ASSERT_TRUE(wgdp_wgq_name_of("a/b.conf.conf", name));
	CU_ASSERT_STRING_EQUAL(name, "b.conf");
	CU_ASSERT_FALSE(wgdp_wgq_name_of("/etc/wireguard/.conf", name));
	CU_ASSERT_FALSE(wgdp_wgq_name_of("wg+0.conf", name));
	CU_ASSERT_FALSE(wgdp_wgq_name_of("a-very-long-name0.conf", name));
	CU_ASSERT_FALSE(wgdp_wgq_name_of("dir/", name));
}

/* A thousand peers: the checks across peers stay one pass. */
static void test_many_peers(void)
{
	enum { N = 1000 };
	size_t cap = 128 + N * 128, len = 0;
	char *text = malloc(cap), b64[WGC_KEY_B64_LEN + 1];
	struct wgdp_wgq wq;
	struct wgdp_wgq_msg err;
	uint8_t key[32] = { 0 };

	len += (size_t)snprintf(text + len, cap - len, IFACE);
	for (unsigned int i = 0; i < N; i++) {
		key[0] = (uint8_t)i;
		key[1] = (uint8_t)(i >> 8);
		wgc_key_to_base64(b64, key);
		len += (size_t)snprintf(text + len, cap - len,
					"[Peer]\nPublicKey = %s\nAllowedIPs = 10.%u.%u.0/24\n", b64,
					i >> 8, i & 255);
	}
	CU_ASSERT_TRUE_FATAL(parse(text, &wq, &err));
	CU_ASSERT_EQUAL(wq.n_peers, N);
	CU_ASSERT_EQUAL(wq.lines[N - 1].peer, 3 + 3 * (N - 1));
	wgdp_wgq_free(&wq);
	free(text);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "every key, comments, CRLF, several AllowedIPs", test_every_key },
		{ "defaults make no notes", test_quiet_defaults },
		{ "empty wg-quick values make no notes", test_empty_wgquick_values },
		{ "FwMark in decimal or 0x hexadecimal", test_fwmark_bases },
		{ "errors name the line", test_errors_name_the_line },
		{ "a NUL byte", test_nul_byte },
		{ "setconf text, with and without keys", test_format },
		{ "the import passes wgdp's loader", test_import_passes_the_loader },
		{ "import without a template", test_import_without_template },
		{ "import into one of several interfaces", test_import_into_interfaces },
		{ "the private key from the template", test_import_key_from_template },
		{ "the export answer", test_from_export_answer },
		{ "the interface name of a file", test_name_of },
		{ "1,000 peers", test_many_peers },
		CU_TEST_INFO_NULL,
	};

	if (wgc_init() != 0)
		return 2;
	return unit_run("wgquick", tests);
}
