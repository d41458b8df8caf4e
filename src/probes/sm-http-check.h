/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-http-check.h: one HTTP(S) request, judged by status, body and TLS.
 *
 * A run sends one request (and follows up to SM_HTTP_CHECK_MAX_REDIRECTS
 * redirects when asked to), reads at most max_response_bytes of the body
 * and returns an SmCheckResult: DOWN with a short reason ("status 503",
 * "keyword 'ok' not found", "TLS: certificate expired", "timed out after
 * 10 s", "connection refused", "too many redirects"), UP otherwise.
 *
 * When the URL is https, the peer certificate's "issuer", "subject" and
 * "not_after" details and its "tls.days_left" metric are added (also when
 * the certificate was refused). Timing phases (dns, connect, tls, first
 * byte) are those of the last request when redirects were followed;
 * total_ms (and the "latency_ms" metric) covers the whole run.
 *
 * Threads and contexts: each run has a SoupSession of its own, created
 * by sm_http_check_run_async () on the thread-default main context of the
 * calling thread; all of the run's I/O, its deadline timer and the
 * callback happen on that context, which must be iterated. After the
 * callback libsoup may still have a little work queued there (letting go
 * of the message): a worker thread that stops iterating its context
 * should first iterate it while g_main_context_pending () says so. Runs
 * share nothing, so several may go at once, from one or several threads.
 * The config is copied; the caller may free it right after the call.
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"

G_BEGIN_DECLS

#define SM_HTTP_CHECK_MAX_REDIRECTS           5
#define SM_HTTP_CHECK_DEFAULT_STATUS_MIN      200
#define SM_HTTP_CHECK_DEFAULT_STATUS_MAX      399
#define SM_HTTP_CHECK_DEFAULT_MAX_BYTES       (1024 * 1024)
#define SM_HTTP_CHECK_MIN_MAX_BYTES           1024
#define SM_HTTP_CHECK_MAX_MAX_BYTES           (64 * 1024 * 1024)
#define SM_HTTP_CHECK_DEFAULT_TIMEOUT_S       10
#define SM_HTTP_CHECK_MIN_TIMEOUT_S           1
#define SM_HTTP_CHECK_MAX_TIMEOUT_S           300

typedef struct {
  char     *method;              /* "GET" (the default when NULL), "HEAD", "POST", … */
  char     *url;                 /* http:// or https:// */
  GStrv     headers;             /* "Name: value", or NULL */
  char     *body;                /* request body, or NULL; its type is the
                                  * Content-Type in headers, else text/plain */
  guint     expect_status_min;   /* a single status: min == max */
  guint     expect_status_max;
  char     *keyword;             /* plain substring of the body, or NULL */
  gboolean  keyword_absent;      /* TRUE: DOWN when the keyword is found */
  char     *regex;               /* GRegex pattern over the body, or NULL */
  gboolean  regex_absent;        /* TRUE: DOWN when the pattern matches */
  gsize     max_response_bytes;
  guint     timeout_s;           /* the whole run, redirects included */
  gboolean  follow_redirects;
  gboolean  verify_tls;
  char     *ca_file;             /* PEM file of trusted CAs that replaces the
                                  * system's trust, or NULL */
} SmHttpCheckConfig;

/* A config with the defaults: GET, status 200-399, 1 MiB, 10 s, follow
 * redirects, verify TLS. */
SmHttpCheckConfig *sm_http_check_config_new      (void);
SmHttpCheckConfig *sm_http_check_config_copy     (const SmHttpCheckConfig *config);
void               sm_http_check_config_free     (SmHttpCheckConfig       *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmHttpCheckConfig, sm_http_check_config_free)

/* NULL when the config can run; otherwise a translated "field: problem"
 * for the first problem found (free with g_free). */
char              *sm_http_check_config_validate (const SmHttpCheckConfig *config);

/* Runs the check; a config that does not validate gives an UNKNOWN
 * result with the validation message as its reason. Failures of the
 * checked service are results, not errors: the only error _finish gives
 * is G_IO_ERROR_CANCELLED when cancellable was cancelled. */
void               sm_http_check_run_async       (const SmHttpCheckConfig *config,
                                                  GCancellable            *cancellable,
                                                  GAsyncReadyCallback      callback,
                                                  gpointer                 user_data);
SmCheckResult     *sm_http_check_run_finish      (GAsyncResult            *result,
                                                  GError                 **error);

G_END_DECLS
