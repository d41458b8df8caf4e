/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check.c: service check definitions, their validation and JSON. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sm-check.h"
#include "sm-validate.h"

static const char * const type_names[] = {
  "http", "tls", "tcp", "ping", "dns", "command", "log", "heartbeat",
};

G_STATIC_ASSERT (G_N_ELEMENTS (type_names) == SM_CHECK_N_TYPES);

const char *
sm_check_type_to_string (SmCheckType type)
{
  g_return_val_if_fail ((guint) type < SM_CHECK_N_TYPES, "http");

  return type_names[type];
}

gboolean
sm_check_type_from_string (const char  *text,
                           SmCheckType *out_type)
{
  g_return_val_if_fail (out_type != NULL, FALSE);

  for (guint i = 0; text != NULL && i < SM_CHECK_N_TYPES; i++)
    if (g_str_equal (text, type_names[i]))
      {
        *out_type = (SmCheckType) i;
        return TRUE;
      }
  return FALSE;
}

const char *
sm_check_type_to_label (SmCheckType type)
{
  switch (type)
    {
    case SM_CHECK_HTTP:
      return _("HTTP");
    case SM_CHECK_TLS:
      return _("TLS Certificate");
    case SM_CHECK_TCP:
      return _("TCP Port");
    case SM_CHECK_PING:
      return _("Ping");
    case SM_CHECK_DNS:
      return _("DNS");
    case SM_CHECK_COMMAND:
      return _("Command");
    case SM_CHECK_LOG:
      return _("Log Pattern");
    case SM_CHECK_HEARTBEAT:
      return _("Heartbeat");
    default:
      g_return_val_if_reached ("");
    }
}

gboolean
sm_check_type_uses_ssh (SmCheckType type)
{
  return type == SM_CHECK_COMMAND || type == SM_CHECK_LOG;
}

/* Members */

typedef enum {
  KIND_STRING,
  KIND_INT,
  KIND_BOOL,
  KIND_STRV,       /* a list of strings */
  KIND_HEADERS,    /* an object of strings */
  KIND_STATUS,     /* 200 or "200-299" */
} Kind;

typedef char *(*StringCheck) (const char *value);

typedef struct {
  const char  *name;
  guint        types;     /* bit per SmCheckType; 0: every type */
  Kind         kind;
  gboolean     required;
  gint64       min;
  gint64       max;
  StringCheck  check;     /* strings and each list element */
} Member;

#define T(type) (1u << (type))

static char *check_url (const char *value);
static char *check_method (const char *value);
static char *check_regex (const char *value);
static char *check_host (const char *value);
static char *check_family (const char *value);
static char *check_record (const char *value);
static char *check_resolver (const char *value);
static char *check_address (const char *value);
static char *check_dns_name (const char *value);
static char *check_command (const char *value);
static char *check_path (const char *value);
static char *check_line (const char *value);

static const Member members[] = {
  { "type",             0, KIND_STRING, TRUE, 0, 0, NULL },
  { "name",             0, KIND_STRING, FALSE, 0, 0, NULL },
  { "interval",         0, KIND_INT, FALSE, SM_CHECK_MIN_INTERVAL, SM_CHECK_MAX_INTERVAL, NULL },
  { "enabled",          0, KIND_BOOL, FALSE, 0, 0, NULL },
  { "timeout",          ~T (SM_CHECK_HEARTBEAT), KIND_INT, FALSE, 1, 300, NULL },

  { "url",              T (SM_CHECK_HTTP), KIND_STRING, TRUE, 0, 0, check_url },
  { "method",           T (SM_CHECK_HTTP), KIND_STRING, FALSE, 0, 0, check_method },
  { "headers",          T (SM_CHECK_HTTP), KIND_HEADERS, FALSE, 0, 0, NULL },
  { "body",             T (SM_CHECK_HTTP), KIND_STRING, FALSE, 0, 0, NULL },
  { "expect_status",    T (SM_CHECK_HTTP), KIND_STATUS, FALSE, 100, 599, NULL },
  { "keyword",          T (SM_CHECK_HTTP), KIND_STRING, FALSE, 0, 0, check_line },
  { "keyword_absent",   T (SM_CHECK_HTTP), KIND_BOOL, FALSE, 0, 0, NULL },
  { "regex",            T (SM_CHECK_HTTP) | T (SM_CHECK_COMMAND), KIND_STRING, FALSE, 0, 0, check_regex },
  { "regex_absent",     T (SM_CHECK_HTTP), KIND_BOOL, FALSE, 0, 0, NULL },
  { "max_size",         T (SM_CHECK_HTTP), KIND_INT, FALSE, 1024, 64 * 1024 * 1024, NULL },
  { "follow_redirects", T (SM_CHECK_HTTP), KIND_BOOL, FALSE, 0, 0, NULL },
  { "verify_tls",       T (SM_CHECK_HTTP), KIND_BOOL, FALSE, 0, 0, NULL },
  { "ca_file",          T (SM_CHECK_HTTP), KIND_STRING, FALSE, 0, 0, check_path },

  { "host",             T (SM_CHECK_TLS) | T (SM_CHECK_TCP) | T (SM_CHECK_PING), KIND_STRING, FALSE, 0, 0, check_host },
  { "port",             T (SM_CHECK_TLS) | T (SM_CHECK_TCP), KIND_INT, FALSE, 1, 65535, NULL },
  { "server_name",      T (SM_CHECK_TLS), KIND_STRING, FALSE, 0, 0, check_host },
  { "warn_days",        T (SM_CHECK_TLS), KIND_INT, FALSE, 0, 3650, NULL },
  { "crit_days",        T (SM_CHECK_TLS), KIND_INT, FALSE, 0, 3650, NULL },
  { "family",           T (SM_CHECK_TCP), KIND_STRING, FALSE, 0, 0, check_family },
  { "count",            T (SM_CHECK_PING), KIND_INT, FALSE, 1, 20, NULL },
  { "warn_loss",        T (SM_CHECK_PING), KIND_INT, FALSE, 0, 100, NULL },
  { "crit_loss",        T (SM_CHECK_PING), KIND_INT, FALSE, 0, 100, NULL },

  { "query",            T (SM_CHECK_DNS), KIND_STRING, TRUE, 0, 0, check_dns_name },
  { "record",           T (SM_CHECK_DNS), KIND_STRING, FALSE, 0, 0, check_record },
  { "resolver",         T (SM_CHECK_DNS), KIND_STRING, FALSE, 0, 0, check_resolver },
  { "expect",           T (SM_CHECK_DNS), KIND_STRV, FALSE, 0, 0, check_address },

  { "command",          T (SM_CHECK_COMMAND), KIND_STRING, TRUE, 0, 0, check_command },

  { "path",             T (SM_CHECK_LOG), KIND_STRING, TRUE, 0, 0, check_path },
  { "patterns",         T (SM_CHECK_LOG), KIND_STRV, TRUE, 0, 0, check_regex },
  { "keep",             T (SM_CHECK_LOG), KIND_INT, FALSE, 1, 50, NULL },

  { "grace",            T (SM_CHECK_HEARTBEAT), KIND_INT, FALSE, 0, 86400, NULL },
};

/* String checks: NULL when fine, else the problem. */

static char *
check_line (const char *value)
{
  if (!g_utf8_validate (value, -1, NULL))
    return g_strdup (_("must be valid UTF-8 text"));
  for (const char *p = value; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r')
      return g_strdup (_("must be a single line"));
  return NULL;
}

static char *
check_url (const char *value)
{
  g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL || (scheme = g_uri_get_scheme (uri)) == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return g_strdup (_("must be an http or https URL such as https://example.org/health"));
  return NULL;
}

static char *
check_method (const char *value)
{
  static const char * const methods[] = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", NULL,
  };

  if (!g_strv_contains (methods, value))
    return g_strdup (_("must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"));
  return NULL;
}

static char *
check_regex (const char *value)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GError) error = NULL;

  if (value[0] == '\0')
    return g_strdup (_("must not be empty"));
  regex = g_regex_new (value, 0, 0, &error);
  if (regex == NULL)
    /* Translators: %s is GLib's explanation of the regular expression error. */
    return g_strdup_printf (_("is not a valid regular expression: %s"), error->message);
  return NULL;
}

static char *
check_host (const char *value)
{
  return sm_validate_host (value);
}

static char *
check_family (const char *value)
{
  static const char * const families[] = { "any", "ipv4", "ipv6", NULL };

  if (!g_strv_contains (families, value))
    return g_strdup (_("must be any, ipv4 or ipv6"));
  return NULL;
}

static char *
check_record (const char *value)
{
  static const char * const records[] = { "A", "AAAA", "ANY", NULL };

  if (!g_strv_contains (records, value))
    return g_strdup (_("must be A, AAAA or ANY"));
  return NULL;
}

static char *
check_address (const char *value)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (value);

  if (address == NULL)
    return g_strdup (_("must be an IPv4 or IPv6 address"));
  return NULL;
}

static char *
check_resolver (const char *value)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;
  const char *colon = strrchr (value, ':');

  /* "192.0.2.53", "192.0.2.53:5353", "2001:db8::53", "[2001:db8::53]:5353" */
  if (value[0] == '[')
    {
      const char *end = strchr (value, ']');

      if (end == NULL || (end[1] != '\0' && end[1] != ':'))
        return g_strdup (_("must be an IP address with an optional port, such as 192.0.2.53:53"));
      host = g_strndup (value + 1, (gsize) (end - value - 1));
      colon = end[1] == ':' ? end + 1 : NULL;
    }
  else if (colon != NULL && strchr (value, ':') == colon)
    host = g_strndup (value, (gsize) (colon - value));
  else
    {
      host = g_strdup (value);
      colon = NULL;
    }

  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    return g_strdup (_("must be an IP address with an optional port, such as 192.0.2.53:53"));
  if (colon != NULL)
    {
      guint64 port = 0;

      if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
        return g_strdup (_("must be an IP address with an optional port, such as 192.0.2.53:53"));
    }
  return NULL;
}

static char *
check_dns_name (const char *value)
{
  g_auto(GStrv) labels = NULL;
  gsize len = strlen (value);

  if (len == 0 || len > 253)
    return g_strdup (_("must be a DNS name such as example.org"));
  if (value[len - 1] == '.')
    len--;
  labels = g_strsplit (value, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize label_len = strlen (labels[i]);

      if (label_len == 0 && labels[i + 1] == NULL && i > 0)
        break;
      if (label_len == 0 || label_len > 63)
        return g_strdup (_("must be a DNS name such as example.org"));
      for (const char *p = labels[i]; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
          return g_strdup (_("must be a DNS name such as example.org"));
    }
  return NULL;
}

static char *
check_command (const char *value)
{
  if (value[0] == '\0' || strspn (value, " \t") == strlen (value))
    return g_strdup (_("must not be empty"));
  if (strlen (value) > 4096)
    return g_strdup (_("must be at most 4096 bytes"));
  return check_line (value);
}

static char *
check_path (const char *value)
{
  if (value[0] != '/')
    return g_strdup (_("must be an absolute path such as /var/log/syslog"));
  return check_line (value);
}

/* SmCheck */

SmCheck *
sm_check_new (SmCheckType  type,
              const char  *name)
{
  SmCheck *check;

  g_return_val_if_fail ((guint) type < SM_CHECK_N_TYPES, NULL);

  check = g_new0 (SmCheck, 1);
  check->type = type;
  check->name = g_strdup (name);
  check->interval = SM_CHECK_DEFAULT_INTERVAL;
  check->enabled = TRUE;
  check->settings = json_object_new ();
  return check;
}

SmCheck *
sm_check_copy (const SmCheck *check)
{
  SmCheck *copy;
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (check != NULL, NULL);

  copy = sm_check_new (check->type, check->name);
  copy->id = check->id;
  copy->server_id = check->server_id;
  copy->interval = check->interval;
  copy->enabled = check->enabled;
  /* A deep copy: through the text, as json-glib 1.6 copies objects by
   * reference. */
  node = json_node_init_object (json_node_alloc (), check->settings);
  {
    g_autofree char *text = json_to_string (node, FALSE);
    g_autoptr(JsonNode) parsed = json_from_string (text, NULL);

    json_object_unref (copy->settings);
    copy->settings = json_object_ref (json_node_get_object (parsed));
  }
  return copy;
}

void
sm_check_free (SmCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->name);
  g_clear_pointer (&check->settings, json_object_unref);
  g_free (check);
}

static JsonNode *
setting (const SmCheck *check,
         const char    *member)
{
  JsonNode *node = json_object_get_member (check->settings, member);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

const char *
sm_check_get_string (const SmCheck *check,
                     const char    *member)
{
  JsonNode *node;

  g_return_val_if_fail (check != NULL, NULL);

  node = setting (check, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
sm_check_get_int (const SmCheck *check,
                  const char    *member,
                  gint64         fallback)
{
  JsonNode *node;

  g_return_val_if_fail (check != NULL, fallback);

  node = setting (check, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

gboolean
sm_check_get_bool (const SmCheck *check,
                   const char    *member,
                   gboolean       fallback)
{
  JsonNode *node;

  g_return_val_if_fail (check != NULL, fallback);

  node = setting (check, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

GStrv
sm_check_dup_strv (const SmCheck *check,
                   const char    *member)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonNode *node;
  JsonArray *array;

  g_return_val_if_fail (check != NULL, NULL);

  node = setting (check, member);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  builder = g_strv_builder_new ();
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

char *
sm_check_default_name (const SmCheck *check)
{
  g_return_val_if_fail (check != NULL, NULL);

  switch (check->type)
    {
    case SM_CHECK_HTTP:
      {
        const char *url = sm_check_get_string (check, "url");
        g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

        if (uri != NULL && g_uri_get_host (uri) != NULL)
          return g_strdup_printf ("HTTP %s", g_uri_get_host (uri));
        return g_strdup ("HTTP");
      }
    case SM_CHECK_TLS:
      return g_strdup_printf ("TLS %" G_GINT64_FORMAT, sm_check_get_int (check, "port", 443));
    case SM_CHECK_TCP:
      return g_strdup_printf ("TCP %" G_GINT64_FORMAT, sm_check_get_int (check, "port", 0));
    case SM_CHECK_PING:
      return g_strdup ("Ping");
    case SM_CHECK_DNS:
      return g_strdup_printf ("DNS %s", sm_check_get_string (check, "query") != NULL
                                        ? sm_check_get_string (check, "query") : "");
    case SM_CHECK_COMMAND:
      {
        g_autofree char *command = g_strdup (sm_check_get_string (check, "command"));
        g_auto(GStrv) words = command != NULL ? g_strsplit (g_strstrip (command), " ", 2) : NULL;
        g_autofree char *base = words != NULL && words[0] != NULL && words[0][0] != '\0'
                                ? g_path_get_basename (words[0]) : NULL;

        return base != NULL ? g_strdup_printf ("Command %s", base) : g_strdup ("Command");
      }
    case SM_CHECK_LOG:
      return g_strdup_printf ("Log %s", sm_check_get_string (check, "path") != NULL
                                        ? sm_check_get_string (check, "path") : "");
    case SM_CHECK_HEARTBEAT:
      return g_strdup ("Heartbeat");
    default:
      g_return_val_if_reached (g_strdup (""));
    }
}

static char *
problem_at (const char *field,
            char       *problem)
{
  char *message = g_strdup_printf ("%s: %s", field, problem);

  g_free (problem);
  return message;
}

static const Member *
find_member (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    if (g_str_equal (members[i].name, name))
      return &members[i];
  return NULL;
}

static char *
check_int_range (const Member *member,
                 gint64        value)
{
  if (value < member->min || value > member->max)
    return problem_at (member->name,
                       g_strdup_printf (_("must be a number from %d to %d"),
                                        (int) member->min, (int) member->max));
  return NULL;
}

/* One setting's JSON against its member's kind and checks. */
static char *
validate_member (const Member *member,
                 JsonNode     *node)
{
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  char *problem;

  switch (member->kind)
    {
    case KIND_STRING:
      if (type != G_TYPE_STRING)
        return problem_at (member->name, g_strdup (_("must be a string")));
      if (member->check != NULL && (problem = member->check (json_node_get_string (node))) != NULL)
        return problem_at (member->name, problem);
      return NULL;

    case KIND_INT:
      if (type != G_TYPE_INT64)
        return problem_at (member->name, g_strdup (_("must be a whole number")));
      return check_int_range (member, json_node_get_int (node));

    case KIND_BOOL:
      if (type != G_TYPE_BOOLEAN)
        return problem_at (member->name, g_strdup (_("must be true or false")));
      return NULL;

    case KIND_STATUS:
      if (type == G_TYPE_INT64)
        return check_int_range (member, json_node_get_int (node));
      if (type == G_TYPE_STRING)
        {
          g_auto(GStrv) parts = g_strsplit (json_node_get_string (node), "-", 3);
          guint64 low = 0;
          guint64 high = 0;

          if (g_strv_length (parts) == 2 &&
              g_ascii_string_to_unsigned (parts[0], 10, 100, 599, &low, NULL) &&
              g_ascii_string_to_unsigned (parts[1], 10, 100, 599, &high, NULL) &&
              low <= high)
            return NULL;
        }
      return problem_at (member->name,
                         g_strdup (_("must be a status from 100 to 599 or a range such as \"200-299\"")));

    case KIND_STRV:
      {
        JsonArray *array;

        if (!JSON_NODE_HOLDS_ARRAY (node))
          return problem_at (member->name, g_strdup (_("must be a list of strings")));
        array = json_node_get_array (node);
        if (member->required && json_array_get_length (array) == 0)
          return problem_at (member->name, g_strdup (_("must not be empty")));
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *element = json_array_get_element (array, i);
            g_autofree char *field = g_strdup_printf ("%s[%u]", member->name, i);

            if (!JSON_NODE_HOLDS_VALUE (element) ||
                json_node_get_value_type (element) != G_TYPE_STRING)
              return problem_at (field, g_strdup (_("must be a string")));
            if (member->check != NULL &&
                (problem = member->check (json_node_get_string (element))) != NULL)
              return problem_at (field, problem);
          }
        return NULL;
      }

    case KIND_HEADERS:
      {
        JsonObject *object;
        g_autoptr(GList) names = NULL;

        if (!JSON_NODE_HOLDS_OBJECT (node))
          return problem_at (member->name,
                             g_strdup (_("must be an object of header names and values")));
        object = json_node_get_object (node);
        names = json_object_get_members (object);
        for (GList *l = names; l != NULL; l = l->next)
          {
            JsonNode *value = json_object_get_member (object, l->data);
            g_autofree char *field = g_strdup_printf ("%s.%s", member->name, (const char *) l->data);
            const char *name = l->data;

            if (name[0] == '\0' || strpbrk (name, " :\t\r\n") != NULL)
              return problem_at (field, g_strdup (_("is not a valid header name")));
            if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
              return problem_at (field, g_strdup (_("must be a string")));
            if ((problem = check_line (json_node_get_string (value))) != NULL)
              return problem_at (field, problem);
          }
        return NULL;
      }

    default:
      g_return_val_if_reached (NULL);
    }
}

char *
sm_check_validate (const SmCheck *check)
{
  g_autoptr(GList) names = NULL;
  char *problem;

  g_return_val_if_fail (check != NULL, NULL);

  if (check->interval < SM_CHECK_MIN_INTERVAL || check->interval > SM_CHECK_MAX_INTERVAL)
    return problem_at ("interval",
                       g_strdup_printf (_("must be from %d seconds to %d seconds (one day)"),
                                        SM_CHECK_MIN_INTERVAL, SM_CHECK_MAX_INTERVAL));

  names = json_object_get_members (check->settings);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const Member *member = find_member (l->data);
      JsonNode *node = json_object_get_member (check->settings, l->data);

      if (member == NULL || g_str_equal (member->name, "type") || g_str_equal (member->name, "name") ||
          g_str_equal (member->name, "interval") || g_str_equal (member->name, "enabled") ||
          (member->types != 0 && (member->types & T (check->type)) == 0))
        return problem_at (l->data,
                           g_strdup_printf (_("is not a setting of a %s check"),
                                            sm_check_type_to_string (check->type)));
      if (JSON_NODE_HOLDS_NULL (node))
        continue;
      if ((problem = validate_member (member, node)) != NULL)
        return problem;
    }

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      const Member *member = &members[i];

      if (!member->required || g_str_equal (member->name, "type") ||
          (member->types != 0 && (member->types & T (check->type)) == 0))
        continue;
      if (setting (check, member->name) == NULL)
        return problem_at (member->name, g_strdup (_("is required")));
    }

  if (check->type == SM_CHECK_TCP && setting (check, "port") == NULL)
    return problem_at ("port", g_strdup (_("is required")));
  if (check->type == SM_CHECK_TLS &&
      sm_check_get_int (check, "crit_days", 3) > sm_check_get_int (check, "warn_days", 14))
    return problem_at ("crit_days", g_strdup (_("must not be more than warn_days")));
  if (check->type == SM_CHECK_PING &&
      sm_check_get_int (check, "crit_loss", 100) < sm_check_get_int (check, "warn_loss", 20))
    return problem_at ("crit_loss", g_strdup (_("must not be less than warn_loss")));

  /* Last: a default name is made from the settings. */
  if ((problem = sm_validate_name (check->name)) != NULL)
    return problem_at ("name", problem);

  return NULL;
}

JsonNode *
sm_check_to_json (const SmCheck *check)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GList) names = NULL;

  g_return_val_if_fail (check != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, sm_check_type_to_string (check->type));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, check->name);
  json_builder_set_member_name (builder, "interval");
  json_builder_add_int_value (builder, check->interval);
  if (!check->enabled)
    {
      json_builder_set_member_name (builder, "enabled");
      json_builder_add_boolean_value (builder, FALSE);
    }
  names = json_object_get_members (check->settings);
  names = g_list_sort (names, (GCompareFunc) g_strcmp0);
  for (GList *l = names; l != NULL; l = l->next)
    {
      json_builder_set_member_name (builder, l->data);
      json_builder_add_value (builder, json_node_copy (json_object_get_member (check->settings, l->data)));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

SmCheck *
sm_check_from_json (JsonNode  *node,
                    char     **out_error)
{
  g_autoptr(SmCheck) check = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *object;
  JsonNode *member;
  SmCheckType type;
  char *problem;

  g_return_val_if_fail (out_error != NULL, NULL);

  *out_error = NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      *out_error = g_strdup_printf (": %s", _("must be an object"));
      return NULL;
    }
  object = json_node_get_object (node);

  member = json_object_get_member (object, "type");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING ||
      !sm_check_type_from_string (json_node_get_string (member), &type))
    {
      *out_error = problem_at ("type",
                               g_strdup (_("must be one of http, tls, tcp, ping, dns, command, log, heartbeat")));
      return NULL;
    }
  check = sm_check_new (type, NULL);

  names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (object, name);

      if (g_str_equal (name, "type"))
        continue;
      if (g_str_equal (name, "name"))
        {
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
            {
              *out_error = problem_at ("name", g_strdup (_("must be a string")));
              return NULL;
            }
          check->name = g_strdup (json_node_get_string (value));
        }
      else if (g_str_equal (name, "interval"))
        {
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64)
            {
              *out_error = problem_at ("interval", g_strdup (_("must be a whole number of seconds")));
              return NULL;
            }
          check->interval = (guint) CLAMP (json_node_get_int (value), 0, G_MAXUINT);
          if (json_node_get_int (value) != (gint64) check->interval)
            check->interval = 0;
        }
      else if (g_str_equal (name, "enabled"))
        {
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
            {
              *out_error = problem_at ("enabled", g_strdup (_("must be true or false")));
              return NULL;
            }
          check->enabled = json_node_get_boolean (value);
        }
      else
        json_object_set_member (check->settings, name, json_node_copy (value));
    }

  if (check->name == NULL || check->name[0] == '\0')
    {
      g_free (check->name);
      check->name = sm_check_default_name (check);
    }

  problem = sm_check_validate (check);
  if (problem != NULL)
    {
      *out_error = problem;
      return NULL;
    }
  return g_steal_pointer (&check);
}
