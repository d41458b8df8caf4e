/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-store.h: alert rules, notification channels, quiet hours and
 * maintenance windows, alerts and their events, in the store's database
 * (migration 7). Main thread only, like the rest of SmStore.
 *
 * Rules are kept as JSON (sm_alert_rule_to_json); a rule scoped to one
 * server has scope_value = the server's id in decimal and goes when the
 * server goes. A new server gets sm_alert_rules_new_defaults() from
 * sm_store_save_server.
 *
 * Channel secrets are encrypted with the vault like server secrets
 * (associated data "channel:<name-independent row uuid>") and are never
 * read back except by sm_store_load_channel_secret.
 */
#pragma once

#include <gio/gio.h>

#include "sm-alert-engine.h"
#include "sm-alert-rule.h"
#include "sm-channel.h"
#include "sm-store.h"

G_BEGIN_DECLS

/* Rules. An array of SmAlertRule in the order they were first saved. */
GPtrArray  *sm_store_list_rules          (SmStore            *self,
                                          GError            **error);
/* Inserts or replaces the rule with rule->id. SM_STORE_ERROR_INVALID with
 * "field: problem" when sm_alert_rule_validate fails, when a server scope
 * names no stored server, or when a channel it names does not exist. */
gboolean    sm_store_save_rule           (SmStore            *self,
                                          const SmAlertRule  *rule,
                                          GError            **error);
/* SM_STORE_ERROR_NOT_FOUND when there is no such rule. */
gboolean    sm_store_delete_rule         (SmStore            *self,
                                          const char         *rule_id,
                                          GError            **error);
/* Channels, ordered by name (case-insensitive). An array of SmChannel. */
GPtrArray  *sm_store_list_channels       (SmStore            *self,
                                          GError            **error);
/* NULL without error when there is none (case-insensitive). */
SmChannel  *sm_store_find_channel        (SmStore            *self,
                                          const char         *name,
                                          GError            **error);
/* Inserts (id 0: sets id) or updates; validates with sm_channel_validate
 * (SM_STORE_ERROR_INVALID), SM_STORE_ERROR_DUPLICATE for a taken name.
 * action says what happens to the stored secret (SET needs a vault).
 * Updates channel->has_secret. Renaming a channel renames it in the rules
 * that name it. */
gboolean    sm_store_save_channel        (SmStore            *self,
                                          SmChannel          *channel,
                                          SmSecretAction      action,
                                          const char         *secret,
                                          GError            **error);
/* Deleting a channel removes it from the rules that name it. */
gboolean    sm_store_delete_channel      (SmStore            *self,
                                          gint64              id,
                                          GError            **error);
/* NULL with no error when none is stored; SM_VAULT_ERROR_UNAVAILABLE when
 * it cannot be decrypted. Free with sm_secret_free. */
char       *sm_store_load_channel_secret (SmStore            *self,
                                          const SmChannel    *channel,
                                          GError            **error);

/* Quiet hours (global) and maintenance windows (one server or all). */
typedef enum {
  SM_WINDOW_QUIET_HOURS,
  SM_WINDOW_MAINTENANCE,
} SmWindowKind;

typedef struct {
  gint64          id;         /* 0 until stored */
  SmWindowKind    kind;
  gint64          server_id;  /* maintenance only; 0: every server */
  SmWeeklyWindow  window;
  char           *comment;    /* may be NULL */
} SmAlertWindow;

SmAlertWindow *sm_alert_window_new  (SmWindowKind         kind);
SmAlertWindow *sm_alert_window_copy (const SmAlertWindow *window);
void           sm_alert_window_free (SmAlertWindow       *window);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmAlertWindow, sm_alert_window_free)

/* An array of SmAlertWindow ordered by kind, then id. */
GPtrArray  *sm_store_list_windows        (SmStore            *self,
                                          GError            **error);
/* Inserts (id 0: sets id) or updates; SM_STORE_ERROR_INVALID when
 * sm_weekly_window_validate fails or the server does not exist. */
gboolean    sm_store_save_window         (SmStore            *self,
                                          SmAlertWindow      *window,
                                          GError            **error);
gboolean    sm_store_delete_window       (SmStore            *self,
                                          gint64              id,
                                          GError            **error);

/* Alerts and their events. Every SmAlertEvent the engine produces is one
 * alert_events row; the alerts table keeps each alert's latest state so
 * that active alerts survive a restart. */
gboolean    sm_store_record_alert_events (SmStore            *self,
                                          GPtrArray          *events,
                                          GError            **error);
/* Records which alerts' FIRING notices went out (an array of
 * SmNotification from the same evaluation), so that a restart neither
 * tells them again nor forgets to. */
gboolean    sm_store_note_notifications  (SmStore            *self,
                                          GPtrArray          *notifications,
                                          GError            **error);
/* The highest alert id ever stored (0 when none). */
gint64      sm_store_get_max_alert_id    (SmStore            *self,
                                          GError            **error);
/* The alerts whose latest state is pending, firing or acknowledged, as
 * SmAlertInfo (oldest first). */
GPtrArray  *sm_store_list_open_alerts    (SmStore            *self,
                                          GError            **error);

/* Puts the open alerts back into engine (sm_alert_engine_restore; the
 * engine must have its rules); those whose rule is gone are marked
 * resolved at now. */
gboolean    sm_store_restore_open_alerts (SmStore            *self,
                                          SmAlertEngine      *engine,
                                          gint64              now,
                                          guint              *out_restored,
                                          GError            **error);

/* Retry counters of alerts that are not open yet (see SmAlertCounter):
 * saving replaces every stored counter. Counters of servers that are gone
 * are dropped. */
gboolean    sm_store_save_alert_counters (SmStore            *self,
                                          GPtrArray          *counters,
                                          GError            **error);
/* An array of SmAlertCounter. */
GPtrArray  *sm_store_list_alert_counters (SmStore            *self,
                                          GError            **error);

/* One stored event with what the history list shows. */
typedef struct {
  gint64            id;
  gint64            alert_id;     /* 0 for a gap */
  gint64            server_id;    /* 0 for a gap */
  char             *server_name;  /* NULL for a gap or a deleted server */
  char             *rule_id;
  char             *target;
  char             *title;        /* "cpu.percent > 90", "Unreachable" */
  SmSeverity        severity;
  SmAlertEventKind  kind;
  SmAlertState      from;
  SmAlertState      to;
  gint64            time;
  gint64            end_time;     /* a gap's end, else 0 */
  double            value;        /* NAN when none */
  SmAlertHeld       held;
  char             *message;
} SmAlertEventRow;

void sm_alert_event_row_free (SmAlertEventRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmAlertEventRow, sm_alert_event_row_free)

typedef struct {
  gint64      server_id;     /* 0: every server */
  int         severity;      /* -1: any; else an SmSeverity */
  gint64      since;         /* 0: no lower bound (unix seconds, inclusive) */
  gint64      until;         /* 0: no upper bound (exclusive) */
  gboolean    include_gaps;  /* gaps have no server or severity */
  guint       limit;         /* 0: 1000 */
} SmAlertEventFilter;

void        sm_alert_event_filter_init   (SmAlertEventFilter *filter);
/* Newest first. An array of SmAlertEventRow. */
GPtrArray  *sm_store_list_alert_events   (SmStore                  *self,
                                          const SmAlertEventFilter *filter,
                                          GError                  **error);

G_END_DECLS
