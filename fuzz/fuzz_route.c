/*
 * fuzz_route.c -- the route table: family_of() and route_match() (path
 * patterns, the {id} segment through parse_id(), 405 with Allow), and
 * parse_id() on the whole input.  Input: the method, a newline, the path.
 */
#include <inttypes.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	char		*copy = fz_cstr(data, size), *nl, buf[128];
	int64_t		 id;
	enum fp_err	 rc;

	if (parse_id((const char *)data, size, &id) == 0) {
		/* an id is a positive long written plainly */
		snprintf(buf, sizeof(buf), "%" PRId64, id);
		FZ_ASSERT(id > 0);
	}
	fz_req(&r);
	if ((nl = strchr(copy, '\n')) != NULL) {
		*nl = '\0';
		r.method_name = copy;
		r.path = nl + 1;
	} else {
		r.method_name = "GET";
		r.path = copy;
	}
	r.method = method_parse(r.method_name);
	FZ_ASSERT(r.method < METHOD__MAX);
	FZ_ASSERT(family_of(r.path) < FAM__MAX);
	rc = route_match(&r);
	FZ_ASSERT(rc == FP_OK || rc == FP_EROUTE || rc == FP_EMETHOD ||
	    rc == FP_EILLEGAL || rc == FP_ENOMEM);
	if (rc == FP_OK) {
		FZ_ASSERT(r.route < ROUTE__MAX);
		FZ_ASSERT(routes[r.route].fn[r.method] != NULL);
		if (routes[r.route].suffix != NULL)
			FZ_ASSERT(r.id > 0);
	}
	if (rc == FP_EMETHOD) {
		FZ_ASSERT(r.allow != 0);
		route_allow(r.allow, buf, sizeof(buf));
		FZ_ASSERT(buf[0] != '\0');
	}
	arena_reset(r.a);
	free(copy);
	return 0;
}
