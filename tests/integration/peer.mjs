// peer.mjs -- an OSCP 2.0 Capacity Provider / Capacity Optimizer for the
// tests (and, run as a program, for watching the FP by hand).
//
//   const cp = await startPeer({ role: 'cp', requireToken: 'tok-cp' });
//   ... give the FP cp.baseUrl (http://127.0.0.1:PORT/oscp/cp/2.0) ...
//   const r = await cp.waitFor('/handshake_acknowledge', 10000);
//   assert.equal(r.schemaErrors, null);
//   assert.equal(r.headers['x-correlation-id'], handshakeRequestId);
//   await cp.close();
//
// The peer listens on 127.0.0.1, a random port unless `port` is given, with
// node:http.  Every request is recorded in peer.requests (token endpoint
// calls in peer.tokenRequests) as
//   { seq, method, path (the request target as sent), suffix (the path after
//     the base path, e.g. '/heartbeat'; null outside it), headers (node's:
//     names lower-cased), body (raw text), json (parsed, or null),
//     receivedAt (Date.now()), receivedPerf (performance.now()), conn (the
//     number of the TCP connection it came on, from 1), schema (the schema
//     file checked, or null), schemaErrors (null when the body passed it,
//     else an array of strings; also set when no schema applies), status
//     (the status answered, null until then or when hung), answeredAt
//     (performance.now() at the answer) }
// and emitted as 'request' once its body is in (and 'answered' after the
// answer).  Token requests also have form (the fields), clientId (from HTTP
// Basic) and accessToken (the token issued, or null).
//
// Answers, in this order, for a path under the base path (outside it: 404):
//   405 (Allow: POST) for anything but POST;
//   401 when requireBearer is set and Authorization is not "Bearer <t>" with
//       t issued by this peer's token endpoint, unexpired, not revoked;
//   403 when requireToken is set and Authorization is not "Token <it>";
//   the first scripted answer for the suffix (respond(), hang());
//   else 204 without a body.
// requireToken, requireBearer and oauth.expiresIn are plain properties: a
// test may change them at any time (e.g. after a token swap).
//
// OAuth (option oauth: { clientId, clientSecret, expiresIn = 3600 }):
// POST {origin}/oauth/token (peer.tokenUrl), application/x-www-form-
// urlencoded, grant_type=client_credentials, client authentication by HTTP
// Basic only (RFC 6749 2.3.1: id and secret form-urlencoded before base64;
// the plain form is accepted too).  Issues "at-1", "at-2", ... as
// {"access_token","token_type":"Bearer","expires_in"}.  Errors: 405, 400
// invalid_request (content type), 401 invalid_client (+ WWW-Authenticate:
// Basic), 400 unsupported_grant_type.  respond('/oauth/token', ...) scripts
// it like an OSCP path (checked before the credentials).
//
// Also here: oscpCall(fpBase, suffix, {...}) POSTs an OSCP message to our FP.
//
// As a program (the demo peer):
//   node tests/integration/peer.mjs --role cp --port 9930 [--fp URL --fp-token T]
// prints every request it receives and reads commands (register, handshake,
// heartbeat, forecast, ...) from stdin; --help lists the options.

import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { validate, schemaFor } from './oscp-schema.mjs';
import { recordSecret } from './secrets.mjs';

const MAX_BODY = 4 * 1024 * 1024;
const TOKEN_PATH = '/oauth/token';
const ROLES = ['cp', 'co'];

function jsonBody(v) {
	return typeof v === 'string' || Buffer.isBuffer(v) ? v : JSON.stringify(v);
}

function timingSafeEqualStr(a, b) {
	const x = Buffer.from(String(a));
	const y = Buffer.from(String(b));
	return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function formDecode(s) {
	try {
		return decodeURIComponent(s.replace(/\+/g, ' '));
	} catch {
		return null;
	}
}

export class Peer extends EventEmitter {
	/** @see startPeer */
	constructor({
		role, host = '127.0.0.1', port = 0, basePath, requireToken = null,
		requireBearer = false, oauth = null, schemas = {},
	} = {}) {
		super();
		if (!ROLES.includes(role))
			throw new Error(`startPeer: role must be 'cp' or 'co', not ${role}`);
		if (oauth && (typeof oauth.clientId !== 'string' || typeof oauth.clientSecret !== 'string'))
			throw new Error('startPeer: oauth needs clientId and clientSecret strings');
		recordSecret('peer-token', requireToken);
		recordSecret('oauth-secret', oauth?.clientSecret);
		this.role = role;
		this.host = host;
		this.port = port;
		this.basePath = (basePath ?? `/oscp/${role}/2.0`).replace(/\/+$/, '');
		this.requireToken = requireToken;
		this.requireBearer = requireBearer;
		this.oauth = oauth ? { expiresIn: 3600, ...oauth } : null;
		this.schemas = { ...schemas };
		this.requests = [];
		this.tokenRequests = [];
		this.baseUrl = null;
		this.origin = null;
		this.tokenUrl = null;
		this.setMaxListeners(0);
		this._seq = 0;
		this._conns = 0;
		this._tokenSeq = 0;
		this._tokens = new Map();	// access token -> expiry (Date.now() ms)
		this._scripts = [];
		this._pending = new Set();	// delayed answers: timers
		this._hung = new Set();		// responses never answered
		this._closed = false;
		this._server = http.createServer((req, res) => this._onRequest(req, res));
		this._server.on('connection', (sock) => {
			sock.peerConn = ++this._conns;
		});
	}

	/** Start listening; resolves with the peer. */
	listen() {
		return new Promise((resolve, reject) => {
			this._server.once('error', reject);
			this._server.listen(this.port, this.host, () => {
				this._server.off('error', reject);
				this.port = this._server.address().port;
				this.origin = `http://${this.host}:${this.port}`;
				this.baseUrl = this.origin + this.basePath;
				this.tokenUrl = this.oauth ? this.origin + TOKEN_PATH : null;
				resolve(this);
			});
		});
	}

	/**
	 * Script the answers for a path suffix ('/heartbeat'; '*' = every OSCP
	 * path; '/oauth/token' = the token endpoint): `status` (default 204),
	 * optional `body` (object -> JSON; default for a status >= 400
	 * {"message":"scripted <status>"}), `headers`, `delayMs` before the
	 * answer, `times` (default: always).  Scripts are used first come first
	 * served; an exhausted one is dropped.  Returns the peer.
	 */
	respond(suffix, { status = 204, body, headers = {}, delayMs = 0, times = Infinity, hang = false } = {}) {
		if (!(times > 0))
			throw new Error('respond: times must be > 0');
		this._scripts.push({ suffix, status, body, headers, delayMs, times, hang });
		return this;
	}

	/** Never answer `suffix` (times: default always) until close(). */
	hang(suffix, { times = Infinity } = {}) {
		return this.respond(suffix, { hang: true, times });
	}

	/** Drop every scripted answer (back to 204). */
	unscript() {
		this._scripts = [];
		return this;
	}

	/** Forget the recorded requests (scripts and tokens stay). */
	clear() {
		this.requests = [];
		this.tokenRequests = [];
		return this;
	}

	/** Make every access token issued so far invalid. */
	revoke() {
		this._tokens.clear();
		return this;
	}

	/** Is `token` an access token issued here, unexpired and not revoked? */
	tokenValid(token) {
		const exp = this._tokens.get(token);
		return exp !== undefined && Date.now() < exp;
	}

	/**
	 * Resolve with the first recorded request (already in, or still to
	 * come) matching `pred`: a function of the record, a path suffix string,
	 * or nothing (any).  Rejects after timeoutMs listing what came.
	 */
	waitFor(pred, timeoutMs = 10000) {
		return this._wait('requests', 'request', pred, 1, timeoutMs).then((a) => a[0]);
	}

	/** Resolve with the first `n` matching requests (see waitFor). */
	waitForCount(pred, n, timeoutMs = 10000) {
		return this._wait('requests', 'request', pred, n, timeoutMs);
	}

	/** waitFor on the token endpoint's requests. */
	waitForToken(pred, timeoutMs = 10000) {
		return this._wait('tokenRequests', 'token', pred, 1, timeoutMs).then((a) => a[0]);
	}

	/** The recorded requests matching pred (as in waitFor). */
	matching(pred) {
		return this.requests.filter(matcher(pred));
	}

	/** Stop: hung and delayed requests are dropped, connections closed. */
	close() {
		if (this._closed)
			return Promise.resolve();
		this._closed = true;
		for (const t of this._pending)
			clearTimeout(t);
		this._pending.clear();
		for (const res of this._hung)
			res.destroy();
		this._hung.clear();
		return new Promise((resolve) => {
			this._server.close(() => resolve());
			this._server.closeAllConnections();
		});
	}

	_wait(list, event, pred, n, timeoutMs) {
		const match = matcher(pred);
		const found = this[list].filter(match);
		if (found.length >= n)
			return Promise.resolve(found.slice(0, n));
		return new Promise((resolve, reject) => {
			const got = found;
			const on = (r) => {
				let ok;
				try {
					ok = match(r);
				} catch (e) {
					done();
					reject(e);
					return;
				}
				if (!ok)
					return;
				got.push(r);
				if (got.length >= n) {
					done();
					resolve(got);
				}
			};
			const timer = setTimeout(() => {
				done();
				const seen = this[list].map((r) => `${r.method} ${r.path} -> ${r.status}`);
				reject(new Error(`peer ${this.role}: ${got.length} of ${n} matching ` +
				    `${list} within ${timeoutMs} ms; received: ` +
				    (seen.length ? seen.join(', ') : 'nothing')));
			}, timeoutMs);
			const done = () => {
				clearTimeout(timer);
				this.off(event, on);
			};
			this.on(event, on);
		});
	}

	_onRequest(req, res) {
		const chunks = [];
		let size = 0;
		req.on('data', (c) => {
			size += c.length;
			if (size <= MAX_BODY)
				chunks.push(c);
		});
		req.on('error', () => res.destroy());
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			let json = null;
			try {
				json = body === '' ? null : JSON.parse(body);
			} catch {
				json = null;
			}
			const pathname = req.url.split('?')[0];
			const rec = {
				seq: ++this._seq,
				method: req.method,
				path: req.url,
				suffix: pathname.startsWith(this.basePath + '/') ?
				    pathname.slice(this.basePath.length) : null,
				headers: { ...req.headers },
				body,
				json,
				receivedAt: Date.now(),
				receivedPerf: performance.now(),
				conn: req.socket.peerConn,
				schema: null,
				schemaErrors: null,
				status: null,
				answeredAt: null,
			};
			if (size > MAX_BODY) {
				rec.schemaErrors = [`body over ${MAX_BODY} bytes (truncated)`];
				this._record('requests', 'request', rec);
				this._send(rec, res, { status: 413 });
			} else if (this.oauth && pathname === TOKEN_PATH) {
				this._onToken(rec, res);
			} else if (rec.suffix === null) {
				rec.schemaErrors = [`not an OSCP path (base ${this.basePath})`];
				this._record('requests', 'request', rec);
				this._send(rec, res, { status: 404, body: { message: 'Not Found' } });
			} else {
				this._onOscp(rec, res);
			}
		});
	}

	_record(list, event, rec) {
		// The FP's Register carries the token for calling it.
		if (rec.suffix === '/register')
			recordSecret('fp-token', rec.json?.token);
		this[list].push(rec);
		this.emit(event, rec);
	}

	_onOscp(rec, res) {
		rec.schema = this.schemas[rec.suffix] ?? schemaFor(rec.suffix);
		rec.schemaErrors = rec.schema ? validate(rec.schema, rec.body).errors :
		    [`no OSCP schema for ${rec.suffix}`];
		this._record('requests', 'request', rec);
		const auth = rec.headers.authorization ?? '';
		if (rec.method !== 'POST')
			return this._send(rec, res, { status: 405, headers: { Allow: 'POST' },
			    body: { message: 'Method Not Allowed' } });
		if (this.requireBearer) {
			const m = /^Bearer (\S+)$/.exec(auth);
			if (!m || !this.tokenValid(m[1]))
				return this._send(rec, res, { status: 401,
				    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
				    body: { message: 'Unauthorized' } });
		}
		if (this.requireToken !== null && this.requireToken !== undefined &&
		    !timingSafeEqualStr(auth, `Token ${this.requireToken}`))
			return this._send(rec, res, { status: 403, body: { message: 'Forbidden' } });
		this._send(rec, res, this._script(rec.suffix) ?? { status: 204 });
	}

	_onToken(rec, res) {
		rec.form = null;
		rec.clientId = null;
		rec.accessToken = null;
		this._record('tokenRequests', 'token', rec);
		const scripted = this._script(TOKEN_PATH);
		if (scripted)
			return this._send(rec, res, scripted);
		if (rec.method !== 'POST')
			return this._send(rec, res, { status: 405, headers: { Allow: 'POST' },
			    body: { error: 'invalid_request' } });
		const ct = (rec.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		if (ct !== 'application/x-www-form-urlencoded')
			return this._send(rec, res, { status: 400, body: { error: 'invalid_request',
			    error_description: 'Content-Type must be application/x-www-form-urlencoded' } });
		rec.form = Object.fromEntries(new URLSearchParams(rec.body));
		const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(rec.headers.authorization ?? '');
		let ok = false;
		if (m) {
			const plain = Buffer.from(m[1], 'base64').toString('utf8');
			const i = plain.indexOf(':');
			if (i >= 0) {
				const id = plain.slice(0, i);
				const secret = plain.slice(i + 1);
				rec.clientId = id;
				const same = (a, b) => timingSafeEqualStr(a, this.oauth.clientId) &&
				    timingSafeEqualStr(b, this.oauth.clientSecret);
				ok = same(id, secret) || same(formDecode(id), formDecode(secret));
			}
		}
		if (!ok)
			return this._send(rec, res, { status: 401,
			    headers: { 'WWW-Authenticate': 'Basic realm="oauth"' },
			    body: { error: 'invalid_client' } });
		if (rec.form.grant_type !== 'client_credentials')
			return this._send(rec, res, { status: 400, body: { error: 'unsupported_grant_type' } });
		const token = `at-${++this._tokenSeq}`;
		const expiresIn = this.oauth.expiresIn;
		this._tokens.set(token, Date.now() + expiresIn * 1000);
		rec.accessToken = token;
		this._send(rec, res, { status: 200, headers: { 'Cache-Control': 'no-store' },
		    body: { access_token: token, token_type: 'Bearer', expires_in: expiresIn } });
	}

	_script(suffix) {
		const i = this._scripts.findIndex((s) => s.suffix === suffix ||
		    (s.suffix === '*' && suffix !== TOKEN_PATH));
		if (i < 0)
			return null;
		const s = this._scripts[i];
		if (--s.times <= 0)
			this._scripts.splice(i, 1);
		return s;
	}

	_send(rec, res, { status, body, headers = {}, delayMs = 0, hang = false }) {
		if (hang) {
			this._hung.add(res);
			res.on('close', () => this._hung.delete(res));
			this.emit('answered', rec);
			return;
		}
		const write = () => {
			if (this._closed || res.destroyed || res.writableEnded)
				return;
			if (body === undefined && status >= 400)
				body = { message: `scripted ${status}` };
			const h = { ...headers };
			let buf = null;
			if (body !== undefined && body !== null && status !== 204 && status !== 304) {
				buf = Buffer.from(jsonBody(body), 'utf8');
				if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
					h['Content-Type'] = 'application/json';
				h['Content-Length'] = String(buf.length);
			}
			rec.status = status;
			rec.answeredAt = performance.now();
			res.writeHead(status, h);
			res.end(buf ?? undefined);
			this.emit('answered', rec);
		};
		if (delayMs > 0) {
			const t = setTimeout(() => {
				this._pending.delete(t);
				write();
			}, delayMs);
			this._pending.add(t);
		} else {
			write();
		}
	}
}

function matcher(pred) {
	if (pred === undefined || pred === null)
		return () => true;
	if (typeof pred === 'string')
		return (r) => r.suffix === pred || (r.suffix === null && r.path.split('?')[0] === pred);
	if (typeof pred === 'function')
		return pred;
	throw new Error('waitFor: the predicate must be a function or a path suffix');
}

/**
 * Start a peer (see the top of this file): options role ('cp'|'co',
 * required), host, port, basePath (default /oscp/<role>/2.0), requireToken,
 * requireBearer, oauth {clientId, clientSecret, expiresIn}, schemas (extra
 * suffix -> schema file, for url-paths overrides).  Resolves once listening.
 */
export async function startPeer(opts = {}) {
	return new Peer(opts).listen();
}

/**
 * POST an OSCP message to our FP: fpBase e.g. http://127.0.0.1:PORT/oscp/fp/2.0,
 * suffix e.g. '/handshake'.  Options: token (Authorization: Token <token>;
 * none when null), requestId (X-Request-ID; a new UUID when undefined, not
 * sent when null), correlationId (X-Correlation-ID when set), body (object ->
 * JSON, string/Buffer as-is), headers (more, or overrides), method (POST),
 * contentType (application/json; null: none), timeoutMs.
 * Resolves with { status, headers, body, json, requestId }.
 */
export function oscpCall(fpBase, suffix, {
	token = null, requestId, correlationId = null, body, headers = {},
	method = 'POST', contentType = 'application/json', timeoutMs = 30000,
} = {}) {
	const url = new URL(fpBase.replace(/\/+$/, '') + suffix);
	recordSecret('fp-token', token);
	if (body && typeof body === 'object' && !Buffer.isBuffer(body))
		recordSecret('peer-token', body.token);
	if (requestId === undefined)
		requestId = crypto.randomUUID();
	const h = {};
	if (contentType !== null)
		h['Content-Type'] = contentType;
	if (token !== null && token !== undefined)
		h.Authorization = `Token ${token}`;
	if (requestId !== null)
		h['X-Request-ID'] = requestId;
	if (correlationId !== null && correlationId !== undefined)
		h['X-Correlation-ID'] = correlationId;
	const buf = body === undefined || body === null ? Buffer.alloc(0) :
	    Buffer.isBuffer(body) ? body : Buffer.from(jsonBody(body), 'utf8');
	h['Content-Length'] = String(buf.length);
	for (const [k, v] of Object.entries(headers)) {
		for (const old of Object.keys(h))
			if (old.toLowerCase() === k.toLowerCase())
				delete h[old];
		if (v !== undefined && v !== null)
			h[k] = v;
	}
	const mod = url.protocol === 'https:' ? https : http;
	return new Promise((resolve, reject) => {
		const req = mod.request(url, { method, headers: h, agent: false, timeout: timeoutMs }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json = null;
				try {
					json = text === '' ? null : JSON.parse(text);
				} catch {
					json = null;
				}
				resolve({ status: res.statusCode, headers: res.headers, body: text, json, requestId });
			});
		});
		req.on('timeout', () => req.destroy(new Error(`oscpCall: no answer within ${timeoutMs} ms`)));
		req.on('error', reject);
		req.end(buf);
	});
}

/* ------------------------------------------------------------------ */
/* The demo peer: node tests/integration/peer.mjs --role cp ...        */
/* ------------------------------------------------------------------ */

const USAGE = `usage: node tests/integration/peer.mjs --role cp|co [options]

A test Capacity Provider (cp) or Capacity Optimizer (co) on loopback that
prints every request it receives and checks it against the OSCP 2.0 schemas.

  --port N            listen port (default: a random free one)
  --host ADDR         listen address (default 127.0.0.1)
  --token T           the token this peer gives the FP when registering; the FP
                      must then call with "Authorization: Token T" (else 403)
                      (default: a random one; --no-token-check: accept any)
  --oauth ID:SECRET   run an OAuth token endpoint at /oauth/token and require
                      "Authorization: Bearer <token it issued>" instead
  --expires-in N      OAuth access token lifetime, seconds (default 3600)
  --fp URL            our FP's OSCP base, e.g. http://127.0.0.1:8080/oscp/fp/2.0
  --fp-token T        the token the FP issued for this peer (out of band)
  --status SUFFIX=CODE[xN]  answer SUFFIX (e.g. /heartbeat) with CODE (N times)
  --delay SUFFIX=MS   answer SUFFIX after MS milliseconds
  --hang SUFFIX       never answer SUFFIX

Commands on stdin (type "help"): register, handshake, heartbeat, forecast,
adjust, send, status, delay, hang, unscript, revoke, quit.`;

const COMMANDS = `commands:
  register                POST <fp>/register {token, version_url: this peer}
  handshake [SECS]        POST <fp>/handshake (heartbeat_interval SECS, default 60)
  heartbeat [SECS]        POST <fp>/heartbeat (offline_mode_at = now + SECS, default 120)
  forecast GROUP [KW]     CP: POST <fp>/update_group_capacity_forecast (1 h block)
  adjust GROUP [KW]       CO: POST <fp>/adjust_group_capacity_forecast (1 h block)
  send SUFFIX JSON        POST any body to <fp>SUFFIX
  status SUFFIX CODE [N]  answer SUFFIX with CODE (N times, default always)
  delay SUFFIX MS         answer SUFFIX after MS milliseconds
  hang SUFFIX             never answer SUFFIX
  unscript                back to answering 204
  revoke                  invalidate the OAuth access tokens issued so far
  fptoken T               use T when calling the FP
  quit`;

function parseArgs(argv) {
	const o = { scripts: [], tokenCheck: true };
	const need = (i) => {
		if (i + 1 >= argv.length)
			throw new Error(`${argv[i]} needs a value`);
		return argv[i + 1];
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		switch (a) {
		case '--role': o.role = need(i++); break;
		case '--port': o.port = Number(need(i++)); break;
		case '--host': o.host = need(i++); break;
		case '--token': o.token = need(i++); break;
		case '--no-token-check': o.tokenCheck = false; break;
		case '--oauth': o.oauth = need(i++); break;
		case '--expires-in': o.expiresIn = Number(need(i++)); break;
		case '--fp': o.fp = need(i++); break;
		case '--fp-token': o.fpToken = need(i++); break;
		case '--status': case '--delay': case '--hang':
			o.scripts.push([a.slice(2), need(i++)]);
			break;
		case '-h': case '--help': o.help = true; break;
		default: throw new Error(`unknown argument ${a}`);
		}
	}
	return o;
}

function addScript(peer, kind, arg) {
	if (kind === 'hang')
		return peer.hang(arg);
	const m = /^([^=]+)=(\d+)(?:x(\d+))?$/.exec(arg);
	if (!m)
		throw new Error(`--${kind} wants SUFFIX=${kind === 'status' ? 'CODE[xN]' : 'MS'}, not ${arg}`);
	if (kind === 'status')
		return peer.respond(m[1], { status: Number(m[2]), times: m[3] ? Number(m[3]) : Infinity });
	return peer.respond(m[1], { delayMs: Number(m[2]) });
}

function clock() {
	return new Date().toISOString().slice(11, 23);
}

function mask(auth) {
	if (!auth)
		return '(none)';
	const [scheme, cred = ''] = auth.split(' ', 2);
	return cred.length > 8 ? `${scheme} ${cred.slice(0, 6)}...(${cred.length} chars)` : auth;
}

function show(rec, kind) {
	const lines = [];
	lines.push(`[${clock()}] ${kind}${rec.method} ${rec.path} -> ` +
	    (rec.status === null ? 'no answer (hang)' : rec.status));
	lines.push(`  X-Request-ID: ${rec.headers['x-request-id'] ?? '(none)'}    ` +
	    `X-Correlation-ID: ${rec.headers['x-correlation-id'] ?? '(none)'}`);
	lines.push(`  Authorization: ${mask(rec.headers.authorization)}    ` +
	    `Content-Type: ${rec.headers['content-type'] ?? '(none)'}`);
	if (rec.body !== '')
		lines.push('  ' + (rec.json !== null ? JSON.stringify(rec.json, null, 2) : rec.body)
		    .replace(/\n/g, '\n  '));
	if (kind === '')
		lines.push(rec.schemaErrors === null ? `  schema ${rec.schema}: ok` :
		    `  schema ${rec.schema ?? '-'}: ${rec.schemaErrors.join('; ')}`);
	console.log(lines.join('\n'));
}

function block(group, kw) {
	const start = new Date(Math.ceil(Date.now() / 3600000) * 3600000);
	const end = new Date(start.getTime() + 3600000);
	return {
		group_id: group,
		type: 'CONSUMPTION',
		forecasted_blocks: [{ capacity: kw, phase: 'ALL', unit: 'KW',
		    start_time: start.toISOString(), end_time: end.toISOString() }],
	};
}

async function main(argv) {
	let o;
	try {
		o = parseArgs(argv);
	} catch (e) {
		console.error(`peer: ${e.message}\n${USAGE}`);
		return 2;
	}
	if (o.help) {
		console.log(USAGE);
		return 0;
	}
	if (!ROLES.includes(o.role)) {
		console.error(`peer: --role cp or --role co is required\n${USAGE}`);
		return 2;
	}
	let oauth = null;
	if (o.oauth) {
		const i = o.oauth.indexOf(':');
		if (i <= 0) {
			console.error('peer: --oauth wants ID:SECRET');
			return 2;
		}
		oauth = { clientId: o.oauth.slice(0, i), clientSecret: o.oauth.slice(i + 1),
		    expiresIn: o.expiresIn ?? 3600 };
	}
	const ownToken = o.token ?? crypto.randomBytes(24).toString('base64url');
	const peer = await startPeer({
		role: o.role, host: o.host ?? '127.0.0.1', port: o.port ?? 0, oauth,
		requireBearer: !!oauth,
		requireToken: oauth || !o.tokenCheck ? null : ownToken,
	});
	for (const [kind, arg] of o.scripts)
		addScript(peer, kind, arg);
	let fpToken = o.fpToken ?? null;
	const name = o.role === 'cp' ? 'Capacity Provider' : 'Capacity Optimizer';
	console.log(`OSCP test ${name} listening: ${peer.baseUrl}`);
	if (oauth)
		console.log(`OAuth token endpoint: ${peer.tokenUrl} (client ${oauth.clientId}); ` +
		    'the FP must call with a Bearer token from it');
	else if (peer.requireToken !== null)
		console.log(`the FP must call with: Authorization: Token ${ownToken}`);
	console.log(o.fp ? `our FP: ${o.fp}${fpToken ? '' : ' (no --fp-token yet: set one with "fptoken T")'}` :
	    'no --fp given: only listening (commands that call the FP need --fp)');
	console.log('type "help" for commands');

	peer.on('answered', (rec) => {
		show(rec, 'accessToken' in rec ? 'token endpoint: ' : '');
		// The FP's Register (its answer to ours): its token is for calling it.
		if (rec.suffix === '/register' && rec.status >= 200 && rec.status < 300 &&
		    typeof rec.json?.token === 'string') {
			fpToken = rec.json.token;
			console.log(`  (calls to the FP now use ${mask('Token ' + fpToken)})`);
		}
	});

	const call = async (suffix, body) => {
		if (!o.fp) {
			console.log('no --fp given');
			return;
		}
		try {
			const r = await oscpCall(o.fp, suffix, { token: fpToken, body });
			console.log(`[${clock()}] sent POST ${suffix} X-Request-ID: ${r.requestId} -> ` +
			    `${r.status}${r.body ? ' ' + r.body : ''}`);
		} catch (e) {
			console.log(`[${clock()}] POST ${suffix} failed: ${e.message}`);
		}
	};
	const commands = {
		help: () => console.log(COMMANDS),
		register: () => call('/register', { token: ownToken,
		    version_url: [{ version: '2.0', base_url: peer.baseUrl }] }),
		handshake: (s = '60') => call('/handshake', { required_behaviour: {
		    heartbeat_interval: Number(s), measurement_configuration: ['CONTINUOUS'] } }),
		heartbeat: (s = '120') => call('/heartbeat', {
		    offline_mode_at: new Date(Date.now() + Number(s) * 1000).toISOString() }),
		forecast: (g, kw = '11') => g ? call('/update_group_capacity_forecast', block(g, Number(kw))) :
		    console.log('forecast GROUP [KW]'),
		adjust: (g, kw = '11') => g ? call('/adjust_group_capacity_forecast', block(g, Number(kw))) :
		    console.log('adjust GROUP [KW]'),
		send: (suffix, ...json) => suffix ? call(suffix, json.join(' ')) : console.log('send SUFFIX JSON'),
		status: (suffix, code, n) => peer.respond(suffix, { status: Number(code),
		    times: n ? Number(n) : Infinity }),
		delay: (suffix, ms) => peer.respond(suffix, { delayMs: Number(ms) }),
		hang: (suffix) => peer.hang(suffix),
		unscript: () => peer.unscript(),
		revoke: () => peer.revoke(),
		fptoken: (t) => {
			fpToken = t ?? null;
		},
		quit: () => shutdown(0),
	};
	let stopping = false;
	const shutdown = async (code) => {
		if (stopping)
			return;
		stopping = true;
		await peer.close();
		process.exit(code);
	};
	process.on('SIGINT', () => shutdown(0));
	process.on('SIGTERM', () => shutdown(0));
	// stdin closing (e.g. </dev/null) does not stop the peer: only a signal or "quit".
	const rl = readline.createInterface({ input: process.stdin, terminal: false });
	rl.on('line', async (line) => {
		const [cmd, ...args] = line.trim().split(/\s+/);
		if (!cmd)
			return;
		const f = commands[cmd];
		if (!f) {
			console.log(`unknown command ${cmd}; type "help"`);
			return;
		}
		try {
			await f(...args);
		} catch (e) {
			console.log(`${cmd}: ${e.message}`);
		}
	});
	return null;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const rc = await main(process.argv.slice(2));
	if (rc !== null)
		process.exit(rc);
}
