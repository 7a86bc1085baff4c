/**
 * After a full model rebuild the import hands the lifecycle calls and sign-ins it derived to the
 * findings (source/findings/load.ts ModelRowsCollector) instead of reading back the rows it wrote.
 * They must be exactly what the findings would read: the same rows, values (linkModel's updates
 * included) and order, so the same findings. Over real records, documentation shapes and the rule
 * fixtures (AssumeRoot sessions, WorkSpaces and Transfer Family flows, conflicting eventIDs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {loadModel, ModelRowsCollector} from '../../source/findings/load.js';
import {computeFindings} from '../../source/findings/refresh.js';
import {refreshModel} from '../../source/model/refresh.js';
import {importEvidence} from '../../source/pipeline.js';
import {evidenceFiles, realdata, repoRoot} from '../model/helpers.js';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

describe('rows handed from the model rebuild to the findings', () => {
	it('are the rows, values and order the findings read from the case file', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
		dirs.push(dir);
		const db = openCaseFile(path.join(dir, 'case.db'));
		const inputs = [
			...evidenceFiles(path.join(repoRoot, 'test', 'fixtures', 'shapes')),
			...evidenceFiles(path.join(repoRoot, 'test', 'fixtures', 'findings')),
			path.join(realdata, 'native'),
			path.join(realdata, 'other'),
			path.join(repoRoot, 'samples'),
		];
		await importEvidence(db, inputs);
		const collector = new ModelRowsCollector(db);
		expect(refreshModel(db, {force: true, batchRows: 7, onRecords: collector.add})?.mode).toBe('full');
		const handed = collector.rows(db)!;
		expect(handed).toBeDefined();
		const read = loadModel(db);
		// The links changed some rows after they were derived: the test covers them.
		expect(read.signIns.filter(s => s.kind === 'workspaces' || s.kind === 'transfer-family').length).toBeGreaterThan(0);
		expect(read.lifecycle.filter(l => l.assumeRootEvent !== null).length).toBeGreaterThan(0);
		expect(read.signIns.length).toBeGreaterThan(100);
		// The records handed over carry a few more fields than the rows read (their row, user agent…).
		const asRead = <T extends object>(rows: T[], like: T[]) => rows.map(row => Object.fromEntries(Object.keys(like[0]!).map(key => [key, row[key as keyof T]])));
		expect(asRead(handed.signIns, read.signIns)).toEqual(read.signIns);
		expect(asRead(handed.lifecycle, read.lifecycle)).toEqual(read.lifecycle);
		expect(computeFindings(db, undefined, undefined, handed)).toEqual(computeFindings(db));
		// More rows than a collector keeps: it keeps none, and says so (the findings then read them).
		const small = new ModelRowsCollector(db, read.signIns.length);
		refreshModel(db, {force: true, batchRows: 7, onRecords: small.add});
		expect(small.rows(db)).toBeUndefined();
		db.close();
	});
});
