/**
 * Writes the bundled samples/ from the story builders:
 *   node dist/bench/write-samples.js [DIR]   (default: the repository's samples/)
 * Output is byte-reproducible; test/samples checks samples/ still matches the builders.
 */
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {deliverByWindow, gzipFixed, logFileText, recordText} from '../samples/layout.js';
import {Random} from '../samples/random.js';
import type {TrailEvent} from '../samples/records.js';
import {buildStories, sampleContext} from '../samples/stories.js';
import {zipArchive} from '../samples/zip.js';

export interface SampleFile {
	/** Relative to samples/, '/' separators. */
	path: string;
	data: Buffer;
}

export const lookupEventsPath = 'lookup-events/123456789012_us-east-1_lookup-events_Username-alice.json';
export const zipPath = '210987654321_CloudTrail_export.zip';
/** Folders and files write-samples owns inside samples/ (README.md is written by hand). */
const generatedRoots = ['AWSLogs', 'lookup-events', zipPath];

/** CLI v2 prints EventTime in the machine's local zone: here UTC+01:00. */
function localTime(ms: number): string {
	return new Date(ms + 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+01:00');
}

/** `aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=alice` around 14 Feb 2023. */
function lookupEvents(events: TrailEvent[]): Buffer {
	const from = Date.parse('2023-02-13T00:00:00Z');
	const to = Date.parse('2023-02-15T00:00:00Z');
	const picked = events
		.filter(e => e.account === sampleContext.account && e.region === 'us-east-1' && e.time >= from && e.time < to)
		.filter(e => (e.record['userIdentity'] as Record<string, unknown>)['userName'] === 'alice')
		.sort((x, y) => y.time - x.time);
	const Events = picked.map(e => {
		const r = e.record;
		const who = r['userIdentity'] as Record<string, unknown>;
		return {
			EventId: r['eventID'],
			EventName: r['eventName'],
			ReadOnly: String(r['readOnly']),
			AccessKeyId: who['accessKeyId'],
			EventTime: localTime(e.time),
			EventSource: r['eventSource'],
			Username: who['userName'],
			Resources: [],
			CloudTrailEvent: recordText(e),
		};
	});
	return Buffer.from(`${JSON.stringify({Events}, null, 4)}\n`);
}

/** Every generated sample file, in memory. */
export function buildSampleFiles(): SampleFile[] {
	const events = buildStories(sampleContext);
	const layout = new Random(`${sampleContext.seed}:layout`);
	const main = events.filter(e => e.account === sampleContext.account);
	const other = events.filter(e => e.account !== sampleContext.account);
	const files: SampleFile[] = deliverByWindow(layout, main).map(f => ({path: f.path, data: gzipFixed(logFileText(f.events))}));
	files.push({path: lookupEventsPath, data: lookupEvents(events)});
	// The second account arrives as a zip of its trail folder: the first file still gzipped, the rest plain.
	const members = deliverByWindow(layout, other).map((f, i) =>
		i === 0 ? {name: f.path, data: gzipFixed(logFileText(f.events))} : {name: f.path.replace(/\.gz$/, ''), data: Buffer.from(logFileText(f.events))},
	);
	files.push({path: zipPath, data: zipArchive(members)});
	return files;
}

export function writeSamples(dir: string): SampleFile[] {
	for (const root of generatedRoots) fs.rmSync(path.join(dir, root), {recursive: true, force: true});
	const files = buildSampleFiles();
	for (const file of files) {
		const target = path.join(dir, ...file.path.split('/'));
		fs.mkdirSync(path.dirname(target), {recursive: true});
		fs.writeFileSync(target, file.data);
	}
	return files;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const dir = process.argv[2] ?? path.join(repoRoot, 'samples');
	const files = writeSamples(dir);
	const events = buildStories(sampleContext).length;
	process.stdout.write(`wrote ${files.length} files (${events} events) to ${dir}\n`);
}
