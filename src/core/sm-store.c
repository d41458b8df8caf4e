/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-store.c: the SQLite database (one file in the data dir).
 *
 * Opening never changes a file before it has been read and recognised: the
 * checks for locks, permissions, damage and the schema version only read.
 * Only then are the migrations run, each in its own transaction together
 * with its user_version bump, and WAL mode switched on.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm-store.h"
#include "sm-store-private.h"
#include "sm-validate.h"

#define BUSY_TIMEOUT_MS   2000
#define VAULT_CHECK_KEY   "vault_check"
#define VAULT_CHECK_AD    "vault-check"
#define VAULT_CHECK_VALUE "status-monitor-vault-check"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct _SmStore
{
  GObject       parent_instance;

  sqlite3      *db;
  char         *path;
  SmVault      *vault;
  SmVaultState  vault_state;
  int           schema_version;

  /* An explicit transaction from sm_store_begin() is open: single
   * operations use a savepoint inside it instead of their own transaction. */
  guint         in_transaction : 1;
};

G_DEFINE_FINAL_TYPE (SmStore, sm_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (sm-store-error-quark, sm_store_error)

/*
 * Migrations, in order. Entry N (from 0) takes the schema from version N to
 * N + 1 and ends with the user_version bump, so that both commit together.
 * Later issues add the checks, samples, rollups, alerts and channels tables
 * by appending further migrations here (and raising SM_STORE_SCHEMA_VERSION);
 * never edit a migration that has shipped.
 */
static const char * const migrations[] = {
  /* 1: servers. tests/fixtures/v1.sql must stay identical to this. */
  "CREATE TABLE servers ("
  "  id INTEGER PRIMARY KEY,"
  "  uuid TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
  "  host TEXT NOT NULL,"
  "  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),"
  "  username TEXT NOT NULL DEFAULT '',"
  "  auth_method TEXT NOT NULL CHECK (auth_method IN ('password', 'key', 'agent')),"
  "  key_file TEXT,"
  "  secret BLOB,"
  "  grp TEXT NOT NULL DEFAULT '',"
  "  tags TEXT NOT NULL DEFAULT '[]',"
  "  interval INTEGER NOT NULL,"
  "  enabled INTEGER NOT NULL DEFAULT 1,"
  "  notes TEXT NOT NULL DEFAULT '',"
  "  host_key_sha256 TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "PRAGMA user_version = 1;",

  /* 2: key/value metadata (the vault check value) and the parent server
   * used for alert dependencies. */
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY,"
  "  value BLOB"
  ");"
  "ALTER TABLE servers ADD COLUMN parent_id INTEGER"
  "  REFERENCES servers (id) ON DELETE SET NULL;"
  "PRAGMA user_version = 2;",

  /* 3: the built-in "This computer" entry, polled without SSH. */
  "ALTER TABLE servers ADD COLUMN local INTEGER NOT NULL DEFAULT 0;"
  "PRAGMA user_version = 3;",

  /* 4: each server's latest poll (status, reason, metrics as JSON) and its
   * hardware inventory with the time it last changed. The history issue
   * adds the samples tables. */
  "CREATE TABLE server_state ("
  "  server_id INTEGER PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,"
  "  polled_at INTEGER NOT NULL,"
  "  status TEXT NOT NULL,"
  "  reason TEXT NOT NULL DEFAULT '',"
  "  metrics TEXT NOT NULL DEFAULT '{}',"
  "  specs TEXT,"
  "  specs_at INTEGER,"
  "  specs_changed_at INTEGER"
  ");"
  "PRAGMA user_version = 4;",

  /* 5: per-server SSH deadlines, a JSON object of seconds such as
   * {"connect": 3}; absent members use the defaults. */
  "ALTER TABLE servers ADD COLUMN timeouts TEXT NOT NULL DEFAULT '{}';"
  "PRAGMA user_version = 5;",

  /* 6: metric history (see sm-history.h). One samples row per server per
   * poll with its values packed, so writes append; rollups keyed for
   * "one server, one metric, time range" scans. The sample tables have no
   * foreign keys: the history writer deletes a removed server's rows on
   * its own thread instead of a cascade on the main thread. */
  "CREATE TABLE metrics ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE"
  ");"
  "CREATE TABLE server_metrics ("
  "  server_id INTEGER NOT NULL,"
  "  metric_id INTEGER NOT NULL,"
  "  PRIMARY KEY (server_id, metric_id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE samples ("
  "  server_id INTEGER NOT NULL,"
  "  t INTEGER NOT NULL,"
  "  data BLOB NOT NULL,"
  "  PRIMARY KEY (server_id, t)"
  ") WITHOUT ROWID;"
  "CREATE TABLE samples_1m ("
  "  server_id INTEGER NOT NULL,"
  "  metric_id INTEGER NOT NULL,"
  "  t INTEGER NOT NULL,"
  "  min REAL NOT NULL,"
  "  max REAL NOT NULL,"
  "  avg REAL NOT NULL,"
  "  count INTEGER NOT NULL,"
  "  PRIMARY KEY (server_id, metric_id, t)"
  ") WITHOUT ROWID;"
  "CREATE TABLE samples_1h ("
  "  server_id INTEGER NOT NULL,"
  "  metric_id INTEGER NOT NULL,"
  "  t INTEGER NOT NULL,"
  "  min REAL NOT NULL,"
  "  max REAL NOT NULL,"
  "  avg REAL NOT NULL,"
  "  count INTEGER NOT NULL,"
  "  PRIMARY KEY (server_id, metric_id, t)"
  ") WITHOUT ROWID;"
  "CREATE TABLE status_events ("
  "  id INTEGER PRIMARY KEY,"
  "  server_id INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,"
  "  t INTEGER NOT NULL,"
  "  status TEXT NOT NULL,"
  "  reason TEXT NOT NULL DEFAULT ''"
  ");"
  "CREATE INDEX status_events_server_t ON status_events (server_id, t);"
  "PRAGMA user_version = 6;",

  /* 7: alerts (see sm-alert-store.h). Rules as JSON; a server's rules,
   * windows, alerts and events go with it. The servers that exist get the
   * default rules in migrate(). */
  "CREATE TABLE channels ("
  "  id INTEGER PRIMARY KEY,"
  "  uuid TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
  "  type TEXT NOT NULL CHECK (type IN ('desktop', 'telegram', 'webhook', 'email')),"
  "  enabled INTEGER NOT NULL DEFAULT 1,"
  "  is_default INTEGER NOT NULL DEFAULT 1,"
  "  settings TEXT NOT NULL DEFAULT '{}',"
  "  secret BLOB"
  ");"
  "CREATE TABLE alert_rules ("
  "  id TEXT PRIMARY KEY,"
  "  server_id INTEGER REFERENCES servers (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  rule TEXT NOT NULL"
  ");"
  "CREATE INDEX alert_rules_server ON alert_rules (server_id);"
  "CREATE TABLE alert_windows ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL CHECK (kind IN ('quiet', 'maintenance')),"
  "  server_id INTEGER REFERENCES servers (id) ON DELETE CASCADE,"
  "  days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),"
  "  start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),"
  "  end_min INTEGER NOT NULL CHECK (end_min BETWEEN 0 AND 1439),"
  "  comment TEXT"
  ");"
  "CREATE TABLE alerts ("
  "  id INTEGER PRIMARY KEY,"
  "  rule_id TEXT NOT NULL,"
  "  server_id INTEGER REFERENCES servers (id) ON DELETE CASCADE,"
  "  target TEXT NOT NULL,"
  "  title TEXT NOT NULL,"
  "  severity TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  since INTEGER NOT NULL,"
  "  firing_since INTEGER NOT NULL DEFAULT 0,"
  "  updated INTEGER NOT NULL,"
  "  value REAL,"
  "  ack_comment TEXT,"
  "  ack_expires INTEGER NOT NULL DEFAULT 0,"
  "  told INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX alerts_state ON alerts (state);"
  "CREATE TABLE alert_events ("
  "  id INTEGER PRIMARY KEY,"
  "  alert_id INTEGER,"
  "  server_id INTEGER REFERENCES servers (id) ON DELETE CASCADE,"
  "  t INTEGER NOT NULL,"
  "  end_t INTEGER NOT NULL DEFAULT 0,"
  "  kind TEXT NOT NULL,"
  "  from_state TEXT,"
  "  to_state TEXT,"
  "  value REAL,"
  "  held INTEGER NOT NULL DEFAULT 0,"
  "  message TEXT NOT NULL DEFAULT ''"
  ");"
  "CREATE INDEX alert_events_t ON alert_events (t);"
  "CREATE INDEX alert_events_server_t ON alert_events (server_id, t);"
  "CREATE INDEX alert_events_alert ON alert_events (alert_id);"
  "CREATE TABLE alert_counters ("
  "  rule_id TEXT NOT NULL,"
  "  server_id INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,"
  "  target TEXT NOT NULL,"
  "  failures INTEGER NOT NULL,"
  "  PRIMARY KEY (rule_id, server_id, target)"
  ") WITHOUT ROWID;"
  "PRAGMA user_version = 7;",

  /* 8: service checks (see sm-check-store.h) and their latest results. */
  "CREATE TABLE checks ("
  "  id INTEGER PRIMARY KEY,"
  "  uuid TEXT NOT NULL UNIQUE,"
  "  server_id INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL COLLATE NOCASE,"
  "  type TEXT NOT NULL,"
  "  interval INTEGER NOT NULL CHECK (interval BETWEEN 10 AND 86400),"
  "  enabled INTEGER NOT NULL DEFAULT 1,"
  "  settings TEXT NOT NULL DEFAULT '{}',"
  "  token BLOB,"
  "  state TEXT,"
  "  UNIQUE (server_id, name)"
  ");"
  "CREATE TABLE check_results ("
  "  check_id INTEGER PRIMARY KEY REFERENCES checks (id) ON DELETE CASCADE,"
  "  t INTEGER NOT NULL,"
  "  status TEXT NOT NULL,"
  "  reason TEXT,"
  "  latency_ms REAL,"
  "  http_status INTEGER NOT NULL DEFAULT 0,"
  "  metrics TEXT NOT NULL DEFAULT '[]',"
  "  details TEXT NOT NULL DEFAULT '[]',"
  "  lines TEXT NOT NULL DEFAULT '[]'"
  ");"
  "INSERT OR IGNORE INTO alert_rules (id, server_id, position, rule) VALUES "
  "  ('check-down', NULL, (SELECT IFNULL (MAX (position), 0) + 1 FROM alert_rules), "
  "   '{\"id\":\"check-down\",\"metric\":\"check.*.up\",\"op\":\"<\",\"threshold\":1,"
  "\"severity\":\"critical\",\"retries\":2}'),"
  "  ('check-degraded', NULL, (SELECT IFNULL (MAX (position), 0) + 2 FROM alert_rules), "
  "   '{\"id\":\"check-degraded\",\"metric\":\"check.*.degraded\",\"op\":\">\",\"threshold\":0,"
  "\"severity\":\"warning\"}'),"
  "  ('check-log-match', NULL, (SELECT IFNULL (MAX (position), 0) + 3 FROM alert_rules), "
  "   '{\"id\":\"check-log-match\",\"metric\":\"check.*.matches\",\"op\":\">\",\"threshold\":0,"
  "\"severity\":\"warning\"}');"
  "PRAGMA user_version = 8;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SM_STORE_SCHEMA_VERSION);

/* Columns read into an SmServer, in this order, by server_from_row(). */
#define SERVER_COLUMNS \
  "id, uuid, name, host, port, username, auth_method, key_file, " \
  "secret IS NOT NULL, grp, tags, interval, enabled, notes, host_key_sha256, " \
  "local, timeouts, parent_id"

/* One place that turns an SQLite result code into an SmStoreError. */
static void
set_sqlite_error (GError     **error,
                  const char  *path,
                  sqlite3     *db,
                  int          rc)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_LOCKED,
                   _("The database %s is in use by another program. Close the "
                     "other copy of Status Monitor (or the program using the "
                     "file) and try again."),
                   path);
      break;

    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_READ_ONLY,
                   _("The database %s is read-only. Make it writable "
                     "(chmod u+w %s) or choose another data directory with "
                     "--data-dir."),
                   path, path);
      break;

    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_CORRUPT,
                   _("%s is not a Status Monitor database or is damaged (%s). "
                     "It was left untouched; restore a backup or move it away."),
                   path, detail);
      break;

    case SQLITE_FULL:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO,
                   _("Could not write to the database %s: the disk is full. "
                     "Nothing was changed; free some space and try again."),
                   path);
      break;

    case SQLITE_IOERR:
    case SQLITE_NOLFS:
    case SQLITE_NOMEM:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO,
                   _("Could not read or write the database %s (%s). "
                     "Nothing was changed."),
                   path, detail);
      break;

    default:
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_FAILED,
                   _("Database error in %s: %s"),
                   path, detail);
      break;
    }
}

static void
set_corrupt_error (GError     **error,
                   const char  *path,
                   const char  *detail)
{
  g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_CORRUPT,
               _("%s is not a Status Monitor database or is damaged (%s). "
                 "It was left untouched; restore a backup or move it away."),
               path, detail);
}

static void
set_read_only_error (GError     **error,
                     const char  *path)
{
  set_sqlite_error (error, path, NULL, SQLITE_READONLY);
}

static gboolean
exec_sql (SmStore     *self,
          const char  *sql,
          GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      return FALSE;
    }

  return TRUE;
}

static sqlite3_stmt *
prepare (SmStore     *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      sqlite3_finalize (stmt);
      return NULL;
    }

  return stmt;
}

/* Steps a statement that returns no rows. */
static gboolean
step_done (SmStore       *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      return FALSE;
    }

  return TRUE;
}

/* Steps a statement that returns at most the row it needs; *out_row says
 * whether there was one (NULL when it does not matter). */
static gboolean
step_row (SmStore       *self,
          sqlite3_stmt  *stmt,
          gboolean      *out_row,
          GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      return FALSE;
    }

  if (out_row != NULL)
    *out_row = rc == SQLITE_ROW;
  return TRUE;
}

static int
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    return sqlite3_bind_null (stmt, index);

  return sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

/* Transactions for one operation: BEGIN IMMEDIATE on its own, or a savepoint
 * inside the caller's sm_store_begin() transaction. */
static gboolean
operation_begin (SmStore  *self,
                 GError  **error)
{
  if (self->in_transaction)
    return exec_sql (self, "SAVEPOINT sm_operation", error);

  return exec_sql (self, "BEGIN IMMEDIATE", error);
}

static gboolean
operation_commit (SmStore  *self,
                  GError  **error)
{
  if (self->in_transaction)
    return exec_sql (self, "RELEASE sm_operation", error);

  if (!exec_sql (self, "COMMIT", error))
    {
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}

static void
operation_rollback (SmStore *self)
{
  /* SQLite may already have rolled the whole transaction back on its own
   * (disk full, I/O error); then there is nothing left to undo. */
  if (sqlite3_get_autocommit (self->db))
    return;

  if (self->in_transaction)
    sqlite3_exec (self->db,
                  "ROLLBACK TO sm_operation; RELEASE sm_operation",
                  NULL, NULL, NULL);
  else
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
tags_to_json (const char * const *tags)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    json_builder_add_string_value (builder, tags[i]);
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Lenient: a tags value that was edited by hand into something else reads
 * as no tags rather than making the whole list fail. */
static char *
timeouts_to_json (SmServer *server)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
    {
      if (sm_server_get_timeout (server, t) == 0)
        continue;
      json_builder_set_member_name (builder, sm_timeout_to_string (t));
      json_builder_add_int_value (builder, sm_server_get_timeout (server, t));
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Unknown members and values out of range are ignored (the defaults
 * apply): the column is only written by this code. */
static void
timeouts_from_json (SmServer   *server,
                    const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;

  object = json_node_get_object (json_parser_get_root (parser));
  for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
    {
      gint64 value = json_object_get_int_member_with_default (object, sm_timeout_to_string (t), 0);

      if (value > 0 && value <= SM_TIMEOUT_MAX)
        sm_server_set_timeout (server, t, (guint) value);
    }
}

static GStrv
tags_from_json (const char *json)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  if (json != NULL)
    root = json_from_string (json, NULL);

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }

  return g_strv_builder_end (builder);
}

static SmServer *
server_from_row (sqlite3_stmt *stmt)
{
  g_autoptr(SmServer) server = NULL;
  g_auto(GStrv) tags = NULL;
  SmAuthMethod method = SM_AUTH_AGENT;
  gint64 port;
  gint64 interval;

  port = sqlite3_column_int64 (stmt, 4);
  interval = sqlite3_column_int64 (stmt, 11);
  sm_auth_method_from_string ((const char *)sqlite3_column_text (stmt, 6), &method);
  tags = tags_from_json ((const char *)sqlite3_column_text (stmt, 10));

  server = g_object_new (SM_TYPE_SERVER,
                         "uuid", (const char *)sqlite3_column_text (stmt, 1),
                         NULL);
  sm_server_set_id (server, sqlite3_column_int64 (stmt, 0));
  sm_server_set_name (server, (const char *)sqlite3_column_text (stmt, 2));
  sm_server_set_host (server, (const char *)sqlite3_column_text (stmt, 3));
  sm_server_set_port (server, (guint)CLAMP (port, 0, G_MAXUINT));
  sm_server_set_username (server, (const char *)sqlite3_column_text (stmt, 5));
  sm_server_set_auth_method (server, method);
  sm_server_set_key_file (server, (const char *)sqlite3_column_text (stmt, 7));
  sm_server_set_has_secret (server, sqlite3_column_int (stmt, 8) != 0);
  sm_server_set_group (server, (const char *)sqlite3_column_text (stmt, 9));
  sm_server_set_tags (server, (const char * const *)tags);
  sm_server_set_interval (server, (guint)CLAMP (interval, 0, G_MAXUINT));
  sm_server_set_enabled (server, sqlite3_column_int (stmt, 12) != 0);
  sm_server_set_notes (server, (const char *)sqlite3_column_text (stmt, 13));
  sm_server_set_host_key_sha256 (server, (const char *)sqlite3_column_text (stmt, 14));
  sm_server_set_is_local (server, sqlite3_column_int (stmt, 15) != 0);
  timeouts_from_json (server, (const char *) sqlite3_column_text (stmt, 16));
  sm_server_set_parent_id (server, MAX (sqlite3_column_int64 (stmt, 17), 0));

  return g_steal_pointer (&server);
}

/* The associated data of a stored secret, from the row's uuid: the same
 * string as sm_server_dup_secret_ad(). */
static char *
secret_ad (const char *uuid)
{
  return g_strdup_printf ("server/%s/secret", uuid);
}

/* Meta keys. */
#define LOCAL_OFFERED_KEY "local_server_offered"

/* Vault check value. */

static GBytes *
meta_get (SmStore     *self,
          const char  *key,
          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self, "SELECT value FROM meta WHERE key = ?1", error)))
    return NULL;
  bind_text (stmt, 1, key);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_bytes_new (sqlite3_column_blob (stmt, 0),
                        sqlite3_column_bytes (stmt, 0));
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->path, self->db, rc);

  return NULL;
}

static gboolean
vault_opens (SmVault    *vault,
             const char *ad,
             GBytes     *sealed,
             const char *expected)
{
  g_autoptr(SmSecret) plain = NULL;
  gsize len = 0;

  plain = sm_vault_decrypt (vault, ad, sealed, &len, NULL);
  if (plain == NULL)
    return FALSE;
  if (expected == NULL)
    return TRUE;

  return len == strlen (expected) && memcmp (plain, expected, len) == 0;
}

/* Without a check value (a database from before migration 2, or one where
 * no vault was ever given), a stored secret tells whether this key is the
 * one that sealed the database's secrets. TRUE when none is stored. */
static gboolean
vault_opens_any_stored_secret (SmStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *ad = NULL;

  stmt = prepare (self,
                  "SELECT uuid, secret FROM servers WHERE secret IS NOT NULL "
                  "ORDER BY id LIMIT 1",
                  NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return TRUE;

  ad = secret_ad ((const char *)sqlite3_column_text (stmt, 0));
  sealed = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));

  return vault_opens (self->vault, ad, sealed, NULL);
}

static void
check_vault (SmStore *self)
{
  g_autoptr(GBytes) check = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  if (self->vault == NULL)
    {
      self->vault_state = SM_VAULT_STATE_NONE;
      return;
    }

  check = meta_get (self, VAULT_CHECK_KEY, &error);
  if (error != NULL)
    {
      g_debug ("Could not read the vault check value: %s", error->message);
      self->vault_state = SM_VAULT_STATE_MISMATCH;
      return;
    }

  if (check != NULL)
    {
      self->vault_state = vault_opens (self->vault, VAULT_CHECK_AD, check, VAULT_CHECK_VALUE)
                          ? SM_VAULT_STATE_OK : SM_VAULT_STATE_MISMATCH;
      return;
    }

  /* No check value yet. Never record one for a key that cannot open the
   * secrets already stored: that would hide the mismatch for good. */
  if (!vault_opens_any_stored_secret (self))
    {
      self->vault_state = SM_VAULT_STATE_MISMATCH;
      return;
    }

  self->vault_state = SM_VAULT_STATE_OK;

  sealed = sm_vault_encrypt (self->vault, VAULT_CHECK_AD,
                             VAULT_CHECK_VALUE, strlen (VAULT_CHECK_VALUE),
                             &error);
  if (sealed == NULL)
    {
      g_debug ("Could not seal the vault check value: %s", error->message);
      return;
    }

  /* Another process may have stored its own meanwhile: keep that one. */
  stmt = prepare (self, "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)", &error);
  if (stmt == NULL)
    {
      g_debug ("Could not store the vault check value: %s", error->message);
      return;
    }
  bind_text (stmt, 1, VAULT_CHECK_KEY);
  sqlite3_bind_blob (stmt, 2,
                     g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                     SQLITE_TRANSIENT);
  if (!step_done (self, stmt, &error))
    {
      g_debug ("Could not store the vault check value: %s", error->message);
      return;
    }

  if (sqlite3_changes (self->db) == 0)
    {
      g_clear_pointer (&check, g_bytes_unref);
      check = meta_get (self, VAULT_CHECK_KEY, NULL);
      if (check != NULL &&
          !vault_opens (self->vault, VAULT_CHECK_AD, check, VAULT_CHECK_VALUE))
        self->vault_state = SM_VAULT_STATE_MISMATCH;
    }
}

/* Opening. */

static void
sm_store_dispose (GObject *object)
{
  SmStore *self = (SmStore *)object;

  g_clear_object (&self->vault);

  G_OBJECT_CLASS (sm_store_parent_class)->dispose (object);
}

static void
sm_store_finalize (GObject *object)
{
  SmStore *self = (SmStore *)object;

  if (self->db != NULL)
    {
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (sm_store_parent_class)->finalize (object);
}

static void
sm_store_class_init (SmStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sm_store_dispose;
  object_class->finalize = sm_store_finalize;
}

static void
sm_store_init (SmStore *self)
{
  self->vault_state = SM_VAULT_STATE_NONE;
}

/* Checks that can be made before SQLite touches anything. Sets *out_exists
 * when there is a file to open. */
static gboolean
check_path (const char  *path,
            gboolean    *out_exists,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  GStatBuf st;
  int dir_errno = 0;

  *out_exists = FALSE;

  if (g_stat (path, &st) == 0)
    {
      if (!S_ISREG (st.st_mode))
        {
          set_corrupt_error (error, path, _("not a regular file"));
          return FALSE;
        }

      /* Owner write bit first: root may write anything, but a file someone
       * made read-only is meant to stay that way. */
      if ((st.st_mode & S_IWUSR) == 0 || g_access (path, W_OK) != 0)
        {
          set_read_only_error (error, path);
          return FALSE;
        }

      *out_exists = TRUE;
    }
  else if (errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO,
                   _("Could not open the database %s: %s"),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  /* WAL needs to create the -wal and -shm files next to the database. */
  if (g_stat (dir, &st) != 0)
    dir_errno = errno;
  else if (!S_ISDIR (st.st_mode))
    dir_errno = ENOTDIR;

  if (dir_errno != 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO,
                   _("Could not open the database %s: the folder %s cannot be used: %s"),
                   path, dir, g_strerror (dir_errno));
      return FALSE;
    }
  if (g_access (dir, W_OK) != 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_READ_ONLY,
                   _("The folder %s that holds the database is read-only. Make "
                     "it writable (chmod u+w %s) or choose another data "
                     "directory with --data-dir."),
                   dir, dir);
      return FALSE;
    }

  return TRUE;
}

static gboolean
has_table (SmStore     *self,
           const char  *name,
           gboolean    *out_found,
           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self,
                  "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                  error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, name);

  return step_row (self, stmt, out_found, error);
}

/* Reads a table's first row, which makes SQLite load its root page. */
static gboolean
probe_table (SmStore     *self,
             const char  *sql,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!(stmt = prepare (self, sql, error)))
    return FALSE;

  return step_row (self, stmt, NULL, error);
}

/* Reads the schema version and makes sure the file is ours, without
 * writing anything. Sets *out_is_new for a database without tables. */
static gboolean
inspect (SmStore   *self,
         int       *out_version,
         gboolean  *out_is_new,
         GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int n_objects;
  int version;
  int rc;

  /* One read transaction, so that the answers belong together. */
  if (!exec_sql (self, "BEGIN DEFERRED", error))
    return FALSE;

  stmt = prepare (self, "SELECT count(*) FROM sqlite_master", error);
  if (stmt == NULL)
    goto out;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      goto out;
    }
  n_objects = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = prepare (self, "PRAGMA user_version", error);
  if (stmt == NULL)
    goto out;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      goto out;
    }
  version = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (version > SM_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_TOO_NEW,
                   _("%s was written by a newer version of Status Monitor "
                     "(schema %d); this version understands up to %d. Update "
                     "the app."),
                   self->path, version, SM_STORE_SCHEMA_VERSION);
      goto out;
    }

  if (version < 0 || (version == 0 && n_objects > 0))
    {
      /* Some other program's database: adding our tables would change it. */
      set_corrupt_error (error, self->path, _("it holds tables of another program"));
      goto out;
    }

  if (version >= 1)
    {
      gboolean found = FALSE;

      if (!has_table (self, "servers", &found, error))
        goto out;
      if (!found)
        {
          set_corrupt_error (error, self->path, _("the servers table is missing"));
          goto out;
        }
      if (!probe_table (self, "SELECT id, uuid, name FROM servers LIMIT 1", error))
        goto out;
    }

  if (version >= 2)
    {
      gboolean found = FALSE;

      if (!has_table (self, "meta", &found, error))
        goto out;
      if (!found)
        {
          set_corrupt_error (error, self->path, _("the meta table is missing"));
          goto out;
        }
      if (!probe_table (self, "SELECT key FROM meta LIMIT 1", error))
        goto out;
    }

  sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  *out_version = version;
  *out_is_new = n_objects == 0;
  return TRUE;

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static gboolean
configure (SmStore   *self,
           gboolean   is_new,
           GError   **error)
{
  /* Only possible before the first table exists. */
  if (is_new && !exec_sql (self, "PRAGMA auto_vacuum = INCREMENTAL", error))
    return FALSE;

  return exec_sql (self,
                   "PRAGMA foreign_keys = ON;"
                   "PRAGMA synchronous = NORMAL;",
                   error);
}

/* After the migrations, so that a failed one leaves a file that was in
 * rollback journal mode exactly as it was (WAL mode is in its header). */
static gboolean
enable_wal (SmStore  *self,
            GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self, "PRAGMA journal_mode = WAL", error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      return FALSE;
    }
  if (g_ascii_strcasecmp ((const char *)sqlite3_column_text (stmt, 0), "wal") != 0)
    g_debug ("%s: WAL is not available here, using journal mode %s",
             self->path, sqlite3_column_text (stmt, 0));

  return TRUE;
}

/* Migration 7: the servers that exist get the default alert rules. */
static gboolean
add_default_rules_to_all (SmStore  *self,
                          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT id FROM servers ORDER BY id", error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      return FALSE;
    }

  for (guint i = 0; i < ids->len; i++)
    if (!_sm_store_add_default_rules (self, g_array_index (ids, gint64, i), error))
      return FALSE;
  return TRUE;
}

static gboolean
migrate (SmStore  *self,
         int       from_version,
         GError  **error)
{
  for (int version = from_version; version < SM_STORE_SCHEMA_VERSION; version++)
    {
      if (!exec_sql (self, "BEGIN IMMEDIATE", error))
        return FALSE;

      if (!exec_sql (self, migrations[version], error) ||
          (version + 1 == 7 && !add_default_rules_to_all (self, error)) ||
          !exec_sql (self, "COMMIT", error))
        {
          if (!sqlite3_get_autocommit (self->db))
            sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          g_prefix_error (error, _("Could not update the database to schema %d; "
                                   "it was left as it was: "),
                          version + 1);
          return FALSE;
        }

      self->schema_version = version + 1;
    }

  return TRUE;
}

SmStore *
sm_store_open (const char  *path,
               SmVault     *vault,
               GError     **error)
{
  g_autoptr(SmStore) self = NULL;
  gboolean exists = FALSE;
  gboolean is_new = FALSE;
  int version = 0;
  int flags;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (vault == NULL || SM_IS_VAULT (vault), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_path (path, &exists, error))
    return NULL;

  self = g_object_new (SM_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE;
  if (!exists)
    flags |= SQLITE_OPEN_CREATE;

  rc = sqlite3_open_v2 (path, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, path, self->db, rc);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* SQLite falls back to read-only when it cannot write the file. */
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      set_read_only_error (error, path);
      return NULL;
    }

  if (!inspect (self, &version, &is_new, error))
    return NULL;

  self->schema_version = version;

  if (!configure (self, is_new, error) ||
      !migrate (self, version, error) ||
      !enable_wal (self, error))
    return NULL;

  if (vault != NULL)
    {
      self->vault = g_object_ref (vault);
      check_vault (self);
    }

  return g_steal_pointer (&self);
}

char *
sm_store_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "status-monitor", NULL);
}

SmStore *
sm_store_open_data_dir (const char  *data_dir,
                        SmVault     *vault,
                        GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (vault == NULL || SM_IS_VAULT (vault), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_IO,
                   _("Could not create the data directory %s: %s"),
                   data_dir, g_strerror (saved_errno));
      return NULL;
    }

  path = g_build_filename (data_dir, SM_STORE_FILE_NAME, NULL);
  return sm_store_open (path, vault, error);
}

const char *
sm_store_get_path (SmStore *self)
{
  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  return self->path;
}

int
sm_store_get_schema_version (SmStore *self)
{
  g_return_val_if_fail (SM_IS_STORE (self), 0);

  return self->schema_version;
}

SmVault *
sm_store_get_vault (SmStore *self)
{
  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  return self->vault;
}

void
sm_store_set_vault (SmStore *self,
                    SmVault *vault)
{
  g_return_if_fail (SM_IS_STORE (self));
  g_return_if_fail (vault == NULL || SM_IS_VAULT (vault));

  g_set_object (&self->vault, vault);
  check_vault (self);
}

SmVaultState
sm_store_get_vault_state (SmStore *self)
{
  g_return_val_if_fail (SM_IS_STORE (self), SM_VAULT_STATE_NONE);

  return self->vault_state;
}

/* Servers. */

GPtrArray *
sm_store_list_servers (SmStore  *self,
                       GError  **error)
{
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = prepare (self,
                  "SELECT " SERVER_COLUMNS " FROM servers "
                  "ORDER BY grp COLLATE NOCASE, name COLLATE NOCASE, id",
                  error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (servers, server_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      return NULL;
    }

  return g_steal_pointer (&servers);
}

SmServer *
sm_store_get_server (SmStore  *self,
                     gint64    id,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = prepare (self, "SELECT " SERVER_COLUMNS " FROM servers WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return server_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                 _("The server no longer exists (id %lld)."), (long long) id);
  else
    set_sqlite_error (error, self->path, self->db, rc);

  return NULL;
}

SmServer *
sm_store_find_server_by_name (SmStore     *self,
                              const char  *name,
                              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The column's NOCASE collation makes the comparison case-insensitive. */
  stmt = prepare (self, "SELECT " SERVER_COLUMNS " FROM servers WHERE name = ?1", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, name);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return server_from_row (stmt);
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->path, self->db, rc);

  return NULL;
}

static gboolean
check_field (const char  *field,
             char        *message,
             GError     **error)
{
  g_autofree char *owned = message;

  if (owned == NULL)
    return TRUE;

  /* "port: must be a number from 1 to 65535", as the import prints it. */
  g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
               "%s: %s", field, owned);
  return FALSE;
}

static gboolean
validate_server (SmServer  *server,
                 GError   **error)
{
  const char * const *tags = sm_server_get_tags (server);
  SmAuthMethod method = sm_server_get_auth_method (server);
  const char *key_file = sm_server_get_key_file (server);

  if (!g_uuid_string_is_valid (sm_server_get_uuid (server)))
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   "uuid: %s", _("must be a UUID (for example 0d3f4f0e-8d9c-4b7a-9c4b-1e2f3a4b5c6d)"));
      return FALSE;
    }

  if (!check_field ("name", sm_validate_name (sm_server_get_name (server)), error) ||
      !check_field ("host", sm_validate_host (sm_server_get_host (server)), error) ||
      !check_field ("port", sm_validate_port (sm_server_get_port (server)), error) ||
      !check_field ("username", sm_validate_username (sm_server_get_username (server)), error))
    return FALSE;

  /* A key file is required for key authentication and checked whenever one
   * is given. */
  if ((method == SM_AUTH_KEY || key_file != NULL) &&
      !check_field ("key_file", sm_validate_key_file (key_file), error))
    return FALSE;

  if (!check_field ("group", sm_validate_group (sm_server_get_group (server)), error))
    return FALSE;

  if (g_strv_length ((char **)tags) > SM_TAGS_MAX)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                   "tags: %s", _("must be 32 tags or fewer"));
      return FALSE;
    }
  for (guint i = 0; tags[i] != NULL; i++)
    {
      g_autofree char *field = g_strdup_printf ("tags[%u]", i);

      if (!check_field (field, sm_validate_tag (tags[i]), error))
        return FALSE;
    }

  for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
    {
      g_autofree char *field = g_strdup_printf ("timeouts.%s", sm_timeout_to_string (t));

      if (!check_field (field, sm_validate_timeout (sm_server_get_timeout (server, t)), error))
        return FALSE;
    }

  return check_field ("interval", sm_validate_interval (sm_server_get_interval (server)), error) &&
         check_field ("notes", sm_validate_notes (sm_server_get_notes (server)), error) &&
         check_field ("host_key_sha256",
                      sm_validate_host_key_sha256 (sm_server_get_host_key_sha256 (server)),
                      error);
}

static void
set_duplicate_error (GError     **error,
                     const char  *name)
{
  g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE,
               _("A server named “%s” already exists. Choose another name."),
               name);
}

/* Does another row have this value in a unique column? sql selects with
 * the value as ?1 and the row to ignore as ?2. */
static gboolean
value_taken (SmStore     *self,
             const char  *sql,
             const char  *value,
             gint64       except_id,
             gboolean    *out_taken,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, value);
  sqlite3_bind_int64 (stmt, 2, except_id);

  return step_row (self, stmt, out_taken, error);
}

/* What an update needs to know about the stored row. */
static gboolean
read_stored (SmStore     *self,
             gint64       id,
             char       **out_uuid,
             gboolean    *out_has_secret,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (self, "SELECT uuid, secret IS NOT NULL FROM servers WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The server no longer exists (id %lld)."), (long long) id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      return FALSE;
    }

  *out_uuid = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  *out_has_secret = sqlite3_column_int (stmt, 1) != 0;
  return TRUE;
}

/* Binds the fields shared by INSERT and UPDATE: ?1..?14. */
static void
bind_server_fields (sqlite3_stmt *stmt,
                    SmServer     *server,
                    gint64        now)
{
  g_autofree char *tags = tags_to_json (sm_server_get_tags (server));

  bind_text (stmt, 1, sm_server_get_uuid (server));
  bind_text (stmt, 2, sm_server_get_name (server));
  bind_text (stmt, 3, sm_server_get_host (server));
  sqlite3_bind_int64 (stmt, 4, sm_server_get_port (server));
  bind_text (stmt, 5, sm_server_get_username (server));
  bind_text (stmt, 6, sm_auth_method_to_string (sm_server_get_auth_method (server)));
  bind_text (stmt, 7, sm_server_get_key_file (server));
  bind_text (stmt, 8, sm_server_get_group (server));
  bind_text (stmt, 9, tags);
  sqlite3_bind_int64 (stmt, 10, sm_server_get_interval (server));
  sqlite3_bind_int (stmt, 11, sm_server_get_enabled (server) ? 1 : 0);
  bind_text (stmt, 12, sm_server_get_notes (server));
  bind_text (stmt, 13, sm_server_get_host_key_sha256 (server));
  sqlite3_bind_int64 (stmt, 14, now);
  sqlite3_bind_int (stmt, 17, sm_server_get_is_local (server) ? 1 : 0);
  sqlite3_bind_text (stmt, 18, timeouts_to_json (server), -1, g_free);
  if (sm_server_get_parent_id (server) > 0)
    sqlite3_bind_int64 (stmt, 19, sm_server_get_parent_id (server));
  else
    sqlite3_bind_null (stmt, 19);
}

static void
bind_secret (sqlite3_stmt *stmt,
             int           index,
             GBytes       *sealed)
{
  if (sealed == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_blob (stmt, index,
                       g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                       SQLITE_TRANSIENT);
}

/* The writes of sm_store_save_server(), inside its transaction. */
/* The parent must exist, and following parents from it must never lead
 * back to the server itself. */
static gboolean
check_parent (SmStore   *self,
              gint64     id,
              gint64     parent_id,
              GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 current = parent_id;

  if (parent_id == 0)
    return TRUE;

  stmt = prepare (self, "SELECT parent_id FROM servers WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  for (guint depth = 0; current != 0; depth++)
    {
      gboolean found = FALSE;

      if ((id != 0 && current == id) || depth > 1000)
        {
          g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                       "parent: %s", _("a server cannot depend on itself, directly or through its parents"));
          return FALSE;
        }

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, current);
      if (!step_row (self, stmt, &found, error))
        return FALSE;
      if (!found)
        {
          g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                       "parent: %s", _("no such server"));
          return FALSE;
        }
      current = sqlite3_column_int64 (stmt, 0);
    }

  return TRUE;
}

static gboolean
write_server (SmStore         *self,
              SmServer        *server,
              SmSecretAction   action,
              GBytes          *sealed,
              gint64          *out_id,
              gboolean        *out_has_secret,
              GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 id = sm_server_get_id (server);
  gint64 now = now_seconds ();
  gboolean taken = FALSE;
  int rc;

  /* The column's NOCASE collation makes the name comparison case-insensitive. */
  if (!value_taken (self, "SELECT 1 FROM servers WHERE name = ?1 AND id != ?2",
                    sm_server_get_name (server), id, &taken, error))
    return FALSE;
  if (taken)
    {
      set_duplicate_error (error, sm_server_get_name (server));
      return FALSE;
    }

  if (!value_taken (self, "SELECT 1 FROM servers WHERE uuid = ?1 AND id != ?2",
                    sm_server_get_uuid (server), id, &taken, error))
    return FALSE;
  if (taken)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE,
                   _("A server with the identity %s already exists; “%s” is a "
                     "copy of it. Save it as a new server instead."),
                   sm_server_get_uuid (server), sm_server_get_name (server));
      return FALSE;
    }

  if (!check_parent (self, id, sm_server_get_parent_id (server), error))
    return FALSE;

  if (id == 0)
    {
      stmt = prepare (self,
                      "INSERT INTO servers (uuid, name, host, port, username, "
                      "  auth_method, key_file, grp, tags, interval, enabled, "
                      "  notes, host_key_sha256, created_at, updated_at, secret, "
                      "  local, timeouts, parent_id) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                      "  ?12, ?13, ?14, ?14, ?15, ?17, ?18, ?19)",
                      error);
      if (stmt == NULL)
        return FALSE;
      bind_server_fields (stmt, server, now);
      bind_secret (stmt, 15, action == SM_SECRET_SET ? sealed : NULL);

      *out_has_secret = action == SM_SECRET_SET;
    }
  else
    {
      g_autofree char *stored_uuid = NULL;
      gboolean stored_secret = FALSE;

      if (!read_stored (self, id, &stored_uuid, &stored_secret, error))
        return FALSE;

      /* The uuid is part of the secret's associated data. */
      if (g_strcmp0 (stored_uuid, sm_server_get_uuid (server)) != 0)
        {
          g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID,
                       "uuid: %s", _("must not change once the server is saved"));
          return FALSE;
        }

      if (action == SM_SECRET_KEEP)
        {
          stmt = prepare (self,
                          "UPDATE servers SET uuid = ?1, name = ?2, host = ?3, "
                          "  port = ?4, username = ?5, auth_method = ?6, "
                          "  key_file = ?7, grp = ?8, tags = ?9, interval = ?10, "
                          "  enabled = ?11, notes = ?12, host_key_sha256 = ?13, "
                          "  updated_at = ?14, local = ?17, timeouts = ?18, parent_id = ?19 "
                          "WHERE id = ?15",
                          error);
          if (stmt == NULL)
            return FALSE;
          bind_server_fields (stmt, server, now);
          sqlite3_bind_int64 (stmt, 15, id);

          *out_has_secret = stored_secret;
        }
      else
        {
          stmt = prepare (self,
                          "UPDATE servers SET uuid = ?1, name = ?2, host = ?3, "
                          "  port = ?4, username = ?5, auth_method = ?6, "
                          "  key_file = ?7, grp = ?8, tags = ?9, interval = ?10, "
                          "  enabled = ?11, notes = ?12, host_key_sha256 = ?13, "
                          "  updated_at = ?14, secret = ?16, local = ?17, timeouts = ?18, "
                          "  parent_id = ?19 "
                          "WHERE id = ?15",
                          error);
          if (stmt == NULL)
            return FALSE;
          bind_server_fields (stmt, server, now);
          sqlite3_bind_int64 (stmt, 15, id);
          bind_secret (stmt, 16, action == SM_SECRET_SET ? sealed : NULL);

          *out_has_secret = action == SM_SECRET_SET;
        }
    }

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      if (rc == SQLITE_CONSTRAINT_UNIQUE)
        set_duplicate_error (error, sm_server_get_name (server));
      else
        set_sqlite_error (error, self->path, self->db, rc);
      return FALSE;
    }

  *out_id = id == 0 ? sqlite3_last_insert_rowid (self->db) : id;
  return TRUE;
}

gboolean
sm_store_save_server (SmStore         *self,
                      SmServer        *server,
                      SmSecretAction   action,
                      const char      *secret,
                      GError         **error)
{
  g_autoptr(GBytes) sealed = NULL;
  gboolean has_secret = FALSE;
  gint64 id = 0;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (SM_IS_SERVER (server), FALSE);
  g_return_val_if_fail (action <= SM_SECRET_CLEAR, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_server (server, error))
    return FALSE;

  /* The agent holds its own keys: nothing of ours to store. */
  if (sm_server_get_auth_method (server) == SM_AUTH_AGENT)
    action = SM_SECRET_CLEAR;
  else if (action == SM_SECRET_SET && (secret == NULL || secret[0] == '\0'))
    action = SM_SECRET_CLEAR;

  if (action == SM_SECRET_SET)
    {
      g_autofree char *ad = NULL;

      if (self->vault == NULL)
        {
          g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                       _("Cannot store the credentials for “%s”: no credential "
                         "store is available. Nothing was saved."),
                       sm_server_get_name (server));
          return FALSE;
        }

      ad = sm_server_dup_secret_ad (server);
      sealed = sm_vault_encrypt (self->vault, ad, secret, strlen (secret), error);
      if (sealed == NULL)
        return FALSE;
    }

  if (!operation_begin (self, error))
    return FALSE;

  if (!write_server (self, server, action, sealed, &id, &has_secret, error) ||
      (sm_server_get_id (server) == 0 && !_sm_store_add_default_rules (self, id, error)))
    {
      operation_rollback (self);
      return FALSE;
    }

  if (!operation_commit (self, error))
    {
      operation_rollback (self);
      return FALSE;
    }

  sm_server_set_id (server, id);
  sm_server_set_has_secret (server, has_secret);

  return TRUE;
}

gboolean
sm_store_delete_server (SmStore  *self,
                        gint64    id,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!operation_begin (self, error))
    return FALSE;

  stmt = prepare (self, "DELETE FROM servers WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_done (self, stmt, error))
    goto fail;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The server no longer exists (id %lld)."), (long long) id);
      goto fail;
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!operation_commit (self, error))
    goto fail;

  return TRUE;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  operation_rollback (self);
  return FALSE;
}

char *
sm_store_load_secret (SmStore   *self,
                      SmServer  *server,
                      GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *ad = NULL;
  char *plain;
  int rc;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);
  g_return_val_if_fail (SM_IS_SERVER (server), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Not saved yet: nothing stored. */
  if (sm_server_get_id (server) == 0)
    return NULL;

  stmt = prepare (self, "SELECT uuid, secret FROM servers WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, sm_server_get_id (server));

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The server “%s” no longer exists."),
                   sm_server_get_name (server));
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      return NULL;
    }
  if (sqlite3_column_type (stmt, 1) == SQLITE_NULL)
    return NULL;

  if (self->vault == NULL)
    {
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("Credentials unavailable for “%s”: no credential store is available."),
                   sm_server_get_name (server));
      return NULL;
    }

  /* The associated data comes from the stored row's identity. */
  ad = secret_ad ((const char *)sqlite3_column_text (stmt, 0));
  sealed = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));

  plain = sm_vault_decrypt (self->vault, ad, sealed, NULL, &local_error);
  if (plain == NULL)
    {
      g_debug ("Decrypting the secret of server %" G_GINT64_FORMAT " failed: %s",
               sm_server_get_id (server),
               local_error != NULL ? local_error->message : "no error");
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_UNAVAILABLE,
                   _("Credentials unavailable for “%s”: the stored password or "
                     "passphrase cannot be decrypted (the vault key changed or "
                     "the data is damaged). Enter it again."),
                   sm_server_get_name (server));
      return NULL;
    }

  return plain;
}

/* Transactions. */

gboolean
sm_store_begin (SmStore  *self,
                GError  **error)
{
  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  self->in_transaction = TRUE;
  return TRUE;
}

gboolean
sm_store_commit (SmStore  *self,
                 GError  **error)
{
  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->in_transaction, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->in_transaction = FALSE;

  /* An error inside may have made SQLite roll everything back already. */
  if (sqlite3_get_autocommit (self->db))
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_FAILED,
                   _("The changes to %s were undone after an earlier error; "
                     "nothing was saved."),
                   self->path);
      return FALSE;
    }

  if (!exec_sql (self, "COMMIT", error))
    {
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}

void
sm_store_rollback (SmStore *self)
{
  g_return_if_fail (SM_IS_STORE (self));

  self->in_transaction = FALSE;
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
sm_store_ensure_local_server (SmStore     *self,
                              const char  *name,
                              SmServer   **out_added,
                              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) offered = NULL;
  g_autoptr(SmServer) server = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *unique = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (out_added != NULL)
    *out_added = NULL;

  offered = meta_get (self, LOCAL_OFFERED_KEY, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* Offered once: a user who deleted it does not get it back. */
  if (offered != NULL)
    return TRUE;

  if (!sm_store_begin (self, error))
    return FALSE;

  /* A server the user already called so keeps its name. */
  unique = g_strdup (name);
  for (guint i = 2; ; i++)
    {
      g_autoptr(SmServer) other = sm_store_find_server_by_name (self, unique, &local_error);

      if (local_error != NULL)
        goto fail;
      if (other == NULL)
        break;
      g_free (unique);
      unique = g_strdup_printf ("%s %u", name, i);
    }

  server = sm_server_new ();
  sm_server_set_name (server, unique);
  sm_server_set_host (server, "localhost");
  sm_server_set_is_local (server, TRUE);
  if (!sm_store_save_server (self, server, SM_SECRET_KEEP, NULL, &local_error))
    goto fail;

  stmt = prepare (self, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", &local_error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, LOCAL_OFFERED_KEY);
  sqlite3_bind_blob (stmt, 2, "1", 1, SQLITE_STATIC);
  if (!step_done (self, stmt, &local_error))
    goto fail;

  if (!sm_store_commit (self, &local_error))
    goto fail;

  if (out_added != NULL)
    *out_added = g_steal_pointer (&server);
  return TRUE;

fail:
  sm_store_rollback (self);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
sm_store_save_poll (SmStore     *self,
                    gint64       server_id,
                    gint64       polled_at,
                    const char  *status,
                    const char  *reason,
                    const char  *metrics_json,
                    const char  *specs_json,
                    gboolean    *out_specs_changed,
                    GError     **error)
{
  g_autoptr(sqlite3_stmt) read = NULL;
  g_autoptr(sqlite3_stmt) write = NULL;
  g_autofree char *old_specs = NULL;
  gboolean had_row = FALSE;
  gboolean changed = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (status != NULL, FALSE);

  if (out_specs_changed != NULL)
    *out_specs_changed = FALSE;

  if (!(read = prepare (self, "SELECT specs FROM server_state WHERE server_id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (read, 1, server_id);
  if (!step_row (self, read, &had_row, error))
    return FALSE;
  if (had_row && sqlite3_column_type (read, 0) != SQLITE_NULL)
    old_specs = g_strdup ((const char *) sqlite3_column_text (read, 0));

  /* A change of hardware or OS is noted with its time; the first
   * inventory is not a change. */
  changed = specs_json != NULL && old_specs != NULL && g_strcmp0 (old_specs, specs_json) != 0;

  write = prepare (self,
                   "INSERT INTO server_state (server_id, polled_at, status, reason, "
                   "  metrics, specs, specs_at, specs_changed_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?6 IS NULL THEN NULL ELSE ?2 END, "
                   "  CASE WHEN ?7 THEN ?2 ELSE NULL END) "
                   "ON CONFLICT (server_id) DO UPDATE SET "
                   "  polled_at = excluded.polled_at, status = excluded.status, "
                   "  reason = excluded.reason, metrics = excluded.metrics, "
                   "  specs = COALESCE (excluded.specs, specs), "
                   "  specs_at = COALESCE (excluded.specs_at, specs_at), "
                   "  specs_changed_at = COALESCE (excluded.specs_changed_at, specs_changed_at)",
                   error);
  if (write == NULL)
    return FALSE;
  sqlite3_bind_int64 (write, 1, server_id);
  sqlite3_bind_int64 (write, 2, polled_at);
  bind_text (write, 3, status);
  bind_text (write, 4, reason != NULL ? reason : "");
  bind_text (write, 5, metrics_json != NULL ? metrics_json : "{}");
  bind_text (write, 6, specs_json);
  sqlite3_bind_int (write, 7, changed ? 1 : 0);
  if (!step_done (self, write, error))
    return FALSE;

  if (out_specs_changed != NULL)
    *out_specs_changed = changed;
  return TRUE;
}

gboolean
sm_store_get_specs_changed_at (SmStore  *self,
                               gint64    server_id,
                               gint64   *out_time,
                               GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_time != NULL, FALSE);

  *out_time = 0;
  if (!(stmt = prepare (self, "SELECT specs_changed_at FROM server_state WHERE server_id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  if (!step_row (self, stmt, &found, error))
    return FALSE;
  if (found)
    *out_time = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* For sm-alert-store.c (sm-store-private.h). */

sqlite3 *
_sm_store_get_db (SmStore *self)
{
  return self->db;
}

sqlite3_stmt *
_sm_store_prepare (SmStore     *self,
                   const char  *sql,
                   GError     **error)
{
  return prepare (self, sql, error);
}

gboolean
_sm_store_step_done (SmStore       *self,
                     sqlite3_stmt  *stmt,
                     GError       **error)
{
  return step_done (self, stmt, error);
}

gboolean
_sm_store_step_row (SmStore       *self,
                    sqlite3_stmt  *stmt,
                    gboolean      *out_row,
                    GError       **error)
{
  return step_row (self, stmt, out_row, error);
}

int
_sm_store_bind_text (sqlite3_stmt *stmt,
                     int           index,
                     const char   *text)
{
  return bind_text (stmt, index, text);
}

gboolean
_sm_store_step_all (SmStore       *self,
                    sqlite3_stmt  *stmt,
                    void         (*row_func) (sqlite3_stmt *stmt,
                                              gpointer      user_data),
                    gpointer       user_data,
                    GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    row_func (stmt, user_data);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->path, self->db, rc);
      return FALSE;
    }
  return TRUE;
}

gboolean
_sm_store_delete_row (SmStore     *self,
                      const char  *sql,
                      gint64       id,
                      const char  *gone_message,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (gone_message != NULL && sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND, gone_message);
      return FALSE;
    }
  return TRUE;
}

void
_sm_store_set_sqlite_error (SmStore  *self,
                            GError  **error,
                            int       rc)
{
  set_sqlite_error (error, self->path, self->db, rc);
}

gboolean
_sm_store_operation_begin (SmStore  *self,
                           GError  **error)
{
  return operation_begin (self, error);
}

gboolean
_sm_store_operation_commit (SmStore  *self,
                            GError  **error)
{
  if (!operation_commit (self, error))
    {
      operation_rollback (self);
      return FALSE;
    }
  return TRUE;
}

void
_sm_store_operation_rollback (SmStore *self)
{
  operation_rollback (self);
}

/* App secrets (the heartbeat report key): encrypted in the meta table. */

static char *
app_secret_key (const char *name)
{
  return g_strdup_printf ("secret:%s", name);
}

gboolean
sm_store_set_app_secret (SmStore     *self,
                         const char  *name,
                         const char  *secret,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *key = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && secret != NULL, FALSE);

  if (self->vault == NULL)
    {
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("Cannot store a secret: no credential store is available."));
      return FALSE;
    }
  key = app_secret_key (name);
  sealed = sm_vault_encrypt (self->vault, key, secret, strlen (secret), error);
  if (sealed == NULL)
    return FALSE;
  stmt = prepare (self, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  sqlite3_bind_blob (stmt, 2, g_bytes_get_data (sealed, NULL), (int) g_bytes_get_size (sealed),
                     SQLITE_TRANSIENT);
  return step_done (self, stmt, error);
}

char *
sm_store_load_app_secret (SmStore     *self,
                          const char  *name,
                          GError     **error)
{
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *key = NULL;
  GError *local_error = NULL;
  char *secret;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  key = app_secret_key (name);
  sealed = meta_get (self, key, &local_error);
  if (sealed == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return NULL;
    }
  if (self->vault == NULL)
    {
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("A stored secret is unavailable: no credential store is available."));
      return NULL;
    }
  secret = sm_vault_decrypt (self->vault, key, sealed, NULL, NULL);
  if (secret == NULL)
    g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_UNAVAILABLE,
                 _("A stored secret cannot be decrypted (the vault key changed or the data is damaged)."));
  return secret;
}
