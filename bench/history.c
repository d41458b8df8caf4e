/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/history: what the history store costs, in one run.
 *
 *   1. insert   N servers x 33 realistic metrics every 10 s, fed through
 *               SmHistoryWriter (add_values, rollups maintained), timed
 *               until the last flush returns: samples/s and rows/s
 *   2. year     a database holding a year of 10-second data for one
 *               server (ending now), built through the writer: the time it
 *               took, its size, the size of each table and what one server
 *               costs per month
 *   3. query    sm_history_reader_query for cpu.percent over 1 h, 30 d and
 *               1 y at 1200 px (first run on a fresh reader, then the
 *               median of --runs), and the stats of the same ranges
 *
 *   bench/history [--quick] [--keep] [--servers N] [--hours H] [--days D]
 *                 [--runs N] [--dir DIR]
 *
 * Works in a temporary directory (under --dir, default $TMPDIR) that is
 * removed at the end unless --keep. Not run by CI. See docs/PERFORMANCE.md.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sm-chart-render.h"
#include "sm-history.h"
#include "sm-store.h"
#include "sm-test-util.h"

static gboolean opt_quick;
static gboolean opt_keep;
static int      opt_servers = 20;
static int      opt_hours = 24;
static int      opt_days = 365;
static int      opt_runs = 20;
static char    *opt_dir;

static GOptionEntry entries[] = {
  { "quick", 0, 0, G_OPTION_ARG_NONE, &opt_quick, "A short run: 2 h of inserts, 60 days of history, 5 query runs", NULL },
  { "keep", 0, 0, G_OPTION_ARG_NONE, &opt_keep, "Keep the temporary directory and its databases", NULL },
  { "servers", 0, 0, G_OPTION_ARG_INT, &opt_servers, "Servers in the insert test (20)", "N" },
  { "hours", 0, 0, G_OPTION_ARG_INT, &opt_hours, "Hours of 10 s data per server in the insert test (24)", "H" },
  { "days", 0, 0, G_OPTION_ARG_INT, &opt_days, "Days of 10 s data in the history database (365)", "D" },
  { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "Runs per query after the first (20)", "N" },
  { "dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_dir, "Parent of the temporary directory ($TMPDIR)", "DIR" },
  { NULL }
};

#define STEP_S 10

/* What one server reports: the collector's metrics for a host with two
 * disks, two network interfaces and one block device, and the two the
 * writer's callers add (poll.latency_ms, status.up). */
static const char * const metric_names[] = {
  "cpu.percent", "cpu.user", "cpu.system", "cpu.iowait", "cpu.steal",
  "load.1", "load.5", "load.15",
  "mem.total", "mem.available", "mem.used", "mem.used_percent",
  "swap.total", "swap.used", "swap.used_percent",
  "disk./.used_percent", "disk./.inodes_used_percent", "disk./.total", "disk./.used",
  "disk./home.used_percent", "disk./home.inodes_used_percent", "disk./home.total", "disk./home.used",
  "net.eth0.rx_bps", "net.eth0.tx_bps", "net.eth1.rx_bps", "net.eth1.tx_bps",
  "io.sda.read_bps", "io.sda.write_bps",
  "uptime.seconds", "procs.count",
  "poll.latency_ms", "status.up",
};
#define N_METRICS G_N_ELEMENTS (metric_names)

/* Plausible values that move like a real host's: a daily cycle, noise,
 * sizes that stay put, counters that only grow. */
typedef struct {
  guint32 seed;
  double  load;
} Host;

static inline double
noise (Host *host)
{
  host->seed = host->seed * 1664525u + 1013904223u;
  return (host->seed >> 8) / (double) (1u << 24);
}

static void
host_values (Host   *host,
             gint64  t,
             double *v)
{
  double day = sin ((t % 86400) * (2 * G_PI / 86400));
  double cpu;
  double mem_total = 16.0 * 1024 * 1024 * 1024;
  double mem_used;

  host->load = CLAMP (host->load * 0.95 + 0.05 * (1.5 + day + 2 * noise (host)), 0, 16);
  cpu = CLAMP (25 + 15 * day + 20 * noise (host), 0, 100);
  mem_used = mem_total * (0.4 + 0.1 * day + 0.05 * noise (host));

  v[0] = cpu;
  v[1] = cpu * 0.7;
  v[2] = cpu * 0.25;
  v[3] = 2 * noise (host);
  v[4] = 0.1 * noise (host);
  v[5] = host->load;
  v[6] = host->load * 0.9;
  v[7] = host->load * 0.8;
  v[8] = mem_total;
  v[9] = mem_total - mem_used;
  v[10] = mem_used;
  v[11] = 100 * mem_used / mem_total;
  v[12] = 2.0 * 1024 * 1024 * 1024;
  v[13] = 64.0 * 1024 * 1024 + floor (noise (host) * 4096) * 4096;
  v[14] = 100 * v[13] / v[12];
  v[15] = 61 + t % 1000 / 1000.0;
  v[16] = 12.5;
  v[17] = 250e9;
  v[18] = 250e9 * v[15] / 100;
  v[19] = 35 + t % 5000 / 5000.0;
  v[20] = 3.2;
  v[21] = 1e12;
  v[22] = 1e12 * v[19] / 100;
  v[23] = 1e5 * (1 + day) + 5e4 * noise (host);
  v[24] = 4e4 * (1 + day) + 2e4 * noise (host);
  v[25] = 1e3 * noise (host);
  v[26] = 1e3 * noise (host);
  v[27] = 2e5 * noise (host);
  v[28] = 8e5 * noise (host);
  v[29] = (double) (t % (90 * 86400));
  v[30] = 180 + floor (20 * noise (host));
  v[31] = 4 + 3 * noise (host);
  v[32] = 1;
}

static char *
make_db (const char *dir,
         const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  char *path = g_build_filename (dir, name, NULL);

  /* Created and migrated the way the app does it. */
  store = sm_store_open (path, NULL, &error);
  if (store == NULL)
    g_error ("%s: %s", path, error->message);
  return path;
}

static void
flush_or_die (SmHistoryWriter *writer)
{
  g_autoptr(GError) error = NULL;

  if (!sm_history_writer_flush (writer, &error))
    g_error ("flush: %s", error->message);
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gint64
count_rows (const char *path,
            const char *table)
{
  sqlite3 *db = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  gint64 n;

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  n = query_int (db, sql);
  sqlite3_close (db);
  return n;
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* 1. insert ------------------------------------------------------------ */

static void
bench_insert (const char *dir)
{
  g_autofree char *path = make_db (dir, "insert.db");
  g_autoptr(GError) error = NULL;
  SmHistoryWriter *writer;
  g_autofree Host *hosts = g_new0 (Host, opt_servers);
  gint64 steps = (gint64) opt_hours * 3600 / STEP_S;
  gint64 end = g_get_real_time () / G_USEC_PER_SEC;
  gint64 start = end - steps * STEP_S;
  gint64 begin_us;
  double begin_cpu;
  double seconds;
  double cpu;
  guint64 samples;
  gint64 raw, minute, hour;

  for (int s = 0; s < opt_servers; s++)
    {
      hosts[s].seed = 1000 + s;
      hosts[s].load = 1;
    }

  writer = sm_history_writer_new (path, &error);
  if (writer == NULL)
    g_error ("%s", error->message);

  begin_us = g_get_monotonic_time ();
  begin_cpu = cpu_seconds ();
  for (gint64 i = 0; i < steps; i++)
    {
      gint64 t = start + i * STEP_S;

      for (int s = 0; s < opt_servers; s++)
        {
          double values[N_METRICS];

          host_values (&hosts[s], t, values);
          sm_history_writer_add_values (writer, s + 1, t, metric_names, values, N_METRICS);
        }
      /* A flush every simulated hour bounds the queue's memory. */
      if ((i + 1) % (3600 / STEP_S) == 0)
        flush_or_die (writer);
    }
  flush_or_die (writer);
  seconds = (g_get_monotonic_time () - begin_us) / 1e6;
  cpu = cpu_seconds () - begin_cpu;
  samples = sm_history_writer_get_n_samples (writer);
  sm_history_writer_free (writer);

  raw = count_rows (path, "samples");
  minute = count_rows (path, "samples_1m");
  hour = count_rows (path, "samples_1h");

  g_print ("1. insert: %d servers x %u metrics every %d s for %d h = %" G_GINT64_FORMAT " polls\n",
           opt_servers, (guint) N_METRICS, STEP_S, opt_hours, steps * opt_servers);
  g_print ("   %" G_GUINT64_FORMAT " samples in %.2f s (until the last flush returned): "
           "%.0f samples/s, %.0f polls/s\n",
           samples, seconds, samples / seconds, steps * opt_servers / seconds);
  g_print ("   rows written: %" G_GINT64_FORMAT " raw + %" G_GINT64_FORMAT " 1m + %" G_GINT64_FORMAT
           " 1h = %.0f rows/s; CPU %.2f s (%.0f %% of one core); file %.1f MiB\n",
           raw, minute, hour, (raw + minute + hour) / seconds, cpu, 100 * cpu / seconds,
           sm_history_get_disk_usage (path) / 1048576.0);
}

/* 2. year --------------------------------------------------------------- */

static void
print_table_sizes (const char *path,
                   gint64      days)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 page_size;
  gint64 pages;
  gint64 free_pages;
  gint64 hour_bytes = 0;
  gint64 total = 0;

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  page_size = query_int (db, "PRAGMA page_size");
  pages = query_int (db, "PRAGMA page_count");
  free_pages = query_int (db, "PRAGMA freelist_count");

  g_print ("   file %.1f MiB (%" G_GINT64_FORMAT " pages of %" G_GINT64_FORMAT " B, %" G_GINT64_FORMAT
           " free), per table and index (dbstat):\n",
           pages * page_size / 1048576.0, pages, page_size, free_pages);
  if (sqlite3_prepare_v2 (db,
                          "SELECT name, sum (pgsize), count(*) FROM dbstat "
                          "GROUP BY name ORDER BY sum (pgsize) DESC",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_print ("   (no dbstat in this SQLite: %s)\n", sqlite3_errmsg (db));
      sqlite3_close (db);
      return;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      gint64 bytes = sqlite3_column_int64 (stmt, 1);
      g_autofree char *sql = NULL;
      gint64 rows = -1;

      if (strchr (name, ' ') == NULL && !g_str_has_prefix (name, "sqlite_"))
        {
          sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", name);
          rows = query_int (db, sql);
        }
      if (g_str_equal (name, "samples_1h"))
        hour_bytes = bytes;
      total += bytes;
      if (bytes < 64 * 1024)
        continue;
      if (rows >= 0)
        g_print ("     %-24s %8.2f MiB  %10" G_GINT64_FORMAT " rows  %6.1f B/row\n",
                 name, bytes / 1048576.0, rows, rows > 0 ? (double) bytes / rows : 0);
      else
        g_print ("     %-24s %8.2f MiB\n", name, bytes / 1048576.0);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_print ("     (tables under 64 KiB not listed)\n");
  /* Raw (48 h) and 1 m (30 d) are windows that stop growing after a
   * month; from then on only the 1 h tier grows, by a month of buckets a
   * month, until it too reaches its retention (400 d). */
  g_print ("   per server per month, from these figures (%" G_GINT64_FORMAT " days of 1 h buckets"
           " take %.2f MiB)%s:\n", days, hour_bytes / 1048576.0,
           days < 30 ? ", too short for the 1 m tier to be full: use --days 30 or more" : "");
  g_print ("     first month:        %6.1f MiB  (everything but the 1 h tier, plus 30 d of it)\n",
           (total - hour_bytes + hour_bytes * 30.0 / days) / 1048576.0);
  g_print ("     each further month: %6.2f MiB  (only the 1 h tier grows: its size x 30 / %" G_GINT64_FORMAT ")\n",
           hour_bytes * 30.0 / days / 1048576.0, days);
  g_print ("     at full retention:  %6.1f MiB  (raw 48 h + 1 m 30 d + 1 h 400 d)\n",
           (total - hour_bytes + hour_bytes * 400.0 / days) / 1048576.0);
}

static char *
bench_year (const char *dir)
{
  g_autoptr(GError) error = NULL;
  char *path = make_db (dir, "year.db");
  SmHistoryWriter *writer;
  Host host = { 7, 1 };
  gint64 steps = (gint64) opt_days * 86400 / STEP_S;
  gint64 end = g_get_real_time () / G_USEC_PER_SEC;
  gint64 start = end - steps * STEP_S;
  gint64 begin_us;
  double seconds;
  guint64 samples;

  writer = sm_history_writer_new (path, &error);
  if (writer == NULL)
    g_error ("%s", error->message);

  begin_us = g_get_monotonic_time ();
  for (gint64 i = 1; i <= steps; i++)
    {
      gint64 t = start + i * STEP_S;
      double values[N_METRICS];

      host_values (&host, t, values);
      sm_history_writer_add_values (writer, 1, t, metric_names, values, N_METRICS);
      if (i % (86400 / STEP_S) == 0)
        flush_or_die (writer);
    }
  flush_or_die (writer);
  samples = sm_history_writer_get_n_samples (writer);
  /* Leave the file as the app would after a minute: pruned and vacuumed. */
  if (!sm_history_writer_prune (writer, end, &error))
    g_error ("prune: %s", error->message);
  seconds = (g_get_monotonic_time () - begin_us) / 1e6;
  sm_history_writer_free (writer);

  g_print ("2. year: 1 server x %u metrics every %d s for %d days = %" G_GINT64_FORMAT " polls,"
           " %" G_GUINT64_FORMAT " samples, ending now\n",
           (guint) N_METRICS, STEP_S, opt_days, steps, samples);
  g_print ("   built through the writer in %.1f s (%.0f samples/s; samples older than a tier's"
           " retention go only to the coarser tiers)\n",
           seconds, samples / seconds);
  print_table_sizes (path, MIN (opt_days, 400));
  return path;
}

/* 3. query -------------------------------------------------------------- */

/* Called with each query's series, timed apart from the query. NULL:
 * query only. */
typedef void (*BenchDrawFunc) (SmSeries *series,
                               gint64    start,
                               gint64    end,
                               guint     width,
                               gpointer  user_data);

typedef struct {
  double  first_ms;    /* the first run on this reader (empty SQLite cache) */
  double  median_ms;   /* median of the runs after it: query + draw */
  double  max_ms;
  double  query_ms;    /* median of the query alone */
  double  draw_ms;     /* median of the drawing alone */
  guint   n_points;
  SmTier  tier;
} QueryTiming;

#define DRAW_HEIGHT 300

/* What the History tab does with a query's result on the main thread: a
 * model with the series, decimated to the plot's columns, every layer
 * drawn into an image surface of the chart's size (a first frame: nothing
 * cached yet). */
static void
draw_chart (SmSeries *series,
            gint64    start,
            gint64    end,
            guint     width,
            gpointer  user_data)
{
  const SmChartStyle *style = user_data;
  g_autoptr(SmChartModel) model = sm_chart_model_new (sm_metric_get_unit (series->metric));
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, DRAW_HEIGHT);
  cairo_t *cr = cairo_create (surface);

  sm_chart_model_set_range (model, start, end, FALSE);
  sm_chart_model_add_series (model, "CPU", sm_series_copy (series));
  sm_chart_render (model, cr, width, DRAW_HEIGHT, style);
  cairo_surface_flush (surface);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
time_query (SmHistoryReader *reader,
            gint64           server_id,
            const char      *metric,
            gint64           start,
            gint64           end,
            guint            width,
            guint            interval_s,
            guint            runs,
            BenchDrawFunc    draw,
            gpointer         draw_data,
            QueryTiming     *out)
{
  g_autofree double *times = g_new (double, runs + 1);
  g_autofree double *query_times = g_new (double, runs + 1);
  g_autofree double *draw_times = g_new (double, runs + 1);

  for (guint i = 0; i <= runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SmSeries) series = NULL;
      gint64 begin = g_get_monotonic_time ();
      gint64 queried;

      series = sm_history_reader_query (reader, server_id, metric, start, end,
                                        width, interval_s, &error);
      if (series == NULL)
        g_error ("query: %s", error->message);
      queried = g_get_monotonic_time ();
      if (draw != NULL)
        draw (series, start, end, width, draw_data);
      times[i] = (g_get_monotonic_time () - begin) / 1000.0;
      query_times[i] = (queried - begin) / 1000.0;
      draw_times[i] = (g_get_monotonic_time () - queried) / 1000.0;
      out->n_points = series->points->len;
      out->tier = series->tier;
    }

  out->first_ms = times[0];
  qsort (times + 1, runs, sizeof (double), compare_double);
  qsort (query_times + 1, runs, sizeof (double), compare_double);
  qsort (draw_times + 1, runs, sizeof (double), compare_double);
  out->median_ms = runs > 0 ? times[1 + (runs - 1) / 2] : times[0];
  out->query_ms = runs > 0 ? query_times[1 + (runs - 1) / 2] : query_times[0];
  out->draw_ms = runs > 0 ? draw_times[1 + (runs - 1) / 2] : draw_times[0];
  out->max_ms = runs > 0 ? times[runs] : times[0];
}

static double
time_stats (SmHistoryReader *reader,
            gint64           start,
            gint64           end,
            guint            runs,
            SmStats         *out_stats)
{
  g_autofree double *times = g_new (double, MAX (runs, 1));

  for (guint i = 0; i < MAX (runs, 1); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 begin = g_get_monotonic_time ();

      if (!sm_history_reader_get_stats (reader, 1, "cpu.percent", start, end, out_stats, &error))
        g_error ("stats: %s", error->message);
      times[i] = (g_get_monotonic_time () - begin) / 1000.0;
    }
  qsort (times, MAX (runs, 1), sizeof (double), compare_double);
  return times[(MAX (runs, 1) - 1) / 2];
}

static void
bench_query (const char *path)
{
  static const SmRange ranges[] = { SM_RANGE_1H, SM_RANGE_30D, SM_RANGE_1Y };
  g_autoptr(GError) error = NULL;
  g_autoptr(SmHistoryReader) reader = NULL;
  gint64 end = g_get_real_time () / G_USEC_PER_SEC;
  SmChartStyle style;

  reader = sm_history_reader_new (path, &error);
  if (reader == NULL)
    g_error ("%s", error->message);
  sm_chart_style_init (&style, FALSE);

  g_print ("3. query + draw: cpu.percent, a 1200 x %d chart, interval %d s, first run on a fresh"
           " reader then the median of %d (query_ms and draw_ms are medians of each part)\n",
           DRAW_HEIGHT, STEP_S, opt_runs);
  g_print ("   range  tier  points   first_ms  median_ms     max_ms   query_ms    draw_ms   stats_ms  stats\n");
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      gint64 start = end - sm_range_get_seconds (ranges[i]);
      QueryTiming timing = { 0 };
      SmStats stats;
      double stats_ms;

      time_query (reader, 1, "cpu.percent", start, end, 1200, STEP_S, opt_runs,
                  draw_chart, &style, &timing);
      stats_ms = time_stats (reader, start, end, MAX (opt_runs / 4, 1), &stats);
      g_print ("   %-5s  %-4s  %6u  %9.3f  %9.3f  %9.3f  %9.3f  %9.3f  %9.3f  avg %.1f p95 %.1f (%s, %" G_GUINT64_FORMAT " samples)\n",
               sm_range_to_string (ranges[i]), sm_tier_to_string (timing.tier), timing.n_points,
               timing.first_ms, timing.median_ms, timing.max_ms, timing.query_ms, timing.draw_ms, stats_ms,
               stats.avg, stats.p95, stats.p95_exact ? "exact" : "from buckets", stats.count);
    }
  sm_chart_style_clear (&style);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- history store benchmark");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *year = NULL;
  g_autofree char *template = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_quick)
    {
      opt_hours = MIN (opt_hours, 2);
      opt_days = MIN (opt_days, 60);
      opt_runs = MIN (opt_runs, 5);
    }
  opt_servers = CLAMP (opt_servers, 1, 10000);
  opt_hours = CLAMP (opt_hours, 1, 24 * 400);
  opt_days = CLAMP (opt_days, 1, 400);
  opt_runs = CLAMP (opt_runs, 1, 10000);

  if (opt_dir != NULL)
    {
      template = g_build_filename (opt_dir, "sm-bench-history-XXXXXX", NULL);
      dir = g_mkdtemp (g_strdup (template));
      if (dir == NULL)
        g_error ("%s: %s", template, g_strerror (errno));
    }
  else
    {
      dir = g_dir_make_tmp ("sm-bench-history-XXXXXX", &error);
      if (dir == NULL)
        g_error ("%s", error->message);
    }

  g_print ("bench/history: SQLite %s, in %s%s\n", sqlite3_libversion (), dir,
           opt_quick ? " (--quick)" : "");
  bench_insert (dir);
  year = bench_year (dir);
  bench_query (year);

  if (opt_keep)
    g_print ("kept %s\n", dir);
  else
    sm_test_rmdir (dir);
  return 0;
}
