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
#include "config.h"
#include "secret_alloc.h"
#include "secret_file.h"
#include "wgquick.h"
#include "boxes.h"

#define PROG		"wgdpctl"
#define DEFAULT_SOCKET	"/run/wgdp/wgdp0.sock"
#define MAX_IMPORT	(64u << 20) /* a wg file of a million peers fits */

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
		"  set-peers FILE [IFACE]   replace the peers (of IFACE) with FILE's: an array of\n"
		"                       peers, or a config's \"peers\"; ports, key and the rest\n"
		"                       stay as they run (one peer list for several boxes)\n"
		"  clear-stats          counters start again from zero\n"
		"  metrics [N]          stats and every interface's peers (N at most, default\n"
		"                       1000) as Prometheus text (docs/operations.md)\n"
		"  export [--keys] [-i IFACE]  the running interface as wg setconf text; the\n"
		"                       private and preshared keys only with --keys\n"
		"  health               serving, or draining (exit status 1 unless serving)\n"
		"  --json prints the raw answer line; the exit status is 1 when wgdp said "
		"ok:false.\n"
		"  --timeout S: a box silent for S seconds (default 60, 0: no limit) is\n"
		"  unreachable.\n"
		"  --dry-run checks a change (reload, set-config, peer-add, peer-remove,\n"
		"  set-peers), applies nothing.\n"
		"  Several boxes (-s SOCK1 -s SOCK2, or --sockets FILE: one a line): every box\n"
		"  checks a change before any applies it, a line of report a box;\n"
		"  exit status 1: refused, no box changed; 2: applied by some boxes only\n"
		"  (docs/scale-out.md).\n"
		"\n"
		"Offline conversion:\n"
		"  import FILE.conf [--template T.json] [--name IFACE]\n"
		"                       a wg / wg-quick file as a wgdp config on stdout; the\n"
		"                       template (a wgdp config) gives the ports and the rest\n"
		"\n"
		"Offline key commands (compatible with wg):\n"
		"  genkey   print a new private key (base64) on stdout\n"
		"  pubkey   read a private key on stdin, print its public key\n"
		"  genpsk   print a new preshared key\n"
		"  help     this text\n"
		"\n"
		"  --version  print the version and exit\n",
		PROG);
}

/* --timeout: a box that stops answering (hung, stopped) is unreachable after this long. */
static unsigned int timeout_s = 60;

/* Connecting (a full backlog), each write and each read wait timeout_s at most (0: no limit). */
static bool set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = timeout_s };

	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0 &&
	       setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0;
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
	if (fd >= 0 && !set_timeout(fd))
		fprintf(stderr, "%s: cannot set the socket's timeout: %s\n", PROG, strerror(errno));
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
		/* A box that closes on us is an error to report, not a SIGPIPE that kills the
		 * report of the others. */
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Frees an answer buffer of cap bytes or a request line: either may hold keys (export --keys,
 * set-config). */
static void free_wiped(char *buf, size_t cap)
{
	if (buf)
		wgc_memzero(buf, cap);
	free(buf);
}

/* More room for the answer: a new block and the old one wiped, not realloc, which would free
 * the old block with an export's keys still in it. */
static bool grow_answer(char **ans, size_t len, size_t *cap)
{
	size_t bigger_cap = *cap * 2 + 8192;
	char *bigger = malloc(bigger_cap);

	if (!bigger)
		return false;
	if (len)
		memcpy(bigger, *ans, len);
	free_wiped(*ans, *cap);
	*ans = bigger;
	*cap = bigger_cap;
	return true;
}

/* Sends one request line, returns the answer line (malloc'd) or NULL. */
static char *transact(const char *sock, json_t *req)
{
	char *line = json_dumps(req, JSON_COMPACT), *ans = NULL;
	size_t len = 0, cap = 0;
	int fd = connect_socket(sock);
	bool ok, timed_out;

	if (fd < 0 || !line) {
		free_wiped(line, line ? strlen(line) : 0);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	errno = 0;
	ok = write_all(fd, line, strlen(line)) && write_all(fd, "\n", 1);
	free_wiped(line, strlen(line));
	while (ok) {
		ssize_t n;

		if (len + 4096 > cap && !grow_answer(&ans, len, &cap))
			break;
		n = read(fd, ans + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(ans + len - (size_t)n, '\n', (size_t)n))
			break;
	}
	timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
	close(fd);
	if (!ans || !len || ans[len - 1] != '\n') {
		if (timed_out)
			fprintf(stderr, "%s: %s: no answer in %u s (--timeout)\n", PROG, sock,
				timeout_s);
		else
			fprintf(stderr, "%s: no answer from wgdp\n", PROG);
		free_wiped(ans, cap);
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

/* A box that is not serving (draining) must not get traffic: health checks read the status. */
static bool serving(const char *cmd, json_t *ans)
{
	return strcmp(cmd, "health") != 0 || ctl_health_serving(ans);
}

static void print_answer(const char *cmd, json_t *ans)
{
	char *text = NULL;

	if (strcmp(cmd, "show") == 0)
		text = ctl_format_show(ans, (uint64_t)time(NULL));
	else if (strcmp(cmd, "health") == 0)
		text = ctl_format_health(ans);
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

/* A whole file ("-": stdin), NUL-terminated; NULL with a message. Free it with
 * wgdp_secret_text_free: it may hold keys. */
static char *read_all(const char *path, size_t *len)
{
	char why[128];
	char *text = wgdp_secret_file_read(strcmp(path, "-") ? path : "/dev/stdin", MAX_IMPORT, len,
					   why, sizeof(why));

	if (!text)
		fprintf(stderr, "%s: %s: %s\n", PROG, path, why);
	return text;
}

/* FILE's JSON (set-config, set-peers, import's template); NULL with a message. It may hold
 * keys: its text is wiped, and jansson wipes what it frees (main). */
static json_t *load_file(const char *path)
{
	json_error_t jerr;
	size_t len;
	char *text = read_all(path, &len);
	json_t *v;

	if (!text)
		return NULL;
	v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	wgdp_secret_text_free(text, len);
	if (!v)
		fprintf(stderr, "%s: %s: line %d, column %d: %s\n", PROG, path, jerr.line,
			jerr.column, jerr.text);
	return v;
}

/*
 * set-peers' request: FILE is an array of peers, or an object with "peers" (a box's own config
 * file: its peers go, its ports and key are not sent). NULL with a message.
 */
static json_t *set_peers_request(int argc, char **argv)
{
	char why[256];
	json_t *peers = wgdp_peer_list_load(strcmp(argv[1], "-") ? argv[1] : "/dev/stdin",
					    MAX_IMPORT, why, sizeof(why));

	if (!peers) {
		fprintf(stderr, "%s: %s: %s\n", PROG, argv[1], why);
		return NULL;
	}
	if (argc == 3)
		return json_pack("{s:s,s:o,s:s}", "cmd", "set-peers", "peers", peers, "interface",
				 argv[2]);
	return json_pack("{s:s,s:o}", "cmd", "set-peers", "peers", peers);
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
		v = load_file(argv[1]);
		return v ? json_pack("{s:s,s:o}", "cmd", "set-config", "config", v) : NULL;
	}
	if (strcmp(cmd, "set-peers") == 0 && (argc == 2 || argc == 3))
		return set_peers_request(argc, argv);
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

/* wgdp's ok:false answer, as "wgdpctl: PATH: ERROR" (no PATH when it names none). */
static void print_refusal(json_t *ans)
{
	const char *path = json_string_value(json_object_get(ans, "path"));
	const char *error = json_string_value(json_object_get(ans, "error"));

	fprintf(stderr, "%s: %s%s%s\n", PROG, path ? path : "", path ? ": " : "",
		error ? error : "refused");
}

/* An answer line that says ok:true, decoded; NULL with a message otherwise. */
static json_t *accepted(const char *line)
{
	json_t *ans = json_loads(line, 0, NULL);

	if (!ans) {
		fprintf(stderr, "%s: wgdp answered with something not JSON\n", PROG);
		return NULL;
	}
	if (!json_is_true(json_object_get(ans, "ok"))) {
		print_refusal(ans);
		json_decref(ans);
		return NULL;
	}
	return ans;
}

/* One request whose answer must say ok:true; NULL (and a message) otherwise. It takes req:
 * ctl_metrics_collect asks through it. */
static json_t *ask(void *sock, json_t *req)
{
	char *line = req ? transact(sock, req) : NULL;
	json_t *ans = line ? accepted(line) : NULL;

	json_decref(req);
	free(line);
	return ans;
}

/* `metrics [N]`: stats, then show for each interface stats names (a scrape's worth). */
static int cmd_metrics(const char *sock, int argc, char **argv)
{
	size_t max_peers = WGDP_METRICS_MAX_PEERS;
	char *text, *end;
	int rc = 1;

	if (argc == 2) {
		max_peers = strtoul(argv[1], &end, 10);
		if (*argv[1] < '0' || *argv[1] > '9' || *end) {
			fprintf(stderr, "%s: metrics: N is a number of peers\n", PROG);
			return 1;
		}
	}
	text = ctl_metrics_collect(ask, (void *)sock, max_peers);
	if (text && fputs(text, stdout) >= 0)
		rc = 0;
	free(text);
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
	if (raw)
		printf("%s\n", line);
	ans = accepted(line);
	if (ans) {
		if (!raw)
			print_answer(argv[0], ans);
		rc = serving(argv[0], ans) ? 0 : 1;
	}
	json_decref(ans);
	free(line);
	return rc;
}

/* The file read, with its notes on stderr as FILE:LINE: warning: ...; false on an error. */
static bool import_read(const char *path, struct wgdp_wgq *wq)
{
	struct wgdp_wgq_msg err;
	size_t len;
	char *text = read_all(path, &len);
	bool ok;

	if (!text)
		return false;
	ok = wgdp_wgq_parse(text, len, wq, &err);
	wgdp_secret_text_free(text, len);
	if (!ok) {
		if (err.line)
			fprintf(stderr, "%s:%u: %s\n", path, err.line, err.text);
		else
			fprintf(stderr, "%s: %s\n", path, err.text);
		return false;
	}
	for (unsigned int i = 0; i < wq->n_notes; i++)
		fprintf(stderr, "%s:%u: warning: %s\n", path, wq->notes[i].line, wq->notes[i].text);
	return true;
}

/* What wgdp would say of the result, where it is a whole config (it has ports). */
static bool import_check(const char *path, json_t *out)
{
	struct wgdp_config_error err;
	struct wgdp_config *cfg;

	if (!json_object_get(out, "ports")) {
		fprintf(stderr,
			"%s: note: no ports yet: give --template a wgdp config with ports "
			"(and control, limits), or add them before wgdp runs it\n",
			PROG);
		return true;
	}
	cfg = wgdp_config_from_json(out, &err);
	if (!cfg) {
		fprintf(stderr, "%s: %s as a wgdp config: %s: %s\n", PROG, path, err.path,
			err.message);
		return false;
	}
	wgdp_config_free(cfg);
	return true;
}

/* The result's JSON: printed only once everything passed, so an error leaves stdout empty. */
static json_t *import_build(const char *path, const char *name, const char *tmpl_path,
			    const struct wgdp_wgq *wq)
{
	struct wgdp_config_error err;
	json_t *tmpl = NULL, *out;

	if (tmpl_path) {
		tmpl = load_file(tmpl_path);
		if (!tmpl)
			return NULL;
	}
	out = wgdp_wgq_to_json(wq, name, tmpl, &err);
	if (!out)
		fprintf(stderr, "%s: %s: %s%s%s\n", PROG, *err.path ? tmpl_path : path, err.path,
			*err.path ? ": " : "", err.message);
	if (tmpl)
		wgdp_json_wipe(tmpl);
	json_decref(tmpl);
	if (out && !import_check(path, out)) {
		wgdp_json_wipe(out);
		json_decref(out);
		out = NULL;
	}
	return out;
}

static int import_print(json_t *out)
{
	char *text = json_dumps(out, JSON_INDENT(2));
	int rc = 1;

	if (strstr(text ? text : "", "\"private_key\""))
		warn_if_world_readable();
	if (text && puts(text) >= 0 && fflush(stdout) == 0)
		rc = 0;
	if (text)
		wgc_memzero(text, strlen(text));
	free(text);
	return rc;
}

/* `import FILE [--template T] [--name IFACE]` (docs/operations.md, "Coming from wg-quick"). */
static int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tmpl = NULL, *name = NULL, *path;
	char file_name[WGDP_IFNAME_MAX + 1];
	struct wgdp_wgq wq;
	json_t *out;
	int c, rc;

	optind = 0; /* GNU getopt: start afresh on the command's arguments */
	while ((c = getopt_long(argc, argv, "t:n:", opts, NULL)) != -1) {
		if (c == 't')
			tmpl = optarg;
		else if (c == 'n')
			name = optarg;
		else
			return 1;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s: import FILE.conf [--template T.json] [--name IFACE]\n", PROG);
		return 1;
	}
	path = argv[optind];
	if (!name && !wgdp_wgq_name_of(strcmp(path, "-") ? path : "wgdp0", file_name)) {
		fprintf(stderr,
			"%s: %s: not an interface name (1 to %d letters, digits, '_', "
			"'.', '-'): give --name\n",
			PROG, path, WGDP_IFNAME_MAX);
		return 1;
	}
	if (!import_read(path, &wq))
		return 1;
	out = import_build(path, name ? name : file_name, tmpl, &wq);
	wgdp_wgq_free(&wq);
	if (!out)
		return 1;
	rc = import_print(out);
	wgdp_json_wipe(out);
	json_decref(out);
	return rc;
}

/* The answer as setconf text; false (and a message) if it is not an export answer. */
static bool export_print(json_t *ans)
{
	struct wgdp_config_error err;
	struct wgdp_wgq wq;
	char *text;
	bool ok;

	if (!wgdp_wgq_from_json(ans, &wq, &err)) {
		fprintf(stderr, "%s: wgdp's answer: %s: %s\n", PROG, err.path, err.message);
		return false;
	}
	text = wgdp_wgq_format(&wq, true);
	ok = text && fputs(text, stdout) >= 0 && fflush(stdout) == 0;
	if (text)
		wgc_memzero(text, strlen(text));
	free(text);
	wgdp_wgq_free(&wq);
	return ok;
}

/* `export [--keys] [-i IFACE | IFACE]`: the running interface as wg setconf text. */
static int cmd_export(const char *sock, bool raw, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keys", no_argument, NULL, 'k' },
		{ "interface", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const char *iface = NULL;
	bool keys = false;
	json_t *req, *ans;
	char *line;
	int c, rc = 1;

	optind = 0;
	while ((c = getopt_long(argc, argv, "ki:", opts, NULL)) != -1) {
		if (c == 'k')
			keys = true;
		else if (c == 'i')
			iface = optarg;
		else
			return 1;
	}
	if (optind < argc && !iface)
		iface = argv[optind++];
	if (optind != argc) {
		fprintf(stderr, "%s: export [--keys] [-i IFACE]\n", PROG);
		return 1;
	}
	req = json_pack("{s:s,s:b}", "cmd", "export", "keys", keys);
	if (iface)
		json_object_set_new(req, "interface", json_string(iface));
	if (keys)
		warn_if_world_readable();
	line = transact(sock, req);
	json_decref(req);
	if (!line)
		return 1;
	ans = accepted(line);
	if (ans && raw)
		rc = puts(line) >= 0 ? 0 : 1;
	else if (ans)
		rc = export_print(ans) ? 0 : 1;
	if (ans)
		wgdp_json_wipe(ans);
	json_decref(ans);
	wgc_memzero(line, strlen(line));
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

	if (!change &&
	    (dry_run || strcmp(argv[0], "metrics") == 0 || strcmp(argv[0], "export") == 0)) {
		if (dry_run)
			fprintf(stderr,
				"%s: --dry-run is for reload, set-config, peer-add, "
				"peer-remove and set-peers\n",
				PROG);
		else
			fprintf(stderr, "%s: %s: one box at a time\n", PROG, argv[0]);
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

static bool parse_timeout(const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > 86400) {
		fprintf(stderr, "%s: --timeout: 0 (none) to 86400 seconds\n", PROG);
		return false;
	}
	timeout_s = (unsigned int)v;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "sockets", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = getenv("WGDP_SOCKET") ? getenv("WGDP_SOCKET") : DEFAULT_SOCKET;
	bool raw = false, dry_run = false;
	const char *cmd;
	char err[256];
	int c;

	/* Before any JSON: import, export, set-config and set-peers carry keys through jansson's
	 * buffers. */
	wgdp_json_wipe_on_free();
	/* Options stop at the command: peer-add's JSON may start with anything. */
	while ((c = getopt_long(argc, argv, "+s:jnh", longopts, NULL)) != -1) {
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
		case 'T':
			if (!parse_timeout(optarg))
				return 1;
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
		case 'V':
			printf("%s (wgdp) %s\n", PROG, WGDP_VERSION);
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
	if (strcmp(cmd, "import") == 0)
		return cmd_import(argc - optind, argv + optind);
	if (n_socks > 1 || dry_run)
		return run_boxes(n_socks ? (const char *const *)socks : &sock,
				 n_socks ? n_socks : 1, raw, dry_run, argc - optind, argv + optind);
	if (strcmp(cmd, "metrics") == 0 && argc - optind <= 2)
		return cmd_metrics(sock, argc - optind, argv + optind);
	if (strcmp(cmd, "export") == 0)
		return cmd_export(sock, raw, argc - optind, argv + optind);
	return run_socket_command(sock, raw, argc - optind, argv + optind);
}
