/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-chart-render.c: the chart pipeline, drawn with Cairo and Pango.
 *
 * Series points are decimated into pixel columns: column k holds every
 * point with floor ((t - origin) * n / range) == k, computed in integers so
 * that a column's points never depend on rounding. The cache is keyed by
 * that absolute index, so when a following window slides forward the
 * columns that stay in view stay valid: the ones that fall out on the left
 * are dropped and only the last few are decimated again. A full
 * decimation happens only when the range, the plot width or the series
 * change. Drawing walks the cached columns, never the points.
 */
#include "config.h"

#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>
#include <unistd.h>

#include "sm-chart-render.h"

#define DEFAULT_FONT "Cantarell,Sans 9"
#define LINE_WIDTH 2.0
#define BAND_ALPHA 0.22
#define LABEL_GAP 6
#define TIME_LABEL_GAP 4

/* Styles */

static void
set_rgba (SmRgba  *color,
          guint32  rgb,
          double   alpha)
{
  color->red = ((rgb >> 16) & 0xff) / 255.0;
  color->green = ((rgb >> 8) & 0xff) / 255.0;
  color->blue = (rgb & 0xff) / 255.0;
  color->alpha = alpha;
}

void
sm_chart_style_init (SmChartStyle *style,
                     gboolean      dark)
{
  /* libadwaita's palette: blue, green, orange, purple, yellow, red; the
   * darker shades on the light background and the lighter ones on the
   * dark background, so that thin lines keep their contrast. */
  static const guint32 light_series[SM_CHART_N_COLORS] = {
    0x3584e4, 0x26a269, 0xe66100, 0x9141ac, 0xc88800, 0xc01c28,
  };
  static const guint32 dark_series[SM_CHART_N_COLORS] = {
    0x62a0ea, 0x57e389, 0xffa348, 0xc061cb, 0xf8e45c, 0xf66151,
  };

  g_return_if_fail (style != NULL);

  memset (style, 0, sizeof *style);
  if (dark)
    {
      set_rgba (&style->background, 0x242424, 1.0);
      set_rgba (&style->foreground, 0xffffff, 0.9);
      set_rgba (&style->grid, 0xffffff, 0.1);
      set_rgba (&style->warning, 0xf8e45c, 1.0);
      set_rgba (&style->critical, 0xff7b63, 1.0);
    }
  else
    {
      set_rgba (&style->background, 0xffffff, 1.0);
      set_rgba (&style->foreground, 0x000000, 0.8);
      set_rgba (&style->grid, 0x000000, 0.1);
      set_rgba (&style->warning, 0xe5a50a, 1.0);
      set_rgba (&style->critical, 0xe01b24, 1.0);
    }
  for (guint i = 0; i < SM_CHART_N_COLORS; i++)
    set_rgba (&style->series[i], dark ? dark_series[i] : light_series[i], 1.0);
  style->font = g_strdup (DEFAULT_FONT);
}

void
sm_chart_style_clear (SmChartStyle *style)
{
  g_return_if_fail (style != NULL);

  g_clear_pointer (&style->font, g_free);
}

static void
set_source (cairo_t      *cr,
            const SmRgba *color,
            double        alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

/* Decimation */

static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

/* The column of time t: floor ((t - origin) * n / range), exactly. */
static gint64
column_of (gint64 t,
           gint64 origin,
           gint64 range,
           guint  n)
{
  return floor_div ((t - origin) * (gint64) n, range);
}

typedef struct
{
  gint64 origin;
  gint64 range;
  guint  n;
  gint64 last;        /* the last column in view */
  gint64 clamp_end;   /* points up to here past `last` count in `last` */
} ColumnGrid;

static gint64
grid_column (const ColumnGrid *grid,
             gint64            t)
{
  gint64 k = column_of (t, grid->origin, grid->range, grid->n);

  if (k > grid->last && t <= grid->clamp_end)
    k = grid->last;
  return k;
}

/* The index of the first point whose column is at least k. */
static guint
first_point_in_column (const SmSeries   *series,
                       const ColumnGrid *grid,
                       gint64            k)
{
  guint lo = 0, hi = series->points->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 t = g_array_index (series->points, SmSeriesPoint, mid).t;

      if (grid_column (grid, t) < k)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Appends the columns from..to (inclusive) that hold points to out.
 * Returns how many were appended. */
static guint
decimate_into (const SmSeries   *series,
               const ColumnGrid *grid,
               gint64            from,
               gint64            to,
               GArray           *out)
{
  GArray *points = series->points;
  SmChartColumn column = { 0, };
  gboolean open = FALSE;
  double sum = 0, weight = 0;
  guint appended = 0;

  for (guint i = first_point_in_column (series, grid, from); i < points->len; i++)
    {
      const SmSeriesPoint *p = &g_array_index (points, SmSeriesPoint, i);
      gint64 k = grid_column (grid, p->t);
      double w = MAX (p->count, 1u);

      if (k > to)
        break;
      if (!open || k != column.x)
        {
          if (open)
            {
              column.avg = sum / weight;
              g_array_append_val (out, column);
              appended++;
            }
          open = TRUE;
          column.x = (int) k;
          column.min = p->min;
          column.max = p->max;
          column.first = p->avg;
          column.gap_before =
            i == 0 || p->t - g_array_index (points, SmSeriesPoint, i - 1).t > series->gap;
          sum = 0;
          weight = 0;
        }
      column.min = MIN (column.min, p->min);
      column.max = MAX (column.max, p->max);
      column.last = p->avg;
      sum += p->avg * w;
      weight += w;
    }
  if (open)
    {
      column.avg = sum / weight;
      g_array_append_val (out, column);
      appended++;
    }
  return appended;
}

GArray *
sm_chart_decimate (const SmSeries *series,
                   gint64          start,
                   gint64          end,
                   guint           n_columns)
{
  ColumnGrid grid;
  GArray *columns;

  g_return_val_if_fail (series != NULL, NULL);
  g_return_val_if_fail (n_columns > 0, NULL);

  grid.origin = start;
  grid.range = MAX (end - start, 1);
  grid.n = n_columns;
  grid.last = n_columns - 1;
  grid.clamp_end = end;

  columns = g_array_new (FALSE, FALSE, sizeof (SmChartColumn));
  decimate_into (series, &grid, 0, grid.last, columns);
  return columns;
}

/* Value ticks */

static gboolean
ticks_fit (double  min,
           double  max,
           double  step,
           guint   intervals,
           double *out_lower,
           double *out_upper)
{
  double lower = floor (min / step + 1e-9) * step;
  double upper = ceil (max / step - 1e-9) * step;

  /* The tolerance absorbs rounding (0.3 / 0.1), never real data. */
  if (lower > min + fabs (min) * 1e-12)
    lower -= step;
  if (upper < max - fabs (max) * 1e-12)
    upper += step;
  if (upper <= lower)
    upper = lower + step;
  if ((upper - lower) / step > intervals + 1e-6)
    return FALSE;
  *out_lower = lower;
  *out_upper = upper;
  return TRUE;
}

static double
decimal_step (double  min,
              double  max,
              guint   intervals,
              double *lower,
              double *upper)
{
  static const double mantissas[] = { 1, 2, 2.5, 5 };
  double raw = (max - min) / intervals;
  int exponent = (int) floor (log10 (raw)) - 1;

  for (int e = exponent; e < exponent + 4; e++)
    for (guint i = 0; i < G_N_ELEMENTS (mantissas); i++)
      {
        double step = mantissas[i] * pow (10, e);

        if (ticks_fit (min, max, step, intervals, lower, upper))
          return step;
      }
  /* Not reached for finite input; a safe answer anyway. */
  *lower = min;
  *upper = max;
  return (max - min) / intervals;
}

static double
bytes_step (double  min,
            double  max,
            guint   intervals,
            double *lower,
            double *upper)
{
  double magnitude = MAX (fabs (min), fabs (max));
  double unit = 1;

  /* The IEC unit the maximum is shown in; steps are powers of two of it. */
  while (magnitude >= unit * 1024 && unit < 1125899906842624.0)
    unit *= 1024;
  for (int j = -10; j < 64; j++)
    {
      double step = unit * ldexp (1.0, j);

      if (step < (max - min) / intervals / 2)
        continue;
      if (ticks_fit (min, max, step, intervals, lower, upper))
        return step;
    }
  return decimal_step (min, max, intervals, lower, upper);
}

static double
seconds_step (double  min,
              double  max,
              guint   intervals,
              double *lower,
              double *upper)
{
  static const double steps[] = {
    1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200,
    86400, 2 * 86400, 5 * 86400, 7 * 86400, 14 * 86400, 30 * 86400,
    60 * 86400, 90 * 86400, 180 * 86400, 365 * 86400,
  };

  if ((max - min) / intervals < 1)
    return decimal_step (min, max, intervals, lower, upper);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (ticks_fit (min, max, steps[i], intervals, lower, upper))
      return steps[i];
  return decimal_step (min, max, intervals, lower, upper);
}

GArray *
sm_chart_value_ticks (double       min,
                      double       max,
                      SmValueUnit  unit,
                      guint        max_ticks,
                      double      *out_lower,
                      double      *out_upper)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));
  guint intervals = MAX (max_ticks, 2u) - 1;
  double lower, upper, step;
  guint n;

  if (!isfinite (min) || !isfinite (max))
    {
      min = 0;
      max = 0;
    }
  if (min > max)
    {
      double tmp = min;

      min = max;
      max = tmp;
    }

  /* The axis starts at zero unless the data is negative. */
  min = MIN (min, 0);
  max = MAX (max, 0);
  if (unit == SM_VALUE_UNIT_PERCENT && min >= 0)
    max = MAX (max, 100);
  /* Data on both sides of zero needs two intervals at least. */
  if (min < 0 && max > 0)
    intervals = MAX (intervals, 2u);
  if (max - min <= 0)
    {
      switch (unit)
        {
        case SM_VALUE_UNIT_BYTES:
        case SM_VALUE_UNIT_BYTES_PER_SECOND:
          max = 1024;
          break;
        case SM_VALUE_UNIT_MILLISECONDS:
          max = 100;
          break;
        case SM_VALUE_UNIT_SECONDS:
          max = 60;
          break;
        case SM_VALUE_UNIT_PERCENT:
          max = 100;
          break;
        case SM_VALUE_UNIT_NONE:
        default:
          max = 1;
          break;
        }
    }

  switch (unit)
    {
    case SM_VALUE_UNIT_BYTES:
    case SM_VALUE_UNIT_BYTES_PER_SECOND:
      step = bytes_step (min, max, intervals, &lower, &upper);
      break;
    case SM_VALUE_UNIT_SECONDS:
      step = seconds_step (min, max, intervals, &lower, &upper);
      break;
    case SM_VALUE_UNIT_PERCENT:
    case SM_VALUE_UNIT_MILLISECONDS:
    case SM_VALUE_UNIT_NONE:
    default:
      step = decimal_step (min, max, intervals, &lower, &upper);
      break;
    }

  n = (guint) lround ((upper - lower) / step);
  for (guint i = 0; i <= n; i++)
    {
      double value = lower + i * step;

      if (fabs (value) < step * 1e-9)
        value = 0;
      g_array_append_val (ticks, value);
    }
  if (out_lower != NULL)
    *out_lower = lower;
  if (out_upper != NULL)
    *out_upper = upper;
  return ticks;
}

/* Time ticks */

typedef enum {
  STEP_MINUTES,
  STEP_DAYS,
  STEP_WEEKS,
  STEP_MONTHS,
  STEP_YEARS,
} StepKind;

static const struct {
  StepKind kind;
  int      n;
  double   seconds;    /* nominal, for choosing the step */
} time_steps[] = {
  { STEP_MINUTES, 1, 60 },
  { STEP_MINUTES, 2, 120 },
  { STEP_MINUTES, 5, 300 },
  { STEP_MINUTES, 10, 600 },
  { STEP_MINUTES, 15, 900 },
  { STEP_MINUTES, 30, 1800 },
  { STEP_MINUTES, 60, 3600 },
  { STEP_MINUTES, 120, 7200 },
  { STEP_MINUTES, 180, 10800 },
  { STEP_MINUTES, 360, 21600 },
  { STEP_MINUTES, 720, 43200 },
  { STEP_DAYS, 1, 86400 },
  { STEP_DAYS, 2, 2 * 86400 },
  { STEP_WEEKS, 1, 7 * 86400 },
  { STEP_MONTHS, 1, 30.44 * 86400 },
  { STEP_MONTHS, 3, 91.3 * 86400 },
  { STEP_MONTHS, 6, 182.6 * 86400 },
  { STEP_YEARS, 1, 365.25 * 86400 },
  { STEP_YEARS, 2, 2 * 365.25 * 86400 },
  { STEP_YEARS, 5, 5 * 365.25 * 86400 },
  { STEP_YEARS, 10, 10 * 365.25 * 86400 },
};

static void
time_tick_clear (gpointer data)
{
  SmChartTimeTick *tick = data;

  g_free (tick->label);
}

/* Local wall-clock time in tz, or NULL when it does not exist there (a
 * DST gap). With allow_later, a time in a gap moves to the end of the gap
 * as long as that is still on the same day (a midnight that is skipped). */
static GDateTime *
wall_clock (GTimeZone *tz,
            int        year,
            int        month,
            int        day,
            int        hour,
            int        minute,
            gboolean   allow_later)
{
  g_autoptr(GDateTime) dt = g_date_time_new (tz, year, month, day, hour, minute, 0);

  if (dt == NULL)
    return NULL;
  if (g_date_time_get_year (dt) != year ||
      g_date_time_get_month (dt) != month ||
      g_date_time_get_day_of_month (dt) != day)
    return NULL;
  if (!allow_later &&
      (g_date_time_get_hour (dt) != hour || g_date_time_get_minute (dt) != minute))
    return NULL;
  return g_steal_pointer (&dt);
}

static char *
tick_label (GDateTime *dt,
            StepKind   kind,
            int        n,
            gboolean  *out_major)
{
  int day = g_date_time_get_day_of_month (dt);

  switch (kind)
    {
    case STEP_MINUTES:
      if (g_date_time_get_hour (dt) == 0 && g_date_time_get_minute (dt) == 0)
        {
          *out_major = TRUE;
          /* Translators: a day on a chart's time axis, "Tue 24"; see
           * g_date_time_format() for the fields. */
          return g_date_time_format (dt, _("%a %-d"));
        }
      *out_major = FALSE;
      /* Translators: a time of day on a chart's time axis, "14:00"; see
       * g_date_time_format() for the fields ("%l:%M %p" for 12 hours). */
      return g_date_time_format (dt, _("%H:%M"));
    case STEP_DAYS:
      *out_major = day == 1;
      return g_date_time_format (dt, _("%a %-d"));
    case STEP_WEEKS:
      *out_major = FALSE;
      /* Translators: the first day of a week on a chart's time axis,
       * "Mar 2"; see g_date_time_format() for the fields. */
      return g_date_time_format (dt, _("%b %-d"));
    case STEP_MONTHS:
      if (g_date_time_get_month (dt) == 1)
        {
          *out_major = TRUE;
          return g_date_time_format (dt, "%Y");
        }
      *out_major = FALSE;
      /* Translators: a month on a chart's time axis, "Mar". */
      return g_date_time_format (dt, _("%b"));
    case STEP_YEARS:
    default:
      *out_major = TRUE;
      return g_date_time_format (dt, "%Y");
    }
}

static void
add_tick (GArray    *ticks,
          GDateTime *dt,
          StepKind   kind,
          int        n)
{
  SmChartTimeTick tick;

  tick.t = g_date_time_to_unix (dt);
  tick.label = tick_label (dt, kind, n, &tick.major);
  if (tick.label == NULL)
    tick.label = g_strdup ("");
  if (ticks->len > 0)
    {
      const SmChartTimeTick *previous = &g_array_index (ticks, SmChartTimeTick, ticks->len - 1);

      if (tick.t <= previous->t || g_str_equal (tick.label, previous->label))
        {
          g_free (tick.label);
          return;
        }
    }
  g_array_append_val (ticks, tick);
}

/* Appends the ticks of one step between start and end. */
static void
generate_ticks (GArray    *ticks,
                gint64     start,
                gint64     end,
                GTimeZone *tz,
                StepKind   kind,
                int        n)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) first = NULL;
  int year, month, day;
  GDate date;

  utc = g_date_time_new_from_unix_utc (start);
  if (utc == NULL)
    return;
  first = g_date_time_to_timezone (utc, tz);
  g_date_time_get_ymd (first, &year, &month, &day);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);

  /* Candidates walk the wall clock, never a fixed number of seconds, so
   * that ticks stay on local boundaries across DST changes. Each loop
   * stops at the first candidate past end. */
  switch (kind)
    {
    case STEP_MINUTES:
      {
        int minute = g_date_time_get_hour (first) * 60 + g_date_time_get_minute (first);

        minute -= minute % n;
        for (guint guard = 0; guard < 100000; guard++)
          {
            g_autoptr(GDateTime) dt = NULL;

            dt = wall_clock (tz, g_date_get_year (&date), g_date_get_month (&date),
                             g_date_get_day (&date), minute / 60, minute % 60, FALSE);
            if (dt != NULL)
              {
                gint64 t = g_date_time_to_unix (dt);

                if (t > end)
                  break;
                if (t >= start)
                  add_tick (ticks, dt, kind, n);
              }
            minute += n;
            if (minute >= 24 * 60)
              {
                minute -= 24 * 60;
                g_date_add_days (&date, 1);
              }
          }
      }
      break;

    case STEP_DAYS:
    case STEP_WEEKS:
      for (guint guard = 0; guard < 100000; guard++, g_date_add_days (&date, 1))
        {
          g_autoptr(GDateTime) dt = NULL;
          gint64 t;

          if (kind == STEP_DAYS && g_date_get_julian (&date) % n != 0)
            continue;
          if (kind == STEP_WEEKS && g_date_get_weekday (&date) != G_DATE_MONDAY)
            continue;
          dt = wall_clock (tz, g_date_get_year (&date), g_date_get_month (&date),
                           g_date_get_day (&date), 0, 0, TRUE);
          if (dt == NULL)
            continue;
          t = g_date_time_to_unix (dt);
          if (t > end)
            break;
          if (t >= start)
            add_tick (ticks, dt, kind, n);
        }
      break;

    case STEP_MONTHS:
    case STEP_YEARS:
    default:
      for (guint guard = 0; guard < 10000; guard++)
        {
          g_autoptr(GDateTime) dt = NULL;
          gboolean wanted;

          if (kind == STEP_MONTHS)
            wanted = (month - 1) % n == 0;
          else
            wanted = month == 1 && year % n == 0;
          if (wanted)
            {
              dt = wall_clock (tz, year, month, 1, 0, 0, TRUE);
              if (dt != NULL)
                {
                  gint64 t = g_date_time_to_unix (dt);

                  if (t > end)
                    break;
                  if (t >= start)
                    add_tick (ticks, dt, kind, n);
                }
            }
          if (++month > 12)
            {
              month = 1;
              year++;
            }
          if (year > 9999)
            break;
        }
      break;
    }

}

GArray *
sm_chart_time_ticks (gint64     start,
                     gint64     end,
                     int        width_px,
                     int        min_spacing_px,
                     GTimeZone *tz)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (SmChartTimeTick));
  g_autoptr(GTimeZone) local = NULL;
  double span = MAX (end - start, 1);
  guint choice = G_N_ELEMENTS (time_steps) - 1;

  g_array_set_clear_func (ticks, time_tick_clear);
  if (end < start || width_px <= 0)
    return ticks;
  if (tz == NULL)
    tz = local = g_time_zone_new_local ();

  for (guint i = 0; i < G_N_ELEMENTS (time_steps); i++)
    {
      if (time_steps[i].seconds * width_px / span >= min_spacing_px)
        {
          choice = i;
          break;
        }
    }

  /* A range can miss every boundary of the step (30 days without the
   * first of a month): then a finer step, so that the axis says where it
   * is; the renderer leaves out labels that would overlap. */
  for (;;)
    {
      generate_ticks (ticks, start, end, tz, time_steps[choice].kind, time_steps[choice].n);
      if (ticks->len >= 2 || choice == 0)
        break;
      g_array_set_size (ticks, 0);
      choice--;
    }
  return ticks;
}

/* The model */

typedef struct
{
  char     *label;
  SmSeries *series;
  GArray   *columns;      /* SmChartColumn in view, x from the origin */
} ChartSeries;

typedef struct
{
  double    value;
  gboolean  critical;
  char     *label;
} Threshold;

/* Where everything goes for one size, font and title setting. */
typedef struct
{
  gboolean               valid;
  int                    width;
  int                    height;
  gboolean               with_title;
  char                  *font;

  int                    pad;
  int                    text_height;
  int                    title_height;
  int                    legend_top;
  int                    legend_row_height;
  GArray                *legend_x;        /* int, per series, from plot.x */
  GArray                *legend_row;      /* int, per series */
  cairo_rectangle_int_t  plot;
  guint                  max_value_ticks;
  double                 lower;
  double                 upper;
  GArray                *value_ticks;     /* double */
  GPtrArray             *value_labels;    /* char * */
  GArray                *time_ticks;      /* SmChartTimeTick */
  int                    time_spacing;
} Layout;

struct _SmChartModel
{
  grefcount      ref_count;

  SmValueUnit    unit;
  char          *title;
  gint64         start;
  gint64         end;
  gboolean       follow;
  GTimeZone     *tz;
  GPtrArray     *series;         /* ChartSeries */
  GArray        *thresholds;     /* Threshold */

  guint64        serial;
  guint64        background_serial;
  guint64        n_columns_computed;

  /* The column cache (see the top of the file). */
  gboolean       cache_valid;
  ColumnGrid     grid;
  gint64         first_column;

  Layout         layout;
  int            last_left;      /* the plot's left edge last laid out */
  char          *font;           /* of the style last drawn with */
  PangoContext  *pango;          /* measures text without a cairo_t; made
                                 * on first use, on the thread that draws
                                 * (Pango's default font map is per thread) */
};

static void
chart_series_free (gpointer data)
{
  ChartSeries *cs = data;

  g_free (cs->label);
  sm_series_free (cs->series);
  g_array_unref (cs->columns);
  g_free (cs);
}

static void
threshold_clear (gpointer data)
{
  Threshold *threshold = data;

  g_free (threshold->label);
}

static void
layout_clear (Layout *layout)
{
  g_clear_pointer (&layout->font, g_free);
  g_clear_pointer (&layout->legend_x, g_array_unref);
  g_clear_pointer (&layout->legend_row, g_array_unref);
  g_clear_pointer (&layout->value_ticks, g_array_unref);
  g_clear_pointer (&layout->value_labels, g_ptr_array_unref);
  g_clear_pointer (&layout->time_ticks, g_array_unref);
  layout->valid = FALSE;
}

SmChartModel *
sm_chart_model_new (SmValueUnit unit)
{
  SmChartModel *self = g_new0 (SmChartModel, 1);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_ref_count_init (&self->ref_count);
  self->unit = unit;
  self->end = now;
  self->start = now - 3600;
  self->tz = g_time_zone_new_local ();
  self->series = g_ptr_array_new_with_free_func (chart_series_free);
  self->thresholds = g_array_new (FALSE, FALSE, sizeof (Threshold));
  g_array_set_clear_func (self->thresholds, threshold_clear);
  self->serial = 1;
  self->background_serial = 1;
  self->font = g_strdup (DEFAULT_FONT);
  return self;
}

SmChartModel *
sm_chart_model_ref (SmChartModel *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

void
sm_chart_model_unref (SmChartModel *self)
{
  g_return_if_fail (self != NULL);

  if (!g_ref_count_dec (&self->ref_count))
    return;
  g_free (self->title);
  g_time_zone_unref (self->tz);
  g_ptr_array_unref (self->series);
  g_array_unref (self->thresholds);
  layout_clear (&self->layout);
  g_free (self->font);
  g_clear_object (&self->pango);
  g_free (self);
}

SmValueUnit
sm_chart_model_get_unit (SmChartModel *self)
{
  g_return_val_if_fail (self != NULL, SM_VALUE_UNIT_NONE);

  return self->unit;
}

static void
changed (SmChartModel *self,
         gboolean      background)
{
  self->serial++;
  if (background)
    self->background_serial++;
}

static void
invalidate (SmChartModel *self)
{
  self->cache_valid = FALSE;
  self->layout.valid = FALSE;
  changed (self, TRUE);
}

void
sm_chart_model_set_title (SmChartModel *self,
                          const char   *title)
{
  g_return_if_fail (self != NULL);

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  /* Only the full render draws the title; its layout changes. */
  if (self->layout.with_title)
    self->layout.valid = FALSE;
  changed (self, FALSE);
}

const char *
sm_chart_model_get_title (SmChartModel *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->title;
}

void
sm_chart_model_set_timezone (SmChartModel *self,
                             GTimeZone    *tz)
{
  g_return_if_fail (self != NULL);

  g_time_zone_unref (self->tz);
  self->tz = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  self->layout.valid = FALSE;
  changed (self, TRUE);
}

guint
sm_chart_model_add_series (SmChartModel *self,
                           const char   *label,
                           SmSeries     *series)
{
  ChartSeries *cs;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (series != NULL, 0);

  cs = g_new0 (ChartSeries, 1);
  cs->label = g_strdup (label != NULL ? label : series->metric);
  cs->series = series;
  cs->columns = g_array_new (FALSE, FALSE, sizeof (SmChartColumn));
  g_ptr_array_add (self->series, cs);
  invalidate (self);
  return self->series->len - 1;
}

guint
sm_chart_model_get_n_series (SmChartModel *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->series->len;
}

const SmSeries *
sm_chart_model_get_series (SmChartModel *self,
                           guint         index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->series->len, NULL);

  return ((ChartSeries *) g_ptr_array_index (self->series, index))->series;
}

void
sm_chart_model_add_threshold (SmChartModel *self,
                              double        value,
                              gboolean      critical,
                              const char   *label)
{
  Threshold threshold = { value, critical, g_strdup (label) };

  g_return_if_fail (self != NULL);

  g_array_append_val (self->thresholds, threshold);
  changed (self, FALSE);
}

void
sm_chart_model_clear_thresholds (SmChartModel *self)
{
  g_return_if_fail (self != NULL);

  if (self->thresholds->len == 0)
    return;
  g_array_set_size (self->thresholds, 0);
  changed (self, FALSE);
}

guint64
sm_chart_model_get_background_serial (SmChartModel *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->background_serial;
}

guint64
sm_chart_model_get_serial (SmChartModel *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->serial;
}

guint64
sm_chart_model_get_n_columns_computed (SmChartModel *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_columns_computed;
}

void
sm_chart_model_get_range (SmChartModel *self,
                          gint64       *out_start,
                          gint64       *out_end)
{
  g_return_if_fail (self != NULL);

  if (out_start != NULL)
    *out_start = self->start;
  if (out_end != NULL)
    *out_end = self->end;
}

static gint64
grid_first_time (SmChartModel *self)
{
  /* The time where the first column in view starts, rounded up. */
  return self->grid.origin -
         floor_div (-self->first_column * self->grid.range, self->grid.n);
}

/* Decimates the columns from `from` to the last one in view again, for
 * one series. */
static void
recompute_tail (SmChartModel *self,
                ChartSeries  *cs,
                gint64        from)
{
  guint keep = cs->columns->len;

  from = MAX (from, self->first_column);
  while (keep > 0 && g_array_index (cs->columns, SmChartColumn, keep - 1).x >= from)
    keep--;
  g_array_set_size (cs->columns, keep);
  if (from <= self->grid.last)
    self->n_columns_computed += decimate_into (cs->series, &self->grid, from,
                                               self->grid.last, cs->columns);
}

static void
rebuild_cache (SmChartModel *self,
               guint         n_columns)
{
  self->grid.origin = self->start;
  self->grid.range = MAX (self->end - self->start, 1);
  self->grid.n = MAX (n_columns, 1u);
  self->grid.last = self->grid.n - 1;
  self->grid.clamp_end = self->end;
  self->first_column = 0;
  for (guint i = 0; i < self->series->len; i++)
    {
      ChartSeries *cs = g_ptr_array_index (self->series, i);

      g_array_set_size (cs->columns, 0);
      recompute_tail (self, cs, 0);
    }
  self->cache_valid = TRUE;
}

/* Moves the columns in view to the current range when it has the cached
 * length; returns FALSE when a full decimation is needed instead. Sets
 * out_moved when the first column in view changed. */
static gboolean
slide_cache (SmChartModel *self,
             gboolean     *out_moved)
{
  gint64 first, old_last;

  *out_moved = FALSE;
  if (!self->cache_valid || self->end - self->start != self->grid.range)
    return FALSE;
  first = column_of (self->start, self->grid.origin, self->grid.range, self->grid.n);
  if (first < self->first_column || first - self->first_column >= self->grid.n)
    return FALSE;

  old_last = self->grid.last;
  *out_moved = first != self->first_column;
  self->first_column = first;
  self->grid.last = first + self->grid.n - 1;
  self->grid.clamp_end = self->end;
  for (guint i = 0; i < self->series->len; i++)
    {
      ChartSeries *cs = g_ptr_array_index (self->series, i);
      guint drop = 0;

      while (drop < cs->columns->len &&
             g_array_index (cs->columns, SmChartColumn, drop).x < first)
        drop++;
      if (drop > 0)
        g_array_remove_range (cs->columns, 0, drop);
      /* The old last column may hold points that were counted in it only
       * because the old window ended there. */
      recompute_tail (self, cs, old_last);
    }
  return TRUE;
}

static void update_axes (SmChartModel *self);

void
sm_chart_model_set_range (SmChartModel *self,
                          gint64        start,
                          gint64        end,
                          gboolean      follow)
{
  gboolean moved;

  g_return_if_fail (self != NULL);

  end = MAX (end, start + 1);
  self->follow = follow;
  if (self->start == start && self->end == end)
    return;
  self->start = start;
  self->end = end;
  if (slide_cache (self, &moved))
    {
      changed (self, moved);
      update_axes (self);
      return;
    }
  invalidate (self);
}

void
sm_chart_model_set_series (SmChartModel *self,
                           guint         index,
                           SmSeries     *series)
{
  ChartSeries *cs;

  g_return_if_fail (self != NULL);
  g_return_if_fail (series != NULL);
  g_return_if_fail (index < self->series->len);

  cs = g_ptr_array_index (self->series, index);
  if (cs->series != series)
    sm_series_free (cs->series);
  cs->series = series;
  changed (self, FALSE);
  if (self->cache_valid)
    {
      g_array_set_size (cs->columns, 0);
      recompute_tail (self, cs, self->first_column);
      update_axes (self);
    }
}

void
sm_chart_model_append (SmChartModel *self,
                       guint         index,
                       gint64        t,
                       double        value)
{
  ChartSeries *cs;
  guint len;
  gboolean moved = FALSE;

  g_return_if_fail (self != NULL);
  g_return_if_fail (index < self->series->len);

  cs = g_ptr_array_index (self->series, index);
  len = cs->series->points->len;
  sm_series_append_value (cs->series, t, value);
  if (cs->series->points->len == len)
    return;

  if (self->follow && t > self->end)
    {
      gint64 shift = t - self->end;

      self->start += shift;
      self->end += shift;
      if (!slide_cache (self, &moved))
        {
          invalidate (self);
          return;
        }
    }
  changed (self, moved);
  if (!self->cache_valid)
    return;
  recompute_tail (self, cs, grid_column (&self->grid, t));
  update_axes (self);
}

gboolean
sm_chart_model_has_data (SmChartModel *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->series->len; i++)
    {
      ChartSeries *cs = g_ptr_array_index (self->series, i);
      GArray *points = cs->series->points;
      guint lo = 0, hi = points->len;

      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (g_array_index (points, SmSeriesPoint, mid).t < self->start)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo < points->len && g_array_index (points, SmSeriesPoint, lo).t <= self->end)
        return TRUE;
    }
  return FALSE;
}

GArray *
sm_chart_model_get_columns (SmChartModel *self,
                            guint         index,
                            gint64       *out_origin,
                            gint64       *out_first_column,
                            guint        *out_n_columns)
{
  ChartSeries *cs;
  GArray *copy;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->series->len, NULL);

  if (!self->cache_valid)
    return NULL;
  cs = g_ptr_array_index (self->series, index);
  copy = g_array_sized_new (FALSE, FALSE, sizeof (SmChartColumn), cs->columns->len);
  g_array_append_vals (copy, cs->columns->data, cs->columns->len);
  if (out_origin != NULL)
    *out_origin = self->grid.origin;
  if (out_first_column != NULL)
    *out_first_column = self->first_column;
  if (out_n_columns != NULL)
    *out_n_columns = self->grid.n;
  return copy;
}

/* Text */

static PangoFontDescription *
font_for (const char *font,
          double      scale,
          gboolean    bold)
{
  PangoFontDescription *desc = pango_font_description_from_string (font != NULL ? font : DEFAULT_FONT);
  int size = pango_font_description_get_size (desc);

  if (size <= 0)
    {
      size = 9 * PANGO_SCALE;
      pango_font_description_set_size (desc, size);
    }
  if (scale != 1.0)
    {
      if (pango_font_description_get_size_is_absolute (desc))
        pango_font_description_set_absolute_size (desc, size * scale);
      else
        pango_font_description_set_size (desc, (int) (size * scale));
    }
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  return desc;
}

static PangoLayout *
text_layout (PangoContext *context,
             const char   *font,
             double        scale,
             gboolean      bold,
             const char   *text)
{
  PangoLayout *layout = pango_layout_new (context);
  PangoFontDescription *desc = font_for (font, scale, bold);

  pango_layout_set_font_description (layout, desc);
  pango_layout_set_text (layout, text, -1);
  pango_font_description_free (desc);
  return layout;
}

static void
measure_text (SmChartModel *self,
              const char   *font,
              double        scale,
              gboolean      bold,
              const char   *text,
              int          *out_width,
              int          *out_height)
{
  g_autoptr(PangoLayout) layout = NULL;
  PangoRectangle logical;

  if (self->pango == NULL)
    self->pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  layout = text_layout (self->pango, font, scale, bold, text);

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  if (out_width != NULL)
    *out_width = logical.width;
  if (out_height != NULL)
    *out_height = logical.height;
}

/* Layout */

/* The visible window of the cache: its first and last time. */
static void
view_window (SmChartModel *self,
             gint64       *out_start,
             gint64       *out_end)
{
  *out_start = grid_first_time (self);
  *out_end = MAX (self->end, self->grid.origin -
                  floor_div (-(self->first_column + (gint64) self->grid.n) * self->grid.range,
                             self->grid.n));
}

/* Widget x of time t (a pixel column's left edge for its start time). */
static double
x_of_time (SmChartModel *self,
           double        t)
{
  double column = (t - self->grid.origin) * self->grid.n / (double) self->grid.range;

  return self->layout.plot.x + column - self->first_column;
}

static double
x_of_column (SmChartModel *self,
             int           x)
{
  return self->layout.plot.x + (x - self->first_column) + 0.5;
}

static double
y_of_value (SmChartModel *self,
            double        value)
{
  const Layout *l = &self->layout;

  return l->plot.y + l->plot.height -
         (value - l->lower) / (l->upper - l->lower) * l->plot.height;
}

static void
value_extent (SmChartModel *self,
              double       *out_min,
              double       *out_max)
{
  double min = NAN, max = NAN;

  for (guint i = 0; i < self->series->len; i++)
    {
      ChartSeries *cs = g_ptr_array_index (self->series, i);

      for (guint j = 0; j < cs->columns->len; j++)
        {
          const SmChartColumn *c = &g_array_index (cs->columns, SmChartColumn, j);

          if (isnan (min) || c->min < min)
            min = c->min;
          if (isnan (max) || c->max > max)
            max = c->max;
        }
    }
  *out_min = min;
  *out_max = max;
}

/* Computes the value ticks and labels for the cached columns; returns
 * the width of the widest label. */
static int
compute_value_axis (SmChartModel *self)
{
  Layout *l = &self->layout;
  double min, max;
  int widest = 0;

  value_extent (self, &min, &max);
  g_clear_pointer (&l->value_ticks, g_array_unref);
  g_clear_pointer (&l->value_labels, g_ptr_array_unref);
  l->value_ticks = sm_chart_value_ticks (min, max, self->unit, l->max_value_ticks,
                                         &l->lower, &l->upper);
  l->value_labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < l->value_ticks->len; i++)
    {
      char *label = sm_format_value (g_array_index (l->value_ticks, double, i), self->unit);
      int width;

      measure_text (self, l->font, 1.0, FALSE, label, &width, NULL);
      widest = MAX (widest, width);
      g_ptr_array_add (l->value_labels, label);
    }
  return widest;
}

static void
compute_time_axis (SmChartModel *self)
{
  Layout *l = &self->layout;
  gint64 start, end;

  view_window (self, &start, &end);
  g_clear_pointer (&l->time_ticks, g_array_unref);
  l->time_ticks = sm_chart_time_ticks (start, end, l->plot.width, l->time_spacing, self->tz);
}

static gboolean
time_axis_equal (GArray *ticks,
                 GArray *other)
{
  if (ticks == NULL || other == NULL || ticks->len != other->len)
    return FALSE;
  for (guint i = 0; i < ticks->len; i++)
    {
      const SmChartTimeTick *a = &g_array_index (ticks, SmChartTimeTick, i);
      const SmChartTimeTick *b = &g_array_index (other, SmChartTimeTick, i);

      if (a->t != b->t || a->major != b->major || g_strcmp0 (a->label, b->label) != 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
value_axis_equal (GArray    *ticks,
                  GPtrArray *labels,
                  GArray    *other_ticks,
                  GPtrArray *other_labels)
{
  if (ticks == NULL || other_ticks == NULL || ticks->len != other_ticks->len)
    return FALSE;
  for (guint i = 0; i < ticks->len; i++)
    {
      if (g_array_index (ticks, double, i) != g_array_index (other_ticks, double, i) ||
          g_strcmp0 (g_ptr_array_index (labels, i), g_ptr_array_index (other_labels, i)) != 0)
        return FALSE;
    }
  return TRUE;
}

/* After the cache changed in place (an append, a slide): the axes follow
 * the data, and the background changes when they do. */
static void
update_axes (SmChartModel *self)
{
  Layout *l = &self->layout;
  g_autoptr(GArray) old_ticks = NULL;
  g_autoptr(GPtrArray) old_labels = NULL;
  g_autoptr(GArray) old_time_ticks = NULL;
  int widest;

  if (!l->valid || !self->cache_valid)
    return;

  old_ticks = g_steal_pointer (&l->value_ticks);
  old_labels = g_steal_pointer (&l->value_labels);
  widest = compute_value_axis (self);
  if (!value_axis_equal (old_ticks, old_labels, l->value_ticks, l->value_labels))
    {
      self->background_serial++;
      /* Wider labels need a new plot width (and a new decimation). */
      if (l->pad + widest + LABEL_GAP > l->plot.x)
        l->valid = FALSE;
    }
  old_time_ticks = g_steal_pointer (&l->time_ticks);
  compute_time_axis (self);
  if (!time_axis_equal (old_time_ticks, l->time_ticks))
    self->background_serial++;
}

static int
unit_label_guess (SmChartModel *self,
                  const char   *font)
{
  g_autoptr(GArray) ticks = NULL;
  double lower, upper;
  int widest = 0;

  ticks = sm_chart_value_ticks (NAN, NAN, self->unit, 5, &lower, &upper);
  for (guint i = 0; i < ticks->len; i++)
    {
      g_autofree char *label = sm_format_value (g_array_index (ticks, double, i), self->unit);
      int width;

      measure_text (self, font, 1.0, FALSE, label, &width, NULL);
      widest = MAX (widest, width);
    }
  return widest;
}

static void
ensure_layout (SmChartModel *self,
               int           width,
               int           height,
               const char   *font,
               gboolean      with_title)
{
  Layout *l = &self->layout;
  static const char * const time_samples[] = { "00:00", "Wed 28", "Sep 28", "2026" };
  int right, top, bottom, left, widest;
  guint n_columns;

  width = MAX (width, 1);
  height = MAX (height, 1);
  font = font != NULL ? font : DEFAULT_FONT;
  with_title = with_title && self->title != NULL && self->title[0] != '\0';

  if (l->valid && self->cache_valid && l->width == width && l->height == height &&
      l->with_title == with_title && g_strcmp0 (l->font, font) == 0)
    return;

  left = g_strcmp0 (l->font, font) == 0 ? self->last_left : -1;
  layout_clear (l);
  l->width = width;
  l->height = height;
  l->with_title = with_title;
  l->font = g_strdup (font);

  l->pad = CLAMP (MIN (width, height) / 40, 4, 12);
  measure_text (self, font, 1.0, FALSE, "0:Mg", NULL, &l->text_height);
  right = l->pad + 4;

  top = l->pad;
  l->title_height = 0;
  if (with_title)
    {
      measure_text (self, font, 1.3, TRUE, self->title, NULL, &l->title_height);
      top += l->title_height + l->pad;
    }

  if (left <= 0)
    left = l->pad + unit_label_guess (self, font) + LABEL_GAP;

  /* The legend, when there is more than one series, flows in rows above
   * the plot. */
  l->legend_x = g_array_new (FALSE, FALSE, sizeof (int));
  l->legend_row = g_array_new (FALSE, FALSE, sizeof (int));
  l->legend_top = top;
  l->legend_row_height = l->text_height + 4;
  if (self->series->len > 1)
    {
      int available = MAX (width - left - right, 1);
      int x = 0, row = 0;

      for (guint i = 0; i < self->series->len; i++)
        {
          ChartSeries *cs = g_ptr_array_index (self->series, i);
          int label_width, item;

          measure_text (self, font, 1.0, FALSE, cs->label, &label_width, NULL);
          item = 10 + 6 + label_width;
          if (x > 0 && x + item > available)
            {
              row++;
              x = 0;
            }
          g_array_append_val (l->legend_x, x);
          g_array_append_val (l->legend_row, row);
          x += item + 18;
        }
      top += (row + 1) * l->legend_row_height + l->pad / 2;
    }

  /* Half a label above the top value line, a row of time labels below. */
  top += l->text_height / 2 + 2;
  bottom = height - l->pad - l->text_height - TIME_LABEL_GAP;
  l->plot.y = top;
  l->plot.height = MAX (bottom - top, 1);
  l->max_value_ticks = CLAMP (l->plot.height / MAX (2 * l->text_height, 26) + 1, 2, 8);

  /* The value labels decide the plot's left edge, the plot's width the
   * columns, and the columns the values: settle it in a few rounds. */
  for (guint round = 0; round < 3; round++)
    {
      n_columns = MAX (width - left - right, 1);
      if (!self->cache_valid || self->grid.n != n_columns ||
          self->grid.origin != self->start || self->first_column != 0)
        rebuild_cache (self, n_columns);
      l->plot.x = left;
      l->plot.width = n_columns;
      widest = compute_value_axis (self);
      if (l->pad + widest + LABEL_GAP == left)
        break;
      left = l->pad + widest + LABEL_GAP;
    }
  /* Should the rounds not settle, the labels keep the room they need. */
  if (l->pad + widest + LABEL_GAP > l->plot.x)
    {
      left = l->pad + widest + LABEL_GAP;
      n_columns = MAX (width - left - right, 1);
      rebuild_cache (self, n_columns);
      l->plot.x = left;
      l->plot.width = n_columns;
      compute_value_axis (self);
    }

  widest = 0;
  for (guint i = 0; i < G_N_ELEMENTS (time_samples); i++)
    {
      int w;

      measure_text (self, font, 1.0, FALSE, time_samples[i], &w, NULL);
      widest = MAX (widest, w);
    }
  l->time_spacing = widest + l->text_height;
  compute_time_axis (self);
  self->last_left = l->plot.x;
  l->valid = TRUE;
}

static void
prepare (SmChartModel       *self,
         int                 width,
         int                 height,
         const SmChartStyle *style,
         gboolean            with_title)
{
  const char *font = style != NULL && style->font != NULL ? style->font : DEFAULT_FONT;

  if (g_strcmp0 (self->font, font) != 0)
    {
      g_free (self->font);
      self->font = g_strdup (font);
    }
  ensure_layout (self, width, height, font, with_title);
}

void
sm_chart_model_get_plot_area (SmChartModel          *self,
                              int                    width,
                              int                    height,
                              const SmChartStyle    *style,
                              cairo_rectangle_int_t *out_area)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out_area != NULL);

  prepare (self, width, height, style, FALSE);
  *out_area = self->layout.plot;
}

/* Drawing */

static const SmRgba *
series_color (const SmChartStyle *style,
              guint               index)
{
  return &style->series[index % SM_CHART_N_COLORS];
}

static void
show_text (cairo_t            *cr,
           PangoContext       *context,
           const char         *font,
           double              scale,
           gboolean            bold,
           const char         *text,
           double              x,
           double              y,
           double              xalign,
           double              yalign,
           int                *out_width)
{
  g_autoptr(PangoLayout) layout = text_layout (context, font, scale, bold, text);
  PangoRectangle logical;

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  cairo_move_to (cr,
                 round (x - xalign * logical.width) - logical.x,
                 round (y - yalign * logical.height) - logical.y);
  pango_cairo_show_layout (cr, layout);
  if (out_width != NULL)
    *out_width = logical.width;
}

static void
draw_background (SmChartModel       *self,
                 cairo_t            *cr,
                 const SmChartStyle *style)
{
  const Layout *l = &self->layout;
  PangoContext *context = pango_cairo_create_context (cr);
  double plot_right = l->plot.x + l->plot.width;
  double plot_bottom = l->plot.y + l->plot.height;
  double last_label_end = -G_MAXDOUBLE;

  cairo_save (cr);

  if (style->background.alpha > 0)
    {
      set_source (cr, &style->background, 1.0);
      cairo_paint (cr);
    }

  cairo_set_line_width (cr, 1.0);

  /* Horizontal grid lines and value labels. */
  for (guint i = 0; i < l->value_ticks->len; i++)
    {
      double value = g_array_index (l->value_ticks, double, i);
      double y = round (y_of_value (self, value));

      /* The lowest line sits on the plot's last pixel row. */
      y = MIN (y, plot_bottom - 1) + 0.5;
      cairo_move_to (cr, l->plot.x, y);
      cairo_line_to (cr, plot_right, y);
      set_source (cr, &style->grid, value == 0 ? 2.0 : 1.0);
      cairo_stroke (cr);

      set_source (cr, &style->foreground, 0.65);
      show_text (cr, context, l->font, 1.0, FALSE, g_ptr_array_index (l->value_labels, i),
                 l->plot.x - LABEL_GAP, y, 1.0, 0.5, NULL);
    }

  /* Vertical grid lines and time labels. */
  for (guint i = 0; i < l->time_ticks->len; i++)
    {
      const SmChartTimeTick *tick = &g_array_index (l->time_ticks, SmChartTimeTick, i);
      double x = x_of_time (self, tick->t);
      g_autoptr(PangoLayout) layout = NULL;
      PangoRectangle logical;
      double label_x;

      if (x < l->plot.x || x > plot_right)
        continue;
      x = MIN (round (x), plot_right - 1) + 0.5;
      cairo_move_to (cr, x, l->plot.y);
      cairo_line_to (cr, x, plot_bottom);
      set_source (cr, &style->grid, tick->major ? 2.0 : 1.0);
      cairo_stroke (cr);

      layout = text_layout (context, l->font, 1.0, tick->major, tick->label);
      pango_layout_get_pixel_extents (layout, NULL, &logical);
      label_x = round (x - logical.width / 2.0);
      /* Labels stay inside the chart and apart from each other. */
      if (label_x < l->plot.x - LABEL_GAP || label_x + logical.width > l->width - 1 ||
          label_x < last_label_end + 6)
        continue;
      cairo_move_to (cr, label_x - logical.x, plot_bottom + TIME_LABEL_GAP - logical.y);
      set_source (cr, &style->foreground, tick->major ? 0.85 : 0.65);
      pango_cairo_show_layout (cr, layout);
      last_label_end = label_x + logical.width;
    }

  /* The legend. */
  for (guint i = 0; i < l->legend_x->len; i++)
    {
      ChartSeries *cs = g_ptr_array_index (self->series, i);
      double x = l->plot.x + g_array_index (l->legend_x, int, i);
      double y = l->legend_top + g_array_index (l->legend_row, int, i) * l->legend_row_height;
      double swatch_y = y + (l->text_height - 10) / 2.0;

      cairo_new_sub_path (cr);
      cairo_arc (cr, x + 8, swatch_y + 2, 2, -G_PI / 2, 0);
      cairo_arc (cr, x + 8, swatch_y + 8, 2, 0, G_PI / 2);
      cairo_arc (cr, x + 2, swatch_y + 8, 2, G_PI / 2, G_PI);
      cairo_arc (cr, x + 2, swatch_y + 2, 2, G_PI, 3 * G_PI / 2);
      cairo_close_path (cr);
      set_source (cr, series_color (style, i), 1.0);
      cairo_fill (cr);

      set_source (cr, &style->foreground, 1.0);
      show_text (cr, context, l->font, 1.0, FALSE, cs->label, x + 16, y, 0, 0, NULL);
    }

  cairo_restore (cr);
  g_object_unref (context);
}

typedef struct
{
  double x;
  double min;
  double max;
  double avg;
} Vertex;

/* Vertices per stroked run of a series' line. */
#define STROKE_RUN 32

static void
draw_segment (cairo_t      *cr,
              SmChartModel *self,
              GArray       *vertices,
              const SmRgba *color)
{
  const Vertex *v = (const Vertex *) vertices->data;
  guint n = vertices->len;
  gboolean band = FALSE;

  if (n == 0)
    return;

  for (guint i = 0; i < n; i++)
    band |= v[i].max > v[i].min;

  if (band && n > 1)
    {
      cairo_move_to (cr, v[0].x, y_of_value (self, v[0].max));
      for (guint i = 1; i < n; i++)
        cairo_line_to (cr, v[i].x, y_of_value (self, v[i].max));
      for (guint i = n; i-- > 0;)
        cairo_line_to (cr, v[i].x, y_of_value (self, v[i].min));
      cairo_close_path (cr);
      set_source (cr, color, BAND_ALPHA);
      cairo_fill (cr);
    }

  if (n == 1)
    {
      /* A lone column: its extremes as a bar and a dot at the mean. */
      if (band)
        {
          cairo_move_to (cr, v[0].x, y_of_value (self, v[0].max));
          cairo_line_to (cr, v[0].x, y_of_value (self, v[0].min));
          set_source (cr, color, 0.5);
          cairo_stroke (cr);
        }
      cairo_arc (cr, v[0].x, y_of_value (self, v[0].avg), LINE_WIDTH, 0, 2 * G_PI);
      set_source (cr, color, 1.0);
      cairo_fill (cr);
      return;
    }

  /* Stroked in short runs: Cairo tessellates a stroke as one polygon, and
   * a dense zigzag line (a year of daily cycles) makes that polygon cross
   * itself everywhere, which costs far more than the same line in pieces.
   * Runs share their end vertex and round caps hide the joint. */
  set_source (cr, color, 1.0);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint from = 0; from + 1 < n; from += STROKE_RUN)
    {
      guint to = MIN (from + STROKE_RUN, n - 1);

      cairo_move_to (cr, v[from].x, y_of_value (self, v[from].avg));
      for (guint i = from + 1; i <= to; i++)
        cairo_line_to (cr, v[i].x, y_of_value (self, v[i].avg));
      cairo_stroke (cr);
    }
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
}

static Vertex
vertex_of_point (SmChartModel        *self,
                 const SmSeriesPoint *p)
{
  Vertex v = { x_of_time (self, p->t), p->min, p->max, p->avg };

  return v;
}

static void
draw_series (SmChartModel       *self,
             cairo_t            *cr,
             ChartSeries        *cs,
             const SmRgba       *color)
{
  GArray *points = cs->series->points;
  g_autoptr(GArray) vertices = g_array_new (FALSE, FALSE, sizeof (Vertex));

  if (cs->columns->len == 0)
    return;

  for (guint j = 0; j < cs->columns->len; j++)
    {
      const SmChartColumn *c = &g_array_index (cs->columns, SmChartColumn, j);
      Vertex v = { x_of_column (self, c->x), c->min, c->max, c->avg };

      if (j == 0 && !c->gap_before)
        {
          /* The line comes in from a point left of the plot. */
          guint i = first_point_in_column (cs->series, &self->grid, c->x);

          if (i > 0)
            {
              Vertex lead = vertex_of_point (self, &g_array_index (points, SmSeriesPoint, i - 1));

              g_array_append_val (vertices, lead);
            }
        }
      else if (c->gap_before)
        {
          draw_segment (cr, self, vertices, color);
          g_array_set_size (vertices, 0);
        }
      g_array_append_val (vertices, v);
    }

  /* The line goes on to a point right of the plot, unless a gap follows. */
  {
    const SmChartColumn *c = &g_array_index (cs->columns, SmChartColumn, cs->columns->len - 1);
    guint i = first_point_in_column (cs->series, &self->grid, c->x + 1);

    if (i > 0 && i < points->len &&
        g_array_index (points, SmSeriesPoint, i).t -
        g_array_index (points, SmSeriesPoint, i - 1).t <= cs->series->gap)
      {
        Vertex tail = vertex_of_point (self, &g_array_index (points, SmSeriesPoint, i));

        g_array_append_val (vertices, tail);
      }
  }
  draw_segment (cr, self, vertices, color);
}

static void
draw_data (SmChartModel       *self,
           cairo_t            *cr,
           const SmChartStyle *style)
{
  const Layout *l = &self->layout;
  PangoContext *context = pango_cairo_create_context (cr);
  static const double dashes[] = { 6.0, 4.0 };
  g_autoptr(GArray) taken = g_array_new (FALSE, FALSE, sizeof (double));

  cairo_save (cr);
  cairo_rectangle (cr, l->plot.x, l->plot.y - 1, l->plot.width, l->plot.height + 2);
  cairo_clip (cr);

  /* Thresholds under the data, dashed. */
  cairo_set_line_width (cr, 1.0);
  for (guint i = 0; i < self->thresholds->len; i++)
    {
      const Threshold *threshold = &g_array_index (self->thresholds, Threshold, i);
      double y;

      if (threshold->value < l->lower || threshold->value > l->upper)
        continue;
      y = MIN (round (y_of_value (self, threshold->value)), l->plot.y + l->plot.height - 1) + 0.5;
      cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
      cairo_move_to (cr, l->plot.x, y);
      cairo_line_to (cr, l->plot.x + l->plot.width, y);
      set_source (cr, threshold->critical ? &style->critical : &style->warning, 1.0);
      cairo_stroke (cr);
    }
  cairo_set_dash (cr, NULL, 0, 0);

  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  /* The first series on top. */
  for (guint i = self->series->len; i-- > 0;)
    draw_series (self, cr, g_ptr_array_index (self->series, i), series_color (style, i));

  /* Threshold labels above everything, at the right end of their line:
   * above it, or below when there is no room or another label is there;
   * left out when neither fits. */
  for (guint i = 0; i < self->thresholds->len; i++)
    {
      const Threshold *threshold = &g_array_index (self->thresholds, Threshold, i);
      g_autofree char *text = NULL;
      g_autoptr(PangoLayout) layout = NULL;
      PangoRectangle logical;
      double y, x, top;
      gboolean placed = FALSE;

      if (threshold->value < l->lower || threshold->value > l->upper)
        continue;
      y = y_of_value (self, threshold->value);
      text = threshold->label != NULL ? g_strdup (threshold->label)
                                      : sm_format_value (threshold->value, self->unit);
      layout = text_layout (context, l->font, 0.9, FALSE, text);
      pango_layout_get_pixel_extents (layout, NULL, &logical);
      x = l->plot.x + l->plot.width - 4 - logical.width;
      for (guint side = 0; side < 2 && !placed; side++)
        {
          top = side == 0 ? y - 2 - logical.height : y + 3;
          if (top < l->plot.y || top + logical.height > l->plot.y + l->plot.height)
            continue;
          placed = TRUE;
          for (guint j = 0; j + 1 < taken->len; j += 2)
            {
              const double *r = &g_array_index (taken, double, j);

              if (top < r[1] && top + logical.height > r[0])
                placed = FALSE;
            }
        }
      if (!placed)
        continue;
      {
        double rect[2] = { top, top + logical.height };

        g_array_append_vals (taken, rect, 2);
      }
      set_source (cr, threshold->critical ? &style->critical : &style->warning, 1.0);
      cairo_move_to (cr, round (x) - logical.x, round (top) - logical.y);
      pango_cairo_show_layout (cr, layout);
    }

  cairo_restore (cr);
  g_object_unref (context);
}

/* The column of a series nearest to widget x, within reach of x. */
static const SmChartColumn *
column_at (SmChartModel *self,
           ChartSeries  *cs,
           double        x)
{
  GArray *columns = cs->columns;
  double position = x - self->layout.plot.x + self->first_column;
  double reach = MAX (2.5, cs->series->gap * (double) self->grid.n / self->grid.range / 2);
  guint lo = 0, hi = columns->len;
  const SmChartColumn *best = NULL;
  double best_distance = G_MAXDOUBLE;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (columns, SmChartColumn, mid).x + 0.5 < position)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (guint i = lo > 0 ? lo - 1 : 0; i <= lo && i < columns->len; i++)
    {
      const SmChartColumn *c = &g_array_index (columns, SmChartColumn, i);
      double distance = fabs (c->x + 0.5 - position);

      if (distance < best_distance)
        {
          best = c;
          best_distance = distance;
        }
    }
  return best_distance <= reach ? best : NULL;
}

static gboolean
in_plot (SmChartModel *self,
         double        x)
{
  const Layout *l = &self->layout;

  return x >= l->plot.x && x <= l->plot.x + l->plot.width;
}

static double
luminance (const SmRgba *color)
{
  return 0.2126 * color->red + 0.7152 * color->green + 0.0722 * color->blue;
}

static void
draw_hover (SmChartModel       *self,
            cairo_t            *cr,
            const SmChartStyle *style,
            double              x)
{
  const Layout *l = &self->layout;

  if (!in_plot (self, x))
    return;

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, floor (x) + 0.5, l->plot.y);
  cairo_line_to (cr, floor (x) + 0.5, l->plot.y + l->plot.height);
  set_source (cr, &style->foreground, 0.35);
  cairo_stroke (cr);

  for (guint i = 0; i < self->series->len; i++)
    {
      const SmChartColumn *c = column_at (self, g_ptr_array_index (self->series, i), x);
      double cx, cy;

      if (c == NULL)
        continue;
      cx = x_of_column (self, c->x);
      cy = y_of_value (self, c->avg);
      /* A ring in the background colour sets the dot off the line; on a
       * transparent background, in the colour opposite the text. */
      cairo_arc (cr, cx, cy, 5.0, 0, 2 * G_PI);
      if (style->background.alpha > 0)
        set_source (cr, &style->background, 1.0);
      else if (luminance (&style->foreground) > 0.5)
        cairo_set_source_rgb (cr, 0x24 / 255.0, 0x24 / 255.0, 0x24 / 255.0);
      else
        cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_fill (cr);
      cairo_arc (cr, cx, cy, 3.5, 0, 2 * G_PI);
      set_source (cr, series_color (style, i), 1.0);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

static void
draw_title (SmChartModel       *self,
            cairo_t            *cr,
            const SmChartStyle *style)
{
  const Layout *l = &self->layout;
  PangoContext *context;

  if (!l->with_title)
    return;
  context = pango_cairo_create_context (cr);
  cairo_save (cr);
  set_source (cr, &style->foreground, 1.0);
  show_text (cr, context, l->font, 1.3, TRUE, self->title, l->pad, l->pad, 0, 0, NULL);
  cairo_restore (cr);
  g_object_unref (context);
}

void
sm_chart_render_background (SmChartModel       *self,
                            cairo_t            *cr,
                            int                 width,
                            int                 height,
                            const SmChartStyle *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);

  prepare (self, width, height, style, FALSE);
  draw_background (self, cr, style);
}

void
sm_chart_render_data (SmChartModel       *self,
                      cairo_t            *cr,
                      int                 width,
                      int                 height,
                      const SmChartStyle *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);

  prepare (self, width, height, style, FALSE);
  draw_data (self, cr, style);
}

void
sm_chart_render_hover (SmChartModel       *self,
                       cairo_t            *cr,
                       int                 width,
                       int                 height,
                       const SmChartStyle *style,
                       double              x)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);

  prepare (self, width, height, style, FALSE);
  draw_hover (self, cr, style, x);
}

void
sm_chart_render (SmChartModel       *self,
                 cairo_t            *cr,
                 int                 width,
                 int                 height,
                 const SmChartStyle *style)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);

  prepare (self, width, height, style, TRUE);
  draw_background (self, cr, style);
  draw_data (self, cr, style);
  draw_title (self, cr, style);
}

/* The tooltip */

static char *
format_time (SmChartModel *self,
             gint64        t)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GDateTime) last = NULL;
  gint64 range = self->end - self->start;

  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_timezone (utc, self->tz);
  first = g_date_time_new_from_unix_utc (self->start);
  last = g_date_time_new_from_unix_utc (self->end);
  if (first != NULL && last != NULL)
    {
      g_autoptr(GDateTime) first_local = g_date_time_to_timezone (first, self->tz);
      g_autoptr(GDateTime) last_local = g_date_time_to_timezone (last, self->tz);

      if (g_date_time_get_day_of_year (first_local) == g_date_time_get_day_of_year (last_local) &&
          g_date_time_get_year (first_local) == g_date_time_get_year (last_local))
        {
          if (range <= 3600)
            /* Translators: the time under the pointer on a chart of the
             * last hour; see g_date_time_format() for the fields. */
            return g_date_time_format (local, _("%H:%M:%S"));
          /* Translators: the time under the pointer on a chart within one
           * day. */
          return g_date_time_format (local, _("%H:%M"));
        }
    }
  if (range <= 180 * 86400)
    /* Translators: the date and time under the pointer on a chart of
     * days, "Tue 24 Mar, 14:05". */
    return g_date_time_format (local, _("%a %-d %b, %H:%M"));
  /* Translators: the date and time under the pointer on a chart of
   * months, "24 Mar 2026, 14:00". */
  return g_date_time_format (local, _("%-d %b %Y, %H:%M"));
}

char *
sm_chart_model_describe_at (SmChartModel *self,
                            int           width,
                            int           height,
                            double        x)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *time = NULL;
  gboolean found = FALSE;
  gint64 t;

  g_return_val_if_fail (self != NULL, NULL);

  ensure_layout (self, width, height, self->font, FALSE);
  if (!in_plot (self, x))
    return NULL;

  t = self->grid.origin +
      (gint64) floor ((x - self->layout.plot.x + self->first_column) *
                      self->grid.range / (double) self->grid.n);
  time = format_time (self, t);
  text = g_string_new (time);
  for (guint i = 0; i < self->series->len; i++)
    {
      ChartSeries *cs = g_ptr_array_index (self->series, i);
      const SmChartColumn *c = column_at (self, cs, x);
      g_autofree char *avg = NULL;

      g_string_append_c (text, '\n');
      if (c == NULL)
        {
          /* Translators: a series without data under the pointer, "CPU: —". */
          g_string_append_printf (text, _("%s: —"), cs->label);
          continue;
        }
      found = TRUE;
      avg = sm_format_value (c->avg, self->unit);
      if (c->max - c->min > 1e-9 * MAX (fabs (c->max), 1.0))
        {
          g_autofree char *min = sm_format_value (c->min, self->unit);
          g_autofree char *max = sm_format_value (c->max, self->unit);

          /* Translators: a series' mean under the pointer with its range,
           * "CPU: 34 % (12 % – 80 %)". */
          g_string_append_printf (text, _("%s: %s (%s – %s)"), cs->label, avg, min, max);
        }
      else
        {
          /* Translators: a series' value under the pointer, "CPU: 34 %". */
          g_string_append_printf (text, _("%s: %s"), cs->label, avg);
        }
    }
  if (!found)
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Saving */

typedef struct
{
  int fd;
  int error;
} WriteClosure;

static cairo_status_t
write_cb (void                *user_data,
          const unsigned char *data,
          unsigned int         length)
{
  WriteClosure *closure = user_data;

  while (length > 0)
    {
      ssize_t written = write (closure->fd, data, length);

      if (written < 0)
        {
          if (errno == EINTR)
            continue;
          closure->error = errno;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += written;
      length -= written;
    }
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
set_write_error (GError     **error,
                 const char  *path,
                 int          errsv)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               /* Translators: saving a chart failed; the second %s is the
                * reason. */
               _("Could not write “%s”: %s"), display, g_strerror (errsv));
  return FALSE;
}

gboolean
sm_chart_model_save (SmChartModel       *self,
                     const char         *path,
                     int                 width,
                     int                 height,
                     const SmChartStyle *style,
                     GError            **error)
{
  g_autofree char *name = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp_name = NULL;
  g_autofree char *tmp_path = NULL;
  WriteClosure closure = { -1, 0 };
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean svg;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);
  g_return_val_if_fail (style != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  name = g_path_get_basename (path);
  lower = g_ascii_strdown (name, -1);
  if (g_str_has_suffix (lower, ".png") && strlen (lower) > 4)
    svg = FALSE;
  else if (g_str_has_suffix (lower, ".svg") && strlen (lower) > 4)
    svg = TRUE;
  else
    {
      g_autofree char *display = g_filename_display_name (name);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Unsupported file type “%s”: use .png or .svg"), display);
      return FALSE;
    }

  dir = g_path_get_dirname (path);
  tmp_name = g_strdup_printf (".%s.XXXXXX", name);
  tmp_path = g_build_filename (dir, tmp_name, NULL);
  closure.fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (closure.fd < 0)
    return set_write_error (error, path, errno);

  if (svg)
    {
      surface = cairo_svg_surface_create_for_stream (write_cb, &closure, width, height);
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
    }
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);

  cr = cairo_create (surface);
  sm_chart_render (self, cr, width, height, style);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (svg)
    cairo_surface_finish (surface);
  else if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, write_cb, &closure);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS || closure.error != 0)
    {
      int errsv = closure.error != 0 ? closure.error : EIO;

      close (closure.fd);
      g_unlink (tmp_path);
      if (closure.error == 0)
        {
          g_autofree char *display = g_filename_display_name (path);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("Could not write “%s”: %s"), display,
                       cairo_status_to_string (status));
          return FALSE;
        }
      return set_write_error (error, path, errsv);
    }
  if (fsync (closure.fd) != 0)
    {
      int errsv = errno;

      close (closure.fd);
      g_unlink (tmp_path);
      return set_write_error (error, path, errsv);
    }
  if (close (closure.fd) != 0)
    {
      int errsv = errno;

      g_unlink (tmp_path);
      return set_write_error (error, path, errsv);
    }
  if (g_rename (tmp_path, path) != 0)
    {
      int errsv = errno;

      g_unlink (tmp_path);
      return set_write_error (error, path, errsv);
    }
  return TRUE;
}

static cairo_status_t
append_cb (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
sm_chart_model_render_png (SmChartModel       *self,
                           int                 width,
                           int                 height,
                           const SmChartStyle *style,
                           GError            **error)
{
  g_autoptr(GByteArray) png = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (style != NULL, NULL);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  sm_chart_render (self, cr, width, height, style);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, append_cb, png);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not draw the chart: %s"), cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}
