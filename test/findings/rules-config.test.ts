/**
 * Every window is configurable (issue 20): a rules configuration file, accepted by `findings` and
 * `import`, changes a rule's result. mfa-device-removed joins a deactivation and the deletion 50
 * minutes later into one finding under the default run-gap (1 h); with {"run-gap": "30m"} they
 * are two. `findings --explain` prints the value, the default and why.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {restoreMocksAfterEach, runMain} from '../run-main.js';
import {fixture, tempDir} from './helpers.js';

restoreMocksAfterEach();

type CloudTrailRecord = Record<string, unknown> & {eventName: string; eventTime: string};

/** The positive fixture, its deletion moved to 50 minutes after the deactivation. */
function fiftyMinutesApart(): string {
	const records = (JSON.parse(fs.readFileSync(fixture('mfa-device-removed', 'positive'), 'utf8')) as {Records: CloudTrailRecord[]}).Records;
	const deactivate = records.find(r => r.eventName === 'DeactivateMFADevice')!;
	const moved = records.map(r =>
		r.eventName === 'DeleteVirtualMFADevice' ? {...r, eventTime: new Date(Date.parse(deactivate.eventTime) + 50 * 60_000).toISOString().replace('.000Z', 'Z')} : r,
	);
	const file = path.join(tempDir(), 'removal.json');
	fs.writeFileSync(file, JSON.stringify({Records: moved}));
	return file;
}

function config(json: unknown): string {
	const file = path.join(tempDir(), 'rules.json');
	fs.writeFileSync(file, JSON.stringify(json));
	return file;
}

async function removals(db: string): Promise<{firstSeen: string; lastSeen: string}[]> {
	const {status, stdout} = await runMain('findings', '--db', db, '--json', '--rule', 'mfa-device-removed');
	expect(status).toBe(0);
	return (JSON.parse(stdout) as {firstSeen: string; lastSeen: string}[]).map(({firstSeen, lastSeen}) => ({firstSeen, lastSeen}));
}

describe('a rules configuration file', () => {
	it('changes a rule\'s result through findings, and through import', async () => {
		const evidence = fiftyMinutesApart();
		const db = path.join(tempDir(), 'case.db');
		expect((await runMain('import', evidence, '--db', db)).status).toBe(0);
		expect(await removals(db)).toEqual([{firstSeen: '2023-03-15T14:00:00Z', lastSeen: '2023-03-15T14:50:00Z'}]);

		const shorter = config({'run-gap': '30m'});
		expect((await runMain('findings', '--db', db, '--rules-config', shorter)).status).toBe(0);
		expect(await removals(db)).toEqual([
			{firstSeen: '2023-03-15T14:00:00Z', lastSeen: '2023-03-15T14:00:00Z'},
			{firstSeen: '2023-03-15T14:50:00Z', lastSeen: '2023-03-15T14:50:00Z'},
		]);
		const explained = await runMain('findings', '--db', db, '--explain', 'mfa-device-removed');
		expect(explained.stdout).toContain('run-gap: 30 min (default 1 h)');
		expect(explained.stdout).toContain('why: the calls of one act come minutes apart');

		// The same file given to import of a new case.
		const other = path.join(tempDir(), 'other.db');
		expect((await runMain('import', evidence, '--db', other, '--rules-config', shorter)).status).toBe(0);
		expect(await removals(other)).toHaveLength(2);
	}, 60_000);

	it('refuses an unknown setting or a bad value, naming the file (usage, exit 2)', async () => {
		const db = path.join(tempDir(), 'case.db');
		expect((await runMain('import', fiftyMinutesApart(), '--db', db)).status).toBe(0);
		const unknown = await runMain('findings', '--db', db, '--rules-config', config({'run-gapp': '30m'}));
		expect(unknown.status).toBe(2);
		expect(unknown.stderr).toContain('unknown setting "run-gapp"; settings: burst-count, burst-window, spray-users, spray-window, run-gap, follow-up, denied-lookback');
		const bad = await runMain('findings', '--db', db, '--rules-config', config({'burst-count': 0}));
		expect(bad.status).toBe(2);
		expect(bad.stderr).toContain('burst-count must be a whole number of at least 1');
	}, 60_000);
});
