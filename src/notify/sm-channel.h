/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-channel.h: a notification channel as the user configured it, as plain
 * data, and the notifier made from it.
 *
 * Settings are strings keyed by name; the channel's one secret (a bot
 * token, a webhook URL, an SMTP password) is never among them: the store
 * keeps it encrypted and hands it over only to build the notifier.
 *
 *   type      settings                                       secret
 *   desktop   (none)                                         (none)
 *   telegram  chat_id (required), api_base (default          bot_token (required)
 *             SM_TELEGRAM_DEFAULT_API_BASE), attach_chart
 *             ("true"/"false", default "false")
 *   webhook   format ("generic", "slack", "discord"; default url (required,
 *             "generic")                                     http or https)
 *   email     host (required), port (default 587), security  password (optional)
 *             ("starttls" default, "tls"; "none" only for a
 *             loopback host), username, from (required), to
 *             (required, comma-separated addresses), ca_file
 *             (PEM bundle to trust instead of the system's)
 *
 * Validators follow sm-validate.h: NULL when valid, else a message that
 * names the field and the problem ("chat_id: must be a number or
 * @channelname").
 */
#pragma once

#include <gio/gio.h>

#include "sm-notifier.h"

G_BEGIN_DECLS

typedef enum {
  SM_CHANNEL_DESKTOP,
  SM_CHANNEL_TELEGRAM,
  SM_CHANNEL_WEBHOOK,
  SM_CHANNEL_EMAIL,
} SmChannelType;

#define SM_CHANNEL_N_TYPES 4

/* "desktop", "telegram", "webhook", "email". */
const char *sm_channel_type_to_string      (SmChannelType  type);
gboolean    sm_channel_type_from_string    (const char    *text,
                                            SmChannelType *out_type);
/* Translated: "Desktop", "Telegram", "Webhook", "Email". */
const char *sm_channel_type_to_label       (SmChannelType  type);
/* The name of the type's secret ("bot_token", "url", "password"), or NULL. */
const char *sm_channel_type_get_secret_key (SmChannelType  type);
/* TRUE when the type cannot work without its secret (telegram, webhook). */
gboolean    sm_channel_type_needs_secret   (SmChannelType  type);
/* The setting names a type knows, NULL-terminated (not the secret). */
const char * const *sm_channel_type_get_keys (SmChannelType type);

typedef struct {
  gint64         id;          /* 0 until stored */
  char          *name;        /* unique, as rules name it: "desk", "tg" */
  SmChannelType  type;
  gboolean       enabled;
  gboolean       is_default;  /* rules that name no channel send here */
  GHashTable    *settings;    /* char * -> char *; never the secret */
  gboolean       has_secret;  /* a secret is stored for it */
} SmChannel;

/* Enabled and default, no settings. */
SmChannel  *sm_channel_new     (const char      *name,
                                SmChannelType    type);
SmChannel  *sm_channel_copy    (const SmChannel *channel);
void        sm_channel_free    (SmChannel       *channel);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmChannel, sm_channel_free)

/* NULL when unset. */
const char *sm_channel_get     (const SmChannel *channel,
                                const char      *key);
/* value NULL or "" removes the setting. */
void        sm_channel_set     (SmChannel       *channel,
                                const char      *key,
                                const char      *value);

/* NULL when valid, else "field: problem" (a translated message). secret
 * is the secret about to be stored, or NULL to keep the stored one
 * (channel->has_secret says whether there is one). Unknown setting names
 * are an error too. */
char       *sm_channel_validate (const SmChannel *channel,
                                 const char      *secret);

/* The notifier for a channel, named after it. secret is the decrypted
 * secret (NULL when none is stored). SM_NOTIFIER_ERROR_INVALID when the
 * channel does not validate. */
SmNotifier *sm_channel_create_notifier (const SmChannel *channel,
                                        const char      *secret,
                                        GError         **error);

G_END_DECLS
