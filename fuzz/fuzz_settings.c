/*
 * fuzz_settings.c -- the settings file parser (settings.c), as oscp-fpd
 * -t and a SIGHUP read a file: settings_parse() (defaults, then the
 * file's lines), then the OSCP checks and the dump (-t prints it).
 */
#include "oscp.h"
#include "fuzz.h"

static void
sink(const char *line)
{
	FZ_ASSERT(line != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings	 s;
	char		 err[512];

	err[0] = '\0';
	if (settings_parse(&s, (const char *)data, size, "fuzz.conf", err,
	    sizeof(err)) == 0) {
		FZ_ASSERT(s.listen != NULL && s.db_name != NULL);
		FZ_ASSERT(s.workers >= 1 && s.body_max >= 1);
		(void)oscp_settings_ok(&s, err, sizeof(err));
		settings_dump(&s, sink);
		settings_free(&s);
	} else {
		FZ_ASSERT(err[0] != '\0');
		FZ_ASSERT(s.listen == NULL);
	}
	return 0;
}
