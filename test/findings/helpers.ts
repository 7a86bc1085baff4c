import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, expect} from 'vitest';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {importEvidence} from '../../source/pipeline.js';
import {listFindings, type StoredFinding} from '../../source/findings/queries.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixtures = path.join(repoRoot, 'test', 'fixtures', 'findings');

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

export function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	dirs.push(dir);
	return dir;
}

export function fixture(rule: string, kind: 'positive' | 'negative'): string {
	return path.join(fixtures, rule, `${kind}.json`);
}

/** Imports evidence into a new case file (the import computes the findings) and returns it open. */
export async function caseWith(...inputs: string[]): Promise<{db: CaseFile; file: string}> {
	const file = path.join(tempDir(), 'case.db');
	const db = openCaseFile(file);
	await importEvidence(db, inputs);
	return {db, file};
}

export async function findingsOf(...inputs: string[]): Promise<StoredFinding[]> {
	const {db} = await caseWith(...inputs);
	try {
		return listFindings(db);
	} finally {
		db.close();
	}
}

export const arn = (user: string) => `arn:aws:iam::111122223333:user/${user}`;
export const mfa = (name: string) => `arn:aws:iam::111122223333:mfa/${name}`;
export const root = 'arn:aws:iam::111122223333:root';

/**
 * A rule's findings over its negative fixture, after checking that every record of the fixture was
 * imported (a negative that imported nothing would pass for the wrong reason). The count is the
 * fixture's own: its Records array.
 */
export async function negativeFindings(rule: string): Promise<StoredFinding[]> {
	const file = fixture(rule, 'negative');
	const records = (JSON.parse(fs.readFileSync(file, 'utf8')) as {Records: unknown[]}).Records.length;
	expect(records).toBeGreaterThan(0);
	const {db} = await caseWith(file);
	try {
		expect(db.prepare('SELECT count(*) FROM event').pluck().get(), `${rule}: records imported from the negative fixture`).toBe(records);
		expect(db.prepare('SELECT count(*) FROM rejection').pluck().get(), `${rule}: nothing rejected`).toBe(0);
		return listFindings(db).filter(f => f.rule === rule);
	} finally {
		db.close();
	}
}
