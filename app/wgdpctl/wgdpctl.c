/* SPDX-License-Identifier: MIT */
/*
 * wgdpctl: the operator's command line. The offline key commands behave like `wg genkey`,
 * `wg pubkey` and `wg genpsk`, so scripts written for wg work unchanged.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "crypto/ct.h"
#include "crypto/keys.h"
#include "crypto/x25519.h"
#include "ctl/format.h"
#include "ctl/metrics.h"
#include "boxes.h"

#define PROG		"wgdpctl"
#define WGDP_MAX_SHOWS	4096 /* interfaces a metrics scrape reads */
#define DEFAULT_SOCKET	"/run/wgdp/wgdp0.sock"

/* Like wg: a key written to a file others can read deserves a warning, not a refusal. */
static void warn_if_world_readable(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n",
		      stderr);
}

static int print_key(const uint8_t key[WGC_KEY_LEN])
{
	char b64[WGC_KEY_B64_LEN + 1];
	int rc = 0;

	wgc_key_to_base64(b64, key);
	if (printf("%s\n", b64) < 0 || fflush(stdout) != 0)
		rc = 1;
	wgc_memzero(b64, sizeof(b64));
	return rc;
}

static int cmd_genkey(void)
{
	uint8_t priv[WGC_KEY_LEN];
	int rc;

	warn_if_world_readable();
	wgc_x25519_generate(priv);
	rc = print_key(priv);
	wgc_memzero(priv, sizeof(priv));
	return rc;
}

static int cmd_genpsk(void)
{
	uint8_t psk[WGC_KEY_LEN];
	int rc;

	warn_if_world_readable();
	wgc_random(psk, sizeof(psk));
	rc = print_key(psk);
	wgc_memzero(psk, sizeof(psk));
	return rc;
}

/* Reads a private key from stdin: the 44 base64 characters, blanks and one newline around. */
static int cmd_pubkey(void)
{
	uint8_t priv[WGC_KEY_LEN], pub[WGC_KEY_LEN];
	char text[128];
	size_t len;
	int rc = 1;

	len = fread(text, 1, sizeof(text), stdin);
	if (ferror(stdin) || len == sizeof(text) || !wgc_key_from_text(priv, text, len)) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", PROG);
		goto out;
	}
	if (!wgc_x25519_public(pub, priv)) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", PROG);
		goto out;
	}
	rc = print_key(pub);
out:
	wgc_memzero(text, sizeof(text));
	wgc_memzero(priv, sizeof(priv));
	return rc;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [-s SOCKET]... [--sockets FILE] [--json] [--dry-run] <command>\n"
		"\n"
		"Commands to a running wgdp (control socket, default " DEFAULT_SOCKET
		" or $WGDP_SOCKET):\n"
		"  show [IFACE]         interface and peers, as wg show prints them (IFACE: which\n"
		"                       one, when wgdp runs several)\n"
		"  stats                ports, workers, drops by reason, handshakes, interfaces\n"
		"  reload [FILE]        apply FILE (or wgdp's -c file) whole, or nothing of it\n"
		"  set-config FILE      the same, with the config sent over the socket\n"
		"  peer-add JSON [IFACE]    add a peer (to interface IFACE): "
		"'{\"public_key\":\"...\",\"allowed_ips\":[...]}'\n"
		"  peer-remove KEY [IFACE]  remove the peer with this public key (of IFACE)\n"
		"  clear-stats          counters start again from zero\n"
		"  metrics [N]          stats and every interface's peers (N at most, default\n"
		"                       1000) as Prometheus text (docs/operations.md)\n"
		"  health               serving, or draining (exit status 1 unless serving)\n"
		"  --json prints the raw answer line; the exit status is 1 when wgdp said "
		"ok:false.\n"
		"  --dry-run checks a change (reload, set-config, peer-add, peer-remove), applies\n"
		"  nothing. Several boxes (-s SOCK1 -s SOCK2, or --sockets FILE: one a line):\n"
		"  every box checks a change before any applies it, a line of report a box;\n"
		"  exit status 1: refused, no box changed; 2: applied by some boxes only\n"
		"  (docs/scale-out.md).\n"
		"\n"
		"Offline key commands (compatible with wg):\n"
		"  genkey   print a new private key (base64) on stdout\n"
		"  pubkey   read a private key on stdin, print its public key\n"
		"  genpsk   print a new preshared key\n"
		"  help     this text\n",
		PROG);
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: %s: path too long\n", PROG, path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "%s: cannot connect to %s: %s (is wgdp running? -s names the "
				"socket)\n", PROG, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Sends one request line, returns the answer line (malloc'd) or NULL. */
static char *transact(const char *sock, json_t *req)
{
	char *line = json_dumps(req, JSON_COMPACT), *ans = NULL;
	size_t len = 0, cap = 0;
	int fd = connect_socket(sock);
	bool ok;

	if (fd < 0 || !line) {
		free(line);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	ok = write_all(fd, line, strlen(line)) && write_all(fd, "\n", 1);
	free(line);
	while (ok) {
		ssize_t n;

		if (len + 4096 > cap) {
			char *bigger = realloc(ans, cap = cap * 2 + 8192);

			if (!bigger)
				break;
			ans = bigger;
		}
		n = read(fd, ans + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(ans + len - (size_t)n, '\n', (size_t)n))
			break;
	}
	close(fd);
	if (!ans || !len || ans[len - 1] != '\n') {
		fprintf(stderr, "%s: no answer from wgdp\n", PROG);
		free(ans);
		return NULL;
	}
	ans[len - 1] = '\0';
	return ans;
}

static void print_applied(json_t *ans)
{
	if (json_object_get(ans, "interfaces_added"))
		printf("interfaces: %lld added, %lld removed\n",
		       json_integer_value(json_object_get(ans, "interfaces_added")),
		       json_integer_value(json_object_get(ans, "interfaces_removed")));
	printf("applied: %lld added, %lld removed, %lld changed; %lld peers "
	       "(control lcore busy %lld us)\n",
	       json_integer_value(json_object_get(ans, "added")),
	       json_integer_value(json_object_get(ans, "removed")),
	       json_integer_value(json_object_get(ans, "changed")),
	       json_integer_value(json_object_get(ans, "peers")),
	       json_integer_value(json_object_get(ans, "apply_us")));
}

static void print_health(json_t *ans)
{
	const char *state = json_string_value(json_object_get(ans, "state"));

	if (json_object_get(ans, "drain_ms_left"))
		printf("%s: stops in %.1f s\n", state,
		       (double)json_integer_value(json_object_get(ans, "drain_ms_left")) / 1e3);
	else
		printf("%s\n", state ? state : "?");
}

/* A box that is not serving (draining) must not get traffic: health checks read the status. */
static bool serving(const char *cmd, json_t *ans)
{
	const char *state = json_string_value(json_object_get(ans, "state"));

	return strcmp(cmd, "health") != 0 || (state && strcmp(state, "serving") == 0);
}

static void print_answer(const char *cmd, json_t *ans)
{
	char *text = NULL;

	if (strcmp(cmd, "show") == 0)
		text = ctl_format_show(ans, (uint64_t)time(NULL));
	else if (strcmp(cmd, "health") == 0)
		print_health(ans);
	else if (strcmp(cmd, "stats") == 0)
		text = ctl_format_stats(ans);
	else if (json_object_get(ans, "added"))
		print_applied(ans);
	else
		printf("ok\n");
	if (text)
		fputs(text, stdout);
	free(text);
}

/* Builds the request for argv (after the options); NULL with a message on misuse. */
static json_t *build_request(int argc, char **argv)
{
	const char *cmd = argv[0];
	json_error_t jerr;
	json_t *v;

	if ((strcmp(cmd, "show") == 0 || strcmp(cmd, "stats") == 0 ||
	     strcmp(cmd, "clear-stats") == 0) && argc == 1)
		return json_pack("{s:s}", "cmd", cmd);
	if (strcmp(cmd, "health") == 0 && argc == 1)
		return json_pack("{s:s}", "cmd", cmd);
	if (strcmp(cmd, "show") == 0 && argc == 2)
		return json_pack("{s:s,s:s}", "cmd", cmd, "interface", argv[1]);
	if (strcmp(cmd, "reload") == 0 && argc <= 2) {
		char abs[PATH_MAX];

		if (argc == 1)
			return json_pack("{s:s}", "cmd", "reload");
		/* wgdp runs elsewhere: send a path it can open. */
		if (!realpath(argv[1], abs)) {
			fprintf(stderr, "%s: %s: %s\n", PROG, argv[1], strerror(errno));
			return NULL;
		}
		return json_pack("{s:s,s:s}", "cmd", "reload", "path", abs);
	}
	if (strcmp(cmd, "set-config") == 0 && argc == 2) {
		v = json_load_file(argv[1], JSON_REJECT_DUPLICATES, &jerr);
		if (!v) {
			fprintf(stderr, "%s: %s: line %d, column %d: %s\n", PROG, argv[1],
				jerr.line, jerr.column, jerr.text);
			return NULL;
		}
		return json_pack("{s:s,s:o}", "cmd", "set-config", "config", v);
	}
	if (strcmp(cmd, "peer-add") == 0 && (argc == 2 || argc == 3)) {
		v = json_loads(argv[1], JSON_REJECT_DUPLICATES, &jerr);
		if (!v) {
			fprintf(stderr, "%s: peer: column %d: %s\n", PROG, jerr.column, jerr.text);
			return NULL;
		}
		if (argc == 3)
			return json_pack("{s:s,s:o,s:s}", "cmd", "peer-add", "peer", v, "interface",
					 argv[2]);
		return json_pack("{s:s,s:o}", "cmd", "peer-add", "peer", v);
	}
	if (strcmp(cmd, "peer-remove") == 0 && argc == 2)
		return json_pack("{s:s,s:s}", "cmd", "peer-remove", "public_key", argv[1]);
	if (strcmp(cmd, "peer-remove") == 0 && argc == 3)
		return json_pack("{s:s,s:s,s:s}", "cmd", "peer-remove", "public_key", argv[1],
				 "interface", argv[2]);
	fprintf(stderr, "%s: invalid command or arguments: '%s'\n", PROG, cmd);
	usage(stderr);
	return NULL;
}

/* One request whose answer must say ok:true; NULL (and a message) otherwise. */
static json_t *ask(const char *sock, json_t *req)
{
	char *line = req ? transact(sock, req) : NULL;
	json_t *ans = line ? json_loads(line, 0, NULL) : NULL;

	json_decref(req);
	free(line);
	if (ans && !json_is_true(json_object_get(ans, "ok"))) {
		fprintf(stderr, "%s: %s\n", PROG,
			json_string_value(json_object_get(ans, "error")) ?: "refused");
		json_decref(ans);
		return NULL;
	}
	return ans;
}

/* `metrics [N]`: stats, then show for each interface stats names (a scrape's worth). */
static int cmd_metrics(const char *sock, int argc, char **argv)
{
	json_t *stats, *ifaces, *shows[WGDP_MAX_SHOWS] = { NULL }, *v;
	size_t n = 0, max_peers = 1000;
	const char *name;
	char *text = NULL, *end;
	int rc = 1;

	if (argc == 2) {
		max_peers = strtoul(argv[1], &end, 10);
		if (*argv[1] < '0' || *argv[1] > '9' || *end) {
			fprintf(stderr, "%s: metrics: N is a number of peers\n", PROG);
			return 1;
		}
	}
	stats = ask(sock, json_pack("{s:s}", "cmd", "stats"));
	if (!stats)
		return 1;
	ifaces = json_object_get(stats, "interfaces");
	json_object_foreach(ifaces, name, v)
	{
		if (n == WGDP_MAX_SHOWS)
			break;
		shows[n] = ask(sock,
			       json_object_size(ifaces) == 1
				       ? json_pack("{s:s}", "cmd", "show")
				       : json_pack("{s:s,s:s}", "cmd", "show", "interface", name));
		if (!shows[n])
			goto out;
		n++;
	}
	text = ctl_format_metrics(stats, shows, n, max_peers);
	if (text && fputs(text, stdout) >= 0)
		rc = 0;
out:
	free(text);
	for (size_t i = 0; i < n; i++)
		json_decref(shows[i]);
	json_decref(stats);
	return rc;
}

static int run_socket_command(const char *sock, bool raw, int argc, char **argv)
{
	json_t *req = build_request(argc, argv), *ans;
	char *line;
	int rc = 1;

	if (!req)
		return 1;
	line = transact(sock, req);
	json_decref(req);
	if (!line)
		return 1;
	ans = json_loads(line, 0, NULL);
	if (!ans) {
		fprintf(stderr, "%s: wgdp answered with something not JSON\n", PROG);
	} else if (!json_is_true(json_object_get(ans, "ok"))) {
		json_t *path = json_object_get(ans, "path");

		if (raw)
			printf("%s\n", line);
		fprintf(stderr, "%s: %s%s%s\n", PROG, json_is_string(path) ? json_string_value(path) : "",
			json_is_string(path) ? ": " : "",
			json_string_value(json_object_get(ans, "error")));
	} else {
		if (raw)
			printf("%s\n", line);
		else
			print_answer(argv[0], ans);
		rc = serving(argv[0], ans) ? 0 : 1;
	}
	json_decref(ans);
	free(line);
	return rc;
}

static char *box_transact(void *ctx, const char *sock, json_t *req)
{
	(void)ctx;
	return transact(sock, req);
}

static void box_print(json_t *ans, void *cmd)
{
	print_answer(cmd, ans);
	fflush(stdout);
}

/* Several boxes, or a dry run (boxes.h). */
static int run_boxes(const char *const *socks, unsigned int n, bool raw, bool dry_run, int argc,
		     char **argv)
{
	struct boxes_io io = { .transact = box_transact, .out = stdout };
	bool change = boxes_is_change(argv[0]);
	json_t *req;
	int rc;

	if (!change && (dry_run || strcmp(argv[0], "metrics") == 0)) {
		fprintf(stderr, "%s: %s\n", PROG,
			dry_run ? "--dry-run is for reload, set-config, peer-add and peer-remove"
				: "metrics: one box at a time");
		return 1;
	}
	req = build_request(argc, argv);
	if (!req)
		return 1;
	rc = change ? boxes_change(&io, socks, n, req, dry_run)
		    : boxes_each(&io, socks, n, req, raw, box_print, argv[0]);
	json_decref(req);
	return rc;
}

/* The boxes -s and --sockets name, in order; they live until exit. */
static char **socks;
static unsigned int n_socks;

/* -s again: one more box. */
static bool add_socket(const char *path)
{
	char **more = realloc(socks, (n_socks + 1) * sizeof(*socks));

	if (!more)
		return false;
	socks = more;
	socks[n_socks++] = (char *)path;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "sockets", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = getenv("WGDP_SOCKET") ? getenv("WGDP_SOCKET") : DEFAULT_SOCKET;
	bool raw = false, dry_run = false;
	const char *cmd;
	char err[256];
	int c;

	/* Options stop at the command: peer-add's JSON may start with anything. */
	while ((c = getopt_long(argc, argv, "+s:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			if (!add_socket(optarg))
				return 1;
			break;
		case 'S':
			if (boxes_read_list(optarg, &socks, &n_socks, err, sizeof(err)) != 0) {
				fprintf(stderr, "%s: --sockets %s\n", PROG, err);
				return 1;
			}
			if (!n_socks) {
				fprintf(stderr, "%s: --sockets %s: empty\n", PROG, optarg);
				return 1;
			}
			sock = socks[0];
			break;
		case 'j':
			raw = true;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	if (wgc_init() != 0) {
		fprintf(stderr, "%s: cannot initialise the crypto library\n", PROG);
		return 1;
	}
	cmd = argv[optind];
	if (argc - optind == 1 && strcmp(cmd, "genkey") == 0)
		return cmd_genkey();
	if (argc - optind == 1 && strcmp(cmd, "genpsk") == 0)
		return cmd_genpsk();
	if (argc - optind == 1 && strcmp(cmd, "pubkey") == 0)
		return cmd_pubkey();
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (n_socks > 1 || dry_run)
		return run_boxes(n_socks ? (const char *const *)socks : &sock,
				 n_socks ? n_socks : 1, raw, dry_run, argc - optind, argv + optind);
	if (strcmp(cmd, "metrics") == 0 && argc - optind <= 2)
		return cmd_metrics(sock, argc - optind, argv + optind);
	return run_socket_command(sock, raw, argc - optind, argv + optind);
}
