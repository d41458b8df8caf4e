/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-manager.h: the alert engine wired to the store and the
 * notification channels. The app and `--check-once` use the same one.
 *
 * On creation it loads the rules, quiet hours, maintenance windows and
 * channels from the store and restores the alerts left open by the last
 * run. Each poll outcome (sm_alert_manager_process_poll) becomes an
 * SmAlertInput; the engine's events are stored (alert_events) and its
 * notifications go to the channels they name (the default channels when
 * they name none). A minute timer runs the engine's timers (repeat,
 * escalation, acknowledgement expiry) when no poll comes.
 *
 * Desktop notifications' "Acknowledge" action acknowledges the alert;
 * "Open" emits ::open-server.
 *
 * Main thread only (the thread whose thread-default main context was
 * current at creation). The clock is g_get_real_time unless a test sets
 * one.
 */
#pragma once

#include <gio/gio.h>

#include "sm-alert-engine.h"
#include "sm-alert-store.h"
#include "sm-check-result.h"
#include "sm-check.h"
#include "sm-scheduler.h"
#include "sm-server.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_ALERT_MANAGER (sm_alert_manager_get_type ())
G_DECLARE_FINAL_TYPE (SmAlertManager, sm_alert_manager, SM, ALERT_MANAGER, GObject)

/* Returns unix seconds. */
typedef gint64 (*SmClockFunc) (gpointer user_data);

/* tz NULL: local time for every weekly schedule. Loads everything; a
 * load error is kept (sm_alert_manager_dup_error) and the manager runs
 * with what it could load. */
SmAlertManager *sm_alert_manager_new             (SmStore         *store,
                                                  GTimeZone       *tz);
void            sm_alert_manager_set_clock       (SmAlertManager  *self,
                                                  SmClockFunc      clock,
                                                  gpointer         user_data);
/* Starts (TRUE) or stops the minute timer. Off until set. */
void            sm_alert_manager_set_timers      (SmAlertManager  *self,
                                                  gboolean         enabled);

/* Reloads rules, windows and channels from the store (after the UI or an
 * import changed them) and emits ::changed. */
gboolean        sm_alert_manager_reload          (SmAlertManager  *self,
                                                  GError         **error);

/* Where charts attached to Telegram notices (a channel's attach_chart)
 * come from: the metric's last hour. NULL: no charts. */
void            sm_alert_manager_set_history_reader (SmAlertManager  *self,
                                                     SmHistoryReader *reader);

/* Uses notifier for the channel with its name instead of building one
 * from the stored channel (tests; the desktop notifier the app shares).
 * Kept across reloads. */
void            sm_alert_manager_set_notifier    (SmAlertManager  *self,
                                                  SmNotifier      *notifier);

/* One poll of one server, as the scheduler reported it. */
void            sm_alert_manager_process_poll    (SmAlertManager      *self,
                                                  SmServer            *server,
                                                  const SmPollOutcome *outcome);
/* One service check's result: the metrics "check.<name>.up" (1 when UP or
 * DEGRADED, 0 when DOWN; none when UNKNOWN), "check.<name>.degraded" (1 or
 * 0), "check.<name>.latency_ms" and each of the result's metrics as
 * "check.<name>.<metric>", evaluated against the "check." rules only. */
void            sm_alert_manager_process_check   (SmAlertManager      *self,
                                                  SmServer            *server,
                                                  const SmCheck       *check,
                                                  const SmCheckResult *result);
/* Rounds: every poll between begin and end is evaluated at end, and a
 * round where every server of two or more was unreachable is a gap
 * (`--check-once`). */
void            sm_alert_manager_begin_round     (SmAlertManager  *self);
void            sm_alert_manager_end_round       (SmAlertManager  *self);
/* Runs the engine's timers now (the minute timer calls this). */
void            sm_alert_manager_tick            (SmAlertManager  *self);

/* This computer lost its network or is about to sleep (FALSE), or is
 * back (TRUE): unreachable results in between are not counted and a gap
 * is recorded. */
void            sm_alert_manager_set_connectivity (SmAlertManager *self,
                                                   gboolean        online);

/* expires_at 0: never. */
gboolean        sm_alert_manager_acknowledge     (SmAlertManager  *self,
                                                  gint64           alert_id,
                                                  const char      *comment,
                                                  gint64           expires_at,
                                                  GError         **error);
gboolean        sm_alert_manager_resolve         (SmAlertManager  *self,
                                                  gint64           alert_id,
                                                  GError         **error);

/* An array of SmAlertInfo (pending, firing, acknowledged), oldest first. */
GPtrArray      *sm_alert_manager_list_active     (SmAlertManager  *self);
/* Firing and acknowledged alerts (not pending): the sidebar badge. */
guint           sm_alert_manager_count_active    (SmAlertManager  *self);
SmAlertEngine  *sm_alert_manager_get_engine      (SmAlertManager  *self);

/* Sends a test message through the stored channel (its secret from the
 * store) or, when channel->id is 0 or secret is given, through a
 * notifier built from channel and secret (the Preferences "Test" button
 * before saving). */
void            sm_alert_manager_test_channel_async  (SmAlertManager      *self,
                                                      const SmChannel     *channel,
                                                      const char          *secret,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean        sm_alert_manager_test_channel_finish (SmAlertManager      *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Completes once every notification sent so far has been delivered or
 * has failed (`--check-once` waits for this before it exits). */
void            sm_alert_manager_flush_async     (SmAlertManager      *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        sm_alert_manager_flush_finish    (SmAlertManager      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Notifications handed to channels and delivery failures so far. */
guint           sm_alert_manager_get_n_sent      (SmAlertManager  *self);
guint           sm_alert_manager_get_n_failed    (SmAlertManager  *self);
/* The last load, store or delivery error, or NULL. */
GError         *sm_alert_manager_dup_error       (SmAlertManager  *self);

/* Signals:
 *  ::changed ()                       active alerts or configuration changed
 *  ::open-server (gint64 server_id)   "Open" in a desktop notification
 *  ::delivery-failed (const char *channel, const GError *error)
 *                                     a channel could not deliver; the UI
 *                                     shows it once per channel and error
 */

G_END_DECLS
