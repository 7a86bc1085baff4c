import {limits} from '../limits.js';
import {skipSpace, valueExtent} from '../scan.js';
import type {Collector} from '../collector.js';
import type {Window} from '../window.js';
import {lineFormat, takeValue, tooLarge} from './records.js';
import {nestedLog} from './document.js';
import type {Reader, ReaderState, Step} from './reader.js';

/**
 * JSON Lines (SIEM, Athena and CloudTrail Lake exports; lookup-events Events one per line): one
 * value per line, found with indexOf('\n'). A bad line is rejected alone with its number and the
 * lines after it are read (plaso stops at the first bad line).
 */
export class LinesReader implements Reader {
	format = 'jsonl';
	/** Number of the line starting at the window's `pos`. */
	private line = 1;
	private formatKnown = false;
	/** Inside a line too long to keep: its start, until its newline. */
	private skipping = -1;

	constructor(state?: ReaderState) {
		if (state) {
			this.line = state.line as number;
			this.format = state.format as string;
			this.formatKnown = true;
		}
	}

	state(): ReaderState {
		return {r: 'lines', line: this.line, format: this.format};
	}

	read(w: Window, out: Collector): Step {
		const t = w.text;
		for (;;) {
			if (w.pos >= t.length) return w.eof ? 'done' : 'more';
			let nl = t.indexOf('\n', w.pos);
			if (this.skipping >= 0) {
				if (nl < 0 && !w.eof) return (w.pos = t.length), 'more';
				const end = nl < 0 ? t.length : nl;
				out.reject(`line ${this.line}`, tooLarge(w.at(end) - this.skipping));
				w.pos = end + 1;
				this.line++;
				this.skipping = -1;
				continue;
			}
			if (nl < 0) {
				if (!w.eof) {
					if (t.length - w.pos > limits.maxRecordBytes) this.skipping = w.at(w.pos);
					else return 'more';
					continue;
				}
				nl = t.length;
			}
			// Only this line's blanks: skipping past its end made a run of blank lines cost its length squared.
			const s = skipSpace(t, w.pos, nl);
			if (s < nl) this.line1(w, out, s, trimEnd(t, nl), nl);
			w.pos = nl + 1;
			this.line++;
			if (out.full) return 'cut';
		}
	}

	/** The line's value at window [s, e); `nl` is where its line ends. */
	private line1(w: Window, out: Collector, s: number, e: number, nl: number): void {
		const label = `line ${this.line}`;
		const t = w.text;
		if (!this.formatKnown) {
			this.formatKnown = true;
			this.format = lineFormat(t.slice(s, Math.min(e, s + 4096)));
		}
		// A line shorter than twice the depth limit cannot nest deeper than it: JSON.parse alone
		// checks it. Longer lines are scanned for their depth (and their end) first; so is a last
		// line, which may have been cut.
		let depth = 0;
		if (e - s > 2 * limits.maxDepth || nl >= t.length) {
			const scan = e - s > limits.maxRecordBytes ? {end: e, depth: 0} : valueExtent(t, s);
			const end = scan.end;
			depth = scan.depth;
			if (end !== e) {
				const cut = end < 0 || end > nl;
				if (cut && nl >= t.length) out.damaged = true;
				return out.reject(label, cut ? 'line is not a complete JSON value (truncated?)' : 'not valid JSON: text after the value');
			}
		}
		const accepted = out.events.length;
		takeValue(w, s, e, depth, out, label, nestedLog);
		if (out.events.length > accepted) out.progressAt = w.at(e);
	}
}

function trimEnd(text: string, end: number): number {
	while (end > 0) {
		const c = text.charCodeAt(end - 1);
		if (c !== 0x20 && c !== 0x0d && c !== 0x09) break;
		end--;
	}
	return end;
}
