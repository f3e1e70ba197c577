/*
 * fuzz_oscp_heartbeat.c -- the OSCP Heartbeat (POST /heartbeat):
 * oscp_parse_heartbeat(); the accepted offline_mode_at must format and
 * read back, and the Heartbeat we would send must be JSON.
 */
#include "fuzz_oscp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a = fz_arena();
	struct jlimits	 lim;
	const char	*detail = NULL;
	char		*copy = fz_cstr(data, size);
	enum fp_err	 rc;
	int64_t		 off = 0;

	fz_oscp_limits(&lim);
	rc = oscp_parse_heartbeat(a, &lim, (const unsigned char *)copy, size,
	    &off, &detail);
	fz_oscp_rc(rc, detail);
	if (rc == FP_OK) {
		fz_time_check(off);
		fz_json_check(oscp_json_heartbeat(a, off));
	}
	arena_reset(a);
	free(copy);
	return 0;
}
