import {EventEmitter} from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {render} from 'ink';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {importPaths} from '../../source/import/index.js';
import {App} from '../../source/ui/App.js';
import {openExplorerData} from '../../source/ui/data.js';
import type {Target} from '../../source/ui/model.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixture = path.join(repoRoot, 'test', 'fixtures', 'ui', 'trail.json');

/** A fake terminal: columns and rows of our choosing (ink-testing-library fixes 100 columns). */
class Stdout extends EventEmitter {
	frames: string[] = [];
	isTTY = true;
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}

	write = (frame: string) => {
		this.frames.push(frame);
		return true;
	};

	resize(columns: number, rows: number) {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

class Stdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	write(data: string) {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}

	read = () => {
		const {data} = this;
		this.data = null;
		return data;
	};

	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

/** A case file in a temp dir with the fixture imported (the real importer and model). */
export async function fixtureCaseFile(): Promise<{db: CaseFile; dir: string}> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	const db = openCaseFile(path.join(dir, 'case.db'));
	await importPaths(db, [fixture]);
	return {db, dir};
}

/** A case file in a temp dir with the bundled samples/ imported. */
export async function samplesCaseFile(): Promise<{db: CaseFile; dir: string}> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	const db = openCaseFile(path.join(dir, 'case.db'));
	await importPaths(db, [path.join(repoRoot, 'samples')]);
	return {db, dir};
}

export const tick = () => new Promise(resolve => setImmediate(resolve));

export const keys = {
	up: '\u001b[A',
	down: '\u001b[B',
	enter: '\r',
	escape: '\u001b',
	backspace: '\u007f',
	tab: '\t',
	pageDown: '\u001b[6~',
	pageUp: '\u001b[5~',
	ctrlC: '\u0003',
};

export interface Explorer {
	frame(): string;
	press(...input: string[]): Promise<void>;
	type(text: string): Promise<void>;
	waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
	resize(columns: number, rows: number): Promise<void>;
	exited: Promise<unknown>;
	stdout: Stdout;
	unmount(): void;
}

/** Renders the explorer over a case file on a fake columns×rows terminal. */
export async function renderExplorer(db: CaseFile, options: {columns?: number; rows?: number; query?: string; exportDir?: string; open?: Target; writeTerminal?: (s: string) => void} = {}): Promise<Explorer> {
	const stdout = new Stdout(options.columns ?? 100, options.rows ?? 30);
	const stdin = new Stdin();
	const instance = render(<App data={openExplorerData(db)} initialQuery={options.query} exportDir={options.exportDir ?? os.tmpdir()} debounceMs={5} open={options.open} writeTerminal={options.writeTerminal} />, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: new Stdout(100, 30) as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	const frame = () => {
		// Unmounting in debug mode writes a bare newline: the last real frame is the one before it.
		const real = stdout.frames.filter(f => f !== '\n');
		return real.at(-1) ?? '';
	};
	const explorer: Explorer = {
		frame,
		stdout,
		exited: instance.waitUntilExit(),
		async press(...input) {
			for (const k of input) {
				stdin.write(k);
				await tick();
				// A lone ESC is held until the next tick to tell it from a sequence.
				if (k === keys.escape) await tick();
				await tick();
			}
		},
		async type(text) {
			for (const ch of text) await explorer.press(ch);
		},
		async waitFor(text, timeoutMs = 5000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const f = frame();
				if (typeof text === 'string' ? f.includes(text) : text.test(f)) return f;
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)} in frame:\n${f}`);
				await new Promise(resolve => setTimeout(resolve, 10));
			}
		},
		async resize(columns, rows) {
			stdout.resize(columns, rows);
			await tick();
			await tick();
		},
		unmount: () => instance.unmount(),
	};
	await tick();
	await tick();
	return explorer;
}

/** Lines of a frame; every line must fit the terminal width. */
export function lines(frame: string): string[] {
	return frame.split('\n');
}
