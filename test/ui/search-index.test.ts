import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {importEvidence} from '../../source/pipeline.js';
import {SearchIndex, SearchIndexBuilder} from '../../source/model/search.js';
import {repoRoot} from './helpers.js';

/**
 * The search behind the explorer and `mfatrail search`, over the bundled samples: narrowing by the
 * previous keystroke, the chunked build and the one-shot SQL path all give the answer a fresh
 * full index gives.
 */
let dir: string;
let db: CaseFile;

beforeAll(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	db = openCaseFile(path.join(dir, 'case.db'));
	await importEvidence(db, [path.join(repoRoot, 'samples')]);
});

afterAll(() => {
	db.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

const typed = ['alice', 'alice-phnoe', 'arn:aws:iam::210987654321:user/bob', 'judy-phone', 'xqzv', 'root', 'GAHT', 'backup', 'mfa/'];

describe('search index', () => {
	it('typing a query key by key answers each prefix as a fresh index would', () => {
		const typing = SearchIndex.build(db);
		expect(typing.size).toBeGreaterThan(10);
		for (const word of typed) {
			for (let n = 1; n <= word.length; n++) {
				const prefix = word.slice(0, n);
				const fresh = SearchIndex.build(db);
				expect(typing.search(prefix, {limit: 50})).toEqual(fresh.search(prefix, {limit: 50}));
			}
			// Backspace: a shorter query is not a narrowing of the longer one.
			expect(typing.search(word.slice(0, 1), {limit: 50})).toEqual(SearchIndex.build(db).search(word.slice(0, 1), {limit: 50}));
		}
	});

	it('the kind filter narrows, and switching kind does not reuse the other kind\'s matches', () => {
		const index = SearchIndex.build(db);
		const all = index.search('alice', {limit: 50});
		const devices = index.search('alice', {limit: 50, kind: 'device'});
		expect(devices.length).toBeGreaterThan(0);
		expect(devices.every(h => h.kind === 'device')).toBe(true);
		const principals = index.search('alice', {limit: 50, kind: 'principal'});
		expect(principals.every(h => h.kind === 'principal')).toBe(true);
		expect(principals.length + devices.length).toBe(all.length);
	});

	it('keeps only the best `limit`, best first (the heap), with a pasted full ARN first', () => {
		const index = SearchIndex.build(db);
		const many = index.search('a', {limit: 1000});
		const few = index.search('a', {limit: 3});
		expect(few).toEqual(many.slice(0, 3));
		for (let i = 1; i < many.length; i++) expect(many[i].score).toBeGreaterThanOrEqual(many[i - 1].score);
		const arn = index.search('alice', {kind: 'principal'})[0].id;
		expect(arn).toMatch(/^arn:aws:iam::\d{12}:user\/alice$/);
		expect(index.search(arn)[0]).toMatchObject({id: arn, score: 0});
	});

	it('a chunked build equals a build at once', () => {
		const builder = new SearchIndexBuilder(db);
		let steps = 0;
		while (!builder.step()) steps++;
		expect(builder.progress).toBe(1);
		const chunked = builder.finish();
		const whole = SearchIndex.build(db);
		expect(chunked.size).toBe(whole.size);
		for (const word of typed) expect(chunked.search(word)).toEqual(whole.search(word));
	});

	it('searchOnce (mfatrail search, no index in memory) answers as the full index does', () => {
		const whole = SearchIndex.build(db);
		for (const word of [...typed, 'a', 'ph', 'alcie', 'Ünïcode']) {
			for (const kind of [undefined, 'principal', 'device'] as const) {
				for (const limit of [1, 5, 20]) expect(SearchIndex.searchOnce(db, word, {limit, kind})).toEqual(whole.search(word, {limit, kind}));
			}
		}
		// A typo is still found (fuzzy), and nothing is found for nonsense.
		expect(SearchIndex.searchOnce(db, 'judy-phnoe', {kind: 'device'})[0]?.label).toBe('judy-phone');
		expect(SearchIndex.searchOnce(db, 'qqqqzzzz')).toEqual([]);
	});
});
