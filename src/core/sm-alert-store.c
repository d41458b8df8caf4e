/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-alert-store.c: alert rules, channels, windows, alerts and events in
 * the store's database (migration 7). */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sm-alert-store.h"
#include "sm-store-private.h"
#include "sm-vault.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static const char * const event_kinds[] = {
  "transition", "flapping-started", "flapping-stopped", "escalated", "gap",
};

static const char * const state_names[] = {
  "inactive", "pending", "firing", "acknowledged", "resolved",
};

static SmAlertState
state_from_string (const char *text)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (text, state_names[i]))
      return (SmAlertState) i;
  return SM_ALERT_STATE_INACTIVE;
}

static SmAlertEventKind
kind_from_string (const char *text)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (event_kinds); i++)
    if (g_str_equal (text, event_kinds[i]))
      return (SmAlertEventKind) i;
  return SM_ALERT_EVENT_TRANSITION;
}

static void
bind_double (sqlite3_stmt *stmt,
             int           index,
             double        value)
{
  if (isfinite (value))
    sqlite3_bind_double (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static double
column_double (sqlite3_stmt *stmt,
               int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (stmt, column);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
set_invalid (GError     **error,
             char        *message)
{
  g_set_error_literal (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID, message);
  g_free (message);
  return FALSE;
}

static gboolean
server_exists (SmStore  *self,
               gint64    id,
               gboolean *out_exists,
               GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = _sm_store_prepare (self, "SELECT 1 FROM servers WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _sm_store_step_row (self, stmt, out_exists, error);
}

/* Rules */

static char *
rule_to_string (const SmAlertRule *rule)
{
  g_autoptr(JsonNode) node = sm_alert_rule_to_json (rule);

  return json_to_string (node, FALSE);
}

static gint64
rule_server_id (const SmAlertRule *rule)
{
  if (rule->scope != SM_ALERT_SCOPE_SERVER || rule->scope_value == NULL)
    return 0;
  return g_ascii_strtoll (rule->scope_value, NULL, 10);
}

static gboolean
write_rule (SmStore           *self,
            const SmAlertRule *rule,
            GError           **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 server_id = rule_server_id (rule);

  stmt = _sm_store_prepare (self,
                            "INSERT INTO alert_rules (id, server_id, position, rule) "
                            "VALUES (?1, ?2, (SELECT IFNULL (MAX (position), 0) + 1 FROM alert_rules), ?3) "
                            "ON CONFLICT (id) DO UPDATE SET server_id = excluded.server_id, "
                            "  rule = excluded.rule",
                            error);
  if (stmt == NULL)
    return FALSE;
  _sm_store_bind_text (stmt, 1, rule->id);
  if (server_id > 0)
    sqlite3_bind_int64 (stmt, 2, server_id);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_text (stmt, 3, rule_to_string (rule), -1, g_free);
  return _sm_store_step_done (self, stmt, error);
}

gboolean
_sm_store_add_default_rules (SmStore  *self,
                             gint64    server_id,
                             GError  **error)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, server_id);
  g_autoptr(GPtrArray) rules = sm_alert_rules_new_defaults (id);

  for (guint i = 0; i < rules->len; i++)
    if (!write_rule (self, g_ptr_array_index (rules, i), error))
      return FALSE;
  return TRUE;
}

static void
add_rule_row (sqlite3_stmt *stmt,
              gpointer      user_data)
{
  GPtrArray *rules = user_data;
  g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, 1), NULL);
  g_autofree char *problem = NULL;
  SmAlertRule *rule = node != NULL ? sm_alert_rule_from_json (node, &problem) : NULL;

  /* A row this build cannot read (written by a newer one) is skipped,
   * not a reason to lose every other rule. */
  if (rule == NULL)
    {
      g_warning ("Alert rule %s cannot be read: %s",
                 (const char *) sqlite3_column_text (stmt, 0),
                 problem != NULL ? problem : "not JSON");
      return;
    }
  g_ptr_array_add (rules, rule);
}

GPtrArray *
sm_store_list_rules (SmStore  *self,
                     GError  **error)
{
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_rule_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  stmt = _sm_store_prepare (self, "SELECT id, rule FROM alert_rules ORDER BY position, id", error);
  if (stmt == NULL || !_sm_store_step_all (self, stmt, add_rule_row, rules, error))
    return NULL;
  return g_steal_pointer (&rules);
}

static gboolean
channel_exists (SmStore    *self,
                const char *name,
                gboolean   *out_exists,
                GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = _sm_store_prepare (self, "SELECT 1 FROM channels WHERE name = ?1", error);

  if (stmt == NULL)
    return FALSE;
  _sm_store_bind_text (stmt, 1, name);
  return _sm_store_step_row (self, stmt, out_exists, error);
}

gboolean
sm_store_save_rule (SmStore           *self,
                    const SmAlertRule *rule,
                    GError           **error)
{
  char *problem;
  gboolean exists = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  problem = sm_alert_rule_validate (rule);
  if (problem != NULL)
    return set_invalid (error, problem);

  if (rule->scope == SM_ALERT_SCOPE_SERVER)
    {
      gint64 server_id = rule_server_id (rule);

      if (server_id <= 0 || !server_exists (self, server_id, &exists, error) || !exists)
        return (error != NULL && *error != NULL) ? FALSE
               : set_invalid (error, g_strdup_printf ("server: %s", _("no such server")));
    }

  for (guint i = 0; rule->channels != NULL && rule->channels[i] != NULL; i++)
    {
      if (!channel_exists (self, rule->channels[i], &exists, error))
        return FALSE;
      if (!exists)
        return set_invalid (error, g_strdup_printf ("channels[%u]: %s", i, _("no such channel")));
    }
  if (rule->escalate_seconds > 0)
    {
      if (!channel_exists (self, rule->escalation_channel, &exists, error))
        return FALSE;
      if (!exists)
        return set_invalid (error, g_strdup_printf ("escalate_to: %s", _("no such channel")));
    }

  return write_rule (self, rule, error);
}

gboolean
sm_store_delete_rule (SmStore     *self,
                      const char  *rule_id,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (rule_id != NULL, FALSE);

  stmt = _sm_store_prepare (self, "DELETE FROM alert_rules WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  _sm_store_bind_text (stmt, 1, rule_id);
  if (!_sm_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (_sm_store_get_db (self)) == 0)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The alert rule no longer exists."));
      return FALSE;
    }
  return TRUE;
}

/* Renames (new_name) or removes (new_name NULL) a channel in every rule. */
static gboolean
rename_channel_in_rules (SmStore     *self,
                         const char  *old_name,
                         const char  *new_name,
                         GError     **error)
{
  g_autoptr(GPtrArray) rules = sm_store_list_rules (self, error);

  if (rules == NULL)
    return FALSE;

  for (guint i = 0; i < rules->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (rules, i);
      gboolean changed = FALSE;

      if (rule->channels != NULL)
        {
          g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

          for (guint c = 0; rule->channels[c] != NULL; c++)
            {
              if (g_ascii_strcasecmp (rule->channels[c], old_name) != 0)
                g_strv_builder_add (builder, rule->channels[c]);
              else
                {
                  changed = TRUE;
                  if (new_name != NULL)
                    g_strv_builder_add (builder, new_name);
                }
            }
          if (changed)
            {
              g_strfreev (rule->channels);
              rule->channels = g_strv_builder_end (builder);
              /* No channel left: the default channels, not silence. */
              if (rule->channels[0] == NULL)
                g_clear_pointer (&rule->channels, g_strfreev);
            }
        }
      if (rule->escalation_channel != NULL &&
          g_ascii_strcasecmp (rule->escalation_channel, old_name) == 0)
        {
          changed = TRUE;
          g_free (rule->escalation_channel);
          rule->escalation_channel = g_strdup (new_name);
          if (new_name == NULL)
            rule->escalate_seconds = 0;
        }
      if (changed && !write_rule (self, rule, error))
        return FALSE;
    }
  return TRUE;
}

/* Channels */

static SmChannel *
channel_from_row (sqlite3_stmt *stmt)
{
  SmChannelType type = SM_CHANNEL_DESKTOP;
  SmChannel *channel;
  g_autoptr(JsonNode) settings = NULL;

  sm_channel_type_from_string ((const char *) sqlite3_column_text (stmt, 2), &type);
  channel = sm_channel_new ((const char *) sqlite3_column_text (stmt, 1), type);
  channel->id = sqlite3_column_int64 (stmt, 0);
  channel->enabled = sqlite3_column_int (stmt, 3) != 0;
  channel->is_default = sqlite3_column_int (stmt, 4) != 0;
  channel->has_secret = sqlite3_column_int (stmt, 6) != 0;

  settings = json_from_string ((const char *) sqlite3_column_text (stmt, 5), NULL);
  if (settings != NULL && JSON_NODE_HOLDS_OBJECT (settings))
    {
      JsonObject *object = json_node_get_object (settings);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (object, l->data);

          if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
            sm_channel_set (channel, l->data, json_node_get_string (value));
        }
    }
  return channel;
}

#define CHANNEL_COLUMNS "id, name, type, enabled, is_default, settings, secret IS NOT NULL, uuid"

static void
add_channel_row (sqlite3_stmt *stmt,
                 gpointer      user_data)
{
  g_ptr_array_add (user_data, channel_from_row (stmt));
}

GPtrArray *
sm_store_list_channels (SmStore  *self,
                        GError  **error)
{
  g_autoptr(GPtrArray) channels = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_channel_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  stmt = _sm_store_prepare (self,
                            "SELECT " CHANNEL_COLUMNS " FROM channels ORDER BY name COLLATE NOCASE, id",
                            error);
  if (stmt == NULL || !_sm_store_step_all (self, stmt, add_channel_row, channels, error))
    return NULL;
  return g_steal_pointer (&channels);
}

SmChannel *
sm_store_find_channel (SmStore     *self,
                       const char  *name,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  stmt = _sm_store_prepare (self, "SELECT " CHANNEL_COLUMNS " FROM channels WHERE name = ?1", error);
  if (stmt == NULL)
    return NULL;
  _sm_store_bind_text (stmt, 1, name);
  if (!_sm_store_step_row (self, stmt, &found, error) || !found)
    return NULL;
  return channel_from_row (stmt);
}

static char *
channel_secret_ad (const char *uuid)
{
  return g_strdup_printf ("channel/%s/secret", uuid);
}

static char *
settings_to_json (const SmChannel *channel)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) keys = g_hash_table_get_keys (channel->settings);

  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  json_builder_begin_object (builder);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      json_builder_set_member_name (builder, l->data);
      json_builder_add_string_value (builder, g_hash_table_lookup (channel->settings, l->data));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
sm_store_save_channel (SmStore         *self,
                       SmChannel       *channel,
                       SmSecretAction   action,
                       const char      *secret,
                       GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *problem = NULL;
  gboolean stored_secret = FALSE;
  gboolean found = FALSE;
  gboolean has_secret;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (action == SM_SECRET_SET && (secret == NULL || secret[0] == '\0'))
    action = SM_SECRET_CLEAR;
  if (sm_channel_type_get_secret_key (channel->type) == NULL)
    action = SM_SECRET_CLEAR;

  /* What is stored now: the row's identity, name and whether it has a secret. */
  if (channel->id != 0)
    {
      stmt = _sm_store_prepare (self, "SELECT uuid, name, secret IS NOT NULL FROM channels WHERE id = ?1",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, channel->id);
      if (!_sm_store_step_row (self, stmt, &found, error))
        return FALSE;
      if (!found)
        {
          g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                       _("The channel “%s” no longer exists."), channel->name);
          return FALSE;
        }
      uuid = column_dup (stmt, 0);
      old_name = column_dup (stmt, 1);
      stored_secret = sqlite3_column_int (stmt, 2) != 0;
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  else
    uuid = g_uuid_string_random ();

  has_secret = action == SM_SECRET_SET || (action == SM_SECRET_KEEP && stored_secret);
  {
    gboolean saved = channel->has_secret;

    channel->has_secret = has_secret;
    problem = sm_channel_validate (channel, action == SM_SECRET_SET ? secret : NULL);
    channel->has_secret = saved;
  }
  if (problem != NULL)
    return set_invalid (error, g_steal_pointer (&problem));

  {
    gboolean taken = FALSE;

    stmt = _sm_store_prepare (self, "SELECT 1 FROM channels WHERE name = ?1 AND id != ?2", error);
    if (stmt == NULL)
      return FALSE;
    _sm_store_bind_text (stmt, 1, channel->name);
    sqlite3_bind_int64 (stmt, 2, channel->id);
    if (!_sm_store_step_row (self, stmt, &taken, error))
      return FALSE;
    g_clear_pointer (&stmt, sqlite3_finalize);
    if (taken)
      {
        g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE,
                     _("A channel named “%s” already exists. Choose another name."),
                     channel->name);
        return FALSE;
      }
  }

  if (action == SM_SECRET_SET)
    {
      g_autofree char *ad = channel_secret_ad (uuid);
      SmVault *vault = sm_store_get_vault (self);

      if (vault == NULL)
        {
          g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                       _("Cannot store the secret of the channel “%s”: no credential "
                         "store is available. Nothing was saved."),
                       channel->name);
          return FALSE;
        }
      sealed = sm_vault_encrypt (vault, ad, secret, strlen (secret), error);
      if (sealed == NULL)
        return FALSE;
    }

  if (!_sm_store_operation_begin (self, error))
    return FALSE;

  stmt = _sm_store_prepare (self,
                            "INSERT INTO channels (id, uuid, name, type, enabled, is_default, settings, secret) "
                            "VALUES (NULLIF (?1, 0), ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                            "  type = excluded.type, enabled = excluded.enabled, "
                            "  is_default = excluded.is_default, settings = excluded.settings, "
                            "  secret = CASE ?9 WHEN 0 THEN channels.secret ELSE excluded.secret END",
                            error);
  if (stmt == NULL)
    {
      _sm_store_operation_rollback (self);
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, channel->id);
  _sm_store_bind_text (stmt, 2, uuid);
  _sm_store_bind_text (stmt, 3, channel->name);
  _sm_store_bind_text (stmt, 4, sm_channel_type_to_string (channel->type));
  sqlite3_bind_int (stmt, 5, channel->enabled ? 1 : 0);
  sqlite3_bind_int (stmt, 6, channel->is_default ? 1 : 0);
  sqlite3_bind_text (stmt, 7, settings_to_json (channel), -1, g_free);
  if (sealed != NULL)
    sqlite3_bind_blob (stmt, 8, g_bytes_get_data (sealed, NULL), (int) g_bytes_get_size (sealed),
                       SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 8);
  sqlite3_bind_int (stmt, 9, action == SM_SECRET_KEEP ? 0 : 1);

  if (!_sm_store_step_done (self, stmt, error) ||
      (old_name != NULL && g_strcmp0 (old_name, channel->name) != 0 &&
       !rename_channel_in_rules (self, old_name, channel->name, error)))
    {
      _sm_store_operation_rollback (self);
      return FALSE;
    }
  if (channel->id == 0)
    channel->id = sqlite3_last_insert_rowid (_sm_store_get_db (self));
  if (!_sm_store_operation_commit (self, error))
    {
      if (old_name == NULL)
        channel->id = 0;
      return FALSE;
    }

  channel->has_secret = has_secret;
  return TRUE;
}

gboolean
sm_store_delete_channel (SmStore  *self,
                         gint64    id,
                         GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *name = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);

  stmt = _sm_store_prepare (self, "SELECT name FROM channels WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_sm_store_step_row (self, stmt, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The channel no longer exists."));
      return FALSE;
    }
  name = column_dup (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!_sm_store_operation_begin (self, error))
    return FALSE;
  stmt = _sm_store_prepare (self, "DELETE FROM channels WHERE id = ?1", error);
  if (stmt == NULL)
    {
      _sm_store_operation_rollback (self);
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_sm_store_step_done (self, stmt, error) ||
      !rename_channel_in_rules (self, name, NULL, error))
    {
      _sm_store_operation_rollback (self);
      return FALSE;
    }
  return _sm_store_operation_commit (self, error);
}

char *
sm_store_load_channel_secret (SmStore          *self,
                              const SmChannel  *channel,
                              GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *ad = NULL;
  gboolean found = FALSE;
  SmVault *vault;
  char *plain;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel != NULL, NULL);

  if (channel->id == 0)
    return NULL;

  stmt = _sm_store_prepare (self, "SELECT uuid, secret FROM channels WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, channel->id);
  if (!_sm_store_step_row (self, stmt, &found, error))
    return NULL;
  if (!found)
    {
      g_set_error (error, SM_STORE_ERROR, SM_STORE_ERROR_NOT_FOUND,
                   _("The channel “%s” no longer exists."), channel->name);
      return NULL;
    }
  if (sqlite3_column_type (stmt, 1) == SQLITE_NULL)
    return NULL;

  vault = sm_store_get_vault (self);
  if (vault == NULL)
    {
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("The secret of the channel “%s” is unavailable: no credential store is available."),
                   channel->name);
      return NULL;
    }

  ad = channel_secret_ad ((const char *) sqlite3_column_text (stmt, 0));
  sealed = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
  plain = sm_vault_decrypt (vault, ad, sealed, NULL, &local_error);
  if (plain == NULL)
    {
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_UNAVAILABLE,
                   _("The secret of the channel “%s” cannot be decrypted (the vault key "
                     "changed or the data is damaged). Enter it again."),
                   channel->name);
      return NULL;
    }
  return plain;
}

/* Windows */

SmAlertWindow *
sm_alert_window_new (SmWindowKind kind)
{
  SmAlertWindow *window = g_new0 (SmAlertWindow, 1);

  window->kind = kind;
  window->window.days = SM_WEEKDAYS_ALL;
  window->window.start = 22 * 60;
  window->window.end = 7 * 60;
  return window;
}

SmAlertWindow *
sm_alert_window_copy (const SmAlertWindow *window)
{
  SmAlertWindow *copy;

  g_return_val_if_fail (window != NULL, NULL);

  copy = g_memdup2 (window, sizeof *window);
  copy->comment = g_strdup (window->comment);
  return copy;
}

void
sm_alert_window_free (SmAlertWindow *window)
{
  if (window == NULL)
    return;
  g_free (window->comment);
  g_free (window);
}

static void
add_window_row (sqlite3_stmt *stmt,
                gpointer      user_data)
{
  SmAlertWindow *window = sm_alert_window_new (SM_WINDOW_QUIET_HOURS);

  window->id = sqlite3_column_int64 (stmt, 0);
  window->kind = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "maintenance") == 0
                 ? SM_WINDOW_MAINTENANCE : SM_WINDOW_QUIET_HOURS;
  window->server_id = sqlite3_column_int64 (stmt, 2);
  window->window.days = (guint8) sqlite3_column_int (stmt, 3);
  window->window.start = (guint16) sqlite3_column_int (stmt, 4);
  window->window.end = (guint16) sqlite3_column_int (stmt, 5);
  window->comment = column_dup (stmt, 6);
  g_ptr_array_add (user_data, window);
}

GPtrArray *
sm_store_list_windows (SmStore  *self,
                       GError  **error)
{
  g_autoptr(GPtrArray) windows = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_window_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  stmt = _sm_store_prepare (self,
                            "SELECT id, kind, IFNULL (server_id, 0), days, start_min, end_min, comment "
                            "FROM alert_windows ORDER BY kind = 'maintenance', id",
                            error);
  if (stmt == NULL || !_sm_store_step_all (self, stmt, add_window_row, windows, error))
    return NULL;
  return g_steal_pointer (&windows);
}

gboolean
sm_store_save_window (SmStore        *self,
                      SmAlertWindow  *window,
                      GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  char *problem;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (window != NULL, FALSE);

  problem = sm_weekly_window_validate (&window->window);
  if (problem != NULL)
    return set_invalid (error, problem);
  if (window->kind == SM_WINDOW_QUIET_HOURS && window->server_id != 0)
    return set_invalid (error, g_strdup_printf ("server: %s", _("quiet hours apply to every server")));
  if (window->server_id != 0)
    {
      gboolean exists = FALSE;

      if (!server_exists (self, window->server_id, &exists, error))
        return FALSE;
      if (!exists)
        return set_invalid (error, g_strdup_printf ("server: %s", _("no such server")));
    }

  stmt = _sm_store_prepare (self,
                            "INSERT INTO alert_windows (id, kind, server_id, days, start_min, end_min, comment) "
                            "VALUES (NULLIF (?1, 0), ?2, NULLIF (?3, 0), ?4, ?5, ?6, ?7) "
                            "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
                            "  server_id = excluded.server_id, days = excluded.days, "
                            "  start_min = excluded.start_min, end_min = excluded.end_min, "
                            "  comment = excluded.comment",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, window->id);
  _sm_store_bind_text (stmt, 2, window->kind == SM_WINDOW_MAINTENANCE ? "maintenance" : "quiet");
  sqlite3_bind_int64 (stmt, 3, window->server_id);
  sqlite3_bind_int (stmt, 4, window->window.days);
  sqlite3_bind_int (stmt, 5, window->window.start);
  sqlite3_bind_int (stmt, 6, window->window.end);
  _sm_store_bind_text (stmt, 7, window->comment != NULL && window->comment[0] != '\0' ? window->comment : NULL);
  if (!_sm_store_step_done (self, stmt, error))
    return FALSE;
  if (window->id == 0)
    window->id = sqlite3_last_insert_rowid (_sm_store_get_db (self));
  return TRUE;
}

gboolean
sm_store_delete_window (SmStore  *self,
                        gint64    id,
                        GError  **error)
{
  g_return_val_if_fail (SM_IS_STORE (self), FALSE);

  return _sm_store_delete_row (self, "DELETE FROM alert_windows WHERE id = ?1", id, NULL, error);
}

/* Alerts and events */

static gboolean
record_event (SmStore            *self,
              sqlite3_stmt       *insert_event,
              sqlite3_stmt       *upsert_alert,
              const SmAlertEvent *event,
              GError            **error)
{
  gint64 server_id = event->server_id != NULL ? g_ascii_strtoll (event->server_id, NULL, 10) : 0;

  sqlite3_reset (insert_event);
  sqlite3_clear_bindings (insert_event);
  if (event->alert_id > 0)
    sqlite3_bind_int64 (insert_event, 1, event->alert_id);
  sqlite3_bind_int64 (insert_event, 2, server_id);
  sqlite3_bind_int64 (insert_event, 3, event->time);
  sqlite3_bind_int64 (insert_event, 4, event->end_time);
  _sm_store_bind_text (insert_event, 5, event_kinds[event->kind]);
  if (event->kind == SM_ALERT_EVENT_TRANSITION)
    {
      _sm_store_bind_text (insert_event, 6, state_names[event->from]);
      _sm_store_bind_text (insert_event, 7, state_names[event->to]);
    }
  bind_double (insert_event, 8, event->value);
  sqlite3_bind_int (insert_event, 9, (int) event->held);
  _sm_store_bind_text (insert_event, 10, event->message != NULL ? event->message : "");
  if (!_sm_store_step_done (self, insert_event, error))
    return FALSE;

  if (event->kind == SM_ALERT_EVENT_GAP || event->alert_id <= 0)
    return TRUE;

  sqlite3_reset (upsert_alert);
  sqlite3_clear_bindings (upsert_alert);
  sqlite3_bind_int64 (upsert_alert, 1, event->alert_id);
  _sm_store_bind_text (upsert_alert, 2, event->rule_id != NULL ? event->rule_id : "");
  sqlite3_bind_int64 (upsert_alert, 3, server_id);
  _sm_store_bind_text (upsert_alert, 4, event->target != NULL ? event->target : "");
  _sm_store_bind_text (upsert_alert, 5, event->title != NULL ? event->title : "");
  _sm_store_bind_text (upsert_alert, 6, sm_severity_to_string (event->severity));
  _sm_store_bind_text (upsert_alert, 7, state_names[event->kind == SM_ALERT_EVENT_TRANSITION
                                          ? event->to : SM_ALERT_STATE_FIRING]);
  sqlite3_bind_int64 (upsert_alert, 8, event->since > 0 ? event->since : event->time);
  sqlite3_bind_int64 (upsert_alert, 9, event->firing_since);
  sqlite3_bind_int64 (upsert_alert, 10, event->time);
  bind_double (upsert_alert, 11, event->value);
  _sm_store_bind_text (upsert_alert, 12, event->ack_comment);
  sqlite3_bind_int64 (upsert_alert, 13, event->ack_expires);
  sqlite3_bind_int (upsert_alert, 14, event->told ? 1 : 0);
  sqlite3_bind_int (upsert_alert, 15, event->kind == SM_ALERT_EVENT_TRANSITION ? 1 : 0);
  return _sm_store_step_done (self, upsert_alert, error);
}

gboolean
sm_store_record_alert_events (SmStore    *self,
                              GPtrArray  *events,
                              GError    **error)
{
  g_autoptr(sqlite3_stmt) insert_event = NULL;
  g_autoptr(sqlite3_stmt) upsert_alert = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (events != NULL, FALSE);

  if (events->len == 0)
    return TRUE;

  /* A server deleted meanwhile: the row keeps no server (NULL). */
  insert_event = _sm_store_prepare (self,
                                    "INSERT INTO alert_events (alert_id, server_id, t, end_t, kind, "
                                    "  from_state, to_state, value, held, message) "
                                    "VALUES (?1, (SELECT id FROM servers WHERE id = ?2), ?3, ?4, ?5, "
                                    "  ?6, ?7, ?8, ?9, ?10)",
                                    error);
  if (insert_event == NULL)
    return FALSE;
  /* Other events (flapping, escalation) only make sure the alert exists;
   * transitions (?15) also set its state. */
  upsert_alert = _sm_store_prepare (self,
                                    "INSERT INTO alerts (id, rule_id, server_id, target, title, severity, "
                                    "  state, since, firing_since, updated, value, ack_comment, "
                                    "  ack_expires, told) "
                                    "VALUES (?1, ?2, (SELECT id FROM servers WHERE id = ?3), ?4, ?5, ?6, "
                                    "  ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                                    "ON CONFLICT (id) DO UPDATE SET "
                                    "  state = CASE ?15 WHEN 1 THEN excluded.state ELSE alerts.state END, "
                                    "  firing_since = excluded.firing_since, updated = excluded.updated, "
                                    "  value = excluded.value, ack_comment = excluded.ack_comment, "
                                    "  ack_expires = excluded.ack_expires, told = excluded.told, "
                                    "  title = excluded.title, severity = excluded.severity",
                                    error);
  if (upsert_alert == NULL)
    return FALSE;

  if (!_sm_store_operation_begin (self, error))
    return FALSE;
  for (guint i = 0; i < events->len; i++)
    if (!record_event (self, insert_event, upsert_alert, g_ptr_array_index (events, i), error))
      {
        _sm_store_operation_rollback (self);
        return FALSE;
      }
  return _sm_store_operation_commit (self, error);
}

gboolean
sm_store_note_notifications (SmStore    *self,
                             GPtrArray  *notifications,
                             GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (notifications != NULL, FALSE);

  for (guint i = 0; i < notifications->len; i++)
    {
      SmNotification *notification = g_ptr_array_index (notifications, i);
      int told;

      if (notification->alert_id <= 0)
        continue;
      if (notification->kind == SM_NOTIFICATION_FIRING ||
          notification->kind == SM_NOTIFICATION_ESCALATED)
        told = 1;
      else if (notification->kind == SM_NOTIFICATION_RESOLVED)
        told = 0;
      else
        continue;

      if (stmt == NULL)
        {
          stmt = _sm_store_prepare (self, "UPDATE alerts SET told = ?2 WHERE id = ?1", error);
          if (stmt == NULL)
            return FALSE;
        }
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, notification->alert_id);
      sqlite3_bind_int (stmt, 2, told);
      if (!_sm_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

gint64
sm_store_get_max_alert_id (SmStore  *self,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (SM_IS_STORE (self), 0);

  stmt = _sm_store_prepare (self,
                            "SELECT MAX (IFNULL ((SELECT MAX (id) FROM alerts), 0), "
                            "  IFNULL ((SELECT MAX (alert_id) FROM alert_events), 0))",
                            error);
  if (stmt == NULL || !_sm_store_step_row (self, stmt, &found, error) || !found)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

#define OPEN_ALERT_COLUMNS \
  "a.id, a.rule_id, IFNULL (a.server_id, 0), s.name, a.target, a.title, a.severity, a.state, " \
  "a.since, a.firing_since, a.value, a.ack_comment, a.ack_expires, a.told"
#define OPEN_ALERTS_QUERY \
  "SELECT " OPEN_ALERT_COLUMNS " FROM alerts a LEFT JOIN servers s ON s.id = a.server_id " \
  "WHERE a.state IN ('pending', 'firing', 'acknowledged') ORDER BY a.since, a.id"

static SmAlertInfo *
info_from_row (sqlite3_stmt *stmt)
{
  SmAlertInfo *info = g_new0 (SmAlertInfo, 1);

  info->alert_id = sqlite3_column_int64 (stmt, 0);
  info->rule_id = column_dup (stmt, 1);
  info->server_id = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 2));
  info->server_name = column_dup (stmt, 3);
  info->target = column_dup (stmt, 4);
  info->title = column_dup (stmt, 5);
  sm_severity_from_string ((const char *) sqlite3_column_text (stmt, 6), &info->severity);
  info->state = state_from_string ((const char *) sqlite3_column_text (stmt, 7));
  info->since = sqlite3_column_int64 (stmt, 9) > 0 && info->state != SM_ALERT_STATE_PENDING
                ? sqlite3_column_int64 (stmt, 9) : sqlite3_column_int64 (stmt, 8);
  info->value = column_double (stmt, 10);
  info->ack_comment = column_dup (stmt, 11);
  info->ack_expires = sqlite3_column_int64 (stmt, 12);
  return info;
}

static void
add_info_row (sqlite3_stmt *stmt,
              gpointer      user_data)
{
  g_ptr_array_add (user_data, info_from_row (stmt));
}

GPtrArray *
sm_store_list_open_alerts (SmStore  *self,
                           GError  **error)
{
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_info_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  stmt = _sm_store_prepare (self, OPEN_ALERTS_QUERY, error);
  if (stmt == NULL || !_sm_store_step_all (self, stmt, add_info_row, alerts, error))
    return NULL;
  return g_steal_pointer (&alerts);
}

typedef struct {
  SmAlertEngine *engine;
  GArray        *dropped;   /* alert ids whose rule is gone */
  guint          restored;
} RestoreData;

static void
restore_row (sqlite3_stmt *stmt,
             gpointer      user_data)
{
  RestoreData *data = user_data;
  g_autoptr(SmAlertInfo) info = info_from_row (stmt);

  if (sm_alert_engine_restore (data->engine, info->alert_id, info->rule_id, info->server_id,
                               info->target, info->state, sqlite3_column_int64 (stmt, 8),
                               sqlite3_column_int64 (stmt, 9), info->value, info->ack_comment,
                               info->ack_expires, sqlite3_column_int (stmt, 13) != 0))
    data->restored++;
  else
    g_array_append_val (data->dropped, info->alert_id);
}

gboolean
sm_store_restore_open_alerts (SmStore        *self,
                              SmAlertEngine  *engine,
                              gint64          now,
                              guint          *out_restored,
                              GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) dropped = g_array_new (FALSE, FALSE, sizeof (gint64));
  RestoreData data = { engine, dropped, 0 };

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (engine != NULL, FALSE);

  stmt = _sm_store_prepare (self, OPEN_ALERTS_QUERY, error);
  if (stmt == NULL || !_sm_store_step_all (self, stmt, restore_row, &data, error))
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* Alerts of rules (or servers) that are gone are over. */
  if (dropped->len > 0)
    {
      stmt = _sm_store_prepare (self, "UPDATE alerts SET state = 'resolved', updated = ?2 WHERE id = ?1",
                                error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < dropped->len; i++)
        {
          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, g_array_index (dropped, gint64, i));
          sqlite3_bind_int64 (stmt, 2, now);
          if (!_sm_store_step_done (self, stmt, error))
            return FALSE;
        }
    }

  if (out_restored != NULL)
    *out_restored = data.restored;
  return TRUE;
}

void
sm_alert_event_row_free (SmAlertEventRow *row)
{
  if (row == NULL)
    return;
  g_free (row->server_name);
  g_free (row->rule_id);
  g_free (row->target);
  g_free (row->title);
  g_free (row->message);
  g_free (row);
}

void
sm_alert_event_filter_init (SmAlertEventFilter *filter)
{
  g_return_if_fail (filter != NULL);

  memset (filter, 0, sizeof *filter);
  filter->severity = -1;
  filter->include_gaps = TRUE;
}

static void
add_event_row (sqlite3_stmt *stmt,
               gpointer      user_data)
{
  SmAlertEventRow *row = g_new0 (SmAlertEventRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->alert_id = sqlite3_column_int64 (stmt, 1);
  row->server_id = sqlite3_column_int64 (stmt, 2);
  row->server_name = column_dup (stmt, 3);
  row->rule_id = column_dup (stmt, 4);
  row->target = column_dup (stmt, 5);
  row->title = column_dup (stmt, 6);
  sm_severity_from_string ((const char *) sqlite3_column_text (stmt, 7), &row->severity);
  row->kind = kind_from_string ((const char *) sqlite3_column_text (stmt, 8));
  row->from = state_from_string ((const char *) sqlite3_column_text (stmt, 9));
  row->to = state_from_string ((const char *) sqlite3_column_text (stmt, 10));
  row->time = sqlite3_column_int64 (stmt, 11);
  row->end_time = sqlite3_column_int64 (stmt, 12);
  row->value = column_double (stmt, 13);
  row->held = (SmAlertHeld) sqlite3_column_int (stmt, 14);
  row->message = column_dup (stmt, 15);
  g_ptr_array_add (user_data, row);
}

GPtrArray *
sm_store_list_alert_events (SmStore                  *self,
                            const SmAlertEventFilter *filter,
                            GError                  **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_event_row_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  SmAlertEventFilter defaults;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  if (filter == NULL)
    {
      sm_alert_event_filter_init (&defaults);
      filter = &defaults;
    }

  stmt = _sm_store_prepare (self,
                            "SELECT e.id, IFNULL (e.alert_id, 0), IFNULL (e.server_id, 0), s.name, "
                            "  a.rule_id, a.target, a.title, a.severity, e.kind, e.from_state, "
                            "  e.to_state, e.t, e.end_t, e.value, e.held, e.message "
                            "FROM alert_events e "
                            "LEFT JOIN alerts a ON a.id = e.alert_id "
                            "LEFT JOIN servers s ON s.id = e.server_id "
                            "WHERE (?4 = 0 OR e.t >= ?4) AND (?5 = 0 OR e.t < ?5) AND "
                            "  ((e.kind = 'gap' AND ?6) OR "
                            "   (e.kind != 'gap' AND (?1 = 0 OR e.server_id = ?1) AND "
                            "    (?2 < 0 OR a.severity = ?3))) "
                            "ORDER BY e.t DESC, e.id DESC LIMIT ?7",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, filter->server_id);
  sqlite3_bind_int (stmt, 2, filter->severity);
  _sm_store_bind_text (stmt, 3, filter->severity >= 0 ? sm_severity_to_string (filter->severity) : "");
  sqlite3_bind_int64 (stmt, 4, filter->since);
  sqlite3_bind_int64 (stmt, 5, filter->until);
  sqlite3_bind_int (stmt, 6, filter->include_gaps ? 1 : 0);
  sqlite3_bind_int (stmt, 7, filter->limit > 0 ? (int) MIN (filter->limit, G_MAXINT) : 1000);
  if (!_sm_store_step_all (self, stmt, add_event_row, rows, error))
    return NULL;
  return g_steal_pointer (&rows);
}

gboolean
sm_store_save_alert_counters (SmStore    *self,
                              GPtrArray  *counters,
                              GError    **error)
{
  g_autoptr(sqlite3_stmt) clear = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), FALSE);
  g_return_val_if_fail (counters != NULL, FALSE);

  clear = _sm_store_prepare (self, "DELETE FROM alert_counters", error);
  if (clear == NULL)
    return FALSE;
  insert = _sm_store_prepare (self,
                              "INSERT OR REPLACE INTO alert_counters (rule_id, server_id, target, failures) "
                              "SELECT ?1, id, ?3, ?4 FROM servers WHERE id = ?2",
                              error);
  if (insert == NULL)
    return FALSE;

  if (!_sm_store_operation_begin (self, error))
    return FALSE;
  if (!_sm_store_step_done (self, clear, error))
    {
      _sm_store_operation_rollback (self);
      return FALSE;
    }
  for (guint i = 0; i < counters->len; i++)
    {
      SmAlertCounter *counter = g_ptr_array_index (counters, i);

      sqlite3_reset (insert);
      _sm_store_bind_text (insert, 1, counter->rule_id);
      sqlite3_bind_int64 (insert, 2, g_ascii_strtoll (counter->server_id, NULL, 10));
      _sm_store_bind_text (insert, 3, counter->target);
      sqlite3_bind_int (insert, 4, (int) MIN (counter->failures, G_MAXINT));
      if (!_sm_store_step_done (self, insert, error))
        {
          _sm_store_operation_rollback (self);
          return FALSE;
        }
    }
  return _sm_store_operation_commit (self, error);
}

static void
add_counter_row (sqlite3_stmt *stmt,
                 gpointer      user_data)
{
  SmAlertCounter *counter = g_new0 (SmAlertCounter, 1);

  counter->rule_id = column_dup (stmt, 0);
  counter->server_id = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 1));
  counter->target = column_dup (stmt, 2);
  counter->failures = (guint) MAX (sqlite3_column_int (stmt, 3), 0);
  g_ptr_array_add (user_data, counter);
}

GPtrArray *
sm_store_list_alert_counters (SmStore  *self,
                              GError  **error)
{
  g_autoptr(GPtrArray) counters = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_counter_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (SM_IS_STORE (self), NULL);

  stmt = _sm_store_prepare (self,
                            "SELECT rule_id, server_id, target, failures FROM alert_counters "
                            "ORDER BY rule_id, server_id, target",
                            error);
  if (stmt == NULL || !_sm_store_step_all (self, stmt, add_counter_row, counters, error))
    return NULL;
  return g_steal_pointer (&counters);
}
