/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli.c: the real status-monitor binary, run without a display. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include <cairo.h>
#include <libsoup/soup.h>

#include "sm-alert-store.h"
#include "sm-history.h"
#include "sm-store.h"
#include "sm-test-util.h"

#define SECRET "s3cr3t-Pa55word-for-cli-test"

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/* Runs the binary with the given arguments, no display, no session bus. */
static void
run_binary (Run        *run,
            const char *first_arg,
            ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("SM_BINARY");
  const char *arg;
  va_list args;

  g_assert_nonnull (binary);
  run_clear (run);

  g_ptr_array_add (argv, (gpointer) binary);
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_setenv (launcher, "SM_VAULT_BACKEND", "file", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  /* The child must not inherit fatal warnings' opposite: keep them fatal. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-warnings", TRUE);

  process = g_subprocess_launcher_spawnv (launcher,
                                          (const char * const *) argv->pdata,
                                          &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL,
                                                &run->out, &run->err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

static char *
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_version_help (void)
{
  Run run = { 0 };

  run_binary (&run, "--version", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "status-monitor " PACKAGE_VERSION "\n");

  run_binary (&run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "--import"));
  g_assert_nonnull (strstr (run.out, "--export"));
  g_assert_nonnull (strstr (run.out, "--list"));
  g_assert_nonnull (strstr (run.out, "--data-dir"));
  g_assert_nonnull (strstr (run.out, "--alerts"));

  run_binary (&run, "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--json goes with --list"));

  run_clear (&run);
}

static void
test_import_list_export (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *bad = NULL;
  g_autofree char *good = NULL;
  g_autofree char *export_path = g_build_filename (dir, "export.json", NULL);
  g_autofree char *db_path = g_build_filename (data_dir, "status-monitor.db", NULL);
  g_autofree char *wal_path = g_build_filename (data_dir, "status-monitor.db-wal", NULL);
  g_autofree char *key_path = g_build_filename (data_dir, "vault.key", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  Run run = { 0 };
  JsonArray *array;
  GStatBuf st;

  bad = write_file (dir, "bad.json",
                    "{\"servers\": ["
                    " {\"name\": \"ok\", \"host\": \"ok.example\", \"auth\": {\"method\": \"agent\"}},"
                    " {\"name\": \"bad\", \"host\": \"bad.example\", \"port\": 65536,"
                    "  \"auth\": {\"method\": \"password\", \"password\": \"" SECRET "\"}}]}");
  good = write_file (dir, "good.json",
                     "{\"servers\": ["
                     " {\"name\": \"alpha\", \"host\": \"alpha.example\", \"username\": \"ops\","
                     "  \"auth\": {\"method\": \"password\", \"password\": \"" SECRET "\"},"
                     "  \"group\": \"Lab\", \"tags\": [\"pi\"], \"interval\": 15},"
                     " {\"name\": \"beta\", \"host\": \"::1\", \"port\": 2200}]}");

  /* An invalid file: exit 2, the message names file, entry and field, and
   * nothing is imported (not even the valid first entry). */
  run_binary (&run, "--data-dir", data_dir, "--import", bad, NULL);
  g_assert_cmpint (run.status, ==, 2);
  expected = g_strdup_printf ("%s: servers[1].port: must be a number from 1 to 65535", bad);
  g_assert_nonnull (strstr (run.err, expected));
  g_assert_null (strstr (run.err, SECRET));

  run_binary (&run, "--data-dir", data_dir, "--list", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==, 0);

  /* A valid file. */
  run_binary (&run, "--data-dir", data_dir, "--import", good, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "2 added"));

  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (sm_test_file_contains (db_path, "alpha.example", strlen ("alpha.example")) ||
                 sm_test_file_contains (wal_path, "alpha.example", strlen ("alpha.example")));
  g_assert_false (sm_test_file_contains (db_path, SECRET, strlen (SECRET)));
  g_assert_false (sm_test_file_contains (wal_path, SECRET, strlen (SECRET)));

  run_binary (&run, "--data-dir", data_dir, "--list", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "NAME"));
  g_assert_nonnull (strstr (run.out, "alpha.example"));
  g_assert_nonnull (strstr (run.out, "2200"));
  g_assert_null (strstr (run.out, SECRET));

  run_binary (&run, "--data-dir", data_dir, "--list", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, SECRET));
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, &error));
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  {
    /* Ungrouped "beta" sorts before group "Lab". */
    JsonObject *beta = json_array_get_object_element (array, 0);
    JsonObject *alpha = json_array_get_object_element (array, 1);

    g_assert_cmpstr (json_object_get_string_member (beta, "name"), ==, "beta");
    g_assert_cmpint (json_object_get_int_member (beta, "port"), ==, 2200);
    g_assert_cmpstr (json_object_get_string_member (alpha, "username"), ==, "ops");
    g_assert_cmpstr (json_object_get_string_member (alpha, "group"), ==, "Lab");
    g_assert_cmpint (json_object_get_int_member (alpha, "interval"), ==, 15);
    g_assert_true (json_object_get_boolean_member (alpha, "enabled"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (alpha, "auth"), "method"), ==, "password");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (alpha, "tags"), 0), ==, "pi");
  }

  run_binary (&run, "--data-dir", data_dir, "--export", export_path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (sm_test_file_contains (export_path, "alpha.example", strlen ("alpha.example")));
  g_assert_false (sm_test_file_contains (export_path, SECRET, strlen (SECRET)));

  /* Re-importing updates by name instead of adding. */
  run_binary (&run, "--data-dir", data_dir, "--import", good, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "2 updated"));

  /* A file that does not exist: exit 1 with the path in the message. */
  run_binary (&run, "--data-dir", data_dir, "--import", "/nonexistent/servers.json", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "/nonexistent/servers.json"));

  run_clear (&run);
  sm_test_rmdir (dir);
}

static void
test_bad_database (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *db_path = g_build_filename (dir, "status-monitor.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len = 0, after_len = 0;
  Run run = { 0 };

  g_assert_true (g_file_set_contents (db_path, "this is not a database, just text\n", -1, NULL));
  g_assert_true (g_file_get_contents (db_path, &before, &before_len, NULL));

  run_binary (&run, "--data-dir", dir, "--list", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, db_path));
  g_assert_cmpstr (run.out, ==, "");

  g_assert_true (g_file_get_contents (db_path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);

  run_clear (&run);
  sm_test_rmdir (dir);
}

/* --check-once polls "This computer" in a fresh data dir and a server
 * that refuses, prints one JSON object per line, exits 1 (one is down). */
static void
test_check_once (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean saw_local = FALSE, saw_refused = FALSE;
  Run run = { 0 };

  /* A port that refuses: bound, never listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  json = g_strdup_printf ("{\"servers\": [{\"name\": \"closed\", \"host\": \"127.0.0.1\","
                          " \"port\": %u, \"auth\": {\"method\": \"agent\"}}]}",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  file = write_file (dir, "closed.json", json);
  run_binary (&run, "--data-dir", dir, "--import", file, NULL);
  g_assert_cmpint (run.status, ==, 0);

  run_binary (&run, "--data-dir", dir, "--check-once", "--json", NULL);
  g_assert_cmpint (run.status, ==, 1);
  lines = g_strsplit (run.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;
      const char *name;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      name = json_object_get_string_member (object, "server");
      g_assert_true (json_object_has_member (object, "latency_ms"));
      if (g_strcmp0 (name, "This Computer") == 0)
        {
          JsonObject *metrics = json_object_get_object_member (object, "metrics");
          double cpu = json_object_get_double_member (metrics, "cpu.percent");

          saw_local = TRUE;
          g_assert_true (g_strcmp0 (json_object_get_string_member (object, "status"), "up") == 0 ||
                         g_strcmp0 (json_object_get_string_member (object, "status"), "degraded") == 0);
          g_assert_true (cpu >= 0 && cpu <= 100);
          g_assert_cmpfloat (json_object_get_double_member (metrics, "mem.total"), >, 0);
          g_assert_true (json_object_has_member (metrics, "disk./.used_percent"));
          g_assert_true (json_object_has_member (metrics, "load.1"));
        }
      else
        {
          g_assert_cmpstr (name, ==, "closed");
          saw_refused = TRUE;
          g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "down");
          g_assert_cmpstr (json_object_get_string_member (object, "reason"), ==, "connection refused");
        }
    }
  g_assert_true (saw_local);
  g_assert_true (saw_refused);

  /* The plain form: one line per server, name first. */
  run_binary (&run, "--data-dir", dir, "--check-once", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.out, "This Computer"));
  g_assert_nonnull (strstr (run.out, "connection refused"));

  /* Usage errors exit 2. */
  run_binary (&run, "--data-dir", dir, "--check-once", "--list", NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_binary (&run, "--data-dir", dir, "--trust-host", "no-such-server", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "no-such-server"));

  run_clear (&run);
  sm_test_rmdir (dir);
}

static void
assert_integrity_ok (const char *path,
                     int         expected_servers)
{
  g_autofree char *check = sm_test_sql_text (path, "PRAGMA integrity_check");

  g_assert_cmpstr (check, ==, "ok");
  g_assert_cmpint (sm_test_sql_int (path, "SELECT count(*) FROM servers"), ==, expected_servers);
}

/* --check-once records history like the app; --render-chart draws it and
 * --backup copies the database. */
static void
test_history (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *file = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *png = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmServer) local = NULL;
  g_autoptr(SmServer) closed = NULL;
  g_autoptr(SmHistoryReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  double uptime = 0;
  Run run = { 0 };

  /* Port 1 on loopback: nothing listens there, the poll fails at once. */
  file = write_file (dir, "closed.json",
                     "{\"servers\": [{\"name\": \"closed\", \"host\": \"127.0.0.1\","
                     " \"port\": 1, \"auth\": {\"method\": \"agent\"}}]}");
  run_binary (&run, "--data-dir", dir, "--import", file, NULL);
  g_assert_cmpint (run.status, ==, 0);
  run_binary (&run, "--data-dir", dir, "--check-once", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_null (strstr (run.err, "History not recorded"));

  db_path = g_build_filename (dir, SM_STORE_FILE_NAME, NULL);
  store = sm_store_open (db_path, NULL, &error);
  g_assert_no_error (error);
  local = sm_store_find_server_by_name (store, "This Computer", &error);
  g_assert_no_error (error);
  closed = sm_store_find_server_by_name (store, "closed", &error);
  g_assert_no_error (error);
  reader = sm_history_reader_new (db_path, &error);
  g_assert_no_error (error);

  g_assert_true (sm_history_reader_get_uptime (reader, sm_server_get_id (local),
                                               now - 3600, now + 60, &uptime, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (uptime, ==, 100);
  g_assert_true (sm_history_reader_get_uptime (reader, sm_server_get_id (closed),
                                               now - 3600, now + 60, &uptime, &error));
  g_assert_cmpfloat (uptime, ==, 0);

  /* A chart of this computer's CPU, as PNG of the asked size and as SVG. */
  png = g_build_filename (dir, "cpu.png", NULL);
  run_binary (&run, "--data-dir", dir, "--render-chart", "This Computer",
              "--metric", "cpu.percent", "--range", "1h", "--output", png,
              "--width", "640", "--height", "240", NULL);
  g_assert_cmpint (run.status, ==, 0);
  surface = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 640);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 240);
  cairo_surface_destroy (surface);

  svg = g_build_filename (dir, "mem.svg", NULL);
  run_binary (&run, "--data-dir", dir, "--render-chart", "This Computer",
              "--metric", "mem.used_percent", "--output", svg, "--dark", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "<svg"));

  /* Mistakes are usage errors (2) that say what is wrong. */
  run_binary (&run, "--data-dir", dir, "--render-chart", "This Computer",
              "--metric", "no.such.metric", "--output", png, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "no.such.metric"));
  g_assert_nonnull (strstr (run.err, "cpu.percent"));
  run_binary (&run, "--data-dir", dir, "--render-chart", "This Computer",
              "--metric", "cpu.percent", "--range", "2w", "--output", png, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "2w"));
  run_binary (&run, "--data-dir", dir, "--render-chart", "This Computer",
              "--metric", "cpu.percent", "--output", "chart.jpg", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, ".png or .svg"));
  run_binary (&run, "--data-dir", dir, "--render-chart", "nobody",
              "--metric", "cpu.percent", "--output", png, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "nobody"));
  run_binary (&run, "--data-dir", dir, "--render-chart", "This Computer",
              "--metric", "cpu.percent", "--output", png, "--width", "5", NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_binary (&run, "--data-dir", dir, "--metric", "cpu.percent", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--render-chart"));

  /* A backup is a complete database of its own. */
  backup = g_build_filename (dir, "backup.db", NULL);
  run_binary (&run, "--data-dir", dir, "--backup", backup, NULL);
  g_assert_cmpint (run.status, ==, 0);
  assert_integrity_ok (backup, 2);
  run_binary (&run, "--data-dir", dir, "--backup", "/nonexistent-dir/backup.db", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "/nonexistent-dir"));

  run_clear (&run);
  sm_test_rmdir (dir);
}

/* Runs the binary without blocking this thread: the main context is
 * iterated (a stand-in server in this process can answer) until it exits. */
typedef struct {
  Run      *run;
  gboolean  done;
} AsyncRun;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncRun *async = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                                       &async->run->out, &async->run->err,
                                                       &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (G_SUBPROCESS (source)));
  async->run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  async->done = TRUE;
}

static void
run_binary_async (Run        *run,
                  const char *first_arg,
                  ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("SM_BINARY");
  AsyncRun async = { run, FALSE };
  const char *arg;
  va_list args;

  g_assert_nonnull (binary);
  run_clear (run);

  g_ptr_array_add (argv, (gpointer) binary);
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_setenv (launcher, "SM_VAULT_BACKEND", "file", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-warnings", TRUE);

  process = g_subprocess_launcher_spawnv (launcher,
                                          (const char * const *) argv->pdata,
                                          &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, &async);
  sm_test_wait_until (async.done);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

/* Seeds two open alerts and a resolved one through the store API, as the
 * app would have stored them. */
static void
seed_alerts (const char *data_dir,
             gint64      since)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmServer) server = sm_server_new ();
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_event_free);
  g_autofree char *id = NULL;
  struct {
    gint64        alert_id;
    const char   *target;
    const char   *title;
    SmSeverity    severity;
    SmAlertState  to;
    double        value;
  } seeds[] = {
    { 1, "cpu.percent", "cpu.percent > 90", SM_SEVERITY_CRITICAL, SM_ALERT_STATE_FIRING, 97.5 },
    { 2, "mem.used_percent", "mem.used_percent > 90", SM_SEVERITY_WARNING, SM_ALERT_STATE_PENDING, 91.25 },
    { 3, "disk./.used_percent", "disk./.used_percent > 90", SM_SEVERITY_CRITICAL, SM_ALERT_STATE_RESOLVED, 50 },
  };

  store = sm_store_open_data_dir (data_dir, NULL, &error);
  g_assert_no_error (error);
  sm_server_set_name (server, "web-1");
  sm_server_set_host (server, "web1.example.org");
  g_assert_true (sm_store_save_server (store, server, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);
  id = g_strdup_printf ("%" G_GINT64_FORMAT, sm_server_get_id (server));

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      SmAlertEvent *event = g_new0 (SmAlertEvent, 1);

      event->kind = SM_ALERT_EVENT_TRANSITION;
      event->alert_id = seeds[i].alert_id;
      event->rule_id = g_strdup_printf ("%s/cpu", id);
      event->server_id = g_strdup (id);
      event->target = g_strdup (seeds[i].target);
      event->from = SM_ALERT_STATE_INACTIVE;
      event->to = seeds[i].to;
      event->time = since;
      event->value = seeds[i].value;
      event->message = g_strdup ("seeded");
      event->title = g_strdup (seeds[i].title);
      event->severity = seeds[i].severity;
      event->since = since;
      event->firing_since = seeds[i].to == SM_ALERT_STATE_FIRING ? since : 0;
      g_ptr_array_add (events, event);
    }
  g_assert_true (sm_store_record_alert_events (store, events, &error));
  g_assert_no_error (error);
}

static void
test_alerts (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) since_local = NULL;
  g_autofree char *since_text = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 since = g_get_real_time () / G_USEC_PER_SEC - 600;
  Run run = { 0 };

  /* Nothing open. */
  run_binary (&run, "--data-dir", empty, "--alerts", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "No active alerts.\n");
  run_binary (&run, "--data-dir", empty, "--alerts", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");

  seed_alerts (data_dir, since);

  /* A table: header, then the open alerts (not the resolved one). */
  run_binary (&run, "--data-dir", data_dir, "--alerts", NULL);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], "SEVERITY"));
  g_assert_nonnull (strstr (lines[0], "SERVER"));
  g_assert_nonnull (strstr (lines[0], "WHAT"));
  g_assert_nonnull (strstr (lines[0], "STATE"));
  g_assert_nonnull (strstr (lines[0], "SINCE"));
  g_assert_nonnull (strstr (lines[0], "VALUE"));
  g_assert_null (strstr (run.out, "disk./"));
  since_local = g_date_time_new_from_unix_local (since);
  since_text = g_date_time_format (since_local, "%Y-%m-%d %H:%M");
  for (guint i = 1; i <= 2; i++)
    {
      g_assert_nonnull (strstr (lines[i], "web-1"));
      g_assert_nonnull (strstr (lines[i], since_text));
    }
  g_assert_true (g_str_has_prefix (lines[1], "critical"));
  g_assert_nonnull (strstr (lines[1], "cpu.percent > 90"));
  g_assert_nonnull (strstr (lines[1], "firing"));
  g_assert_true (g_str_has_suffix (lines[1], "97.5"));
  g_assert_true (g_str_has_prefix (lines[2], "warning"));
  g_assert_nonnull (strstr (lines[2], "pending"));
  g_assert_true (g_str_has_suffix (lines[2], "91.25"));
  /* Columns line up. */
  {
    gsize offset = strstr (lines[0], "STATE") - lines[0];

    g_assert_true (g_str_has_prefix (lines[1] + offset, "firing"));
    g_assert_true (g_str_has_prefix (lines[2] + offset, "pending"));
  }
  g_clear_pointer (&lines, g_strfreev);

  /* JSON: one object per line. */
  run_binary (&run, "--data-dir", data_dir, "--alerts", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[2], ==, "");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GDateTime) parsed = NULL;
      JsonObject *object;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpint (json_object_get_int_member (object, "alert_id"), ==, i + 1);
      g_assert_cmpstr (json_object_get_string_member (object, "server"), ==, "web-1");
      g_assert_cmpstr (json_object_get_string_member (object, "severity"), ==,
                       i == 0 ? "critical" : "warning");
      g_assert_cmpstr (json_object_get_string_member (object, "state"), ==,
                       i == 0 ? "firing" : "pending");
      g_assert_cmpstr (json_object_get_string_member (object, "target"), ==,
                       i == 0 ? "cpu.percent" : "mem.used_percent");
      g_assert_cmpstr (json_object_get_string_member (object, "title"), ==,
                       i == 0 ? "cpu.percent > 90" : "mem.used_percent > 90");
      g_assert_cmpfloat (json_object_get_double_member (object, "value"), ==,
                         i == 0 ? 97.5 : 91.25);
      parsed = g_date_time_new_from_iso8601 (json_object_get_string_member (object, "since"), NULL);
      g_assert_nonnull (parsed);
      g_assert_cmpint (g_date_time_to_unix (parsed), ==, since);
    }

  /* Usage errors. */
  run_binary (&run, "--data-dir", data_dir, "--alerts", "--list", NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_binary (&run, "--data-dir", data_dir, "--alerts", "--check-once", NULL);
  g_assert_cmpint (run.status, ==, 2);

  run_clear (&run);
  sm_test_rmdir (dir);
}

/* A Bot API stand-in on 127.0.0.1 that records every request. */
typedef struct {
  char *path;
  char *body;
} BotRequest;

typedef struct {
  GPtrArray *requests;   /* BotRequest */
  gboolean   refuse;
} BotApi;

static void
bot_request_free (gpointer data)
{
  BotRequest *request = data;

  g_free (request->path);
  g_free (request->body);
  g_free (request);
}

static void
bot_api_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  BotApi *api = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  BotRequest *request = g_new0 (BotRequest, 1);
  const char *answer = "{\"ok\":true,\"result\":{\"message_id\":1}}";
  guint status = SOUP_STATUS_OK;

  (void) server;
  (void) query;

  request->path = g_strdup (path);
  request->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_ptr_array_add (api->requests, request);

  /* A refusal is final: the channel does not retry it. */
  if (api->refuse)
    {
      status = SOUP_STATUS_BAD_REQUEST;
      answer = "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}";
    }
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    answer, strlen (answer));
}

#define BOT_TOKEN "123456:CLI-SECRET-tok_en"

/* --check-once evaluates the rules and sends the notifications before it
 * exits: a server on a closed port fires "unreachable" at once, and the
 * stand-in has the one sendMessage by the time the process is gone. */
static void
test_check_once_alerts (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_autofree char *base = NULL;
  g_autoptr(SoupServer) soup = NULL;
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (bot_request_free);
  BotApi api = { requests, FALSE };
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  BotRequest *request;
  JsonObject *payload;
  GSList *uris;
  Run run = { 0 };

  soup = soup_server_new (NULL, NULL);
  soup_server_add_handler (soup, NULL, bot_api_cb, &api, NULL);
  soup_server_listen (soup, address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (soup);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* A port that refuses: bound, never listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  /* The channel is not a default one: only the rule that names it sends
   * there (the server's default rules have no channel of their own). */
  json = g_strdup_printf ("{\"servers\": [{\"name\": \"closed\", \"host\": \"127.0.0.1\","
                          "  \"port\": %u, \"auth\": {\"method\": \"agent\"}}],"
                          " \"channels\": [{\"name\": \"tg\", \"type\": \"telegram\","
                          "  \"bot_token\": \"" BOT_TOKEN "\", \"chat_id\": \"42\","
                          "  \"api_base\": \"%s\", \"default\": false}],"
                          " \"rules\": [{\"id\": \"r-closed-down\", \"server\": \"closed\","
                          "  \"metric\": \"state.unreachable\", \"severity\": \"critical\","
                          "  \"channels\": [\"tg\"]}]}",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)),
                          base);
  file = write_file (dir, "alerts.json", json);
  run_binary (&run, "--data-dir", dir, "--import", file, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "1 rules (1 added, 0 updated)"));

  run_binary_async (&run, "--data-dir", dir, "--check-once", NULL);
  /* Exit 1: a server is down; the notification went out all the same. */
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.out, "connection refused"));
  g_assert_null (strstr (run.out, BOT_TOKEN));
  g_assert_null (strstr (run.err, BOT_TOKEN));
  g_assert_null (strstr (run.err, "failed"));

  g_assert_cmpuint (requests->len, ==, 1);
  request = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (request->path, ==, "/bot" BOT_TOKEN "/sendMessage");
  g_assert_true (json_parser_load_from_data (parser, request->body, -1, &error));
  g_assert_no_error (error);
  payload = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (payload, "chat_id"), ==, "42");
  g_assert_nonnull (strstr (json_object_get_string_member (payload, "text"), "closed"));

  /* The alert is open in the store... */
  run_binary (&run, "--data-dir", dir, "--alerts", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "closed"));
  g_assert_nonnull (strstr (run.out, "critical"));
  g_assert_nonnull (strstr (run.out, "firing"));

  /* ...so the next check does not tell it again. */
  run_binary_async (&run, "--data-dir", dir, "--check-once", "--json", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpuint (requests->len, ==, 1);

  /* Telegram refuses a new alert's message: the failure is printed with
   * the channel's name, without the token, and the exit status still says
   * "a server is down" (1), nothing more. */
  {
    g_autofree char *file2 =
      write_file (dir, "more.json",
                  "{\"rules\": [{\"id\": \"r-closed-down-2\", \"server\": \"closed\","
                  " \"metric\": \"state.unreachable\", \"channels\": [\"tg\"]}]}");

    run_binary (&run, "--data-dir", dir, "--import", file2, NULL);
    g_assert_cmpint (run.status, ==, 0);
  }
  api.refuse = TRUE;
  run_binary_async (&run, "--data-dir", dir, "--check-once", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpuint (requests->len, ==, 2);
  g_assert_nonnull (strstr (run.err, "Notification through “tg” failed"));
  g_assert_nonnull (strstr (run.err, "chat not found"));
  g_assert_null (strstr (run.err, BOT_TOKEN));

  soup_server_disconnect (soup);

  run_clear (&run);
  sm_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/version-help", test_version_help);
  g_test_add_func ("/cli/import-list-export", test_import_list_export);
  g_test_add_func ("/cli/bad-database", test_bad_database);
  g_test_add_func ("/cli/check-once", test_check_once);
  g_test_add_func ("/cli/history", test_history);
  g_test_add_func ("/cli/alerts", test_alerts);
  g_test_add_func ("/cli/check-once-alerts", test_check_once_alerts);

  return g_test_run ();
}
