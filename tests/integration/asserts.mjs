// asserts.mjs -- assertions the entity test files share: the success and
// error envelopes, key order, SolarNetwork timestamps, VAL.00004 errors,
// the DAO errors, and small SQL helpers for checking what was stored.
// A helper module, not a test file: importing it runs no test.

import assert from 'node:assert/strict';
import { API, sqlCount } from './lib.mjs';

/* SolarNetwork timestamps: 0-6 fraction digits, no trailing zeros. */
export const TS_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{0,5}[1-9])?Z$/;

export const UNKNOWN_OBJECT = { success: false, message: 'UNKNOWN_OBJECT' };
export const ACCESS_DENIED = { success: false, message: 'ACCESS_DENIED' };
export const DAO_DUPLICATE = { success: false, code: 'DAO.00101',
    message: 'An attempt to save a duplicate key has been denied.' };
export const DAO_INVALID = { success: false, code: 'DAO.00103',
    message: 'An invalid query parameter was used, or a required parameter was missing.' };
export const DAO_FK = { success: false, code: 'DAO.00105',
    message: 'Attempted to save a reference to a non-existent entity (foreign key violation).' };

const ENVELOPE_ORDER = ['success', 'code', 'message', 'errors', 'data'];
const ERROR_ORDER = ['location', 'code', 'rejectedValue', 'message'];

/** One line for an assertion message: status and body. */
export function show(res) {
	return `HTTP ${res.status} ${res.text}`;
}

/** Keys of obj must be exactly `order` (same keys, same order). */
export function assertKeys(obj, order, what = 'keys') {
	assert.ok(obj !== null && typeof obj === 'object', `${what}: not an object`);
	assert.deepEqual(Object.keys(obj), order, what);
}

/** Keys of obj, in order, must be a subsequence of `order`, no nulls. */
export function assertKeyOrder(obj, order, what = 'keys') {
	const keys = Object.keys(obj);
	assert.deepEqual(keys, order.filter((k) => keys.includes(k)), `${what}: order`);
	for (const k of keys) {
		assert.ok(order.includes(k), `${what}: unexpected key ${k}`);
		assert.notEqual(obj[k], null, `${what}: ${k} is null (nulls must be omitted)`);
	}
}

export function assertTs(v, what = 'timestamp') {
	assert.equal(typeof v, 'string', `${what} is not a string: ${v}`);
	assert.match(v, TS_RE, what);
}

/** Microseconds since the epoch of a SolarNetwork timestamp. */
export function tsMicros(s) {
	const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(s);
	assert.ok(m, `bad timestamp ${s}`);
	const ms = Date.parse(`${m[1]}T${m[2]}Z`);
	return BigInt(ms) * 1000n + BigInt((m[3] ?? '').padEnd(6, '0'));
}

/** The JSON form of a DB DATETIME(6) text (`2026-08-05 04:12:05.120000`). */
export function dbTs(s) {
	const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(s);
	assert.ok(m, `bad DB datetime ${s}`);
	const frac = (m[2] ?? '').replace(/0+$/, '');
	return m[1] + (frac ? '.' + frac : '') + 'Z';
}

/** 2xx success envelope; returns data (undefined when absent). */
export function assertOk(res, status = 200) {
	assert.equal(res.status, status, show(res));
	assert.ok(res.json, `no JSON body: ${res.text}`);
	assert.equal(res.json.success, true, show(res));
	assertKeys(res.json, 'data' in res.json ? ['success', 'data'] : ['success'],
	    'envelope');
	assert.match(res.headers['content-type'] ?? '', /^application\/json/i, 'content-type');
	return res.json.data;
}

/** Exact error body (deep equality and key order). */
export function assertErr(res, status, body) {
	assert.equal(res.status, status, show(res));
	assert.ok(res.json, `no JSON body: ${res.text}`);
	assert.deepEqual(res.json, body);
	assertKeys(res.json, ENVELOPE_ORDER.filter((k) => k in body), 'error envelope');
}

/** 422 {"success":false,"message":"<prefix>…"} with no code. */
export function assertMalformed(res, prefix = 'Malformed JSON: ') {
	assert.equal(res.status, 422, show(res));
	assert.ok(res.json, `no JSON body: ${res.text}`);
	assertKeys(res.json, ['success', 'message'], 'error envelope');
	assert.equal(res.json.success, false);
	assert.ok(res.json.message.startsWith(prefix),
	    `message should start with ${JSON.stringify(prefix)}: ${res.json.message}`);
}

function permutations(a) {
	if (a.length <= 1)
		return [a];
	const out = [];
	a.forEach((x, i) => {
		for (const p of permutations([...a.slice(0, i), ...a.slice(i + 1)]))
			out.push([x, ...p]);
	});
	return out;
}

/**
 * 422 VAL.00004 with exactly these errors (any order).  Each expected error
 * is {location, code, message[, rejectedValue]}; rejectedValue must be given
 * when the server should send one (a non-null rejected value).
 */
export function assertVal(res, expected) {
	assert.equal(res.status, 422, show(res));
	assert.ok(res.json, `no JSON body: ${res.text}`);
	assertKeys(res.json, ['success', 'code', 'message', 'errors'], 'VAL envelope');
	assert.equal(res.json.success, false);
	assert.equal(res.json.code, 'VAL.00004');
	const errs = res.json.errors;
	assert.ok(Array.isArray(errs), 'errors[] missing');
	for (const e of errs)
		assertKeys(e, ERROR_ORDER.filter((k) => k in e), 'error keys');
	const norm = (e) => ({ location: e.location, code: e.code, message: e.message,
	    ...('rejectedValue' in e ? { rejectedValue: e.rejectedValue } : {}) });
	const key = (e) => `${e.location}|${e.code}|${e.message}`;
	const sortBy = (list) => [...list].map(norm).sort((a, b) => (key(a) < key(b) ? -1 : 1));
	assert.deepEqual(sortBy(errs), sortBy(expected), 'errors[]');
	if (errs.length <= 6) {
		const joins = permutations(errs.map((e) => e.message)).map((p) => p.join(' '));
		assert.ok(joins.includes(res.json.message),
		    `message is not the errors' messages joined with spaces: ${res.json.message}`);
	} else {
		const words = (s) => s.split(' ').sort().join(' ');
		assert.equal(words(res.json.message), words(errs.map((e) => e.message).join(' ')));
	}
}

/** Assert a 201 + Location for `collection`; returns data. */
export function assertCreated(res, collection) {
	const data = assertOk(res, 201);
	assert.ok(Number.isSafeInteger(data.configId) && data.configId > 0,
	    `configId ${data.configId}`);
	assert.equal(res.headers.location, `${API}/${collection}/${data.configId}`, 'Location');
	return data;
}

/** Number of rows of `table` for the tenant. */
export function userRows(table, t, extra = '') {
	return sqlCount(`${table} WHERE user_id = ${Number(t.userId)}${extra ? ' AND ' + extra : ''}`);
}

/** Quote a string for SQL (test data only, no user input). */
export function q(s) {
	return "'" + String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

export function withoutToken(data) {
	const { token, ...rest } = data;
	void token;
	return rest;
}
