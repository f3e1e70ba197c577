/*
 * send.c -- one outbound OSCP message: from a claimed task to a libcurl
 * transfer on the dispatcher's multi handle, and its outcome to the
 * database.
 *
 * Before sending (a failure here is a configuration error: an event, the
 * task given up, never retried): the target system exists, it and its
 * tenant are enabled, it is Registered with version 2.0 (a Register reply
 * needs Pending), its base URL is http(s) (https only unless
 * outbound_allow_http).  No base URL: nothing to send, done (a CO that
 * does not speak OSCP).  URL = base URL + serviceProps "url-paths"[name]
 * or the message's suffix.  Headers: Content-Type, X-Request-ID,
 * X-Correlation-ID, Authorization (Token <the peer's token>, or Bearer
 * <access token> from the OAuth client-credentials flow when serviceProps
 * has oauth-token-url and oauth-client-id), serviceProps "http-headers".
 *
 * libcurl: outbound_connect_timeout / outbound_timeout, TLS verification
 * on (outbound_ca_file), http and https only, no redirects, connections
 * kept by the multi handle.  The address actually connected to is checked
 * (opensocket callback): loopback, private, link-local, unique-local,
 * multicast and unspecified addresses are refused unless
 * outbound_allow_private, so a name that resolves to one is refused too.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "db.h"
#include "dispatch.h"
#include "keyring.h"
#include "model.h"
#include "oscp.h"
#include "timefmt.h"

#define MAX_TRIES	3
#define OAUTH_BODY_MAX	(64 * 1024)
#define OAUTH_MARGIN_US	(30 * 1000000LL)	/* refresh before expiry */
#define OAUTH_MAX_SECS	(366 * 86400LL)		/* expires_in taken at most */
#define REG_REGISTERED	114
#define REG_FAILED	102

static const enum stmt st_status[ROLE__MAX] = {
	STMT_DSP_CP_REG_STATUS, STMT_DSP_CO_REG_STATUS };
static const enum aad_kind aad_token[ROLE__MAX] = {
	AAD_CP_TOKEN, AAD_CO_TOKEN };
static const enum aad_kind aad_secret[ROLE__MAX] = {
	AAD_CP_SECRET, AAD_CO_SECRET };

struct xfer *
xfer_new(int64_t task_id, int64_t user_id, int role, int64_t conf_id,
    int action, int attempt, const char *claim, const char *reqid,
    const char *corr, const char *body)
{
	struct xfer	*x;

	if (role < 0 || role >= ROLE__MAX || action < 0 ||
	    action >= OSCP__MAX || (x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->task_id = task_id;
	x->user_id = user_id;
	x->role = role;
	x->conf_id = conf_id;
	x->action = action;
	x->attempt = attempt;
	if ((x->claim = strdup(claim)) == NULL ||
	    (x->reqid = strdup(reqid)) == NULL ||
	    (corr != NULL && (x->corr = strdup(corr)) == NULL) ||
	    (body != NULL && (x->body = strdup(body)) == NULL)) {
		xfer_free(x);
		return NULL;
	}
	return x;
}

void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->e != NULL)
		curl_easy_cleanup(x->e);
	curl_slist_free_all(x->hdrs);
	curl_slist_free_all(x->extra);
	curl_slist_free_all(x->sent);
	if (x->client_secret != NULL)
		crypto_wipe(x->client_secret, strlen(x->client_secret));
	free(x->client_secret);
	free(x->client_id);
	free(x->token_url);
	free(x->oauth_body);
	free(x->url);
	free(x->error);
	if (x->body != NULL)	/* a Register reply carries our new token */
		crypto_wipe(x->body, strlen(x->body));
	free(x->body);
	free(x->corr);
	free(x->reqid);
	free(x->claim);
	free(x);
}

/* ------------------------------------------------------------------ */
/* The URL policy */

static bool
v4_private(uint32_t a)
{
	return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
	    (a & 0xffc00000) == 0x64400000 ||	/* 100.64/10 */
	    (a & 0xffff0000) == 0xa9fe0000 ||	/* 169.254/16 */
	    (a & 0xfff00000) == 0xac100000 ||	/* 172.16/12 */
	    (a & 0xffff0000) == 0xc0a80000 ||	/* 192.168/16 */
	    (a >> 28) >= 0xe;			/* multicast, reserved */
}

bool
send_addr_allowed(const struct settings *s, const struct sockaddr *sa)
{
	const struct sockaddr_in6	*s6;
	const unsigned char		*b;
	uint32_t			 v4;
	static const unsigned char	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0,
					    0, 0, 0, 0xff, 0xff };
	static const unsigned char	 compat[12] = { 0 };
	static const unsigned char	 nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (s->outbound_allow_private)
		return true;
	if (sa->sa_family == AF_INET)
		return !v4_private(ntohl(((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family != AF_INET6)
		return false;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	b = s6->sin6_addr.s6_addr;
	/* An IPv4 address inside an IPv6 one is judged as IPv4: mapped
	 * (::ffff:a.b.c.d), compatible (::a.b.c.d, also :: and ::1), NAT64
	 * (64:ff9b::a.b.c.d) and 6to4 (2002:a.b.c.d::). */
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, compat, 12) == 0 ||
	    memcmp(b, nat64, 12) == 0) {
		memcpy(&v4, b + 12, 4);
		return !v4_private(ntohl(v4));
	}
	if (b[0] == 0x20 && b[1] == 0x02) {
		memcpy(&v4, b + 2, 4);
		return !v4_private(ntohl(v4));
	}
	return !(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
	    IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) ||
	    IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) ||
	    IN6_IS_ADDR_SITELOCAL(&s6->sin6_addr) ||	/* fec0::/10 */
	    IN6_IS_ADDR_MULTICAST(&s6->sin6_addr) ||
	    (b[0] & 0xfe) == 0xfc);		/* fc00::/7 */
}

/* The settings of the opensocket callback (one dispatcher per process). */
static const struct settings	*send_settings;

static curl_socket_t
opensocket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct xfer	*x = arg;

	(void)purpose;
	if (!send_addr_allowed(send_settings, &addr->addr)) {
		x->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* http(s) only; https unless outbound_allow_http.  NULL or why not. */
static const char *
url_refused(const struct settings *s, const char *url)
{
	CURLU		*u;
	char		*scheme = NULL;
	const char	*why = NULL;

	if ((u = curl_url()) == NULL)
		return "out of memory";
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		why = "the base URL is not a URL";
	else if (strcmp(scheme, "https") != 0 && (strcmp(scheme, "http") != 0 ||
	    !s->outbound_allow_http))
		why = s->outbound_allow_http ? "only http and https URLs are "
		    "allowed" : "only https URLs are allowed "
		    "(outbound_allow_http is off)";
	curl_free(scheme);
	curl_url_cleanup(u);
	return why;
}

/* ------------------------------------------------------------------ */
/* Building the request */

/* Events keep at most this much of an error text (oscp_event.error). */
#define ERROR_MAX	500

static void
end(struct dispatcher *d, struct xfer *x, enum xfer_end how,
    const char *error)
{
	x->end = how;
	free(x->error);
	x->error = error != NULL ? strndup(error, ERROR_MAX) : NULL;
	x->next = d->finished;
	d->finished = x;
}

static bool
header_to(struct curl_slist **list, const char *name, const char *value)
{
	struct curl_slist	*l;
	char			*h;

	if (asprintf(&h, "%s: %s", name, value) == -1)
		return false;
	l = curl_slist_append(*list, h);
	free(h);
	if (l == NULL)
		return false;
	*list = l;
	return true;
}

static bool
header(struct xfer *x, const char *name, const char *value)
{
	return header_to(&x->hdrs, name, value);
}

/* serviceProps: "url-paths"[name], "http-headers", the OAuth client. */
static const char *
props(struct xfer *x, yajl_val sp, bool *oauth)
{
	const char	*path_up[] = { "url-paths",
			    oscp_actions[x->action].name, NULL };
	const char	*hh[] = { "http-headers", NULL };
	const char	*tu[] = { "oauth-token-url", NULL };
	const char	*ci[] = { "oauth-client-id", NULL };
	yajl_val	 v, h;
	size_t		 i;

	*oauth = false;
	if (sp == NULL || !YAJL_IS_OBJECT(sp))
		return oscp_actions[x->action].suffix;
	h = yajl_tree_get(sp, hh, yajl_t_object);
	/* On the message and on the OAuth token request (x->extra). */
	for (i = 0; h != NULL && i < h->u.object.len; i++)
		if (YAJL_IS_STRING(h->u.object.values[i])) {
			header(x, h->u.object.keys[i],
			    YAJL_GET_STRING(h->u.object.values[i]));
			header_to(&x->extra, h->u.object.keys[i],
			    YAJL_GET_STRING(h->u.object.values[i]));
		}
	if ((v = yajl_tree_get(sp, tu, yajl_t_string)) != NULL &&
	    (h = yajl_tree_get(sp, ci, yajl_t_string)) != NULL) {
		*oauth = true;
		x->token_url = strdup(v->u.string);
		x->client_id = strdup(h->u.string);
	}
	v = yajl_tree_get(sp, path_up, yajl_t_string);
	return v != NULL ? YAJL_GET_STRING(v) : oscp_actions[x->action].suffix;
}

/* Open a sealed value of this system into a fresh heap string. */
static char *
unseal(struct dispatcher *d, struct xfer *x, enum aad_kind kind, int64_t b,
    const unsigned char *blob, size_t len)
{
	const char	*aad;
	unsigned char	*pt;
	size_t		 ptlen;
	char		*out = NULL;

	if (blob == NULL || (aad = aad_build(d->a, kind, NULL, x->user_id,
	    b)) == NULL || (pt = arena_alloc(d->a, len + 1)) == NULL)
		return NULL;
	if (keyring_open(&d->keys, aad, blob, len, pt, &ptlen) == 0) {
		pt[ptlen] = '\0';
		out = strdup((char *)pt);
		crypto_wipe(pt, ptlen);
	}
	return out;
}

static struct oauth_tok *
cached(struct dispatcher *d, struct xfer *x)
{
	struct oauth_tok	*t;

	for (t = d->tokens; t != NULL; t = t->next)
		if (t->user_id == x->user_id && t->conf_id == x->conf_id &&
		    t->role == x->role)
			return t;
	return NULL;
}

static void
uncache(struct dispatcher *d, struct xfer *x)
{
	struct oauth_tok	**pp, *t;

	for (pp = &d->tokens; (t = *pp) != NULL; pp = &t->next)
		if (t->user_id == x->user_id && t->conf_id == x->conf_id &&
		    t->role == x->role) {
			*pp = t->next;
			crypto_wipe(t->access, strlen(t->access));
			free(t->access);
			free(t);
			return;
		}
}

static size_t
discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

static size_t
keep(char *p, size_t sz, size_t n, void *arg)
{
	struct xfer	*x = arg;
	char		*b;

	if (x->oauth_len + sz * n > OAUTH_BODY_MAX ||
	    (b = realloc(x->oauth_body, x->oauth_len + sz * n + 1)) == NULL)
		return 0;
	memcpy(b + x->oauth_len, p, sz * n);
	x->oauth_len += sz * n;
	b[x->oauth_len] = '\0';
	x->oauth_body = b;
	return sz * n;
}

static bool
easy(struct dispatcher *d, struct xfer *x, const char *url,
    struct curl_slist *hdrs, const char *body)
{
	const struct settings	*s = d->s;

	if (x->e == NULL && (x->e = curl_easy_init()) == NULL)
		return false;
	curl_easy_reset(x->e);
	curl_easy_setopt(x->e, CURLOPT_URL, url);
	curl_easy_setopt(x->e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->e, CURLOPT_CONNECTTIMEOUT,
	    (long)s->outbound_connect_timeout);
	curl_easy_setopt(x->e, CURLOPT_TIMEOUT, (long)s->outbound_timeout);
	curl_easy_setopt(x->e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(x->e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->outbound_ca_file[0] != '\0')
		curl_easy_setopt(x->e, CURLOPT_CAINFO, s->outbound_ca_file);
	curl_easy_setopt(x->e, CURLOPT_OPENSOCKETFUNCTION, opensocket);
	curl_easy_setopt(x->e, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(x->e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(x->e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(x->e, CURLOPT_WRITEFUNCTION,
	    x->oauth_stage ? keep : discard);
	curl_easy_setopt(x->e, CURLOPT_WRITEDATA, x);
	x->errbuf[0] = '\0';
	x->refused = false;
	return curl_multi_add_handle(d->multi, x->e) == CURLM_OK;
}

/* The OAuth token request (client credentials, HTTP Basic). */
static bool
start_token(struct dispatcher *d, struct xfer *x)
{
	x->oauth_stage = true;
	free(x->oauth_body);
	x->oauth_body = NULL;
	x->oauth_len = 0;
	if (url_refused(d->s, x->token_url) != NULL ||
	    !easy(d, x, x->token_url, x->extra,
	    "grant_type=client_credentials"))
		return false;
	curl_easy_setopt(x->e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(x->e, CURLOPT_USERNAME, x->client_id);
	curl_easy_setopt(x->e, CURLOPT_PASSWORD, x->client_secret);
	return true;
}

/*
 * The message itself, with the cached access token when OAuth is on: its
 * headers are x->hdrs plus the Authorization line, in a list of their own
 * (x->sent), so a resend after a 401 carries the new token only.
 */
static bool
start_message(struct dispatcher *d, struct xfer *x)
{
	struct oauth_tok	*t;
	struct curl_slist	*l, *n, *h = NULL;
	char			*bearer;
	bool			 ok = true;

	x->oauth_stage = false;
	if (x->token_url == NULL)
		return easy(d, x, x->url, x->hdrs, x->body);
	if ((t = cached(d, x)) == NULL ||
	    asprintf(&bearer, "Bearer %s", t->access) == -1)
		return false;
	for (l = x->hdrs; l != NULL && ok; l = l->next)
		if ((ok = (n = curl_slist_append(h, l->data)) != NULL))
			h = n;
	ok = ok && header_to(&h, "Authorization", bearer);
	crypto_wipe(bearer, strlen(bearer));
	free(bearer);
	if (!ok) {
		curl_slist_free_all(h);
		return false;
	}
	ok = easy(d, x, x->url, h, x->body);
	/* Kept until the transfer ends: libcurl reads it then. */
	curl_slist_free_all(x->sent);
	x->sent = h;
	return ok;
}

static void
launch(struct dispatcher *d, struct xfer *x)
{
	struct oauth_tok	*t = x->token_url != NULL ? cached(d, x) : NULL;
	bool			 ok;

	if (t != NULL && t->expires_us <= time_now_us()) {
		uncache(d, x);
		t = NULL;
	}
	x->start_us = time_now_us();
	ok = x->token_url != NULL && t == NULL ? start_token(d, x) :
	    start_message(d, x);
	if (!ok) {
		end(d, x, XFER_FAILED, "cannot start the transfer");
		return;
	}
	d->inflight++;
}

/*
 * A claimed task: check its target, build the request and start it, or
 * end it at once (configuration error, nothing to send).
 */
void
send_start(struct dispatcher *d, struct xfer *x, const struct target *t)
{
	bool		 oauth;
	int		 n;
	char		*token;
	const char	*path, *why, *url = t->url;
	yajl_val	 sp = NULL;
	char		 ebuf[128];

	if (t->conf_id == DB_NULL) {
		end(d, x, XFER_CONFIG, "the system no longer exists");
		return;
	}
	if (!t->enabled || !t->user_enabled) {
		end(d, x, XFER_CONFIG, "the system is disabled");
		return;
	}
	if (x->action == OSCP_REGISTER ? t->status != REG_PENDING_VALUE :
	    t->status != REG_REGISTERED) {
		end(d, x, XFER_CONFIG, x->action == OSCP_REGISTER ?
		    "the system is no longer Pending" :
		    "the system is not Registered");
		return;
	}
	if (t->ver == NULL || strcmp(t->ver, "2.0") != 0) {
		end(d, x, XFER_CONFIG, "the system's OSCP version is not 2.0");
		return;
	}
	if (url == NULL || *url == '\0') {
		end(d, x, XFER_SKIPPED, "skipped: the system has no base URL");
		return;
	}
	if ((why = url_refused(d->s, url)) != NULL) {
		end(d, x, XFER_CONFIG, why);
		return;
	}

	/* The body made at send time. */
	if (x->action == OSCP_REGISTER) {
		if (d->s->fp_base_url[0] == '\0') {
			end(d, x, XFER_CONFIG, "fp_base_url is not configured");
			return;
		}
		if (t->next_sha == NULL || t->sha_len != 32 ||
		    (token = unseal(d, x, AAD_FP_NEXT, t->fp_id, t->next_enc,
		    t->next_len)) == NULL) {
			end(d, x, XFER_CONFIG, "no new token to send");
			return;
		}
		memcpy(x->next_sha, t->next_sha, 32);
		x->has_next = true;
		x->fp_id = t->fp_id;
		free(x->body);
		x->body = NULL;
		{
			char *b = oscp_json_register(d->a, token,
			    d->s->fp_base_url);

			crypto_wipe(token, strlen(token));
			free(token);
			if (b == NULL || (x->body = strdup(b)) == NULL) {
				end(d, x, XFER_FAILED, "out of memory");
				return;
			}
			crypto_wipe(b, strlen(b));
		}
	} else if (x->action == OSCP_HEARTBEAT) {
		char	*b;

		if (t->hb == DB_NULL_INT || t->hb <= 0) {
			end(d, x, XFER_CONFIG, "no heartbeat interval");
			return;
		}
		b = oscp_json_heartbeat(d->a, time_now_us() +
		    2 * (int64_t)t->hb * 1000000);
		free(x->body);
		if (b == NULL || (x->body = strdup(b)) == NULL) {
			end(d, x, XFER_FAILED, "out of memory");
			return;
		}
	}
	if (x->body == NULL) {
		end(d, x, XFER_CONFIG, "nothing to send");
		return;
	}

	/* URL, headers, authorisation. */
	if (t->sprops != NULL)
		sp = yajl_tree_parse(t->sprops, ebuf, sizeof(ebuf));
	path = props(x, sp, &oauth);
	if (asprintf(&x->url, "%s%s", url, path) == -1)
		x->url = NULL;
	yajl_tree_free(sp);
	if (x->url == NULL ||
	    !header(x, "Content-Type", "application/json") ||
	    !header(x, "X-Request-ID", x->reqid) ||
	    (x->corr != NULL && !header(x, "X-Correlation-ID", x->corr))) {
		end(d, x, XFER_FAILED, "out of memory");
		return;
	}
	if (oauth) {
		if ((x->client_secret = unseal(d, x, aad_secret[x->role],
		    x->conf_id, t->sec_enc, t->sec_len)) == NULL) {
			end(d, x, XFER_CONFIG, "OAuth is configured but no "
			    "client secret is stored");
			return;
		}
		if (x->token_url == NULL || x->client_id == NULL) {
			end(d, x, XFER_FAILED, "out of memory");
			return;
		}
		if ((why = url_refused(d->s, x->token_url)) != NULL) {
			snprintf(ebuf, sizeof(ebuf), "the OAuth token URL: %s",
			    why);
			end(d, x, XFER_CONFIG, ebuf);
			return;
		}
	} else if (t->tok_enc != NULL) {
		char	*h;

		if ((token = unseal(d, x, aad_token[x->role], x->conf_id,
		    t->tok_enc, t->tok_len)) == NULL) {
			end(d, x, XFER_CONFIG, "the system's token does not "
			    "open (master key?)");
			return;
		}
		n = asprintf(&h, "Token %s", token);
		crypto_wipe(token, strlen(token));
		free(token);
		if (n == -1 || !header(x, "Authorization", h)) {
			end(d, x, XFER_FAILED, "out of memory");
			return;
		}
		crypto_wipe(h, strlen(h));
		free(h);
	}
	launch(d, x);
}

/* The token endpoint answered: cache the access token. */
static bool
take_token(struct dispatcher *d, struct xfer *x)
{
	const char		*at[] = { "access_token", NULL };
	const char		*ex[] = { "expires_in", NULL };
	struct oauth_tok	*t;
	yajl_val		 root, a, e;
	char			 ebuf[128];
	int64_t			 secs = 300, margin;

	if (x->oauth_body == NULL ||
	    (root = yajl_tree_parse(x->oauth_body, ebuf, sizeof(ebuf))) ==
	    NULL)
		return false;
	a = yajl_tree_get(root, at, yajl_t_string);
	e = yajl_tree_get(root, ex, yajl_t_number);
	if (e != NULL && YAJL_IS_INTEGER(e))
		secs = YAJL_GET_INTEGER(e);
	if (secs < 0)
		secs = 0;
	else if (secs > OAUTH_MAX_SECS)
		secs = OAUTH_MAX_SECS;	/* the peer's number: no overflow */
	if (a == NULL || (t = calloc(1, sizeof(*t))) == NULL) {
		yajl_tree_free(root);
		return false;
	}
	uncache(d, x);
	t->user_id = x->user_id;
	t->conf_id = x->conf_id;
	t->role = x->role;
	t->access = strdup(a->u.string);
	/* Refresh a little before expiry: OAUTH_MARGIN_US, at most a quarter
	 * of the lifetime (a short-lived token is still reused). */
	margin = secs * 1000000 / 4 < OAUTH_MARGIN_US ? secs * 1000000 / 4 :
	    OAUTH_MARGIN_US;
	t->expires_us = time_now_us() + secs * 1000000 - margin;
	yajl_tree_free(root);
	if (t->access == NULL) {
		free(t);
		return false;
	}
	t->next = d->tokens;
	d->tokens = t;
	return true;
}

static void
finished(struct dispatcher *d, struct xfer *x, CURLcode cc)
{
	long		 code = 0;
	char		 buf[CURL_ERROR_SIZE + 64];

	curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(d->multi, x->e);
	d->inflight--;
	if (x->refused) {
		x->status = 0;
		end(d, x, XFER_CONFIG, "refused by the URL policy: a loopback "
		    "or private address (outbound_allow_private is off)");
		return;
	}
	if (cc != CURLE_OK) {
		snprintf(buf, sizeof(buf), "%s%s%s", curl_easy_strerror(cc),
		    x->errbuf[0] ? ": " : "", x->errbuf);
		end(d, x, XFER_FAILED, buf);
		return;
	}
	if (x->oauth_stage) {
		if (code < 200 || code > 299 || !take_token(d, x)) {
			x->status = (int)code;
			snprintf(buf, sizeof(buf), "OAuth token request: %s%ld",
			    code ? "HTTP " : "no answer ", code);
			end(d, x, XFER_FAILED, buf);
			return;
		}
		if (!start_message(d, x)) {
			end(d, x, XFER_FAILED, "cannot start the transfer");
			return;
		}
		d->inflight++;
		return;
	}
	x->status = (int)code;
	if (code == 401 && x->token_url != NULL && !x->oauth_retried) {
		/* The access token may have been revoked: fetch one again,
		 * once. */
		x->oauth_retried = true;
		uncache(d, x);
		if (start_token(d, x)) {
			d->inflight++;
			return;
		}
	}
	if (code >= 200 && code <= 299) {
		end(d, x, XFER_OK, NULL);
		return;
	}
	snprintf(buf, sizeof(buf), "HTTP %ld", code);
	end(d, x, XFER_FAILED, buf);
}

void
send_progress(struct dispatcher *d)
{
	CURLMsg		*m;
	struct xfer	*x;
	int		 running, left;

	send_settings = d->s;
	curl_multi_perform(d->multi, &running);
	while ((m = curl_multi_info_read(d->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x);
		finished(d, x, m->data.result);
	}
}

/* A string for the JSON of a batch: UTF-8 as is, other bytes as '?'. */
static bool
gen_str(yajl_gen g, const char *key, const char *v)
{
	size_t		 i, len;
	char		*copy;
	bool		 ok;

	if (v == NULL)
		return true;	/* absent: NULL in the table */
	len = strlen(v);
	if (yajl_gen_string(g, (const unsigned char *)key, strlen(key)) !=
	    yajl_gen_status_ok)
		return false;
	if (yajl_gen_string(g, (const unsigned char *)v, len) ==
	    yajl_gen_status_ok)
		return true;
	/* Not UTF-8 (an error text cut in a character): keep ASCII. */
	if ((copy = strdup(v)) == NULL)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	ok = yajl_gen_string(g, (const unsigned char *)copy, len) ==
	    yajl_gen_status_ok;
	free(copy);
	return ok;
}

static bool
gen_int(yajl_gen g, const char *key, long long v)
{
	return yajl_gen_string(g, (const unsigned char *)key, strlen(key)) ==
	    yajl_gen_status_ok && yajl_gen_integer(g, v) == yajl_gen_status_ok;
}

/*
 * The JSON parameter of a batch statement: the events of every attempt
 * in the list ([{u, r, c, a, q, k, s, e, d, n}], absent keys are NULL),
 * or the tasks done ([[task id, claim], ...]).  NULL when out of memory;
 * *count: the elements.
 */
static yajl_gen
batch_json(struct xfer *list, bool events, int64_t now_us, size_t *count)
{
	yajl_gen	 g;
	struct xfer	*x;
	bool		 ok;
	int64_t		 ms;

	*count = 0;
	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return NULL;
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	ok = yajl_gen_array_open(g) == yajl_gen_status_ok;
	for (x = list; x != NULL && ok; x = x->next) {
		if (!events) {
			if (x->end == XFER_FAILED && x->attempt < MAX_TRIES)
				continue;	/* retried, not done */
			ok = yajl_gen_array_open(g) == yajl_gen_status_ok &&
			    yajl_gen_integer(g, x->task_id) ==
			    yajl_gen_status_ok && yajl_gen_string(g,
			    (const unsigned char *)x->claim,
			    strlen(x->claim)) == yajl_gen_status_ok &&
			    yajl_gen_array_close(g) == yajl_gen_status_ok;
			(*count)++;
			continue;
		}
		ms = x->start_us ? (now_us - x->start_us) / 1000 : 0;
		ok = yajl_gen_map_open(g) == yajl_gen_status_ok &&
		    gen_int(g, "u", x->user_id) && gen_int(g, "r", x->role) &&
		    gen_int(g, "c", x->conf_id) &&
		    gen_int(g, "a", x->action) && gen_str(g, "q", x->reqid) &&
		    gen_str(g, "k", x->corr) &&
		    (x->status == 0 || gen_int(g, "s", x->status)) &&
		    gen_str(g, "e", x->error) && gen_int(g, "d", ms) &&
		    gen_int(g, "n", x->attempt) &&
		    yajl_gen_map_close(g) == yajl_gen_status_ok;
		(*count)++;
	}
	if (!ok || yajl_gen_array_close(g) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return NULL;
	}
	return g;
}

/* Run a batch statement with the JSON of the list. */
static enum fp_err
batch(struct dispatcher *d, enum stmt st, struct xfer *list, bool events,
    int64_t now_us)
{
	yajl_gen		 g;
	const unsigned char	*buf;
	size_t			 len, count;
	enum fp_err		 rc;

	if ((g = batch_json(list, events, now_us, &count)) == NULL)
		return FP_ENOMEM;
	if (count == 0)
		rc = FP_OK;
	else if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		rc = FP_ENOMEM;
	else
		rc = db_exec(d->db, st, "s", (const char *)buf);
	yajl_gen_free(g);
	return rc;
}

/*
 * Record a batch of attempts in the caller's transaction: every event in
 * one statement, every task done (or given up) deleted in one, each retry
 * put back, and for a Register reply the token swap and the status.
 */
enum fp_err
send_record(struct dispatcher *d, struct xfer *list)
{
	int64_t		 now = time_now_us();
	struct xfer	*x;
	enum fp_err	 rc;

	if ((rc = batch(d, STMT_DSP_EVENTS_INSERT, list, true, now)) !=
	    FP_OK ||
	    (rc = batch(d, STMT_DSP_TASK_DONE, list, false, now)) != FP_OK)
		return rc;
	for (x = list; x != NULL; x = x->next) {
		if (x->end == XFER_FAILED && x->attempt < MAX_TRIES) {
			if ((rc = db_exec(d->db, STMT_DSP_TASK_RETRY, "ils",
			    x->attempt * d->s->dispatch_retry_seconds,
			    x->task_id, x->claim)) != FP_OK)
				return rc;
			continue;
		}
		if (x->action != OSCP_REGISTER)
			continue;
		if (x->end == XFER_OK && x->has_next) {
			if ((rc = db_exec(d->db, STMT_DSP_FP_PROMOTE, "llx",
			    x->user_id, x->fp_id, x->next_sha,
			    sizeof(x->next_sha))) != FP_OK ||
			    (rc = db_exec(d->db, st_status[x->role], "itlli",
			    REG_REGISTERED, now, x->user_id, x->conf_id,
			    REG_PENDING_VALUE)) != FP_OK)
				return rc;
		} else if (x->end == XFER_CONFIG) {
			/* A Register reply that cannot be sent as configured:
			 * Failed (a system no longer Pending keeps its status:
			 * the statement checks). */
			if ((rc = db_exec(d->db, st_status[x->role], "itlli",
			    REG_FAILED, now, x->user_id, x->conf_id,
			    REG_PENDING_VALUE)) != FP_OK)
				return rc;
		}
	}
	return FP_OK;
}

void
send_cleanup(struct dispatcher *d)
{
	struct oauth_tok	*t;

	while ((t = d->tokens) != NULL) {
		d->tokens = t->next;
		crypto_wipe(t->access, strlen(t->access));
		free(t->access);
		free(t);
	}
}
