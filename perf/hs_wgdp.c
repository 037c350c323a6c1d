/* SPDX-License-Identifier: MIT */
/* The wgdp under test: its config (our peers' keys), its process, its control socket. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "hs_gen.h"

static char *subst(const char *tmpl, const char *cfg, const char *sock)
{
	size_t cap = strlen(tmpl) + 8 * (strlen(cfg) + strlen(sock)) + 1, o = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (const char *t = tmpl; *t && o + 1 < cap;) {
		const char *rep = NULL;
		size_t skip = 0;

		if (!strncmp(t, "{config}", 8))
			rep = cfg, skip = 8;
		else if (!strncmp(t, "{socket}", 8))
			rep = sock, skip = 8;
		if (rep && o + strlen(rep) < cap) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
			t += skip;
		} else {
			out[o++] = *t++;
		}
	}
	out[o] = 0;
	return out;
}

int hs_template_key(struct gen *g)
{
	json_error_t err;
	json_t *t = json_load_file(g->o.config_template, 0, &err);
	const char *key;
	int rc = -1;

	if (!json_is_object(t)) {
		fprintf(stderr, "wgdp-perf handshake: %s: %s (line %d)\n", g->o.config_template,
			t ? "not a JSON object" : err.text, err.line);
		goto out;
	}
	key = json_string_value(json_object_get(json_object_get(t, "interface"), "private_key"));
	if (key && !wgc_key_from_base64(g->server_priv, key)) {
		fprintf(stderr, "wgdp-perf handshake: %s: interface.private_key: not a key\n",
			g->o.config_template);
		goto out;
	}
	rc = 0;
out:
	json_decref(t);
	return rc;
}

/* The template with our key, our socket and our peers after its own. */
static int write_from_template(struct gen *g)
{
	char key[WGC_KEY_B64_LEN + 1], ip[24];
	json_t *t = json_load_file(g->o.config_template, 0, NULL);
	json_t *ifc, *ctl, *peers;
	int rc = -1;

	if (!json_is_object(t))
		goto out;
	ifc = json_object_get(t, "interface");
	ctl = json_object_get(t, "control");
	if (!json_is_object(ifc))
		json_object_set_new(t, "interface", ifc = json_object());
	if (!json_is_object(ctl))
		json_object_set_new(t, "control", ctl = json_object());
	peers = json_object_get(t, "peers");
	if (!json_is_array(peers))
		json_object_set_new(t, "peers", peers = json_array());
	wgc_key_to_base64(key, g->server_priv);
	json_object_set_new(ifc, "private_key", json_string(key));
	json_object_set_new(ctl, "socket", json_string(g->o.socket_path));
	for (unsigned int i = 0; i < g->o.peers; i++) {
		wgc_key_to_base64(key, g->peers[i].id.public_key);
		snprintf(ip, sizeof(ip), "10.%u.%u.%u/32", i >> 16 & 0xff, i >> 8 & 0xff, i & 0xff);
		json_array_append_new(
			peers, json_pack("{s:s,s:[s]}", "public_key", key, "allowed_ips", ip));
	}
	rc = json_dump_file(t, g->o.config_path, JSON_COMPACT);
out:
	wgc_memzero(key, sizeof(key));
	json_decref(t); /* the private key's copy goes with it, unwiped: a test key */
	return rc;
}

int hs_write_config(struct gen *g)
{
	char key[WGC_KEY_B64_LEN + 1];
	FILE *f;

	if (g->o.config_template)
		return write_from_template(g);
	f = fopen(g->o.config_path, "w");

	if (!f)
		return -1;
	wgc_key_to_base64(key, g->server_priv);
	fprintf(f,
		"{\"interface\":{\"name\":\"wgdphs\",\"private_key\":\"%s\",\"listen_port\":%u},\n",
		key, WG_PORT);
	wgc_memzero(key, sizeof(key));
	fprintf(f, "\"ports\":[{\"port\":0,\"role\":\"both\",\"address\":[\"%u.%u.%u.%u/24\"]}],\n",
		g->o.server_ip >> 24, g->o.server_ip >> 16 & 0xff, g->o.server_ip >> 8 & 0xff,
		g->o.server_ip & 0xff);
	fprintf(f, "\"control\":{\"socket\":\"%s\",\"uapi\":false},\n\"peers\":[\n",
		g->o.socket_path);
	for (unsigned int i = 0; i < g->o.peers; i++) {
		wgc_key_to_base64(key, g->peers[i].id.public_key);
		fprintf(f, "%s{\"public_key\":\"%s\",\"allowed_ips\":[\"10.%u.%u.%u/32\"]}\n",
			i ? "," : "", key, i >> 16 & 0xff, i >> 8 & 0xff, i & 0xff);
	}
	fprintf(f, "]}\n");
	return fclose(f) == 0 ? 0 : -1;
}

int hs_spawn_wgdp(struct gen *g)
{
	char *cmd = subst(g->o.spawn, g->o.config_path, g->o.socket_path);

	if (!cmd)
		return -1;
	g->child = fork();
	if (g->child == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	return g->child > 0 ? 0 : -1;
}

int hs_stop_wgdp(struct gen *g)
{
	int status = -1;

	if (g->child <= 0)
		return -1;
	pid_t r = 0;

	kill(-g->child, SIGTERM);
	for (int i = 0; i < 100 && (r = waitpid(g->child, &status, WNOHANG)) == 0; i++)
		usleep(50000);
	if (r != g->child) {
		kill(-g->child, SIGKILL);
		if (waitpid(g->child, &status, 0) != g->child)
			status = -1;
	}
	g->child = 0;
	return status;
}

/* One request on the control socket; the answer, or NULL. */
json_t *hs_ctl_request(struct gen *g, const char *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[1 << 16];
	size_t got = 0;
	json_t *ans = NULL;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return NULL;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", g->o.socket_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
		while (got < sizeof(buf) - 1) {
			ssize_t k = read(fd, buf + got, sizeof(buf) - 1 - got);

			if (k <= 0)
				break;
			got += (size_t)k;
			if (memchr(buf, '\n', got))
				break;
		}
		buf[got] = 0;
		ans = json_loads(buf, 0, NULL);
	}
	close(fd);
	return ans;
}

static int64_t stat_at(json_t *stats, const char *obj, const char *key)
{
	json_t *o = json_object_get(stats, obj);

	return json_integer_value(json_object_get(o, key));
}

static int64_t worker_sum(json_t *stats, const char *key)
{
	json_t *workers = json_object_get(stats, "workers"), *w;
	int64_t sum = 0;
	size_t i;

	json_array_foreach(workers, i, w) sum += json_integer_value(json_object_get(w, key));
	return sum;
}

/* wgdp's own counters moved by a phase, as one JSON object. */
void hs_print_wgdp_delta(json_t *before, json_t *after)
{
	static const char *const hs_keys[] = { "initiations_received", "responses_sent",
					       "cookie_replies_sent",  "mac_invalid",
					       "ratelimited",	       "under_load_ticks" };
	static const char *const drop_keys[] = { "handshake_queue_full", "bad_message",
						 "mac1_invalid" };

	printf(",\"wgdp\":{");
	for (size_t i = 0; i < RTE_DIM(hs_keys); i++)
		printf("%s\"%s\":%" PRId64, i ? "," : "", hs_keys[i],
		       stat_at(after, "handshake", hs_keys[i]) -
			       stat_at(before, "handshake", hs_keys[i]));
	for (size_t i = 0; i < RTE_DIM(drop_keys); i++)
		printf(",\"%s\":%" PRId64, drop_keys[i],
		       stat_at(after, "drops", drop_keys[i]) -
			       stat_at(before, "drops", drop_keys[i]));
	printf(",\"worker_cookie_replies_sent\":%" PRId64,
	       worker_sum(after, "cookie_replies_sent") -
		       worker_sum(before, "cookie_replies_sent"));
	json_t *pa = json_array_get(json_object_get(after, "ports"), 0);
	json_t *pb = json_array_get(json_object_get(before, "ports"), 0);

	printf(",\"port_rx_missed\":%" PRId64 "}",
	       (int64_t)(json_integer_value(json_object_get(pa, "rx_missed")) -
			 json_integer_value(json_object_get(pb, "rx_missed"))));
}

/* Waits for wgdp: its control socket answers and it answers our ARP. */
int hs_wait_for_wgdp(struct gen *g)
{
	uint64_t end = rte_rdtsc() + g->hz * g->o.wait_ms / 1000, next_arp = 0;
	json_t *s = NULL;

	while (rte_rdtsc() < end && !hs_interrupted) {
		int status;

		if (g->child > 0 && waitpid(g->child, &status, WNOHANG) == g->child) {
			g->child = 0;
			fprintf(stderr, "wgdp-perf handshake: wgdp exited early\n");
			return -1;
		}
		if (!s) {
			s = hs_ctl_request(g, "{\"cmd\":\"stats\"}\n");
			if (!s)
				usleep(20000);
			continue;
		}
		if (rte_rdtsc() > next_arp) {
			hs_send_arp_request(g);
			next_arp = rte_rdtsc() + g->hz / 10;
		}
		hs_rx_poll(g);
		if (g->have_server_mac) {
			json_decref(s);
			return 0;
		}
	}
	json_decref(s);
	fprintf(stderr, "wgdp-perf handshake: wgdp did not come up within %u ms\n", g->o.wait_ms);
	return -1;
}
