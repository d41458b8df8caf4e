/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-history.c: the history writer, reader and backup on real SQLite
 * files in temporary directories. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "sm-history.h"
#include "sm-store.h"
#include "sm-test-util.h"

/* A migrated database in a temporary directory; the store stays open for
 * tests that need rows in servers. */
typedef struct {
  char     *dir;
  char     *path;
  SmStore  *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = sm_test_mkdtemp ();
  fixture->path = g_build_filename (fixture->dir, SM_STORE_FILE_NAME, NULL);
  fixture->store = sm_store_open (fixture->path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sm_store_get_schema_version (fixture->store), >=, 6);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->store);
  sm_test_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

/* Helpers. */

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static SmHistoryWriter *
writer_new (const char *path)
{
  g_autoptr(GError) error = NULL;
  SmHistoryWriter *writer = sm_history_writer_new (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (writer);
  return writer;
}

static SmHistoryReader *
reader_new (const char *path)
{
  g_autoptr(GError) error = NULL;
  SmHistoryReader *reader = sm_history_reader_new (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reader);
  return reader;
}

static void
flush (SmHistoryWriter *writer)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sm_history_writer_flush (writer, &error));
  g_assert_no_error (error);
}

static void
add_value (SmHistoryWriter *writer,
           gint64           server_id,
           gint64           t,
           const char      *name,
           double           value)
{
  const char *names[] = { name };

  sm_history_writer_add_values (writer, server_id, t, names, &value, 1);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gint64
floor_to (gint64 t,
          gint64 step)
{
  return t - t % step;
}

static gint64
save_server (SmStore    *store,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) server = sm_server_new ();

  sm_server_set_name (server, name);
  sm_server_set_host (server, "server.example.org");
  g_assert_true (sm_store_save_server (store, server, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);
  return sm_server_get_id (server);
}

#define assert_close(a, b) \
  G_STMT_START { \
    double _a = (a), _b = (b); \
    if (fabs (_a - _b) > 1e-9 * MAX (1.0, fabs (_b))) \
      g_error ("%s:%d: %s = %.17g, expected %.17g", __FILE__, __LINE__, #a, _a, _b); \
  } G_STMT_END

/* Packing. */

static void
test_pack_round_trip (void)
{
  SmPackedValue in[] = {
    { 1, 42.5 },
    { 0, -0.0 },
    { G_MAXUINT32, 1e300 },
    { 77, -123456.789 },
    { 3, 5e-324 },
  };
  g_autoptr(GBytes) bytes = sm_history_pack (in, G_N_ELEMENTS (in));
  g_autoptr(GBytes) empty = sm_history_pack (NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autofree SmPackedValue *out = NULL;
  const guint8 *data;
  gsize size;
  guint n = 0;
  double value;

  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, ==, 1 + 12 * G_N_ELEMENTS (in));
  g_assert_cmpuint (data[0], ==, SM_HISTORY_PACK_VERSION);
  /* Little-endian id, then the double's bits. */
  g_assert_cmpuint (data[1], ==, 1);
  g_assert_cmpuint (data[2], ==, 0);

  out = sm_history_unpack (data, size, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (in));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (out[i].metric_id, ==, in[i].metric_id);
      g_assert_cmpmem (&out[i].value, sizeof (double), &in[i].value, sizeof (double));
    }

  g_assert_true (sm_history_unpack_find (data, size, 77, &value));
  g_assert_cmpfloat (value, ==, -123456.789);
  g_assert_true (sm_history_unpack_find (data, size, G_MAXUINT32, &value));
  g_assert_cmpfloat (value, ==, 1e300);
  g_assert_false (sm_history_unpack_find (data, size, 2, &value));

  /* No values is a valid blob. */
  data = g_bytes_get_data (empty, &size);
  g_assert_cmpuint (size, ==, 1);
  g_clear_pointer (&out, g_free);
  out = sm_history_unpack (data, size, &n, &error);
  g_assert_no_error (error);
  g_assert_null (out);
  g_assert_cmpuint (n, ==, 0);
}

static void
test_pack_malformed (void)
{
  SmPackedValue in[] = { { 5, 1.5 }, { 6, NAN }, { 7, 2.5 } };
  g_autoptr(GBytes) bytes = sm_history_pack (in, G_N_ELEMENTS (in));
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree guint8 *copy = g_memdup2 (data, size);
  g_autofree SmPackedValue *out = NULL;
  guint n = 99;
  double value = 0;

  /* A non-finite value counts as absent; the others are read. */
  {
    g_autoptr(GError) error = NULL;

    out = sm_history_unpack (data, size, &n, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpuint (out[1].metric_id, ==, 7);
    g_assert_false (sm_history_unpack_find (data, size, 6, &value));
    g_clear_pointer (&out, g_free);
  }

  /* Truncated or extended by a byte, empty, missing, another version. */
  {
    const struct {
      const guint8 *data;
      gsize         size;
    } bad[] = {
      { data, size - 1 },
      { data, size - 12 - 1 },
      { data, 0 },
      { NULL, 0 },
      { NULL, 13 },
      { copy, size },   /* version byte changed below */
    };

    copy[0] = SM_HISTORY_PACK_VERSION + 1;
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) error = NULL;

        n = 99;
        out = sm_history_unpack (bad[i].data, bad[i].size, &n, &error);
        g_assert_null (out);
        g_assert_cmpuint (n, ==, 0);
        g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_CORRUPT);
        g_assert_false (sm_history_unpack_find (bad[i].data, bad[i].size, 5, &value));
      }
  }

  /* Random bytes never crash the decoder. */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);

    for (guint round = 0; round < 2000; round++)
      {
        guint8 junk[64];
        gsize len = g_rand_int_range (rand, 0, sizeof junk + 1);

        for (gsize i = 0; i < len; i++)
          junk[i] = (guint8) g_rand_int (rand);
        if (round % 2 == 0 && len > 0)
          junk[0] = SM_HISTORY_PACK_VERSION;
        out = sm_history_unpack (junk, len, &n, NULL);
        g_clear_pointer (&out, g_free);
        sm_history_unpack_find (junk, len, junk[1], &value);
      }
  }
}

/* Rollups. */

typedef struct {
  double  min;
  double  max;
  double  sum;
  guint   count;
} Agg;

static void
agg_add (GHashTable *table,
         const char *key,
         double      value)
{
  Agg *agg = g_hash_table_lookup (table, key);

  if (agg == NULL)
    {
      agg = g_new0 (Agg, 1);
      agg->min = INFINITY;
      agg->max = -INFINITY;
      g_hash_table_insert (table, g_strdup (key), agg);
    }
  agg->min = MIN (agg->min, value);
  agg->max = MAX (agg->max, value);
  agg->sum += value;
  agg->count++;
}

/* Every row of the tier's table equals the aggregate computed here, and
 * there is a row for every aggregate. */
static void
assert_rollups_equal (const char *path,
                      const char *table,
                      GHashTable *expected)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = NULL;
  guint rows = 0;

  sql = g_strdup_printf ("SELECT r.server_id, m.name, r.t, r.min, r.max, r.avg, r.count "
                         "FROM %s AS r JOIN metrics AS m ON m.id = r.metric_id", table);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT "/%s/%" G_GINT64_FORMAT,
                                              (gint64) sqlite3_column_int64 (stmt, 0),
                                              sqlite3_column_text (stmt, 1),
                                              (gint64) sqlite3_column_int64 (stmt, 2));
      Agg *agg = g_hash_table_lookup (expected, key);

      if (agg == NULL)
        g_error ("%s: unexpected row %s", table, key);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 3), ==, agg->min);
      g_assert_cmpfloat (sqlite3_column_double (stmt, 4), ==, agg->max);
      assert_close (sqlite3_column_double (stmt, 5), agg->sum / agg->count);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 6), ==, agg->count);
      rows++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (rows, ==, g_hash_table_size (expected));
}

static void
test_rollups (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(GHashTable) minutes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) hours = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  const char * const names[] = { "cpu.percent", "load.1", "net.eth0.rx_bps" };
  /* Starts 20 s before an hour and runs across two more hour boundaries. */
  gint64 start = floor_to (now_seconds () - 4 * 3600, 3600) - 20;
  gint64 end = start + 2 * 3600 + 900;
  guint64 n_samples = 0;
  guint n_polls[3] = { 0 };

  for (gint64 server_id = 1; server_id <= 2; server_id++)
    {
      gint64 t = start + server_id;

      while (t < end)
        {
          double values[G_N_ELEMENTS (names)];

          /* Irregular: 1 to 97 s apart, values of all signs and sizes. */
          for (guint i = 0; i < G_N_ELEMENTS (names); i++)
            {
              g_autofree char *minute = NULL;
              g_autofree char *hour = NULL;

              values[i] = g_rand_double_range (rand, -50, 50) * pow (10, i * 3);
              minute = g_strdup_printf ("%" G_GINT64_FORMAT "/%s/%" G_GINT64_FORMAT,
                                        server_id, names[i], floor_to (t, 60));
              hour = g_strdup_printf ("%" G_GINT64_FORMAT "/%s/%" G_GINT64_FORMAT,
                                      server_id, names[i], floor_to (t, 3600));
              agg_add (minutes, minute, values[i]);
              agg_add (hours, hour, values[i]);
            }
          sm_history_writer_add_values (writer, server_id, t, names, values, G_N_ELEMENTS (names));
          n_samples += G_N_ELEMENTS (names);
          n_polls[server_id]++;

          /* A flush in the middle of open buckets writes them; they must
           * be replaced, not added up, when they grow later. */
          if (n_polls[server_id] == 77)
            flush (writer);

          t += g_rand_int_range (rand, 1, 98);
        }
    }
  flush (writer);

  assert_rollups_equal (fixture->path, "samples_1m", minutes);
  assert_rollups_equal (fixture->path, "samples_1h", hours);
  g_assert_cmpint (g_hash_table_size (hours), ==, 2 * 3 * 4);

  /* One raw row per poll, holding every value. */
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples"), ==,
                   n_polls[1] + n_polls[2]);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples WHERE length (data) != 37"), ==, 0);
  g_assert_cmpuint (sm_history_writer_get_n_samples (writer), ==, n_samples);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM server_metrics"), ==, 6);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM metrics"), ==, 3);
}

/* The reader's view of the same: raw values come back as they went in. */
static void
test_raw_values (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(SmHistoryReader) reader = reader_new (fixture->path);
  g_autoptr(SmSeries) series = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = floor_to (now_seconds () - 600, 60);

  for (guint i = 0; i < 30; i++)
    {
      const char *names[] = { "mem.used", "cpu.percent", "status.up" };
      double values[] = { 1e9 + i, i * 1.5, 1 };

      sm_history_writer_add_values (writer, 9, start + i * 10, names, values, 3);
    }
  flush (writer);

  series = sm_history_reader_query_tier (reader, 9, "cpu.percent", SM_TIER_RAW,
                                         start, start + 3600, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (series->points->len, ==, 30);
  for (guint i = 0; i < 30; i++)
    {
      SmSeriesPoint *point = &g_array_index (series->points, SmSeriesPoint, i);

      g_assert_cmpint (point->t, ==, start + i * 10);
      g_assert_cmpfloat (point->avg, ==, i * 1.5);
      g_assert_cmpfloat (point->min, ==, i * 1.5);
      g_assert_cmpuint (point->count, ==, 1);
    }
  g_assert_cmpint (series->step, ==, 10);
  g_assert_cmpint (series->gap, ==, 25);
}

static void
test_restart_merges (Fixture       *fixture,
                     gconstpointer  user_data)
{
  SmHistoryWriter *writer = writer_new (fixture->path);
  gint64 minute = floor_to (now_seconds () - 7200, 3600) + 600;

  add_value (writer, 3, minute + 1, "cpu.percent", 10);
  add_value (writer, 3, minute + 10, "cpu.percent", 20);
  add_value (writer, 3, minute + 20, "cpu.percent", 30);
  /* Freed mid-bucket: the open buckets are written on the way out. */
  sm_history_writer_free (writer);

  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count FROM samples_1m"), ==, 3);

  writer = writer_new (fixture->path);
  add_value (writer, 3, minute + 30, "cpu.percent", 5);
  add_value (writer, 3, minute + 40, "cpu.percent", 35);
  flush (writer);

  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples_1m"), ==, 1);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count FROM samples_1m"), ==, 5);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT min FROM samples_1m"), ==, 5);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT max FROM samples_1m"), ==, 35);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT avg FROM samples_1m"), ==, 20);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count FROM samples_1h"), ==, 5);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT avg FROM samples_1h"), ==, 20);

  /* The next minute, then a late sample for the first one: added to its
   * row, not replacing it. */
  add_value (writer, 3, minute + 70, "cpu.percent", 100);
  add_value (writer, 3, minute + 50, "cpu.percent", 80);
  flush (writer);
  sm_history_writer_free (writer);

  {
    g_autofree char *sql = g_strdup_printf ("SELECT count * 1000 + max FROM samples_1m WHERE t = %"
                                            G_GINT64_FORMAT, minute);

    g_assert_cmpint (sm_test_sql_int (fixture->path, sql), ==, 6 * 1000 + 80);
  }
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count FROM samples_1h"), ==, 7);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT max FROM samples_1h"), ==, 100);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples"), ==, 7);
}

/* Without a flush, a batch is committed within about a second. */
static void
test_background_commit (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  gint64 t = now_seconds () - 100;
  gint64 queued_at;
  gint64 deadline;

  for (guint i = 0; i < 10; i++)
    add_value (writer, 1, t + i, "cpu.percent", i);
  queued_at = g_get_monotonic_time ();
  deadline = queued_at + 10 * G_USEC_PER_SEC;

  /* Waits on what can be seen in the file, with a deadline. */
  while (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples") < 10)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  /* Not before the batch's second was up (the writer is idle otherwise). */
  g_assert_cmpint (g_get_monotonic_time () - queued_at, >=, G_USEC_PER_SEC / 2);
  g_assert_cmpuint (sm_history_writer_get_n_samples (writer), ==, 10);
}

/* Old data goes to the tiers that keep it, and no further. */
static void
test_old_data (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  gint64 now = now_seconds ();

  /* Three days ago: past the raw retention (48 h), within 1 m (30 d). */
  add_value (writer, 1, now - 3 * 86400, "load.1", 1);
  add_value (writer, 1, now - 3 * 86400 + 120, "load.1", 2);
  /* Forty days ago, and a new value now. */
  add_value (writer, 2, now - 40 * 86400, "load.1", 3);
  add_value (writer, 2, now - 40 * 86400 + 7200, "load.1", 4);
  add_value (writer, 2, now, "load.1", 5);
  flush (writer);

  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples"), ==, 1);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples_1m WHERE server_id = 1"), ==, 2);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples_1h WHERE server_id = 1"), >=, 1);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples_1m WHERE server_id = 2"), ==, 1);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples_1h WHERE server_id = 2"), ==, 3);
  g_assert_cmpuint (sm_history_writer_get_n_samples (writer), ==, 5);
}

/* Retention. */

static gint64
count_where (const char *path,
             const char *table,
             const char *condition,
             gint64      bound)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE %s %" G_GINT64_FORMAT,
                                          table, condition, bound);

  return sm_test_sql_int (path, sql);
}

static void
test_retention (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(GError) error = NULL;
  SmRetention retention = { 3600, 2 * 3600, 3 * 3600 };
  /* Prune time: an hour boundary 1 to 2 hours ahead, so that every row
   * the test looks at was written (see the writer's horizon). */
  gint64 p = floor_to (now_seconds (), 3600) + 7200;
  gint64 server_id = save_server (fixture->store, "retained");
  gint64 raw_kept_expected = 0;
  gint64 t;

  sm_history_writer_set_retention (writer, &retention);

  /* Every second for five hours, for two servers (ids above 100; the
   * stored server has status polls only). */
  for (t = p - 5 * 3600; t < p; t++)
    {
      add_value (writer, 101, t, "cpu.percent", t % 100);
      add_value (writer, 102, t, "load.1", 1);
    }
  /* Status changes: one before the 1 h tier's retention, one within. */
  sm_history_writer_add_poll (writer, server_id, p - 4 * 3600, SM_SERVER_STATUS_DOWN, "timed out", NAN, NULL);
  sm_history_writer_add_poll (writer, server_id, p - 2 * 3600, SM_SERVER_STATUS_UP, "", 3, NULL);
  flush (writer);

  for (t = p - 3600; t < p; t++)
    raw_kept_expected++;

  /* Written, with rows on both sides of each boundary. */
  g_assert_cmpint (count_where (fixture->path, "samples", "server_id = 101 AND t =", p - 3601), ==, 1);
  g_assert_cmpint (count_where (fixture->path, "samples", "server_id = 101 AND t =", p - 3600), ==, 1);
  /* More than one prune batch (2000 rows) of old raw rows per server. */
  g_assert_cmpint (count_where (fixture->path, "samples", "server_id = 101 AND t <", p - 3600), >, 2000);
  g_assert_cmpint (count_where (fixture->path, "samples_1m", "server_id > 100 AND t =", p - 7260), ==, 2);
  g_assert_cmpint (count_where (fixture->path, "samples_1m", "server_id > 100 AND t =", p - 7200), ==, 2);
  g_assert_cmpint (count_where (fixture->path, "samples_1h", "server_id > 100 AND t =", p - 4 * 3600), ==, 2);
  g_assert_cmpint (count_where (fixture->path, "samples_1h", "server_id > 100 AND t =", p - 3 * 3600), ==, 2);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM status_events"), ==, 2);

  g_assert_true (sm_history_writer_prune (writer, p, &error));
  g_assert_no_error (error);

  /* Raw: t >= p - 3600 kept, everything older gone. */
  g_assert_cmpint (count_where (fixture->path, "samples", "t <", p - 3600), ==, 0);
  g_assert_cmpint (count_where (fixture->path, "samples", "server_id = 101 AND t >=", p - 3600), ==, raw_kept_expected);
  g_assert_cmpint (count_where (fixture->path, "samples", "server_id = 102 AND t >=", p - 3600), ==, raw_kept_expected);
  /* 1 m: buckets starting at p - 2 h kept (120 minutes), older gone. */
  g_assert_cmpint (count_where (fixture->path, "samples_1m", "t <", p - 7200), ==, 0);
  g_assert_cmpint (count_where (fixture->path, "samples_1m", "server_id = 101 AND t >=", p - 7200), ==, 120);
  g_assert_cmpint (count_where (fixture->path, "samples_1m", "server_id > 100 AND t =", p - 7200), ==, 2);
  /* 1 h: three hours kept. */
  g_assert_cmpint (count_where (fixture->path, "samples_1h", "t <", p - 3 * 3600), ==, 0);
  g_assert_cmpint (count_where (fixture->path, "samples_1h", "server_id = 102 AND t >=", p - 3 * 3600), ==, 3);
  /* Events follow the longest tier. */
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM status_events"), ==, 1);
  g_assert_cmpint (count_where (fixture->path, "status_events", "t =", p - 2 * 3600), ==, 1);
  /* The incremental vacuum gave the freed pages back. */
  g_assert_cmpint (sm_test_sql_int (fixture->path, "PRAGMA freelist_count"), ==, 0);

  /* A second prune at the same time finds nothing more. */
  {
    gint64 before = sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples");

    g_assert_true (sm_history_writer_prune (writer, p, &error));
    g_assert_no_error (error);
    g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples"), ==, before);
  }
}

/* Stats and uptime. */

static void
test_p95_raw (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(SmHistoryReader) reader = reader_new (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  gint64 start = now_seconds () - 3600;
  guint order[100];
  SmStats stats;

  /* 1..100 in a shuffled order in time. */
  for (guint i = 0; i < 100; i++)
    order[i] = i + 1;
  for (guint i = 99; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      guint tmp = order[i];

      order[i] = order[j];
      order[j] = tmp;
    }
  for (guint i = 0; i < 100; i++)
    add_value (writer, 4, start + i * 10, "disk./.used_percent", order[i]);
  flush (writer);

  g_assert_true (sm_history_reader_get_stats (reader, 4, "disk./.used_percent",
                                              start, start + 1000, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.count, ==, 100);
  g_assert_cmpfloat (stats.min, ==, 1);
  g_assert_cmpfloat (stats.max, ==, 100);
  g_assert_cmpfloat (stats.avg, ==, 50.5);
  g_assert_cmpfloat (stats.p95, ==, 95);
  g_assert_true (stats.p95_exact);

  /* A part of the range: the first ten in time. */
  g_assert_true (sm_history_reader_get_stats (reader, 4, "disk./.used_percent",
                                              start, start + 95, &stats, &error));
  g_assert_cmpuint (stats.count, ==, 10);

  /* Nothing there: count 0 and NAN. */
  g_assert_true (sm_history_reader_get_stats (reader, 4, "disk./.used_percent",
                                              start - 500, start - 1, &stats, &error));
  g_assert_cmpuint (stats.count, ==, 0);
  g_assert_true (isnan (stats.min) && isnan (stats.max) && isnan (stats.avg) && isnan (stats.p95));
  g_assert_true (sm_history_reader_get_stats (reader, 4, "no.such.metric",
                                              start, start + 1000, &stats, &error));
  g_assert_cmpuint (stats.count, ==, 0);
  g_assert_true (isnan (stats.avg));
}

static void
test_p95_rollups (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(SmHistoryReader) reader = reader_new (fixture->path);
  g_autoptr(GError) error = NULL;
  SmRetention retention;
  gint64 start = floor_to (now_seconds () - 6 * 3600, 60);
  SmStats stats;

  /* Minute k (1..100) holds k - 0.5 and k + 0.5: its average is k. */
  for (guint k = 1; k <= 100; k++)
    {
      add_value (writer, 5, start + (k - 1) * 60 + 5, "cpu.percent", k - 0.5);
      add_value (writer, 5, start + (k - 1) * 60 + 35, "cpu.percent", k + 0.5);
    }
  flush (writer);

  /* A raw retention shorter than the range: the figures come from the
   * 1-minute buckets. */
  sm_retention_init_default (&retention);
  retention.raw = 600;
  sm_history_reader_set_retention (reader, &retention);
  g_assert_true (sm_history_reader_get_stats (reader, 5, "cpu.percent",
                                              start, start + 100 * 60 - 1, &stats, &error));
  g_assert_no_error (error);
  g_assert_false (stats.p95_exact);
  g_assert_cmpuint (stats.count, ==, 200);
  g_assert_cmpfloat (stats.min, ==, 0.5);
  g_assert_cmpfloat (stats.max, ==, 100.5);
  assert_close (stats.avg, 50.5);
  g_assert_cmpfloat (stats.p95, ==, 95);

  /* With the default retention the same range is exact over the raw
   * samples: 200 values, 95th percentile by rank 190 = 95.5. */
  sm_retention_init_default (&retention);
  sm_history_reader_set_retention (reader, &retention);
  g_assert_true (sm_history_reader_get_stats (reader, 5, "cpu.percent",
                                              start, start + 100 * 60 - 1, &stats, &error));
  g_assert_true (stats.p95_exact);
  g_assert_cmpuint (stats.count, ==, 200);
  g_assert_cmpfloat (stats.p95, ==, 95.5);

  /* Past the 1 m retention too: the hour buckets. */
  retention.raw = 600;
  retention.minute = 1800;
  sm_history_reader_set_retention (reader, &retention);
  g_assert_true (sm_history_reader_get_stats (reader, 5, "cpu.percent",
                                              start, start + 100 * 60 - 1, &stats, &error));
  g_assert_false (stats.p95_exact);
  g_assert_cmpuint (stats.count, ==, 200);
  assert_close (stats.avg, 50.5);
}

static void
test_uptime (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(SmHistoryReader) reader = reader_new (fixture->path);
  g_autoptr(SmPollResult) result = sm_poll_result_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SmSeries) latency = NULL;
  g_autoptr(SmSeries) cpu = NULL;
  gint64 id = save_server (fixture->store, "web");
  gint64 start = now_seconds () - 1000;
  double percent = 0;

  sm_poll_result_add_metric (result, "cpu.percent", 12.5);
  sm_history_writer_add_poll (writer, id, start, SM_SERVER_STATUS_UP, "", 4.5, result);
  sm_history_writer_add_poll (writer, id, start + 60, SM_SERVER_STATUS_DEGRADED, "disk / 95% full", 5.5, result);
  sm_history_writer_add_poll (writer, id, start + 120, SM_SERVER_STATUS_DOWN, "timed out", 15000, result);
  sm_history_writer_add_poll (writer, id, start + 180, SM_SERVER_STATUS_UP, "", NAN, result);
  /* Not recorded. */
  sm_history_writer_add_poll (writer, id, start + 240, SM_SERVER_STATUS_UNKNOWN, "host key not trusted yet", NAN, NULL);
  sm_history_writer_add_poll (writer, id, start + 300, SM_SERVER_STATUS_DISABLED, "", NAN, NULL);
  flush (writer);

  g_assert_true (sm_history_reader_get_uptime (reader, id, start, start + 1000, &percent, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (percent, ==, 75);
  g_assert_true (sm_history_reader_get_uptime (reader, id, start + 100, start + 1000, &percent, &error));
  g_assert_cmpfloat (percent, ==, 50);
  g_assert_true (sm_history_reader_get_uptime (reader, id, start + 1, start + 59, &percent, &error));
  g_assert_true (isnan (percent));
  g_assert_true (sm_history_reader_get_uptime (reader, id + 100, start, start + 1000, &percent, &error));
  g_assert_true (isnan (percent));

  /* Latency only when the poll reached the server and was measured; the
   * down poll's metrics are not recorded. */
  latency = sm_history_reader_query_tier (reader, id, "poll.latency_ms", SM_TIER_RAW,
                                          start, start + 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (latency->points->len, ==, 2);
  g_assert_cmpfloat (g_array_index (latency->points, SmSeriesPoint, 1).avg, ==, 5.5);
  cpu = sm_history_reader_query_tier (reader, id, "cpu.percent", SM_TIER_RAW,
                                      start, start + 1000, &error);
  g_assert_cmpuint (cpu->points->len, ==, 3);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples"), ==, 4);
}

static void
test_status_events (Fixture       *fixture,
                    gconstpointer  user_data)
{
  SmHistoryWriter *writer = writer_new (fixture->path);
  gint64 id = save_server (fixture->store, "db");
  gint64 t = now_seconds () - 5000;
  const SmServerStatus sequence[] = {
    SM_SERVER_STATUS_UP, SM_SERVER_STATUS_UP, SM_SERVER_STATUS_DEGRADED,
    SM_SERVER_STATUS_DEGRADED, SM_SERVER_STATUS_UNKNOWN, SM_SERVER_STATUS_DOWN,
    SM_SERVER_STATUS_DOWN, SM_SERVER_STATUS_DISABLED, SM_SERVER_STATUS_UP,
  };
  g_autofree char *events = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (sequence); i++)
    sm_history_writer_add_poll (writer, id, t + i * 10, sequence[i],
                                sequence[i] == SM_SERVER_STATUS_DOWN ? "connection refused" : "",
                                1, NULL);
  /* A server that no longer exists: no event, and no failed batch. */
  sm_history_writer_add_poll (writer, id + 1000, t, SM_SERVER_STATUS_DOWN, "gone", NAN, NULL);
  flush (writer);
  sm_history_writer_free (writer);

  events = sm_test_sql_text (fixture->path,
                     "SELECT group_concat (t || ':' || status || ':' || reason, ',') FROM "
                     "(SELECT t, status, reason FROM status_events ORDER BY id)");
  {
    g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT ":up:,"
                                                 "%" G_GINT64_FORMAT ":degraded:,"
                                                 "%" G_GINT64_FORMAT ":down:connection refused,"
                                                 "%" G_GINT64_FORMAT ":up:",
                                                 t, t + 20, t + 50, t + 80);

    g_assert_cmpstr (events, ==, expected);
  }

  /* After a restart the last status comes from the file. */
  writer = writer_new (fixture->path);
  sm_history_writer_add_poll (writer, id, t + 100, SM_SERVER_STATUS_UP, "", 1, NULL);
  flush (writer);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM status_events"), ==, 4);
  sm_history_writer_add_poll (writer, id, t + 110, SM_SERVER_STATUS_DOWN, "timed out", 1, NULL);
  flush (writer);
  sm_history_writer_free (writer);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM status_events"), ==, 5);
  g_free (events);
  events = sm_test_sql_text (fixture->path, "SELECT reason FROM status_events ORDER BY id DESC LIMIT 1");
  g_assert_cmpstr (events, ==, "timed out");
}

/* Queries. */

static void
test_query_tiers (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(SmHistoryReader) reader = reader_new (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) metrics = NULL;
  gint64 now = floor_to (now_seconds (), 60);
  gint64 t;

  /* Two days of 10 s data, with a five-minute hole an hour ago. */
  for (t = now - 2 * 86400 + 3600; t <= now; t += 10)
    {
      const char *names[] = { "cpu.percent", "mem.used", "disk./.used_percent" };
      double values[] = { t % 100, 1e9, 50 };

      if (t > now - 3600 && t < now - 3300)
        continue;
      sm_history_writer_add_values (writer, 1, t, names, values, 3);
    }
  add_value (writer, 2, now - 100, "cpu.percent", 1);
  flush (writer);

  {
    g_autoptr(SmSeries) series = sm_history_reader_query (reader, 1, "cpu.percent",
                                                          now - 3600, now, 1200, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpint (series->tier, ==, SM_TIER_RAW);
    g_assert_cmpstr (series->metric, ==, "cpu.percent");
    g_assert_cmpint (series->step, ==, 10);
    g_assert_cmpint (series->gap, ==, 25);
    g_assert_cmpuint (series->points->len, ==, 361 - 29);
    g_assert_cmpint (g_array_index (series->points, SmSeriesPoint, 0).t, ==, now - 3600);
  }
  {
    g_autoptr(SmSeries) series = sm_history_reader_query (reader, 1, "cpu.percent",
                                                          now - 86400, now, 1200, 10, &error);
    SmSeriesPoint *first;

    g_assert_no_error (error);
    g_assert_cmpint (series->tier, ==, SM_TIER_1M);
    g_assert_cmpint (series->step, ==, 60);
    g_assert_cmpint (series->gap, ==, 150);
    /* 1441 minutes minus the four the hole empties. */
    g_assert_cmpuint (series->points->len, ==, 1441 - 4);
    first = &g_array_index (series->points, SmSeriesPoint, 0);
    g_assert_cmpint (first->t, ==, now - 86400);
    g_assert_cmpuint (first->count, ==, 6);
    g_assert_cmpfloat (first->min, <=, first->avg);
    g_assert_cmpfloat (first->avg, <=, first->max);
  }
  {
    g_autoptr(SmSeries) series = sm_history_reader_query (reader, 1, "cpu.percent",
                                                          now - 30 * 86400, now, 1200, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpint (series->tier, ==, SM_TIER_1H);
    g_assert_cmpint (series->step, ==, 3600);
    g_assert_cmpint (series->gap, ==, 9000);
    g_assert_cmpuint (series->points->len, >=, 47);
    g_assert_cmpuint (series->points->len, <=, 49);
  }
  {
    /* Fewer than two raw points: the server's interval is the step. */
    g_autoptr(SmSeries) series = sm_history_reader_query (reader, 2, "cpu.percent",
                                                          now - 3600, now, 1200, 30, &error);

    g_assert_no_error (error);
    g_assert_cmpint (series->tier, ==, SM_TIER_RAW);
    g_assert_cmpuint (series->points->len, ==, 1);
    g_assert_cmpint (series->step, ==, 30);
    g_assert_cmpint (series->gap, ==, 75);
  }
  {
    g_autoptr(SmSeries) unknown_metric = sm_history_reader_query (reader, 1, "no.such.metric",
                                                                  now - 3600, now, 1200, 10, &error);
    g_autoptr(SmSeries) unknown_server = sm_history_reader_query (reader, 77, "cpu.percent",
                                                                  now - 86400, now, 1200, 10, &error);

    g_assert_no_error (error);
    g_assert_nonnull (unknown_metric);
    g_assert_cmpuint (unknown_metric->points->len, ==, 0);
    g_assert_cmpstr (unknown_metric->metric, ==, "no.such.metric");
    g_assert_cmpuint (unknown_server->points->len, ==, 0);
    g_assert_cmpint (unknown_server->tier, ==, SM_TIER_1M);
  }

  metrics = sm_history_reader_list_metrics (reader, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (metrics->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (metrics, 0), ==, "cpu.percent");
  g_assert_cmpstr (g_ptr_array_index (metrics, 1), ==, "disk./.used_percent");
  g_assert_cmpstr (g_ptr_array_index (metrics, 2), ==, "mem.used");
  g_clear_pointer (&metrics, g_ptr_array_unref);
  metrics = sm_history_reader_list_metrics (reader, 77, &error);
  g_assert_cmpuint (metrics->len, ==, 0);
}

/* A reader on a worker thread while the writer writes. */
typedef struct {
  SmHistoryReader *reader;
  gint64           now;
  guint            n_queries;
} ReaderThread;

static gpointer
reader_thread (gpointer data)
{
  ReaderThread *run = data;

  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SmSeries) series = sm_history_reader_query (run->reader, 1, "cpu.percent",
                                                            run->now - 3600, run->now, 800, 10, &error);

      g_assert_no_error (error);
      g_assert_nonnull (series);
      run->n_queries++;
    }
  return NULL;
}

static void
test_reader_threads (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  SmHistoryReader *reader = reader_new (fixture->path);
  ReaderThread runs[2];
  GThread *threads[2];
  gint64 now = now_seconds ();

  for (guint i = 0; i < 2; i++)
    {
      runs[i].reader = sm_history_reader_ref (reader);
      runs[i].now = now;
      runs[i].n_queries = 0;
      threads[i] = g_thread_new ("reader", reader_thread, &runs[i]);
    }
  sm_history_reader_unref (reader);
  for (gint64 t = now - 3600; t < now; t += 10)
    add_value (writer, 1, t, "cpu.percent", 1);
  flush (writer);
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (runs[i].n_queries, ==, 50);
      sm_history_reader_unref (runs[i].reader);
    }
}

/* Forgetting a server. */

static void
test_forget (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(SmHistoryReader) reader = reader_new (fixture->path);
  g_autoptr(GPtrArray) metrics = NULL;
  g_autoptr(GError) error = NULL;
  gint64 minute = floor_to (now_seconds () - 3600, 3600) + 120;
  gint64 id = save_server (fixture->store, "old");
  SmStats stats;

  /* Committed history of the old server... */
  sm_history_writer_add_poll (writer, id, minute, SM_SERVER_STATUS_DOWN, "refused", NAN, NULL);
  add_value (writer, id, minute + 1, "old.metric", 1000);
  add_value (writer, id, minute + 2, "cpu.percent", 1000);
  add_value (writer, 99, minute + 2, "cpu.percent", 7);
  flush (writer);
  /* ...and some still queued when it is forgotten. */
  add_value (writer, id, minute + 3, "cpu.percent", 2000);
  sm_history_writer_forget_server (writer, id);
  /* The new server with the same id, in the same minute. */
  add_value (writer, id, minute + 4, "cpu.percent", 1);
  add_value (writer, id, minute + 5, "cpu.percent", 3);
  sm_history_writer_add_poll (writer, id, minute + 6, SM_SERVER_STATUS_DOWN, "refused", NAN, NULL);
  flush (writer);

  g_assert_true (sm_history_reader_get_stats (reader, id, "cpu.percent", minute, minute + 59, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.count, ==, 2);
  g_assert_cmpfloat (stats.max, ==, 3);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count FROM samples_1m WHERE server_id = %" G_GINT64_FORMAT
                                            " AND metric_id = (SELECT id FROM metrics WHERE name = 'cpu.percent')", id);

    g_assert_cmpint (sm_test_sql_int (fixture->path, sql), ==, 2);
  }
  metrics = sm_history_reader_list_metrics (reader, id, &error);
  g_assert_cmpuint (metrics->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (metrics, 0), ==, "cpu.percent");
  g_assert_cmpstr (g_ptr_array_index (metrics, 1), ==, "status.up");
  /* The new server's first status is an event of its own. */
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM status_events"), ==, 1);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT t FROM status_events"), ==, minute + 6);
  /* Other servers keep their history. */
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples WHERE server_id = 99"), ==, 1);

  /* Forgetting with nothing committed in between works the same. */
  sm_history_writer_forget_server (writer, 99);
  add_value (writer, 99, minute + 8, "cpu.percent", 8);
  flush (writer);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples WHERE server_id = 99"), ==, 1);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count FROM samples_1h WHERE server_id = 99"), ==, 1);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT max FROM samples_1h WHERE server_id = 99"), ==, 8);
}

/* Backup. */

typedef struct {
  SmHistoryWriter *writer;
  gint64           start;
  gint             stop;
  guint            n_added;
} Inserter;

static gpointer
inserter_thread (gpointer data)
{
  Inserter *inserter = data;

  while (!g_atomic_int_get (&inserter->stop))
    {
      const char *names[] = { "cpu.percent", "load.1", "mem.used" };
      double values[] = { 1, 2, 3 };

      sm_history_writer_add_values (inserter->writer, 2, inserter->start + inserter->n_added,
                                    names, values, 3);
      inserter->n_added++;
      /* Keep the queue short and the commits frequent. */
      if (inserter->n_added % 500 == 0)
        sm_history_writer_flush (inserter->writer, NULL);
    }
  return NULL;
}

static void
test_backup_live (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (fixture->dir, "backup.db", NULL);
  g_autofree char *dest_wal = g_strconcat (dest, "-wal", NULL);
  g_autofree char *check = NULL;
  g_autofree char *mode = NULL;
  Inserter inserter = { writer, now_seconds () - 86400, 0, 0 };
  gint64 start = now_seconds () - 7200;
  GThread *thread;
  GStatBuf st;

  for (guint i = 0; i < 500; i++)
    add_value (writer, 1, start + i, "cpu.percent", i);
  flush (writer);

  thread = g_thread_new ("inserter", inserter_thread, &inserter);
  /* Wait (without sleeping) until the inserter's rows are committed. */
  while (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples WHERE server_id = 2") < 1000)
    g_thread_yield ();

  g_assert_true (sm_history_backup (fixture->path, dest, &error));
  g_assert_no_error (error);
  g_atomic_int_set (&inserter.stop, 1);
  g_thread_join (thread);
  flush (writer);

  check = sm_test_sql_text (dest, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok");
  mode = sm_test_sql_text (dest, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "delete");
  g_assert_false (g_file_test (dest_wal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (sm_test_sql_int (dest, "SELECT count(*) FROM samples WHERE server_id = 1"), ==, 500);
  g_assert_cmpint (sm_test_sql_int (dest, "SELECT count(*) FROM samples WHERE server_id = 2"), >=, 1000);
  g_assert_cmpint (sm_test_sql_int (dest, "SELECT count(*) FROM samples WHERE server_id = 2"), <=, inserter.n_added);
  g_assert_cmpint (sm_test_sql_int (dest, "PRAGMA user_version"), ==, SM_STORE_SCHEMA_VERSION);
  g_assert_cmpint (g_stat (dest, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (sm_history_get_disk_usage (dest), ==, st.st_size);
  g_assert_cmpuint (sm_history_get_disk_usage (fixture->path), >=, st.st_size / 2);

  /* A second backup replaces the first. */
  g_assert_true (sm_history_backup (fixture->path, dest, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sm_test_sql_int (dest, "SELECT count(*) FROM samples WHERE server_id = 2"), ==, inserter.n_added);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (handle);
  while (g_dir_read_name (handle) != NULL)
    n++;
  return n;
}

static void
test_backup_errors (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *locked = g_build_filename (fixture->dir, "locked", NULL);
  g_autofree char *dest = g_build_filename (locked, "backup.db", NULL);
  g_autofree char *file_dir = g_build_filename (fixture->path, "backup.db", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.db", NULL);
  g_autofree char *missing_dest = g_build_filename (fixture->dir, "copy.db", NULL);

  g_assert_cmpint (g_mkdir (locked, 0500), ==, 0);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sm_history_backup (fixture->path, dest, &error));
    g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_READ_ONLY);
    g_assert_nonnull (strstr (error->message, locked));
    g_assert_cmpuint (count_files (locked), ==, 0);
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sm_history_backup (fixture->path, "/nonexistent-dir/backup.db", &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "/nonexistent-dir"));
  }
  {
    /* The "folder" is a file. */
    g_autoptr(GError) error = NULL;

    g_assert_false (sm_history_backup (fixture->path, file_dir, &error));
    g_assert_nonnull (error);
  }
  {
    /* No source: an error, and no temporary file left behind. */
    g_autoptr(GError) error = NULL;
    guint before = count_files (fixture->dir);

    g_assert_false (sm_history_backup (missing, missing_dest, &error));
    g_assert_nonnull (error);
    g_assert_cmpuint (count_files (fixture->dir), ==, before);
  }
  g_chmod (locked, 0700);
}

/* A full disk. */

static void
test_disk_full (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) last = NULL;
  gint64 start = floor_to (now_seconds () - 7200, 60);
  const char *names[] = { "a.percent", "b.percent", "c.percent", "d.percent",
                          "e.percent", "f.percent", "g.percent", "h.percent" };
  double values[G_N_ELEMENTS (names)];
  gint64 pages;
  gint64 rows_before;
  gint64 rollups_before;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    values[i] = i;
  for (guint i = 0; i < 100; i++)
    sm_history_writer_add_values (writer, 1, start + i * 10, names, values, G_N_ELEMENTS (names));
  flush (writer);
  g_assert_null (sm_history_writer_dup_error (writer));

  rows_before = sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples");
  rollups_before = sm_test_sql_int (fixture->path, "SELECT count(*) + sum (count) FROM samples_1m");
  pages = sm_test_sql_int (fixture->path, "PRAGMA page_count");
  sm_history_writer_set_max_page_count (writer, pages + 2);

  /* Far more than two pages' worth, with new metric names too. */
  for (guint i = 100; i < 3100; i++)
    {
      sm_history_writer_add_values (writer, 1, start + 1000 + i * 2, names, values, G_N_ELEMENTS (names));
      if (i == 2000)
        add_value (writer, 1, start + 1000 + i * 2 + 1, "new.metric", 1);
    }
  g_assert_false (sm_history_writer_flush (writer, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  g_assert_nonnull (strstr (error->message, fixture->path));
  last = sm_history_writer_dup_error (writer);
  g_assert_nonnull (last);
  g_assert_cmpstr (last->message, ==, error->message);
  g_clear_error (&error);

  /* Nothing of the failed batch is in the file. */
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples"), ==, rows_before);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) + sum (count) FROM samples_1m"), ==, rollups_before);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM metrics WHERE name = 'new.metric'"), ==, 0);
  {
    g_autofree char *check = sm_test_sql_text (fixture->path, "PRAGMA integrity_check");

    g_assert_cmpstr (check, ==, "ok");
  }

  /* Still full: the flush fails again and keeps the batch. */
  g_assert_false (sm_history_writer_flush (writer, &error));
  g_clear_error (&error);

  /* Space again: the kept batch is written. */
  sm_history_writer_set_max_page_count (writer, 0);
  flush (writer);
  g_clear_error (&last);
  g_assert_null (sm_history_writer_dup_error (writer));
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples"), ==, 3101);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT sum (count) FROM samples_1h "
                                           "WHERE metric_id = (SELECT id FROM metrics WHERE name = 'a.percent')"), ==, 3100);
  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples_1h "
                                           "WHERE metric_id = (SELECT id FROM metrics WHERE name = 'new.metric')"), ==, 1);
  g_assert_cmpuint (sm_history_writer_get_n_samples (writer), ==, 3100 * G_N_ELEMENTS (names) + 1);
  g_assert_cmpuint (sm_history_writer_get_n_dropped (writer), ==, 0);
}

/* The writer refuses a database without the history tables. */
static void
test_unmigrated (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "other.db", NULL);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE x (y)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_null (sm_history_writer_new (path, &error));
  g_assert_error (error, SM_STORE_ERROR, SM_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_null (sm_history_reader_new (path, &error));
  g_assert_nonnull (error);
  sm_test_rmdir (dir);
}

/* A poll and a check of one server at the same second: both kept, in
 * one row, in the same flush and across flushes. */
static void
test_same_second (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(SmHistoryWriter) writer = writer_new (fixture->path);
  g_autoptr(SmHistoryReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t = now_seconds () - 30;
  const char *names[] = { "cpu.percent", "check.3.up" };
  const double values[] = { 40, 1 };

  add_value (writer, 1, t, "cpu.percent", 25);
  add_value (writer, 1, t, "check.7.latency_ms", 12);
  flush (writer);
  add_value (writer, 1, t, "check.7.up", 1);
  sm_history_writer_add_values (writer, 1, t + 10, names, values, 2);
  add_value (writer, 1, t + 10, "cpu.percent", 50);
  flush (writer);

  g_assert_cmpint (sm_test_sql_int (fixture->path, "SELECT count(*) FROM samples"), ==, 2);
  reader = reader_new (fixture->path);
  {
    const char *metrics[] = { "cpu.percent", "check.7.latency_ms", "check.7.up", "check.3.up" };
    const double first[] = { 25, 12, 1, NAN };
    const double second[] = { 50, NAN, NAN, 1 };

    for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
      {
        g_autoptr(SmSeries) series = sm_history_reader_query_tier (reader, 1, metrics[i], SM_TIER_RAW,
                                                                     t - 1, t + 11, &error);

        g_assert_no_error (error);
        for (guint p = 0; p < series->points->len; p++)
          {
            const SmSeriesPoint *point = &g_array_index (series->points, SmSeriesPoint, p);
            double expected = point->t == t ? first[i] : second[i];

            g_assert_false (isnan (expected));
            g_assert_cmpfloat (point->avg, ==, expected);
          }
        g_assert_cmpuint (series->points->len, ==, (!isnan (first[i])) + (!isnan (second[i])));
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/history/pack/round-trip", test_pack_round_trip);
  g_test_add_func ("/history/pack/malformed", test_pack_malformed);
  ADD ("/history/writer/rollups", test_rollups);
  ADD ("/history/writer/raw-values", test_raw_values);
  ADD ("/history/writer/restart-merges", test_restart_merges);
  ADD ("/history/writer/background-commit", test_background_commit);
  ADD ("/history/writer/old-data", test_old_data);
  ADD ("/history/writer/retention", test_retention);
  ADD ("/history/writer/status-events", test_status_events);
  ADD ("/history/writer/forget", test_forget);
  ADD ("/history/writer/same-second", test_same_second);
  ADD ("/history/writer/disk-full", test_disk_full);
  g_test_add_func ("/history/writer/unmigrated", test_unmigrated);
  ADD ("/history/reader/p95-raw", test_p95_raw);
  ADD ("/history/reader/p95-rollups", test_p95_rollups);
  ADD ("/history/reader/uptime", test_uptime);
  ADD ("/history/reader/query-tiers", test_query_tiers);
  ADD ("/history/reader/threads", test_reader_threads);
  ADD ("/history/backup/live", test_backup_live);
  ADD ("/history/backup/errors", test_backup_errors);

#undef ADD

  return g_test_run ();
}
