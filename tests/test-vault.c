/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-vault.c: sealing, the key file and the Secret Service backend.
 *
 * Tests that need a D-Bus session bus run in a subprocess, because GDBus
 * and libsecret keep the first session bus they connect to for the life of
 * the process. The parent starts a private dbus-daemon (and, for the
 * keyring tests, a gnome-keyring-daemon with an unlocked login keyring in a
 * temporary home) and passes the bus address in SM_TEST_BUS_ADDRESS.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* See sm-vault.c: the project defines SECRET_WITH_UNSTABLE=0. */
#undef SECRET_WITH_UNSTABLE
#include <libsecret/secret.h>

#include "sm-test-util.h"
#include "sm-vault.h"

#define AD "server:42:password"
#define SEALED_MIN_SIZE (1 + 24 + 16)
#define UNAVAILABLE_MESSAGE \
  "Credentials unavailable: the stored value cannot be decrypted (wrong key or damaged data)"

static const guint8 test_key[SM_VAULT_KEY_SIZE] = {
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
  0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

/* Helpers. */

static GBytes *
seal (SmVault    *vault,
      const char *ad,
      const char *plaintext,
      gsize       len)
{
  g_autoptr(GError) error = NULL;
  GBytes *sealed;

  sealed = sm_vault_encrypt (vault, ad, plaintext, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sealed);
  g_assert_cmpuint (g_bytes_get_size (sealed), ==, SEALED_MIN_SIZE + len);

  return sealed;
}

static void
assert_opens_to (SmVault    *vault,
                 const char *ad,
                 GBytes     *sealed,
                 const char *expected,
                 gsize       expected_len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmSecret) plain = NULL;
  gsize len = G_MAXSIZE;

  plain = sm_vault_decrypt (vault, ad, sealed, &len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plain);
  g_assert_cmpuint (len, ==, expected_len);
  g_assert_true (memcmp (plain, expected, expected_len) == 0);
  g_assert_cmpint (plain[len], ==, '\0');
}

static void
assert_unavailable (SmVault    *vault,
                    const char *ad,
                    GBytes     *sealed,
                    const char *plaintext)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmSecret) plain = NULL;
  gsize len = 12345;

  plain = sm_vault_decrypt (vault, ad, sealed, &len, &error);
  g_assert_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_UNAVAILABLE);
  g_assert_null (plain);
  g_assert_cmpuint (len, ==, 0);
  g_assert_cmpstr (error->message, ==, UNAVAILABLE_MESSAGE);
  if (plaintext != NULL)
    g_assert_null (strstr (error->message, plaintext));
}

/* DIR/vault.key, with dir canonical as the vault makes it. */
static char *
key_path_in (const char *dir)
{
  g_autofree char *canonical = realpath (dir, NULL);

  return g_build_filename (canonical != NULL ? canonical : dir, SM_VAULT_KEY_FILE, NULL);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

static void
write_file (const char   *path,
            const guint8 *data,
            gsize         len,
            int           mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (path, (const char *) data, len,
                            G_FILE_SET_CONTENTS_NONE, mode, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* The names in dir, sorted and joined with spaces. */
static char *
list_dir (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

static SmVault *
open_ok (const char     *dir,
         SmVaultBackend  expected_backend)
{
  g_autoptr(GError) error = NULL;
  SmVault *vault;

  vault = sm_vault_open (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (SM_IS_VAULT (vault));
  g_assert_cmpint (sm_vault_get_backend (vault), ==, expected_backend);

  return vault;
}

static void
assert_open_fails (const char *dir,
                   GQuark      domain,
                   int         code,
                   const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SmVault) vault = NULL;

  vault = sm_vault_open (dir, NULL, &error);
  g_assert_error (error, domain, code);
  g_assert_null (vault);
  if (message_part != NULL)
    g_assert_nonnull (strstr (error->message, message_part));
}

/* Sealing. */

static void
test_round_trip (void)
{
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  const char *values[] = {
    "hunter2",
    "pässwörd ✓ 密码 🔑",
    "",
    "with\nnewline and trailing space ",
  };
  g_autofree char *big = NULL;
  g_autoptr(GBytes) big_sealed = NULL;
  const gsize big_len = 1024 * 1024;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GBytes) sealed = seal (vault, AD, values[i], strlen (values[i]));

      assert_opens_to (vault, AD, sealed, values[i], strlen (values[i]));
    }

  /* 1 MiB of arbitrary bytes, NULs included. */
  big = g_malloc (big_len);
  for (gsize i = 0; i < big_len; i++)
    big[i] = (char) g_test_rand_int_range (0, 256);
  big_sealed = seal (vault, AD, big, big_len);
  assert_opens_to (vault, AD, big_sealed, big, big_len);
}

static void
test_decrypt_without_len (void)
{
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  g_autoptr(GBytes) sealed = seal (vault, AD, "secret", 6);
  g_autoptr(GError) error = NULL;
  g_autoptr(SmSecret) plain = NULL;

  plain = sm_vault_decrypt (vault, AD, sealed, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain, ==, "secret");
}

static void
test_format (void)
{
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  const char *value = "correct horse battery staple";
  g_autoptr(GBytes) sealed = seal (vault, AD, value, strlen (value));
  const guint8 *data = g_bytes_get_data (sealed, NULL);

  g_assert_cmpint (data[0], ==, 0x01);
  g_assert_null (memmem (data, g_bytes_get_size (sealed), value, strlen (value)));
  /* Not even a part of it survives in the clear. */
  g_assert_null (memmem (data, g_bytes_get_size (sealed), "horse", 5));
}

static void
test_random_nonce (void)
{
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  g_autoptr(GBytes) a = seal (vault, AD, "same value", 10);
  g_autoptr(GBytes) b = seal (vault, AD, "same value", 10);
  const guint8 *da = g_bytes_get_data (a, NULL);
  const guint8 *db = g_bytes_get_data (b, NULL);

  g_assert_false (g_bytes_equal (a, b));
  /* The nonces differ, not just the ciphertexts. */
  g_assert_false (memcmp (da + 1, db + 1, 24) == 0);
  assert_opens_to (vault, AD, a, "same value", 10);
  assert_opens_to (vault, AD, b, "same value", 10);
}

static void
test_wrong_associated_data (void)
{
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  g_autoptr(GBytes) sealed = seal (vault, "server:1:password", "hunter2", 7);
  g_autoptr(GBytes) empty_ad = seal (vault, "", "hunter2", 7);

  assert_unavailable (vault, "server:2:password", sealed, "hunter2");
  assert_unavailable (vault, "server:1:password2", sealed, "hunter2");
  assert_unavailable (vault, "server:1:passwor", sealed, "hunter2");
  assert_unavailable (vault, "", sealed, "hunter2");
  assert_unavailable (vault, "server:1:password", empty_ad, "hunter2");
  assert_opens_to (vault, "server:1:password", sealed, "hunter2", 7);
  assert_opens_to (vault, "", empty_ad, "hunter2", 7);
}

static void
test_bit_flips (void)
{
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  g_autoptr(GBytes) sealed = seal (vault, AD, "hunter2", 7);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (sealed, &size);

  for (gsize i = 0; i < size; i++)
    for (guint bit = 0; bit < 8; bit++)
      {
        g_autofree guint8 *copy = g_memdup2 (data, size);
        g_autoptr(GBytes) damaged = NULL;

        copy[i] ^= 1u << bit;
        damaged = g_bytes_new (copy, size);
        assert_unavailable (vault, AD, damaged, "hunter2");
      }

  assert_opens_to (vault, AD, sealed, "hunter2", 7);
}

static void
test_truncated (void)
{
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  g_autoptr(GBytes) sealed = seal (vault, AD, "hunter2", 7);
  g_autoptr(GBytes) sealed_empty = seal (vault, AD, "", 0);
  g_autoptr(GBytes) longer = NULL;
  g_autofree guint8 *extended = NULL;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (sealed, &size);

  /* Every length below the full one: below the minimum and inside the
   * ciphertext. */
  for (gsize len = 0; len < size; len++)
    {
      g_autoptr(GBytes) cut = g_bytes_new (data, len);

      assert_unavailable (vault, AD, cut, "hunter2");
    }

  /* An empty value seals to exactly the minimum, and it still opens. */
  g_assert_cmpuint (g_bytes_get_size (sealed_empty), ==, SEALED_MIN_SIZE);
  assert_opens_to (vault, AD, sealed_empty, "", 0);

  /* A byte too many fails too. */
  extended = g_malloc (size + 1);
  memcpy (extended, data, size);
  extended[size] = 0;
  longer = g_bytes_new (extended, size + 1);
  assert_unavailable (vault, AD, longer, "hunter2");
}

static void
test_wrong_version (void)
{
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  g_autoptr(GBytes) sealed = seal (vault, AD, "hunter2", 7);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (sealed, &size);
  const guint8 versions[] = { 0x00, 0x02, 0x81, 0xff };

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, size);
      g_autoptr(GBytes) other = NULL;

      copy[0] = versions[i];
      other = g_bytes_new (copy, size);
      assert_unavailable (vault, AD, other, "hunter2");
    }
}

static void
test_wrong_key (void)
{
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  g_autoptr(SmVault) other = NULL;
  g_autoptr(GBytes) sealed = seal (vault, AD, "s3cr3t-Pa55", 11);
  guint8 other_key[SM_VAULT_KEY_SIZE];

  memcpy (other_key, test_key, sizeof other_key);
  other_key[31] ^= 0x80;
  other = sm_vault_new_with_key (other_key);

  assert_unavailable (other, AD, sealed, "s3cr3t-Pa55");
  assert_opens_to (vault, AD, sealed, "s3cr3t-Pa55", 11);
}

static void
test_new_with_key (void)
{
  guint8 key[SM_VAULT_KEY_SIZE];
  g_autoptr(SmVault) vault = NULL;
  g_autoptr(SmVault) same = NULL;
  g_autoptr(GBytes) sealed = NULL;

  memcpy (key, test_key, sizeof key);
  vault = sm_vault_new_with_key (key);
  g_assert_cmpint (sm_vault_get_backend (vault), ==, SM_VAULT_BACKEND_NONE);
  g_assert_null (sm_vault_get_key_file (vault));

  /* The key is copied: changing the caller's array changes nothing. */
  memset (key, 0xaa, sizeof key);
  sealed = seal (vault, AD, "hunter2", 7);
  same = sm_vault_new_with_key (test_key);
  assert_opens_to (same, AD, sealed, "hunter2", 7);
}

/* sm_secret_free() takes NULL, also through g_autoptr(). Run under
 * valgrind or ASan, it shows a wrong free. */
static void
test_secret_free (void)
{
  g_autoptr(SmSecret) none = NULL;
  g_autoptr(SmVault) vault = sm_vault_new_with_key (test_key);
  g_autoptr(GBytes) sealed = seal (vault, AD, "hunter2", 7);
  char *plain;

  sm_secret_free (NULL);

  plain = sm_vault_decrypt (vault, AD, sealed, NULL, NULL);
  g_assert_cmpstr (plain, ==, "hunter2");
  sm_secret_free (plain);
}

static void
test_secret_dup (void)
{
  g_autoptr(SmSecret) copy = NULL;
  g_autoptr(SmSecret) empty = NULL;
  char original[] = "pässwörd";

  g_assert_null (sm_secret_dup (NULL));

  copy = sm_secret_dup (original);
  g_assert_true (copy != original);
  memset (original, 'x', strlen (original));
  g_assert_cmpstr (copy, ==, "pässwörd");

  empty = sm_secret_dup ("");
  g_assert_nonnull (empty);
  g_assert_cmpstr (empty, ==, "");
}

typedef struct {
  SmVault *vault;
  guint    index;
} ThreadData;

static gpointer
seal_in_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *value = g_strdup_printf ("thread %u value %u", data->index, i);
      g_autoptr(GBytes) sealed = NULL;
      g_autoptr(SmSecret) plain = NULL;

      sealed = sm_vault_encrypt (data->vault, AD, value, strlen (value), NULL);
      if (sealed == NULL)
        return GINT_TO_POINTER (FALSE);
      plain = sm_vault_decrypt (data->vault, AD, sealed, NULL, NULL);
      if (g_strcmp0 (plain, value) != 0)
        return GINT_TO_POINTER (FALSE);
    }

  return GINT_TO_POINTER (TRUE);
}

/* The key is unprotected while in use and protected again afterwards;
 * threads using one vault at once must not pull it from under each other. */
static void
test_threads (void)
{
  g_autoptr(SmVault) vault = NULL;
  ThreadData data[6];
  GThread *threads[G_N_ELEMENTS (data)];

  /* Threads run in a subprocess: the parent sets environment variables
   * later on, which is only safe while it has no other threads. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  vault = sm_vault_new_with_key (test_key);
  for (guint i = 0; i < G_N_ELEMENTS (data); i++)
    {
      data[i].vault = vault;
      data[i].index = i;
      threads[i] = g_thread_new ("seal", seal_in_thread, &data[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (data); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

/* File backend. */

static void
assert_key_file_mode (const char *path,
                      int         mode)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, mode);
}

static void
test_file_create (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *path = key_path_in (dir);
  g_autofree char *names = NULL;
  g_autoptr(SmVault) vault = NULL;
  g_autoptr(SmVault) from_bytes = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GBytes) sealed = NULL;

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  vault = open_ok (dir, SM_VAULT_BACKEND_FILE);
  g_assert_cmpstr (sm_vault_get_key_file (vault), ==, path);

  assert_key_file_mode (path, 0600);
  contents = read_file (path);
  g_assert_cmpuint (g_bytes_get_size (contents), ==, SM_VAULT_KEY_SIZE);

  /* No temporary file is left behind. */
  names = list_dir (dir);
  g_assert_cmpstr (names, ==, SM_VAULT_KEY_FILE);

  /* The file holds the key itself. */
  sealed = seal (vault, AD, "hunter2", 7);
  from_bytes = sm_vault_new_with_key (g_bytes_get_data (contents, NULL));
  assert_opens_to (from_bytes, AD, sealed, "hunter2", 7);

  sm_test_rmdir (dir);
}

static void
test_file_umask (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *path = key_path_in (dir);
  g_autoptr(SmVault) vault = NULL;
  mode_t old_umask;

  /* A permissive umask must not widen the mode. */
  old_umask = umask (0);
  vault = open_ok (dir, SM_VAULT_BACKEND_FILE);
  umask (old_umask);

  assert_key_file_mode (path, 0600);
  sm_test_rmdir (dir);
}

static void
test_file_creates_data_dir (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *data_dir = g_build_filename (dir, "a", "b", NULL);
  g_autofree char *path = key_path_in (data_dir);
  g_autoptr(SmVault) vault = NULL;

  vault = open_ok (data_dir, SM_VAULT_BACKEND_FILE);
  assert_key_file_mode (path, 0600);
  sm_test_rmdir (dir);
}

static void
test_file_reopen (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *path = key_path_in (dir);
  g_autofree char *other_dir = sm_test_mkdtemp ();
  g_autoptr(SmVault) first = NULL;
  g_autoptr(SmVault) second = NULL;
  g_autoptr(SmVault) other = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) sealed = NULL;

  first = open_ok (dir, SM_VAULT_BACKEND_FILE);
  sealed = seal (first, AD, "hunter2", 7);
  before = read_file (path);
  g_clear_object (&first);

  second = open_ok (dir, SM_VAULT_BACKEND_FILE);
  assert_opens_to (second, AD, sealed, "hunter2", 7);
  after = read_file (path);
  g_assert_true (g_bytes_equal (before, after));
  assert_key_file_mode (path, 0600);

  /* Another data dir gets another key. */
  other = open_ok (other_dir, SM_VAULT_BACKEND_FILE);
  assert_unavailable (other, AD, sealed, "hunter2");

  sm_test_rmdir (dir);
  sm_test_rmdir (other_dir);
}

static gpointer
open_in_thread (gpointer user_data)
{
  const char *dir = user_data;
  g_autoptr(SmVault) vault = sm_vault_open (dir, NULL, NULL);

  if (vault == NULL)
    return NULL;
  return sm_vault_encrypt (vault, AD, "hunter2", 7, NULL);
}

/* Processes starting at once all end up with the one key that was created. */
static void
test_file_concurrent_create (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *names = NULL;
  g_autoptr(SmVault) vault = NULL;
  GThread *threads[8];

  /* In a subprocess, as in test_threads(). */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  dir = sm_test_mkdtemp ();
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("open", open_in_thread, dir);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_autoptr(GBytes) sealed = g_thread_join (threads[i]);

      g_assert_nonnull (sealed);
      if (vault == NULL)
        vault = open_ok (dir, SM_VAULT_BACKEND_FILE);
      assert_opens_to (vault, AD, sealed, "hunter2", 7);
    }

  names = list_dir (dir);
  g_assert_cmpstr (names, ==, SM_VAULT_KEY_FILE);
  sm_test_rmdir (dir);
}

static void
test_file_mode (void)
{
  const int modes[] = { 0644, 0640, 0604, 0660, 0620, 0602, 0601, 0610, 0700 };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *dir = sm_test_mkdtemp ();
      g_autofree char *path = key_path_in (dir);
      g_autoptr(GBytes) before = NULL;
      g_autoptr(GBytes) after = NULL;
      g_autoptr(SmVault) vault = NULL;

      vault = open_ok (dir, SM_VAULT_BACKEND_FILE);
      g_clear_object (&vault);
      before = read_file (path);
      g_assert_cmpint (g_chmod (path, modes[i]), ==, 0);

      if ((modes[i] & 077) != 0)
        {
          g_autofree char *hint = NULL;

          hint = g_strdup_printf ("%s %s; run chmod 600 %s", path,
                                  (modes[i] & 044) != 0 ? "is readable by other users"
                                                        : "can be changed by other users",
                                  path);
          assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE, hint);

          /* Nothing was changed or replaced. */
          after = read_file (path);
          g_assert_true (g_bytes_equal (before, after));
          assert_key_file_mode (path, modes[i]);
        }
      else
        {
          /* Owner-only modes other than 0600 are fine. */
          vault = open_ok (dir, SM_VAULT_BACKEND_FILE);
        }

      sm_test_rmdir (dir);
    }
}

static void
test_file_size (void)
{
  const gsize sizes[] = { 0, 1, 31, 33, 64, 4096 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *dir = sm_test_mkdtemp ();
      g_autofree char *path = key_path_in (dir);
      g_autofree guint8 *bytes = g_malloc0 (sizes[i] + 1);
      g_autofree char *expected = NULL;
      g_autoptr(GBytes) after = NULL;

      write_file (path, bytes, sizes[i], 0600);
      expected = g_strdup_printf ("%s has %" G_GSIZE_FORMAT " bytes, expected 32; it is damaged.",
                                  path, sizes[i]);
      assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE, expected);

      after = read_file (path);
      g_assert_cmpuint (g_bytes_get_size (after), ==, sizes[i]);
      sm_test_rmdir (dir);
    }
}

static void
test_file_symlink (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *target_dir = sm_test_mkdtemp ();
  g_autofree char *path = key_path_in (dir);
  g_autofree char *target = key_path_in (target_dir);
  g_autofree char *link_target = NULL;
  g_autoptr(SmVault) vault = NULL;

  /* A link to a perfectly good key is refused all the same. */
  vault = open_ok (target_dir, SM_VAULT_BACKEND_FILE);
  g_assert_cmpint (symlink (target, path), ==, 0);
  assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE, "symbolic link");
  link_target = g_file_read_link (path, NULL);
  g_assert_cmpstr (link_target, ==, target);
  g_clear_pointer (&link_target, g_free);

  /* A dangling link is not followed to create a file elsewhere. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_clear_object (&vault);
  sm_test_rmdir (target_dir);
  g_assert_cmpint (symlink (target, path), ==, 0);
  assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE, "symbolic link");
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  link_target = g_file_read_link (path, NULL);
  g_assert_cmpstr (link_target, ==, target);

  sm_test_rmdir (dir);
}

static void
test_file_not_regular (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *path = key_path_in (dir);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE, "not a regular file");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (g_rmdir (path), ==, 0);
  sm_test_rmdir (dir);
}

/* A FIFO must not block the open: run it where a hang is a failure. */
static void
test_file_fifo (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  dir = sm_test_mkdtemp ();
  path = key_path_in (dir);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE, "not a regular file");
  sm_test_rmdir (dir);
}

static void
test_file_owner (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SmVault) vault = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("Giving a file to another user needs root");
      return;
    }

  dir = sm_test_mkdtemp ();
  path = key_path_in (dir);
  vault = open_ok (dir, SM_VAULT_BACKEND_FILE);
  g_assert_cmpint (chown (path, 65534, 65534), ==, 0);
  assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE, "belongs to another user");
  sm_test_rmdir (dir);
}

static void
test_cancelled (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *path = key_path_in (dir);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SmVault) vault = NULL;

  g_cancellable_cancel (cancellable);
  vault = sm_vault_open (dir, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (vault);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  sm_test_rmdir (dir);
}

static void
test_backend_env_invalid (void)
{
  g_autofree char *dir = sm_test_mkdtemp ();
  g_autofree char *names = NULL;

  g_setenv ("SM_VAULT_BACKEND", "kwallet", TRUE);
  assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_FAILED, "kwallet");
  g_setenv ("SM_VAULT_BACKEND", "file", TRUE);

  names = list_dir (dir);
  g_assert_cmpstr (names, ==, "");
  sm_test_rmdir (dir);
}

/* Secret Service backend. */

typedef struct {
  char  *tmp_dir;
  char  *address;
  GPid   bus_pid;
  GPid   keyring_pid;
} Session;

static void
kill_and_reap (GPid *pid)
{
  if (*pid <= 0)
    return;
  kill (*pid, SIGTERM);
  waitpid (*pid, NULL, 0);
  g_spawn_close_pid (*pid);
  *pid = 0;
}

static void
session_free (Session *session)
{
  kill_and_reap (&session->keyring_pid);
  kill_and_reap (&session->bus_pid);
  sm_test_rmdir (session->tmp_dir);
  g_free (session->tmp_dir);
  g_free (session->address);
  g_free (session);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

/* Reads one line from fd, waiting at most timeout_ms in all. */
static char *
read_line (int fd,
           int timeout_ms)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      gint64 left = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;
      char c;
      gssize n;

      if (left <= 0 || poll (&pfd, 1, left) <= 0)
        return NULL;
      n = read (fd, &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;
      if (c == '\n')
        return g_string_free (g_steal_pointer (&line), FALSE);
      g_string_append_c (line, c);
    }
}

/* Starts a private session bus with no activatable services, and with
 * with_keyring a gnome-keyring-daemon whose login keyring is unlocked. On
 * failure returns NULL and sets *skip_reason. */
static Session *
session_start (gboolean   with_keyring,
               char     **skip_reason)
{
  g_autoptr(Session) session = g_new0 (Session, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *dbus_daemon = g_find_program_in_path ("dbus-daemon");
  g_autofree char *keyring_daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config_arg = NULL;
  g_autofree char *run_dir = NULL;
  int out_fd = -1;

  if (dbus_daemon == NULL)
    {
      *skip_reason = g_strdup ("dbus-daemon is not installed (apt-get install dbus-daemon)");
      return NULL;
    }
  if (with_keyring && keyring_daemon == NULL)
    {
      *skip_reason = g_strdup ("gnome-keyring-daemon is not installed (apt-get install gnome-keyring)");
      return NULL;
    }

  session->tmp_dir = sm_test_mkdtemp ();
  run_dir = g_build_filename (session->tmp_dir, "run", NULL);
  g_assert_cmpint (g_mkdir (run_dir, 0700), ==, 0);

  config = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <listen>unix:dir=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n", run_dir);
  config_path = g_build_filename (session->tmp_dir, "bus.conf", NULL);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);
  config_arg = g_strdup_printf ("--config-file=%s", config_path);

  {
    const char *argv[] = { dbus_daemon, config_arg, "--nofork", "--print-address=1", NULL };

    g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, &session->bus_pid,
                              NULL, &out_fd, NULL, &error);
    g_assert_no_error (error);
    session->address = read_line (out_fd, 10000);
    close (out_fd);
    g_assert_nonnull (session->address);
  }

  if (with_keyring)
    {
      const char *argv[] = {
        keyring_daemon, "--foreground", "--components=secrets", "--unlock", NULL,
      };
      g_auto(GStrv) envp = NULL;
      g_autofree char *home = g_build_filename (session->tmp_dir, "home", NULL);
      int in_fd = -1;

      envp = g_environ_setenv (envp, "PATH", g_getenv ("PATH"), TRUE);
      envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
      envp = g_environ_setenv (envp, "HOME", home, TRUE);
      envp = g_environ_setenv (envp, "XDG_RUNTIME_DIR", run_dir, TRUE);
      envp = g_environ_setenv (envp, "XDG_DATA_HOME", session->tmp_dir, TRUE);
      envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", session->tmp_dir, TRUE);
      envp = g_environ_setenv (envp, "XDG_CACHE_HOME", session->tmp_dir, TRUE);
      envp = g_environ_setenv (envp, "DBUS_SESSION_BUS_ADDRESS", session->address, TRUE);
      g_assert_cmpint (g_mkdir (home, 0700), ==, 0);

      /* The password on stdin creates and unlocks the login keyring. */
      g_spawn_async_with_pipes (NULL, (char **) argv, envp,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &session->keyring_pid,
                                &in_fd, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (write (in_fd, "test", 4), ==, 4);
      close (in_fd);
    }

  return g_steal_pointer (&session);
}

/* In the child: connects to the bus of the parent's session, and with
 * with_keyring waits until the login keyring is the default collection. */
static void
child_use_session_bus (gboolean with_keyring)
{
  const char *address = g_getenv ("SM_TEST_BUS_ADDRESS");
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_assert_nonnull (address);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  g_unsetenv ("DISPLAY");
  g_unsetenv ("SECRET_BACKEND");
  g_unsetenv ("SM_VAULT_BACKEND");

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  while (with_keyring)
    {
      g_autoptr(GVariant) reply = NULL;
      const char *path = "/";

      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner",
                                           g_variant_new ("(s)", "org.freedesktop.secrets"),
                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                           -1, NULL, &error);
      g_assert_no_error (error);
      g_clear_pointer (&reply, g_variant_unref);

      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets",
                                           "/org/freedesktop/secrets",
                                           "org.freedesktop.Secret.Service", "ReadAlias",
                                           g_variant_new ("(s)", "default"),
                                           G_VARIANT_TYPE ("(o)"),
                                           G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                           -1, NULL, NULL);
      if (reply != NULL)
        g_variant_get (reply, "(&o)", &path);
      if (!g_str_equal (path, "/"))
        break;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    }
}

static void
run_in_session (gboolean with_keyring)
{
  g_autoptr(Session) session = NULL;
  g_autofree char *skip_reason = NULL;

  session = session_start (with_keyring, &skip_reason);
  if (session == NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  g_setenv ("SM_TEST_BUS_ADDRESS", session->address, TRUE);
  g_test_trap_subprocess (NULL, 90 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("SM_TEST_BUS_ADDRESS");
  g_clear_pointer (&session, session_free);

  g_test_trap_assert_passed ();
}

static void
assert_open_fails_fast (const char *dir,
                        GQuark      domain,
                        int         code)
{
  gint64 start = g_get_monotonic_time ();

  assert_open_fails (dir, domain, code, NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

/* Without a session bus: forcing the keyring fails at once with a clear
 * error, and the automatic choice falls back to vault.key. No bus is
 * started on the way (dbus-launch autolaunch). */
static void
test_keyring_no_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *runtime_dir = sm_test_mkdtemp ();
      g_autofree char *dir = sm_test_mkdtemp ();
      g_autofree char *path = key_path_in (dir);
      g_autofree char *nowhere = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(SmVault) vault = NULL;

      g_autofree char *fake_launch = g_build_filename (runtime_dir, "dbus-launch", NULL);
      g_autofree char *marker = g_build_filename (runtime_dir, "autolaunched", NULL);
      g_autofree char *script = g_strdup_printf ("#!/bin/sh\n: > '%s'\nexit 1\n", marker);
      g_autofree char *search_path = g_strdup_printf ("%s:%s", runtime_dir, g_getenv ("PATH"));

      /* With no address and a display, GDBus would autolaunch a bus with
       * dbus-launch; a stand-in on PATH tells whether it was run. */
      g_file_set_contents (fake_launch, script, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_chmod (fake_launch, 0700), ==, 0);
      g_setenv ("PATH", search_path, TRUE);
      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
      g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
      g_setenv ("DISPLAY", ":99", TRUE);
      g_unsetenv ("SECRET_BACKEND");

      g_setenv ("SM_VAULT_BACKEND", "keyring", TRUE);
      vault = sm_vault_open (dir, NULL, &error);
      g_assert_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND);
      g_assert_nonnull (strstr (error->message, "Secret Service"));
      g_assert_null (vault);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_clear_error (&error);

      g_unsetenv ("SM_VAULT_BACKEND");
      vault = open_ok (dir, SM_VAULT_BACKEND_FILE);
      g_assert_cmpstr (sm_vault_get_key_file (vault), ==, path);
      assert_key_file_mode (path, 0600);
      g_clear_object (&vault);
      g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));

      /* A bus address that leads nowhere. */
      nowhere = g_strdup_printf ("unix:path=%s/no-such-bus", runtime_dir);
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", nowhere, TRUE);
      g_setenv ("SM_VAULT_BACKEND", "keyring", TRUE);
      assert_open_fails_fast (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND);

      sm_test_rmdir (dir);
      sm_test_rmdir (runtime_dir);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A session bus without a Secret Service. */
static void
test_keyring_no_service (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = sm_test_mkdtemp ();
      g_autofree char *path = key_path_in (dir);
      g_autoptr(SmVault) vault = NULL;

      child_use_session_bus (FALSE);

      g_setenv ("SM_VAULT_BACKEND", "keyring", TRUE);
      assert_open_fails_fast (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

      g_unsetenv ("SM_VAULT_BACKEND");
      vault = open_ok (dir, SM_VAULT_BACKEND_FILE);
      assert_key_file_mode (path, 0600);

      sm_test_rmdir (dir);
      return;
    }

  run_in_session (FALSE);
}

static const SecretSchema *
key_schema (void)
{
  static const SecretSchema schema = {
    "com.example.StatusMonitor.VaultKey", SECRET_SCHEMA_NONE,
    {
      { "data-dir", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* The key stored for dir, decoded; NULL if there is none. */
static SmVault *
vault_from_stored_key (const char *dir)
{
  g_autofree char *canonical = realpath (dir, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree guchar *key = NULL;
  gsize len = 0;

  g_assert_nonnull (canonical);
  stored = secret_password_lookup_sync (key_schema (), NULL, &error,
                                        "data-dir", canonical, NULL);
  g_assert_no_error (error);
  if (stored == NULL)
    return NULL;

  key = g_base64_decode (stored, &len);
  g_assert_cmpuint (len, ==, SM_VAULT_KEY_SIZE);

  return sm_vault_new_with_key (key);
}

static void
assert_item_label (const char *dir)
{
  g_autofree char *canonical = realpath (dir, NULL);
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  GList *items;

  attributes = secret_attributes_build (key_schema (), "data-dir", canonical, NULL);
  items = secret_service_search_sync (NULL, key_schema (), attributes,
                                      SECRET_SEARCH_ALL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  label = secret_item_get_label (items->data);
  g_assert_cmpstr (label, ==, "Status Monitor credential key");
  g_list_free_full (items, g_object_unref);
}

/* Locks the default collection; unlocking it again would need a prompt. */
static void
lock_default_collection (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) alias = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *collection = NULL;
  const char *objects[2] = { NULL, NULL };

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  alias = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "ReadAlias",
                                       g_variant_new ("(s)", "default"), G_VARIANT_TYPE ("(o)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (alias, "(&o)", &collection);
  objects[0] = collection;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "Lock",
                                       g_variant_new ("(^ao)", objects), G_VARIANT_TYPE ("(aoo)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* Against a real gnome-keyring-daemon. */
static void
test_keyring_real (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = sm_test_mkdtemp ();
      g_autofree char *other_dir = sm_test_mkdtemp ();
      g_autofree char *file_dir = sm_test_mkdtemp ();
      g_autofree char *damaged_dir = sm_test_mkdtemp ();
      g_autofree char *link_parent = sm_test_mkdtemp ();
      g_autofree char *link_dir = g_build_filename (link_parent, "link", NULL);
      g_autofree char *via_link = g_build_filename (link_dir, ".", NULL);
      g_autofree char *file_path = key_path_in (file_dir);
      g_autofree char *locked_new_dir = sm_test_mkdtemp ();
      g_autofree char *locked_new_path = key_path_in (locked_new_dir);
      g_autoptr(SmVault) locked_new = NULL;
      g_autofree char *damaged_canonical = realpath (damaged_dir, NULL);
      g_autofree char *names = NULL;
      g_autofree char *still_there = NULL;
      g_autoptr(SmVault) first = NULL;
      g_autoptr(SmVault) second = NULL;
      g_autoptr(SmVault) stored = NULL;
      g_autoptr(SmVault) other = NULL;
      g_autoptr(SmVault) linked = NULL;
      g_autoptr(SmVault) forced = NULL;
      g_autoptr(SmVault) file_vault = NULL;
      g_autoptr(SmVault) file_again = NULL;
      g_autoptr(GBytes) sealed = NULL;
      g_autoptr(GBytes) file_sealed = NULL;
      g_autoptr(GError) error = NULL;

      child_use_session_bus (TRUE);

      /* Nothing stored yet: a new key goes into the keyring, not a file. */
      g_assert_null (vault_from_stored_key (dir));
      first = open_ok (dir, SM_VAULT_BACKEND_KEYRING);
      g_assert_null (sm_vault_get_key_file (first));
      names = list_dir (dir);
      g_assert_cmpstr (names, ==, "");
      sealed = seal (first, AD, "hunter2", 7);
      assert_item_label (dir);

      /* The stored item is the key in use. */
      stored = vault_from_stored_key (dir);
      g_assert_nonnull (stored);
      assert_opens_to (stored, AD, sealed, "hunter2", 7);

      /* A second open finds the same key. */
      second = open_ok (dir, SM_VAULT_BACKEND_KEYRING);
      assert_opens_to (second, AD, sealed, "hunter2", 7);
      g_clear_pointer (&names, g_free);
      names = list_dir (dir);
      g_assert_cmpstr (names, ==, "");

      /* The data dir is looked up by its canonical path. */
      g_assert_cmpint (symlink (dir, link_dir), ==, 0);
      linked = open_ok (via_link, SM_VAULT_BACKEND_KEYRING);
      assert_opens_to (linked, AD, sealed, "hunter2", 7);

      /* Forcing the keyring finds it too. */
      g_setenv ("SM_VAULT_BACKEND", "keyring", TRUE);
      forced = open_ok (dir, SM_VAULT_BACKEND_KEYRING);
      assert_opens_to (forced, AD, sealed, "hunter2", 7);
      g_unsetenv ("SM_VAULT_BACKEND");

      /* Another data dir has its own key. */
      other = open_ok (other_dir, SM_VAULT_BACKEND_KEYRING);
      assert_unavailable (other, AD, sealed, "hunter2");

      /* An existing vault.key wins over the keyring. */
      g_setenv ("SM_VAULT_BACKEND", "file", TRUE);
      file_vault = open_ok (file_dir, SM_VAULT_BACKEND_FILE);
      file_sealed = seal (file_vault, AD, "hunter2", 7);
      g_unsetenv ("SM_VAULT_BACKEND");
      file_again = open_ok (file_dir, SM_VAULT_BACKEND_FILE);
      g_assert_cmpstr (sm_vault_get_key_file (file_again), ==, file_path);
      assert_opens_to (file_again, AD, file_sealed, "hunter2", 7);
      g_assert_null (vault_from_stored_key (file_dir));

      /* A damaged stored key is an error, and it is not replaced. */
      secret_password_store_sync (key_schema (), SECRET_COLLECTION_DEFAULT, "damaged",
                                  "not base64!", NULL, &error,
                                  "data-dir", damaged_canonical, NULL);
      g_assert_no_error (error);
      assert_open_fails (damaged_dir, SM_VAULT_ERROR, SM_VAULT_ERROR_FAILED, "damaged");
      still_there = secret_password_lookup_sync (key_schema (), NULL, &error,
                                                 "data-dir", damaged_canonical, NULL);
      g_assert_no_error (error);
      g_assert_cmpstr (still_there, ==, "not base64!");
      g_clear_pointer (&names, g_free);
      names = list_dir (damaged_dir);
      g_assert_cmpstr (names, ==, "");

      /* A key in a keyring that stays locked (no prompt can be shown here)
       * is an error: a new key would make the stored credentials
       * unreadable. */
      lock_default_collection ();
      assert_open_fails_fast (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND);
      assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND, "locked");
      g_setenv ("SM_VAULT_BACKEND", "keyring", TRUE);
      assert_open_fails (dir, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND, "locked");
      g_unsetenv ("SM_VAULT_BACKEND");
      g_clear_pointer (&names, g_free);
      names = list_dir (dir);
      g_assert_cmpstr (names, ==, "");

      /* Without a key there, a locked keyring means the key file. */
      locked_new = open_ok (locked_new_dir, SM_VAULT_BACKEND_FILE);
      assert_key_file_mode (locked_new_path, 0600);

      sm_test_rmdir (locked_new_dir);
      sm_test_rmdir (dir);
      sm_test_rmdir (other_dir);
      sm_test_rmdir (file_dir);
      sm_test_rmdir (damaged_dir);
      sm_test_rmdir (link_parent);
      return;
    }

  run_in_session (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  /* Never touch the Secret Service of the person running the tests. */
  g_setenv ("SM_VAULT_BACKEND", "file", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vault/seal/round-trip", test_round_trip);
  g_test_add_func ("/vault/seal/decrypt-without-len", test_decrypt_without_len);
  g_test_add_func ("/vault/seal/format", test_format);
  g_test_add_func ("/vault/seal/random-nonce", test_random_nonce);
  g_test_add_func ("/vault/seal/wrong-associated-data", test_wrong_associated_data);
  g_test_add_func ("/vault/seal/bit-flips", test_bit_flips);
  g_test_add_func ("/vault/seal/truncated", test_truncated);
  g_test_add_func ("/vault/seal/wrong-version", test_wrong_version);
  g_test_add_func ("/vault/seal/wrong-key", test_wrong_key);
  g_test_add_func ("/vault/seal/threads", test_threads);
  g_test_add_func ("/vault/new-with-key", test_new_with_key);
  g_test_add_func ("/vault/secret-free", test_secret_free);
  g_test_add_func ("/vault/secret-dup", test_secret_dup);
  g_test_add_func ("/vault/file/create", test_file_create);
  g_test_add_func ("/vault/file/umask", test_file_umask);
  g_test_add_func ("/vault/file/creates-data-dir", test_file_creates_data_dir);
  g_test_add_func ("/vault/file/reopen", test_file_reopen);
  g_test_add_func ("/vault/file/concurrent-create", test_file_concurrent_create);
  g_test_add_func ("/vault/file/mode", test_file_mode);
  g_test_add_func ("/vault/file/size", test_file_size);
  g_test_add_func ("/vault/file/symlink", test_file_symlink);
  g_test_add_func ("/vault/file/not-regular", test_file_not_regular);
  g_test_add_func ("/vault/file/fifo", test_file_fifo);
  g_test_add_func ("/vault/file/owner", test_file_owner);
  g_test_add_func ("/vault/cancelled", test_cancelled);
  g_test_add_func ("/vault/backend-env-invalid", test_backend_env_invalid);
  g_test_add_func ("/vault/keyring/no-bus", test_keyring_no_bus);
  g_test_add_func ("/vault/keyring/no-service", test_keyring_no_service);
  g_test_add_func ("/vault/keyring/real", test_keyring_real);

  return g_test_run ();
}
