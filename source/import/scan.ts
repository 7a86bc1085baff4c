/**
 * Finds the exact text of each element of a JSON array without parsing the whole document, so
 * every record is stored byte-for-byte as it appeared in the evidence.
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
	if (first === 0x22) {
		const end = stringEnd(text, start);
		return {end: end === 0 ? -1 : end, depth: 0};
	}
	if (first !== 0x7b && first !== 0x5b) return {end: scalarEnd(text, start), depth: 0};
	let depth = 0;
	let max = 0;
	for (let i = start; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0x22) {
			const end = stringEnd(text, i);
			if (end === 0) return {end: -1, depth: max};
			i = end - 1;
		} else if (c === 0x7b || c === 0x5b) {
			if (++depth > max) max = depth;
		} else if (c === 0x7d || c === 0x5d) {
			if (--depth === 0) return {end: i + 1, depth: max};
		}
	}
	return {end: -1, depth: max};
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

function stringEnd(text: string, start: number): number {
	for (let i = start + 1; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0x5c /* \ */) i++;
		else if (c === 0x22) return i + 1;
	}
	return 0; // unterminated: caller sees -1 after the -1 adjustment
}

export function skipSpace(text: string, i: number): number {
	while (i < text.length) {
		const c = text.charCodeAt(i);
		if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
		i++;
	}
	return i;
}

/** Position of the '[' that opens the value of top-level key `key` in an object document. */
export function topLevelArrayOf(text: string, key: string): number {
	let i = skipSpace(text, 0);
	if (text.charCodeAt(i) !== 0x7b) return -1;
	i = skipSpace(text, i + 1);
	while (i < text.length && text.charCodeAt(i) === 0x22) {
		const keyEnd = stringEnd(text, i);
		if (keyEnd <= 0) return -1;
		const name = text.slice(i + 1, keyEnd - 1);
		i = skipSpace(text, keyEnd);
		if (text.charCodeAt(i) !== 0x3a) return -1;
		i = skipSpace(text, i + 1);
		if (name === key) return text.charCodeAt(i) === 0x5b ? i : -1;
		const {end} = valueExtent(text, i);
		if (end <= i) return -1;
		i = skipSpace(text, end);
		if (text.charCodeAt(i) === 0x2c) i = skipSpace(text, i + 1);
	}
	return -1;
}

/**
 * Elements of the array opening at `open`, each with its depth. A value nested too deeply does not stop the scan; only truncation or a syntax error between elements does.
 */
export function arraySlices(text: string, open: number): {slices: Slice[]; error?: string; errorAt?: number} {
	const slices: Slice[] = [];
	let i = skipSpace(text, open + 1);
	if (text.charCodeAt(i) === 0x5d) return {slices};
	for (;;) {
		if (i >= text.length) return {slices, error: 'unexpected end of data (truncated?)', errorAt: i};
		const {end, depth} = valueExtent(text, i);
		if (end <= i) return {slices, error: 'unterminated value (truncated?)', errorAt: i};
		slices.push({start: i, end, depth});
		i = skipSpace(text, end);
		const c = text.charCodeAt(i);
		if (c === 0x2c) {
			i = skipSpace(text, i + 1);
			continue;
		}
		if (c === 0x5d) return {slices};
		return {slices, error: i >= text.length ? 'unexpected end of data (truncated?)' : `unexpected character at byte ${i}`, errorAt: i};
	}
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
