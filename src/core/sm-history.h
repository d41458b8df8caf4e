/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-history.h: metric history in the database (samples and rollups).
 *
 * Tables (migration 6 in sm-store.c):
 *   metrics        (id, name): a metric name's small integer id
 *   server_metrics (server_id, metric_id): which metrics a server has had
 *   samples        one row per server per poll, PRIMARY KEY (server_id, t),
 *                  WITHOUT ROWID, the poll's values packed into one BLOB;
 *                  rows arrive in time order per server, so the write path
 *                  is append-like (see docs/ARCHITECTURE.md)
 *   samples_1m, samples_1h
 *                  (server_id, metric_id, t, min, max, avg, count) with
 *                  PRIMARY KEY (server_id, metric_id, t), WITHOUT ROWID:
 *                  "one server, one metric, time range" is one range scan
 *   status_events  (server_id, t, status, reason): a row whenever a
 *                  server's status changes
 *
 * Every poll adds two synthetic metrics beside what the collector found:
 * "poll.latency_ms" (when the poll reached the server) and "status.up"
 * (1 for up or degraded, 0 for down); uptime is the count-weighted mean of
 * status.up. Polls with status unknown or disabled are not recorded.
 *
 * SmHistoryWriter owns a thread with its own connection: callers queue
 * polls and return at once; the thread writes them in batches (one
 * transaction per batch, committed at least every second), keeps the
 * rollup buckets in memory and writes a bucket when it closes (and open
 * buckets at least every minute and on close), prunes each tier's old rows
 * in small batches, and runs an incremental vacuum now and then.
 *
 * SmHistoryReader owns a read-only connection for queries from worker
 * threads (one query at a time; calls are serialised internally).
 */
#pragma once

#include <gio/gio.h>

#include "sm-poll-result.h"
#include "sm-series.h"
#include "sm-server.h"

G_BEGIN_DECLS

/* Default retention of each tier, in seconds. */
#define SM_HISTORY_DEFAULT_RETENTION_RAW  (48 * 3600)
#define SM_HISTORY_DEFAULT_RETENTION_1M   (30 * 86400)
#define SM_HISTORY_DEFAULT_RETENTION_1H   (400 * 86400)

typedef struct {
  gint64 raw;
  gint64 minute;
  gint64 hour;
} SmRetention;

void  sm_retention_init_default   (SmRetention *retention);

typedef struct _SmHistoryWriter SmHistoryWriter;

/* The values of one poll as stored in samples.data: a version byte
 * (SM_HISTORY_PACK_VERSION), then per value the metric's id (metrics.id) as
 * a little-endian uint32 and the value as a little-endian IEEE 754 double,
 * 12 bytes a value. Decoding rejects a blob of another version or with a
 * truncated record; a non-finite value in it counts as absent. */
#define SM_HISTORY_PACK_VERSION  1

typedef struct {
  guint32 metric_id;
  double  value;
} SmPackedValue;

GBytes          *sm_history_pack            (const SmPackedValue *values,
                                             guint               n);
/* The finite values in data, or NULL when data is malformed; *out_n is
 * their number (NULL with *out_n 0 for a blob without values). */
SmPackedValue   *sm_history_unpack          (const guint8      *data,
                                             gsize              size,
                                             guint             *out_n,
                                             GError           **error);
/* One metric's value: FALSE when it is absent, not finite or data is
 * malformed. */
gboolean         sm_history_unpack_find     (const guint8      *data,
                                             gsize              size,
                                             guint32            metric_id,
                                             double            *out_value);

/* Opens its own connection to the database at path (already created and
 * migrated by SmStore) and starts the thread. */
SmHistoryWriter *sm_history_writer_new      (const char        *path,
                                             GError           **error);
/* Queues one poll; copies what it needs from result (may be NULL when the
 * poll failed). t is unix seconds. Samples older than the raw retention
 * (relative to the newest time the writer has seen, or the clock when
 * that is later) go to the rollups only, and 1-minute buckets older than
 * their retention are not written either, so feeding old data does not
 * write rows that would be pruned at once. Thread-safe; never blocks on
 * I/O: beyond 100 000 polls waiting (a disk that stays full) the oldest
 * are dropped and counted. */
void             sm_history_writer_add_poll (SmHistoryWriter    *self,
                                             gint64              server_id,
                                             gint64              t,
                                             SmServerStatus      status,
                                             const char         *reason,
                                             double              latency_ms,
                                             const SmPollResult *result);
/* Queues raw values directly (the benchmark, tests). names and values have
 * n entries; NULL names and non-finite values are skipped. No status is
 * recorded. */
void             sm_history_writer_add_values (SmHistoryWriter  *self,
                                             gint64              server_id,
                                             gint64              t,
                                             const char * const *names,
                                             const double       *values,
                                             guint               n);
void             sm_history_writer_set_retention (SmHistoryWriter *self,
                                             const SmRetention  *retention);
/* Queues removal of all history of a server (after it was deleted);
 * polls queued after this call are kept, and nothing of the old history
 * is merged into them. The rows go in one transaction on the writer's
 * thread. */
void             sm_history_writer_forget_server (SmHistoryWriter *self,
                                             gint64              server_id);
/* Blocks until everything queued before the call is committed, including
 * the open rollup buckets. FALSE with error if a write failed (disk full):
 * nothing of the failed batch is in the file; it is kept in memory and
 * retried every few seconds and on the next flush. */
gboolean         sm_history_writer_flush    (SmHistoryWriter    *self,
                                             GError            **error);
/* Blocks until every row older than each tier's retention relative to now
 * (unix seconds) is deleted: t < now - retention (a bucket by its start);
 * status events follow the 1-hour tier's retention. Then gives the freed
 * pages back (incremental vacuum). For tests and the benchmark: the
 * thread does the same every minute with the real clock, in transactions
 * of at most 2000 rows between its other writes. */
gboolean         sm_history_writer_prune    (SmHistoryWriter    *self,
                                             gint64              now,
                                             GError            **error);
/* Samples (metric values) committed so far (as raw rows, or only into
 * the rollups when older than the raw retention). */
guint64          sm_history_writer_get_n_samples (SmHistoryWriter *self);
/* Polls lost because too many waited to be written (see add_poll). */
guint64          sm_history_writer_get_n_dropped (SmHistoryWriter *self);
/* For tests only: PRAGMA max_page_count on the writer's connection, to
 * make the disk "full" (0: no limit). Applied in order with the queue. */
void             sm_history_writer_set_max_page_count (SmHistoryWriter *self,
                                             guint               max_pages);
/* The last write error (for the UI), or NULL. Transfer full. */
GError          *sm_history_writer_dup_error (SmHistoryWriter   *self);
/* Flushes everything, stops the thread, closes the connection. */
void             sm_history_writer_free     (SmHistoryWriter    *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmHistoryWriter, sm_history_writer_free)

typedef struct _SmHistoryReader SmHistoryReader;

/* Reference counted (atomically): a query running on a worker holds a
 * reference. */
SmHistoryReader *sm_history_reader_new      (const char        *path,
                                             GError           **error);
SmHistoryReader *sm_history_reader_ref      (SmHistoryReader   *self);
void             sm_history_reader_unref    (SmHistoryReader   *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmHistoryReader, sm_history_reader_unref)
/* Used to pick tiers (default: the defaults above). Thread-safe. */
void             sm_history_reader_set_retention (SmHistoryReader *self,
                                             const SmRetention  *retention);

/* The metric's points in [start, end] from the tier sm_tier_for_range()
 * picks for width pixels and the server's interval_s. The series' step is
 * the larger of the tier's bucket and the spacing of the data (its median
 * interval, at least 1 s; interval_s when there are fewer than two raw
 * points), its gap 2.5 steps. A rollup bucket is included when it overlaps
 * the range (it starts after start - bucket and at or before end). An
 * unknown metric or server gives an empty series. */
SmSeries        *sm_history_reader_query    (SmHistoryReader   *self,
                                             gint64             server_id,
                                             const char        *metric,
                                             gint64             start,
                                             gint64             end,
                                             guint              width,
                                             guint              interval_s,
                                             GError           **error);
/* The same from a given tier (a raw series with fewer than two points
 * gets the default poll interval as its step). */
SmSeries        *sm_history_reader_query_tier (SmHistoryReader *self,
                                             gint64             server_id,
                                             const char        *metric,
                                             SmTier             tier,
                                             gint64             start,
                                             gint64             end,
                                             GError           **error);
/* Names of the metrics the server has history for, sorted. */
GPtrArray       *sm_history_reader_list_metrics (SmHistoryReader *self,
                                             gint64             server_id,
                                             GError           **error);
/* min, max, avg and p95 over [start, end] (see SmStats). The range is
 * "within raw retention" when it is no longer than the raw retention and
 * starts at or after the server's newest raw sample minus that retention;
 * then the figures are exact over the raw samples. Otherwise they come
 * from the 1-minute tier under the same rule for its retention, else from
 * the 1-hour tier. */
gboolean         sm_history_reader_get_stats (SmHistoryReader  *self,
                                             gint64             server_id,
                                             const char        *metric,
                                             gint64             start,
                                             gint64             end,
                                             SmStats           *out_stats,
                                             GError           **error);
/* Percent of recorded polls in [start, end] that found the server up or
 * degraded (the count-weighted mean of status.up, from the tier the
 * stats would use); NAN when there were none. */
gboolean         sm_history_reader_get_uptime (SmHistoryReader *self,
                                             gint64             server_id,
                                             gint64             start,
                                             gint64             end,
                                             double            *out_percent,
                                             GError           **error);

/* An online, consistent copy of the database at path into dest through
 * the sqlite3_backup API (one read transaction, so writers carry on). The
 * copy is written to a temporary file beside dest, checked with
 * PRAGMA quick_check and renamed over dest, so dest is never half-written. */
gboolean         sm_history_backup          (const char        *path,
                                             const char        *dest,
                                             GError           **error);
/* Bytes the database uses on disk (the file and its WAL). */
guint64          sm_history_get_disk_usage  (const char        *path);

G_END_DECLS
