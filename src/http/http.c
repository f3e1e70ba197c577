/*
 * http.c -- the request body and the response.  This file owns the one
 * table mapping enum fp_err to status, SolarNetwork code and message
 * (reference §6.4, snws2-auth.md §10), the one error renderer
 * (resp_error) and the success envelope.  Handlers never write error JSON.
 *
 * Responses are generated into yajl's buffer; a short one is sent with
 * Content-Length, a long list is flushed in pieces as rows stream from the
 * database (resp_flush), so no list is held whole in memory.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <yajl/yajl_gen.h>

#include "http.h"
#include "json.h"

#define FLUSH_AT	(32 * 1024)
#define HDR_TEXT_MAX	256	/* X-SN-ErrorMessage: bytes of the message */

static const struct {
	int		 status;
	const char	*code;		/* NULL: no "code" member */
	const char	*message;	/* NULL: r->detail */
} errs[FP__MAX] = {
	{ 200, NULL, NULL },				/* FP_OK */
	{ 422, "VAL.00004", NULL },			/* FP_EINVAL */
	{ 422, NULL, NULL },				/* FP_EMALFORMED */
	{ 422, NULL, NULL },				/* FP_EILLEGAL */
	{ 415, "415", NULL },				/* FP_EMEDIA */
	{ 413, "413", "Request entity too large" },	/* FP_ETOOBIG */
	{ 403, NULL, "UNKNOWN_OBJECT" },		/* FP_ENOTFOUND */
	{ 403, NULL, "ACCESS_DENIED" },			/* FP_ENODE */
	{ 422, "DAO.00101",				/* FP_EDUP */
	  "An attempt to save a duplicate key has been denied." },
	{ 422, "DAO.00105",				/* FP_EREF */
	  "Attempted to save a reference to a non-existent entity "
	  "(foreign key violation)." },
	{ 422, "DAO.00103",				/* FP_ETOOLONG */
	  "An invalid query parameter was used, or a required parameter "
	  "was missing." },
	{ 422, "DAO.00104",				/* FP_EINTEGRITY */
	  "A data integrity violation occurred, such as attempting to save "
	  "a null value where null is not allowed." },
	{ 401, NULL, NULL },				/* FP_EAUTH */
	{ 403, NULL, "Access Denied" },			/* FP_EDENIED */
	{ 404, "404", "Not Found" },			/* FP_EROUTE */
	{ 405, "405", "Method Not Allowed" },		/* FP_EMETHOD */
	{ 400, "400", NULL },				/* FP_EBADREQ */
	{ 429, "DAO.00201", "Try again later" },	/* FP_EBUSY */
	{ 503, "503", "Service unavailable" },		/* FP_EDBDOWN */
	{ 500, NULL, "Internal error" },		/* FP_ENOMEM */
	{ 500, NULL, "Internal error" },		/* FP_ESYS */
	{ 501, "501", NULL },				/* FP_EVERSION */
};

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

int
fp_err_status(enum fp_err e)
{
	return errs[e].status;
}

const char *
fp_err_code(enum fp_err e)
{
	return errs[e].code;
}

const char *
fp_err_message(enum fp_err e)
{
	return errs[e].message;
}

const char *
req_param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->envp);
}

/*
 * The request as the FastCGI params (r->envp) describe it: method,
 * target, path, content type.  r->a and r->envp are set by the caller.
 */
enum fp_err
req_from_params(struct req *r)
{
	const char	*q;

	r->method_name = req_param(r, "REQUEST_METHOD");
	if (r->method_name == NULL)
		r->method_name = "GET";
	r->method = method_parse(r->method_name);
	if ((r->target = req_param(r, "REQUEST_URI")) == NULL)
		r->target = "/";
	q = strchr(r->target, '?');
	r->path = q ? arena_strndup(r->a, r->target,
	    (size_t)(q - r->target)) : r->target;
	r->content_type = req_param(r, "CONTENT_TYPE");
	r->route_name = "none";
	return r->path == NULL ? FP_ENOMEM : FP_OK;
}

/* CONTENT_LENGTH (0 when absent or empty); 400 when it is not a number,
 * 413 over the configured cap. */
enum fp_err
req_content_length(struct req *r, size_t *out)
{
	const char	*cl = req_param(r, "CONTENT_LENGTH");
	char		*end;
	unsigned long long len;

	*out = 0;
	if (cl == NULL || *cl == '\0')
		return FP_OK;
	errno = 0;
	len = strtoull(cl, &end, 10);
	if (*cl < '0' || *cl > '9' || *end != '\0' || errno == ERANGE)
		return r->detail = "Bad Content-Length", FP_EBADREQ;
	if (len > r->s->body_max)
		return FP_ETOOBIG;
	*out = (size_t)len;
	return FP_OK;
}

/*
 * Read the whole body (CONTENT_LENGTH bytes) into the arena; 413 over the
 * configured cap, before reading anything.
 */
enum fp_err
req_read_body(struct req *r)
{
	size_t		 len;
	int		 n;
	size_t		 got = 0;
	enum fp_err	 rc;

	if (r->body_read)
		return FP_OK;
	r->body_read = true;
	if ((rc = req_content_length(r, &len)) != FP_OK)
		return rc;
	if (len == 0)
		return FP_OK;
	if ((r->body = arena_alloc(r->a, (size_t)len + 1)) == NULL)
		return FP_ENOMEM;
	while (got < len) {
		n = FCGX_GetStr((char *)r->body + got, (int)(len - got),
		    r->fcgx->in);
		if (n <= 0)
			return r->detail = "Truncated request body",
			    FP_EBADREQ;
		got += (size_t)n;
	}
	r->body[len] = '\0';
	r->body_len = (size_t)len;
	return FP_OK;
}

/* application/json, optionally with parameters (charset=UTF-8). */
static bool
is_json(const char *ct)
{
	size_t	 n = sizeof("application/json") - 1;

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return false;
	while (ct[n] == ' ' || ct[n] == '\t')
		n++;
	return ct[n] == '\0' || ct[n] == ';';
}

/*
 * The checks every POST/PUT body goes through before parsing: content
 * type (415), size (413), presence (422).
 */
enum fp_err
req_json_body(struct req *r)
{
	enum fp_err	 rc;

	if (!is_json(r->content_type)) {
		r->detail = arena_printf(r->a,
		    "Content type '%s' not supported",
		    r->content_type ? r->content_type : "");
		return FP_EMEDIA;
	}
	if ((rc = req_read_body(r)) != FP_OK)
		return rc;
	if (r->body_len == 0) {
		r->detail = "Malformed request: Required request body is "
		    "missing";
		return FP_EMALFORMED;
	}
	return FP_OK;
}

void
req_verr(struct req *r, const char *location, const char *code,
    const char *message, const char *rejected)
{
	struct verr	*e;

	if (r->nerrors >= REQ_MAX_ERRORS)
		return;
	e = &r->errors[r->nerrors++];
	e->location = location;
	e->code = code;
	e->message = message;
	e->rejected = rejected;
}

static void
free_gen(void *g)
{
	yajl_gen_free(g);
}

static yajl_gen
envelope(struct req *r, int status)
{
	r->status = status;
	if ((r->g = yajl_gen_alloc(NULL)) == NULL)
		return NULL;
	arena_cleanup_add(r->a, free_gen, r->g);
	yajl_gen_map_open(r->g);
	json_key(r->g, "success");
	yajl_gen_bool(r->g, status < 300);
	return r->g;
}

/* Start a success response and open its "data" member. */
yajl_gen
resp_begin(struct req *r, int status)
{
	yajl_gen	 g;

	if ((g = envelope(r, status)) != NULL)
		json_key(g, "data");
	return g;
}

/*
 * The response head, built line by line in a fixed buffer: a line that
 * does not fit is left out whole (never cut before its CRLF), and room
 * for the closing blank line is always kept.  Nothing here can exceed it
 * (messages are bounded by hdr_text()), so that is a safety net.
 */
struct head {
	char	 buf[1024];
	size_t	 len;
};

static void __attribute__((format(printf, 2, 3)))
head_line(struct head *h, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 room = sizeof(h->buf) - h->len - 2;	/* final CRLF */
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(h->buf + h->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		log_warn("response header line dropped (%d bytes)", n);
		return;
	}
	h->len += (size_t)n;
}

/*
 * A message as a header value: control characters become spaces, and a
 * message over HDR_TEXT_MAX bytes is cut on a UTF-8 character boundary
 * and ends in "...".  out holds HDR_TEXT_MAX + 4 bytes.
 */
static void
hdr_text(const char *msg, char out[HDR_TEXT_MAX + 4])
{
	size_t	 n = strlen(msg), i;

	if (n > HDR_TEXT_MAX) {
		n = HDR_TEXT_MAX;
		while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char	 c = (unsigned char)msg[i];

		out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	if (msg[n] != '\0') {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static void
headers(struct req *r, size_t len, bool with_len, const char *errmsg)
{
	struct head	 h = { .len = 0 };
	char		 text[HDR_TEXT_MAX + 4], allow[128];

	head_line(&h, "Status: %d %s\r\n", r->status, reason(r->status));
	head_line(&h, "Content-Type: application/json;charset=UTF-8\r\n");
	if (with_len)
		head_line(&h, "Content-Length: %zu\r\n", len);
	if (r->location != NULL)
		head_line(&h, "Location: %s\r\n", r->location);
	if (r->status == 401) {
		head_line(&h, "WWW-Authenticate: SNWS2\r\n");
		if (errmsg != NULL) {
			hdr_text(errmsg, text);
			head_line(&h, "X-SN-ErrorMessage: %s\r\n", text);
		}
	} else if (r->status == 405) {
		route_allow(r->allow, allow, sizeof(allow));
		head_line(&h, "Allow: %s\r\n", allow);
	}
	if (r->error_header != NULL) {
		hdr_text(r->error_header, text);
		head_line(&h, "X-Error-Message: %s\r\n", text);
	}
	memcpy(h.buf + h.len, "\r\n", 2);
	h.len += 2;
	FCGX_PutStr(h.buf, (int)h.len, r->fcgx->out);
	r->headers_sent = true;
}

static enum fp_err
send_buf(struct req *r, bool final, const char *errmsg)
{
	const unsigned char	*buf;
	size_t			 len;

	yajl_gen_get_buf(r->g, &buf, &len);
	if (!r->headers_sent)
		headers(r, len, final, errmsg);
	if (len > 0 && FCGX_PutStr((const char *)buf, (int)len,
	    r->fcgx->out) < 0)
		return FP_ESYS;
	yajl_gen_clear(r->g);
	return FP_OK;
}

/* Send what is buffered once it is large (long lists). */
enum fp_err
resp_flush(struct req *r)
{
	const unsigned char	*buf;
	size_t			 len;

	yajl_gen_get_buf(r->g, &buf, &len);
	if (len < FLUSH_AT)
		return FP_OK;
	r->streaming = true;
	return send_buf(r, false, NULL);
}

enum fp_err
resp_end(struct req *r)
{
	yajl_gen_map_close(r->g);
	return send_buf(r, !r->streaming, NULL);
}

enum fp_err
resp_ok_nodata(struct req *r)
{
	if (envelope(r, 200) == NULL)
		return FP_ENOMEM;
	yajl_gen_map_close(r->g);
	return send_buf(r, true, NULL);
}

/* OSCP success: 204 with no body (SPEC §3). */
enum fp_err
resp_no_content(struct req *r)
{
	r->status = 204;
	FCGX_PutS("Status: 204 No Content\r\n\r\n", r->fcgx->out);
	r->headers_sent = true;
	return FP_OK;
}

/*
 * OSCP errors: the status of the same table, the body of the OCA's
 * error.json ({"message":...}), never the SolarNetwork envelope; 501 also
 * says why in X-Error-Message.
 */
static void
oscp_error(struct req *r, enum fp_err rc)
{
	const char	*msg = r->detail;
	yajl_gen	 g;

	if (rc == FP_ESYS || rc == FP_ENOMEM || msg == NULL)
		msg = errs[rc].message != NULL ? errs[rc].message :
		    reason(errs[rc].status);
	if (rc == FP_EVERSION)
		r->error_header = msg;
	r->status = errs[rc].status;
	if ((g = yajl_gen_alloc(NULL)) == NULL ||
	    arena_cleanup_add(r->a, free_gen, g) != 0) {
		if (g != NULL)
			yajl_gen_free(g);
		return;
	}
	r->g = g;
	yajl_gen_map_open(g);
	json_kv_str(g, "message", msg);
	yajl_gen_map_close(g);
	send_buf(r, true, NULL);
}

/*
 * Render any failure.  The envelope is {"success":false,"code","message",
 * "errors"} with null members left out (reference §2.1).
 */
void
resp_error(struct req *r, enum fp_err rc)
{
	const char	*msg = errs[rc].message;
	const char	*code = errs[rc].code;
	yajl_gen	 g;
	size_t		 i;

	if (r->headers_sent) {
		/* A streamed list failed half-way: nothing sane to add. */
		r->status = 500;
		return;
	}
	/* A half-built success document is dropped (its generator is
	 * freed with the arena). */
	r->g = NULL;
	if (r->fam == FAM_OSCP) {
		oscp_error(r, rc);
		return;
	}
	if (msg == NULL)
		msg = r->detail != NULL ? r->detail : reason(errs[rc].status);
	r->location = NULL;
	if ((g = envelope(r, errs[rc].status)) == NULL)
		return;
	json_kv_str(g, "code", code);
	if (rc == FP_EINVAL) {
		char	*joined = "";

		for (i = 0; i < r->nerrors && joined != NULL; i++)
			joined = arena_printf(r->a, "%s%s%s", joined,
			    i > 0 ? " " : "", r->errors[i].message);
		msg = joined != NULL ? joined : r->errors[0].message;
	}
	json_kv_str(g, "message", msg);
	if (rc == FP_EINVAL) {
		json_key(g, "errors");
		yajl_gen_array_open(g);
		for (i = 0; i < r->nerrors; i++) {
			const struct verr	*e = &r->errors[i];

			yajl_gen_map_open(g);
			json_kv_str(g, "location", e->location);
			json_kv_str(g, "code", e->code);
			json_kv_raw(g, "rejectedValue", e->rejected, NULL);
			json_kv_str(g, "message", e->message);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
	send_buf(r, true, rc == FP_EAUTH ? msg : NULL);
}
