/* SPDX-License-Identifier: MIT */
/*
 * lib/config/secret_file.c: a whole file read past its first block, NUL-terminated; a file
 * over the bound, a missing one and a directory refused with a reason and nothing returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret_file.h"
#include "unit.h"

static char path[64];

/* A temporary file of n bytes, byte i being 'a' + i % 26. */
static void write_file(size_t n)
{
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/wgdp-secret-file.XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (size_t i = 0; i < n; i++)
		fputc('a' + (int)(i % 26), f);
	CU_ASSERT_EQUAL(fclose(f), 0);
}

/* Past the 64 KiB first block, and empty: the bytes as written, then a NUL. */
static void test_whole_file(void)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 200001 };
	char err[128] = "";

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t len = 99, bad = 0;
		char *text;

		write_file(sizes[k]);
		text = wgdp_secret_file_read(path, 1u << 20, &len, err, sizeof(err));
		unlink(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		CU_ASSERT_EQUAL(len, sizes[k]);
		for (size_t i = 0; i < len; i++)
			bad += text[i] != 'a' + (int)(i % 26);
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(text[len], '\0');
		wgdp_secret_text_free(text, len);
	}
}

static void test_refused(void)
{
	char err[128] = "", *text;
	size_t len;

	write_file(4097);
	CU_ASSERT_PTR_NULL(wgdp_secret_file_read(path, 4096, &len, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "larger than 4096 bytes");
	text = wgdp_secret_file_read(path, 4097, &len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(text);
	wgdp_secret_text_free(text, len);
	unlink(path);
	CU_ASSERT_PTR_NULL(wgdp_secret_file_read("/nonexistent/x", 4096, &len, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "cannot open: No such file or directory");
	CU_ASSERT_PTR_NULL(wgdp_secret_file_read("/tmp", 4096, &len, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "Is a directory");
	wgdp_secret_text_free(NULL, 0);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "a whole file, past the first block", test_whole_file },
		{ "too large, missing, a directory: refused", test_refused },
		CU_TEST_INFO_NULL,
	};

	return unit_run("secret_file", tests);
}
