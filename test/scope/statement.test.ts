/**
 * The Athena statement: a Trino parser accepts it in every table form, it names every MFA-relevant
 * event of the one list, and the same text run on DuckDB selects what it should: every file with
 * an MFA-relevant record (checked record by record with the importer's own test) and the context
 * the window promises, nothing beyond it.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import pkg from 'node-sql-parser';
import {describe, expect, it} from 'vitest';
import {isMfaRelevantEvent, mfaEventSelection} from '../../source/domain/mfa-events.js';
import {runLocal} from '../../source/scope/local.js';
import {contextWindow, scopeSql, statementOptions, type ScopeOptions} from '../../source/scope/sql.js';
import {useTempDirs} from '../temp-dirs.js';
import {repoRoot} from '../import/helpers.js';

const {Parser} = pkg;
const tempDir = useTempDirs();
const samples = path.join(repoRoot, 'samples', 'AWSLogs');

const variants: ScopeOptions[] = [
	{},
	{form: 'projection', since: '2023-01-01T00:00:00Z', until: '2023-03-31T23:59:59Z'},
	{form: 'org', table: 'security.org_trail', since: '2023-02-01', accounts: ['123456789012', '210987654321'], regions: ['us-east-1', 'eu-west-1']},
	{form: 'console', until: '2023-06-30', regions: ['us-west-2']},
];

describe('scope sql: the Athena statement', () => {
	it.each(variants)('a Trino-dialect parser accepts it and it returns one column, path (%j)', options => {
		const sql = scopeSql(options);
		for (const database of ['trino', 'athena']) {
			const ast = new Parser().astify(sql, {database});
			const select = (Array.isArray(ast) ? ast[0] : ast) as unknown as {type: string; columns: {as: string | null; expr: {column?: unknown}}[]; with: unknown[]};
			expect(select.type).toBe('select');
			expect(select.with).toHaveLength(3);
			expect(select.columns).toHaveLength(1);
			expect(JSON.stringify(select.columns[0].expr)).toContain('path');
		}
		expect(statementOptions(sql)).toMatchObject({form: options.form ?? 'console'});
	});

	it('the parser does reject broken text (the check above can fail)', () => {
		const broken = scopeSql().replace(') AS selected', '');
		expect(() => new Parser().astify(broken, {database: 'trino'})).toThrow();
	});

	it('names every event source and name of the one list, and the partition predicates of its form', () => {
		const sql = scopeSql(variants[2]);
		const selection = mfaEventSelection();
		for (const source of selection.wholeSources) expect(sql).toContain(`'${source}'`);
		for (const {source, names} of selection.bySource) {
			expect(sql).toContain(`'${source}'`);
			for (const name of names) expect(sql).toContain(`'${name}'`);
		}
		for (const c of selection.conditional) expect(sql).toContain(`'${c.name}'`);
		expect(sql).toContain(`FROM security.org_trail`);
		expect(sql).toContain(`"timestamp" >= '2023/02/01'`);
		// The context scan reaches back the denied-calls window.
		expect(sql).toContain(`"timestamp" >= '2023/01/02'`);
		expect(sql).toContain(`account IN ('123456789012', '210987654321')`);
		expect(scopeSql()).not.toContain('"timestamp"');
	});

	it('an unknown table name, account or region is refused in one line', () => {
		expect(() => scopeSql({table: 'cloud-trail logs'})).toThrow(/^unknown table name "cloud-trail logs"/);
		expect(() => scopeSql({accounts: ['12345']})).toThrow(/not an AWS account ID/);
		expect(() => scopeSql({regions: ['mars']})).toThrow(/not an AWS region/);
	});

	it('docs/organisation-scale.md shows the statement exactly as the generator writes it', () => {
		const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'organisation-scale.md'), 'utf8');
		const shown = /<!-- scope-sql -->\n```sql\n([\s\S]*?)```/.exec(doc);
		expect(shown, 'docs/organisation-scale.md has the statement after <!-- scope-sql -->').not.toBeNull();
		expect(shown![1]).toBe(scopeSql());
	});
});

/** Every record of the log files under a folder, with its file. */
function records(root: string): {file: string; record: Record<string, unknown>}[] {
	const out: {file: string; record: Record<string, unknown>}[] = [];
	const walk = (dir: string) => {
		for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
			const file = path.join(dir, e.name);
			if (e.isDirectory()) walk(file);
			else if (e.name.endsWith('.json.gz')) for (const record of (JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as {Records: Record<string, unknown>[]}).Records) out.push({file, record});
		}
	};
	walk(root);
	return out;
}

describe('scope local: the same text on DuckDB', () => {
	it('selects every file holding an MFA-relevant record of the samples (the importer\'s test, record by record), and fewer than all', async () => {
		const all = records(samples);
		const mfaFiles = new Set(all.filter(r => isMfaRelevantEvent(r.record.eventSource as string, r.record.eventName as string, r.record.requestParameters)).map(r => r.file));
		const run = await runLocal(scopeSql(), [samples]);
		const files = new Set(all.map(r => r.file));
		expect(run.considered).toBe(files.size);
		expect(mfaFiles.size).toBeGreaterThan(10);
		for (const file of mfaFiles) expect(run.selected).toContain(file);
		expect(run.selected.length).toBeLessThan(files.size);
		expect([...run.selected].sort()).toEqual(run.selected);
	});

	it('serves the partition columns from the S3 layout, as the projection does', async () => {
		const day = '2023/03/05';
		const run = await runLocal(`SELECT DISTINCT "$path" AS path FROM cloudtrail_logs WHERE "timestamp" = '${day}' AND account = '123456789012' AND region = 'eu-west-1' ORDER BY path`, [samples]);
		const expected = fs
			.readdirSync(path.join(samples, '123456789012', 'CloudTrail', 'eu-west-1', ...day.split('/')))
			.map(name => path.join(samples, '123456789012', 'CloudTrail', 'eu-west-1', ...day.split('/'), name))
			.sort();
		expect(run.selected).toEqual(expected);
	});

	it('the time bounds narrow the selection to files of that range (with the context reaching back)', async () => {
		const all = await runLocal(scopeSql(), [samples]);
		const bounded = await runLocal(scopeSql({form: 'projection', since: '2023-03-01', until: '2023-03-31T23:59:59Z'}), [samples]);
		expect(bounded.selected.length).toBeGreaterThan(0);
		expect(bounded.selected.length).toBeLessThan(all.selected.length);
		for (const file of bounded.selected) expect(file).toMatch(/\/2023\/(01|02|03|04)\/\d\d\//);
	});

	it('keeps the context the window promises, and nothing outside it', async () => {
		const root = tempDir();
		const account = '111122223333';
		const user = `arn:aws:iam::${account}:user/dana`;
		const minted = 'ASIAMINTEDKEY0000001';
		let n = 0;
		const event = (time: string, extra: Record<string, unknown>) => ({
			eventVersion: '1.08',
			userIdentity: {type: 'IAMUser', principalId: 'AIDADANA', arn: user, accountId: account, accessKeyId: 'AKIADANA000000000001', userName: 'dana'},
			eventTime: time,
			eventSource: 'ec2.amazonaws.com',
			eventName: 'DescribeInstances',
			awsRegion: 'us-east-1',
			sourceIPAddress: '198.51.100.20',
			eventID: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
			recipientAccountId: account,
			...extra,
		});
		const other = {type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/app/i-0abc`, accountId: account, accessKeyId: 'ASIAOTHER00000000001'};
		const files: Record<string, Record<string, unknown>[]> = {
			seed: [event('2024-05-10T12:00:00Z', {eventSource: 'sts.amazonaws.com', eventName: 'GetSessionToken', requestParameters: {serialNumber: `arn:aws:iam::${account}:mfa/dana`, durationSeconds: 129600}, responseElements: {credentials: {accessKeyId: minted}}})],
			mintedNextDay: [event('2024-05-11T20:00:00Z', {userIdentity: {type: 'IAMUser', arn: user, accountId: account, accessKeyId: minted, userName: 'dana'}})],
			mintedTooLate: [event('2024-05-13T12:00:00Z', {userIdentity: {type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/x/y`, accountId: account, accessKeyId: minted}})],
			deniedBefore: [event('2024-04-25T09:00:00Z', {errorCode: 'AccessDenied', eventName: 'TerminateInstances'})],
			allowedBefore: [event('2024-04-25T09:00:00Z', {})],
			sameUserHourBefore: [event('2024-05-10T11:00:00Z', {})],
			unrelated: [event('2024-05-10T12:05:00Z', {userIdentity: other})],
		};
		const paths: Record<string, string> = {};
		for (const [name, recs] of Object.entries(files)) {
			const date = String(recs[0].eventTime).slice(0, 10).replaceAll('-', '/');
			const file = path.join(root, 'AWSLogs', account, 'CloudTrail', 'us-east-1', ...date.split('/'), `${account}_CloudTrail_us-east-1_${name}.json.gz`);
			fs.mkdirSync(path.dirname(file), {recursive: true});
			fs.writeFileSync(file, zlib.gzipSync(JSON.stringify({Records: recs})));
			paths[name] = file;
		}
		const run = await runLocal(scopeSql(), [root]);
		const chosen = Object.entries(paths).filter(([, file]) => run.selected.includes(file)).map(([name]) => name).sort();
		expect(chosen).toEqual(['deniedBefore', 'mintedNextDay', 'sameUserHourBefore', 'seed']);
		expect(contextWindow).toEqual({beforeHours: 24, afterHours: 36, deniedDays: 30});
	});

	it('a file DuckDB cannot parse is set aside, named, and selected anyway (import says what is wrong)', async () => {
		const malformed = path.join(repoRoot, 'test', 'fixtures', 'realdata', 'malformed');
		const clean = await runLocal(scopeSql(), [samples]);
		const run = await runLocal(scopeSql(), [malformed, samples]);
		expect(run.unreadable.length).toBeGreaterThan(0);
		for (const u of run.unreadable) {
			expect(u.file.startsWith(malformed)).toBe(true);
			expect(u.reason).toMatch(/Malformed JSON|JSON/);
		}
		expect(run.selected).toEqual([...clean.selected, ...run.unreadable.map(u => u.file)].sort());
	});

	it('a statement over another table, or without a path column, fails in one line', async () => {
		await expect(runLocal('SELECT "$path" AS path FROM org_trail', [samples])).rejects.toThrow(/^unknown table name org_trail: scope local serves the tree as cloudtrail_logs/);
		await expect(runLocal('SELECT DISTINCT eventname FROM cloudtrail_logs', [samples])).rejects.toThrow(/must return a column named path/);
		await expect(runLocal(scopeSql(), [tempDir()])).rejects.toThrow(/no CloudTrail log files/);
	});
});
