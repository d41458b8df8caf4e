/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-sparkline.h: a small line of the last hour of one metric (the CPU in
 * server list rows), 0..100 % scale, gaps left empty, drawn with Cairo. */
#pragma once

#include <gtk/gtk.h>

#include "sm-series.h"

G_BEGIN_DECLS

#define SM_TYPE_SPARKLINE (sm_sparkline_get_type ())
G_DECLARE_FINAL_TYPE (SmSparkline, sm_sparkline, SM, SPARKLINE, GtkWidget)

GtkWidget *sm_sparkline_new        (void);
/* Replaces the points (copied). The window is the hour up to the newest
 * point or now, whichever is later. */
void       sm_sparkline_set_series (SmSparkline    *self,
                                    const SmSeries *series);
void       sm_sparkline_append     (SmSparkline    *self,
                                    gint64          t,
                                    double          value);
guint      sm_sparkline_get_n_points (SmSparkline  *self);
/* The hour shown: up to the newest point or now, whichever is later. */
void       sm_sparkline_get_window (SmSparkline    *self,
                                    gint64         *out_start,
                                    gint64         *out_end);

/* For tests: draws the line as shown (transparent background) into a new
 * image surface. */
cairo_surface_t *sm_sparkline_render_to_surface (SmSparkline *self,
                                    int             width,
                                    int             height);

G_END_DECLS
