import fs from 'node:fs';
import path from 'node:path';
import {execFileSync} from 'node:child_process';
import zlib from 'node:zlib';
import {afterEach, describe, expect, it} from 'vitest';
import {limits} from '../../source/import/limits.js';
import {makeZip, newCase, record, write, type Case} from './helpers.js';

let c: Case;
const saved = {...limits};
afterEach(() => {
	c?.close();
	Object.assign(limits, saved);
});

describe('bad input is reported (source, position, reason) and the rest goes on', () => {
	it('a truncated gzip: every complete record before the cut is imported, the source marked partial', async () => {
		c = newCase();
		const records = Array.from({length: 200}, (_, i) => record(`t-${i}`, {requestParameters: {pad: 'x'.repeat(200 + (i % 7) * 31), n: i}}));
		const gz = zlib.gzipSync(JSON.stringify({Records: records}));
		write(c.dir, 'cut.json.gz', gz.subarray(0, Math.floor(gz.length / 2)));
		write(c.dir, 'fine.json', JSON.stringify({Records: [record('ok-1')]}));
		const summary = await c.run([c.dir]);
		const recovered = summary.records.inserted - 1;
		expect(recovered).toBeGreaterThan(20);
		expect(recovered).toBeLessThan(200);
		const source = c.db.prepare(`SELECT status, notes FROM source WHERE path LIKE '%cut.json.gz'`).get() as {status: string; notes: string};
		expect(source.status).toBe('partial');
		expect(source.notes).toMatch(/gzip stream damaged .*unexpected end of file/);
		expect(summary.errors.map(e => e.source).join('\n')).toMatch(/cut\.json\.gz record \d+ \(byte \d+\)/);
		// The records recovered are exactly the first ones, in order.
		expect(c.events().slice(0, recovered).map(e => e.event_id)).toEqual(records.slice(0, recovered).map(r => r.eventID));
	});

	it('bytes that are not JSON, JSON of another shape, non-object records and records without eventTime', async () => {
		c = newCase();
		write(c.dir, 'a.json', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x41]));
		write(c.dir, 'b.json', JSON.stringify({name: 'package', version: '1.0.0'}));
		write(c.dir, 'c.json', JSON.stringify({Records: [42, 'text', null, record('ok'), {eventID: 'no-time', eventName: 'X'}]}));
		write(c.dir, 'README.md', '# not evidence');
		const summary = await c.run([c.dir]);
		expect(summary.files).toEqual({seen: 4, imported: 1, skipped: 1, rejected: 2});
		const reasons = summary.errors.map(e => `${path.basename(e.source)}: ${e.reason}`);
		expect(reasons).toEqual([
			expect.stringMatching(/^a\.json byte 0: not JSON or CSV/),
			expect.stringMatching(/^b\.json: JSON of another shape: an object with keys name, version/),
			'c.json record 0: record is a number, not an object',
			'c.json record 1: record is a string, not an object',
			'c.json record 2: record is null, not an object',
			'c.json record 4: record has no eventTime',
		]);
		expect(c.db.prepare('SELECT count(*) AS n FROM rejection').get()).toEqual({n: 6});
	});

	it('a huge record and a deeply nested record are rejected alone (limits lowered for the test)', async () => {
		c = newCase();
		limits.maxRecordBytes = 10_000;
		limits.maxDepth = 50;
		const deep = `{"eventID":"deep","eventTime":"2024-03-01T10:00:00Z","x":${'['.repeat(1000)}${']'.repeat(1000)}}`;
		const huge = JSON.stringify(record('huge', {requestParameters: {pad: 'y'.repeat(20_000)}}));
		write(c.dir, 'x.json', `[${JSON.stringify(record('before'))},${deep},${huge},${JSON.stringify(record('after'))}]`);
		const summary = await c.run([c.dir]);
		expect(c.events().map(e => e.event_id)).toEqual(['before', 'after']);
		expect(summary.errors.map(e => e.reason)).toEqual([
			'record nested 1001 levels deep (limit 50)',
			expect.stringMatching(/^record of \d+ bytes exceeds the limit of 10000 bytes$/),
		]);
	});

	it('a gzip bomb and a zip bomb stop at the limits; other evidence is still imported', async () => {
		c = newCase();
		limits.maxSourceBytes = 4 * 1024 * 1024;
		limits.ratioFloorBytes = 1024 * 1024;
		const zeros = Buffer.alloc(16 * 1024 * 1024);
		write(c.dir, 'bomb.json.gz', zlib.gzipSync(zeros));
		write(c.dir, 'bomb.zip', makeZip([{name: 'zeros.json', data: zeros}, {name: 'ok.json', data: JSON.stringify(record('in-zip'))}]));
		write(c.dir, 'ok.json', JSON.stringify(record('ok')));
		const summary = await c.run([c.dir]);
		expect(c.events().map(e => e.event_id).sort()).toEqual(['in-zip', 'ok']);
		expect(summary.errors.map(e => `${path.basename(e.source)}: ${e.reason}`)).toEqual([
			expect.stringMatching(/^bomb\.json\.gz: decompress.*possible decompression bomb/),
			expect.stringMatching(/^bomb\.zip \[zeros\.json\]: decompress.*possible decompression bomb/),
		]);
	});

	it('symbolic links, FIFOs and empty files inside folders are skipped with a reason, never followed', async () => {
		c = newCase();
		const outside = write(c.dir + '-outside', 'secret.json', JSON.stringify(record('outside')));
		fs.symlinkSync(outside, path.join(c.dir, 'link.json'));
		execFileSync('mkfifo', [path.join(c.dir, 'pipe.json')]);
		write(c.dir, 'empty.json', '');
		write(c.dir, 'real.json', JSON.stringify(record('inside')));
		const summary = await c.run([c.dir]);
		expect(c.events().map(e => e.event_id)).toEqual(['inside']);
		expect(summary.skipped.map(s => `${path.basename(s.source)}: ${s.reason}`)).toEqual([
			'link.json: symbolic link, not followed',
			'pipe.json: FIFO, not read',
			'empty.json: empty file',
		]);
		expect(summary.files).toMatchObject({skipped: 3, rejected: 0, imported: 1});
	});
});
