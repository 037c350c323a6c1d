/* SPDX-License-Identifier: MIT */
/* rte_log types of the concentrator: wgdp.handshake, wgdp.dataplane, wgdp.config, wgdp.ctl. */
#ifndef WGDP_DP_LOG_H
#define WGDP_DP_LOG_H

#include <rte_log.h>

extern int dp_log_handshake;
extern int dp_log_dataplane;
extern int dp_log_config;
extern int dp_log_ctl;

/* Registers the types (INFO by default); call once after rte_eal_init. */
void dp_log_init(void);

#define DP_LOG(level, type, fmt, ...) \
	rte_log(RTE_LOG_##level, dp_log_##type, "wgdp." #type ": " fmt "\n", ##__VA_ARGS__)

#endif
