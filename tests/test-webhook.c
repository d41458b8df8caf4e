/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-webhook.c: the webhook channel against a SoupServer on 127.0.0.1
 * that records every request and answers from a script. Nothing here
 * leaves the loopback interface.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "sm-notification.h"
#include "sm-notifier.h"
#include "sm-test-util.h"
#include "sm-webhook.h"

/* The part of the URL that is a secret, as in a Slack webhook. */
#define SECRET_PATH  "/services/T0SECRET/B0SECRET/XyZsecretTOKEN42"
#define SECRET_WORD  "SECRET"
#define TIME_1       1700000000   /* 2023-11-14T22:13:20Z */

/* Every log line the process writes, debug included. */
static GMutex   log_lock;
static GString *log_text;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        {
          if (fields[i].length < 0)
            g_string_append (log_text, fields[i].value);
          else
            g_string_append_len (log_text, fields[i].value, fields[i].length);
          g_string_append_c (log_text, '\n');
        }
    }
  g_mutex_unlock (&log_lock);

  /* Debug and info lines would break the TAP output on stdout. */
  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
assert_logs_clean (void)
{
  g_mutex_lock (&log_lock);
  g_assert_null (strstr (log_text->str, SECRET_WORD));
  g_assert_null (strstr (log_text->str, "XyZ"));
  g_mutex_unlock (&log_lock);
}

/* The server. */

typedef struct {
  char   *path;
  char   *content_type;
  char   *body;
  gint64  arrival_us;
} Request;

typedef struct {
  guint  status;
  char  *body;
  char  *retry_after;
} Reply;

typedef struct {
  SoupServer *server;
  char       *base;
  char       *url;
  GPtrArray  *requests;
  GQueue      replies;
} Fixture;

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Result;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_free (request->path);
  g_free (request->content_type);
  g_free (request->body);
  g_free (request);
}

static void
reply_free (gpointer data)
{
  Reply *reply = data;

  g_free (reply->body);
  g_free (reply->retry_after);
  g_free (reply);
}

static void
script (Fixture    *fixture,
        guint       status,
        const char *body,
        const char *retry_after)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = status;
  reply->body = g_strdup (body);
  reply->retry_after = g_strdup (retry_after);
  g_queue_push_tail (&fixture->replies, reply);
}

static void
hook_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GBytes) body = NULL;
  Request *request;
  Reply *reply;
  SoupMessageHeaders *headers;

  (void) server;
  (void) query;

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  headers = soup_server_message_get_request_headers (msg);
  request = g_new0 (Request, 1);
  request->path = g_strdup (path);
  request->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  request->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  request->arrival_us = g_get_monotonic_time ();
  g_ptr_array_add (fixture->requests, request);

  reply = g_queue_pop_head (&fixture->replies);
  if (reply == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }
  soup_server_message_set_status (msg, reply->status, NULL);
  /* A 3xx carries its target in the same field. */
  if (reply->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  SOUP_STATUS_IS_REDIRECTION (reply->status)
                                  ? "Location" : "Retry-After",
                                  reply->retry_after);
  if (reply->body != NULL)
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY,
                                      reply->body, strlen (reply->body));
  reply_free (reply);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;

  (void) user_data;

  fixture->requests = g_ptr_array_new_with_free_func (request_free);
  g_queue_init (&fixture->replies);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, hook_cb, fixture, NULL);
  soup_server_listen (fixture->server, address, 0, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fixture->server);
  g_assert_nonnull (uris);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%d",
                                   g_uri_get_port (uris->data));
  fixture->url = g_strconcat (fixture->base, SECRET_PATH "?key=SECRETq", NULL);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  (void) user_data;

  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_queue_clear_full (&fixture->replies, reply_free);
  g_clear_pointer (&fixture->requests, g_ptr_array_unref);
  g_clear_pointer (&fixture->base, g_free);
  g_clear_pointer (&fixture->url, g_free);
  assert_logs_clean ();
}

static SmWebhookNotifier *
make_notifier (Fixture    *fixture,
               const char *format)
{
  SmWebhookNotifier *notifier = sm_webhook_notifier_new ("hook", fixture->url,
                                                         format);

  g_object_set (notifier,
                "retry-base-ms", 10,
                "max-attempts", 3,
                NULL);
  return notifier;
}

static void
sent_cb (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  Result *result = user_data;

  g_assert_false (result->done);
  result->ok = sm_notifier_send_finish (SM_NOTIFIER (source), res,
                                        &result->error);
  result->done = TRUE;
}

static void
send_and_wait (SmWebhookNotifier    *notifier,
               const SmNotification *notification,
               Result               *result)
{
  sm_notifier_send_async (SM_NOTIFIER (notifier), notification, NULL,
                          sent_cb, result);
  sm_test_wait_until (result->done);
}

static Request *
request_at (Fixture *fixture,
            guint    i)
{
  g_assert_cmpuint (i, <, fixture->requests->len);
  return g_ptr_array_index (fixture->requests, i);
}

static SmNotification *
sample_notification (void)
{
  SmNotification *notification;

  notification = sm_notification_new (SM_NOTIFICATION_FIRING,
                                      SM_SEVERITY_CRITICAL, "web-1",
                                      "CPU above 90 % <b> & co",
                                      "Load: 3.5\nTop: <script> & \"x\"");
  notification->alert_id = 7;
  notification->value = 93.5;
  notification->time = TIME_1;
  return notification;
}

/* The message of an error, checked for the URL's secret parts. */
static void
assert_error_clean (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, SECRET_WORD));
  g_assert_null (strstr (error->message, "XyZ"));
  g_assert_null (strstr (error->message, "services"));
  g_assert_null (strstr (error->message, "key="));
}

/* Tests. */

static void
test_display_url (void)
{
  g_autofree char *a = sm_webhook_display_url ("https://hooks.slack.com/services/T/B/SECRET");
  g_autofree char *b = sm_webhook_display_url ("http://127.0.0.1:8080/x?token=SECRET");
  g_autofree char *c = sm_webhook_display_url ("http://[::1]:99/SECRET");
  g_autofree char *d = sm_webhook_display_url ("not a url");
  SmWebhookFormat format;

  g_assert_cmpstr (a, ==, "https://hooks.slack.com/…");
  g_assert_cmpstr (b, ==, "http://127.0.0.1:8080/…");
  g_assert_cmpstr (c, ==, "http://[::1]:99/…");
  g_assert_null (strstr (d, "not a url"));

  g_assert_true (sm_webhook_format_from_string (NULL, &format));
  g_assert_cmpint (format, ==, SM_WEBHOOK_FORMAT_GENERIC);
  g_assert_true (sm_webhook_format_from_string ("discord", &format));
  g_assert_cmpint (format, ==, SM_WEBHOOK_FORMAT_DISCORD);
  g_assert_false (sm_webhook_format_from_string ("teams", &format));
}

static void
test_generic (Fixture       *fixture,
              gconstpointer  user_data)
{
  SmWebhookNotifier *notifier = make_notifier (fixture, "generic");
  g_autoptr(SmNotification) notification = sample_notification ();
  g_autoptr(SmNotification) bare = NULL;
  Result result = { 0 };
  Result bare_result = { 0 };

  (void) user_data;

  send_and_wait (notifier, notification, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  g_assert_cmpstr (request_at (fixture, 0)->path, ==, SECRET_PATH);
  g_assert_cmpstr (request_at (fixture, 0)->content_type, ==, "application/json");
  g_assert_cmpstr (request_at (fixture, 0)->body, ==,
                   "{\"kind\":\"firing\",\"severity\":\"critical\",\"alert_id\":7,"
                   "\"server\":\"web-1\",\"title\":\"CPU above 90 % <b> & co\","
                   "\"body\":\"Load: 3.5\\nTop: <script> & \\\"x\\\"\","
                   "\"value\":93.5,\"time\":\"2023-11-14T22:13:20Z\"}");

  /* No server, no body, no value: nulls. */
  bare = sm_notification_new (SM_NOTIFICATION_RESOLVED, SM_SEVERITY_WARNING,
                              NULL, "Disk fine again", NULL);
  bare->alert_id = 12;
  bare->value = NAN;
  bare->time = TIME_1 + 60;
  send_and_wait (notifier, bare, &bare_result);
  g_assert_no_error (bare_result.error);
  g_assert_cmpstr (request_at (fixture, 1)->body, ==,
                   "{\"kind\":\"resolved\",\"severity\":\"warning\",\"alert_id\":12,"
                   "\"server\":null,\"title\":\"Disk fine again\",\"body\":null,"
                   "\"value\":null,\"time\":\"2023-11-14T22:14:20Z\"}");

  g_assert_finalize_object (notifier);
}

static void
test_slack (Fixture       *fixture,
            gconstpointer  user_data)
{
  SmWebhookNotifier *notifier = make_notifier (fixture, "slack");
  g_autoptr(SmNotification) notification = sample_notification ();
  Result result = { 0 };

  (void) user_data;

  g_assert_cmpint (sm_webhook_notifier_get_format (notifier), ==,
                   SM_WEBHOOK_FORMAT_SLACK);
  g_free (notification->body);
  notification->body = g_strdup ("<!channel> ping & <https://evil.example|click>");
  send_and_wait (notifier, notification, &result);
  g_assert_no_error (result.error);
  g_assert_cmpstr (request_at (fixture, 0)->body, ==,
                   "{\"text\":\"*CRITICAL web-1: CPU above 90 % &lt;b&gt; &amp; co*\\n"
                   "&lt;!channel&gt; ping &amp; &lt;https://evil.example|click&gt;\"}");

  g_assert_finalize_object (notifier);
}

static void
test_discord (Fixture       *fixture,
              gconstpointer  user_data)
{
  SmWebhookNotifier *notifier = make_notifier (fixture, "discord");
  g_autoptr(SmNotification) notification = sample_notification ();
  g_autoptr(SmNotification) long_one = sample_notification ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  const char *content;
  glong n_chars;
  Result result = { 0 };
  Result long_result = { 0 };

  (void) user_data;

  g_free (notification->body);
  notification->body = g_strdup ("@everyone @here look");
  send_and_wait (notifier, notification, &result);
  g_assert_no_error (result.error);
  g_assert_cmpstr (request_at (fixture, 0)->body, ==,
                   "{\"content\":\"**CRITICAL web-1: CPU above 90 % <b> & co**\\n"
                   "@everyone @here look\",\"allowed_mentions\":{\"parse\":[]}}");

  /* 3000 characters are cut to 2000, the last one "…". */
  g_free (long_one->body);
  long_one->body = g_strnfill (3000, 'x');
  send_and_wait (notifier, long_one, &long_result);
  g_assert_no_error (long_result.error);
  json_parser_load_from_data (parser, request_at (fixture, 1)->body, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  content = json_object_get_string_member (root, "content");
  n_chars = g_utf8_strlen (content, -1);
  g_assert_cmpint (n_chars, ==, SM_WEBHOOK_DISCORD_MAX);
  g_assert_true (g_str_has_prefix (content, "**CRITICAL web-1: "));
  g_assert_true (g_str_has_suffix (content, "xx…"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_object_get_object_member (root, "allowed_mentions"), "parse")), ==, 0);

  g_assert_finalize_object (notifier);
}

static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  user_data)
{
  SmWebhookNotifier *notifier = make_notifier (fixture, "generic");
  g_autoptr(SmNotification) notification = sample_notification ();
  Result result = { 0 };
  gint64 gap;

  (void) user_data;

  script (fixture, 429, "slow down", "1");
  send_and_wait (notifier, notification, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  gap = request_at (fixture, 1)->arrival_us - request_at (fixture, 0)->arrival_us;
  g_assert_cmpint (gap, >=, 1 * G_USEC_PER_SEC - 50 * 1000);
  g_assert_cmpstr (request_at (fixture, 0)->body, ==, request_at (fixture, 1)->body);

  g_assert_finalize_object (notifier);
}

static void
test_server_error (Fixture       *fixture,
                   gconstpointer  user_data)
{
  SmWebhookNotifier *notifier = make_notifier (fixture, "generic");
  g_autoptr(SmNotification) notification = sample_notification ();
  Result result = { 0 };
  Result failed = { 0 };

  (void) user_data;

  script (fixture, 500, "oops", NULL);
  send_and_wait (notifier, notification, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_cmpuint (fixture->requests->len, ==, 2);

  /* Always 503: three attempts, then UNAVAILABLE. */
  script (fixture, 503, "down", NULL);
  script (fixture, 503, "down", NULL);
  script (fixture, 503, "down", NULL);
  send_and_wait (notifier, notification, &failed);
  g_assert_error (failed.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE);
  g_assert_false (failed.ok);
  g_assert_cmpuint (fixture->requests->len, ==, 5);
  assert_error_clean (failed.error);
  g_test_message ("%s", failed.error->message);
  g_clear_error (&failed.error);

  g_assert_finalize_object (notifier);
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  user_data)
{
  SmWebhookNotifier *notifier = make_notifier (fixture, "generic");
  g_autoptr(SmNotification) notification = sample_notification ();
  g_autofree char *long_body = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *z300 = g_strnfill (300, 'z');
  g_autofree char *z200 = g_strnfill (200, 'z');
  Result result = { 0 };

  (void) user_data;

  /* The body echoes the secret path, has control characters and is
   * longer than the excerpt. */
  long_body = g_strconcat ("no such hook " SECRET_PATH "\x01\n\tend ",
                           z300, NULL);
  script (fixture, 404, long_body, NULL);
  send_and_wait (notifier, notification, &result);
  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_REFUSED);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  assert_error_clean (result.error);
  expected = g_strdup_printf ("%s/…", fixture->base);
  g_assert_nonnull (strstr (result.error->message, expected));
  g_assert_nonnull (strstr (result.error->message, "404"));
  g_assert_nonnull (strstr (result.error->message, "no such hook /… end zzz"));
  g_assert_null (strstr (result.error->message, "\n"));
  g_assert_null (strstr (result.error->message, "\x01"));
  /* 200 characters of the body at most. */
  g_assert_null (strstr (result.error->message, z200));
  g_assert_true (g_str_has_suffix (result.error->message, "zz…)."));
  g_test_message ("%s", result.error->message);
  g_clear_error (&result.error);

  g_assert_finalize_object (notifier);
}

static void
test_unauthorized (Fixture       *fixture,
                   gconstpointer  user_data)
{
  SmWebhookNotifier *notifier = make_notifier (fixture, "slack");
  g_autoptr(SmNotification) notification = sample_notification ();
  Result result = { 0 };
  Result forbidden = { 0 };

  (void) user_data;

  script (fixture, 401, "invalid_token", NULL);
  send_and_wait (notifier, notification, &result);
  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_AUTH);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  assert_error_clean (result.error);

  script (fixture, 403, "action_prohibited", NULL);
  send_and_wait (notifier, notification, &forbidden);
  g_assert_error (forbidden.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_AUTH);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  assert_error_clean (forbidden.error);

  g_test_message ("%s", result.error->message);

  g_clear_error (&result.error);
  g_test_message ("%s", forbidden.error->message);
  g_clear_error (&forbidden.error);

  g_assert_finalize_object (notifier);
}

static void
test_redirect (Fixture       *fixture,
               gconstpointer  user_data)
{
  SmWebhookNotifier *notifier = make_notifier (fixture, "generic");
  g_autoptr(SmNotification) notification = sample_notification ();
  g_autofree char *elsewhere = g_strconcat (fixture->base, "/elsewhere", NULL);
  Result result = { 0 };

  (void) user_data;

  /* Not followed: the payload goes only where the user said. */
  script (fixture, 307, NULL, elsewhere);
  send_and_wait (notifier, notification, &result);
  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_PROTOCOL);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  assert_error_clean (result.error);
  g_test_message ("%s", result.error->message);
  g_clear_error (&result.error);

  g_assert_finalize_object (notifier);
}

static void
test_connection_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  SmWebhookNotifier *notifier = NULL;
  g_autoptr(SmNotification) notification = sample_notification ();
  g_autofree char *url = NULL;
  g_autofree char *display = NULL;
  guint16 port;
  Result result = { 0 };

  /* A port that was free a moment ago, and is closed now. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  url = g_strdup_printf ("http://127.0.0.1:%u" SECRET_PATH, port);
  display = g_strdup_printf ("http://127.0.0.1:%u/…", port);
  notifier = sm_webhook_notifier_new ("hook", url, "discord");
  g_object_set (notifier, "retry-base-ms", 5, "max-attempts", 3, NULL);

  send_and_wait (notifier, notification, &result);
  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE);
  assert_error_clean (result.error);
  g_assert_nonnull (strstr (result.error->message, display));
  g_assert_nonnull (strstr (result.error->message, "3"));
  g_test_message ("%s", result.error->message);
  g_clear_error (&result.error);
  g_assert_finalize_object (notifier);
  assert_logs_clean ();
}

static void
test_invalid (void)
{
  g_autoptr(SmWebhookNotifier) ftp = sm_webhook_notifier_new ("hook", "ftp://example.com/SECRET", NULL);
  g_autoptr(SmWebhookNotifier) format = sm_webhook_notifier_new ("hook", "http://127.0.0.1:9/SECRET", "teams");
  g_autoptr(SmNotification) notification = sample_notification ();
  Result a = { 0 };
  Result b = { 0 };

  send_and_wait (ftp, notification, &a);
  g_assert_error (a.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);
  assert_error_clean (a.error);
  send_and_wait (format, notification, &b);
  g_assert_error (b.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);
  assert_error_clean (b.error);
  g_test_message ("%s", a.error->message);
  g_clear_error (&a.error);
  g_test_message ("%s", b.error->message);
  g_clear_error (&b.error);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  user_data)
{
  SmWebhookNotifier *notifier = make_notifier (fixture, "generic");
  g_autoptr(SmNotification) notification = sample_notification ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Result result = { 0 };

  (void) user_data;

  /* Waiting an hour for its retry, the send ends when cancelled. */
  script (fixture, 429, NULL, "3600");
  sm_notifier_send_async (SM_NOTIFIER (notifier), notification, cancellable,
                          sent_cb, &result);
  sm_test_wait_until (fixture->requests->len == 1);
  g_cancellable_cancel (cancellable);
  sm_test_wait_until (result.done);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&result.error);

  g_assert_finalize_object (notifier);
}

int
main (int   argc,
      char *argv[])
{
  log_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  /* Loopback only: no proxy may stand between the test and its server. */
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTP_PROXY");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/webhook/display-url", test_display_url);
  g_test_add_func ("/webhook/connection-refused", test_connection_refused);
  g_test_add_func ("/webhook/invalid", test_invalid);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/webhook/generic", test_generic);
  ADD ("/webhook/slack", test_slack);
  ADD ("/webhook/discord", test_discord);
  ADD ("/webhook/retry-after", test_retry_after);
  ADD ("/webhook/server-error", test_server_error);
  ADD ("/webhook/refused", test_refused);
  ADD ("/webhook/unauthorized", test_unauthorized);
  ADD ("/webhook/redirect", test_redirect);
  ADD ("/webhook/cancel", test_cancel);
#undef ADD

  return g_test_run ();
}
