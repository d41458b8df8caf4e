/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-result.h: what one run of one service check found, as plain
 * data (no GObjects), so probes can build it on any thread.
 *
 * Every probe (HTTP, TLS, TCP, ping, DNS, command, log, heartbeat) ends
 * with an SmCheckResult: a status, a short human reason when it is not
 * UP ("status 503", "keyword 'ok' not found", "TLS: certificate
 * expired"), the latency, and metrics that chart like any other
 * ("latency_ms", "tls.days_left", perfdata labels).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SM_CHECK_STATUS_UP,
  SM_CHECK_STATUS_DEGRADED,   /* works, but a warning threshold is crossed */
  SM_CHECK_STATUS_DOWN,
  SM_CHECK_STATUS_UNKNOWN,    /* could not tell (a plugin's UNKNOWN, bad output) */
} SmCheckStatus;

/* "up", "degraded", "down", "unknown". */
const char *sm_check_status_to_string   (SmCheckStatus  status);
gboolean    sm_check_status_from_string (const char    *text,
                                         SmCheckStatus *out_status);
/* The worse of two statuses (DOWN > UNKNOWN > DEGRADED > UP). */
SmCheckStatus sm_check_status_worst     (SmCheckStatus  a,
                                         SmCheckStatus  b);

/* One timing phase of a request, in milliseconds; NAN when unknown. */
typedef struct {
  double dns_ms;
  double connect_ms;
  double tls_ms;
  double first_byte_ms;
  double total_ms;
} SmCheckTiming;

typedef struct {
  char   *name;     /* "latency_ms", "tls.days_left", "load1" */
  double  value;
  char   *unit;     /* perfdata UOM ("s", "%", "B", "c"), or NULL */
} SmCheckMetric;

typedef struct {
  SmCheckStatus  status;
  char          *reason;       /* NULL when UP and nothing to say */
  SmCheckTiming  timing;       /* total_ms is the check's latency */
  guint          http_status;  /* 0 when not HTTP */
  GArray        *metrics;      /* SmCheckMetric */
  GPtrArray     *details;      /* char * "key=value" facts: "issuer=…", "subject=…" */
  GPtrArray     *lines;        /* char *: matched log lines, plugin long output */
  gint64         time_us;      /* g_get_real_time () when the run ended */
} SmCheckResult;

SmCheckResult *sm_check_result_new        (SmCheckStatus        status,
                                           const char          *reason);
SmCheckResult *sm_check_result_copy       (const SmCheckResult *result);
void           sm_check_result_free       (SmCheckResult       *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmCheckResult, sm_check_result_free)

/* printf-style reason (replaces any previous one). */
void           sm_check_result_set_reason (SmCheckResult       *result,
                                           const char          *format,
                                           ...) G_GNUC_PRINTF (2, 3);
void           sm_check_result_add_metric (SmCheckResult       *result,
                                           const char          *name,
                                           double               value,
                                           const char          *unit);
/* NAN when absent. */
double         sm_check_result_get_metric (const SmCheckResult *result,
                                           const char          *name);
void           sm_check_result_add_detail (SmCheckResult       *result,
                                           const char          *key,
                                           const char          *value);
/* NULL when absent. */
const char    *sm_check_result_get_detail (const SmCheckResult *result,
                                           const char          *key);

G_END_DECLS
