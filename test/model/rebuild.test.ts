/**
 * The full rebuild (source/model/refresh.ts) derives and writes the model a batch of rows at a
 * time to bound its memory. The result must not depend on the batch size: every model table, row
 * ids included, is the same for batches of one row, of a few rows and of everything at once, and
 * the same as the derivation over all rows held in memory (deriveModel, the unbatched pass).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {importEvidence} from '../../source/pipeline.js';
import {deriveModel} from '../../source/model/derive.js';
import {refreshModel} from '../../source/model/refresh.js';
import {factRowBatches} from '../../source/model/rows.js';
import {evidenceFiles as files, realdata, repoRoot} from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

async function caseOf(paths: string[]): Promise<CaseFile> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	dirs.push(dir);
	const db = openCaseFile(path.join(dir, 'case.db'));
	await importEvidence(db, paths);
	return db;
}

/** Every model table exactly as stored, ids included. */
function tables(db: CaseFile) {
	const all = (sql: string) => db.prepare(sql).all();
	return {
		principal: all('SELECT * FROM principal ORDER BY id'),
		device: all('SELECT * FROM device ORDER BY id'),
		lifecycle: all('SELECT * FROM lifecycle_event ORDER BY event'),
		signIn: all('SELECT * FROM sign_in ORDER BY event'),
		accountEvent: all('SELECT * FROM account_event ORDER BY event'),
		identityCenterName: all('SELECT * FROM identity_center_name ORDER BY principal_arn, user_name'),
	};
}

async function compareBatchSizes(paths: string[]) {
	const db = await caseOf(paths);
	const whole = refreshModel(db, {force: true, batchRows: 1_000_000_000});
	expect(whole?.mode).toBe('full');
	const expected = tables(db);
	expect(expected.lifecycle.length + expected.signIn.length + expected.accountEvent.length).toBe(whole?.rows);

	// The unbatched derivation over every row at once writes exactly these rows.
	const rows = [...factRowBatches(db, 1_000_000_000)].flat();
	const model = deriveModel(rows);
	expect(model.devices.map(d => [d.id, d.serialNumber, d.incarnation, d.state, d.ownerArn])).toEqual(
		(expected.device as Record<string, unknown>[]).map(d => [d.id, d.serial_number, d.incarnation, d.state, d.owner_arn]),
	);
	expect(model.lifecycle.map(l => [l.event, l.deviceId, l.ownerArn]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(
		(expected.lifecycle as Record<string, unknown>[]).map(l => [l.event, l.device_id, l.owner_arn]),
	);
	expect(model.signIns.map(s => [s.event, s.deviceId, s.principalArn, s.failedAtMfa]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(
		(expected.signIn as Record<string, unknown>[]).map(s => [s.event, s.device_id, s.principal_arn, s.failed_at_mfa]),
	);

	expect(model.accountEvents.map(a => [a.event, a.role, a.actorArn, a.targetArn]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(
		(expected.accountEvent as Record<string, unknown>[]).map(a => [a.event, a.role, a.actor_arn, a.target_arn]),
	);

	for (const batchRows of [1, 3, 64]) {
		expect(refreshModel(db, {force: true, batchRows})?.rows).toBe(whole?.rows);
		expect(tables(db)).toEqual(expected);
	}
	// The default batch size, as an import leaves it.
	refreshModel(db, {force: true});
	expect(tables(db)).toEqual(expected);
	db.close();
	return expected;
}

describe('full rebuild in batches', () => {
	it('over samples/: the same tables, ids included, for every batch size and as one unbatched derivation', async () => {
		const result = await compareBatchSizes(files(path.join(repoRoot, 'samples')));
		expect(result.device.length).toBeGreaterThan(10);
		expect(result.signIn.length).toBeGreaterThan(10);
		expect(result.lifecycle.length).toBeGreaterThan(10);
	});

	it('over realdata native/ and other/', async () => {
		const result = await compareBatchSizes([...files(path.join(realdata, 'native')), ...files(path.join(realdata, 'other'))]);
		expect(result.signIn.length + result.lifecycle.length).toBeGreaterThan(0);
	});
});
