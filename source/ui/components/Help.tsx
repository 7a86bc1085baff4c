import {Box, Text} from 'ink';
import {bindingsFor, type ScreenName} from '../keymap.js';
import {glyph} from '../theme.js';
import {fit, truncate} from '../text.js';

function helpLines(screen: ScreenName): string[] {
	const bindings = bindingsFor(screen);
	return [
		`Keys on the ${screen} screen (↓ j space scroll, any other key closes this help)`,
		'',
		...bindings.map(b => `  ${fit(b.keys, 14)} ${b.description}`),
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
export function helpLength(screen: ScreenName): number {
	return helpLines(screen).length;
}

/** The `?` overlay: every key of the current screen, from the keymap table; scrolls from offset. */
export function Help({screen, width, height, offset = 0}: {screen: ScreenName; width: number; height: number; offset?: number}) {
	const lines = helpLines(screen);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.slice(offset, offset + height).map((line, i) => (
				<Text key={i} wrap="truncate">
					{truncate(line, width)}
				</Text>
			))}
		</Box>
	);
}
