/* SPDX-License-Identifier: MIT */
#include "log.h"

int dp_log_handshake = RTE_LOGTYPE_USER1;
int dp_log_dataplane = RTE_LOGTYPE_USER1;
int dp_log_config = RTE_LOGTYPE_USER1;
int dp_log_ctl = RTE_LOGTYPE_USER1;

static int reg(const char *name)
{
	int t = rte_log_register_type_and_pick_level(name, RTE_LOG_INFO);

	return t < 0 ? RTE_LOGTYPE_USER1 : t;
}

void dp_log_init(void)
{
	dp_log_handshake = reg("wgdp.handshake");
	dp_log_dataplane = reg("wgdp.dataplane");
	dp_log_config = reg("wgdp.config");
	dp_log_ctl = reg("wgdp.ctl");
}
