/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-heartbeat-server.c: the pushed-heartbeat listener (SoupServer) and
 * the deadline helper. See the header for the HTTP interface.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <sodium.h>
#include <string.h>

#include "sm-heartbeat-server.h"
#include "sm-vault.h"

#define TOKEN_BYTES      32
#define MAX_BUCKETS      1024

typedef struct {
  double  tokens;
  gint64  updated_us;
} Bucket;

struct _SmHeartbeatServer
{
  GObject      parent_instance;

  SoupServer  *server;
  /* GBytes (keyed hash of a token) -> gint64 * check id. */
  GHashTable  *checks;
  guint8       hash_key[crypto_generichash_KEYBYTES];
  char        *api_key;        /* guarded memory (sm_secret_dup) */
  /* char * client address -> Bucket *: failures allowed. */
  GHashTable  *buckets;
};

G_DEFINE_FINAL_TYPE (SmHeartbeatServer, sm_heartbeat_server, G_TYPE_OBJECT)

enum {
  HEARTBEAT,
  REPORT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
ensure_sodium (void)
{
  return sodium_init () >= 0;
}

/* The keyed hash of text, as the lookup key. */
static GBytes *
hash_text (SmHeartbeatServer *self,
           const char        *text)
{
  guint8 digest[crypto_generichash_BYTES];

  crypto_generichash (digest, sizeof digest, (const guint8 *) text, strlen (text),
                      self->hash_key, sizeof self->hash_key);
  return g_bytes_new (digest, sizeof digest);
}

/* Rate limiting. */

static void
bucket_refill (Bucket *bucket,
               gint64  now_us)
{
  double per_us = (double) SM_HEARTBEAT_FAIL_BURST / (SM_HEARTBEAT_FAIL_PERIOD_S * (double) G_USEC_PER_SEC);

  bucket->tokens = MIN ((double) SM_HEARTBEAT_FAIL_BURST,
                        bucket->tokens + (now_us - bucket->updated_us) * per_us);
  bucket->updated_us = now_us;
}

static gboolean
bucket_is_full_cb (gpointer key,
                   gpointer value,
                   gpointer user_data)
{
  Bucket *bucket = value;

  bucket_refill (bucket, *(gint64 *) user_data);
  return bucket->tokens >= SM_HEARTBEAT_FAIL_BURST;
}

/* 0 when address may go on, else the seconds to wait. */
static guint
rate_limited (SmHeartbeatServer *self,
              const char        *address)
{
  Bucket *bucket = g_hash_table_lookup (self->buckets, address);

  if (bucket == NULL)
    return 0;
  bucket_refill (bucket, g_get_monotonic_time ());
  if (bucket->tokens >= 1.0)
    return 0;
  return MAX (1, (guint) ceil ((1.0 - bucket->tokens) * SM_HEARTBEAT_FAIL_PERIOD_S /
                               SM_HEARTBEAT_FAIL_BURST));
}

static void
count_failure (SmHeartbeatServer *self,
               const char        *address)
{
  gint64 now_us = g_get_monotonic_time ();
  Bucket *bucket = g_hash_table_lookup (self->buckets, address);

  if (bucket == NULL)
    {
      if (g_hash_table_size (self->buckets) >= MAX_BUCKETS)
        g_hash_table_foreach_remove (self->buckets, bucket_is_full_cb, &now_us);
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = SM_HEARTBEAT_FAIL_BURST;
      bucket->updated_us = now_us;
      g_hash_table_insert (self->buckets, g_strdup (address), bucket);
    }
  bucket_refill (bucket, now_us);
  bucket->tokens = MAX (0.0, bucket->tokens - 1.0);
}

/* Requests. */

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *text)
{
  g_autofree char *body = g_strconcat (text, "\n", NULL);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

/* A message as it is passed on: UTF-8, no control characters but newline
 * and tab, trimmed, at most SM_HEARTBEAT_MAX_MESSAGE characters. */
static char *
clean_message (const char *text,
               gssize      len)
{
  g_autofree char *valid = NULL;

  if (len < 0)
    len = strlen (text);
  valid = g_utf8_make_valid (text, len);
  for (char *p = valid; *p != '\0'; p++)
    if ((guchar) *p < 0x20 && *p != '\n' && *p != '\t')
      *p = ' ';
  g_strstrip (valid);
  if (g_utf8_strlen (valid, -1) > SM_HEARTBEAT_MAX_MESSAGE)
    return g_utf8_substring (valid, 0, SM_HEARTBEAT_MAX_MESSAGE);
  return g_steal_pointer (&valid);
}

static void
take_fields (GHashTable  *fields,
             char       **status,
             char       **message)
{
  const char *value;

  if ((value = g_hash_table_lookup (fields, "status")) != NULL)
    {
      g_free (*status);
      *status = g_strdup (value);
    }
  if ((value = g_hash_table_lookup (fields, "message")) != NULL ||
      (value = g_hash_table_lookup (fields, "msg")) != NULL)
    {
      g_free (*message);
      *message = clean_message (value, -1);
    }
}

/* status and message from the query and the body; FALSE with an answer
 * sent when they are malformed. */
static gboolean
read_fields (SoupServerMessage  *msg,
             GHashTable         *query,
             GBytes             *body,
             const char        **out_status,
             char              **out_message)
{
  g_autofree char *status = NULL;
  g_autofree char *message = NULL;
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;

  if (query != NULL)
    take_fields (query, &status, &message);

  if (len > 0)
    {
      const char *type = soup_message_headers_get_content_type (
        soup_server_message_get_request_headers (msg), NULL);

      if (g_strcmp0 (type, "application/json") == 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
          JsonNode *root;
          JsonObject *object;
          const char *names[] = { "status", "message", "msg" };

          if (!json_parser_load_from_data (parser, data, len, NULL) ||
              (root = json_parser_get_root (parser)) == NULL ||
              !JSON_NODE_HOLDS_OBJECT (root))
            {
              reply (msg, SOUP_STATUS_BAD_REQUEST, "body must be a JSON object");
              return FALSE;
            }
          object = json_node_get_object (root);
          for (guint i = 0; i < G_N_ELEMENTS (names); i++)
            {
              JsonNode *node = json_object_get_member (object, names[i]);

              if (node == NULL || JSON_NODE_HOLDS_NULL (node))
                continue;
              if (!JSON_NODE_HOLDS_VALUE (node) ||
                  json_node_get_value_type (node) != G_TYPE_STRING)
                {
                  reply (msg, SOUP_STATUS_BAD_REQUEST, "status and message must be strings");
                  return FALSE;
                }
              g_hash_table_insert (fields, (gpointer) names[i],
                                   (gpointer) json_node_get_string (node));
            }
          take_fields (fields, &status, &message);
        }
      else if (g_strcmp0 (type, "application/x-www-form-urlencoded") == 0)
        {
          g_autofree char *text = g_strndup (data, len);
          g_autoptr(GHashTable) fields = soup_form_decode (text);

          take_fields (fields, &status, &message);
        }
      else
        {
          g_free (message);
          message = clean_message (data, len);
        }
    }

  *out_status = NULL;
  if (status != NULL && *status != '\0')
    {
      g_autofree char *lower = g_ascii_strdown (status, -1);
      SmCheckStatus value;

      if (!sm_check_status_from_string (lower, &value))
        {
          reply (msg, SOUP_STATUS_BAD_REQUEST, "status must be up, down, degraded or unknown");
          return FALSE;
        }
      *out_status = sm_check_status_to_string (value);
    }
  *out_message = (message != NULL && *message != '\0') ? g_steal_pointer (&message) : NULL;
  return TRUE;
}

static gboolean
lookup_check (SmHeartbeatServer *self,
              const char        *token,
              gint64            *out_check_id)
{
  g_autoptr(GBytes) key = NULL;
  gint64 *check_id;

  if (*token == '\0' || strlen (token) > 256)
    return FALSE;
  key = hash_text (self, token);
  check_id = g_hash_table_lookup (self->checks, key);
  if (check_id == NULL)
    return FALSE;
  *out_check_id = *check_id;
  return TRUE;
}

static gboolean
api_key_ok (SmHeartbeatServer *self,
            const char        *given)
{
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GBytes) actual = NULL;

  if (self->api_key == NULL || given == NULL)
    return FALSE;
  expected = hash_text (self, self->api_key);
  actual = hash_text (self, given);
  return sodium_memcmp (g_bytes_get_data (expected, NULL),
                        g_bytes_get_data (actual, NULL),
                        g_bytes_get_size (expected)) == 0;
}

static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  /* Refused before the body is read. */
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > SM_HEARTBEAT_MAX_BODY)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      reply (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body too large");
    }
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SmHeartbeatServer *self = SM_HEARTBEAT_SERVER (user_data);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *message = NULL;
  const char *method = soup_server_message_get_method (msg);
  const char *address = soup_server_message_get_remote_host (msg);
  const char *status = NULL;
  const char *token;
  gboolean is_post = g_strcmp0 (method, SOUP_METHOD_POST) == 0;
  gboolean is_report;
  gint64 check_id = 0;
  guint wait_s;

  if (address == NULL)
    address = "";

  if (!is_post && g_strcmp0 (method, SOUP_METHOD_GET) != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, POST");
      reply (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed");
      return;
    }

  wait_s = rate_limited (self, address);
  if (wait_s > 0)
    {
      g_autofree char *retry = g_strdup_printf ("%u", wait_s);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", retry);
      reply (msg, 429, "too many failed requests");
      return;
    }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (g_bytes_get_size (body) > SM_HEARTBEAT_MAX_BODY)
    {
      reply (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body too large");
      return;
    }

  if (g_str_has_prefix (path, "/heartbeat/"))
    {
      token = path + strlen ("/heartbeat/");
      is_report = FALSE;
    }
  else if (g_str_has_prefix (path, "/report/"))
    {
      token = path + strlen ("/report/");
      is_report = TRUE;
    }
  else
    {
      count_failure (self, address);
      reply (msg, SOUP_STATUS_NOT_FOUND, "not found");
      return;
    }

  if (is_report)
    {
      const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                      "X-API-Key");

      if (!is_post)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Allow", "POST");
          reply (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed");
          return;
        }
      if (!api_key_ok (self, key))
        {
          count_failure (self, address);
          reply (msg, SOUP_STATUS_UNAUTHORIZED, "missing or wrong X-API-Key");
          return;
        }
    }

  if (!lookup_check (self, token, &check_id))
    {
      count_failure (self, address);
      reply (msg, SOUP_STATUS_NOT_FOUND, "not found");
      return;
    }

  /* The query first; a POST body's fields win over it. */
  if (!read_fields (msg, query, is_post ? body : NULL, &status, &message))
    return;

  if (is_report)
    {
      if (status == NULL)
        {
          reply (msg, SOUP_STATUS_BAD_REQUEST, "a report needs a status");
          return;
        }
      reply (msg, SOUP_STATUS_OK, "OK");
      g_signal_emit (self, signals[REPORT], 0, check_id, status,
                     message != NULL ? message : "");
      return;
    }

  reply (msg, SOUP_STATUS_OK, "OK");
  g_signal_emit (self, signals[HEARTBEAT], 0, check_id, status, message);
}

/* GObject. */

static void
sm_heartbeat_server_dispose (GObject *object)
{
  SmHeartbeatServer *self = SM_HEARTBEAT_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (sm_heartbeat_server_parent_class)->dispose (object);
}

static void
sm_heartbeat_server_finalize (GObject *object)
{
  SmHeartbeatServer *self = SM_HEARTBEAT_SERVER (object);

  g_clear_pointer (&self->checks, g_hash_table_unref);
  g_clear_pointer (&self->buckets, g_hash_table_unref);
  g_clear_pointer (&self->api_key, sm_secret_free);
  sodium_memzero (self->hash_key, sizeof self->hash_key);

  G_OBJECT_CLASS (sm_heartbeat_server_parent_class)->finalize (object);
}

static void
sm_heartbeat_server_class_init (SmHeartbeatServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_heartbeat_server_dispose;
  object_class->finalize = sm_heartbeat_server_finalize;

  /**
   * SmHeartbeatServer::heartbeat:
   * @check_id: the check the token belongs to
   * @status: (nullable): "up", "down", "degraded", "unknown" or %NULL
   * @message: (nullable): the message sent with it
   */
  signals[HEARTBEAT] = g_signal_new ("heartbeat",
                                     G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 3,
                                     G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * SmHeartbeatServer::report:
   * @check_id: the check the token belongs to
   * @status: "up", "down", "degraded" or "unknown"
   * @message: the message ("" when none)
   */
  signals[REPORT] = g_signal_new ("report",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 3,
                                  G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING);
}

static void
sm_heartbeat_server_init (SmHeartbeatServer *self)
{
  if (!ensure_sodium ())
    g_error ("libsodium could not be initialised");
  randombytes_buf (self->hash_key, sizeof self->hash_key);

  self->checks = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                        (GDestroyNotify) g_bytes_unref, g_free);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->server = soup_server_new ("server-header", "status-monitor", NULL);
  soup_server_add_early_handler (self->server, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
}

SmHeartbeatServer *
sm_heartbeat_server_new (void)
{
  return g_object_new (SM_TYPE_HEARTBEAT_SERVER, NULL);
}

gboolean
sm_heartbeat_server_listen (SmHeartbeatServer  *self,
                            const char         *address,
                            guint               port,
                            GError            **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;

  g_return_val_if_fail (SM_IS_HEARTBEAT_SERVER (self), FALSE);
  g_return_val_if_fail (port <= 65535, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (address == NULL || *address == '\0')
    address = "127.0.0.1";
  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address"), address);
      return FALSE;
    }

  soup_server_disconnect (self->server);
  socket_address = g_inet_socket_address_new (inet, port);
  return soup_server_listen (self->server, socket_address, 0, error);
}

guint
sm_heartbeat_server_get_port (SmHeartbeatServer *self)
{
  GSList *listeners;
  guint port = 0;

  g_return_val_if_fail (SM_IS_HEARTBEAT_SERVER (self), 0);

  /* Not soup_server_get_uris (): libsoup 3.2 leaks an address there. */
  listeners = soup_server_get_listeners (self->server);
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (listeners->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (address))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
    }
  g_slist_free (listeners);
  return port;
}

void
sm_heartbeat_server_add_check (SmHeartbeatServer *self,
                               const char        *token,
                               gint64             check_id)
{
  gint64 *value;

  g_return_if_fail (SM_IS_HEARTBEAT_SERVER (self));
  g_return_if_fail (token != NULL && *token != '\0');

  value = g_new (gint64, 1);
  *value = check_id;
  g_hash_table_replace (self->checks, hash_text (self, token), value);
}

void
sm_heartbeat_server_remove_check (SmHeartbeatServer *self,
                                  const char        *token)
{
  g_autoptr(GBytes) key = NULL;

  g_return_if_fail (SM_IS_HEARTBEAT_SERVER (self));
  g_return_if_fail (token != NULL);

  key = hash_text (self, token);
  g_hash_table_remove (self->checks, key);
}

void
sm_heartbeat_server_set_api_key (SmHeartbeatServer *self,
                                 const char        *key)
{
  g_return_if_fail (SM_IS_HEARTBEAT_SERVER (self));

  g_clear_pointer (&self->api_key, sm_secret_free);
  if (key != NULL && *key != '\0')
    self->api_key = sm_secret_dup (key);
}

char *
sm_heartbeat_new_token (void)
{
  guint8 bytes[TOKEN_BYTES];
  char text[sodium_base64_ENCODED_LEN (TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  if (!ensure_sodium ())
    g_error ("libsodium could not be initialised");
  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (text, sizeof text, bytes, sizeof bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (text);
}

char *
sm_heartbeat_format_age (gint64 seconds)
{
  gint64 minutes, hours, days;

  if (seconds < 0)
    seconds = 0;
  if (seconds < 60)
    /* Translators: a duration in seconds. */
    return g_strdup_printf (_("%u s"), (guint) seconds);
  minutes = seconds / 60;
  if (minutes < 60)
    /* Translators: a duration in minutes. */
    return g_strdup_printf (_("%u min"), (guint) minutes);
  hours = minutes / 60;
  if (hours < 24)
    {
      if (minutes % 60 == 0)
        /* Translators: a duration in hours. */
        return g_strdup_printf (_("%u h"), (guint) hours);
      /* Translators: a duration in hours and minutes, "2 h 5 min". */
      return g_strdup_printf (_("%u h %u min"), (guint) hours, (guint) (minutes % 60));
    }
  days = hours / 24;
  if (hours % 24 == 0)
    /* Translators: a duration in days. */
    return g_strdup_printf (_("%u d"), (guint) MIN (days, G_MAXUINT));
  /* Translators: a duration in days and hours, "3 d 4 h". */
  return g_strdup_printf (_("%u d %u h"), (guint) MIN (days, G_MAXUINT), (guint) (hours % 24));
}

SmCheckStatus
sm_heartbeat_evaluate (gint64   last_ping_s,
                       gint64   now_s,
                       guint    interval_s,
                       guint    grace_s,
                       gint64   created_s,
                       char   **out_reason)
{
  gint64 base = last_ping_s > 0 ? last_ping_s : created_s;

  if (out_reason != NULL)
    *out_reason = NULL;

  if (now_s <= base + (gint64) interval_s + (gint64) grace_s)
    return SM_CHECK_STATUS_UP;

  if (out_reason != NULL)
    {
      g_autofree char *age = sm_heartbeat_format_age (now_s - base);

      if (last_ping_s > 0)
        *out_reason = g_strdup_printf (_("no heartbeat for %s"), age);
      else
        *out_reason = g_strdup_printf (_("no heartbeat since the check was created %s ago"), age);
    }
  return SM_CHECK_STATUS_DOWN;
}
