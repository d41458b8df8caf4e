/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sm-vault.h: encrypts credentials with a 32-byte master key.
 *
 * Values are sealed with libsodium's XChaCha20-Poly1305 (IETF) AEAD, a random
 * nonce per value, and the row's identity as associated data. The sealed form
 * is: 1 version byte (0x01) || 24-byte nonce || ciphertext+tag.
 *
 * The master key lives in the Secret Service (libsecret, schema
 * "com.example.StatusMonitor.VaultKey", attribute "data-dir") or, where no
 * Secret Service answers, in DATA_DIR/vault.key (mode 0600, 32 raw bytes).
 * A vault.key that exists is always used. SM_VAULT_BACKEND=file|keyring in
 * the environment forces one backend.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SM_VAULT_KEY_SIZE 32
#define SM_VAULT_KEY_FILE "vault.key"

typedef enum {
  SM_VAULT_BACKEND_NONE,      /* in-memory key (sm_vault_new_with_key) */
  SM_VAULT_BACKEND_KEYRING,
  SM_VAULT_BACKEND_FILE,
} SmVaultBackend;

#define SM_VAULT_ERROR (sm_vault_error_quark ())
GQuark sm_vault_error_quark (void);

typedef enum {
  /* A value cannot be decrypted: tampered, truncated, wrong key or wrong
   * associated data. The message is "credentials unavailable" plus a hint,
   * never the value. */
  SM_VAULT_ERROR_UNAVAILABLE,
  /* vault.key is unusable: wrong size, or readable by others. */
  SM_VAULT_ERROR_KEY_FILE,
  /* Neither the Secret Service nor the key file could be used. */
  SM_VAULT_ERROR_NO_BACKEND,
  SM_VAULT_ERROR_FAILED,
} SmVaultError;

#define SM_TYPE_VAULT (sm_vault_get_type ())
G_DECLARE_FINAL_TYPE (SmVault, sm_vault, SM, VAULT, GObject)

/* Loads or creates the master key for data_dir (blocking: call from a worker
 * in the UI). */
SmVault        *sm_vault_open               (const char    *data_dir,
                                             GCancellable  *cancellable,
                                             GError       **error);
SmVault        *sm_vault_new_with_key       (const guint8  *key);
SmVaultBackend  sm_vault_get_backend        (SmVault       *self);
/* The key file's path when the backend is FILE, else NULL. */
const char     *sm_vault_get_key_file       (SmVault       *self);

GBytes         *sm_vault_encrypt            (SmVault       *self,
                                             const char    *associated_data,
                                             const char    *plaintext,
                                             gsize          len,
                                             GError       **error);
/* Returns a NUL-terminated copy in guarded memory; free with sm_secret_free. */
char           *sm_vault_decrypt            (SmVault       *self,
                                             const char    *associated_data,
                                             GBytes        *sealed,
                                             gsize         *out_len,
                                             GError       **error);

/* Wipes and frees a secret returned by sm_vault_decrypt or sm_secret_dup
 * (NULL is fine). */
typedef char SmSecret;
void            sm_secret_free              (char          *secret);
/* A copy of a NUL-terminated secret in guarded memory (NULL gives NULL);
 * free with sm_secret_free. */
char           *sm_secret_dup               (const char    *secret);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmSecret, sm_secret_free)

G_END_DECLS
