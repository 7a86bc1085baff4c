import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {caseWith} from '../findings/helpers.js';
import {restoreMocksAfterEach, runMain} from '../run-main.js';
import {useTempDirs} from '../temp-dirs.js';

restoreMocksAfterEach();
const tempDir = useTempDirs();
const fixtures = path.join(import.meta.dirname, '..', 'fixtures');
const sigmahq = path.join(fixtures, 'sigma', 'sigmahq-cloudtrail');
const stratus = path.join(fixtures, 'realdata', 'native', 'stratus-red-team');

async function caseOf(...inputs: string[]): Promise<string> {
	const {db, file} = await caseWith(...inputs);
	db.close();
	return file;
}

/** Stratus Red Team's technique records, and the SigmaHQ rule each should trip (by the rules' titles), with how many events. */
const expected: [technique: string[], ruleId: string, title: string][] = [
	[['aws.defense-evasion.cloudtrail-stop', 'aws.defense-evasion.cloudtrail-delete'], '4db60cc0-36fb-42b7-9b58-a5b53019fb74', 'AWS CloudTrail Important Change'],
	[['aws.defense-evasion.vpc-remove-flow-logs'], 'e386b9b5-af12-450e-afff-761730fb8a98', 'AWS VPC Flow Logs Deleted'],
	[['aws.initial-access.console-login-without-mfa'], '77caf516-34e5-4df9-b4db-20744fea0a60', 'AWS Successful Console Login Without MFA'],
	[['aws.execution.ssm-send-command', 'aws.credential-access.ec2-steal-instance-credentials'], '38e7f511-3f74-41d4-836e-f57dfa18eead', 'Potential Malicious Usage of CloudTrail System Manager'],
	[['aws.exfiltration.ec2-share-ebs-snapshot'], 'abae8fec-57bd-4f87-aff6-6e3db989843d', 'AWS Snapshot Backup Exfiltration'],
	[['aws.privilege-escalation.iam-update-user-login-profile'], '055fb148-60f8-462d-ad16-26926ce050f1', 'AWS User Login Profile Was Modified'],
	[['aws.exfiltration.ec2-security-group-open-port-22-ingress'], '6fb77778-040f-4015-9440-572aa9b6b580', 'Ingress/Egress Security Group Modification'],
];

/** Records of a Stratus technique file whose eventName the rule names (the technique's own call). */
function techniqueEvents(technique: string, names: string[]): number {
	const text = JSON.parse(fs.readFileSync(path.join(stratus, `${technique}.json`), 'utf8')) as {Records?: {eventName: string}[]} | {eventName: string}[];
	const records = Array.isArray(text) ? text : text.Records!;
	return records.filter(r => names.includes(r.eventName)).length;
}

describe('mfatrail sigma over a case', () => {
	it('--json: one entry per loaded rule in the issue shape; Stratus Red Team techniques trip the rules written for them', async () => {
		const db = await caseOf(stratus);
		const {status, stdout} = await runMain('sigma', sigmahq, '--db', db, '--json');
		expect(status).toBe(0);
		const out = JSON.parse(stdout) as {rules: {loaded: number; unsupported: unknown[]}; matches: {rule: string; title: string; level: string; events: number}[]};
		expect(Object.keys(out)).toEqual(['rules', 'matches']);
		expect(out.rules).toEqual({loaded: 57, unsupported: []});
		expect(out.matches).toHaveLength(57);
		for (const m of out.matches) expect(Object.keys(m)).toEqual(['rule', 'title', 'level', 'events']);
		const byId = new Map(out.matches.map(m => [m.rule, m]));
		const names: Record<string, string[]> = {
			'4db60cc0-36fb-42b7-9b58-a5b53019fb74': ['StopLogging', 'DeleteTrail', 'UpdateTrail'],
			'e386b9b5-af12-450e-afff-761730fb8a98': ['DeleteFlowLogs'],
			'77caf516-34e5-4df9-b4db-20744fea0a60': ['ConsoleLogin'],
			'38e7f511-3f74-41d4-836e-f57dfa18eead': ['SendCommand'],
			'abae8fec-57bd-4f87-aff6-6e3db989843d': ['ModifySnapshotAttribute'],
			'055fb148-60f8-462d-ad16-26926ce050f1': ['UpdateLoginProfile'],
			'6fb77778-040f-4015-9440-572aa9b6b580': ['AuthorizeSecurityGroupIngress'],
		};
		for (const [techniques, id, title] of expected) {
			const want = techniques.reduce((n, t) => n + techniqueEvents(t, names[id]!), 0);
			expect(want).toBeGreaterThan(0);
			expect(byId.get(id)).toMatchObject({title, events: want});
		}
		// Nothing in these techniques is a Bedrock guardrail change.
		expect(byId.get('59b70e4d-dd17-44a9-b740-acf07ae3eb6a')!.events).toBe(0);
	});

	it('matches are findings: sigma:<id>, severity from level, the principal, eventIDs, credentials and the author credited; the report credits every author', async () => {
		const db = await caseOf(stratus);
		expect((await runMain('sigma', sigmahq, '--db', db)).status).toBe(0);
		const {stdout} = await runMain('findings', '--db', db, '--json', '--rule', 'sigma:e386b9b5-af12-450e-afff-761730fb8a98');
		const [finding] = JSON.parse(stdout) as {rule: string; severity: string; principal: string; eventIds: string[]; summary: string}[];
		const records = JSON.parse(fs.readFileSync(path.join(stratus, 'aws.defense-evasion.vpc-remove-flow-logs.json'), 'utf8')) as {eventID: string; userIdentity: {arn: string; accessKeyId: string}}[];
		expect(finding).toMatchObject({rule: 'sigma:e386b9b5-af12-450e-afff-761730fb8a98', severity: 'high', principal: records[0]!.userIdentity.arn, eventIds: [records[0]!.eventID]});
		expect(finding!.summary).toContain(`key ${records[0]!.userIdentity.accessKeyId}`);
		// An AKIA key is an IAM user's long-term key: no session, so no MFA session.
		expect(records[0]!.userIdentity.accessKeyId).toMatch(/^AKIA/);
		expect(finding!.summary).toContain("an IAM user's long-term key, no MFA session");
		expect(finding!.summary).toContain('by Ivan Saakov');
		expect(finding!.summary).toContain('aws_cloudtrail_vpc_flow_logs_deleted.yml');

		const report = path.join(tempDir(), 'report.md');
		expect((await runMain('report', '--db', db, '--format', 'md', '--out', report)).status).toBe(0);
		const text = fs.readFileSync(report, 'utf8');
		const all = JSON.parse((await runMain('findings', '--db', db, '--json')).stdout) as {rule: string}[];
		const sigmaRules = [...new Set(all.map(f => f.rule).filter(r => r.startsWith('sigma:')))];
		expect(sigmaRules.length).toBeGreaterThanOrEqual(expected.length);
		for (const rule of sigmaRules) {
			const file = fs.readdirSync(sigmahq).find(f => fs.readFileSync(path.join(sigmahq, f), 'utf8').includes(`id: ${rule.slice('sigma:'.length)}`))!;
			const author = /^author: (.*)$/m.exec(fs.readFileSync(path.join(sigmahq, file), 'utf8'))![1]!;
			expect(text).toContain(author.replaceAll('@', '\\@'));
			expect(text).toContain(file);
		}
		expect(text).toContain('Detection Rule License 1.1');
	});

	it('a re-run keeps finding rows and their triage; --strict refuses unsupported rules and stores nothing', async () => {
		const db = await caseOf(stratus);
		await runMain('sigma', sigmahq, '--db', db);
		const first = JSON.parse((await runMain('findings', '--db', db, '--json')).stdout) as {id: number; key: string; rule: string}[];
		const target = first.find(f => f.rule.startsWith('sigma:'))!;
		expect((await runMain('triage', String(target.id), '--db', db, '--status', 'confirmed', '--note', 'seen')).status).toBe(0);
		const again = await runMain('sigma', sigmahq, '--db', db);
		expect(again.stdout).toMatch(/0 new, 0 updated, 0 removed/);
		const second = JSON.parse((await runMain('findings', '--db', db, '--json')).stdout) as {id: number; key: string; status: string}[];
		expect(second.find(f => f.key === target.key)).toMatchObject({id: target.id, status: 'confirmed'});
		// Recomputing the built-in findings (new thresholds) leaves the Sigma findings as they are.
		expect((await runMain('findings', '--db', db, '--burst-count', '3')).status).toBe(0);
		const third = JSON.parse((await runMain('findings', '--db', db, '--json')).stdout) as {id: number; key: string}[];
		expect(third.filter(f => f.key.startsWith('sigma:')).map(f => f.id).sort()).toEqual(first.filter(f => f.rule.startsWith('sigma:')).map(f => f.id).sort());

		const rules = tempDir();
		fs.copyFileSync(path.join(sigmahq, 'aws_delete_identity.yml'), path.join(rules, 'aws_delete_identity.yml'));
		fs.writeFileSync(path.join(rules, 'win.yml'), 'title: W\nid: w\nlogsource: {product: windows}\ndetection: {s: {Image: x}, condition: s}\n');
		const strict = await runMain('sigma', rules, '--db', db, '--strict');
		expect(strict.status).toBe(2);
		expect(strict.stderr).toMatch(/unsupported .*win\.yml: logsource/);
		expect(strict.stderr).toMatch(/--strict: 1 rule unsupported/);
		const lenient = await runMain('sigma', rules, '--db', db);
		expect(lenient.status).toBe(0);
		expect(lenient.stdout).toMatch(/rules: 1 loaded, 1 unsupported/);
		expect(lenient.stdout).toMatch(/win\.yml: logsource/);
	});

	it('--save: a later import evaluates the saved rules on the new evidence', async () => {
		const db = await caseOf(path.join(stratus, 'aws.execution.ssm-send-command.json'));
		const rules = tempDir();
		for (const f of ['aws_cloudtrail_vpc_flow_logs_deleted.yml', 'aws_cloudtrail_ssm_malicious_usage.yml']) fs.copyFileSync(path.join(sigmahq, f), path.join(rules, f));
		const saved = await runMain('sigma', rules, '--db', db, '--save');
		expect(saved.stdout).toContain(`saved with the case (import evaluates them again): ${rules}`);
		const before = JSON.parse((await runMain('findings', '--db', db, '--json')).stdout) as {rule: string}[];
		expect(before.map(f => f.rule)).not.toContain('sigma:e386b9b5-af12-450e-afff-761730fb8a98');
		const imported = await runMain('import', path.join(stratus, 'aws.defense-evasion.vpc-remove-flow-logs.json'), '--db', db);
		expect(imported.stdout).toMatch(/sigma \(rules saved with the case\): 2 rules evaluated, 0 unsupported/);
		const after = JSON.parse((await runMain('findings', '--db', db, '--json')).stdout) as {rule: string}[];
		expect(after.map(f => f.rule)).toContain('sigma:e386b9b5-af12-450e-afff-761730fb8a98');
		expect(after.map(f => f.rule)).toContain('sigma:38e7f511-3f74-41d4-836e-f57dfa18eead');
	});

	it('correlation findings through the case: generate: false keeps the base rule quiet', async () => {
		const dir = tempDir();
		const login = (i: number, result: string, minute: number) => ({
			eventVersion: '1.08', eventTime: `2024-05-01T10:${String(minute).padStart(2, '0')}:00Z`, eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin',
			eventID: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`, awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.7', recipientAccountId: '111122223333',
			userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice'},
			responseElements: {ConsoleLogin: result}, additionalEventData: {MFAUsed: 'No'}, errorMessage: result === 'Failure' ? 'Failed authentication' : undefined,
		});
		// Inside 10 minutes: three failures then a success; then, an hour later, two failures only.
		const records = [login(1, 'Failure', 0), login(2, 'Failure', 2), login(3, 'Failure', 4), login(4, 'Success', 5), login(5, 'Failure', 50), login(6, 'Failure', 59)];
		fs.writeFileSync(path.join(dir, 'trail.json'), JSON.stringify({Records: records}));
		const db = await caseOf(path.join(dir, 'trail.json'));
		const rules = tempDir();
		fs.writeFileSync(
			path.join(rules, 'bruteforce.yml'),
			[
				'title: Failed console login\nid: 33333333-0000-0000-0000-000000000001\nname: failed_console_login\nauthor: Test Author\nlevel: low\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Failure}, condition: s}\n',
				'title: Many failed console logins\nid: 33333333-0000-0000-0000-000000000002\nauthor: Test Author\nlevel: high\ncorrelation:\n    type: event_count\n    rules: [failed_console_login]\n    group-by: [sourceIPAddress]\n    timespan: 5m\n    condition: {gte: 3}\n',
			].join('---\n'),
		);
		const out = JSON.parse((await runMain('sigma', rules, '--db', db, '--json')).stdout) as {matches: {rule: string; events: number}[]};
		expect(out.matches).toEqual([
			{rule: '33333333-0000-0000-0000-000000000001', title: 'Failed console login', level: 'low', events: 5},
			{rule: '33333333-0000-0000-0000-000000000002', title: 'Many failed console logins', level: 'high', events: 3},
		]);
		const findings = JSON.parse((await runMain('findings', '--db', db, '--json')).stdout) as {rule: string; severity: string; eventIds: string[]}[];
		const sigma = findings.filter(f => f.rule.startsWith('sigma:'));
		expect(sigma).toHaveLength(1);
		expect(sigma[0]).toMatchObject({rule: 'sigma:33333333-0000-0000-0000-000000000002', severity: 'high', eventIds: records.slice(0, 3).map(r => r.eventID)});
	});
});

describe('the credentials behind a Sigma finding', () => {
	it('a session key: the minting call and its MFA device, as the original records say', async () => {
		const repo = path.join(import.meta.dirname, '..', '..');
		const db = await caseOf(path.join(repo, 'samples'));
		await runMain('sigma', sigmahq, '--db', db);
		const findings = JSON.parse((await runMain('findings', '--db', db, '--json')).stdout) as {rule: string; summary: string}[];
		const withMinting = findings.filter(f => f.rule.startsWith('sigma:') && /minted by GetSessionToken at /.test(f.summary));
		expect(withMinting.length).toBeGreaterThan(0);
		for (const f of withMinting) {
			const [, key, eventId] = /key (ASIA[A-Z0-9]+), minted by GetSessionToken at \S+ by \S+ \(event ([0-9a-f-]+)\)/.exec(f.summary)!;
			// The minting record itself, as the evidence holds it.
			const {versions} = JSON.parse((await runMain('event', eventId!, '--db', db, '--json')).stdout) as {versions: {record: string}[]};
			const record = JSON.parse(versions[0]!.record) as {eventName: string; requestParameters?: {serialNumber?: string}; responseElements: {credentials: {accessKeyId: string}}};
			expect(record.eventName).toBe('GetSessionToken');
			expect(record.responseElements.credentials.accessKeyId).toBe(key);
			const serial = record.requestParameters?.serialNumber;
			const described = f.summary.slice(f.summary.indexOf(`key ${key}`)).split(';')[0]!;
			if (serial) expect(described).toContain(`MFA device ${serial}`);
			else expect(described).not.toContain('MFA device');
		}
	});
});

describe('hostile rule text and a missing case file', () => {
	it('a rule title and author with control characters never reach the terminal raw; a case file that is not there is not created', async () => {
		const db = await caseOf(path.join(stratus, 'aws.defense-evasion.vpc-remove-flow-logs.json'));
		const rules = tempDir();
		fs.writeFileSync(
			path.join(rules, 'hostile.yml'),
			'title: "Flow logs \\u001b[31mdeleted\\u0007"\nid: 44444444-0000-0000-0000-000000000001\nauthor: "Mallory\\u001b]0;owned\\u0007"\nlevel: high\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: DeleteFlowLogs}, condition: s}\n',
		);
		const out = await runMain('sigma', rules, '--db', db);
		expect(out.status).toBe(0);
		expect(out.stdout).toContain('Flow logs \\x1b[31mdeleted\\x07');
		const listed = await runMain('findings', '--db', db, '--rule', 'sigma:44444444-0000-0000-0000-000000000001');
		for (const text of [out.stdout, listed.stdout]) expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
		expect(listed.stdout).toContain('Mallory\\x1b]0;owned\\x07');

		const missing = path.join(tempDir(), 'none.db');
		const refused = await runMain('sigma', rules, '--db', missing);
		expect(refused.stderr).toMatch(/case file not found/);
		expect(refused.status).not.toBe(0);
		expect(fs.existsSync(missing)).toBe(false);
	});
});
