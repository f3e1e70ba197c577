/*
 * keyring.c -- the master keys a process holds (the current key and the
 * one `oscp-admin key rotate` kept as <file>.old), reloading them when the
 * key file changes, sealing and opening with them, and the table of AAD
 * strings every sealed value is bound to (keyring.h).
 *
 * The primitives (key file format, AES-256-GCM) are crypto.c's; this file
 * owns which key is used when, and what happens when the key file cannot
 * be read: the held keys stay, and sealing stops until it loads.
 */
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp.h"
#include "keyring.h"

/* The AAD of a row is "<prefix>:<token id>" or "<prefix>:<user>:<id>". */
static const struct {
	const char	*prefix;
	bool		 by_token;
} aads[AAD__MAX] = {
	{ "user_auth_token", true },	/* AAD_AUTH_TOKEN */
	{ "oscp_cp_token", false },	/* AAD_CP_TOKEN */
	{ "oscp_co_token", false },	/* AAD_CO_TOKEN */
	{ "oscp_cp_secret", false },	/* AAD_CP_SECRET */
	{ "oscp_co_secret", false },	/* AAD_CO_SECRET */
	{ "oscp_fp_next", false },	/* AAD_FP_NEXT */
};

bool
aad_by_token(enum aad_kind k)
{
	return (unsigned)k < AAD__MAX && aads[k].by_token;
}

char *
aad_build(struct arena *a, enum aad_kind k, const char *token,
    int64_t user_id, int64_t id)
{
	if ((unsigned)k >= AAD__MAX)
		return NULL;
	if (aads[k].by_token)
		return token == NULL ? NULL :
		    arena_printf(a, "%s:%s", aads[k].prefix, token);
	return arena_printf(a, "%s:%" PRId64 ":%" PRId64, aads[k].prefix,
	    user_id, id);
}

static bool
same_file(const struct keyring *kr, const struct stat *st)
{
	return kr->have_cur && st->st_dev == kr->dev &&
	    st->st_ino == kr->ino && st->st_size == kr->size &&
	    st->st_mtim.tv_sec == kr->mtime.tv_sec &&
	    st->st_mtim.tv_nsec == kr->mtime.tv_nsec;
}

/*
 * Everything is read into a temporary ring first; kr changes only when
 * the current key loaded.  The file is stat'ed before it is read, so a
 * key file replaced in between is noticed by the next refresh.
 */
int
keyring_load(struct keyring *kr, const char *path, char *err, size_t errlen)
{
	struct keyring	 t;
	struct stat	 st;
	char		*old, olderr[256];

	memset(&t, 0, sizeof(t));
	t.path = path;
	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "master key %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (key_load(&t.cur, path, err, errlen) == -1)
		return -1;
	t.have_cur = true;
	t.dev = st.st_dev;
	t.ino = st.st_ino;
	t.size = st.st_size;
	t.mtime = st.st_mtim;
	if (asprintf(&old, "%s.old", path) == -1) {
		snprintf(err, errlen, "master key %s: out of memory", path);
		crypto_wipe(&t, sizeof(t));
		return -1;
	}
	/* Absent after `key init`; unreadable: left out. */
	if (key_load(&t.old, old, olderr, sizeof(olderr)) == 0)
		t.have_old = true;
	free(old);
	keyring_wipe(kr);
	*kr = t;
	crypto_wipe(&t, sizeof(t));
	return 0;
}

enum keyring_refresh
keyring_refresh(struct keyring *kr)
{
	struct stat	 st;
	char		 err[512];

	if (kr->path == NULL)
		return KEYRING_FAILED;
	if (stat(kr->path, &st) == 0 && same_file(kr, &st)) {
		if (kr->stale)
			log_info("master key %s is back as loaded; sealing "
			    "again", kr->path);
		kr->stale = false;
		return KEYRING_SAME;
	}
	if (keyring_load(kr, kr->path, err, sizeof(err)) == 0) {
		log_info("master key reloaded");
		return KEYRING_RELOADED;
	}
	if (!kr->stale)
		log_err("%s: not sealing new secrets until the key file "
		    "loads%s", err, kr->have_cur ? " (the keys in use still "
		    "open stored ones)" : "");
	kr->stale = true;
	return KEYRING_FAILED;
}

int
keyring_seal(struct keyring *kr, const char *aad, const void *pt,
    size_t ptlen, unsigned char *out, size_t *outlen)
{
	(void)keyring_refresh(kr);
	if (!kr->have_cur || kr->stale)
		return -1;
	return crypto_seal(&kr->cur, aad, pt, ptlen, out, outlen);
}

static int
open_held(const struct keyring *kr, const char *aad,
    const unsigned char *blob, size_t bloblen, unsigned char *pt,
    size_t *ptlen)
{
	if (kr->have_cur &&
	    crypto_open(&kr->cur, aad, blob, bloblen, pt, ptlen) == 0)
		return 0;
	if (kr->have_old &&
	    crypto_open(&kr->old, aad, blob, bloblen, pt, ptlen) == 0)
		return 0;
	return -1;
}

int
keyring_open(struct keyring *kr, const char *aad, const unsigned char *blob,
    size_t bloblen, unsigned char *pt, size_t *ptlen)
{
	if (open_held(kr, aad, blob, bloblen, pt, ptlen) == 0)
		return 0;
	if (keyring_refresh(kr) == KEYRING_RELOADED)
		return open_held(kr, aad, blob, bloblen, pt, ptlen);
	return -1;
}

void
keyring_wipe(struct keyring *kr)
{
	crypto_wipe(kr, sizeof(*kr));
}
