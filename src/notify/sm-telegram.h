/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-telegram.h: the Telegram channel, through the Bot API's sendMessage.
 *
 * Charts can be sent as photos (sendPhoto) through the same queues.
 *
 * Messages use parse_mode HTML: the title line is bold and carries a
 * severity marker, then the server's name and the body, all escaped.
 * Text that does not fit in one Telegram message (4096 UTF-16 code units
 * after entity parsing) is split at line boundaries into numbered parts,
 * at most SM_TELEGRAM_MAX_PARTS, the last one trimmed with "…".
 *
 * Each chat has a queue (per notifier: two notifiers for one chat do not
 * share it) that sends one message at a time, at least min-interval-ms
 * apart, counted from the previous answer (Telegram allows about one a
 * second per chat). A 429 answer is retried after its
 * parameters.retry_after; 5xx answers and network errors are retried with
 * exponential backoff (retry-base-ms, doubled each time). Every answer
 * counts towards max-attempts attempts per message. 400, 401, 403 and 404
 * fail at once with the API's description.
 *
 * A notifier is used from the thread whose thread-default main context
 * was current when it was created; its callbacks and timers run there.
 *
 * The bot token is kept in guarded memory (sm_secret_dup). It appears in
 * no log line and no error: URLs are shown as ".../bot<token>/sendMessage".
 */
#pragma once

#include <gio/gio.h>

#include "sm-notifier.h"

G_BEGIN_DECLS

#define SM_TELEGRAM_DEFAULT_API_BASE  "https://api.telegram.org"
/* UTF-16 code units of text in one message, after entity parsing. */
#define SM_TELEGRAM_MAX_MESSAGE       4096
/* A notification is never split into more messages than this. */
#define SM_TELEGRAM_MAX_PARTS         10
/* UTF-16 code units of a photo's caption. */
#define SM_TELEGRAM_MAX_CAPTION       1024
/* Bytes of a photo that sendPhoto accepts. */
#define SM_TELEGRAM_MAX_PHOTO_SIZE    (10 * 1024 * 1024)

#define SM_TYPE_TELEGRAM_NOTIFIER (sm_telegram_notifier_get_type ())
G_DECLARE_FINAL_TYPE (SmTelegramNotifier, sm_telegram_notifier, SM, TELEGRAM_NOTIFIER, GObject)

/* bot_token is copied into guarded memory. api_base NULL means
 * SM_TELEGRAM_DEFAULT_API_BASE. Nothing is checked or sent here: a
 * malformed token or chat id is reported by the first send. */
SmTelegramNotifier *sm_telegram_notifier_new            (const char          *name,
                                                         const char          *bot_token,
                                                         const char          *chat_id,
                                                         const char          *api_base);

const char         *sm_telegram_notifier_get_chat_id    (SmTelegramNotifier  *self);
const char         *sm_telegram_notifier_get_api_base   (SmTelegramNotifier  *self);
/* Replaces the token (copied into guarded memory) for later sends. */
void                sm_telegram_notifier_set_token      (SmTelegramNotifier  *self,
                                                         const char          *bot_token);

/* Sends sm_notifier_test_message() to the chat, for the Preferences button. */
void                sm_telegram_notifier_send_test_async  (SmTelegramNotifier  *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean            sm_telegram_notifier_send_test_finish (SmTelegramNotifier  *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* Sends ready-made HTML messages (each within SM_TELEGRAM_MAX_MESSAGE) to
 * chat_id, in order, through that chat's queue; NULL chat_id means the
 * notifier's chat. Finish with sm_notifier_send_finish. */
void                sm_telegram_notifier_send_html_async  (SmTelegramNotifier  *self,
                                                           const char          *chat_id,
                                                           const char * const  *messages,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);

/* Sends a PNG (a chart of the metric's last hour, say) through sendPhoto
 * (multipart/form-data) with caption, plain text that is escaped here and
 * cut to SM_TELEGRAM_MAX_CAPTION units with "…" (NULL or "" for none), to
 * chat_id (NULL means the notifier's chat), through that chat's queue.
 * Finish with sm_notifier_send_finish. */
void                sm_telegram_notifier_send_photo_async (SmTelegramNotifier  *self,
                                                           const char          *chat_id,
                                                           GBytes              *png,
                                                           const char          *caption,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);

/* Escapes <, > and & (and nothing else) for Telegram's HTML parse mode;
 * invalid UTF-8 is repaired first. */
char               *sm_telegram_escape_html             (const char          *text);
/* The messages notification becomes: a NULL-terminated array of HTML
 * strings, each at most max_units UTF-16 code units once parsed (pass
 * SM_TELEGRAM_MAX_MESSAGE; smaller values are for tests). */
char              **sm_telegram_format                  (const SmNotification *notification,
                                                         gsize                 max_units);
/* UTF-16 code units of text as Telegram shows it (tags removed, the three
 * entities decoded); -1 if text is not valid Telegram HTML as this file
 * writes it (only <b>, <i> and the entities &lt; &gt; &amp;). */
gssize              sm_telegram_html_units              (const char          *html);

G_END_DECLS
