/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-tls-check.h: how long the certificate of a TLS service has left.
 *
 * A run connects to host:port, does the TLS handshake (sending
 * server_name as SNI), reads the peer certificate and closes. It accepts
 * any certificate so that it can read it: validation problems
 * (self-signed, not trusted, hostname mismatch) are named in the reason
 * and in the "validation" detail, but the status is judged on expiry
 * only. The check is about when a certificate runs out; whether it is
 * trusted is the HTTP check's business (verify_tls), and a service with
 * a private or self-signed certificate must still be warned about before
 * it expires.
 *
 * Status: DOWN when expired or fewer than crit_days left, DEGRADED when
 * fewer than warn_days left, UP otherwise. Metric "tls.days_left"
 * (fractional days, negative once expired); details "issuer",
 * "subject", "not_after" (ISO 8601, UTC).
 *
 * Threads and contexts: the run's I/O, deadline and callback happen on
 * the thread-default main context of the thread that called
 * sm_tls_check_run_async (), which must be iterated. The connection is
 * closed in the background after the callback: a worker thread that
 * stops iterating its context should first iterate it while
 * g_main_context_pending () says so. The config is copied.
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"

G_BEGIN_DECLS

#define SM_TLS_CHECK_DEFAULT_WARN_DAYS  14
#define SM_TLS_CHECK_DEFAULT_CRIT_DAYS  3
#define SM_TLS_CHECK_DEFAULT_TIMEOUT_S  10
#define SM_TLS_CHECK_MAX_TIMEOUT_S      300
#define SM_TLS_CHECK_MAX_DAYS           3650

typedef struct {
  char  *host;         /* name or address to connect to */
  guint  port;         /* 1-65535, 443 when 0 */
  char  *server_name;  /* SNI and the name checked; host when NULL */
  guint  warn_days;
  guint  crit_days;    /* <= warn_days */
  guint  timeout_s;    /* the whole run: connect and handshake */
  char  *ca_file;      /* PEM file of trusted CAs that replaces the
                        * system's trust (only changes what the
                        * "validation" detail says), or NULL */
} SmTlsCheckConfig;

/* A config with the defaults: port 443, warn 14 days, critical 3 days,
 * 10 s. */
SmTlsCheckConfig *sm_tls_check_config_new      (void);
SmTlsCheckConfig *sm_tls_check_config_copy     (const SmTlsCheckConfig *config);
void              sm_tls_check_config_free     (SmTlsCheckConfig       *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmTlsCheckConfig, sm_tls_check_config_free)

/* NULL when the config can run; otherwise a translated "field: problem". */
char             *sm_tls_check_config_validate (const SmTlsCheckConfig *config);

/* As sm_http_check_run_async (): service failures are results; the only
 * error is G_IO_ERROR_CANCELLED. */
void              sm_tls_check_run_async       (const SmTlsCheckConfig *config,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
SmCheckResult    *sm_tls_check_run_finish      (GAsyncResult           *result,
                                                GError                **error);

/* Adds the certificate's "issuer", "subject", "not_after" details and
 * its "tls.days_left" metric (counted from now_us, g_get_real_time ()
 * time) to result; returns the days left (NAN when the certificate has
 * no expiry date). Shared with the HTTP check. */
double            sm_tls_describe_certificate  (SmCheckResult          *result,
                                                GTlsCertificate        *certificate,
                                                gint64                  now_us);

/* A translated, comma-separated text for validation flags ("self-signed",
 * "certificate expired", …), or NULL when flags is 0. certificate (may
 * be NULL) tells an UNKNOWN_CA certificate that signed itself from one
 * that a CA nobody trusts signed. */
char             *sm_tls_describe_errors       (GTlsCertificateFlags    flags,
                                                GTlsCertificate        *certificate);

G_END_DECLS
