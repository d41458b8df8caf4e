/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-cli.c: the command-line actions that run without a display. */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "sm-cli.h"
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
         options->list ||
         options->json;
}

void
sm_cli_options_clear (SmCliOptions *options)
{
  g_return_if_fail (options != NULL);

  g_clear_pointer (&options->data_dir, g_free);
  g_clear_pointer (&options->import_file, g_free);
  g_clear_pointer (&options->export_file, g_free);
  options->list = FALSE;
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

  if (options->json && !options->list)
    {
      print_error (_("--json goes with --list"));
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

  if (options->list)
    return run_list (store, options->json);

  return SM_CLI_EXIT_OK;
}
