/*
 * test_crypto.c -- src/crypto.c: known answers for SHA-256 and HMAC,
 * hex/base64 round trips and rejects, sealed values (round trip, every
 * region tampered, wrong AAD/key, truncation), FP tokens, identifiers
 * and the master key file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "crypto.h"
#include "unit.h"

static char	 tmpdir[64];

static int
suite_init(void)
{
	strcpy(tmpdir, "/tmp/test_crypto.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_sha256(void)
{
	unsigned char	 md[32];
	char		 hex[65];

	sha256_hex("abc", 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, hex);
	CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	token_digest("abc", 3, md);
	hex_encode(md, 32, hex);
	CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

/* RFC 4231 test cases 1 and 2. */
static void
test_hmac(void)
{
	unsigned char	 key[20], mac[32];
	char		 hex[65];

	memset(key, 0x0b, sizeof(key));
	hmac_sha256(key, 20, "Hi There", 8, mac);
	hex_encode(mac, 32, hex);
	CU_ASSERT_STRING_EQUAL(hex, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	hex_encode(mac, 32, hex);
	CU_ASSERT_STRING_EQUAL(hex, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
}

static void
test_hex(void)
{
	unsigned char	 in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff }, out[8];
	char		 hex[13];

	hex_encode(in, sizeof(in), hex);
	CU_ASSERT_STRING_EQUAL(hex, "00017f80abff");
	CU_ASSERT_EQUAL(hex_decode(hex, 12, out, sizeof(out)), 6);
	CU_ASSERT(memcmp(in, out, 6) == 0);
	CU_ASSERT_EQUAL(hex_decode("00017F80ABFF", 12, out, sizeof(out)), 6);
	CU_ASSERT(memcmp(in, out, 6) == 0);
	CU_ASSERT_EQUAL(hex_decode("", 0, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(hex_decode("abc", 3, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(hex_decode("zz", 2, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(hex_decode("0g", 2, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(hex_decode(" 0", 2, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(hex_decode("00112233", 8, out, 3), -1);
}

static void
test_b64(void)
{
	static const struct {
		const char	*raw, *b64;
	} kat[] = {			/* RFC 4648 §10 */
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = {
		"Zg=", "Zg", "Z===", "====", "Zm9v=", "Zm 9v", "Zm9\n",
		"Zm-v", "Zm_v", "Z=9v", "Zm=v", "=m9v", "Zm9v\0\0\0\0",
	};
	unsigned char	 raw[64], out[64];
	char		 enc[B64_LEN(sizeof(raw)) + 1];
	size_t		 i, n;
	int		 r;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		n = strlen(kat[i].raw);
		CU_ASSERT_EQUAL(b64_encode((const unsigned char *)kat[i].raw,
		    n, enc), strlen(kat[i].b64));
		CU_ASSERT_STRING_EQUAL(enc, kat[i].b64);
		r = b64_decode(kat[i].b64, strlen(kat[i].b64), out,
		    sizeof(out));
		CU_ASSERT_EQUAL(r, (int)n);
		CU_ASSERT(memcmp(out, kat[i].raw, n) == 0);
		/* an output buffer of exactly the decoded size is enough */
		if (n > 0) {
			CU_ASSERT_EQUAL(b64_decode(kat[i].b64,
			    strlen(kat[i].b64), out, n), (int)n);
			CU_ASSERT_EQUAL(b64_decode(kat[i].b64,
			    strlen(kat[i].b64), out, n - 1), -1);
		}
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = strlen(bad[i]);
		if (i == sizeof(bad) / sizeof(bad[0]) - 1)
			n = 8;		/* embedded NULs */
		CU_ASSERT_EQUAL(b64_decode(bad[i], n, out, sizeof(out)), -1);
	}
	/* every length 0..64 of binary data round-trips */
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= sizeof(raw); n++) {
		CU_ASSERT_EQUAL(b64_encode(raw, n, enc), B64_LEN(n));
		CU_ASSERT_EQUAL(strlen(enc), B64_LEN(n));
		CU_ASSERT_EQUAL(b64_decode(enc, strlen(enc), out, sizeof(out)),
		    (int)n);
		CU_ASSERT(memcmp(raw, out, n) == 0);
	}
}

static void
test_eq(void)
{
	CU_ASSERT_TRUE(crypto_eq("abcd", "abcd", 4));
	CU_ASSERT_FALSE(crypto_eq("abcd", "abce", 4));
	CU_ASSERT_TRUE(crypto_eq("x", "y", 0));
}

static void
test_wipe(void)
{
	unsigned char	 b[16];
	size_t		 i;

	memset(b, 0xa5, sizeof(b));
	crypto_wipe(b, sizeof(b));
	for (i = 0; i < sizeof(b); i++)
		CU_ASSERT_EQUAL(b[i], 0);
}

static void
fixed_key(struct fp_key *k, unsigned char fill)
{
	unsigned char	 md[32];

	memset(k->k, fill, sizeof(k->k));
	sha256(k->k, sizeof(k->k), md);
	k->id = (uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 |
	    (uint32_t)md[2] << 8 | md[3];
}

static void
test_seal_roundtrip(void)
{
	struct fp_key	 k;
	const char	*msg = "client-secret-été";
	unsigned char	 blob[SEAL_LEN(64)], blob2[SEAL_LEN(64)], pt[SEAL_LEN(64)];
	size_t		 n = strlen(msg), bl, bl2, pl;

	CU_ASSERT_EQUAL(key_generate(&k), 0);
	CU_ASSERT_EQUAL(crypto_seal(&k, "user_auth_token:abc", msg, n, blob,
	    &bl), 0);
	CU_ASSERT_EQUAL(bl, SEAL_LEN(n));
	CU_ASSERT_EQUAL(blob[0], 'F');
	CU_ASSERT_EQUAL(blob[1], 1);
	CU_ASSERT_EQUAL((uint32_t)blob[2] << 24 | (uint32_t)blob[3] << 16 |
	    (uint32_t)blob[4] << 8 | blob[5], k.id);
	CU_ASSERT(memmem(blob, bl, msg, n) == NULL);	/* not in clear */
	CU_ASSERT_EQUAL(crypto_open(&k, "user_auth_token:abc", blob, bl, pt,
	    &pl), 0);
	CU_ASSERT_EQUAL(pl, n);
	CU_ASSERT(memcmp(pt, msg, n) == 0);

	/* a fresh nonce each time: same input, different blob */
	CU_ASSERT_EQUAL(crypto_seal(&k, "user_auth_token:abc", msg, n, blob2,
	    &bl2), 0);
	CU_ASSERT_EQUAL(bl2, bl);
	CU_ASSERT(memcmp(blob + 6, blob2 + 6, 12) != 0);
	CU_ASSERT(memcmp(blob, blob2, bl) != 0);

	/* empty plaintext and NULL AAD (same as "") */
	CU_ASSERT_EQUAL(crypto_seal(&k, NULL, "", 0, blob, &bl), 0);
	CU_ASSERT_EQUAL(bl, SEAL_OVERHEAD);
	CU_ASSERT_EQUAL(crypto_open(&k, "", blob, bl, pt, &pl), 0);
	CU_ASSERT_EQUAL(pl, 0);
	CU_ASSERT_EQUAL(crypto_open(&k, "x", blob, bl, pt, &pl), -1);
}

static void
test_seal_tamper(void)
{
	struct fp_key	 k, k2;
	const char	*msg = "0123456789abcdef0123";
	unsigned char	 blob[SEAL_LEN(20)], t[SEAL_LEN(20)], pt[SEAL_LEN(20)];
	size_t		 n = strlen(msg), bl, pl, i;
	int		 rejected = 0;

	fixed_key(&k, 0x11);
	fixed_key(&k2, 0x22);
	CU_ASSERT_EQUAL(crypto_seal(&k, "row:1", msg, n, blob, &bl), 0);

	/* flip each byte: header (magic, version, key id), nonce, ct, tag */
	for (i = 0; i < bl; i++) {
		memcpy(t, blob, bl);
		t[i] ^= 0x01;
		memset(pt, 0xee, sizeof(pt));
		pl = 12345;
		if (crypto_open(&k, "row:1", t, bl, pt, &pl) == -1)
			rejected++;
		CU_ASSERT_EQUAL(pl, 12345);	/* untouched on failure */
	}
	CU_ASSERT_EQUAL(rejected, (int)bl);

	/* wrong AAD, wrong key, wrong key id, truncated, too short */
	CU_ASSERT_EQUAL(crypto_open(&k, "row:2", blob, bl, pt, &pl), -1);
	CU_ASSERT_EQUAL(crypto_open(&k, "", blob, bl, pt, &pl), -1);
	CU_ASSERT_EQUAL(crypto_open(&k2, "row:1", blob, bl, pt, &pl), -1);
	k2.id = k.id;			/* right id, wrong key bytes */
	CU_ASSERT_EQUAL(crypto_open(&k2, "row:1", blob, bl, pt, &pl), -1);
	CU_ASSERT_EQUAL(crypto_open(&k, "row:1", blob, bl - 1, pt, &pl), -1);
	CU_ASSERT_EQUAL(crypto_open(&k, "row:1", blob, SEAL_OVERHEAD - 1, pt,
	    &pl), -1);
	CU_ASSERT_EQUAL(crypto_open(&k, "row:1", blob, 0, pt, &pl), -1);
	/* and the untouched blob still opens */
	CU_ASSERT_EQUAL(crypto_open(&k, "row:1", blob, bl, pt, &pl), 0);
	CU_ASSERT_EQUAL(pl, n);
	CU_ASSERT(memcmp(pt, msg, n) == 0);
}

static bool
b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static void
test_token(void)
{
	char		 t[32][FP_TOKEN_LEN + 1];
	unsigned char	 raw[64];
	size_t		 i, j;

	for (i = 0; i < 32; i++) {
		memset(t[i], 'x', sizeof(t[i]));
		CU_ASSERT_EQUAL(token_generate(t[i]), 0);
		CU_ASSERT_EQUAL(strlen(t[i]), FP_TOKEN_LEN);
		for (j = 0; j < FP_TOKEN_LEN; j++)
			CU_ASSERT(b64_char(t[i][j]));
		CU_ASSERT_EQUAL(b64_decode(t[i], FP_TOKEN_LEN, raw,
		    sizeof(raw)), 48);
		for (j = 0; j < i; j++)
			CU_ASSERT(strcmp(t[i], t[j]) != 0);
	}
}

static void
test_random_ident(void)
{
	static const char alpha[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-";
	char		 buf[4097], a[21], b[21];
	int		 seen[256];
	size_t		 i;

	memset(seen, 0, sizeof(seen));
	memset(buf, '#', sizeof(buf));
	CU_ASSERT_EQUAL(random_ident(buf, 4096), 0);
	CU_ASSERT_EQUAL(buf[4096], '\0');
	CU_ASSERT_EQUAL(strlen(buf), 4096);
	for (i = 0; i < 4096; i++) {
		CU_ASSERT(strchr(alpha, buf[i]) != NULL);
		seen[(unsigned char)buf[i]]++;
	}
	/* 4096 draws from 65 symbols: each appears (p of a miss ~ 1e-25) */
	for (i = 0; i < sizeof(alpha) - 1; i++)
		CU_ASSERT(seen[(unsigned char)alpha[i]] > 0);
	/*
	 * No bias: 65 * 4000 draws, each symbol within 4000 +- 400 (about
	 * 6.4 sigma).  Plain "% 65" without rejection would give the last
	 * four symbols about 3050 each.
	 */
	{
		char	*big;
		int	 cnt[256];

		big = malloc(65 * 4000 + 1);
		CU_ASSERT_FATAL(big != NULL);
		memset(cnt, 0, sizeof(cnt));
		CU_ASSERT_EQUAL(random_ident(big, 65 * 4000), 0);
		for (i = 0; i < 65 * 4000; i++)
			cnt[(unsigned char)big[i]]++;
		for (i = 0; i < sizeof(alpha) - 1; i++) {
			CU_ASSERT(cnt[(unsigned char)alpha[i]] > 3600);
			CU_ASSERT(cnt[(unsigned char)alpha[i]] < 4400);
		}
		free(big);
	}
	CU_ASSERT_EQUAL(random_ident(a, 20), 0);
	CU_ASSERT_EQUAL(random_ident(b, 20), 0);
	CU_ASSERT_EQUAL(strlen(a), 20);
	CU_ASSERT(strcmp(a, b) != 0);
	CU_ASSERT_EQUAL(random_ident(a, 0), 0);
	CU_ASSERT_EQUAL(a[0], '\0');
}

static void
write_file(const char *path, const char *data, size_t n, mode_t mode)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(write(fd, data, n) == (ssize_t)n);
	close(fd);
}

static int
dir_entries(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_key_file(void)
{
	struct fp_key	 k, k2;
	struct stat	 st;
	char		 path[128], bad[128], err[256], buf[80];
	int		 fd;
	ssize_t		 r;

	snprintf(path, sizeof(path), "%s/master.key", tmpdir);
	CU_ASSERT_EQUAL(key_generate(&k), 0);
	err[0] = '\0';
	CU_ASSERT_EQUAL(key_write(&k, path, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(st.st_size, 65);
	fd = open(path, O_RDONLY);
	r = read(fd, buf, sizeof(buf));
	close(fd);
	CU_ASSERT_EQUAL(r, 65);
	CU_ASSERT_EQUAL(buf[64], '\n');
	CU_ASSERT_EQUAL(key_load(&k2, path, err, sizeof(err)), 0);
	CU_ASSERT(memcmp(k.k, k2.k, 32) == 0);
	CU_ASSERT_EQUAL(k.id, k2.id);

	/* overwrite (rotation) replaces the file, no temporaries left */
	CU_ASSERT_EQUAL(key_generate(&k2), 0);
	CU_ASSERT_EQUAL(key_write(&k2, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(key_load(&k, path, err, sizeof(err)), 0);
	CU_ASSERT(memcmp(k.k, k2.k, 32) == 0);
	CU_ASSERT_EQUAL(dir_entries(tmpdir), 1);

	/* key_write_as: the mode asked for (rotation keeps the old file's) */
	CU_ASSERT_EQUAL(key_write_as(&k2, path, (uid_t)-1, (gid_t)-1, 0640,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0640);
	CU_ASSERT_EQUAL(st.st_uid, geteuid());
	CU_ASSERT_EQUAL(key_write_as(&k2, path, geteuid(), getegid(),
	    S_IFREG | 0600, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL(dir_entries(tmpdir), 1);

	/* known key, no newline, upper-case hex: id = SHA-256(k)[0..3] */
	snprintf(bad, sizeof(bad), "%s/k1", tmpdir);
	write_file(bad, "000102030405060708090A0B0C0D0E0F"
	    "101112131415161718191a1b1c1d1e1f", 64, 0600);
	CU_ASSERT_EQUAL(key_load(&k, bad, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(k.k[0], 0);
	CU_ASSERT_EQUAL(k.k[31], 0x1f);
	/* SHA-256 of bytes 00..1f starts 630dcd29 */
	CU_ASSERT_EQUAL(k.id, 0x630dcd29u);

	/* bad files: missing, short, long, non-hex, two newlines, empty */
	snprintf(bad, sizeof(bad), "%s/missing", tmpdir);
	err[0] = '\0';
	CU_ASSERT_EQUAL(key_load(&k, bad, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "No such file") != NULL);
	CU_ASSERT(strstr(err, bad) != NULL);

	snprintf(bad, sizeof(bad), "%s/short", tmpdir);
	write_file(bad, "abcd\n", 5, 0600);
	err[0] = '\0';
	CU_ASSERT_EQUAL(key_load(&k, bad, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "64 hex characters") != NULL);
	CU_ASSERT(strstr(err, "abcd") == NULL);

	snprintf(bad, sizeof(bad), "%s/long", tmpdir);
	memset(buf, 'a', 66);
	write_file(bad, buf, 66, 0600);
	CU_ASSERT_EQUAL(key_load(&k, bad, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "64 hex characters") != NULL);

	snprintf(bad, sizeof(bad), "%s/junk", tmpdir);
	memset(buf, 'a', 64);
	buf[64] = 'x';
	write_file(bad, buf, 65, 0600);
	CU_ASSERT_EQUAL(key_load(&k, bad, err, sizeof(err)), -1);
	buf[64] = '\n';
	write_file(bad, buf, 65, 0600);
	CU_ASSERT_EQUAL(key_load(&k, bad, err, sizeof(err)), 0);

	snprintf(bad, sizeof(bad), "%s/nl2", tmpdir);
	memset(buf, 'a', 64);
	buf[64] = '\n';
	buf[65] = '\n';
	write_file(bad, buf, 66, 0600);
	CU_ASSERT_EQUAL(key_load(&k, bad, err, sizeof(err)), -1);

	snprintf(bad, sizeof(bad), "%s/nothex", tmpdir);
	memset(buf, 'a', 64);
	buf[10] = 'q';
	write_file(bad, buf, 64, 0600);
	err[0] = '\0';
	CU_ASSERT_EQUAL(key_load(&k, bad, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "not a hex string") != NULL);
	CU_ASSERT(strstr(err, "aaaa") == NULL);	/* no key material */

	snprintf(bad, sizeof(bad), "%s/empty", tmpdir);
	write_file(bad, "", 0, 0600);
	CU_ASSERT_EQUAL(key_load(&k, bad, err, sizeof(err)), -1);

	/* a directory cannot be read as a key; writing into a missing dir */
	CU_ASSERT_EQUAL(key_load(&k, tmpdir, err, sizeof(err)), -1);
	snprintf(bad, sizeof(bad), "%s/nodir/master.key", tmpdir);
	err[0] = '\0';
	CU_ASSERT_EQUAL(key_write(&k2, bad, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "No such file") != NULL);
}

void
test_crypto_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("crypto", suite_init, suite_clean);
	CU_add_test(s, "sha256 known answers", test_sha256);
	CU_add_test(s, "hmac-sha256 RFC 4231", test_hmac);
	CU_add_test(s, "hex encode/decode", test_hex);
	CU_add_test(s, "base64 encode/decode", test_b64);
	CU_add_test(s, "constant-time compare", test_eq);
	CU_add_test(s, "wipe", test_wipe);
	CU_add_test(s, "seal/open round trip", test_seal_roundtrip);
	CU_add_test(s, "seal/open tamper and misuse", test_seal_tamper);
	CU_add_test(s, "FP token", test_token);
	CU_add_test(s, "random identifiers", test_random_ident);
	CU_add_test(s, "master key file", test_key_file);
}
