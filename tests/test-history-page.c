/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-history-page.c: the History page, the list's sparklines and the
 * history preferences, against a real database filled through
 * SmHistoryWriter. */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "sm-chart.h"
#include "sm-check-store.h"
#include "sm-history.h"
#include "sm-history-page-private.h"
#include "sm-preferences-window.h"
#include "sm-server-page-private.h"
#include "sm-server-row.h"
#include "sm-sparkline.h"
#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-vault.h"
#include "sm-window-private.h"
#include "sm-window.h"

/* Recent samples: one a minute over the last 40 minutes, CPU 10 … 49 %. */
#define N_RECENT 40
/* Older ones, six hours ago: in the 24-hour range, not in the hour. */
#define N_OLD 20
/* Of the old samples, this many found the server down: 15 of 60 is 75 % up. */
#define N_DOWN 15

typedef struct
{
  char            *dir;
  SmStore         *store;
  SmServer        *server;     /* as stored */
  SmHistoryReader *reader;
  gint64           now;
} Fixture;

static void
feed (SmHistoryWriter *writer,
      gint64           server_id,
      gint64           t,
      double           cpu,
      double           up)
{
  static const char * const names[] = {
    "cpu.percent", "cpu.iowait", "mem.used_percent", "swap.total",
    "swap.used_percent", "load.1", "load.5", "load.15", "disk./.used_percent",
    "disk./.inodes_used_percent", "net.eth0.rx_bps", "net.eth0.tx_bps",
    "poll.latency_ms", "status.up",
  };
  const double values[] = {
    cpu, 1, 40, 0,
    0, 0.5, 0.4, 0.3, 63,
    12, 1.2e6, 3e4,
    20, up,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == G_N_ELEMENTS (values));

  sm_history_writer_add_values (writer, server_id, t, names, values, G_N_ELEMENTS (names));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SmHistoryWriter) writer = NULL;
  g_autoptr(SmVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  guint8 key[SM_VAULT_KEY_SIZE];
  gint64 id;

  for (guint i = 0; i < SM_VAULT_KEY_SIZE; i++)
    key[i] = i * 5 + 2;

  f->dir = sm_test_mkdtemp ();
  vault = sm_vault_new_with_key (key);
  f->store = sm_store_open_data_dir (f->dir, vault, &error);
  g_assert_no_error (error);

  f->server = sm_server_new ();
  sm_server_set_name (f->server, "Web");
  sm_server_set_host (f->server, "web.example.com");
  sm_server_set_username (f->server, "admin");
  sm_store_save_server (f->store, f->server, SM_SECRET_KEEP, NULL, &error);
  g_assert_no_error (error);
  id = sm_server_get_id (f->server);

  writer = sm_history_writer_new (sm_store_get_path (f->store), &error);
  g_assert_no_error (error);

  f->now = g_get_real_time () / G_USEC_PER_SEC;
  for (guint i = 0; i < N_OLD; i++)
    feed (writer, id, f->now - 6 * 3600 + 60 * i, 50, i < N_DOWN ? 0 : 1);
  for (guint i = 0; i < N_RECENT; i++)
    feed (writer, id, f->now - 60 * N_RECENT + 60 * i, 10 + i, 1);
  sm_history_writer_flush (writer, &error);
  g_assert_no_error (error);

  f->reader = sm_history_reader_new (sm_store_get_path (f->store), &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->reader, sm_history_reader_unref);
  g_assert_finalize_object (f->server);
  g_assert_finalize_object (f->store);
  sm_test_rmdir (f->dir);
  g_free (f->dir);
}

/* Helpers */

static SmWindow *
create_window (Fixture *f)
{
  SmWindow *window = sm_window_new (NULL, f->store);

  g_object_ref (window);
  sm_window_set_history_reader (window, f->reader);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 800);
  gtk_window_present (GTK_WINDOW (window));
  sm_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (window)));

  return window;
}

static void
destroy_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  g_assert_finalize_object (window);
}

static SmServer *
only_listed_server (SmWindow *window)
{
  GListModel *servers = sm_window_get_servers (window);
  g_autoptr(SmServer) server = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (servers), ==, 1);
  server = g_list_model_get_item (servers, 0);

  return server;
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The action row titled title under widget, or NULL. */
static AdwActionRow *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_ACTION_ROW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwActionRow *found = find_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkLabel *
find_numeric_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "numeric"))
    return GTK_LABEL (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_numeric_label (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static const char *
stat_text (SmHistoryPage *page,
           const char    *metric,
           guint          column)
{
  GtkLabel *label = _sm_history_page_get_stat_label (page, metric, column);

  g_assert_nonnull (label);
  return gtk_label_get_label (label);
}

static const SmSeries *
chart_series (SmHistoryPage *page,
              const char    *id,
              guint          index)
{
  SmChart *chart = _sm_history_page_get_chart (page, id);
  SmChartModel *model;

  g_assert_nonnull (chart);
  model = sm_chart_get_model (chart);
  g_assert_nonnull (model);
  g_assert_cmpuint (index, <, sm_chart_model_get_n_series (model));

  return sm_chart_model_get_series (model, index);
}

static double
last_value (const SmSeries *series)
{
  g_assert_cmpuint (series->points->len, >, 0);
  return g_array_index (series->points, SmSeriesPoint, series->points->len - 1).avg;
}

static gboolean
page_ready (SmHistoryPage *page)
{
  return !_sm_history_page_get_busy (page) &&
         g_strcmp0 (_sm_history_page_get_visible_view (page), "content") == 0;
}

/* A poll that ended at t (unix seconds). */
static SmPollResult *
make_result (gint64 t,
             double cpu)
{
  SmPollResult *r = sm_poll_result_new ();

  r->time_us = t * G_USEC_PER_SEC;

  sm_poll_result_add_metric (r, "cpu.percent", cpu);
  sm_poll_result_add_metric (r, "cpu.iowait", 2);
  sm_poll_result_add_metric (r, "mem.used_percent", 41);
  sm_poll_result_add_metric (r, "swap.total", 0);
  sm_poll_result_add_metric (r, "swap.used_percent", 0);
  sm_poll_result_add_metric (r, "load.1", 0.6);
  sm_poll_result_add_metric (r, "load.5", 0.5);
  sm_poll_result_add_metric (r, "load.15", 0.4);
  sm_poll_result_add_metric (r, "disk./.used_percent", 64);
  sm_poll_result_add_metric (r, "net.eth0.rx_bps", 2e6);
  sm_poll_result_add_metric (r, "net.eth0.tx_bps", 4e4);

  return r;
}

/* Tests */

static void
test_history_page (Fixture       *f,
                   gconstpointer  data)
{
  SmWindow *window = create_window (f);
  SmServer *server = only_listed_server (window);
  SmServerPage *server_page = _sm_window_get_server_page (window);
  SmHistoryPage *page = _sm_server_page_get_history_page (server_page);
  AdwViewStack *stack = sm_server_page_get_view_stack (server_page);
  g_auto(GStrv) ids = NULL;
  const char * const expected_ids[] = { "cpu", "memory", "load", "disk:/", "net:eth0", "latency", NULL };
  SmServerRow *row;
  SmSparkline *sparkline;
  const SmSeries *cpu;
  gint64 start, end;
  guint n_queries;

  /* Hidden behind the Overview, the page queries nothing. */
  g_assert_true (sm_window_get_selected_server (window) == server);
  g_assert_cmpuint (_sm_history_page_get_n_queries (page), ==, 0);

  adw_view_stack_set_visible_child_name (stack, "history");
  sm_test_wait_until (page_ready (page) && _sm_history_page_get_n_queries (page) >= 2);

  /* A chart per metric group; no swap space, no swap chart. */
  ids = _sm_history_page_dup_chart_ids (page);
  g_assert_cmpstrv (ids, expected_ids);
  g_assert_cmpstr (sm_chart_get_title (_sm_history_page_get_chart (page, "disk:/")), ==, "Disk /");
  g_assert_cmpstr (sm_chart_get_title (_sm_history_page_get_chart (page, "net:eth0")), ==, "Network eth0");
  g_assert_cmpuint (sm_chart_model_get_n_series (sm_chart_get_model (_sm_history_page_get_chart (page, "cpu"))), ==, 2);
  g_assert_cmpuint (sm_chart_model_get_n_series (sm_chart_get_model (_sm_history_page_get_chart (page, "load"))), ==, 3);
  g_assert_cmpuint (sm_chart_model_get_n_series (sm_chart_get_model (_sm_history_page_get_chart (page, "net:eth0"))), ==, 2);

  /* The last hour: the 40 recent samples. */
  g_assert_true (gtk_toggle_button_get_active (_sm_history_page_get_range_button (page, SM_RANGE_1H)));
  cpu = chart_series (page, "cpu", 0);
  g_assert_cmpuint (cpu->points->len, ==, N_RECENT);
  g_assert_cmpfloat (last_value (cpu), ==, 10 + N_RECENT - 1);
  sm_chart_model_get_range (sm_chart_get_model (_sm_history_page_get_chart (page, "cpu")), &start, &end);
  g_assert_cmpint (end - start, ==, 3600);

  /* Statistics of the hour: 10 … 49 %; the 95th percentile of 40 raw
   * samples is the 38th, exact. */
  g_assert_cmpstr (stat_text (page, "cpu.percent", 0), ==, "CPU");
  g_assert_cmpstr (stat_text (page, "cpu.percent", 1), ==, "10 %");
  g_assert_cmpstr (stat_text (page, "cpu.percent", 2), ==, "49 %");
  g_assert_cmpstr (stat_text (page, "cpu.percent", 3), ==, "29.5 %");
  g_assert_cmpstr (stat_text (page, "cpu.percent", 4), ==, "47 %");
  g_assert_cmpstr (stat_text (page, "mem.used_percent", 3), ==, "40 %");
  g_assert_cmpstr (stat_text (page, "net.eth0.rx_bps", 0), ==, "Network eth0, received");
  g_assert_null (_sm_history_page_get_stat_label (page, "swap.used_percent", 1));

  /* Uptime: 45 of 60 polls up, in every range that holds them all. */
  g_assert_cmpstr (gtk_label_get_label (_sm_history_page_get_uptime_label (page, SM_RANGE_24H)), ==, "75 %");
  g_assert_cmpstr (gtk_label_get_label (_sm_history_page_get_uptime_label (page, SM_RANGE_7D)), ==, "75 %");
  g_assert_cmpstr (gtk_label_get_label (_sm_history_page_get_uptime_label (page, SM_RANGE_30D)), ==, "75 %");

  /* 24 hours: queried again, now with the old samples. */
  n_queries = _sm_history_page_get_n_queries (page);
  gtk_toggle_button_set_active (_sm_history_page_get_range_button (page, SM_RANGE_24H), TRUE);
  g_assert_cmpint (sm_history_page_get_range (page), ==, SM_RANGE_24H);
  g_assert_cmpuint (_sm_history_page_get_n_queries (page), ==, n_queries + 2);
  g_assert_false (gtk_toggle_button_get_active (_sm_history_page_get_range_button (page, SM_RANGE_1H)));
  sm_test_wait_until (page_ready (page));
  cpu = chart_series (page, "cpu", 0);
  g_assert_cmpuint (cpu->points->len, ==, N_OLD + N_RECENT);
  g_assert_cmpfloat (g_array_index (cpu->points, SmSeriesPoint, 0).avg, ==, 50);
  sm_chart_model_get_range (sm_chart_get_model (_sm_history_page_get_chart (page, "cpu")), &start, &end);
  g_assert_cmpint (end - start, ==, 24 * 3600);
  g_assert_cmpstr (stat_text (page, "cpu.percent", 2), ==, "50 %");

  /* The row's sparkline has the hour of CPU. */
  row = SM_SERVER_ROW (gtk_list_box_get_row_at_index (_sm_window_get_list_box (window), 0));
  sparkline = SM_SPARKLINE (find_widget (GTK_WIDGET (row), SM_TYPE_SPARKLINE));
  g_assert_nonnull (sparkline);
  sm_test_wait_until (sm_sparkline_get_n_points (sparkline) == N_RECENT);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (sparkline)));

  /* A poll while shown: appended to the charts and the sparkline, no query. */
  n_queries = _sm_history_page_get_n_queries (page);
  sm_server_take_last_result (server, make_result (f->now + 10, 77));
  cpu = chart_series (page, "cpu", 0);
  g_assert_cmpuint (cpu->points->len, ==, N_OLD + N_RECENT + 1);
  g_assert_cmpfloat (last_value (cpu), ==, 77);
  g_assert_cmpfloat (last_value (chart_series (page, "cpu", 1)), ==, 2);
  g_assert_cmpfloat (last_value (chart_series (page, "net:eth0", 0)), ==, 2e6);
  g_assert_cmpuint (_sm_history_page_get_n_queries (page), ==, n_queries);
  g_assert_false (_sm_history_page_get_busy (page));
  g_assert_cmpuint (sm_sparkline_get_n_points (sparkline), ==, N_RECENT + 1);

  /* A poll while hidden: nothing happens until the page is shown again,
   * then it queries once. */
  adw_view_stack_set_visible_child_name (stack, "overview");
  sm_test_wait_until (!gtk_widget_get_mapped (GTK_WIDGET (page)));
  sm_server_take_last_result (server, make_result (f->now + 20, 12));
  g_assert_cmpuint (_sm_history_page_get_n_queries (page), ==, n_queries);
  g_assert_cmpuint (chart_series (page, "cpu", 0)->points->len, ==, N_OLD + N_RECENT + 1);
  g_assert_cmpuint (sm_sparkline_get_n_points (sparkline), ==, N_RECENT + 2);
  adw_view_stack_set_visible_child_name (stack, "history");
  sm_test_wait_until (_sm_history_page_get_n_queries (page) == n_queries + 2 && page_ready (page));
  g_assert_cmpint (sm_history_page_get_range (page), ==, SM_RANGE_24H);

  destroy_window (GTK_WINDOW (window));
}

static void
test_history_states (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SmServer) fresh = sm_server_new ();
  g_autoptr(GError) error = NULL;
  SmHistoryPage *page = SM_HISTORY_PAGE (sm_history_page_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  AdwStatusPage *status;
  guint n_queries;
  int width;

  g_object_ref_sink (window);
  gtk_window_set_default_size (window, 800, 600);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  sm_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (page)));

  /* No reader: says so, and why. */
  sm_history_page_set_server (page, f->server);
  g_assert_cmpstr (_sm_history_page_get_visible_view (page), ==, "unavailable");
  status = _sm_history_page_get_status_page (page);
  g_assert_cmpstr (adw_status_page_get_title (status), ==, "History Is Not Available");
  sm_history_page_set_unavailable_reason (page, "database is locked <&>");
  g_assert_cmpstr (adw_status_page_get_description (status), ==, "database is locked &lt;&amp;&gt;");

  /* A server that was never polled. */
  sm_server_set_name (fresh, "New");
  sm_server_set_host (fresh, "new.example.com");
  sm_store_save_server (f->store, fresh, SM_SECRET_KEEP, NULL, &error);
  g_assert_no_error (error);
  sm_history_page_set_reader (page, f->reader);
  sm_history_page_set_server (page, fresh);
  sm_test_wait_until (!_sm_history_page_get_busy (page));
  g_assert_cmpstr (_sm_history_page_get_visible_view (page), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (_sm_history_page_get_status_page (page)), ==, "No History Yet");

  /* Its first poll brings the charts (the writer has not written it). */
  sm_server_take_last_result (fresh, make_result (f->now + 10, 30));
  g_assert_cmpstr (_sm_history_page_get_visible_view (page), ==, "content");
  g_assert_nonnull (_sm_history_page_get_chart (page, "cpu"));
  g_assert_null (_sm_history_page_get_chart (page, "swap"));
  sm_test_wait_until (!_sm_history_page_get_busy (page));

  /* Back to the server with history, over the last 15 minutes. */
  sm_history_page_set_range (page, SM_RANGE_15M);
  sm_history_page_set_server (page, f->server);
  sm_test_wait_until (page_ready (page));
  g_assert_cmpuint (chart_series (page, "cpu", 0)->points->len, >, 0);

  /* Much wider: once the size settles, the charts are queried again for
   * the wider plot (the statistics do not depend on it). */
  sm_test_wait_until (sm_chart_get_plot_width (_sm_history_page_get_chart (page, "cpu")) > 0);
  n_queries = _sm_history_page_get_n_queries (page);
  width = sm_chart_get_plot_width (_sm_history_page_get_chart (page, "cpu"));
  gtk_window_set_default_size (window, 1200, 600);
  sm_test_wait_until (_sm_history_page_get_n_queries (page) == n_queries + 1 && page_ready (page));
  g_assert_cmpint (sm_chart_get_plot_width (_sm_history_page_get_chart (page, "cpu")), >, width * 1.2);

  /* Narrow: the statistics table puts each name above its values, and
   * then the page fits a phone-sized window. */
  gtk_window_set_default_size (window, 400, 600);
  sm_test_wait_until (!gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (_sm_history_page_get_stat_label (page, "cpu.percent", 1)))));
  gtk_window_set_default_size (window, 360, 600);
  sm_test_wait_until (gtk_widget_get_width (GTK_WIDGET (page)) == 360);

  gtk_window_destroy (window);
  g_assert_finalize_object (window);
}

/* Closing while queries are in flight: nothing keeps the page alive and
 * late results are dropped. */
static void
test_history_dispose_in_flight (Fixture       *f,
                                gconstpointer  data)
{
  for (guint i = 0; i < 5; i++)
    {
      SmWindow *window = create_window (f);
      SmServerPage *server_page = _sm_window_get_server_page (window);

      adw_view_stack_set_visible_child_name (sm_server_page_get_view_stack (server_page), "history");
      /* Closed at different points of the queries. */
      for (guint j = 0; j < i * 3; j++)
        g_main_context_iteration (NULL, FALSE);
      destroy_window (GTK_WINDOW (window));
    }

  /* Late callbacks run without a page. */
  for (guint j = 0; j < 50; j++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_history_preferences (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  SmPreferencesWindow *prefs;
  AdwActionRow *row;
  AdwActionRow *size_row;
  GtkSpinButton *spin;
  GtkLabel *size_label;
  g_autofree char *expected_size = NULL;

  prefs = sm_preferences_window_new (NULL, f->store, settings, NULL);
  g_object_ref (prefs);
  gtk_window_present (GTK_WINDOW (prefs));
  sm_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (prefs)));

  row = find_row (GTK_WIDGET (prefs), "Keep Every Poll");
  g_assert_nonnull (row);
  spin = GTK_SPIN_BUTTON (find_widget (GTK_WIDGET (row), GTK_TYPE_SPIN_BUTTON));
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 48);
  gtk_spin_button_set_value (spin, 72);
  g_assert_cmpuint (g_settings_get_uint (settings, "retention-raw-hours"), ==, 72);

  row = find_row (GTK_WIDGET (prefs), "Keep 1-Minute Summaries");
  spin = GTK_SPIN_BUTTON (find_widget (GTK_WIDGET (row), GTK_TYPE_SPIN_BUTTON));
  gtk_spin_button_set_value (spin, 10);
  g_assert_cmpuint (g_settings_get_uint (settings, "retention-minute-days"), ==, 10);

  row = find_row (GTK_WIDGET (prefs), "Keep 1-Hour Summaries");
  spin = GTK_SPIN_BUTTON (find_widget (GTK_WIDGET (row), GTK_TYPE_SPIN_BUTTON));
  g_settings_set_uint (settings, "retention-hour-days", 100);
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 100);

  /* The database's size, measured on a worker, and its path. */
  size_row = find_row (GTK_WIDGET (prefs), "Database Size");
  g_assert_nonnull (size_row);
  g_assert_cmpstr (adw_action_row_get_subtitle (size_row), ==, sm_store_get_path (f->store));
  /* The row's title and subtitle are labels too: the size is the numeric one. */
  size_label = find_numeric_label (GTK_WIDGET (size_row));
  g_assert_nonnull (size_label);
  sm_test_wait_until (g_strcmp0 (gtk_label_get_label (size_label), "Calculating…") != 0);
  expected_size = g_format_size (sm_history_get_disk_usage (sm_store_get_path (f->store)));
  g_assert_cmpstr (gtk_label_get_label (size_label), ==, expected_size);

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);

  g_settings_reset (settings, "retention-raw-hours");
  g_settings_reset (settings, "retention-minute-days");
  g_settings_reset (settings, "retention-hour-days");
}

/* A service check's latency and perfdata chart under its name; its "up"
 * does not (it is the uptime). */
static void
test_history_checks (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SmCheck) check = sm_check_new (SM_CHECK_COMMAND, "load");
  g_autoptr(SmHistoryWriter) writer = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *latency = NULL;
  g_autofree char *perf = NULL;
  g_autofree char *up = NULL;
  g_autofree char *latency_id = NULL;
  g_autofree char *perf_id = NULL;
  g_autofree char *up_id = NULL;
  SmWindow *window;
  SmServerPage *server_page;
  SmHistoryPage *page;

  json_object_set_string_member (check->settings, "command", "check_load");
  check->server_id = sm_server_get_id (f->server);
  g_assert_true (sm_store_save_check (f->store, check, &error));
  g_assert_no_error (error);
  latency = g_strdup_printf ("check.%" G_GINT64_FORMAT ".latency_ms", check->id);
  perf = g_strdup_printf ("check.%" G_GINT64_FORMAT ".perf.load1", check->id);
  up = g_strdup_printf ("check.%" G_GINT64_FORMAT ".up", check->id);
  writer = sm_history_writer_new (sm_store_get_path (f->store), &error);
  for (guint i = 0; i < 10; i++)
    {
      const char *metric_names[] = { latency, perf, up };
      const double values[] = { 100 + i, 0.5, 1 };

      sm_history_writer_add_values (writer, sm_server_get_id (f->server), f->now - 600 + 60 * i,
                                    metric_names, values, 3);
    }
  g_assert_true (sm_history_writer_flush (writer, &error));

  window = create_window (f);
  server_page = _sm_window_get_server_page (window);
  page = _sm_server_page_get_history_page (server_page);
  g_hash_table_insert (names, g_strdup_printf ("%" G_GINT64_FORMAT, check->id), g_strdup ("load"));
  sm_history_page_set_check_names (page, names);
  adw_view_stack_set_visible_child_name (sm_server_page_get_view_stack (server_page), "history");
  sm_test_wait_until (page_ready (page) && _sm_history_page_get_chart (page, "latency") != NULL);

  latency_id = g_strconcat ("check:", latency, NULL);
  perf_id = g_strconcat ("check:", perf, NULL);
  up_id = g_strconcat ("check:", up, NULL);
  g_assert_nonnull (_sm_history_page_get_chart (page, latency_id));
  g_assert_cmpstr (sm_chart_get_title (_sm_history_page_get_chart (page, latency_id)), ==, "load: Latency");
  g_assert_cmpstr (sm_chart_get_title (_sm_history_page_get_chart (page, perf_id)), ==, "load: perf.load1");
  g_assert_null (_sm_history_page_get_chart (page, up_id));

  /* Without names (a check deleted), no check charts. */
  sm_history_page_set_check_names (page, NULL);
  g_assert_null (_sm_history_page_get_chart (page, latency_id));

  destroy_window (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/history/page", test_history_page);
  ADD ("/history/states", test_history_states);
  ADD ("/history/dispose-in-flight", test_history_dispose_in_flight);
  ADD ("/history/preferences", test_history_preferences);
  ADD ("/history/checks", test_history_checks);

#undef ADD

  return g_test_run ();
}
