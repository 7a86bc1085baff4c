/**
 * Evidence text is attacker-controlled. This is the one place where it becomes terminal text:
 * control characters (C0, DEL, C1, and so every ESC/CSI/OSC/DCS sequence), bidirectional
 * overrides and isolates, and invisible characters are replaced by visible escapes such as
 * `\x1b` or `\u202e`, never deleted (a deleted zero-width space makes `Admin\u200Bistrator` look
 * like `Administrator`). The backslash itself is escaped, so a literal `\x1b` typed by an
 * attacker shows as `\\x1b` and cannot pass for an escaped control.
 */

// C0, DEL, C1; bidi marks/embeddings/overrides/isolates; zero-width and other invisible or blank
// characters; line/paragraph separators; tag characters; lone surrogates; the backslash.
const hiddenPattern =
	'[\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufffb]' +
	'|\\udb40[\\udc00-\\udc7f]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
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

/** True when the text holds characters that terminalSafe had to escape (the backslash aside). */
export function hasHiddenCharacters(text: string): boolean {
	return hidden.test(text);
}

/** Any value (numbers, null) from evidence as safe terminal text; null and undefined as ''. */
export function safe(value: unknown): string {
	if (value === null || value === undefined) return '';
	return terminalSafe(typeof value === 'string' ? value : String(value));
}

/** CSV cell: quoted when needed, and a leading = + - @ (or tab/CR) neutralised against formula injection. */
export function csvCell(value: unknown): string {
	let text = value === null || value === undefined ? '' : String(value);
	if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
