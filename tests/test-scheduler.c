/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scheduler.c: status classification, backoff, and real polls of
 * "This computer" through the worker pool. */
#include "config.h"

#include <math.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <string.h>

#include "sm-scheduler.h"
#include "sm-ssh-session.h"
#include "sm-test-sshd.h"
#include "sm-test-util.h"
#include "sm-vault.h"

static void
test_classify_errors (void)
{
  struct {
    int             code;
    SmServerStatus  status;
    const char     *reason;
  } cases[] = {
    { SM_SSH_ERROR_REFUSED, SM_SERVER_STATUS_DOWN, "connection refused" },
    { SM_SSH_ERROR_AUTH_FAILED, SM_SERVER_STATUS_DOWN, "authentication failed" },
    { SM_SSH_ERROR_HOST_KEY_CHANGED, SM_SERVER_STATUS_DOWN, "host key changed" },
    { SM_SSH_ERROR_TIMEOUT, SM_SERVER_STATUS_DOWN, "timed out" },
    { SM_SSH_ERROR_HOST_KEY_UNKNOWN, SM_SERVER_STATUS_UNKNOWN, "host key not trusted yet" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (SM_SSH_ERROR, cases[i].code, "detail");
      g_autofree char *reason = NULL;

      g_assert_cmpint (sm_poll_classify (NULL, error, &reason), ==, cases[i].status);
      g_assert_cmpstr (reason, ==, cases[i].reason);
    }
}

static void
test_classify_results (void)
{
  g_autoptr(SmPollResult) ok = sm_poll_result_new ();
  g_autoptr(SmPollResult) full = sm_poll_result_new ();
  g_autoptr(SmPollResult) memory = sm_poll_result_new ();
  g_autoptr(SmPollResult) unit = sm_poll_result_new ();
  g_autofree char *reason = NULL;
  SmUnit *failed;

  sm_poll_result_add_metric (ok, "cpu.percent", 12.5);
  sm_poll_result_add_metric (ok, "disk./.used_percent", 89.9);
  sm_poll_result_add_metric (ok, "disk./.inodes_used_percent", 99.0);
  sm_poll_result_add_metric (ok, "mem.used_percent", 94.9);
  g_assert_cmpint (sm_poll_classify (ok, NULL, &reason), ==, SM_SERVER_STATUS_UP);
  g_assert_cmpstr (reason, ==, "up");
  g_clear_pointer (&reason, g_free);

  sm_poll_result_add_metric (full, "disk./.used_percent", 50.0);
  sm_poll_result_add_metric (full, "disk./var/lib/data.used_percent", 97.4);
  sm_poll_result_add_metric (full, "disk./home.used_percent", 91.0);
  g_assert_cmpint (sm_poll_classify (full, NULL, &reason), ==, SM_SERVER_STATUS_DEGRADED);
  g_assert_cmpstr (reason, ==, "disk /var/lib/data 97% full");
  g_clear_pointer (&reason, g_free);

  sm_poll_result_add_metric (memory, "mem.used_percent", 96.0);
  g_assert_cmpint (sm_poll_classify (memory, NULL, &reason), ==, SM_SERVER_STATUS_DEGRADED);
  g_assert_cmpstr (reason, ==, "memory 96% used");
  g_clear_pointer (&reason, g_free);

  unit->units = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_unit_free);
  failed = g_new0 (SmUnit, 1);
  failed->unit = g_strdup ("backup.service");
  failed->active = g_strdup ("failed");
  failed->sub = g_strdup ("failed");
  g_ptr_array_add (unit->units, failed);
  g_assert_cmpint (sm_poll_classify (unit, NULL, &reason), ==, SM_SERVER_STATUS_DEGRADED);
  g_assert_cmpstr (reason, ==, "unit backup.service failed");
}

static void
test_next_delay (void)
{
  /* No failure: the interval, +-10 %. */
  g_assert_cmpuint (sm_poll_next_delay_ms (60, 0, 0.5), ==, 60000);
  g_assert_cmpuint (sm_poll_next_delay_ms (60, 0, 0.0), ==, 54000);
  g_assert_cmpuint (sm_poll_next_delay_ms (60, 0, 0.999999), >=, 65999);
  g_assert_cmpuint (sm_poll_next_delay_ms (60, 0, 0.999999), <=, 66000);
  /* Failures back off from 2 s, doubling, but never below the interval. */
  g_assert_cmpuint (sm_poll_next_delay_ms (5, 1, 0.5), ==, 5000);
  g_assert_cmpuint (sm_poll_next_delay_ms (5, 3, 0.5), ==, 8000);
  g_assert_cmpuint (sm_poll_next_delay_ms (5, 4, 0.5), ==, 16000);
  g_assert_cmpuint (sm_poll_next_delay_ms (60, 4, 0.5), ==, 60000);
  /* Capped at five minutes, even after very many failures. */
  g_assert_cmpuint (sm_poll_next_delay_ms (5, 9, 0.5), ==, 300000);
  g_assert_cmpuint (sm_poll_next_delay_ms (5, 1000, 0.5), ==, 300000);
  /* A long interval stays the interval. */
  g_assert_cmpuint (sm_poll_next_delay_ms (3600, 1000, 0.5), ==, 3600000);
}

typedef struct {
  GPtrArray *servers;       /* SmServer that finished, in order */
  GPtrArray *statuses;
  double     cpu;
  gboolean   has_mem;
} Finished;

static void
poll_finished_cb (SmScheduler *scheduler,
                  SmServer    *server,
                  gpointer     data,
                  Finished    *finished)
{
  const SmPollOutcome *outcome = data;

  g_ptr_array_add (finished->servers, g_object_ref (server));
  g_ptr_array_add (finished->statuses, GINT_TO_POINTER (outcome->status));
  if (outcome->result != NULL)
    {
      finished->cpu = sm_poll_result_get_metric (outcome->result, "cpu.percent");
      finished->has_mem = !isnan (sm_poll_result_get_metric (outcome->result, "mem.total"));
    }
}

static void
test_local_poll (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmScheduler) scheduler = NULL;
  g_autoptr(SmServer) local = sm_server_new ();
  g_autoptr(SmServer) refused = sm_server_new ();
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  Finished finished = { 0 };
  guint port;

  store = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);

  sm_server_set_name (local, "This Computer");
  sm_server_set_host (local, "localhost");
  sm_server_set_is_local (local, TRUE);
  g_assert_true (sm_store_save_server (store, local, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);

  /* A port that refuses: bound, never listened on. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (socket, G_SOCKET_ADDRESS (address), FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  sm_server_set_name (refused, "refused");
  sm_server_set_host (refused, "127.0.0.1");
  sm_server_set_port (refused, port);
  g_assert_true (sm_store_save_server (store, refused, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);

  finished.servers = g_ptr_array_new_with_free_func (g_object_unref);
  finished.statuses = g_ptr_array_new ();
  finished.cpu = NAN;

  scheduler = sm_scheduler_new (store, dir, 4);
  sm_scheduler_set_timers (scheduler, FALSE);
  g_signal_connect (scheduler, "poll-finished", G_CALLBACK (poll_finished_cb), &finished);
  sm_scheduler_add_server (scheduler, local);
  sm_scheduler_add_server (scheduler, refused);
  sm_scheduler_poll_now (scheduler, local);
  sm_scheduler_poll_now (scheduler, refused);
  /* A poll already running is not started twice. */
  sm_scheduler_poll_now (scheduler, local);
  g_assert_cmpuint (sm_scheduler_get_n_running (scheduler), ==, 2);

  while (finished.servers->len < 2)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (sm_scheduler_get_n_running (scheduler), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      SmServer *server = g_ptr_array_index (finished.servers, i);
      SmServerStatus status = GPOINTER_TO_INT (g_ptr_array_index (finished.statuses, i));

      g_assert_cmpint (sm_server_get_status (server), ==, status);
      if (server == local)
        g_assert_true (status == SM_SERVER_STATUS_UP || status == SM_SERVER_STATUS_DEGRADED);
      else
        g_assert_cmpint (status, ==, SM_SERVER_STATUS_DOWN);
    }
  g_assert_true (finished.cpu >= 0.0 && finished.cpu <= 100.0);
  g_assert_true (finished.has_mem);

  /* A second poll of the same server reuses its state: rates from deltas.
   * They need the kernel's clock (10 ms ticks) to have moved on. */
  sm_test_wait_for_ticks ();
  finished.cpu = NAN;
  sm_scheduler_poll_now (scheduler, local);
  while (finished.servers->len < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (finished.cpu >= 0.0 && finished.cpu <= 100.0);

  /* Shutting down with a poll in flight returns promptly. */
  {
    gint64 start;

    sm_scheduler_poll_now (scheduler, local);
    start = g_get_monotonic_time ();
    sm_scheduler_shutdown (scheduler);
    g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  }

  g_ptr_array_unref (finished.servers);
  g_ptr_array_unref (finished.statuses);
  g_clear_object (&scheduler);
  g_clear_object (&store);
  sm_test_rmdir (dir);
}

static void
wait_for_polls (Finished *finished,
                guint     count)
{
  while (finished->servers->len < count)
    g_main_context_iteration (NULL, TRUE);
}

/* 20 servers on a real sshd, polled concurrently through the pool; sshd
 * killed: all go DOWN without hanging; sshd back: they reconnect. */
static void
test_remote_polls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *skip = NULL;
  g_autofree char *key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr(SmTestSshd) sshd = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmScheduler) scheduler = NULL;
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  Finished finished = { 0 };
  const guint n = 20;
  gint64 start;

  sshd = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  if (sshd == NULL)
    {
      g_test_skip (skip);
      return;
    }
  key = sm_test_sshd_add_client_key (sshd, "ed25519", NULL);
  fingerprint = sm_test_sshd_dup_fingerprint (sshd);

  store = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("server-%02u", i);

      g_ptr_array_add (servers, sm_test_sshd_add_server (sshd, store, name, key, fingerprint));
    }

  finished.servers = g_ptr_array_new_with_free_func (g_object_unref);
  finished.statuses = g_ptr_array_new ();
  scheduler = sm_scheduler_new (store, dir, 8);
  sm_scheduler_set_timers (scheduler, FALSE);
  g_signal_connect (scheduler, "poll-finished", G_CALLBACK (poll_finished_cb), &finished);

  for (guint i = 0; i < n; i++)
    {
      sm_scheduler_add_server (scheduler, g_ptr_array_index (servers, i));
      sm_scheduler_poll_now (scheduler, g_ptr_array_index (servers, i));
    }
  g_assert_cmpuint (sm_scheduler_get_n_running (scheduler), ==, n);
  wait_for_polls (&finished, n);
  for (guint i = 0; i < n; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);

      g_assert_cmpint (sm_server_get_status (server), ==, SM_SERVER_STATUS_UP);
      g_assert_nonnull (sm_server_get_last_result (server));
      g_assert_false (isnan (sm_poll_result_get_metric ((SmPollResult *) sm_server_get_last_result (server),
                                                        "mem.used_percent")));
    }

  /* Every poll was handed to the store, inventory included. */
  {
    g_autofree char *db = g_build_filename (dir, SM_STORE_FILE_NAME, NULL);
    g_autofree char *uri = g_strdup_printf ("file:%s?mode=ro", db);
    sqlite3 *raw = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (uri, &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (raw,
                                         "SELECT count(*), sum(status = 'up'), sum(specs IS NOT NULL), "
                                         "  sum(metrics LIKE '%mem.used_percent%') FROM server_state",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, n);
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, n);
    g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, n);
    g_assert_cmpint (sqlite3_column_int (stmt, 3), ==, n);
    sqlite3_finalize (stmt);
    sqlite3_close (raw);
  }

  /* The pinned key was recorded in the app's known_hosts. */
  {
    g_autofree char *known_hosts = g_build_filename (dir, "known_hosts", NULL);
    g_autofree char *contents = NULL;
    g_autofree char *expected = g_strdup_printf ("[127.0.0.1]:%u ssh-ed25519 ",
                                                 sm_test_sshd_get_port (sshd));

    g_assert_true (g_file_get_contents (known_hosts, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, expected));
  }

  /* sshd dies: every kept session fails fast, as DOWN. */
  sm_test_sshd_kill (sshd);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    sm_scheduler_poll_now (scheduler, g_ptr_array_index (servers, i));
  wait_for_polls (&finished, 2 * n);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  for (guint i = 0; i < n; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);

      g_assert_cmpint (sm_server_get_status (server), ==, SM_SERVER_STATUS_DOWN);
      /* The numbers of the last good poll are kept. */
      g_assert_nonnull (sm_server_get_last_result (server));
    }

  /* sshd is back: the next poll reconnects on its own. */
  g_assert_true (sm_test_sshd_restart (sshd, FALSE));
  for (guint i = 0; i < n; i++)
    sm_scheduler_poll_now (scheduler, g_ptr_array_index (servers, i));
  wait_for_polls (&finished, 3 * n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (sm_server_get_status (g_ptr_array_index (servers, i)), ==, SM_SERVER_STATUS_UP);

  /* A new host key on the same address: refused, never replaced. */
  sm_test_sshd_kill (sshd);
  g_assert_true (sm_test_sshd_restart (sshd, TRUE));
  sm_scheduler_poll_now (scheduler, g_ptr_array_index (servers, 0));
  wait_for_polls (&finished, 3 * n + 1);
  g_assert_cmpint (sm_server_get_status (g_ptr_array_index (servers, 0)), ==, SM_SERVER_STATUS_DOWN);
  g_assert_cmpstr (sm_server_get_status_reason (g_ptr_array_index (servers, 0)), ==, "host key changed");

  sm_scheduler_shutdown (scheduler);
  g_ptr_array_unref (finished.servers);
  g_ptr_array_unref (finished.statuses);
  g_clear_object (&scheduler);
  g_clear_object (&store);
  sm_test_rmdir (dir);
}

static void
set_true_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* An idle session between far-apart polls gets keepalives, which do not
 * count as polls; disabling the server stops them and its status says so. */
static void
test_keepalive (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *skip = NULL;
  g_autofree char *key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr(SmTestSshd) sshd = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmScheduler) scheduler = NULL;
  g_autoptr(SmServer) server = NULL;
  Finished finished = { 0 };
  guint keepalives;

  sshd = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  if (sshd == NULL)
    {
      g_test_skip (skip);
      return;
    }
  key = sm_test_sshd_add_client_key (sshd, "ed25519", NULL);
  fingerprint = sm_test_sshd_dup_fingerprint (sshd);
  store = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);

  server = sm_test_sshd_add_server (sshd, store, "idle", key, fingerprint);
  sm_server_set_interval (server, 3600);
  g_assert_true (sm_store_save_server (store, server, SM_SECRET_KEEP, NULL, &error));

  finished.servers = g_ptr_array_new_with_free_func (g_object_unref);
  finished.statuses = g_ptr_array_new ();
  scheduler = sm_scheduler_new (store, dir, 2);
  sm_scheduler_set_keepalive_interval (scheduler, 1);
  g_signal_connect (scheduler, "poll-finished", G_CALLBACK (poll_finished_cb), &finished);

  /* Timers on: the first poll comes within the spread, the next in an hour. */
  sm_scheduler_add_server (scheduler, server);
  wait_for_polls (&finished, 1);
  g_assert_cmpint (sm_server_get_status (server), ==, SM_SERVER_STATUS_UP);

  keepalives = sm_scheduler_get_n_keepalives (scheduler);
  while (sm_scheduler_get_n_keepalives (scheduler) < keepalives + 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (finished.servers->len, ==, 1);

  /* A poll asked for meanwhile still happens, on the kept session. */
  sm_scheduler_poll_now (scheduler, server);
  wait_for_polls (&finished, 2);
  g_assert_cmpint (sm_server_get_status (server), ==, SM_SERVER_STATUS_UP);

  /* Disabled: no session, no keepalive, status DISABLED. */
  sm_server_set_enabled (server, FALSE);
  sm_scheduler_add_server (scheduler, server);
  g_assert_cmpint (sm_server_get_status (server), ==, SM_SERVER_STATUS_DISABLED);
  keepalives = sm_scheduler_get_n_keepalives (scheduler);
  {
    gboolean passed = FALSE;

    /* Two keepalive rounds pass without one for this server: an absence
     * has no signal, so the test waits for the rounds' time. */
    g_timeout_add_once (2500, set_true_cb, &passed);
    while (!passed)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpuint (sm_scheduler_get_n_keepalives (scheduler), ==, keepalives);
  g_assert_cmpuint (finished.servers->len, ==, 2);

  sm_scheduler_shutdown (scheduler);
  g_ptr_array_unref (finished.servers);
  g_ptr_array_unref (finished.statuses);
  g_clear_object (&scheduler);
  g_clear_object (&store);
  sm_test_rmdir (dir);
}

/* The real binary: --trust-host prints the fingerprint and records the
 * key; then --check-once polls the server over SSH and exits 0. */
static void
test_cli_trust_and_check (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *skip = NULL;
  g_autofree char *key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *known_hosts = g_build_filename (dir, "known_hosts", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(SmTestSshd) sshd = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmServer) server = NULL;
  const char *binary = g_getenv ("SM_BINARY");
  int status = 0;

  sshd = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  if (sshd == NULL)
    {
      g_test_skip (skip);
      return;
    }
  g_assert_nonnull (binary);
  key = sm_test_sshd_add_client_key (sshd, "ed25519", NULL);
  fingerprint = sm_test_sshd_dup_fingerprint (sshd);

  store = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);
  /* No pin: the key is not trusted yet. */
  server = sm_test_sshd_add_server (sshd, store, "lab", key, NULL);
  g_clear_object (&store);

  /* Not trusted yet: --check-once says so and exits 1. */
  {
    const char *argv[] = { binary, "--data-dir", dir, "--check-once", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 1);
    g_assert_nonnull (strstr (out, "host key not trusted yet"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* --trust-host prints the same fingerprint ssh-keygen does, and trusts it. */
  {
    const char *argv[] = { binary, "--data-dir", dir, "--trust-host", "lab", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    g_assert_nonnull (strstr (out, fingerprint));
    g_assert_true (g_file_get_contents (known_hosts, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, "ssh-ed25519 "));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* Now polled over SSH: up, with numbers. */
  {
    const char *argv[] = { binary, "--data-dir", dir, "--check-once", "--json", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_true (WIFEXITED (status));
    g_assert_nonnull (strstr (out, "\"server\":\"lab\",\"status\":\"up\""));
    g_assert_nonnull (strstr (out, "\"mem.used_percent\":"));
  }

  sm_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scheduler/classify/errors", test_classify_errors);
  g_test_add_func ("/scheduler/classify/results", test_classify_results);
  g_test_add_func ("/scheduler/next-delay", test_next_delay);
  g_test_add_func ("/scheduler/local-poll", test_local_poll);
  g_test_add_func ("/scheduler/remote-polls", test_remote_polls);
  g_test_add_func ("/scheduler/keepalive", test_keepalive);
  g_test_add_func ("/scheduler/cli-trust-and-check", test_cli_trust_and_check);

  return g_test_run ();
}
