// deploy.test.mjs -- tests 1000-1049: the shipped front ends, as an
// operator deploys them (issue 11).  tests/integration/deploy.sh renders
// nginx/oscp-fp.prod.conf and apache/oscp-fp.conf with only the
// substitutions their headers document (ports, certificate, socket, data
// and log paths), runs them privately in front of the harness's oscp-fpd
// (Apache inside a copy of Debian's own /etc/apache2 layout), and these
// tests drive them over TLS with HTTP/1.1 and HTTP/2: signed GET with a
// query string, signed POST with Content-Length and without (chunked) up
// to the 256 KiB cap, over-cap bodies, unknown paths, no credentials, and
// a second instance of each pointed at a socket that does not exist.
// Every answer must be JSON, labelled application/json, with the right
// status.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import https from 'node:https';
import http from 'node:http';
import http2 from 'node:http2';
import tls from 'node:tls';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { ENV, API, newTenant, cpBody, request as viaHarness, signRequest, sleep } from './lib.mjs';
import { record, FCGI_STDIN, FCGI_STDOUT, FCGI_END_REQUEST } from './fcgi.mjs';

const SRC = process.env.FP_TEST_SRCDIR;
const SOCK = process.env.FP_TEST_FPD_SOCK;
if (!SRC || !SOCK)
	throw new Error('deploy tests need FP_TEST_SRCDIR and FP_TEST_FPD_SOCK (tests/integration/run)');
const DEPLOY = path.join(SRC, 'tests', 'integration', 'deploy.sh');
const CAP = 262144;
// Under valgrind the daemon parses a 256 KiB body slowly.
const TIMEOUT = 120000;

const TMP = fs.mkdtempSync(path.join(ENV.FP_TEST_TMP, 'deploy-'));
// The servers' workers (nobody, when we are root) write request bodies
// under here.
fs.chmodSync(TMP, 0o755);

const fronts = {};	// name -> {dir, pid, port, hport}
// The socket the *-nosock fronts point at: missing, until test 1043.
const GONE = path.join(TMP, 'no-such-dir', 'oscp-fp.sock');
let CA;
let tenant;

function deploySh(...args) {
	const r = spawnSync('bash', [DEPLOY, ...args], { encoding: 'utf8', timeout: 180000 });
	if (r.status !== 0)
		throw new Error(`deploy.sh ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
	return r.stdout.trim();
}

function start(name, kind, sock) {
	const dir = path.join(TMP, name);
	fs.mkdirSync(dir, { recursive: true });
	fs.copyFileSync(path.join(TMP, 'cert', 'cert.pem'), path.join(dir, 'cert.pem'));
	fs.copyFileSync(path.join(TMP, 'cert', 'key.pem'), path.join(dir, 'key.pem'));
	const [pid, port, hport] = deploySh(kind, SRC, dir, sock).split(/\s+/).map(Number);
	assert.ok(pid > 0 && port > 0 && hport > 0, `${name}: pid/ports`);
	fronts[name] = { name, kind, dir, pid, port, hport };
}

before(() => {
	deploySh('cert', path.join(TMP, 'cert'));
	CA = fs.readFileSync(path.join(TMP, 'cert', 'cert.pem'));
	start('nginx', 'nginx', SOCK);
	start('apache', 'apache', SOCK);
	start('nginx-nosock', 'nginx', GONE);
	start('apache-nosock', 'apache', GONE);
	tenant = newTenant();
});

after(() => {
	for (const f of Object.values(fronts))
		deploySh('stop', f.dir);
});

/* ------------------------------------------------------------------ */
/* Clients: HTTP/1.1 and HTTP/2 over TLS, bodies with Content-Length   */
/* or without (chunked; an HTTP/2 stream without the header)           */
/* ------------------------------------------------------------------ */

function finish(status, headers, chunks) {
	const text = Buffer.concat(chunks).toString('utf8');
	let json;
	try {
		json = text.length ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status, headers, text, json };
}

/* The body in 16 KiB writes (each one chunk when there is no length). */
function writeBody(req, buf) {
	for (let off = 0; off < buf.length; off += 16384)
		req.write(buf.subarray(off, Math.min(off + 16384, buf.length)));
}

function h1(front, method, target, { headers = {}, body, chunked = false } = {}) {
	return new Promise((resolve, reject) => {
		const h = { ...headers };
		if (!Object.keys(h).some((k) => k.toLowerCase() === 'host'))
			h.Host = `127.0.0.1:${front.port}`;
		const buf = body === undefined ? undefined : Buffer.from(body);
		if (buf !== undefined && !chunked)
			h['Content-Length'] = String(buf.length);
		let done = false;
		const req = https.request({
			host: '127.0.0.1', port: front.port, method, path: target, headers: h,
			ca: CA, agent: false, setHost: false,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				done = true;
				resolve(finish(res.statusCode, { ...res.headers }, chunks));
			});
		});
		req.setTimeout(TIMEOUT, () => req.destroy(new Error(`timeout: ${method} ${target}`)));
		// A server that answers before the whole body is sent (413) may
		// close the connection under our writes: only an error before the
		// answer counts.
		req.on('error', (e) => {
			if (!done)
				reject(e);
		});
		if (buf !== undefined)
			writeBody(req, buf);
		req.end();
	});
}

function h2(front, method, target, { headers = {}, body, chunked = false } = {}) {
	return new Promise((resolve, reject) => {
		const session = http2.connect(`https://127.0.0.1:${front.port}`, { ca: CA });
		session.on('error', reject);
		session.on('connect', () => {
			if (session.alpnProtocol !== 'h2') {
				session.destroy();
				reject(new Error(`${front.name}: ALPN gave ${session.alpnProtocol}, not h2`));
			}
		});
		const h = { ':method': method, ':path': target };
		for (const [k, v] of Object.entries(headers)) {
			if (k.toLowerCase() === 'host')
				h[':authority'] = v;
			else
				h[k.toLowerCase()] = v;
		}
		if (h[':authority'] === undefined)
			h[':authority'] = `127.0.0.1:${front.port}`;
		const buf = body === undefined ? undefined : Buffer.from(body);
		if (buf !== undefined && !chunked)
			h['content-length'] = String(buf.length);
		const req = session.request(h, { endStream: buf === undefined });
		let status;
		let rh;
		const chunks = [];
		req.setTimeout(TIMEOUT, () => {
			session.destroy();
			reject(new Error(`timeout: ${method} ${target}`));
		});
		req.on('response', (x) => {
			status = x[':status'];
			rh = { ...x };
		});
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			session.close();
			if (status === undefined)
				reject(new Error(`${front.name}: stream ended without an answer`));
			else
				resolve(finish(status, rh, chunks));
		});
		// A stream reset after the answer (the server stops reading an
		// over-cap body) is not an error of the answer.
		req.on('error', (e) => {
			session.destroy();
			if (status === undefined)
				reject(e);
			else
				resolve(finish(status, rh, chunks));
		});
		if (buf !== undefined) {
			writeBody(req, buf);
			req.end();
		}
	});
}

/* Bytes as they are over TLS; the answer read until the server closes. */
function raw(front, bytes) {
	return new Promise((resolve, reject) => {
		const sock = tls.connect({ host: '127.0.0.1', port: front.port, ca: CA,
		    ALPNProtocols: ['http/1.1'] }, () => sock.end(bytes));
		const chunks = [];
		sock.setTimeout(TIMEOUT, () => sock.destroy(new Error('timeout')));
		sock.on('data', (c) => chunks.push(c));
		sock.on('error', reject);
		sock.on('close', () => {
			const text = Buffer.concat(chunks).toString('latin1');
			const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
			if (!m)
				return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
			const headEnd = text.indexOf('\r\n\r\n');
			const headers = {};
			for (const line of text.slice(0, headEnd).split('\r\n').slice(1)) {
				const i = line.indexOf(':');
				headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
			}
			resolve(finish(Number(m[1]), headers, [Buffer.from(text.slice(headEnd + 4), 'latin1')]));
		});
	});
}

const PROTOS = { 'HTTP/1.1': h1, 'HTTP/2': h2 };

/* Signed call through FRONT: Host is the front's address. */
function signed(front, proto, method, target, { body, contentType, chunked } = {}) {
	const headers = signRequest({
		method, url: target, body, contentType,
		tokenId: tenant.tokenId, secret: tenant.secret, date: new Date(),
		host: `127.0.0.1:${front.port}`,
	});
	return PROTOS[proto](front, method, target, { headers, body, chunked });
}

/* A capacity provider as JSON, padded with white space to SIZE bytes. */
function cpJson(size) {
	const s = JSON.stringify(cpBody());
	assert.ok(s.length < size, 'size');
	return Buffer.concat([Buffer.from(s), Buffer.alloc(size - s.length, 0x20)]);
}

function assertJson(res, status, what) {
	const show = `${what}: ${res.status} ${res.headers['content-type']} ${res.text.slice(0, 300)}`;
	assert.equal(res.status, status, show);
	assert.match(String(res.headers['content-type']), /^application\/json/, show);
	assert.ok(res.json !== null && typeof res.json === 'object', `${show}: not JSON`);
	assert.equal(res.json.success, status < 400, show);
	return res.json;
}

/* ------------------------------------------------------------------ */
/* The tests: the same set for each front end and protocol             */
/* ------------------------------------------------------------------ */

const NOSOCK_STATUS = { nginx: 502, apache: 503 };
let n = 1000;
for (const name of ['nginx', 'apache']) {
	for (const proto of Object.keys(PROTOS)) {
		const label = `${name === 'nginx' ? 'nginx/oscp-fp.prod.conf' : 'apache/oscp-fp.conf'} ${proto}`;
		const call = PROTOS[proto];

		test(`${n} ${label}: a signed GET with a query string verifies, and answers as through the dev nginx`, async () => {
			const f = fronts[name];
			const target = `${API}/capacity-providers?b=2&a=x%2Fy%20z&a=1&c=%C3%A9+d&e=`;
			const res = await signed(f, proto, 'GET', target);
			const data = assertJson(res, 200, 'GET with query');
			const ref = await viaHarness('GET', target, {
				headers: signRequest({ method: 'GET', url: target, tokenId: tenant.tokenId,
				    secret: tenant.secret, date: new Date() }),
			});
			assert.equal(ref.status, 200, ref.text);
			assert.deepEqual(data, ref.json);
			// The raw path reaches the pool: it echoes the id as sent.
			for (const t of [`${API}/capacity-providers/a%2Fb?x=%2F`, `${API}/capacity-providers/%31`]) {
				const r = await signed(f, proto, 'GET', t);
				assertJson(r, 422, `GET ${t}`);
				const id = t.slice(t.lastIndexOf('/') + 1).split('?')[0];
				assert.equal(r.json.message, `Illegal argument: Invalid id value '${id}'`, r.text);
			}
		});

		test(`${n + 1} ${label}: signed POSTs with Content-Length verify, up to the 256 KiB cap`, async () => {
			const f = fronts[name];
			for (const size of [1024, 20000, 70000, CAP]) {
				const res = await signed(f, proto, 'POST', `${API}/capacity-providers`,
				    { body: cpJson(size), contentType: 'application/json' });
				const data = assertJson(res, 201, `POST ${size} bytes`);
				assert.ok(data.data.configId > 0, `configId: ${res.text}`);
			}
		});

		test(`${n + 2} ${label}: signed POSTs without Content-Length (${proto === 'HTTP/2' ? 'no header' : 'chunked'}) verify, up to the cap`, async () => {
			const f = fronts[name];
			for (const size of [1024, 20000, 70000, CAP]) {
				const res = await signed(f, proto, 'POST', `${API}/capacity-providers`,
				    { body: cpJson(size), contentType: 'application/json', chunked: true });
				const data = assertJson(res, 201, `POST ${size} bytes without length`);
				assert.ok(data.data.configId > 0, `configId: ${res.text}`);
			}
		});

		test(`${n + 3} ${label}: a body over the cap gets a JSON 413, with and without Content-Length`, async () => {
			const f = fronts[name];
			for (const chunked of [false, true]) {
				for (const size of [CAP + 1, 4 * CAP]) {
					const res = await signed(f, proto, 'POST', `${API}/capacity-providers`,
					    { body: cpJson(size), contentType: 'application/json', chunked });
					assertJson(res, 413, `POST ${size} bytes${chunked ? ' without length' : ''}`);
				}
			}
		});

		test(`${n + 4} ${label}: unknown paths get a JSON 404, no credentials a JSON 401, /ping answers`, async () => {
			const f = fronts[name];
			for (const p of ['/', '/nothing', '/index.html', '/solaruser/nothing',
			    '/server-status', '/icons/', '/cgi-bin/x', '/favicon.ico', '/.oscp-fp-error/413'])
				assertJson(await call(f, 'GET', p), 404, `GET ${p}`);
			assertJson(await call(f, 'GET', `${API}/capacity-providers?x=1`), 401, 'no Authorization');
			assertJson(await call(f, 'POST', `${API}/capacity-providers`,
			    { body: '{}', headers: { 'content-type': 'application/json' } }), 401,
			    'POST, no Authorization');
			const pong = await call(f, 'GET', '/ping');
			const ping = assertJson(pong, 200, 'GET /ping');
			assert.deepEqual(ping.data, { status: 'ok' });
			// Over TLS, h2 is offered by ALPN only: no Upgrade header
			// (clients that see one on a TLS connection may fail).
			assert.equal(pong.headers.upgrade, undefined, `Upgrade: ${pong.headers.upgrade}`);
			assert.doesNotMatch(String(pong.headers.connection), /upgrade/i,
			    `Connection: ${pong.headers.connection}`);
			// Requests the front refuses before routing them.
			if (proto === 'HTTP/1.1') {
				assertJson(await call(f, 'GET', '/' + 'a'.repeat(9000)), 414, 'a 9000-byte path');
				assertJson(await raw(f, 'GET /ping HTTP/1.1\r\n\r\n'), 400, 'no Host');
				// A client that closes is still told so.
				const bye = await call(f, 'GET', '/ping', { headers: { connection: 'close' } });
				assertJson(bye, 200, 'GET /ping, Connection: close');
				assert.equal(bye.headers.connection, 'close');
				assert.equal(bye.headers.upgrade, undefined);
				assertJson(await raw(f, 'GET /ping x y\r\nHost: a\r\n\r\n'), 400,
				    'a bad request line');
			} else {
				// HTTP/2 has no request line: a long path is just long.
				const res = await call(f, 'GET', '/' + 'a'.repeat(9000));
				assertJson(res, res.status === 414 ? 414 : 404, 'a 9000-byte path');
			}
		});

		test(`${n + 5} ${label}: with the daemon's socket missing, a JSON ${NOSOCK_STATUS[name]}`, async () => {
			const f = fronts[`${name}-nosock`];
			for (let i = 0; i < 2; i++) {
				assertJson(await signed(f, proto, 'GET', `${API}/capacity-providers?x=1`),
				    NOSOCK_STATUS[name], `GET, attempt ${i + 1}`);
				assertJson(await signed(f, proto, 'POST', `${API}/capacity-providers`,
				    { body: cpJson(30000), contentType: 'application/json', chunked: true }),
				    NOSOCK_STATUS[name], `POST, attempt ${i + 1}`);
			}
			assertJson(await call(f, 'GET', '/ping'), NOSOCK_STATUS[name], 'GET /ping');
			// Outside the API the front answers by itself, socket or not.
			assertJson(await call(f, 'GET', '/nothing'), 404, 'GET /nothing');
		});
		n += 10;
	}
}

/* ------------------------------------------------------------------ */
/* Apache: request ids                                                 */
/* ------------------------------------------------------------------ */

/* The reqid= values of oscp-fpd's access lines, oldest first. */
function fpdReqids() {
	const log = fs.readFileSync(ENV.FP_TEST_FPD_LOG, 'utf8');
	return [...log.matchAll(/ access reqid=(\S+) /g)].map((m) => m[1]);
}

/* The reqids oscp-fpd logs after the first `before` (it logs a request
 * once it has answered it: wait for it, valgrind is slow). */
async function newFpdReqids(before) {
	for (let i = 0; i < 150; i++) {
		const ids = fpdReqids();
		if (ids.length > before)
			return ids.slice(before);
		await sleep(100);
	}
	return [];
}

test('1040 apache/oscp-fp.conf: oscp-fpd and Apache log the same request id (the caller\'s, else mod_unique_id\'s)', async () => {
	const f = fronts.apache;
	const accessLog = path.join(f.dir, 'log', 'oscp-fp.access.log');
	const mine = `deploy-${Date.now()}`;
	for (const proto of Object.keys(PROTOS)) {
		for (const [sent, expectOwn] of [[mine, true], [undefined, false], ['has space', false]]) {
			const headers = signRequest({
				method: 'GET', url: `${API}/capacity-providers`, tokenId: tenant.tokenId,
				secret: tenant.secret, date: new Date(), host: `127.0.0.1:${f.port}`,
			});
			if (sent !== undefined)
				headers['X-Request-ID'] = sent;
			const before = fpdReqids().length;
			assertJson(await PROTOS[proto](f, 'GET', `${API}/capacity-providers`, { headers }), 200,
			    `${proto} X-Request-ID ${sent}`);
			const ids = await newFpdReqids(before);
			assert.equal(ids.length, 1, `${proto}: one access line, got ${ids}`);
			const id = ids[0];
			if (expectOwn) {
				assert.equal(id, mine, `${proto}: oscp-fpd logs the caller's id`);
			} else {
				assert.match(id, /^[A-Za-z0-9@_-]{20,}$/, `${proto}: a mod_unique_id id, got ${id}`);
				assert.notEqual(id, sent);
			}
			// Apache writes its access line when the request is done.
			let lines = [];
			for (let i = 0; i < 50; i++) {
				lines = fs.readFileSync(accessLog, 'utf8').trim().split('\n');
				if (lines.some((l) => l.endsWith(` id=${id}`)))
					break;
				await sleep(100);
			}
			assert.ok(lines.some((l) => l.endsWith(` id=${id}`)),
			    `${proto}: Apache's access log has id=${id}: ${lines.slice(-3).join(' | ')}`);
		}
	}
});

test('1041 nginx/oscp-fp.prod.conf: plain http redirects to https, and nothing else', async () => {
	const f = fronts.nginx;
	const res = await new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port: f.hport, method: 'GET',
		    path: `${API}/capacity-providers?x=1`, agent: false,
		    headers: { Host: 'oscp.example.com' } }, (r) => {
			const chunks = [];
			r.on('data', (c) => chunks.push(c));
			r.on('end', () => resolve({ r, text: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('error', reject);
		req.end();
	});
	assert.equal(res.r.statusCode, 301);
	assert.equal(res.r.headers.location, `https://oscp.example.com${API}/capacity-providers?x=1`);
	// The body is JSON too, like every other answer.
	assert.match(String(res.r.headers['content-type']), /^application\/json/, res.text);
	assert.deepEqual(JSON.parse(res.text), { success: false, code: '301',
	    message: 'Moved permanently: use https' });
});

test('1042 nginx/oscp-fp.prod.conf: requests over the rate limits get a JSON 429', async () => {
	// The bad-auth zone (per address, 5 r/s, burst 10) is the smallest:
	// 40 requests without credentials at once overflow it.  Runs last: it
	// spends this address's allowance.
	const f = fronts.nginx;
	const all = await Promise.all(Array.from({ length: 40 }, () =>
	    h2(f, 'GET', `${API}/capacity-providers`)));
	const limited = all.filter((r) => r.status === 429);
	assert.ok(limited.length > 0, `no 429 among ${all.map((r) => r.status).join(',')}`);
	for (const r of all)
		assertJson(r, r.status === 429 ? 429 : 401, 'no credentials');
	assert.equal(limited[0].json.code, 'WEB.10000');
});

/*
 * A stand-in FastCGI responder: answers every request (after its empty
 * STDIN record) with a fixed JSON body, then closes the connection.
 */
function standIn(sockPath, body) {
	const srv = net.createServer((c) => {
		let buf = Buffer.alloc(0);
		c.on('error', () => {});
		c.on('data', (d) => {
			buf = Buffer.concat([buf, d]);
			while (buf.length >= 8) {
				const len = buf.readUInt16BE(4) + buf[6];
				if (buf.length < 8 + len)
					break;
				const type = buf[1], id = buf.readUInt16BE(2), clen = buf.readUInt16BE(4);
				buf = buf.subarray(8 + len);
				if (type === FCGI_STDIN && clen === 0) {
					c.end(Buffer.concat([
						record(FCGI_STDOUT, id, Buffer.from('Status: 200 OK\r\n' +
						    'Content-Type: application/json\r\n\r\n' + body)),
						record(FCGI_STDOUT, id),
						record(FCGI_END_REQUEST, id, Buffer.alloc(8)),
					]));
				}
			}
		});
	});
	return new Promise((resolve, reject) => {
		srv.on('error', reject);
		srv.listen(sockPath, () => resolve(srv));
	});
}

test('1043 both: when the daemon\'s socket comes back, the very next request reaches it', async () => {
	for (const name of ['apache-nosock', 'nginx-nosock'])
		assertJson(await h1(fronts[name], 'GET', '/ping'), NOSOCK_STATUS[name.split('-')[0]],
		    `${name}: socket missing`);
	fs.mkdirSync(path.dirname(GONE), { mode: 0o755 });
	fs.chmodSync(path.dirname(GONE), 0o755);
	const srv = await standIn(GONE, '{"success":true,"data":{"standIn":true}}');
	try {
		// The fronts' workers (nobody) connect to it.
		fs.chmodSync(GONE, 0o777);
		for (const name of ['apache-nosock', 'nginx-nosock']) {
			for (const proto of Object.keys(PROTOS)) {
				const res = await PROTOS[proto](fronts[name], 'GET', '/ping');
				assertJson(res, 200, `${name} ${proto}: the socket is back`);
				assert.deepEqual(res.json.data, { standIn: true });
			}
		}
	} finally {
		await new Promise((r) => srv.close(r));
		fs.rmSync(path.dirname(GONE), { recursive: true, force: true });
	}
});
