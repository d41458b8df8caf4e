/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-window.c: the main window: server list and the selected server. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sm-alerts-page.h"
#include "sm-server-dialog.h"
#include "sm-server-page.h"
#include "sm-server-row.h"
#include "sm-ssh-session.h"
#include "sm-window.h"
#include "sm-window-private.h"

/* A server hidden from the list whose deletion can still be undone. */
typedef struct
{
  SmWindow *self;     /* unowned: the window commits these before it goes */
  SmServer *server;
  AdwToast *toast;
} PendingDelete;

struct _SmWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *sidebar_stack;
  GtkListBox           *list_box;
  GtkWidget            *content;
  AdwViewSwitcherTitle *content_title;
  GtkWidget            *edit_button;
  GtkWidget            *delete_button;
  GtkStack             *content_stack;
  GtkWidget            *empty_add_button;
  SmServerPage         *server_page;
  GtkListBox           *alerts_list_box;
  GtkListBoxRow        *alerts_row;
  GtkLabel             *alerts_badge;
  GtkWidget            *alerts_separator;
  SmAlertsPage         *alerts_page;

  /* Owned references */
  SmStore              *store;
  SmHistoryReader      *history_reader;  /* NULL: no history */
  GSettings            *settings;
  GListStore           *servers;     /* SmServer, the visible (not pending) ones */
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;    /* sorted and filtered view of servers */
  SmServer             *selected;
  GPtrArray            *pending;     /* PendingDelete */
  char                 *search_key;  /* casefolded search text, or NULL */
  SmAlertManager       *alert_manager;  /* NULL: no Alerts page */

  gboolean              alerts_shown;   /* the content pane shows the Alerts page */
};

G_DEFINE_FINAL_TYPE (SmWindow, sm_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SERVER_SAVED,
  SERVER_DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void commit_pending (SmWindow      *self,
                            PendingDelete *pending,
                            gboolean       interactive,
                            gboolean       dismiss_toast);

static gboolean
is_empty (const char *str)
{
  return str == NULL || str[0] == '\0';
}

static int
compare_text (const char *a,
              const char *b)
{
  g_autofree char *key_a = g_utf8_casefold (a != NULL ? a : "", -1);
  g_autofree char *key_b = g_utf8_casefold (b != NULL ? b : "", -1);

  return g_utf8_collate (key_a, key_b);
}

/* The store's order: no group first, then by group, then by name. */
static int
server_compare_func (gconstpointer a,
                     gconstpointer b,
                     gpointer      user_data)
{
  SmServer *server_a = (SmServer *) a;
  SmServer *server_b = (SmServer *) b;
  const char *group_a = sm_server_get_group (server_a);
  const char *group_b = sm_server_get_group (server_b);
  gint64 id_a, id_b;
  int ret;

  if (is_empty (group_a) != is_empty (group_b))
    return is_empty (group_a) ? -1 : 1;

  if (!is_empty (group_a) && (ret = compare_text (group_a, group_b)) != 0)
    return ret;

  if ((ret = compare_text (sm_server_get_name (server_a),
                           sm_server_get_name (server_b))) != 0)
    return ret;

  id_a = sm_server_get_id (server_a);
  id_b = sm_server_get_id (server_b);

  return (id_a > id_b) - (id_a < id_b);
}

static gboolean
matches (const char *text,
         const char *key)
{
  g_autofree char *folded = NULL;

  if (is_empty (text))
    return FALSE;

  folded = g_utf8_casefold (text, -1);

  return strstr (folded, key) != NULL;
}

static gboolean
server_filter_func (gpointer item,
                    gpointer user_data)
{
  SmWindow *self = user_data;
  SmServer *server = item;
  const char * const *tags;

  if (self->search_key == NULL)
    return TRUE;

  if (matches (sm_server_get_name (server), self->search_key) ||
      matches (sm_server_get_host (server), self->search_key) ||
      matches (sm_server_get_group (server), self->search_key))
    return TRUE;

  tags = sm_server_get_tags (server);
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    {
      if (matches (tags[i], self->search_key))
        return TRUE;
    }

  return FALSE;
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  SmWindow *self = user_data;
  GtkWidget *row = sm_server_row_new (SM_SERVER (item));

  sm_server_row_set_history_reader (SM_SERVER_ROW (row), self->history_reader);

  return row;
}

static void
update_header_cb (GtkListBoxRow *row,
                  GtkListBoxRow *before,
                  gpointer       user_data)
{
  SmServer *server = sm_server_row_get_server (SM_SERVER_ROW (row));
  const char *group = sm_server_get_group (server);
  GtkWidget *header;

  if (is_empty (group) ||
      (before != NULL &&
       compare_text (group, sm_server_get_group (sm_server_row_get_server (SM_SERVER_ROW (before)))) == 0))
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  header = gtk_list_box_row_get_header (row);
  if (GTK_IS_LABEL (header) &&
      g_strcmp0 (gtk_label_get_label (GTK_LABEL (header)), group) == 0)
    return;

  header = gtk_label_new (group);
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_label_set_ellipsize (GTK_LABEL (header), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (header, "server-group-header");
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_add_css_class (header, "dim-label");
  gtk_list_box_row_set_header (row, header);
}

static gboolean
find_position (GListModel *model,
               SmServer   *server,
               guint      *out_position)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SmServer) item = g_list_model_get_item (model, i);

      if (item == server)
        {
          *out_position = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* Returns the listed server with that id (borrowed from the list), or NULL. */
static SmServer *
find_by_id (SmWindow *self,
            gint64    id,
            guint    *out_position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->servers));

  for (guint i = 0; i < n; i++)
    {
      SmServer *item = g_list_model_get_item (G_LIST_MODEL (self->servers), i);
      gboolean found = sm_server_get_id (item) == id;

      /* The list keeps its own reference. */
      g_object_unref (item);
      if (found)
        {
          *out_position = i;
          return item;
        }
    }

  return NULL;
}

static gboolean
is_pending (SmWindow *self,
            gint64    id)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      PendingDelete *pending = g_ptr_array_index (self->pending, i);

      if (sm_server_get_id (pending->server) == id)
        return TRUE;
    }

  return FALSE;
}

static void
show_error_toast (SmWindow   *self,
                  const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
sm_window_show_error (SmWindow   *self,
                      const char *message)
{
  g_return_if_fail (SM_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  show_error_toast (self, message);
}

static void
update_view (SmWindow *self)
{
  guint n_total = g_list_model_get_n_items (G_LIST_MODEL (self->servers));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  gboolean folded = adw_leaflet_get_folded (self->leaflet);
  gboolean has_selection = self->selected != NULL;
  gboolean alerts = self->alerts_shown && self->alert_manager != NULL;
  AdwViewStack *view_stack;
  const char *sidebar_page;
  const char *content_page;

  if (n_total == 0)
    sidebar_page = folded ? "empty" : "list";
  else if (n_shown == 0)
    sidebar_page = "no-results";
  else
    sidebar_page = "list";

  if (alerts)
    content_page = "alerts";
  else if (n_total == 0)
    content_page = "empty";
  else if (has_selection)
    content_page = "server";
  else
    content_page = "select";

  gtk_stack_set_visible_child_name (self->sidebar_stack, sidebar_page);
  gtk_stack_set_visible_child_name (self->content_stack, content_page);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit-server", has_selection);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-server", has_selection);
  gtk_widget_set_visible (self->edit_button, has_selection);
  gtk_widget_set_visible (self->delete_button, has_selection);
  /* The header's view switcher follows the page shown. */
  view_stack = alerts ? sm_alerts_page_get_view_stack (self->alerts_page)
                      : sm_server_page_get_view_stack (self->server_page);
  if (adw_view_switcher_title_get_stack (self->content_title) != view_stack)
    adw_view_switcher_title_set_stack (self->content_title, view_stack);
  adw_view_switcher_title_set_view_switcher_enabled (self->content_title,
                                                     alerts || g_str_equal (content_page, "server"));

  /* Folded with nothing to show: the sidebar holds the empty state. */
  if (folded && n_total == 0 && !alerts)
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
selected_name_cb (SmWindow   *self,
                  GParamSpec *pspec,
                  SmServer   *server)
{
  adw_view_switcher_title_set_title (self->content_title, sm_server_get_name (server));
}

/* Shows server in the content pane; the list selection is left alone. */
static void
show_server (SmWindow *self,
             SmServer *server)
{
  if (server != NULL && self->alerts_shown)
    {
      self->alerts_shown = FALSE;
      gtk_list_box_unselect_all (self->alerts_list_box);
    }

  if (self->selected == server)
    {
      update_view (self);
      return;
    }

  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_func (self->selected, selected_name_cb, self);

  g_set_object (&self->selected, server);
  sm_server_page_set_server (self->server_page, server);

  if (server != NULL)
    {
      g_signal_connect_object (server, "notify::name",
                               G_CALLBACK (selected_name_cb), self,
                               G_CONNECT_SWAPPED);
      adw_view_switcher_title_set_title (self->content_title, sm_server_get_name (server));
    }
  else
    {
      adw_view_switcher_title_set_title (self->content_title, "");
    }

  update_view (self);
}

/* Selects the row of the selected server if the filter shows it. */
static void
sync_row_selection (SmWindow *self)
{
  GtkListBoxRow *row = NULL;
  guint position;

  if (self->selected != NULL &&
      find_position (G_LIST_MODEL (self->filtered), self->selected, &position))
    row = gtk_list_box_get_row_at_index (self->list_box, position);

  if (row == NULL)
    gtk_list_box_unselect_all (self->list_box);
  else if (gtk_list_box_get_selected_row (self->list_box) != row)
    gtk_list_box_select_row (self->list_box, row);
}

static void
filtered_items_changed_cb (SmWindow   *self,
                           guint       position,
                           guint       removed,
                           guint       added,
                           GListModel *model)
{
  gtk_list_box_invalidate_headers (self->list_box);
  sync_row_selection (self);
  update_view (self);
}

static void
row_selected_cb (SmWindow      *self,
                 GtkListBoxRow *row,
                 GtkListBox    *list_box)
{
  /* A row also goes away while it is filtered out: keep showing its server. */
  if (row == NULL)
    return;

  show_server (self, sm_server_row_get_server (SM_SERVER_ROW (row)));
}

/* Folded, shows the content pane; side by side, leaves the focus alone. */
static void
navigate_to_content (SmWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
row_activated_cb (SmWindow      *self,
                  GtkListBoxRow *row,
                  GtkListBox    *list_box)
{
  show_server (self, sm_server_row_get_server (SM_SERVER_ROW (row)));
  navigate_to_content (self);
}

/* Alerts */

static void
show_alerts (SmWindow *self)
{
  if (self->alert_manager == NULL)
    return;

  self->alerts_shown = TRUE;
  show_server (self, NULL);
  sync_row_selection (self);
  if (gtk_list_box_get_selected_row (self->alerts_list_box) != self->alerts_row)
    gtk_list_box_select_row (self->alerts_list_box, self->alerts_row);
  adw_view_switcher_title_set_title (self->content_title, _("Alerts"));
  update_view (self);
}

static void
alerts_row_activated_cb (SmWindow      *self,
                         GtkListBoxRow *row,
                         GtkListBox    *list_box)
{
  show_alerts (self);
  navigate_to_content (self);
}

static void
show_alerts_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  sm_window_show_alerts (SM_WINDOW (widget));
}

static void
update_alerts_badge (SmWindow *self)
{
  g_autoptr(GPtrArray) active = NULL;
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;
  gboolean critical = FALSE;
  guint count;

  if (self->alert_manager == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->alerts_badge), FALSE);
      return;
    }

  count = sm_alert_manager_count_active (self->alert_manager);
  active = sm_alert_manager_list_active (self->alert_manager);
  for (guint i = 0; active != NULL && i < active->len; i++)
    {
      const SmAlertInfo *info = g_ptr_array_index (active, i);

      if (info->state == SM_ALERT_STATE_FIRING && info->severity == SM_SEVERITY_CRITICAL)
        critical = TRUE;
    }

  text = g_strdup_printf ("%u", count);
  gtk_label_set_label (self->alerts_badge, text);
  gtk_widget_set_visible (GTK_WIDGET (self->alerts_badge), count > 0);
  if (critical)
    gtk_widget_add_css_class (GTK_WIDGET (self->alerts_badge), "critical");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->alerts_badge), "critical");

  /* Translators: the sidebar's Alerts badge. */
  tooltip = g_strdup_printf (ngettext ("%u active alert", "%u active alerts", count), count);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->alerts_badge), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->alerts_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip,
                                  -1);
}

static void
alerts_changed_cb (SmWindow       *self,
                   SmAlertManager *manager)
{
  update_alerts_badge (self);
}

static void
open_server_cb (SmWindow       *self,
                gint64          server_id,
                SmAlertManager *manager)
{
  SmServer *server;
  guint position;

  server = find_by_id (self, server_id, &position);
  if (server != NULL)
    {
      sm_window_select_server (self, server);
      navigate_to_content (self);
    }

  gtk_window_present (GTK_WINDOW (self));
}

static void
leaflet_folded_cb (SmWindow   *self,
                   GParamSpec *pspec,
                   AdwLeaflet *leaflet)
{
  update_view (self);
}

static void
back_clicked_cb (SmWindow  *self,
                 GtkButton *button)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
apply_search (SmWindow *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  g_autofree char *key = NULL;

  g_strstrip (text);
  if (text[0] != '\0')
    key = g_utf8_casefold (text, -1);

  if (g_strcmp0 (key, self->search_key) == 0)
    return;

  g_free (self->search_key);
  self->search_key = g_steal_pointer (&key);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
search_changed_cb (SmWindow       *self,
                   GtkSearchEntry *entry)
{
  apply_search (self);
}

static void
search_activate_cb (SmWindow       *self,
                    GtkSearchEntry *entry)
{
  GtkListBoxRow *row;

  /* Enter may come before the delayed "search-changed". */
  apply_search (self);

  row = gtk_list_box_get_row_at_index (self->list_box, 0);
  if (row == NULL)
    return;

  gtk_list_box_select_row (self->list_box, row);
  row_activated_cb (self, row, self->list_box);
}

static void
server_saved_cb (SmWindow       *self,
                 SmServer       *server,
                 SmServerDialog *dialog)
{
  SmServer *old;
  guint position;

  g_assert (SM_IS_SERVER (server));

  old = find_by_id (self, sm_server_get_id (server), &position);
  if (old != NULL)
    {
      /* Replacing the item also moves it to its new place in the order. */
      g_list_store_splice (self->servers, position, 1, (gpointer *) &server, 1);
    }
  else if (is_pending (self, sm_server_get_id (server)))
    {
      /* Saved while its deletion waits for the toast: it goes anyway. */
      return;
    }
  else
    {
      g_list_store_append (self->servers, server);
    }

  g_signal_emit (self, signals[SERVER_SAVED], 0, server);
  sm_window_select_server (self, server);
  navigate_to_content (self);
}

static void
open_server_dialog (SmWindow *self,
                    SmServer *server)
{
  SmServerDialog *dialog;

  dialog = sm_server_dialog_new (GTK_WINDOW (self), self->store, server, self->settings);
  g_signal_connect_object (dialog, "saved",
                           G_CALLBACK (server_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_server_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  open_server_dialog (SM_WINDOW (widget), NULL);
}

static void
edit_server_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SmWindow *self = SM_WINDOW (widget);

  if (self->selected != NULL)
    open_server_dialog (self, self->selected);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SmWindow *self = SM_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
pending_delete_free (PendingDelete *pending)
{
  g_signal_handlers_disconnect_by_data (pending->toast, pending);
  g_clear_object (&pending->toast);
  g_clear_object (&pending->server);
  g_free (pending);
}

static void
commit_pending (SmWindow      *self,
                PendingDelete *pending,
                gboolean       interactive,
                gboolean       dismiss_toast)
{
  g_autoptr(SmServer) server = g_object_ref (pending->server);
  g_autoptr(AdwToast) toast = g_object_ref (pending->toast);
  g_autoptr(GError) error = NULL;

  /* Frees pending and disconnects it from the toast. */
  g_ptr_array_remove (self->pending, pending);

  if (dismiss_toast)
    adw_toast_dismiss (toast);

  if (sm_store_delete_server (self->store, sm_server_get_id (server), &error))
    {
      g_signal_emit (self, signals[SERVER_DELETED], 0, server);
      return;
    }

  if (interactive)
    {
      g_autofree char *message = NULL;

      g_list_store_append (self->servers, server);
      /* Translators: the first %s is a server name, the second an error message. */
      message = g_strdup_printf (_("Could not delete “%s”: %s"),
                                 sm_server_get_name (server), error->message);
      show_error_toast (self, message);
    }
  else
    {
      g_warning ("Could not delete server %" G_GINT64_FORMAT ": %s",
                 sm_server_get_id (server), error->message);
    }
}

static void
undo_clicked_cb (PendingDelete *pending)
{
  SmWindow *self = pending->self;
  g_autoptr(SmServer) server = g_object_ref (pending->server);

  g_ptr_array_remove (self->pending, pending);
  g_list_store_append (self->servers, server);
  sm_window_select_server (self, server);
}

static void
toast_dismissed_cb (PendingDelete *pending)
{
  commit_pending (pending->self, pending, TRUE, FALSE);
}

static void
commit_all (SmWindow *self,
            gboolean  interactive)
{
  if (self->pending == NULL)
    return;

  while (self->pending->len > 0)
    commit_pending (self, g_ptr_array_index (self->pending, 0), interactive, TRUE);
}

static void
hide_server (SmWindow *self,
             SmServer *server)
{
  g_autoptr(SmServer) hold = g_object_ref (server);
  g_autofree char *escaped = NULL;
  PendingDelete *pending;
  AdwToast *toast;
  guint position;

  if (!g_list_store_find (self->servers, server, &position))
    return;

  /* One undo at a time: earlier deletions happen now. */
  commit_all (self, TRUE);

  if (self->selected == server)
    {
      show_server (self, NULL);
      adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
    }

  g_list_store_remove (self->servers, position);

  escaped = g_markup_escape_text (sm_server_get_name (server), -1);
  /* Translators: %s is a server name. */
  toast = adw_toast_new_format (_("“%s” deleted"), escaped);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);

  pending = g_new0 (PendingDelete, 1);
  pending->self = self;
  pending->server = g_object_ref (server);
  pending->toast = g_object_ref (toast);
  g_signal_connect_swapped (toast, "button-clicked",
                            G_CALLBACK (undo_clicked_cb), pending);
  g_signal_connect_swapped (toast, "dismissed",
                            G_CALLBACK (toast_dismissed_cb), pending);
  g_ptr_array_add (self->pending, pending);

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
delete_response_cb (SmWindow         *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  SmServer *server = g_object_get_data (G_OBJECT (dialog), "sm-server");

  if (g_strcmp0 (response, "delete") == 0 && server != NULL)
    hide_server (self, server);
}

static void
delete_server_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SmWindow *self = SM_WINDOW (widget);
  GtkWidget *dialog;

  if (self->selected == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), NULL,
                                   _("Its settings and stored credentials will be removed."));
  /* Translators: %s is a server name. */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Delete “%s”?"),
                                     sm_server_get_name (self->selected));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "sm-server",
                          g_object_ref (self->selected), g_object_unref);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (delete_response_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
save_window_state (SmWindow *self)
{
  int width = 0;
  int height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
sm_window_close_request (GtkWindow *window)
{
  SmWindow *self = SM_WINDOW (window);

  save_window_state (self);
  commit_all (self, FALSE);

  return GTK_WINDOW_CLASS (sm_window_parent_class)->close_request (window);
}

static void
sm_window_constructed (GObject *object)
{
  SmWindow *self = SM_WINDOW (object);
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (sm_window_parent_class)->constructed (object);

  g_assert (SM_IS_STORE (self->store));

  sm_server_page_set_store (self->server_page, self->store);
  sm_alerts_page_set_store (self->alerts_page, self->store);
  sm_alerts_page_set_servers (self->alerts_page, G_LIST_MODEL (self->servers));

  /* Overview and Details switch in the header bar, or at the bottom when narrow. */
  adw_view_switcher_title_set_stack (self->content_title,
                                     sm_server_page_get_view_stack (self->server_page));
  g_object_bind_property (self->content_title, "title-visible",
                          sm_server_page_get_switcher_bar (self->server_page), "reveal",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->content_title, "title-visible",
                          sm_alerts_page_get_switcher_bar (self->alerts_page), "reveal",
                          G_BINDING_SYNC_CREATE);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  servers = sm_store_list_servers (self->store, &error);
  if (servers == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is an error message. */
      message = g_strdup_printf (_("Could not load the servers: %s"), error->message);
      show_error_toast (self, message);
    }
  else if (servers->len > 0)
    {
      g_autoptr(SmServer) first = NULL;

      GtkListBoxRow *row;

      g_list_store_splice (self->servers, 0, 0, servers->pdata, servers->len);
      first = g_list_model_get_item (G_LIST_MODEL (self->filtered), 0);
      sm_window_select_server (self, first);

      /* Keyboard users start in the list (arrows, Delete, Enter). */
      row = gtk_list_box_get_selected_row (self->list_box);
      if (row != NULL)
        gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (row));
    }

  update_view (self);
}

static void
sm_window_dispose (GObject *object)
{
  SmWindow *self = SM_WINDOW (object);

  /* Before the toast overlay goes: it dismisses its toasts. */
  commit_all (self, FALSE);

  if (self->alert_manager != NULL)
    g_signal_handlers_disconnect_by_data (self->alert_manager, self);

  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_func (self->selected, selected_name_cb, self);

  /* The switcher lets go of the page's stack before it goes. */
  if (self->content_title != NULL)
    adw_view_switcher_title_set_stack (self->content_title, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), SM_TYPE_WINDOW);

  if (self->filter != NULL)
    gtk_custom_filter_set_filter_func (self->filter, NULL, NULL, NULL);

  g_clear_object (&self->alert_manager);
  g_clear_object (&self->selected);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->servers);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_pointer (&self->history_reader, sm_history_reader_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->search_key, g_free);

  G_OBJECT_CLASS (sm_window_parent_class)->dispose (object);
}

static void
sm_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SmWindow *self = SM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SmWindow *self = SM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sm_window_class_init (SmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = sm_window_constructed;
  object_class->dispose = sm_window_dispose;
  object_class->get_property = sm_window_get_property;
  object_class->set_property = sm_window_set_property;

  window_class->close_request = sm_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         SM_TYPE_STORE,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SmWindow::server-saved:
   * @server: the server as saved (a new object after an edit)
   *
   * A server was added or edited and saved in the store.
   */
  signals[SERVER_SAVED] =
    g_signal_new ("server-saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SM_TYPE_SERVER);

  /**
   * SmWindow::server-deleted:
   * @server: the server deleted from the store
   *
   * A deletion was committed (its Undo toast went away).
   */
  signals[SERVER_DELETED] =
    g_signal_new ("server-deleted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SM_TYPE_SERVER);

  g_type_ensure (SM_TYPE_SERVER_PAGE);
  g_type_ensure (SM_TYPE_ALERTS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/sm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, list_box);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, content);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, empty_add_button);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, server_page);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, alerts_list_box);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, alerts_row);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, alerts_badge);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, alerts_separator);
  gtk_widget_class_bind_template_child (widget_class, SmWindow, alerts_page);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, alerts_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.add-server", NULL, add_server_action);
  gtk_widget_class_install_action (widget_class, "win.edit-server", NULL, edit_server_action);
  gtk_widget_class_install_action (widget_class, "win.delete-server", NULL, delete_server_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-alerts", NULL, show_alerts_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add-server", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.edit-server", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.show-alerts", NULL);
}

static void
sm_window_init (SmWindow *self)
{
  GtkSortListModel *sorted;
  GtkCustomSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_delete_free);

  self->servers = g_list_store_new (SM_TYPE_SERVER);
  sorter = gtk_custom_sorter_new (server_compare_func, NULL, NULL);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->servers)),
                                    GTK_SORTER (sorter));
  self->filter = gtk_custom_filter_new (server_filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (sorted),
                                              GTK_FILTER (g_object_ref (self->filter)));

  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->filtered),
                           create_row_cb, self, NULL);
  gtk_list_box_set_header_func (self->list_box, update_header_cb, NULL, NULL);
  /* After the list box's own handler, so the rows exist. */
  g_signal_connect_object (self->filtered, "items-changed",
                           G_CALLBACK (filtered_items_changed_cb), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-alerts", FALSE);

  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
}

SmWindow *
sm_window_new (SmApplication *app,
               SmStore       *store)
{
  g_return_val_if_fail (app == NULL || SM_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (SM_IS_STORE (store), NULL);

  return g_object_new (SM_TYPE_WINDOW,
                       "application", app,
                       "store", store,
                       NULL);
}

SmStore *
sm_window_get_store (SmWindow *self)
{
  g_return_val_if_fail (SM_IS_WINDOW (self), NULL);

  return self->store;
}

SmServer *
sm_window_get_selected_server (SmWindow *self)
{
  g_return_val_if_fail (SM_IS_WINDOW (self), NULL);

  return self->selected;
}

void
sm_window_select_server (SmWindow *self,
                         SmServer *server)
{
  g_return_if_fail (SM_IS_WINDOW (self));
  g_return_if_fail (server == NULL || SM_IS_SERVER (server));

  show_server (self, server);
  sync_row_selection (self);
}

void
sm_window_set_vault_loading (SmWindow *self,
                             gboolean  vault_loading)
{
  g_return_if_fail (SM_IS_WINDOW (self));

  sm_server_page_set_vault_loading (self->server_page, vault_loading);
  sm_server_page_refresh_credentials (self->server_page);
}

void
sm_window_set_history_reader (SmWindow        *self,
                              SmHistoryReader *reader)
{
  GtkListBoxRow *row;

  g_return_if_fail (SM_IS_WINDOW (self));

  if (self->history_reader == reader)
    return;

  g_clear_pointer (&self->history_reader, sm_history_reader_unref);
  if (reader != NULL)
    self->history_reader = sm_history_reader_ref (reader);

  sm_server_page_set_history_reader (self->server_page, reader);
  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->list_box, i)) != NULL; i++)
    sm_server_row_set_history_reader (SM_SERVER_ROW (row), reader);
}

void
sm_window_set_history_unavailable_reason (SmWindow   *self,
                                          const char *reason)
{
  g_return_if_fail (SM_IS_WINDOW (self));

  sm_server_page_set_history_unavailable_reason (self->server_page, reason);
}

void
sm_window_set_alert_manager (SmWindow       *self,
                             SmAlertManager *manager)
{
  g_return_if_fail (SM_IS_WINDOW (self));
  g_return_if_fail (manager == NULL || SM_IS_ALERT_MANAGER (manager));

  if (self->alert_manager == manager)
    return;

  if (self->alert_manager != NULL)
    g_signal_handlers_disconnect_by_data (self->alert_manager, self);

  g_set_object (&self->alert_manager, manager);

  if (manager != NULL)
    {
      g_signal_connect_object (manager, "changed",
                               G_CALLBACK (alerts_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "open-server",
                               G_CALLBACK (open_server_cb), self,
                               G_CONNECT_SWAPPED);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->alerts_list_box), manager != NULL);
  gtk_widget_set_visible (self->alerts_separator, manager != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-alerts", manager != NULL);
  sm_alerts_page_set_manager (self->alerts_page, manager);
  sm_server_page_set_alert_manager (self->server_page, manager);
  update_alerts_badge (self);

  if (manager == NULL && self->alerts_shown)
    {
      self->alerts_shown = FALSE;
      gtk_list_box_unselect_all (self->alerts_list_box);
      adw_view_switcher_title_set_title (self->content_title, "");
    }

  update_view (self);
}

void
sm_window_set_check_scheduler (SmWindow         *self,
                               SmCheckScheduler *scheduler)
{
  g_return_if_fail (SM_IS_WINDOW (self));
  g_return_if_fail (scheduler == NULL || SM_IS_CHECK_SCHEDULER (scheduler));

  /* The server page's Checks view keeps the reference. */
  sm_server_page_set_check_scheduler (self->server_page, scheduler);
}

void
sm_window_show_alerts (SmWindow *self)
{
  g_return_if_fail (SM_IS_WINDOW (self));

  show_alerts (self);
  navigate_to_content (self);
}

void
sm_window_commit_pending_deletions (SmWindow *self)
{
  g_return_if_fail (SM_IS_WINDOW (self));

  commit_all (self, FALSE);
}

AdwLeaflet *
_sm_window_get_leaflet (SmWindow *self)
{
  return self->leaflet;
}

GtkWidget *
_sm_window_get_sidebar (SmWindow *self)
{
  return self->sidebar;
}

GtkListBox *
_sm_window_get_list_box (SmWindow *self)
{
  return self->list_box;
}

GtkStack *
_sm_window_get_sidebar_stack (SmWindow *self)
{
  return self->sidebar_stack;
}

GtkStack *
_sm_window_get_content_stack (SmWindow *self)
{
  return self->content_stack;
}

GtkEditable *
_sm_window_get_search_entry (SmWindow *self)
{
  return GTK_EDITABLE (self->search_entry);
}

GtkWidget *
_sm_window_get_empty_add_button (SmWindow *self)
{
  return self->empty_add_button;
}

AdwToast *
_sm_window_get_undo_toast (SmWindow *self)
{
  PendingDelete *pending;

  if (self->pending == NULL || self->pending->len == 0)
    return NULL;

  pending = g_ptr_array_index (self->pending, self->pending->len - 1);

  return pending->toast;
}

GListModel *
sm_window_get_servers (SmWindow *self)
{
  g_return_val_if_fail (SM_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->servers);
}

void
sm_window_report_poll (SmWindow     *self,
                       SmServer     *server,
                       const GError *error,
                       const char   *host_key_sha256)
{
  SmHostKeyIssue issue = SM_HOST_KEY_ISSUE_NONE;

  g_return_if_fail (SM_IS_WINDOW (self));
  g_return_if_fail (SM_IS_SERVER (server));

  if (g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN))
    issue = SM_HOST_KEY_ISSUE_UNKNOWN;
  else if (g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_CHANGED))
    issue = SM_HOST_KEY_ISSUE_CHANGED;

  sm_server_page_report_host_key (self->server_page, server, issue, host_key_sha256);
}

SmServerPage *
_sm_window_get_server_page (SmWindow *self)
{
  return self->server_page;
}

SmAlertsPage *
_sm_window_get_alerts_page (SmWindow *self)
{
  return self->alerts_page;
}

GtkListBoxRow *
_sm_window_get_alerts_row (SmWindow *self)
{
  return self->alerts_row;
}

GtkLabel *
_sm_window_get_alerts_badge (SmWindow *self)
{
  return self->alerts_badge;
}
