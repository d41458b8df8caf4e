/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-http-check.c: the HTTP check against SoupServers on 127.0.0.1
 * (plain HTTP with a scripted handler, and HTTPS with certificates the
 * test makes with the openssl CLI). Nothing leaves loopback.
 */
#include "config.h"

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "sm-http-check.h"
#include "sm-test-util.h"
#include "tls-test-util.h"

#define LARGE_SIZE       (2 * 1024 * 1024)
#define SLOW_UNPAUSE_MS  5000

/* Made once in main (), shared by all tests. */
static char *certs_dir;
static char *certs_missing;

typedef struct {
  SoupServer        *server;
  char              *base;
  /* The last request to /echo. */
  char              *method;
  char              *body;
  char              *x_test;
  char              *content_type;
  char              *user_agent;
  guint              echo_count;
  /* A request to /slow, paused until the timer fires. */
  SoupServerMessage *slow;
  guint              slow_id;
  /* A request to /endless: chunks until the client goes away. */
  gboolean           endless_finished;
  gsize              endless_written;
} Fixture;

typedef struct {
  gboolean       done;
  SmCheckResult *result;
  GError        *error;
} Outcome;

/* The server. */

static gboolean
unpause_cb (gpointer user_data)
{
  Fixture *fixture = user_data;

  soup_server_message_set_status (fixture->slow, SOUP_STATUS_OK, NULL);
  soup_server_message_unpause (fixture->slow);
  g_clear_object (&fixture->slow);
  fixture->slow_id = 0;
  return G_SOURCE_REMOVE;
}

static void
reply_text (SoupServerMessage *msg,
            guint              status,
            const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
redirect (SoupServerMessage *msg,
          guint              status,
          const char        *location)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Location", location);
}

static const char endless_chunk[32 * 1024] = { 'z' };

static void
endless_wrote_chunk_cb (SoupServerMessage *msg,
                        gpointer           user_data)
{
  Fixture *fixture = user_data;

  fixture->endless_written += sizeof endless_chunk;
  soup_message_body_append (soup_server_message_get_response_body (msg),
                            SOUP_MEMORY_STATIC, endless_chunk, sizeof endless_chunk);
}

static void
endless_finished_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  Fixture *fixture = user_data;

  (void) msg;

  fixture->endless_finished = TRUE;
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *fixture = user_data;

  (void) server;
  (void) query;

  if (g_str_has_prefix (path, "/status/"))
    {
      reply_text (msg, (guint) g_ascii_strtoull (path + strlen ("/status/"), NULL, 10),
                  "status page");
    }
  else if (g_str_equal (path, "/ok"))
    {
      reply_text (msg, SOUP_STATUS_OK, "all ok here");
    }
  else if (g_str_equal (path, "/error"))
    {
      reply_text (msg, SOUP_STATUS_OK, "error: disk full");
    }
  else if (g_str_equal (path, "/redirect"))
    {
      redirect (msg, SOUP_STATUS_FOUND, "/ok");
    }
  else if (g_str_equal (path, "/loop"))
    {
      redirect (msg, SOUP_STATUS_FOUND, "/loop");
    }
  else if (g_str_has_prefix (path, "/hops/"))
    {
      guint64 left = g_ascii_strtoull (path + strlen ("/hops/"), NULL, 10);

      if (left == 0)
        {
          reply_text (msg, SOUP_STATUS_OK, "arrived");
        }
      else
        {
          g_autofree char *next = g_strdup_printf ("/hops/%" G_GUINT64_FORMAT, left - 1);

          redirect (msg, SOUP_STATUS_MOVED_PERMANENTLY, next);
        }
    }
  else if (g_str_equal (path, "/see-other"))
    {
      redirect (msg, SOUP_STATUS_SEE_OTHER, "/echo");
    }
  else if (g_str_equal (path, "/slow"))
    {
      g_assert_null (fixture->slow);
      fixture->slow = g_object_ref (msg);
      soup_server_message_pause (msg);
      fixture->slow_id = g_timeout_add (SLOW_UNPAUSE_MS, unpause_cb, fixture);
    }
  else if (g_str_equal (path, "/large"))
    {
      char *data = g_malloc (LARGE_SIZE);

      memset (data, 'x', LARGE_SIZE);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE, data, LARGE_SIZE);
    }
  else if (g_str_equal (path, "/large-chunked"))
    {
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      char chunk[64 * 1024];

      memset (chunk, 'y', sizeof chunk);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                         SOUP_ENCODING_CHUNKED);
      for (guint i = 0; i < LARGE_SIZE / sizeof chunk; i++)
        soup_message_body_append (body, SOUP_MEMORY_COPY, chunk, sizeof chunk);
      soup_message_body_complete (body);
    }
  else if (g_str_equal (path, "/endless"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                         SOUP_ENCODING_CHUNKED);
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (endless_wrote_chunk_cb), fixture);
      g_signal_connect (msg, "finished", G_CALLBACK (endless_finished_cb), fixture);
      soup_message_body_append (soup_server_message_get_response_body (msg),
                                SOUP_MEMORY_STATIC, endless_chunk, sizeof endless_chunk);
    }
  else if (g_str_equal (path, "/echo"))
    {
      SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
      g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

      g_free (fixture->method);
      g_free (fixture->body);
      g_free (fixture->x_test);
      g_free (fixture->content_type);
      g_free (fixture->user_agent);
      fixture->method = g_strdup (soup_server_message_get_method (msg));
      fixture->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      fixture->x_test = g_strdup (soup_message_headers_get_one (headers, "X-Test"));
      fixture->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
      fixture->user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
      fixture->echo_count++;
      reply_text (msg, SOUP_STATUS_OK, "echoed");
    }
  else
    {
      reply_text (msg, SOUP_STATUS_NOT_FOUND, "not here");
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  (void) user_data;

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handler_cb, fixture, NULL);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%u",
                                   tls_test_listen (fixture->server, FALSE));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  (void) user_data;

  /* The slow request is never answered once its client has gone. */
  g_clear_handle_id (&fixture->slow_id, g_source_remove);
  g_clear_object (&fixture->slow);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->base);
  g_free (fixture->method);
  g_free (fixture->body);
  g_free (fixture->x_test);
  g_free (fixture->content_type);
  g_free (fixture->user_agent);
}

/* Running checks. */

static void
run_cb (GObject      *source,
        GAsyncResult *res,
        gpointer      user_data)
{
  Outcome *outcome = user_data;

  (void) source;

  outcome->result = sm_http_check_run_finish (res, &outcome->error);
  outcome->done = TRUE;
}

static SmCheckResult *
run_check (const SmHttpCheckConfig *config)
{
  Outcome outcome = { 0 };

  sm_http_check_run_async (config, NULL, run_cb, &outcome);
  sm_test_wait_until (outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_nonnull (outcome.result);
  g_assert_false (isnan (outcome.result->timing.total_ms));
  g_assert_cmpfloat (sm_check_result_get_metric (outcome.result, "latency_ms"), ==,
                     outcome.result->timing.total_ms);
  return outcome.result;
}

static SmHttpCheckConfig *
config_for (Fixture    *fixture,
            const char *path)
{
  SmHttpCheckConfig *config = sm_http_check_config_new ();

  config->url = g_strconcat (fixture->base, path, NULL);
  return config;
}

/* Runs a GET of path with the defaults. */
static SmCheckResult *
get (Fixture    *fixture,
     const char *path)
{
  g_autoptr(SmHttpCheckConfig) config = config_for (fixture, path);

  return run_check (config);
}

static void
assert_result (const SmCheckResult *result,
               SmCheckStatus        status,
               const char          *reason)
{
  g_assert_cmpstr (sm_check_status_to_string (result->status), ==,
                   sm_check_status_to_string (status));
  g_assert_cmpstr (result->reason, ==, reason);
}

/* Plain HTTP. */

static void
test_status (Fixture       *fixture,
             gconstpointer  user_data)
{
  (void) user_data;

  {
    g_autoptr(SmCheckResult) result = get (fixture, "/ok");

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
    g_assert_cmpuint (result->http_status, ==, 200);
    g_assert_false (isnan (result->timing.connect_ms));
    g_assert_false (isnan (result->timing.first_byte_ms));
    /* Plain HTTP has no handshake. */
    g_assert_true (isnan (result->timing.tls_ms));
    g_assert_null (sm_check_result_get_detail (result, "issuer"));
  }
  {
    g_autoptr(SmCheckResult) result = get (fixture, "/status/503");

    assert_result (result, SM_CHECK_STATUS_DOWN, "status 503");
    g_assert_cmpuint (result->http_status, ==, 503);
  }
  {
    g_autoptr(SmCheckResult) result = get (fixture, "/nowhere");

    assert_result (result, SM_CHECK_STATUS_DOWN, "status 404");
  }
}

static void
test_status_range (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SmHttpCheckConfig) config = config_for (fixture, "/status/503");

  (void) user_data;

  config->expect_status_min = 500;
  config->expect_status_max = 503;
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
    g_assert_cmpuint (result->http_status, ==, 503);
  }

  g_free (config->url);
  config->url = g_strconcat (fixture->base, "/status/204", NULL);
  config->expect_status_min = config->expect_status_max = 200;
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "status 204");
  }
}

static void
test_keyword (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SmHttpCheckConfig) config = config_for (fixture, "/ok");

  (void) user_data;

  config->keyword = g_strdup ("ok");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
  }

  g_free (config->keyword);
  config->keyword = g_strdup ("healthy");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "keyword 'healthy' not found");
    g_assert_cmpuint (result->http_status, ==, 200);
  }

  /* Must be absent. */
  config->keyword_absent = TRUE;
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
  }
  g_free (config->url);
  config->url = g_strconcat (fixture->base, "/error", NULL);
  g_free (config->keyword);
  config->keyword = g_strdup ("error");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "keyword 'error' found");
  }
}

static void
test_regex (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(SmHttpCheckConfig) config = config_for (fixture, "/ok");

  (void) user_data;

  config->regex = g_strdup ("^all \\w+ here$");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
  }

  g_free (config->regex);
  config->regex = g_strdup ("^ok");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "regex '^ok' did not match");
  }

  g_free (config->url);
  config->url = g_strconcat (fixture->base, "/error", NULL);
  g_free (config->regex);
  config->regex = g_strdup ("disk (full|gone)");
  config->regex_absent = TRUE;
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "regex 'disk (full|gone)' matched");
  }
}

static void
test_redirects (Fixture       *fixture,
                gconstpointer  user_data)
{
  (void) user_data;

  {
    g_autoptr(SmHttpCheckConfig) config = config_for (fixture, "/redirect");
    g_autoptr(SmCheckResult) result = NULL;

    config->keyword = g_strdup ("all ok");
    result = run_check (config);
    assert_result (result, SM_CHECK_STATUS_UP, NULL);
    g_assert_cmpuint (result->http_status, ==, 200);
  }
  {
    /* Five are allowed, the sixth is too many. */
    g_autoptr(SmCheckResult) five = get (fixture, "/hops/5");
    g_autoptr(SmCheckResult) six = get (fixture, "/hops/6");

    assert_result (five, SM_CHECK_STATUS_UP, NULL);
    assert_result (six, SM_CHECK_STATUS_DOWN, "too many redirects");
  }
  {
    g_autoptr(SmCheckResult) result = get (fixture, "/loop");

    assert_result (result, SM_CHECK_STATUS_DOWN, "too many redirects");
    g_assert_cmpuint (result->http_status, ==, 302);
  }
  {
    /* Not followed: the 302 itself is judged. */
    g_autoptr(SmHttpCheckConfig) config = config_for (fixture, "/redirect");

    config->follow_redirects = FALSE;
    {
      g_autoptr(SmCheckResult) result = run_check (config);

      assert_result (result, SM_CHECK_STATUS_UP, NULL);
      g_assert_cmpuint (result->http_status, ==, 302);
    }
    config->expect_status_max = 299;
    {
      g_autoptr(SmCheckResult) result = run_check (config);

      assert_result (result, SM_CHECK_STATUS_DOWN, "status 302");
    }
  }
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SmHttpCheckConfig) config = config_for (fixture, "/slow");
  g_autoptr(SmCheckResult) result = NULL;

  (void) user_data;

  config->timeout_s = 1;
  result = run_check (config);

  assert_result (result, SM_CHECK_STATUS_DOWN, "timed out after 1 s");
  g_assert_nonnull (fixture->slow);
  g_assert_cmpfloat (result->timing.total_ms, >=, 900);
  g_assert_cmpfloat (result->timing.total_ms, <, SLOW_UNPAUSE_MS);
}

static void
test_large (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(SmHttpCheckConfig) config = config_for (fixture, "/large");

  (void) user_data;

  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "response larger than 1048576 bytes");
    g_assert_cmpuint (result->http_status, ==, 200);
  }

  /* A HEAD has no body, whatever its Content-Length says. */
  g_free (config->method);
  config->method = g_strdup ("HEAD");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
  }
  g_free (config->method);
  config->method = g_strdup ("GET");

  /* No Content-Length: reading stops at the cap. */
  g_free (config->url);
  config->url = g_strconcat (fixture->base, "/large-chunked", NULL);
  config->max_response_bytes = 100 * 1024;
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "response larger than 102400 bytes");
  }

  /* A body without end: the check stops at the cap and hangs up, it
   * does not drain the rest. */
  g_free (config->url);
  config->url = g_strconcat (fixture->base, "/endless", NULL);
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "response larger than 102400 bytes");
    sm_test_wait_until (fixture->endless_finished);
    g_test_message ("endless: %zu bytes written", fixture->endless_written);
    g_assert_cmpuint (fixture->endless_written, <, 64 * 1024 * 1024);
  }

  g_free (config->url);
  config->url = g_strconcat (fixture->base, "/large-chunked", NULL);
  config->max_response_bytes = 4 * 1024 * 1024;
  config->keyword = g_strdup ("yyy");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
  }
}

static void
test_methods (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SmHttpCheckConfig) config = config_for (fixture, "/echo");
  const char * const headers[] = {
    "X-Test: yes please",
    "Content-Type: application/json",
    NULL,
  };

  (void) user_data;

  g_free (config->method);
  config->method = g_strdup ("HEAD");
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
    g_assert_cmpstr (fixture->method, ==, "HEAD");
    g_assert_true (g_str_has_prefix (fixture->user_agent, "StatusMonitor/"));
  }

  g_free (config->method);
  config->method = g_strdup ("POST");
  config->body = g_strdup ("{\"ping\": 1}");
  config->headers = g_strdupv ((char **) headers);
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
    g_assert_cmpstr (fixture->method, ==, "POST");
    g_assert_cmpstr (fixture->body, ==, "{\"ping\": 1}");
    g_assert_cmpstr (fixture->x_test, ==, "yes please");
    g_assert_cmpstr (fixture->content_type, ==, "application/json");
  }

  /* A 303 after a POST goes on as a GET without the body. */
  g_free (config->url);
  config->url = g_strconcat (fixture->base, "/see-other", NULL);
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
    g_assert_cmpstr (fixture->method, ==, "GET");
    g_assert_cmpstr (fixture->body, ==, "");
    g_assert_cmpstr (fixture->x_test, ==, "yes please");
  }

  g_free (config->method);
  config->method = g_strdup ("PUT");
  g_free (config->url);
  config->url = g_strconcat (fixture->base, "/echo", NULL);
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
    g_assert_cmpstr (fixture->method, ==, "PUT");
    g_assert_cmpstr (fixture->body, ==, "{\"ping\": 1}");
  }
  g_assert_cmpuint (fixture->echo_count, ==, 4);
}

/* A run from a worker thread with a main context of its own: the
 * callback comes back on that context, in that thread. */
typedef struct {
  char          *url;
  GMainContext  *context;
  gboolean       on_context;
  SmCheckResult *result;
  gint           done;
} ThreadRun;

static void
thread_run_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  ThreadRun *run = user_data;

  (void) source;

  run->on_context = g_main_context_get_thread_default () == run->context;
  run->result = sm_http_check_run_finish (res, NULL);
  g_atomic_int_set (&run->done, 1);
}

static gpointer
thread_main (gpointer user_data)
{
  ThreadRun *run = user_data;
  g_autoptr(SmHttpCheckConfig) config = sm_http_check_config_new ();

  config->url = g_strdup (run->url);
  config->keyword = g_strdup ("all ok");
  g_main_context_push_thread_default (run->context);
  sm_http_check_run_async (config, NULL, thread_run_cb, run);
  g_clear_pointer (&config, sm_http_check_config_free);
  while (!g_atomic_int_get (&run->done))
    g_main_context_iteration (run->context, TRUE);
  /* What libsoup still has queued to let go of the message. */
  while (g_main_context_pending (run->context))
    g_main_context_iteration (run->context, FALSE);
  g_main_context_pop_thread_default (run->context);
  return NULL;
}

static void
test_thread (Fixture       *fixture,
             gconstpointer  user_data)
{
  ThreadRun run = { 0 };
  GThread *thread;

  (void) user_data;

  run.url = g_strconcat (fixture->base, "/ok", NULL);
  run.context = g_main_context_new ();
  thread = g_thread_new ("http-check", thread_main, &run);
  /* The server answers from this thread's default context. */
  sm_test_wait_until (g_atomic_int_get (&run.done));
  g_thread_join (thread);

  g_assert_true (run.on_context);
  g_assert_nonnull (run.result);
  assert_result (run.result, SM_CHECK_STATUS_UP, NULL);
  sm_check_result_free (run.result);
  g_main_context_unref (run.context);
  g_free (run.url);
}

static void
test_connection_refused (void)
{
  g_autoptr(SmHttpCheckConfig) config = sm_http_check_config_new ();
  g_autoptr(SmCheckResult) result = NULL;

  config->url = g_strdup_printf ("http://127.0.0.1:%u/", tls_test_closed_port ());
  result = run_check (config);
  assert_result (result, SM_CHECK_STATUS_DOWN, "connection refused");
  g_assert_cmpuint (result->http_status, ==, 0);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(SmHttpCheckConfig) config = config_for (fixture, "/slow");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome outcome = { 0 };

  (void) user_data;

  sm_http_check_run_async (config, cancellable, run_cb, &outcome);
  sm_test_wait_until (fixture->slow != NULL);
  g_cancellable_cancel (cancellable);
  sm_test_wait_until (outcome.done);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.result);
  g_clear_error (&outcome.error);
}

static void
assert_invalid (SmHttpCheckConfig *config,
                const char        *expected)
{
  g_autofree char *problem = sm_http_check_config_validate (config);

  g_assert_cmpstr (problem, ==, expected);
}

static void
test_validate (void)
{
  g_autoptr(SmHttpCheckConfig) config = sm_http_check_config_new ();
  const char * const bad_headers[] = { "X-Fine: yes", "Authorization Bearer s3cret", NULL };

  assert_invalid (config, "url: no URL given");
  config->url = g_strdup ("not a url");
  assert_invalid (config, "url: not a valid URL");
  g_free (config->url);
  config->url = g_strdup ("ftp://127.0.0.1/");
  assert_invalid (config, "url: must start with http:// or https://");
  g_free (config->url);
  config->url = g_strdup ("https://127.0.0.1:8443/health");
  assert_invalid (config, NULL);

  g_free (config->method);
  config->method = g_strdup ("BREW");
  assert_invalid (config, "method: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  g_free (config->method);
  config->method = g_strdup ("OPTIONS");
  assert_invalid (config, NULL);

  config->regex = g_strdup ("(unclosed");
  {
    g_autofree char *problem = sm_http_check_config_validate (config);

    g_assert_nonnull (problem);
    g_assert_true (g_str_has_prefix (problem, "regex: does not compile: "));
    /* GRegex's own words follow. */
    g_assert_cmpuint (strlen (problem), >, strlen ("regex: does not compile: "));
  }
  g_clear_pointer (&config->regex, g_free);

  config->expect_status_min = 99;
  assert_invalid (config, "expect_status: must be between 100 and 599");
  config->expect_status_min = 300;
  config->expect_status_max = 600;
  assert_invalid (config, "expect_status: must be between 100 and 599");
  config->expect_status_max = 299;
  assert_invalid (config, "expect_status: the lowest status is above the highest");
  config->expect_status_min = 200;

  config->timeout_s = 0;
  assert_invalid (config, "timeout_s: must be between 1 and 300");
  config->timeout_s = 301;
  assert_invalid (config, "timeout_s: must be between 1 and 300");
  config->timeout_s = 300;
  assert_invalid (config, NULL);

  config->max_response_bytes = 1023;
  assert_invalid (config, "max_response_bytes: must be between 1 KiB and 64 MiB");
  config->max_response_bytes = 64 * 1024 * 1024 + 1;
  assert_invalid (config, "max_response_bytes: must be between 1 KiB and 64 MiB");
  config->max_response_bytes = 1024;

  config->headers = g_strdupv ((char **) bad_headers);
  /* Named by number: a header may hold a token. */
  assert_invalid (config, "headers: line 2 is not of the form 'Name: value'");
  g_clear_pointer (&config->headers, g_strfreev);

  assert_invalid (config, NULL);

  /* A run of an invalid config says why, as UNKNOWN, without a request. */
  config->timeout_s = 0;
  {
    g_autoptr(SmCheckResult) result = run_check (config);

    assert_result (result, SM_CHECK_STATUS_UNKNOWN, "timeout_s: must be between 1 and 300");
  }
}

/* HTTPS. */

typedef struct {
  SoupServer        *server;
  SmHttpCheckConfig *config;
} Https;

static gboolean
https_start (Https      *https,
             const char *name)
{
  guint port;

  if (certs_dir == NULL)
    {
      g_test_skip (certs_missing);
      return FALSE;
    }
  https->server = tls_test_server_new (certs_dir, name, &port);
  https->config = sm_http_check_config_new ();
  https->config->url = g_strdup_printf ("https://127.0.0.1:%u/", port);
  return TRUE;
}

static void
https_stop (Https *https)
{
  g_clear_pointer (&https->config, sm_http_check_config_free);
  g_clear_object (&https->server);
}

static void
test_https_valid (void)
{
  Https https = { 0 };

  if (!https_start (&https, "good"))
    return;

  https.config->ca_file = tls_test_cert_path (certs_dir, "ca", ".pem");
  https.config->keyword = g_strdup ("hello over TLS");
  {
    g_autoptr(SmCheckResult) result = run_check (https.config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
    g_assert_cmpuint (result->http_status, ==, 200);
    g_assert_nonnull (strstr (sm_check_result_get_detail (result, "issuer"),
                              "Status Monitor Test CA"));
    g_assert_nonnull (strstr (sm_check_result_get_detail (result, "subject"), "localhost"));
    g_assert_nonnull (sm_check_result_get_detail (result, "not_after"));
    g_assert_cmpfloat_with_epsilon (sm_check_result_get_metric (result, "tls.days_left"),
                                    30, 1);
    g_assert_false (isnan (result->timing.tls_ms));
    g_assert_false (isnan (result->timing.connect_ms));
  }

  /* Without the test CA, the system's trust does not know it. */
  g_clear_pointer (&https.config->ca_file, g_free);
  {
    g_autoptr(SmCheckResult) result = run_check (https.config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "TLS: certificate not trusted");
    /* What was wrong is still shown. */
    g_assert_nonnull (sm_check_result_get_detail (result, "issuer"));
  }

  /* Unless nobody asked. */
  https.config->verify_tls = FALSE;
  {
    g_autoptr(SmCheckResult) result = run_check (https.config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
  }
  https_stop (&https);
}

static void
test_https_expired (void)
{
  Https https = { 0 };

  if (!https_start (&https, "expired"))
    return;

  https.config->ca_file = tls_test_cert_path (certs_dir, "ca", ".pem");
  {
    g_autoptr(SmCheckResult) result = run_check (https.config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "TLS: certificate expired");
    g_assert_cmpfloat (sm_check_result_get_metric (result, "tls.days_left"), <, -365);
  }
  https_stop (&https);
}

static void
test_https_self_signed (void)
{
  Https https = { 0 };

  if (!https_start (&https, "self"))
    return;

  {
    g_autoptr(SmCheckResult) result = run_check (https.config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "TLS: certificate not trusted");
  }
  https.config->verify_tls = FALSE;
  {
    g_autoptr(SmCheckResult) result = run_check (https.config);

    assert_result (result, SM_CHECK_STATUS_UP, NULL);
    g_assert_nonnull (strstr (sm_check_result_get_detail (result, "issuer"), "Self Signed Test"));
    /* Let through, but not forgotten. */
    g_assert_cmpstr (sm_check_result_get_detail (result, "validation"), ==, "self-signed");
  }
  https_stop (&https);
}

static void
test_https_hostname (void)
{
  Https https = { 0 };

  if (!https_start (&https, "other"))
    return;

  https.config->ca_file = tls_test_cert_path (certs_dir, "ca", ".pem");
  {
    g_autoptr(SmCheckResult) result = run_check (https.config);

    assert_result (result, SM_CHECK_STATUS_DOWN, "TLS: hostname mismatch");
  }
  https_stop (&https);
}

static void
test_https_bad_ca_file (void)
{
  Https https = { 0 };

  if (!https_start (&https, "good"))
    return;

  https.config->ca_file = tls_test_cert_path (certs_dir, "missing", ".pem");
  {
    g_autoptr(SmCheckResult) result = run_check (https.config);

    g_assert_cmpint (result->status, ==, SM_CHECK_STATUS_UNKNOWN);
    g_assert_true (g_str_has_prefix (result->reason, "ca_file: "));
  }
  https_stop (&https);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tls_test_no_proxy ();

  certs_dir = tls_test_make_certs (&certs_missing);

#define ADD(path, func) \
  g_test_add ("/http-check/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("status", test_status);
  ADD ("status-range", test_status_range);
  ADD ("keyword", test_keyword);
  ADD ("regex", test_regex);
  ADD ("redirects", test_redirects);
  ADD ("timeout", test_timeout);
  ADD ("large", test_large);
  ADD ("methods", test_methods);
  ADD ("cancel", test_cancel);
  ADD ("thread", test_thread);
#undef ADD
  g_test_add_func ("/http-check/connection-refused", test_connection_refused);
  g_test_add_func ("/http-check/validate", test_validate);
  g_test_add_func ("/http-check/https/valid", test_https_valid);
  g_test_add_func ("/http-check/https/expired", test_https_expired);
  g_test_add_func ("/http-check/https/self-signed", test_https_self_signed);
  g_test_add_func ("/http-check/https/hostname", test_https_hostname);
  g_test_add_func ("/http-check/https/bad-ca-file", test_https_bad_ca_file);

  status = g_test_run ();

  sm_test_rmdir (certs_dir);
  g_free (certs_dir);
  g_free (certs_missing);
  return status;
}
