// security.test.mjs -- the security matrix (issue 10 §4).
//
// Data-driven: the routes come from the route table itself
// (src/http/route.c, parsed below), each crossed with a table of attacks:
//   950  every management route × every way to be refused by SNWS2 or by
//        the token's rights (no auth, malformed header, unknown token, wrong
//        secret, tampered method/path/query/body/host/date, stale date,
//        expired token, disabled token, disabled user, policy-excluded path,
//        ReadNodeData token, user without the OSCP role);
//   951  every id-taking route × another tenant's id (403 UNKNOWN_OBJECT,
//        an empty list, or a DELETE that deletes nothing, as SolarNetwork);
//   952  every OSCP route × every Token failure, all answered alike;
//   953  the forecast routes × another tenant's group;
//   954  hostile strings in every string field of every entity: stored and
//        returned byte for byte, or refused with a JSON 4xx, never a 500;
//   955  the same strings in the OSCP messages' string fields;
//   956  hostile path ids and query values on every id-taking route;
//   957  the 954 strings through PUT: stored verbatim, or refused with the
//        object left exactly as it was;
//   979  the matrix size.
// After every block the database is what it was (state() below: a checksum
// of every table, see there for the rows the dispatcher may write).
// Failures are collected per block so that one run shows all of them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
	API, ENV, admin, api, request, signRequest, newTenant, newToken, nextNodeId,
	cpBody, coBody, groupBody, assetBody, sql, sleep,
} from './lib.mjs';
import { assertCreated } from './asserts.mjs';
import { oscpCall } from './peer.mjs';

const FP_PATH = '/oscp/fp/2.0';
const FP = ENV.FP_TEST_BASE + FP_PATH;
const FULL_AUTH = 'Full authentication is required to access this resource';
const AUTH_CACHE_SECONDS = 2;	/* the test stack's auth_cache_seconds */

/* Case counts per block, printed by 979. */
const tally = {};
function count(block, outcome) {
	tally[block] ??= { cases: 0, ok: 0, refused: 0, stored: 0 };
	tally[block].cases += 1;
	if (outcome) {
		tally[block].ok += 1;
		tally[block][outcome] += 1;
	}
}

/* Run one case; a failure is recorded, the block goes on. */
async function check(block, fails, name, fn) {
	try {
		const outcome = await fn();
		count(block, outcome ?? 'refused');
	} catch (e) {
		count(block, null);
		fails.push(`${name}: ${e.message.split('\n')[0]}`);
	}
}

function noFailures(fails, what) {
	assert.equal(fails.length, 0,
	    `${fails.length} ${what} case(s) failed:\n  ${fails.slice(0, 40).join('\n  ')}`);
}

/* ------------------------------------------------------------------ */
/* The route table, from the source                                    */
/* ------------------------------------------------------------------ */

/*
 * [{fam: 'mgmt'|'oscp', path: '/capacity-providers/{id}', methods: [...],
 *   roles: 'ANY'|'CP'|'CO'}] read from src/http/route.c's routes[].
 */
function routeTable() {
	assert.ok(process.env.FP_TEST_SRCDIR, 'FP_TEST_SRCDIR (set by tests/integration/run)');
	const src = fs.readFileSync(path.join(process.env.FP_TEST_SRCDIR, 'src', 'http',
	    'route.c'), 'utf8');
	const body = src.slice(src.indexOf('routes[ROUTE__MAX] = {'));
	const table = body.slice(0, body.indexOf('\n};'));
	const out = [];
	const re = /\b(B|O) "([^"]+)",\s*(?:\/\*[^*]*\*\/\s*)?(NULL|"[^"]*"),\s*(?:\/\*[^*]*\*\/\s*)?(FAM_\w+), (0|ROLES_\w+),\s*(?:\/\*[^*]*\*\/\s*)?\{([^}]*)\}/g;
	for (const m of table.matchAll(re)) {
		const suffix = m[3] === 'NULL' ? null : m[3].slice(1, -1);
		out.push({
			fam: m[1] === 'B' ? 'mgmt' : 'oscp',
			path: suffix === null ? m[2] : m[2] + '{id}' + suffix,
			methods: [...m[6].matchAll(/\[METHOD_(\w+)\]/g)].map((x) => x[1]),
			roles: m[5] === '0' ? null : m[5].replace('ROLES_', ''),
		});
	}
	/* every entry but /ping (public) was understood */
	const entries = [...table.matchAll(/\/\* ROUTE_\w+ \*\//g)].length;
	assert.equal(out.length, entries - 1, `route.c: ${entries} routes, ${out.length} parsed`);
	return out;
}

const ROUTES = routeTable();
const MGMT = ROUTES.filter((r) => r.fam === 'mgmt');
const OSCP = ROUTES.filter((r) => r.fam === 'oscp');

/* ------------------------------------------------------------------ */
/* Fixtures                                                            */
/* ------------------------------------------------------------------ */

/** A tenant with a private node, a CP, a CO, a group and an asset. */
async function populate(opts = {}) {
	const node = nextNodeId();
	const t = newTenant({ nodes: [node] });
	const cp = assertCreated(await api(t, 'POST', '/capacity-providers',
	    cpBody({ enabled: opts.enabled ?? true })), 'capacity-providers');
	const co = assertCreated(await api(t, 'POST', '/capacity-optimizers',
	    coBody({ enabled: opts.enabled ?? true })), 'capacity-optimizers');
	const g = assertCreated(await api(t, 'POST', '/capacity-groups',
	    groupBody(cp.configId, co.configId)), 'capacity-groups');
	const a = assertCreated(await api(t, 'POST', '/assets', assetBody(g.configId, node)),
	    'assets');
	return { t, node, cp, co, g, a };
}

/*
 * What each management route is called with, for fixture F: the id of
 * F's object the path names, and a valid body (so that, were the request
 * let through, it would change something).  Every route of route.c must
 * be here (950 checks it).
 */
const MGMT_CALLS = {
	'/capacity-providers': { body: () => cpBody() },
	'/capacity-providers/{id}': { id: (F) => F.cp.configId,
	    body: () => cpBody({ name: 'Changed' }) },
	'/capacity-optimizers': { body: () => coBody() },
	'/capacity-optimizers/{id}': { id: (F) => F.co.configId,
	    body: () => coBody({ name: 'Changed' }) },
	'/capacity-groups': { body: (F) => groupBody(F.cp.configId, F.co.configId) },
	'/capacity-groups/{id}': { id: (F) => F.g.configId,
	    body: (F) => groupBody(F.cp.configId, F.co.configId, { name: 'Changed' }) },
	'/capacity-groups/{id}/assets': { id: (F) => F.g.configId },
	'/assets': { body: (F) => assetBody(F.g.configId, F.node) },
	'/assets/{id}': { id: (F) => F.a.configId,
	    body: (F) => assetBody(F.g.configId, F.node, { name: 'Changed' }) },
	'/capacity-providers/{id}/events': { id: (F) => F.cp.configId },
	'/capacity-optimizers/{id}/events': { id: (F) => F.co.configId },
};

/* One call of route rt with method m against fixture F. */
function call(rt, m, F) {
	const c = MGMT_CALLS[rt.path];
	const p = c.id ? rt.path.replace('{id}', String(c.id(F))) : rt.path;
	const body = (m === 'POST' || m === 'PUT') && c.body ? JSON.stringify(c.body(F)) : undefined;
	return { method: m, path: p, body, name: `${m} ${rt.path}` };
}

/* ------------------------------------------------------------------ */
/* The database, before and after                                      */
/* ------------------------------------------------------------------ */

/*
 * Tables the dispatcher and the jobs write on their own (for Registered
 * systems: heartbeats, register replies, task claims, events).  Earlier
 * test files leave such systems behind, so these tables are compared
 * only on the rows of this file's tenants (whose systems stay Pending and
 * are never written by the background), plus their row counts where the
 * background never adds or removes rows.  Every other table is compared
 * whole (CHECKSUM TABLE).
 */
const BUSY = ['oscp_task', 'oscp_event', 'oscp_cp_conf', 'oscp_co_conf', 'oscp_cp_heartbeat',
    'oscp_co_heartbeat', 'oscp_fp_token'];
const BUSY_COUNTED = BUSY.filter((t) => t !== 'oscp_task' && t !== 'oscp_event');
let columns;

/*
 * The state of the database as {table: text}; users: this file's tenant
 * ids; skipEvents: user ids whose oscp_event rows a refusal may add (an
 * OSCP message refused after authentication is logged for its sender).
 */
function state(users, skipEvents = []) {
	if (!columns) {
		columns = Object.fromEntries(sql('SELECT table_name, GROUP_CONCAT(column_name ' +
		    'ORDER BY ordinal_position) FROM information_schema.columns WHERE ' +
		    'table_schema = DATABASE() GROUP BY table_name').map(([t, c]) => [t, c.split(',')]));
		for (const t of BUSY)
			assert.ok(columns[t]?.includes('user_id'), `table ${t} with a user_id`);
	}
	const ids = users.map(Number).join(',');
	const whole = Object.keys(columns).filter((t) => !BUSY.includes(t)).sort();
	/* one client run: sections start with a row "@@name" */
	const q = [`SELECT '@@sums'`, `CHECKSUM TABLE ${whole.join(', ')}`];
	for (const t of BUSY) {
		const cols = columns[t];
		let where = `user_id IN (${ids})`;
		if (t === 'oscp_event' && skipEvents.length)
			where += ` AND user_id NOT IN (${skipEvents.map(Number).join(',')})`;
		q.push(`SELECT '@@${t}'`, `SELECT ${cols.map((c) => `HEX(\`${c}\`)`).join(',')} ` +
		    `FROM ${t} WHERE ${where} ORDER BY ${cols.map((_, i) => i + 1).join(',')}`);
	}
	q.push(`SELECT '@@counts'`,
	    BUSY_COUNTED.map((t) => `SELECT '${t} (all rows)', COUNT(*) FROM ${t}`).join(' UNION ALL '));
	const sections = {};
	let cur;
	for (const row of sql(q.join('; '))) {
		if (row.length === 1 && row[0].startsWith('@@'))
			sections[cur = row[0].slice(2)] = [];
		else
			sections[cur].push(row);
	}
	const out = {};
	for (const [t, sum] of [...sections.sums, ...sections.counts])
		out[t] = sum;
	for (const t of BUSY)
		out[t] = crypto.createHash('sha256').update(JSON.stringify(sections[t])).digest('hex') +
		    ` (${sections[t].length} rows)`;
	assert.equal(sections.sums.length, whole.length, 'CHECKSUM TABLE rows');
	return out;
}

function sameState(before, after, what) {
	const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
	assert.deepEqual(changed, [], `${what}: the database changed (${changed.join(', ')})`);
}

/* ------------------------------------------------------------------ */
/* Expected refusals                                                   */
/* ------------------------------------------------------------------ */

function show(res) {
	return `HTTP ${res.status} ${res.text.slice(0, 200)}`;
}

function expect401(message) {
	return (res) => {
		assert.equal(res.status, 401, show(res));
		assert.equal(res.headers['www-authenticate'], 'SNWS2', 'WWW-Authenticate');
		assert.equal(res.headers['x-sn-errormessage'], message, 'X-SN-ErrorMessage');
		assert.match(res.headers['content-type'] ?? '', /^application\/json/);
		assert.equal(res.text, JSON.stringify({ success: false, message }));
	};
}

function expectBody(status, body) {
	return (res) => {
		assert.equal(res.status, status, show(res));
		assert.match(res.headers['content-type'] ?? '', /^application\/json/);
		assert.equal(res.text, JSON.stringify(body), show(res));
	};
}

const ACCESS_DENIED_403 = expectBody(403, { success: false, message: 'Access Denied' });
const UNKNOWN_OBJECT_403 = expectBody(403, { success: false, message: 'UNKNOWN_OBJECT' });
const DAO_FK_422 = expectBody(422, { success: false, code: 'DAO.00105',
    message: 'Attempted to save a reference to a non-existent entity (foreign key violation).' });
const ACCESS_DENIED_NODE = expectBody(403, { success: false, message: 'ACCESS_DENIED' });

/* ------------------------------------------------------------------ */
/* 950: management routes × authentication and authorisation          */
/* ------------------------------------------------------------------ */

/*
 * Send call c signed with credentials `cred`, optionally signing something
 * other than what is sent (o.sign: {method, path, body, host}) or changing
 * headers after signing (o.after(headers)).
 */
function send(c, cred, o = {}) {
	const s = { method: c.method, path: c.path, body: c.body, ...(o.sign ?? {}) };
	const sentBody = o.body !== undefined ? o.body : c.body;
	const h = signRequest({
		method: s.method, url: API + s.path, body: s.body,
		contentType: s.body !== undefined || sentBody !== undefined ? 'application/json' : undefined,
		tokenId: cred.tokenId, secret: cred.secret, date: o.date ?? new Date(), host: s.host,
	});
	if (o.after)
		o.after(h);
	return request(c.method, API + (o.path ?? c.path), { headers: h, body: sentBody });
}

function randomTokenId() {
	/* the shape oscp-admin gives token ids: 20 characters */
	return crypto.randomBytes(15).toString('base64url').slice(0, 20);
}

/* A body one byte different, same length. */
function tamper(text) {
	const i = text.length - 2;
	return text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
}

/*
 * The axes: who sends (the fixture whose objects the route names and the
 * credentials), what is done to the request, and the refusal expected.
 */
function authAxes(X) {
	const stale = () => new Date(Date.now() - 20 * 60 * 1000);
	return [
		{ axis: 'no auth', F: X.A, expect: expect401(FULL_AUTH),
		  go: (c) => request(c.method, API + c.path, {
			headers: { 'X-SN-Date': new Date().toUTCString(),
			    ...(c.body ? { 'Content-Type': 'application/json' } : {}) },
			body: c.body }) },
		{ axis: 'malformed header', F: X.A, expect: expect401('Invalid Credential value'),
		  go: (c) => send(c, X.A.t, { after: (h) => {
			h.Authorization = h.Authorization.replace(/Credential=[^,]*,/, '');
		  } }) },
		{ axis: 'unknown token', F: X.A, expect: expect401('Bad credentials'),
		  go: (c) => send(c, { tokenId: randomTokenId(), secret: X.A.t.secret }) },
		{ axis: 'wrong secret', F: X.A, expect: expect401('Bad credentials'),
		  go: (c) => send(c, { tokenId: X.A.t.tokenId, secret: tamper(X.A.t.secret) }) },
		{ axis: 'tampered method', F: X.A, expect: expect401('Bad credentials'),
		  go: (c) => send(c, X.A.t, { sign: { method: c.method === 'GET' ? 'POST' : 'GET' } }) },
		{ axis: 'tampered path', F: X.A, expect: expect401('Bad credentials'),
		  go: (c) => send(c, X.A.t, { sign: { path: '/x' + c.path } }) },
		{ axis: 'tampered query', F: X.A, expect: expect401('Bad credentials'),
		  go: (c) => send(c, X.A.t, { sign: { path: c.path + '?max=1' },
			path: c.path + '?max=2' }) },
		{ axis: 'tampered body', F: X.A, expect: expect401('Bad credentials'),
		  go: (c) => {
			const b = c.body ?? '{"name":"AAAA"}';
			return send(c, X.A.t, { sign: { body: b }, body: tamper(b) });
		  } },
		{ axis: 'tampered host', F: X.A, expect: expect401('Bad credentials'),
		  go: (c) => send(c, X.A.t, { sign: { host: 'other.example' },
			after: (h) => { h.Host = ENV.FP_TEST_HOST; } }) },
		{ axis: 'tampered date', F: X.A, expect: expect401('Bad credentials'),
		  go: (c) => {
			const d = new Date();
			return send(c, X.A.t, { date: d, after: (h) => {
				h['X-SN-Date'] = new Date(d.getTime() - 1000).toUTCString();
			} });
		  } },
		{ axis: 'stale date', F: X.A, expect: expect401('Date skew too large'),
		  go: (c) => send(c, X.A.t, { date: stale() }) },
		{ axis: 'expired token', F: X.A, expect: expect401('Expired token'),
		  go: (c) => send(c, X.expired) },
		{ axis: 'disabled token', F: X.A, expect: expect401('Bad credentials'),
		  go: (c) => send(c, X.disabled) },
		{ axis: 'disabled user', F: X.D, expect: expect401('Bad credentials'),
		  go: (c) => send(c, X.D.t) },
		{ axis: 'policy-excluded path', F: X.A, expect: ACCESS_DENIED_403,
		  go: (c) => send(c, X.policy) },
		{ axis: 'ReadNodeData token', F: X.A, expect: ACCESS_DENIED_403,
		  go: (c) => send(c, X.rnd) },
		{ axis: 'user without the OSCP role', F: X.R, expect: ACCESS_DENIED_403,
		  go: (c) => send(c, X.R.t) },
		/* without the secret, nothing about the token shows */
		...[['expired token', X.A, X.expired], ['disabled user', X.D, X.D.t],
		    ['ReadNodeData token', X.A, X.rnd], ['user without the OSCP role', X.R, X.R.t]]
		    .map(([what, F, cred]) => ({ axis: `${what}, wrong secret`, F,
			expect: expect401('Bad credentials'),
			go: (c) => send(c, { tokenId: cred.tokenId, secret: tamper(cred.secret) }) })),
	];
}

/* Shared by the blocks: made once by the first test. */
let W;
async function world() {
	if (W)
		return W;
	const A = await populate();
	const B = await populate();
	const D = await populate();	/* its user gets disabled */
	const R = await populate();	/* its user loses the OSCP role */
	const E = await populate({ enabled: false });	/* disabled CP and CO */
	const X = await populate();	/* its CP and CO get deleted */
	const expired = newToken(A.t, { expires: new Date(Date.now() - 3600 * 1000) });
	const disabled = newToken(A.t);
	admin('token', 'disable', disabled.tokenId);
	const policy = newToken(A.t, { apiPaths: ['/user/oscp/nothing-here/**'] });
	const rnd = newToken(A.t, { type: 'ReadNodeData' });
	for (const [kind, sys] of [['capacity-providers', X.cp], ['capacity-optimizers', X.co]]) {
		const r = await api(X.t, 'DELETE', `/${kind}/${sys.configId}`);
		assert.equal(r.status, 200, show(r));
	}
	admin('user', 'disable', D.t.email);
	sql(`DELETE FROM user_role WHERE user_id = ${Number(R.t.userId)}`);
	/* D's and R's tokens were verified while populating: let the workers'
	 * auth caches forget them. */
	await sleep((AUTH_CACHE_SECONDS + 1) * 1000);
	W = { A, B, D, R, E, X, expired, disabled, policy, rnd,
	    users: [A, B, D, R, E, X].map((F) => F.t.userId) };
	return W;
}

test('950 security matrix: every management route × every authentication failure', async () => {
	const w = await world();
	/* The table above covers every route of route.c, and no more. */
	assert.ok(MGMT.length >= 11 && OSCP.length >= 8, `route.c parsed: ${JSON.stringify(ROUTES)}`);
	assert.deepEqual(MGMT.map((r) => r.path).sort(), Object.keys(MGMT_CALLS).sort(),
	    'MGMT_CALLS must list exactly the management routes of src/http/route.c');
	const fails = [];
	for (const ax of authAxes(w)) {
		const before = state(w.users);
		for (const rt of MGMT)
			for (const m of rt.methods) {
				const c = call(rt, m, ax.F);
				await check('auth', fails, `${ax.axis} × ${c.name}`,
				    async () => ax.expect(await ax.go(c)));
			}
		try {
			sameState(before, state(w.users), ax.axis);
		} catch (e) {
			fails.push(e.message);
		}
	}
	noFailures(fails, 'management authentication');
	/* and the right credentials do get through (the refusals above were
	 * for the reason tested) */
	for (const rt of MGMT.filter((r) => r.methods.includes('GET'))) {
		const c = call(rt, 'GET', w.A);
		const r = await send(c, w.A.t);
		assert.equal(r.status, 200, `${c.name}: ${show(r)}`);
	}
});

/* ------------------------------------------------------------------ */
/* 951: management routes × another tenant's id                        */
/* ------------------------------------------------------------------ */

test('951 security matrix: every id-taking route × another tenant\'s id', async () => {
	const { A, B, users } = await world();
	const fails = [];
	const before = state(users);
	/* B's requests naming A's objects, B's bodies otherwise valid */
	const cases = [];
	for (const rt of MGMT) {
		const c0 = MGMT_CALLS[rt.path];
		for (const m of rt.methods) {
			if (!c0.id)
				continue;
			const p = rt.path.replace('{id}', String(c0.id(A)));
			const body = (m === 'PUT') ? JSON.stringify(c0.body(B)) : undefined;
			let expect;
			if (rt.path.endsWith('/assets'))
				expect = expectBody(200, { success: true, data: [] });
			else if (m === 'DELETE')
				expect = expectBody(200, { success: true });
			else
				expect = UNKNOWN_OBJECT_403;
			cases.push({ name: `${m} ${rt.path}`, c: { method: m, path: p, body }, expect });
		}
	}
	/* ids in bodies: references to A's objects from B's writes */
	const refs = [
		['POST', '/capacity-groups', groupBody(A.cp.configId, B.co.configId), DAO_FK_422],
		['POST', '/capacity-groups', groupBody(B.cp.configId, A.co.configId), DAO_FK_422],
		['PUT', `/capacity-groups/${B.g.configId}`, groupBody(A.cp.configId, B.co.configId),
		    DAO_FK_422],
		['PUT', `/capacity-groups/${B.g.configId}`, groupBody(B.cp.configId, A.co.configId),
		    DAO_FK_422],
		['POST', '/assets', assetBody(A.g.configId, B.node), DAO_FK_422],
		['PUT', `/assets/${B.a.configId}`, assetBody(A.g.configId, B.node), DAO_FK_422],
		['POST', '/assets', assetBody(B.g.configId, A.node), ACCESS_DENIED_NODE],
		['PUT', `/assets/${B.a.configId}`, assetBody(B.g.configId, A.node), ACCESS_DENIED_NODE],
	];
	for (const [m, p, body, expect] of refs)
		cases.push({ name: `${m} ${p.replace(/\d+/, '{B id}')} naming A's id in the body`,
		    c: { method: m, path: p, body: JSON.stringify(body) }, expect });
	for (const k of cases)
		await check('tenancy', fails, k.name, async () => k.expect(await send(k.c, B.t)));
	/* the lists B sees hold none of A's objects */
	for (const rt of MGMT.filter((r) => !r.path.includes('{id}') && r.methods.includes('GET'))) {
		await check('tenancy', fails, `GET ${rt.path}`, async () => {
			const r = await send({ method: 'GET', path: rt.path }, B.t);
			assert.equal(r.status, 200, show(r));
			assert.ok(r.json.data.length > 0 && r.json.data.every((x) => x.userId === B.t.userId),
			    show(r));
		});
	}
	try {
		sameState(before, state(users), "another tenant's id");
	} catch (e) {
		fails.push(e.message);
	}
	noFailures(fails, 'cross-tenant');
});

/* ------------------------------------------------------------------ */
/* 952, 953: the OSCP routes                                           */
/* ------------------------------------------------------------------ */

/* A valid message for each OSCP route (reference/oscp-samples). */
function oscpBody(p, groupIdent) {
	const base = p.replace(/^\//, '');
	if (base === 'register')
		return { token: 'sm-' + crypto.randomBytes(16).toString('hex'),
		    version_url: [{ version: '2.0', base_url: 'http://127.0.0.1:9/oscp/cp/2.0' }] };
	if (base === 'handshake' || base.startsWith('handshake_ack'))
		return { required_behaviour: { heartbeat_interval: 60,
		    measurement_configuration: ['CONTINUOUS'] } };
	if (base === 'heartbeat')
		return { offline_mode_at: '2030-05-01T12:02:00.000Z' };
	if (base.endsWith('group_capacity_forecast'))
		return { group_id: groupIdent, type: 'CONSUMPTION', forecasted_blocks: [{
			capacity: 50.0, phase: 'ALL', unit: 'KW',
			start_time: '2030-05-01T13:00:00Z', end_time: '2030-05-01T13:15:00Z' }] };
	throw new Error(`no OSCP body for ${p}: add one`);
}

/* The token of F's system that the route's role admits (CP when any). */
function roleToken(F, rt) {
	return rt.roles === 'CO' ? F.co.token : F.cp.token;
}
function wrongRoleToken(F, rt) {
	return rt.roles === 'CP' ? F.co.token : rt.roles === 'CO' ? F.cp.token : null;
}

test('952 security matrix: every OSCP route × every Token failure, all alike', async () => {
	const { A, D, E, X, users } = await world();
	const groupIdent = (await api(A.t, 'GET', `/capacity-groups/${A.g.configId}`)).json.data.identifier;
	assert.ok(groupIdent);
	const axes = [
		['no Authorization', () => null],
		['another scheme', (rt) => `Bearer ${roleToken(A, rt)}`],
		['empty token', () => 'Token '],
		['overlong token', () => 'Token ' + 'x'.repeat(1100)],
		['unknown token', () => `Token ${crypto.randomBytes(32).toString('hex')}`],
		['disabled system', (rt) => `Token ${roleToken(E, rt)}`],
		['disabled tenant', (rt) => `Token ${roleToken(D, rt)}`],
		['deleted system', (rt) => `Token ${roleToken(X, rt)}`],
		['wrong role', (rt) => (wrongRoleToken(A, rt) ? `Token ${wrongRoleToken(A, rt)}` : undefined)],
	];
	const fails = [];
	const before = state(users);
	let first = null;
	for (const rt of OSCP) {
		for (const [axis, auth] of axes) {
			const h = auth(rt);
			if (h === undefined)
				continue;	/* a route every role may call has no wrong role */
			await check('oscp', fails, `${axis} × POST ${FP_PATH}${rt.path}`, async () => {
				const r = await oscpCall(FP, rt.path, { body: oscpBody(rt.path, groupIdent),
				    headers: { Authorization: h } });
				/* the one refusal: same status, same body, same type */
				const seen = { status: r.status, type: r.headers['content-type'], body: r.body,
				    www: r.headers['www-authenticate'] };
				assert.equal(r.status, 403, `HTTP ${r.status} ${r.body}`);
				first ??= seen;
				assert.deepEqual(seen, first, 'not the same refusal as the others');
			});
		}
	}
	assert.deepEqual(JSON.parse(first.body), { message: 'Forbidden' });
	try {
		sameState(before, state(users), 'OSCP token failures');
	} catch (e) {
		fails.push(e.message);
	}
	noFailures(fails, 'OSCP Token');
	/* the same tokens, unharmed, do authenticate: A's CP heartbeat */
	const ok = await oscpCall(FP, '/heartbeat', { token: A.cp.token,
	    body: { offline_mode_at: '2030-05-01T12:02:00.000Z' } });
	assert.equal(ok.status, 204, ok.body);
});

test('953 security matrix: OSCP forecasts × another tenant\'s group', async () => {
	const { A, B, users } = await world();
	const ident = (await api(A.t, 'GET', `/capacity-groups/${A.g.configId}`)).json.data.identifier;
	const fails = [];
	const eventsOf = (F) => Number(sql(`SELECT COUNT(*) FROM oscp_event WHERE user_id = ${
	    Number(F.t.userId)}`)[0][0]);
	const before = state(users, [B.t.userId]);
	const bEvents = eventsOf(B);
	let n = 0;
	for (const rt of OSCP.filter((r) => r.roles === 'CP' || r.roles === 'CO')) {
		const answers = [];
		/* A's group, and a group nobody has: B cannot tell them apart */
		for (const g of [ident, `no-such-group-${crypto.randomUUID()}`]) {
			await check('oscp', fails, `B's ${rt.roles} token × ${rt.path} × ${g === ident ?
			    "A's group" : 'a missing group'}`, async () => {
				const r = await oscpCall(FP, rt.path, { token: roleToken(B, rt),
				    body: oscpBody(rt.path, g) });
				assert.equal(r.status, 403, `HTTP ${r.status} ${r.body}`);
				assert.match(r.headers['content-type'] ?? '', /^application\/json/);
				answers.push(r.body);
				n += 1;
			});
		}
		if (answers.length === 2 && answers[0] !== answers[1])
			fails.push(`${rt.path}: A's group and a missing one answered differently: ${
			    answers.join(' / ')}`);
	}
	try {
		sameState(before, state(users, [B.t.userId]), "another tenant's group");
		/* what a refusal after authentication writes: one inbound event each */
		assert.equal(eventsOf(B), bEvents + n, "B's inbound events");
		const st = sql(`SELECT DISTINCT http_status FROM oscp_event WHERE user_id = ${
		    Number(B.t.userId)}`);
		assert.deepEqual(st, [['403']], 'the events record the 403');
	} catch (e) {
		fails.push(e.message);
	}
	noFailures(fails, 'OSCP cross-tenant');
});

/* ------------------------------------------------------------------ */
/* 954: hostile strings in every string field                           */
/* ------------------------------------------------------------------ */

/*
 * Payloads as the bytes of a JSON string literal.  value: what must be
 * stored and returned (or refused); refuse: must be refused (an invalid
 * encoding cannot be stored "verbatim", and replacing it would be
 * interpreting it).
 */
const lit = (s) => Buffer.from(JSON.stringify(s), 'utf8');
const raw = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ?
    Buffer.from(p, 'latin1') : Buffer.from(p))));
const PAYLOADS = [
	{ name: 'SQL', json: lit("x'; DROP TABLE oscp_cp_conf; -- "), value: "x'; DROP TABLE oscp_cp_conf; -- " },
	{ name: 'SQL 2', json: lit('" OR 1=1 -- ` $1 %_ ;'), value: '" OR 1=1 -- ` $1 %_ ;' },
	{ name: 'quotes and backslashes', json: lit(`'"\\'\\\\"`), value: `'"\\'\\\\"` },
	{ name: 'NUL', json: raw('"a\\u0000b"'), refuse: true },
	{ name: 'overlong 2-byte', json: raw('"a', [0xc0, 0xaf], 'b"'), refuse: true },
	{ name: 'overlong 3-byte', json: raw('"a', [0xe0, 0x80, 0xaf], 'b"'), refuse: true },
	{ name: 'invalid byte', json: raw('"a', [0xff, 0xfe], 'b"'), refuse: true },
	{ name: 'truncated sequence', json: raw('"a', [0xe2, 0x82], '"'), refuse: true },
	{ name: 'encoded surrogate', json: raw('"a', [0xed, 0xa0, 0x80], 'b"'), refuse: true },
	{ name: 'lone high surrogate', json: raw('"a\\ud800b"'), refuse: true },
	{ name: 'lone high surrogate at the end', json: raw('"a\\ud83d"'), refuse: true },
	{ name: 'lone low surrogate', json: raw('"a\\udc00b"'), refuse: true },
	{ name: 'high surrogate + non-surrogate', json: raw('"\\ud800\\u0041"'), refuse: true },
	{ name: 'raw control character', json: raw('"a', [0x01], 'b"'), refuse: true },
	{ name: 'escaped control characters', json: lit('a\u0001\u001f\u007f\t\n\rb'),
	    value: 'a\u0001\u001f\u007f\t\n\rb' },
	{ name: '4-byte characters', json: lit('😀 𝄞 𠜎'), value: '😀 𝄞 𠜎' },
	{ name: 'escaped surrogate pair', json: raw('"\\ud83d\\ude00!"'), value: '😀!' },
	{ name: 'invisible and bidi', json: lit('\ufeff\u200b\u202eabc'), value: '\ufeff\u200b\u202eabc' },
	{ name: 'markup and escapes', json: lit('<script>%00%27&#0;</script>\\x00'),
	    value: '<script>%00%27&#0;</script>\\x00' },
];
/* Enumerations get the short list: they refuse anything not a name. */
const ENUM_PAYLOADS = ['SQL', 'NUL', 'overlong 2-byte', 'lone high surrogate', '4-byte characters'];

const HOLE = 'HOLE-7d1c0e';
/*
 * Fields: where the payload goes in the body (a body with HOLE in one
 * place), and where to read it back (get(entity) -> value).  free: a text
 * field that must take any valid text (a refusal there is a failure).
 */
function fields(H) {
	const sp = (get) => [
		{ field: 'serviceProps value', body: (b) => ({ ...b, serviceProps: { k: HOLE } }),
		  get: (e) => e.serviceProps?.k, free: true },
		{ field: 'serviceProps key', body: (b) => ({ ...b, serviceProps: { [HOLE]: 'v' } }),
		  get: (e) => Object.keys(e.serviceProps ?? {})[0], free: true, key: true },
	].map((f) => ({ ...f, get: f.get ?? get }));
	const peer = (kind, mk) => [
		{ field: 'name', body: (b) => ({ ...b, name: HOLE }), get: (e) => e.name, free: true },
		{ field: 'baseUrl', body: (b) => ({ ...b, baseUrl: HOLE }), get: (e) => e.baseUrl },
		{ field: 'oscpVersion', body: (b) => ({ ...b, oscpVersion: HOLE }),
		  get: (e) => e.oscpVersion },
		{ field: 'registrationStatus', body: (b) => ({ ...b, registrationStatus: HOLE }),
		  get: (e) => e.registrationStatus, isEnum: true },
		...sp(),
	].map((f) => ({ ...f, kind, mk }));
	const en = (o, k) => (b) => ({ ...b, [o]: { ...b[o], [k]: HOLE } });
	return [
		...peer('capacity-providers', () => cpBody()),
		...peer('capacity-optimizers', () => coBody()),
		...[
			{ field: 'name', body: (b) => ({ ...b, name: HOLE }), get: (e) => e.name, free: true },
			{ field: 'identifier', body: (b) => ({ ...b, identifier: HOLE }),
			  get: (e) => e.identifier, free: true },
			{ field: 'capacityProviderMeasurementPeriod', isEnum: true,
			  body: (b) => ({ ...b, capacityProviderMeasurementPeriod: HOLE }) },
			{ field: 'capacityOptimizerMeasurementPeriod', isEnum: true,
			  body: (b) => ({ ...b, capacityOptimizerMeasurementPeriod: HOLE }) },
			...sp(),
		].map((f) => ({ ...f, kind: 'capacity-groups',
		    mk: () => groupBody(H.cp.configId, H.co.configId) })),
		...[
			{ field: 'name', body: (b) => ({ ...b, name: HOLE }), get: (e) => e.name, free: true },
			{ field: 'identifier', body: (b) => ({ ...b, identifier: HOLE }),
			  get: (e) => e.identifier, free: true },
			{ field: 'sourceId', body: (b) => ({ ...b, sourceId: HOLE }), get: (e) => e.sourceId },
			{ field: 'audience', body: (b) => ({ ...b, audience: HOLE }), isEnum: true },
			{ field: 'category', body: (b) => ({ ...b, category: HOLE }), isEnum: true },
			{ field: 'phase', body: (b) => ({ ...b, phase: HOLE }), isEnum: true },
			...['instantaneous', 'energy'].flatMap((o) => [
				{ field: `${o}.propertyNames[]`, get: (e) => e[o]?.propertyNames?.[1],
				  body: (b) => ({ ...b, [o]: { ...b[o], propertyNames: ['w', HOLE] } }) },
				...['unit', 'statisticType', ...(o === 'energy' ? ['type', 'direction'] : [])]
				    .map((k) => ({ field: `${o}.${k}`, body: en(o, k), isEnum: true })),
			]),
			...sp(),
		].map((f) => ({ ...f, kind: 'assets', mk: () => assetBody(H.g.configId, H.node) })),
	];
}

const CONF_TABLES = { 'capacity-providers': 'oscp_cp_conf',
    'capacity-optimizers': 'oscp_co_conf', 'capacity-groups': 'oscp_cg_conf',
    assets: 'oscp_asset_conf' };

/* F's object ids per configuration table, ascending. */
function confIds(F) {
	const out = {};
	for (const t of Object.values(CONF_TABLES))
		out[t] = sql(`SELECT id FROM ${t} WHERE user_id = ${Number(F.t.userId)} ORDER BY id`)
		    .map(([id]) => Number(id));
	return out;
}

/* The body with the payload's bytes where HOLE is. */
function withPayload(obj, json) {
	const text = Buffer.from(JSON.stringify(obj), 'utf8');
	const at = text.indexOf(`"${HOLE}"`);
	assert.ok(at >= 0);
	return Buffer.concat([text.subarray(0, at), json, text.subarray(at + HOLE.length + 2)]);
}

test('954 security matrix: hostile strings in every string field, verbatim or refused', async () => {
	const H = await populate();
	const fails = [];
	const stored = [];	/* {kind, configId, f, p} to read back */
	const list = fields(H);
	const ids0 = confIds(H);
	for (const f of list) {
		for (const p of PAYLOADS.filter((x) => !f.isEnum || ENUM_PAYLOADS.includes(x.name))) {
			await check('strings', fails, `${f.kind} ${f.field} × ${p.name}`, async () => {
				const body = withPayload(f.body(f.mk()), p.json);
				const r = await api(H.t, 'POST', `/${f.kind}`, body,
				    { contentType: 'application/json' });
				if (r.status === 201) {
					assert.ok(!p.refuse, `stored, but it must be refused: ${show(r)}`);
					assert.ok(!f.isEnum, `an enumeration took it: ${show(r)}`);
					stored.push({ kind: f.kind, id: r.json.data.configId, f, p });
					return 'stored';
				}
				assert.ok(r.status === 400 || r.status === 422, show(r));
				assert.equal(r.json?.success, false, show(r));
				assert.equal(typeof r.json.message, 'string', show(r));
				assert.ok(!f.free || p.refuse, `free text refused: ${show(r)}`);
				return 'refused';
			});
		}
	}
	/* Nothing but what was stored was written: H's objects are the ones it
	 * had and the ones stored, each CP/CO with its one FP token row, and
	 * no OSCP task or event. */
	const ids1 = confIds(H);
	for (const [kind, table] of Object.entries(CONF_TABLES)) {
		const want = new Set([...ids0[table],
		    ...stored.filter((x) => x.kind === kind).map((x) => x.id)]);
		const extra = ids1[table].filter((id) => !want.has(id));
		if (extra.length || ids1[table].length !== want.size)
			fails.push(`${table}: rows ${ids1[table].join(',')}, expected ${[...want].join(',')}`);
	}
	const uid = Number(H.t.userId);
	assert.equal(Number(sql(`SELECT COUNT(*) FROM oscp_fp_token WHERE user_id = ${uid}`)[0][0]),
	    ids1.oscp_cp_conf.length + ids1.oscp_co_conf.length, 'FP token rows');
	assert.equal(Number(sql(`SELECT (SELECT COUNT(*) FROM oscp_task WHERE user_id = ${uid}) + ` +
	    `(SELECT COUNT(*) FROM oscp_event WHERE user_id = ${uid})`)[0][0]), 0, 'tasks, events');

	/* read everything back: each list once (a group's assets by group) */
	const lists = {};
	for (const kind of ['capacity-providers', 'capacity-optimizers', 'capacity-groups']) {
		const r = await api(H.t, 'GET', `/${kind}`);
		assert.equal(r.status, 200, show(r));
		lists[kind] = new Map(r.json.data.map((e) => [e.configId, e]));
	}
	const ga = await api(H.t, 'GET', `/capacity-groups/${H.g.configId}/assets`);
	assert.equal(ga.status, 200, show(ga));
	lists.assets = new Map(ga.json.data.map((e) => [e.configId, e]));
	for (const s of stored) {
		const e = lists[s.kind].get(s.id);
		if (!e) {
			fails.push(`${s.kind} ${s.f.field} × ${s.p.name}: ${s.id} not listed`);
			continue;
		}
		const got = s.f.get(e);
		if (got !== s.p.value)
			fails.push(`${s.kind} ${s.f.field} × ${s.p.name}: returned ${JSON.stringify(got)}, ` +
			    `sent ${JSON.stringify(s.p.value)}`);
	}
	/* and the database holds the same bytes (the name columns) */
	for (const [kind, table] of [['capacity-providers', 'oscp_cp_conf'],
	    ['capacity-optimizers', 'oscp_co_conf'], ['capacity-groups', 'oscp_cg_conf'],
	    ['assets', 'oscp_asset_conf']]) {
		const named = stored.filter((s) => s.kind === kind && s.f.field === 'name');
		if (!named.length)
			continue;
		const hex = new Map(sql(`SELECT id, HEX(cname) FROM ${table} WHERE id IN (${
		    named.map((s) => s.id).join(',')})`).map(([id, h]) => [Number(id), h]));
		for (const s of named)
			if (hex.get(s.id) !== Buffer.from(s.p.value, 'utf8').toString('hex').toUpperCase())
				fails.push(`${table}.cname × ${s.p.name}: stored ${hex.get(s.id)}`);
	}
	noFailures(fails, 'hostile string');
	/* every free-text field took every valid payload */
	const valid = PAYLOADS.filter((p) => !p.refuse).length;
	for (const f of list.filter((x) => x.free))
		assert.equal(stored.filter((s) => s.f === f).length, valid, `${f.kind} ${f.field}`);
});

test('955 security matrix: hostile strings in OSCP messages, refused cleanly', async () => {
	const O = await populate();
	const users = [O.t.userId];
	const fails = [];
	const before = state(users, users);
	const events0 = Number(sql(`SELECT COUNT(*) FROM oscp_event WHERE user_id = ${
	    Number(O.t.userId)}`)[0][0]);
	/* the string fields of the messages; none names anything O has */
	const msgs = [
		['/update_group_capacity_forecast', O.cp.token, { ...oscpBody('/update_group_capacity_forecast',
		    HOLE) }, 'group_id'],
		['/adjust_group_capacity_forecast', O.co.token, { ...oscpBody('/adjust_group_capacity_forecast',
		    HOLE) }, 'group_id'],
		['/heartbeat', O.cp.token, { offline_mode_at: HOLE }, 'offline_mode_at'],
		['/handshake', O.co.token, { required_behaviour: { heartbeat_interval: 60,
		    measurement_configuration: [HOLE] } }, 'measurement_configuration[]'],
	];
	let n = 0;
	for (const [p, token, body, field] of msgs) {
		for (const pl of PAYLOADS) {
			await check('oscp strings', fails, `${p} ${field} × ${pl.name}`, async () => {
				const r = await oscpCall(FP, p, { token, body: withPayload(body, pl.json) });
				n += 1;
				assert.ok([400, 403, 422].includes(r.status), `HTTP ${r.status} ${r.body}`);
				assert.ok(!pl.refuse || r.status === 422, `HTTP ${r.status} ${r.body}`);
				assert.match(r.headers['content-type'] ?? '', /^application\/json/);
				assert.equal(typeof r.json?.message, 'string', r.body);
			});
		}
	}
	try {
		sameState(before, state(users, users), 'hostile OSCP strings');
		assert.equal(Number(sql(`SELECT COUNT(*) FROM oscp_event WHERE user_id = ${
		    Number(O.t.userId)}`)[0][0]), events0 + n, 'one inbound event per refusal');
	} catch (e) {
		fails.push(e.message);
	}
	noFailures(fails, 'OSCP hostile string');
});

test('956 security matrix: hostile path ids and query values, refused cleanly', async () => {
	const { A, users } = await world();
	const fails = [];
	const before = state(users);
	const IDS = ["1'", '1%27%20OR%201=1', '1;', '%00', '1%00', '0', '-1', '+1', ' 1'.replace(' ', '%20'),
	    '99999999999999999999', '9223372036854775808', '1e3', '0x1F', '%F0%9F%98%80', '1%2F2',
	    '%31'];
	for (const rt of MGMT.filter((r) => r.path.includes('{id}'))) {
		for (const m of rt.methods) {
			for (const id of IDS) {
				const c = { method: m, path: rt.path.replace('{id}', id),
				    body: m === 'PUT' ? JSON.stringify(MGMT_CALLS[rt.path].body(A)) : undefined };
				await check('ids', fails, `${m} ${rt.path} × id ${id}`, async () => {
					const r = await send(c, A.t);
					/* 400: nginx's own refusal (%00 in a path) */
					assert.ok([400, 404, 422].includes(r.status), show(r));
					assert.match(r.headers['content-type'] ?? '', /^application\/json/);
					assert.equal(r.json?.success, false, show(r));
					if (r.status === 422)
						assert.match(r.json.message, /^Illegal argument: Invalid id value '/);
				});
			}
		}
	}
	for (const rt of MGMT.filter((r) => r.path.endsWith('/events'))) {
		const id = MGMT_CALLS[rt.path].id(A);
		for (const q of ["1'", '%00', '-1', '0', '1e2', '501', '99999999999', '%F0%9F%98%80', '']) {
			await check('ids', fails, `GET ${rt.path}?max=${q}`, async () => {
				const r = await send({ method: 'GET',
				    path: `${rt.path.replace('{id}', id)}?max=${q}` }, A.t);
				assert.equal(r.status, 422, show(r));
				assert.equal(r.text, JSON.stringify({ success: false, code: 'VAL.00001',
				    message: 'Illegal argument: max must be a number from 1 to 500' }).replace(
				    /,"code":"VAL.00001"/, r.json?.code ? `,"code":"${r.json.code}"` : ''),
				    show(r));
			});
		}
	}
	try {
		sameState(before, state(users), 'hostile ids');
	} catch (e) {
		fails.push(e.message);
	}
	noFailures(fails, 'hostile id');
});

test('957 security matrix: hostile strings through PUT, verbatim or the object untouched', async () => {
	const H = await populate();
	const fails = [];
	const list = fields(H);
	/* one object of each kind to overwrite, besides H's own */
	const target = {};
	for (const kind of Object.keys(CONF_TABLES)) {
		const mk = list.find((f) => f.kind === kind).mk;
		target[kind] = assertCreated(await api(H.t, 'POST', `/${kind}`, mk()), kind).configId;
	}
	const read = async (kind) => {
		const r = await api(H.t, 'GET', `/${kind}/${target[kind]}`);
		assert.equal(r.status, 200, show(r));
		return r.json.data;
	};
	const cur = {};
	for (const kind of Object.keys(CONF_TABLES))
		cur[kind] = await read(kind);
	const ids0 = confIds(H);
	for (const f of list) {
		for (const p of PAYLOADS.filter((x) => !f.isEnum || ENUM_PAYLOADS.includes(x.name))) {
			await check('PUT strings', fails, `PUT ${f.kind} ${f.field} × ${p.name}`, async () => {
				const body = withPayload(f.body(f.mk()), p.json);
				const r = await api(H.t, 'PUT', `/${f.kind}/${target[f.kind]}`, body,
				    { contentType: 'application/json' });
				const now = await read(f.kind);
				if (r.status === 200) {
					assert.ok(!p.refuse, `stored, but it must be refused: ${show(r)}`);
					assert.ok(!f.isEnum, `an enumeration took it: ${show(r)}`);
					if (f.get)
						assert.equal(f.get(now), p.value, 'read back');
					cur[f.kind] = now;
					return 'stored';
				}
				assert.ok(r.status === 400 || r.status === 422, show(r));
				assert.equal(r.json?.success, false, show(r));
				assert.equal(typeof r.json.message, 'string', show(r));
				assert.ok(!f.free || p.refuse, `free text refused: ${show(r)}`);
				assert.deepEqual(now, cur[f.kind], 'the refused PUT changed the object');
				return 'refused';
			});
		}
	}
	/* PUT created and deleted nothing, and queued no OSCP message */
	assert.deepEqual(confIds(H), ids0, 'objects');
	const uid = Number(H.t.userId);
	assert.equal(Number(sql(`SELECT (SELECT COUNT(*) FROM oscp_task WHERE user_id = ${uid}) + ` +
	    `(SELECT COUNT(*) FROM oscp_event WHERE user_id = ${uid})`)[0][0]), 0, 'tasks, events');
	noFailures(fails, 'PUT hostile string');
});

test('979 security matrix: size and result', () => {
	const blocks = Object.entries(tally);
	assert.ok(blocks.length >= 6, `blocks run: ${blocks.map(([b]) => b).join(', ')}`);
	let cases = 0;
	let ok = 0;
	let refused = 0;
	let stored = 0;
	for (const [, t] of blocks) {
		cases += t.cases;
		ok += t.ok;
		refused += t.refused;
		stored += t.stored;
	}
	const per = blocks.map(([b, t]) => `${b} ${t.cases}`).join(', ');
	console.log(`security matrix: ${cases} cases (${per}), ${ok} as expected: ` +
	    `${refused} refused as expected, ${stored} stored and returned verbatim`);
	assert.equal(ok, cases, 'every case as expected');
	assert.ok(cases >= 1000, `matrix size ${cases}`);
});
