import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import {afterAll, describe, expect, it} from 'vitest';
import {buildSampleFiles, lookupEventsPath, zipPath} from '../../source/bench/write-samples.js';
import {generateArchive} from '../../source/bench/generate.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const samplesDir = path.join(repoRoot, 'samples');
const s3Name = /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_CloudTrail_\2_\3\4\5T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/;
const temp: string[] = [];

afterAll(() => {
	for (const dir of temp) fs.rmSync(dir, {recursive: true, force: true});
});

function filesUnder(dir: string, base = dir): string[] {
	return fs.readdirSync(dir, {withFileTypes: true}).flatMap(d => {
		const full = path.join(dir, d.name);
		return d.isDirectory() ? filesUnder(full, base) : [path.relative(base, full).split(path.sep).join('/')];
	});
}

/** Member name → decompressed bytes. */
function zipMembers(data: Buffer): Promise<Map<string, Buffer>> {
	return new Promise((resolve, reject) => {
		yauzl.fromBuffer(data, {lazyEntries: true}, (error, zip) => {
			if (error || !zip) return reject(error);
			const members = new Map<string, Buffer>();
			zip.on('entry', (entry: yauzl.Entry) => {
				zip.openReadStream(entry, (e, stream) => {
					if (e || !stream) return reject(e);
					const chunks: Buffer[] = [];
					stream.on('data', (c: Buffer) => chunks.push(c));
					stream.on('end', () => {
						members.set(entry.fileName, Buffer.concat(chunks));
						zip.readEntry();
					});
				});
			});
			zip.on('end', () => resolve(members));
			zip.on('error', reject);
			zip.readEntry();
		});
	});
}

function records(gz: Buffer): Record<string, unknown>[] {
	return (JSON.parse(zlib.gunzipSync(gz).toString('utf8')) as {Records: Record<string, unknown>[]}).Records;
}

describe('samples/', () => {
	const built = buildSampleFiles();
	const byPath = new Map(built.map(f => [f.path, f.data]));

	it('holds exactly the files the story builders write (run node dist/bench/write-samples.js after changing them)', async () => {
		const onDisk = filesUnder(samplesDir).filter(p => p !== 'README.md').sort();
		expect(onDisk).toEqual([...byPath.keys()].sort());
		for (const file of onDisk) {
			const disk = fs.readFileSync(path.join(samplesDir, file));
			const fresh = byPath.get(file)!;
			// The evidence content must match byte for byte; gzip/deflate streams are compared
			// after decompression, since another zlib build may encode the same bytes differently.
			if (file.endsWith('.gz')) expect(zlib.gunzipSync(disk).equals(zlib.gunzipSync(fresh)), file).toBe(true);
			else if (file.endsWith('.zip')) {
				const [a, b] = [await zipMembers(disk), await zipMembers(fresh)];
				expect([...a.keys()]).toEqual([...b.keys()]);
				for (const [name, data] of a) expect(data.equals(b.get(name)!), name).toBe(true);
			} else expect(disk.equals(fresh), file).toBe(true);
		}
	});

	it('lays the trail out as S3 delivers it, with unique event IDs inside the evidence window', async () => {
		const logFiles = built.filter(f => f.path.startsWith('AWSLogs/'));
		expect(logFiles.length).toBeGreaterThan(50);
		const ids = new Set<string>();
		let count = 0;
		const regions = new Set<string>();
		for (const f of logFiles) {
			const m = s3Name.exec(f.path);
			expect(m, f.path).not.toBeNull();
			regions.add(m![2]);
			for (const r of records(f.data)) {
				count++;
				ids.add(r['eventID'] as string);
				expect(r['recipientAccountId']).toBe(m![1]);
				expect(r['awsRegion']).toBe(m![2]);
				const time = r['eventTime'] as string;
				// The seed stories run 2022-11 … 2023-06; the stories of issue 11 (AssumeRoot, passkeys, …) 2024-03 … 2025-09.
				expect(time >= '2022-11-01' && time < '2026-01-01').toBe(true);
				// Delivered at or after the event: the folder date is the delivery date.
				expect(`${m![3]}-${m![4]}-${m![5]}` >= (r['eventTime'] as string).slice(0, 10)).toBe(true);
			}
		}
		const zipped = await zipMembers(byPath.get(zipPath)!);
		for (const [name, data] of zipped) {
			const text = name.endsWith('.gz') ? zlib.gunzipSync(data).toString('utf8') : data.toString('utf8');
			for (const r of (JSON.parse(text) as {Records: Record<string, unknown>[]}).Records) {
				count++;
				ids.add(r['eventID'] as string);
				expect(r['recipientAccountId']).toBe('210987654321');
			}
		}
		expect(ids.size).toBe(count);
		expect(count).toBeGreaterThan(300);
		expect(count).toBeLessThan(600);
		expect(regions.size).toBeGreaterThanOrEqual(4);
	});

	it('quotes in lookup-events exactly the records of the S3 files, so they deduplicate', () => {
		const texts = new Set<string>();
		for (const f of built.filter(x => x.path.startsWith('AWSLogs/'))) for (const r of records(f.data)) texts.add(JSON.stringify(r));
		const lookup = JSON.parse(byPath.get(lookupEventsPath)!.toString('utf8')) as {Events: {EventId: string; CloudTrailEvent: string; EventTime: string}[]};
		expect(lookup.Events.length).toBeGreaterThanOrEqual(5);
		for (const e of lookup.Events) {
			expect(texts.has(e.CloudTrailEvent)).toBe(true);
			expect((JSON.parse(e.CloudTrailEvent) as {eventID: string}).eventID).toBe(e.EventId);
			expect(e.EventTime).toMatch(/\+01:00$/);
		}
	});

	it('tells the stories: the bulletin, the removed root device, the FIDO key, the hardware token', () => {
		const all = built.filter(f => f.path.startsWith('AWSLogs/')).flatMap(f => records(f.data));
		const find = (name: string, test: (r: Record<string, unknown>) => boolean) => all.filter(r => r['eventName'] === name && test(r));
		const params = (r: Record<string, unknown>) => (r['requestParameters'] ?? {}) as Record<string, unknown>;
		const enableBackup = find('EnableMFADevice', r => params(r)['serialNumber'] === 'arn:aws:iam::123456789012:mfa/alice-backup');
		expect(enableBackup).toHaveLength(1);
		const who = enableBackup[0]['userIdentity'] as Record<string, unknown>;
		expect(who['accessKeyId']).toMatch(/^AKIA/);
		expect(who['sessionContext']).toBeUndefined();
		expect(enableBackup[0]['userAgent']).toContain('md/command#iam.enable-mfa-device');
		expect(find('GetSessionToken', r => params(r)['serialNumber'] === 'arn:aws:iam::123456789012:mfa/alice-backup')).toHaveLength(1);
		expect(find('DeleteVirtualMFADevice', r => params(r)['serialNumber'] === 'arn:aws:iam::123456789012:mfa/root-account-mfa-device')[0]['sourceIPAddress']).toBe('AWS Internal');
		const rootFailures = find('ConsoleLogin', r => (r['userIdentity'] as {type: string}).type === 'Root' && r['errorMessage'] === 'Failed authentication');
		expect(rootFailures.length).toBeGreaterThanOrEqual(1);
		expect(find('ConsoleLogin', r => (r['additionalEventData'] as {MFAUsed: string}).MFAUsed === 'YES').length).toBeGreaterThan(0);
		expect(find('ConsoleLogin', r => String((r['additionalEventData'] as {MFAIdentifier?: string}).MFAIdentifier).includes('u2f/user/carol/carol-yubikey-ABCDEFGHIJKLMNOPQRSTUVWXYZ')).length).toBe(3);
		expect(find('EnableMFADevice', r => params(r)['serialNumber'] === 'GAHT12345678')).toHaveLength(1);
		const burst = find('ConsoleLogin', r => (r['userIdentity'] as {userName?: string}).userName === 'bob' && r['errorMessage'] === 'Failed authentication');
		expect(burst.length).toBeGreaterThanOrEqual(5);
		expect(find('EnableMFADevice', r => r['errorCode'] === 'AccessDenied' && r['requestParameters'] === null)[0]['eventTime'] as string > '2023-04-21').toBe(true);
	});
});

describe('the synthetic archive generator', () => {
	it('writes exactly N events as gzipped {"Records":[…]} files in the S3 layout', async () => {
		const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
		temp.push(out);
		const stats = await generateArchive({events: 2000, out, seed: 'test'});
		const files = filesUnder(out);
		expect(stats.events).toBe(2000);
		expect(files.length).toBe(stats.files);
		const ids = new Set<string>();
		let count = 0;
		let bytes = 0;
		for (const file of files) {
			expect(file, file).toMatch(s3Name);
			const gz = fs.readFileSync(path.join(out, file));
			bytes += zlib.gunzipSync(gz).length;
			const list = records(gz);
			expect(list.length).toBeGreaterThan(0);
			for (const r of list) {
				count++;
				ids.add(r['eventID'] as string);
				expect(typeof r['eventTime']).toBe('string');
			}
		}
		expect(count).toBe(2000);
		expect(ids.size).toBe(2000);
		expect(bytes).toBe(stats.uncompressedBytes);
		// Realistic record sizes and ~25 records per file.
		expect(bytes / count).toBeGreaterThan(900);
		expect(bytes / count).toBeLessThan(1600);
		expect(count / files.length).toBeGreaterThan(15);
	});
});
