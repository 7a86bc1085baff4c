import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type {CaseFile} from '../db/open.js';
import {EventStore, type SourceInfo} from '../db/store.js';
import {normaliseRecord, RecordRejection, type NormalisedEvent} from './normalise.js';
import {arrayElements, topLevelArrayOf} from './scan.js';
import {refreshModel} from '../model/refresh.js';
import {refreshFindings} from '../findings/refresh.js';

export interface ImportSummary {
	files: {seen: number; imported: number; skipped: number; rejected: number};
	records: {seen: number; inserted: number; duplicates: number; conflicts: number; rejected: number};
	errors: {source: string; reason: string}[];
}

export interface ImportOptions {
	argv?: string[];
	toolVersion?: string;
}

export function emptySummary(): ImportSummary {
	return {
		files: {seen: 0, imported: 0, skipped: 0, rejected: 0},
		records: {seen: 0, inserted: 0, duplicates: 0, conflicts: 0, rejected: 0},
		errors: [],
	};
}

/** MINIMAL first version: plain and gzipped files holding {"Records":[…]}, arrays, JSON lines. */
export async function importPaths(db: CaseFile, inputs: string[], options: ImportOptions = {}): Promise<ImportSummary> {
	const store = new EventStore(db, options.argv ?? inputs, options.toolVersion ?? '0.0.0');
	const summary = emptySummary();
	for (const input of inputs) {
		for (const file of walk(input, summary)) importFile(store, file, summary);
	}
	refreshModel(db);
	refreshFindings(db);
	store.finishRun('done', summary);
	return summary;
}

function* walk(input: string, summary: ImportSummary): Generator<string> {
	let stat: fs.Stats;
	try {
		stat = fs.statSync(input);
	} catch (error) {
		summary.errors.push({source: input, reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`});
		summary.files.rejected++;
		return;
	}
	if (stat.isDirectory()) {
		for (const name of fs.readdirSync(input).sort()) yield* walk(path.join(input, name), summary);
	} else if (stat.isFile()) yield input;
}

function importFile(store: EventStore, file: string, summary: ImportSummary): void {
	summary.files.seen++;
	const bytes = fs.readFileSync(file);
	let content = bytes;
	if (bytes[0] === 0x1f && bytes[1] === 0x8b) content = zlib.gunzipSync(bytes);
	const info: SourceInfo = {
		path: path.resolve(file),
		member: null,
		format: 'cloudtrail-log',
		byteSize: bytes.length,
		sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
		contentSize: content.length,
		contentSha256: crypto.createHash('sha256').update(content).digest('hex'),
	};
	const text = content.toString('utf8');
	const events: NormalisedEvent[] = [];
	const rejected: {position: string; reason: string}[] = [];
	const take = (slice: string, position: number, label: string) => {
		try {
			events.push(normaliseRecord(JSON.parse(slice), slice, position));
		} catch (error) {
			if (error instanceof RecordRejection || error instanceof SyntaxError) rejected.push({position: label, reason: error.message});
			else throw error;
		}
	};
	const recordsAt = topLevelArrayOf(text, 'Records');
	const trimmed = text.trimStart();
	if (recordsAt >= 0 || trimmed.startsWith('[')) {
		const open = recordsAt >= 0 ? recordsAt : text.indexOf('[');
		const {slices, error} = arrayElements(text, open);
		slices.forEach((s, i) => take(text.slice(s.start, s.end), i, `record ${i}`));
		if (error) rejected.push({position: `record ${slices.length}`, reason: error});
	} else {
		let position = 0;
		text.split('\n').forEach((line, i) => {
			if (line.trim() === '') return;
			take(line, position++, `line ${i + 1}`);
		});
	}
	const counts = store.storeSource(info, rejected.length > 0 ? 'partial' : 'imported', events, rejected);
	summary.files.imported++;
	summary.records.seen += counts.records;
	summary.records.inserted += counts.inserted;
	summary.records.duplicates += counts.duplicates;
	summary.records.conflicts += counts.conflicts;
	summary.records.rejected += counts.rejected;
	for (const r of rejected) summary.errors.push({source: `${file} ${r.position}`, reason: r.reason});
}
