import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {caseWith} from '../findings/helpers.js';
import {restoreMocksAfterEach, runMain} from '../run-main.js';
import {useTempDirs} from '../temp-dirs.js';

restoreMocksAfterEach();
const tempDir = useTempDirs();
const fixtures = path.join(import.meta.dirname, '..', 'fixtures');
const repo = path.join(import.meta.dirname, '..', '..');
const small = path.join(fixtures, 'export', 'small-trail.json');
const sigmahq = path.join(fixtures, 'sigma', 'sigmahq-cloudtrail');

async function caseOf(...inputs: string[]): Promise<string> {
	const {db, file} = await caseWith(...inputs);
	db.close();
	return file;
}

/** The small case: four records (hostile strings among them), SigmaHQ's rules run, one finding triaged. */
async function smallCase(): Promise<string> {
	const db = await caseOf(small);
	expect((await runMain('sigma', sigmahq, '--db', db)).status).toBe(0);
	const findings = JSON.parse((await runMain('findings', '--db', db, '--json', '--rule', 'sigma:4db60cc0-36fb-42b7-9b58-a5b53019fb74')).stdout) as {id: number}[];
	expect((await runMain('triage', String(findings[0]!.id), '--db', db, '--status', 'confirmed', '--note', 'denied, but tried')).status).toBe(0);
	return db;
}

const iso8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe('mfatrail export', () => {
	it('timesketch: the small case matches its golden file', async () => {
		const db = await smallCase();
		const out = path.join(tempDir(), 'case.jsonl');
		expect((await runMain('export', '--format', 'timesketch', '--out', out, '--db', db)).status).toBe(0);
		expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(fixtures, 'export', 'small-trail.timesketch.jsonl'), 'utf8'));
	});

	it('csv: the small case matches its golden file; a formula-looking value is neutralised, control characters shown escaped', async () => {
		const db = await smallCase();
		const {status, stdout} = await runMain('export', '--format', 'csv', '--db', db);
		expect(status).toBe(0);
		expect(stdout).toBe(fs.readFileSync(path.join(fixtures, 'export', 'small-trail.csv'), 'utf8'));
		expect(stdout).toContain(`"'=HYPERLINK(`);
		expect(stdout).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u202e]/);
	});

	it('timesketch over samples/: every line has the required fields, one line per event, findings and triage on evidence events', async () => {
		const db = await caseOf(path.join(repo, 'samples'));
		const {status, stdout} = await runMain('export', '--format', 'timesketch', '--db', db);
		expect(status).toBe(0);
		const lines = stdout.trimEnd().split('\n');
		const summary = JSON.parse((await runMain('summary', '--db', db, '--json')).stdout) as {inventory: {events: number}};
		expect(lines).toHaveLength(summary.inventory.events);
		const ids = new Set<string>();
		let previous = '';
		for (const line of lines) {
			expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
			const o = JSON.parse(line) as Record<string, unknown>;
			expect(typeof o.message).toBe('string');
			expect((o.message as string).length).toBeGreaterThan(0);
			expect(o.datetime).toMatch(iso8601);
			expect(o.timestamp_desc).toBe('CloudTrail eventTime');
			expect(o.timestamp).toBe(Date.parse(o.datetime as string) * 1000);
			expect(o.datetime as string >= previous).toBe(true);
			previous = o.datetime as string;
			ids.add(o.event_id as string);
		}
		expect(ids.size).toBe(lines.length);
		const findings = JSON.parse((await runMain('findings', '--db', db, '--json')).stdout) as {rule: string; eventIds: string[]}[];
		const evidence = lines.map(l => JSON.parse(l) as {event_id: string; finding_rule: string | null; triage_status: string | null}).filter(o => o.finding_rule !== null);
		const expected = new Set(findings.flatMap(f => f.eventIds));
		expect(new Set(evidence.map(o => o.event_id))).toEqual(expected);
		for (const o of evidence) {
			for (const f of findings.filter(f => f.eventIds.includes(o.event_id))) expect(o.finding_rule!.split(', ')).toContain(f.rule);
			expect(o.triage_status).toMatch(/needs-review/);
		}
	});

	it('--findings-only, --principal, --since and --until narrow the lines', async () => {
		const db = await smallCase();
		const ids = async (...args: string[]) =>
			(await runMain('export', '--format', 'timesketch', '--db', db, ...args)).stdout.trimEnd().split('\n').filter(Boolean).map(l => (JSON.parse(l) as {event_id: string}).event_id.slice(-1));
		expect(await ids()).toEqual(['1', '2', '3', '4']);
		expect(await ids('--findings-only')).toEqual(['1', '2', '3']);
		expect(await ids('--principal', 'arn:aws:iam::111122223333:user/alice', '--since', '2024-05-01T09:01:00Z')).toEqual(['2', '3']);
		expect(await ids('--until', '2024-05-01T09:06:00Z')).toEqual(['1', '2']);
		const wrong = await runMain('export', '--format', 'xml', '--db', db);
		expect(wrong).toMatchObject({status: 2, stderr: expect.stringMatching(/--format must be timesketch or csv/)});
	});
});

describe('mfatrail export over conflicting versions', () => {
	it('two versions of one eventID (a conflict) make one line; other events each make theirs', async () => {
		const record = (eventID: string, eventName: string, sourceIPAddress: string) => ({
			eventVersion: '1.08', eventTime: '2024-05-01T10:00:00Z', eventSource: 'iam.amazonaws.com', eventName, awsRegion: 'us-east-1',
			sourceIPAddress, userAgent: 'aws-cli/2', eventID, eventType: 'AwsApiCall', recipientAccountId: '123456789012',
			userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', userName: 'alice'},
		});
		const file = path.join(tempDir(), 'conflict.json');
		const shared = '0d3f8b5e-1c2a-4b7d-9e6f-112233445566';
		fs.writeFileSync(file, JSON.stringify({Records: [record(shared, 'ListUsers', '192.0.2.1'), record(shared, 'ListUsers', '192.0.2.2'), record('7a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3', 'ListRoles', '192.0.2.1')]}));
		const db = await caseOf(file);
		const {stdout, status} = await runMain('export', '--format', 'timesketch', '--db', db);
		expect(status).toBe(0);
		const ids = stdout.trimEnd().split('\n').map(l => (JSON.parse(l) as {event_id: string}).event_id);
		expect(ids.sort()).toEqual([shared, '7a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3']);
	});
});
