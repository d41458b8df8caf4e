/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-email.c: the email channel against an SMTP sink (tests/smtp-sink.py,
 * aiosmtpd under /usr/bin/python3) on 127.0.0.1 with STARTTLS, a
 * certificate made here with the openssl tool, and AUTH for one user.
 * Nothing here leaves the loopback interface.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sm-channel.h"
#include "sm-email.h"
#include "sm-notification.h"
#include "sm-notifier.h"
#include "sm-test-util.h"

#define PYTHON      "/usr/bin/python3"
#define OPENSSL     "/usr/bin/openssl"
#define USER        "alice"
#define PASSWORD    "s3cret-Passw0rd"
#define WRONG       "wr0ng-Passw0rd"
#define FROM        "monitor@example.com"
#define TIME_1      1700000000   /* Tue, 14 Nov 2023 22:13:20 +0000 */

typedef struct {
  char        *dir;
  char        *mail_dir;
  char        *cert;
  char        *key;
  GSubprocess *sink;
  guint16      port;
  guint16      tls_port;
} Fixture;

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Result;

static gboolean have_tools;

static void
make_certificate (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = {
    OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
    "-keyout", fixture->key, "-out", fixture->cert, "-days", "2",
    "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    NULL
  };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl failed: %s", err);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "smtp-sink.py", NULL);
  g_autofree char *line = NULL;
  guint64 port = 0;
  guint64 tls_port = 0;
  g_auto(GStrv) words = NULL;

  (void) user_data;

  fixture->dir = sm_test_mkdtemp ();
  fixture->mail_dir = g_build_filename (fixture->dir, "mail", NULL);
  fixture->cert = g_build_filename (fixture->dir, "cert.pem", NULL);
  fixture->key = g_build_filename (fixture->dir, "key.pem", NULL);
  g_assert_cmpint (g_mkdir (fixture->mail_dir, 0700), ==, 0);
  make_certificate (fixture);

  fixture->sink = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                    &error,
                                    PYTHON, script,
                                    "--dir", fixture->mail_dir,
                                    "--cert", fixture->cert,
                                    "--key", fixture->key,
                                    "--user", USER,
                                    "--password", PASSWORD,
                                    NULL);
  g_assert_no_error (error);

  /* The sink says "PORT <n> TLSPORT <m>" once it listens. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->sink));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  words = g_strsplit (line, " ", -1);
  g_assert_cmpuint (g_strv_length (words), ==, 4);
  g_assert_cmpstr (words[0], ==, "PORT");
  g_assert_cmpstr (words[2], ==, "TLSPORT");
  g_assert_true (g_ascii_string_to_unsigned (words[1], 10, 1, 65535, &port, NULL));
  g_assert_true (g_ascii_string_to_unsigned (words[3], 10, 1, 65535, &tls_port, NULL));
  fixture->port = (guint16) port;
  fixture->tls_port = (guint16) tls_port;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  (void) user_data;

  g_subprocess_force_exit (fixture->sink);
  g_subprocess_wait (fixture->sink, NULL, NULL);
  g_clear_object (&fixture->sink);
  sm_test_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->mail_dir);
  g_free (fixture->cert);
  g_free (fixture->key);
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
send_and_wait (SmEmailNotifier      *notifier,
               const SmNotification *notification,
               Result               *result)
{
  sm_notifier_send_async (SM_NOTIFIER (notifier), notification, NULL,
                          sent_cb, result);
  sm_test_wait_until (result->done);
}

static SmNotification *
sample_notification (const char *title)
{
  SmNotification *notification;

  notification = sm_notification_new (SM_NOTIFICATION_FIRING,
                                      SM_SEVERITY_CRITICAL, "web-1", title,
                                      "Load is high.\n.\nA line with a dot above.");
  notification->alert_id = 3;
  notification->value = 93.5;
  notification->time = TIME_1;
  return notification;
}

static SmEmailNotifier *
make_notifier (Fixture    *fixture,
               const char *security,
               const char *password,
               const char *to,
               gboolean    trust)
{
  SmEmailNotifier *notifier;

  notifier = sm_email_notifier_new ("mail", "127.0.0.1",
                                    g_strcmp0 (security, "tls") == 0
                                    ? fixture->tls_port : fixture->port,
                                    security, password != NULL ? USER : NULL,
                                    password, FROM, to,
                                    trust ? fixture->cert : NULL);
  g_object_set (notifier, "timeout-s", 20, NULL);
  return notifier;
}

/* The n-th message the sink took: its data and its metadata. */
static char *
read_message (Fixture    *fixture,
              guint       n,
              JsonObject **out_meta,
              JsonParser **out_parser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("%u.eml", n);
  g_autofree char *meta_name = g_strdup_printf ("%u.json", n);
  g_autofree char *path = g_build_filename (fixture->mail_dir, name, NULL);
  g_autofree char *meta_path = g_build_filename (fixture->mail_dir, meta_name, NULL);
  JsonParser *parser = json_parser_new ();
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_file (parser, meta_path, &error);
  g_assert_no_error (error);
  *out_meta = json_node_get_object (json_parser_get_root (parser));
  *out_parser = parser;
  return contents;
}

/* The value of the first header called name (unfolded), or NULL. */
static char *
header_value (const char *message,
              const char *name)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strconcat (name, ":", NULL);
  GString *value = NULL;

  lines = g_strsplit (message, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (*line == '\0')
        break;
      if (value != NULL)
        {
          if (*line == ' ' || *line == '\t')
            {
              g_string_append (value, line);
              continue;
            }
          break;
        }
      if (g_ascii_strncasecmp (line, prefix, strlen (prefix)) == 0)
        value = g_string_new (g_strstrip (line + strlen (prefix)));
    }
  return value != NULL ? g_string_free (value, FALSE) : NULL;
}

static gboolean
has_header (const char *message,
            const char *name)
{
  g_autofree char *value = header_value (message, name);

  return value != NULL;
}

static gboolean
is_ascii_text (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

/* Tests. */

static void
test_addresses (void)
{
  g_auto(GStrv) two = sm_email_parse_recipients (" a@example.com, ,b@x.org ", NULL);
  g_autofree char *bad = NULL;
  g_auto(GStrv) none = sm_email_parse_recipients ("a@example.com, Bob <b@x.org>", &bad);

  g_assert_true (sm_email_address_is_valid ("a.b+c@mail.example.com"));
  g_assert_true (sm_email_address_is_valid ("root@localhost"));
  g_assert_false (sm_email_address_is_valid ("no-at-sign"));
  g_assert_false (sm_email_address_is_valid ("@example.com"));
  g_assert_false (sm_email_address_is_valid ("a@"));
  g_assert_false (sm_email_address_is_valid ("a b@example.com"));
  g_assert_false (sm_email_address_is_valid ("a@example.com\r\nBcc: x@y"));
  g_assert_false (sm_email_address_is_valid ("a@exa_mple.com"));
  g_assert_false (sm_email_address_is_valid ("<a@example.com>"));

  g_assert_cmpuint (g_strv_length (two), ==, 2);
  g_assert_cmpstr (two[0], ==, "a@example.com");
  g_assert_cmpstr (two[1], ==, "b@x.org");
  g_assert_null (none);
  g_assert_cmpstr (bad, ==, "Bob <b@x.org>");

  g_assert_true (sm_email_host_is_loopback ("localhost"));
  g_assert_true (sm_email_host_is_loopback ("127.0.0.1"));
  g_assert_true (sm_email_host_is_loopback ("127.8.9.10"));
  g_assert_true (sm_email_host_is_loopback ("::1"));
  g_assert_false (sm_email_host_is_loopback ("192.0.2.1"));
  g_assert_false (sm_email_host_is_loopback ("mail.example.com"));
  g_assert_false (sm_email_host_is_loopback ("localhost.example.com"));
}

static void
test_build_message (void)
{
  g_autoptr(SmNotification) ascii = sample_notification ("CPU above 90 %");
  g_autoptr(SmNotification) utf8 = sample_notification ("Température élevée: 95 °C");
  const char *to[] = { "admin@example.com", "ops@example.com", NULL };
  g_autofree char *plain = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *date = NULL;
  g_autofree char *cte = NULL;
  GString *joined;

  plain = sm_email_build_message (ascii, FROM, to, TIME_1, "<id-1@example.com>");
  date = header_value (plain, "Date");
  g_assert_cmpstr (date, ==, "Tue, 14 Nov 2023 22:13:20 +0000");
  g_assert_true (g_str_has_prefix (plain, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
                                          "From: Status Monitor <" FROM ">\r\n"
                                          "To: admin@example.com,\r\n ops@example.com\r\n"
                                          "Subject: [Status Monitor] CRITICAL web-1: CPU above 90 %\r\n"
                                          "Message-ID: <id-1@example.com>\r\n"
                                          "MIME-Version: 1.0\r\n"
                                          "Content-Type: text/plain; charset=UTF-8\r\n"
                                          "Content-Transfer-Encoding: 7bit\r\n"));
  g_assert_nonnull (strstr (plain, "\r\n\r\nCRITICAL web-1: CPU above 90 %\r\n\r\n"
                                   "Load is high.\r\n.\r\nA line with a dot above.\r\n"
                                   "\r\nValue: 93.5\r\n"
                                   "\r\nTime: 2023-11-14 22:13:20 UTC\r\n"));
  /* CRLF everywhere. */
  for (const char *p = plain; *p != '\0'; p++)
    if (*p == '\n')
      g_assert_cmpint (p[-1], ==, '\r');

  /* Not ASCII: an encoded-word subject and a quoted-printable body. */
  encoded = sm_email_build_message (utf8, FROM, to, TIME_1, "<id-2@example.com>");
  subject = header_value (encoded, "Subject");
  g_assert_true (g_str_has_prefix (subject, "[Status Monitor] =?UTF-8?B?"));
  g_assert_true (is_ascii_text (encoded));
  cte = header_value (encoded, "Content-Transfer-Encoding");
  g_assert_cmpstr (cte, ==, "quoted-printable");
  g_assert_nonnull (strstr (encoded, "Temp=C3=A9rature =C3=A9lev=C3=A9e: 95 =C2=B0C"));
  /* Decoding the words gives the text back. */
  joined = g_string_new (NULL);
  {
    g_auto(GStrv) words = g_strsplit (subject + strlen ("[Status Monitor] "), " ", -1);

    for (guint i = 0; words[i] != NULL; i++)
      {
        g_autofree guchar *raw = NULL;
        gsize len = 0;
        char *word = words[i];

        if (*word == '\0')
          continue;
        g_assert_true (g_str_has_prefix (word, "=?UTF-8?B?"));
        g_assert_true (g_str_has_suffix (word, "?="));
        g_assert_cmpuint (strlen (word), <=, 75);
        word[strlen (word) - 2] = '\0';
        raw = g_base64_decode (word + strlen ("=?UTF-8?B?"), &len);
        g_string_append_len (joined, (char *) raw, len);
      }
  }
  decoded = g_string_free (joined, FALSE);
  g_assert_cmpstr (decoded, ==, "CRITICAL web-1: Température élevée: 95 °C");
}

static void
test_starttls (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(SmEmailNotifier) notifier = NULL;
  g_autoptr(SmNotification) notification = sample_notification ("CPU above 90 %");
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *message = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *subject = NULL;
  JsonObject *meta = NULL;
  JsonArray *rcpt;
  Result result = { 0 };

  (void) user_data;

  notifier = make_notifier (fixture, "starttls", PASSWORD,
                            "admin@example.com, ops@example.com", TRUE);
  g_assert_cmpstr (sm_notifier_get_name (SM_NOTIFIER (notifier)), ==, "mail");
  send_and_wait (notifier, notification, &result);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);

  message = read_message (fixture, 1, &meta, &parser);
  g_assert_true (json_object_get_boolean_member (meta, "tls"));
  g_assert_true (json_object_get_boolean_member (meta, "starttls"));
  g_assert_cmpstr (json_object_get_string_member (meta, "login"), ==, USER);
  g_assert_cmpstr (json_object_get_string_member (meta, "mail_from"), ==, FROM);
  rcpt = json_object_get_array_member (meta, "rcpt_tos");
  g_assert_cmpuint (json_array_get_length (rcpt), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (rcpt, 0), ==, "admin@example.com");
  g_assert_cmpstr (json_array_get_string_element (rcpt, 1), ==, "ops@example.com");

  from = header_value (message, "From");
  to = header_value (message, "To");
  subject = header_value (message, "Subject");
  g_assert_cmpstr (from, ==, "Status Monitor <" FROM ">");
  g_assert_cmpstr (to, ==, "admin@example.com, ops@example.com");
  g_assert_cmpstr (subject, ==, "[Status Monitor] CRITICAL web-1: CPU above 90 %");
  g_assert_true (has_header (message, "Message-ID"));
  g_assert_true (has_header (message, "Date"));
  /* The sink undid the dot-stuffing libcurl did. */
  g_assert_nonnull (strstr (message, "\r\n\r\nCRITICAL web-1: CPU above 90 %\r\n\r\n"
                                     "Load is high.\r\n.\r\nA line with a dot above.\r\n"));
  g_assert_null (strstr (message, PASSWORD));
}

static void
test_implicit_tls (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(SmEmailNotifier) notifier = NULL;
  g_autoptr(SmNotification) notification = sample_notification ("CPU above 90 %");
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *message = NULL;
  JsonObject *meta = NULL;
  Result result = { 0 };
  Result untrusted = { 0 };

  (void) user_data;

  notifier = make_notifier (fixture, "tls", PASSWORD, "admin@example.com", TRUE);
  send_and_wait (notifier, notification, &result);
  g_assert_no_error (result.error);
  message = read_message (fixture, 1, &meta, &parser);
  g_assert_true (json_object_get_boolean_member (meta, "tls"));
  g_assert_false (json_object_get_boolean_member (meta, "starttls"));
  g_assert_cmpstr (json_object_get_string_member (meta, "login"), ==, USER);
  g_clear_object (&notifier);

  notifier = make_notifier (fixture, "tls", PASSWORD, "admin@example.com", FALSE);
  send_and_wait (notifier, notification, &untrusted);
  g_assert_error (untrusted.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE);
  g_assert_true (g_str_has_prefix (untrusted.error->message, "TLS: "));
  g_test_message ("%s", untrusted.error->message);
  g_clear_error (&untrusted.error);
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(SmEmailNotifier) notifier = NULL;
  g_autoptr(SmNotification) notification = sample_notification ("CPU above 90 %");
  g_autofree char *first = g_build_filename (fixture->mail_dir, "1.eml", NULL);
  Result result = { 0 };

  (void) user_data;

  notifier = make_notifier (fixture, "starttls", WRONG, "admin@example.com", TRUE);
  send_and_wait (notifier, notification, &result);
  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_AUTH);
  g_assert_null (strstr (result.error->message, WRONG));
  g_assert_null (strstr (result.error->message, PASSWORD));
  g_assert_nonnull (strstr (result.error->message, "127.0.0.1"));
  g_assert_false (g_file_test (first, G_FILE_TEST_EXISTS));
  g_test_message ("%s", result.error->message);
  g_clear_error (&result.error);
}

static void
test_untrusted (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(SmEmailNotifier) notifier = NULL;
  g_autoptr(SmNotification) notification = sample_notification ("CPU above 90 %");
  Result result = { 0 };

  (void) user_data;

  /* The sink's certificate is in no trust store but the test's. */
  notifier = make_notifier (fixture, "starttls", PASSWORD, "admin@example.com", FALSE);
  send_and_wait (notifier, notification, &result);
  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE);
  g_assert_true (g_str_has_prefix (result.error->message, "TLS: "));
  g_assert_null (strstr (result.error->message, PASSWORD));
  g_test_message ("%s", result.error->message);
  g_clear_error (&result.error);
}

static void
test_header_injection (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(SmEmailNotifier) notifier = NULL;
  g_autoptr(SmNotification) notification =
    sample_notification ("Disk full\r\nBcc: x@y\r\nX-Evil: 1");
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *message = NULL;
  g_autofree char *subject = NULL;
  JsonObject *meta = NULL;
  Result result = { 0 };

  (void) user_data;

  g_free (notification->server);
  notification->server = g_strdup ("web-1\nCc: y@z");
  notifier = make_notifier (fixture, "starttls", PASSWORD, "admin@example.com", TRUE);
  send_and_wait (notifier, notification, &result);
  g_assert_no_error (result.error);

  message = read_message (fixture, 1, &meta, &parser);
  g_assert_false (has_header (message, "Bcc"));
  g_assert_false (has_header (message, "Cc"));
  g_assert_false (has_header (message, "X-Evil"));
  subject = header_value (message, "Subject");
  g_assert_cmpstr (subject, ==, "[Status Monitor] CRITICAL web-1 Cc: y@z: Disk full  Bcc: x@y  X-Evil: 1");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (meta, "rcpt_tos")), ==, 1);
}

static void
test_recipient_refused (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(SmEmailNotifier) notifier = NULL;
  g_autoptr(SmNotification) notification = sample_notification ("CPU above 90 %");
  Result result = { 0 };

  (void) user_data;

  notifier = make_notifier (fixture, "starttls", PASSWORD, "refused@example.com", TRUE);
  send_and_wait (notifier, notification, &result);
  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_REFUSED);
  g_assert_nonnull (strstr (result.error->message, "550"));
  g_test_message ("%s", result.error->message);
  g_clear_error (&result.error);
}

static void
test_plain_loopback (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(SmEmailNotifier) notifier = NULL;
  g_autoptr(SmNotification) notification = sample_notification ("Température");
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *message = NULL;
  JsonObject *meta = NULL;
  Result result = { 0 };

  (void) user_data;

  /* "none" to a loopback host, no login. */
  notifier = make_notifier (fixture, "none", NULL, "admin@example.com", FALSE);
  send_and_wait (notifier, notification, &result);
  g_assert_no_error (result.error);
  message = read_message (fixture, 1, &meta, &parser);
  g_assert_false (json_object_get_boolean_member (meta, "tls"));
  g_assert_true (json_object_get_null_member (meta, "login"));
}

static void
test_none_refused (void)
{
  g_autoptr(SmEmailNotifier) notifier = NULL;
  g_autoptr(SmNotification) notification = sample_notification ("CPU above 90 %");
  g_autoptr(SmChannel) channel = sm_channel_new ("mail", SM_CHANNEL_EMAIL);
  g_autofree char *problem = NULL;
  Result result = { 0 };

  /* Refused before any connection: mail.example.com is never contacted. */
  notifier = sm_email_notifier_new ("mail", "mail.example.com", 25, "none",
                                    USER, PASSWORD, FROM, "admin@example.com",
                                    NULL);
  send_and_wait (notifier, notification, &result);
  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);
  g_assert_null (strstr (result.error->message, PASSWORD));
  g_test_message ("%s", result.error->message);
  g_clear_error (&result.error);

  sm_channel_set (channel, "host", "mail.example.com");
  sm_channel_set (channel, "security", "none");
  sm_channel_set (channel, "from", FROM);
  sm_channel_set (channel, "to", "admin@example.com");
  problem = sm_channel_validate (channel, PASSWORD);
  g_assert_nonnull (problem);
  g_assert_true (g_str_has_prefix (problem, "security: "));
  g_assert_null (strstr (problem, PASSWORD));
}

static void
test_connection_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(SmEmailNotifier) notifier = NULL;
  g_autoptr(SmNotification) notification = sample_notification ("CPU above 90 %");
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

  notifier = sm_email_notifier_new ("mail", "127.0.0.1", port, "starttls",
                                    USER, PASSWORD, FROM, "admin@example.com",
                                    NULL);
  send_and_wait (notifier, notification, &result);
  g_assert_error (result.error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_UNAVAILABLE);
  g_assert_null (strstr (result.error->message, PASSWORD));
  g_test_message ("%s", result.error->message);
  g_clear_error (&result.error);
}

int
main (int   argc,
      char *argv[])
{
  /* Loopback only: no proxy may stand between the test and its sink. */
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
  g_unsetenv ("smtp_proxy");
  g_unsetenv ("SMTP_PROXY");

  g_test_init (&argc, &argv, NULL);

  have_tools = g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE) &&
               g_file_test (OPENSSL, G_FILE_TEST_IS_EXECUTABLE);

  g_test_add_func ("/email/addresses", test_addresses);
  g_test_add_func ("/email/build-message", test_build_message);
  g_test_add_func ("/email/none-refused", test_none_refused);
  g_test_add_func ("/email/connection-refused", test_connection_refused);
  if (have_tools)
    {
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
      ADD ("/email/starttls", test_starttls);
      ADD ("/email/implicit-tls", test_implicit_tls);
      ADD ("/email/wrong-password", test_wrong_password);
      ADD ("/email/untrusted", test_untrusted);
      ADD ("/email/header-injection", test_header_injection);
      ADD ("/email/recipient-refused", test_recipient_refused);
      ADD ("/email/plain-loopback", test_plain_loopback);
#undef ADD
    }

  return g_test_run ();
}
