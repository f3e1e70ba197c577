// assets.test.mjs -- Asset routes (/assets, /capacity-groups/{id}/assets),
// reference §4.4, §6, §10 cases 29-40 as amended by the lead's decisions
// (no token, identifier Size by validation, DELETE on the group listing
// answered like the GET).  A fresh tenant per case.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	api, newTenant, nextNodeId, sql, sleep, cpBody, coBody, groupBody, assetBody,
} from './lib.mjs';
import {
	assertOk, assertErr, assertVal, assertMalformed, assertCreated, assertKeys, assertTs,
	tsMicros, dbTs, userRows, UNKNOWN_OBJECT, ACCESS_DENIED, DAO_DUPLICATE, DAO_FK,
} from './asserts.mjs';

const ASSET_ORDER = ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
    'capacityGroupId', 'identifier', 'audience', 'nodeId', 'sourceId', 'category', 'phase',
    'instantaneous', 'energy', 'serviceProps'];
const INST_ORDER = ['propertyNames', 'unit', 'multiplier', 'statisticType'];
const ENERGY_ORDER = [...INST_ORDER, 'type', 'direction'];
const MISSING_ID = 987654321014;

const A = (location, code, message, extra = {}) => ({ location, code, message, ...extra });
const M = {
	nameNull: A('name', 'NotNull', 'must not be null'),
	nameBlank: A('name', 'NotBlank', 'must not be blank'),
	cgNull: A('capacityGroupId', 'NotNull', 'The Asset capacity group ID is required.'),
	identNull: A('identifier', 'NotNull', 'The Asset identifier is required.'),
	identBlank: A('identifier', 'NotBlank', 'The Asset identifier must not be empty.'),
	audNull: A('audience', 'NotNull', 'The Asset audience is required.'),
	nodeNull: A('nodeId', 'NotNull', 'The Asset node ID is required.'),
	srcNull: A('sourceId', 'NotNull', 'The Asset source ID is required.'),
	srcBlank: A('sourceId', 'NotBlank', 'The Asset source ID must not be empty.'),
	catNull: A('category', 'NotNull', 'The Asset category is required.'),
	phaseNull: A('phase', 'NotNull', 'The Asset phase is required.'),
};
const sub = (which) => ({
	namesNull: A(`${which}.propertyNames`, 'NotNull',
	    `The Asset ${which} property names are required.`),
	namesEmpty: A(`${which}.propertyNames`, 'NotEmpty',
	    `The Asset ${which} property names must not be empty.`),
	unitNull: A(`${which}.unit`, 'NotNull', `The Asset ${which} unit is required.`),
	statNull: A(`${which}.statisticType`, 'NotNull',
	    `The Asset ${which} statistic type is required.`),
	typeNull: A(`${which}.type`, 'NotNull', `The Asset ${which} type is required.`),
	dirNull: A(`${which}.direction`, 'NotNull', `The Asset ${which} direction is required.`),
});

function show(res) {
	return `HTTP ${res.status} ${res.text}`;
}

/**
 * A tenant with one own private node, one own public node, a CP, a CO and
 * a group; returns {t, node, pubNode, cp, co, g}.
 */
async function setup() {
	const node = nextNodeId();
	const pubNode = nextNodeId();
	const t = newTenant({ nodes: [node], publicNodes: [pubNode] });
	const cp = assertCreated(await api(t, 'POST', '/capacity-providers', cpBody()),
	    'capacity-providers');
	const co = assertCreated(await api(t, 'POST', '/capacity-optimizers', coBody()),
	    'capacity-optimizers');
	const g = assertCreated(await api(t, 'POST', '/capacity-groups',
	    groupBody(cp.configId, co.configId)), 'capacity-groups');
	return { t, node, pubNode, cp, co, g };
}

async function newGroup(s) {
	return assertCreated(await api(s.t, 'POST', '/capacity-groups',
	    groupBody(s.cp.configId, s.co.configId)), 'capacity-groups');
}

const post = (t, body) => api(t, 'POST', '/assets', body);
const get = (t, id) => api(t, 'GET', `/assets/${id}`);
const put = (t, id, body) => api(t, 'PUT', `/assets/${id}`, body);
const del = (t, id) => api(t, 'DELETE', `/assets/${id}`);
const groupAssets = (t, gid, method = 'GET') => api(t, method, `/capacity-groups/${gid}/assets`);
const create = async (t, body) => assertCreated(await post(t, body), 'assets');
const assetRow = (id, cols) =>
	sql(`SELECT ${cols} FROM oscp_asset_conf WHERE id = ${Number(id)}`)[0];

/** The literal number texts following "multiplier": in a raw response. */
function multiplierTexts(text) {
	return [...text.matchAll(/"multiplier":\s*([-+0-9.eE]+)/g)].map((m) => m[1]);
}

describe('assets', () => {
	test('400-assets-create-published-example', async () => {
		const s = await setup();
		const before = Date.now();
		const body = {
			name: 'Charger 1', capacityGroupId: s.g.configId, identifier: 'chg-1',
			audience: 'CapacityProvider', nodeId: s.node, sourceId: '/ev/1',
			category: 'Charging', phase: 'All', enabled: true,
			instantaneous: { propertyNames: ['watts'], unit: 'kW', multiplier: 0.001,
			    statisticType: 'Maximum' },
			energy: { propertyNames: ['wattHours'], unit: 'kWh', multiplier: 0.001,
			    statisticType: 'Difference', type: 'Total', direction: 'Import' },
		};
		const res = await post(s.t, body);
		const d = assertCreated(res, 'assets');
		assertKeys(d, ASSET_ORDER.filter((k) => k !== 'serviceProps'), 'data keys (no token)');
		assert.equal(d.userId, s.t.userId);
		assertTs(d.created, 'created');
		assert.equal(d.modified, d.created);
		assert.ok(Math.abs(Number(tsMicros(d.created) / 1000n) - before) < 60000);
		const { userId, configId, created, modified, ...echo } = d;
		void userId; void configId; void created; void modified;
		assert.deepEqual(echo, body, 'every input field echoed');
		assertKeys(d.instantaneous, INST_ORDER, 'instantaneous keys');
		assertKeys(d.energy, ENERGY_ORDER, 'energy keys');
		assert.deepEqual(multiplierTexts(res.text), ['0.001', '0.001'], 'multiplier text');
		assert.ok(!res.text.includes('"token"'));

		const row = assetRow(d.configId, `user_id, enabled, cg_id, cname, ident, audience,
		    node_id, source_id, category, phase, iprops, iprops_stat, iprops_unit, etype, edir,
		    eprops, eprops_stat, eprops_unit, iprops_mult + 0 = 0.001, eprops_mult + 0 = 0.001,
		    created, modified`);
		assert.deepEqual(row.slice(0, 10), [String(s.t.userId), '1', String(s.g.configId),
		    'Charger 1', 'chg-1', '112', String(s.node), '/ev/1', '118', '122']);
		assert.deepEqual(JSON.parse(row[10]), ['watts']);
		assert.deepEqual(row.slice(11, 15), ['77', '80', '116', '105']);
		assert.deepEqual(JSON.parse(row[15]), ['wattHours']);
		assert.deepEqual(row.slice(16, 20), ['100', '69', '1', '1']);
		assert.equal(row[20], row[21]);
		assert.equal(dbTs(row[20]), d.created);

		const g = await get(s.t, d.configId);
		assert.deepEqual(assertOk(g), d, 'GET round-trips the sub-objects');
		assert.deepEqual(multiplierTexts(g.text), ['0.001', '0.001']);
	});

	test('401-assets-without-sub-objects', async () => {
		const s = await setup();
		const d = await create(s.t, assetBody(s.g.configId, s.node,
		    { instantaneous: undefined, energy: undefined, enabled: undefined }));
		assertKeys(d, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
		    'capacityGroupId', 'identifier', 'audience', 'nodeId', 'sourceId', 'category',
		    'phase'], 'no instantaneous/energy/serviceProps');
		assert.equal(d.enabled, false, 'enabled defaults to false');
		assert.deepEqual(assertOk(await get(s.t, d.configId)), d);
		assert.deepEqual(assetRow(d.configId, 'iprops, eprops'), [null, null]);
		// only one of the two
		const e = await create(s.t, assetBody(s.g.configId, s.node, { instantaneous: undefined,
		    serviceProps: { k: 'v' } }));
		assertKeys(e, ASSET_ORDER.filter((k) => k !== 'instantaneous'));
		assert.deepEqual(e.serviceProps, { k: 'v' });
		const i = await create(s.t, assetBody(s.g.configId, s.node, { energy: undefined }));
		assert.ok('instantaneous' in i && !('energy' in i));
		assert.deepEqual(assertOk(await get(s.t, i.configId)), i);
	});

	test('402-assets-enums-by-code-and-name', async () => {
		const s = await setup();
		const d = await create(s.t, assetBody(s.g.configId, s.node, {
			audience: 'CapacityOptimizer', category: 'v', phase: 'z',
			instantaneous: { propertyNames: ['a', 'b'], unit: 'P', statisticType: 'Average' },
			energy: { propertyNames: ['e'], unit: 'E', statisticType: 'End', type: 'f',
			    direction: 'e' },
		}));
		assert.equal(d.audience, 'CapacityOptimizer');
		assert.equal(d.category, 'Charging');
		assert.equal(d.phase, 'All');
		assert.deepEqual(d.instantaneous, { propertyNames: ['a', 'b'], unit: 'kW',
		    statisticType: 'Average' }, 'multiplier absent when not given');
		assertKeys(d.instantaneous, ['propertyNames', 'unit', 'statisticType']);
		assert.deepEqual(d.energy, { propertyNames: ['e'], unit: 'kWh', statisticType: 'End',
		    type: 'Flexible', direction: 'Export' });
		assert.deepEqual(assetRow(d.configId, 'audience, category, phase, iprops_unit, ' +
		    'iprops_stat, eprops_unit, eprops_stat, etype, edir, iprops_mult, eprops_mult'),
		    ['111', '118', '122', '80', '97', '69', '101', '102', '101', null, null]);
		const cases = [
			[{ category: 'c', phase: 'a' }, { category: 'Consumption', phase: 'A' }],
			[{ category: 'GENERATION', phase: 'b' }, { category: 'Generation', phase: 'B' }],
			[{ category: 'storage', phase: 'C' }, { category: 'Storage', phase: 'C' }],
			[{ category: 's', phase: 'u' }, { category: 'Storage', phase: 'Unknown' }],
			[{ category: 'g', phase: 'unknown' }, { category: 'Generation', phase: 'Unknown' }],
		];
		for (const [given, want] of cases) {
			const x = await create(s.t, assetBody(s.g.configId, s.node, given));
			assert.equal(x.category, want.category, JSON.stringify(given));
			assert.equal(x.phase, want.phase, JSON.stringify(given));
		}
		const units = [['a', 'A'], ['p', 'W'], ['P', 'kW'], ['e', 'Wh'], ['E', 'kWh'],
		    ['kw', 'kW'], ['KWH', 'kWh'], ['w', 'W']];
		for (const [given, want] of units) {
			const x = await create(s.t, assetBody(s.g.configId, s.node, {
			    instantaneous: { propertyNames: ['w'], unit: given, statisticType: 'Minimum' } }));
			assert.equal(x.instantaneous.unit, want, `unit ${given}`);
		}
		const dirs = [['n', 'Net'], ['i', 'Import'], ['EXPORT', 'Export']];
		const types = [['n', 'NonFlexible'], ['t', 'Total'], ['flexible', 'Flexible']];
		for (let k = 0; k < 3; k++) {
			const x = await create(s.t, assetBody(s.g.configId, s.node, { energy: {
			    propertyNames: ['wh'], unit: 'Wh', statisticType: 'Start',
			    type: types[k][0], direction: dirs[k][0] } }));
			assert.equal(x.energy.type, types[k][1]);
			assert.equal(x.energy.direction, dirs[k][1]);
		}
		for (const stat of ['Average', 'Count', 'Minimum', 'Maximum', 'Start', 'End',
		    'Difference']) {
			const x = await create(s.t, assetBody(s.g.configId, s.node, {
			    instantaneous: { propertyNames: ['w'], unit: 'W', statisticType: stat } }));
			assert.equal(x.instantaneous.statisticType, stat);
		}
	});

	test('403-assets-bad-enum-values', async () => {
		const s = await setup();
		const before = userRows('oscp_asset_conf', s.t);
		const bad = [
			{ category: 'x' }, { category: 'V' }, { phase: 'All phases' }, { phase: 'Z' },
			{ instantaneous: { propertyNames: ['w'], unit: 'MW', statisticType: 'Maximum' } },
			// StatisticType has no lenient reader: exact names only
			{ instantaneous: { propertyNames: ['w'], unit: 'W', statisticType: 'maximum' } },
			{ instantaneous: { propertyNames: ['w'], unit: 'W', statisticType: 'M' } },
			{ energy: { propertyNames: ['w'], unit: 'Wh', statisticType: 'Difference',
			    type: 'Some', direction: 'Import' } },
			{ energy: { propertyNames: ['w'], unit: 'Wh', statisticType: 'Difference',
			    type: 'Total', direction: 'Exoprt' } },
			{ category: 3 },
		];
		for (const o of bad)
			assertMalformed(await post(s.t, assetBody(s.g.configId, s.node, o)));
		assert.equal(userRows('oscp_asset_conf', s.t), before, 'nothing created');
	});

	test('404-assets-multiplier-round-trip', async () => {
		const s = await setup();
		const values = [['0.001', 0.001], ['2.5', 2.5], ['1000', 1000], ['1', 1],
		    ['0.000001', 0.000001], ['-3.25', -3.25], ['123456.789', 123456.789]];
		for (const [txt, v] of values) {
			const raw = JSON.stringify(assetBody(s.g.configId, s.node, { energy: undefined,
			    instantaneous: { propertyNames: ['w'], unit: 'W', statisticType: 'Maximum' } }))
			    .replace('"statisticType":"Maximum"', `"multiplier":${txt},"statisticType":"Maximum"`);
			const res = await api(s.t, 'POST', '/assets', raw,
			    { contentType: 'application/json' });
			const d = assertCreated(res, 'assets');
			assert.equal(d.instantaneous.multiplier, v);
			assert.deepEqual(multiplierTexts(res.text), [txt], `multiplier ${txt} on POST`);
			const g = await get(s.t, d.configId);
			assert.deepEqual(multiplierTexts(g.text), [txt], `multiplier ${txt} on GET`);
		}
	});

	test('405-assets-sub-object-validation', async () => {
		const s = await setup();
		const I = sub('instantaneous');
		const E = sub('energy');
		const ok = (o) => assetBody(s.g.configId, s.node, o);
		const inst = { propertyNames: ['w'], unit: 'W', statisticType: 'Maximum' };
		const en = { propertyNames: ['wh'], unit: 'Wh', statisticType: 'Difference',
		    type: 'Total', direction: 'Import' };
		// case 31
		assertVal(await post(s.t, ok({ instantaneous: { ...inst, propertyNames: [] } })),
		    [{ ...I.namesEmpty, rejectedValue: [] }]);
		assertVal(await post(s.t, ok({ energy: { ...en, propertyNames: [] } })),
		    [{ ...E.namesEmpty, rejectedValue: [] }]);
		// case 32
		const { type, ...noType } = en;
		void type;
		assertVal(await post(s.t, ok({ energy: noType })), [E.typeNull]);
		const { direction, ...noDir } = en;
		void direction;
		assertVal(await post(s.t, ok({ energy: noDir })), [E.dirNull]);
		assertVal(await post(s.t, ok({ energy: { ...en, unit: null } })), [E.unitNull]);
		assertVal(await post(s.t, ok({ energy: { ...en, statisticType: null } })), [E.statNull]);
		assertVal(await post(s.t, ok({ instantaneous: { ...inst, unit: null } })), [I.unitNull]);
		assertVal(await post(s.t, ok({ instantaneous: { ...inst, statisticType: null } })),
		    [I.statNull]);
		assertVal(await post(s.t, ok({ instantaneous: {}, energy: {} })), [
			I.namesNull, I.namesEmpty, I.unitNull, I.statNull,
			E.namesNull, E.namesEmpty, E.unitNull, E.statNull, E.typeNull, E.dirNull,
		]);
		assert.equal(userRows('oscp_asset_conf', s.t), 0, 'nothing created');
	});

	test('406-assets-top-level-validation', async () => {
		const s = await setup();
		const ok = (o) => assetBody(s.g.configId, s.node, o);
		assertVal(await post(s.t, {}), [M.nameNull, M.nameBlank, M.cgNull, M.identNull,
		    M.identBlank, M.audNull, M.nodeNull, M.srcNull, M.srcBlank, M.catNull, M.phaseNull]);
		assertVal(await post(s.t, ok({ name: undefined })), [M.nameNull, M.nameBlank]);
		assertVal(await post(s.t, ok({ name: ' ' })), [{ ...M.nameBlank, rejectedValue: ' ' }]);
		assertVal(await post(s.t, ok({ identifier: undefined })), [M.identNull, M.identBlank]);
		assertVal(await post(s.t, ok({ identifier: '' })), [{ ...M.identBlank, rejectedValue: '' }]);
		assertVal(await post(s.t, ok({ sourceId: undefined })), [M.srcNull, M.srcBlank]);
		assertVal(await post(s.t, ok({ sourceId: '' })), [{ ...M.srcBlank, rejectedValue: '' }]);
		assertVal(await post(s.t, ok({ capacityGroupId: undefined })), [M.cgNull]);
		assertVal(await post(s.t, ok({ nodeId: undefined })), [M.nodeNull]);
		assertVal(await post(s.t, ok({ category: undefined })), [M.catNull]);
		assertVal(await post(s.t, ok({ phase: null })), [M.phaseNull]);
		assertVal(await post(s.t, ok({ audience: undefined })), [M.audNull]);
		assert.equal(userRows('oscp_asset_conf', s.t), 0, 'nothing created');
	});

	test('407-assets-length-limits', async () => {
		const s = await setup();
		const ok = (o) => assetBody(s.g.configId, s.node, o);
		const s65 = '/'.repeat(1) + 's'.repeat(64);
		assertVal(await post(s.t, ok({ sourceId: s65 })), [A('sourceId', 'Size',
		    'The Asset source ID must be no more than 64 characters long.',
		    { rejectedValue: s65 })]);
		const i65 = 'i'.repeat(65);
		assertVal(await post(s.t, ok({ identifier: i65 })), [A('identifier', 'Size',
		    'The Asset identifier must be no more than 64 characters long.',
		    { rejectedValue: i65 })]);
		const n65 = 'n'.repeat(65);
		assertVal(await post(s.t, ok({ name: n65 })), [A('name', 'Size',
		    'size must be between 0 and 64', { rejectedValue: n65 })]);
		assert.equal(userRows('oscp_asset_conf', s.t), 0, 'nothing created');
		const d = await create(s.t, ok({ sourceId: s65.slice(0, 64), identifier: i65.slice(0, 64),
		    name: n65.slice(0, 64) }));
		assert.equal(d.sourceId, s65.slice(0, 64));
		assert.equal(d.identifier, i65.slice(0, 64));
		assert.equal(d.name, n65.slice(0, 64));
		// multi-byte characters count as characters, not bytes
		const u64 = 'é'.repeat(64);
		const u = await create(s.t, ok({ identifier: u64, sourceId: u64 }));
		assert.equal(u.identifier, u64);
		assert.deepEqual(assertOk(await get(s.t, u.configId)), u);
	});

	test('408-assets-audience', async () => {
		const s = await setup();
		for (const audience of ['FlexibilityProvider', null])
			assertMalformed(await post(s.t, assetBody(s.g.configId, s.node, { audience })),
			    'Malformed request: ');
		assertMalformed(await post(s.t, assetBody(s.g.configId, s.node,
		    { audience: 'Nobody' })));
		assertVal(await post(s.t, assetBody(s.g.configId, s.node, { audience: undefined })),
		    [M.audNull]);
		assert.equal(userRows('oscp_asset_conf', s.t), 0);
		const p = await create(s.t, assetBody(s.g.configId, s.node,
		    { audience: 'CapacityProvider' }));
		assert.equal(p.audience, 'CapacityProvider');
		const o = await create(s.t, assetBody(s.g.configId, s.node,
		    { audience: 'CapacityOptimizer' }));
		assert.equal(o.audience, 'CapacityOptimizer');
		// PUT rejects it too and changes nothing
		const snap = (await get(s.t, p.configId)).text;
		assertMalformed(await put(s.t, p.configId, assetBody(s.g.configId, s.node,
		    { audience: 'FlexibilityProvider' })), 'Malformed request: ');
		assert.equal((await get(s.t, p.configId)).text, snap);
	});

	test('409-assets-node-access', async () => {
		const s = await setup();
		const otherPrivate = nextNodeId();
		const otherPublic = nextNodeId();
		newTenant({ nodes: [otherPrivate], publicNodes: [otherPublic] });
		assertErr(await post(s.t, assetBody(s.g.configId, nextNodeId())), 403, UNKNOWN_OBJECT);
		assertErr(await post(s.t, assetBody(s.g.configId, otherPrivate)), 403, ACCESS_DENIED);
		assert.equal(userRows('oscp_asset_conf', s.t), 0, 'nothing created');
		const pub = await create(s.t, assetBody(s.g.configId, otherPublic));
		assert.equal(pub.nodeId, otherPublic, "another user's public node is allowed");
		const own = await create(s.t, assetBody(s.g.configId, s.pubNode));
		assert.equal(own.nodeId, s.pubNode);
		const priv = await create(s.t, assetBody(s.g.configId, s.node));
		// PUT applies the same check and changes nothing
		const snap = (await get(s.t, priv.configId)).text;
		assertErr(await put(s.t, priv.configId, assetBody(s.g.configId, otherPrivate)), 403,
		    ACCESS_DENIED);
		assertErr(await put(s.t, priv.configId, assetBody(s.g.configId, nextNodeId())), 403,
		    UNKNOWN_OBJECT);
		assert.equal((await get(s.t, priv.configId)).text, snap);
		const moved = assertOk(await put(s.t, priv.configId, assetBody(s.g.configId,
		    otherPublic)));
		assert.equal(moved.nodeId, otherPublic);
	});

	test('410-assets-foreign-group', async () => {
		const s = await setup();
		const o = await setup();
		assertErr(await post(s.t, assetBody(o.g.configId, s.node)), 422, DAO_FK);
		assertErr(await post(s.t, assetBody(MISSING_ID, s.node)), 422, DAO_FK);
		assert.equal(userRows('oscp_asset_conf', s.t), 0);
		assert.equal(userRows('oscp_asset_conf', o.t), 0);
		const a = await create(s.t, assetBody(s.g.configId, s.node));
		const snap = (await get(s.t, a.configId)).text;
		assertErr(await put(s.t, a.configId, assetBody(o.g.configId, s.node)), 422, DAO_FK);
		assert.equal((await get(s.t, a.configId)).text, snap);
	});

	test('411-assets-duplicate-identifier', async () => {
		const s = await setup();
		const g2 = await newGroup(s);
		await create(s.t, assetBody(s.g.configId, s.node, { identifier: 'meter-1' }));
		assertErr(await post(s.t, assetBody(s.g.configId, s.node, { identifier: 'meter-1' })),
		    422, DAO_DUPLICATE);
		assert.equal(userRows('oscp_asset_conf', s.t), 1);
		const other = await create(s.t, assetBody(g2.configId, s.node, { identifier: 'meter-1' }));
		assert.equal(other.identifier, 'meter-1', 'same identifier in another group is fine');
		await create(s.t, assetBody(s.g.configId, s.node, { identifier: 'METER-1' }));
		// moving an asset into a group that already has its identifier
		assertErr(await put(s.t, other.configId, assetBody(s.g.configId, s.node,
		    { identifier: 'meter-1' })), 422, DAO_DUPLICATE);
		assert.deepEqual(assetRow(other.configId, 'cg_id'), [String(g2.configId)]);
	});

	test('412-assets-group-listing', async () => {
		const s = await setup();
		const g2 = await newGroup(s);
		const mine = [];
		for (let i = 0; i < 3; i++) {
			mine.push(await create(s.t, assetBody(s.g.configId, s.node, { name: `A${i}` })));
			await create(s.t, assetBody(g2.configId, s.node));
		}
		const data = assertOk(await groupAssets(s.t, s.g.configId));
		assert.deepEqual(data, mine, "only that group's assets, ordered by id");
		for (const x of data)
			assertKeys(x, ASSET_ORDER.filter((k) => k !== 'serviceProps'));
		assert.equal(assertOk(await groupAssets(s.t, g2.configId)).length, 3);
		// unknown or foreign group: an empty array, not an error
		const o = newTenant();
		for (const [who, gid] of [[s.t, MISSING_ID], [o, s.g.configId]]) {
			const r = await groupAssets(who, gid);
			assert.equal(r.status, 200, show(r));
			assert.deepEqual(r.json, { success: true, data: [] });
		}
		// an own group with no assets
		const g3 = await newGroup(s);
		assert.deepEqual(assertOk(await groupAssets(s.t, g3.configId)), []);
	});

	test('413-assets-group-listing-delete-deletes-nothing', async () => {
		const s = await setup();
		await create(s.t, assetBody(s.g.configId, s.node));
		await create(s.t, assetBody(s.g.configId, s.node));
		const g = await groupAssets(s.t, s.g.configId);
		const d = await groupAssets(s.t, s.g.configId, 'DELETE');
		assert.equal(d.status, 200, show(d));
		assert.deepEqual(d.json, g.json, 'answered exactly like the GET');
		assert.equal(d.text, g.text);
		assert.equal(userRows('oscp_asset_conf', s.t), 2, 'nothing deleted');
		assert.deepEqual(assertOk(await groupAssets(s.t, s.g.configId)), g.json.data);
		const o = newTenant();
		const f = await groupAssets(o, s.g.configId, 'DELETE');
		assert.equal(f.status, 200, show(f));
		assert.deepEqual(f.json, { success: true, data: [] });
		assert.equal(userRows('oscp_asset_conf', s.t), 2, 'nothing deleted');
	});

	test('414-assets-put-full-replacement', async () => {
		const s = await setup();
		const g2 = await newGroup(s);
		const a = await create(s.t, assetBody(s.g.configId, s.node,
		    { serviceProps: { x: 1 } }));
		await sleep(20);
		const body = {
			name: 'Battery', capacityGroupId: g2.configId, identifier: 'bat-1',
			audience: 'CapacityOptimizer', nodeId: s.pubNode, sourceId: '/bat/1',
			category: 'Storage', phase: 'B', enabled: false,
			instantaneous: { propertyNames: ['watts', 'va'], unit: 'W', multiplier: 2.5,
			    statisticType: 'Average' },
		};
		const res = await put(s.t, a.configId, body);
		const d = assertOk(res);
		assertKeys(d, ['userId', 'configId', 'created', 'modified', 'enabled', 'name',
		    'capacityGroupId', 'identifier', 'audience', 'nodeId', 'sourceId', 'category',
		    'phase', 'instantaneous'], 'energy and serviceProps removed by the full replacement');
		assert.equal(d.configId, a.configId);
		assert.equal(d.created, a.created);
		assert.ok(tsMicros(d.modified) > tsMicros(a.modified));
		const { userId, configId, created, modified, ...echo } = d;
		void userId; void configId; void created; void modified;
		assert.deepEqual(echo, body);
		assert.deepEqual(assetRow(a.configId, 'cg_id, ident, audience, node_id, category, ' +
		    'phase, eprops, sprops'), [String(g2.configId), 'bat-1', '111', String(s.pubNode),
		    '115', '98', null, null]);
		assert.equal(dbTs(assetRow(a.configId, 'modified')[0]), d.modified);
		assert.deepEqual(assertOk(await get(s.t, a.configId)), d);
		assert.deepEqual(assertOk(await groupAssets(s.t, s.g.configId)), []);
		assert.deepEqual(assertOk(await groupAssets(s.t, g2.configId)), [d]);
	});

	test('415-assets-get-put-foreign-or-missing', async () => {
		const s = await setup();
		const o = await setup();
		const a = await create(s.t, assetBody(s.g.configId, s.node));
		const snap = (await get(s.t, a.configId)).text;
		assertErr(await get(o.t, a.configId), 403, UNKNOWN_OBJECT);
		assertErr(await get(s.t, MISSING_ID), 403, UNKNOWN_OBJECT);
		assertErr(await put(o.t, a.configId, assetBody(o.g.configId, o.node)), 403,
		    UNKNOWN_OBJECT);
		assertErr(await put(s.t, MISSING_ID, assetBody(s.g.configId, s.node)), 403,
		    UNKNOWN_OBJECT);
		assert.equal((await get(s.t, a.configId)).text, snap);
		assert.equal(userRows('oscp_asset_conf', s.t), 1);
		assert.equal(userRows('oscp_asset_conf', o.t), 0, 'nothing created');
	});

	test('416-assets-delete', async () => {
		const s = await setup();
		const o = await setup();
		const a = await create(s.t, assetBody(s.g.configId, s.node));
		const b = await create(s.t, assetBody(s.g.configId, s.node));
		const snap = (await get(s.t, b.configId)).text;
		for (const [who, id] of [[o.t, b.configId], [o.t, MISSING_ID], [s.t, MISSING_ID]]) {
			const r = await del(who, id);
			assert.equal(r.status, 200, show(r));
			assert.deepEqual(r.json, { success: true });
		}
		assert.equal((await get(s.t, b.configId)).text, snap);
		assert.equal(userRows('oscp_asset_conf', s.t), 2);
		const r = await del(s.t, a.configId);
		assert.equal(r.status, 200, show(r));
		assert.deepEqual(r.json, { success: true });
		assertErr(await get(s.t, a.configId), 403, UNKNOWN_OBJECT);
		assert.deepEqual(assertOk(await groupAssets(s.t, s.g.configId)).map((x) => x.configId),
		    [b.configId]);
		// the group is untouched
		assertOk(await api(s.t, 'GET', `/capacity-groups/${s.g.configId}`));
	});

	test('417-assets-wrong-json-types', async () => {
		const s = await setup();
		const ok = (o) => assetBody(s.g.configId, s.node, o);
		assertMalformed(await post(s.t, ok({ nodeId: String(s.node) })));
		assertMalformed(await post(s.t, ok({ capacityGroupId: String(s.g.configId) })));
		assertMalformed(await post(s.t, ok({ instantaneous: { propertyNames: 'watts',
		    unit: 'W', statisticType: 'Maximum' } })));
		assertMalformed(await post(s.t, ok({ instantaneous: { propertyNames: [1],
		    unit: 'W', statisticType: 'Maximum' } })));
		assertMalformed(await post(s.t, ok({ energy: { propertyNames: ['w'], unit: 'Wh',
		    multiplier: '0.5', statisticType: 'Difference', type: 'Total',
		    direction: 'Import' } })));
		assert.equal(userRows('oscp_asset_conf', s.t), 0);
	});
});
