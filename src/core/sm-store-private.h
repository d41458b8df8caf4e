/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-store-private.h: what sm-alert-store.c shares with sm-store.c. */
#pragma once

#include <sqlite3.h>

#include "sm-store.h"

G_BEGIN_DECLS

sqlite3      *_sm_store_get_db             (SmStore       *self);
sqlite3_stmt *_sm_store_prepare            (SmStore       *self,
                                            const char    *sql,
                                            GError       **error);
gboolean      _sm_store_step_done          (SmStore       *self,
                                            sqlite3_stmt  *stmt,
                                            GError       **error);
gboolean      _sm_store_step_row           (SmStore       *self,
                                            sqlite3_stmt  *stmt,
                                            gboolean      *out_row,
                                            GError       **error);
/* NULL text binds NULL. */
int           _sm_store_bind_text          (sqlite3_stmt  *stmt,
                                            int            index,
                                            const char    *text);
/* Steps through every row of stmt, calling row_func with each. */
gboolean      _sm_store_step_all           (SmStore       *self,
                                            sqlite3_stmt  *stmt,
                                            void         (*row_func) (sqlite3_stmt *stmt,
                                                                      gpointer      user_data),
                                            gpointer       user_data,
                                            GError       **error);
/* Runs sql (a DELETE with ?1 the id); when it deleted nothing and
 * gone_message is given, SM_STORE_ERROR_NOT_FOUND with it. */
gboolean      _sm_store_delete_row         (SmStore       *self,
                                            const char    *sql,
                                            gint64         id,
                                            const char    *gone_message,
                                            GError       **error);
void          _sm_store_set_sqlite_error   (SmStore       *self,
                                            GError       **error,
                                            int            rc);
/* One operation: its own transaction, or a savepoint inside
 * sm_store_begin(). commit rolls back itself when it fails. */
gboolean      _sm_store_operation_begin    (SmStore       *self,
                                            GError       **error);
gboolean      _sm_store_operation_commit   (SmStore       *self,
                                            GError       **error);
void          _sm_store_operation_rollback (SmStore       *self);

/* Adds sm_alert_rules_new_defaults() for a server just inserted, inside
 * the caller's operation (sm-alert-store.c). */
gboolean      _sm_store_add_default_rules  (SmStore       *self,
                                            gint64         server_id,
                                            GError       **error);

G_END_DECLS
