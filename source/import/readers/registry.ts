import {extent, skipSpace} from '../scan.js';
import type {Window} from '../window.js';
import {DocumentReader} from './document.js';
import {LinesReader} from './lines.js';
import type {Reader, ReaderState} from './reader.js';
import {TextReader} from './text.js';

/**
 * The readers, each recognised by content (never by extension), tried in order. `detect` looks at
 * the start of the content (window index `s`, the first non-blank byte); 'more' asks for a larger
 * head. The first reader that says yes reads the source.
 */
interface Format {
	name: string;
	detect(w: Window, s: number): boolean | 'more';
	create(name: string, state?: ReaderState): Reader;
}

/** A head this long decides; a first line longer than this is not JSON Lines. */
const headBytes = 1024 * 1024;

const formats: Format[] = [
	{
		// One complete value on the first line, and more after it.
		name: 'lines',
		detect(w, s) {
			const t = w.text;
			const c = t.charCodeAt(s);
			if (c !== 0x7b && c !== 0x5b) return false;
			// S3 log files (one line too) and lookup-events pages start like this: no scan needed.
			if (/^\{\s*"(Records|Events)"\s*:\s*\[/.test(t.slice(s, s + 64))) return false;
			const nl = t.indexOf('\n', s);
			if (nl < 0) return w.eof || t.length - s >= headBytes ? false : 'more';
			const end = extent(t.slice(s, nl), 0);
			if (end < 0 || skipSpace(t, s + end) < nl) return false;
			const next = skipSpace(t, nl);
			if (next >= t.length) return w.eof || t.length - s >= headBytes ? false : 'more';
			return true;
		},
		create: (_name, state) => new LinesReader(state),
	},
	{
		name: 'document',
		detect(w, s) {
			const c = w.text.charCodeAt(s);
			return c === 0x7b || c === 0x5b;
		},
		create: (_name, state) => new DocumentReader(state),
	},
	{
		// CSV exports, and what is not evidence at all.
		name: 'text',
		detect: () => true,
		create: name => new TextReader(name),
	},
];

/** The reader for content starting at window index `s`, or 'more' for a longer head. */
export function detectReader(w: Window, s: number, name: string): Reader | 'more' {
	for (const format of formats) {
		const yes = format.detect(w, s);
		if (yes === 'more') return 'more';
		if (yes) return format.create(name);
	}
	throw new Error('no reader'); // the text reader takes anything
}

/** A reader picking up at a resume point (the state a part was committed with). */
export function resumeReader(state: ReaderState, name: string): Reader | undefined {
	return formats.find(f => f.name === state.r)?.create(name, state);
}
