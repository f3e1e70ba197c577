/*
 * arena.c -- the per-request bump allocator.
 *
 * Memory comes from a list of chunks.  The first chunk is allocated with
 * the arena and survives arena_reset(), so a steady stream of ordinary
 * requests never calls malloc; bigger requests add chunks (each at least
 * twice the previous one) that the next reset frees.  Every chunk byte
 * counts against the cap, and an allocation that would cross it returns
 * NULL.  Cleanups live in the arena too and run newest first on reset and
 * on free.  Built with AddressSanitizer, free chunk space is poisoned and
 * every allocation is followed by a small poisoned gap, so overruns and
 * use after arena_reset() are reported.
 *
 * This file does not decide what a request allocates or when it is reset:
 * that is the worker's and the handlers' business.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define REDZONE		16
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#define REDZONE		0
#endif

#define ALIGN		16
#define ALIGN_UP(n)	(((n) + (ALIGN - 1)) & ~(size_t)(ALIGN - 1))
#define FIRST_CHUNK	(32 * 1024)	/* covers an ordinary request */

struct chunk {
	struct chunk	*next;		/* older chunk */
	size_t		 size;		/* usable bytes in data */
	size_t		 off;		/* next free byte in data */
	_Alignas(ALIGN) unsigned char data[];
};

struct cleanup {
	struct cleanup	*next;		/* older cleanup */
	void		(*fn)(void *);
	void		*arg;
};

struct arena {
	struct chunk	*cur;		/* newest chunk, allocated from */
	struct chunk	*first;		/* kept across resets */
	struct cleanup	*cleanups;	/* newest first */
	size_t		 cap;		/* bound on footprint */
	size_t		 footprint;	/* chunk bytes, headers included */
	size_t		 used;		/* handed out since the reset */
};

#define CHUNK_HDR	offsetof(struct chunk, data)

/*
 * Create an arena whose chunks may total at most cap bytes (headers
 * included).  The first chunk is min(cap, 32 KiB).  Returns NULL when
 * malloc fails or cap cannot hold even a minimal chunk.
 */
struct arena *
arena_new(size_t cap)
{
	struct arena	*a;
	struct chunk	*c;
	size_t		 first;

	if (cap < CHUNK_HDR + ALIGN)
		return NULL;
	first = cap < FIRST_CHUNK ? cap : FIRST_CHUNK;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if ((c = malloc(first)) == NULL) {
		free(a);
		return NULL;
	}
	c->next = NULL;
	c->size = first - CHUNK_HDR;
	c->off = 0;
	POISON(c->data, c->size);
	a->cur = a->first = c;
	a->cap = cap;
	a->footprint = first;
	return a;
}

static void
run_cleanups(struct arena *a)
{
	struct cleanup	*cl;

	/* Pop before calling, so a cleanup that adds another still works. */
	while ((cl = a->cleanups) != NULL) {
		a->cleanups = cl->next;
		cl->fn(cl->arg);
	}
}

/*
 * Run the cleanups (newest first), free every chunk but the first and
 * make all of the first chunk available again.
 */
void
arena_reset(struct arena *a)
{
	struct chunk	*c, *next;

	if (a == NULL)
		return;
	run_cleanups(a);
	for (c = a->cur; c != a->first; c = next) {
		next = c->next;
		UNPOISON(c->data, c->size);
		free(c);
	}
	a->cur = a->first;
	a->first->off = 0;
	POISON(a->first->data, a->first->size);
	a->footprint = a->first->size + CHUNK_HDR;
	a->used = 0;
}

/* Run the cleanups and release everything, the arena included. */
void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	UNPOISON(a->first->data, a->first->size);
	free(a->first);
	free(a);
}

/* Add a chunk with room for at least need bytes, within the cap. */
static struct chunk *
chunk_add(struct arena *a, size_t need)
{
	struct chunk	*c;
	size_t		 room, want;

	if (a->footprint >= a->cap)
		return NULL;
	room = a->cap - a->footprint;
	if (room < CHUNK_HDR || need > room - CHUNK_HDR)
		return NULL;
	want = (a->cur->size + CHUNK_HDR) * 2;
	if (want < need + CHUNK_HDR)
		want = need + CHUNK_HDR;
	if (want > room)
		want = room;
	want = want & ~(size_t)(ALIGN - 1);
	if (want < need + CHUNK_HDR)
		return NULL;
	if ((c = malloc(want)) == NULL)
		return NULL;
	c->next = a->cur;
	c->size = want - CHUNK_HDR;
	c->off = 0;
	POISON(c->data, c->size);
	a->cur = c;
	a->footprint += want;
	return c;
}

/*
 * Return n bytes aligned to 16, valid until the next reset, or NULL when
 * the cap would be crossed (or malloc failed).  n == 0 gives a valid,
 * unique pointer.
 */
void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk	*c;
	size_t		 sz, need;
	void		*p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		return NULL;
	sz = ALIGN_UP(n);
	need = sz + REDZONE;
	c = a->cur;
	if (c->size - c->off < need && (c = chunk_add(a, need)) == NULL)
		return NULL;
	p = c->data + c->off;
	c->off += need;
	a->used += sz;
	UNPOISON(p, n);
	return p;
}

void *
arena_calloc(struct arena *a, size_t n)
{
	void	*p;

	if ((p = arena_alloc(a, n)) != NULL)
		memset(p, 0, n);
	return p;
}

/*
 * Room for element number *n of an array of size-byte elements at *arr
 * that grows in the arena (capacity *cap, doubled when full; the old
 * copy stays in the arena until the reset).  Returns the new element's
 * address and counts it in *n, or NULL when the arena is full.
 */
void *
arena_push(struct arena *a, void *arr, size_t *n, size_t *cap, size_t size)
{
	void	**ap = arr, *na;
	size_t	  ncap;

	if (*n == *cap) {
		ncap = *cap == 0 ? 16 : *cap * 2;
		if (ncap > SIZE_MAX / size ||
		    (na = arena_alloc(a, ncap * size)) == NULL)
			return NULL;
		if (*n > 0)
			memcpy(na, *ap, *n * size);
		*ap = na;
		*cap = ncap;
	}
	return (char *)*ap + (*n)++ * size;
}

/* Copy at most n bytes of s (stopping at a NUL) and terminate it. */
char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	if ((p = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* printf into the arena: measure with vsnprintf, then print. */
char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (p = arena_alloc(a, (size_t)len + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return p;
}

/*
 * Register fn(arg) to run at the next reset or free, before any memory
 * goes away; cleanups run newest first.  Returns 0, or -1 past the cap
 * (fn is then not registered: the caller must release the resource).
 */
int
arena_cleanup_add(struct arena *a, void (*fn)(void *), void *arg)
{
	struct cleanup	*cl;

	if ((cl = arena_alloc(a, sizeof(*cl))) == NULL)
		return -1;
	cl->fn = fn;
	cl->arg = arg;
	cl->next = a->cleanups;
	a->cleanups = cl;
	return 0;
}

/* Bytes handed out since the last reset (rounded up to 16 each). */
size_t
arena_used(const struct arena *a)
{
	return a->used;
}
