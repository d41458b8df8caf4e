/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-test-sshd.h: a real OpenSSH sshd on 127.0.0.1 for the SSH tests.
 *
 * Each instance lives in its own temporary directory with a generated
 * ed25519 host key, an sshd_config with absolute paths, an authorized_keys
 * file shared by all users, and a log. When the tests run as root a test
 * user (shell /bin/sh, known password) is created and used; otherwise the
 * current user is used with key authentication only.
 */
#pragma once

#include <glib.h>

#include "sm-store.h"

G_BEGIN_DECLS

typedef enum {
  SM_TEST_SSHD_DEFAULT       = 0,
  /* UsePAM yes, PasswordAuthentication no: passwords only through
   * keyboard-interactive (PAM). */
  SM_TEST_SSHD_KBDINT_ONLY   = 1 << 0,
} SmTestSshdFlags;

typedef struct _SmTestSshd SmTestSshd;

/* NULL (and the reason in *skip_reason) when sshd cannot run here. */
SmTestSshd  *sm_test_sshd_start            (SmTestSshdFlags   flags,
                                            char            **skip_reason);
/* Stops sshd and every process it started, removes the directory. */
void         sm_test_sshd_free             (SmTestSshd       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmTestSshd, sm_test_sshd_free)

guint        sm_test_sshd_get_port         (SmTestSshd       *self);
const char  *sm_test_sshd_get_dir          (SmTestSshd       *self);
const char  *sm_test_sshd_get_log          (SmTestSshd       *self);
/* "SHA256:..." of the current host key, from ssh-keygen -lf -E sha256. */
char        *sm_test_sshd_dup_fingerprint  (SmTestSshd       *self);

/* Kills sshd and all its connection processes at once (SIGKILL), as a
 * crash or a reboot would. */
void         sm_test_sshd_kill             (SmTestSshd       *self);
/* Starts sshd again on the same port, with a new host key if asked. */
gboolean     sm_test_sshd_restart          (SmTestSshd       *self,
                                            gboolean          new_host_key);

/* Generates a client key ("ed25519", "ecdsa", "rsa"), optionally with a
 * passphrase, authorizes it, and returns the private key's path. */
char        *sm_test_sshd_add_client_key   (SmTestSshd       *self,
                                            const char       *type,
                                            const char       *passphrase);

/* The user to log in as, and its password (NULL when not root: password
 * tests are skipped). */
const char  *sm_test_sshd_get_user         (void);
const char  *sm_test_sshd_get_password     (void);

/* A server entry for this sshd, saved in store: key authentication with
 * key, its host key pinned to fingerprint (NULL: not trusted yet). */
SmServer    *sm_test_sshd_add_server       (SmTestSshd       *self,
                                            SmStore          *store,
                                            const char       *name,
                                            const char       *key,
                                            const char       *fingerprint);

G_END_DECLS
