/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server.c: one monitored server entry (plain model, no secrets). */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-poll-result.h"
#include "sm-server.h"

G_DEFINE_ENUM_TYPE (SmAuthMethod, sm_auth_method,
  G_DEFINE_ENUM_VALUE (SM_AUTH_PASSWORD, "password"),
  G_DEFINE_ENUM_VALUE (SM_AUTH_KEY, "key"),
  G_DEFINE_ENUM_VALUE (SM_AUTH_AGENT, "agent"))

G_DEFINE_ENUM_TYPE (SmServerStatus, sm_server_status,
  G_DEFINE_ENUM_VALUE (SM_SERVER_STATUS_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (SM_SERVER_STATUS_UP, "up"),
  G_DEFINE_ENUM_VALUE (SM_SERVER_STATUS_DEGRADED, "degraded"),
  G_DEFINE_ENUM_VALUE (SM_SERVER_STATUS_DOWN, "down"),
  G_DEFINE_ENUM_VALUE (SM_SERVER_STATUS_DISABLED, "disabled"))

struct _SmServer
{
  GObject         parent_instance;

  gint64          id;
  char           *uuid;
  char           *name;
  char           *host;
  guint           port;
  char           *username;
  SmAuthMethod    auth_method;
  char           *key_file;
  char           *group;
  GStrv           tags;
  guint           interval;
  gboolean        enabled;
  char           *notes;
  gint64          parent_id;
  char           *host_key_sha256;
  gboolean        has_secret;
  gboolean        is_local;
  guint           timeouts[SM_N_TIMEOUTS];
  char           *status_reason;
  SmPollResult   *last_result;
  SmSpecs        *specs;
  gint64          last_poll;
  SmServerStatus  status;
};

G_DEFINE_FINAL_TYPE (SmServer, sm_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_UUID,
  PROP_NAME,
  PROP_HOST,
  PROP_PORT,
  PROP_USERNAME,
  PROP_AUTH_METHOD,
  PROP_KEY_FILE,
  PROP_GROUP,
  PROP_TAGS,
  PROP_INTERVAL,
  PROP_ENABLED,
  PROP_NOTES,
  PROP_PARENT_ID,
  PROP_HOST_KEY_SHA256,
  PROP_HAS_SECRET,
  PROP_IS_LOCAL,
  PROP_STATUS_REASON,
  PROP_LAST_POLL,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
sm_auth_method_to_string (SmAuthMethod method)
{
  switch (method)
    {
    case SM_AUTH_PASSWORD:
      return "password";
    case SM_AUTH_KEY:
      return "key";
    case SM_AUTH_AGENT:
      return "agent";
    default:
      g_return_val_if_reached ("agent");
    }
}

gboolean
sm_auth_method_from_string (const char   *str,
                            SmAuthMethod *out_method)
{
  SmAuthMethod method;

  if (g_strcmp0 (str, "password") == 0)
    method = SM_AUTH_PASSWORD;
  else if (g_strcmp0 (str, "key") == 0)
    method = SM_AUTH_KEY;
  else if (g_strcmp0 (str, "agent") == 0)
    method = SM_AUTH_AGENT;
  else
    return FALSE;

  if (out_method != NULL)
    *out_method = method;
  return TRUE;
}

const char *
sm_auth_method_to_label (SmAuthMethod method)
{
  switch (method)
    {
    case SM_AUTH_PASSWORD:
      return _("Password");
    case SM_AUTH_KEY:
      return _("Private Key");
    case SM_AUTH_AGENT:
      return _("SSH Agent");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
sm_server_status_to_string (SmServerStatus status)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (SM_TYPE_SERVER_STATUS);
  GEnumValue *value = g_enum_get_value (klass, status);

  return value != NULL ? value->value_nick : "unknown";
}

const char *
sm_server_status_to_label (SmServerStatus status)
{
  switch (status)
    {
    case SM_SERVER_STATUS_UNKNOWN:
      return _("Not checked yet");
    case SM_SERVER_STATUS_UP:
      return _("Up");
    case SM_SERVER_STATUS_DEGRADED:
      return _("Degraded");
    case SM_SERVER_STATUS_DOWN:
      return _("Down");
    case SM_SERVER_STATUS_DISABLED:
      return _("Disabled");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
sm_server_status_to_css (SmServerStatus status)
{
  switch (status)
    {
    case SM_SERVER_STATUS_UNKNOWN:
      return "unknown";
    case SM_SERVER_STATUS_UP:
      return "up";
    case SM_SERVER_STATUS_DEGRADED:
      return "degraded";
    case SM_SERVER_STATUS_DOWN:
      return "down";
    case SM_SERVER_STATUS_DISABLED:
      return "disabled";
    default:
      g_return_val_if_reached ("unknown");
    }
}

/* Replaces *field with a copy of value; returns TRUE when it changed. With
 * null_is_empty, NULL is stored as "" so that the getter never returns NULL. */
static gboolean
set_string (char       **field,
            const char  *value,
            gboolean     null_is_empty)
{
  if (null_is_empty && value == NULL)
    value = "";

  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* For optional fields: "" means none and is stored as NULL. */
static gboolean
set_optional_string (char       **field,
                     const char  *value)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;

  return set_string (field, value, FALSE);
}

static void
sm_server_finalize (GObject *object)
{
  SmServer *self = (SmServer *)object;

  g_clear_pointer (&self->uuid, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->key_file, g_free);
  g_clear_pointer (&self->group, g_free);
  g_clear_pointer (&self->tags, g_strfreev);
  g_clear_pointer (&self->notes, g_free);
  g_clear_pointer (&self->host_key_sha256, g_free);
  g_clear_pointer (&self->status_reason, g_free);
  g_clear_pointer (&self->last_result, sm_poll_result_free);
  g_clear_pointer (&self->specs, sm_specs_free);

  G_OBJECT_CLASS (sm_server_parent_class)->finalize (object);
}

static void
sm_server_constructed (GObject *object)
{
  SmServer *self = (SmServer *)object;

  G_OBJECT_CLASS (sm_server_parent_class)->constructed (object);

  /* Every server has an identity, also when built with g_object_new(). */
  if (self->uuid == NULL)
    self->uuid = g_uuid_string_random ();
}

static void
sm_server_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SmServer *self = SM_SERVER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_AUTH_METHOD:
      g_value_set_enum (value, self->auth_method);
      break;
    case PROP_KEY_FILE:
      g_value_set_string (value, self->key_file);
      break;
    case PROP_GROUP:
      g_value_set_string (value, self->group);
      break;
    case PROP_TAGS:
      g_value_set_boxed (value, self->tags);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_NOTES:
      g_value_set_string (value, self->notes);
      break;
    case PROP_PARENT_ID:
      g_value_set_int64 (value, self->parent_id);
      break;
    case PROP_HOST_KEY_SHA256:
      g_value_set_string (value, self->host_key_sha256);
      break;
    case PROP_HAS_SECRET:
      g_value_set_boolean (value, self->has_secret);
      break;
    case PROP_IS_LOCAL:
      g_value_set_boolean (value, self->is_local);
      break;
    case PROP_STATUS_REASON:
      g_value_set_string (value, self->status_reason);
      break;
    case PROP_LAST_POLL:
      g_value_set_int64 (value, self->last_poll);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_server_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SmServer *self = SM_SERVER (object);

  switch (prop_id)
    {
    case PROP_ID:
      sm_server_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_UUID:
      sm_server_set_uuid (self, g_value_get_string (value));
      break;
    case PROP_NAME:
      sm_server_set_name (self, g_value_get_string (value));
      break;
    case PROP_HOST:
      sm_server_set_host (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      sm_server_set_port (self, g_value_get_uint (value));
      break;
    case PROP_USERNAME:
      sm_server_set_username (self, g_value_get_string (value));
      break;
    case PROP_AUTH_METHOD:
      sm_server_set_auth_method (self, g_value_get_enum (value));
      break;
    case PROP_KEY_FILE:
      sm_server_set_key_file (self, g_value_get_string (value));
      break;
    case PROP_GROUP:
      sm_server_set_group (self, g_value_get_string (value));
      break;
    case PROP_TAGS:
      sm_server_set_tags (self, g_value_get_boxed (value));
      break;
    case PROP_INTERVAL:
      sm_server_set_interval (self, g_value_get_uint (value));
      break;
    case PROP_ENABLED:
      sm_server_set_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_NOTES:
      sm_server_set_notes (self, g_value_get_string (value));
      break;
    case PROP_PARENT_ID:
      sm_server_set_parent_id (self, g_value_get_int64 (value));
      break;
    case PROP_HOST_KEY_SHA256:
      sm_server_set_host_key_sha256 (self, g_value_get_string (value));
      break;
    case PROP_HAS_SECRET:
      sm_server_set_has_secret (self, g_value_get_boolean (value));
      break;
    case PROP_IS_LOCAL:
      sm_server_set_is_local (self, g_value_get_boolean (value));
      break;
    case PROP_STATUS_REASON:
      sm_server_set_status_reason (self, g_value_get_string (value));
      break;
    case PROP_STATUS:
      sm_server_set_status (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_server_class_init (SmServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = sm_server_constructed;
  object_class->finalize = sm_server_finalize;
  object_class->get_property = sm_server_get_property;
  object_class->set_property = sm_server_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        flags);

  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL,
                         NULL,
                         flags);

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         "",
                         flags);

  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL,
                         "",
                         flags);

  /* The model may hold values out of range (an unfinished dialog, an
   * import); sm-validate reports them and the store refuses to save them. */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL,
                       0, G_MAXUINT, SM_SERVER_DEFAULT_PORT,
                       flags);

  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL,
                         "",
                         flags);

  properties[PROP_AUTH_METHOD] =
    g_param_spec_enum ("auth-method", NULL, NULL,
                       SM_TYPE_AUTH_METHOD,
                       SM_AUTH_AGENT,
                       flags);

  properties[PROP_KEY_FILE] =
    g_param_spec_string ("key-file", NULL, NULL,
                         NULL,
                         flags);

  properties[PROP_GROUP] =
    g_param_spec_string ("group", NULL, NULL,
                         "",
                         flags);

  properties[PROP_TAGS] =
    g_param_spec_boxed ("tags", NULL, NULL,
                        G_TYPE_STRV,
                        flags);

  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL,
                       0, G_MAXUINT, SM_SERVER_DEFAULT_INTERVAL,
                       flags);

  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL,
                          TRUE,
                          flags);

  properties[PROP_NOTES] =
    g_param_spec_string ("notes", NULL, NULL,
                         "",
                         flags);

  properties[PROP_PARENT_ID] =
    g_param_spec_int64 ("parent-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        flags);

  properties[PROP_HOST_KEY_SHA256] =
    g_param_spec_string ("host-key-sha256", NULL, NULL,
                         NULL,
                         flags);

  properties[PROP_HAS_SECRET] =
    g_param_spec_boolean ("has-secret", NULL, NULL,
                          FALSE,
                          flags);

  properties[PROP_IS_LOCAL] =
    g_param_spec_boolean ("is-local", NULL, NULL,
                          FALSE,
                          flags);

  properties[PROP_STATUS_REASON] =
    g_param_spec_string ("status-reason", NULL, NULL,
                         NULL,
                         flags);

  /* Read-only: set with sm_server_take_last_result(). */
  properties[PROP_LAST_POLL] =
    g_param_spec_int64 ("last-poll", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       SM_TYPE_SERVER_STATUS,
                       SM_SERVER_STATUS_UNKNOWN,
                       flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sm_server_init (SmServer *self)
{
  self->name = g_strdup ("");
  self->host = g_strdup ("");
  self->port = SM_SERVER_DEFAULT_PORT;
  self->username = g_strdup ("");
  self->auth_method = SM_AUTH_AGENT;
  self->group = g_strdup ("");
  self->tags = g_new0 (char *, 1);
  self->interval = SM_SERVER_DEFAULT_INTERVAL;
  self->enabled = TRUE;
  self->notes = g_strdup ("");
  self->status = SM_SERVER_STATUS_UNKNOWN;
}

SmServer *
sm_server_new (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_object_new (SM_TYPE_SERVER,
                       "uuid", uuid,
                       NULL);
}

SmServer *
sm_server_copy (SmServer *self)
{
  SmServer *copy;

  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  copy = g_object_new (SM_TYPE_SERVER,
                       "uuid", self->uuid,
                       NULL);
  copy->id = self->id;
  set_string (&copy->name, self->name, TRUE);
  set_string (&copy->host, self->host, TRUE);
  copy->port = self->port;
  set_string (&copy->username, self->username, TRUE);
  copy->auth_method = self->auth_method;
  set_string (&copy->key_file, self->key_file, FALSE);
  set_string (&copy->group, self->group, TRUE);
  g_strfreev (copy->tags);
  copy->tags = g_strdupv (self->tags);
  copy->interval = self->interval;
  copy->enabled = self->enabled;
  set_string (&copy->notes, self->notes, TRUE);
  copy->parent_id = self->parent_id;
  set_string (&copy->host_key_sha256, self->host_key_sha256, FALSE);
  copy->has_secret = self->has_secret;
  copy->is_local = self->is_local;
  memcpy (copy->timeouts, self->timeouts, sizeof self->timeouts);
  if (self->specs != NULL)
    copy->specs = sm_specs_copy (self->specs);
  copy->status_reason = g_strdup (self->status_reason);
  copy->status = self->status;

  return copy;
}

gint64
sm_server_get_id (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), 0);

  return self->id;
}

void
sm_server_set_id (SmServer *self,
                  gint64    id)
{
  g_return_if_fail (SM_IS_SERVER (self));
  g_return_if_fail (id >= 0);

  if (self->id == id)
    return;

  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

const char *
sm_server_get_uuid (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->uuid;
}

void
sm_server_set_uuid (SmServer   *self,
                    const char *uuid)
{
  g_return_if_fail (SM_IS_SERVER (self));

  /* A server always has an identity; NULL or "" (a GValue's default) keeps
   * the current one. */
  if (uuid == NULL || uuid[0] == '\0')
    return;

  if (set_string (&self->uuid, uuid, FALSE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UUID]);
}

const char *
sm_server_get_name (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->name;
}

void
sm_server_set_name (SmServer   *self,
                    const char *name)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (set_string (&self->name, name, TRUE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
sm_server_get_host (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->host;
}

void
sm_server_set_host (SmServer   *self,
                    const char *host)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (set_string (&self->host, host, TRUE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
}

guint
sm_server_get_port (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), 0);

  return self->port;
}

void
sm_server_set_port (SmServer *self,
                    guint     port)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (self->port == port)
    return;

  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

const char *
sm_server_get_username (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->username;
}

void
sm_server_set_username (SmServer   *self,
                        const char *username)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (set_string (&self->username, username, TRUE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USERNAME]);
}

SmAuthMethod
sm_server_get_auth_method (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), SM_AUTH_AGENT);

  return self->auth_method;
}

void
sm_server_set_auth_method (SmServer     *self,
                           SmAuthMethod  method)
{
  g_return_if_fail (SM_IS_SERVER (self));
  g_return_if_fail (method <= SM_AUTH_AGENT);

  if (self->auth_method == method)
    return;

  self->auth_method = method;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_METHOD]);
}

const char *
sm_server_get_key_file (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->key_file;
}

void
sm_server_set_key_file (SmServer   *self,
                        const char *key_file)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (set_optional_string (&self->key_file, key_file))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY_FILE]);
}

const char *
sm_server_get_group (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->group;
}

void
sm_server_set_group (SmServer   *self,
                     const char *group)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (set_string (&self->group, group, TRUE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP]);
}

const char * const *
sm_server_get_tags (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return (const char * const *)self->tags;
}

void
sm_server_set_tags (SmServer           *self,
                    const char * const *tags)
{
  static const char * const empty[] = { NULL };

  g_return_if_fail (SM_IS_SERVER (self));

  if (tags == NULL)
    tags = empty;

  if (g_strv_equal ((const char * const *)self->tags, tags))
    return;

  g_strfreev (self->tags);
  self->tags = g_strdupv ((char **)tags);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
}

guint
sm_server_get_interval (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), 0);

  return self->interval;
}

void
sm_server_set_interval (SmServer *self,
                        guint     interval)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (self->interval == interval)
    return;

  self->interval = interval;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

gboolean
sm_server_get_enabled (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), FALSE);

  return self->enabled;
}

void
sm_server_set_enabled (SmServer *self,
                       gboolean  enabled)
{
  g_return_if_fail (SM_IS_SERVER (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

const char *
sm_server_get_notes (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->notes;
}

void
sm_server_set_notes (SmServer   *self,
                     const char *notes)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (set_string (&self->notes, notes, TRUE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTES]);
}

gint64
sm_server_get_parent_id (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), 0);

  return self->parent_id;
}

void
sm_server_set_parent_id (SmServer *self,
                         gint64    parent_id)
{
  g_return_if_fail (SM_IS_SERVER (self));
  g_return_if_fail (parent_id >= 0);

  if (self->parent_id == parent_id)
    return;

  self->parent_id = parent_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARENT_ID]);
}

const char *
sm_server_get_host_key_sha256 (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->host_key_sha256;
}

void
sm_server_set_host_key_sha256 (SmServer   *self,
                               const char *fingerprint)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (set_optional_string (&self->host_key_sha256, fingerprint))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_KEY_SHA256]);
}

gboolean
sm_server_get_has_secret (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), FALSE);

  return self->has_secret;
}

void
sm_server_set_has_secret (SmServer *self,
                          gboolean  has_secret)
{
  g_return_if_fail (SM_IS_SERVER (self));

  has_secret = !!has_secret;
  if (self->has_secret == has_secret)
    return;

  self->has_secret = has_secret;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_SECRET]);
}

SmServerStatus
sm_server_get_status (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), SM_SERVER_STATUS_UNKNOWN);

  return self->status;
}

void
sm_server_set_status (SmServer       *self,
                      SmServerStatus  status)
{
  g_return_if_fail (SM_IS_SERVER (self));
  g_return_if_fail (status <= SM_SERVER_STATUS_DISABLED);

  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

char *
sm_server_dup_address (SmServer *self)
{
  GString *address;

  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  address = g_string_new (NULL);

  if (self->username[0] != '\0')
    g_string_append_printf (address, "%s@", self->username);

  /* An IPv6 address needs brackets to keep its colons apart from the port. */
  if (strchr (self->host, ':') != NULL)
    g_string_append_printf (address, "[%s]", self->host);
  else
    g_string_append (address, self->host);

  g_string_append_printf (address, ":%u", self->port);

  return g_string_free (address, FALSE);
}

char *
sm_server_dup_secret_ad (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return g_strdup_printf ("server/%s/secret", self->uuid);
}

gboolean
sm_server_get_is_local (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), FALSE);

  return self->is_local;
}

void
sm_server_set_is_local (SmServer *self,
                        gboolean  is_local)
{
  g_return_if_fail (SM_IS_SERVER (self));

  is_local = !!is_local;
  if (self->is_local == is_local)
    return;

  self->is_local = is_local;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_LOCAL]);
}

const char *
sm_server_get_status_reason (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->status_reason;
}

void
sm_server_set_status_reason (SmServer   *self,
                             const char *reason)
{
  g_return_if_fail (SM_IS_SERVER (self));

  if (g_strcmp0 (self->status_reason, reason) == 0)
    return;

  g_free (self->status_reason);
  self->status_reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_REASON]);
}

const SmPollResult *
sm_server_get_last_result (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->last_result;
}

gint64
sm_server_get_last_poll (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), 0);

  return self->last_poll;
}

void
sm_server_take_last_result (SmServer     *self,
                            SmPollResult *result)
{
  g_return_if_fail (SM_IS_SERVER (self));

  /* Polls carry the inventory only on connect and once a day: the newest
   * one seen is kept. */
  if (result != NULL && result->specs != NULL)
    {
      g_clear_pointer (&self->specs, sm_specs_free);
      self->specs = sm_specs_copy (result->specs);
    }
  g_clear_pointer (&self->last_result, sm_poll_result_free);
  self->last_result = result;
  self->last_poll = result != NULL ? result->time_us : g_get_real_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_POLL]);
}

const char *
sm_timeout_to_string (SmTimeout which)
{
  static const char * const names[SM_N_TIMEOUTS] = {
    "connect", "handshake", "auth", "command",
  };

  g_return_val_if_fail (which < SM_N_TIMEOUTS, NULL);

  return names[which];
}

guint
sm_timeout_get_default (SmTimeout which)
{
  static const guint defaults[SM_N_TIMEOUTS] = { 5, 10, 10, 15 };

  g_return_val_if_fail (which < SM_N_TIMEOUTS, 0);

  return defaults[which];
}

guint
sm_server_get_timeout (SmServer  *self,
                       SmTimeout  which)
{
  g_return_val_if_fail (SM_IS_SERVER (self), 0);
  g_return_val_if_fail (which < SM_N_TIMEOUTS, 0);

  return self->timeouts[which];
}

void
sm_server_set_timeout (SmServer  *self,
                       SmTimeout  which,
                       guint      seconds)
{
  g_return_if_fail (SM_IS_SERVER (self));
  g_return_if_fail (which < SM_N_TIMEOUTS);

  self->timeouts[which] = seconds;
}

const SmSpecs *
sm_server_get_specs (SmServer *self)
{
  g_return_val_if_fail (SM_IS_SERVER (self), NULL);

  return self->specs;
}
