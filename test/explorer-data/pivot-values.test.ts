/**
 * Search answers from distinct values kept by the import (db/021_pivot_value.sql), never from
 * events: the table must say what the events say, after one import and after a second one into
 * the same case file, and search must rank names above user agents that merely contain the text.
 * Expected values come from test-side SQL over the `event` view.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {refreshPivotValues} from '../../source/db/pivot-values.js';
import {PivotSearch} from '../../source/db/pivots.js';
import {importPaths} from '../../source/import/index.js';
import {importEvidence} from '../../source/pipeline.js';
import {ensureBuilt, runCli} from '../hostile/cli.js';
import {repoRoot} from '../model/helpers.js';
import {pivotCounts} from '../pivot-counts.js';

let dir: string;
let file: string;
let db: CaseFile;

beforeAll(async () => {
	ensureBuilt();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	file = path.join(dir, 'case.db');
	db = openCaseFile(file);
	// Two imports: the second merges its counts into the first's.
	await importEvidence(db, [path.join(repoRoot, 'samples', 'lookup-events')]);
	await importEvidence(db, [path.join(repoRoot, 'samples')]);
}, 120_000);
afterAll(() => {
	db?.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

type Counted = {value: string; events: number; firstSeen: string; lastSeen: string};
const stored = (kind: number) =>
	db.prepare(`SELECT value, events, first_seen AS firstSeen, last_seen AS lastSeen FROM pivot_value WHERE kind = ? ORDER BY value`).all(kind) as Counted[];
const fromEvents = (column: string) =>
	db
		.prepare(`SELECT ${column} AS value, count(*) AS events, min(event_time) AS firstSeen, max(event_time) AS lastSeen FROM event WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY ${column}`)
		.all() as Counted[];

describe('pivot values kept by the import', () => {
	it('keys, IPs and user agents with their counts and first/last seen, as the events have them, after two imports', () => {
		expect(stored(1)).toEqual(fromEvents('access_key_id'));
		expect(stored(2)).toEqual(fromEvents('source_ip'));
		expect(stored(3)).toEqual(fromEvents('user_agent'));
		expect(stored(1).length).toBeGreaterThan(3);
		// Importing the same evidence again adds nothing and counts nothing twice.
		expect(db.prepare(`SELECT value FROM meta WHERE key = 'pivot_values'`).pluck().get()).toBe(String(db.prepare('SELECT max(id) FROM event').pluck().get()));
	});

	it('every kind and agent_use equal a count over the events: the writer\'s tally, after a re-import whose records are mostly duplicates', () => {
		const {stored, counted} = pivotCounts(db);
		expect(stored).toEqual(counted);
		expect(counted.agentUse.length).toBeGreaterThan(5);
		expect(counted.account.length).toBeGreaterThan(1);
	});

	it('each import\'s tally is what is merged, and equals a count over the events', async () => {
		const other = openCaseFile(path.join(dir, 'tallied.db'));
		try {
			await importPaths(other, [path.join(repoRoot, 'samples', 'lookup-events')]);
			expect(refreshPivotValues(other)).toBe('tally');
			await importPaths(other, [path.join(repoRoot, 'samples')]);
			expect(refreshPivotValues(other)).toBe('tally');
			const {stored, counted} = pivotCounts(other);
			expect(stored).toEqual(counted);
			// All duplicates: nothing to count.
			await importPaths(other, [path.join(repoRoot, 'samples')]);
			expect(refreshPivotValues(other)).toBe('none');
		} finally {
			other.close();
		}
	});

	it('rows an earlier import left uncounted (killed before its merge) are counted from the rows, with the next import\'s', async () => {
		const other = openCaseFile(path.join(dir, 'uncounted.db'));
		try {
			// The evidence alone, as an import killed after its load leaves it: no pivot values yet.
			await importPaths(other, [path.join(repoRoot, 'samples', 'lookup-events')]);
			expect(other.prepare('SELECT count(*) FROM pivot_value').pluck().get()).toBe(0);
			await importPaths(other, [path.join(repoRoot, 'samples')]);
			expect(refreshPivotValues(other)).toBe('rows');
			const {stored, counted} = pivotCounts(other);
			expect(stored).toEqual(counted);
			expect(counted.key.length).toBeGreaterThan(3);
		} finally {
			other.close();
		}
	});

	it('an IP prefix lists the addresses with counts; an agent word lists agents with counts', () => {
		const hits = new PivotSearch(db).search('203.0.113', {limit: 50});
		const expected = db
			.prepare(`SELECT source_ip AS id, count(*) AS count FROM event WHERE source_ip LIKE '203.0.113%' GROUP BY source_ip ORDER BY source_ip`)
			.all() as {id: string; count: number}[];
		expect(hits.map(h => ({id: h.id, count: h.count}))).toEqual(expected);
		const agents = new PivotSearch(db).search('assume-root');
		expect(agents.length).toBeGreaterThan(0);
		for (const a of agents) expect(a.count).toBe(db.prepare(`SELECT count(*) FROM event WHERE user_agent = ?`).pluck().get(a.id));
	});

	it('`root` lists the root principals above an aws-cli … sts.assume-root user agent', () => {
		const roots = db.prepare(`SELECT arn FROM principal WHERE arn LIKE '%:root'`).pluck().all() as string[];
		expect(roots.length).toBeGreaterThan(0);
		const result = runCli(['search', 'root', '--limit', '40', '--json', '--db', file]);
		expect(result.status, result.stderr.toString()).toBe(0);
		const ids = (JSON.parse(result.stdout.toString()) as {id: string}[]).map(h => h.id);
		const agent = ids.findIndex(id => id.includes('sts.assume-root'));
		expect(agent).toBeGreaterThan(-1);
		for (const arn of roots) {
			expect(ids.indexOf(arn)).toBeGreaterThan(-1);
			expect(ids.indexOf(arn)).toBeLessThan(agent);
		}
		// The text output keeps the same order.
		const text = runCli(['search', 'root', '--limit', '40', '--db', file]).stdout.toString();
		expect(text.indexOf(roots[0])).toBeLessThan(text.indexOf('sts.assume-root'));
	});
});
