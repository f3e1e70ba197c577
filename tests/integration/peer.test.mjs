// peer.test.mjs -- the OSCP test peer (peer.mjs) does what the OSCP tests
// rely on: it records every request as sent, answers scripted statuses,
// delays and hangs, runs an OAuth client-credentials token endpoint (HTTP
// Basic, expiry, revocation, Bearer checks), checks Token auth, records
// schema errors; oscpCall sends what it is told; the demo CLI prints what
// it receives and drives a register/heartbeat exchange.  Needs no daemon.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startPeer, oscpCall } from './peer.mjs';
import { SAMPLE_DIR } from './oscp-schema.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HB = { offline_mode_at: '2024-05-01T12:02:00.000Z' };
const sample = (...p) => fs.readFileSync(path.join(SAMPLE_DIR, ...p), 'utf8');

/** POST to the peer with fetch; resolves { status, headers, text, ms }. */
async function post(url, { body = HB, headers = {}, method = 'POST', signal } = {}) {
	const t0 = performance.now();
	const res = await fetch(url, {
		method,
		headers: { 'Content-Type': 'application/json', ...headers },
		body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		signal,
	});
	const text = await res.text();
	return { status: res.status, headers: res.headers, text, ms: performance.now() - t0 };
}

function basic(id, secret) {
	return 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');
}

async function getToken(peer, { id = 'client-1', secret = 's3cret', form = 'grant_type=client_credentials',
	contentType = 'application/x-www-form-urlencoded', auth } = {}) {
	const res = await fetch(peer.tokenUrl, {
		method: 'POST',
		headers: { 'Content-Type': contentType, Authorization: auth ?? basic(id, secret) },
		body: form,
	});
	const text = await res.text();
	return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

test('records every request as received; waitFor, waitForCount, clear', async () => {
	const cp = await startPeer({ role: 'cp' });
	try {
		assert.match(cp.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/oscp\/cp\/2\.0$/);
		assert.equal(cp.tokenUrl, null);
		const later = cp.waitFor('/heartbeat', 5000);
		const before = Date.now();
		const body = '{"offline_mode_at":  "2024-05-01T12:02:00Z"}';
		const r = await post(cp.baseUrl + '/heartbeat?x=1', { body,
		    headers: { 'X-Request-ID': 'req-1', 'X-Correlation-ID': 'corr-1', 'X-Custom': 'A b' } });
		assert.equal(r.status, 204);
		assert.equal(r.text, '');
		const rec = await later;
		assert.equal(cp.requests.length, 1);
		assert.equal(cp.requests[0], rec);
		assert.equal(rec.seq, 1);
		assert.equal(rec.method, 'POST');
		assert.equal(rec.path, '/oscp/cp/2.0/heartbeat?x=1');
		assert.equal(rec.suffix, '/heartbeat');
		assert.equal(rec.headers['x-request-id'], 'req-1');
		assert.equal(rec.headers['x-correlation-id'], 'corr-1');
		assert.equal(rec.headers['x-custom'], 'A b');
		assert.equal(rec.headers['content-type'], 'application/json');
		assert.equal(rec.body, body, 'the raw body, byte for byte');
		assert.deepEqual(rec.json, { offline_mode_at: '2024-05-01T12:02:00Z' });
		assert.ok(rec.receivedAt >= before && rec.receivedAt <= Date.now());
		assert.ok(rec.receivedPerf > 0 && rec.receivedPerf <= performance.now());
		assert.equal(rec.conn, 1);
		assert.equal(rec.schema, 'heartbeat.json');
		assert.equal(rec.schemaErrors, null);
		assert.equal(rec.status, 204);
		assert.ok(rec.answeredAt >= rec.receivedPerf);

		// waitFor: predicate function, already recorded; waitForCount for more.
		assert.equal(await cp.waitFor((q) => q.headers['x-request-id'] === 'req-1', 100), rec);
		const three = cp.waitForCount('/handshake', 2, 5000);
		const hs = JSON.parse(sample('handshake-cp-to-fp.json'));
		await post(cp.baseUrl + '/handshake', { body: hs, headers: { 'X-Request-ID': 'h1' } });
		await post(cp.baseUrl + '/heartbeat');
		await post(cp.baseUrl + '/handshake', { body: hs, headers: { 'X-Request-ID': 'h2' } });
		const got = await three;
		assert.deepEqual(got.map((q) => q.headers['x-request-id']), ['h1', 'h2']);
		assert.deepEqual(got.map((q) => q.schemaErrors), [null, null]);
		assert.equal(cp.matching('/heartbeat').length, 2);
		assert.equal(cp.requests.length, 4);

		// A timeout names what did come.
		await assert.rejects(cp.waitFor('/register', 150),
		    /0 of 1 matching requests within 150 ms; received: POST \/oscp\/cp\/2\.0\/heartbeat\?x=1 -> 204/);
		cp.clear();
		assert.equal(cp.requests.length, 0);
		await assert.rejects(cp.waitFor('/heartbeat', 50), /received: nothing/);

		// A co peer has its own base path.
		const co = await startPeer({ role: 'co' });
		try {
			assert.match(co.baseUrl, /\/oscp\/co\/2\.0$/);
			assert.equal((await post(co.baseUrl + '/heartbeat')).status, 204);
			assert.equal((await post(cp.baseUrl.replace('/cp/', '/co/') + '/heartbeat')).status, 404);
			assert.equal(co.requests.length, 1);
		} finally {
			await co.close();
		}
		await assert.rejects(startPeer({ role: 'fp' }), /role must be 'cp' or 'co'/);
	} finally {
		await cp.close();
	}
});

test('schema errors are recorded per request; wrong method and paths answered', async () => {
	const co = await startPeer({ role: 'co', schemas: { '/my/forecast': 'update-group-capacity-forecast.json' } });
	try {
		const cases = [
			['/update_group_capacity_forecast', sample('update-group-capacity-forecast-cp-to-fp.json'), null],
			['/my/forecast', sample('update-group-capacity-forecast-fallback.json'), null],
			['/update_group_capacity_forecast', sample('invalid', 'forecast-negative-capacity.json'),
			    ['/forecasted_blocks/0/capacity: must be >= 0']],
			['/heartbeat', sample('invalid', 'heartbeat-naive-datetime.json'),
			    ['/offline_mode_at: must match format "date-time"']],
			['/register', sample('invalid', 'register-empty-version-url.json'),
			    ['/version_url: must NOT have fewer than 1 items']],
			['/handshake_acknowledge', sample('invalid', 'handshake-acknowledge-empty-required-behaviour.json'),
			    ["/required_behaviour: must have required property 'measurement_configuration'"]],
			['/nope', '{}', ['no OSCP schema for /nope']],
		];
		for (const [suffix, body, errors] of cases) {
			const r = await post(co.baseUrl + suffix, { body });
			assert.equal(r.status, 204, suffix);
			const rec = co.requests.at(-1);
			assert.equal(rec.suffix, suffix);
			assert.deepEqual(rec.schemaErrors, errors, suffix);
		}
		let r = await post(co.baseUrl + '/heartbeat', { body: '{"offline_mode_at":' });
		assert.equal(r.status, 204);
		assert.equal(co.requests.at(-1).json, null);
		assert.match(co.requests.at(-1).schemaErrors[0], /^body is not JSON: /);

		r = await post(co.baseUrl + '/heartbeat', { method: 'GET' });
		assert.equal(r.status, 405);
		assert.equal(r.headers.get('allow'), 'POST');
		assert.equal(co.requests.at(-1).method, 'GET');
		assert.equal(co.requests.at(-1).status, 405);

		r = await post(co.origin + '/elsewhere');
		assert.equal(r.status, 404);
		assert.deepEqual(JSON.parse(r.text), { message: 'Not Found' });
		assert.equal(co.requests.at(-1).suffix, null);
		assert.equal(co.requests.at(-1).path, '/elsewhere');
		assert.notEqual(co.requests.at(-1).schemaErrors, null);
		assert.equal(await co.waitFor('/elsewhere', 10), co.requests.at(-1));
		// No OAuth configured: /oauth/token is just another unknown path.
		assert.equal((await post(co.origin + '/oauth/token')).status, 404);
		assert.equal(co.tokenRequests.length, 0);
	} finally {
		await co.close();
	}
});

test('scripted statuses: N times then 204; bodies, headers, wildcard, unscript', async () => {
	const cp = await startPeer({ role: 'cp' });
	try {
		cp.respond('/heartbeat', { status: 500, times: 3 });
		const st = [];
		for (let i = 0; i < 5; i++)
			st.push((await post(cp.baseUrl + '/heartbeat')).status);
		assert.deepEqual(st, [500, 500, 500, 204, 204]);
		assert.deepEqual(cp.requests.map((q) => q.status), st);

		cp.respond('/register', { status: 422, body: { message: 'bad' }, headers: { 'X-Error-Message': 'bad' }, times: 1 });
		let r = await post(cp.baseUrl + '/register', { body: sample('register-cp-to-fp.json') });
		assert.equal(r.status, 422);
		assert.equal(r.text, '{"message":"bad"}');
		assert.equal(r.headers.get('content-type'), 'application/json');
		assert.equal(r.headers.get('x-error-message'), 'bad');
		r = await post(cp.baseUrl + '/register', { body: sample('register-cp-to-fp.json') });
		assert.equal(r.status, 204);

		cp.respond('/handshake', { status: 503 });	// always
		cp.respond('*', { status: 200, body: 'ok', headers: { 'Content-Type': 'text/plain' } });
		for (let i = 0; i < 3; i++)
			assert.equal((await post(cp.baseUrl + '/handshake')).status, 503);
		r = await post(cp.baseUrl + '/heartbeat');
		assert.equal(r.status, 200);
		assert.equal(r.text, 'ok');
		assert.equal(r.headers.get('content-type'), 'text/plain');
		r = await post(cp.baseUrl + '/update_group_capacity_forecast');
		assert.equal(r.status, 200);
		// An error status without a body gets a JSON one.
		cp.unscript().respond('/heartbeat', { status: 401, times: 1 });
		r = await post(cp.baseUrl + '/heartbeat');
		assert.equal(r.status, 401);
		assert.deepEqual(JSON.parse(r.text), { message: 'scripted 401' });
		assert.equal((await post(cp.baseUrl + '/handshake')).status, 204, 'unscript dropped the 503');
		assert.throws(() => cp.respond('/x', { times: 0 }), /times must be > 0/);
	} finally {
		await cp.close();
	}
});

test('delays and hangs; close() ends hung requests', async () => {
	const cp = await startPeer({ role: 'cp' });
	try {
		cp.respond('/handshake_acknowledge', { delayMs: 400, times: 1 });
		const ack = sample('handshake-acknowledge-fp-to-cp.json');
		let r = await post(cp.baseUrl + '/handshake_acknowledge', { body: ack });
		assert.equal(r.status, 204);
		assert.ok(r.ms >= 390, `answered after ${r.ms} ms`);
		const rec = cp.requests.at(-1);
		assert.ok(rec.answeredAt - rec.receivedPerf >= 390);
		assert.equal(rec.schemaErrors, null);
		r = await post(cp.baseUrl + '/handshake_acknowledge', { body: ack });
		const again = cp.requests.at(-1);
		assert.ok(again.answeredAt - again.receivedPerf < 390, 'only once');

		cp.respond('/heartbeat', { status: 500, delayMs: 200, times: 1 });
		r = await post(cp.baseUrl + '/heartbeat');
		assert.equal(r.status, 500);
		assert.ok(r.ms >= 190);

		cp.hang('/heartbeat', { times: 1 });
		await assert.rejects(post(cp.baseUrl + '/heartbeat', { signal: AbortSignal.timeout(300) }),
		    (e) => e.name === 'TimeoutError');
		const hung = await cp.waitFor((q) => q.suffix === '/heartbeat' && q.status === null, 1000);
		assert.equal(hung.answeredAt, null);
		assert.equal((await post(cp.baseUrl + '/heartbeat')).status, 204, 'hang times: 1');

		// A hang that is still waiting when the peer closes: the client sees
		// the connection go, close() does not wait for it.
		cp.hang('/update_group_capacity_forecast');
		const pending = post(cp.baseUrl + '/update_group_capacity_forecast').then(
		    () => 'answered', (e) => e.name);
		await cp.waitFor('/update_group_capacity_forecast', 2000);
		// A delayed answer pending at close is dropped too.
		cp.respond('/register', { delayMs: 60000 });
		const delayed = post(cp.baseUrl + '/register').then(() => 'answered', (e) => e.name);
		await cp.waitFor('/register', 2000);
		const t0 = performance.now();
		await cp.close();
		assert.ok(performance.now() - t0 < 2000);
		assert.equal(await pending, 'TypeError', 'fetch failed: the socket was closed');
		assert.equal(await delayed, 'TypeError');
		await cp.close();	// twice is fine
	} finally {
		await cp.close();
	}
});

test('requireToken: 403 unless "Token <it>"; can change at run time', async () => {
	const cp = await startPeer({ role: 'cp', requireToken: 'tok-A' });
	try {
		const url = cp.baseUrl + '/heartbeat';
		for (const auth of [undefined, 'Token tok-B', 'token tok-A', 'Token  tok-A', 'Bearer tok-A',
		    'Token tok-a', 'Token tok-AA']) {
			const r = await post(url, { headers: auth ? { Authorization: auth } : {} });
			assert.equal(r.status, 403, String(auth));
			assert.deepEqual(JSON.parse(r.text), { message: 'Forbidden' });
		}
		assert.equal((await post(url, { headers: { Authorization: 'Token tok-A' } })).status, 204);
		// Scripts apply only once authenticated.
		cp.respond('/heartbeat', { status: 500, times: 1 });
		assert.equal((await post(url, { headers: { Authorization: 'Token nope' } })).status, 403);
		assert.equal((await post(url, { headers: { Authorization: 'Token tok-A' } })).status, 500);
		cp.requireToken = 'tok-B';
		assert.equal((await post(url, { headers: { Authorization: 'Token tok-A' } })).status, 403);
		assert.equal((await post(url, { headers: { Authorization: 'Token tok-B' } })).status, 204);
		assert.equal(cp.requests.length, 12, 'refused requests are recorded too');
		assert.equal(cp.requests[0].headers.authorization, undefined);
		assert.equal(cp.requests[1].headers.authorization, 'Token tok-B');
	} finally {
		await cp.close();
	}
});

test('OAuth: client credentials with HTTP Basic, Bearer checks, expiry, revoke', async () => {
	const co = await startPeer({ role: 'co', requireBearer: true,
	    oauth: { clientId: 'client-1', clientSecret: 's3cret', expiresIn: 2 } });
	try {
		assert.equal(co.tokenUrl, co.origin + '/oauth/token');
		const url = co.baseUrl + '/update_group_capacity_forecast';
		const fc = sample('update-group-capacity-forecast-cp-to-fp.json');
		const call = (token) => post(url, { body: fc, headers: token ? { Authorization: `Bearer ${token}` } : {} });

		let r = await call(null);
		assert.equal(r.status, 401);
		assert.equal(r.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
		assert.equal((await call('at-1')).status, 401, 'not issued yet');

		// Refusals, in RFC 6749 order.
		let t = await getToken(co, { secret: 'wrong' });
		assert.equal(t.status, 401);
		assert.deepEqual(t.json, { error: 'invalid_client' });
		assert.equal(t.headers.get('www-authenticate'), 'Basic realm="oauth"');
		t = await getToken(co, { id: 'client-2' });
		assert.equal(t.status, 401);
		t = await getToken(co, { auth: 'Bearer x', form: 'grant_type=client_credentials&client_id=client-1&client_secret=s3cret' });
		assert.equal(t.status, 401, 'client_secret_post is not accepted: HTTP Basic only');
		t = await getToken(co, { contentType: 'application/json', form: '{"grant_type":"client_credentials"}' });
		assert.equal(t.status, 400);
		assert.equal(t.json.error, 'invalid_request');
		t = await getToken(co, { form: 'grant_type=password&username=u&password=p' });
		assert.equal(t.status, 400);
		assert.deepEqual(t.json, { error: 'unsupported_grant_type' });
		r = await fetch(co.tokenUrl);
		assert.equal(r.status, 405);
		await r.text();
		assert.equal(co.tokenRequests.length, 6);
		assert.equal(co.tokenRequests.filter((q) => q.accessToken).length, 0);

		t = await getToken(co, { form: 'grant_type=client_credentials&scope=oscp' });
		assert.equal(t.status, 200);
		assert.deepEqual(t.json, { access_token: 'at-1', token_type: 'Bearer', expires_in: 2 });
		assert.equal(t.headers.get('cache-control'), 'no-store');
		const tr = await co.waitForToken((q) => q.accessToken === 'at-1', 100);
		assert.equal(tr.clientId, 'client-1');
		assert.deepEqual(tr.form, { grant_type: 'client_credentials', scope: 'oscp' });
		assert.equal(tr.headers.authorization, basic('client-1', 's3cret'));
		assert.equal(tr.status, 200);

		r = await call('at-1');
		assert.equal(r.status, 204);
		assert.equal(co.requests.at(-1).schemaErrors, null);
		assert.equal((await call('at-2')).status, 401, 'never issued');
		assert.equal((await post(url, { body: fc, headers: { Authorization: 'bearer at-1' } })).status, 401);
		assert.ok(co.requests.every((q) => q.suffix !== null), 'token calls are not in requests');

		// Expiry (expires_in 2 s).
		await sleep(Math.max(0, tr.receivedAt + 2050 - Date.now()));
		assert.equal(co.tokenValid('at-1'), false);
		assert.equal((await call('at-1')).status, 401, 'expired');

		// A longer lifetime for new tokens; revoke() drops the issued ones only.
		co.oauth.expiresIn = 3600;
		t = await getToken(co);
		assert.deepEqual(t.json, { access_token: 'at-2', token_type: 'Bearer', expires_in: 3600 });
		assert.equal((await call('at-2')).status, 204);
		co.revoke();
		assert.equal((await call('at-2')).status, 401, 'revoked');
		t = await getToken(co);
		assert.equal(t.json.access_token, 'at-3');
		assert.equal((await call('at-3')).status, 204);

		// Form-urlencoded client credentials (RFC 6749 2.3.1) are decoded.
		co.oauth.clientSecret = 'p@ss:w rd';
		t = await getToken(co, { secret: 'p%40ss%3Aw+rd' });
		assert.equal(t.status, 200);
		t = await getToken(co, { secret: 'p@ss:w rd' });
		assert.equal(t.status, 200);

		// The token endpoint can be scripted too (before the credentials).
		co.respond('/oauth/token', { status: 503, times: 1 });
		t = await getToken(co, { secret: 'wrong' });
		assert.equal(t.status, 503);
		assert.equal((await getToken(co, { secret: 'p@ss:w rd' })).status, 200);
		assert.equal(co.tokenRequests.length, 13);
		co.clear();
		assert.equal(co.tokenRequests.length, 0);
		assert.equal((await call('at-6')).status, 204, 'clear() keeps the tokens');
	} finally {
		await co.close();
	}
});

test('oscpCall sends what it is told and returns the answer', async () => {
	// A peer stands in for the FP here.
	const fp = await startPeer({ role: 'cp', basePath: '/oscp/fp/2.0' });
	try {
		fp.respond('/handshake', { status: 422, body: { message: 'required_behaviour: required' }, times: 1 });
		let r = await oscpCall(fp.baseUrl + '/', '/handshake', { token: 'tok-1', body: { a: 1 } });
		assert.equal(r.status, 422);
		assert.deepEqual(r.json, { message: 'required_behaviour: required' });
		assert.equal(r.body, '{"message":"required_behaviour: required"}');
		assert.equal(r.headers['content-type'], 'application/json');
		assert.match(r.requestId, UUID);
		let q = fp.requests.at(-1);
		assert.equal(q.path, '/oscp/fp/2.0/handshake');
		assert.equal(q.headers.authorization, 'Token tok-1');
		assert.equal(q.headers['x-request-id'], r.requestId);
		assert.equal(q.headers['x-correlation-id'], undefined);
		assert.equal(q.headers['content-type'], 'application/json');
		assert.equal(q.body, '{"a":1}');

		r = await oscpCall(fp.baseUrl, '/heartbeat', { requestId: 'r-1', correlationId: 'c-1',
		    body: '{"offline_mode_at" : "2024-05-01T12:00:00Z"}', headers: { 'X-Extra': 'yes' } });
		assert.equal(r.status, 204);
		assert.equal(r.body, '');
		assert.equal(r.json, null);
		q = fp.requests.at(-1);
		assert.equal(q.headers['x-request-id'], 'r-1');
		assert.equal(q.headers['x-correlation-id'], 'c-1');
		assert.equal(q.headers['x-extra'], 'yes');
		assert.equal(q.headers.authorization, undefined);
		assert.equal(q.body, '{"offline_mode_at" : "2024-05-01T12:00:00Z"}');
		assert.equal(q.schemaErrors, null);

		r = await oscpCall(fp.baseUrl, '/heartbeat', { requestId: null, contentType: 'text/plain',
		    headers: { authorization: 'Token raw' } });
		q = fp.requests.at(-1);
		assert.equal(q.headers['x-request-id'], undefined);
		assert.equal(q.headers['content-type'], 'text/plain');
		assert.equal(q.headers['content-length'], '0');
		assert.equal(q.headers.authorization, 'Token raw');
		r = await oscpCall(fp.baseUrl, '/heartbeat', { contentType: null, method: 'PUT' });
		assert.equal(r.status, 405);
		assert.equal(fp.requests.at(-1).headers['content-type'], undefined);

		fp.hang('/register');
		await assert.rejects(oscpCall(fp.baseUrl, '/register', { timeoutMs: 200 }), /no answer within 200 ms/);
	} finally {
		await fp.close();
	}
	await assert.rejects(oscpCall(fp.baseUrl, '/heartbeat'), /ECONNREFUSED/);
});

test('the demo CLI prints each request and drives register and heartbeat', async (t) => {
	// A peer stands in for the FP the demo peer talks to.
	const fp = await startPeer({ role: 'cp', basePath: '/oscp/fp/2.0' });
	const child = spawn(process.execPath, [path.join(here, 'peer.mjs'), '--role', 'cp',
	    '--token', 'cp-token-123456', '--fp', fp.baseUrl, '--fp-token', 'fp-token-A',
	    '--status', '/handshake_acknowledge=500x1'], { stdio: ['pipe', 'pipe', 'pipe'] });
	t.after(async () => {
		if (child.exitCode === null && child.signalCode === null)
			child.kill('SIGKILL');
		await fp.close();
	});
	let out = '';
	let err = '';
	child.stdout.on('data', (c) => {
		out += c;
	});
	child.stderr.on('data', (c) => {
		err += c;
	});
	const until = async (re, ms = 5000) => {
		const end = Date.now() + ms;
		for (;;) {
			const m = re.exec(out);
			if (m)
				return m;
			if (Date.now() > end || child.exitCode !== null)
				throw new Error(`CLI output lacks ${re}; stdout:\n${out}\nstderr:\n${err}`);
			await sleep(20);
		}
	};
	const base = (await until(/listening: (http:\/\/127\.0\.0\.1:\d+\/oscp\/cp\/2\.0)\n/))[1];
	await until(/Authorization: Token cp-token-123456/);

	// register: the CP's Register to the FP, with the FP's out-of-band token.
	child.stdin.write('register\n');
	const reg = await fp.waitFor('/register', 5000);
	assert.equal(reg.headers.authorization, 'Token fp-token-A');
	assert.match(reg.headers['x-request-id'], UUID);
	assert.deepEqual(reg.json, { token: 'cp-token-123456', version_url: [{ version: '2.0', base_url: base }] });
	assert.equal(reg.schemaErrors, null);
	await until(/sent POST \/register X-Request-ID: [0-9a-f-]{36} -> 204/);

	// The FP's answering Register: printed, and its token used from then on.
	let r = await oscpCall(base, '/register', { token: 'cp-token-123456', requestId: 'fp-req-1',
	    correlationId: reg.headers['x-request-id'],
	    body: { token: 'fp-token-B-0123456789', version_url: [{ version: '2.0', base_url: fp.baseUrl }] } });
	assert.equal(r.status, 204);
	await until(/POST \/oscp\/cp\/2\.0\/register -> 204\n  X-Request-ID: fp-req-1    X-Correlation-ID: [0-9a-f-]{36}\n/);
	await until(/"token": "fp-token-B-0123456789"/);
	await until(/schema register\.json: ok/);
	r = await oscpCall(base, '/register', { token: 'wrong', body: {} });
	assert.equal(r.status, 403);
	await until(/-> 403[^]*schema register\.json: \/: must have required property 'token'/);
	r = await oscpCall(base, '/handshake_acknowledge', { token: 'cp-token-123456', body: {} });
	assert.equal(r.status, 500, '--status SUFFIX=CODExN');

	child.stdin.write('heartbeat 90\nhandshake 30\nforecast g-1 7.5\n');
	const [hb, hs, fc] = await Promise.all([fp.waitFor('/heartbeat', 5000),
	    fp.waitFor('/handshake', 5000), fp.waitFor('/update_group_capacity_forecast', 5000)]);
	for (const q of [hb, hs, fc]) {
		assert.equal(q.headers.authorization, 'Token fp-token-B-0123456789');
		assert.equal(q.schemaErrors, null, q.suffix);
	}
	assert.deepEqual(hs.json.required_behaviour, { heartbeat_interval: 30, measurement_configuration: ['CONTINUOUS'] });
	assert.equal(fc.json.group_id, 'g-1');
	assert.equal(fc.json.forecasted_blocks[0].capacity, 7.5);
	const off = Date.parse(hb.json.offline_mode_at) - hb.receivedAt;
	assert.ok(off > 85000 && off <= 90000, `offline_mode_at ${off} ms ahead`);

	child.stdin.write('quit\n');
	const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c)));
	assert.equal(code, 0, err);
});
