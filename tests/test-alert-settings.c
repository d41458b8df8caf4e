/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-alert-settings.c: the alert settings UI (rule dialog, rules list,
 * channel dialog, quiet hours in Preferences, a server's parent) against
 * a real store, vault and alert manager. The channel test sends through a
 * Telegram Bot API stand-in on a loopback SoupServer. */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>
#include <math.h>

#include "sm-alert-manager.h"
#include "sm-alert-store.h"
#include "sm-channel-dialog.h"
#include "sm-channel-dialog-private.h"
#include "sm-preferences-window.h"
#include "sm-preferences-window-private.h"
#include "sm-rule-dialog.h"
#include "sm-rule-dialog-private.h"
#include "sm-rules-list.h"
#include "sm-rules-list-private.h"
#include "sm-server-dialog.h"
#include "sm-server-dialog-private.h"
#include "sm-store.h"
#include "sm-test-util.h"
#include "sm-vault.h"

#define TOKEN "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"

typedef struct {
  char           *dir;
  SmVault        *vault;
  SmStore        *store;
  SmAlertManager *manager;
  GSettings      *settings;
  SoupServer     *bot_api;
  char           *bot_api_base;
  guint           n_bot_requests;
  guint           n_saved;
} Fixture;

static void
bot_api_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Fixture *f = user_data;
  static const char reply[] = "{\"ok\":true,\"result\":{}}";

  f->n_bot_requests++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    reply, strlen (reply));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static const guint8 key[SM_VAULT_KEY_SIZE] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
  };
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  f->dir = sm_test_mkdtemp ();
  f->vault = sm_vault_new_with_key (key);
  f->store = sm_store_open_data_dir (f->dir, f->vault, &error);
  g_assert_no_error (error);
  f->manager = sm_alert_manager_new (f->store, NULL);
  f->settings = g_settings_new (APP_ID);

  f->bot_api = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->bot_api, NULL, bot_api_cb, f, NULL);
  soup_server_listen (f->bot_api, address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->bot_api);
  g_assert_nonnull (uris);
  f->bot_api_base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  soup_server_disconnect (f->bot_api);
  g_clear_object (&f->bot_api);
  g_free (f->bot_api_base);
  g_clear_object (&f->settings);
  g_assert_finalize_object (f->manager);
  g_assert_finalize_object (f->store);
  g_assert_finalize_object (f->vault);
  sm_test_rmdir (f->dir);
  g_free (f->dir);
}

/* Helpers */

static void
settle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
present_and_wait (GtkWindow *window)
{
  gtk_window_present (window);
  sm_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (window)));
  settle ();
}

static void
destroy_window (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  settle ();
  g_assert_finalize_object (window);
}

static void
set_text (GtkWidget  *widget,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static gboolean
can_save (GtkWidget *save_button)
{
  return gtk_widget_is_sensitive (save_button);
}

static void
saved_cb (GtkWidget  *dialog,
          const char *id,
          Fixture    *f)
{
  g_assert_nonnull (id);
  f->n_saved++;
}

static SmServer *
add_server (Fixture    *f,
            const char *name)
{
  g_autoptr(SmServer) server = sm_server_new ();
  g_autoptr(GError) error = NULL;

  sm_server_set_name (server, name);
  sm_server_set_host (server, "127.0.0.1");
  sm_server_set_username (server, "monitor");
  sm_server_set_auth_method (server, SM_AUTH_AGENT);
  g_assert_true (sm_store_save_server (f->store, server, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&server);
}

static SmAlertRule *
find_stored_rule (Fixture    *f,
                  const char *id)
{
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GError) error = NULL;

  rules = sm_store_list_rules (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rules->len; i++)
    {
      SmAlertRule *rule = g_ptr_array_index (rules, i);

      if (g_strcmp0 (rule->id, id) == 0)
        return sm_alert_rule_copy (rule);
    }
  return NULL;
}

/* Rule dialog */

static char *saved_rule_id;

static void
rule_saved_cb (SmRuleDialog *dialog,
               const char   *id,
               Fixture      *f)
{
  g_free (saved_rule_id);
  saved_rule_id = g_strdup (id);
  f->n_saved++;
}

static void
test_rule_dialog_validation (Fixture       *f,
                             gconstpointer  data)
{
  SmRuleDialog *dialog;
  GtkWidget *save;
  g_autoptr(SmAlertRule) rule = NULL;
  gboolean changed = FALSE;

  dialog = g_object_ref (sm_rule_dialog_new (NULL, f->store, f->manager, NULL, 0));
  g_signal_connect (dialog, "saved", G_CALLBACK (rule_saved_cb), f);
  present_and_wait (GTK_WINDOW (dialog));
  save = _sm_rule_dialog_get_row (dialog, "save");

  /* A new rule starts out valid: CPU above 90. */
  g_assert_true (can_save (save));
  g_assert_null (_sm_rule_dialog_get_error (dialog, "threshold"));

  set_text (_sm_rule_dialog_get_row (dialog, "threshold"), "ninety");
  g_assert_false (can_save (save));
  g_assert_nonnull (_sm_rule_dialog_get_error (dialog, "threshold"));
  g_assert_nonnull (strstr (_sm_rule_dialog_get_error (dialog, "threshold"), "number"));
  set_text (_sm_rule_dialog_get_row (dialog, "threshold"), "80");
  g_assert_true (can_save (save));

  set_text (_sm_rule_dialog_get_row (dialog, "for"), "5 minutes please");
  g_assert_false (can_save (save));
  g_assert_nonnull (_sm_rule_dialog_get_error (dialog, "for"));
  set_text (_sm_rule_dialog_get_row (dialog, "for"), "10m");
  g_assert_true (can_save (save));
  g_assert_null (_sm_rule_dialog_get_error (dialog, "for"));

  /* Hysteresis the wrong way round. */
  set_text (_sm_rule_dialog_get_row (dialog, "clear"), "85");
  g_assert_false (can_save (save));
  g_assert_nonnull (_sm_rule_dialog_get_error (dialog, "clear"));
  set_text (_sm_rule_dialog_get_row (dialog, "clear"), "75");
  g_assert_true (can_save (save));

  /* Escalation needs a channel; there is none, so it cannot be saved. */
  set_text (_sm_rule_dialog_get_row (dialog, "escalate"), "30m");
  g_assert_false (can_save (save));
  g_assert_nonnull (_sm_rule_dialog_get_error (dialog, "escalate-to"));
  set_text (_sm_rule_dialog_get_row (dialog, "escalate"), "");
  g_assert_true (can_save (save));

  /* A tag scope needs a tag. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (_sm_rule_dialog_get_row (dialog, "scope")), 2);
  g_assert_false (can_save (save));
  set_text (_sm_rule_dialog_get_row (dialog, "scope-value"), "web");
  g_assert_true (can_save (save));

  adw_combo_row_set_selected (ADW_COMBO_ROW (_sm_rule_dialog_get_row (dialog, "severity")), 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (_sm_rule_dialog_get_row (dialog, "retries")), 3);
  set_text (_sm_rule_dialog_get_row (dialog, "repeat"), "1h");

  g_signal_connect_swapped (f->manager, "changed", G_CALLBACK (g_nullify_pointer), &changed);
  changed = TRUE;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  g_assert_cmpuint (f->n_saved, ==, 1);
  /* The manager was reloaded (::changed cleared the flag). */
  g_assert_false (changed);
  g_signal_handlers_disconnect_by_func (f->manager, g_nullify_pointer, &changed);
  destroy_window (dialog);

  rule = find_stored_rule (f, saved_rule_id);
  g_assert_nonnull (rule);
  g_assert_cmpstr (rule->target, ==, "cpu.percent");
  g_assert_cmpint (rule->op, ==, SM_ALERT_OP_GT);
  g_assert_cmpfloat (rule->threshold, ==, 80);
  g_assert_cmpfloat (rule->clear_threshold, ==, 75);
  g_assert_cmpint (rule->for_seconds, ==, 600);
  g_assert_cmpint (rule->repeat_seconds, ==, 3600);
  g_assert_cmpint (rule->escalate_seconds, ==, 0);
  g_assert_cmpint (rule->severity, ==, SM_SEVERITY_CRITICAL);
  g_assert_cmpuint (rule->retries, ==, 3);
  g_assert_cmpint (rule->scope, ==, SM_ALERT_SCOPE_TAG);
  g_assert_cmpstr (rule->scope_value, ==, "web");
  g_assert_null (rule->channels);
  g_assert_true (rule->enabled);

  g_clear_pointer (&saved_rule_id, g_free);
}

static void
test_rule_dialog_server_state (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SmServer) server = add_server (f, "web1");
  g_autofree char *server_id = g_strdup_printf ("%" G_GINT64_FORMAT, sm_server_get_id (server));
  g_autoptr(SmChannel) channel = sm_channel_new ("desk", SM_CHANNEL_DESKTOP);
  g_autoptr(SmAlertRule) rule = NULL;
  g_autoptr(GError) error = NULL;
  SmRuleDialog *dialog;
  GtkWidget *save;

  g_assert_true (sm_store_save_channel (f->store, channel, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);

  dialog = g_object_ref (sm_rule_dialog_new (NULL, f->store, f->manager, NULL,
                                             sm_server_get_id (server)));
  g_signal_connect (dialog, "saved", G_CALLBACK (rule_saved_cb), f);
  present_and_wait (GTK_WINDOW (dialog));
  save = _sm_rule_dialog_get_row (dialog, "save");

  /* A state: no threshold to get wrong. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (_sm_rule_dialog_get_row (dialog, "target")),
                              _sm_rule_dialog_get_target_index ("state.unit_failed"));
  set_text (_sm_rule_dialog_get_row (dialog, "threshold"), "nonsense");
  g_assert_true (can_save (save));

  gtk_check_button_set_active (GTK_CHECK_BUTTON (_sm_rule_dialog_get_row (dialog, "channel:desk")), TRUE);
  set_text (_sm_rule_dialog_get_row (dialog, "escalate"), "15m");
  adw_combo_row_set_selected (ADW_COMBO_ROW (_sm_rule_dialog_get_row (dialog, "escalate-to")), 1);
  g_assert_true (can_save (save));

  /* Business hours: a bad time, then a good one. */
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (_sm_rule_dialog_get_row (dialog, "hours")), TRUE);
  set_text (_sm_rule_dialog_get_row (dialog, "start"), "25:00");
  g_assert_false (can_save (save));
  g_assert_nonnull (_sm_rule_dialog_get_error (dialog, "start"));
  set_text (_sm_rule_dialog_get_row (dialog, "start"), "08:30");
  g_assert_true (can_save (save));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  destroy_window (dialog);

  rule = find_stored_rule (f, saved_rule_id);
  g_assert_nonnull (rule);
  g_assert_cmpstr (rule->target, ==, "state.unit_failed");
  g_assert_cmpint (rule->scope, ==, SM_ALERT_SCOPE_SERVER);
  g_assert_cmpstr (rule->scope_value, ==, server_id);
  g_assert_nonnull (rule->channels);
  g_assert_cmpstr (rule->channels[0], ==, "desk");
  g_assert_null (rule->channels[1]);
  g_assert_cmpint (rule->escalate_seconds, ==, 900);
  g_assert_cmpstr (rule->escalation_channel, ==, "desk");
  g_assert_nonnull (rule->business_hours);
  g_assert_cmpuint (rule->business_hours->len, ==, 1);
  g_assert_cmpuint (g_array_index (rule->business_hours, SmWeeklyWindow, 0).start, ==, 8 * 60 + 30);
  g_assert_cmpuint (g_array_index (rule->business_hours, SmWeeklyWindow, 0).end, ==, 17 * 60);
  g_assert_cmpuint (g_array_index (rule->business_hours, SmWeeklyWindow, 0).days, ==, SM_WEEKDAYS_MON_FRI);

  g_clear_pointer (&saved_rule_id, g_free);
}

/* Rules list */

static void
test_rules_list_defaults (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SmServer) server = add_server (f, "db1");
  g_autoptr(GPtrArray) defaults = NULL;
  g_autofree char *cpu_id = NULL;
  g_autoptr(SmAlertRule) cpu = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list = sm_rules_list_new ();
  GtkSwitch *toggle;
  g_autofree char *title = NULL;

  defaults = sm_alert_rules_new_defaults ("x");
  cpu_id = g_strdup_printf ("%" G_GINT64_FORMAT "/cpu", sm_server_get_id (server));

  gtk_window_set_child (GTK_WINDOW (window), list);
  g_object_ref (window);
  sm_rules_list_set_server_id (SM_RULES_LIST (list), sm_server_get_id (server));
  sm_rules_list_set_source (SM_RULES_LIST (list), f->store, f->manager);
  present_and_wait (GTK_WINDOW (window));

  g_assert_cmpuint (_sm_rules_list_get_n_rows (SM_RULES_LIST (list)), ==, defaults->len);
  g_assert_nonnull (_sm_rules_list_get_row (SM_RULES_LIST (list), cpu_id));
  title = g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (_sm_rules_list_get_row (SM_RULES_LIST (list), cpu_id))));
  g_assert_nonnull (strstr (title, "CPU"));
  g_assert_nonnull (strstr (title, "90"));
  g_assert_nonnull (strstr (title, "5 min"));

  toggle = _sm_rules_list_get_switch (SM_RULES_LIST (list), cpu_id);
  g_assert_true (gtk_switch_get_active (toggle));
  gtk_switch_set_active (toggle, FALSE);
  settle ();
  cpu = find_stored_rule (f, cpu_id);
  g_assert_false (cpu->enabled);
  /* The list follows the store after the reload. */
  g_assert_false (gtk_switch_get_active (_sm_rules_list_get_switch (SM_RULES_LIST (list), cpu_id)));

  g_assert_true (_sm_rules_list_delete_rule (SM_RULES_LIST (list), cpu_id));
  g_assert_cmpuint (_sm_rules_list_get_n_rows (SM_RULES_LIST (list)), ==, defaults->len - 1);
  g_assert_null (_sm_rules_list_get_row (SM_RULES_LIST (list), cpu_id));
  g_clear_pointer (&cpu, sm_alert_rule_free);
  cpu = find_stored_rule (f, cpu_id);
  g_assert_null (cpu);

  /* The global list shows none of the server's rules: only the three
   * global rules on service checks. */
  sm_rules_list_set_server_id (SM_RULES_LIST (list), 0);
  g_assert_cmpuint (_sm_rules_list_get_n_rows (SM_RULES_LIST (list)), ==, 3);

  destroy_window (window);
}

/* Channel dialog */

static SmChannelDialog *
channel_dialog_new (Fixture         *f,
                    const SmChannel *channel)
{
  SmChannelDialog *dialog;

  dialog = g_object_ref (sm_channel_dialog_new (NULL, f->store, f->manager, channel));
  g_signal_connect (dialog, "saved", G_CALLBACK (saved_cb), f);
  present_and_wait (GTK_WINDOW (dialog));
  return dialog;
}

static GtkWidget *
channel_row (SmChannelDialog *dialog,
             const char      *field)
{
  GtkWidget *widget = _sm_channel_dialog_get_row (dialog, field);

  g_assert_nonnull (widget);
  return widget;
}

static SmChannel *
find_channel (Fixture    *f,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  SmChannel *channel = sm_store_find_channel (f->store, name, &error);

  g_assert_no_error (error);
  return channel;
}

static void
test_channel_dialog_telegram (Fixture       *f,
                              gconstpointer  data)
{
  SmChannelDialog *dialog;
  GtkWidget *save;
  g_autoptr(SmChannel) channel = NULL;
  g_autoptr(SmSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  dialog = channel_dialog_new (f, NULL);
  save = channel_row (dialog, "save");
  g_assert_false (can_save (save));

  adw_combo_row_set_selected (ADW_COMBO_ROW (channel_row (dialog, "type")), SM_CHANNEL_TELEGRAM);
  set_text (channel_row (dialog, "name"), "tg");
  set_text (channel_row (dialog, "chat_id"), "not a chat");
  g_assert_false (can_save (save));
  g_assert_nonnull (_sm_channel_dialog_get_error (dialog, "chat_id"));
  set_text (channel_row (dialog, "chat_id"), "4242");
  /* The token is still missing. */
  g_assert_false (can_save (save));
  set_text (channel_row (dialog, "bot_token"), "not-a-token");
  g_assert_false (can_save (save));
  g_assert_nonnull (_sm_channel_dialog_get_error (dialog, "bot_token"));
  set_text (channel_row (dialog, "bot_token"), TOKEN);
  set_text (channel_row (dialog, "api_base"), f->bot_api_base);
  g_assert_true (can_save (save));
  g_assert_null (_sm_channel_dialog_get_error (dialog, "bot_token"));

  /* "Send Test Message" goes through the stand-in before saving. */
  g_signal_emit_by_name (channel_row (dialog, "test"), "clicked");
  g_assert_true (_sm_channel_dialog_is_testing (dialog));
  sm_test_wait_until (!_sm_channel_dialog_is_testing (dialog));
  g_assert_cmpstr (_sm_channel_dialog_get_test_result (dialog), ==, "Test message sent.");
  g_assert_cmpuint (f->n_bot_requests, >=, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  g_assert_cmpuint (f->n_saved, ==, 1);
  /* Typed secrets are wiped once saved. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (channel_row (dialog, "bot_token"))), ==, "");
  destroy_window (dialog);

  channel = find_channel (f, "tg");
  g_assert_nonnull (channel);
  g_assert_cmpint (channel->type, ==, SM_CHANNEL_TELEGRAM);
  g_assert_cmpstr (sm_channel_get (channel, "chat_id"), ==, "4242");
  g_assert_true (channel->has_secret);
  /* The first channel is a default one. */
  g_assert_true (channel->is_default);
  secret = sm_store_load_channel_secret (f->store, channel, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, TOKEN);
  g_clear_pointer (&secret, sm_secret_free);

  /* Editing without typing a token keeps the stored one. */
  dialog = channel_dialog_new (f, channel);
  save = channel_row (dialog, "save");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (channel_row (dialog, "bot_token"))), ==, "");
  g_assert_true (can_save (save));
  set_text (channel_row (dialog, "chat_id"), "@alerts");
  gtk_switch_set_active (GTK_SWITCH (channel_row (dialog, "default")), FALSE);

  /* The test uses the new chat id with the stored token. */
  f->n_bot_requests = 0;
  g_signal_emit_by_name (channel_row (dialog, "test"), "clicked");
  sm_test_wait_until (!_sm_channel_dialog_is_testing (dialog));
  g_assert_cmpstr (_sm_channel_dialog_get_test_result (dialog), ==, "Test message sent.");
  g_assert_cmpuint (f->n_bot_requests, >=, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  destroy_window (dialog);
  g_clear_pointer (&channel, sm_channel_free);

  channel = find_channel (f, "tg");
  g_assert_cmpstr (sm_channel_get (channel, "chat_id"), ==, "@alerts");
  g_assert_false (channel->is_default);
  secret = sm_store_load_channel_secret (f->store, channel, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, TOKEN);

  /* A second channel may not take the name, in any case. */
  dialog = channel_dialog_new (f, NULL);
  adw_combo_row_set_selected (ADW_COMBO_ROW (channel_row (dialog, "type")), SM_CHANNEL_DESKTOP);
  set_text (channel_row (dialog, "name"), "TG");
  g_assert_false (can_save (channel_row (dialog, "save")));
  g_assert_nonnull (_sm_channel_dialog_get_error (dialog, "name"));
  set_text (channel_row (dialog, "name"), "desk");
  g_assert_true (can_save (channel_row (dialog, "save")));
  g_assert_null (_sm_channel_dialog_get_error (dialog, "name"));
  destroy_window (dialog);
}

static void
test_channel_dialog_webhook_email (Fixture       *f,
                                   gconstpointer  data)
{
  SmChannelDialog *dialog;
  GtkWidget *save;
  g_autoptr(SmChannel) hook = NULL;
  g_autoptr(SmChannel) mail = NULL;
  g_autoptr(SmSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  dialog = channel_dialog_new (f, NULL);
  save = channel_row (dialog, "save");
  adw_combo_row_set_selected (ADW_COMBO_ROW (channel_row (dialog, "type")), SM_CHANNEL_WEBHOOK);
  set_text (channel_row (dialog, "name"), "hook");
  g_assert_false (can_save (save));
  set_text (channel_row (dialog, "url"), "ftp://example.com/hook");
  g_assert_false (can_save (save));
  g_assert_nonnull (_sm_channel_dialog_get_error (dialog, "url"));
  set_text (channel_row (dialog, "url"), "https://hooks.example.com/T000/B000/XXXX");
  g_assert_true (can_save (save));
  adw_combo_row_set_selected (ADW_COMBO_ROW (channel_row (dialog, "format")), 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  destroy_window (dialog);

  hook = find_channel (f, "hook");
  g_assert_nonnull (hook);
  g_assert_cmpstr (sm_channel_get (hook, "format"), ==, "slack");
  secret = sm_store_load_channel_secret (f->store, hook, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "https://hooks.example.com/T000/B000/XXXX");
  g_clear_pointer (&secret, sm_secret_free);

  dialog = channel_dialog_new (f, NULL);
  save = channel_row (dialog, "save");
  adw_combo_row_set_selected (ADW_COMBO_ROW (channel_row (dialog, "type")), SM_CHANNEL_EMAIL);
  set_text (channel_row (dialog, "name"), "mail");
  g_assert_false (can_save (save));
  set_text (channel_row (dialog, "host"), "smtp.example.com");
  set_text (channel_row (dialog, "from"), "monitor@example.com");
  set_text (channel_row (dialog, "to"), "admin@example.com, not an address");
  g_assert_false (can_save (save));
  g_assert_nonnull (_sm_channel_dialog_get_error (dialog, "to"));
  set_text (channel_row (dialog, "to"), "admin@example.com, ops@example.com");
  g_assert_true (can_save (save));
  /* Unencrypted mail only to this computer. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (channel_row (dialog, "security")), 2);
  g_assert_false (can_save (save));
  adw_combo_row_set_selected (ADW_COMBO_ROW (channel_row (dialog, "security")), 1);
  set_text (channel_row (dialog, "port"), "465");
  set_text (channel_row (dialog, "username"), "monitor");
  set_text (channel_row (dialog, "password"), "hunter2");
  g_assert_true (can_save (save));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  destroy_window (dialog);

  mail = find_channel (f, "mail");
  g_assert_nonnull (mail);
  g_assert_cmpstr (sm_channel_get (mail, "security"), ==, "tls");
  g_assert_cmpstr (sm_channel_get (mail, "port"), ==, "465");
  g_assert_cmpstr (sm_channel_get (mail, "to"), ==, "admin@example.com, ops@example.com");
  secret = sm_store_load_channel_secret (f->store, mail, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "hunter2");
}

/* Preferences */

static void
test_preferences_quiet_hours (Fixture       *f,
                              gconstpointer  data)
{
  SmPreferencesWindow *window;
  AdwMessageDialog *editor;
  g_autoptr(GPtrArray) windows = NULL;
  g_autoptr(GError) error = NULL;
  SmAlertWindow *stored;

  window = g_object_ref (sm_preferences_window_new (NULL, f->store, f->settings, NULL));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_sm_preferences_window_get_alerts_page (window))));
  sm_preferences_window_set_alert_manager (window, f->manager);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_sm_preferences_window_get_alerts_page (window))));
  present_and_wait (GTK_WINDOW (window));
  g_assert_cmpuint (_sm_preferences_window_get_n_window_rows (window), ==, 0);

  editor = _sm_preferences_window_add_window (window, SM_WINDOW_QUIET_HOURS);
  g_assert_nonnull (editor);
  g_assert_true (adw_message_dialog_get_response_enabled (editor, "save"));
  gtk_editable_set_text (_sm_preferences_window_get_window_field (editor, "start"), "25:00");
  g_assert_false (adw_message_dialog_get_response_enabled (editor, "save"));
  gtk_editable_set_text (_sm_preferences_window_get_window_field (editor, "start"), "23:00");
  gtk_editable_set_text (_sm_preferences_window_get_window_field (editor, "end"), "06:30");
  gtk_toggle_button_set_active (_sm_preferences_window_get_window_day (editor, 6), FALSE);
  gtk_editable_set_text (_sm_preferences_window_get_window_field (editor, "comment"), "Night");
  g_assert_true (adw_message_dialog_get_response_enabled (editor, "save"));
  adw_message_dialog_response (editor, "save");
  gtk_window_destroy (GTK_WINDOW (editor));
  settle ();

  windows = sm_store_list_windows (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (windows->len, ==, 1);
  stored = g_ptr_array_index (windows, 0);
  g_assert_cmpint (stored->kind, ==, SM_WINDOW_QUIET_HOURS);
  g_assert_cmpuint (stored->window.start, ==, 23 * 60);
  g_assert_cmpuint (stored->window.end, ==, 6 * 60 + 30);
  g_assert_cmpuint (stored->window.days, ==, SM_WEEKDAYS_ALL & ~(1 << 6));
  g_assert_cmpstr (stored->comment, ==, "Night");
  /* The reload brought it into the list. */
  g_assert_cmpuint (_sm_preferences_window_get_n_window_rows (window), ==, 1);

  /* The global rules list is there too, with the three rules on checks. */
  g_assert_cmpuint (_sm_rules_list_get_n_rows (_sm_preferences_window_get_rules_list (window)), ==, 3);

  destroy_window (window);
}

/* Server dialog: Depends On */

static void
test_server_parent (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SmServer) router = add_server (f, "router");
  g_autoptr(SmServer) web = add_server (f, "web");
  g_autoptr(SmServer) stored = NULL;
  g_autoptr(GError) error = NULL;
  SmServerDialog *dialog;
  AdwComboRow *parent;
  GListModel *model;

  /* web depends on router. */
  dialog = g_object_ref (sm_server_dialog_new (NULL, f->store, web, NULL));
  present_and_wait (GTK_WINDOW (dialog));
  parent = ADW_COMBO_ROW (_sm_server_dialog_get_row (dialog, "parent"));
  model = adw_combo_row_get_model (parent);
  /* None and router; not web itself. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 1), ==, "router");
  g_assert_cmpuint (adw_combo_row_get_selected (parent), ==, 0);
  adw_combo_row_set_selected (parent, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  destroy_window (dialog);

  stored = sm_store_get_server (f->store, sm_server_get_id (web), &error);
  g_assert_no_error (error);
  g_assert_cmpint (sm_server_get_parent_id (stored), ==, sm_server_get_id (router));

  /* router depending on web would be a loop. */
  dialog = g_object_ref (sm_server_dialog_new (NULL, f->store, router, NULL));
  present_and_wait (GTK_WINDOW (dialog));
  parent = ADW_COMBO_ROW (_sm_server_dialog_get_row (dialog, "parent"));
  adw_combo_row_set_selected (parent, 1);
  g_assert_false (gtk_widget_is_sensitive (_sm_server_dialog_get_row (dialog, "save")));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_sm_server_dialog_get_error_label (dialog, "parent"))));
  g_assert_nonnull (strstr (gtk_label_get_text (_sm_server_dialog_get_error_label (dialog, "parent")),
                            "depend"));
  adw_combo_row_set_selected (parent, 0);
  g_assert_true (gtk_widget_is_sensitive (_sm_server_dialog_get_row (dialog, "save")));
  destroy_window (dialog);
  g_clear_object (&stored);

  /* The store says no too, and its message shows below the row: another
   * window made web depend on router after this dialog listed servers. */
  sm_server_set_parent_id (web, 0);
  g_assert_true (sm_store_save_server (f->store, web, SM_SECRET_KEEP, NULL, &error));
  dialog = g_object_ref (sm_server_dialog_new (NULL, f->store, router, NULL));
  present_and_wait (GTK_WINDOW (dialog));
  parent = ADW_COMBO_ROW (_sm_server_dialog_get_row (dialog, "parent"));
  adw_combo_row_set_selected (parent, 1);
  g_assert_true (gtk_widget_is_sensitive (_sm_server_dialog_get_row (dialog, "save")));
  sm_server_set_parent_id (web, sm_server_get_id (router));
  g_assert_true (sm_store_save_server (f->store, web, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "dialog.save", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_false (gtk_widget_is_sensitive (_sm_server_dialog_get_row (dialog, "save")));
  g_assert_nonnull (strstr (gtk_label_get_text (_sm_server_dialog_get_error_label (dialog, "parent")),
                            "Depends on"));
  destroy_window (dialog);

  stored = sm_store_get_server (f->store, sm_server_get_id (router), &error);
  g_assert_no_error (error);
  g_assert_cmpint (sm_server_get_parent_id (stored), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/alert-settings/rule-dialog/validation", Fixture, NULL,
              fixture_setup, test_rule_dialog_validation, fixture_teardown);
  g_test_add ("/alert-settings/rule-dialog/server-state", Fixture, NULL,
              fixture_setup, test_rule_dialog_server_state, fixture_teardown);
  g_test_add ("/alert-settings/rules-list/defaults", Fixture, NULL,
              fixture_setup, test_rules_list_defaults, fixture_teardown);
  g_test_add ("/alert-settings/channel-dialog/telegram", Fixture, NULL,
              fixture_setup, test_channel_dialog_telegram, fixture_teardown);
  g_test_add ("/alert-settings/channel-dialog/webhook-email", Fixture, NULL,
              fixture_setup, test_channel_dialog_webhook_email, fixture_teardown);
  g_test_add ("/alert-settings/preferences/quiet-hours", Fixture, NULL,
              fixture_setup, test_preferences_quiet_hours, fixture_teardown);
  g_test_add ("/alert-settings/server-dialog/parent", Fixture, NULL,
              fixture_setup, test_server_parent, fixture_teardown);

  return g_test_run ();
}
