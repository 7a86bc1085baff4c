import {hasHiddenCharacters} from './terminal-text.js';

/** The pretty-printer of `mfatrail event` and the explorer's Event screen (one, so both show a record alike). */

/** A hidden character inside a JSON string as the JSON escape of the same character. */
function jsonEscape(ch: string): string {
	let text = '';
	for (let i = 0; i < ch.length; i++) text += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
	return text;
}

/**
 * Re-indents JSON text without parsing it into values: strings and numbers are copied exactly as
 * they are in the evidence (JSON.parse/stringify would turn 1.0 into 1 or resolve \u escapes).
 * Hidden characters inside strings (bidi overrides, zero-width…) are shown as their \u escapes,
 * which denote the same characters, so the display is both faithful and terminal-safe. Text that
 * is not JSON comes back unchanged, for the caller to print through safe().
 */
export function prettyJson(text: string, indentUnit = '  '): string | undefined {
	let outText = '';
	let depth = 0;
	let i = 0;
	const newline = () => `\n${indentUnit.repeat(depth)}`;
	while (i < text.length) {
		const ch = text[i];
		if (ch === '"') {
			let j = i + 1;
			while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
			if (j >= text.length) return undefined;
			const token = text.slice(i, j + 1);
			if (hasHiddenCharacters(token)) for (const c of token) outText += hasHiddenCharacters(c) ? jsonEscape(c) : c;
			else outText += token;
			i = j + 1;
			continue;
		}
		if (ch === '{' || ch === '[') {
			const close = ch === '{' ? '}' : ']';
			let k = i + 1;
			while (k < text.length && /\s/.test(text[k])) k++;
			if (text[k] === close) {
				outText += ch + close;
				i = k + 1;
				continue;
			}
			depth++;
			outText += ch + newline();
		} else if (ch === '}' || ch === ']') {
			depth--;
			if (depth < 0) return undefined;
			outText += newline() + ch;
		} else if (ch === ',') outText += `,${newline()}`;
		else if (ch === ':') outText += ': ';
		else if (!/\s/.test(ch)) {
			if (hasHiddenCharacters(ch)) return undefined;
			outText += ch;
		}
		i++;
	}
	return depth === 0 ? outText : undefined;
}
