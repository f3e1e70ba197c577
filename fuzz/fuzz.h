/*
 * fuzz.h -- what the libFuzzer targets share (fuzz/fuzz_<name>.c): one
 * request arena kept across runs (reset after each input), a struct req
 * as a handler sees it, the production limits, and a FastCGI params
 * array built from the input.
 *
 * A target returns 0 for every input; a finding is a crash, a sanitizer
 * report, a leak, or FZ_ASSERT (an invariant the code promises, e.g. a
 * parsed time formats and parses back to itself).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp.h"
#include "http.h"
#include "json.h"

#define FZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/* The arena a request gets (the worker's cap), made once. */
static inline struct arena *
fz_arena(void)
{
	static struct arena	*a;

	if (a == NULL && (a = arena_new(FP_ARENA_CAP)) == NULL)
		abort();
	return a;
}

/* The default settings (the fuzzers never read a file or the env). */
static inline const struct settings *
fz_settings(void)
{
	static struct settings	 s;
	static int		 done;
	char			 err[256];

	if (!done) {
		if (settings_parse(&s, "", 0, "defaults", err,
		    sizeof(err)) != 0)
			abort();
		done = 1;
	}
	return &s;
}

/* A request as a handler gets it; a fresh one for each input. */
static inline void
fz_req(struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->a = fz_arena();
	r->s = fz_settings();
	r->route_name = "none";
}

/* JSON limits as api_body() computes them for the default settings. */
static inline void
fz_limits(struct jlimits *lim)
{
	const struct settings	*s = fz_settings();

	lim->depth = s->json_max_depth;
	lim->string = s->json_max_string;
	lim->array = s->json_max_array;
	lim->mem = 8 * s->body_max;
	if (lim->mem > FP_ARENA_CAP / 4)
		lim->mem = FP_ARENA_CAP / 4;
}

/* A NUL-terminated copy of the input (malloc'd; the caller frees). */
static inline char *
fz_cstr(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Split buf (NUL-terminated, modified) at every sep into at most max
 * pieces; returns how many.  The pieces are NUL-terminated in place.
 */
static inline size_t
fz_split(char *buf, char sep, char **out, size_t max)
{
	size_t	 n = 0;
	char	*p = buf, *q;

	while (n < max) {
		out[n++] = p;
		if ((q = strchr(p, sep)) == NULL)
			break;
		*q = '\0';
		p = q + 1;
	}
	return n;
}


/* s must be one valid JSON text. */
static inline void
fz_json_check(const char *s)
{
	yajl_gen	 g;

	FZ_ASSERT(s != NULL);
	FZ_ASSERT((g = yajl_gen_alloc(NULL)) != NULL);
	FZ_ASSERT(json_raw(g, s, NULL) == 0);
	yajl_gen_free(g);
}

/* The generator's output must be one valid JSON text. */
static inline void
fz_gen_check(yajl_gen g)
{
	const unsigned char	*buf;
	size_t			 len;
	char			*s;

	FZ_ASSERT(yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok);
	s = fz_cstr(buf, len);
	FZ_ASSERT(strlen(s) == len);
	fz_json_check(s);
	free(s);
}

/* What resp_error() writes for FP_EINVAL: every rejectedValue must be
 * valid JSON text, else the error body is broken. */
static inline void
fz_verr_check(const struct req *r)
{
	yajl_gen	 g;
	size_t		 i;

	FZ_ASSERT(r->nerrors > 0 && r->nerrors <= REQ_MAX_ERRORS);
	FZ_ASSERT((g = yajl_gen_alloc(NULL)) != NULL);
	yajl_gen_array_open(g);
	for (i = 0; i < r->nerrors; i++) {
		yajl_gen_map_open(g);
		FZ_ASSERT(r->errors[i].location != NULL);
		FZ_ASSERT(r->errors[i].message != NULL);
		json_kv_str(g, "location", r->errors[i].location);
		json_kv_str(g, "message", r->errors[i].message);
		FZ_ASSERT(json_kv_raw(g, "rejectedValue",
		    r->errors[i].rejected, NULL) == 0);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	fz_gen_check(g);
	yajl_gen_free(g);
}

/* After json_parse(): a refused document says why. */
static inline void
fz_parse_check(enum fp_err rc, const char *detail)
{
	if (rc == FP_EMALFORMED || rc == FP_EILLEGAL)
		FZ_ASSERT(detail != NULL);
}

/* After a validator: valid, or invalid with a well-formed error list
 * (what resp_error() renders).  Returns rc. */
static inline enum fp_err
fz_valid_check(const struct req *r, enum fp_err rc)
{
	if (rc == FP_EINVAL)
		fz_verr_check(r);
	else
		FZ_ASSERT(rc == FP_OK);
	return rc;
}

#endif /* FUZZ_H */
