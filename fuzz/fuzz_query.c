/*
 * fuzz_query.c -- the SNWS2 canonical query (snws2_canonical_query()):
 * split on '&' and '=', percent-decoded, sorted, re-encoded.  The input
 * is the raw query string after '?'.
 */
#include "snws2.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a = fz_arena();
	char		*q = fz_cstr(data, size), *c;

	c = snws2_canonical_query(a, q);
	FZ_ASSERT(c != NULL);
	/* Canonical text: nothing below 0x21 but the separators. */
	for (; *c != '\0'; c++)
		FZ_ASSERT((unsigned char)*c > 0x20 && (unsigned char)*c < 0x7f);
	arena_reset(a);
	free(q);
	return 0;
}
