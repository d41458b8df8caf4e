/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-rule.c: alert rules, their parsing and validation. */

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sm-alert-rule.h"

static const char * const op_names[] = { ">", ">=", "<", "<=", "==", "!=" };

static const char * const state_targets[] = {
  "state.unreachable",
  "state.host_key_changed",
  "state.unit_failed",
  "state.container_not_running",
};

const char *
sm_alert_op_to_string (SmAlertOp op)
{
  g_return_val_if_fail ((guint) op < G_N_ELEMENTS (op_names), ">");

  return op_names[op];
}

gboolean
sm_alert_op_from_string (const char *text,
                         SmAlertOp  *out_op)
{
  g_return_val_if_fail (out_op != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (op_names); i++)
    {
      if (g_str_equal (text, op_names[i]))
        {
          *out_op = (SmAlertOp) i;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
sm_alert_op_compare (SmAlertOp op,
                     double    value,
                     double    threshold)
{
  if (isnan (value))
    return FALSE;

  switch (op)
    {
    case SM_ALERT_OP_GT:
      return value > threshold;
    case SM_ALERT_OP_GE:
      return value >= threshold;
    case SM_ALERT_OP_LT:
      return value < threshold;
    case SM_ALERT_OP_LE:
      return value <= threshold;
    case SM_ALERT_OP_EQ:
      return value == threshold;
    case SM_ALERT_OP_NE:
      return value != threshold;
    default:
      g_return_val_if_reached (FALSE);
    }
}

char *
sm_alert_parse_duration (const char *text,
                         gint64     *out_seconds)
{
  const char *problem = _("must be a duration such as 30s, 5m, 2h or 1d");
  g_autofree char *copy = NULL;
  char *end = NULL;
  guint64 number;
  guint64 unit = 1;

  g_return_val_if_fail (out_seconds != NULL, NULL);

  if (text == NULL)
    return g_strdup (problem);
  copy = g_strstrip (g_strdup (text));
  if (!g_ascii_isdigit (copy[0]))
    return g_strdup (problem);

  errno = 0;
  number = g_ascii_strtoull (copy, &end, 10);
  if (errno != 0)
    return g_strdup (problem);

  if (end[0] != '\0')
    {
      if (end[1] != '\0')
        return g_strdup (problem);
      switch (end[0])
        {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        default:
          return g_strdup (problem);
        }
    }

  /* Ten years is more than any rule needs and keeps the sums small. */
  if (number > (guint64) 10 * 366 * 86400 / unit)
    return g_strdup (_("must be at most 10 years"));

  *out_seconds = (gint64) (number * unit);
  return NULL;
}

gboolean
sm_weekly_window_contains (const SmWeeklyWindow *window,
                           GDateTime            *local)
{
  guint day;
  guint previous_day;
  guint minute;

  g_return_val_if_fail (window != NULL, FALSE);
  g_return_val_if_fail (local != NULL, FALSE);

  /* GDateTime counts Monday as 1 and Sunday as 7. */
  day = (guint) g_date_time_get_day_of_week (local) - 1;
  previous_day = (day + 6) % 7;
  minute = (guint) (g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local));

  if (window->end > window->start)
    return (window->days & (1u << day)) != 0 &&
           minute >= window->start && minute < window->end;

  /* The window crosses midnight (or, with end == start, lasts a day). */
  if ((window->days & (1u << day)) != 0 && minute >= window->start)
    return TRUE;
  if ((window->days & (1u << previous_day)) != 0 && minute < window->end)
    return TRUE;
  return FALSE;
}

char *
sm_weekly_window_validate (const SmWeeklyWindow *window)
{
  g_return_val_if_fail (window != NULL, NULL);

  if (window->days == 0 || (window->days & ~SM_WEEKDAYS_ALL) != 0)
    return g_strdup_printf ("days: %s", _("must name at least one day of the week"));
  if (window->start >= 24 * 60)
    return g_strdup_printf ("start: %s", _("must be a time from 00:00 to 23:59"));
  if (window->end >= 24 * 60)
    return g_strdup_printf ("end: %s", _("must be a time from 00:00 to 23:59"));
  return NULL;
}

char *
sm_parse_time_of_day (const char *text,
                      guint16    *out_minutes)
{
  const char *problem = _("must be a time from 00:00 to 23:59");
  guint hour;
  guint minute;

  g_return_val_if_fail (out_minutes != NULL, NULL);

  if (text == NULL || strlen (text) != 5 || text[2] != ':' ||
      !g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[1]) ||
      !g_ascii_isdigit (text[3]) || !g_ascii_isdigit (text[4]))
    return g_strdup (problem);

  hour = (guint) ((text[0] - '0') * 10 + (text[1] - '0'));
  minute = (guint) ((text[3] - '0') * 10 + (text[4] - '0'));
  if (hour > 23 || minute > 59)
    return g_strdup (problem);

  *out_minutes = (guint16) (hour * 60 + minute);
  return NULL;
}

SmAlertRule *
sm_alert_rule_new (const char *id,
                   const char *target,
                   SmAlertOp   op,
                   double      threshold)
{
  SmAlertRule *rule = g_new0 (SmAlertRule, 1);

  rule->id = g_strdup (id);
  rule->target = g_strdup (target);
  rule->op = op;
  rule->threshold = threshold;
  rule->clear_threshold = NAN;
  rule->severity = SM_SEVERITY_WARNING;
  rule->retries = 1;
  rule->scope = SM_ALERT_SCOPE_ALL;
  rule->enabled = TRUE;
  return rule;
}

SmAlertRule *
sm_alert_rule_copy (const SmAlertRule *rule)
{
  SmAlertRule *copy;

  g_return_val_if_fail (rule != NULL, NULL);

  copy = g_new0 (SmAlertRule, 1);
  *copy = *rule;
  copy->id = g_strdup (rule->id);
  copy->target = g_strdup (rule->target);
  copy->escalation_channel = g_strdup (rule->escalation_channel);
  copy->scope_value = g_strdup (rule->scope_value);
  copy->channels = g_strdupv (rule->channels);
  copy->business_hours = NULL;
  if (rule->business_hours != NULL)
    {
      copy->business_hours = g_array_sized_new (FALSE, FALSE, sizeof (SmWeeklyWindow),
                                                rule->business_hours->len);
      g_array_append_vals (copy->business_hours, rule->business_hours->data,
                           rule->business_hours->len);
    }
  return copy;
}

void
sm_alert_rule_free (SmAlertRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->id);
  g_free (rule->target);
  g_free (rule->escalation_channel);
  g_free (rule->scope_value);
  g_strfreev (rule->channels);
  g_clear_pointer (&rule->business_hours, g_array_unref);
  g_free (rule);
}

void
sm_alert_rule_add_business_hours (SmAlertRule          *rule,
                                  const SmWeeklyWindow *window)
{
  g_return_if_fail (rule != NULL);
  g_return_if_fail (window != NULL);

  if (rule->business_hours == NULL)
    rule->business_hours = g_array_new (FALSE, FALSE, sizeof (SmWeeklyWindow));
  g_array_append_val (rule->business_hours, *window);
}

double
sm_alert_rule_get_clear_threshold (const SmAlertRule *rule)
{
  g_return_val_if_fail (rule != NULL, NAN);

  return isnan (rule->clear_threshold) ? rule->threshold : rule->clear_threshold;
}

gboolean
sm_alert_target_is_state (const char *target)
{
  for (guint i = 0; target != NULL && i < G_N_ELEMENTS (state_targets); i++)
    {
      if (g_str_equal (target, state_targets[i]))
        return TRUE;
    }
  return FALSE;
}

gboolean
sm_alert_rule_is_state (const SmAlertRule *rule)
{
  g_return_val_if_fail (rule != NULL, FALSE);

  return sm_alert_target_is_state (rule->target);
}

gboolean
sm_alert_target_matches (const char *target,
                         const char *metric)
{
  const char *star;
  gsize prefix_len;
  gsize suffix_len;
  gsize metric_len;

  g_return_val_if_fail (target != NULL, FALSE);
  g_return_val_if_fail (metric != NULL, FALSE);

  star = strchr (target, '*');
  if (star == NULL)
    return g_str_equal (target, metric);

  /* The star stands for one non-empty component; the prefix and suffix
   * around it must match exactly. */
  prefix_len = (gsize) (star - target);
  suffix_len = strlen (star + 1);
  metric_len = strlen (metric);
  if (metric_len < prefix_len + suffix_len + 1)
    return FALSE;
  return strncmp (metric, target, prefix_len) == 0 &&
         strcmp (metric + metric_len - suffix_len, star + 1) == 0;
}

/* A metric name or pattern: printable ASCII without spaces, and at most
 * one '*', which must be a whole component ("disk.*.used_percent"). */
static gboolean
target_is_valid (const char *target)
{
  const char *star;

  if (target == NULL || target[0] == '\0' || strlen (target) > 255)
    return FALSE;
  if (g_str_has_prefix (target, "state."))
    return sm_alert_target_is_state (target);

  for (const char *p = target; *p != '\0'; p++)
    {
      if (*p <= ' ' || *p > '~')
        return FALSE;
    }

  star = strchr (target, '*');
  if (star == NULL)
    return TRUE;
  if (strchr (star + 1, '*') != NULL)
    return FALSE;
  if (star != target && star[-1] != '.')
    return FALSE;
  if (star[1] != '\0' && star[1] != '.')
    return FALSE;
  return TRUE;
}

static gboolean
channel_name_is_valid (const char *name)
{
  return name != NULL && name[0] != '\0' && strlen (name) <= 64;
}

char *
sm_alert_rule_validate (const SmAlertRule *rule)
{
  gboolean is_state;
  double clear;

  g_return_val_if_fail (rule != NULL, NULL);

  if (rule->id == NULL || rule->id[0] == '\0')
    return g_strdup_printf ("id: %s", _("must not be empty"));
  if (!target_is_valid (rule->target))
    return g_strdup_printf ("metric: %s",
                            _("must be a metric name such as cpu.percent, a pattern "
                              "such as disk.*.used_percent, or one of state.unreachable, "
                              "state.host_key_changed, state.unit_failed, "
                              "state.container_not_running"));

  is_state = sm_alert_target_is_state (rule->target);
  if ((guint) rule->op >= G_N_ELEMENTS (op_names))
    return g_strdup_printf ("op: %s", _("must be one of >, >=, <, <=, ==, !="));
  if (!is_state && !isfinite (rule->threshold))
    return g_strdup_printf ("threshold: %s", _("must be a number"));

  clear = sm_alert_rule_get_clear_threshold (rule);
  if (!is_state && !isfinite (clear))
    return g_strdup_printf ("clear: %s", _("must be a number"));
  if (!is_state)
    {
      switch (rule->op)
        {
        case SM_ALERT_OP_GT:
        case SM_ALERT_OP_GE:
          if (clear > rule->threshold)
            return g_strdup_printf ("clear: %s", _("must not be above the threshold"));
          break;
        case SM_ALERT_OP_LT:
        case SM_ALERT_OP_LE:
          if (clear < rule->threshold)
            return g_strdup_printf ("clear: %s", _("must not be below the threshold"));
          break;
        case SM_ALERT_OP_EQ:
        case SM_ALERT_OP_NE:
        default:
          if (clear != rule->threshold)
            return g_strdup_printf ("clear: %s", _("must equal the threshold for == and !="));
          break;
        }
    }

  if (rule->for_seconds < 0)
    return g_strdup_printf ("for: %s", _("must not be negative"));
  if ((guint) rule->severity > SM_SEVERITY_CRITICAL)
    return g_strdup_printf ("severity: %s", _("must be warning or critical"));
  if (rule->retries < 1 || rule->retries > 20)
    return g_strdup_printf ("retries: %s", _("must be a number from 1 to 20"));
  if (rule->repeat_seconds < 0)
    return g_strdup_printf ("repeat: %s", _("must not be negative"));
  if (rule->escalate_seconds < 0)
    return g_strdup_printf ("escalate_after: %s", _("must not be negative"));
  if (rule->escalate_seconds > 0 && !channel_name_is_valid (rule->escalation_channel))
    return g_strdup_printf ("escalate_to: %s", _("must name a channel when escalate_after is set"));

  if (rule->scope != SM_ALERT_SCOPE_ALL &&
      (rule->scope_value == NULL || rule->scope_value[0] == '\0'))
    {
      switch (rule->scope)
        {
        case SM_ALERT_SCOPE_SERVER:
          return g_strdup_printf ("server: %s", _("must not be empty"));
        case SM_ALERT_SCOPE_GROUP:
          return g_strdup_printf ("group: %s", _("must not be empty"));
        case SM_ALERT_SCOPE_TAG:
        case SM_ALERT_SCOPE_ALL:
        default:
          return g_strdup_printf ("tag: %s", _("must not be empty"));
        }
    }

  for (guint i = 0; rule->business_hours != NULL && i < rule->business_hours->len; i++)
    {
      g_autofree char *problem =
        sm_weekly_window_validate (&g_array_index (rule->business_hours, SmWeeklyWindow, i));

      if (problem != NULL)
        return g_strdup_printf ("business_hours[%u].%s", i, problem);
    }

  for (guint i = 0; rule->channels != NULL && rule->channels[i] != NULL; i++)
    {
      if (!channel_name_is_valid (rule->channels[i]))
        return g_strdup_printf ("channels[%u]: %s", i, _("must be a channel name of 1 to 64 characters"));
    }

  return NULL;
}

static SmAlertRule *
default_rule (const char *server_id,
              const char *name,
              const char *target,
              double      threshold,
              gint64      for_seconds,
              SmSeverity  severity)
{
  g_autofree char *id = g_strdup_printf ("%s/%s", server_id, name);
  SmAlertRule *rule = sm_alert_rule_new (id, target, SM_ALERT_OP_GT, threshold);

  rule->for_seconds = for_seconds;
  rule->severity = severity;
  rule->scope = SM_ALERT_SCOPE_SERVER;
  rule->scope_value = g_strdup (server_id);
  return rule;
}

GPtrArray *
sm_alert_rules_new_defaults (const char *server_id)
{
  GPtrArray *rules = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_rule_free);
  SmAlertRule *rule;

  g_return_val_if_fail (server_id != NULL, rules);

  rule = default_rule (server_id, "unreachable", "state.unreachable", 0, 0, SM_SEVERITY_CRITICAL);
  rule->retries = 2;
  g_ptr_array_add (rules, rule);
  g_ptr_array_add (rules, default_rule (server_id, "cpu", "cpu.percent", 90, 300,
                                        SM_SEVERITY_WARNING));
  g_ptr_array_add (rules, default_rule (server_id, "memory", "mem.used_percent", 90, 300,
                                        SM_SEVERITY_WARNING));
  g_ptr_array_add (rules, default_rule (server_id, "disk", "disk.*.used_percent", 90, 0,
                                        SM_SEVERITY_CRITICAL));
  g_ptr_array_add (rules, default_rule (server_id, "inodes", "disk.*.inodes_used_percent", 90, 0,
                                        SM_SEVERITY_CRITICAL));
  g_ptr_array_add (rules, default_rule (server_id, "host-key", "state.host_key_changed", 0, 0,
                                        SM_SEVERITY_CRITICAL));
  return rules;
}

/* JSON (import/export and the database). */

static const char * const day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

char *
sm_alert_format_duration (gint64 seconds)
{
  if (seconds % 86400 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "d", seconds / 86400);
  if (seconds % 3600 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "h", seconds / 3600);
  if (seconds % 60 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "m", seconds / 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT "s", seconds);
}

static char *
format_time_of_day (guint16 minutes)
{
  return g_strdup_printf ("%02u:%02u", minutes / 60u, minutes % 60u);
}

JsonNode *
sm_weekly_window_to_json (const SmWeeklyWindow *window)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;

  g_return_val_if_fail (window != NULL, NULL);

  start = format_time_of_day (window->start);
  end = format_time_of_day (window->end);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "days");
  json_builder_begin_array (builder);
  for (guint d = 0; d < 7; d++)
    if (window->days & (1u << d))
      json_builder_add_string_value (builder, day_names[d]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "start");
  json_builder_add_string_value (builder, start);
  json_builder_set_member_name (builder, "end");
  json_builder_add_string_value (builder, end);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
day_from_name (const char *name,
               guint      *out_day)
{
  for (guint d = 0; d < 7; d++)
    if (g_ascii_strcasecmp (name, day_names[d]) == 0)
      {
        *out_day = d;
        return TRUE;
      }
  return FALSE;
}

static gboolean
string_member (JsonObject  *object,
               const char  *member,
               const char **out_text)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out_text = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out_text = json_node_get_string (node);
  return TRUE;
}

gboolean
sm_weekly_window_from_json (JsonNode        *node,
                            SmWeeklyWindow  *out_window,
                            char           **out_error)
{
  JsonObject *object;
  JsonNode *days;
  SmWeeklyWindow window = { 0, 0, 0 };
  const char *text = NULL;
  char *problem;

  g_return_val_if_fail (out_window != NULL, FALSE);
  g_return_val_if_fail (out_error != NULL, FALSE);

  *out_error = NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      *out_error = g_strdup_printf (": %s", _("must be an object with days, start and end"));
      return FALSE;
    }
  object = json_node_get_object (node);

  days = json_object_get_member (object, "days");
  if (days == NULL || JSON_NODE_HOLDS_NULL (days))
    window.days = SM_WEEKDAYS_ALL;
  else if (JSON_NODE_HOLDS_VALUE (days) && json_node_get_value_type (days) == G_TYPE_STRING)
    {
      const char *name = json_node_get_string (days);

      if (g_ascii_strcasecmp (name, "all") == 0)
        window.days = SM_WEEKDAYS_ALL;
      else if (g_ascii_strcasecmp (name, "mon-fri") == 0 ||
               g_ascii_strcasecmp (name, "weekdays") == 0)
        window.days = SM_WEEKDAYS_MON_FRI;
      else if (g_ascii_strcasecmp (name, "sat-sun") == 0 ||
               g_ascii_strcasecmp (name, "weekends") == 0)
        window.days = 0x60;
      else
        {
          guint day;

          if (!day_from_name (name, &day))
            {
              *out_error = g_strdup_printf ("days: %s",
                                            _("must be a list of mon, tue, wed, thu, fri, sat, sun, "
                                              "or all, mon-fri or sat-sun"));
              return FALSE;
            }
          window.days = 1u << day;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (days))
    {
      JsonArray *array = json_node_get_array (days);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          guint day;

          if (!JSON_NODE_HOLDS_VALUE (element) ||
              json_node_get_value_type (element) != G_TYPE_STRING ||
              !day_from_name (json_node_get_string (element), &day))
            {
              *out_error = g_strdup_printf ("days[%u]: %s", i, _("must be one of mon, tue, wed, thu, fri, sat, sun"));
              return FALSE;
            }
          window.days |= 1u << day;
        }
    }
  else
    {
      *out_error = g_strdup_printf ("days: %s", _("must be a list of mon, tue, wed, thu, fri, sat, sun"));
      return FALSE;
    }

  if (!string_member (object, "start", &text) || text == NULL ||
      (problem = sm_parse_time_of_day (text, &window.start)) != NULL)
    {
      *out_error = g_strdup_printf ("start: %s", _("must be a time of day such as 09:00"));
      return FALSE;
    }
  if (!string_member (object, "end", &text) || text == NULL ||
      (problem = sm_parse_time_of_day (text, &window.end)) != NULL)
    {
      *out_error = g_strdup_printf ("end: %s", _("must be a time of day such as 17:00"));
      return FALSE;
    }

  problem = sm_weekly_window_validate (&window);
  if (problem != NULL)
    {
      *out_error = problem;
      return FALSE;
    }

  *out_window = window;
  return TRUE;
}

char *
sm_alert_rule_new_id (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strconcat ("r-", uuid, NULL);
}

JsonNode *
sm_alert_rule_to_json (const SmAlertRule *rule)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean is_state;

  g_return_val_if_fail (rule != NULL, NULL);

  is_state = sm_alert_rule_is_state (rule);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, rule->id);

  switch (rule->scope)
    {
    case SM_ALERT_SCOPE_SERVER:
      json_builder_set_member_name (builder, "server");
      json_builder_add_string_value (builder, rule->scope_value);
      break;
    case SM_ALERT_SCOPE_GROUP:
      json_builder_set_member_name (builder, "group");
      json_builder_add_string_value (builder, rule->scope_value);
      break;
    case SM_ALERT_SCOPE_TAG:
      json_builder_set_member_name (builder, "tag");
      json_builder_add_string_value (builder, rule->scope_value);
      break;
    case SM_ALERT_SCOPE_ALL:
    default:
      break;
    }

  json_builder_set_member_name (builder, "metric");
  json_builder_add_string_value (builder, rule->target);
  if (!is_state)
    {
      json_builder_set_member_name (builder, "op");
      json_builder_add_string_value (builder, sm_alert_op_to_string (rule->op));
      json_builder_set_member_name (builder, "threshold");
      json_builder_add_double_value (builder, rule->threshold);
      if (!isnan (rule->clear_threshold))
        {
          json_builder_set_member_name (builder, "clear");
          json_builder_add_double_value (builder, rule->clear_threshold);
        }
    }
  if (rule->for_seconds > 0)
    {
      g_autofree char *text = sm_alert_format_duration (rule->for_seconds);

      json_builder_set_member_name (builder, "for");
      json_builder_add_string_value (builder, text);
    }
  json_builder_set_member_name (builder, "severity");
  json_builder_add_string_value (builder, sm_severity_to_string (rule->severity));
  if (rule->retries != 1)
    {
      json_builder_set_member_name (builder, "retries");
      json_builder_add_int_value (builder, rule->retries);
    }
  if (rule->repeat_seconds > 0)
    {
      g_autofree char *text = sm_alert_format_duration (rule->repeat_seconds);

      json_builder_set_member_name (builder, "repeat");
      json_builder_add_string_value (builder, text);
    }
  if (rule->escalate_seconds > 0)
    {
      g_autofree char *text = sm_alert_format_duration (rule->escalate_seconds);

      json_builder_set_member_name (builder, "escalate_after");
      json_builder_add_string_value (builder, text);
      json_builder_set_member_name (builder, "escalate_to");
      json_builder_add_string_value (builder, rule->escalation_channel);
    }
  if (rule->business_hours != NULL && rule->business_hours->len > 0)
    {
      json_builder_set_member_name (builder, "business_hours");
      json_builder_begin_array (builder);
      for (guint i = 0; i < rule->business_hours->len; i++)
        json_builder_add_value (builder,
                                sm_weekly_window_to_json (&g_array_index (rule->business_hours,
                                                                          SmWeeklyWindow, i)));
      json_builder_end_array (builder);
    }
  if (rule->channels != NULL)
    {
      json_builder_set_member_name (builder, "channels");
      json_builder_begin_array (builder);
      for (guint i = 0; rule->channels[i] != NULL; i++)
        json_builder_add_string_value (builder, rule->channels[i]);
      json_builder_end_array (builder);
    }
  if (!rule->enabled)
    {
      json_builder_set_member_name (builder, "enabled");
      json_builder_add_boolean_value (builder, FALSE);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static const char * const rule_members[] = {
  "id", "server", "group", "tag", "metric", "op", "threshold", "clear", "for",
  "severity", "retries", "repeat", "escalate_after", "escalate_to",
  "business_hours", "channels", "enabled",
};

static gboolean
number_member (JsonObject *object,
               const char *member,
               double     *out_value,
               gboolean   *out_present)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type;

  *out_present = node != NULL && !JSON_NODE_HOLDS_NULL (node);
  if (!*out_present)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *out_value = json_node_get_double (node);
  return isfinite (*out_value);
}

static char *
duration_member (JsonObject *object,
                 const char *member,
                 gint64     *out_seconds)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *problem = NULL;
  g_autofree char *text = NULL;

  *out_seconds = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    text = g_strdup (json_node_get_string (node));
  else
    return g_strdup_printf ("%s: %s", member, _("must be a duration such as 30s, 5m, 2h or 1d"));

  problem = sm_alert_parse_duration (text, out_seconds);
  if (problem != NULL)
    return g_strdup_printf ("%s: %s", member, problem);
  return NULL;
}

SmAlertRule *
sm_alert_rule_from_json (JsonNode  *node,
                         char     **out_error)
{
  g_autoptr(SmAlertRule) rule = NULL;
  g_autofree char *id = NULL;
  JsonObject *object;
  const char *text = NULL;
  const char *scope_value = NULL;
  double number;
  gboolean present;
  guint n_scopes = 0;
  JsonNode *member;
  char *problem;

  g_return_val_if_fail (out_error != NULL, NULL);

  *out_error = NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      *out_error = g_strdup_printf (": %s", _("must be an object"));
      return NULL;
    }
  object = json_node_get_object (node);

  {
    g_autoptr(GList) names = json_object_get_members (object);

    for (GList *l = names; l != NULL; l = l->next)
      if (!g_strv_contains (rule_members, l->data))
        {
          *out_error = g_strdup_printf ("%s: %s", (const char *) l->data, _("unknown member"));
          return NULL;
        }
  }

  if (!string_member (object, "id", &text))
    {
      *out_error = g_strdup_printf ("id: %s", _("must be a string"));
      return NULL;
    }
  id = text != NULL ? g_strdup (text) : sm_alert_rule_new_id ();

  if (!string_member (object, "metric", &text) || text == NULL)
    {
      *out_error = g_strdup_printf ("metric: %s", _("must be a metric name such as cpu.percent"));
      return NULL;
    }
  rule = sm_alert_rule_new (id, text, SM_ALERT_OP_GT, 0);

  if (!string_member (object, "op", &text))
    {
      *out_error = g_strdup_printf ("op: %s", _("must be one of >, >=, <, <=, ==, !="));
      return NULL;
    }
  if (text != NULL && !sm_alert_op_from_string (text, &rule->op))
    {
      *out_error = g_strdup_printf ("op: %s", _("must be one of >, >=, <, <=, ==, !="));
      return NULL;
    }

  if (!number_member (object, "threshold", &number, &present))
    {
      *out_error = g_strdup_printf ("threshold: %s", _("must be a number"));
      return NULL;
    }
  if (present)
    rule->threshold = number;
  else if (!sm_alert_target_is_state (rule->target))
    {
      *out_error = g_strdup_printf ("threshold: %s", _("is required for a metric rule"));
      return NULL;
    }
  if (!number_member (object, "clear", &number, &present))
    {
      *out_error = g_strdup_printf ("clear: %s", _("must be a number"));
      return NULL;
    }
  if (present)
    rule->clear_threshold = number;

  if ((problem = duration_member (object, "for", &rule->for_seconds)) != NULL ||
      (problem = duration_member (object, "repeat", &rule->repeat_seconds)) != NULL ||
      (problem = duration_member (object, "escalate_after", &rule->escalate_seconds)) != NULL)
    {
      *out_error = problem;
      return NULL;
    }

  if (!string_member (object, "severity", &text) ||
      (text != NULL && !sm_severity_from_string (text, &rule->severity)))
    {
      *out_error = g_strdup_printf ("severity: %s", _("must be warning or critical"));
      return NULL;
    }

  member = json_object_get_member (object, "retries");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) ||
          json_node_get_value_type (member) != G_TYPE_INT64 ||
          json_node_get_int (member) < 1 || json_node_get_int (member) > 20)
        {
          *out_error = g_strdup_printf ("retries: %s", _("must be a number from 1 to 20"));
          return NULL;
        }
      rule->retries = (guint) json_node_get_int (member);
    }

  if (!string_member (object, "escalate_to", &text))
    {
      *out_error = g_strdup_printf ("escalate_to: %s", _("must be a channel name"));
      return NULL;
    }
  rule->escalation_channel = g_strdup (text);

  for (guint i = 0; i < 3; i++)
    {
      static const char * const scopes[] = { "server", "group", "tag" };
      static const SmAlertScope values[] = { SM_ALERT_SCOPE_SERVER, SM_ALERT_SCOPE_GROUP,
                                             SM_ALERT_SCOPE_TAG };

      if (!string_member (object, scopes[i], &text))
        {
          *out_error = g_strdup_printf ("%s: %s", scopes[i], _("must be a string"));
          return NULL;
        }
      if (text != NULL)
        {
          n_scopes++;
          rule->scope = values[i];
          scope_value = text;
        }
    }
  if (n_scopes > 1)
    {
      *out_error = g_strdup_printf ("server: %s", _("give at most one of server, group and tag"));
      return NULL;
    }
  rule->scope_value = g_strdup (scope_value);

  member = json_object_get_member (object, "business_hours");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        {
          *out_error = g_strdup_printf ("business_hours: %s", _("must be a list of weekly windows"));
          return NULL;
        }
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          SmWeeklyWindow window;
          g_autofree char *window_problem = NULL;

          if (!sm_weekly_window_from_json (json_array_get_element (array, i), &window,
                                           &window_problem))
            {
              *out_error = g_strdup_printf ("business_hours[%u].%s", i, window_problem);
              return NULL;
            }
          sm_alert_rule_add_business_hours (rule, &window);
        }
    }

  member = json_object_get_member (object, "channels");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      g_autoptr(GStrvBuilder) channels = g_strv_builder_new ();
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (member))
        {
          *out_error = g_strdup_printf ("channels: %s", _("must be a list of channel names"));
          return NULL;
        }
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) ||
              json_node_get_value_type (element) != G_TYPE_STRING)
            {
              *out_error = g_strdup_printf ("channels[%u]: %s", i, _("must be a channel name"));
              return NULL;
            }
          g_strv_builder_add (channels, json_node_get_string (element));
        }
      rule->channels = g_strv_builder_end (channels);
    }

  member = json_object_get_member (object, "enabled");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) ||
          json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        {
          *out_error = g_strdup_printf ("enabled: %s", _("must be true or false"));
          return NULL;
        }
      rule->enabled = json_node_get_boolean (member);
    }

  problem = sm_alert_rule_validate (rule);
  if (problem != NULL)
    {
      *out_error = problem;
      return NULL;
    }

  return g_steal_pointer (&rule);
}

/* Names people read: "CPU above 90 %", "Disk /var above 85 %". */

static const struct {
  const char *target;
  const char *name;
  gboolean    percent;
} metric_names[] = {
  { "cpu.percent",       N_("CPU"),          TRUE },
  { "mem.used_percent",  N_("Memory"),       TRUE },
  { "swap.used_percent", N_("Swap"),         TRUE },
  { "load.1",            N_("Load (1 min)"), FALSE },
  { "load.5",            N_("Load (5 min)"), FALSE },
  { "load.15",           N_("Load (15 min)"), FALSE },
};

/* In the order of SmAlertOp. */
static const char * const op_words[] = {
  N_("above"),
  N_("at or above"),
  N_("below"),
  N_("at or below"),
  N_("equal to"),
  N_("not equal to"),
};

char *
sm_alert_describe_metric (const char *metric,
                          gboolean   *out_percent)
{
  gboolean percent = FALSE;
  char *name = NULL;

  g_return_val_if_fail (metric != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (metric_names); i++)
    if (g_str_equal (metric, metric_names[i].target))
      {
        name = g_strdup (_(metric_names[i].name));
        percent = metric_names[i].percent;
      }

  if (name == NULL && g_str_has_prefix (metric, "disk."))
    {
      const char *mount = metric + strlen ("disk.");
      g_autofree char *inodes_mount = NULL;
      g_autofree char *used_mount = NULL;

      if (g_str_has_suffix (mount, ".inodes_used_percent"))
        inodes_mount = g_strndup (mount, strlen (mount) - strlen (".inodes_used_percent"));
      else if (g_str_has_suffix (mount, ".used_percent"))
        used_mount = g_strndup (mount, strlen (mount) - strlen (".used_percent"));

      if (inodes_mount != NULL && inodes_mount[0] != '\0')
        {
          percent = TRUE;
          /* Translators: %s is a mount point ("/var"). */
          name = g_str_equal (inodes_mount, "*") ? g_strdup (_("Inodes on any disk"))
                                                 : g_strdup_printf (_("Inodes on %s"), inodes_mount);
        }
      else if (used_mount != NULL && used_mount[0] != '\0')
        {
          percent = TRUE;
          /* Translators: %s is a mount point ("/var"). */
          name = g_str_equal (used_mount, "*") ? g_strdup (_("Any disk"))
                                               : g_strdup_printf (_("Disk %s"), used_mount);
        }
    }

  if (name == NULL && g_str_equal (metric, "state.unreachable"))
    name = g_strdup (_("Unreachable"));
  if (name == NULL && g_str_equal (metric, "state.host_key_changed"))
    name = g_strdup (_("Host key changed"));
  if (name == NULL && g_str_equal (metric, "state.unit_failed"))
    name = g_strdup (_("A systemd unit failed"));
  if (name == NULL && g_str_equal (metric, "state.container_not_running"))
    name = g_strdup (_("A container is not running"));
  if (name == NULL)
    name = g_strdup (metric);

  if (out_percent != NULL)
    *out_percent = percent;
  return name;
}

char *
sm_alert_describe_condition (const SmAlertRule *rule,
                             const char        *target)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *name = NULL;
  g_autofree char *threshold = NULL;
  gboolean percent = FALSE;

  g_return_val_if_fail (rule != NULL, NULL);

  if (target == NULL)
    target = rule->target;

  /* A service check: "check.<name>.up", ".degraded" and a log check's
   * ".matches". */
  if (g_str_has_prefix (target, "check.") &&
      (g_str_has_suffix (target, ".up") || g_str_has_suffix (target, ".degraded") ||
       g_str_has_suffix (target, ".matches")))
    {
      const char *suffix = strrchr (target, '.');
      gsize prefix = strlen ("check.");
      gsize len = strlen (target);
      g_autofree char *check = len > prefix + strlen (suffix)
        ? g_strndup (target + prefix, len - prefix - strlen (suffix)) : g_strdup ("");
      gboolean any = g_str_equal (check, "*");

      if (g_str_equal (suffix, ".up"))
        /* Translators: %s is a service check's name. */
        return any ? g_strdup (_("A check fails")) : g_strdup_printf (_("Check “%s” fails"), check);
      if (g_str_equal (suffix, ".degraded"))
        return any ? g_strdup (_("A check is degraded"))
                   : g_strdup_printf (_("Check “%s” is degraded"), check);
      return any ? g_strdup (_("A log shows new matches"))
                 : g_strdup_printf (_("Log “%s” shows new matches"), check);
    }

  name = sm_alert_describe_metric (target, &percent);
  if (sm_alert_target_is_state (target))
    return g_steal_pointer (&name);

  g_ascii_formatd (number, sizeof number, "%.10g", rule->threshold);
  /* Translators: a number and the percent sign, "90 %". */
  threshold = percent ? g_strdup_printf (_("%s %%"), number) : g_strdup (number);
  /* Translators: what a rule watches, how it compares and the threshold,
   * as in "CPU above 90 %". */
  return g_strdup_printf (_("%s %s %s"), name,
                          _(op_words[MIN ((guint) rule->op, G_N_ELEMENTS (op_words) - 1)]),
                          threshold);
}
