/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-scheduler.h: polls servers on worker threads at their intervals.
 *
 * Timers live on the main loop (per-server interval with jitter so polls
 * spread out); each poll is one job on a bounded GThreadPool. A server's
 * worker state (its SSH session and collector counters) is owned by the job
 * while it runs and by the scheduler otherwise, so one session is only ever
 * used by one thread at a time. Results come back to the main context as
 * plain data; a result for a server removed meanwhile is dropped.
 */
#pragma once

#include <gio/gio.h>

#include "sm-history.h"
#include "sm-poll-result.h"
#include "sm-server.h"
#include "sm-store.h"

G_BEGIN_DECLS

/* What one poll of one server ended with, as handed to "poll-finished". */
typedef struct {
  SmServerStatus  status;
  char           *reason;          /* human text: "connection refused", "disk / 97% full" */
  GError         *error;           /* the failure, or NULL */
  SmPollResult   *result;          /* NULL when the poll failed */
  char           *host_key_sha256; /* offered key when it is unknown or changed */
  double          latency_ms;
} SmPollOutcome;

void            sm_poll_outcome_free     (SmPollOutcome *outcome);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmPollOutcome, sm_poll_outcome_free)

/* The status and reason a poll's result or error means. Pure. A disk at or
 * above 90 %, memory at or above 95 %, a failed systemd unit or an
 * unhealthy container make a reachable server DEGRADED. */
SmServerStatus  sm_poll_classify         (const SmPollResult  *result,
                                          const GError        *error,
                                          char               **out_reason);

/* The delay before the next poll: the interval, or after failures an
 * exponential backoff (2 s doubling, at most 5 min, never below the
 * interval), with +-10 % jitter from rand_unit in [0, 1). Pure. */
guint           sm_poll_next_delay_ms    (guint                interval_s,
                                          guint                failures,
                                          double               rand_unit);

#define SM_TYPE_SCHEDULER (sm_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (SmScheduler, sm_scheduler, SM, SCHEDULER, GObject)

/* data_dir holds known_hosts. max_threads bounds concurrent polls. */
SmScheduler    *sm_scheduler_new         (SmStore      *store,
                                          const char   *data_dir,
                                          guint         max_threads);
/* Starts polling the server at its interval (if enabled); also call it
 * again after an edit: the session is rebuilt with the new settings. */
void            sm_scheduler_add_server  (SmScheduler  *self,
                                          SmServer     *server);
/* Stops polling it and closes its session (on a worker). */
void            sm_scheduler_remove_server (SmScheduler *self,
                                          SmServer     *server);
/* Polls now (unless a poll is running). With timers off (see
 * sm_scheduler_set_timers) this is the only way polls start. */
void            sm_scheduler_poll_now    (SmScheduler  *self,
                                          SmServer     *server);
/* Every poll's outcome is also queued on writer (borrowed: set NULL
 * before freeing it). NULL by default: no history. */
void            sm_scheduler_set_history_writer (SmScheduler     *self,
                                          SmHistoryWriter *writer);
/* TRUE by default; FALSE for --check-once and tests. */
void            sm_scheduler_set_timers  (SmScheduler  *self,
                                          gboolean      timers);
guint           sm_scheduler_get_n_running (SmScheduler *self);
/* Sessions idle for longer than this until their next poll get an SSH
 * keepalive this often (default 30 s). */
void            sm_scheduler_set_keepalive_interval (SmScheduler *self,
                                          guint         seconds);
/* Keepalives sent so far (for tests). */
guint           sm_scheduler_get_n_keepalives (SmScheduler *self);
/* Cancels polls in flight, closes every session; returns within about a
 * second. No signal is emitted afterwards. */
void            sm_scheduler_shutdown    (SmScheduler  *self);

/*
 * Signals:
 *   poll-finished (SmServer *server, gpointer outcome): on the main context,
 *     after the server's status property was updated. outcome is an
 *     SmPollOutcome owned by the scheduler for the emission only.
 */

G_END_DECLS
