import {describe, expect, it} from 'vitest';
import {displayWidth, terminalSafe, unescapeTerminalSafe} from '../../source/lib/terminal-text.js';
import {evidence, fit, highlightSegments, truncate, truncateStart} from '../../source/ui/text.js';

const osc = '\u001b]0;PWNED\u0007';
/** An escape cut in half ends in a backslash plus at most a few of its letters: `\x`, `\u20`, `\`. */
const halfEscape = /\\(?:x[0-9a-f]?|u[0-9a-f]{0,3}|u\{[0-9a-f]*)?…/;

describe('cutting text for columns never splits an escape', () => {
	it('evidence() cuts an OSC title sequence only between escapes, and ends in …', () => {
		for (let width = 1; width <= 24; width++) {
			const shown = evidence(`${osc}${osc}`, width);
			expect(displayWidth(shown)).toBeLessThanOrEqual(width);
			expect(shown).not.toContain('\u001b');
			expect(shown).not.toMatch(halfEscape);
			// What is kept, before the marker, is whole escapes that read back as the original's start.
			const kept = shown.replace(/…$/, '');
			expect(`${osc}${osc}`.startsWith(unescapeTerminalSafe(kept))).toBe(true);
		}
		expect(evidence(osc, 9)).toBe('\\x1b]0;P…');
		expect(evidence('alice', 10)).toBe('alice');
		expect(evidence(null, 10)).toBe('');
	});

	it('truncate() of safe text keeps escapes whole', () => {
		const safeText = terminalSafe(`user/${osc}`);
		for (let width = 1; width <= safeText.length; width++) {
			const shown = truncate(safeText, width);
			expect(displayWidth(shown)).toBeLessThanOrEqual(width);
			expect(shown).not.toMatch(halfEscape);
		}
		expect(truncate(safeText, 10)).toBe('user/\\x1b…');
		expect(truncate(safeText, 9)).toBe('user/…');
		expect(truncate('user/\\x1b', 8)).toBe('user/…');
		expect(truncate('abc', 3)).toBe('abc');
	});

	it('fit() pads by terminal columns: a wide character counts two', () => {
		expect(fit('日本', 6)).toBe('日本  ');
		expect(displayWidth(fit('日本語テキスト', 6))).toBeLessThanOrEqual(6);
		expect(fit('日本語テキスト', 6)).toBe('日本… ');
	});

	it('highlightSegments() marks the match and cuts on escape boundaries', () => {
		const raw = `ab${osc}cd`;
		const segments = highlightSegments(raw, [[0, 1]], 100);
		expect(segments[0]).toEqual({text: 'ab', mark: true});
		expect(segments.map(s => s.text).join('')).toBe(terminalSafe(raw));
		for (let width = 1; width < terminalSafe(raw).length; width++) {
			const text = highlightSegments(raw, [[0, 1]], width)
				.map(s => s.text)
				.join('');
			expect(displayWidth(text)).toBeLessThanOrEqual(width);
			expect(text).not.toMatch(halfEscape);
			expect(text.endsWith('…')).toBe(true);
		}
	});

	it('a megabyte label costs the width of the column, not its length', () => {
		const huge = 'x'.repeat(1_000_000);
		const segments = highlightSegments(huge, [[0, 2]], 20);
		expect(segments.map(s => s.text).join('')).toBe(`${'x'.repeat(19)}…`);
		expect(displayWidth(evidence(huge, 20))).toBeLessThanOrEqual(20);
	});
});

describe('truncateStart keeps the end of a path', () => {
	it('keeps the file name and escapes whole', () => {
		const file = terminalSafe('/tmp/\u001b[2Jcase/mfatrail-search-20240301T100000Z.csv');
		expect(truncateStart(file, 200)).toBe(file);
		const shown = truncateStart(file, 45);
		expect(displayWidth(shown)).toBeLessThanOrEqual(45);
		expect(shown.startsWith('…')).toBe(true);
		expect(shown.endsWith('mfatrail-search-20240301T100000Z.csv')).toBe(true);
		for (let width = 1; width < file.length; width++) expect(truncateStart(file, width)).not.toMatch(/^…(x1b|1b|b)\[/);
	});
});

describe('event screen wrapping', () => {
	it('wraps the record by terminal columns and never splits an escape across lines', async () => {
		const {eventModel} = await import('../../source/ui/screens/event.js');
		const {displayWidth} = await import('../../source/lib/terminal-text.js');
		const record = JSON.stringify({eventID: 'e-1', userAgent: 'abcdefghijklmnopq\u001b[31m日本語日本語日本語日本語', eventTime: '2024-01-01T00:00:00Z'});
		const width = 20;
		const model = eventModel(
			{eventId: 'e-1', versions: [{record, conflict: false, partial: false, derived: false, eventTime: '2024-01-01T00:00:00Z', flags: null, provenance: []}]} as never,
			0,
			width,
		);
		const lines = model.panes[0].rows.map(row => String(row.cells[0]));
		for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
		const text = lines.join('');
		expect(text).toContain('日本語日本語日本語日本語');
		// No line ends inside an escape: '\\', '\\u', '\\u0', '\\u00' or '\\u001'.
		expect(lines.filter(line => /\\(u0{0,2}1?)?$/.test(line))).toEqual([]);
		expect(text).toContain('\\u001b[31m');
	});

	it('breaks a long source path between words and at slashes, not inside a word such as cloudtrail-log', async () => {
		const {eventModel} = await import('../../source/ui/screens/event.js');
		const path = 'evidence/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T0000Z_cloudtrail-log.json.gz';
		const record = JSON.stringify({eventID: 'e-1', eventSource: 'cloudtrail-log-delivery.amazonaws.com'});
		const width = 79;
		const model = eventModel(
			{eventId: 'e-1', versions: [{record, conflict: false, partial: false, derived: false, eventTime: '2024-01-01T00:00:00Z', flags: null, provenance: [{path, member: null, format: 's3-records', sha256: 'a'.repeat(64), contentSha256: 'a'.repeat(64), position: 0}]}]} as never,
			0,
			width,
		);
		const lines = model.panes[0].rows.map(row => String(row.cells[0]));
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
		// Every word of the path and the record is whole on one line.
		for (const word of ['cloudtrail-log.json.gz', '111122223333_CloudTrail_us-east-1_20240301T0000Z_cloudtrail-log.json.gz', 'cloudtrail-log-delivery.amazonaws.com']) {
			expect(lines.some(line => line.includes(word))).toBe(true);
		}
		expect(lines.join('')).toContain(path);
	});
});
