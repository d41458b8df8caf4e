/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-series.h: plain data shared by the history store and the charts.
 *
 * A series is one metric of one server over a time range, as points
 * ascending in time. Raw samples are points with min == max == avg and
 * count 1; rollup buckets carry their own min, max, avg and count. Times are
 * unix seconds. Nothing here touches SQLite, Cairo or GTK.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SM_VALUE_UNIT_NONE,              /* load averages, counts */
  SM_VALUE_UNIT_PERCENT,
  SM_VALUE_UNIT_BYTES,
  SM_VALUE_UNIT_BYTES_PER_SECOND,
  SM_VALUE_UNIT_MILLISECONDS,
  SM_VALUE_UNIT_SECONDS,
} SmValueUnit;

/* The unit of a metric from its name (see sm-poll-result.h): "...percent"
 * is PERCENT, "..._bps" BYTES_PER_SECOND, mem/swap/disk/gpu sizes BYTES,
 * "..._ms" MILLISECONDS, "uptime.seconds" SECONDS, anything else NONE. */
SmValueUnit  sm_metric_get_unit        (const char  *metric);

/* A value with its unit for people: "42 %", "3.1 MiB/s", "12.5 GiB",
 * "38 ms", "1.25"; sizes in IEC units (KiB, MiB, ...). NAN gives "—". */
char        *sm_format_value           (double       value,
                                        SmValueUnit  unit);

typedef enum {
  SM_TIER_RAW,     /* one point per poll */
  SM_TIER_1M,      /* 1-minute buckets */
  SM_TIER_1H,      /* 1-hour buckets */
  SM_N_TIERS,
} SmTier;

/* Seconds one bucket of the tier spans: 0 for RAW, 60, 3600. */
gint64       sm_tier_get_step          (SmTier       tier);
const char  *sm_tier_to_string         (SmTier       tier);  /* "raw", "1m", "1h" */

/* Picks the tier for a chart of range_s seconds drawn width pixels wide:
 * the finest tier whose expected number of points is at most 4 per pixel
 * column and whose retention still covers the range; the coarsest tier
 * otherwise. raw_interval_s is the server's poll interval. Pure. */
SmTier       sm_tier_for_range         (gint64       range_s,
                                        guint        width,
                                        guint        raw_interval_s,
                                        gint64       retention_raw_s,
                                        gint64       retention_1m_s);

typedef enum {
  SM_RANGE_15M,
  SM_RANGE_1H,
  SM_RANGE_6H,
  SM_RANGE_24H,
  SM_RANGE_7D,
  SM_RANGE_30D,
  SM_RANGE_1Y,
  SM_N_RANGES,
} SmRange;

gint64       sm_range_get_seconds      (SmRange      range);
/* "15m", "1h", "6h", "24h", "7d", "30d", "1y": the CLI's spelling. */
const char  *sm_range_to_string        (SmRange      range);
gboolean     sm_range_from_string      (const char  *text,
                                        SmRange     *out_range);
/* Translated, for buttons: "15 min", "1 h", ... */
const char  *sm_range_to_label         (SmRange      range);

typedef struct {
  gint64   t;       /* sample time, or the bucket's start */
  double   min;
  double   max;
  double   avg;
  guint32  count;   /* samples behind the point; 1 for a raw sample */
} SmSeriesPoint;

typedef struct {
  char    *metric;
  SmTier   tier;
  gint64   step;    /* seconds one point stands for: the poll interval for
                     * raw points, at least the bucket size for rollups */
  gint64   gap;     /* consecutive points further apart than this have a
                     * gap (no data) between them: 2.5 steps by default */
  GArray  *points;  /* SmSeriesPoint, ascending t, finite values */
} SmSeries;

SmSeries    *sm_series_new             (const char   *metric,
                                        SmTier        tier,
                                        gint64        step);
SmSeries    *sm_series_copy            (const SmSeries *series);
void         sm_series_free            (SmSeries     *series);
/* Appends a raw sample (min = max = avg = value, count 1). Points must
 * arrive in ascending time; an older one is ignored. NAN is ignored. */
void         sm_series_append_value    (SmSeries     *series,
                                        gint64        t,
                                        double        value);
void         sm_series_append_point    (SmSeries     *series,
                                        const SmSeriesPoint *point);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmSeries, sm_series_free)

/* Summary of a metric over a range. p95 is by nearest rank over the raw
 * samples (exact) when the range is within raw retention; otherwise over
 * the bucket averages of the tier used, and p95_exact is FALSE. */
typedef struct {
  double   min;
  double   max;
  double   avg;        /* count-weighted */
  double   p95;
  guint64  count;      /* samples behind the figures; 0: no data, all NAN */
  gboolean p95_exact;
} SmStats;

/* Nearest-rank percentile (0 < p <= 100) of values; sorts them in place.
 * NAN for n == 0. */
double       sm_percentile             (double      *values,
                                        gsize        n,
                                        double       p);

G_END_DECLS
