/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-alerts-page.c: the Alerts page, the sidebar's Alerts row and badge,
 * against a real store and alert manager fed with polls on a simulated
 * clock. */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "sm-alert-manager.h"
#include "sm-alert-timeline.h"
#include "sm-alerts-page-private.h"
#include "sm-notifier.h"
#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-vault.h"
#include "sm-window-private.h"
#include "sm-window.h"

/* A channel that takes every notification and counts it. */

#define TEST_TYPE_NOTIFIER (test_notifier_get_type ())
G_DECLARE_FINAL_TYPE (TestNotifier, test_notifier, TEST, NOTIFIER, GObject)

struct _TestNotifier
{
  GObject parent_instance;
  guint   n_sent;
};

static void test_notifier_iface_init (SmNotifierInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNotifier, test_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_NOTIFIER, test_notifier_iface_init))

static const char *
test_notifier_get_name (SmNotifier *notifier)
{
  return "desktop";
}

static void
test_notifier_send_async (SmNotifier           *notifier,
                          const SmNotification *notification,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (notifier, cancellable, callback, user_data);

  TEST_NOTIFIER (notifier)->n_sent++;
  g_task_return_boolean (task, TRUE);
}

static gboolean
test_notifier_send_finish (SmNotifier    *notifier,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_notifier_iface_init (SmNotifierInterface *iface)
{
  iface->get_name = test_notifier_get_name;
  iface->send_async = test_notifier_send_async;
  iface->send_finish = test_notifier_send_finish;
}

static void
test_notifier_class_init (TestNotifierClass *klass)
{
}

static void
test_notifier_init (TestNotifier *self)
{
}

/* Fixture: two servers; "Web" runs hot (a warning), "DB" is unreachable
 * (critical). */

typedef struct
{
  char           *dir;
  SmStore        *store;
  SmServer       *web;
  SmServer       *db;
  SmAlertManager *manager;
  TestNotifier   *notifier;
  gint64          now;     /* the manager's clock */
} Fixture;

static gint64
clock_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return f->now;
}

static SmServer *
add_server (Fixture    *f,
            const char *name,
            const char *host)
{
  g_autoptr(GError) error = NULL;
  SmServer *server = sm_server_new ();

  sm_server_set_name (server, name);
  sm_server_set_host (server, host);
  sm_server_set_username (server, "admin");
  sm_store_save_server (f->store, server, SM_SECRET_KEEP, NULL, &error);
  g_assert_no_error (error);

  return server;
}

static void
poll_up (Fixture *f,
         SmServer *server,
         double    cpu)
{
  SmPollOutcome outcome = { 0, };
  g_autoptr(SmPollResult) result = sm_poll_result_new ();

  sm_poll_result_add_metric (result, "cpu.percent", cpu);
  sm_poll_result_add_metric (result, "mem.used_percent", 40);
  outcome.status = SM_SERVER_STATUS_UP;
  outcome.result = result;
  sm_alert_manager_process_poll (f->manager, server, &outcome);
}

static void
poll_down (Fixture  *f,
           SmServer *server)
{
  SmPollOutcome outcome = { 0, };
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                 "Connection refused");

  outcome.status = SM_SERVER_STATUS_DOWN;
  outcome.reason = (char *) "connection refused";
  outcome.error = error;
  sm_alert_manager_process_poll (f->manager, server, &outcome);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SmVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  guint8 key[SM_VAULT_KEY_SIZE];

  for (guint i = 0; i < SM_VAULT_KEY_SIZE; i++)
    key[i] = i * 3 + 1;

  f->dir = sm_test_mkdtemp ();
  vault = sm_vault_new_with_key (key);
  f->store = sm_store_open_data_dir (f->dir, vault, &error);
  g_assert_no_error (error);

  f->web = add_server (f, "Web", "web.example.com");
  f->db = add_server (f, "DB", "db.example.com");

  /* An hour ago, so that everything lands in the last 24 hours. */
  f->now = g_get_real_time () / G_USEC_PER_SEC - 3600;
  f->manager = sm_alert_manager_new (f->store, NULL);
  sm_alert_manager_set_clock (f->manager, clock_cb, f);
  f->notifier = g_object_new (TEST_TYPE_NOTIFIER, NULL);
  sm_alert_manager_set_notifier (f->manager, SM_NOTIFIER (f->notifier));

  /* CPU above the default 90 % for 5 minutes; DB down twice (retries 2). */
  for (guint i = 0; i <= 6; i++)
    {
      poll_up (f, f->web, 95);
      if (i < 3)
        poll_down (f, f->db);
      f->now += 60;
    }
}

static void
flush_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (sm_alert_manager_flush_finish (SM_ALERT_MANAGER (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gboolean flushed = FALSE;

  /* Notifications in flight hold the manager. */
  sm_alert_manager_flush_async (f->manager, NULL, flush_cb, &flushed);
  sm_test_wait_until (flushed);
  g_assert_cmpuint (f->notifier->n_sent, >, 0);

  g_assert_finalize_object (f->manager);
  g_assert_finalize_object (f->notifier);
  g_assert_finalize_object (f->web);
  g_assert_finalize_object (f->db);
  g_assert_finalize_object (f->store);
  sm_test_rmdir (f->dir);
  g_free (f->dir);
}

/* Helpers */

static SmWindow *
create_window (Fixture  *f,
               gboolean  with_manager)
{
  SmWindow *window = sm_window_new (NULL, f->store);

  g_object_ref (window);
  if (with_manager)
    sm_window_set_alert_manager (window, f->manager);
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

static guint
count_rows (GtkListBox *list_box)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list_box, n) != NULL)
    n++;

  return n;
}

static SmAlertInfo *
find_info (GPtrArray  *alerts,
           const char *server_name)
{
  for (guint i = 0; i < alerts->len; i++)
    {
      SmAlertInfo *info = g_ptr_array_index (alerts, i);

      if (g_strcmp0 (info->server_name, server_name) == 0)
        return info;
    }

  return NULL;
}

static GtkListBoxRow *
find_active_row (SmAlertsPage *page,
                 gint64        alert_id)
{
  GtkListBox *list = _sm_alerts_page_get_active_list (page);
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    {
      gint64 *id = g_object_get_data (G_OBJECT (row), "sm-alert-id");

      if (*id == alert_id)
        return row;
    }

  return NULL;
}

static GtkWidget *
row_widget (GtkListBoxRow *row,
            const char    *key)
{
  GtkWidget *widget = g_object_get_data (G_OBJECT (row), key);

  g_assert_nonnull (widget);

  return widget;
}

static const char *
row_label (GtkListBoxRow *row,
           const char    *key)
{
  return gtk_label_get_label (GTK_LABEL (row_widget (row, key)));
}

static guint
server_position (SmAlertsPage *page,
                 const char   *name)
{
  GListModel *names = gtk_drop_down_get_model (_sm_alerts_page_get_server_dropdown (page));

  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    {
      if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (names), i), name) == 0)
        return i;
    }

  g_assert_not_reached ();
}

/* Tests */

static void
test_active_list (Fixture       *f,
                  gconstpointer  data)
{
  SmWindow *window = create_window (f, TRUE);
  SmAlertsPage *page = _sm_window_get_alerts_page (window);
  g_autoptr(GPtrArray) alerts = sm_alert_manager_list_active (f->manager);
  GtkLabel *badge = _sm_window_get_alerts_badge (window);
  SmAlertInfo *web, *db;
  GtkListBoxRow *row;
  GtkWidget *icon;

  /* The polls made exactly two alerts. */
  g_assert_cmpuint (alerts->len, ==, 2);
  web = find_info (alerts, "Web");
  db = find_info (alerts, "DB");
  g_assert_nonnull (web);
  g_assert_nonnull (db);
  g_assert_cmpstr (web->target, ==, "cpu.percent");
  g_assert_cmpint (web->state, ==, SM_ALERT_STATE_FIRING);
  g_assert_cmpint (web->severity, ==, SM_SEVERITY_WARNING);
  g_assert_cmpstr (db->target, ==, "state.unreachable");
  g_assert_cmpint (db->state, ==, SM_ALERT_STATE_FIRING);
  g_assert_cmpint (db->severity, ==, SM_SEVERITY_CRITICAL);

  sm_window_show_alerts (window);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (_sm_window_get_content_stack (window)), ==, "alerts");
  g_assert_null (sm_window_get_selected_server (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (_sm_alerts_page_get_active_stack (page)), ==, "list");
  g_assert_cmpuint (count_rows (_sm_alerts_page_get_active_list (page)), ==, 2);

  row = find_active_row (page, web->alert_id);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, web->title);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Web"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "95"));
  g_assert_cmpstr (row_label (row, "sm-state-label"), ==, "Firing");
  icon = row_widget (row, "sm-severity-icon");
  g_assert_true (gtk_widget_has_css_class (icon, "warning"));
  g_assert_true (gtk_widget_get_visible (row_widget (row, "sm-ack-button")));
  g_assert_nonnull (gtk_widget_get_tooltip_text (row_widget (row, "sm-since-label")));

  row = find_active_row (page, db->alert_id);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, db->title);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "DB"));
  icon = row_widget (row, "sm-severity-icon");
  g_assert_true (gtk_widget_has_css_class (icon, "error"));

  /* The badge: two active, one of them critical and firing. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (badge)));
  g_assert_cmpstr (gtk_label_get_label (badge), ==, "2");
  g_assert_cmpuint (sm_alert_manager_count_active (f->manager), ==, 2);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (badge), "critical"));

  destroy_window (GTK_WINDOW (window));
}

static void
test_acknowledge_resolve (Fixture       *f,
                          gconstpointer  data)
{
  SmWindow *window = create_window (f, TRUE);
  SmAlertsPage *page = _sm_window_get_alerts_page (window);
  g_autoptr(GPtrArray) alerts = sm_alert_manager_list_active (f->manager);
  g_autoptr(GPtrArray) after = NULL;
  GtkLabel *badge = _sm_window_get_alerts_badge (window);
  gint64 web_id = find_info (alerts, "Web")->alert_id;
  gint64 db_id = find_info (alerts, "DB")->alert_id;
  gint64 real_now = g_get_real_time () / G_USEC_PER_SEC;
  AdwMessageDialog *dialog;
  GtkListBoxRow *row;
  SmAlertInfo *web;

  sm_window_show_alerts (window);

  /* Acknowledge: a comment and an expiry in an hour. */
  row = find_active_row (page, web_id);
  g_signal_emit_by_name (row_widget (row, "sm-ack-button"), "clicked");
  dialog = _sm_alerts_page_get_ack_dialog (page);
  g_assert_nonnull (dialog);
  gtk_editable_set_text (_sm_alerts_page_get_ack_comment (page), "Looking into it");
  adw_combo_row_set_selected (_sm_alerts_page_get_ack_expiry (page), 1);
  adw_message_dialog_response (dialog, "acknowledge");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_null (_sm_alerts_page_get_ack_dialog (page));

  after = sm_alert_manager_list_active (f->manager);
  web = find_info (after, "Web");
  g_assert_nonnull (web);
  g_assert_cmpint (web->state, ==, SM_ALERT_STATE_ACKNOWLEDGED);
  g_assert_cmpstr (web->ack_comment, ==, "Looking into it");
  g_assert_cmpint (web->ack_expires, >=, real_now + 3600);
  g_assert_cmpint (web->ack_expires, <=, real_now + 3600 + 60);

  /* The row was rebuilt on ::changed. */
  row = find_active_row (page, web_id);
  g_assert_cmpstr (row_label (row, "sm-state-label"), ==, "Acknowledged");
  g_assert_false (gtk_widget_get_visible (row_widget (row, "sm-ack-button")));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Looking into it"));
  g_assert_cmpstr (gtk_label_get_label (badge), ==, "2");

  /* A cancelled dialog changes nothing. */
  row = find_active_row (page, db_id);
  g_signal_emit_by_name (row_widget (row, "sm-ack-button"), "clicked");
  dialog = _sm_alerts_page_get_ack_dialog (page);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_clear_pointer (&after, g_ptr_array_unref);
  after = sm_alert_manager_list_active (f->manager);
  g_assert_cmpint (find_info (after, "DB")->state, ==, SM_ALERT_STATE_FIRING);

  /* Resolve DB: one left, a warning, so the badge is no longer critical. */
  g_signal_emit_by_name (row_widget (row, "sm-resolve-button"), "clicked");
  g_clear_pointer (&after, g_ptr_array_unref);
  after = sm_alert_manager_list_active (f->manager);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpuint (count_rows (_sm_alerts_page_get_active_list (page)), ==, 1);
  g_assert_null (find_active_row (page, db_id));
  g_assert_cmpstr (gtk_label_get_label (badge), ==, "1");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (badge)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (badge), "critical"));

  /* Resolve Web: nothing left. */
  row = find_active_row (page, web_id);
  g_signal_emit_by_name (row_widget (row, "sm-resolve-button"), "clicked");
  g_assert_cmpuint (sm_alert_manager_count_active (f->manager), ==, 0);
  g_assert_cmpuint (count_rows (_sm_alerts_page_get_active_list (page)), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (_sm_alerts_page_get_active_stack (page)), ==, "empty");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (badge)));

  destroy_window (GTK_WINDOW (window));
}

static void
assert_history (SmAlertsPage *page,
                gint64        server_id,
                int           severity,
                guint        *out_n_gaps)
{
  GtkListBox *list = _sm_alerts_page_get_history_list (page);
  GtkListBoxRow *row;
  guint n = 0;
  guint n_gaps = 0;
  gint64 last_time = G_MAXINT64;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    {
      const SmAlertEventRow *event = g_object_get_data (G_OBJECT (row), "sm-event");

      g_assert_nonnull (event);
      /* Newest first. */
      g_assert_cmpint (event->time, <=, last_time);
      last_time = event->time;
      n++;

      if (event->kind == SM_ALERT_EVENT_GAP)
        {
          g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Monitoring Gap");
          n_gaps++;
          continue;
        }

      if (server_id != 0)
        g_assert_cmpint (event->server_id, ==, server_id);
      if (severity >= 0)
        g_assert_cmpint (event->severity, ==, severity);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, event->title);
    }

  g_assert_cmpuint (n, >, 0);
  *out_n_gaps = n_gaps;
}

static void
test_history (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) alerts = sm_alert_manager_list_active (f->manager);
  g_autoptr(GError) error = NULL;
  SmWindow *window;
  SmAlertsPage *page;
  SmAlertTimeline *timeline;
  GArray *episodes;
  gboolean found_firing = FALSE;
  guint n_gaps;
  guint n_all;

  /* Resolve DB, then a gap: this computer was offline for ten minutes. */
  g_assert_true (sm_alert_manager_resolve (f->manager, find_info (alerts, "DB")->alert_id, &error));
  g_assert_no_error (error);
  sm_alert_manager_set_connectivity (f->manager, FALSE);
  f->now += 600;
  sm_alert_manager_set_connectivity (f->manager, TRUE);

  window = create_window (f, TRUE);
  page = _sm_window_get_alerts_page (window);
  sm_window_show_alerts (window);
  adw_view_stack_set_visible_child_name (sm_alerts_page_get_view_stack (page), "history");
  /* The history is read once the page is on screen. */
  sm_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (page)));

  /* Everything: both servers and the gap. */
  assert_history (page, 0, -1, &n_gaps);
  g_assert_cmpuint (n_gaps, ==, 1);
  n_all = count_rows (_sm_alerts_page_get_history_list (page));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_sm_alerts_page_get_timeline (page))) &&
                  gtk_widget_get_mapped (GTK_WIDGET (_sm_alerts_page_get_timeline (page))));

  /* DB only: its events, and its timeline. */
  gtk_drop_down_set_selected (_sm_alerts_page_get_server_dropdown (page), server_position (page, "DB"));
  assert_history (page, sm_server_get_id (f->db), -1, &n_gaps);
  g_assert_cmpuint (count_rows (_sm_alerts_page_get_history_list (page)), <, n_all);
  timeline = _sm_alerts_page_get_timeline (page);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (timeline)));
  episodes = sm_alert_timeline_get_episodes (timeline);
  for (guint i = 0; i < episodes->len; i++)
    {
      SmTimelineEpisode *episode = &g_array_index (episodes, SmTimelineEpisode, i);

      if (episode->kind == SM_TIMELINE_FIRING)
        {
          g_assert_cmpint (episode->severity, ==, SM_SEVERITY_CRITICAL);
          found_firing = TRUE;
        }
    }
  g_assert_true (found_firing);

  /* Critical, every server: only DB's; gaps have no severity. */
  gtk_drop_down_set_selected (_sm_alerts_page_get_server_dropdown (page), 0);
  gtk_drop_down_set_selected (_sm_alerts_page_get_severity_dropdown (page), 2);
  assert_history (page, sm_server_get_id (f->db), SM_SEVERITY_CRITICAL, &n_gaps);
  g_assert_cmpuint (n_gaps, ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_sm_alerts_page_get_timeline (page))) &&
                  gtk_widget_is_visible (GTK_WIDGET (_sm_alerts_page_get_timeline (page))));

  /* Warning: only Web's. */
  gtk_drop_down_set_selected (_sm_alerts_page_get_severity_dropdown (page), 1);
  assert_history (page, sm_server_get_id (f->web), SM_SEVERITY_WARNING, &n_gaps);

  /* Web with warnings and DB: nothing. */
  gtk_drop_down_set_selected (_sm_alerts_page_get_server_dropdown (page), server_position (page, "DB"));
  g_assert_cmpuint (count_rows (_sm_alerts_page_get_history_list (page)), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (_sm_alerts_page_get_history_stack (page)), ==, "empty");

  /* Capped at the limit, and it says so. */
  gtk_drop_down_set_selected (_sm_alerts_page_get_server_dropdown (page), 0);
  gtk_drop_down_set_selected (_sm_alerts_page_get_severity_dropdown (page), 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_sm_alerts_page_get_capped_label (page))));
  _sm_alerts_page_set_history_limit (page, 2);
  g_assert_cmpuint (count_rows (_sm_alerts_page_get_history_list (page)), ==, 2);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_sm_alerts_page_get_capped_label (page))));

  /* A new event comes in through ::changed. */
  _sm_alerts_page_set_history_limit (page, 500);
  n_all = count_rows (_sm_alerts_page_get_history_list (page));
  f->now += 60;
  poll_down (f, f->db);
  f->now += 60;
  poll_down (f, f->db);
  g_assert_cmpuint (count_rows (_sm_alerts_page_get_history_list (page)), >, n_all);

  destroy_window (GTK_WINDOW (window));
}

/* Alerts restored from the store by a new manager (the next start) show
 * with their servers' names. */
static void
test_restored (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SmAlertManager) restored = sm_alert_manager_new (f->store, NULL);
  SmWindow *window = create_window (f, FALSE);
  SmAlertsPage *page = _sm_window_get_alerts_page (window);
  GtkListBox *list = _sm_alerts_page_get_active_list (page);
  GtkListBoxRow *row;
  gboolean seen_web = FALSE, seen_db = FALSE;

  sm_window_set_alert_manager (window, restored);
  sm_window_show_alerts (window);
  g_assert_cmpuint (count_rows (list), ==, 2);
  for (guint i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    {
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      seen_web |= g_str_has_prefix (subtitle, "Web");
      seen_db |= g_str_has_prefix (subtitle, "DB");
    }
  g_assert_true (seen_web);
  g_assert_true (seen_db);
  g_assert_cmpstr (gtk_label_get_label (_sm_window_get_alerts_badge (window)), ==, "2");

  destroy_window (GTK_WINDOW (window));
}

static void
test_sidebar (Fixture       *f,
              gconstpointer  data)
{
  SmWindow *window = create_window (f, FALSE);
  GtkListBoxRow *alerts_row = _sm_window_get_alerts_row (window);
  GtkWidget *alerts_list = gtk_widget_get_parent (GTK_WIDGET (alerts_row));
  GtkListBox *list_box = _sm_window_get_list_box (window);
  GtkStack *content = _sm_window_get_content_stack (window);

  /* Without a manager there is no Alerts row. */
  g_assert_false (gtk_widget_get_visible (alerts_list));
  g_assert_nonnull (sm_window_get_selected_server (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), ==, "server");

  sm_window_set_alert_manager (window, f->manager);
  g_assert_true (gtk_widget_get_visible (alerts_list));
  g_assert_cmpstr (gtk_label_get_label (_sm_window_get_alerts_badge (window)), ==, "2");

  /* Activating the row shows the page; the server list lets go. */
  g_signal_emit_by_name (alerts_list, "row-activated", alerts_row);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), ==, "alerts");
  g_assert_null (sm_window_get_selected_server (window));
  g_assert_null (gtk_list_box_get_selected_row (list_box));
  g_assert_true (gtk_list_box_row_is_selected (alerts_row));

  /* Picking a server goes back to it. */
  gtk_list_box_select_row (list_box, gtk_list_box_get_row_at_index (list_box, 0));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), ==, "server");
  g_assert_nonnull (sm_window_get_selected_server (window));
  g_assert_false (gtk_list_box_row_is_selected (alerts_row));

  /* The action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-alerts", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), ==, "alerts");

  /* "Open" in a notification selects that server. */
  g_signal_emit_by_name (f->manager, "open-server", sm_server_get_id (f->db));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), ==, "server");
  g_assert_cmpint (sm_server_get_id (sm_window_get_selected_server (window)), ==,
                   sm_server_get_id (f->db));

  /* Taking the manager away hides the row again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-alerts", NULL));
  sm_window_set_alert_manager (window, NULL);
  g_assert_false (gtk_widget_get_visible (alerts_list));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), !=, "alerts");

  destroy_window (GTK_WINDOW (window));
}

/* The timeline's episodes from hand-made events. */

static SmAlertEventRow *
make_event (gint64        id,
            gint64        alert_id,
            SmAlertState  from,
            SmAlertState  to,
            gint64        time,
            SmSeverity    severity)
{
  SmAlertEventRow *row = g_new0 (SmAlertEventRow, 1);

  row->id = id;
  row->alert_id = alert_id;
  row->server_id = 1;
  row->title = g_strdup_printf ("alert %" G_GINT64_FORMAT, alert_id);
  row->kind = SM_ALERT_EVENT_TRANSITION;
  row->from = from;
  row->to = to;
  row->time = time;
  row->severity = severity;
  row->value = NAN;

  return row;
}

static void
test_timeline_episodes (void)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_event_row_free);
  g_autoptr(GArray) episodes = NULL;
  SmAlertEventRow *gap;
  SmTimelineEpisode *e;
  guint n_lanes = 0;

  /* Newest first, as the store gives them. Alert 1: pending 100, firing
   * 400, acknowledged 500, resolved 700. Alert 2 was firing before the
   * range and resolves at 200. Alert 3 is pending at 900 and still open. */
  g_ptr_array_add (events, make_event (6, 3, SM_ALERT_STATE_INACTIVE, SM_ALERT_STATE_PENDING, 900, SM_SEVERITY_WARNING));
  g_ptr_array_add (events, make_event (5, 1, SM_ALERT_STATE_ACKNOWLEDGED, SM_ALERT_STATE_RESOLVED, 700, SM_SEVERITY_CRITICAL));
  g_ptr_array_add (events, make_event (4, 1, SM_ALERT_STATE_FIRING, SM_ALERT_STATE_ACKNOWLEDGED, 500, SM_SEVERITY_CRITICAL));
  g_ptr_array_add (events, make_event (3, 1, SM_ALERT_STATE_PENDING, SM_ALERT_STATE_FIRING, 400, SM_SEVERITY_CRITICAL));
  g_ptr_array_add (events, make_event (2, 2, SM_ALERT_STATE_FIRING, SM_ALERT_STATE_RESOLVED, 200, SM_SEVERITY_WARNING));
  g_ptr_array_add (events, make_event (1, 1, SM_ALERT_STATE_INACTIVE, SM_ALERT_STATE_PENDING, 100, SM_SEVERITY_CRITICAL));
  gap = g_new0 (SmAlertEventRow, 1);
  gap->id = 7;
  gap->kind = SM_ALERT_EVENT_GAP;
  gap->time = 750;
  gap->end_time = 800;
  gap->value = NAN;
  g_ptr_array_add (events, gap);

  episodes = sm_alert_timeline_build_episodes (events, 0, 1000, &n_lanes);
  g_assert_cmpuint (n_lanes, ==, 3);
  g_assert_cmpuint (episodes->len, ==, 5);

  /* Oldest first. */
  e = &g_array_index (episodes, SmTimelineEpisode, 0);
  g_assert_cmpint (e->kind, ==, SM_TIMELINE_FIRING);
  g_assert_cmpint (e->start, ==, 0);
  g_assert_cmpint (e->end, ==, 200);
  g_assert_cmpint (e->severity, ==, SM_SEVERITY_WARNING);

  e = &g_array_index (episodes, SmTimelineEpisode, 1);
  g_assert_cmpint (e->kind, ==, SM_TIMELINE_PENDING);
  g_assert_cmpint (e->start, ==, 100);
  g_assert_cmpint (e->end, ==, 400);
  g_assert_cmpint (e->severity, ==, SM_SEVERITY_CRITICAL);

  /* Acknowledging does not split the firing episode. */
  e = &g_array_index (episodes, SmTimelineEpisode, 2);
  g_assert_cmpint (e->kind, ==, SM_TIMELINE_FIRING);
  g_assert_cmpint (e->start, ==, 400);
  g_assert_cmpint (e->end, ==, 700);
  g_assert_cmpuint (e->lane, ==, g_array_index (episodes, SmTimelineEpisode, 1).lane);

  e = &g_array_index (episodes, SmTimelineEpisode, 3);
  g_assert_cmpint (e->kind, ==, SM_TIMELINE_GAP);
  g_assert_cmpint (e->start, ==, 750);
  g_assert_cmpint (e->end, ==, 800);

  e = &g_array_index (episodes, SmTimelineEpisode, 4);
  g_assert_cmpint (e->kind, ==, SM_TIMELINE_PENDING);
  g_assert_cmpint (e->start, ==, 900);
  g_assert_cmpint (e->end, ==, 1000);

  /* Clipped to a narrower range. */
  g_clear_pointer (&episodes, g_array_unref);
  episodes = sm_alert_timeline_build_episodes (events, 300, 600, &n_lanes);
  g_assert_cmpuint (episodes->len, ==, 2);
  e = &g_array_index (episodes, SmTimelineEpisode, 0);
  g_assert_cmpint (e->start, ==, 300);
  g_assert_cmpint (e->end, ==, 400);
  e = &g_array_index (episodes, SmTimelineEpisode, 1);
  g_assert_cmpint (e->start, ==, 400);
  g_assert_cmpint (e->end, ==, 600);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  /* Transitions and toasts finish at once. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/alerts-page/timeline-episodes", test_timeline_episodes);
  g_test_add ("/alerts-page/active-list", Fixture, NULL,
              fixture_setup, test_active_list, fixture_teardown);
  g_test_add ("/alerts-page/acknowledge-resolve", Fixture, NULL,
              fixture_setup, test_acknowledge_resolve, fixture_teardown);
  g_test_add ("/alerts-page/history", Fixture, NULL,
              fixture_setup, test_history, fixture_teardown);
  g_test_add ("/alerts-page/restored", Fixture, NULL,
              fixture_setup, test_restored, fixture_teardown);
  g_test_add ("/alerts-page/sidebar", Fixture, NULL,
              fixture_setup, test_sidebar, fixture_teardown);

  return g_test_run ();
}
