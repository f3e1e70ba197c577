/*
 * test_http.c -- src/http.c without a live FastCGI request: the fp_err
 * table (status, SolarNetwork code, fixed message) for every FP_* value
 * against reference §6.4 and api-decisions.md, the cap on req_verr, and
 * the body checks of req_json_body that need no body read (415 content
 * type, 413 over the cap before reading, 422 missing body).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "http.h"
#include "unit.h"


#define DETAIL	((const char *)1)	/* message comes from r->detail */
#define ANY	((const char *)2)	/* any non-NULL text */

static void
t_errs(void)
{
	static const struct {
		enum fp_err	 e;
		int		 status;
		const char	*code;
		const char	*message;
	} t[] = {
		{ FP_OK, 200, NULL, NULL },
		{ FP_EINVAL, 422, "VAL.00004", DETAIL },
		{ FP_EMALFORMED, 422, NULL, DETAIL },
		{ FP_EILLEGAL, 422, NULL, DETAIL },
		{ FP_EMEDIA, 415, "415", DETAIL },
		{ FP_ETOOBIG, 413, "413", "Request entity too large" },
		{ FP_ENOTFOUND, 403, NULL, "UNKNOWN_OBJECT" },
		{ FP_ENODE, 403, NULL, "ACCESS_DENIED" },
		{ FP_EDUP, 422, "DAO.00101",
		    "An attempt to save a duplicate key has been denied." },
		{ FP_EREF, 422, "DAO.00105",
		    "Attempted to save a reference to a non-existent entity "
		    "(foreign key violation)." },
		{ FP_ETOOLONG, 422, "DAO.00103",
		    "An invalid query parameter was used, or a required "
		    "parameter was missing." },
		{ FP_EINTEGRITY, 422, "DAO.00104",
		    "A data integrity violation occurred, such as attempting "
		    "to save a null value where null is not allowed." },
		{ FP_EAUTH, 401, NULL, DETAIL },
		{ FP_EDENIED, 403, NULL, "Access Denied" },
		{ FP_EROUTE, 404, "404", "Not Found" },
		{ FP_EMETHOD, 405, "405", "Method Not Allowed" },
		{ FP_EBADREQ, 400, "400", DETAIL },
		{ FP_EBUSY, 429, ANY, ANY },
		{ FP_EDBDOWN, 503, "503", "Service unavailable" },
		{ FP_ENOMEM, 500, NULL, "Internal error" },
		{ FP_ESYS, 500, NULL, "Internal error" },
		{ FP_EVERSION, 501, "501", DETAIL },
	};
	bool	 seen[FP__MAX] = { false };
	size_t	 i;
	int	 e;

	CU_ASSERT_EQUAL(N(t), FP__MAX);
	for (i = 0; i < N(t); i++) {
		const char	*code = fp_err_code(t[i].e);
		const char	*msg = fp_err_message(t[i].e);

		seen[t[i].e] = true;
		CHECK(fp_err_status(t[i].e) == t[i].status,
		    "fp_err %d: status %d, want %d", t[i].e,
		    fp_err_status(t[i].e), t[i].status);
		if (t[i].code == ANY)
			CHECK(code != NULL && (strncmp(code, "DAO.002", 7) == 0 ||
			    strncmp(code, "DAO.003", 7) == 0),
			    "fp_err %d: code %s", t[i].e, code ? code : "(null)");
		else
			CHECK(streq(code, t[i].code), "fp_err %d: code %s, "
			    "want %s", t[i].e, code ? code : "(null)",
			    t[i].code ? t[i].code : "(null)");
		if (t[i].message == DETAIL)
			CHECK(msg == NULL, "fp_err %d: message must come from "
			    "the detail, is \"%s\"", t[i].e, msg ? msg : "(null)");
		else if (t[i].message == ANY)
			CHECK(msg != NULL && *msg != '\0', "fp_err %d: message",
			    t[i].e);
		else
			CHECK(streq(msg, t[i].message), "fp_err %d: message "
			    "\"%s\"", t[i].e, msg ? msg : "(null)");
	}
	/* Every member has an entry, none of them a zero status. */
	for (e = 0; e < FP__MAX; e++) {
		CHECK(seen[e], "fp_err %d not covered by this test", e);
		CHECK(fp_err_status(e) >= 200 && fp_err_status(e) <= 599,
		    "fp_err %d: status %d", e, fp_err_status(e));
		if (e != FP_OK)
			CHECK(fp_err_status(e) >= 400, "fp_err %d: error "
			    "status %d", e, fp_err_status(e));
	}
}

static void
t_verr_cap(void)
{
	struct req	 r;
	char		 loc[REQ_MAX_ERRORS + 10][16];
	size_t		 i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < N(loc); i++) {
		snprintf(loc[i], sizeof(loc[i]), "f%zu", i);
		req_verr(&r, loc[i], "NotNull", "must not be null",
		    i % 2 ? "\"x\"" : NULL);
		CU_ASSERT(r.nerrors <= REQ_MAX_ERRORS);
	}
	CU_ASSERT_EQUAL(r.nerrors, REQ_MAX_ERRORS);
	for (i = 0; i < REQ_MAX_ERRORS; i++) {
		CU_ASSERT_PTR_EQUAL(r.errors[i].location, loc[i]);
		CU_ASSERT_STRING_EQUAL(r.errors[i].code, "NotNull");
		CU_ASSERT_STRING_EQUAL(r.errors[i].message, "must not be null");
		if (i % 2) {
			CU_ASSERT_STRING_EQUAL(r.errors[i].rejected, "\"x\"");
		} else {
			CU_ASSERT_PTR_NULL(r.errors[i].rejected);
		}
	}
}

/*
 * req_json_body up to the point where it would read stdin: the content
 * type (415, parameters allowed, case-insensitive), the body cap (413
 * from CONTENT_LENGTH before any read), the empty body (422).
 */
static void
t_json_body(void)
{
	static const struct {
		const char	*ct;
		const char	*cl;		/* CONTENT_LENGTH, NULL: absent */
		enum fp_err	 rc;
		const char	*detail;	/* NULL: not checked */
	} t[] = {
		{ "application/json", NULL, FP_EMALFORMED,
		    "Malformed request: Required request body is missing" },
		{ "application/json", "0", FP_EMALFORMED,
		    "Malformed request: Required request body is missing" },
		{ "application/json;charset=UTF-8", "", FP_EMALFORMED, NULL },
		{ "application/json; charset=utf-8", NULL, FP_EMALFORMED,
		    NULL },
		{ "APPLICATION/JSON", NULL, FP_EMALFORMED, NULL },
		{ "Application/Json;Charset=UTF-8", NULL, FP_EMALFORMED, NULL },
		{ "text/plain", "10", FP_EMEDIA,
		    "Content type 'text/plain' not supported" },
		{ "text/plain;charset=UTF-8", NULL, FP_EMEDIA,
		    "Content type 'text/plain;charset=UTF-8' not supported" },
		{ "application/x-www-form-urlencoded", NULL, FP_EMEDIA,
		    "Content type 'application/x-www-form-urlencoded' not "
		    "supported" },
		{ "application/jsonx", NULL, FP_EMEDIA, NULL },
		{ "application/json-patch+json", NULL, FP_EMEDIA, NULL },
		{ "application/jso", NULL, FP_EMEDIA, NULL },
		{ "json", NULL, FP_EMEDIA, NULL },
		{ "", NULL, FP_EMEDIA, NULL },
		{ NULL, NULL, FP_EMEDIA, NULL },
		/* 415 wins over 413: the type is checked first. */
		{ "text/plain", "999999999", FP_EMEDIA, NULL },
		{ "application/json", "262145", FP_ETOOBIG, NULL },
		{ "application/json", "999999999999", FP_ETOOBIG, NULL },
		{ "application/json", "12abc", FP_EBADREQ, NULL },
		{ "application/json", "-1", FP_EBADREQ, "Bad Content-Length" },
		{ "application/json", "+5", FP_EBADREQ, NULL },
		{ "application/json", " 5", FP_EBADREQ, NULL },
		{ "application/json", "99999999999999999999999", FP_EBADREQ,
		    NULL },
		{ "application/json junk", NULL, FP_EMEDIA, NULL },
		{ "application/json ; charset=UTF-8", NULL, FP_EMALFORMED,
		    NULL },
	};
	struct settings	 s;
	struct arena	*a;
	struct req	 r;
	char		*envp[3];
	char		 clbuf[64];
	enum fp_err	 rc;
	size_t		 i;

	memset(&s, 0, sizeof(s));
	s.body_max = FP_BODY_MAX_DEFAULT;
	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		memset(&r, 0, sizeof(r));
		r.a = a;
		r.s = &s;
		r.content_type = t[i].ct;
		envp[0] = "REQUEST_METHOD=POST";
		envp[1] = NULL;
		envp[2] = NULL;
		if (t[i].cl != NULL) {
			snprintf(clbuf, sizeof(clbuf), "CONTENT_LENGTH=%s",
			    t[i].cl);
			envp[1] = clbuf;
		}
		r.envp = envp;
		rc = req_json_body(&r);
		CHECK(rc == t[i].rc, "content type %s, length %s: rc %d, "
		    "want %d", t[i].ct ? t[i].ct : "(none)",
		    t[i].cl ? t[i].cl : "(none)", rc, t[i].rc);
		if (t[i].detail != NULL)
			CHECK(streq(r.detail, t[i].detail), "detail \"%s\"",
			    r.detail ? r.detail : "(null)");
		if (rc == FP_EMEDIA)
			CHECK(r.detail != NULL && strncmp(r.detail,
			    "Content type '", 14) == 0, "415 detail \"%s\"",
			    r.detail ? r.detail : "(null)");
		CU_ASSERT_EQUAL(r.body_len, 0);
		arena_reset(a);
	}

	/* A body already read goes through; the type still matters. */
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.s = &s;
	r.content_type = "application/json";
	r.body_read = true;
	r.body = (unsigned char *)"{}";
	r.body_len = 2;
	CU_ASSERT_EQUAL(req_json_body(&r), FP_OK);
	r.content_type = "text/json";
	CU_ASSERT_EQUAL(req_json_body(&r), FP_EMEDIA);
	arena_free(a);
}

void
test_http_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("http", NULL, NULL);
	CU_add_test(s, "fp_err table", t_errs);
	CU_add_test(s, "req_verr cap", t_verr_cap);
	CU_add_test(s, "req_json_body checks", t_json_body);
}
