/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-status-badge.h: a small coloured dot that shows a server's status. */
#pragma once

#include <gtk/gtk.h>

#include "sm-server.h"

G_BEGIN_DECLS

#define SM_TYPE_STATUS_BADGE (sm_status_badge_get_type ())
G_DECLARE_FINAL_TYPE (SmStatusBadge, sm_status_badge, SM, STATUS_BADGE, GtkWidget)

/*
 * The dot is drawn by CSS: the widget carries the style classes "status-dot"
 * and sm_server_status_to_css() of its status. Its tooltip and accessible
 * label are sm_server_status_to_label().
 *
 * Property "status" (SmServerStatus).
 */
GtkWidget      *sm_status_badge_new        (void);
SmServerStatus  sm_status_badge_get_status (SmStatusBadge  *self);
void            sm_status_badge_set_status (SmStatusBadge  *self,
                                            SmServerStatus  status);

/* The status to show for server: SM_SERVER_STATUS_DISABLED when it is
 * disabled, else its status. */
SmServerStatus  sm_status_badge_status_for_server (SmServer *server);

G_END_DECLS
