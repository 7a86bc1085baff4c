/**
 * How a trail delivers events to S3: one gzipped {"Records":[…]} file per account, region and
 * delivery (about every five minutes), under
 * AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_<16>.json.gz.
 * The folder date is the delivery time; records inside a file are not in time order and an
 * event now and then arrives in a later file, as in real deliveries.
 */
import zlib from 'node:zlib';
import type {Random} from './random.js';
import type {TrailEvent} from './records.js';

export interface LogFile {
	/** Relative path with '/' separators. */
	path: string;
	account: string;
	region: string;
	events: TrailEvent[];
}

const fiveMinutes = 300_000;

function pad(n: number): string {
	return String(n).padStart(2, '0');
}

export function logFilePath(rng: Random, account: string, region: string, delivery: number): string {
	const d = new Date(delivery);
	const y = d.getUTCFullYear();
	const m = pad(d.getUTCMonth() + 1);
	const day = pad(d.getUTCDate());
	const stamp = `${y}${m}${day}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
	return `AWSLogs/${account}/CloudTrail/${region}/${y}/${m}/${day}/${account}_CloudTrail_${region}_${stamp}_${rng.fileSuffix()}.json.gz`;
}

/** Records in delivery order: mostly by time, with neighbours swapped now and then. */
function deliveryOrder(rng: Random, events: TrailEvent[]): TrailEvent[] {
	const out = [...events].sort((x, y) => x.time - y.time);
	for (let i = 1; i < out.length; i++) if (rng.chance(0.2)) [out[i - 1], out[i]] = [out[i], out[i - 1]];
	return out;
}

function byTrail(events: TrailEvent[]): Map<string, TrailEvent[]> {
	const trails = new Map<string, TrailEvent[]>();
	for (const e of events) {
		const key = `${e.account}/${e.region}`;
		let list = trails.get(key);
		if (!list) trails.set(key, (list = []));
		list.push(e);
	}
	return trails;
}

/**
 * Five-minute deliveries (the samples): every event goes to the file of its window, one in
 * `lateShare` to the next delivery of its trail.
 */
export function deliverByWindow(rng: Random, events: TrailEvent[], lateShare = 0.05): LogFile[] {
	const files: LogFile[] = [];
	for (const [key, list] of [...byTrail(events)].sort(([x], [y]) => (x < y ? -1 : 1))) {
		const [account, region] = key.split('/');
		const windows = new Map<number, TrailEvent[]>();
		const sorted = [...list].sort((x, y) => x.time - y.time);
		const windowOf = (t: number) => Math.floor(t / fiveMinutes) * fiveMinutes + fiveMinutes;
		const starts = [...new Set(sorted.map(e => windowOf(e.time)))];
		for (const e of sorted) {
			let w = windowOf(e.time);
			const later = starts.find(s => s > w);
			if (later !== undefined && rng.chance(lateShare)) w = later;
			let bucket = windows.get(w);
			if (!bucket) windows.set(w, (bucket = []));
			bucket.push(e);
		}
		for (const [delivery, bucket] of [...windows].sort(([x], [y]) => x - y)) {
			files.push({path: logFilePath(rng, account, region, delivery), account, region, events: deliveryOrder(rng, bucket)});
		}
	}
	return files;
}

/**
 * Files of `min`…`max` consecutive events per trail (the synthetic archives, where one file
 * per five minutes would make a million tiny files); delivered a few minutes after its last event.
 */
export function deliverByCount(rng: Random, events: TrailEvent[], min: number, max: number): LogFile[] {
	const files: LogFile[] = [];
	for (const [key, list] of byTrail(events)) {
		const [account, region] = key.split('/');
		const sorted = list.sort((x, y) => x.time - y.time);
		let held: TrailEvent[] = [];
		for (let i = 0; i < sorted.length; ) {
			const n = rng.int(min, max);
			const chunk = held.concat(sorted.slice(i, i + n));
			i += n;
			// One event in twenty misses its delivery and rides in the next file.
			held = i < sorted.length && chunk.length > 1 && rng.chance(0.05) ? chunk.splice(rng.int(0, chunk.length - 1), 1) : [];
			const last = chunk.reduce((t, e) => Math.max(t, e.time), 0);
			const delivery = Math.ceil(last / fiveMinutes) * fiveMinutes + rng.int(0, 2) * fiveMinutes;
			files.push({path: logFilePath(rng, account, region, delivery), account, region, events: deliveryOrder(rng, chunk)});
		}
	}
	return files;
}

/** The record as written in a log file (and as lookup-events quotes it): compact JSON. */
export function recordText(event: TrailEvent): string {
	return JSON.stringify(event.record);
}

export function logFileText(events: TrailEvent[]): string {
	return `{"Records":[${events.map(recordText).join(',')}]}`;
}

/**
 * Gzip with a fixed header: zlib writes mtime 0; the OS byte varies by platform, so it is
 * pinned to 3 (Unix) to keep the samples byte-reproducible.
 */
export function gzipFixed(content: Buffer | string, level = 6): Buffer {
	const gz = zlib.gzipSync(content, {level});
	gz[9] = 3;
	return gz;
}
