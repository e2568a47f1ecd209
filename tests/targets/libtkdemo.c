// SPDX-License-Identifier: GPL-2.0
/* libtkdemo.so: a shared library whose exported function the tests trace by library name. */
#include "tkdemo.h"

tk_noinline int tk_lib_call(int x)
{
	__asm__ volatile("");
	return x + 1;
}
