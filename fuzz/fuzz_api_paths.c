/*
 * fuzz_api_paths.c -- a token policy's apiPaths (Ant patterns '?', '*',
 * '**', '!' to exclude) against a request path: snws2_path_match() and
 * snws2_api_paths_allow().  Input: patterns one a line, the last line is
 * the path.
 */
#include "snws2.h"
#include "fuzz.h"

#define MAXP	16

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*copy = fz_cstr(data, size), *l[MAXP + 1];
	size_t		 n, i;
	bool		 any = false;

	n = fz_split(copy, '\n', l, MAXP + 1);
	for (i = 0; i + 1 < n; i++)
		any |= l[i][0] != '!' && snws2_path_match(l[i], l[n - 1]);
	if (any)
		FZ_ASSERT(snws2_api_paths_allow((const char *const *)l, n - 1,
		    l[n - 1]));
	(void)snws2_api_paths_allow((const char *const *)l, 0, l[n - 1]);
	free(copy);
	return 0;
}
