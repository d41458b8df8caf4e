/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-collector.h: the agentless collector: a POSIX sh script run in a
 * persistent remote shell, and the pure parsers of its output.
 *
 * The script is sent once per session and defines a shell function; each
 * poll then writes one line, "sm_collect MARKER FLAGS", and reads sections
 *   MARKER section NAME
 *   ...raw text (/proc files, df -P, ps, ...)...
 *   MARKER end
 * The marker is random per poll (32 hex characters), so nothing a host
 * prints can forge a section boundary or the end.
 */
#pragma once

#include <gio/gio.h>

#include "sm-poll-result.h"

G_BEGIN_DECLS

typedef enum {
  SM_COLLECT_DEFAULT = 0,
  /* The session's first poll: take two CPU/network/disk readings a short
   * moment apart inside the same run, so rates exist at once. */
  SM_COLLECT_FIRST   = 1 << 0,
  /* Include the hardware/OS inventory (on connect and daily). */
  SM_COLLECT_SPECS   = 1 << 1,
  /* Include the sections that cost a process each (df, ps, listening
   * ports, docker, systemd, GPU). Without it a poll reads only /proc and
   * the result repeats the last slow sections' values from the state. */
  SM_COLLECT_SLOW    = 1 << 2,
} SmCollectFlags;

/* How often the scheduler asks for the slow sections. */
#define SM_COLLECT_SLOW_EVERY_US (30 * G_USEC_PER_SEC)

/* Output of one run beyond this is refused (a hostile or broken host). */
#define SM_COLLECTOR_MAX_OUTPUT (4 * 1024 * 1024)

/* The script that defines the sm_collect function (POSIX sh; works with
 * dash, bash and busybox ash; needs no root). */
const char        *sm_collector_get_script      (void);
/* 32 random hex characters. */
char              *sm_collector_new_marker      (void);
/* "sm_collect MARKER FLAGS\n": what to write to the shell for one poll. */
char              *sm_collector_build_command   (const char     *marker,
                                                 SmCollectFlags  flags);
/* "MARKER end": the line that ends one poll's output. */
char              *sm_collector_end_line        (const char     *marker);

/* Where the end line ("MARKER end" on a line of its own) starts in data,
 * searching from offset from; -1 when it is not there (yet). */
gssize             sm_collector_find_end        (const char     *marker,
                                                 const char     *data,
                                                 gsize           len,
                                                 gsize           from);
/* Reads one run's output up to its end line (not included). Fails with
 * G_IO_ERROR_MESSAGE_TOO_LARGE beyond SM_COLLECTOR_MAX_OUTPUT bytes and
 * G_IO_ERROR_PARTIAL_INPUT when the stream ends first. */
GBytes            *sm_collector_read_output     (GInputStream   *stream,
                                                 const char     *marker,
                                                 GCancellable   *cancellable,
                                                 GError        **error);

/* Counters kept between polls of one server, for rates. */
typedef struct _SmCollectorState SmCollectorState;
SmCollectorState  *sm_collector_state_new       (void);
void               sm_collector_state_free      (SmCollectorState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmCollectorState, sm_collector_state_free)

/* Output without the slow sections gets the last slow poll's values from
 * the state (SM_SECTION_MISSING "not collected yet" before the first one).
 * This is when those were collected (g_get_real_time ()), or 0. */
gint64             sm_collector_state_get_slow_time (SmCollectorState *state);

/* Parses one run's output (everything before the end line). Pure: no I/O.
 * Never fails as a whole: a missing section is SM_SECTION_MISSING, a
 * malformed one SM_SECTION_ERROR, and the rest is still parsed. */
SmPollResult      *sm_collector_parse           (SmCollectorState *state,
                                                 const char       *marker,
                                                 const char       *output,
                                                 gsize             len);

/* "This computer": runs the same script with the local /bin/sh and parses
 * it the same way. */
SmPollResult      *sm_collector_run_local       (SmCollectorState *state,
                                                 SmCollectFlags    flags,
                                                 GCancellable     *cancellable,
                                                 GError          **error);

G_END_DECLS
