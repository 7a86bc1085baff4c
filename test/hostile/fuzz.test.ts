import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {afterAll, describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {importPaths} from '../../source/import/index.js';
import {repoRoot} from './cli.js';
import {integer, pick, prng} from './prng.js';

/**
 * Bounded fuzz of the importer: real samples, mutated by truncation, byte flips and field type
 * swaps (seeded, so a failure names the iteration that reproduces it). The importer must never
 * throw, every summary must add up, and the case file must stay sound.
 */
const realdata = path.resolve(repoRoot, '..', 'shared', 'realdata');
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
				summary = await importPaths(db, [file], {workers: 0});
			} catch (error) {
				expect.fail(`iteration ${i} (${sample.name}): importPaths threw ${(error as Error).stack}`);
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
