/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-test-util.h: helpers shared by the test programs. */
#pragma once

#include <cairo.h>
#include <gio/gio.h>
#include <glib.h>

G_BEGIN_DECLS

/* A fresh temporary directory, removed (recursively) by sm_test_rmdir. */
char     *sm_test_mkdtemp          (void);
void      sm_test_rmdir            (const char  *path);
/* Path of a file under tests/fixtures in the source tree. */
char     *sm_test_fixture_path     (const char  *name);
/* TRUE if needle (len bytes) occurs anywhere in the file. */
gboolean  sm_test_file_contains    (const char  *path,
                                    const char  *needle,
                                    gsize        len);

/* A timeout callback that only wakes the main context (keeps
 * sm_test_wait_until's iterations from blocking for ever). */
gboolean  sm_test_wake_cb          (gpointer     user_data);

/* Iterates the default main context until cond holds; fails after 10 s. */
#define sm_test_wait_until(cond)                                           \
  G_STMT_START {                                                           \
    gint64 deadline_ = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;      \
    guint wake_id_ = g_timeout_add (10, sm_test_wake_cb, NULL);            \
    while (!(cond))                                                        \
      {                                                                    \
        if (g_get_monotonic_time () > deadline_)                           \
          g_error ("Timed out waiting for: %s", #cond);                    \
        g_main_context_iteration (NULL, TRUE);                             \
      }                                                                    \
    g_source_remove (wake_id_);                                            \
  } G_STMT_END

/* The first column of the first row sql gives, read through a read-only
 * connection of its own to the SQLite file at path; the query must give a
 * row. */
gint64    sm_test_sql_int          (const char  *path,
                                    const char  *sql);
char     *sm_test_sql_text         (const char  *path,
                                    const char  *sql);

/* The pixel at (x, y) of an ARGB32 image surface as 0xAARRGGBB
 * (premultiplied, as Cairo stores it); (x, y) must be inside. */
guint32   sm_test_pixel_at         (cairo_surface_t *surface,
                                    int              x,
                                    int              y);

/* Waits until the kernel's clock (/proc/uptime, 10 ms ticks) has moved on
 * by a few ticks: rates from two readings need it. */
void      sm_test_wait_for_ticks   (void);

/* A GResolver that never touches the network, installed as the default
 * for one test:
 *   local.test    127.0.0.1 and ::1 (as the lookup flags allow)
 *   hang.test     never answers (until cancelled)
 *   anything else does not exist
 * install returns the resolver it replaced, for uninstall. */
GResolver *sm_test_fake_resolver_install   (void);
void       sm_test_fake_resolver_uninstall (GResolver *previous);

/* python3-dbusmock's notification daemon on bus (connection is the test's
 * connection to it), announcing capabilities ("body actions"); returns
 * once it owns org.freedesktop.Notifications. NULL with *skip_reason when
 * dbusmock is not installed. */
GSubprocess *sm_test_notification_daemon_start (GTestDBus        *bus,
                                                GDBusConnection  *connection,
                                                const char       *capabilities,
                                                char            **skip_reason);
/* A call on the daemon's org.freedesktop.DBus.Mock interface ("GetCalls",
 * "ClearCalls", "EmitSignal"); fails the test on an error. */
GVariant    *sm_test_notification_mock_call    (GDBusConnection  *connection,
                                                const char       *method,
                                                GVariant         *args,
                                                const char       *reply_type);

G_END_DECLS
