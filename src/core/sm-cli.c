/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-cli.c: the command-line actions that run without a display. */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

#include "sm-cli.h"
#include "sm-scheduler.h"
#include "sm-ssh-session.h"
#include "sm-store.h"
#include "sm-transfer.h"
#include "sm-vault.h"

gboolean
sm_cli_wants_action (const SmCliOptions *options)
{
  g_return_val_if_fail (options != NULL, FALSE);

  return options->version ||
         options->import_file != NULL ||
         options->export_file != NULL ||
         options->trust_host != NULL ||
         options->list ||
         options->check_once ||
         options->json;
}

void
sm_cli_options_clear (SmCliOptions *options)
{
  g_return_if_fail (options != NULL);

  g_clear_pointer (&options->data_dir, g_free);
  g_clear_pointer (&options->import_file, g_free);
  g_clear_pointer (&options->export_file, g_free);
  g_clear_pointer (&options->trust_host, g_free);
  options->list = FALSE;
  options->check_once = FALSE;
  options->json = FALSE;
  options->version = FALSE;
}

static void
print_error (const char *message)
{
  g_printerr ("status-monitor: %s\n", message);
}

/* Invalid input (a bad import file) is 2; everything else that fails is 1. */
static int
exit_status_for (const GError *error)
{
  if (g_error_matches (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID) ||
      g_error_matches (error, SM_STORE_ERROR, SM_STORE_ERROR_INVALID) ||
      g_error_matches (error, SM_STORE_ERROR, SM_STORE_ERROR_DUPLICATE))
    return SM_CLI_EXIT_INVALID;
  return SM_CLI_EXIT_FAILURE;
}

static int
run_import (SmStore    *store,
            const char *data_dir,
            const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) vault_error = NULL;
  g_autoptr(SmVault) vault = NULL;
  guint added = 0;
  guint updated = 0;

  /* The vault is only needed to seal passwords; without one, an import that
   * carries none still works. */
  vault = sm_vault_open (data_dir, NULL, &vault_error);
  if (vault != NULL)
    sm_store_set_vault (store, vault);

  if (vault != NULL && sm_store_get_vault_state (store) == SM_VAULT_STATE_MISMATCH)
    {
      print_error (_("The credential key does not match this database, so "
                     "passwords cannot be stored. Restore the original key "
                     "(keyring entry or vault.key) or use another data directory."));
      return SM_CLI_EXIT_FAILURE;
    }

  if (!sm_transfer_import_file (store, path, &added, &updated, &error))
    {
      if (vault_error != NULL && error->domain == SM_VAULT_ERROR)
        {
          g_autofree char *message =
            g_strdup_printf (_("%s: cannot store credentials: %s"),
                             path, vault_error->message);
          print_error (message);
          return SM_CLI_EXIT_FAILURE;
        }
      /* Import problems are already "FILE: where: what" lines. */
      if (g_error_matches (error, SM_TRANSFER_ERROR, SM_TRANSFER_ERROR_INVALID))
        g_printerr ("%s\n", error->message);
      else
        {
          g_autofree char *message = g_strdup_printf ("%s: %s", path, error->message);
          print_error (message);
        }
      return exit_status_for (error);
    }

  g_print (ngettext ("Imported %u server from %s (%u added, %u updated)\n",
                     "Imported %u servers from %s (%u added, %u updated)\n",
                     added + updated),
           added + updated, path, added, updated);
  return SM_CLI_EXIT_OK;
}

static int
run_export (SmStore    *store,
            const char *path)
{
  g_autoptr(GError) error = NULL;

  if (!sm_transfer_export_file (store, path, &error))
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }
  return SM_CLI_EXIT_OK;
}

static int
run_list (SmStore  *store,
          gboolean  json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (json)
    text = sm_transfer_list_json (store, &error);
  else
    text = sm_transfer_list_table (store, &error);

  if (text == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  fputs (text, stdout);
  fflush (stdout);
  return SM_CLI_EXIT_OK;
}

/* Loads the vault for actions that need stored secrets; a failure is kept
 * so that only servers with a secret fail, with the reason. */
static SmVault *
open_vault_for (SmStore    *store,
                const char *data_dir)
{
  g_autoptr(GError) error = NULL;
  SmVault *vault = sm_vault_open (data_dir, NULL, &error);

  if (vault != NULL)
    sm_store_set_vault (store, vault);
  return vault;
}

typedef struct {
  GMainLoop *loop;
  gboolean   json;
  guint      pending;
  int        status;
} CheckOnce;

/* A JSON string literal, escaped by json-glib. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *quoted = NULL;

  json_node_set_string (node, text != NULL ? text : "");
  json_generator_set_root (generator, node);
  quoted = json_generator_to_data (generator, NULL);
  g_string_append (out, quoted);
}

/* Numbers as people write them ("12.5", not "12.499999999999998"), which
 * json-glib's full-precision doubles are not. */
static void
append_json_number (GString    *out,
                    const char *format,
                    double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, format, value));
}

static void
print_outcome_json (SmServer            *server,
                    const SmPollOutcome *outcome)
{
  g_autoptr(GString) line = g_string_new ("{\"server\":");
  gboolean first = TRUE;

  append_json_string (line, sm_server_get_name (server));
  g_string_append (line, ",\"status\":");
  append_json_string (line, sm_server_status_to_string (outcome->status));
  g_string_append (line, ",\"reason\":");
  append_json_string (line, outcome->reason);
  g_string_append (line, ",\"latency_ms\":");
  append_json_number (line, "%.1f", outcome->latency_ms);
  g_string_append (line, ",\"metrics\":{");
  for (guint i = 0; outcome->result != NULL && i < outcome->result->metrics->len; i++)
    {
      const SmMetric *metric = &g_array_index (outcome->result->metrics, SmMetric, i);

      if (!isfinite (metric->value))
        continue;
      if (!first)
        g_string_append_c (line, ',');
      first = FALSE;
      append_json_string (line, metric->name);
      g_string_append_c (line, ':');
      append_json_number (line, "%.15g", round (metric->value * 1000) / 1000);
    }
  g_string_append (line, "}}");

  g_print ("%s\n", line->str);
}

static void
poll_finished_cb (SmScheduler *scheduler,
                  SmServer    *server,
                  gpointer     data,
                  CheckOnce   *check)
{
  const SmPollOutcome *outcome = data;

  if (check->json)
    {
      print_outcome_json (server, outcome);
    }
  else
    {
      g_autofree char *name = g_strescape (sm_server_get_name (server), NULL);

      g_print ("%-24s %-9s %7.1f ms  %s\n", name,
               sm_server_status_to_string (outcome->status),
               outcome->latency_ms, outcome->reason);
    }

  if (outcome->status != SM_SERVER_STATUS_UP)
    check->status = SM_CLI_EXIT_FAILURE;

  if (--check->pending == 0)
    g_main_loop_quit (check->loop);
}

static int
run_check_once (SmStore    *store,
                const char *data_dir,
                gboolean    json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(SmVault) vault = NULL;
  g_autoptr(SmScheduler) scheduler = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  CheckOnce check = { 0 };

  /* As on the app's first launch: a fresh data dir checks this computer. */
  if (!sm_store_ensure_local_server (store, _("This Computer"), NULL, &error) ||
      (servers = sm_store_list_servers (store, &error)) == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  vault = open_vault_for (store, data_dir);
  loop = g_main_loop_new (NULL, FALSE);
  scheduler = sm_scheduler_new (store, data_dir, 16);
  sm_scheduler_set_timers (scheduler, FALSE);

  check.loop = loop;
  check.json = json;
  check.status = SM_CLI_EXIT_OK;
  g_signal_connect (scheduler, "poll-finished", G_CALLBACK (poll_finished_cb), &check);

  for (guint i = 0; i < servers->len; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);

      if (!sm_server_get_enabled (server))
        continue;
      sm_scheduler_add_server (scheduler, server);
      check.pending++;
    }

  if (check.pending == 0)
    {
      print_error (_("No enabled servers to check. Add one with --import or in the app."));
      return SM_CLI_EXIT_INVALID;
    }

  /* All at once: the pool bounds how many run in parallel. */
  for (guint i = 0; i < servers->len; i++)
    {
      SmServer *server = g_ptr_array_index (servers, i);

      if (sm_server_get_enabled (server))
        sm_scheduler_poll_now (scheduler, server);
    }

  g_main_loop_run (loop);
  sm_scheduler_shutdown (scheduler);

  return check.status;
}

static int
run_trust_host (SmStore    *store,
                const char *data_dir,
                const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmServer) server = NULL;
  g_autoptr(SmSshSession) session = NULL;
  g_autofree char *known_hosts = g_build_filename (data_dir, "known_hosts", NULL);
  SmSshConfig config = { 0 };

  server = sm_store_find_server_by_name (store, name, &error);
  if (server == NULL)
    {
      g_autofree char *message = error != NULL
        ? g_strdup (error->message)
        : g_strdup_printf (_("No server named “%s”. See --list."), name);
      print_error (message);
      return SM_CLI_EXIT_INVALID;
    }

  /* Trusting needs only the handshake; no secret is used before the key
   * is trusted. */
  sm_ssh_config_init_from_server (&config, server, NULL, known_hosts);
  session = sm_ssh_session_new (&config);
  sm_ssh_config_clear (&config);

  if (sm_ssh_session_connect (session, NULL, &error) ||
      !g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN))
    {
      if (error == NULL || error->domain != SM_SSH_ERROR ||
          error->code == SM_SSH_ERROR_AUTH_FAILED ||
          error->code == SM_SSH_ERROR_CREDENTIALS)
        {
          g_print (_("%s: the host key %s %s is already trusted\n"),
                   sm_server_get_name (server),
                   sm_ssh_session_get_host_key_type (session),
                   sm_ssh_session_get_host_key_sha256 (session));
          return SM_CLI_EXIT_OK;
        }
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  g_print (_("%s: host key %s %s\n"),
           sm_server_get_name (server),
           sm_ssh_session_get_host_key_type (session),
           sm_ssh_session_get_host_key_sha256 (session));

  g_clear_error (&error);
  if (!sm_ssh_session_trust_host_key (session, &error))
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  g_print (_("Trusted; stored in %s\n"), known_hosts);
  return SM_CLI_EXIT_OK;
}

int
sm_cli_run (const SmCliOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmStore) store = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  g_return_val_if_fail (options != NULL, SM_CLI_EXIT_FAILURE);

  if (options->version)
    {
      g_print ("status-monitor %s\n", PACKAGE_VERSION);
      return SM_CLI_EXIT_OK;
    }

  if (options->json && !options->list && !options->check_once)
    {
      print_error (_("--json goes with --list or --check-once"));
      return SM_CLI_EXIT_INVALID;
    }
  if (options->list && options->check_once)
    {
      print_error (_("--list and --check-once cannot be combined"));
      return SM_CLI_EXIT_INVALID;
    }

  data_dir = options->data_dir != NULL ? g_strdup (options->data_dir)
                                       : sm_store_default_data_dir ();

  store = sm_store_open_data_dir (data_dir, NULL, &error);
  if (store == NULL)
    {
      print_error (error->message);
      return SM_CLI_EXIT_FAILURE;
    }

  if (options->import_file != NULL)
    {
      status = run_import (store, data_dir, options->import_file);
      if (status != SM_CLI_EXIT_OK)
        return status;
    }

  if (options->export_file != NULL)
    {
      status = run_export (store, options->export_file);
      if (status != SM_CLI_EXIT_OK)
        return status;
    }

  if (options->trust_host != NULL)
    {
      status = run_trust_host (store, data_dir, options->trust_host);
      if (status != SM_CLI_EXIT_OK)
        return status;
    }

  if (options->list)
    return run_list (store, options->json);

  if (options->check_once)
    return run_check_once (store, data_dir, options->json);

  return SM_CLI_EXIT_OK;
}
