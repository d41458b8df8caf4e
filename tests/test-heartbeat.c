/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-heartbeat.c: the heartbeat listener on 127.0.0.1 (port 0), hit by
 * curl and by a SoupSession, and the deadline helper. Nothing here leaves
 * the loopback interface (curl and the session are told to use no proxy).
 */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sm-heartbeat-server.h"
#include "sm-test-util.h"

#define CHECK_ID  42
#define API_KEY   "k3y-for-tests"

typedef struct {
  char   *kind;
  gint64  check_id;
  char   *status;
  char   *message;
} Event;

typedef struct {
  SmHeartbeatServer *server;
  SoupSession       *session;
  char              *base;
  char              *token;
  GPtrArray         *events;
} Fixture;

static void
event_free (gpointer data)
{
  Event *event = data;

  g_free (event->kind);
  g_free (event->status);
  g_free (event->message);
  g_free (event);
}

static void
record (Fixture    *fixture,
        const char *kind,
        gint64      check_id,
        const char *status,
        const char *message)
{
  Event *event = g_new0 (Event, 1);

  event->kind = g_strdup (kind);
  event->check_id = check_id;
  event->status = g_strdup (status);
  event->message = g_strdup (message);
  g_ptr_array_add (fixture->events, event);
}

static void
heartbeat_cb (SmHeartbeatServer *server,
              gint64             check_id,
              const char        *status,
              const char        *message,
              gpointer           user_data)
{
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  record (user_data, "heartbeat", check_id, status, message);
}

static void
report_cb (SmHeartbeatServer *server,
           gint64             check_id,
           const char        *status,
           const char        *message,
           gpointer           user_data)
{
  g_assert_nonnull (status);
  g_assert_nonnull (message);
  record (user_data, "report", check_id, status, message);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  guint port;

  fixture->events = g_ptr_array_new_with_free_func (event_free);
  fixture->server = sm_heartbeat_server_new ();
  g_signal_connect (fixture->server, "heartbeat", G_CALLBACK (heartbeat_cb), fixture);
  g_signal_connect (fixture->server, "report", G_CALLBACK (report_cb), fixture);
  g_assert_true (sm_heartbeat_server_listen (fixture->server, NULL, 0, &error));
  g_assert_no_error (error);
  port = sm_heartbeat_server_get_port (fixture->server);
  g_assert_cmpuint (port, >, 0);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%u", port);
  fixture->token = sm_heartbeat_new_token ();
  sm_heartbeat_server_add_check (fixture->server, fixture->token, CHECK_ID);

  fixture->session = soup_session_new ();
  soup_session_set_proxy_resolver (fixture->session, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  g_assert_finalize_object (fixture->server);
  g_free (fixture->base);
  g_free (fixture->token);
  g_ptr_array_unref (fixture->events);
}

/* Clients. */

typedef struct {
  gboolean  done;
  GBytes   *body;
  GError   *error;
  char     *stdout_text;
} Pending;

static void
session_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pending *pending = user_data;

  pending->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                     &pending->error);
  pending->done = TRUE;
}

/* A request through the SoupSession; returns the status, *out_retry_after
 * the Retry-After header. */
static guint
soup_request (Fixture     *fixture,
              const char  *method,
              const char  *path,
              const char  *content_type,
              const char  *body,
              gsize        body_len,
              const char  *api_key,
              char       **out_retry_after)
{
  g_autofree char *url = g_strconcat (fixture->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  Pending pending = { 0 };
  guint status;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  if (api_key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-API-Key", api_key);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    session_done_cb, &pending);
  sm_test_wait_until (pending.done);
  g_assert_no_error (pending.error);
  g_bytes_unref (pending.body);
  status = soup_message_get_status (msg);
  if (out_retry_after != NULL)
    *out_retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                               "Retry-After"));
  return status;
}

static void
curl_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pending *pending = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                        &pending->stdout_text, NULL, &pending->error);
  pending->done = TRUE;
}

/* curl with the arguments (NULL-terminated, the URL path last, made
 * absolute here); returns the HTTP status. */
static guint
curl (Fixture    *fixture,
      const char *first,
      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Pending pending = { 0 };
  const char *last = NULL;
  va_list args;
  guint status;

  g_ptr_array_add (argv, g_strdup ("curl"));
  g_ptr_array_add (argv, g_strdup ("--silent"));
  g_ptr_array_add (argv, g_strdup ("--noproxy"));
  g_ptr_array_add (argv, g_strdup ("*"));
  g_ptr_array_add (argv, g_strdup ("--max-time"));
  g_ptr_array_add (argv, g_strdup ("10"));
  g_ptr_array_add (argv, g_strdup ("--output"));
  g_ptr_array_add (argv, g_strdup ("/dev/null"));
  g_ptr_array_add (argv, g_strdup ("--write-out"));
  g_ptr_array_add (argv, g_strdup ("%{http_code}"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    {
      if (last != NULL)
        g_ptr_array_add (argv, g_strdup (last));
      last = arg;
    }
  va_end (args);
  g_assert_nonnull (last);
  g_ptr_array_add (argv, g_strconcat (fixture->base, last, NULL));
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, curl_done_cb, &pending);
  sm_test_wait_until (pending.done);
  g_assert_no_error (pending.error);
  status = (guint) g_ascii_strtoull (pending.stdout_text, NULL, 10);
  g_free (pending.stdout_text);
  return status;
}

static gboolean
have_curl (void)
{
  g_autofree char *path = g_find_program_in_path ("curl");

  if (path == NULL)
    g_test_skip ("curl is not installed");
  return path != NULL;
}

static char *
heartbeat_path (Fixture    *fixture,
                const char *kind,
                const char *query)
{
  return g_strconcat ("/", kind, "/", fixture->token, query, NULL);
}

static void
assert_event (Fixture    *fixture,
              guint       index,
              const char *kind,
              const char *status,
              const char *message)
{
  Event *event;

  g_assert_cmpuint (index, <, fixture->events->len);
  event = g_ptr_array_index (fixture->events, index);
  g_assert_cmpstr (event->kind, ==, kind);
  g_assert_cmpint (event->check_id, ==, CHECK_ID);
  g_assert_cmpstr (event->status, ==, status);
  g_assert_cmpstr (event->message, ==, message);
}

/* Tests. */

static void
test_token (void)
{
  g_autofree char *a = sm_heartbeat_new_token ();
  g_autofree char *b = sm_heartbeat_new_token ();

  g_assert_cmpuint (strlen (a), ==, 43);
  g_assert_cmpstr (a, !=, b);
  for (const char *p = a; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
}

static void
test_heartbeat_get (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *plain = heartbeat_path (fixture, "heartbeat", "");
  g_autofree char *down = heartbeat_path (fixture, "heartbeat", "?status=down&msg=disk%20full");
  g_autofree char *up = heartbeat_path (fixture, "heartbeat", "?status=UP&message=all+good");

  g_assert_cmpuint (soup_request (fixture, "GET", plain, NULL, NULL, 0, NULL, NULL), ==, 200);
  assert_event (fixture, 0, "heartbeat", NULL, NULL);
  g_assert_cmpuint (soup_request (fixture, "GET", down, NULL, NULL, 0, NULL, NULL), ==, 200);
  assert_event (fixture, 1, "heartbeat", "down", "disk full");

  if (!have_curl ())
    return;
  g_assert_cmpuint (curl (fixture, up, NULL), ==, 200);
  assert_event (fixture, 2, "heartbeat", "up", "all good");
  g_assert_cmpuint (curl (fixture, plain, NULL), ==, 200);
  assert_event (fixture, 3, "heartbeat", NULL, NULL);
  g_assert_cmpuint (fixture->events->len, ==, 4);
}

static void
test_heartbeat_post (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *path = heartbeat_path (fixture, "heartbeat", "");
  g_autofree char *with_query = heartbeat_path (fixture, "heartbeat", "?status=down");
  const char *json = "{\"status\": \"down\", \"message\": \"backup failed: \\u00e4\"}";
  const char *text = "  nightly job ran\n";

  g_assert_cmpuint (soup_request (fixture, "POST", path, "application/json",
                                  json, strlen (json), NULL, NULL), ==, 200);
  assert_event (fixture, 0, "heartbeat", "down", "backup failed: \xc3\xa4");
  g_assert_cmpuint (soup_request (fixture, "POST", path, "text/plain",
                                  text, strlen (text), NULL, NULL), ==, 200);
  assert_event (fixture, 1, "heartbeat", NULL, "nightly job ran");
  /* The query's status, the body's message. */
  g_assert_cmpuint (soup_request (fixture, "POST", with_query, "text/plain",
                                  text, strlen (text), NULL, NULL), ==, 200);
  assert_event (fixture, 2, "heartbeat", "down", "nightly job ran");

  /* Malformed: no event. */
  g_assert_cmpuint (soup_request (fixture, "POST", path, "application/json",
                                  "[1]", 3, NULL, NULL), ==, 400);
  g_assert_cmpuint (soup_request (fixture, "POST", path, "application/json",
                                  "{\"status\": 1}", 13, NULL, NULL), ==, 400);
  g_assert_cmpuint (soup_request (fixture, "POST", path, "application/json",
                                  "{bad", 4, NULL, NULL), ==, 400);
  g_assert_cmpuint (soup_request (fixture, "POST", path, "application/x-www-form-urlencoded",
                                  "status=sideways", 15, NULL, NULL), ==, 400);
  g_assert_cmpuint (fixture->events->len, ==, 3);

  if (!have_curl ())
    return;
  g_assert_cmpuint (curl (fixture, "--data", "status=up&message=ran%20in%203s", path, NULL), ==, 200);
  assert_event (fixture, 3, "heartbeat", "up", "ran in 3s");
  g_assert_cmpuint (curl (fixture, "-H", "Content-Type: application/json",
                          "--data", "{\"status\":\"degraded\",\"msg\":\"slow\"}", path, NULL), ==, 200);
  assert_event (fixture, 4, "heartbeat", "degraded", "slow");
  g_assert_cmpuint (fixture->events->len, ==, 5);
}

static void
test_unknown_token (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *wrong = g_strconcat ("/heartbeat/", "x", fixture->token + 1, NULL);
  g_autofree char *path = heartbeat_path (fixture, "heartbeat", "");

  g_assert_cmpuint (soup_request (fixture, "GET", wrong, NULL, NULL, 0, NULL, NULL), ==, 404);
  g_assert_cmpuint (soup_request (fixture, "GET", "/heartbeat/", NULL, NULL, 0, NULL, NULL), ==, 404);
  g_assert_cmpuint (soup_request (fixture, "GET", "/elsewhere", NULL, NULL, 0, NULL, NULL), ==, 404);

  sm_heartbeat_server_remove_check (fixture->server, fixture->token);
  g_assert_cmpuint (soup_request (fixture, "GET", path, NULL, NULL, 0, NULL, NULL), ==, 404);
  if (have_curl ())
    g_assert_cmpuint (curl (fixture, wrong, NULL), ==, 404);
  g_assert_cmpuint (fixture->events->len, ==, 0);
}

static void
test_report (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *path = heartbeat_path (fixture, "report", "");
  g_autofree char *wrong = g_strconcat ("/report/", "x", fixture->token + 1, NULL);
  const char *json = "{\"status\": \"down\", \"message\": \"queue length 5000\"}";

  /* No key set: refused. */
  g_assert_cmpuint (soup_request (fixture, "POST", path, "application/json",
                                  json, strlen (json), API_KEY, NULL), ==, 401);

  sm_heartbeat_server_set_api_key (fixture->server, API_KEY);
  g_assert_cmpuint (soup_request (fixture, "POST", path, "application/json",
                                  json, strlen (json), API_KEY, NULL), ==, 200);
  assert_event (fixture, 0, "report", "down", "queue length 5000");

  g_assert_cmpuint (soup_request (fixture, "POST", path, "application/json",
                                  json, strlen (json), "k3y-for-test", NULL), ==, 401);
  g_assert_cmpuint (soup_request (fixture, "POST", path, "application/json",
                                  json, strlen (json), NULL, NULL), ==, 401);
  /* Wrong key and wrong token: the key is checked first. */
  g_assert_cmpuint (soup_request (fixture, "POST", wrong, "application/json",
                                  json, strlen (json), "nope", NULL), ==, 401);
  g_assert_cmpuint (soup_request (fixture, "POST", wrong, "application/json",
                                  json, strlen (json), API_KEY, NULL), ==, 404);
  g_assert_cmpuint (soup_request (fixture, "GET", path, NULL, NULL, 0, API_KEY, NULL), ==, 405);
  g_assert_cmpuint (soup_request (fixture, "POST", path, "text/plain",
                                  "no status", 9, API_KEY, NULL), ==, 400);
  g_assert_cmpuint (fixture->events->len, ==, 1);

  if (!have_curl ())
    return;
  g_assert_cmpuint (curl (fixture, "-H", "X-API-Key: " API_KEY,
                          "--data", "status=up", path, NULL), ==, 200);
  assert_event (fixture, 1, "report", "up", "");
  g_assert_cmpuint (curl (fixture, "-H", "X-API-Key: wrong",
                          "--data", "status=up", path, NULL), ==, 401);
  g_assert_cmpuint (fixture->events->len, ==, 2);
}

static void
test_rate_limit (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *wrong = g_strconcat ("/heartbeat/", "x", fixture->token + 1, NULL);
  g_autofree char *path = heartbeat_path (fixture, "heartbeat", "");
  g_autofree char *retry_after = NULL;
  guint64 seconds = 0;

  for (guint i = 0; i < SM_HEARTBEAT_FAIL_BURST; i++)
    g_assert_cmpuint (soup_request (fixture, "GET", wrong, NULL, NULL, 0, NULL, NULL), ==, 404);
  g_assert_cmpuint (soup_request (fixture, "GET", wrong, NULL, NULL, 0, NULL, &retry_after), ==, 429);
  g_assert_nonnull (retry_after);
  g_assert_true (g_ascii_string_to_unsigned (retry_after, 10, 1, 60, &seconds, NULL));

  /* Every request from the address now waits, a right one too. */
  g_assert_cmpuint (soup_request (fixture, "GET", path, NULL, NULL, 0, NULL, NULL), ==, 429);
  if (have_curl ())
    g_assert_cmpuint (curl (fixture, path, NULL), ==, 429);
  g_assert_cmpuint (fixture->events->len, ==, 0);
}

static void
test_body_too_large (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *path = heartbeat_path (fixture, "heartbeat", "");
  g_autofree char *big = g_strnfill (20 * 1024, 'a');
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *at_file = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (soup_request (fixture, "POST", path, "text/plain",
                                  big, strlen (big), NULL, NULL), ==, 413);
  /* Just under the cap is fine. */
  g_assert_cmpuint (soup_request (fixture, "POST", path, "text/plain",
                                  big, SM_HEARTBEAT_MAX_BODY, NULL, NULL), ==, 200);
  g_assert_cmpuint (fixture->events->len, ==, 1);

  if (!have_curl ())
    return;
  dir = sm_test_mkdtemp ();
  file = g_build_filename (dir, "big.txt", NULL);
  g_file_set_contents (file, big, -1, &error);
  g_assert_no_error (error);
  at_file = g_strconcat ("@", file, NULL);
  g_assert_cmpuint (curl (fixture, "-H", "Content-Type: text/plain",
                          "--data-binary", at_file, path, NULL), ==, 413);
  /* Chunked, without a length up front. */
  g_assert_cmpuint (curl (fixture, "-H", "Content-Type: text/plain",
                          "-H", "Transfer-Encoding: chunked",
                          "--data-binary", at_file, path, NULL), ==, 413);
  g_assert_cmpuint (fixture->events->len, ==, 1);
  sm_test_rmdir (dir);
}

static void
test_method (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *path = heartbeat_path (fixture, "heartbeat", "");

  g_assert_cmpuint (soup_request (fixture, "PUT", path, "text/plain", "x", 1, NULL, NULL), ==, 405);
  g_assert_cmpuint (soup_request (fixture, "DELETE", path, NULL, NULL, 0, NULL, NULL), ==, 405);
  if (have_curl ())
    g_assert_cmpuint (curl (fixture, "-X", "PUT", "--data", "x", path, NULL), ==, 405);
  g_assert_cmpuint (fixture->events->len, ==, 0);
}

static void
test_listen (void)
{
  g_autoptr(SmHeartbeatServer) server = sm_heartbeat_server_new ();
  g_autoptr(GError) error = NULL;
  guint port;

  g_assert_cmpuint (sm_heartbeat_server_get_port (server), ==, 0);
  g_assert_false (sm_heartbeat_server_listen (server, "not an address", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (sm_heartbeat_server_listen (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  port = sm_heartbeat_server_get_port (server);
  g_assert_cmpuint (port, >, 0);

  /* Listening again replaces the listener. */
  g_assert_true (sm_heartbeat_server_listen (server, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sm_heartbeat_server_get_port (server), >, 0);
}

static void
test_evaluate (void)
{
  const gint64 created = 1700000000;
  char *reason = NULL;

  /* Never pinged, still within interval + grace of creation. */
  g_assert_cmpint (sm_heartbeat_evaluate (0, created + 3600 + 300, 3600, 300, created, &reason),
                   ==, SM_CHECK_STATUS_UP);
  g_assert_null (reason);
  /* Never pinged, past it. */
  g_assert_cmpint (sm_heartbeat_evaluate (0, created + 3600 + 301, 3600, 300, created, &reason),
                   ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (reason, ==, "no heartbeat since the check was created 1 h 5 min ago");
  g_clear_pointer (&reason, g_free);

  /* Pinged, late but within grace. */
  g_assert_cmpint (sm_heartbeat_evaluate (created + 100, created + 100 + 3600 + 200, 3600, 300,
                                          created, &reason),
                   ==, SM_CHECK_STATUS_UP);
  g_assert_null (reason);
  /* Beyond grace: 2 h 5 min since the last one. */
  g_assert_cmpint (sm_heartbeat_evaluate (created + 100, created + 100 + 7500, 3600, 300,
                                          created, &reason),
                   ==, SM_CHECK_STATUS_DOWN);
  g_assert_cmpstr (reason, ==, "no heartbeat for 2 h 5 min");
  g_clear_pointer (&reason, g_free);
  /* No grace. */
  g_assert_cmpint (sm_heartbeat_evaluate (created, created + 61, 60, 0, created, NULL),
                   ==, SM_CHECK_STATUS_DOWN);
  /* A clock that went back is not late. */
  g_assert_cmpint (sm_heartbeat_evaluate (created, created - 1000, 60, 0, created, &reason),
                   ==, SM_CHECK_STATUS_UP);
  g_assert_null (reason);
}

static void
test_format_age (void)
{
  struct {
    gint64      seconds;
    const char *text;
  } cases[] = {
    { -5, "0 s" },
    { 45, "45 s" },
    { 60, "1 min" },
    { 299, "4 min" },
    { 3600, "1 h" },
    { 7500, "2 h 5 min" },
    { 86400, "1 d" },
    { 86400 * 3 + 3600 * 4 + 59, "3 d 4 h" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = sm_heartbeat_format_age (cases[i].seconds);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heartbeat/token", test_token);
  g_test_add_func ("/heartbeat/listen", test_listen);
  g_test_add_func ("/heartbeat/evaluate", test_evaluate);
  g_test_add_func ("/heartbeat/format-age", test_format_age);
  g_test_add ("/heartbeat/server/get", Fixture, NULL,
              fixture_set_up, test_heartbeat_get, fixture_tear_down);
  g_test_add ("/heartbeat/server/post", Fixture, NULL,
              fixture_set_up, test_heartbeat_post, fixture_tear_down);
  g_test_add ("/heartbeat/server/unknown-token", Fixture, NULL,
              fixture_set_up, test_unknown_token, fixture_tear_down);
  g_test_add ("/heartbeat/server/report", Fixture, NULL,
              fixture_set_up, test_report, fixture_tear_down);
  g_test_add ("/heartbeat/server/rate-limit", Fixture, NULL,
              fixture_set_up, test_rate_limit, fixture_tear_down);
  g_test_add ("/heartbeat/server/body-too-large", Fixture, NULL,
              fixture_set_up, test_body_too_large, fixture_tear_down);
  g_test_add ("/heartbeat/server/method", Fixture, NULL,
              fixture_set_up, test_method, fixture_tear_down);

  return g_test_run ();
}
