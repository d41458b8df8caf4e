/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-server-dialog.c: SmServerDialog against a real store and vault. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "sm-server-dialog.h"
#include "sm-server-dialog-private.h"
#include "sm-store.h"
#include "sm-test-sshd.h"
#include "sm-test-util.h"
#include "sm-validate.h"
#include "sm-vault.h"

#define PASSWORD "correct horse battery staple"

typedef struct {
  char      *dir;
  SmVault   *vault;
  SmStore   *store;
  GSettings *settings;
  guint      n_saved;
  SmServer  *saved;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static const guint8 key[SM_VAULT_KEY_SIZE] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
  };
  g_autoptr(GError) error = NULL;

  f->dir = sm_test_mkdtemp ();
  f->vault = sm_vault_new_with_key (key);
  f->store = sm_store_open_data_dir (f->dir, f->vault, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
  f->settings = g_settings_new (APP_ID);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_settings_reset (f->settings, "default-port");
  g_settings_reset (f->settings, "default-interval");
  g_settings_reset (f->settings, "default-username");
  g_clear_object (&f->settings);
  g_clear_object (&f->saved);
  g_assert_finalize_object (f->store);
  g_assert_finalize_object (f->vault);
  sm_test_rmdir (f->dir);
  g_free (f->dir);
}

/* Helpers */

static gboolean
timeout_cb (gpointer data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until condition holds (at most 10 seconds). */
static void
wait_for (GSourceFunc condition,
          gpointer    data)
{
  guint timeout = g_timeout_add_seconds (10, timeout_cb, NULL);

  while (!condition (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
wait_until_mapped (GtkWidget *widget)
{
  wait_for (is_mapped, widget);
  /* Let pending layout and idle work settle. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
saved_cb (SmServerDialog *dialog,
          SmServer       *server,
          Fixture        *f)
{
  g_assert_true (SM_IS_SERVER (server));
  g_assert_cmpint (sm_server_get_id (server), >, 0);
  /* Typed secrets are wiped before anyone hears of the save. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_sm_server_dialog_get_row (dialog, "password"))), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_sm_server_dialog_get_row (dialog, "passphrase"))), ==, "");
  f->n_saved++;
  g_set_object (&f->saved, server);
}

static SmServerDialog *
dialog_new (Fixture  *f,
            SmServer *server)
{
  SmServerDialog *dialog;

  dialog = g_object_ref (sm_server_dialog_new (NULL, f->store, server, f->settings));
  g_signal_connect (dialog, "saved", G_CALLBACK (saved_cb), f);
  gtk_window_present (GTK_WINDOW (dialog));
  wait_until_mapped (GTK_WIDGET (dialog));
  return dialog;
}

static void
dialog_destroy (SmServerDialog *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

static GtkWidget *
row (SmServerDialog *dialog,
     const char     *field)
{
  GtkWidget *widget = _sm_server_dialog_get_row (dialog, field);

  g_assert_nonnull (widget);
  return widget;
}

static void
set_text (SmServerDialog *dialog,
          const char     *field,
          const char     *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row (dialog, field)), text);
}

static const char *
get_text (SmServerDialog *dialog,
          const char     *field)
{
  return gtk_editable_get_text (GTK_EDITABLE (row (dialog, field)));
}

static void
set_auth (SmServerDialog *dialog,
          SmAuthMethod    method)
{
  adw_combo_row_set_selected (ADW_COMBO_ROW (row (dialog, "auth-method")), method);
}

static gboolean
can_save (SmServerDialog *dialog)
{
  return gtk_widget_is_sensitive (row (dialog, "save"));
}

static gboolean
has_error (SmServerDialog *dialog,
           const char     *field)
{
  return gtk_widget_has_css_class (row (dialog, field), "error");
}

/* The error text shown below field's group, "" when hidden. */
static const char *
error_text (SmServerDialog *dialog,
            const char     *field)
{
  GtkLabel *label = _sm_server_dialog_get_error_label (dialog, field);

  if (!gtk_widget_get_visible (GTK_WIDGET (label)))
    return "";
  return gtk_label_get_text (label);
}

static void
save (SmServerDialog *dialog)
{
  g_assert_true (can_save (dialog));
  /* What a click does (gtk_widget_activate() would wait for a timeout). */
  g_signal_emit_by_name (row (dialog, "save"), "clicked");
}

static void
fill_valid (SmServerDialog *dialog)
{
  set_text (dialog, "name", "web2");
  set_text (dialog, "host", "web2.example.com");
  set_text (dialog, "port", "22");
  set_text (dialog, "username", "deploy");
  set_auth (dialog, SM_AUTH_AGENT);
}

static SmServer *
add_server (Fixture      *f,
            const char   *name,
            SmAuthMethod  method,
            const char   *secret)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autoptr(GError) error = NULL;

  sm_server_set_name (server, name);
  sm_server_set_host (server, "192.0.2.1");
  sm_server_set_port (server, 22);
  sm_server_set_username (server, "root");
  sm_server_set_auth_method (server, method);
  sm_server_set_interval (server, 60);
  sm_store_save_server (f->store, server,
                        secret != NULL ? SM_SECRET_SET : SM_SECRET_KEEP,
                        secret, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&server);
}

static SmServer *
get_only_server (Fixture *f)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;

  servers = sm_store_list_servers (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 1);
  return g_object_ref (g_ptr_array_index (servers, 0));
}

static char *
load_secret (Fixture  *f,
             SmServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmSecret) secret = sm_store_load_secret (f->store, server, &error);

  g_assert_no_error (error);
  return g_strdup (secret);
}

/* Asserts that no text in the widget tree contains needle. */
static void
assert_no_text (GtkWidget  *widget,
                const char *needle)
{
  if (GTK_IS_EDITABLE (widget))
    g_assert_null (strstr (gtk_editable_get_text (GTK_EDITABLE (widget)), needle));
  if (GTK_IS_LABEL (widget))
    g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (widget)), needle));
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
      g_assert_null (strstr (text, needle));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_no_text (child, needle);
}

static guint
count_editables (GtkWidget *widget)
{
  guint n = GTK_IS_EDITABLE (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_editables (child);
  return n;
}

static const char *
interval_subtitle (SmServerDialog *dialog)
{
  GtkWidget *action_row = gtk_widget_get_ancestor (row (dialog, "interval"), ADW_TYPE_ACTION_ROW);

  return adw_action_row_get_subtitle (ADW_ACTION_ROW (action_row));
}

/* Tests */

static void
test_new_valid (Fixture       *f,
                gconstpointer  data)
{
  SmServerDialog *dialog;

  g_settings_set_uint (f->settings, "default-port", 2222);
  g_settings_set_uint (f->settings, "default-interval", 300);
  g_settings_set_string (f->settings, "default-username", "");

  dialog = dialog_new (f, NULL);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Add Server");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (row (dialog, "save"))), ==, "_Add");
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));

  /* Defaults for a new server. */
  g_assert_cmpstr (get_text (dialog, "port"), ==, "2222");
  g_assert_cmpstr (get_text (dialog, "username"), ==, g_get_user_name ());
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (row (dialog, "interval"))), ==, 300);
  g_assert_cmpstr (interval_subtitle (dialog), ==, "Every 5 minutes");

  /* Empty name and host: no Save, but nothing is red yet. */
  g_assert_false (can_save (dialog));
  g_assert_false (has_error (dialog, "name"));
  g_assert_false (has_error (dialog, "host"));
  g_assert_cmpstr (error_text (dialog, "name"), ==, "");

  set_text (dialog, "name", "web2");
  g_assert_false (can_save (dialog));
  set_text (dialog, "host", "web2.example.com");
  g_assert_true (can_save (dialog));

  /* Emptying an edited field shows its message. */
  set_text (dialog, "name", "");
  g_assert_false (can_save (dialog));
  g_assert_true (has_error (dialog, "name"));
  g_assert_nonnull (strstr (error_text (dialog, "name"), "Name must not be empty"));
  set_text (dialog, "name", "web2");
  g_assert_true (can_save (dialog));
  g_assert_false (has_error (dialog, "name"));
  g_assert_cmpstr (error_text (dialog, "name"), ==, "");

  /* The interval's subtitle follows the spin button. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row (dialog, "interval")), 30);
  g_assert_cmpstr (interval_subtitle (dialog), ==, "Every 30 seconds");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row (dialog, "interval")), 60);
  g_assert_cmpstr (interval_subtitle (dialog), ==, "Every 1 minute");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row (dialog, "interval")), 3600);
  g_assert_cmpstr (interval_subtitle (dialog), ==, "Every 1 hour");

  dialog_destroy (dialog);
  g_assert_cmpuint (f->n_saved, ==, 0);
}

static void
test_port (Fixture       *f,
           gconstpointer  data)
{
  const char *bad[] = { "0", "65536", "abc", "", "-1" };
  SmServerDialog *dialog = dialog_new (f, NULL);

  fill_valid (dialog);
  g_assert_true (can_save (dialog));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      set_text (dialog, "port", bad[i]);
      g_assert_false (can_save (dialog));
      g_assert_true (has_error (dialog, "port"));
      g_assert_nonnull (strstr (error_text (dialog, "port"), "Port must be a number from 1 to 65535"));

      set_text (dialog, "port", "2200");
      g_assert_true (can_save (dialog));
      g_assert_false (has_error (dialog, "port"));
      g_assert_cmpstr (error_text (dialog, "port"), ==, "");
    }

  dialog_destroy (dialog);
}

static void
test_host (Fixture       *f,
           gconstpointer  data)
{
  const char *good[] = { "192.0.2.1", "2001:db8::1", "host-1.example.org", "localhost" };
  SmServerDialog *dialog = dialog_new (f, NULL);

  fill_valid (dialog);

  set_text (dialog, "host", "");
  g_assert_false (can_save (dialog));
  g_assert_true (has_error (dialog, "host"));
  g_assert_nonnull (strstr (error_text (dialog, "host"), "Host must not be empty"));

  set_text (dialog, "host", "bad host");
  g_assert_false (can_save (dialog));
  g_assert_true (has_error (dialog, "host"));
  g_assert_true (g_str_has_prefix (error_text (dialog, "host"), "Host must"));

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      set_text (dialog, "host", good[i]);
      g_assert_true (can_save (dialog));
      g_assert_false (has_error (dialog, "host"));
    }

  /* Two bad fields of one group list both messages. */
  set_text (dialog, "host", "bad host");
  set_text (dialog, "port", "0");
  g_assert_nonnull (strstr (error_text (dialog, "host"), "Host must"));
  g_assert_nonnull (strstr (error_text (dialog, "host"), "Port must"));

  dialog_destroy (dialog);
}

static void
test_duplicate_name (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(SmServer) web1 = add_server (f, "web1", SM_AUTH_AGENT, NULL);
  SmServerDialog *dialog = dialog_new (f, NULL);

  fill_valid (dialog);
  set_text (dialog, "name", "WEB1");
  g_assert_false (can_save (dialog));
  g_assert_true (has_error (dialog, "name"));
  g_assert_nonnull (strstr (error_text (dialog, "name"), "A server named “web1” already exists"));

  set_text (dialog, "name", "web1-new");
  g_assert_true (can_save (dialog));
  dialog_destroy (dialog);

  /* The server's own name is no duplicate. */
  dialog = dialog_new (f, web1);
  g_assert_cmpstr (get_text (dialog, "name"), ==, "web1");
  g_assert_true (can_save (dialog));
  set_text (dialog, "name", "Web1");
  g_assert_true (can_save (dialog));
  dialog_destroy (dialog);
}

static void
test_save_password (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SmServer) stored = NULL;
  g_autofree char *secret = NULL;
  const char * const *tags;
  SmServerDialog *dialog = dialog_new (f, NULL);

  set_text (dialog, "name", "db1");
  set_text (dialog, "host", "2001:db8::5");
  set_text (dialog, "port", "2022");
  set_text (dialog, "username", "admin");
  set_auth (dialog, SM_AUTH_PASSWORD);
  g_assert_true (gtk_widget_get_visible (row (dialog, "password")));
  g_assert_false (gtk_widget_get_visible (row (dialog, "key-file")));

  /* A new server needs a password. */
  g_assert_false (can_save (dialog));
  g_assert_cmpstr (error_text (dialog, "password"), ==, "");
  set_text (dialog, "password", "x");
  set_text (dialog, "password", "");
  g_assert_false (can_save (dialog));
  g_assert_nonnull (strstr (error_text (dialog, "password"), "Password must not be empty"));
  set_text (dialog, "password", PASSWORD);
  g_assert_true (can_save (dialog));

  set_text (dialog, "group", "Databases");
  set_text (dialog, "tags", "prod, eu,, prod ");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row (dialog, "interval")), 120);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row (dialog, "timeout-command")), 90);
  gtk_switch_set_active (GTK_SWITCH (row (dialog, "enabled")), FALSE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (row (dialog, "notes"))),
                            "Primary database.\nBackups at 02:00.", -1);
  g_assert_true (can_save (dialog));

  save (dialog);
  /* Saving closed the dialog; this drops the last reference. */
  g_assert_finalize_object (dialog);

  g_assert_cmpuint (f->n_saved, ==, 1);
  g_assert_cmpint (sm_server_get_id (f->saved), >, 0);

  stored = get_only_server (f);
  g_assert_cmpint (sm_server_get_id (stored), ==, sm_server_get_id (f->saved));
  g_assert_cmpstr (sm_server_get_name (stored), ==, "db1");
  g_assert_cmpstr (sm_server_get_host (stored), ==, "2001:db8::5");
  g_assert_cmpuint (sm_server_get_port (stored), ==, 2022);
  g_assert_cmpstr (sm_server_get_username (stored), ==, "admin");
  g_assert_cmpint (sm_server_get_auth_method (stored), ==, SM_AUTH_PASSWORD);
  g_assert_cmpstr (sm_server_get_group (stored), ==, "Databases");
  tags = sm_server_get_tags (stored);
  g_assert_cmpuint (g_strv_length ((char **) tags), ==, 2);
  g_assert_cmpstr (tags[0], ==, "prod");
  g_assert_cmpstr (tags[1], ==, "eu");
  g_assert_cmpuint (sm_server_get_interval (stored), ==, 120);
  g_assert_cmpuint (sm_server_get_timeout (stored, SM_TIMEOUT_COMMAND), ==, 90);
  g_assert_cmpuint (sm_server_get_timeout (stored, SM_TIMEOUT_CONNECT), ==, 0);
  g_assert_false (sm_server_get_enabled (stored));
  g_assert_cmpstr (sm_server_get_notes (stored), ==, "Primary database.\nBackups at 02:00.");
  g_assert_true (sm_server_get_has_secret (stored));

  secret = load_secret (f, stored);
  g_assert_cmpstr (secret, ==, PASSWORD);
}

static void
test_edit_keeps_secret (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SmServer) server = add_server (f, "web1", SM_AUTH_PASSWORD, PASSWORD);
  g_autoptr(SmServer) stored = NULL;
  g_autofree char *secret = NULL;
  GtkEditable *password_text;
  GtkWidget *auth_group;
  SmServerDialog *dialog;

  /* A stored deadline is shown, and kept by a save that does not touch it. */
  sm_server_set_timeout (server, SM_TIMEOUT_AUTH, 33);
  g_assert_true (sm_store_save_server (f->store, server, SM_SECRET_KEEP, NULL, NULL));

  dialog = dialog_new (f, server);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (row (dialog, "timeout-auth"))), ==, 33);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (row (dialog, "timeout-connect"))), ==, 0);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Edit Server");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (row (dialog, "save"))), ==, "_Save");

  /* The stored password is never shown, anywhere. */
  g_assert_cmpstr (get_text (dialog, "password"), ==, "");
  password_text = gtk_editable_get_delegate (GTK_EDITABLE (row (dialog, "password")));
  g_assert_true (GTK_IS_PASSWORD_ENTRY_BUFFER (gtk_text_get_buffer (GTK_TEXT (password_text))));
  g_assert_cmpuint (count_editables (GTK_WIDGET (dialog)), >=, 8);
  assert_no_text (GTK_WIDGET (dialog), PASSWORD);
  auth_group = gtk_widget_get_ancestor (row (dialog, "password"), ADW_TYPE_PREFERENCES_GROUP);
  g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (auth_group)),
                            "keep the stored password"));

  /* Empty keeps the stored one, so Save works right away. */
  g_assert_true (can_save (dialog));
  g_assert_false (has_error (dialog, "password"));
  set_text (dialog, "port", "2200");
  save (dialog);
  g_assert_finalize_object (dialog);

  g_assert_cmpuint (f->n_saved, ==, 1);
  g_assert_true (f->saved != server);
  /* The caller's server is left alone. */
  g_assert_cmpuint (sm_server_get_port (server), ==, 22);

  stored = get_only_server (f);
  g_assert_cmpuint (sm_server_get_port (stored), ==, 2200);
  g_assert_cmpuint (sm_server_get_timeout (stored, SM_TIMEOUT_AUTH), ==, 33);
  secret = load_secret (f, stored);
  g_assert_cmpstr (secret, ==, PASSWORD);
  g_clear_pointer (&secret, g_free);

  /* A typed password replaces it. */
  dialog = dialog_new (f, stored);
  set_text (dialog, "password", "new secret");
  save (dialog);
  g_assert_finalize_object (dialog);
  g_clear_object (&stored);
  stored = get_only_server (f);
  secret = load_secret (f, stored);
  g_assert_cmpstr (secret, ==, "new secret");
  g_clear_pointer (&secret, g_free);

  /* Switching to the agent drops it. */
  dialog = dialog_new (f, stored);
  set_auth (dialog, SM_AUTH_AGENT);
  g_assert_false (gtk_widget_get_visible (row (dialog, "password")));
  save (dialog);
  g_assert_finalize_object (dialog);
  g_clear_object (&stored);
  stored = get_only_server (f);
  g_assert_false (sm_server_get_has_secret (stored));
  g_assert_cmpint (sm_server_get_auth_method (stored), ==, SM_AUTH_AGENT);
  secret = load_secret (f, stored);
  g_assert_null (secret);
  g_assert_cmpuint (f->n_saved, ==, 3);
}

static void
test_key_file (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *key_path = g_build_filename (f->dir, "id_ed25519", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) stored = NULL;
  SmServerDialog *dialog = dialog_new (f, NULL);
  GtkWidget *key_row;

  g_file_set_contents (key_path, "not really a key\n", -1, &error);
  g_assert_no_error (error);

  fill_valid (dialog);
  g_assert_true (can_save (dialog));
  set_auth (dialog, SM_AUTH_KEY);
  key_row = row (dialog, "key-file");
  g_assert_true (gtk_widget_get_visible (key_row));
  g_assert_true (gtk_widget_get_visible (row (dialog, "passphrase")));
  g_assert_false (gtk_widget_get_visible (row (dialog, "password")));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (key_row)), ==, "No file chosen");

  /* No key file chosen. */
  g_assert_false (can_save (dialog));

  _sm_server_dialog_set_key_file (dialog, missing);
  g_assert_false (can_save (dialog));
  g_assert_true (has_error (dialog, "key-file"));
  g_assert_nonnull (strstr (error_text (dialog, "key-file"), "does not exist"));

  /* An empty passphrase is fine. */
  _sm_server_dialog_set_key_file (dialog, key_path);
  g_assert_true (can_save (dialog));
  g_assert_false (has_error (dialog, "key-file"));
  /* Shown as "~/…" below the home directory. */
  g_assert_true (g_str_has_suffix (adw_action_row_get_subtitle (ADW_ACTION_ROW (key_row)), "/id_ed25519"));

  save (dialog);
  g_assert_finalize_object (dialog);

  stored = get_only_server (f);
  g_assert_cmpint (sm_server_get_auth_method (stored), ==, SM_AUTH_KEY);
  g_assert_cmpstr (sm_server_get_key_file (stored), ==, key_path);
  g_assert_false (sm_server_get_has_secret (stored));
}

static void
test_save_error_keeps_input (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(SmServer) other = NULL;
  SmServerDialog *dialog = dialog_new (f, NULL);
  GtkLabel *banner = _sm_server_dialog_get_error_label (dialog, NULL);
  GtkWidget *revealer = gtk_widget_get_ancestor (GTK_WIDGET (banner), GTK_TYPE_REVEALER);

  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));

  fill_valid (dialog);
  set_auth (dialog, SM_AUTH_PASSWORD);
  set_text (dialog, "password", PASSWORD);
  g_assert_true (can_save (dialog));

  /* The credential store goes away: the store refuses to save. */
  sm_store_set_vault (f->store, NULL);
  save (dialog);

  g_assert_cmpuint (f->n_saved, ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  g_assert_nonnull (strstr (gtk_label_get_text (banner), "no credential store"));
  g_assert_null (strstr (gtk_label_get_text (banner), PASSWORD));
  g_assert_cmpstr (get_text (dialog, "name"), ==, "web2");
  g_assert_cmpstr (get_text (dialog, "host"), ==, "web2.example.com");
  g_assert_cmpstr (get_text (dialog, "password"), ==, PASSWORD);
  g_assert_true (can_save (dialog));

  /* A name taken meanwhile shows up inline after the failed save. */
  other = add_server (f, "web2", SM_AUTH_AGENT, NULL);
  sm_store_set_vault (f->store, f->vault);
  g_assert_true (can_save (dialog));
  save (dialog);
  g_assert_cmpuint (f->n_saved, ==, 0);
  g_assert_nonnull (strstr (error_text (dialog, "name"), "A server named “web2” already exists"));
  g_assert_false (can_save (dialog));

  set_text (dialog, "name", "web3");
  save (dialog);
  g_assert_finalize_object (dialog);
  g_assert_cmpuint (f->n_saved, ==, 1);
  g_assert_cmpstr (sm_server_get_name (f->saved), ==, "web3");
}

static gboolean
saved_once (gpointer data)
{
  Fixture *f = data;

  return f->n_saved > 0;
}

static void
test_enter_and_escape (Fixture       *f,
                       gconstpointer  data)
{
  SmServerDialog *dialog = dialog_new (f, NULL);
  GtkEditable *host_text = gtk_editable_get_delegate (GTK_EDITABLE (row (dialog, "host")));

  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (dialog)) == row (dialog, "save"));

  /* Enter in an entry does nothing while the form is invalid... */
  g_signal_emit_by_name (host_text, "activate");
  g_assert_cmpuint (f->n_saved, ==, 0);

  /* ...and saves once it is valid (the button's activation takes a moment). */
  fill_valid (dialog);
  g_signal_emit_by_name (host_text, "activate");
  wait_for (saved_once, f);
  g_assert_cmpuint (f->n_saved, ==, 1);
  g_assert_finalize_object (dialog);

  /* Escape (the binding of dialog.cancel) closes without saving. */
  dialog = dialog_new (f, NULL);
  set_text (dialog, "name", "web9");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.cancel", NULL);
  g_assert_finalize_object (dialog);
  g_assert_cmpuint (f->n_saved, ==, 1);
}

static void
test_organization_and_notes (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *long_tag = g_strnfill (SM_TAG_MAX_LEN + 1, 't');
  g_autofree char *long_notes = g_strnfill (SM_NOTES_MAX_LEN + 1, 'n');
  GtkTextBuffer *notes;
  SmServerDialog *dialog = dialog_new (f, NULL);

  notes = gtk_text_view_get_buffer (GTK_TEXT_VIEW (row (dialog, "notes")));
  fill_valid (dialog);

  set_text (dialog, "tags", long_tag);
  g_assert_false (can_save (dialog));
  g_assert_true (has_error (dialog, "tags"));
  g_assert_true (g_str_has_prefix (error_text (dialog, "tags"), "Tag “"));
  set_text (dialog, "tags", "a, b");
  g_assert_true (can_save (dialog));

  gtk_text_buffer_set_text (notes, long_notes, -1);
  g_assert_false (can_save (dialog));
  g_assert_true (has_error (dialog, "notes"));
  g_assert_true (g_str_has_prefix (error_text (dialog, "notes"), "Notes must"));
  gtk_text_buffer_set_text (notes, "short", -1);
  g_assert_true (can_save (dialog));
  g_assert_cmpstr (error_text (dialog, "notes"), ==, "");

  dialog_destroy (dialog);
}

static void
test_local_server (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(SmServer) local = NULL;
  g_autoptr(SmServer) stored = NULL;
  g_autoptr(GError) error = NULL;
  SmServerDialog *dialog;

  g_assert_true (sm_store_ensure_local_server (f->store, "This Computer", &local, &error));
  g_assert_no_error (error);
  g_assert_nonnull (local);

  dialog = dialog_new (f, local);

  /* Only name, group, tags, interval, enabled and notes. */
  g_assert_true (gtk_widget_get_visible (row (dialog, "name")));
  g_assert_false (gtk_widget_get_visible (row (dialog, "host")));
  g_assert_false (gtk_widget_get_visible (row (dialog, "port")));
  g_assert_false (gtk_widget_get_visible (row (dialog, "username")));
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (row (dialog, "auth-method"),
                                                                   ADW_TYPE_PREFERENCES_GROUP)));
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (row (dialog, "test"),
                                                                   ADW_TYPE_PREFERENCES_GROUP)));
  g_assert_true (gtk_widget_get_visible (row (dialog, "group")));
  g_assert_true (gtk_widget_get_visible (row (dialog, "interval")));

  set_text (dialog, "name", "My Laptop");
  set_text (dialog, "tags", "home");
  g_assert_true (can_save (dialog));
  save (dialog);
  g_assert_cmpuint (f->n_saved, ==, 1);

  stored = get_only_server (f);
  g_assert_cmpstr (sm_server_get_name (stored), ==, "My Laptop");
  g_assert_true (sm_server_get_is_local (stored));
  g_assert_cmpstr (sm_server_get_host (stored), ==, "localhost");

  dialog_destroy (dialog);
}

static gboolean
is_testing_done (gpointer data)
{
  return !_sm_server_dialog_is_testing (data);
}

/* A loopback port: closed (nothing listens) or, with listen, one that
 * accepts connections and never says a word. */
static GSocket *
loopback_socket (gboolean  listen,
                 guint    *out_port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  if (listen)
    {
      g_socket_listen (socket, &error);
      g_assert_no_error (error);
    }
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  return socket;
}

static void
fill_loopback (SmServerDialog *dialog,
               guint           port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  fill_valid (dialog);
  set_text (dialog, "host", "127.0.0.1");
  set_text (dialog, "port", port_text);
  set_auth (dialog, SM_AUTH_PASSWORD);
  set_text (dialog, "password", PASSWORD);
}

static void
test_connection_refused (Fixture       *f,
                         gconstpointer  data)
{
  SmServerDialog *dialog = dialog_new (f, NULL);
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *result = NULL;
  guint port;

  /* Bound but not listening: connecting is refused. */
  socket = loopback_socket (FALSE, &port);
  fill_loopback (dialog, port);

  g_signal_emit_by_name (row (dialog, "test"), "clicked");
  g_assert_true (_sm_server_dialog_is_testing (dialog));
  g_assert_true (gtk_widget_get_visible (row (dialog, "test-cancel")));
  g_assert_false (gtk_widget_get_visible (row (dialog, "test")));
  wait_for (is_testing_done, dialog);

  result = g_utf8_strdown (_sm_server_dialog_get_test_result (dialog), -1);
  g_assert_nonnull (strstr (result, "refused"));
  g_assert_null (strstr (result, PASSWORD));
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_ancestor (row (dialog, "test"), ADW_TYPE_ACTION_ROW),
                                           "test-error"));
  g_assert_false (gtk_widget_get_visible (row (dialog, "test-cancel")));
  g_assert_true (gtk_widget_get_visible (row (dialog, "test")));
  /* Testing saves nothing. */
  g_assert_cmpuint (f->n_saved, ==, 0);

  dialog_destroy (dialog);
}

static void
test_connection_cancel (Fixture       *f,
                        gconstpointer  data)
{
  SmServerDialog *dialog = dialog_new (f, NULL);
  g_autoptr(GSocket) socket = NULL;
  guint port;

  /* Accepts and stays silent: the test waits for the banner. */
  socket = loopback_socket (TRUE, &port);
  fill_loopback (dialog, port);

  g_signal_emit_by_name (row (dialog, "test"), "clicked");
  g_assert_true (_sm_server_dialog_is_testing (dialog));
  g_signal_emit_by_name (row (dialog, "test-cancel"), "clicked");
  wait_for (is_testing_done, dialog);
  g_assert_cmpstr (_sm_server_dialog_get_test_result (dialog), ==, "Test cancelled");

  /* Closing the dialog cancels a running test and frees the dialog. */
  g_signal_emit_by_name (row (dialog, "test"), "clicked");
  g_assert_true (_sm_server_dialog_is_testing (dialog));
  dialog_destroy (dialog);
}

/* Against a real sshd: the unknown host key is offered with the same
 * fingerprint ssh-keygen prints; trusting it pins it on the entry, the
 * test then logs in and names the OS; saving keeps the pin. */
static void
test_connection_sshd (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SmTestSshd) sshd = NULL;
  g_autoptr(SmServer) stored = NULL;
  g_autofree char *skip = NULL;
  g_autofree char *key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *port = NULL;
  g_autofree char *os_name = NULL;
  g_autofree char *expected = NULL;
  SmServerDialog *dialog;

  sshd = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  if (sshd == NULL)
    {
      g_test_skip (skip);
      return;
    }
  key = sm_test_sshd_add_client_key (sshd, "ed25519", NULL);
  fingerprint = sm_test_sshd_dup_fingerprint (sshd);
  port = g_strdup_printf ("%u", sm_test_sshd_get_port (sshd));

  dialog = dialog_new (f, NULL);
  set_text (dialog, "name", "lab");
  set_text (dialog, "host", "127.0.0.1");
  set_text (dialog, "port", port);
  set_text (dialog, "username", sm_test_sshd_get_user ());
  set_auth (dialog, SM_AUTH_KEY);
  _sm_server_dialog_set_key_file (dialog, key);
  g_assert_true (can_save (dialog));

  g_signal_emit_by_name (row (dialog, "test"), "clicked");
  wait_for (is_testing_done, dialog);
  g_assert_nonnull (strstr (_sm_server_dialog_get_test_result (dialog), "not trusted"));
  g_assert_true (gtk_widget_get_visible (row (dialog, "trust")));
  g_assert_null (sm_server_get_host_key_sha256 (_sm_server_dialog_get_working_copy (dialog)));

  /* Trust pins the offered key and tests again. */
  g_signal_emit_by_name (row (dialog, "trust"), "clicked");
  g_assert_cmpstr (sm_server_get_host_key_sha256 (_sm_server_dialog_get_working_copy (dialog)), ==,
                   fingerprint);
  wait_for (is_testing_done, dialog);
  {
    g_autofree char *release = NULL;

    /* The OS the dialog should name: this machine's, as the test sshd runs here. */
    if (g_file_get_contents ("/etc/os-release", &release, NULL, NULL))
      {
        g_auto(GStrv) lines = g_strsplit (release, "\n", -1);

        for (guint i = 0; lines[i] != NULL; i++)
          if (g_str_has_prefix (lines[i], "PRETTY_NAME="))
            os_name = g_shell_unquote (lines[i] + strlen ("PRETTY_NAME="), NULL);
      }
  }
  g_assert_nonnull (os_name);
  expected = g_strdup_printf ("Connected. %s", os_name);
  g_assert_cmpstr (_sm_server_dialog_get_test_result (dialog), ==, expected);

  save (dialog);
  g_assert_finalize_object (dialog);
  stored = get_only_server (f);
  g_assert_cmpstr (sm_server_get_host_key_sha256 (stored), ==, fingerprint);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/server-dialog/new-valid", test_new_valid);
  ADD ("/server-dialog/port", test_port);
  ADD ("/server-dialog/host", test_host);
  ADD ("/server-dialog/duplicate-name", test_duplicate_name);
  ADD ("/server-dialog/save-password", test_save_password);
  ADD ("/server-dialog/edit-keeps-secret", test_edit_keeps_secret);
  ADD ("/server-dialog/key-file", test_key_file);
  ADD ("/server-dialog/save-error-keeps-input", test_save_error_keeps_input);
  ADD ("/server-dialog/enter-and-escape", test_enter_and_escape);
  ADD ("/server-dialog/organization-and-notes", test_organization_and_notes);
  ADD ("/server-dialog/local-server", test_local_server);
  ADD ("/server-dialog/test-connection-refused", test_connection_refused);
  ADD ("/server-dialog/test-connection-cancel", test_connection_cancel);
  ADD ("/server-dialog/test-connection-sshd", test_connection_sshd);

#undef ADD

  return g_test_run ();
}
