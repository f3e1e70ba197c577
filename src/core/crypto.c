/*
 * crypto.c -- every use of OpenSSL's libcrypto in oscp-fp: SHA-256, HMAC,
 * hex and base64, constant-time comparison, random bytes, FP tokens and
 * identifiers, the master key file and AES-256-GCM sealed values.
 *
 * Nothing here implements a primitive.  The wrappers fix buffer sizes,
 * turn OpenSSL's return conventions into 0/-1 and make sure key material
 * in temporaries is wiped.  No function logs; errors that a caller must
 * explain (the key file) are written into a caller buffer and never
 * contain key bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto.h"

#define SEAL_MAGIC	'F'
#define SEAL_VERSION	1
#define SEAL_HDR	(1 + 1 + 4)
#define SEAL_NONCE	12
#define SEAL_TAG	16
#define KEY_HEX		64

static const char	 b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char	 ident_alpha[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-";
#define IDENT_N		(sizeof(ident_alpha) - 1)	/* 65 */
#define IDENT_LIMIT	(256 / IDENT_N * IDENT_N)	/* 195 */

int
crypto_random(void *buf, size_t n)
{
	unsigned char	*p = buf;
	int		 chunk;

	while (n > 0) {
		chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (RAND_bytes(p, chunk) != 1)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

void
sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int	 outlen = 32;

	if (EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL) != 1)
		abort();	/* only fails when libcrypto is unusable */
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char	 md[32];

	sha256(data, len, md);
	hex_encode(md, sizeof(md), out);
}

void
hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char out[32])
{
	unsigned int	 outlen = 32;

	if (keylen > INT_MAX ||
	    HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out,
	    &outlen) == NULL)
		abort();
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode len hex digits (either case).  Returns the number of bytes
 * written, or -1 for an odd length, a non-hex character or an output
 * buffer that is too small.
 */
int
hex_decode(const char *in, size_t len, unsigned char *out, size_t outsz)
{
	size_t	 i;
	int	 hi, lo;

	if (len % 2 != 0 || len / 2 > outsz || len / 2 > INT_MAX)
		return -1;
	for (i = 0; i < len; i += 2) {
		if ((hi = hex_value(in[i])) < 0 ||
		    (lo = hex_value(in[i + 1])) < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(len / 2);
}

/* Standard base64 with padding; out holds B64_LEN(n) + 1. */
size_t
b64_encode(const unsigned char *in, size_t n, char *out)
{
	const size_t	 max = (size_t)3 << 28;	/* output stays < INT_MAX */
	size_t		 done = 0;
	int		 w;

	/* EVP_EncodeBlock takes an int; feed it multiples of 3 bytes. */
	while (n - done > max) {
		(void)EVP_EncodeBlock((unsigned char *)out + done / 3 * 4,
		    in + done, (int)max);
		done += max;
	}
	w = EVP_EncodeBlock((unsigned char *)out + done / 3 * 4, in + done,
	    (int)(n - done));
	return done / 3 * 4 + (size_t)w;
}

/*
 * Decode standard base64 (with '=' padding, no whitespace).  EVP_DecodeBlock
 * accepts whitespace and treats '=' as zero bits, so the input is checked
 * here first and the padding subtracted from its rounded-up length.
 * Returns the exact decoded length or -1.
 */
int
b64_decode(const char *in, size_t len, unsigned char *out, size_t outsz)
{
	unsigned char	 tmp[3];
	size_t		 i, pad = 0, outlen, o;
	int		 w;

	if (len % 4 != 0 || len / 4 * 3 > INT_MAX)
		return -1;
	if (len == 0)
		return 0;
	if (in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++)
		if (in[i] == '\0' || strchr(b64_alpha, in[i]) == NULL)
			return -1;
	outlen = len / 4 * 3 - pad;
	if (outlen > outsz)
		return -1;
	for (i = 0, o = 0; i < len; i += 4) {
		w = EVP_DecodeBlock(tmp, (const unsigned char *)in + i, 4);
		if (w != 3)
			return -1;
		memcpy(out + o, tmp, outlen - o < 3 ? outlen - o : 3);
		o += 3;
	}
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return (int)outlen;
}

bool
crypto_eq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
crypto_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

static uint32_t
key_id(const unsigned char k[32])
{
	unsigned char	 md[32];
	uint32_t	 id;

	sha256(k, 32, md);
	id = (uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 |
	    (uint32_t)md[2] << 8 | md[3];
	OPENSSL_cleanse(md, sizeof(md));
	return id;
}

/*
 * Read the master key: exactly 64 hex characters, optionally followed by
 * one newline.  The file content is read into a fixed buffer that is
 * wiped before returning.
 */
int
key_load(struct fp_key *key, const char *path, char *err, size_t errlen)
{
	char		 buf[KEY_HEX + 3];
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd, rc = -1;

	memset(key, 0, sizeof(*key));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "master key %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (len < sizeof(buf)) {
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "master key %s: read: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len == KEY_HEX + 1 && buf[KEY_HEX] == '\n')
		len = KEY_HEX;
	if (len != KEY_HEX) {
		snprintf(err, errlen, "master key %s: expected 64 hex "
		    "characters and an optional newline", path);
		goto out;
	}
	if (hex_decode(buf, KEY_HEX, key->k, sizeof(key->k)) != 32) {
		snprintf(err, errlen, "master key %s: not a hex string", path);
		goto out;
	}
	key->id = key_id(key->k);
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc != 0)
		OPENSSL_cleanse(key, sizeof(*key));
	close(fd);
	return rc;
}

int
key_generate(struct fp_key *key)
{
	if (crypto_random(key->k, sizeof(key->k)) != 0) {
		OPENSSL_cleanse(key, sizeof(*key));
		return -1;
	}
	key->id = key_id(key->k);
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Write the key as 64 hex characters and a newline to a temporary file
 * (mode 0600) beside path, fsync it, rename it over path and fsync the
 * directory, so a crash leaves either the old or the new key.
 */
int
key_write(const struct fp_key *key, const char *path, char *err,
    size_t errlen)
{
	return key_write_as(key, path, (uid_t)-1, (gid_t)-1, 0600, err,
	    errlen);
}

/*
 * key_write() with the new file's owner, group (-1: the writer's) and
 * permission bits, set on the temporary file before the rename, so the
 * key never exists under path with other modes.
 */
int
key_write_as(const struct fp_key *key, const char *path, uid_t uid,
    gid_t gid, mode_t mode, char *err, size_t errlen)
{
	struct stat	 st;
	char		 hex[KEY_HEX + 2], *tmp = NULL, *dir = NULL, *slash;
	size_t		 plen;
	int		 fd = -1, dfd, rc = -1;

	plen = strlen(path);
	if ((tmp = malloc(plen + sizeof(".XXXXXX"))) == NULL ||
	    (dir = strdup(path)) == NULL) {
		snprintf(err, errlen, "master key %s: out of memory", path);
		goto out;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", sizeof(".XXXXXX"));
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "master key %s: create temporary: %s",
		    path, strerror(errno));
		goto out;
	}
	hex_encode(key->k, sizeof(key->k), hex);
	hex[KEY_HEX] = '\n';
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "master key %s: stat: %s", path,
		    strerror(errno));
		goto out;
	}
	if (uid == st.st_uid)
		uid = (uid_t)-1;
	if (gid == st.st_gid)
		gid = (gid_t)-1;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    fchown(fd, uid, gid) == -1) {
		snprintf(err, errlen, "master key %s: owner %ld:%ld: %s", path,
		    uid == (uid_t)-1 ? (long)st.st_uid : (long)uid,
		    gid == (gid_t)-1 ? (long)st.st_gid : (long)gid,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode & 0777) == -1 ||
	    write_all(fd, hex, KEY_HEX + 1) == -1 || fsync(fd) == -1) {
		snprintf(err, errlen, "master key %s: write: %s", path,
		    strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		snprintf(err, errlen, "master key %s: close: %s", path,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "master key %s: rename: %s", path,
		    strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	OPENSSL_cleanse(hex, sizeof(hex));
	if (fd != -1)
		close(fd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	free(dir);
	return rc;
}

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * AES-256-GCM with a fresh random 12-byte nonce.  The header bytes are
 * not part of the AAD: the key id is checked before decryption and the
 * magic and version select the format, and flipping any of them makes
 * open fail anyway.  The AAD is the caller's row name.
 */
int
crypto_seal(const struct fp_key *key, const char *aad, const void *pt,
    size_t ptlen, unsigned char *out, size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	*nonce = out + SEAL_HDR, *ct = nonce + SEAL_NONCE;
	size_t		 aadlen = aad == NULL ? 0 : strlen(aad);
	int		 n, fin, rc = -1;

	if (ptlen > INT_MAX - SEAL_OVERHEAD || aadlen > INT_MAX)
		return -1;
	out[0] = SEAL_MAGIC;
	out[1] = SEAL_VERSION;
	put_be32(out + 2, key->id);
	if (crypto_random(nonce, SEAL_NONCE) != 0)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE,
	    NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key->k, nonce) != 1)
		goto out;
	if (aadlen > 0 && EVP_EncryptUpdate(ctx, NULL, &n,
	    (const unsigned char *)aad, (int)aadlen) != 1)
		goto out;
	n = 0;
	if (ptlen > 0 && EVP_EncryptUpdate(ctx, ct, &n, pt, (int)ptlen) != 1)
		goto out;
	if (EVP_EncryptFinal_ex(ctx, ct + n, &fin) != 1 ||
	    (size_t)(n + fin) != ptlen)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG,
	    ct + ptlen) != 1)
		goto out;
	*outlen = SEAL_LEN(ptlen);
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (rc != 0)
		OPENSSL_cleanse(out, SEAL_LEN(ptlen));
	return rc;
}

int
crypto_open(const struct fp_key *key, const char *aad,
    const unsigned char *blob, size_t bloblen, unsigned char *pt,
    size_t *ptlen)
{
	EVP_CIPHER_CTX	*ctx;
	const unsigned char *nonce, *ct, *tag;
	unsigned char	 tagbuf[SEAL_TAG];
	size_t		 ctlen, aadlen = aad == NULL ? 0 : strlen(aad);
	int		 n = 0, fin, rc = -1;

	if (bloblen < SEAL_OVERHEAD || bloblen > INT_MAX || aadlen > INT_MAX)
		return -1;
	if (blob[0] != SEAL_MAGIC || blob[1] != SEAL_VERSION ||
	    get_be32(blob + 2) != key->id)
		return -1;
	nonce = blob + SEAL_HDR;
	ct = nonce + SEAL_NONCE;
	ctlen = bloblen - SEAL_OVERHEAD;
	tag = ct + ctlen;
	memcpy(tagbuf, tag, SEAL_TAG);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE,
	    NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key->k, nonce) != 1)
		goto out;
	if (aadlen > 0 && EVP_DecryptUpdate(ctx, NULL, &n,
	    (const unsigned char *)aad, (int)aadlen) != 1)
		goto out;
	n = 0;
	if (ctlen > 0 && EVP_DecryptUpdate(ctx, pt, &n, ct, (int)ctlen) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG,
	    tagbuf) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(ctx, pt + n, &fin) != 1 ||
	    (size_t)(n + fin) != ctlen)
		goto out;
	*ptlen = ctlen;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (rc != 0)
		OPENSSL_cleanse(pt, ctlen);
	return rc;
}

/* 48 random bytes in standard base64: exactly FP_TOKEN_LEN characters. */
int
token_generate(char out[FP_TOKEN_LEN + 1])
{
	unsigned char	 raw[48];
	size_t		 n;

	if (crypto_random(raw, sizeof(raw)) != 0)
		return -1;
	n = b64_encode(raw, sizeof(raw), out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return n == FP_TOKEN_LEN ? 0 : -1;
}

void
token_digest(const char *token, size_t len, unsigned char out[32])
{
	sha256(token, len, out);
}

/*
 * n characters from [0-9A-Za-z._-], then a NUL: out holds n + 1 bytes.
 * That alphabet has 65 characters, so random bytes of 195 and above are
 * rejected and the rest reduced modulo 65, which leaves no bias.
 */
int
random_ident(char *out, size_t n)
{
	unsigned char	 buf[64];
	size_t		 i = 0, j;

	while (i < n) {
		if (crypto_random(buf, sizeof(buf)) != 0)
			return -1;
		for (j = 0; j < sizeof(buf) && i < n; j++)
			if (buf[j] < IDENT_LIMIT)
				out[i++] = ident_alpha[buf[j] % IDENT_N];
	}
	out[n] = '\0';
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}
