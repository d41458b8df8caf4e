/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-dialog.c: the "Add Server" / "Edit Server" dialog.
 *
 * The dialog edits a working copy of the server. Every change revalidates all
 * fields with sm-validate: an invalid field disables Save at once, but its
 * message only shows after the field was edited (or when it holds a value),
 * so a fresh "Add Server" dialog does not start out red. Stored secrets are
 * never loaded into the dialog: an empty password or passphrase keeps the
 * stored one.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-application.h"
#include "sm-server-dialog.h"
#include "sm-server-dialog-private.h"
#include "sm-ssh-session.h"
#include "sm-validate.h"

/* What "Test Connection" prints on the server: the OS's pretty name. */
#define TEST_OS_COMMAND ". /etc/os-release 2>/dev/null; echo \"${PRETTY_NAME:-$(uname -sr)}\""
#define TEST_OUTPUT_MAX 4096

/* A connection test's input and outcome (the worker owns it while it runs). */
typedef struct
{
  SmSshConfig  config;
  char        *os_name;
  char        *fingerprint;   /* the offered key when it is not trusted */
  GError      *error;
} TestData;

typedef enum {
  FIELD_NAME,
  FIELD_HOST,
  FIELD_PORT,
  FIELD_USERNAME,
  FIELD_PASSWORD,
  FIELD_KEY_FILE,
  FIELD_PASSPHRASE,
  FIELD_GROUP,
  FIELD_TAGS,
  FIELD_PARENT,
  FIELD_NOTES,
  N_FIELDS,
} Field;

typedef enum {
  SECTION_SERVER,
  SECTION_AUTH,
  SECTION_ORG,
  SECTION_NOTES,
  N_SECTIONS,
} Section;

static const struct {
  const char *id;
  /* The field's name at the start of a sentence, in front of the
   * sm-validate message: "Port must be a number from 1 to 65535". */
  const char *label;
  Section     section;
} fields[N_FIELDS] = {
  [FIELD_NAME]       = { "name",       N_("Name"),       SECTION_SERVER },
  [FIELD_HOST]       = { "host",       N_("Host"),       SECTION_SERVER },
  [FIELD_PORT]       = { "port",       N_("Port"),       SECTION_SERVER },
  [FIELD_USERNAME]   = { "username",   N_("User name"),  SECTION_SERVER },
  [FIELD_PASSWORD]   = { "password",   N_("Password"),   SECTION_AUTH },
  [FIELD_KEY_FILE]   = { "key-file",   N_("Key file"),   SECTION_AUTH },
  [FIELD_PASSPHRASE] = { "passphrase", N_("Passphrase"), SECTION_AUTH },
  [FIELD_GROUP]      = { "group",      N_("Group"),      SECTION_ORG },
  [FIELD_TAGS]       = { "tags",       N_("Tags"),       SECTION_ORG },
  [FIELD_PARENT]     = { "parent",     N_("Depends on"), SECTION_ORG },
  [FIELD_NOTES]      = { "notes",      N_("Notes"),      SECTION_NOTES },
};

struct _SmServerDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  GtkButton            *save_button;
  GtkRevealer          *save_error_revealer;
  GtkLabel             *save_error_label;
  AdwEntryRow          *name_row;
  AdwEntryRow          *host_row;
  AdwEntryRow          *port_row;
  AdwEntryRow          *username_row;
  AdwPreferencesGroup  *auth_group;
  AdwComboRow          *auth_row;
  GtkStringList        *auth_model;
  AdwPasswordEntryRow  *password_row;
  AdwActionRow         *key_file_row;
  AdwPasswordEntryRow  *passphrase_row;
  AdwEntryRow          *group_row;
  AdwEntryRow          *tags_row;
  AdwComboRow          *parent_row;
  GtkStringList        *parent_model;
  AdwActionRow         *interval_row;
  GtkSpinButton        *interval_spin;
  AdwExpanderRow       *timeouts_row;
  GtkSpinButton        *timeout_spins[SM_N_TIMEOUTS];
  GtkSwitch            *enabled_switch;
  GtkTextView          *notes_view;
  GtkTextBuffer        *notes_buffer;
  GtkLabel             *server_error_label;
  GtkLabel             *auth_error_label;
  GtkLabel             *org_error_label;
  GtkLabel             *notes_error_label;
  AdwPreferencesGroup  *server_group;
  AdwPreferencesGroup  *test_group;
  AdwActionRow         *test_row;
  GtkSpinner           *test_spinner;
  GtkWidget            *test_button;
  GtkWidget            *test_cancel_button;
  AdwActionRow         *trust_row;
  GtkWidget            *trust_button;

  /* Owned references */
  SmStore              *store;
  SmServer             *server;       /* working copy; a new server when adding */
  GSettings            *defaults;
  GtkFileChooserNative *key_chooser;
  char                 *key_file;
  GCancellable         *test_cancellable;   /* the running test, or NULL */
  char                 *test_fingerprint;   /* offered by the last test */
  GArray               *parent_ids;         /* gint64 by position in parent_row; 0: none */
  GHashTable           *parents;            /* server id -> its parent id (gint64 *) */
  char                 *parent_error;       /* the store's "parent: …", until changed */

  /* State */
  GtkWidget            *field_widgets[N_FIELDS];
  GtkLabel             *section_labels[N_SECTIONS];
  gboolean              dirty[N_FIELDS];
  guint                 editing : 1;
  guint                 loading : 1;  /* ignore "changed" while filling in */
  guint                 valid : 1;
  guint                 local : 1;    /* "This computer": no connection settings */
};

G_DEFINE_FINAL_TYPE (SmServerDialog, sm_server_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SERVER,
  PROP_DEFAULTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers */

static SmAuthMethod
get_auth_method (SmServerDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->auth_row);

  switch (selected)
    {
    case SM_AUTH_PASSWORD:
    case SM_AUTH_KEY:
    case SM_AUTH_AGENT:
      return (SmAuthMethod) selected;
    default:
      return SM_AUTH_AGENT;
    }
}

/* Whether the stored secret is the one the selected method would use, so
 * that an empty password or passphrase field means "keep it". */
static gboolean
has_stored_secret_for (SmServerDialog *self,
                       SmAuthMethod    method)
{
  return sm_server_get_has_secret (self->server) &&
         sm_server_get_auth_method (self->server) == method;
}

static char *
dup_stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static char *
dup_notes_text (SmServerDialog *self)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (self->notes_buffer, &start, &end);
  return gtk_text_buffer_get_text (self->notes_buffer, &start, &end, FALSE);
}

static char *
format_interval (guint seconds)
{
  if (seconds >= 3600 && seconds % 3600 == 0)
    return g_strdup_printf (ngettext ("Every %u hour", "Every %u hours", seconds / 3600),
                            seconds / 3600);
  if (seconds >= 60 && seconds % 60 == 0)
    return g_strdup_printf (ngettext ("Every %u minute", "Every %u minutes", seconds / 60),
                            seconds / 60);
  return g_strdup_printf (ngettext ("Every %u second", "Every %u seconds", seconds),
                          seconds);
}

/* "~/.ssh/id_ed25519" for a path in the home directory. */
static char *
dup_display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);

  if (len > 1 && g_str_has_prefix (path, home) && path[len] == G_DIR_SEPARATOR)
    return g_strconcat ("~", path + len, NULL);
  return g_strdup (path);
}

/* Takes message; returns "Port must be a number from 1 to 65535". */
static char *
prefix_message (Field  field,
                char  *message)
{
  g_autofree char *owned = message;

  if (owned == NULL)
    return NULL;
  /* Translators: a field's name and what is wrong with it, as in
   * "Port must be a number from 1 to 65535". */
  return g_strdup_printf (_("%s %s"), _(fields[field].label), owned);
}

/* Validation */

static char *
validate_name (SmServerDialog *self)
{
  g_autofree char *name = dup_stripped_text (self->name_row);
  g_autoptr(SmServer) other = NULL;
  char *message;

  message = prefix_message (FIELD_NAME, sm_validate_name (name));
  if (message != NULL || name[0] == '\0')
    return message;

  /* A lookup error is left to sm_store_save_server() to report. */
  other = sm_store_find_server_by_name (self->store, name, NULL);
  if (other != NULL && sm_server_get_id (other) != sm_server_get_id (self->server))
    return g_strdup_printf (_("A server named “%s” already exists"),
                            sm_server_get_name (other));
  return NULL;
}

static char *
validate_tags (SmServerDialog *self)
{
  g_auto(GStrv) tags = sm_tags_parse (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)));
  guint n_tags = tags != NULL ? g_strv_length (tags) : 0;

  if (n_tags > SM_TAGS_MAX)
    return g_strdup_printf (ngettext ("Use at most %d tag", "Use at most %d tags", SM_TAGS_MAX),
                            SM_TAGS_MAX);

  for (guint i = 0; i < n_tags; i++)
    {
      g_autofree char *message = sm_validate_tag (tags[i]);

      if (message != NULL)
        /* Translators: a tag and what is wrong with it, as in
         * "Tag “x” must be at most 32 characters long". */
        return g_strdup_printf (_("Tag “%s” %s"), tags[i], message);
    }
  return NULL;
}

static gint64
get_parent_id (SmServerDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->parent_row);

  if (self->parent_ids == NULL || selected >= self->parent_ids->len)
    return 0;
  return g_array_index (self->parent_ids, gint64, selected);
}

/* Following parents from the chosen one must not come back here. */
static char *
validate_parent (SmServerDialog *self)
{
  gint64 id = sm_server_get_id (self->server);
  gint64 current = get_parent_id (self);

  if (self->parent_error != NULL)
    /* Translators: %s says what is wrong with the chosen parent server. */
    return g_strdup_printf (_("Depends on: %s"), self->parent_error);

  for (guint depth = 0; current != 0 && id != 0 && depth < 1000; depth++)
    {
      gint64 *next;

      if (current == id)
        return g_strdup (_("A server cannot depend on a server that depends on it"));
      next = g_hash_table_lookup (self->parents, &current);
      current = next != NULL ? *next : 0;
    }
  return NULL;
}

static char *
validate_key_file (SmServerDialog *self)
{
  if (self->key_file == NULL || self->key_file[0] == '\0')
    return g_strdup (_("Choose a private key file"));
  if (g_str_has_suffix (self->key_file, ".pub"))
    return g_strdup (_("Choose the private key, not the public “.pub” file"));
  return prefix_message (FIELD_KEY_FILE, sm_validate_key_file_exists (self->key_file));
}

/* NULL when field is valid or does not apply to the selected method. */
static char *
validate_field (SmServerDialog *self,
                Field           field)
{
  SmAuthMethod method = get_auth_method (self);
  g_autofree char *text = NULL;

  /* The local entry has no connection settings to check. */
  if (self->local &&
      (field == FIELD_HOST || field == FIELD_PORT || field == FIELD_USERNAME ||
       fields[field].section == SECTION_AUTH))
    return NULL;

  switch (field)
    {
    case FIELD_NAME:
      return validate_name (self);

    case FIELD_HOST:
      text = dup_stripped_text (self->host_row);
      return prefix_message (field, sm_validate_host (text));

    case FIELD_PORT:
      {
        guint port = 0;

        return prefix_message (field,
                               sm_validate_port_text (gtk_editable_get_text (GTK_EDITABLE (self->port_row)),
                                                      &port));
      }

    case FIELD_USERNAME:
      text = dup_stripped_text (self->username_row);
      return prefix_message (field, sm_validate_username (text));

    case FIELD_PASSWORD:
      if (method != SM_AUTH_PASSWORD ||
          has_stored_secret_for (self, SM_AUTH_PASSWORD) ||
          gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] != '\0')
        return NULL;
      return g_strdup (_("Password must not be empty"));

    case FIELD_KEY_FILE:
      if (method != SM_AUTH_KEY)
        return NULL;
      return validate_key_file (self);

    case FIELD_PASSPHRASE:
      /* Optional: an unencrypted key has none. */
      return NULL;

    case FIELD_GROUP:
      text = dup_stripped_text (self->group_row);
      return prefix_message (field, sm_validate_group (text));

    case FIELD_TAGS:
      return validate_tags (self);

    case FIELD_PARENT:
      return validate_parent (self);

    case FIELD_NOTES:
      text = dup_notes_text (self);
      return prefix_message (field, sm_validate_notes (text));

    case N_FIELDS:
    default:
      g_assert_not_reached ();
    }

  return NULL;
}

static gboolean
field_is_empty (SmServerDialog *self,
                Field           field)
{
  GtkWidget *widget = self->field_widgets[field];

  if (field == FIELD_KEY_FILE)
    return self->key_file == NULL || self->key_file[0] == '\0';
  if (field == FIELD_NOTES)
    return gtk_text_buffer_get_char_count (self->notes_buffer) == 0;
  if (field == FIELD_PARENT)
    return get_parent_id (self) == 0;
  return gtk_editable_get_text (GTK_EDITABLE (widget))[0] == '\0';
}

/* Revalidates every field, shows the messages of edited (or filled-in)
 * fields below their groups and enables Save when all are valid. */
static void
update_validation (SmServerDialog *self)
{
  GString *messages[N_SECTIONS];
  gboolean valid = TRUE;

  for (guint i = 0; i < N_SECTIONS; i++)
    messages[i] = g_string_new (NULL);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *message = validate_field (self, i);
      GtkWidget *widget = self->field_widgets[i];
      gboolean shown;

      if (message != NULL)
        valid = FALSE;

      shown = message != NULL && (self->dirty[i] || !field_is_empty (self, i));
      if (shown)
        {
          GString *section = messages[fields[i].section];

          if (section->len > 0)
            g_string_append_c (section, '\n');
          g_string_append (section, message);
          gtk_widget_add_css_class (widget, "error");
          gtk_accessible_update_state (GTK_ACCESSIBLE (widget),
                                       GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                       -1);
        }
      else
        {
          gtk_widget_remove_css_class (widget, "error");
          gtk_accessible_reset_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_INVALID);
        }
    }

  for (guint i = 0; i < N_SECTIONS; i++)
    {
      gtk_label_set_text (self->section_labels[i], messages[i]->str);
      gtk_widget_set_visible (GTK_WIDGET (self->section_labels[i]), messages[i]->len > 0);
      g_string_free (messages[i], TRUE);
    }

  self->valid = valid;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", valid);
}

/* UI updates */

static void
update_key_file_row (SmServerDialog *self)
{
  g_autofree char *display = NULL;

  if (self->key_file != NULL && self->key_file[0] != '\0')
    display = dup_display_path (self->key_file);
  adw_action_row_set_subtitle (self->key_file_row,
                               display != NULL ? display : _("No file chosen"));
}

static void
update_auth_rows (SmServerDialog *self)
{
  SmAuthMethod method = get_auth_method (self);
  g_autoptr(GString) description = g_string_new (NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->password_row), method == SM_AUTH_PASSWORD);
  gtk_widget_set_visible (GTK_WIDGET (self->key_file_row), method == SM_AUTH_KEY);
  gtk_widget_set_visible (GTK_WIDGET (self->passphrase_row), method == SM_AUTH_KEY);

  switch (method)
    {
    case SM_AUTH_PASSWORD:
      if (has_stored_secret_for (self, method))
        g_string_append (description, _("Leave the password empty to keep the stored password."));
      break;

    case SM_AUTH_KEY:
      g_string_append (description,
                       _("Use an ed25519 or ECDSA key: RSA keys fail with OpenSSH 8.8 and newer."));
      if (has_stored_secret_for (self, method))
        {
          g_string_append_c (description, ' ');
          g_string_append (description, _("Leave the passphrase empty to keep the stored passphrase."));
        }
      break;

    case SM_AUTH_AGENT:
    default:
      g_string_append (description,
                       _("Signs in with the keys of the running SSH agent (SSH_AUTH_SOCK)."));
      break;
    }

  adw_preferences_group_set_description (self->auth_group,
                                         description->len > 0 ? description->str : NULL);
}

static void
update_interval_row (SmServerDialog *self)
{
  g_autofree char *subtitle = NULL;

  subtitle = format_interval ((guint) gtk_spin_button_get_value_as_int (self->interval_spin));
  adw_action_row_set_subtitle (self->interval_row, subtitle);
}

/* The store's messages are whole sentences that say what to do. */
static void
show_save_error (SmServerDialog *self,
                 const char     *message)
{
  gtk_label_set_text (self->save_error_label, message);
  gtk_revealer_set_reveal_child (self->save_error_revealer, TRUE);
}

static void
set_key_file (SmServerDialog *self,
              const char     *path)
{
  g_free (self->key_file);
  self->key_file = g_strdup (path);
  self->dirty[FIELD_KEY_FILE] = TRUE;
  update_key_file_row (self);
  update_validation (self);
}

/* Callbacks */

static void
field_changed_cb (SmServerDialog *self,
                  GtkEditable    *editable)
{
  if (self->loading)
    return;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (self->field_widgets[i] == GTK_WIDGET (editable))
        self->dirty[i] = TRUE;
    }
  update_validation (self);
}

static void
notes_changed_cb (SmServerDialog *self)
{
  if (self->loading)
    return;

  self->dirty[FIELD_NOTES] = TRUE;
  update_validation (self);
}

static void
auth_method_changed_cb (SmServerDialog *self)
{
  if (self->loading)
    return;

  update_auth_rows (self);
  update_validation (self);
}

static void
parent_changed_cb (SmServerDialog *self)
{
  if (self->loading)
    return;

  g_clear_pointer (&self->parent_error, g_free);
  self->dirty[FIELD_PARENT] = TRUE;
  update_validation (self);
}

static void
interval_changed_cb (SmServerDialog *self)
{
  update_interval_row (self);
}

static void
key_chooser_response_cb (SmServerDialog  *self,
                         int              response,
                         GtkNativeDialog *chooser)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    return;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL)
    set_key_file (self, path);
}

static void
choose_key_file_cb (SmServerDialog *self)
{
  GtkFileChooser *chooser;

  if (self->key_chooser == NULL)
    {
      self->key_chooser = gtk_file_chooser_native_new (_("Choose Private Key"),
                                                       GTK_WINDOW (self),
                                                       GTK_FILE_CHOOSER_ACTION_OPEN,
                                                       _("_Choose"),
                                                       _("_Cancel"));
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->key_chooser), TRUE);
      g_signal_connect_object (self->key_chooser, "response",
                               G_CALLBACK (key_chooser_response_cb), self,
                               G_CONNECT_SWAPPED);
    }

  chooser = GTK_FILE_CHOOSER (self->key_chooser);
  if (self->key_file != NULL && g_path_is_absolute (self->key_file))
    {
      g_autoptr(GFile) file = g_file_new_for_path (self->key_file);

      gtk_file_chooser_set_file (chooser, file, NULL);
    }
  else
    {
      g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);

      if (g_file_test (ssh_dir, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GFile) folder = g_file_new_for_path (ssh_dir);

          gtk_file_chooser_set_current_folder (chooser, folder, NULL);
        }
    }

  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->key_chooser));
}

/* Actions */

static void
apply_fields (SmServerDialog *self,
              SmServer       *server)
{
  SmAuthMethod method = get_auth_method (self);
  g_autofree char *name = dup_stripped_text (self->name_row);
  g_autofree char *host = dup_stripped_text (self->host_row);
  g_autofree char *username = dup_stripped_text (self->username_row);
  g_autofree char *group = dup_stripped_text (self->group_row);
  g_autofree char *notes = dup_notes_text (self);
  g_auto(GStrv) tags = sm_tags_parse (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)));
  guint port = 0;
  g_autofree char *port_error = NULL;

  gtk_spin_button_update (self->interval_spin);

  sm_server_set_name (server, name);
  if (!self->local)
    {
      port_error = sm_validate_port_text (gtk_editable_get_text (GTK_EDITABLE (self->port_row)), &port);
      g_assert (port_error == NULL);

      sm_server_set_host (server, host);
      sm_server_set_port (server, port);
      sm_server_set_username (server, username);
      sm_server_set_auth_method (server, method);
      sm_server_set_key_file (server, method == SM_AUTH_KEY ? self->key_file : NULL);
    }
  sm_server_set_group (server, group[0] != '\0' ? group : NULL);
  sm_server_set_tags (server, (const char * const *) tags);
  sm_server_set_interval (server, (guint) gtk_spin_button_get_value_as_int (self->interval_spin));
  for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
    {
      gtk_spin_button_update (self->timeout_spins[t]);
      sm_server_set_timeout (server, t, (guint) gtk_spin_button_get_value_as_int (self->timeout_spins[t]));
    }
  sm_server_set_enabled (server, gtk_switch_get_active (self->enabled_switch));
  sm_server_set_notes (server, notes[0] != '\0' ? notes : NULL);
  sm_server_set_parent_id (server, get_parent_id (self));
}

/* What saving does with the stored secret; *out_secret points into the
 * entry's buffer for SM_SECRET_SET. */
static SmSecretAction
get_secret_action (SmServerDialog  *self,
                   const char     **out_secret)
{
  SmAuthMethod method = get_auth_method (self);
  const char *text;

  *out_secret = NULL;

  if (self->local)
    return SM_SECRET_KEEP;

  if (method == SM_AUTH_AGENT)
    return SM_SECRET_CLEAR;

  if (method == SM_AUTH_PASSWORD)
    text = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  else
    text = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));

  if (text[0] != '\0')
    {
      *out_secret = text;
      return SM_SECRET_SET;
    }
  if (has_stored_secret_for (self, method) || !sm_server_get_has_secret (self->server))
    return SM_SECRET_KEEP;
  /* The stored secret belongs to the other method. */
  return SM_SECRET_CLEAR;
}

static void
wipe_secrets (SmServerDialog *self)
{
  gboolean was_loading = self->loading;

  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  self->loading = was_loading;
}

/* Without a vault the store can only say that none is there; the
 * application knows why: the key is still loading, or failed to load. */
static char *
explain_save_error (const GError *error)
{
  GApplication *app = g_application_get_default ();

  if (!g_error_matches (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND) ||
      !SM_IS_APPLICATION (app))
    return g_strdup (error->message);

  if (sm_application_get_vault_loading (SM_APPLICATION (app)))
    return g_strdup_printf ("%s %s", error->message,
                            _("The encryption key is still loading; try again in a moment."));
  if (sm_application_get_vault_error (SM_APPLICATION (app)) != NULL)
    return g_strdup_printf ("%s %s", error->message,
                            sm_application_get_vault_error (SM_APPLICATION (app))->message);
  return g_strdup (error->message);
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SmServerDialog *self = SM_SERVER_DIALOG (widget);
  g_autoptr(SmServerDialog) hold = NULL;
  g_autoptr(SmServer) server = NULL;
  g_autoptr(GError) error = NULL;
  const char *secret = NULL;
  SmSecretAction action;

  /* Enter in an entry goes through here too. */
  update_validation (self);
  if (!self->valid)
    return;

  server = sm_server_copy (self->server);
  apply_fields (self, server);
  action = get_secret_action (self, &secret);

  if (!sm_store_save_server (self->store, server, action, secret, &error))
    {
      g_autofree char *message = NULL;

      /* The parent's problems show below its row. */
      if (g_error_matches (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID) &&
          g_str_has_prefix (error->message, "parent: "))
        {
          g_free (self->parent_error);
          self->parent_error = g_strdup (error->message + strlen ("parent: "));
          self->dirty[FIELD_PARENT] = TRUE;
          update_validation (self);
          return;
        }

      message = explain_save_error (error);
      show_save_error (self, message);
      /* A name taken meanwhile now shows below the name. */
      self->dirty[FIELD_NAME] = TRUE;
      update_validation (self);
      return;
    }

  wipe_secrets (self);
  gtk_revealer_set_reveal_child (self->save_error_revealer, FALSE);

  hold = g_object_ref (self);
  g_signal_emit (self, signals[SAVED], 0, server);
  gtk_window_close (GTK_WINDOW (self));
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* Connection test */

static void
test_data_free (TestData *data)
{
  sm_ssh_config_clear (&data->config);
  g_free (data->os_name);
  g_free (data->fingerprint);
  g_clear_error (&data->error);
  g_free (data);
}

static void
test_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TestData *data = task_data;
  g_autoptr(SmSshSession) session = sm_ssh_session_new (&data->config);
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;

  if (!sm_ssh_session_connect (session, cancellable, &error))
    {
      if (g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN) ||
          g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_CHANGED))
        data->fingerprint = g_strdup (sm_ssh_session_get_host_key_sha256 (session));
      data->error = g_steal_pointer (&error);
      g_task_return_boolean (task, TRUE);
      return;
    }

  output = sm_ssh_session_exec (session, TEST_OS_COMMAND, TEST_OUTPUT_MAX,
                                NULL, NULL, cancellable, &error);
  if (output != NULL)
    {
      char *newline = strchr (output, '\n');

      /* One line of text, whatever the host printed. */
      if (newline != NULL)
        *newline = '\0';
      data->os_name = g_strstrip (g_utf8_make_valid (output, -1));
    }
  /* Logged in is what counts; the OS is a bonus. */
  sm_ssh_session_disconnect (session);
  g_task_return_boolean (task, TRUE);
}

static void
set_test_result (SmServerDialog *self,
                 const char     *text,
                 const char     *css_class)
{
  static const char * const classes[] = { "success", "error", "warning" };
  GtkWidget *row = GTK_WIDGET (self->test_row);

  /* Only the outcome (the subtitle) takes the colour: see style.css. */
  adw_action_row_set_subtitle (self->test_row, text);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      g_autofree char *name = g_strconcat ("test-", classes[i], NULL);

      if (g_strcmp0 (css_class, classes[i]) == 0)
        gtk_widget_add_css_class (row, name);
      else
        gtk_widget_remove_css_class (row, name);
    }
}

static void
set_testing (SmServerDialog *self,
             gboolean        testing)
{
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), testing);
  gtk_spinner_set_spinning (self->test_spinner, testing);
  gtk_widget_set_visible (self->test_cancel_button, testing);
  gtk_widget_set_visible (self->test_button, !testing);
}

static void
test_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(SmServerDialog) self = g_weak_ref_get (weak);
  TestData *data = g_task_get_task_data (G_TASK (result));
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));

  g_weak_ref_clear (weak);
  g_free (weak);

  /* A test for a closed dialog, or one replaced by a newer test. */
  if (self == NULL || self->test_cancellable != cancellable)
    return;

  g_clear_object (&self->test_cancellable);
  set_testing (self, FALSE);

  if (g_cancellable_is_cancelled (cancellable))
    {
      set_test_result (self, _("Test cancelled"), NULL);
      return;
    }

  if (data->error == NULL)
    {
      g_autofree char *text = NULL;

      if (data->os_name != NULL && data->os_name[0] != '\0')
        /* Translators: %s is an operating system, as in "Connected. Debian GNU/Linux 12 (bookworm)". */
        text = g_strdup_printf (_("Connected. %s"), data->os_name);
      else
        text = g_strdup (_("Connected."));
      set_test_result (self, text, "success");
      return;
    }

  if (g_error_matches (data->error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN) &&
      data->fingerprint != NULL)
    {
      g_autofree char *subtitle = NULL;

      g_free (self->test_fingerprint);
      self->test_fingerprint = g_strdup (data->fingerprint);
      /* Translators: %s is a host key fingerprint, "SHA256:…". */
      subtitle = g_strdup_printf (_("%s\nCompare it with the output of “ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub” on the server."),
                                  data->fingerprint);
      adw_action_row_set_subtitle (self->trust_row, subtitle);
      gtk_widget_set_visible (GTK_WIDGET (self->trust_row), TRUE);
      set_test_result (self, _("The server’s host key is not trusted yet"), "warning");
      return;
    }

  if (g_error_matches (data->error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_CHANGED))
    {
      g_autofree char *text = NULL;

      /* Translators: %s is a host key fingerprint, "SHA256:…". */
      text = g_strdup_printf (_("The host key has changed (offered %s). This may be an attack, or the server was reinstalled."),
                              data->fingerprint != NULL ? data->fingerprint : "?");
      set_test_result (self, text, "error");
      return;
    }

  set_test_result (self, data->error->message, "error");
}

static char *
dup_known_hosts_path (SmServerDialog *self)
{
  g_autofree char *dir = g_path_get_dirname (sm_store_get_path (self->store));

  return g_build_filename (dir, "known_hosts", NULL);
}

/* The server the fields describe now, for the connection test. */
static SmServer *
dup_tested_server (SmServerDialog *self)
{
  SmServer *server = sm_server_copy (self->server);
  SmAuthMethod method = get_auth_method (self);
  g_autofree char *host = dup_stripped_text (self->host_row);
  g_autofree char *username = dup_stripped_text (self->username_row);
  g_autofree char *port_error = NULL;
  guint port = 0;

  port_error = sm_validate_port_text (gtk_editable_get_text (GTK_EDITABLE (self->port_row)), &port);
  sm_server_set_host (server, host);
  if (port_error == NULL)
    sm_server_set_port (server, port);
  sm_server_set_username (server, username);
  sm_server_set_auth_method (server, method);
  sm_server_set_key_file (server, method == SM_AUTH_KEY ? self->key_file : NULL);

  return server;
}

static void
start_test (SmServerDialog *self)
{
  g_autoptr(SmServer) server = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(SmSecret) stored = NULL;
  g_autofree char *known_hosts = NULL;
  const char *secret = NULL;
  SmAuthMethod method = get_auth_method (self);
  GWeakRef *weak;
  TestData *data;

  for (Field f = FIELD_HOST; f <= FIELD_KEY_FILE; f++)
    {
      g_autofree char *message = validate_field (self, f);

      if (message != NULL && f != FIELD_PASSWORD)
        {
          set_test_result (self, message, "error");
          return;
        }
    }

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);

  server = dup_tested_server (self);

  /* The typed secret, or the stored one when the field is left empty. */
  if (method == SM_AUTH_PASSWORD)
    secret = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  else if (method == SM_AUTH_KEY)
    secret = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));
  if ((secret == NULL || secret[0] == '\0') && has_stored_secret_for (self, method))
    {
      g_autoptr(GError) error = NULL;

      stored = sm_store_load_secret (self->store, self->server, &error);
      if (error != NULL)
        {
          set_test_result (self, error->message, "error");
          return;
        }
      secret = stored;
    }
  if (secret != NULL && secret[0] == '\0')
    secret = NULL;

  known_hosts = dup_known_hosts_path (self);
  data = g_new0 (TestData, 1);
  sm_ssh_config_init_from_server (&data->config, server, secret, known_hosts);

  self->test_cancellable = g_cancellable_new ();
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);

  /* No source object: a closed dialog is not kept alive by its test. */
  task = g_task_new (NULL, self->test_cancellable, test_done_cb, weak);
  g_task_set_source_tag (task, start_test);
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, test_thread);

  gtk_widget_set_visible (GTK_WIDGET (self->trust_row), FALSE);
  set_test_result (self, _("Connecting…"), NULL);
  set_testing (self, TRUE);
}

static void
test_clicked_cb (SmServerDialog *self)
{
  start_test (self);
}

static void
test_cancel_clicked_cb (SmServerDialog *self)
{
  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
}

static void
trust_clicked_cb (SmServerDialog *self)
{
  if (self->test_fingerprint == NULL)
    return;

  /* Pinned on the entry being edited: saved with it, then trusted. */
  sm_server_set_host_key_sha256 (self->server, self->test_fingerprint);
  gtk_widget_set_visible (GTK_WIDGET (self->trust_row), FALSE);
  start_test (self);
}

/* Construction */

/* "None" and every other server; the store's list also gives the parents
 * for the loop check. */
static void
load_parents (SmServerDialog *self)
{
  g_autoptr(GPtrArray) servers = sm_store_list_servers (self->store, NULL);
  gint64 id = sm_server_get_id (self->server);
  gint64 none = 0;
  guint selected = 0;

  self->parent_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->parents = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  gtk_string_list_append (self->parent_model, _("None"));
  g_array_append_val (self->parent_ids, none);

  for (guint i = 0; servers != NULL && i < servers->len; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);
      gint64 server_id = sm_server_get_id (server);
      gint64 parent_id = sm_server_get_parent_id (server);

      g_hash_table_insert (self->parents,
                           g_memdup2 (&server_id, sizeof server_id),
                           g_memdup2 (&parent_id, sizeof parent_id));
      if (server_id == id)
        continue;
      if (server_id == sm_server_get_parent_id (self->server))
        selected = self->parent_ids->len;
      gtk_string_list_append (self->parent_model, sm_server_get_name (server));
      g_array_append_val (self->parent_ids, server_id);
    }

  adw_combo_row_set_selected (self->parent_row, selected);
}

static void
load_server (SmServerDialog *self)
{
  SmServer *server = self->server;
  g_autofree char *port = g_strdup_printf ("%u", sm_server_get_port (server));
  g_autofree char *tags = sm_tags_join (sm_server_get_tags (server));
  const char *notes = sm_server_get_notes (server);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), sm_server_get_name (server) ?: "");
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), sm_server_get_host (server) ?: "");
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), sm_server_get_username (server) ?: "");
  adw_combo_row_set_selected (self->auth_row, sm_server_get_auth_method (server));
  g_free (self->key_file);
  self->key_file = g_strdup (sm_server_get_key_file (server));
  gtk_editable_set_text (GTK_EDITABLE (self->group_row), sm_server_get_group (server) ?: "");
  gtk_editable_set_text (GTK_EDITABLE (self->tags_row), tags ?: "");
  gtk_spin_button_set_value (self->interval_spin, sm_server_get_interval (server));
  for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
    gtk_spin_button_set_value (self->timeout_spins[t], sm_server_get_timeout (server, t));
  gtk_switch_set_active (self->enabled_switch, sm_server_get_enabled (server));
  gtk_text_buffer_set_text (self->notes_buffer, notes ?: "", -1);
  load_parents (self);
}

static void
apply_defaults (SmServerDialog *self)
{
  guint port = SM_SERVER_DEFAULT_PORT;
  guint interval = SM_SERVER_DEFAULT_INTERVAL;
  g_autofree char *username = NULL;

  if (self->defaults != NULL)
    {
      port = g_settings_get_uint (self->defaults, "default-port");
      interval = g_settings_get_uint (self->defaults, "default-interval");
      username = g_settings_get_string (self->defaults, "default-username");
    }
  if (username == NULL || username[0] == '\0')
    {
      g_free (username);
      username = g_strdup (g_get_user_name ());
    }

  sm_server_set_port (self->server, port);
  sm_server_set_interval (self->server, interval);
  sm_server_set_username (self->server, username);
}

/* Keeps typed secrets in non-pageable memory that is wiped when freed. */
static void
use_password_buffer (AdwPasswordEntryRow *row)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (row));

  if (GTK_IS_TEXT (delegate))
    {
      g_autoptr(GtkEntryBuffer) buffer = gtk_password_entry_buffer_new ();

      gtk_text_set_buffer (GTK_TEXT (delegate), buffer);
    }
}

/* The four SSH deadlines: 0 keeps the default, which the row names. */
static void
add_timeout_rows (SmServerDialog *self)
{
  const char *titles[SM_N_TIMEOUTS] = {
    _("Connect"), _("Handshake"), _("Authentication"), _("Command"),
  };

  for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *spin = gtk_spin_button_new_with_range (0, SM_TIMEOUT_MAX, 1);
      g_autofree char *subtitle = NULL;

      /* Translators: %u is a number of seconds. */
      subtitle = g_strdup_printf (_("Seconds; 0 uses the default of %u s"),
                                  sm_timeout_get_default (t));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), titles[t]);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, titles[t],
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
      adw_expander_row_add_row (self->timeouts_row, row);
      self->timeout_spins[t] = GTK_SPIN_BUTTON (spin);
    }
}

static void
sm_server_dialog_constructed (GObject *object)
{
  SmServerDialog *self = SM_SERVER_DIALOG (object);

  G_OBJECT_CLASS (sm_server_dialog_parent_class)->constructed (object);

  g_assert (SM_IS_STORE (self->store));

  self->editing = self->server != NULL;
  if (!self->editing)
    {
      self->server = sm_server_new ();
      apply_defaults (self);
    }

  gtk_window_set_title (GTK_WINDOW (self),
                        self->editing ? _("Edit Server") : _("Add Server"));
  gtk_button_set_label (self->save_button,
                        self->editing ? _("_Save") : _("_Add"));

  self->local = sm_server_get_is_local (self->server);
  /* "This computer" is polled without SSH: nothing to connect to. */
  gtk_widget_set_visible (GTK_WIDGET (self->host_row), !self->local);
  gtk_widget_set_visible (GTK_WIDGET (self->port_row), !self->local);
  gtk_widget_set_visible (GTK_WIDGET (self->username_row), !self->local);
  gtk_widget_set_visible (GTK_WIDGET (self->auth_group), !self->local);
  gtk_widget_set_visible (GTK_WIDGET (self->test_group), !self->local);
  gtk_widget_set_visible (GTK_WIDGET (self->timeouts_row), !self->local);
  if (self->local)
    adw_preferences_group_set_description (self->server_group,
                                           _("This computer is watched directly, without SSH."));

  add_timeout_rows (self);
  load_server (self);
  self->loading = FALSE;

  update_auth_rows (self);
  update_key_file_row (self);
  update_interval_row (self);
  update_validation (self);

  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
sm_server_dialog_dispose (GObject *object)
{
  SmServerDialog *self = SM_SERVER_DIALOG (object);

  /* Closing the dialog stops a running connection test. */
  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);

  if (self->key_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->key_chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->key_chooser));
      g_clear_object (&self->key_chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_SERVER_DIALOG);

  g_clear_object (&self->store);
  g_clear_object (&self->server);
  g_clear_object (&self->defaults);

  G_OBJECT_CLASS (sm_server_dialog_parent_class)->dispose (object);
}

static void
sm_server_dialog_finalize (GObject *object)
{
  SmServerDialog *self = SM_SERVER_DIALOG (object);

  g_clear_pointer (&self->key_file, g_free);
  g_clear_pointer (&self->test_fingerprint, g_free);
  g_clear_pointer (&self->parent_ids, g_array_unref);
  g_clear_pointer (&self->parents, g_hash_table_unref);
  g_clear_pointer (&self->parent_error, g_free);

  G_OBJECT_CLASS (sm_server_dialog_parent_class)->finalize (object);
}

static void
sm_server_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SmServerDialog *self = SM_SERVER_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;

    case PROP_DEFAULTS:
      g_value_set_object (value, self->defaults);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_server_dialog_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SmServerDialog *self = SM_SERVER_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;

    case PROP_SERVER:
      {
        SmServer *server = g_value_get_object (value);

        g_clear_object (&self->server);
        if (server != NULL)
          self->server = sm_server_copy (server);
      }
      break;

    case PROP_DEFAULTS:
      g_set_object (&self->defaults, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_server_dialog_class_init (SmServerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sm_server_dialog_constructed;
  object_class->dispose = sm_server_dialog_dispose;
  object_class->finalize = sm_server_dialog_finalize;
  object_class->get_property = sm_server_dialog_get_property;
  object_class->set_property = sm_server_dialog_set_property;

  /**
   * SmServerDialog:store:
   *
   * The store the server is saved to.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         SM_TYPE_STORE,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * SmServerDialog:server:
   *
   * The server being edited: set to the server to edit (the dialog keeps a
   * copy), or NULL to add one. Reads the dialog's working copy.
   */
  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL,
                         SM_TYPE_SERVER,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  /**
   * SmServerDialog:defaults:
   *
   * Settings of schema com.example.StatusMonitor that give a new server its
   * port, interval and user name, or NULL for the built-in defaults.
   */
  properties[PROP_DEFAULTS] =
    g_param_spec_object ("defaults", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SmServerDialog::saved:
   * @server: the saved server, a new object carrying the row id
   *
   * Emitted after the server was saved; the dialog closes afterwards.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SM_TYPE_SERVER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/sm-server-dialog.ui");

  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, save_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, save_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, auth_group);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, auth_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, auth_model);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, key_file_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, group_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, tags_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, parent_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, parent_model);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, interval_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, timeouts_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, notes_view);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, notes_buffer);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, server_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, auth_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, org_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, notes_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, server_group);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, test_group);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, test_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, test_button);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, test_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, trust_row);
  gtk_widget_class_bind_template_child (widget_class, SmServerDialog, trust_button);

  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, notes_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, auth_method_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, interval_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, parent_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_key_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, trust_clicked_cb);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "dialog.cancel", NULL, cancel_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "dialog.cancel", NULL);
}

static void
sm_server_dialog_init (SmServerDialog *self)
{
  /* Callbacks wait until constructed() has filled in the fields. */
  self->loading = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (SmAuthMethod m = SM_AUTH_PASSWORD; m <= SM_AUTH_AGENT; m++)
    gtk_string_list_append (self->auth_model, sm_auth_method_to_label (m));

  /* The text view sits on the card's background, not a view's. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->notes_view), "view");

  use_password_buffer (self->password_row);
  use_password_buffer (self->passphrase_row);

  self->field_widgets[FIELD_NAME] = GTK_WIDGET (self->name_row);
  self->field_widgets[FIELD_HOST] = GTK_WIDGET (self->host_row);
  self->field_widgets[FIELD_PORT] = GTK_WIDGET (self->port_row);
  self->field_widgets[FIELD_USERNAME] = GTK_WIDGET (self->username_row);
  self->field_widgets[FIELD_PASSWORD] = GTK_WIDGET (self->password_row);
  self->field_widgets[FIELD_KEY_FILE] = GTK_WIDGET (self->key_file_row);
  self->field_widgets[FIELD_PASSPHRASE] = GTK_WIDGET (self->passphrase_row);
  self->field_widgets[FIELD_GROUP] = GTK_WIDGET (self->group_row);
  self->field_widgets[FIELD_TAGS] = GTK_WIDGET (self->tags_row);
  self->field_widgets[FIELD_PARENT] = GTK_WIDGET (self->parent_row);
  self->field_widgets[FIELD_NOTES] = GTK_WIDGET (self->notes_view);

  self->section_labels[SECTION_SERVER] = self->server_error_label;
  self->section_labels[SECTION_AUTH] = self->auth_error_label;
  self->section_labels[SECTION_ORG] = self->org_error_label;
  self->section_labels[SECTION_NOTES] = self->notes_error_label;
}

/**
 * sm_server_dialog_new:
 * @parent: (nullable): the window the dialog is modal for
 * @store: the store to save to
 * @server: (nullable): the server to edit, or NULL to add one
 * @defaults: (nullable): settings of schema com.example.StatusMonitor
 *
 * Returns: (transfer none): a new dialog, owned by GTK's list of toplevels
 */
SmServerDialog *
sm_server_dialog_new (GtkWindow *parent,
                      SmStore   *store,
                      SmServer  *server,
                      GSettings *defaults)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (server == NULL || SM_IS_SERVER (server), NULL);
  g_return_val_if_fail (defaults == NULL || G_IS_SETTINGS (defaults), NULL);

  return g_object_new (SM_TYPE_SERVER_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "server", server,
                       "defaults", defaults,
                       NULL);
}

/* Test accessors */

GtkWidget *
_sm_server_dialog_get_row (SmServerDialog *self,
                           const char     *field)
{
  g_return_val_if_fail (SM_IS_SERVER_DIALOG (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (g_str_equal (field, fields[i].id))
        return self->field_widgets[i];
    }
  if (g_str_equal (field, "auth-method"))
    return GTK_WIDGET (self->auth_row);
  if (g_str_equal (field, "interval"))
    return GTK_WIDGET (self->interval_spin);
  if (g_str_has_prefix (field, "timeout-"))
    {
      for (SmTimeout t = 0; t < SM_N_TIMEOUTS; t++)
        if (g_str_equal (field + strlen ("timeout-"), sm_timeout_to_string (t)))
          return GTK_WIDGET (self->timeout_spins[t]);
    }
  if (g_str_equal (field, "enabled"))
    return GTK_WIDGET (self->enabled_switch);
  if (g_str_equal (field, "save"))
    return GTK_WIDGET (self->save_button);
  if (g_str_equal (field, "test"))
    return self->test_button;
  if (g_str_equal (field, "test-cancel"))
    return self->test_cancel_button;
  if (g_str_equal (field, "trust"))
    return self->trust_button;

  g_return_val_if_reached (NULL);
}

GtkLabel *
_sm_server_dialog_get_error_label (SmServerDialog *self,
                                   const char     *field)
{
  g_return_val_if_fail (SM_IS_SERVER_DIALOG (self), NULL);

  if (field == NULL)
    return self->save_error_label;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (g_str_equal (field, fields[i].id))
        return self->section_labels[fields[i].section];
    }

  g_return_val_if_reached (NULL);
}

void
_sm_server_dialog_set_key_file (SmServerDialog *self,
                                const char     *path)
{
  g_return_if_fail (SM_IS_SERVER_DIALOG (self));

  set_key_file (self, path);
}

const char *
_sm_server_dialog_get_test_result (SmServerDialog *self)
{
  g_return_val_if_fail (SM_IS_SERVER_DIALOG (self), NULL);

  return adw_action_row_get_subtitle (self->test_row);
}

gboolean
_sm_server_dialog_is_testing (SmServerDialog *self)
{
  g_return_val_if_fail (SM_IS_SERVER_DIALOG (self), FALSE);

  return self->test_cancellable != NULL;
}

SmServer *
_sm_server_dialog_get_working_copy (SmServerDialog *self)
{
  g_return_val_if_fail (SM_IS_SERVER_DIALOG (self), NULL);

  return self->server;
}
