/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-meter.c: a usage bar drawn with Cairo in the theme's colours. */
#include "config.h"

#include <math.h>

#include "sm-meter.h"

#define METER_HEIGHT 8

struct _SmMeter
{
  GtkWidget  parent_instance;

  double     value;
};

G_DEFINE_FINAL_TYPE (SmMeter, sm_meter, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_VALUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
sm_meter_level_for (double value)
{
  if (!isnan (value) && value >= SM_METER_ERROR_PERCENT)
    return "error";
  if (!isnan (value) && value >= SM_METER_WARNING_PERCENT)
    return "warning";
  return "accent";
}

/* The theme's named colour (libadwaita defines them for light and dark). */
static void
lookup_color (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *out_color,
              const char *fallback)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (context, name, out_color))
    gdk_rgba_parse (out_color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
rounded_rectangle (cairo_t *cr,
                   double   x,
                   double   y,
                   double   width,
                   double   height)
{
  double radius = MIN (height, width) / 2.0;

  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI / 2.0, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI / 2.0);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI / 2.0, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3.0 * G_PI / 2.0);
  cairo_close_path (cr);
}

static void
sm_meter_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  SmMeter *self = SM_METER (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  const char *level = sm_meter_level_for (self->value);
  g_autofree char *fill_name = NULL;
  GdkRGBA trough, fill;
  cairo_t *cr;
  double fraction;

  if (width <= 0 || height <= 0)
    return;

  lookup_color (widget, "window_fg_color", &trough, "#000000");
  trough.alpha *= 0.12;
  fill_name = g_strconcat (level, "_bg_color", NULL);
  lookup_color (widget, fill_name, &fill, "#3584e4");

  fraction = isnan (self->value) ? 0.0 : CLAMP (self->value / 100.0, 0.0, 1.0);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  rounded_rectangle (cr, 0, 0, width, height);
  gdk_cairo_set_source_rgba (cr, &trough);
  cairo_fill (cr);

  if (fraction > 0.0)
    {
      double fill_width = MAX (height, fraction * width);

      if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
        rounded_rectangle (cr, width - fill_width, 0, fill_width, height);
      else
        rounded_rectangle (cr, 0, 0, fill_width, height);
      gdk_cairo_set_source_rgba (cr, &fill);
      cairo_fill (cr);
    }

  cairo_destroy (cr);
}

static void
sm_meter_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 2 * METER_HEIGHT;
      *natural = 120;
    }
  else
    {
      *minimum = METER_HEIGHT;
      *natural = METER_HEIGHT;
    }
}

static void
sm_meter_css_changed (GtkWidget         *widget,
                      GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sm_meter_parent_class)->css_changed (widget, change);

  /* Light and dark styles have different colours. */
  gtk_widget_queue_draw (widget);
}

static void
sm_meter_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  SmMeter *self = SM_METER (object);

  switch (prop_id)
    {
    case PROP_VALUE:
      g_value_set_double (value, self->value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_meter_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  SmMeter *self = SM_METER (object);

  switch (prop_id)
    {
    case PROP_VALUE:
      sm_meter_set_value (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_meter_class_init (SmMeterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sm_meter_get_property;
  object_class->set_property = sm_meter_set_property;

  widget_class->snapshot = sm_meter_snapshot;
  widget_class->measure = sm_meter_measure;
  widget_class->css_changed = sm_meter_css_changed;

  properties[PROP_VALUE] =
    g_param_spec_double ("value", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "meter");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_METER);
}

static void
sm_meter_init (SmMeter *self)
{
  self->value = NAN;
  gtk_widget_add_css_class (GTK_WIDGET (self), "accent");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 100.0,
                                  -1);
}

GtkWidget *
sm_meter_new (void)
{
  return g_object_new (SM_TYPE_METER, NULL);
}

double
sm_meter_get_value (SmMeter *self)
{
  g_return_val_if_fail (SM_IS_METER (self), NAN);

  return self->value;
}

void
sm_meter_set_value (SmMeter *self,
                    double   value)
{
  static const char * const levels[] = { "accent", "warning", "error" };
  const char *level;

  g_return_if_fail (SM_IS_METER (self));

  if (self->value == value || (isnan (self->value) && isnan (value)))
    return;

  self->value = value;

  level = sm_meter_level_for (value);
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      if (g_str_equal (levels[i], level))
        gtk_widget_add_css_class (GTK_WIDGET (self), levels[i]);
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self), levels[i]);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW,
                                  isnan (value) ? 0.0 : CLAMP (value, 0.0, 100.0),
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE]);
}
