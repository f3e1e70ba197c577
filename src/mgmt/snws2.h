/*
 * snws2.h -- server side of SolarNetwork's SNWS2 request signing
 * (../shared/reference/snws2-auth.md).  Verification is split in two so
 * the caller can look the token up in between:
 *
 *	snws2_parse()	Authorization header, date, SignedHeaders rules,
 *			Digest/Content-MD5 against the body
 *	(caller)	token lookup, status, notAfter, apiPaths
 *	snws2_verify()	canonical request, keys for the day and the 6 before,
 *			constant-time compare, then the skew check
 *
 * Headers are read from the FastCGI environment (HTTP_X_SN_DATE,
 * CONTENT_TYPE, ...); the path comes from the raw REQUEST_URI.  All
 * strings produced live in the arena.  On failure s->msg holds the exact
 * SolarNetwork reason text for X-SN-ErrorMessage, or this server's where
 * it is stricter: an Authorization header with a repeated or unknown
 * component (nginx/snws2_limit_keys keys rate limits with the same
 * grammar) and request dates before 1970.
 */
#ifndef SNWS2_H
#define SNWS2_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct arena;

struct snws2 {
	/* input (method/target NULL: REQUEST_METHOD/REQUEST_URI from envp) */
	const char		*method;
	const char		*target;	/* raw request target */
	char			**envp;		/* FastCGI params */
	const unsigned char	*body;
	size_t			 body_len;
	/* set by snws2_parse() */
	const char		*token_id;
	const char		*signature;	/* 64 chars */
	char			**signed_hdrs;	/* lower-case, sorted, unique */
	size_t			 nsigned;
	time_t			 date;
	const char		*msg;		/* failure reason */
};

enum snws2_rc {
	SNWS2_OK = 0,
	SNWS2_ANON,	/* no/unknown/V1 scheme: "Full authentication is ..." */
	SNWS2_FAIL,	/* 401 with s->msg */
	SNWS2_NOMEM
};

enum snws2_rc	 snws2_parse(struct arena *, struct snws2 *);
enum snws2_rc	 snws2_verify(struct arena *, struct snws2 *,
		    const char *secret, size_t secretlen, time_t now,
		    int skew);

/* Building blocks, exposed for the known-answer tests. */
const char	*snws2_header(char **envp, const char *lcname); /* NULL if absent */
char		*snws2_canonical_query(struct arena *, const char *query);
char		*snws2_canonical_request(struct arena *, const struct snws2 *);
char		*snws2_string_to_sign(struct arena *, time_t date,
		    const char *cr);
int		 snws2_signing_key(const char *secret, size_t secretlen,
		    time_t day, unsigned char key[32])	/* 0 or -1 */
		    __attribute__((warn_unused_result));
void		 snws2_signature(const unsigned char key[32], const char *sts,
		    char hex[65]);

/* Token policy apiPaths: Ant-style patterns ('?', '*', '**').  path is the
 * request path without "/solaruser" and "/api/v1/sec".  path_match does
 * not treat a leading '!' specially; api_paths_allow applies the policy:
 * an empty list allows, else allowed when any plain pattern matches or
 * any '!' pattern does not match. */
bool		 snws2_path_match(const char *pattern, const char *path);
bool		 snws2_api_paths_allow(const char *const *pats, size_t n,
		    const char *path);

#endif /* SNWS2_H */
