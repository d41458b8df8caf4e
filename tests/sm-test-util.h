/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-test-util.h: helpers shared by the test programs. */
#pragma once

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

/* Waits until the kernel's clock (/proc/uptime, 10 ms ticks) has moved on
 * by a few ticks: rates from two readings need it. */
void      sm_test_wait_for_ticks   (void);

G_END_DECLS
