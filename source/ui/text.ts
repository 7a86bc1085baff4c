import {terminalSafe} from '../lib/terminal-text.js';

/**
 * Evidence text is escaped first (terminalSafe) and only then cut to the column, so an escape such
 * as `\x1b` is never split into something that looks like a different character.
 */

/** Characters of an already-safe string, by code point. */
function chars(text: string): string[] {
	return Array.from(text);
}

/** Cuts safe text to width columns, ending with '…' when it had to cut. */
export function truncate(text: string, width: number): string {
	if (width <= 0) return '';
	const list = chars(text);
	if (list.length <= width) return text;
	if (width === 1) return '…';
	return `${list.slice(0, width - 1).join('')}…`;
}

/** Cuts and pads safe text to exactly width columns. */
export function fit(text: string, width: number): string {
	const cut = truncate(text, width);
	const length = chars(cut).length;
	return length < width ? cut + ' '.repeat(width - length) : cut;
}

/** Evidence value → safe text of at most width columns ('' for null/undefined). */
export function evidence(value: unknown, width: number): string {
	if (value === null || value === undefined) return '';
	return truncate(terminalSafe(typeof value === 'string' ? value : String(value)), width);
}

/** A stretch of a label, marked when it matched the search. */
export interface Segment {
	text: string;
	mark: boolean;
}

/**
 * Splits a raw label at the matched ranges ([start, end] inclusive, as fuse.js reports them),
 * escapes each stretch separately (so offsets into the raw label stay right), and cuts the whole
 * to width.
 */
export function highlightSegments(raw: string, matches: ReadonlyArray<readonly [number, number]>, width: number): Segment[] {
	const ranges = [...matches].filter(([s, e]) => e >= s).sort((a, b) => a[0] - b[0]);
	const pieces: Segment[] = [];
	let at = 0;
	for (const [start, end] of ranges) {
		if (start > at) pieces.push({text: raw.slice(at, start), mark: false});
		const from = Math.max(start, at);
		if (end + 1 > from) pieces.push({text: raw.slice(from, end + 1), mark: true});
		at = Math.max(at, end + 1);
	}
	if (at < raw.length) pieces.push({text: raw.slice(at), mark: false});
	const out: Segment[] = [];
	let room = width;
	const total = pieces.reduce((n, p) => n + chars(terminalSafe(p.text)).length, 0);
	const cutting = total > width;
	if (cutting) room = width - 1;
	for (const piece of pieces) {
		if (room <= 0) break;
		const safeText = terminalSafe(piece.text);
		const list = chars(safeText);
		const take = list.slice(0, room).join('');
		room -= Math.min(list.length, room);
		if (take) out.push({text: take, mark: piece.mark});
	}
	if (cutting && width > 0) out.push({text: '…', mark: false});
	return out;
}

/** Width of safe text in columns (code points; evidence has been escaped to printable text). */
export function textWidth(text: string): number {
	return chars(text).length;
}
