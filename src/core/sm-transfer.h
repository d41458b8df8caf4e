/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-transfer.h: the JSON import/export format and the CLI's listings.
 *
 * {"servers":[{"name","host","port","username",
 *              "auth":{"method":"password","password":...}
 *                    |{"method":"key","key_file":...,"passphrase":...}
 *                    |{"method":"agent"},
 *              "group","tags":[],"interval","enabled","notes","host_key_sha256",
 *              "timeouts":{...},"parent":"<server name>"}],
 *  "channels":[{"name","type","enabled","default",<settings>,<secret>}],
 *  "rules":[<sm_alert_rule_to_json, "server" by name>],
 *  "quiet_hours":[{"days","start","end"}],
 *  "maintenance":[{"server","days","start","end","comment"}]}
 *
 * Every member but "servers" is optional; "servers" may be left out when
 * another is present. A parent names a server in the file or in the
 * store. A channel with the name of a stored one replaces it (keeping its
 * secret when the file has none); a rule with the id of a stored one
 * replaces it; a window equal to a stored one (same kind, server, days and
 * times) is not added twice.
 *
 * Import validates the whole file first, then applies it in one transaction.
 * Exports and listings never contain a secret (no password, passphrase,
 * bot token, webhook URL or SMTP password).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TRANSFER_ERROR (sm_transfer_error_quark ())
GQuark sm_transfer_error_quark (void);

typedef enum {
  /* The file is not valid JSON or an entry is invalid. The message holds one
   * line per problem: "FILE: servers[3].port: must be a number from 1 to 65535". */
  SM_TRANSFER_ERROR_INVALID,
  SM_TRANSFER_ERROR_IO,
} SmTransferError;

/* What an import changed. */
typedef struct {
  guint servers_added;
  guint servers_updated;
  guint channels_added;
  guint channels_updated;
  guint rules_added;
  guint rules_updated;
  guint windows_added;     /* quiet hours and maintenance windows */
  guint checks_added;
  guint checks_updated;
} SmTransferCounts;

/* Validates and imports. display_name prefixes every message (usually the
 * path as given). Existing servers (by name, case-insensitive) are updated;
 * a missing password/passphrase keeps the stored one. */
gboolean    sm_transfer_import_data   (SmStore      *store,
                                       const char   *display_name,
                                       const char   *data,
                                       gsize         len,
                                       guint        *out_added,
                                       guint        *out_updated,
                                       GError      **error);
gboolean    sm_transfer_import_file   (SmStore      *store,
                                       const char   *path,
                                       guint        *out_added,
                                       guint        *out_updated,
                                       GError      **error);
/* The same, with every count. */
gboolean    sm_transfer_import_data_full (SmStore          *store,
                                          const char       *display_name,
                                          const char       *data,
                                          gsize             len,
                                          SmTransferCounts *out_counts,
                                          GError          **error);
gboolean    sm_transfer_import_file_full (SmStore          *store,
                                          const char       *path,
                                          SmTransferCounts *out_counts,
                                          GError          **error);

/* One server as an export object (no secrets). */
JsonNode   *sm_transfer_server_to_json (SmServer    *server);
/* The whole format pretty-printed: servers (not "This computer"), channels
 * without their secrets, every rule (the default per-server ones too),
 * quiet hours and maintenance windows. */
char       *sm_transfer_export_data   (SmStore      *store,
                                       GError      **error);
/* Writes atomically (temporary file + rename), mode 0600. */
gboolean    sm_transfer_export_file   (SmStore      *store,
                                       const char   *path,
                                       GError      **error);

/* --list: an aligned text table; --list --json: a JSON array. */
char       *sm_transfer_list_table    (SmStore      *store,
                                       GError      **error);
char       *sm_transfer_list_json     (SmStore      *store,
                                       GError      **error);

G_END_DECLS
