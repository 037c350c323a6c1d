/* SPDX-License-Identifier: MIT */
/* The targets' oracle: a broken invariant is a crash, which libFuzzer saves like any other. */
#ifndef WGDP_FUZZ_CHECK_H
#define WGDP_FUZZ_CHECK_H

#include <stdlib.h>

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

#endif
