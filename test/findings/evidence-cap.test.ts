/**
 * "N of M" wherever evidence is capped (issue 20): a burst of 250 failed console sign-ins is one
 * finding whose list holds 200 eventIDs; the CLI, --json, the explorer's finding screen and both
 * report formats say 200 of 250.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {findingModel} from '../../source/ui/screens/findings.js';
import {openExplorerData} from '../../source/ui/data.js';
import {restoreMocksAfterEach, runMain} from '../run-main.js';
import {caseWith, fixture, tempDir} from './helpers.js';

restoreMocksAfterEach();

const failures = 250;

/** 250 failed sign-ins of bob, one every 10 s, built from the burst fixture's first record. */
function burst(): string {
	const template = (JSON.parse(fs.readFileSync(fixture('console-login-failure-burst', 'positive'), 'utf8')) as {Records: Record<string, unknown>[]}).Records[0]!;
	const records = Array.from({length: failures}, (_, i) => ({
		...template,
		eventID: `cap00000-0000-4000-8000-${String(i).padStart(12, '0')}`,
		eventTime: new Date(Date.parse('2023-06-10T10:00:00Z') + i * 10_000).toISOString().replace('.000Z', 'Z'),
	}));
	const file = path.join(tempDir(), 'burst.json');
	fs.writeFileSync(file, JSON.stringify({Records: records}));
	return file;
}

describe('capped evidence says N of M', () => {
	it('in the CLI, --json, the explorer and the report', async () => {
		const {db, file} = await caseWith(burst());
		db.close();
		const cli = await runMain('findings', '--db', file, '--rule', 'console-login-failure-burst');
		expect(cli.status).toBe(0);
		expect(cli.stdout.replace(/\s+/g, ' ')).toContain('[200 of 250 events; last 2023-06-10T10:41:30Z]');

		const json = await runMain('findings', '--db', file, '--json', '--rule', 'console-login-failure-burst');
		const [finding] = JSON.parse(json.stdout) as {eventIds: string[]; eventCount: number}[];
		expect(finding!.eventIds).toHaveLength(200);
		expect(finding!.eventCount).toBe(failures);

		const read = openCaseFile(file, {readonly: true});
		try {
			const data = openExplorerData(read);
			const [stored] = data.findings();
			const screen = findingModel(stored!, data.evidence(stored!.eventIds), 100);
			expect(screen.panes[0]!.name).toBe('Evidence 200 of 250');
		} finally {
			read.close();
		}

		const md = await runMain('report', '--db', file, '--format', 'md');
		expect(md.stdout).toContain('Evidence: 200 of 250 events.');
		const html = await runMain('report', '--db', file);
		expect(html.stdout).toContain('Evidence: 200 of 250 events.');
	}, 60_000);
});
