/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-ssh-session.c: one persistent, authenticated libssh2 session.
 *
 * libssh2 runs in non-blocking mode; every call that returns
 * LIBSSH2_ERROR_EAGAIN is retried after wait_socket(), which polls the
 * socket in the direction libssh2 asks for and the cancellable's fd, until
 * the deadline of the current phase (connect, handshake, auth, command).
 * Only libssh2 1.10 API is used.
 */

#include "config.h"

#include "sm-ssh-session.h"

#include "sm-known-hosts.h"
#include "sm-vault.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <libssh2.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define DEFAULT_CONNECT_TIMEOUT_MS    5000
#define DEFAULT_HANDSHAKE_TIMEOUT_MS 10000
#define DEFAULT_AUTH_TIMEOUT_MS      10000
#define DEFAULT_COMMAND_TIMEOUT_MS   15000
/* Closing a channel or the session never waits longer than this; after a
 * timeout or a cancellation, the wait is shorter still. */
#define CLOSE_BUDGET_MS                300
#define ABORT_BUDGET_MS                 50
#define KEEPALIVE_INTERVAL_S            15

#define RSA_EXPLANATION \
  N_("libssh2 1.10 cannot sign with rsa-sha2-256/512, which OpenSSH 8.8 and " \
     "newer require for RSA keys; use an ed25519 or ECDSA key")

typedef enum {
  PHASE_CONNECT,
  PHASE_HANDSHAKE,
  PHASE_AUTH,
  PHASE_COMMAND,
  PHASE_CLOSE,
} Phase;

struct _SmSshSession {
  SmSshConfig       config;
  char             *user;          /* the effective user name */
  char             *display;       /* "host" or "[host]:port", for messages */

  int               fd;
  LIBSSH2_SESSION  *session;
  LIBSSH2_CHANNEL  *shell;
  /* Channels whose close did not complete within the budget (the remote
   * command still runs): freeing them is retried at each call, and
   * libssh2 frees what is left with the session. */
  GPtrArray        *abandoned;
  gboolean          authenticated;
  gsize             bytes_received;

  GBytes           *host_key;
  char             *host_key_sha256;
  char             *host_key_type;
};

G_DEFINE_QUARK (sm-ssh-error-quark, sm_ssh_error)

static gpointer
init_libssh2_once (gpointer data)
{
  /* With OpenSSL 1.1+ libssh2_init() needs no locking callbacks. */
  return GINT_TO_POINTER (libssh2_init (0));
}

static gboolean
ensure_libssh2 (GError **error)
{
  static GOnce once = G_ONCE_INIT;
  int rc = GPOINTER_TO_INT (g_once (&once, init_libssh2_once, NULL));

  if (rc != 0)
    {
      g_set_error_literal (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
                           _("The SSH library could not be initialized"));
      return FALSE;
    }
  return TRUE;
}

/* Config */

/**
 * sm_ssh_config_init:
 * @config: a config to fill
 *
 * Zeroes @config and sets the default timeouts. Free with
 * sm_ssh_config_clear().
 */
void
sm_ssh_config_init (SmSshConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->port = 22;
  config->method = SM_AUTH_AGENT;
  config->read_user_known_hosts = TRUE;
  config->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  config->handshake_timeout_ms = DEFAULT_HANDSHAKE_TIMEOUT_MS;
  config->auth_timeout_ms = DEFAULT_AUTH_TIMEOUT_MS;
  config->command_timeout_ms = DEFAULT_COMMAND_TIMEOUT_MS;
}

void
sm_ssh_config_init_from_server (SmSshConfig *config,
                                SmServer    *server,
                                const char  *secret,
                                const char  *known_hosts)
{
  const char *username;

  g_return_if_fail (config != NULL);
  g_return_if_fail (SM_IS_SERVER (server));

  sm_ssh_config_init (config);
  config->host = g_strdup (sm_server_get_host (server));
  config->port = sm_server_get_port (server);
  username = sm_server_get_username (server);
  if (username == NULL || username[0] == '\0')
    username = g_get_user_name ();
  config->username = g_strdup (username);
  config->method = sm_server_get_auth_method (server);
  config->key_file = g_strdup (sm_server_get_key_file (server));
  config->secret = sm_secret_dup (secret);
  config->pinned_sha256 = g_strdup (sm_server_get_host_key_sha256 (server));
  config->known_hosts = g_strdup (known_hosts);

  /* Per-server deadlines override the defaults. */
  if (sm_server_get_timeout (server, SM_TIMEOUT_CONNECT) > 0)
    config->connect_timeout_ms = sm_server_get_timeout (server, SM_TIMEOUT_CONNECT) * 1000;
  if (sm_server_get_timeout (server, SM_TIMEOUT_HANDSHAKE) > 0)
    config->handshake_timeout_ms = sm_server_get_timeout (server, SM_TIMEOUT_HANDSHAKE) * 1000;
  if (sm_server_get_timeout (server, SM_TIMEOUT_AUTH) > 0)
    config->auth_timeout_ms = sm_server_get_timeout (server, SM_TIMEOUT_AUTH) * 1000;
  if (sm_server_get_timeout (server, SM_TIMEOUT_COMMAND) > 0)
    config->command_timeout_ms = sm_server_get_timeout (server, SM_TIMEOUT_COMMAND) * 1000;
}

void
sm_ssh_config_clear (SmSshConfig *config)
{
  g_return_if_fail (config != NULL);

  g_clear_pointer (&config->host, g_free);
  g_clear_pointer (&config->username, g_free);
  g_clear_pointer (&config->key_file, g_free);
  g_clear_pointer (&config->secret, sm_secret_free);
  g_clear_pointer (&config->pinned_sha256, g_free);
  g_clear_pointer (&config->known_hosts, g_free);
}

static void
config_copy (SmSshConfig       *dest,
             const SmSshConfig *src)
{
  *dest = *src;
  dest->host = g_strdup (src->host);
  dest->username = g_strdup (src->username);
  dest->key_file = g_strdup (src->key_file);
  dest->secret = sm_secret_dup (src->secret);
  dest->pinned_sha256 = g_strdup (src->pinned_sha256);
  dest->known_hosts = g_strdup (src->known_hosts);
  if (dest->port == 0)
    dest->port = 22;
  if (dest->connect_timeout_ms == 0)
    dest->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  if (dest->handshake_timeout_ms == 0)
    dest->handshake_timeout_ms = DEFAULT_HANDSHAKE_TIMEOUT_MS;
  if (dest->auth_timeout_ms == 0)
    dest->auth_timeout_ms = DEFAULT_AUTH_TIMEOUT_MS;
  if (dest->command_timeout_ms == 0)
    dest->command_timeout_ms = DEFAULT_COMMAND_TIMEOUT_MS;
}

/* Session object */

SmSshSession *
sm_ssh_session_new (const SmSshConfig *config)
{
  SmSshSession *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->host != NULL && config->host[0] != '\0', NULL);

  self = g_new0 (SmSshSession, 1);
  config_copy (&self->config, config);
  if (self->config.username != NULL && self->config.username[0] != '\0')
    self->user = g_strdup (self->config.username);
  else
    self->user = g_strdup (g_get_user_name ());
  self->display = sm_known_hosts_host_name (self->config.host, self->config.port);
  self->fd = -1;
  self->abandoned = g_ptr_array_new ();
  return self;
}

void
sm_ssh_session_free (SmSshSession *self)
{
  if (self == NULL)
    return;

  sm_ssh_session_disconnect (self);
  g_ptr_array_unref (self->abandoned);
  sm_ssh_config_clear (&self->config);
  g_free (self->user);
  g_free (self->display);
  g_clear_pointer (&self->host_key, g_bytes_unref);
  g_free (self->host_key_sha256);
  g_free (self->host_key_type);
  g_free (self);
}

gboolean
sm_ssh_session_is_connected (SmSshSession *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->session != NULL && self->authenticated;
}

const char *
sm_ssh_session_get_host_key_sha256 (SmSshSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->host_key_sha256;
}

const char *
sm_ssh_session_get_host_key_type (SmSshSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->host_key_type;
}

/* Waiting */

static gint64
deadline_after (guint ms)
{
  return g_get_monotonic_time () + (gint64) ms * 1000;
}

static double
seconds (guint ms)
{
  return ms / 1000.0;
}

/* Polls fd for events and the cancellable until the deadline. Returns 1
 * when fd is ready, 0 on timeout, -1 with error set when cancelled. */
static int
poll_fd (int            fd,
         GIOCondition   events,
         gint64         deadline,
         GCancellable  *cancellable,
         GError       **error)
{
  GPollFD fds[2];
  guint nfds = 1;
  int result = 0;

  fds[0].fd = fd;
  fds[0].events = events;
  fds[0].revents = 0;
  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[1]))
    {
      fds[1].revents = 0;
      nfds = 2;
    }

  for (;;)
    {
      gint64 now;
      gint64 remaining_ms;
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          result = -1;
          break;
        }
      now = g_get_monotonic_time ();
      if (now >= deadline)
        {
          result = 0;
          break;
        }
      remaining_ms = (deadline - now + 999) / 1000;
      r = g_poll (fds, nfds, (int) MIN (remaining_ms, INT_MAX));
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          /* Let the caller's libssh2 call report the socket's state. */
          result = 1;
          break;
        }
      if (r == 0)
        continue;
      if (nfds == 2 && fds[1].revents != 0 &&
          g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          result = -1;
          break;
        }
      if (fds[0].revents != 0)
        {
          result = 1;
          break;
        }
    }

  if (nfds == 2)
    g_cancellable_release_fd (cancellable);
  return result;
}

static void
set_timeout_error (SmSshSession  *self,
                   Phase          phase,
                   GError       **error)
{
  switch (phase)
    {
    case PHASE_CONNECT:
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_UNREACHABLE,
                   _("Could not connect to %s within %g s"),
                   self->display, seconds (self->config.connect_timeout_ms));
      break;
    case PHASE_HANDSHAKE:
      if (self->bytes_received == 0)
        g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_TIMEOUT,
                     _("%s accepted the connection but sent no SSH banner within %g s"),
                     self->display, seconds (self->config.handshake_timeout_ms));
      else
        g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_TIMEOUT,
                     _("The SSH handshake with %s did not complete within %g s"),
                     self->display, seconds (self->config.handshake_timeout_ms));
      break;
    case PHASE_AUTH:
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_TIMEOUT,
                   _("Authentication on %s did not complete within %g s"),
                   self->display, seconds (self->config.auth_timeout_ms));
      break;
    case PHASE_COMMAND:
    case PHASE_CLOSE:
    default:
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_TIMEOUT,
                   _("The host stopped answering: no reply from %s within %g s"),
                   self->display, seconds (self->config.command_timeout_ms));
      break;
    }
}

/* Waits until libssh2 can make progress: the socket is ready in the
 * direction libssh2 is blocked on. */
static gboolean
wait_socket (SmSshSession  *self,
             gint64         deadline,
             GCancellable  *cancellable,
             Phase          phase,
             GError       **error)
{
  int directions = libssh2_session_block_directions (self->session);
  GIOCondition events = 0;
  int r;

  if (directions & LIBSSH2_SESSION_BLOCK_INBOUND)
    events |= G_IO_IN;
  if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND)
    events |= G_IO_OUT;
  if (events == 0)
    events = G_IO_IN;

  r = poll_fd (self->fd, events, deadline, cancellable, error);
  if (r == 0)
    set_timeout_error (self, phase, error);
  return r == 1;
}

static const char *
last_error_message (SmSshSession *self)
{
  char *message = NULL;

  if (self->session == NULL)
    return "";
  libssh2_session_last_error (self->session, &message, NULL, 0);
  return message != NULL ? message : "";
}

static void
set_disconnected_error (SmSshSession  *self,
                        GError       **error)
{
  g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
               _("The connection to %s was lost (%s)"),
               self->display, last_error_message (self));
}

/* Tearing down */

/* Frees a channel, waiting at most budget_ms for libssh2 to send its close;
 * a channel that cannot be closed in time is left to libssh2, which frees
 * it with the session. */
static void
close_channel (SmSshSession    *self,
               LIBSSH2_CHANNEL *channel,
               guint            budget_ms)
{
  gint64 deadline = deadline_after (budget_ms);
  int rc;

  while ((rc = libssh2_channel_free (channel)) == LIBSSH2_ERROR_EAGAIN)
    {
      if (!wait_socket (self, deadline, NULL, PHASE_CLOSE, NULL))
        break;
    }
  if (rc == LIBSSH2_ERROR_EAGAIN)
    g_ptr_array_add (self->abandoned, channel);
}

/* One non-blocking attempt to finish freeing each abandoned channel. */
static void
retry_abandoned (SmSshSession *self)
{
  for (guint i = self->abandoned->len; i > 0; i--)
    {
      if (libssh2_channel_free (self->abandoned->pdata[i - 1]) != LIBSSH2_ERROR_EAGAIN)
        g_ptr_array_remove_index_fast (self->abandoned, i - 1);
    }
}

static void
close_shell (SmSshSession *self,
             guint         budget_ms)
{
  LIBSSH2_CHANNEL *shell = g_steal_pointer (&self->shell);

  if (shell != NULL)
    close_channel (self, shell, budget_ms);
}

/* Drops the connection. graceful: say goodbye to the server first (each
 * step bounded), else just cut it (the peer is gone or the protocol is in
 * an unknown state). */
static void
teardown (SmSshSession *self,
          gboolean      graceful)
{
  if (self->session != NULL)
    {
      if (graceful && self->fd >= 0)
        {
          gint64 deadline;
          int rc;

          close_shell (self, CLOSE_BUDGET_MS);
          deadline = deadline_after (CLOSE_BUDGET_MS);
          while ((rc = libssh2_session_disconnect (self->session, "bye")) == LIBSSH2_ERROR_EAGAIN)
            {
              if (!wait_socket (self, deadline, NULL, PHASE_CLOSE, NULL))
                break;
            }
        }
      self->shell = NULL;

      /* After shutdown() every send and receive fails at once, so freeing
       * the session (and any channel still open) cannot block or EAGAIN;
       * the fd stays ours until after the free, so libssh2 never writes to
       * a descriptor another thread has reused. */
      if (self->fd >= 0)
        shutdown (self->fd, SHUT_RDWR);
      for (guint i = 0; i < 10; i++)
        {
          if (libssh2_session_free (self->session) != LIBSSH2_ERROR_EAGAIN)
            break;
        }
      self->session = NULL;
    }
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  self->authenticated = FALSE;
  g_ptr_array_set_size (self->abandoned, 0);
}

void
sm_ssh_session_disconnect (SmSshSession *self)
{
  g_return_if_fail (self != NULL);

  teardown (self, TRUE);
}

/* Connect */

typedef struct {
  GList    *addresses;
  GError   *error;
  gboolean  done;
} ResolveData;

static void
resolve_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ResolveData *data = user_data;

  data->addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source),
                                                      result, &data->error);
  data->done = TRUE;
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

static gboolean
user_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

/* Resolves the host within the deadline: the lookup runs on GLib's resolver
 * threads and is abandoned (cancelled) when the deadline passes. */
static GList *
resolve (SmSshSession  *self,
         gint64         deadline,
         GCancellable  *cancellable,
         GError       **error)
{
  GInetAddress *literal;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GCancellable) lookup_cancellable = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GSource) user_source = NULL;
  ResolveData data = { NULL, NULL, FALSE };
  gint64 remaining_ms;
  gboolean timed_out;

  literal = g_inet_address_new_from_string (self->config.host);
  if (literal != NULL)
    return g_list_append (NULL, literal);

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  lookup_cancellable = g_cancellable_new ();
  remaining_ms = MAX ((deadline - g_get_monotonic_time ()) / 1000, 1);
  timeout = g_timeout_source_new ((guint) MIN (remaining_ms, G_MAXUINT));
  g_source_set_callback (timeout, cancel_cb, lookup_cancellable, NULL);
  g_source_attach (timeout, context);
  if (cancellable != NULL)
    {
      user_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (user_source, G_SOURCE_FUNC (user_cancelled_cb),
                             lookup_cancellable, NULL);
      g_source_attach (user_source, context);
    }

  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_async (resolver, self->config.host,
                                   lookup_cancellable, resolve_cb, &data);
  while (!data.done)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  if (user_source != NULL)
    g_source_destroy (user_source);
  g_main_context_pop_thread_default (context);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_clear_error (&data.error);
      g_list_free_full (data.addresses, g_object_unref);
      return NULL;
    }
  timed_out = g_cancellable_is_cancelled (lookup_cancellable);
  if (data.error != NULL || data.addresses == NULL)
    {
      if (timed_out)
        g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_RESOLVE,
                     _("The name %s did not resolve within %g s"),
                     self->config.host, seconds (self->config.connect_timeout_ms));
      else
        g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_RESOLVE,
                     _("The name %s cannot be resolved: %s"),
                     self->config.host,
                     data.error != NULL ? data.error->message : "");
      g_clear_error (&data.error);
      g_list_free_full (data.addresses, g_object_unref);
      return NULL;
    }
  return data.addresses;
}

static gboolean
connect_socket (SmSshSession  *self,
                GCancellable  *cancellable,
                GError       **error)
{
  gint64 deadline = deadline_after (self->config.connect_timeout_ms);
  GList *addresses;
  int last_errno = 0;
  gboolean timed_out = FALSE;

  addresses = resolve (self, deadline, cancellable, error);
  if (addresses == NULL)
    return FALSE;

  for (GList *l = addresses; l != NULL && self->fd < 0; l = l->next)
    {
      g_autoptr(GSocketAddress) address = NULL;
      struct sockaddr_storage native;
      gssize native_len;
      int fd;
      int r;

      address = g_inet_socket_address_new (G_INET_ADDRESS (l->data),
                                           (guint16) self->config.port);
      native_len = g_socket_address_get_native_size (address);
      if (native_len <= 0 ||
          !g_socket_address_to_native (address, &native, sizeof native, NULL))
        continue;

      fd = socket (native.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0)
        {
          last_errno = errno;
          continue;
        }

      r = connect (fd, (struct sockaddr *) &native, (socklen_t) native_len);
      if (r < 0 && errno == EINPROGRESS)
        {
          int ready = poll_fd (fd, G_IO_OUT, deadline, cancellable, error);
          int so_error = 0;
          socklen_t so_len = sizeof so_error;

          if (ready < 0)
            {
              close (fd);
              g_list_free_full (addresses, g_object_unref);
              return FALSE;
            }
          if (ready == 0)
            {
              timed_out = TRUE;
              close (fd);
              break;
            }
          if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) < 0)
            so_error = errno;
          r = so_error == 0 ? 0 : -1;
          errno = so_error;
        }

      if (r == 0)
        {
          int one = 1;

          /* Each poll is one small request and reply: no Nagle delay. */
          setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          self->fd = fd;
        }
      else
        {
          last_errno = errno;
          close (fd);
        }
    }
  g_list_free_full (addresses, g_object_unref);

  if (self->fd >= 0)
    return TRUE;

  if (timed_out)
    set_timeout_error (self, PHASE_CONNECT, error);
  else if (last_errno == ECONNREFUSED)
    g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_REFUSED,
                 _("%s refused the connection"), self->display);
  else
    g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_UNREACHABLE,
                 _("%s is unreachable: %s"), self->display,
                 g_strerror (last_errno != 0 ? last_errno : EHOSTUNREACH));
  return FALSE;
}

/* Handshake and host key */

/* Counts received bytes, to tell "no banner" from "slow handshake". */
static ssize_t
recv_cb (libssh2_socket_t   fd,
         void              *buffer,
         size_t             length,
         int                flags,
         void             **abstract)
{
  SmSshSession *self = *abstract;
  ssize_t n = recv (fd, buffer, length, flags);

  if (n < 0)
    return -errno;
  self->bytes_received += (gsize) n;
  return n;
}

static char *
user_known_hosts_path (void)
{
  return g_build_filename (g_get_home_dir (), ".ssh", "known_hosts", NULL);
}

/* The known_hosts files to read, app file first. */
static GPtrArray *
known_hosts_files (SmSshSession *self)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  if (self->config.known_hosts != NULL)
    g_ptr_array_add (files, g_strdup (self->config.known_hosts));
  if (self->config.read_user_known_hosts)
    g_ptr_array_add (files, user_known_hosts_path ());
  return files;
}

/* Makes the handshake prefer the key types already known for this host, as
 * OpenSSH does, so a host with several keys offers the one we know. */
static void
prefer_known_key_types (SmSshSession *self)
{
  g_autoptr(GPtrArray) files = known_hosts_files (self);
  g_autoptr(GPtrArray) known = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) prefs = g_string_new (NULL);
  static const guint8 no_key[] = { 0 };
  const char **algs = NULL;
  int n_algs;

  for (guint i = 0; i < files->len; i++)
    {
      SmKnownHostsResult result;
      g_auto(GStrv) types = NULL;

      if (!sm_known_hosts_check (files->pdata[i], self->config.host,
                                 self->config.port, no_key, 0, &result,
                                 &types, NULL))
        continue;
      for (guint j = 0; types[j] != NULL; j++)
        {
          if (!g_ptr_array_find_with_equal_func (known, types[j], g_str_equal, NULL))
            g_ptr_array_add (known, g_strdup (types[j]));
        }
    }
  if (known->len == 0)
    return;

  n_algs = libssh2_session_supported_algs (self->session, LIBSSH2_METHOD_HOSTKEY, &algs);
  if (n_algs <= 0)
    return;
  for (int pass = 0; pass < 2; pass++)
    {
      for (int i = 0; i < n_algs; i++)
        {
          gboolean is_known = g_ptr_array_find_with_equal_func (known, algs[i],
                                                                g_str_equal, NULL);

          if (is_known == (pass == 0))
            {
              if (prefs->len > 0)
                g_string_append_c (prefs, ',');
              g_string_append (prefs, algs[i]);
            }
        }
    }
  libssh2_free (self->session, (void *) algs);
  libssh2_session_method_pref (self->session, LIBSSH2_METHOD_HOSTKEY, prefs->str);
}

static gboolean
handshake (SmSshSession  *self,
           GCancellable  *cancellable,
           GError       **error)
{
  gint64 deadline = deadline_after (self->config.handshake_timeout_ms);
  const char *key;
  const char *hash;
  size_t key_len = 0;
  int key_type = 0;
  int rc;

  self->session = libssh2_session_init_ex (NULL, NULL, NULL, self);
  if (self->session == NULL)
    {
      g_set_error_literal (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
                           _("The SSH library could not start a session"));
      return FALSE;
    }
  libssh2_session_set_blocking (self->session, 0);
  libssh2_session_callback_set (self->session, LIBSSH2_CALLBACK_RECV,
                                (void *) recv_cb);
  prefer_known_key_types (self);

  while ((rc = libssh2_session_handshake (self->session, self->fd)) == LIBSSH2_ERROR_EAGAIN)
    {
      if (!wait_socket (self, deadline, cancellable, PHASE_HANDSHAKE, error))
        return FALSE;
    }
  if (rc != 0)
    {
      if (self->bytes_received == 0)
        g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
                     _("%s closed the connection without sending an SSH banner"),
                     self->display);
      else
        g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
                     _("The SSH handshake with %s failed (%s)"),
                     self->display, last_error_message (self));
      return FALSE;
    }

  key = libssh2_session_hostkey (self->session, &key_len, &key_type);
  if (key == NULL || key_len == 0)
    {
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
                   _("%s sent no host key"), self->display);
      return FALSE;
    }
  g_clear_pointer (&self->host_key, g_bytes_unref);
  g_clear_pointer (&self->host_key_sha256, g_free);
  g_clear_pointer (&self->host_key_type, g_free);
  self->host_key = g_bytes_new (key, key_len);
  self->host_key_type = sm_known_hosts_blob_type ((const guint8 *) key, key_len);

  hash = libssh2_hostkey_hash (self->session, LIBSSH2_HOSTKEY_HASH_SHA256);
  if (hash != NULL)
    {
      g_autofree char *b64 = g_base64_encode ((const guchar *) hash, 32);
      gsize len = strlen (b64);

      while (len > 0 && b64[len - 1] == '=')
        b64[--len] = '\0';
      self->host_key_sha256 = g_strconcat ("SHA256:", b64, NULL);
    }
  else
    {
      self->host_key_sha256 = sm_known_hosts_fingerprint ((const guint8 *) key, key_len);
    }
  return TRUE;
}

/* "SHA256:abc=" and "abc" compare equal. */
static gboolean
fingerprints_equal (const char *a,
                    const char *b)
{
  gsize la, lb;

  if (g_str_has_prefix (a, "SHA256:"))
    a += strlen ("SHA256:");
  if (g_str_has_prefix (b, "SHA256:"))
    b += strlen ("SHA256:");
  la = strlen (a);
  lb = strlen (b);
  while (la > 0 && a[la - 1] == '=')
    la--;
  while (lb > 0 && b[lb - 1] == '=')
    lb--;
  return la > 0 && la == lb && memcmp (a, b, la) == 0;
}

static gboolean
check_host_key (SmSshSession  *self,
                GError       **error)
{
  g_autoptr(GPtrArray) files = NULL;
  const guint8 *blob;
  gsize blob_len;
  const char *mismatch_file = NULL;
  gboolean matched = FALSE;

  if (self->config.pinned_sha256 != NULL && self->config.pinned_sha256[0] != '\0')
    {
      if (fingerprints_equal (self->config.pinned_sha256, self->host_key_sha256))
        return TRUE;
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_CHANGED,
                   _("The host key of %s has changed: it is %s, but %s is pinned. "
                     "This may be an attack; the connection was refused."),
                   self->display, self->host_key_sha256, self->config.pinned_sha256);
      return FALSE;
    }

  blob = g_bytes_get_data (self->host_key, &blob_len);
  files = known_hosts_files (self);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      SmKnownHostsResult result = SM_KNOWN_HOSTS_NOT_FOUND;
      g_autoptr(GError) local_error = NULL;

      if (!sm_known_hosts_check (path, self->config.host, self->config.port,
                                 blob, blob_len, &result, NULL, &local_error))
        {
          g_debug ("Cannot read %s: %s", path, local_error->message);
          continue;
        }
      switch (result)
        {
        case SM_KNOWN_HOSTS_REVOKED:
          g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_CHANGED,
                       _("The host key of %s (%s) is marked as revoked in %s. "
                         "This may be an attack; the connection was refused."),
                       self->display, self->host_key_sha256, path);
          return FALSE;
        case SM_KNOWN_HOSTS_MATCH:
          matched = TRUE;
          break;
        case SM_KNOWN_HOSTS_MISMATCH:
          if (mismatch_file == NULL)
            mismatch_file = path;
          break;
        case SM_KNOWN_HOSTS_NOT_FOUND:
        default:
          break;
        }
    }

  /* A key listed for the host in any file is trusted, as in OpenSSH (a
   * host may have several keys, and a key the user accepted is appended
   * next to an old one). */
  if (matched)
    return TRUE;

  if (mismatch_file != NULL)
    {
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_CHANGED,
                   _("The host key of %s has changed: it now offers %s %s, "
                     "which does not match the key stored in %s. "
                     "This may be an attack; the connection was refused."),
                   self->display,
                   self->host_key_type != NULL ? self->host_key_type : "?",
                   self->host_key_sha256, mismatch_file);
      return FALSE;
    }

  g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN,
               _("The host key of %s is not known yet. Check that its %s "
                 "fingerprint is %s before trusting it."),
               self->display,
               self->host_key_type != NULL ? self->host_key_type : "?",
               self->host_key_sha256);
  return FALSE;
}

gboolean
sm_ssh_session_trust_host_key (SmSshSession  *self,
                               GError       **error)
{
  const guint8 *blob;
  gsize blob_len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->host_key == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("No host key has been received yet"));
      return FALSE;
    }
  if (self->config.known_hosts == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No known hosts file is configured"));
      return FALSE;
    }

  blob = g_bytes_get_data (self->host_key, &blob_len);

  /* Trusting a key twice adds it once. */
  {
    SmKnownHostsResult result = SM_KNOWN_HOSTS_NOT_FOUND;

    if (sm_known_hosts_check (self->config.known_hosts, self->config.host,
                              self->config.port, blob, blob_len, &result,
                              NULL, NULL) &&
        result == SM_KNOWN_HOSTS_MATCH)
      return TRUE;
  }

  return sm_known_hosts_append (self->config.known_hosts, self->config.host,
                                self->config.port, blob, blob_len, error);
}

/* Authentication */

static gboolean
method_offered (const char *methods,
                const char *method)
{
  g_auto(GStrv) list = g_strsplit (methods, ",", -1);

  return g_strv_contains ((const char * const *) list, method);
}

static void
set_auth_failed (SmSshSession  *self,
                 gboolean       rsa,
                 GError       **error)
{
  if (rsa)
    g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_AUTH_FAILED,
                 _("Authentication failed for %s@%s: the server refused the RSA key. %s"),
                 self->user, self->display, _(RSA_EXPLANATION));
  else
    g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_AUTH_FAILED,
                 _("Authentication failed for %s@%s"),
                 self->user, self->display);
}

static
LIBSSH2_USERAUTH_KBDINT_RESPONSE_FUNC (kbdint_cb)
{
  SmSshSession *self = *abstract;
  const char *secret = self->config.secret != NULL ? self->config.secret : "";

  /* Every prompt is answered with the password. libssh2 frees the
   * responses with free(). */
  for (int i = 0; i < num_prompts; i++)
    {
      responses[i].text = strdup (secret);
      responses[i].length = responses[i].text != NULL ? (unsigned int) strlen (secret) : 0;
    }
}

static gboolean
auth_password (SmSshSession  *self,
               const char    *methods,
               gint64         deadline,
               GCancellable  *cancellable,
               GError       **error)
{
  gboolean has_password = method_offered (methods, "password");
  gboolean has_kbdint = method_offered (methods, "keyboard-interactive");
  int rc = LIBSSH2_ERROR_AUTHENTICATION_FAILED;

  if (!has_password && !has_kbdint)
    {
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_AUTH_FAILED,
                   _("%s does not accept passwords for %s (it offers: %s)"),
                   self->display, self->user, methods);
      return FALSE;
    }
  if (self->config.secret == NULL)
    {
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                   _("No password is stored for %s@%s"), self->user, self->display);
      return FALSE;
    }

  if (has_password)
    {
      while ((rc = libssh2_userauth_password_ex (self->session, self->user,
                                                 (unsigned int) strlen (self->user),
                                                 self->config.secret,
                                                 (unsigned int) strlen (self->config.secret),
                                                 NULL)) == LIBSSH2_ERROR_EAGAIN)
        {
          if (!wait_socket (self, deadline, cancellable, PHASE_AUTH, error))
            return FALSE;
        }
      if (rc == LIBSSH2_ERROR_PASSWORD_EXPIRED)
        {
          g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_AUTH_FAILED,
                       _("The password of %s@%s has expired"),
                       self->user, self->display);
          return FALSE;
        }
    }

  if (rc != 0 && has_kbdint && !libssh2_userauth_authenticated (self->session))
    {
      while ((rc = libssh2_userauth_keyboard_interactive_ex (self->session, self->user,
                                                             (unsigned int) strlen (self->user),
                                                             kbdint_cb)) == LIBSSH2_ERROR_EAGAIN)
        {
          if (!wait_socket (self, deadline, cancellable, PHASE_AUTH, error))
            return FALSE;
        }
    }

  if (rc == 0)
    return TRUE;
  if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED ||
      rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED ||
      rc == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED)
    set_auth_failed (self, FALSE, error);
  else
    set_disconnected_error (self, error);
  return FALSE;
}

typedef struct {
  char     *type;        /* "ssh-ed25519", "ssh-rsa", "ecdsa", or NULL */
  gboolean  encrypted;
} KeyInfo;

static guint32
read_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) |
         ((guint32) p[2] << 8) | (guint32) p[3];
}

/* Reads an SSH string at *pos; FALSE if it runs past the end. */
static gboolean
read_string (const guint8  *data,
             gsize          len,
             gsize         *pos,
             const guint8 **out,
             guint32       *out_len)
{
  guint32 n;

  if (len - *pos < 4)
    return FALSE;
  n = read_u32 (data + *pos);
  *pos += 4;
  if (n > len - *pos)
    return FALSE;
  *out = data + *pos;
  *out_len = n;
  *pos += n;
  return TRUE;
}

/* Reads the clear part of an "openssh-key-v1" blob: cipher name, kdf
 * name, kdf options, number of keys, first public key. */
static void
parse_openssh_key (const guint8 *data,
                   gsize         len,
                   KeyInfo      *info)
{
  static const char magic[] = "openssh-key-v1";
  const guint8 *field;
  guint32 field_len;
  gsize pos;

  if (len < sizeof magic || memcmp (data, magic, sizeof magic) != 0)
    return;
  pos = sizeof magic;
  if (!read_string (data, len, &pos, &field, &field_len))
    return;
  info->encrypted = !(field_len == 4 && memcmp (field, "none", 4) == 0);
  if (!read_string (data, len, &pos, &field, &field_len) ||
      !read_string (data, len, &pos, &field, &field_len) ||
      len - pos < 4)
    return;
  pos += 4;
  if (!read_string (data, len, &pos, &field, &field_len))
    return;
  g_free (info->type);
  info->type = sm_known_hosts_blob_type (field, field_len);
}

/* Finds the key's type and whether it is encrypted, without decrypting:
 * the OpenSSH format keeps the public key in clear. */
static void
inspect_key (const char *contents,
             KeyInfo    *info)
{
  static const char begin[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
  static const char end[] = "-----END OPENSSH PRIVATE KEY-----";
  const char *start;
  const char *stop;

  info->type = NULL;
  info->encrypted = FALSE;

  if (strstr (contents, "-----BEGIN RSA PRIVATE KEY-----") != NULL)
    info->type = g_strdup ("ssh-rsa");
  else if (strstr (contents, "-----BEGIN EC PRIVATE KEY-----") != NULL)
    info->type = g_strdup ("ecdsa");
  else if (strstr (contents, "-----BEGIN DSA PRIVATE KEY-----") != NULL)
    info->type = g_strdup ("ssh-dss");
  if (strstr (contents, "Proc-Type: 4,ENCRYPTED") != NULL ||
      strstr (contents, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL)
    info->encrypted = TRUE;

  start = strstr (contents, begin);
  stop = start != NULL ? strstr (start, end) : NULL;
  if (start != NULL && stop != NULL)
    {
      gsize b64_len = stop - start - strlen (begin);
      char *b64 = g_strndup (start + strlen (begin), b64_len);
      guint8 *data;
      char *w = b64;
      gsize len = 0;

      /* g_base64_decode() skips nothing: drop the line breaks first. */
      for (const char *r = b64; *r != '\0'; r++)
        {
          if (!g_ascii_isspace (*r))
            *w++ = *r;
        }
      *w = '\0';
      data = g_base64_decode (b64, &len);
      parse_openssh_key (data, len, info);

      /* Both copies may hold an unencrypted private key. */
      memset (b64, 0, b64_len);
      memset (data, 0, len);
      g_free (b64);
      g_free (data);
    }
}

static char *
expand_path (const char *path)
{
  if (g_str_has_prefix (path, "~/"))
    return g_build_filename (g_get_home_dir (), path + 2, NULL);
  return g_strdup (path);
}

static gboolean
auth_key (SmSshSession  *self,
          const char    *methods,
          gint64         deadline,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) read_error = NULL;
  KeyInfo info;
  gboolean rsa;
  int rc;

  if (self->config.key_file == NULL || self->config.key_file[0] == '\0')
    {
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                   _("No key file is set for %s@%s"), self->user, self->display);
      return FALSE;
    }
  path = expand_path (self->config.key_file);
  if (!g_file_get_contents (path, &contents, NULL, &read_error))
    {
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                   _("Cannot read the key file: %s"), read_error->message);
      return FALSE;
    }
  inspect_key (contents, &info);
  /* The key file holds a private key: wipe our copy now. */
  memset (contents, 0, strlen (contents));
  rsa = g_strcmp0 (info.type, "ssh-rsa") == 0;
  g_free (info.type);

  if (!method_offered (methods, "publickey"))
    {
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_AUTH_FAILED,
                   _("%s does not accept keys for %s (it offers: %s)"),
                   self->display, self->user, methods);
      return FALSE;
    }
  if (info.encrypted && (self->config.secret == NULL || self->config.secret[0] == '\0'))
    {
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                   _("The key file %s is protected by a passphrase, and none is stored"),
                   path);
      return FALSE;
    }

  while ((rc = libssh2_userauth_publickey_fromfile_ex (self->session, self->user,
                                                       (unsigned int) strlen (self->user),
                                                       NULL, path,
                                                       self->config.secret != NULL ? self->config.secret : ""))
         == LIBSSH2_ERROR_EAGAIN)
    {
      if (!wait_socket (self, deadline, cancellable, PHASE_AUTH, error))
        return FALSE;
    }

  if (rc == 0)
    return TRUE;
  if (rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED)
    {
      if (info.encrypted)
        g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                     _("Cannot use the key file %s: wrong passphrase"), path);
      else
        g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                     _("Cannot use the key file %s: unsupported or damaged key (%s)"),
                     path, last_error_message (self));
      return FALSE;
    }
  if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED ||
      rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED ||
      rc == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED ||
      rc == LIBSSH2_ERROR_PUBLICKEY_PROTOCOL || rsa)
    {
      set_auth_failed (self, rsa, error);
      return FALSE;
    }
  set_disconnected_error (self, error);
  return FALSE;
}

static gboolean
auth_agent (SmSshSession  *self,
            const char    *methods,
            gint64         deadline,
            GCancellable  *cancellable,
            GError       **error)
{
  LIBSSH2_AGENT *agent;
  struct libssh2_agent_publickey *identity = NULL;
  struct libssh2_agent_publickey *prev = NULL;
  gboolean ok = FALSE;
  gboolean tried = FALSE;
  gboolean tried_rsa = FALSE;
  int rc;

  if (g_getenv ("SSH_AUTH_SOCK") == NULL || g_getenv ("SSH_AUTH_SOCK")[0] == '\0')
    {
      g_set_error_literal (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                           _("There is no ssh-agent running (SSH_AUTH_SOCK is not set)"));
      return FALSE;
    }
  if (!method_offered (methods, "publickey"))
    {
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_AUTH_FAILED,
                   _("%s does not accept keys for %s (it offers: %s)"),
                   self->display, self->user, methods);
      return FALSE;
    }

  agent = libssh2_agent_init (self->session);
  if (agent == NULL || libssh2_agent_connect (agent) != 0)
    {
      g_set_error_literal (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                           _("Cannot connect to the ssh-agent"));
      if (agent != NULL)
        libssh2_agent_free (agent);
      return FALSE;
    }
  if (libssh2_agent_list_identities (agent) != 0)
    {
      g_set_error_literal (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                           _("The ssh-agent did not list its keys"));
      goto out;
    }

  while (!ok && libssh2_agent_get_identity (agent, &identity, prev) == 0)
    {
      g_autofree char *type = sm_known_hosts_blob_type (identity->blob, identity->blob_len);

      prev = identity;
      tried = TRUE;
      if (g_strcmp0 (type, "ssh-rsa") == 0)
        tried_rsa = TRUE;
      while ((rc = libssh2_agent_userauth (agent, self->user, identity)) == LIBSSH2_ERROR_EAGAIN)
        {
          if (!wait_socket (self, deadline, cancellable, PHASE_AUTH, error))
            goto out;
        }
      if (rc == 0)
        ok = TRUE;
      else if (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED &&
               rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED &&
               rc != LIBSSH2_ERROR_AGENT_PROTOCOL &&
               rc != LIBSSH2_ERROR_METHOD_NOT_SUPPORTED)
        {
          set_disconnected_error (self, error);
          goto out;
        }
    }

  if (!ok && !tried)
    g_set_error_literal (error, SM_SSH_ERROR, SM_SSH_ERROR_CREDENTIALS,
                         _("The ssh-agent holds no keys"));
  else if (!ok)
    set_auth_failed (self, tried_rsa, error);

out:
  libssh2_agent_disconnect (agent);
  libssh2_agent_free (agent);
  return ok;
}

static gboolean
authenticate (SmSshSession  *self,
              GCancellable  *cancellable,
              GError       **error)
{
  gint64 deadline = deadline_after (self->config.auth_timeout_ms);
  char *methods;

  while ((methods = libssh2_userauth_list (self->session, self->user,
                                           (unsigned int) strlen (self->user))) == NULL)
    {
      if (libssh2_userauth_authenticated (self->session))
        return TRUE;    /* the server accepted "none" */
      if (libssh2_session_last_errno (self->session) != LIBSSH2_ERROR_EAGAIN)
        {
          set_disconnected_error (self, error);
          return FALSE;
        }
      if (!wait_socket (self, deadline, cancellable, PHASE_AUTH, error))
        return FALSE;
    }

  switch (self->config.method)
    {
    case SM_AUTH_PASSWORD:
      return auth_password (self, methods, deadline, cancellable, error);
    case SM_AUTH_KEY:
      return auth_key (self, methods, deadline, cancellable, error);
    case SM_AUTH_AGENT:
    default:
      return auth_agent (self, methods, deadline, cancellable, error);
    }
}

gboolean
sm_ssh_session_connect (SmSshSession  *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ensure_libssh2 (error))
    return FALSE;

  teardown (self, TRUE);
  self->bytes_received = 0;

  if (!connect_socket (self, cancellable, error) ||
      !handshake (self, cancellable, error) ||
      !check_host_key (self, error) ||
      !authenticate (self, cancellable, error))
    {
      /* A half-done handshake or authentication leaves the protocol in an
       * unknown state: cut the connection rather than talk to it. */
      teardown (self, FALSE);
      return FALSE;
    }

  self->authenticated = TRUE;
  libssh2_keepalive_config (self->session, 1, KEEPALIVE_INTERVAL_S);
  return TRUE;
}

/* Channels */

/* A server limits the channels of a connection (sshd: MaxSessions, 10 by
 * default); past this many stuck ones, a new connection is better. */
#define MAX_ABANDONED 5

static gboolean
check_connected (SmSshSession  *self,
                 GError       **error)
{
  if (self->session != NULL && self->authenticated)
    {
      retry_abandoned (self);
      if (self->abandoned->len < MAX_ABANDONED)
        return TRUE;
      teardown (self, FALSE);
      g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
                   _("Too many commands on %s never finished; the connection was closed"),
                   self->display);
      return FALSE;
    }
  g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
               _("Not connected to %s"), self->display);
  return FALSE;
}

/* An error on the transport ends the session: nothing more can be sent. */
static void
fail_transport (SmSshSession  *self,
                GError       **error)
{
  set_disconnected_error (self, error);
  teardown (self, FALSE);
}

static LIBSSH2_CHANNEL *
open_exec_channel (SmSshSession  *self,
                   const char    *command,
                   gint64         deadline,
                   GCancellable  *cancellable,
                   GError       **error)
{
  LIBSSH2_CHANNEL *channel;
  int rc;

  while ((channel = libssh2_channel_open_session (self->session)) == NULL)
    {
      if (libssh2_session_last_errno (self->session) != LIBSSH2_ERROR_EAGAIN)
        {
          fail_transport (self, error);
          return NULL;
        }
      if (!wait_socket (self, deadline, cancellable, PHASE_COMMAND, error))
        {
          teardown (self, FALSE);
          return NULL;
        }
    }

  /* Standard error is discarded by libssh2 itself, which also keeps the
   * channel's window open for it. */
  while ((rc = libssh2_channel_handle_extended_data2 (channel,
                                                      LIBSSH2_CHANNEL_EXTENDED_DATA_IGNORE))
         == LIBSSH2_ERROR_EAGAIN)
    {
      if (!wait_socket (self, deadline, cancellable, PHASE_COMMAND, error))
        goto fail;
    }

  while ((rc = libssh2_channel_exec (channel, command)) == LIBSSH2_ERROR_EAGAIN)
    {
      if (!wait_socket (self, deadline, cancellable, PHASE_COMMAND, error))
        goto fail;
    }
  if (rc != 0)
    {
      if (rc == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED || rc == LIBSSH2_ERROR_CHANNEL_FAILURE)
        {
          g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
                       _("%s refused to run a command (%s)"),
                       self->display, last_error_message (self));
          goto fail;
        }
      libssh2_channel_free (channel);
      fail_transport (self, error);
      return NULL;
    }
  return channel;

fail:
  close_channel (self, channel, ABORT_BUDGET_MS);
  return NULL;
}

static gboolean
is_transport_error (ssize_t rc)
{
  return rc != LIBSSH2_ERROR_CHANNEL_CLOSED &&
         rc != LIBSSH2_ERROR_CHANNEL_EOF_SENT &&
         rc != LIBSSH2_ERROR_CHANNEL_UNKNOWN &&
         rc != LIBSSH2_ERROR_CHANNEL_FAILURE;
}

static gboolean
write_all (SmSshSession     *self,
           LIBSSH2_CHANNEL  *channel,
           const char       *data,
           gsize             len,
           gint64            deadline,
           GCancellable     *cancellable,
           GError          **error)
{
  gsize written = 0;

  while (written < len)
    {
      ssize_t n = libssh2_channel_write (channel, data + written, len - written);

      if (n == LIBSSH2_ERROR_EAGAIN)
        {
          if (!wait_socket (self, deadline, cancellable, PHASE_COMMAND, error))
            return FALSE;
          continue;
        }
      if (n < 0)
        {
          if (is_transport_error (n))
            fail_transport (self, error);
          else
            set_disconnected_error (self, error);
          return FALSE;
        }
      written += (gsize) n;
    }
  return TRUE;
}

static void
set_too_large (SmSshSession  *self,
               gsize          max_bytes,
               GError       **error)
{
  g_autofree char *size = g_format_size (max_bytes);

  /* Translators: a host and a size, "web1 sent more than 4.2 MB". */
  g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_OUTPUT_TOO_LARGE,
               _("%s sent more than %s"), self->display, size);
}

/* Finds a line equal to end_line at or after *scan (the start of the first
 * line not checked yet); returns its offset or -1, and moves *scan past the
 * complete lines checked. */
static gssize
find_end_line (GString    *buf,
               gsize      *scan,
               const char *end_line,
               gsize       end_len)
{
  for (;;)
    {
      const char *start = buf->str + *scan;
      const char *nl = memchr (start, '\n', buf->len - *scan);

      if (nl == NULL)
        return -1;
      if ((gsize) (nl - start) == end_len && memcmp (start, end_line, end_len) == 0)
        return (gssize) *scan;
      *scan = (gsize) (nl - buf->str) + 1;
    }
}

char *
sm_ssh_session_run_in_shell (SmSshSession  *self,
                             const char    *input,
                             const char    *end_line,
                             gsize          max_bytes,
                             gsize         *out_len,
                             GCancellable  *cancellable,
                             GError       **error)
{
  gint64 deadline;
  g_autoptr(GString) buf = NULL;
  gsize end_len;
  gsize scan = 0;
  char chunk[16384];

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (end_line != NULL && end_line[0] != '\0', NULL);
  g_return_val_if_fail (strchr (end_line, '\n') == NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_len != NULL)
    *out_len = 0;
  if (!check_connected (self, error))
    return NULL;

  deadline = deadline_after (self->config.command_timeout_ms);
  if (self->shell == NULL)
    {
      /* A plain exec of sh: the login shell runs it once, without a pty,
       * and it then reads commands from standard input. */
      self->shell = open_exec_channel (self, "sh", deadline, cancellable, error);
      if (self->shell == NULL)
        return NULL;
    }

  if (!write_all (self, self->shell, input, strlen (input), deadline, cancellable, error))
    goto fail;

  end_len = strlen (end_line);
  buf = g_string_sized_new (MIN (max_bytes, 65536) + 1);
  for (;;)
    {
      ssize_t n = libssh2_channel_read (self->shell, chunk, sizeof chunk);
      gssize end;

      if (n > 0)
        {
          g_string_append_len (buf, chunk, n);
          end = find_end_line (buf, &scan, end_line, end_len);
          if (end >= 0)
            {
              if ((gsize) end > max_bytes)
                {
                  set_too_large (self, max_bytes, error);
                  goto fail;
                }
              /* Anything after the end line is stale by the next call. */
              g_string_truncate (buf, (gsize) end);
              if (out_len != NULL)
                *out_len = buf->len;
              return g_string_free (g_steal_pointer (&buf), FALSE);
            }
          if (scan > max_bytes || buf->len > max_bytes + end_len + 1)
            {
              set_too_large (self, max_bytes, error);
              goto fail;
            }
          continue;
        }
      if (n == 0 || n == LIBSSH2_ERROR_EAGAIN)
        {
          if (libssh2_channel_eof (self->shell))
            {
              g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
                           _("The remote shell on %s exited"), self->display);
              goto fail;
            }
          if (!wait_socket (self, deadline, cancellable, PHASE_COMMAND, error))
            goto fail;
          continue;
        }
      if (is_transport_error (n))
        {
          fail_transport (self, error);
          return NULL;
        }
      set_disconnected_error (self, error);
      goto fail;
    }

fail:
  /* A shell left in the middle of a reply is unusable: the next call
   * starts a new one. */
  if (self->session != NULL)
    close_shell (self, ABORT_BUDGET_MS);
  return NULL;
}

char *
sm_ssh_session_exec (SmSshSession  *self,
                     const char    *command,
                     gsize          max_bytes,
                     int           *out_exit_status,
                     gsize         *out_len,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gint64 deadline;
  LIBSSH2_CHANNEL *channel;
  g_autoptr(GString) buf = NULL;
  char chunk[16384];
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (command != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_len != NULL)
    *out_len = 0;
  if (out_exit_status != NULL)
    *out_exit_status = -1;
  if (!check_connected (self, error))
    return NULL;

  deadline = deadline_after (self->config.command_timeout_ms);
  channel = open_exec_channel (self, command, deadline, cancellable, error);
  if (channel == NULL)
    return NULL;

  buf = g_string_sized_new (MIN (max_bytes, 65536) + 1);
  for (;;)
    {
      ssize_t n = libssh2_channel_read (channel, chunk, sizeof chunk);

      if (n > 0)
        {
          if (buf->len + (gsize) n > max_bytes)
            {
              set_too_large (self, max_bytes, error);
              goto fail;
            }
          g_string_append_len (buf, chunk, n);
          continue;
        }
      if (n == 0 || n == LIBSSH2_ERROR_EAGAIN)
        {
          if (libssh2_channel_eof (channel))
            break;
          if (!wait_socket (self, deadline, cancellable, PHASE_COMMAND, error))
            goto fail;
          continue;
        }
      if (is_transport_error (n))
        {
          fail_transport (self, error);
          return NULL;
        }
      break;
    }

  /* The exit status arrives before the channel's close. */
  while ((rc = libssh2_channel_close (channel)) == LIBSSH2_ERROR_EAGAIN)
    {
      if (!wait_socket (self, deadline, cancellable, PHASE_COMMAND, error))
        goto fail;
    }
  while ((rc = libssh2_channel_wait_closed (channel)) == LIBSSH2_ERROR_EAGAIN)
    {
      if (!wait_socket (self, deadline, cancellable, PHASE_COMMAND, error))
        goto fail;
    }
  if (out_exit_status != NULL)
    *out_exit_status = libssh2_channel_get_exit_status (channel);
  close_channel (self, channel, CLOSE_BUDGET_MS);

  if (out_len != NULL)
    *out_len = buf->len;
  return g_string_free (g_steal_pointer (&buf), FALSE);

fail:
  if (self->session != NULL)
    close_channel (self, channel, ABORT_BUDGET_MS);
  return NULL;
}

gboolean
sm_ssh_session_keepalive (SmSshSession  *self,
                          GError       **error)
{
  struct pollfd pfd;
  int next = 0;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_connected (self, error))
    return FALSE;

  /* A peer that closed the connection has sent its FIN: POLLRDHUP says so
   * even when unread data (say, a keepalive reply) sits before it. */
  pfd.fd = self->fd;
  pfd.events = POLLIN | POLLRDHUP;
  pfd.revents = 0;
  if (poll (&pfd, 1, 0) > 0)
    {
      if ((pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0)
        {
          g_set_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED,
                       _("%s closed the connection"), self->display);
          teardown (self, FALSE);
          return FALSE;
        }
      /* Let libssh2 take in what arrived (keepalive replies, stray
       * output of the shell, which no call is waiting for). */
      if (self->shell != NULL)
        {
          char chunk[4096];
          ssize_t n;
          guint rounds = 0;

          while ((n = libssh2_channel_read (self->shell, chunk, sizeof chunk)) > 0 &&
                 ++rounds < 64)
            ;
          if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
            {
              if (is_transport_error (n))
                {
                  fail_transport (self, error);
                  return FALSE;
                }
              close_shell (self, ABORT_BUDGET_MS);
            }
        }
    }

  rc = libssh2_keepalive_send (self->session, &next);
  if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN)
    {
      fail_transport (self, error);
      return FALSE;
    }
  return TRUE;
}
