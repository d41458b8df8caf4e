/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-telegram.c: the Telegram channel, through the Bot API (sendMessage,
 * sendPhoto).
 *
 * A send becomes one or more jobs, one per message, appended together to
 * the queue of their chat so that the parts of one notification are never
 * interleaved with another's. A queue sends one job at a time: the job at
 * its head ("current") is either in flight or waiting for a retry, and the
 * next one starts no sooner than min-interval-ms after the previous answer
 * came back, so two requests to one chat are always at least that far
 * apart when they reach the server. Queues of different chats do not wait
 * for each other.
 *
 * Everything runs on the main context that was the thread-default one
 * when the notifier was created.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sm-telegram.h"
#include "sm-vault.h"

/* Nobody waits longer than this for a retry_after, whatever the server
 * says. */
#define MAX_RETRY_AFTER_S     3600
/* Exponential backoff stops growing here. */
#define MAX_BACKOFF_MS        (5 * 60 * 1000)
/* Title and server name are cut to this many UTF-16 units. */
#define MAX_TITLE_UNITS       512
#define MAX_SERVER_UNITS      256
/* Room kept in every part for "\n…" and "\n(10/10)". */
#define PART_SUFFIX_RESERVE   16
#define HTTP_TIMEOUT_S        30
/* libsoup 3.2 has no name for it. */
#define HTTP_TOO_MANY_REQUESTS 429

struct _SmTelegramNotifier
{
  GObject       parent_instance;

  /* Settings. */
  char         *name;
  char         *chat_id;
  char         *api_base;
  SmSecret     *token;
  guint         min_interval_ms;
  guint         retry_base_ms;
  guint         max_attempts;

  /* Owned references. */
  GMainContext *context;
  SoupSession  *session;
  GHashTable   *queues;          /* chat id -> ChatQueue */
};

static void sm_telegram_notifier_iface_init (SmNotifierInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmTelegramNotifier, sm_telegram_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_NOTIFIER,
                                                      sm_telegram_notifier_iface_init))

enum {
  PROP_0,
  PROP_NAME,
  PROP_CHAT_ID,
  PROP_API_BASE,
  PROP_MIN_INTERVAL_MS,
  PROP_RETRY_BASE_MS,
  PROP_MAX_ATTEMPTS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

typedef struct _ChatQueue ChatQueue;

/* One message on its way. It holds a reference on its send's task, and
 * the task holds the notifier. */
typedef struct {
  GTask       *task;
  ChatQueue   *queue;
  char        *text;      /* HTML: the message, or the photo's caption */
  GBytes      *photo;     /* PNG for sendPhoto, NULL for sendMessage */
  guint        attempt;
  SoupMessage *message;
} Job;

struct _ChatQueue {
  SmTelegramNotifier *self;
  char               *chat_id;
  GQueue              jobs;          /* Job *, waiting their turn */
  Job                *current;       /* in flight, or waiting for a retry */
  gint64              next_send_us;  /* monotonic */
  GSource            *timer;
};

/* The task data of one send. */
typedef struct {
  ChatQueue *queue;
  guint      n_left;
  GSource   *cancel_source;
} SendData;

static void chat_queue_kick   (ChatQueue *queue);
static void job_start_attempt (Job       *job);

/* Text helpers. */

static gsize
utf16_units (const char *text,
             gssize      len)
{
  const char *end = len < 0 ? text + strlen (text) : text + len;
  gsize units = 0;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    units += g_utf8_get_char (p) >= 0x10000 ? 2 : 1;
  return units;
}

char *
sm_telegram_escape_html (const char *text)
{
  g_autofree char *valid = NULL;
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  valid = g_utf8_make_valid (text, -1);
  out = g_string_sized_new (strlen (valid) + 16);
  for (const char *p = valid; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '<':
          g_string_append (out, "&lt;");
          break;
        case '>':
          g_string_append (out, "&gt;");
          break;
        case '&':
          g_string_append (out, "&amp;");
          break;
        default:
          g_string_append_c (out, *p);
          break;
        }
    }
  return g_string_free (out, FALSE);
}

gssize
sm_telegram_html_units (const char *html)
{
  static const char * const tags[] = { "<b>", "</b>", "<i>", "</i>" };
  static const char * const entities[] = { "&lt;", "&gt;", "&amp;" };
  gboolean in_b = FALSE;
  gboolean in_i = FALSE;
  gssize units = 0;
  const char *p = html;

  g_return_val_if_fail (html != NULL, -1);

  if (!g_utf8_validate (html, -1, NULL))
    return -1;

  while (*p != '\0')
    {
      if (*p == '<')
        {
          gboolean known = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
            {
              if (g_str_has_prefix (p, tags[i]))
                {
                  gboolean *open = i < 2 ? &in_b : &in_i;
                  gboolean closing = i % 2 == 1;

                  if (*open != closing)
                    return -1;
                  *open = !closing;
                  p += strlen (tags[i]);
                  known = TRUE;
                  break;
                }
            }
          if (!known)
            return -1;
        }
      else if (*p == '&')
        {
          gboolean known = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
            {
              if (g_str_has_prefix (p, entities[i]))
                {
                  p += strlen (entities[i]);
                  units++;
                  known = TRUE;
                  break;
                }
            }
          if (!known)
            return -1;
        }
      else if (*p == '>')
        {
          return -1;
        }
      else
        {
          units += g_utf8_get_char (p) >= 0x10000 ? 2 : 1;
          p = g_utf8_next_char (p);
        }
    }
  if (in_b || in_i)
    return -1;
  return units;
}

/* A copy of text cut to max_units UTF-16 units, ending in "…" if cut. */
static char *
truncate_units (const char *text,
                gsize       max_units)
{
  g_autofree char *head = NULL;
  gsize units = 0;
  const char *p;

  g_assert (max_units >= 1);

  if (utf16_units (text, -1) <= max_units)
    return g_strdup (text);

  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gsize u = g_utf8_get_char (p) >= 0x10000 ? 2 : 1;

      if (units + u > max_units - 1)
        break;
      units += u;
    }
  head = g_strndup (text, p - text);
  return g_strconcat (head, "…", NULL);
}

typedef struct {
  char     *plain;
  gboolean  bold;
  gsize     units;
} Line;

static void
line_free (gpointer data)
{
  Line *line = data;

  g_free (line->plain);
  g_free (line);
}

static void
add_line (GPtrArray  *lines,
          const char *text,
          gsize       len,
          gboolean    bold)
{
  Line *line = g_new0 (Line, 1);

  line->plain = g_strndup (text, len);
  line->bold = bold;
  line->units = utf16_units (line->plain, -1);
  g_ptr_array_add (lines, line);
}

/* Where to cut text so that the head holds at most avail units: after the
 * last space in the second half if there is one, else exactly at avail
 * (never inside a character). Sets *out_units to the head's units. */
static const char *
find_cut (const char *text,
          gsize       avail,
          gsize      *out_units)
{
  const char *p = text;
  const char *space = NULL;
  gsize units = 0;
  gsize units_at_space = 0;

  while (*p != '\0')
    {
      gsize u = g_utf8_get_char (p) >= 0x10000 ? 2 : 1;

      if (units + u > avail)
        break;
      units += u;
      p = g_utf8_next_char (p);
      if (p[-1] == ' ' && units >= avail / 2)
        {
          space = p;
          units_at_space = units;
        }
    }
  if (*p != '\0' && space != NULL)
    {
      *out_units = units_at_space;
      return space;
    }
  *out_units = units;
  return p;
}

/* The severity marker of the title line: an emoji, then a word that is
 * translated ("🔴 CRITICAL"); NULL for a test message. */
static char *
marker_for (const SmNotification *notification)
{
  gboolean critical = notification->severity == SM_SEVERITY_CRITICAL;
  const char *emoji = critical ? "🔴" : "🟠";
  const char *word;

  switch (notification->kind)
    {
    case SM_NOTIFICATION_FIRING:
      word = critical ? _("CRITICAL") : _("WARNING");
      break;
    case SM_NOTIFICATION_ESCALATED:
      word = critical ? _("CRITICAL (escalated)") : _("WARNING (escalated)");
      break;
    case SM_NOTIFICATION_RESOLVED:
      emoji = "✅";
      word = _("RESOLVED");
      break;
    case SM_NOTIFICATION_FLAPPING:
      emoji = "🔁";
      word = _("FLAPPING");
      break;
    case SM_NOTIFICATION_TEST:
    default:
      return NULL;
    }
  return g_strconcat (emoji, " ", word, NULL);
}

/* One part: its lines, escaped and joined. */
static char *
render_part (GPtrArray *part,
             gboolean   trimmed,
             guint      index,
             guint      n_parts)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < part->len; i++)
    {
      Line *line = g_ptr_array_index (part, i);
      g_autofree char *escaped = sm_telegram_escape_html (line->plain);

      if (i > 0)
        g_string_append_c (out, '\n');
      if (line->bold)
        g_string_append_printf (out, "<b>%s</b>", escaped);
      else
        g_string_append (out, escaped);
    }
  if (trimmed)
    g_string_append (out, "\n…");
  if (n_parts > 1)
    g_string_append_printf (out, "\n(%u/%u)", index + 1, n_parts);
  return g_string_free (out, FALSE);
}

/* Closes the part being filled: trailing empty lines go, an empty part
 * is dropped. */
static void
flush_part (GPtrArray  *parts,
            GPtrArray **part,
            gsize      *used)
{
  while ((*part)->len > 0 &&
         ((Line *) g_ptr_array_index (*part, (*part)->len - 1))->units == 0)
    g_ptr_array_remove_index (*part, (*part)->len - 1);
  if ((*part)->len > 0)
    g_ptr_array_add (parts, g_steal_pointer (part));
  else
    g_ptr_array_unref (*part);
  *part = g_ptr_array_new_with_free_func (line_free);
  *used = 0;
}

/* Packs lines into parts of at most budget units, newlines included.
 * Whole lines are kept together where they fit; a line longer than a
 * whole part fills what is left of the current one and goes on in the
 * next. A part after the first never starts with an empty line. */
static GPtrArray *
pack_lines (GPtrArray *lines,
            gsize      budget)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *part = g_ptr_array_new_with_free_func (line_free);
  gsize used = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      Line *line = g_ptr_array_index (lines, i);
      const char *rest = line->plain;
      gsize rest_units = line->units;

      for (;;)
        {
          gsize sep = part->len > 0 ? 1 : 0;
          gsize avail = budget - used - MIN (budget - used, sep);
          const char *cut;
          gsize cut_units;

          if (part->len == 0 && parts->len > 0 && rest_units == 0)
            break;
          if (used + sep + rest_units <= budget)
            {
              add_line (part, rest, strlen (rest), line->bold);
              used += sep + rest_units;
              break;
            }
          if (rest_units <= budget || (part->len > 0 && avail < 64))
            {
              flush_part (parts, &part, &used);
              continue;
            }
          cut = find_cut (rest, avail, &cut_units);
          add_line (part, rest, cut - rest, line->bold);
          used += sep + cut_units;
          rest = cut;
          rest_units -= cut_units;
          flush_part (parts, &part, &used);
        }
    }
  flush_part (parts, &part, &used);
  g_ptr_array_unref (part);
  return parts;
}

char **
sm_telegram_format (const SmNotification *notification,
                    gsize                 max_units)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  GPtrArray *out;
  g_autofree char *marker = NULL;
  const char *title;
  guint n_parts;
  gboolean trimmed = FALSE;

  g_return_val_if_fail (notification != NULL, NULL);
  g_return_val_if_fail (max_units >= 64, NULL);

  lines = g_ptr_array_new_with_free_func (line_free);
  marker = marker_for (notification);
  title = notification->title != NULL ? notification->title : "";

  /* The title line: bold, with the marker, except for a test message,
   * which is sent as it is. */
  {
    g_autofree char *valid = g_utf8_make_valid (title, -1);
    g_autofree char *cut = truncate_units (valid, MAX_TITLE_UNITS);
    g_autofree char *head = NULL;

    if (marker != NULL)
      head = *cut != '\0' ? g_strdup_printf ("%s: %s", marker, cut)
                          : g_strdup (marker);
    else
      head = g_strdup (cut);
    g_strdelimit (head, "\r\n", ' ');
    add_line (lines, head, strlen (head), marker != NULL);
  }

  if (notification->server != NULL && *notification->server != '\0')
    {
      g_autofree char *valid = g_utf8_make_valid (notification->server, -1);
      g_autofree char *cut = truncate_units (valid, MAX_SERVER_UNITS);
      /* Translators: %s is the server's name in a Telegram message. */
      g_autofree char *text = g_strdup_printf (_("Server: %s"), cut);

      g_strdelimit (text, "\r\n", ' ');
      add_line (lines, text, strlen (text), FALSE);
    }

  if (notification->body != NULL)
    {
      g_autofree char *body = g_utf8_make_valid (notification->body, -1);
      g_auto(GStrv) body_lines = NULL;

      g_strdelimit (body, "\r", ' ');
      g_strchomp (body);
      if (*body != '\0')
        {
          body_lines = g_strsplit (body, "\n", -1);
          add_line (lines, "", 0, FALSE);
          for (guint i = 0; body_lines[i] != NULL; i++)
            add_line (lines, body_lines[i], strlen (body_lines[i]), FALSE);
        }
    }

  parts = pack_lines (lines, max_units - PART_SUFFIX_RESERVE);
  n_parts = parts->len;
  if (n_parts > SM_TELEGRAM_MAX_PARTS)
    {
      n_parts = SM_TELEGRAM_MAX_PARTS;
      trimmed = TRUE;
    }
  out = g_ptr_array_new ();
  for (guint p = 0; p < n_parts; p++)
    g_ptr_array_add (out, render_part (g_ptr_array_index (parts, p),
                                       trimmed && p + 1 == n_parts,
                                       p, n_parts));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* Settings checks and errors. */

static gboolean
token_is_valid (const char *token)
{
  if (token == NULL || *token == '\0' || strchr (token, ':') == NULL)
    return FALSE;
  for (const char *p = token; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != ':' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
chat_id_is_valid (const char *chat_id)
{
  const char *p = chat_id;

  if (chat_id == NULL || *chat_id == '\0')
    return FALSE;
  if (*p == '@')
    {
      if (p[1] == '\0')
        return FALSE;
      for (p++; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '_')
          return FALSE;
      return TRUE;
    }
  if (*p == '-')
    p++;
  if (*p == '\0')
    return FALSE;
  for (; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
api_base_is_valid (const char *api_base)
{
  g_autoptr(GUri) uri = g_uri_parse (api_base, G_URI_FLAGS_NONE, NULL);

  return uri != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "http") == 0) &&
         g_uri_get_host (uri) != NULL;
}

static gboolean
check_settings (SmTelegramNotifier  *self,
                const char          *chat_id,
                GError             **error)
{
  if (!token_is_valid (self->token))
    {
      g_set_error_literal (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                           _("The Telegram bot token is not valid: it looks like 123456789:ABC-DEF1234ghIkl. Check the token in Preferences."));
      return FALSE;
    }
  if (!chat_id_is_valid (chat_id))
    {
      g_set_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                   _("The Telegram chat id “%s” is not valid: use a number such as -1001234567890 or a channel name such as @mychannel."),
                   chat_id != NULL ? chat_id : "");
      return FALSE;
    }
  if (!api_base_is_valid (self->api_base))
    {
      g_set_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                   _("The Telegram API address “%s” is not an http or https URL."),
                   self->api_base);
      return FALSE;
    }
  return TRUE;
}

/* text with every occurrence of the token replaced by "<token>". */
static char *
redact (SmTelegramNotifier *self,
        const char         *text)
{
  GString *out = g_string_new (text != NULL ? text : "");

  if (self->token != NULL && *self->token != '\0')
    g_string_replace (out, self->token, "<token>", 0);
  return g_string_free (out, FALSE);
}

/* The URL as it may be shown: the token replaced by "<token>". */
static char *
display_url (SmTelegramNotifier *self,
             const char         *method)
{
  return g_strdup_printf ("%s/bot<token>/%s", self->api_base, method);
}

/* Queues and jobs. */

static void
job_free (Job *job)
{
  g_clear_object (&job->message);
  g_clear_object (&job->task);
  g_clear_pointer (&job->photo, g_bytes_unref);
  g_free (job->text);
  g_free (job);
}

static void
chat_queue_free (gpointer data)
{
  ChatQueue *queue = data;

  /* Jobs hold the notifier through their tasks, so none is left here. */
  g_assert (queue->current == NULL);
  g_assert (g_queue_is_empty (&queue->jobs));

  if (queue->timer != NULL)
    {
      g_source_destroy (queue->timer);
      g_clear_pointer (&queue->timer, g_source_unref);
    }
  g_free (queue->chat_id);
  g_free (queue);
}

static ChatQueue *
get_queue (SmTelegramNotifier *self,
           const char         *chat_id)
{
  ChatQueue *queue = g_hash_table_lookup (self->queues, chat_id);

  if (queue == NULL)
    {
      queue = g_new0 (ChatQueue, 1);
      queue->self = self;
      queue->chat_id = g_strdup (chat_id);
      g_queue_init (&queue->jobs);
      g_hash_table_insert (self->queues, queue->chat_id, queue);
    }
  return queue;
}

static gboolean
queue_timer_cb (gpointer user_data)
{
  ChatQueue *queue = user_data;

  g_clear_pointer (&queue->timer, g_source_unref);
  if (queue->current != NULL)
    job_start_attempt (queue->current);
  else
    chat_queue_kick (queue);
  return G_SOURCE_REMOVE;
}

static void
queue_set_timer (ChatQueue *queue,
                 guint      delay_ms)
{
  g_assert (queue->timer == NULL);

  queue->timer = g_timeout_source_new (delay_ms);
  g_source_set_name (queue->timer, "[sm-telegram] queue");
  g_source_set_callback (queue->timer, queue_timer_cb, queue, NULL);
  g_source_attach (queue->timer, queue->self->context);
}

static void
chat_queue_kick (ChatQueue *queue)
{
  gint64 now;

  if (queue->current != NULL || queue->timer != NULL ||
      g_queue_is_empty (&queue->jobs))
    return;

  now = g_get_monotonic_time ();
  if (now < queue->next_send_us)
    {
      queue_set_timer (queue, (queue->next_send_us - now + 999) / 1000);
      return;
    }
  queue->current = g_queue_pop_head (&queue->jobs);
  job_start_attempt (queue->current);
}

/* Ends a send: removes its remaining jobs and its cancel source. */
static void
send_data_detach (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  GList *l = data->queue->jobs.head;

  while (l != NULL)
    {
      GList *next = l->next;
      Job *job = l->data;

      if (job->task == task)
        {
          g_queue_delete_link (&data->queue->jobs, l);
          job_free (job);
        }
      l = next;
    }
  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_clear_pointer (&data->cancel_source, g_source_unref);
    }
}

/* The queue's current job is over, one way or the other: the queue moves
 * on, then the job's send is told (its callback may drop the last
 * reference on the notifier, so nothing is touched after it). */
static void
job_done (Job    *job,
          GError *error)
{
  ChatQueue *queue = job->queue;
  g_autoptr(GTask) task = g_object_ref (job->task);
  SendData *data = g_task_get_task_data (task);

  g_assert (queue->current == job);

  queue->current = NULL;
  queue->next_send_us = g_get_monotonic_time () +
                        (gint64) queue->self->min_interval_ms * 1000;
  job_free (job);

  if (error != NULL)
    {
      send_data_detach (task);
      chat_queue_kick (queue);
      g_task_return_error (task, error);
      return;
    }

  g_assert (data->n_left > 0);
  data->n_left--;
  if (data->n_left == 0)
    send_data_detach (task);
  chat_queue_kick (queue);
  if (data->n_left == 0)
    g_task_return_boolean (task, TRUE);
}

/* Retries the current job after delay_ms if it has attempts left, else
 * ends it with error. Takes error. */
static void
job_retry_or_fail (Job    *job,
                   guint   delay_ms,
                   GError *error)
{
  SmTelegramNotifier *self = job->queue->self;

  if (job->attempt >= self->max_attempts)
    {
      job_done (job, error);
      return;
    }
  g_debug ("Telegram: attempt %u for chat %s failed (%s); retrying in %u ms",
           job->attempt, job->queue->chat_id, error->message, delay_ms);
  g_error_free (error);
  g_clear_object (&job->message);
  queue_set_timer (job->queue, delay_ms);
}

static guint
backoff_ms (SmTelegramNotifier *self,
            guint               attempt)
{
  guint64 delay = self->retry_base_ms;

  for (guint i = 1; i < attempt && delay < MAX_BACKOFF_MS; i++)
    delay *= 2;
  return (guint) MIN (delay, MAX_BACKOFF_MS);
}

typedef struct {
  gboolean  parsed;
  gboolean  ok;
  char     *description;
  gint64    retry_after;   /* -1 when absent */
} ApiReply;

static void
api_reply_parse (ApiReply *reply,
                 GBytes   *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  JsonNode *root;
  JsonObject *object;

  reply->parsed = FALSE;
  reply->ok = FALSE;
  reply->description = NULL;
  reply->retry_after = -1;

  if (data == NULL || len == 0 ||
      !json_parser_load_from_data (parser, data, len, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);
  reply->parsed = TRUE;
  reply->ok = json_object_get_boolean_member_with_default (object, "ok", FALSE);
  reply->description =
    g_strdup (json_object_get_string_member_with_default (object, "description", NULL));
  if (json_object_has_member (object, "parameters"))
    {
      JsonNode *node = json_object_get_member (object, "parameters");

      if (JSON_NODE_HOLDS_OBJECT (node))
        reply->retry_after =
          json_object_get_int_member_with_default (json_node_get_object (node),
                                                   "retry_after", -1);
    }
}

/* The API's description without the reason phrase it repeats ("Bad
 * Request: chat not found" gives "chat not found"), or the phrase. */
static const char *
describe (const char *description,
          const char *phrase)
{
  gsize len = strlen (phrase);

  if (description == NULL || *description == '\0')
    return phrase;
  if (len > 0 && g_ascii_strncasecmp (description, phrase, len) == 0 &&
      description[len] == ':')
    {
      description += len + 1;
      while (*description == ' ')
        description++;
      if (*description != '\0')
        return description;
    }
  return description;
}

static const char *
job_method (Job *job)
{
  return job->photo != NULL ? "sendPhoto" : "sendMessage";
}

static void
response_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  SmTelegramNotifier *self = job->queue->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = display_url (self, job_method (job));
  g_autofree char *description = NULL;
  ApiReply reply;
  guint status;
  const char *phrase;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                            &error);
  if (error != NULL)
    {
      g_autofree char *detail = redact (self, error->message);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          job_done (job, g_steal_pointer (&error));
          return;
        }
      job_retry_or_fail (job, backoff_ms (self, job->attempt),
                         g_error_new (SM_NOTIFIER_ERROR,
                                      SM_NOTIFIER_ERROR_UNAVAILABLE,
                                      _("Could not reach Telegram at %s: %s"),
                                      url, detail));
      return;
    }

  status = soup_message_get_status (job->message);
  phrase = soup_status_get_phrase (status);
  if (phrase == NULL)
    phrase = "";
  api_reply_parse (&reply, body);
  description = redact (self, describe (reply.description, phrase));
  g_free (reply.description);
  g_debug ("Telegram: %s answered %u for chat %s", url, status,
           job->queue->chat_id);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      if (!reply.parsed || !reply.ok)
        job_done (job, g_error_new (SM_NOTIFIER_ERROR,
                                    SM_NOTIFIER_ERROR_PROTOCOL,
                                    _("Telegram at %s sent an answer that is not a Bot API reply."),
                                    url));
      else
        job_done (job, NULL);
      return;
    }

  switch (status)
    {
    case HTTP_TOO_MANY_REQUESTS:
      {
        gint64 after = reply.retry_after >= 0 ? reply.retry_after : 1;

        after = MIN (after, MAX_RETRY_AFTER_S);
        job_retry_or_fail (job, (guint) after * 1000,
                           g_error_new (SM_NOTIFIER_ERROR,
                                        SM_NOTIFIER_ERROR_UNAVAILABLE,
                                        _("Telegram kept asking to slow down (429 Too Many Requests: %s); the message was not sent."),
                                        description));
      }
      return;

    case SOUP_STATUS_UNAUTHORIZED:
      job_done (job, g_error_new_literal (SM_NOTIFIER_ERROR,
                                          SM_NOTIFIER_ERROR_AUTH,
                                          _("Telegram refused the bot token (401 Unauthorized). Check the token in Preferences.")));
      return;

    case SOUP_STATUS_FORBIDDEN:
      job_done (job, g_error_new (SM_NOTIFIER_ERROR,
                                  SM_NOTIFIER_ERROR_REFUSED,
                                  _("Telegram refused to post to chat %s (403 Forbidden: %s). Check that the bot is a member of the chat."),
                                  job->queue->chat_id, description));
      return;

    case SOUP_STATUS_NOT_FOUND:
      job_done (job, g_error_new (SM_NOTIFIER_ERROR,
                                  SM_NOTIFIER_ERROR_REFUSED,
                                  _("Telegram does not know this bot (404 Not Found: %s). Check the token and the API address (%s) in Preferences."),
                                  description, url));
      return;

    case SOUP_STATUS_BAD_REQUEST:
      job_done (job, g_error_new (SM_NOTIFIER_ERROR,
                                  SM_NOTIFIER_ERROR_REFUSED,
                                  _("Telegram refused the message (400 Bad Request: %s)."),
                                  description));
      return;

    default:
      break;
    }

  if (SOUP_STATUS_IS_SERVER_ERROR (status))
    job_retry_or_fail (job, backoff_ms (self, job->attempt),
                       g_error_new (SM_NOTIFIER_ERROR,
                                    SM_NOTIFIER_ERROR_UNAVAILABLE,
                                    _("Telegram at %s is unavailable (%u %s) after %u attempts."),
                                    url, status, description, job->attempt));
  else if (SOUP_STATUS_IS_CLIENT_ERROR (status))
    job_done (job, g_error_new (SM_NOTIFIER_ERROR,
                                SM_NOTIFIER_ERROR_REFUSED,
                                _("Telegram refused the message (%u %s)."),
                                status, description));
  else
    job_done (job, g_error_new (SM_NOTIFIER_ERROR,
                                SM_NOTIFIER_ERROR_PROTOCOL,
                                _("Telegram at %s answered %u %s, which Status Monitor does not understand."),
                                url, status, description));
}

/* The sendMessage body: exactly chat_id, text and parse_mode. */
static GBytes *
message_payload (Job *job)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  char *json;
  gsize json_len;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "chat_id");
  json_builder_add_string_value (builder, job->queue->chat_id);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, job->text);
  json_builder_set_member_name (builder, "parse_mode");
  json_builder_add_string_value (builder, "HTML");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &json_len);
  return g_bytes_new_take (json, json_len);
}

static void
job_start_attempt (Job *job)
{
  SmTelegramNotifier *self = job->queue->self;
  const char *method = job_method (job);
  g_autofree char *display = display_url (self, method);
  GString *url;

  job->attempt++;

  /* The real URL holds the token: it is wiped as soon as the message has
   * parsed it (the message's own GUri keeps a copy; libsoup offers no
   * guarded storage for it). */
  url = g_string_new (self->api_base);
  g_string_append (url, "/bot");
  g_string_append (url, self->token);
  g_string_append_c (url, '/');
  g_string_append (url, method);
  g_clear_object (&job->message);
  if (job->photo != NULL)
    {
      SoupMultipart *multipart = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);

      soup_multipart_append_form_string (multipart, "chat_id", job->queue->chat_id);
      if (*job->text != '\0')
        {
          soup_multipart_append_form_string (multipart, "caption", job->text);
          soup_multipart_append_form_string (multipart, "parse_mode", "HTML");
        }
      soup_multipart_append_form_file (multipart, "photo", "chart.png",
                                       "image/png", job->photo);
      job->message = soup_message_new_from_multipart (url->str, multipart);
      soup_multipart_free (multipart);
    }
  else
    {
      g_autoptr(GBytes) payload = message_payload (job);

      job->message = soup_message_new (SOUP_METHOD_POST, url->str);
      if (job->message != NULL)
        soup_message_set_request_body_from_bytes (job->message,
                                                  "application/json", payload);
    }
  memset (url->str, 0, url->len);
  g_string_free (url, TRUE);
  g_assert (job->message != NULL);   /* the settings were checked */

  g_debug ("Telegram: POST %s for chat %s (attempt %u of %u)", display,
           job->queue->chat_id, job->attempt, self->max_attempts);
  soup_session_send_and_read_async (self->session, job->message,
                                    G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (job->task),
                                    response_cb, job);
}

/* The send's cancellable fired: jobs still waiting go, a job waiting for
 * a retry ends now, a job in flight ends when libsoup reports the
 * cancellation. */
static gboolean
send_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);
  ChatQueue *queue = data->queue;
  Job *current = queue->current;

  g_clear_pointer (&data->cancel_source, g_source_unref);

  if (current != NULL && current->task == task)
    {
      if (current->message == NULL && queue->timer != NULL)
        {
          GError *error = NULL;

          g_source_destroy (queue->timer);
          g_clear_pointer (&queue->timer, g_source_unref);
          g_cancellable_set_error_if_cancelled (cancellable, &error);
          job_done (current, error);
        }
      return G_SOURCE_REMOVE;
    }

  /* Nothing of this send is under way: it ends here. */
  {
    g_autoptr(GTask) ref = g_object_ref (task);
    GError *error = NULL;

    g_cancellable_set_error_if_cancelled (cancellable, &error);
    send_data_detach (ref);
    g_task_return_error (ref, error);
  }
  return G_SOURCE_REMOVE;
}

/* Sending. */

static void
send_messages (SmTelegramNotifier  *self,
               const char          *chat_id,
               const char * const  *messages,
               GBytes              *photo,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  ChatQueue *queue;
  SendData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, "[sm-telegram] send");

  if (chat_id == NULL)
    chat_id = self->chat_id;
  if (!check_settings (self, chat_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (messages == NULL || messages[0] == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  queue = get_queue (self, chat_id);
  data = g_new0 (SendData, 1);
  data->queue = queue;
  g_task_set_task_data (task, data, g_free);

  for (guint i = 0; messages[i] != NULL; i++)
    {
      Job *job = g_new0 (Job, 1);

      job->task = g_object_ref (task);
      job->queue = queue;
      job->text = g_strdup (messages[i]);
      job->photo = photo != NULL ? g_bytes_ref (photo) : NULL;
      g_queue_push_tail (&queue->jobs, job);
      data->n_left++;
    }

  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel_source,
                             G_SOURCE_FUNC (send_cancelled_cb), task, NULL);
      g_source_attach (data->cancel_source, self->context);
    }

  chat_queue_kick (queue);
}

void
sm_telegram_notifier_send_html_async (SmTelegramNotifier  *self,
                                      const char          *chat_id,
                                      const char * const  *messages,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (SM_IS_TELEGRAM_NOTIFIER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  send_messages (self, chat_id, messages, NULL, cancellable, callback,
                 user_data, sm_telegram_notifier_send_html_async);
}

void
sm_telegram_notifier_send_photo_async (SmTelegramNotifier  *self,
                                       const char          *chat_id,
                                       GBytes              *png,
                                       const char          *caption,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *valid = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *html = NULL;
  const char *messages[2] = { NULL, NULL };

  g_return_if_fail (SM_IS_TELEGRAM_NOTIFIER (self));
  g_return_if_fail (png != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (g_bytes_get_size (png) == 0 ||
      g_bytes_get_size (png) > SM_TELEGRAM_MAX_PHOTO_SIZE)
    {
      g_task_report_new_error (self, callback, user_data,
                               sm_telegram_notifier_send_photo_async,
                               SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                               _("The chart image is empty or larger than Telegram accepts (10 MB)."));
      return;
    }

  valid = g_utf8_make_valid (caption != NULL ? caption : "", -1);
  cut = truncate_units (valid, SM_TELEGRAM_MAX_CAPTION);
  html = sm_telegram_escape_html (cut);
  messages[0] = html;
  send_messages (self, chat_id, messages, png, cancellable, callback,
                 user_data, sm_telegram_notifier_send_photo_async);
}

static void
sm_telegram_notifier_send_async (SmNotifier           *notifier,
                                 const SmNotification *notification,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  SmTelegramNotifier *self = SM_TELEGRAM_NOTIFIER (notifier);
  g_auto(GStrv) messages = sm_telegram_format (notification,
                                               SM_TELEGRAM_MAX_MESSAGE);

  send_messages (self, NULL, (const char * const *) messages, NULL,
                 cancellable, callback, user_data,
                 sm_telegram_notifier_send_async);
}

static gboolean
sm_telegram_notifier_send_finish (SmNotifier    *notifier,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, notifier), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
sm_telegram_notifier_get_name (SmNotifier *notifier)
{
  return SM_TELEGRAM_NOTIFIER (notifier)->name;
}

void
sm_telegram_notifier_send_test_async (SmTelegramNotifier  *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (SM_IS_TELEGRAM_NOTIFIER (self));

  sm_notifier_send_test_async (SM_NOTIFIER (self), cancellable, callback,
                               user_data);
}

gboolean
sm_telegram_notifier_send_test_finish (SmTelegramNotifier  *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  g_return_val_if_fail (SM_IS_TELEGRAM_NOTIFIER (self), FALSE);

  return sm_notifier_send_finish (SM_NOTIFIER (self), result, error);
}

/* The object. */

SmTelegramNotifier *
sm_telegram_notifier_new (const char *name,
                          const char *bot_token,
                          const char *chat_id,
                          const char *api_base)
{
  SmTelegramNotifier *self;

  self = g_object_new (SM_TYPE_TELEGRAM_NOTIFIER,
                       "name", name,
                       "chat-id", chat_id,
                       "api-base", api_base,
                       NULL);
  sm_telegram_notifier_set_token (self, bot_token);
  return self;
}

const char *
sm_telegram_notifier_get_chat_id (SmTelegramNotifier *self)
{
  g_return_val_if_fail (SM_IS_TELEGRAM_NOTIFIER (self), NULL);

  return self->chat_id;
}

const char *
sm_telegram_notifier_get_api_base (SmTelegramNotifier *self)
{
  g_return_val_if_fail (SM_IS_TELEGRAM_NOTIFIER (self), NULL);

  return self->api_base;
}

void
sm_telegram_notifier_set_token (SmTelegramNotifier *self,
                                const char         *bot_token)
{
  g_return_if_fail (SM_IS_TELEGRAM_NOTIFIER (self));

  g_clear_pointer (&self->token, sm_secret_free);
  self->token = sm_secret_dup (bot_token);
}

static void
set_api_base (SmTelegramNotifier *self,
              const char         *api_base)
{
  gsize len;

  g_free (self->api_base);
  self->api_base = g_strdup (api_base != NULL && *api_base != '\0'
                             ? api_base : SM_TELEGRAM_DEFAULT_API_BASE);
  len = strlen (self->api_base);
  while (len > 0 && self->api_base[len - 1] == '/')
    self->api_base[--len] = '\0';
}

static void
sm_telegram_notifier_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SmTelegramNotifier *self = SM_TELEGRAM_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CHAT_ID:
      g_value_set_string (value, self->chat_id);
      break;
    case PROP_API_BASE:
      g_value_set_string (value, self->api_base);
      break;
    case PROP_MIN_INTERVAL_MS:
      g_value_set_uint (value, self->min_interval_ms);
      break;
    case PROP_RETRY_BASE_MS:
      g_value_set_uint (value, self->retry_base_ms);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
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
sm_telegram_notifier_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  SmTelegramNotifier *self = SM_TELEGRAM_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      break;
    case PROP_CHAT_ID:
      g_free (self->chat_id);
      self->chat_id = g_value_dup_string (value);
      break;
    case PROP_API_BASE:
      set_api_base (self, g_value_get_string (value));
      break;
    case PROP_MIN_INTERVAL_MS:
      set_uint_prop (object, &self->min_interval_ms, value, pspec);
      break;
    case PROP_RETRY_BASE_MS:
      set_uint_prop (object, &self->retry_base_ms, value, pspec);
      break;
    case PROP_MAX_ATTEMPTS:
      set_uint_prop (object, &self->max_attempts, value, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_telegram_notifier_finalize (GObject *object)
{
  SmTelegramNotifier *self = SM_TELEGRAM_NOTIFIER (object);

  g_clear_pointer (&self->queues, g_hash_table_unref);
  g_clear_object (&self->session);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->token, sm_secret_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->chat_id, g_free);
  g_clear_pointer (&self->api_base, g_free);

  G_OBJECT_CLASS (sm_telegram_notifier_parent_class)->finalize (object);
}

static void
sm_telegram_notifier_iface_init (SmNotifierInterface *iface)
{
  iface->get_name = sm_telegram_notifier_get_name;
  iface->send_async = sm_telegram_notifier_send_async;
  iface->send_finish = sm_telegram_notifier_send_finish;
}

static void
sm_telegram_notifier_class_init (SmTelegramNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sm_telegram_notifier_finalize;
  object_class->get_property = sm_telegram_notifier_get_property;
  object_class->set_property = sm_telegram_notifier_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "telegram",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_CHAT_ID] =
    g_param_spec_string ("chat-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_API_BASE] =
    g_param_spec_string ("api-base", NULL, NULL, SM_TELEGRAM_DEFAULT_API_BASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  /* Between two messages to one chat; tests make it short. */
  properties[PROP_MIN_INTERVAL_MS] =
    g_param_spec_uint ("min-interval-ms", NULL, NULL, 0, G_MAXUINT, 1000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
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
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sm_telegram_notifier_init (SmTelegramNotifier *self)
{
  self->min_interval_ms = 1000;
  self->retry_base_ms = 1000;
  self->max_attempts = 5;
  self->context = g_main_context_ref_thread_default ();
  self->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_S,
                                                 "user-agent", PACKAGE_NAME "/" PACKAGE_VERSION,
                                                 NULL);
  self->queues = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        chat_queue_free);
}
