/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: the main window against a real store. */
#include "config.h"

#include <adwaita.h>

#include "sm-preferences-window.h"
#include "sm-server-dialog-private.h"
#include "sm-server-row.h"
#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-vault.h"
#include "sm-window-private.h"
#include "sm-window.h"

typedef struct
{
  char    *dir;
  SmStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SmVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  guint8 key[SM_VAULT_KEY_SIZE];

  for (guint i = 0; i < SM_VAULT_KEY_SIZE; i++)
    key[i] = i * 7 + 1;

  f->dir = sm_test_mkdtemp ();
  vault = sm_vault_new_with_key (key);
  f->store = sm_store_open_data_dir (f->dir, vault, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->store);
  sm_test_rmdir (f->dir);
  g_free (f->dir);
}

static void
add_server (Fixture    *f,
            const char *name,
            const char *host,
            const char *group,
            const char *tag)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autoptr(GError) error = NULL;
  const char *tags[] = { tag, NULL };

  sm_server_set_name (server, name);
  sm_server_set_host (server, host);
  sm_server_set_username (server, "admin");
  sm_server_set_group (server, group);
  if (tag != NULL)
    sm_server_set_tags (server, tags);

  sm_store_save_server (f->store, server, SM_SECRET_KEEP, NULL, &error);
  g_assert_no_error (error);
}

static void
add_three_servers (Fixture *f)
{
  add_server (f, "Web", "web.example.com", "Frontend", "nginx");
  add_server (f, "Postgres", "db.example.com", "Databases", NULL);
  add_server (f, "Gateway", "gw.example.org", NULL, NULL);
}

static guint
count_store_servers (Fixture    *f,
                     const char *name)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  servers = sm_store_list_servers (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < servers->len; i++)
    {
      if (name == NULL || g_strcmp0 (sm_server_get_name (servers->pdata[i]), name) == 0)
        n++;
    }

  return n;
}

static guint
count_rows (SmWindow *window)
{
  GtkListBox *list_box = _sm_window_get_list_box (window);
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list_box, n) != NULL)
    n++;

  return n;
}

static SmServerRow *
get_row (SmWindow *window,
         guint     index)
{
  return SM_SERVER_ROW (gtk_list_box_get_row_at_index (_sm_window_get_list_box (window), index));
}

static SmServer *
row_server (SmWindow *window,
            guint     index)
{
  return sm_server_row_get_server (get_row (window, index));
}

static gboolean
has_row_named (SmWindow   *window,
               const char *name)
{
  guint n = count_rows (window);

  for (guint i = 0; i < n; i++)
    {
      if (g_strcmp0 (sm_server_get_name (row_server (window, i)), name) == 0)
        return TRUE;
    }

  return FALSE;
}

static const char *
header_text (SmWindow *window,
             guint     index)
{
  GtkWidget *header = gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (get_row (window, index)));

  if (header == NULL)
    return NULL;

  g_assert_true (GTK_IS_LABEL (header));

  return gtk_label_get_label (GTK_LABEL (header));
}

static gboolean
stack_shows (GtkStack   *stack,
             const char *name)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), name) == 0;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
        return l->data;
    }

  return NULL;
}

static SmServerDialog *
find_server_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      if (SM_IS_SERVER_DIALOG (l->data) && gtk_widget_get_visible (l->data))
        return l->data;
    }

  return NULL;
}

/* Opens the dialog through action, types name (and host), and saves. */
static void
run_server_dialog (SmWindow   *window,
                   const char *action,
                   const char *name,
                   const char *host)
{
  SmServerDialog *dialog;
  GtkWidget *save;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  sm_test_wait_until ((dialog = find_server_dialog ()) != NULL);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));

  gtk_editable_set_text (GTK_EDITABLE (_sm_server_dialog_get_row (dialog, "name")), name);
  if (host != NULL)
    gtk_editable_set_text (GTK_EDITABLE (_sm_server_dialog_get_row (dialog, "host")), host);

  save = _sm_server_dialog_get_row (dialog, "save");
  sm_test_wait_until (gtk_widget_is_sensitive (save));
  gtk_widget_activate (save);
  sm_test_wait_until (find_server_dialog () == NULL);
}

static SmWindow *
create_window (Fixture *f,
               int      width,
               int      height)
{
  SmWindow *window = sm_window_new (NULL, f->store);

  /* Our own reference, for g_assert_finalize_object() after destroying it. */
  g_object_ref (window);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  sm_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (window)));

  return window;
}

static void
destroy_window (SmWindow *window)
{
  AdwMessageDialog *dialog;

  while ((dialog = find_message_dialog ()) != NULL)
    gtk_window_destroy (GTK_WINDOW (dialog));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
test_window_empty (Fixture       *f,
                   gconstpointer  data)
{
  SmWindow *window = create_window (f, 1000, 700);
  GtkWidget *button = _sm_window_get_empty_add_button (window);

  g_assert_false (adw_leaflet_get_folded (_sm_window_get_leaflet (window)));
  g_assert_true (stack_shows (_sm_window_get_content_stack (window), "empty"));
  sm_test_wait_until (gtk_widget_get_mapped (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Add Server");
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_assert_true (gtk_widget_has_css_class (button, "pill"));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.add-server");
  g_assert_cmpuint (count_rows (window), ==, 0);
  g_assert_null (sm_window_get_selected_server (window));

  destroy_window (window);
}

static void
test_window_groups_and_search (Fixture       *f,
                               gconstpointer  data)
{
  SmWindow *window;
  GtkEditable *search;

  add_three_servers (f);
  window = create_window (f, 1000, 700);
  search = _sm_window_get_search_entry (window);

  /* No group first, then groups by name, each under a header. */
  g_assert_cmpuint (count_rows (window), ==, 3);
  g_assert_cmpstr (sm_server_get_name (row_server (window, 0)), ==, "Gateway");
  g_assert_cmpstr (sm_server_get_name (row_server (window, 1)), ==, "Postgres");
  g_assert_cmpstr (sm_server_get_name (row_server (window, 2)), ==, "Web");
  g_assert_null (header_text (window, 0));
  g_assert_cmpstr (header_text (window, 1), ==, "Databases");
  g_assert_cmpstr (header_text (window, 2), ==, "Frontend");

  /* The first server is shown at start. */
  g_assert_true (sm_window_get_selected_server (window) == row_server (window, 0));
  g_assert_true (stack_shows (_sm_window_get_content_stack (window), "server"));

  /* "db" matches only Postgres' host. */
  gtk_editable_set_text (search, "db");
  sm_test_wait_until (count_rows (window) == 1);
  g_assert_cmpstr (sm_server_get_name (row_server (window, 0)), ==, "Postgres");
  g_assert_cmpstr (header_text (window, 0), ==, "Databases");
  g_assert_true (stack_shows (_sm_window_get_sidebar_stack (window), "list"));

  /* Tags and groups match too, case-insensitively. */
  gtk_editable_set_text (search, "NGINX");
  sm_test_wait_until (count_rows (window) == 1 && has_row_named (window, "Web"));
  gtk_editable_set_text (search, "databases");
  sm_test_wait_until (count_rows (window) == 1 && has_row_named (window, "Postgres"));

  gtk_editable_set_text (search, "no-such-server");
  sm_test_wait_until (count_rows (window) == 0);
  g_assert_true (stack_shows (_sm_window_get_sidebar_stack (window), "no-results"));

  gtk_editable_set_text (search, "");
  sm_test_wait_until (count_rows (window) == 3);
  g_assert_true (stack_shows (_sm_window_get_sidebar_stack (window), "list"));

  destroy_window (window);
}

static void
delete_selected (SmWindow   *window,
                 const char *expected_heading)
{
  AdwMessageDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-server", NULL));
  sm_test_wait_until ((dialog = find_message_dialog ()) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, expected_heading);
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "delete"), ==, "_Delete");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "delete"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);

  adw_message_dialog_response (dialog, "delete");
  if (find_message_dialog () == dialog)
    gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_window_delete_undo (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SmServer) postgres = NULL;
  SmWindow *window;
  AdwToast *toast;

  add_three_servers (f);
  window = create_window (f, 1000, 700);

  postgres = g_object_ref (row_server (window, 1));
  sm_window_select_server (window, postgres);
  g_assert_true (gtk_list_box_get_selected_row (_sm_window_get_list_box (window)) ==
                 GTK_LIST_BOX_ROW (get_row (window, 1)));

  /* Hidden at once, still in the store while the toast offers "Undo". */
  delete_selected (window, "Delete “Postgres”?");
  g_assert_cmpuint (count_rows (window), ==, 2);
  g_assert_false (has_row_named (window, "Postgres"));
  g_assert_null (sm_window_get_selected_server (window));
  g_assert_cmpuint (count_store_servers (f, "Postgres"), ==, 1);

  toast = _sm_window_get_undo_toast (window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "“Postgres” deleted");
  g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "_Undo");

  /* Undo: the same object comes back, selected. */
  g_signal_emit_by_name (toast, "button-clicked");
  g_assert_cmpuint (count_rows (window), ==, 3);
  g_assert_true (row_server (window, 1) == postgres);
  g_assert_true (sm_window_get_selected_server (window) == postgres);
  g_assert_true (gtk_list_box_get_selected_row (_sm_window_get_list_box (window)) ==
                 GTK_LIST_BOX_ROW (get_row (window, 1)));
  g_assert_null (_sm_window_get_undo_toast (window));
  adw_toast_dismiss (toast);
  g_assert_cmpuint (count_store_servers (f, "Postgres"), ==, 1);

  /* Again, and the toast goes away without undo: deleted for real. */
  delete_selected (window, "Delete “Postgres”?");
  toast = _sm_window_get_undo_toast (window);
  g_assert_nonnull (toast);
  adw_toast_dismiss (toast);
  g_assert_null (_sm_window_get_undo_toast (window));
  g_assert_cmpuint (count_store_servers (f, "Postgres"), ==, 0);
  g_assert_cmpuint (count_store_servers (f, NULL), ==, 2);
  g_assert_cmpuint (count_rows (window), ==, 2);

  /* A deletion still pending when the window goes is committed. */
  sm_window_select_server (window, row_server (window, 0));
  delete_selected (window, "Delete “Gateway”?");
  g_assert_nonnull (_sm_window_get_undo_toast (window));
  g_assert_cmpuint (count_store_servers (f, "Gateway"), ==, 1);

  destroy_window (window);
  g_assert_cmpuint (count_store_servers (f, "Gateway"), ==, 0);
  g_assert_cmpuint (count_store_servers (f, NULL), ==, 1);
}

static void
test_window_add_edit (Fixture       *f,
                      gconstpointer  data)
{
  SmWindow *window;
  SmServer *added;
  SmServer *edited;
  gint64 added_id;

  add_three_servers (f);
  window = create_window (f, 1000, 700);

  /* Add: the new server is listed (in order) and shown. */
  run_server_dialog (window, "win.add-server", "Cache", "cache.example.net");
  sm_test_wait_until (count_rows (window) == 4);
  added = sm_window_get_selected_server (window);
  g_assert_nonnull (added);
  g_assert_cmpstr (sm_server_get_name (added), ==, "Cache");
  added_id = sm_server_get_id (added);
  g_assert_cmpint (added_id, >, 0);
  g_assert_true (row_server (window, 0) == added);
  g_assert_true (gtk_list_box_get_selected_row (_sm_window_get_list_box (window)) ==
                 GTK_LIST_BOX_ROW (get_row (window, 0)));
  g_assert_true (stack_shows (_sm_window_get_content_stack (window), "server"));
  g_assert_cmpuint (count_store_servers (f, "Cache"), ==, 1);
  /* Wide, Overview and Details switch in the header bar. */
  g_assert_false (adw_view_switcher_bar_get_reveal (sm_server_page_get_switcher_bar (_sm_window_get_server_page (window))));

  /* Edit: the saved copy replaces the row (added is gone) and is selected. */
  run_server_dialog (window, "win.edit-server", "Zebra", NULL);
  sm_test_wait_until (has_row_named (window, "Zebra"));
  g_assert_cmpuint (count_rows (window), ==, 4);
  g_assert_false (has_row_named (window, "Cache"));
  edited = sm_window_get_selected_server (window);
  g_assert_cmpstr (sm_server_get_name (edited), ==, "Zebra");
  g_assert_cmpint (sm_server_get_id (edited), ==, added_id);
  /* Still without a group: after "Gateway", before the grouped ones. */
  g_assert_true (row_server (window, 1) == edited);
  g_assert_true (gtk_list_box_get_selected_row (_sm_window_get_list_box (window)) ==
                 GTK_LIST_BOX_ROW (get_row (window, 1)));
  g_assert_cmpuint (count_store_servers (f, "Zebra"), ==, 1);
  g_assert_cmpuint (count_store_servers (f, "Cache"), ==, 0);

  destroy_window (window);
}

static void
test_window_narrow (Fixture       *f,
                    gconstpointer  data)
{
  SmWindow *window;
  AdwLeaflet *leaflet;
  GtkListBoxRow *row;

  add_three_servers (f);
  window = create_window (f, 360, 640);
  leaflet = _sm_window_get_leaflet (window);

  sm_test_wait_until (adw_leaflet_get_folded (leaflet) &&
              gtk_widget_get_width (GTK_WIDGET (window)) > 0 &&
              gtk_widget_get_mapped (GTK_WIDGET (get_row (window, 2))));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == _sm_window_get_sidebar (window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (_sm_window_get_list_box (window))));
  g_assert_cmpuint (count_rows (window), ==, 3);

  /* Activating a row shows its page; back returns to the list. */
  row = GTK_LIST_BOX_ROW (get_row (window, 2));
  g_signal_emit_by_name (_sm_window_get_list_box (window), "row-activated", row);
  g_assert_true (sm_window_get_selected_server (window) == row_server (window, 2));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) != _sm_window_get_sidebar (window));
  g_assert_true (stack_shows (_sm_window_get_content_stack (window), "server"));
  /* Narrow, Overview and Details switch at the bottom. */
  sm_test_wait_until (adw_view_switcher_bar_get_reveal (sm_server_page_get_switcher_bar (_sm_window_get_server_page (window))));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (sm_server_page_get_view_stack (_sm_window_get_server_page (window))),
                   ==, "overview");
  g_assert_true (adw_leaflet_navigate (leaflet, ADW_NAVIGATION_DIRECTION_BACK));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == _sm_window_get_sidebar (window));

  destroy_window (window);
}

static void
test_window_narrow_empty (Fixture       *f,
                          gconstpointer  data)
{
  SmWindow *window = create_window (f, 360, 640);
  AdwLeaflet *leaflet = _sm_window_get_leaflet (window);

  /* Folded with no servers, the sidebar shows the empty state itself. */
  sm_test_wait_until (adw_leaflet_get_folded (leaflet));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == _sm_window_get_sidebar (window));
  g_assert_true (stack_shows (_sm_window_get_sidebar_stack (window), "empty"));

  destroy_window (window);
}

static void
test_preferences (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  SmPreferencesWindow *prefs;

  prefs = sm_preferences_window_new (NULL, f->store, settings, NULL);
  g_object_ref (prefs);
  gtk_window_present (GTK_WINDOW (prefs));
  sm_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (prefs)));

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder = NULL;

  builder = gtk_builder_new_from_resource (RESOURCE_PREFIX "/gtk/help-overlay.ui");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
  gtk_window_destroy (GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  /* Transitions and toasts finish at once. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add ("/window/empty", Fixture, NULL,
              fixture_setup, test_window_empty, fixture_teardown);
  g_test_add ("/window/groups-and-search", Fixture, NULL,
              fixture_setup, test_window_groups_and_search, fixture_teardown);
  g_test_add ("/window/delete-undo", Fixture, NULL,
              fixture_setup, test_window_delete_undo, fixture_teardown);
  g_test_add ("/window/add-edit", Fixture, NULL,
              fixture_setup, test_window_add_edit, fixture_teardown);
  g_test_add ("/window/narrow", Fixture, NULL,
              fixture_setup, test_window_narrow, fixture_teardown);
  g_test_add ("/window/narrow-empty", Fixture, NULL,
              fixture_setup, test_window_narrow_empty, fixture_teardown);
  g_test_add ("/window/preferences", Fixture, NULL,
              fixture_setup, test_preferences, fixture_teardown);
  g_test_add_func ("/window/help-overlay", test_help_overlay);

  return g_test_run ();
}
