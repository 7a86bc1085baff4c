import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {afterAll, describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {importEvidence} from '../../source/pipeline.js';
import {importPaths} from '../../source/import/index.js';
import {limits} from '../../source/import/limits.js';
import {RawReader} from '../../source/db/raw.js';
import {repoRoot} from './cli.js';
import {integer, pick, prng} from './prng.js';

/**
 * Bounded fuzz of the importer: real samples, mutated by truncation, byte flips and field type
 * swaps (seeded, so a failure names the iteration that reproduces it). The importer must never
 * throw, every summary must add up, and the case file must stay sound.
 */
const realdata = path.resolve(repoRoot, 'test', 'fixtures', 'realdata');
const samples = [
	'native/cloudgrep/cloudtrail.json',
	'native/plaso/aws_cloudtrail.jsonl',
	'native/grafana-loki/cloudtrail-log-file.json.gz',
	'native/stratus-red-team/aws.initial-access.console-login-without-mfa.json',
	'other/aws-docs-example-records.jsonl',
	'other/cloud-custodian-eventbridge/event-cloud-trail-s3.json',
].map(p => {
	const bytes = fs.readFileSync(path.join(realdata, p));
	return {name: path.basename(p), text: (bytes[0] === 0x1f ? zlib.gunzipSync(bytes) : bytes).toString('utf8')};
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

const replacements: unknown[] = [null, 0, -1, 1e400, 12345678901234567890, true, '', 'x', '\u001b]0;x\u0007', [], [1, 'a'], {}, {eventID: 1}];

/** Swaps the value at a random place in a JSON tree for one of another type. */
function swapField(random: () => number, value: unknown, depth = 0): unknown {
	if (value === null || typeof value !== 'object' || depth > 6) return pick(random, replacements);
	const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
	if (keys.length === 0 || random() < 0.15) return pick(random, replacements);
	const key = pick(random, keys) as never;
	const copy: any = Array.isArray(value) ? [...value] : {...(value as object)};
	copy[key] = swapField(random, copy[key], depth + 1);
	return copy;
}

function mutate(random: () => number, text: string): Buffer {
	let bytes = Buffer.from(text);
	const kind = integer(random, 4);
	if (kind === 0) {
		// Field type swaps, on a JSON document or on each JSON line.
		const swapLine = (t: string) => {
			try {
				return JSON.stringify(swapField(random, JSON.parse(t)));
			} catch {
				return t;
			}
		};
		bytes = Buffer.from(text.trimStart().startsWith('{') && !text.includes('\n{') ? swapLine(text) : text.split('\n').map(l => (random() < 0.5 ? swapLine(l) : l)).join('\n'));
	} else if (kind === 1) {
		bytes = bytes.subarray(0, integer(random, bytes.length));
	} else {
		bytes = Buffer.from(bytes);
		const flips = 1 + integer(random, 12);
		for (let i = 0; i < flips; i++) bytes[integer(random, bytes.length)] = integer(random, 256);
	}
	// Sometimes gzipped, and sometimes the gzip itself is cut or damaged.
	if (random() < 0.3) {
		let gz = zlib.gzipSync(bytes);
		if (random() < 0.4) gz = gz.subarray(0, integer(random, gz.length));
		else if (random() < 0.3) gz[10 + integer(random, Math.max(1, gz.length - 10))] ^= 0xff;
		return gz;
	}
	return bytes;
}

describe('importer fuzz', () => {
	it('never throws on 200 mutated samples; summaries add up; the case file stays sound', async () => {
		const random = prng(20240301);
		const db = openCaseFile(path.join(dir, 'fuzz.db'));
		let inserted = 0;
		let rejected = 0;
		let filesRejected = 0;
		for (let i = 0; i < 200; i++) {
			const sample = pick(random, samples);
			const file = path.join(dir, `${i}-${sample.name}`);
			fs.writeFileSync(file, mutate(random, sample.text));
			let summary;
			try {
				summary = await importEvidence(db, [file], {workers: 0});
			} catch (error) {
				expect.fail(`iteration ${i} (${sample.name}): importEvidence threw ${(error as Error).stack}`);
			}
			const {records, files} = summary;
			if (records.seen !== records.inserted + records.duplicates + records.rejected) {
				expect.fail(`iteration ${i} (${sample.name}): ${JSON.stringify(records)} does not add up`);
			}
			expect(files.seen, `iteration ${i}`).toBe(1);
			expect(files.imported + files.skipped + files.rejected, `iteration ${i} ${JSON.stringify(files)}`).toBeGreaterThanOrEqual(1);
			inserted += records.inserted;
			rejected += records.rejected;
			filesRejected += files.rejected;
			fs.rmSync(file);
		}
		// The mutations did reach both outcomes: a fuzz that only ever imports or only rejects tests little.
		console.info(`fuzz: ${inserted} records inserted, ${rejected} records rejected, ${filesRejected} files rejected`);
		expect(inserted).toBeGreaterThan(0);
		expect(rejected + filesRejected).toBeGreaterThan(0);
		expect(db.prepare(`SELECT count(*) FROM event`).pluck().get()).toBe(inserted);
		expect(db.pragma('integrity_check', {simple: true})).toBe('ok');
		expect(db.pragma('foreign_key_check')).toEqual([]);
		db.close();
	});
});

/** Larger shapes for the streaming readers: several windows and parts each. */
const streamed = (() => {
	const rec = (i: number) => ({
		eventVersion: '1.08',
		eventID: `s-${i}`,
		eventTime: `2024-03-01T10:${String(i % 60).padStart(2, '0')}:00Z`,
		eventName: i % 7 === 0 ? 'EnableMFADevice' : 'GetObject',
		userIdentity: {type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/u${i % 5}`},
		requestParameters: {key: `k/${i}`, note: i % 11 === 0 ? 'é\u001b]0;x\u0007' : 'x'.repeat(i % 90)},
	});
	const records = Array.from({length: 120}, (_, i) => rec(i));
	return [
		{name: 'export.jsonl', text: records.map(r => JSON.stringify(r)).join('\n') + '\n'},
		{name: 'trail.json', text: JSON.stringify({Records: records})},
		{name: 'pretty.json', text: JSON.stringify({Records: records.slice(0, 40)}, null, 2)},
		{name: 'lookup.json', text: JSON.stringify({Events: records.slice(0, 60).map(r => ({EventId: r.eventID, CloudTrailEvent: JSON.stringify(r)})), NextToken: null})},
		{name: 'array.json', text: JSON.stringify(records.slice(0, 80))},
		{name: 'pages.json', text: [0, 1, 2].map(p => JSON.stringify({Records: records.slice(p * 30, p * 30 + 30)}, null, 1)).join('\n')},
	];
})();

type Row = {event_id: string; position: number; raw_block: number; raw_offset: number; raw_length: number};

/** A mutation placed where a window or a part ends: a byte flipped, inserted, deleted, or the file cut there. */
function mutateAtBoundary(random: () => number, text: string, window: number): Buffer {
	const bytes = Buffer.from(text);
	const boundaries = Math.max(1, Math.floor(bytes.length / window));
	const at = Math.min(bytes.length - 1, Math.max(0, (1 + integer(random, boundaries)) * window + integer(random, 3) - 1));
	const kind = integer(random, 5);
	if (kind === 0) return bytes.subarray(0, at);
	if (kind === 1) return Buffer.concat([bytes.subarray(0, at), Buffer.from(pick(random, ['\n', '"', '{', ']', ',', '\\', '\u00ff'])), bytes.subarray(at)]);
	if (kind === 2) return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
	const copy = Buffer.from(bytes);
	copy[at] = integer(random, 256);
	if (kind === 4 && at + 1 < copy.length) copy[at + 1] = integer(random, 256);
	return copy;
}

describe('streaming readers fuzz', () => {
	it('mutations on window and part boundaries: read in tiny windows and parts exactly as when read whole', async () => {
		const random = prng(20261130);
		const saved = {...limits};
		let inserted = 0;
		let rejected = 0;
		/** Imports `file` into a new case file: its summary, rows and rejections. */
		const read = async (file: string, tiny: {readBytes: number; partRecords: number} | undefined) => {
			Object.assign(limits, saved, tiny ? {maxSourceBytes: 512, ...tiny} : {});
			const db = openCaseFile(path.join(fs.mkdtempSync(path.join(dir, 'case-')), 'case.db'));
			const raw = new RawReader(db);
			try {
				// The readers and the store only (no model refresh): what windows and parts could change.
				const summary = await importPaths(db, [file], {workers: 0});
				return {
					summary: {...summary, errors: summary.errors.map(e => e.reason)},
					rows: (db.prepare(`SELECT event_id, position, raw_block, raw_offset, raw_length FROM event ORDER BY id`).all() as Row[]).map(r => [
						r.event_id,
						r.position,
						raw.bytes(r.raw_block, r.raw_offset, r.raw_length).toString('hex'),
					]),
					sources: db.prepare(`SELECT status, record_count, rejected, sha256, content_sha256 FROM source`).all(),
					integrity: db.pragma('integrity_check', {simple: true}),
				};
			} finally {
				db.close();
				Object.assign(limits, saved);
			}
		};
		for (let i = 0; i < 60; i++) {
			const sample = pick(random, streamed);
			const tiny = {readBytes: pick(random, [64, 100, 257, 1000, 4096]), partRecords: 1 + integer(random, 6)};
			let bytes = mutateAtBoundary(random, sample.text, tiny.readBytes);
			if (random() < 0.3) {
				const gz = zlib.gzipSync(bytes);
				bytes = random() < 0.5 ? gz.subarray(0, Math.max(10, gz.length - 1 - integer(random, 40))) : gz;
			}
			const file = path.join(dir, `s${i}-${sample.name}`);
			fs.writeFileSync(file, bytes);
			const label = `iteration ${i} (${sample.name}, window ${tiny.readBytes}, parts of ${tiny.partRecords})`;
			let whole, streamedRead;
			try {
				whole = await read(file, undefined);
				streamedRead = await read(file, tiny);
			} catch (error) {
				expect.fail(`${label}: importEvidence threw ${(error as Error).stack}`);
			}
			const {records} = streamedRead.summary;
			if (records.seen !== records.inserted + records.duplicates + records.rejected) expect.fail(`${label}: ${JSON.stringify(records)} does not add up`);
			expect(streamedRead.integrity, label).toBe('ok');
			// The oracle: the same bytes read whole (one window, one part) give the same result.
			expect(streamedRead, label).toEqual(whole);
			inserted += records.inserted;
			rejected += records.rejected + streamedRead.summary.files.rejected;
			fs.rmSync(file);
		}
		console.info(`streaming fuzz: ${inserted} records inserted, ${rejected} rejections`);
		expect(inserted).toBeGreaterThan(400);
		expect(rejected).toBeGreaterThan(0);
	});
});
