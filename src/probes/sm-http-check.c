/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-http-check.c: an HTTP(S) service check through libsoup 3.
 *
 * One run is one GTask with a SoupSession of its own (its own TLS
 * database when ca_file is set, no connection reuse between runs, so
 * that every run measures DNS, connect and TLS afresh). Redirects are
 * followed here, not by libsoup, so that the limit is ours and each hop
 * is a fresh message. The body is read in chunks and never kept beyond
 * max_response_bytes.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "sm-deadline.h"
#include "sm-http-check.h"
#include "sm-tls-check.h"

#define CHUNK_SIZE  16384

typedef struct {
  SmHttpCheckConfig    *config;
  GRegex               *regex;
  SoupSession          *session;
  SoupMessage          *message;        /* the current hop */
  GInputStream         *stream;
  GByteArray           *body;
  guint8               *chunk;
  char                 *method;         /* of the current hop */
  GBytes               *request_body;   /* of the current hop */
  guint                 redirects;
  GTlsCertificateFlags  tls_errors;
  GTlsCertificate      *peer;           /* seen in accept-certificate */
  gboolean              tls_rejected;
  SmDeadline            deadline;       /* ours: the deadline and the caller's */
  gboolean              at_end;         /* the body was read to its end */
  gint64                start_us;
} Run;

static const char * const methods[] = {
  "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
};

static void run_send (GTask *task,
                      GUri  *uri);

/* Config. */

SmHttpCheckConfig *
sm_http_check_config_new (void)
{
  SmHttpCheckConfig *config = g_new0 (SmHttpCheckConfig, 1);

  config->method = g_strdup ("GET");
  config->expect_status_min = SM_HTTP_CHECK_DEFAULT_STATUS_MIN;
  config->expect_status_max = SM_HTTP_CHECK_DEFAULT_STATUS_MAX;
  config->max_response_bytes = SM_HTTP_CHECK_DEFAULT_MAX_BYTES;
  config->timeout_s = SM_HTTP_CHECK_DEFAULT_TIMEOUT_S;
  config->follow_redirects = TRUE;
  config->verify_tls = TRUE;
  return config;
}

SmHttpCheckConfig *
sm_http_check_config_copy (const SmHttpCheckConfig *config)
{
  SmHttpCheckConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (SmHttpCheckConfig, 1);
  *copy = *config;
  copy->method = g_strdup (config->method);
  copy->url = g_strdup (config->url);
  copy->headers = g_strdupv (config->headers);
  copy->body = g_strdup (config->body);
  copy->keyword = g_strdup (config->keyword);
  copy->regex = g_strdup (config->regex);
  copy->ca_file = g_strdup (config->ca_file);
  return copy;
}

void
sm_http_check_config_free (SmHttpCheckConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->method);
  g_free (config->url);
  g_strfreev (config->headers);
  g_free (config->body);
  g_free (config->keyword);
  g_free (config->regex);
  g_free (config->ca_file);
  g_free (config);
}

static gboolean
is_token (const char *text,
          gsize       len)
{
  static const char separators[] = "()<>@,;:\\\"/[]?={} \t";

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      if (c <= 32 || c >= 127 || strchr (separators, c) != NULL)
        return FALSE;
    }
  return TRUE;
}

char *
sm_http_check_config_validate (const SmHttpCheckConfig *config)
{
  const char *method;
  gboolean known = FALSE;

  g_return_val_if_fail (config != NULL, NULL);

  method = config->method != NULL ? config->method : "GET";
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    known |= g_str_equal (method, methods[i]);
  if (!known)
    /* Translators: in every "%s: problem" message of the checks'
     * validators the first %s is a configuration field name (method,
     * url, timeout_s, …) that stays in English. */
    return g_strdup_printf (_("%s: must be one of %s"), "method",
                            "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");

  if (config->url == NULL || *config->url == '\0')
    return g_strdup_printf (_("%s: no URL given"), "url");
  {
    g_autoptr(GUri) uri = g_uri_parse (config->url, SOUP_HTTP_URI_FLAGS, NULL);
    const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

    if (uri == NULL)
      return g_strdup_printf (_("%s: not a valid URL"), "url");
    if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
      return g_strdup_printf (_("%s: must start with http:// or https://"), "url");
    if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
      return g_strdup_printf (_("%s: has no host"), "url");
  }

  for (guint i = 0; config->headers != NULL && config->headers[i] != NULL; i++)
    {
      const char *header = config->headers[i];
      const char *colon = strchr (header, ':');

      /* Headers carry tokens: they are named by number, never quoted. */
      if (colon == NULL || !is_token (header, colon - header))
        return g_strdup_printf (_("%s: line %u is not of the form 'Name: value'"),
                                "headers", i + 1);
      if (strpbrk (colon, "\r\n") != NULL)
        return g_strdup_printf (_("%s: line %u spans several lines"), "headers", i + 1);
    }

  if (config->expect_status_min < 100 || config->expect_status_min > 599
      || config->expect_status_max < 100 || config->expect_status_max > 599)
    return g_strdup_printf (_("%s: must be between %u and %u"), "expect_status", 100u, 599u);
  if (config->expect_status_min > config->expect_status_max)
    return g_strdup_printf (_("%s: the lowest status is above the highest"), "expect_status");

  if (config->keyword != NULL && *config->keyword == '\0')
    return g_strdup_printf (_("%s: is empty"), "keyword");

  if (config->regex != NULL)
    {
      g_autoptr(GRegex) regex = NULL;
      g_autoptr(GError) error = NULL;

      regex = g_regex_new (config->regex, G_REGEX_OPTIMIZE, 0, &error);
      if (regex == NULL)
        return g_strdup_printf (_("%s: does not compile: %s"), "regex", error->message);
    }

  if (config->max_response_bytes < SM_HTTP_CHECK_MIN_MAX_BYTES
      || config->max_response_bytes > SM_HTTP_CHECK_MAX_MAX_BYTES)
    /* Translators: the last two %s are sizes such as "1 KiB". */
    return g_strdup_printf (_("%s: must be between %s and %s"), "max_response_bytes",
                            "1 KiB", "64 MiB");

  if (config->timeout_s < SM_HTTP_CHECK_MIN_TIMEOUT_S
      || config->timeout_s > SM_HTTP_CHECK_MAX_TIMEOUT_S)
    return g_strdup_printf (_("%s: must be between %u and %u"), "timeout_s",
                            (guint) SM_HTTP_CHECK_MIN_TIMEOUT_S,
                            (guint) SM_HTTP_CHECK_MAX_TIMEOUT_S);

  if (config->ca_file != NULL && *config->ca_file == '\0')
    return g_strdup_printf (_("%s: is empty"), "ca_file");

  return NULL;
}

/* The run. */

static void
run_free (gpointer data)
{
  Run *run = data;

  g_assert (run->stream == NULL);

  g_clear_object (&run->message);
  g_clear_object (&run->peer);
  g_clear_object (&run->session);
  sm_deadline_clear (&run->deadline);
  g_clear_pointer (&run->regex, g_regex_unref);
  g_clear_pointer (&run->body, g_byte_array_unref);
  g_clear_pointer (&run->request_body, g_bytes_unref);
  g_free (run->chunk);
  g_free (run->method);
  sm_http_check_config_free (run->config);
  g_free (run);
}

/* Closes the body stream without leaving work behind on the context:
 * a body read to its end closes at once; one cut short (size cap,
 * timeout, error) is first torn down with the session, so that closing
 * it does not read the rest. */
static void
run_close_stream (Run      *run,
                  gboolean  at_end)
{
  if (run->stream == NULL)
    return;
  if (!at_end)
    soup_session_abort (run->session);
  g_input_stream_close (run->stream, NULL, NULL);
  g_clear_object (&run->stream);
}

static double
us_diff_ms (guint64 end,
            guint64 start)
{
  if (end == 0 || start == 0 || end < start)
    return NAN;
  return (double) (end - start) / 1000.0;
}

static void
record_timing (Run           *run,
               SmCheckResult *result)
{
  SoupMessageMetrics *metrics;
  guint64 tls_start;
  guint64 connect_end;

  if (run->message == NULL)
    return;
  metrics = soup_message_get_metrics (run->message);
  if (metrics == NULL)
    return;

  tls_start = soup_message_metrics_get_tls_start (metrics);
  connect_end = soup_message_metrics_get_connect_end (metrics);
  result->timing.dns_ms = us_diff_ms (soup_message_metrics_get_dns_end (metrics),
                                      soup_message_metrics_get_dns_start (metrics));
  result->timing.connect_ms = us_diff_ms (tls_start != 0 ? tls_start : connect_end,
                                          soup_message_metrics_get_connect_start (metrics));
  result->timing.tls_ms = us_diff_ms (connect_end, tls_start);
  result->timing.first_byte_ms = us_diff_ms (soup_message_metrics_get_response_start (metrics),
                                             soup_message_metrics_get_fetch_start (metrics));
}

static void
record_certificate (Run           *run,
                    SmCheckResult *result)
{
  GTlsCertificate *certificate = NULL;

  if (run->message != NULL)
    certificate = soup_message_get_tls_peer_certificate (run->message);
  if (certificate == NULL)
    certificate = run->peer;
  if (certificate != NULL)
    sm_tls_describe_certificate (result, certificate, g_get_real_time ());
  /* Also what verify_tls = FALSE let through. */
  if (run->tls_errors != 0)
    {
      g_autofree char *validation = sm_tls_describe_errors (run->tls_errors, certificate);

      sm_check_result_add_detail (result, "validation", validation);
    }
}

/* Hands result (transfer full) to the caller. If the caller cancelled,
 * GTask turns it into G_IO_ERROR_CANCELLED. */
static void
run_return (GTask         *task,
            SmCheckResult *result)
{
  Run *run = g_task_get_task_data (task);

  sm_deadline_stop (&run->deadline);
  run_close_stream (run, run->at_end);

  record_timing (run, result);
  record_certificate (run, result);
  result->timing.total_ms = (double) (g_get_monotonic_time () - run->start_us) / 1000.0;
  sm_check_result_add_metric (result, "latency_ms", result->timing.total_ms, "ms");
  /* The phases libsoup measured, so they are stored and charted too. */
  if (!isnan (result->timing.dns_ms))
    sm_check_result_add_metric (result, "dns_ms", result->timing.dns_ms, "ms");
  if (!isnan (result->timing.connect_ms))
    sm_check_result_add_metric (result, "connect_ms", result->timing.connect_ms, "ms");
  if (!isnan (result->timing.tls_ms))
    sm_check_result_add_metric (result, "tls_ms", result->timing.tls_ms, "ms");
  if (!isnan (result->timing.first_byte_ms))
    sm_check_result_add_metric (result, "first_byte_ms", result->timing.first_byte_ms, "ms");
  result->time_us = g_get_real_time ();
  g_task_return_pointer (task, result, (GDestroyNotify) sm_check_result_free);
}

static void
run_return_down (GTask      *task,
                 const char *reason)
{
  Run *run = g_task_get_task_data (task);
  SmCheckResult *result = sm_check_result_new (SM_CHECK_STATUS_DOWN, reason);

  if (run->message != NULL)
    result->http_status = soup_message_get_status (run->message);
  run_return (task, result);
}

/* The one problem that decides, most telling first. */
static const char *
tls_problem (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return _("TLS: certificate expired");
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return _("TLS: certificate not yet valid");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return _("TLS: hostname mismatch");
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return _("TLS: certificate not trusted");
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return _("TLS: certificate revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return _("TLS: insecure algorithm");
  return _("TLS: certificate invalid");
}

static gboolean
accept_certificate_cb (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Run *run = user_data;

  (void) message;

  g_set_object (&run->peer, certificate);
  run->tls_errors = errors;
  run->tls_rejected = run->config->verify_tls;
  return !run->config->verify_tls;
}

static char *
describe_send_error (Run          *run,
                     const GError *error)
{
  if (run->deadline.timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup_printf (_("timed out after %u s"), run->config->timeout_s);
  if (run->tls_rejected)
    return g_strdup (tls_problem (run->tls_errors));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup (_("connection refused"));
  if (error->domain == G_RESOLVER_ERROR)
    return g_strdup_printf (_("could not resolve host: %s"), error->message);
  if (error->domain == G_TLS_ERROR)
    return g_strdup_printf (_("TLS: %s"), error->message);
  return g_strdup (error->message);
}

/* Judging the response. */

static SmCheckResult *
judge (Run *run)
{
  const SmHttpCheckConfig *config = run->config;
  guint status = soup_message_get_status (run->message);
  g_autofree char *text = NULL;
  SmCheckResult *result;

  result = sm_check_result_new (SM_CHECK_STATUS_UP, NULL);
  result->http_status = status;

  if (status < config->expect_status_min || status > config->expect_status_max)
    {
      result->status = SM_CHECK_STATUS_DOWN;
      sm_check_result_set_reason (result, _("status %u"), status);
      return result;
    }

  text = run->body->len > 0
         ? g_utf8_make_valid ((const char *) run->body->data, run->body->len)
         : g_strdup ("");
  if (config->keyword != NULL)
    {
      gboolean found = strstr (text, config->keyword) != NULL;

      if (!found && !config->keyword_absent)
        {
          result->status = SM_CHECK_STATUS_DOWN;
          sm_check_result_set_reason (result, _("keyword '%s' not found"), config->keyword);
          return result;
        }
      if (found && config->keyword_absent)
        {
          result->status = SM_CHECK_STATUS_DOWN;
          sm_check_result_set_reason (result, _("keyword '%s' found"), config->keyword);
          return result;
        }
    }
  if (run->regex != NULL)
    {
      gboolean matched = g_regex_match (run->regex, text, 0, NULL);

      if (!matched && !config->regex_absent)
        {
          result->status = SM_CHECK_STATUS_DOWN;
          sm_check_result_set_reason (result, _("regex '%s' did not match"), config->regex);
          return result;
        }
      if (matched && config->regex_absent)
        {
          result->status = SM_CHECK_STATUS_DOWN;
          sm_check_result_set_reason (result, _("regex '%s' matched"), config->regex);
          return result;
        }
    }
  return result;
}

static void
read_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, &error);
  if (n < 0)
    {
      g_autofree char *reason = describe_send_error (run, error);

      run_return_down (task, reason);
      return;
    }
  if (n == 0)
    {
      run->at_end = TRUE;
      run_return (task, judge (run));
      return;
    }
  if (run->body->len + (gsize) n > run->config->max_response_bytes)
    {
      g_autofree char *reason =
        g_strdup_printf (_("response larger than %lu bytes"),
                         (gulong) run->config->max_response_bytes);

      run_return_down (task, reason);
      return;
    }
  g_byte_array_append (run->body, run->chunk, (guint) n);
  g_input_stream_read_async (run->stream, run->chunk, CHUNK_SIZE, G_PRIORITY_DEFAULT,
                             run->deadline.cancellable, read_cb, g_steal_pointer (&task));
}

static gboolean
is_redirect (guint status)
{
  return status == SOUP_STATUS_MOVED_PERMANENTLY
         || status == SOUP_STATUS_FOUND
         || status == SOUP_STATUS_SEE_OTHER
         || status == SOUP_STATUS_TEMPORARY_REDIRECT
         || status == SOUP_STATUS_PERMANENT_REDIRECT;
}

static void
send_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  const char *location;
  goffset length;
  guint status;

  run->stream = soup_session_send_finish (SOUP_SESSION (source), res, &error);
  if (run->stream == NULL)
    {
      g_autofree char *reason = describe_send_error (run, error);

      run_return_down (task, reason);
      return;
    }

  status = soup_message_get_status (run->message);
  headers = soup_message_get_response_headers (run->message);
  location = soup_message_headers_get_one (headers, "Location");
  if (run->config->follow_redirects && is_redirect (status) && location != NULL)
    {
      g_autoptr(GUri) target = NULL;
      const char *scheme;

      if (run->redirects >= SM_HTTP_CHECK_MAX_REDIRECTS)
        {
          run_return_down (task, _("too many redirects"));
          return;
        }
      target = g_uri_parse_relative (soup_message_get_uri (run->message), location,
                                     SOUP_HTTP_URI_FLAGS, NULL);
      scheme = target != NULL ? g_uri_get_scheme (target) : NULL;
      if (target == NULL
          || (g_ascii_strcasecmp (scheme, "http") != 0
              && g_ascii_strcasecmp (scheme, "https") != 0))
        {
          run_return_down (task, _("redirect to an invalid URL"));
          return;
        }
      run->redirects++;
      /* As browsers do: 303 always, 301 and 302 after a POST, go on
       * with a GET and no body. */
      if (status == SOUP_STATUS_SEE_OTHER
          || (status != SOUP_STATUS_TEMPORARY_REDIRECT
              && status != SOUP_STATUS_PERMANENT_REDIRECT
              && g_str_equal (run->method, "POST")))
        {
          if (!g_str_equal (run->method, "HEAD"))
            {
              g_free (run->method);
              run->method = g_strdup ("GET");
            }
          g_clear_pointer (&run->request_body, g_bytes_unref);
        }
      /* A redirect's body is not wanted. */
      run_close_stream (run, FALSE);
      run_send (g_steal_pointer (&task), target);
      return;
    }

  /* A HEAD's Content-Length is that of the GET it stands for. */
  length = g_str_equal (run->method, "HEAD")
           ? 0 : soup_message_headers_get_content_length (headers);
  if (length > 0 && (guint64) length > run->config->max_response_bytes)
    {
      g_autofree char *reason =
        g_strdup_printf (_("response larger than %lu bytes"),
                         (gulong) run->config->max_response_bytes);

      run_return_down (task, reason);
      return;
    }

  g_input_stream_read_async (run->stream, run->chunk, CHUNK_SIZE, G_PRIORITY_DEFAULT,
                             run->deadline.cancellable, read_cb, g_steal_pointer (&task));
}

static void
run_send (GTask *task,
          GUri  *uri)
{
  Run *run = g_task_get_task_data (task);
  SoupMessageHeaders *headers;
  const char *content_type = NULL;

  /* What an earlier hop's server presented does not count. */
  g_clear_object (&run->message);
  g_clear_object (&run->peer);
  run->tls_errors = 0;
  run->tls_rejected = FALSE;
  run->message = soup_message_new_from_uri (run->method, uri);
  soup_message_add_flags (run->message,
                          SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_COLLECT_METRICS);
  headers = soup_message_get_request_headers (run->message);
  for (guint i = 0; run->config->headers != NULL && run->config->headers[i] != NULL; i++)
    {
      const char *header = run->config->headers[i];
      const char *colon = strchr (header, ':');
      g_autofree char *name = g_strndup (header, colon - header);
      g_autofree char *value = g_strstrip (g_strdup (colon + 1));

      if (g_ascii_strcasecmp (name, "Content-Type") == 0)
        content_type = colon + 1;
      else
        soup_message_headers_append (headers, name, value);
    }
  if (run->request_body != NULL)
    {
      g_autofree char *type = content_type != NULL ? g_strstrip (g_strdup (content_type)) : NULL;

      soup_message_set_request_body_from_bytes (run->message,
                                                type != NULL ? type : "text/plain",
                                                run->request_body);
    }
  else if (content_type != NULL)
    {
      g_autofree char *type = g_strstrip (g_strdup (content_type));

      soup_message_headers_replace (headers, "Content-Type", type);
    }
  g_signal_connect (run->message, "accept-certificate",
                    G_CALLBACK (accept_certificate_cb), run);

  g_byte_array_set_size (run->body, 0);
  soup_session_send_async (run->session, run->message, G_PRIORITY_DEFAULT,
                           run->deadline.cancellable, send_cb, task);
}

void
sm_http_check_run_async (const SmHttpCheckConfig *config,
                         GCancellable            *cancellable,
                         GAsyncReadyCallback      callback,
                         gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *user_agent = NULL;
  Run *run;

  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_http_check_run_async);

  run = g_new0 (Run, 1);
  run->config = sm_http_check_config_copy (config);
  run->start_us = g_get_monotonic_time ();
  run->body = g_byte_array_new ();
  run->chunk = g_malloc (CHUNK_SIZE);
  run->method = g_strdup (config->method != NULL ? config->method : "GET");
  g_task_set_task_data (task, run, run_free);

  problem = sm_http_check_config_validate (run->config);
  if (problem != NULL)
    {
      SmCheckResult *result = sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, problem);

      run_return (task, result);
      return;
    }
  if (run->config->regex != NULL)
    run->regex = g_regex_new (run->config->regex, G_REGEX_OPTIMIZE, 0, NULL);
  if (run->config->body != NULL)
    run->request_body = g_bytes_new (run->config->body, strlen (run->config->body));

  user_agent = g_strdup_printf ("StatusMonitor/%s", PACKAGE_VERSION);
  run->session = soup_session_new_with_options ("timeout", run->config->timeout_s,
                                                "user-agent", user_agent,
                                                NULL);
  if (run->config->ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = NULL;
      g_autoptr(GError) error = NULL;

      database = g_tls_file_database_new (run->config->ca_file, &error);
      if (database == NULL)
        {
          SmCheckResult *result =
            sm_check_result_new (SM_CHECK_STATUS_UNKNOWN, NULL);

          sm_check_result_set_reason (result, "ca_file: %s", error->message);
          run_return (task, result);
          return;
        }
      soup_session_set_tls_database (run->session, database);
    }

  sm_deadline_start (&run->deadline, run->config->timeout_s, cancellable);

  uri = g_uri_parse (run->config->url, SOUP_HTTP_URI_FLAGS, NULL);
  run_send (g_steal_pointer (&task), uri);
}

SmCheckResult *
sm_http_check_run_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, sm_http_check_run_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
