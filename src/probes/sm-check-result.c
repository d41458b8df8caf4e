/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-result.c: the result of one service check run. */

#include "config.h"

#include <math.h>
#include <string.h>

#include "sm-check-result.h"

static const char * const status_names[] = { "up", "degraded", "down", "unknown" };

const char *
sm_check_status_to_string (SmCheckStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_names), "unknown");

  return status_names[status];
}

gboolean
sm_check_status_from_string (const char    *text,
                             SmCheckStatus *out_status)
{
  g_return_val_if_fail (out_status != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (status_names); i++)
    if (g_str_equal (text, status_names[i]))
      {
        *out_status = (SmCheckStatus) i;
        return TRUE;
      }
  return FALSE;
}

static int
severity_rank (SmCheckStatus status)
{
  switch (status)
    {
    case SM_CHECK_STATUS_UP:
      return 0;
    case SM_CHECK_STATUS_DEGRADED:
      return 1;
    case SM_CHECK_STATUS_UNKNOWN:
      return 2;
    case SM_CHECK_STATUS_DOWN:
    default:
      return 3;
    }
}

SmCheckStatus
sm_check_status_worst (SmCheckStatus a,
                       SmCheckStatus b)
{
  return severity_rank (a) >= severity_rank (b) ? a : b;
}

static void
metric_clear (gpointer data)
{
  SmCheckMetric *metric = data;

  g_free (metric->name);
  g_free (metric->unit);
}

SmCheckResult *
sm_check_result_new (SmCheckStatus  status,
                     const char    *reason)
{
  SmCheckResult *result = g_new0 (SmCheckResult, 1);

  result->status = status;
  result->reason = g_strdup (reason);
  result->timing.dns_ms = NAN;
  result->timing.connect_ms = NAN;
  result->timing.tls_ms = NAN;
  result->timing.first_byte_ms = NAN;
  result->timing.total_ms = NAN;
  result->metrics = g_array_new (FALSE, TRUE, sizeof (SmCheckMetric));
  g_array_set_clear_func (result->metrics, metric_clear);
  result->details = g_ptr_array_new_with_free_func (g_free);
  result->lines = g_ptr_array_new_with_free_func (g_free);
  result->time_us = g_get_real_time ();
  return result;
}

SmCheckResult *
sm_check_result_copy (const SmCheckResult *result)
{
  SmCheckResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = sm_check_result_new (result->status, result->reason);
  copy->timing = result->timing;
  copy->http_status = result->http_status;
  copy->time_us = result->time_us;
  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmCheckMetric *metric = &g_array_index (result->metrics, SmCheckMetric, i);

      sm_check_result_add_metric (copy, metric->name, metric->value, metric->unit);
    }
  for (guint i = 0; i < result->details->len; i++)
    g_ptr_array_add (copy->details, g_strdup (g_ptr_array_index (result->details, i)));
  for (guint i = 0; i < result->lines->len; i++)
    g_ptr_array_add (copy->lines, g_strdup (g_ptr_array_index (result->lines, i)));
  return copy;
}

void
sm_check_result_free (SmCheckResult *result)
{
  if (result == NULL)
    return;
  g_free (result->reason);
  g_array_unref (result->metrics);
  g_ptr_array_unref (result->details);
  g_ptr_array_unref (result->lines);
  g_free (result);
}

void
sm_check_result_set_reason (SmCheckResult *result,
                            const char    *format,
                            ...)
{
  va_list args;

  g_return_if_fail (result != NULL);
  g_return_if_fail (format != NULL);

  g_free (result->reason);
  va_start (args, format);
  result->reason = g_strdup_vprintf (format, args);
  va_end (args);
}

void
sm_check_result_add_metric (SmCheckResult *result,
                            const char    *name,
                            double         value,
                            const char    *unit)
{
  SmCheckMetric metric;

  g_return_if_fail (result != NULL);
  g_return_if_fail (name != NULL);

  metric.name = g_strdup (name);
  metric.value = value;
  metric.unit = g_strdup (unit);
  g_array_append_val (result->metrics, metric);
}

double
sm_check_result_get_metric (const SmCheckResult *result,
                            const char          *name)
{
  g_return_val_if_fail (result != NULL, NAN);
  g_return_val_if_fail (name != NULL, NAN);

  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmCheckMetric *metric = &g_array_index (result->metrics, SmCheckMetric, i);

      if (g_str_equal (metric->name, name))
        return metric->value;
    }
  return NAN;
}

void
sm_check_result_add_detail (SmCheckResult *result,
                            const char    *key,
                            const char    *value)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (key != NULL && strchr (key, '=') == NULL);

  g_ptr_array_add (result->details, g_strdup_printf ("%s=%s", key, value != NULL ? value : ""));
}

const char *
sm_check_result_get_detail (const SmCheckResult *result,
                            const char          *key)
{
  gsize len;

  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  len = strlen (key);
  for (guint i = 0; i < result->details->len; i++)
    {
      const char *detail = g_ptr_array_index (result->details, i);

      if (strncmp (detail, key, len) == 0 && detail[len] == '=')
        return detail + len + 1;
    }
  return NULL;
}
