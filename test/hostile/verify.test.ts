import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {beforeAll, describe, expect, it} from 'vitest';
import {useTempDirs} from '../temp-dirs.js';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {readPublicKeys, Signatures} from '../../source/verify/digest.js';
import {verifyCaseFile} from '../../source/verify/index.js';
import {logFile as logFileText, makeZip} from './archives.js';
import {ensureBuilt, runCli} from './cli.js';
import {account, buildTrail, importTrail, type Trail} from './trail.js';

const tempDir = useTempDirs();

function signaturesOf(trail: Trail): Signatures {
	const signatures = new Signatures();
	for (const [key, value] of Object.entries(trail.signatures)) signatures.add(key, value);
	return signatures;
}

async function setUp(change?: (trail: Trail) => void): Promise<{trail: Trail; db: CaseFile; dir: string; file: string}> {
	const dir = tempDir();
	const trail = buildTrail(path.join(dir, 'evidence'));
	change?.(trail);
	const file = path.join(dir, 'case.db');
	const db = openCaseFile(file);
	await importTrail(db, [trail.root]);
	return {trail, db, dir, file};
}

/** Rewrites a gzipped JSON file through `edit`. */
function editGzipJson(file: string, edit: (json: any) => void): void {
	const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
	edit(json);
	fs.writeFileSync(file, zlib.gzipSync(JSON.stringify(json)));
}

describe('verify (library)', () => {
	it('passes an intact trail, and says "signature not verified" without the key', async () => {
		const {db} = await setUp();
		const report = await verifyCaseFile(db);
		expect(report.integrity.ok).toBe(true);
		expect(report.digests.count).toBe(3);
		expect(report.digests.logFiles).toEqual({listed: 3, matched: 3});
		expect(report.digests.missing).toEqual([]);
		expect(report.digests.altered).toEqual([]);
		expect(report.digests.uncovered).toEqual([]);
		expect(report.digests.chain.consistent).toBe(true);
		expect(report.digests.status).toBe('hash chain consistent, signature not verified');
		expect(report.sources.changed).toEqual([]);
		expect(report.ok).toBe(true);
		db.close();
	});

	it('verifies signatures with the public key (PEM or list-public-keys JSON) and the signatures', async () => {
		const {db, trail} = await setUp();
		for (const keyText of [trail.publicKeyPem, trail.listPublicKeysJson]) {
			const report = await verifyCaseFile(db, {publicKeys: readPublicKeys(Buffer.from(keyText)), signatures: signaturesOf(trail)});
			expect(report.digests.signatures.verified).toBe(3);
			expect(report.digests.status).toBe('hash chain consistent, signature verified');
			expect(report.ok).toBe(true);
		}
		const wrongKey = await verifyCaseFile(db, {publicKeys: readPublicKeys(Buffer.from(trail.otherKeyPem)), signatures: signaturesOf(trail)});
		expect(wrongKey.digests.signatures.invalid).toHaveLength(3);
		expect(wrongKey.digests.status).not.toMatch(/signature verified/);
		expect(wrongKey.ok).toBe(false);
		db.close();
	});

	it('catches an evidence file modified after import', async () => {
		const {db, trail} = await setUp();
		fs.appendFileSync(trail.logFiles[1]!, Buffer.from([0]));
		const report = await verifyCaseFile(db);
		expect(report.sources.changed.map(c => c.path)).toEqual([trail.logFiles[1]]);
		expect(report.ok).toBe(false);
		fs.rmSync(trail.logFiles[0]!);
		expect((await verifyCaseFile(db)).sources.notOnDisk.map(n => n.path)).toContain(trail.logFiles[0]);
		db.close();
	});

	it('reports a log file listed in a digest but never imported as missing', async () => {
		let removed = '';
		const {db} = await setUp(trail => {
			fs.rmSync(trail.logFiles[2]!);
			removed = path.relative(trail.root, trail.logFiles[2]!);
		});
		const report = await verifyCaseFile(db);
		expect(report.digests.missing.map(m => m.s3Object)).toEqual([removed]);
		expect(report.ok).toBe(false);
		db.close();
	});

	it('reports a log file whose content differs from the digest as altered', async () => {
		const {db, trail} = await setUp(t => editGzipJson(t.logFiles[0]!, json => (json.Records[0].userIdentity.userName = 'mallory')));
		const report = await verifyCaseFile(db);
		expect(report.digests.altered.map(a => a.path)).toEqual([trail.logFiles[0]]);
		expect(report.digests.missing).toEqual([]);
		expect(report.ok).toBe(false);
		db.close();
	});

	it('reports a broken chain when a digest was altered', async () => {
		const {db, trail} = await setUp(t => editGzipJson(t.digestFiles[0]!, json => (json.newestEventTime = '2024-03-01T10:30:00Z')));
		const report = await verifyCaseFile(db, {publicKeys: readPublicKeys(Buffer.from(trail.publicKeyPem)), signatures: signaturesOf(trail)});
		expect(report.digests.chain.consistent).toBe(false);
		expect(report.digests.chain.problems).toHaveLength(1);
		expect(report.digests.chain.problems[0]!.problem).toMatch(/previousDigestHashValue/);
		// The altered digest's own signature no longer holds either.
		expect(report.digests.signatures.invalid).toHaveLength(1);
		expect(report.digests.status).toMatch(/^hash chain broken/);
		expect(report.ok).toBe(false);
		db.close();
	});

	it('reports a digest deleted from the middle of the chain', async () => {
		const {db} = await setUp(trail => fs.rmSync(trail.digestFiles[1]!));
		const report = await verifyCaseFile(db);
		expect(report.digests.count).toBe(2);
		expect(report.digests.chain.problems).toHaveLength(1);
		expect(report.digests.chain.problems[0]!.problem).toMatch(/digest missing/);
		// Its log file is now listed in no digest.
		expect(report.digests.uncovered).toHaveLength(1);
		expect(report.ok).toBe(false);
		db.close();
	});

	it('reports a delivered log file that no digest lists as uncovered', async () => {
		let extra = '';
		const {db} = await setUp(trail => {
			extra = path.join(path.dirname(trail.logFiles[0]!), `${account}_CloudTrail_us-east-1_20240301T1255Z_ZzZzZzZz12345678.json.gz`);
			fs.copyFileSync(trail.logFiles[0]!, extra);
		});
		const report = await verifyCaseFile(db);
		expect(report.digests.uncovered.map(u => u.path)).toEqual([extra]);
		expect(report.ok).toBe(false);
		db.close();
	});
});

describe('verify on a trail delivered as a zip', () => {
	it('matches digest S3 keys against archive members', async () => {
		const dir = tempDir();
		const trail = buildTrail(path.join(dir, 'tree'));
		const members = [...trail.logFiles, ...trail.digestFiles].map(file => ({name: path.relative(trail.root, file), data: fs.readFileSync(file)}));
		fs.mkdirSync(path.join(dir, 'evidence'));
		const zip = path.join(dir, 'evidence', 'trail.zip');
		// Log file 3 left out of the archive: the digest still lists it.
		fs.writeFileSync(zip, makeZip(members.filter((_, i) => i !== 2)));
		const db = openCaseFile(path.join(dir, 'case.db'));
		await importTrail(db, [zip]);
		const report = await verifyCaseFile(db);
		expect(report.digests.count).toBe(3);
		expect(report.digests.logFiles).toEqual({listed: 3, matched: 2});
		expect(report.digests.missing.map(m => m.s3Object)).toEqual([path.relative(trail.root, trail.logFiles[2]!)]);
		expect(report.digests.altered).toEqual([]);
		expect(report.digests.chain.consistent).toBe(true);
		// Members are re-hashed by reading the archive again.
		expect(report.sources.notRehashed).toEqual([]);
		expect(report.sources.unchanged).toBe(5);
		expect(report.sources.changed).toEqual([]);
		// The archive rewritten with one member altered: that member, and only it, has changed.
		const altered = members.filter((_, i) => i !== 2).map((m, i) => (i === 0 ? {...m, data: zlib.gzipSync(logFileText('swapped'))} : m));
		fs.writeFileSync(zip, makeZip(altered));
		const after = await verifyCaseFile(db);
		expect(after.sources.changed.map(c => c.member)).toEqual([members[0]!.name]);
		expect(after.ok).toBe(false);
		db.close();
	});
});

describe('mfatrail verify (built CLI)', () => {
	beforeAll(() => ensureBuilt(), 180_000);

	it('exits 0 when all holds, 4 with a report otherwise; --json is the report', async () => {
		const {db, trail, dir, file} = await setUp();
		db.close();
		const keyFile = path.join(dir, 'keys.json');
		const signatureFile = path.join(dir, 'signatures.json');
		fs.writeFileSync(keyFile, trail.listPublicKeysJson);
		fs.writeFileSync(signatureFile, JSON.stringify(trail.signatures));

		const plain = runCli(['verify', '--db', file]);
		expect(plain.stderr.toString()).toBe('');
		expect(plain.status).toBe(0);
		expect(plain.stdout.toString()).toContain('digest status: hash chain consistent, signature not verified');
		expect(plain.stdout.toString()).not.toMatch(/signature verified/);

		const signed = runCli(['verify', '--db', file, '--public-key', keyFile, '--signatures', signatureFile]);
		expect(signed.status).toBe(0);
		expect(signed.stdout.toString()).toContain('hash chain consistent, signature verified');

		// The same signatures as a folder: <digest file name>.sig (hex) or .json (s3api head-object output).
		const folder = path.join(dir, 'signatures');
		fs.mkdirSync(folder);
		Object.entries(trail.signatures).forEach(([key, hex], i) => {
			const name = path.basename(key);
			if (i % 2 === 0) fs.writeFileSync(path.join(folder, `${name}.sig`), `${hex}\n`);
			else fs.writeFileSync(path.join(folder, `${name}.json`), JSON.stringify({ContentType: 'application/json', Metadata: {signature: hex}}));
		});
		const pem = path.join(dir, 'key.pem');
		fs.writeFileSync(pem, trail.publicKeyPem);
		const fromFolder = runCli(['verify', '--db', file, '--public-key', pem, '--signatures', folder]);
		expect(fromFolder.stdout.toString()).toContain('hash chain consistent, signature verified');
		expect(fromFolder.status).toBe(0);

		fs.appendFileSync(trail.logFiles[0]!, '\n');
		const changed = runCli(['verify', '--db', file, '--json']);
		expect(changed.status).toBe(4);
		const report = JSON.parse(changed.stdout.toString());
		expect(report.ok).toBe(false);
		expect(report.sources.changed[0].path).toBe(trail.logFiles[0]);
		const human = runCli(['verify', '--db', file]);
		expect(human.status).toBe(4);
		expect(human.stdout.toString()).toMatch(/CHANGED .*CloudTrail_us-east-1_20240301T1005Z/);
	});
});
