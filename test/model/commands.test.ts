import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, runCli} from '../hostile/cli.js';
import {fixtures} from './helpers.js';

const A = '111111111111';
let dir: string;
let db: string;

function run(...args: string[]) {
	const result = runCli([...args, '--db', db]);
	return {status: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString()};
}

function json(...args: string[]): unknown {
	const result = run(...args, '--json');
	expect(result.status, result.stderr).toBe(0);
	return JSON.parse(result.stdout);
}

beforeAll(() => {
	ensureBuilt();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	db = path.join(dir, 'case.db');
	const imported = runCli(['import', path.join(fixtures, 'part-1-later.json'), path.join(fixtures, 'part-2-earlier.json'), '--db', db]);
	expect(imported.status, imported.stderr.toString()).toBe(0);
});
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

describe('query commands', () => {
	it('user: the issue JSON shape; ambiguous name exits 2, unknown exits 1', () => {
		const view = json('user', `arn:aws:iam::${A}:user/alice`) as {principal: unknown; devices: {lifecycle: Record<string, unknown>[]}[]; logins: Record<string, unknown>[]};
		// displayName: the sign-in name of Identity Center users (issue 11), null for others.
		expect(view.principal).toEqual({arn: `arn:aws:iam::${A}:user/alice`, type: 'IAMUser', name: 'alice', displayName: null, accountId: A});
		expect(view.devices).toHaveLength(2);
		expect(Object.keys(view.devices[0])).toEqual(expect.arrayContaining(['serialNumber', 'name', 'type', 'state', 'lifecycle']));
		expect(Object.keys(view.devices[0].lifecycle[0])).toEqual(
			expect.arrayContaining(['eventName', 'eventTime', 'eventId', 'actor', 'accessKeyId', 'mfaAuthenticated', 'sourceIPAddress', 'userAgent', 'errorCode']),
		);
		expect(Object.keys(view.logins[0])).toEqual(
			expect.arrayContaining(['eventTime', 'result', 'mfaUsed', 'mfaIdentifier', 'sourceIPAddress', 'userAgent', 'errorMessage', 'eventId']),
		);
		expect(view.logins.map(l => l.result)).toEqual(['Success', 'Success']);

		const ambiguous = run('user', 'alice');
		expect(ambiguous.status).toBe(2);
		expect(ambiguous.stderr).toContain(`arn:aws:iam::${A}:user/alice`);
		expect(ambiguous.stderr).toContain('arn:aws:iam::222222222222:user/alice');
		const unknown = run('user', 'mallory');
		expect(unknown.status).toBe(1);
		expect(unknown.stderr).toMatch(/no principal "mallory"/);
	});

	it('user: human output is aligned and fits 80 columns', () => {
		const result = run('user', 'bob');
		expect(result.status).toBe(0);
		expect(result.stdout).toContain('Failure@MFA');
		for (const line of result.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
	});

	it('device: owner ARN, state and the other incarnation of a reused serial', () => {
		const view = json('device', `arn:aws:iam::${A}:mfa/root-account-mfa-device`) as Record<string, unknown>;
		expect(view).toMatchObject({serialNumber: `arn:aws:iam::${A}:mfa/root-account-mfa-device`, name: 'root-account-mfa-device', type: 'virtual', owner: `arn:aws:iam::${A}:root`, state: 'enabled'});
		expect(view.lifecycle).toHaveLength(1);
		expect(view.logins).toHaveLength(1);
		const reused = json('device', `arn:aws:iam::${A}:mfa/alice`) as {incarnation: number; otherIncarnations: {incarnation: number}[]};
		expect(reused.incarnation).toBe(2);
		expect(reused.otherIncarnations.map(o => o.incarnation)).toEqual([1]);
		const first = json('device', `arn:aws:iam::${A}:mfa/alice#1`) as {state: string};
		expect(first.state).toBe('deleted');
		expect(run('device', 'alice').status).toBe(2);
		expect(run('device', 'no-such-device').status).toBe(1);
	});

	it('ambiguous names list the full serials and owner ARNs to copy, one a line', () => {
		const device = run('device', 'alice');
		expect(device.status).toBe(2);
		const lines = device.stderr.split('\n');
		expect(lines).toContain(`  arn:aws:iam::${A}:mfa/alice`);
		expect(lines).toContain('  arn:aws:iam::222222222222:mfa/alice');
		expect(lines).toContain(`    #1 deleted, owner arn:aws:iam::${A}:user/alice`);
		expect(lines).toContain('    enabled, owner arn:aws:iam::222222222222:user/alice');
		expect(device.stderr).not.toContain('…');
		const user = run('user', 'alice');
		expect(user.status).toBe(2);
		expect(user.stderr.split('\n')).toEqual(expect.arrayContaining([`  arn:aws:iam::${A}:user/alice`, '  arn:aws:iam::222222222222:user/alice']));
		expect(user.stderr).not.toContain('…');
		// what is listed is what the command takes
		expect(run('device', 'arn:aws:iam::222222222222:mfa/alice').status).toBe(0);
		expect(run('user', 'arn:aws:iam::222222222222:user/alice').status).toBe(0);
	});

	it('logins: filters and CSV', () => {
		const failed = json('logins', '--user', 'bob', '--failed') as {failedAtMfa: boolean}[];
		expect(failed.map(f => f.failedAtMfa)).toEqual([true, false]);
		const since = json('logins', '--since', '2023-03-01') as {eventTime: string}[];
		expect(since.map(s => s.eventTime)).toEqual(['2023-03-03T08:00:00Z']);
		const byDevice = json('logins', '--device', 'GAHT12345678') as {eventName: string}[];
		expect(byDevice.map(s => s.eventName)).toEqual(['GetSessionToken']);
		const csv = run('logins', '--csv');
		expect(csv.status).toBe(0);
		const rows = csv.stdout.trim().split('\r\n');
		expect(rows[0]).toBe('eventTime,eventName,kind,principalArn,result,failedAtMfa,mfaUsed,federation,mfaIdentifier,mfaType,sourceIPAddress,userAgent,errorMessage,loginTo,eventId');
		expect(rows).toHaveLength(10);
		expect(run('logins', '--since', 'yesterday-ish').status).toBe(2);
	});

	it('--until with a bare date includes that whole day (logins, timeline)', () => {
		const logins = json('logins', '--since', '2023-02-11', '--until', '2023-02-11') as {eventTime: string}[];
		expect(logins.map(s => s.eventTime)).toEqual(['2023-02-11T08:00:00Z', '2023-02-11T08:00:20Z', '2023-02-11T09:00:00Z']);
		expect(json('logins', '--since', '2023-02-11', '--until', '2023-02-11T08:00:00Z')).toHaveLength(1);
		const timeline = json('timeline', '--since', '2023-02-11', '--until', '2023-02-11') as {eventTime: string}[];
		expect(timeline.length).toBeGreaterThanOrEqual(3);
		expect(timeline.every(e => e.eventTime.startsWith('2023-02-11'))).toBe(true);
		for (const command of ['logins', 'timeline', 'findings']) expect(run(command, '--help').stdout).toMatch(/includes that whole day/);
	});

	it('help texts are indented alike, with spaces (the explorer\'s too, without a terminal)', () => {
		const texts = ['', 'import', 'verify', 'explore', 'summary', 'findings', 'search', 'user', 'device', 'logins', 'timeline', 'key', 'ip', 'agent', 'event'].map(c => run(...(c ? [c] : []), '--help').stdout);
		const refused = runCli(['explore', '--db', db], {});
		expect(refused.status).toBe(2);
		texts.push(refused.stderr.toString().split('\n').slice(2).join('\n'));
		for (const text of texts) {
			expect(text).not.toContain('\t');
			const body = text.split('\n').filter(l => l.trim() !== '');
			expect(body.every(l => l.startsWith('  ')), text).toBe(true);
			expect(body.some(l => /^  Usage$/.test(l)), text).toBe(true);
		}
	});

	it('verify: the report fits 80 columns, hashes of a changed file included', () => {
		const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
		try {
			const evidence = path.join(copyDir, 'e.json');
			const copy = path.join(copyDir, 'case.db');
			fs.copyFileSync(path.join(fixtures, 'part-1-later.json'), evidence);
			expect(runCli(['import', evidence, '--db', copy]).status).toBe(0);
			const clean = runCli(['verify', '--db', copy]).stdout.toString();
			expect(clean.split('\n').filter(l => l.length > 80)).toEqual([]);
			fs.appendFileSync(evidence, '\n');
			const changed = runCli(['verify', '--db', copy]);
			expect(changed.status).toBe(4);
			const lines = changed.stdout.toString().split('\n');
			expect(lines.filter(l => l.length > 80 && !l.includes(evidence))).toEqual([]);
			expect(lines.filter(l => /^    [0-9a-f]{64}$/.test(l))).toHaveLength(2);
		} finally {
			fs.rmSync(copyDir, {recursive: true, force: true});
		}
	});

	it('timeline: lifecycle and sign-ins in time order', () => {
		const entries = json('timeline', '--user', `arn:aws:iam::${A}:user/alice`) as {kind: string; eventTime: string}[];
		expect(entries.map(e => e.kind)).toContain('lifecycle');
		expect(entries.map(e => e.kind)).toContain('sign-in');
		const times = entries.map(e => e.eventTime);
		expect(times).toEqual([...times].sort());
		expect(run('timeline', '--user', 'alice').status).toBe(2);
	});

	it('search: exact full ARN first, fuzzy names, JSON shape', () => {
		const hits = json('search', `arn:aws:iam::${A}:mfa/root-account-mfa-device`) as {kind: string; id: string; label: string; score: number}[];
		expect(hits[0]).toMatchObject({kind: 'device', id: `arn:aws:iam::${A}:mfa/root-account-mfa-device`, score: 0});
		const fuzzy = json('search', 'alcie') as {id: string}[];
		expect(fuzzy.map(h => h.id)).toContain(`arn:aws:iam::${A}:user/alice`);
		expect(run('search', 'zzzzqqqq').status).toBe(1);
	});

	it('event: verbatim record text in JSON, pretty-printed for people; unknown id exits 1', () => {
		const [login] = json('logins', '--user', `arn:aws:iam::${A}:root`) as {eventId: string}[];
		const record = json('event', login.eventId) as {eventId: string; versions: {record: string; provenance: {path: string; sha256: string; position: number}[]}[]};
		const original = JSON.parse(fs.readFileSync(path.join(fixtures, 'part-2-earlier.json'), 'utf8')).Records[1];
		expect(JSON.parse(record.versions[0].record)).toEqual(original);
		expect(record.versions[0].provenance[0]).toMatchObject({path: path.join(fixtures, 'part-2-earlier.json'), position: 1});
		const human = run('event', login.eventId);
		expect(human.status).toBe(0);
		expect(human.stdout).toContain('"MFAUsed": "YES"');
		expect(human.stdout).toContain(record.versions[0].provenance[0].sha256);
		expect(run('event', 'not-an-event').status).toBe(1);
	});
});
