// oscp-schema.mjs -- checks an OSCP 2.0 message body against the OCA JSON
// Schemas (draft-07) in tests/fixtures/oscp-schemas, with ajv (v8, whose
// default export is the draft-07 validator) and ajv-formats.
//
//   validate('heartbeat.json', body)  -> { ok: true,  errors: null }
//                                      | { ok: false, errors: ['/offline_mode_at: must ...'] }
//   schemaFor('/heartbeat')           -> 'heartbeat.json' (null: no schema for that path)
//
// body: the raw JSON text (a string or Buffer, parsed here: malformed JSON is
// an error) or an already parsed value.
//
// Every schema is registered under its $id AND under its file name (both the
// bare name and the name resolved against the $id's folder): two $ids do not
// match their file names (version-url.json says .../version_url.json,
// update-asset-measurements.json says .../update-asset-measurement.json) and
// register.json refers to "version-url.json".
//
// "date-time" is RFC 3339's date-time production, as draft-07 defines it:
// ajv-formats' check (real dates, leap seconds) AND the exact syntax, which
// ajv-formats relaxes (it also takes a space for the "T" and "+0200" for
// "+02:00"): [Tt] between date and time, a fraction of any length, "Z"/"z" or
// a +HH:MM/-HH:MM offset required.
//
// Needs only the npm packages: no daemon, no harness variables.  ajv is
// found by a bare import (the harness stages this file beside node_modules);
// failing that under $FP_TEST_NODE_MODULES, $FP_NODE_DEPS_DIR/node_modules
// or tests/node-deps/node_modules, so the demo peer also runs from a source
// tree after `npm ci --prefix tests/integration`.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The schema folder: tests/fixtures/oscp-schemas beside this file's folder. */
export const SCHEMA_DIR = path.join(here, '..', 'fixtures', 'oscp-schemas');

/** The sample messages (valid ones, and invalid/). */
export const SAMPLE_DIR = path.join(here, '..', 'fixtures', 'oscp-samples');

/** Path suffix (the last path segment) -> schema file. */
const SUFFIX_SCHEMA = {
	'/register': 'register.json',
	'/handshake': 'handshake.json',
	'/handshake_acknowledge': 'handshake-acknowledge.json',
	// the two spellings SolarNetwork's FP also accepts
	'/handshake_acknowledgement': 'handshake-acknowledge.json',
	'/handshake_acknowledgment': 'handshake-acknowledge.json',
	'/heartbeat': 'heartbeat.json',
	'/update_group_capacity_forecast': 'update-group-capacity-forecast.json',
	'/adjust_group_capacity_forecast': 'adjust-group-capacity-forecast.json',
	'/group_capacity_compliance_error': 'group-capacity-compliance-error.json',
	'/update_group_measurements': 'update-group-measurements.json',
	'/update_asset_measurements': 'update-asset-measurements.json',
};

const RFC3339_DATE_TIME =
    /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

async function loadAjv() {
	try {
		const [a, f, ff] = await Promise.all([import('ajv'), import('ajv-formats'),
		    import('ajv-formats/dist/formats.js')]);
		return { Ajv: a.default, addFormats: f.default, fullFormats: ff.fullFormats };
	} catch (e) {
		if (e?.code !== 'ERR_MODULE_NOT_FOUND')
			throw e;
	}
	const dirs = [];
	if (process.env.FP_TEST_NODE_MODULES) {
		dirs.push(process.env.FP_TEST_NODE_MODULES);
		dirs.push(path.join(process.env.FP_TEST_NODE_MODULES, 'node_modules'));
	}
	if (process.env.FP_NODE_DEPS_DIR)
		dirs.push(path.join(process.env.FP_NODE_DEPS_DIR, 'node_modules'));
	dirs.push(path.join(here, '..', 'node-deps', 'node_modules'));
	for (const dir of dirs) {
		if (!fs.existsSync(path.join(dir, 'ajv', 'package.json')))
			continue;
		const req = createRequire(path.join(dir, 'oscp-schema-loader.js'));
		return {
			Ajv: req('ajv').default,
			addFormats: req('ajv-formats').default,
			fullFormats: req('ajv-formats/dist/formats.js').fullFormats,
		};
	}
	throw new Error('oscp-schema.mjs: npm packages ajv/ajv-formats not found (looked in ' +
	    'node_modules beside ' + here + ' and ' + dirs.join(', ') +
	    '); run: npm ci --prefix tests/integration');
}

function build({ Ajv, addFormats, fullFormats }) {
	const ajv = new Ajv({ allErrors: true, strict: false });
	addFormats(ajv);
	const base = fullFormats['date-time'];
	ajv.addFormat('date-time', {
		type: 'string',
		validate: (s) => RFC3339_DATE_TIME.test(s) && base.validate(s),
		compare: base.compare,
	});
	const files = fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
	if (files.length === 0)
		throw new Error(`oscp-schema.mjs: no schemas in ${SCHEMA_DIR}`);
	for (const file of files) {
		const schema = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8'));
		const id = schema.$id;
		if (typeof id !== 'string' || !id)
			throw new Error(`oscp-schema.mjs: ${file} has no $id`);
		// The same object under several keys: ajv compiles it once.
		ajv.addSchema(schema);
		const byName = new URL(file, id).href;
		if (byName !== id)
			ajv.addSchema(schema, byName);
		ajv.addSchema(schema, file);
	}
	return { ajv, files };
}

const { ajv, files: SCHEMA_FILES } = build(await loadAjv());

/** Every schema file name, sorted. */
export const schemaFiles = Object.freeze([...SCHEMA_FILES]);

function parse(body) {
	if (Buffer.isBuffer(body))
		body = body.toString('utf8');
	if (typeof body !== 'string')
		return { value: body };
	try {
		return { value: JSON.parse(body) };
	} catch (e) {
		return { error: `body is not JSON: ${e.message}` };
	}
}

function describe(e) {
	const where = e.instancePath || '/';
	let what = e.message ?? e.keyword;
	if (e.keyword === 'enum')
		what += ': ' + e.params.allowedValues.join(', ');
	else if (e.keyword === 'additionalProperties')
		what += ': ' + e.params.additionalProperty;
	return `${where}: ${what}`;
}

/**
 * Check `body` against the schema `schemaFileName` (e.g. 'register.json').
 * Returns { ok, errors }: errors is null when ok, else an array of
 * "<JSON pointer>: <message>" strings.  An unknown schema name throws.
 */
export function validate(schemaFileName, body) {
	const check = ajv.getSchema(schemaFileName);
	if (!check)
		throw new Error(`oscp-schema.mjs: no schema named ${schemaFileName}`);
	const { value, error } = parse(body);
	if (error)
		return { ok: false, errors: [error] };
	if (check(value))
		return { ok: true, errors: null };
	return { ok: false, errors: check.errors.map(describe) };
}

/**
 * The schema file for an OSCP path: by its last segment, so both
 * '/heartbeat' and '/oscp/cp/2.0/heartbeat' give 'heartbeat.json'.  A query
 * string is ignored.  null when the path is no OSCP message we know.
 */
export function schemaFor(pathSuffix) {
	if (typeof pathSuffix !== 'string')
		return null;
	const p = pathSuffix.replace(/[?#].*$/, '').replace(/\/+$/, '');
	const last = p.slice(p.lastIndexOf('/'));
	return Object.hasOwn(SUFFIX_SCHEMA, last) ? SUFFIX_SCHEMA[last] : null;
}
