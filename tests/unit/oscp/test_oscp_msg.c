/*
 * test_oscp_msg.c -- src/oscp/oscp_msg.c: the OSCP 2.0 messages an FP
 * receives, checked against the schemas' rules (SPEC §3, OSCP.md), and
 * the bodies it sends.
 *
 * Parsing: every inbound sample of tests/fixtures/oscp-samples (and the
 * invalid/ ones); a table of bodies per parser with the exact outcome
 * (the parsed message in a readable summary, or the error text naming the
 * member); the limits of the document (depth, string, key and array
 * length, the 16384-value budget); strict JSON (duplicate keys, UTF-8, NUL
 * characters, a non-object root); and every row of the table again in
 * arenas too small for it: the normal outcome or FP_ENOMEM, never a crash
 * or a made-up message.  Output: the exact forecast, register, ack and
 * heartbeat bodies (UTC dates with milliseconds, escaping), oscp_uuid and
 * oscp_id_ok.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "json.h"
#include "oscp.h"
#include "timefmt.h"
#include "unit.h"


/* The daemon's defaults (settings.c); mem is not used by these parsers. */
static const struct jlimits deflim = {
	FP_JSON_DEPTH_DEFAULT, FP_JSON_STRING_DEFAULT, FP_JSON_ARRAY_DEFAULT,
	8 * FP_BODY_MAX_DEFAULT
};

enum kind { K_REG, K_HS, K_ACK, K_HB, K_FC };

union msg {
	struct oscp_register	reg;
	struct oscp_behaviour	beh;
	int64_t			hb;
	struct oscp_forecast	fc;
};

static enum fp_err
parse(struct arena *a, const struct jlimits *lim, enum kind k,
    const char *body, size_t len, union msg *m, const char **detail)
{
	memset(m, 0x5a, sizeof(*m));	/* the parser must set what it says */
	*detail = NULL;
	switch (k) {
	case K_REG:
		return oscp_parse_register(a, lim, (const unsigned char *)body,
		    len, &m->reg, detail);
	case K_HS:
	case K_ACK:
		return oscp_parse_behaviour(a, lim, (const unsigned char *)body,
		    len, k == K_ACK, &m->beh, detail);
	case K_HB:
		return oscp_parse_heartbeat(a, lim, (const unsigned char *)body,
		    len, &m->hb, detail);
	case K_FC:
		break;
	}
	return oscp_parse_forecast(a, lim, (const unsigned char *)body, len,
	    &m->fc, detail);
}

/* An instant with all its microseconds: 2024-05-01 12:02:00.123456Z. */
static const char *
when(char buf[TIME_BUFSZ], int64_t us)
{
	if (time_fmt_sn(us, buf) == 0)
		snprintf(buf, TIME_BUFSZ, "(%" PRId64 ")", us);
	return buf;
}

/*
 * What a parse gave, in one line (malloc'd):
 *	register	token=T base=URL|(null)
 *	behaviour	none | hb=N styles=[..]
 *	heartbeat	the instant
 *	forecast	group type cap/phase/unit/start/end; ...
 */
static char *
summary(enum kind k, const union msg *m)
{
	char	 buf[8192], t1[TIME_BUFSZ], t2[TIME_BUFSZ];
	size_t	 i, n;

	switch (k) {
	case K_REG:
		snprintf(buf, sizeof(buf), "token=%s base=%s", nn(m->reg.token),
		    nn(m->reg.base_url));
		break;
	case K_HS:
	case K_ACK:
		if (!m->beh.present)
			snprintf(buf, sizeof(buf), "none hb=%d",
			    m->beh.heartbeat_secs);
		else
			snprintf(buf, sizeof(buf), "hb=%d styles=%s",
			    m->beh.heartbeat_secs, nn(m->beh.styles));
		break;
	case K_HB:
		snprintf(buf, sizeof(buf), "%s", when(t1, m->hb));
		break;
	case K_FC:
		n = (size_t)snprintf(buf, sizeof(buf), "%s %s",
		    nn(m->fc.group_id), nn(m->fc.type));
		for (i = 0; i < m->fc.nblocks && n < sizeof(buf); i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    "%s%s/%s/%s/%s/%s", i ? "; " : " ",
			    nn(m->fc.blocks[i].capacity),
			    nn(m->fc.blocks[i].phase),
			    nn(m->fc.blocks[i].unit),
			    when(t1, m->fc.blocks[i].start_us),
			    when(t2, m->fc.blocks[i].end_us));
		break;
	}
	return strdup(buf);
}

/* ------------------------------------------------------------------ */
/* The table: a body, and what each parser must make of it */

/* A token one character over the limit. */
#define T64	"tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt"
#define T513	T64 T64 T64 T64 T64 T64 T64 T64 "t"
#define V20	"{\"version\":\"2.0\"," \
		"\"base_url\":\"https://cp.example/oscp/cp/2.0\"}"
#define REG(x)	"{\"token\":\"tok\",\"version_url\":[" x "]}"
#define RB(x)	"{\"required_behaviour\":{" x "}}"
#define MC(x)	"\"measurement_configuration\":[" x "]"
#define HB(x)	"{\"offline_mode_at\":" x "}"
#define BLK	"\"capacity\":50,\"phase\":\"ALL\",\"unit\":\"KW\"," \
		"\"start_time\":\"2024-05-01T13:00:00Z\"," \
		"\"end_time\":\"2024-05-01T13:15:00Z\""
#define FC(t, b) "{\"group_id\":\"g1\",\"type\":\"" t "\"," \
		"\"forecasted_blocks\":[" b "]}"
#define B1(x)	FC("CONSUMPTION", "{" x "}")
#define CAPS(x)	B1("\"capacity\":" x ",\"phase\":\"ALL\",\"unit\":\"KW\"," \
		"\"start_time\":\"2024-05-01T13:00:00Z\"," \
		"\"end_time\":\"2024-05-01T13:15:00Z\"")
#define FBT	"/ALL/KW/2024-05-01 13:00:00Z/2024-05-01 13:15:00Z"
#define FB	" 50" FBT
#define TYPES	"must be one of CONSUMPTION, GENERATION, " \
		"FALLBACK_CONSUMPTION, FALLBACK_GENERATION, OPTIMUM"
#define PHASES	"must be one of UNKNOWN, ONE, TWO, THREE, ALL"
#define UNITS	"must be one of A, W, KW, WH, KWH"
#define MCS	"must be one of CONTINUOUS, INTERMITTENT"
#define NOTDT	"must be an RFC 3339 date-time"
#define RANGE	"must be in the years 0000 to 9999 (UTC)"
#define NOTOBJ	"the message must be a JSON object"
#define MCP	"required_behaviour.measurement_configuration"
#define HBP	"required_behaviour.heartbeat_interval"
#define B0	"forecasted_blocks[0]"

static const struct pcase {
	enum kind	 k;
	const char	*body;
	enum fp_err	 rc;
	const char	*exp;	/* FP_OK: summary(); else the detail */
} cases[] = {
	/* Register */
	{ K_REG, REG(V20), FP_OK,
	    "token=tok base=https://cp.example/oscp/cp/2.0" },
	{ K_REG, "{\"x\":{\"y\":[1,{\"z\":null}]},\"version_url\":[{\"a\":1,"
	    "\"base_url\":\"u\",\"version\":\"2.0\",\"b\":[]}],\"token\":\"t\","
	    "\"z\":false}", FP_OK, "token=t base=u" },
	{ K_REG, REG("{\"version\":\"2.1\",\"base_url\":\"a\"},"
	    "{\"version\":\"2.0\",\"base_url\":\"b\"},"
	    "{\"version\":\"2.0\",\"base_url\":\"c\"}"), FP_OK,
	    "token=tok base=b" },
	/* no 2.0 among them: parsed (the handler answers 501) */
	{ K_REG, REG("{\"version\":\"2.1\",\"base_url\":\"a\"},"
	    "{\"version\":\"2.0 \",\"base_url\":\"b\"},"
	    "{\"version\":\"2\",\"base_url\":\"c\"}"), FP_OK,
	    "token=tok base=(null)" },
	{ K_REG, "{\"token\":\"t\",\"version_url\":[{\"version\":\"2.0\","
	    "\"base_url\":\"\"}]}", FP_EINVAL,
	    "version_url[0].base_url: must not be empty" },
	{ K_REG, "{\"token\":\"" T513 "\",\"version_url\":[" V20 "]}",
	    FP_EINVAL, "token: must be at most 512 characters" },
	{ K_REG, "{}", FP_EINVAL, "token: is required" },
	{ K_REG, "{\"token\":null,\"version_url\":[" V20 "]}", FP_EINVAL,
	    "token: is required" },
	{ K_REG, "{\"token\":5,\"version_url\":[" V20 "]}", FP_EINVAL,
	    "token: must be a string" },
	{ K_REG, "{\"token\":[\"t\"],\"version_url\":[" V20 "]}", FP_EINVAL,
	    "token: must be a string" },
	{ K_REG, "{\"token\":\"\",\"version_url\":[" V20 "]}", FP_EINVAL,
	    "token: must not be empty" },
	{ K_REG, "{\"token\":\"t\"}", FP_EINVAL, "version_url: is required" },
	{ K_REG, "{\"token\":\"t\",\"version_url\":" V20 "}", FP_EINVAL,
	    "version_url: must be an array" },
	{ K_REG, "{\"token\":\"t\",\"version_url\":\"2.0\"}", FP_EINVAL,
	    "version_url: must be an array" },
	{ K_REG, REG(""), FP_EINVAL, "version_url: must have at least 1 item" },
	{ K_REG, REG("\"2.0\""), FP_EINVAL,
	    "version_url[0]: must be an object" },
	{ K_REG, REG(V20 ",[]"), FP_EINVAL,
	    "version_url[1]: must be an object" },
	{ K_REG, REG("{\"base_url\":\"u\"}"), FP_EINVAL,
	    "version_url[0].version: is required" },
	{ K_REG, REG("{\"version\":\"2.0\"}"), FP_EINVAL,
	    "version_url[0].base_url: is required" },
	{ K_REG, REG(V20 ",{\"version\":\"2.1\",\"base_url\":null}"), FP_EINVAL,
	    "version_url[1].base_url: is required" },
	{ K_REG, REG("{\"version\":2.0,\"base_url\":\"u\"}"), FP_EINVAL,
	    "version_url[0].version: must be a string" },
	{ K_REG, REG("{\"version\":\"2.0\",\"base_url\":{}}"), FP_EINVAL,
	    "version_url[0].base_url: must be a string" },

	/* Handshake: required_behaviour may be missing (schema) */
	{ K_HS, "{}", FP_OK, "none hb=-1" },
	{ K_HS, "{\"required_behaviour\":null}", FP_OK, "none hb=-1" },
	/* oscp-sdk's flattened form: unknown top-level members, ignored */
	{ K_HS, "{\"heartbeat_interval\":60," MC("\"CONTINUOUS\"") "}", FP_OK,
	    "none hb=-1" },
	{ K_HS, RB(MC("\"CONTINUOUS\"")), FP_OK, "hb=-1 styles=[99]" },
	{ K_HS, RB("\"heartbeat_interval\":60," MC("\"CONTINUOUS\"")), FP_OK,
	    "hb=60 styles=[99]" },
	{ K_HS, RB("\"heartbeat_interval\":60.9," MC("\"INTERMITTENT\","
	    "\"CONTINUOUS\"")), FP_OK, "hb=60 styles=[105,99]" },
	{ K_HS, RB("\"heartbeat_interval\":0," MC("\"INTERMITTENT\"")), FP_OK,
	    "hb=0 styles=[105]" },
	{ K_HS, RB("\"heartbeat_interval\":-0," MC("")), FP_OK,
	    "hb=0 styles=[]" },
	{ K_HS, RB("\"heartbeat_interval\":0.99," MC("")), FP_OK,
	    "hb=0 styles=[]" },
	{ K_HS, RB("\"heartbeat_interval\":6E1," MC("")), FP_OK,
	    "hb=60 styles=[]" },
	{ K_HS, RB("\"heartbeat_interval\":32767.9," MC("")), FP_OK,
	    "hb=32767 styles=[]" },
	{ K_HS, RB("\"heartbeat_interval\":32768," MC("")), FP_OK,
	    "hb=32767 styles=[]" },
	{ K_HS, RB("\"heartbeat_interval\":1e300," MC("")), FP_OK,
	    "hb=32767 styles=[]" },
	{ K_HS, RB("\"heartbeat_interval\":1e999," MC("")), FP_OK,
	    "hb=32767 styles=[]" },
	{ K_HS, RB("\"x\":{\"y\":1}," MC("\"CONTINUOUS\"") ",\"z\":[]"), FP_OK,
	    "hb=-1 styles=[99]" },
	{ K_HS, RB(""), FP_EINVAL, MCP ": is required" },
	{ K_HS, RB("\"heartbeat_interval\":60"), FP_EINVAL,
	    MCP ": is required" },
	{ K_HS, RB("\"measurement_configuration\":null"), FP_EINVAL,
	    MCP ": is required" },
	{ K_HS, RB("\"measurement_configuration\":\"CONTINUOUS\""), FP_EINVAL,
	    MCP ": must be an array" },
	{ K_HS, RB(MC("\"continuous\"")), FP_EINVAL, MCP "[0]: " MCS },
	{ K_HS, RB(MC("\"CONTINUOUS\",\"Intermittent\"")), FP_EINVAL,
	    MCP "[1]: " MCS },
	{ K_HS, RB(MC("\"CONTINUOUS\",\"CONTINUOUS\"")), FP_EINVAL,
	    MCP "[1]: duplicate item" },
	{ K_HS, RB(MC("\"INTERMITTENT\",\"CONTINUOUS\",\"INTERMITTENT\"")),
	    FP_EINVAL, MCP "[2]: duplicate item" },
	{ K_HS, RB(MC("99")), FP_EINVAL, MCP "[0]: must be a string" },
	{ K_HS, RB(MC("null")), FP_EINVAL, MCP "[0]: must be a string" },
	{ K_HS, RB("\"heartbeat_interval\":\"60\"," MC("")), FP_EINVAL,
	    HBP ": must be a number" },
	{ K_HS, RB("\"heartbeat_interval\":true," MC("")), FP_EINVAL,
	    HBP ": must be a number" },
	{ K_HS, RB("\"heartbeat_interval\":-1," MC("")), FP_EINVAL,
	    HBP ": must be >= 0" },
	{ K_HS, RB("\"heartbeat_interval\":-0.5," MC("")), FP_EINVAL,
	    HBP ": must be >= 0" },
	{ K_HS, "{\"required_behaviour\":[]}", FP_EINVAL,
	    "required_behaviour: must be an object" },
	{ K_HS, "{\"required_behaviour\":\"x\"}", FP_EINVAL,
	    "required_behaviour: must be an object" },

	/* HandshakeAcknowledge: an empty behaviour is none (SolarNetwork) */
	{ K_ACK, "{}", FP_OK, "none hb=-1" },
	{ K_ACK, RB(""), FP_OK, "none hb=-1" },
	{ K_ACK, RB("\"heartbeat_interval\":300," MC("\"CONTINUOUS\"")), FP_OK,
	    "hb=300 styles=[99]" },
	{ K_ACK, RB("\"heartbeat_interval\":300"), FP_EINVAL,
	    MCP ": is required" },
	{ K_ACK, RB("\"x\":1"), FP_EINVAL, MCP ": is required" },
	{ K_ACK, RB(MC("\"CONTINUOUS\",\"CONTINUOUS\"")), FP_EINVAL,
	    MCP "[1]: duplicate item" },

	/* Heartbeat: RFC 3339 date-times, any offset, any fraction */
	{ K_HB, HB("\"2024-05-01T12:02:00Z\""), FP_OK, "2024-05-01 12:02:00Z" },
	{ K_HB, HB("\"2024-05-01T12:02:00.000Z\""), FP_OK,
	    "2024-05-01 12:02:00Z" },
	{ K_HB, HB("\"2024-05-01t12:02:00z\""), FP_OK, "2024-05-01 12:02:00Z" },
	{ K_HB, HB("\"2024-05-01T12:02:00+00:00\""), FP_OK,
	    "2024-05-01 12:02:00Z" },
	{ K_HB, HB("\"2024-05-01T12:02:00-00:00\""), FP_OK,
	    "2024-05-01 12:02:00Z" },
	{ K_HB, HB("\"2024-05-01T14:02:00+02:00\""), FP_OK,
	    "2024-05-01 12:02:00Z" },
	{ K_HB, HB("\"2024-05-01T07:32:00.5-04:30\""), FP_OK,
	    "2024-05-01 12:02:00.5Z" },
	{ K_HB, HB("\"2024-05-01T00:30:00+23:59\""), FP_OK,
	    "2024-04-30 00:31:00Z" },
	{ K_HB, HB("\"2024-05-01T12:02:00.1Z\""), FP_OK,
	    "2024-05-01 12:02:00.1Z" },
	{ K_HB, HB("\"2024-05-01T12:02:00.123456Z\""), FP_OK,
	    "2024-05-01 12:02:00.123456Z" },
	{ K_HB, HB("\"2024-05-01T12:02:00.123456789Z\""), FP_OK,
	    "2024-05-01 12:02:00.123456Z" },
	/* fractions of any length (RFC 3339's 1*DIGIT) */
	{ K_HB, HB("\"2024-05-01T12:02:00.1234567890Z\""), FP_OK,
	    "2024-05-01 12:02:00.123456Z" },
	{ K_HB, HB("\"2024-05-01T12:02:00.000000000000000000001+00:00\""),
	    FP_OK, "2024-05-01 12:02:00Z" },
	{ K_HB, HB("\"2024-02-29T23:59:59Z\""), FP_OK, "2024-02-29 23:59:59Z" },
	{ K_HB, HB("\"1969-12-31T23:59:59.75Z\""), FP_OK,
	    "1969-12-31 23:59:59.75Z" },
	{ K_HB, "{\"offline_mode_at\":\"2030-01-01T00:00:00Z\",\"x\":1}",
	    FP_OK, "2030-01-01 00:00:00Z" },
	{ K_HB, "{}", FP_EINVAL, "offline_mode_at: is required" },
	{ K_HB, HB("null"), FP_EINVAL, "offline_mode_at: is required" },
	{ K_HB, "{\"Offline_mode_at\":\"2024-05-01T12:02:00Z\"}", FP_EINVAL,
	    "offline_mode_at: is required" },
	{ K_HB, HB("1714564920"), FP_EINVAL,
	    "offline_mode_at: must be a string" },
	{ K_HB, HB("[\"2024-05-01T12:02:00Z\"]"), FP_EINVAL,
	    "offline_mode_at: must be a string" },
	/* pyoscp's "%Y-%m-%d %H:%M:%S": no T, no offset */
	{ K_HB, HB("\"2024-05-01 12:02:00\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-05-01T12:02:00\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-05-01T12:02:00.000\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-05-01 12:02:00Z\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-05-01T12:02:00+0200\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-05-01T12:02:00+02\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-05-01T12:02Z\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-05-01T12:02:00.Z\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-05-01\""), FP_EINVAL, "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-02-30T12:02:00Z\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\" 2024-05-01T12:02:00Z\""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"2024-05-01T12:02:00Z \""), FP_EINVAL,
	    "offline_mode_at: " NOTDT },
	{ K_HB, HB("\"\""), FP_EINVAL, "offline_mode_at: " NOTDT },
	/* instants we could not write back (years 0000-9999 in UTC) */
	{ K_HB, HB("\"9999-12-31T23:59:59Z\""), FP_OK, "9999-12-31 23:59:59Z" },
	{ K_HB, HB("\"0000-01-01T00:00:00Z\""), FP_OK, "0000-01-01 00:00:00Z" },
	{ K_HB, HB("\"9999-12-31T23:00:00-01:00\""), FP_EINVAL,
	    "offline_mode_at: " RANGE },
	{ K_HB, HB("\"0000-01-01T00:00:00+00:01\""), FP_EINVAL,
	    "offline_mode_at: " RANGE },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"ALL\",\"unit\":\"KW\","
	    "\"start_time\":\"2024-05-01T13:00:00Z\","
	    "\"end_time\":\"9999-12-31T23:59:59.999-00:01\""), FP_EINVAL,
	    B0 ".end_time: " RANGE },

	/* Forecasts */
	{ K_FC, FC("CONSUMPTION", "{" BLK "}"), FP_OK, "g1 CONSUMPTION" FB },
	{ K_FC, FC("GENERATION", "{" BLK "}"), FP_OK, "g1 GENERATION" FB },
	{ K_FC, FC("FALLBACK_CONSUMPTION", "{" BLK "}"), FP_OK,
	    "g1 FALLBACK_CONSUMPTION" FB },
	{ K_FC, FC("FALLBACK_GENERATION", "{" BLK "}"), FP_OK,
	    "g1 FALLBACK_GENERATION" FB },
	{ K_FC, FC("OPTIMUM", "{" BLK "}"), FP_OK, "g1 OPTIMUM" FB },
	{ K_FC, FC("OPTIMUM", "{" BLK "},{" BLK "}"), FP_OK,
	    "g1 OPTIMUM" FB ";" FB },
	{ K_FC, "{\"forecasted_blocks\":[{"
	    "\"end_time\":\"2024-05-01T13:15:00Z\","
	    "\"x\":[1],\"unit\":\"KW\",\"capacity\":50,\"start_time\":"
	    "\"2024-05-01T15:00:00+02:00\",\"phase\":\"ALL\"}],\"x\":{},"
	    "\"type\":\"CONSUMPTION\",\"group_id\":\"g1\"}", FP_OK,
	    "g1 CONSUMPTION" FB },
	{ K_FC, B1("\"capacity\":0,\"phase\":\"UNKNOWN\",\"unit\":\"A\","
	    "\"start_time\":\"2024-05-01T13:00:00.5Z\","
	    "\"end_time\":\"2024-05-01T13:15:00.25+00:00\""), FP_OK,
	    "g1 CONSUMPTION 0/UNKNOWN/A/2024-05-01 13:00:00.5Z/"
	    "2024-05-01 13:15:00.25Z" },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"ONE\",\"unit\":\"W\","
	    "\"start_time\":\"2024-05-01T13:00:00Z\","
	    "\"end_time\":\"2024-05-01T13:00:00Z\""), FP_OK,
	    "g1 CONSUMPTION 1/ONE/W/2024-05-01 13:00:00Z/"
	    "2024-05-01 13:00:00Z" },
	{ K_FC, B1("\"capacity\":2,\"phase\":\"TWO\",\"unit\":\"WH\","
	    "\"start_time\":\"2024-05-01T13:00:00Z\","
	    "\"end_time\":\"2024-05-01T13:00:00Z\""), FP_OK,
	    "g1 CONSUMPTION 2/TWO/WH/2024-05-01 13:00:00Z/"
	    "2024-05-01 13:00:00Z" },
	{ K_FC, B1("\"capacity\":3,\"phase\":\"THREE\",\"unit\":\"KWH\","
	    "\"start_time\":\"2024-05-01T13:00:00Z\","
	    "\"end_time\":\"2024-05-01T13:00:00Z\""), FP_OK,
	    "g1 CONSUMPTION 3/THREE/KWH/2024-05-01 13:00:00Z/"
	    "2024-05-01 13:00:00Z" },
	/* capacity: a number >= 0 as written; -0 is 0 */
	{ K_FC, CAPS("50.0"), FP_OK, "g1 CONSUMPTION 50.0" FBT },
	{ K_FC, CAPS("1.5e3"), FP_OK, "g1 CONSUMPTION 1.5e3" FBT },
	{ K_FC, CAPS("0.000001"), FP_OK, "g1 CONSUMPTION 0.000001" FBT },
	{ K_FC, CAPS("-0"), FP_OK, "g1 CONSUMPTION 0" FBT },
	{ K_FC, CAPS("-0.0"), FP_OK, "g1 CONSUMPTION 0" FBT },
	{ K_FC, CAPS("-0E5"), FP_OK, "g1 CONSUMPTION 0" FBT },
	{ K_FC, CAPS("-5"), FP_EINVAL, B0 ".capacity: must be >= 0" },
	{ K_FC, CAPS("-0.001"), FP_EINVAL, B0 ".capacity: must be >= 0" },
	{ K_FC, CAPS("-1e-3"), FP_EINVAL, B0 ".capacity: must be >= 0" },
	{ K_FC, CAPS("\"50\""), FP_EINVAL, B0 ".capacity: must be a number" },
	{ K_FC, CAPS("true"), FP_EINVAL, B0 ".capacity: must be a number" },
	{ K_FC, CAPS("null"), FP_EINVAL, B0 ".capacity: is required" },
	{ K_FC, "{}", FP_EINVAL, "group_id: is required" },
	{ K_FC, "{\"group_id\":7,\"type\":\"CONSUMPTION\","
	    "\"forecasted_blocks\":[{" BLK "}]}", FP_EINVAL,
	    "group_id: must be a string" },
	{ K_FC, "{\"group_id\":\"g\",\"forecasted_blocks\":[{" BLK "}]}",
	    FP_EINVAL, "type: is required" },
	{ K_FC, "{\"group_id\":\"g\",\"type\":1,"
	    "\"forecasted_blocks\":[{" BLK "}]}", FP_EINVAL,
	    "type: must be a string" },
	{ K_FC, FC("consumption", "{" BLK "}"), FP_EINVAL, "type: " TYPES },
	{ K_FC, FC("Consumption", "{" BLK "}"), FP_EINVAL, "type: " TYPES },
	{ K_FC, FC("CONSUMPTION ", "{" BLK "}"), FP_EINVAL, "type: " TYPES },
	{ K_FC, FC("", "{" BLK "}"), FP_EINVAL, "type: " TYPES },
	{ K_FC, "{\"group_id\":\"g\",\"type\":\"CONSUMPTION\"}", FP_EINVAL,
	    "forecasted_blocks: is required" },
	{ K_FC, "{\"group_id\":\"g\",\"type\":\"CONSUMPTION\","
	    "\"forecasted_blocks\":{" BLK "}}", FP_EINVAL,
	    "forecasted_blocks: must be an array" },
	{ K_FC, FC("CONSUMPTION", ""), FP_EINVAL,
	    "forecasted_blocks: must have at least 1 item" },
	{ K_FC, FC("CONSUMPTION", "null"), FP_EINVAL,
	    B0 ": must be an object" },
	{ K_FC, FC("CONSUMPTION", "{" BLK "},[]"), FP_EINVAL,
	    "forecasted_blocks[1]: must be an object" },
	{ K_FC, B1("\"phase\":\"ALL\",\"unit\":\"KW\",\"start_time\":"
	    "\"2024-05-01T13:00:00Z\",\"end_time\":\"2024-05-01T13:15:00Z\""),
	    FP_EINVAL, B0 ".capacity: is required" },
	{ K_FC, B1("\"capacity\":1,\"unit\":\"KW\",\"start_time\":"
	    "\"2024-05-01T13:00:00Z\",\"end_time\":\"2024-05-01T13:15:00Z\""),
	    FP_EINVAL, B0 ".phase: is required" },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"ALL\",\"start_time\":"
	    "\"2024-05-01T13:00:00Z\",\"end_time\":\"2024-05-01T13:15:00Z\""),
	    FP_EINVAL, B0 ".unit: is required" },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"ALL\",\"unit\":\"KW\","
	    "\"end_time\":\"2024-05-01T13:15:00Z\""), FP_EINVAL,
	    B0 ".start_time: is required" },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"ALL\",\"unit\":\"KW\","
	    "\"start_time\":\"2024-05-01T13:15:00Z\""), FP_EINVAL,
	    B0 ".end_time: is required" },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"all\",\"unit\":\"KW\","
	    "\"start_time\":\"2024-05-01T13:00:00Z\","
	    "\"end_time\":\"2024-05-01T13:15:00Z\""), FP_EINVAL,
	    B0 ".phase: " PHASES },
	{ K_FC, B1("\"capacity\":1,\"phase\":1,\"unit\":\"KW\","
	    "\"start_time\":\"2024-05-01T13:00:00Z\","
	    "\"end_time\":\"2024-05-01T13:15:00Z\""), FP_EINVAL,
	    B0 ".phase: must be a string" },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"ALL\",\"unit\":\"kW\","
	    "\"start_time\":\"2024-05-01T13:00:00Z\","
	    "\"end_time\":\"2024-05-01T13:15:00Z\""), FP_EINVAL,
	    B0 ".unit: " UNITS },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"ALL\",\"unit\":\"KW\","
	    "\"start_time\":\"2024-05-01 13:00:00\","
	    "\"end_time\":\"2024-05-01T13:15:00Z\""), FP_EINVAL,
	    B0 ".start_time: " NOTDT },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"ALL\",\"unit\":\"KW\","
	    "\"start_time\":\"2024-05-01T13:00:00Z\","
	    "\"end_time\":1714569300"), FP_EINVAL,
	    B0 ".end_time: must be a string" },
	{ K_FC, FC("CONSUMPTION", "{" BLK "},{\"capacity\":1,\"phase\":\"ALL\","
	    "\"unit\":\"KW\",\"start_time\":\"2024-05-01T13:00:00Z\","
	    "\"end_time\":\"2024-05-01T13:15\"}"), FP_EINVAL,
	    "forecasted_blocks[1].end_time: " NOTDT },
	/* the first broken rule is the one reported */
	{ K_FC, "{\"type\":\"bad\",\"forecasted_blocks\":[]}", FP_EINVAL,
	    "group_id: is required" },
	{ K_FC, FC("bad", ""), FP_EINVAL, "type: " TYPES },
	{ K_FC, B1("\"capacity\":-1,\"phase\":\"x\""), FP_EINVAL,
	    B0 ".unit: is required" },
	{ K_FC, B1("\"capacity\":-1,\"phase\":\"x\",\"unit\":\"y\","
	    "\"start_time\":\"a\",\"end_time\":\"b\""), FP_EINVAL,
	    B0 ".capacity: must be >= 0" },
	{ K_FC, B1("\"capacity\":1,\"phase\":\"x\",\"unit\":\"y\","
	    "\"start_time\":\"a\",\"end_time\":\"b\""), FP_EINVAL,
	    B0 ".phase: " PHASES },

	/* Not JSON, not an object, not strict JSON */
	{ K_HB, "", FP_EMALFORMED,
	    "Malformed JSON: parse error: premature EOF" },
	{ K_HB, "   ", FP_EMALFORMED,
	    "Malformed JSON: parse error: premature EOF" },
	{ K_HB, "{\"offline_mode_at\":", FP_EMALFORMED,
	    "Malformed JSON: parse error: premature EOF" },
	{ K_HB, "{\"a\":1,}", FP_EMALFORMED, "Malformed JSON: parse error: "
	    "invalid object key (must be a string)" },
	{ K_FC, "{'group_id':'g'}", FP_EMALFORMED, "Malformed JSON: lexical "
	    "error: invalid char in json text." },
	{ K_HB, "{} {}", FP_EMALFORMED,
	    "Malformed JSON: parse error: trailing garbage" },
	{ K_HB, "\xef\xbb\xbf{}", FP_EMALFORMED, "Malformed JSON: lexical "
	    "error: invalid char in json text." },
	{ K_REG, "{\"token\":\"\xff\"}", FP_EMALFORMED, "Malformed JSON: "
	    "lexical error: invalid bytes in UTF8 string." },
	{ K_REG, "[]", FP_EINVAL, NOTOBJ },
	{ K_HS, "[{}]", FP_EINVAL, NOTOBJ },
	{ K_ACK, "\"{}\"", FP_EINVAL, NOTOBJ },
	{ K_HB, "null", FP_EINVAL, NOTOBJ },
	{ K_FC, "42", FP_EINVAL, NOTOBJ },
	{ K_FC, "true", FP_EINVAL, NOTOBJ },
	/* duplicate keys, at any level, however spelled */
	{ K_HB, "{\"offline_mode_at\":\"2024-05-01T12:02:00Z\","
	    "\"offline_mode_at\":\"2024-05-01T12:02:00Z\"}", FP_EMALFORMED,
	    "Malformed JSON: duplicate key \"offline_mode_at\"" },
	{ K_REG, "{\"token\":\"a\",\"version_url\":[" V20 "],\"tok\\u0065n\":"
	    "\"b\"}", FP_EMALFORMED,
	    "Malformed JSON: duplicate key \"token\"" },
	{ K_FC, B1(BLK ",\"unit\":\"KW\""), FP_EMALFORMED,
	    "Malformed JSON: duplicate key \"unit\"" },
	{ K_HS, "{\"x\":{\"a\":1,\"b\":2,\"a\":3}}", FP_EMALFORMED,
	    "Malformed JSON: duplicate key \"a\"" },
	{ K_HS, "{\"x\":[{\"a\":1},{\"a\":1}],\"y\":{\"a\":1}}", FP_OK,
	    "none hb=-1" },
	{ K_HS, "{\"x\":{\"a\":{\"b\":1}},\"a\":{\"b\":1},\"b\":1}", FP_OK,
	    "none hb=-1" },
	/* UTF-8 yajl lets through (overlong forms, surrogates) */
	{ K_FC, FC("CONSUMPTION", "{" BLK ",\"\xc0\xaf\":1}"), FP_EMALFORMED,
	    "Malformed JSON: invalid UTF-8" },
	{ K_REG, "{\"token\":\"\xe0\x80\xaf\",\"version_url\":[" V20 "]}",
	    FP_EMALFORMED, "Malformed JSON: invalid UTF-8" },
	{ K_REG, "{\"token\":\"\xed\xa0\x80\",\"version_url\":[" V20 "]}",
	    FP_EMALFORMED, "Malformed JSON: invalid UTF-8" },
	{ K_REG, "{\"token\":\"\xc3\xa9\\u00e9\\ud83d\\ude00\","
	    "\"version_url\":[" V20 "]}", FP_OK,
	    "token=\xc3\xa9\xc3\xa9\xf0\x9f\x98\x80 "
	    "base=https://cp.example/oscp/cp/2.0" },
	/* U+0000 has no place in a member name or an enum value */
	{ K_FC, FC("CONSUMPTION\\u0000x", "{" BLK "}"), FP_EMALFORMED,
	    "Malformed JSON: NUL character in a string" },
	{ K_REG, "{\"token\":\"t\\u0000\",\"version_url\":[" V20 "]}",
	    FP_EMALFORMED, "Malformed JSON: NUL character in a string" },
	{ K_HB, "{\"offline_mode_at\\u0000\":\"2024-05-01T12:02:00Z\"}",
	    FP_EMALFORMED, "Malformed JSON: NUL character in a key" },
	{ K_REG, "{\"token\":\"a\",\"version_url\":[" V20 "],\"token\\u0000\":"
	    "\"b\"}", FP_EMALFORMED, "Malformed JSON: NUL character in a key" },
	/* an unpaired surrogate escape: yajl would make it '?' (a token
	 * other than the one sent) or pair it with the next escape */
	{ K_REG, "{\"token\":\"t\\ud800\",\"version_url\":[" V20 "]}",
	    FP_EMALFORMED, JSON_ESCAPES_MSG },
	{ K_REG, "{\"token\":\"\\ud800\\u0041\",\"version_url\":[" V20 "]}",
	    FP_EMALFORMED, JSON_ESCAPES_MSG },
	{ K_HB, "{\"offline_mode_at\\udc00\":\"2024-05-01T12:02:00Z\"}",
	    FP_EMALFORMED, JSON_ESCAPES_MSG },
};

static void
t_table(void)
{
	struct arena	*a;
	union msg	 m;
	const char	*detail;
	char		*got;
	size_t		 i;
	enum fp_err	 rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(cases); i++) {
		rc = parse(a, &deflim, cases[i].k, cases[i].body,
		    strlen(cases[i].body), &m, &detail);
		CHECK(rc == cases[i].rc, "case %zu %s: rc %d, not %d (%s)", i,
		    cases[i].body, rc, cases[i].rc, nn(detail));
		if (rc == FP_OK && cases[i].rc == FP_OK) {
			got = summary(cases[i].k, &m);
			CHECK(streq(got, cases[i].exp), "case %zu %s:\n got "
			    "%s\nwant %s", i, cases[i].body, nn(got),
			    cases[i].exp);
			free(got);
		} else if (rc != FP_OK)
			CHECK(streq(detail, cases[i].exp), "case %zu %s:\n got "
			    "\"%s\"\nwant \"%s\"", i, cases[i].body, nn(detail),
			    cases[i].exp);
		arena_reset(a);
	}
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* The samples */

static char *
slurp(const char *name, size_t *len)
{
	char	 path[1024], *buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%s/oscp-samples/%s", unit_fixtures, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) ==
	    NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	fclose(f);
	return buf;
}

static void
t_samples(void)
{
	static const struct {
		const char	*file;
		enum kind	 k;
		enum fp_err	 rc;
		const char	*exp;
	} t[] = {
		{ "register-cp-to-fp.json", K_REG, FP_OK,
		    "token=cp-token-B-3f0c2a9e7d "
		    "base=https://cp.example.test/oscp/cp/2.0" },
		{ "register-fp-to-cp-reply.json", K_REG, FP_OK,
		    "token=fp-token-C-9b81d4f0aa "
		    "base=https://fp.example.test/oscp/fp/2.0" },
		{ "handshake-cp-to-fp.json", K_HS, FP_OK, "hb=60 styles=[99]" },
		{ "handshake-acknowledge-fp-to-cp.json", K_ACK, FP_OK,
		    "hb=300 styles=[99]" },
		{ "heartbeat.json", K_HB, FP_OK, "2024-05-01 12:02:00Z" },
		{ "update-group-capacity-forecast-cp-to-fp.json", K_FC, FP_OK,
		    "site-17-transformer CONSUMPTION "
		    "50.0/ALL/KW/2024-05-01 13:00:00Z/2024-05-01 13:15:00Z; "
		    "40/ALL/KW/2024-05-01 13:15:00Z/2024-05-01 13:30:00Z" },
		{ "update-group-capacity-forecast-fallback.json", K_FC, FP_OK,
		    "site-17-transformer FALLBACK_CONSUMPTION "
		    "32/ONE/A/2024-05-01 00:00:00Z/2024-05-02 00:00:00Z; "
		    "32/TWO/A/2024-05-01 00:00:00Z/2024-05-02 00:00:00Z; "
		    "32/THREE/A/2024-05-01 00:00:00Z/2024-05-02 00:00:00Z" },
		{ "adjust-group-capacity-forecast-fp-to-cp.json", K_FC, FP_OK,
		    "site-17-transformer CONSUMPTION "
		    "75/ALL/KW/2024-05-02 07:00:00Z/2024-05-02 09:00:00Z" },
		{ "invalid/forecast-negative-capacity.json", K_FC, FP_EINVAL,
		    "forecasted_blocks[0].capacity: must be >= 0" },
		{ "invalid/forecast-empty-blocks.json", K_FC, FP_EINVAL,
		    "forecasted_blocks: must have at least 1 item" },
		{ "invalid/forecast-bad-enum.json", K_FC, FP_EINVAL,
		    "type: " TYPES },
		{ "invalid/heartbeat-missing-offline-mode-at.json", K_HB,
		    FP_EINVAL, "offline_mode_at: is required" },
		{ "invalid/heartbeat-naive-datetime.json", K_HB, FP_EINVAL,
		    "offline_mode_at: " NOTDT },
		{ "invalid/register-empty-version-url.json", K_REG, FP_EINVAL,
		    "version_url: must have at least 1 item" },
		/* what SolarNetwork sends: lenient on an ack, not on a
		 * handshake */
		{ "invalid/handshake-acknowledge-empty-required-behaviour.json",
		    K_ACK, FP_OK, "none hb=-1" },
		{ "invalid/handshake-acknowledge-empty-required-behaviour.json",
		    K_HS, FP_EINVAL, MCP ": is required" },
	};
	struct arena	*a;
	union msg	 m;
	const char	*detail;
	char		*body, *got;
	size_t		 i, len;
	enum fp_err	 rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	for (i = 0; i < N(t); i++) {
		body = slurp(t[i].file, &len);
		CHECK(body != NULL, "cannot read %s/oscp-samples/%s",
		    unit_fixtures, t[i].file);
		if (body == NULL)
			continue;
		rc = parse(a, &deflim, t[i].k, body, len, &m, &detail);
		CHECK(rc == t[i].rc, "%s: rc %d (%s)", t[i].file, rc,
		    nn(detail));
		if (rc == FP_OK) {
			got = summary(t[i].k, &m);
			CHECK(streq(got, t[i].exp), "%s:\n got %s\nwant %s",
			    t[i].file, nn(got), t[i].exp);
			free(got);
		} else
			CHECK(streq(detail, t[i].exp), "%s: \"%s\"",
			    t[i].file, nn(detail));
		free(body);
		arena_reset(a);
	}
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* Limits */

/* A growing string (the test aborts when malloc fails). */
struct sbuf {
	char	*s;
	size_t	 len, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b->s);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_rep(struct sbuf *b, const char *s, size_t times)
{
	while (times-- > 0)
		sb_str(b, s);
}

/* A heartbeat with {"x": pre mid*times post, ...} in front of the member. */
static char *
hb_with(const char *pre, const char *mid, size_t times, const char *post)
{
	struct sbuf	 b = { NULL, 0, 0 };

	sb_str(&b, "{\"x\":");
	sb_str(&b, pre);
	sb_rep(&b, mid, times);
	sb_str(&b, post);
	sb_str(&b, ",\"offline_mode_at\":\"2024-05-01T12:02:00Z\"}");
	return b.s;
}

/* "x" holding n nested containers: n opens, a value, n closes. */
static char *
hb_nest(const char *open, const char *in, const char *close, size_t n)
{
	struct sbuf	 b = { NULL, 0, 0 };

	sb_str(&b, "{\"x\":");
	sb_rep(&b, open, n);
	sb_str(&b, in);
	sb_rep(&b, close, n);
	sb_str(&b, ",\"offline_mode_at\":\"2024-05-01T12:02:00Z\"}");
	return b.s;
}

/* n members "k0".."k<n-1>" (the last without a comma). */
static char *
hb_members(size_t n)
{
	struct sbuf	 b = { NULL, 0, 0 };
	char		 k[32];
	size_t		 i;

	sb_str(&b, "{\"x\":{");
	for (i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "%s\"k%zu\":0", i ? "," : "", i);
		sb_str(&b, k);
	}
	sb_str(&b, "},\"offline_mode_at\":\"2024-05-01T12:02:00Z\"}");
	return b.s;
}

static void
t_limits(void)
{
	static const struct jlimits small = { 3, 24, 4, 0 };
	struct {
		const char		*desc;
		const struct jlimits	*lim;
		char			*body;
		enum fp_err		 rc;
		const char		*detail;
	} t[] = {
		/* the root object is level 1: 16 containers in all */
		{ "depth 16", &deflim, hb_nest("[", "", "]", 15), FP_OK, NULL },
		{ "depth 17", &deflim, hb_nest("[", "", "]", 16), FP_EMALFORMED,
		    "Malformed JSON: nested too deeply" },
		{ "depth 16 objects", &deflim, hb_nest("{\"a\":", "1", "}", 15),
		    FP_OK, NULL },
		{ "depth 17 objects", &deflim,
		    hb_nest("{\"a\":", "{}", "}", 15), FP_EMALFORMED,
		    "Malformed JSON: nested too deeply" },
		{ "depth 100", &deflim, hb_nest("[", "", "]", 99),
		    FP_EMALFORMED, "Malformed JSON: nested too deeply" },
		{ "string 8192", &deflim, hb_with("\"", "a", 8192, "\""), FP_OK,
		    NULL },
		{ "string 8193", &deflim, hb_with("\"", "a", 8193, "\""),
		    FP_EMALFORMED, "Malformed JSON: string too long" },
		{ "string 8192 bytes of escapes", &deflim,
		    hb_with("\"", "\\u00e9", 4096, "\""), FP_OK, NULL },
		{ "string 8194 bytes of escapes", &deflim,
		    hb_with("\"", "\\u00e9", 4097, "\""), FP_EMALFORMED,
		    "Malformed JSON: string too long" },
		{ "number 8193", &deflim, hb_with("", "1", 8193, ""),
		    FP_EMALFORMED, "Malformed JSON: string too long" },
		{ "key 8192", &deflim, hb_with("{\"", "k", 8192, "\":1}"),
		    FP_OK, NULL },
		{ "key 8193", &deflim, hb_with("{\"", "k", 8193, "\":1}"),
		    FP_EMALFORMED, "Malformed JSON: key too long" },
		{ "array 1024", &deflim, hb_with("[0", ",0", 1023, "]"), FP_OK,
		    NULL },
		{ "array 1025", &deflim, hb_with("[0", ",0", 1024, "]"),
		    FP_EMALFORMED, "Malformed JSON: array too long" },
		{ "object 1024", &deflim, hb_members(1024), FP_OK, NULL },
		{ "object 1025", &deflim, hb_members(1025), FP_EMALFORMED,
		    "Malformed JSON: too many members" },
		/* the caller's limits */
		{ "small depth 3", &small, hb_nest("[", "", "]", 2), FP_OK,
		    NULL },
		{ "small depth 4", &small, hb_nest("[", "", "]", 3),
		    FP_EMALFORMED, "Malformed JSON: nested too deeply" },
		{ "small string 24", &small, hb_with("\"", "s", 24, "\""),
		    FP_OK, NULL },
		{ "small string 25", &small, hb_with("\"", "s", 25, "\""),
		    FP_EMALFORMED, "Malformed JSON: string too long" },
		{ "small key 25", &small, hb_with("{\"", "k", 25, "\":0}"),
		    FP_EMALFORMED, "Malformed JSON: key too long" },
		{ "small array 4", &small, hb_with("[1", ",1", 3, "]"), FP_OK,
		    NULL },
		{ "small array 5", &small, hb_with("[1", ",1", 4, "]"),
		    FP_EMALFORMED, "Malformed JSON: array too long" },
		{ "small members 4", &small, hb_members(4), FP_OK, NULL },
		{ "small members 5", &small, hb_members(5), FP_EMALFORMED,
		    "Malformed JSON: too many members" },
	};
	struct arena	*a;
	union msg	 m;
	const char	*detail;
	size_t		 i;
	enum fp_err	 rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(FP_ARENA_CAP));
	for (i = 0; i < N(t); i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(t[i].body);
		rc = parse(a, t[i].lim, K_HB, t[i].body, strlen(t[i].body), &m,
		    &detail);
		CHECK(rc == t[i].rc, "%s: rc %d (%s)", t[i].desc, rc,
		    nn(detail));
		if (t[i].rc == FP_OK)
			CHECK(rc == FP_OK && m.hb == INT64_C(1714564920000000),
			    "%s: %" PRId64, t[i].desc, m.hb);
		else
			CHECK(streq(detail, t[i].detail), "%s: \"%s\"",
			    t[i].desc, nn(detail));
		free(t[i].body);
		arena_reset(a);
	}
	arena_free(a);
}

/*
 * Every value counts against one budget of 16384 per document, however
 * the arrays are cut: {"x":[[0,..],[0,..],..], "offline_mode_at": "..."}
 * with exactly `values` values in all.
 */
static char *
hb_values(size_t values)
{
	struct sbuf	 b = { NULL, 0, 0 };
	size_t		 left, i, n;

	/* the root, "x", offline_mode_at */
	left = values - 3;
	sb_str(&b, "{\"x\":[");
	for (i = 0; left > 0; i++) {
		n = left - 1 > 1000 ? 1000 : left - 1;
		sb_str(&b, i ? ",[" : "[");
		if (n > 0) {
			sb_str(&b, "0");
			sb_rep(&b, ",0", n - 1);
		}
		sb_str(&b, "]");
		left -= n + 1;
	}
	sb_str(&b, "],\"offline_mode_at\":\"2024-05-01T12:02:00Z\"}");
	return b.s;
}

static void
t_budget(void)
{
	struct arena	*a;
	union msg	 m;
	const char	*detail;
	char		*body;
	size_t		 i;
	enum fp_err	 rc;
	static const struct {
		size_t		 values;
		enum fp_err	 rc;
	} t[] = {
		{ 16384, FP_OK },
		{ 16385, FP_EMALFORMED },
		{ 20000, FP_EMALFORMED },
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(FP_ARENA_CAP));
	for (i = 0; i < N(t); i++) {
		body = hb_values(t[i].values);
		rc = parse(a, &deflim, K_HB, body, strlen(body), &m, &detail);
		CHECK(rc == t[i].rc, "%zu values: rc %d (%s)", t[i].values, rc,
		    nn(detail));
		if (t[i].rc != FP_OK)
			CHECK(streq(detail, "Malformed JSON: too many values"),
			    "%zu values: \"%s\"", t[i].values, nn(detail));
		/* the budget bounds the memory a body can take */
		CHECK(arena_used(a) < 4 * 1024 * 1024, "%zu values: %zu bytes",
		    t[i].values, arena_used(a));
		free(body);
		arena_reset(a);
	}
	arena_free(a);
}

/* A long key in a duplicate: the message quotes at most 64 bytes. */
static void
t_duplicate_long_key(void)
{
	struct arena	*a;
	union msg	 m;
	const char	*detail;
	struct sbuf	 b = { NULL, 0, 0 };
	enum fp_err	 rc;

	sb_str(&b, "{\"");
	sb_rep(&b, "k", 100);
	sb_str(&b, "\":1,\"");
	sb_rep(&b, "k", 100);
	sb_str(&b, "\":2}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	rc = parse(a, &deflim, K_FC, b.s, b.len, &m, &detail);
	CU_ASSERT_EQUAL(rc, FP_EMALFORMED);
	CHECK(streq(detail, "Malformed JSON: duplicate key \"kkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\""), "%s",
	    nn(detail));
	free(b.s);

	/* cut where a character starts: 21 euro signs are 63 bytes */
	memset(&b, 0, sizeof(b));
	sb_str(&b, "{\"");
	sb_rep(&b, "\xe2\x82\xac", 30);
	sb_str(&b, "\":1,\"");
	sb_rep(&b, "\xe2\x82\xac", 30);
	sb_str(&b, "\":2}");
	arena_reset(a);
	rc = parse(a, &deflim, K_FC, b.s, b.len, &m, &detail);
	CU_ASSERT_EQUAL(rc, FP_EMALFORMED);
	CHECK(streq(detail, "Malformed JSON: duplicate key \""
	    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	    "\xe2\x82\xac\""), "%s", nn(detail));
	free(b.s);
	arena_free(a);
}

/*
 * Every row of the table again, in arenas from 64 bytes up: the same
 * outcome as with room to spare (the same message, the same message
 * parsed) or FP_ENOMEM, never a crash, another error or a message made up
 * of what did not fit.  The arena hands out 16-byte units, so a step of
 * 8 bytes meets every allocation of the parse failing.  A yajl message
 * that does not fit may shrink to "Malformed JSON".
 */
static void
t_arena_exhausted(void)
{
	struct arena	*a;
	union msg	 m;
	const char	*detail;
	char		*ref, *got;
	size_t		 i, cap, len, ok, nomem, all = 0;
	enum fp_err	 rc, rrc;
	bool		 same;

	for (i = 0; i < N(cases); i++) {
		len = strlen(cases[i].body);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
		rrc = parse(a, &deflim, cases[i].k, cases[i].body, len, &m,
		    &detail);
		ref = rrc == FP_OK ? summary(cases[i].k, &m) :
		    strdup(nn(detail));
		arena_free(a);
		ok = nomem = 0;
		for (cap = 64; cap <= 4096; cap += 8) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(cap));
			rc = parse(a, &deflim, cases[i].k, cases[i].body, len,
			    &m, &detail);
			if (rc == FP_ENOMEM) {
				nomem++;
				arena_free(a);
				continue;
			}
			ok++;
			if (rc == FP_OK) {
				got = summary(cases[i].k, &m);
				same = rrc == FP_OK && streq(got, ref);
				free(got);
			} else
				same = rc == rrc && (streq(detail, ref) ||
				    (rc == FP_EMALFORMED &&
				    streq(detail, "Malformed JSON")));
			CHECK(same, "case %zu %s, arena %zu: rc %d \"%s\", "
			    "want rc %d \"%s\"", i, cases[i].body, cap, rc,
			    rc == FP_OK ? "" : nn(detail), rrc, ref);
			arena_free(a);
		}
		/* 4 KiB is enough for every row */
		CHECK(ok > 0, "case %zu %s: %zu ENOMEM", i, cases[i].body,
		    nomem);
		all += nomem;
		free(ref);
	}
	CU_ASSERT(all > 0);
}

/* ------------------------------------------------------------------ */
/* Out */

#define T13	INT64_C(1714568400000000)	/* 2024-05-01T13:00:00Z */

static void
t_json_forecast(void)
{
	struct oscp_block	 b[3] = {
		{ "50.0", "ALL", "KW", T13, T13 + INT64_C(900000000) },
		{ "0", "ONE", "A", T13 + 123456, T13 + 999999 },
		{ "1.5e3", "THREE", "KWH", INT64_C(-250000), 0 },
	};
	struct oscp_forecast	 f = { "g1", "CONSUMPTION", b, 3 };
	struct oscp_forecast	 esc = { "q\"b\\s/\n\t\x01\x1f\xc3\xa9\xe2\x82"
	    "\xac", "GENERATION", b, 1 };
	struct oscp_forecast	 none = { "g", "OPTIMUM", NULL, 0 };
	struct arena		*a;
	union msg		 m;
	const char		*detail, *out;
	enum fp_err		 rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	out = oscp_json_forecast(a, &f);
	CHECK(streq(out, "{\"group_id\":\"g1\",\"type\":\"CONSUMPTION\","
	    "\"forecasted_blocks\":["
	    "{\"capacity\":50.0,\"phase\":\"ALL\",\"unit\":\"KW\","
	    "\"start_time\":\"2024-05-01T13:00:00.000Z\","
	    "\"end_time\":\"2024-05-01T13:15:00.000Z\"},"
	    "{\"capacity\":0,\"phase\":\"ONE\",\"unit\":\"A\","
	    "\"start_time\":\"2024-05-01T13:00:00.123Z\","
	    "\"end_time\":\"2024-05-01T13:00:00.999Z\"},"
	    "{\"capacity\":1.5e3,\"phase\":\"THREE\",\"unit\":\"KWH\","
	    "\"start_time\":\"1969-12-31T23:59:59.750Z\","
	    "\"end_time\":\"1970-01-01T00:00:00.000Z\"}]}"), "%s", nn(out));
	out = oscp_json_forecast(a, &esc);
	CHECK(streq(out, "{\"group_id\":\"q\\\"b\\\\s/\\n\\t\\u0001\\u001F"
	    "\xc3\xa9\xe2\x82\xac\",\"type\":\"GENERATION\","
	    "\"forecasted_blocks\":[{\"capacity\":50.0,\"phase\":\"ALL\","
	    "\"unit\":\"KW\",\"start_time\":\"2024-05-01T13:00:00.000Z\","
	    "\"end_time\":\"2024-05-01T13:15:00.000Z\"}]}"), "%s", nn(out));
	out = oscp_json_forecast(a, &none);
	CHECK(streq(out, "{\"group_id\":\"g\",\"type\":\"OPTIMUM\","
	    "\"forecasted_blocks\":[]}"), "%s", nn(out));

	/* What the FP relays: a peer's forecast re-written in UTC with
	 * milliseconds, the capacity as the peer wrote it. */
	static const char in[] = "{\"x\":1,\"forecasted_blocks\":[{\"unit\":"
	    "\"KW\",\"phase\":\"ALL\",\"capacity\":7.50,\"start_time\":"
	    "\"2024-05-01T15:00:00.123456789+02:00\",\"end_time\":"
	    "\"2024-05-01t08:45:00-04:30\",\"y\":[]}],\"type\":\"OPTIMUM\","
	    "\"group_id\":\"site-17\"}";
	rc = parse(a, &deflim, K_FC, in, sizeof(in) - 1, &m, &detail);
	CU_ASSERT_EQUAL_FATAL(rc, FP_OK);
	out = oscp_json_forecast(a, &m.fc);
	CHECK(streq(out, "{\"group_id\":\"site-17\",\"type\":\"OPTIMUM\","
	    "\"forecasted_blocks\":[{\"capacity\":7.50,\"phase\":\"ALL\","
	    "\"unit\":\"KW\",\"start_time\":\"2024-05-01T13:00:00.123Z\","
	    "\"end_time\":\"2024-05-01T13:15:00.000Z\"}]}"), "%s", nn(out));
	/* -0 goes out as 0 */
	rc = parse(a, &deflim, K_FC, CAPS("-0.0"), strlen(CAPS("-0.0")), &m,
	    &detail);
	CU_ASSERT_EQUAL_FATAL(rc, FP_OK);
	out = oscp_json_forecast(a, &m.fc);
	CHECK(out != NULL && strstr(out, "\"capacity\":0,") != NULL, "%s",
	    nn(out));
	arena_free(a);
}

static void
t_json_other(void)
{
	struct arena	*a;
	const char	*out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(1024 * 1024));
	out = oscp_json_register(a, "tok-\"1\"\\",
	    "https://fp.example/oscp/fp/2.0");
	CHECK(streq(out, "{\"token\":\"tok-\\\"1\\\"\\\\\",\"version_url\":"
	    "[{\"version\":\"2.0\",\"base_url\":"
	    "\"https://fp.example/oscp/fp/2.0\"}]}"), "%s", nn(out));
	out = oscp_json_register(a, "t\n\x7f", "u\xc3\xa9");
	CHECK(streq(out, "{\"token\":\"t\\n\x7f\",\"version_url\":"
	    "[{\"version\":\"2.0\",\"base_url\":\"u\xc3\xa9\"}]}"), "%s",
	    nn(out));

	out = oscp_json_ack(a, 0, "CONTINUOUS");
	CHECK(streq(out, "{\"required_behaviour\":{\"measurement_configuration"
	    "\":[\"CONTINUOUS\"]}}"), "%s", nn(out));
	out = oscp_json_ack(a, -5, "CONTINUOUS");
	CHECK(streq(out, "{\"required_behaviour\":{\"measurement_configuration"
	    "\":[\"CONTINUOUS\"]}}"), "%s", nn(out));
	out = oscp_json_ack(a, 30, " CONTINUOUS , INTERMITTENT ");
	CHECK(streq(out, "{\"required_behaviour\":{\"heartbeat_interval\":30,"
	    "\"measurement_configuration\":[\"CONTINUOUS\","
	    "\"INTERMITTENT\"]}}"), "%s", nn(out));
	out = oscp_json_ack(a, 32767, ",,INTERMITTENT,");
	CHECK(streq(out, "{\"required_behaviour\":{\"heartbeat_interval\":"
	    "32767,\"measurement_configuration\":[\"INTERMITTENT\"]}}"), "%s",
	    nn(out));
	out = oscp_json_ack(a, 1, "");
	CHECK(streq(out, "{\"required_behaviour\":{\"heartbeat_interval\":1,"
	    "\"measurement_configuration\":[]}}"), "%s", nn(out));

	out = oscp_json_heartbeat(a, INT64_C(1714564920000000));
	CHECK(streq(out, "{\"offline_mode_at\":\"2024-05-01T12:02:00.000Z\"}"),
	    "%s", nn(out));
	/* milliseconds are cut, not rounded */
	out = oscp_json_heartbeat(a, INT64_C(1714564920999999));
	CHECK(streq(out, "{\"offline_mode_at\":\"2024-05-01T12:02:00.999Z\"}"),
	    "%s", nn(out));
	out = oscp_json_heartbeat(a, INT64_C(1714564920001000));
	CHECK(streq(out, "{\"offline_mode_at\":\"2024-05-01T12:02:00.001Z\"}"),
	    "%s", nn(out));
	arena_free(a);
}

/* Out of memory: NULL, and the generator is not leaked (ASan, valgrind). */
static void
t_json_nomem(void)
{
	struct oscp_block	 b = { "1", "ALL", "KW", 0, 0 };
	struct oscp_forecast	 f = { "g", "CONSUMPTION", &b, 1 };
	struct arena		*a;
	size_t			 cap;
	bool			 fc = false, reg = false, ack = false;
	bool			 hb = false;

	for (cap = 64; cap <= 512; cap += 16) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(a = arena_new(cap));
		fc |= oscp_json_forecast(a, &f) == NULL;
		arena_reset(a);
		reg |= oscp_json_register(a, "t", "u") == NULL;
		arena_reset(a);
		ack |= oscp_json_ack(a, 1, "CONTINUOUS") == NULL;
		arena_reset(a);
		hb |= oscp_json_heartbeat(a, 0) == NULL;
		arena_free(a);
	}
	CU_ASSERT(fc && reg && ack && hb);
}

static bool
uuid_form(const char *u)
{
	size_t	 i;

	if (strlen(u) != OSCP_UUID_LEN)
		return false;
	for (i = 0; i < OSCP_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return false;
		} else if (strchr("0123456789abcdef", u[i]) == NULL ||
		    u[i] == '\0')
			return false;
	}
	return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

static void
t_uuid(void)
{
	char	 u[64][OSCP_UUID_LEN + 1];
	size_t	 i, j;
	bool	 distinct = true, formed = true;

	for (i = 0; i < N(u); i++) {
		memset(u[i], 'X', sizeof(u[i]));
		CU_ASSERT_EQUAL(oscp_uuid(u[i]), 0);
		formed &= u[i][OSCP_UUID_LEN] == '\0' && uuid_form(u[i]);
		CHECK(formed, "%.37s", u[i]);
		for (j = 0; j < i; j++)
			distinct &= strcmp(u[i], u[j]) != 0;
	}
	CU_ASSERT(formed);
	CU_ASSERT(distinct);
	/* what we make, we accept as a header value */
	CU_ASSERT(oscp_id_ok(u[0]));
}

static void
t_id_ok(void)
{
	char	 s[200];

	CU_ASSERT_FALSE(oscp_id_ok(NULL));
	CU_ASSERT_FALSE(oscp_id_ok(""));
	CU_ASSERT_TRUE(oscp_id_ok("a"));
	CU_ASSERT_TRUE(oscp_id_ok("!~"));
	CU_ASSERT_TRUE(oscp_id_ok("3f0c2a9e-7d1b-4c3a-9e7d-1b4c3a9e7d1b"));
	CU_ASSERT_FALSE(oscp_id_ok(" "));
	CU_ASSERT_FALSE(oscp_id_ok("a b"));
	CU_ASSERT_FALSE(oscp_id_ok("a\tb"));
	CU_ASSERT_FALSE(oscp_id_ok("ab\n"));
	CU_ASSERT_FALSE(oscp_id_ok("\x7f"));
	CU_ASSERT_FALSE(oscp_id_ok("a\x80"));
	CU_ASSERT_FALSE(oscp_id_ok("\xc3\xa9"));
	memset(s, 'x', sizeof(s));
	s[128] = '\0';
	CU_ASSERT_TRUE(oscp_id_ok(s));
	s[128] = 'x';
	s[129] = '\0';
	CU_ASSERT_FALSE(oscp_id_ok(s));
	s[199] = '\0';
	CU_ASSERT_FALSE(oscp_id_ok(s));
	s[127] = ' ';
	s[128] = '\0';
	CU_ASSERT_FALSE(oscp_id_ok(s));
}

static void
t_actions(void)
{
	static const char *const names[OSCP__MAX] = { "Register", "Handshake",
	    "HandshakeAcknowledge", "Heartbeat", "UpdateGroupCapacityForecast",
	    "AdjustGroupCapacityForecast" };
	static const char *const suffixes[OSCP__MAX] = { "/register",
	    "/handshake", "/handshake_acknowledge", "/heartbeat",
	    "/update_group_capacity_forecast",
	    "/adjust_group_capacity_forecast" };
	int	 i;

	/* stored numbers (OSCP.md): never renumber */
	CU_ASSERT_EQUAL(OSCP_REGISTER, 0);
	CU_ASSERT_EQUAL(OSCP_ADJUST_FORECAST, 5);
	for (i = 0; i < OSCP__MAX; i++) {
		CHECK(streq(oscp_actions[i].name, names[i]), "%d: %s", i,
		    nn(oscp_actions[i].name));
		CHECK(streq(oscp_actions[i].suffix, suffixes[i]), "%d: %s", i,
		    nn(oscp_actions[i].suffix));
	}
}

void
test_oscp_msg_register(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("oscp_msg", NULL, NULL);
	CU_add_test(s, "the action table", t_actions);
	CU_add_test(s, "parsers: rules and messages", t_table);
	CU_add_test(s, "parsers: the samples", t_samples);
	CU_add_test(s, "parsers: limits", t_limits);
	CU_add_test(s, "parsers: the value budget", t_budget);
	CU_add_test(s, "parsers: a long duplicate key", t_duplicate_long_key);
	CU_add_test(s, "parsers: arena exhausted", t_arena_exhausted);
	CU_add_test(s, "forecast body", t_json_forecast);
	CU_add_test(s, "register, ack, heartbeat bodies", t_json_other);
	CU_add_test(s, "bodies out of memory", t_json_nomem);
	CU_add_test(s, "oscp_uuid", t_uuid);
	CU_add_test(s, "oscp_id_ok", t_id_ok);
}
