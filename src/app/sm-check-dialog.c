/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-dialog.c: the "Add Check" / "Edit Check" dialog.
 *
 * Like the rule dialog: every change rebuilds the check from the fields
 * and validates it with sm_check_validate; an invalid check disables Save
 * at once, and its "field: problem" shows below the field's group once the
 * field was edited (or holds a value). The rows of a type's settings are
 * made here from the table below; only the chosen type's rows show.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-check-dialog.h"
#include "sm-check-dialog-private.h"
#include "sm-check-store.h"
#include "sm-net-check.h"
#include "sm-vault.h"

#define T(type) (1u << (type))

typedef enum {
  KIND_STRING,     /* an entry; empty leaves the member out */
  KIND_INT,        /* an entry with a whole number */
  KIND_STATUS,     /* "200" as a number, "200-299" as a string */
  KIND_BOOL,       /* a switch */
  KIND_CHOICE,     /* a combo row of fixed strings */
  KIND_LIST,       /* comma-separated entry -> array of strings */
  KIND_LINES,      /* the text view, one string per line -> array */
  KIND_HEADERS,    /* the text view, "Name: value" per line -> object */
} Kind;

static const char * const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", NULL };
static const char * const records[] = { "A", "AAAA", "ANY", NULL };

static const struct {
  const char         *member;
  const char         *label;
  guint               types;
  Kind                kind;
  gboolean            fallback;   /* KIND_BOOL: the default */
  const char * const *choices;    /* KIND_CHOICE */
  gboolean            match;      /* in the "Response" / "Output" group */
} settings[] = {
  { "url",              N_("URL"),                      T (SM_CHECK_HTTP),      KIND_STRING },
  { "method",           N_("Method"),                   T (SM_CHECK_HTTP),      KIND_CHOICE, FALSE, methods },
  { "expect_status",    N_("Expected Status"),          T (SM_CHECK_HTTP),      KIND_STATUS, FALSE, NULL, TRUE },
  { "keyword",          N_("Keyword"),                  T (SM_CHECK_HTTP),      KIND_STRING, FALSE, NULL, TRUE },
  { "keyword_absent",   N_("Keyword Must Be Absent"),   T (SM_CHECK_HTTP),      KIND_BOOL, FALSE, NULL, TRUE },
  { "regex",            N_("Regular Expression"),       T (SM_CHECK_HTTP) | T (SM_CHECK_COMMAND), KIND_STRING, FALSE, NULL, TRUE },
  { "regex_absent",     N_("Expression Must Not Match"), T (SM_CHECK_HTTP),     KIND_BOOL, FALSE, NULL, TRUE },
  { "follow_redirects", N_("Follow Redirects"),         T (SM_CHECK_HTTP),      KIND_BOOL, TRUE },
  { "verify_tls",       N_("Verify TLS Certificate"),   T (SM_CHECK_HTTP),      KIND_BOOL, TRUE },
  { "body",             N_("Request Body"),             T (SM_CHECK_HTTP),      KIND_STRING },
  { "host",             N_("Host"),                     T (SM_CHECK_TLS) | T (SM_CHECK_TCP) | T (SM_CHECK_PING), KIND_STRING },
  { "port",             N_("Port"),                     T (SM_CHECK_TLS) | T (SM_CHECK_TCP), KIND_INT },
  { "warn_days",        N_("Warn Days Before Expiry"),  T (SM_CHECK_TLS),       KIND_INT },
  { "crit_days",        N_("Critical Days Before Expiry"), T (SM_CHECK_TLS),    KIND_INT },
  { "count",            N_("Echo Requests"),            T (SM_CHECK_PING),      KIND_INT },
  { "query",            N_("Name to Look Up"),          T (SM_CHECK_DNS),       KIND_STRING },
  { "record",           N_("Record Type"),              T (SM_CHECK_DNS),       KIND_CHOICE, FALSE, records },
  { "resolver",         N_("Resolver"),                 T (SM_CHECK_DNS),       KIND_STRING },
  { "expect",           N_("Expected Addresses"),       T (SM_CHECK_DNS),       KIND_LIST },
  { "command",          N_("Command"),                  T (SM_CHECK_COMMAND),   KIND_STRING },
  { "path",             N_("Log File"),                 T (SM_CHECK_LOG),       KIND_STRING },
  { "grace",            N_("Grace Period in Seconds"),  T (SM_CHECK_HEARTBEAT), KIND_INT },
  { "headers",          N_("Request Headers"),          T (SM_CHECK_HTTP),      KIND_HEADERS },
  { "patterns",         N_("Patterns"),                 T (SM_CHECK_LOG),       KIND_LINES },
};

#define N_SETTINGS G_N_ELEMENTS (settings)

/* The general fields, and what sm_check_validate calls them. */
typedef enum {
  GENERAL_NAME,
  GENERAL_INTERVAL,
  GENERAL_TIMEOUT,
  N_GENERAL,
} General;

static const struct {
  const char *member;
  const char *label;
} general[N_GENERAL] = {
  [GENERAL_NAME]     = { "name",     N_("Name") },
  [GENERAL_INTERVAL] = { "interval", N_("Interval") },
  [GENERAL_TIMEOUT]  = { "timeout",  N_("Timeout") },
};

struct _SmCheckDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  GtkButton            *save_button;
  GtkRevealer          *save_error_revealer;
  GtkLabel             *save_error_label;
  AdwPreferencesGroup  *general_group;
  AdwComboRow          *type_row;
  GtkStringList        *type_model;
  AdwEntryRow          *name_row;
  AdwEntryRow          *interval_row;
  AdwEntryRow          *timeout_row;
  GtkSwitch            *enabled_switch;
  GtkLabel             *general_error_label;
  AdwPreferencesGroup  *settings_group;
  GtkLabel             *settings_error_label;
  AdwPreferencesGroup  *match_group;
  GtkLabel             *match_error_label;
  AdwPreferencesGroup  *text_group;
  GtkTextView          *text_view;
  GtkLabel             *text_error_label;

  /* Owned references */
  SmStore              *store;
  SmCheckScheduler     *scheduler;
  SmCheck              *check;         /* what is edited; a new check when adding */

  /* State */
  GtkWidget            *rows[N_SETTINGS];   /* the row of each setting (NULL for text) */
  GtkWidget            *inputs[N_SETTINGS]; /* entry row, combo row, switch or text view */
  gboolean              dirty[N_SETTINGS];
  gboolean              general_dirty[N_GENERAL];
  AdwActionRow         *heartbeat_row;
  AdwActionRow         *ping_row;
  char                 *duplicate_name;     /* the name the store refused */
  gint64                server_id;
  guint                 editing : 1;
  guint                 loading : 1;
  guint                 valid : 1;
};

G_DEFINE_FINAL_TYPE (SmCheckDialog, sm_check_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers */

static SmCheckType
get_type (SmCheckDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->type_row);

  return selected < SM_CHECK_N_TYPES ? (SmCheckType) selected : SM_CHECK_HTTP;
}

static char *
dup_stripped (GtkWidget *editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

static char *
dup_text_view (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* A whole number, or FALSE. */
static gboolean
parse_int (const char *text,
           gint64     *out_value)
{
  return g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, out_value, NULL);
}

static gboolean
is_digits (const char *text)
{
  if (text == NULL || text[0] == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
    }
  return TRUE;
}

static guint
find_setting (const char *member)
{
  for (guint i = 0; i < N_SETTINGS; i++)
    {
      if (g_strcmp0 (settings[i].member, member) == 0)
        return i;
    }
  return N_SETTINGS;
}

static gboolean
setting_is_empty (SmCheckDialog *self,
                  guint          i)
{
  switch (settings[i].kind)
    {
    case KIND_STRING:
    case KIND_INT:
    case KIND_STATUS:
    case KIND_LIST:
      {
        g_autofree char *text = dup_stripped (self->inputs[i]);
        return text[0] == '\0';
      }

    case KIND_LINES:
    case KIND_HEADERS:
      {
        g_autofree char *text = dup_text_view (self->text_view);
        return g_strstrip (text)[0] == '\0';
      }

    case KIND_BOOL:
    case KIND_CHOICE:
    default:
      return FALSE;
    }
}

/* Lines of the text view, stripped, without the empty ones. */
static GStrv
dup_lines (SmCheckDialog *self)
{
  g_autofree char *text = dup_text_view (self->text_view);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        g_strv_builder_add (builder, lines[i]);
    }

  return g_strv_builder_end (builder);
}

/* Builds a check from the fields. A field that does not parse gives
 * *out_message ("field: problem") and is left out. */
static SmCheck *
build_check (SmCheckDialog  *self,
             char          **out_message)
{
  SmCheckType type = get_type (self);
  g_autoptr(SmCheck) check = NULL;
  g_autofree char *name = dup_stripped (GTK_WIDGET (self->name_row));
  g_autofree char *interval = dup_stripped (GTK_WIDGET (self->interval_row));
  g_autofree char *timeout = dup_stripped (GTK_WIDGET (self->timeout_row));
  gint64 value;

  check = sm_check_copy (self->check);
  check->type = type;
  g_clear_pointer (&check->settings, json_object_unref);
  check->settings = json_object_new ();
  check->enabled = gtk_switch_get_active (self->enabled_switch);
  g_clear_pointer (&check->name, g_free);
  check->name = g_strdup (name);

  if (interval[0] == '\0')
    check->interval = SM_CHECK_DEFAULT_INTERVAL;
  else if (parse_int (interval, &value))
    check->interval = (guint) CLAMP (value, 0, G_MAXUINT);
  else if (*out_message == NULL)
    *out_message = g_strdup_printf ("interval: %s", _("must be a whole number of seconds"));

  /* A heartbeat has no timeout (its row is hidden). */
  if (timeout[0] != '\0' && type != SM_CHECK_HEARTBEAT)
    {
      if (parse_int (timeout, &value))
        json_object_set_int_member (check->settings, "timeout", value);
      else if (*out_message == NULL)
        *out_message = g_strdup_printf ("timeout: %s", _("must be a whole number of seconds"));
    }

  for (guint i = 0; i < N_SETTINGS; i++)
    {
      const char *member = settings[i].member;

      if ((settings[i].types & T (type)) == 0)
        continue;

      switch (settings[i].kind)
        {
        case KIND_STRING:
          {
            g_autofree char *text = dup_stripped (self->inputs[i]);

            /* The body is sent as typed. */
            if (g_str_equal (member, "body"))
              {
                g_free (text);
                text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->inputs[i])));
              }
            if (text[0] != '\0')
              json_object_set_string_member (check->settings, member, text);
          }
          break;

        case KIND_INT:
        case KIND_STATUS:
          {
            g_autofree char *text = dup_stripped (self->inputs[i]);

            if (text[0] == '\0')
              break;
            if (parse_int (text, &value))
              json_object_set_int_member (check->settings, member, value);
            else if (settings[i].kind == KIND_STATUS && !is_digits (text))
              json_object_set_string_member (check->settings, member, text);
            else if (*out_message == NULL)
              *out_message = g_strdup_printf ("%s: %s", member, _("must be a whole number"));
          }
          break;

        case KIND_BOOL:
          {
            gboolean active = gtk_switch_get_active (GTK_SWITCH (self->inputs[i]));

            json_object_set_boolean_member (check->settings, member, active);
          }
          break;

        case KIND_CHOICE:
          {
            guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->inputs[i]));

            /* The first choice is the default. */
            if (selected > 0 && selected < g_strv_length ((GStrv) settings[i].choices))
              json_object_set_string_member (check->settings, member, settings[i].choices[selected]);
          }
          break;

        case KIND_LIST:
          {
            g_autofree char *text = dup_stripped (self->inputs[i]);
            g_auto(GStrv) parts = NULL;
            JsonArray *array;

            if (text[0] == '\0')
              break;
            parts = g_strsplit_set (text, ", ", -1);
            array = json_array_new ();
            for (guint j = 0; parts[j] != NULL; j++)
              {
                if (parts[j][0] != '\0')
                  json_array_add_string_element (array, parts[j]);
              }
            json_object_set_array_member (check->settings, member, array);
          }
          break;

        case KIND_LINES:
          {
            g_auto(GStrv) lines = dup_lines (self);
            JsonArray *array;

            if (lines[0] == NULL)
              break;
            array = json_array_new ();
            for (guint j = 0; lines[j] != NULL; j++)
              json_array_add_string_element (array, lines[j]);
            json_object_set_array_member (check->settings, member, array);
          }
          break;

        case KIND_HEADERS:
          {
            g_auto(GStrv) lines = dup_lines (self);
            JsonObject *object;

            if (lines[0] == NULL)
              break;
            object = json_object_new ();
            for (guint j = 0; lines[j] != NULL; j++)
              {
                const char *colon = strchr (lines[j], ':');
                g_autofree char *header = NULL;

                if (colon == NULL || colon == lines[j])
                  {
                    if (*out_message == NULL)
                      *out_message = g_strdup_printf ("headers: %s",
                                                      _("each line must be “Name: value”"));
                    continue;
                  }
                header = g_strstrip (g_strndup (lines[j], colon - lines[j]));
                json_object_set_string_member (object, header, g_strstrip ((char *) colon + 1));
              }
            json_object_set_object_member (check->settings, member, object);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  /* A check left unnamed is named after its settings. */
  if (name[0] == '\0')
    {
      g_free (check->name);
      check->name = sm_check_default_name (check);
    }

  return g_steal_pointer (&check);
}

/* Which group shows a message about member, and its label. */
static GtkLabel *
error_label_for (SmCheckDialog  *self,
                 const char     *member,
                 const char    **out_label,
                 gboolean       *out_shown)
{
  guint i;

  for (guint g = 0; g < N_GENERAL; g++)
    {
      if (g_strcmp0 (general[g].member, member) == 0)
        {
          GtkWidget *widget = g == GENERAL_NAME ? GTK_WIDGET (self->name_row) :
                              g == GENERAL_INTERVAL ? GTK_WIDGET (self->interval_row) :
                              GTK_WIDGET (self->timeout_row);
          g_autofree char *text = dup_stripped (widget);

          *out_label = _(general[g].label);
          *out_shown = self->general_dirty[g] || text[0] != '\0';
          return self->general_error_label;
        }
    }

  i = find_setting (member);
  if (i < N_SETTINGS)
    {
      *out_label = _(settings[i].label);
      *out_shown = self->dirty[i] || !setting_is_empty (self, i);
      if (settings[i].kind == KIND_LINES || settings[i].kind == KIND_HEADERS)
        return self->text_error_label;
      if (settings[i].match)
        return self->match_error_label;
      return self->settings_error_label;
    }

  *out_label = NULL;
  *out_shown = TRUE;
  return self->settings_error_label;
}

static void
show_error (GtkLabel   *label,
            const char *text)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
}

static void
set_row_error (GtkWidget *row,
               gboolean   error)
{
  if (row == NULL)
    return;
  if (error)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

static GtkWidget *
row_for_member (SmCheckDialog *self,
                const char    *member)
{
  guint i;

  if (g_strcmp0 (member, "name") == 0)
    return GTK_WIDGET (self->name_row);
  if (g_strcmp0 (member, "interval") == 0)
    return GTK_WIDGET (self->interval_row);
  if (g_strcmp0 (member, "timeout") == 0)
    return GTK_WIDGET (self->timeout_row);
  i = find_setting (member);
  if (i < N_SETTINGS)
    return self->rows[i];
  return NULL;
}

static void
update_validation (SmCheckDialog *self)
{
  g_autofree char *message = NULL;
  g_autoptr(SmCheck) check = NULL;
  g_autofree char *member = NULL;
  const char *problem = NULL;
  const char *label = NULL;
  gboolean shown = FALSE;
  GtkLabel *error_label = NULL;

  if (self->loading)
    return;

  check = build_check (self, &message);
  if (message == NULL)
    message = sm_check_validate (check);
  if (message == NULL && self->duplicate_name != NULL &&
      g_utf8_collate (self->duplicate_name, check->name) == 0)
    message = g_strdup_printf ("name: %s", _("another check of this server has this name"));

  show_error (self->general_error_label, NULL);
  show_error (self->settings_error_label, NULL);
  show_error (self->text_error_label, NULL);
  show_error (self->match_error_label, NULL);
  set_row_error (GTK_WIDGET (self->name_row), FALSE);
  set_row_error (GTK_WIDGET (self->interval_row), FALSE);
  set_row_error (GTK_WIDGET (self->timeout_row), FALSE);
  for (guint i = 0; i < N_SETTINGS; i++)
    set_row_error (self->rows[i], FALSE);

  self->valid = message == NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), self->valid);

  if (message == NULL)
    return;

  /* "url: must be …" (a member may carry an index: "expect[1]"). */
  problem = strstr (message, ": ");
  if (problem != NULL)
    {
      member = g_strndup (message, problem - message);
      problem += 2;
      if (strchr (member, '[') != NULL)
        *strchr (member, '[') = '\0';
      if (strchr (member, '.') != NULL)
        *strchr (member, '.') = '\0';
    }
  else
    {
      problem = message;
    }

  error_label = error_label_for (self, member, &label, &shown);
  if (shown)
    {
      g_autofree char *text = NULL;

      if (label != NULL)
        /* Translators: a field's name and what is wrong with it, as in
         * "URL: must be an http or https URL". */
        text = g_strdup_printf (_("%s: %s"), label, problem);
      else
        text = g_strdup (problem);
      show_error (error_label, text);
      set_row_error (row_for_member (self, member), TRUE);
    }
}

static void
field_changed_cb (GtkWidget     *widget,
                  SmCheckDialog *self)
{
  if (self->loading)
    return;

  if (widget == GTK_WIDGET (self->name_row))
    self->general_dirty[GENERAL_NAME] = TRUE;
  else if (widget == GTK_WIDGET (self->interval_row))
    self->general_dirty[GENERAL_INTERVAL] = TRUE;
  else if (widget == GTK_WIDGET (self->timeout_row))
    self->general_dirty[GENERAL_TIMEOUT] = TRUE;

  for (guint i = 0; i < N_SETTINGS; i++)
    {
      if (self->inputs[i] == widget)
        self->dirty[i] = TRUE;
    }

  update_validation (self);
}

static void
switch_changed_cb (GtkWidget     *widget,
                   GParamSpec    *pspec,
                   SmCheckDialog *self)
{
  field_changed_cb (widget, self);
}

static void
text_changed_cb (SmCheckDialog *self)
{
  SmCheckType type = get_type (self);

  if (self->loading)
    return;

  for (guint i = 0; i < N_SETTINGS; i++)
    {
      if ((settings[i].kind == KIND_LINES || settings[i].kind == KIND_HEADERS) &&
          (settings[i].types & T (type)) != 0)
        self->dirty[i] = TRUE;
    }

  update_validation (self);
}

/* Shows the chosen type's rows. */
static void
update_type_rows (SmCheckDialog *self)
{
  SmCheckType type = get_type (self);
  gboolean text = FALSE;
  gboolean settings_shown = FALSE;
  gboolean match_shown = FALSE;

  for (guint i = 0; i < N_SETTINGS; i++)
    {
      gboolean visible = (settings[i].types & T (type)) != 0;

      if (self->rows[i] != NULL)
        gtk_widget_set_visible (self->rows[i], visible);
      settings_shown |= visible && self->rows[i] != NULL && !settings[i].match;
      match_shown |= visible && self->rows[i] != NULL && settings[i].match;
      text |= visible && self->rows[i] == NULL;
    }

  adw_preferences_group_set_title (self->settings_group, sm_check_type_to_label (type));
  gtk_widget_set_visible (GTK_WIDGET (self->settings_group),
                          settings_shown || type == SM_CHECK_PING);
  gtk_widget_set_visible (GTK_WIDGET (self->text_group), text);
  gtk_widget_set_visible (GTK_WIDGET (self->match_group), match_shown);
  gtk_widget_set_visible (GTK_WIDGET (self->timeout_row), type != SM_CHECK_HEARTBEAT);

  /* The interval of a heartbeat is how often the ping is expected. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->interval_row),
                                 type == SM_CHECK_HEARTBEAT
                                 ? _("Expected Every (Seconds)")
                                 : _("Interval in Seconds"));

  switch (type)
    {
    case SM_CHECK_HTTP:
      adw_preferences_group_set_description (self->settings_group, NULL);
      adw_preferences_group_set_title (self->match_group, _("Response"));
      adw_preferences_group_set_description (self->match_group,
                                             _("The status is a code such as 200 or a range such as 200-299."));
      adw_preferences_group_set_title (self->text_group, _("Request Headers"));
      adw_preferences_group_set_description (self->text_group,
                                             _("One header per line, as “Name: value”."));
      break;

    case SM_CHECK_TLS:
      adw_preferences_group_set_description (self->settings_group,
                                             _("The host is the server’s address when left empty; the port is 443."));
      break;

    case SM_CHECK_TCP:
      adw_preferences_group_set_description (self->settings_group,
                                             _("The host is the server’s address when left empty."));
      break;

    case SM_CHECK_PING:
      adw_preferences_group_set_description (self->settings_group,
                                             _("The host is the server’s address when left empty."));
      break;

    case SM_CHECK_DNS:
      adw_preferences_group_set_description (self->settings_group,
                                             _("Separate expected addresses with commas; the resolver is an address with an optional port."));
      break;

    case SM_CHECK_COMMAND:
      adw_preferences_group_set_description (self->settings_group,
                                             _("Runs on the server over SSH; its exit status counts like a monitoring plugin’s."));
      adw_preferences_group_set_title (self->match_group, _("Output"));
      adw_preferences_group_set_description (self->match_group,
                                             _("When set, the output must match the regular expression."));
      break;

    case SM_CHECK_LOG:
      adw_preferences_group_set_description (self->settings_group,
                                             _("An absolute path on the server, read over SSH."));
      adw_preferences_group_set_title (self->text_group, _("Patterns"));
      adw_preferences_group_set_description (self->text_group,
                                             _("Regular expressions, one per line: a new line of the log that matches one is reported."));
      break;

    case SM_CHECK_HEARTBEAT:
      adw_preferences_group_set_description (self->settings_group,
                                             _("The check is down when no ping arrived within the interval and the grace period."));
      break;

    default:
      break;
    }

  /* Ping needs unprivileged ICMP sockets. */
  if (type == SM_CHECK_PING)
    {
      g_autofree char *reason = NULL;

      gtk_widget_set_visible (GTK_WIDGET (self->ping_row),
                              !sm_ping_is_available (G_SOCKET_FAMILY_IPV4, &reason));
      adw_action_row_set_subtitle (self->ping_row, reason != NULL ? reason : "");
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->ping_row), FALSE);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->heartbeat_row),
                          type == SM_CHECK_HEARTBEAT &&
                          adw_action_row_get_subtitle (self->heartbeat_row) != NULL &&
                          adw_action_row_get_subtitle (self->heartbeat_row)[0] != '\0');
}

static void
type_changed_cb (SmCheckDialog *self)
{
  if (self->settings_group == NULL || self->rows[0] == NULL)
    return;

  update_type_rows (self);
  update_validation (self);
}

/* Loading a check into the fields */

static void
set_entry (GtkWidget  *widget,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (widget), text != NULL ? text : "");
}

static void
load_check (SmCheckDialog *self)
{
  const SmCheck *check = self->check;
  g_autofree char *interval = g_strdup_printf ("%u", check->interval);
  JsonNode *node;

  self->loading = TRUE;

  adw_combo_row_set_selected (self->type_row, check->type);
  set_entry (GTK_WIDGET (self->name_row), check->name);
  set_entry (GTK_WIDGET (self->interval_row), interval);
  gtk_switch_set_active (self->enabled_switch, check->enabled);

  node = json_object_get_member (check->settings, "timeout");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      set_entry (GTK_WIDGET (self->timeout_row), text);
    }

  for (guint i = 0; i < N_SETTINGS; i++)
    {
      const char *member = settings[i].member;

      if ((settings[i].types & T (check->type)) == 0)
        continue;

      node = json_object_get_member (check->settings, member);

      switch (settings[i].kind)
        {
        case KIND_STRING:
          set_entry (self->inputs[i], sm_check_get_string (check, member));
          break;

        case KIND_INT:
        case KIND_STATUS:
          if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
              json_node_get_value_type (node) == G_TYPE_STRING)
            {
              set_entry (self->inputs[i], json_node_get_string (node));
            }
          else if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
            {
              g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
              set_entry (self->inputs[i], text);
            }
          break;

        case KIND_BOOL:
          gtk_switch_set_active (GTK_SWITCH (self->inputs[i]),
                                 sm_check_get_bool (check, member, settings[i].fallback));
          break;

        case KIND_CHOICE:
          {
            const char *value = sm_check_get_string (check, member);

            for (guint j = 0; value != NULL && settings[i].choices[j] != NULL; j++)
              {
                if (g_ascii_strcasecmp (settings[i].choices[j], value) == 0)
                  adw_combo_row_set_selected (ADW_COMBO_ROW (self->inputs[i]), j);
              }
          }
          break;

        case KIND_LIST:
        case KIND_LINES:
          {
            g_auto(GStrv) strv = sm_check_dup_strv (check, member);
            g_autofree char *text = NULL;

            if (strv == NULL)
              break;
            text = g_strjoinv (settings[i].kind == KIND_LIST ? ", " : "\n", strv);
            if (settings[i].kind == KIND_LIST)
              set_entry (self->inputs[i], text);
            else
              gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
          }
          break;

        case KIND_HEADERS:
          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            {
              JsonObject *object = json_node_get_object (node);
              g_autoptr(GList) names = json_object_get_members (object);
              g_autoptr(GString) text = g_string_new (NULL);

              for (GList *l = names; l != NULL; l = l->next)
                {
                  JsonNode *value = json_object_get_member (object, l->data);

                  g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "\n" : "",
                                          (const char *) l->data,
                                          JSON_NODE_HOLDS_VALUE (value) &&
                                          json_node_get_value_type (value) == G_TYPE_STRING
                                          ? json_node_get_string (value) : "");
                }
              gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text->str, -1);
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  /* The heartbeat URL, only when a token is stored; never logged. */
  if (check->type == SM_CHECK_HEARTBEAT && check->id > 0 &&
      self->store != NULL && sm_store_get_vault (self->store) != NULL)
    {
      g_autoptr(GError) error = NULL;
      char *token = sm_store_load_check_token (self->store, check, &error);

      if (token != NULL)
        {
          g_autofree char *path = g_strconcat ("/heartbeat/", token, NULL);

          adw_action_row_set_subtitle (self->heartbeat_row, path);
          sm_secret_free (token);
          memset (path, 0, strlen (path));
        }
    }

  self->loading = FALSE;
}

/* Making the rows */

static void
make_rows (SmCheckDialog *self)
{
  GtkWidget *row;

  for (guint i = 0; i < N_SETTINGS; i++)
    {
      switch (settings[i].kind)
        {
        case KIND_STRING:
        case KIND_INT:
        case KIND_STATUS:
        case KIND_LIST:
          row = adw_entry_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(settings[i].label));
          adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
          if (settings[i].kind == KIND_INT)
            gtk_editable_set_width_chars (GTK_EDITABLE (row), 6);
          g_signal_connect (row, "changed", G_CALLBACK (field_changed_cb), self);
          self->inputs[i] = row;
          break;

        case KIND_BOOL:
          {
            GtkWidget *toggle = gtk_switch_new ();

            row = adw_action_row_new ();
            adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(settings[i].label));
            gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
            gtk_switch_set_active (GTK_SWITCH (toggle), settings[i].fallback);
            adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
            adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
            g_signal_connect (toggle, "notify::active", G_CALLBACK (switch_changed_cb), self);
            self->inputs[i] = toggle;
          }
          break;

        case KIND_CHOICE:
          row = adw_combo_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(settings[i].label));
          adw_combo_row_set_model (ADW_COMBO_ROW (row),
                                   G_LIST_MODEL (gtk_string_list_new (settings[i].choices)));
          g_signal_connect (row, "notify::selected", G_CALLBACK (switch_changed_cb), self);
          self->inputs[i] = row;
          break;

        case KIND_LINES:
        case KIND_HEADERS:
          self->inputs[i] = GTK_WIDGET (self->text_view);
          continue;

        default:
          g_assert_not_reached ();
        }

      self->rows[i] = row;
      adw_preferences_group_add (settings[i].match ? self->match_group : self->settings_group, row);
    }

  /* Why ping cannot run here, when it cannot. */
  self->ping_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->ping_row), _("Ping Is Not Available"));
  adw_action_row_set_subtitle_lines (self->ping_row, 0);
  adw_action_row_add_prefix (self->ping_row,
                             gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
  gtk_widget_add_css_class (GTK_WIDGET (self->ping_row), "warning");
  adw_preferences_group_add (self->settings_group, GTK_WIDGET (self->ping_row));

  /* Where a heartbeat check's pings go, once it has a token. */
  self->heartbeat_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->heartbeat_row), _("Heartbeat URL Path"));
  adw_preferences_group_add (self->settings_group, GTK_WIDGET (self->heartbeat_row));
}

/* Actions */

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SmCheckDialog *self = SM_CHECK_DIALOG (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(SmCheck) check = NULL;

  update_validation (self);
  if (!self->valid || self->store == NULL)
    return;

  check = build_check (self, &message);
  if (message != NULL)
    return;

  if (!sm_store_save_check (self->store, check, &error))
    {
      if (g_error_matches (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE))
        {
          g_free (self->duplicate_name);
          self->duplicate_name = g_strdup (check->name);
          self->general_dirty[GENERAL_NAME] = TRUE;
          update_validation (self);
          gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
          return;
        }

      gtk_label_set_label (self->save_error_label, error->message);
      gtk_revealer_set_reveal_child (self->save_error_revealer, TRUE);
      return;
    }

  if (self->scheduler != NULL)
    sm_check_scheduler_reload_server (self->scheduler, check->server_id);

  g_signal_emit (self, signals[SAVED], 0, check->id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_window_destroy (GTK_WINDOW (widget));
}

/* GObject */

static void
sm_check_dialog_dispose (GObject *object)
{
  SmCheckDialog *self = SM_CHECK_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_CHECK_DIALOG);
  g_clear_object (&self->store);
  g_clear_object (&self->scheduler);
  g_clear_pointer (&self->check, sm_check_free);
  g_clear_pointer (&self->duplicate_name, g_free);

  G_OBJECT_CLASS (sm_check_dialog_parent_class)->dispose (object);
}

static void
sm_check_dialog_class_init (SmCheckDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sm_check_dialog_dispose;

  /**
   * SmCheckDialog::saved:
   * @check_id: the id of the saved check
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-check-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, save_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, save_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, general_group);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, type_model);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, interval_row);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, timeout_row);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, general_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, settings_group);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, settings_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, match_group);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, match_error_label);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, text_group);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, text_view);
  gtk_widget_class_bind_template_child (widget_class, SmCheckDialog, text_error_label);
  gtk_widget_class_bind_template_callback (widget_class, type_changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "dialog.cancel", NULL, cancel_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "dialog.cancel", NULL);
}

static void
sm_check_dialog_init (SmCheckDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < SM_CHECK_N_TYPES; i++)
    gtk_string_list_append (self->type_model, sm_check_type_to_label (i));

  make_rows (self);

  g_signal_connect (self->name_row, "changed", G_CALLBACK (field_changed_cb), self);
  g_signal_connect (self->interval_row, "changed", G_CALLBACK (field_changed_cb), self);
  g_signal_connect (self->timeout_row, "changed", G_CALLBACK (field_changed_cb), self);
  g_signal_connect (self->enabled_switch, "notify::active", G_CALLBACK (switch_changed_cb), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->text_view), "changed",
                            G_CALLBACK (text_changed_cb), self);
}

SmCheckDialog *
sm_check_dialog_new (GtkWindow        *parent,
                     SmStore          *store,
                     SmCheckScheduler *scheduler,
                     gint64            server_id,
                     const SmCheck    *check)
{
  SmCheckDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);
  g_return_val_if_fail (scheduler == NULL || SM_IS_CHECK_SCHEDULER (scheduler), NULL);

  self = g_object_new (SM_TYPE_CHECK_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  self->scheduler = scheduler != NULL ? g_object_ref (scheduler) : NULL;
  self->editing = check != NULL;
  self->server_id = check != NULL ? check->server_id : server_id;

  if (check != NULL)
    {
      self->check = sm_check_copy (check);
    }
  else
    {
      self->check = sm_check_new (SM_CHECK_HTTP, NULL);
      self->check->server_id = server_id;
    }

  gtk_window_set_title (GTK_WINDOW (self),
                        self->editing ? _("Edit Check") : _("Add Check"));
  gtk_button_set_label (self->save_button, self->editing ? _("_Save") : _("_Add"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->type_row), !self->editing);

  load_check (self);
  update_type_rows (self);
  update_validation (self);

  return self;
}

/* Test accessors */

GtkWidget *
_sm_check_dialog_get_field (SmCheckDialog *self,
                            const char    *member)
{
  guint i;

  if (g_str_equal (member, "type"))
    return GTK_WIDGET (self->type_row);
  if (g_str_equal (member, "name"))
    return GTK_WIDGET (self->name_row);
  if (g_str_equal (member, "interval"))
    return GTK_WIDGET (self->interval_row);
  if (g_str_equal (member, "timeout"))
    return GTK_WIDGET (self->timeout_row);
  if (g_str_equal (member, "enabled"))
    return GTK_WIDGET (self->enabled_switch);

  i = find_setting (member);
  g_assert (i < N_SETTINGS);

  return self->inputs[i];
}

const char *
_sm_check_dialog_get_field_error (SmCheckDialog *self,
                                  const char    *member)
{
  const char *label;
  gboolean shown;
  GtkLabel *error_label = error_label_for (self, member, &label, &shown);

  if (!gtk_widget_get_visible (GTK_WIDGET (error_label)))
    return "";

  return gtk_label_get_label (error_label);
}

GtkWidget *
_sm_check_dialog_get_save_button (SmCheckDialog *self)
{
  return GTK_WIDGET (self->save_button);
}

SmCheck *
_sm_check_dialog_dup_check (SmCheckDialog *self)
{
  g_autofree char *message = NULL;

  return build_check (self, &message);
}

AdwActionRow *
_sm_check_dialog_get_heartbeat_row (SmCheckDialog *self)
{
  return self->heartbeat_row;
}
