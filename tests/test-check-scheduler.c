/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-check-scheduler.c: the app's check scheduler: "Run now" for a
 * network check and a command check over a real sshd (the session kept
 * between runs), a pushed heartbeat, results stored and signalled, and a
 * shutdown while checks run.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sm-check-scheduler.h"
#include "sm-check-store.h"
#include "sm-test-sshd.h"
#include "sm-test-util.h"

typedef struct {
  GHashTable *results;   /* check name -> SmCheckResult (the latest) */
  guint       n;
} Finished;

static void
finished_cb (SmCheckScheduler *scheduler,
             SmServer         *server,
             gpointer          check_data,
             gpointer          result_data,
             Finished         *finished)
{
  const SmCheck *check = check_data;
  const SmCheckResult *result = result_data;

  g_hash_table_insert (finished->results, g_strdup (check->name), sm_check_result_copy (result));
  finished->n++;
}

static SmCheck *
add_check (SmStore    *store,
           SmServer   *server,
           const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autofree char *problem = NULL;
  SmCheck *check = sm_check_from_json (node, &problem);
  g_autoptr(GError) error = NULL;

  g_assert_null (problem);
  check->server_id = sm_server_get_id (server);
  g_assert_true (sm_store_save_check (store, check, &error));
  g_assert_no_error (error);
  return check;
}

static void
slow_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  static const char body[] = "ok";

  /* /hang never answers (the shutdown test); the rest answer at once. */
  if (g_str_equal (path, "/hang"))
    {
      soup_server_message_pause (msg);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
test_run_now (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *skip = NULL;
  g_autofree char *key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *json = NULL;
  g_autoptr(SoupServer) http = soup_server_new (NULL, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(SmTestSshd) sshd = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmServer) server = NULL;
  g_autoptr(SmCheckScheduler) scheduler = NULL;
  g_autoptr(SmCheck) web = NULL;
  g_autoptr(SmCheck) command = NULL;
  g_autoptr(SmCheck) beat = NULL;
  g_autoptr(SmCheck) hang = NULL;
  g_autoptr(SmCheck) slow = NULL;
  g_autoptr(SmCheckResult) stored = NULL;
  Finished finished = { 0 };
  SmCheckResult *result;
  GSList *uris;
  guint port;

  sshd = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  if (sshd == NULL)
    {
      g_test_skip (skip);
      return;
    }
  key = sm_test_sshd_add_client_key (sshd, "ed25519", NULL);
  fingerprint = sm_test_sshd_dup_fingerprint (sshd);

  soup_server_add_handler (http, NULL, slow_cb, NULL, NULL);
  g_assert_true (soup_server_listen (http, address, 0, &error));
  uris = soup_server_get_uris (http);
  port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  store = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);
  server = sm_test_sshd_add_server (sshd, store, "sshd", key, fingerprint);

  json = g_strdup_printf ("{\"type\":\"http\",\"name\":\"web\",\"url\":\"http://127.0.0.1:%u/\"}", port);
  web = add_check (store, server, json);
  g_free (json);
  command = add_check (store, server, "{\"type\":\"command\",\"name\":\"cmd\","
                                      "\"command\":\"echo 'OK - fine|x=1;2;3' && exit 0\"}");
  beat = add_check (store, server, "{\"type\":\"heartbeat\",\"name\":\"beat\",\"interval\":3600}");
  json = g_strdup_printf ("{\"type\":\"http\",\"name\":\"hang\",\"url\":\"http://127.0.0.1:%u/hang\"}", port);
  hang = add_check (store, server, json);
  /* Keeps the server's session busy; cancelled by the shutdown. */
  slow = add_check (store, server, "{\"type\":\"command\",\"name\":\"slow\",\"command\":\"sleep 30\"}");

  finished.results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) sm_check_result_free);
  scheduler = sm_check_scheduler_new (store, dir);
  sm_check_scheduler_set_timers (scheduler, FALSE);
  g_signal_connect (scheduler, "check-finished", G_CALLBACK (finished_cb), &finished);
  sm_check_scheduler_add_server (scheduler, server);

  /* Run now: the HTTP check. */
  g_assert_true (sm_check_scheduler_run_now (scheduler, web->id));
  sm_test_wait_until (g_hash_table_contains (finished.results, "web"));
  result = g_hash_table_lookup (finished.results, "web");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  stored = sm_store_get_check_result (store, web->id, &error);
  g_assert_nonnull (stored);
  g_assert_cmpint (stored->status, ==, SM_CHECK_STATUS_UP);

  /* The command twice, through the same kept session. */
  for (guint i = 0; i < 2; i++)
    {
      guint before = finished.n;

      g_assert_true (sm_check_scheduler_run_now (scheduler, command->id));
      sm_test_wait_until (finished.n > before);
      result = g_hash_table_lookup (finished.results, "cmd");
      g_assert_nonnull (result);
      g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
      g_assert_cmpstr (result->reason, ==, "OK - fine");
      g_assert_cmpfloat (sm_check_result_get_metric (result, "perf.x"), ==, 1);
    }
  {
    g_autofree char *log = NULL;
    g_autoptr(GRegex) accepted = g_regex_new ("Accepted publickey", 0, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;
    guint logins = 0;

    g_assert_true (g_file_get_contents (sm_test_sshd_get_log (sshd), &log, NULL, NULL));
    for (g_regex_match (accepted, log, 0, &match); g_match_info_matches (match);
         g_match_info_next (match, NULL))
      logins++;
    g_assert_cmpuint (logins, ==, 1);
  }

  /* A pushed heartbeat: UP with the sender's message, stored. */
  sm_check_scheduler_note_heartbeat (scheduler, beat->id, "down", "backup failed: disk full");
  result = g_hash_table_lookup (finished.results, "beat");
  g_assert_nonnull (result);
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (result->reason, ==, "backup failed: disk full");
  g_clear_pointer (&stored, sm_check_result_free);
  stored = sm_store_get_check_result (store, beat->id, &error);
  g_assert_cmpstr (stored->reason, ==, "backup failed: disk full");
  {
    g_autofree char *state = sm_store_load_check_state (store, beat->id, &error);

    g_assert_nonnull (strstr (state, "\"last_ping\":"));
  }
  /* Unknown checks are refused. */
  g_assert_false (sm_check_scheduler_run_now (scheduler, 987654));

  /* A command waiting behind a long one when the server's checks are
   * reloaded: the waiting one ends at once, the long one on its own. */
  g_assert_true (sm_check_scheduler_run_now (scheduler, slow->id));
  g_assert_true (sm_check_scheduler_run_now (scheduler, command->id));
  g_assert_cmpuint (sm_check_scheduler_get_n_running (scheduler), ==, 2);
  sm_check_scheduler_add_server (scheduler, server);
  g_assert_cmpuint (sm_check_scheduler_get_n_running (scheduler), ==, 1);

  /* Shut down while checks hang: no signal after, nothing leaks. */
  g_assert_true (sm_check_scheduler_run_now (scheduler, hang->id));
  g_assert_true (sm_check_scheduler_run_now (scheduler, slow->id));
  g_assert_true (sm_check_scheduler_run_now (scheduler, command->id));
  g_assert_cmpuint (sm_check_scheduler_get_n_running (scheduler), ==, 4);
  {
    guint before = finished.n;

    sm_check_scheduler_shutdown (scheduler);
    g_object_add_weak_pointer (G_OBJECT (scheduler), (gpointer *) &scheduler);
    g_object_unref (scheduler);
    sm_test_wait_until (scheduler == NULL);
    g_assert_cmpuint (finished.n, ==, before);
  }

  soup_server_disconnect (http);
  g_hash_table_unref (finished.results);
  sm_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/check-scheduler/run-now", test_run_now);

  return g_test_run ();
}
