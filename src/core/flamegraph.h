/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flame graph of a stack profile as one interactive SVG file: frames sized by one value
 * type, a hover title per frame (name, value, share), click to zoom, a regex search, all in
 * the file (no fonts, scripts or styles from the network).
 *
 * The tree is built root to leaf from each sample: "all", the sample's comm, its user frames
 * outermost first (a location's inlined lines each a frame), then its kernel frames (their
 * own colour, "_[k]" in the hover). Equal paths are merged; siblings are sorted by name.
 */
#ifndef TK_FLAMEGRAPH_H
#define TK_FLAMEGRAPH_H

#include <stdint.h>

struct stack_profile;

struct flamegraph_opts {
	const char *title;    /* NULL: "Flame Graph" */
	const char *subtitle; /* e.g. "profile -F 99, 30 s"; NULL: none */
	const char *unit;     /* the hover's unit after a value: NULL: "samples" */
	/* values are divided by this for the hover (e.g. 1000: nanoseconds shown as
	 * microseconds); 0 or 1: as they are */
	uint64_t div;
	unsigned int width; /* pixels; 0: 1200 */
};

/*
 * Write the flame graph of p's value type value_type (an index into p->types) to path (the
 * file is replaced). o may be NULL. 0, or a negative errno after a one-line error (-EINVAL: no
 * such value type; -ENOMEM; a write error), and then no file left behind.
 */
int flamegraph_write_svg(const struct stack_profile *p, unsigned int value_type, const char *path,
			 const struct flamegraph_opts *o);

#endif
