/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-engine.c: alert states, transitions and what to tell. */

#include "config.h"

#include <glib/gi18n.h>

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "sm-alert-engine.h"

/* Flapping: Nagios style, over the last 21 evaluations of an alert. */
#define FLAP_WINDOW      21
#define FLAP_START_PCT   30
#define FLAP_STOP_PCT    20

typedef struct {
  char         *key;          /* rule id, server id and target */
  char         *rule_id;
  SmAlertRule  *rule;         /* the engine's copy */
  char         *server_id;
  char         *target;
  gint64        id;           /* 0 until the first episode */
  SmAlertState  state;
  guint         failures;     /* consecutive failing evaluations */
  gint64        pending_since;
  gint64        firing_since;
  gint64        last_told;    /* the last FIRING notice */
  gint64        ack_expires;  /* 0: never */
  char         *ack_comment;
  double        value;
  guint32       history;      /* bit 0 is the latest evaluation */
  guint         n_history;
  gboolean      flapping;
  gboolean      told_firing;  /* a FIRING notice went out and no RESOLVED yet */
  gint64        told_id;      /* the alert id that FIRING notice was about */
  gboolean      escalated;
  gboolean      seen;         /* evaluated in the current poll */
} Alert;

typedef struct {
  char     *name;
  char     *parent_id;
  gboolean  down;             /* its last counted evaluation was unreachable */
} Server;

typedef struct {
  char           *server_id;  /* NULL: every server */
  SmWeeklyWindow  window;
} Maintenance;

/* A poll queued inside a round, with copies of everything it borrows. */
typedef struct {
  SmAlertInput  input;
  char         *server_id;
  char         *server_name;
  char         *group;
  char        **tags;
  char         *parent_id;
  SmAlertMetric *metrics;
  char        **metric_names;
} Queued;

struct _SmAlertEngine {
  GTimeZone  *tz;
  GPtrArray  *rules;          /* SmAlertRule */
  GPtrArray  *alerts;         /* Alert, in creation order (deterministic) */
  GHashTable *index;          /* key -> Alert */
  GHashTable *servers;        /* server id -> Server */
  GPtrArray  *maintenance;    /* Maintenance */
  GArray     *quiet;          /* SmWeeklyWindow */
  gint64      next_id;
  gboolean    online;
  gint64      gap_since;      /* 0: no gap under way */
  gboolean    in_round;
  GPtrArray  *queued;         /* Queued */
};

/* Messages. Every text the engine produces is built here, translated
 * (stored events keep the language they were made in). */

static char *
describe_target (const SmAlertRule *rule,
                 const char        *target)
{
  return sm_alert_describe_condition (rule, target);
}

static char *
describe_value (const Alert *alert)
{
  if (sm_alert_target_is_state (alert->target) || isnan (alert->value))
    return NULL;
  return g_strdup_printf (_("Value %g"), alert->value);
}

static char *
transition_message (const Alert  *alert,
                    SmAlertState  from,
                    SmAlertState  to,
                    const char   *why)
{
  g_autofree char *what = describe_target (alert->rule, alert->target);
  g_autofree char *value = describe_value (alert);
  GString *message = g_string_new (NULL);

  g_string_append_printf (message, "%s: %s -> %s", what,
                          sm_alert_state_to_string (from),
                          sm_alert_state_to_string (to));
  if (value != NULL)
    g_string_append_printf (message, " (%s)", value);
  if (why != NULL)
    g_string_append_printf (message, ": %s", why);
  return g_string_free (message, FALSE);
}

static const char *
title_prefix (SmNotificationKind kind,
              gboolean           repeat)
{
  switch (kind)
    {
    case SM_NOTIFICATION_FIRING:
      return repeat ? _("Still firing: ") : "";
    case SM_NOTIFICATION_ESCALATED:
      return _("Unacknowledged: ");
    case SM_NOTIFICATION_RESOLVED:
      return _("Resolved: ");
    case SM_NOTIFICATION_FLAPPING:
      return _("Flapping: ");
    case SM_NOTIFICATION_TEST:
    default:
      return "";
    }
}

static const char *
flapping_body (void)
{
  return _("Its state keeps changing; notices are paused until it settles.");
}

static const char *
gap_message (void)
{
  return _("Monitoring gap: this computer was offline or every server failed at once; "
           "unreachable results in it were not counted");
}

/* End of messages. */

const char *
sm_alert_state_to_string (SmAlertState state)
{
  switch (state)
    {
    case SM_ALERT_STATE_INACTIVE:
      return "inactive";
    case SM_ALERT_STATE_PENDING:
      return "pending";
    case SM_ALERT_STATE_FIRING:
      return "firing";
    case SM_ALERT_STATE_ACKNOWLEDGED:
      return "acknowledged";
    case SM_ALERT_STATE_RESOLVED:
      return "resolved";
    default:
      g_return_val_if_reached ("inactive");
    }
}

void
sm_alert_event_free (SmAlertEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->rule_id);
  g_free (event->server_id);
  g_free (event->target);
  g_free (event->message);
  g_free (event->title);
  g_free (event->ack_comment);
  g_free (event);
}

static void
alert_free (Alert *alert)
{
  g_free (alert->key);
  g_free (alert->rule_id);
  g_free (alert->server_id);
  g_free (alert->target);
  g_free (alert->ack_comment);
  g_free (alert);
}

static void
server_free (Server *server)
{
  g_free (server->name);
  g_free (server->parent_id);
  g_free (server);
}

static void
maintenance_free (Maintenance *maintenance)
{
  g_free (maintenance->server_id);
  g_free (maintenance);
}

static void
queued_free (Queued *queued)
{
  g_free (queued->server_id);
  g_free (queued->server_name);
  g_free (queued->group);
  g_strfreev (queued->tags);
  g_free (queued->parent_id);
  g_free (queued->metrics);
  g_strfreev (queued->metric_names);
  g_free (queued);
}

SmAlertEngine *
sm_alert_engine_new (GTimeZone *tz)
{
  SmAlertEngine *engine = g_new0 (SmAlertEngine, 1);

  engine->tz = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  engine->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_rule_free);
  engine->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) alert_free);
  engine->index = g_hash_table_new (g_str_hash, g_str_equal);
  engine->servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) server_free);
  engine->maintenance = g_ptr_array_new_with_free_func ((GDestroyNotify) maintenance_free);
  engine->quiet = g_array_new (FALSE, FALSE, sizeof (SmWeeklyWindow));
  engine->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) queued_free);
  engine->next_id = 1;
  engine->online = TRUE;
  return engine;
}

void
sm_alert_engine_free (SmAlertEngine *engine)
{
  if (engine == NULL)
    return;
  g_clear_pointer (&engine->index, g_hash_table_unref);
  g_clear_pointer (&engine->alerts, g_ptr_array_unref);
  g_clear_pointer (&engine->rules, g_ptr_array_unref);
  g_clear_pointer (&engine->servers, g_hash_table_unref);
  g_clear_pointer (&engine->maintenance, g_ptr_array_unref);
  g_clear_pointer (&engine->quiet, g_array_unref);
  g_clear_pointer (&engine->queued, g_ptr_array_unref);
  g_clear_pointer (&engine->tz, g_time_zone_unref);
  g_free (engine);
}

void
sm_alert_engine_set_next_alert_id (SmAlertEngine *engine,
                                   gint64         next_id)
{
  g_return_if_fail (engine != NULL);
  g_return_if_fail (next_id > 0);

  engine->next_id = next_id;
}

static void
remove_alerts_of_rule (SmAlertEngine *engine,
                       const char    *rule_id)
{
  for (guint i = engine->alerts->len; i > 0; i--)
    {
      Alert *alert = g_ptr_array_index (engine->alerts, i - 1);

      if (g_str_equal (alert->rule_id, rule_id))
        {
          g_hash_table_remove (engine->index, alert->key);
          g_ptr_array_remove_index (engine->alerts, i - 1);
        }
    }
}

static SmAlertRule *
find_rule (SmAlertEngine *engine,
           const char    *rule_id,
           guint         *out_index)
{
  for (guint i = 0; i < engine->rules->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (engine->rules, i);

      if (g_str_equal (rule->id, rule_id))
        {
          if (out_index != NULL)
            *out_index = i;
          return rule;
        }
    }
  return NULL;
}

void
sm_alert_engine_add_rule (SmAlertEngine     *engine,
                          const SmAlertRule *rule)
{
  SmAlertRule *copy;
  SmAlertRule *old;
  guint index = 0;

  g_return_if_fail (engine != NULL);
  g_return_if_fail (rule != NULL && rule->id != NULL && rule->target != NULL);

  copy = sm_alert_rule_copy (rule);
  old = find_rule (engine, rule->id, &index);
  if (old == NULL)
    {
      g_ptr_array_add (engine->rules, copy);
      return;
    }

  if (!g_str_equal (old->target, rule->target))
    remove_alerts_of_rule (engine, rule->id);
  for (guint i = 0; i < engine->alerts->len; i++)
    {
      Alert *alert = g_ptr_array_index (engine->alerts, i);

      if (alert->rule == old)
        alert->rule = copy;
    }
  g_ptr_array_index (engine->rules, index) = copy;
  sm_alert_rule_free (old);
}

gboolean
sm_alert_engine_remove_rule (SmAlertEngine *engine,
                             const char    *rule_id)
{
  guint index = 0;

  g_return_val_if_fail (engine != NULL, FALSE);
  g_return_val_if_fail (rule_id != NULL, FALSE);

  if (find_rule (engine, rule_id, &index) == NULL)
    return FALSE;
  remove_alerts_of_rule (engine, rule_id);
  g_ptr_array_remove_index (engine->rules, index);
  return TRUE;
}

void
sm_alert_engine_add_maintenance (SmAlertEngine        *engine,
                                 const char           *server_id,
                                 const SmWeeklyWindow *window)
{
  Maintenance *maintenance;

  g_return_if_fail (engine != NULL);
  g_return_if_fail (window != NULL);

  maintenance = g_new0 (Maintenance, 1);
  maintenance->server_id = g_strdup (server_id);
  maintenance->window = *window;
  g_ptr_array_add (engine->maintenance, maintenance);
}

void
sm_alert_engine_clear_maintenance (SmAlertEngine *engine)
{
  g_return_if_fail (engine != NULL);

  g_ptr_array_set_size (engine->maintenance, 0);
}

void
sm_alert_engine_add_quiet_hours (SmAlertEngine        *engine,
                                 const SmWeeklyWindow *window)
{
  g_return_if_fail (engine != NULL);
  g_return_if_fail (window != NULL);

  g_array_append_val (engine->quiet, *window);
}

void
sm_alert_engine_clear_quiet_hours (SmAlertEngine *engine)
{
  g_return_if_fail (engine != NULL);

  g_array_set_size (engine->quiet, 0);
}

static GDateTime *
local_time (SmAlertEngine *engine,
            gint64         now)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now);

  return g_date_time_to_timezone (utc, engine->tz);
}

static gboolean
windows_contain (const GArray *windows,
                 GDateTime    *local)
{
  for (guint i = 0; windows != NULL && i < windows->len; i++)
    {
      if (sm_weekly_window_contains (&g_array_index (windows, SmWeeklyWindow, i), local))
        return TRUE;
    }
  return FALSE;
}

/* Why notices about this alert are held at local time. */
static SmAlertHeld
held_for (SmAlertEngine *engine,
          const Alert   *alert,
          GDateTime     *local)
{
  SmAlertHeld held = SM_ALERT_HELD_NONE;
  Server *server = g_hash_table_lookup (engine->servers, alert->server_id);

  if (server != NULL && server->parent_id != NULL)
    {
      Server *parent = g_hash_table_lookup (engine->servers, server->parent_id);

      if (parent != NULL && parent->down)
        held |= SM_ALERT_HELD_PARENT_DOWN;
    }

  for (guint i = 0; i < engine->maintenance->len; i++)
    {
      Maintenance *maintenance = g_ptr_array_index (engine->maintenance, i);

      if ((maintenance->server_id == NULL ||
           g_str_equal (maintenance->server_id, alert->server_id)) &&
          sm_weekly_window_contains (&maintenance->window, local))
        held |= SM_ALERT_HELD_MAINTENANCE;
    }

  if (alert->flapping)
    held |= SM_ALERT_HELD_FLAPPING;

  /* Quiet hours hold warnings only: a critical alert is worth a wake-up. */
  if (alert->rule->severity == SM_SEVERITY_WARNING && windows_contain (engine->quiet, local))
    held |= SM_ALERT_HELD_QUIET_HOURS;

  if (alert->rule->business_hours != NULL && alert->rule->business_hours->len > 0 &&
      !windows_contain (alert->rule->business_hours, local))
    held |= SM_ALERT_HELD_OFF_HOURS;

  return held;
}

static void
add_event (GPtrArray        *events,
           SmAlertEventKind  kind,
           const Alert      *alert,
           SmAlertState      from,
           SmAlertState      to,
           gint64            now,
           SmAlertHeld       held,
           char             *message)
{
  SmAlertEvent *event = g_new0 (SmAlertEvent, 1);

  event->kind = kind;
  event->alert_id = alert->id;
  event->rule_id = g_strdup (alert->rule_id);
  event->server_id = g_strdup (alert->server_id);
  event->target = g_strdup (alert->target);
  event->from = from;
  event->to = to;
  event->time = now;
  event->value = alert->value;
  event->held = held;
  event->message = message;
  event->title = describe_target (alert->rule, alert->target);
  event->severity = alert->rule->severity;
  event->since = alert->pending_since;
  event->firing_since = alert->firing_since;
  event->ack_comment = g_strdup (alert->ack_comment);
  event->ack_expires = alert->ack_expires;
  event->told = alert->told_firing && alert->told_id == alert->id;
  if (events != NULL)
    g_ptr_array_add (events, event);
  else
    sm_alert_event_free (event);
}

static void
transition (SmAlertEngine *engine,
            Alert         *alert,
            SmAlertState   to,
            gint64         now,
            const char    *why,
            GDateTime     *local,
            GPtrArray     *events)
{
  SmAlertState from = alert->state;

  if ((from == SM_ALERT_STATE_INACTIVE || from == SM_ALERT_STATE_RESOLVED) &&
      (to == SM_ALERT_STATE_PENDING || to == SM_ALERT_STATE_FIRING))
    {
      alert->id = engine->next_id++;
      alert->escalated = FALSE;
      alert->ack_expires = 0;
      g_clear_pointer (&alert->ack_comment, g_free);
      alert->pending_since = now;
    }
  if (to == SM_ALERT_STATE_FIRING && from != SM_ALERT_STATE_ACKNOWLEDGED)
    alert->firing_since = now;

  alert->state = to;
  add_event (events, SM_ALERT_EVENT_TRANSITION, alert, from, to, now,
             held_for (engine, alert, local),
             transition_message (alert, from, to, why));
}

static void
notify (Alert              *alert,
        const char         *server_name,
        SmNotificationKind  kind,
        gboolean            repeat,
        gint64              now,
        GPtrArray          *notifications)
{
  g_autofree char *what = describe_target (alert->rule, alert->target);
  g_autofree char *title = g_strconcat (title_prefix (kind, repeat), what, NULL);
  g_autofree char *body = NULL;
  SmNotification *notification;

  if (kind == SM_NOTIFICATION_FLAPPING)
    body = g_strdup (flapping_body ());
  else
    body = describe_value (alert);

  notification = sm_notification_new (kind, alert->rule->severity, server_name, title, body);
  /* A resolved notice is about the alert that was told, which may be an
   * earlier episode when the later ones were held. */
  notification->alert_id = kind == SM_NOTIFICATION_RESOLVED ? alert->told_id : alert->id;
  notification->time = now;
  if (!sm_alert_target_is_state (alert->target))
    notification->value = alert->value;
  if (kind == SM_NOTIFICATION_ESCALATED)
    {
      const char *channels[] = { alert->rule->escalation_channel, NULL };

      notification->channels = g_strdupv ((char **) channels);
    }
  else
    {
      notification->channels = g_strdupv (alert->rule->channels);
    }
  if (notifications != NULL)
    g_ptr_array_add (notifications, notification);
  else
    sm_notification_free (notification);
}

static const char *
server_name_of (SmAlertEngine *engine,
                const Alert   *alert)
{
  Server *server = g_hash_table_lookup (engine->servers, alert->server_id);

  return server != NULL && server->name != NULL ? server->name : alert->server_id;
}

/* "check.<name>.<metric>": fed by service check results, not polls. */
static gboolean
is_check_target (const char *target)
{
  return g_str_has_prefix (target, "check.");
}

static Server *
set_server (SmAlertEngine *engine,
            const char    *server_id,
            const char    *name,
            const char    *parent_id)
{
  Server *server = g_hash_table_lookup (engine->servers, server_id);

  if (server == NULL)
    {
      server = g_new0 (Server, 1);
      g_hash_table_insert (engine->servers, g_strdup (server_id), server);
    }
  g_free (server->name);
  server->name = g_strdup (name);
  g_free (server->parent_id);
  server->parent_id = g_strdup (parent_id);
  return server;
}

void
sm_alert_engine_set_server (SmAlertEngine *engine,
                            const char    *server_id,
                            const char    *name,
                            const char    *parent_id)
{
  g_return_if_fail (engine != NULL);
  g_return_if_fail (server_id != NULL);

  set_server (engine, server_id, name, parent_id);
}

/* Ack expiry, telling what was held, repeats and escalation. */
static void
run_timers (SmAlertEngine *engine,
            Alert         *alert,
            gint64         now,
            GDateTime     *local,
            GPtrArray     *events,
            GPtrArray     *notifications)
{
  const SmAlertRule *rule = alert->rule;
  const char *name = server_name_of (engine, alert);
  SmAlertHeld held;

  if (alert->state == SM_ALERT_STATE_ACKNOWLEDGED &&
      alert->ack_expires > 0 && now >= alert->ack_expires)
    {
      alert->ack_expires = 0;
      transition (engine, alert, SM_ALERT_STATE_FIRING, now, "acknowledgement expired",
                  local, events);
      /* Tell it again: the one who acknowledged it asked to be reminded. */
      alert->told_firing = FALSE;
    }

  held = held_for (engine, alert, local);
  if (held != SM_ALERT_HELD_NONE)
    return;

  if (alert->state == SM_ALERT_STATE_FIRING && !alert->told_firing)
    {
      notify (alert, name, SM_NOTIFICATION_FIRING, FALSE, now, notifications);
      alert->told_firing = TRUE;
      alert->told_id = alert->id;
      alert->last_told = now;
    }
  else if (alert->state == SM_ALERT_STATE_FIRING && rule->repeat_seconds > 0 &&
           now - alert->last_told >= rule->repeat_seconds)
    {
      notify (alert, name, SM_NOTIFICATION_FIRING, TRUE, now, notifications);
      alert->last_told = now;
    }
  else if (alert->state != SM_ALERT_STATE_FIRING &&
           alert->state != SM_ALERT_STATE_ACKNOWLEDGED && alert->told_firing)
    {
      notify (alert, name, SM_NOTIFICATION_RESOLVED, FALSE, now, notifications);
      alert->told_firing = FALSE;
    }

  if (alert->state == SM_ALERT_STATE_FIRING && rule->escalate_seconds > 0 &&
      !alert->escalated && now - alert->firing_since >= rule->escalate_seconds)
    {
      alert->escalated = TRUE;
      add_event (events, SM_ALERT_EVENT_ESCALATED, alert, alert->state, alert->state, now,
                 held, g_strdup_printf (_("Escalated to %s"), rule->escalation_channel));
      notify (alert, name, SM_NOTIFICATION_ESCALATED, FALSE, now, notifications);
    }
}

static guint
flap_percent (const Alert *alert)
{
  guint changes = 0;

  for (guint i = 0; i + 1 < alert->n_history; i++)
    {
      if (((alert->history >> i) & 1) != ((alert->history >> (i + 1)) & 1))
        changes++;
    }
  return changes * 100 / (FLAP_WINDOW - 1);
}

static Alert *
lookup_alert (SmAlertEngine *engine,
              SmAlertRule   *rule,
              const char    *server_id,
              const char    *target)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s\n%s", rule->id, server_id, target);
  Alert *alert = g_hash_table_lookup (engine->index, key);

  if (alert != NULL)
    return alert;

  alert = g_new0 (Alert, 1);
  alert->key = g_steal_pointer (&key);
  alert->rule_id = g_strdup (rule->id);
  alert->rule = rule;
  alert->server_id = g_strdup (server_id);
  alert->target = g_strdup (target);
  alert->state = SM_ALERT_STATE_INACTIVE;
  alert->value = NAN;
  g_ptr_array_add (engine->alerts, alert);
  g_hash_table_insert (engine->index, alert->key, alert);
  return alert;
}

static void
evaluate_target (SmAlertEngine *engine,
                 SmAlertRule   *rule,
                 const char    *server_id,
                 const char    *target,
                 double         value,
                 gint64         now,
                 GDateTime     *local,
                 GPtrArray     *events,
                 GPtrArray     *notifications)
{
  Alert *alert = lookup_alert (engine, rule, server_id, target);
  gboolean active = alert->state == SM_ALERT_STATE_FIRING ||
                    alert->state == SM_ALERT_STATE_ACKNOWLEDGED;
  gboolean bad;
  gboolean hard;
  gboolean was_flapping = alert->flapping;
  guint percent;

  alert->seen = TRUE;
  alert->value = value;

  if (sm_alert_rule_is_state (rule))
    bad = value != 0;
  else if (active)
    bad = sm_alert_op_compare (rule->op, value, sm_alert_rule_get_clear_threshold (rule));
  else
    bad = sm_alert_op_compare (rule->op, value, rule->threshold);

  alert->failures = bad ? alert->failures + 1 : 0;
  hard = bad && alert->failures >= rule->retries;

  alert->history = (alert->history << 1) | (hard ? 1 : 0);
  alert->n_history = MIN (alert->n_history + 1, FLAP_WINDOW);
  percent = flap_percent (alert);
  if (!alert->flapping && percent > FLAP_START_PCT)
    alert->flapping = TRUE;
  else if (alert->flapping && percent < FLAP_STOP_PCT)
    alert->flapping = FALSE;

  switch (alert->state)
    {
    case SM_ALERT_STATE_INACTIVE:
    case SM_ALERT_STATE_RESOLVED:
      if (hard)
        transition (engine, alert,
                    rule->for_seconds > 0 ? SM_ALERT_STATE_PENDING : SM_ALERT_STATE_FIRING,
                    now, NULL, local, events);
      break;
    case SM_ALERT_STATE_PENDING:
      if (!hard)
        transition (engine, alert, SM_ALERT_STATE_INACTIVE, now, NULL, local, events);
      else if (now - alert->pending_since >= rule->for_seconds)
        transition (engine, alert, SM_ALERT_STATE_FIRING, now, NULL, local, events);
      break;
    case SM_ALERT_STATE_FIRING:
    case SM_ALERT_STATE_ACKNOWLEDGED:
      if (!bad)
        transition (engine, alert, SM_ALERT_STATE_RESOLVED, now, NULL, local, events);
      break;
    default:
      g_assert_not_reached ();
    }

  if (alert->flapping != was_flapping)
    {
      SmAlertHeld held = held_for (engine, alert, local);

      add_event (events,
                 alert->flapping ? SM_ALERT_EVENT_FLAPPING_STARTED
                                 : SM_ALERT_EVENT_FLAPPING_STOPPED,
                 alert, alert->state, alert->state, now, held,
                 g_strdup_printf ("%s (%u %% state changes)",
                                  alert->flapping ? _("Flapping started") : _("Flapping stopped"),
                                  percent));
      if (alert->flapping && (held & ~SM_ALERT_HELD_FLAPPING) == 0)
        notify (alert, server_name_of (engine, alert), SM_NOTIFICATION_FLAPPING, FALSE, now,
                notifications);
    }
}

static gboolean
rule_in_scope (const SmAlertRule  *rule,
               const SmAlertInput *input)
{
  switch (rule->scope)
    {
    case SM_ALERT_SCOPE_ALL:
      return TRUE;
    case SM_ALERT_SCOPE_SERVER:
      return g_strcmp0 (rule->scope_value, input->server_id) == 0;
    case SM_ALERT_SCOPE_GROUP:
      return input->group != NULL && g_strcmp0 (rule->scope_value, input->group) == 0;
    case SM_ALERT_SCOPE_TAG:
      return input->tags != NULL && rule->scope_value != NULL &&
             g_strv_contains (input->tags, rule->scope_value);
    default:
      return FALSE;
    }
}

/* gap: unreachable results do not count (this computer is offline, or
 * every server failed at once). */
static void
process_input (SmAlertEngine      *engine,
               gint64              now,
               const SmAlertInput *input,
               gboolean            gap,
               GPtrArray          *events,
               GPtrArray          *notifications)
{
  g_autoptr(GDateTime) local = local_time (engine, now);
  Server *server = set_server (engine, input->server_id, input->server_name, input->parent_id);
  if (!gap && !input->partial)
    server->down = !input->reachable;

  for (guint i = 0; i < engine->alerts->len; i++)
    {
      Alert *alert = g_ptr_array_index (engine->alerts, i);

      if (g_str_equal (alert->server_id, input->server_id))
        alert->seen = FALSE;
    }

  for (guint r = 0; r < engine->rules->len; r++)
    {
      SmAlertRule *rule = g_ptr_array_index (engine->rules, r);

      if (!rule->enabled || !rule_in_scope (rule, input))
        continue;
      /* Service check results are about their own targets only; a poll
       * is about everything else. */
      if (input->partial != is_check_target (rule->target))
        continue;
      if (rule->business_hours != NULL && rule->business_hours->len > 0 &&
          !windows_contain (rule->business_hours, local))
        continue;

      if (input->partial)
        {
          for (guint m = 0; m < input->n_metrics; m++)
            {
              const SmAlertMetric *metric = &input->metrics[m];

              if (metric->name != NULL && sm_alert_target_matches (rule->target, metric->name))
                evaluate_target (engine, rule, input->server_id, metric->name, metric->value,
                                 now, local, events, notifications);
            }
        }
      else if (g_str_equal (rule->target, "state.unreachable"))
        {
          if (!(gap && !input->reachable))
            evaluate_target (engine, rule, input->server_id, rule->target,
                             input->reachable ? 0 : 1, now, local, events, notifications);
        }
      else if (g_str_equal (rule->target, "state.host_key_changed"))
        {
          evaluate_target (engine, rule, input->server_id, rule->target,
                           input->host_key_changed ? 1 : 0, now, local, events, notifications);
        }
      else if (!input->reachable)
        {
          /* Nothing else is known about a server that did not answer. */
          continue;
        }
      else if (g_str_equal (rule->target, "state.unit_failed"))
        {
          evaluate_target (engine, rule, input->server_id, rule->target,
                           input->unit_failed ? 1 : 0, now, local, events, notifications);
        }
      else if (g_str_equal (rule->target, "state.container_not_running"))
        {
          evaluate_target (engine, rule, input->server_id, rule->target,
                           input->container_not_running ? 1 : 0, now, local, events,
                           notifications);
        }
      else
        {
          for (guint m = 0; m < input->n_metrics; m++)
            {
              const SmAlertMetric *metric = &input->metrics[m];

              if (metric->name != NULL && sm_alert_target_matches (rule->target, metric->name))
                evaluate_target (engine, rule, input->server_id, metric->name, metric->value,
                                 now, local, events, notifications);
            }
        }
    }

  /* An alert not evaluated this time has not held its condition at every
   * evaluation: a pending one starts over. */
  for (guint i = 0; i < engine->alerts->len; i++)
    {
      Alert *alert = g_ptr_array_index (engine->alerts, i);

      if (!g_str_equal (alert->server_id, input->server_id) || alert->seen ||
          input->partial || is_check_target (alert->target))
        continue;
      alert->failures = 0;
      if (alert->state == SM_ALERT_STATE_PENDING)
        transition (engine, alert, SM_ALERT_STATE_INACTIVE, now, "not evaluated", local, events);
    }

  for (guint i = 0; i < engine->alerts->len; i++)
    {
      Alert *alert = g_ptr_array_index (engine->alerts, i);

      if (g_str_equal (alert->server_id, input->server_id))
        run_timers (engine, alert, now, local, events, notifications);
    }
}

static Queued *
queued_new (const SmAlertInput *input)
{
  Queued *queued = g_new0 (Queued, 1);

  queued->input = *input;
  queued->server_id = g_strdup (input->server_id);
  queued->server_name = g_strdup (input->server_name);
  queued->group = g_strdup (input->group);
  queued->tags = g_strdupv ((char **) input->tags);
  queued->parent_id = g_strdup (input->parent_id);
  queued->metrics = g_new0 (SmAlertMetric, MAX (input->n_metrics, 1));
  queued->metric_names = g_new0 (char *, input->n_metrics + 1);
  for (guint i = 0; i < input->n_metrics; i++)
    {
      queued->metric_names[i] = g_strdup (input->metrics[i].name);
      queued->metrics[i].name = queued->metric_names[i];
      queued->metrics[i].value = input->metrics[i].value;
    }

  queued->input.server_id = queued->server_id;
  queued->input.server_name = queued->server_name;
  queued->input.group = queued->group;
  queued->input.tags = (const char * const *) queued->tags;
  queued->input.parent_id = queued->parent_id;
  queued->input.metrics = queued->metrics;
  return queued;
}

void
sm_alert_engine_evaluate (SmAlertEngine      *engine,
                          gint64              now,
                          const SmAlertInput *input,
                          GPtrArray          *events,
                          GPtrArray          *notifications)
{
  g_return_if_fail (engine != NULL);
  g_return_if_fail (input != NULL && input->server_id != NULL);
  g_return_if_fail (input->n_metrics == 0 || input->metrics != NULL);

  if (engine->in_round && !input->partial)
    {
      g_ptr_array_add (engine->queued, queued_new (input));
      return;
    }
  process_input (engine, now, input, !engine->online, events, notifications);
}

void
sm_alert_engine_tick (SmAlertEngine *engine,
                      gint64         now,
                      GPtrArray     *events,
                      GPtrArray     *notifications)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_if_fail (engine != NULL);

  local = local_time (engine, now);
  for (guint i = 0; i < engine->alerts->len; i++)
    run_timers (engine, g_ptr_array_index (engine->alerts, i), now, local, events,
                notifications);
}

void
sm_alert_engine_begin_round (SmAlertEngine *engine)
{
  g_return_if_fail (engine != NULL);

  engine->in_round = TRUE;
  g_ptr_array_set_size (engine->queued, 0);
}

static void
end_gap (SmAlertEngine *engine,
         gint64         now,
         GPtrArray     *events)
{
  if (engine->gap_since == 0)
    return;
  sm_alert_engine_note_gap (engine, engine->gap_since, now, events);
  engine->gap_since = 0;
}

void
sm_alert_engine_end_round (SmAlertEngine *engine,
                           gint64         now,
                           GPtrArray     *events,
                           GPtrArray     *notifications)
{
  g_autoptr(GPtrArray) queued = NULL;
  gboolean all_down = TRUE;
  gboolean gap;

  g_return_if_fail (engine != NULL);
  g_return_if_fail (engine->in_round);

  engine->in_round = FALSE;
  queued = g_steal_pointer (&engine->queued);
  engine->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) queued_free);

  for (guint i = 0; i < queued->len; i++)
    {
      Queued *q = g_ptr_array_index (queued, i);

      if (q->input.reachable)
        all_down = FALSE;
    }

  gap = !engine->online || (queued->len >= 2 && all_down);
  if (gap && engine->gap_since == 0)
    engine->gap_since = now;
  else if (!gap && engine->online)
    end_gap (engine, now, events);

  for (guint i = 0; i < queued->len; i++)
    {
      Queued *q = g_ptr_array_index (queued, i);

      process_input (engine, now, &q->input, gap, events, notifications);
    }
}

void
sm_alert_engine_set_connectivity (SmAlertEngine *engine,
                                  gint64         now,
                                  gboolean       online,
                                  GPtrArray     *events)
{
  g_return_if_fail (engine != NULL);

  online = !!online;
  if (engine->online == online)
    return;
  engine->online = online;
  if (!online)
    {
      if (engine->gap_since == 0)
        engine->gap_since = now;
    }
  else
    {
      end_gap (engine, now, events);
    }
}

void
sm_alert_engine_note_gap (SmAlertEngine *engine,
                          gint64         start,
                          gint64         end,
                          GPtrArray     *events)
{
  SmAlertEvent *event;

  g_return_if_fail (engine != NULL);
  g_return_if_fail (start <= end);

  event = g_new0 (SmAlertEvent, 1);
  event->kind = SM_ALERT_EVENT_GAP;
  event->time = start;
  event->end_time = end;
  event->value = NAN;
  event->message = g_strdup (gap_message ());
  if (events != NULL)
    g_ptr_array_add (events, event);
  else
    sm_alert_event_free (event);
}

static Alert *
find_alert_by_id (SmAlertEngine *engine,
                  gint64         alert_id)
{
  for (guint i = 0; i < engine->alerts->len; i++)
    {
      Alert *alert = g_ptr_array_index (engine->alerts, i);

      if (alert->id == alert_id)
        return alert;
    }
  return NULL;
}

gboolean
sm_alert_engine_acknowledge (SmAlertEngine *engine,
                             gint64         now,
                             gint64         alert_id,
                             const char    *comment,
                             gint64         expires_at,
                             GPtrArray     *events,
                             GError       **error)
{
  g_autoptr(GDateTime) local = NULL;
  Alert *alert;

  g_return_val_if_fail (engine != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  alert = find_alert_by_id (engine, alert_id);
  if (alert == NULL || alert->state != SM_ALERT_STATE_FIRING)
    {
      g_set_error (error, G_IO_ERROR, alert == NULL ? G_IO_ERROR_NOT_FOUND : G_IO_ERROR_FAILED,
                   "%s", alert == NULL ? _("This alert no longer exists.")
                                      : _("Only a firing alert can be acknowledged."));
      return FALSE;
    }

  local = local_time (engine, now);
  alert->ack_expires = expires_at;
  g_free (alert->ack_comment);
  alert->ack_comment = comment != NULL && comment[0] != '\0' ? g_strdup (comment) : NULL;
  transition (engine, alert, SM_ALERT_STATE_ACKNOWLEDGED, now,
              comment != NULL && comment[0] != '\0' ? comment : NULL, local, events);
  return TRUE;
}

gboolean
sm_alert_engine_resolve (SmAlertEngine *engine,
                         gint64         now,
                         gint64         alert_id,
                         GPtrArray     *events,
                         GPtrArray     *notifications,
                         GError       **error)
{
  g_autoptr(GDateTime) local = NULL;
  Alert *alert;

  g_return_val_if_fail (engine != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  alert = find_alert_by_id (engine, alert_id);
  if (alert == NULL || alert->state == SM_ALERT_STATE_INACTIVE ||
      alert->state == SM_ALERT_STATE_RESOLVED)
    {
      g_set_error (error, G_IO_ERROR, alert == NULL ? G_IO_ERROR_NOT_FOUND : G_IO_ERROR_FAILED,
                   "%s", alert == NULL ? _("This alert no longer exists.")
                                      : _("This alert is already over."));
      return FALSE;
    }

  local = local_time (engine, now);
  alert->failures = 0;
  transition (engine, alert, SM_ALERT_STATE_RESOLVED, now, _("resolved by hand"), local, events);
  run_timers (engine, alert, now, local, events, notifications);
  return TRUE;
}

SmAlertState
sm_alert_engine_get_state (SmAlertEngine *engine,
                           const char    *rule_id,
                           const char    *server_id,
                           const char    *target,
                           gint64        *out_alert_id)
{
  g_autofree char *key = NULL;
  Alert *alert;

  g_return_val_if_fail (engine != NULL, SM_ALERT_STATE_INACTIVE);

  key = g_strdup_printf ("%s\n%s\n%s", rule_id, server_id, target);
  alert = g_hash_table_lookup (engine->index, key);
  if (out_alert_id != NULL)
    *out_alert_id = alert != NULL ? alert->id : 0;
  return alert != NULL ? alert->state : SM_ALERT_STATE_INACTIVE;
}

gboolean
sm_alert_engine_is_flapping (SmAlertEngine *engine,
                             gint64         alert_id)
{
  Alert *alert;

  g_return_val_if_fail (engine != NULL, FALSE);

  alert = find_alert_by_id (engine, alert_id);
  return alert != NULL && alert->flapping;
}

void
sm_alert_info_free (SmAlertInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->rule_id);
  g_free (info->server_id);
  g_free (info->server_name);
  g_free (info->target);
  g_free (info->title);
  g_free (info->ack_comment);
  g_free (info);
}

GPtrArray *
sm_alert_engine_list_active (SmAlertEngine *engine,
                             gint64         now)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (engine != NULL, NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_info_free);
  local = local_time (engine, now);
  for (guint i = 0; i < engine->alerts->len; i++)
    {
      Alert *alert = g_ptr_array_index (engine->alerts, i);
      SmAlertInfo *info;

      if (alert->state != SM_ALERT_STATE_PENDING && alert->state != SM_ALERT_STATE_FIRING &&
          alert->state != SM_ALERT_STATE_ACKNOWLEDGED)
        continue;

      info = g_new0 (SmAlertInfo, 1);
      info->alert_id = alert->id;
      info->rule_id = g_strdup (alert->rule_id);
      info->server_id = g_strdup (alert->server_id);
      info->server_name = g_strdup (server_name_of (engine, alert));
      info->target = g_strdup (alert->target);
      info->title = describe_target (alert->rule, alert->target);
      info->state = alert->state;
      info->severity = alert->rule->severity;
      info->since = alert->state == SM_ALERT_STATE_PENDING ? alert->pending_since
                                                          : alert->firing_since;
      info->value = alert->value;
      info->held = held_for (engine, alert, local);
      info->ack_comment = g_strdup (alert->ack_comment);
      info->ack_expires = alert->ack_expires;
      g_ptr_array_add (list, info);
    }
  return g_steal_pointer (&list);
}

gboolean
sm_alert_engine_restore (SmAlertEngine *engine,
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
                         gboolean       told)
{
  SmAlertRule *rule = NULL;
  Alert *alert;

  g_return_val_if_fail (engine != NULL, FALSE);
  g_return_val_if_fail (rule_id != NULL && server_id != NULL && target != NULL, FALSE);

  if (state != SM_ALERT_STATE_PENDING && state != SM_ALERT_STATE_FIRING &&
      state != SM_ALERT_STATE_ACKNOWLEDGED)
    return FALSE;

  for (guint i = 0; i < engine->rules->len; i++)
    {
      SmAlertRule *candidate = g_ptr_array_index (engine->rules, i);

      if (g_str_equal (candidate->id, rule_id))
        rule = candidate;
    }
  if (rule == NULL || !rule->enabled ||
      (!g_str_equal (rule->target, target) && !sm_alert_target_matches (rule->target, target)))
    return FALSE;

  alert = lookup_alert (engine, rule, server_id, target);
  alert->id = alert_id;
  alert->state = state;
  alert->pending_since = since;
  alert->firing_since = firing_since;
  alert->value = value;
  g_free (alert->ack_comment);
  alert->ack_comment = g_strdup (ack_comment);
  alert->ack_expires = state == SM_ALERT_STATE_ACKNOWLEDGED ? ack_expires : 0;
  alert->told_firing = told;
  alert->told_id = told ? alert_id : 0;
  alert->last_told = told ? MAX (firing_since, since) : 0;
  alert->failures = rule->retries;
  if (state != SM_ALERT_STATE_PENDING)
    {
      /* A full history of true evaluations: not flapping. */
      alert->history = (1u << FLAP_WINDOW) - 1;
      alert->n_history = FLAP_WINDOW;
    }
  if (engine->next_id <= alert_id)
    engine->next_id = alert_id + 1;
  return TRUE;
}

void
sm_alert_counter_free (SmAlertCounter *counter)
{
  if (counter == NULL)
    return;
  g_free (counter->rule_id);
  g_free (counter->server_id);
  g_free (counter->target);
  g_free (counter);
}

GPtrArray *
sm_alert_engine_list_counters (SmAlertEngine *engine)
{
  GPtrArray *counters;

  g_return_val_if_fail (engine != NULL, NULL);

  counters = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_counter_free);
  for (guint i = 0; i < engine->alerts->len; i++)
    {
      Alert *alert = g_ptr_array_index (engine->alerts, i);
      SmAlertCounter *counter;

      if (alert->failures == 0 ||
          (alert->state != SM_ALERT_STATE_INACTIVE && alert->state != SM_ALERT_STATE_RESOLVED))
        continue;
      counter = g_new0 (SmAlertCounter, 1);
      counter->rule_id = g_strdup (alert->rule_id);
      counter->server_id = g_strdup (alert->server_id);
      counter->target = g_strdup (alert->target);
      counter->failures = alert->failures;
      g_ptr_array_add (counters, counter);
    }
  return counters;
}

gboolean
sm_alert_engine_restore_counter (SmAlertEngine        *engine,
                                 const SmAlertCounter *counter)
{
  SmAlertRule *rule = NULL;
  Alert *alert;

  g_return_val_if_fail (engine != NULL, FALSE);
  g_return_val_if_fail (counter != NULL, FALSE);

  for (guint i = 0; i < engine->rules->len; i++)
    {
      SmAlertRule *candidate = g_ptr_array_index (engine->rules, i);

      if (g_str_equal (candidate->id, counter->rule_id))
        rule = candidate;
    }
  if (rule == NULL || !rule->enabled ||
      (!g_str_equal (rule->target, counter->target) &&
       !sm_alert_target_matches (rule->target, counter->target)))
    return FALSE;

  alert = lookup_alert (engine, rule, counter->server_id, counter->target);
  if (alert->state != SM_ALERT_STATE_INACTIVE && alert->state != SM_ALERT_STATE_RESOLVED)
    return FALSE;
  alert->failures = MIN (counter->failures, rule->retries);
  return TRUE;
}

guint
sm_alert_engine_count_active (SmAlertEngine *engine)
{
  guint count = 0;

  g_return_val_if_fail (engine != NULL, 0);

  for (guint i = 0; i < engine->alerts->len; i++)
    {
      Alert *alert = g_ptr_array_index (engine->alerts, i);

      if (alert->state == SM_ALERT_STATE_PENDING || alert->state == SM_ALERT_STATE_FIRING ||
          alert->state == SM_ALERT_STATE_ACKNOWLEDGED)
        count++;
    }
  return count;
}
