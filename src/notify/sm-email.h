/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-email.h: the email channel, SMTP through libcurl.
 *
 * Security:
 *   "starttls"  smtp://host:port, then STARTTLS, which must succeed
 *               (default; port 587 usually)
 *   "tls"       smtps://host:port, TLS from the first byte (port 465)
 *   "none"      plain SMTP; only for a loopback host (127.0.0.0/8, ::1,
 *               "localhost"): anything else fails with
 *               SM_NOTIFIER_ERROR_INVALID before a connection is made
 * The server's certificate is checked against ca_file when it is set,
 * else against the system's trust store, and its name against host.
 *
 * The message is plain text (RFC 5322, CRLF line endings): Date, From
 * ("Status Monitor <from>"), To, Subject ("[Status Monitor] CRITICAL
 * web-1: CPU above 90 %", an RFC 2047 encoded word when it is not ASCII),
 * Message-ID, MIME-Version, Content-Type text/plain; charset=UTF-8, and a
 * 7bit body, or quoted-printable when it is not ASCII or has long lines.
 * CR and LF are removed from everything that goes into a header.
 *
 * The transfer runs on a worker thread (GTask), with a connect timeout
 * and an overall timeout (timeout-s). Errors:
 *   the server refused the user name or password  SM_NOTIFIER_ERROR_AUTH
 *   connection, timeout, TLS ("TLS: ...") or a
 *   temporary (4xx) SMTP answer                    SM_NOTIFIER_ERROR_UNAVAILABLE
 *   a recipient or the message refused (5xx)      SM_NOTIFIER_ERROR_REFUSED
 *   settings that cannot work                     SM_NOTIFIER_ERROR_INVALID
 * The password is kept in guarded memory and appears in no log or error.
 *
 * The callback runs on the main context that was the thread-default one
 * when send_async was called.
 */
#pragma once

#include <gio/gio.h>

#include "sm-notifier.h"

G_BEGIN_DECLS

#define SM_EMAIL_DEFAULT_PORT  587

typedef enum {
  SM_EMAIL_SECURITY_STARTTLS,
  SM_EMAIL_SECURITY_TLS,
  SM_EMAIL_SECURITY_NONE,
} SmEmailSecurity;

/* "starttls", "tls", "none". */
const char *sm_email_security_to_string   (SmEmailSecurity  security);
/* NULL or "" gives SM_EMAIL_SECURITY_STARTTLS. */
gboolean    sm_email_security_from_string (const char      *text,
                                           SmEmailSecurity *out_security);

/* TRUE for "localhost", 127.0.0.0/8 and ::1. */
gboolean    sm_email_host_is_loopback     (const char      *host);
/* A plain "local@domain" address: no display name, no spaces, no CR or
 * LF, no <>(),;:"[]\ characters, a domain of letters, digits, '-' and
 * '.'. */
gboolean    sm_email_address_is_valid     (const char      *address);
/* Splits "a@x, b@y" into its addresses (trimmed, empty items dropped);
 * NULL (and *out_bad set to the first bad item, when out_bad is given)
 * if an item is not a valid address or there is none. */
GStrv       sm_email_parse_recipients     (const char      *text,
                                           char           **out_bad);

#define SM_TYPE_EMAIL_NOTIFIER (sm_email_notifier_get_type ())
G_DECLARE_FINAL_TYPE (SmEmailNotifier, sm_email_notifier, SM, EMAIL_NOTIFIER, GObject)

/* password (NULL for none) is copied into guarded memory; username NULL
 * or "" means no login. port 0 means SM_EMAIL_DEFAULT_PORT. security NULL
 * means "starttls". ca_file NULL means the system's trust store. Nothing
 * is checked or sent here: bad settings are reported by the first send. */
SmEmailNotifier *sm_email_notifier_new (const char *name,
                                        const char *host,
                                        guint       port,
                                        const char *security,
                                        const char *username,
                                        const char *password,
                                        const char *from,
                                        const char *to,
                                        const char *ca_file);

/* The whole message as it is sent, CRLF line endings (for tests and the
 * log). date is unix seconds. */
char            *sm_email_build_message (const SmNotification *notification,
                                         const char           *from,
                                         const char * const   *to,
                                         gint64                date,
                                         const char           *message_id);

G_END_DECLS
