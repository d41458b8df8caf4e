/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-webhook.c: the webhook channel, a JSON POST through libsoup.
 *
 * A send is one job: its attempts run one after the other, a timer
 * between two of them. Sends do not wait for each other. Everything runs
 * on the main context that was the thread-default one when the notifier
 * was created.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "sm-vault.h"
#include "sm-webhook.h"

/* Nobody waits longer than this for a Retry-After, whatever the server
 * says. */
#define MAX_RETRY_AFTER_S      3600
/* Exponential backoff stops growing here. */
#define MAX_BACKOFF_MS         (5 * 60 * 1000)
#define DEFAULT_TIMEOUT_S      15
/* libsoup 3.2 has no name for it. */
#define HTTP_TOO_MANY_REQUESTS 429

struct _SmWebhookNotifier
{
  GObject          parent_instance;

  /* Settings. */
  char            *name;
  char            *format_text;
  SmSecret        *url;
  guint            retry_base_ms;
  guint            max_attempts;
  guint            timeout_s;

  /* Owned references. */
  GMainContext    *context;
  SoupSession     *session;
};

static void sm_webhook_notifier_iface_init (SmNotifierInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmWebhookNotifier, sm_webhook_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_NOTIFIER,
                                                      sm_webhook_notifier_iface_init))

enum {
  PROP_0,
  PROP_NAME,
  PROP_FORMAT,
  PROP_RETRY_BASE_MS,
  PROP_MAX_ATTEMPTS,
  PROP_TIMEOUT_S,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* One send on its way; the task data of its GTask, which holds the
 * notifier. */
typedef struct {
  GBytes       *payload;
  char         *display;      /* the URL as it may be shown */
  guint         attempt;
  SoupMessage  *message;
  GInputStream *stream;
  guint8       *buffer;       /* SM_WEBHOOK_MAX_RESPONSE bytes */
  GSource      *timer;
  GSource      *cancel_source;
} Job;

static void job_start_attempt (GTask *task);

/* Formats. */

static const char * const format_names[] = { "generic", "slack", "discord" };

const char *
sm_webhook_format_to_string (SmWebhookFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_names), NULL);

  return format_names[format];
}

gboolean
sm_webhook_format_from_string (const char      *text,
                               SmWebhookFormat *out_format)
{
  if (text == NULL || *text == '\0')
    {
      if (out_format != NULL)
        *out_format = SM_WEBHOOK_FORMAT_GENERIC;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    {
      if (g_strcmp0 (text, format_names[i]) == 0)
        {
          if (out_format != NULL)
            *out_format = (SmWebhookFormat) i;
          return TRUE;
        }
    }
  return FALSE;
}

static const char *
kind_to_string (SmNotificationKind kind)
{
  switch (kind)
    {
    case SM_NOTIFICATION_FIRING:
      return "firing";
    case SM_NOTIFICATION_ESCALATED:
      return "escalated";
    case SM_NOTIFICATION_RESOLVED:
      return "resolved";
    case SM_NOTIFICATION_FLAPPING:
      return "flapping";
    case SM_NOTIFICATION_TEST:
      return "test";
    default:
      g_assert_not_reached ();
    }
}

/* The translated word in front of the summary line; NULL for a test. */
static const char *
marker_for (const SmNotification *notification)
{
  gboolean critical = notification->severity == SM_SEVERITY_CRITICAL;

  switch (notification->kind)
    {
    case SM_NOTIFICATION_FIRING:
      return critical ? _("CRITICAL") : _("WARNING");
    case SM_NOTIFICATION_ESCALATED:
      return critical ? _("CRITICAL (escalated)") : _("WARNING (escalated)");
    case SM_NOTIFICATION_RESOLVED:
      return _("RESOLVED");
    case SM_NOTIFICATION_FLAPPING:
      return _("FLAPPING");
    case SM_NOTIFICATION_TEST:
    default:
      return NULL;
    }
}

char *
sm_webhook_summary (const SmNotification *notification)
{
  const char *marker;
  g_autofree char *title = NULL;
  GString *out;

  g_return_val_if_fail (notification != NULL, NULL);

  marker = marker_for (notification);
  title = g_utf8_make_valid (notification->title != NULL
                             ? notification->title : "", -1);
  out = g_string_new (marker);
  if (notification->server != NULL && *notification->server != '\0')
    {
      g_autofree char *server = g_utf8_make_valid (notification->server, -1);

      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, server);
      if (*title != '\0')
        g_string_append_c (out, ':');
    }
  if (*title != '\0')
    {
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, title);
    }
  g_strdelimit (out->str, "\r\n", ' ');
  return g_string_free (out, FALSE);
}

/* The body as plain text without trailing space, or NULL when empty. */
static char *
body_text (const SmNotification *notification)
{
  char *body;

  if (notification->body == NULL)
    return NULL;
  body = g_utf8_make_valid (notification->body, -1);
  g_strchomp (body);
  if (*body == '\0')
    {
      g_free (body);
      return NULL;
    }
  return body;
}

static char *
escape_slack (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 16);

  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '&':
          g_string_append (out, "&amp;");
          break;
        case '<':
          g_string_append (out, "&lt;");
          break;
        case '>':
          g_string_append (out, "&gt;");
          break;
        default:
          g_string_append_c (out, *p);
          break;
        }
    }
  return g_string_free (out, FALSE);
}

/* text cut to max_units UTF-16 units, ending in "…" if cut. */
static char *
truncate_units (const char *text,
                gsize       max_units)
{
  gsize units = 0;
  const char *p;
  const char *cut = NULL;

  g_assert (max_units >= 1);

  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gsize u = g_utf8_get_char (p) >= 0x10000 ? 2 : 1;

      if (cut == NULL && units + u > max_units - 1)
        cut = p;
      units += u;
      if (units > max_units)
        {
          g_autofree char *head = g_strndup (text, cut - text);

          return g_strconcat (head, "…", NULL);
        }
    }
  return g_strdup (text);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

char *
sm_webhook_format_payload (const SmNotification *notification,
                           SmWebhookFormat       format)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;

  g_return_val_if_fail (notification != NULL, NULL);

  summary = sm_webhook_summary (notification);
  body = body_text (notification);

  json_builder_begin_object (builder);
  switch (format)
    {
    case SM_WEBHOOK_FORMAT_GENERIC:
      {
        g_autofree char *server = NULL;
        g_autofree char *title = NULL;
        g_autoptr(GDateTime) time = NULL;
        g_autofree char *iso = NULL;

        if (notification->server != NULL)
          server = g_utf8_make_valid (notification->server, -1);
        title = g_utf8_make_valid (notification->title != NULL
                                   ? notification->title : "", -1);
        time = g_date_time_new_from_unix_utc (notification->time);
        if (time != NULL)
          iso = g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");

        json_builder_set_member_name (builder, "kind");
        json_builder_add_string_value (builder, kind_to_string (notification->kind));
        json_builder_set_member_name (builder, "severity");
        json_builder_add_string_value (builder, sm_severity_to_string (notification->severity));
        json_builder_set_member_name (builder, "alert_id");
        json_builder_add_int_value (builder, notification->alert_id);
        add_string_or_null (builder, "server", server);
        add_string_or_null (builder, "title", title);
        add_string_or_null (builder, "body", body);
        json_builder_set_member_name (builder, "value");
        if (isfinite (notification->value))
          json_builder_add_double_value (builder, notification->value);
        else
          json_builder_add_null_value (builder);
        add_string_or_null (builder, "time", iso);
      }
      break;

    case SM_WEBHOOK_FORMAT_SLACK:
      {
        g_autofree char *summary_esc = escape_slack (summary);
        g_autofree char *text = NULL;

        if (body != NULL)
          {
            g_autofree char *body_esc = escape_slack (body);

            text = g_strdup_printf ("*%s*\n%s", summary_esc, body_esc);
          }
        else
          {
            text = g_strdup_printf ("*%s*", summary_esc);
          }
        json_builder_set_member_name (builder, "text");
        json_builder_add_string_value (builder, text);
      }
      break;

    case SM_WEBHOOK_FORMAT_DISCORD:
      {
        g_autofree char *text = NULL;
        g_autofree char *content = NULL;

        if (body != NULL)
          text = g_strdup_printf ("**%s**\n%s", summary, body);
        else
          text = g_strdup_printf ("**%s**", summary);
        content = truncate_units (text, SM_WEBHOOK_DISCORD_MAX);
        json_builder_set_member_name (builder, "content");
        json_builder_add_string_value (builder, content);
        /* Nobody is pinged, whatever the text says. */
        json_builder_set_member_name (builder, "allowed_mentions");
        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "parse");
        json_builder_begin_array (builder);
        json_builder_end_array (builder);
        json_builder_end_object (builder);
      }
      break;

    default:
      g_return_val_if_reached (NULL);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Settings checks and errors. */

char *
sm_webhook_display_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;
  int port;

  if (url != NULL)
    uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (_("(invalid URL)"));

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  port = g_uri_get_port (uri);
  if (strchr (host, ':') != NULL)
    return port > 0 ? g_strdup_printf ("%s://[%s]:%d/…", scheme, host, port)
                    : g_strdup_printf ("%s://[%s]/…", scheme, host);
  return port > 0 ? g_strdup_printf ("%s://%s:%d/…", scheme, host, port)
                  : g_strdup_printf ("%s://%s/…", scheme, host);
}

static gboolean
url_is_valid (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  return uri != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "http") == 0) &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

/* text with the URL, and its path and query, replaced by the display
 * form, so that no part of the secret survives. */
static char *
redact (SmWebhookNotifier *self,
        const char        *text)
{
  GString *out = g_string_new (text != NULL ? text : "");
  g_autoptr(GUri) uri = NULL;

  if (self->url == NULL || *self->url == '\0')
    return g_string_free (out, FALSE);

  g_string_replace (out, self->url, "<url>", 0);
  uri = g_uri_parse (self->url, G_URI_FLAGS_ENCODED, NULL);
  if (uri != NULL)
    {
      const char *path = g_uri_get_path (uri);
      const char *query = g_uri_get_query (uri);

      if (query != NULL && *query != '\0')
        g_string_replace (out, query, "…", 0);
      if (path != NULL && strlen (path) > 1)
        g_string_replace (out, path, "/…", 0);
    }
  return g_string_free (out, FALSE);
}

/* At most SM_WEBHOOK_MAX_EXCERPT characters of an answer's body, valid
 * UTF-8, control characters as spaces, the URL's secret parts removed. */
static char *
excerpt (SmWebhookNotifier *self,
         const guint8      *data,
         gsize              len)
{
  g_autofree char *valid = g_utf8_make_valid ((const char *) data, len);
  g_autofree char *redacted = NULL;
  GString *out = g_string_new (NULL);
  guint n = 0;

  g_strstrip (valid);
  redacted = redact (self, valid);
  for (const char *p = redacted; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n == SM_WEBHOOK_MAX_EXCERPT)
        {
          g_string_append (out, "…");
          break;
        }
      if (g_unichar_iscntrl (c) || g_unichar_isspace (c))
        {
          if (out->len == 0 || out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else
        {
          g_string_append_unichar (out, c);
        }
      n++;
    }
  return g_string_free (out, FALSE);
}

/* Jobs. */

static void
job_free (gpointer data)
{
  Job *job = data;

  g_assert (job->timer == NULL);
  g_assert (job->cancel_source == NULL);

  g_clear_object (&job->message);
  g_clear_object (&job->stream);
  g_clear_pointer (&job->payload, g_bytes_unref);
  g_clear_pointer (&job->buffer, g_free);
  g_free (job->display);
  g_free (job);
}

/* The send is over: its sources go, then the caller is told (its
 * callback may drop the last reference on the notifier). Takes error. */
static void
job_done (GTask  *task,
          GError *error)
{
  Job *job = g_task_get_task_data (task);

  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_clear_pointer (&job->timer, g_source_unref);
    }
  if (job->cancel_source != NULL)
    {
      g_source_destroy (job->cancel_source);
      g_clear_pointer (&job->cancel_source, g_source_unref);
    }
  if (job->stream != NULL)
    {
      g_input_stream_close_async (job->stream, G_PRIORITY_DEFAULT, NULL,
                                  NULL, NULL);
      g_clear_object (&job->stream);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
retry_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  Job *job = g_task_get_task_data (task);

  g_clear_pointer (&job->timer, g_source_unref);
  job_start_attempt (task);
  return G_SOURCE_REMOVE;
}

/* Retries after delay_ms if attempts are left, else ends the send with
 * error. Takes error. */
static void
job_retry_or_fail (GTask  *task,
                   guint   delay_ms,
                   GError *error)
{
  SmWebhookNotifier *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  if (job->attempt >= self->max_attempts)
    {
      job_done (task, error);
      return;
    }
  g_debug ("Webhook %s: attempt %u to %s failed (%s); retrying in %u ms",
           self->name, job->attempt, job->display, error->message, delay_ms);
  g_error_free (error);
  g_clear_object (&job->message);
  if (job->stream != NULL)
    {
      g_input_stream_close_async (job->stream, G_PRIORITY_DEFAULT, NULL,
                                  NULL, NULL);
      g_clear_object (&job->stream);
    }

  job->timer = g_timeout_source_new (delay_ms);
  g_source_set_name (job->timer, "[sm-webhook] retry");
  g_source_set_callback (job->timer, retry_timer_cb, task, NULL);
  g_source_attach (job->timer, self->context);
}

static guint
backoff_ms (SmWebhookNotifier *self,
            guint              attempt)
{
  guint64 delay = self->retry_base_ms;

  for (guint i = 1; i < attempt && delay < MAX_BACKOFF_MS; i++)
    delay *= 2;
  return (guint) MIN (delay, MAX_BACKOFF_MS);
}

/* Seconds from a Retry-After header: a number of seconds, else 1. */
static guint
retry_after_s (SoupMessage *message)
{
  const char *value;
  guint64 seconds;

  value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                        "Retry-After");
  if (value == NULL)
    return 1;
  while (*value == ' ')
    value++;
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &seconds, NULL))
    {
      g_autoptr(GDateTime) when = NULL;
      g_autoptr(GDateTime) now = NULL;

      /* An HTTP date. */
      when = soup_date_time_new_from_http_string (value);
      if (when == NULL)
        return 1;
      now = g_date_time_new_now_utc ();
      seconds = g_date_time_compare (when, now) > 0
                ? (guint64) (g_date_time_difference (when, now) / G_USEC_PER_SEC)
                : 0;
    }
  return (guint) MIN (seconds, MAX_RETRY_AFTER_S);
}

/* "404 Not Found: <excerpt>", or without the excerpt when it is empty. */
static char *
status_text (guint       status,
             const char *detail)
{
  const char *phrase = soup_status_get_phrase (status);

  if (phrase == NULL || *phrase == '\0')
    phrase = "";
  if (detail == NULL || *detail == '\0')
    return g_strstrip (g_strdup_printf ("%u %s", status, phrase));
  return g_strdup_printf ("%u %s: %s", status, phrase, detail);
}

/* The answer (or its first SM_WEBHOOK_MAX_RESPONSE bytes) is in. */
static void
body_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  SmWebhookNotifier *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *answer = NULL;
  gsize len = 0;
  guint status;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &len,
                                       &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          job_done (task, g_steal_pointer (&error));
          return;
        }
      /* The status line is what counts; a body cut short is no reason to
       * send again. */
      len = 0;
    }

  status = soup_message_get_status (job->message);
  detail = excerpt (self, job->buffer, len);
  g_debug ("Webhook %s: %s answered %u", self->name, job->display, status);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      job_done (task, NULL);
      return;
    }

  if (status == HTTP_TOO_MANY_REQUESTS)
    {
      job_retry_or_fail (task, retry_after_s (job->message) * 1000,
                         g_error_new (SM_NOTIFIER_ERROR,
                                      SM_NOTIFIER_ERROR_UNAVAILABLE,
                                      _("The webhook at %s kept asking to slow down (429 Too Many Requests) after %u attempts; the message was not sent."),
                                      job->display, job->attempt));
      return;
    }
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      answer = status_text (status, detail);
      job_done (task, g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_AUTH,
                                   _("The webhook at %s refused access (%s). Check the URL in Preferences."),
                                   job->display, answer));
      return;
    }
  if (SOUP_STATUS_IS_CLIENT_ERROR (status))
    {
      answer = status_text (status, detail);
      job_done (task, g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_REFUSED,
                                   _("The webhook at %s refused the message (%s)."),
                                   job->display, answer));
      return;
    }
  if (SOUP_STATUS_IS_SERVER_ERROR (status))
    {
      answer = status_text (status, NULL);
      job_retry_or_fail (task, backoff_ms (self, job->attempt),
                         g_error_new (SM_NOTIFIER_ERROR,
                                      SM_NOTIFIER_ERROR_UNAVAILABLE,
                                      _("The webhook at %s is unavailable (%s) after %u attempts."),
                                      job->display, answer, job->attempt));
      return;
    }
  answer = status_text (status, NULL);
  /* Redirects are not followed: the payload goes only where the user
   * said. */
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      job_done (task, g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_PROTOCOL,
                                   _("The webhook at %s answered with a redirect (%s), which Status Monitor does not follow. Check the URL in Preferences."),
                                   job->display, answer));
      return;
    }
  job_done (task, g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_PROTOCOL,
                               _("The webhook at %s answered %s, which Status Monitor does not understand."),
                               job->display, answer));
}

static void
response_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  SmWebhookNotifier *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  job->stream = soup_session_send_finish (SOUP_SESSION (source), result,
                                          &error);
  if (job->stream == NULL)
    {
      g_autofree char *detail = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          job_done (task, g_steal_pointer (&error));
          return;
        }
      detail = redact (self, error->message);
      job_retry_or_fail (task, backoff_ms (self, job->attempt),
                         g_error_new (SM_NOTIFIER_ERROR,
                                      SM_NOTIFIER_ERROR_UNAVAILABLE,
                                      _("Could not reach the webhook at %s after %u attempts: %s"),
                                      job->display, job->attempt, detail));
      return;
    }

  if (job->buffer == NULL)
    job->buffer = g_malloc (SM_WEBHOOK_MAX_RESPONSE);
  g_input_stream_read_all_async (job->stream, job->buffer,
                                 SM_WEBHOOK_MAX_RESPONSE, G_PRIORITY_DEFAULT,
                                 g_task_get_cancellable (task),
                                 body_read_cb, task);
}

static void
job_start_attempt (GTask *task)
{
  SmWebhookNotifier *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  job->attempt++;
  g_clear_object (&job->message);
  /* The message's own GUri keeps a copy of the URL; libsoup offers no
   * guarded storage for it. */
  job->message = soup_message_new (SOUP_METHOD_POST, self->url);
  g_assert (job->message != NULL);   /* the settings were checked */
  soup_message_add_flags (job->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (job->message, "application/json",
                                            job->payload);

  g_debug ("Webhook %s: POST %s (attempt %u of %u)", self->name,
           job->display, job->attempt, self->max_attempts);
  soup_session_send_async (self->session, job->message, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), response_cb, task);
}

/* The send's cancellable fired: a send waiting for a retry ends now, one
 * in flight when libsoup reports the cancellation. */
static gboolean
send_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Job *job = g_task_get_task_data (task);

  g_clear_pointer (&job->cancel_source, g_source_unref);
  if (job->timer != NULL)
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (cancellable, &error);
      job_done (task, error);
    }
  return G_SOURCE_REMOVE;
}

/* Sending. */

static void
sm_webhook_notifier_send_async (SmNotifier           *notifier,
                                const SmNotification *notification,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  SmWebhookNotifier *self = SM_WEBHOOK_NOTIFIER (notifier);
  g_autoptr(GTask) task = NULL;
  SmWebhookFormat format;
  char *json;
  Job *job;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_webhook_notifier_send_async);
  g_task_set_name (task, "[sm-webhook] send");

  if (!url_is_valid (self->url))
    {
      g_task_return_new_error (task, SM_NOTIFIER_ERROR,
                               SM_NOTIFIER_ERROR_INVALID,
                               _("The webhook URL is not an http or https URL. Check it in Preferences."));
      return;
    }
  if (!sm_webhook_format_from_string (self->format_text, &format))
    {
      g_task_return_new_error (task, SM_NOTIFIER_ERROR,
                               SM_NOTIFIER_ERROR_INVALID,
                               _("The webhook format “%s” is not known: use generic, slack or discord."),
                               self->format_text);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  job = g_new0 (Job, 1);
  json = sm_webhook_format_payload (notification, format);
  job->payload = g_bytes_new_take (json, strlen (json));
  job->display = sm_webhook_display_url (self->url);
  g_task_set_task_data (task, job, job_free);

  if (cancellable != NULL)
    {
      job->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (job->cancel_source,
                             G_SOURCE_FUNC (send_cancelled_cb), task, NULL);
      g_source_attach (job->cancel_source, self->context);
    }

  /* The job's reference, dropped by job_done. */
  job_start_attempt (g_object_ref (task));
}

static gboolean
sm_webhook_notifier_send_finish (SmNotifier    *notifier,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, notifier), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
sm_webhook_notifier_get_name (SmNotifier *notifier)
{
  return SM_WEBHOOK_NOTIFIER (notifier)->name;
}

/* The object. */

SmWebhookNotifier *
sm_webhook_notifier_new (const char *name,
                         const char *url,
                         const char *format)
{
  SmWebhookNotifier *self;

  self = g_object_new (SM_TYPE_WEBHOOK_NOTIFIER,
                       "name", name,
                       "format", format,
                       NULL);
  self->url = sm_secret_dup (url);
  return self;
}

SmWebhookFormat
sm_webhook_notifier_get_format (SmWebhookNotifier *self)
{
  SmWebhookFormat format = SM_WEBHOOK_FORMAT_GENERIC;

  g_return_val_if_fail (SM_IS_WEBHOOK_NOTIFIER (self), SM_WEBHOOK_FORMAT_GENERIC);

  sm_webhook_format_from_string (self->format_text, &format);
  return format;
}

static void
sm_webhook_notifier_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SmWebhookNotifier *self = SM_WEBHOOK_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_FORMAT:
      g_value_set_string (value, self->format_text);
      break;
    case PROP_RETRY_BASE_MS:
      g_value_set_uint (value, self->retry_base_ms);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_TIMEOUT_S:
      g_value_set_uint (value, self->timeout_s);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_prop (GObject      *object,
               guint        *field,
               const GValue *value,
               GParamSpec   *pspec)
{
  guint v = g_value_get_uint (value);

  if (*field != v)
    {
      *field = v;
      g_object_notify_by_pspec (object, pspec);
    }
}

static void
sm_webhook_notifier_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SmWebhookNotifier *self = SM_WEBHOOK_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_strdup (g_value_get_string (value) != NULL
                             ? g_value_get_string (value) : "webhook");
      break;
    case PROP_FORMAT:
      g_free (self->format_text);
      self->format_text = g_strdup (g_value_get_string (value) != NULL
                                    ? g_value_get_string (value) : "generic");
      break;
    case PROP_RETRY_BASE_MS:
      set_uint_prop (object, &self->retry_base_ms, value, pspec);
      break;
    case PROP_MAX_ATTEMPTS:
      set_uint_prop (object, &self->max_attempts, value, pspec);
      break;
    case PROP_TIMEOUT_S:
      set_uint_prop (object, &self->timeout_s, value, pspec);
      soup_session_set_timeout (self->session, self->timeout_s);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_webhook_notifier_finalize (GObject *object)
{
  SmWebhookNotifier *self = SM_WEBHOOK_NOTIFIER (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->url, sm_secret_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->format_text, g_free);

  G_OBJECT_CLASS (sm_webhook_notifier_parent_class)->finalize (object);
}

static void
sm_webhook_notifier_iface_init (SmNotifierInterface *iface)
{
  iface->get_name = sm_webhook_notifier_get_name;
  iface->send_async = sm_webhook_notifier_send_async;
  iface->send_finish = sm_webhook_notifier_send_finish;
}

static void
sm_webhook_notifier_class_init (SmWebhookNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sm_webhook_notifier_finalize;
  object_class->get_property = sm_webhook_notifier_get_property;
  object_class->set_property = sm_webhook_notifier_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "webhook",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_FORMAT] =
    g_param_spec_string ("format", NULL, NULL, "generic",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  /* The first backoff delay after a 5xx or network error; doubled on
   * every further attempt. */
  properties[PROP_RETRY_BASE_MS] =
    g_param_spec_uint ("retry-base-ms", NULL, NULL, 0, G_MAXUINT, 1000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  /* Attempts per message in all, the first one included. */
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL, 1, 100, 5,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  /* Seconds a request may wait for the server to read or write. */
  properties[PROP_TIMEOUT_S] =
    g_param_spec_uint ("timeout-s", NULL, NULL, 1, 600, DEFAULT_TIMEOUT_S,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sm_webhook_notifier_init (SmWebhookNotifier *self)
{
  self->retry_base_ms = 1000;
  self->max_attempts = 5;
  self->timeout_s = DEFAULT_TIMEOUT_S;
  self->context = g_main_context_ref_thread_default ();
  self->session = soup_session_new_with_options ("timeout", DEFAULT_TIMEOUT_S,
                                                 "user-agent", PACKAGE_NAME "/" PACKAGE_VERSION,
                                                 NULL);
}
