/* SPDX-License-Identifier: MIT */
/* The interactive CLI (`wgdp -i`): rte_cmdline on the terminal, in a thread of its own. */
#ifndef WGDP_APP_CLI_H
#define WGDP_APP_CLI_H

#include <stdbool.h>

struct dp_admin;
struct wgdp_cli;

/* Starts the prompt; `quit` or the end of input sets *quit. NULL if it could not start. */
struct wgdp_cli *wgdp_cli_start(struct dp_admin *adm, volatile bool *quit);

/* Stops the prompt (if still running) and restores the terminal. NULL is fine. */
void wgdp_cli_stop(struct wgdp_cli *cli);

#endif
