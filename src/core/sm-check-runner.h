/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-runner.h: runs one service check by its type.
 *
 * The network checks (HTTP, TLS, TCP, ping, DNS) run from this computer
 * through their probes; a check that names no host checks its server's
 * host. A heartbeat check is judged from its last ping. Command and log
 * checks run through the server's SSH session: the caller gives their
 * output (sm_check_run_command_output, sm_check_build_log_command and
 * sm_check_parse_log_output), because only the scheduler may use a
 * session.
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"
#include "sm-check.h"
#include "sm-log-tail.h"

G_BEGIN_DECLS

/* Runs a network check (http, tls, tcp, ping, dns). server_host: the
 * host of the check's server. Service failures are results; the only
 * errors are G_IO_ERROR_CANCELLED and G_IO_ERROR_NOT_SUPPORTED for the
 * types that do not run here. */
void           sm_check_run_async        (const SmCheck       *check,
                                          const char          *server_host,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
SmCheckResult *sm_check_run_finish       (GAsyncResult        *result,
                                          GError             **error);
/* TRUE for the types sm_check_run_async runs. */
gboolean       sm_check_runs_here        (SmCheckType          type);

/* A heartbeat check at now (unix seconds), last pinged at last_ping (0:
 * never) and created at created. */
SmCheckResult *sm_check_judge_heartbeat  (const SmCheck       *check,
                                          gint64               last_ping,
                                          gint64               created,
                                          gint64               now);

/* A command check's verdict from what its command printed and its exit
 * status (monitoring-plugins convention, perfdata as metrics). */
SmCheckResult *sm_check_run_command_output (const SmCheck     *check,
                                            int                exit_status,
                                            const char        *output,
                                            gsize              len);

/* A log check: the shell command for its state (NULL state: a first
 * poll), and the verdict from that command's output (updating state). */
char          *sm_check_build_log_command (const SmCheck        *check,
                                           const SmLogTailState *state);
SmCheckResult *sm_check_parse_log_output  (const SmCheck        *check,
                                           const char           *output,
                                           gsize                 len,
                                           SmLogTailState       *state);

G_END_DECLS
