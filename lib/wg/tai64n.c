/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "clock.h"
#include "tai64n.h"

#define TAI64_EPOCH_OFFSET ((1ull << 62) + 10)
#define TAI64N_NS_GRAIN	   (1u << 24)

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void wg_tai64n(uint8_t out[WG_TAI64N_LEN], uint64_t real_ns)
{
	uint64_t seconds = real_ns / WG_NSEC_PER_SEC + TAI64_EPOCH_OFFSET;
	uint32_t nanos = (uint32_t)(real_ns % WG_NSEC_PER_SEC);

	nanos &= ~(TAI64N_NS_GRAIN - 1);
	put_be32(out, (uint32_t)(seconds >> 32));
	put_be32(out + 4, (uint32_t)seconds);
	put_be32(out + 8, nanos);
}

bool wg_tai64n_after(const uint8_t a[WG_TAI64N_LEN], const uint8_t b[WG_TAI64N_LEN])
{
	return memcmp(a, b, WG_TAI64N_LEN) > 0;
}
