/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-plugin-output.h: the result of a monitoring plugin ("custom command
 * over SSH" checks), read the way Nagios, Icinga and the
 * monitoring-plugins project define it.
 *
 * Exit status: 0 OK -> UP, 1 WARNING -> DEGRADED, 2 CRITICAL -> DOWN,
 * 3 UNKNOWN and anything else -> UNKNOWN. 126 ("not executable"), 127
 * ("command not found"), 128 + n (killed by signal n) and negative values
 * (-n: the caller saw the command die of signal n) get a reason of their
 * own; the output is then kept in result->lines.
 *
 * Output: the first line's text before '|' is the reason (trimmed, at
 * most 200 characters). Perfdata follows the '|' of the first line, and
 * in the long output everything after the first '|' (on that line and
 * every later line) is perfdata too. The other long output lines go to
 * result->lines (at most 50, each at most 500 characters). Invalid UTF-8
 * is repaired (U+FFFD) and at most 4 MiB of output is read.
 *
 * Perfdata items are 'label'=value[UOM];[warn];[crit];[min];[max].
 * Labels may be quoted with single quotes ('' inside is a quote). UOM is
 * one of none, s ms us %, B KB MB GB TB, c. Values may be negative and
 * have a decimal point; "U" (unknown) and malformed items are skipped.
 * Each item becomes a metric named by sm_plugin_perfdata_label_to_metric()
 * with the UOM as unit (NULL when none), and its non-empty thresholds
 * become details "<metric>.warn", "<metric>.crit", "<metric>.min" and
 * "<metric>.max" (the text as the plugin wrote it, e.g. "~:10" or "@5:9").
 * A label seen twice keeps its first value. At most 200 items are read.
 */
#pragma once

#include "sm-check-result.h"

G_BEGIN_DECLS

#define SM_PLUGIN_OUTPUT_MAX_BYTES   (4 * 1024 * 1024)
#define SM_PLUGIN_OUTPUT_MAX_LINES   50
#define SM_PLUGIN_OUTPUT_MAX_PERF    200

/* The result for a plugin's exit status and output (len bytes, need not be
 * NUL-terminated; embedded NULs are repaired like invalid UTF-8). regex_or_null, when
 * given, must match somewhere in the output (GRegex syntax, multi-line:
 * ^ and $ match at line ends); if it does not, the result is DOWN
 * ("output does not match '…'") unless the plugin already said DOWN or
 * UNKNOWN, whose reason is kept. A regex that does not compile gives NULL
 * and the GRegex message in out_error_for_bad_regex (may be NULL). */
SmCheckResult *sm_plugin_output_parse             (int          exit_status,
                                                   const char  *output,
                                                   gsize        len,
                                                   const char  *regex_or_null,
                                                   char       **out_error_for_bad_regex);

/* The metric name of a perfdata label: "perf." followed by the label where
 * ASCII letters, digits, '_', '-' and '.' stay as they are and every run
 * of other bytes (spaces, '/', quotes, non-ASCII) becomes one '_'; at most
 * 64 bytes of label are used. An empty label gives "perf._".
 * Examples: "load1" -> "perf.load1", "/" -> "perf._",
 * "/var/log" -> "perf._var_log", "time to first byte" ->
 * "perf.time_to_first_byte". */
char          *sm_plugin_perfdata_label_to_metric (const char  *label);

G_END_DECLS
