// lib.mjs -- shared helpers for the integration tests: our own SNWS2 signer
// (snws2.mjs), a raw node:http client that
// sends the request target byte for byte, the oscp-admin and SQL wrappers,
// tenant creation and entity fixtures.
//
// The harness (tests/integration/run) exports the FP_TEST_* variables.  A
// missing variable is a hard error: importing this module throws, so every
// test file fails instead of being skipped.

import crypto from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import * as S from './snws2.mjs';
import { recordSecret } from './secrets.mjs';

const REQUIRED_ENV = [
	'FP_TEST_BASE', 'FP_TEST_HOST', 'FP_TEST_ADMIN', 'FP_TEST_CONF',
	'FP_TEST_MYSQL', 'FP_TEST_FPD_PID', 'FP_TEST_FPD_LOG',
	'FP_TEST_NODE_MODULES', 'FP_TEST_TMP',
];
{
	const missing = REQUIRED_ENV.filter((k) => !process.env[k]);
	if (missing.length > 0)
		throw new Error('integration tests need the harness environment; missing: ' +
		    missing.join(', ') + ' (run tests/integration/run)');
}

export const ENV = Object.fromEntries(REQUIRED_ENV.map((k) => [k, process.env[k]]));
export const API = '/solaruser/api/v1/sec/user/oscp';

const BASE = new URL(ENV.FP_TEST_BASE);

/* ------------------------------------------------------------------ */
/* SNWS2 signer (snws2.mjs); a bare request target signs with Host =   */
/* FP_TEST_HOST                                                        */
/* ------------------------------------------------------------------ */

export { EMPTY_SHA256, httpDate, canonicalQuery } from './snws2.mjs';

/** snws2.mjs's snws2Parts, Host defaulting to the harness's. */
export function snws2Parts(args) {
	return S.snws2Parts({ defaultHost: ENV.FP_TEST_HOST, ...args });
}

/** Sign a request; returns the headers to send (see snws2Parts). */
export function signRequest(args) {
	return snws2Parts(args).headers;
}

/* ------------------------------------------------------------------ */
/* HTTP                                                                */
/* ------------------------------------------------------------------ */

/**
 * Send `method target` to FP_TEST_BASE with exactly these headers (a header
 * whose value is undefined/null is not sent).  Body: string or Buffer, sent
 * as-is with a Content-Length.
 */
export function request(method, target, { headers = {}, body, timeout = 30000 } = {}) {
	return new Promise((resolve, reject) => {
		const h = {};
		for (const [k, v] of Object.entries(headers))
			if (v !== undefined && v !== null)
				h[k] = v;
		let buf;
		if (body !== undefined && body !== null) {
			buf = Buffer.isBuffer(body) ? body : Buffer.from(String(body), 'utf8');
			if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-length'))
				h['Content-Length'] = String(buf.length);
		}
		if (!Object.keys(h).some((k) => k.toLowerCase() === 'host'))
			h.Host = ENV.FP_TEST_HOST;
		const req = http.request({
			host: BASE.hostname,
			port: BASE.port || 80,
			method,
			path: target,
			headers: h,
			agent: false,
			setHost: false,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const raw = Buffer.concat(chunks);
				const text = raw.toString('utf8');
				let json;
				try {
					json = text.length ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				resolve({ status: res.statusCode, headers: { ...res.headers }, text, json, raw });
			});
		});
		req.setTimeout(timeout, () => req.destroy(new Error(`timeout: ${method} ${target}`)));
		req.on('error', reject);
		if (buf !== undefined)
			req.end(buf);
		else
			req.end();
	});
}

/**
 * Signed call to the management API: `API + path`.  A plain object/array
 * body is JSON-encoded with Content-Type application/json.  opts: date,
 * contentType (null: none), rawBody (string/Buffer sent as-is), headers
 * (merged after signing, e.g. to tamper), host, digest, dateHeader,
 * extraHeaders + signedExtra (signed extras), tokenId/secret overrides,
 * target (send this target instead of API + path, signing API + path).
 */
export async function api(tenant, method, path, body, opts = {}) {
	const signTarget = API + path;
	let payload;
	let contentType;
	if (opts.rawBody !== undefined) {
		payload = opts.rawBody;
	} else if (body !== undefined && body !== null) {
		if (typeof body === 'string' || Buffer.isBuffer(body)) {
			payload = body;
		} else {
			payload = JSON.stringify(body);
			contentType = 'application/json';
		}
	}
	if ('contentType' in opts)
		contentType = opts.contentType ?? undefined;
	const headers = signRequest({
		method,
		url: signTarget,
		body: payload,
		contentType,
		tokenId: opts.tokenId ?? tenant.tokenId,
		secret: opts.secret ?? tenant.secret,
		date: opts.date ?? new Date(),
		dateHeader: opts.dateHeader ?? 'x-sn-date',
		digest: opts.digest ?? false,
		extraHeaders: opts.extraHeaders ?? {},
		signedExtra: opts.signedExtra ?? [],
		signedNames: opts.signedNames,
		keyDate: opts.keyDate,
		host: opts.host,
	});
	if (body && typeof body === 'object' && !Buffer.isBuffer(body))
		recordSecret('oauth-secret', body.serviceProps?.['oauth-client-secret']);
	const res = await request(opts.method ?? method, opts.target ?? signTarget,
	    { headers: { ...headers, ...(opts.headers ?? {}) }, body: payload });
	recordSecret('fp-token', res.json?.data?.token);
	return res;
}

/* ------------------------------------------------------------------ */
/* Admin CLI, SQL                                                      */
/* ------------------------------------------------------------------ */

/** Run oscp-admin -c CONF args...; returns trimmed stdout; throws on failure. */
export function admin(...args) {
	try {
		return execFileSync(ENV.FP_TEST_ADMIN, ['-c', ENV.FP_TEST_CONF, ...args.map(String)],
		    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
	} catch (e) {
		throw new Error(`oscp-admin ${args.join(' ')} failed (status ${e.status}): ${e.stderr}`);
	}
}

/** Run oscp-admin expecting a non-zero exit; returns {status, stderr, stdout}. */
export function adminFail(...args) {
	const r = spawnSync(ENV.FP_TEST_ADMIN, ['-c', ENV.FP_TEST_CONF, ...args.map(String)],
	    { encoding: 'utf8' });
	if (r.error)
		throw r.error;
	if (r.status === 0)
		throw new Error(`oscp-admin ${args.join(' ')} unexpectedly succeeded: ${r.stdout}`);
	return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

function unescapeBatch(s) {
	if (s === 'NULL' || s === '\\N')
		return null;
	return s.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c === 't' ? '\t' :
	    c === '0' ? '\0' : c === '\\' ? '\\' : '\\' + c));
}

/** Run one SQL statement (as root on db oscp); rows as arrays of strings (NULL → null). */
export function sql(query) {
	let out;
	try {
		out = execFileSync('/bin/sh', ['-c', ENV.FP_TEST_MYSQL + ' -N -B -e "$1"', 'sh', query],
		    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
	} catch (e) {
		throw new Error(`sql failed: ${query}: ${e.stderr}`);
	}
	if (out.endsWith('\n'))
		out = out.slice(0, -1);
	if (out === '')
		return [];
	return out.split('\n').map((line) => line.split('\t').map(unescapeBatch));
}

/** SELECT COUNT(*) helper: sqlCount('oscp_cp_conf WHERE user_id = 5') → number. */
export function sqlCount(fromWhere) {
	return Number(sql('SELECT COUNT(*) FROM ' + fromWhere)[0][0]);
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

/** Poll fn() (sync or async) every 100 ms until truthy; returns that value,
 *  throws `${what}: not met within ${ms} ms` after ms. */
export async function until(fn, ms = 10000, what = 'condition') {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error(`${what}: not met within ${ms} ms`);
		await sleep(100);
	}
}

/** The oscp-fpd binary the harness started (from the master's command line). */
export function fpdBinary() {
	const args = fs.readFileSync(`/proc/${ENV.FP_TEST_FPD_PID}/cmdline`, 'utf8').split('\0');
	const bin = args.find((a) => /(^|\/)oscp-fpd$/.test(a));
	if (!bin || !path.isAbsolute(bin))
		throw new Error(`no oscp-fpd in the master's command line: ${args}`);
	return bin;
}

/** FP_TEST_CONF's text with `set` (key -> value) replacing or adding lines. */
export function confWith(set) {
	let conf = fs.readFileSync(ENV.FP_TEST_CONF, 'utf8');
	for (const [k, v] of Object.entries(set)) {
		const re = new RegExp(`^[ \\t]*${k}[ \\t]*=.*$`, 'm');
		conf = re.test(conf) ? conf.replace(re, `${k} = ${v}`) : `${conf}\n${k} = ${v}\n`;
	}
	return conf;
}

/* ------------------------------------------------------------------ */
/* Tenants and fixtures                                                */
/* ------------------------------------------------------------------ */

let nodeCounter = 0;
const nodeBase = crypto.randomInt(1, 2 ** 31) * 1000;

/** Node ids unique across the whole run (random base per process). */
export function nextNodeId() {
	nodeCounter += 1;
	return nodeBase + nodeCounter;
}

let uniqCounter = 0;
/** A short string unique within the run. */
export function uniq() {
	uniqCounter += 1;
	return crypto.randomBytes(4).toString('hex') + uniqCounter;
}

/**
 * New user (tenant) with one token.  Returns {email, userId, tokenId, secret}.
 * expires: ISO 8601 text or Date; apiPaths: patterns; nodes/publicNodes:
 * node ids registered to the user.
 */
export function newTenant({ role = true, type = 'User', expires, apiPaths = [], nodes = [],
    publicNodes = [] } = {}) {
	const email = `t${uniq()}@example.com`;
	const userOut = admin('user', 'add', email, ...(role ? [] : ['--no-role']));
	const userId = Number(userOut.split(/\s+/).pop());
	if (!Number.isSafeInteger(userId) || userId <= 0)
		throw new Error(`user add printed no user id: ${JSON.stringify(userOut)}`);
	const targs = ['token', 'add', email, '--type', type];
	if (expires !== undefined)
		targs.push('--expires', expires instanceof Date ? expires.toISOString() : String(expires));
	for (const p of apiPaths)
		targs.push('--api-path', p);
	const tokOut = admin(...targs);
	const m = /^(\S+)\s+(\S+)$/.exec(tokOut.split('\n').pop().trim());
	if (!m)
		throw new Error(`token add printed no "TOKEN_ID SECRET": ${JSON.stringify(tokOut)}`);
	recordSecret('token-secret', m[2]);
	for (const n of nodes)
		admin('node', 'add', email, String(n));
	for (const n of publicNodes)
		admin('node', 'add', email, String(n), '--public');
	return { email, userId, tokenId: m[1], secret: m[2] };
}

/** Add another token to an existing tenant (same options as newTenant). */
export function newToken(tenant, { type = 'User', expires, apiPaths = [] } = {}) {
	const targs = ['token', 'add', tenant.email, '--type', type];
	if (expires !== undefined)
		targs.push('--expires', expires instanceof Date ? expires.toISOString() : String(expires));
	for (const p of apiPaths)
		targs.push('--api-path', p);
	const out = admin(...targs);
	const m = /^(\S+)\s+(\S+)$/.exec(out.split('\n').pop().trim());
	if (!m)
		throw new Error(`token add printed no "TOKEN_ID SECRET": ${JSON.stringify(out)}`);
	recordSecret('token-secret', m[2]);
	return { email: tenant.email, userId: tenant.userId, tokenId: m[1], secret: m[2] };
}

/* Merge overrides; a key overridden with undefined is removed. */
function merge(base, overrides = {}) {
	const out = { ...base, ...overrides };
	for (const [k, v] of Object.entries(out))
		if (v === undefined)
			delete out[k];
	return out;
}

/** Valid Capacity Provider input (reference §6.5), unique baseUrl per call. */
export function cpBody(overrides) {
	return merge({
		name: 'Grid Co',
		registrationStatus: 'Pending',
		baseUrl: `https://cp-${uniq()}.example/oscp/cp/2.0`,
		enabled: true,
		serviceProps: {
			'oauth-token-url': 'https://auth.example/token',
			'oauth-client-id': 'abc',
			'oauth-client-secret': 's3cr3t',
		},
	}, overrides);
}

/** Valid Capacity Optimizer input, unique baseUrl per call. */
export function coBody(overrides) {
	return merge({
		name: 'Flex Co',
		registrationStatus: 'Pending',
		baseUrl: `https://co-${uniq()}.example/oscp/co/2.0`,
		enabled: true,
	}, overrides);
}

/** Valid Capacity Group input, unique identifier per call. */
export function groupBody(cpId, coId, overrides) {
	return merge({
		name: 'Group 1',
		identifier: `grp-${uniq()}`,
		capacityProviderId: cpId,
		capacityOptimizerId: coId,
		capacityProviderMeasurementPeriod: 'FifteenMinute',
		capacityOptimizerMeasurementPeriod: 'FifteenMinute',
		enabled: true,
	}, overrides);
}

/** Valid Asset input (reference §6.5), unique identifier per call. */
export function assetBody(groupId, nodeId, overrides) {
	return merge({
		name: 'Charger 1',
		capacityGroupId: groupId,
		identifier: `chg-${uniq()}`,
		audience: 'CapacityProvider',
		nodeId,
		sourceId: '/ev/1',
		category: 'Charging',
		phase: 'All',
		enabled: true,
		instantaneous: {
			propertyNames: ['watts'], unit: 'kW', multiplier: 0.001, statisticType: 'Maximum',
		},
		energy: {
			propertyNames: ['wattHours'], unit: 'kWh', multiplier: 0.001,
			statisticType: 'Difference', type: 'Total', direction: 'Import',
		},
	}, overrides);
}

/* Children of `ppid` (from /proc/<pid>/stat): [{pid, comm}]. */
function kids(ppid) {
	const out = [];
	for (const ent of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(ent))
			continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${ent}/stat`, 'utf8');
		} catch {
			continue;       // exited meanwhile
		}
		// "pid (comm) state ppid ..." -- comm may contain spaces and ')'
		const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(rest[1]) === ppid && rest[0] !== 'Z')
			out.push({ pid: Number(ent), comm });
	}
	return out.sort((a, b) => a.pid - b.pid);
}

/** The FastCGI workers of master `ppid` (every child but the dispatcher). */
export function children(ppid) {
	return kids(ppid).filter((k) => k.comm !== 'oscp-dispatcher').map((k) => k.pid);
}

/** The dispatcher of master `ppid` (its process name), or null. */
export function dispatcher(ppid) {
	const d = kids(ppid).filter((k) => k.comm === 'oscp-dispatcher');
	return d.length === 1 ? d[0].pid : null;
}

export function cmdline(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
	} catch {
		return '';
	}
}
