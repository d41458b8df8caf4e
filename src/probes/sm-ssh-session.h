/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-ssh-session.h: one persistent, authenticated libssh2 session.
 *
 * Blocking calls with a deadline on every wait (the socket is non-blocking
 * underneath; each wait polls the socket and the cancellable), meant to run
 * on a worker thread. A session is used by one thread at a time (libssh2's
 * rule); nothing here is shared between sessions but libssh2_init.
 */
#pragma once

#include <gio/gio.h>

#include "sm-server.h"

G_BEGIN_DECLS

#define SM_SSH_ERROR (sm_ssh_error_quark ())
GQuark sm_ssh_error_quark (void);

typedef enum {
  SM_SSH_ERROR_RESOLVE,            /* host name does not resolve */
  SM_SSH_ERROR_REFUSED,            /* connection refused */
  SM_SSH_ERROR_UNREACHABLE,        /* no route, network down, connect timeout */
  SM_SSH_ERROR_TIMEOUT,            /* banner, handshake, auth or command deadline */
  SM_SSH_ERROR_HOST_KEY_UNKNOWN,   /* not trusted yet: the fingerprint needs confirming */
  SM_SSH_ERROR_HOST_KEY_CHANGED,   /* differs from the trusted one: maybe an attack */
  SM_SSH_ERROR_AUTH_FAILED,        /* wrong credentials, or the key type is refused */
  SM_SSH_ERROR_CREDENTIALS,        /* a key file cannot be read, no agent, wrong passphrase */
  SM_SSH_ERROR_DISCONNECTED,       /* the peer closed or the protocol broke */
  SM_SSH_ERROR_OUTPUT_TOO_LARGE,   /* the host sent more than the cap */
} SmSshError;

typedef struct {
  char         *host;
  guint         port;
  char         *username;          /* "" or NULL: the local user name */
  SmAuthMethod  method;
  char         *key_file;          /* "~/" is expanded */
  char         *secret;            /* password or passphrase (sm_secret_dup memory) or NULL */
  char         *pinned_sha256;     /* "SHA256:..." trusted for this server, or NULL */
  char         *known_hosts;       /* the app's known_hosts file (read and appended) */
  gboolean      read_user_known_hosts;   /* also trust ~/.ssh/known_hosts */
  guint         connect_timeout_ms;      /* default 5000 */
  guint         handshake_timeout_ms;    /* default 10000 */
  guint         auth_timeout_ms;         /* default 10000 */
  guint         command_timeout_ms;      /* default 15000 */
} SmSshConfig;

/* Zeroes a config and sets the defaults (port 22, agent, the default
 * timeouts, read_user_known_hosts); clear it with sm_ssh_config_clear. */
void           sm_ssh_config_init             (SmSshConfig *config);
/* Fills a config from a server entry (the secret is copied into guarded
 * memory; pass NULL when none is stored). */
void           sm_ssh_config_init_from_server (SmSshConfig *config,
                                               SmServer    *server,
                                               const char  *secret,
                                               const char  *known_hosts);
void           sm_ssh_config_clear            (SmSshConfig *config);

typedef struct _SmSshSession SmSshSession;

SmSshSession  *sm_ssh_session_new             (const SmSshConfig *config);
void           sm_ssh_session_free            (SmSshSession      *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmSshSession, sm_ssh_session_free)

/* TCP connect, handshake, host key check, authentication. On
 * SM_SSH_ERROR_HOST_KEY_UNKNOWN / _CHANGED the offered key's fingerprint is
 * available from get_host_key_sha256 and nothing was authenticated. */
gboolean       sm_ssh_session_connect         (SmSshSession      *self,
                                               GCancellable      *cancellable,
                                               GError           **error);
gboolean       sm_ssh_session_is_connected    (SmSshSession      *self);
/* "SHA256:<base64 without padding>" of the key the server offered, or NULL
 * before a handshake. Also its type, e.g. "ssh-ed25519". */
const char    *sm_ssh_session_get_host_key_sha256 (SmSshSession  *self);
const char    *sm_ssh_session_get_host_key_type   (SmSshSession  *self);
/* Adds the offered host key to the config's known_hosts file (OpenSSH
 * format, "[host]:port" for a port other than 22), unless it is there. */
gboolean       sm_ssh_session_trust_host_key  (SmSshSession      *self,
                                               GError           **error);

/* Writes input to a persistent remote shell ("sh" started once per
 * session, kept open) and reads its standard output until a line equal to
 * end_line, which is not included. Output beyond max_bytes is an error.
 * One round trip per call; the command deadline applies. */
char          *sm_ssh_session_run_in_shell    (SmSshSession      *self,
                                               const char        *input,
                                               const char        *end_line,
                                               gsize              max_bytes,
                                               gsize             *out_len,
                                               GCancellable      *cancellable,
                                               GError           **error);
/* A one-off exec on the session (a new channel). */
char          *sm_ssh_session_exec            (SmSshSession      *self,
                                               const char        *command,
                                               gsize              max_bytes,
                                               int               *out_exit_status,
                                               gsize             *out_len,
                                               GCancellable      *cancellable,
                                               GError           **error);
/* Sends a keepalive if one is due; FALSE (with error) if the peer is gone. */
gboolean       sm_ssh_session_keepalive       (SmSshSession      *self,
                                               GError           **error);
void           sm_ssh_session_disconnect      (SmSshSession      *self);

G_END_DECLS
