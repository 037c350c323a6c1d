/* SPDX-License-Identifier: MIT */
#include "aead_batch.h"
