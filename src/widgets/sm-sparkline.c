/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-sparkline.c: the last hour of one metric as a small line.
 *
 * The points are decimated into one column per pixel (sm_chart_decimate)
 * and drawing walks the columns, so a long poll history never costs more
 * than the widget is wide. The line and its light fill take the widget's
 * CSS colour, which follows the light and dark styles.
 */
#include "config.h"

#include <math.h>

#include "sm-chart-render.h"
#include "sm-sparkline.h"

#define WINDOW_SECONDS 3600
#define DEFAULT_STEP 60
#define PAD 2.0

struct _SmSparkline
{
  GtkWidget  parent_instance;

  /* Owned references */
  SmSeries  *series;          /* the points of the last hour */
  GArray    *columns;         /* SmChartColumn, for the key below */

  gboolean   explicit_gap;    /* the gap came with a series */
  guint64    serial;
  guint64    columns_serial;
  int        columns_width;
  gint64     columns_start;
};

G_DEFINE_FINAL_TYPE (SmSparkline, sm_sparkline, GTK_TYPE_WIDGET)

static gint64
newest_time (SmSparkline *self)
{
  GArray *points = self->series->points;

  if (points->len == 0)
    return G_MININT64;
  return g_array_index (points, SmSeriesPoint, points->len - 1).t;
}

static void
window (SmSparkline *self,
        gint64      *out_start,
        gint64      *out_end)
{
  gint64 end = MAX (newest_time (self), g_get_real_time () / G_USEC_PER_SEC);

  *out_start = end - WINDOW_SECONDS;
  *out_end = end;
}

/* Drops the points that left the window. */
static void
prune (SmSparkline *self)
{
  GArray *points = self->series->points;
  gint64 start, end;
  guint drop = 0;

  window (self, &start, &end);
  while (drop < points->len && g_array_index (points, SmSeriesPoint, drop).t < start)
    drop++;
  if (drop > 0)
    g_array_remove_range (points, 0, drop);
}

/* Without a series to say how often polls come, the shortest interval
 * seen is the step. */
static void
estimate_gap (SmSparkline *self)
{
  GArray *points = self->series->points;
  gint64 step = G_MAXINT64;

  if (self->explicit_gap || points->len < 2)
    return;
  for (guint i = 1; i < points->len; i++)
    step = MIN (step, g_array_index (points, SmSeriesPoint, i).t -
                      g_array_index (points, SmSeriesPoint, i - 1).t);
  self->series->step = MAX (step, 1);
  self->series->gap = MAX (self->series->step * 5 / 2, 5);
}

static GArray *
ensure_columns (SmSparkline *self,
                int          width)
{
  gint64 start, end;

  window (self, &start, &end);
  if (self->columns == NULL || self->columns_serial != self->serial ||
      self->columns_width != width || self->columns_start != start)
    {
      g_clear_pointer (&self->columns, g_array_unref);
      self->columns = sm_chart_decimate (self->series, start, end, width);
      self->columns_serial = self->serial;
      self->columns_width = width;
      self->columns_start = start;
    }
  return self->columns;
}

static double
y_of (double value,
      int    height)
{
  return PAD + (1.0 - CLAMP (value, 0.0, 100.0) / 100.0) * (height - 2 * PAD);
}

static void
draw_segment (cairo_t       *cr,
              GArray        *columns,
              guint          first,
              guint          last,
              int            height,
              const GdkRGBA *color)
{
  const SmChartColumn *c = &g_array_index (columns, SmChartColumn, 0);

  if (first == last)
    {
      cairo_arc (cr, c[first].x + 0.5, y_of (c[first].avg, height), 1.25, 0, 2 * G_PI);
      gdk_cairo_set_source_rgba (cr, color);
      cairo_fill (cr);
      return;
    }

  /* The fill under the line, then the line. */
  cairo_move_to (cr, c[first].x + 0.5, height);
  for (guint i = first; i <= last; i++)
    cairo_line_to (cr, c[i].x + 0.5, y_of (c[i].avg, height));
  cairo_line_to (cr, c[last].x + 0.5, height);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * 0.2);
  cairo_fill (cr);

  cairo_move_to (cr, c[first].x + 0.5, y_of (c[first].avg, height));
  for (guint i = first + 1; i <= last; i++)
    cairo_line_to (cr, c[i].x + 0.5, y_of (c[i].avg, height));
  gdk_cairo_set_source_rgba (cr, color);
  cairo_stroke (cr);
}

static void
draw (SmSparkline   *self,
      cairo_t       *cr,
      int            width,
      int            height,
      const GdkRGBA *color)
{
  GArray *columns = ensure_columns (self, width);
  guint first = 0;

  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 1; i <= columns->len; i++)
    {
      if (i == columns->len || g_array_index (columns, SmChartColumn, i).gap_before)
        {
          draw_segment (cr, columns, first, i - 1, height, color);
          first = i;
        }
    }
}

static void
get_color (SmSparkline *self,
           GdkRGBA     *out_color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), out_color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
sm_sparkline_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  SmSparkline *self = SM_SPARKLINE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA color;
  cairo_t *cr;

  if (width <= 0 || height <= 0 || self->series->points->len == 0)
    return;

  get_color (self, &color);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw (self, cr, width, height, &color);
  cairo_destroy (cr);
}

static void
sm_sparkline_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 24;
      *natural = 80;
    }
  else
    {
      *minimum = 12;
      *natural = 24;
    }
}

static void
sm_sparkline_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sm_sparkline_parent_class)->css_changed (widget, change);

  /* Light and dark styles have different colours. */
  gtk_widget_queue_draw (widget);
}

static void
sm_sparkline_finalize (GObject *object)
{
  SmSparkline *self = SM_SPARKLINE (object);

  sm_series_free (self->series);
  g_clear_pointer (&self->columns, g_array_unref);

  G_OBJECT_CLASS (sm_sparkline_parent_class)->finalize (object);
}

static void
sm_sparkline_class_init (SmSparklineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sm_sparkline_finalize;

  widget_class->snapshot = sm_sparkline_snapshot;
  widget_class->measure = sm_sparkline_measure;
  widget_class->css_changed = sm_sparkline_css_changed;

  gtk_widget_class_set_css_name (widget_class, "sparkline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sm_sparkline_init (SmSparkline *self)
{
  self->series = sm_series_new ("cpu.percent", SM_TIER_RAW, DEFAULT_STEP);
}

GtkWidget *
sm_sparkline_new (void)
{
  return g_object_new (SM_TYPE_SPARKLINE, NULL);
}

void
sm_sparkline_set_series (SmSparkline    *self,
                         const SmSeries *series)
{
  g_return_if_fail (SM_IS_SPARKLINE (self));
  g_return_if_fail (series != NULL);

  sm_series_free (self->series);
  self->series = sm_series_copy (series);
  self->explicit_gap = TRUE;
  prune (self);
  self->serial++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
sm_sparkline_append (SmSparkline *self,
                     gint64       t,
                     double       value)
{
  guint len;

  g_return_if_fail (SM_IS_SPARKLINE (self));

  len = self->series->points->len;
  sm_series_append_value (self->series, t, value);
  if (self->series->points->len == len)
    return;
  prune (self);
  estimate_gap (self);
  self->serial++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
sm_sparkline_get_n_points (SmSparkline *self)
{
  g_return_val_if_fail (SM_IS_SPARKLINE (self), 0);

  return self->series->points->len;
}

void
sm_sparkline_get_window (SmSparkline *self,
                         gint64      *out_start,
                         gint64      *out_end)
{
  gint64 start, end;

  g_return_if_fail (SM_IS_SPARKLINE (self));

  window (self, &start, &end);
  if (out_start != NULL)
    *out_start = start;
  if (out_end != NULL)
    *out_end = end;
}

cairo_surface_t *
sm_sparkline_render_to_surface (SmSparkline *self,
                                int          width,
                                int          height)
{
  cairo_surface_t *surface;
  GdkRGBA color;
  cairo_t *cr;

  g_return_val_if_fail (SM_IS_SPARKLINE (self), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  get_color (self, &color);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  if (self->series->points->len > 0)
    draw (self, cr, width, height, &color);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}
