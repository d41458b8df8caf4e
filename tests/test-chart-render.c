/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-chart-render.c: the chart pipeline without GTK: decimation, gaps,
 * time and value ticks, pixels of rendered charts in both styles,
 * thresholds, PNG/SVG export and the live column cache. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sm-chart-render.h"
#include "sm-test-util.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

/* Helpers */

static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

/* The columns as the definition says, one point at a time: a point's
 * column is floor ((t - origin) * n / range); a point up to clamp_end past
 * the last column counts in the last column. */
static GArray *
brute_force_columns (const SmSeries *series,
                     gint64          origin,
                     gint64          range,
                     guint           n,
                     gint64          first,
                     gint64          clamp_end)
{
  GArray *columns = g_array_new (FALSE, FALSE, sizeof (SmChartColumn));
  gint64 last = first + n - 1;
  double sum = 0, weight = 0;

  for (guint i = 0; i < series->points->len; i++)
    {
      const SmSeriesPoint *p = &g_array_index (series->points, SmSeriesPoint, i);
      gint64 k = floor_div ((p->t - origin) * (gint64) n, range);
      SmChartColumn *c = NULL;
      double w = MAX (p->count, 1u);

      if (k > last && p->t <= clamp_end)
        k = last;
      if (k < first || k > last)
        continue;
      if (columns->len > 0)
        c = &g_array_index (columns, SmChartColumn, columns->len - 1);
      if (c == NULL || c->x != k)
        {
          SmChartColumn fresh = { 0, };

          if (c != NULL)
            c->avg = sum / weight;
          fresh.x = k;
          fresh.min = p->min;
          fresh.max = p->max;
          fresh.first = p->avg;
          fresh.gap_before = i == 0 ||
            p->t - g_array_index (series->points, SmSeriesPoint, i - 1).t > series->gap;
          g_array_append_val (columns, fresh);
          c = &g_array_index (columns, SmChartColumn, columns->len - 1);
          sum = weight = 0;
        }
      c->min = MIN (c->min, p->min);
      c->max = MAX (c->max, p->max);
      c->last = p->avg;
      sum += p->avg * w;
      weight += w;
    }
  if (columns->len > 0)
    g_array_index (columns, SmChartColumn, columns->len - 1).avg = sum / weight;
  return columns;
}

static void
assert_columns_equal (GArray *got,
                      GArray *expected)
{
  g_assert_cmpuint (got->len, ==, expected->len);
  for (guint i = 0; i < got->len; i++)
    {
      const SmChartColumn *a = &g_array_index (got, SmChartColumn, i);
      const SmChartColumn *b = &g_array_index (expected, SmChartColumn, i);

      g_assert_cmpint (a->x, ==, b->x);
      g_assert_cmpfloat (a->min, ==, b->min);
      g_assert_cmpfloat (a->max, ==, b->max);
      g_assert_cmpfloat (a->first, ==, b->first);
      g_assert_cmpfloat (a->last, ==, b->last);
      g_assert_cmpfloat_with_epsilon (a->avg, b->avg, 1e-9 * MAX (1.0, fabs (b->avg)));
      g_assert_cmpint (a->gap_before, ==, b->gap_before);
    }
}

static void
style_init_plain (SmChartStyle *style,
                  gboolean      dark)
{
  sm_chart_style_init (style, dark);
  /* No grid lines: every plot pixel without data is background. */
  style->grid.alpha = 0;
  g_free (style->font);
  style->font = g_strdup ("Sans 9");
}

/* The colour without alpha: the chart's surfaces are opaque. */
static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  return sm_test_pixel_at (surface, x, y) & 0xffffff;
}

static guint32
rgb_of (const SmRgba *color)
{
  return ((guint32) lround (color->red * 255) << 16) |
         ((guint32) lround (color->green * 255) << 8) |
         (guint32) lround (color->blue * 255);
}

static gboolean
near_color (guint32       pixel,
            const SmRgba *color,
            int           tolerance)
{
  guint32 rgb = rgb_of (color);

  for (int shift = 0; shift <= 16; shift += 8)
    {
      int a = (pixel >> shift) & 0xff;
      int b = (rgb >> shift) & 0xff;

      if (ABS (a - b) > tolerance)
        return FALSE;
    }
  return TRUE;
}

/* TRUE when a pixel near color lies in column x between rows y0 and y1. */
static gboolean
column_has_color (cairo_surface_t *surface,
                  int              x,
                  int              y0,
                  int              y1,
                  const SmRgba    *color)
{
  for (int y = y0; y <= y1; y++)
    if (near_color (pixel_at (surface, x, y), color, 40))
      return TRUE;
  return FALSE;
}

static cairo_surface_t *
render (SmChartModel       *model,
        int                 width,
        int                 height,
        const SmChartStyle *style)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  sm_chart_render (model, cr, width, height, style);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static SmChartModel *
percent_model (gint64 start,
               gint64 end)
{
  SmChartModel *model = sm_chart_model_new (SM_VALUE_UNIT_PERCENT);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  sm_chart_model_set_timezone (model, utc);
  sm_chart_model_set_range (model, start, end, FALSE);
  return model;
}

/* Decimation */

static void
test_decimate_extremes (void)
{
  static const guint widths[] = { 1, 2, 3, 7, 50, 333, 1000, 4096 };

  for (guint trial = 0; trial < 40; trial++)
    {
      g_autoptr(SmSeries) series = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
      guint n_points = g_test_rand_int_range (0, 3000);
      gint64 t = g_test_rand_int_range (-5000, 5000);
      gint64 first_t = t, start, end;

      series->gap = g_test_rand_int_range (5, 60);
      for (guint i = 0; i < n_points; i++)
        {
          SmSeriesPoint p;
          double a = g_test_rand_double_range (-50, 150);
          double b = g_test_rand_double_range (-50, 150);

          t += g_test_rand_int_range (1, g_test_rand_bit () ? 20 : 90);
          p.t = t;
          p.min = MIN (a, b);
          p.max = MAX (a, b);
          /* Spikes that must survive any zoom. */
          if (g_test_rand_int_range (0, 100) == 0)
            p.max = 1e6;
          p.avg = (p.min + p.max) / 2;
          p.count = g_test_rand_int_range (0, 100);
          sm_series_append_point (series, &p);
        }

      start = first_t + g_test_rand_int_range (-500, 2000);
      end = MAX (t, start) + g_test_rand_int_range (-2000, 500);
      end = MAX (end, start + 1);

      for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
        {
          g_autoptr(GArray) got = sm_chart_decimate (series, start, end, widths[w]);
          g_autoptr(GArray) expected = brute_force_columns (series, start, end - start,
                                                            widths[w], 0, end);
          double max_got = -G_MAXDOUBLE, max_expected = -G_MAXDOUBLE;

          assert_columns_equal (got, expected);
          for (guint i = 0; i < got->len; i++)
            {
              g_assert_cmpint (g_array_index (got, SmChartColumn, i).x, <, widths[w]);
              max_got = MAX (max_got, g_array_index (got, SmChartColumn, i).max);
            }
          /* Every point inside the range is in some column. */
          for (guint i = 0; i < series->points->len; i++)
            {
              const SmSeriesPoint *p = &g_array_index (series->points, SmSeriesPoint, i);

              if (p->t >= start && p->t <= end)
                max_expected = MAX (max_expected, p->max);
            }
          g_assert_cmpfloat (max_got, ==, max_expected);
        }
    }
}

static void
test_decimate_gaps (void)
{
  g_autoptr(SmSeries) series = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
  g_autoptr(GArray) columns = NULL;
  g_autoptr(SmChartModel) model = NULL;
  cairo_surface_t *surface;
  cairo_rectangle_int_t plot;
  SmChartStyle style;
  gboolean seen_data = FALSE;

  /* Data from 300 to 1000 with a hole between 400 and 600. */
  for (gint64 t = 300; t <= 1000; t += 10)
    if (t <= 400 || t >= 600)
      sm_series_append_value (series, t, 50);

  columns = sm_chart_decimate (series, 0, 1000, 100);
  for (guint i = 0; i < columns->len; i++)
    {
      const SmChartColumn *c = &g_array_index (columns, SmChartColumn, i);

      g_assert_cmpint (c->x, >=, 30);
      g_assert_false (c->x > 40 && c->x < 60);
      g_assert_cmpint (c->gap_before, ==, c->x == 30 || c->x == 60);
    }
  /* 300..400 and 600..990, with 1000 counted in the last column. */
  g_assert_cmpuint (columns->len, ==, 11 + 40);

  /* Drawn: nothing before the first point and nothing in the hole, the
   * line elsewhere. */
  style_init_plain (&style, FALSE);
  model = percent_model (0, 1000);
  sm_chart_model_add_series (model, "CPU", sm_series_copy (series));
  sm_chart_model_get_plot_area (model, 700, 220, &style, &plot);
  surface = render (model, 700, 220, &style);
  for (int x = plot.x; x < plot.x + plot.width; x++)
    {
      double t = (x - plot.x + 0.5) * 1000.0 / plot.width;
      gboolean in_gap = t < 300 - 5 || (t > 400 + 5 && t < 600 - 5);
      gboolean in_data = (t > 300 + 5 && t < 400 - 5) || (t > 600 + 5 && t < 1000 - 5);

      if (in_gap)
        {
          for (int y = plot.y; y < plot.y + plot.height - 1; y++)
            g_assert_cmphex (pixel_at (surface, x, y), ==, rgb_of (&style.background));
        }
      else if (in_data)
        {
          g_assert_true (column_has_color (surface, x, plot.y + plot.height / 2 - 2,
                                           plot.y + plot.height / 2 + 2, &style.series[0]));
          seen_data = TRUE;
        }
    }
  g_assert_true (seen_data);
  cairo_surface_destroy (surface);
  sm_chart_style_clear (&style);
}

/* Time ticks */

static gint64
local_time (GTimeZone *tz,
            int        year,
            int        month,
            int        day,
            int        hour,
            int        minute)
{
  g_autoptr(GDateTime) dt = g_date_time_new (tz, year, month, day, hour, minute, 0);

  return g_date_time_to_unix (dt);
}

static GDateTime *
tick_local (const SmChartTimeTick *tick,
            GTimeZone             *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (tick->t);

  return g_date_time_to_timezone (utc, tz);
}

/* Strictly increasing, inside the range, whole minutes, neighbours with
 * different labels. */
static void
assert_ticks_sane (GArray    *ticks,
                   gint64     start,
                   gint64     end,
                   GTimeZone *tz)
{
  for (guint i = 0; i < ticks->len; i++)
    {
      const SmChartTimeTick *tick = &g_array_index (ticks, SmChartTimeTick, i);
      g_autoptr(GDateTime) local = tick_local (tick, tz);

      g_assert_cmpint (tick->t, >=, start);
      g_assert_cmpint (tick->t, <=, end);
      g_assert_cmpint (g_date_time_get_second (local), ==, 0);
      g_assert_nonnull (tick->label);
      g_assert_cmpstr (tick->label, !=, "");
      if (i > 0)
        {
          const SmChartTimeTick *previous = &g_array_index (ticks, SmChartTimeTick, i - 1);

          g_assert_cmpint (tick->t, >, previous->t);
          g_assert_cmpstr (tick->label, !=, previous->label);
        }
    }
}

static char *
join_labels (GArray *ticks)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < ticks->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, g_array_index (ticks, SmChartTimeTick, i).label);
    }
  return g_string_free (text, FALSE);
}

static void
test_time_ticks_spring_forward (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GTimeZone) new_york = g_time_zone_new_identifier ("America/New_York");
  gint64 start, end;

  g_assert_nonnull (berlin);
  g_assert_nonnull (new_york);

  /* Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST. Hourly ticks skip
   * the hour that does not exist. */
  {
    g_autoptr(GArray) ticks = NULL;
    g_autofree char *labels = NULL;

    start = local_time (berlin, 2026, 3, 29, 0, 0);
    end = local_time (berlin, 2026, 3, 29, 6, 0);
    g_assert_cmpint (end - start, ==, 5 * 3600);
    ticks = sm_chart_time_ticks (start, end, 600, 100, berlin);
    labels = join_labels (ticks);
    g_assert_cmpstr (labels, ==, "Sun 29 01:00 03:00 04:00 05:00 06:00");
    assert_ticks_sane (ticks, start, end, berlin);
    g_assert_true (g_array_index (ticks, SmChartTimeTick, 0).major);
    g_assert_false (g_array_index (ticks, SmChartTimeTick, 1).major);
  }

  /* Three-hour ticks over that day stay on 00, 03, 06… local. */
  {
    g_autoptr(GArray) ticks = NULL;
    g_autofree char *labels = NULL;

    start = local_time (berlin, 2026, 3, 29, 0, 0);
    end = local_time (berlin, 2026, 3, 30, 0, 0);
    g_assert_cmpint (end - start, ==, 23 * 3600);
    /* 3 h at 60 px each, 2 h too narrow. */
    ticks = sm_chart_time_ticks (start, end, 23 * 20, 55, berlin);
    labels = join_labels (ticks);
    g_assert_cmpstr (labels, ==, "Sun 29 03:00 06:00 09:00 12:00 15:00 18:00 21:00 Mon 30");
    assert_ticks_sane (ticks, start, end, berlin);
    for (guint i = 0; i < ticks->len; i++)
      {
        g_autoptr(GDateTime) local = tick_local (&g_array_index (ticks, SmChartTimeTick, i), berlin);

        g_assert_cmpint (g_date_time_get_hour (local) % 3, ==, 0);
        g_assert_cmpint (g_date_time_get_minute (local), ==, 0);
      }
  }

  /* New York, 2026-03-08, and 15-minute steps through the change. */
  {
    g_autoptr(GArray) ticks = NULL;
    g_autoptr(GArray) quarter = NULL;
    g_autofree char *labels = NULL;

    start = local_time (new_york, 2026, 3, 8, 0, 0);
    end = local_time (new_york, 2026, 3, 8, 5, 0);
    ticks = sm_chart_time_ticks (start, end, 500, 100, new_york);
    labels = join_labels (ticks);
    g_assert_cmpstr (labels, ==, "Sun 8 01:00 03:00 04:00 05:00");

    quarter = sm_chart_time_ticks (start, end, 1600, 80, new_york);
    assert_ticks_sane (quarter, start, end, new_york);
    for (guint i = 0; i < quarter->len; i++)
      {
        const SmChartTimeTick *tick = &g_array_index (quarter, SmChartTimeTick, i);
        g_autoptr(GDateTime) local = tick_local (tick, new_york);

        g_assert_cmpint (g_date_time_get_minute (local) % 15, ==, 0);
        g_assert_false (g_str_has_prefix (tick->label, "02:"));
      }
    g_assert_cmpuint (quarter->len, ==, 4 * 4 + 1);
  }
}

static void
test_time_ticks_fall_back (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GTimeZone) new_york = g_time_zone_new_identifier ("America/New_York");
  gint64 start, end;

  /* Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:00 is once. */
  {
    g_autoptr(GArray) ticks = NULL;
    g_autoptr(GArray) quarter = NULL;
    g_autofree char *labels = NULL;

    start = local_time (berlin, 2026, 10, 25, 0, 0);
    end = start + 7 * 3600;
    ticks = sm_chart_time_ticks (start, end, 700, 100, berlin);
    labels = join_labels (ticks);
    g_assert_cmpstr (labels, ==, "Sun 25 01:00 02:00 03:00 04:00 05:00 06:00");
    assert_ticks_sane (ticks, start, end, berlin);

    quarter = sm_chart_time_ticks (start, end, 2400, 60, berlin);
    assert_ticks_sane (quarter, start, end, berlin);
    for (guint i = 0; i < quarter->len; i++)
      {
        g_autoptr(GDateTime) local = tick_local (&g_array_index (quarter, SmChartTimeTick, i), berlin);

        g_assert_cmpint (g_date_time_get_minute (local) % 15, ==, 0);
      }
  }

  /* New York, 2026-11-01: 02:00 EDT becomes 01:00 EST. */
  {
    g_autoptr(GArray) ticks = NULL;
    g_autofree char *labels = NULL;

    start = local_time (new_york, 2026, 11, 1, 0, 0);
    end = start + 5 * 3600;
    ticks = sm_chart_time_ticks (start, end, 500, 100, new_york);
    labels = join_labels (ticks);
    g_assert_cmpstr (labels, ==, "Sun 1 01:00 02:00 03:00 04:00");
    assert_ticks_sane (ticks, start, end, new_york);
  }
}

static void
test_time_ticks_midnight (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GArray) ticks = NULL;
  g_autofree char *labels = NULL;
  gint64 start = local_time (berlin, 2026, 4, 14, 22, 0);
  gint64 end = local_time (berlin, 2026, 4, 15, 2, 0);
  gboolean found = FALSE;

  ticks = sm_chart_time_ticks (start, end, 400, 90, berlin);
  labels = join_labels (ticks);
  g_assert_cmpstr (labels, ==, "22:00 23:00 Wed 15 01:00 02:00");
  for (guint i = 0; i < ticks->len; i++)
    {
      const SmChartTimeTick *tick = &g_array_index (ticks, SmChartTimeTick, i);

      g_assert_cmpint (tick->major, ==, g_str_equal (tick->label, "Wed 15"));
      if (tick->major)
        {
          g_assert_cmpint (tick->t, ==, local_time (berlin, 2026, 4, 15, 0, 0));
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static void
test_time_ticks_long (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  gint64 end = local_time (berlin, 2026, 3, 29, 12, 34);

  /* Weeks start on Monday and are labelled by their date. */
  {
    g_autoptr(GArray) ticks = sm_chart_time_ticks (end - 30 * 86400, end, 600, 100, berlin);
    g_autofree char *labels = join_labels (ticks);

    g_assert_cmpstr (labels, ==, "Mar 2 Mar 9 Mar 16 Mar 23");
    for (guint i = 0; i < ticks->len; i++)
      {
        g_autoptr(GDateTime) local = tick_local (&g_array_index (ticks, SmChartTimeTick, i), berlin);

        g_assert_cmpint (g_date_time_get_day_of_week (local), ==, 1);
        g_assert_cmpint (g_date_time_get_hour (local), ==, 0);
      }
  }

  /* Months, with the year at January. */
  {
    g_autoptr(GArray) ticks = sm_chart_time_ticks (end - 365 * 86400, end, 800, 50, berlin);
    g_autofree char *labels = join_labels (ticks);

    g_assert_cmpstr (labels, ==, "Apr May Jun Jul Aug Sep Oct Nov Dec 2026 Feb Mar");
    for (guint i = 0; i < ticks->len; i++)
      {
        const SmChartTimeTick *tick = &g_array_index (ticks, SmChartTimeTick, i);
        g_autoptr(GDateTime) local = tick_local (tick, berlin);

        g_assert_cmpint (g_date_time_get_day_of_month (local), ==, 1);
        g_assert_cmpint (g_date_time_get_hour (local), ==, 0);
        g_assert_cmpint (tick->major, ==, g_str_equal (tick->label, "2026"));
      }
  }

  /* Every range at several widths, in three zones. */
  {
    const char * const zones[] = { "Europe/Berlin", "America/New_York", "UTC" };
    static const int widths[] = { 200, 500, 800, 1600 };

    for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
      {
        g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zones[z]);

        for (SmRange r = 0; r < SM_N_RANGES; r++)
          for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
            for (gint64 shift = 0; shift < 400 * 86400; shift += 37 * 86400 + 3671)
              {
                gint64 range = sm_range_get_seconds (r);
                gint64 start = 1767225600 + shift;   /* 2026-01-01 UTC on */
                g_autoptr(GArray) ticks = sm_chart_time_ticks (start, start + range, widths[w], 60, tz);

                assert_ticks_sane (ticks, start, start + range, tz);
                g_assert_cmpuint (ticks->len, >=, 1);
                /* Labels at least 60 px apart (and the step allows it). */
                g_assert_cmpuint (ticks->len, <=, widths[w] / 60 * 2 + 2);
                for (guint i = 0; i < ticks->len; i++)
                  {
                    g_autoptr(GDateTime) local = tick_local (&g_array_index (ticks, SmChartTimeTick, i), tz);

                    if (range >= 30 * 86400)
                      {
                        g_assert_cmpint (g_date_time_get_hour (local), ==, 0);
                        g_assert_cmpint (g_date_time_get_minute (local), ==, 0);
                      }
                  }
              }
      }
  }
}

/* Value ticks */

static void
assert_value_ticks (double       min,
                    double       max,
                    SmValueUnit  unit,
                    guint        max_ticks,
                    const char  *expected)
{
  g_autoptr(GArray) ticks = NULL;
  g_autoptr(GString) labels = g_string_new (NULL);
  double lower, upper;

  ticks = sm_chart_value_ticks (min, max, unit, max_ticks, &lower, &upper);
  for (guint i = 0; i < ticks->len; i++)
    {
      g_autofree char *label = sm_format_value (g_array_index (ticks, double, i), unit);

      if (i > 0)
        g_string_append (labels, ", ");
      g_string_append (labels, label);
    }
  g_assert_cmpstr (labels->str, ==, expected);
  g_assert_cmpfloat (lower, ==, g_array_index (ticks, double, 0));
  g_assert_cmpfloat (upper, ==, g_array_index (ticks, double, ticks->len - 1));
}

static gboolean
is_nice (double step,
         double unit)
{
  double scaled = step / unit;
  double exponent = floor (log10 (scaled));
  double mantissa = scaled / pow (10, exponent);

  return fabs (mantissa - 1) < 1e-9 || fabs (mantissa - 2) < 1e-9 ||
         fabs (mantissa - 2.5) < 1e-9 || fabs (mantissa - 5) < 1e-9;
}

static void
test_value_ticks (void)
{
  assert_value_ticks (0, 37, SM_VALUE_UNIT_PERCENT, 5, "0 %, 25 %, 50 %, 75 %, 100 %");
  assert_value_ticks (0, 37, SM_VALUE_UNIT_PERCENT, 6, "0 %, 20 %, 40 %, 60 %, 80 %, 100 %");
  assert_value_ticks (NAN, NAN, SM_VALUE_UNIT_PERCENT, 3, "0 %, 50 %, 100 %");
  assert_value_ticks (0, 250, SM_VALUE_UNIT_PERCENT, 5, "0 %, 100 %, 200 %, 300 %");
  assert_value_ticks (0, 900 * MIB, SM_VALUE_UNIT_BYTES, 5,
                      "0 B, 256 MiB, 512 MiB, 768 MiB, 1 GiB");
  assert_value_ticks (1 * GIB, 12 * GIB, SM_VALUE_UNIT_BYTES, 5,
                      "0 B, 4 GiB, 8 GiB, 12 GiB");
  assert_value_ticks (0, 3.1 * MIB, SM_VALUE_UNIT_BYTES_PER_SECOND, 5,
                      "0 B/s, 1 MiB/s, 2 MiB/s, 3 MiB/s, 4 MiB/s");
  assert_value_ticks (0, 1.2 * GIB, SM_VALUE_UNIT_BYTES_PER_SECOND, 4,
                      "0 B/s, 512 MiB/s, 1 GiB/s, 1.5 GiB/s");
  assert_value_ticks (0, 420, SM_VALUE_UNIT_MILLISECONDS, 6,
                      "0 ms, 100 ms, 200 ms, 300 ms, 400 ms, 500 ms");
  assert_value_ticks (38, 42, SM_VALUE_UNIT_MILLISECONDS, 4, "0 ms, 20 ms, 40 ms, 60 ms");
  assert_value_ticks (0, 1.7, SM_VALUE_UNIT_NONE, 5, "0, 0.5, 1, 1.5, 2");
  assert_value_ticks (-3, 7, SM_VALUE_UNIT_NONE, 6, "-5, -2.5, 0, 2.5, 5, 7.5");
  assert_value_ticks (0, 0, SM_VALUE_UNIT_NONE, 3, "0, 0.5, 1");
  assert_value_ticks (0, 5000, SM_VALUE_UNIT_SECONDS, 5, "0 s, 30 min, 1 h, 1.5 h");

  /* Properties over random ranges. */
  for (guint trial = 0; trial < 2000; trial++)
    {
      SmValueUnit unit = g_test_rand_int_range (0, SM_VALUE_UNIT_SECONDS + 1);
      double scale = pow (10, g_test_rand_double_range (-2, 12));
      double a = g_test_rand_double_range (0, 1) * scale;
      double b = g_test_rand_double_range (0, 1) * scale;
      double min = MIN (a, b), max = MAX (a, b);
      guint max_ticks = g_test_rand_int_range (2, 9);
      g_autoptr(GArray) ticks = NULL;
      double lower, upper, step;

      if (g_test_rand_int_range (0, 5) == 0)
        min = -min;
      ticks = sm_chart_value_ticks (min, max, unit, max_ticks, &lower, &upper);
      g_assert_cmpuint (ticks->len, >=, 2);
      g_assert_cmpuint (ticks->len, <=, min < 0 ? MAX (max_ticks, 3u) : max_ticks);
      g_assert_cmpfloat (lower, <=, MIN (min, 0));
      g_assert_cmpfloat (upper, >=, max * (1 - 1e-12));
      if (min >= 0)
        g_assert_cmpfloat (lower, ==, 0);
      if (unit == SM_VALUE_UNIT_PERCENT && min >= 0 && max <= 100)
        {
          g_assert_cmpfloat (upper, ==, 100);
        }
      step = g_array_index (ticks, double, 1) - g_array_index (ticks, double, 0);
      for (guint i = 1; i < ticks->len; i++)
        g_assert_cmpfloat_with_epsilon (g_array_index (ticks, double, i) -
                                        g_array_index (ticks, double, i - 1),
                                        step, step * 1e-6);
      if (unit == SM_VALUE_UNIT_PERCENT || unit == SM_VALUE_UNIT_NONE ||
          unit == SM_VALUE_UNIT_MILLISECONDS)
        g_assert_true (is_nice (step, 1));
      if (unit == SM_VALUE_UNIT_BYTES || unit == SM_VALUE_UNIT_BYTES_PER_SECOND)
        {
          double exponent = log2 (step);

          g_assert_cmpfloat_with_epsilon (exponent, round (exponent), 1e-9);
        }
    }
}

/* Rendered pixels */

static void
check_line (gboolean dark)
{
  g_autoptr(SmChartModel) model = percent_model (0, 3600);
  SmSeries *series = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
  cairo_rectangle_int_t plot;
  cairo_surface_t *surface;
  SmChartStyle style;
  int middle;

  for (gint64 t = 0; t <= 3600; t += 10)
    sm_series_append_value (series, t, 50);
  sm_chart_model_add_series (model, "CPU", series);

  style_init_plain (&style, dark);
  sm_chart_model_get_plot_area (model, 600, 240, &style, &plot);
  g_assert_cmpint (plot.x, >, 20);
  g_assert_cmpint (plot.y, >, 0);
  g_assert_cmpint (plot.x + plot.width, <, 600);
  g_assert_cmpint (plot.y + plot.height, <, 240 - 10);
  surface = render (model, 600, 240, &style);

  /* The background follows the style. */
  g_assert_cmphex (pixel_at (surface, 1, 1), ==, dark ? 0x242424 : 0xffffff);
  g_assert_cmphex (pixel_at (surface, 1, 1), ==, rgb_of (&style.background));

  middle = plot.y + plot.height / 2;
  for (int i = 1; i <= 3; i++)
    {
      int x = plot.x + plot.width * i / 4;

      g_assert_true (column_has_color (surface, x, middle - 2, middle + 1, &style.series[0]));
      g_assert_false (column_has_color (surface, x, plot.y, middle - 5, &style.series[0]));
      g_assert_false (column_has_color (surface, x, middle + 5, plot.y + plot.height - 1,
                                        &style.series[0]));
      g_assert_cmphex (pixel_at (surface, x, middle - 15), ==, rgb_of (&style.background));
      g_assert_cmphex (pixel_at (surface, x, middle + 15), ==, rgb_of (&style.background));
    }
  cairo_surface_destroy (surface);

  /* A step from 20 to 80 at the middle of the time range. */
  {
    SmSeries *step = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
    int y20 = plot.y + (int) round (plot.height * 0.8);
    int y80 = plot.y + (int) round (plot.height * 0.2);
    int left = plot.x + plot.width / 4;
    int right = plot.x + plot.width * 3 / 4;

    for (gint64 t = 0; t <= 3600; t += 10)
      sm_series_append_value (step, t, t < 1800 ? 20 : 80);
    sm_chart_model_set_series (model, 0, step);
    surface = render (model, 600, 240, &style);
    g_assert_true (column_has_color (surface, left, y20 - 2, y20 + 1, &style.series[0]));
    g_assert_false (column_has_color (surface, left, plot.y, y20 - 5, &style.series[0]));
    g_assert_true (column_has_color (surface, right, y80 - 2, y80 + 1, &style.series[0]));
    g_assert_false (column_has_color (surface, right, y80 + 5, plot.y + plot.height - 1,
                                      &style.series[0]));
    cairo_surface_destroy (surface);
  }

  sm_chart_style_clear (&style);
}

static void
test_render_line_light (void)
{
  check_line (FALSE);
}

static void
test_render_line_dark (void)
{
  check_line (TRUE);
}

static void
test_render_threshold (void)
{
  g_autoptr(SmChartModel) model = percent_model (0, 3600);
  SmSeries *series = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
  cairo_rectangle_int_t plot;
  cairo_surface_t *surface;
  SmChartStyle style;
  int y90, on = 0, off = 0, runs = 0;
  gboolean was_on = FALSE;
  guint64 serial, background_serial;

  for (gint64 t = 0; t <= 3600; t += 10)
    sm_series_append_value (series, t, 20);
  sm_chart_model_add_series (model, "CPU", series);
  style_init_plain (&style, FALSE);
  sm_chart_model_get_plot_area (model, 600, 240, &style, &plot);

  serial = sm_chart_model_get_serial (model);
  background_serial = sm_chart_model_get_background_serial (model);
  sm_chart_model_add_threshold (model, 90, FALSE, "Warning");
  g_assert_cmpuint (sm_chart_model_get_serial (model), >, serial);
  g_assert_cmpuint (sm_chart_model_get_background_serial (model), ==, background_serial);

  surface = render (model, 600, 240, &style);
  /* The row of the line (rounding may put it one row either way). */
  {
    int guess = (int) round (plot.y + plot.height * 0.1);
    int best = 0;

    y90 = guess;
    for (int y = guess - 1; y <= guess + 1; y++)
      {
        int count = 0;

        for (int x = plot.x; x < plot.x + plot.width / 2; x++)
          count += near_color (pixel_at (surface, x, y), &style.warning, 10);
        if (count > best)
          {
            best = count;
            y90 = y;
          }
      }
  }
  /* Dashed: runs of the warning colour with background between them, on
   * the left half (the label sits at the right end). */
  for (int x = plot.x; x < plot.x + plot.width / 2; x++)
    {
      gboolean is_on = near_color (pixel_at (surface, x, y90), &style.warning, 10);

      if (is_on)
        on++;
      else
        {
          g_assert_cmphex (pixel_at (surface, x, y90), ==, rgb_of (&style.background));
          off++;
        }
      if (is_on && !was_on)
        runs++;
      was_on = is_on;
    }
  g_assert_cmpint (on, >, plot.width / 8);
  g_assert_cmpint (off, >, plot.width / 16);
  g_assert_cmpint (runs, >, 5);
  /* Nowhere else. */
  g_assert_false (column_has_color (surface, plot.x + 10, plot.y, y90 - 3, &style.warning));
  g_assert_false (column_has_color (surface, plot.x + 10, y90 + 3, plot.y + plot.height - 1,
                                    &style.warning));
  cairo_surface_destroy (surface);

  /* Gone when cleared. */
  sm_chart_model_clear_thresholds (model);
  surface = render (model, 600, 240, &style);
  for (int x = plot.x; x < plot.x + plot.width / 2; x++)
    g_assert_false (near_color (pixel_at (surface, x, y90), &style.warning, 10));
  cairo_surface_destroy (surface);
  sm_chart_style_clear (&style);
}

/* Export */

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_save (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *png = g_build_filename (dir, "chart.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "Chart.SVG", NULL);
  g_autofree char *jpg = g_build_filename (dir, "x.jpg", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "chart.png", NULL);
  g_autofree char *taken = g_build_filename (dir, "taken.png", NULL);
  g_autoptr(SmChartModel) model = percent_model (0, 3600);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  SmSeries *series = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
  SmChartStyle style;
  gsize length;

  for (gint64 t = 0; t <= 3600; t += 10)
    sm_series_append_value (series, t, 30 + t % 40);
  sm_chart_model_add_series (model, "CPU", series);
  sm_chart_model_set_title (model, "web-1 — CPU");
  sm_chart_style_init (&style, FALSE);

  g_assert_true (sm_chart_model_save (model, png, 1200, 400, &style, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);
  g_clear_pointer (&contents, g_free);
  {
    cairo_surface_t *image = cairo_image_surface_create_from_png (png);

    g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
    g_assert_cmpint (cairo_image_surface_get_width (image), ==, 1200);
    g_assert_cmpint (cairo_image_surface_get_height (image), ==, 400);
    cairo_surface_destroy (image);
  }

  g_assert_true (sm_chart_model_save (model, svg, 600, 200, &style, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, &length, NULL));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_nonnull (strstr (contents, "</svg>"));
  g_clear_pointer (&contents, g_free);

  /* Another extension. */
  g_assert_false (sm_chart_model_save (model, jpg, 600, 200, &style, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "Unsupported file type “x.jpg”: use .png or .svg");
  g_clear_error (&error);
  g_assert_false (g_file_test (jpg, G_FILE_TEST_EXISTS));

  /* A folder that does not exist. */
  g_assert_false (sm_chart_model_save (model, missing, 600, 200, &style, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "Could not write “"));
  g_assert_nonnull (strstr (error->message, "no-such-dir"));
  g_clear_error (&error);

  /* The name is a folder: the rename fails and the temporary file goes. */
  g_assert_cmpint (g_mkdir (taken, 0700), ==, 0);
  g_assert_false (sm_chart_model_save (model, taken, 600, 200, &style, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "Could not write “"));
  g_clear_error (&error);
  g_assert_true (g_file_test (taken, G_FILE_TEST_IS_DIR));

  /* chart.png, Chart.SVG and the folder taken.png: no temporary files. */
  g_assert_cmpuint (count_entries (dir), ==, 3);

  sm_chart_style_clear (&style);
  sm_test_rmdir (dir);
}

/* The live cache */

static void
assert_cache_matches (SmChartModel *model,
                      guint         index)
{
  g_autoptr(GArray) columns = NULL;
  g_autoptr(GArray) expected = NULL;
  gint64 origin, first, start, end;
  guint n;

  columns = sm_chart_model_get_columns (model, index, &origin, &first, &n);
  g_assert_nonnull (columns);
  sm_chart_model_get_range (model, &start, &end);
  expected = brute_force_columns (sm_chart_model_get_series (model, index),
                                  origin, end - start, n, first, end);
  assert_columns_equal (columns, expected);
}

static void
test_live_append (void)
{
  g_autoptr(SmChartModel) model = percent_model (0, 3600);
  g_autoptr(SmChartModel) fresh = NULL;
  SmSeries *series = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
  SmSeries *other = sm_series_new ("cpu.iowait_percent", SM_TIER_RAW, 10);
  cairo_rectangle_int_t plot;
  SmChartStyle style;
  gint64 t, start, end, first_before, first_after;
  guint n;

  for (t = 0; t <= 3600; t += 10)
    {
      sm_series_append_value (series, t, g_test_rand_double_range (0, 100));
      sm_series_append_value (other, t, g_test_rand_double_range (0, 10));
    }
  sm_chart_model_add_series (model, "CPU", series);
  sm_chart_model_add_series (model, "I/O wait", other);
  sm_chart_model_set_range (model, 0, 3600, TRUE);
  style_init_plain (&style, FALSE);
  sm_chart_model_get_plot_area (model, 700, 220, &style, &plot);
  assert_cache_matches (model, 0);
  assert_cache_matches (model, 1);

  for (guint i = 0; i < 600; i++)
    {
      g_autoptr(GArray) before = NULL;
      g_autoptr(GArray) after = NULL;
      guint64 computed = sm_chart_model_get_n_columns_computed (model);
      guint64 serial = sm_chart_model_get_serial (model);
      guint64 background_serial = sm_chart_model_get_background_serial (model);
      gint64 old_start;

      sm_chart_model_get_range (model, &old_start, NULL);
      before = sm_chart_model_get_columns (model, 0, NULL, &first_before, &n);
      /* Now and then the server is away for a while. */
      t += i % 97 == 50 ? 300 : 10;
      sm_chart_model_append (model, 0, t, g_test_rand_double_range (0, 100));
      sm_chart_model_append (model, 1, t, g_test_rand_double_range (0, 10));

      /* The window follows. */
      sm_chart_model_get_range (model, &start, &end);
      g_assert_cmpint (end, ==, t);
      g_assert_cmpint (start, ==, t - 3600);
      g_assert_cmpuint (sm_chart_model_get_serial (model), >, serial);

      /* Only the last few columns were decimated again: those the window
       * moved by, and one or two more per series. */
      g_assert_cmpuint (sm_chart_model_get_n_columns_computed (model) - computed, <=,
                        2 * ((start - old_start) * n / 3600 + 4));
      after = sm_chart_model_get_columns (model, 0, NULL, &first_after, &n);
      g_assert_cmpint (first_after, >=, first_before);
      if (first_after != first_before)
        g_assert_cmpuint (sm_chart_model_get_background_serial (model), >, background_serial);

      /* Columns that stay in view and are not the last ones are kept as
       * they were; the ones that left on the left are gone. */
      for (guint a = 0; a < after->len; a++)
        {
          const SmChartColumn *c = &g_array_index (after, SmChartColumn, a);

          g_assert_cmpint (c->x, >=, first_after);
          g_assert_cmpint (c->x, <, first_after + n);
          if (c->x < first_before + (gint64) n - 1)
            {
              gboolean found = FALSE;

              for (guint b = 0; b < before->len; b++)
                {
                  const SmChartColumn *o = &g_array_index (before, SmChartColumn, b);

                  if (o->x == c->x)
                    {
                      g_assert_cmpmem (o, sizeof *o, c, sizeof *c);
                      found = TRUE;
                    }
                }
              g_assert_true (found);
            }
        }
      if (i % 50 == 0)
        {
          assert_cache_matches (model, 0);
          assert_cache_matches (model, 1);
        }
    }
  assert_cache_matches (model, 0);
  assert_cache_matches (model, 1);

  /* A full decimation of the same data and range agrees too. */
  sm_chart_model_get_range (model, &start, &end);
  fresh = percent_model (start, end);
  sm_chart_model_add_series (fresh, "CPU", sm_series_copy (sm_chart_model_get_series (model, 0)));
  sm_chart_model_get_plot_area (fresh, 700, 220, &style, &plot);
  {
    g_autoptr(GArray) columns = sm_chart_model_get_columns (fresh, 0, NULL, &first_after, &n);
    g_autoptr(GArray) expected = sm_chart_decimate (sm_chart_model_get_series (model, 0),
                                                    start, end, n);

    g_assert_cmpint (first_after, ==, 0);
    assert_columns_equal (columns, expected);
    g_assert_cmpuint (sm_chart_model_get_n_columns_computed (fresh), >=, columns->len);
  }

  /* A resize decimates everything once. */
  {
    guint64 computed = sm_chart_model_get_n_columns_computed (model);

    sm_chart_model_get_plot_area (model, 500, 220, &style, &plot);
    g_assert_cmpuint (sm_chart_model_get_n_columns_computed (model) - computed, >, 100);
    assert_cache_matches (model, 0);
  }
  sm_chart_style_clear (&style);
}

static void
test_append_fixed_window (void)
{
  g_autoptr(SmChartModel) model = percent_model (0, 7200);
  SmSeries *series = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
  cairo_rectangle_int_t plot;
  SmChartStyle style;
  guint64 background_serial, computed;

  for (gint64 t = 0; t <= 3600; t += 10)
    sm_series_append_value (series, t, 40);
  sm_chart_model_add_series (model, "CPU", series);
  style_init_plain (&style, FALSE);
  sm_chart_model_get_plot_area (model, 700, 220, &style, &plot);
  background_serial = sm_chart_model_get_background_serial (model);
  computed = sm_chart_model_get_n_columns_computed (model);

  /* Inside the window: the axes stay, one column is decimated. */
  sm_chart_model_append (model, 0, 3610, 60);
  g_assert_cmpuint (sm_chart_model_get_background_serial (model), ==, background_serial);
  g_assert_cmpuint (sm_chart_model_get_n_columns_computed (model) - computed, <=, 1);
  assert_cache_matches (model, 0);
  {
    gint64 start, end;

    sm_chart_model_get_range (model, &start, &end);
    g_assert_cmpint (start, ==, 0);
    g_assert_cmpint (end, ==, 7200);
  }

  /* Past 100 %: the value axis grows, the background changes. */
  sm_chart_model_append (model, 0, 3620, 180);
  g_assert_cmpuint (sm_chart_model_get_background_serial (model), >, background_serial);
  sm_chart_model_get_plot_area (model, 700, 220, &style, &plot);
  assert_cache_matches (model, 0);

  /* Another zone moves the time labels. */
  background_serial = sm_chart_model_get_background_serial (model);
  {
    g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Kolkata");

    sm_chart_model_set_timezone (model, tz);
  }
  g_assert_cmpuint (sm_chart_model_get_background_serial (model), >, background_serial);
  sm_chart_style_clear (&style);
}

static void
test_describe (void)
{
  g_autoptr(SmChartModel) model = percent_model (0, 3600);
  SmSeries *series = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
  SmSeries *other = sm_series_new ("cpu.iowait_percent", SM_TIER_RAW, 10);
  cairo_rectangle_int_t plot;
  SmChartStyle style;
  g_autofree char *text = NULL;
  g_autofree char *gap = NULL;
  g_autofree char *outside = NULL;

  for (gint64 t = 0; t <= 3600; t += 10)
    {
      sm_series_append_value (series, t, 34);
      if (t < 1000 || t > 3000)
        sm_series_append_value (other, t, 5);
    }
  sm_chart_model_add_series (model, "CPU", series);
  sm_chart_model_add_series (model, "I/O wait", other);
  style_init_plain (&style, FALSE);
  sm_chart_model_get_plot_area (model, 700, 220, &style, &plot);

  /* The time of the pixel (to a few seconds) and the values there. */
  text = sm_chart_model_describe_at (model, 700, 220, plot.x + plot.width / 4.0);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "00:14:5") || g_str_has_prefix (text, "00:15:0"));
  g_assert_cmpstr (strchr (text, '\n'), ==, "\nCPU: 34 %\nI/O wait: 5 %");
  gap = sm_chart_model_describe_at (model, 700, 220, plot.x + plot.width / 2.0);
  g_assert_nonnull (gap);
  g_assert_true (g_str_has_prefix (gap, "00:29:5") || g_str_has_prefix (gap, "00:30:0"));
  g_assert_cmpstr (strchr (gap, '\n'), ==, "\nCPU: 34 %\nI/O wait: —");
  outside = sm_chart_model_describe_at (model, 700, 220, plot.x - 5);
  g_assert_null (outside);
  sm_chart_style_clear (&style);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chart-render/decimate/extremes", test_decimate_extremes);
  g_test_add_func ("/chart-render/decimate/gaps", test_decimate_gaps);
  g_test_add_func ("/chart-render/time-ticks/spring-forward", test_time_ticks_spring_forward);
  g_test_add_func ("/chart-render/time-ticks/fall-back", test_time_ticks_fall_back);
  g_test_add_func ("/chart-render/time-ticks/midnight", test_time_ticks_midnight);
  g_test_add_func ("/chart-render/time-ticks/long", test_time_ticks_long);
  g_test_add_func ("/chart-render/value-ticks", test_value_ticks);
  g_test_add_func ("/chart-render/render/line-light", test_render_line_light);
  g_test_add_func ("/chart-render/render/line-dark", test_render_line_dark);
  g_test_add_func ("/chart-render/render/threshold", test_render_threshold);
  g_test_add_func ("/chart-render/save", test_save);
  g_test_add_func ("/chart-render/cache/live-append", test_live_append);
  g_test_add_func ("/chart-render/cache/fixed-window", test_append_fixed_window);
  g_test_add_func ("/chart-render/describe", test_describe);

  return g_test_run ();
}
