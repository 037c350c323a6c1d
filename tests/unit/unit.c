/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"

uint32_t unit_sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t unit_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static int hex_nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t unit_hex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (isspace((unsigned char)*hex) || *hex == ':')
			continue;
		v = hex_nibble((unsigned char)*hex);
		if (v < 0 || (hi < 0 && n == cap)) {
			fprintf(stderr, "unit_hex: bad vector near '%.16s'\n", hex);
			abort();
		}
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0) {
		fprintf(stderr, "unit_hex: odd number of digits\n");
		abort();
	}
	return n;
}

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
	fprintf(stderr, "  %s:", label);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 32 ? "" : "\n    ", p[i]);
	fprintf(stderr, "\n");
}

int unit_mem_equal(const void *a, const void *b, size_t n, const char *what, int line)
{
	if (memcmp(a, b, n) == 0)
		return 1;
	fprintf(stderr, "\nline %d: %s differs\n", line, what);
	print_hex("got", a, n);
	print_hex("want", b, n);
	return 0;
}

int unit_run_suites(const CU_SuiteInfo *suites)
{
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites((CU_SuiteInfo *)suites) != CUE_SUCCESS) {
		fprintf(stderr, "cannot register suites: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	/* A suite whose setup failed runs nothing: that is a failure too. */
	if (CU_get_run_summary()->nSuitesFailed)
		failures++;
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

int unit_run(const char *suite_name, const CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{ .pName = suite_name, .pTests = (CU_TestInfo *)tests },
		CU_SUITE_INFO_NULL,
	};

	return unit_run_suites(suites);
}
