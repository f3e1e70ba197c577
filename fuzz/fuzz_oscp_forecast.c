/*
 * fuzz_oscp_forecast.c -- the OSCP UpdateGroupCapacityForecast and
 * AdjustGroupCapacityForecast (one parser): oscp_parse_forecast(), then
 * the body the FP relays to the group's other system built from the
 * result.
 */
#include "fuzz_oscp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		*a = fz_arena();
	struct jlimits		 lim;
	struct oscp_forecast	 m;
	const char		*detail = NULL;
	char			*copy = fz_cstr(data, size);
	enum fp_err		 rc;
	size_t			 i;

	fz_oscp_limits(&lim);
	rc = oscp_parse_forecast(a, &lim, (const unsigned char *)copy, size,
	    &m, &detail);
	fz_oscp_rc(rc, detail);
	if (rc == FP_OK) {
		FZ_ASSERT(m.nblocks > 0 && m.blocks != NULL);
		for (i = 0; i < m.nblocks; i++) {
			fz_time_check(m.blocks[i].start_us);
			fz_time_check(m.blocks[i].end_us);
		}
		fz_json_check(oscp_json_forecast(a, &m));
	}
	arena_reset(a);
	free(copy);
	return 0;
}
