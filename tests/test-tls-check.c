/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-tls-check.c: the certificate expiry check against HTTPS
 * SoupServers on 127.0.0.1 serving certificates that the test makes
 * with the openssl CLI (tls-make-certs.sh). Nothing leaves loopback.
 */
#include "config.h"

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "sm-test-util.h"
#include "sm-tls-check.h"
#include "tls-test-util.h"

/* Made once in main (), shared by all tests. */
static char *certs_dir;
static char *certs_missing;

typedef struct {
  gboolean       done;
  SmCheckResult *result;
  GError        *error;
} Outcome;

static void
run_cb (GObject      *source,
        GAsyncResult *res,
        gpointer      user_data)
{
  Outcome *outcome = user_data;

  (void) source;

  outcome->result = sm_tls_check_run_finish (res, &outcome->error);
  outcome->done = TRUE;
}

/* Runs config to the end on the default main context. */
static SmCheckResult *
run_check (const SmTlsCheckConfig *config)
{
  Outcome outcome = { 0 };

  sm_tls_check_run_async (config, NULL, run_cb, &outcome);
  sm_test_wait_until (outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_nonnull (outcome.result);
  g_assert_true (outcome.result->timing.total_ms >= 0);
  return outcome.result;
}

static gboolean
need_certs (void)
{
  if (certs_dir == NULL)
    {
      g_test_skip (certs_missing);
      return FALSE;
    }
  return TRUE;
}

static SmTlsCheckConfig *
config_for (guint port)
{
  SmTlsCheckConfig *config = sm_tls_check_config_new ();

  config->host = g_strdup ("127.0.0.1");
  config->port = port;
  return config;
}

static void
assert_days_left (const SmCheckResult *result,
                  double               expected)
{
  double days_left = sm_check_result_get_metric (result, "tls.days_left");

  g_assert_false (isnan (days_left));
  g_assert_cmpfloat_with_epsilon (days_left, expected, 1.0);
}

static void
test_valid (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SmTlsCheckConfig) config = NULL;
  g_autoptr(SmCheckResult) result = NULL;
  guint port;

  if (!need_certs ())
    return;

  server = tls_test_server_new (certs_dir, "good", &port);
  config = config_for (port);
  result = run_check (config);

  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  assert_days_left (result, 30);
  g_assert_nonnull (strstr (sm_check_result_get_detail (result, "issuer"),
                            "Status Monitor Test CA"));
  g_assert_nonnull (strstr (sm_check_result_get_detail (result, "subject"), "localhost"));
  /* ISO 8601 in UTC. */
  g_assert_true (g_str_has_suffix (sm_check_result_get_detail (result, "not_after"), "Z"));
  /* The test CA is in nobody's trust store: named, but not judged. */
  g_assert_cmpstr (result->reason, ==, "certificate not trusted");
  g_assert_false (isnan (result->timing.connect_ms));
  g_assert_false (isnan (result->timing.tls_ms));
  g_assert_false (isnan (sm_check_result_get_metric (result, "latency_ms")));
}

static void
test_ca_file (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SmTlsCheckConfig) config = NULL;
  guint port;

  if (!need_certs ())
    return;

  server = tls_test_server_new (certs_dir, "good", &port);
  config = config_for (port);
  config->ca_file = tls_test_cert_path (certs_dir, "ca", ".pem");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    /* Trusted now: nothing to say. */
    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
    g_assert_null (result->reason);
    g_assert_null (sm_check_result_get_detail (result, "validation"));
    assert_days_left (result, 30);
  }

  g_free (config->ca_file);
  config->ca_file = tls_test_cert_path (certs_dir, "missing", ".pem");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UNKNOWN);
    g_assert_true (g_str_has_prefix (result->reason, "ca_file: "));
  }
}

static void
test_expires_soon (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SmTlsCheckConfig) config = NULL;
  guint port;

  if (!need_certs ())
    return;

  server = tls_test_server_new (certs_dir, "soon", &port);
  config = config_for (port);

  /* 2 days left: under the default critical threshold of 3. */
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
    assert_days_left (result, 2);
    g_assert_true (g_str_has_prefix (result->reason, "certificate expires in 2 days"));
  }

  /* Under warn, over crit. */
  config->crit_days = 1;
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DEGRADED);
    g_assert_true (g_str_has_prefix (result->reason, "certificate expires in 2 days"));
  }

  /* Over both. */
  config->warn_days = 1;
  config->crit_days = 0;
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  }
}

static void
test_expired (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SmTlsCheckConfig) config = NULL;
  g_autoptr(SmCheckResult) result = NULL;
  g_autoptr(GDateTime) end = g_date_time_new_utc (2020, 1, 2, 0, 0, 0);
  double expected;
  guint port;

  if (!need_certs ())
    return;

  server = tls_test_server_new (certs_dir, "expired", &port);
  config = config_for (port);
  result = run_check (config);

  expected = ((double) g_date_time_to_unix (end) - (double) g_get_real_time () / G_USEC_PER_SEC)
             / 86400.0;
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  assert_days_left (result, expected);
  g_assert_true (g_str_has_prefix (result->reason, "certificate expired "));
  g_assert_nonnull (strstr (result->reason, " days ago"));
  g_assert_cmpstr (sm_check_result_get_detail (result, "not_after"), ==,
                   "2020-01-02T00:00:00Z");
}

static void
test_self_signed (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SmTlsCheckConfig) config = NULL;
  g_autoptr(SmCheckResult) result = NULL;
  guint port;

  if (!need_certs ())
    return;

  server = tls_test_server_new (certs_dir, "self", &port);
  config = config_for (port);
  result = run_check (config);

  /* Judged on expiry: 30 days is fine, the self-signing is named. */
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  g_assert_cmpstr (result->reason, ==, "self-signed");
  g_assert_cmpstr (sm_check_result_get_detail (result, "validation"), ==, "self-signed");
  g_assert_nonnull (strstr (sm_check_result_get_detail (result, "issuer"), "Self Signed Test"));
  assert_days_left (result, 30);

  /* With a warning threshold over it, both are in the reason. */
  config->warn_days = 60;
  sm_check_result_free (g_steal_pointer (&result));
  result = run_check (config);
  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DEGRADED);
  g_assert_nonnull (strstr (result->reason, "certificate expires in 30 days"));
  g_assert_nonnull (strstr (result->reason, "self-signed"));
}

static void
test_server_name (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SmTlsCheckConfig) config = NULL;
  g_autoptr(SmCheckResult) result = NULL;
  guint port;

  if (!need_certs ())
    return;

  server = tls_test_server_new (certs_dir, "good", &port);
  config = config_for (port);
  config->server_name = g_strdup ("other.example");
  result = run_check (config);

  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UP);
  g_assert_nonnull (strstr (sm_check_result_get_detail (result, "validation"),
                            "hostname mismatch"));
}

static void
test_connection_refused (void)
{
  g_autoptr(SmTlsCheckConfig) config = config_for (tls_test_closed_port ());
  g_autoptr(SmCheckResult) result = run_check (config);

  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (result->reason, ==, "connection refused");
}

/* A service that greets in plain text and hangs up, as sshd does. */
static gboolean
plain_greeting_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source_object,
                   gpointer           user_data)
{
  static const char greeting[] = "SSH-2.0-OpenSSH_9.2\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  (void) service;
  (void) source_object;
  (void) user_data;

  g_output_stream_write_all (out, greeting, sizeof greeting - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
test_not_tls (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(SmTlsCheckConfig) config = NULL;
  g_autoptr(SmCheckResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (plain_greeting_cb), NULL);
  g_socket_service_start (service);

  config = config_for (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  config->timeout_s = 5;
  result = run_check (config);

  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_true (g_str_has_prefix (result->reason, "TLS handshake failed"));
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

static void
test_timeout (void)
{
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(SmTlsCheckConfig) config = NULL;
  g_autoptr(SmCheckResult) result = NULL;
  guint port;

  listener = tls_test_silent_listener (&port);
  config = config_for (port);
  config->timeout_s = 1;
  result = run_check (config);

  g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (result->reason, ==, "timed out after 1 s");
  g_assert_cmpfloat (result->timing.total_ms, >=, 900);
  g_assert_cmpfloat (result->timing.total_ms, <, 5000);
}

static void
test_cancel (void)
{
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(SmTlsCheckConfig) config = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };
  guint port;

  listener = tls_test_silent_listener (&port);
  config = config_for (port);
  sm_tls_check_run_async (config, cancellable, run_cb, &outcome);
  g_cancellable_cancel (cancellable);
  sm_test_wait_until (outcome.done);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.result);
  g_clear_error (&outcome.error);
}

static void
test_validate (void)
{
  g_autoptr(SmTlsCheckConfig) config = sm_tls_check_config_new ();
  g_autofree char *problem = NULL;

  problem = sm_tls_check_config_validate (config);
  g_assert_cmpstr (problem, ==, "host: no host given");
  g_clear_pointer (&problem, g_free);

  config->host = g_strdup ("example.org/path");
  problem = sm_tls_check_config_validate (config);
  g_assert_cmpstr (problem, ==, "host: not a host name or address");
  g_clear_pointer (&problem, g_free);

  g_free (config->host);
  config->host = g_strdup ("::1");
  g_assert_null (sm_tls_check_config_validate (config));

  config->crit_days = 20;
  problem = sm_tls_check_config_validate (config);
  g_assert_cmpstr (problem, ==, "crit_days: must not be more than warn_days");
  g_clear_pointer (&problem, g_free);
  config->crit_days = 3;

  config->timeout_s = 0;
  problem = sm_tls_check_config_validate (config);
  g_assert_cmpstr (problem, ==, "timeout_s: must be between 1 and 300");
  g_clear_pointer (&problem, g_free);
  config->timeout_s = 10;

  config->port = 70000;
  problem = sm_tls_check_config_validate (config);
  g_assert_cmpstr (problem, ==, "port: must be between 1 and 65535");
  g_clear_pointer (&problem, g_free);

  /* A run of an invalid config says why, as UNKNOWN. */
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UNKNOWN);
    g_assert_cmpstr (result->reason, ==, "port: must be between 1 and 65535");
  }
}

static void
test_describe_errors (void)
{
  g_autofree char *none = sm_tls_describe_errors (0, NULL);
  g_autofree char *both = sm_tls_describe_errors (G_TLS_CERTIFICATE_UNKNOWN_CA
                                                  | G_TLS_CERTIFICATE_BAD_IDENTITY, NULL);

  g_assert_null (none);
  g_assert_cmpstr (both, ==, "certificate not trusted, hostname mismatch");

  if (certs_dir != NULL)
    {
      g_autofree char *path = tls_test_cert_path (certs_dir, "self", ".pem");
      g_autoptr(GTlsCertificate) certificate = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *self = NULL;

      certificate = g_tls_certificate_new_from_file (path, &error);
      g_assert_no_error (error);
      self = sm_tls_describe_errors (G_TLS_CERTIFICATE_UNKNOWN_CA, certificate);
      g_assert_cmpstr (self, ==, "self-signed");
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tls_test_no_proxy ();

  certs_dir = tls_test_make_certs (&certs_missing);

  g_test_add_func ("/tls-check/valid", test_valid);
  g_test_add_func ("/tls-check/ca-file", test_ca_file);
  g_test_add_func ("/tls-check/expires-soon", test_expires_soon);
  g_test_add_func ("/tls-check/expired", test_expired);
  g_test_add_func ("/tls-check/self-signed", test_self_signed);
  g_test_add_func ("/tls-check/server-name", test_server_name);
  g_test_add_func ("/tls-check/connection-refused", test_connection_refused);
  g_test_add_func ("/tls-check/not-tls", test_not_tls);
  g_test_add_func ("/tls-check/timeout", test_timeout);
  g_test_add_func ("/tls-check/cancel", test_cancel);
  g_test_add_func ("/tls-check/validate", test_validate);
  g_test_add_func ("/tls-check/describe-errors", test_describe_errors);

  status = g_test_run ();

  sm_test_rmdir (certs_dir);
  g_free (certs_dir);
  g_free (certs_missing);
  return status;
}
