import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {newCase, realdata, type Case} from './helpers.js';

/** test/fixtures/realdata: public CloudTrail records (SOURCES.md there names each source). */
let c: Case;
afterEach(() => c?.close());

const reasons = (errors: {reason: string}[]) => {
	const counts: Record<string, number> = {};
	for (const e of errors) counts[e.reason] = (counts[e.reason] ?? 0) + 1;
	return counts;
};

describe('realdata', () => {
	it('native/: every record imports, 0 rejected; the LICENSE beside it is skipped; a second run inserts 0', async () => {
		c = newCase();
		const native = path.join(realdata, 'native');
		const summary = await c.run([native]);
		expect(summary.files).toEqual({seen: 95, imported: 94, skipped: 1, rejected: 0});
		expect(summary.records).toEqual({seen: 3220, inserted: 3220, duplicates: 0, conflicts: 0, rejected: 0});
		expect(summary.skipped).toEqual([{source: path.join(native, 'invictus-ir-aws_dataset', 'LICENSE'), reason: 'not evidence: a text file that is not JSON or CSV'}]);
		const formats = c.db.prepare('SELECT format, count(*) AS n FROM source GROUP BY format ORDER BY format').all();
		expect(formats).toEqual([
			{format: 'cloudtrail-log', n: 58},
			{format: 'lookup-events', n: 1},
			{format: 'record-array', n: 35},
		]);
		const again = await c.run([native]);
		expect(again.records).toEqual({seen: 3220, inserted: 0, duplicates: 3220, conflicts: 0, rejected: 0});
	});

	it('catalog/: every TrailDiscover record imports, 0 rejected; the repeated eventID is a duplicate', async () => {
		c = newCase();
		const summary = await c.run([path.join(realdata, 'catalog')]);
		expect(summary.records).toEqual({seen: 315, inserted: 314, duplicates: 1, conflicts: 0, rejected: 0});
		expect(summary.files.rejected).toBe(0);
	});

	it('malformed/: the invalid file is rejected with the parser reason', async () => {
		c = newCase();
		const summary = await c.run([path.join(realdata, 'malformed')]);
		expect(summary.files).toMatchObject({seen: 1, imported: 0, rejected: 1});
		expect(summary.errors).toEqual([
			{source: expect.stringMatching(/bad_cloudtrail\.json record 0 \(byte 13\)$/), reason: expect.stringMatching(/^not valid JSON: /)},
		]);
	});

	it('other/: pins what is imported, flagged and rejected, with reasons', async () => {
		c = newCase();
		const other = (name: string) => c.run([path.join(realdata, 'other', name)]);

		const docs = await other('aws-docs-example-records.jsonl');
		expect(docs.records).toEqual({seen: 40, inserted: 38, duplicates: 0, conflicts: 2, rejected: 2});
		expect(reasons(docs.errors)).toEqual({'record has no eventTime': 2});

		const sentinel = await other('azure-sentinel');
		expect(sentinel.records).toEqual({seen: 15, inserted: 15, duplicates: 0, conflicts: 0, rejected: 0});

		const custodian = await other('cloud-custodian-eventbridge');
		expect(custodian.records).toEqual({seen: 9, inserted: 9, duplicates: 0, conflicts: 1, rejected: 0});

		// OTRF: Logstash replaced eventTime with @timestamp: every record rejected, saying so.
		const otrf = await other('otrf');
		expect(otrf.files).toMatchObject({seen: 1, rejected: 1});
		expect(otrf.records).toEqual({seen: 103, inserted: 0, duplicates: 0, conflicts: 0, rejected: 103});
		expect(reasons(otrf.errors)).toEqual({'record has no eventTime (it has @timestamp: a pipeline replaced eventTime)': 103});
		expect(otrf.errors[0].source).toMatch(/ec2_proxy_s3_exfiltration\.zip \[ec2_proxy_s3_exfiltration_2020-09-14011940\.json\] line 1$/);

		// Panther: hand-edited fixtures reuse eventIDs ("1" over 100 times) with other content → conflicts kept.
		const panther = await other('panther-analysis-records.jsonl');
		expect(panther.records).toEqual({seen: 435, inserted: 420, duplicates: 0, conflicts: 260, rejected: 15});
		expect(reasons(panther.errors)).toEqual({
			'record has no eventTime': 13,
			'eventTime is not a valid time: "redacted"': 1,
			'eventTime is not a valid time: "..."': 1,
		});
		const ones = c.db.prepare(`SELECT count(*) AS n, min(conflict) AS allFlagged FROM event WHERE event_id = '1'`).get() as {n: number; allFlagged: number};
		expect(ones.n).toBeGreaterThan(100);
		expect(ones.allFlagged).toBe(1);
		const derived = c.db.prepare('SELECT count(*) AS n FROM event WHERE event_id_derived = 1').get() as {n: number};
		expect(derived.n).toBeGreaterThan(0);
	});
});
