/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-store.c: service checks and their latest results in the
 * store's database (migration 8). */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sm-check-store.h"
#include "sm-store-private.h"
#include "sm-vault.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

#define CHECK_COLUMNS "id, server_id, name, type, interval, enabled, settings"

static SmCheck *
check_from_row (sqlite3_stmt *stmt)
{
  SmCheckType type = SM_CHECK_HTTP;
  g_autoptr(JsonNode) settings = NULL;
  SmCheck *check;

  sm_check_type_from_string ((const char *) sqlite3_column_text (stmt, 3), &type);
  check = sm_check_new (type, (const char *) sqlite3_column_text (stmt, 2));
  check->id = sqlite3_column_int64 (stmt, 0);
  check->server_id = sqlite3_column_int64 (stmt, 1);
  check->interval = (guint) CLAMP (sqlite3_column_int64 (stmt, 4), 0, G_MAXUINT);
  check->enabled = sqlite3_column_int (stmt, 5) != 0;
  settings = json_from_string ((const char *) sqlite3_column_text (stmt, 6), NULL);
  if (settings != NULL && JSON_NODE_HOLDS_OBJECT (settings))
    {
      json_object_unref (check->settings);
      check->settings = json_object_ref (json_node_get_object (settings));
    }
  return check;
}

static void
add_check_row (sqlite3_stmt *stmt,
               gpointer      user_data)
{
  g_ptr_array_add (user_data, check_from_row (stmt));
}

GPtrArray *
sm_store_list_checks (SmStore  *self,
                      gint64    server_id,
                      GError  **error)
{
  g_autoptr(GPtrArray) checks = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_check_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  stmt = _sm_store_prepare (self,
                            "SELECT " CHECK_COLUMNS " FROM checks "
                            "WHERE ?1 = 0 OR server_id = ?1 ORDER BY server_id, name, id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, server_id);
  if (!_sm_store_step_all (self, stmt, add_check_row, checks, error))
    return NULL;
  return g_steal_pointer (&checks);
}

SmCheck *
sm_store_get_check (SmStore  *self,
                    gint64    id,
                    GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  stmt = _sm_store_prepare (self, "SELECT " CHECK_COLUMNS " FROM checks WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_sm_store_step_row (self, stmt, &found, error))
    return NULL;
  if (!found)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The check no longer exists."));
      return NULL;
    }
  return check_from_row (stmt);
}

static gboolean
row_exists (SmStore     *self,
            const char  *sql,
            gint64       a,
            gint64       b,
            const char  *text,
            gboolean    *out_exists,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = _sm_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, b);
  if (text != NULL)
    sqlite3_bind_text (stmt, 3, text, -1, SQLITE_TRANSIENT);
  return _sm_store_step_row (self, stmt, out_exists, error);
}

gboolean
sm_store_save_check (SmStore  *self,
                     SmCheck  *check,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonNode) settings = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *uuid = NULL;
  gboolean exists = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (check != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  problem = sm_check_validate (check);
  if (problem != NULL)
    {
      g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID, problem);
      return FALSE;
    }

  if (!row_exists (self, "SELECT 1 FROM servers WHERE id = ?1 AND ?2 = ?2", check->server_id, 0,
                   NULL, &exists, error))
    return FALSE;
  if (!exists)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID, "server: %s", _("no such server"));
      return FALSE;
    }
  if (!row_exists (self, "SELECT 1 FROM checks WHERE server_id = ?1 AND id != ?2 AND name = ?3",
                   check->server_id, check->id, check->name, &exists, error))
    return FALSE;
  if (exists)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE,
                   _("This server already has a check named “%s”. Choose another name."),
                   check->name);
      return FALSE;
    }

  settings = json_node_init_object (json_node_alloc (), check->settings);
  uuid = g_uuid_string_random ();
  stmt = _sm_store_prepare (self,
                            "INSERT INTO checks (id, uuid, server_id, name, type, interval, enabled, settings) "
                            "VALUES (NULLIF (?1, 0), ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                            "ON CONFLICT (id) DO UPDATE SET server_id = excluded.server_id, "
                            "  name = excluded.name, type = excluded.type, interval = excluded.interval, "
                            "  enabled = excluded.enabled, settings = excluded.settings, "
                            "  token = CASE WHEN checks.type = excluded.type THEN checks.token END, "
                            "  state = CASE WHEN checks.settings = excluded.settings THEN checks.state END",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, check->id);
  sqlite3_bind_text (stmt, 2, uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, check->server_id);
  sqlite3_bind_text (stmt, 4, check->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, sm_check_type_to_string (check->type), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, check->interval);
  sqlite3_bind_int (stmt, 7, check->enabled ? 1 : 0);
  sqlite3_bind_text (stmt, 8, json_to_string (settings, FALSE), -1, g_free);
  if (!_sm_store_step_done (self, stmt, error))
    return FALSE;
  if (check->id == 0)
    check->id = sqlite3_last_insert_rowid (_sm_store_get_db (self));
  return TRUE;
}

gboolean
sm_store_delete_check (SmStore  *self,
                       gint64    id,
                       GError  **error)
{
  g_return_val_if_fail (SM_IS_STORE (self), FALSE);

  return _sm_store_delete_row (self, "DELETE FROM checks WHERE id = ?1", id,
                               _("The check no longer exists."), error);
}

/* Tokens */

static char *
token_ad (const char *uuid)
{
  return g_strdup_printf ("check/%s/token", uuid);
}

static char *
check_uuid (SmStore  *self,
            gint64    id,
            GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = _sm_store_prepare (self, "SELECT uuid FROM checks WHERE id = ?1", error);
  gboolean found = FALSE;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_sm_store_step_row (self, stmt, &found, error))
    return NULL;
  if (!found)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The check no longer exists."));
      return NULL;
    }
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

gboolean
sm_store_set_check_token (SmStore        *self,
                          const SmCheck  *check,
                          const char     *token,
                          GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *ad = NULL;
  SmVault *vault;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (check != NULL && token != NULL, FALSE);

  vault = sm_store_get_vault (self);
  if (vault == NULL)
    {
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("Cannot store the heartbeat address of “%s”: no credential store is available."),
                   check->name);
      return FALSE;
    }
  uuid = check_uuid (self, check->id, error);
  if (uuid == NULL)
    return FALSE;
  ad = token_ad (uuid);
  sealed = sm_vault_encrypt (vault, ad, token, strlen (token), error);
  if (sealed == NULL)
    return FALSE;

  stmt = _sm_store_prepare (self, "UPDATE checks SET token = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, check->id);
  sqlite3_bind_blob (stmt, 2, g_bytes_get_data (sealed, NULL), (int) g_bytes_get_size (sealed),
                     SQLITE_TRANSIENT);
  return _sm_store_step_done (self, stmt, error);
}

char *
sm_store_load_check_token (SmStore        *self,
                           const SmCheck  *check,
                           GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *ad = NULL;
  gboolean found = FALSE;
  SmVault *vault;
  char *token;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);
  g_return_val_if_fail (check != NULL, NULL);

  stmt = _sm_store_prepare (self, "SELECT uuid, token FROM checks WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, check->id);
  if (!_sm_store_step_row (self, stmt, &found, error))
    return NULL;
  if (!found)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The check no longer exists."));
      return NULL;
    }
  if (sqlite3_column_type (stmt, 1) == SQLITE_NULL)
    return NULL;

  vault = sm_store_get_vault (self);
  if (vault == NULL)
    {
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("The heartbeat address of “%s” is unavailable: no credential store is available."),
                   check->name);
      return NULL;
    }
  ad = token_ad ((const char *) sqlite3_column_text (stmt, 0));
  sealed = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
  token = sm_vault_decrypt (vault, ad, sealed, NULL, NULL);
  if (token == NULL)
    g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_UNAVAILABLE,
                 _("The heartbeat address of “%s” cannot be decrypted (the vault key changed "
                   "or the data is damaged). Make a new one."),
                 check->name);
  return token;
}

/* Results */

static char *
metrics_to_json (const SmCheckResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < result->metrics->len; i++)
    {
      const SmCheckMetric *metric = &g_array_index (result->metrics, SmCheckMetric, i);

      if (!isfinite (metric->value))
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, metric->name);
      json_builder_set_member_name (builder, "value");
      json_builder_add_double_value (builder, metric->value);
      if (metric->unit != NULL)
        {
          json_builder_set_member_name (builder, "unit");
          json_builder_add_string_value (builder, metric->unit);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static char *
strings_to_json (GPtrArray *strings)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < strings->len; i++)
    {
      const char *text = g_ptr_array_index (strings, i);

      if (g_utf8_validate (text, -1, NULL))
        json_builder_add_string_value (builder, text);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
sm_store_save_check_result (SmStore              *self,
                            gint64                check_id,
                            const SmCheckResult  *result,
                            GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  stmt = _sm_store_prepare (self,
                            "INSERT OR REPLACE INTO check_results (check_id, t, status, reason, "
                            "  latency_ms, http_status, metrics, details, lines) "
                            "SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM checks WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, check_id);
  sqlite3_bind_int64 (stmt, 2, result->time_us / G_USEC_PER_SEC);
  sqlite3_bind_text (stmt, 3, sm_check_status_to_string (result->status), -1, SQLITE_STATIC);
  if (result->reason != NULL && g_utf8_validate (result->reason, -1, NULL))
    sqlite3_bind_text (stmt, 4, result->reason, -1, SQLITE_TRANSIENT);
  if (isfinite (result->timing.total_ms))
    sqlite3_bind_double (stmt, 5, result->timing.total_ms);
  sqlite3_bind_int (stmt, 6, (int) result->http_status);
  sqlite3_bind_text (stmt, 7, metrics_to_json (result), -1, g_free);
  sqlite3_bind_text (stmt, 8, strings_to_json (result->details), -1, g_free);
  sqlite3_bind_text (stmt, 9, strings_to_json (result->lines), -1, g_free);
  if (!_sm_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (_sm_store_get_db (self)) == 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The check no longer exists."));
      return FALSE;
    }
  return TRUE;
}

static void
strings_from_json (GPtrArray  *out,
                   const char *json)
{
  g_autoptr(JsonNode) node = json != NULL ? json_from_string (json, NULL) : NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_ptr_array_add (out, g_strdup (json_node_get_string (element)));
    }
}

SmCheckResult *
sm_store_get_check_result (SmStore  *self,
                           gint64    check_id,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonNode) metrics = NULL;
  SmCheckStatus status = SM_CHECK_STATUS_UNKNOWN;
  SmCheckResult *result;
  gboolean found = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  stmt = _sm_store_prepare (self,
                            "SELECT t, status, reason, latency_ms, http_status, metrics, details, lines "
                            "FROM check_results WHERE check_id = ?1",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, check_id);
  if (!_sm_store_step_row (self, stmt, &found, error) || !found)
    return NULL;

  sm_check_status_from_string ((const char *) sqlite3_column_text (stmt, 1), &status);
  result = sm_check_result_new (status, (const char *) sqlite3_column_text (stmt, 2));
  result->time_us = sqlite3_column_int64 (stmt, 0) * G_USEC_PER_SEC;
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    result->timing.total_ms = sqlite3_column_double (stmt, 3);
  result->http_status = (guint) CLAMP (sqlite3_column_int (stmt, 4), 0, 999);

  metrics = json_from_string ((const char *) sqlite3_column_text (stmt, 5), NULL);
  if (metrics != NULL && JSON_NODE_HOLDS_ARRAY (metrics))
    {
      JsonArray *array = json_node_get_array (metrics);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *object;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          object = json_node_get_object (element);
          if (!json_object_has_member (object, "name") || !json_object_has_member (object, "value"))
            continue;
          sm_check_result_add_metric (result,
                                      json_object_get_string_member (object, "name"),
                                      json_object_get_double_member (object, "value"),
                                      json_object_has_member (object, "unit")
                                      ? json_object_get_string_member (object, "unit") : NULL);
        }
    }
  strings_from_json (result->details, (const char *) sqlite3_column_text (stmt, 6));
  strings_from_json (result->lines, (const char *) sqlite3_column_text (stmt, 7));
  return result;
}

gboolean
sm_store_save_check_state (SmStore     *self,
                           gint64       check_id,
                           const char  *state_json,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);

  stmt = _sm_store_prepare (self, "UPDATE checks SET state = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, check_id);
  if (state_json != NULL)
    sqlite3_bind_text (stmt, 2, state_json, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  return _sm_store_step_done (self, stmt, error);
}

char *
sm_store_load_check_state (SmStore  *self,
                           gint64    check_id,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  stmt = _sm_store_prepare (self, "SELECT state FROM checks WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, check_id);
  if (!_sm_store_step_row (self, stmt, &found, error) || !found)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}
