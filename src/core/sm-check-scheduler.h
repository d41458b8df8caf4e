/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-scheduler.h: runs the app's service checks at their intervals.
 *
 * Each enabled check of each watched server has a timer (its interval,
 * with a little jitter so checks spread out). Network checks run from
 * this computer; command and log checks of a server run one at a time
 * through an SSH session of the check scheduler's own for that server,
 * kept open between runs, on a worker thread; heartbeat checks are judged
 * from their last ping. Every result is stored as the check's latest, and
 * given a history writer, as the server's samples "check.<id>.latency_ms"
 * and "check.<id>.up"; then ::check-finished is emitted.
 *
 * Main thread only.
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"
#include "sm-check.h"
#include "sm-history.h"
#include "sm-server.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_CHECK_SCHEDULER (sm_check_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (SmCheckScheduler, sm_check_scheduler, SM, CHECK_SCHEDULER, GObject)

/* data_dir: where the app's known_hosts is. */
SmCheckScheduler *sm_check_scheduler_new          (SmStore          *store,
                                                   const char       *data_dir);
void              sm_check_scheduler_set_history_writer (SmCheckScheduler *self,
                                                   SmHistoryWriter  *history);
/* Timers on (the app) or off (tests run checks with run_now). On by
 * default. */
void              sm_check_scheduler_set_timers   (SmCheckScheduler *self,
                                                   gboolean          enabled);

/* Starts (or, after its checks changed, restarts) the checks of server;
 * a disabled server's checks do not run. */
void              sm_check_scheduler_add_server   (SmCheckScheduler *self,
                                                   SmServer         *server);
void              sm_check_scheduler_remove_server (SmCheckScheduler *self,
                                                   gint64            server_id);
/* Rereads the server's checks from the store (after the Checks tab saved
 * or deleted one). */
void              sm_check_scheduler_reload_server (SmCheckScheduler *self,
                                                   gint64            server_id);

/* Runs one check now ("Run now"); its timer starts over. FALSE when the
 * check is not known (its server not added, or it was deleted). */
gboolean          sm_check_scheduler_run_now      (SmCheckScheduler *self,
                                                   gint64            check_id);
/* A heartbeat arrived for check_id (the listener's ::heartbeat): its last
 * ping is now; status and message as the sender gave them (may be NULL). */
void              sm_check_scheduler_note_heartbeat (SmCheckScheduler *self,
                                                   gint64            check_id,
                                                   const char       *status,
                                                   const char       *message);
/* The enabled checks of every added server, an array of SmCheck
 * (copies). */
GPtrArray        *sm_check_scheduler_list_checks  (SmCheckScheduler *self);
/* Checks running now, for tests. */
guint             sm_check_scheduler_get_n_running (SmCheckScheduler *self);

/* Cancels what runs and closes the sessions; no signal afterwards. */
void              sm_check_scheduler_shutdown     (SmCheckScheduler *self);

/* Signals:
 *  ::check-finished (SmServer *server, gpointer check (const SmCheck *),
 *                    gpointer result (const SmCheckResult *))
 *  ::checks-changed (gint64 server_id)   the server's checks were (re)read
 *                                        (add_server, reload_server)
 */

G_END_DECLS
