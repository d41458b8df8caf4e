/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-vault.c: encrypts credentials with a 32-byte master key.
 *
 * The master key is kept in memory from sodium_malloc(), made inaccessible
 * with sodium_mprotect_noaccess() while no value is being sealed or opened,
 * and wiped when the vault is finalized.
 *
 * Where the key comes from (see sm_vault_open()):
 *
 *  1. SM_VAULT_BACKEND=file or =keyring in the environment forces that
 *     backend; a forced backend that does not work is an error.
 *  2. Otherwise an existing DATA_DIR/vault.key is always used, and a bad one
 *     is an error: it is never replaced behind the user's back.
 *  3. Otherwise the Secret Service is asked for the key stored under the
 *     canonical data directory; when there is none, a new key is made and
 *     stored in the default collection.
 *  4. When the Secret Service cannot be used at all (no session bus, no
 *     service, a locked collection, any error), a new vault.key is created.
 *     Not so when the service holds a key for this data dir that cannot be
 *     read (its keyring stays locked, or the item is damaged): a new key
 *     would make every stored credential unreadable, so that is an error.
 *
 * No session bus is ever started: without DBUS_SESSION_BUS_ADDRESS or
 * $XDG_RUNTIME_DIR/bus the Secret Service counts as unavailable.
 */
#include "config.h"

#include "sm-vault.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define SEALED_VERSION    0x01
#define SEALED_NONCE_SIZE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEALED_TAG_SIZE   crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SEALED_HEADER     (1 + SEALED_NONCE_SIZE)
#define SEALED_MIN_SIZE   (SEALED_HEADER + SEALED_TAG_SIZE)

#define KEYRING_SCHEMA_NAME "com.example.StatusMonitor.VaultKey"
#define KEYRING_ATTRIBUTE   "data-dir"

G_STATIC_ASSERT (SM_VAULT_KEY_SIZE == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
G_STATIC_ASSERT (SEALED_NONCE_SIZE == 24);
G_STATIC_ASSERT (SEALED_TAG_SIZE == 16);

struct _SmVault
{
  GObject         parent_instance;

  SmVaultBackend  backend;
  char           *key_file;

  /* SM_VAULT_KEY_SIZE bytes from sodium_malloc(), no access while
   * key_users is 0, read-only otherwise. */
  guint8         *key;
  GMutex          key_lock;
  guint           key_users;
};

G_DEFINE_FINAL_TYPE (SmVault, sm_vault, G_TYPE_OBJECT)

G_DEFINE_QUARK (sm-vault-error-quark, sm_vault_error)

static gboolean
ensure_sodium (void)
{
  static gsize initialized = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&initialized))
    {
      ok = sodium_init () >= 0;
      g_once_init_leave (&initialized, 1);
    }

  return ok;
}

static const SecretSchema *
vault_key_schema (void)
{
  static const SecretSchema schema = {
    KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { KEYRING_ATTRIBUTE, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static void
sm_vault_finalize (GObject *object)
{
  SmVault *self = (SmVault *)object;

  /* sodium_free() makes the region writable again, wipes it and frees it. */
  g_clear_pointer (&self->key, sodium_free);
  g_clear_pointer (&self->key_file, g_free);
  g_mutex_clear (&self->key_lock);

  G_OBJECT_CLASS (sm_vault_parent_class)->finalize (object);
}

static void
sm_vault_class_init (SmVaultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sm_vault_finalize;
}

static void
sm_vault_init (SmVault *self)
{
  g_mutex_init (&self->key_lock);
}

/* Takes ownership of key, which must come from sodium_malloc(). */
static SmVault *
vault_new_take_key (guint8         *key,
                    SmVaultBackend  backend,
                    const char     *key_file)
{
  SmVault *self = g_object_new (SM_TYPE_VAULT, NULL);

  g_assert (key != NULL);

  self->key = key;
  self->backend = backend;
  self->key_file = g_strdup (key_file);
  sodium_mprotect_noaccess (self->key);

  return self;
}

static const guint8 *
vault_key_acquire (SmVault *self)
{
  g_mutex_lock (&self->key_lock);
  if (self->key_users++ == 0)
    sodium_mprotect_readonly (self->key);
  g_mutex_unlock (&self->key_lock);

  return self->key;
}

static void
vault_key_release (SmVault *self)
{
  g_mutex_lock (&self->key_lock);
  g_assert (self->key_users > 0);
  if (--self->key_users == 0)
    sodium_mprotect_noaccess (self->key);
  g_mutex_unlock (&self->key_lock);
}

static guint8 *
key_buffer_new (void)
{
  guint8 *key = sodium_malloc (SM_VAULT_KEY_SIZE);

  if (key == NULL)
    g_error ("Out of memory allocating the credential key");

  return key;
}

/* Key file. */

static gboolean
read_key_file (const char  *path,
               guint8      *key,
               GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  struct stat st;
  gsize filled = 0;
  guint8 extra;
  int fd;

  /* O_NONBLOCK keeps a FIFO planted under the name from blocking the open. */
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ELOOP)
        {
          g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE,
                       _("%s is a symbolic link; the credential key must be a regular file"),
                       display);
          return FALSE;
        }

      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE,
                   _("The credential key %s cannot be opened: %s"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE,
                   _("The credential key %s cannot be read: %s"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE,
                   _("%s is not a regular file; the credential key must be a regular file"),
                   display);
      return FALSE;
    }

  if (st.st_uid != geteuid ())
    {
      close (fd);
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE,
                   _("%s belongs to another user; the credential key must belong to you"),
                   display);
      return FALSE;
    }

  if ((st.st_mode & 077) != 0)
    {
      close (fd);
      if ((st.st_mode & 044) != 0)
        g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE,
                     _("%s is readable by other users; run chmod 600 %s"),
                     display, display);
      else
        g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE,
                     _("%s can be changed by other users; run chmod 600 %s"),
                     display, display);
      return FALSE;
    }

  if (st.st_size != SM_VAULT_KEY_SIZE)
    {
      g_autofree char *size = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) st.st_size);

      close (fd);
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE,
                   _("%s has %s bytes, expected %d; it is damaged. "
                     "If you remove it, stored passwords must be entered again."),
                   display, size, SM_VAULT_KEY_SIZE);
      return FALSE;
    }

  while (filled < SM_VAULT_KEY_SIZE)
    {
      gssize n = read (fd, key + filled, SM_VAULT_KEY_SIZE - filled);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      filled += n;
    }

  /* The size may have changed since fstat(): insist on exactly 32 bytes. */
  if (filled != SM_VAULT_KEY_SIZE || read (fd, &extra, 1) != 0)
    {
      close (fd);
      sodium_memzero (key, SM_VAULT_KEY_SIZE);
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_KEY_FILE,
                   _("%s could not be read in full, expected %d bytes; it is damaged. "
                     "If you remove it, stored passwords must be entered again."),
                   display, SM_VAULT_KEY_SIZE);
      return FALSE;
    }

  close (fd);
  return TRUE;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      data += n;
      len -= n;
    }

  return TRUE;
}

static void
fsync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  /* Best effort: the key file itself is already on disk. */
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* Creates path with a new random key, or reads the key that another process
 * created first. The file is written under a temporary name created with
 * O_EXCL and mode 0600, then linked into place, so vault.key is never seen
 * half written nor with a wider mode, and an existing one is never
 * replaced. */
static gboolean
create_key_file (const char  *dir,
                 const char  *path,
                 guint8      *key,
                 GError     **error)
{
  g_autofree char *tmp_path = g_build_filename (dir, SM_VAULT_KEY_FILE ".XXXXXX", NULL);
  g_autofree char *display = g_filename_display_name (path);
  int saved_errno;
  int fd;

  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("The credential key %s cannot be created: %s"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  randombytes_buf (key, SM_VAULT_KEY_SIZE);

  /* The umask can only narrow the mode, but make it exactly 0600. */
  if (fchmod (fd, 0600) != 0 ||
      !write_all (fd, key, SM_VAULT_KEY_SIZE) ||
      fsync (fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_unlink (tmp_path);
      sodium_memzero (key, SM_VAULT_KEY_SIZE);
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("The credential key %s cannot be written: %s"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  if (close (fd) != 0)
    {
      saved_errno = errno;
      g_unlink (tmp_path);
      sodium_memzero (key, SM_VAULT_KEY_SIZE);
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("The credential key %s cannot be written: %s"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  if (link (tmp_path, path) != 0)
    {
      saved_errno = errno;
      g_unlink (tmp_path);
      sodium_memzero (key, SM_VAULT_KEY_SIZE);

      /* Another process created the key first: use theirs. */
      if (saved_errno == EEXIST)
        return read_key_file (path, key, error);

      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("The credential key %s cannot be created: %s"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  g_unlink (tmp_path);
  fsync_dir (dir);

  return TRUE;
}

static gboolean
load_or_create_key_file (const char  *dir,
                         const char  *path,
                         guint8      *key,
                         GError     **error)
{
  struct stat st;

  if (lstat (path, &st) == 0 || errno != ENOENT)
    return read_key_file (path, key, error);

  return create_key_file (dir, path, key, error);
}

/* Secret Service. */

/* TRUE if a session bus can be found without starting one. With
 * DBUS_SESSION_BUS_ADDRESS unset and no $XDG_RUNTIME_DIR/bus, GDBus would
 * try to autolaunch a bus through dbus-launch; that is never wanted here. */
static gboolean
have_session_bus (void)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  const char *runtime_dir;
  g_autofree char *socket_path = NULL;
  struct stat st;

  if (address != NULL && *address != '\0')
    return TRUE;

  runtime_dir = g_getenv ("XDG_RUNTIME_DIR");
  if (runtime_dir == NULL || *runtime_dir == '\0')
    return FALSE;

  socket_path = g_build_filename (runtime_dir, "bus", NULL);
  return stat (socket_path, &st) == 0 && S_ISSOCK (st.st_mode);
}

/* TRUE if the Secret Service holds an item for canonical_dir that cannot be
 * read, typically because its collection is locked. The search is by the
 * "data-dir" attribute alone: gnome-keyring does not match the schema name
 * of items in a locked collection. */
static gboolean
keyring_has_locked_key (const char   *canonical_dir,
                        GCancellable *cancellable)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  GList *items;
  gboolean found;

  g_hash_table_insert (attributes, (gpointer) KEYRING_ATTRIBUTE, (gpointer) canonical_dir);
  items = secret_service_search_sync (NULL, NULL, attributes, SECRET_SEARCH_ALL,
                                      cancellable, NULL);
  found = items != NULL;
  g_list_free_full (items, g_object_unref);

  return found;
}

/* Fills key from the Secret Service, making and storing a new one when
 * there is none. On failure *may_fall_back tells whether the key file may
 * be used instead: yes when the service cannot be used at all, no when it
 * holds a key that cannot be read (locked or damaged: a new key would make
 * every stored credential unreadable) or when the call was cancelled. */
static gboolean
keyring_load_or_create (const char    *canonical_dir,
                        guint8        *key,
                        gboolean      *may_fall_back,
                        GCancellable  *cancellable,
                        GError       **error)
{
  const SecretSchema *schema = vault_key_schema ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = g_filename_display_name (canonical_dir);
  const gsize encoded_size = sodium_base64_ENCODED_LEN (SM_VAULT_KEY_SIZE,
                                                        sodium_base64_VARIANT_ORIGINAL);
  char *encoded;
  char *stored;
  gsize key_len = 0;
  gboolean stored_ok;
  int rc;

  *may_fall_back = TRUE;

  if (!have_session_bus ())
    {
      g_set_error_literal (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                           _("The Secret Service is not available: there is no D-Bus session bus"));
      return FALSE;
    }

  /* This may show a prompt to unlock the keyring. */
  stored = secret_password_lookup_nonpageable_sync (schema, cancellable, &local_error,
                                                    KEYRING_ATTRIBUTE, canonical_dir,
                                                    NULL);
  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          *may_fall_back = FALSE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("The Secret Service is not available: %s"),
                   local_error->message);
      return FALSE;
    }

  if (stored != NULL)
    {
      rc = sodium_base642bin (key, SM_VAULT_KEY_SIZE, stored, strlen (stored),
                              NULL, &key_len, NULL, sodium_base64_VARIANT_ORIGINAL);
      secret_password_free (stored);

      if (rc != 0 || key_len != SM_VAULT_KEY_SIZE)
        {
          sodium_memzero (key, SM_VAULT_KEY_SIZE);
          *may_fall_back = FALSE;
          g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_FAILED,
                       _("The credential key for %s in the keyring is damaged. "
                         "If you remove it, stored passwords must be entered again."),
                       display);
          return FALSE;
        }

      return TRUE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      *may_fall_back = FALSE;
      return FALSE;
    }

  /* Nothing came back: either there is no key yet, or it sits in a keyring
   * that stayed locked (the unlock prompt was dismissed or could not be
   * shown). Only the first may be answered with a new key. */
  if (keyring_has_locked_key (canonical_dir, cancellable))
    {
      *may_fall_back = FALSE;
      g_set_error_literal (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                           _("The credential key is in a locked keyring. "
                             "Unlock the keyring and try again."));
      return FALSE;
    }

  /* Make a new key. Its base64 text lives in guarded memory. */
  encoded = sodium_malloc (encoded_size);
  if (encoded == NULL)
    g_error ("Out of memory allocating the credential key");

  randombytes_buf (key, SM_VAULT_KEY_SIZE);
  sodium_bin2base64 (encoded, encoded_size, key, SM_VAULT_KEY_SIZE,
                     sodium_base64_VARIANT_ORIGINAL);
  stored_ok = secret_password_store_sync (schema, SECRET_COLLECTION_DEFAULT,
                                          _("Status Monitor credential key"),
                                          encoded, cancellable, &local_error,
                                          KEYRING_ATTRIBUTE, canonical_dir,
                                          NULL);
  sodium_free (encoded);

  if (!stored_ok)
    {
      sodium_memzero (key, SM_VAULT_KEY_SIZE);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          *may_fall_back = FALSE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* The default collection is locked, or there is none and it could
       * not be created. */
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_NO_BACKEND,
                   _("The credential key cannot be stored in the Secret Service: %s"),
                   local_error != NULL ? local_error->message : _("the keyring is locked"));
      return FALSE;
    }

  return TRUE;
}

typedef enum {
  POLICY_AUTO,
  POLICY_FILE,
  POLICY_KEYRING,
} BackendPolicy;

static gboolean
get_policy (BackendPolicy  *policy,
            GError        **error)
{
  const char *value = g_getenv ("SM_VAULT_BACKEND");

  if (value == NULL || *value == '\0')
    *policy = POLICY_AUTO;
  else if (g_str_equal (value, "file"))
    *policy = POLICY_FILE;
  else if (g_str_equal (value, "keyring"))
    *policy = POLICY_KEYRING;
  else
    {
      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_FAILED,
                   _("SM_VAULT_BACKEND must be “file” or “keyring”, not “%s”"),
                   value);
      return FALSE;
    }

  return TRUE;
}

/**
 * sm_vault_open:
 * @data_dir: the data directory; created (mode 0700) if missing
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads or creates the master key for @data_dir. Blocking: it may talk to
 * the Secret Service, which can show an unlock prompt.
 *
 * Returns: (transfer full): a new #SmVault, or %NULL with @error set
 */
SmVault *
sm_vault_open (const char    *data_dir,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *canonical_dir = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr(GError) keyring_error = NULL;
  BackendPolicy policy;
  gboolean may_fall_back = FALSE;
  struct stat st;
  guint8 *key;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ensure_sodium ())
    {
      g_set_error_literal (error, SM_VAULT_ERROR, SM_VAULT_ERROR_FAILED,
                           _("The encryption library could not be initialized"));
      return NULL;
    }

  if (!get_policy (&policy, error))
    return NULL;

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (data_dir);

      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_FAILED,
                   _("The data folder %s cannot be created: %s"),
                   display, g_strerror (saved_errno));
      return NULL;
    }

  canonical_dir = realpath (data_dir, NULL);
  if (canonical_dir == NULL || stat (canonical_dir, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      int saved_errno = canonical_dir == NULL ? errno : ENOTDIR;
      g_autofree char *display = g_filename_display_name (data_dir);

      g_set_error (error, SM_VAULT_ERROR, SM_VAULT_ERROR_FAILED,
                   _("The data folder %s cannot be used: %s"),
                   display, g_strerror (saved_errno));
      return NULL;
    }

  key_path = g_build_filename (canonical_dir, SM_VAULT_KEY_FILE, NULL);
  key = key_buffer_new ();

  switch (policy)
    {
    case POLICY_FILE:
      break;

    case POLICY_KEYRING:
      if (!keyring_load_or_create (canonical_dir, key, &may_fall_back, cancellable, error))
        {
          sodium_free (key);
          return NULL;
        }
      return vault_new_take_key (key, SM_VAULT_BACKEND_KEYRING, NULL);

    case POLICY_AUTO:
    default:
      /* An existing key file always wins, even a bad one. */
      if (lstat (key_path, &st) == 0 || errno != ENOENT)
        break;

      if (keyring_load_or_create (canonical_dir, key, &may_fall_back, cancellable,
                                  &keyring_error))
        return vault_new_take_key (key, SM_VAULT_BACKEND_KEYRING, NULL);

      if (!may_fall_back)
        {
          sodium_free (key);
          g_propagate_error (error, g_steal_pointer (&keyring_error));
          return NULL;
        }
      g_debug ("Using %s for the credential key: %s", key_path, keyring_error->message);
      break;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !load_or_create_key_file (canonical_dir, key_path, key, error))
    {
      sodium_free (key);
      return NULL;
    }

  return vault_new_take_key (key, SM_VAULT_BACKEND_FILE, key_path);
}

/**
 * sm_vault_new_with_key:
 * @key: (array fixed-size=32): the master key
 *
 * Makes a vault around a key held only in memory (backend
 * %SM_VAULT_BACKEND_NONE). @key is copied.
 *
 * Returns: (transfer full): a new #SmVault
 */
SmVault *
sm_vault_new_with_key (const guint8 *key)
{
  guint8 *copy;

  g_return_val_if_fail (key != NULL, NULL);

  if (!ensure_sodium ())
    g_error ("libsodium could not be initialized");

  copy = key_buffer_new ();
  memcpy (copy, key, SM_VAULT_KEY_SIZE);

  return vault_new_take_key (copy, SM_VAULT_BACKEND_NONE, NULL);
}

SmVaultBackend
sm_vault_get_backend (SmVault *self)
{
  g_return_val_if_fail (SM_IS_VAULT (self), SM_VAULT_BACKEND_NONE);

  return self->backend;
}

const char *
sm_vault_get_key_file (SmVault *self)
{
  g_return_val_if_fail (SM_IS_VAULT (self), NULL);

  return self->backend == SM_VAULT_BACKEND_FILE ? self->key_file : NULL;
}

/**
 * sm_vault_encrypt:
 * @self: a #SmVault
 * @associated_data: the identity of the value (e.g. "server:42:password");
 *   the same string must be given to sm_vault_decrypt()
 * @plaintext: (array length=len): the value
 * @len: length of @plaintext in bytes
 * @error: return location for a #GError
 *
 * Returns: (transfer full): 0x01 || nonce || ciphertext+tag
 */
GBytes *
sm_vault_encrypt (SmVault     *self,
                  const char  *associated_data,
                  const char  *plaintext,
                  gsize        len,
                  GError     **error)
{
  guint8 *sealed;
  const guint8 *key;
  unsigned long long sealed_len = 0;
  gsize size;

  g_return_val_if_fail (SM_IS_VAULT (self), NULL);
  g_return_val_if_fail (associated_data != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
      len > G_MAXSIZE - SEALED_MIN_SIZE)
    {
      g_set_error_literal (error, SM_VAULT_ERROR, SM_VAULT_ERROR_FAILED,
                           _("The value is too large to be stored"));
      return NULL;
    }

  size = SEALED_MIN_SIZE + len;
  sealed = g_malloc (size);
  sealed[0] = SEALED_VERSION;
  randombytes_buf (sealed + 1, SEALED_NONCE_SIZE);

  key = vault_key_acquire (self);
  crypto_aead_xchacha20poly1305_ietf_encrypt (sealed + SEALED_HEADER, &sealed_len,
                                              (const guint8 *) plaintext, len,
                                              (const guint8 *) associated_data,
                                              strlen (associated_data),
                                              NULL, sealed + 1, key);
  vault_key_release (self);

  g_assert (sealed_len == len + SEALED_TAG_SIZE);

  return g_bytes_new_take (sealed, size);
}

/**
 * sm_vault_decrypt:
 * @self: a #SmVault
 * @associated_data: the string given to sm_vault_encrypt()
 * @sealed: a value from sm_vault_encrypt()
 * @out_len: (out) (optional): length of the value, without the NUL
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the value, NUL-terminated, in guarded memory;
 *   free it with sm_secret_free()
 */
char *
sm_vault_decrypt (SmVault     *self,
                  const char  *associated_data,
                  GBytes      *sealed,
                  gsize       *out_len,
                  GError     **error)
{
  const guint8 *data;
  const guint8 *key;
  unsigned long long plain_len = 0;
  gsize size = 0;
  char *plain;
  int rc;

  g_return_val_if_fail (SM_IS_VAULT (self), NULL);
  g_return_val_if_fail (associated_data != NULL, NULL);
  g_return_val_if_fail (sealed != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_len != NULL)
    *out_len = 0;

  data = g_bytes_get_data (sealed, &size);
  if (data == NULL || size < SEALED_MIN_SIZE || data[0] != SEALED_VERSION)
    goto unavailable;

  plain = sodium_malloc (size - SEALED_MIN_SIZE + 1);
  if (plain == NULL)
    g_error ("Out of memory allocating a decrypted value");

  key = vault_key_acquire (self);
  rc = crypto_aead_xchacha20poly1305_ietf_decrypt ((guint8 *) plain, &plain_len, NULL,
                                                   data + SEALED_HEADER,
                                                   size - SEALED_HEADER,
                                                   (const guint8 *) associated_data,
                                                   strlen (associated_data),
                                                   data + 1, key);
  vault_key_release (self);

  if (rc != 0)
    {
      sodium_free (plain);
      goto unavailable;
    }

  g_assert (plain_len == size - SEALED_MIN_SIZE);
  plain[plain_len] = '\0';

  if (out_len != NULL)
    *out_len = plain_len;

  return plain;

unavailable:
  g_set_error_literal (error, SM_VAULT_ERROR, SM_VAULT_ERROR_UNAVAILABLE,
                       _("Credentials unavailable: the stored value cannot be decrypted "
                         "(wrong key or damaged data)"));
  return NULL;
}

/**
 * sm_secret_free:
 * @secret: (nullable): a value from sm_vault_decrypt()
 *
 * Wipes and frees @secret.
 */
void
sm_secret_free (char *secret)
{
  /* sodium_free() zeroes the whole allocation before releasing it, and
   * accepts NULL. */
  sodium_free (secret);
}

/**
 * sm_secret_dup:
 * @secret: (nullable): a NUL-terminated secret
 *
 * Copies @secret into guarded memory, as sm_vault_decrypt() returns it.
 *
 * Returns: (transfer full) (nullable): the copy, or %NULL if @secret is
 *   %NULL; free it with sm_secret_free()
 */
char *
sm_secret_dup (const char *secret)
{
  gsize len;
  char *copy;

  if (secret == NULL)
    return NULL;

  /* sodium_malloc needs the library initialized (guard pages). */
  if (!ensure_sodium ())
    g_error ("libsodium could not be initialized");

  len = strlen (secret);
  copy = sodium_malloc (len + 1);
  if (copy == NULL)
    g_error ("Out of memory allocating a secret");
  memcpy (copy, secret, len + 1);

  return copy;
}
