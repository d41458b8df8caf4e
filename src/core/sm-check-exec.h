/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-exec.h: what running a check once takes, shared by
 * `--check-once` (sm-check-batch.c) and the app (sm-check-scheduler.c).
 *
 * Recording a result (the store's latest, the history's samples); judging
 * a heartbeat from the stored state; and command and log checks as shell
 * items: prepared on the main thread (a log check's offset from the
 * store), run on a worker through an SSH session (or the local /bin/sh),
 * turned into results on the main thread again (the new offset stored).
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"
#include "sm-check.h"
#include "sm-history.h"
#include "sm-log-tail.h"
#include "sm-server.h"
#include "sm-ssh-session.h"
#include "sm-store.h"

G_BEGIN_DECLS

/* What a command or log check may print in one run. */
#define SM_CHECK_MAX_OUTPUT (4 * 1024 * 1024)

/* Stores result as the check's latest and, with a history writer, the
 * samples "check.<id>.latency_ms" and "check.<id>.up" (DOWN 0, UP and
 * DEGRADED 1, UNKNOWN none) of its server. */
void           sm_check_record           (SmStore             *store,
                                          SmHistoryWriter     *history,
                                          gint64               server_id,
                                          const SmCheck       *check,
                                          const SmCheckResult *result);

/* A heartbeat check from its stored state ({"created": …, "last_ping":
 * …}); the first time a check is seen is where its wait starts. */
SmCheckResult *sm_check_judge_stored_heartbeat (SmStore       *store,
                                                const SmCheck *check,
                                                gint64         now);
/* A heartbeat arrived: stores last_ping = now. */
void           sm_check_note_ping        (SmStore             *store,
                                          const SmCheck       *check,
                                          gint64               now);

typedef struct {
  SmCheck        *check;
  char           *command;
  SmLogTailState  state;       /* log checks */
  /* Filled by sm_check_shell_run. */
  char           *output;
  gsize           len;
  int             exit_status;
  double          latency_ms;
  GError         *error;
} SmCheckShellItem;

/* For a command or log check (a log check's state from the store). */
SmCheckShellItem *sm_check_shell_item_new  (SmStore          *store,
                                            const SmCheck    *check);
void              sm_check_shell_item_free (SmCheckShellItem *item);

/* On a worker: runs items one after another on session (connected here
 * when it is not; NULL: the local /bin/sh). FALSE when the session could
 * not connect (error set; no item ran). */
gboolean          sm_check_shell_run       (SmSshSession     *session,
                                            GPtrArray        *items,
                                            GCancellable     *cancellable,
                                            GError          **error);

/* On the main thread: the item's result (a log check's new state
 * stored). connect_error: why the session could not connect, or NULL. */
SmCheckResult    *sm_check_shell_item_finish (SmStore          *store,
                                              SmCheckShellItem *item,
                                              gboolean          local,
                                              const GError     *connect_error);

G_END_DECLS
