/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check.h: a service check of one server, as configured.
 *
 * A check has a type, a name unique on its server, an interval and its
 * type's settings, kept as the JSON members of the import/export format:
 *
 *   all        name, interval (10 s - 1 d, default 60), enabled, timeout (1-300 s)
 *   http       url (required), method, headers {"Name": "value"}, body,
 *              expect_status (200 or "200-299"), keyword, keyword_absent,
 *              regex, regex_absent, max_size, follow_redirects, verify_tls,
 *              ca_file
 *   tls        host (default: the server's), port (default 443),
 *              server_name, warn_days (default 14), crit_days (default 3)
 *   tcp        host, port (required), family ("any", "ipv4", "ipv6")
 *   ping       host, count (1-20), warn_loss, crit_loss (percent)
 *   dns        query (required), record ("A", "AAAA", "ANY"), resolver
 *              ("ip" or "ip:port"), expect (list of addresses)
 *   command    command (required), regex
 *   log        path (required, absolute), patterns (required), keep (1-50)
 *   heartbeat  grace (0 s - 1 d, default 300); the interval is the
 *              expected period; its secret token is never in the JSON
 *
 * Validation follows sm-validate.h: NULL when valid, else "field: problem"
 * (the import prefixes it with "checks[2].").
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  SM_CHECK_HTTP,
  SM_CHECK_TLS,
  SM_CHECK_TCP,
  SM_CHECK_PING,
  SM_CHECK_DNS,
  SM_CHECK_COMMAND,
  SM_CHECK_LOG,
  SM_CHECK_HEARTBEAT,
} SmCheckType;

#define SM_CHECK_N_TYPES         8
#define SM_CHECK_DEFAULT_INTERVAL 60
#define SM_CHECK_MIN_INTERVAL    10
#define SM_CHECK_MAX_INTERVAL    86400

/* "http", "tls", "tcp", "ping", "dns", "command", "log", "heartbeat". */
const char *sm_check_type_to_string   (SmCheckType  type);
gboolean    sm_check_type_from_string (const char  *text,
                                       SmCheckType *out_type);
/* Translated: "HTTP", "TLS Certificate", "TCP Port", "Ping", "DNS",
 * "Command", "Log Pattern", "Heartbeat". */
const char *sm_check_type_to_label    (SmCheckType  type);
/* TRUE for the checks that run through the server's SSH session. */
gboolean    sm_check_type_uses_ssh    (SmCheckType  type);

typedef struct {
  gint64       id;          /* 0 until stored */
  gint64       server_id;
  char        *name;
  SmCheckType  type;
  guint        interval;    /* seconds */
  gboolean     enabled;
  JsonObject  *settings;    /* the type's members, never NULL */
} SmCheck;

/* Enabled, default interval, no settings. */
SmCheck    *sm_check_new          (SmCheckType     type,
                                   const char     *name);
SmCheck    *sm_check_copy         (const SmCheck  *check);
void        sm_check_free         (SmCheck        *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmCheck, sm_check_free)

/* Settings, typed; the defaults above when unset. */
const char *sm_check_get_string   (const SmCheck  *check,
                                   const char     *member);
gint64      sm_check_get_int      (const SmCheck  *check,
                                   const char     *member,
                                   gint64          fallback);
gboolean    sm_check_get_bool     (const SmCheck  *check,
                                   const char     *member,
                                   gboolean        fallback);
/* A list of strings (patterns, expect), NULL when unset. */
GStrv       sm_check_dup_strv     (const SmCheck  *check,
                                   const char     *member);

/* A name for a check the user did not name: "HTTP example.org",
 * "TCP 5432", "Log /var/log/syslog". */
char       *sm_check_default_name (const SmCheck  *check);

/* NULL when valid, else "field: problem" (translated problem). */
char       *sm_check_validate     (const SmCheck  *check);

/* The import/export object: {"type": …, "name": …, "interval": …, and
 * the settings}. from_json validates; NULL with *out_error
 * "field: problem" when anything is wrong or unknown. A check without a
 * name gets sm_check_default_name(). */
JsonNode   *sm_check_to_json      (const SmCheck  *check);
SmCheck    *sm_check_from_json    (JsonNode       *node,
                                   char          **out_error);

G_END_DECLS
