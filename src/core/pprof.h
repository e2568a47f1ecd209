/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stack profile as pprof reads it (`go tool pprof FILE`): a gzip-compressed Profile
 * message of google/pprof's profile.proto. The profile's value types become sample_type (the
 * last one is the default, as pprof's convention has it), its locations pprof's locations
 * (inlined lines innermost first), one function per distinct name and file, one mapping per
 * module ("[kernel.kallsyms]" for the kernel's frames), and each sample carries its process
 * as labels: "comm" (string), "pid" and, when the tool keys by thread, "tid" (numbers), and
 * a tool's own column under "extra". A stack the BPF map had no room for shows as one frame,
 * "[Missed Kernel Stack]" or "[Missed User Stack]", as in bcc's text output.
 */
#ifndef TK_PPROF_H
#define TK_PPROF_H

#include "core/pbwire.h"
#include "core/stack.h"

/* Append p's Profile message, uncompressed, to out. 0 or -ENOMEM. */
int pprof_encode(const struct stack_profile *p, struct pbuf *out);
/*
 * Write p gzip-compressed to fd (not closed), made and deflated in pieces on every CPU
 * (threads joined before it returns). 0 or -errno.
 */
int pprof_write_fd(const struct stack_profile *p, int fd);
/*
 * Write p to path, created or truncated ("-": standard output). 0 or -errno, with no file
 * left behind; the caller reports it.
 */
int pprof_write(const struct stack_profile *p, const char *path);

#endif
