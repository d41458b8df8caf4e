/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-chart.c: a chart widget drawing an SmChartModel.
 *
 * The title row is a template child; the plot below it is drawn in
 * snapshot() from three layers. The background (grid, labels, legend) and
 * the data are recorded once into render nodes and reused while their keys
 * hold: the model's background serial or serial, the plot size, the style
 * and the scale. Only the hover layer is drawn per frame, so moving the
 * pointer over the chart costs a crosshair, not a chart.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "sm-chart.h"

#define HEADER_SPACING 6
#define PLOT_MIN_HEIGHT 160
#define PLOT_NATURAL_HEIGHT 200
#define EXPORT_WIDTH 1200
#define EXPORT_HEIGHT 400

/* A cached layer and what it was drawn for. */
typedef struct
{
  GskRenderNode *node;
  guint64        serial;
  int            width;
  int            height;
  gboolean       dark;
  int            scale;
} Layer;

struct _SmChart
{
  GtkWidget             parent_instance;

  /* Template widgets */
  GtkWidget            *header;
  GtkLabel             *title_label;
  GtkLabel             *value_label;
  GtkMenuButton        *export_button;

  /* Owned references */
  SmChartModel         *model;
  char                 *title;
  char                 *placeholder;
  GtkFileChooserNative *chooser;
  SmChartStyle          style;
  Layer                 background;
  Layer                 data;

  gboolean              style_valid;
  gboolean              dark;
  double                hover_x;          /* widget x, or -1 */
  guint                 n_background_renders;
  guint                 n_data_renders;
};

G_DEFINE_FINAL_TYPE (SmChart, sm_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_MODEL,
  PROP_PLACEHOLDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Style and caches */

static void
layer_clear (Layer *layer)
{
  g_clear_pointer (&layer->node, gsk_render_node_unref);
}

static void
invalidate_layers (SmChart *self)
{
  layer_clear (&self->background);
  layer_clear (&self->data);
}

/* The palette of the light or dark style in the widget's font, a little
 * smaller than the body text, on a transparent background. */
static void
ensure_style (SmChart *self)
{
  PangoContext *context;
  PangoFontDescription *desc;
  int size;

  if (self->style_valid)
    return;

  sm_chart_style_clear (&self->style);
  self->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  sm_chart_style_init (&self->style, self->dark);
  self->style.background.alpha = 0;

  context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  desc = pango_font_description_copy (pango_context_get_font_description (context));
  size = pango_font_description_get_size (desc);
  if (size <= 0)
    size = 11 * PANGO_SCALE;
  if (pango_font_description_get_size_is_absolute (desc))
    pango_font_description_set_absolute_size (desc, size * 0.82);
  else
    pango_font_description_set_size (desc, (int) (size * 0.82));
  pango_font_description_unset_fields (desc, PANGO_FONT_MASK_WEIGHT | PANGO_FONT_MASK_STYLE);
  g_free (self->style.font);
  self->style.font = pango_font_description_to_string (desc);
  pango_font_description_free (desc);

  self->style_valid = TRUE;
}

/* A CSS change that leaves the font and the palette as they were (the
 * :hover state the pointer sets, say) keeps the cached layers. */
static void
style_changed (SmChart *self)
{
  g_autofree char *old_font = self->style_valid ? g_strdup (self->style.font) : NULL;
  gboolean old_dark = self->dark;

  self->style_valid = FALSE;
  ensure_style (self);
  if (old_font != NULL && g_strcmp0 (old_font, self->style.font) == 0 && old_dark == self->dark)
    return;

  invalidate_layers (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
dark_changed_cb (SmChart *self)
{
  style_changed (self);
}

/* Geometry */

static int
header_height (SmChart *self,
               int      width)
{
  int natural = 0;

  gtk_widget_measure (self->header, GTK_ORIENTATION_VERTICAL, width, NULL, &natural, NULL, NULL);
  return natural;
}

/* The plot's rectangle inside the widget. */
static void
plot_bounds (SmChart *self,
             int     *out_y,
             int     *out_width,
             int     *out_height)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  int top = header_height (self, width) + HEADER_SPACING;

  *out_y = top;
  *out_width = width;
  *out_height = MAX (height - top, 0);
}

static void
sm_chart_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  SmChart *self = SM_CHART (widget);
  int header_min = 0, header_nat = 0;

  gtk_widget_measure (self->header, orientation, for_size,
                      &header_min, &header_nat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MAX (header_min, 160);
      *natural = MAX (header_nat, 400);
    }
  else
    {
      *minimum = header_nat + HEADER_SPACING + PLOT_MIN_HEIGHT;
      *natural = header_nat + HEADER_SPACING + PLOT_NATURAL_HEIGHT;
    }
}

static void
sm_chart_size_allocate (GtkWidget *widget,
                        int        width,
                        int        height,
                        int        baseline)
{
  SmChart *self = SM_CHART (widget);

  gtk_widget_allocate (self->header, width, header_height (self, width), -1, NULL);
}

/* Drawing */

static GskRenderNode *
record (SmChart     *self,
        int          width,
        int          height,
        gboolean     data)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (data)
    sm_chart_render_data (self->model, cr, width, height, &self->style);
  else
    sm_chart_render_background (self->model, cr, width, height, &self->style);
  cairo_destroy (cr);
  return gtk_snapshot_free_to_node (snapshot);
}

static gboolean
layer_is_current (const Layer *layer,
                  guint64      serial,
                  int          width,
                  int          height,
                  gboolean     dark,
                  int          scale)
{
  return layer->node != NULL && layer->serial == serial && layer->width == width &&
         layer->height == height && layer->dark == dark && layer->scale == scale;
}

static void
layer_set (Layer         *layer,
           GskRenderNode *node,
           guint64        serial,
           int            width,
           int            height,
           gboolean       dark,
           int            scale)
{
  layer_clear (layer);
  layer->node = node;
  layer->serial = serial;
  layer->width = width;
  layer->height = height;
  layer->dark = dark;
  layer->scale = scale;
}

static void
snapshot_text (SmChart     *self,
               GtkSnapshot *snapshot,
               const char  *text,
               int          width,
               int          height)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  int text_width, text_height;
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (context, &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  color.alpha *= 0.55;

  pango_layout_set_width (layout, MAX (width - 24, 1) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (12, floor ((height - text_height) / 2.0)));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
sm_chart_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  SmChart *self = SM_CHART (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  cairo_rectangle_int_t area;
  int plot_y, width, height;
  guint64 serial;

  gtk_widget_snapshot_child (widget, self->header, snapshot);

  plot_bounds (self, &plot_y, &width, &height);
  if (width <= 0 || height <= 0)
    return;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, plot_y));

  if (self->model == NULL || self->placeholder != NULL)
    {
      snapshot_text (self, snapshot, self->placeholder != NULL ? self->placeholder : _("No data"),
                     width, height);
      gtk_snapshot_restore (snapshot);
      return;
    }

  ensure_style (self);
  /* Lays the model out for this size first: the serials are current after. */
  sm_chart_model_get_plot_area (self->model, width, height, &self->style, &area);

  serial = sm_chart_model_get_background_serial (self->model);
  if (!layer_is_current (&self->background, serial, width, height, self->dark, scale))
    {
      layer_set (&self->background, record (self, width, height, FALSE),
                 serial, width, height, self->dark, scale);
      self->n_background_renders++;
    }
  serial = sm_chart_model_get_serial (self->model);
  if (!layer_is_current (&self->data, serial, width, height, self->dark, scale))
    {
      layer_set (&self->data, record (self, width, height, TRUE),
                 serial, width, height, self->dark, scale);
      self->n_data_renders++;
    }
  gtk_snapshot_append_node (snapshot, self->background.node);
  gtk_snapshot_append_node (snapshot, self->data.node);

  if (!sm_chart_model_has_data (self->model))
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (area.x, area.y));
      snapshot_text (self, snapshot, _("No data"), area.width, area.height);
      gtk_snapshot_restore (snapshot);
    }
  else if (self->hover_x >= area.x && self->hover_x <= area.x + area.width)
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

      sm_chart_render_hover (self->model, cr, width, height, &self->style, self->hover_x);
      cairo_destroy (cr);
    }

  gtk_snapshot_restore (snapshot);
}

cairo_surface_t *
sm_chart_render_to_surface (SmChart *self,
                            int      width,
                            int      height)
{
  cairo_surface_t *surface;
  SmChartStyle style;
  cairo_t *cr;

  g_return_val_if_fail (SM_IS_CHART (self), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  ensure_style (self);
  sm_chart_style_init (&style, self->dark);
  g_free (style.font);
  style.font = g_strdup (self->style.font);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgba (cr, style.background.red, style.background.green,
                         style.background.blue, style.background.alpha);
  cairo_paint (cr);
  if (self->model != NULL && self->placeholder == NULL)
    {
      sm_chart_render_background (self->model, cr, width, height, &style);
      sm_chart_render_data (self->model, cr, width, height, &style);
      if (self->hover_x >= 0)
        sm_chart_render_hover (self->model, cr, width, height, &style, self->hover_x);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  sm_chart_style_clear (&style);
  return surface;
}

/* Hover and tooltip */

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           SmChart                  *self)
{
  int plot_y, width, height;
  double hover_x;

  plot_bounds (self, &plot_y, &width, &height);
  hover_x = y >= plot_y && y < plot_y + height ? x : -1;
  if (hover_x == self->hover_x)
    return;
  self->hover_x = hover_x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          SmChart                  *self)
{
  if (self->hover_x < 0)
    return;
  self->hover_x = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

char *
sm_chart_describe_at (SmChart *self,
                      double   x,
                      double   y)
{
  int plot_y, width, height;

  g_return_val_if_fail (SM_IS_CHART (self), NULL);

  if (self->model == NULL || self->placeholder != NULL)
    return NULL;
  plot_bounds (self, &plot_y, &width, &height);
  if (y < plot_y || y >= plot_y + height || width <= 0 || height <= 0)
    return NULL;
  ensure_style (self);
  sm_chart_model_get_plot_area (self->model, width, height, &self->style,
                                &(cairo_rectangle_int_t) { 0, });
  return sm_chart_model_describe_at (self->model, width, height, x);
}

static gboolean
sm_chart_query_tooltip (GtkWidget  *widget,
                        int         x,
                        int         y,
                        gboolean    keyboard_mode,
                        GtkTooltip *tooltip)
{
  g_autofree char *text = NULL;

  if (keyboard_mode)
    return FALSE;
  text = sm_chart_describe_at (SM_CHART (widget), x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The title row */

static void
update_value_label (SmChart *self)
{
  g_autofree char *text = NULL;

  if (self->model != NULL && sm_chart_model_get_n_series (self->model) > 0)
    {
      const SmSeries *series = sm_chart_model_get_series (self->model, 0);

      if (series->points->len > 0)
        text = sm_format_value (g_array_index (series->points, SmSeriesPoint,
                                               series->points->len - 1).avg,
                                sm_chart_model_get_unit (self->model));
    }
  gtk_label_set_label (self->value_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->value_label), text != NULL);
}

static void
update_actions (SmChart *self)
{
  gboolean enabled = self->model != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.save-png", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.save-svg", enabled);
}

/* Export */

gboolean
sm_chart_save (SmChart     *self,
               const char  *path,
               GError     **error)
{
  g_autofree char *old_title = NULL;
  SmChartStyle style;
  gboolean saved;

  g_return_val_if_fail (SM_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->model == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("There is no chart to save yet"));
      return FALSE;
    }

  ensure_style (self);
  sm_chart_style_init (&style, self->dark);

  /* The file carries the title shown above the chart. */
  old_title = g_strdup (sm_chart_model_get_title (self->model));
  if (old_title == NULL && self->title != NULL)
    sm_chart_model_set_title (self->model, self->title);
  saved = sm_chart_model_save (self->model, path, EXPORT_WIDTH, EXPORT_HEIGHT, &style, error);
  sm_chart_model_set_title (self->model, old_title);

  sm_chart_style_clear (&style);
  return saved;
}

static void
show_error (SmChart    *self,
            const char *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  GtkRoot *root;
  GtkWidget *dialog;

  if (overlay != NULL)
    {
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Could Not Save the Chart"), message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     SmChart         *self)
{
  const char *extension = g_object_get_data (G_OBJECT (dialog), "extension");
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->chooser);
  if (file == NULL)
    return;

  path = g_file_get_path (file);
  if (path == NULL)
    {
      show_error (self, _("Charts can only be saved to local folders"));
      return;
    }
  /* A name typed without an extension gets the one asked for. */
  if (!g_str_has_suffix (path, ".png") && !g_str_has_suffix (path, ".svg") &&
      !g_str_has_suffix (path, ".PNG") && !g_str_has_suffix (path, ".SVG"))
    {
      char *with_extension = g_strconcat (path, extension, NULL);

      g_free (path);
      path = with_extension;
    }
  if (!sm_chart_save (self, path, &error))
    show_error (self, error->message);
}

static char *
suggested_name (SmChart    *self,
                const char *extension)
{
  const char *title = self->title;
  g_autofree char *name = NULL;

  if (title == NULL && self->model != NULL)
    title = sm_chart_model_get_title (self->model);
  /* Translators: the file name offered for a chart without a title. */
  name = g_strdup (title != NULL && title[0] != '\0' ? title : _("Chart"));
  g_strdelimit (name, "/\\:", '-');
  return g_strconcat (name, extension, NULL);
}

static void
export (SmChart    *self,
        const char *extension,
        const char *filter_name,
        const char *mime_type)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = suggested_name (self, extension);

  if (self->model == NULL)
    return;
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  self->chooser = gtk_file_chooser_native_new (_("Save Chart"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, filter_name);
  gtk_file_filter_add_mime_type (filter, mime_type);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data_full (G_OBJECT (self->chooser), "extension", g_strdup (extension), g_free);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
save_png_cb (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  export (SM_CHART (widget), ".png", _("PNG Images"), "image/png");
}

static void
save_svg_cb (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  export (SM_CHART (widget), ".svg", _("SVG Images"), "image/svg+xml");
}

/* GObject */

static void
sm_chart_css_changed (GtkWidget         *widget,
                      GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sm_chart_parent_class)->css_changed (widget, change);

  /* The font may have changed with the style. */
  style_changed (SM_CHART (widget));
}

static void
sm_chart_dispose (GObject *object)
{
  SmChart *self = SM_CHART (object);

  g_signal_handlers_disconnect_by_func (adw_style_manager_get_default (),
                                        dark_changed_cb, self);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->chooser, chooser_response_cb, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  invalidate_layers (self);
  g_clear_pointer (&self->model, sm_chart_model_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_CHART);

  G_OBJECT_CLASS (sm_chart_parent_class)->dispose (object);
}

static void
sm_chart_finalize (GObject *object)
{
  SmChart *self = SM_CHART (object);

  g_free (self->title);
  g_free (self->placeholder);
  sm_chart_style_clear (&self->style);

  G_OBJECT_CLASS (sm_chart_parent_class)->finalize (object);
}

static void
sm_chart_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  SmChart *self = SM_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_MODEL:
      g_value_set_pointer (value, self->model);
      break;

    case PROP_PLACEHOLDER:
      g_value_set_string (value, self->placeholder);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_chart_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  SmChart *self = SM_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      sm_chart_set_title (self, g_value_get_string (value));
      break;

    case PROP_MODEL:
      sm_chart_set_model (self, g_value_get_pointer (value));
      break;

    case PROP_PLACEHOLDER:
      sm_chart_set_placeholder (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_chart_class_init (SmChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_chart_dispose;
  object_class->finalize = sm_chart_finalize;
  object_class->get_property = sm_chart_get_property;
  object_class->set_property = sm_chart_set_property;

  widget_class->measure = sm_chart_measure;
  widget_class->size_allocate = sm_chart_size_allocate;
  widget_class->snapshot = sm_chart_snapshot;
  widget_class->query_tooltip = sm_chart_query_tooltip;
  widget_class->css_changed = sm_chart_css_changed;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /* An SmChartModel (a plain ref-counted struct). */
  properties[PROP_MODEL] =
    g_param_spec_pointer ("model", NULL, NULL,
                          (G_PARAM_READWRITE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  properties[PROP_PLACEHOLDER] =
    g_param_spec_string ("placeholder", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-chart.ui");
  gtk_widget_class_bind_template_child (widget_class, SmChart, header);
  gtk_widget_class_bind_template_child (widget_class, SmChart, title_label);
  gtk_widget_class_bind_template_child (widget_class, SmChart, value_label);
  gtk_widget_class_bind_template_child (widget_class, SmChart, export_button);

  gtk_widget_class_install_action (widget_class, "chart.save-png", NULL, save_png_cb);
  gtk_widget_class_install_action (widget_class, "chart.save-svg", NULL, save_svg_cb);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sm_chart_init (SmChart *self)
{
  GtkEventController *motion;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->hover_x = -1;

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::dark",
                            G_CALLBACK (dark_changed_cb), self);

  update_value_label (self);
  update_actions (self);
}

/* Public API */

GtkWidget *
sm_chart_new (void)
{
  return g_object_new (SM_TYPE_CHART, NULL);
}

void
sm_chart_set_title (SmChart    *self,
                    const char *title)
{
  g_return_if_fail (SM_IS_CHART (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  gtk_label_set_label (self->title_label, title != NULL ? title : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title != NULL ? title : "",
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
sm_chart_get_title (SmChart *self)
{
  g_return_val_if_fail (SM_IS_CHART (self), NULL);

  return self->title;
}

void
sm_chart_set_model (SmChart      *self,
                    SmChartModel *model)
{
  g_return_if_fail (SM_IS_CHART (self));

  if (self->model == model)
    return;
  if (model != NULL)
    sm_chart_model_ref (model);
  g_clear_pointer (&self->model, sm_chart_model_unref);
  self->model = model;

  invalidate_layers (self);
  update_value_label (self);
  update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

SmChartModel *
sm_chart_get_model (SmChart *self)
{
  g_return_val_if_fail (SM_IS_CHART (self), NULL);

  return self->model;
}

void
sm_chart_append (SmChart *self,
                 guint    series,
                 gint64   t,
                 double   value)
{
  g_return_if_fail (SM_IS_CHART (self));
  g_return_if_fail (self->model != NULL);

  sm_chart_model_append (self->model, series, t, value);
  if (series == 0)
    update_value_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
sm_chart_model_changed (SmChart *self)
{
  g_return_if_fail (SM_IS_CHART (self));

  /* The model's serials say what changed; the layers follow them. */
  update_value_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
sm_chart_get_plot_width (SmChart *self)
{
  int plot_y, width, height;
  cairo_rectangle_int_t area;

  g_return_val_if_fail (SM_IS_CHART (self), 0);

  plot_bounds (self, &plot_y, &width, &height);
  if (width <= 0 || height <= 0)
    return 0;
  if (self->model == NULL)
    return width;
  ensure_style (self);
  sm_chart_model_get_plot_area (self->model, width, height, &self->style, &area);
  return area.width;
}

void
sm_chart_set_placeholder (SmChart    *self,
                          const char *text)
{
  g_return_if_fail (SM_IS_CHART (self));

  if (g_strcmp0 (self->placeholder, text) == 0)
    return;
  g_free (self->placeholder);
  self->placeholder = g_strdup (text);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACEHOLDER]);
}

guint
sm_chart_get_n_background_renders (SmChart *self)
{
  g_return_val_if_fail (SM_IS_CHART (self), 0);

  return self->n_background_renders;
}

guint
sm_chart_get_n_data_renders (SmChart *self)
{
  g_return_val_if_fail (SM_IS_CHART (self), 0);

  return self->n_data_renders;
}

const char *
sm_chart_get_value_text (SmChart *self)
{
  g_return_val_if_fail (SM_IS_CHART (self), NULL);

  return gtk_label_get_label (self->value_label);
}
