/*
 * crypto.h -- thin wrappers over OpenSSL (libcrypto) for everything secret:
 * hashes, HMAC, base64/hex, constant-time compare, random tokens, the
 * master key and AES-256-GCM sealed values.  Nothing here hand-rolls a
 * primitive; the wrappers only fix sizes and error conventions.
 *
 * Sealed value layout (stored in VARBINARY columns):
 *
 *	'F' | version (1) | key id (4, big endian) | nonce (12) | ct | tag (16)
 *
 * The AAD names the row the value belongs to (one table of them in
 * keyring.h, e.g. "user_auth_token:<token id>"), so a ciphertext copied
 * to another row does not open.  Which key seals and opens what, and
 * reloading it after a rotation, is keyring.c's.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FP_TOKEN_LEN		64	/* 48 random bytes, standard base64 */
#define SEAL_OVERHEAD		(1 + 1 + 4 + 12 + 16)
#define SEAL_LEN(n)		((n) + SEAL_OVERHEAD)
#define B64_LEN(n)		(4 * (((n) + 2) / 3))	/* without the NUL */

struct fp_key {
	unsigned char	k[32];
	uint32_t	id;		/* first 4 bytes of SHA-256(k) */
};

int	 crypto_random(void *, size_t);			/* 0 or -1 */
void	 sha256(const void *, size_t, unsigned char out[32]);
void	 sha256_hex(const void *, size_t, char out[65]);
void	 hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t msglen, unsigned char out[32]);
void	 hex_encode(const unsigned char *, size_t, char *out); /* 2n+1 */
int	 hex_decode(const char *, size_t, unsigned char *out, size_t outsz);
int	 hex_value(char);			/* 0..15, or -1 */
size_t	 b64_encode(const unsigned char *, size_t, char *out); /* B64_LEN+1 */
int	 b64_decode(const char *, size_t, unsigned char *out, size_t outsz);
							/* exact length or -1 */
bool	 crypto_eq(const void *, const void *, size_t);	/* constant time */
void	 crypto_wipe(void *, size_t);

/* The master key file holds 64 hex characters (and an optional newline). */
int	 key_load(struct fp_key *, const char *path, char *err, size_t);
int	 key_generate(struct fp_key *);
int	 key_write(const struct fp_key *, const char *path, char *err,
	    size_t);			/* mode 0600, write + rename */
int	 key_write_as(const struct fp_key *, const char *path, uid_t, gid_t,
	    mode_t, char *err, size_t);	/* that owner (-1: ours), mode */

int	 crypto_seal(const struct fp_key *, const char *aad, const void *pt,
	    size_t ptlen, unsigned char *out, size_t *outlen);
					/* out >= SEAL_LEN(ptlen); 0 or -1 */
int	 crypto_open(const struct fp_key *, const char *aad,
	    const unsigned char *blob, size_t bloblen, unsigned char *pt,
	    size_t *ptlen);		/* pt >= bloblen; -1: tampered/wrong key */

/* FP tokens (reference §7.1) and SNWS2 token ids/secrets. */
int	 token_generate(char out[FP_TOKEN_LEN + 1]);
void	 token_digest(const char *, size_t, unsigned char out[32]);
int	 random_ident(char *out, size_t n);	/* n chars of [0-9A-Za-z._-]
						   and a NUL: out[n + 1] */

#endif /* CRYPTO_H */
