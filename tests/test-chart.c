/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-chart.c: the SmChart and SmSparkline widgets on a display: the
 * cached layers, hover, the dark style, live appends, tooltips, export
 * and the sparkline's sliding hour. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sm-chart.h"
#include "sm-sparkline.h"
#include "sm-test-util.h"

static void
count_paint_cb (GdkFrameClock *clock,
                guint         *count)
{
  (*count)++;
}

/* Waits until the widget's window has painted a frame after this call. */
static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  guint painted = 0;
  gulong id;

  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (count_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  sm_test_wait_until (painted > 0);
  g_signal_handler_disconnect (clock, id);
}

static GtkWindow *
show_in_window (GtkWidget *child,
                int        width,
                int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  g_object_ref_sink (window);
  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  sm_test_wait_until (gtk_widget_get_mapped (child) && gtk_widget_get_width (child) > 0);
  /* The first frames may still resize the window (its size settles once
   * fonts and the legend are measured): wait until a frame keeps it. */
  for (;;)
    {
      int shown_width = gtk_widget_get_width (child);
      int shown_height = gtk_widget_get_height (child);

      wait_for_frame (child);
      if (gtk_widget_get_width (child) == shown_width &&
          gtk_widget_get_height (child) == shown_height)
        break;
    }
  return window;
}

static void
destroy_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  g_assert_finalize_object (window);
}

static gboolean
near_rgb (guint32 pixel,
          guint32 rgb,
          int     tolerance)
{
  for (int shift = 0; shift <= 16; shift += 8)
    if (ABS ((int) ((pixel >> shift) & 0xff) - (int) ((rgb >> shift) & 0xff)) > tolerance)
      return FALSE;
  return TRUE;
}

/* The first row in column x with a pixel near rgb, or -1. */
static int
find_in_column (cairo_surface_t *surface,
                int              x,
                guint32          rgb)
{
  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    if (near_rgb (sm_test_pixel_at (surface, x, y), rgb, 40))
      return y;
  return -1;
}

static SmChartModel *
make_model (gint64 end,
            double value)
{
  SmChartModel *model = sm_chart_model_new (SM_VALUE_UNIT_PERCENT);
  SmSeries *series = sm_series_new ("cpu.percent", SM_TIER_RAW, 10);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  for (gint64 t = end - 3600; t <= end; t += 10)
    sm_series_append_value (series, t, value);
  sm_chart_model_set_timezone (model, utc);
  sm_chart_model_set_range (model, end - 3600, end, TRUE);
  sm_chart_model_add_series (model, "CPU", series);
  return model;
}

static GtkEventController *
find_motion_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        return controller;
    }
  g_assert_not_reached ();
  return NULL;
}

/* A y inside the plot, in widget coordinates: the plot fills the widget
 * below the title row (about 40 px) down to its time labels. */
static double
plot_middle_y (SmChart *chart)
{
  int height = gtk_widget_get_height (GTK_WIDGET (chart));

  g_assert_cmpint (height, >, 200);
  return height - 60;
}

static void
test_chart_render (void)
{
  g_autoptr(SmChartModel) model = make_model (1000000, 50);
  SmChart *chart = SM_CHART (sm_chart_new ());
  GtkWindow *window;
  cairo_surface_t *surface;
  int y;

  sm_chart_set_title (chart, "CPU");
  sm_chart_set_model (chart, model);
  g_assert_true (sm_chart_get_model (chart) == model);
  g_assert_cmpstr (sm_chart_get_title (chart), ==, "CPU");
  g_assert_cmpstr (sm_chart_get_value_text (chart), ==, "50 %");
  window = show_in_window (GTK_WIDGET (chart), 700, 320);

  g_assert_cmpuint (sm_chart_get_n_background_renders (chart), >=, 1);
  g_assert_cmpuint (sm_chart_get_n_data_renders (chart), >=, 1);
  g_assert_cmpint (sm_chart_get_plot_width (chart), >, 400);
  g_assert_cmpint (sm_chart_get_plot_width (chart), <, gtk_widget_get_width (GTK_WIDGET (chart)));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (chart)), >=, 160);

  /* The line at 50 % is in the middle of the plot, in the light blue. */
  surface = sm_chart_render_to_surface (chart, 600, 200);
  g_assert_true (near_rgb (sm_test_pixel_at (surface, 1, 1), 0xffffff, 0));
  y = find_in_column (surface, 300, 0x3584e4);
  g_assert_cmpint (y, >, 200 * 0.35);
  g_assert_cmpint (y, <, 200 * 0.65);
  cairo_surface_destroy (surface);

  destroy_window (window);
}

static void
test_chart_hover (void)
{
  g_autoptr(SmChartModel) model = make_model (1000000, 50);
  SmChart *chart = SM_CHART (sm_chart_new ());
  GtkEventController *motion;
  GtkWindow *window;
  guint backgrounds, data;
  gboolean resized = FALSE;
  double y;

  sm_chart_set_model (chart, model);
  window = show_in_window (GTK_WIDGET (chart), 700, 320);
  backgrounds = sm_chart_get_n_background_renders (chart);
  data = sm_chart_get_n_data_renders (chart);
  y = plot_middle_y (chart);

  /* Moving the pointer redraws the crosshair only. (Without a window
   * manager the X server may still resize the window once, late; a frame
   * at a new size redraws everything, so that one is not counted.) */
  motion = find_motion_controller (GTK_WIDGET (chart));
  for (int x = 200; x < 500; x += 50)
    {
      int width = gtk_widget_get_width (GTK_WIDGET (chart));
      int height = gtk_widget_get_height (GTK_WIDGET (chart));

      g_signal_emit_by_name (motion, "motion", (double) x, y);
      wait_for_frame (GTK_WIDGET (chart));
      if (gtk_widget_get_width (GTK_WIDGET (chart)) != width ||
          gtk_widget_get_height (GTK_WIDGET (chart)) != height)
        {
          g_assert_false (resized);
          resized = TRUE;
          backgrounds = sm_chart_get_n_background_renders (chart);
          data = sm_chart_get_n_data_renders (chart);
          y = plot_middle_y (chart);
          continue;
        }
      g_assert_cmpuint (sm_chart_get_n_background_renders (chart), ==, backgrounds);
      g_assert_cmpuint (sm_chart_get_n_data_renders (chart), ==, data);
    }

  /* The crosshair is there: a column of its colour at the pointer. */
  {
    cairo_surface_t *surface = sm_chart_render_to_surface (chart, 700,
                                                           gtk_widget_get_height (GTK_WIDGET (chart)));
    int dots = 0;

    for (int row = 0; row < cairo_image_surface_get_height (surface); row++)
      if (near_rgb (sm_test_pixel_at (surface, 450, row), 0x3584e4, 40))
        dots++;
    g_assert_cmpint (dots, >=, 5);
    cairo_surface_destroy (surface);
  }

  g_signal_emit_by_name (motion, "leave");
  wait_for_frame (GTK_WIDGET (chart));
  g_assert_cmpuint (sm_chart_get_n_background_renders (chart), ==, backgrounds);

  /* A resize draws the background again. */
  gtk_widget_set_size_request (GTK_WIDGET (chart), 800, -1);
  sm_test_wait_until (gtk_widget_get_width (GTK_WIDGET (chart)) > 750);
  wait_for_frame (GTK_WIDGET (chart));
  g_assert_cmpuint (sm_chart_get_n_background_renders (chart), >, backgrounds);

  destroy_window (window);
}

static void
test_chart_theme (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autoptr(SmChartModel) model = make_model (1000000, 50);
  SmChart *chart = SM_CHART (sm_chart_new ());
  cairo_surface_t *surface;
  GtkWindow *window;
  guint backgrounds;
  int y;

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  sm_chart_set_model (chart, model);
  window = show_in_window (GTK_WIDGET (chart), 700, 320);

  surface = sm_chart_render_to_surface (chart, 600, 200);
  g_assert_true (near_rgb (sm_test_pixel_at (surface, 1, 1), 0xffffff, 0));
  cairo_surface_destroy (surface);

  backgrounds = sm_chart_get_n_background_renders (chart);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (manager));
  sm_test_wait_until (sm_chart_get_n_background_renders (chart) > backgrounds);

  surface = sm_chart_render_to_surface (chart, 600, 200);
  g_assert_true (near_rgb (sm_test_pixel_at (surface, 1, 1), 0x242424, 0));
  /* The dark palette's lighter blue draws the line. */
  y = find_in_column (surface, 300, 0x62a0ea);
  g_assert_cmpint (y, >, 200 * 0.35);
  g_assert_cmpint (y, <, 200 * 0.65);
  cairo_surface_destroy (surface);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  destroy_window (window);
}

static void
test_chart_append (void)
{
  g_autoptr(SmChartModel) model = make_model (1000000, 50);
  SmChart *chart = SM_CHART (sm_chart_new ());
  GtkWindow *window;
  guint data;
  gint64 start, end;

  sm_chart_set_model (chart, model);
  window = show_in_window (GTK_WIDGET (chart), 700, 320);
  g_assert_cmpstr (sm_chart_get_value_text (chart), ==, "50 %");
  data = sm_chart_get_n_data_renders (chart);

  sm_chart_append (chart, 0, 1000010, 42);
  g_assert_cmpstr (sm_chart_get_value_text (chart), ==, "42 %");
  sm_chart_model_get_range (model, &start, &end);
  g_assert_cmpint (end, ==, 1000010);
  g_assert_cmpint (start, ==, 1000010 - 3600);
  wait_for_frame (GTK_WIDGET (chart));
  g_assert_cmpuint (sm_chart_get_n_data_renders (chart), >, data);

  /* A placeholder replaces the plot; the tooltip goes with it. */
  sm_chart_set_placeholder (chart, "No data for this range");
  g_assert_null (sm_chart_describe_at (chart, 300, plot_middle_y (chart)));
  wait_for_frame (GTK_WIDGET (chart));
  sm_chart_set_placeholder (chart, NULL);

  /* Another model: the value label follows it. */
  {
    g_autoptr(SmChartModel) other = make_model (2000000, 12);

    sm_chart_set_model (chart, other);
    g_assert_cmpstr (sm_chart_get_value_text (chart), ==, "12 %");
    wait_for_frame (GTK_WIDGET (chart));
    sm_chart_set_model (chart, NULL);
    g_assert_cmpstr (sm_chart_get_value_text (chart), ==, "");
    wait_for_frame (GTK_WIDGET (chart));
  }

  destroy_window (window);
}

static void
test_chart_tooltip (void)
{
  g_autoptr(SmChartModel) model = make_model (1000000, 50);
  SmChart *chart = SM_CHART (sm_chart_new ());
  g_autofree char *text = NULL;
  g_autofree char *header = NULL;
  g_autofree char *left = NULL;
  GtkWindow *window;

  sm_chart_set_title (chart, "CPU");
  sm_chart_set_model (chart, model);
  window = show_in_window (GTK_WIDGET (chart), 700, 320);

  text = sm_chart_describe_at (chart, 400, plot_middle_y (chart));
  g_assert_nonnull (text);
  /* The local time (UTC here) and the value. */
  g_assert_true (g_regex_match_simple ("^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\nCPU: 50 %$",
                                       text, 0, 0));
  header = sm_chart_describe_at (chart, 400, 5);
  g_assert_null (header);
  left = sm_chart_describe_at (chart, 2, plot_middle_y (chart));
  g_assert_null (left);

  destroy_window (window);
}

static void
test_chart_save (void)
{
  g_autoptr(SmChartModel) model = make_model (1000000, 50);
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *png = g_build_filename (dir, "CPU.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "CPU.svg", NULL);
  g_autofree char *bad = g_build_filename (dir, "CPU.gif", NULL);
  g_autoptr(GError) error = NULL;
  SmChart *chart = SM_CHART (sm_chart_new ());
  cairo_surface_t *image;
  GtkWindow *window;

  sm_chart_set_title (chart, "CPU");
  window = show_in_window (GTK_WIDGET (chart), 700, 320);

  /* Nothing to save without a model. */
  g_assert_false (sm_chart_save (chart, png, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  sm_chart_set_model (chart, model);
  g_assert_true (sm_chart_save (chart, png, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 1200);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 400);
  cairo_surface_destroy (image);
  /* The model's own title is left alone. */
  g_assert_null (sm_chart_model_get_title (model));

  g_assert_true (sm_chart_save (chart, svg, &error));
  g_assert_no_error (error);
  g_assert_true (sm_test_file_contains (svg, "<svg", 4));

  g_assert_false (sm_chart_save (chart, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));

  /* The menu's actions ask for a file; closing the window closes the
   * question too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.save-png", NULL));
  wait_for_frame (GTK_WIDGET (chart));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.save-svg", NULL));
  wait_for_frame (GTK_WIDGET (chart));

  destroy_window (window);
  sm_test_rmdir (dir);
}

static void
test_sparkline (void)
{
  SmSparkline *sparkline = SM_SPARKLINE (sm_sparkline_new ());
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  cairo_surface_t *surface;
  GtkWindow *window;
  gint64 start, end;
  int natural = 0;
  guint n;

  gtk_widget_measure (GTK_WIDGET (sparkline), GTK_ORIENTATION_HORIZONTAL, -1,
                      NULL, &natural, NULL, NULL);
  g_assert_cmpint (natural, ==, 80);
  gtk_widget_measure (GTK_WIDGET (sparkline), GTK_ORIENTATION_VERTICAL, -1,
                      NULL, &natural, NULL, NULL);
  g_assert_cmpint (natural, ==, 24);

  /* 50 minutes of polls at 50 %, except for ten minutes away. */
  for (gint64 t = now - 3000; t <= now; t += 10)
    if (t < now - 2000 || t > now - 1400)
      sm_sparkline_append (sparkline, t, 50);
  n = sm_sparkline_get_n_points (sparkline);
  g_assert_cmpuint (n, ==, 100 + 140);
  window = show_in_window (GTK_WIDGET (sparkline), 100, 40);

  surface = sm_sparkline_render_to_surface (sparkline, 120, 24);
  /* The line at half height where there is data, nothing in the gap and
   * before the first point. */
  {
    int with_data = 120 - 120 * 1000 / 3600 + 5;
    int in_gap = 120 - 120 * 1700 / 3600;
    int before = 120 - 120 * 3300 / 3600;

    g_assert_cmpuint (sm_test_pixel_at (surface, with_data, 12) >> 24, >, 0x80);
    g_assert_cmpuint (sm_test_pixel_at (surface, with_data, 3) >> 24, ==, 0);
    for (int y = 0; y < 24; y++)
      {
        g_assert_cmpuint (sm_test_pixel_at (surface, in_gap, y) >> 24, ==, 0);
        g_assert_cmpuint (sm_test_pixel_at (surface, before, y) >> 24, ==, 0);
      }
    /* The light fill below the line. */
    g_assert_cmpuint (sm_test_pixel_at (surface, with_data, 18) >> 24, >, 0);
    g_assert_cmpuint (sm_test_pixel_at (surface, with_data, 18) >> 24, <, 0x80);
  }
  cairo_surface_destroy (surface);

  /* Appending in the future slides the hour: older points leave. */
  sm_sparkline_append (sparkline, now + 1800, 80);
  sm_sparkline_get_window (sparkline, &start, &end);
  g_assert_cmpint (end, ==, now + 1800);
  g_assert_cmpint (start, ==, now - 1800);
  g_assert_cmpuint (sm_sparkline_get_n_points (sparkline), ==, 140 + 1);
  wait_for_frame (GTK_WIDGET (sparkline));

  /* A series replaces the points. */
  {
    g_autoptr(SmSeries) series = sm_series_new ("cpu.percent", SM_TIER_1M, 60);

    /* The newest point in the future keeps the hour fixed. */
    for (gint64 t = now + 600 - 7200; t <= now + 600; t += 60)
      sm_series_append_value (series, t, 10);
    sm_sparkline_set_series (sparkline, series);
    g_assert_cmpuint (sm_sparkline_get_n_points (sparkline), ==, 61);
    wait_for_frame (GTK_WIDGET (sparkline));
  }

  destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/chart/render", test_chart_render);
  g_test_add_func ("/chart/hover", test_chart_hover);
  g_test_add_func ("/chart/theme", test_chart_theme);
  g_test_add_func ("/chart/append", test_chart_append);
  g_test_add_func ("/chart/tooltip", test_chart_tooltip);
  g_test_add_func ("/chart/save", test_chart_save);
  g_test_add_func ("/sparkline", test_sparkline);

  return g_test_run ();
}
