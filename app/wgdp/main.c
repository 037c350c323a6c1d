/* SPDX-License-Identifier: MIT */
/*
 * wgdp: the WireGuard concentrator. `wgdp [EAL options] -- -c CONFIG`.
 *
 * This file only wires things together: the command line, the config, the EAL, the data
 * plane (lib/dp), the lcores and systemd's readiness protocol (sd_notify). Exit status: 0
 * after SIGINT/SIGTERM, 1 for an invalid config (stderr names the JSON path), 2 for a usage
 * error.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "config.h"
#include "secret_alloc.h"
#include "crypto/ct.h"
#include "crypto/keys.h"
#include "ctl/server.h"
#include "dp/admin.h"
#include "dp/dp.h"
#include "dp/drain.h"
#include "dp/hs_engine.h"
#include "dp/log.h"
#include "cli.h"

#define PROG "wgdp"

enum { EXIT_CONFIG = 1, EXIT_USAGE = 2 };

struct options {
	const char *config_path;
	const char *socket_path;
	bool interactive;
	unsigned int handshake_lcores; /* K: the control lcore and K-1 more */
	unsigned int drain_ms;	       /* SIGTERM: serve this long as "draining" first */
};

static struct dp_ctx *running;
static unsigned int drain_ms;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " [EAL options] -- -c FILE [options]\n"
		"\n"
		"  -c, --config FILE   JSON config (required; see docs/config.md)\n"
		"  -i, --interactive   testpmd-style prompt (wgdp> ) on the terminal; see "
		"docs/cli.md\n"
		"  -s, --socket PATH   control socket (overrides control.socket)\n"
		"  --handshake-lcores K  handshakes on K lcores: the control lcore and the last\n"
		"                      K-1 EAL lcores (default 1; docs/config.md)\n"
		"  --drain-ms MS       on SIGTERM, say \"draining\" (health) and serve MS more\n"
		"                      milliseconds before stopping (docs/scale-out.md)\n"
		"  -h, --help          this text\n"
		"  --version           print wgdp's version and exit\n"
		"\n"
		"EAL options are DPDK's, e.g. -l 0-2 --no-huge --no-shconf -m 512\n"
		"  --vdev=net_af_packet0,iface=eth1  (ports are numbered in probe order).\n"
		"With one lcore, it runs the control plane and the data plane on it; with N, the\n"
		"main lcore is the control lcore and the others are workers.\n"
		"Exit status: 0 after SIGINT, SIGTERM or quit, 1 for an invalid config, 2 for a "
		"usage error.\n");
}

/*
 * Splits argv at "--": EAL options before it, ours after. Without "--" every argument is
 * ours and the EAL runs on its defaults, so `wgdp -h` and `wgdp -c FILE` work as they read.
 * app_argv gets argv[0] in front so that getopt sees a normal vector.
 */
static int split_args(int argc, char **argv, int *eal_argc, char **app_argv)
{
	int split = argc, n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			split = i;
			break;
		}
	}
	app_argv[n++] = argv[0];
	if (split == argc) {
		*eal_argc = 1;
		for (int i = 1; i < argc; i++)
			app_argv[n++] = argv[i];
	} else {
		*eal_argc = split;
		for (int i = split + 1; i < argc; i++)
			app_argv[n++] = argv[i];
	}
	app_argv[n] = NULL;
	return n;
}

/* --drain-ms: up to 10 minutes, past which a service manager gives up waiting anyway. */
static int parse_drain_ms(const char *arg, unsigned int *ms)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*arg < '0' || *arg > '9' || *end || v > 600000) {
		fprintf(stderr, PROG ": --drain-ms: 0 to 600000 milliseconds\n");
		return -1;
	}
	*ms = (unsigned int)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "socket", required_argument, NULL, 's' },
		{ "handshake-lcores", required_argument, NULL, 'K' },
		{ "drain-ms", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:is:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'i':
			o->interactive = true;
			break;
		case 's':
			o->socket_path = optarg;
			break;
		case 'K': {
			char *end;
			unsigned long k = strtoul(optarg, &end, 10);

			if (*optarg < '0' || *optarg > '9' || *end || k < 1 ||
			    k > DP_MAX_HS_ENGINES) {
				fprintf(stderr, PROG ": --handshake-lcores: 1 to %u\n",
					DP_MAX_HS_ENGINES);
				return -1;
			}
			o->handshake_lcores = (unsigned int)k;
			break;
		}
		case 'D':
			if (parse_drain_ms(optarg, &o->drain_ms) != 0)
				return -1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf(PROG " " WGDP_VERSION "\n");
			return 1;
		default:
			fprintf(stderr, PROG ": unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->config_path) {
		fprintf(stderr, PROG ": -c FILE is required\n");
		return -1;
	}
	return 0;
}

/* The control socket's lines: decode, ask the admin, encode. */
static char *json_line(void *ctx, const char *line, size_t len)
{
	return dp_admin_json_line(ctx, line, len);
}

static char *uapi_request(void *ctx, const char *ifname, const char *req, size_t len,
			  size_t *reply_len)
{
	return dp_admin_uapi(ctx, ifname, req, len, reply_len);
}

static void server_log(void *ctx, const char *msg)
{
	(void)ctx;
	DP_LOG(WARNING, ctl, "%s", msg);
}

static const struct ctl_server_ops server_ops = {
	.json_line = json_line,
	.uapi = uapi_request,
	.log = server_log,
};

/*
 * A UAPI socket an interface, the control socket, its clients and DPDK's own: 1,000
 * interfaces pass the usual soft limit of 1024 files. Raised for as many interfaces as a
 * reload may add (WGDP_MAX_IFACES), as far as the hard limit goes, and said clearly when even
 * the interfaces of the config do not fit.
 */
static bool enough_files(const struct wgdp_config *cfg)
{
	rlim_t want = (cfg->uapi ? cfg->n_ifaces : 0) + CTL_MAX_CLIENTS + 256;
	rlim_t most = (cfg->uapi ? WGDP_MAX_IFACES : 0) + CTL_MAX_CLIENTS + 256;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= most)
		return true;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > most ? most : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= want)
		return true;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= want)
		return true;
	fprintf(stderr,
		PROG ": %u interfaces with control.uapi need %llu open files; the limit "
		     "is %llu (ulimit -n, LimitNOFILE=)\n",
		cfg->n_ifaces, (unsigned long long)want, (unsigned long long)rl.rlim_cur);
	return false;
}

static void uapi_sockets_free(struct ctl_uapi_socket *uapi, unsigned int n)
{
	for (unsigned int k = 0; uapi && k < n; k++)
		free((char *)uapi[k].path);
	free(uapi);
}

/* One UAPI socket an interface, named after it: `wg show wg-a` asks interface wg-a. NULL when
 * out of memory; *n is 0 without control.uapi. */
static struct ctl_uapi_socket *uapi_sockets(const struct wgdp_config *cfg, unsigned int *n)
{
	struct ctl_uapi_socket *uapi;

	*n = cfg->uapi ? cfg->n_ifaces : 0;
	uapi = calloc(*n ? *n : 1, sizeof(*uapi));
	for (unsigned int k = 0; uapi && k < *n; k++) {
		char *path;

		if (asprintf(&path, "/var/run/wireguard/%s.sock", cfg->ifaces[k].name) < 0) {
			uapi_sockets_free(uapi, k);
			return NULL;
		}
		uapi[k] = (struct ctl_uapi_socket){ .path = path, .ifname = cfg->ifaces[k].name };
	}
	return uapi;
}

/* A reload added or removed interfaces: their sockets follow (the server's thread opens and
 * closes them before its next poll). */
static void uapi_follow(void *arg, const struct wgdp_config *running_cfg)
{
	unsigned int n;
	struct ctl_uapi_socket *uapi = uapi_sockets(running_cfg, &n);

	if (!uapi || ctl_server_set_uapi(arg, uapi, n) != 0)
		DP_LOG(WARNING, ctl, "out of memory: the UAPI sockets stay as they were");
	uapi_sockets_free(uapi, n);
}

/* control.metrics_listen, NULL without. */
static const struct wgdp_endpoint *metrics_at(const struct wgdp_config *cfg)
{
	return cfg->has_metrics_listen ? &cfg->metrics_listen : NULL;
}

/* A reload's new metrics address is bound before the reload commits: one in use fails it
 * whole. */
static bool metrics_check(void *arg, const struct wgdp_config *next, bool dry_run,
			  struct wgdp_config_error *err)
{
	char *msg = err->message;

	if (ctl_server_prepare_metrics(arg, metrics_at(next), !dry_run, msg,
				       sizeof(err->message)) == 0)
		return true;
	snprintf(err->path, sizeof(err->path), "control.metrics_listen");
	return false;
}

/* After every apply, and once at start: the UAPI sockets follow the interfaces, the metrics
 * endpoint its address and cap. */
static void control_follow(void *arg, const struct wgdp_config *running_cfg)
{
	if (running_cfg->uapi)
		uapi_follow(arg, running_cfg);
	ctl_server_set_metrics(arg, metrics_at(running_cfg), running_cfg->metrics_max_peers);
}

static struct ctl_server *start_control(struct dp_admin *adm, const struct wgdp_config *cfg,
					const struct options *o)
{
	char err[256] = "out of memory";
	struct ctl_server *srv = NULL;
	struct ctl_uapi_socket *uapi;
	unsigned int n_uapi;

	if (!enough_files(cfg))
		return NULL;
	uapi = uapi_sockets(cfg, &n_uapi);
	if (uapi)
		srv = ctl_server_start(o->socket_path ? o->socket_path : cfg->socket_path, uapi,
				       n_uapi, &server_ops, adm, err, sizeof(err));
	if (!srv) {
		fprintf(stderr, PROG ": control socket: %s\n", err);
	} else if (ctl_server_prepare_metrics(srv, metrics_at(cfg), true, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s: control.metrics_listen: %s\n", o->config_path, err);
		ctl_server_stop(srv);
		srv = NULL;
	} else {
		dp_admin_set_check_hook(adm, metrics_check, srv);
		dp_admin_set_ifaces_hook(adm, control_follow, srv); /* and once now (see admin.h) */
	}
	uapi_sockets_free(uapi, n_uapi);
	return srv;
}

static void on_signal(int sig)
{
	if (!running)
		return;
	/* A drain keeps serving while the routers move the flows away; a second SIGTERM, or
	 * SIGINT, stops at once. */
	if (sig == SIGTERM && drain_ms && dp_drain_begin(running, drain_ms))
		return;
	__atomic_store_n(&running->quit, true, __ATOMIC_RELAXED);
}

/*
 * Worker lcores: every EAL lcore but the main one and the last n_hs, which are handshake
 * lcores (hs_lcores); with none left, the main one.
 */
static int assign_lcores(unsigned int n_hs, unsigned int *lcores, unsigned int *n_workers,
			 unsigned int *hs_lcores, bool *control_is_worker)
{
	unsigned int n = 0, id;

	RTE_LCORE_FOREACH_WORKER(id)
		lcores[n++] = id;
	if (n_hs > n) {
		fprintf(stderr,
			PROG ": --handshake-lcores %u needs %u EAL lcores besides the main one\n",
			n_hs + 1, n_hs);
		return -1;
	}
	n -= n_hs;
	memcpy(hs_lcores, lcores + n, n_hs * sizeof(*hs_lcores));
	*control_is_worker = n == 0;
	if (n == 0)
		lcores[n++] = rte_get_main_lcore();
	*n_workers = n;
	return 0;
}

static void run(struct dp_ctx *dp)
{
	for (unsigned int i = 1; i < dp->n_engines; i++)
		rte_eal_remote_launch(dp_hs_engine_main, &dp->engines[i], dp->engines[i].lcore_id);
	if (dp->control_is_worker) {
		struct dp_worker *w = &dp->workers[0];

		rte_rcu_qsbr_thread_register(dp->rcu, 0);
		rte_rcu_qsbr_thread_online(dp->rcu, 0);
		while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED))
			dp_shared_lcore_poll(dp, w);
		rte_rcu_qsbr_thread_offline(dp->rcu, 0);
		rte_rcu_qsbr_thread_unregister(dp->rcu, 0);
		rte_eal_mp_wait_lcore();
		return;
	}
	for (unsigned int i = 0; i < dp->n_workers; i++)
		rte_eal_remote_launch(dp_worker_main, &dp->workers[i], dp->workers[i].lcore_id);
	while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED))
		dp_control_poll(dp);
	rte_eal_mp_wait_lcore();
}

static void announce(const struct dp_ctx *dp)
{
	char pub[WGC_KEY_B64_LEN + 1];

	for (unsigned int i = 0; i < dp->n_tenants; i++) {
		const struct dp_tenant *t = dp->tenants[i];

		wgc_key_to_base64(pub, t->identity.public_key);
		DP_LOG(INFO, config, "interface %s: public key %s, listening on UDP %u, %u peers",
		       t->name, pub, t->listen_port, t->n_live_peers);
	}
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		const struct dp_port *p = &dp->ports[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		rte_ether_format_addr(mac, sizeof(mac), &p->iface.mac);
		DP_LOG(INFO, config, "port %u (%s%s): %s, %u RX queues", p->port_id,
		       p->outside ? "outside" : "", p->inside ? (p->outside ? "+inside" : "inside") : "",
		       mac, p->n_queues);
	}
	DP_LOG(INFO, config, "%u worker lcore(s)%s, handshakes on %u lcore(s)", dp->n_workers,
	       dp->control_is_worker ? ", sharing the main lcore with the control plane" : "",
	       dp->n_engines);
	fprintf(stderr, PROG ": ready\n");
	/* Under systemd (Type=notify) the unit becomes active here: the ports are up and the
	 * control socket listens, so `systemctl start` returning means wgdpctl works. Without
	 * NOTIFY_SOCKET this does nothing. */
	sd_notifyf(0, "READY=1\nSTATUS=%u interface(s), %u port(s), %u worker lcore(s)",
		   dp->n_tenants, dp->n_ports, dp->n_workers);
}

int main(int argc, char **argv)
{
	struct options opts = { .handshake_lcores = 1 };
	struct wgdp_config_error cerr;
	struct wgdp_config *cfg;
	unsigned int lcores[RTE_MAX_LCORE], hs_lcores[DP_MAX_HS_ENGINES], n_workers;
	bool control_is_worker;
	struct dp_admin *adm;
	struct ctl_server *srv;
	struct wgdp_cli *cli = NULL;
	struct dp_ctx *dp;
	char err[256];
	char **app_argv = calloc((size_t)argc + 1, sizeof(char *));
	int eal_argc, app_argc, rc = 0;

	/* Before any JSON: configs and control requests carry keys through jansson's buffers. */
	wgdp_json_wipe_on_free();
	if (!app_argv)
		return EXIT_USAGE;
	app_argc = split_args(argc, argv, &eal_argc, app_argv);
	rc = parse_options(app_argc, app_argv, &opts);
	free(app_argv);
	if (rc == 1)
		return 0;
	if (rc != 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cfg = wgdp_config_load(opts.config_path, &cerr);
	if (cfg && !wgdp_config_check_interfaces(cfg, &cerr)) {
		wgdp_config_free(cfg);
		cfg = NULL;
	}
	if (!cfg) {
		fprintf(stderr, PROG ": %s: %s%s%s\n", opts.config_path, cerr.path,
			cerr.path[0] ? ": " : "", cerr.message);
		return EXIT_CONFIG;
	}
	if (wgc_init() != 0 || rte_eal_init(eal_argc, argv) < 0) {
		fprintf(stderr, PROG ": EAL initialisation failed (see above)\n");
		wgdp_config_free(cfg);
		return EXIT_USAGE;
	}
	dp_log_init();
	if (assign_lcores(opts.handshake_lcores - 1, lcores, &n_workers, hs_lcores,
			  &control_is_worker) != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	dp = dp_create_hs(cfg, n_workers, lcores, opts.handshake_lcores - 1, hs_lcores, err,
			  sizeof(err));
	if (dp) {
		dp->control_is_worker = control_is_worker;
		if (dp_ports_init(dp, err, sizeof(err)) != 0) {
			dp_ports_stop(dp);
			dp_free(dp);
			dp = NULL;
		}
	}
	if (!dp) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = EXIT_CONFIG;
		goto out;
	}
	adm = dp_admin_create(dp, cfg, opts.config_path);
	srv = adm ? start_control(adm, cfg, &opts) : NULL;
	if (!srv) {
		dp_admin_free(adm);
		dp_ports_stop(dp);
		dp_free(dp);
		rc = EXIT_CONFIG;
		goto out;
	}
	dp_admin_telemetry_register(adm);
	running = dp;
	drain_ms = opts.drain_ms;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	__atomic_store_n(&dp->running, true, __ATOMIC_RELEASE);
	announce(dp);
	if (opts.interactive)
		cli = wgdp_cli_start(adm, &dp->quit);
	run(dp);
	DP_LOG(INFO, config, "stopping");
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	/* The control thread may wait on the mailbox: it sees quit and gives up. A reload from
	 * the CLI meanwhile leaves the sockets alone. */
	dp_admin_set_ifaces_hook(adm, NULL, NULL);
	dp_admin_set_check_hook(adm, NULL, NULL);
	ctl_server_stop(srv);
	wgdp_cli_stop(cli);
	dp_admin_telemetry_unregister();
	__atomic_store_n(&dp->running, false, __ATOMIC_RELEASE);
	dp_ports_stop(dp);
	running = NULL;
	dp_admin_free(adm);
	dp_free(dp);
out:
	wgdp_config_free(cfg);
	rte_eal_cleanup();
	return rc;
}
