/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-check-batch.h: runs every enabled check of some servers once
 * (`--check-once`), stores each result and hands it to a callback.
 *
 * Network checks run from this computer, all at once. Command and log
 * checks of one server run one after another on an SSH session of their
 * own (or the local /bin/sh for "This computer") on a worker thread. A
 * log check keeps its inode and offset in the store between runs; a
 * heartbeat check is judged from its last ping (the time the check was
 * first seen counts as its start). Each result is stored as the check's
 * latest and, given a history writer, as the samples
 * "check.<id>.latency_ms" and "check.<id>.up" of its server.
 *
 * Main thread only; the callback runs there.
 */
#pragma once

#include <gio/gio.h>

#include "sm-check-result.h"
#include "sm-check.h"
#include "sm-history.h"
#include "sm-server.h"
#include "sm-store.h"

G_BEGIN_DECLS

typedef void (*SmCheckBatchFunc) (SmServer            *server,
                                  const SmCheck       *check,
                                  const SmCheckResult *result,
                                  gpointer             user_data);

/* servers: SmServer (disabled ones are skipped). known_hosts: the app's
 * known_hosts file for the SSH sessions. history may be NULL. */
void     sm_check_batch_run_async  (SmStore             *store,
                                    GPtrArray           *servers,
                                    const char          *known_hosts,
                                    SmHistoryWriter     *history,
                                    SmCheckBatchFunc     each,
                                    gpointer             each_data,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
/* The number of checks run. */
guint    sm_check_batch_run_finish (GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
