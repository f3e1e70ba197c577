// fcgi.mjs -- a raw FastCGI client for the tests that speak to oscp-fpd's
// socket straight, without nginx in between, so the test decides when
// connections open, stay and close (worker.test.mjs, socket.test.mjs).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { ENV } from './lib.mjs';

/** A key's value in the harness's oscp-fp config (FP_TEST_CONF). */
export function confValue(key) {
	const m = fs.readFileSync(ENV.FP_TEST_CONF, 'utf8').match(new RegExp(`^\\s*${key}\\s*=\\s*(.+?)\\s*$`, 'm'));
	return m ? m[1] : undefined;
}

export const FCGI_BEGIN_REQUEST = 1, FCGI_END_REQUEST = 3, FCGI_PARAMS = 4,
	FCGI_STDIN = 5, FCGI_STDOUT = 6, FCGI_KEEP_CONN = 1;

export function record(type, id, body = Buffer.alloc(0)) {
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
export function requestBytes(uri, keep) {
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
 * A FastCGI connection to `where` (a unix socket path, default the
 * harness's listen; or net.connect options such as {host, port,
 * localAddress}): send(uri, keep) resolves with the response text (the
 * STDOUT records) once END_REQUEST arrives; `closed` says whether the
 * other end has closed it, `got` counts the bytes it sent.
 */
export function connect(where = confValue('listen')) {
	return new Promise((resolve, reject) => {
		const s = net.createConnection(where);
		const c = { s, buf: Buffer.alloc(0), out: [], waiter: null, closed: false, got: 0 };
		s.on('data', (d) => {
			c.got += d.length;
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

export function assertPing(text) {
	assert.match(text, /^Status: 200 OK\r\n/, text.slice(0, 80));
	assert.match(text, /\r\n\r\n\{"success":true,"data":\{"status":"ok"\}\}$/);
}

/** Resolves once the connection is closed by the other end, or after `ms`. */
export function closedWithin(c, ms) {
	if (c.closed)
		return Promise.resolve(true);
	return new Promise((res) => {
		const t = setTimeout(() => res(false), ms);
		c.s.once('close', () => { clearTimeout(t); res(true); });
	});
}
