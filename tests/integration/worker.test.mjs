// worker.test.mjs -- the worker's connection loop (src/worker.c), spoken to
// in FastCGI straight on oscp-fpd's socket (no nginx in between, so the
// test decides when connections open, stay and close):
//
//  * a connection opened with FCGI_KEEP_CONN (nginx's fastcgi_keep_conn on)
//    carries request after request;
//  * idle kept connections do not pin workers: with many more of them open
//    than there are workers, a new connection is still answered at once,
//    and every kept one still answers its next request;
//  * without FCGI_KEEP_CONN the worker closes the connection after the
//    response;
//  * a kept connection the web server closes is let go, and the pool keeps
//    answering;
//  * a worker told to stop (SIGTERM) answers the requests already waiting
//    on its kept connections, closes them, and is replaced.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { ENV, children, sleep } from './lib.mjs';

function confValue(key) {
	const m = fs.readFileSync(ENV.FP_TEST_CONF, 'utf8').match(new RegExp(`^\\s*${key}\\s*=\\s*(.+?)\\s*$`, 'm'));
	assert.ok(m, `no ${key} in ${ENV.FP_TEST_CONF}`);
	return m[1];
}

const SOCK = confValue('listen');
const WORKERS = Number(confValue('workers'));

const FCGI_BEGIN_REQUEST = 1, FCGI_END_REQUEST = 3, FCGI_PARAMS = 4,
	FCGI_STDIN = 5, FCGI_STDOUT = 6, FCGI_KEEP_CONN = 1;

function record(type, id, body = Buffer.alloc(0)) {
	const h = Buffer.alloc(8);
	h[0] = 1;
	h[1] = type;
	h.writeUInt16BE(id, 2);
	h.writeUInt16BE(body.length, 4);
	return Buffer.concat([h, body]);
}

function nvLen(n) {
	if (n < 128)
		return Buffer.from([n]);
	const b = Buffer.alloc(4);
	b.writeUInt32BE((n | 0x80000000) >>> 0);
	return b;
}

/** One FastCGI request for GET `uri` as bytes (request id 1). */
function requestBytes(uri, keep) {
	const begin = Buffer.from([0, 1, keep ? FCGI_KEEP_CONN : 0, 0, 0, 0, 0, 0]);
	const params = {
		REQUEST_METHOD: 'GET', REQUEST_URI: uri, SCRIPT_NAME: uri,
		QUERY_STRING: '', SERVER_PROTOCOL: 'HTTP/1.1', HTTP_HOST: 'fcgi.test',
		REQUEST_ID: `worker-test-${uri.length}`,
	};
	const nv = Buffer.concat(Object.entries(params).flatMap(([k, v]) =>
		[nvLen(Buffer.byteLength(k)), nvLen(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)]));
	return Buffer.concat([record(FCGI_BEGIN_REQUEST, 1, begin),
		record(FCGI_PARAMS, 1, nv), record(FCGI_PARAMS, 1),
		record(FCGI_STDIN, 1)]);
}

/**
 * A FastCGI connection: send(uri, keep) resolves with the response text
 * (the STDOUT records) once END_REQUEST arrives; `closed` says whether the
 * other end has closed it.
 */
function connect() {
	return new Promise((resolve, reject) => {
		const s = net.createConnection(SOCK);
		const c = { s, buf: Buffer.alloc(0), out: [], waiter: null, closed: false };
		s.on('data', (d) => {
			c.buf = Buffer.concat([c.buf, d]);
			while (c.buf.length >= 8) {
				const len = c.buf.readUInt16BE(4), pad = c.buf[6];
				if (c.buf.length < 8 + len + pad)
					break;
				const type = c.buf[1], body = c.buf.subarray(8, 8 + len);
				c.buf = c.buf.subarray(8 + len + pad);
				if (type === FCGI_STDOUT)
					c.out.push(Buffer.from(body));
				else if (type === FCGI_END_REQUEST && c.waiter) {
					const w = c.waiter;
					c.waiter = null;
					w.resolve(Buffer.concat(c.out).toString('utf8'));
					c.out = [];
				}
			}
		});
		s.on('close', () => {
			c.closed = true;
			if (c.waiter)
				c.waiter.reject(new Error('connection closed before END_REQUEST'));
		});
		s.on('error', (e) => (c.waiter ? c.waiter.reject(e) : null));
		// Write the request; resolves once it is in the socket.
		c.post = (uri, keep) => new Promise((res) => s.write(requestBytes(uri, keep), res));
		c.answer = (ms = 5000) => new Promise((res, rej) => {
			const t = setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms);
			c.waiter = {
				resolve: (v) => { clearTimeout(t); res(v); },
				reject: (e) => { clearTimeout(t); rej(e); },
			};
		});
		c.send = (uri, keep, ms = 5000) => new Promise((res, rej) => {
			const t = setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms);
			c.waiter = {
				resolve: (v) => { clearTimeout(t); res(v); },
				reject: (e) => { clearTimeout(t); rej(e); },
			};
			s.write(requestBytes(uri, keep));
		});
		// Half-close and wait for the worker's close; a connection no
		// worker took (the failure 411 looks for) is dropped after 1 s.
		c.end = () => new Promise((res) => {
			if (c.closed)
				return res();
			const t = setTimeout(() => s.destroy(), 1000);
			s.once('close', () => { clearTimeout(t); res(); });
			s.end();
		});
		s.once('connect', () => resolve(c));
		s.once('error', reject);
	});
}

function assertPing(text) {
	assert.match(text, /^Status: 200 OK\r\n/, text.slice(0, 80));
	assert.match(text, /\r\n\r\n\{"success":true,"data":\{"status":"ok"\}\}$/);
}

/** Resolves once the connection is closed by the other end, or after `ms`. */
function closedWithin(c, ms) {
	if (c.closed)
		return Promise.resolve(true);
	return new Promise((res) => {
		const t = setTimeout(() => res(false), ms);
		c.s.once('close', () => { clearTimeout(t); res(true); });
	});
}

test('410-worker-kept-connection-carries-many-requests', async () => {
	const c = await connect();
	try {
		for (let i = 0; i < 5; i++)
			assertPing(await c.send('/ping', true));
		assert.equal(await closedWithin(c, 200), false, 'worker closed a kept connection');
		// An unknown route on the same connection: the JSON 404, still open.
		const nf = await c.send('/no/such/route', true);
		assert.match(nf, /^Status: 404 /);
		assert.equal(await closedWithin(c, 200), false);
	} finally {
		await c.end();
	}
});

test('411-worker-idle-kept-connections-do-not-pin-workers', async () => {
	assert.ok(WORKERS >= 1);
	const held = [];
	try {
		// Many more idle kept connections than workers.
		for (let i = 0; i < WORKERS * 4 + 3; i++) {
			const c = await connect();
			held.push(c);
			assertPing(await c.send('/ping', true, 3000));
		}
		// A new connection is answered at once, not after a kept one closes.
		const fresh = await connect();
		const t0 = Date.now();
		assertPing(await fresh.send('/ping', false, 3000));
		assert.ok(Date.now() - t0 < 2000, `fresh connection waited ${Date.now() - t0} ms`);
		await fresh.end();
		// And every kept connection answers its next request, in any order.
		const again = await Promise.all(held.map((c) => c.send('/ping', true, 5000)));
		again.forEach(assertPing);
	} finally {
		await Promise.all(held.map((c) => c.end()));
	}
});

test('412-worker-closes-connection-without-keep-conn', async () => {
	const c = await connect();
	assertPing(await c.send('/ping', false));
	assert.equal(await closedWithin(c, 3000), true, 'connection left open without FCGI_KEEP_CONN');
});

test('413-worker-lets-go-of-closed-kept-connections', async () => {
	// Open and close many kept connections; their slots must be freed
	// (a worker holds at most 256: 800 in all is more than two workers
	// hold), so the pool keeps answering.
	for (let round = 0; round < 8; round++) {
		const cs = [];
		try {
			for (let i = 0; i < 100; i++)
				cs.push(await connect());
			const answers = await Promise.all(cs.map((c) => c.send('/ping', true, 5000)));
			answers.forEach(assertPing);
		} finally {
			await Promise.all(cs.map((c) => c.end()));
		}
	}
	const c = await connect();
	assertPing(await c.send('/ping', true));
	await c.end();
});

test('414-worker-stop-answers-waiting-requests-then-closes', async () => {
	const master = Number(ENV.FP_TEST_FPD_PID);
	const before = children(master);
	assert.ok(before.length >= 1, `master ${master} has no children`);
	const held = [];
	try {
		for (let i = 0; i < WORKERS * 3; i++) {
			const c = await connect();
			held.push(c);
			assertPing(await c.send('/ping', true, 3000));
		}
		// With the workers frozen, a request is written on every kept
		// connection and the stop signal sent; thawed, each worker sees
		// the signal first and must still answer what is waiting before
		// it closes its connections.
		for (const pid of before)
			process.kill(pid, 'SIGSTOP');
		const answers = held.map((c) => c.answer(10000));
		await Promise.all(held.map((c) => c.post('/ping', true)));
		for (const pid of before) {
			process.kill(pid, 'SIGTERM');
			process.kill(pid, 'SIGCONT');
		}
		(await Promise.all(answers)).forEach(assertPing);
		const closed = await Promise.all(held.map((c) => closedWithin(c, 5000)));
		assert.deepEqual(closed, held.map(() => true), 'a kept connection outlived its worker');
	} finally {
		await Promise.all(held.map((c) => c.end()));
	}
	// The master replaces them and the pool answers again.
	let now = [];
	for (const deadline = Date.now() + 10000; Date.now() < deadline; await sleep(100)) {
		now = children(master);
		if (now.length === before.length && now.every((p) => !before.includes(p)))
			break;
	}
	assert.equal(now.length, before.length, `children before ${before}, now ${now}`);
	assert.ok(now.every((p) => !before.includes(p)), `not all replaced: before ${before}, now ${now}`);
	const c = await connect();
	assertPing(await c.send('/ping', false, 5000));
	await c.end();
});
