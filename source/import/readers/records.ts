import {limits, mib} from '../limits.js';
import {memberValue, skipSpace, valueExtent} from '../scan.js';
import type {Collector} from '../collector.js';
import type {Window} from '../window.js';

/**
 * What every JSON reader does with one value it has found: checks its size and depth, parses it,
 * and hands the record (or the records it wraps) to the collector with its exact bytes.
 */

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const recordKeys = ['eventTime', 'eventID', 'eventName', 'eventSource', 'eventVersion', 'userIdentity'];

export type ValueKind = 'lookup-events' | 'eventbridge' | 'cloudtrail-log' | 'lookup-page' | 'record' | 'other';

export function valueKind(value: Json): ValueKind {
	if (typeof value.CloudTrailEvent === 'string') return 'lookup-events';
	if (isObject(value.detail) && ('detail-type' in value || ('source' in value && 'account' in value))) return 'eventbridge';
	if (Array.isArray(value.Records)) return 'cloudtrail-log';
	if (Array.isArray(value.Events)) return 'lookup-page';
	if (recordKeys.some(k => k in value) || '@timestamp' in value) return 'record';
	return 'other';
}

/** Window [s, e) holds one value of nesting `depth`: checked, parsed and taken. */
export function takeValue(w: Window, s: number, e: number, depth: number, out: Collector, label: string, nested: NestedReader): void {
	const size = e - s;
	if (size > limits.maxRecordBytes) return out.reject(label, tooLarge(size));
	if (depth > limits.maxDepth) return out.reject(label, `record nested ${depth} levels deep (limit ${limits.maxDepth})`);
	const text = w.utf8(s, e);
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return out.reject(label, `not valid JSON: ${(error as Error).message}`);
	}
	if (!w.valid(s, e)) out.notes.add('invalid UTF-8 bytes replaced by U+FFFD');
	takeParsed(value, text, w.bytes.subarray(s, e), out, label, nested);
}

export const tooLarge = (size: number) => `record of ${mib(size)} exceeds the limit of ${mib(limits.maxRecordBytes)}`;

/** Reads the records of a whole JSON text inside a value (a log file in an array of log files). */
export type NestedReader = (bytes: Buffer, out: Collector) => void;

/** A parsed value: a record, or a wrapper around one or more. */
export function takeParsed(value: unknown, text: string, bytes: Buffer, out: Collector, label: string, nested: NestedReader): void {
	if (!isObject(value)) return out.record(value, bytes, label);
	switch (valueKind(value)) {
		case 'lookup-events':
			return lookupEvent(value, out, label);
		case 'eventbridge': {
			// The record is the `detail` value, byte for byte; the envelope is not part of it.
			const detail = memberValue(text, 0, 'detail');
			const raw = detail ? text.slice(detail.start, detail.end) : JSON.stringify(value.detail);
			return out.record(value.detail, Buffer.from(raw, 'utf8'), label, {flags: ['eventbridge']});
		}
		case 'cloudtrail-log':
		case 'lookup-page':
			return nested(bytes, out);
		default:
			return out.record(value, bytes, label);
	}
}

/** One lookup-events Event: the inner CloudTrailEvent string is the original record; its eventTime the truth. */
export function lookupEvent(wrapper: Json, out: Collector, label: string): void {
	const inner = wrapper.CloudTrailEvent as string;
	if (inner.length > limits.maxRecordBytes) return out.reject(label, `CloudTrailEvent of ${mib(inner.length)} exceeds the limit of ${mib(limits.maxRecordBytes)}`);
	const {depth} = valueExtent(inner, skipSpace(inner, 0));
	if (depth > limits.maxDepth) return out.reject(label, `CloudTrailEvent nested ${depth} levels deep (limit ${limits.maxDepth})`);
	let record: unknown;
	try {
		record = JSON.parse(inner);
	} catch (error) {
		return out.reject(label, `CloudTrailEvent is not valid JSON: ${(error as Error).message}`);
	}
	const flags = ['lookup-events'];
	if (isObject(record) && typeof wrapper.EventId === 'string' && record.eventID !== undefined && wrapper.EventId !== record.eventID) {
		flags.push('wrapper-id-mismatch');
	}
	out.record(record, Buffer.from(inner, 'utf8'), label, {flags});
}

/** The format a line or document suggests, from its first few KiB. */
export function lineFormat(text: string): string {
	const head = text.length > 4096 ? text.slice(0, 4096) : text;
	if (head.includes('"CloudTrailEvent"')) return 'lookup-events';
	if (head.includes('"detail-type"')) return 'eventbridge';
	return 'jsonl';
}

/** The parser's own words for what is wrong from window index `at` on (bad JSON rather than a cut-off file), if any. */
export function syntaxError(w: Window, at: number): string | undefined {
	const end = Math.min(w.text.length, at + 4096);
	const rest = w.utf8(at, end);
	try {
		JSON.parse(rest);
	} catch (error) {
		const message = (error as Error).message;
		if (/Unexpected end of JSON input|Unterminated string/i.test(message) && end === w.text.length && w.eof) return undefined;
		return `not valid JSON: ${message}`;
	}
	return undefined;
}
