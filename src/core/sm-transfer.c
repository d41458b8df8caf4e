/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-transfer.c: the JSON import/export format and the CLI's listings. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sm-transfer.h"
#include "sm-validate.h"

/* An import file larger than this is refused before parsing. */
#define MAX_IMPORT_SIZE (8 * 1024 * 1024)
/* At most this many problems are listed; the rest are counted. */
#define MAX_REPORTED_PROBLEMS 50

G_DEFINE_QUARK (sm-transfer-error-quark, sm_transfer_error)

static const char * const server_keys[] = {
  "name", "host", "port", "username", "auth", "group", "tags", "interval",
  "enabled", "notes", "host_key_sha256", "timeouts", NULL,
};

static const char * const auth_keys[] = {
  "method", "password", "key_file", "passphrase", NULL,
};

/* One validated entry of the file, ready to be applied. */
typedef struct {
  guint           index;
  SmServer       *server;        /* fields from the file */
  char           *secret;        /* password or passphrase, or NULL */
  gboolean        has_port;
  gboolean        has_username;
  gboolean        has_group;
  gboolean        has_tags;
  gboolean        has_interval;
  gboolean        has_enabled;
  gboolean        has_notes;
  gboolean        has_host_key;
  gboolean        has_timeouts;
} ImportEntry;

static void
import_entry_free (gpointer data)
{
  ImportEntry *entry = data;

  g_clear_object (&entry->server);
  g_clear_pointer (&entry->secret, sm_secret_free);
  g_free (entry);
}

/* Collects the problems of one file: "FILE: servers[3].port: message". */
typedef struct {
  const char *display_name;
  GString    *text;
  guint       count;
} Problems;

static void
problems_add (Problems   *problems,
              const char *where,
              const char *message)
{
  problems->count++;
  if (problems->count > MAX_REPORTED_PROBLEMS)
    return;
  if (problems->text->len > 0)
    g_string_append_c (problems->text, '\n');
  if (where != NULL)
    g_string_append_printf (problems->text, "%s: %s: %s",
                            problems->display_name, where, message);
  else
    g_string_append_printf (problems->text, "%s: %s",
                            problems->display_name, message);
}

static void
problems_take (Problems   *problems,
               const char *where,
               char       *message)
{
  if (message != NULL)
    problems_add (problems, where, message);
  g_free (message);
}

static gboolean
check_keys (Problems           *problems,
            const char         *where,
            JsonObject         *object,
            const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);
  gboolean ok = TRUE;

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;

      if (!g_strv_contains (allowed, key))
        {
          g_autofree char *field = g_strdup_printf ("%s.%s", where, key);
          g_autofree char *list = g_strjoinv (", ", (char **) allowed);
          g_autofree char *message =
            g_strdup_printf (_("unknown field (known fields: %s)"), list);

          problems_add (problems, field, message);
          ok = FALSE;
        }
    }

  return ok;
}

/* Returns the member when it holds a value of the given type, NULL when it
 * is absent (*present FALSE) or of another type (a problem). */
static JsonNode *
get_value (Problems   *problems,
           const char *where,
           JsonObject *object,
           const char *key,
           GType       type,
           const char *type_message,
           gboolean   *present)
{
  JsonNode *node = json_object_get_member (object, key);

  *present = FALSE;
  if (node == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    {
      g_autofree char *field = g_strdup_printf ("%s.%s", where, key);

      problems_add (problems, field, type_message);
      return NULL;
    }

  *present = TRUE;
  return node;
}

static const char *
get_string (Problems   *problems,
            const char *where,
            JsonObject *object,
            const char *key,
            gboolean   *present)
{
  JsonNode *node = get_value (problems, where, object, key, G_TYPE_STRING,
                              _("must be a string"), present);

  return node != NULL ? json_node_get_string (node) : NULL;
}

static gboolean
get_integer (Problems   *problems,
             const char *where,
             JsonObject *object,
             const char *key,
             gint64     *out_value,
             gboolean   *present)
{
  JsonNode *node = get_value (problems, where, object, key, G_TYPE_INT64,
                              _("must be a whole number"), present);

  if (node != NULL)
    *out_value = json_node_get_int (node);
  return node != NULL;
}

static void
parse_auth (Problems    *problems,
            const char  *where,
            JsonNode    *node,
            ImportEntry *entry)
{
  g_autofree char *auth_where = g_strdup_printf ("%s.auth", where);
  g_autofree char *method_where = g_strdup_printf ("%s.method", auth_where);
  JsonObject *auth;
  const char *method_str;
  const char *password;
  const char *passphrase;
  const char *key_file;
  gboolean has_method, has_password, has_passphrase, has_key_file;
  SmAuthMethod method;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problems_add (problems, auth_where,
                    _("must be an object such as {\"method\": \"agent\"}"));
      return;
    }

  auth = json_node_get_object (node);
  check_keys (problems, auth_where, auth, auth_keys);

  method_str = get_string (problems, auth_where, auth, "method", &has_method);
  password = get_string (problems, auth_where, auth, "password", &has_password);
  passphrase = get_string (problems, auth_where, auth, "passphrase", &has_passphrase);
  key_file = get_string (problems, auth_where, auth, "key_file", &has_key_file);

  if (!has_method)
    {
      if (json_object_get_member (auth, "method") == NULL)
        problems_add (problems, method_where,
                      _("is required: \"password\", \"key\" or \"agent\""));
      return;
    }
  if (!sm_auth_method_from_string (method_str, &method))
    {
      problems_add (problems, method_where,
                    _("must be \"password\", \"key\" or \"agent\""));
      return;
    }

  sm_server_set_auth_method (entry->server, method);

  if (has_password && method != SM_AUTH_PASSWORD)
    {
      g_autofree char *field = g_strdup_printf ("%s.password", auth_where);
      problems_add (problems, field, _("is only used with method \"password\""));
    }
  if (has_passphrase && method != SM_AUTH_KEY)
    {
      g_autofree char *field = g_strdup_printf ("%s.passphrase", auth_where);
      problems_add (problems, field, _("is only used with method \"key\""));
    }
  if (has_key_file && method != SM_AUTH_KEY)
    {
      g_autofree char *field = g_strdup_printf ("%s.key_file", auth_where);
      problems_add (problems, field, _("is only used with method \"key\""));
    }

  if (method == SM_AUTH_PASSWORD && has_password)
    {
      if (password[0] == '\0')
        {
          g_autofree char *field = g_strdup_printf ("%s.password", auth_where);
          problems_add (problems, field,
                        _("must not be empty; leave it out to keep the stored password"));
        }
      else
        {
          entry->secret = sm_secret_dup (password);
        }
    }
  else if (method == SM_AUTH_KEY)
    {
      g_autofree char *field = g_strdup_printf ("%s.key_file", auth_where);

      if (!has_key_file)
        {
          if (json_object_get_member (auth, "key_file") == NULL)
            problems_add (problems, field, _("is required with method \"key\""));
        }
      else
        {
          problems_take (problems, field, sm_validate_key_file (key_file));
          sm_server_set_key_file (entry->server, key_file);
        }
      if (has_passphrase && passphrase[0] != '\0')
        entry->secret = sm_secret_dup (passphrase);
    }
}

static void
parse_tags (Problems    *problems,
            const char  *where,
            JsonNode    *node,
            ImportEntry *entry)
{
  g_autofree char *field = g_strdup_printf ("%s.tags", where);
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      problems_add (problems, field, _("must be an array of strings"));
      return;
    }

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > SM_TAGS_MAX)
    {
      g_autofree char *message =
        g_strdup_printf (_("must have at most %d tags"), SM_TAGS_MAX);
      problems_add (problems, field, message);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *item_field = g_strdup_printf ("%s[%u]", field, i);
      const char *tag;

      if (!JSON_NODE_HOLDS_VALUE (item) ||
          json_node_get_value_type (item) != G_TYPE_STRING)
        {
          problems_add (problems, item_field, _("must be a string"));
          continue;
        }
      tag = json_node_get_string (item);
      problems_take (problems, item_field, sm_validate_tag (tag));
      g_ptr_array_add (tags, (gpointer) tag);
    }

  g_ptr_array_add (tags, NULL);
  sm_server_set_tags (entry->server, (const char * const *) tags->pdata);
  entry->has_tags = TRUE;
}

static void
parse_timeouts (Problems    *problems,
                const char  *where,
                JsonNode    *node,
                ImportEntry *entry)
{
  g_autofree char *field = g_strdup_printf ("%s.timeouts", where);
  const char *names[SM_N_TIMEOUTS + 1];
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problems_add (problems, field,
                    _("must be an object such as {\"connect\": 5, \"command\": 30}"));
      return;
    }

  for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
    names[t] = sm_timeout_to_string (t);
  names[SM_N_TIMEOUTS] = NULL;

  object = json_node_get_object (node);
  check_keys (problems, field, object, names);
  for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
    {
      gint64 seconds = 0;
      gboolean present = FALSE;

      if (get_integer (problems, field, object, names[t], &seconds, &present))
        {
          g_autofree char *item = g_strdup_printf ("%s.%s", field, names[t]);
          g_autofree char *message = sm_validate_timeout (seconds);

          if (message != NULL)
            problems_add (problems, item, message);
          else
            sm_server_set_timeout (entry->server, t, (guint) seconds);
        }
    }
  entry->has_timeouts = TRUE;
}

static ImportEntry *
parse_server (Problems *problems,
              guint     index,
              JsonNode *node)
{
  g_autofree char *where = g_strdup_printf ("servers[%u]", index);
  ImportEntry *entry;
  JsonObject *object;
  JsonNode *member;
  const char *value;
  gboolean present;
  gint64 number;
  guint before = problems->count;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problems_add (problems, where, _("must be an object"));
      return NULL;
    }

  object = json_node_get_object (node);
  entry = g_new0 (ImportEntry, 1);
  entry->index = index;
  entry->server = sm_server_new ();

  check_keys (problems, where, object, server_keys);

  /* name and host are required. */
  value = get_string (problems, where, object, "name", &present);
  if (present)
    {
      g_autofree char *field = g_strdup_printf ("%s.name", where);
      g_autofree char *trimmed = g_strstrip (g_strdup (value));

      problems_take (problems, field, sm_validate_name (trimmed));
      sm_server_set_name (entry->server, trimmed);
    }
  else if (json_object_get_member (object, "name") == NULL)
    {
      g_autofree char *field = g_strdup_printf ("%s.name", where);
      problems_add (problems, field, _("is required"));
    }

  value = get_string (problems, where, object, "host", &present);
  if (present)
    {
      g_autofree char *field = g_strdup_printf ("%s.host", where);

      problems_take (problems, field, sm_validate_host (value));
      sm_server_set_host (entry->server, value);
    }
  else if (json_object_get_member (object, "host") == NULL)
    {
      g_autofree char *field = g_strdup_printf ("%s.host", where);
      problems_add (problems, field, _("is required"));
    }

  if (get_integer (problems, where, object, "port", &number, &present))
    {
      g_autofree char *field = g_strdup_printf ("%s.port", where);
      g_autofree char *message = sm_validate_port (number);

      if (message != NULL)
        problems_add (problems, field, message);
      else
        sm_server_set_port (entry->server, (guint) number);
      entry->has_port = TRUE;
    }

  value = get_string (problems, where, object, "username", &present);
  if (present)
    {
      g_autofree char *field = g_strdup_printf ("%s.username", where);

      problems_take (problems, field, sm_validate_username (value));
      sm_server_set_username (entry->server, value);
      entry->has_username = TRUE;
    }

  member = json_object_get_member (object, "auth");
  if (member != NULL)
    parse_auth (problems, where, member, entry);
  else
    sm_server_set_auth_method (entry->server, SM_AUTH_AGENT);

  value = get_string (problems, where, object, "group", &present);
  if (present)
    {
      g_autofree char *field = g_strdup_printf ("%s.group", where);
      g_autofree char *trimmed = g_strstrip (g_strdup (value));

      problems_take (problems, field, sm_validate_group (trimmed));
      sm_server_set_group (entry->server, trimmed);
      entry->has_group = TRUE;
    }

  member = json_object_get_member (object, "tags");
  if (member != NULL)
    parse_tags (problems, where, member, entry);

  if (get_integer (problems, where, object, "interval", &number, &present))
    {
      g_autofree char *field = g_strdup_printf ("%s.interval", where);
      g_autofree char *message = sm_validate_interval (number);

      if (message != NULL)
        problems_add (problems, field, message);
      else
        sm_server_set_interval (entry->server, (guint) number);
      entry->has_interval = TRUE;
    }

  member = get_value (problems, where, object, "enabled", G_TYPE_BOOLEAN,
                      _("must be true or false"), &present);
  if (member != NULL)
    {
      sm_server_set_enabled (entry->server, json_node_get_boolean (member));
      entry->has_enabled = TRUE;
    }

  value = get_string (problems, where, object, "notes", &present);
  if (present)
    {
      g_autofree char *field = g_strdup_printf ("%s.notes", where);

      problems_take (problems, field, sm_validate_notes (value));
      sm_server_set_notes (entry->server, value);
      entry->has_notes = TRUE;
    }

  member = json_object_get_member (object, "timeouts");
  if (member != NULL)
    parse_timeouts (problems, where, member, entry);

  member = json_object_get_member (object, "host_key_sha256");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      value = get_string (problems, where, object, "host_key_sha256", &present);
      if (present)
        {
          g_autofree char *field = g_strdup_printf ("%s.host_key_sha256", where);

          problems_take (problems, field, sm_validate_host_key_sha256 (value));
          sm_server_set_host_key_sha256 (entry->server, value);
        }
      entry->has_host_key = TRUE;
    }

  if (problems->count != before)
    {
      import_entry_free (entry);
      return NULL;
    }

  return entry;
}

/* Copies what the file states onto an existing server and decides what
 * happens to its stored secret. */
static SmSecretAction
merge_into_existing (ImportEntry *entry,
                     SmServer    *existing)
{
  SmServer *from = entry->server;
  SmAuthMethod old_method = sm_server_get_auth_method (existing);
  SmAuthMethod new_method = sm_server_get_auth_method (from);

  sm_server_set_name (existing, sm_server_get_name (from));
  sm_server_set_host (existing, sm_server_get_host (from));
  if (entry->has_port)
    sm_server_set_port (existing, sm_server_get_port (from));
  if (entry->has_username)
    sm_server_set_username (existing, sm_server_get_username (from));
  sm_server_set_auth_method (existing, new_method);
  sm_server_set_key_file (existing, sm_server_get_key_file (from));
  if (entry->has_group)
    sm_server_set_group (existing, sm_server_get_group (from));
  if (entry->has_tags)
    sm_server_set_tags (existing, sm_server_get_tags (from));
  if (entry->has_interval)
    sm_server_set_interval (existing, sm_server_get_interval (from));
  if (entry->has_enabled)
    sm_server_set_enabled (existing, sm_server_get_enabled (from));
  if (entry->has_notes)
    sm_server_set_notes (existing, sm_server_get_notes (from));
  if (entry->has_host_key)
    sm_server_set_host_key_sha256 (existing, sm_server_get_host_key_sha256 (from));
  if (entry->has_timeouts)
    for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
      sm_server_set_timeout (existing, t, sm_server_get_timeout (from, t));

  if (entry->secret != NULL)
    return SM_SECRET_SET;
  /* A password must not become a key's passphrase or the reverse. */
  if (old_method != new_method)
    return SM_SECRET_CLEAR;
  return SM_SECRET_KEEP;
}

static gboolean
apply_entries (SmStore    *store,
               GPtrArray  *entries,
               guint      *out_added,
               guint      *out_updated,
               GError    **error)
{
  guint added = 0;
  guint updated = 0;

  if (!sm_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < entries->len; i++)
    {
      ImportEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(SmServer) existing = NULL;
      g_autoptr(GError) local_error = NULL;
      SmServer *target;
      SmSecretAction action;

      existing = sm_store_find_server_by_name (store,
                                               sm_server_get_name (entry->server),
                                               &local_error);
      if (local_error != NULL)
        {
          sm_store_rollback (store);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (existing != NULL)
        {
          action = merge_into_existing (entry, existing);
          target = existing;
        }
      else
        {
          action = entry->secret != NULL ? SM_SECRET_SET : SM_SECRET_KEEP;
          target = entry->server;
        }

      if (!sm_store_save_server (store, target, action, entry->secret, &local_error))
        {
          sm_store_rollback (store);
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "servers[%u]: ", entry->index);
          return FALSE;
        }

      if (existing != NULL)
        updated++;
      else
        added++;
    }

  if (!sm_store_commit (store, error))
    {
      sm_store_rollback (store);
      return FALSE;
    }

  if (out_added != NULL)
    *out_added = added;
  if (out_updated != NULL)
    *out_updated = updated;
  return TRUE;
}

gboolean
sm_transfer_import_data (SmStore     *store,
                         const char  *display_name,
                         const char  *data,
                         gsize        len,
                         guint       *out_added,
                         guint       *out_updated,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GString) text = NULL;
  Problems problems = { 0 };
  JsonNode *root;
  JsonNode *servers_node;
  JsonArray *servers;
  gboolean ok;

  g_return_val_if_fail (SM_IS_STORE (store), FALSE);
  g_return_val_if_fail (display_name != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = g_string_new (NULL);
  problems.display_name = display_name;
  problems.text = text;

  if (len > MAX_IMPORT_SIZE)
    {
      g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                   _("%s: the file is larger than %d MiB; is it really a Status Monitor export?"),
                   display_name, MAX_IMPORT_SIZE / (1024 * 1024));
      return FALSE;
    }
  if (!g_utf8_validate (data, len, NULL))
    {
      g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                   _("%s: the file is not UTF-8 text"), display_name);
      return FALSE;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, len, &parse_error))
    {
      g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                   _("%s: not valid JSON: %s"), display_name, parse_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                   _("%s: the top level must be an object: {\"servers\": [...]}"),
                   display_name);
      return FALSE;
    }

  servers_node = json_object_get_member (json_node_get_object (root), "servers");
  if (servers_node == NULL || !JSON_NODE_HOLDS_ARRAY (servers_node))
    {
      g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                   _("%s: servers: must be an array of server objects"),
                   display_name);
      return FALSE;
    }

  {
    g_autoptr(GList) members = json_object_get_members (json_node_get_object (root));

    for (GList *l = members; l != NULL; l = l->next)
      if (g_strcmp0 (l->data, "servers") != 0)
        problems_add (&problems, l->data, _("unknown field (known fields: servers)"));
  }

  servers = json_node_get_array (servers_node);
  entries = g_ptr_array_new_with_free_func (import_entry_free);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < json_array_get_length (servers); i++)
    {
      ImportEntry *entry = parse_server (&problems, i,
                                         json_array_get_element (servers, i));
      g_autofree char *key = NULL;
      gpointer first;

      if (entry == NULL)
        continue;

      key = g_utf8_casefold (sm_server_get_name (entry->server), -1);
      if (g_hash_table_lookup_extended (seen, key, NULL, &first))
        {
          g_autofree char *field = g_strdup_printf ("servers[%u].name", i);
          g_autofree char *message =
            g_strdup_printf (_("“%s” is used twice in this file (also servers[%u])"),
                             sm_server_get_name (entry->server),
                             GPOINTER_TO_UINT (first));

          problems_add (&problems, field, message);
          import_entry_free (entry);
          continue;
        }
      g_hash_table_insert (seen, g_steal_pointer (&key), GUINT_TO_POINTER (i));
      g_ptr_array_add (entries, entry);
    }

  /* A new server that logs in with a password needs one; an existing one
   * keeps its stored password. */
  for (guint i = 0; i < entries->len; i++)
    {
      ImportEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(SmServer) existing = NULL;
      g_autoptr(GError) local_error = NULL;

      if (sm_server_get_auth_method (entry->server) != SM_AUTH_PASSWORD ||
          entry->secret != NULL)
        continue;

      existing = sm_store_find_server_by_name (store,
                                               sm_server_get_name (entry->server),
                                               &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (existing == NULL ||
          sm_server_get_auth_method (existing) != SM_AUTH_PASSWORD ||
          !sm_server_get_has_secret (existing))
        {
          g_autofree char *field = g_strdup_printf ("servers[%u].auth.password",
                                                    entry->index);
          problems_add (&problems, field,
                        _("is required: no password is stored for this server yet"));
        }
    }

  if (problems.count > MAX_REPORTED_PROBLEMS)
    g_string_append_printf (text,
                            ngettext ("\n%s: … and %u more problem",
                                      "\n%s: … and %u more problems",
                                      problems.count - MAX_REPORTED_PROBLEMS),
                            display_name, problems.count - MAX_REPORTED_PROBLEMS);

  if (problems.count > 0)
    {
      g_set_error_literal (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                           text->str);
      return FALSE;
    }

  ok = apply_entries (store, entries, out_added, out_updated, error);
  if (!ok && error != NULL && *error != NULL &&
      (*error)->domain == SM_TRANSFER_ERROR)
    g_prefix_error (error, "%s: ", display_name);
  return ok;
}

gboolean
sm_transfer_import_file (SmStore     *store,
                         const char  *path,
                         guint       *out_added,
                         guint       *out_updated,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  GStatBuf st;
  gsize len = 0;

  g_return_val_if_fail (SM_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > MAX_IMPORT_SIZE)
    {
      g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                   _("%s: the file is larger than %d MiB; is it really a Status Monitor export?"),
                   path, MAX_IMPORT_SIZE / (1024 * 1024));
      return FALSE;
    }

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_IO,
                   "%s", local_error->message);
      return FALSE;
    }

  return sm_transfer_import_data (store, path, contents, len,
                                  out_added, out_updated, error);
}

JsonNode *
sm_transfer_server_to_json (SmServer *server)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  SmAuthMethod method;
  const char * const *tags;
  const char *host_key;
  gboolean has_timeouts = FALSE;

  g_return_val_if_fail (SM_IS_SERVER (server), NULL);

  method = sm_server_get_auth_method (server);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, sm_server_get_name (server));
  if (sm_server_get_is_local (server))
    {
      json_builder_set_member_name (builder, "local");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, sm_server_get_host (server));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, sm_server_get_port (server));
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, sm_server_get_username (server) ?: "");

  /* Secrets are never exported: only the method and the key's path. */
  json_builder_set_member_name (builder, "auth");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, sm_auth_method_to_string (method));
  if (method == SM_AUTH_KEY)
    {
      json_builder_set_member_name (builder, "key_file");
      json_builder_add_string_value (builder, sm_server_get_key_file (server) ?: "");
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "group");
  json_builder_add_string_value (builder, sm_server_get_group (server) ?: "");
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  tags = sm_server_get_tags (server);
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    json_builder_add_string_value (builder, tags[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "interval");
  json_builder_add_int_value (builder, sm_server_get_interval (server));
  json_builder_set_member_name (builder, "enabled");
  json_builder_add_boolean_value (builder, sm_server_get_enabled (server));
  json_builder_set_member_name (builder, "notes");
  json_builder_add_string_value (builder, sm_server_get_notes (server) ?: "");
  /* Only the deadlines that differ from the defaults. */
  for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
    {
      if (sm_server_get_timeout (server, t) == 0)
        continue;
      if (!has_timeouts)
        {
          json_builder_set_member_name (builder, "timeouts");
          json_builder_begin_object (builder);
          has_timeouts = TRUE;
        }
      json_builder_set_member_name (builder, sm_timeout_to_string (t));
      json_builder_add_int_value (builder, sm_server_get_timeout (server, t));
    }
  if (has_timeouts)
    json_builder_end_object (builder);

  host_key = sm_server_get_host_key_sha256 (server);
  if (host_key != NULL && host_key[0] != '\0')
    {
      json_builder_set_member_name (builder, "host_key_sha256");
      json_builder_add_string_value (builder, host_key);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
servers_to_array (GPtrArray *servers)
{
  JsonArray *array = json_array_sized_new (servers->len);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < servers->len; i++)
    json_array_add_element (array, sm_transfer_server_to_json (g_ptr_array_index (servers, i)));
  json_node_take_array (node, array);
  return node;
}

static char *
node_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

char *
sm_transfer_export_data (SmStore  *store,
                         GError  **error)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  g_autofree char *text = NULL;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  servers = sm_store_list_servers (store, error);
  if (servers == NULL)
    return NULL;

  /* "This computer" belongs to this machine; it is not exported. */
  for (guint i = servers->len; i > 0; i--)
    if (sm_server_get_is_local (g_ptr_array_index (servers, i - 1)))
      g_ptr_array_remove_index (servers, i - 1);

  object = json_object_new ();
  json_object_set_member (object, "servers", servers_to_array (servers));
  root = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (root, object);

  text = node_to_string (root);
  return g_strconcat (text, "\n", NULL);
}

gboolean
sm_transfer_export_file (SmStore     *store,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;

  g_return_val_if_fail (SM_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = sm_transfer_export_data (store, error);
  if (data == NULL)
    return FALSE;

  if (!g_file_set_contents_full (path, data, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT |
                                 G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_IO,
                   "%s", local_error->message);
      return FALSE;
    }

  return TRUE;
}

char *
sm_transfer_list_json (SmStore  *store,
                       GError  **error)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  servers = sm_store_list_servers (store, error);
  if (servers == NULL)
    return NULL;

  root = servers_to_array (servers);
  text = node_to_string (root);
  return g_strconcat (text, "\n", NULL);
}

static void
append_cell (GString    *line,
             const char *text,
             guint       width,
             gboolean    last)
{
  glong chars = g_utf8_strlen (text, -1);

  g_string_append (line, text);
  if (last)
    return;
  for (glong i = chars; i < (glong) width + 2; i++)
    g_string_append_c (line, ' ');
}

/* Control characters in names or notes must not reach the terminal. */
static char *
printable (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text ? text : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

char *
sm_transfer_list_table (SmStore  *store,
                        GError  **error)
{
  enum { NAME, HOST, PORT, USER, AUTH, GROUP, TAGS, INTERVAL, ENABLED, N_COLUMNS };
  const char *headers[N_COLUMNS] = {
    N_("NAME"), N_("HOST"), N_("PORT"), N_("USER"), N_("AUTH"),
    N_("GROUP"), N_("TAGS"), N_("INTERVAL"), N_("ENABLED"),
  };
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) out = NULL;
  guint widths[N_COLUMNS] = { 0 };

  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  servers = sm_store_list_servers (store, error);
  if (servers == NULL)
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  {
    GStrv row = g_new0 (char *, N_COLUMNS + 1);
    for (guint c = 0; c < N_COLUMNS; c++)
      row[c] = g_strdup (_(headers[c]));
    g_ptr_array_add (rows, row);
  }

  for (guint i = 0; i < servers->len; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);
      GStrv row = g_new0 (char *, N_COLUMNS + 1);
      g_autofree char *tags = sm_tags_join (sm_server_get_tags (server));

      row[NAME] = printable (sm_server_get_name (server));
      row[HOST] = printable (sm_server_get_host (server));
      row[PORT] = g_strdup_printf ("%u", sm_server_get_port (server));
      row[USER] = printable (sm_server_get_username (server));
      row[AUTH] = g_strdup (sm_server_get_is_local (server)
                            ? "local"
                            : sm_auth_method_to_string (sm_server_get_auth_method (server)));
      row[GROUP] = printable (sm_server_get_group (server));
      row[TAGS] = printable (tags);
      row[INTERVAL] = g_strdup_printf ("%us", sm_server_get_interval (server));
      row[ENABLED] = g_strdup (sm_server_get_enabled (server) ? _("yes") : _("no"));
      g_ptr_array_add (rows, row);
    }

  for (guint r = 0; r < rows->len; r++)
    {
      GStrv row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < N_COLUMNS; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));
    }

  out = g_string_new (NULL);
  for (guint r = 0; r < rows->len; r++)
    {
      GStrv row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < N_COLUMNS; c++)
        append_cell (out, row[c], widths[c], c == N_COLUMNS - 1);
      g_string_append_c (out, '\n');
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
