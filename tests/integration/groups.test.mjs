// groups.test.mjs -- Capacity Group routes (/capacity-groups), reference
// §4.3, §6, §10 cases 22-28, with the lead's decisions for the default
// validation texts.  A fresh tenant per case.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	api, newTenant, nextNodeId, sql, sqlCount, sleep, cpBody, coBody, groupBody, assetBody,
} from './lib.mjs';
import {
	assertOk, assertErr, assertVal, assertMalformed, assertCreated, assertKeys, assertTs,
	tsMicros, dbTs, userRows, UNKNOWN_OBJECT, DAO_DUPLICATE, DAO_FK,
} from './asserts.mjs';

const GROUP_ORDER = ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
    'identifier', 'capacityProviderId', 'capacityOptimizerId',
    'capacityProviderMeasurementPeriod', 'capacityOptimizerMeasurementPeriod',
    'capacityProviderMeasurementDate', 'capacityOptimizerMeasurementDate', 'serviceProps'];
const MISSING_ID = 987654321013;
const PERIODS = [['Minute', 60], ['FiveMinute', 300], ['TenMinute', 600],
    ['FifteenMinute', 900], ['TwentyMinute', 1200], ['ThirtyMinute', 1800], ['Hour', 3600]];

const M = {
	nameNull: { location: 'name', code: 'NotNull', message: 'The Capacity Group name is required.' },
	nameBlank: { location: 'name', code: 'NotBlank',
	    message: 'The Capacity Group name must not be empty.' },
	identNull: { location: 'identifier', code: 'NotNull',
	    message: 'The Capacity Group identifier is required.' },
	identBlank: { location: 'identifier', code: 'NotBlank',
	    message: 'The Capacity Group identifier must not be empty.' },
	cpNull: { location: 'capacityProviderId', code: 'NotNull',
	    message: 'The Capacity Group Capacity Provider ID is required.' },
	coNull: { location: 'capacityOptimizerId', code: 'NotNull',
	    message: 'The Capacity Group Capacity Optimizer ID is required.' },
	cpPeriodNull: { location: 'capacityProviderMeasurementPeriod', code: 'NotNull',
	    message: 'The Capacity Group capacity provider measurement period is required.' },
	coPeriodNull: { location: 'capacityOptimizerMeasurementPeriod', code: 'NotNull',
	    message: 'The Capacity Group capacity optimizer measurement period is required.' },
};

function show(res) {
	return `HTTP ${res.status} ${res.text}`;
}

/** A tenant with one CP and one CO; returns {t, cp, co}. */
async function setup(opts) {
	const t = newTenant(opts);
	const cp = assertCreated(await api(t, 'POST', '/capacity-providers', cpBody()),
	    'capacity-providers');
	const co = assertCreated(await api(t, 'POST', '/capacity-optimizers', coBody()),
	    'capacity-optimizers');
	return { t, cp, co };
}

const post = (t, body) => api(t, 'POST', '/capacity-groups', body);
const get = (t, id) => api(t, 'GET', `/capacity-groups/${id}`);
const put = (t, id, body) => api(t, 'PUT', `/capacity-groups/${id}`, body);
const del = (t, id) => api(t, 'DELETE', `/capacity-groups/${id}`);
const create = async (t, body) => assertCreated(await post(t, body), 'capacity-groups');
const cgRow = (id, cols) => sql(`SELECT ${cols} FROM oscp_cg_conf WHERE id = ${Number(id)}`)[0];

function nothingCreated(t) {
	assert.equal(userRows('oscp_cg_conf', t), 0, 'no group rows');
	assert.equal(userRows('oscp_cg_cp_meas', t), 0, 'no cp meas rows');
	assert.equal(userRows('oscp_cg_co_meas', t), 0, 'no co meas rows');
}

describe('groups (capacity-groups)', () => {
	test('300-groups-create-valid', async () => {
		const { t, cp, co } = await setup();
		const before = Date.now();
		const body = {
			name: 'North feeder', identifier: 'grp-north', enabled: true,
			capacityProviderId: cp.configId, capacityOptimizerId: co.configId,
			capacityProviderMeasurementPeriod: 'FifteenMinute',
			capacityOptimizerMeasurementPeriod: 'Hour',
			serviceProps: { 'group-combined-asset-id': 'combo-1' },
		};
		const res = await post(t, body);
		const d = assertCreated(res, 'capacity-groups');
		assertKeys(d, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
		    'identifier', 'capacityProviderId', 'capacityOptimizerId',
		    'capacityProviderMeasurementPeriod', 'capacityOptimizerMeasurementPeriod',
		    'serviceProps'], 'data keys (measurement dates null → omitted)');
		assert.equal(d.userId, t.userId);
		assertTs(d.created, 'created');
		assert.equal(d.modified, d.created);
		assert.ok(Math.abs(Number(tsMicros(d.created) / 1000n) - before) < 60000);
		assert.equal(d.enabled, true);
		assert.equal(d.name, 'North feeder');
		assert.equal(d.identifier, 'grp-north');
		assert.equal(d.capacityProviderId, cp.configId);
		assert.equal(d.capacityOptimizerId, co.configId);
		assert.equal(d.capacityProviderMeasurementPeriod, 'FifteenMinute');
		assert.equal(d.capacityOptimizerMeasurementPeriod, 'Hour');
		assert.deepEqual(d.serviceProps, { 'group-combined-asset-id': 'combo-1' });
		assert.ok(!('token' in d));

		const row = cgRow(d.configId, 'user_id, enabled, cname, ident, cp_id, co_id, ' +
		    'cp_meas_secs, co_meas_secs, created, modified');
		assert.deepEqual(row, [String(t.userId), '1', 'North feeder', 'grp-north',
		    String(cp.configId), String(co.configId), '900', '3600', row[8], row[8]]);
		assert.equal(dbTs(row[8]), d.created);
		// case 22: both measurement rows, meas_at NULL
		for (const tbl of ['oscp_cg_cp_meas', 'oscp_cg_co_meas'])
			assert.deepEqual(sql(`SELECT meas_at FROM ${tbl} WHERE user_id = ${t.userId}
			    AND cg_id = ${d.configId}`), [[null]], `${tbl} row`);

		assert.deepEqual(assertOk(await get(t, d.configId)), d, 'GET echoes');
	});

	test('301-groups-create-minimal-defaults', async () => {
		const { t, cp, co } = await setup();
		const d = await create(t, {
			name: 'G', identifier: 'g', capacityProviderId: cp.configId,
			capacityOptimizerId: co.configId, capacityProviderMeasurementPeriod: 'Minute',
			capacityOptimizerMeasurementPeriod: 'Minute',
		});
		assertKeys(d, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
		    'identifier', 'capacityProviderId', 'capacityOptimizerId',
		    'capacityProviderMeasurementPeriod', 'capacityOptimizerMeasurementPeriod']);
		assert.equal(d.enabled, false);
		assert.deepEqual(cgRow(d.configId, 'enabled, sprops'), ['0', null]);
	});

	test('302-groups-measurement-periods', async () => {
		const { t, cp, co } = await setup();
		for (const [pname, secs] of PERIODS) {
			const d = await create(t, groupBody(cp.configId, co.configId, {
			    capacityProviderMeasurementPeriod: pname,
			    capacityOptimizerMeasurementPeriod: pname.toUpperCase() }));
			assert.equal(d.capacityProviderMeasurementPeriod, pname);
			assert.equal(d.capacityOptimizerMeasurementPeriod, pname);
			assert.deepEqual(cgRow(d.configId, 'cp_meas_secs, co_meas_secs'),
			    [String(secs), String(secs)]);
		}
		// case 23: names case-insensitively; seconds are not accepted
		const d = await create(t, groupBody(cp.configId, co.configId,
		    { capacityProviderMeasurementPeriod: 'fifteenminute' }));
		assert.equal(d.capacityProviderMeasurementPeriod, 'FifteenMinute');
		const count = userRows('oscp_cg_conf', t);
		for (const bad of ['900', 900, 'Fifteen', 'x', 15]) {
			assertMalformed(await post(t, groupBody(cp.configId, co.configId,
			    { capacityProviderMeasurementPeriod: bad })));
			assertMalformed(await post(t, groupBody(cp.configId, co.configId,
			    { capacityOptimizerMeasurementPeriod: bad })));
		}
		assert.equal(userRows('oscp_cg_conf', t), count, 'nothing created');
	});

	test('303-groups-measurement-dates-output', async () => {
		const { t, cp, co } = await setup();
		const g = await create(t, groupBody(cp.configId, co.configId,
		    { serviceProps: { a: 1 } }));
		sql(`UPDATE oscp_cg_cp_meas SET meas_at = '2026-08-05 04:15:00.000000'
		    WHERE cg_id = ${g.configId}`);
		sql(`UPDATE oscp_cg_co_meas SET meas_at = '2026-08-05 04:00:00.500000'
		    WHERE cg_id = ${g.configId}`);
		const d = assertOk(await get(t, g.configId));
		assertKeys(d, GROUP_ORDER, 'every key, in order');
		assert.equal(d.capacityProviderMeasurementDate, '2026-08-05 04:15:00Z');
		assert.equal(d.capacityOptimizerMeasurementDate, '2026-08-05 04:00:00.5Z');
		assert.deepEqual(assertOk(await api(t, 'GET', '/capacity-groups')), [d]);
	});

	test('304-groups-validation-messages', async () => {
		const { t, cp, co } = await setup();
		const ok = () => groupBody(cp.configId, co.configId);
		assertVal(await post(t, {}), [M.nameNull, M.nameBlank, M.identNull, M.identBlank,
		    M.cpNull, M.coNull, M.cpPeriodNull, M.coPeriodNull]);
		assertVal(await post(t, { ...ok(), identifier: undefined }), [M.identNull, M.identBlank]);
		assertVal(await post(t, { ...ok(), identifier: '' }),
		    [{ ...M.identBlank, rejectedValue: '' }]);
		assertVal(await post(t, { ...ok(), identifier: ' ' }),
		    [{ ...M.identBlank, rejectedValue: ' ' }]);
		const id129 = 'i'.repeat(129);
		assertVal(await post(t, { ...ok(), identifier: id129 }), [{ location: 'identifier',
		    code: 'Size', message: 'size must be between 0 and 128', rejectedValue: id129 }]);
		assertVal(await post(t, { ...ok(), name: undefined }), [M.nameNull, M.nameBlank]);
		assertVal(await post(t, { ...ok(), name: '' }), [{ ...M.nameBlank, rejectedValue: '' }]);
		const n65 = 'n'.repeat(65);
		assertVal(await post(t, { ...ok(), name: n65 }), [{ location: 'name', code: 'Size',
		    message: 'size must be between 0 and 64', rejectedValue: n65 }]);
		assertVal(await post(t, { ...ok(), capacityProviderId: undefined }), [M.cpNull]);
		assertVal(await post(t, { ...ok(), capacityOptimizerId: null }), [M.coNull]);
		assertVal(await post(t, { ...ok(), capacityProviderMeasurementPeriod: undefined }),
		    [M.cpPeriodNull]);
		assertVal(await post(t, { ...ok(), capacityOptimizerMeasurementPeriod: null }),
		    [M.coPeriodNull]);
		nothingCreated(t);
		// the limits themselves are fine
		const d = await create(t, { ...ok(), name: 'n'.repeat(64), identifier: 'i'.repeat(128) });
		assert.equal(d.identifier, 'i'.repeat(128));
		assert.equal(d.name, 'n'.repeat(64));
	});

	test('305-groups-wrong-json-types', async () => {
		const { t, cp, co } = await setup();
		assertMalformed(await post(t, groupBody(String(cp.configId), co.configId)));
		assertMalformed(await post(t, groupBody(cp.configId, co.configId, { identifier: 7 })));
		assertMalformed(await post(t, groupBody(cp.configId, co.configId, { enabled: 1 })));
		nothingCreated(t);
	});

	test('306-groups-duplicate-identifier', async () => {
		const { t, cp, co } = await setup();
		await create(t, groupBody(cp.configId, co.configId, { identifier: 'same' }));
		assertErr(await post(t, groupBody(cp.configId, co.configId, { identifier: 'same' })),
		    422, DAO_DUPLICATE);
		assert.equal(userRows('oscp_cg_conf', t), 1);
		assert.equal(userRows('oscp_cg_cp_meas', t), 1, 'meas rows of the failed insert rolled back');
		assert.equal(userRows('oscp_cg_co_meas', t), 1);
		// identifiers compare byte for byte
		await create(t, groupBody(cp.configId, co.configId, { identifier: 'SAME' }));
		// another user may reuse it
		const o = await setup();
		await create(o.t, groupBody(o.cp.configId, o.co.configId, { identifier: 'same' }));
	});

	test('307-groups-foreign-references', async () => {
		const a = await setup();
		const b = await setup();
		const cases = [
			[b.cp.configId, a.co.configId],
			[a.cp.configId, b.co.configId],
			[b.cp.configId, b.co.configId],
			[MISSING_ID, a.co.configId],
			[a.cp.configId, MISSING_ID],
			// a CO id where a CP id belongs
			[a.co.configId === a.cp.configId ? MISSING_ID : a.co.configId, a.co.configId],
		];
		for (const [cpId, coId] of cases)
			assertErr(await post(a.t, groupBody(cpId, coId)), 422, DAO_FK);
		nothingCreated(a.t);
		nothingCreated(b.t);
	});

	test('308-groups-put-replaces', async () => {
		const { t, cp, co } = await setup();
		const cp2 = assertCreated(await api(t, 'POST', '/capacity-providers', cpBody()),
		    'capacity-providers');
		const co2 = assertCreated(await api(t, 'POST', '/capacity-optimizers', coBody()),
		    'capacity-optimizers');
		const g = await create(t, groupBody(cp.configId, co.configId,
		    { serviceProps: { a: 1 }, enabled: true }));
		await sleep(20);
		const body = {
			name: 'Renamed', identifier: 'grp-renamed', enabled: false,
			capacityProviderId: cp2.configId, capacityOptimizerId: co2.configId,
			capacityProviderMeasurementPeriod: 'FiveMinute',
			capacityOptimizerMeasurementPeriod: 'ThirtyMinute',
		};
		const d = assertOk(await put(t, g.configId, body));
		assertKeys(d, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
		    'identifier', 'capacityProviderId', 'capacityOptimizerId',
		    'capacityProviderMeasurementPeriod', 'capacityOptimizerMeasurementPeriod'],
		    'serviceProps replaced by nothing');
		assert.equal(d.configId, g.configId);
		assert.equal(d.created, g.created);
		assert.ok(tsMicros(d.modified) > tsMicros(g.modified));
		assert.equal(d.name, 'Renamed');
		assert.equal(d.identifier, 'grp-renamed');
		assert.equal(d.enabled, false);
		assert.equal(d.capacityProviderId, cp2.configId);
		assert.equal(d.capacityOptimizerId, co2.configId);
		assert.equal(d.capacityProviderMeasurementPeriod, 'FiveMinute');
		assert.equal(d.capacityOptimizerMeasurementPeriod, 'ThirtyMinute');
		assert.deepEqual(cgRow(g.configId, 'cname, ident, enabled, cp_id, co_id, cp_meas_secs, ' +
		    'co_meas_secs, sprops'), ['Renamed', 'grp-renamed', '0', String(cp2.configId),
		    String(co2.configId), '300', '1800', null]);
		assert.equal(dbTs(cgRow(g.configId, 'modified')[0]), d.modified);
		assert.deepEqual(assertOk(await get(t, g.configId)), d);
		// measurement rows are still there
		assert.equal(userRows('oscp_cg_cp_meas', t, `cg_id = ${g.configId}`), 1);
		assert.equal(userRows('oscp_cg_co_meas', t, `cg_id = ${g.configId}`), 1);
	});

	test('309-groups-put-errors-change-nothing', async () => {
		const a = await setup();
		const b = await setup();
		const g = await create(a.t, groupBody(a.cp.configId, a.co.configId));
		const other = await create(a.t, groupBody(a.cp.configId, a.co.configId,
		    { identifier: 'taken' }));
		void other;
		const snap = (await get(a.t, g.configId)).text;
		const body = groupBody(a.cp.configId, a.co.configId);
		assertErr(await put(a.t, MISSING_ID, body), 403, UNKNOWN_OBJECT);
		assertErr(await put(b.t, g.configId, groupBody(b.cp.configId, b.co.configId)), 403,
		    UNKNOWN_OBJECT);
		assertErr(await put(a.t, g.configId, groupBody(b.cp.configId, a.co.configId)), 422,
		    DAO_FK);
		assertErr(await put(a.t, g.configId, groupBody(a.cp.configId, a.co.configId,
		    { identifier: 'taken' })), 422, DAO_DUPLICATE);
		assertVal(await put(a.t, g.configId, { ...body, identifier: undefined }),
		    [M.identNull, M.identBlank]);
		assertMalformed(await put(a.t, g.configId, { ...body,
		    capacityProviderMeasurementPeriod: 900 }));
		assert.equal((await get(a.t, g.configId)).text, snap, 'unchanged');
		assert.equal(userRows('oscp_cg_conf', a.t), 2);
		nothingCreated(b.t);
	});

	test('310-groups-get-foreign-or-missing', async () => {
		const a = await setup();
		const b = newTenant();
		const g = await create(a.t, groupBody(a.cp.configId, a.co.configId));
		assertErr(await get(b, g.configId), 403, UNKNOWN_OBJECT);
		assertErr(await get(a.t, MISSING_ID), 403, UNKNOWN_OBJECT);
	});

	test('311-groups-list-only-own-ordered', async () => {
		const a = await setup();
		const b = await setup();
		const mine = [];
		for (let i = 0; i < 3; i++) {
			mine.push(await create(a.t, groupBody(a.cp.configId, a.co.configId,
			    { name: `G${i}` })));
			await create(b.t, groupBody(b.cp.configId, b.co.configId));
		}
		const data = assertOk(await api(a.t, 'GET', '/capacity-groups'));
		assert.deepEqual(data, mine);
		for (const x of data)
			assert.equal(x.userId, a.t.userId);
		const c = newTenant();
		const empty = await api(c, 'GET', '/capacity-groups');
		assert.equal(empty.status, 200, show(empty));
		assert.deepEqual(empty.json, { success: true, data: [] });
	});

	test('312-groups-delete-cascades', async () => {
		const node = nextNodeId();
		const { t, cp, co } = await setup({ nodes: [node] });
		const g = await create(t, groupBody(cp.configId, co.configId));
		const keep = await create(t, groupBody(cp.configId, co.configId));
		const a1 = assertCreated(await api(t, 'POST', '/assets', assetBody(g.configId, node)),
		    'assets');
		assertCreated(await api(t, 'POST', '/assets', assetBody(g.configId, node)), 'assets');
		const k1 = assertCreated(await api(t, 'POST', '/assets', assetBody(keep.configId, node)),
		    'assets');
		const res = await del(t, g.configId);
		assert.equal(res.status, 200, show(res));
		assert.deepEqual(res.json, { success: true });
		assertErr(await get(t, g.configId), 403, UNKNOWN_OBJECT);
		assertErr(await api(t, 'GET', `/assets/${a1.configId}`), 403, UNKNOWN_OBJECT);
		assert.equal(userRows('oscp_asset_conf', t, `cg_id = ${g.configId}`), 0, 'assets gone');
		assert.equal(userRows('oscp_cg_cp_meas', t, `cg_id = ${g.configId}`), 0);
		assert.equal(userRows('oscp_cg_co_meas', t, `cg_id = ${g.configId}`), 0);
		// the rest is untouched
		assert.equal(userRows('oscp_cg_conf', t), 1);
		assert.deepEqual(assertOk(await api(t, 'GET', `/assets/${k1.configId}`)), k1);
		assert.equal(userRows('oscp_cp_conf', t), 1);
		assert.equal(userRows('oscp_co_conf', t), 1);
	});

	test('313-groups-delete-foreign-or-missing-is-noop', async () => {
		const a = await setup();
		const b = newTenant();
		const g = await create(a.t, groupBody(a.cp.configId, a.co.configId));
		const snap = (await get(a.t, g.configId)).text;
		for (const [who, id] of [[b, g.configId], [b, MISSING_ID], [a.t, MISSING_ID]]) {
			const res = await del(who, id);
			assert.equal(res.status, 200, show(res));
			assert.deepEqual(res.json, { success: true });
		}
		assert.equal((await get(a.t, g.configId)).text, snap);
		assert.equal(sqlCount(`oscp_cg_cp_meas WHERE cg_id = ${g.configId}`), 1);
	});
});
