/**
 * Evidence text in HTML and Markdown (the report). Hidden characters first become the same visible
 * escapes as on the terminal (terminalSafe: controls, bidi overrides, zero-width), so a reader sees
 * what the record holds; then the markup language's own characters are escaped so evidence can
 * never open a tag, an attribute, a link or an emphasis. URL schemes lose their colon to an entity
 * or escape, so not even a linkifying viewer (a ticket system, a mail client) makes a link of them.
 */
import {terminalSafe} from './terminal-text.js';

const htmlEntities: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;'};

/** URL schemes a viewer may run or link (javascript:, data:, https:…), and www. */
const linkish = /\b(javascript|vbscript|livescript|data|file|https?|ftp|mailto|blob|about|ws|wss)(:)|\b(www)(\.)/gi;

/** Text for HTML element content or a quoted attribute value. */
export function html(value: unknown): string {
	const text = value === null || value === undefined ? '' : terminalSafe(String(value));
	return text.replace(/[&<>"'`=]/g, ch => htmlEntities[ch]).replace(linkish, (_m, scheme: string | undefined, _c, www: string | undefined) => (scheme ? `${scheme}&#58;` : `${www}&#46;`));
}

// What a Markdown renderer (or a ticket system's) may act on inside a line: escapes, code, emphasis,
// links and images, HTML and entities, table pipes, strikethrough, math, mentions and references.
const markdownActive = /[\\`*_[\]<>|~&!$@#]/g;

/**
 * Text for a Markdown paragraph or table cell: the characters a renderer acts on are
 * backslash-escaped, URL schemes lose their autolink, and line breaks are visible escapes
 * (terminalSafe), so one value stays one line and one table cell.
 */
export function markdown(value: unknown): string {
	const text = value === null || value === undefined ? '' : terminalSafe(String(value));
	return text
		.replace(markdownActive, ch => `\\${ch}`)
		.replace(linkish, (_m, scheme: string | undefined, _c, www: string | undefined) => (scheme ? `${scheme}\\:` : `${www}\\.`))
		.replace(/^[+\-=]/, '\\$&') // would start a list or a setext heading
		.replace(/^(\d+)([.)])/, '$1\\$2'); // would start an ordered list
}

/**
 * An identifier (ARN, serial, IP, eventID, time) as a Markdown code span: readable as typed, and a
 * code span holds no HTML, link or emphasis. The fence is longer than any backtick run inside; a
 * table's pipe is escaped (GFM splits cells before it reads code spans, and shows `\|` as `|`).
 */
export function markdownCode(value: unknown, {inTable = true}: {inTable?: boolean} = {}): string {
	let text = value === null || value === undefined ? '' : terminalSafe(String(value));
	if (text === '') return '';
	if (inTable) text = text.replace(/\|/g, '\\|');
	const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map(run => run.length));
	const fence = '`'.repeat(longest + 1);
	const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') ? ' ' : '';
	return `${fence}${pad}${text}${pad}${fence}`;
}
