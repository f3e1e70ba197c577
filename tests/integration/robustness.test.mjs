// robustness.test.mjs -- bad input gets a clear JSON error and changes
// nothing (SPEC §6, notes/api-decisions.md order of checks 2-5): unknown
// routes (404), wrong methods (405 + Allow), content types (415), oversized
// bodies (413), empty/malformed/invalid-UTF-8/too deep/too long JSON, wrong
// types, out-of-range numbers, and bad ids in paths (422 Illegal argument).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
	API, ENV, api, children, coBody, cpBody, groupBody, newTenant, request, signRequest, sql,
} from './lib.mjs';

let t;          // the tenant used by every case
let cpId;       // one CP, one CO, one group of that tenant
let coId;
let groupId;

/* Row counts of everything the tenant could have changed, in one query. */
function snapshot() {
	const u = t.userId;
	const tables = ['oscp_cp_conf', 'oscp_co_conf', 'oscp_cg_conf', 'oscp_asset_conf',
	    'oscp_fp_token', 'oscp_cp_secret', 'oscp_co_secret'];
	const counts = tables.map((x) => `(SELECT COUNT(*) FROM ${x} WHERE user_id = ${u})`);
	const row = `(SELECT CONCAT_WS('|', cname, enabled, url, modified) FROM oscp_cp_conf ` +
	    `WHERE id = ${cpId})`;
	const [r] = sql(`SELECT ${counts.join(', ')}, ${row}`);
	return Object.fromEntries([...tables, 'cpRow'].map((k, i) => [k, r[i]]));
}

/** Run fn and assert that no row of the tenant changed. */
async function unchanged(fn) {
	const a = snapshot();
	const r = await fn();
	assert.deepEqual(snapshot(), a, 'bad input changed the database');
	return r;
}

function isJson(res) {
	assert.match(res.headers['content-type'] ?? '', /^application\/json/,
	    `content type of ${res.status}: ${res.headers['content-type']}`);
}

function expectMalformedJson(res, what) {
	assert.equal(res.status, 422, `${what}: ${res.text}`);
	isJson(res);
	assert.deepEqual(Object.keys(res.json), ['success', 'message'], `${what}: ${res.text}`);
	assert.equal(res.json.success, false);
	assert.match(res.json.message, /^Malformed JSON: ./, `${what}: ${res.text}`);
}

function expectIllegalArgument(res, what) {
	assert.equal(res.status, 422, `${what}: ${res.text}`);
	isJson(res);
	assert.deepEqual(Object.keys(res.json), ['success', 'message'], `${what}: ${res.text}`);
	assert.equal(res.json.success, false);
	assert.match(res.json.message, /^Illegal argument: ./, `${what}: ${res.text}`);
}

const postCp = (raw, opts = {}) => api(t, 'POST', '/capacity-providers', undefined,
    { rawBody: raw, contentType: 'application/json', ...opts });

before(async () => {
	t = newTenant();
	let r = await api(t, 'POST', '/capacity-providers', cpBody());
	assert.equal(r.status, 201, r.text);
	cpId = r.json.data.configId;
	r = await api(t, 'POST', '/capacity-optimizers', coBody());
	assert.equal(r.status, 201, r.text);
	coId = r.json.data.configId;
	r = await api(t, 'POST', '/capacity-groups', groupBody(cpId, coId));
	assert.equal(r.status, 201, r.text);
	groupId = r.json.data.configId;
});

test('200-robust-ping', async () => {
	const res = await request('GET', '/ping');
	assert.equal(res.status, 200, res.text);
	isJson(res);
	assert.equal(res.text, '{"success":true,"data":{"status":"ok"}}');
});

test('201-robust-unknown-route-404', async () => {
	for (const p of ['/nothing-here', '/capacity-providers/1/extra', '/assets/1/x',
	    '/capacity-groups/1/assets/2', '/capacity-providerz', '/']) {
		const res = await unchanged(() => api(t, 'GET', p));
		assert.equal(res.status, 404, `${p}: ${res.text}`);
		isJson(res);
		assert.equal(res.text, '{"success":false,"code":"404","message":"Not Found"}', p);
	}
	// authentication comes before routing
	const res = await request('GET', API + '/nothing-here');
	assert.equal(res.status, 401, res.text);
});

test('202-robust-wrong-method-405-with-allow', async () => {
	const cases = [
		['PATCH', '/capacity-providers', ['GET', 'POST']],
		['PUT', '/capacity-providers', ['GET', 'POST']],
		['DELETE', '/capacity-providers', ['GET', 'POST']],
		['POST', `/capacity-providers/${cpId}`, ['GET', 'PUT', 'DELETE']],
		['PATCH', `/capacity-providers/${cpId}`, ['GET', 'PUT', 'DELETE']],
		['DELETE', '/capacity-optimizers', ['GET', 'POST']],
		['POST', `/capacity-optimizers/${coId}`, ['GET', 'PUT', 'DELETE']],
		['PUT', '/capacity-groups', ['GET', 'POST']],
		['POST', `/capacity-groups/${groupId}`, ['GET', 'PUT', 'DELETE']],
		['PUT', `/capacity-groups/${groupId}/assets`, ['GET', 'DELETE']],
		['POST', `/capacity-groups/${groupId}/assets`, ['GET', 'DELETE']],
		['GET', '/assets', ['POST']],
		['DELETE', '/assets', ['POST']],
		['POST', '/assets/1', ['GET', 'PUT', 'DELETE']],
	];
	for (const [method, p, allow] of cases) {
		const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ?
		    cpBody() : undefined;
		const res = await unchanged(() => api(t, method, p, body));
		assert.equal(res.status, 405, `${method} ${p}: ${res.text}`);
		isJson(res);
		assert.equal(res.text, '{"success":false,"code":"405","message":"Method Not Allowed"}');
		const got = (res.headers.allow ?? '').split(/\s*,\s*/).filter(Boolean).sort();
		assert.deepEqual(got, [...allow].sort(), `Allow for ${method} ${p}: ${res.headers.allow}`);
	}
});

test('203-robust-unsupported-content-type-415', async () => {
	const body = JSON.stringify(cpBody());
	let res = await unchanged(() => postCp(body, { contentType: 'text/plain' }));
	assert.equal(res.status, 415, res.text);
	isJson(res);
	assert.equal(res.text,
	    `{"success":false,"code":"415","message":"Content type 'text/plain' not supported"}`);

	res = await unchanged(() => api(t, 'PUT', `/capacity-providers/${cpId}`, undefined,
	    { rawBody: body, contentType: 'application/xml' }));
	assert.equal(res.status, 415, res.text);
	assert.equal(res.text,
	    `{"success":false,"code":"415","message":"Content type 'application/xml' not supported"}`);

	// no Content-Type at all on a POST with a body
	res = await unchanged(() => postCp(body, { contentType: null }));
	assert.equal(res.status, 415, res.text);
	isJson(res);
	assert.equal(res.json.success, false);
	assert.equal(res.json.code, '415');
	assert.match(res.json.message, /^Content type '.*' not supported$/);

	// parameters and case are fine
	for (const ct of ['application/json; charset=UTF-8', 'Application/JSON',
	    'application/json;charset=utf-8']) {
		res = await postCp(JSON.stringify(cpBody()), { contentType: ct });
		assert.equal(res.status, 201, `${ct}: ${res.text}`);
	}
});

test('204-robust-body-too-large-413', async () => {
	const big = JSON.stringify(cpBody({ serviceProps: { pad: 'x'.repeat(300 * 1024) } }));
	const res = await unchanged(() => postCp(big));
	assert.equal(res.status, 413, res.text);
	isJson(res);
	assert.equal(res.text, '{"success":false,"code":"413","message":"Request entity too large"}');
	// just over 256 KiB as well
	const edge = JSON.stringify(cpBody({ serviceProps: { pad: 'y'.repeat(256 * 1024) } }));
	const res2 = await unchanged(() => postCp(edge));
	assert.equal(res2.status, 413, res2.text);
	assert.equal(res2.text, '{"success":false,"code":"413","message":"Request entity too large"}');
});

test('205-robust-empty-body', async () => {
	for (const [method, p] of [['POST', '/capacity-providers'],
	    ['PUT', `/capacity-providers/${cpId}`], ['POST', '/capacity-groups'], ['POST', '/assets']]) {
		const res = await unchanged(() => api(t, method, p, undefined,
		    { rawBody: '', contentType: 'application/json' }));
		assert.equal(res.status, 422, `${method} ${p}: ${res.text}`);
		isJson(res);
		assert.equal(res.text,
		    '{"success":false,"message":"Malformed request: Required request body is missing"}');
	}
});

test('206-robust-malformed-json', async () => {
	const bad = [
		'{"name":',
		'{"name":"x",}',
		'{name:"x"}',
		"{'name':'x'}",
		'{"name":"x"} trailing',
		'{"name":"x"}{"name":"y"}',
		'{"name":"\\q"}',
		'{"name":"unterminated}',
		'nul',
		'[]',
		'"just a string"',
		'42',
		'{"name":"a\u0001b","registrationStatus":"Pending"}',
	];
	for (const b of bad)
		expectMalformedJson(await unchanged(() => postCp(b)), b);
	// PUT as well, and the row is untouched
	expectMalformedJson(await unchanged(() => api(t, 'PUT', `/capacity-providers/${cpId}`,
	    undefined, { rawBody: '{"name":', contentType: 'application/json' })), 'PUT');
});

test('207-robust-invalid-utf8', async () => {
	const mk = (bytes) => Buffer.concat([Buffer.from('{"name":"'), Buffer.from(bytes),
	    Buffer.from('","registrationStatus":"Pending"}')]);
	for (const bytes of [[0xff, 0xfe], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80],
	    [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
		expectMalformedJson(await unchanged(() => postCp(mk(bytes))),
		    `bytes ${Buffer.from(bytes).toString('hex')}`);
	}
	// valid multi-byte UTF-8 is of course fine
	const res = await postCp(Buffer.from(JSON.stringify(cpBody({ name: 'CP été ⚡ 𝄞' }))));
	assert.equal(res.status, 201, res.text);
	assert.equal(res.json.data.name, 'CP été ⚡ 𝄞');
});

test('208-robust-json-limits-depth-string-array', async () => {
	// depth: the top-level object is level 1
	const nest = (levels) => (levels <= 1 ? {} : { a: nest(levels - 1) });
	const deep = (total) => JSON.stringify(cpBody({ serviceProps: nest(total - 1) }));
	expectMalformedJson(await unchanged(() => postCp(deep(17))), 'depth 17');
	expectMalformedJson(await unchanged(() => postCp('['.repeat(5000) + ']'.repeat(5000))),
	    'depth 5000');
	let res = await postCp(deep(16));
	assert.equal(res.status, 201, `depth 16: ${res.text}`);

	// string longer than 8192 bytes (counted in bytes, not characters)
	expectMalformedJson(await unchanged(() => postCp(JSON.stringify(
	    cpBody({ name: 'n'.repeat(9000) })))), '9000-byte name');
	expectMalformedJson(await unchanged(() => postCp(JSON.stringify(
	    cpBody({ serviceProps: { note: 'é'.repeat(4097) } })))), '8194-byte string');
	expectMalformedJson(await unchanged(() => postCp(JSON.stringify(
	    cpBody({ serviceProps: { ['k'.repeat(9000)]: 1 } })))), '9000-byte key');
	res = await postCp(JSON.stringify(cpBody({ serviceProps: { note: 's'.repeat(8192) } })));
	assert.equal(res.status, 201, `8192-byte string: ${res.text}`);

	// arrays longer than 1024 elements
	const arr = (n) => Array.from({ length: n }, (_, i) => i);
	expectMalformedJson(await unchanged(() => postCp(JSON.stringify(
	    cpBody({ serviceProps: { list: arr(1025) } })))), '1025 elements');
	res = await postCp(JSON.stringify(cpBody({ serviceProps: { list: arr(1024) } })));
	assert.equal(res.status, 201, `1024 elements: ${res.text}`);
});

test('209-robust-duplicate-key', async () => {
	const res = await unchanged(() => postCp(
	    '{"name":"a","registrationStatus":"Pending","name":"b"}'));
	expectMalformedJson(res, 'duplicate');
	assert.match(res.json.message, /^Malformed JSON: Duplicate field 'name'/);
	const res2 = await unchanged(() => postCp(
	    '{"name":"a","serviceProps":{"x":1,"x":2}}'));
	expectMalformedJson(res2, 'nested duplicate');
	assert.match(res2.json.message, /^Malformed JSON: Duplicate field 'x'/);
});

test('210-robust-wrong-json-types', async () => {
	const cp = (o) => JSON.stringify(cpBody(o));
	const grp = (o) => JSON.stringify(groupBody(cpId, coId, o));
	const cases = [
		['/capacity-providers', cp({ name: 5 })],
		['/capacity-providers', cp({ name: true })],
		['/capacity-providers', cp({ name: ['x'] })],
		['/capacity-providers', cp({ enabled: 'yes' })],
		['/capacity-providers', cp({ enabled: 1 })],
		['/capacity-providers', cp({ serviceProps: 'x' })],
		['/capacity-providers', cp({ serviceProps: [] })],
		['/capacity-providers', cp({ baseUrl: 7 })],
		['/capacity-providers', cp({ registrationStatus: 5 })],
		['/capacity-providers', cp({ registrationStatus: 'Bogus' })],
		['/capacity-optimizers', JSON.stringify(coBody({ name: { a: 1 } }))],
		['/capacity-groups', grp({ capacityProviderId: '7' })],
		['/capacity-groups', grp({ capacityProviderId: 7.5 })],
		['/capacity-groups', grp({ capacityOptimizerId: true })],
		['/capacity-groups', grp({ identifier: 12 })],
		['/capacity-groups', grp({ capacityProviderMeasurementPeriod: 900 })],
		['/capacity-groups', grp({ capacityProviderMeasurementPeriod: 'Fortnight' })],
	];
	for (const [p, body] of cases) {
		const res = await unchanged(() => api(t, 'POST', p, undefined,
		    { rawBody: body, contentType: 'application/json' }));
		expectMalformedJson(res, `${p} ${body}`);
	}
	// PUT too
	expectMalformedJson(await unchanged(() => api(t, 'PUT', `/capacity-providers/${cpId}`,
	    undefined, { rawBody: cp({ enabled: 'yes' }), contentType: 'application/json' })), 'PUT');
});

test('211-robust-numbers-out-of-range', async () => {
	const base = JSON.stringify(groupBody(cpId, coId, { capacityProviderId: 12345 }));
	for (const num of ['1e30', '99999999999999999999', '9223372036854775808',
	    '-9223372036854775809', '1e400']) {
		const body = base.replace('12345', num);
		assert.ok(body.includes(num));
		const res = await unchanged(() => api(t, 'POST', '/capacity-groups', undefined,
		    { rawBody: body, contentType: 'application/json' }));
		expectMalformedJson(res, num);
	}
});

test('212-robust-bad-path-ids', async () => {
	const ids = ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999', '9223372036854775808',
	    '0x10', '%201', '1%20'];
	for (const id of ids) {
		for (const [method, p] of [['GET', `/capacity-providers/${id}`],
		    ['DELETE', `/capacity-providers/${id}`], ['GET', `/capacity-optimizers/${id}`],
		    ['DELETE', `/capacity-groups/${id}`], ['GET', `/capacity-groups/${id}/assets`],
		    ['GET', `/assets/${id}`], ['DELETE', `/assets/${id}`]]) {
			const res = await unchanged(() => api(t, method, p));
			expectIllegalArgument(res, `${method} ${p}`);
		}
		const res = await unchanged(() => api(t, 'PUT', `/capacity-providers/${id}`, cpBody()));
		expectIllegalArgument(res, `PUT ${id}`);
	}
	// the largest long is a valid id (just not ours)
	const res = await api(t, 'GET', '/capacity-providers/9223372036854775807');
	assert.equal(res.status, 403, res.text);
	assert.equal(res.text, '{"success":false,"message":"UNKNOWN_OBJECT"}');
});

test('213-robust-unknown-properties-ignored', async () => {
	const res = await api(t, 'POST', '/capacity-providers', cpBody({
		userId: 1, configId: 99999, token: 'abc', created: '2020-01-01 00:00:00Z', whatever: { deep: [1, 2] },
	}));
	assert.equal(res.status, 201, res.text);
	assert.equal(res.json.data.userId, t.userId);
	assert.notEqual(res.json.data.configId, 99999);
	assert.notEqual(res.json.data.token, 'abc');
});

test('214-robust-still-serving-after-bad-input', async () => {
	const res = await api(t, 'GET', `/capacity-providers/${cpId}`);
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.data.configId, cpId);
	assert.equal(res.json.data.name, 'Grid Co');
});

/** A JSON CP body of exactly `size` bytes (strings stay under 8192 bytes). */
function cpBodyOfSize(size) {
	const props = {};
	const base = () => JSON.stringify(cpBody({ serviceProps: props }));
	for (let i = 0; base().length + 8100 < size; i++)
		props[`p${i}`] = 'x'.repeat(8000);
	props.last = '';
	props.last = 'y'.repeat(size - base().length);
	const body = base();
	assert.equal(Buffer.byteLength(body), size);
	return body;
}

test('215-robust-body-of-exactly-256-kib-accepted', async () => {
	const res = await postCp(cpBodyOfSize(256 * 1024));
	assert.equal(res.status, 201, res.text.slice(0, 300));
	const res2 = await unchanged(() => postCp(cpBodyOfSize(256 * 1024 + 1)));
	assert.equal(res2.status, 413, res2.text.slice(0, 300));
});

/*
 * Minimal FastCGI responder client: talk to oscp-fpd's socket directly, as
 * a proxy without a body cap (or Apache's mod_proxy_fcgi) would.
 */
function fcgiRecord(type, content) {
	const h = Buffer.alloc(8);
	h[0] = 1;
	h[1] = type;
	h.writeUInt16BE(1, 2);
	h.writeUInt16BE(content.length, 4);
	return Buffer.concat([h, content]);
}

function fcgiParams(params) {
	const parts = [];
	const len = (n) => {
		if (n < 128)
			return Buffer.from([n]);
		const b = Buffer.alloc(4);
		b.writeUInt32BE((n | 0x80000000) >>> 0);
		return b;
	};
	for (const [k, v] of Object.entries(params)) {
		const kb = Buffer.from(k);
		const vb = Buffer.from(String(v));
		parts.push(len(kb.length), len(vb.length), kb, vb);
	}
	return Buffer.concat(parts);
}

function fcgiRequest(sockPath, params, body) {
	return new Promise((resolve, reject) => {
		const out = [];
		out.push(fcgiRecord(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])));
		out.push(fcgiRecord(4, fcgiParams(params)), fcgiRecord(4, Buffer.alloc(0)));
		for (let off = 0; off < body.length; off += 65535)
			out.push(fcgiRecord(5, body.subarray(off, off + 65535)));
		out.push(fcgiRecord(5, Buffer.alloc(0)));
		const chunks = [];
		const sock = net.createConnection(sockPath);
		const timer = setTimeout(() => sock.destroy(new Error('fastcgi timeout')), 20000);
		sock.on('data', (d) => chunks.push(d));
		sock.on('error', (e) => {
			// the daemon may answer and close before reading all of stdin
			if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') {
				clearTimeout(timer);
				reject(e);
			}
		});
		sock.on('close', () => {
			clearTimeout(timer);
			const all = Buffer.concat(chunks);
			let stdout = Buffer.alloc(0);
			for (let off = 0; off + 8 <= all.length;) {
				const type = all[off + 1];
				const clen = all.readUInt16BE(off + 4);
				const plen = all[off + 6];
				if (type === 6)
					stdout = Buffer.concat([stdout, all.subarray(off + 8, off + 8 + clen)]);
				off += 8 + clen + plen;
			}
			const text = stdout.toString('utf8');
			const sep = text.indexOf('\r\n\r\n');
			const head = sep < 0 ? text : text.slice(0, sep);
			const status = Number((/^Status:\s*(\d+)/mi.exec(head) ?? [0, 200])[1]);
			resolve({ status, head, body: sep < 0 ? '' : text.slice(sep + 4) });
		});
		sock.write(Buffer.concat(out));
	});
}

test('216-robust-daemon-caps-body-without-nginx', async () => {
	const sockPath = process.env.FP_TEST_FPD_SOCK;
	assert.ok(sockPath, 'FP_TEST_FPD_SOCK not set by the harness');
	const send = (body) => {
		const target = API + '/capacity-providers';
		const h = signRequest({ method: 'POST', url: target, body, contentType: 'application/json',
		    tokenId: t.tokenId, secret: t.secret });
		const params = {
			GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'POST', REQUEST_URI: target,
			QUERY_STRING: '', CONTENT_TYPE: 'application/json',
			CONTENT_LENGTH: String(Buffer.byteLength(body)), SERVER_PROTOCOL: 'HTTP/1.1',
			REQUEST_SCHEME: 'http', SERVER_NAME: 'localhost', REQUEST_ID: 'fcgi-direct',
			HTTP_HOST: h.Host, HTTP_X_SN_DATE: h['X-SN-Date'], HTTP_AUTHORIZATION: h.Authorization,
		};
		return fcgiRequest(sockPath, params, Buffer.from(body));
	};
	// control: a normal body works through the socket
	let res = await send(JSON.stringify(cpBody()));
	assert.equal(res.status, 201, res.head + res.body);
	// over body_max: 413 JSON from the daemon itself
	res = await unchanged(() => send(JSON.stringify(cpBody({ serviceProps: {
		pad: 'x'.repeat(1024 * 1024) } }))));
	assert.equal(res.status, 413, res.head + res.body.slice(0, 200));
	assert.match(res.head, /^Content-Type:\s*application\/json/mi);
	assert.equal(res.body, '{"success":false,"code":"413","message":"Request entity too large"}');
	// and the pool still answers afterwards
	res = await send(JSON.stringify(cpBody()));
	assert.equal(res.status, 201, res.head + res.body);
});

/*
 * Issue 10: every object inside an unknown property used to get its own
 * key table (~39 times its size), so 30 000 {"":0} in a 230 KiB body ran
 * the request arena out (500 "Internal error"), and the unchecked
 * allocations on that path could crash the worker.  Ignored values now
 * cost no memory of their own: the body is an ordinary CP, an error after
 * the junk is the usual 422, and no worker is replaced.
 */
test('217-robust-many-ignored-objects', async () => {
	const master = Number(ENV.FP_TEST_FPD_PID);
	const kids = children(master);
	assert.ok(kids.length > 0, `master ${master} has no children`);
	const row = `[${Array(30).fill('{"":0}').join(',')}]`;
	const junk = `[${Array(1000).fill(row).join(',')}]`;
	const pad = ['x'.repeat(8000), 'y'.repeat(8000)];
	const body = (o) => JSON.stringify(cpBody({ pad, ...o })).replace(/^\{/, `{"junk":${junk},`);

	const ok = body();
	const size = Buffer.byteLength(ok);
	assert.ok(size > 220 * 1024 && size < 256 * 1024, `body of ${size} bytes`);
	let res = await postCp(ok);
	assert.equal(res.status, 201, res.text.slice(0, 300));
	isJson(res);
	assert.equal(res.json.data.name, 'Grid Co');

	res = await unchanged(() => postCp(body({ name: 5 })));
	expectMalformedJson(res, 'wrong type after the junk');
	assert.equal(res.json.message, "Malformed JSON: expected a string for 'name'");

	// the same objects kept as serviceProps text
	res = await postCp(JSON.stringify(cpBody({ serviceProps: { junk: JSON.parse(junk) } })));
	assert.equal(res.status, 201, res.text.slice(0, 300));
	assert.equal(res.json.data.serviceProps.junk.length, 1000);

	assert.deepEqual(children(master), kids, 'a worker was replaced');
});
