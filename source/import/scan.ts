/**
 * Finds where JSON values end without parsing them, so the readers can hand each record's exact
 * bytes to JSON.parse and to storage. Works on any string; the readers give it a window of content
 * decoded as Latin-1, so indexes are byte offsets.
 */

export interface Slice {
	start: number;
	end: number;
	/** Deepest nesting of objects/arrays inside the value (0 for a scalar). */
	depth?: number;
}

/**
 * End (index just past) and nesting depth of the JSON value starting at `start`; end is -1 when
 * the value is unterminated (truncated input). Depth is measured, never limited, so one record
 * nested too deeply is rejected on its own while the records after it are still found.
 */
export function valueExtent(text: string, start: number): {end: number; depth: number} {
	const first = text.charCodeAt(start);
	if (first !== 0x22 && first !== 0x7b && first !== 0x5b) return {end: scalarEnd(text, start), depth: 0};
	const end = extent(text, start);
	return {end, depth: extentDepth};
}

/** Nesting depth measured by the last call to `extent`. */
export let extentDepth = 0;

/**
 * End (index just past) of the JSON value starting at `start`, or -1 when the text ends first; its
 * nesting depth is left in `extentDepth`. Strings, most of a record's bytes, are skipped with
 * indexOf rather than a character loop (the loop cost about a third more per record).
 */
export function extent(text: string, start: number): number {
	const first = text.charCodeAt(start);
	extentDepth = 0;
	if (first === 0x22) {
		const end = stringEnd(text, start);
		return end === 0 ? -1 : end;
	}
	if (first !== 0x7b && first !== 0x5b) {
		const end = scalarEnd(text, start);
		return end >= text.length ? -1 : end;
	}
	const n = text.length;
	let depth = 0;
	let max = 0;
	let i = start;
	while (i < n) {
		const c = text.charCodeAt(i);
		if (c === 0x22) {
			const end = stringEnd(text, i);
			if (end === 0) break;
			i = end;
			continue;
		}
		if (c === 0x7b || c === 0x5b) {
			if (++depth > max) max = depth;
		} else if (c === 0x7d || c === 0x5d) {
			if (--depth === 0) {
				extentDepth = max;
				return i + 1;
			}
		}
		i++;
	}
	extentDepth = max;
	return -1;
}

/** Index just past a scalar (number, true, false, null) starting at `start`. */
function scalarEnd(text: string, start: number): number {
	let i = start;
	while (i < text.length) {
		const c = text.charCodeAt(i);
		if (c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
		i++;
	}
	return i;
}

/** Index just past the string opening at `start`, or 0 when it is unterminated. */
export function stringEnd(text: string, start: number): number {
	let j = text.indexOf('"', start + 1);
	while (j > 0 && text.charCodeAt(j - 1) === 0x5c) {
		// Escaped only after an odd number of backslashes.
		let k = j - 1;
		while (text.charCodeAt(k) === 0x5c) k--;
		if ((j - 1 - k) % 2 === 0) break;
		j = text.indexOf('"', j + 1);
	}
	return j < 0 ? 0 : j + 1;
}

/**
 * Scans past a value too large to keep, across as many windows as it takes: the state carries the
 * nesting and whether the scan stopped inside a string (or just after a backslash in one).
 */
export class ValueSkipper {
	private depth = 0;
	private inString = false;
	private escaped = false;
	private scalar = false;
	private started = false;

	/** Index just past the value's end in `text` from `i`, or -1 when the text ends first. */
	skip(text: string, i: number): number {
		for (; i < text.length; i++) {
			const c = text.charCodeAt(i);
			if (!this.started) {
				this.started = true;
				this.scalar = c !== 0x22 && c !== 0x7b && c !== 0x5b;
			}
			if (this.scalar) {
				if (c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return i;
				continue;
			}
			if (this.inString) {
				if (this.escaped) this.escaped = false;
				else if (c === 0x5c) this.escaped = true;
				else if (c === 0x22) {
					this.inString = false;
					if (this.depth === 0) return i + 1;
				}
			} else if (c === 0x22) this.inString = true;
			else if (c === 0x7b || c === 0x5b) this.depth++;
			else if ((c === 0x7d || c === 0x5d) && --this.depth <= 0) return i + 1;
		}
		return -1;
	}
}

/** The first index from `i` (before `end`) that is not JSON white space. */
export function skipSpace(text: string, i: number, end = text.length): number {
	while (i < end) {
		const c = text.charCodeAt(i);
		if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
		i++;
	}
	return i;
}

/** Slice of the value of top-level key `key` of the object opening at `open`, if present. */
export function memberValue(text: string, open: number, key: string): Slice | undefined {
	let i = skipSpace(text, open);
	if (text.charCodeAt(i) !== 0x7b) return undefined;
	i = skipSpace(text, i + 1);
	while (i < text.length && text.charCodeAt(i) === 0x22) {
		const keyEnd = stringEnd(text, i);
		if (keyEnd <= 0) return undefined;
		const name = text.slice(i + 1, keyEnd - 1);
		i = skipSpace(text, keyEnd);
		if (text.charCodeAt(i) !== 0x3a) return undefined;
		i = skipSpace(text, i + 1);
		const {end} = valueExtent(text, i);
		if (end <= i) return undefined;
		if (name === key) return {start: i, end};
		i = skipSpace(text, end);
		if (text.charCodeAt(i) === 0x2c) i = skipSpace(text, i + 1);
	}
	return undefined;
}
