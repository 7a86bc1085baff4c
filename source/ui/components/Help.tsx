import {Box, Text} from 'ink';
import {bindingsFor, type ScreenName} from '../keymap.js';
import {glyph} from '../theme.js';
import {fit, truncate, wrapWords} from '../text.js';

/** The help's lines at a terminal width: descriptions wrap within it (never cut). */
function helpLines(screen: ScreenName, helpWidth: number): string[] {
	const bindings = bindingsFor(screen);
	const indent = ' '.repeat(2 + 14 + 1);
	return [
		`Keys on the ${screen} screen (↓ j space scroll, any other key closes this help)`,
		'',
		...bindings.flatMap(b => wrapWords(b.description, Math.max(20, helpWidth - 1 - indent.length)).map((line, i) => (i === 0 ? `  ${fit(b.keys, 14)} ${line}` : `${indent}${line}`))),
		'',
		'Row markers',
		`  ${fit(glyph.selected, 14)} the selected row`,
		`  ${fit(glyph.finding, 14)} findings name this row's principal or device (F lists them)`,
		`  ${fit(glyph.hidden, 14)} hidden characters in this row's evidence (controls, bidi, zero-width), shown escaped as \\x1b, \\u202e…`,
		'',
		'Identifiers (ARN, serial, account, key, IP, eventID) are never cut: the line under a list holds',
		"the selected row's in full; y copies it. Times are UTC unless u switched them to local time.",
	];
}

/** Lines of the help overlay of a screen (for scrolling). */
export function helpLength(screen: ScreenName, width: number): number {
	return helpLines(screen, width).length;
}

/**
 * The keys that leave, always on the help's last line whatever it scrolls to (a list longer than
 * the terminal would otherwise hide them at 80×24), from the keymap table.
 */
function footer(screen: ScreenName): string {
	return bindingsFor(screen)
		.filter(b => b.action === 'quit' || b.action === 'back' || b.action === 'help')
		.map(b => `${b.keys.split(' ')[0]} ${b.action === 'back' ? 'back' : b.action === 'help' ? 'help' : 'quit'}`)
		.join(' · ');
}

/** The `?` overlay: every key of the current screen, from the keymap table; scrolls from offset. */
export function Help({screen, width, height, offset = 0}: {screen: ScreenName; width: number; height: number; offset?: number}) {
	const lines = helpLines(screen, width);
	const body = Math.max(1, height - 1);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.slice(offset, offset + body).map((line, i) => (
				<Text key={i} wrap="truncate">
					{truncate(line, width)}
				</Text>
			))}
			<Box flexGrow={1} />
			<Text wrap="truncate">{truncate(`${offset + body < lines.length ? `↓ more (${lines.length - offset - body} lines) · ` : ''}${footer(screen)}`, width)}</Text>
		</Box>
	);
}
