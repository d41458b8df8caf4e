/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-telegram.c: the Telegram channel against a Bot API stand-in, a
 * SoupServer on 127.0.0.1 that records every request and answers from a
 * script. Nothing here leaves the loopback interface.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sm-notification.h"
#include "sm-notifier.h"
#include "sm-telegram.h"

#define TOKEN       "123456:SECRET-tok_en"
#define WRONG_TOKEN "654321:WRONG-tok_en"
#define OK_REPLY    "{\"ok\":true,\"result\":{\"message_id\":1}}"

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
log_reset (void)
{
  g_mutex_lock (&log_lock);
  g_string_truncate (log_text, 0);
  g_mutex_unlock (&log_lock);
}

static char *
log_dup (void)
{
  char *copy;

  g_mutex_lock (&log_lock);
  copy = g_strdup (log_text->str);
  g_mutex_unlock (&log_lock);
  return copy;
}

/* The Bot API stand-in. */

typedef struct {
  char   *token;
  char   *method;
  char   *content_type;
  char   *body;
  gint64  arrival_us;
  /* sendPhoto: the form's fields, and its file. */
  GHashTable *fields;
  GBytes     *photo;
  char       *photo_type;
  char       *photo_filename;
} Request;

typedef struct {
  guint     status;
  char     *body;
  gboolean  pause;     /* never answer */
} Reply;

typedef struct {
  SoupServer         *server;
  char               *base;
  GPtrArray          *requests;
  GQueue              replies;
  SmTelegramNotifier *notifier;
} Fixture;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_free (request->token);
  g_free (request->method);
  g_free (request->content_type);
  g_free (request->body);
  g_clear_pointer (&request->fields, g_hash_table_unref);
  g_clear_pointer (&request->photo, g_bytes_unref);
  g_free (request->photo_type);
  g_free (request->photo_filename);
  g_free (request);
}

static void
reply_free (gpointer data)
{
  Reply *reply = data;

  g_free (reply->body);
  g_free (reply);
}

static void
script (Fixture    *fixture,
        guint       status,
        const char *body)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = status;
  reply->body = g_strdup (body);
  g_queue_push_tail (&fixture->replies, reply);
}

static void
script_pause (Fixture *fixture)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->pause = TRUE;
  g_queue_push_tail (&fixture->replies, reply);
}

/* Takes a multipart/form-data body apart. */
static void
record_form (Request            *request,
             SoupMessageHeaders *headers,
             GBytes             *body)
{
  SoupMultipart *multipart = soup_multipart_new_from_message (headers, body);

  g_assert_nonnull (multipart);
  request->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int i = 0; i < soup_multipart_get_length (multipart); i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part_body;
      g_autoptr(GHashTable) params = NULL;
      const char *name;

      g_assert_true (soup_multipart_get_part (multipart, i, &part_headers, &part_body));
      g_assert_true (soup_message_headers_get_content_disposition (part_headers, NULL, &params));
      name = g_hash_table_lookup (params, "name");
      g_assert_nonnull (name);
      if (g_strcmp0 (name, "photo") == 0)
        {
          request->photo = g_bytes_ref (part_body);
          request->photo_type = g_strdup (soup_message_headers_get_content_type (part_headers, NULL));
          request->photo_filename = g_strdup (g_hash_table_lookup (params, "filename"));
        }
      else
        {
          g_hash_table_insert (request->fields, g_strdup (name),
                               g_strndup (g_bytes_get_data (part_body, NULL),
                                          g_bytes_get_size (part_body)));
        }
    }
  soup_multipart_free (multipart);
}

static void
bot_api_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *fixture = user_data;
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GBytes) body = NULL;
  Request *request;
  Reply *reply;
  const char *answer = OK_REPLY;
  guint status = SOUP_STATUS_OK;

  (void) server;
  (void) query;

  /* "/bot<token>/<method>" */
  if (g_strv_length (parts) != 3 || !g_str_has_prefix (parts[1], "bot"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  request = g_new0 (Request, 1);
  request->token = g_strdup (parts[1] + 3);
  request->method = g_strdup (parts[2]);
  request->content_type =
    g_strdup (soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL));
  request->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  request->arrival_us = g_get_monotonic_time ();
  g_ptr_array_add (fixture->requests, request);
  if (g_strcmp0 (request->method, "sendPhoto") == 0)
    record_form (request, soup_server_message_get_request_headers (msg), body);

  if (g_strcmp0 (request->token, TOKEN) != 0)
    {
      status = SOUP_STATUS_UNAUTHORIZED;
      answer = "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}";
    }
  else if ((reply = g_queue_pop_head (&fixture->replies)) != NULL)
    {
      if (reply->pause)
        {
          soup_server_message_pause (msg);
          reply_free (reply);
          return;
        }
      status = reply->status;
      soup_server_message_set_status (msg, status, NULL);
      soup_server_message_set_response (msg, "application/json",
                                        SOUP_MEMORY_COPY, reply->body,
                                        strlen (reply->body));
      reply_free (reply);
      return;
    }

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    answer, strlen (answer));
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
  soup_server_add_handler (fixture->server, NULL, bot_api_cb, fixture, NULL);
  soup_server_listen (fixture->server, address, 0, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fixture->server);
  g_assert_nonnull (uris);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%d",
                                   g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  fixture->notifier = sm_telegram_notifier_new ("tg", TOKEN, "42",
                                                fixture->base);
  g_object_set (fixture->notifier,
                "min-interval-ms", 10,
                "retry-base-ms", 10,
                NULL);
  log_reset ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  (void) user_data;

  g_assert_finalize_object (fixture->notifier);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_queue_clear_full (&fixture->replies, reply_free);
  g_clear_pointer (&fixture->requests, g_ptr_array_unref);
  g_clear_pointer (&fixture->base, g_free);
}

/* Waiting for results: the main loop runs until the callback fires. */

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
  gint64    finished_us;
} Result;

static void
result_clear (Result *result)
{
  g_clear_error (&result->error);
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
  result->finished_us = g_get_monotonic_time ();
}

static gboolean
timeout_cb (gpointer user_data)
{
  (void) user_data;
  g_error ("Timed out waiting for the Telegram notifier");
  return G_SOURCE_REMOVE;
}

static void
run_until (const gboolean *flag)
{
  GSource *timeout = g_timeout_source_new_seconds (30);

  g_source_set_callback (timeout, timeout_cb, NULL, NULL);
  g_source_attach (timeout, NULL);
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
}

static void
run_until_requests (Fixture *fixture,
                    guint    n)
{
  GSource *timeout = g_timeout_source_new_seconds (30);

  g_source_set_callback (timeout, timeout_cb, NULL, NULL);
  g_source_attach (timeout, NULL);
  while (fixture->requests->len < n)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
}

/* Runs the main loop until a log line holds needle. */
static void
run_until_logged (const char *needle)
{
  GSource *timeout = g_timeout_source_new_seconds (30);

  g_source_set_callback (timeout, timeout_cb, NULL, NULL);
  g_source_attach (timeout, NULL);
  for (;;)
    {
      g_autofree char *logs = log_dup ();

      if (strstr (logs, needle) != NULL)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_destroy (timeout);
  g_source_unref (timeout);
}

static void
send_and_wait (Fixture              *fixture,
               const SmNotification *notification,
               Result               *result)
{
  sm_notifier_send_async (SM_NOTIFIER (fixture->notifier), notification,
                          NULL, sent_cb, result);
  run_until (&result->done);
}

static Request *
request_at (Fixture *fixture,
            guint    i)
{
  g_assert_cmpuint (i, <, fixture->requests->len);
  return g_ptr_array_index (fixture->requests, i);
}

/* The text member of a recorded sendMessage, after checking that the
 * payload holds exactly chat_id, text and parse_mode=HTML. */
static char *
payload_text (Request    *request,
              const char *chat_id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  g_assert_cmpstr (request->method, ==, "sendMessage");
  g_assert_cmpstr (request->content_type, ==, "application/json");
  json_parser_load_from_data (parser, request->body, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_object_get_size (object), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (object, "chat_id"), ==, chat_id);
  g_assert_cmpstr (json_object_get_string_member (object, "parse_mode"), ==, "HTML");
  return g_strdup (json_object_get_string_member (object, "text"));
}

/* Pure functions. */

static void
test_escape (void)
{
  g_autofree char *plain = sm_telegram_escape_html ("plain text");
  g_autofree char *all = sm_telegram_escape_html ("a<b>&c \"q\" 'a' &amp;");
  g_autofree char *invalid = sm_telegram_escape_html ("bad \xff<");

  g_assert_cmpstr (plain, ==, "plain text");
  g_assert_cmpstr (all, ==, "a&lt;b&gt;&amp;c \"q\" 'a' &amp;amp;");
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_true (g_str_has_suffix (invalid, "&lt;"));

  g_assert_cmpint (sm_telegram_html_units ("<b>a&lt;</b>\n😀"), ==, 5);
  g_assert_cmpint (sm_telegram_html_units ("<b>open"), ==, -1);
  g_assert_cmpint (sm_telegram_html_units ("a & b"), ==, -1);
  g_assert_cmpint (sm_telegram_html_units ("<script>"), ==, -1);
}

static void
test_format (void)
{
  g_autoptr(SmNotification) firing = NULL;
  g_autoptr(SmNotification) warning = NULL;
  g_autoptr(SmNotification) resolved = NULL;
  g_auto(GStrv) a = NULL;
  g_auto(GStrv) b = NULL;
  g_auto(GStrv) c = NULL;

  firing = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_CRITICAL,
                                "web-1", "CPU above 90 %", "cpu.percent is 97.5");
  warning = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_WARNING,
                                 "db", "Disk / above 90 %", NULL);
  resolved = sm_notification_new (SM_NOTIFICATION_RESOLVED, SM_SEVERITY_CRITICAL,
                                   NULL, "CPU above 90 %", "\n\n");

  a = sm_telegram_format (firing, SM_TELEGRAM_MAX_MESSAGE);
  b = sm_telegram_format (warning, SM_TELEGRAM_MAX_MESSAGE);
  c = sm_telegram_format (resolved, SM_TELEGRAM_MAX_MESSAGE);
  g_assert_cmpuint (g_strv_length (a), ==, 1);
  g_assert_cmpstr (a[0], ==,
                   "<b>🔴 CRITICAL: CPU above 90 %</b>\nServer: web-1\n\ncpu.percent is 97.5");
  g_assert_cmpuint (g_strv_length (b), ==, 1);
  g_assert_cmpstr (b[0], ==, "<b>🟠 WARNING: Disk / above 90 %</b>\nServer: db");
  g_assert_cmpuint (g_strv_length (c), ==, 1);
  g_assert_cmpstr (c[0], ==, "<b>✅ RESOLVED: CPU above 90 %</b>");
}

/* A body of 200 numbered lines, 10,000 characters in all. */
static char *
long_body (void)
{
  GString *body = g_string_new (NULL);

  for (guint i = 0; i < 200; i++)
    {
      g_string_append_printf (body, "line %03u <&> ", i);
      while (body->len % 50 != 49)
        g_string_append_c (body, 'x');
      g_string_append_c (body, '\n');
    }
  g_assert_cmpuint (body->len, ==, 10000);
  return g_string_free (body, FALSE);
}

/* Checks that parts are valid, fit, carry "(i/n)" and hold the body's
 * lines in order; returns the body put back together. */
static char *
check_parts (char       **parts,
             guint        n_parts)
{
  GString *joined = g_string_new (NULL);

  for (guint i = 0; i < n_parts; i++)
    {
      g_autofree char *suffix = g_strdup_printf ("\n(%u/%u)", i + 1, n_parts);
      gssize units = sm_telegram_html_units (parts[i]);
      g_auto(GStrv) lines = NULL;
      guint n_lines;

      g_assert_cmpint (units, >, 0);
      g_assert_cmpint (units, <=, SM_TELEGRAM_MAX_MESSAGE);
      g_assert_true (g_str_has_suffix (parts[i], suffix));
      lines = g_strsplit (parts[i], "\n", -1);
      n_lines = g_strv_length (lines);
      for (guint j = 0; j + 1 < n_lines; j++)
        {
          if (g_str_has_prefix (lines[j], "line "))
            {
              g_string_append (joined, lines[j]);
              g_string_append_c (joined, '\n');
            }
        }
    }
  return g_string_free (joined, FALSE);
}

static void
test_format_limits (void)
{
  g_autofree char *body = long_body ();
  g_autofree char *huge = g_strnfill (60000, 'y');
  g_autofree char *wide = NULL;
  g_autoptr(SmNotification) one_line = NULL;
  g_autoptr(SmNotification) emoji = NULL;
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) emoji_parts = NULL;
  GString *emojis = g_string_new (NULL);
  gsize total = 0;

  /* One 60,000-character line without a space: cut into chunks, at most
   * SM_TELEGRAM_MAX_PARTS parts, the last trimmed with "…". */
  one_line = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_WARNING,
                                   "s", "t", huge);
  parts = sm_telegram_format (one_line, SM_TELEGRAM_MAX_MESSAGE);
  g_assert_cmpuint (g_strv_length (parts), ==, SM_TELEGRAM_MAX_PARTS);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      gssize units = sm_telegram_html_units (parts[i]);

      g_assert_cmpint (units, >, 0);
      g_assert_cmpint (units, <=, SM_TELEGRAM_MAX_MESSAGE);
      total += strspn (strchr (parts[i], 'y'), "y");
    }
  g_assert_true (strstr (parts[SM_TELEGRAM_MAX_PARTS - 1], "\n…\n(10/10)") != NULL);
  g_assert_cmpuint (total, <, 60000);
  g_assert_cmpuint (total, >, 9 * 4000);

  /* Characters outside the BMP count twice, as Telegram counts them. */
  for (guint i = 0; i < 3000; i++)
    g_string_append (emojis, "😀");
  wide = g_string_free (emojis, FALSE);
  emoji = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_WARNING,
                               NULL, "t", wide);
  emoji_parts = sm_telegram_format (emoji, SM_TELEGRAM_MAX_MESSAGE);
  g_assert_cmpuint (g_strv_length (emoji_parts), ==, 2);
  for (guint i = 0; emoji_parts[i] != NULL; i++)
    g_assert_cmpint (sm_telegram_html_units (emoji_parts[i]), <=, SM_TELEGRAM_MAX_MESSAGE);
}

/* Against the stand-in. */

static void
test_payload (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SmNotification) notification = NULL;
  g_autofree char *text = NULL;
  Result result = { 0 };

  (void) user_data;

  g_assert_cmpstr (sm_notifier_get_name (SM_NOTIFIER (fixture->notifier)), ==, "tg");
  notification = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_CRITICAL,
                                      "web-1", "CPU above 90 %", "cpu.percent is 97.5");
  send_and_wait (fixture, notification, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);

  g_assert_cmpuint (fixture->requests->len, ==, 1);
  g_assert_cmpstr (request_at (fixture, 0)->token, ==, TOKEN);
  text = payload_text (request_at (fixture, 0), "42");
  g_assert_cmpstr (text, ==,
                   "<b>🔴 CRITICAL: CPU above 90 %</b>\nServer: web-1\n\ncpu.percent is 97.5");
  result_clear (&result);
}

static void
test_escaping (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(SmNotification) notification = NULL;
  g_autofree char *text = NULL;
  Result result = { 0 };

  (void) user_data;

  notification = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_WARNING,
                                      "<web&1>", "a<b> & \"c\"",
                                      "x < y && y > z; <b>not bold</b> &amp;");
  send_and_wait (fixture, notification, &result);
  g_assert_no_error (result.error);

  text = payload_text (request_at (fixture, 0), "42");
  g_assert_cmpstr (text, ==,
                   "<b>🟠 WARNING: a&lt;b&gt; &amp; \"c\"</b>\n"
                   "Server: &lt;web&amp;1&gt;\n\n"
                   "x &lt; y &amp;&amp; y &gt; z; &lt;b&gt;not bold&lt;/b&gt; &amp;amp;");
  g_assert_cmpint (sm_telegram_html_units (text), >, 0);
  result_clear (&result);
}

static void
test_test_message (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *text = NULL;
  Result result = { 0 };

  (void) user_data;

  sm_telegram_notifier_send_test_async (fixture->notifier, NULL, sent_cb,
                                        &result);
  run_until (&result.done);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  text = payload_text (request_at (fixture, 0), "42");
  g_assert_cmpstr (text, ==, "Status Monitor: test message");
  result_clear (&result);
}

static void
test_long_message (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SmNotification) notification = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *body = long_body ();
  g_autofree char *joined = NULL;
  Result result = { 0 };

  (void) user_data;

  notification = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_CRITICAL,
                                      "web-1", "Log excerpt", body);
  send_and_wait (fixture, notification, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);

  /* 10,000 characters escape to more, but count as 10,000: three parts. */
  g_assert_cmpuint (fixture->requests->len, ==, 3);
  for (guint i = 0; i < fixture->requests->len; i++)
    g_ptr_array_add (texts, payload_text (request_at (fixture, i), "42"));
  g_ptr_array_add (texts, NULL);
  g_assert_true (g_str_has_prefix (texts->pdata[0], "<b>🔴 CRITICAL: Log excerpt</b>\n"));

  /* Split at line boundaries, in order, nothing lost. */
  joined = check_parts ((char **) texts->pdata, 3);
  {
    g_autofree char *escaped = NULL;
    GString *expected = g_string_new (body);

    g_string_replace (expected, "<&>", "&lt;&amp;&gt;", 0);
    escaped = g_string_free (expected, FALSE);
    g_assert_cmpstr (joined, ==, escaped);
  }
  result_clear (&result);
}

static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(SmNotification) notification = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  Result result = { 0 };
  gint64 gap;

  (void) user_data;

  script (fixture, 429,
          "{\"ok\":false,\"error_code\":429,"
          "\"description\":\"Too Many Requests: retry after 1\","
          "\"parameters\":{\"retry_after\":1}}");
  notification = sm_notification_new (SM_NOTIFICATION_RESOLVED, SM_SEVERITY_WARNING,
                                       "web-1", "Back", NULL);
  send_and_wait (fixture, notification, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);

  g_assert_cmpuint (fixture->requests->len, ==, 2);
  gap = request_at (fixture, 1)->arrival_us - request_at (fixture, 0)->arrival_us;
  g_assert_cmpint (gap, >=, G_USEC_PER_SEC);
  first = payload_text (request_at (fixture, 0), "42");
  second = payload_text (request_at (fixture, 1), "42");
  g_assert_cmpstr (first, ==, second);
  result_clear (&result);
}

static void
test_server_error (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SmNotification) notification = NULL;
  Result result = { 0 };
  Result failed = { 0 };

  (void) user_data;

  /* 500 then success: retried once. */
  script (fixture, SOUP_STATUS_INTERNAL_SERVER_ERROR,
          "{\"ok\":false,\"error_code\":500,\"description\":\"Internal Server Error\"}");
  notification = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_WARNING,
                                      "web-1", "Load", NULL);
  send_and_wait (fixture, notification, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_cmpuint (fixture->requests->len, ==, 2);

  /* 502 for ever: max-attempts requests with growing delays, then an
   * error that is not the token. */
  g_object_set (fixture->notifier, "max-attempts", 3, "retry-base-ms", 40, NULL);
  for (guint i = 0; i < 3; i++)
    script (fixture, SOUP_STATUS_BAD_GATEWAY, "not json");
  send_and_wait (fixture, notification, &failed);
  g_assert_error (failed.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE);
  g_assert_false (failed.ok);
  g_assert_cmpuint (fixture->requests->len, ==, 5);
  g_assert_cmpint (request_at (fixture, 3)->arrival_us - request_at (fixture, 2)->arrival_us,
                   >=, 40 * 1000);
  g_assert_cmpint (request_at (fixture, 4)->arrival_us - request_at (fixture, 3)->arrival_us,
                   >=, 80 * 1000);
  g_assert_nonnull (strstr (failed.error->message, "502"));
  g_assert_nonnull (strstr (failed.error->message, "/bot<token>/sendMessage"));
  g_assert_null (strstr (failed.error->message, TOKEN));
  result_clear (&result);
  result_clear (&failed);
}

static void
test_unauthorized (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SmTelegramNotifier) wrong = NULL;
  g_autoptr(SmNotification) notification = NULL;
  g_autofree char *logs = NULL;
  Result result = { 0 };

  (void) user_data;

  wrong = sm_telegram_notifier_new ("tg", WRONG_TOKEN, "42", fixture->base);
  notification = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_CRITICAL,
                                      "web-1", "Down", NULL);
  log_reset ();
  sm_notifier_send_async (SM_NOTIFIER (wrong), notification, NULL, sent_cb, &result);
  run_until (&result.done);

  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_AUTH);
  g_assert_cmpstr (result.error->message, ==,
                   "Telegram refused the bot token (401 Unauthorized). Check the token in Preferences.");
  /* Not retried: a wrong token stays wrong. */
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  g_assert_cmpstr (request_at (fixture, 0)->token, ==, WRONG_TOKEN);

  /* The debug lines were captured (they name the redacted URL) and none
   * holds the token. */
  logs = log_dup ();
  g_assert_nonnull (strstr (logs, "/bot<token>/sendMessage"));
  g_assert_null (strstr (logs, WRONG_TOKEN));
  g_assert_null (strstr (logs, "WRONG-tok_en"));
  result_clear (&result);
  g_assert_finalize_object (g_steal_pointer (&wrong));
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(SmNotification) notification = NULL;
  Result bad = { 0 };
  Result forbidden = { 0 };

  (void) user_data;

  notification = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_CRITICAL,
                                      "web-1", "Down", NULL);
  script (fixture, SOUP_STATUS_BAD_REQUEST,
          "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}");
  send_and_wait (fixture, notification, &bad);
  g_assert_error (bad.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_REFUSED);
  g_assert_cmpstr (bad.error->message, ==,
                   "Telegram refused the message (400 Bad Request: chat not found).");

  /* A description that echoes the token does not pass it on. */
  script (fixture, SOUP_STATUS_FORBIDDEN,
          "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot " TOKEN " was kicked\"}");
  send_and_wait (fixture, notification, &forbidden);
  g_assert_error (forbidden.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_REFUSED);
  g_assert_nonnull (strstr (forbidden.error->message, "403 Forbidden: bot <token> was kicked"));
  g_assert_null (strstr (forbidden.error->message, TOKEN));

  /* Neither was retried. */
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  result_clear (&bad);
  result_clear (&forbidden);
}

static void
test_network_error (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(SmTelegramNotifier) unreachable = NULL;
  g_autoptr(SmNotification) notification = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *logs = NULL;
  Result result = { 0 };

  (void) fixture;
  (void) user_data;

  /* A loopback port that nothing listens on. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  base = g_strdup_printf ("http://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  unreachable = sm_telegram_notifier_new ("tg", TOKEN, "42", base);
  g_object_set (unreachable, "max-attempts", 2, "retry-base-ms", 10, NULL);
  notification = sm_notification_new (SM_NOTIFICATION_FIRING, SM_SEVERITY_CRITICAL,
                                      "web-1", "Down", NULL);
  log_reset ();
  sm_notifier_send_async (SM_NOTIFIER (unreachable), notification, NULL, sent_cb, &result);
  run_until (&result.done);

  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE);
  g_assert_true (g_str_has_prefix (result.error->message, "Could not reach Telegram at "));
  g_assert_nonnull (strstr (result.error->message, "/bot<token>/sendMessage"));
  g_assert_null (strstr (result.error->message, TOKEN));
  logs = log_dup ();
  g_assert_nonnull (strstr (logs, "attempt 1"));
  g_assert_null (strstr (logs, TOKEN));
  result_clear (&result);
  g_assert_finalize_object (g_steal_pointer (&unreachable));
}

static void
test_invalid_settings (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(SmTelegramNotifier) bad_chat = NULL;
  g_autoptr(SmTelegramNotifier) bad_token = NULL;
  Result chat = { 0 };
  Result token = { 0 };

  (void) user_data;

  bad_chat = sm_telegram_notifier_new ("tg", TOKEN, "not a chat", fixture->base);
  sm_telegram_notifier_send_test_async (bad_chat, NULL, sent_cb, &chat);
  run_until (&chat.done);
  g_assert_error (chat.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);

  bad_token = sm_telegram_notifier_new ("tg", "12/../x", "42", fixture->base);
  sm_telegram_notifier_send_test_async (bad_token, NULL, sent_cb, &token);
  run_until (&token.done);
  g_assert_error (token.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);
  g_assert_null (strstr (token.error->message, "12/../x"));

  g_assert_cmpuint (fixture->requests->len, ==, 0);
  result_clear (&chat);
  result_clear (&token);
  g_assert_finalize_object (g_steal_pointer (&bad_chat));
  g_assert_finalize_object (g_steal_pointer (&bad_token));
}

static void
send_html (Fixture      *fixture,
           const char   *chat_id,
           const char   *text,
           GCancellable *cancellable,
           Result       *result)
{
  const char *messages[] = { text, NULL };

  sm_telegram_notifier_send_html_async (fixture->notifier, chat_id, messages,
                                        cancellable, sent_cb, result);
}

static Request *
find_request (Fixture    *fixture,
              const char *chat_id,
              const char *text)
{
  g_autofree char *needle = g_strdup_printf ("\"chat_id\":\"%s\"", chat_id);
  g_autofree char *quoted = g_strdup_printf ("\"text\":\"%s\"", text);

  for (guint i = 0; i < fixture->requests->len; i++)
    {
      Request *request = request_at (fixture, i);

      if (strstr (request->body, needle) != NULL &&
          strstr (request->body, quoted) != NULL)
        return request;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_rate_limit (Fixture       *fixture,
                 gconstpointer  user_data)
{
  Result a[3] = { { 0 } };
  Result b = { 0 };
  Request *a1, *a2, *a3, *b1;
  const gint64 interval_us = 200 * 1000;

  (void) user_data;

  g_object_set (fixture->notifier, "min-interval-ms", 200, NULL);
  send_html (fixture, "1", "a1", NULL, &a[0]);
  send_html (fixture, "1", "a2", NULL, &a[1]);
  send_html (fixture, "1", "a3", NULL, &a[2]);
  send_html (fixture, "2", "b1", NULL, &b);
  run_until (&a[2].done);
  run_until (&b.done);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_no_error (a[i].error);
      g_assert_true (a[i].ok);
    }
  g_assert_no_error (b.error);

  a1 = find_request (fixture, "1", "a1");
  a2 = find_request (fixture, "1", "a2");
  a3 = find_request (fixture, "1", "a3");
  b1 = find_request (fixture, "2", "b1");
  g_assert_cmpint (a2->arrival_us - a1->arrival_us, >=, interval_us);
  g_assert_cmpint (a3->arrival_us - a2->arrival_us, >=, interval_us);
  /* The other chat went at once, not behind the first chat's queue. */
  g_assert_cmpint (b1->arrival_us, <, a2->arrival_us);
  g_assert_true (b.finished_us < a[1].finished_us);
  /* Results come back in order within a chat. */
  g_assert_true (a[0].finished_us <= a[1].finished_us);
  g_assert_true (a[1].finished_us <= a[2].finished_us);
  for (guint i = 0; i < 3; i++)
    result_clear (&a[i]);
  result_clear (&b);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(GCancellable) queued = g_cancellable_new ();
  g_autoptr(GCancellable) in_flight = g_cancellable_new ();
  g_autoptr(GCancellable) retrying = g_cancellable_new ();
  g_autoptr(GCancellable) early = g_cancellable_new ();
  Result first = { 0 };
  Result waiting = { 0 };
  Result flying = { 0 };
  Result retry = { 0 };
  Result before = { 0 };
  Result after = { 0 };
  gint64 start;

  (void) user_data;

  /* Waiting in the queue behind a long interval. */
  g_object_set (fixture->notifier, "min-interval-ms", 60000, NULL);
  send_html (fixture, "1", "first", NULL, &first);
  send_html (fixture, "1", "second", queued, &waiting);
  run_until (&first.done);
  g_assert_true (first.ok);
  start = g_get_monotonic_time ();
  g_cancellable_cancel (queued);
  run_until (&waiting.done);
  g_assert_error (waiting.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->requests->len, ==, 1);

  /* In flight: the server never answers. */
  script_pause (fixture);
  send_html (fixture, "2", "hang", in_flight, &flying);
  run_until_requests (fixture, 2);
  g_cancellable_cancel (in_flight);
  run_until (&flying.done);
  g_assert_error (flying.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Waiting for a retry after a 500. */
  g_object_set (fixture->notifier, "retry-base-ms", 60000, NULL);
  script (fixture, SOUP_STATUS_INTERNAL_SERVER_ERROR, "{\"ok\":false}");
  log_reset ();
  send_html (fixture, "3", "retry", retrying, &retry);
  run_until_logged ("retrying in 60000 ms");
  g_assert_cmpuint (fixture->requests->len, ==, 3);
  g_cancellable_cancel (retrying);
  run_until (&retry.done);
  g_assert_error (retry.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Cancelled before it starts: nothing is sent. */
  g_cancellable_cancel (early);
  send_html (fixture, "4", "never", early, &before);
  run_until (&before.done);
  g_assert_error (before.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->requests->len, ==, 3);

  /* The queues still work afterwards. */
  send_html (fixture, "5", "after", NULL, &after);
  run_until (&after.done);
  g_assert_no_error (after.error);
  g_assert_cmpuint (fixture->requests->len, ==, 4);

  result_clear (&first);
  result_clear (&waiting);
  result_clear (&flying);
  result_clear (&retry);
  result_clear (&before);
  result_clear (&after);
}

static void
test_photo (Fixture       *fixture,
            gconstpointer  user_data)
{
  static const guint8 png_data[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 1, 2, 3 };
  g_autoptr(GBytes) png = g_bytes_new_static (png_data, sizeof png_data);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autofree char *long_caption = g_strnfill (3000, 'c');
  Result result = { 0 };
  Result trimmed = { 0 };
  Result invalid = { 0 };
  Request *request;
  const char *caption;

  (void) user_data;

  /* The first attempt fails with a 500: the photo goes again, whole. */
  script (fixture, SOUP_STATUS_INTERNAL_SERVER_ERROR, "{\"ok\":false}");
  sm_telegram_notifier_send_photo_async (fixture->notifier, NULL, png,
                                         "CPU <web&1>, last hour", NULL,
                                         sent_cb, &result);
  run_until (&result.done);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  request = request_at (fixture, 1);
  g_assert_cmpstr (request->method, ==, "sendPhoto");
  g_assert_cmpstr (request->token, ==, TOKEN);
  g_assert_true (g_str_has_prefix (request->content_type, "multipart/form-data"));
  g_assert_cmpuint (g_hash_table_size (request->fields), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (request->fields, "chat_id"), ==, "42");
  g_assert_cmpstr (g_hash_table_lookup (request->fields, "parse_mode"), ==, "HTML");
  g_assert_cmpstr (g_hash_table_lookup (request->fields, "caption"), ==,
                   "CPU &lt;web&amp;1&gt;, last hour");
  g_assert_cmpstr (request->photo_type, ==, "image/png");
  g_assert_cmpstr (request->photo_filename, ==, "chart.png");
  g_assert_true (g_bytes_equal (request->photo, png));

  /* A caption longer than Telegram takes is cut with "…". */
  sm_telegram_notifier_send_photo_async (fixture->notifier, "7", png,
                                         long_caption, NULL, sent_cb, &trimmed);
  run_until (&trimmed.done);
  g_assert_no_error (trimmed.error);
  request = request_at (fixture, 2);
  caption = g_hash_table_lookup (request->fields, "caption");
  g_assert_cmpstr (g_hash_table_lookup (request->fields, "chat_id"), ==, "7");
  g_assert_cmpint (sm_telegram_html_units (caption), ==, SM_TELEGRAM_MAX_CAPTION);
  g_assert_true (g_str_has_suffix (caption, "c…"));

  /* An empty image is not sent. */
  sm_telegram_notifier_send_photo_async (fixture->notifier, NULL, empty, NULL,
                                         NULL, sent_cb, &invalid);
  run_until (&invalid.done);
  g_assert_error (invalid.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);
  g_assert_cmpuint (fixture->requests->len, ==, 3);

  result_clear (&result);
  result_clear (&trimmed);
  result_clear (&invalid);
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

  g_test_add_func ("/telegram/escape", test_escape);
  g_test_add_func ("/telegram/format", test_format);
  g_test_add_func ("/telegram/format-limits", test_format_limits);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/telegram/payload", test_payload);
  ADD ("/telegram/escaping", test_escaping);
  ADD ("/telegram/test-message", test_test_message);
  ADD ("/telegram/long-message", test_long_message);
  ADD ("/telegram/retry-after", test_retry_after);
  ADD ("/telegram/server-error", test_server_error);
  ADD ("/telegram/unauthorized", test_unauthorized);
  ADD ("/telegram/refused", test_refused);
  ADD ("/telegram/network-error", test_network_error);
  ADD ("/telegram/invalid-settings", test_invalid_settings);
  ADD ("/telegram/rate-limit", test_rate_limit);
  ADD ("/telegram/cancel", test_cancel);
  ADD ("/telegram/photo", test_photo);
#undef ADD

  return g_test_run ();
}
