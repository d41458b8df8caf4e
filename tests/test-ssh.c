/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ssh.c: SmSshSession and the known_hosts code against a real OpenSSH
 * sshd started on 127.0.0.1 (tests/sm-test-sshd.c). */

#include "config.h"

#include "sm-known-hosts.h"
#include "sm-ssh-session.h"
#include "sm-test-sshd.h"
#include "sm-test-util.h"
#include "sm-vault.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OUTPUT (4 * 1024 * 1024)

/* The sshd shared by most tests, and its client keys. */
static SmTestSshd *sshd;
static char *tmp_dir;
static char *key_ed25519;
static char *key_ed25519_pass;
static char *key_ecdsa;
static char *key_rsa;
static char *host_fingerprint;
static const char passphrase[] = "correct horse";

#define SKIP_IF_NO_SSHD() \
  G_STMT_START { \
    if (sshd == NULL) \
      { \
        g_test_skip ("no sshd"); \
        return; \
      } \
  } G_STMT_END

/* A config for the shared sshd: the host key pinned, ed25519 key auth,
 * short timeouts so a failure does not stall the run. */
static void
config_init (SmSshConfig *config,
             SmTestSshd  *server,
             SmAuthMethod method,
             const char  *key_file,
             const char  *secret)
{
  sm_ssh_config_init (config);
  config->host = g_strdup ("127.0.0.1");
  config->port = server != NULL ? sm_test_sshd_get_port (server) : 22;
  config->username = g_strdup (sm_test_sshd_get_user ());
  config->method = method;
  config->key_file = g_strdup (key_file);
  config->secret = sm_secret_dup (secret);
  config->pinned_sha256 = server == sshd ? g_strdup (host_fingerprint) : NULL;
  config->known_hosts = g_build_filename (tmp_dir, "known_hosts", NULL);
  config->read_user_known_hosts = FALSE;
  config->connect_timeout_ms = 3000;
  config->handshake_timeout_ms = 5000;
  config->auth_timeout_ms = 5000;
  config->command_timeout_ms = 5000;
}

static SmSshSession *
connect_ok (SmSshConfig *config)
{
  g_autoptr(GError) error = NULL;
  SmSshSession *session = sm_ssh_session_new (config);

  g_assert_true (sm_ssh_session_connect (session, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sm_ssh_session_is_connected (session));
  return session;
}

static char *
shell (SmSshSession *session,
       const char   *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_strdup_printf ("%s\necho __END__\n", command);
  char *out;
  gsize len = 0;

  out = sm_ssh_session_run_in_shell (session, input, "__END__", MAX_OUTPUT,
                                     &len, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_cmpuint (strlen (out), ==, len);
  return out;
}

static void
assert_connect_fails (SmSshConfig *config,
                      SmSshError   code,
                      const char  *message_part)
{
  g_autoptr(SmSshSession) session = sm_ssh_session_new (config);
  g_autoptr(GError) error = NULL;

  g_assert_false (sm_ssh_session_connect (session, NULL, &error));
  g_assert_error (error, SM_SSH_ERROR, (int) code);
  g_assert_false (sm_ssh_session_is_connected (session));
  if (message_part != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (error->message, -1);
      g_autofree char *part = g_ascii_strdown (message_part, -1);

      if (strstr (lower, part) == NULL)
        g_error ("“%s” does not contain “%s”", error->message, message_part);
    }
  /* No secret in any message. */
  if (config->secret != NULL)
    g_assert_null (strstr (error->message, config->secret));
}

/* Key authentication, persistent shell, exec */

static void
test_key_ed25519_shell (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autofree char *pid1 = NULL;
  g_autofree char *pid2 = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *big = NULL;
  g_autoptr(GString) expected = g_string_new (NULL);

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  session = connect_ok (&config);
  g_assert_cmpstr (sm_ssh_session_get_host_key_sha256 (session), ==, host_fingerprint);
  g_assert_cmpstr (sm_ssh_session_get_host_key_type (session), ==, "ssh-ed25519");

  marker = shell (session, "echo marker-$((6 * 7))");
  g_assert_cmpstr (marker, ==, "marker-42\n");

  /* The same sh answers both times: the shell is kept. */
  pid1 = shell (session, "echo $$");
  pid2 = shell (session, "echo $$");
  g_assert_cmpuint (strlen (pid1), >, 1);
  g_assert_cmpstr (pid1, ==, pid2);

  /* A large reply crosses many chunk and packet boundaries, and standard
   * error is drained without stalling the channel. */
  for (guint i = 1; i <= 100000; i++)
    g_string_append_printf (expected, "%u\n", i);
  big = shell (session, "i=0; while [ $i -lt 3000 ]; do echo err$i >&2; i=$((i+1)); done; seq 1 100000");
  g_assert_cmpuint (strlen (big), ==, expected->len);
  g_assert_cmpstr (big, ==, expected->str);

  /* An output line that merely starts like the end line does not end it. */
  g_free (marker);
  marker = shell (session, "echo __END__x; echo x__END__");
  g_assert_cmpstr (marker, ==, "__END__x\nx__END__\n");

  /* One round trip on the kept shell, as a poll makes it. */
  {
    gint64 start = g_get_monotonic_time ();

    for (guint i = 0; i < 200; i++)
      {
        g_autofree char *out = shell (session, "echo x");

        g_assert_cmpstr (out, ==, "x\n");
      }
    g_test_message ("run_in_shell round trip: %.2f ms on average",
                    (g_get_monotonic_time () - start) / 200.0 / 1000.0);
  }

  g_assert_true (sm_ssh_session_keepalive (session, NULL));
  sm_ssh_session_disconnect (session);
  g_assert_false (sm_ssh_session_is_connected (session));
  sm_ssh_config_clear (&config);
}

static void
test_exec (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = -1;
  gsize len = 0;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  session = connect_ok (&config);

  out = sm_ssh_session_exec (session, "echo hello; echo oops >&2; exit 3", 1024,
                             &status, &len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "hello\n");
  g_assert_cmpuint (len, ==, 6);
  g_assert_cmpint (status, ==, 3);

  g_clear_pointer (&out, g_free);
  out = sm_ssh_session_exec (session, "true", 1024, &status, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpint (status, ==, 0);

  /* The cap applies to exec too. */
  g_clear_pointer (&out, g_free);
  out = sm_ssh_session_exec (session, "seq 1 10000", 1000, &status, NULL, NULL, &error);
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_OUTPUT_TOO_LARGE);
  g_assert_null (out);
  g_clear_error (&error);

  /* And the session is still usable. */
  out = sm_ssh_session_exec (session, "echo again", 1024, &status, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "again\n");
  sm_ssh_config_clear (&config);
}

static void
test_key_passphrase (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autofree char *out = NULL;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519_pass, passphrase);
  session = connect_ok (&config);
  out = shell (session, "echo ok");
  g_assert_cmpstr (out, ==, "ok\n");
  sm_ssh_config_clear (&config);

  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519_pass, "bad-secret-xyz");
  assert_connect_fails (&config, SM_SSH_ERROR_CREDENTIALS, "wrong passphrase");
  sm_ssh_config_clear (&config);

  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519_pass, NULL);
  assert_connect_fails (&config, SM_SSH_ERROR_CREDENTIALS, "passphrase");
  sm_ssh_config_clear (&config);
}

static void
test_key_ecdsa (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autofree char *out = NULL;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ecdsa, NULL);
  session = connect_ok (&config);
  out = shell (session, "echo ecdsa");
  g_assert_cmpstr (out, ==, "ecdsa\n");
  sm_ssh_config_clear (&config);
}

static void
test_key_missing (void)
{
  SmSshConfig config;
  g_autofree char *missing = NULL;

  SKIP_IF_NO_SSHD ();
  missing = g_build_filename (tmp_dir, "no-such-key", NULL);
  config_init (&config, sshd, SM_AUTH_KEY, missing, NULL);
  assert_connect_fails (&config, SM_SSH_ERROR_CREDENTIALS, "key file");
  sm_ssh_config_clear (&config);

  config_init (&config, sshd, SM_AUTH_KEY, NULL, NULL);
  assert_connect_fails (&config, SM_SSH_ERROR_CREDENTIALS, "no key file");
  sm_ssh_config_clear (&config);
}

static void
test_key_unauthorized (void)
{
  SmSshConfig config;
  g_autofree char *stranger = NULL;
  g_autofree char *expected = NULL;
  const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", NULL, NULL };

  SKIP_IF_NO_SSHD ();
  /* A valid key that the server does not know. */
  stranger = g_build_filename (tmp_dir, "id_stranger", NULL);
  argv[7] = stranger;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, NULL, NULL));
  config_init (&config, sshd, SM_AUTH_KEY, stranger, NULL);
  expected = g_strdup_printf ("authentication failed for %s@[127.0.0.1]:%u",
                              sm_test_sshd_get_user (), sm_test_sshd_get_port (sshd));
  assert_connect_fails (&config, SM_SSH_ERROR_AUTH_FAILED, expected);
  sm_ssh_config_clear (&config);
}

static void
test_key_rsa (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_rsa, NULL);
  session = sm_ssh_session_new (&config);
  if (sm_ssh_session_connect (session, NULL, &error))
    {
      /* An sshd that still accepts ssh-rsa signatures. */
      g_test_message ("this sshd accepted an RSA key with SHA-1 signatures");
    }
  else
    {
      g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_AUTH_FAILED);
      g_assert_nonnull (strstr (error->message,
                                "libssh2 1.10 cannot sign with rsa-sha2-256/512, which OpenSSH 8.8 "
                                "and newer require for RSA keys; use an ed25519 or ECDSA key"));
    }
  sm_ssh_config_clear (&config);
}

/* Passwords */

static void
test_password (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;

  SKIP_IF_NO_SSHD ();
  if (sm_test_sshd_get_password () == NULL)
    {
      g_test_skip ("password tests need root (a test user)");
      return;
    }
  config_init (&config, sshd, SM_AUTH_PASSWORD, NULL, sm_test_sshd_get_password ());
  session = connect_ok (&config);
  out = shell (session, "id -un");
  g_assert_cmpstr (g_strchomp (out), ==, sm_test_sshd_get_user ());
  sm_ssh_config_clear (&config);

  config_init (&config, sshd, SM_AUTH_PASSWORD, NULL, "not the password");
  expected = g_strdup_printf ("authentication failed for %s@", sm_test_sshd_get_user ());
  assert_connect_fails (&config, SM_SSH_ERROR_AUTH_FAILED, expected);
  sm_ssh_config_clear (&config);

  config_init (&config, sshd, SM_AUTH_PASSWORD, NULL, NULL);
  assert_connect_fails (&config, SM_SSH_ERROR_CREDENTIALS, "no password");
  sm_ssh_config_clear (&config);
}

static void
test_password_kbdint (void)
{
  g_autoptr(SmTestSshd) kbd = NULL;
  g_autofree char *skip = NULL;
  g_autofree char *out = NULL;
  g_autoptr(SmSshSession) session = NULL;
  SmSshConfig config;

  SKIP_IF_NO_SSHD ();
  kbd = sm_test_sshd_start (SM_TEST_SSHD_KBDINT_ONLY, &skip);
  if (kbd == NULL)
    {
      g_test_skip (skip);
      return;
    }
  config_init (&config, kbd, SM_AUTH_PASSWORD, NULL, sm_test_sshd_get_password ());
  config.pinned_sha256 = sm_test_sshd_dup_fingerprint (kbd);
  session = sm_ssh_session_new (&config);
  {
    g_autoptr(GError) error = NULL;

    if (!sm_ssh_session_connect (session, NULL, &error))
      g_error ("keyboard-interactive login failed: %s (log: %s)", error->message,
               sm_test_sshd_get_log (kbd));
  }
  out = shell (session, "echo kbd");
  g_assert_cmpstr (out, ==, "kbd\n");
  g_clear_pointer (&config.secret, sm_secret_free);

  config.secret = sm_secret_dup ("not the password");
  assert_connect_fails (&config, SM_SSH_ERROR_AUTH_FAILED, "authentication failed for");
  sm_ssh_config_clear (&config);
}

static void
test_agent_missing (void)
{
  SmSshConfig config;
  g_autofree char *saved = g_strdup (g_getenv ("SSH_AUTH_SOCK"));

  SKIP_IF_NO_SSHD ();
  g_unsetenv ("SSH_AUTH_SOCK");
  config_init (&config, sshd, SM_AUTH_AGENT, NULL, NULL);
  assert_connect_fails (&config, SM_SSH_ERROR_CREDENTIALS, "no ssh-agent running");
  sm_ssh_config_clear (&config);
  if (saved != NULL)
    g_setenv ("SSH_AUTH_SOCK", saved, TRUE);
}

static void
test_agent (void)
{
  g_autofree char *agent_path = g_find_program_in_path ("ssh-agent");
  g_autofree char *sock = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("SSH_AUTH_SOCK"));
  g_autoptr(GSubprocess) agent = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SmSshSession) session = NULL;
  g_autofree char *out = NULL;
  SmSshConfig config;
  gint64 deadline;
  int status = 0;

  SKIP_IF_NO_SSHD ();
  if (agent_path == NULL)
    {
      g_test_skip ("ssh-agent is not installed");
      return;
    }
  sock = g_build_filename (tmp_dir, "agent.sock", NULL);
  agent = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                            &error, agent_path, "-D", "-a", sock, NULL);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!g_file_test (sock, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
  g_setenv ("SSH_AUTH_SOCK", sock, TRUE);

  /* An empty agent. */
  config_init (&config, sshd, SM_AUTH_AGENT, NULL, NULL);
  assert_connect_fails (&config, SM_SSH_ERROR_CREDENTIALS, "holds no keys");

  {
    const char *argv[] = { "ssh-add", "-q", key_ed25519, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  session = connect_ok (&config);
  out = shell (session, "echo agent");
  g_assert_cmpstr (out, ==, "agent\n");

  sm_ssh_config_clear (&config);
  g_subprocess_force_exit (agent);
  g_subprocess_wait (agent, NULL, NULL);
  if (saved != NULL)
    g_setenv ("SSH_AUTH_SOCK", saved, TRUE);
  else
    g_unsetenv ("SSH_AUTH_SOCK");
}

/* Host keys */

static void
test_host_key_unknown_then_trusted (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(SmSshSession) session2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected_prefix = NULL;
  g_autofree char *pub = NULL;
  g_auto(GStrv) pub_fields = NULL;
  g_autofree char *pub_path = NULL;
  GStatBuf st;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  g_clear_pointer (&config.pinned_sha256, g_free);
  g_free (config.known_hosts);
  config.known_hosts = g_build_filename (tmp_dir, "known_hosts_tofu", NULL);
  g_unlink (config.known_hosts);

  session = sm_ssh_session_new (&config);
  g_assert_null (sm_ssh_session_get_host_key_sha256 (session));
  g_assert_false (sm_ssh_session_connect (session, NULL, &error));
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN);
  g_assert_nonnull (strstr (error->message, host_fingerprint));
  g_assert_false (sm_ssh_session_is_connected (session));
  g_assert_cmpstr (sm_ssh_session_get_host_key_sha256 (session), ==, host_fingerprint);
  g_assert_cmpstr (sm_ssh_session_get_host_key_type (session), ==, "ssh-ed25519");
  g_clear_error (&error);

  g_assert_true (sm_ssh_session_trust_host_key (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (config.known_hosts, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_file_get_contents (config.known_hosts, &contents, NULL, &error);
  g_assert_no_error (error);
  pub_path = g_build_filename (sm_test_sshd_get_dir (sshd), "hostkey.pub", NULL);
  g_file_get_contents (pub_path, &pub, NULL, &error);
  g_assert_no_error (error);
  pub_fields = g_strsplit (pub, " ", 3);
  expected_prefix = g_strdup_printf ("[127.0.0.1]:%u ssh-ed25519 %s\n",
                                     sm_test_sshd_get_port (sshd), pub_fields[1]);
  g_assert_cmpstr (contents, ==, expected_prefix);

  /* A new session trusts it through the file. */
  session2 = connect_ok (&config);
  sm_ssh_config_clear (&config);
}

static void
test_host_key_pinned (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  g_free (config.known_hosts);
  config.known_hosts = g_build_filename (tmp_dir, "known_hosts_empty", NULL);

  /* Pinned, with or without '=' padding. */
  g_free (config.pinned_sha256);
  config.pinned_sha256 = g_strconcat (host_fingerprint, "=", NULL);
  session = connect_ok (&config);
  g_clear_pointer (&session, sm_ssh_session_free);

  /* A different pin refuses the key. */
  g_free (config.pinned_sha256);
  config.pinned_sha256 = g_strdup ("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  assert_connect_fails (&config, SM_SSH_ERROR_HOST_KEY_CHANGED, "may be an attack");
  g_assert_false (g_file_test (config.known_hosts, G_FILE_TEST_EXISTS));
  sm_ssh_config_clear (&config);
}

static void
test_host_key_changed (void)
{
  g_autoptr(SmTestSshd) own = NULL;
  g_autofree char *skip = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *old_fp = NULL;
  g_autofree char *new_fp = NULL;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  SmSshConfig config;

  SKIP_IF_NO_SSHD ();
  own = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  g_assert_nonnull (own);
  {
    g_autofree char *key = sm_test_sshd_add_client_key (own, "ed25519", NULL);

    config_init (&config, own, SM_AUTH_KEY, key, NULL);
  }
  g_free (config.known_hosts);
  config.known_hosts = g_build_filename (tmp_dir, "known_hosts_changed", NULL);
  g_unlink (config.known_hosts);

  session = sm_ssh_session_new (&config);
  g_assert_false (sm_ssh_session_connect (session, NULL, &error));
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_UNKNOWN);
  g_clear_error (&error);
  g_assert_true (sm_ssh_session_trust_host_key (session, &error));
  g_assert_no_error (error);
  g_assert_true (sm_ssh_session_connect (session, NULL, &error));
  g_assert_no_error (error);
  old_fp = g_strdup (sm_ssh_session_get_host_key_sha256 (session));
  g_clear_pointer (&session, sm_ssh_session_free);
  g_file_get_contents (config.known_hosts, &before, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (sm_test_sshd_restart (own, TRUE));
  new_fp = sm_test_sshd_dup_fingerprint (own);
  g_assert_cmpstr (old_fp, !=, new_fp);

  session = sm_ssh_session_new (&config);
  g_assert_false (sm_ssh_session_connect (session, NULL, &error));
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_HOST_KEY_CHANGED);
  g_assert_nonnull (strstr (error->message, "has changed"));
  g_assert_nonnull (strstr (error->message, "may be an attack"));
  g_assert_cmpstr (sm_ssh_session_get_host_key_sha256 (session), ==, new_fp);
  g_assert_false (sm_ssh_session_is_connected (session));

  /* The file was not touched. */
  g_file_get_contents (config.known_hosts, &after, NULL, NULL);
  g_assert_cmpstr (before, ==, after);
  sm_ssh_config_clear (&config);
}

/* known_hosts parsing, without a network. */
static void
test_known_hosts_file (void)
{
  const guint8 key_a[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
                           0, 0, 0, 4, 1, 2, 3, 4 };
  const guint8 key_b[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
                           0, 0, 0, 4, 5, 6, 7, 8 };
  g_autofree char *path = g_build_filename (tmp_dir, "known_hosts_unit", NULL);
  g_autofree char *a64 = g_base64_encode (key_a, sizeof key_a);
  g_autofree char *b64 = g_base64_encode (key_b, sizeof key_b);
  g_autofree char *contents = NULL;
  g_autofree char *hashed = NULL;
  g_autofree char *salt64 = NULL;
  g_autofree char *hash64 = NULL;
  g_autoptr(GHmac) hmac = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 salt[20] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  SmKnownHostsResult result;
  g_auto(GStrv) types = NULL;
  g_autofree char *fp = NULL;

  /* |1|salt|HMAC-SHA1(salt, "[hashed.example]:2222") */
  hmac = g_hmac_new (G_CHECKSUM_SHA1, salt, sizeof salt);
  g_hmac_update (hmac, (const guchar *) "[hashed.example]:2222", -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  salt64 = g_base64_encode (salt, sizeof salt);
  hash64 = g_base64_encode (digest, sizeof digest);
  hashed = g_strdup_printf ("|1|%s|%s", salt64, hash64);

  contents = g_strdup_printf ("# comment\n"
                              "\n"
                              "plain.example,other.example ssh-ed25519 %s comment here\n"
                              "[port.example]:2222 ssh-ed25519 %s\n"
                              "%s ssh-ed25519 %s\n"
                              "*.wild.example,!bad.wild.example ssh-ed25519 %s\n"
                              "@cert-authority * ssh-ed25519 %s\n"
                              "@revoked revoked.example ssh-ed25519 %s\n"
                              "garbage\n",
                              a64, a64, hashed, a64, a64, b64, b64);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

#define CHECK(host, port, key, expected) \
  G_STMT_START { \
    g_assert_true (sm_known_hosts_check (path, host, port, key, sizeof key, &result, NULL, &error)); \
    g_assert_no_error (error); \
    g_assert_cmpint (result, ==, expected); \
  } G_STMT_END

  CHECK ("plain.example", 22, key_a, SM_KNOWN_HOSTS_MATCH);
  CHECK ("OTHER.example", 22, key_a, SM_KNOWN_HOSTS_MATCH);
  CHECK ("plain.example", 22, key_b, SM_KNOWN_HOSTS_REVOKED);
  CHECK ("plain.example", 2222, key_a, SM_KNOWN_HOSTS_NOT_FOUND);
  CHECK ("port.example", 2222, key_a, SM_KNOWN_HOSTS_MATCH);
  CHECK ("port.example", 22, key_a, SM_KNOWN_HOSTS_NOT_FOUND);
  CHECK ("hashed.example", 2222, key_a, SM_KNOWN_HOSTS_MATCH);
  CHECK ("hashed.example", 22, key_a, SM_KNOWN_HOSTS_NOT_FOUND);
  CHECK ("a.wild.example", 22, key_a, SM_KNOWN_HOSTS_MATCH);
  CHECK ("bad.wild.example", 22, key_a, SM_KNOWN_HOSTS_NOT_FOUND);
  /* A certificate authority line trusts nothing. */
  CHECK ("ca.example", 22, key_a, SM_KNOWN_HOSTS_NOT_FOUND);
  CHECK ("unknown.example", 22, key_a, SM_KNOWN_HOSTS_NOT_FOUND);
#undef CHECK

  {
    const guint8 key_c[] = { 0, 0, 0, 19, 'e', 'c', 'd', 's', 'a', '-', 's', 'h', 'a', '2', '-',
                             'n', 'i', 's', 't', 'p', '2', '5', '6', 0, 0, 0, 1, 7 };

    g_assert_true (sm_known_hosts_check (path, "port.example", 2222, key_c, sizeof key_c,
                                         &result, &types, &error));
    g_assert_cmpint (result, ==, SM_KNOWN_HOSTS_MISMATCH);
    g_assert_cmpuint (g_strv_length (types), ==, 1);
    g_assert_cmpstr (types[0], ==, "ssh-ed25519");

    /* Appending keeps what is there and adds a line. */
    g_assert_true (sm_known_hosts_append (path, "Port.Example", 2222, key_c, sizeof key_c, &error));
    g_assert_no_error (error);
    g_assert_true (sm_known_hosts_check (path, "port.example", 2222, key_c, sizeof key_c,
                                         &result, NULL, &error));
    g_assert_cmpint (result, ==, SM_KNOWN_HOSTS_MATCH);
    g_assert_true (sm_known_hosts_check (path, "plain.example", 22, key_a, sizeof key_a,
                                         &result, NULL, &error));
    g_assert_cmpint (result, ==, SM_KNOWN_HOSTS_MATCH);
  }

  /* A missing file is not an error. */
  g_assert_true (sm_known_hosts_check ("/nonexistent/known_hosts", "x", 22, key_a, sizeof key_a,
                                       &result, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, SM_KNOWN_HOSTS_NOT_FOUND);

  /* An existing directory is required for appending. */
  g_assert_false (sm_known_hosts_append ("/nonexistent/dir/known_hosts", "x", 22,
                                         key_a, sizeof key_a, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  fp = sm_known_hosts_fingerprint (key_a, sizeof key_a);
  g_assert_true (g_str_has_prefix (fp, "SHA256:"));
  g_assert_null (strchr (fp, '='));
  g_assert_cmpuint (strlen (fp), ==, 7 + 43);
}

/* Unreachable hosts, timeouts, cancellation */

/* A listener whose connections complete in the kernel's backlog and never
 * hear a word. */
static int
silent_listener (guint *out_port)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 16), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  *out_port = ntohs (addr.sin_port);
  return fd;
}

static void
test_timeout_banner (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  guint port;
  int fd = silent_listener (&port);
  gint64 start;
  gint64 elapsed_ms;

  config_init (&config, NULL, SM_AUTH_KEY, key_ed25519, NULL);
  config.port = port;
  config.handshake_timeout_ms = 1500;
  session = sm_ssh_session_new (&config);

  start = g_get_monotonic_time ();
  g_assert_false (sm_ssh_session_connect (session, NULL, &error));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "no SSH banner within 1.5 s"));
  g_assert_cmpint (elapsed_ms, >=, 1400);
  g_assert_cmpint (elapsed_ms, <, 2500);
  g_test_message ("banner timeout after %" G_GINT64_FORMAT " ms", elapsed_ms);
  close (fd);
  sm_ssh_config_clear (&config);
}

static void
test_refused (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  guint port;
  gint64 start;

  /* A port that was just free: nothing listens there. */
  close (silent_listener (&port));
  config_init (&config, NULL, SM_AUTH_KEY, key_ed25519, NULL);
  config.port = port;
  session = sm_ssh_session_new (&config);
  start = g_get_monotonic_time ();
  g_assert_false (sm_ssh_session_connect (session, NULL, &error));
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_REFUSED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  sm_ssh_config_clear (&config);
}

static void
test_resolve (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  config_init (&config, NULL, SM_AUTH_KEY, key_ed25519, NULL);
  g_free (config.host);
  config.host = g_strdup ("no-such-host.invalid");
  config.connect_timeout_ms = 2000;
  session = sm_ssh_session_new (&config);
  start = g_get_monotonic_time ();
  g_assert_false (sm_ssh_session_connect (session, NULL, &error));
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_RESOLVE);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  sm_ssh_config_clear (&config);
}

static void
test_resolve_name (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autofree char *out = NULL;

  SKIP_IF_NO_SSHD ();
  /* A name, not an address: through the resolver. */
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  g_free (config.host);
  config.host = g_strdup ("localhost");
  session = connect_ok (&config);
  out = shell (session, "echo named");
  g_assert_cmpstr (out, ==, "named\n");
  sm_ssh_config_clear (&config);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (300 * 1000);
  g_cancellable_cancel (G_CANCELLABLE (data));
  return NULL;
}

static void
test_cancel (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  guint port;
  int fd = silent_listener (&port);
  gint64 start;
  gint64 elapsed_ms;

  config_init (&config, NULL, SM_AUTH_KEY, key_ed25519, NULL);
  config.port = port;
  config.handshake_timeout_ms = 10000;
  session = sm_ssh_session_new (&config);

  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (sm_ssh_session_connect (session, cancellable, &error));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Cancelled 300 ms in; the wait must end within 200 ms of that. */
  g_assert_cmpint (elapsed_ms, <, 500);
  close (fd);
  sm_ssh_config_clear (&config);
}

static void
test_cancel_command (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  GThread *thread;
  gint64 start;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  session = connect_ok (&config);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  out = sm_ssh_session_run_in_shell (session, "sleep 5; echo __END__\n", "__END__",
                                     MAX_OUTPUT, NULL, cancellable, &error);
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (out);
  /* Cancelled 300 ms in; the call must end within 200 ms of that. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 500 * 1000);

  /* The session goes on with a new shell. */
  out = shell (session, "echo after");
  g_assert_cmpstr (out, ==, "after\n");
  sm_ssh_config_clear (&config);
}

static void
test_timeout_command (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *pid1 = NULL;
  g_autofree char *pid2 = NULL;
  gint64 start;
  gint64 elapsed_ms;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  config.command_timeout_ms = 1000;
  session = connect_ok (&config);
  pid1 = shell (session, "echo $$");

  start = g_get_monotonic_time ();
  out = sm_ssh_session_run_in_shell (session, "sleep 30; echo __END__\n", "__END__",
                                     MAX_OUTPUT, NULL, NULL, &error);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "stopped answering"));
  g_assert_null (out);
  g_assert_cmpint (elapsed_ms, >=, 900);
  g_assert_cmpint (elapsed_ms, <, 1200);
  g_test_message ("command timeout after %" G_GINT64_FORMAT " ms", elapsed_ms);

  /* The next call runs in a fresh shell. */
  g_assert_true (sm_ssh_session_is_connected (session));
  pid2 = shell (session, "echo $$");
  g_assert_cmpstr (pid1, !=, pid2);
  sm_ssh_config_clear (&config);
}

static void
test_shell_exits (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *pid1 = NULL;
  g_autofree char *pid2 = NULL;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  session = connect_ok (&config);
  pid1 = shell (session, "echo $$");

  /* The remote shell ends before the end line: the channel's EOF. */
  out = sm_ssh_session_run_in_shell (session, "echo partial; exit 0\n", "__END__",
                                     MAX_OUTPUT, NULL, NULL, &error);
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED);
  g_assert_null (out);

  /* The session is fine; the next call starts another shell. */
  g_assert_true (sm_ssh_session_is_connected (session));
  pid2 = shell (session, "echo $$");
  g_assert_cmpstr (pid1, !=, pid2);
  sm_ssh_config_clear (&config);
}

static void
test_host_key_user_known_hosts (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autofree char *user_file = g_build_filename (ssh_dir, "known_hosts", NULL);
  g_autofree char *pub_path = NULL;
  g_autofree char *pub = NULL;
  g_autofree char *line = NULL;
  g_auto(GStrv) fields = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_SSHD ();
  /* HOME points into the test's directory (see main). */
  g_assert_true (g_str_has_prefix (user_file, tmp_dir));
  g_assert_cmpint (g_mkdir_with_parents (ssh_dir, 0700), ==, 0);
  pub_path = g_build_filename (sm_test_sshd_get_dir (sshd), "hostkey.pub", NULL);
  g_file_get_contents (pub_path, &pub, NULL, &error);
  g_assert_no_error (error);
  fields = g_strsplit (pub, " ", 3);

  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  g_clear_pointer (&config.pinned_sha256, g_free);
  g_free (config.known_hosts);
  config.known_hosts = g_build_filename (tmp_dir, "known_hosts_app_empty", NULL);
  config.read_user_known_hosts = TRUE;

  /* The key in ~/.ssh/known_hosts, under a wildcard pattern. */
  line = g_strdup_printf ("[127.0.0.*]:%u %s %s", sm_test_sshd_get_port (sshd), fields[0], fields[1]);
  g_file_set_contents (user_file, line, -1, &error);
  g_assert_no_error (error);
  session = connect_ok (&config);
  g_clear_pointer (&session, sm_ssh_session_free);

  /* Not read when the config says so. */
  config.read_user_known_hosts = FALSE;
  assert_connect_fails (&config, SM_SSH_ERROR_HOST_KEY_UNKNOWN, "not known yet");
  config.read_user_known_hosts = TRUE;

  /* Another key for the host there: changed. */
  g_free (line);
  line = g_strdup_printf ("[127.0.0.1]:%u ssh-ed25519 "
                          "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n",
                          sm_test_sshd_get_port (sshd));
  g_file_set_contents (user_file, line, -1, &error);
  g_assert_no_error (error);
  assert_connect_fails (&config, SM_SSH_ERROR_HOST_KEY_CHANGED, "may be an attack");

  /* Revoked: refused. */
  g_free (line);
  line = g_strdup_printf ("@revoked * %s %s", fields[0], fields[1]);
  g_file_set_contents (user_file, line, -1, &error);
  g_assert_no_error (error);
  assert_connect_fails (&config, SM_SSH_ERROR_HOST_KEY_CHANGED, "revoked");

  g_unlink (user_file);
  sm_ssh_config_clear (&config);
}

static void
test_stuck_channels (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  guint timeouts = 0;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  config.command_timeout_ms = 200;
  session = connect_ok (&config);

  /* Each timeout leaves a remote command running on a channel the server
   * will not close; a handful of them ends the connection rather than
   * running into the server's channel limit. */
  for (guint i = 0; i < 10; i++)
    {
      out = sm_ssh_session_run_in_shell (session, "sleep 30; echo __END__\n", "__END__",
                                         MAX_OUTPUT, NULL, NULL, &error);
      g_assert_null (out);
      if (g_error_matches (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED))
        break;
      g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_TIMEOUT);
      g_clear_error (&error);
      timeouts++;
    }
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED);
  g_assert_cmpuint (timeouts, >=, 3);
  g_assert_cmpuint (timeouts, <=, 6);
  g_assert_false (sm_ssh_session_is_connected (session));

  /* A new connection on the same object works. */
  g_clear_error (&error);
  g_assert_true (sm_ssh_session_connect (session, NULL, &error));
  g_assert_no_error (error);
  out = shell (session, "echo fresh");
  g_assert_cmpstr (out, ==, "fresh\n");
  sm_ssh_config_clear (&config);
}

static void
test_output_cap (void)
{
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  SKIP_IF_NO_SSHD ();
  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  session = connect_ok (&config);

  out = sm_ssh_session_run_in_shell (session, "seq 1 100000; echo __END__\n", "__END__",
                                     10000, NULL, NULL, &error);
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_OUTPUT_TOO_LARGE);
  g_assert_null (out);
  g_clear_error (&error);

  /* A long line without a newline counts too. */
  out = sm_ssh_session_run_in_shell (session, "head -c 50000 /dev/zero | tr '\\0' x; echo; echo __END__\n",
                                     "__END__", 10000, NULL, NULL, &error);
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_OUTPUT_TOO_LARGE);
  g_clear_error (&error);

  /* Exactly at the cap is fine. */
  out = sm_ssh_session_run_in_shell (session, "printf 'abcd\\n'; echo __END__\n", "__END__",
                                     5, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "abcd\n");
  sm_ssh_config_clear (&config);
}

static void
test_restart (void)
{
  g_autoptr(SmTestSshd) own = NULL;
  g_autofree char *skip = NULL;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(SmSshSession) session2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  SmSshConfig config;
  gint64 start;

  SKIP_IF_NO_SSHD ();
  own = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  g_assert_nonnull (own);
  {
    g_autofree char *key = sm_test_sshd_add_client_key (own, "ed25519", NULL);

    config_init (&config, own, SM_AUTH_KEY, key, NULL);
  }
  config.pinned_sha256 = sm_test_sshd_dup_fingerprint (own);
  config.command_timeout_ms = 3000;
  session = connect_ok (&config);
  out = shell (session, "echo before");
  g_assert_cmpstr (out, ==, "before\n");
  g_clear_pointer (&out, g_free);

  sm_test_sshd_kill (own);
  start = g_get_monotonic_time ();
  out = sm_ssh_session_run_in_shell (session, "echo lost; echo __END__\n", "__END__",
                                     MAX_OUTPUT, NULL, NULL, &error);
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED);
  g_assert_null (out);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_false (sm_ssh_session_is_connected (session));
  g_clear_error (&error);

  /* Further calls fail at once, and so does a connect while sshd is down. */
  g_assert_false (sm_ssh_session_keepalive (session, &error));
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED);
  g_clear_error (&error);
  g_assert_false (sm_ssh_session_connect (session, NULL, &error));
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_REFUSED);
  g_clear_error (&error);

  g_assert_true (sm_test_sshd_restart (own, FALSE));
  /* The same object reconnects, and so does a new one. */
  g_assert_true (sm_ssh_session_connect (session, NULL, &error));
  g_assert_no_error (error);
  out = shell (session, "echo after");
  g_assert_cmpstr (out, ==, "after\n");
  session2 = connect_ok (&config);
  sm_ssh_config_clear (&config);
}

static void
test_keepalive_detects_close (void)
{
  g_autoptr(SmTestSshd) own = NULL;
  g_autofree char *skip = NULL;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  SmSshConfig config;

  SKIP_IF_NO_SSHD ();
  own = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  g_assert_nonnull (own);
  {
    g_autofree char *key = sm_test_sshd_add_client_key (own, "ed25519", NULL);

    config_init (&config, own, SM_AUTH_KEY, key, NULL);
  }
  config.pinned_sha256 = sm_test_sshd_dup_fingerprint (own);
  session = connect_ok (&config);
  g_assert_true (sm_ssh_session_keepalive (session, &error));
  g_assert_no_error (error);

  sm_test_sshd_kill (own);
  /* The kernel has closed the peer's socket: give the FIN a moment. */
  {
    gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    while (sm_ssh_session_keepalive (session, &error))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (10 * 1000);
      }
  }
  g_assert_error (error, SM_SSH_ERROR, SM_SSH_ERROR_DISCONNECTED);
  g_assert_false (sm_ssh_session_is_connected (session));
  sm_ssh_config_clear (&config);
}

/* Many sessions at once */

#define N_CONCURRENT 20

typedef struct {
  guint    index;
  gboolean ok;
  char    *message;
} Job;

static gpointer
concurrent_job (gpointer data)
{
  Job *job = data;
  SmSshConfig config;
  g_autoptr(SmSshSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;

  config_init (&config, sshd, SM_AUTH_KEY, key_ed25519, NULL);
  session = sm_ssh_session_new (&config);
  sm_ssh_config_clear (&config);
  if (!sm_ssh_session_connect (session, NULL, &error))
    {
      job->message = g_strdup (error->message);
      return NULL;
    }
  for (guint round = 0; round < 5; round++)
    {
      g_free (input);
      g_free (expected);
      g_free (out);
      input = g_strdup_printf ("echo job-%u-%u; echo __END__\n", job->index, round);
      expected = g_strdup_printf ("job-%u-%u\n", job->index, round);
      out = sm_ssh_session_run_in_shell (session, input, "__END__", MAX_OUTPUT,
                                         NULL, NULL, &error);
      if (out == NULL || !g_str_equal (out, expected))
        {
          job->message = g_strdup (error != NULL ? error->message : out);
          return NULL;
        }
    }
  job->ok = TRUE;
  return NULL;
}

static void
test_concurrent (void)
{
  Job jobs[N_CONCURRENT];
  GThread *threads[N_CONCURRENT];
  gint64 start;

  SKIP_IF_NO_SSHD ();
  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_CONCURRENT; i++)
    {
      jobs[i].index = i;
      jobs[i].ok = FALSE;
      jobs[i].message = NULL;
      threads[i] = g_thread_new ("ssh-job", concurrent_job, &jobs[i]);
    }
  for (guint i = 0; i < N_CONCURRENT; i++)
    g_thread_join (threads[i]);
  for (guint i = 0; i < N_CONCURRENT; i++)
    {
      if (!jobs[i].ok)
        g_error ("session %u failed: %s", i, jobs[i].message);
      g_free (jobs[i].message);
    }
  g_test_message ("%d sessions in %" G_GINT64_FORMAT " ms", N_CONCURRENT,
                  (g_get_monotonic_time () - start) / 1000);
}

static void
test_config_from_server (void)
{
  g_autoptr(SmServer) server = sm_server_new ();
  SmSshConfig config;

  sm_server_set_host (server, "example.org");
  sm_server_set_port (server, 2222);
  sm_server_set_username (server, "");
  sm_server_set_auth_method (server, SM_AUTH_PASSWORD);
  sm_server_set_host_key_sha256 (server, "SHA256:abc");
  sm_ssh_config_init_from_server (&config, server, "s3cret", "/tmp/kh");
  g_assert_cmpstr (config.host, ==, "example.org");
  g_assert_cmpuint (config.port, ==, 2222);
  g_assert_cmpstr (config.username, ==, g_get_user_name ());
  g_assert_cmpint (config.method, ==, SM_AUTH_PASSWORD);
  g_assert_cmpstr (config.secret, ==, "s3cret");
  g_assert_cmpstr (config.pinned_sha256, ==, "SHA256:abc");
  g_assert_cmpstr (config.known_hosts, ==, "/tmp/kh");
  g_assert_true (config.read_user_known_hosts);
  g_assert_cmpuint (config.connect_timeout_ms, ==, 5000);
  g_assert_cmpuint (config.handshake_timeout_ms, ==, 10000);
  g_assert_cmpuint (config.auth_timeout_ms, ==, 10000);
  g_assert_cmpuint (config.command_timeout_ms, ==, 15000);
  sm_ssh_config_clear (&config);
  g_assert_null (config.secret);
  g_assert_null (config.host);
}

/* Per-server deadlines reach the session's config; 0 keeps the default. */
static void
test_config_timeouts (void)
{
  g_autoptr(SmServer) server = sm_server_new ();
  SmSshConfig config = { 0 };

  sm_server_set_host (server, "127.0.0.1");
  sm_server_set_timeout (server, SM_TIMEOUT_HANDSHAKE, 3);
  sm_server_set_timeout (server, SM_TIMEOUT_COMMAND, 90);
  sm_ssh_config_init_from_server (&config, server, NULL, NULL);
  g_assert_cmpuint (config.connect_timeout_ms, ==, 5000);
  g_assert_cmpuint (config.handshake_timeout_ms, ==, 3000);
  g_assert_cmpuint (config.auth_timeout_ms, ==, 10000);
  g_assert_cmpuint (config.command_timeout_ms, ==, 90000);
  sm_ssh_config_clear (&config);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *skip = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ssh/config/timeouts", test_config_timeouts);
  g_assert_cmpint (sodium_init (), >=, 0);

  tmp_dir = sm_test_mkdtemp ();
  {
    /* ~/.ssh/known_hosts is read by some tests: never the real one. */
    g_autofree char *home = g_build_filename (tmp_dir, "home", NULL);

    g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
    g_setenv ("HOME", home, TRUE);
  }
  sshd = sm_test_sshd_start (SM_TEST_SSHD_DEFAULT, &skip);
  if (sshd != NULL)
    {
      key_ed25519 = sm_test_sshd_add_client_key (sshd, "ed25519", NULL);
      key_ed25519_pass = sm_test_sshd_add_client_key (sshd, "ed25519", passphrase);
      key_ecdsa = sm_test_sshd_add_client_key (sshd, "ecdsa", NULL);
      key_rsa = sm_test_sshd_add_client_key (sshd, "rsa", NULL);
      host_fingerprint = sm_test_sshd_dup_fingerprint (sshd);
    }
  else
    {
      g_test_message ("SSH tests skipped: %s", skip);
      key_ed25519 = g_build_filename (tmp_dir, "id_ed25519", NULL);
    }

  g_test_add_func ("/ssh/config/from-server", test_config_from_server);
  g_test_add_func ("/ssh/known-hosts/file", test_known_hosts_file);
  g_test_add_func ("/ssh/key/ed25519-shell", test_key_ed25519_shell);
  g_test_add_func ("/ssh/key/passphrase", test_key_passphrase);
  g_test_add_func ("/ssh/key/ecdsa", test_key_ecdsa);
  g_test_add_func ("/ssh/key/missing", test_key_missing);
  g_test_add_func ("/ssh/key/unauthorized", test_key_unauthorized);
  g_test_add_func ("/ssh/key/rsa", test_key_rsa);
  g_test_add_func ("/ssh/exec", test_exec);
  g_test_add_func ("/ssh/password/password", test_password);
  g_test_add_func ("/ssh/password/keyboard-interactive", test_password_kbdint);
  g_test_add_func ("/ssh/agent/missing", test_agent_missing);
  g_test_add_func ("/ssh/agent/keys", test_agent);
  g_test_add_func ("/ssh/host-key/unknown-then-trusted", test_host_key_unknown_then_trusted);
  g_test_add_func ("/ssh/host-key/pinned", test_host_key_pinned);
  g_test_add_func ("/ssh/host-key/changed", test_host_key_changed);
  g_test_add_func ("/ssh/unreachable/banner-timeout", test_timeout_banner);
  g_test_add_func ("/ssh/unreachable/refused", test_refused);
  g_test_add_func ("/ssh/unreachable/resolve", test_resolve);
  g_test_add_func ("/ssh/resolve-name", test_resolve_name);
  g_test_add_func ("/ssh/cancel/connect", test_cancel);
  g_test_add_func ("/ssh/cancel/command", test_cancel_command);
  g_test_add_func ("/ssh/command/timeout", test_timeout_command);
  g_test_add_func ("/ssh/command/output-cap", test_output_cap);
  g_test_add_func ("/ssh/command/shell-exits", test_shell_exits);
  g_test_add_func ("/ssh/command/stuck-channels", test_stuck_channels);
  g_test_add_func ("/ssh/host-key/user-known-hosts", test_host_key_user_known_hosts);
  g_test_add_func ("/ssh/restart", test_restart);
  g_test_add_func ("/ssh/keepalive/detects-close", test_keepalive_detects_close);
  g_test_add_func ("/ssh/concurrent", test_concurrent);

  ret = g_test_run ();

  sm_test_sshd_free (sshd);
  sm_test_rmdir (tmp_dir);
  g_free (tmp_dir);
  g_free (key_ed25519);
  g_free (key_ed25519_pass);
  g_free (key_ecdsa);
  g_free (key_rsa);
  g_free (host_fingerprint);
  return ret;
}
