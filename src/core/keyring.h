/*
 * keyring.h -- the master keys a process holds and the one table of the
 * AAD strings that bind a sealed value to its row.
 *
 * A keyring holds the current key (master_key_file) and, when `oscp-admin
 * key rotate` left one, the previous key (<master_key_file>.old), plus
 * the identity of the key file they were read from.  keyring_refresh()
 * reloads both when that file changes; a reload reads into temporaries
 * and swaps only on success, so a key file that cannot be read never
 * replaces a good key.  While the file has changed but does not load, the
 * held keys still open values but keyring_seal() refuses: the held key
 * may be the one a rotation retired, and a value sealed under it would
 * not survive the next rotation.  Nothing ever seals under a key that
 * was not loaded.
 *
 * Not per request: the daemon refreshes before every seal and when a
 * value does not open (a value another process sealed under a newer key).
 *
 * keyring_load() and keyring_open() do not log; keyring_refresh() and
 * keyring_seal() log a reload and a failed one (never key bytes).
 */
#ifndef KEYRING_H
#define KEYRING_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto.h"

struct arena;

struct keyring {
	const char	*path;		/* borrowed: the key file */
	struct fp_key	 cur;
	struct fp_key	 old;		/* <path>.old */
	bool		 have_cur;
	bool		 have_old;
	bool		 stale;		/* path changed and does not load */
	/* identity of path when cur was read */
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 mtime;
	off_t		 size;
};

enum keyring_refresh {
	KEYRING_SAME,		/* file unchanged */
	KEYRING_RELOADED,	/* file changed, keys replaced */
	KEYRING_FAILED,		/* file changed or gone, keys kept, stale */
};

/* Read path and, if it exists, <path>.old (an unreadable .old is left
 * out).  0, or -1 with err set and the ring unchanged. */
int	 keyring_load(struct keyring *, const char *path, char *err,
	    size_t errlen);
enum keyring_refresh keyring_refresh(struct keyring *);
/* Refresh, then seal under the current key.  -1 when the ring holds no
 * valid current key (never loaded, or stale) or sealing fails. */
int	 keyring_seal(struct keyring *, const char *aad, const void *pt,
	    size_t ptlen, unsigned char *out, size_t *outlen);
/* The current key, then the previous one; if neither opens the value,
 * refresh and try again.  0 or -1. */
int	 keyring_open(struct keyring *, const char *aad,
	    const unsigned char *blob, size_t bloblen, unsigned char *pt,
	    size_t *ptlen);
void	 keyring_wipe(struct keyring *);

/*
 * What a sealed value belongs to.  The AAD strings are part of every
 * stored ciphertext: they must never change.
 */
enum aad_kind {
	AAD_AUTH_TOKEN,		/* "user_auth_token:<token id>" */
	AAD_CP_TOKEN,		/* "oscp_cp_token:<user>:<id>" */
	AAD_CO_TOKEN,		/* "oscp_co_token:<user>:<id>" */
	AAD_CP_SECRET,		/* "oscp_cp_secret:<user>:<id>" */
	AAD_CO_SECRET,		/* "oscp_co_secret:<user>:<id>" */
	AAD_FP_NEXT,		/* "oscp_fp_next:<user>:<fp token id>" */
	AAD__MAX
};

/* True for the kinds named by a token id, false for <user>:<id>. */
bool	 aad_by_token(enum aad_kind);
/* The AAD of one row, in the arena (NULL when out of memory or a token
 * kind without a token id).  token is read by AAD_AUTH_TOKEN only,
 * user_id and id by the others. */
char	*aad_build(struct arena *, enum aad_kind, const char *token,
	    int64_t user_id, int64_t id);

#endif /* KEYRING_H */
