/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-email.c: the email channel, SMTP through libcurl.
 *
 * send_async checks the settings and builds the message on the caller's
 * thread, then hands a copy of everything the transfer needs (the
 * password in guarded memory) to a worker thread, where libcurl's easy
 * interface does the SMTP conversation with its own timeouts. Nothing in
 * the worker touches the notifier.
 */
#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sm-email.h"
#include "sm-validate.h"
#include "sm-vault.h"
#include "sm-webhook.h"

#define DEFAULT_TIMEOUT_S          60
#define CONNECT_TIMEOUT_S          15
/* Bytes of an encoded word's text before base64 (gives 60 characters,
 * within RFC 2047's 75 with the "=?UTF-8?B?" "?=" around it). */
#define ENCODED_WORD_BYTES         45
/* Characters of a quoted-printable line before its soft break. */
#define QP_LINE_MAX                76
/* RFC 5322's limit on a line, CRLF excluded. */
#define MAX_LINE_OCTETS            998
#define SUBJECT_PREFIX             "[Status Monitor] "

struct _SmEmailNotifier
{
  GObject          parent_instance;

  /* Settings. */
  char            *name;
  char            *host;
  guint            port;
  char            *security_text;
  char            *username;
  SmSecret        *password;
  char            *from;
  char            *to;
  char            *ca_file;
  guint            timeout_s;
};

static void sm_email_notifier_iface_init (SmNotifierInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SmEmailNotifier, sm_email_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SM_TYPE_NOTIFIER,
                                                      sm_email_notifier_iface_init))

enum {
  PROP_0,
  PROP_NAME,
  PROP_TIMEOUT_S,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* Everything the worker needs, copied. */
typedef struct {
  char            *url;
  char            *display;      /* "host:port" */
  SmEmailSecurity  security;
  char            *username;
  SmSecret        *password;
  char            *from;
  GStrv            to;
  char            *ca_file;
  guint            timeout_s;
  char            *payload;
  gsize            length;
  gsize            offset;
  GCancellable    *cancellable;
} Transfer;

static void
transfer_free (gpointer data)
{
  Transfer *transfer = data;

  g_free (transfer->url);
  g_free (transfer->display);
  g_free (transfer->username);
  g_clear_pointer (&transfer->password, sm_secret_free);
  g_free (transfer->from);
  g_strfreev (transfer->to);
  g_free (transfer->ca_file);
  g_free (transfer->payload);
  g_clear_object (&transfer->cancellable);
  g_free (transfer);
}

/* Settings. */

static const char * const security_names[] = { "starttls", "tls", "none" };

const char *
sm_email_security_to_string (SmEmailSecurity security)
{
  g_return_val_if_fail ((guint) security < G_N_ELEMENTS (security_names), NULL);

  return security_names[security];
}

gboolean
sm_email_security_from_string (const char      *text,
                               SmEmailSecurity *out_security)
{
  if (text == NULL || *text == '\0')
    {
      if (out_security != NULL)
        *out_security = SM_EMAIL_SECURITY_STARTTLS;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (security_names); i++)
    {
      if (g_strcmp0 (text, security_names[i]) == 0)
        {
          if (out_security != NULL)
            *out_security = (SmEmailSecurity) i;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
sm_email_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
sm_email_address_is_valid (const char *address)
{
  const char *at;
  const char *domain;

  if (address == NULL || *address == '\0' || strlen (address) > 254)
    return FALSE;
  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    return FALSE;
  for (const char *p = address; p < at; p++)
    {
      guchar c = (guchar) *p;

      if (c <= ' ' || c == 0x7f || strchr ("<>(),;:\"[]\\@", c) != NULL)
        return FALSE;
    }
  domain = at + 1;
  if (*domain == '.' || *domain == '-' || domain[strlen (domain) - 1] == '.' ||
      strstr (domain, "..") != NULL)
    return FALSE;
  for (const char *p = domain; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

GStrv
sm_email_parse_recipients (const char  *text,
                           char       **out_bad)
{
  g_auto(GStrv) items = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  if (out_bad != NULL)
    *out_bad = NULL;
  if (text == NULL)
    return NULL;

  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);

      if (*item == '\0')
        continue;
      if (!sm_email_address_is_valid (item))
        {
          if (out_bad != NULL)
            *out_bad = g_strdup (item);
          return NULL;
        }
      g_strv_builder_add (builder, item);
      n++;
    }
  if (n == 0)
    return NULL;
  return g_strv_builder_end (builder);
}

/* The message. */

/* A copy of text, valid UTF-8, every CR, LF and other control character
 * a space: safe to put into a header. */
static char *
header_safe (const char *text)
{
  char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);

  for (char *p = valid; *p != '\0'; p++)
    if ((guchar) *p < ' ' || *p == 0x7f)
      *p = ' ';
  return valid;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

/* text (header-safe) as it goes after "Subject: ": itself when ASCII,
 * else RFC 2047 encoded words, one per folded line. */
static char *
encode_header_text (const char *text)
{
  GString *out;
  const char *p = text;

  if (is_ascii (text))
    return g_strdup (text);

  out = g_string_new (NULL);
  while (*p != '\0')
    {
      const char *end = p;
      g_autofree char *b64 = NULL;

      /* Whole characters only. */
      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);

          if (next - p > ENCODED_WORD_BYTES)
            break;
          end = next;
        }
      b64 = g_base64_encode ((const guchar *) p, end - p);
      if (out->len > 0)
        g_string_append (out, "\r\n ");
      g_string_append_printf (out, "=?UTF-8?B?%s?=", b64);
      p = end;
    }
  return g_string_free (out, FALSE);
}

/* RFC 5322's date, in English whatever the locale. */
static char *
format_date (gint64 unix_time)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);

  if (utc == NULL)
    utc = g_date_time_new_now_utc ();
  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d +0000",
                          days[g_date_time_get_day_of_week (utc) - 1],
                          g_date_time_get_day_of_month (utc),
                          months[g_date_time_get_month (utc) - 1],
                          g_date_time_get_year (utc),
                          g_date_time_get_hour (utc),
                          g_date_time_get_minute (utc),
                          g_date_time_get_second (utc));
}

/* The plain text of the message, LF line endings. */
static char *
body_for (const SmNotification *notification,
          const char           *summary)
{
  GString *out = g_string_new (summary);

  g_string_append (out, "\n");
  if (notification->body != NULL)
    {
      g_autofree char *body = g_utf8_make_valid (notification->body, -1);

      g_strchomp (body);
      if (*body != '\0')
        g_string_append_printf (out, "\n%s\n", body);
    }
  if (isfinite (notification->value))
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (number, sizeof number, "%.6g", notification->value);
      g_string_append_c (out, '\n');
      /* Translators: %s is the metric's value in an alert email. */
      g_string_append_printf (out, _("Value: %s"), number);
      g_string_append_c (out, '\n');
    }
  if (notification->time > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (notification->time);
      g_autofree char *when = utc != NULL ? g_date_time_format (utc, "%Y-%m-%d %H:%M:%S UTC") : NULL;

      if (when != NULL)
        {
          g_string_append_c (out, '\n');
          /* Translators: %s is a date and time in an alert email. */
          g_string_append_printf (out, _("Time: %s"), when);
          g_string_append_c (out, '\n');
        }
    }
  g_string_append (out, "\n-- \nStatus Monitor\n");
  return g_string_free (out, FALSE);
}

/* Lines of text (LF or CRLF) as a CRLF body: as they are when every line
 * is ASCII and short enough, else quoted-printable. Sets *out_encoding. */
static char *
encode_body (const char  *text,
             const char **out_encoding)
{
  g_autofree char *normal = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean plain;
  GString *out;

  {
    GString *n = g_string_new (text);

    g_string_replace (n, "\r\n", "\n", 0);
    g_string_replace (n, "\r", "\n", 0);
    normal = g_string_free (n, FALSE);
  }
  lines = g_strsplit (normal, "\n", -1);

  plain = is_ascii (normal);
  for (guint i = 0; plain && lines[i] != NULL; i++)
    if (strlen (lines[i]) > MAX_LINE_OCTETS)
      plain = FALSE;

  out = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gsize column = 0;

      /* The text ends with LF: no empty line after it. */
      if (lines[i + 1] == NULL && *line == '\0')
        break;
      if (plain)
        {
          g_string_append (out, line);
          g_string_append (out, "\r\n");
          continue;
        }
      for (const char *p = line; *p != '\0'; p++)
        {
          guchar c = (guchar) *p;
          gboolean last = p[1] == '\0';
          char piece[4];
          gsize piece_len;

          if ((c >= 33 && c <= 126 && c != '=') ||
              ((c == ' ' || c == '\t') && !last))
            {
              piece[0] = (char) c;
              piece_len = 1;
            }
          else
            {
              g_snprintf (piece, sizeof piece, "=%02X", c);
              piece_len = 3;
            }
          /* Room for the piece and, unless it ends the line, "=". */
          if (column + piece_len > (last ? QP_LINE_MAX : QP_LINE_MAX - 1))
            {
              g_string_append (out, "=\r\n");
              column = 0;
            }
          g_string_append_len (out, piece, piece_len);
          column += piece_len;
        }
      g_string_append (out, "\r\n");
    }

  *out_encoding = plain ? "7bit" : "quoted-printable";
  return g_string_free (out, FALSE);
}

char *
sm_email_build_message (const SmNotification *notification,
                        const char           *from,
                        const char * const   *to,
                        gint64                date,
                        const char           *message_id)
{
  g_autofree char *summary = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *subject_safe = NULL;
  g_autofree char *date_text = NULL;
  g_autofree char *text = NULL;
  g_autofree char *body = NULL;
  g_autofree char *from_safe = header_safe (from);
  g_autofree char *id_safe = header_safe (message_id);
  const char *encoding = "7bit";
  GString *out;

  g_return_val_if_fail (notification != NULL, NULL);
  g_return_val_if_fail (to != NULL, NULL);

  summary = sm_webhook_summary (notification);
  subject_safe = header_safe (summary);
  subject = encode_header_text (subject_safe);
  date_text = format_date (date);
  text = body_for (notification, subject_safe);
  body = encode_body (text, &encoding);

  out = g_string_new (NULL);
  g_string_append_printf (out, "Date: %s\r\n", date_text);
  g_string_append_printf (out, "From: Status Monitor <%s>\r\n", from_safe);
  g_string_append (out, "To: ");
  for (guint i = 0; to[i] != NULL; i++)
    {
      g_autofree char *address = header_safe (to[i]);

      if (i > 0)
        g_string_append (out, ",\r\n ");
      g_string_append (out, address);
    }
  g_string_append (out, "\r\n");
  g_string_append_printf (out, "Subject: %s%s\r\n", SUBJECT_PREFIX, subject);
  g_string_append_printf (out, "Message-ID: %s\r\n", id_safe);
  g_string_append (out, "MIME-Version: 1.0\r\n");
  g_string_append (out, "Content-Type: text/plain; charset=UTF-8\r\n");
  g_string_append_printf (out, "Content-Transfer-Encoding: %s\r\n", encoding);
  g_string_append (out, "Auto-Submitted: auto-generated\r\n");
  g_string_append (out, "\r\n");
  g_string_append (out, body);
  return g_string_free (out, FALSE);
}

/* The worker. */

static void
init_curl_once (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&initialized, 1);
    }
}

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  nitems,
         void   *user_data)
{
  Transfer *transfer = user_data;
  gsize room = size * nitems;
  gsize left = transfer->length - transfer->offset;
  gsize n = MIN (room, left);

  memcpy (buffer, transfer->payload + transfer->offset, n);
  transfer->offset += n;
  return n;
}

static int
progress_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  Transfer *transfer = user_data;

  (void) dltotal;
  (void) dlnow;
  (void) ultotal;
  (void) ulnow;

  return g_cancellable_is_cancelled (transfer->cancellable) ? 1 : 0;
}

/* text with the password, if any, replaced. */
static char *
redact (Transfer   *transfer,
        const char *text)
{
  GString *out = g_string_new (text);

  if (transfer->password != NULL && *transfer->password != '\0')
    g_string_replace (out, transfer->password, "<password>", 0);
  return g_string_free (out, FALSE);
}

static gboolean
is_tls_error (CURLcode code)
{
  switch (code)
    {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
      return TRUE;
    default:
      return FALSE;
    }
}

static GError *
error_for (Transfer   *transfer,
           CURLcode    code,
           long        response,
           const char *detail_raw)
{
  g_autofree char *detail = redact (transfer, *detail_raw != '\0'
                                              ? detail_raw
                                              : curl_easy_strerror (code));

  if (code == CURLE_LOGIN_DENIED)
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_AUTH,
                        _("The mail server %s refused the user name or password (%s). Check them in Preferences."),
                        transfer->display, detail);
  if (code == CURLE_USE_SSL_FAILED)
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE,
                        _("TLS: the mail server %s does not offer STARTTLS (%s)."),
                        transfer->display, detail);
  if (is_tls_error (code))
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE,
                        _("TLS: no secure connection to the mail server %s: %s"),
                        transfer->display, detail);
  if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT ||
      code == CURLE_OPERATION_TIMEDOUT || code == CURLE_GOT_NOTHING ||
      response == 0)
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE,
                        _("Could not reach the mail server %s: %s"),
                        transfer->display, detail);
  if (response >= 500)
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_REFUSED,
                        _("The mail server %s refused the message (%ld): %s"),
                        transfer->display, response, detail);
  if (response >= 400)
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE,
                        _("The mail server %s cannot take the message now (%ld): %s"),
                        transfer->display, response, detail);
  return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_PROTOCOL,
                      _("The mail server %s answered something Status Monitor does not understand (%ld): %s"),
                      transfer->display, response, detail);
}

static void
send_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Transfer *transfer = task_data;
  g_autofree char *mail_from = g_strdup_printf ("<%s>", transfer->from);
  char error_buffer[CURL_ERROR_SIZE] = "";
  struct curl_slist *recipients = NULL;
  CURL *curl;
  CURLcode code;
  long response = 0;

  (void) source_object;
  (void) cancellable;

  curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_task_return_new_error (task, SM_NOTIFIER_ERROR,
                               SM_NOTIFIER_ERROR_UNAVAILABLE,
                               _("Could not start a mail transfer (out of memory?)."));
      return;
    }

  for (guint i = 0; transfer->to[i] != NULL; i++)
    {
      g_autofree char *rcpt = g_strdup_printf ("<%s>", transfer->to[i]);

      recipients = curl_slist_append (recipients, rcpt);
    }

  curl_easy_setopt (curl, CURLOPT_URL, transfer->url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) transfer->timeout_s);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT,
                    (long) MIN (CONNECT_TIMEOUT_S, transfer->timeout_s));
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt (curl, CURLOPT_USE_SSL,
                    transfer->security == SM_EMAIL_SECURITY_NONE
                    ? (long) CURLUSESSL_NONE : (long) CURLUSESSL_ALL);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (transfer->ca_file != NULL)
    curl_easy_setopt (curl, CURLOPT_CAINFO, transfer->ca_file);
  if (transfer->username != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_USERNAME, transfer->username);
      curl_easy_setopt (curl, CURLOPT_PASSWORD,
                        transfer->password != NULL ? transfer->password : "");
    }
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, mail_from);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt (curl, CURLOPT_READDATA, transfer);
  curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) transfer->length);
  curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt (curl, CURLOPT_XFERINFODATA, transfer);

  code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &response);
  /* libcurl keeps a copy of the password in the handle: it goes now. */
  curl_easy_setopt (curl, CURLOPT_PASSWORD, NULL);
  curl_easy_cleanup (curl);
  curl_slist_free_all (recipients);

  if (code == CURLE_OK)
    {
      g_debug ("Email: sent to %u recipients through %s",
               g_strv_length (transfer->to), transfer->display);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (code == CURLE_ABORTED_BY_CALLBACK &&
      g_cancellable_is_cancelled (transfer->cancellable))
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (transfer->cancellable, &error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_error (task, error_for (transfer, code, response, error_buffer));
}

/* Sending. */

/* NULL when the settings can work, else why not. */
static GError *
check_settings (SmEmailNotifier  *self,
                SmEmailSecurity  *out_security,
                GStrv            *out_to)
{
  g_autofree char *bad = NULL;
  g_autofree char *problem = sm_validate_host (self->host);

  if (problem != NULL)
    /* Translators: %s says what is wrong ("must not be empty"). */
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                        _("The mail server's host name %s. Check it in Preferences."),
                        problem);
  if (self->port == 0 || self->port > 65535)
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                        _("The mail server's port %u is not valid: use a number from 1 to 65535."),
                        self->port);
  if (!sm_email_security_from_string (self->security_text, out_security))
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                        _("The mail security “%s” is not known: use starttls, tls or none."),
                        self->security_text);
  if (*out_security == SM_EMAIL_SECURITY_NONE &&
      !sm_email_host_is_loopback (self->host))
    return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                        _("Mail to %s would travel unencrypted: security “none” is only allowed for a server on this computer (localhost). Use starttls or tls."),
                        self->host);
  if (!sm_email_address_is_valid (self->from))
    return g_error_new_literal (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                                _("The sender address is not valid: use a plain address such as monitor@example.com."));
  *out_to = sm_email_parse_recipients (self->to, &bad);
  if (*out_to == NULL)
    {
      g_autofree char *safe = bad != NULL ? header_safe (bad) : NULL;

      if (safe != NULL)
        return g_error_new (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                            _("The recipient address “%s” is not valid: use plain addresses such as admin@example.com, separated by commas."),
                            safe);
      return g_error_new_literal (SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                                  _("No recipient address is set. Add one in Preferences."));
    }
  return NULL;
}

static void
sm_email_notifier_send_async (SmNotifier           *notifier,
                              const SmNotification *notification,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  SmEmailNotifier *self = SM_EMAIL_NOTIFIER (notifier);
  g_autoptr(GTask) task = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *message_id = NULL;
  g_auto(GStrv) to = NULL;
  SmEmailSecurity security = SM_EMAIL_SECURITY_STARTTLS;
  Transfer *transfer;
  GError *error;
  const char *domain;
  gboolean ipv6;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sm_email_notifier_send_async);
  g_task_set_name (task, "[sm-email] send");

  error = check_settings (self, &security, &to);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  ipv6 = strchr (self->host, ':') != NULL;
  domain = strrchr (self->from, '@') + 1;
  uuid = g_uuid_string_random ();
  message_id = g_strdup_printf ("<%s@%s>", uuid, domain);

  transfer = g_new0 (Transfer, 1);
  transfer->url = g_strdup_printf (ipv6 ? "%s://[%s]:%u" : "%s://%s:%u",
                                   security == SM_EMAIL_SECURITY_TLS
                                   ? "smtps" : "smtp",
                                   self->host, self->port);
  transfer->display = g_strdup_printf (ipv6 ? "[%s]:%u" : "%s:%u",
                                       self->host, self->port);
  transfer->security = security;
  if (self->username != NULL && *self->username != '\0')
    transfer->username = g_strdup (self->username);
  transfer->password = sm_secret_dup (self->password);
  transfer->from = g_strdup (self->from);
  transfer->to = g_steal_pointer (&to);
  if (self->ca_file != NULL && *self->ca_file != '\0')
    transfer->ca_file = g_strdup (self->ca_file);
  transfer->timeout_s = self->timeout_s;
  transfer->payload = sm_email_build_message (notification, transfer->from,
                                              (const char * const *) transfer->to,
                                              notification->time > 0
                                              ? notification->time
                                              : g_get_real_time () / G_USEC_PER_SEC,
                                              message_id);
  transfer->length = strlen (transfer->payload);
  transfer->cancellable = cancellable != NULL ? g_object_ref (cancellable)
                                              : g_cancellable_new ();
  g_task_set_task_data (task, transfer, transfer_free);

  g_debug ("Email %s: sending through %s (%s)", self->name, transfer->display,
           sm_email_security_to_string (security));
  init_curl_once ();
  g_task_run_in_thread (task, send_thread);
}

static gboolean
sm_email_notifier_send_finish (SmNotifier    *notifier,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, notifier), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
sm_email_notifier_get_name (SmNotifier *notifier)
{
  return SM_EMAIL_NOTIFIER (notifier)->name;
}

/* The object. */

SmEmailNotifier *
sm_email_notifier_new (const char *name,
                       const char *host,
                       guint       port,
                       const char *security,
                       const char *username,
                       const char *password,
                       const char *from,
                       const char *to,
                       const char *ca_file)
{
  SmEmailNotifier *self;

  self = g_object_new (SM_TYPE_EMAIL_NOTIFIER, "name", name, NULL);
  self->host = g_strdup (host);
  self->port = port != 0 ? port : SM_EMAIL_DEFAULT_PORT;
  self->security_text = g_strdup (security != NULL ? security : "starttls");
  self->username = g_strdup (username);
  self->password = sm_secret_dup (password);
  self->from = g_strdup (from);
  self->to = g_strdup (to);
  self->ca_file = g_strdup (ca_file);
  return self;
}

static void
sm_email_notifier_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SmEmailNotifier *self = SM_EMAIL_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TIMEOUT_S:
      g_value_set_uint (value, self->timeout_s);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_email_notifier_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SmEmailNotifier *self = SM_EMAIL_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_strdup (g_value_get_string (value) != NULL
                             ? g_value_get_string (value) : "email");
      break;
    case PROP_TIMEOUT_S:
      if (self->timeout_s != g_value_get_uint (value))
        {
          self->timeout_s = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_email_notifier_finalize (GObject *object)
{
  SmEmailNotifier *self = SM_EMAIL_NOTIFIER (object);

  g_clear_pointer (&self->password, sm_secret_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->security_text, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->from, g_free);
  g_clear_pointer (&self->to, g_free);
  g_clear_pointer (&self->ca_file, g_free);

  G_OBJECT_CLASS (sm_email_notifier_parent_class)->finalize (object);
}

static void
sm_email_notifier_iface_init (SmNotifierInterface *iface)
{
  iface->get_name = sm_email_notifier_get_name;
  iface->send_async = sm_email_notifier_send_async;
  iface->send_finish = sm_email_notifier_send_finish;
}

static void
sm_email_notifier_class_init (SmEmailNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sm_email_notifier_finalize;
  object_class->get_property = sm_email_notifier_get_property;
  object_class->set_property = sm_email_notifier_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "email",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  /* Seconds the whole SMTP conversation may take. */
  properties[PROP_TIMEOUT_S] =
    g_param_spec_uint ("timeout-s", NULL, NULL, 1, 600, DEFAULT_TIMEOUT_S,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sm_email_notifier_init (SmEmailNotifier *self)
{
  self->timeout_s = DEFAULT_TIMEOUT_S;
  self->port = SM_EMAIL_DEFAULT_PORT;
}
