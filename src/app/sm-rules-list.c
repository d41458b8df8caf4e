/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-rules-list.c: a boxed list of alert rules with "Add Rule".
 *
 * The rows are rebuilt from the store when the manager says the
 * configuration changed; a change to active alerts alone (the same rules)
 * leaves them as they are, so a switch being toggled keeps its focus.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sm-alert-store.h"
#include "sm-rule-dialog.h"
#include "sm-rules-list.h"
#include "sm-rules-list-private.h"

struct _SmRulesList
{
  AdwPreferencesGroup  parent_instance;

  /* Widgets */
  AdwPreferencesGroup *group;         /* self */
  GtkWidget           *add_button;
  GtkWidget           *empty_row;
  GPtrArray           *rows;        /* AdwActionRow */

  /* Owned references */
  SmStore             *store;
  SmAlertManager      *manager;
  GPtrArray           *rules;       /* SmAlertRule, as shown */
  char                *shown;       /* the shown rules as JSON text */

  /* State */
  gint64               server_id;
  guint                updating : 1;
};

G_DEFINE_FINAL_TYPE (SmRulesList, sm_rules_list, ADW_TYPE_PREFERENCES_GROUP)

/* Summaries */

static char *
format_duration_words (gint64 seconds)
{
  if (seconds % 86400 == 0)
    return g_strdup_printf (ngettext ("%d day", "%d days", (gulong) (seconds / 86400)),
                            (int) (seconds / 86400));
  if (seconds % 3600 == 0)
    /* Translators: a duration in hours. */
    return g_strdup_printf (_("%d h"), (int) (seconds / 3600));
  if (seconds % 60 == 0)
    /* Translators: a duration in minutes. */
    return g_strdup_printf (_("%d min"), (int) (seconds / 60));
  /* Translators: a duration in seconds. */
  return g_strdup_printf (_("%d s"), (int) seconds);
}

char *
sm_alert_rule_dup_summary (const SmAlertRule *rule)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *condition = NULL;

  g_return_val_if_fail (rule != NULL, NULL);

  condition = sm_alert_describe_condition (rule, NULL);
  g_string_append (text, condition);

  if (rule->for_seconds > 0)
    {
      g_autofree char *duration = format_duration_words (rule->for_seconds);

      /* Translators: appended to a rule's condition: "for 5 min". */
      g_string_append_printf (text, _(" for %s"), duration);
    }

  /* Translators: appended to a rule's summary: " — critical". */
  g_string_append_printf (text, _(" — %s"),
                          rule->severity == SM_SEVERITY_CRITICAL ? _("critical") : _("warning"));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The second line: where and how it notifies. */
static char *
dup_details (const SmAlertRule *rule,
             gboolean           show_scope)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (show_scope)
    {
      switch (rule->scope)
        {
        case SM_ALERT_SCOPE_GROUP:
          /* Translators: %s is a group of servers. */
          g_ptr_array_add (parts, g_strdup_printf (_("Group “%s”"), rule->scope_value));
          break;

        case SM_ALERT_SCOPE_TAG:
          /* Translators: %s is a tag. */
          g_ptr_array_add (parts, g_strdup_printf (_("Tag “%s”"), rule->scope_value));
          break;

        case SM_ALERT_SCOPE_SERVER:
        case SM_ALERT_SCOPE_ALL:
        default:
          g_ptr_array_add (parts, g_strdup (_("All servers")));
          break;
        }
    }

  if (rule->channels != NULL && rule->channels[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", rule->channels);

      /* Translators: %s lists channel names. */
      g_ptr_array_add (parts, g_strdup_printf (_("Sends to %s"), joined));
    }
  else
    {
      g_ptr_array_add (parts, g_strdup (_("Default channels")));
    }

  if (rule->retries > 1)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("After %u failed check",
                                                       "After %u failed checks",
                                                       rule->retries),
                                             rule->retries));
  if (rule->business_hours != NULL && rule->business_hours->len > 0)
    g_ptr_array_add (parts, g_strdup (_("Business hours only")));

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* Helpers */

static gboolean
rule_is_shown (SmRulesList       *self,
               const SmAlertRule *rule)
{
  g_autofree char *id = NULL;

  if (self->server_id == 0)
    return rule->scope != SM_ALERT_SCOPE_SERVER;

  id = g_strdup_printf ("%" G_GINT64_FORMAT, self->server_id);
  return rule->scope == SM_ALERT_SCOPE_SERVER && g_strcmp0 (rule->scope_value, id) == 0;
}

static SmAlertRule *
find_rule (SmRulesList *self,
           const char  *rule_id)
{
  for (guint i = 0; self->rules != NULL && i < self->rules->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (self->rules, i);

      if (g_strcmp0 (rule->id, rule_id) == 0)
        return rule;
    }
  return NULL;
}

/* The rules as text, to tell whether the list must be rebuilt. */
static char *
dup_rules_text (GPtrArray *rules)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < rules->len; i++)
    {
      g_autoptr(JsonNode) node = sm_alert_rule_to_json (g_ptr_array_index (rules, i));
      g_autofree char *json = json_to_string (node, FALSE);

      g_string_append (text, json);
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

static void
show_error (SmRulesList *self,
            const char  *message)
{
  adw_preferences_group_set_description (self->group, message);
}

static void
reload_manager (SmRulesList *self)
{
  if (self->manager != NULL)
    sm_alert_manager_reload (self->manager, NULL);
  else
    sm_rules_list_refresh (self);
}

static GtkWindow *
get_parent_window (SmRulesList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* Callbacks */

static void
enabled_changed_cb (GtkSwitch   *toggle,
                    GParamSpec  *pspec,
                    SmRulesList *self)
{
  const char *rule_id = g_object_get_data (G_OBJECT (toggle), "rule-id");
  SmAlertRule *rule = find_rule (self, rule_id);
  g_autoptr(SmAlertRule) copy = NULL;
  g_autoptr(GError) error = NULL;

  if (self->updating || rule == NULL || self->store == NULL)
    return;
  if (rule->enabled == gtk_switch_get_active (toggle))
    return;

  copy = sm_alert_rule_copy (rule);
  copy->enabled = gtk_switch_get_active (toggle);
  if (!sm_store_save_rule (self->store, copy, &error))
    {
      show_error (self, error->message);
      self->updating = TRUE;
      gtk_switch_set_active (toggle, rule->enabled);
      self->updating = FALSE;
      return;
    }
  rule->enabled = copy->enabled;
  /* The row already shows it: the reload need not rebuild the rows (and
   * must not, while this switch is busy notifying). */
  g_free (self->shown);
  self->shown = dup_rules_text (self->rules);
  reload_manager (self);
}

static void
edit_clicked_cb (GtkButton   *button,
                 SmRulesList *self)
{
  const char *rule_id = g_object_get_data (G_OBJECT (button), "rule-id");
  SmAlertRule *rule = find_rule (self, rule_id);
  SmRuleDialog *dialog;

  if (rule == NULL || self->store == NULL)
    return;

  dialog = sm_rule_dialog_new (get_parent_window (self), self->store, self->manager,
                               rule, self->server_id);
  g_signal_connect_object (dialog, "saved",
                           G_CALLBACK (sm_rules_list_refresh), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SmRulesList      *self)
{
  const char *rule_id = g_object_get_data (G_OBJECT (dialog), "rule-id");

  if (g_strcmp0 (response, "delete") == 0)
    _sm_rules_list_delete_rule (self, rule_id);
}

static void
delete_clicked_cb (GtkButton   *button,
                   SmRulesList *self)
{
  const char *rule_id = g_object_get_data (G_OBJECT (button), "rule-id");
  SmAlertRule *rule = find_rule (self, rule_id);
  g_autofree char *summary = NULL;
  GtkWidget *dialog;

  if (rule == NULL)
    return;

  summary = sm_alert_rule_dup_summary (rule);
  dialog = adw_message_dialog_new (get_parent_window (self), _("Delete Rule?"), summary);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "rule-id", g_strdup (rule_id), g_free);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_clicked_cb (SmRulesList *self)
{
  SmRuleDialog *dialog;

  if (self->store == NULL)
    return;

  dialog = sm_rule_dialog_new (get_parent_window (self), self->store, self->manager,
                               NULL, self->server_id);
  g_signal_connect_object (dialog, "saved",
                           G_CALLBACK (sm_rules_list_refresh), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Rows */

static GtkWidget *
create_row (SmRulesList       *self,
            const SmAlertRule *rule)
{
  g_autofree char *summary = sm_alert_rule_dup_summary (rule);
  g_autofree char *details = dup_details (rule, self->server_id == 0);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();
  GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), summary);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), details);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);

  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (toggle), rule->enabled);
  gtk_widget_set_tooltip_text (toggle, _("Enabled"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Enabled"),
                                  -1);
  g_object_set_data_full (G_OBJECT (toggle), "rule-id", g_strdup (rule->id), g_free);
  g_signal_connect_object (toggle, "notify::active",
                           G_CALLBACK (enabled_changed_cb), self, 0);

  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *button = i == 0 ? edit : delete;
      const char *label = i == 0 ? _("Edit Rule") : _("Delete Rule");

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data_full (G_OBJECT (button), "rule-id", g_strdup (rule->id), g_free);
    }
  g_signal_connect_object (edit, "clicked", G_CALLBACK (edit_clicked_cb), self, 0);
  g_signal_connect_object (delete, "clicked", G_CALLBACK (delete_clicked_cb), self, 0);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
  g_object_set_data_full (G_OBJECT (row), "rule-id", g_strdup (rule->id), g_free);
  g_object_set_data (G_OBJECT (row), "switch", toggle);

  return row;
}

static void
clear_rows (SmRulesList *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  if (self->empty_row != NULL)
    {
      adw_preferences_group_remove (self->group, self->empty_row);
      self->empty_row = NULL;
    }
}

void
sm_rules_list_refresh (SmRulesList *self)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SM_IS_RULES_LIST (self));

  /* A dialog that outlived the list. */
  if (self->rows == NULL)
    return;

  gtk_widget_set_sensitive (self->add_button, self->store != NULL);
  if (self->store == NULL)
    {
      clear_rows (self);
      g_clear_pointer (&self->shown, g_free);
      return;
    }

  all = sm_store_list_rules (self->store, &error);
  if (all == NULL)
    {
      show_error (self, error->message);
      return;
    }

  shown = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_alert_rule_free);
  for (guint i = 0; i < all->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (all, i);

      if (rule_is_shown (self, rule))
        g_ptr_array_add (shown, sm_alert_rule_copy (rule));
    }
  text = dup_rules_text (shown);

  adw_preferences_group_set_title (self->group,
                                   self->server_id == 0 ? _("Global Rules") : _("Alert Rules"));
  adw_preferences_group_set_description (self->group,
                                         self->server_id == 0
                                         ? _("Rules for all servers, a group or a tag. Each server also has rules of its own.")
                                         : NULL);

  /* The same rules: nothing to rebuild. */
  if (self->shown != NULL && g_str_equal (self->shown, text))
    return;

  g_free (self->shown);
  self->shown = g_steal_pointer (&text);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  self->rules = g_steal_pointer (&shown);

  self->updating = TRUE;
  clear_rows (self);
  for (guint i = 0; i < self->rules->len; i++)
    {
      GtkWidget *row = create_row (self, g_ptr_array_index (self->rules, i));

      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
    }
  if (self->rules->len == 0)
    {
      self->empty_row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->empty_row), _("No Rules"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->empty_row),
                                   self->server_id == 0
                                   ? _("Add a rule to watch every server, or the servers of a group or tag.")
                                   : _("Nothing on this server raises an alert."));
      gtk_widget_add_css_class (self->empty_row, "dim-label");
      adw_preferences_group_add (self->group, self->empty_row);
    }
  self->updating = FALSE;
}

static void
manager_changed_cb (SmRulesList *self)
{
  sm_rules_list_refresh (self);
}

/* GObject */

static void
sm_rules_list_dispose (GObject *object)
{
  SmRulesList *self = SM_RULES_LIST (object);

  /* Taken out before the group goes: it would unparent it twice. */
  if (self->add_button != NULL)
    {
      adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self), NULL);
      self->add_button = NULL;
    }
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->shown, g_free);

  G_OBJECT_CLASS (sm_rules_list_parent_class)->dispose (object);
}

/* libadwaita 1.2's preferences pages keep their groups alive after the
 * window went: let go of the store and the manager when taken out of the
 * window, so that they do not stay alive with it. */
static void
sm_rules_list_unroot (GtkWidget *widget)
{
  SmRulesList *self = SM_RULES_LIST (widget);

  GTK_WIDGET_CLASS (sm_rules_list_parent_class)->unroot (widget);

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);
}

static void
sm_rules_list_class_init (SmRulesListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_rules_list_dispose;
  widget_class->unroot = sm_rules_list_unroot;
}

static void
sm_rules_list_init (SmRulesList *self)
{
  GtkWidget *content;

  self->rows = g_ptr_array_new ();
  self->group = ADW_PREFERENCES_GROUP (self);
  adw_preferences_group_set_title (self->group, _("Alert Rules"));

  self->add_button = gtk_button_new ();
  content = adw_button_content_new ();
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("_Add Rule"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (self->add_button), content);
  gtk_widget_set_valign (self->add_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->add_button, "flat");
  gtk_widget_set_sensitive (self->add_button, FALSE);
  g_signal_connect_object (self->add_button, "clicked",
                           G_CALLBACK (add_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_set_header_suffix (self->group, self->add_button);

}

GtkWidget *
sm_rules_list_new (void)
{
  return g_object_new (SM_TYPE_RULES_LIST, NULL);
}

void
sm_rules_list_set_source (SmRulesList    *self,
                          SmStore        *store,
                          SmAlertManager *manager)
{
  g_return_if_fail (SM_IS_RULES_LIST (self));
  g_return_if_fail (store == NULL || SM_IS_STORE (store));
  g_return_if_fail (manager == NULL || SM_IS_ALERT_MANAGER (manager));

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_set_object (&self->store, store);
  g_set_object (&self->manager, manager);
  if (self->manager != NULL)
    g_signal_connect_object (self->manager, "changed",
                             G_CALLBACK (manager_changed_cb), self,
                             G_CONNECT_SWAPPED);

  g_clear_pointer (&self->shown, g_free);
  sm_rules_list_refresh (self);
}

void
sm_rules_list_set_server_id (SmRulesList *self,
                             gint64       server_id)
{
  g_return_if_fail (SM_IS_RULES_LIST (self));
  g_return_if_fail (server_id >= 0);

  if (self->server_id == server_id)
    return;
  self->server_id = server_id;
  g_clear_pointer (&self->shown, g_free);
  sm_rules_list_refresh (self);
}

gint64
sm_rules_list_get_server_id (SmRulesList *self)
{
  g_return_val_if_fail (SM_IS_RULES_LIST (self), 0);

  return self->server_id;
}

/* Test accessors */

guint
_sm_rules_list_get_n_rows (SmRulesList *self)
{
  g_return_val_if_fail (SM_IS_RULES_LIST (self), 0);

  return self->rows->len;
}

AdwActionRow *
_sm_rules_list_get_row (SmRulesList *self,
                        const char  *rule_id)
{
  g_return_val_if_fail (SM_IS_RULES_LIST (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "rule-id"), rule_id) == 0)
        return ADW_ACTION_ROW (row);
    }
  return NULL;
}

GtkSwitch *
_sm_rules_list_get_switch (SmRulesList *self,
                           const char  *rule_id)
{
  AdwActionRow *row = _sm_rules_list_get_row (self, rule_id);

  return row != NULL ? g_object_get_data (G_OBJECT (row), "switch") : NULL;
}

gboolean
_sm_rules_list_delete_rule (SmRulesList *self,
                            const char  *rule_id)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SM_IS_RULES_LIST (self), FALSE);

  if (self->store == NULL)
    return FALSE;
  if (!sm_store_delete_rule (self->store, rule_id, &error))
    {
      show_error (self, error->message);
      return FALSE;
    }
  reload_manager (self);
  /* Without a ::changed (no manager) the list was refreshed already. */
  if (self->manager != NULL)
    sm_rules_list_refresh (self);
  return TRUE;
}
