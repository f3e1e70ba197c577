/*
 * fuzz_fcgi.c -- a request as the FastCGI params describe it, through
 * what app.c does before a handler: req_from_params() (method, target,
 * path, content type), family_of(), req_content_length(), route_match(),
 * and for the management family SNWS2 parsing against the body.
 *
 * Input: params "NAME=VALUE" separated by NUL bytes, up to an empty one;
 * the rest is the body.
 */
#include "snws2.h"
#include "fuzz.h"

#define MAXP	64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct snws2	 s;
	char		*copy, *envp[MAXP + 1], *p, *end;
	size_t		 n = 0, len;
	enum fp_err	 rc;

	/* params copied with their NULs, plus one so the last is ended */
	copy = malloc(size + 1);
	FZ_ASSERT(copy != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	end = copy + size;
	while (p < end && *p != '\0' && n < MAXP) {
		envp[n++] = p;
		p += strlen(p) + 1;
	}
	envp[n] = NULL;
	if (p < end && *p == '\0')
		p++;			/* the empty param */
	if (p > end)
		p = end;

	fz_req(&r);
	r.envp = envp;
	rc = req_from_params(&r);
	FZ_ASSERT(rc == FP_OK || rc == FP_ENOMEM);
	if (rc == FP_OK) {
		FZ_ASSERT(r.method_name != NULL && r.target != NULL &&
		    r.path != NULL && strchr(r.path, '?') == NULL);
		r.fam = family_of(r.path);
		FZ_ASSERT(r.fam < FAM__MAX);
		rc = req_content_length(&r, &len);
		FZ_ASSERT(rc == FP_OK || rc == FP_EBADREQ ||
		    rc == FP_ETOOBIG);
		if (rc == FP_OK) {
			FZ_ASSERT(len <= r.s->body_max);
			r.body = (unsigned char *)p;
			r.body_len = (size_t)(end - p) < len ?
			    (size_t)(end - p) : len;
		}
		if (rc == FP_OK && r.fam == FAM_MGMT) {
			memset(&s, 0, sizeof(s));
			s.envp = r.envp;
			s.body = r.body;
			s.body_len = r.body_len;
			if (snws2_parse(r.a, &s) == SNWS2_OK)
				FZ_ASSERT(snws2_canonical_request(r.a,
				    &s) != NULL);
		}
		rc = route_match(&r);
		FZ_ASSERT(rc == FP_OK || rc == FP_EROUTE ||
		    rc == FP_EMETHOD || rc == FP_EILLEGAL ||
		    rc == FP_ENOMEM);
		FZ_ASSERT(r.route_name != NULL);
	}
	arena_reset(r.a);
	free(copy);
	return 0;
}
