import {isUtf8} from 'node:buffer';
import {RawBlockBuilder, type RawRef} from '../db/raw.js';
import {limits, mib} from './limits.js';
import {normaliseRecord, RecordRejection, type NormaliseOptions, type NormalisedEvent} from './normalise.js';
import {arraySlices, memberValue, skipSpace, topLevelArrayOf, valueExtent, type Slice} from './scan.js';
import {parseCsv} from './csv.js';

/** A normalised event as it travels from a reader to the store: its original text is in the source's raw blocks. */
export type ReadEvent = Omit<NormalisedEvent, 'raw'> & {rawRef: RawRef};

export interface Rejected {
	position: string;
	reason: string;
}

export interface DigestRow {
	accountId: string | null;
	region: string | null;
	digestStartTime: string | null;
	digestEndTime: string | null;
	s3Bucket: string | null;
	s3Object: string | null;
	previousHash: string | null;
	body: string;
}

/** The outcome of reading one source's decompressed content. */
export type ParsedContent =
	| {kind: 'records'; format: string; events: ReadEvent[]; rawBlocks: Uint8Array[]; rejected: Rejected[]; notes: string[]; damaged: boolean}
	| {kind: 'digest'; digest: DigestRow; notes: string[]}
	| {kind: 'rejected'; position: string | null; reason: string}
	| {kind: 'skipped'; reason: string};

/** Names of files that sit beside evidence and are not evidence (skipped, not rejected, when not JSON). */
const documentation = /(^|\/)(license|licence|copying|notice|readme|changelog|authors)([.-][^/]*)?$|\.(md|txt|rst|html?|pdf|csv\.sig|sig|sha256|md5)$/i;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const recordKeys = ['eventTime', 'eventID', 'eventName', 'eventSource', 'eventVersion', 'userIdentity'];

/** Collects the records of one source, counting positions and keeping the first notes. */
class Collector {
	events: ReadEvent[] = [];
	raw = new RawBlockBuilder();
	rejected: Rejected[] = [];
	notes = new Set<string>();
	position = 0;
	damaged = false;

	reject(label: string, reason: string): void {
		this.rejected.push({position: label, reason});
		this.position++;
	}

	/** One record object with its exact original text. */
	record(value: unknown, raw: string, label: string, options?: NormaliseOptions): void {
		try {
			// Encoded once: hashed by normaliseRecord and packed into the raw block.
			const bytes = Buffer.from(raw, 'utf8');
			const event: Omit<NormalisedEvent, 'raw'> & {raw?: string; rawRef?: RawRef} = normaliseRecord(value, raw, this.position, {...options, rawBytes: bytes});
			// The text now lives in the raw block: drop it from the event (setting, not copying the
			// object without it, which cost more than the rest of this function).
			event.raw = undefined;
			event.rawRef = this.raw.addBytes(bytes);
			this.events.push(event as ReadEvent);
			this.position++;
		} catch (error) {
			if (error instanceof RecordRejection) this.reject(label, error.message);
			else throw error;
		}
	}
}

/** Reads a source's decompressed content in whatever shape it came, recognised by content. */
export function parseContent(content: Buffer, name: string): ParsedContent {
	const notes: string[] = [];
	let text: string;
	if (content[0] === 0xff && content[1] === 0xfe) {
		text = content.subarray(2).toString('utf16le');
		notes.push('UTF-16LE text');
	} else {
		if (!isUtf8(content)) notes.push('invalid UTF-8 bytes replaced by U+FFFD');
		text = content.toString('utf8');
	}
	let start = 0;
	if (text.charCodeAt(0) === 0xfeff) {
		start = 1;
		notes.push('byte order mark');
	}
	start = skipSpace(text, start);
	if (start >= text.length) return {kind: 'skipped', reason: content.length === 0 ? 'empty file' : 'only white space'};
	// Written by mfatrail scope beside a scoped download; the import command records it.
	if (/(^|\/)mfatrail-scope\.json$/.test(name)) return {kind: 'skipped', reason: 'mfatrail scope file (recorded as the case scope)'};
	const c = text.charCodeAt(start);
	if (c !== 0x7b && c !== 0x5b) {
		const csv = parseCsv(text.slice(start), name);
		if (csv) return csv.kind === 'records' ? {...csv, notes: [...notes, ...csv.notes]} : csv;
		if (documentation.test(name)) return {kind: 'skipped', reason: 'not evidence: a text file that is not JSON or CSV'};
		return {kind: 'rejected', position: `byte ${start}`, reason: `not JSON or CSV: starts with ${JSON.stringify(text.slice(start, start + 12))}`};
	}
	const first = valueExtent(text, start);
	const after = first.end < 0 ? text.length : skipSpace(text, first.end);
	const collector = new Collector();
	for (const n of notes) collector.notes.add(n);
	let format: string;
	if (after >= text.length) {
		// One JSON document.
		const single = readDocument(text, start, first, collector, name);
		if (single.kind !== 'records') return single;
		format = single.format;
	} else if (!text.slice(start, first.end).includes('\n')) {
		format = readLines(text, start, collector);
	} else {
		format = readSequence(text, start, collector);
	}
	return {
		kind: 'records',
		format,
		events: collector.events,
		rawBlocks: collector.raw.finish(),
		rejected: collector.rejected,
		notes: [...collector.notes],
		damaged: collector.damaged,
	};
}

function readDocument(text: string, start: number, first: {end: number; depth: number}, out: Collector, name: string): ParsedContent | {kind: 'records'; format: string} {
	if (text.charCodeAt(start) === 0x5b) {
		readArray(text, start, out, 'record');
		return {kind: 'records', format: 'record-array'};
	}
	const records = topLevelArrayOf(text, 'Records');
	if (records >= 0) {
		readArray(text, records, out, 'record');
		return {kind: 'records', format: 'cloudtrail-log'};
	}
	const events = topLevelArrayOf(text, 'Events');
	if (events >= 0) {
		readLookupPage(text, start, events, out);
		return {kind: 'records', format: 'lookup-events'};
	}
	if (first.end < 0) return {kind: 'rejected', position: `byte ${text.length}`, reason: 'JSON document ends before it is complete (truncated?)'};
	if (first.depth > limits.maxDepth) return {kind: 'rejected', position: 'byte 0', reason: `JSON nested ${first.depth} levels deep (limit ${limits.maxDepth})`};
	let value: unknown;
	try {
		value = JSON.parse(text.slice(start, first.end));
	} catch (error) {
		return {kind: 'rejected', position: null, reason: `not valid JSON: ${(error as Error).message}`};
	}
	if (!isObject(value)) return {kind: 'rejected', position: null, reason: 'JSON of another shape: not an object or array'};
	if (typeof value.digestStartTime === 'string' && (Array.isArray(value.logFiles) || 'digestS3Object' in value)) {
		return {kind: 'digest', digest: digestRow(value, text.slice(start, first.end)), notes: []};
	}
	const kind = valueKind(value);
	if (kind === 'other') {
		const keys = Object.keys(value).slice(0, 6).join(', ');
		return {
			kind: 'rejected',
			position: null,
			reason: `JSON of another shape: an object with keys ${keys || '(none)'}; expected CloudTrail records ({"Records":[…]}, lookup-events, a record, an EventBridge event)`,
		};
	}
	takeParsed(value, text, {start, end: first.end}, out, 'record 0');
	void name;
	return {kind: 'records', format: kind === 'record' ? 'single-record' : kind};
}

type ValueKind = 'lookup-events' | 'eventbridge' | 'cloudtrail-log' | 'lookup-page' | 'record' | 'other';

function valueKind(value: Json): ValueKind {
	if (typeof value.CloudTrailEvent === 'string') return 'lookup-events';
	if (isObject(value.detail) && ('detail-type' in value || ('source' in value && 'account' in value))) return 'eventbridge';
	if (Array.isArray(value.Records)) return 'cloudtrail-log';
	if (Array.isArray(value.Events)) return 'lookup-page';
	if (recordKeys.some(k => k in value) || '@timestamp' in value) return 'record';
	return 'other';
}

/** The elements of an array (records, Events, envelopes), each with its exact text. */
function readArray(text: string, open: number, out: Collector, noun: string): void {
	const {slices, error, errorAt} = arraySlices(text, open);
	for (const slice of slices) takeSlice(text, slice, out, `${noun} ${out.position}`);
	if (error) {
		out.damaged = true;
		out.reject(`${noun} ${out.position} (byte ${errorAt})`, `${syntaxError(text, errorAt ?? open) ?? error}; ${slices.length} complete ${noun}s before it were read`);
	}
}

/** Checks size and depth before parsing, then hands the parsed value on. */
function takeSlice(text: string, slice: Slice, out: Collector, label: string): void {
	const size = slice.end - slice.start;
	if (size > limits.maxRecordBytes) return out.reject(label, `record of ${mib(size)} exceeds the limit of ${mib(limits.maxRecordBytes)}`);
	if ((slice.depth ?? 0) > limits.maxDepth) return out.reject(label, `record nested ${slice.depth} levels deep (limit ${limits.maxDepth})`);
	let value: unknown;
	try {
		value = JSON.parse(text.slice(slice.start, slice.end));
	} catch (error) {
		return out.reject(label, `not valid JSON: ${(error as Error).message}`);
	}
	takeParsed(value, text, slice, out, label);
}

function takeParsed(value: unknown, text: string, slice: Slice, out: Collector, label: string): void {
	const raw = text.slice(slice.start, slice.end);
	if (!isObject(value)) return out.record(value, raw, label);
	switch (valueKind(value)) {
		case 'lookup-events':
			return lookupEvent(value, out, label);
		case 'eventbridge': {
			// The record is the `detail` value, byte for byte; the envelope is not part of it.
			const detail = memberValue(raw, 0, 'detail');
			return out.record(value.detail, detail ? raw.slice(detail.start, detail.end) : JSON.stringify(value.detail), label, {flags: ['eventbridge']});
		}
		case 'cloudtrail-log': {
			const at = topLevelArrayOf(raw, 'Records');
			if (at >= 0) return readArray(raw, at, out, 'record');
			return out.reject(label, 'Records is not an array');
		}
		case 'lookup-page': {
			const at = topLevelArrayOf(raw, 'Events');
			if (at >= 0) return readLookupPage(raw, 0, at, out);
			return out.reject(label, 'Events is not an array');
		}
		default:
			return out.record(value, raw, label);
	}
}

/** A lookup-events page: the records are the CloudTrailEvent strings of its Events. */
function readLookupPage(text: string, objectStart: number, eventsOpen: number, out: Collector): void {
	const token = memberValue(text, objectStart, 'NextToken');
	if (token && text.slice(token.start, token.end) !== 'null') {
		out.notes.add('NextToken present: lookup-events had further pages that are not in this input');
	}
	readArray(text, eventsOpen, out, 'event');
}

/** One lookup-events Event: the inner CloudTrailEvent string is the original record; its eventTime is the truth. */
function lookupEvent(wrapper: Json, out: Collector, label: string): void {
	const inner = wrapper.CloudTrailEvent as string;
	if (inner.length > limits.maxRecordBytes) return out.reject(label, `CloudTrailEvent of ${mib(inner.length)} exceeds the limit of ${mib(limits.maxRecordBytes)}`);
	const {end, depth} = valueExtent(inner, skipSpace(inner, 0));
	if (depth > limits.maxDepth) return out.reject(label, `CloudTrailEvent nested ${depth} levels deep (limit ${limits.maxDepth})`);
	let record: unknown;
	try {
		record = JSON.parse(inner);
	} catch (error) {
		return out.reject(label, `CloudTrailEvent is not valid JSON: ${(error as Error).message}`);
	}
	void end;
	const flags = ['lookup-events'];
	if (isObject(record) && typeof wrapper.EventId === 'string' && record.eventID !== undefined && wrapper.EventId !== record.eventID) {
		flags.push('wrapper-id-mismatch');
	}
	out.record(record, inner, label, {flags});
}

/** JSON Lines: one value per line; a bad line is rejected alone. */
function readLines(text: string, start: number, out: Collector): string {
	let format: string | undefined;
	let lineNo = 1;
	for (let i = 0; i < start; i++) if (text.charCodeAt(i) === 0x0a) lineNo++;
	let pos = start;
	while (pos < text.length) {
		let nl = text.indexOf('\n', pos);
		if (nl < 0) nl = text.length;
		const s = skipSpace(text, pos);
		if (s < nl) {
			const label = `line ${lineNo}`;
			const {end, depth} = valueExtent(text, s);
			const lineEnd = trimEnd(text, nl);
			if (end !== lineEnd) {
				out.reject(label, end < 0 || end > nl ? 'line is not a complete JSON value (truncated?)' : 'not valid JSON: text after the value');
				if (nl >= text.length) out.damaged = end < 0;
			} else {
				if (format === undefined) format = lineFormat(text, s, end);
				takeSlice(text, {start: s, end, depth}, out, label);
			}
		}
		pos = nl + 1;
		lineNo++;
	}
	return format ?? 'jsonl';
}

function lineFormat(text: string, s: number, end: number): string {
	const line = text.slice(s, Math.min(end, s + 4096));
	if (line.includes('"CloudTrailEvent"')) return 'lookup-events';
	if (line.includes('"detail-type"')) return 'eventbridge';
	return 'jsonl';
}

function trimEnd(text: string, end: number): number {
	while (end > 0) {
		const c = text.charCodeAt(end - 1);
		if (c !== 0x20 && c !== 0x0d && c !== 0x09) break;
		end--;
	}
	return end;
}

/** Several pretty-printed JSON documents one after another (pages appended to one file). */
function readSequence(text: string, start: number, out: Collector): string {
	let pos = start;
	let format: string | undefined;
	while (pos < text.length) {
		const c = text.charCodeAt(pos);
		const label = `document at byte ${pos}`;
		if (c !== 0x7b && c !== 0x5b) {
			out.reject(label, `not JSON: unexpected ${JSON.stringify(text.slice(pos, pos + 12))}; the rest of the input was not read`);
			out.damaged = true;
			break;
		}
		const {end, depth} = valueExtent(text, pos);
		if (end < 0) {
			out.reject(label, 'JSON document ends before it is complete (truncated?)');
			out.damaged = true;
			break;
		}
		if (c === 0x5b) readArray(text, pos, out, 'record');
		else {
			format ??= lineFormat(text, pos, end);
			const records = topLevelArrayOf(text.slice(pos, end), 'Records');
			if (records >= 0) format = 'cloudtrail-log';
			takeSlice(text, {start: pos, end, depth}, out, label);
		}
		pos = skipSpace(text, end);
	}
	return format === 'jsonl' ? 'json-sequence' : (format ?? 'json-sequence');
}

function digestRow(value: Json, body: string): DigestRow {
	const str = (v: unknown) => (typeof v === 'string' ? v : null);
	const s3Object = str(value.digestS3Object);
	const region = str(value.awsRegion) ?? (s3Object ? (/CloudTrail-Digest\/([a-z0-9-]+)\//.exec(s3Object)?.[1] ?? null) : null);
	return {
		accountId: str(value.awsAccountId),
		region,
		digestStartTime: str(value.digestStartTime),
		digestEndTime: str(value.digestEndTime),
		s3Bucket: str(value.digestS3Bucket),
		s3Object,
		previousHash: str(value.previousDigestHashValue),
		body,
	};
}

/** The parser's own words for what is wrong from `at` on (bad JSON rather than a cut-off file), if it has any. */
function syntaxError(text: string, at: number): string | undefined {
	const rest = text.slice(at, at + Math.min(limits.maxRecordBytes, 1024 * 1024));
	try {
		JSON.parse(rest);
	} catch (error) {
		const message = (error as Error).message;
		if (/Unexpected end of JSON input|Unterminated string/i.test(message) && rest.length === text.length - at) return undefined;
		return `not valid JSON: ${message}`;
	}
	return undefined;
}
