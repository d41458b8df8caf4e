/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-log-tail.h: "log patterns over SSH" as a pure state machine.
 *
 * Each poll runs one POSIX sh command on the host (sm_log_tail_build_command:
 * stat, tail and head only, as GNU coreutils and busybox both have them)
 * that prints a header line and then the file's new bytes:
 *
 *   SMLOG <inode> <size> <start> <max>\n<bytes from start, at most max>
 *
 * or "SMLOG-ERROR <stat's message>" when the file cannot be read. The
 * command itself decides where to start, from the state it was built with:
 * the first poll starts at the end of the file (lines written before
 * monitoring began are not counted, as with `tail -f`); the same inode with
 * size >= offset continues at offset; a smaller size (truncated, e.g.
 * copytruncate) or another inode (rotated: renamed and recreated) starts
 * at 0 of the current file. Lines appended to a rotated file after the last
 * poll are lost. sm_log_tail_parse() reads that output and moves the state
 * on, never past a partial last line (no trailing newline yet), which is
 * read again whole on the next poll, unless it alone fills the whole
 * chunk (a line longer than max bytes is then split).
 *
 * The command is one line (a path with a newline in it is quoted across
 * two) in a subshell, so it may be written to the session's persistent sh;
 * its output holds the file's raw bytes, so the end-of-output line the
 * session waits for must be one a log cannot contain by chance (a random
 * marker, as the collector uses).
 */
#pragma once

#include "sm-check-result.h"

G_BEGIN_DECLS

#define SM_LOG_TAIL_DEFAULT_MAX_BYTES  (1024 * 1024)
/* Lines returned by one parse; the rest are read by the next poll. */
#define SM_LOG_TAIL_MAX_LINES          10000
/* Longer lines are cut to this many bytes (before matching). */
#define SM_LOG_TAIL_MAX_LINE_BYTES     8192

typedef struct {
  guint64  inode;
  guint64  offset;
  gboolean initialised;
} SmLogTailState;

/* The command for path (any bytes but NUL; shell-quoted) at state
 * (NULL: a first poll). max_bytes caps the data read in one poll (0: the
 * default). */
char     *sm_log_tail_build_command      (const char          *path,
                                          const SmLogTailState *state,
                                          gsize                max_bytes);

/* Reads output (len bytes) of the command built for *state, appends the
 * complete new lines (char *, UTF-8 repaired, without the newline; the
 * array must free with g_free) to out_lines and updates *state. FALSE with
 * a message in out_error (may be NULL) when the output is not what the
 * command prints or the file could not be read; *state is then unchanged. */
gboolean  sm_log_tail_parse              (const char          *output,
                                          gsize                len,
                                          SmLogTailState      *state,
                                          GPtrArray           *out_lines,
                                          char               **out_error);

/* NULL when every pattern compiles (GRegex syntax; use (?i) for case
 * insensitive), else "patterns[1]: <GRegex message>" for the first that
 * does not, or "patterns[0]: empty pattern". */
char     *sm_log_tail_validate_patterns  (const char * const  *patterns);

/* Counts the lines that match any of the patterns: DOWN with a reason
 * ("3 matches of 'error'") when any does, else UP. Metric "matches"; the
 * last keep_last matching lines (oldest first, each cut to 500 characters)
 * in result->lines. Patterns that do not compile make the result UNKNOWN
 * with the validator's message. */
SmCheckResult *sm_log_tail_match         (GPtrArray           *lines,
                                          const char * const  *patterns,
                                          guint                keep_last);

G_END_DECLS
