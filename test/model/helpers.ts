import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {importEvidence} from '../../source/pipeline.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const realdata = path.resolve(repoRoot, 'test', 'fixtures', 'realdata');
export const fixtures = path.join(repoRoot, 'test', 'fixtures', 'model');

/** A fresh case file in a temp dir with the given evidence imported (in the order given). */
export async function caseWith(...inputs: string[]): Promise<{db: CaseFile; file: string; dir: string; cleanup(): void}> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	const file = path.join(dir, 'case.db');
	const db = openCaseFile(file);
	for (const input of inputs) await importEvidence(db, [input]);
	return {db, file, dir, cleanup: () => {
		if (db.open) db.close();
		fs.rmSync(dir, {recursive: true, force: true});
	}};
}

/** The evidence files under a folder, in path order (README files beside them left out). */
export function evidenceFiles(root: string): string[] {
	return fs
		.readdirSync(root, {recursive: true, withFileTypes: true})
		.filter(entry => entry.isFile() && !entry.name.endsWith('.md'))
		.map(entry => path.join(entry.parentPath, entry.name))
		.sort();
}
