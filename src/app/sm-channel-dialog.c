/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-channel-dialog.c: the "Add Channel" / "Edit Channel" dialog.
 *
 * One group per channel type; only the chosen type's group shows. Every
 * change rebuilds the channel from the fields and runs
 * sm_channel_validate, whose "field: problem" shows below the field's
 * group once the field was edited (or holds a value); Save is off while
 * anything is wrong. The stored secret is never read into the dialog: an
 * empty secret field keeps it. Typed secrets live in password buffers and
 * are wiped when the dialog closes.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-alert-store.h"
#include "sm-channel-dialog.h"
#include "sm-channel-dialog-private.h"
#include "sm-telegram.h"

typedef enum {
  FIELD_NAME,
  FIELD_BOT_TOKEN,
  FIELD_CHAT_ID,
  FIELD_API_BASE,
  FIELD_URL,
  FIELD_HOST,
  FIELD_PORT,
  FIELD_USERNAME,
  FIELD_PASSWORD,
  FIELD_FROM,
  FIELD_TO,
  FIELD_CA_FILE,
  N_FIELDS,
} Field;

typedef enum {
  SECTION_GENERAL,
  SECTION_TELEGRAM,
  SECTION_WEBHOOK,
  SECTION_EMAIL,
  N_SECTIONS,
} Section;

static const struct {
  const char *key;      /* the setting or secret, as sm_channel_validate names it */
  const char *label;
  Section     section;
} fields[N_FIELDS] = {
  [FIELD_NAME]      = { "name",      N_("Name"),        SECTION_GENERAL },
  [FIELD_BOT_TOKEN] = { "bot_token", N_("Bot token"),   SECTION_TELEGRAM },
  [FIELD_CHAT_ID]   = { "chat_id",   N_("Chat ID"),     SECTION_TELEGRAM },
  [FIELD_API_BASE]  = { "api_base",  N_("Bot API address"), SECTION_TELEGRAM },
  [FIELD_URL]       = { "url",       N_("URL"),         SECTION_WEBHOOK },
  [FIELD_HOST]      = { "host",      N_("SMTP server"), SECTION_EMAIL },
  [FIELD_PORT]      = { "port",      N_("Port"),        SECTION_EMAIL },
  [FIELD_USERNAME]  = { "username",  N_("User name"),   SECTION_EMAIL },
  [FIELD_PASSWORD]  = { "password",  N_("Password"),    SECTION_EMAIL },
  [FIELD_FROM]      = { "from",      N_("From"),        SECTION_EMAIL },
  [FIELD_TO]        = { "to",        N_("To"),          SECTION_EMAIL },
  [FIELD_CA_FILE]   = { "ca_file",   N_("Certificate authority"), SECTION_EMAIL },
};

static const char * const formats[] = { "generic", "slack", "discord" };
static const char * const securities[] = { "starttls", "tls", "none" };

struct _SmChannelDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  GtkButton            *save_button;
  GtkRevealer          *save_error_revealer;
  GtkLabel             *save_error_label;
  AdwEntryRow          *name_row;
  AdwComboRow          *type_row;
  GtkStringList        *type_model;
  GtkSwitch            *enabled_switch;
  GtkSwitch            *default_switch;
  GtkLabel             *general_error_label;
  AdwPreferencesGroup  *desktop_group;
  AdwPreferencesGroup  *telegram_group;
  AdwPasswordEntryRow  *token_row;
  AdwEntryRow          *chat_id_row;
  GtkSwitch            *attach_chart_switch;
  AdwExpanderRow       *advanced_row;
  AdwEntryRow          *api_base_row;
  GtkLabel             *telegram_error_label;
  AdwPreferencesGroup  *webhook_group;
  AdwPasswordEntryRow  *url_row;
  AdwComboRow          *format_row;
  GtkStringList        *format_model;
  GtkLabel             *webhook_error_label;
  AdwPreferencesGroup  *email_group;
  AdwEntryRow          *host_row;
  AdwEntryRow          *port_row;
  AdwComboRow          *security_row;
  GtkStringList        *security_model;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  AdwEntryRow          *from_row;
  AdwEntryRow          *to_row;
  AdwActionRow         *ca_file_row;
  GtkWidget            *ca_file_clear_button;
  GtkLabel             *email_error_label;
  AdwPreferencesGroup  *test_group;
  AdwActionRow         *test_row;
  GtkSpinner           *test_spinner;
  GtkWidget            *test_button;

  /* Owned references */
  SmStore              *store;
  SmAlertManager       *manager;
  SmChannel            *channel;          /* as loaded; a new one when adding */
  GtkFileChooserNative *ca_chooser;
  GCancellable         *test_cancellable;
  char                 *ca_file;

  /* State */
  GtkWidget            *field_widgets[N_FIELDS];
  GtkLabel             *section_labels[N_SECTIONS];
  GtkWidget            *unchanged_labels[3];   /* token, url, password */
  gboolean              dirty[N_FIELDS];
  guint                 editing : 1;
  guint                 loading : 1;
  guint                 valid : 1;
};

G_DEFINE_FINAL_TYPE (SmChannelDialog, sm_channel_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers */

static SmChannelType
get_type (SmChannelDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->type_row);

  return selected < SM_CHANNEL_N_TYPES ? (SmChannelType) selected : SM_CHANNEL_DESKTOP;
}

static char *
dup_stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static AdwPasswordEntryRow *
get_secret_row (SmChannelDialog *self,
                SmChannelType    type)
{
  switch (type)
    {
    case SM_CHANNEL_TELEGRAM:
      return self->token_row;
    case SM_CHANNEL_WEBHOOK:
      return self->url_row;
    case SM_CHANNEL_EMAIL:
      return self->password_row;
    case SM_CHANNEL_DESKTOP:
    default:
      return NULL;
    }
}

/* Whether the channel as stored has a secret that an empty field keeps. */
static gboolean
keeps_stored_secret (SmChannelDialog *self)
{
  return self->editing && self->channel->has_secret && self->channel->type == get_type (self);
}

/* The typed secret (pointing into the entry's buffer), or NULL when the
 * field is empty. */
static const char *
get_typed_secret (SmChannelDialog *self)
{
  AdwPasswordEntryRow *row = get_secret_row (self, get_type (self));
  const char *text;

  if (row == NULL)
    return NULL;
  text = gtk_editable_get_text (GTK_EDITABLE (row));
  return text[0] != '\0' ? text : NULL;
}

static void
set_setting_from_row (SmChannel   *channel,
                      const char  *key,
                      AdwEntryRow *row)
{
  g_autofree char *text = dup_stripped_text (row);

  sm_channel_set (channel, key, text);
}

/* The channel the fields describe. */
static SmChannel *
build_channel (SmChannelDialog *self)
{
  g_autoptr(SmChannel) channel = sm_channel_copy (self->channel);
  g_autofree char *name = dup_stripped_text (self->name_row);
  SmChannelType type = get_type (self);

  g_free (channel->name);
  channel->name = g_steal_pointer (&name);
  if (channel->type != type)
    channel->has_secret = FALSE;
  channel->type = type;
  channel->enabled = gtk_switch_get_active (self->enabled_switch);
  channel->is_default = gtk_switch_get_active (self->default_switch);
  g_hash_table_remove_all (channel->settings);

  switch (type)
    {
    case SM_CHANNEL_TELEGRAM:
      set_setting_from_row (channel, "chat_id", self->chat_id_row);
      set_setting_from_row (channel, "api_base", self->api_base_row);
      if (gtk_switch_get_active (self->attach_chart_switch))
        sm_channel_set (channel, "attach_chart", "true");
      break;

    case SM_CHANNEL_WEBHOOK:
      {
        guint format = adw_combo_row_get_selected (self->format_row);

        if (format > 0 && format < G_N_ELEMENTS (formats))
          sm_channel_set (channel, "format", formats[format]);
      }
      break;

    case SM_CHANNEL_EMAIL:
      {
        guint security = adw_combo_row_get_selected (self->security_row);

        set_setting_from_row (channel, "host", self->host_row);
        set_setting_from_row (channel, "port", self->port_row);
        if (security < G_N_ELEMENTS (securities))
          sm_channel_set (channel, "security", securities[security]);
        set_setting_from_row (channel, "username", self->username_row);
        set_setting_from_row (channel, "from", self->from_row);
        set_setting_from_row (channel, "to", self->to_row);
        sm_channel_set (channel, "ca_file", self->ca_file);
      }
      break;

    case SM_CHANNEL_DESKTOP:
    default:
      break;
    }

  return g_steal_pointer (&channel);
}

/* Which field "key: problem" is about (the name when none fits). */
static Field
field_for_message (const char *message,
                   const char **out_problem)
{
  const char *colon = strstr (message, ": ");

  *out_problem = message;
  if (colon == NULL)
    return FIELD_NAME;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      gsize len = strlen (fields[i].key);

      if ((gsize) (colon - message) == len && strncmp (message, fields[i].key, len) == 0)
        {
          *out_problem = colon + 2;
          return i;
        }
    }
  return FIELD_NAME;
}

static gboolean
field_is_empty (SmChannelDialog *self,
                Field            field)
{
  GtkWidget *widget = self->field_widgets[field];

  if (field == FIELD_CA_FILE)
    return self->ca_file == NULL;
  return gtk_editable_get_text (GTK_EDITABLE (widget))[0] == '\0';
}

static void
update_validation (SmChannelDialog *self)
{
  g_autoptr(SmChannel) channel = build_channel (self);
  g_autofree char *message = NULL;
  const char *problem = NULL;
  Field field = FIELD_NAME;
  gboolean valid;

  if (channel->name[0] == '\0')
    {
      message = g_strdup (_("Enter a name, as rules will refer to the channel"));
      field = FIELD_NAME;
      problem = message;
    }
  else
    {
      g_autoptr(SmChannel) other = sm_store_find_channel (self->store, channel->name, NULL);

      if (other != NULL && other->id != self->channel->id)
        {
          message = g_strdup_printf (_("A channel named “%s” already exists"), other->name);
          field = FIELD_NAME;
          problem = message;
        }
    }

  if (message == NULL)
    {
      message = sm_channel_validate (channel, get_typed_secret (self));
      if (message != NULL)
        field = field_for_message (message, &problem);
    }

  valid = message == NULL;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      GtkWidget *widget = self->field_widgets[i];

      gtk_widget_remove_css_class (widget, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_STATE_INVALID);
    }
  for (guint i = 0; i < N_SECTIONS; i++)
    gtk_widget_set_visible (GTK_WIDGET (self->section_labels[i]), FALSE);

  if (message != NULL && (self->dirty[field] || !field_is_empty (self, field)))
    {
      GtkWidget *widget = self->field_widgets[field];
      GtkLabel *label = self->section_labels[fields[field].section];
      g_autofree char *text = NULL;

      if (problem == message)
        text = g_strdup (message);
      else
        /* Translators: a field's name and what is wrong with it, as in
         * "Chat ID: must be a number or @channelname". */
        text = g_strdup_printf (_("%s: %s"), _(fields[field].label), problem);
      gtk_label_set_text (label, text);
      gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
      gtk_widget_add_css_class (widget, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (widget),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }

  self->valid = valid;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", valid);
}

/* UI updates */

static void
update_type_groups (SmChannelDialog *self)
{
  SmChannelType type = get_type (self);

  gtk_widget_set_visible (GTK_WIDGET (self->desktop_group), type == SM_CHANNEL_DESKTOP);
  gtk_widget_set_visible (GTK_WIDGET (self->telegram_group), type == SM_CHANNEL_TELEGRAM);
  gtk_widget_set_visible (GTK_WIDGET (self->webhook_group), type == SM_CHANNEL_WEBHOOK);
  gtk_widget_set_visible (GTK_WIDGET (self->email_group), type == SM_CHANNEL_EMAIL);
}

static void
update_unchanged_labels (SmChannelDialog *self)
{
  AdwPasswordEntryRow *rows[] = { self->token_row, self->url_row, self->password_row };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_widget_set_visible (self->unchanged_labels[i],
                            keeps_stored_secret (self) &&
                            gtk_editable_get_text (GTK_EDITABLE (rows[i]))[0] == '\0');
}

static void
update_ca_file_row (SmChannelDialog *self)
{
  adw_action_row_set_subtitle (self->ca_file_row,
                               self->ca_file != NULL ? self->ca_file
                                                     : _("The system’s certificates"));
  gtk_widget_set_visible (self->ca_file_clear_button, self->ca_file != NULL);
}

static void
set_test_result (SmChannelDialog *self,
                 const char      *text,
                 const char      *css_class)
{
  static const char * const classes[] = { "success", "error" };
  GtkWidget *row = GTK_WIDGET (self->test_row);

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
set_testing (SmChannelDialog *self,
             gboolean         testing)
{
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), testing);
  gtk_spinner_set_spinning (self->test_spinner, testing);
  gtk_widget_set_sensitive (self->test_button, !testing);
}

static void
set_ca_file (SmChannelDialog *self,
             const char      *path)
{
  g_free (self->ca_file);
  self->ca_file = path != NULL && path[0] != '\0' ? g_strdup (path) : NULL;
  self->dirty[FIELD_CA_FILE] = TRUE;
  update_ca_file_row (self);
  update_validation (self);
}

/* Callbacks */

static void
field_changed_cb (SmChannelDialog *self,
                  GtkEditable     *editable)
{
  if (self->loading)
    return;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (self->field_widgets[i] == GTK_WIDGET (editable))
        self->dirty[i] = TRUE;
    }
  update_unchanged_labels (self);
  update_validation (self);
}

static void
combo_changed_cb (SmChannelDialog *self)
{
  if (self->loading)
    return;

  update_type_groups (self);
  update_unchanged_labels (self);
  update_validation (self);
}

static void
ca_chooser_response_cb (SmChannelDialog *self,
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
    set_ca_file (self, path);
}

static void
choose_ca_file_cb (SmChannelDialog *self)
{
  if (self->ca_chooser == NULL)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      self->ca_chooser = gtk_file_chooser_native_new (_("Choose Certificate Authority"),
                                                      GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_OPEN,
                                                      _("_Choose"),
                                                      _("_Cancel"));
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->ca_chooser), TRUE);
      gtk_file_filter_set_name (filter, _("PEM Certificates"));
      gtk_file_filter_add_pattern (filter, "*.pem");
      gtk_file_filter_add_pattern (filter, "*.crt");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_chooser), filter);
      g_signal_connect_object (self->ca_chooser, "response",
                               G_CALLBACK (ca_chooser_response_cb), self,
                               G_CONNECT_SWAPPED);
    }

  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->ca_chooser));
}

static void
clear_ca_file_cb (SmChannelDialog *self)
{
  set_ca_file (self, NULL);
}

/* Test */

static void
test_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(SmChannelDialog) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_weak_ref_clear (weak);
  g_free (weak);

  ok = sm_alert_manager_test_channel_finish (SM_ALERT_MANAGER (object), result, &error);

  /* The dialog went meanwhile. */
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->test_cancellable);
  set_testing (self, FALSE);

  if (ok)
    set_test_result (self, _("Test message sent."), "success");
  else
    set_test_result (self, error->message, "error");
}

static void
test_clicked_cb (SmChannelDialog *self)
{
  g_autoptr(SmChannel) channel = NULL;
  g_autoptr(SmSecret) stored = NULL;
  g_autofree char *message = NULL;
  const char *secret;
  GWeakRef *weak;

  if (self->manager == NULL)
    return;

  channel = build_channel (self);
  secret = get_typed_secret (self);
  message = sm_channel_validate (channel, secret);
  if (message != NULL)
    {
      const char *problem;
      Field field = field_for_message (message, &problem);
      g_autofree char *text = NULL;

      if (problem == message)
        text = g_strdup (message);
      else
        text = g_strdup_printf (_("%s: %s"), _(fields[field].label), problem);
      set_test_result (self, text, "error");
      return;
    }

  /* The unsaved settings with the stored secret when none is typed. */
  if (secret == NULL && keeps_stored_secret (self))
    {
      g_autoptr(GError) error = NULL;

      stored = sm_store_load_channel_secret (self->store, self->channel, &error);
      if (error != NULL)
        {
          set_test_result (self, error->message, "error");
          return;
        }
      secret = stored;
    }

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  self->test_cancellable = g_cancellable_new ();

  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  /* Built from the fields: an unsaved channel goes by id 0. */
  channel->id = 0;
  sm_alert_manager_test_channel_async (self->manager, channel, secret,
                                       self->test_cancellable, test_done_cb, weak);

  set_test_result (self, _("Sending…"), NULL);
  set_testing (self, TRUE);
}

/* Actions */

static void
wipe_secrets (SmChannelDialog *self)
{
  gboolean was_loading = self->loading;

  self->loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  self->loading = was_loading;
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SmChannelDialog *self = SM_CHANNEL_DIALOG (widget);
  g_autoptr(SmChannelDialog) hold = NULL;
  g_autoptr(SmChannel) channel = NULL;
  g_autoptr(GError) error = NULL;
  const char *secret;
  SmSecretAction action;

  update_validation (self);
  if (!self->valid)
    return;

  channel = build_channel (self);
  secret = get_typed_secret (self);
  if (secret != NULL)
    action = SM_SECRET_SET;
  else if (sm_channel_type_get_secret_key (channel->type) == NULL ||
           (self->editing && self->channel->has_secret && !keeps_stored_secret (self)))
    action = SM_SECRET_CLEAR;
  else
    action = SM_SECRET_KEEP;

  if (!sm_store_save_channel (self->store, channel, action, secret, &error))
    {
      gtk_label_set_text (self->save_error_label, error->message);
      gtk_revealer_set_reveal_child (self->save_error_revealer, TRUE);
      self->dirty[FIELD_NAME] = TRUE;
      update_validation (self);
      return;
    }

  wipe_secrets (self);
  gtk_revealer_set_reveal_child (self->save_error_revealer, FALSE);
  if (self->manager != NULL)
    sm_alert_manager_reload (self->manager, NULL);

  hold = g_object_ref (self);
  g_signal_emit (self, signals[SAVED], 0, channel->name);
  gtk_window_close (GTK_WINDOW (self));
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static gboolean
sm_channel_dialog_close_request (GtkWindow *window)
{
  SmChannelDialog *self = SM_CHANNEL_DIALOG (window);

  wipe_secrets (self);
  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);

  return GTK_WINDOW_CLASS (sm_channel_dialog_parent_class)->close_request (window);
}

/* Construction */

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

static GtkWidget *
add_unchanged_label (AdwPasswordEntryRow *row)
{
  GtkWidget *label = gtk_label_new (_("Unchanged"));

  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_visible (label, FALSE);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), label);
  return label;
}

static void
set_row_text (AdwEntryRow *row,
              const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static void
load_channel (SmChannelDialog *self)
{
  SmChannel *channel = self->channel;
  const char *value;

  set_row_text (self->name_row, channel->name);
  adw_combo_row_set_selected (self->type_row, channel->type);
  gtk_switch_set_active (self->enabled_switch, channel->enabled);
  gtk_switch_set_active (self->default_switch, channel->is_default);

  set_row_text (self->chat_id_row, sm_channel_get (channel, "chat_id"));
  set_row_text (self->api_base_row, sm_channel_get (channel, "api_base"));
  adw_expander_row_set_expanded (self->advanced_row, sm_channel_get (channel, "api_base") != NULL);
  gtk_switch_set_active (self->attach_chart_switch,
                         g_strcmp0 (sm_channel_get (channel, "attach_chart"), "true") == 0);

  value = sm_channel_get (channel, "format");
  adw_combo_row_set_selected (self->format_row, 0);
  for (guint i = 0; value != NULL && i < G_N_ELEMENTS (formats); i++)
    if (g_str_equal (value, formats[i]))
      adw_combo_row_set_selected (self->format_row, i);

  set_row_text (self->host_row, sm_channel_get (channel, "host"));
  set_row_text (self->port_row, sm_channel_get (channel, "port") ?: "587");
  value = sm_channel_get (channel, "security");
  adw_combo_row_set_selected (self->security_row, 0);
  for (guint i = 0; value != NULL && i < G_N_ELEMENTS (securities); i++)
    if (g_str_equal (value, securities[i]))
      adw_combo_row_set_selected (self->security_row, i);
  set_row_text (self->username_row, sm_channel_get (channel, "username"));
  set_row_text (self->from_row, sm_channel_get (channel, "from"));
  set_row_text (self->to_row, sm_channel_get (channel, "to"));
  g_free (self->ca_file);
  self->ca_file = g_strdup (sm_channel_get (channel, "ca_file"));
}

static void
sm_channel_dialog_dispose (GObject *object)
{
  SmChannelDialog *self = SM_CHANNEL_DIALOG (object);

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);

  if (self->ca_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ca_chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->ca_chooser));
      g_clear_object (&self->ca_chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_CHANNEL_DIALOG);

  g_clear_object (&self->store);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (sm_channel_dialog_parent_class)->dispose (object);
}

static void
sm_channel_dialog_finalize (GObject *object)
{
  SmChannelDialog *self = SM_CHANNEL_DIALOG (object);

  g_clear_pointer (&self->channel, sm_channel_free);
  g_clear_pointer (&self->ca_file, g_free);

  G_OBJECT_CLASS (sm_channel_dialog_parent_class)->finalize (object);
}

static void
sm_channel_dialog_class_init (SmChannelDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sm_channel_dialog_dispose;
  object_class->finalize = sm_channel_dialog_finalize;
  window_class->close_request = sm_channel_dialog_close_request;

  /**
   * SmChannelDialog::saved:
   * @name: the saved channel's name
   *
   * Emitted after the channel was saved; the dialog closes afterwards.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/sm-channel-dialog.ui");

  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, save_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, save_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, type_model);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, default_switch);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, general_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, desktop_group);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, telegram_group);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, chat_id_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, attach_chart_switch);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, api_base_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, telegram_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, webhook_group);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, format_model);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, webhook_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, email_group);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, security_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, security_model);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, from_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, to_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, ca_file_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, ca_file_clear_button);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, email_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, test_group);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, test_row);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, SmChannelDialog, test_button);

  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, combo_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_ca_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_ca_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "dialog.cancel", NULL, cancel_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "dialog.cancel", NULL);
}

static void
sm_channel_dialog_init (SmChannelDialog *self)
{
  self->loading = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (SmChannelType t = 0; t < SM_CHANNEL_N_TYPES; t++)
    gtk_string_list_append (self->type_model, sm_channel_type_to_label (t));
  gtk_string_list_append (self->format_model, _("Generic JSON"));
  gtk_string_list_append (self->format_model, _("Slack"));
  gtk_string_list_append (self->format_model, _("Discord"));
  gtk_string_list_append (self->security_model, _("STARTTLS"));
  gtk_string_list_append (self->security_model, _("TLS"));
  gtk_string_list_append (self->security_model, _("None (Only on This Computer)"));

  use_password_buffer (self->token_row);
  use_password_buffer (self->url_row);
  use_password_buffer (self->password_row);
  self->unchanged_labels[0] = add_unchanged_label (self->token_row);
  self->unchanged_labels[1] = add_unchanged_label (self->url_row);
  self->unchanged_labels[2] = add_unchanged_label (self->password_row);

  {
    g_autofree char *subtitle = NULL;

    /* Translators: %s is the address of Telegram's Bot API. */
    subtitle = g_strdup_printf (_("A self-hosted Bot API server instead of %s"),
                                SM_TELEGRAM_DEFAULT_API_BASE);
    adw_expander_row_set_subtitle (self->advanced_row, subtitle);
  }

  self->field_widgets[FIELD_NAME] = GTK_WIDGET (self->name_row);
  self->field_widgets[FIELD_BOT_TOKEN] = GTK_WIDGET (self->token_row);
  self->field_widgets[FIELD_CHAT_ID] = GTK_WIDGET (self->chat_id_row);
  self->field_widgets[FIELD_API_BASE] = GTK_WIDGET (self->api_base_row);
  self->field_widgets[FIELD_URL] = GTK_WIDGET (self->url_row);
  self->field_widgets[FIELD_HOST] = GTK_WIDGET (self->host_row);
  self->field_widgets[FIELD_PORT] = GTK_WIDGET (self->port_row);
  self->field_widgets[FIELD_USERNAME] = GTK_WIDGET (self->username_row);
  self->field_widgets[FIELD_PASSWORD] = GTK_WIDGET (self->password_row);
  self->field_widgets[FIELD_FROM] = GTK_WIDGET (self->from_row);
  self->field_widgets[FIELD_TO] = GTK_WIDGET (self->to_row);
  self->field_widgets[FIELD_CA_FILE] = GTK_WIDGET (self->ca_file_row);

  self->section_labels[SECTION_GENERAL] = self->general_error_label;
  self->section_labels[SECTION_TELEGRAM] = self->telegram_error_label;
  self->section_labels[SECTION_WEBHOOK] = self->webhook_error_label;
  self->section_labels[SECTION_EMAIL] = self->email_error_label;
}

/**
 * sm_channel_dialog_new:
 * @parent: (nullable): the window the dialog is modal for
 * @store: the store to save to
 * @manager: (nullable): sends test messages; reloaded after a save
 * @channel: (nullable): the channel to edit, or NULL to add one
 *
 * Returns: (transfer none): a new dialog, owned by GTK's list of toplevels
 */
SmChannelDialog *
sm_channel_dialog_new (GtkWindow       *parent,
                       SmStore         *store,
                       SmAlertManager  *manager,
                       const SmChannel *channel)
{
  SmChannelDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (manager == NULL || SM_IS_ALERT_MANAGER (manager), NULL);

  self = g_object_new (SM_TYPE_CHANNEL_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  if (manager != NULL)
    self->manager = g_object_ref (manager);
  self->editing = channel != NULL;
  if (channel != NULL)
    {
      self->channel = sm_channel_copy (channel);
    }
  else
    {
      g_autoptr(GPtrArray) existing = sm_store_list_channels (store, NULL);

      self->channel = sm_channel_new ("", SM_CHANNEL_TELEGRAM);
      /* The first channel is the default one; later ones are opt-in. */
      self->channel->is_default = existing == NULL || existing->len == 0;
    }

  gtk_window_set_title (GTK_WINDOW (self),
                        self->editing ? _("Edit Channel") : _("Add Channel"));
  gtk_button_set_label (self->save_button,
                        self->editing ? _("_Save") : _("_Add"));
  /* A stored secret belongs to its type. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->type_row), !self->editing);
  gtk_widget_set_visible (GTK_WIDGET (self->test_group), self->manager != NULL);

  load_channel (self);
  self->loading = FALSE;

  update_type_groups (self);
  update_unchanged_labels (self);
  update_ca_file_row (self);
  update_validation (self);

  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));

  return self;
}

/* Test accessors */

GtkWidget *
_sm_channel_dialog_get_row (SmChannelDialog *self,
                            const char      *field)
{
  g_return_val_if_fail (SM_IS_CHANNEL_DIALOG (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (g_str_equal (field, fields[i].key))
        return self->field_widgets[i];
    }
  if (g_str_equal (field, "type"))
    return GTK_WIDGET (self->type_row);
  if (g_str_equal (field, "enabled"))
    return GTK_WIDGET (self->enabled_switch);
  if (g_str_equal (field, "default"))
    return GTK_WIDGET (self->default_switch);
  if (g_str_equal (field, "attach_chart"))
    return GTK_WIDGET (self->attach_chart_switch);
  if (g_str_equal (field, "format"))
    return GTK_WIDGET (self->format_row);
  if (g_str_equal (field, "security"))
    return GTK_WIDGET (self->security_row);
  if (g_str_equal (field, "save"))
    return GTK_WIDGET (self->save_button);
  if (g_str_equal (field, "test"))
    return self->test_button;

  g_return_val_if_reached (NULL);
}

const char *
_sm_channel_dialog_get_error (SmChannelDialog *self,
                              const char      *field)
{
  g_return_val_if_fail (SM_IS_CHANNEL_DIALOG (self), NULL);

  if (field == NULL)
    return gtk_revealer_get_reveal_child (self->save_error_revealer)
           ? gtk_label_get_text (self->save_error_label) : NULL;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (g_str_equal (field, fields[i].key))
        {
          GtkLabel *label = self->section_labels[fields[i].section];

          return gtk_widget_get_visible (GTK_WIDGET (label)) ? gtk_label_get_text (label) : NULL;
        }
    }

  g_return_val_if_reached (NULL);
}

const char *
_sm_channel_dialog_get_test_result (SmChannelDialog *self)
{
  g_return_val_if_fail (SM_IS_CHANNEL_DIALOG (self), NULL);

  return adw_action_row_get_subtitle (self->test_row);
}

gboolean
_sm_channel_dialog_is_testing (SmChannelDialog *self)
{
  g_return_val_if_fail (SM_IS_CHANNEL_DIALOG (self), FALSE);

  return self->test_cancellable != NULL;
}

void
_sm_channel_dialog_set_ca_file (SmChannelDialog *self,
                                const char      *path)
{
  g_return_if_fail (SM_IS_CHANNEL_DIALOG (self));

  set_ca_file (self, path);
}
