/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "probe.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n sorted values, in microseconds. */
static double percentile_us(const uint64_t *sorted, unsigned int n, double pct)
{
	unsigned int rank;

	if (n == 0)
		return 0;
	rank = (unsigned int)(pct / 100.0 * n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)sorted[rank - 1] / 1000.0;
}

void probe_report(FILE *out, const struct probe_opts *o, uint64_t *rtt_ns, unsigned int sent,
		  unsigned int completed, unsigned int cookies, unsigned int failed, int ping_rc)
{
	const char *ping = ping_rc < 0 ? "none" : ping_rc ? "ok" : "fail";
	double p50, p90, p99, max, min;

	qsort(rtt_ns, completed, sizeof(*rtt_ns), cmp_u64);
	p50 = percentile_us(rtt_ns, completed, 50);
	p90 = percentile_us(rtt_ns, completed, 90);
	p99 = percentile_us(rtt_ns, completed, 99);
	max = percentile_us(rtt_ns, completed, 100);
	min = completed ? (double)rtt_ns[0] / 1000.0 : 0;
	if (o->json) {
		fprintf(out,
			"{\"endpoint\":\"%s\",\"sent\":%u,\"completed\":%u,\"failed\":%u,"
			"\"cookie_replies\":%u,\"min_us\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,"
			"\"p99_us\":%.1f,\"max_us\":%.1f,\"ping\":\"%s\"}\n",
			o->endpoint, sent, completed, failed, cookies, min, p50, p90, p99, max,
			ping);
		return;
	}
	fprintf(out, "endpoint:    %s\n", o->endpoint);
	fprintf(out, "handshakes:  %u sent, %u completed, %u cookie replies\n", sent, completed,
		cookies);
	if (completed)
		fprintf(out,
			"response us: min %.1f  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", min,
			p50, p90, p99, max);
	if (ping_rc >= 0)
		fprintf(out, "ping:        %s\n", ping);
}
