/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-webhook.h: the webhook channel, a JSON POST to a URL the user gives.
 *
 * Formats (the "format" setting of a webhook channel):
 *
 *   "generic"  an object with exactly these members, in this order:
 *                kind      "firing", "escalated", "resolved", "flapping"
 *                          or "test"
 *                severity  "warning" or "critical"
 *                alert_id  integer (0 for a test)
 *                server    string, or null when the alert has no server
 *                title     string
 *                body      string, or null when there is none
 *                value     number, or null when the alert is not about a
 *                          metric (NAN)
 *                time      ISO 8601 in UTC, "2026-12-06T11:58:41Z"
 *              for example
 *                {"kind":"firing","severity":"critical","alert_id":7,
 *                 "server":"web-1","title":"CPU above 90 %","body":null,
 *                 "value":93.5,"time":"2026-12-06T11:58:41Z"}
 *   "slack"    {"text":"..."}: the summary line in bold, then the body,
 *              with &, < and > escaped as Slack's mrkdwn wants them
 *              (&amp; &lt; &gt;), so that no <!channel> or link can be
 *              smuggled in.
 *   "discord"  {"content":"...","allowed_mentions":{"parse":[]}}: the
 *              summary line in bold, then the body, at most
 *              SM_WEBHOOK_DISCORD_MAX characters (UTF-16 code units), cut
 *              with "…"; no @everyone, @here, user or role mention pings.
 *
 * The summary line is sm_webhook_summary(): "CRITICAL web-1: CPU above
 * 90 %". Invalid UTF-8 is repaired first.
 *
 * Delivery: a 2xx answer is success. A 429 answer is retried after its
 * Retry-After (seconds; 1 s when absent, at most an hour); 5xx answers and
 * network errors are retried with exponential backoff (retry-base-ms,
 * doubled each time); every attempt counts towards max-attempts, after
 * which the send fails with SM_NOTIFIER_ERROR_UNAVAILABLE. 401 and 403
 * fail at once with SM_NOTIFIER_ERROR_AUTH, other 4xx with
 * SM_NOTIFIER_ERROR_REFUSED and the status and the start of the answer's
 * body (at most 200 characters, control characters removed). Redirects
 * are not followed (SM_NOTIFIER_ERROR_PROTOCOL): the payload goes only
 * where the user said. Answers are read up to 64 KiB; each request has
 * timeout-s seconds for every read and write.
 *
 * The URL is a secret (Slack and Discord URLs carry their token in the
 * path): it is kept in guarded memory, and logs and errors show only
 * "scheme://host[:port]/…".
 *
 * A notifier is used from the thread whose thread-default main context
 * was current when it was created; its callbacks and timers run there.
 */
#pragma once

#include <gio/gio.h>

#include "sm-notifier.h"

G_BEGIN_DECLS

/* Characters (UTF-16 code units) of a Discord message's content. */
#define SM_WEBHOOK_DISCORD_MAX     2000
/* Bytes of an answer that are read. */
#define SM_WEBHOOK_MAX_RESPONSE    (64 * 1024)
/* Characters of the answer quoted in a REFUSED error. */
#define SM_WEBHOOK_MAX_EXCERPT     200

typedef enum {
  SM_WEBHOOK_FORMAT_GENERIC,
  SM_WEBHOOK_FORMAT_SLACK,
  SM_WEBHOOK_FORMAT_DISCORD,
} SmWebhookFormat;

/* "generic", "slack", "discord". */
const char *sm_webhook_format_to_string   (SmWebhookFormat  format);
/* NULL or "" gives SM_WEBHOOK_FORMAT_GENERIC. */
gboolean    sm_webhook_format_from_string (const char      *text,
                                           SmWebhookFormat *out_format);

#define SM_TYPE_WEBHOOK_NOTIFIER (sm_webhook_notifier_get_type ())
G_DECLARE_FINAL_TYPE (SmWebhookNotifier, sm_webhook_notifier, SM, WEBHOOK_NOTIFIER, GObject)

/* url is copied into guarded memory. format NULL means "generic". Nothing
 * is checked or sent here: a malformed URL or format is reported by the
 * first send (SM_NOTIFIER_ERROR_INVALID). */
SmWebhookNotifier *sm_webhook_notifier_new        (const char        *name,
                                                   const char        *url,
                                                   const char        *format);

SmWebhookFormat    sm_webhook_notifier_get_format (SmWebhookNotifier *self);

/* The JSON body a notification becomes in format. */
char              *sm_webhook_format_payload      (const SmNotification *notification,
                                                   SmWebhookFormat       format);
/* One line of plain text: "CRITICAL web-1: CPU above 90 %", the title
 * alone for a test message; CR and LF become spaces. */
char              *sm_webhook_summary             (const SmNotification *notification);
/* "https://hooks.example.com/…": what may be shown of a secret URL;
 * "(invalid URL)" when it does not parse. */
char              *sm_webhook_display_url         (const char        *url);

G_END_DECLS
