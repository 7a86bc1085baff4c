import fs from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {caseInventory, distinctValues} from '../../source/db/inventory.js';
import {importPaths} from '../../source/import/index.js';
import {hashFile} from '../../source/verify/index.js';
import {ensureBuilt, runCli} from '../hostile/cli.js';
import {repoRoot} from '../model/helpers.js';
import {useTempDirs} from '../temp-dirs.js';

const tempDir = useTempDirs();
const samples = path.join(repoRoot, 'samples');

async function sampleCase(): Promise<string> {
	const file = path.join(tempDir(), 'case.db');
	const db = openCaseFile(file);
	await importPaths(db, [samples]);
	db.close();
	return file;
}

beforeAll(() => ensureBuilt());

describe('case inventory', () => {
	it('states the evidence of the samples: sources with their hashes, span, accounts, regions', async () => {
		const file = await sampleCase();
		const db = openCaseFile(file, {readonly: true});
		const inventory = caseInventory(db);
		// Every source row is listed with the SHA-256 of its bytes; plain files hash as read now.
		expect(inventory.sources.total).toBe(inventory.hashes.length);
		expect(inventory.sources.total).toBeGreaterThan(10);
		const zip = inventory.hashes.filter(h => h.path.endsWith('210987654321_CloudTrail_export.zip'));
		expect(zip.length).toBeGreaterThan(1); // one row per archive member
		const plain = inventory.hashes.find(h => h.member === null)!;
		expect(plain.sha256).toBe(hashFile(plain.path));
		expect(inventory.events).toBe(391);
		// The span is that of the events themselves.
		const span = db.prepare(`SELECT min(event_time) AS first, max(event_time) AS last FROM event`).get();
		expect(inventory.span).toEqual(span);
		expect(inventory.span.last!.slice(0, 10)).toBe('2023-06-21');
		expect(inventory.accounts).toEqual(['123456789012', '210987654321']);
		expect(inventory.regions).toEqual(expect.arrayContaining(['us-east-1', 'us-east-2', 'eu-west-1', 'us-west-2', 'eu-central-1']));
		// Regions are the distinct ones, as a plain DISTINCT finds them.
		const plainRegions = db.prepare(`SELECT DISTINCT aws_region FROM event WHERE aws_region IS NOT NULL ORDER BY 1`).pluck().all();
		expect(inventory.regions).toEqual(plainRegions);
		expect(inventory.verify).toBeNull();
		expect(inventory.scoped).toBe(false);
		expect(caseInventory(db, {hashes: false}).hashes).toEqual([]);
		db.close();
	});

	it('distinctValues seeks the same values DISTINCT finds', async () => {
		const db = openCaseFile(await sampleCase(), {readonly: true});
		for (const column of ['recipient_account_id', 'access_key_id', 'source_ip', 'user_agent']) {
			const expected = db.prepare(`SELECT DISTINCT ${column} FROM event WHERE ${column} IS NOT NULL ORDER BY 1`).pluck().all();
			expect(distinctValues(db, 'event', column)).toEqual(expected);
		}
		db.close();
	});

	it('records the outcome of verify, and a failed check after the evidence changed', async () => {
		const dir = tempDir();
		const evidence = path.join(dir, 'evidence');
		fs.cpSync(samples, evidence, {recursive: true});
		const file = path.join(dir, 'case.db');
		expect(runCli(['import', evidence, '--db', file]).status).toBe(0);
		const before = Date.now();
		const first = runCli(['verify', '--db', file]);
		expect(first.status, first.stderr.toString()).toBe(0);
		expect(first.stderr.toString()).toBe('');
		let db = openCaseFile(file, {readonly: true});
		const ok = caseInventory(db).verify!;
		db.close();
		expect(ok.ok).toBe(true);
		expect(ok.problems).toBe(0);
		expect(Date.parse(ok.verifiedAt)).toBeGreaterThanOrEqual(before - 1000);
		expect(ok.sources).toBeGreaterThan(10);

		// Alter one evidence file: the next verify fails and its outcome replaces the last one.
		const lookup = path.join(evidence, 'lookup-events');
		const altered = path.join(lookup, fs.readdirSync(lookup)[0]);
		fs.appendFileSync(altered, '\n');
		const second = runCli(['verify', '--db', file]);
		expect(second.status).toBe(4);
		db = openCaseFile(file, {readonly: true});
		const failed = caseInventory(db).verify!;
		db.close();
		expect(failed.ok).toBe(false);
		expect(failed.problems).toBeGreaterThan(0);
		expect(failed.summary.changed).toBeGreaterThan(0);
	});

	it('a case file that cannot be written keeps the report and says the outcome was not recorded', async () => {
		const file = await sampleCase();
		// Another connection holds the write lock: verify reads (WAL lets it), then cannot record.
		const holder = openCaseFile(file);
		holder.exec('BEGIN IMMEDIATE');
		try {
			const result = runCli(['verify', '--db', file]);
			expect(result.status).toBe(0);
			expect(result.stdout.toString()).toContain('result: all checks hold');
			expect(result.stderr.toString()).toMatch(/outcome was not recorded in the case file: .*locked|busy/i);
		} finally {
			holder.exec('ROLLBACK');
			holder.close();
		}
		const db = openCaseFile(file, {readonly: true});
		expect(caseInventory(db).verify).toBeNull();
		db.close();
	}, 60_000);
});
