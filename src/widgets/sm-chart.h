/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-chart.h: a chart widget drawing an SmChartModel.
 *
 * A title row (title, current value, an export menu with "Save as PNG…"
 * and "Save as SVG…") above the plot. The plot caches its background
 * layer (grid, labels) as a render node per model background serial and
 * size and theme, and draws the hover crosshair and tooltip on motion.
 * Colors follow the light or dark style (AdwStyleManager).
 */
#pragma once

#include <gtk/gtk.h>

#include "sm-chart-render.h"

G_BEGIN_DECLS

#define SM_TYPE_CHART (sm_chart_get_type ())
G_DECLARE_FINAL_TYPE (SmChart, sm_chart, SM, CHART, GtkWidget)

GtkWidget    *sm_chart_new               (void);
void          sm_chart_set_title         (SmChart      *self,
                                          const char   *title);
const char   *sm_chart_get_title         (SmChart      *self);
/* Takes a reference; NULL shows "No data". */
void          sm_chart_set_model         (SmChart      *self,
                                          SmChartModel *model);
SmChartModel *sm_chart_get_model         (SmChart      *self);
/* sm_chart_model_append() plus a redraw of what changed. */
void          sm_chart_append            (SmChart      *self,
                                          guint         series,
                                          gint64        t,
                                          double        value);
/* The model changed in other ways (series replaced, range moved). */
void          sm_chart_model_changed     (SmChart      *self);
/* Width of the plot area in pixels (for queries); 0 before allocation. */
int           sm_chart_get_plot_width    (SmChart      *self);
/* Text shown instead of the plot ("Loading…", an error), or NULL. */
void          sm_chart_set_placeholder   (SmChart      *self,
                                          const char   *text);

/* Writes the chart as PNG or SVG (by the extension) at 1200 × 400 in the
 * current light or dark style, with the title; what "Save as PNG…" and
 * "Save as SVG…" do after asking for the file. */
gboolean      sm_chart_save              (SmChart      *self,
                                          const char   *path,
                                          GError      **error);
/* The tooltip text at widget coordinates, or NULL outside the plot or
 * where there is no data. */
char         *sm_chart_describe_at       (SmChart      *self,
                                          double        x,
                                          double        y);

/* For tests: renders the plot as it is shown (on the style's opaque
 * background) into a new image surface. */
cairo_surface_t *sm_chart_render_to_surface (SmChart   *self,
                                          int           width,
                                          int           height);
/* For tests: how often the cached layers were drawn again, and the text
 * of the current-value label. */
guint         sm_chart_get_n_background_renders (SmChart *self);
guint         sm_chart_get_n_data_renders (SmChart     *self);
const char   *sm_chart_get_value_text    (SmChart      *self);

G_END_DECLS
