// snws2.mjs -- the tests' own SNWS2 signer, written from
// reference/snws2-auth.md with node:crypto, independent of the server's C
// code and of the npm client library.  No harness environment needed:
// lib.mjs (the tests), sign.mjs (curl lines) and bench/presign.mjs (the
// benchmark's request pools) all sign with it.

import crypto from 'node:crypto';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/* ------------------------------------------------------------------ */
/* SNWS2 signer                                                        */
/* ------------------------------------------------------------------ */

const sha256hex = (data) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();

function pad2(n) { return String(n).padStart(2, '0'); }

/** YYYYMMDD of a Date in UTC. */
function dayStamp(d) {
	return String(d.getUTCFullYear()).padStart(4, '0') + pad2(d.getUTCMonth() + 1) +
	    pad2(d.getUTCDate());
}

/** YYYYMMDDTHHMMSSZ of a Date in UTC (whole seconds). */
function timeStamp(d) {
	return dayStamp(d) + 'T' + pad2(d.getUTCHours()) + pad2(d.getUTCMinutes()) +
	    pad2(d.getUTCSeconds()) + 'Z';
}

/** RFC 1123 date, e.g. `Fri, 07 Mar 2025 09:05:03 GMT`. */
export function httpDate(d) {
	return d.toUTCString();
}

/** Percent-decode as UTF-8 bytes, `+` meaning space (servlet semantics). */
function formDecode(s) {
	const bytes = [];
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (c === '+') {
			bytes.push(0x20);
		} else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
			bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
			i += 2;
		} else {
			for (const b of Buffer.from(c, 'utf8'))
				bytes.push(b);
		}
	}
	return Buffer.from(bytes).toString('utf8');
}

/** Strict encoding of §5.3 step 4: only A-Z a-z 0-9 - _ . ~ kept. */
function strictEncode(s) {
	let out = '';
	for (const b of Buffer.from(s, 'utf8')) {
		const ch = String.fromCharCode(b);
		if (/[A-Za-z0-9\-_.~]/.test(ch))
			out += ch;
		else
			out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
	}
	return out;
}

function parseParams(q, into) {
	for (const piece of q.split('&')) {
		if (piece === '')
			continue;
		const eq = piece.indexOf('=');
		const name = eq < 0 ? piece : piece.slice(0, eq);
		const value = eq < 0 ? '' : piece.slice(eq + 1);
		into.push([formDecode(name), formDecode(value)]);
	}
}

/** Canonical query string (§5.3) from the raw query and an optional form body. */
export function canonicalQuery(rawQuery, formBody) {
	const params = [];
	if (rawQuery)
		parseParams(rawQuery, params);
	if (formBody)
		parseParams(formBody, params);
	// Array.prototype.sort is stable and compares UTF-16 code units.
	params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
	return params.map(([n, v]) => strictEncode(n) + '=' + strictEncode(v)).join('&');
}

/** Split a URL or a bare request target into {host, target} without normalising. */
function splitUrl(url, defaultHost) {
	const m = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(url);
	if (!m)
		return { host: defaultHost, target: url };
	const scheme = m[1].toLowerCase();
	let host = m[2];
	const target = m[3] === '' ? '/' : m[3];
	const pm = /^(.*):(\d+)$/.exec(host);
	if (pm && ((scheme === 'https' && pm[2] === '443') || (scheme === 'http' && pm[2] === '80')))
		host = pm[1];
	return { host, target };
}

function headerValue(v) {
	return String(v).trim().replace(/ {2,}/g, ' ');
}

/**
 * Compute everything SNWS2 needs; returns {headers, canonicalRequest,
 * stringToSign, signingKeyHex, authorization}.  `url` is either a full URL
 * (its authority becomes Host, minus a default port) or a request target
 * (Host = defaultHost, or `host` if given).  `keyDate` selects a signing
 * key derived for an earlier day (default: the request date); signedNames
 * replaces the computed list of signed header names (to build requests that
 * leave out host or the date).
 */
export function snws2Parts({ method, url, body, contentType, tokenId, secret,
    date = new Date(), dateHeader = 'x-sn-date', digest = false, extraHeaders = {},
    signedExtra = [], keyDate, host, signedNames, defaultHost }) {
	const split = splitUrl(url, defaultHost);
	const hostValue = host ?? split.host;
	const target = split.target;
	const q = target.indexOf('?');
	const path = q < 0 ? target : target.slice(0, q);
	const rawQuery = q < 0 ? '' : target.slice(q + 1);
	const d = new Date(Math.floor(date.getTime() / 1000) * 1000);
	const dateText = httpDate(d);
	const bodyBuf = body === undefined || body === null ? Buffer.alloc(0) :
	    Buffer.isBuffer(body) ? body : Buffer.from(String(body), 'utf8');
	const isForm = method.toUpperCase() === 'POST' && contentType &&
	    /^application\/x-www-form-urlencoded/i.test(contentType);

	const headers = {};
	headers.Host = hostValue;
	if (dateHeader.toLowerCase() === 'date')
		headers.Date = dateText;
	else
		headers['X-SN-Date'] = dateText;
	if (contentType !== undefined && contentType !== null)
		headers['Content-Type'] = contentType;
	if (digest)
		headers.Digest = 'sha-256=' + crypto.createHash('sha256').update(bodyBuf).digest('base64');

	const lookup = (name) => {
		const all = { ...headers, ...extraHeaders };
		for (const [k, v] of Object.entries(all))
			if (k.toLowerCase() === name && v !== undefined && v !== null)
				return headerValue(v);
		return '';
	};
	const names = new Set(['host', dateHeader.toLowerCase()]);
	if (headers['Content-Type'] !== undefined)
		names.add('content-type');
	if (digest)
		names.add('digest');
	for (const n of signedExtra)
		names.add(n.toLowerCase());
	const sorted = signedNames ? [...signedNames].map((n) => n.toLowerCase()).sort() :
	    [...names].sort();

	const canonicalRequest = [
		method,
		path,
		canonicalQuery(rawQuery, isForm ? bodyBuf.toString('utf8') : ''),
		sorted.map((n) => n + ':' + lookup(n) + '\n').join('') + sorted.join(';'),
		isForm ? EMPTY_SHA256 : sha256hex(bodyBuf),
	].join('\n');
	const stringToSign = 'SNWS2-HMAC-SHA256\n' + timeStamp(d) + '\n' +
	    sha256hex(Buffer.from(canonicalRequest, 'utf8'));
	const kd = keyDate ?? d;
	const kDate = hmac(Buffer.from('SNWS2' + secret, 'utf8'), dayStamp(kd));
	const kSign = hmac(kDate, 'snws2_request');
	const signature = crypto.createHmac('sha256', kSign).update(stringToSign, 'utf8').digest('hex');
	const authorization = `SNWS2 Credential=${tokenId},SignedHeaders=${sorted.join(';')},Signature=${signature}`;
	headers.Authorization = authorization;
	for (const [k, v] of Object.entries(extraHeaders))
		headers[k] = v;
	return { headers, canonicalRequest, stringToSign, signingKeyHex: kSign.toString('hex'),
	    authorization, signature };
}

/** Sign a request; returns the headers to send (see snws2Parts). */
export function signRequest(args) {
	return snws2Parts(args).headers;
}
