/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the CUnit tests: hex vectors and a runner. */
#ifndef WGDP_TESTS_UNIT_H
#define WGDP_TESTS_UNIT_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

/*
 * Decodes hex (whitespace and ':' ignored) into out, at most cap bytes. Returns the number of
 * bytes written; aborts the test program on malformed hex, since that is a bug in the test.
 */
size_t unit_hex(uint8_t *out, size_t cap, const char *hex);

/*
 * RFC 1071's Internet checksum, written byte by byte here so that tests check the data plane's
 * sums against an independent one: unit_sum16 adds len bytes at p (big-endian 16-bit words,
 * an odd last byte padded) to sum; unit_fold folds the carries (0xffff = a valid checksum over
 * data that includes its own checksum field; its complement is the field to write).
 */
uint32_t unit_sum16(uint32_t sum, const uint8_t *p, size_t len);
uint16_t unit_fold(uint32_t sum);

/* Runs one suite of tests and returns the process exit status (0 = all passed). */
int unit_run(const char *suite_name, const CU_TestInfo *tests);

/* Runs several suites (NULL-name terminated) and returns the process exit status. */
int unit_run_suites(const CU_SuiteInfo *suites);

/* Asserts that n bytes at a and b are equal, printing both on failure. */
#define UNIT_ASSERT_MEM(a, b, n) CU_ASSERT_TRUE(unit_mem_equal((a), (b), (n), #a, __LINE__))
int unit_mem_equal(const void *a, const void *b, size_t n, const char *what, int line);

#endif
