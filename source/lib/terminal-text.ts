/**
 * Evidence text is attacker-controlled. This is the one place where it becomes terminal text:
 * control characters (C0, DEL, C1, and so every ESC/CSI/OSC/DCS sequence), bidirectional
 * overrides and isolates, and invisible characters are replaced by visible escapes such as
 * `\x1b` or `\u202e`, never deleted (a deleted zero-width space makes `Admin\u200Bistrator` look
 * like `Administrator`). The backslash itself is escaped, so a literal `\x1b` typed by an
 * attacker shows as `\\x1b` and cannot pass for an escaped control. The escaping is reversible
 * (unescapeTerminalSafe), so nothing is lost.
 */

// Everything a terminal could act on, or a reader could not see or tell apart from something else:
// - C0 controls, DEL and C1 controls: every ESC (0x1b) and 8-bit CSI/OSC/DCS/ST (0x9b, 0x9d, 0x90,
//   0x9c) byte is escaped, so no sequence survives, however it is split or unterminated;
// - blank look-alikes of the space: NBSP, Ogham space, U+2000–U+200A, U+202F, U+205F, U+3000;
// - soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers, Khmer inherent vowels,
//   Mongolian variation selectors and vowel separator;
// - zero-width space/joiners, LRM/RLM, line and paragraph separators, bidi embeddings, overrides and
//   isolates (U+202A–U+202E, U+2066–U+2069), word joiner and invisible operators (U+2060–U+206F);
// - variation selectors, BOM/ZWNBSP, half-width Hangul filler, interlinear annotation controls,
//   noncharacters U+FFFE/U+FFFF;
// - astral: shorthand format controls (U+1BCA0–3), musical formatting (U+1D173–A), tag characters
//   (U+E0000–U+E007F) and variation selectors supplement (U+E0100–U+E01EF);
// - lone surrogates (a JSON "\ud800" escape), which a terminal would show as U+FFFD or garbage.
const bmpHidden =
	'\\u0000-\\u001f\\u007f-\\u00a0\\u00ad\\u034f\\u061c\\u115f\\u1160\\u1680\\u17b4\\u17b5\\u180b-\\u180f' +
	'\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u3000\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufffb\\ufffe\\uffff';
const astralHidden =
	'\\ud82f[\\udca0-\\udca3]|\\ud834[\\udd73-\\udd7a]|\\udb40[\\udc00-\\udc7f\\udd00-\\uddef]';
const loneSurrogate = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const hiddenPattern = `[${bmpHidden}]|${astralHidden}|${loneSurrogate}`;
const unsafe = new RegExp(`\\\\|${hiddenPattern}`, 'g');
const hidden = new RegExp(hiddenPattern);

const named: Record<string, string> = {'\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t'};

function escape(ch: string): string {
	const known = named[ch];
	if (known) return known;
	const code = ch.codePointAt(0)!;
	if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
	if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
	return `\\u{${code.toString(16)}}`;
}

/** Text from evidence, safe to write to a terminal. */
export function terminalSafe(text: string): string {
	unsafe.lastIndex = 0;
	if (!unsafe.test(text)) return text;
	unsafe.lastIndex = 0;
	return text.replace(unsafe, escape);
}

const escapeToken = /\\(?:\\|n|r|t|x([0-9a-f]{2})|u\{([0-9a-f]{1,6})\}|u([0-9a-f]{4}))/g;

/**
 * The original text back from terminalSafe output: proof that escaping loses nothing, and a way
 * to search for a value the analyst copied from the screen.
 */
export function unescapeTerminalSafe(text: string): string {
	return text.replace(escapeToken, (token, x?: string, astral?: string, bmp?: string) => {
		if (token === '\\\\') return '\\';
		if (token === '\\n') return '\n';
		if (token === '\\r') return '\r';
		if (token === '\\t') return '\t';
		// fromCharCode, not fromCodePoint: a lone surrogate must come back as itself.
		if (x !== undefined) return String.fromCharCode(parseInt(x, 16));
		if (bmp !== undefined) return String.fromCharCode(parseInt(bmp, 16));
		return String.fromCodePoint(parseInt(astral!, 16));
	});
}

/** True when the text holds characters that terminalSafe had to escape (the backslash aside). */
export function hasHiddenCharacters(text: string): boolean {
	return hidden.test(text);
}

/** Any value (numbers, null) from evidence as safe terminal text; null and undefined as ''. */
export function safe(value: unknown): string {
	if (value === null || value === undefined) return '';
	return terminalSafe(typeof value === 'string' ? value : String(value));
}

// Terminal columns of one code point of already-safe text (no controls left): combining marks 0,
// East Asian wide and fullwidth characters and emoji 2, everything else 1.
const combining = /^\p{M}$/u;
const wide =
	/^[\u1100-\u115f\u231a\u231b\u2329\u232a\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{1b2ff}\u{1f004}\u{1f0cf}\u{1f18e}\u{1f191}-\u{1f19a}\u{1f200}-\u{1f251}\u{1f300}-\u{1f64f}\u{1f680}-\u{1f6ff}\u{1f7e0}-\u{1f7eb}\u{1f90c}-\u{1f9ff}\u{1fa70}-\u{1faff}\u{20000}-\u{3fffd}]$/u;

/** Printable ASCII: one column a character, no escape to keep whole (most evidence; the fast path). */
const plainAscii = /^[\x20-\x5b\x5d-\x7e]*$/;

function columns(codePoint: string): number {
	// Combining marks start at U+0300, wide characters at U+1100: below both, one column.
	if (codePoint.charCodeAt(0) < 0x300) return 1;
	if (combining.test(codePoint)) return 0;
	return wide.test(codePoint) ? 2 : 1;
}

/** Terminal columns that safe text occupies (width is computed after escaping, so columns line up). */
export function displayWidth(text: string): number {
	if (plainAscii.test(text)) return text.length;
	let width = 0;
	for (const ch of text) width += columns(ch);
	return width;
}

/**
 * Evidence text made safe and cut to at most `max` terminal columns, with a "…(+N)" marker saying
 * how many characters (code points) of the original were left out. Escapes are never cut in half.
 * A 1 MB user agent or 50,000 combining marks cost O(max) columns here: for the budget every code
 * point counts at least one column, so no value, however built, yields more than `max` of them.
 * (When `max` is narrower than the marker itself, a lone "…" is returned.)
 */
export function truncateSafe(value: unknown, max: number): string {
	const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : String(value);
	const kept: {token: string; cost: number}[] = [];
	let width = 0;
	let offset = 0; // UTF-16 offset of the first code point not kept
	let complete = true;
	for (const ch of text) {
		const token = terminalSafe(ch);
		const cost = token === ch ? Math.max(1, columns(ch)) : token.length;
		if (width + cost > max) {
			complete = false;
			break;
		}
		kept.push({token, cost});
		width += cost;
		offset += ch.length;
	}
	if (complete) return kept.map(k => k.token).join('');
	let total = kept.length;
	for (let i = offset; i < text.length; i++) {
		const code = text.charCodeAt(i);
		// A high surrogate followed by a low one is one code point.
		if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) i++;
		}
		total++;
	}
	let marker = `…(+${total - kept.length})`;
	while (kept.length > 0 && width + displayWidth(marker) > max) {
		width -= kept.pop()!.cost;
		marker = `…(+${total - kept.length})`;
	}
	// Layout first: a column too narrow even for the marker gets the ellipsis alone.
	if (width + displayWidth(marker) > max) return max > 0 ? '…' : '';
	return kept.map(k => k.token).join('') + marker;
}

/**
 * CSV cell, the one CSV policy of every file mfatrail writes: control, bidi and invisible
 * characters made visible (terminalSafe: a CSV is read with cat, less and spreadsheets, which show
 * an override or an ESC sequence as the attacker meant; the escape is reversible and the case file
 * keeps the original byte-exact), a leading = + - @ neutralised against formula injection, and
 * quoted when needed.
 */
export function csvCell(value: unknown): string {
	let text = terminalSafe(value === null || value === undefined ? '' : String(value));
	if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One escape that terminalSafe writes, or one code point. */
export const safeTextToken = /\\(?:\\|n|r|t|x[0-9a-f]{2}|u\{[0-9a-f]{1,6}\}|u[0-9a-f]{4})|[\s\S]/gu;

/** The tokens of safe text that fit in width columns, and whether all of it fit. */
export function takeColumns(text: string, width: number): {kept: string; used: number; whole: boolean} {
	if (plainAscii.test(text)) return text.length <= Math.max(0, width) ? {kept: text, used: text.length, whole: true} : {kept: text.slice(0, Math.max(0, width)), used: Math.max(0, width), whole: false};
	let used = 0;
	let end = 0;
	safeTextToken.lastIndex = 0;
	for (let m = safeTextToken.exec(text); m; m = safeTextToken.exec(text)) {
		const cost = displayWidth(m[0]);
		if (used + cost > width) return {kept: text.slice(0, end), used, whole: false};
		used += cost;
		end = safeTextToken.lastIndex;
	}
	return {kept: text, used, whole: true};
}

/**
 * Cuts text already made safe to width columns, ending with '…' when it had to cut, on token
 * boundaries: an escape such as `\\x1b` is kept whole or left out, never cut to `\\x`.
 */
export function truncate(text: string, width: number): string {
	if (width <= 0) return '';
	const all = takeColumns(text, width);
	if (all.whole) return text;
	return `${takeColumns(text, width - 1).kept}…`;
}
