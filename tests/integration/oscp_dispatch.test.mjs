// oscp_dispatch.test.mjs -- the dispatcher (src/oscp/dispatch.c, send.c)
// beyond the happy flows of oscp_flow.test.mjs: OAuth client credentials,
// serviceProps url-paths and http-headers, the outbound URL policy, retries
// and giving up, tasks that survive a dispatcher's death, two daemons on one
// database, the events API, the handshake acknowledgement's spellings, the
// Register answer that is not answered again, and the heartbeat job.
//
// Some tests start a second oscp-fpd on the same database (own config copy,
// socket, pid file and log) and stop the main daemon's dispatcher with
// SIGSTOP meanwhile, so the second one does the sending; others SIGKILL the
// main dispatcher (the master respawns it).  Timings come from the test
// stack: dispatch_poll_ms 200, dispatch_retry_seconds 1,
// dispatch_lease_seconds 6, heartbeat_job_seconds 1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFile, spawn } from 'node:child_process';

import { ENV, api, confWith, dispatcher, fpdBinary, newTenant, sleep, sql, sqlCount,
    until } from './lib.mjs';
import { startPeer, oscpCall } from './peer.mjs';
import { schemaFor } from './oscp-schema.mjs';

const FP = `${ENV.FP_TEST_BASE}/oscp/fp/2.0`;
const MASTER = Number(ENV.FP_TEST_FPD_PID);
const UNKNOWN_OBJECT = { success: false, message: 'UNKNOWN_OBJECT' };
const EVENT_KEYS = ['id', 'created', 'direction', 'message', 'requestId',
	'correlationId', 'httpStatus', 'error', 'durationMs', 'attempt'];
const FORECAST = '/update_group_capacity_forecast';

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* sql() without blocking the event loop (the peers live in this process). */
function sqlAsync(query) {
	return new Promise((resolve, reject) => {
		execFile('/bin/sh', ['-c', ENV.FP_TEST_MYSQL + ' -N -B -e "$1"', 'sh', query],
		    { encoding: 'utf8' }, (err, out, stderr) => {
			if (err)
				reject(new Error(`sql failed: ${query}: ${stderr}`));
			else
				resolve(out.split('\n').filter((l) => l !== '').map((l) => l.split('\t')));
		});
	});
}

function snTime(s) {
	return Date.parse(s.replace(' ', 'T'));
}

async function getSystem(t, kind, id) {
	const r = await api(t, 'GET', `/${kind}/${id}`);
	assert.equal(r.status, 200, r.text);
	return r.json.data;
}

async function events(t, kind, id, query = '') {
	const r = await api(t, 'GET', `/${kind}/${id}/events${query}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.success, true);
	return r.json.data;
}

/** The outbound events of a system for one X-Request-ID (oldest first). */
async function outEvents(t, kind, id, reqId) {
	return (await events(t, kind, id, '?max=500'))
	    .filter((e) => e.direction === 'out' && (reqId === undefined || e.requestId === reqId))
	    .reverse();
}

/** POST a system; `peer` gives baseUrl (and Registered + 2.0 unless status). */
async function addSystem(t, kind, { peer, baseUrl, status = 'Registered', enabled = true,
    props } = {}) {
	const r = await api(t, 'POST', `/${kind}`, {
		name: kind === 'capacity-providers' ? 'CP' : 'CO', enabled,
		registrationStatus: status,
		...(peer || baseUrl ? { baseUrl: baseUrl ?? peer.baseUrl, oscpVersion: '2.0' } : {}),
		...(props ? { serviceProps: props } : {}),
	});
	assert.equal(r.status, 201, r.text);
	return { id: r.json.data.configId, token: r.json.data.token };
}

async function addGroup(t, cpId, coId) {
	const ident = `g-${crypto.randomUUID()}`;
	const g = await api(t, 'POST', '/capacity-groups', {
		name: 'G', identifier: ident, enabled: true,
		capacityProviderId: cpId, capacityOptimizerId: coId,
		capacityProviderMeasurementPeriod: 'FifteenMinute',
		capacityOptimizerMeasurementPeriod: 'FifteenMinute',
	});
	assert.equal(g.status, 201, g.text);
	return ident;
}

function forecastBody(ident, kw = 50) {
	return { group_id: ident, type: 'CONSUMPTION', forecasted_blocks: [
		{ capacity: kw, phase: 'ALL', unit: 'KW', start_time: '2030-01-01T00:00:00Z',
		  end_time: '2030-01-01T00:15:00Z' }] };
}

/* A CP (only its FP token is used: it sends forecasts) paired with a CO. */
async function relaySetup({ coPeer, coBaseUrl, coProps } = {}) {
	const t = newTenant();
	const cp = await addSystem(t, 'capacity-providers', { status: 'Pending' });
	const co = await addSystem(t, 'capacity-optimizers', { peer: coPeer, baseUrl: coBaseUrl,
	    props: coProps });
	const ident = await addGroup(t, cp.id, co.id);
	return {
		t, cp, co, ident,
		/** Send one forecast CP -> FP (-> CO); resolves with its X-Request-ID. */
		async forecast(kw) {
			const reqId = crypto.randomUUID();
			const r = await oscpCall(FP, FORECAST, { token: cp.token, requestId: reqId,
			    body: forecastBody(ident, kw) });
			assert.equal(r.status, 204, r.body);
			return reqId;
		},
	};
}

/* The peer registers through the token swap; returns the new FP token and
 * the X-Request-ID of our Register reply. */
async function register(peer, token, peerToken, t, kind, id) {
	const reqId = crypto.randomUUID();
	const r = await oscpCall(FP, '/register', {
		token, requestId: reqId,
		body: { token: peerToken, version_url: [{ version: '2.0', base_url: peer.baseUrl }] },
	});
	assert.equal(r.status, 204, r.body);
	const reply = await peer.waitFor('/register', 10000);
	assert.equal(reply.schemaErrors, null);
	await until(async () => (await getSystem(t, kind, id)).registrationStatus === 'Registered',
	    10000, 'Registered');
	return { newToken: reply.json.token, replyId: reply.headers['x-request-id'], reqId, reply };
}

/** Stop systems of a tenant from producing more work (heartbeats). */
function quiesce(t) {
	sql(`UPDATE oscp_cp_conf SET enabled = 0 WHERE user_id = ${t.userId}`);
	sql(`UPDATE oscp_co_conf SET enabled = 0 WHERE user_id = ${t.userId}`);
	sql(`DELETE FROM oscp_task WHERE user_id = ${t.userId}`);
}

async function closeAll(...peers) {
	for (const p of peers)
		if (p)
			await p.close();
}

/* --- processes ---------------------------------------------------- */

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * A second oscp-fpd on the same database: a copy of the test config with
 * its own socket, pid file and log (and `set` on top), one worker.
 */
async function startSecond(set = {}) {
	const dir = fs.mkdtempSync(path.join(ENV.FP_TEST_TMP, 'fpd2-'));
	const conf = path.join(dir, 'oscp-fp.conf');
	const own = {
		listen: path.join(dir, 'fpd.sock'), pid_file: path.join(dir, 'fpd.pid'),
		log_file: path.join(dir, 'fpd.log'), workers: 1,
	};
	fs.writeFileSync(conf, confWith({ ...own, ...set }), { mode: 0o600 });
	const errFile = path.join(dir, 'fpd.stderr');
	const fd = fs.openSync(errFile, 'a');
	const child = spawn(fpdBinary(), ['-f', '-c', conf], { stdio: ['ignore', fd, fd] });
	fs.closeSync(fd);
	const exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })));
	const d = {
		pid: child.pid, dir, conf,
		log: () => (fs.existsSync(own.log_file) ? fs.readFileSync(own.log_file, 'utf8') : ''),
		stderr: () => fs.readFileSync(errFile, 'utf8'),
		dispatcher: () => dispatcher(child.pid),
		/** New settings: rewrite the config, SIGHUP, wait for a new dispatcher. */
		async reload(more) {
			const old = dispatcher(child.pid);
			fs.writeFileSync(conf, confWith({ ...own, ...set, ...more }), { mode: 0o600 });
			process.kill(child.pid, 'SIGHUP');
			await until(() => {
				const now = dispatcher(child.pid);
				return now !== null && now !== old;
			}, 15000, 'a new dispatcher after SIGHUP');
		},
		async stop() {
			if (alive(child.pid)) {
				process.kill(child.pid, 'SIGTERM');
				const t = setTimeout(() => child.kill('SIGKILL'), 20000);
				await exited;
				clearTimeout(t);
			}
			const err = d.stderr() + d.log();
			assert.doesNotMatch(err, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/,
			    `second daemon: sanitizer report in ${dir}`);
		},
	};
	try {
		await until(() => {
			if (child.exitCode !== null)
				throw new Error(`second oscp-fpd exited: ${d.stderr()} ${d.log()}`);
			return fs.existsSync(own.listen) && d.dispatcher() !== null;
		}, 20000, 'second oscp-fpd up');
	} catch (e) {
		await d.stop().catch(() => {});
		throw e;
	}
	return d;
}

/* Run fn with the main daemon's dispatcher stopped (SIGSTOP ... SIGCONT). */
async function mainPaused(fn) {
	const pid = dispatcher(MASTER);
	assert.ok(pid, 'the main daemon has no dispatcher');
	process.kill(pid, 'SIGSTOP');
	try {
		return await fn(pid);
	} finally {
		try {
			process.kill(pid, 'SIGCONT');
		} catch {
			// gone: the master respawned it
		}
	}
}

/* SIGKILL the main dispatcher; resolves with the respawned one's pid. */
async function killMainDispatcher() {
	const old = dispatcher(MASTER);
	assert.ok(old, 'the main daemon has no dispatcher');
	process.kill(old, 'SIGKILL');
	return until(() => {
		const now = dispatcher(MASTER);
		return now !== null && now !== old ? now : null;
	}, 10000, 'dispatcher respawned');
}

/* ------------------------------------------------------------------ */
/* OAuth, url-paths, http-headers                                      */
/* ------------------------------------------------------------------ */

test('820 OAuth client credentials: Bearer token fetched with Basic auth, reused, refreshed after expiry and after a 401; url-paths and http-headers', async () => {
	const t = newTenant();
	const secret = `csec-${crypto.randomBytes(8).toString('hex')}`;
	const peer = await startPeer({
		role: 'cp', requireBearer: true, oauth: { clientId: 'cid-1', clientSecret: secret },
		schemas: { '/ack': schemaFor('/handshake_acknowledge') },
	});
	try {
		const cp = await addSystem(t, 'capacity-providers', { status: 'Pending', props: {
			'oauth-token-url': peer.tokenUrl, 'oauth-client-id': 'cid-1',
			'oauth-client-secret': secret,
			'url-paths': { HandshakeAcknowledge: '/ack' },
			'http-headers': { 'X-Extra': '1' },
		} });
		// The secret is sealed, never shown.
		const shown = await getSystem(t, 'capacity-providers', cp.id);
		assert.equal(shown.serviceProps['oauth-client-secret'], undefined);
		assert.equal(shown.serviceProps['oauth-client-id'], 'cid-1');
		const hex = Buffer.from(secret).toString('hex').toUpperCase();
		assert.equal(sqlCount(`oscp_cp_secret WHERE user_id = ${t.userId} AND id = ${cp.id} ` +
		    `AND LOCATE('${hex}', HEX(secret_enc)) = 0`), 1);

		// The Register reply goes with a Bearer token from the token endpoint.
		const { newToken } = await register(peer, cp.token, 'unused-peer-token', t,
		    'capacity-providers', cp.id);
		const reg = peer.matching('/register');
		assert.equal(reg.length, 1);
		assert.equal(reg[0].headers.authorization, 'Bearer at-1');
		assert.equal(reg[0].headers['x-extra'], '1');
		assert.equal(reg[0].status, 204);
		assert.equal(peer.tokenRequests.length, 1);
		const tr = peer.tokenRequests[0];
		assert.equal(tr.method, 'POST');
		assert.equal(tr.headers.authorization,
		    'Basic ' + Buffer.from(`cid-1:${secret}`).toString('base64'));
		assert.deepEqual(tr.form, { grant_type: 'client_credentials' });
		assert.equal(tr.accessToken, 'at-1');
		assert.equal(tr.headers['x-extra'], '1', 'http-headers on the token request');

		// A second message (the handshake acknowledgement, at its url-paths
		// path) reuses the access token.
		const handshake = async () => {
			const id = crypto.randomUUID();
			const r = await oscpCall(FP, '/handshake', { token: newToken, requestId: id,
			    body: { required_behaviour: { measurement_configuration: ['CONTINUOUS'] } } });
			assert.equal(r.status, 204, r.body);
			// (answered synchronously: its status is set once this resolves)
			const ack = await peer.waitFor((q) => q.headers['x-correlation-id'] === id, 10000);
			return { id, ack };
		};
		let { ack } = await handshake();
		assert.equal(ack.suffix, '/ack');
		assert.equal(ack.schemaErrors, null);
		assert.equal(ack.headers.authorization, 'Bearer at-1');
		assert.equal(ack.headers['x-extra'], '1');
		assert.equal(ack.status, 204);
		assert.equal(peer.tokenRequests.length, 1, 'the access token was not reused');
		assert.equal(peer.matching('/handshake_acknowledge').length, 0);

		// Revoked: the message gets 401, a new token is fetched and the
		// message sent again at once, within the same attempt.
		peer.revoke();
		peer.oauth.expiresIn = 4;
		let id;
		({ id, ack } = await handshake());
		await until(() => peer.matching((q) => q.headers['x-correlation-id'] === id &&
		    q.status === 204).length === 1, 10000, 'the ack resent');
		const tries = peer.matching((q) => q.headers['x-correlation-id'] === id);
		assert.deepEqual(tries.map((q) => [q.status, q.headers.authorization]),
		    [[401, 'Bearer at-1'], [204, 'Bearer at-2']]);
		assert.equal(tries[0].headers['x-request-id'], tries[1].headers['x-request-id']);
		assert.equal(peer.tokenRequests.length, 2);
		assert.equal(peer.tokenRequests[1].headers['x-extra'], '1');
		const issued = Date.now();
		const ev = await until(async () => {
			const e = await outEvents(t, 'capacity-providers', cp.id, tries[0].headers['x-request-id']);
			return e.length > 0 ? e : null;
		}, 5000, 'ack event');
		assert.deepEqual(ev.map((e) => [e.message, e.httpStatus, e.attempt, e.error]),
		    [['HandshakeAcknowledge', 204, 1, undefined]]);

		// at-2 lives 4 s: reused now, fetched again once it has expired
		// (before sending, not after a 401).
		({ ack } = await handshake());
		assert.equal(ack.headers.authorization, 'Bearer at-2');
		assert.equal(peer.tokenRequests.length, 2, 'a valid short-lived token was not reused');
		await sleep(Math.max(0, issued + 4300 - Date.now()));
		({ id, ack } = await handshake());
		assert.equal(ack.headers.authorization, 'Bearer at-3');
		assert.equal(ack.status, 204);
		assert.equal(peer.tokenRequests.length, 3);
		assert.equal(peer.matching((q) => q.headers['x-correlation-id'] === id).length, 1,
		    'the expired token was sent (401) instead of being refreshed first');

		// An absurd expires_in (microseconds overflowed a 64-bit number)
		// is capped: the token is still reused.
		peer.requireBearer = false;
		peer.respond('/oauth/token', { status: 200, times: 1, body: {
		    access_token: 'big', token_type: 'Bearer', expires_in: 9300000000000 } });
		peer.respond('/ack', { status: 401, times: 1 });
		({ id } = await handshake());
		await until(() => peer.matching((q) => q.headers['x-correlation-id'] === id &&
		    q.status === 204).length === 1, 10000, 'the ack resent');
		assert.deepEqual(peer.matching((q) => q.headers['x-correlation-id'] === id)
		    .map((q) => [q.status, q.headers.authorization]),
		    [[401, 'Bearer at-3'], [204, 'Bearer big']]);
		({ ack } = await handshake());
		assert.equal(ack.headers.authorization, 'Bearer big');
		assert.equal(peer.tokenRequests.length, 4);
	} finally {
		quiesce(t);
		await closeAll(peer);
	}
});

/* ------------------------------------------------------------------ */
/* URL policy (a second daemon with the policy on)                     */
/* ------------------------------------------------------------------ */

test('821 URL policy: https only and no private addresses, refused as configuration errors (no retry, nothing sent)', async () => {
	const coPeer = await startPeer({ role: 'co', oauth: { clientId: 'c', clientSecret: 's' } });
	const plain = await relaySetup({ coPeer });
	// https base URL (a plain http peer: never reached), OAuth token URL http.
	const httpsBase = coPeer.baseUrl.replace(/^http:/, 'https:');
	const oauth = await relaySetup({ coBaseUrl: httpsBase, coProps: {
		'oauth-token-url': coPeer.tokenUrl, 'oauth-client-id': 'c', 'oauth-client-secret': 's' } });
	const second = await startSecond({ outbound_allow_http: 'false',
	    outbound_allow_private: 'false' });
	try {
		await mainPaused(async () => {
			const a = await plain.forecast();
			const b = await oauth.forecast();
			const ea = await until(async () => {
				const e = await outEvents(plain.t, 'capacity-optimizers', plain.co.id, a);
				return e.length > 0 ? e : null;
			}, 10000, 'event for the http base URL');
			const eb = await until(async () => {
				const e = await outEvents(oauth.t, 'capacity-optimizers', oauth.co.id, b);
				return e.length > 0 ? e : null;
			}, 10000, 'event for the http token URL');
			await sleep(1500);	// a retry would be due after 1 s
			ea.push(...(await outEvents(plain.t, 'capacity-optimizers', plain.co.id, a)).slice(1));
			eb.push(...(await outEvents(oauth.t, 'capacity-optimizers', oauth.co.id, b)).slice(1));
			assert.equal(ea.length, 1, JSON.stringify(ea));
			assert.match(ea[0].error, /only https/);
			assert.equal(ea[0].httpStatus, undefined);
			assert.equal(eb.length, 1, JSON.stringify(eb));
			assert.match(eb[0].error, /OAuth token URL.*only https/);
			assert.equal(sqlCount(`oscp_task WHERE user_id IN (${plain.t.userId}, ${oauth.t.userId})`), 0);
			assert.equal(coPeer.requests.length + coPeer.tokenRequests.length, 0,
			    'a request reached the peer');

			// http allowed, private addresses not: the address check refuses
			// 127.0.0.1 when connecting.
			await second.reload({ outbound_allow_http: 'true' });
			const c = await plain.forecast();
			const ec = await until(async () => {
				const e = await outEvents(plain.t, 'capacity-optimizers', plain.co.id, c);
				return e.length > 0 ? e : null;
			}, 10000, 'event for the loopback address');
			await sleep(1500);
			ec.push(...(await outEvents(plain.t, 'capacity-optimizers', plain.co.id, c)).slice(1));
			assert.equal(ec.length, 1, JSON.stringify(ec));
			assert.match(ec[0].error, /URL policy.*private address/);
			assert.equal(ec[0].attempt, 1);
			assert.equal(sqlCount(`oscp_task WHERE user_id = ${plain.t.userId}`), 0);
			assert.equal(coPeer.requests.length + coPeer.tokenRequests.length, 0,
			    'a request reached the peer');
		});
	} finally {
		quiesce(plain.t);
		quiesce(oauth.t);
		await second.stop();
		await closeAll(coPeer);
	}
});

/* ------------------------------------------------------------------ */
/* Failures, retries, dispatcher deaths                                */
/* ------------------------------------------------------------------ */

test('822 peer down: three attempts with back-off and the connect error, then given up', async () => {
	const gone = await startPeer({ role: 'co' });
	const base = gone.baseUrl;
	await gone.close();
	const s = await relaySetup({ coBaseUrl: base });
	try {
		const id = await s.forecast();
		const ev = await until(async () => {
			const e = await outEvents(s.t, 'capacity-optimizers', s.co.id, id);
			return e.length >= 3 ? e : null;
		}, 15000, 'three attempts');
		assert.deepEqual(ev.map((e) => e.attempt), [1, 2, 3]);
		for (const e of ev) {
			assert.equal(e.message, 'UpdateGroupCapacityForecast');
			assert.equal(e.httpStatus, undefined);
			assert.match(e.error, /connect/i);
			assert.equal(typeof e.durationMs, 'number');
		}
		// Back-off: attempt x retry seconds (1 s, then 2 s).
		const gap1 = snTime(ev[1].created) - snTime(ev[0].created);
		const gap2 = snTime(ev[2].created) - snTime(ev[1].created);
		assert.ok(gap1 >= 900, `first retry after ${gap1} ms`);
		assert.ok(gap2 >= 1900, `second retry after ${gap2} ms`);
		assert.equal(sqlCount(`oscp_task WHERE user_id = ${s.t.userId}`), 0, 'not given up');
		await sleep(1000);
		assert.equal((await outEvents(s.t, 'capacity-optimizers', s.co.id, id)).length, 3,
		    'a fourth attempt');
	} finally {
		quiesce(s.t);
	}
});

test('823 a task queued while the dispatcher is stopped is sent once after it dies and is respawned', async () => {
	const coPeer = await startPeer({ role: 'co' });
	const s = await relaySetup({ coPeer, coProps: { 'http-headers': { 'X-Extra': 'co' },
	    'url-paths': { UpdateGroupCapacityForecast: '/fc' } } });
	try {
		let id;
		await mainPaused(async () => {
			id = await s.forecast();
			await sleep(800);	// four poll intervals
			assert.equal(coPeer.requests.length, 0);
			const row = sql(`SELECT claimed_by, attempts FROM oscp_task WHERE user_id = ${s.t.userId}`);
			assert.deepEqual(row, [[null, '0']], 'the task is not queued, unclaimed');
			await killMainDispatcher();	// SIGKILL works on a stopped process
		});
		const got = await coPeer.waitFor('/fc', 10000);
		assert.equal(got.headers['x-request-id'], id);
		assert.equal(got.headers['x-extra'], 'co');
		assert.equal(got.headers.authorization, undefined, 'no peer token stored: none sent');
		await until(() => sqlCount(`oscp_task WHERE user_id = ${s.t.userId}`) === 0, 5000,
		    'task done');
		await sleep(1000);
		assert.equal(coPeer.requests.length, 1, 'sent more than once');
		const ev = await outEvents(s.t, 'capacity-optimizers', s.co.id, id);
		assert.deepEqual(ev.map((e) => [e.httpStatus, e.attempt]), [[204, 1]]);
	} finally {
		quiesce(s.t);
		await closeAll(coPeer);
	}
});

test('824 dispatcher killed mid-send: the task is claimed again after the lease and re-sent', async () => {
	const coPeer = await startPeer({ role: 'co' });
	const s = await relaySetup({ coPeer });
	try {
		coPeer.hang(FORECAST, { times: 1 });
		const id = await s.forecast();
		const first = await coPeer.waitFor(FORECAST, 10000);
		assert.equal(first.headers['x-request-id'], id);
		await killMainDispatcher();
		// The new dispatcher leaves the claim alone until its lease (6 s)
		// has run out, then sends it again (answered 204 now).
		const [, again] = await coPeer.waitForCount(FORECAST, 2, 15000);
		assert.equal(again.headers['x-request-id'], id);
		assert.deepEqual(again.json, first.json);
		const gap = again.receivedAt - first.receivedAt;
		assert.ok(gap >= 4500, `re-sent ${gap} ms after the first send, before the lease ran out`);
		await until(() => sqlCount(`oscp_task WHERE user_id = ${s.t.userId}`) === 0, 5000,
		    'task table empty');
		const ev = await outEvents(s.t, 'capacity-optimizers', s.co.id, id);
		assert.deepEqual(ev.map((e) => [e.httpStatus, e.attempt]), [[204, 2]]);
		await sleep(500);
		assert.equal(coPeer.matching(FORECAST).length, 2);
	} finally {
		quiesce(s.t);
		await closeAll(coPeer);
	}
});

test('825 two daemons on one database: each task sent exactly once, both dispatchers claim', async () => {
	const coPeer = await startPeer({ role: 'co' });
	// Each send takes 1 s and there are more tasks than the main daemon's
	// dispatch_concurrency slots, so the second dispatcher must claim some.
	coPeer.respond(FORECAST, { delayMs: 1000 });
	const slots = Number(/^dispatch_concurrency\s*=\s*(\d+)/m
	    .exec(fs.readFileSync(ENV.FP_TEST_CONF, 'utf8'))?.[1] ?? 64);
	const s = await relaySetup({ coPeer });
	const second = await startSecond();
	const claimers = new Set();
	let watching = true;
	const watch = (async () => {
		while (watching) {
			for (const [by] of await sqlAsync('SELECT DISTINCT claimed_by FROM oscp_task ' +
			    `WHERE user_id = ${s.t.userId} AND claimed_by IS NOT NULL`)) {
				const m = /:(\d+):\d+$/.exec(by);
				if (m)
					claimers.add(Number(m[1]));
			}
			await sleep(50);
		}
	})();
	try {
		const mainPid = dispatcher(MASTER);
		const secondPid = second.dispatcher();
		const N = Math.max(50, Math.ceil((slots + 20) / 10) * 10);
		const ids = [];
		for (let i = 0; i < N; i += 10)
			ids.push(...await Promise.all(Array.from({ length: 10 }, () => s.forecast())));
		await coPeer.waitForCount(FORECAST, N, 60000);
		await until(() => sqlCount(`oscp_task WHERE user_id = ${s.t.userId}`) === 0, 10000,
		    'task table empty');
		await sleep(1000);
		const seen = coPeer.matching(FORECAST).map((q) => q.headers['x-request-id']);
		assert.equal(seen.length, N, 'some task sent more than once');
		assert.deepEqual([...seen].sort(), [...ids].sort());
		const ev = await outEvents(s.t, 'capacity-optimizers', s.co.id);
		assert.equal(ev.length, N);
		assert.ok(ev.every((e) => e.httpStatus === 204 && e.attempt === 1));
		assert.ok(claimers.has(mainPid) && claimers.has(secondPid),
		    `claimed by ${[...claimers]}; main ${mainPid}, second ${secondPid}`);
	} finally {
		watching = false;
		await watch;
		quiesce(s.t);
		await second.stop();
		await closeAll(coPeer);
	}
});

/* ------------------------------------------------------------------ */
/* Inbound details, events API, heartbeat job                         */
/* ------------------------------------------------------------------ */

test('826 handshake acknowledge: three spellings store the behaviour, {} stores nothing; a Register answering ours is not answered again', async () => {
	const t = newTenant();
	const peer = await startPeer({ role: 'cp' });
	try {
		const cp = await addSystem(t, 'capacity-providers', { status: 'Pending' });
		const { newToken, replyId } = await register(peer, cp.token, 'tok-1', t,
		    'capacity-providers', cp.id);
		const settings = async () => (await getSystem(t, 'capacity-providers', cp.id)).settings;
		const spellings = ['/handshake_acknowledge', '/handshake_acknowledgement',
			'/handshake_acknowledgment'];
		for (const [i, suffix] of spellings.entries()) {
			const r = await oscpCall(FP, suffix, { token: newToken, body: { required_behaviour: {
			    heartbeat_interval: 10 + i, measurement_configuration: ['CONTINUOUS'] } } });
			assert.equal(r.status, 204, `${suffix}: ${r.body}`);
			assert.equal((await settings()).heartbeatSeconds, 10 + i, suffix);
		}
		for (const body of [{ required_behaviour: {} }, {}]) {
			const r = await oscpCall(FP, '/handshake_acknowledge', { token: newToken, body });
			assert.equal(r.status, 204, r.body);
			assert.deepEqual(await settings(), { heartbeatSeconds: 12,
			    measurementStyles: ['Continuous'] }, JSON.stringify(body));
		}
		const ev = await events(t, 'capacity-providers', cp.id);
		assert.equal(ev.filter((e) => e.direction === 'in' && e.message === 'HandshakeAcknowledge' &&
		    e.httpStatus === 204).length, 5);

		// The peer's Register answering our reply (correlated to the
		// reply's X-Request-ID): stored, 204, not answered.
		assert.equal(peer.matching('/register').length, 1);
		const reqId = crypto.randomUUID();
		const r = await oscpCall(FP, '/register', { token: newToken, requestId: reqId,
		    correlationId: replyId,
		    body: { token: 'tok-2', version_url: [{ version: '2.0', base_url: peer.baseUrl }] } });
		assert.equal(r.status, 204, r.body);
		assert.equal(r.body, '');
		await sleep(1200);
		assert.equal(peer.matching('/register').length, 1, 'answered again');
		assert.equal(sqlCount(`oscp_task WHERE user_id = ${t.userId}`), 0);
		assert.equal((await getSystem(t, 'capacity-providers', cp.id)).registrationStatus,
		    'Registered');
		const inReg = (await events(t, 'capacity-providers', cp.id))
		    .find((e) => e.direction === 'in' && e.requestId === reqId);
		assert.equal(inReg.message, 'Register');
		assert.equal(inReg.correlationId, replyId);
		assert.equal(inReg.httpStatus, 204);
		// Its token is the one used from now on; our FP token is unchanged.
		const hs = crypto.randomUUID();
		const h = await oscpCall(FP, '/handshake', { token: newToken, requestId: hs,
		    body: { required_behaviour: { measurement_configuration: ['CONTINUOUS'] } } });
		assert.equal(h.status, 204, h.body);
		const ack = await peer.waitFor((q) => q.headers['x-correlation-id'] === hs, 10000);
		assert.equal(ack.headers.authorization, 'Token tok-2');
	} finally {
		quiesce(t);
		await closeAll(peer);
	}
});

test('827 events API: newest first, ?max, bad max 422, foreign system 403, the documented fields', async () => {
	const t = newTenant();
	const peer = await startPeer({ role: 'cp' });
	try {
		const cp = await addSystem(t, 'capacity-providers', { status: 'Pending' });
		const { reqId, replyId, newToken } = await register(peer, cp.token, 'tok-cp', t,
		    'capacity-providers', cp.id);
		const bad = await oscpCall(FP, '/heartbeat', { token: newToken, requestId: 'hb-1',
		    correlationId: 'corr-1', body: { offline_mode_at: 'soon' } });
		assert.equal(bad.status, 422);
		const all = await until(async () => {
			const e = await events(t, 'capacity-providers', cp.id);
			return e.length === 3 ? e : null;
		}, 5000, 'three events');
		for (const e of all) {
			const keys = Object.keys(e);
			assert.deepEqual(keys, EVENT_KEYS.filter((k) => keys.includes(k)), 'key order');
			assert.ok(keys.every((k) => EVENT_KEYS.includes(k) && e[k] !== null), keys.join());
			assert.match(e.created, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
		}
		// Newest first: the failed heartbeat, our Register reply, the Register.
		assert.ok(all[0].id > all[1].id && all[1].id > all[2].id);
		assert.ok(snTime(all[0].created) >= snTime(all[1].created));
		const [hb, out, inReg] = all;
		assert.deepEqual(
		    { ...hb, id: 0, created: 0 },
		    { id: 0, created: 0, direction: 'in', message: 'Heartbeat', requestId: 'hb-1',
		      correlationId: 'corr-1', httpStatus: 422, error: hb.error });
		assert.match(hb.error, /^offline_mode_at: /);
		assert.equal(out.direction, 'out');
		assert.equal(out.message, 'Register');
		assert.equal(out.requestId, replyId);
		assert.equal(out.correlationId, reqId);
		assert.equal(out.httpStatus, 204);
		assert.equal(out.attempt, 1);
		assert.ok(Number.isInteger(out.durationMs) && out.durationMs >= 0);
		assert.equal(out.error, undefined);
		assert.equal(inReg.direction, 'in');
		assert.equal(inReg.requestId, reqId);
		assert.equal(inReg.durationMs, undefined);
		assert.equal(inReg.attempt, undefined);

		const two = await events(t, 'capacity-providers', cp.id, '?max=2');
		assert.deepEqual(two, all.slice(0, 2));
		assert.equal((await events(t, 'capacity-providers', cp.id, '?max=500')).length, 3);
		for (const q of ['0', '501', 'x', '-1', '', '1.5']) {
			const r = await api(t, 'GET', `/capacity-providers/${cp.id}/events?max=${q}`);
			assert.equal(r.status, 422, `max=${q}: ${r.text}`);
			assert.equal(r.json.success, false);
			assert.match(r.json.message, /^Illegal argument/, `max=${q}`);
		}

		const other = newTenant();
		let r = await api(other, 'GET', `/capacity-providers/${cp.id}/events`);
		assert.equal(r.status, 403, r.text);
		assert.deepEqual(r.json, UNKNOWN_OBJECT);
		r = await api(t, 'GET', `/capacity-optimizers/${cp.id}/events`);
		assert.equal(r.status, 403, 'a CP id under capacity-optimizers');
		assert.deepEqual(r.json, UNKNOWN_OBJECT);
		const co = await addSystem(other, 'capacity-optimizers', { status: 'Pending' });
		assert.deepEqual(await events(other, 'capacity-optimizers', co.id), []);
		r = await api(t, 'GET', `/capacity-optimizers/${co.id}/events`);
		assert.equal(r.status, 403);
		assert.deepEqual(r.json, UNKNOWN_OBJECT);
	} finally {
		quiesce(t);
		await closeAll(peer);
	}
});

test('828 heartbeat job: only Registered, enabled systems with an interval get heartbeats', async () => {
	const t = newTenant();
	const peers = await Promise.all([0, 1, 2, 3].map(() => startPeer({ role: 'cp' })));
	const [pA, pB, pC, pD] = peers;
	try {
		const A = await addSystem(t, 'capacity-providers', { peer: pA });
		const B = await addSystem(t, 'capacity-providers', { peer: pB });
		const C = await addSystem(t, 'capacity-providers', { peer: pC, status: 'Pending' });
		const D = await addSystem(t, 'capacity-providers', { peer: pD });
		const hs = async (sys, rb) => {
			const r = await oscpCall(FP, '/handshake', { token: sys.token,
			    body: { required_behaviour: rb } });
			assert.equal(r.status, 204, r.body);
		};
		// B is disabled, then given an interval (a disabled system's
		// handshake is refused, and disabling it after one would race
		// the 1 s heartbeat job); D asks for no heartbeats.
		const put = await api(t, 'PUT', `/capacity-providers/${B.id}`, { name: 'CP',
		    enabled: false, registrationStatus: 'Registered', baseUrl: pB.baseUrl,
		    oscpVersion: '2.0' });
		assert.equal(put.status, 200, put.text);
		sql(`UPDATE oscp_cp_conf SET heartbeat_secs = 1 WHERE user_id = ${t.userId} ` +
		    `AND id = ${B.id}`);
		assert.equal((await getSystem(t, 'capacity-providers', B.id)).settings
		    .heartbeatSeconds, 1);
		await hs(C, { heartbeat_interval: 1, measurement_configuration: ['CONTINUOUS'] });
		await hs(D, { measurement_configuration: ['CONTINUOUS'] });
		await hs(A, { heartbeat_interval: 1, measurement_configuration: ['CONTINUOUS'] });
		await pA.waitForCount('/heartbeat', 2, 8000);
		for (const hb of pA.matching('/heartbeat'))
			assert.equal(hb.schemaErrors, null);
		for (const [name, p, sys] of [['disabled', pB, B], ['Pending', pC, C],
		    ['no interval', pD, D]]) {
			assert.equal(p.matching('/heartbeat').length, 0, `${name}: heartbeat received`);
			const ev = await events(t, 'capacity-providers', sys.id);
			assert.equal(ev.filter((e) => e.message === 'Heartbeat').length, 0,
			    `${name}: heartbeat task made: ${JSON.stringify(ev)}`);
			assert.equal((await getSystem(t, 'capacity-providers', sys.id)).heartbeatDate,
			    undefined, `${name}: heartbeat date stamped`);
		}
		assert.ok((await getSystem(t, 'capacity-providers', A.id)).heartbeatDate);
	} finally {
		quiesce(t);
		await closeAll(...peers);
	}
});

test('829 event pruning: events older than event_days are deleted by the dispatcher, newer ones kept', async () => {
	// The dispatcher prunes when it starts and then hourly; a respawned
	// one prunes at once.  event_days is 30 in the test stack.
	const t = newTenant();
	const cp = await api(t, 'POST', '/capacity-providers',
	    { name: 'old events', enabled: false, registrationStatus: 'Pending' });
	assert.equal(cp.status, 201, cp.body);
	const id = cp.json.data.configId;
	const row = (days, reqid) => `(${t.userId}, 0, ${id}, ` +
	    `UTC_TIMESTAMP(6) - INTERVAL ${days} DAY, 0, 3, '${reqid}', 204)`;
	sql('INSERT INTO oscp_event (user_id, role, conf_id, created, direction, ' +
	    'action, request_id, http_status) VALUES ' +
	    [row(31, 'prune-31'), row(45, 'prune-45'), row(29, 'keep-29'),
	     row(0, 'keep-0')].join(', '));
	assert.equal(sqlCount(`oscp_event WHERE user_id = ${t.userId}`), 4);
	await killMainDispatcher();
	await until(() => sqlCount(`oscp_event WHERE user_id = ${t.userId}`) === 2 ?
	    true : null, 30000, 'old events pruned');
	const ev = await api(t, 'GET', `/capacity-providers/${id}/events`);
	assert.equal(ev.status, 200, ev.body);
	assert.deepEqual(ev.json.data.map((e) => e.requestId).sort(), ['keep-0', 'keep-29']);
});
