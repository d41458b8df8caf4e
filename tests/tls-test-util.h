/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tls-test-util.h: test certificates made with the openssl CLI
 * (tls-make-certs.sh) and HTTPS SoupServers on 127.0.0.1 that serve
 * them. Header-only (static inline) so that a test program can use it
 * without a build rule of its own.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "sm-test-util.h"

/* Makes the certificates into a fresh temporary directory and returns
 * it (remove it with sm_test_rmdir), or NULL when openssl is missing or
 * fails, with the reason in *out_why. */
static inline char *
tls_test_make_certs (char **out_why)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *script = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  char *dir;
  int wait_status = 0;

  if (openssl == NULL)
    {
      *out_why = g_strdup ("openssl not found");
      return NULL;
    }
  script = g_test_build_filename (G_TEST_DIST, "tls-make-certs.sh", NULL);
  dir = sm_test_mkdtemp ();
  {
    const char *argv[] = { "sh", script, dir, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                       &output, NULL, &wait_status, &error)
        || !g_spawn_check_wait_status (wait_status, &error))
      {
        *out_why = g_strdup_printf ("tls-make-certs.sh: %s", error->message);
        sm_test_rmdir (dir);
        g_free (dir);
        return NULL;
      }
  }
  return dir;
}

/* A file made by tls_test_make_certs. */
static inline char *
tls_test_cert_path (const char *dir,
                    const char *name,
                    const char *suffix)
{
  g_autofree char *file = g_strconcat (name, suffix, NULL);

  return g_build_filename (dir, file, NULL);
}

static void
tls_test_hello_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  static const char body[] = "hello over TLS";

  (void) server;
  (void) path;
  (void) query;
  (void) user_data;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                    body, sizeof body - 1);
}

/* Makes server listen on 127.0.0.1 (any free port), with HTTPS when
 * https is TRUE (the server needs its "tls-certificate"); returns the
 * port. */
static inline guint
tls_test_listen (SoupServer            *server,
                 gboolean               https)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;
  guint port;

  soup_server_listen (server, address, https ? SOUP_SERVER_LISTEN_HTTPS : 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

/* An HTTPS server on 127.0.0.1 for the certificate dir/name.pem with key
 * dir/name.key, answering 200 "hello over TLS". */
static inline SoupServer *
tls_test_server_new (const char *dir,
                     const char *name,
                     guint      *out_port)
{
  g_autofree char *cert_file = tls_test_cert_path (dir, name, ".pem");
  g_autofree char *key_file = tls_test_cert_path (dir, name, ".key");
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  SoupServer *server;

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, tls_test_hello_cb, NULL, NULL);
  *out_port = tls_test_listen (server, TRUE);
  return server;
}

/* A port on 127.0.0.1 that nothing listens on (bound, then closed). */
static inline guint
tls_test_closed_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  g_socket_close (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* A socket listening on 127.0.0.1 that accepts TCP (the kernel does) but
 * never says a word; returns the port. */
static inline GSocket *
tls_test_silent_listener (guint *out_port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GSocket *socket;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

/* Keeps the tests on loopback whatever the environment says. */
static inline void
tls_test_no_proxy (void)
{
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTP_PROXY");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
}
