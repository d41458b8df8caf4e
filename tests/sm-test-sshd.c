/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-test-sshd.c: a real OpenSSH sshd on loopback (see sm-test-sshd.h). */

#include "sm-test-sshd.h"

#include "sm-test-util.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define SSHD_PATH        "/usr/sbin/sshd"
#define TEST_USER        "smtest"
#define TEST_PASSWORD    "sm-Test-pass-4821"
#define START_TIMEOUT_US (10 * G_USEC_PER_SEC)

struct _SmTestSshd {
  SmTestSshdFlags  flags;
  char            *dir;
  char            *config;
  char            *log;
  char            *host_key;
  char            *authorized_keys;
  guint            port;
  GPid             pid;
};

static gboolean
run (const char * const *argv,
     const char         *input,
     char              **out_stdout)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDERR_SILENCE;

  if (input != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;
  if (out_stdout != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDOUT_PIPE;
  else
    flags |= G_SUBPROCESS_FLAGS_STDOUT_SILENCE;

  proc = g_subprocess_newv (argv, flags, &error);
  if (proc == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (proc, input, NULL, &out, NULL, &error))
    return FALSE;
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  return g_subprocess_get_if_exited (proc) && g_subprocess_get_exit_status (proc) == 0;
}

/* As root: a dedicated user with a login shell of /bin/sh (no rc files)
 * and a known password. */
static gpointer
ensure_user_once (gpointer data)
{
  const char *useradd[] = { "useradd", "-m", "-s", "/bin/sh", TEST_USER, NULL };
  const char *chpasswd[] = { "chpasswd", NULL };

  if (geteuid () != 0)
    return GINT_TO_POINTER (FALSE);
  if (getpwnam (TEST_USER) == NULL && !run (useradd, NULL, NULL))
    return GINT_TO_POINTER (FALSE);
  if (!run (chpasswd, TEST_USER ":" TEST_PASSWORD "\n", NULL))
    return GINT_TO_POINTER (FALSE);
  return GINT_TO_POINTER (TRUE);
}

static gboolean
have_test_user (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, ensure_user_once, NULL));
}

const char *
sm_test_sshd_get_user (void)
{
  return have_test_user () ? TEST_USER : g_get_user_name ();
}

const char *
sm_test_sshd_get_password (void)
{
  return have_test_user () ? TEST_PASSWORD : NULL;
}

/* A port that was free a moment ago (sshd binds it next; a start that
 * loses the race is retried with another). */
static guint
pick_port (void)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  guint port = 0;

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0 &&
      getsockname (fd, (struct sockaddr *) &addr, &len) == 0)
    port = ntohs (addr.sin_port);
  close (fd);
  return port;
}

static gboolean
generate_host_key (SmTestSshd *self)
{
  g_autofree char *pub = g_strconcat (self->host_key, ".pub", NULL);
  const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sm-test-host",
                         "-f", self->host_key, NULL };

  g_unlink (self->host_key);
  g_unlink (pub);
  return run (argv, NULL, NULL);
}

static void
write_config (SmTestSshd *self)
{
  g_autoptr(GString) config = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gboolean kbdint = (self->flags & SM_TEST_SSHD_KBDINT_ONLY) != 0;

  g_string_append_printf (config, "Port %u\n", self->port);
  g_string_append (config, "ListenAddress 127.0.0.1\n");
  g_string_append_printf (config, "HostKey %s\n", self->host_key);
  g_string_append_printf (config, "PidFile %s/sshd.pid\n", self->dir);
  g_string_append_printf (config, "AuthorizedKeysFile %s\n", self->authorized_keys);
  g_string_append_printf (config, "UsePAM %s\n", kbdint ? "yes" : "no");
  g_string_append_printf (config, "PasswordAuthentication %s\n", kbdint ? "no" : "yes");
  g_string_append_printf (config, "KbdInteractiveAuthentication %s\n", kbdint ? "yes" : "no");
  g_string_append (config,
                   "PubkeyAuthentication yes\n"
                   "PermitRootLogin prohibit-password\n"
                   "StrictModes no\n"
                   "UseDNS no\n"
                   "PrintMotd no\n"
                   "PrintLastLog no\n"
                   "MaxStartups 200\n"
                   "MaxSessions 100\n"
                   "MaxAuthTries 10\n"
                   "LoginGraceTime 30\n"
                   "LogLevel VERBOSE\n");
  g_file_set_contents (self->config, config->str, -1, &error);
  g_assert_no_error (error);
}

/* Waits until sshd accepts and sends its banner; FALSE if it died. */
static gboolean
wait_ready (SmTestSshd *self)
{
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_US;

  while (g_get_monotonic_time () < deadline)
    {
      struct sockaddr_in addr = { 0 };
      struct timeval tv = { 1, 0 };
      int status;
      int fd;

      if (waitpid (self->pid, &status, WNOHANG) == self->pid)
        {
          self->pid = 0;
          return FALSE;
        }

      fd = socket (AF_INET, SOCK_STREAM, 0);
      g_assert_cmpint (fd, >=, 0);
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      addr.sin_port = htons (self->port);
      setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      if (connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0)
        {
          char banner[4] = { 0 };
          ssize_t n = recv (fd, banner, sizeof banner, MSG_WAITALL);

          close (fd);
          if (n == 4 && memcmp (banner, "SSH-", 4) == 0)
            return TRUE;
        }
      else
        {
          close (fd);
        }
      g_usleep (10 * 1000);
    }
  return FALSE;
}

/* sshd goes away with the test, even when the test crashes. */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
spawn_sshd (SmTestSshd *self)
{
  const char *argv[] = { SSHD_PATH, "-D", "-e", "-f", self->config, "-E", self->log, NULL };
  g_autoptr(GError) error = NULL;

  write_config (self);
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                      G_SPAWN_STDERR_TO_DEV_NULL,
                      child_setup, NULL, &self->pid, &error))
    return FALSE;
  return wait_ready (self);
}

/* The state letter of a process ('T' when stopped), or 0 when it is gone. */
static char
process_state (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *paren;
  char state = 0;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return 0;
  paren = strrchr (stat, ')');
  if (paren == NULL || sscanf (paren + 1, " %c", &state) != 1)
    return 0;
  return state;
}

/* SIGSTOP is asynchronous: wait until the process has stopped, so that it
 * cannot fork behind our back. */
static void
stop_process (GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

  kill (pid, SIGSTOP);
  while (g_get_monotonic_time () < deadline)
    {
      char state = process_state (pid);

      if (state == 0 || state == 'T' || state == 't' || state == 'Z' || state == 'X')
        break;
      g_usleep (200);
    }
}

/* Adds the children of the processes in pids (from /proc) that are not
 * there yet, stopping each; returns how many were added. */
static guint
stop_new_children (GArray *pids)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint added = 0;

  if (proc == NULL)
    return 0;
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *paren;
      GPid pid;
      int ppid = 0;
      char state;
      gboolean known_parent = FALSE;
      gboolean known = FALSE;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      paren = strrchr (stat, ')');
      if (paren == NULL || sscanf (paren + 1, " %c %d", &state, &ppid) != 2)
        continue;
      pid = (GPid) g_ascii_strtoll (name, NULL, 10);
      for (guint i = 0; i < pids->len; i++)
        {
          GPid p = g_array_index (pids, GPid, i);

          known_parent |= p == ppid;
          known |= p == pid;
        }
      if (known_parent && !known)
        {
          stop_process (pid);
          g_array_append_val (pids, pid);
          added++;
        }
    }
  return added;
}

static void
stop_sshd (SmTestSshd *self,
           gboolean    hard)
{
  g_autoptr(GArray) tree = g_array_new (FALSE, FALSE, sizeof (GPid));
  gint64 deadline;

  if (self->pid <= 0)
    return;

  /* Connection processes call setsid() and fork at any time, so the whole
   * tree is frozen first (a stopped process forks no more), found through
   * /proc, and then killed at once. */
  stop_process (self->pid);
  g_array_append_val (tree, self->pid);
  while (stop_new_children (tree) > 0)
    ;
  for (guint i = 1; i < tree->len; i++)
    kill (g_array_index (tree, GPid, i), SIGKILL);
  kill (self->pid, hard ? SIGKILL : SIGTERM);
  kill (self->pid, SIGCONT);

  /* The killed descendants are reparented to this process (a subreaper,
   * see sm_test_sshd_start) once their parents are gone: reap them, so
   * no zombie is left where init does not reap. */
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  for (guint i = 1; i < tree->len && g_get_monotonic_time () < deadline;)
    {
      int status;
      pid_t r = waitpid (g_array_index (tree, GPid, i), &status, WNOHANG);

      if (r != 0)
        i++;
      else
        g_usleep (1000);
    }

  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  for (;;)
    {
      int status;
      pid_t r = waitpid (self->pid, &status, WNOHANG);

      if (r == self->pid || (r < 0 && errno == ECHILD))
        break;
      if (g_get_monotonic_time () > deadline)
        {
          kill (self->pid, SIGKILL);
          waitpid (self->pid, &status, 0);
          break;
        }
      g_usleep (5 * 1000);
    }
  self->pid = 0;
}

SmTestSshd *
sm_test_sshd_start (SmTestSshdFlags   flags,
                    char            **skip_reason)
{
  g_autoptr(SmTestSshd) self = NULL;
  g_autofree char *keygen = g_find_program_in_path ("ssh-keygen");

  if (!g_file_test (SSHD_PATH, G_FILE_TEST_IS_EXECUTABLE) || keygen == NULL)
    {
      *skip_reason = g_strdup ("OpenSSH (sshd, ssh-keygen) is not installed: "
                               "apt-get install openssh-server openssh-client");
      return NULL;
    }
  if ((flags & SM_TEST_SSHD_KBDINT_ONLY) && !have_test_user ())
    {
      *skip_reason = g_strdup ("keyboard-interactive through PAM needs root");
      return NULL;
    }
  if (geteuid () == 0)
    g_mkdir_with_parents ("/run/sshd", 0755);
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  have_test_user ();

  self = g_new0 (SmTestSshd, 1);
  self->flags = flags;
  self->dir = sm_test_mkdtemp ();
  /* The test user reads authorized_keys through this directory. */
  g_chmod (self->dir, 0755);
  self->config = g_build_filename (self->dir, "sshd_config", NULL);
  self->log = g_build_filename (self->dir, "sshd.log", NULL);
  self->host_key = g_build_filename (self->dir, "hostkey", NULL);
  self->authorized_keys = g_build_filename (self->dir, "authorized_keys", NULL);
  g_file_set_contents (self->authorized_keys, "", 0, NULL);
  g_chmod (self->authorized_keys, 0644);

  if (!generate_host_key (self))
    {
      *skip_reason = g_strdup ("ssh-keygen failed");
      return NULL;
    }

  for (guint attempt = 0; attempt < 5; attempt++)
    {
      self->port = pick_port ();
      if (spawn_sshd (self))
        return g_steal_pointer (&self);
      stop_sshd (self, TRUE);
    }
  *skip_reason = g_strdup_printf ("sshd did not start (see %s)", self->log);
  return NULL;
}

void
sm_test_sshd_free (SmTestSshd *self)
{
  if (self == NULL)
    return;
  stop_sshd (self, FALSE);
  if (g_getenv ("SM_TEST_KEEP_SSHD") == NULL)
    sm_test_rmdir (self->dir);
  g_free (self->dir);
  g_free (self->config);
  g_free (self->log);
  g_free (self->host_key);
  g_free (self->authorized_keys);
  g_free (self);
}

guint
sm_test_sshd_get_port (SmTestSshd *self)
{
  return self->port;
}

const char *
sm_test_sshd_get_dir (SmTestSshd *self)
{
  return self->dir;
}

const char *
sm_test_sshd_get_log (SmTestSshd *self)
{
  return self->log;
}

char *
sm_test_sshd_dup_fingerprint (SmTestSshd *self)
{
  g_autofree char *pub = g_strconcat (self->host_key, ".pub", NULL);
  const char *argv[] = { "ssh-keygen", "-l", "-E", "sha256", "-f", pub, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (run (argv, NULL, &out));
  /* "256 SHA256:... comment (ED25519)" */
  fields = g_strsplit (out, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >=, 2);
  g_assert_true (g_str_has_prefix (fields[1], "SHA256:"));
  return g_strdup (fields[1]);
}

void
sm_test_sshd_kill (SmTestSshd *self)
{
  stop_sshd (self, TRUE);
}

gboolean
sm_test_sshd_restart (SmTestSshd *self,
                      gboolean    new_host_key)
{
  stop_sshd (self, FALSE);
  if (new_host_key && !generate_host_key (self))
    return FALSE;
  return spawn_sshd (self);
}

char *
sm_test_sshd_add_client_key (SmTestSshd *self,
                             const char *type,
                             const char *passphrase)
{
  g_autofree char *name = g_strdup_printf ("id_%s%s", type, passphrase != NULL ? "_pass" : "");
  char *path = g_build_filename (self->dir, name, NULL);
  g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
  g_autofree char *pub = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *all = NULL;
  g_autoptr(GError) error = NULL;
  const char *bits = g_str_equal (type, "rsa") ? "2048" : g_str_equal (type, "ecdsa") ? "256" : NULL;
  const char *argv[] = { "ssh-keygen", "-q", "-t", type, "-N", passphrase != NULL ? passphrase : "",
                         "-C", name, "-f", path, bits != NULL ? "-b" : NULL, bits, NULL };

  g_unlink (path);
  g_unlink (pub_path);
  g_assert_true (run (argv, NULL, NULL));
  g_file_get_contents (pub_path, &pub, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (self->authorized_keys, &keys, NULL, &error);
  g_assert_no_error (error);
  all = g_strconcat (keys, pub, NULL);
  g_file_set_contents (self->authorized_keys, all, -1, &error);
  g_assert_no_error (error);
  g_chmod (self->authorized_keys, 0644);
  return path;
}

SmServer *
sm_test_sshd_add_server (SmTestSshd *self,
                         SmStore    *store,
                         const char *name,
                         const char *key,
                         const char *fingerprint)
{
  g_autoptr(GError) error = NULL;
  SmServer *server = sm_server_new ();

  sm_server_set_name (server, name);
  sm_server_set_host (server, "127.0.0.1");
  sm_server_set_port (server, sm_test_sshd_get_port (self));
  sm_server_set_username (server, sm_test_sshd_get_user ());
  sm_server_set_auth_method (server, SM_AUTH_KEY);
  sm_server_set_key_file (server, key);
  sm_server_set_host_key_sha256 (server, fingerprint);
  g_assert_true (sm_store_save_server (store, server, SM_SECRET_KEEP, NULL, &error));
  g_assert_no_error (error);
  return server;
}
