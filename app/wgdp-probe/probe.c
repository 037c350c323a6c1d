/* SPDX-License-Identifier: MIT */
/*
 * wgdp-probe: a WireGuard peer on a plain UDP socket that measures how fast a server answers
 * handshakes. It runs N fresh handshakes, each timed from the initiation leaving to the
 * response being verified, and can send one ICMP echo through the tunnel and check the reply.
 * Operators point it at any WireGuard endpoint (wgdp, the kernel, wireguard-go, ...).
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "probe.h"
#include "wg/clock.h"
#include "wg/cookie.h"
#include "wg/noise.h"

#define PROG "wgdp-probe"

struct probe {
	struct probe_opts opts;
	struct wg_identity id;
	struct wg_handshake hs;
	struct wg_cookie_maker cookie;
	struct wg_keypair kp; /* the last completed handshake's */
	bool have_keypair;
	int fd;
	uint64_t *rtt_ns; /* one per completed handshake */
	unsigned int sent, completed, cookies, timeouts, rejected;
};

static int read_key_file(const char *path, uint8_t key[WGC_KEY_LEN])
{
	char text[128];
	size_t len;
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
		return -1;
	}
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	ok = len < sizeof(text) && wgc_key_from_text(key, text, len);
	wgc_memzero(text, sizeof(text));
	if (!ok) {
		fprintf(stderr, "%s: %s: not a base64 WireGuard key\n", PROG, path);
		return -1;
	}
	return 0;
}

/* Splits HOST:PORT or [HOST]:PORT and resolves it to one UDP address. */
static int resolve_endpoint(const char *text, struct sockaddr_storage *ss, socklen_t *sslen)
{
	char host[256];
	const char *port;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res;
	size_t hostlen;
	int rc;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return -1;
		hostlen = (size_t)(close - text - 1);
		text++;
		port = close + 2;
	} else {
		port = strrchr(text, ':');
		if (!port)
			return -1;
		hostlen = (size_t)(port - text);
		port++;
	}
	if (hostlen == 0 || hostlen >= sizeof(host) || !*port)
		return -1;
	memcpy(host, text, hostlen);
	host[hostlen] = '\0';
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int open_socket(struct probe *p)
{
	struct sockaddr_storage ss;
	socklen_t sslen;

	if (resolve_endpoint(p->opts.endpoint, &ss, &sslen) != 0) {
		fprintf(stderr, "%s: bad endpoint '%s' (HOST:PORT or [IPv6]:PORT)\n", PROG,
			p->opts.endpoint);
		return -1;
	}
	p->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->fd < 0 || connect(p->fd, (struct sockaddr *)&ss, sslen) != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, p->opts.endpoint, strerror(errno));
		return -1;
	}
	return 0;
}

/* Waits for a datagram until deadline (monotonic ns); returns its length, 0 on timeout. */
static ssize_t receive_until(struct probe *p, void *buf, size_t cap, uint64_t deadline)
{
	for (;;) {
		uint64_t now = wg_clock_mono_ns();
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		int ms, rc;
		ssize_t n;

		if (now >= deadline)
			return 0;
		ms = (int)((deadline - now + WG_NSEC_PER_MSEC - 1) / WG_NSEC_PER_MSEC);
		rc = poll(&pfd, 1, ms);
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc <= 0)
			continue;
		n = recv(p->fd, buf, cap, 0);
		/* ICMP errors (port unreachable) surface here: keep waiting out the timeout. */
		if (n < 0 && (errno == ECONNREFUSED || errno == EINTR))
			continue;
		return n;
	}
}

static int send_initiation(struct probe *p, uint32_t index)
{
	struct wg_msg_initiation msg;
	enum wg_noise_error err;

	err = wg_noise_create_initiation(&msg, &p->hs, &p->id, index, wg_clock_real_ns());
	if (err != WG_NOISE_OK) {
		fprintf(stderr, "%s: cannot create an initiation: %s\n", PROG,
			wg_noise_error_name(err));
		return -1;
	}
	wg_cookie_add_macs(&p->cookie, &msg, sizeof(msg), wg_clock_mono_ns());
	if (send(p->fd, &msg, sizeof(msg), 0) != (ssize_t)sizeof(msg)) {
		fprintf(stderr, "%s: send: %s\n", PROG, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * One handshake: initiation out, response in. A cookie reply (the server is under load) is
 * consumed and the initiation sent again with mac2; the time counts from the first send, as
 * the client waiting for its tunnel experiences it. Returns 1 done, 0 not answered, -1 error.
 */
static int one_handshake(struct probe *p, uint64_t *rtt)
{
	uint8_t buf[2048];
	uint32_t index = wgc_random_u32();
	uint64_t start = wg_clock_mono_ns();
	uint64_t deadline = start + p->opts.timeout_ms * WG_NSEC_PER_MSEC;
	ssize_t n;

	if (send_initiation(p, index) != 0)
		return -1;
	p->sent++;
	while ((n = receive_until(p, buf, sizeof(buf), deadline)) > 0) {
		enum wg_message_type type = wg_msg_classify(buf, (size_t)n);

		if (type == WG_MSG_COOKIE &&
		    wg_cookie_reply_consume(&p->cookie, (const struct wg_msg_cookie *)buf,
					    wg_clock_mono_ns())) {
			p->cookies++;
			if (send_initiation(p, index) != 0)
				return -1;
			continue;
		}
		if (type != WG_MSG_RESPONSE)
			continue;
		if (wg_noise_consume_response((const struct wg_msg_response *)buf, &p->hs,
					      &p->id) != WG_NOISE_OK) {
			p->rejected++;
			continue;
		}
		*rtt = wg_clock_mono_ns() - start;
		p->have_keypair = wg_noise_derive_keypair(&p->kp, &p->hs, wg_clock_mono_ns());
		return p->have_keypair ? 1 : -1;
	}
	if (n < 0) {
		fprintf(stderr, "%s: recv: %s\n", PROG, strerror(errno));
		return -1;
	}
	wg_handshake_clear(&p->hs);
	p->timeouts++;
	return 0;
}

static int run_handshakes(struct probe *p)
{
	for (unsigned int i = 0; i < p->opts.count; i++) {
		uint64_t rtt = 0;
		int rc = one_handshake(p, &rtt);

		if (rc < 0)
			return -1;
		if (rc > 0)
			p->rtt_ns[p->completed++] = rtt;
		if (i + 1 < p->opts.count)
			usleep(p->opts.interval_ms * 1000);
	}
	return 0;
}

/* Sends one ICMP echo through the tunnel and waits for the matching reply. */
static bool run_ping(struct probe *p)
{
	uint8_t packet[2048], reply[2048];
	uint64_t deadline;
	size_t len;
	ssize_t n;

	if (!p->have_keypair)
		return false;
	len = probe_build_echo(packet, sizeof(packet), &p->opts.ping, &p->kp);
	if (send(p->fd, packet, len, 0) != (ssize_t)len)
		return false;
	deadline = wg_clock_mono_ns() + p->opts.timeout_ms * WG_NSEC_PER_MSEC;
	while ((n = receive_until(p, reply, sizeof(reply), deadline)) > 0)
		if (probe_check_echo_reply(reply, (size_t)n, &p->opts.ping, &p->kp))
			return true;
	return false;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s --endpoint HOST:PORT --server-key PUB --key-file PRIV [options]\n"
		"\n"
		"Acts as a WireGuard peer with the private key in PRIV and runs N fresh handshakes\n"
		"with the server whose public key is PUB, timing each from the initiation sent to\n"
		"the response verified. Prints how many completed and p50/p90/p99/max in microseconds.\n"
		"The server must know PUB's peer (and the same preshared key, if any).\n"
		"\n"
		"  --endpoint HOST:PORT     the server, e.g. 192.0.2.1:51820 or [2001:db8::1]:51820\n"
		"  --server-key PUB         the server's public key (base64, as wg prints it)\n"
		"  --key-file FILE          our private key (as written by wg genkey)\n"
		"  --psk-file FILE          a preshared key (as written by wg genpsk)\n"
		"  -n, --count N            handshakes to run (default 100)\n"
		"  --interval-ms MS         pause between handshakes (default 25; servers refuse\n"
		"                           more than one initiation per peer per 20 ms)\n"
		"  --timeout-ms MS          wait for each answer (default 1000)\n"
		"  --ping SRC,DST           then send one ICMP echo from inner address SRC to DST\n"
		"                           through the tunnel and check the reply (IPv4 or IPv6)\n"
		"  --json                   one JSON object on stdout instead of text\n"
		"  --samples                also print every response time in microseconds, in the\n"
		"                           order measured (JSON: \"samples_us\"), to pool runs\n"
		"\n"
		"Exit status: 0 when every handshake (and the ping) succeeded, 1 otherwise.\n",
		PROG);
	fprintf(out, "%s --version prints the version.\n", PROG);
}

static int parse_args(struct probe_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "endpoint", required_argument, NULL, 'e' },
		{ "server-key", required_argument, NULL, 's' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "psk-file", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "ping", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "samples", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct probe_opts){ .count = 100, .interval_ms = 25, .timeout_ms = 1000 };
	while ((c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			o->endpoint = optarg;
			break;
		case 's':
			o->server_key = optarg;
			break;
		case 'k':
			o->key_file = optarg;
			break;
		case 'p':
			o->psk_file = optarg;
			break;
		case 'n':
			o->count = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			o->interval_ms = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 't':
			o->timeout_ms = strtoul(optarg, NULL, 10);
			break;
		case 'P':
			if (probe_parse_ping(&o->ping, optarg) != 0) {
				fprintf(stderr, "%s: --ping wants SRC,DST of one family\n", PROG);
				return -1;
			}
			o->want_ping = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'S':
			o->samples = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("%s (wgdp) %s\n", PROG, WGDP_VERSION);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc || !o->endpoint || !o->server_key || !o->key_file) {
		fprintf(stderr, "%s: --endpoint, --server-key and --key-file are required\n", PROG);
		return -1;
	}
	if (o->count == 0 || o->count > 1000000 || o->timeout_ms == 0) {
		fprintf(stderr, "%s: -n must be 1..1000000 and --timeout-ms positive\n", PROG);
		return -1;
	}
	return 0;
}

/* Loads keys into p; nothing secret stays outside p. */
static int load_keys(struct probe *p)
{
	uint8_t priv[WGC_KEY_LEN], server[WGC_KEY_LEN], psk[WGC_KEY_LEN];
	bool have_psk = p->opts.psk_file != NULL;
	int rc = -1;

	if (!wgc_key_from_base64(server, p->opts.server_key)) {
		fprintf(stderr, "%s: --server-key is not a base64 WireGuard key\n", PROG);
		return -1;
	}
	if (read_key_file(p->opts.key_file, priv) != 0)
		goto out;
	if (have_psk && read_key_file(p->opts.psk_file, psk) != 0)
		goto out;
	if (!wg_identity_set(&p->id, priv)) {
		fprintf(stderr, "%s: %s: unusable private key\n", PROG, p->opts.key_file);
		goto out;
	}
	wg_handshake_init(&p->hs, &p->id, server, have_psk ? psk : NULL);
	if (!wg_handshake_precompute(&p->hs, &p->id)) {
		fprintf(stderr, "%s: --server-key is a low-order point\n", PROG);
		goto out;
	}
	wg_cookie_maker_init(&p->cookie, server);
	rc = 0;
out:
	wgc_memzero(priv, sizeof(priv));
	wgc_memzero(psk, sizeof(psk));
	return rc;
}

int main(int argc, char **argv)
{
	struct probe *p = calloc(1, sizeof(*p));
	int rc = 1, ping_rc = -1;

	if (!p || parse_args(&p->opts, argc, argv) != 0) {
		if (p)
			usage(stderr);
		free(p);
		return 1;
	}
	p->fd = -1;
	p->rtt_ns = calloc(p->opts.count, sizeof(*p->rtt_ns));
	if (!p->rtt_ns || wgc_init() != 0 || load_keys(p) != 0 || open_socket(p) != 0)
		goto out;
	if (run_handshakes(p) != 0)
		goto out;
	if (p->opts.want_ping)
		ping_rc = run_ping(p) ? 1 : 0;
	if (probe_report(stdout, &p->opts, p->rtt_ns, p->sent, p->completed, p->cookies,
			 p->timeouts + p->rejected, ping_rc) != 0) {
		fprintf(stderr, "%s: out of memory for the report\n", PROG);
		goto out;
	}
	rc = p->completed == p->opts.count && ping_rc != 0 ? 0 : 1;
out:
	if (p->fd >= 0)
		close(p->fd);
	free(p->rtt_ns);
	wg_identity_clear(&p->id);
	wg_handshake_wipe(&p->hs);
	wg_keypair_wipe(&p->kp);
	wgc_memzero(p, sizeof(*p));
	free(p);
	return rc;
}
