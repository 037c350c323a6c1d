/* SPDX-License-Identifier: MIT */
#include <sodium.h>

#include "ct.h"

bool wgc_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

bool wgc_ct_is_zero(const void *p, size_t n)
{
	const volatile uint8_t *x = p;
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= x[i];
	return acc == 0;
}

void wgc_memzero(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void wgc_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

uint32_t wgc_random_u32(void)
{
	return randombytes_random();
}

int wgc_init(void)
{
	/* 0: initialised now, 1: already was; -1: no usable entropy source. */
	return sodium_init() < 0 ? -1 : 0;
}

__attribute__((noinline)) void wgc_scrub_stack(void)
{
	uint8_t pad[WGC_SCRUB_STACK_LEN];

	wgc_memzero(pad, sizeof(pad));
}
