/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "sim.h"
#include "unit.h"
int main(void) { return 0; }
