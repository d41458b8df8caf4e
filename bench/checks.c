/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/checks: what HTTP service checks cost, in one run.
 *
 *   1. rate   HTTP checks per second against a loopback server with N
 *             checks in flight at once (N = 1, 8, 32, 128), each through
 *             sm_check_run_async exactly as the app runs it
 *   2. cpu    this process's CPU time (user + system, getrusage) per check
 *             over the whole rate run, and what that makes of 1,000
 *             checks a minute: the share of one core
 *
 *   bench/checks [--seconds S] [--serve]
 *
 * The HTTP server is a copy of this program (--serve) in its own process,
 * so its CPU is not counted. Everything stays on 127.0.0.1. Not run by CI.
 * See docs/PERFORMANCE.md.
 */
#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sm-check-runner.h"

static int      opt_seconds = 5;
static gboolean opt_serve;

static const GOptionEntry entries[] = {
  { "seconds", 0, 0, G_OPTION_ARG_INT, &opt_seconds, "Seconds per concurrency level (5)", "S" },
  { "serve", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_serve, NULL, NULL },
  { NULL }
};

/* The server: answers every request with a small page, prints its port. */

static void
page_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  static const char body[] = "{\"status\":\"ok\"}\n";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
}

static int
serve (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GSList *uris;

  soup_server_add_handler (server, NULL, page_cb, NULL, NULL);
  if (!soup_server_listen (server, address, 0, &error))
    {
      g_printerr ("serve: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  printf ("%d\n", g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (loop);
  return 0;
}

/* The client */

typedef struct {
  SmCheck *check;
  guint    in_flight;
  guint    target;
  guint64  done;
  guint64  failed;
  gint64   deadline;
} Rate;

static void start_one (Rate *rate);

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Rate *rate = user_data;
  g_autoptr(SmCheckResult) check_result = sm_check_run_finish (result, NULL);

  rate->in_flight--;
  if (check_result == NULL || check_result->status != SM_CHECK_STATUS_UP)
    rate->failed++;
  else
    rate->done++;
  if (g_get_monotonic_time () < rate->deadline)
    start_one (rate);
}

static void
start_one (Rate *rate)
{
  rate->in_flight++;
  sm_check_run_async (rate->check, "127.0.0.1", NULL, done_cb, rate);
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (double) usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         (double) usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- HTTP check throughput and CPU");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *port_line = NULL;
  g_autofree char *self_path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *problem = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(SmCheck) check = NULL;
  static const guint levels[] = { 1, 8, 32, 128 };
  guint64 total_checks = 0;
  double total_cpu = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_serve)
    return serve ();

  g_setenv ("no_proxy", "*", TRUE);
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_path, "--serve", NULL);
  if (server == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  port_line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  if (port_line == NULL)
    {
      g_printerr ("the server did not start\n");
      return 1;
    }

  json = g_strdup_printf ("{\"type\":\"http\",\"url\":\"http://127.0.0.1:%s/health\",\"keyword\":\"ok\"}",
                          port_line);
  node = json_from_string (json, NULL);
  check = sm_check_from_json (node, &problem);
  g_assert (check != NULL);

  printf ("bench/checks: HTTP checks against 127.0.0.1:%s, %d s per level\n\n", port_line, opt_seconds);
  printf ("| In flight | Checks/s | Failed | CPU per check |\n");
  printf ("| ---: | ---: | ---: | ---: |\n");
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      Rate rate = { 0 };
      gint64 start = g_get_monotonic_time ();
      double cpu_start = cpu_seconds ();
      double elapsed;
      double cpu;

      rate.check = check;
      rate.deadline = start + (gint64) opt_seconds * G_USEC_PER_SEC;
      for (guint n = 0; n < levels[i]; n++)
        start_one (&rate);
      while (rate.in_flight > 0)
        g_main_context_iteration (NULL, TRUE);
      elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
      cpu = cpu_seconds () - cpu_start;
      total_checks += rate.done + rate.failed;
      total_cpu += cpu;
      printf ("| %u | %.0f | %" G_GUINT64_FORMAT " | %.2f ms |\n", levels[i],
              (double) (rate.done + rate.failed) / elapsed, rate.failed,
              total_checks > 0 ? cpu * 1000 / (double) (rate.done + rate.failed) : 0);
    }

  if (total_checks > 0)
    {
      double ms_per_check = total_cpu * 1000 / (double) total_checks;

      printf ("\nCPU: %.2f ms per check over %" G_GUINT64_FORMAT " checks; 1,000 checks a minute "
              "take %.1f %% of one core\n", ms_per_check, total_checks, ms_per_check * 1000 / 60000 * 100);
    }

  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  return 0;
}
