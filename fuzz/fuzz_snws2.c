/*
 * fuzz_snws2.c -- SNWS2 verification as auth.c runs it: snws2_parse()
 * (Authorization header, date headers, SignedHeaders, Digest against the
 * body), then snws2_verify() (canonical request, string to sign, keys,
 * compare, skew) with a fixed secret at the request's own date.
 *
 * Input: FastCGI params "NAME=VALUE", one a line, up to the first empty
 * line; the rest is the body.  A FUZZ_SECRET=... line is the token
 * secret (else "secret"), so seeds from the known-answer vectors verify.
 */
#include "snws2.h"
#include "fuzz.h"

#define MAXP	64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a = fz_arena();
	struct snws2	 s;
	char		*copy = fz_cstr(data, size), *body, *envp[MAXP + 1];
	char		*cr;
	const char	*secret = "secret";
	size_t		 n, i;
	enum snws2_rc	 rc;

	memset(&s, 0, sizeof(s));
	if ((body = strstr(copy, "\n\n")) != NULL) {
		*body = '\0';
		body += 2;
		s.body = (const unsigned char *)body;
		s.body_len = size - (size_t)(body - copy);
	}
	n = fz_split(copy, '\n', envp, MAXP);
	envp[n] = NULL;
	s.envp = envp;
	for (i = 0; i < n; i++)
		if (strncmp(envp[i], "FUZZ_SECRET=", 12) == 0)
			secret = envp[i] + 12;

	rc = snws2_parse(a, &s);
	FZ_ASSERT(rc == SNWS2_OK || rc == SNWS2_ANON || rc == SNWS2_FAIL ||
	    rc == SNWS2_NOMEM);
	if (rc == SNWS2_ANON || rc == SNWS2_FAIL)
		FZ_ASSERT(s.msg != NULL);
	if (rc == SNWS2_OK) {
		FZ_ASSERT(s.token_id != NULL && *s.token_id != '\0');
		FZ_ASSERT(s.signature != NULL && strlen(s.signature) == 64);
		for (i = 1; i < s.nsigned; i++)
			FZ_ASSERT(strcmp(s.signed_hdrs[i - 1],
			    s.signed_hdrs[i]) < 0);
		FZ_ASSERT(s.date >= 0);
		cr = snws2_canonical_request(a, &s);
		FZ_ASSERT(cr != NULL);
		FZ_ASSERT(snws2_string_to_sign(a, s.date, cr) != NULL);
		rc = snws2_verify(a, &s, secret, strlen(secret), s.date, 900);
		FZ_ASSERT(rc == SNWS2_OK || rc == SNWS2_FAIL);
		if (rc == SNWS2_FAIL)
			FZ_ASSERT(s.msg != NULL);
	}
	arena_reset(a);
	free(copy);
	return 0;
}
