/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-channel.c: a notification channel as the user configured it, and the
 * notifier made from it.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sm-channel.h"
#include "sm-desktop.h"
#include "sm-email.h"
#include "sm-telegram.h"
#include "sm-validate.h"
#include "sm-webhook.h"

/* Types. */

static const char * const type_names[SM_CHANNEL_N_TYPES] = {
  "desktop", "telegram", "webhook", "email",
};

static const char * const desktop_keys[] = { NULL };
static const char * const telegram_keys[] = { "chat_id", "api_base", "attach_chart", NULL };
static const char * const webhook_keys[] = { "format", NULL };
static const char * const email_keys[] = { "host", "port", "security", "username",
                                           "from", "to", "ca_file", NULL };

const char *
sm_channel_type_to_string (SmChannelType type)
{
  g_return_val_if_fail ((guint) type < SM_CHANNEL_N_TYPES, NULL);

  return type_names[type];
}

gboolean
sm_channel_type_from_string (const char    *text,
                             SmChannelType *out_type)
{
  for (guint i = 0; i < SM_CHANNEL_N_TYPES; i++)
    {
      if (g_strcmp0 (text, type_names[i]) == 0)
        {
          if (out_type != NULL)
            *out_type = (SmChannelType) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
sm_channel_type_to_label (SmChannelType type)
{
  switch (type)
    {
    case SM_CHANNEL_DESKTOP:
      return _("Desktop");
    case SM_CHANNEL_TELEGRAM:
      return _("Telegram");
    case SM_CHANNEL_WEBHOOK:
      return _("Webhook");
    case SM_CHANNEL_EMAIL:
      return _("Email");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
sm_channel_type_get_secret_key (SmChannelType type)
{
  switch (type)
    {
    case SM_CHANNEL_TELEGRAM:
      return "bot_token";
    case SM_CHANNEL_WEBHOOK:
      return "url";
    case SM_CHANNEL_EMAIL:
      return "password";
    case SM_CHANNEL_DESKTOP:
    default:
      return NULL;
    }
}

gboolean
sm_channel_type_needs_secret (SmChannelType type)
{
  return type == SM_CHANNEL_TELEGRAM || type == SM_CHANNEL_WEBHOOK;
}

const char * const *
sm_channel_type_get_keys (SmChannelType type)
{
  switch (type)
    {
    case SM_CHANNEL_DESKTOP:
      return desktop_keys;
    case SM_CHANNEL_TELEGRAM:
      return telegram_keys;
    case SM_CHANNEL_WEBHOOK:
      return webhook_keys;
    case SM_CHANNEL_EMAIL:
      return email_keys;
    default:
      g_return_val_if_reached (desktop_keys);
    }
}

/* Channels. */

SmChannel *
sm_channel_new (const char    *name,
                SmChannelType  type)
{
  SmChannel *channel;

  g_return_val_if_fail ((guint) type < SM_CHANNEL_N_TYPES, NULL);

  channel = g_new0 (SmChannel, 1);
  channel->name = g_strdup (name);
  channel->type = type;
  channel->enabled = TRUE;
  channel->is_default = TRUE;
  channel->settings = g_hash_table_new_full (g_str_hash, g_str_equal,
                                             g_free, g_free);
  return channel;
}

SmChannel *
sm_channel_copy (const SmChannel *channel)
{
  SmChannel *copy;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_return_val_if_fail (channel != NULL, NULL);

  copy = sm_channel_new (channel->name, channel->type);
  copy->id = channel->id;
  copy->enabled = channel->enabled;
  copy->is_default = channel->is_default;
  copy->has_secret = channel->has_secret;
  g_hash_table_iter_init (&iter, channel->settings);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->settings, g_strdup (key), g_strdup (value));
  return copy;
}

void
sm_channel_free (SmChannel *channel)
{
  if (channel == NULL)
    return;

  g_clear_pointer (&channel->settings, g_hash_table_unref);
  g_free (channel->name);
  g_free (channel);
}

const char *
sm_channel_get (const SmChannel *channel,
                const char      *key)
{
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (channel->settings, key);
}

void
sm_channel_set (SmChannel  *channel,
                const char *key,
                const char *value)
{
  g_return_if_fail (channel != NULL);
  g_return_if_fail (key != NULL);

  if (value == NULL || *value == '\0')
    g_hash_table_remove (channel->settings, key);
  else
    g_hash_table_insert (channel->settings, g_strdup (key), g_strdup (value));
}

/* Validation. */

/* "field: problem"; takes problem. */
static char *
field_error (const char *field,
             char       *problem)
{
  char *message = g_strdup_printf ("%s: %s", field, problem);

  g_free (problem);
  return message;
}

static gboolean
has_line_break (const char *text)
{
  return text != NULL && strpbrk (text, "\r\n") != NULL;
}

static gboolean
telegram_chat_id_is_valid (const char *chat_id)
{
  const char *p = chat_id;

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
telegram_token_is_valid (const char *token)
{
  if (strchr (token, ':') == NULL)
    return FALSE;
  for (const char *p = token; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != ':' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
http_url_is_valid (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "http") == 0) &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         !has_line_break (url) && strchr (url, ' ') == NULL;
}

/* The secret: required (given now or stored) where the type needs one;
 * when given, well-formed. */
static char *
validate_secret (const SmChannel *channel,
                 const char      *secret,
                 gboolean         stored_counts)
{
  const char *key = sm_channel_type_get_secret_key (channel->type);
  gboolean given = secret != NULL && *secret != '\0';

  if (key == NULL)
    return NULL;
  if (!given)
    {
      if (sm_channel_type_needs_secret (channel->type) &&
          !(stored_counts && channel->has_secret))
        return field_error (key, g_strdup (_("must not be empty")));
      return NULL;
    }

  switch (channel->type)
    {
    case SM_CHANNEL_TELEGRAM:
      if (!telegram_token_is_valid (secret))
        return field_error (key, g_strdup (_("must look like 123456789:ABC-DEF1234ghIkl, as BotFather gives it")));
      break;
    case SM_CHANNEL_WEBHOOK:
      if (!http_url_is_valid (secret))
        return field_error (key, g_strdup (_("must be an http or https URL with a host name")));
      break;
    case SM_CHANNEL_EMAIL:
      if (has_line_break (secret))
        return field_error (key, g_strdup (_("must not contain line breaks")));
      break;
    case SM_CHANNEL_DESKTOP:
    default:
      break;
    }
  return NULL;
}

static char *
validate_telegram (const SmChannel *channel)
{
  const char *chat_id = sm_channel_get (channel, "chat_id");
  const char *api_base = sm_channel_get (channel, "api_base");
  const char *attach_chart = sm_channel_get (channel, "attach_chart");

  if (chat_id == NULL)
    return field_error ("chat_id", g_strdup (_("must not be empty")));
  if (!telegram_chat_id_is_valid (chat_id))
    return field_error ("chat_id", g_strdup (_("must be a number or @channelname")));
  if (api_base != NULL && !http_url_is_valid (api_base))
    return field_error ("api_base", g_strdup (_("must be an http or https URL with a host name")));
  if (attach_chart != NULL &&
      g_strcmp0 (attach_chart, "true") != 0 &&
      g_strcmp0 (attach_chart, "false") != 0)
    return field_error ("attach_chart", g_strdup (_("must be “true” or “false”")));
  return NULL;
}

static char *
validate_webhook (const SmChannel *channel)
{
  const char *format = sm_channel_get (channel, "format");

  if (!sm_webhook_format_from_string (format, NULL))
    return field_error ("format", g_strdup (_("must be “generic”, “slack” or “discord”")));
  return NULL;
}

static char *
validate_email (const SmChannel *channel)
{
  const char *host = sm_channel_get (channel, "host");
  const char *port = sm_channel_get (channel, "port");
  const char *security = sm_channel_get (channel, "security");
  const char *username = sm_channel_get (channel, "username");
  const char *from = sm_channel_get (channel, "from");
  const char *to = sm_channel_get (channel, "to");
  const char *ca_file = sm_channel_get (channel, "ca_file");
  SmEmailSecurity mode;
  char *problem;

  if ((problem = sm_validate_host (host)) != NULL)
    return field_error ("host", problem);
  if (port != NULL && (problem = sm_validate_port_text (port, NULL)) != NULL)
    return field_error ("port", problem);
  if (!sm_email_security_from_string (security, &mode))
    return field_error ("security", g_strdup (_("must be “starttls”, “tls” or “none”")));
  if (mode == SM_EMAIL_SECURITY_NONE && !sm_email_host_is_loopback (host))
    return field_error ("security", g_strdup (_("“none” sends mail unencrypted and is only allowed for a server on this computer (127.0.0.1, ::1 or localhost); use “starttls” or “tls”")));
  if (username != NULL && (has_line_break (username) || strchr (username, ' ') != NULL))
    return field_error ("username", g_strdup (_("must not contain spaces or line breaks")));
  if (from == NULL)
    return field_error ("from", g_strdup (_("must not be empty")));
  if (!sm_email_address_is_valid (from))
    return field_error ("from", g_strdup (_("must be a plain address such as monitor@example.com")));
  if (to == NULL)
    return field_error ("to", g_strdup (_("must not be empty")));
  {
    g_autofree char *bad = NULL;
    g_auto(GStrv) recipients = sm_email_parse_recipients (to, &bad);

    if (recipients == NULL)
      {
        if (bad == NULL)
          return field_error ("to", g_strdup (_("must not be empty")));
        g_strdelimit (bad, "\r\n", ' ');
        /* Translators: %s is what the user typed as a recipient. */
        return field_error ("to", g_strdup_printf (_("“%s” is not a plain address such as admin@example.com (separate addresses with commas)"),
                                                   bad));
      }
  }
  if (ca_file != NULL)
    {
      if (!g_file_test (ca_file, G_FILE_TEST_IS_REGULAR) ||
          g_access (ca_file, R_OK) != 0)
        return field_error ("ca_file", g_strdup (_("must be a readable file (a PEM certificate bundle)")));
    }
  return NULL;
}

static char *
validate (const SmChannel *channel,
          const char      *secret,
          gboolean         stored_counts)
{
  g_autoptr(GList) keys = NULL;
  const char * const *known;
  char *problem;

  if ((problem = sm_validate_name (channel->name)) != NULL)
    return field_error ("name", problem);

  /* Unknown settings, in a stable order. */
  known = sm_channel_type_get_keys (channel->type);
  keys = g_list_sort (g_hash_table_get_keys (channel->settings),
                      (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      if (!g_strv_contains (known, l->data))
        {
          /* Translators: %s is a channel type ("webhook"). */
          return field_error (l->data, g_strdup_printf (_("is not a setting of a %s channel"),
                                                        sm_channel_type_to_string (channel->type)));
        }
    }

  switch (channel->type)
    {
    case SM_CHANNEL_TELEGRAM:
      problem = validate_telegram (channel);
      break;
    case SM_CHANNEL_WEBHOOK:
      problem = validate_webhook (channel);
      break;
    case SM_CHANNEL_EMAIL:
      problem = validate_email (channel);
      break;
    case SM_CHANNEL_DESKTOP:
    default:
      problem = NULL;
      break;
    }
  if (problem != NULL)
    return problem;

  return validate_secret (channel, secret, stored_counts);
}

char *
sm_channel_validate (const SmChannel *channel,
                     const char      *secret)
{
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail ((guint) channel->type < SM_CHANNEL_N_TYPES, NULL);

  return validate (channel, secret, TRUE);
}

SmNotifier *
sm_channel_create_notifier (const SmChannel  *channel,
                            const char       *secret,
                            GError          **error)
{
  g_autofree char *problem = NULL;

  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail ((guint) channel->type < SM_CHANNEL_N_TYPES, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Here the secret is the one there is: a stored one does not count. */
  problem = validate (channel, secret, FALSE);
  if (problem != NULL)
    {
      /* Translators: the first %s is a channel's name, the second what is
       * wrong with its settings ("chat_id: must not be empty"). */
      g_set_error (error, SM_NOTIFIER_ERROR, SM_NOTIFIER_ERROR_INVALID,
                   _("The channel “%s” cannot work: %s"),
                   channel->name != NULL ? channel->name : "", problem);
      return NULL;
    }

  switch (channel->type)
    {
    case SM_CHANNEL_DESKTOP:
      return SM_NOTIFIER (sm_desktop_notifier_new (channel->name));

    case SM_CHANNEL_TELEGRAM:
      return SM_NOTIFIER (sm_telegram_notifier_new (channel->name, secret,
                                                    sm_channel_get (channel, "chat_id"),
                                                    sm_channel_get (channel, "api_base")));

    case SM_CHANNEL_WEBHOOK:
      return SM_NOTIFIER (sm_webhook_notifier_new (channel->name, secret,
                                                   sm_channel_get (channel, "format")));

    case SM_CHANNEL_EMAIL:
      {
        const char *port_text = sm_channel_get (channel, "port");
        guint port = SM_EMAIL_DEFAULT_PORT;

        /* Valid: validate() said so. */
        if (port_text != NULL)
          g_free (sm_validate_port_text (port_text, &port));
        return SM_NOTIFIER (sm_email_notifier_new (channel->name,
                                                   sm_channel_get (channel, "host"),
                                                   port,
                                                   sm_channel_get (channel, "security"),
                                                   sm_channel_get (channel, "username"),
                                                   secret,
                                                   sm_channel_get (channel, "from"),
                                                   sm_channel_get (channel, "to"),
                                                   sm_channel_get (channel, "ca_file")));
      }

    default:
      g_return_val_if_reached (NULL);
    }
}
