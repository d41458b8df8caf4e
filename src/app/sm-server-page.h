/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-page.h: the read-only details of the selected server. */
#pragma once

#include <adwaita.h>

#include "sm-server.h"
#include "sm-store.h"

G_BEGIN_DECLS

#define SM_TYPE_SERVER_PAGE (sm_server_page_get_type ())
G_DECLARE_FINAL_TYPE (SmServerPage, sm_server_page, SM, SERVER_PAGE, AdwBin)

/*
 * Properties:
 *   store          SmStore (construct-only, may be set once from a template)
 *   server         SmServer, or NULL
 *   vault-loading  gboolean: the store's vault is still being opened, so
 *                  stored credentials show as "Loading…" instead of "Locked"
 *
 * The page follows the server's property changes. It asks the store whether
 * the server's secret can be decrypted and frees the secret at once; it
 * never shows it.
 */
GtkWidget  *sm_server_page_new               (SmStore      *store);
SmStore    *sm_server_page_get_store         (SmServerPage *self);
void        sm_server_page_set_store         (SmServerPage *self,
                                              SmStore      *store);
SmServer   *sm_server_page_get_server        (SmServerPage *self);
void        sm_server_page_set_server        (SmServerPage *self,
                                              SmServer     *server);
gboolean    sm_server_page_get_vault_loading (SmServerPage *self);
void        sm_server_page_set_vault_loading (SmServerPage *self,
                                              gboolean      vault_loading);
/* Checks the stored credentials again (after the store's vault changed). */
void        sm_server_page_refresh_credentials (SmServerPage *self);

G_END_DECLS
