/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

void ctl_format_duration(uint64_t seconds, char *out, size_t len)
{
	static const struct {
		uint64_t secs;
		const char *name;
	} units[] = {
		{ 365 * 24 * 3600ull, "year" }, { 24 * 3600ull, "day" }, { 3600, "hour" },
		{ 60, "minute" },		{ 1, "second" },
	};
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && used < len; i++) {
		uint64_t n = seconds / units[i].secs;

		seconds %= units[i].secs;
		if (!n)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%" PRIu64 " %s%s",
					 used ? ", " : "", n, units[i].name, n == 1 ? "" : "s");
	}
}

void ctl_format_bytes(uint64_t bytes, char *out, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(out, len, "%" PRIu64 " B", bytes);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, "%.2f %s", v, units[u]);
}

static uint64_t u64_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v)
							       : 0;
}

static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void peer_block(FILE *f, json_t *p, uint64_t now)
{
	json_t *aips = json_object_get(p, "allowed_ips"), *a;
	uint64_t hs = u64_of(p, "latest_handshake"), rx = u64_of(p, "rx_bytes");
	uint64_t tx = u64_of(p, "tx_bytes"), ka = u64_of(p, "persistent_keepalive");
	const char *name = str_of(p, "name"), *ep = str_of(p, "endpoint");
	char text[128], text2[64];
	size_t i;

	fprintf(f, "peer: %s\n", str_of(p, "public_key") ? str_of(p, "public_key") : "?");
	if (name && *name)
		fprintf(f, "  name: %s\n", name);
	if (json_is_true(json_object_get(p, "preshared_key")))
		fprintf(f, "  preshared key: (hidden)\n");
	if (ep)
		fprintf(f, "  endpoint: %s\n", ep);
	fprintf(f, "  allowed ips: ");
	if (!json_array_size(aips))
		fprintf(f, "(none)");
	json_array_foreach(aips, i, a)
		fprintf(f, "%s%s", i ? ", " : "", json_is_string(a) ? json_string_value(a) : "?");
	fprintf(f, "\n");
	if (hs) {
		ctl_format_duration(now > hs ? now - hs : 0, text, sizeof(text));
		fprintf(f, "  latest handshake: %s%s\n", text[0] ? text : "Now",
			text[0] ? " ago" : "");
	}
	if (rx || tx) {
		ctl_format_bytes(rx, text, sizeof(text));
		ctl_format_bytes(tx, text2, sizeof(text2));
		fprintf(f, "  transfer: %s received, %s sent\n", text, text2);
	}
	if (ka)
		fprintf(f, "  persistent keepalive: every %" PRIu64 " second%s\n", ka,
			ka == 1 ? "" : "s");
}

struct sorted_peer {
	json_t *p;
	size_t order;
};

/* wg's order: most recent handshake first, never last, otherwise as given. */
static int by_handshake(const void *a, const void *b)
{
	const struct sorted_peer *x = a, *y = b;
	uint64_t hx = u64_of(x->p, "latest_handshake"), hy = u64_of(y->p, "latest_handshake");

	if (hx != hy)
		return hx > hy ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* open_memstream sets the buffer at fclose: pass where it lives, not what it was. */
static char *finish(FILE *f, char **buf)
{
	if (fclose(f) != 0) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

char *ctl_format_show(json_t *answer, uint64_t now_unix)
{
	json_t *iface = json_object_get(answer, "interface"), *peers, *p;
	struct sorted_peer *sp;
	size_t size = 0, n, i;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	fprintf(f, "interface: %s\n", str_of(iface, "name") ? str_of(iface, "name") : "?");
	fprintf(f, "  public key: %s\n",
		str_of(iface, "public_key") ? str_of(iface, "public_key") : "?");
	fprintf(f, "  listening port: %" PRIu64 "\n", u64_of(iface, "listen_port"));
	peers = json_object_get(answer, "peers");
	n = json_array_size(peers);
	sp = calloc(n ? n : 1, sizeof(*sp));
	if (!sp) {
		fclose(f);
		free(buf);
		return NULL;
	}
	json_array_foreach(peers, i, p)
		sp[i] = (struct sorted_peer){ .p = p, .order = i };
	qsort(sp, n, sizeof(*sp), by_handshake);
	for (i = 0; i < n; i++) {
		fprintf(f, "\n");
		peer_block(f, sp[i].p, now_unix);
	}
	free(sp);
	return finish(f, &buf);
}

char *ctl_format_peer(json_t *answer, const char *public_key, uint64_t now_unix)
{
	json_t *p;
	size_t i, size = 0;
	char *buf = NULL;

	json_array_foreach(json_object_get(answer, "peers"), i, p) {
		const char *key = str_of(p, "public_key");
		FILE *f;

		if (!key || strcmp(key, public_key) != 0)
			continue;
		f = open_memstream(&buf, &size);
		if (!f)
			return NULL;
		peer_block(f, p, now_unix);
		return finish(f, &buf);
	}
	return NULL;
}

/* "name: value" for every non-zero integer member of o, indented. */
static bool counters(FILE *f, json_t *o, const char *indent)
{
	const char *key;
	json_t *v;
	bool any = false;

	json_object_foreach(o, key, v) {
		if (json_is_integer(v) && json_integer_value(v)) {
			fprintf(f, "%s%-24s %" PRIu64 "\n", indent, key, u64_of(o, key));
			any = true;
		}
	}
	return any;
}

/* Each interface's line, when wgdp runs several (with one, the totals say it all). */
static void interfaces(FILE *f, json_t *ifaces)
{
	const char *name;
	json_t *o;

	if (json_object_size(ifaces) < 2)
		return;
	fprintf(f, "\ninterfaces:\n  %-16s %6s %5s %8s %14s %14s\n", "name", "port", "vlan",
		"peers", "rx bytes", "tx bytes");
	json_object_foreach(ifaces, name, o) fprintf(
		f, "  %-16s %6" PRIu64 " %5" PRIu64 " %8" PRIu64 " %14" PRIu64 " %14" PRIu64 "\n",
		name, u64_of(o, "listen_port"), u64_of(o, "vlan"), u64_of(o, "peers"),
		u64_of(o, "rx_bytes"), u64_of(o, "tx_bytes"));
}

char *ctl_format_stats(json_t *answer)
{
	json_t *hs = json_object_get(answer, "handshake"), *w, *router;
	size_t size = 0, i;
	char *buf = NULL;
	bool any;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	fprintf(f, "peers: %" PRIu64 "\n\nhandshakes:\n", u64_of(answer, "peers"));
	if (!counters(f, hs, "  "))
		fprintf(f, "  (none)\n");
	fprintf(f, "  %-24s %" PRIu64 "%s\n", "queue depth", u64_of(hs, "queue_depth"),
		json_is_true(json_object_get(hs, "under_load")) ? " (under load: cookies)" : "");
	counters(f, json_object_get(hs, "noise_errors"), "  noise error ");
	fprintf(f, "\nworkers:\n  %-6s %12s %12s %12s %12s %10s\n", "lcore", "rx", "tx",
		"decrypted", "encrypted", "to control");
	json_array_foreach(json_object_get(answer, "workers"), i, w)
		fprintf(f, "  %-6" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
			   " %10" PRIu64 "\n",
			u64_of(w, "lcore"), u64_of(w, "rx_packets"), u64_of(w, "tx_packets"),
			u64_of(w, "decrypted"), u64_of(w, "encrypted"),
			u64_of(w, "handshake_to_control") + u64_of(w, "local_to_control"));
	fprintf(f, "\ndrops:\n");
	if (!counters(f, json_object_get(answer, "drops"), "  "))
		fprintf(f, "  none\n");
	fprintf(f, "\nrouter:\n");
	router = json_object_get(answer, "router");
	any = counters(f, json_object_get(router, "icmp_sent"), "  icmp sent ");
	if (!counters(f, router, "  ") && !any)
		fprintf(f, "  none\n");
	interfaces(f, json_object_get(answer, "interfaces"));
	return finish(f, &buf);
}

char *ctl_format_port_stats(json_t *answer)
{
	json_t *p;
	size_t size = 0, i;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	json_array_foreach(json_object_get(answer, "ports"), i, p) {
		fprintf(f, "\n  ######################## NIC statistics for port %-2" PRIu64
			   " ########################\n",
			u64_of(p, "port"));
		fprintf(f, "  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64 " RX-bytes:  %" PRIu64
			   "\n",
			u64_of(p, "rx_packets"), u64_of(p, "rx_missed"), u64_of(p, "rx_bytes"));
		fprintf(f, "  RX-errors: %" PRIu64 "\n", u64_of(p, "rx_errors"));
		fprintf(f, "  RX-nombuf:  %-10" PRIu64 "\n", u64_of(p, "rx_nombuf"));
		fprintf(f, "  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64 " TX-bytes:  %" PRIu64
			   "\n",
			u64_of(p, "tx_packets"), u64_of(p, "tx_errors"), u64_of(p, "tx_bytes"));
		fprintf(f, "  ############################################################################\n");
	}
	return finish(f, &buf);
}

char *ctl_format_lcores(json_t *answer)
{
	json_t *ctl = json_object_get(answer, "control"), *w, *q, *engines;
	size_t size = 0, i, k;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	fprintf(f, "lcore %" PRIu64 ": control (handshakes, timers, config)%s\n",
		u64_of(ctl, "lcore"),
		json_is_true(json_object_get(ctl, "shares_lcore_with_worker")) ? " + worker" : "");
	json_array_foreach(json_object_get(answer, "workers"), i, w) {
		fprintf(f, "lcore %" PRIu64 ": worker %zu, tx queue %" PRIu64 ", rx", u64_of(w, "lcore"),
			i, u64_of(w, "tx_queue"));
		json_array_foreach(json_object_get(w, "queues"), k, q)
			fprintf(f, "%s port %" PRIu64 " queue %" PRIu64, k ? "," : "",
				u64_of(q, "port"), u64_of(q, "queue"));
		fprintf(f, "; %" PRIu64 " rx, %" PRIu64 " tx packets\n", u64_of(w, "rx_packets"),
			u64_of(w, "tx_packets"));
	}
	/* Engine 0 is the control lcore's; the others have lcores of their own. */
	engines = json_object_get(json_object_get(answer, "handshake"), "lcores");
	json_array_foreach(engines, i, w) {
		if (i == 0)
			continue;
		fprintf(f,
			"lcore %" PRIu64 ": handshakes %zu; %" PRIu64 " initiations, queue %" PRIu64
			"%s\n",
			u64_of(w, "lcore"), i, u64_of(w, "initiations_received"),
			u64_of(w, "queue_depth"),
			json_is_true(json_object_get(w, "under_load")) ? ", under load" : "");
	}
	return finish(f, &buf);
}

char *ctl_format_health(json_t *answer)
{
	const char *state = json_string_value(json_object_get(answer, "state"));
	json_t *left = json_object_get(answer, "drain_ms_left");
	char *text = NULL;
	int n;

	if (left)
		n = asprintf(&text, "%s: stops in %.1f s\n", state ? state : "?",
			     (double)json_integer_value(left) / 1e3);
	else
		n = asprintf(&text, "%s\n", state ? state : "?");
	return n < 0 ? NULL : text;
}

bool ctl_health_serving(json_t *answer)
{
	const char *state = json_string_value(json_object_get(answer, "state"));

	return state && strcmp(state, "serving") == 0;
}
