// resilience.test.mjs -- the stack under operational events: the database
// going away and coming back (SPEC §6: 503 JSON while down, workers
// reconnect), and the master key being rotated under a running daemon
// (`oscp-admin key rotate`: workers pick up the new key file when they next
// seal a value or meet one their key does not open; sealed values keep
// opening).
//
// Runs last-ish (alphabetical order after most files) and leaves the stack
// as it found it: the database is started again before the test ends.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

import { API, ENV, api, request, admin, sql, sqlCount, newTenant, cpBody, sleep,
    children } from './lib.mjs';

const DBCTL = process.env.FP_TEST_DBCTL;

function dbctl(what) {
	if (!DBCTL)
		throw new Error('FP_TEST_DBCTL is not set (run tests/integration/run)');
	execFileSync(DBCTL, [what], { stdio: ['ignore', 'pipe', 'pipe'] });
}

after(() => {
	// Whatever happened above, leave a running database behind.
	try { dbctl('start'); } catch { /* already running */ }
});

test('701-resilience-database-down-503-then-reconnect', async () => {
	const t = newTenant();
	let res = await api(t, 'GET', '/capacity-providers');
	assert.equal(res.status, 200, res.text);

	dbctl('stop');
	try {
		// Every worker: several requests so both workers see the loss.
		for (let i = 0; i < 6; i++) {
			res = await api(t, 'GET', '/capacity-providers');
			assert.equal(res.status, 503, `while down: ${res.text}`);
			assert.deepEqual(res.json,
			    { success: false, code: '503', message: 'Service unavailable' });
		}
		// A write is refused the same way and changes nothing.
		res = await api(t, 'POST', '/capacity-providers', cpBody());
		assert.equal(res.status, 503, res.text);
		// Routes that need no database keep answering.
		res = await request('GET', '/ping');
		assert.equal(res.status, 200, res.text);
	} finally {
		dbctl('start');
	}

	// Workers reconnect on their next request: no restart needed.
	let ok = 0;
	for (let i = 0; i < 20 && ok < 6; i++) {
		res = await api(t, 'GET', '/capacity-providers');
		if (res.status === 200)
			ok++;
		else
			await sleep(250);
	}
	assert.equal(ok, 6, `after restart: ${res.status} ${res.text}`);
	assert.equal(Number(sql(`SELECT COUNT(*) FROM oscp_cp_conf WHERE user_id = ${t.userId}`)[0][0]), 0,
	    'the POST made while the database was down stored nothing');
});

test('702-resilience-key-rotation-under-running-daemon', async () => {
	const t = newTenant();
	let res = await api(t, 'POST', '/capacity-providers', cpBody({
		serviceProps: {
			'oauth-token-url': 'https://auth.example/token',
			'oauth-client-id': 'abc',
			'oauth-client-secret': 'rotate-me-s3cr3t',
		},
	}));
	assert.equal(res.status, 201, res.text);
	const id = res.json.data.configId;
	const before = sql(`SELECT HEX(secret_enc) FROM oscp_cp_secret WHERE user_id = ${t.userId} AND id = ${id}`);
	assert.equal(before.length, 1);
	const tokBefore = sql(`SELECT HEX(secret_enc) FROM user_auth_token WHERE auth_token = '${t.tokenId}'`);

	const out = admin('key', 'rotate');
	assert.match(out, /re-encrypted \d+ values?/);

	// Every sealed value was re-encrypted...
	const after = sql(`SELECT HEX(secret_enc) FROM oscp_cp_secret WHERE user_id = ${t.userId} AND id = ${id}`);
	assert.notEqual(after[0][0], before[0][0], 'OAuth secret re-sealed');
	const tokAfter = sql(`SELECT HEX(secret_enc) FROM user_auth_token WHERE auth_token = '${t.tokenId}'`);
	assert.notEqual(tokAfter[0][0], tokBefore[0][0], 'token secret re-sealed');
	assert.ok(!Buffer.from(after[0][0], 'hex').includes('rotate-me-s3cr3t'));

	// ...and the running workers keep authenticating with the new key.
	for (let i = 0; i < 6; i++) {
		res = await api(t, 'GET', `/capacity-providers/${id}`);
		assert.equal(res.status, 200, `after rotation: ${res.text}`);
		assert.equal(res.json.data.serviceProps['oauth-client-secret'], undefined);
	}
	// New tokens and new secrets made after the rotation work too.
	const t2 = newTenant();
	res = await api(t2, 'POST', '/capacity-providers', cpBody({
		serviceProps: { 'oauth-client-secret': 'another' },
	}));
	assert.equal(res.status, 201, res.text);
	res = await api(t2, 'PUT', `/capacity-providers/${res.json.data.configId}`,
	    cpBody({ name: 'renamed' }));
	assert.equal(res.status, 200, res.text);
	res = await api(t, 'GET', '/capacity-providers');
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.data.length, 1);
});

test('704-resilience-key-rotated-twice-workers-catch-up', async () => {
	// Workers do not look at the key file on every request: they reload
	// it before sealing and when a value does not open.  Two rotations in
	// a row leave a running worker with neither the current key nor the
	// previous one (key.old), and it must still serve.
	const t = newTenant();
	for (let i = 0; i < 8; i++)
		assert.equal((await api(t, 'GET', '/capacity-providers')).status, 200);

	assert.match(admin('key', 'rotate'), /re-encrypted \d+ values?/);
	// Sealed by a worker that loaded the key before the rotation: it must
	// seal under the new key, or the next rotation cannot open the value
	// (that key is gone by then).
	let res = await api(t, 'POST', '/capacity-providers', cpBody({
		serviceProps: { 'oauth-client-secret': 'after-first-rotation' },
	}));
	assert.equal(res.status, 201, res.text);
	const id = res.json.data.configId;
	assert.match(admin('key', 'rotate'), /re-encrypted \d+ values?/);

	// A token sealed under the newest key, used at once on every worker.
	const t2 = newTenant();
	const all = await Promise.all(Array.from({ length: 16 },
	    () => api(t2, 'GET', '/capacity-providers')));
	for (const r of all)
		assert.equal(r.status, 200, `after two rotations: ${r.text}`);
	res = await api(t, 'GET', `/capacity-providers/${id}`);
	assert.equal(res.status, 200, res.text);
	// The secret survived both rotations under the current key.
	assert.match(admin('key', 'rotate'), /re-encrypted \d+ values?/);
});

test('703-resilience-bad-request-target', async () => {
	// A path outside the API is a plain 404 JSON, no authentication asked.
	let res = await request('GET', '/nothing-here');
	assert.equal(res.status, 404, res.text);
	assert.equal(res.json.success, false);
	// Under the secured prefix, authentication comes first (401).
	res = await request('GET', `${API}/no-such-collection`);
	assert.equal(res.status, 401, res.text);
});

/* ------------------------------------------------------------------ */
/* The master key file itself (issue 10 defect 2)                      */
/* ------------------------------------------------------------------ */

const KEY_FILE = /^master_key_file\s*=\s*(.+)$/m.exec(fs.readFileSync(ENV.FP_TEST_CONF, 'utf8'))[1].trim();

/** The key in a key file (64 hex characters) and its id (crypto.h). */
function keyOf(file) {
	const k = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
	assert.equal(k.length, 32, `${file} holds no key`);
	return { k, id: crypto.createHash('sha256').update(k).digest().subarray(0, 4).toString('hex') };
}

/** Key id in a sealed value: 'F' | version | key id (4) | nonce | ct | tag. */
function sealedKeyId(hex) {
	const b = Buffer.from(hex, 'hex');
	assert.equal(b[0], 0x46, 'sealed value magic');
	return b.subarray(2, 6).toString('hex');
}

/** Seal like crypto_seal(), written independently with node:crypto. */
function sealUnder(key, aad, plaintext) {
	const nonce = crypto.randomBytes(12);
	const c = crypto.createCipheriv('aes-256-gcm', key.k, nonce);
	c.setAAD(Buffer.from(aad, 'utf8'));
	const ct = Buffer.concat([c.update(Buffer.from(plaintext, 'utf8')), c.final()]);
	return Buffer.concat([Buffer.from([0x46, 1]), Buffer.from(key.id, 'hex'), nonce, ct,
	    c.getAuthTag()]);
}

test('705-resilience-key-file-unloadable-refuses-to-seal', async () => {
	// A reload that fails must not leave an all-zero key in use: with the
	// key file damaged, no worker seals a secret (503, nothing stored),
	// stored secrets keep opening, and once the file loads again new
	// secrets are sealed under it.
	const t = newTenant();
	// Every worker must hold the current key (earlier tests rotated it)
	// before the file is damaged, or one whose token cache expires could
	// not open the tenant's secret.  A reload starts workers that load it.
	const master = Number(ENV.FP_TEST_FPD_PID);
	const old = children(master);
	process.kill(master, 'SIGHUP');
	for (let i = 0; i < 600; i++) {
		const now = children(master);
		if (now.length === old.length && now.every((p) => !old.includes(p)))
			break;
		await sleep(100);
	}
	assert.ok(children(master).every((p) => !old.includes(p)), 'workers replaced');
	for (let i = 0; i < 4; i++)
		assert.equal((await api(t, 'GET', '/capacity-providers')).status, 200);
	const good = fs.readFileSync(KEY_FILE);
	const key = keyOf(KEY_FILE);
	const logBefore = fs.statSync(ENV.FP_TEST_FPD_LOG).size;

	fs.writeFileSync(KEY_FILE, 'this is not a master key\n');
	try {
		for (let i = 0; i < 6; i++) {
			const res = await api(t, 'POST', '/capacity-providers', cpBody({
				serviceProps: { 'oauth-client-secret': `while-broken-${i}` },
			}));
			assert.equal(res.status, 503, `POST ${i} with a damaged key file: ${res.text}`);
			assert.deepEqual(res.json,
			    { success: false, code: '503', message: 'Service unavailable' });
		}
		assert.equal(sqlCount(`oscp_cp_conf WHERE user_id = ${t.userId}`), 0,
		    'a refused POST stored nothing');
		// Reading needs no new seal: still served.
		for (let i = 0; i < 4; i++)
			assert.equal((await api(t, 'GET', '/capacity-providers')).status, 200);
	} finally {
		fs.writeFileSync(KEY_FILE, good);
	}
	const log = fs.readFileSync(ENV.FP_TEST_FPD_LOG).subarray(logBefore).toString('utf8');
	assert.match(log, /not sealing new secrets until the key file loads/);

	// The file loads again: sealing resumes, under the real key.
	for (let i = 0; i < 4; i++) {
		const res = await api(t, 'POST', '/capacity-providers', cpBody({
			serviceProps: { 'oauth-client-secret': `after-repair-${i}` },
		}));
		assert.equal(res.status, 201, res.text);
	}
	const rows = sql(`SELECT HEX(s.secret_enc) FROM oscp_cp_secret s WHERE s.user_id = ${t.userId}`);
	assert.equal(rows.length, 4);
	for (const [hex] of rows)
		assert.equal(sealedKeyId(hex), key.id, 'sealed under the key in the file');
	// and a rotation can open every one of them
	assert.match(admin('key', 'rotate'), /re-encrypted \d+ values?/);
	assert.equal((await api(t, 'GET', '/capacity-providers')).status, 200);
});

test('706-resilience-rotate-opens-values-under-old-key', async () => {
	// A worker can seal under the key a rotation is retiring (it reloaded
	// just before the rotation committed).  Such a row is under
	// <file>.old after the rotation; the next rotation must re-encrypt
	// it rather than fail, or rotation wedges.
	const t = newTenant();
	assert.equal((await api(t, 'GET', '/capacity-providers')).status, 200);
	assert.match(admin('key', 'rotate'), /re-encrypted \d+ values?/);
	const old = keyOf(KEY_FILE + '.old');
	const cur = keyOf(KEY_FILE);
	assert.notEqual(old.id, cur.id);

	// The tenant's token secret, sealed under the .old key.
	const blob = sealUnder(old, `user_auth_token:${t.tokenId}`, t.secret);
	sql(`UPDATE user_auth_token SET secret_enc = UNHEX('${blob.toString('hex')}') ` +
	    `WHERE auth_token = '${t.tokenId}'`);
	await sleep(2100);	// past auth_cache_seconds: the daemon opens it
	for (let i = 0; i < 4; i++)
		assert.equal((await api(t, 'GET', '/capacity-providers')).status, 200);

	const out = admin('key', 'rotate');
	assert.match(out, /re-encrypted \d+ values?/);
	const now = keyOf(KEY_FILE);
	const [[hex]] = sql(`SELECT HEX(secret_enc) FROM user_auth_token WHERE auth_token = '${t.tokenId}'`);
	assert.equal(sealedKeyId(hex), now.id, 're-sealed under the new key');
	await sleep(2100);
	for (let i = 0; i < 4; i++)
		assert.equal((await api(t, 'GET', '/capacity-providers')).status, 200);
});

test('707-resilience-rotate-help-says-no-restart', () => {
	const help = admin('key', 'rotate', '--help');
	assert.match(help, /no\s+restart\s+is\s+needed/);
	assert.doesNotMatch(help, /Restart oscp-fpd/i);
});
