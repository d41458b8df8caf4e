/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-series.c: units, ranges, tiers and series as plain data. */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sm-series.h"

SmValueUnit
sm_metric_get_unit (const char *metric)
{
  g_return_val_if_fail (metric != NULL, SM_VALUE_UNIT_NONE);

  if (g_str_has_suffix (metric, "percent"))
    return SM_VALUE_UNIT_PERCENT;
  if (g_str_has_suffix (metric, "_bps"))
    return SM_VALUE_UNIT_BYTES_PER_SECOND;
  if (g_str_has_suffix (metric, "_ms"))
    return SM_VALUE_UNIT_MILLISECONDS;
  if (g_str_equal (metric, "uptime.seconds"))
    return SM_VALUE_UNIT_SECONDS;
  if (g_str_has_prefix (metric, "mem.") || g_str_has_prefix (metric, "swap."))
    return SM_VALUE_UNIT_BYTES;
  if (g_str_has_prefix (metric, "disk.") &&
      (g_str_has_suffix (metric, ".total") || g_str_has_suffix (metric, ".used")))
    return SM_VALUE_UNIT_BYTES;
  if (g_str_has_prefix (metric, "gpu.") &&
      (g_str_has_suffix (metric, ".mem_used") || g_str_has_suffix (metric, ".mem_total")))
    return SM_VALUE_UNIT_BYTES;
  return SM_VALUE_UNIT_NONE;
}

/* Three significant digits at most, trailing zeros dropped: 1.25, 12.5, 125. */
static char *
format_number (double value)
{
  double magnitude = fabs (value);
  int decimals;
  g_autofree char *text = NULL;

  if (magnitude >= 100 || magnitude == 0)
    decimals = 0;
  else if (magnitude >= 10)
    decimals = 1;
  else
    decimals = 2;

  text = g_strdup_printf ("%.*f", decimals, value);
  if (decimals > 0)
    {
      char *end = text + strlen (text) - 1;

      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
    }
  if (g_str_equal (text, "-0"))
    return g_strdup ("0");
  return g_steal_pointer (&text);
}

static char *
format_size (double      value,
             const char *suffix)
{
  /* Translators: IEC size units. */
  static const char * const units[] = { N_("B"), N_("KiB"), N_("MiB"), N_("GiB"), N_("TiB"), N_("PiB") };
  double magnitude = fabs (value);
  guint i = 0;
  g_autofree char *number = NULL;

  while (magnitude >= 1024 && i + 1 < G_N_ELEMENTS (units))
    {
      magnitude /= 1024;
      value /= 1024;
      i++;
    }
  number = format_number (value);
  return g_strdup_printf ("%s %s%s", number, _(units[i]), suffix);
}

static char *
format_duration (double seconds)
{
  g_autofree char *number = NULL;

  if (fabs (seconds) >= 86400)
    {
      number = format_number (seconds / 86400);
      /* Translators: a duration in days, "3.5 d". */
      return g_strdup_printf (_("%s d"), number);
    }
  if (fabs (seconds) >= 3600)
    {
      number = format_number (seconds / 3600);
      /* Translators: a duration in hours, "2.5 h". */
      return g_strdup_printf (_("%s h"), number);
    }
  if (fabs (seconds) >= 60)
    {
      number = format_number (seconds / 60);
      /* Translators: a duration in minutes, "12 min". */
      return g_strdup_printf (_("%s min"), number);
    }
  number = format_number (seconds);
  /* Translators: a duration in seconds, "45 s". */
  return g_strdup_printf (_("%s s"), number);
}

char *
sm_format_value (double      value,
                 SmValueUnit unit)
{
  g_autofree char *number = NULL;

  if (!isfinite (value))
    return g_strdup ("—");

  switch (unit)
    {
    case SM_VALUE_UNIT_PERCENT:
      number = format_number (value);
      /* Translators: a percentage, "42 %". */
      return g_strdup_printf (_("%s %%"), number);
    case SM_VALUE_UNIT_BYTES:
      return format_size (value, "");
    case SM_VALUE_UNIT_BYTES_PER_SECOND:
      /* Translators: the suffix of a rate, as in "3 MiB/s". */
      return format_size (value, _("/s"));
    case SM_VALUE_UNIT_MILLISECONDS:
      if (fabs (value) >= 1000)
        return format_duration (value / 1000);
      number = format_number (value);
      /* Translators: milliseconds, "38 ms". */
      return g_strdup_printf (_("%s ms"), number);
    case SM_VALUE_UNIT_SECONDS:
      return format_duration (value);
    case SM_VALUE_UNIT_NONE:
    default:
      return format_number (value);
    }
}

gint64
sm_tier_get_step (SmTier tier)
{
  switch (tier)
    {
    case SM_TIER_1M:
      return 60;
    case SM_TIER_1H:
      return 3600;
    case SM_TIER_RAW:
    case SM_N_TIERS:
    default:
      return 0;
    }
}

const char *
sm_tier_to_string (SmTier tier)
{
  switch (tier)
    {
    case SM_TIER_1M:
      return "1m";
    case SM_TIER_1H:
      return "1h";
    case SM_TIER_RAW:
    case SM_N_TIERS:
    default:
      return "raw";
    }
}

SmTier
sm_tier_for_range (gint64 range_s,
                   guint  width,
                   guint  raw_interval_s,
                   gint64 retention_raw_s,
                   gint64 retention_1m_s)
{
  double budget = 4.0 * MAX (width, 1u);
  double raw_step = MAX (raw_interval_s, 1u);

  if (range_s <= retention_raw_s && range_s / raw_step <= budget)
    return SM_TIER_RAW;
  if (range_s <= retention_1m_s && range_s / (double) MAX (raw_step, 60) <= budget)
    return SM_TIER_1M;
  return SM_TIER_1H;
}

static const struct {
  gint64      seconds;
  const char *name;
  const char *label;
} ranges[SM_N_RANGES] = {
  { 15 * 60, "15m", N_("15 min") },
  { 3600, "1h", N_("1 h") },
  { 6 * 3600, "6h", N_("6 h") },
  { 24 * 3600, "24h", N_("24 h") },
  { 7 * 86400, "7d", N_("7 d") },
  { 30 * 86400, "30d", N_("30 d") },
  { 365 * 86400, "1y", N_("1 y") },
};

gint64
sm_range_get_seconds (SmRange range)
{
  g_return_val_if_fail (range < SM_N_RANGES, 3600);
  return ranges[range].seconds;
}

const char *
sm_range_to_string (SmRange range)
{
  g_return_val_if_fail (range < SM_N_RANGES, NULL);
  return ranges[range].name;
}

const char *
sm_range_to_label (SmRange range)
{
  g_return_val_if_fail (range < SM_N_RANGES, NULL);
  return _(ranges[range].label);
}

gboolean
sm_range_from_string (const char *text,
                      SmRange    *out_range)
{
  g_return_val_if_fail (out_range != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < SM_N_RANGES; i++)
    {
      if (g_ascii_strcasecmp (text, ranges[i].name) == 0)
        {
          *out_range = i;
          return TRUE;
        }
    }
  return FALSE;
}

SmSeries *
sm_series_new (const char *metric,
               SmTier      tier,
               gint64      step)
{
  SmSeries *series = g_new0 (SmSeries, 1);

  series->metric = g_strdup (metric);
  series->tier = tier;
  series->step = MAX (step, 1);
  series->gap = series->step * 5 / 2;
  series->points = g_array_new (FALSE, FALSE, sizeof (SmSeriesPoint));
  return series;
}

SmSeries *
sm_series_copy (const SmSeries *series)
{
  SmSeries *copy;

  g_return_val_if_fail (series != NULL, NULL);

  copy = sm_series_new (series->metric, series->tier, series->step);
  copy->gap = series->gap;
  g_array_append_vals (copy->points, series->points->data, series->points->len);
  return copy;
}

void
sm_series_free (SmSeries *series)
{
  if (series == NULL)
    return;
  g_free (series->metric);
  g_array_unref (series->points);
  g_free (series);
}

void
sm_series_append_point (SmSeries            *series,
                        const SmSeriesPoint *point)
{
  g_return_if_fail (series != NULL);
  g_return_if_fail (point != NULL);

  if (!isfinite (point->min) || !isfinite (point->max) || !isfinite (point->avg))
    return;
  if (series->points->len > 0 &&
      g_array_index (series->points, SmSeriesPoint, series->points->len - 1).t >= point->t)
    return;
  g_array_append_val (series->points, *point);
}

void
sm_series_append_value (SmSeries *series,
                        gint64    t,
                        double    value)
{
  SmSeriesPoint point = { t, value, value, value, 1 };

  sm_series_append_point (series, &point);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

double
sm_percentile (double *values,
               gsize   n,
               double  p)
{
  gsize rank;

  g_return_val_if_fail (p > 0 && p <= 100, NAN);

  if (n == 0)
    return NAN;
  qsort (values, n, sizeof (double), compare_doubles);
  /* p * n / 100 in floating point can land a hair above a whole rank. */
  rank = (gsize) ceil (p * n / 100.0 - 1e-9);
  return values[CLAMP (rank, 1, n) - 1];
}
