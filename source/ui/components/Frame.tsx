import {Box, Text} from 'ink';
import {glyph} from '../theme.js';
import {evidence, fit, highlightSegments, textWidth, truncate, truncateWords, wrapWords} from '../text.js';
import {hasHiddenCharacters, terminalSafe} from '../../lib/terminal-text.js';
import {formatTime, zoneLabel, type Zone} from '../clock.js';
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
	/** Times in UTC or local time (the zone shows at the right of the breadcrumb). */
	zone?: Zone;
}

const flexMin = 10;
/** Time columns lose their seconds after the drop-1 columns (the user agent) have gone, before drop 2 (the region). */
const secondsLevel = 1.5;
const timeWidth = 19;
const timeWidthShort = 16;

export interface Layout {
	/** Column widths; 0 for a column left out. */
	widths: number[];
	/** Time columns show seconds. */
	seconds: boolean;
}

/**
 * Column widths for a line of `width`: fixed columns as given, the flex column takes the rest (at
 * least its width or 10, whichever is less). When they do not fit, things give way in order:
 * droppable columns by level (the user agent first), the seconds of times, then the widest columns
 * that are neither times nor identifiers shrink, and only then identifiers (the selected row's
 * detail line has them whole).
 */
export function layout(columns: Column[], width: number): Layout {
	const widths = columns.map(c => (c.time ? timeWidth : c.flex ? Math.min(flexMin, c.width) : c.width));
	const shown = columns.map(() => true);
	let seconds = true;
	const need = () => widths.reduce((n, w, i) => n + (shown[i] ? w + 1 : 0), -1);
	const levels = [...new Set([...columns.filter(c => c.drop !== undefined).map(c => c.drop!), ...(columns.some(c => c.time) ? [secondsLevel] : [])])].sort((a, b) => a - b);
	for (const level of levels) {
		if (need() <= width) break;
		if (level === secondsLevel) {
			seconds = false;
			columns.forEach((c, i) => {
				if (c.time) widths[i] = timeWidthShort;
			});
		}
		columns.forEach((c, i) => {
			if (c.drop === level) shown[i] = false;
		});
	}
	const shrink = (allowed: (c: Column) => boolean, floor: (i: number) => number) => {
		while (need() > width) {
			let widest = -1;
			for (let i = 0; i < widths.length; i++) if (shown[i] && allowed(columns[i]) && widths[i] > floor(i) && (widest < 0 || widths[i] > widths[widest])) widest = i;
			if (widest < 0) return;
			widths[widest]--;
		}
	};
	// Other columns narrow to 8 (a word still reads), then identifiers (they wrap onto a second line,
	// never cut), then the others down to 3.
	const natural = [...widths];
	const other = (c: Column) => !c.keep && !c.id && !c.time;
	shrink(other, i => Math.min(natural[i], 8));
	shrink(c => Boolean(c.id), () => 12);
	shrink(other, () => 3);
	shrink(c => !c.time, () => 3);
	const spare = width - need();
	const flex = columns.findIndex((c, i) => c.flex && shown[i]);
	if (flex >= 0 && spare > 0) widths[flex] += spare;
	return {widths: widths.map((w, i) => (shown[i] ? w : 0)), seconds};
}

const fitted = new WeakMap<Row[], Column[]>();

/**
 * Columns marked `fit` narrowed to their widest cell or title (escaped, as shown), never wider than
 * given; identifier columns widened to their widest cell. Remembered per list of rows: a long
 * timeline is measured once, not on every keypress.
 */
export function fitColumns(columns: Column[], rows: Row[]): Column[] {
	const known = fitted.get(rows);
	if (known && known.length === columns.length && known.every((c, i) => c.title === columns[i].title)) return known;
	const result = columns.map((c, i) => {
		if (c.time || (!c.fit && !c.id)) return c;
		let widest = textWidth(c.title);
		for (const row of rows) {
			if (!c.id && widest >= c.width) break;
			if (row.span) continue;
			const text = cellText(row.cells[i]);
			// Measured whole for identifiers (they are never meant to be cut), up to the width for the rest.
			widest = Math.max(widest, textWidth(evidence(text, c.id ? Math.max(text.length * 2 + 2, c.width + 1) : c.width + 1)));
		}
		return {...c, width: c.id ? Math.max(widest, c.fit ? 0 : c.width) : Math.min(c.width, widest)};
	});
	fitted.set(rows, result);
	return result;
}

/** The hidden-character marker: the row's raw evidence, or any of its cells, holds characters terminalSafe escaped. */
function hiddenRow(row: Row): boolean {
	return row.hidden === true || row.cells.some(c => hasHiddenCharacters(cellText(c)));
}

function CellText({cell, width, colour, timeCell, prose, zone, seconds}: {cell: Cell; width: number; colour: boolean; timeCell?: boolean; prose?: boolean; zone: Zone; seconds: boolean}) {
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
	const text = timeCell ? formatTime(cellText(cell), zone, seconds) : cellText(cell);
	if (prose) return <Text>{fit(truncateWords(evidence(text, width * 4), width), width)}</Text>;
	return <Text>{fit(evidence(text, width), width)}</Text>;
}

/** The pane line names the panes (Tab switches); a lone list pane still shows its name and count. */
function paneLine(model: ScreenModel): boolean {
	return model.panes.length > 1 || (model.screen !== 'search' && !model.panes[0].text);
}

/** Lines kept under the list for the selected row's full identifiers, when the pane's rows have them. */
const detailLines = 2;

function hasDetail(pane: Pane): boolean {
	return !pane.text && pane.rows.some(r => r.detail && r.detail.length > 0);
}

/** How many list rows fit, given the lines the rest of the frame takes. */
export function listHeight(model: ScreenModel, height: number, topLines: number, width = 80, pane = 0, zone: Zone = 'utc'): number {
	const p = model.panes[Math.min(pane, model.panes.length - 1)];
	const panes = paneLine(model) ? 1 : 0;
	const titles = 1;
	const note = 1;
	const status = 1;
	const breadcrumb = 1;
	const detail = hasDetail(p) ? detailLines : 0;
	return Math.max(1, height - breadcrumb - topLines - headerLines(model, width, zone).length - panes - titles - note - status - detail);
}

/** First visible row: keeps the cursor in view, near the middle when the list is long. */
export function windowStart(length: number, cursor: number, visible: number): number {
	if (length <= visible) return 0;
	return Math.max(0, Math.min(cursor - Math.floor(visible / 2), length - visible));
}

/**
 * A header or detail value, escaped and whole: raw evidence, a {time} shown in the zone, or {safe}
 * text a screen already escaped (a wrapped summary).
 */
export function valueText(value: unknown, zone: Zone): string {
	if (value !== null && typeof value === 'object' && 'safe' in value) return String((value as {safe: unknown}).safe);
	if (value !== null && typeof value === 'object' && 'time' in value) return formatTime(String((value as {time: unknown}).time), zone);
	if (value === null || value === undefined) return '';
	return terminalSafe(String(value));
}

/**
 * `label: value` pairs laid out on lines of width, wrapped rather than cut: a pair that does not
 * fit goes to the next line, and a value longer than a line wraps on its own (identifiers whole).
 */
export function pairLines(pairs: Array<[string, unknown]>, width: number, zone: Zone, indent = '         '): string[] {
	const out: string[] = [];
	let line = '';
	for (const [label, value] of pairs) {
		// {line}: safe text shown as it is, without label or indent (the overview's chart).
		const text = value !== null && typeof value === 'object' && 'line' in value ? String((value as {line: unknown}).line) : (label ? `${label}: ` : indent) + valueText(value, zone);
		if (line && textWidth(line) + 3 + textWidth(text) <= width) {
			line += `   ${text}`;
			continue;
		}
		if (line) out.push(line);
		if (textWidth(text) <= width) {
			line = text;
			continue;
		}
		const wrapped = wrapWords(text, width);
		out.push(...wrapped.slice(0, -1));
		line = wrapped.at(-1) ?? '';
	}
	if (line) out.push(line);
	return out;
}

const headerCache = new WeakMap<ScreenModel, {width: number; zone: Zone; lines: string[]}>();

/** The header's lines at this width (each model line of pairs wraps, never cuts). */
export function headerLines(model: ScreenModel, width: number, zone: Zone): string[] {
	const known = headerCache.get(model);
	if (known && known.width === width && known.zone === zone) return known.lines;
	const lines = model.header.flatMap(pairs => pairLines(pairs, width, zone));
	headerCache.set(model, {width, zone, lines});
	return lines;
}

/** The breadcrumb, earlier steps left out ('… › ') rather than the current one cut. */
export function breadcrumbLine(crumbs: string[], width: number): string {
	const parts = crumbs.map(c => evidence(c, 48));
	for (let from = 0; from < parts.length; from++) {
		const text = (from > 0 ? `…${glyph.separator}` : '') + parts.slice(from).join(glyph.separator);
		if (textWidth(text) <= width) return text;
	}
	return truncate(parts.at(-1) ?? '', width);
}

export function Frame(props: FrameProps) {
	const {model, width, height, colour} = props;
	const zone = props.zone ?? 'utc';
	const top = props.top ?? [];
	const pane: Pane = model.panes[Math.min(props.pane, model.panes.length - 1)];
	const prefix = 3; // selection glyph + finding marker + hidden-character marker
	const columns = pane.text ? pane.columns : fitColumns(pane.columns, pane.rows);
	const {widths, seconds} = layout(columns, width - prefix);
	const header = headerLines(model, width, zone);
	// The selected row's identifiers in full: two lines are kept for them; a longer detail takes list rows.
	const selectedRow = pane.text ? undefined : pane.rows[props.cursor];
	const detail = hasDetail(pane) ? pairLines(selectedRow?.detail ?? [], width, zone) : [];
	const visible = Math.max(1, listHeight(model, height, top.length, width, props.pane, zone) - Math.max(0, detail.length - detailLines));
	// Text panes scroll: the cursor is the first line shown.
	// Text panes scroll: the cursor is the first line shown. A list row whose identifier is wider than
	// its column takes more than one line (the identifier wraps, never cut), so rows are taken while lines are left.
	const wrapped = (row: Row, c: number): string[] | undefined => {
		const cell = row.cells[c];
		if (!columns[c]?.id || !widths[c] || row.span || (cell !== null && typeof cell === 'object')) return undefined;
		const text = evidence(cellText(cell), Number.MAX_SAFE_INTEGER);
		return textWidth(text) > widths[c] ? wrapWords(text, widths[c]) : undefined;
	};
	const rowHeight = (row: Row) => (pane.text ? 1 : Math.max(1, ...row.cells.map((_, c) => wrapped(row, c)?.length ?? 1)));
	let start = pane.text ? Math.max(0, Math.min(props.cursor, pane.rows.length - visible)) : windowStart(pane.rows.length, props.cursor, visible);
	const take = (from: number) => {
		const out: Row[] = [];
		let used = 0;
		for (let i = from; i < pane.rows.length && out.length < visible; i++) {
			const h = rowHeight(pane.rows[i]);
			if (used + h > visible && out.length > 0) break;
			out.push(pane.rows[i]);
			used += h;
		}
		return out;
	};
	let rows = take(start);
	while (!pane.text && rows.length > 0 && props.cursor >= start + rows.length && start < props.cursor) rows = take(++start);
	const zoneText = zoneLabel(zone);
	const crumbs = breadcrumbLine(props.breadcrumb, width - zoneText.length - 1);
	const note = pane.rows.length > visible ? `${start + 1}-${start + rows.length} of ${pane.rows.length}${pane.note ? `  ${pane.note}` : ''}` : (pane.note ?? '');
	const firstShown = widths.findIndex(w => w > 0);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Box width={width}>
				<Text bold color={colour ? 'cyan' : undefined} wrap="truncate">
					{fit(crumbs, width - zoneText.length - 1)}
				</Text>
				<Text> {zoneText}</Text>
			</Box>
			{top.map((line, i) => (
				<Text key={`top${i}`} wrap="truncate">
					{truncate(line, width)}
				</Text>
			))}
			{header.map((line, i) => (
				<Text key={`h${i}`} wrap="truncate">
					{line}
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
					const more = rowHeight(row) - 1;
					return (
						<Box key={index} width={width} flexDirection="column">
							<Box width={width}>
							<Text inverse={selected && props.listFocus} color={colour && failed ? 'red' : undefined} wrap="truncate">
								{selected ? glyph.selected : glyph.unselected}
								{row.marker ? glyph.finding : ' '}
								{hiddenRow(row) ? glyph.hidden : ' '}
								{row.span && fit(truncateWords(row.cells.map(cell => evidence(cellText(cell), width * 2)).filter(Boolean).join('  '), width - prefix), width - prefix)}
								{!row.span &&
									row.cells.map((cell, c) =>
										widths[c] ? (
											<Text key={c}>
												{c > firstShown ? ' ' : ''}
												{wrapped(row, c) ? fit(wrapped(row, c)![0], widths[c]) : <CellText cell={cell} width={widths[c]} colour={colour} timeCell={columns[c]?.time} prose={columns[c]?.prose} zone={zone} seconds={seconds} />}
											</Text>
										) : null,
									)}
							</Text>
							</Box>
							{Array.from({length: more}, (_, k) => (
								<Text key={`w${k}`} inverse={selected && props.listFocus} wrap="truncate">
									{' '.repeat(prefix)}
									{row.cells
										.map((_, c) => (widths[c] ? fit(wrapped(row, c)?.[k + 1] ?? '', widths[c]) : undefined))
										.filter(t => t !== undefined)
										.join(' ')}
								</Text>
							))}
						</Box>
					);
				})}
			</Box>
			{detail.map((line, i) => (
				<Text key={`d${i}`} dimColor={colour} wrap="truncate">
					{line}
				</Text>
			))}
			{hasDetail(pane) && Array.from({length: Math.max(0, detailLines - detail.length)}, (_, i) => <Text key={`dp${i}`}> </Text>)}
			<Text wrap="truncate">{truncate(note, width)}</Text>
			<Text color={colour ? 'green' : undefined} wrap="truncate">
				{truncate(props.status, width)}
			</Text>
		</Box>
	);
}
