// confsuite.mjs -- every behaviour of a Capacity Provider or Capacity
// Optimizer collection (reference §4.2, §6, §10 cases 1-21 and 42, as
// amended by the lead's API decisions).  providers.test.mjs runs it for
// /capacity-providers, optimizers.test.mjs for /capacity-optimizers.  A
// helper module, not a test file: importing it runs no test.
//
// Each case runs with a fresh tenant so cases stay independent.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	api, newTenant, nextNodeId, sql, sqlCount, sleep, coBody, cpBody,
	groupBody, assetBody,
} from './lib.mjs';
import {
	UNKNOWN_OBJECT, DAO_DUPLICATE, DAO_INVALID, show, assertKeys, assertTs,
	tsMicros, dbTs, assertOk, assertErr, assertMalformed, assertVal,
	assertCreated, userRows, q, withoutToken,
} from './asserts.mjs';

const MISSING_ID = 987654321012;

/* ------------------------------------------------------------------ */
/* The CP / CO suite                                                   */
/* ------------------------------------------------------------------ */

export const CONF_ORDER = ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
    'token', 'baseUrl', 'oscpVersion', 'flexibilityProviderId', 'registrationStatus',
    'settings', 'heartbeatDate', 'offlineDate', 'serviceProps'];

const without = (list, ...drop) => list.filter((k) => !drop.includes(k));

/**
 * Every behaviour of a CP/CO collection.  collection: 'capacity-providers'
 * or 'capacity-optimizers'; label: 'Capacity Provider' / 'Capacity Optimizer'.
 */
export function confSuite(collection, label) {
	const isCp = collection === 'capacity-providers';
	const area = isCp ? 'providers' : 'optimizers';
	const role = isCp ? 'cp' : 'co';
	const CONF = `oscp_${role}_conf`;
	const HB = `oscp_${role}_heartbeat`;
	const SECRET = `oscp_${role}_secret`;
	const base = `/${collection}`;
	const n = isCp ? 100 : 200;
	const name = (i, what) => `${String(n + i).padStart(3, '0')}-${area}-${what}`;

	const EXAMPLE = () => ({
		name: 'Grid Co',
		registrationStatus: 'Pending',
		baseUrl: 'https://cp.example/oscp/cp/2.0',
		enabled: true,
		serviceProps: {
			'oauth-token-url': 'https://auth.example/token',
			'oauth-client-id': 'abc',
			'oauth-client-secret': 's3cr3t',
		},
	});
	const post = (t, body, opts) => api(t, 'POST', base, body, opts);
	const get = (t, id) => api(t, 'GET', `${base}/${id}`);
	const put = (t, id, body) => api(t, 'PUT', `${base}/${id}`, body);
	const del = (t, id) => api(t, 'DELETE', `${base}/${id}`);
	const list = (t) => api(t, 'GET', base);
	const create = async (t, body) => assertCreated(await post(t, body), collection);
	const confRow = (id, cols) => {
		const rows = sql(`SELECT ${cols} FROM ${CONF} WHERE id = ${Number(id)}`);
		return rows[0];
	};
	const nothingFor = (t) => {
		assert.equal(userRows(CONF, t), 0, `${CONF} rows`);
		assert.equal(userRows('oscp_fp_token', t), 0, 'oscp_fp_token rows');
		assert.equal(userRows(HB, t), 0, `${HB} rows`);
		assert.equal(userRows(SECRET, t), 0, `${SECRET} rows`);
	};
	const msg = (what) => `The ${label} name ${what}`;

	describe(`${area} (${collection})`, () => {
		test(name(1, 'create-published-example'), async () => {
			const t = newTenant();
			const before = Date.now();
			const res = await post(t, EXAMPLE());
			const data = assertCreated(res, collection);
			assertKeys(data, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
			    'token', 'baseUrl', 'flexibilityProviderId', 'registrationStatus', 'settings',
			    'serviceProps'], 'data keys');
			assert.equal(data.userId, t.userId);
			assertTs(data.created, 'created');
			assert.equal(data.modified, data.created, 'modified == created on create');
			const createdMs = Number(tsMicros(data.created) / 1000n);
			assert.ok(Math.abs(createdMs - before) < 60000, `created ${data.created} not now`);
			assert.equal(data.enabled, true);
			assert.equal(data.name, 'Grid Co');
			assert.match(data.token, /^[A-Za-z0-9+/]{64}$/, 'token: 64 chars base64');
			assert.equal(data.baseUrl, 'https://cp.example/oscp/cp/2.0');
			assert.ok(Number.isSafeInteger(data.flexibilityProviderId) &&
			    data.flexibilityProviderId > 0);
			assert.equal(data.registrationStatus, 'Pending');
			assert.deepEqual(data.settings, {});
			assert.deepEqual(data.serviceProps, {
				'oauth-token-url': 'https://auth.example/token',
				'oauth-client-id': 'abc',
			});
			assert.ok(!res.text.includes('oauth-client-secret'), 'secret key in response');
			assert.ok(!res.text.includes('s3cr3t'), 'secret value in response');

			// DB: conf row, heartbeat row, token row (digest only), secret row.
			const row = confRow(data.configId, `user_id, enabled, fp_id, reg_status, cname, url,
			    oscp_ver, created, modified, heartbeat_secs, meas_styles, offline_at`);
			assert.deepEqual(row, [String(t.userId), '1', String(data.flexibilityProviderId),
			    '112', 'Grid Co', 'https://cp.example/oscp/cp/2.0', null, row[7], row[7],
			    null, null, null]);
			assert.equal(dbTs(row[7]), data.created, 'DB created matches JSON');
			assert.deepEqual(sql(`SELECT heartbeat_at FROM ${HB} WHERE user_id = ${t.userId}
			    AND id = ${data.configId}`), [[null]], 'heartbeat row with NULL heartbeat_at');
			const tok = sql(`SELECT user_id, enabled, oauth, created = modified,
			    token_sha = UNHEX(SHA2(${q(data.token)}, 256)) FROM oscp_fp_token
			    WHERE id = ${data.flexibilityProviderId}`);
			assert.deepEqual(tok, [[String(t.userId), '1', '0', '1', '1']], 'fp token row');
			assert.equal(userRows('oscp_fp_token', t), 1);
			const sec = sql(`SELECT INSTR(secret_enc, 's3cr3t'), LENGTH(secret_enc) > 0
			    FROM ${SECRET} WHERE user_id = ${t.userId} AND id = ${data.configId}`);
			assert.deepEqual(sec, [['0', '1']], 'secret row, encrypted');
			const sprops = JSON.parse(confRow(data.configId, 'sprops')[0]);
			assert.deepEqual(sprops, {
				'oauth-token-url': 'https://auth.example/token',
				'oauth-client-id': 'abc',
			}, 'stored sprops without the secret');

			// GET echoes the same entity without the token.
			const g = assertOk(await get(t, data.configId));
			assert.deepEqual(g, withoutToken(data));
			assertKeys(g, Object.keys(withoutToken(data)), 'GET keys');
		});

		test(name(2, 'create-minimal-defaults'), async () => {
			const t = newTenant();
			const data = await create(t, { name: 'A', registrationStatus: 'Pending' });
			assertKeys(data, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
			    'token', 'flexibilityProviderId', 'registrationStatus', 'settings'],
			    'nulls omitted');
			assert.equal(data.enabled, false, 'enabled defaults to false');
			assert.deepEqual(data.settings, {});
			// case 2: fp_id is the id of the token row matching the token
			const r = sql(`SELECT c.fp_id FROM ${CONF} c JOIN oscp_fp_token f
			    ON f.user_id = c.user_id AND f.id = c.fp_id
			    WHERE c.id = ${data.configId}
			    AND f.token_sha = UNHEX(SHA2(${q(data.token)}, 256))`);
			assert.deepEqual(r, [[String(data.flexibilityProviderId)]]);
			assert.deepEqual(confRow(data.configId, 'url, oscp_ver, sprops, enabled'),
			    [null, null, null, '0']);
		});

		test(name(3, 'create-stores-oscp-version'), async () => {
			const t = newTenant();
			const data = await create(t, { name: 'V', registrationStatus: 'Pending',
			    baseUrl: 'https://v.example/oscp/2.0', oscpVersion: '2.0' });
			assertKeys(data, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
			    'token', 'baseUrl', 'oscpVersion', 'flexibilityProviderId',
			    'registrationStatus', 'settings']);
			assert.equal(data.oscpVersion, '2.0');
			assert.deepEqual(confRow(data.configId, 'oscp_ver'), ['2.0']);
			assert.equal(assertOk(await get(t, data.configId)).oscpVersion, '2.0');
		});

		test(name(4, 'name-validation'), async () => {
			const t = newTenant();
			const body = { registrationStatus: 'Pending' };
			assertVal(await post(t, body), [
				{ location: 'name', code: 'NotNull', message: msg('is required.') },
				{ location: 'name', code: 'NotBlank', message: msg('must not be empty.') },
			]);
			assertVal(await post(t, { ...body, name: null }), [
				{ location: 'name', code: 'NotNull', message: msg('is required.') },
				{ location: 'name', code: 'NotBlank', message: msg('must not be empty.') },
			]);
			assertVal(await post(t, { ...body, name: '' }), [
				{ location: 'name', code: 'NotBlank', message: msg('must not be empty.'),
				    rejectedValue: '' },
			]);
			assertVal(await post(t, { ...body, name: '   ' }), [
				{ location: 'name', code: 'NotBlank', message: msg('must not be empty.'),
				    rejectedValue: '   ' },
			]);
			const long = 'n'.repeat(65);
			assertVal(await post(t, { ...body, name: long }), [
				{ location: 'name', code: 'Size',
				    message: msg('must be no more than 64 characters long.'),
				    rejectedValue: long },
			]);
			nothingFor(t);
			// PUT validates the same way and changes nothing
			const ok = await create(t, { ...body, name: 'n'.repeat(64) });
			assert.equal(ok.name, 'n'.repeat(64));
			assertVal(await put(t, ok.configId, { ...body, name: '' }), [
				{ location: 'name', code: 'NotBlank', message: msg('must not be empty.'),
				    rejectedValue: '' },
			]);
			assert.deepEqual(confRow(ok.configId, 'cname'), ['n'.repeat(64)]);
		});

		test(name(5, 'registration-status-read'), async () => {
			const t = newTenant();
			const cases = [
				[undefined, 'Pending', '112'],
				[null, 'Pending', '112'],
				['r', 'Registered', '114'],
				['REGISTERED', 'Registered', '114'],
				['registered', 'Registered', '114'],
				['f', 'Failed', '102'],
				['Failed', 'Failed', '102'],
				['p', 'Pending', '112'],
			];
			for (const [given, want, code] of cases) {
				const body = { name: 'S' };
				if (given !== undefined)
					body.registrationStatus = given;
				const data = await create(t, body);
				assert.equal(data.registrationStatus, want, `given ${given}`);
				assert.deepEqual(confRow(data.configId, 'reg_status'), [code]);
			}
			const count = userRows(CONF, t);
			const tokens = userRows('oscp_fp_token', t);
			for (const bad of ['nope', 'R', 'Pendingx', 5]) {
				const res = await post(t, { name: 'S', registrationStatus: bad });
				assertMalformed(res);
			}
			assert.equal(userRows(CONF, t), count, 'nothing created');
			assert.equal(userRows('oscp_fp_token', t), tokens, 'no token rows created');
		});

		test(name(6, 'duplicate-base-url-rolls-back'), async () => {
			const t = newTenant();
			const url = 'https://dup.example/oscp/2.0';
			await create(t, { name: 'A', registrationStatus: 'Pending', baseUrl: url });
			assert.equal(userRows('oscp_fp_token', t), 1);
			assertErr(await post(t, { name: 'B', registrationStatus: 'Pending', baseUrl: url,
			    serviceProps: { 'oauth-token-url': 'https://a.example/t',
			    'oauth-client-id': 'i', 'oauth-client-secret': 'x' } }), 422, DAO_DUPLICATE);
			assert.equal(userRows(CONF, t), 1, 'one conf row');
			assert.equal(userRows('oscp_fp_token', t), 1, 'FP token row rolled back');
			assert.equal(userRows(HB, t), 1, 'one heartbeat row');
			assert.equal(userRows(SECRET, t), 0, 'no secret row');
			// case-sensitive: a different case is another URL
			await create(t, { name: 'C', registrationStatus: 'Pending',
			    baseUrl: 'https://dup.example/OSCP/2.0' });
		});

		test(name(7, 'null-base-urls-not-unique'), async () => {
			const t = newTenant();
			const a = await create(t, { name: 'A', registrationStatus: 'Pending' });
			const b = await create(t, { name: 'B', registrationStatus: 'Pending' });
			assert.notEqual(a.configId, b.configId);
			assert.notEqual(a.flexibilityProviderId, b.flexibilityProviderId);
			assert.notEqual(a.token, b.token);
			assert.equal(userRows(CONF, t, 'url IS NULL'), 2);
		});

		test(name(8, 'same-base-url-other-user'), async () => {
			const t1 = newTenant();
			const t2 = newTenant();
			const url = 'https://shared.example/oscp/2.0';
			const a = await create(t1, { name: 'A', registrationStatus: 'Pending', baseUrl: url });
			const b = await create(t2, { name: 'B', registrationStatus: 'Pending', baseUrl: url });
			assert.equal(a.baseUrl, url);
			assert.equal(b.baseUrl, url);
			assert.equal(b.userId, t2.userId);
		});

		test(name(9, 'list-only-own-ordered'), async () => {
			const a = newTenant();
			const b = newTenant();
			const c = newTenant();
			const mine = [];
			for (let i = 0; i < 3; i++) {
				mine.push(await create(a, { name: `A${i}`, registrationStatus: 'Pending',
				    baseUrl: `https://a${i}.example/x`, serviceProps: {
				    'oauth-token-url': 'https://auth.example/token', 'oauth-client-id': 'id',
				    'oauth-client-secret': 'l1stS3cret' } }));
				await create(b, { name: `B${i}`, registrationStatus: 'Pending' });
			}
			const res = await list(a);
			const data = assertOk(res);
			assert.ok(Array.isArray(data), 'data is an array');
			assert.deepEqual(data, mine.map(withoutToken), 'own, ordered by configId');
			const ids = data.map((x) => x.configId);
			assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
			for (const x of data)
				assertKeys(x, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
				    'baseUrl', 'flexibilityProviderId', 'registrationStatus', 'settings',
				    'serviceProps'], 'list item keys');
			assert.ok(!res.text.includes('oauth-client-secret') && !res.text.includes('l1stS3cret'),
			    'no secret in list');
			assert.ok(!res.text.includes('"token"'), 'no token in list');
			// a tenant with nothing sees an empty array
			const empty = await list(c);
			assert.equal(empty.status, 200);
			assert.deepEqual(empty.json, { success: true, data: [] });
		});

		test(name(10, 'get-foreign-or-missing'), async () => {
			const a = newTenant();
			const b = newTenant();
			const x = await create(a, { name: 'A', registrationStatus: 'Pending' });
			assertErr(await get(b, x.configId), 403, UNKNOWN_OBJECT);
			assertErr(await get(a, MISSING_ID), 403, UNKNOWN_OBJECT);
			assertOk(await get(a, x.configId));
		});

		test(name(11, 'put-full-replacement'), async () => {
			const t = newTenant();
			const x = await create(t, { ...EXAMPLE(), oscpVersion: '2.0' });
			await sleep(20);
			const before = Date.now();
			const res = await put(t, x.configId, {
				name: 'Grid Co 2', enabled: false, baseUrl: 'https://cp2.example/oscp/2.0',
				oscpVersion: '2.1', registrationStatus: 'Failed',
				serviceProps: { 'http-headers': { 'X-A': 'b' }, n: 1 },
			});
			const d = assertOk(res);
			assertKeys(d, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
			    'baseUrl', 'oscpVersion', 'flexibilityProviderId', 'registrationStatus',
			    'settings', 'serviceProps'], 'PUT keys (no token)');
			assert.equal(d.userId, t.userId);
			assert.equal(d.configId, x.configId);
			assert.equal(d.created, x.created, 'created unchanged');
			assertTs(d.modified, 'modified');
			assert.ok(tsMicros(d.modified) > tsMicros(x.modified), 'modified moved forward');
			assert.ok(Math.abs(Number(tsMicros(d.modified) / 1000n) - before) < 60000,
			    'modified is now');
			assert.equal(d.enabled, false);
			assert.equal(d.name, 'Grid Co 2');
			assert.equal(d.baseUrl, 'https://cp2.example/oscp/2.0');
			assert.equal(d.oscpVersion, '2.1');
			assert.equal(d.flexibilityProviderId, x.flexibilityProviderId, 'fp id unchanged');
			assert.equal(d.registrationStatus, 'Failed');
			assert.deepEqual(d.settings, {});
			assert.deepEqual(d.serviceProps, { 'http-headers': { 'X-A': 'b' }, n: 1 });
			assert.deepEqual(confRow(x.configId, 'cname, enabled, url, oscp_ver, reg_status, fp_id'),
			    ['Grid Co 2', '0', 'https://cp2.example/oscp/2.0', '2.1', '102',
			    String(x.flexibilityProviderId)]);
			assert.equal(dbTs(confRow(x.configId, 'modified')[0]), d.modified);
			assert.deepEqual(assertOk(await get(t, x.configId)), d, 'GET == PUT result');
			assert.equal(userRows('oscp_fp_token', t), 1, 'no new token row');
		});

		test(name(12, 'put-without-optional-fields-nulls-them'), async () => {
			const t = newTenant();
			const x = await create(t, { name: 'A', registrationStatus: 'Registered',
			    baseUrl: 'https://a.example/x', oscpVersion: '2.0', enabled: true,
			    serviceProps: { k: 'v' } });
			const d = assertOk(await put(t, x.configId, { name: 'A' }));
			assertKeys(d, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
			    'flexibilityProviderId', 'registrationStatus', 'settings'],
			    'baseUrl/oscpVersion/serviceProps gone');
			assert.equal(d.enabled, false, 'enabled back to default');
			assert.equal(d.registrationStatus, 'Pending', 'missing status -> Pending');
			assert.deepEqual(confRow(x.configId, 'url, oscp_ver, sprops, reg_status, enabled'),
			    [null, null, null, '112', '0']);
		});

		test(name(13, 'put-foreign-or-missing'), async () => {
			const a = newTenant();
			const b = newTenant();
			const x = await create(a, { name: 'A', registrationStatus: 'Pending' });
			const snap = (await get(a, x.configId)).text;
			const body = { name: 'Evil', registrationStatus: 'Registered', enabled: true };
			assertErr(await put(b, x.configId, body), 403, UNKNOWN_OBJECT);
			assertErr(await put(b, MISSING_ID, body), 403, UNKNOWN_OBJECT);
			assertErr(await put(a, MISSING_ID, body), 403, UNKNOWN_OBJECT);
			assert.equal((await get(a, x.configId)).text, snap, 'A unchanged');
			nothingFor(b);
			assert.equal(sqlCount(`${CONF} WHERE id = ${MISSING_ID}`), 0, 'nothing created');
			assert.equal(userRows(CONF, a), 1);
		});

		test(name(14, 'put-keeps-or-replaces-secret'), async () => {
			const t = newTenant();
			const x = await create(t, EXAMPLE());
			const secretHex = () => sql(`SELECT HEX(secret_enc) FROM ${SECRET}
			    WHERE user_id = ${t.userId} AND id = ${x.configId}`);
			const s1 = secretHex();
			assert.equal(s1.length, 1, 'secret row after POST');
			assert.ok(!s1[0][0].includes(Buffer.from('s3cr3t').toString('hex').toUpperCase()));

			// PUT with oauth settings but no secret: stored secret kept
			const props = { 'oauth-token-url': 'https://auth.example/token2',
			    'oauth-client-id': 'abc2' };
			const r1 = await put(t, x.configId, { name: 'Grid Co', registrationStatus: 'Pending',
			    serviceProps: props });
			assert.deepEqual(assertOk(r1).serviceProps, props);
			assert.deepEqual(secretHex(), s1, 'secret kept unchanged');

			// PUT with a new secret: replaced, encrypted, not returned, not in sprops
			const r2 = await put(t, x.configId, { name: 'Grid Co', registrationStatus: 'Pending',
			    serviceProps: { ...props, 'oauth-client-secret': 'n3wS3cretValue' } });
			assert.deepEqual(assertOk(r2).serviceProps, props);
			assert.ok(!r2.text.includes('n3wS3cretValue') &&
			    !r2.text.includes('oauth-client-secret'), 'secret not in PUT response');
			const s2 = secretHex();
			assert.equal(s2.length, 1);
			assert.notDeepEqual(s2, s1, 'secret replaced');
			assert.ok(!s2[0][0].includes(Buffer.from('n3wS3cretValue').toString('hex')
			    .toUpperCase()), 'secret stored encrypted');
			assert.deepEqual(JSON.parse(confRow(x.configId, 'sprops')[0]), props);
			const g = await get(t, x.configId);
			assert.ok(!g.text.includes('oauth-client-secret'));
			const l = await list(t);
			assert.ok(!l.text.includes('oauth-client-secret'));
		});

		test(name(15, 'delete-cascades'), async () => {
			const node = nextNodeId();
			const t = newTenant({ nodes: [node] });
			const me = await create(t, EXAMPLE());
			const otherColl = isCp ? 'capacity-optimizers' : 'capacity-providers';
			const other = assertCreated(await api(t, 'POST', `/${otherColl}`,
			    isCp ? coBody() : cpBody()), otherColl);
			const cpId = isCp ? me.configId : other.configId;
			const coId = isCp ? other.configId : me.configId;
			const g = assertCreated(await api(t, 'POST', '/capacity-groups',
			    groupBody(cpId, coId)), 'capacity-groups');
			const a1 = assertCreated(await api(t, 'POST', '/assets',
			    assetBody(g.configId, node)), 'assets');
			const a2 = assertCreated(await api(t, 'POST', '/assets',
			    assetBody(g.configId, node)), 'assets');
			assert.equal(userRows(SECRET, t), 1);
			// a peer token (as stored by a Register) goes with the conf too
			sql(`INSERT INTO oscp_${role}_token (user_id, id, token_enc)
			    VALUES (${t.userId}, ${me.configId}, X'00112233')`);

			const res = await del(t, me.configId);
			assert.equal(res.status, 200, show(res));
			assert.deepEqual(res.json, { success: true });
			assertErr(await get(t, me.configId), 403, UNKNOWN_OBJECT);
			assertErr(await api(t, 'GET', `/capacity-groups/${g.configId}`), 403, UNKNOWN_OBJECT);
			assertErr(await api(t, 'GET', `/assets/${a1.configId}`), 403, UNKNOWN_OBJECT);
			assertErr(await api(t, 'GET', `/assets/${a2.configId}`), 403, UNKNOWN_OBJECT);
			assert.deepEqual(assertOk(await api(t, 'GET', `/capacity-groups/${g.configId}/assets`)),
			    []);
			assert.equal(userRows(CONF, t), 0, 'conf row gone');
			assert.equal(userRows(HB, t), 0, 'heartbeat row gone');
			assert.equal(userRows(SECRET, t), 0, 'secret gone');
			assert.equal(userRows(`oscp_${role}_token`, t), 0, 'peer token gone');
			assert.equal(sqlCount(`oscp_fp_token WHERE id = ${me.flexibilityProviderId}`), 0,
			    'FP token row gone');
			assert.equal(userRows('oscp_cg_conf', t), 0, 'group gone');
			assert.equal(userRows('oscp_cg_cp_meas', t), 0, 'cp meas rows gone');
			assert.equal(userRows('oscp_cg_co_meas', t), 0, 'co meas rows gone');
			assert.equal(userRows('oscp_asset_conf', t), 0, 'assets gone');
			// the other system is untouched
			const o = assertOk(await api(t, 'GET', `/${otherColl}/${other.configId}`));
			assert.deepEqual(o, withoutToken(other));
			assert.equal(sqlCount(`oscp_fp_token WHERE id = ${other.flexibilityProviderId}`), 1);
		});

		test(name(16, 'delete-foreign-or-missing-is-noop'), async () => {
			const a = newTenant();
			const b = newTenant();
			const x = await create(a, EXAMPLE());
			const snap = (await get(a, x.configId)).text;
			for (const [who, id] of [[b, x.configId], [b, MISSING_ID], [a, MISSING_ID]]) {
				const res = await del(who, id);
				assert.equal(res.status, 200, show(res));
				assert.deepEqual(res.json, { success: true });
				assertKeys(res.json, ['success']);
			}
			assert.equal((await get(a, x.configId)).text, snap, 'A unchanged');
			assert.equal(userRows(CONF, a), 1);
			assert.equal(userRows('oscp_fp_token', a), 1);
			assert.equal(userRows(HB, a), 1);
			assert.equal(userRows(SECRET, a), 1);
		});

		test(name(17, 'base-url-too-long'), async () => {
			const t = newTenant();
			const prefix = 'https://long.example/';
			const url257 = prefix + 'a'.repeat(257 - prefix.length);
			const url256 = prefix + 'b'.repeat(256 - prefix.length);
			assertErr(await post(t, { name: 'L', registrationStatus: 'Pending', baseUrl: url257 }),
			    422, DAO_INVALID);
			nothingFor(t);
			const ok = await create(t, { name: 'L', registrationStatus: 'Pending', baseUrl: url256 });
			assert.equal(ok.baseUrl, url256);
			assertErr(await put(t, ok.configId, { name: 'L', registrationStatus: 'Pending',
			    baseUrl: url257 }), 422, DAO_INVALID);
			assert.deepEqual(confRow(ok.configId, 'url'), [url256], 'unchanged after failed PUT');
		});

		test(name(18, 'oscp-version-too-long'), async () => {
			const t = newTenant();
			assertErr(await post(t, { name: 'V', registrationStatus: 'Pending',
			    oscpVersion: '123456789' }), 422, DAO_INVALID);
			nothingFor(t);
			const ok = await create(t, { name: 'V', registrationStatus: 'Pending',
			    oscpVersion: '12345678' });
			assert.equal(ok.oscpVersion, '12345678');
			assertErr(await put(t, ok.configId, { name: 'V', registrationStatus: 'Pending',
			    oscpVersion: '2.0.0.0.0' }), 422, DAO_INVALID);
			assert.deepEqual(confRow(ok.configId, 'oscp_ver'), ['12345678']);
		});

		test(name(19, 'malformed-base-url'), async () => {
			const t = newTenant();
			assertMalformed(await post(t, { name: 'M', registrationStatus: 'Pending',
			    baseUrl: 'not a uri with spaces' }));
			nothingFor(t);
		});

		test(name(20, 'wrong-json-types'), async () => {
			const t = newTenant();
			assertMalformed(await post(t, { name: 5, registrationStatus: 'Pending' }));
			assertMalformed(await post(t, { name: 'W', registrationStatus: 'Pending',
			    enabled: 'yes' }));
			assertMalformed(await post(t, { name: 'W', registrationStatus: 'Pending',
			    serviceProps: ['a'] }));
			nothingFor(t);
		});

		test(name(21, 'ignores-unknown-and-output-only-properties'), async () => {
			const t = newTenant();
			const data = await create(t, {
				name: 'U', registrationStatus: 'Pending', userId: 1, configId: 5, id: 6,
				token: 'x'.repeat(64), created: '2000-01-01 00:00:00Z',
				modified: '2000-01-01 00:00:00Z', flexibilityProviderId: 3,
				settings: { heartbeatSeconds: 5 }, heartbeatDate: '2000-01-01 00:00:00Z',
				offlineDate: '2000-01-01 00:00:00Z', whatever: { deep: [1, 2] },
			});
			assert.equal(data.userId, t.userId);
			assert.notEqual(data.token, 'x'.repeat(64));
			assert.ok(!data.created.startsWith('2000-'));
			assert.deepEqual(data.settings, {});
			assert.ok(!('heartbeatDate' in data) && !('offlineDate' in data));
			assert.ok(!('whatever' in data));
		});

		test(name(22, 'settings-dates-and-timestamp-format'), async () => {
			const t = newTenant();
			const x = await create(t, { name: 'D', registrationStatus: 'Pending',
			    serviceProps: { a: 1 } });
			sql(`UPDATE ${CONF} SET heartbeat_secs = 60, meas_styles = '[99,105]',
			    offline_at = '2026-08-05 05:00:00.000000',
			    created = '2026-08-05 04:12:05.120000',
			    modified = '2026-08-05 04:12:07.000001'
			    WHERE id = ${x.configId}`);
			sql(`UPDATE ${HB} SET heartbeat_at = '2026-08-05 04:12:33.123456'
			    WHERE id = ${x.configId}`);
			const d = assertOk(await get(t, x.configId));
			assertKeys(d, without(CONF_ORDER, 'token', 'baseUrl', 'oscpVersion'), 'all keys');
			assert.equal(d.created, '2026-08-05 04:12:05.12Z');
			assert.equal(d.modified, '2026-08-05 04:12:07.000001Z');
			assert.equal(d.offlineDate, '2026-08-05 05:00:00Z');
			assert.equal(d.heartbeatDate, '2026-08-05 04:12:33.123456Z');
			assert.deepEqual(d.settings, { heartbeatSeconds: 60,
			    measurementStyles: ['Continuous', 'Intermittent'] });
			assertKeys(d.settings, ['heartbeatSeconds', 'measurementStyles']);
			// list shows the same
			assert.deepEqual(assertOk(await list(t)), [d]);
		});

		test(name(23, 'secret-alone-never-returned'), async () => {
			// a secret without the OAuth URL and client id: still never
			// returned and never kept in clear (SPEC §2 improvement 3)
			const t = newTenant();
			const res = await post(t, { name: 'S', registrationStatus: 'Pending',
			    serviceProps: { 'oauth-client-secret': 'onlyS3cretValue', keep: 'me' } });
			const x = assertCreated(res, collection);
			assert.deepEqual(x.serviceProps, { keep: 'me' });
			assert.ok(!res.text.includes('onlyS3cretValue') &&
			    !res.text.includes('oauth-client-secret'), 'POST response');
			for (const r of [await get(t, x.configId), await list(t)]) {
				assert.equal(r.status, 200, show(r));
				assert.ok(!r.text.includes('onlyS3cretValue') &&
				    !r.text.includes('oauth-client-secret'), 'GET/list response');
			}
			assert.deepEqual(sql(`SELECT INSTR(COALESCE(sprops, ''), 'onlyS3cretValue')
			    FROM ${CONF} WHERE id = ${x.configId}`), [['0']], 'not in sprops in clear');
			const r2 = await put(t, x.configId, { name: 'S', registrationStatus: 'Pending',
			    serviceProps: { 'oauth-client-secret': 'onlyS3cretValue2' } });
			assertOk(r2);
			assert.ok(!r2.text.includes('onlyS3cretValue2') &&
			    !r2.text.includes('oauth-client-secret'), 'PUT response');
			assert.deepEqual(sql(`SELECT INSTR(COALESCE(sprops, ''), 'onlyS3cretValue')
			    FROM ${CONF} WHERE id = ${x.configId}`), [['0']], 'not in sprops in clear');
		});
	});
}
