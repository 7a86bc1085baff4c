import {Box, Text} from 'ink';
import {glyph} from '../theme.js';
import {evidence, fit, highlightSegments, textWidth, truncate} from '../text.js';
import {hasHiddenCharacters} from '../../lib/terminal-text.js';
import {cellText, failedCell, type Cell, type Column, type Pane, type Row, type ScreenModel} from '../model.js';

export interface FrameProps {
	model: ScreenModel;
	breadcrumb: string[];
	width: number;
	/** Lines available: the terminal rows minus one (a frame as tall as the terminal flickers). */
	height: number;
	pane: number;
	cursor: number;
	colour: boolean;
	/** Lines drawn above the list (the search line). */
	top?: string[];
	status: string;
	/** The list has the keyboard (false while typing on the search line). */
	listFocus: boolean;
}

const flexMin = 10;

/**
 * Column widths for a line of `width`: fixed columns as given, the flex column takes the rest (at
 * least its width or 10, whichever is less).
 * When they do not fit, droppable columns go first (width 0), then the widest fixed columns shrink.
 */
export function layout(columns: Column[], width: number): number[] {
	const widths = columns.map(c => (c.flex ? Math.min(flexMin, c.width) : c.width));
	const shown = columns.map(() => true);
	const need = () => widths.reduce((n, w, i) => n + (shown[i] ? w + 1 : 0), -1);
	const droppable = columns.map((c, i) => ({c, i})).filter(x => x.c.drop !== undefined).sort((x, y) => x.c.drop! - y.c.drop!);
	for (const {i} of droppable) {
		if (need() <= width) break;
		shown[i] = false;
	}
	while (need() > width) {
		let widest = -1;
		for (let i = 0; i < widths.length; i++) if (shown[i] && !columns[i].keep && widths[i] > 3 && (widest < 0 || widths[i] > widths[widest])) widest = i;
		if (widest < 0) break;
		widths[widest]--;
	}
	const spare = width - need();
	const flex = columns.findIndex(c => c.flex);
	if (flex >= 0 && spare > 0) widths[flex] += spare;
	return widths.map((w, i) => (shown[i] ? w : 0));
}

/** Columns marked `fit` narrowed to their widest cell or title (escaped, as shown), never wider than given. */
export function fitColumns(columns: Column[], rows: Row[]): Column[] {
	return columns.map((c, i) => {
		if (!c.fit) return c;
		let widest = textWidth(c.title);
		for (const row of rows) {
			if (widest >= c.width) break;
			if (row.span) continue;
			widest = Math.max(widest, textWidth(evidence(cellText(row.cells[i]), c.width + 1)));
		}
		return {...c, width: Math.min(c.width, widest)};
	});
}

/** The hidden-character marker: the row's raw evidence, or any of its cells, holds characters terminalSafe escaped. */
function hiddenRow(row: Row): boolean {
	return row.hidden === true || row.cells.some(c => hasHiddenCharacters(cellText(c)));
}

function CellText({cell, width, colour}: {cell: Cell; width: number; colour: boolean}) {
	if (cell !== null && typeof cell === 'object') {
		const segments = highlightSegments(cell.raw, cell.matches, width);
		const used = segments.reduce((n, s) => n + textWidth(s.text), 0);
		return (
			<>
				{segments.map((s, i) =>
					s.mark ? (
						<Text key={i} bold underline color={colour ? 'yellow' : undefined}>
							{s.text}
						</Text>
					) : (
						<Text key={i}>{s.text}</Text>
					),
				)}
				<Text>{' '.repeat(Math.max(0, width - used))}</Text>
			</>
		);
	}
	return <Text>{fit(evidence(cellText(cell), width), width)}</Text>;
}

/** How many list rows fit, given the lines the rest of the frame takes. */
/** The pane line names the panes (Tab switches); a lone list pane still shows its name and count. */
function paneLine(model: ScreenModel): boolean {
	return model.panes.length > 1 || (model.screen !== 'search' && !model.panes[0].text);
}

export function listHeight(model: ScreenModel, height: number, topLines: number): number {
	const pane = paneLine(model) ? 1 : 0;
	const titles = 1;
	const note = 1;
	const status = 1;
	const breadcrumb = 1;
	return Math.max(1, height - breadcrumb - topLines - model.header.length - pane - titles - note - status);
}

/** First visible row: keeps the cursor in view, near the middle when the list is long. */
export function windowStart(length: number, cursor: number, visible: number): number {
	if (length <= visible) return 0;
	return Math.max(0, Math.min(cursor - Math.floor(visible / 2), length - visible));
}

/** A header value: raw evidence (escaped here), or {safe} text a screen already escaped (a wrapped summary). */
function headerValue(value: unknown, width: number): string {
	if (value !== null && typeof value === 'object' && 'safe' in value) return String((value as {safe: unknown}).safe);
	return evidence(value, width);
}

/** `label: value` pairs; an empty label continues the line above (indented under its value). */
function headerLine(pairs: Array<[string, unknown]>, width: number): string {
	return truncate(pairs.map(([label, value]) => (label ? `${label}: ` : '         ') + headerValue(value, width)).join('   '), width);
}

export function Frame(props: FrameProps) {
	const {model, width, height, colour} = props;
	const top = props.top ?? [];
	const pane: Pane = model.panes[Math.min(props.pane, model.panes.length - 1)];
	const visible = listHeight(model, height, top.length);
	const prefix = 3; // selection glyph + finding marker + hidden-character marker
	const columns = pane.text ? pane.columns : fitColumns(pane.columns, pane.rows);
	const widths = layout(columns, width - prefix);
	// Text panes scroll: the cursor is the first line shown.
	const start = pane.text ? Math.max(0, Math.min(props.cursor, pane.rows.length - visible)) : windowStart(pane.rows.length, props.cursor, visible);
	const rows = pane.rows.slice(start, start + visible);
	const crumbs = truncate(props.breadcrumb.map(c => evidence(c, 60)).join(glyph.separator), width);
	const note = pane.rows.length > visible ? `${start + 1}-${start + rows.length} of ${pane.rows.length}${pane.note ? `  ${pane.note}` : ''}` : (pane.note ?? '');
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold color={colour ? 'cyan' : undefined} wrap="truncate">
				{crumbs}
			</Text>
			{top.map((line, i) => (
				<Text key={`top${i}`} wrap="truncate">
					{truncate(line, width)}
				</Text>
			))}
			{model.header.map((pairs, i) => (
				<Text key={`h${i}`} wrap="truncate">
					{headerLine(pairs, width)}
				</Text>
			))}
			{paneLine(model) && (
				<Text wrap="truncate">
					{truncate(model.panes.map((p, i) => (i === props.pane ? `[${p.name}]` : ` ${p.name} `)).join(' '), width)}
				</Text>
			)}
			<Text dimColor={colour} wrap="truncate">
				{pane.text ? '' : truncate(`${' '.repeat(prefix)}${columns.map((c, i) => (widths[i] ? fit(c.title, widths[i]) : undefined)).filter(t => t !== undefined).join(' ')}`, width)}
			</Text>
			<Box flexDirection="column" height={visible}>
				{rows.length === 0 && <Text wrap="truncate">{`  ${truncate(pane.empty, width - 2)}`}</Text>}
				{rows.map((row, i) => {
					const index = start + i;
					if (pane.text) {
						return (
							<Text key={index} wrap="truncate">
								{truncate(String(row.cells[0] ?? ''), width)}
							</Text>
						);
					}
					const selected = index === props.cursor;
					const failed = row.cells.some(failedCell);
					return (
						<Box key={index} width={width}>
							<Text inverse={selected && props.listFocus} color={colour && failed ? 'red' : undefined} wrap="truncate">
								{selected ? glyph.selected : glyph.unselected}
								{row.marker ? glyph.finding : ' '}
								{hiddenRow(row) ? glyph.hidden : ' '}
								{row.span && fit(row.cells.map(cell => evidence(cellText(cell), width)).filter(Boolean).join('  '), width - prefix)}
								{!row.span && row.cells.map((cell, c) =>
									widths[c] ? (
										<Text key={c}>
											{c > widths.findIndex(w => w > 0) ? ' ' : ''}
											<CellText cell={cell} width={widths[c]} colour={colour} />
										</Text>
									) : null,
								)}
							</Text>
						</Box>
					);
				})}
			</Box>
			<Text wrap="truncate">{truncate(note, width)}</Text>
			<Text color={colour ? 'green' : undefined} wrap="truncate">
				{truncate(props.status, width)}
			</Text>
		</Box>
	);
}
