/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

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

/* The samples in microseconds, comma-separated for JSON or space-separated for text. */
static void print_samples(FILE *out, const uint64_t *rtt_ns, unsigned int n, const char *sep)
{
	for (unsigned int i = 0; i < n; i++)
		fprintf(out, "%s%.1f", i ? sep : "", (double)rtt_ns[i] / 1000.0);
}

int probe_report(FILE *out, const struct probe_opts *o, const uint64_t *rtt_ns,
		 unsigned int sent, unsigned int completed, unsigned int cookies,
		 unsigned int failed, int ping_rc)
{
	const char *ping = ping_rc < 0 ? "none" : ping_rc ? "ok" : "fail";
	double p50, p90, p99, max, min;
	uint64_t *sorted = malloc((completed ? completed : 1) * sizeof(*sorted));

	if (!sorted)
		return -1;
	if (completed)
		memcpy(sorted, rtt_ns, completed * sizeof(*sorted));
	qsort(sorted, completed, sizeof(*sorted), cmp_u64);
	p50 = percentile_us(sorted, completed, 50);
	p90 = percentile_us(sorted, completed, 90);
	p99 = percentile_us(sorted, completed, 99);
	max = percentile_us(sorted, completed, 100);
	min = completed ? (double)sorted[0] / 1000.0 : 0;
	free(sorted);
	if (o->json) {
		fprintf(out,
			"{\"endpoint\":\"%s\",\"sent\":%u,\"completed\":%u,\"failed\":%u,"
			"\"cookie_replies\":%u,\"min_us\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,"
			"\"p99_us\":%.1f,\"max_us\":%.1f,\"ping\":\"%s\"",
			o->endpoint, sent, completed, failed, cookies, min, p50, p90, p99, max,
			ping);
		if (o->samples) {
			fputs(",\"samples_us\":[", out);
			print_samples(out, rtt_ns, completed, ",");
			fputc(']', out);
		}
		fputs("}\n", out);
		return 0;
	}
	fprintf(out, "endpoint:    %s\n", o->endpoint);
	fprintf(out, "handshakes:  %u sent, %u completed, %u cookie replies\n", sent, completed,
		cookies);
	if (completed)
		fprintf(out,
			"response us: min %.1f  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", min,
			p50, p90, p99, max);
	if (o->samples && completed) {
		fputs("samples us:  ", out);
		print_samples(out, rtt_ns, completed, " ");
		fputc('\n', out);
	}
	if (ping_rc >= 0)
		fprintf(out, "ping:        %s\n", ping);
	return 0;
}
