import fs from 'node:fs';
import path from 'node:path';

export interface WalkEntry {
	file: string;
	size: number;
}

export interface WalkSkip {
	file: string;
	reason: string;
}

/**
 * Files under the inputs, in sorted order. Inside folders, symbolic links, FIFOs, sockets and
 * devices are skipped with a reason (never followed: a link can point out of the evidence, a FIFO
 * or /dev/zero can hang or never end); an input named explicitly is taken as the user meant it.
 */
export function walkInputs(inputs: string[], found: (entry: WalkEntry) => void, skipped: (skip: WalkSkip) => void): void {
	for (const input of inputs) visit(path.resolve(input), true, found, skipped, new Set());
}

function visit(file: string, explicit: boolean, found: (e: WalkEntry) => void, skipped: (s: WalkSkip) => void, seen: Set<string>): void {
	let stat: fs.Stats;
	try {
		stat = explicit ? fs.statSync(file) : fs.lstatSync(file);
	} catch (error) {
		skipped({file, reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`});
		return;
	}
	if (stat.isSymbolicLink()) return skipped({file, reason: 'symbolic link, not followed'});
	if (stat.isDirectory()) {
		const key = `${stat.dev}:${stat.ino}`;
		if (seen.has(key)) return;
		seen.add(key);
		let names: string[];
		try {
			names = fs.readdirSync(file).sort();
		} catch (error) {
			return skipped({file, reason: `cannot list folder: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`});
		}
		for (const name of names) visit(path.join(file, name), false, found, skipped, seen);
		return;
	}
	if (stat.isFile()) return found({file, size: stat.size});
	const kind = stat.isFIFO() ? 'FIFO' : stat.isSocket() ? 'socket' : stat.isCharacterDevice() ? 'character device' : stat.isBlockDevice() ? 'block device' : 'special file';
	skipped({file, reason: `${kind}, not read`});
}
