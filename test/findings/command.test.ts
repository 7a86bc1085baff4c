import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {restoreMocksAfterEach, runMain} from '../run-main.js';
import {rulesMarkdown} from '../../source/findings/docs.js';
import {rules} from '../../source/findings/registry.js';
import {caseWith, fixture, repoRoot, tempDir} from './helpers.js';

const run = runMain;

restoreMocksAfterEach();

async function caseFile(...inputs: string[]): Promise<string> {
	const {db, file} = await caseWith(...inputs);
	db.close();
	return file;
}

describe('mfatrail findings', () => {
	it('--json prints the array in the issue shape, with CloudTrail eventIDs', async () => {
		const db = await caseFile(fixture('root-mfa-change', 'positive'));
		const {status, stdout} = await run('findings', '--db', db, '--json');
		expect(status).toBe(0);
		const found = JSON.parse(stdout) as Record<string, unknown>[];
		expect(found).toHaveLength(1);
		expect(Object.keys(found[0])).toEqual(['rule', 'severity', 'principal', 'serialNumber', 'firstSeen', 'lastSeen', 'eventIds', 'eventCount', 'summary', 'status', 'note', 'id', 'key']);
		const {Records} = JSON.parse(fs.readFileSync(fixture('root-mfa-change', 'positive'), 'utf8')) as {Records: {eventID: string}[]};
		expect(found[0]).toMatchObject({
			rule: 'root-mfa-change',
			severity: 'high',
			principal: 'arn:aws:iam::111122223333:root',
			serialNumber: 'arn:aws:iam::111122223333:mfa/root-account-mfa-device',
			firstSeen: '2023-01-30T23:02:23Z',
			lastSeen: '2023-01-30T23:02:50Z',
			eventIds: Records.map(r => r.eventID),
		});
	});

	it('prints aligned rows, most severe first, and filters by rule, severity and time', async () => {
		const db = await caseFile(fixture('failed-login-after-mfa-removal', 'positive'), fixture('root-mfa-change', 'positive'));
		const all = await run('findings', '--db', db);
		const rows = all.stdout.split('\n').filter(l => /^(high|medium|low) /.test(l));
		expect(rows.map(r => r.split(/\s+/)[1])).toEqual(['root-mfa-change', 'failed-login-after-mfa-removal', 'mfa-device-removed', 'new-device-first-use']);
		// the FIRST SEEN column starts at the same place on every row
		expect(new Set(rows.map(r => r.indexOf('2023-')))).toHaveProperty('size', 1);
		expect(all.stdout).toContain('4 findings: 1 high, 2 medium, 1 low');
		const high = JSON.parse((await run('findings', '--db', db, '--json', '--severity', 'high')).stdout) as {rule: string}[];
		expect(high.map(f => f.rule)).toEqual(['root-mfa-change']);
		const one = JSON.parse((await run('findings', '--db', db, '--json', '--rule', 'mfa-device-removed')).stdout) as {rule: string}[];
		expect(one.map(f => f.rule)).toEqual(['mfa-device-removed']);
		const july = JSON.parse((await run('findings', '--db', db, '--json', '--since', '2023-07-03', '--until', '2023-07-04')).stdout) as {rule: string}[];
		expect(july.map(f => f.rule)).toEqual(['failed-login-after-mfa-removal', 'mfa-device-removed']);
	});

	it('reads at 80 columns over samples/: every line fits, principal and serial in full', async () => {
		const db = await caseFile(path.join(repoRoot, 'samples'));
		const {status, stdout} = await run('findings', '--db', db);
		expect(status).toBe(0);
		const lines = stdout.split('\n');
		expect(lines.filter(l => [...l].length > 80)).toEqual([]);
		const found = JSON.parse((await run('findings', '--db', db, '--json')).stdout) as {severity: string; rule: string; principal: string | null; serialNumber: string | null; firstSeen: string}[];
		expect(found.length).toBeGreaterThan(20);
		// per finding, in the JSON order: the header line, then the principal and serial each whole on a line
		const headers = lines.map((l, i) => [l, i] as const).filter(([l]) => /^(high|medium|low|info) /.test(l));
		expect(headers.map(([l]) => l.split(/\s+/).slice(0, 3))).toEqual(found.map(f => [f.severity, f.rule, f.firstSeen]));
		headers.forEach(([, header], n) => {
			const f = found[n];
			// a rule name too long for its column puts the triage on a line of its own
			const at = /^ +#\d+ /.test(lines[header + 1] ?? '') ? header + 1 : header;
			// password-spray spans principals: it has none, and says so
			expect(lines[at + 1]).toBe(`  ${f.principal ?? '(no principal)'}`);
			if (f.serialNumber) expect(lines[at + 2]).toBe(`  ${f.serialNumber}`);
		});
		expect(stdout).toContain('\n  arn:aws:identitystore::123456789012:user/c4f8a4e2-7091-70a8-3b6e-1f0a2c9d5b71\n');
		expect(stdout).toContain('\n  arn:aws:iam::123456789012:mfa/root-account-mfa-device\n');
		// the summary is wrapped, not cut: its words all appear in order
		const words = (stdout.split('\n\n')[1] ?? '').split('\n').slice(3).join(' ').split(/\s+/).filter(Boolean);
		expect(words.join(' ')).toContain('MFA change on the root user of 123456789012: device arn:aws:iam::123456789012:mfa/root-account-mfa-device CreateVirtualMFADevice');
	}, 60_000);

	it('--until with a bare date includes that whole day', async () => {
		const db = await caseFile(fixture('failed-login-after-mfa-removal', 'positive'), fixture('root-mfa-change', 'positive'));
		const all = JSON.parse((await run('findings', '--db', db, '--json')).stdout) as {firstSeen: string}[];
		const day = all[0].firstSeen.slice(0, 10);
		const sameDay = JSON.parse((await run('findings', '--db', db, '--json', '--since', day, '--until', day)).stdout) as {firstSeen: string}[];
		expect(sameDay.length).toBeGreaterThan(0);
		expect(sameDay.every(f => f.firstSeen.startsWith(day))).toBe(true);
		const midnight = JSON.parse((await run('findings', '--db', db, '--json', '--since', day, '--until', `${day}T00:00:00Z`)).stdout) as unknown[];
		expect(midnight.length).toBeLessThan(sameDay.length);
	});

	it('escapes terminal controls in evidence but keeps JSON plain', async () => {
		const {Records} = JSON.parse(fs.readFileSync(fixture('root-mfa-change', 'positive'), 'utf8')) as {Records: Record<string, any>[]};
		const hostile = 'arn:aws:iam::111122223333:mfa/root\u001b[2J\u202eevil';
		Records[0].requestParameters.virtualMFADeviceName = 'root\u001b[2J\u202eevil';
		Records[0].responseElements.virtualMFADevice.serialNumber = hostile;
		Records[1].requestParameters.serialNumber = hostile;
		const file = path.join(tempDir(), 'hostile.json');
		fs.writeFileSync(file, JSON.stringify({Records}));
		const db = await caseFile(file);
		const human = (await run('findings', '--db', db)).stdout;
		expect(human).not.toContain('\u001b');
		expect(human).not.toContain('\u202e');
		expect(human).toContain('root\\x1b[2J\\u202eevil');
		const json = JSON.parse((await run('findings', '--db', db, '--json')).stdout) as {serialNumber: string}[];
		expect(json[0].serialNumber).toBe(hostile);
	});

	it('recomputes with other burst thresholds and stores them', async () => {
		const db = await caseFile(fixture('console-login-failure-burst', 'negative'));
		expect(JSON.parse((await run('findings', '--db', db, '--json', '--rule', 'console-login-failure-burst')).stdout)).toEqual([]);
		const {stdout} = await run('findings', '--db', db, '--json', '--rule', 'console-login-failure-burst', '--burst-count', '3', '--burst-window', '10m');
		expect((JSON.parse(stdout) as unknown[]).length).toBe(1);
		// stored: a plain listing afterwards still shows it
		expect((JSON.parse((await run('findings', '--db', db, '--json', '--rule', 'console-login-failure-burst')).stdout) as unknown[]).length).toBe(1);
	});

	it('refuses unknown rules, severities, times and durations with a clear message', async () => {
		const db = await caseFile(fixture('root-mfa-change', 'negative'));
		const cases: [string[], RegExp][] = [
			[['--rule', 'nope'], /unknown rule "nope"; rules: mfa-added-without-mfa-session/],
			[['--severity', 'critical'], /unknown severity "critical"/],
			[['--since', 'yesterday'], /not a time/],
			[['--burst-window', '10 minutes'], /not a duration/],
			[['--burst-count', '0'], /--burst-count must be a whole number/],
		];
		for (const [flags, message] of cases) {
			const {status, stderr} = await run('findings', '--db', db, ...flags);
			expect(status, flags.join(' ')).toBe(2);
			expect(stderr).toMatch(message);
		}
		expect((await run('findings', '--db', db)).stdout).toBe('no findings\n');
	});

	it('--help lists every rule of the registry', async () => {
		const {stdout} = await run('findings', '--help');
		for (const rule of rules) expect(stdout).toContain(rule.id);
		expect(stdout).toContain('--burst-window');
	});
});

describe('docs/findings.md', () => {
	it('holds the findings section generated from the rule registry', () => {
		const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'findings.md'), 'utf8');
		expect(doc).toContain(rulesMarkdown());
	});
});
