/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli.c: the real status-monitor binary, run without a display. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include <cairo.h>

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

  return g_test_run ();
}
