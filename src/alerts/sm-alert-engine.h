/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-engine.h: evaluates alert rules against each poll, pure and
 * headless (no I/O, no clock: every call takes the time in unix seconds).
 *
 * The engine keeps one alert per (rule, server, concrete target); a
 * pattern rule such as "disk.*.used_percent" makes one alert per disk.
 *
 * Lifecycle: inactive -> pending (the condition is true; `for` has not
 * elapsed) -> firing (the condition held at every evaluation for `for`
 * seconds; one false evaluation, or an evaluation without the metric,
 * sends a pending alert back to inactive) -> resolved (the value is back
 * past the clear threshold: a ">" rule stays firing while value > clear).
 * A firing alert can be acknowledged (optional comment and expiry; on
 * expiry it is firing again and repeats and escalation go on) and resolved
 * by hand (if the condition still holds, the next evaluation starts a new
 * alert). A rule's `retries` is the number of consecutive failing
 * evaluations before the condition counts at all.
 *
 * Every transition is an SmAlertEvent (an alert_event row for the caller
 * to store); what should be told is an SmNotification with the rule's
 * channels. Notifications are held, never lost or stormed:
 *  - while the server's parent is down (its last evaluation was
 *    unreachable), in a maintenance window, or while the alert is
 *    flapping, nothing is sent; events carry the reason in `suppressed`;
 *  - quiet hours hold warnings; critical alerts are still sent;
 *  - a business-hours-only rule is evaluated only inside its schedule, and
 *    its firing alerts are held (no repeats, no escalation) outside it;
 *  - a firing alert whose notice was held is told once the hold ends (if
 *    it is still firing); a resolved notice is sent only for an alert
 *    whose firing notice was sent.
 * Flapping: the condition of the last 21 evaluations of an alert; the
 * share of changes between neighbours (out of 20) above 30 % starts
 * flapping (one FLAPPING notice), below 20 % stops it (then the alert's
 * current state is told if it differs from what was last told).
 * Repeat: while firing, unacknowledged and not held, a FIRING notice
 * again every repeat_seconds after the last one. Escalation: once per
 * alert, escalate_seconds after it started firing, if unacknowledged, an
 * ESCALATED notice to the rule's escalation channel.
 * Connectivity: while this computer is offline (sm_alert_engine_set_connectivity),
 * unreachable results do not count (pending unreachable alerts go back to
 * inactive); coming back online records a GAP event. Rounds
 * (begin_round/end_round) detect the same thing: when every server of a
 * round of two or more is unreachable, the round is a gap.
 */
#pragma once

#include <glib.h>

#include "sm-alert-rule.h"
#include "sm-notification.h"

G_BEGIN_DECLS

typedef enum {
  SM_ALERT_STATE_INACTIVE,
  SM_ALERT_STATE_PENDING,
  SM_ALERT_STATE_FIRING,
  SM_ALERT_STATE_ACKNOWLEDGED,
  SM_ALERT_STATE_RESOLVED,
} SmAlertState;

/* "inactive", "pending", "firing", "acknowledged", "resolved". */
const char *sm_alert_state_to_string (SmAlertState state);

typedef enum {
  SM_ALERT_EVENT_TRANSITION,        /* from -> to */
  SM_ALERT_EVENT_FLAPPING_STARTED,
  SM_ALERT_EVENT_FLAPPING_STOPPED,
  SM_ALERT_EVENT_ESCALATED,
  SM_ALERT_EVENT_GAP,               /* a monitoring gap: time is its start */
} SmAlertEventKind;

/* Why notifications were held when the event happened (bit flags). */
typedef enum {
  SM_ALERT_HELD_NONE        = 0,
  SM_ALERT_HELD_PARENT_DOWN = 1 << 0,
  SM_ALERT_HELD_MAINTENANCE = 1 << 1,
  SM_ALERT_HELD_FLAPPING    = 1 << 2,
  SM_ALERT_HELD_QUIET_HOURS = 1 << 3,
  SM_ALERT_HELD_OFF_HOURS   = 1 << 4,   /* outside a business-hours rule's schedule */
} SmAlertHeld;

typedef struct {
  SmAlertEventKind  kind;
  gint64            alert_id;    /* 0 for a gap */
  char             *rule_id;     /* NULL for a gap */
  char             *server_id;   /* NULL for a gap */
  char             *target;      /* the concrete metric or state */
  SmAlertState      from;
  SmAlertState      to;
  gint64            time;
  gint64            end_time;    /* a gap's end; else 0 */
  double            value;       /* NAN when none */
  SmAlertHeld       held;
  char             *message;     /* plain text */
  /* What the alert is, for storing it (unset for a gap). */
  char             *title;       /* "cpu.percent > 90", "Unreachable" */
  SmSeverity        severity;
  gint64            since;       /* when the alert became pending */
  gint64            firing_since;/* when it started firing (0: never) */
  char             *ack_comment; /* set on the transition to acknowledged */
  gint64            ack_expires;
  gboolean          told;        /* a FIRING notice for it went out */
} SmAlertEvent;

void sm_alert_event_free (SmAlertEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmAlertEvent, sm_alert_event_free)

typedef struct {
  const char *name;
  double      value;
} SmAlertMetric;

/* What one poll of one server found, borrowed for the call. */
typedef struct {
  const char          *server_id;
  const char          *server_name;
  const char          *group;          /* may be NULL */
  const char * const  *tags;           /* NULL-terminated, may be NULL */
  const char          *parent_id;      /* may be NULL */
  gboolean             reachable;
  gboolean             host_key_changed;
  gboolean             unit_failed;
  gboolean             container_not_running;
  const SmAlertMetric *metrics;
  guint                n_metrics;
  /* A service check's result ("check.<name>.up" and the like): only the
   * rules on "check." targets are evaluated, with these metrics; no other
   * alert of the server is touched, and it is never queued in a round.
   * Polls (partial FALSE) never evaluate "check." rules. */
  gboolean             partial;
} SmAlertInput;

typedef struct _SmAlertEngine SmAlertEngine;

/* tz: the time zone of every weekly schedule (NULL: local). */
SmAlertEngine *sm_alert_engine_new   (GTimeZone     *tz);
void           sm_alert_engine_free  (SmAlertEngine *engine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmAlertEngine, sm_alert_engine_free)

/* Alert ids go on from here (the caller restores it from storage). */
void     sm_alert_engine_set_next_alert_id (SmAlertEngine *engine,
                                            gint64         next_id);

/* Adds a copy; a rule with the same id is replaced (its alerts are kept
 * if the target is unchanged, dropped otherwise). Removing a rule drops
 * its alerts without events or notices. */
void     sm_alert_engine_add_rule     (SmAlertEngine     *engine,
                                       const SmAlertRule *rule);
gboolean sm_alert_engine_remove_rule  (SmAlertEngine     *engine,
                                       const char        *rule_id);

/* Weekly windows in the engine's time zone. server_id NULL: every server. */
void     sm_alert_engine_add_maintenance     (SmAlertEngine        *engine,
                                              const char           *server_id,
                                              const SmWeeklyWindow *window);
void     sm_alert_engine_clear_maintenance   (SmAlertEngine        *engine);
void     sm_alert_engine_add_quiet_hours     (SmAlertEngine        *engine,
                                              const SmWeeklyWindow *window);
void     sm_alert_engine_clear_quiet_hours   (SmAlertEngine        *engine);

/* Tells the engine a server's name and parent before its first poll (the
 * names of alerts restored at start, say); each poll updates them. */
void     sm_alert_engine_set_server   (SmAlertEngine      *engine,
                                       const char         *server_id,
                                       const char         *name,
                                       const char         *parent_id);

/* Evaluates every rule in scope for one poll and the timers (ack expiry,
 * repeat, escalation) of that server's alerts. events gets SmAlertEvent
 * items and notifications SmNotification items; both arrays are the
 * caller's, made with their free functions. Inside a round the poll is
 * queued (copied) and evaluated by end_round, at end_round's time. */
void     sm_alert_engine_evaluate     (SmAlertEngine      *engine,
                                       gint64              now,
                                       const SmAlertInput *input,
                                       GPtrArray          *events,
                                       GPtrArray          *notifications);

/* Timers of every alert, for when no poll comes (e.g. once a minute). */
void     sm_alert_engine_tick         (SmAlertEngine      *engine,
                                       gint64              now,
                                       GPtrArray          *events,
                                       GPtrArray          *notifications);

void     sm_alert_engine_begin_round  (SmAlertEngine      *engine);
void     sm_alert_engine_end_round    (SmAlertEngine      *engine,
                                       gint64              now,
                                       GPtrArray          *events,
                                       GPtrArray          *notifications);

/* This computer lost its network or went to sleep (online FALSE), or is
 * back (TRUE: a GAP event from the time it went offline to now). */
void     sm_alert_engine_set_connectivity (SmAlertEngine *engine,
                                           gint64         now,
                                           gboolean       online,
                                           GPtrArray     *events);
/* Records a gap the caller found itself. */
void     sm_alert_engine_note_gap     (SmAlertEngine      *engine,
                                       gint64              start,
                                       gint64              end,
                                       GPtrArray          *events);

/* FALSE with an error when the alert does not exist or is not firing.
 * expires_at 0: never. */
gboolean sm_alert_engine_acknowledge  (SmAlertEngine      *engine,
                                       gint64              now,
                                       gint64              alert_id,
                                       const char         *comment,
                                       gint64              expires_at,
                                       GPtrArray          *events,
                                       GError            **error);
/* FALSE with an error when the alert does not exist or is over. */
gboolean sm_alert_engine_resolve      (SmAlertEngine      *engine,
                                       gint64              now,
                                       gint64              alert_id,
                                       GPtrArray          *events,
                                       GPtrArray          *notifications,
                                       GError            **error);

/* The state of one alert (INACTIVE when there is none) and its id. */
SmAlertState sm_alert_engine_get_state (SmAlertEngine *engine,
                                        const char    *rule_id,
                                        const char    *server_id,
                                        const char    *target,
                                        gint64        *out_alert_id);
gboolean     sm_alert_engine_is_flapping (SmAlertEngine *engine,
                                          gint64         alert_id);
/* An alert as the alerts page and `--alerts` show it. */
typedef struct {
  gint64        alert_id;
  char         *rule_id;
  char         *server_id;
  char         *server_name;
  char         *target;       /* the concrete metric or state */
  char         *title;        /* "cpu.percent > 90", "Unreachable" */
  SmAlertState  state;
  SmSeverity    severity;
  gint64        since;        /* when it became pending or started firing */
  double        value;        /* the last value (1 or 0 for a state) */
  SmAlertHeld   held;         /* why its notices are held now */
  char         *ack_comment;  /* NULL unless acknowledged with a comment */
  gint64        ack_expires;  /* 0: never or not acknowledged */
} SmAlertInfo;

void sm_alert_info_free (SmAlertInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmAlertInfo, sm_alert_info_free)

/* The alerts pending, firing or acknowledged, in the order they were
 * first seen; held is worked out at now. An array of SmAlertInfo. */
GPtrArray   *sm_alert_engine_list_active  (SmAlertEngine *engine,
                                           gint64         now);
/* Puts back an alert that was open when the app last stopped (from the
 * store), so that it is neither told again nor lost: the rule must exist
 * (FALSE otherwise, and nothing is restored). state is pending, firing or
 * acknowledged; since is when it became pending, firing_since when it
 * started firing; told says whether its FIRING notice went out. Alert
 * ids are not reused (set_next_alert_id above the restored ones). */
gboolean     sm_alert_engine_restore      (SmAlertEngine *engine,
                                           gint64         alert_id,
                                           const char    *rule_id,
                                           const char    *server_id,
                                           const char    *target,
                                           SmAlertState   state,
                                           gint64         since,
                                           gint64         firing_since,
                                           double         value,
                                           const char    *ack_comment,
                                           gint64         ack_expires,
                                           gboolean       told);
/* Consecutive failing evaluations of an alert that is not open (fewer
 * than its rule's retries), so that a process that polls once and exits
 * (`--check-once` from cron) counts retries across runs. */
typedef struct {
  char  *rule_id;
  char  *server_id;
  char  *target;
  guint  failures;
} SmAlertCounter;

void sm_alert_counter_free (SmAlertCounter *counter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmAlertCounter, sm_alert_counter_free)

/* An array of SmAlertCounter, one per alert that is not open and has
 * failures > 0. */
GPtrArray   *sm_alert_engine_list_counters   (SmAlertEngine        *engine);
/* FALSE (nothing changed) when the rule is gone or the alert is open. */
gboolean     sm_alert_engine_restore_counter (SmAlertEngine        *engine,
                                              const SmAlertCounter *counter);
/* Number of alerts pending, firing or acknowledged. */
guint        sm_alert_engine_count_active (SmAlertEngine *engine);

G_END_DECLS
