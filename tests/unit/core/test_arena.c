/*
 * test_arena.c -- src/arena.c: alignment, the cap, cleanup order, chunk
 * reuse across resets, strdup/strndup/printf.
 */
#include <stdint.h>
#include <string.h>

#include "fp.h"
#include "unit.h"

static void
t_align(void)
{
	struct arena	*a;
	size_t		 sizes[] = { 0, 1, 3, 15, 16, 17, 31, 100, 4095, 40000 };
	size_t		 i;
	unsigned char	*p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = arena_alloc(a, sizes[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL((uintptr_t)p % 16, 0);
		memset(p, 0xa5, sizes[i]);	/* ASan checks the extent */
	}
	arena_free(a);
}

static void
t_distinct(void)
{
	struct arena	*a;
	char		*p, *q;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(64 * 1024));
	p = arena_alloc(a, 0);
	q = arena_alloc(a, 0);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_PTR_NOT_NULL(q);
	CU_ASSERT_PTR_NOT_EQUAL(p, q);
	p = arena_alloc(a, 10);
	q = arena_alloc(a, 10);
	CU_ASSERT(q >= p + 10 || p >= q + 10);
	arena_free(a);
}

static void
t_push(void)
{
	struct arena	*a;
	int64_t		*arr = NULL, *e;
	size_t		 n = 0, cap = 0, i;
	struct { char b[40000]; } *big = NULL, *be;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(256 * 1024));
	for (i = 0; i < 1000; i++) {
		e = arena_push(a, &arr, &n, &cap, sizeof(*arr));
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		*e = (int64_t)i * 3;
	}
	CU_ASSERT_EQUAL(n, 1000);
	CU_ASSERT(cap >= 1000 && cap < 2000);
	for (i = 0; i < n; i++)		/* every copy kept the old elements */
		if (arr[i] != (int64_t)i * 3)
			break;
	CU_ASSERT_EQUAL(i, n);
	arena_free(a);

	/* Full arena: NULL, and the array so far is untouched. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	n = cap = 0;
	for (i = 0; i < 40; i++)
		if ((be = arena_push(a, &big, &n, &cap, sizeof(*big))) == NULL)
			break;
		else
			be->b[0] = (char)i;
	CU_ASSERT_EQUAL(i, 16);		/* 16 x 40000 fit, 32 x 40000 not */
	CU_ASSERT_EQUAL_FATAL(n, 16);
	CU_ASSERT_EQUAL(big[0].b[0], 0);
	CU_ASSERT_EQUAL(big[15].b[0], 15);
	arena_free(a);
}

static void
t_cap(void)
{
	struct arena	*a;
	size_t		 got = 0;
	void		*p;
	int		 i;

	CU_ASSERT_PTR_NULL(arena_new(8));	/* cannot hold a chunk */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(200 * 1024));
	CU_ASSERT_PTR_NULL(arena_alloc(a, 300 * 1024));	/* past the cap */
	CU_ASSERT_PTR_NULL(arena_alloc(a, SIZE_MAX));
	CU_ASSERT_PTR_NULL(arena_alloc(a, SIZE_MAX - 8));
	CU_ASSERT_EQUAL(arena_used(a), 0);
	/* Fill in 1 KiB steps until refused; the total stays under cap. */
	for (i = 0; i < 1000 && (p = arena_alloc(a, 1024)) != NULL; i++)
		got += 1024;
	CU_ASSERT(i < 1000);
	CU_ASSERT(got <= 200 * 1024);
	CU_ASSERT(got >= 150 * 1024);
	CU_ASSERT_EQUAL(arena_used(a), got);
	CU_ASSERT_PTR_NULL(arena_alloc(a, 64 * 1024));
	/* After a reset the whole cap is available again. */
	arena_reset(a);
	CU_ASSERT_EQUAL(arena_used(a), 0);
	CU_ASSERT_PTR_NOT_NULL(arena_alloc(a, 100 * 1024));
	arena_free(a);
}

static void
t_big_then_reset(void)
{
	struct arena	*a;
	char		*p, *first;
	int		 round;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(FP_ARENA_CAP));
	first = arena_alloc(a, 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	for (round = 0; round < 3; round++) {
		arena_reset(a);
		/* The first chunk is kept: the first allocation reuses it. */
		p = arena_alloc(a, 16);
		CU_ASSERT_PTR_EQUAL(p, first);
		/* A request bigger than the first chunk gets its own. */
		p = arena_alloc(a, 1024 * 1024);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		memset(p, round, 1024 * 1024);
		CU_ASSERT_EQUAL(arena_used(a), 16 + 1024 * 1024);
	}
	arena_free(a);
}

static int	order[8];
static int	norder;

static void
note(void *arg)
{
	order[norder++] = *(int *)arg;
}

static void
t_cleanup_order(void)
{
	struct arena	*a;
	static int	 ids[] = { 1, 2, 3 };
	int		*late;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(64 * 1024));
	norder = 0;
	CU_ASSERT_EQUAL(arena_cleanup_add(a, note, &ids[0]), 0);
	CU_ASSERT_EQUAL(arena_cleanup_add(a, note, &ids[1]), 0);
	/* A cleanup may use arena memory: it still exists when it runs. */
	late = arena_alloc(a, sizeof(*late));
	CU_ASSERT_PTR_NOT_NULL_FATAL(late);
	*late = 3;
	CU_ASSERT_EQUAL(arena_cleanup_add(a, note, late), 0);
	arena_reset(a);
	CU_ASSERT_EQUAL(norder, 3);
	CU_ASSERT_EQUAL(order[0], 3);
	CU_ASSERT_EQUAL(order[1], 2);
	CU_ASSERT_EQUAL(order[2], 1);
	/* Cleanups run once: a second reset runs nothing. */
	arena_reset(a);
	CU_ASSERT_EQUAL(norder, 3);
	/* arena_free runs pending cleanups too. */
	CU_ASSERT_EQUAL(arena_cleanup_add(a, note, &ids[0]), 0);
	arena_free(a);
	CU_ASSERT_EQUAL(norder, 4);
	CU_ASSERT_EQUAL(order[3], 1);
	arena_free(NULL);
}

static void
t_cleanup_cap(void)
{
	struct arena	*a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(4096));
	while (arena_alloc(a, 1) != NULL)
		continue;
	norder = 0;
	CU_ASSERT_EQUAL(arena_cleanup_add(a, note, NULL), -1);
	arena_free(a);
	CU_ASSERT_EQUAL(norder, 0);
}

static void
t_strings(void)
{
	struct arena	*a;
	char		*p;
	char		 big[3000];

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(64 * 1024));
	p = arena_strdup(a, "hello");
	CU_ASSERT_STRING_EQUAL(p, "hello");
	p = arena_strdup(a, "");
	CU_ASSERT_STRING_EQUAL(p, "");
	p = arena_strndup(a, "abcdef", 3);
	CU_ASSERT_STRING_EQUAL(p, "abc");
	p = arena_strndup(a, "ab", 10);		/* stops at the NUL */
	CU_ASSERT_STRING_EQUAL(p, "ab");
	p = arena_printf(a, "%s-%d-%05.1f", "x", 42, 3.5);
	CU_ASSERT_STRING_EQUAL(p, "x-42-003.5");
	p = arena_printf(a, "%s", "");
	CU_ASSERT_STRING_EQUAL(p, "");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	p = arena_printf(a, "<%s>", big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(strlen(p), sizeof(big) + 1);
	CU_ASSERT_EQUAL(p[0], '<');
	CU_ASSERT_EQUAL(p[sizeof(big)], '>');
	p = arena_calloc(a, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p[0], 0);
	CU_ASSERT_EQUAL(p[99], 0);
	arena_free(a);

	/* Past the cap every string function returns NULL. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024));
	CU_ASSERT_PTR_NULL(arena_printf(a, "%2000d", 1));
	CU_ASSERT_PTR_NULL(arena_strndup(a, big, sizeof(big)));
	arena_free(a);
}

void
test_arena_register(void)
{
	CU_pSuite	s;

	s = CU_add_suite("arena", NULL, NULL);
	CU_add_test(s, "alignment", t_align);
	CU_add_test(s, "distinct pointers", t_distinct);
	CU_add_test(s, "cap", t_cap);
	CU_add_test(s, "push: a growing array", t_push);
	CU_add_test(s, "big chunk then reset", t_big_then_reset);
	CU_add_test(s, "cleanup order", t_cleanup_order);
	CU_add_test(s, "cleanup past cap", t_cleanup_cap);
	CU_add_test(s, "strdup, strndup, printf, calloc", t_strings);
}
