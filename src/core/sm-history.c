/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-history.c: metric history: the writer thread, the reader and backups.
 *
 * The writer keeps two kinds of state. What it has been told (the open
 * rollup buckets, each server's last status, the metric names) lives in
 * memory and moves on as polls arrive. What still has to reach the file
 * (raw rows, closed buckets, status events, new server metrics, deletions
 * of forgotten servers) waits in pending lists until one transaction
 * writes them all. A commit that fails rolls back and leaves the lists as
 * they were, so the next attempt writes the same rows again: the file
 * never holds half a batch, and nothing is applied twice.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm-history.h"
#include "sm-store.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

#define BUSY_TIMEOUT_MS           5000
#define WRITER_CACHE_KIB          16384
#define PACK_RECORD_SIZE          12
/* The synthetic metrics every recorded poll adds. */
#define LATENCY_NAME              "poll.latency_ms"
#define UP_NAME                   "status.up"

/* A batch commits when its oldest change is this old, or when it holds
 * this many samples, whichever comes first. */
#define COMMIT_INTERVAL_US        (1 * G_USEC_PER_SEC)
#define BATCH_MAX_SAMPLES         100000
/* Commands taken off the queue at a time, between checks of the clock. */
#define TAKE_MAX_COMMANDS         512
/* Open buckets are written this often even while they stay open. */
#define BUCKET_WRITE_INTERVAL_US  (60 * G_USEC_PER_SEC)
/* Old rows are pruned this often (real clock), at most PRUNE_BATCH_ROWS
 * rows and PRUNE_BATCH_STATEMENTS statements per transaction. */
#define PRUNE_INTERVAL_US         (60 * G_USEC_PER_SEC)
#define PRUNE_BATCH_ROWS          2000
#define PRUNE_BATCH_STATEMENTS    256
#define VACUUM_STEP_PAGES         256
/* After a failed commit, the next attempt (unless a flush asks sooner). */
#define RETRY_INTERVAL_US         (5 * G_USEC_PER_SEC)
/* Bounds on what waits in memory: polls in the queue and raw rows that
 * could not be written, and closed buckets that could not be written. */
#define MAX_QUEUED_POLLS          100000
#define MAX_PENDING_POLLS         100000
#define MAX_PENDING_BUCKETS       1000000

enum {
  TIER_MINUTE,
  TIER_HOUR,
  N_ROLLUP_TIERS,
};

static const gint64 rollup_steps[N_ROLLUP_TIERS] = { 60, 3600 };

void
sm_retention_init_default (SmRetention *retention)
{
  g_return_if_fail (retention != NULL);

  retention->raw = SM_HISTORY_DEFAULT_RETENTION_RAW;
  retention->minute = SM_HISTORY_DEFAULT_RETENTION_1M;
  retention->hour = SM_HISTORY_DEFAULT_RETENTION_1H;
}

/* Floor division: the start of the bucket that holds t. */
static inline gint64
bucket_start (gint64 t,
              gint64 step)
{
  gint64 r = t % step;

  return r < 0 ? t - r - step : t - r;
}

/* Errors. */

static void
set_write_error (GError     **error,
                 const char  *path,
                 sqlite3     *db,
                 int          rc)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO,
                   _("Could not save history: the disk is full (%s)."),
                   path);
      break;

    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_READ_ONLY,
                   _("Could not save history: the database %s is read-only."),
                   path);
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_LOCKED,
                   _("Could not save history: the database %s is in use by another program."),
                   path);
      break;

    case SQLITE_IOERR:
    case SQLITE_NOMEM:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO,
                   _("Could not save history to %s: %s"),
                   path, detail);
      break;

    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_CORRUPT,
                   _("Could not save history to %s: %s"),
                   path, detail);
      break;

    default:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_FAILED,
                   _("Could not save history to %s: %s"),
                   path, detail);
      break;
    }
}

static void
set_read_error (GError     **error,
                const char  *path,
                sqlite3     *db,
                int          rc)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  int code;

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = SM_STORE_ERROR_LOCKED;
      break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      code = SM_STORE_ERROR_CORRUPT;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
      code = SM_STORE_ERROR_IO;
      break;
    default:
      code = SM_STORE_ERROR_FAILED;
      break;
    }

  g_set_error (error, SM_STORE_ERROR, code,
               _("Could not read the history in %s: %s"),
               path, detail);
}

/* Packing. */

static inline void
pack_record (guint8  *out,
             guint32  metric_id,
             double   value)
{
  guint32 id_le = GUINT32_TO_LE (metric_id);
  guint64 bits;

  memcpy (&bits, &value, sizeof bits);
  bits = GUINT64_TO_LE (bits);
  memcpy (out, &id_le, 4);
  memcpy (out + 4, &bits, 8);
}

static inline void
unpack_record (const guint8 *in,
               guint32      *out_id,
               double       *out_value)
{
  guint32 id_le;
  guint64 bits;

  memcpy (&id_le, in, 4);
  memcpy (&bits, in + 4, 8);
  bits = GUINT64_FROM_LE (bits);
  *out_id = GUINT32_FROM_LE (id_le);
  memcpy (out_value, &bits, sizeof bits);
}

static inline gboolean
blob_is_valid (const guint8 *data,
               gsize         size)
{
  return data != NULL && size >= 1 && data[0] == SM_HISTORY_PACK_VERSION &&
         (size - 1) % PACK_RECORD_SIZE == 0;
}

GBytes *
sm_history_pack (const SmPackedValue *values,
                 guint                n)
{
  guint8 *data;

  g_return_val_if_fail (values != NULL || n == 0, NULL);

  data = g_malloc (1 + (gsize) n * PACK_RECORD_SIZE);
  data[0] = SM_HISTORY_PACK_VERSION;
  for (guint i = 0; i < n; i++)
    pack_record (data + 1 + (gsize) i * PACK_RECORD_SIZE, values[i].metric_id, values[i].value);

  return g_bytes_new_take (data, 1 + (gsize) n * PACK_RECORD_SIZE);
}

SmPackedValue *
sm_history_unpack (const guint8  *data,
                   gsize          size,
                   guint         *out_n,
                   GError       **error)
{
  g_autofree SmPackedValue *values = NULL;
  gsize n_records;
  guint n = 0;

  g_return_val_if_fail (out_n != NULL, NULL);

  *out_n = 0;
  if (!blob_is_valid (data, size))
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_CORRUPT,
                   "malformed sample (%" G_GSIZE_FORMAT " bytes, version %d)",
                   size, data != NULL && size > 0 ? data[0] : -1);
      return NULL;
    }

  n_records = (size - 1) / PACK_RECORD_SIZE;
  if (n_records == 0)
    return NULL;

  values = g_new (SmPackedValue, n_records);
  for (gsize i = 0; i < n_records; i++)
    {
      guint32 id;
      double value;

      unpack_record (data + 1 + i * PACK_RECORD_SIZE, &id, &value);
      if (!isfinite (value))
        continue;
      values[n].metric_id = id;
      values[n].value = value;
      n++;
    }

  *out_n = n;
  if (n == 0)
    return NULL;
  return g_steal_pointer (&values);
}

gboolean
sm_history_unpack_find (const guint8 *data,
                        gsize         size,
                        guint32       metric_id,
                        double       *out_value)
{
  gsize n_records;

  g_return_val_if_fail (out_value != NULL, FALSE);

  if (!blob_is_valid (data, size))
    return FALSE;

  n_records = (size - 1) / PACK_RECORD_SIZE;
  for (gsize i = 0; i < n_records; i++)
    {
      guint32 id;
      double value;

      unpack_record (data + 1 + i * PACK_RECORD_SIZE, &id, &value);
      if (id == metric_id)
        {
          if (!isfinite (value))
            return FALSE;
          *out_value = value;
          return TRUE;
        }
    }

  return FALSE;
}

/*
 * The writer.
 */

typedef enum {
  CMD_POLL,
  CMD_RETENTION,
  CMD_FORGET,
  CMD_FLUSH,
  CMD_PRUNE,
  CMD_MAX_PAGES,
  CMD_QUIT,
} CommandType;

/* What a caller waiting on a command gets back. */
typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Completion;

/* One queued command. A poll's values and names live in the same
 * allocation, right after the struct. */
typedef struct {
  CommandType     type;
  gboolean        has_status;
  SmServerStatus  status;
  guint           n;
  gint64          server_id;
  gint64          t;          /* the poll's time; CMD_PRUNE: now; CMD_MAX_PAGES: pages */
  char           *reason;
  double         *values;
  const char    **names;
  SmRetention     retention;
  Completion     *completion;
} Command;

/* One open (or last) rollup bucket of one metric of one server. */
typedef struct {
  gint64   t;        /* start; meaningful when count > 0 */
  double   min;
  double   max;
  double   sum;
  guint32  count;
  gboolean dirty;    /* changed since it was last put in the pending list */
} Bucket;

typedef struct {
  Bucket   bucket[N_ROLLUP_TIERS];
  /* The newest row of the tier in the file when the writer first touched
   * the metric (G_MININT64: none). Later buckets up to it are merged with
   * their row when they open. */
  gint64   db_last_t[N_ROLLUP_TIERS];
  guint8   loaded[N_ROLLUP_TIERS];
  guint8   listed;   /* a server_metrics row is written or pending */
} MetricState;

typedef struct {
  gint64    id;
  /* MetricState, indexed by the writer's local metric index. */
  GArray   *metrics;
  /* Local metric index per position of the last poll's names: polls of a
   * server list their metrics in the same order, so a name is usually
   * found with one strcmp instead of a hash lookup. */
  GArray   *name_cache;
  char     *last_status;
  gboolean  status_loaded;
  /* Forgotten in this run: nothing of it in the file is to be merged. */
  gboolean  fresh;
} Server;

/* Pending rows. */

typedef struct {
  guint32 idx;     /* local metric index */
  double  value;
} RawValue;

typedef struct {
  gint64   server_id;
  gint64   t;
  guint    n;
  RawValue values[];
} RawRow;

typedef struct {
  gint64   server_id;
  gint64   t;
  double   min;
  double   max;
  double   sum;
  guint32  count;
  guint32  idx;
  guint8   tier;
  guint8   merge;  /* add to an existing row (a late sample) instead of replacing it */
} BucketRow;

typedef struct {
  gint64      server_id;
  gint64      t;
  const char *status;   /* static */
  char       *reason;
} EventRow;

typedef struct {
  gint64   server_id;
  guint32  idx;
} ServerMetricRow;

typedef enum {
  PRUNE_RAW,
  PRUNE_MINUTE,
  PRUNE_HOUR,
  PRUNE_EVENTS,
  PRUNE_VACUUM,
  PRUNE_DONE,
} PruneStage;

typedef struct {
  gboolean    active;
  gint64      now;
  PruneStage  stage;
  gboolean    have_cursor;
  gint64      server_id;   /* the cursor: the pair being pruned */
  gint64      metric_id;
} PruneJob;

enum {
  STMT_INSERT_SAMPLE,
  STMT_REPLACE_1M,
  STMT_REPLACE_1H,
  STMT_MERGE_1M,
  STMT_MERGE_1H,
  STMT_LAST_1M,
  STMT_LAST_1H,
  STMT_POINT_1M,
  STMT_POINT_1H,
  STMT_FIND_METRIC,
  STMT_INSERT_METRIC,
  STMT_INSERT_SERVER_METRIC,
  STMT_INSERT_EVENT,
  STMT_LAST_EVENT,
  STMT_FORGET_SAMPLES,
  STMT_FORGET_1M,
  STMT_FORGET_1H,
  STMT_FORGET_SERVER_METRICS,
  STMT_FORGET_EVENTS,
  STMT_PRUNE_NEXT_SERVER,
  STMT_PRUNE_RAW,
  STMT_PRUNE_NEXT_PAIR_1M,
  STMT_PRUNE_NEXT_PAIR_1H,
  STMT_PRUNE_1M,
  STMT_PRUNE_1H,
  STMT_PRUNE_EVENTS,
  N_STMTS,
};

#define BUCKET_COLUMNS "(server_id, metric_id, t, min, max, avg, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
#define MERGE_TAIL \
  " ON CONFLICT (server_id, metric_id, t) DO UPDATE SET" \
  "  min = MIN (min, excluded.min), max = MAX (max, excluded.max)," \
  "  avg = (avg * count + excluded.avg * excluded.count) / (count + excluded.count)," \
  "  count = count + excluded.count"
#define PRUNE_TIER(table) \
  "DELETE FROM " table " WHERE server_id = ?1 AND metric_id = ?2 AND t < COALESCE (" \
  "  (SELECT t FROM " table " WHERE server_id = ?1 AND metric_id = ?2 AND t < ?3" \
  "   ORDER BY t LIMIT 1 OFFSET ?4), ?3)"
#define NEXT_PAIR(table) \
  "SELECT server_id, metric_id FROM " table \
  " WHERE (server_id, metric_id) > (?1, ?2) ORDER BY server_id, metric_id LIMIT 1"

static const char * const writer_sql[N_STMTS] = {
  /* A second sample of a server at the same second (a poll and a check
   * finishing together) merges into the first instead of replacing it. */
  [STMT_INSERT_SAMPLE] = "INSERT INTO samples (server_id, t, data) VALUES (?1, ?2, ?3) "
                         "ON CONFLICT (server_id, t) DO UPDATE SET "
                         "data = sm_merge_samples (data, excluded.data)",
  [STMT_REPLACE_1M] = "INSERT OR REPLACE INTO samples_1m " BUCKET_COLUMNS,
  [STMT_REPLACE_1H] = "INSERT OR REPLACE INTO samples_1h " BUCKET_COLUMNS,
  [STMT_MERGE_1M] = "INSERT INTO samples_1m " BUCKET_COLUMNS MERGE_TAIL,
  [STMT_MERGE_1H] = "INSERT INTO samples_1h " BUCKET_COLUMNS MERGE_TAIL,
  [STMT_LAST_1M] = "SELECT t, min, max, avg, count FROM samples_1m "
                   "WHERE server_id = ?1 AND metric_id = ?2 ORDER BY t DESC LIMIT 1",
  [STMT_LAST_1H] = "SELECT t, min, max, avg, count FROM samples_1h "
                   "WHERE server_id = ?1 AND metric_id = ?2 ORDER BY t DESC LIMIT 1",
  [STMT_POINT_1M] = "SELECT t, min, max, avg, count FROM samples_1m "
                    "WHERE server_id = ?1 AND metric_id = ?2 AND t = ?3",
  [STMT_POINT_1H] = "SELECT t, min, max, avg, count FROM samples_1h "
                    "WHERE server_id = ?1 AND metric_id = ?2 AND t = ?3",
  [STMT_FIND_METRIC] = "SELECT id FROM metrics WHERE name = ?1",
  [STMT_INSERT_METRIC] = "INSERT INTO metrics (name) VALUES (?1)",
  [STMT_INSERT_SERVER_METRIC] = "INSERT OR IGNORE INTO server_metrics (server_id, metric_id) VALUES (?1, ?2)",
  /* A poll that arrives after its server was deleted is not an error. */
  [STMT_INSERT_EVENT] = "INSERT INTO status_events (server_id, t, status, reason) "
                        "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM servers WHERE id = ?1)",
  [STMT_LAST_EVENT] = "SELECT status FROM status_events WHERE server_id = ?1 "
                      "ORDER BY t DESC, id DESC LIMIT 1",
  [STMT_FORGET_SAMPLES] = "DELETE FROM samples WHERE server_id = ?1",
  [STMT_FORGET_1M] = "DELETE FROM samples_1m WHERE server_id = ?1",
  [STMT_FORGET_1H] = "DELETE FROM samples_1h WHERE server_id = ?1",
  [STMT_FORGET_SERVER_METRICS] = "DELETE FROM server_metrics WHERE server_id = ?1",
  [STMT_FORGET_EVENTS] = "DELETE FROM status_events WHERE server_id = ?1",
  [STMT_PRUNE_NEXT_SERVER] = "SELECT server_id FROM samples WHERE server_id > ?1 "
                             "ORDER BY server_id LIMIT 1",
  /* Deletes the ?3 oldest rows before ?2: up to the ?3 + 1st one. */
  [STMT_PRUNE_RAW] = "DELETE FROM samples WHERE server_id = ?1 AND t < COALESCE ("
                     "  (SELECT t FROM samples WHERE server_id = ?1 AND t < ?2"
                     "   ORDER BY t LIMIT 1 OFFSET ?3), ?2)",
  [STMT_PRUNE_NEXT_PAIR_1M] = NEXT_PAIR ("samples_1m"),
  [STMT_PRUNE_NEXT_PAIR_1H] = NEXT_PAIR ("samples_1h"),
  [STMT_PRUNE_1M] = PRUNE_TIER ("samples_1m"),
  [STMT_PRUNE_1H] = PRUNE_TIER ("samples_1h"),
  [STMT_PRUNE_EVENTS] = "DELETE FROM status_events WHERE id IN "
                        "(SELECT id FROM status_events WHERE t < ?1 LIMIT ?2)",
};

struct _SmHistoryWriter
{
  char          *path;
  GThread       *thread;

  /* Shared with callers, under lock. */
  GMutex         lock;
  GCond          cond;        /* a command was queued */
  GCond          done_cond;   /* a command with a completion finished */
  GQueue         queue;       /* Command* */
  guint          n_queued_polls;
  guint64        n_dropped;
  guint64        n_samples;
  GError        *last_error;

  /* The thread's own from here on (set up before it starts). */
  sqlite3       *db;
  sqlite3_stmt  *stmts[N_STMTS];
  gboolean       incremental_vacuum;
  SmRetention    retention;
  gint64         newest_t;

  /* Metric names: local index -> name and id in the file (0: not yet
   * resolved; resolved when a row that uses it is written). */
  GHashTable    *metric_index;   /* name -> GUINT_TO_POINTER (index + 1) */
  GPtrArray     *metric_names;
  GArray        *metric_ids;     /* gint64 */
  GArray        *resolved_now;   /* guint32: indexes resolved in the open transaction */

  GHashTable    *servers;        /* gint64* -> Server* */

  /* Pending. */
  GQueue         raw_rows;       /* RawRow* */
  GArray        *bucket_rows;    /* BucketRow */
  GArray        *event_rows;     /* EventRow */
  GArray        *server_metric_rows;  /* ServerMetricRow */
  GArray        *forgets;        /* gint64 */
  guint64        pending_samples;
  guint64        batch_samples;  /* samples since the last commit attempt */
  gint64         first_pending_us;
  gboolean       failed;
  gint64         retry_at_us;

  gint64         next_bucket_write_us;
  gint64         next_prune_us;
  PruneJob       prune;

  GByteArray    *blob;
};

static Server *
server_new (gint64 id)
{
  Server *server = g_new0 (Server, 1);

  server->id = id;
  server->metrics = g_array_new (FALSE, TRUE, sizeof (MetricState));
  server->name_cache = g_array_new (FALSE, FALSE, sizeof (guint32));
  return server;
}

static void
server_free (gpointer data)
{
  Server *server = data;

  g_array_unref (server->metrics);
  g_array_unref (server->name_cache);
  g_free (server->last_status);
  g_free (server);
}

static void
completion_finish (SmHistoryWriter *self,
                   Completion      *completion,
                   gboolean         ok,
                   GError          *error)
{
  g_mutex_lock (&self->lock);
  completion->ok = ok;
  completion->error = error;
  completion->done = TRUE;
  g_cond_broadcast (&self->done_cond);
  g_mutex_unlock (&self->lock);
}

/* Queues cmd and, when it has a completion, waits for it. */
static gboolean
push_command (SmHistoryWriter  *self,
              Command          *cmd,
              GError          **error)
{
  Completion completion = { 0 };

  if (cmd->type == CMD_FLUSH || cmd->type == CMD_PRUNE ||
      cmd->type == CMD_MAX_PAGES || cmd->type == CMD_QUIT)
    cmd->completion = &completion;

  g_mutex_lock (&self->lock);
  if (cmd->type == CMD_POLL)
    {
      /* The writer is far behind (a disk that stays full): drop the
       * oldest poll rather than grow without bound. */
      if (self->n_queued_polls >= MAX_QUEUED_POLLS)
        {
          for (GList *l = self->queue.head; l != NULL; l = l->next)
            {
              Command *old = l->data;

              if (old->type != CMD_POLL)
                continue;
              g_queue_delete_link (&self->queue, l);
              g_free (old->reason);
              g_free (old);
              self->n_queued_polls--;
              self->n_dropped++;
              break;
            }
        }
      self->n_queued_polls++;
    }
  g_queue_push_tail (&self->queue, cmd);
  g_cond_signal (&self->cond);

  if (cmd->completion == NULL)
    {
      g_mutex_unlock (&self->lock);
      return TRUE;
    }

  while (!completion.done)
    g_cond_wait (&self->done_cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (!completion.ok)
    {
      if (completion.error != NULL)
        g_propagate_error (error, completion.error);
      return FALSE;
    }
  g_clear_error (&completion.error);
  return TRUE;
}

static void
set_last_error (SmHistoryWriter *self,
                const GError    *error)
{
  g_mutex_lock (&self->lock);
  g_clear_error (&self->last_error);
  if (error != NULL)
    self->last_error = g_error_copy (error);
  g_mutex_unlock (&self->lock);
}

/* Metric names. */

static guint32
intern_metric (SmHistoryWriter *self,
               const char      *name)
{
  gpointer value = g_hash_table_lookup (self->metric_index, name);
  gint64 zero = 0;
  char *copy;

  if (G_LIKELY (value != NULL))
    return GPOINTER_TO_UINT (value) - 1;

  copy = g_strdup (name);
  g_ptr_array_add (self->metric_names, copy);
  g_array_append_val (self->metric_ids, zero);
  g_hash_table_insert (self->metric_index, copy, GUINT_TO_POINTER (self->metric_names->len));
  return self->metric_names->len - 1;
}

/* The metric's id in the file, inserting its name when new; inside the
 * commit's transaction. */
static int
resolve_metric (SmHistoryWriter *self,
                guint32          idx,
                gint64          *out_id)
{
  gint64 *id = &g_array_index (self->metric_ids, gint64, idx);
  const char *name = g_ptr_array_index (self->metric_names, idx);
  sqlite3_stmt *stmt;
  int rc;

  if (G_LIKELY (*id != 0))
    {
      *out_id = *id;
      return SQLITE_OK;
    }

  stmt = self->stmts[STMT_FIND_METRIC];
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return rc;

  if (*id == 0)
    {
      stmt = self->stmts[STMT_INSERT_METRIC];
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return rc;
      *id = sqlite3_last_insert_rowid (self->db);
    }

  g_array_append_val (self->resolved_now, idx);
  *out_id = *id;
  return SQLITE_OK;
}

static gboolean
load_metric_names (SmHistoryWriter  *self,
                   GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT id, name FROM metrics", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_write_error (error, self->path, self->db, rc);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint32 idx = intern_metric (self, (const char *) sqlite3_column_text (stmt, 1));

      g_array_index (self->metric_ids, gint64, idx) = sqlite3_column_int64 (stmt, 0);
    }
  if (rc != SQLITE_DONE)
    {
      set_write_error (error, self->path, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

/* Pending rows. */

static gboolean
has_pending (SmHistoryWriter *self)
{
  return self->raw_rows.length > 0 || self->bucket_rows->len > 0 ||
         self->event_rows->len > 0 || self->server_metric_rows->len > 0 ||
         self->forgets->len > 0 || self->pending_samples > 0;
}

static void
note_pending (SmHistoryWriter *self)
{
  if (self->first_pending_us == 0)
    self->first_pending_us = g_get_monotonic_time ();
}

static void
event_row_clear (gpointer data)
{
  EventRow *row = data;

  g_free (row->reason);
}

static void
push_raw_row (SmHistoryWriter *self,
              RawRow          *row)
{
  g_queue_push_tail (&self->raw_rows, row);
  while (self->raw_rows.length > MAX_PENDING_POLLS)
    {
      RawRow *old = g_queue_pop_head (&self->raw_rows);

      g_mutex_lock (&self->lock);
      self->n_dropped++;
      g_mutex_unlock (&self->lock);
      self->pending_samples -= MIN (self->pending_samples, old->n);
      g_free (old);
    }
}

static void
push_bucket_row (SmHistoryWriter *self,
                 const BucketRow *row)
{
  g_array_append_vals (self->bucket_rows, row, 1);
  if (self->bucket_rows->len > MAX_PENDING_BUCKETS)
    g_array_remove_range (self->bucket_rows, 0, self->bucket_rows->len - MAX_PENDING_BUCKETS);
}

/* Puts the bucket in the pending list when its start is still within the
 * tier's retention. */
static void
emit_bucket (SmHistoryWriter *self,
             gint64           server_id,
             guint32          idx,
             guint            tier,
             Bucket          *bucket,
             gboolean         merge,
             gint64           horizon)
{
  gint64 retention = tier == TIER_MINUTE ? self->retention.minute : self->retention.hour;
  BucketRow row;

  bucket->dirty = FALSE;
  if (bucket->t < horizon - retention)
    return;

  row.server_id = server_id;
  row.t = bucket->t;
  row.min = bucket->min;
  row.max = bucket->max;
  row.sum = bucket->sum;
  row.count = bucket->count;
  row.idx = idx;
  row.tier = tier;
  row.merge = merge;
  push_bucket_row (self, &row);
  note_pending (self);
}

/* Every open bucket that changed since it was last written. */
static void
emit_open_buckets (SmHistoryWriter *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 horizon = MAX (self->newest_t, g_get_real_time () / G_USEC_PER_SEC);

  g_hash_table_iter_init (&iter, self->servers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Server *server = value;

      for (guint idx = 0; idx < server->metrics->len; idx++)
        {
          MetricState *state = &g_array_index (server->metrics, MetricState, idx);

          for (guint tier = 0; tier < N_ROLLUP_TIERS; tier++)
            {
              Bucket *bucket = &state->bucket[tier];

              if (bucket->count > 0 && bucket->dirty)
                emit_bucket (self, server->id, idx, tier, bucket, FALSE, horizon);
            }
        }
    }
}

/* Rollups. */

static gboolean
read_bucket_row (sqlite3_stmt *stmt,
                 Bucket       *out)
{
  double avg;
  gint64 count;

  count = sqlite3_column_int64 (stmt, 4);
  avg = sqlite3_column_double (stmt, 3);
  if (count <= 0 || count > G_MAXUINT32 || !isfinite (avg))
    return FALSE;
  out->t = sqlite3_column_int64 (stmt, 0);
  out->min = sqlite3_column_double (stmt, 1);
  out->max = sqlite3_column_double (stmt, 2);
  out->sum = avg * count;
  out->count = (guint32) count;
  return TRUE;
}

static void
merge_into (Bucket       *bucket,
            const Bucket *row)
{
  bucket->min = MIN (bucket->min, row->min);
  bucket->max = MAX (bucket->max, row->max);
  bucket->sum += row->sum;
  bucket->count += row->count;
}

/* A bucket just opened: merges the row an earlier run (or a run before a
 * restart) wrote for it, if any. Only the first bucket a run opens for a
 * metric, or one at or before the newest row found then, can have one. */
static void
merge_stored_bucket (SmHistoryWriter *self,
                     Server          *server,
                     guint32          idx,
                     MetricState     *state,
                     guint            tier)
{
  Bucket *bucket = &state->bucket[tier];
  gint64 metric_id = g_array_index (self->metric_ids, gint64, idx);
  sqlite3_stmt *stmt;
  Bucket row;
  int rc;

  if (!state->loaded[tier])
    {
      state->loaded[tier] = TRUE;
      state->db_last_t[tier] = G_MININT64;
      if (server->fresh || metric_id == 0)
        return;

      stmt = self->stmts[tier == TIER_MINUTE ? STMT_LAST_1M : STMT_LAST_1H];
      sqlite3_bind_int64 (stmt, 1, server->id);
      sqlite3_bind_int64 (stmt, 2, metric_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW && read_bucket_row (stmt, &row))
        {
          state->db_last_t[tier] = row.t;
          if (row.t == bucket->t)
            merge_into (bucket, &row);
        }
      else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        g_debug ("%s: reading the last bucket failed: %s", self->path, sqlite3_errmsg (self->db));
      sqlite3_reset (stmt);
      if (state->db_last_t[tier] == bucket->t || bucket->t > state->db_last_t[tier])
        return;
    }
  else if (bucket->t > state->db_last_t[tier] || server->fresh || metric_id == 0)
    return;

  /* Time went back, or samples arrive for buckets already written. */
  stmt = self->stmts[tier == TIER_MINUTE ? STMT_POINT_1M : STMT_POINT_1H];
  sqlite3_bind_int64 (stmt, 1, server->id);
  sqlite3_bind_int64 (stmt, 2, metric_id);
  sqlite3_bind_int64 (stmt, 3, bucket->t);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && read_bucket_row (stmt, &row))
    merge_into (bucket, &row);
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    g_debug ("%s: reading a bucket failed: %s", self->path, sqlite3_errmsg (self->db));
  sqlite3_reset (stmt);
}

static inline void
bucket_add (SmHistoryWriter *self,
            Server          *server,
            guint32          idx,
            MetricState     *state,
            guint            tier,
            gint64           t,
            double           value,
            gint64           horizon)
{
  Bucket *bucket = &state->bucket[tier];
  gint64 bt = bucket_start (t, rollup_steps[tier]);

  if (G_LIKELY (bucket->count > 0 && bucket->t == bt))
    {
      bucket->min = MIN (bucket->min, value);
      bucket->max = MAX (bucket->max, value);
      bucket->sum += value;
      bucket->count++;
      bucket->dirty = TRUE;
      return;
    }

  if (bucket->count > 0 && bt < bucket->t)
    {
      /* A late sample for a bucket already closed: added to its row. */
      Bucket late = { bt, value, value, value, 1, TRUE };

      emit_bucket (self, server->id, idx, tier, &late, TRUE, horizon);
      return;
    }

  if (bucket->count > 0 && bucket->dirty)
    emit_bucket (self, server->id, idx, tier, bucket, FALSE, horizon);

  bucket->t = bt;
  bucket->min = bucket->max = bucket->sum = value;
  bucket->count = 1;
  bucket->dirty = TRUE;
  merge_stored_bucket (self, server, idx, state, tier);
}

/* Applying commands. */

static Server *
lookup_server (SmHistoryWriter *self,
               gint64           id)
{
  Server *server = g_hash_table_lookup (self->servers, &id);

  if (server == NULL)
    {
      server = server_new (id);
      g_hash_table_insert (self->servers, &server->id, server);
    }
  return server;
}

static void
apply_status (SmHistoryWriter *self,
              Server          *server,
              gint64           t,
              SmServerStatus   status,
              const char      *reason)
{
  const char *text = sm_server_status_to_string (status);
  EventRow row;

  if (!server->status_loaded)
    {
      server->status_loaded = TRUE;
      if (!server->fresh)
        {
          sqlite3_stmt *stmt = self->stmts[STMT_LAST_EVENT];
          int rc;

          sqlite3_bind_int64 (stmt, 1, server->id);
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW)
            server->last_status = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          else if (rc != SQLITE_DONE)
            g_debug ("%s: reading the last status failed: %s", self->path, sqlite3_errmsg (self->db));
          sqlite3_reset (stmt);
        }
    }

  if (g_strcmp0 (server->last_status, text) == 0)
    return;

  g_free (server->last_status);
  server->last_status = g_strdup (text);

  row.server_id = server->id;
  row.t = t;
  row.status = text;
  row.reason = g_strdup (reason != NULL ? reason : "");
  g_array_append_val (self->event_rows, row);
  note_pending (self);
}

static void
apply_poll (SmHistoryWriter *self,
            const Command   *cmd)
{
  Server *server = lookup_server (self, cmd->server_id);
  gint64 horizon;
  RawRow *raw = NULL;
  gboolean keep_raw;

  self->newest_t = MAX (self->newest_t, cmd->t);
  horizon = MAX (self->newest_t, g_get_real_time () / G_USEC_PER_SEC);
  keep_raw = cmd->t >= horizon - self->retention.raw;

  if (cmd->has_status)
    apply_status (self, server, cmd->t, cmd->status, cmd->reason);

  if (cmd->n == 0)
    return;

  if (keep_raw)
    {
      raw = g_malloc (sizeof (RawRow) + cmd->n * sizeof (RawValue));
      raw->server_id = cmd->server_id;
      raw->t = cmd->t;
      raw->n = 0;
    }

  if (server->name_cache->len < cmd->n)
    g_array_set_size (server->name_cache, cmd->n);

  for (guint i = 0; i < cmd->n; i++)
    {
      guint32 *cached = &g_array_index (server->name_cache, guint32, i);
      const char *name = cmd->names[i];
      double value = cmd->values[i];
      MetricState *state;
      guint32 idx = *cached;

      if (G_UNLIKELY (idx >= self->metric_names->len ||
                      strcmp (g_ptr_array_index (self->metric_names, idx), name) != 0))
        {
          idx = intern_metric (self, name);
          *cached = idx;
        }
      if (G_UNLIKELY (idx >= server->metrics->len))
        g_array_set_size (server->metrics, self->metric_names->len);

      state = &g_array_index (server->metrics, MetricState, idx);
      if (G_UNLIKELY (!state->listed))
        {
          ServerMetricRow row = { server->id, idx };

          state->listed = TRUE;
          g_array_append_val (self->server_metric_rows, row);
        }

      bucket_add (self, server, idx, state, TIER_MINUTE, cmd->t, value, horizon);
      bucket_add (self, server, idx, state, TIER_HOUR, cmd->t, value, horizon);

      if (raw != NULL)
        {
          raw->values[raw->n].idx = idx;
          raw->values[raw->n].value = value;
          raw->n++;
        }
    }

  if (raw != NULL)
    push_raw_row (self, raw);

  self->pending_samples += cmd->n;
  self->batch_samples += cmd->n;
  note_pending (self);
}

/* Drops what is pending for a server and starts it afresh; the deletion
 * of its rows runs first in the next commit. */
static void
apply_forget (SmHistoryWriter *self,
              gint64           server_id)
{
  GList *l;
  guint i, j;
  gboolean queued = FALSE;

  for (l = self->raw_rows.head; l != NULL;)
    {
      GList *next = l->next;
      RawRow *row = l->data;

      if (row->server_id == server_id)
        {
          self->pending_samples -= MIN (self->pending_samples, row->n);
          g_free (row);
          g_queue_delete_link (&self->raw_rows, l);
        }
      l = next;
    }

  for (i = 0, j = 0; i < self->bucket_rows->len; i++)
    {
      BucketRow *row = &g_array_index (self->bucket_rows, BucketRow, i);

      if (row->server_id != server_id)
        g_array_index (self->bucket_rows, BucketRow, j++) = *row;
    }
  g_array_set_size (self->bucket_rows, j);

  for (i = 0, j = 0; i < self->event_rows->len; i++)
    {
      EventRow *row = &g_array_index (self->event_rows, EventRow, i);

      if (row->server_id != server_id)
        g_array_index (self->event_rows, EventRow, j++) = *row;
      else
        g_free (row->reason);
    }
  /* The rows kept were moved down; shrink without clearing them again. */
  self->event_rows->len = j;

  for (i = 0, j = 0; i < self->server_metric_rows->len; i++)
    {
      ServerMetricRow *row = &g_array_index (self->server_metric_rows, ServerMetricRow, i);

      if (row->server_id != server_id)
        g_array_index (self->server_metric_rows, ServerMetricRow, j++) = *row;
    }
  g_array_set_size (self->server_metric_rows, j);

  g_hash_table_remove (self->servers, &server_id);
  lookup_server (self, server_id)->fresh = TRUE;
  lookup_server (self, server_id)->status_loaded = TRUE;

  for (i = 0; i < self->forgets->len; i++)
    queued |= g_array_index (self->forgets, gint64, i) == server_id;
  if (!queued)
    g_array_append_val (self->forgets, server_id);
  note_pending (self);
}

/* Committing. */

static int
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int
write_bucket_row (SmHistoryWriter *self,
                  const BucketRow *row)
{
  sqlite3_stmt *stmt;
  gint64 metric_id;
  int rc;

  if ((rc = resolve_metric (self, row->idx, &metric_id)) != SQLITE_OK)
    return rc;

  if (row->tier == TIER_MINUTE)
    stmt = self->stmts[row->merge ? STMT_MERGE_1M : STMT_REPLACE_1M];
  else
    stmt = self->stmts[row->merge ? STMT_MERGE_1H : STMT_REPLACE_1H];
  sqlite3_bind_int64 (stmt, 1, row->server_id);
  sqlite3_bind_int64 (stmt, 2, metric_id);
  sqlite3_bind_int64 (stmt, 3, row->t);
  sqlite3_bind_double (stmt, 4, row->min);
  sqlite3_bind_double (stmt, 5, row->max);
  sqlite3_bind_double (stmt, 6, row->sum / row->count);
  sqlite3_bind_int64 (stmt, 7, row->count);
  return step_done (stmt);
}

static int
write_raw_row (SmHistoryWriter *self,
               const RawRow    *row)
{
  sqlite3_stmt *stmt = self->stmts[STMT_INSERT_SAMPLE];
  guint8 *out;
  int rc;

  g_byte_array_set_size (self->blob, 1 + (gsize) row->n * PACK_RECORD_SIZE);
  out = self->blob->data;
  out[0] = SM_HISTORY_PACK_VERSION;
  for (guint i = 0; i < row->n; i++)
    {
      gint64 metric_id;

      if ((rc = resolve_metric (self, row->values[i].idx, &metric_id)) != SQLITE_OK)
        return rc;
      pack_record (out + 1 + (gsize) i * PACK_RECORD_SIZE, (guint32) metric_id, row->values[i].value);
    }

  sqlite3_bind_int64 (stmt, 1, row->server_id);
  sqlite3_bind_int64 (stmt, 2, row->t);
  sqlite3_bind_blob (stmt, 3, self->blob->data, self->blob->len, SQLITE_STATIC);
  rc = step_done (stmt);
  sqlite3_clear_bindings (stmt);
  return rc;
}

static int
write_pending (SmHistoryWriter *self)
{
  static const int forget_stmts[] = {
    STMT_FORGET_SAMPLES, STMT_FORGET_1M, STMT_FORGET_1H,
    STMT_FORGET_SERVER_METRICS, STMT_FORGET_EVENTS,
  };
  int rc;

  for (guint i = 0; i < self->forgets->len; i++)
    {
      for (guint k = 0; k < G_N_ELEMENTS (forget_stmts); k++)
        {
          sqlite3_stmt *stmt = self->stmts[forget_stmts[k]];

          sqlite3_bind_int64 (stmt, 1, g_array_index (self->forgets, gint64, i));
          if ((rc = step_done (stmt)) != SQLITE_OK)
            return rc;
        }
    }

  for (guint i = 0; i < self->server_metric_rows->len; i++)
    {
      ServerMetricRow *row = &g_array_index (self->server_metric_rows, ServerMetricRow, i);
      sqlite3_stmt *stmt = self->stmts[STMT_INSERT_SERVER_METRIC];
      gint64 metric_id;

      if ((rc = resolve_metric (self, row->idx, &metric_id)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, row->server_id);
      sqlite3_bind_int64 (stmt, 2, metric_id);
      if ((rc = step_done (stmt)) != SQLITE_OK)
        return rc;
    }

  for (GList *l = self->raw_rows.head; l != NULL; l = l->next)
    {
      if ((rc = write_raw_row (self, l->data)) != SQLITE_OK)
        return rc;
    }

  for (guint i = 0; i < self->bucket_rows->len; i++)
    {
      if ((rc = write_bucket_row (self, &g_array_index (self->bucket_rows, BucketRow, i))) != SQLITE_OK)
        return rc;
    }

  for (guint i = 0; i < self->event_rows->len; i++)
    {
      EventRow *row = &g_array_index (self->event_rows, EventRow, i);
      sqlite3_stmt *stmt = self->stmts[STMT_INSERT_EVENT];

      sqlite3_bind_int64 (stmt, 1, row->server_id);
      sqlite3_bind_int64 (stmt, 2, row->t);
      sqlite3_bind_text (stmt, 3, row->status, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, row->reason, -1, SQLITE_STATIC);
      rc = step_done (stmt);
      sqlite3_clear_bindings (stmt);
      if (rc != SQLITE_OK)
        return rc;
    }

  return SQLITE_OK;
}

static void
clear_pending (SmHistoryWriter *self)
{
  RawRow *row;

  while ((row = g_queue_pop_head (&self->raw_rows)) != NULL)
    g_free (row);
  g_array_set_size (self->bucket_rows, 0);
  g_array_set_size (self->event_rows, 0);
  g_array_set_size (self->server_metric_rows, 0);
  g_array_set_size (self->forgets, 0);
  self->pending_samples = 0;
  self->first_pending_us = 0;
}

static void
rollback (SmHistoryWriter *self)
{
  /* SQLite may have rolled back on its own (disk full, I/O error). */
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Writes everything pending in one transaction. On failure nothing of it
 * is in the file and all of it is still pending. */
static gboolean
commit_pending (SmHistoryWriter  *self,
                GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 samples = self->pending_samples;
  int rc;

  self->batch_samples = 0;
  if (!has_pending (self))
    return TRUE;

  g_array_set_size (self->resolved_now, 0);
  rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = write_pending (self);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_write_error (&local_error, self->path, self->db, rc);
      rollback (self);
      /* Ids handed out by the rolled back transaction do not exist. */
      for (guint i = 0; i < self->resolved_now->len; i++)
        g_array_index (self->metric_ids, gint64, g_array_index (self->resolved_now, guint32, i)) = 0;
      self->failed = TRUE;
      self->retry_at_us = g_get_monotonic_time () + RETRY_INTERVAL_US;
      g_debug ("%s", local_error->message);
      set_last_error (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  clear_pending (self);
  g_mutex_lock (&self->lock);
  self->n_samples += samples;
  g_clear_error (&self->last_error);
  g_mutex_unlock (&self->lock);
  self->failed = FALSE;
  return TRUE;
}

/* Pruning. */

static int
run_int_query (sqlite3      *db,
               const char   *sql,
               gint64       *out_value)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_value = sqlite3_column_int64 (stmt, 0);
      return SQLITE_OK;
    }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Finds the next pair (or server, for raw rows) after the cursor. */
static int
prune_next (SmHistoryWriter *self,
            gboolean        *out_found)
{
  PruneJob *job = &self->prune;
  sqlite3_stmt *stmt;
  int rc;

  if (job->stage == PRUNE_RAW)
    {
      stmt = self->stmts[STMT_PRUNE_NEXT_SERVER];
      sqlite3_bind_int64 (stmt, 1, job->have_cursor ? job->server_id : G_MININT64);
    }
  else
    {
      stmt = self->stmts[job->stage == PRUNE_MINUTE ? STMT_PRUNE_NEXT_PAIR_1M : STMT_PRUNE_NEXT_PAIR_1H];
      sqlite3_bind_int64 (stmt, 1, job->have_cursor ? job->server_id : G_MININT64);
      sqlite3_bind_int64 (stmt, 2, job->have_cursor ? job->metric_id : G_MININT64);
    }

  rc = sqlite3_step (stmt);
  *out_found = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW)
    {
      job->server_id = sqlite3_column_int64 (stmt, 0);
      if (job->stage != PRUNE_RAW)
        job->metric_id = sqlite3_column_int64 (stmt, 1);
      job->have_cursor = TRUE;
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void
prune_next_stage (PruneJob *job)
{
  job->stage++;
  job->have_cursor = FALSE;
}

/* One transaction of the prune job: deletes at most PRUNE_BATCH_ROWS rows
 * (or runs one incremental vacuum step). Sets *out_more while work is
 * left. */
static int
prune_step (SmHistoryWriter *self,
            gboolean        *out_more)
{
  PruneJob *job = &self->prune;
  guint budget = PRUNE_BATCH_ROWS;
  guint statements = 0;
  int rc;

  *out_more = FALSE;
  if (!job->active)
    return SQLITE_OK;

  if (job->stage == PRUNE_VACUUM)
    {
      gint64 free_pages = 0;
      g_autofree char *sql = NULL;

      if (!self->incremental_vacuum)
        {
          prune_next_stage (job);
          job->active = FALSE;
          return SQLITE_OK;
        }
      rc = run_int_query (self->db, "PRAGMA freelist_count", &free_pages);
      if (rc != SQLITE_OK)
        return rc;
      if (free_pages == 0)
        {
          prune_next_stage (job);
          job->active = FALSE;
          return SQLITE_OK;
        }
      sql = g_strdup_printf ("PRAGMA incremental_vacuum(%d)", VACUUM_STEP_PAGES);
      rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
      *out_more = TRUE;
      return rc;
    }

  rc = sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc;

  while (budget > 0 && statements < PRUNE_BATCH_STATEMENTS && job->stage < PRUNE_VACUUM)
    {
      sqlite3_stmt *stmt;
      gboolean found;
      guint changes;

      if (job->stage == PRUNE_EVENTS)
        {
          stmt = self->stmts[STMT_PRUNE_EVENTS];
          sqlite3_bind_int64 (stmt, 1, job->now - self->retention.hour);
          sqlite3_bind_int64 (stmt, 2, budget);
          if ((rc = step_done (stmt)) != SQLITE_OK)
            goto fail;
          statements++;
          changes = (guint) sqlite3_changes (self->db);
          budget -= MIN (changes, budget);
          if (budget > 0)
            prune_next_stage (job);
          continue;
        }

      /* Without a cursor, the stage starts at its first pair (server for
       * raw rows). */
      if (!job->have_cursor)
        {
          if ((rc = prune_next (self, &found)) != SQLITE_OK)
            goto fail;
          statements++;
          if (!found)
            {
              prune_next_stage (job);
              continue;
            }
        }

      if (job->stage == PRUNE_RAW)
        {
          stmt = self->stmts[STMT_PRUNE_RAW];
          sqlite3_bind_int64 (stmt, 1, job->server_id);
          sqlite3_bind_int64 (stmt, 2, job->now - self->retention.raw);
          sqlite3_bind_int64 (stmt, 3, budget);
        }
      else
        {
          gint64 retention = job->stage == PRUNE_MINUTE ? self->retention.minute : self->retention.hour;

          stmt = self->stmts[job->stage == PRUNE_MINUTE ? STMT_PRUNE_1M : STMT_PRUNE_1H];
          sqlite3_bind_int64 (stmt, 1, job->server_id);
          sqlite3_bind_int64 (stmt, 2, job->metric_id);
          sqlite3_bind_int64 (stmt, 3, job->now - retention);
          sqlite3_bind_int64 (stmt, 4, budget);
        }
      if ((rc = step_done (stmt)) != SQLITE_OK)
        goto fail;
      statements++;
      changes = (guint) sqlite3_changes (self->db);
      budget -= MIN (changes, budget);

      /* Fewer rows than allowed: this pair is done, move on. Otherwise it
       * may have more: stay on it for the next transaction. */
      if (budget > 0)
        {
          if ((rc = prune_next (self, &found)) != SQLITE_OK)
            goto fail;
          statements++;
          if (!found)
            prune_next_stage (job);
        }
    }

  rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    goto fail;

  *out_more = TRUE;
  return SQLITE_OK;

fail:
  rollback (self);
  return rc;
}

static void
prune_start (SmHistoryWriter *self,
             gint64           now)
{
  self->prune.active = TRUE;
  self->prune.now = now;
  self->prune.stage = PRUNE_RAW;
  self->prune.have_cursor = FALSE;
}

static gboolean
prune_all (SmHistoryWriter  *self,
           gint64            now,
           GError          **error)
{
  gboolean more = TRUE;

  prune_start (self, now);
  while (more)
    {
      int rc = prune_step (self, &more);

      if (rc != SQLITE_OK)
        {
          self->prune.active = FALSE;
          set_write_error (error, self->path, self->db, rc);
          return FALSE;
        }
    }
  return TRUE;
}

/* The thread. */

static void
command_free (Command *cmd)
{
  g_free (cmd->reason);
  g_free (cmd);
}

/* Runs one command; FALSE for CMD_QUIT. */
static gboolean
run_command (SmHistoryWriter *self,
             Command         *cmd)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  switch (cmd->type)
    {
    case CMD_POLL:
      apply_poll (self, cmd);
      if (self->batch_samples >= BATCH_MAX_SAMPLES &&
          (!self->failed || g_get_monotonic_time () >= self->retry_at_us))
        commit_pending (self, NULL);
      break;

    case CMD_RETENTION:
      self->retention = cmd->retention;
      break;

    case CMD_FORGET:
      apply_forget (self, cmd->server_id);
      break;

    case CMD_FLUSH:
      emit_open_buckets (self);
      ok = commit_pending (self, &error);
      completion_finish (self, cmd->completion, ok, g_steal_pointer (&error));
      break;

    case CMD_PRUNE:
      emit_open_buckets (self);
      ok = commit_pending (self, &error) && prune_all (self, cmd->t, &error);
      completion_finish (self, cmd->completion, ok, g_steal_pointer (&error));
      break;

    case CMD_MAX_PAGES:
      {
        g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                                                cmd->t > 0 ? cmd->t : (gint64) G_MAXUINT32);
        int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

        if (rc != SQLITE_OK)
          set_write_error (&error, self->path, self->db, rc);
        completion_finish (self, cmd->completion, rc == SQLITE_OK, g_steal_pointer (&error));
      }
      break;

    case CMD_QUIT:
      emit_open_buckets (self);
      ok = commit_pending (self, &error);
      if (!ok)
        g_debug ("History lost on close: %s", error->message);
      completion_finish (self, cmd->completion, ok, g_steal_pointer (&error));
      command_free (cmd);
      return FALSE;

    default:
      g_assert_not_reached ();
    }

  command_free (cmd);
  return TRUE;
}

/* Timers: commits, open buckets and pruning. */
static void
run_timers (SmHistoryWriter *self)
{
  gint64 now = g_get_monotonic_time ();

  if (now >= self->next_bucket_write_us)
    {
      emit_open_buckets (self);
      self->next_bucket_write_us = now + BUCKET_WRITE_INTERVAL_US;
    }

  if (has_pending (self) && self->first_pending_us != 0 &&
      now - self->first_pending_us >= COMMIT_INTERVAL_US &&
      (!self->failed || now >= self->retry_at_us))
    commit_pending (self, NULL);

  if (now >= self->next_prune_us)
    {
      self->next_prune_us = now + PRUNE_INTERVAL_US;
      if (!self->prune.active)
        prune_start (self, g_get_real_time () / G_USEC_PER_SEC);
    }

  /* One small transaction of pruning between batches of commands, so
   * that it goes on under a steady load too. */
  if (self->prune.active)
    {
      gboolean more = FALSE;
      int rc = prune_step (self, &more);

      if (rc != SQLITE_OK)
        {
          g_debug ("%s: pruning failed: %s", self->path, sqlite3_errstr (rc));
          self->prune.active = FALSE;
        }
    }
}

static gint64
next_deadline (SmHistoryWriter *self)
{
  gint64 deadline = MIN (self->next_bucket_write_us, self->next_prune_us);

  if (self->prune.active)
    return g_get_monotonic_time ();
  if (has_pending (self) && self->first_pending_us != 0)
    {
      gint64 commit_at = self->first_pending_us + COMMIT_INTERVAL_US;

      if (self->failed)
        commit_at = MAX (commit_at, self->retry_at_us);
      deadline = MIN (deadline, commit_at);
    }
  return deadline;
}

static gpointer
writer_thread (gpointer data)
{
  SmHistoryWriter *self = data;
  gboolean running = TRUE;

  while (running)
    {
      Command *batch[TAKE_MAX_COMMANDS];
      guint n = 0;
      gint64 deadline = next_deadline (self);

      g_mutex_lock (&self->lock);
      while (g_queue_is_empty (&self->queue))
        {
          if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
            break;
        }
      while (n < TAKE_MAX_COMMANDS && !g_queue_is_empty (&self->queue))
        {
          Command *cmd = g_queue_pop_head (&self->queue);

          if (cmd->type == CMD_POLL)
            self->n_queued_polls--;
          batch[n++] = cmd;
        }
      g_mutex_unlock (&self->lock);

      for (guint i = 0; i < n; i++)
        {
          if (!running)
            {
              /* Nothing is queued after a quit; be safe anyway. */
              command_free (batch[i]);
              continue;
            }
          running = run_command (self, batch[i]);
        }

      if (running)
        run_timers (self);
    }

  return NULL;
}

/* Public API. */

/* sm_merge_samples (old, new): the packed values of both, new ones winning
 * for a metric in both. A malformed old blob is replaced by the new one. */
static void
merge_samples_sql (sqlite3_context  *context,
                   int               argc,
                   sqlite3_value   **argv)
{
  const guint8 *old = sqlite3_value_blob (argv[0]);
  gsize old_size = (gsize) sqlite3_value_bytes (argv[0]);
  const guint8 *new = sqlite3_value_blob (argv[1]);
  gsize new_size = (gsize) sqlite3_value_bytes (argv[1]);
  g_autoptr(GByteArray) merged = NULL;

  if (!blob_is_valid (new, new_size))
    {
      sqlite3_result_value (context, argv[0]);
      return;
    }
  if (!blob_is_valid (old, old_size))
    {
      sqlite3_result_value (context, argv[1]);
      return;
    }

  merged = g_byte_array_sized_new ((guint) (old_size + new_size));
  g_byte_array_append (merged, new, (guint) new_size);
  for (gsize i = 1; i + PACK_RECORD_SIZE <= old_size; i += PACK_RECORD_SIZE)
    {
      guint32 id;
      double value;
      gboolean shadowed = FALSE;

      unpack_record (old + i, &id, &value);
      for (gsize j = 1; j + PACK_RECORD_SIZE <= new_size && !shadowed; j += PACK_RECORD_SIZE)
        {
          guint32 new_id;
          double new_value;

          unpack_record (new + j, &new_id, &new_value);
          shadowed = new_id == id;
        }
      if (!shadowed)
        g_byte_array_append (merged, old + i, PACK_RECORD_SIZE);
    }
  sqlite3_result_blob (context, merged->data, (int) merged->len, SQLITE_TRANSIENT);
}

static gboolean
writer_open (SmHistoryWriter  *self,
             GError          **error)
{
  gint64 auto_vacuum = 0;
  g_autofree char *cache = NULL;
  int rc;

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      set_write_error (error, self->path, self->db, rc);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      set_write_error (error, self->path, NULL, SQLITE_READONLY);
      return FALSE;
    }

  rc = sqlite3_create_function (self->db, "sm_merge_samples", 2,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                NULL, merge_samples_sql, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_write_error (error, self->path, self->db, rc);
      return FALSE;
    }

  /* The statements first: they fail on a file without the history
   * tables, before anything about it is changed. */
  for (guint i = 0; i < N_STMTS; i++)
    {
      rc = sqlite3_prepare_v3 (self->db, writer_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &self->stmts[i], NULL);
      if (rc != SQLITE_OK)
        {
          set_write_error (error, self->path, self->db, rc);
          return FALSE;
        }
    }

  /* WAL is already on (SmStore sets it); the rest is per connection. A
   * large transaction (forgetting a server) must not leave a large WAL
   * file behind for good. */
  cache = g_strdup_printf ("PRAGMA cache_size = -%d", WRITER_CACHE_KIB);
  rc = sqlite3_exec (self->db,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = ON;"
                     "PRAGMA journal_size_limit = 67108864;",
                     NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (self->db, cache, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = run_int_query (self->db, "PRAGMA auto_vacuum", &auto_vacuum);
  if (rc != SQLITE_OK)
    {
      set_write_error (error, self->path, self->db, rc);
      return FALSE;
    }
  self->incremental_vacuum = auto_vacuum == 2;

  return load_metric_names (self, error);
}

static void
writer_close (SmHistoryWriter *self)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  if (self->db != NULL)
    {
      rollback (self);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
}

static void
writer_destroy (SmHistoryWriter *self)
{
  Command *cmd;

  writer_close (self);
  while ((cmd = g_queue_pop_head (&self->queue)) != NULL)
    command_free (cmd);
  clear_pending (self);
  g_clear_pointer (&self->bucket_rows, g_array_unref);
  g_clear_pointer (&self->event_rows, g_array_unref);
  g_clear_pointer (&self->server_metric_rows, g_array_unref);
  g_clear_pointer (&self->forgets, g_array_unref);
  g_clear_pointer (&self->servers, g_hash_table_unref);
  g_clear_pointer (&self->metric_index, g_hash_table_unref);
  g_clear_pointer (&self->metric_names, g_ptr_array_unref);
  g_clear_pointer (&self->metric_ids, g_array_unref);
  g_clear_pointer (&self->resolved_now, g_array_unref);
  g_clear_pointer (&self->blob, g_byte_array_unref);
  g_clear_error (&self->last_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_cond_clear (&self->done_cond);
  g_free (self->path);
  g_free (self);
}

SmHistoryWriter *
sm_history_writer_new (const char  *path,
                       GError     **error)
{
  SmHistoryWriter *self;
  gint64 now;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (SmHistoryWriter, 1);
  self->path = g_strdup (path);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_cond_init (&self->done_cond);
  g_queue_init (&self->queue);
  g_queue_init (&self->raw_rows);
  sm_retention_init_default (&self->retention);
  self->newest_t = G_MININT64 / 2;
  self->metric_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->metric_names = g_ptr_array_new_with_free_func (g_free);
  self->metric_ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->resolved_now = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->servers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, server_free);
  self->bucket_rows = g_array_new (FALSE, FALSE, sizeof (BucketRow));
  self->event_rows = g_array_new (FALSE, FALSE, sizeof (EventRow));
  g_array_set_clear_func (self->event_rows, event_row_clear);
  self->server_metric_rows = g_array_new (FALSE, FALSE, sizeof (ServerMetricRow));
  self->forgets = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->blob = g_byte_array_new ();

  if (!writer_open (self, error))
    {
      writer_destroy (self);
      return NULL;
    }

  now = g_get_monotonic_time ();
  self->next_bucket_write_us = now + BUCKET_WRITE_INTERVAL_US;
  self->next_prune_us = now + PRUNE_INTERVAL_US;
  self->thread = g_thread_new ("sm-history", writer_thread, self);
  return self;
}

static Command *
command_new (CommandType type,
             gint64      server_id,
             gint64      t)
{
  Command *cmd = g_new0 (Command, 1);

  cmd->type = type;
  cmd->server_id = server_id;
  cmd->t = t;
  return cmd;
}

/* A poll command with room for n values and names of total_len bytes
 * (with their terminators) in the same allocation. */
static Command *
poll_command_new (gint64 server_id,
                  gint64 t,
                  guint  n,
                  gsize  total_len)
{
  gsize values_at = sizeof (Command);
  gsize names_at = values_at + n * sizeof (double);
  gsize text_at = names_at + n * sizeof (char *);
  Command *cmd;

  G_STATIC_ASSERT (sizeof (Command) % sizeof (double) == 0);

  cmd = g_malloc0 (text_at + total_len);
  cmd->type = CMD_POLL;
  cmd->server_id = server_id;
  cmd->t = t;
  cmd->values = (double *) (gpointer) ((guint8 *) cmd + values_at);
  cmd->names = (const char **) (gpointer) ((guint8 *) cmd + names_at);
  return cmd;
}

static inline char *
poll_command_text (Command *cmd)
{
  return (char *) cmd + sizeof (Command) + cmd->n * (sizeof (double) + sizeof (char *));
}

void
sm_history_writer_add_values (SmHistoryWriter    *self,
                              gint64              server_id,
                              gint64              t,
                              const char * const *names,
                              const double       *values,
                              guint               n)
{
  gsize total_len = 0;
  guint kept = 0;
  Command *cmd;
  char *text;

  g_return_if_fail (self != NULL);
  g_return_if_fail (n == 0 || (names != NULL && values != NULL));

  for (guint i = 0; i < n; i++)
    {
      if (names[i] == NULL || !isfinite (values[i]))
        continue;
      total_len += strlen (names[i]) + 1;
      kept++;
    }
  if (kept == 0)
    return;

  cmd = poll_command_new (server_id, t, kept, total_len);
  cmd->n = kept;
  text = poll_command_text (cmd);
  kept = 0;
  for (guint i = 0; i < n; i++)
    {
      gsize len;

      if (names[i] == NULL || !isfinite (values[i]))
        continue;
      len = strlen (names[i]) + 1;
      memcpy (text, names[i], len);
      cmd->names[kept] = text;
      cmd->values[kept] = values[i];
      text += len;
      kept++;
    }

  push_command (self, cmd, NULL);
}

void
sm_history_writer_add_poll (SmHistoryWriter    *self,
                            gint64              server_id,
                            gint64              t,
                            SmServerStatus      status,
                            const char         *reason,
                            double              latency_ms,
                            const SmPollResult *result)
{
  gboolean reached;
  gsize total_len = 0;
  guint n = 0;
  Command *cmd;
  char *text;

  g_return_if_fail (self != NULL);

  if (status != SM_SERVER_STATUS_UP && status != SM_SERVER_STATUS_DEGRADED &&
      status != SM_SERVER_STATUS_DOWN)
    return;

  reached = status != SM_SERVER_STATUS_DOWN;

  if (reached && result != NULL && result->metrics != NULL)
    {
      for (guint i = 0; i < result->metrics->len; i++)
        {
          const SmMetric *metric = &g_array_index (result->metrics, SmMetric, i);

          if (metric->name == NULL || !isfinite (metric->value))
            continue;
          total_len += strlen (metric->name) + 1;
          n++;
        }
    }
  if (reached && isfinite (latency_ms) && latency_ms >= 0)
    {
      total_len += sizeof LATENCY_NAME;
      n++;
    }
  total_len += sizeof UP_NAME;
  n++;

  cmd = poll_command_new (server_id, t, n, total_len);
  cmd->n = n;
  cmd->has_status = TRUE;
  cmd->status = status;
  cmd->reason = g_strdup (reason != NULL ? reason : "");
  text = poll_command_text (cmd);
  n = 0;

  if (reached && result != NULL && result->metrics != NULL)
    {
      for (guint i = 0; i < result->metrics->len; i++)
        {
          const SmMetric *metric = &g_array_index (result->metrics, SmMetric, i);
          gsize len;

          if (metric->name == NULL || !isfinite (metric->value))
            continue;
          len = strlen (metric->name) + 1;
          memcpy (text, metric->name, len);
          cmd->names[n] = text;
          cmd->values[n++] = metric->value;
          text += len;
        }
    }
  if (reached && isfinite (latency_ms) && latency_ms >= 0)
    {
      memcpy (text, LATENCY_NAME, sizeof LATENCY_NAME);
      cmd->names[n] = text;
      cmd->values[n++] = latency_ms;
      text += sizeof LATENCY_NAME;
    }
  memcpy (text, UP_NAME, sizeof UP_NAME);
  cmd->names[n] = text;
  cmd->values[n++] = reached ? 1 : 0;

  push_command (self, cmd, NULL);
}

void
sm_history_writer_set_retention (SmHistoryWriter   *self,
                                 const SmRetention *retention)
{
  Command *cmd;

  g_return_if_fail (self != NULL);
  g_return_if_fail (retention != NULL);

  cmd = command_new (CMD_RETENTION, 0, 0);
  cmd->retention = *retention;
  push_command (self, cmd, NULL);
}

void
sm_history_writer_forget_server (SmHistoryWriter *self,
                                 gint64           server_id)
{
  g_return_if_fail (self != NULL);

  push_command (self, command_new (CMD_FORGET, server_id, 0), NULL);
}

gboolean
sm_history_writer_flush (SmHistoryWriter  *self,
                         GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return push_command (self, command_new (CMD_FLUSH, 0, 0), error);
}

gboolean
sm_history_writer_prune (SmHistoryWriter  *self,
                         gint64            now,
                         GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return push_command (self, command_new (CMD_PRUNE, 0, now), error);
}

void
sm_history_writer_set_max_page_count (SmHistoryWriter *self,
                                      guint            max_pages)
{
  g_return_if_fail (self != NULL);

  push_command (self, command_new (CMD_MAX_PAGES, 0, max_pages), NULL);
}

guint64
sm_history_writer_get_n_samples (SmHistoryWriter *self)
{
  guint64 n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  n = self->n_samples;
  g_mutex_unlock (&self->lock);
  return n;
}

guint64
sm_history_writer_get_n_dropped (SmHistoryWriter *self)
{
  guint64 n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  n = self->n_dropped;
  g_mutex_unlock (&self->lock);
  return n;
}

GError *
sm_history_writer_dup_error (SmHistoryWriter *self)
{
  GError *error = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  if (self->last_error != NULL)
    error = g_error_copy (self->last_error);
  g_mutex_unlock (&self->lock);
  return error;
}

void
sm_history_writer_free (SmHistoryWriter *self)
{
  if (self == NULL)
    return;

  push_command (self, command_new (CMD_QUIT, 0, 0), NULL);
  g_thread_join (self->thread);
  writer_destroy (self);
}

/*
 * The reader.
 */

enum {
  RSTMT_METRIC_ID,
  RSTMT_RAW,
  RSTMT_RANGE_1M,
  RSTMT_RANGE_1H,
  RSTMT_LATEST_RAW,
  RSTMT_LATEST_1M,
  RSTMT_LIST_METRICS,
  N_RSTMTS,
};

static const char * const reader_sql[N_RSTMTS] = {
  [RSTMT_METRIC_ID] = "SELECT id FROM metrics WHERE name = ?1",
  [RSTMT_RAW] = "SELECT t, data FROM samples WHERE server_id = ?1 AND t >= ?2 AND t <= ?3 ORDER BY t",
  [RSTMT_RANGE_1M] = "SELECT t, min, max, avg, count FROM samples_1m "
                     "WHERE server_id = ?1 AND metric_id = ?2 AND t > ?3 AND t <= ?4 ORDER BY t",
  [RSTMT_RANGE_1H] = "SELECT t, min, max, avg, count FROM samples_1h "
                     "WHERE server_id = ?1 AND metric_id = ?2 AND t > ?3 AND t <= ?4 ORDER BY t",
  [RSTMT_LATEST_RAW] = "SELECT t FROM samples WHERE server_id = ?1 ORDER BY t DESC LIMIT 1",
  [RSTMT_LATEST_1M] = "SELECT t FROM samples_1m WHERE server_id = ?1 AND metric_id = ?2 "
                      "ORDER BY t DESC LIMIT 1",
  [RSTMT_LIST_METRICS] = "SELECT m.name FROM server_metrics AS s JOIN metrics AS m ON m.id = s.metric_id "
                         "WHERE s.server_id = ?1 ORDER BY m.name",
};

struct _SmHistoryReader
{
  gint           ref_count;
  char          *path;
  GMutex         lock;
  sqlite3       *db;
  sqlite3_stmt  *stmts[N_RSTMTS];
  SmRetention    retention;
};

SmHistoryReader *
sm_history_reader_new (const char  *path,
                       GError     **error)
{
  SmHistoryReader *self;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (SmHistoryReader, 1);
  self->ref_count = 1;
  self->path = g_strdup (path);
  g_mutex_init (&self->lock);
  sm_retention_init_default (&self->retention);

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_EXRESCODE, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_extended_result_codes (self->db, 1);
      sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
      for (guint i = 0; i < N_RSTMTS && rc == SQLITE_OK; i++)
        rc = sqlite3_prepare_v3 (self->db, reader_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                 &self->stmts[i], NULL);
    }
  if (rc != SQLITE_OK)
    {
      set_read_error (error, path, self->db, rc);
      sm_history_reader_unref (self);
      return NULL;
    }

  return self;
}

SmHistoryReader *
sm_history_reader_ref (SmHistoryReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
sm_history_reader_unref (SmHistoryReader *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;

  for (guint i = 0; i < N_RSTMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self);
}

void
sm_history_reader_set_retention (SmHistoryReader   *self,
                                 const SmRetention *retention)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (retention != NULL);

  g_mutex_lock (&self->lock);
  self->retention = *retention;
  g_mutex_unlock (&self->lock);
}

/* One read transaction per call, so that its queries see one state. */
static gboolean
reader_begin (SmHistoryReader  *self,
              GError          **error)
{
  int rc = sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_read_error (error, self->path, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

static void
reader_end (SmHistoryReader *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
}

/* The metric's id, 0 when the name is unknown. */
static gboolean
reader_metric_id (SmHistoryReader  *self,
                  const char       *metric,
                  gint64           *out_id,
                  GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[RSTMT_METRIC_ID];
  int rc;

  *out_id = 0;
  sqlite3_bind_text (stmt, 1, metric, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_read_error (error, self->path, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

/* Newest t of the statement's single-column result, G_MININT64 for none. */
static gboolean
reader_latest (SmHistoryReader  *self,
               sqlite3_stmt     *stmt,
               gint64           *out_t,
               GError          **error)
{
  int rc = sqlite3_step (stmt);

  *out_t = G_MININT64;
  if (rc == SQLITE_ROW)
    *out_t = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_read_error (error, self->path, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

/* Calls func for each raw value of the metric in [start, end]. */
typedef void (*ValueFunc) (gint64    t,
                           double    value,
                           gpointer  user_data);

static gboolean
reader_scan_raw (SmHistoryReader  *self,
                 gint64            server_id,
                 gint64            metric_id,
                 gint64            start,
                 gint64            end,
                 ValueFunc         func,
                 gpointer          user_data,
                 GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[RSTMT_RAW];
  int rc;

  sqlite3_bind_int64 (stmt, 1, server_id);
  sqlite3_bind_int64 (stmt, 2, start);
  sqlite3_bind_int64 (stmt, 3, end);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const guint8 *data = sqlite3_column_blob (stmt, 1);
      gsize size = sqlite3_column_bytes (stmt, 1);
      double value;

      if (sm_history_unpack_find (data, size, (guint32) metric_id, &value))
        func (sqlite3_column_int64 (stmt, 0), value, user_data);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_read_error (error, self->path, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

typedef void (*PointFunc) (const SmSeriesPoint *point,
                           gpointer             user_data);

/* Buckets of the tier that overlap [start, end]. */
static gboolean
reader_scan_tier (SmHistoryReader  *self,
                  SmTier            tier,
                  gint64            server_id,
                  gint64            metric_id,
                  gint64            start,
                  gint64            end,
                  PointFunc         func,
                  gpointer          user_data,
                  GError          **error)
{
  sqlite3_stmt *stmt = self->stmts[tier == SM_TIER_1M ? RSTMT_RANGE_1M : RSTMT_RANGE_1H];
  int rc;

  sqlite3_bind_int64 (stmt, 1, server_id);
  sqlite3_bind_int64 (stmt, 2, metric_id);
  sqlite3_bind_int64 (stmt, 3, start - sm_tier_get_step (tier));
  sqlite3_bind_int64 (stmt, 4, end);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SmSeriesPoint point;
      gint64 count = sqlite3_column_int64 (stmt, 4);

      if (count <= 0)
        continue;
      point.t = sqlite3_column_int64 (stmt, 0);
      point.min = sqlite3_column_double (stmt, 1);
      point.max = sqlite3_column_double (stmt, 2);
      point.avg = sqlite3_column_double (stmt, 3);
      point.count = (guint32) MIN (count, G_MAXUINT32);
      if (isfinite (point.min) && isfinite (point.max) && isfinite (point.avg))
        func (&point, user_data);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_read_error (error, self->path, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

static void
series_add_value_cb (gint64   t,
                     double   value,
                     gpointer user_data)
{
  sm_series_append_value (user_data, t, value);
}

static void
series_add_point_cb (const SmSeriesPoint *point,
                     gpointer             user_data)
{
  sm_series_append_point (user_data, point);
}

/* The median spacing of the series' points, 0 with fewer than two. */
static gint64
median_spacing (const SmSeries *series)
{
  GArray *points = series->points;
  g_autofree double *diffs = NULL;

  if (points->len < 2)
    return 0;

  diffs = g_new (double, points->len - 1);
  for (guint i = 1; i < points->len; i++)
    diffs[i - 1] = (double) (g_array_index (points, SmSeriesPoint, i).t -
                             g_array_index (points, SmSeriesPoint, i - 1).t);
  return (gint64) sm_percentile (diffs, points->len - 1, 50);
}

static SmSeries *
reader_query_locked (SmHistoryReader  *self,
                     gint64            server_id,
                     const char       *metric,
                     SmTier            tier,
                     gint64            start,
                     gint64            end,
                     guint             interval_s,
                     GError          **error)
{
  g_autoptr(SmSeries) series = NULL;
  gint64 metric_id = 0;
  gint64 spacing;
  gint64 step;
  gboolean ok;

  if (interval_s == 0)
    interval_s = SM_SERVER_DEFAULT_INTERVAL;

  series = sm_series_new (metric, tier, tier == SM_TIER_RAW ? interval_s : sm_tier_get_step (tier));
  if (end < start)
    return g_steal_pointer (&series);

  if (!reader_begin (self, error))
    return NULL;

  ok = reader_metric_id (self, metric, &metric_id, error);
  if (ok && metric_id != 0)
    {
      if (tier == SM_TIER_RAW)
        ok = reader_scan_raw (self, server_id, metric_id, start, end,
                              series_add_value_cb, series, error);
      else
        ok = reader_scan_tier (self, tier, server_id, metric_id, start, end,
                               series_add_point_cb, series, error);
    }
  reader_end (self);
  if (!ok)
    return NULL;

  spacing = median_spacing (series);
  if (tier == SM_TIER_RAW)
    step = spacing > 0 ? MAX (spacing, 1) : interval_s;
  else
    step = MAX (sm_tier_get_step (tier), spacing);
  series->step = MAX (step, 1);
  series->gap = series->step * 5 / 2;

  return g_steal_pointer (&series);
}

SmSeries *
sm_history_reader_query (SmHistoryReader  *self,
                         gint64            server_id,
                         const char       *metric,
                         gint64            start,
                         gint64            end,
                         guint             width,
                         guint             interval_s,
                         GError          **error)
{
  SmSeries *series;
  SmTier tier;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (metric != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  tier = sm_tier_for_range (end - start, width, interval_s,
                            self->retention.raw, self->retention.minute);
  series = reader_query_locked (self, server_id, metric, tier, start, end, interval_s, error);
  g_mutex_unlock (&self->lock);
  return series;
}

SmSeries *
sm_history_reader_query_tier (SmHistoryReader  *self,
                              gint64            server_id,
                              const char       *metric,
                              SmTier            tier,
                              gint64            start,
                              gint64            end,
                              GError          **error)
{
  SmSeries *series;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (metric != NULL, NULL);
  g_return_val_if_fail (tier < SM_N_TIERS, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  series = reader_query_locked (self, server_id, metric, tier, start, end, 0, error);
  g_mutex_unlock (&self->lock);
  return series;
}

GPtrArray *
sm_history_reader_list_metrics (SmHistoryReader  *self,
                                gint64            server_id,
                                GError          **error)
{
  g_autoptr(GPtrArray) names = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  names = g_ptr_array_new_with_free_func (g_free);
  g_mutex_lock (&self->lock);
  stmt = self->stmts[RSTMT_LIST_METRICS];
  sqlite3_bind_int64 (stmt, 1, server_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    set_read_error (error, self->path, self->db, rc);
  g_mutex_unlock (&self->lock);

  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&names);
}

/* Accumulates stats from raw values or buckets. */
typedef struct {
  GArray  *values;   /* double: raw values, or bucket averages */
  double   min;
  double   max;
  double   sum;
  guint64  count;
} StatsAcc;

static void
stats_add_value_cb (gint64   t,
                    double   value,
                    gpointer user_data)
{
  StatsAcc *acc = user_data;

  g_array_append_val (acc->values, value);
  acc->min = MIN (acc->min, value);
  acc->max = MAX (acc->max, value);
  acc->sum += value;
  acc->count++;
}

static void
stats_add_point_cb (const SmSeriesPoint *point,
                    gpointer             user_data)
{
  StatsAcc *acc = user_data;

  g_array_append_val (acc->values, point->avg);
  acc->min = MIN (acc->min, point->min);
  acc->max = MAX (acc->max, point->max);
  acc->sum += point->avg * point->count;
  acc->count += point->count;
}

/* The tier stats come from: see sm_history_reader_get_stats(). */
static gboolean
stats_tier (SmHistoryReader  *self,
            gint64            server_id,
            gint64            metric_id,
            gint64            start,
            gint64            end,
            SmTier           *out_tier,
            GError          **error)
{
  gint64 latest;

  *out_tier = SM_TIER_1H;

  if (end - start <= self->retention.raw)
    {
      sqlite3_bind_int64 (self->stmts[RSTMT_LATEST_RAW], 1, server_id);
      if (!reader_latest (self, self->stmts[RSTMT_LATEST_RAW], &latest, error))
        return FALSE;
      if (latest != G_MININT64 && start >= latest - self->retention.raw)
        {
          *out_tier = SM_TIER_RAW;
          return TRUE;
        }
    }

  if (end - start <= self->retention.minute)
    {
      sqlite3_bind_int64 (self->stmts[RSTMT_LATEST_1M], 1, server_id);
      sqlite3_bind_int64 (self->stmts[RSTMT_LATEST_1M], 2, metric_id);
      if (!reader_latest (self, self->stmts[RSTMT_LATEST_1M], &latest, error))
        return FALSE;
      if (latest != G_MININT64 && start >= latest - self->retention.minute)
        *out_tier = SM_TIER_1M;
    }

  return TRUE;
}

static gboolean
reader_stats_locked (SmHistoryReader  *self,
                     gint64            server_id,
                     const char       *metric,
                     gint64            start,
                     gint64            end,
                     SmStats          *out_stats,
                     GError          **error)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  StatsAcc acc = { values, INFINITY, -INFINITY, 0, 0 };
  SmTier tier = SM_TIER_RAW;
  gint64 metric_id = 0;
  gboolean ok;

  out_stats->min = out_stats->max = out_stats->avg = out_stats->p95 = NAN;
  out_stats->count = 0;
  out_stats->p95_exact = FALSE;

  if (!reader_begin (self, error))
    return FALSE;

  ok = reader_metric_id (self, metric, &metric_id, error);
  if (ok && metric_id != 0 && end >= start)
    ok = stats_tier (self, server_id, metric_id, start, end, &tier, error);
  if (ok && metric_id != 0 && end >= start)
    {
      if (tier == SM_TIER_RAW)
        ok = reader_scan_raw (self, server_id, metric_id, start, end,
                              stats_add_value_cb, &acc, error);
      else
        ok = reader_scan_tier (self, tier, server_id, metric_id, start, end,
                               stats_add_point_cb, &acc, error);
    }
  reader_end (self);
  if (!ok)
    return FALSE;

  out_stats->p95_exact = tier == SM_TIER_RAW;
  if (acc.count == 0)
    return TRUE;

  out_stats->min = acc.min;
  out_stats->max = acc.max;
  out_stats->avg = acc.sum / acc.count;
  out_stats->p95 = sm_percentile ((double *) (gpointer) values->data, values->len, 95);
  out_stats->count = acc.count;
  return TRUE;
}

gboolean
sm_history_reader_get_stats (SmHistoryReader  *self,
                             gint64            server_id,
                             const char       *metric,
                             gint64            start,
                             gint64            end,
                             SmStats          *out_stats,
                             GError          **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (metric != NULL, FALSE);
  g_return_val_if_fail (out_stats != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  ok = reader_stats_locked (self, server_id, metric, start, end, out_stats, error);
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
sm_history_reader_get_uptime (SmHistoryReader  *self,
                              gint64            server_id,
                              gint64            start,
                              gint64            end,
                              double           *out_percent,
                              GError          **error)
{
  SmStats stats;

  g_return_val_if_fail (out_percent != NULL, FALSE);

  *out_percent = NAN;
  if (!sm_history_reader_get_stats (self, server_id, UP_NAME, start, end, &stats, error))
    return FALSE;
  if (stats.count > 0)
    *out_percent = stats.avg * 100;
  return TRUE;
}

/*
 * Backup.
 */

static void
set_backup_error (GError     **error,
                  const char  *dest,
                  const char  *detail)
{
  g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO,
               _("Could not back up the database to %s: %s"),
               dest, detail);
}

static void
unlink_sqlite_files (const char *path)
{
  static const char * const suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

static gboolean
fsync_path (const char *path,
            gboolean    directory)
{
  int fd = g_open (path, (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fsync (fd) == 0;
  close (fd);
  return ok;
}

/* The copy, in tmp, is complete, in rollback journal mode and passes
 * quick_check. */
static gboolean
backup_copy (const char  *path,
             const char  *tmp,
             const char  *dest,
             GError     **error)
{
  sqlite3 *src = NULL;
  sqlite3 *dst = NULL;
  sqlite3_backup *backup;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *check = NULL;
  gboolean ok = FALSE;
  int rc;

  rc = sqlite3_open_v2 (path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      set_read_error (error, path, src, rc);
      goto out;
    }
  sqlite3_busy_timeout (src, BUSY_TIMEOUT_MS);

  rc = sqlite3_open_v2 (tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      set_backup_error (error, dest, sqlite3_errmsg (dst));
      goto out;
    }

  /* All pages in one step: one read transaction on the source, so the
   * copy is one consistent state while writers carry on (WAL). */
  backup = sqlite3_backup_init (dst, "main", src, "main");
  if (backup == NULL)
    {
      set_backup_error (error, dest, sqlite3_errmsg (dst));
      goto out;
    }
  rc = sqlite3_backup_step (backup, -1);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_FULL)
        set_backup_error (error, dest, g_strerror (ENOSPC));
      else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ||
               (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
        set_read_error (error, path, src, rc);
      else
        set_backup_error (error, dest, sqlite3_errstr (rc));
      goto out;
    }

  /* The copy carries the source's WAL mode in its header: make it one
   * self-contained file. */
  rc = sqlite3_exec (dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_backup_error (error, dest, sqlite3_errmsg (dst));
      goto out;
    }

  rc = sqlite3_prepare_v2 (dst, "PRAGMA quick_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    check = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (g_strcmp0 (check, "ok") != 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_CORRUPT,
                   _("Could not back up the database to %s: the copy failed its check (%s)."),
                   dest, check != NULL ? check : sqlite3_errstr (rc));
      goto out;
    }

  ok = TRUE;

out:
  if (dst != NULL && sqlite3_close (dst) != SQLITE_OK && ok)
    {
      set_backup_error (error, dest, sqlite3_errmsg (dst));
      ok = FALSE;
    }
  if (src != NULL)
    sqlite3_close (src);
  return ok;
}

gboolean
sm_history_backup (const char  *path,
                   const char  *dest,
                   GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  GStatBuf st;
  int fd;
  int saved_errno;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (dest != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dir = g_path_get_dirname (dest);
  base = g_path_get_basename (dest);

  if (g_stat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      saved_errno = S_ISDIR (st.st_mode) ? errno : ENOTDIR;
      set_backup_error (error, dest, g_strerror (saved_errno));
      return FALSE;
    }
  /* Owner write bit first, as for the database: root may write anything,
   * but a folder someone made read-only is meant to stay that way. */
  if ((st.st_uid == getuid () && (st.st_mode & S_IWUSR) == 0) || g_access (dir, W_OK) != 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_READ_ONLY,
                   _("Could not back up the database to %s: the folder %s is not writable."),
                   dest, dir);
      return FALSE;
    }

  tmp = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      set_backup_error (error, dest, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  if (!backup_copy (path, tmp, dest, error))
    {
      unlink_sqlite_files (tmp);
      return FALSE;
    }

  if (!fsync_path (tmp, FALSE) || g_rename (tmp, dest) != 0)
    {
      saved_errno = errno;
      set_backup_error (error, dest, g_strerror (saved_errno));
      unlink_sqlite_files (tmp);
      return FALSE;
    }
  fsync_path (dir, TRUE);
  return TRUE;
}

guint64
sm_history_get_disk_usage (const char *path)
{
  g_autofree char *wal = NULL;
  GStatBuf st;
  guint64 size = 0;

  g_return_val_if_fail (path != NULL, 0);

  if (g_stat (path, &st) == 0)
    size += st.st_size;
  wal = g_strconcat (path, "-wal", NULL);
  if (g_stat (wal, &st) == 0)
    size += st.st_size;
  return size;
}
