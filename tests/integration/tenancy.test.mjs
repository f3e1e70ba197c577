// tenancy.test.mjs -- one tenant can neither see nor change another's
// objects, on every management route (SPEC §4, reference §6.2-§6.4, §9).
// Tenant B attacks tenant A's CP, CO, group and asset; afterwards A's GET
// responses are byte-for-byte what they were and no row counts moved.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, newTenant, nextNodeId, cpBody, coBody, groupBody, assetBody } from './lib.mjs';
import {
	assertOk, assertErr, assertCreated, userRows, UNKNOWN_OBJECT, ACCESS_DENIED, DAO_FK,
} from './asserts.mjs';

const TABLES = ['oscp_fp_token', 'oscp_cp_conf', 'oscp_co_conf', 'oscp_cp_heartbeat',
    'oscp_co_heartbeat', 'oscp_cp_secret', 'oscp_co_secret', 'oscp_cp_token', 'oscp_co_token',
    'oscp_cg_conf', 'oscp_cg_cp_meas', 'oscp_cg_co_meas', 'oscp_asset_conf', 'user_node'];

function show(res) {
	return `HTTP ${res.status} ${res.text}`;
}

/** A tenant with a private node, a CP, a CO, a group and an asset. */
async function populate() {
	const node = nextNodeId();
	const t = newTenant({ nodes: [node] });
	const cp = assertCreated(await api(t, 'POST', '/capacity-providers', cpBody()),
	    'capacity-providers');
	const co = assertCreated(await api(t, 'POST', '/capacity-optimizers', coBody()),
	    'capacity-optimizers');
	const g = assertCreated(await api(t, 'POST', '/capacity-groups',
	    groupBody(cp.configId, co.configId)), 'capacity-groups');
	const a = assertCreated(await api(t, 'POST', '/assets', assetBody(g.configId, node)),
	    'assets');
	return { t, node, cp, co, g, a };
}

/** Every GET of A's objects and lists, as raw text. */
async function snapshot(s) {
	const paths = [
		`/capacity-providers/${s.cp.configId}`, '/capacity-providers',
		`/capacity-optimizers/${s.co.configId}`, '/capacity-optimizers',
		`/capacity-groups/${s.g.configId}`, '/capacity-groups',
		`/capacity-groups/${s.g.configId}/assets`, `/assets/${s.a.configId}`,
	];
	const out = {};
	for (const p of paths) {
		const r = await api(s.t, 'GET', p);
		assert.equal(r.status, 200, `${p}: ${show(r)}`);
		out[p] = r.text;
	}
	return out;
}

function counts(t) {
	return Object.fromEntries(TABLES.map((tbl) => [tbl, userRows(tbl, t)]));
}

describe('tenancy', () => {
	test('500-tenancy-other-tenant-cannot-read-or-change', async () => {
		const A = await populate();
		const B = await populate();
		const beforeA = await snapshot(A);
		const countsA = counts(A.t);
		const countsB = counts(B.t);

		const ids = {
			'capacity-providers': A.cp.configId,
			'capacity-optimizers': A.co.configId,
			'capacity-groups': A.g.configId,
			assets: A.a.configId,
		};
		const bodies = {
			'capacity-providers': cpBody({ name: 'Stolen', registrationStatus: 'Registered' }),
			'capacity-optimizers': coBody({ name: 'Stolen', registrationStatus: 'Registered' }),
			'capacity-groups': groupBody(B.cp.configId, B.co.configId, { name: 'Stolen' }),
			assets: assetBody(B.g.configId, B.node, { name: 'Stolen' }),
		};

		for (const [coll, id] of Object.entries(ids)) {
			assertErr(await api(B.t, 'GET', `/${coll}/${id}`), 403, UNKNOWN_OBJECT);
			assertErr(await api(B.t, 'PUT', `/${coll}/${id}`, bodies[coll]), 403,
			    UNKNOWN_OBJECT);
			const d = await api(B.t, 'DELETE', `/${coll}/${id}`);
			assert.equal(d.status, 200, `DELETE ${coll}: ${show(d)}`);
			assert.deepEqual(d.json, { success: true });
		}

		// lists: B sees only its own objects
		for (const [coll, own] of [['capacity-providers', B.cp], ['capacity-optimizers', B.co],
		    ['capacity-groups', B.g]]) {
			const data = assertOk(await api(B.t, 'GET', `/${coll}`));
			assert.deepEqual(data.map((x) => x.configId), [own.configId], coll);
			assert.ok(data.every((x) => x.userId === B.t.userId));
		}
		// A's group's assets, as seen (and "deleted") by B
		for (const method of ['GET', 'DELETE']) {
			const r = await api(B.t, method, `/capacity-groups/${A.g.configId}/assets`);
			assert.equal(r.status, 200, show(r));
			assert.deepEqual(r.json, { success: true, data: [] });
		}

		// references to A's objects from B's writes
		for (const [cpId, coId] of [[A.cp.configId, B.co.configId],
		    [B.cp.configId, A.co.configId], [A.cp.configId, A.co.configId]]) {
			assertErr(await api(B.t, 'POST', '/capacity-groups', groupBody(cpId, coId)), 422,
			    DAO_FK);
			assertErr(await api(B.t, 'PUT', `/capacity-groups/${B.g.configId}`,
			    groupBody(cpId, coId)), 422, DAO_FK);
		}
		assertErr(await api(B.t, 'POST', '/assets', assetBody(A.g.configId, B.node)), 422,
		    DAO_FK);
		assertErr(await api(B.t, 'PUT', `/assets/${B.a.configId}`,
		    assetBody(A.g.configId, B.node)), 422, DAO_FK);
		assertErr(await api(B.t, 'POST', '/assets', assetBody(B.g.configId, A.node)), 403,
		    ACCESS_DENIED);
		assertErr(await api(B.t, 'PUT', `/assets/${B.a.configId}`,
		    assetBody(B.g.configId, A.node)), 403, ACCESS_DENIED);
		// B's own objects still work (the attempts above were rejected for the right reason)
		assertOk(await api(B.t, 'GET', `/assets/${B.a.configId}`));

		assert.deepEqual(await snapshot(A), beforeA, "A's objects unchanged, byte for byte");
		assert.deepEqual(counts(A.t), countsA, "A's row counts unchanged");
		assert.deepEqual(counts(B.t), countsB, "B's row counts unchanged");
	});

	test('501-tenancy-ids-are-global', async () => {
		// The same numeric id never names two tenants' objects: each
		// tenant's new objects get ids no other tenant holds.
		const A = await populate();
		const B = await populate();
		for (const k of ['cp', 'co', 'g', 'a'])
			assert.notEqual(A[k].configId, B[k].configId, k);
		assert.notEqual(A.cp.flexibilityProviderId, B.cp.flexibilityProviderId);
		assert.notEqual(A.co.flexibilityProviderId, A.cp.flexibilityProviderId,
		    'CP and CO each get their own FP token row');
	});
});
