/**
 * Nothing is dropped silently (issue 20): an MFA row whose stored facts cannot be read is left out
 * of the model, and counted: `summary` names it, `verify` fails its check on it (exit 4).
 */
import {describe, expect, it} from 'vitest';
import {refreshModel} from '../../source/model/refresh.js';
import {restoreMocksAfterEach, runMain} from '../run-main.js';
import {caseWith, fixture} from '../findings/helpers.js';

restoreMocksAfterEach();

describe('unreadable model rows', () => {
	it('are counted in summary and fail verify', async () => {
		const {db, file} = await caseWith(fixture('mfa-device-removed', 'positive'));
		const rows = db.prepare('SELECT id FROM event_row WHERE facts IS NOT NULL ORDER BY id').pluck().all() as number[];
		expect(rows.length).toBeGreaterThan(1);
		const signIns = db.prepare('SELECT count(*) FROM lifecycle_event').pluck().get() as number;
		// Damage one row's stored facts, as a torn write or a hand edit would.
		db.prepare(`UPDATE event_row SET facts = '{"serialNumber": ' WHERE id = ?`).run(rows[0]);
		refreshModel(db, {force: true});
		expect(db.prepare('SELECT count(*) FROM lifecycle_event').pluck().get()).toBe(signIns - 1);
		db.close();

		const summary = await runMain('summary', '--db', file);
		expect(summary.status).toBe(0);
		expect(summary.stdout.replace(/\s+/g, ' ')).toContain(`UNREADABLE: 1 MFA row of the case file could not be read and is not in the model (event row ${rows[0]}); mfatrail verify`);
		expect(JSON.parse((await runMain('summary', '--db', file, '--json')).stdout).inventory.unreadableModelRows).toEqual([rows[0]]);

		const verify = await runMain('verify', '--db', file);
		expect(verify.status).toBe(4);
		expect(verify.stdout).toContain('MFA facts: 1 UNREADABLE row, not in the model');
		expect(verify.stdout).toContain(`event rows ${rows[0]}`);
	}, 60_000);
});
