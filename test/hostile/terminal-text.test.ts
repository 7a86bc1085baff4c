import {describe, expect, it} from 'vitest';
import {
	csvCell,
	displayWidth,
	hasHiddenCharacters,
	safe,
	terminalSafe,
	truncateSafe,
	unescapeTerminalSafe,
} from '../../source/lib/terminal-text.js';
import {integer, pick, prng} from './prng.js';

const ESC = '\u001b';
const BEL = '\u0007';

// The sequences of hostile-evidence.md §6 items 1–13.
const hostileSequences = [
	`${ESC}]0;PWNED${BEL}`,
	`${ESC}]52;c;ZWNobyBwd25lZAo=${BEL}`,
	`${ESC}]52;c;?${BEL}`,
	`${ESC}[21t`,
	`${ESC}P$q"p${ESC}\\`,
	`${ESC}]50;?${BEL}`,
	`${ESC}[6n`,
	`${ESC}[c`,
	`${ESC}]8;;https://evil.example${BEL}https://console.aws.amazon.com${ESC}]8;;${BEL}`,
	`${ESC}[2J${ESC}[H`,
	`${ESC}[1A`,
	`${ESC}[?1049h`,
	`${ESC}[?1000h`,
	`${ESC}[8mHIDDEN${ESC}[28m`,
	`${ESC}[30;40m`,
	`${ESC}[41;97m CRITICAL`,
	'\u009b31m',
	'\u009d0;T\u009c',
	'\u0090q\u009c',
	'AccessDenied\rSuccess',
	'Mozilla\n2024-01-01T00:00:00Z ConsoleLogin root Success',
	`${ESC}]0;`,
	'admin\u202egnp.exe',
	'\u2066x\u2069',
	'Admin\u200bistrator',
	'root\u200e',
	'\ufeffalice',
	'\u00adx',
	'\u3164',
	'\ud800',
	'\udc00x',
	'\u{e0041}\u{e007f}',
	'\u2028\u2029',
	'\\x1b',
	'\\u202e',
];

// Characters a terminal could act on or a reader could not see (the set terminalSafe promises to escape).
function isHidden(codePoint: number): boolean {
	return (
		codePoint <= 0x1f ||
		(codePoint >= 0x7f && codePoint <= 0xa0) ||
		codePoint === 0xad ||
		(codePoint >= 0x200b && codePoint <= 0x200f) ||
		(codePoint >= 0x2028 && codePoint <= 0x202e) ||
		(codePoint >= 0x2060 && codePoint <= 0x206f) ||
		codePoint === 0xfeff ||
		(codePoint >= 0xd800 && codePoint <= 0xdfff) ||
		(codePoint >= 0xe0000 && codePoint <= 0xe007f)
	);
}

function randomString(random: () => number): string {
	const pools: (() => string)[] = [
		() => String.fromCharCode(integer(random, 0xa1)), // U+0000–U+00A0
		() => String.fromCharCode(0x2000 + integer(random, 0x70)), // U+2000–U+206F
		() => String.fromCharCode(0xd800 + integer(random, 0x800)), // surrogates, paired or not
		() => pick(random, hostileSequences),
		() => pick(random, ['\\', 'a', 'Z', ' ', 'é', 'e\u0301', '日', '👩‍💻', '\u{e0001}', '\ufe0f']),
	];
	let text = '';
	const length = integer(random, 24);
	for (let i = 0; i < length; i++) text += pick(random, pools)();
	return text;
}

describe('terminalSafe', () => {
	it('leaves no hidden character and loses nothing, for many random strings', () => {
		const random = prng(0x6d66);
		for (let i = 0; i < 5000; i++) {
			const text = randomString(random);
			const shown = terminalSafe(text);
			const leaked = [...shown].find(ch => isHidden(ch.codePointAt(0)!));
			if (leaked !== undefined) expect.fail(`${JSON.stringify(text)} → ${JSON.stringify(shown)} keeps ${JSON.stringify(leaked)}`);
			// Lone surrogates: for…of yields them as themselves, so the check above covers them too.
			if (unescapeTerminalSafe(shown) !== text || hasHiddenCharacters(shown)) expect.fail(`${JSON.stringify(text)} → ${JSON.stringify(shown)}`);
		}
	});

	it('neutralises every reference sequence: no ESC, C1 or BEL survives, and the flag is raised', () => {
		for (const sequence of hostileSequences) {
			const shown = terminalSafe(sequence);
			expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
			expect(unescapeTerminalSafe(shown)).toBe(sequence);
		}
		expect(terminalSafe(`${ESC}]0;PWNED${BEL}`)).toBe('\\x1b]0;PWNED\\x07');
		expect(terminalSafe('\u009b31m')).toBe('\\x9b31m');
		expect(terminalSafe('AccessDenied\rSuccess')).toBe('AccessDenied\\rSuccess');
		expect(terminalSafe('Mozilla\n2024')).toBe('Mozilla\\n2024');
		expect(terminalSafe('admin\u202egnp.exe')).toBe('admin\\u202egnp.exe');
		expect(terminalSafe('\ud800')).toBe('\\ud800');
		expect(terminalSafe('\u{e0041}')).toBe('\\u{e0041}');
		expect(hasHiddenCharacters('admin\u202egnp.exe')).toBe(true);
		expect(hasHiddenCharacters('plain text, café, 日本')).toBe(false);
	});

	it('replaces, never deletes: Admin\\u200Bistrator stays distinguishable from Administrator', () => {
		expect(terminalSafe('Admin\u200bistrator')).toBe('Admin\\u200bistrator');
		expect(terminalSafe('Admin\u200bistrator')).not.toBe(terminalSafe('Administrator'));
		expect(terminalSafe('Admin\u00a0istrator')).not.toBe(terminalSafe('Admin istrator'));
	});

	it('escapes the backslash, so typed text cannot pass for an escape', () => {
		expect(terminalSafe('\\x1b')).toBe('\\\\x1b');
		expect(terminalSafe('\\x1b')).not.toBe(terminalSafe(ESC));
		expect(unescapeTerminalSafe(terminalSafe('\\\\u{e0041}'))).toBe('\\\\u{e0041}');
	});

	it('keeps ordinary text, emoji and combining marks as they are', () => {
		for (const text of ['alice', 'Zoë', 'e\u0301', '日本語', '👩', 'arn:aws:iam::123456789012:mfa/Mobile']) expect(terminalSafe(text)).toBe(text);
		// The zero-width joiner inside an emoji sequence is a zero-width character like any other.
		expect(terminalSafe('👩\u200d💻')).toBe('👩\\u200d💻');
		expect(safe(null)).toBe('');
		expect(safe(12345678901234567890n)).toBe('12345678901234567890');
	});
});

describe('truncateSafe and displayWidth', () => {
	it('cuts a 1 MB user agent to the column budget with a (+N) marker', () => {
		const agent = 'Mozilla/5.0 '.repeat(90_000);
		const shown = truncateSafe(agent, 40);
		expect(displayWidth(shown)).toBeLessThanOrEqual(40);
		const match = /…\(\+(\d+)\)$/.exec(shown)!;
		expect(match).not.toBeNull();
		expect(shown.length - match[0].length + Number(match[1])).toBe(agent.length);
	});

	it('bounds 50,000 combining marks and counts what was left out', () => {
		const marks = 'e\u0301'.repeat(50_000);
		const shown = truncateSafe(marks, 30);
		expect([...shown].length).toBeLessThanOrEqual(30);
		const match = /…\(\+(\d+)\)$/.exec(shown)!;
		expect(shown.length - match[0].length + Number(match[1])).toBe(100_000);
	});

	it('never cuts an escape in half and never lets a hidden character through', () => {
		const random = prng(7);
		for (let i = 0; i < 2000; i++) {
			const text = randomString(random);
			const max = 5 + integer(random, 30);
			const shown = truncateSafe(text, max);
			expect(displayWidth(shown)).toBeLessThanOrEqual(max);
			expect(hasHiddenCharacters(shown)).toBe(false);
			const match = /…\(\+(\d+)\)$/.exec(shown);
			if (shown === '…') continue;
			if (!match) expect(shown).toBe(terminalSafe(text));
			else {
				const kept = unescapeTerminalSafe(shown.slice(0, shown.length - match[0].length));
				expect(text.startsWith(kept)).toBe(true);
				expect([...kept].length + Number(match[1])).toBe([...text].length);
			}
		}
	});

	it('counts wide characters as two columns', () => {
		expect(displayWidth('日本')).toBe(4);
		expect(displayWidth('e\u0301')).toBe(1);
		expect(displayWidth(terminalSafe('a\tb'))).toBe(4);
	});
});

describe('csvCell', () => {
	it('neutralises formula prefixes and quotes', () => {
		expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
		expect(csvCell("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
		expect(csvCell('-2+3')).toBe("'-2+3");
		expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
		// a tab is made visible first, so the cell starts with a backslash, which no spreadsheet evaluates
		expect(csvCell('\t=1')).toBe('\\t=1');
		expect(csvCell('\u001b]0;T\u0007=x')).toBe('\\x1b]0;T\\x07=x');
		expect(csvCell('admin\u202egnp.exe')).toBe('admin\\u202egnp.exe');
		expect(csvCell('alice')).toBe('alice');
		expect(csvCell('a,b')).toBe('"a,b"');
		expect(csvCell(null)).toBe('');
	});
});
