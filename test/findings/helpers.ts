import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach} from 'vitest';
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
