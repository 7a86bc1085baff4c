import {Box, Text} from 'ink';
import {bindingsFor, type ScreenName} from '../keymap.js';
import {glyph} from '../theme.js';
import {fit, truncate} from '../text.js';

/** The `?` overlay: every key of the current screen, from the keymap table. */
export function Help({screen, width, height}: {screen: ScreenName; width: number; height: number}) {
	const bindings = bindingsFor(screen);
	const lines = [
		`Keys on the ${screen} screen (any key closes this help)`,
		'',
		...bindings.map(b => `  ${fit(b.keys, 14)} ${b.description}`),
		'',
		'Row markers',
		`  ${fit(glyph.selected, 14)} the selected row`,
		`  ${fit(glyph.finding, 14)} findings name this row's principal or device (F lists them)`,
		`  ${fit(glyph.hidden, 14)} hidden characters in this row's evidence (controls, bidi, zero-width), shown escaped as \\x1b, \\u202e…`,
	];
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.slice(0, height).map((line, i) => (
				<Text key={i} wrap="truncate">
					{truncate(line, width)}
				</Text>
			))}
		</Box>
	);
}
