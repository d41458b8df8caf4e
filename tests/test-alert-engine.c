/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-alert-engine.c: the alert engine with an injected clock. Each test
 * asserts the exact events and notifications, written as short strings:
 * an event as "ALERT_ID TARGET FROM>TO[held]" and a notification as
 * "KIND SERVER: TITLE [CHANNELS]". */

#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "sm-alert-engine.h"

/* Monday 2024-01-01 00:00 in a zone at UTC+02:00, which the tests pin. */
#define MONDAY_UTC   G_GINT64_CONSTANT (1704067200)
#define TZ_OFFSET    (2 * 3600)

static gint64
local_at (guint day,
          guint hour,
          guint minute)
{
  return MONDAY_UTC - TZ_OFFSET + day * 86400 + hour * 3600 + minute * 60;
}

typedef struct {
  SmAlertEngine *engine;
  GPtrArray     *events;
  GPtrArray     *notifications;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (TZ_OFFSET);

  f->engine = sm_alert_engine_new (tz);
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_event_free);
  f->notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_notification_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->engine, sm_alert_engine_free);
  g_clear_pointer (&f->events, g_ptr_array_unref);
  g_clear_pointer (&f->notifications, g_ptr_array_unref);
}

static const char *
kind_name (SmNotificationKind kind)
{
  switch (kind)
    {
    case SM_NOTIFICATION_FIRING:
      return "FIRING";
    case SM_NOTIFICATION_ESCALATED:
      return "ESCALATED";
    case SM_NOTIFICATION_RESOLVED:
      return "RESOLVED";
    case SM_NOTIFICATION_FLAPPING:
      return "FLAPPING";
    case SM_NOTIFICATION_TEST:
    default:
      return "TEST";
    }
}

/* The events since the last call, then forgotten. */
static char *
take_events (Fixture *f)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < f->events->len; i++)
    {
      SmAlertEvent *event = g_ptr_array_index (f->events, i);

      if (i > 0)
        g_string_append (text, "; ");
      switch (event->kind)
        {
        case SM_ALERT_EVENT_TRANSITION:
          g_string_append_printf (text, "%" G_GINT64_FORMAT " %s %s>%s", event->alert_id,
                                  event->target, sm_alert_state_to_string (event->from),
                                  sm_alert_state_to_string (event->to));
          break;
        case SM_ALERT_EVENT_FLAPPING_STARTED:
          g_string_append_printf (text, "%" G_GINT64_FORMAT " %s flapping-started",
                                  event->alert_id, event->target);
          break;
        case SM_ALERT_EVENT_FLAPPING_STOPPED:
          g_string_append_printf (text, "%" G_GINT64_FORMAT " %s flapping-stopped",
                                  event->alert_id, event->target);
          break;
        case SM_ALERT_EVENT_ESCALATED:
          g_string_append_printf (text, "%" G_GINT64_FORMAT " %s escalated",
                                  event->alert_id, event->target);
          break;
        case SM_ALERT_EVENT_GAP:
        default:
          g_string_append_printf (text, "gap %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                  event->time - MONDAY_UTC, event->end_time - MONDAY_UTC);
          break;
        }
      if (event->held & SM_ALERT_HELD_PARENT_DOWN)
        g_string_append (text, "[parent]");
      if (event->held & SM_ALERT_HELD_MAINTENANCE)
        g_string_append (text, "[maintenance]");
      if (event->held & SM_ALERT_HELD_FLAPPING)
        g_string_append (text, "[flapping]");
      if (event->held & SM_ALERT_HELD_QUIET_HOURS)
        g_string_append (text, "[quiet]");
    }
  g_ptr_array_set_size (f->events, 0);
  return g_string_free (text, FALSE);
}

/* The notifications since the last call, then forgotten. */
static char *
take_notifications (Fixture *f)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < f->notifications->len; i++)
    {
      SmNotification *n = g_ptr_array_index (f->notifications, i);

      if (i > 0)
        g_string_append (text, "; ");
      g_string_append_printf (text, "%s %s: %s", kind_name (n->kind), n->server, n->title);
      if (n->channels != NULL)
        {
          g_autofree char *channels = g_strjoinv (",", n->channels);

          g_string_append_printf (text, " [%s]", channels);
        }
    }
  g_ptr_array_set_size (f->notifications, 0);
  return g_string_free (text, FALSE);
}

#define assert_events(f, expected) \
  G_STMT_START { \
    g_autofree char *got_ = take_events (f); \
    g_assert_cmpstr (got_, ==, (expected)); \
  } G_STMT_END

#define assert_notifications(f, expected) \
  G_STMT_START { \
    g_autofree char *got_ = take_notifications (f); \
    g_assert_cmpstr (got_, ==, (expected)); \
  } G_STMT_END

static void
poll_server (Fixture             *f,
             gint64               now,
             const char          *server_id,
             const char          *parent_id,
             gboolean             reachable,
             const SmAlertMetric *metrics,
             guint                n_metrics)
{
  SmAlertInput input = {
    .server_id = server_id,
    .server_name = server_id,
    .parent_id = parent_id,
    .reachable = reachable,
    .metrics = metrics,
    .n_metrics = n_metrics,
  };

  sm_alert_engine_evaluate (f->engine, now, &input, f->events, f->notifications);
}

static void
poll_value (Fixture    *f,
            gint64      now,
            const char *server_id,
            const char *metric,
            double      value)
{
  SmAlertMetric metrics[] = { { metric, value } };

  poll_server (f, now, server_id, NULL, TRUE, metrics, 1);
}

static void
poll_reachable (Fixture    *f,
                gint64      now,
                const char *server_id,
                gboolean    reachable)
{
  poll_server (f, now, server_id, NULL, reachable, NULL, 0);
}

static void
add_cpu_rule (Fixture    *f,
              gint64      for_seconds,
              SmSeverity  severity)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("cpu", "cpu.percent", SM_ALERT_OP_GT, 90);

  rule->for_seconds = for_seconds;
  rule->severity = severity;
  sm_alert_engine_add_rule (f->engine, rule);
}

static void
add_unreachable_rule (Fixture *f,
                      guint    retries,
                      gint64   for_seconds)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("down", "state.unreachable", SM_ALERT_OP_GT, 0);

  rule->retries = retries;
  rule->for_seconds = for_seconds;
  rule->severity = SM_SEVERITY_CRITICAL;
  sm_alert_engine_add_rule (f->engine, rule);
}

static void
test_pending_to_firing (Fixture       *f,
                        gconstpointer  data)
{
  gint64 t = MONDAY_UTC;

  add_cpu_rule (f, 300, SM_SEVERITY_WARNING);

  poll_value (f, t, "web", "cpu.percent", 95);
  assert_events (f, "1 cpu.percent inactive>pending");
  assert_notifications (f, "");

  for (gint64 s = 60; s < 300; s += 60)
    {
      poll_value (f, t + s, "web", "cpu.percent", 92);
      assert_events (f, "");
      assert_notifications (f, "");
    }

  poll_value (f, t + 300, "web", "cpu.percent", 93);
  assert_events (f, "1 cpu.percent pending>firing");
  assert_notifications (f, "FIRING web: CPU above 90 %");
  g_assert_cmpint (sm_alert_engine_get_state (f->engine, "cpu", "web", "cpu.percent", NULL),
                   ==, SM_ALERT_STATE_FIRING);

  poll_value (f, t + 360, "web", "cpu.percent", 20);
  assert_events (f, "1 cpu.percent firing>resolved");
  assert_notifications (f, "RESOLVED web: Resolved: CPU above 90 %");
  g_assert_cmpuint (sm_alert_engine_count_active (f->engine), ==, 0);
}

static void
test_blip (Fixture       *f,
           gconstpointer  data)
{
  gint64 t = MONDAY_UTC;

  add_cpu_rule (f, 300, SM_SEVERITY_WARNING);

  poll_value (f, t, "web", "cpu.percent", 95);
  poll_value (f, t + 60, "web", "cpu.percent", 95);
  poll_value (f, t + 120, "web", "cpu.percent", 50);
  assert_events (f, "1 cpu.percent inactive>pending; 1 cpu.percent pending>inactive");

  /* The clock starts over at the next true evaluation. */
  poll_value (f, t + 180, "web", "cpu.percent", 95);
  poll_value (f, t + 300, "web", "cpu.percent", 95);
  poll_value (f, t + 420, "web", "cpu.percent", 95);
  assert_events (f, "2 cpu.percent inactive>pending");
  assert_notifications (f, "");

  /* An evaluation without the metric breaks the chain too. */
  poll_reachable (f, t + 450, "web", TRUE);
  assert_events (f, "2 cpu.percent pending>inactive");

  poll_value (f, t + 480, "web", "cpu.percent", 95);
  poll_value (f, t + 780, "web", "cpu.percent", 95);
  assert_events (f, "3 cpu.percent inactive>pending; 3 cpu.percent pending>firing");
  assert_notifications (f, "FIRING web: CPU above 90 %");
}

static void
test_hysteresis (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("cpu", "cpu.percent", SM_ALERT_OP_GT, 90);
  gint64 t = MONDAY_UTC;

  rule->clear_threshold = 80;
  sm_alert_engine_add_rule (f->engine, rule);

  poll_value (f, t, "web", "cpu.percent", 95);
  assert_events (f, "1 cpu.percent inactive>firing");
  poll_value (f, t + 60, "web", "cpu.percent", 85);
  poll_value (f, t + 120, "web", "cpu.percent", 80.5);
  assert_events (f, "");
  poll_value (f, t + 180, "web", "cpu.percent", 80);
  assert_events (f, "1 cpu.percent firing>resolved");
  /* Between the two thresholds nothing starts either. */
  poll_value (f, t + 240, "web", "cpu.percent", 89);
  poll_value (f, t + 300, "web", "cpu.percent", 90);
  assert_events (f, "");
  poll_value (f, t + 360, "web", "cpu.percent", 90.5);
  assert_events (f, "2 cpu.percent resolved>firing");
  assert_notifications (f, "FIRING web: CPU above 90 %; RESOLVED web: Resolved: CPU above 90 %; "
                           "FIRING web: CPU above 90 %");
}

static void
test_retries (Fixture       *f,
              gconstpointer  data)
{
  gint64 t = MONDAY_UTC;

  add_unreachable_rule (f, 3, 0);

  poll_reachable (f, t, "web", FALSE);
  poll_reachable (f, t + 60, "web", FALSE);
  poll_reachable (f, t + 120, "web", TRUE);
  poll_reachable (f, t + 180, "web", FALSE);
  poll_reachable (f, t + 240, "web", FALSE);
  assert_events (f, "");
  assert_notifications (f, "");

  poll_reachable (f, t + 300, "web", FALSE);
  assert_events (f, "1 state.unreachable inactive>firing");
  assert_notifications (f, "FIRING web: Unreachable");

  /* One good poll is enough to resolve. */
  poll_reachable (f, t + 360, "web", TRUE);
  assert_events (f, "1 state.unreachable firing>resolved");
  assert_notifications (f, "RESOLVED web: Resolved: Unreachable");
}

static void
test_flapping (Fixture       *f,
               gconstpointer  data)
{
  gint64 t = MONDAY_UTC;
  guint firing = 0;
  guint resolved = 0;
  guint flapping = 0;

  add_cpu_rule (f, 0, SM_SEVERITY_WARNING);

  /* Up and down at every poll. The 8th evaluation holds 7 changes out of
   * 20 (35 %): flapping starts there, after four firing and three
   * resolved notices; after it, nothing but the one flapping notice. */
  for (guint i = 0; i < 40; i++)
    {
      poll_value (f, t + i * 60, "web", "cpu.percent", i % 2 == 0 ? 95 : 10);
      if (i == 6)
        {
          g_autofree char *events = take_events (f);

          g_assert_true (g_str_has_suffix (events, "4 cpu.percent resolved>firing"));
        }
      if (i == 7)
        {
          assert_events (f, "4 cpu.percent firing>resolved[flapping]; "
                            "4 cpu.percent flapping-started[flapping]");
        }
    }
  for (guint i = 0; i < f->notifications->len; i++)
    {
      SmNotification *n = g_ptr_array_index (f->notifications, i);

      firing += n->kind == SM_NOTIFICATION_FIRING;
      resolved += n->kind == SM_NOTIFICATION_RESOLVED;
      flapping += n->kind == SM_NOTIFICATION_FLAPPING;
    }
  g_assert_cmpuint (firing, ==, 4);
  g_assert_cmpuint (resolved, ==, 3);
  g_assert_cmpuint (flapping, ==, 1);
  g_assert_cmpuint (f->notifications->len, ==, 8);
  g_ptr_array_set_size (f->notifications, 0);
  g_ptr_array_set_size (f->events, 0);

  /* Steady and fine: the changes leave the window one by one. The last
   * change was at evaluation 39 (i = 39 resolved); with 40 evaluations
   * of which the last 21 all changed, flapping stops once fewer than 4
   * of the 20 pairs differ: after 17 more steady polls. */
  for (guint i = 40; i < 56; i++)
    poll_value (f, t + i * 60, "web", "cpu.percent", 10);
  assert_events (f, "");
  poll_value (f, t + 56 * 60, "web", "cpu.percent", 10);
  assert_events (f, "20 cpu.percent flapping-stopped");
  /* The last notice told alert 4 firing; it is resolved now. */
  g_assert_cmpuint (f->notifications->len, ==, 1);
  g_assert_cmpint (((SmNotification *) g_ptr_array_index (f->notifications, 0))->alert_id, ==, 4);
  assert_notifications (f, "RESOLVED web: Resolved: CPU above 90 %");

  poll_value (f, t + 57 * 60, "web", "cpu.percent", 95);
  assert_events (f, "21 cpu.percent resolved>firing");
  assert_notifications (f, "FIRING web: CPU above 90 %");
}

static void
test_parent_down (Fixture       *f,
                  gconstpointer  data)
{
  gint64 t = MONDAY_UTC;

  add_unreachable_rule (f, 1, 0);

  poll_server (f, t, "gw", NULL, FALSE, NULL, 0);
  poll_server (f, t, "web", "gw", FALSE, NULL, 0);
  poll_server (f, t, "db", "gw", FALSE, NULL, 0);
  assert_events (f, "1 state.unreachable inactive>firing; "
                    "2 state.unreachable inactive>firing[parent]; "
                    "3 state.unreachable inactive>firing[parent]");
  assert_notifications (f, "FIRING gw: Unreachable");

  poll_server (f, t + 60, "web", "gw", FALSE, NULL, 0);
  poll_server (f, t + 60, "db", "gw", TRUE, NULL, 0);
  assert_events (f, "3 state.unreachable firing>resolved[parent]");
  assert_notifications (f, "");

  /* The parent is back; a child still down is told now. */
  poll_server (f, t + 120, "gw", NULL, TRUE, NULL, 0);
  poll_server (f, t + 120, "web", "gw", FALSE, NULL, 0);
  poll_server (f, t + 120, "db", "gw", TRUE, NULL, 0);
  assert_events (f, "1 state.unreachable firing>resolved");
  assert_notifications (f, "RESOLVED gw: Resolved: Unreachable; FIRING web: Unreachable");
}

static void
test_maintenance (Fixture       *f,
                  gconstpointer  data)
{
  SmWeeklyWindow window = { .days = 1 << 0, .start = 2 * 60, .end = 4 * 60 };

  add_cpu_rule (f, 0, SM_SEVERITY_CRITICAL);
  sm_alert_engine_add_maintenance (f->engine, "web", &window);

  poll_value (f, local_at (0, 2, 30), "web", "cpu.percent", 95);
  poll_value (f, local_at (0, 2, 30), "db", "cpu.percent", 95);
  assert_events (f, "1 cpu.percent inactive>firing[maintenance]; 2 cpu.percent inactive>firing");
  assert_notifications (f, "FIRING db: CPU above 90 %");

  poll_value (f, local_at (0, 3, 0), "web", "cpu.percent", 10);
  poll_value (f, local_at (0, 3, 30), "web", "cpu.percent", 95);
  assert_events (f, "1 cpu.percent firing>resolved[maintenance]; "
                    "3 cpu.percent resolved>firing[maintenance]");
  assert_notifications (f, "");

  poll_value (f, local_at (0, 3, 59), "web", "cpu.percent", 95);
  assert_notifications (f, "");
  /* Out of the window and still firing: told once. */
  poll_value (f, local_at (0, 4, 0), "web", "cpu.percent", 95);
  poll_value (f, local_at (0, 4, 1), "web", "cpu.percent", 95);
  assert_events (f, "");
  assert_notifications (f, "FIRING web: CPU above 90 %");

  /* Next Monday only. */
  poll_value (f, local_at (1, 2, 30), "web", "cpu.percent", 10);
  assert_events (f, "3 cpu.percent firing>resolved");
  assert_notifications (f, "RESOLVED web: Resolved: CPU above 90 %");
}

static void
test_quiet_hours (Fixture       *f,
                  gconstpointer  data)
{
  /* 22:00 to 07:00 every night, across midnight. */
  SmWeeklyWindow quiet = { .days = SM_WEEKDAYS_ALL, .start = 22 * 60, .end = 7 * 60 };
  g_autoptr(SmAlertRule) disk = sm_alert_rule_new ("disk", "disk./.used_percent",
                                                   SM_ALERT_OP_GT, 95);
  SmAlertMetric metrics[] = { { "cpu.percent", 95 }, { "disk./.used_percent", 99 } };

  add_cpu_rule (f, 0, SM_SEVERITY_WARNING);
  disk->severity = SM_SEVERITY_CRITICAL;
  sm_alert_engine_add_rule (f->engine, disk);
  sm_alert_engine_add_quiet_hours (f->engine, &quiet);

  /* Tuesday 01:00 (the window began on Monday). */
  poll_server (f, local_at (1, 1, 0), "web", NULL, TRUE, metrics, 2);
  assert_events (f, "1 cpu.percent inactive>firing[quiet]; 2 disk./.used_percent inactive>firing");
  assert_notifications (f, "FIRING web: Disk / above 95 %");

  poll_server (f, local_at (1, 6, 59), "web", NULL, TRUE, metrics, 2);
  assert_notifications (f, "");
  poll_server (f, local_at (1, 7, 0), "web", NULL, TRUE, metrics, 2);
  assert_notifications (f, "FIRING web: CPU above 90 %");

  /* A warning that comes and goes inside quiet hours is never told. */
  metrics[0].value = 10;
  poll_server (f, local_at (1, 7, 1), "web", NULL, TRUE, metrics, 2);
  assert_notifications (f, "RESOLVED web: Resolved: CPU above 90 %");
  metrics[0].value = 95;
  poll_server (f, local_at (1, 23, 0), "web", NULL, TRUE, metrics, 2);
  metrics[0].value = 10;
  poll_server (f, local_at (1, 23, 30), "web", NULL, TRUE, metrics, 2);
  assert_events (f, "1 cpu.percent firing>resolved; 3 cpu.percent resolved>firing[quiet]; "
                    "3 cpu.percent firing>resolved[quiet]");
  assert_notifications (f, "");
}

static void
test_repeat_and_escalation (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("cpu", "cpu.percent", SM_ALERT_OP_GT, 90);
  const char *channels[] = { "desk", NULL };
  gint64 t = MONDAY_UTC;

  rule->repeat_seconds = 600;
  rule->escalate_seconds = 1800;
  rule->escalation_channel = g_strdup ("phone");
  rule->channels = g_strdupv ((char **) channels);
  rule->severity = SM_SEVERITY_CRITICAL;
  sm_alert_engine_add_rule (f->engine, rule);

  poll_value (f, t, "web", "cpu.percent", 95);
  assert_events (f, "1 cpu.percent inactive>firing");
  assert_notifications (f, "FIRING web: CPU above 90 % [desk]");

  sm_alert_engine_tick (f->engine, t + 599, f->events, f->notifications);
  assert_notifications (f, "");
  sm_alert_engine_tick (f->engine, t + 600, f->events, f->notifications);
  assert_notifications (f, "FIRING web: Still firing: CPU above 90 % [desk]");
  poll_value (f, t + 1000, "web", "cpu.percent", 95);
  assert_notifications (f, "");
  poll_value (f, t + 1200, "web", "cpu.percent", 95);
  assert_notifications (f, "FIRING web: Still firing: CPU above 90 % [desk]");
  sm_alert_engine_tick (f->engine, t + 1799, f->events, f->notifications);
  assert_events (f, "");
  assert_notifications (f, "");
  sm_alert_engine_tick (f->engine, t + 1800, f->events, f->notifications);
  assert_events (f, "1 cpu.percent escalated");
  assert_notifications (f, "FIRING web: Still firing: CPU above 90 % [desk]; "
                           "ESCALATED web: Unacknowledged: CPU above 90 % [phone]");
  /* Escalation happens once. */
  sm_alert_engine_tick (f->engine, t + 2400, f->events, f->notifications);
  sm_alert_engine_tick (f->engine, t + 2500, f->events, f->notifications);
  assert_events (f, "");
  assert_notifications (f, "FIRING web: Still firing: CPU above 90 % [desk]");
}

static void
test_acknowledge (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("cpu", "cpu.percent", SM_ALERT_OP_GT, 90);
  g_autoptr(GError) error = NULL;
  gint64 t = MONDAY_UTC;
  gint64 id = 0;
  SmAlertEvent *event;

  rule->repeat_seconds = 300;
  rule->escalate_seconds = 900;
  rule->escalation_channel = g_strdup ("phone");
  sm_alert_engine_add_rule (f->engine, rule);

  poll_value (f, t, "web", "cpu.percent", 95);
  sm_alert_engine_get_state (f->engine, "cpu", "web", "cpu.percent", &id);
  g_assert_cmpint (id, ==, 1);
  assert_events (f, "1 cpu.percent inactive>firing");
  assert_notifications (f, "FIRING web: CPU above 90 %");

  g_assert_true (sm_alert_engine_acknowledge (f->engine, t + 60, id, "looking into it",
                                              t + 1200, f->events, &error));
  g_assert_no_error (error);
  event = g_ptr_array_index (f->events, 0);
  g_assert_nonnull (strstr (event->message, "looking into it"));
  assert_events (f, "1 cpu.percent firing>acknowledged");
  {
    g_autoptr(GPtrArray) active = sm_alert_engine_list_active (f->engine, t + 61);
    SmAlertInfo *info;

    g_assert_cmpuint (active->len, ==, 1);
    info = g_ptr_array_index (active, 0);
    g_assert_cmpint (info->alert_id, ==, 1);
    g_assert_cmpstr (info->server_name, ==, "web");
    g_assert_cmpstr (info->title, ==, "CPU above 90 %");
    g_assert_cmpint (info->state, ==, SM_ALERT_STATE_ACKNOWLEDGED);
    g_assert_cmpint (info->since, ==, t);
    g_assert_cmpfloat (info->value, ==, 95);
    g_assert_cmpstr (info->ack_comment, ==, "looking into it");
    g_assert_cmpint (info->ack_expires, ==, t + 1200);
  }

  /* Acknowledged: no repeat, no escalation, and not acknowledged twice. */
  for (gint64 s = 120; s < 1200; s += 60)
    poll_value (f, t + s, "web", "cpu.percent", 95);
  assert_events (f, "");
  assert_notifications (f, "");
  g_assert_false (sm_alert_engine_acknowledge (f->engine, t + 1000, id, NULL, 0, f->events,
                                               &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  /* Expired: firing again, told again, escalation due at once. */
  sm_alert_engine_tick (f->engine, t + 1200, f->events, f->notifications);
  assert_events (f, "1 cpu.percent acknowledged>firing; 1 cpu.percent escalated");
  assert_notifications (f, "FIRING web: CPU above 90 %; "
                           "ESCALATED web: Unacknowledged: CPU above 90 % [phone]");
  sm_alert_engine_tick (f->engine, t + 1499, f->events, f->notifications);
  assert_notifications (f, "");
  sm_alert_engine_tick (f->engine, t + 1500, f->events, f->notifications);
  assert_notifications (f, "FIRING web: Still firing: CPU above 90 %");

  /* Resolved by hand; the condition still holds, so a new alert starts. */
  g_assert_true (sm_alert_engine_resolve (f->engine, t + 1560, id, f->events,
                                          f->notifications, &error));
  g_assert_no_error (error);
  assert_events (f, "1 cpu.percent firing>resolved");
  assert_notifications (f, "RESOLVED web: Resolved: CPU above 90 %");
  g_assert_false (sm_alert_engine_resolve (f->engine, t + 1561, id, f->events,
                                           f->notifications, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (sm_alert_engine_acknowledge (f->engine, t + 1561, 999, NULL, 0, f->events,
                                               &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  poll_value (f, t + 1620, "web", "cpu.percent", 95);
  assert_events (f, "2 cpu.percent resolved>firing");
}

static void
test_connectivity_gap (Fixture       *f,
                       gconstpointer  data)
{
  gint64 t = MONDAY_UTC;

  add_unreachable_rule (f, 1, 120);

  poll_reachable (f, t, "web", FALSE);
  assert_events (f, "1 state.unreachable inactive>pending");

  /* The laptop goes to sleep; what fails meanwhile does not count, and
   * the pending alert starts over. */
  sm_alert_engine_set_connectivity (f->engine, t + 30, FALSE, f->events);
  poll_reachable (f, t + 60, "web", FALSE);
  poll_reachable (f, t + 600, "web", FALSE);
  assert_events (f, "1 state.unreachable pending>inactive");
  sm_alert_engine_set_connectivity (f->engine, t + 900, TRUE, f->events);
  assert_events (f, "gap 30-900");

  poll_reachable (f, t + 960, "web", TRUE);
  assert_events (f, "");
  assert_notifications (f, "");

  /* A real outage afterwards still counts. */
  poll_reachable (f, t + 1020, "web", FALSE);
  poll_reachable (f, t + 1140, "web", FALSE);
  assert_events (f, "2 state.unreachable inactive>pending; 2 state.unreachable pending>firing");
  assert_notifications (f, "FIRING web: Unreachable");
}

static void
round_of (Fixture  *f,
          gint64    now,
          gboolean  a,
          gboolean  b,
          gboolean  c)
{
  sm_alert_engine_begin_round (f->engine);
  poll_reachable (f, now, "a", a);
  poll_reachable (f, now, "b", b);
  poll_reachable (f, now, "c", c);
  sm_alert_engine_end_round (f->engine, now, f->events, f->notifications);
}

static void
test_round_gap (Fixture       *f,
                gconstpointer  data)
{
  gint64 t = MONDAY_UTC;

  add_unreachable_rule (f, 2, 0);

  round_of (f, t, TRUE, FALSE, TRUE);
  assert_events (f, "");
  /* Every server fails at once: a gap, not three DOWN alerts. */
  round_of (f, t + 60, FALSE, FALSE, FALSE);
  round_of (f, t + 120, FALSE, FALSE, FALSE);
  assert_events (f, "");
  assert_notifications (f, "");
  round_of (f, t + 180, TRUE, FALSE, TRUE);
  assert_events (f, "gap 60-180");
  /* b's failures before the gap were reset: it needs two again. */
  assert_notifications (f, "");
  round_of (f, t + 240, TRUE, FALSE, TRUE);
  assert_events (f, "1 state.unreachable inactive>firing");
  assert_notifications (f, "FIRING b: Unreachable");
}

static void
test_default_rules (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) rules = sm_alert_rules_new_defaults ("web");
  SmAlertMetric metrics[] = {
    { "cpu.percent", 95 },
    { "mem.used_percent", 50 },
    { "disk./.used_percent", 91 },
    { "disk./.inodes_used_percent", 10 },
  };
  gint64 t = MONDAY_UTC;

  g_assert_cmpuint (rules->len, ==, 6);
  for (guint i = 0; i < rules->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (rules, i);
      g_autofree char *problem = sm_alert_rule_validate (rule);

      g_assert_null (problem);
      g_assert_true (g_str_has_prefix (rule->id, "web/"));
      sm_alert_engine_add_rule (f->engine, rule);
    }

  poll_server (f, t, "web", NULL, TRUE, metrics, G_N_ELEMENTS (metrics));
  poll_server (f, t, "other", NULL, TRUE, metrics, G_N_ELEMENTS (metrics));
  assert_events (f, "1 cpu.percent inactive>pending; 2 disk./.used_percent inactive>firing");
  assert_notifications (f, "FIRING web: Disk / above 90 %");
  poll_server (f, t + 300, "web", NULL, TRUE, metrics, G_N_ELEMENTS (metrics));
  assert_events (f, "1 cpu.percent pending>firing");

  /* Unreachable needs two polls; the host key rule fires at once. */
  poll_server (f, t + 360, "web", NULL, FALSE, NULL, 0);
  assert_events (f, "");
  {
    SmAlertInput input = {
      .server_id = "web", .server_name = "web", .reachable = FALSE, .host_key_changed = TRUE,
    };

    sm_alert_engine_evaluate (f->engine, t + 420, &input, f->events, f->notifications);
  }
  assert_events (f, "3 state.unreachable inactive>firing; 4 state.host_key_changed inactive>firing");
  g_assert_cmpuint (sm_alert_engine_count_active (f->engine), ==, 4);
}

static void
test_disk_pattern (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("disks", "disk.*.used_percent",
                                                   SM_ALERT_OP_GE, 90);
  SmAlertMetric metrics[] = {
    { "disk./.used_percent", 95 },
    { "disk./.inodes_used_percent", 99 },
    { "disk./var/lib.d.used_percent", 90 },
    { "disk./home.used_percent", 40 },
    { "cpu.percent", 99 },
  };

  sm_alert_engine_add_rule (f->engine, rule);
  poll_server (f, MONDAY_UTC, "web", NULL, TRUE, metrics, G_N_ELEMENTS (metrics));
  assert_events (f, "1 disk./.used_percent inactive>firing; "
                    "2 disk./var/lib.d.used_percent inactive>firing");
  assert_notifications (f, "FIRING web: Disk / at or above 90 %; "
                           "FIRING web: Disk /var/lib.d at or above 90 %");

  metrics[0].value = 10;
  poll_server (f, MONDAY_UTC + 60, "web", NULL, TRUE, metrics, G_N_ELEMENTS (metrics));
  assert_events (f, "1 disk./.used_percent firing>resolved");
  g_assert_cmpint (sm_alert_engine_get_state (f->engine, "disks", "web",
                                              "disk./var/lib.d.used_percent", NULL),
                   ==, SM_ALERT_STATE_FIRING);

  g_assert_true (sm_alert_target_matches ("disk.*.used_percent", "disk./.used_percent"));
  g_assert_false (sm_alert_target_matches ("disk.*.used_percent", "disk..used_percent"));
  g_assert_false (sm_alert_target_matches ("disk.*.used_percent", "disk./.inodes_used_percent"));
  g_assert_false (sm_alert_target_matches ("disk.*.used_percent", "net.eth0.used_percent"));
}

static void
test_scope_and_business_hours (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("cpu", "cpu.percent", SM_ALERT_OP_GT, 90);
  SmWeeklyWindow office = { .days = SM_WEEKDAYS_MON_FRI, .start = 9 * 60, .end = 17 * 60 };
  SmAlertMetric metrics[] = { { "cpu.percent", 95 } };
  const char *tags_a[] = { "prod", NULL };
  const char *tags_b[] = { "test", NULL };
  SmAlertInput a = {
    .server_id = "a", .server_name = "a", .tags = tags_a, .reachable = TRUE,
    .metrics = metrics, .n_metrics = 1,
  };
  SmAlertInput b = a;

  b.server_id = b.server_name = "b";
  b.tags = tags_b;
  rule->scope = SM_ALERT_SCOPE_TAG;
  rule->scope_value = g_strdup ("prod");
  rule->repeat_seconds = 3600;
  sm_alert_rule_add_business_hours (rule, &office);
  sm_alert_engine_add_rule (f->engine, rule);

  /* Saturday noon: outside business hours. */
  sm_alert_engine_evaluate (f->engine, local_at (5, 12, 0), &a, f->events, f->notifications);
  sm_alert_engine_evaluate (f->engine, local_at (5, 12, 0), &b, f->events, f->notifications);
  assert_events (f, "");
  /* Monday 09:00: inside, and only the tagged server. */
  sm_alert_engine_evaluate (f->engine, local_at (7, 9, 0), &a, f->events, f->notifications);
  sm_alert_engine_evaluate (f->engine, local_at (7, 9, 0), &b, f->events, f->notifications);
  assert_events (f, "1 cpu.percent inactive>firing");
  assert_notifications (f, "FIRING a: CPU above 90 %");

  /* Repeats during the day, none after hours, and on again next morning. */
  sm_alert_engine_tick (f->engine, local_at (7, 16, 0), f->events, f->notifications);
  assert_notifications (f, "FIRING a: Still firing: CPU above 90 %");
  sm_alert_engine_tick (f->engine, local_at (7, 17, 0), f->events, f->notifications);
  sm_alert_engine_tick (f->engine, local_at (7, 23, 0), f->events, f->notifications);
  sm_alert_engine_evaluate (f->engine, local_at (8, 8, 59), &a, f->events, f->notifications);
  assert_events (f, "");
  assert_notifications (f, "");
  sm_alert_engine_evaluate (f->engine, local_at (8, 9, 0), &a, f->events, f->notifications);
  assert_notifications (f, "FIRING a: Still firing: CPU above 90 %");
}

static void
test_replace_rule (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("cpu", "cpu.percent", SM_ALERT_OP_GT, 90);
  g_autoptr(SmAlertRule) mem = sm_alert_rule_new ("cpu", "mem.used_percent", SM_ALERT_OP_GT, 90);
  gint64 t = MONDAY_UTC;

  sm_alert_engine_add_rule (f->engine, rule);
  poll_value (f, t, "web", "cpu.percent", 95);
  assert_events (f, "1 cpu.percent inactive>firing");

  /* Same target: the alert is kept and follows the new threshold. */
  rule->threshold = 99;
  rule->clear_threshold = 99;
  sm_alert_engine_add_rule (f->engine, rule);
  poll_value (f, t + 60, "web", "cpu.percent", 95);
  assert_events (f, "1 cpu.percent firing>resolved");

  poll_value (f, t + 120, "web", "cpu.percent", 100);
  assert_events (f, "2 cpu.percent resolved>firing");
  /* Another target: the old alerts go. */
  sm_alert_engine_add_rule (f->engine, mem);
  g_assert_cmpuint (sm_alert_engine_count_active (f->engine), ==, 0);
  g_assert_true (sm_alert_engine_remove_rule (f->engine, "cpu"));
  g_assert_false (sm_alert_engine_remove_rule (f->engine, "cpu"));
  poll_value (f, t + 180, "web", "cpu.percent", 100);
  assert_events (f, "");
}

/* 20 servers polled every 30 s for ten minutes inside quiet hours: s00 is
 * the parent of s01 and s02 and all three go down; s03's disk flaps; s04's
 * CPU stays high (a warning, held by quiet hours); s05's disk fills up
 * half way (critical). Exactly these notices go out, in this order. */
static void
test_scenario (Fixture       *f,
               gconstpointer  data)
{
  SmWeeklyWindow quiet = { .days = SM_WEEKDAYS_ALL, .start = 22 * 60, .end = 7 * 60 };
  g_autoptr(SmAlertRule) cpu = sm_alert_rule_new ("cpu", "cpu.percent", SM_ALERT_OP_GT, 90);
  g_autoptr(SmAlertRule) disk = sm_alert_rule_new ("disk", "disk.*.used_percent",
                                                   SM_ALERT_OP_GT, 90);
  g_autoptr(SmAlertRule) down = sm_alert_rule_new ("down", "state.unreachable",
                                                   SM_ALERT_OP_GT, 0);
  gint64 start = local_at (0, 23, 0);
  guint flapping_events = 0;
  guint held_parent = 0;

  cpu->for_seconds = 300;
  disk->severity = SM_SEVERITY_CRITICAL;
  down->severity = SM_SEVERITY_CRITICAL;
  down->retries = 2;
  sm_alert_engine_add_rule (f->engine, cpu);
  sm_alert_engine_add_rule (f->engine, disk);
  sm_alert_engine_add_rule (f->engine, down);
  sm_alert_engine_add_quiet_hours (f->engine, &quiet);

  for (guint r = 0; r < 20; r++)
    {
      gint64 now = start + r * 30;

      sm_alert_engine_begin_round (f->engine);
      for (guint s = 0; s < 20; s++)
        {
          g_autofree char *id = g_strdup_printf ("s%02u", s);
          SmAlertMetric metrics[] = { { "cpu.percent", 20 }, { "disk./.used_percent", 50 } };
          gboolean reachable = TRUE;

          if (s <= 2 && r >= 4)
            reachable = FALSE;
          if (s == 3)
            metrics[1].value = r % 2 == 0 ? 95 : 10;
          if (s == 4)
            metrics[0].value = 97;
          if (s == 5 && r >= 10)
            metrics[1].value = 95;
          poll_server (f, now, id, s == 1 || s == 2 ? "s00" : NULL, reachable,
                       reachable ? metrics : NULL, reachable ? G_N_ELEMENTS (metrics) : 0);
        }
      sm_alert_engine_end_round (f->engine, now, f->events, f->notifications);
      sm_alert_engine_tick (f->engine, now + 15, f->events, f->notifications);
    }

  assert_notifications (f, "FIRING s03: Disk / above 90 %; "
                           "RESOLVED s03: Resolved: Disk / above 90 %; "
                           "FIRING s03: Disk / above 90 %; "
                           "RESOLVED s03: Resolved: Disk / above 90 %; "
                           "FIRING s03: Disk / above 90 %; "
                           "FIRING s00: Unreachable; "
                           "RESOLVED s03: Resolved: Disk / above 90 %; "
                           "FIRING s03: Disk / above 90 %; "
                           "FLAPPING s03: Flapping: Disk / above 90 %; "
                           "FIRING s05: Disk / above 90 %");

  for (guint i = 0; i < f->events->len; i++)
    {
      SmAlertEvent *event = g_ptr_array_index (f->events, i);

      g_assert_cmpint (event->kind, !=, SM_ALERT_EVENT_GAP);
      flapping_events += event->kind == SM_ALERT_EVENT_FLAPPING_STARTED;
      held_parent += (event->held & SM_ALERT_HELD_PARENT_DOWN) != 0;
    }
  g_assert_cmpuint (flapping_events, ==, 1);
  /* s01 and s02 went firing, muted. */
  g_assert_cmpuint (held_parent, ==, 2);
  {
    g_autoptr(GPtrArray) active = sm_alert_engine_list_active (f->engine, start + 600);
    SmAlertInfo *child = NULL;

    /* s00, s01 and s02 down, s04's CPU and s05's disk; s03's disk was
     * fine at the last round. */
    g_assert_cmpuint (active->len, ==, 5);
    for (guint i = 0; i < active->len; i++)
      {
        SmAlertInfo *info = g_ptr_array_index (active, i);

        if (g_str_equal (info->server_id, "s01"))
          child = info;
      }
    g_assert_nonnull (child);
    g_assert_cmpint (child->held, ==, SM_ALERT_HELD_PARENT_DOWN);
  }
  g_assert_cmpint (sm_alert_engine_get_state (f->engine, "down", "s01", "state.unreachable", NULL),
                   ==, SM_ALERT_STATE_FIRING);
  g_assert_cmpint (sm_alert_engine_get_state (f->engine, "cpu", "s04", "cpu.percent", NULL),
                   ==, SM_ALERT_STATE_FIRING);
  g_ptr_array_set_size (f->events, 0);

  /* Quiet hours end at 07:00: the held warning is told then, once. */
  sm_alert_engine_tick (f->engine, local_at (1, 6, 59), f->events, f->notifications);
  assert_notifications (f, "");
  sm_alert_engine_tick (f->engine, local_at (1, 7, 0), f->events, f->notifications);
  sm_alert_engine_tick (f->engine, local_at (1, 7, 1), f->events, f->notifications);
  assert_notifications (f, "FIRING s04: CPU above 90 %");
}

static void
test_weekly_window (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (TZ_OFFSET);
  SmWeeklyWindow night = { .days = 1 << 4, .start = 22 * 60, .end = 6 * 60 };  /* Friday */
  SmWeeklyWindow day = { .days = 1 << 0, .start = 8 * 60, .end = 8 * 60 };    /* Monday */
  struct {
    const SmWeeklyWindow *window;
    guint day, hour, minute;
    gboolean inside;
  } cases[] = {
    { &night, 4, 21, 59, FALSE },
    { &night, 4, 22, 0, TRUE },
    { &night, 5, 5, 59, TRUE },
    { &night, 5, 6, 0, FALSE },
    { &night, 5, 23, 0, FALSE },
    { &night, 3, 23, 0, FALSE },
    { &day, 0, 8, 0, TRUE },
    { &day, 1, 7, 59, TRUE },
    { &day, 1, 8, 0, FALSE },
  };
  guint16 minutes = 0;
  g_autofree char *bad_time = NULL;
  SmWeeklyWindow no_days = { 0, 0, 60 };
  g_autofree char *problem = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) utc =
        g_date_time_new_from_unix_utc (local_at (cases[i].day, cases[i].hour, cases[i].minute));
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

      g_assert_cmpint (sm_weekly_window_contains (cases[i].window, local), ==, cases[i].inside);
    }

  g_assert_null (sm_parse_time_of_day ("07:30", &minutes));
  g_assert_cmpuint (minutes, ==, 450);
  bad_time = sm_parse_time_of_day ("24:00", &minutes);
  g_assert_cmpstr (bad_time, ==, "must be a time from 00:00 to 23:59");
  problem = sm_weekly_window_validate (&no_days);
  g_assert_cmpstr (problem, ==, "days: must name at least one day of the week");
}

static void
test_durations (void)
{
  struct {
    const char *text;
    gint64 seconds;
  } good[] = {
    { "30s", 30 }, { "5m", 300 }, { "2h", 7200 }, { "1d", 86400 }, { "90", 90 }, { " 0s ", 0 },
  };
  const char *bad[] = { "", "5x", "m5", "-1", "5 m", "1.5h", "5mm", "99999999999999999999d" };
  SmAlertOp op = SM_ALERT_OP_GT;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      gint64 seconds = -1;
      g_autofree char *problem = sm_alert_parse_duration (good[i].text, &seconds);

      g_assert_null (problem);
      g_assert_cmpint (seconds, ==, good[i].seconds);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 seconds = -1;
      g_autofree char *problem = sm_alert_parse_duration (bad[i], &seconds);

      g_assert_cmpstr (problem, ==, "must be a duration such as 30s, 5m, 2h or 1d");
      g_assert_cmpint (seconds, ==, -1);
    }
  {
    gint64 seconds = -1;
    g_autofree char *problem = sm_alert_parse_duration ("4000d", &seconds);

    g_assert_cmpstr (problem, ==, "must be at most 10 years");
  }

  g_assert_true (sm_alert_op_from_string ("<=", &op));
  g_assert_cmpint (op, ==, SM_ALERT_OP_LE);
  g_assert_true (sm_alert_op_from_string ("!=", &op));
  g_assert_cmpstr (sm_alert_op_to_string (op), ==, "!=");
  g_assert_false (sm_alert_op_from_string ("=>", &op));
  g_assert_cmpint (op, ==, SM_ALERT_OP_NE);
}

static void
test_rule_validation (void)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("r", "cpu.percent", SM_ALERT_OP_GT, 90);
  g_autoptr(SmAlertRule) copy = NULL;
  char *problem;
  SmWeeklyWindow bad_window = { SM_WEEKDAYS_ALL, 25 * 60, 0 };
  const char *bad_channels[] = { "desk", "", NULL };

#define EXPECT(message) \
  G_STMT_START { \
    problem = sm_alert_rule_validate (rule); \
    g_assert_cmpstr (problem, ==, (message)); \
    g_free (problem); \
  } G_STMT_END

  EXPECT (NULL);

  rule->threshold = NAN;
  EXPECT ("threshold: must be a number");
  rule->threshold = 90;

  g_free (rule->target);
  rule->target = g_strdup ("disk.*.*.used_percent");
  EXPECT ("metric: must be a metric name such as cpu.percent, a pattern such as "
          "disk.*.used_percent, or one of state.unreachable, state.host_key_changed, "
          "state.unit_failed, state.container_not_running");
  g_free (rule->target);
  rule->target = g_strdup ("disk.x*.used_percent");
  g_assert_nonnull ((problem = sm_alert_rule_validate (rule)));
  g_free (problem);
  g_free (rule->target);
  rule->target = g_strdup ("state.sleepy");
  g_assert_nonnull ((problem = sm_alert_rule_validate (rule)));
  g_free (problem);
  g_free (rule->target);
  rule->target = g_strdup ("state.unit_failed");
  rule->threshold = NAN;
  EXPECT (NULL);
  g_free (rule->target);
  rule->target = g_strdup ("cpu.percent");
  rule->threshold = 90;

  rule->clear_threshold = 95;
  EXPECT ("clear: must not be above the threshold");
  rule->op = SM_ALERT_OP_LT;
  EXPECT (NULL);
  rule->clear_threshold = 85;
  EXPECT ("clear: must not be below the threshold");
  rule->op = SM_ALERT_OP_GT;

  rule->for_seconds = -1;
  EXPECT ("for: must not be negative");
  rule->for_seconds = 300;

  rule->retries = 0;
  EXPECT ("retries: must be a number from 1 to 20");
  rule->retries = 2;

  rule->escalate_seconds = 600;
  EXPECT ("escalate_to: must name a channel when escalate_after is set");
  rule->escalation_channel = g_strdup ("phone");
  EXPECT (NULL);

  rule->scope = SM_ALERT_SCOPE_GROUP;
  EXPECT ("group: must not be empty");
  rule->scope_value = g_strdup ("web");
  EXPECT (NULL);

  sm_alert_rule_add_business_hours (rule, &bad_window);
  EXPECT ("business_hours[0].start: must be a time from 00:00 to 23:59");
  g_array_set_size (rule->business_hours, 0);

  rule->channels = g_strdupv ((char **) bad_channels);
  EXPECT ("channels[1]: must be a channel name of 1 to 64 characters");
  g_clear_pointer (&rule->channels, g_strfreev);

  g_free (rule->id);
  rule->id = g_strdup ("");
  EXPECT ("id: must not be empty");
  g_free (rule->id);
  rule->id = g_strdup ("r");

  copy = sm_alert_rule_copy (rule);
  g_assert_cmpstr (copy->escalation_channel, ==, "phone");
  g_assert_cmpstr (copy->scope_value, ==, "web");
  g_assert_cmpuint (copy->business_hours->len, ==, 0);
  g_assert_cmpfloat (sm_alert_rule_get_clear_threshold (copy), ==, 85);

#undef EXPECT
}

static void
test_notification_copy (void)
{
  const char *channels[] = { "desk", "tg", NULL };
  g_autoptr(SmNotification) n = sm_notification_new (SM_NOTIFICATION_FIRING,
                                                     SM_SEVERITY_CRITICAL, "web", "t", NULL);
  g_autoptr(SmNotification) copy = NULL;

  n->channels = g_strdupv ((char **) channels);
  copy = sm_notification_copy (n);
  g_assert_true (g_strv_equal ((const char * const *) copy->channels, channels));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/alert-engine/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("pending-to-firing", test_pending_to_firing);
  ADD ("no-firing-on-blip", test_blip);
  ADD ("hysteresis", test_hysteresis);
  ADD ("retries", test_retries);
  ADD ("flapping", test_flapping);
  ADD ("parent-down", test_parent_down);
  ADD ("maintenance", test_maintenance);
  ADD ("quiet-hours", test_quiet_hours);
  ADD ("repeat-and-escalation", test_repeat_and_escalation);
  ADD ("acknowledge", test_acknowledge);
  ADD ("connectivity-gap", test_connectivity_gap);
  ADD ("round-gap", test_round_gap);
  ADD ("default-rules", test_default_rules);
  ADD ("disk-pattern", test_disk_pattern);
  ADD ("scope-and-business-hours", test_scope_and_business_hours);
  ADD ("scenario", test_scenario);
  ADD ("replace-rule", test_replace_rule);
#undef ADD

  g_test_add_func ("/alert-rule/weekly-window", test_weekly_window);
  g_test_add_func ("/alert-rule/durations", test_durations);
  g_test_add_func ("/alert-rule/validation", test_rule_validation);
  g_test_add_func ("/alert-rule/notification-copy", test_notification_copy);

  return g_test_run ();
}
