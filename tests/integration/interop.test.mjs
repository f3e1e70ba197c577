// interop.test.mjs -- SolarNetwork's own JS client (npm solarnetwork-api-core,
// AuthorizationV2Builder) signs live requests and our server accepts them
// unchanged: GET list, POST with and without Digest, PUT, DELETE, Date vs
// X-SN-Date, a query string.  The requests carry exactly the headers the
// library says it signed (canonicalHeaderNames()).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { API, ENV, cpBody, coBody, newTenant, request, sqlCount } from './lib.mjs';

const BASE = ENV.FP_TEST_BASE.replace(/\/+$/, '');
let AuthorizationV2Builder;
let t;

/** Find the installed package (FP_TEST_NODE_MODULES is node_modules or its parent). */
function packageDir() {
	const nm = ENV.FP_TEST_NODE_MODULES;
	for (const dir of [path.join(nm, 'solarnetwork-api-core'),
	    path.join(nm, 'node_modules', 'solarnetwork-api-core')]) {
		if (fs.existsSync(path.join(dir, 'package.json')))
			return dir;
	}
	throw new Error(`solarnetwork-api-core not found under FP_TEST_NODE_MODULES=${nm}`);
}

before(async () => {
	const dir = packageDir();
	const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
	assert.equal(pkg.version, '3.0.0', 'the vectors were made with solarnetwork-api-core 3.0.0');
	const entry = pkg.exports?.['.']?.import ?? pkg.module ?? pkg.main;
	const mod = await import(pathToFileURL(path.join(dir, entry)).href);
	AuthorizationV2Builder = mod.Net?.AuthorizationV2Builder ?? mod.AuthorizationV2Builder;
	assert.equal(typeof AuthorizationV2Builder, 'function', 'AuthorizationV2Builder not exported');
	t = newTenant();
});

/**
 * Sign with the library and send with node:http.  body: string or undefined;
 * opts.digest: computeContentDigest (else contentSHA256 of the body);
 * opts.snDate: X-SN-Date (default) or Date.
 */
async function libCall(method, apiPath, body, { digest = false, snDate = true,
    contentType = 'application/json; charset=UTF-8' } = {}) {
	const target = API + apiPath;
	const b = new AuthorizationV2Builder(t.tokenId)
	    .method(method)
	    .url(BASE + target)
	    .snDate(snDate)
	    .date(new Date());
	if (body !== undefined) {
		b.contentType(contentType);
		if (digest)
			b.computeContentDigest(body);
		else
			b.contentSHA256(crypto.createHash('sha256').update(body, 'utf8').digest('hex'));
	}
	const authorization = b.build(t.secret);
	const headers = {};
	for (const name of b.canonicalHeaderNames()) {
		if (name === 'x-sn-date' || name === 'date')
			headers[name === 'date' ? 'Date' : 'X-SN-Date'] = b.requestDateHeaderValue;
		else
			headers[name] = b.httpHeaders.firstValue(name);
	}
	headers.Authorization = authorization;
	assert.equal(headers.host, ENV.FP_TEST_HOST, 'library computed another Host');
	assert.ok(authorization.startsWith(`SNWS2 Credential=${t.tokenId},SignedHeaders=`),
	    authorization);
	assert.match(authorization, /,Signature=[0-9a-f]{64}$/);
	return request(method, target, { headers, body });
}

test('300-interop-get-list', async () => {
	const res = await libCall('GET', '/capacity-providers');
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.success, true);
	assert.ok(Array.isArray(res.json.data));
});

test('301-interop-get-with-query', async () => {
	const res = await libCall('GET', '/capacity-optimizers?max=10&sort=name&filter=a%20b&ids=3&ids=1');
	assert.equal(res.status, 200, res.text);
	assert.ok(Array.isArray(res.json.data));
});

test('302-interop-date-header', async () => {
	const res = await libCall('GET', '/capacity-groups', undefined, { snDate: false });
	assert.equal(res.status, 200, res.text);
});

test('303-interop-post-put-delete', async () => {
	const before = sqlCount(`oscp_cp_conf WHERE user_id = ${t.userId}`);

	// POST with Digest, non-ASCII in the body
	let res = await libCall('POST', '/capacity-providers',
	    JSON.stringify(cpBody({ name: 'CP été' })), { digest: true });
	assert.equal(res.status, 201, res.text);
	assert.equal(res.json.data.name, 'CP été');
	const id1 = res.json.data.configId;

	// POST without Digest (body hash only)
	res = await libCall('POST', '/capacity-providers', JSON.stringify(cpBody()));
	assert.equal(res.status, 201, res.text);
	const id2 = res.json.data.configId;

	// POST a CO with plain application/json
	res = await libCall('POST', '/capacity-optimizers', JSON.stringify(coBody()),
	    { contentType: 'application/json' });
	assert.equal(res.status, 201, res.text);
	assert.equal(sqlCount(`oscp_cp_conf WHERE user_id = ${t.userId}`), before + 2);

	// PUT with and without Digest
	res = await libCall('PUT', `/capacity-providers/${id1}`,
	    JSON.stringify(cpBody({ name: 'Renamed', enabled: false })), { digest: true });
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.data.name, 'Renamed');
	assert.equal(res.json.data.enabled, false);
	res = await libCall('PUT', `/capacity-providers/${id2}`,
	    JSON.stringify(cpBody({ name: 'Renamed 2' })), { snDate: false });
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.data.name, 'Renamed 2');

	// GET item
	res = await libCall('GET', `/capacity-providers/${id1}`);
	assert.equal(res.status, 200, res.text);
	assert.equal(res.json.data.name, 'Renamed');

	// DELETE
	res = await libCall('DELETE', `/capacity-providers/${id1}`);
	assert.equal(res.status, 200, res.text);
	assert.equal(res.text, '{"success":true}');
	res = await libCall('DELETE', `/capacity-providers/${id2}`);
	assert.equal(res.status, 200, res.text);
	assert.equal(sqlCount(`oscp_cp_conf WHERE user_id = ${t.userId}`), before);
});

test('304-interop-library-signature-equals-ours', async () => {
	// the same request signed by the library and by lib.mjs gives the same header
	const { signRequest } = await import('./lib.mjs');
	const d = new Date();
	const body = JSON.stringify(cpBody({ name: 'Same' }));
	const b = new AuthorizationV2Builder(t.tokenId)
	    .method('POST').url(BASE + API + '/capacity-providers').snDate(true).date(d)
	    .contentType('application/json').computeContentDigest(body);
	const ours = signRequest({ method: 'POST', url: API + '/capacity-providers', body,
	    contentType: 'application/json', tokenId: t.tokenId, secret: t.secret, date: d,
	    digest: true });
	assert.equal(b.build(t.secret), ours.Authorization);
	assert.equal(b.httpHeaders.firstValue('Digest'), ours.Digest);
});
