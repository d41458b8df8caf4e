/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-transfer.c: the JSON import/export format and the CLI's listings. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sm-alert-store.h"
#include "sm-check-store.h"
#include "sm-transfer.h"
#include "sm-validate.h"

/* An import file larger than this is refused before parsing. */
#define MAX_IMPORT_SIZE (8 * 1024 * 1024)
/* At most this many problems are listed; the rest are counted. */
#define MAX_REPORTED_PROBLEMS 50

G_DEFINE_QUARK (sm-transfer-error-quark, sm_transfer_error)

static const char * const server_keys[] = {
  "name", "host", "port", "username", "auth", "group", "tags", "interval",
  "enabled", "notes", "host_key_sha256", "timeouts", "parent", "checks", NULL,
};

static const char * const top_level_keys[] = {
  "servers", "channels", "rules", "quiet_hours", "maintenance", NULL,
};

static const char * const channel_base_keys[] = {
  "name", "type", "enabled", "default", NULL,
};

static const char * const quiet_hours_keys[] = {
  "days", "start", "end", NULL,
};

static const char * const maintenance_keys[] = {
  "server", "days", "start", "end", "comment", NULL,
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
  gboolean        has_parent;
  char           *parent_name;   /* NULL: no parent */
  GPtrArray      *checks;        /* SmCheck from "checks", or NULL */
} ImportEntry;

static void
import_entry_free (gpointer data)
{
  ImportEntry *entry = data;

  g_clear_object (&entry->server);
  g_clear_pointer (&entry->secret, sm_secret_free);
  g_free (entry->parent_name);
  g_clear_pointer (&entry->checks, g_ptr_array_unref);
  g_free (entry);
}

/* One validated channel of the file. */
typedef struct {
  guint      index;
  SmChannel *channel;
  char      *secret;         /* the type's secret, or NULL */
} ChannelEntry;

static void
channel_entry_free (gpointer data)
{
  ChannelEntry *entry = data;

  g_clear_pointer (&entry->channel, sm_channel_free);
  g_clear_pointer (&entry->secret, sm_secret_free);
  g_free (entry);
}

/* One validated rule of the file; a server scope still holds a name. */
typedef struct {
  guint        index;
  SmAlertRule *rule;
} RuleEntry;

static void
rule_entry_free (gpointer data)
{
  RuleEntry *entry = data;

  g_clear_pointer (&entry->rule, sm_alert_rule_free);
  g_free (entry);
}

/* One quiet-hours or maintenance window of the file. */
typedef struct {
  guint           index;
  SmWindowKind    kind;
  SmWeeklyWindow  window;
  char           *server_name;   /* maintenance of one server, else NULL */
  char           *comment;
} WindowEntry;

static void
window_entry_free (gpointer data)
{
  WindowEntry *entry = data;

  g_free (entry->server_name);
  g_free (entry->comment);
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

/* A validator's "field: problem" below a path: "FILE: rules[2].field: problem". */
static void
problems_add_below (Problems   *problems,
                    const char *where,
                    const char *message)
{
  g_autofree char *line = g_strdup_printf ("%s.%s", where, message);

  problems_add (problems, NULL, line);
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

  /* The parent is resolved once every server of the file is known. */
  member = json_object_get_member (object, "parent");
  if (member != NULL && JSON_NODE_HOLDS_NULL (member))
    {
      entry->has_parent = TRUE;
    }
  else if (member != NULL)
    {
      value = get_string (problems, where, object, "parent", &present);
      if (present)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (value));

          entry->has_parent = TRUE;
          if (trimmed[0] != '\0')
            entry->parent_name = g_steal_pointer (&trimmed);
        }
    }

  /* Service checks, each validated as the dialog validates it. Names
   * are unique on a server. */
  member = json_object_get_member (object, "checks");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      g_autofree char *checks_where = g_strdup_printf ("%s.checks", where);

      if (!JSON_NODE_HOLDS_ARRAY (member))
        problems_add (problems, checks_where, _("must be a list of checks"));
      else
        {
          JsonArray *array = json_node_get_array (member);

          entry->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_check_free);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              g_autofree char *check_where = g_strdup_printf ("%s[%u]", checks_where, i);
              g_autofree char *problem = NULL;
              SmCheck *check = sm_check_from_json (json_array_get_element (array, i), &problem);

              if (check == NULL)
                {
                  problems_add_below (problems, check_where, problem);
                  continue;
                }
              for (guint k = 0; k < entry->checks->len; k++)
                {
                  SmCheck *earlier = g_ptr_array_index (entry->checks, k);

                  if (g_utf8_collate (earlier->name, check->name) == 0 ||
                      g_ascii_strcasecmp (earlier->name, check->name) == 0)
                    {
                      g_autofree char *field = g_strdup_printf ("%s.name", check_where);

                      problems_add (problems, field,
                                    _("another check of this server has the same name"));
                      break;
                    }
                }
              g_ptr_array_add (entry->checks, check);
            }
        }
    }

  if (problems->count != before)
    {
      import_entry_free (entry);
      return NULL;
    }

  return entry;
}

/* A setting's value as the channel keeps it: strings as they are, whole
 * numbers ("port": 587) and booleans ("attach_chart": true) as text. */
static char *
setting_from_node (JsonNode *node)
{
  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    default:
      return NULL;
    }
}

static ChannelEntry *
parse_channel (Problems *problems,
               guint     index,
               JsonNode *node)
{
  g_autofree char *where = g_strdup_printf ("channels[%u]", index);
  g_autofree char *name = NULL;
  g_autoptr(GList) members = NULL;
  g_autoptr(SmChannel) channel = NULL;
  g_autoptr(GPtrArray) known = NULL;
  g_autoptr(SmSecret) secret = NULL;
  ChannelEntry *entry;
  JsonObject *object;
  JsonNode *member;
  const char *value;
  const char *secret_key;
  const char * const *keys;
  gboolean present;
  SmChannelType type;
  guint before = problems->count;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problems_add (problems, where, _("must be an object"));
      return NULL;
    }
  object = json_node_get_object (node);

  value = get_string (problems, where, object, "name", &present);
  if (present)
    {
      name = g_strstrip (g_strdup (value));
      if (name[0] == '\0')
        {
          g_autofree char *field = g_strdup_printf ("%s.name", where);
          problems_add (problems, field, _("must not be empty"));
        }
    }
  else if (json_object_get_member (object, "name") == NULL)
    {
      g_autofree char *field = g_strdup_printf ("%s.name", where);
      problems_add (problems, field, _("is required"));
    }

  value = get_string (problems, where, object, "type", &present);
  if (!present)
    {
      if (json_object_get_member (object, "type") == NULL)
        {
          g_autofree char *field = g_strdup_printf ("%s.type", where);
          problems_add (problems, field,
                        _("is required: \"desktop\", \"telegram\", \"webhook\" or \"email\""));
        }
      return NULL;
    }
  if (!sm_channel_type_from_string (value, &type))
    {
      g_autofree char *field = g_strdup_printf ("%s.type", where);
      problems_add (problems, field,
                    _("must be \"desktop\", \"telegram\", \"webhook\" or \"email\""));
      return NULL;
    }

  channel = sm_channel_new (name != NULL ? name : "", type);
  secret_key = sm_channel_type_get_secret_key (type);
  keys = sm_channel_type_get_keys (type);

  member = get_value (problems, where, object, "enabled", G_TYPE_BOOLEAN,
                      _("must be true or false"), &present);
  if (member != NULL)
    channel->enabled = json_node_get_boolean (member);
  member = get_value (problems, where, object, "default", G_TYPE_BOOLEAN,
                      _("must be true or false"), &present);
  if (member != NULL)
    channel->is_default = json_node_get_boolean (member);

  /* What this type knows, for the unknown-field message. */
  known = g_ptr_array_new ();
  for (guint i = 0; channel_base_keys[i] != NULL; i++)
    g_ptr_array_add (known, (gpointer) channel_base_keys[i]);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    g_ptr_array_add (known, (gpointer) keys[i]);
  if (secret_key != NULL)
    g_ptr_array_add (known, (gpointer) secret_key);
  g_ptr_array_add (known, NULL);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      g_autofree char *field = g_strdup_printf ("%s.%s", where, key);

      if (g_strv_contains (channel_base_keys, key))
        continue;

      member = json_object_get_member (object, key);
      if (secret_key != NULL && g_str_equal (key, secret_key))
        {
          if (!JSON_NODE_HOLDS_VALUE (member) ||
              json_node_get_value_type (member) != G_TYPE_STRING)
            problems_add (problems, field, _("must be a string"));
          else if (json_node_get_string (member)[0] == '\0')
            problems_add (problems, field,
                          _("must not be empty; leave it out to keep the stored secret"));
          else
            {
              g_clear_pointer (&secret, sm_secret_free);
              secret = sm_secret_dup (json_node_get_string (member));
            }
        }
      else if (keys != NULL && g_strv_contains (keys, key))
        {
          g_autofree char *text = setting_from_node (member);

          if (text == NULL)
            problems_add (problems, field, _("must be a string"));
          else
            sm_channel_set (channel, key, text);
        }
      else
        {
          g_autofree char *list = g_strjoinv (", ", (char **) known->pdata);
          g_autofree char *message =
            g_strdup_printf (_("unknown field (known fields: %s)"), list);

          problems_add (problems, field, message);
        }
    }

  if (problems->count != before)
    return NULL;

  entry = g_new0 (ChannelEntry, 1);
  entry->index = index;
  entry->channel = g_steal_pointer (&channel);
  entry->secret = g_steal_pointer (&secret);
  return entry;
}

static RuleEntry *
parse_rule (Problems *problems,
            guint     index,
            JsonNode *node)
{
  g_autofree char *where = g_strdup_printf ("rules[%u]", index);
  g_autofree char *message = NULL;
  SmAlertRule *rule;
  RuleEntry *entry;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problems_add (problems, where, _("must be an object"));
      return NULL;
    }

  rule = sm_alert_rule_from_json (node, &message);
  if (rule == NULL)
    {
      problems_add_below (problems, where, message != NULL ? message : _("is not a valid rule"));
      return NULL;
    }

  entry = g_new0 (RuleEntry, 1);
  entry->index = index;
  entry->rule = rule;
  return entry;
}

static WindowEntry *
parse_window (Problems     *problems,
              SmWindowKind  kind,
              guint         index,
              JsonNode     *node)
{
  const char *list_name = kind == SM_WINDOW_QUIET_HOURS ? "quiet_hours" : "maintenance";
  g_autofree char *where = g_strdup_printf ("%s[%u]", list_name, index);
  g_autofree char *message = NULL;
  g_autofree char *server_name = NULL;
  g_autofree char *comment = NULL;
  g_autoptr(JsonNode) times = NULL;
  JsonObject *object;
  JsonObject *times_object;
  JsonNode *member;
  const char *value;
  gboolean present;
  SmWeeklyWindow window = { 0 };
  WindowEntry *entry;
  guint before = problems->count;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problems_add (problems, where, _("must be an object"));
      return NULL;
    }
  object = json_node_get_object (node);
  check_keys (problems, where, object,
              kind == SM_WINDOW_QUIET_HOURS ? quiet_hours_keys : maintenance_keys);

  /* Only the schedule goes to the schedule's parser. */
  times_object = json_object_new ();
  for (guint i = 0; quiet_hours_keys[i] != NULL; i++)
    {
      member = json_object_get_member (object, quiet_hours_keys[i]);
      if (member != NULL)
        json_object_set_member (times_object, quiet_hours_keys[i], json_node_copy (member));
    }
  times = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (times, times_object);
  if (!sm_weekly_window_from_json (times, &window, &message))
    problems_add_below (problems, where,
                        message != NULL ? message : _("is not a valid schedule"));

  if (kind == SM_WINDOW_MAINTENANCE)
    {
      member = json_object_get_member (object, "server");
      if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
        {
          value = get_string (problems, where, object, "server", &present);
          if (present)
            {
              server_name = g_strstrip (g_strdup (value));
              if (server_name[0] == '\0')
                g_clear_pointer (&server_name, g_free);
            }
        }

      value = get_string (problems, where, object, "comment", &present);
      if (present && value[0] != '\0')
        comment = g_strdup (value);
    }

  if (problems->count != before)
    return NULL;

  entry = g_new0 (WindowEntry, 1);
  entry->index = index;
  entry->kind = kind;
  entry->window = window;
  entry->server_name = g_steal_pointer (&server_name);
  entry->comment = g_steal_pointer (&comment);
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

/* Everything of one file, parsed. */
typedef struct {
  SmStore    *store;
  Problems   *problems;
  GPtrArray  *servers;        /* ImportEntry */
  GPtrArray  *channels;       /* ChannelEntry */
  GPtrArray  *rules;          /* RuleEntry */
  GPtrArray  *windows;        /* WindowEntry */
  GHashTable *server_names;   /* casefolded name of a server in the file */
  GHashTable *channel_names;  /* casefolded name of a channel in the file */
} Import;

static void
import_clear (Import *import)
{
  g_clear_pointer (&import->servers, g_ptr_array_unref);
  g_clear_pointer (&import->channels, g_ptr_array_unref);
  g_clear_pointer (&import->rules, g_ptr_array_unref);
  g_clear_pointer (&import->windows, g_ptr_array_unref);
  g_clear_pointer (&import->server_names, g_hash_table_unref);
  g_clear_pointer (&import->channel_names, g_hash_table_unref);
}

/* A server named in the file or already stored. */
static gboolean
server_known (Import      *import,
              const char  *name,
              gboolean    *out_known,
              GError     **error)
{
  g_autofree char *key = g_utf8_casefold (name, -1);
  g_autoptr(SmServer) stored = NULL;
  g_autoptr(GError) local_error = NULL;

  *out_known = TRUE;
  if (g_hash_table_contains (import->server_names, key))
    return TRUE;

  stored = sm_store_find_server_by_name (import->store, name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *out_known = stored != NULL;
  return TRUE;
}

static gboolean
channel_known (Import      *import,
               const char  *name,
               gboolean    *out_known,
               GError     **error)
{
  g_autofree char *key = g_utf8_casefold (name, -1);
  g_autoptr(SmChannel) stored = NULL;
  g_autoptr(GError) local_error = NULL;

  *out_known = TRUE;
  if (g_hash_table_contains (import->channel_names, key))
    return TRUE;

  stored = sm_store_find_channel (import->store, name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *out_known = stored != NULL;
  return TRUE;
}

static void
add_unknown_server (Problems   *problems,
                    const char *field,
                    const char *name)
{
  g_autofree char *message =
    g_strdup_printf (_("no server named “%s” in this file or in the app"), name);

  problems_add (problems, field, message);
}

/* Parents name known servers and never lead back to the server: checked
 * on the servers as they will be once the file is applied. */
static gboolean
check_parents (Import  *import,
               GError **error)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(GHashTable) parents = NULL;

  stored = sm_store_list_servers (import->store, error);
  if (stored == NULL)
    return FALSE;

  by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < stored->len; i++)
    {
      SmServer *server = g_ptr_array_index (stored, i);
      gint64 *id = g_new (gint64, 1);

      *id = sm_server_get_id (server);
      g_hash_table_insert (by_id, id, server);
    }

  /* Casefolded name -> casefolded parent name ("" for none). */
  parents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < stored->len; i++)
    {
      SmServer *server = g_ptr_array_index (stored, i);
      gint64 parent_id = sm_server_get_parent_id (server);
      SmServer *parent = parent_id != 0 ? g_hash_table_lookup (by_id, &parent_id) : NULL;

      g_hash_table_insert (parents,
                           g_utf8_casefold (sm_server_get_name (server), -1),
                           parent != NULL ? g_utf8_casefold (sm_server_get_name (parent), -1)
                                          : g_strdup (""));
    }

  for (guint i = 0; i < import->servers->len; i++)
    {
      ImportEntry *entry = g_ptr_array_index (import->servers, i);
      char *key = g_utf8_casefold (sm_server_get_name (entry->server), -1);

      if (entry->has_parent)
        g_hash_table_replace (parents, key,
                              entry->parent_name != NULL ? g_utf8_casefold (entry->parent_name, -1)
                                                         : g_strdup (""));
      else if (!g_hash_table_contains (parents, key))
        g_hash_table_insert (parents, key, g_strdup (""));
      else
        g_free (key);
    }

  for (guint i = 0; i < import->servers->len; i++)
    {
      ImportEntry *entry = g_ptr_array_index (import->servers, i);
      g_autofree char *self_key = NULL;
      g_autofree char *field = NULL;
      g_autofree char *parent_key = NULL;
      const char *current;
      guint steps = g_hash_table_size (parents) + 1;

      if (entry->parent_name == NULL)
        continue;

      field = g_strdup_printf ("servers[%u].parent", entry->index);
      self_key = g_utf8_casefold (sm_server_get_name (entry->server), -1);
      parent_key = g_utf8_casefold (entry->parent_name, -1);
      if (!g_hash_table_contains (parents, parent_key))
        {
          /* An entry of the file with problems of its own is not unknown. */
          if (!g_hash_table_contains (import->server_names, parent_key))
            add_unknown_server (import->problems, field, entry->parent_name);
          continue;
        }
      if (g_str_equal (parent_key, self_key))
        {
          problems_add (import->problems, field, _("a server cannot depend on itself"));
          continue;
        }

      for (current = parent_key; current != NULL && current[0] != '\0' && steps > 0; steps--)
        {
          if (g_str_equal (current, self_key))
            {
              g_autofree char *message =
                g_strdup_printf (_("“%s” depends on this server, directly or through "
                                   "its parents: a server cannot depend on itself"),
                                 entry->parent_name);

              problems_add (import->problems, field, message);
              break;
            }
          current = g_hash_table_lookup (parents, current);
        }
    }

  return TRUE;
}

/* Channels: validated as they will be stored (a stored secret of the same
 * type counts as present). */
static gboolean
check_channels (Import  *import,
                GError **error)
{
  for (guint i = 0; i < import->channels->len; i++)
    {
      ChannelEntry *entry = g_ptr_array_index (import->channels, i);
      g_autoptr(SmChannel) existing = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *where = g_strdup_printf ("channels[%u]", entry->index);
      g_autofree char *message = NULL;

      existing = sm_store_find_channel (import->store, entry->channel->name, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      entry->channel->has_secret = existing != NULL &&
                                   existing->type == entry->channel->type &&
                                   existing->has_secret;

      message = sm_channel_validate (entry->channel, entry->secret);
      if (message != NULL)
        problems_add_below (import->problems, where, message);
    }

  return TRUE;
}

static gboolean
check_rule_channel (Import      *import,
                    const char  *field,
                    const char  *name,
                    GError     **error)
{
  gboolean known = FALSE;

  if (!channel_known (import, name, &known, error))
    return FALSE;
  if (!known)
    {
      g_autofree char *message =
        g_strdup_printf (_("no channel named “%s” in this file or in the app"), name);

      problems_add (import->problems, field, message);
    }
  return TRUE;
}

static gboolean
check_rules (Import  *import,
             GError **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < import->rules->len; i++)
    {
      RuleEntry *entry = g_ptr_array_index (import->rules, i);
      SmAlertRule *rule = entry->rule;
      gpointer first;

      if (g_hash_table_lookup_extended (ids, rule->id, NULL, &first))
        {
          g_autofree char *field = g_strdup_printf ("rules[%u].id", entry->index);
          g_autofree char *message =
            g_strdup_printf (_("“%s” is used twice in this file (also rules[%u])"),
                             rule->id, GPOINTER_TO_UINT (first));

          problems_add (import->problems, field, message);
        }
      else
        g_hash_table_insert (ids, rule->id, GUINT_TO_POINTER (entry->index));

      if (rule->scope == SM_ALERT_SCOPE_SERVER)
        {
          gboolean known = FALSE;

          if (!server_known (import, rule->scope_value, &known, error))
            return FALSE;
          if (!known)
            {
              g_autofree char *field = g_strdup_printf ("rules[%u].server", entry->index);
              add_unknown_server (import->problems, field, rule->scope_value);
            }
        }

      for (guint c = 0; rule->channels != NULL && rule->channels[c] != NULL; c++)
        {
          g_autofree char *field = g_strdup_printf ("rules[%u].channels[%u]", entry->index, c);

          if (!check_rule_channel (import, field, rule->channels[c], error))
            return FALSE;
        }

      if (rule->escalation_channel != NULL && rule->escalation_channel[0] != '\0')
        {
          g_autofree char *field = g_strdup_printf ("rules[%u].escalate_to", entry->index);

          if (!check_rule_channel (import, field, rule->escalation_channel, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_windows (Import  *import,
               GError **error)
{
  for (guint i = 0; i < import->windows->len; i++)
    {
      WindowEntry *entry = g_ptr_array_index (import->windows, i);
      gboolean known = FALSE;

      if (entry->server_name == NULL)
        continue;
      if (!server_known (import, entry->server_name, &known, error))
        return FALSE;
      if (!known)
        {
          g_autofree char *field = g_strdup_printf ("maintenance[%u].server", entry->index);
          add_unknown_server (import->problems, field, entry->server_name);
        }
    }

  return TRUE;
}

/* The id of a stored server by name; an error when there is none (the
 * file was checked, so only a store failure gets here). */
static gint64
resolve_server (SmStore     *store,
                const char  *name,
                GError     **error)
{
  g_autoptr(SmServer) server = NULL;
  g_autoptr(GError) local_error = NULL;

  server = sm_store_find_server_by_name (store, name, &local_error);
  if (server == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                     _("no server named “%s” in this file or in the app"), name);
      return 0;
    }
  return sm_server_get_id (server);
}

/* A default rule's id is "<server id>/<name>"; in another database the
 * server has another id, so the id follows the server it is scoped to. */
static char *
remap_default_rule_id (const char *id,
                       gint64      server_id)
{
  const char *slash = strchr (id, '/');

  if (slash == NULL || slash == id)
    return NULL;
  for (const char *p = id; p < slash; p++)
    if (!g_ascii_isdigit (*p))
      return NULL;
  return g_strdup_printf ("%" G_GINT64_FORMAT "%s", server_id, slash);
}

/* A check with the name of a stored one on the same server replaces it
 * (keeping its id, token and history); others are added. Checks the file
 * does not name are kept. */
static gboolean
apply_checks (Import            *import,
              SmTransferCounts  *counts,
              GError           **error)
{
  SmStore *store = import->store;

  for (guint i = 0; i < import->servers->len; i++)
    {
      ImportEntry *entry = g_ptr_array_index (import->servers, i);
      g_autoptr(SmServer) server = NULL;
      g_autoptr(GPtrArray) stored = NULL;
      g_autoptr(GError) local_error = NULL;

      if (entry->checks == NULL)
        continue;
      server = sm_store_find_server_by_name (store, sm_server_get_name (entry->server), &local_error);
      if (server != NULL)
        stored = sm_store_list_checks (store, sm_server_get_id (server), &local_error);
      if (server == NULL || stored == NULL)
        {
          if (local_error == NULL)
            g_set_error_literal (&local_error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                                 _("the server was not saved"));
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "servers[%u].checks: ", entry->index);
          return FALSE;
        }

      for (guint c = 0; c < entry->checks->len; c++)
        {
          SmCheck *check = g_ptr_array_index (entry->checks, c);
          gboolean updated = FALSE;

          check->server_id = sm_server_get_id (server);
          check->id = 0;
          for (guint k = 0; k < stored->len; k++)
            {
              SmCheck *existing = g_ptr_array_index (stored, k);

              if (g_ascii_strcasecmp (existing->name, check->name) == 0 ||
                  g_utf8_collate (existing->name, check->name) == 0)
                {
                  check->id = existing->id;
                  updated = TRUE;
                }
            }
          if (!sm_store_save_check (store, check, &local_error))
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                          "servers[%u].checks[%u]: ", entry->index, c);
              return FALSE;
            }
          if (updated)
            counts->checks_updated++;
          else
            counts->checks_added++;
        }
    }
  return TRUE;
}

static gboolean
apply_servers (Import            *import,
               SmTransferCounts  *counts,
               GError           **error)
{
  SmStore *store = import->store;

  for (guint i = 0; i < import->servers->len; i++)
    {
      ImportEntry *entry = g_ptr_array_index (import->servers, i);
      g_autoptr(SmServer) existing = NULL;
      g_autoptr(GError) local_error = NULL;
      SmServer *target;
      SmSecretAction action;

      existing = sm_store_find_server_by_name (store,
                                               sm_server_get_name (entry->server),
                                               &local_error);
      if (local_error != NULL)
        {
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

      /* Parents are set once every server exists; until then a server the
       * file gives a parent has none, so no step makes a cycle. */
      if (entry->has_parent)
        sm_server_set_parent_id (target, 0);

      if (!sm_store_save_server (store, target, action, entry->secret, &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "servers[%u]: ", entry->index);
          return FALSE;
        }

      if (existing != NULL)
        counts->servers_updated++;
      else
        counts->servers_added++;
    }

  for (guint i = 0; i < import->servers->len; i++)
    {
      ImportEntry *entry = g_ptr_array_index (import->servers, i);
      g_autoptr(SmServer) server = NULL;
      g_autoptr(GError) local_error = NULL;
      gint64 parent_id;

      if (entry->parent_name == NULL)
        continue;

      server = sm_store_find_server_by_name (store, sm_server_get_name (entry->server),
                                             &local_error);
      if (server == NULL ||
          (parent_id = resolve_server (store, entry->parent_name, &local_error)) == 0)
        {
          if (local_error == NULL)
            g_set_error_literal (&local_error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                                 _("the server was not saved"));
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "servers[%u].parent: ", entry->index);
          return FALSE;
        }

      sm_server_set_parent_id (server, parent_id);
      if (!sm_store_save_server (store, server, SM_SECRET_KEEP, NULL, &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "servers[%u]: ", entry->index);
          return FALSE;
        }
    }

  return apply_checks (import, counts, error);
}

static gboolean
apply_channels (Import            *import,
                SmTransferCounts  *counts,
                GError           **error)
{
  for (guint i = 0; i < import->channels->len; i++)
    {
      ChannelEntry *entry = g_ptr_array_index (import->channels, i);
      g_autoptr(SmChannel) existing = NULL;
      g_autoptr(GError) local_error = NULL;
      SmSecretAction action;

      existing = sm_store_find_channel (import->store, entry->channel->name, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (entry->secret != NULL)
        action = SM_SECRET_SET;
      else if (existing != NULL && existing->type != entry->channel->type)
        action = SM_SECRET_CLEAR;   /* a bot token is no webhook URL */
      else
        action = SM_SECRET_KEEP;

      entry->channel->id = existing != NULL ? existing->id : 0;
      if (!sm_store_save_channel (import->store, entry->channel, action,
                                  entry->secret, &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "channels[%u]: ", entry->index);
          return FALSE;
        }

      if (existing != NULL)
        counts->channels_updated++;
      else
        counts->channels_added++;
    }

  return TRUE;
}

static gboolean
apply_rules (Import            *import,
             SmTransferCounts  *counts,
             GError           **error)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GHashTable) stored_ids = NULL;

  stored = sm_store_list_rules (import->store, error);
  if (stored == NULL)
    return FALSE;
  stored_ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < stored->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (stored, i);
      g_hash_table_add (stored_ids, rule->id);
    }

  for (guint i = 0; i < import->rules->len; i++)
    {
      RuleEntry *entry = g_ptr_array_index (import->rules, i);
      g_autoptr(SmAlertRule) rule = sm_alert_rule_copy (entry->rule);
      g_autoptr(GError) local_error = NULL;

      if (rule->scope == SM_ALERT_SCOPE_SERVER)
        {
          gint64 server_id = resolve_server (import->store, rule->scope_value, &local_error);
          g_autofree char *remapped = NULL;

          if (server_id == 0)
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                          "rules[%u].server: ", entry->index);
              return FALSE;
            }
          g_free (rule->scope_value);
          rule->scope_value = g_strdup_printf ("%" G_GINT64_FORMAT, server_id);

          remapped = remap_default_rule_id (rule->id, server_id);
          if (remapped != NULL)
            {
              g_free (rule->id);
              rule->id = g_steal_pointer (&remapped);
            }
        }

      if (g_hash_table_contains (stored_ids, rule->id))
        counts->rules_updated++;
      else
        counts->rules_added++;

      if (!sm_store_save_rule (import->store, rule, &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "rules[%u]: ", entry->index);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
same_window (const SmAlertWindow *a,
             const SmAlertWindow *b)
{
  return a->kind == b->kind &&
         a->server_id == b->server_id &&
         a->window.days == b->window.days &&
         a->window.start == b->window.start &&
         a->window.end == b->window.end;
}

static gboolean
apply_windows (Import            *import,
               SmTransferCounts  *counts,
               GError           **error)
{
  g_autoptr(GPtrArray) stored = NULL;

  if (import->windows->len == 0)
    return TRUE;

  stored = sm_store_list_windows (import->store, error);
  if (stored == NULL)
    return FALSE;

  for (guint i = 0; i < import->windows->len; i++)
    {
      WindowEntry *entry = g_ptr_array_index (import->windows, i);
      g_autoptr(SmAlertWindow) window = sm_alert_window_new (entry->kind);
      g_autoptr(GError) local_error = NULL;
      const char *list_name = entry->kind == SM_WINDOW_QUIET_HOURS ? "quiet_hours" : "maintenance";
      SmAlertWindow *match = NULL;

      window->window = entry->window;
      window->comment = g_strdup (entry->comment);
      if (entry->server_name != NULL)
        {
          window->server_id = resolve_server (import->store, entry->server_name, &local_error);
          if (window->server_id == 0)
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                          "%s[%u].server: ", list_name, entry->index);
              return FALSE;
            }
        }

      for (guint j = 0; j < stored->len && match == NULL; j++)
        if (same_window (g_ptr_array_index (stored, j), window))
          match = g_ptr_array_index (stored, j);

      /* The same window again only gets the file's comment. */
      if (match != NULL)
        {
          if (g_strcmp0 (match->comment, window->comment) == 0)
            continue;
          window->id = match->id;
        }

      if (!sm_store_save_window (import->store, window, &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "%s[%u]: ", list_name, entry->index);
          return FALSE;
        }

      if (match != NULL)
        {
          g_free (match->comment);
          match->comment = g_strdup (window->comment);
        }
      else
        {
          counts->windows_added++;
          g_ptr_array_add (stored, sm_alert_window_copy (window));
        }
    }

  return TRUE;
}

/* Applies everything in one transaction: all or nothing. */
static gboolean
apply_import (Import            *import,
              SmTransferCounts  *counts,
              GError           **error)
{
  if (!sm_store_begin (import->store, error))
    return FALSE;

  if (!apply_servers (import, counts, error) ||
      !apply_channels (import, counts, error) ||
      !apply_rules (import, counts, error) ||
      !apply_windows (import, counts, error))
    {
      sm_store_rollback (import->store);
      return FALSE;
    }

  if (!sm_store_commit (import->store, error))
    {
      sm_store_rollback (import->store);
      return FALSE;
    }

  return TRUE;
}

/* The array member key of the top level, or NULL when absent; a problem
 * when it is not an array. */
static JsonArray *
get_top_array (Problems   *problems,
               JsonObject *root,
               const char *key,
               const char *message)
{
  JsonNode *node = json_object_get_member (root, key);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      problems_add (problems, key, message);
      return NULL;
    }
  return json_node_get_array (node);
}

/* The trimmed "name" of an entry that did not validate, so that what
 * names it is not reported as well: one mistake, one message. */
static void
note_name_of_invalid (GHashTable *names,
                      JsonNode   *node,
                      guint       index)
{
  JsonNode *member;
  g_autofree char *trimmed = NULL;
  char *key;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;
  member = json_object_get_member (json_node_get_object (node), "name");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return;

  trimmed = g_strstrip (g_strdup (json_node_get_string (member)));
  key = g_utf8_casefold (trimmed, -1);
  if (key[0] == '\0' || g_hash_table_contains (names, key))
    g_free (key);
  else
    g_hash_table_insert (names, key, GUINT_TO_POINTER (index));
}

static void
parse_servers (Import    *import,
               JsonArray *servers)
{
  for (guint i = 0; servers != NULL && i < json_array_get_length (servers); i++)
    {
      ImportEntry *entry = parse_server (import->problems, i,
                                         json_array_get_element (servers, i));
      g_autofree char *key = NULL;
      gpointer first;

      if (entry == NULL)
        {
          note_name_of_invalid (import->server_names, json_array_get_element (servers, i), i);
          continue;
        }

      key = g_utf8_casefold (sm_server_get_name (entry->server), -1);
      if (g_hash_table_lookup_extended (import->server_names, key, NULL, &first))
        {
          g_autofree char *field = g_strdup_printf ("servers[%u].name", i);
          g_autofree char *message =
            g_strdup_printf (_("“%s” is used twice in this file (also servers[%u])"),
                             sm_server_get_name (entry->server),
                             GPOINTER_TO_UINT (first));

          problems_add (import->problems, field, message);
          import_entry_free (entry);
          continue;
        }
      g_hash_table_insert (import->server_names, g_steal_pointer (&key), GUINT_TO_POINTER (i));
      g_ptr_array_add (import->servers, entry);
    }
}

static void
parse_channels (Import    *import,
                JsonArray *channels)
{
  for (guint i = 0; channels != NULL && i < json_array_get_length (channels); i++)
    {
      ChannelEntry *entry = parse_channel (import->problems, i,
                                           json_array_get_element (channels, i));
      g_autofree char *key = NULL;
      gpointer first;

      if (entry == NULL)
        {
          note_name_of_invalid (import->channel_names, json_array_get_element (channels, i), i);
          continue;
        }

      key = g_utf8_casefold (entry->channel->name, -1);
      if (g_hash_table_lookup_extended (import->channel_names, key, NULL, &first))
        {
          g_autofree char *field = g_strdup_printf ("channels[%u].name", i);
          g_autofree char *message =
            g_strdup_printf (_("“%s” is used twice in this file (also channels[%u])"),
                             entry->channel->name, GPOINTER_TO_UINT (first));

          problems_add (import->problems, field, message);
          channel_entry_free (entry);
          continue;
        }
      g_hash_table_insert (import->channel_names, g_steal_pointer (&key), GUINT_TO_POINTER (i));
      g_ptr_array_add (import->channels, entry);
    }
}

gboolean
sm_transfer_import_data_full (SmStore           *store,
                              const char        *display_name,
                              const char        *data,
                              gsize              len,
                              SmTransferCounts  *out_counts,
                              GError           **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GString) text = NULL;
  SmTransferCounts counts = { 0 };
  Problems problems = { 0 };
  Import import = { 0 };
  JsonNode *root;
  JsonObject *object;
  JsonArray *array;
  gboolean ok = FALSE;

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
  object = json_node_get_object (root);

  /* "servers" may only be left out when the file brings something else. */
  {
    JsonNode *servers_node = json_object_get_member (object, "servers");
    gboolean other = FALSE;

    for (guint i = 1; top_level_keys[i] != NULL; i++)
      other |= json_object_has_member (object, top_level_keys[i]);

    if ((servers_node == NULL && !other) ||
        (servers_node != NULL && !JSON_NODE_HOLDS_ARRAY (servers_node)))
      {
        g_set_error (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID,
                     _("%s: servers: must be an array of server objects"),
                     display_name);
        return FALSE;
      }
  }

  {
    g_autoptr(GList) members = json_object_get_members (object);
    g_autofree char *list = g_strjoinv (", ", (char **) top_level_keys);
    g_autofree char *message =
      g_strdup_printf (_("unknown field (known fields: %s)"), list);

    for (GList *l = members; l != NULL; l = l->next)
      if (!g_strv_contains (top_level_keys, l->data))
        problems_add (&problems, l->data, message);
  }

  import.store = store;
  import.problems = &problems;
  import.servers = g_ptr_array_new_with_free_func (import_entry_free);
  import.channels = g_ptr_array_new_with_free_func (channel_entry_free);
  import.rules = g_ptr_array_new_with_free_func (rule_entry_free);
  import.windows = g_ptr_array_new_with_free_func (window_entry_free);
  import.server_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.channel_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  parse_servers (&import, get_top_array (&problems, object, "servers",
                                         _("must be an array of server objects")));
  parse_channels (&import, get_top_array (&problems, object, "channels",
                                          _("must be an array of channel objects")));

  array = get_top_array (&problems, object, "rules", _("must be an array of rule objects"));
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      RuleEntry *entry = parse_rule (&problems, i, json_array_get_element (array, i));

      if (entry != NULL)
        g_ptr_array_add (import.rules, entry);
    }

  array = get_top_array (&problems, object, "quiet_hours",
                         _("must be an array such as [{\"days\": \"all\", \"start\": \"22:00\", \"end\": \"07:00\"}]"));
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      WindowEntry *entry = parse_window (&problems, SM_WINDOW_QUIET_HOURS, i,
                                         json_array_get_element (array, i));

      if (entry != NULL)
        g_ptr_array_add (import.windows, entry);
    }

  array = get_top_array (&problems, object, "maintenance",
                         _("must be an array such as [{\"days\": \"sun\", \"start\": \"02:00\", \"end\": \"04:00\"}]"));
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      WindowEntry *entry = parse_window (&problems, SM_WINDOW_MAINTENANCE, i,
                                         json_array_get_element (array, i));

      if (entry != NULL)
        g_ptr_array_add (import.windows, entry);
    }

  /* A new server that logs in with a password needs one; an existing one
   * keeps its stored password. */
  for (guint i = 0; i < import.servers->len; i++)
    {
      ImportEntry *entry = g_ptr_array_index (import.servers, i);
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
          goto out;
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

  if (!check_parents (&import, error) ||
      !check_channels (&import, error) ||
      !check_rules (&import, error) ||
      !check_windows (&import, error))
    goto out;

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
      goto out;
    }

  ok = apply_import (&import, &counts, error);
  if (!ok && error != NULL && *error != NULL &&
      (*error)->domain == SM_TRANSFER_ERROR)
    g_prefix_error (error, "%s: ", display_name);
  if (ok && out_counts != NULL)
    *out_counts = counts;

out:
  import_clear (&import);
  return ok;
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
  SmTransferCounts counts = { 0 };

  if (!sm_transfer_import_data_full (store, display_name, data, len, &counts, error))
    return FALSE;

  if (out_added != NULL)
    *out_added = counts.servers_added;
  if (out_updated != NULL)
    *out_updated = counts.servers_updated;
  return TRUE;
}

gboolean
sm_transfer_import_file_full (SmStore           *store,
                              const char        *path,
                              SmTransferCounts  *out_counts,
                              GError           **error)
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

  return sm_transfer_import_data_full (store, path, contents, len, out_counts, error);
}

gboolean
sm_transfer_import_file (SmStore     *store,
                         const char  *path,
                         guint       *out_added,
                         guint       *out_updated,
                         GError     **error)
{
  SmTransferCounts counts = { 0 };

  if (!sm_transfer_import_file_full (store, path, &counts, error))
    return FALSE;

  if (out_added != NULL)
    *out_added = counts.servers_added;
  if (out_updated != NULL)
    *out_updated = counts.servers_updated;
  return TRUE;
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

/* A channel as the export writes it: never its secret. */
static JsonNode *
channel_to_json (const SmChannel *channel)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GList) keys = NULL;
  const char *secret_key = sm_channel_type_get_secret_key (channel->type);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, channel->name);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, sm_channel_type_to_string (channel->type));
  json_builder_set_member_name (builder, "enabled");
  json_builder_add_boolean_value (builder, channel->enabled);
  json_builder_set_member_name (builder, "default");
  json_builder_add_boolean_value (builder, channel->is_default);

  if (channel->settings != NULL)
    keys = g_list_sort (g_hash_table_get_keys (channel->settings), (GCompareFunc) strcmp);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *key = l->data;
      const char *value = g_hash_table_lookup (channel->settings, key);
      gint64 number = 0;

      if (value == NULL || g_strcmp0 (key, secret_key) == 0)
        continue;
      json_builder_set_member_name (builder, key);
      if (g_str_equal (key, "port") &&
          g_ascii_string_to_signed (value, 10, 1, 65535, &number, NULL))
        json_builder_add_int_value (builder, number);
      else
        json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
window_to_json (const SmAlertWindow *window,
                SmServer            *server)
{
  g_autoptr(JsonNode) times = sm_weekly_window_to_json (&window->window);
  JsonObject *object = json_object_new ();
  JsonObject *from = json_node_get_object (times);
  g_autoptr(GList) members = json_object_get_members (from);
  JsonNode *node;

  if (server != NULL)
    json_object_set_string_member (object, "server", sm_server_get_name (server));
  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (object, l->data,
                            json_node_copy (json_object_get_member (from, l->data)));
  if (window->kind == SM_WINDOW_MAINTENANCE &&
      window->comment != NULL && window->comment[0] != '\0')
    json_object_set_string_member (object, "comment", window->comment);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static SmServer *
lookup_server (GHashTable *by_id,
               gint64      id)
{
  return g_hash_table_lookup (by_id, &id);
}

char *
sm_transfer_export_data (SmStore  *store,
                         GError  **error)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GPtrArray) channels = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GPtrArray) windows = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;
  JsonArray *array;
  JsonArray *quiet;
  JsonArray *maintenance;

  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  servers = sm_store_list_servers (store, error);
  if (servers == NULL)
    return NULL;
  channels = sm_store_list_channels (store, error);
  if (channels == NULL)
    return NULL;
  rules = sm_store_list_rules (store, error);
  if (rules == NULL)
    return NULL;
  windows = sm_store_list_windows (store, error);
  if (windows == NULL)
    return NULL;

  by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < servers->len; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);
      gint64 *id = g_new (gint64, 1);

      *id = sm_server_get_id (server);
      g_hash_table_insert (by_id, id, server);
    }

  object = json_object_new ();
  root = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (root, object);

  /* "This computer" belongs to this machine; it is not exported, nor are
   * the rules, windows and parent links that name it. */
  array = json_array_new ();
  for (guint i = 0; i < servers->len; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);
      SmServer *parent = lookup_server (by_id, sm_server_get_parent_id (server));
      JsonNode *node;

      if (sm_server_get_is_local (server))
        continue;
      node = sm_transfer_server_to_json (server);
      if (parent != NULL && !sm_server_get_is_local (parent))
        json_object_set_string_member (json_node_get_object (node), "parent",
                                       sm_server_get_name (parent));
      {
        g_autoptr(GPtrArray) checks = sm_store_list_checks (store, sm_server_get_id (server), error);
        JsonArray *checks_array;

        if (checks == NULL)
          {
            json_node_unref (node);
            json_array_unref (array);
            return NULL;
          }
        /* Heartbeat tokens are secrets: never exported. */
        checks_array = json_array_new ();
        for (guint c = 0; c < checks->len; c++)
          json_array_add_element (checks_array, sm_check_to_json (g_ptr_array_index (checks, c)));
        if (checks->len > 0)
          json_object_set_array_member (json_node_get_object (node), "checks", checks_array);
        else
          json_array_unref (checks_array);
      }
      json_array_add_element (array, node);
    }
  json_object_set_array_member (object, "servers", array);

  array = json_array_new ();
  for (guint i = 0; i < channels->len; i++)
    json_array_add_element (array, channel_to_json (g_ptr_array_index (channels, i)));
  json_object_set_array_member (object, "channels", array);

  /* Rules name their server by name, as the import expects. */
  array = json_array_new ();
  for (guint i = 0; i < rules->len; i++)
    {
      const SmAlertRule *stored = g_ptr_array_index (rules, i);
      g_autoptr(SmAlertRule) rule = sm_alert_rule_copy (stored);

      if (rule->scope == SM_ALERT_SCOPE_SERVER)
        {
          gint64 id = 0;
          SmServer *server = NULL;

          if (g_ascii_string_to_signed (rule->scope_value, 10, 1, G_MAXINT64, &id, NULL))
            server = lookup_server (by_id, id);
          if (server == NULL || sm_server_get_is_local (server))
            continue;
          g_free (rule->scope_value);
          rule->scope_value = g_strdup (sm_server_get_name (server));
        }
      json_array_add_element (array, sm_alert_rule_to_json (rule));
    }
  json_object_set_array_member (object, "rules", array);

  quiet = json_array_new ();
  maintenance = json_array_new ();
  for (guint i = 0; i < windows->len; i++)
    {
      const SmAlertWindow *window = g_ptr_array_index (windows, i);
      SmServer *server = NULL;

      if (window->kind == SM_WINDOW_QUIET_HOURS)
        {
          json_array_add_element (quiet, window_to_json (window, NULL));
          continue;
        }
      if (window->server_id != 0)
        {
          server = lookup_server (by_id, window->server_id);
          if (server == NULL || sm_server_get_is_local (server))
            continue;
        }
      json_array_add_element (maintenance, window_to_json (window, server));
    }
  json_object_set_array_member (object, "quiet_hours", quiet);
  json_object_set_array_member (object, "maintenance", maintenance);

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
