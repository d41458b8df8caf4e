/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-check-batch.c: every kind of check run once, as `--check-once`
 * runs them, against real collaborators on loopback: a plugin script
 * behind a real sshd that exits 0/1/2/3 with perfdata, a log file
 * appended to and rotated between runs, an HTTP server, open and closed
 * ports, and a heartbeat that never came.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "sm-check-batch.h"
#include "sm-check-store.h"
#include "sm-test-sshd.h"
#include "sm-test-util.h"

typedef struct {
  GHashTable *results;   /* check name -> SmCheckResult */
  gboolean    done;
  guint       n_run;
} Run;

static void
each_cb (SmServer            *server,
         const SmCheck       *check,
         const SmCheckResult *result,
         gpointer             user_data)
{
  Run *run = user_data;

  g_hash_table_insert (run->results, g_strdup (check->name), sm_check_result_copy (result));
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  run->n_run = sm_check_batch_run_finish (result, &error);
  g_assert_no_error (error);
  run->done = TRUE;
}

static GHashTable *
run_checks (SmStore         *store,
            SmServer        *server,
            const char      *dir,
            SmHistoryWriter *history)
{
  g_autoptr(GPtrArray) servers = g_ptr_array_new ();
  g_autofree char *known_hosts = g_build_filename (dir, "known_hosts", NULL);
  Run run = { 0 };

  run.results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) sm_check_result_free);
  g_ptr_array_add (servers, server);
  sm_check_batch_run_async (store, servers, known_hosts, history, each_cb, &run, NULL, done_cb, &run);
  /* Plugins over SSH can take a while on a loaded machine. */
  sm_test_wait_until (run.done);
  g_assert_cmpuint (run.n_run, ==, g_hash_table_size (run.results));
  return run.results;
}

static SmCheckResult *
result_of (GHashTable *results,
           const char *name)
{
  SmCheckResult *result = g_hash_table_lookup (results, name);

  if (result == NULL)
    g_error ("no result for check “%s”", name);
  return result;
}

static void
add_check (SmStore    *store,
           SmServer   *server,
           const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autofree char *problem = NULL;
  g_autoptr(SmCheck) check = sm_check_from_json (node, &problem);
  g_autoptr(GError) error = NULL;

  g_assert_null (problem);
  check->server_id = sm_server_get_id (server);
  g_assert_true (sm_store_save_check (store, check, &error));
  g_assert_no_error (error);
}

static void
write_file (const char *path,
            const char *text,
            int         mode)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
append_file (const char *path,
             const char *text)
{
  FILE *file = fopen (path, "a");

  g_assert_nonnull (file);
  fputs (text, file);
  fclose (file);
}

/* The plugin: exits with the code in the file next to it, and prints a
 * status line with perfdata and a long output line with more. */
static const char plugin_script[] =
  "#!/bin/sh\n"
  "dir=$(dirname \"$0\")\n"
  "code=$(cat \"$dir/code\")\n"
  "case $code in\n"
  "  0) echo \"LOAD OK - load average: 0.42|load1=0.42;5;10;0 'disk /'=73%;90;95\";;\n"
  "  1) echo \"LOAD WARNING - load average: 6.10|load1=6.1;5;10;0\";;\n"
  "  2) echo \"LOAD CRITICAL - load average: 12.00|load1=12;5;10;0\";;\n"
  "  *) echo \"LOAD UNKNOWN - cannot read /proc/loadavg\";;\n"
  "esac\n"
  "echo \"second line | uptime=3600s\"\n"
  "exit $code\n";

static void
test_ssh_checks (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *files = sm_test_mkdtemp ();
  g_autofree char *skip = NULL;
  g_autofree char *key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *plugin = g_build_filename (files, "check_load", NULL);
  g_autofree char *code = g_build_filename (files, "code", NULL);
  g_autofree char *log = g_build_filename (files, "app log", NULL);
  g_autofree char *rotated = g_build_filename (files, "app log.1", NULL);
  g_autofree char *json = NULL;
  g_autoptr(SmTestSshd) sshd = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmServer) server = NULL;
  g_autoptr(GHashTable) results = NULL;
  SmCheckResult *result;

  sshd = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  if (sshd == NULL)
    {
      g_test_skip (skip);
      return;
    }
  key = sm_test_sshd_add_client_key (sshd, "ed25519", NULL);
  fingerprint = sm_test_sshd_dup_fingerprint (sshd);

  /* The test user reads these. */
  g_assert_cmpint (g_chmod (files, 0755), ==, 0);
  write_file (plugin, plugin_script, 0755);
  write_file (code, "0\n", 0644);
  write_file (log, "old error before the first run\n", 0644);

  store = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);
  server = sm_test_sshd_add_server (sshd, store, "sshd", key, fingerprint);

  json = g_strdup_printf ("{\"type\":\"command\",\"name\":\"load\",\"command\":\"'%s' -w 5 -c 10\"}", plugin);
  add_check (store, server, json);
  g_free (json);
  json = g_strdup_printf ("{\"type\":\"log\",\"name\":\"log\",\"path\":\"%s\",\"patterns\":[\"error\",\"segfault\"],\"keep\":2}",
                          log);
  add_check (store, server, json);
  add_check (store, server, "{\"type\":\"command\",\"name\":\"missing\",\"command\":\"/nonexistent/check_x\"}");
  add_check (store, server, "{\"type\":\"command\",\"name\":\"regex\",\"command\":\"echo OK - all good\","
                            "\"regex\":\"^CRITICAL\"}");

  /* Exit 0 with perfdata: UP, metrics from the first and later lines. */
  results = run_checks (store, server, dir, NULL);
  result = result_of (results, "load");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  g_assert_cmpstr (result->reason, ==, "LOAD OK - load average: 0.42");
  g_assert_cmpfloat_with_epsilon (sm_check_result_get_metric (result, "perf.load1"), 0.42, 1e-9);
  g_assert_cmpfloat_with_epsilon (sm_check_result_get_metric (result, "perf.disk_"), 73, 1e-9);
  g_assert_cmpfloat_with_epsilon (sm_check_result_get_metric (result, "perf.uptime"), 3600, 1e-9);
  g_assert_true (isfinite (result->timing.total_ms));
  result = result_of (results, "missing");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UNKNOWN);
  g_assert_nonnull (strstr (result->reason, "127"));
  result = result_of (results, "regex");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  /* The first run starts at the end of the log: nothing old counts. */
  result = result_of (results, "log");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  g_assert_cmpfloat (sm_check_result_get_metric (result, "matches"), ==, 0);
  g_clear_pointer (&results, g_hash_table_unref);

  /* 1, 2, 3: DEGRADED, DOWN, UNKNOWN; lines appended in between count. */
  write_file (code, "1\n", 0644);
  append_file (log, "all fine\nan error happened\nsegfault in worker\nfine again\n");
  results = run_checks (store, server, dir, NULL);
  g_assert_cmpint (result_of (results, "load")->status, ==, SM_CHECK_STATUS_DEGRADED);
  g_assert_cmpfloat (sm_check_result_get_metric (result_of (results, "load"), "perf.load1"), ==, 6.1);
  result = result_of (results, "log");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpfloat (sm_check_result_get_metric (result, "matches"), ==, 2);
  g_assert_cmpuint (result->lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (result->lines, 1), ==, "segfault in worker");
  g_clear_pointer (&results, g_hash_table_unref);

  /* Nothing new: no matches. Then the log is rotated: the new file is
   * read from its start. */
  write_file (code, "2\n", 0644);
  results = run_checks (store, server, dir, NULL);
  g_assert_cmpint (result_of (results, "load")->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpint (result_of (results, "log")->status, ==, SM_CHECK_STATUS_UP);
  g_clear_pointer (&results, g_hash_table_unref);

  write_file (code, "3\n", 0644);
  g_assert_cmpint (g_rename (log, rotated), ==, 0);
  write_file (log, "error after rotation\n", 0644);
  results = run_checks (store, server, dir, NULL);
  g_assert_cmpint (result_of (results, "load")->status, ==, SM_CHECK_STATUS_UNKNOWN);
  g_assert_cmpstr (result_of (results, "load")->reason, ==, "LOAD UNKNOWN - cannot read /proc/loadavg");
  result = result_of (results, "log");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpfloat (sm_check_result_get_metric (result, "matches"), ==, 1);
  g_clear_pointer (&results, g_hash_table_unref);

  /* The latest result of each check is stored. */
  {
    g_autoptr(GPtrArray) checks = sm_store_list_checks (store, sm_server_get_id (server), &error);

    for (guint i = 0; i < checks->len; i++)
      {
        SmCheck *check = g_ptr_array_index (checks, i);
        g_autoptr(SmCheckResult) stored = sm_store_get_check_result (store, check->id, &error);

        g_assert_no_error (error);
        g_assert_nonnull (stored);
      }
  }

  /* sshd gone: each SSH check says why, none hangs. */
  sm_test_sshd_kill (sshd);
  results = run_checks (store, server, dir, NULL);
  result = result_of (results, "load");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UNKNOWN);
  g_assert_true (g_str_has_prefix (result->reason, "SSH: "));
  g_clear_pointer (&results, g_hash_table_unref);

  sm_test_rmdir (files);
  sm_test_rmdir (dir);
}

/* Network checks and a heartbeat, with the history written. */

static void
http_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  static const char body[] = "status: ok\n";

  if (g_str_equal (path, "/health"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, body, strlen (body));
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
}

static void
test_network_checks (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autoptr(SoupServer) http = soup_server_new (NULL, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmServer) server = NULL;
  g_autoptr(GHashTable) results = NULL;
  g_autoptr(SmHistoryWriter) history = NULL;
  g_autoptr(GSocket) closed = NULL;
  g_autofree char *json = NULL;
  guint port;
  guint closed_port;
  SmCheckResult *result;
  GSList *uris;

  soup_server_add_handler (http, NULL, http_cb, NULL, NULL);
  g_assert_true (soup_server_listen (http, address, 0, &error));
  uris = soup_server_get_uris (http);
  port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* A port nothing listens on: bound, then closed. */
  closed = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_true (g_socket_bind (closed, address, TRUE, &error));
  {
    g_autoptr(GSocketAddress) bound = g_socket_get_local_address (closed, &error);

    closed_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  g_socket_close (closed, NULL);

  store = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);
  server = sm_server_new ();
  sm_server_set_name (server, "web");
  sm_server_set_host (server, "127.0.0.1");
  g_assert_true (sm_store_save_server (store, server, SM_SECRET_KEEP, NULL, &error));
  history = sm_history_writer_new (sm_store_get_path (store), &error);
  g_assert_no_error (error);

  json = g_strdup_printf ("{\"type\":\"http\",\"name\":\"health\",\"url\":\"http://127.0.0.1:%u/health\",\"keyword\":\"ok\"}", port);
  add_check (store, server, json);
  g_free (json);
  json = g_strdup_printf ("{\"type\":\"http\",\"name\":\"broken\",\"url\":\"http://127.0.0.1:%u/x\"}", port);
  add_check (store, server, json);
  g_free (json);
  json = g_strdup_printf ("{\"type\":\"tcp\",\"name\":\"open\",\"port\":%u}", port);
  add_check (store, server, json);
  g_free (json);
  json = g_strdup_printf ("{\"type\":\"tcp\",\"name\":\"closed\",\"port\":%u}", closed_port);
  add_check (store, server, json);
  add_check (store, server, "{\"type\":\"heartbeat\",\"name\":\"nightly\",\"interval\":3600,\"grace\":300}");
  add_check (store, server, "{\"type\":\"tcp\",\"name\":\"off\",\"port\":1,\"enabled\":false}");

  results = run_checks (store, server, dir, history);
  g_assert_cmpuint (g_hash_table_size (results), ==, 5);
  result = result_of (results, "health");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  g_assert_cmpuint (result->http_status, ==, 200);
  result = result_of (results, "broken");
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (result->reason, ==, "status 503");
  g_assert_cmpint (result_of (results, "open")->status, ==, SM_CHECK_STATUS_UP);
  g_assert_cmpint (result_of (results, "closed")->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (result_of (results, "closed")->reason, ==, "connection refused");
  /* A heartbeat check seen for the first time has its interval ahead. */
  g_assert_cmpint (result_of (results, "nightly")->status, ==, SM_CHECK_STATUS_UP);

  /* Up/down and latency of each check went into the history. */
  g_assert_true (sm_history_writer_flush (history, &error));
  g_assert_no_error (error);
  {
    g_autoptr(SmHistoryReader) reader = sm_history_reader_new (sm_store_get_path (store), &error);
    g_autoptr(GPtrArray) metrics = sm_history_reader_list_metrics (reader, sm_server_get_id (server), &error);
    guint n_up = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < metrics->len; i++)
      if (g_str_has_suffix (g_ptr_array_index (metrics, i), ".up"))
        n_up++;
    g_assert_cmpuint (n_up, ==, 5);
  }

  soup_server_disconnect (http);
  sm_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/check-batch/ssh", test_ssh_checks);
  g_test_add_func ("/check-batch/network", test_network_checks);

  return g_test_run ();
}
