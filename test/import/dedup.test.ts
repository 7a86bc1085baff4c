import crypto from 'node:crypto';
import zlib from 'node:zlib';
import {afterEach, describe, expect, it} from 'vitest';
import {newCase, record, write, type Case} from './helpers.js';

let c: Case;
afterEach(() => c?.close());

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

describe('idempotence and provenance', () => {
	it('one event as an S3 record, a lookup-events string and a CSV row is stored once, with sightings', async () => {
		c = newCase();
		const r = record('same-1', {eventName: 'EnableMFADevice'});
		write(c.dir, '1/trail.json.gz', zlib.gzipSync(JSON.stringify({Records: [r]})));
		// lookup-events serialises the same record with other spacing and key order.
		const reordered = JSON.stringify(Object.fromEntries(Object.entries(r).reverse()), null, 1);
		write(c.dir, '2/lookup.json', JSON.stringify({Events: [{EventId: 'same-1', CloudTrailEvent: reordered}]}));
		write(c.dir, '3/history.csv', 'Event ID,Event time,User name,Event name,Event source\nsame-1,2024-03-01T10:00:00Z,alice,EnableMFADevice,iam.amazonaws.com\n');
		const summary = await c.run([c.dir]);
		expect(summary.records).toMatchObject({seen: 3, inserted: 1, duplicates: 2, conflicts: 0});
		expect(c.events()).toHaveLength(1);
		expect(c.events()[0]).toMatchObject({partial: 0, conflict: 0, raw: JSON.stringify(r)});
		expect(c.db.prepare('SELECT count(*) AS n FROM sighting').get()).toEqual({n: 2});
		const again = await c.run([c.dir]);
		expect(again.records).toMatchObject({seen: 3, inserted: 0, duplicates: 3});
		expect(c.events()).toHaveLength(1);
	});

	it('a full record arriving after a partial CSV copy replaces it; the partial copy stays as a sighting', async () => {
		c = newCase();
		const csv = write(c.dir, 'a/history.csv', 'Event ID,Event time,Event name\nup-1,2024-03-01T10:00:00Z,ListMFADevices\n');
		await c.run([csv]);
		expect(c.events()[0].partial).toBe(1);
		const full = write(c.dir, 'b/trail.json', JSON.stringify({Records: [record('up-1')]}));
		const summary = await c.run([full]);
		expect(summary.records).toMatchObject({inserted: 1, conflicts: 0});
		const events = c.events();
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({partial: 0, raw: JSON.stringify(record('up-1'))});
		const sighting = c.db.prepare('SELECT s.position, src.path FROM sighting s JOIN source src ON src.id = s.source_id').get() as {path: string};
		expect(sighting.path).toMatch(/history\.csv$/);
	});

	it('the same eventID with other content is a conflict: both kept and flagged', async () => {
		c = newCase();
		write(c.dir, 'a.json', JSON.stringify([record('dup', {sourceIPAddress: '198.51.100.1'}), record('dup', {sourceIPAddress: '203.0.113.9'})]));
		const summary = await c.run([c.dir]);
		expect(summary.records).toMatchObject({inserted: 2, conflicts: 1});
		expect(c.events().map(e => e.conflict)).toEqual([1, 1]);
	});

	it('records without eventID get a stable derived ID (same ID on re-import, whatever the spacing)', async () => {
		c = newCase();
		const {eventID: _, ...noId} = record('x');
		write(c.dir, 'a/one.json', JSON.stringify([noId]));
		write(c.dir, 'b/two.json', JSON.stringify([noId], null, 2));
		const summary = await c.run([c.dir]);
		expect(summary.records).toMatchObject({inserted: 1, duplicates: 1});
		expect(c.events()[0]).toMatchObject({event_id_derived: 1, event_id: expect.stringMatching(/^derived:[0-9a-f]{32}$/)});
	});

	it('provenance: path, member, sizes, SHA-256 of the bytes as read and of the decompressed content', async () => {
		c = newCase();
		const content = Buffer.from(JSON.stringify({Records: [record('p-1'), record('p-2')]}));
		const gz = zlib.gzipSync(content);
		const file = write(c.dir, 'p.json.gz', gz);
		await c.run([file]);
		const source = c.db.prepare('SELECT * FROM source').get() as Record<string, unknown>;
		expect(source).toMatchObject({
			path: file,
			member: null,
			byte_size: gz.length,
			sha256: sha(gz),
			content_size: content.length,
			content_sha256: sha(content),
			record_count: 2,
			status: 'imported',
		});
		expect(c.events().map(e => [e.source_id, e.position])).toEqual([
			[source.id, 0],
			[source.id, 1],
		]);
		const run = c.db.prepare('SELECT status, summary FROM import_run').get() as {status: string; summary: string};
		expect(run.status).toBe('done');
		expect(JSON.parse(run.summary).records.inserted).toBe(2);
	});
});
