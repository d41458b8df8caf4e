/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-alert-manager.c: the alert engine wired to the store and real
 * channels: Telegram through a Bot API stand-in (a SoupServer on
 * 127.0.0.1) and the desktop through python3-dbusmock's notification
 * daemon on a private session bus. Time is injected.
 */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "sm-alert-manager.h"
#include "sm-alert-store.h"
#include "sm-test-util.h"

#define TOKEN "123456:TEST-token"

typedef struct {
  char      *dir;
  SmStore   *store;
  SoupServer *api;
  char      *api_base;
  GPtrArray *texts;      /* "chat_id text" of every sendMessage */
  gint64     now;
} Fixture;

static gint64
clock_cb (gpointer user_data)
{
  return ((Fixture *) user_data)->now;
}

static void
bot_api_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  static const char ok[] = "{\"ok\":true,\"result\":{\"message_id\":1}}";
  JsonObject *object;

  if (g_str_has_suffix (path, "/sendPhoto"))
    {
      static const guint8 png_magic[] = { 0x89, 'P', 'N', 'G', '\r', '\n' };

      g_ptr_array_add (fixture->texts,
                       g_strdup_printf ("photo png=%d",
                                        memmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                                png_magic, sizeof png_magic) != NULL));
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, ok, strlen (ok));
      return;
    }

  g_assert_true (g_str_has_suffix (path, "/sendMessage"));
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_ptr_array_add (fixture->texts,
                   g_strdup_printf ("%s %s", json_object_get_string_member (object, "chat_id"),
                                    json_object_get_string_member (object, "text")));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, ok, strlen (ok));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  static const guint8 key[32] = { 7 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(SmVault) vault = sm_vault_new_with_key (key);
  g_autofree char *path = NULL;
  GSList *uris;

  fixture->dir = sm_test_mkdtemp ();
  path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->store = sm_store_open (path, vault, &error);
  g_assert_no_error (error);
  fixture->texts = g_ptr_array_new_with_free_func (g_free);
  fixture->now = 1790000000;

  fixture->api = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->api, NULL, bot_api_cb, fixture, NULL);
  soup_server_listen (fixture->api, address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->api);
  fixture->api_base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_assert_finalize_object (fixture->store);
  soup_server_disconnect (fixture->api);
  g_clear_object (&fixture->api);
  g_clear_pointer (&fixture->texts, g_ptr_array_unref);
  g_clear_pointer (&fixture->api_base, g_free);
  sm_test_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static SmServer *
add_server (Fixture    *fixture,
            const char *name)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autoptr(GError) error = NULL;

  sm_server_set_name (server, name);
  sm_server_set_host (server, "127.0.0.1");
  g_assert_true (sm_store_save_server (fixture->store, server, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&server);
}

static SmChannel *
add_telegram (Fixture    *fixture,
              const char *name,
              const char *chat_id,
              gboolean    is_default)
{
  g_autoptr(SmChannel) channel = sm_channel_new (name, SM_CHANNEL_TELEGRAM);
  g_autoptr(GError) error = NULL;

  sm_channel_set (channel, "chat_id", chat_id);
  sm_channel_set (channel, "api_base", fixture->api_base);
  channel->is_default = is_default;
  g_assert_true (sm_store_save_channel (fixture->store, channel, SM_SECRET_SET, TOKEN, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&channel);
}

static void
poll_down (SmAlertManager *manager,
           SmServer       *server)
{
  SmPollOutcome outcome = { 0 };

  outcome.status = SM_SERVER_STATUS_DOWN;
  outcome.error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                       "Connection refused");
  sm_alert_manager_process_poll (manager, server, &outcome);
  g_clear_error (&outcome.error);
}

static void
poll_up (SmAlertManager *manager,
         SmServer       *server,
         double          cpu)
{
  SmPollOutcome outcome = { 0 };

  outcome.status = SM_SERVER_STATUS_UP;
  outcome.result = sm_poll_result_new ();
  sm_poll_result_add_metric (outcome.result, "cpu.percent", cpu);
  sm_alert_manager_process_poll (manager, server, &outcome);
  sm_poll_result_free (outcome.result);
}

static void
flush_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sm_alert_manager_flush_finish (SM_ALERT_MANAGER (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
flush (SmAlertManager *manager)
{
  gboolean done = FALSE;

  sm_alert_manager_flush_async (manager, NULL, flush_cb, &done);
  sm_test_wait_until (done);
}

static SmAlertManager *
new_manager (Fixture *fixture)
{
  SmAlertManager *manager = sm_alert_manager_new (fixture->store, NULL);
  g_autoptr(GError) error = sm_alert_manager_dup_error (manager);

  g_assert_no_error (error);
  sm_alert_manager_set_clock (manager, clock_cb, fixture);
  return manager;
}

/* Default rules, events in the store, a restart in the middle of an
 * alert (nothing told twice), the resolved notice. */
static void
test_store_and_restore (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(SmServer) web = add_server (fixture, "web-1");
  g_autoptr(SmChannel) tg = add_telegram (fixture, "tg", "42", TRUE);
  g_autoptr(SmAlertManager) manager = new_manager (fixture);
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  SmAlertEventFilter filter;
  SmAlertInfo *info;
  gint64 alert_id;

  /* Unreachable needs two polls (retries 2). */
  poll_down (manager, web);
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 0);
  fixture->now += 30;
  poll_down (manager, web);
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->texts, 0), "42 "));
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->texts, 0), "web-1"));
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->texts, 0), "Unreachable"));
  g_assert_cmpuint (sm_alert_manager_count_active (manager), ==, 1);

  active = sm_alert_manager_list_active (manager);
  g_assert_cmpuint (active->len, ==, 1);
  info = g_ptr_array_index (active, 0);
  alert_id = info->alert_id;
  g_assert_cmpint (info->state, ==, SM_ALERT_STATE_FIRING);
  g_assert_cmpint (info->severity, ==, SM_SEVERITY_CRITICAL);
  g_clear_pointer (&active, g_ptr_array_unref);

  /* Every transition is an event row. */
  sm_alert_event_filter_init (&filter);
  filter.server_id = sm_server_get_id (web);
  rows = sm_store_list_alert_events (fixture->store, &filter, NULL);
  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpint (((SmAlertEventRow *) g_ptr_array_index (rows, 0))->to, ==, SM_ALERT_STATE_FIRING);
  g_assert_cmpstr (((SmAlertEventRow *) g_ptr_array_index (rows, 0))->server_name, ==, "web-1");
  g_assert_cmpstr (((SmAlertEventRow *) g_ptr_array_index (rows, 0))->title, ==, "Unreachable");
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* A restart: the alert is still open and not told again. */
  g_assert_finalize_object (g_steal_pointer (&manager));
  manager = new_manager (fixture);
  active = sm_alert_manager_list_active (manager);
  g_assert_cmpuint (active->len, ==, 1);
  info = g_ptr_array_index (active, 0);
  g_assert_cmpint (info->alert_id, ==, alert_id);
  g_assert_cmpint (info->state, ==, SM_ALERT_STATE_FIRING);
  g_assert_cmpstr (info->server_name, ==, "web-1");
  g_clear_pointer (&active, g_ptr_array_unref);
  fixture->now += 30;
  poll_down (manager, web);
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 1);

  /* Back up: resolved, told once. */
  fixture->now += 30;
  poll_up (manager, web, 5);
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->texts, 1), "Resolved"));
  g_assert_cmpuint (sm_alert_manager_count_active (manager), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&manager));

  /* And stays resolved after another restart. */
  manager = new_manager (fixture);
  g_assert_cmpuint (sm_alert_manager_count_active (manager), ==, 0);
  g_assert_cmpint (sm_store_get_max_alert_id (fixture->store, NULL), ==, alert_id);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* One poll per process (`--check-once` from cron): retries still count. */
static void
test_retries_across_runs (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(SmServer) web = add_server (fixture, "web-1");
  g_autoptr(SmChannel) tg = add_telegram (fixture, "tg", "42", TRUE);
  g_autoptr(SmAlertManager) manager = new_manager (fixture);

  poll_down (manager, web);
  flush (manager);
  g_assert_finalize_object (g_steal_pointer (&manager));
  g_assert_cmpuint (fixture->texts->len, ==, 0);

  fixture->now += 300;
  manager = new_manager (fixture);
  poll_down (manager, web);
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 1);
  g_assert_cmpuint (sm_alert_manager_count_active (manager), ==, 1);
  g_assert_finalize_object (g_steal_pointer (&manager));

  /* A success in between starts the count again. */
  fixture->now += 300;
  manager = new_manager (fixture);
  poll_up (manager, web, 5);
  flush (manager);
  g_assert_finalize_object (g_steal_pointer (&manager));
  manager = new_manager (fixture);
  poll_down (manager, web);
  flush (manager);
  g_assert_cmpuint (sm_alert_manager_count_active (manager), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* Rules name channels; others go to the default ones; disabled ones stay
 * quiet; a deleted channel leaves the rule on the defaults. */
static void
test_routing (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SmServer) web = add_server (fixture, "web-1");
  g_autoptr(SmChannel) a = add_telegram (fixture, "a", "1", TRUE);
  g_autoptr(SmChannel) b = add_telegram (fixture, "b", "2", FALSE);
  g_autoptr(SmChannel) c = add_telegram (fixture, "c", "3", TRUE);
  g_autofree char *server_id = g_strdup_printf ("%" G_GINT64_FORMAT, sm_server_get_id (web));
  g_autoptr(SmAlertRule) rule = sm_alert_rule_new ("hot", "cpu.percent", SM_ALERT_OP_GT, 50);
  g_autoptr(SmAlertManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  const char *to_b[] = { "b", NULL };

  rule->scope = SM_ALERT_SCOPE_SERVER;
  rule->scope_value = g_strdup (server_id);
  rule->channels = g_strdupv ((char **) to_b);
  g_assert_true (sm_store_save_rule (fixture->store, rule, &error));
  g_assert_no_error (error);

  /* A rule naming a channel that does not exist is refused. */
  g_free (rule->channels[0]);
  rule->channels[0] = g_strdup ("nope");
  g_assert_false (sm_store_save_rule (fixture->store, rule, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "channels[0]: "));
  g_clear_error (&error);

  c->enabled = FALSE;
  g_assert_true (sm_store_save_channel (fixture->store, c, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);

  manager = new_manager (fixture);
  poll_up (manager, web, 70);
  flush (manager);
  /* "hot" goes to b only; the default cpu rule (90 %) does not fire. */
  g_assert_cmpuint (fixture->texts->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->texts, 0), "2 "));

  /* Unreachable (a default rule, no channels) goes to the enabled default a. */
  fixture->now += 30;
  poll_down (manager, web);
  fixture->now += 30;
  poll_down (manager, web);
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (fixture->texts, 1), "1 "));

  /* Deleting b takes it out of the rule. */
  g_assert_true (sm_store_delete_channel (fixture->store, b->id, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) rules = sm_store_list_rules (fixture->store, &error);
    gboolean seen = FALSE;

    g_assert_no_error (error);
    for (guint i = 0; i < rules->len; i++)
      {
        SmAlertRule *stored = g_ptr_array_index (rules, i);

        if (g_str_equal (stored->id, "hot"))
          {
            seen = TRUE;
            g_assert_null (stored->channels);
          }
      }
    g_assert_true (seen);
  }
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* A Telegram channel with attach_chart sends the metric's last hour. */
static void
test_telegram_chart (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(SmServer) web = add_server (fixture, "web-1");
  g_autoptr(SmChannel) tg = sm_channel_new ("tg", SM_CHANNEL_TELEGRAM);
  g_autoptr(SmAlertManager) manager = NULL;
  g_autoptr(SmHistoryWriter) writer = NULL;
  g_autoptr(SmHistoryReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "test.db", NULL);
  const char *names[] = { "cpu.percent" };

  /* History keeps raw samples relative to the real clock. */
  fixture->now = g_get_real_time () / G_USEC_PER_SEC;
  sm_channel_set (tg, "chat_id", "42");
  sm_channel_set (tg, "api_base", fixture->api_base);
  sm_channel_set (tg, "attach_chart", "true");
  g_assert_true (sm_store_save_channel (fixture->store, tg, SM_SECRET_SET, TOKEN, &error));
  g_assert_no_error (error);

  writer = sm_history_writer_new (path, &error);
  g_assert_no_error (error);
  for (gint64 t = fixture->now - 3600; t <= fixture->now; t += 60)
    {
      double value = 50 + (double) ((t / 60) % 40);

      sm_history_writer_add_values (writer, sm_server_get_id (web), t, names, &value, 1);
    }
  g_assert_true (sm_history_writer_flush (writer, &error));
  g_assert_no_error (error);
  reader = sm_history_reader_new (path, &error);
  g_assert_no_error (error);

  manager = new_manager (fixture);
  sm_alert_manager_set_history_reader (manager, reader);

  /* CPU above 90 % for 5 minutes (a default rule) fires with a chart. */
  for (guint i = 0; i <= 10; i++)
    {
      poll_up (manager, web, 97);
      fixture->now += 30;
    }
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->texts, 0), "CPU above 90 %"));
  g_assert_cmpstr (g_ptr_array_index (fixture->texts, 1), ==, "photo png=1");

  /* A state alert has no chart. */
  poll_down (manager, web);
  fixture->now += 30;
  poll_down (manager, web);
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 3);
  g_assert_false (g_str_has_prefix (g_ptr_array_index (fixture->texts, 2), "photo"));
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* Service check results feed the "check." rules (check-down retries 2),
 * and polls and check results leave each other's alerts alone. */
static void
check_result (SmAlertManager *manager,
              SmServer       *server,
              const SmCheck  *check,
              SmCheckStatus   status)
{
  g_autoptr(SmCheckResult) result = sm_check_result_new (status, status == SM_CHECK_STATUS_DOWN
                                                         ? "status 503" : NULL);

  result->timing.total_ms = 12;
  sm_alert_manager_process_check (manager, server, check, result);
}

static void
test_check_alerts (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SmServer) web = add_server (fixture, "web-1");
  g_autoptr(SmChannel) tg = add_telegram (fixture, "tg", "42", TRUE);
  g_autoptr(SmCheck) api = sm_check_new (SM_CHECK_HTTP, "api");
  g_autoptr(SmAlertManager) manager = NULL;
  g_autoptr(GPtrArray) active = NULL;
  SmAlertInfo *info;

  api->id = 7;
  manager = new_manager (fixture);

  /* CPU above 90 % starts a pending alert (for 5 min)... */
  poll_up (manager, web, 97);
  g_assert_cmpuint (sm_alert_manager_count_active (manager), ==, 0);
  active = sm_alert_manager_list_active (manager);
  g_assert_cmpuint (active->len, ==, 1);
  g_clear_pointer (&active, g_ptr_array_unref);

  /* ...which a check result does not reset; the check fails twice. */
  fixture->now += 30;
  check_result (manager, web, api, SM_CHECK_STATUS_DOWN);
  fixture->now += 30;
  check_result (manager, web, api, SM_CHECK_STATUS_DOWN);
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->texts, 0), "Check “api” fails"));
  active = sm_alert_manager_list_active (manager);
  g_assert_cmpuint (active->len, ==, 2);
  info = g_ptr_array_index (active, 0);
  g_assert_cmpstr (info->target, ==, "cpu.percent");
  g_assert_cmpint (info->state, ==, SM_ALERT_STATE_PENDING);
  g_clear_pointer (&active, g_ptr_array_unref);

  /* A poll does not reset the check's alert either. */
  fixture->now += 30;
  poll_up (manager, web, 20);
  active = sm_alert_manager_list_active (manager);
  g_assert_cmpuint (active->len, ==, 1);
  info = g_ptr_array_index (active, 0);
  g_assert_cmpstr (info->target, ==, "check.api.up");
  g_assert_cmpint (info->state, ==, SM_ALERT_STATE_FIRING);
  g_clear_pointer (&active, g_ptr_array_unref);

  /* Degraded: a warning; back up: both over, the resolved notice sent. */
  fixture->now += 30;
  check_result (manager, web, api, SM_CHECK_STATUS_DEGRADED);
  active = sm_alert_manager_list_active (manager);
  g_assert_cmpuint (active->len, ==, 1);
  info = g_ptr_array_index (active, 0);
  g_assert_cmpstr (info->target, ==, "check.api.degraded");
  g_assert_cmpint (info->severity, ==, SM_SEVERITY_WARNING);
  g_clear_pointer (&active, g_ptr_array_unref);
  fixture->now += 30;
  check_result (manager, web, api, SM_CHECK_STATUS_UP);
  flush (manager);
  g_assert_cmpuint (sm_alert_manager_count_active (manager), ==, 0);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->texts, 1), "Resolved"));

  /* A log check's new matches warn at once, and are over when none come. */
  {
    g_autoptr(SmCheck) log = sm_check_new (SM_CHECK_LOG, "syslog");
    g_autoptr(SmCheckResult) matched = sm_check_result_new (SM_CHECK_STATUS_DOWN, "3 matches of 'error'");
    g_autoptr(SmCheckResult) quiet = sm_check_result_new (SM_CHECK_STATUS_UP, NULL);

    log->id = 8;
    sm_check_result_add_metric (matched, "matches", 3, NULL);
    sm_check_result_add_metric (quiet, "matches", 0, NULL);
    fixture->now += 30;
    sm_alert_manager_process_check (manager, web, log, matched);
    active = sm_alert_manager_list_active (manager);
    g_assert_cmpuint (active->len, ==, 1);
    info = g_ptr_array_index (active, 0);
    g_assert_cmpstr (info->title, ==, "Log “syslog” shows new matches");
    g_assert_cmpint (info->state, ==, SM_ALERT_STATE_FIRING);
    g_clear_pointer (&active, g_ptr_array_unref);
    fixture->now += 30;
    sm_alert_manager_process_check (manager, web, log, quiet);
    g_assert_cmpuint (sm_alert_manager_count_active (manager), ==, 0);
  }
  flush (manager);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* Offline: unreachable polls do not count; back online: a gap row. */
static void
test_connectivity (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SmServer) web = add_server (fixture, "web-1");
  g_autoptr(SmChannel) tg = add_telegram (fixture, "tg", "42", TRUE);
  g_autoptr(SmAlertManager) manager = new_manager (fixture);
  g_autoptr(GPtrArray) rows = NULL;
  SmAlertEventRow *row;

  sm_alert_manager_set_connectivity (manager, FALSE);
  for (guint i = 0; i < 4; i++)
    {
      fixture->now += 30;
      poll_down (manager, web);
    }
  fixture->now += 30;
  sm_alert_manager_set_connectivity (manager, TRUE);
  flush (manager);
  g_assert_cmpuint (fixture->texts->len, ==, 0);
  g_assert_cmpuint (sm_alert_manager_count_active (manager), ==, 0);

  rows = sm_store_list_alert_events (fixture->store, NULL, NULL);
  g_assert_cmpuint (rows->len, ==, 1);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpint (row->kind, ==, SM_ALERT_EVENT_GAP);
  g_assert_cmpint (row->end_time - row->time, ==, 150);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* The desktop: a real notification daemon (python3-dbusmock) on a private
 * bus; "Acknowledge" in the notification acknowledges the alert. */

#define NOTIFY_NAME "org.freedesktop.Notifications"

static guint
count_notify_calls (GDBusConnection *connection)
{
  g_autoptr(GVariant) calls = sm_test_notification_mock_call (connection, "GetCalls", NULL, "(a(tsav))");
  g_autoptr(GVariantIter) iter = NULL;
  const char *method;
  GVariant *args;
  guint64 when;
  guint n = 0;

  g_variant_get (calls, "(a(tsav))", &iter);
  while (g_variant_iter_loop (iter, "(t&s@av)", &when, &method, &args))
    if (g_strcmp0 (method, "Notify") == 0)
      n++;
  return n;
}

static gboolean
alert_acknowledged (SmAlertManager *manager)
{
  g_autoptr(GPtrArray) active = sm_alert_manager_list_active (manager);

  return active->len == 1 &&
         ((SmAlertInfo *) g_ptr_array_index (active, 0))->state == SM_ALERT_STATE_ACKNOWLEDGED;
}

static void
test_desktop_action (Fixture       *fixture,
                     gconstpointer  user_data)
{
  /* Never freed: libnotify keeps the session connection for the life of
   * the process (see test-desktop-notifier.c). */
  GTestDBus *bus;
  g_autoptr(GSubprocess) mock = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(SmServer) web = NULL;
  g_autoptr(SmAlertManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *state = NULL;
  g_autofree char *skip = NULL;

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  mock = sm_test_notification_daemon_start (bus, connection, "body actions", &skip);
  if (mock == NULL)
    {
      g_test_skip (skip);
      g_test_dbus_stop (bus);
      return;
    }

  /* No channel configured: the desktop gets it. */
  web = add_server (fixture, "web-1");
  manager = new_manager (fixture);
  poll_down (manager, web);
  fixture->now += 30;
  poll_down (manager, web);
  flush (manager);
  g_assert_cmpuint (count_notify_calls (connection), ==, 1);

  /* The mock numbers notifications from 1. */
  g_variant_unref (sm_test_notification_mock_call (connection, "EmitSignal",
                              g_variant_new_parsed ("(%s, %s, %s, [<%u>, <%s>])",
                                                    NOTIFY_NAME, "ActionInvoked", "us",
                                                    (guint32) 1, "acknowledge"),
                              NULL));
  sm_test_wait_until (alert_acknowledged (manager));

  db_path = g_build_filename (fixture->dir, "test.db", NULL);
  state = sm_test_sql_text (db_path, "SELECT state FROM alerts");
  g_assert_cmpstr (state, ==, "acknowledged");

  g_assert_finalize_object (g_steal_pointer (&manager));
  g_subprocess_force_exit (mock);
  g_subprocess_wait (mock, NULL, NULL);
  g_test_dbus_stop (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/alert-manager/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("store-and-restore", test_store_and_restore);
  ADD ("retries-across-runs", test_retries_across_runs);
  ADD ("routing", test_routing);
  ADD ("telegram-chart", test_telegram_chart);
  ADD ("check-alerts", test_check_alerts);
  ADD ("connectivity", test_connectivity);
  ADD ("desktop-action", test_desktop_action);
#undef ADD

  return g_test_run ();
}
