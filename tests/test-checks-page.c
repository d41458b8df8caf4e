/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-checks-page.c: the Checks view of a server page and the check
 * dialog against a real store, history and check scheduler. Run Now sends
 * an HTTP check to a SoupServer on loopback. */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>
#include <math.h>

#include "sm-check-dialog.h"
#include "sm-check-dialog-private.h"
#include "sm-check-scheduler.h"
#include "sm-check-store.h"
#include "sm-checks-page.h"
#include "sm-checks-page-private.h"
#include "sm-history.h"
#include "sm-server-page.h"
#include "sm-server-page-private.h"
#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-vault.h"

typedef struct {
  char       *dir;
  SmVault    *vault;
  SmStore    *store;
  SmServer   *server;
  SoupServer *http;
  char       *http_base;
  guint       n_requests;
  gint64      saved_id;
} Fixture;

static void
http_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *f = user_data;
  static const char reply[] = "all ok";

  f->n_requests++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                    reply, strlen (reply));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static const guint8 key[SM_VAULT_KEY_SIZE] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
  };
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  f->dir = sm_test_mkdtemp ();
  f->vault = sm_vault_new_with_key (key);
  f->store = sm_store_open_data_dir (f->dir, f->vault, &error);
  g_assert_no_error (error);

  f->server = sm_server_new ();
  sm_server_set_name (f->server, "web1");
  sm_server_set_host (f->server, "127.0.0.1");
  sm_server_set_username (f->server, "monitor");
  sm_server_set_auth_method (f->server, SM_AUTH_AGENT);
  g_assert_true (sm_store_save_server (f->store, f->server, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);

  f->http = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->http, NULL, http_cb, f, NULL);
  soup_server_listen (f->http, address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->http);
  g_assert_nonnull (uris);
  f->http_base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  soup_server_disconnect (f->http);
  g_clear_object (&f->http);
  g_free (f->http_base);
  g_assert_finalize_object (f->server);
  g_assert_finalize_object (f->store);
  g_assert_finalize_object (f->vault);
  sm_test_rmdir (f->dir);
  g_free (f->dir);
}

/* Helpers */

static void
settle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
present_and_wait (GtkWindow *window)
{
  gtk_window_present (window);
  sm_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (window)));
  settle ();
}

static void
destroy_window (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  settle ();
  g_assert_finalize_object (window);
}

static void
set_text (SmCheckDialog *dialog,
          const char    *member,
          const char    *text)
{
  gtk_editable_set_text (GTK_EDITABLE (_sm_check_dialog_get_field (dialog, member)), text);
}

static gboolean
can_save (SmCheckDialog *dialog)
{
  return gtk_widget_is_sensitive (_sm_check_dialog_get_save_button (dialog));
}

/* The inline message of member starts with "Label: " and carries the
 * problem sm_check_validate gives for the check the dialog describes. */
static void
assert_field_error (SmCheckDialog *dialog,
                    const char    *member,
                    const char    *label)
{
  const char *shown = _sm_check_dialog_get_field_error (dialog, member);
  g_autoptr(SmCheck) check = _sm_check_dialog_dup_check (dialog);
  g_autofree char *prefix = g_strdup_printf ("%s: ", label);
  g_autofree char *expected = sm_check_validate (check);

  g_assert_false (can_save (dialog));
  g_assert_true (g_str_has_prefix (shown, prefix));
  g_assert_nonnull (expected);
  g_assert_true (g_str_has_prefix (expected, member));
  g_assert_cmpstr (shown + strlen (prefix), ==, strstr (expected, ": ") + 2);
}

static SmCheck *
add_http_check (Fixture    *f,
                const char *name,
                const char *url)
{
  g_autoptr(SmCheck) check = sm_check_new (SM_CHECK_HTTP, name);
  g_autoptr(GError) error = NULL;

  check->server_id = sm_server_get_id (f->server);
  json_object_set_string_member (check->settings, "url", url);
  g_assert_true (sm_store_save_check (f->store, check, &error));
  g_assert_no_error (error);
  g_assert_cmpint (check->id, >, 0);

  return g_steal_pointer (&check);
}

static GtkWindow *
make_page_window (Fixture          *f,
                  SmChecksPage    **out_page)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *page = sm_checks_page_new ();

  gtk_window_set_default_size (window, 900, 600);
  gtk_window_set_child (window, page);
  sm_checks_page_set_store (SM_CHECKS_PAGE (page), f->store);
  sm_checks_page_set_server (SM_CHECKS_PAGE (page), f->server);
  *out_page = SM_CHECKS_PAGE (page);

  return window;
}

/* Tests */

static void
test_dialog_validation (Fixture       *f,
                        gconstpointer  data)
{
  SmCheckDialog *dialog = sm_check_dialog_new (NULL, f->store, NULL,
                                               sm_server_get_id (f->server), NULL);

  g_object_ref_sink (dialog);
  present_and_wait (GTK_WINDOW (dialog));

  /* A new HTTP check needs its URL, but says so only once it is edited. */
  g_assert_false (can_save (dialog));
  g_assert_cmpstr (_sm_check_dialog_get_field_error (dialog, "url"), ==, "");

  set_text (dialog, "url", "ftp://example.org/");
  assert_field_error (dialog, "url", "URL");
  set_text (dialog, "url", "not a url");
  assert_field_error (dialog, "url", "URL");

  set_text (dialog, "url", "http://127.0.0.1/health");
  g_assert_true (can_save (dialog));
  g_assert_cmpstr (_sm_check_dialog_get_field_error (dialog, "url"), ==, "");

  /* A regular expression that does not compile. */
  set_text (dialog, "regex", "([a-z");
  assert_field_error (dialog, "regex", "Regular Expression");
  set_text (dialog, "regex", "^ok$");
  g_assert_true (can_save (dialog));

  /* The interval out of range, and not a number at all. */
  set_text (dialog, "interval", "5");
  assert_field_error (dialog, "interval", "Interval");
  set_text (dialog, "interval", "90000");
  assert_field_error (dialog, "interval", "Interval");
  set_text (dialog, "interval", "soon");
  g_assert_false (can_save (dialog));
  g_assert_true (g_str_has_prefix (_sm_check_dialog_get_field_error (dialog, "interval"),
                                   "Interval: "));
  set_text (dialog, "interval", "30");
  g_assert_true (can_save (dialog));

  /* A TCP check: a port out of range. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (_sm_check_dialog_get_field (dialog, "type")),
                              SM_CHECK_TCP);
  g_assert_false (gtk_widget_get_visible (_sm_check_dialog_get_field (dialog, "url")));
  g_assert_true (gtk_widget_get_visible (_sm_check_dialog_get_field (dialog, "port")));
  set_text (dialog, "port", "70000");
  assert_field_error (dialog, "port", "Port");
  set_text (dialog, "port", "0");
  assert_field_error (dialog, "port", "Port");
  set_text (dialog, "port", "5432");
  g_assert_true (can_save (dialog));
  g_assert_cmpstr (_sm_check_dialog_get_field_error (dialog, "port"), ==, "");

  /* Header lines must be "Name: value". */
  adw_combo_row_set_selected (ADW_COMBO_ROW (_sm_check_dialog_get_field (dialog, "type")),
                              SM_CHECK_HTTP);
  g_assert_true (can_save (dialog));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (_sm_check_dialog_get_field (dialog, "headers"))),
                            "no colon here", -1);
  g_assert_false (can_save (dialog));
  g_assert_true (g_str_has_prefix (_sm_check_dialog_get_field_error (dialog, "headers"),
                                   "Request Headers: "));

  destroy_window (dialog);
}

static void
saved_cb (SmCheckDialog *dialog,
          gint64         id,
          Fixture       *f)
{
  f->saved_id = id;
}

static void
test_dialog_save_http (Fixture       *f,
                       gconstpointer  data)
{
  SmCheckDialog *dialog = sm_check_dialog_new (NULL, f->store, NULL,
                                               sm_server_get_id (f->server), NULL);
  g_autoptr(SmCheck) stored = NULL;
  g_autoptr(SmCheck) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkTextBuffer) buffer = NULL;
  g_auto(GStrv) expect = NULL;
  JsonObject *headers;

  g_object_ref_sink (dialog);
  g_signal_connect (dialog, "saved", G_CALLBACK (saved_cb), f);
  present_and_wait (GTK_WINDOW (dialog));

  set_text (dialog, "name", "api");
  set_text (dialog, "url", "https://example.org/health");
  set_text (dialog, "expect_status", "200-299");
  set_text (dialog, "keyword", "ok");
  gtk_switch_set_active (GTK_SWITCH (_sm_check_dialog_get_field (dialog, "keyword_absent")), TRUE);
  gtk_switch_set_active (GTK_SWITCH (_sm_check_dialog_get_field (dialog, "follow_redirects")), FALSE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (_sm_check_dialog_get_field (dialog, "method")), 1);
  set_text (dialog, "interval", "30");
  set_text (dialog, "timeout", "5");
  buffer = g_object_ref (gtk_text_view_get_buffer (GTK_TEXT_VIEW (_sm_check_dialog_get_field (dialog, "headers"))));
  gtk_text_buffer_set_text (buffer, "Accept: text/plain\n\nX-Probe:  status-monitor \n", -1);
  g_assert_true (can_save (dialog));

  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  settle ();
  g_assert_cmpint (f->saved_id, >, 0);
  g_assert_finalize_object (dialog);

  stored = sm_store_get_check (f->store, f->saved_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->type, ==, SM_CHECK_HTTP);
  g_assert_cmpint (stored->server_id, ==, sm_server_get_id (f->server));
  g_assert_cmpstr (stored->name, ==, "api");
  g_assert_cmpuint (stored->interval, ==, 30);
  g_assert_true (stored->enabled);
  g_assert_cmpstr (sm_check_get_string (stored, "url"), ==, "https://example.org/health");
  g_assert_cmpstr (sm_check_get_string (stored, "method"), ==, "HEAD");
  g_assert_cmpstr (sm_check_get_string (stored, "expect_status"), ==, "200-299");
  g_assert_cmpstr (sm_check_get_string (stored, "keyword"), ==, "ok");
  g_assert_true (sm_check_get_bool (stored, "keyword_absent", FALSE));
  g_assert_false (sm_check_get_bool (stored, "follow_redirects", TRUE));
  g_assert_true (sm_check_get_bool (stored, "verify_tls", FALSE));
  g_assert_cmpint (sm_check_get_int (stored, "timeout", 0), ==, 5);
  headers = json_object_get_object_member (stored->settings, "headers");
  g_assert_nonnull (headers);
  g_assert_cmpuint (json_object_get_size (headers), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (headers, "Accept"), ==, "text/plain");
  g_assert_cmpstr (json_object_get_string_member (headers, "X-Probe"), ==, "status-monitor");

  /* Editing shows what is stored and keeps the type; a name taken by
   * another check of the server is refused inline. */
  copy = add_http_check (f, "other", "http://127.0.0.1/");
  dialog = sm_check_dialog_new (NULL, f->store, NULL, 0, stored);
  g_object_ref_sink (dialog);
  present_and_wait (GTK_WINDOW (dialog));
  g_assert_false (gtk_widget_get_sensitive (_sm_check_dialog_get_field (dialog, "type")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_sm_check_dialog_get_field (dialog, "url"))),
                   ==, "https://example.org/health");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (_sm_check_dialog_get_field (dialog, "method"))), ==, 1);
  g_assert_true (can_save (dialog));
  set_text (dialog, "name", "Other");
  g_assert_true (can_save (dialog));
  f->saved_id = 0;
  g_signal_connect (dialog, "saved", G_CALLBACK (saved_cb), f);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  settle ();
  g_assert_cmpint (f->saved_id, ==, 0);
  g_assert_false (can_save (dialog));
  g_assert_true (g_str_has_prefix (_sm_check_dialog_get_field_error (dialog, "name"), "Name: "));
  set_text (dialog, "name", "api v2");
  g_assert_true (can_save (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  settle ();
  g_assert_cmpint (f->saved_id, ==, stored->id);
  g_assert_finalize_object (dialog);

  g_clear_pointer (&stored, sm_check_free);
  stored = sm_store_get_check (f->store, f->saved_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->name, ==, "api v2");
  expect = sm_check_dup_strv (stored, "expect");
  g_assert_null (expect);
}

static void
test_heartbeat_token (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SmCheck) check = sm_check_new (SM_CHECK_HEARTBEAT, "backup");
  g_autoptr(GError) error = NULL;
  SmCheckDialog *dialog;
  AdwActionRow *row;

  check->server_id = sm_server_get_id (f->server);
  check->interval = 3600;
  g_assert_true (sm_store_save_check (f->store, check, &error));
  g_assert_no_error (error);

  /* No token: no URL. */
  dialog = sm_check_dialog_new (NULL, f->store, NULL, 0, check);
  g_object_ref_sink (dialog);
  present_and_wait (GTK_WINDOW (dialog));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_sm_check_dialog_get_heartbeat_row (dialog))));
  g_assert_true (gtk_widget_get_visible (_sm_check_dialog_get_field (dialog, "grace")));
  destroy_window (dialog);

  g_assert_true (sm_store_set_check_token (f->store, check, "s3cr3t-t0ken", &error));
  g_assert_no_error (error);
  dialog = sm_check_dialog_new (NULL, f->store, NULL, 0, check);
  g_object_ref_sink (dialog);
  present_and_wait (GTK_WINDOW (dialog));
  row = _sm_check_dialog_get_heartbeat_row (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (row)));
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "/heartbeat/s3cr3t-t0ken");
  destroy_window (dialog);
}

static void
test_page_lists_checks (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SmCheck) check = NULL;
  g_autoptr(SmCheckResult) result = NULL;
  g_autoptr(SmHistoryWriter) writer = NULL;
  g_autoptr(SmHistoryReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *latency_metric = NULL;
  g_autofree char *up_metric = NULL;
  GtkWindow *window;
  SmChecksPage *page;
  AdwActionRow *row;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  window = make_page_window (f, &page);
  g_object_ref_sink (window);
  present_and_wait (window);

  /* None yet: the empty state. */
  g_assert_cmpuint (_sm_checks_page_get_n_rows (page), ==, 0);
  g_assert_true (gtk_widget_get_mapped (_sm_checks_page_get_empty_page (page)));

  check = add_http_check (f, "api", "http://127.0.0.1/health");
  sm_checks_page_reload (page);
  settle ();
  g_assert_cmpuint (_sm_checks_page_get_n_rows (page), ==, 1);
  g_assert_false (gtk_widget_get_mapped (_sm_checks_page_get_empty_page (page)));
  row = _sm_checks_page_get_row (page, check->id);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "api");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "Not run yet"));
  g_assert_cmpstr (gtk_label_get_label (_sm_checks_page_row_get_latency (row)), ==, "—");
  /* No scheduler: no Run Now. */
  g_assert_false (gtk_widget_get_visible (_sm_checks_page_row_get_run_button (row)));

  /* The stored result shows after a reload (as after a restart). */
  result = sm_check_result_new (SM_CHECK_STATUS_DOWN, "status 503");
  result->timing.total_ms = 12;
  result->time_us = g_get_real_time ();
  g_assert_true (sm_store_save_check_result (f->store, check->id, result, &error));
  g_assert_no_error (error);
  sm_checks_page_reload (page);
  settle ();
  row = _sm_checks_page_get_row (page, check->id);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "status 503"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "HTTP"));
  g_assert_cmpstr (gtk_label_get_label (_sm_checks_page_row_get_latency (row)), ==, "12 ms");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (_sm_checks_page_row_get_icon (row)), "error"));

  /* History: a latency line and the uptime (one of two runs up). */
  latency_metric = g_strdup_printf ("check.%" G_GINT64_FORMAT ".latency_ms", check->id);
  up_metric = g_strdup_printf ("check.%" G_GINT64_FORMAT ".up", check->id);
  writer = sm_history_writer_new (sm_store_get_path (f->store), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      const char *names[] = { latency_metric, up_metric };
      double values[] = { 10 + 10 * i, i };

      sm_history_writer_add_values (writer, sm_server_get_id (f->server), now - 120 + 60 * i,
                                    names, values, 2);
    }
  g_assert_true (sm_history_writer_flush (writer, &error));
  g_assert_no_error (error);

  reader = sm_history_reader_new (sm_store_get_path (f->store), &error);
  g_assert_no_error (error);
  sm_checks_page_set_history_reader (page, reader);
  sm_test_wait_until (_sm_checks_page_get_n_pending (page) == 0);
  row = _sm_checks_page_get_row (page, check->id);
  g_assert_true (gtk_widget_get_visible (_sm_checks_page_row_get_sparkline (row)));
  g_assert_cmpstr (gtk_label_get_label (_sm_checks_page_row_get_uptime (row)), ==,
                   "24 h 50.0 % · 7 d 50.0 % · 30 d 50.0 %");

  sm_checks_page_set_history_reader (page, NULL);
  destroy_window (window);
}

static void
test_page_run_now (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *url = g_strconcat (f->http_base, "/health", NULL);
  g_autoptr(SmCheck) check = add_http_check (f, "api", url);
  SmCheckScheduler *scheduler = sm_check_scheduler_new (f->store, f->dir);
  GtkWindow *window;
  SmChecksPage *page;
  AdwActionRow *row;
  GtkWidget *run;
  SmCheckDialog *dialog;
  g_autoptr(SmCheckResult) stored = NULL;
  g_autoptr(GError) error = NULL;

  sm_check_scheduler_set_timers (scheduler, FALSE);
  sm_check_scheduler_add_server (scheduler, f->server);

  window = make_page_window (f, &page);
  g_object_ref_sink (window);
  sm_checks_page_set_scheduler (page, scheduler);
  present_and_wait (window);

  row = _sm_checks_page_get_row (page, check->id);
  g_assert_nonnull (row);
  run = _sm_checks_page_row_get_run_button (row);
  g_assert_true (gtk_widget_get_visible (run));
  g_assert_true (gtk_widget_is_sensitive (run));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "Not run yet"));

  g_signal_emit_by_name (run, "clicked");
  sm_test_wait_until (f->n_requests > 0 &&
                      gtk_widget_has_css_class (GTK_WIDGET (_sm_checks_page_row_get_icon (row)), "success"));
  sm_test_wait_until (gtk_widget_is_sensitive (run));
  g_assert_null (strstr (adw_action_row_get_subtitle (row), "Not run yet"));
  g_assert_cmpstr (gtk_label_get_label (_sm_checks_page_row_get_latency (row)), !=, "—");
  g_assert_true (g_str_has_suffix (gtk_label_get_label (_sm_checks_page_row_get_latency (row)), "ms") ||
                 g_str_has_suffix (gtk_label_get_label (_sm_checks_page_row_get_latency (row)), "s"));
  g_assert_true (gtk_widget_get_visible (_sm_checks_page_row_get_sparkline (row)));

  stored = sm_store_get_check_result (f->store, check->id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_assert_cmpint (stored->status, ==, SM_CHECK_STATUS_UP);

  /* A check added through the dialog: the scheduler rereads the
   * server's checks and the page follows. */
  dialog = _sm_checks_page_open_dialog (page, 0);
  g_assert_nonnull (dialog);
  g_object_ref (dialog);
  settle ();
  adw_combo_row_set_selected (ADW_COMBO_ROW (_sm_check_dialog_get_field (dialog, "type")),
                              SM_CHECK_TCP);
  set_text (dialog, "port", "5432");
  g_assert_true (can_save (dialog));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL);
  settle ();
  g_assert_finalize_object (dialog);
  g_assert_cmpuint (_sm_checks_page_get_n_rows (page), ==, 2);

  destroy_window (window);
  sm_check_scheduler_shutdown (scheduler);
  settle ();
  g_assert_finalize_object (scheduler);
}

static void
test_server_page_view (Fixture       *f,
                       gconstpointer  data)
{
  SmCheckScheduler *scheduler = sm_check_scheduler_new (f->store, f->dir);
  g_autoptr(SmCheck) check = add_http_check (f, "api", "http://127.0.0.1/");
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *page = sm_server_page_new (f->store);
  AdwViewStackPage *stack_page;

  sm_check_scheduler_set_timers (scheduler, FALSE);
  g_object_ref_sink (window);
  gtk_window_set_child (window, page);
  sm_server_page_set_server (SM_SERVER_PAGE (page), f->server);
  present_and_wait (window);

  stack_page = adw_view_stack_get_page (sm_server_page_get_view_stack (SM_SERVER_PAGE (page)),
                                        GTK_WIDGET (_sm_server_page_get_checks_page (SM_SERVER_PAGE (page))));
  g_assert_false (adw_view_stack_page_get_visible (stack_page));

  sm_server_page_set_check_scheduler (SM_SERVER_PAGE (page), scheduler);
  g_assert_true (adw_view_stack_page_get_visible (stack_page));
  g_assert_cmpuint (_sm_checks_page_get_n_rows (_sm_server_page_get_checks_page (SM_SERVER_PAGE (page))), ==, 1);
  adw_view_stack_set_visible_child_name (sm_server_page_get_view_stack (SM_SERVER_PAGE (page)), "checks");
  settle ();
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (_sm_checks_page_get_row (_sm_server_page_get_checks_page (SM_SERVER_PAGE (page)), check->id))));

  destroy_window (window);
  sm_check_scheduler_shutdown (scheduler);
  g_assert_finalize_object (scheduler);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/checks-page/dialog/validation", Fixture, NULL,
              fixture_setup, test_dialog_validation, fixture_teardown);
  g_test_add ("/checks-page/dialog/save-http", Fixture, NULL,
              fixture_setup, test_dialog_save_http, fixture_teardown);
  g_test_add ("/checks-page/dialog/heartbeat-token", Fixture, NULL,
              fixture_setup, test_heartbeat_token, fixture_teardown);
  g_test_add ("/checks-page/page/list", Fixture, NULL,
              fixture_setup, test_page_lists_checks, fixture_teardown);
  g_test_add ("/checks-page/page/run-now", Fixture, NULL,
              fixture_setup, test_page_run_now, fixture_teardown);
  g_test_add ("/checks-page/server-page", Fixture, NULL,
              fixture_setup, test_server_page_view, fixture_teardown);

  return g_test_run ();
}
