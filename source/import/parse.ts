import {RawBlockBuilder} from '../db/raw.js';
import {Collector} from './collector.js';
import {skipSpace} from './scan.js';
import {Window} from './window.js';
import {detectReader} from './readers/registry.js';
import {scopeFile} from './stream.js';
import type {DigestRow} from '../db/record.js';
import type {ReadEvent, Rejected} from './collector.js';

export type {ReadEvent, Rejected} from './collector.js';
export type {DigestRow} from '../db/record.js';

/** The outcome of reading one source's decompressed content held in memory. */
export type ParsedContent =
	| {kind: 'records'; format: string; events: ReadEvent[]; rawBlocks: Uint8Array[]; rejected: Rejected[]; notes: string[]; damaged: boolean}
	| {kind: 'digest'; digest: DigestRow; notes: string[]}
	| {kind: 'rejected'; position: string | null; reason: string}
	| {kind: 'skipped'; reason: string};

/**
 * Reads content held whole in memory with the same readers the import streams through (one window,
 * no parts); for callers that have the bytes already, such as tests and tools.
 */
export function parseContent(content: Buffer, name: string): ParsedContent {
	const w = new Window();
	w.push(content, true);
	const s = skipSpace(w.text, 0);
	if (s >= w.text.length) return {kind: 'skipped', reason: content.length === 0 ? 'empty file' : 'only white space'};
	if (scopeFile.test(name)) return {kind: 'skipped', reason: 'mfatrail scope file (recorded as the case scope)'};
	const reader = detectReader(w, s, name);
	if (reader === 'more') throw new Error('unreachable: the whole content is in the window');
	w.pos = s;
	const out = new Collector(new RawBlockBuilder());
	while (reader.read(w, out) !== 'done');
	const whole = reader.whole;
	if (whole?.kind === 'digest') return {kind: 'digest', digest: whole.digest, notes: [...out.notes]};
	if (whole) return whole;
	return {kind: 'records', format: reader.format, events: out.events, rawBlocks: out.raw.finish(), rejected: out.rejected, notes: [...out.notes], damaged: out.damaged};
}
