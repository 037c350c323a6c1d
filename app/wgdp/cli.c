/* SPDX-License-Identifier: MIT */
/*
 * testpmd-style commands (docs/cli.md). Each one is a control-socket request underneath, so
 * the CLI, wgdpctl and scripts see the same answers; the text comes from lib/ctl/format.
 * rte_cmdline reads the terminal, or a pipe: `printf 'show peers\nquit\n' | wgdp -i ...`.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "cli.h"
#include "ctl/format.h"
#include "config/secret_file.h"
#include "dp/admin.h"

/* A peer list as large as a control request may be (docs/cli.md). */
#define CLI_MAX_FILE (64u << 20)

struct wgdp_cli {
	struct cmdline *cl;
	pthread_t thread;
	struct dp_admin *adm;
	volatile bool *quit;
	bool running;
};

static struct wgdp_cli *the_cli;

/* Sends a request, prints an error the way the control socket words it; NULL on error. */
static json_t *request(struct cmdline *cl, json_t *req)
{
	json_t *ans = dp_admin_request(the_cli->adm, req);
	json_t *path = json_object_get(ans, "path");

	json_decref(req);
	if (json_is_true(json_object_get(ans, "ok")))
		return ans;
	cmdline_printf(cl, "error: %s%s%s\n", path ? json_string_value(path) : "",
		       path ? ": " : "", json_string_value(json_object_get(ans, "error")));
	json_decref(ans);
	return NULL;
}

static void print_text(struct cmdline *cl, char *text)
{
	if (text)
		cmdline_printf(cl, "%s", text);
	free(text);
}

static void print_applied(struct cmdline *cl, json_t *ans)
{
	if (!ans)
		return;
	if (json_object_get(ans, "interfaces_added"))
		cmdline_printf(cl, "interfaces: %lld added, %lld removed\n",
			       json_integer_value(json_object_get(ans, "interfaces_added")),
			       json_integer_value(json_object_get(ans, "interfaces_removed")));
	cmdline_printf(cl, "applied: %lld added, %lld removed, %lld changed; %lld peers\n",
		       json_integer_value(json_object_get(ans, "added")),
		       json_integer_value(json_object_get(ans, "removed")),
		       json_integer_value(json_object_get(ans, "changed")),
		       json_integer_value(json_object_get(ans, "peers")));
	json_decref(ans);
}

/* Tokens: one struct for every command, fields named by position. */
struct words {
	cmdline_fixed_string_t w0, w1, w2, w3;
	cmdline_multi_string_t rest;
};

#define WORD(field, choices) TOKEN_STRING_INITIALIZER(struct words, field, choices)

static cmdline_parse_token_string_t t_show = WORD(w0, "show");
static cmdline_parse_token_string_t t_peers = WORD(w1, "peers");
static cmdline_parse_token_string_t t_peer1 = WORD(w1, "peer");
static cmdline_parse_token_string_t t_key2 = WORD(w2, NULL);
static cmdline_parse_token_string_t t_key3 = WORD(w3, NULL);
static cmdline_parse_token_string_t t_stats1 = WORD(w1, "stats");
static cmdline_parse_token_string_t t_port1 = WORD(w1, "port");
static cmdline_parse_token_string_t t_stats2 = WORD(w2, "stats");
static cmdline_parse_token_string_t t_all3 = WORD(w3, "all");
static cmdline_parse_token_string_t t_lcores = WORD(w1, "lcores");
static cmdline_parse_token_string_t t_clear = WORD(w0, "clear");
static cmdline_parse_token_string_t t_reload = WORD(w0, "reload");
static cmdline_parse_token_string_t t_file1 = WORD(w1, NULL);
static cmdline_parse_token_string_t t_peer0 = WORD(w0, "peer");
static cmdline_parse_token_string_t t_add = WORD(w1, "add");
static cmdline_parse_token_string_t t_remove = WORD(w1, "remove");
static cmdline_parse_token_string_t t_rest = TOKEN_STRING_INITIALIZER(struct words, rest,
								       TOKEN_STRING_MULTI);
static cmdline_parse_token_string_t t_set = WORD(w0, "set");
static cmdline_parse_token_string_t t_loglevel = WORD(w1, "log-level");
static cmdline_parse_token_string_t t_peers1set = WORD(w1, "peers");
static cmdline_parse_token_string_t t_health = WORD(w1, "health");
static cmdline_parse_token_string_t t_type2 = WORD(w2, NULL);
static cmdline_parse_token_string_t t_level3 = WORD(w3, NULL);
static cmdline_parse_token_string_t t_help = WORD(w0, "help");
static cmdline_parse_token_string_t t_quit = WORD(w0, "quit");

static uint64_t now_unix(void)
{
	return (uint64_t)time(NULL);
}

/* show's request, of interface iface (NULL: the only one). */
static json_t *show_request(const char *iface)
{
	return iface ? json_pack("{s:s,s:s}", "cmd", "show", "interface", iface)
		     : json_pack("{s:s}", "cmd", "show");
}

static void show_peers(struct cmdline *cl, const char *iface)
{
	json_t *ans = request(cl, show_request(iface));

	if (ans)
		print_text(cl, ctl_format_show(ans, now_unix()));
	json_decref(ans);
}

static void show_peer(struct cmdline *cl, const char *iface, const char *key)
{
	json_t *ans = request(cl, show_request(iface));
	char *text;

	if (!ans)
		return;
	text = ctl_format_peer(ans, key, now_unix());
	if (!text)
		cmdline_printf(cl, "error: no peer %s\n", key);
	print_text(cl, text);
	json_decref(ans);
}

static void do_show_peers(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	show_peers(cl, NULL);
}

static void do_show_peers_of(void *parsed, struct cmdline *cl, void *data)
{
	(void)data;
	show_peers(cl, ((struct words *)parsed)->w2);
}

static void do_show_peer(void *parsed, struct cmdline *cl, void *data)
{
	(void)data;
	show_peer(cl, NULL, ((struct words *)parsed)->w2);
}

static void do_show_peer_of(void *parsed, struct cmdline *cl, void *data)
{
	struct words *w = parsed;

	(void)data;
	show_peer(cl, w->w2, w->w3);
}

static void show_stats_as(struct cmdline *cl, char *(*fmt)(json_t *))
{
	json_t *ans = request(cl, json_pack("{s:s}", "cmd", "stats"));

	if (ans)
		print_text(cl, fmt(ans));
	json_decref(ans);
}

static void do_show_stats(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	show_stats_as(cl, ctl_format_stats);
}

static void do_show_port_stats(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	show_stats_as(cl, ctl_format_port_stats);
}

static void do_show_lcores(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	show_stats_as(cl, ctl_format_lcores);
}

static void do_clear_stats(void *parsed, struct cmdline *cl, void *data)
{
	json_t *ans = request(cl, json_pack("{s:s}", "cmd", "clear-stats"));

	(void)parsed;
	(void)data;
	if (ans)
		cmdline_printf(cl, "statistics cleared\n");
	json_decref(ans);
}

static void do_reload(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	print_applied(cl, request(cl, json_pack("{s:s}", "cmd", "reload")));
}

static void do_reload_file(void *parsed, struct cmdline *cl, void *data)
{
	struct words *w = parsed;

	(void)data;
	print_applied(cl, request(cl, json_pack("{s:s,s:s}", "cmd", "reload", "path", w->w1)));
}

/* `set peers <file> [iface]`: the interface's peers become the file's (docs/scale-out.md). */
static void set_peers(struct cmdline *cl, const char *path, const char *iface)
{
	char why[256];
	json_t *peers = wgdp_peer_list_load(path, CLI_MAX_FILE, why, sizeof(why)), *req;

	if (!peers) {
		cmdline_printf(cl, "error: %s: %s\n", path, why);
		return;
	}
	req = json_pack("{s:s,s:o}", "cmd", "set-peers", "peers", peers);
	if (iface)
		json_object_set_new(req, "interface", json_string(iface));
	print_applied(cl, request(cl, req));
}

static void do_set_peers(void *parsed, struct cmdline *cl, void *data)
{
	struct words *w = parsed;

	(void)data;
	set_peers(cl, w->w2, NULL);
}

static void do_set_peers_of(void *parsed, struct cmdline *cl, void *data)
{
	struct words *w = parsed;

	(void)data;
	set_peers(cl, w->w2, w->w3);
}

static void do_show_health(void *parsed, struct cmdline *cl, void *data)
{
	json_t *ans = request(cl, json_pack("{s:s}", "cmd", "health"));

	(void)parsed;
	(void)data;
	if (ans)
		print_text(cl, ctl_format_health(ans));
	json_decref(ans);
}

/* "allowed-ips a,b endpoint x persistent-keepalive n preshared-key k" → a peer object;
 * "interface i" goes into the request. */
static bool peer_options(struct cmdline *cl, char *rest, json_t *peer, json_t *req)
{
	char *save = NULL;

	for (char *opt = strtok_r(rest, " \t", &save); opt; opt = strtok_r(NULL, " \t", &save)) {
		char *val = strtok_r(NULL, " \t", &save);

		if (!val) {
			cmdline_printf(cl, "error: %s needs a value\n", opt);
			return false;
		}
		if (strcmp(opt, "allowed-ips") == 0) {
			json_t *list = json_array();
			char *s2 = NULL;

			for (char *a = strtok_r(val, ",", &s2); a; a = strtok_r(NULL, ",", &s2))
				json_array_append_new(list, json_string(a));
			json_object_set_new(peer, "allowed_ips", list);
		} else if (strcmp(opt, "endpoint") == 0) {
			json_object_set_new(peer, "endpoint", json_string(val));
		} else if (strcmp(opt, "persistent-keepalive") == 0) {
			json_object_set_new(peer, "persistent_keepalive",
					    json_integer(strtol(val, NULL, 10)));
		} else if (strcmp(opt, "preshared-key") == 0) {
			json_object_set_new(peer, "preshared_key", json_string(val));
		} else if (strcmp(opt, "name") == 0) {
			json_object_set_new(peer, "name", json_string(val));
		} else if (strcmp(opt, "interface") == 0) {
			json_object_set_new(req, "interface", json_string(val));
		} else {
			cmdline_printf(cl, "error: unknown option %s (allowed-ips, endpoint, "
					   "persistent-keepalive, preshared-key, name, interface)\n",
				       opt);
			return false;
		}
	}
	return true;
}

static void peer_add(struct cmdline *cl, const char *key, char *rest)
{
	json_t *peer = json_pack("{s:s}", "public_key", key);
	json_t *req = json_pack("{s:s}", "cmd", "peer-add");

	if (rest && !peer_options(cl, rest, peer, req)) {
		json_decref(peer);
		json_decref(req);
		return;
	}
	json_object_set_new(req, "peer", peer);
	print_applied(cl, request(cl, req));
}

static void do_peer_add(void *parsed, struct cmdline *cl, void *data)
{
	struct words *w = parsed;

	(void)data;
	peer_add(cl, w->w2, NULL);
}

static void do_peer_add_opts(void *parsed, struct cmdline *cl, void *data)
{
	struct words *w = parsed;

	(void)data;
	peer_add(cl, w->w2, w->rest);
}

static void do_peer_remove(void *parsed, struct cmdline *cl, void *data)
{
	struct words *w = parsed;

	(void)data;
	print_applied(cl, request(cl, json_pack("{s:s,s:s}", "cmd", "peer-remove", "public_key",
						 w->w2)));
}

static void do_peer_remove_of(void *parsed, struct cmdline *cl, void *data)
{
	struct words *w = parsed;

	(void)data;
	print_applied(cl, request(cl, json_pack("{s:s,s:s,s:s}", "cmd", "peer-remove",
						 "public_key", w->w2, "interface", w->w3)));
}

static void do_set_log_level(void *parsed, struct cmdline *cl, void *data)
{
	struct words *w = parsed;
	json_t *ans = request(cl, json_pack("{s:s,s:s,s:s}", "cmd", "set-log-level", "type",
					    w->w2, "level", w->w3));

	(void)data;
	if (ans)
		cmdline_printf(cl, "log level of %s set to %s\n", w->w2, w->w3);
	json_decref(ans);
}

static void do_help(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	cmdline_printf(
		cl,
		"show peers [iface]              every peer (of iface), as wg show prints them\n"
		"show peer [iface] <pubkey>      one peer\n"
		"show stats                      handshakes, workers, drops by reason\n"
		"show port stats all             NIC counters per port (testpmd layout)\n"
		"show lcores                     the control lcore and the workers' queues\n"
		"show health                     serving, or draining (SIGTERM with --drain-ms)\n"
		"clear stats                     counters start again from zero\n"
		"reload [file]                   apply the config file (or the -c file) whole\n"
		"peer add <pubkey> [allowed-ips <a,b>] [endpoint <ip:port>]\n"
		"         [persistent-keepalive <s>] [preshared-key <b64>] [name <name>]\n"
		"         [interface <iface>]\n"
		"peer remove <pubkey> [iface]\n"
		"set peers <file> [iface]        the peers become the file's (a list, or a\n"
		"                                config's \"peers\"); the others stay as they are\n"
		"set log-level <type> <level>    e.g. set log-level wgdp.handshake debug\n"
		"help, quit                      (Tab completes, ? lists what fits)\n");
}

static void do_quit(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	cmdline_quit(cl);
}

#define INST(name, fn, help, ...)                                                          \
	static cmdline_parse_inst_t name = {                                               \
		.f = fn,                                                                   \
		.data = NULL,                                                              \
		.help_str = help,                                                          \
		.tokens = { __VA_ARGS__, NULL },                                           \
	}

INST(c_show_peers, do_show_peers, "show peers: every peer", (void *)&t_show, (void *)&t_peers);
INST(c_show_peer, do_show_peer, "show peer <pubkey>: one peer", (void *)&t_show, (void *)&t_peer1, (void *)&t_key2);
INST(c_show_peers_of, do_show_peers_of, "show peers <iface>: an interface's peers", (void *)&t_show,
     (void *)&t_peers, (void *)&t_key2);
INST(c_show_peer_of, do_show_peer_of, "show peer <iface> <pubkey>: one peer of an interface",
     (void *)&t_show, (void *)&t_peer1, (void *)&t_key2, (void *)&t_key3);
INST(c_show_stats, do_show_stats, "show stats: counters", (void *)&t_show, (void *)&t_stats1);
INST(c_show_port_stats, do_show_port_stats, "show port stats all: NIC counters", (void *)&t_show,
     (void *)&t_port1, (void *)&t_stats2, (void *)&t_all3);
INST(c_show_lcores, do_show_lcores, "show lcores: lcores and queues", (void *)&t_show, (void *)&t_lcores);
INST(c_clear_stats, do_clear_stats, "clear stats: zero the counters", (void *)&t_clear, (void *)&t_stats1);
INST(c_reload, do_reload, "reload: apply the -c config file", (void *)&t_reload);
INST(c_reload_file, do_reload_file, "reload <file>: apply a config file", (void *)&t_reload, (void *)&t_file1);
INST(c_peer_add, do_peer_add, "peer add <pubkey>", (void *)&t_peer0, (void *)&t_add, (void *)&t_key2);
INST(c_peer_add_opts, do_peer_add_opts,
     "peer add <pubkey> [allowed-ips <list>] [endpoint <ip:port>] [persistent-keepalive <s>] "
     "[preshared-key <b64>] [name <name>]",
     (void *)&t_peer0, (void *)&t_add, (void *)&t_key2, (void *)&t_rest);
INST(c_peer_remove, do_peer_remove, "peer remove <pubkey>", (void *)&t_peer0, (void *)&t_remove, (void *)&t_key2);
INST(c_peer_remove_of, do_peer_remove_of, "peer remove <pubkey> <iface>", (void *)&t_peer0,
     (void *)&t_remove, (void *)&t_key2, (void *)&t_key3);
INST(c_set_log_level, do_set_log_level, "set log-level <type> <level>", (void *)&t_set, (void *)&t_loglevel,
     (void *)&t_type2, (void *)&t_level3);
INST(c_set_peers, do_set_peers, "set peers <file>: the peers become the file's", (void *)&t_set,
     (void *)&t_peers1set, (void *)&t_type2);
INST(c_set_peers_of, do_set_peers_of, "set peers <file> <iface>: an interface's peers",
     (void *)&t_set, (void *)&t_peers1set, (void *)&t_type2, (void *)&t_level3);
INST(c_show_health, do_show_health, "show health: serving or draining", (void *)&t_show,
     (void *)&t_health);
INST(c_help, do_help, "help: the commands", (void *)&t_help);
INST(c_quit, do_quit, "quit: stop wgdp", (void *)&t_quit);

static cmdline_parse_ctx_t commands[] = {
	&c_show_peers,	 &c_show_peer,	    &c_show_peers_of,
	&c_show_peer_of, &c_show_stats,	    &c_show_port_stats,
	&c_show_lcores,	 &c_clear_stats,    &c_reload,
	&c_reload_file,	 &c_peer_add,	    &c_peer_add_opts,
	&c_peer_remove,	 &c_peer_remove_of, &c_set_log_level,
	&c_set_peers,	 &c_set_peers_of,   &c_show_health,
	&c_help,	 &c_quit,	    NULL,
};

static void *cli_main(void *arg)
{
	struct wgdp_cli *cli = arg;

	cmdline_interact(cli->cl);
	/* quit, or the end of a piped script: either way wgdp stops, as testpmd does. */
	cmdline_printf(cli->cl, "\n");
	__atomic_store_n(cli->quit, true, __ATOMIC_RELAXED);
	__atomic_store_n(&cli->running, false, __ATOMIC_RELEASE);
	return NULL;
}

struct wgdp_cli *wgdp_cli_start(struct dp_admin *adm, volatile bool *quit)
{
	struct wgdp_cli *cli = calloc(1, sizeof(*cli));

	if (!cli)
		return NULL;
	cli->adm = adm;
	cli->quit = quit;
	cli->cl = cmdline_stdin_new(commands, "wgdp> ");
	if (!cli->cl) {
		free(cli);
		return NULL;
	}
	the_cli = cli;
	cli->running = true;
	if (pthread_create(&cli->thread, NULL, cli_main, cli) != 0) {
		cmdline_stdin_exit(cli->cl);
		free(cli);
		return NULL;
	}
	return cli;
}

void wgdp_cli_stop(struct wgdp_cli *cli)
{
	if (!cli)
		return;
	/* A signal stopped wgdp while the prompt waits in read(): cancel it there. */
	if (__atomic_load_n(&cli->running, __ATOMIC_ACQUIRE))
		pthread_cancel(cli->thread);
	pthread_join(cli->thread, NULL);
	cmdline_stdin_exit(cli->cl);
	the_cli = NULL;
	free(cli);
}
