/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-chart-render.h: charts drawn with Cairo and Pango, no GTK.
 *
 * The same code draws the SmChart widget, the PNG/SVG export and
 * `--render-chart` (headless). The pipeline, after Sysprof: series (plain
 * points) -> per-pixel-column min/max decimation into a column cache
 * (recomputed only for the columns that change on a live append) -> layers
 * drawn from the cache: background (grid, axes, labels, legend), data
 * (min-max band and average line per series, gaps left empty, threshold
 * lines) and hover (crosshair and dots). Drawing never walks raw points.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "sm-series.h"

G_BEGIN_DECLS

typedef struct {
  double red, green, blue, alpha;
} SmRgba;

#define SM_CHART_N_COLORS 6

typedef struct {
  SmRgba  background;     /* alpha 0: leave the surface as it is */
  SmRgba  foreground;     /* labels, legend */
  SmRgba  grid;
  SmRgba  series[SM_CHART_N_COLORS];
  SmRgba  warning;        /* threshold lines */
  SmRgba  critical;
  char   *font;           /* Pango font description, "Cantarell 9" */
} SmChartStyle;

/* The light or dark palette (libadwaita's colors); background opaque. */
void          sm_chart_style_init      (SmChartStyle *style,
                                        gboolean      dark);
void          sm_chart_style_clear     (SmChartStyle *style);

/* The data of one chart and its caches (columns and layout, for the last
 * size drawn: give each view its own model). Reference counted, not
 * thread-safe: it may be filled on a worker, then it belongs to the thread
 * that draws it. */
typedef struct _SmChartModel SmChartModel;

SmChartModel *sm_chart_model_new       (SmValueUnit   unit);
SmChartModel *sm_chart_model_ref       (SmChartModel *self);
void          sm_chart_model_unref     (SmChartModel *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmChartModel, sm_chart_model_unref)

SmValueUnit   sm_chart_model_get_unit  (SmChartModel *self);
/* Drawn above the plot in exports and --render-chart (the widget shows
 * its own title). */
void          sm_chart_model_set_title (SmChartModel *self,
                                        const char   *title);
const char   *sm_chart_model_get_title (SmChartModel *self);
/* The time span shown, unix seconds. With follow set, a live append past
 * end moves the window (start and end) forward by the same amount. */
void          sm_chart_model_set_range (SmChartModel *self,
                                        gint64        start,
                                        gint64        end,
                                        gboolean      follow);
void          sm_chart_model_get_range (SmChartModel *self,
                                        gint64       *out_start,
                                        gint64       *out_end);
/* Ticks and labels in this zone (default: local). For tests. */
void          sm_chart_model_set_timezone (SmChartModel *self,
                                        GTimeZone    *tz);
/* Adds a series with its legend label; takes ownership. Returns its index. */
guint         sm_chart_model_add_series (SmChartModel *self,
                                        const char   *label,
                                        SmSeries     *series);
guint         sm_chart_model_get_n_series (SmChartModel *self);
const SmSeries *sm_chart_model_get_series (SmChartModel *self,
                                        guint         index);
/* Replaces a series' points (a new query); keeps label and color. */
void          sm_chart_model_set_series (SmChartModel *self,
                                        guint         index,
                                        SmSeries     *series);
/* A live sample: updates only the last column(s) of the cache. */
void          sm_chart_model_append    (SmChartModel *self,
                                        guint         index,
                                        gint64        t,
                                        double        value);
/* A dashed horizontal line for an alert rule's threshold. */
void          sm_chart_model_add_threshold (SmChartModel *self,
                                        double        value,
                                        gboolean      critical,
                                        const char   *label);
void          sm_chart_model_clear_thresholds (SmChartModel *self);
/* Changes whenever the background layer (axes, ticks, labels, legend)
 * would look different; the widget caches that layer per value. */
guint64       sm_chart_model_get_background_serial (SmChartModel *self);
/* Changes whenever anything drawn changes. */
guint64       sm_chart_model_get_serial (SmChartModel *self);

/* Layers, drawn into cr at (0, 0) .. (width, height) in this order. */
void          sm_chart_render_background (SmChartModel       *self,
                                        cairo_t            *cr,
                                        int                 width,
                                        int                 height,
                                        const SmChartStyle *style);
void          sm_chart_render_data     (SmChartModel       *self,
                                        cairo_t            *cr,
                                        int                 width,
                                        int                 height,
                                        const SmChartStyle *style);
/* Crosshair at widget x and a dot on each series at that time. */
void          sm_chart_render_hover    (SmChartModel       *self,
                                        cairo_t            *cr,
                                        int                 width,
                                        int                 height,
                                        const SmChartStyle *style,
                                        double              x);
/* All layers (and the title, when set) at once. */
void          sm_chart_render          (SmChartModel       *self,
                                        cairo_t            *cr,
                                        int                 width,
                                        int                 height,
                                        const SmChartStyle *style);
/* Lays the chart out for width × height drawn with style (as the layers
 * above do) and returns the plot rectangle: the area inside the value
 * labels, the legend and the time labels. The serials above are up to date
 * for this size afterwards. */
void          sm_chart_model_get_plot_area (SmChartModel     *self,
                                        int                 width,
                                        int                 height,
                                        const SmChartStyle *style,
                                        cairo_rectangle_int_t *out_area);
/* TRUE when some series has a point inside the range. */
gboolean      sm_chart_model_has_data  (SmChartModel       *self);
/* Text for the hover tooltip at x: the local time and each series' value
 * there ("14:05\nCPU: 34 %"), or NULL outside the plot or without data.
 * Uses the layout of the layers (no title) in the font last drawn with. */
char         *sm_chart_model_describe_at (SmChartModel     *self,
                                        int                 width,
                                        int                 height,
                                        double              x);
/* Writes the chart as PNG or SVG, chosen by the file name's extension
 * (".png", ".svg"); anything else is G_IO_ERROR_INVALID_ARGUMENT. Written
 * to a temporary file and renamed, so path is never half-written. */
gboolean      sm_chart_model_save      (SmChartModel       *self,
                                        const char         *path,
                                        int                 width,
                                        int                 height,
                                        const SmChartStyle *style,
                                        GError            **error);

/* The chart as PNG data in memory (a Telegram photo, say). Any thread,
 * one model per thread. */
GBytes       *sm_chart_model_render_png (SmChartModel      *self,
                                        int                 width,
                                        int                 height,
                                        const SmChartStyle *style,
                                        GError            **error);

/* For tests: the column cache of series index as the last layout left it
 * (NULL before the first). Column x covers [origin + x * range / n_columns,
 * origin + (x + 1) * range / n_columns) with range = end - start; x counts
 * from origin, and the columns in view are first_column ..
 * first_column + n_columns - 1. A copy, element type SmChartColumn. */
GArray       *sm_chart_model_get_columns (SmChartModel     *self,
                                        guint               index,
                                        gint64             *out_origin,
                                        gint64             *out_first_column,
                                        guint              *out_n_columns);
/* For tests: how many columns were decimated since the model was made. */
guint64       sm_chart_model_get_n_columns_computed (SmChartModel *self);

/* The pure parts, exposed for tests. */

/* One pixel column of decimated data. */
typedef struct {
  int      x;           /* column index, 0 .. n_columns - 1 */
  double   min;         /* extremes of every point in the column */
  double   max;
  double   first;       /* the avg of the first and the last point */
  double   last;
  double   avg;         /* count-weighted mean */
  gboolean gap_before;  /* no data between this column and the previous one */
} SmChartColumn;

/* Decimates the series' points in [start, end] into n_columns equal time
 * columns; only columns with data appear, ascending. A gap is wherever two
 * consecutive points are more than series->gap apart, and before the
 * series' first point. Column x holds the points with
 * floor ((t - start) * n_columns / (end - start)) == x; a point at end is
 * counted in the last column. */
GArray       *sm_chart_decimate        (const SmSeries *series,
                                        gint64          start,
                                        gint64          end,
                                        guint           n_columns);

typedef struct {
  gint64   t;
  char    *label;       /* "14:00", "Tue 24", "Mar 2", "Mar", "2026" */
  gboolean major;       /* starts a larger unit than the step: a day for
                         * minute and hour steps, a month for day and week
                         * steps, a year for month steps */
} SmChartTimeTick;

/* Ticks on local-time boundaries of a step chosen so that labels are at
 * least min_spacing_px apart (1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h,
 * 1, 2, 7 d, 1, 3, 6 months, 1, 2, 5, 10 years), across midnight and DST
 * changes: every tick is on a wall-clock boundary of its step (3-hour ticks
 * at 00, 03, 06… local even on DST days; weeks start on Monday), a local
 * time that does not exist is skipped, ticks strictly increase and two
 * neighbours never share a label. Labels: "14:00" for minute and hour
 * steps, "Tue 24" at midnight and for day steps, "Mar 2" for weeks, "Mar"
 * for months with "2026" in January, "2026" for years.
 * Element type SmChartTimeTick, freed with the array. */
GArray       *sm_chart_time_ticks      (gint64          start,
                                        gint64          end,
                                        int             width_px,
                                        int             min_spacing_px,
                                        GTimeZone      *tz);

/* "Nice" value ticks covering [min, max] with at most max_ticks; sets the
 * axis' lower and upper bounds. Steps are 1, 2, 2.5, 5 x 10^n; for byte
 * units a power of two times the IEC unit the maximum is shown in (0,
 * 256 MiB, 512 MiB, 768 MiB, 1 GiB); for seconds whole minutes, hours or
 * days. The axis starts at 0 unless the data is negative; percent is
 * 0..100 unless the data exceeds it. min and max may be NAN (no data).
 * Data on both sides of zero gets at least three ticks.
 * Element type double. */
GArray       *sm_chart_value_ticks     (double          min,
                                        double          max,
                                        SmValueUnit     unit,
                                        guint           max_ticks,
                                        double         *out_lower,
                                        double         *out_upper);

G_END_DECLS
