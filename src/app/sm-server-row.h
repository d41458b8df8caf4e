/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-server-row.h: one server in the window's sidebar list. */
#pragma once

#include <gtk/gtk.h>

#include "sm-history.h"
#include "sm-server.h"

G_BEGIN_DECLS

#define SM_TYPE_SERVER_ROW (sm_server_row_get_type ())
G_DECLARE_FINAL_TYPE (SmServerRow, sm_server_row, SM, SERVER_ROW, GtkListBoxRow)

/* Shows the status dot, the name and "user@host:port" of server, and follows
 * its property changes. Property "server" (construct-only). */
GtkWidget *sm_server_row_new        (SmServer    *server);
SmServer  *sm_server_row_get_server (SmServerRow *self);
/* The row's sparkline shows the last hour of the server's CPU: one query
 * of reader (a reference is taken) on a worker, then each new poll. Hidden
 * while there are no points. */
void       sm_server_row_set_history_reader (SmServerRow     *self,
                                             SmHistoryReader *reader);

G_END_DECLS
