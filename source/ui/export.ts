import fs from 'node:fs';
import path from 'node:path';
import {csvCell} from '../lib/terminal-text.js';
import {cellText, type ScreenModel} from './model.js';

/** The file content `e` writes: CSV of the first list pane, or JSON of the view's data. */
export function exportContent(model: ScreenModel): string {
	if (model.export.format === 'csv' && model.export.table) {
		const {header, rows} = model.export.table;
		const lines = [header.map(csvCell).join(',')];
		for (const row of rows) lines.push(row.map(c => csvCell(c === null || c === undefined ? '' : String(c))).join(','));
		return `${lines.join('\r\n')}\r\n`;
	}
	if (model.export.format === 'csv') {
		const pane = model.panes[0];
		const lines = [pane.columns.map(c => csvCell(c.title)).join(',')];
		for (const row of pane.rows) lines.push(row.cells.map(c => csvCell(cellText(c))).join(','));
		return `${lines.join('\r\n')}\r\n`;
	}
	return `${JSON.stringify(model.export.json ?? null, null, 2)}\n`;
}

/**
 * Writes the current view to a new file in dir (owner-only: it holds evidence) and returns its
 * path. Never overwrites: a clash gets a numbered name.
 */
export function exportView(model: ScreenModel, dir: string, now = new Date()): string {
	const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
	const ext = model.export.format;
	const content = exportContent(model);
	for (let n = 0; ; n++) {
		const file = path.resolve(dir, `mfatrail-${model.export.name}-${stamp}${n ? `-${n}` : ''}.${ext}`);
		try {
			fs.writeFileSync(file, content, {flag: 'wx', mode: 0o600});
			return file;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw error;
		}
	}
}
