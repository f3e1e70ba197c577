// hardening.test.mjs -- issue 10: one Authorization grammar in the daemon
// and in nginx's rate-limit keys (defect 3), dates before 1970 (defect 6),
// a long unsigned X-SN-* header name (defect 7), JSON error pages that
// read nothing from the checkout (defect 8).
//
// The rate-limit tests drive nginx/test.conf.in's zones, which are
// production's zones and keys (nginx/snws2_limit_keys) counted only for
// requests carrying X-FP-Test-Limit: <id>; the id stands for the client
// address.  Test rates are 1r/m, bursts: per token 5, per address for
// requests that cannot authenticate 3, per address for all requests 12.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { API, ENV, newTenant, request, signRequest, sleep, snws2Parts } from './lib.mjs';

const LIST = API + '/capacity-providers';
const RATE_LIMITED = '{"success":false,"code":"WEB.10000","message":"Rate limit exceeded"}';
const UNKNOWN = 'Unknown Authorization component (only Credential, SignedHeaders and ' +
    'Signature are allowed)';

function isJson(res) {
	assert.match(res.headers['content-type'] ?? '', /^application\/json/,
	    `content type of ${res.status}: ${res.headers['content-type']}`);
}

function expect401(res, message) {
	assert.equal(res.status, 401, `status for "${message}": ${res.text}`);
	isJson(res);
	assert.equal(res.headers['www-authenticate'], 'SNWS2');
	assert.equal(res.headers['x-sn-errormessage'], message);
	assert.equal(res.text, JSON.stringify({ success: false, message }));
}

function expect429(res) {
	assert.equal(res.status, 429, res.text);
	isJson(res);
	assert.equal(res.text, RATE_LIMITED);
}

/** A fresh X-FP-Test-Limit id: a client address of its own. */
const limitId = () => 'c' + crypto.randomBytes(6).toString('hex');

/** Signed GET of the list; `mangle` may rewrite the Authorization header. */
function signedList(t, { id, mangle = (a) => a } = {}) {
	const h = signRequest({ method: 'GET', url: LIST, tokenId: t.tokenId, secret: t.secret });
	h.Authorization = mangle(h.Authorization);
	if (id !== undefined)
		h['X-FP-Test-Limit'] = id;
	return request('GET', LIST, { headers: h });
}

/* ------------------------------------------------------------------ */
/* Defect 3: the daemon's grammar                                      */
/* ------------------------------------------------------------------ */

test('900-hardening-auth-duplicate-component', async () => {
	const t = newTenant();
	const ok = await signedList(t);
	assert.equal(ok.status, 200, ok.text);
	// a fake Credential before the real one (nginx once keyed on the
	// first, the daemon authenticated the last), and after it
	expect401(await signedList(t, { mangle: (a) => a.replace('Credential=',
	    'Credential=FakeToken0000000001,Credential=') }),
	    'Duplicate Credential in the Authorization header');
	expect401(await signedList(t, { mangle: (a) => a + ',Credential=FakeToken0000000001' }),
	    'Duplicate Credential in the Authorization header');
	expect401(await signedList(t, { mangle: (a) => a + ',' + /Signature=[0-9a-f]+/.exec(a)[0] }),
	    'Duplicate Signature in the Authorization header');
});

test('901-hardening-auth-unknown-component', async () => {
	const t = newTenant();
	for (const mangle of [
		(a) => a + ',Foo=bar',
		(a) => a.replace('SNWS2 ', 'SNWS2 Algorithm=HMAC,'),
		(a) => a.replace(',Signature=', ',junk,Signature='),
	])
		expect401(await signedList(t, { mangle }), UNKNOWN);
	expect401(await signedList(t, { mangle: (a) => a.replace('SNWS2 ', 'SNWS2,') }),
	    "Malformed Authorization header (expected 'SNWS2 Credential=...," +
	    "SignedHeaders=...,Signature=...')");
	// the three components in another order are still fine
	const reordered = await signedList(t, { mangle: (a) => {
		const m = /^SNWS2 (Credential=[^,]+),(SignedHeaders=[^,]+),(Signature=[^,]+)$/.exec(a);
		return `SNWS2 ${m[3]},${m[1]},${m[2]}`;
	} });
	assert.equal(reordered.status, 200, reordered.text);
});

/* ------------------------------------------------------------------ */
/* Defect 3: nginx's rate-limit keys use the same grammar              */
/* ------------------------------------------------------------------ */

test('902-hardening-limit-rotating-fake-first-credential', async () => {
	// Each request names a new fake token first and carries the real
	// token's valid signature.  Keyed on the first Credential, every one
	// had a fresh bucket; now they are all "cannot authenticate" requests
	// of one address.
	const t = newTenant();
	const id = limitId();
	const statuses = [];
	for (let i = 0; i < 8; i++) {
		const res = await signedList(t, { id, mangle: (a) => a.replace('Credential=',
		    `Credential=Fake${i}${crypto.randomBytes(4).toString('hex')},Credential=`) });
		statuses.push(res.status);
		if (res.status === 429)
			expect429(res);
		else
			expect401(res, 'Duplicate Credential in the Authorization header');
	}
	assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429, 429, 429]);
});

test('903-hardening-limit-unsigned-requests-do-not-drain-a-token', async () => {
	// Requests that merely name the victim's token are limited per
	// address; the victim's own bucket stays full.
	const victim = newTenant();
	const id = limitId();
	const statuses = [];
	for (let i = 0; i < 6; i++) {
		const res = await request('GET', LIST, { headers: {
			'X-SN-Date': new Date().toUTCString(),
			Authorization: `SNWS2 Credential=${victim.tokenId}`,
			'X-FP-Test-Limit': id,
		} });
		statuses.push(res.status);
		if (res.status === 429)
			expect429(res);
		else
			expect401(res, 'Invalid Signature value');
	}
	assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
	for (let i = 0; i < 6; i++) {
		const res = await signedList(victim, { id });
		assert.equal(res.status, 200, `victim request ${i + 1}: ${res.text}`);
	}
});

test('904-hardening-limit-per-token-any-component-order', async () => {
	// A well-formed header is limited under its token, whatever the
	// component order (so the per-address zone for bad headers, burst 3,
	// never sees these).
	const t = newTenant();
	const id = limitId();
	const reorder = (a) => {
		const m = /^SNWS2 (Credential=[^,]+),(SignedHeaders=[^,]+),(Signature=[^,]+)$/.exec(a);
		return `SNWS2 ${m[2]},${m[3]},${m[1]}`;
	};
	for (let i = 0; i < 5; i++) {
		const res = await signedList(t, { id, mangle: reorder });
		assert.equal(res.status, 200, `reordered request ${i + 1}: ${res.text}`);
	}
	const sixth = await signedList(t, { id });
	assert.equal(sixth.status, 200, sixth.text);
	expect429(await signedList(t, { id }));
	expect429(await signedList(t, { id, mangle: reorder }));
	// another token from the same address is not affected
	const other = newTenant();
	const res = await signedList(other, { id });
	assert.equal(res.status, 200, res.text);
});

test('905-hardening-limit-rotating-well-formed-fake-tokens', async () => {
	// Well-formed headers with a new (wrong) token id each: every one has
	// a fresh token bucket, so the per-address zone for all requests
	// (burst 12) is what stops them.
	const id = limitId();
	const statuses = [];
	for (let i = 0; i < 15; i++) {
		const tokenId = 'Fake' + crypto.randomBytes(8).toString('hex');
		const h = signRequest({ method: 'GET', url: LIST, tokenId, secret: 'not-the-secret' });
		h['X-FP-Test-Limit'] = id;
		const res = await request('GET', LIST, { headers: h });
		statuses.push(res.status);
		if (res.status === 429)
			expect429(res);
		else
			expect401(res, 'Bad credentials');
	}
	assert.deepEqual(statuses, [...Array(13).fill(401), 429, 429]);
});

/* ------------------------------------------------------------------ */
/* Defect 6: dates before 1970                                         */
/* ------------------------------------------------------------------ */

test('906-hardening-date-before-1970', async () => {
	const t = newTenant();
	const y0 = new Date(Date.UTC(2000, 0, 3));
	y0.setUTCFullYear(0);                           // Mon, 03 Jan 0000
	for (const date of [y0, new Date(-1000)]) {     // ... and 1969-12-31
		for (const dateHeader of ['x-sn-date', 'date']) {
			const msg = dateHeader === 'date' ? 'Invalid HTTP Date header value' :
			    'Invalid HTTP X-SN-Date header value';
			// signed with the date's own key
			let p = snws2Parts({ method: 'GET', url: LIST, tokenId: t.tokenId,
			    secret: t.secret, date, dateHeader });
			expect401(await request('GET', LIST, { headers: p.headers }), msg);
			// signed with an all-zero signing key (what the server used
			// when it could not format a key day)
			p = snws2Parts({ method: 'GET', url: LIST, tokenId: t.tokenId,
			    secret: t.secret, date, dateHeader });
			const sig = crypto.createHmac('sha256', Buffer.alloc(32))
			    .update(p.stringToSign, 'utf8').digest('hex');
			p.headers.Authorization = p.authorization.replace(/Signature=[0-9a-f]+$/,
			    'Signature=' + sig);
			expect401(await request('GET', LIST, { headers: p.headers }), msg);
		}
	}
});

/* ------------------------------------------------------------------ */
/* Defect 7: a long unsigned X-SN-* header name                        */
/* ------------------------------------------------------------------ */

test('907-hardening-long-unsigned-x-sn-header', async () => {
	const t = newTenant();
	for (const n of [4000, 1000, 400]) {
		const name = 'X-SN-' + 'a'.repeat(n);
		const h = signRequest({ method: 'GET', url: LIST, tokenId: t.tokenId,
		    secret: t.secret });
		h[name] = '1';
		const res = await request('GET', LIST, { headers: h });
		const message = `The '${name.toLowerCase()}' HTTP header must be included in ` +
		    'SignedHeaders';
		assert.equal(res.status, 401, `${n}: ${res.status} ${res.text.slice(0, 200)}`);
		isJson(res);
		assert.equal(res.headers['www-authenticate'], 'SNWS2');
		assert.equal(res.text, JSON.stringify({ success: false, message }));
		// the header is the message, cut to 256 bytes and marked
		const hv = res.headers['x-sn-errormessage'];
		assert.equal(hv, message.slice(0, 256) + '...');
	}
	// a short message is never cut
	const h = signRequest({ method: 'GET', url: LIST, tokenId: t.tokenId, secret: t.secret });
	h['X-SN-Foo'] = '1';
	expect401(await request('GET', LIST, { headers: h }),
	    "The 'x-sn-foo' HTTP header must be included in SignedHeaders");
});

/* ------------------------------------------------------------------ */
/* Defect 8: error pages read nothing from the checkout                */
/* ------------------------------------------------------------------ */

const RENDERED = path.join(ENV.FP_TEST_TMP, 'nginx', 'nginx.conf');

test('908-hardening-error-pages-need-no-files', () => {
	// nginx's workers (nobody) cannot read a checkout below a 0700 home;
	// only the master (root) reads the config and its includes.  So the
	// rendered config may name the source tree only in include lines, and
	// serves no files at all.
	const srcdir = process.env.FP_TEST_SRCDIR;
	assert.ok(srcdir, 'FP_TEST_SRCDIR is exported by the harness');
	const conf = fs.readFileSync(RENDERED, 'utf8');
	for (const line of conf.split('\n')) {
		const l = line.replace(/#.*/, '').trim();
		if (l.includes(srcdir))
			assert.match(l, /^include\s/, `source tree path outside an include: ${l}`);
		assert.doesNotMatch(l, /^(alias|root|try_files)\s/, `serves files: ${l}`);
	}
	for (const code of [413, 429, 502, 504])
		assert.match(conf, new RegExp(`error_page ${code} @fp_${code};`));
});

/** A free TCP port on 127.0.0.1. */
function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/** A plain request to another server on 127.0.0.1 (lib.mjs's goes to the stack). */
function requestAt(port, method, target, { headers = {}, body } = {}) {
	return new Promise((resolve, reject) => {
		const h = { Host: `127.0.0.1:${port}`, ...headers };
		if (body !== undefined)
			h['Content-Length'] = String(Buffer.byteLength(body));
		const req = http.request({ host: '127.0.0.1', port, method, path: target, headers: h,
		    agent: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
			    text: Buffer.concat(chunks).toString('utf8') }));
		});
		req.setTimeout(10000, () => req.destroy(new Error(`timeout: ${method} ${target}`)));
		req.on('error', reject);
		req.end(body);
	});
}

test('909-hardening-error-pages-from-a-0700-checkout', async () => {
	// The test stack's nginx config, run from a copy of nginx/ inside a
	// 0700 directory (as root, so the workers are nobody): the 413 is
	// still the JSON body, not nginx's HTML 403.
	const srcdir = process.env.FP_TEST_SRCDIR;
	const conf = fs.readFileSync(RENDERED, 'utf8');
	const base = fs.mkdtempSync(path.join(ENV.FP_TEST_TMP, 'home0700-'));
	fs.chmodSync(base, 0o700);
	const confdir = path.join(base, 'checkout', 'nginx');
	fs.cpSync(path.join(srcdir, 'nginx'), confdir, { recursive: true });
	const prefix = path.join(ENV.FP_TEST_TMP, 'nginx0700');
	fs.mkdirSync(path.join(prefix, 'tmp'), { recursive: true });
	const port = await freePort();
	const oldPrefix = path.join(ENV.FP_TEST_TMP, 'nginx');
	const text = conf.split(path.join(srcdir, 'nginx')).join(confdir)
	    .split(oldPrefix + '/').join(prefix + '/')
	    .replace(/listen 127\.0\.0\.1:\d+/, `listen 127.0.0.1:${port}`);
	assert.ok(!text.includes(oldPrefix + '/'), 'every prefix path moved');
	const file = path.join(prefix, 'nginx.conf');
	fs.writeFileSync(file, text);
	const ngx = spawn('nginx', ['-p', prefix + '/', '-e', path.join(prefix, 'error.log'),
	    '-c', file], { stdio: 'ignore' });
	try {
		let res;
		for (let i = 0; i < 100; i++) {
			try {
				res = await requestAt(port, 'GET', '/nowhere');
				break;
			} catch {
				await sleep(50);
			}
		}
		assert.ok(res, 'the second nginx answers');
		const big = 'x'.repeat(300 * 1024);
		res = await requestAt(port, 'POST', LIST, { body: big,
		    headers: { 'Content-Type': 'application/json' } });
		assert.equal(res.status, 413, res.text.slice(0, 200));
		isJson(res);
		assert.equal(res.text,
		    '{"success":false,"code":"413","message":"Request entity too large"}');
	} finally {
		ngx.kill('SIGTERM');
		await new Promise((r) => (ngx.exitCode !== null ? r() : ngx.on('exit', r)));
	}
});
