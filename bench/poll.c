/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/poll: what one poll costs, three ways, against a real sshd.
 *
 *   engine     the app's engine: SmScheduler, one kept session per server,
 *              the collector written to an already running remote shell
 *   exec       a kept session, but a new exec (channel + remote sh) per poll
 *   reconnect  a new SSH connection per poll, as most tools do
 *
 * Each mode runs in its own process (so CPU time and peak RSS are its own)
 * against one OpenSSH sshd on 127.0.0.1 started here, with N servers at a
 * fixed interval for a fixed time. Then the engine alone at a larger scale.
 *
 *   bench/poll [--servers N] [--interval S] [--duration S] [--scale N]
 *
 * Not run by CI. See docs/PERFORMANCE.md.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "sm-collector.h"
#include "sm-scheduler.h"
#include "sm-ssh-session.h"
#include "sm-store.h"
#include "sm-test-sshd.h"
#include "sm-test-util.h"

static int    opt_servers = 20;
static int    opt_interval = 5;
static int    opt_duration = 30;
static int    opt_scale = 100;
static char  *opt_mode;
static int    opt_port;
static char  *opt_key;
static char  *opt_fingerprint;
static char  *opt_user;

static GOptionEntry entries[] = {
  { "servers", 0, 0, G_OPTION_ARG_INT, &opt_servers, "Servers in the comparison (20)", "N" },
  { "interval", 0, 0, G_OPTION_ARG_INT, &opt_interval, "Poll interval in seconds (5)", "S" },
  { "duration", 0, 0, G_OPTION_ARG_INT, &opt_duration, "Seconds each mode runs (30)", "S" },
  { "scale", 0, 0, G_OPTION_ARG_INT, &opt_scale, "Servers in the engine-at-scale run (100)", "N" },
  /* Internal: a child process runs one mode. */
  { "mode", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_mode, NULL, NULL },
  { "port", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opt_port, NULL, NULL },
  { "key", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &opt_key, NULL, NULL },
  { "fingerprint", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_fingerprint, NULL, NULL },
  { "user", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_user, NULL, NULL },
  { NULL }
};

/* Latencies in ms, collected on the main thread. */
typedef struct {
  GArray  *latencies;
  guint    failures;
  GMutex   lock;
} Stats;

static void
stats_add (Stats  *stats,
           double  ms,
           gboolean ok)
{
  g_mutex_lock (&stats->lock);
  if (ok)
    g_array_append_val (stats->latencies, ms);
  else
    stats->failures++;
  g_mutex_unlock (&stats->lock);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  guint index;

  if (values->len == 0)
    return NAN;
  index = (guint) ceil (p / 100.0 * values->len) - 1;
  return g_array_index (values, double, MIN (index, values->len - 1));
}

static void
fill_config (SmSshConfig *config)
{
  sm_ssh_config_init (config);
  config->host = g_strdup ("127.0.0.1");
  config->port = (guint) opt_port;
  config->username = g_strdup (opt_user);
  config->method = SM_AUTH_KEY;
  config->key_file = g_strdup (opt_key);
  config->pinned_sha256 = g_strdup (opt_fingerprint);
  config->read_user_known_hosts = FALSE;
}

/* engine ---------------------------------------------------------------- */

typedef struct {
  Stats      *stats;
  GHashTable *seen;   /* servers whose first (connecting) poll is done */
} EngineRun;

static void
engine_finished_cb (SmScheduler *scheduler,
                    SmServer    *server,
                    gpointer     data,
                    EngineRun   *run)
{
  const SmPollOutcome *outcome = data;

  /* The first poll of a server includes connecting; steady state is what
   * the engine is about. */
  if (!g_hash_table_add (run->seen, server))
    stats_add (run->stats, outcome->latency_ms, outcome->error == NULL);
  else if (outcome->error != NULL)
    g_printerr ("%s: %s\n", sm_server_get_name (server), outcome->error->message);
}

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
run_engine (Stats *stats)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autoptr(SmStore) store = NULL;
  g_autoptr(SmScheduler) scheduler = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  EngineRun run = { stats, seen };

  store = sm_store_open_data_dir (dir, NULL, &error);
  g_assert_no_error (error);
  scheduler = sm_scheduler_new (store, dir, 8);
  g_signal_connect (scheduler, "poll-finished", G_CALLBACK (engine_finished_cb), &run);

  for (int i = 0; i < opt_servers; i++)
    {
      SmServer *server = sm_server_new ();
      g_autofree char *name = g_strdup_printf ("bench-%03d", i);

      sm_server_set_name (server, name);
      sm_server_set_host (server, "127.0.0.1");
      sm_server_set_port (server, (guint) opt_port);
      sm_server_set_username (server, opt_user);
      sm_server_set_auth_method (server, SM_AUTH_KEY);
      sm_server_set_key_file (server, opt_key);
      sm_server_set_host_key_sha256 (server, opt_fingerprint);
      sm_server_set_interval (server, (guint) opt_interval);
      g_assert_true (sm_store_save_server (store, server, SM_SECRET_KEEP, NULL, &error));
      g_ptr_array_add (servers, server);
      sm_scheduler_add_server (scheduler, server);
    }

  g_timeout_add_seconds ((guint) opt_duration, quit_cb, loop);
  g_main_loop_run (loop);
  sm_scheduler_shutdown (scheduler);
  g_clear_object (&scheduler);
  g_clear_object (&store);
  sm_test_rmdir (dir);
}

/* exec and reconnect ------------------------------------------------------ */

typedef struct {
  SmSshSession     *session;    /* kept (exec mode) */
  SmCollectorState *state;
  gboolean          busy;       /* main thread only */
  gboolean          first_done;
  gint64            slow_us;    /* the engine's cadence for slow sections */
} BenchServer;

typedef struct {
  BenchServer *server;
  Stats       *stats;
  gboolean     reconnect;
} BenchJob;

static gboolean
job_done_cb (gpointer data)
{
  BenchJob *job = data;

  job->server->busy = FALSE;
  g_free (job);
  return G_SOURCE_REMOVE;
}

static void
bench_job (gpointer data,
           gpointer user_data)
{
  BenchJob *job = data;
  BenchServer *server = job->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = sm_collector_new_marker ();
  g_autofree char *end_line = sm_collector_end_line (marker);
  SmCollectFlags flags = SM_COLLECT_DEFAULT;
  g_autofree char *command = NULL;
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autoptr(SmPollResult) result = NULL;
  gint64 start = g_get_monotonic_time ();
  gsize len = 0;

  /* The same collection as the engine's: everything on the first poll,
   * the slow sections every SM_COLLECT_SLOW_EVERY_US. */
  if (!server->first_done)
    flags |= SM_COLLECT_FIRST | SM_COLLECT_SPECS;
  if (server->slow_us == 0 || g_get_real_time () - server->slow_us >= SM_COLLECT_SLOW_EVERY_US)
    {
      flags |= SM_COLLECT_SLOW;
      server->slow_us = g_get_real_time ();
    }
  command = sm_collector_build_command (marker, flags);
  input = g_strconcat (sm_collector_get_script (), "\n", command, NULL);

  if (job->reconnect)
    {
      SmSshConfig config = { 0 };
      g_autoptr(SmSshSession) session = NULL;

      fill_config (&config);
      session = sm_ssh_session_new (&config);
      sm_ssh_config_clear (&config);
      if (sm_ssh_session_connect (session, NULL, &error))
        output = sm_ssh_session_run_in_shell (session, input, end_line,
                                              SM_COLLECTOR_MAX_OUTPUT, &len, NULL, &error);
      sm_ssh_session_disconnect (session);
    }
  else
    {
      /* The script and the call as one command: "sh -c" per poll. */
      g_autofree char *quoted = g_shell_quote (input);
      g_autofree char *exec = g_strconcat ("sh -c ", quoted, NULL);
      int status = 0;
      g_autofree char *raw = sm_ssh_session_exec (server->session, exec, SM_COLLECTOR_MAX_OUTPUT,
                                                  &status, &len, NULL, &error);
      char *end = raw != NULL ? g_strstr_len (raw, len, end_line) : NULL;

      if (end != NULL)
        {
          *end = '\0';
          len = end - raw;
          output = g_steal_pointer (&raw);
        }
      else if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "no end marker");
    }

  if (output != NULL)
    result = sm_collector_parse (server->state, marker, output, len);

  server->first_done = TRUE;
  stats_add (job->stats, (g_get_monotonic_time () - start) / 1000.0, result != NULL);
  if (error != NULL)
    g_printerr ("poll failed: %s\n", error->message);

  g_main_context_invoke (NULL, job_done_cb, job);
}

typedef struct {
  BenchServer *server;
  GThreadPool *pool;
  Stats       *stats;
  gboolean     reconnect;
} Ticker;

static gboolean
tick_cb (gpointer data)
{
  Ticker *ticker = data;
  BenchJob *job;

  if (ticker->server->busy)
    return G_SOURCE_CONTINUE;

  ticker->server->busy = TRUE;
  job = g_new0 (BenchJob, 1);
  job->server = ticker->server;
  job->stats = ticker->stats;
  job->reconnect = ticker->reconnect;
  g_thread_pool_push (ticker->pool, job, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
start_ticker_cb (gpointer data)
{
  Ticker *ticker = data;

  tick_cb (ticker);
  g_timeout_add_seconds ((guint) opt_interval, tick_cb, ticker);
  return G_SOURCE_REMOVE;
}

static void
run_simple (Stats    *stats,
            gboolean  reconnect)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GThreadPool *pool = g_thread_pool_new (bench_job, NULL, 8, FALSE, NULL);
  BenchServer *servers = g_new0 (BenchServer, opt_servers);
  Ticker *tickers = g_new0 (Ticker, opt_servers);

  for (int i = 0; i < opt_servers; i++)
    {
      servers[i].state = sm_collector_state_new ();
      if (!reconnect)
        {
          g_autoptr(GError) error = NULL;
          SmSshConfig config = { 0 };

          fill_config (&config);
          servers[i].session = sm_ssh_session_new (&config);
          sm_ssh_config_clear (&config);
          if (!sm_ssh_session_connect (servers[i].session, NULL, &error))
            g_error ("connect: %s", error->message);
        }
      tickers[i].server = &servers[i];
      tickers[i].pool = pool;
      tickers[i].stats = stats;
      tickers[i].reconnect = reconnect;
      /* Spread the servers over the interval, as the engine does. */
      g_timeout_add (g_random_int_range (0, opt_interval * 1000), start_ticker_cb, &tickers[i]);
    }

  g_timeout_add_seconds ((guint) opt_duration, quit_cb, loop);
  g_main_loop_run (loop);
  g_thread_pool_free (pool, FALSE, TRUE);

  for (int i = 0; i < opt_servers; i++)
    {
      if (servers[i].session != NULL)
        {
          sm_ssh_session_disconnect (servers[i].session);
          sm_ssh_session_free (servers[i].session);
        }
      sm_collector_state_free (servers[i].state);
    }
  g_free (servers);
  /* Tickers stay referenced by their (removed with the process) sources. */
}

static int
run_mode (void)
{
  Stats stats = { 0 };
  struct rusage before, after;
  gint64 start, wall;
  double cpu_s;

  stats.latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_mutex_init (&stats.lock);

  getrusage (RUSAGE_SELF, &before);
  start = g_get_monotonic_time ();

  if (g_strcmp0 (opt_mode, "engine") == 0)
    run_engine (&stats);
  else if (g_strcmp0 (opt_mode, "exec") == 0)
    run_simple (&stats, FALSE);
  else if (g_strcmp0 (opt_mode, "reconnect") == 0)
    run_simple (&stats, TRUE);
  else
    g_error ("unknown mode %s", opt_mode);

  wall = g_get_monotonic_time () - start;
  getrusage (RUSAGE_SELF, &after);
  cpu_s = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
          (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
          (after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
          (after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;

  g_array_sort (stats.latencies, compare_double);
  /* One line for the parent: polls failures p50 p99 cpu% rss_kib */
  printf ("%u %u %.2f %.2f %.2f %ld\n",
          stats.latencies->len, stats.failures,
          percentile (stats.latencies, 50), percentile (stats.latencies, 99),
          100.0 * cpu_s / (wall / 1e6), after.ru_maxrss);
  return 0;
}

typedef struct {
  guint  polls;
  guint  failures;
  double p50;
  double p99;
  double cpu;
  long   rss_kib;
} Figures;

static gboolean
spawn_mode (const char *self_path,
            const char *mode,
            int         servers,
            guint       port,
            const char *key,
            const char *fingerprint,
            Figures    *out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *servers_arg = g_strdup_printf ("%d", servers);
  g_autofree char *interval_arg = g_strdup_printf ("%d", opt_interval);
  g_autofree char *duration_arg = g_strdup_printf ("%d", opt_duration);
  g_autofree char *port_arg = g_strdup_printf ("%u", port);
  const char *argv[] = {
    self_path, "--mode", mode, "--servers", servers_arg, "--interval", interval_arg,
    "--duration", duration_arg, "--port", port_arg, "--key", key,
    "--fingerprint", fingerprint, "--user", sm_test_sshd_get_user (), NULL
  };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out_text, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("%s: %s\n", mode, error->message);
      return FALSE;
    }

  return sscanf (out_text, "%u %u %lf %lf %lf %ld",
                 &out->polls, &out->failures, &out->p50, &out->p99,
                 &out->cpu, &out->rss_kib) == 6;
}

static void
print_row (const char    *mode,
           int            servers,
           const Figures *f)
{
  printf ("%-10s %7d %8ds %6u %8u %9.2f %9.2f %8.2f %10.1f\n",
          mode, servers, opt_interval, f->polls, f->failures, f->p50, f->p99,
          f->cpu, f->rss_kib / 1024.0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- poll cost: engine vs exec vs reconnect");
  g_autoptr(GError) error = NULL;
  g_autoptr(SmTestSshd) sshd = NULL;
  g_autofree char *skip = NULL;
  g_autofree char *key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *self_path = NULL;
  Figures engine = { 0 }, exec = { 0 }, reconnect = { 0 }, scale = { 0 };
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (opt_mode != NULL)
    return run_mode ();

  sshd = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  if (sshd == NULL)
    {
      g_printerr ("cannot start sshd: %s\n", skip);
      return 1;
    }
  key = sm_test_sshd_add_client_key (sshd, "ed25519", NULL);
  fingerprint = sm_test_sshd_dup_fingerprint (sshd);
  self_path = g_file_read_link ("/proc/self/exe", NULL);

  printf ("bench/poll: sshd on 127.0.0.1:%u as user %s, %d s per mode\n",
          sm_test_sshd_get_port (sshd), sm_test_sshd_get_user (), opt_duration);
  printf ("%-10s %7s %9s %6s %8s %9s %9s %8s %10s\n",
          "mode", "servers", "interval", "polls", "failures", "p50_ms", "p99_ms", "cpu_%", "rss_MiB");

  ok = spawn_mode (self_path, "engine", opt_servers, sm_test_sshd_get_port (sshd), key, fingerprint, &engine);
  if (ok)
    print_row ("engine", opt_servers, &engine);
  ok = spawn_mode (self_path, "exec", opt_servers, sm_test_sshd_get_port (sshd), key, fingerprint, &exec);
  if (ok)
    print_row ("exec", opt_servers, &exec);
  ok = spawn_mode (self_path, "reconnect", opt_servers, sm_test_sshd_get_port (sshd), key, fingerprint, &reconnect);
  if (ok)
    print_row ("reconnect", opt_servers, &reconnect);
  ok = spawn_mode (self_path, "engine", opt_scale, sm_test_sshd_get_port (sshd), key, fingerprint, &scale);
  if (ok)
    print_row ("engine", opt_scale, &scale);

  if (engine.p50 > 0)
    printf ("\np50 speed-up of the engine: %.1fx over exec per poll, %.1fx over reconnect per poll\n",
            exec.p50 / engine.p50, reconnect.p50 / engine.p50);
  printf ("engine at %d servers every %d s: %.2f %% of one core\n", opt_scale, opt_interval, scale.cpu);
  return 0;
}
