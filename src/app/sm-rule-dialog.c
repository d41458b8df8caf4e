/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-rule-dialog.c: the "Add Rule" / "Edit Rule" dialog.
 *
 * Like the server dialog: every change rebuilds the rule from the fields
 * and validates it; an invalid field disables Save at once, its message
 * shows below its group once the field was edited (or holds a value).
 * The last word is sm_alert_rule_validate's, whose "field: problem" is
 * shown below the field's group too.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sm-alert-store.h"
#include "sm-rule-dialog.h"
#include "sm-rule-dialog-private.h"

typedef enum {
  FIELD_METRIC,
  FIELD_THRESHOLD,
  FIELD_CLEAR,
  FIELD_FOR,
  FIELD_REPEAT,
  FIELD_ESCALATE,
  FIELD_ESCALATE_TO,
  FIELD_START,
  FIELD_END,
  FIELD_SCOPE_VALUE,
  N_FIELDS,
} Field;

typedef enum {
  SECTION_CONDITION,
  SECTION_ALERT,
  SECTION_HOURS,
  SECTION_SCOPE,
  N_SECTIONS,
} Section;

static const struct {
  const char *id;
  /* The name sm_alert_rule_validate gives the field ("threshold: …"). */
  const char *rule_field;
  /* The field's name in front of a message: "Threshold: must be a number". */
  const char *label;
  Section     section;
} fields[N_FIELDS] = {
  [FIELD_METRIC]      = { "metric",      "metric",         N_("Metric name"),   SECTION_CONDITION },
  [FIELD_THRESHOLD]   = { "threshold",   "threshold",      N_("Threshold"),     SECTION_CONDITION },
  [FIELD_CLEAR]       = { "clear",       "clear",          N_("Clear threshold"), SECTION_CONDITION },
  [FIELD_FOR]         = { "for",         "for",            N_("Duration"),      SECTION_CONDITION },
  [FIELD_REPEAT]      = { "repeat",      "repeat",         N_("Repeat interval"), SECTION_ALERT },
  [FIELD_ESCALATE]    = { "escalate",    "escalate_after", N_("Escalation delay"), SECTION_ALERT },
  [FIELD_ESCALATE_TO] = { "escalate-to", "escalate_to",    N_("Escalation channel"), SECTION_ALERT },
  [FIELD_START]       = { "start",       "business_hours", N_("Start time"),    SECTION_HOURS },
  [FIELD_END]         = { "end",         NULL,             N_("End time"),      SECTION_HOURS },
  [FIELD_SCOPE_VALUE] = { "scope-value", "scope",          N_("Scope"),         SECTION_SCOPE },
};

/* The "Watch" choices; the last is a metric typed in. */
static const struct {
  const char *target;
  const char *label;
  const char *unit;   /* after the threshold in summaries */
} targets[] = {
  { "cpu.percent",                  N_("CPU Usage (%)"),             "%" },
  { "mem.used_percent",             N_("Memory Usage (%)"),          "%" },
  { "swap.used_percent",            N_("Swap Usage (%)"),            "%" },
  { "disk.*.used_percent",          N_("Any Disk Usage (%)"),        "%" },
  { "disk.*.inodes_used_percent",   N_("Any Disk Inodes Used (%)"),  "%" },
  { "load.1",                       N_("Load Average (1 Minute)"),   NULL },
  { "load.5",                       N_("Load Average (5 Minutes)"),  NULL },
  { "load.15",                      N_("Load Average (15 Minutes)"), NULL },
  { "state.unreachable",            N_("Server Unreachable"),        NULL },
  { "state.host_key_changed",       N_("Host Key Changed"),          NULL },
  { "state.unit_failed",            N_("Systemd Unit Failed"),       NULL },
  { "state.container_not_running",  N_("Container Not Running"),     NULL },
  { NULL,                           N_("Other Metric…"),             NULL },
};

#define CUSTOM_TARGET (G_N_ELEMENTS (targets) - 1)

/* In the order of SmAlertOp. */
static const char * const op_labels[] = {
  N_("Above (>)"),
  N_("At or Above (≥)"),
  N_("Below (<)"),
  N_("At or Below (≤)"),
  N_("Equal To (=)"),
  N_("Not Equal To (≠)"),
};

typedef enum {
  SCOPE_CHOICE_ALL,
  SCOPE_CHOICE_GROUP,
  SCOPE_CHOICE_TAG,
} ScopeChoice;

struct _SmRuleDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  GtkButton            *save_button;
  GtkRevealer          *save_error_revealer;
  GtkLabel             *save_error_label;
  AdwComboRow          *target_row;
  GtkStringList        *target_model;
  AdwEntryRow          *metric_row;
  AdwComboRow          *op_row;
  GtkStringList        *op_model;
  AdwEntryRow          *threshold_row;
  AdwEntryRow          *clear_row;
  AdwEntryRow          *for_row;
  AdwComboRow          *severity_row;
  GtkStringList        *severity_model;
  GtkSpinButton        *retries_spin;
  AdwEntryRow          *repeat_row;
  AdwEntryRow          *escalate_row;
  AdwComboRow          *escalate_to_row;
  GtkStringList        *escalate_to_model;
  GtkSwitch            *enabled_switch;
  AdwPreferencesGroup  *channels_group;
  AdwExpanderRow       *hours_row;
  GtkBox               *days_box;
  AdwEntryRow          *start_row;
  AdwEntryRow          *end_row;
  AdwPreferencesGroup  *scope_group;
  AdwComboRow          *scope_row;
  GtkStringList        *scope_model;
  AdwEntryRow          *scope_value_row;
  GtkLabel             *condition_error_label;
  GtkLabel             *alert_error_label;
  GtkLabel             *hours_error_label;
  GtkLabel             *scope_error_label;

  /* Owned references */
  SmStore              *store;
  SmAlertManager       *manager;
  SmAlertRule          *rule;          /* what is edited; a new rule when adding */
  GPtrArray            *channels;      /* SmChannel, as stored */
  GPtrArray            *channel_checks; /* GtkCheckButton, one per channel */

  /* State */
  GtkToggleButton      *day_buttons[7];
  GtkWidget            *field_widgets[N_FIELDS];
  GtkLabel             *section_labels[N_SECTIONS];
  gboolean              dirty[N_FIELDS];
  gint64                server_id;
  guint                 editing : 1;
  guint                 loading : 1;
  guint                 valid : 1;
};

G_DEFINE_FINAL_TYPE (SmRuleDialog, sm_rule_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers */

guint
_sm_rule_dialog_get_target_index (const char *target)
{
  for (guint i = 0; i < CUSTOM_TARGET; i++)
    {
      if (g_strcmp0 (targets[i].target, target) == 0)
        return i;
    }
  return CUSTOM_TARGET;
}

static char *
dup_stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* "5m" for 300 seconds; "" for 0. */
static char *
format_duration (gint64 seconds)
{
  if (seconds <= 0)
    return g_strdup ("");
  return sm_alert_format_duration (seconds);
}

/* "90" or "0.5", without trailing zeros; "" for NAN. */
static char *
format_number (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    return g_strdup ("");
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.10g", value));
}

/* A number as typed, in the C locale or with a decimal comma. */
static gboolean
parse_number (const char *text,
              double     *out_value)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  char *end = NULL;
  double value;

  g_strdelimit (copy, ",", '.');
  if (copy[0] == '\0')
    return FALSE;
  value = g_ascii_strtod (copy, &end);
  if (end == NULL || *end != '\0' || !isfinite (value))
    return FALSE;
  *out_value = value;
  return TRUE;
}

/* Takes message; returns "Threshold: must be a number". */
static char *
prefix_message (Field  field,
                char  *message)
{
  g_autofree char *owned = message;

  if (owned == NULL)
    return NULL;
  /* Translators: a field's name and what is wrong with it, as in
   * "Threshold: must be a number". */
  return g_strdup_printf (_("%s: %s"), _(fields[field].label), owned);
}

static const char *
get_target (SmRuleDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->target_row);

  if (selected >= CUSTOM_TARGET)
    return NULL;
  return targets[selected].target;
}

static gboolean
target_is_state (SmRuleDialog *self)
{
  const char *target = get_target (self);

  return target != NULL && sm_alert_target_is_state (target);
}

/* The escalation channel chosen, or NULL for the first entry ("None"). */
static const char *
get_escalation_channel (SmRuleDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->escalate_to_row);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
      selected > self->channels->len)
    return NULL;
  return ((SmChannel *) g_ptr_array_index (self->channels, selected - 1))->name;
}

/* Building the rule */

typedef struct {
  char *messages[N_FIELDS];
} FieldErrors;

static void
field_errors_clear (FieldErrors *errors)
{
  for (guint i = 0; i < N_FIELDS; i++)
    g_clear_pointer (&errors->messages[i], g_free);
}

static void
parse_duration_field (SmRuleDialog *self,
                      Field         field,
                      AdwEntryRow  *row,
                      gint64       *out_seconds,
                      FieldErrors  *errors)
{
  g_autofree char *text = dup_stripped_text (row);

  *out_seconds = 0;
  if (text[0] == '\0')
    return;
  errors->messages[field] = prefix_message (field, sm_alert_parse_duration (text, out_seconds));
}

/* Which field a "field: problem" of sm_alert_rule_validate is about. */
static Field
field_for_rule_message (const char *message)
{
  for (guint i = 0; i < N_FIELDS; i++)
    {
      const char *name = fields[i].rule_field;
      gsize len;

      if (name == NULL)
        continue;
      len = strlen (name);
      if (strncmp (message, name, len) == 0 &&
          (message[len] == ':' || message[len] == '['))
        return i;
    }
  if (g_str_has_prefix (message, "group:") || g_str_has_prefix (message, "tag:") ||
      g_str_has_prefix (message, "server:"))
    return FIELD_SCOPE_VALUE;
  if (g_str_has_prefix (message, "op:"))
    return FIELD_THRESHOLD;
  return FIELD_METRIC;
}

/* The rule the fields describe; errors get one message per bad field. */
static SmAlertRule *
build_rule (SmRuleDialog *self,
            FieldErrors  *errors)
{
  g_autoptr(SmAlertRule) rule = sm_alert_rule_copy (self->rule);
  g_autofree char *metric = NULL;
  g_autofree char *threshold = dup_stripped_text (self->threshold_row);
  g_autofree char *clear = dup_stripped_text (self->clear_row);
  g_autoptr(GPtrArray) channels = g_ptr_array_new ();
  const char *target = get_target (self);
  gboolean state = target_is_state (self);

  if (target == NULL)
    {
      metric = dup_stripped_text (self->metric_row);
      if (metric[0] == '\0')
        errors->messages[FIELD_METRIC] = g_strdup (_("Enter a metric name, such as cpu.percent"));
      else if (sm_alert_target_is_state (metric) ||
               !g_regex_match_simple ("^[A-Za-z0-9_./*:-]+$", metric, 0, 0))
        errors->messages[FIELD_METRIC] =
          g_strdup (_("Enter a metric name such as cpu.percent, or a pattern such as disk.*.used_percent"));
      target = metric;
    }
  g_free (rule->target);
  rule->target = g_strdup (target);

  rule->op = (SmAlertOp) MIN (adw_combo_row_get_selected (self->op_row), SM_ALERT_OP_NE);
  if (state)
    {
      rule->threshold = 0;
      rule->clear_threshold = NAN;
    }
  else
    {
      double value = 0;

      if (!parse_number (threshold, &value))
        errors->messages[FIELD_THRESHOLD] = g_strdup (threshold[0] == '\0'
                                                      ? _("Enter a threshold")
                                                      : _("The threshold must be a number"));
      rule->threshold = value;

      rule->clear_threshold = NAN;
      if (clear[0] != '\0')
        {
          if (!parse_number (clear, &value))
            errors->messages[FIELD_CLEAR] = g_strdup (_("The clear threshold must be a number, or empty"));
          else
            rule->clear_threshold = value;
        }
      if (errors->messages[FIELD_CLEAR] == NULL && errors->messages[FIELD_THRESHOLD] == NULL &&
          !isnan (rule->clear_threshold))
        {
          if ((rule->op == SM_ALERT_OP_GT || rule->op == SM_ALERT_OP_GE) &&
              rule->clear_threshold > rule->threshold)
            errors->messages[FIELD_CLEAR] = g_strdup (_("The clear threshold must not be above the threshold"));
          else if ((rule->op == SM_ALERT_OP_LT || rule->op == SM_ALERT_OP_LE) &&
                   rule->clear_threshold < rule->threshold)
            errors->messages[FIELD_CLEAR] = g_strdup (_("The clear threshold must not be below the threshold"));
          else if ((rule->op == SM_ALERT_OP_EQ || rule->op == SM_ALERT_OP_NE) &&
                   rule->clear_threshold != rule->threshold)
            errors->messages[FIELD_CLEAR] = g_strdup (_("Leave the clear threshold empty for “equal” and “not equal”"));
        }
    }

  parse_duration_field (self, FIELD_FOR, self->for_row, &rule->for_seconds, errors);
  parse_duration_field (self, FIELD_REPEAT, self->repeat_row, &rule->repeat_seconds, errors);
  parse_duration_field (self, FIELD_ESCALATE, self->escalate_row, &rule->escalate_seconds, errors);

  rule->severity = adw_combo_row_get_selected (self->severity_row) == 1
                   ? SM_SEVERITY_CRITICAL : SM_SEVERITY_WARNING;
  gtk_spin_button_update (self->retries_spin);
  rule->retries = (guint) gtk_spin_button_get_value_as_int (self->retries_spin);
  rule->enabled = gtk_switch_get_active (self->enabled_switch);

  g_free (rule->escalation_channel);
  rule->escalation_channel = g_strdup (get_escalation_channel (self));
  if (rule->escalate_seconds > 0 && rule->escalation_channel == NULL)
    errors->messages[FIELD_ESCALATE_TO] = g_strdup (_("Choose the channel to escalate to"));
  if (rule->escalate_seconds == 0)
    g_clear_pointer (&rule->escalation_channel, g_free);

  g_clear_pointer (&rule->business_hours, g_array_unref);
  if (adw_expander_row_get_enable_expansion (self->hours_row))
    {
      g_autofree char *start = dup_stripped_text (self->start_row);
      g_autofree char *end = dup_stripped_text (self->end_row);
      SmWeeklyWindow window = { 0, 0, 0 };

      for (guint i = 0; i < 7; i++)
        if (gtk_toggle_button_get_active (self->day_buttons[i]))
          window.days |= 1 << i;
      errors->messages[FIELD_START] = prefix_message (FIELD_START, sm_parse_time_of_day (start, &window.start));
      errors->messages[FIELD_END] = prefix_message (FIELD_END, sm_parse_time_of_day (end, &window.end));
      if (window.days == 0 && errors->messages[FIELD_START] == NULL)
        errors->messages[FIELD_START] = g_strdup (_("Choose at least one day"));
      sm_alert_rule_add_business_hours (rule, &window);
    }

  if (self->server_id > 0)
    {
      rule->scope = SM_ALERT_SCOPE_SERVER;
      g_free (rule->scope_value);
      rule->scope_value = g_strdup_printf ("%" G_GINT64_FORMAT, self->server_id);
    }
  else
    {
      g_autofree char *value = dup_stripped_text (self->scope_value_row);

      g_clear_pointer (&rule->scope_value, g_free);
      switch ((ScopeChoice) adw_combo_row_get_selected (self->scope_row))
        {
        case SCOPE_CHOICE_GROUP:
          rule->scope = SM_ALERT_SCOPE_GROUP;
          rule->scope_value = g_strdup (value);
          if (value[0] == '\0')
            errors->messages[FIELD_SCOPE_VALUE] = g_strdup (_("Enter the name of a group"));
          break;

        case SCOPE_CHOICE_TAG:
          rule->scope = SM_ALERT_SCOPE_TAG;
          rule->scope_value = g_strdup (value);
          if (value[0] == '\0')
            errors->messages[FIELD_SCOPE_VALUE] = g_strdup (_("Enter a tag"));
          break;

        case SCOPE_CHOICE_ALL:
        default:
          rule->scope = SM_ALERT_SCOPE_ALL;
          break;
        }
    }

  for (guint i = 0; i < self->channel_checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->channel_checks, i);
      SmChannel *channel = g_ptr_array_index (self->channels, i);

      if (gtk_check_button_get_active (check))
        g_ptr_array_add (channels, channel->name);
    }
  g_clear_pointer (&rule->channels, g_strfreev);
  if (channels->len > 0)
    {
      g_ptr_array_add (channels, NULL);
      rule->channels = g_strdupv ((char **) channels->pdata);
    }

  /* The rule's own checks, when no field has spoken yet. */
  {
    gboolean any = FALSE;

    for (guint i = 0; i < N_FIELDS; i++)
      any = any || errors->messages[i] != NULL;
    if (!any)
      {
        g_autofree char *message = sm_alert_rule_validate (rule);

        if (message != NULL)
          {
            Field field = field_for_rule_message (message);

            errors->messages[field] = g_steal_pointer (&message);
          }
      }
  }

  return g_steal_pointer (&rule);
}

static gboolean
field_is_empty (SmRuleDialog *self,
                Field         field)
{
  GtkWidget *widget = self->field_widgets[field];

  if (field == FIELD_ESCALATE_TO)
    return field_is_empty (self, FIELD_ESCALATE) && !self->dirty[FIELD_ESCALATE];
  if (!GTK_IS_EDITABLE (widget))
    return TRUE;
  return gtk_editable_get_text (GTK_EDITABLE (widget))[0] == '\0';
}

static void
update_validation (SmRuleDialog *self)
{
  g_autoptr(SmAlertRule) rule = NULL;
  FieldErrors errors = { { NULL, } };
  GString *messages[N_SECTIONS];
  gboolean valid = TRUE;

  rule = build_rule (self, &errors);

  for (guint i = 0; i < N_SECTIONS; i++)
    messages[i] = g_string_new (NULL);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      const char *message = errors.messages[i];
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

  field_errors_clear (&errors);
  gtk_widget_set_sensitive (GTK_WIDGET (self->escalate_to_row),
                            gtk_editable_get_text (GTK_EDITABLE (self->escalate_row))[0] != '\0');
  self->valid = valid;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.save", valid);
}

/* UI updates */

static void
update_target_rows (SmRuleDialog *self)
{
  gboolean state = target_is_state (self);
  gboolean custom = adw_combo_row_get_selected (self->target_row) >= CUSTOM_TARGET;

  gtk_widget_set_visible (GTK_WIDGET (self->metric_row), custom);
  gtk_widget_set_visible (GTK_WIDGET (self->op_row), !state);
  gtk_widget_set_visible (GTK_WIDGET (self->threshold_row), !state);
  gtk_widget_set_visible (GTK_WIDGET (self->clear_row), !state);
}

static void
update_scope_rows (SmRuleDialog *self)
{
  ScopeChoice choice = adw_combo_row_get_selected (self->scope_row);

  gtk_widget_set_visible (GTK_WIDGET (self->scope_value_row), choice != SCOPE_CHOICE_ALL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->scope_value_row),
                                 choice == SCOPE_CHOICE_TAG ? _("Tag") : _("Group"));
}

/* Callbacks */

static void
field_changed_cb (SmRuleDialog *self,
                  GtkEditable  *editable)
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
combo_changed_cb (SmRuleDialog *self)
{
  if (self->loading)
    return;

  update_validation (self);
}

static void
target_changed_cb (SmRuleDialog *self)
{
  if (self->loading)
    return;

  update_target_rows (self);
  update_validation (self);
}

static void
scope_changed_cb (SmRuleDialog *self)
{
  if (self->loading)
    return;

  update_scope_rows (self);
  update_validation (self);
}

/* Actions */

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SmRuleDialog *self = SM_RULE_DIALOG (widget);
  g_autoptr(SmRuleDialog) hold = NULL;
  g_autoptr(SmAlertRule) rule = NULL;
  g_autoptr(GError) error = NULL;
  FieldErrors errors = { { NULL, } };

  update_validation (self);
  if (!self->valid)
    return;

  rule = build_rule (self, &errors);
  field_errors_clear (&errors);

  if (!sm_store_save_rule (self->store, rule, &error))
    {
      gtk_label_set_text (self->save_error_label, error->message);
      gtk_revealer_set_reveal_child (self->save_error_revealer, TRUE);
      return;
    }
  gtk_revealer_set_reveal_child (self->save_error_revealer, FALSE);

  /* The rule is stored; a reload error shows on the alerts page. */
  if (self->manager != NULL)
    sm_alert_manager_reload (self->manager, NULL);

  hold = g_object_ref (self);
  g_signal_emit (self, signals[SAVED], 0, rule->id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* Construction */

static void
add_day_buttons (SmRuleDialog *self)
{
  GDateTime *monday = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);

  /* Abbreviated weekday names of the locale, Monday first. */
  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (monday, i);
      g_autofree char *abbrev = g_date_time_format (day, "%a");
      g_autofree char *full = g_date_time_format (day, "%A");
      GtkWidget *button = gtk_toggle_button_new_with_label (abbrev);

      gtk_widget_set_tooltip_text (button, full);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, full,
                                      -1);
      g_signal_connect_object (button, "toggled",
                               G_CALLBACK (combo_changed_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_box_append (self->days_box, button);
      self->day_buttons[i] = GTK_TOGGLE_BUTTON (button);
    }
  g_date_time_unref (monday);
}

static void
add_channel_rows (SmRuleDialog *self)
{
  g_autoptr(GError) error = NULL;

  self->channels = sm_store_list_channels (self->store, &error);
  if (self->channels == NULL)
    self->channels = g_ptr_array_new_with_free_func ((GDestroyNotify) sm_channel_free);

  gtk_string_list_append (self->escalate_to_model, _("None"));
  for (guint i = 0; i < self->channels->len; i++)
    {
      SmChannel *channel = g_ptr_array_index (self->channels, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *subtitle = NULL;

      if (channel->is_default)
        subtitle = g_strconcat (sm_channel_type_to_label (channel->type), " · ", _("Default"), NULL);
      else
        subtitle = g_strdup (sm_channel_type_to_label (channel->type));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), channel->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_object (check, "toggled",
                               G_CALLBACK (combo_changed_cb), self,
                               G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->channels_group, row);
      g_ptr_array_add (self->channel_checks, check);

      gtk_string_list_append (self->escalate_to_model, channel->name);
    }

  if (self->channels->len == 0)
    adw_preferences_group_set_description (self->channels_group,
                                           _("No channels are set up yet: alerts show as desktop notifications. Add channels in Preferences."));
  if (error != NULL)
    adw_preferences_group_set_description (self->channels_group, error->message);
}

static void
load_rule (SmRuleDialog *self)
{
  SmAlertRule *rule = self->rule;
  guint target = _sm_rule_dialog_get_target_index (rule->target);
  g_autofree char *threshold = format_number (rule->threshold);
  g_autofree char *clear = format_number (rule->clear_threshold);
  g_autofree char *for_text = format_duration (rule->for_seconds);
  g_autofree char *repeat = format_duration (rule->repeat_seconds);
  g_autofree char *escalate = format_duration (rule->escalate_seconds);

  adw_combo_row_set_selected (self->target_row, target);
  if (target == CUSTOM_TARGET)
    gtk_editable_set_text (GTK_EDITABLE (self->metric_row), rule->target ?: "");
  adw_combo_row_set_selected (self->op_row, rule->op);
  gtk_editable_set_text (GTK_EDITABLE (self->threshold_row), threshold);
  gtk_editable_set_text (GTK_EDITABLE (self->clear_row),
                         !isnan (rule->clear_threshold) && rule->clear_threshold != rule->threshold
                         ? clear : "");
  gtk_editable_set_text (GTK_EDITABLE (self->for_row), for_text);
  gtk_editable_set_text (GTK_EDITABLE (self->repeat_row), repeat);
  gtk_editable_set_text (GTK_EDITABLE (self->escalate_row), escalate);
  adw_combo_row_set_selected (self->severity_row, rule->severity == SM_SEVERITY_CRITICAL ? 1 : 0);
  gtk_spin_button_set_value (self->retries_spin, MAX (rule->retries, 1));
  gtk_switch_set_active (self->enabled_switch, rule->enabled);

  adw_combo_row_set_selected (self->escalate_to_row, 0);
  for (guint i = 0; i < self->channels->len; i++)
    {
      SmChannel *channel = g_ptr_array_index (self->channels, i);
      GtkCheckButton *check = g_ptr_array_index (self->channel_checks, i);

      if (rule->escalation_channel != NULL &&
          g_ascii_strcasecmp (rule->escalation_channel, channel->name) == 0)
        adw_combo_row_set_selected (self->escalate_to_row, i + 1);
      gtk_check_button_set_active (check,
                                   rule->channels != NULL &&
                                   g_strv_contains ((const char * const *) rule->channels, channel->name));
    }

  if (rule->business_hours != NULL && rule->business_hours->len > 0)
    {
      SmWeeklyWindow *window = &g_array_index (rule->business_hours, SmWeeklyWindow, 0);
      g_autofree char *start = g_strdup_printf ("%02u:%02u", window->start / 60, window->start % 60);
      g_autofree char *end = g_strdup_printf ("%02u:%02u", window->end / 60, window->end % 60);

      adw_expander_row_set_enable_expansion (self->hours_row, TRUE);
      for (guint i = 0; i < 7; i++)
        gtk_toggle_button_set_active (self->day_buttons[i], (window->days & (1 << i)) != 0);
      gtk_editable_set_text (GTK_EDITABLE (self->start_row), start);
      gtk_editable_set_text (GTK_EDITABLE (self->end_row), end);
    }
  else
    {
      for (guint i = 0; i < 7; i++)
        gtk_toggle_button_set_active (self->day_buttons[i], (SM_WEEKDAYS_MON_FRI & (1 << i)) != 0);
    }

  switch (rule->scope)
    {
    case SM_ALERT_SCOPE_GROUP:
      adw_combo_row_set_selected (self->scope_row, SCOPE_CHOICE_GROUP);
      gtk_editable_set_text (GTK_EDITABLE (self->scope_value_row), rule->scope_value ?: "");
      break;

    case SM_ALERT_SCOPE_TAG:
      adw_combo_row_set_selected (self->scope_row, SCOPE_CHOICE_TAG);
      gtk_editable_set_text (GTK_EDITABLE (self->scope_value_row), rule->scope_value ?: "");
      break;

    case SM_ALERT_SCOPE_ALL:
    case SM_ALERT_SCOPE_SERVER:
    default:
      adw_combo_row_set_selected (self->scope_row, SCOPE_CHOICE_ALL);
      break;
    }
}

static void
sm_rule_dialog_dispose (GObject *object)
{
  SmRuleDialog *self = SM_RULE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_RULE_DIALOG);

  g_clear_object (&self->store);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->channel_checks, g_ptr_array_unref);

  G_OBJECT_CLASS (sm_rule_dialog_parent_class)->dispose (object);
}

static void
sm_rule_dialog_finalize (GObject *object)
{
  SmRuleDialog *self = SM_RULE_DIALOG (object);

  g_clear_pointer (&self->rule, sm_alert_rule_free);

  G_OBJECT_CLASS (sm_rule_dialog_parent_class)->finalize (object);
}

static void
sm_rule_dialog_class_init (SmRuleDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_rule_dialog_dispose;
  object_class->finalize = sm_rule_dialog_finalize;

  /**
   * SmRuleDialog::saved:
   * @rule_id: the id of the saved rule
   *
   * Emitted after the rule was saved; the dialog closes afterwards.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/sm-rule-dialog.ui");

  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, save_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, save_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, target_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, target_model);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, metric_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, op_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, op_model);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, threshold_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, clear_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, for_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, severity_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, severity_model);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, retries_spin);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, repeat_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, escalate_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, escalate_to_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, escalate_to_model);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, channels_group);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, hours_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, days_box);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, start_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, end_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, scope_group);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, scope_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, scope_model);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, scope_value_row);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, condition_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, alert_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, hours_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmRuleDialog, scope_error_label);

  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, combo_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, target_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, scope_changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "dialog.cancel", NULL, cancel_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "dialog.cancel", NULL);
}

static void
sm_rule_dialog_init (SmRuleDialog *self)
{
  self->loading = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->channel_checks = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    gtk_string_list_append (self->target_model, _(targets[i].label));
  for (guint i = 0; i < G_N_ELEMENTS (op_labels); i++)
    gtk_string_list_append (self->op_model, _(op_labels[i]));
  gtk_string_list_append (self->severity_model, _("Warning"));
  gtk_string_list_append (self->severity_model, _("Critical"));
  gtk_string_list_append (self->scope_model, _("All Servers"));
  gtk_string_list_append (self->scope_model, _("Servers in a Group"));
  gtk_string_list_append (self->scope_model, _("Servers With a Tag"));

  add_day_buttons (self);

  self->field_widgets[FIELD_METRIC] = GTK_WIDGET (self->metric_row);
  self->field_widgets[FIELD_THRESHOLD] = GTK_WIDGET (self->threshold_row);
  self->field_widgets[FIELD_CLEAR] = GTK_WIDGET (self->clear_row);
  self->field_widgets[FIELD_FOR] = GTK_WIDGET (self->for_row);
  self->field_widgets[FIELD_REPEAT] = GTK_WIDGET (self->repeat_row);
  self->field_widgets[FIELD_ESCALATE] = GTK_WIDGET (self->escalate_row);
  self->field_widgets[FIELD_ESCALATE_TO] = GTK_WIDGET (self->escalate_to_row);
  self->field_widgets[FIELD_START] = GTK_WIDGET (self->start_row);
  self->field_widgets[FIELD_END] = GTK_WIDGET (self->end_row);
  self->field_widgets[FIELD_SCOPE_VALUE] = GTK_WIDGET (self->scope_value_row);

  self->section_labels[SECTION_CONDITION] = self->condition_error_label;
  self->section_labels[SECTION_ALERT] = self->alert_error_label;
  self->section_labels[SECTION_HOURS] = self->hours_error_label;
  self->section_labels[SECTION_SCOPE] = self->scope_error_label;
}

/**
 * sm_rule_dialog_new:
 * @parent: (nullable): the window the dialog is modal for
 * @store: the store to save to
 * @manager: (nullable): the manager to reload after a save
 * @rule: (nullable): the rule to edit, or NULL to add one
 * @server_id: the server the rule belongs to, or 0
 *
 * Returns: (transfer none): a new dialog, owned by GTK's list of toplevels
 */
SmRuleDialog *
sm_rule_dialog_new (GtkWindow         *parent,
                    SmStore           *store,
                    SmAlertManager    *manager,
                    const SmAlertRule *rule,
                    gint64             server_id)
{
  SmRuleDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (manager == NULL || SM_IS_ALERT_MANAGER (manager), NULL);
  g_return_val_if_fail (server_id >= 0, NULL);

  self = g_object_new (SM_TYPE_RULE_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  if (manager != NULL)
    self->manager = g_object_ref (manager);
  self->editing = rule != NULL;
  if (rule != NULL)
    {
      self->rule = sm_alert_rule_copy (rule);
      if (server_id == 0 && rule->scope == SM_ALERT_SCOPE_SERVER && rule->scope_value != NULL)
        server_id = g_ascii_strtoll (rule->scope_value, NULL, 10);
    }
  else
    {
      g_autofree char *id = sm_alert_rule_new_id ();

      self->rule = sm_alert_rule_new (id, "cpu.percent", SM_ALERT_OP_GT, 90);
    }
  self->server_id = server_id;

  gtk_window_set_title (GTK_WINDOW (self),
                        self->editing ? _("Edit Rule") : _("Add Rule"));
  gtk_button_set_label (self->save_button,
                        self->editing ? _("_Save") : _("_Add"));
  gtk_widget_set_visible (GTK_WIDGET (self->scope_group), server_id == 0);

  add_channel_rows (self);
  load_rule (self);
  self->loading = FALSE;

  update_target_rows (self);
  update_scope_rows (self);
  update_validation (self);

  return self;
}

/* Test accessors */

GtkWidget *
_sm_rule_dialog_get_row (SmRuleDialog *self,
                         const char   *field)
{
  static const struct {
    const char *id;
    gsize       offset;
  } others[] = {
    { "target",   G_STRUCT_OFFSET (SmRuleDialog, target_row) },
    { "op",       G_STRUCT_OFFSET (SmRuleDialog, op_row) },
    { "severity", G_STRUCT_OFFSET (SmRuleDialog, severity_row) },
    { "retries",  G_STRUCT_OFFSET (SmRuleDialog, retries_spin) },
    { "enabled",  G_STRUCT_OFFSET (SmRuleDialog, enabled_switch) },
    { "hours",    G_STRUCT_OFFSET (SmRuleDialog, hours_row) },
    { "scope",    G_STRUCT_OFFSET (SmRuleDialog, scope_row) },
    { "save",     G_STRUCT_OFFSET (SmRuleDialog, save_button) },
  };

  g_return_val_if_fail (SM_IS_RULE_DIALOG (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (g_str_equal (field, fields[i].id))
        return self->field_widgets[i];
    }
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      if (g_str_equal (field, others[i].id))
        return G_STRUCT_MEMBER (GtkWidget *, self, others[i].offset);
    }
  if (g_str_has_prefix (field, "channel:"))
    {
      for (guint i = 0; i < self->channels->len; i++)
        {
          SmChannel *channel = g_ptr_array_index (self->channels, i);

          if (g_str_equal (channel->name, field + strlen ("channel:")))
            return g_ptr_array_index (self->channel_checks, i);
        }
    }

  g_return_val_if_reached (NULL);
}

const char *
_sm_rule_dialog_get_error (SmRuleDialog *self,
                           const char   *field)
{
  GtkLabel *label = NULL;

  g_return_val_if_fail (SM_IS_RULE_DIALOG (self), NULL);

  if (field == NULL)
    return gtk_revealer_get_reveal_child (self->save_error_revealer)
           ? gtk_label_get_text (self->save_error_label) : NULL;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      if (g_str_equal (field, fields[i].id))
        label = self->section_labels[fields[i].section];
    }
  g_return_val_if_fail (label != NULL, NULL);

  return gtk_widget_get_visible (GTK_WIDGET (label)) ? gtk_label_get_text (label) : NULL;
}
