/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-channel.c: channels as plain data, their validation and the
 * notifiers made from them. Nothing is sent.
 */
#include "config.h"

#include <string.h>

#include "sm-channel.h"
#include "sm-desktop.h"
#include "sm-email.h"
#include "sm-telegram.h"
#include "sm-test-util.h"
#include "sm-webhook.h"

#define TOKEN        "123456:SECRET-tok_en"
#define HOOK_URL     "https://hooks.example.com/services/T0/B0/SECRETxyz"
#define PASSWORD     "s3cret-Passw0rd"

/* Asserts that validating channel with secret fails on field. */
#define assert_invalid(channel, secret, field)                              \
  G_STMT_START {                                                           \
    g_autofree char *problem_ = sm_channel_validate ((channel), (secret)); \
    g_assert_nonnull (problem_);                                           \
    if (!g_str_has_prefix (problem_, field ": "))                          \
      g_error ("expected a problem with %s, got \"%s\"", field, problem_); \
    g_assert_null (strstr (problem_, "SECRET"));                           \
    g_assert_null (strstr (problem_, PASSWORD));                           \
  } G_STMT_END

#define assert_valid(channel, secret)                                       \
  G_STMT_START {                                                           \
    g_autofree char *problem_ = sm_channel_validate ((channel), (secret)); \
    if (problem_ != NULL)                                                  \
      g_error ("expected valid, got \"%s\"", problem_);                    \
  } G_STMT_END

static void
test_types (void)
{
  SmChannelType type;

  for (guint i = 0; i < SM_CHANNEL_N_TYPES; i++)
    {
      const char *name = sm_channel_type_to_string (i);

      g_assert_nonnull (name);
      g_assert_true (sm_channel_type_from_string (name, &type));
      g_assert_cmpint (type, ==, i);
      g_assert_nonnull (sm_channel_type_to_label (i));
    }
  g_assert_cmpstr (sm_channel_type_to_string (SM_CHANNEL_DESKTOP), ==, "desktop");
  g_assert_cmpstr (sm_channel_type_to_string (SM_CHANNEL_TELEGRAM), ==, "telegram");
  g_assert_cmpstr (sm_channel_type_to_string (SM_CHANNEL_WEBHOOK), ==, "webhook");
  g_assert_cmpstr (sm_channel_type_to_string (SM_CHANNEL_EMAIL), ==, "email");
  g_assert_false (sm_channel_type_from_string ("pager", &type));
  g_assert_false (sm_channel_type_from_string (NULL, &type));

  g_assert_cmpstr (sm_channel_type_to_label (SM_CHANNEL_DESKTOP), ==, "Desktop");
  g_assert_cmpstr (sm_channel_type_to_label (SM_CHANNEL_EMAIL), ==, "Email");

  g_assert_null (sm_channel_type_get_secret_key (SM_CHANNEL_DESKTOP));
  g_assert_cmpstr (sm_channel_type_get_secret_key (SM_CHANNEL_TELEGRAM), ==, "bot_token");
  g_assert_cmpstr (sm_channel_type_get_secret_key (SM_CHANNEL_WEBHOOK), ==, "url");
  g_assert_cmpstr (sm_channel_type_get_secret_key (SM_CHANNEL_EMAIL), ==, "password");

  g_assert_false (sm_channel_type_needs_secret (SM_CHANNEL_DESKTOP));
  g_assert_true (sm_channel_type_needs_secret (SM_CHANNEL_TELEGRAM));
  g_assert_true (sm_channel_type_needs_secret (SM_CHANNEL_WEBHOOK));
  g_assert_false (sm_channel_type_needs_secret (SM_CHANNEL_EMAIL));

  g_assert_cmpuint (g_strv_length ((GStrv) sm_channel_type_get_keys (SM_CHANNEL_DESKTOP)), ==, 0);
  g_assert_true (g_strv_contains (sm_channel_type_get_keys (SM_CHANNEL_TELEGRAM), "chat_id"));
  g_assert_true (g_strv_contains (sm_channel_type_get_keys (SM_CHANNEL_TELEGRAM), "attach_chart"));
  g_assert_true (g_strv_contains (sm_channel_type_get_keys (SM_CHANNEL_WEBHOOK), "format"));
  g_assert_false (g_strv_contains (sm_channel_type_get_keys (SM_CHANNEL_WEBHOOK), "url"));
  g_assert_true (g_strv_contains (sm_channel_type_get_keys (SM_CHANNEL_EMAIL), "ca_file"));
  g_assert_false (g_strv_contains (sm_channel_type_get_keys (SM_CHANNEL_EMAIL), "password"));
}

static void
test_data (void)
{
  g_autoptr(SmChannel) channel = sm_channel_new ("tg", SM_CHANNEL_TELEGRAM);
  g_autoptr(SmChannel) copy = NULL;

  g_assert_cmpstr (channel->name, ==, "tg");
  g_assert_cmpint (channel->type, ==, SM_CHANNEL_TELEGRAM);
  g_assert_true (channel->enabled);
  g_assert_true (channel->is_default);
  g_assert_false (channel->has_secret);
  g_assert_cmpint (channel->id, ==, 0);
  g_assert_cmpuint (g_hash_table_size (channel->settings), ==, 0);
  g_assert_null (sm_channel_get (channel, "chat_id"));

  sm_channel_set (channel, "chat_id", "42");
  sm_channel_set (channel, "api_base", "http://127.0.0.1:1");
  g_assert_cmpstr (sm_channel_get (channel, "chat_id"), ==, "42");
  sm_channel_set (channel, "chat_id", "-1001");
  g_assert_cmpstr (sm_channel_get (channel, "chat_id"), ==, "-1001");
  sm_channel_set (channel, "api_base", "");
  g_assert_null (sm_channel_get (channel, "api_base"));
  sm_channel_set (channel, "api_base", "http://127.0.0.1:2");
  sm_channel_set (channel, "api_base", NULL);
  g_assert_null (sm_channel_get (channel, "api_base"));

  channel->id = 9;
  channel->enabled = FALSE;
  channel->is_default = FALSE;
  channel->has_secret = TRUE;
  copy = sm_channel_copy (channel);
  g_assert_cmpint (copy->id, ==, 9);
  g_assert_cmpstr (copy->name, ==, "tg");
  g_assert_true (copy->name != channel->name);
  g_assert_cmpint (copy->type, ==, SM_CHANNEL_TELEGRAM);
  g_assert_false (copy->enabled);
  g_assert_false (copy->is_default);
  g_assert_true (copy->has_secret);
  g_assert_cmpstr (sm_channel_get (copy, "chat_id"), ==, "-1001");

  /* A deep copy. */
  sm_channel_set (copy, "chat_id", "7");
  g_assert_cmpstr (sm_channel_get (channel, "chat_id"), ==, "-1001");
  g_assert_cmpstr (sm_channel_get (copy, "chat_id"), ==, "7");
}

static void
test_validate_desktop (void)
{
  g_autoptr(SmChannel) channel = sm_channel_new ("desk", SM_CHANNEL_DESKTOP);
  g_autoptr(SmChannel) unnamed = sm_channel_new ("", SM_CHANNEL_DESKTOP);

  assert_valid (channel, NULL);
  assert_invalid (unnamed, NULL, "name");
  sm_channel_set (channel, "sound", "on");
  assert_invalid (channel, NULL, "sound");
}

static void
test_validate_telegram (void)
{
  g_autoptr(SmChannel) channel = sm_channel_new ("tg", SM_CHANNEL_TELEGRAM);

  assert_invalid (channel, TOKEN, "chat_id");
  sm_channel_set (channel, "chat_id", "42");
  assert_valid (channel, TOKEN);
  sm_channel_set (channel, "chat_id", "-1001234567890");
  assert_valid (channel, TOKEN);
  sm_channel_set (channel, "chat_id", "@my_channel");
  assert_valid (channel, TOKEN);

  /* The exact message of the header's example. */
  sm_channel_set (channel, "chat_id", "my channel");
  {
    g_autofree char *problem = sm_channel_validate (channel, TOKEN);

    g_assert_cmpstr (problem, ==, "chat_id: must be a number or @channelname");
  }
  sm_channel_set (channel, "chat_id", "@");
  assert_invalid (channel, TOKEN, "chat_id");
  sm_channel_set (channel, "chat_id", "-");
  assert_invalid (channel, TOKEN, "chat_id");
  sm_channel_set (channel, "chat_id", "12a");
  assert_invalid (channel, TOKEN, "chat_id");
  sm_channel_set (channel, "chat_id", "42");

  sm_channel_set (channel, "api_base", "ftp://api.example.com");
  assert_invalid (channel, TOKEN, "api_base");
  sm_channel_set (channel, "api_base", "http://");
  assert_invalid (channel, TOKEN, "api_base");
  sm_channel_set (channel, "api_base", "http://127.0.0.1:8081");
  assert_valid (channel, TOKEN);

  sm_channel_set (channel, "attach_chart", "yes");
  assert_invalid (channel, TOKEN, "attach_chart");
  sm_channel_set (channel, "attach_chart", "true");
  assert_valid (channel, TOKEN);

  /* The token: required, well-formed; a stored one counts. */
  assert_invalid (channel, NULL, "bot_token");
  assert_invalid (channel, "", "bot_token");
  assert_invalid (channel, "SECRETnocolon", "bot_token");
  assert_invalid (channel, "123:SECRET token", "bot_token");
  channel->has_secret = TRUE;
  assert_valid (channel, NULL);

  sm_channel_set (channel, "url", "http://x");
  assert_invalid (channel, TOKEN, "url");
}

static void
test_validate_webhook (void)
{
  g_autoptr(SmChannel) channel = sm_channel_new ("hook", SM_CHANNEL_WEBHOOK);

  assert_valid (channel, HOOK_URL);
  assert_invalid (channel, NULL, "url");
  assert_invalid (channel, "ftp://example.com/SECRET", "url");
  assert_invalid (channel, "https:///SECRET", "url");
  assert_invalid (channel, "not a url SECRET", "url");
  assert_invalid (channel, "https://example.com/SECRET\r\nX: y", "url");
  assert_valid (channel, "http://127.0.0.1:8080/hook");

  for (guint i = 0; i < 3; i++)
    {
      const char *formats[] = { "generic", "slack", "discord" };

      sm_channel_set (channel, "format", formats[i]);
      assert_valid (channel, HOOK_URL);
    }
  sm_channel_set (channel, "format", "teams");
  assert_invalid (channel, HOOK_URL, "format");
  sm_channel_set (channel, "format", NULL);

  channel->has_secret = TRUE;
  assert_valid (channel, NULL);

  /* The URL is the secret, never a setting. */
  sm_channel_set (channel, "url", HOOK_URL);
  assert_invalid (channel, NULL, "url");
}

static void
test_validate_email (void)
{
  g_autoptr(SmChannel) channel = sm_channel_new ("mail", SM_CHANNEL_EMAIL);
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.pem", NULL);
  g_autoptr(GError) error = NULL;

  assert_invalid (channel, NULL, "host");
  sm_channel_set (channel, "host", "smtp.example.com");
  assert_invalid (channel, NULL, "from");
  sm_channel_set (channel, "from", "monitor@example.com");
  assert_invalid (channel, NULL, "to");
  sm_channel_set (channel, "to", "admin@example.com, ops@example.com");
  /* The password is optional. */
  assert_valid (channel, NULL);
  assert_valid (channel, PASSWORD);
  assert_invalid (channel, "SECRET\r\nRSET", "password");

  sm_channel_set (channel, "host", "bad host");
  assert_invalid (channel, NULL, "host");
  sm_channel_set (channel, "host", "user@smtp.example.com");
  assert_invalid (channel, NULL, "host");
  sm_channel_set (channel, "host", "smtp.example.com");

  sm_channel_set (channel, "port", "0");
  assert_invalid (channel, NULL, "port");
  sm_channel_set (channel, "port", "70000");
  assert_invalid (channel, NULL, "port");
  sm_channel_set (channel, "port", "smtp");
  assert_invalid (channel, NULL, "port");
  sm_channel_set (channel, "port", "465");
  assert_valid (channel, NULL);

  sm_channel_set (channel, "security", "ssl");
  assert_invalid (channel, NULL, "security");
  sm_channel_set (channel, "security", "tls");
  assert_valid (channel, NULL);
  sm_channel_set (channel, "security", "starttls");
  assert_valid (channel, NULL);

  /* "none" only on loopback. */
  sm_channel_set (channel, "security", "none");
  assert_invalid (channel, PASSWORD, "security");
  sm_channel_set (channel, "host", "192.0.2.1");
  assert_invalid (channel, NULL, "security");
  sm_channel_set (channel, "host", "localhost.example.com");
  assert_invalid (channel, NULL, "security");
  sm_channel_set (channel, "host", "127.0.0.1");
  assert_valid (channel, NULL);
  sm_channel_set (channel, "host", "127.1.2.3");
  assert_valid (channel, NULL);
  sm_channel_set (channel, "host", "::1");
  assert_valid (channel, NULL);
  sm_channel_set (channel, "host", "localhost");
  assert_valid (channel, NULL);
  sm_channel_set (channel, "security", NULL);
  sm_channel_set (channel, "host", "smtp.example.com");

  sm_channel_set (channel, "username", "alice smith");
  assert_invalid (channel, NULL, "username");
  sm_channel_set (channel, "username", "alice@example.com");
  assert_valid (channel, NULL);

  sm_channel_set (channel, "from", "Monitor <monitor@example.com>");
  assert_invalid (channel, NULL, "from");
  sm_channel_set (channel, "from", "monitor@example.com\r\nBcc: x@y");
  assert_invalid (channel, NULL, "from");
  sm_channel_set (channel, "from", "monitor");
  assert_invalid (channel, NULL, "from");
  sm_channel_set (channel, "from", "monitor@example.com");

  sm_channel_set (channel, "to", "admin@example.com, not an address");
  {
    g_autofree char *problem = sm_channel_validate (channel, NULL);

    g_assert_true (g_str_has_prefix (problem, "to: "));
    g_assert_nonnull (strstr (problem, "not an address"));
  }
  sm_channel_set (channel, "to", " , ");
  assert_invalid (channel, NULL, "to");
  sm_channel_set (channel, "to", "admin@example.com\nBcc: x@y");
  assert_invalid (channel, NULL, "to");
  sm_channel_set (channel, "to", "admin@example.com");

  sm_channel_set (channel, "ca_file", missing);
  assert_invalid (channel, NULL, "ca_file");
  sm_channel_set (channel, "ca_file", dir);
  assert_invalid (channel, NULL, "ca_file");
  g_file_set_contents (ca, "-----BEGIN CERTIFICATE-----\n", -1, &error);
  g_assert_no_error (error);
  sm_channel_set (channel, "ca_file", ca);
  assert_valid (channel, NULL);

  sm_channel_set (channel, "smtp_host", "x");
  assert_invalid (channel, NULL, "smtp_host");
  sm_channel_set (channel, "smtp_host", NULL);
  sm_channel_set (channel, "password", PASSWORD);
  assert_invalid (channel, NULL, "password");

  sm_test_rmdir (dir);
}

static void
test_create_notifier (void)
{
  g_autoptr(SmChannel) desk = sm_channel_new ("desk", SM_CHANNEL_DESKTOP);
  g_autoptr(SmChannel) tg = sm_channel_new ("tg", SM_CHANNEL_TELEGRAM);
  g_autoptr(SmChannel) hook = sm_channel_new ("hook", SM_CHANNEL_WEBHOOK);
  g_autoptr(SmChannel) mail = sm_channel_new ("mail", SM_CHANNEL_EMAIL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SmNotifier) notifier = NULL;

  notifier = sm_channel_create_notifier (desk, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (SM_IS_DESKTOP_NOTIFIER (notifier));
  g_assert_cmpstr (sm_notifier_get_name (notifier), ==, "desk");
  g_clear_object (&notifier);

  sm_channel_set (tg, "chat_id", "-42");
  sm_channel_set (tg, "api_base", "http://127.0.0.1:9");
  notifier = sm_channel_create_notifier (tg, TOKEN, &error);
  g_assert_no_error (error);
  g_assert_true (SM_IS_TELEGRAM_NOTIFIER (notifier));
  g_assert_cmpstr (sm_notifier_get_name (notifier), ==, "tg");
  g_assert_cmpstr (sm_telegram_notifier_get_chat_id (SM_TELEGRAM_NOTIFIER (notifier)), ==, "-42");
  g_assert_cmpstr (sm_telegram_notifier_get_api_base (SM_TELEGRAM_NOTIFIER (notifier)), ==, "http://127.0.0.1:9");
  g_clear_object (&notifier);

  /* A stored token is not enough: the notifier needs the token itself. */
  tg->has_secret = TRUE;
  notifier = sm_channel_create_notifier (tg, NULL, &error);
  g_assert_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "bot_token: "));
  g_assert_null (notifier);
  g_clear_error (&error);

  sm_channel_set (tg, "chat_id", "nope");
  notifier = sm_channel_create_notifier (tg, TOKEN, &error);
  g_assert_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "chat_id: "));
  g_assert_null (strstr (error->message, "SECRET"));
  g_assert_null (notifier);
  g_clear_error (&error);

  sm_channel_set (hook, "format", "discord");
  notifier = sm_channel_create_notifier (hook, HOOK_URL, &error);
  g_assert_no_error (error);
  g_assert_true (SM_IS_WEBHOOK_NOTIFIER (notifier));
  g_assert_cmpstr (sm_notifier_get_name (notifier), ==, "hook");
  g_assert_cmpint (sm_webhook_notifier_get_format (SM_WEBHOOK_NOTIFIER (notifier)), ==,
                   SM_WEBHOOK_FORMAT_DISCORD);
  g_clear_object (&notifier);

  notifier = sm_channel_create_notifier (hook, "gopher://SECRET", &error);
  g_assert_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);
  g_assert_null (strstr (error->message, "SECRET"));
  g_clear_error (&error);

  sm_channel_set (mail, "host", "smtp.example.com");
  sm_channel_set (mail, "port", "2525");
  sm_channel_set (mail, "from", "monitor@example.com");
  sm_channel_set (mail, "to", "admin@example.com");
  notifier = sm_channel_create_notifier (mail, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (SM_IS_EMAIL_NOTIFIER (notifier));
  g_assert_cmpstr (sm_notifier_get_name (notifier), ==, "mail");
  g_clear_object (&notifier);

  sm_channel_set (mail, "security", "none");
  notifier = sm_channel_create_notifier (mail, PASSWORD, &error);
  g_assert_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "security: "));
  g_assert_null (strstr (error->message, PASSWORD));
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel/types", test_types);
  g_test_add_func ("/channel/data", test_data);
  g_test_add_func ("/channel/validate-desktop", test_validate_desktop);
  g_test_add_func ("/channel/validate-telegram", test_validate_telegram);
  g_test_add_func ("/channel/validate-webhook", test_validate_webhook);
  g_test_add_func ("/channel/validate-email", test_validate_email);
  g_test_add_func ("/channel/create-notifier", test_create_notifier);

  return g_test_run ();
}
