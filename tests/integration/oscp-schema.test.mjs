// oscp-schema.test.mjs -- the schema checker the OSCP tests rely on
// (oscp-schema.mjs): the OCA schemas load and resolve each other, every
// sample in tests/fixtures/oscp-samples passes (valid) or fails for the
// reason its name gives (invalid/), date-time is RFC 3339's, and path
// suffixes map to the right schema.  Needs no daemon.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { validate, schemaFor, schemaFiles, SCHEMA_DIR, SAMPLE_DIR } from './oscp-schema.mjs';

const OCA = 'http://www.openchargealliance.org/schemas/oscp/2.0/';

// Sample -> schema (tests/fixtures/oscp-samples/README.md), and for the
// invalid ones the error that must be reported.
const VALID = {
	'adjust-group-capacity-forecast-fp-to-cp.json': 'adjust-group-capacity-forecast.json',
	'group-capacity-compliance-error-fp-to-cp.json': 'group-capacity-compliance-error.json',
	'handshake-acknowledge-fp-to-cp.json': 'handshake-acknowledge.json',
	'handshake-cp-to-fp.json': 'handshake.json',
	'heartbeat.json': 'heartbeat.json',
	'register-cp-to-fp.json': 'register.json',
	'register-fp-to-cp-reply.json': 'register.json',
	'update-asset-measurements-fp-to-co.json': 'update-asset-measurements.json',
	'update-group-capacity-forecast-cp-to-fp.json': 'update-group-capacity-forecast.json',
	'update-group-capacity-forecast-fallback.json': 'update-group-capacity-forecast.json',
	'update-group-measurements-fp-to-cp.json': 'update-group-measurements.json',
};
const INVALID = {
	'forecast-bad-enum.json': ['update-group-capacity-forecast.json',
	    ['/type: must be equal to one of the allowed values',
	     '/forecasted_blocks/0/unit: must be equal to one of the allowed values']],
	'forecast-empty-blocks.json': ['update-group-capacity-forecast.json',
	    ['/forecasted_blocks: must NOT have fewer than 1 items']],
	'forecast-negative-capacity.json': ['update-group-capacity-forecast.json',
	    ['/forecasted_blocks/0/capacity: must be >= 0']],
	'handshake-acknowledge-empty-required-behaviour.json': ['handshake-acknowledge.json',
	    ["/required_behaviour: must have required property 'measurement_configuration'"]],
	'heartbeat-missing-offline-mode-at.json': ['heartbeat.json',
	    ["/: must have required property 'offline_mode_at'"]],
	'heartbeat-naive-datetime.json': ['heartbeat.json',
	    ['/offline_mode_at: must match format "date-time"']],
	'register-empty-version-url.json': ['register.json',
	    ['/version_url: must NOT have fewer than 1 items']],
};

const jsonFiles = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const read = (...p) => fs.readFileSync(path.join(...p), 'utf8');

test('the 26 OCA schemas are all loaded', () => {
	assert.equal(schemaFiles.length, 26);
	assert.deepEqual(schemaFiles, jsonFiles(SCHEMA_DIR));
});

test('every sample is listed here (a new sample needs its schema)', () => {
	assert.deepEqual(jsonFiles(SAMPLE_DIR), Object.keys(VALID).sort());
	assert.deepEqual(jsonFiles(path.join(SAMPLE_DIR, 'invalid')), Object.keys(INVALID).sort());
});

test('valid samples pass their schema', () => {
	for (const [file, schema] of Object.entries(VALID)) {
		const r = validate(schema, read(SAMPLE_DIR, file));
		assert.deepEqual(r, { ok: true, errors: null }, `${file} against ${schema}`);
	}
});

test('invalid samples fail their schema, for the reason their name gives', () => {
	for (const [file, [schema, want]] of Object.entries(INVALID)) {
		const r = validate(schema, read(SAMPLE_DIR, 'invalid', file));
		assert.equal(r.ok, false, `${file} must fail ${schema}`);
		assert.equal(r.errors.length, want.length, `${file}: ${r.errors.join('; ')}`);
		want.forEach((w, i) => assert.ok(r.errors[i].startsWith(w),
		    `${file}: got "${r.errors[i]}", want "${w}..."`));
	}
});

test('references resolve, including the two $ids that do not match their file names', () => {
	// register.json -> "version-url.json" whose $id is .../version_url.json
	let r = validate('register.json', { token: 't', version_url: [{ version: '2.0' }] });
	assert.deepEqual(r.errors, ["/version_url/0: must have required property 'base_url'"]);
	r = validate('register.json', { token: 't', version_url: [{ version: '2.0', base_url: 7 }] });
	assert.deepEqual(r.errors, ['/version_url/0/base_url: must be string']);
	// update-asset-measurements.json ($id .../update-asset-measurement.json) -> asset-measurement.json
	r = validate('update-asset-measurements.json', { group_id: 'g', measurements: [{}] });
	assert.equal(r.ok, false);
	assert.ok(r.errors.every((e) => e.startsWith('/measurements/0')), r.errors.join('; '));
	// Looked up by $id, by file name, and by the file name under the $id's folder.
	const hb = { offline_mode_at: '2024-05-01T12:00:00Z' };
	for (const name of ['version_url.json', 'version-url.json'])
		assert.equal(validate(OCA + name, { version: '2.0', base_url: 'x' }).ok, true, name);
	for (const name of ['update-asset-measurement.json', 'update-asset-measurements.json'])
		assert.equal(validate(OCA + name, { group_id: 'g', measurements: [] }).ok, false, name);
	assert.equal(validate(OCA + 'heartbeat.json', hb).ok, true);
	assert.throws(() => validate('no-such-schema.json', hb), /no schema named/);
});

test('date-time is RFC 3339 date-time (draft-07), stricter than ajv-formats alone', () => {
	const ok = ['2024-05-01T12:00:00Z', '2024-05-01t12:00:00z', '2024-05-01T12:00:00.123Z',
	    '2024-05-01T12:00:00.123456789+02:00', '2024-05-01T12:00:00-05:30',
	    '2024-05-01T12:00:00+00:00', '2024-02-29T00:00:00Z'];
	const bad = ['2024-05-01 12:00:00Z', '2024-05-01 12:00:00', '2024-05-01T12:00:00',
	    '2024-05-01T12:00:00+0200', '2024-05-01T12:00Z', '2023-02-29T00:00:00Z',
	    '2024-05-01T24:00:00Z', '2024-13-01T00:00:00Z', '2024-05-01T12:00:00.Z',
	    '20240501T120000Z', ''];
	for (const s of ok)
		assert.equal(validate('heartbeat.json', { offline_mode_at: s }).ok, true, s);
	for (const s of bad)
		assert.deepEqual(validate('heartbeat.json', { offline_mode_at: s }).errors,
		    ['/offline_mode_at: must match format "date-time"'], s);
});

test('bodies: raw text, Buffer or parsed; malformed JSON is an error', () => {
	const hb = '{"offline_mode_at":"2024-05-01T12:00:00Z"}';
	assert.equal(validate('heartbeat.json', hb).ok, true);
	assert.equal(validate('heartbeat.json', Buffer.from(hb)).ok, true);
	assert.equal(validate('heartbeat.json', JSON.parse(hb)).ok, true);
	for (const body of ['', '{', '{"offline_mode_at":}']) {
		const r = validate('heartbeat.json', body);
		assert.equal(r.ok, false);
		assert.match(r.errors[0], /^body is not JSON: /);
	}
	assert.deepEqual(validate('heartbeat.json', '[]').errors, ['/: must be object']);
});

test('schemaFor maps OSCP path suffixes to schemas', () => {
	const want = {
		'/register': 'register.json',
		'/handshake_acknowledge': 'handshake-acknowledge.json',
		'/heartbeat': 'heartbeat.json',
		'/update_group_capacity_forecast': 'update-group-capacity-forecast.json',
		'/adjust_group_capacity_forecast': 'adjust-group-capacity-forecast.json',
		'/handshake': 'handshake.json',
		'/oscp/cp/2.0/register': 'register.json',
		'/oscp/co/2.0/update_group_capacity_forecast?x=1': 'update-group-capacity-forecast.json',
		'/oscp/cp/2.0/heartbeat/': 'heartbeat.json',
		'/handshake_acknowledgement': 'handshake-acknowledge.json',
		'/handshake_acknowledgment': 'handshake-acknowledge.json',
	};
	for (const [suffix, schema] of Object.entries(want))
		assert.equal(schemaFor(suffix), schema, suffix);
	for (const suffix of ['/', '', '/nope', '/registerx', '/handshake_ack', undefined])
		assert.equal(schemaFor(suffix), null, String(suffix));
});
