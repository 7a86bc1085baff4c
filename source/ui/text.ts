import {displayWidth, safeTextToken as token, takeColumns, terminalSafe, truncate} from '../lib/terminal-text.js';

/**
 * Evidence text is escaped (terminalSafe) first and then cut on token boundaries: an escape such
 * as `\x1b` is one token, kept whole or left out, never cut to `\x` (which would read as something
 * else). Columns end in a plain '…': truncateSafe's '…(+N)' says more but costs up to seven
 * columns of a twelve-column cell; the full value is one Enter (or --json) away. Widths are
 * terminal columns (wide characters count two), as Ink measures them.
 */

export {truncate};

/** The end of safe text in width columns, starting with '…' when it had to cut: for a file path, whose name is at the end. */
export function truncateStart(text: string, width: number): string {
	if (width <= 0) return '';
	if (displayWidth(text) <= width) return text;
	const tokens = text.match(token) ?? [];
	let used = 1;
	let from = tokens.length;
	while (from > 0 && used + displayWidth(tokens[from - 1]) <= width) used += displayWidth(tokens[--from]);
	return `…${tokens.slice(from).join('')}`;
}

/** Cuts and pads safe text to exactly width columns. */
export function fit(text: string, width: number): string {
	const cut = truncate(text, width);
	const used = displayWidth(cut);
	return used < width ? cut + ' '.repeat(width - used) : cut;
}

/**
 * Every code point costs at least one column, so 2×width+2 UTF-16 units are all of a value that
 * can show: a megabyte user agent is not escaped in full on every frame.
 */
function visiblePart(text: string, width: number): string {
	return text.length > 2 * width + 2 ? text.slice(0, 2 * width + 2) : text;
}

/** Evidence value → safe text of at most width columns ('' for null/undefined). */
export function evidence(value: unknown, width: number): string {
	if (value === null || value === undefined) return '';
	const text = typeof value === 'string' ? value : String(value);
	const part = visiblePart(text, width);
	if (part === text) return truncate(terminalSafe(text), width);
	// Clipped before escaping: the value goes on past what can show.
	return width <= 0 ? '' : `${takeColumns(terminalSafe(part), width - 1).kept}…`;
}

/** A stretch of a label, marked when it matched the search. */
export interface Segment {
	text: string;
	mark: boolean;
}

/**
 * Splits a raw label at the matched ranges ([start, end] inclusive, as fuse.js reports them),
 * escapes each stretch separately (so offsets into the raw label stay right), and cuts the whole
 * to width on token boundaries.
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
	if (width <= 0) return [];
	const safePieces = pieces.map(p => ({text: terminalSafe(visiblePart(p.text, width)), mark: p.mark, clipped: visiblePart(p.text, width) !== p.text}));
	const out: Segment[] = [];
	const fill = (room: number): boolean => {
		out.length = 0;
		for (const piece of safePieces) {
			if (room <= 0) return false;
			const {kept, used, whole} = takeColumns(piece.text, room);
			if (kept) out.push({text: kept, mark: piece.mark});
			room -= used;
			if (!whole || piece.clipped) return false;
		}
		return true;
	};
	if (fill(width)) return out;
	fill(width - 1);
	out.push({text: '…', mark: false});
	return out;
}

/** Width of safe text in terminal columns. */
export function textWidth(text: string): number {
	return displayWidth(text);
}

/**
 * Word-wraps safe text to lines of at most width columns (a word longer than a line is split on
 * token boundaries, so an escape such as `\x1b` is never split across lines).
 */
export function wrapWords(text: string, width: number): string[] {
	const out: string[] = [];
	let line = '';
	const push = (word: string) => {
		let rest = word;
		while (displayWidth(rest) > width) {
			const {kept} = takeColumns(rest, width);
			if (!kept) break;
			out.push(kept);
			rest = rest.slice(kept.length);
		}
		line = rest;
	};
	for (const word of text.split(' ')) {
		if (!line) push(word);
		else if (displayWidth(line) + 1 + displayWidth(word) <= width) line += ` ${word}`;
		else {
			out.push(line);
			push(word);
		}
	}
	if (line || out.length === 0) out.push(line);
	return out;
}

/**
 * Safe prose cut to width between words ('IAM user alice …'): a word (an ARN, an IP) is shown
 * whole or left out, never cut.
 */
export function truncateWords(text: string, width: number): string {
	if (displayWidth(text) <= width) return text;
	if (width < 1) return '';
	let out = '';
	for (const word of text.split(' ')) {
		const next = out ? `${out} ${word}` : word;
		if (displayWidth(next) + 2 > width) break;
		out = next;
	}
	return out ? `${out} …` : '…';
}
