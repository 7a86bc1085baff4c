import {limits} from '../limits.js';
import {extent, extentDepth, skipSpace, stringEnd, ValueSkipper} from '../scan.js';
import {Window} from '../window.js';
import type {Collector} from '../collector.js';
import {isObject, lineFormat, syntaxError, takeParsed, takeValue, tooLarge, valueKind, type Json} from './records.js';
import type {DigestRow, Reader, ReaderState, Step, WholeOutcome} from './reader.js';

/**
 * JSON documents: S3 log files ({"Records":[…]}), lookup-events pages ({"Events":[…],"NextToken"}),
 * bare arrays, several documents one after another (appended pages), and single documents (one
 * record, an EventBridge envelope, a digest). The arrays are streamed element by element: a 40 GiB
 * Records file is read in one pass that finds each record's bytes, never the document's whole text.
 */

type Mode =
	| 'top' // between documents
	| 'first' // just after '[': an element or ']'
	| 'element' // after ',': an element
	| 'separator' // after an element: ',' or ']'
	| 'rest' // after the array inside an object: more members or '}'
	| 'skip' // inside a value too large to keep
	| 'end';

export class DocumentReader implements Reader {
	format = 'record-array';
	whole?: WholeOutcome;
	private mode: Mode = 'top';
	/** Noun for positions: 'record' in Records and arrays, 'event' in lookup-events Events. */
	private noun = 'record';
	/** The array being read is the value of a member of a top-level object (more members may follow). */
	private inObject = false;
	/** Documents begun (a nested log file starts at 1: it is never the source's single document). */
	docs = 0;
	/** Elements read from the current array (for messages). */
	private elements = 0;
	private skipper?: ValueSkipper;
	private skipStart = 0;
	private skipLabel = '';
	private skipThen: Mode = 'top';

	constructor(state?: ReaderState) {
		if (state) {
			this.format = state.format as string;
			this.mode = state.mode as Mode;
			this.noun = state.noun as string;
			this.inObject = state.inObject as boolean;
			this.docs = state.docs as number;
		}
	}

	state(): ReaderState {
		return {r: 'document', format: this.format, mode: this.mode, noun: this.noun, inObject: this.inObject, docs: this.docs};
	}

	read(w: Window, out: Collector): Step {
		const t = w.text;
		for (;;) {
			switch (this.mode) {
				case 'end':
					return 'done';
				case 'top': {
					const i = skipSpace(t, w.pos);
					w.pos = i;
					if (i >= t.length) return w.eof ? this.finish() : 'more';
					const c = t.charCodeAt(i);
					if (c === 0x5b) {
						if (this.docs++ === 0) this.format = 'record-array';
						this.openArray(w, i + 1, 'record', false);
					} else if (c === 0x7b) {
						const step = this.object(w, out, i);
						if (step) return step;
					} else {
						out.reject(`document at byte ${w.at(i)}`, `not JSON: unexpected ${JSON.stringify(w.utf8(i, Math.min(t.length, i + 12)))}; the rest of the input was not read`);
						out.damaged = true;
						this.mode = 'end';
					}
					continue;
				}
				case 'first':
				case 'element': {
					const i = skipSpace(t, w.pos);
					if (i >= t.length) {
						if (!w.eof) return (w.pos = i), 'more';
						this.broken(w, out, i, 'unexpected end of data (truncated?)');
						continue;
					}
					if (this.mode === 'first' && t.charCodeAt(i) === 0x5d) {
						this.closeArray(w, i + 1);
						continue;
					}
					const e = extent(t, i);
					if (e < 0) {
						if (!w.eof && t.length - i <= limits.maxRecordBytes) return (w.pos = i), 'more';
						if (!w.eof) {
							this.startSkip(w, i, `${this.noun} ${out.position}`, 'separator');
							continue;
						}
						this.broken(w, out, i, 'unterminated value (truncated?)');
						continue;
					}
					const accepted = out.events.length;
					takeValue(w, i, e, extentDepth, out, `${this.noun} ${out.position}`, nestedLog);
					if (out.events.length > accepted) out.progressAt = w.at(e);
					this.elements++;
					w.pos = e;
					this.mode = 'separator';
					if (out.full) return 'cut';
					continue;
				}
				case 'separator': {
					const i = skipSpace(t, w.pos);
					if (i >= t.length) {
						if (!w.eof) return (w.pos = i), 'more';
						this.broken(w, out, i, 'unexpected end of data (truncated?)');
						continue;
					}
					const c = t.charCodeAt(i);
					if (c === 0x2c) {
						w.pos = i + 1;
						this.mode = 'element';
					} else if (c === 0x5d) this.closeArray(w, i + 1);
					// The parser's words on what follows need the same bytes however the content was windowed.
					else if (!w.eof && t.length - i < syntaxContext) return (w.pos = i), 'more';
					else this.broken(w, out, i, `unexpected character at byte ${w.at(i)}`);
					continue;
				}
				case 'rest': {
					const step = this.rest(w, out);
					if (step) return step;
					continue;
				}
				case 'skip': {
					const e = this.skipper!.skip(t, w.pos);
					if (e < 0) {
						w.pos = t.length;
						if (!w.eof) return 'more';
						out.reject(this.skipLabel, `${tooLarge(w.at(t.length) - this.skipStart)}, and the input ends inside it (truncated?)`);
						out.damaged = true;
						this.mode = 'end';
						continue;
					}
					out.reject(this.skipLabel, tooLarge(w.at(e) - this.skipStart));
					w.pos = e;
					this.mode = this.skipThen;
					continue;
				}
			}
		}
	}

	/** At the end of the content: an empty document list is not evidence. */
	private finish(): Step {
		if (this.docs === 0) this.whole = {kind: 'skipped', reason: 'only white space'};
		this.mode = 'end';
		return 'done';
	}

	private openArray(w: Window, at: number, noun: string, inObject: boolean): void {
		this.noun = noun;
		this.inObject = inObject;
		this.elements = 0;
		this.mode = 'first';
		w.pos = at;
	}

	private closeArray(w: Window, at: number): void {
		w.pos = at;
		this.mode = this.inObject ? 'rest' : 'top';
	}

	/** Damage between elements: what came before is kept, the rest of the source is not read. */
	private broken(w: Window, out: Collector, i: number, what: string): void {
		out.damaged = true;
		const reason = syntaxError(w, i) ?? what;
		out.reject(`${this.noun} ${out.position} (byte ${w.at(i)})`, `${reason}; ${this.elements} complete ${this.noun}s before it were read`);
		this.mode = 'end';
	}

	private startSkip(w: Window, i: number, label: string, then: Mode): void {
		this.skipper = new ValueSkipper();
		this.skipStart = w.at(i);
		this.skipLabel = label;
		this.skipThen = then;
		this.mode = 'skip';
		w.pos = i;
	}

	/**
	 * A top-level object at `i`. Its members are walked until a Records or Events array, which is
	 * then streamed. An object without one is a document read whole (a record, an envelope, a digest).
	 */
	private object(w: Window, out: Collector, i: number): Step | undefined {
		const t = w.text;
		let j = skipSpace(t, i + 1);
		let nextToken = false;
		let depth = 1;
		for (;;) {
			if (j >= t.length) return this.objectNeedsMore(w, out, i);
			const c = t.charCodeAt(j);
			if (c === 0x7d) return this.document(w, out, i, j + 1, depth);
			if (c !== 0x22) return this.document(w, out, i, -1, 0);
			const keyEnd = stringEnd(t, j);
			if (keyEnd === 0) return this.objectNeedsMore(w, out, i);
			const key = t.slice(j + 1, keyEnd - 1);
			const colon = skipSpace(t, keyEnd);
			if (colon >= t.length) return this.objectNeedsMore(w, out, i);
			if (t.charCodeAt(colon) !== 0x3a) return this.document(w, out, i, -1, 0);
			const v = skipSpace(t, colon + 1);
			if (v >= t.length) return this.objectNeedsMore(w, out, i);
			if ((key === 'Records' || key === 'Events') && t.charCodeAt(v) === 0x5b) {
				const first = this.docs++ === 0;
				if (key === 'Records') this.format = 'cloudtrail-log';
				else if (first || this.format !== 'cloudtrail-log') this.format = 'lookup-events';
				if (nextToken) out.notes.add(nextTokenNote);
				this.openArray(w, v + 1, key === 'Events' ? 'event' : 'record', true);
				return undefined;
			}
			const e = extent(t, v);
			if (e < 0) return this.objectNeedsMore(w, out, i);
			if (extentDepth + 1 > depth) depth = extentDepth + 1;
			if (key === 'NextToken' && t.slice(v, e) !== 'null') nextToken = true;
			j = skipSpace(t, e);
			if (j < t.length && t.charCodeAt(j) === 0x2c) j = skipSpace(t, j + 1);
		}
	}

	private objectNeedsMore(w: Window, out: Collector, i: number): Step | undefined {
		if (w.eof) return this.document(w, out, i, -1, 0);
		if (w.text.length - i > limits.maxRecordBytes) {
			this.docs++;
			this.startSkip(w, i, `document at byte ${w.at(i)}`, 'top');
			return undefined;
		}
		w.pos = i;
		return 'more';
	}

	/** After the streamed array: the object's other members (NextToken may follow Events), then '}'. */
	private rest(w: Window, out: Collector): Step | undefined {
		const t = w.text;
		for (;;) {
			let j = skipSpace(t, w.pos);
			if (j >= t.length) return this.restNeedsMore(w, out, j);
			let c = t.charCodeAt(j);
			if (c === 0x7d) {
				w.pos = j + 1;
				this.mode = 'top';
				return undefined;
			}
			if (c === 0x2c) {
				j = skipSpace(t, j + 1);
				if (j >= t.length) return this.restNeedsMore(w, out, j);
				c = t.charCodeAt(j);
			}
			const keyEnd = c === 0x22 ? stringEnd(t, j) : -1;
			if (keyEnd === 0) return this.restNeedsMore(w, out, j);
			const colon = keyEnd > 0 ? skipSpace(t, keyEnd) : -1;
			if (colon >= t.length) return this.restNeedsMore(w, out, j);
			if (keyEnd < 0 || t.charCodeAt(colon) !== 0x3a) {
				this.brokenAfter(w, out, j);
				return undefined;
			}
			const v = skipSpace(t, colon + 1);
			const e = v < t.length ? extent(t, v) : -1;
			if (e < 0) {
				if (!w.eof && t.length - j <= limits.maxRecordBytes) return this.restNeedsMore(w, out, j);
				this.brokenAfter(w, out, j);
				return undefined;
			}
			if (t.slice(j + 1, keyEnd - 1) === 'NextToken' && t.slice(v, e) !== 'null') out.notes.add(nextTokenNote);
			w.pos = e;
		}
	}

	private restNeedsMore(w: Window, out: Collector, j: number): Step | undefined {
		if (!w.eof) return 'more';
		this.brokenAfter(w, out, j);
		return undefined;
	}

	/** The document is damaged after its records: they are kept, the source is partial. */
	private brokenAfter(w: Window, out: Collector, j: number): void {
		out.damaged = true;
		out.notes.add(`document damaged after its ${this.noun}s at byte ${w.at(j)}`);
		this.mode = 'end';
	}

	/**
	 * A top-level object read whole: window [i, end), `end` -1 when it is incomplete or not an
	 * object the walk understood (JSON.parse then says why).
	 */
	private document(w: Window, out: Collector, i: number, end: number, depth: number): Step | undefined {
		const t = w.text;
		if (end < 0) {
			end = extent(t, i);
			depth = extentDepth;
			if (end < 0 && !w.eof) return this.objectNeedsMore(w, out, i);
		}
		const after = end < 0 ? t.length : skipSpace(t, end);
		if (this.docs === 0 && after >= t.length && !w.eof && t.length - i <= limits.maxRecordBytes) {
			// One document, or the first of several? The bytes after it decide.
			w.pos = i;
			return 'more';
		}
		const single = this.docs++ === 0 && after >= t.length;
		if (!single) {
			if (this.docs === 1) this.format = 'json-sequence';
			const label = `document at byte ${w.at(i)}`;
			if (end < 0) {
				out.reject(label, 'JSON document ends before it is complete (truncated?)');
				out.damaged = true;
				this.mode = 'end';
				return undefined;
			}
			if (this.docs === 1) {
				const kind = lineFormat(t.slice(i, end));
				if (kind !== 'jsonl') this.format = kind;
			}
			const accepted = out.events.length;
			takeValue(w, i, end, depth, out, label, nestedLog);
			if (out.events.length > accepted) out.progressAt = w.at(end);
			w.pos = end;
			this.mode = 'top';
			return out.full ? 'cut' : undefined;
		}
		w.pos = end < 0 ? t.length : end;
		this.mode = 'top';
		this.single(w, out, i, end, depth);
		return undefined;
	}

	/** The only document of the source. */
	private single(w: Window, out: Collector, i: number, end: number, depth: number): void {
		if (end < 0) return void (this.whole = {kind: 'rejected', position: `byte ${w.at(w.text.length)}`, reason: 'JSON document ends before it is complete (truncated?)'});
		if (depth > limits.maxDepth) return void (this.whole = {kind: 'rejected', position: `byte ${w.at(i)}`, reason: `JSON nested ${depth} levels deep (limit ${limits.maxDepth})`});
		if (end - i > limits.maxRecordBytes) return void (this.whole = {kind: 'rejected', position: `byte ${w.at(i)}`, reason: `JSON document: ${tooLarge(end - i)}`});
		const text = w.utf8(i, end);
		let value: unknown;
		try {
			value = JSON.parse(text);
		} catch (error) {
			return void (this.whole = {kind: 'rejected', position: null, reason: `not valid JSON: ${(error as Error).message}`});
		}
		if (!isObject(value)) return void (this.whole = {kind: 'rejected', position: null, reason: 'JSON of another shape: not an object or array'});
		if (typeof value.digestStartTime === 'string' && (Array.isArray(value.logFiles) || 'digestS3Object' in value)) {
			return void (this.whole = {kind: 'digest', digest: digestRow(value, text)});
		}
		const kind = valueKind(value);
		if (kind === 'other') {
			const keys = Object.keys(value).slice(0, 6).join(', ');
			return void (this.whole = {
				kind: 'rejected',
				position: null,
				reason: `JSON of another shape: an object with keys ${keys || '(none)'}; expected CloudTrail records ({"Records":[…]}, lookup-events, a record, an EventBridge event)`,
			});
		}
		this.format = kind === 'record' ? 'single-record' : kind;
		if (!w.valid(i, end)) out.notes.add('invalid UTF-8 bytes replaced by U+FFFD');
		const accepted = out.events.length;
		takeParsed(value, text, w.bytes.subarray(i, end), out, 'record 0', nestedLog);
		if (out.events.length > accepted) out.progressAt = w.at(end);
	}
}

/** Bytes after damage that syntaxError shows the parser (records.ts). */
const syntaxContext = 4096;

const nextTokenNote = 'NextToken present: lookup-events had further pages that are not in this input';

/** A log file inside a value (an array of log files): read whole with a reader of its own. */
export function nestedLog(bytes: Buffer, out: Collector): void {
	const w = new Window();
	w.push(bytes, true);
	const reader = new DocumentReader();
	reader.docs = 1; // never "single": its records are the outer source's
	while (reader.read(w, out) !== 'done');
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
