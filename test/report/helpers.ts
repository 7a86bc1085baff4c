import path from 'node:path';
import {openCaseFile} from '../../source/db/open.js';
import {recordTriage} from '../../source/db/triage.js';
import {listFindings, type StoredFinding} from '../../source/findings/queries.js';
import {caseWith, repoRoot} from '../model/helpers.js';

export {repoRoot};

/** A case file over samples/ with one finding confirmed and one benign (times and analysts pinned). */
export async function samplesCase(): Promise<{file: string; cleanup(): void}> {
	const made = await caseWith(path.join(repoRoot, 'samples'));
	const findings = listFindings(made.db);
	const confirmed = findings.find(f => f.rule === 'mfa-added-without-mfa-session')!;
	const benign = findings.find(f => f.rule === 'console-login-without-mfa')!;
	recordTriage(made.db, {kind: 'finding', target: confirmed.key, status: 'confirmed', note: 'Attacker device <b>alice-backup</b> & keys [rotated](http://x.example); ticket IR-42', analyst: 'ann', at: '2024-05-01T10:00:00.000Z'});
	recordTriage(made.db, {kind: 'finding', target: benign.key, status: 'benign', note: 'break-glass test', analyst: 'bob', at: '2024-05-01T10:05:00.000Z'});
	made.db.close();
	return {file: made.file, cleanup: made.cleanup};
}

export function findingsOf(file: string): StoredFinding[] {
	const db = openCaseFile(file, {readonly: true});
	try {
		return listFindings(db);
	} finally {
		db.close();
	}
}
