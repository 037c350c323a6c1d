/* SPDX-License-Identifier: MIT */
/*
 * The Prometheus text exposition (format 0.0.4) of what `stats` and `show` answer: one family
 * a metric, its HELP and TYPE first, `wgdp_` names, `_total` on counters. Per-peer series are
 * capped: a million peers must not make a million-line scrape by accident.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* A label value as the format wants it: backslash, double quote and newline escaped. */
static void label_value(FILE *f, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static uint64_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_true(v))
		return 1;
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v)
							       : 0;
}

static void sample(FILE *f, const char *name, const char *label, const char *value, uint64_t v)
{
	fputs(name, f);
	if (label) {
		fprintf(f, "{%s=\"", label);
		label_value(f, value);
		fputs("\"}", f);
	}
	fprintf(f, " %" PRIu64 "\n", v);
}

/* One family from the same key of each element of an array, labelled by one of its keys. */
static void per_element(FILE *f, json_t *array, const char *key, const char *label,
			const char *label_key, const char *name, const char *type, const char *help)
{
	size_t i;
	json_t *o;
	char value[32];

	family(f, name, type, help);
	json_array_foreach(array, i, o)
	{
		snprintf(value, sizeof(value), "%" PRIu64, num(o, label_key));
		sample(f, name, label, value, num(o, key));
	}
}

/* One family from every member of an object (drops by reason, noise errors). */
static void by_member(FILE *f, json_t *obj, const char *label, const char *name, const char *help)
{
	const char *k;
	json_t *v;

	family(f, name, "counter", help);
	json_object_foreach(obj, k, v)
		sample(f, name, label, k, json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0);
}

/* Counter families wgdp_<what>_<key>_total from each element of stats' array `array`. */
static void element_counters(FILE *f, json_t *stats, const char *array, const char *what,
			     const char *label, const char *const *keys, size_t n_keys)
{
	char name[64], help[96];

	for (size_t i = 0; i < n_keys; i++) {
		snprintf(name, sizeof(name), "wgdp_%s_%s_total", what, keys[i]);
		snprintf(help, sizeof(help), "The %s's %s.", what, keys[i]);
		per_element(f, json_object_get(stats, array), keys[i], label, label, name,
			    "counter", help);
	}
}

static void ports(FILE *f, json_t *stats)
{
	static const char *const keys[] = { "rx_packets", "rx_bytes",	"rx_missed", "rx_errors",
					    "rx_nombuf",  "tx_packets", "tx_bytes",  "tx_errors" };

	element_counters(f, stats, "ports", "port", "port", keys, sizeof(keys) / sizeof(keys[0]));
}

static void workers(FILE *f, json_t *stats)
{
	static const char *const keys[] = { "rx_packets",	   "tx_packets",
					    "decrypted",	   "encrypted",
					    "keepalives_received", "handshake_to_control",
					    "cookie_replies_sent" };

	element_counters(f, stats, "workers", "worker", "lcore", keys,
			 sizeof(keys) / sizeof(keys[0]));
}

static void handshakes(FILE *f, json_t *stats)
{
	static const char *const counters[] = {
		"initiations_received", "responses_received", "cookies_received",
		"handshakes_completed", "initiations_sent",   "responses_sent",
		"cookie_replies_sent",	"keepalives_sent",    "mac_invalid",
		"ratelimited",		"unknown_index",      "staged_sent",
		"staged_dropped",	"staged_over_limit",  "staged_expired",
		"index_pool_empty",	"taken_over",	      "stray_sources",
		"stray_initiations",	"stray_deferred",
	};
	json_t *hs = json_object_get(stats, "handshake");
	char name[80], help[96];

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		snprintf(name, sizeof(name), "wgdp_handshake_%s_total", counters[i]);
		snprintf(help, sizeof(help), "Handshake messages and staged packets: %s.",
			 counters[i]);
		family(f, name, "counter", help);
		sample(f, name, NULL, NULL, num(hs, counters[i]));
	}
	by_member(f, json_object_get(hs, "noise_errors"), "error",
		  "wgdp_handshake_noise_errors_total", "Handshake messages Noise refused, by why.");
	family(f, "wgdp_handshake_queue_depth", "gauge", "Handshake messages queued now.");
	sample(f, "wgdp_handshake_queue_depth", NULL, NULL, num(hs, "queue_depth"));
	family(f, "wgdp_under_load", "gauge", "1 while handshakes are answered with cookies.");
	sample(f, "wgdp_under_load", NULL, NULL, num(hs, "under_load"));
	per_element(f, json_object_get(hs, "lcores"), "initiations_received", "lcore", "lcore",
		    "wgdp_handshake_lcore_initiations_received_total", "counter",
		    "Initiations each handshake lcore took.");
	per_element(f, json_object_get(hs, "lcores"), "queue_depth", "lcore", "lcore",
		    "wgdp_handshake_lcore_queue_depth", "gauge",
		    "Handshake messages queued for each handshake lcore now.");
}

static void resources(FILE *f, json_t *stats)
{
	static const char *const keys[] = { "mbufs_in_use", "keypairs",	  "indexes",
					    "staged",	    "neighbours", "neighbour_queued" };
	json_t *res = json_object_get(stats, "resources");
	char name[64], help[96];

	family(f, "wgdp_peers", "gauge", "Peers configured, every interface.");
	sample(f, "wgdp_peers", NULL, NULL, num(stats, "peers"));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(name, sizeof(name), "wgdp_%s", keys[i]);
		snprintf(help, sizeof(help), "Resources in use now: %s.", keys[i]);
		family(f, name, "gauge", help);
		sample(f, name, NULL, NULL, num(res, keys[i]));
	}
}

/* A peer's series, labelled by interface, public key and name. */
static void peer_sample(FILE *f, const char *name, const char *iface, json_t *p, uint64_t v)
{
	const char *key = json_string_value(json_object_get(p, "public_key"));
	const char *pname = json_string_value(json_object_get(p, "name"));

	fprintf(f, "%s{interface=\"", name);
	label_value(f, iface);
	fputs("\",public_key=\"", f);
	label_value(f, key);
	fputs("\",name=\"", f);
	label_value(f, pname);
	fprintf(f, "\"} %" PRIu64 "\n", v);
}

/* The peers of a show answer's interface: interface.peers counts those a max_peers left out
 * of the list; the list is all there is when it is longer (a wgdp before max_peers). */
static size_t peers_of(json_t *show)
{
	size_t listed = json_array_size(json_object_get(show, "peers"));
	uint64_t total = num(json_object_get(show, "interface"), "peers");

	return total > listed ? (size_t)total : listed;
}

/* The per-peer families, max_peers peers at most; the peers left out. */
static size_t peers(FILE *f, json_t *const *shows, size_t n_shows, size_t max_peers)
{
	static const char *const names[] = { "wgdp_peer_rx_bytes_total", "wgdp_peer_tx_bytes_total",
					     "wgdp_peer_latest_handshake_seconds" };
	static const char *const keys[] = { "rx_bytes", "tx_bytes", "latest_handshake" };
	static const char *const helps[] = {
		"Bytes received from the peer (wg show's transfer).",
		"Bytes sent to the peer.",
		"Unix time of the peer's latest handshake, 0 for never.",
	};
	size_t total = 0, shown = 0;

	for (size_t s = 0; s < n_shows; s++)
		total += peers_of(shows[s]);
	for (size_t k = 0; k < 3; k++) {
		shown = 0;
		family(f, names[k], k == 2 ? "gauge" : "counter", helps[k]);
		for (size_t s = 0; s < n_shows; s++) {
			json_t *ifc = json_object_get(shows[s], "interface"), *p;
			const char *iface = json_string_value(json_object_get(ifc, "name"));
			size_t i;

			json_array_foreach(json_object_get(shows[s], "peers"), i, p)
			{
				if (shown == max_peers)
					break;
				peer_sample(f, names[k], iface, p, num(p, keys[k]));
				shown++;
			}
		}
	}
	return total - shown;
}

char *ctl_format_metrics(json_t *stats, json_t *const *shows, size_t n_shows, size_t max_peers)
{
	char *buf = NULL;
	size_t size = 0, omitted;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	resources(f, stats);
	ports(f, stats);
	workers(f, stats);
	by_member(f, json_object_get(stats, "drops"), "reason", "wgdp_drops_total",
		  "Packets dropped, by reason, every lcore.");
	handshakes(f, stats);
	omitted = peers(f, shows, n_shows, max_peers);
	family(f, "wgdp_peer_series_omitted", "gauge",
	       "Peers left out of the per-peer series by the cap.");
	sample(f, "wgdp_peer_series_omitted", NULL, NULL, omitted);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * show for one interface (no name when there is only one, as `wgdpctl show` asks), listing
 * max_peers peers at most: wgdp then copies no more than the scrape prints, whatever the
 * interface holds.
 */
static json_t *ask_show(ctl_metrics_ask_fn ask, void *arg, const char *name, bool only,
			size_t max_peers)
{
	json_int_t max = max_peers > (size_t)INT64_MAX ? INT64_MAX : (json_int_t)max_peers;
	json_t *req = only ? json_pack("{s:s,s:I}", "cmd", "show", "max_peers", max)
			   : json_pack("{s:s,s:s,s:I}", "cmd", "show", "interface", name,
				       "max_peers", max);

	return req ? ask(arg, req) : NULL;
}

char *ctl_metrics_collect(ctl_metrics_ask_fn ask, void *arg, size_t max_peers)
{
	json_t *req = json_pack("{s:s}", "cmd", "stats");
	json_t *stats = req ? ask(arg, req) : NULL, *ifaces, **shows, *v;
	size_t n = 0, budget = max_peers, listed;
	const char *name;
	char *text = NULL;

	shows = stats ? calloc(CTL_METRICS_MAX_SHOWS, sizeof(*shows)) : NULL;
	if (!shows)
		goto out;
	ifaces = json_object_get(stats, "interfaces");
	json_object_foreach(ifaces, name, v)
	{
		if (n == CTL_METRICS_MAX_SHOWS)
			break;
		/* The cap is across interfaces: the later ones get what the earlier left. */
		shows[n] = ask_show(ask, arg, name, json_object_size(ifaces) == 1, budget);
		if (!shows[n])
			goto out;
		listed = json_array_size(json_object_get(shows[n], "peers"));
		budget -= listed < budget ? listed : budget;
		n++;
	}
	text = ctl_format_metrics(stats, shows, n, max_peers);
out:
	for (size_t i = 0; i < n; i++)
		json_decref(shows[i]);
	free(shows);
	json_decref(stats);
	return text;
}
