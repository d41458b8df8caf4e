/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-meter.h: a usage bar drawn with Cairo in the theme's colours. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SM_METER_WARNING_PERCENT 80.0
#define SM_METER_ERROR_PERCENT   90.0

#define SM_TYPE_METER (sm_meter_get_type ())
G_DECLARE_FINAL_TYPE (SmMeter, sm_meter, SM, METER, GtkWidget)

/*
 * Properties:
 *   value  double  0-100 (percent); NAN shows an empty trough
 *
 * The fill uses the accent colour, the warning colour from 80 % and the
 * error colour from 90 %; the level is also a style class on the widget
 * ("accent", "warning", "error") so tests and themes can see it.
 */
GtkWidget  *sm_meter_new        (void);
double      sm_meter_get_value  (SmMeter *self);
void        sm_meter_set_value  (SmMeter *self,
                                 double   value);
/* "accent", "warning" or "error" for a percentage. */
const char *sm_meter_level_for  (double   value);

G_END_DECLS
