/**
 * scope manifest: Athena's result CSV to a download plan (objects + the digests of their hours), the
 * plan's script run against a local mirror of the bucket (a stand-in `aws` on PATH copies what
 * `aws s3 cp` would), then import and verify on what was downloaded: the digests prove the
 * selected objects, and the files they list that the query did not choose are outside the scope.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {caseScope, recordScope} from '../../source/db/scope.js';
import {importEvidence} from '../../source/pipeline.js';
import {verifyCaseFile} from '../../source/verify/index.js';
import {scopeSql} from '../../source/scope/sql.js';
import {buildTrail} from '../hostile/trail.js';
import {repoRoot} from '../import/helpers.js';
import {useTempDirs} from '../temp-dirs.js';

const tempDir = useTempDirs();
const cli = path.join(repoRoot, 'dist', 'cli.js');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'scope');

function mfatrail(args: string[], cwd = repoRoot) {
	return spawnSync(process.execPath, [cli, ...args], {encoding: 'utf8', cwd});
}

/** `aws s3 cp` over a local folder holding the bucket's keys: single objects, and --recursive with --exclude '*' --include P… */
function fakeAws(bin: string): void {
	fs.mkdirSync(bin, {recursive: true});
	const script = `#!${process.execPath}
const fs = require('fs'), path = require('path');
const [s3, cp, src, dest, ...rest] = process.argv.slice(2);
if (s3 !== 's3' || cp !== 'cp') process.exit(2);
const key = src.replace(/^s3:\\/\\/[^/]+\\//, '');
const from = path.join(process.env.FAKE_BUCKET, key);
if (!rest.includes('--recursive')) { fs.mkdirSync(path.dirname(dest), {recursive: true}); fs.copyFileSync(from, dest); process.exit(0); }
const includes = [];
for (let i = 0; i < rest.length; i++) if (rest[i] === '--include') includes.push(rest[++i]);
const glob = p => new RegExp('^' + p.replace(/[.+?^$\{}()|[\\]\\\\]/g, '\\\\$&').replace(/\\*/g, '.*') + '$');
if (!fs.existsSync(from)) process.exit(0);
for (const name of fs.readdirSync(from)) if (includes.some(p => glob(p).test(name))) { fs.mkdirSync(dest, {recursive: true}); fs.copyFileSync(path.join(from, name), path.join(dest, name)); }
`;
	fs.writeFileSync(path.join(bin, 'aws'), script, {mode: 0o755});
}

function filesUnder(root: string): string[] {
	const out: string[] = [];
	const walk = (dir: string) => {
		for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
			if (e.isDirectory()) walk(path.join(dir, e.name));
			else out.push(path.relative(root, path.join(dir, e.name)));
		}
	};
	walk(root);
	return out.sort();
}

describe('scope manifest', () => {
	it('lists the objects and their digests; the tree downloaded by the plan imports as a scoped extract and passes verify', () => {
		const bucket = tempDir();
		const trail = buildTrail(bucket);
		const work = tempDir();
		const sqlFile = path.join(work, 'scope.sql');
		fs.writeFileSync(sqlFile, scopeSql({since: '2024-03-01', until: '2024-03-01T23:59:59Z'}));
		const plan = path.join(work, 'plan.sh');
		const made = mfatrail(['scope', 'manifest', path.join(fixtures, 'athena-result.csv'), '--sql', sqlFile, '--out', plan]);
		expect(made.stderr).toMatch(/^2 objects and 1 digest folders: wrote /);
		expect(made.status).toBe(0);

		// The plain list: the two objects, then the digests of their hours (10 and 11) and the hours after.
		const list = fs.readFileSync(path.join(work, 'plan.txt'), 'utf8').trim().split('\n');
		const digestFolder = 's3://trail-bucket/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/01/';
		expect(list).toEqual([
			...fs.readFileSync(path.join(fixtures, 'athena-result.csv'), 'utf8').trim().split('\n').slice(1).map(l => JSON.parse(l) as string),
			...['10', '11', '12'].map(h => `${digestFolder}111122223333_CloudTrail-Digest_us-east-1_*_20240301T${h}*`),
		]);
		const script = fs.readFileSync(plan, 'utf8');
		expect(script.split('\n').filter(l => l.startsWith('aws s3 cp '))).toHaveLength(3);

		// Run the plan against the bucket's mirror.
		const bin = path.join(work, 'bin');
		fakeAws(bin);
		const dest = path.join(work, 'evidence');
		const ran = spawnSync('sh', [plan, dest], {encoding: 'utf8', env: {...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_BUCKET: bucket}});
		expect(ran.stderr).toBe('');
		expect(ran.status).toBe(0);
		const keys = (files: string[]) => files.map(f => path.relative(bucket, f));
		expect(filesUnder(dest)).toEqual([...keys([trail.logFiles[0], trail.logFiles[2]]), ...keys(trail.digestFiles.slice(0, 2)), 'mfatrail-scope.json'].sort());

		// Import finds the scope file at the folder's root and records it.
		const db = path.join(work, 'case.db');
		const imported = mfatrail(['import', dest, '--db', db]);
		expect(imported.status).toBe(0);
		expect(imported.stderr).toContain('scoped extract: recorded');
		const c = openCaseFile(db, {readonly: true});
		expect(caseScope(c)).toEqual([
			expect.objectContaining({engine: 'athena', query: fs.readFileSync(sqlFile, 'utf8'), accounts: ['111122223333'], regions: ['us-east-1'], since: '2024-03-01T00:00:00Z', until: '2024-03-01T23:59:59Z'}),
		]);
		c.close();

		// The digests prove both objects, signatures included; the unselected log file is outside the scope.
		fs.writeFileSync(path.join(work, 'key.pem'), trail.publicKeyPem);
		fs.writeFileSync(path.join(work, 'signatures.json'), JSON.stringify(trail.signatures));
		const verified = mfatrail(['verify', '--db', db, '--json', '--public-key', path.join(work, 'key.pem'), '--signatures', path.join(work, 'signatures.json')]);
		expect(verified.status).toBe(0);
		const report = JSON.parse(verified.stdout) as {ok: boolean; digests: {count: number; missing: unknown[]; outsideScope: number; logFiles: {matched: number}; status: string}};
		expect(report.digests).toMatchObject({count: 2, missing: [], outsideScope: 1, logFiles: {matched: 2}, status: 'hash chain consistent, signature verified'});
		expect(mfatrail(['verify', '--db', db]).stdout).toContain('scoped extract: 1 listed log files lie outside');

		// Without its scope the same download is an incomplete trail: verify says what is missing.
		fs.rmSync(path.join(dest, 'mfatrail-scope.json'));
		const unscoped = path.join(work, 'unscoped.db');
		expect(mfatrail(['import', dest, '--db', unscoped]).status).toBe(0);
		const failed = mfatrail(['verify', '--db', unscoped, '--json']);
		expect(failed.status).toBe(4);
		expect((JSON.parse(failed.stdout) as {digests: {missing: {s3Object: string}[]}}).digests.missing.map(m => m.s3Object)).toEqual([path.relative(bucket, trail.logFiles[1])]);
	});

	it('in a scoped extract a gap in the digest chain starts a segment; unscoped it is a missing digest', async () => {
		const bucket = tempDir();
		const trail = buildTrail(bucket);
		const report = async (scoped: boolean) => {
			const db = openCaseFile(path.join(tempDir(), 'case.db'));
			try {
				if (scoped) recordScope(db, {engine: 'athena', query: '', accounts: [], regions: [], since: null, until: null, objects: [path.relative(bucket, trail.logFiles[0]), path.relative(bucket, trail.logFiles[1])], origin: null, sha256: 'f'.repeat(64)});
				// The digests of hours 11 and 13, not 12: downloaded for objects hours apart.
				await importEvidence(db, [trail.logFiles[0], trail.logFiles[1], trail.digestFiles[0], trail.digestFiles[2]], {workers: 0});
				return await verifyCaseFile(db);
			} finally {
				db.close();
			}
		};
		const scoped = await report(true);
		expect(scoped.digests.chain).toMatchObject({consistent: true, problems: []});
		expect(scoped.digests.chain.starts).toHaveLength(2);
		expect(scoped.digests.status).toBe('hash chain consistent in 2 segments (scoped extract), signature not verified');
		expect(scoped.ok).toBe(true);
		const unscoped = await report(false);
		expect(unscoped.digests.chain.problems.map(p => p.problem)).toEqual([expect.stringMatching(/digest missing/)]);
		expect(unscoped.ok).toBe(false);
	});

	it('takes a plain list of URIs as well, and prints the script without --out', () => {
		const work = tempDir();
		const listFile = path.join(work, 'uris.txt');
		fs.writeFileSync(listFile, fs.readFileSync(path.join(fixtures, 'outside-layout.txt'), 'utf8').split('\n')[0] + '\n');
		const made = mfatrail(['scope', 'manifest', listFile]);
		expect(made.status).toBe(0);
		expect(made.stdout).toMatch(/^#!\/bin\/sh\n/);
		expect(made.stdout).toContain("aws s3 cp 's3://trail-bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T1005Z_AbCdEfGh12345678.json.gz'");
		expect(made.stderr).toContain('no --sql given');
	});

	it('scope local writes hostile file names escaped', () => {
		const root = tempDir();
		const name = 'evil\u001b]0;PWNED\u0007\u202e.json';
		const dir = path.join(root, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2024', '03', '01');
		fs.mkdirSync(dir, {recursive: true});
		const login = {eventVersion: '1.08', eventTime: '2024-03-01T10:00:00Z', eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', eventID: 'e-1', userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/x', accountId: '111122223333'}, recipientAccountId: '111122223333'};
		fs.writeFileSync(path.join(dir, name), JSON.stringify({Records: [login]}));
		const result = mfatrail(['scope', 'local', root]);
		expect(result.status).toBe(0);
		expect(result.stdout).toContain('evil\\x1b]0;PWNED');
		expect(result.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
	});

	it('bad input gets one clear line and exit 2 (usage): no path column, a URI outside the bucket layout, an unknown table name', () => {
		const cases: [string[], RegExp][] = [
			[['scope', 'manifest', path.join(fixtures, 'no-path-column.csv')], /no-path-column\.csv: no path column \(columns: "eventname", "count"\)/],
			[['scope', 'manifest', path.join(fixtures, 'outside-layout.txt')], /outside-layout\.txt line 2: "s3:\/\/trail-bucket\/exports\/cloudtrail\/2024-03-01\/part-0001\.json\.gz" is not a CloudTrail log object in the bucket layout/],
			[['scope', 'sql', '--table', 'my trail'], /unknown table name "my trail"/],
			[['scope', 'local', path.join(repoRoot, 'samples', 'AWSLogs'), '--table', 'cloudtrail-logs'], /unknown table name "cloudtrail-logs"/],
			[['scope', 'sql', '--form', 'hive'], /unknown --form "hive"/],
		];
		for (const [args, message] of cases) {
			const result = mfatrail(args);
			expect(result.status, args.join(' ')).toBe(2);
			expect(result.stderr).toMatch(message);
			expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
		}
	});
});
