import {parseCsv} from '../csv.js';
import {limits, mib} from '../limits.js';
import type {Collector} from '../collector.js';
import type {Window} from '../window.js';
import type {Reader, ReaderState, Step, WholeOutcome} from './reader.js';

/** Names of files that sit beside evidence and are not evidence (skipped, not rejected, when not JSON). */
const documentation = /(^|\/)(license|licence|copying|notice|readme|changelog|authors)([.-][^/]*)?$|\.(md|txt|rst|html?|pdf|csv\.sig|sig|sha256|md5)$/i;

/**
 * Content that does not start like JSON: a CloudTrail CSV export (read whole, so at most
 * maxSourceBytes), documentation beside the evidence (skipped), or anything else (rejected). Binary
 * content and text whose first line has no comma are judged from the head alone.
 */
export class TextReader implements Reader {
	format = 'unknown';
	whole?: WholeOutcome;
	private start = -1;

	constructor(private readonly name: string) {}

	state(): ReaderState {
		return {r: 'text'};
	}

	read(w: Window, out: Collector): Step {
		if (this.start < 0) this.start = w.pos;
		const s = this.start;
		const t = w.text;
		const head = t.slice(s, s + 65_536);
		const nl = head.indexOf('\n');
		const firstLine = nl < 0 ? head : head.slice(0, nl);
		const csvLike = !/[\0-\x08\x0e-\x1f]/.test(head) && (firstLine.includes(',') || (nl < 0 && !w.eof && head.length < 65_536));
		if (!csvLike) return this.notEvidence(w, s);
		if (!w.eof) {
			if (w.size > limits.maxSourceBytes) {
				this.whole = {kind: 'rejected', position: null, reason: `CSV or text of more than ${mib(limits.maxSourceBytes)}: only JSON is streamed; split the file`};
				return 'done';
			}
			return 'more';
		}
		const csv = parseCsv(w.utf8(s, t.length), out);
		w.pos = t.length;
		if (!csv) return this.notEvidence(w, s);
		if (csv.kind === 'rejected') this.whole = csv;
		else this.format = csv.format;
		return 'done';
	}

	private notEvidence(w: Window, s: number): Step {
		this.whole = documentation.test(this.name)
			? {kind: 'skipped', reason: 'not evidence: a text file that is not JSON or CSV'}
			: {kind: 'rejected', position: `byte ${w.at(s)}`, reason: `not JSON or CSV: starts with ${JSON.stringify(w.utf8(s, Math.min(w.text.length, s + 12)))}`};
		return 'done';
	}
}
