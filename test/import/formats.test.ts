import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {afterEach, describe, expect, it} from 'vitest';
import {decodeFacts} from '../../source/db/facts-codec.js';
import {makeTar, makeZip, newCase, realdata, record, write, type Case} from './helpers.js';

let c: Case;
afterEach(() => c?.close());

const sources = (c: Case) => c.db.prepare('SELECT * FROM source ORDER BY id').all() as Record<string, unknown>[];

describe('import formats, recognised by content', () => {
	it('reads a {"Records":[…]} log in the S3 layout (org trail level too), keeping each record text exactly', async () => {
		c = newCase();
		const text = `{"Records":[\n  ${JSON.stringify(record('e-1'))},\n  {"eventID":"e-2", "eventTime":"2024-03-01T10:00:01Z" ,"eventName":"ListUsers"}\n]}`;
		write(c.dir, 'AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T1000Z_x.json.gz', zlib.gzipSync(text));
		const summary = await c.run([path.join(c.dir, 'AWSLogs')]);
		expect(summary.records).toMatchObject({seen: 2, inserted: 2, rejected: 0});
		const events = c.events();
		expect(events.map(e => e.raw)).toEqual([JSON.stringify(record('e-1')), '{"eventID":"e-2", "eventTime":"2024-03-01T10:00:01Z" ,"eventName":"ListUsers"}']);
		expect(sources(c)[0]).toMatchObject({format: 'cloudtrail-log', status: 'imported', record_count: 2, first_event_time: '2024-03-01T10:00:00Z', last_event_time: '2024-03-01T10:00:01Z'});
	});

	it('stores digest files as digests: neither records nor errors', async () => {
		c = newCase();
		const digest = {
			awsAccountId: '111122223333',
			digestStartTime: '2024-03-01T09:00:00Z',
			digestEndTime: '2024-03-01T10:00:00Z',
			digestS3Bucket: 'trail-bucket',
			digestS3Object: 'AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2024/03/01/x.json.gz',
			previousDigestHashValue: 'abc',
			logFiles: [],
		};
		write(c.dir, 'CloudTrail-Digest/d.json.gz', zlib.gzipSync(JSON.stringify(digest)));
		const summary = await c.run([c.dir]);
		expect(summary).toMatchObject({files: {seen: 1, imported: 1, rejected: 0}, records: {seen: 0}, errors: []});
		expect(c.db.prepare('SELECT account_id, region, previous_hash FROM digest').get()).toEqual({account_id: '111122223333', region: 'eu-west-1', previous_hash: 'abc'});
		expect(sources(c).find(s => s.format === 'digest')).toMatchObject({status: 'digest'});
	});

	it('reads lookup-events pages: the CloudTrailEvent string is the record, its eventTime the truth; NextToken noted', async () => {
		c = newCase();
		const inner = JSON.stringify(record('l-1', {eventTime: '2024-03-01T10:00:00Z'}));
		const page = {Events: [{EventId: 'l-1', EventName: 'ListMFADevices', EventTime: 1709287200.0 + 3600, CloudTrailEvent: inner}], NextToken: 'tok'};
		const file = write(c.dir, 'lookup.json', JSON.stringify(page, null, 2));
		await c.run([file]);
		const [event] = c.events();
		expect(event.raw).toBe(inner);
		expect(event.event_time).toBe('2024-03-01T10:00:00Z');
		expect(JSON.parse(sources(c)[0].notes as string).join(' ')).toMatch(/NextToken/);
		expect(sources(c)[0].format).toBe('lookup-events');
	});

	it('reads lookup-events Event objects one per line (plaso) and several pages in one file', async () => {
		c = newCase();
		const file = path.join(realdata, 'native', 'plaso', 'aws_cloudtrail.jsonl');
		const summary = await c.run([file]);
		expect(summary.records).toMatchObject({seen: 6, inserted: 6, rejected: 0});
		const first = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]);
		expect(c.events()[0].raw).toBe(first.CloudTrailEvent);
		const pages = [1, 2].map(n => JSON.stringify({Events: [{CloudTrailEvent: JSON.stringify(record(`p-${n}`))}]}, null, 1)).join('\n');
		const c2 = newCase();
		const s2 = await c2.run([write(c2.dir, 'pages.json', pages)]);
		expect(s2.records).toMatchObject({inserted: 2, rejected: 0});
		c2.close();
	});

	it('reads bare arrays, single records and EventBridge envelopes (the record is the detail text)', async () => {
		c = newCase();
		write(c.dir, 'a/array.json', `[${JSON.stringify(record('a-1'))}, ${JSON.stringify(record('a-2'))}]`);
		write(c.dir, 'b/single.json', JSON.stringify(record('s-1'), null, 2));
		const detail = JSON.stringify(record('eb-1'), null, 4);
		write(c.dir, 'c/envelope.json', `{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail": ${detail}\n}`);
		const summary = await c.run([c.dir]);
		expect(summary.records).toMatchObject({inserted: 4, rejected: 0});
		expect(sources(c).map(s => s.format)).toEqual(['record-array', 'single-record', 'eventbridge']);
		expect(c.events().find(e => e.event_id === 'eb-1')!.raw).toBe(detail);
		expect(c.events().find(e => e.event_id === 's-1')!.raw).toBe(JSON.stringify(record('s-1'), null, 2));
	});

	it('reads JSON Lines, plain and gzipped, with a bad line rejected alone', async () => {
		c = newCase();
		const lines = [JSON.stringify(record('j-1')), '{"eventID": "j-bad", ', JSON.stringify(record('j-2'))].join('\n');
		write(c.dir, 'x.jsonl', lines);
		write(c.dir, 'y.jsonl.gz', zlib.gzipSync(JSON.stringify(record('j-3')) + '\n'));
		const summary = await c.run([c.dir]);
		expect(summary.records).toMatchObject({seen: 4, inserted: 3, rejected: 1});
		expect(summary.errors[0].source).toMatch(/x\.jsonl line 2$/);
		expect(c.events().map(e => e.raw)).toContain(JSON.stringify(record('j-2')));
	});

	it('reads the console Event history CSV as partial events, the row kept as a JSON object of its columns', async () => {
		c = newCase();
		const csv = [
			'Event ID,Event time,User name,Event name,Resource type,Resource name,AWS access key,Source IP address,AWS region,Error code,Read-only,Event source',
			'c-1,2024-03-01T10:00:00Z,alice,EnableMFADevice,AWS::IAM::User,alice,AKIAEXAMPLE,198.51.100.7,us-east-1,,false,iam.amazonaws.com',
		].join('\r\n');
		write(c.dir, 'event_history.csv', csv);
		const summary = await c.run([c.dir]);
		expect(summary.records).toMatchObject({inserted: 1, rejected: 0});
		const [event] = c.events();
		expect(event.partial).toBe(1);
		expect(JSON.parse(event.raw)).toMatchObject({'Event ID': 'c-1', 'Event name': 'EnableMFADevice', 'User name': 'alice'});
		expect(c.db.prepare('SELECT identity_user_name, event_name, read_only FROM event').get()).toEqual({identity_user_name: 'alice', event_name: 'EnableMFADevice', read_only: 0});
	});

	it("reads Sentinel's AWSCloudTrail CSV (realdata/other/azure-sentinel): partial events with MFA facts", async () => {
		c = newCase();
		const summary = await c.run([path.join(realdata, 'other', 'azure-sentinel')]);
		expect(summary.records).toMatchObject({seen: 15, inserted: 15, rejected: 0});
		const first = c.db.prepare(`SELECT event_time, event_name, identity_user_name, partial, facts FROM event WHERE event_id = '190150da-f77d-428f-b699-78e570f2dae3'`).get() as Record<string, unknown>;
		expect(first).toMatchObject({event_time: '2025-04-21T09:45:54Z', event_name: 'ConsoleLogin', identity_user_name: 'CATTeamIDC', partial: 1});
		expect(decodeFacts(first.facts as string)).toMatchObject({mfaUsed: expect.anything()});
		expect(sources(c)[0].format).toBe('sentinel-csv');
	});

	it('reads members of .zip, .tar and .tar.gz archives (nested gzip too) without extracting them', async () => {
		c = newCase();
		const gz = zlib.gzipSync(JSON.stringify({Records: [record('z-1')]}));
		write(c.dir, 'evidence.zip', makeZip([{name: 'AWSLogs/a.json.gz', data: gz}, {name: 'b.json', data: JSON.stringify([record('z-2')])}]));
		const tarBytes = await makeTar([{name: 'c.json', data: JSON.stringify(record('t-1'))}, {name: 'link', data: '', type: 'symlink', linkname: '/etc/passwd'}]);
		write(c.dir, 'evidence.tar', tarBytes);
		write(c.dir, 'evidence.tgz', zlib.gzipSync(await makeTar([{name: 'd.json.gz', data: zlib.gzipSync(JSON.stringify({Records: [record('t-2')]}))}])));
		const before = fs.readdirSync(c.dir).sort();
		const summary = await c.run([c.dir]);
		expect(summary.records).toMatchObject({inserted: 4, rejected: 0});
		expect(summary.skipped.map(s => s.reason)).toEqual([expect.stringMatching(/symlink → \/etc\/passwd/)]);
		const members = sources(c).map(s => [path.basename(s.path as string), s.member]);
		expect(members).toEqual([
			['evidence.tar', 'c.json'],
			['evidence.tgz', 'd.json.gz'],
			['evidence.zip', 'AWSLogs/a.json.gz'],
			['evidence.zip', 'b.json'],
		]);
		expect(fs.readdirSync(c.dir).sort()).toEqual(before);
	});

	it('recognises content whatever the extension says', async () => {
		c = newCase();
		write(c.dir, 'plain.json.gz', JSON.stringify({Records: [record('x-1')]}));
		write(c.dir, 'gzipped.json', zlib.gzipSync(JSON.stringify({Records: [record('x-2')]})));
		write(c.dir, 'zip.tar', makeZip([{name: 'r.json', data: JSON.stringify(record('x-3'))}]));
		const summary = await c.run([c.dir]);
		expect(summary.records).toMatchObject({inserted: 3, rejected: 0});
	});

	it("reads stdin ('-')", async () => {
		c = newCase();
		const bytes = zlib.gzipSync(JSON.stringify({Records: [record('in-1')]}));
		const summary = await c.run(['-'], {stdin: async () => bytes});
		expect(summary.records.inserted).toBe(1);
		expect(sources(c)[0]).toMatchObject({path: '-', sha256: crypto.createHash('sha256').update(bytes).digest('hex')});
	});
});
