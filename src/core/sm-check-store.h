/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-store.h: service checks and their latest results in the
 * store's database (migration 8). Main thread only, like SmStore.
 *
 * A check belongs to a server and goes with it; its name is unique on
 * that server (case-insensitive). A heartbeat check's token is a secret:
 * encrypted with the vault (associated data from the check's uuid) and
 * never exported. The latest result of each check is kept with its time,
 * so the Checks tab shows something at once after a restart; results over
 * time go to the history (metrics "check.<id>.latency_ms" and
 * "check.<id>.up" of the server).
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"
#include "sm-check.h"
#include "sm-store.h"

G_BEGIN_DECLS

/* server_id 0: every server's. Ordered by server, then name. An array of
 * SmCheck. */
GPtrArray     *sm_store_list_checks        (SmStore        *self,
                                            gint64          server_id,
                                            GError        **error);
SmCheck       *sm_store_get_check          (SmStore        *self,
                                            gint64          id,
                                            GError        **error);
/* Inserts (id 0: sets id) or updates. SM_STORE_ERROR_INVALID with
 * "field: problem" from sm_check_validate or for a server that does not
 * exist; SM_STORE_ERROR_DUPLICATE for a name taken on that server. */
gboolean       sm_store_save_check         (SmStore        *self,
                                            SmCheck        *check,
                                            GError        **error);
gboolean       sm_store_delete_check       (SmStore        *self,
                                            gint64          id,
                                            GError        **error);

/* A heartbeat check's token: set (encrypted; needs a vault) and read
 * back (NULL without error when none is set). Free with sm_secret_free. */
gboolean       sm_store_set_check_token    (SmStore        *self,
                                            const SmCheck  *check,
                                            const char     *token,
                                            GError        **error);
char          *sm_store_load_check_token   (SmStore        *self,
                                            const SmCheck  *check,
                                            GError        **error);

/* The latest result of a check (replaces the one stored), and reading it
 * back: NULL without error when the check has not run yet. The result's
 * time is result->time_us. */
gboolean       sm_store_save_check_result  (SmStore             *self,
                                            gint64               check_id,
                                            const SmCheckResult *result,
                                            GError             **error);
SmCheckResult *sm_store_get_check_result   (SmStore             *self,
                                            gint64               check_id,
                                            GError             **error);

/* Per-check state a probe keeps between runs (a log check's inode and
 * offset), as JSON text; NULL without error when none. */
gboolean       sm_store_save_check_state   (SmStore        *self,
                                            gint64          check_id,
                                            const char     *state_json,
                                            GError        **error);
char          *sm_store_load_check_state   (SmStore        *self,
                                            gint64          check_id,
                                            GError        **error);

G_END_DECLS
