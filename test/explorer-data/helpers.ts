import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {importPaths} from '../../source/import/index.js';
import {repoRoot} from '../model/helpers.js';

/** samples/ imported into a fresh case file in a temp dir, opened read-only; remove() closes and deletes it. */
export async function samplesCase(): Promise<{dir: string; file: string; db: CaseFile; remove(): void}> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	const file = path.join(dir, 'case.db');
	const writer = openCaseFile(file);
	await importPaths(writer, [path.join(repoRoot, 'samples')]);
	writer.close();
	const db = openCaseFile(file, {readonly: true});
	return {
		dir,
		file,
		db,
		remove() {
			if (db.open) db.close();
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
}
