/**
 * One meaning of "denied" (issue 20): the error codes AWS writes for a refused call, including
 * EC2's Client.UnauthorizedOperation, counted the same by the definition, its SQL twin and the key
 * pivot over a real record (TrailDiscover's denied DescribeVolumes and DeactivateMFADevice).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, it} from 'vitest';
import {deniedSql, isDenied} from '../../source/domain/denied.js';
import {keyCalls, keyView} from '../../source/db/pivots.js';
import {caseWith, repoRoot} from '../findings/helpers.js';

const codes: [string | null, boolean][] = [
	['AccessDenied', true],
	['AccessDeniedException', true],
	['Client.UnauthorizedOperation', true],
	['UnauthorizedOperation', true],
	['accessdenied', true],
	['NoSuchEntityException', false],
	['EntityAlreadyExists', false],
	['ThrottlingException', false],
	['InvalidAuthenticationCode', false],
	['UnauthorizedOperationLimitExceeded', false],
	['', false],
	[null, false],
];

describe('denied', () => {
	it('is AccessDenied (any form), or a code ending in UnauthorizedOperation', () => {
		for (const [code, denied] of codes) expect(isDenied(code), String(code)).toBe(denied);
	});

	it('means the same in SQL', () => {
		const db = new Database(':memory:');
		try {
			const query = db.prepare(`SELECT ${deniedSql('code')} AS denied FROM (SELECT ? AS code)`).pluck();
			for (const [code, denied] of codes) expect(Boolean(query.get(code)), String(code)).toBe(denied);
		} finally {
			db.close();
		}
	});

	it("counts EC2's Client.UnauthorizedOperation on a real record, beside IAM's AccessDenied", async () => {
		const events = path.join(repoRoot, 'test', 'fixtures', 'realdata', 'catalog', 'traildiscover', 'events');
		const {db} = await caseWith(path.join(events, 'EC2', 'DescribeVolumes.json.cloudtrail'), path.join(events, 'IAM', 'DeactivateMFADevice.json.cloudtrail'));
		try {
			expect(db.prepare('SELECT count(*) FROM event').pluck().get()).toBe(2);
			// Both records carry the masked key AKIA**************** (TrailDiscover's capture).
			const view = keyView(db, 'AKIA****************')!;
			expect(view.callCount).toBe(2);
			expect(view.deniedCount).toBe(2);
			expect(keyCalls(db, 'AKIA****************', {deniedOnly: true}).map(c => [c.eventName, c.errorCode])).toEqual([
				// In time order: the DeactivateMFADevice capture is older.
				['DeactivateMFADevice', 'AccessDenied'],
				['DescribeVolumes', 'Client.UnauthorizedOperation'],
			]);
		} finally {
			db.close();
		}
	});
});
