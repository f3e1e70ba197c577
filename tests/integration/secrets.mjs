// secrets.mjs -- every secret the integration suite makes or hands out is
// recorded here, so that tests/integration/run can grep every log of the
// run for it afterwards (issue 10 §4, "secrets never in logs").
//
// recordSecret(kind, value) appends "kind<TAB>value" to
// $FP_TEST_TMP/secrets.list (nothing when FP_TEST_TMP is unset, e.g. the
// demo peer run by hand).  Kinds: token-secret (SNWS2 token secrets),
// fp-token (what a CP/CO presents to us), peer-token (what we present to
// a CP/CO), oauth-secret (oauth-client-secret values).  Token ids are not
// recorded: they are identifiers sent in clear in every Authorization
// header (the README's Security matrix section says why).  Values shorter
// than 6 bytes or containing a tab or newline are skipped (too short to
// grep for without matching unrelated text; no generated secret has them).

import fs from 'node:fs';
import path from 'node:path';

const seen = new Set();

export function recordSecret(kind, value) {
	const dir = process.env.FP_TEST_TMP;
	if (!dir || typeof value !== 'string' || value.length < 6 || /[\t\r\n]/.test(value))
		return;
	const line = `${kind}\t${value}\n`;
	if (seen.has(line))
		return;
	seen.add(line);
	fs.appendFileSync(path.join(dir, 'secrets.list'), line);
}
