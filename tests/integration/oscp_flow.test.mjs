// oscp_flow.test.mjs -- the OSCP 2.0 flows end to end (SPEC §3): a CP and a
// CO (test peers on loopback) register through the token swap, hand-shake,
// send and receive heartbeats, and a forecast is relayed CP -> FP -> CO
// (and an adjustment back).  Every outbound body is checked against the
// OCA schemas by the peer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { ENV, api, newTenant, sleep, sql, sqlCount, until } from './lib.mjs';
import { startPeer, oscpCall } from './peer.mjs';

const FP = `${ENV.FP_TEST_BASE}/oscp/fp/2.0`;

/* A tenant with a CP and a CO pointing at two fresh peers, and a group. */
async function setup({ cpProps, coProps } = {}) {
	const t = newTenant();
	const cpPeer = await startPeer({ role: 'cp' });
	const coPeer = await startPeer({ role: 'co' });
	const cp = await api(t, 'POST', '/capacity-providers', {
		name: 'CP', enabled: true, registrationStatus: 'Pending',
		...(cpProps ? { serviceProps: cpProps } : {}),
	});
	assert.equal(cp.status, 201, cp.body);
	const co = await api(t, 'POST', '/capacity-optimizers', {
		name: 'CO', enabled: true, registrationStatus: 'Pending',
		...(coProps ? { serviceProps: coProps } : {}),
	});
	assert.equal(co.status, 201, co.body);
	const ident = `g-${crypto.randomUUID()}`;
	const g = await api(t, 'POST', '/capacity-groups', {
		name: 'G', identifier: ident, enabled: true,
		capacityProviderId: cp.json.data.configId,
		capacityOptimizerId: co.json.data.configId,
		capacityProviderMeasurementPeriod: 'FifteenMinute',
		capacityOptimizerMeasurementPeriod: 'FifteenMinute',
	});
	assert.equal(g.status, 201, g.body);
	return {
		t, cpPeer, coPeer, ident,
		cp: { id: cp.json.data.configId, token: cp.json.data.token },
		co: { id: co.json.data.configId, token: co.json.data.token },
		async close() {
			await cpPeer.close();
			await coPeer.close();
		},
	};
}

/* The peer registers with token `token`; returns the new FP token. */
async function register(peer, token, peerToken) {
	const reqId = crypto.randomUUID();
	const r = await oscpCall(FP, '/register', {
		token, requestId: reqId,
		body: { token: peerToken, version_url: [{ version: '2.0', base_url: peer.baseUrl }] },
	});
	assert.equal(r.status, 204, r.body);
	assert.equal(r.body, '');
	const reply = await peer.waitFor('/register', 10000);
	assert.equal(reply.schemaErrors, null);
	assert.equal(reply.headers.authorization, `Token ${peerToken}`);
	assert.equal(reply.headers['x-correlation-id'], reqId);
	assert.equal(reply.json.version_url[0].base_url, FP);
	return { reply, newToken: reply.json.token, reqId };
}

async function status(t, kind, id) {
	const r = await api(t, 'GET', `/${kind}/${id}`);
	assert.equal(r.status, 200, r.body);
	return r.json.data;
}

test('801 register: token swap, old token valid until the reply succeeds, dead after', async () => {
	const s = await setup();
	try {
		const old = s.cp.token;
		const { newToken } = await register(s.cpPeer, old, 'peer-cp-token');
		assert.notEqual(newToken, old);
		assert.equal(newToken.length, 64);
		await until(async () => (await status(s.t, 'capacity-providers', s.cp.id))
		    .registrationStatus === 'Registered');
		const d = await status(s.t, 'capacity-providers', s.cp.id);
		assert.equal(d.baseUrl, s.cpPeer.baseUrl);
		assert.equal(d.oscpVersion, '2.0');
		// The old token is dead now, the new one works.
		let r = await oscpCall(FP, '/heartbeat', { token: old,
		    body: { offline_mode_at: '2030-01-01T00:00:00Z' } });
		assert.equal(r.status, 403);
		assert.deepEqual(Object.keys(r.json), ['message']);
		r = await oscpCall(FP, '/heartbeat', { token: newToken,
		    body: { offline_mode_at: '2030-01-01T01:00:00+01:00' } });
		assert.equal(r.status, 204, r.body);
		assert.equal((await status(s.t, 'capacity-providers', s.cp.id)).offlineDate,
		    '2030-01-01 00:00:00Z');
		// Events: the inbound register and heartbeats, the outbound reply.
		const ev = await api(s.t, 'GET', `/capacity-providers/${s.cp.id}/events`);
		assert.equal(ev.status, 200, ev.body);
		const msgs = ev.json.data.map((e) => `${e.direction} ${e.message} ${e.httpStatus}`);
		assert.ok(msgs.includes('out Register 204'), msgs.join(', '));
		assert.ok(msgs.includes('in Register 204'), msgs.join(', '));
	} finally {
		await s.close();
	}
});

test('802 register: lost reply keeps Pending and the old token', async () => {
	const s = await setup();
	try {
		s.cpPeer.respond('/register', { status: 500, times: 10 });
		const old = s.cp.token;
		const r = await oscpCall(FP, '/register', { token: old,
		    body: { token: 'x', version_url: [{ version: '2.0', base_url: s.cpPeer.baseUrl }] } });
		assert.equal(r.status, 204);
		// Three tries (1 s, 2 s back-off in the test stack), then given up.
		await until(() => s.cpPeer.requests.filter((q) => q.suffix === '/register').length === 3, 15000);
		await sleep(1500);
		assert.equal(s.cpPeer.requests.filter((q) => q.suffix === '/register').length, 3);
		assert.equal((await status(s.t, 'capacity-providers', s.cp.id)).registrationStatus, 'Pending');
		const hb = await oscpCall(FP, '/heartbeat', { token: old,
		    body: { offline_mode_at: '2030-01-01T00:00:00Z' } });
		assert.equal(hb.status, 204, hb.body);
		const ev = await api(s.t, 'GET', `/capacity-providers/${s.cp.id}/events?max=10`);
		const out = ev.json.data.filter((e) => e.direction === 'out');
		assert.deepEqual(out.map((e) => e.attempt).sort(), [1, 2, 3]);
		assert.ok(out.every((e) => e.httpStatus === 500 && e.error === 'HTTP 500'));
	} finally {
		await s.close();
	}
});

test('803 handshake: settings stored, schema-valid acknowledgement correlated', async () => {
	const s = await setup();
	try {
		const { newToken } = await register(s.cpPeer, s.cp.token, 'tok-cp');
		await until(async () => (await status(s.t, 'capacity-providers', s.cp.id))
		    .registrationStatus === 'Registered');
		s.cpPeer.clear();
		const reqId = crypto.randomUUID();
		const r = await oscpCall(FP, '/handshake', { token: newToken, requestId: reqId,
		    body: { required_behaviour: { heartbeat_interval: 60.9,
		        measurement_configuration: ['CONTINUOUS'] } } });
		assert.equal(r.status, 204, r.body);
		const ack = await s.cpPeer.waitFor('/handshake_acknowledge', 10000);
		assert.equal(ack.schemaErrors, null);
		assert.equal(ack.headers['x-correlation-id'], reqId);
		assert.equal(ack.headers.authorization, 'Token tok-cp');
		const d = await status(s.t, 'capacity-providers', s.cp.id);
		assert.equal(d.settings.heartbeatSeconds, 60);
		assert.deepEqual(d.settings.measurementStyles, ['Continuous']);
	} finally {
		await s.close();
	}
});

test('804 forecast relayed CP -> CO with the same X-Request-ID and the CO token; adjust back', async () => {
	const s = await setup();
	try {
		const cpTok = (await register(s.cpPeer, s.cp.token, 'tok-cp')).newToken;
		const coTok = (await register(s.coPeer, s.co.token, 'tok-co')).newToken;
		await until(async () => (await status(s.t, 'capacity-optimizers', s.co.id))
		    .registrationStatus === 'Registered');
		const reqId = crypto.randomUUID();
		const fc = { group_id: s.ident, type: 'CONSUMPTION', forecasted_blocks: [
			{ capacity: 50, phase: 'ALL', unit: 'KW', start_time: '2030-01-01T00:00:00Z',
			  end_time: '2030-01-01T00:15:00+00:00' }] };
		let r = await oscpCall(FP, '/update_group_capacity_forecast', { token: cpTok,
		    requestId: reqId, body: fc });
		assert.equal(r.status, 204, r.body);
		const got = await s.coPeer.waitFor('/update_group_capacity_forecast', 10000);
		assert.equal(got.schemaErrors, null);
		assert.equal(got.headers['x-request-id'], reqId);
		assert.equal(got.headers.authorization, 'Token tok-co');
		assert.equal(got.json.group_id, s.ident);
		assert.equal(got.json.forecasted_blocks[0].start_time, '2030-01-01T00:00:00.000Z');
		// A CO may not send a CP forecast; a foreign group is 403.
		r = await oscpCall(FP, '/update_group_capacity_forecast', { token: coTok, body: fc });
		assert.equal(r.status, 403);
		r = await oscpCall(FP, '/update_group_capacity_forecast', { token: cpTok,
		    body: { ...fc, group_id: 'nope' } });
		assert.equal(r.status, 403);
		// Adjust: CO -> CP.
		const adj = crypto.randomUUID();
		r = await oscpCall(FP, '/adjust_group_capacity_forecast', { token: coTok,
		    requestId: adj, body: fc });
		assert.equal(r.status, 204, r.body);
		const back = await s.cpPeer.waitFor('/adjust_group_capacity_forecast', 10000);
		assert.equal(back.schemaErrors, null);
		assert.equal(back.headers['x-request-id'], adj);
		assert.equal(back.headers.authorization, 'Token tok-cp');
	} finally {
		await s.close();
	}
});

test('805 heartbeats out: due systems get offline_mode_at = now + 2 x interval', async () => {
	const s = await setup();
	try {
		const tok = (await register(s.cpPeer, s.cp.token, 'tok-cp')).newToken;
		await until(async () => (await status(s.t, 'capacity-providers', s.cp.id))
		    .registrationStatus === 'Registered');
		const r = await oscpCall(FP, '/handshake', { token: tok,
		    body: { required_behaviour: { heartbeat_interval: 2,
		        measurement_configuration: ['CONTINUOUS'] } } });
		assert.equal(r.status, 204);
		const hb = await s.cpPeer.waitFor('/heartbeat', 10000);
		assert.equal(hb.schemaErrors, null);
		const at = Date.parse(hb.json.offline_mode_at);
		assert.ok(Math.abs(at - (hb.receivedAt + 4000)) < 2000, hb.json.offline_mode_at);
		assert.ok((await status(s.t, 'capacity-providers', s.cp.id)).heartbeatDate);
	} finally {
		await s.close();
	}
});

test('806 errors: 400 / 403 / 422 / 501 in the OSCP shape, never the envelope', async () => {
	const s = await setup();
	try {
		const tok = s.cp.token;
		let r = await oscpCall(FP, '/register', { token: null, body: {} });
		assert.equal(r.status, 403);
		assert.deepEqual(Object.keys(r.json), ['message']);
		r = await oscpCall(FP, '/register', { token: 'nope', body: {} });
		assert.equal(r.status, 403);
		r = await oscpCall(FP, '/register', { token: tok,
		    body: { token: 'x', version_url: [{ version: '1.0', base_url: 'http://x' }] } });
		assert.equal(r.status, 501);
		assert.equal(r.headers['x-error-message'], "URL version '2.0' required but not provided.");
		assert.equal(r.json.message, "URL version '2.0' required but not provided.");
		r = await oscpCall(FP, '/handshake', { token: tok, requestId: null,
		    body: { required_behaviour: { measurement_configuration: ['CONTINUOUS'] } } });
		assert.equal(r.status, 400);
		assert.match(r.json.message, /X-Request-ID/);
		r = await oscpCall(FP, '/register', { token: tok, body: { token: 'x', version_url: [] } });
		assert.equal(r.status, 422);
		assert.match(r.json.message, /^version_url: /);
		r = await oscpCall(FP, '/heartbeat', { token: tok, body: { offline_mode_at: '2030-01-01 00:00:00' } });
		assert.equal(r.status, 422);
		assert.match(r.json.message, /^offline_mode_at: /);
		r = await oscpCall(FP, '/heartbeat', { token: tok, body: '{' });
		assert.equal(r.status, 422);
		assert.match(r.json.message, /^Malformed JSON/);
		r = await oscpCall(FP, '/update_group_capacity_forecast', { token: tok, body: {
		    group_id: s.ident, type: 'consumption', forecasted_blocks: [] } });
		assert.equal(r.status, 422);
		assert.match(r.json.message, /^type: must be one of/);
		r = await oscpCall(FP, '/update_group_capacity_forecast', { token: tok, body: {
		    group_id: s.ident, type: 'CONSUMPTION', forecasted_blocks: [{ capacity: -1,
		    phase: 'ALL', unit: 'KW', start_time: '2030-01-01T00:00:00Z',
		    end_time: '2030-01-01T00:15:00Z' }] } });
		assert.equal(r.status, 422);
		assert.equal(r.json.message, 'forecasted_blocks[0].capacity: must be >= 0');
		r = await oscpCall(FP, '/nope', { token: tok, body: {} });
		assert.equal(r.status, 404);
		assert.deepEqual(Object.keys(r.json), ['message']);
		// Disabled system: 403.
		const put = await api(s.t, 'PUT', `/capacity-providers/${s.cp.id}`,
		    { name: 'CP', enabled: false, registrationStatus: 'Pending' });
		assert.equal(put.status, 200, put.body);
		r = await oscpCall(FP, '/heartbeat', { token: tok, body: { offline_mode_at: '2030-01-01T00:00:00Z' } });
		assert.equal(r.status, 403);
		// Nothing was stored by any of these.
		assert.equal(sqlCount(`oscp_task WHERE user_id = ${s.t.userId}`), 0);
	} finally {
		await s.close();
	}
});

test('807 register: a reply that cannot be sent as configured leaves the system Failed, with the reason in the events', async () => {
	const s = await setup();
	try {
		// An ftp base URL: the URL policy refuses it at send time (not retried).
		const r = await oscpCall(FP, '/register', { token: s.cp.token,
		    body: { token: 'x', version_url: [{ version: '2.0', base_url: 'ftp://127.0.0.1/oscp' }] } });
		assert.equal(r.status, 204, r.body);
		await until(async () => (await status(s.t, 'capacity-providers', s.cp.id))
		    .registrationStatus === 'Failed');
		const ev = await api(s.t, 'GET', `/capacity-providers/${s.cp.id}/events`);
		const out = ev.json.data.filter((e) => e.direction === 'out');
		assert.equal(out.length, 1, JSON.stringify(ev.json.data));
		assert.equal(out[0].message, 'Register');
		assert.match(out[0].error, /http and https/);
		assert.equal(out[0].httpStatus, undefined);
	} finally {
		await s.close();
	}
});

test('808 heartbeat in: the offline time and its event are written together, or neither', async () => {
	const s = await setup();
	const failId = `fail-808-${crypto.randomUUID()}`;
	try {
		for (const [kind, sys, at] of [
			['capacity-providers', s.cp, '2031-02-03T04:05:06Z'],
			['capacity-optimizers', s.co, '2031-02-03T06:05:06+02:00'],
		]) {
			const reqId = crypto.randomUUID();
			const r = await oscpCall(FP, '/heartbeat', { token: sys.token, requestId: reqId,
			    body: { offline_mode_at: at } });
			assert.equal(r.status, 204, r.body);
			assert.equal(r.body, '');
			assert.equal((await status(s.t, kind, sys.id)).offlineDate, '2031-02-03 04:05:06Z');
			const ev = await api(s.t, 'GET', `/${kind}/${sys.id}/events`);
			assert.equal(ev.status, 200, ev.body);
			const e = ev.json.data.find((x) => x.requestId === reqId);
			assert.ok(e, `no event for ${reqId}: ${ev.body}`);
			assert.equal(`${e.direction} ${e.message} ${e.httpStatus}`, 'in Heartbeat 204');
		}
		// The event row cannot be written: the offline time must not move.
		sql(`ALTER TABLE oscp_event ADD CONSTRAINT t808 CHECK (request_id IS NULL OR request_id <> '${failId}')`);
		const r = await oscpCall(FP, '/heartbeat', { token: s.cp.token, requestId: failId,
		    body: { offline_mode_at: '2040-01-01T00:00:00Z' } });
		assert.equal(r.status, 422, r.body);
		assert.deepEqual(Object.keys(r.json), ['message']);
		assert.equal((await status(s.t, 'capacity-providers', s.cp.id)).offlineDate,
		    '2031-02-03 04:05:06Z');
		assert.equal(sqlCount(`oscp_event WHERE request_id = '${failId}'`), 0);
	} finally {
		sql('ALTER TABLE oscp_event DROP CONSTRAINT IF EXISTS t808');
		await s.close();
	}
	// Writable again: the same heartbeat goes through.
	const r = await oscpCall(FP, '/heartbeat', { token: s.cp.token, requestId: failId,
	    body: { offline_mode_at: '2040-01-01T00:00:00Z' } });
	assert.equal(r.status, 204, r.body);
	assert.equal((await status(s.t, 'capacity-providers', s.cp.id)).offlineDate, '2040-01-01 00:00:00Z');
});
