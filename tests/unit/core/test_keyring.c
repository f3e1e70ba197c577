/*
 * test_keyring.c -- src/keyring.c: the AAD table (byte strings that
 * existing sealed rows depend on), loading the current and previous key,
 * reloading after a rotation, and a key file that changes into something
 * unreadable: the held keys stay, values still open, sealing refuses,
 * and nothing is ever sealed under an all-zero key.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "fp.h"
#include "keyring.h"
#include "unit.h"

static char	 tmpdir[64];

static int
suite_init(void)
{
	strcpy(tmpdir, "/tmp/test_keyring.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Overwrite path in place (same inode, like an editor or `cp`). */
static void
write_in_place(const char *path, const char *data)
{
	int	 fd;
	size_t	 n = strlen(data);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(write(fd, data, n) == (ssize_t)n);
	close(fd);
}

static void
new_key(struct fp_key *k, const char *path)
{
	char	 err[256];

	CU_ASSERT_FATAL(key_generate(k) == 0);
	CU_ASSERT_FATAL(key_write(k, path, err, sizeof(err)) == 0);
}

static uint32_t
blob_key_id(const unsigned char *b)
{
	return (uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 |
	    (uint32_t)b[4] << 8 | b[5];
}

static void
test_aad_table(void)
{
	static const struct {
		enum aad_kind	 kind;
		const char	*want;
		bool		 by_token;
	} rows[] = {
		{ AAD_AUTH_TOKEN, "user_auth_token:Ab-9._x", true },
		{ AAD_CP_TOKEN, "oscp_cp_token:12:-3", false },
		{ AAD_CO_TOKEN, "oscp_co_token:12:-3", false },
		{ AAD_CP_SECRET, "oscp_cp_secret:12:-3", false },
		{ AAD_CO_SECRET, "oscp_co_secret:12:-3", false },
		{ AAD_FP_NEXT, "oscp_fp_next:12:-3", false },
	};
	struct arena	*a = arena_new(4096);
	char		*s;
	size_t		 i;

	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_EQUAL(sizeof(rows) / sizeof(rows[0]), AAD__MAX);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		s = aad_build(a, rows[i].kind, "Ab-9._x", 12, -3);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_STRING_EQUAL(s, rows[i].want);
		CU_ASSERT_EQUAL(aad_by_token(rows[i].kind), rows[i].by_token);
	}
	s = aad_build(a, AAD_CP_SECRET, NULL, 9223372036854775807LL, 1);
	CU_ASSERT_STRING_EQUAL(s, "oscp_cp_secret:9223372036854775807:1");
	CU_ASSERT_PTR_NULL(aad_build(a, AAD_AUTH_TOKEN, NULL, 1, 1));
	CU_ASSERT_PTR_NULL(aad_build(a, AAD__MAX, "x", 1, 1));
	CU_ASSERT_FALSE(aad_by_token(AAD__MAX));
	arena_free(a);
}

static void
test_load_and_old(void)
{
	struct keyring	 kr;
	struct fp_key	 k1, k0;
	char		 path[128], old[160], err[512];
	unsigned char	 blob[SEAL_LEN(5)], pt[SEAL_LEN(5)];
	size_t		 len, ptlen;

	snprintf(path, sizeof(path), "%s/load.key", tmpdir);
	snprintf(old, sizeof(old), "%s.old", path);
	memset(&kr, 0, sizeof(kr));

	/* Missing file: -1 with a message, nothing held. */
	CU_ASSERT_EQUAL(keyring_load(&kr, path, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_FALSE(kr.have_cur);

	new_key(&k1, path);
	CU_ASSERT_EQUAL_FATAL(keyring_load(&kr, path, err, sizeof(err)), 0);
	CU_ASSERT(kr.have_cur && !kr.have_old && !kr.stale);
	CU_ASSERT(crypto_eq(kr.cur.k, k1.k, 32));

	/* Sealed by the ring: current key, opens with the ring. */
	CU_ASSERT_EQUAL(keyring_seal(&kr, "aad", "hello", 5, blob, &len), 0);
	CU_ASSERT_EQUAL(blob_key_id(blob), k1.id);
	CU_ASSERT_EQUAL(keyring_open(&kr, "aad", blob, len, pt, &ptlen), 0);
	CU_ASSERT(ptlen == 5 && memcmp(pt, "hello", 5) == 0);
	CU_ASSERT_EQUAL(keyring_open(&kr, "aaD", blob, len, pt, &ptlen), -1);

	/* With <path>.old beside it, values under the old key open too. */
	new_key(&k0, old);
	CU_ASSERT_EQUAL_FATAL(keyring_load(&kr, path, err, sizeof(err)), 0);
	CU_ASSERT(kr.have_old);
	CU_ASSERT_FATAL(crypto_seal(&k0, "aad", "hello", 5, blob, &len) == 0);
	CU_ASSERT_EQUAL(keyring_open(&kr, "aad", blob, len, pt, &ptlen), 0);
	/* ...but new values are sealed under the current key. */
	CU_ASSERT_EQUAL(keyring_seal(&kr, "aad", "hello", 5, blob, &len), 0);
	CU_ASSERT_EQUAL(blob_key_id(blob), k1.id);

	/* A failed load leaves the ring as it was. */
	snprintf(old, sizeof(old), "%s/missing.key", tmpdir);
	CU_ASSERT_EQUAL(keyring_load(&kr, old, err, sizeof(err)), -1);
	CU_ASSERT(kr.have_cur && kr.have_old);
	CU_ASSERT_PTR_EQUAL(kr.path, path);
	CU_ASSERT(crypto_eq(kr.cur.k, k1.k, 32));
	CU_ASSERT(crypto_eq(kr.old.k, k0.k, 32));

	keyring_wipe(&kr);
	CU_ASSERT_FALSE(kr.have_cur);
	crypto_wipe(&k1, sizeof(k1));
	crypto_wipe(&k0, sizeof(k0));
}

/* What `oscp-admin key rotate` does to the files, seen by a worker. */
static void
test_rotation_reload(void)
{
	struct keyring	 kr;
	struct fp_key	 k1, k2;
	char		 path[128], old[160], err[512];
	unsigned char	 blob[SEAL_LEN(3)], pt[SEAL_LEN(3)];
	size_t		 len, ptlen;

	snprintf(path, sizeof(path), "%s/rot.key", tmpdir);
	snprintf(old, sizeof(old), "%s.old", path);
	memset(&kr, 0, sizeof(kr));
	new_key(&k1, path);
	CU_ASSERT_EQUAL_FATAL(keyring_load(&kr, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(keyring_refresh(&kr), KEYRING_SAME);

	CU_ASSERT_FATAL(key_write(&k1, old, err, sizeof(err)) == 0);
	new_key(&k2, path);
	/* A value another process sealed under the new key opens (the
	 * ring reloads when nothing it holds opens it). */
	CU_ASSERT_FATAL(crypto_seal(&k2, "x", "abc", 3, blob, &len) == 0);
	CU_ASSERT_EQUAL(keyring_open(&kr, "x", blob, len, pt, &ptlen), 0);
	CU_ASSERT(crypto_eq(kr.cur.k, k2.k, 32));
	CU_ASSERT(kr.have_old && crypto_eq(kr.old.k, k1.k, 32));
	CU_ASSERT_EQUAL(keyring_refresh(&kr), KEYRING_SAME);

	/* Sealing looks at the file first. */
	new_key(&k1, path);
	CU_ASSERT_EQUAL(keyring_seal(&kr, "x", "abc", 3, blob, &len), 0);
	CU_ASSERT_EQUAL(blob_key_id(blob), k1.id);

	keyring_wipe(&kr);
	crypto_wipe(&k1, sizeof(k1));
	crypto_wipe(&k2, sizeof(k2));
}

/*
 * Issue 10 defect 2: a reload that fails must not leave an all-zero key
 * in use.  The key file changes into garbage (or disappears): the ring
 * keeps its keys, values still open, sealing refuses until the file
 * loads again.
 */
static void
test_failed_reload(void)
{
	struct keyring	 kr;
	struct fp_key	 k1, k2, zero;
	char		 path[128], err[512];
	unsigned char	 blob[SEAL_LEN(3)], out[SEAL_LEN(3)], pt[SEAL_LEN(3)];
	size_t		 len, outlen, ptlen;

	snprintf(path, sizeof(path), "%s/fail.key", tmpdir);
	memset(&kr, 0, sizeof(kr));
	memset(&zero, 0, sizeof(zero));
	new_key(&k1, path);
	CU_ASSERT_EQUAL_FATAL(keyring_load(&kr, path, err, sizeof(err)), 0);
	CU_ASSERT_FATAL(crypto_seal(&k1, "x", "abc", 3, blob, &len) == 0);

	write_in_place(path, "not a key\n");
	CU_ASSERT_EQUAL(keyring_refresh(&kr), KEYRING_FAILED);
	CU_ASSERT(kr.stale && kr.have_cur);
	CU_ASSERT(crypto_eq(kr.cur.k, k1.k, 32));
	CU_ASSERT_FALSE(crypto_eq(kr.cur.k, zero.k, 32));
	CU_ASSERT_EQUAL(kr.cur.id, k1.id);
	/* Values sealed under the held key still open... */
	CU_ASSERT_EQUAL(keyring_open(&kr, "x", blob, len, pt, &ptlen), 0);
	/* ...but nothing new is sealed, under any key. */
	outlen = 0;
	CU_ASSERT_EQUAL(keyring_seal(&kr, "x", "abc", 3, out, &outlen), -1);
	CU_ASSERT_EQUAL(outlen, 0);
	CU_ASSERT_EQUAL(keyring_seal(&kr, "x", "abc", 3, out, &outlen), -1);

	/* The file is gone: the same. */
	CU_ASSERT_FATAL(unlink(path) == 0);
	CU_ASSERT_EQUAL(keyring_refresh(&kr), KEYRING_FAILED);
	CU_ASSERT_EQUAL(keyring_seal(&kr, "x", "abc", 3, out, &outlen), -1);
	CU_ASSERT(crypto_eq(kr.cur.k, k1.k, 32));

	/* A key that loads again: sealing resumes, under that key. */
	new_key(&k2, path);
	CU_ASSERT_EQUAL(keyring_seal(&kr, "x", "abc", 3, out, &outlen), 0);
	CU_ASSERT_FALSE(kr.stale);
	CU_ASSERT_EQUAL(blob_key_id(out), k2.id);

	keyring_wipe(&kr);
	crypto_wipe(&k1, sizeof(k1));
	crypto_wipe(&k2, sizeof(k2));
}

/* A ring that holds no key refuses to seal and opens nothing. */
static void
test_no_key(void)
{
	struct keyring	 kr;
	struct fp_key	 zero;
	unsigned char	 blob[SEAL_LEN(3)], pt[SEAL_LEN(3)];
	size_t		 len = 0, ptlen;
	char		 path[128], err[512];

	memset(&kr, 0, sizeof(kr));
	memset(&zero, 0, sizeof(zero));
	CU_ASSERT_EQUAL(keyring_seal(&kr, "x", "abc", 3, blob, &len), -1);
	CU_ASSERT_EQUAL(len, 0);
	/* A value sealed under the all-zero key never opens either. */
	CU_ASSERT_FATAL(crypto_seal(&zero, "x", "abc", 3, blob, &len) == 0);
	CU_ASSERT_EQUAL(keyring_open(&kr, "x", blob, len, pt, &ptlen), -1);

	/* A path that never loaded: still nothing to seal with. */
	snprintf(path, sizeof(path), "%s/never.key", tmpdir);
	CU_ASSERT_EQUAL(keyring_load(&kr, path, err, sizeof(err)), -1);
	kr.path = path;
	write_in_place(path, "0123");
	len = 0;
	CU_ASSERT_EQUAL(keyring_seal(&kr, "x", "abc", 3, blob, &len), -1);
	CU_ASSERT_EQUAL(len, 0);
	keyring_wipe(&kr);
}

void
test_keyring_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("keyring", suite_init, suite_clean);
	CU_add_test(s, "AAD table", test_aad_table);
	CU_add_test(s, "load, .old, failed load", test_load_and_old);
	CU_add_test(s, "reload after rotation", test_rotation_reload);
	CU_add_test(s, "failed reload keeps the key", test_failed_reload);
	CU_add_test(s, "no key: no seal", test_no_key);
}
