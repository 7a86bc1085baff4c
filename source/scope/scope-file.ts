/**
 * The scope file: what `scope manifest` and `scope local` write beside the selection, and what
 * `import` records in the case file (db/scope.ts). It travels with the download (the download
 * script writes it at the root of the evidence folder), so the case learns which query chose the
 * objects it holds.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import {objectKey, type ScopeRecord} from '../db/scope.js';
import {ScopeError, statementOptions} from './sql.js';

export const scopeFileName = 'mfatrail-scope.json';

/** What the case records (ScopeRecord: engine, query, accounts, regions, time range, objects), and for people the digests and the date. */
export interface ScopeFile extends Omit<ScopeRecord, 'origin' | 'sha256'> {
	mfatrailScope: 1;
	/** What the plan fetches to prove them (S3 URI patterns), for people. */
	digests: string[];
	createdAt: string;
}

const keyLayout = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\//;

/**
 * A scope file's content. Accounts and regions are those the statement was limited to; without
 * limits, those of the selected objects (what the extract holds).
 */
export function makeScopeFile(engine: string, query: string, objects: string[], digests: string[], now = new Date()): ScopeFile {
	const options = statementOptions(query) ?? {};
	const keys = objects.map(objectKey);
	const seen = (group: 1 | 2) => [...new Set(keys.map(k => keyLayout.exec(k)?.[group]).filter((v): v is string => Boolean(v)))].sort();
	return {
		mfatrailScope: 1,
		engine,
		query,
		accounts: options.accounts?.length ? [...options.accounts] : seen(1),
		regions: options.regions?.length ? [...options.regions] : seen(2),
		since: options.since ?? null,
		until: options.until ?? null,
		objects: keys,
		digests,
		createdAt: now.toISOString(),
	};
}

export function scopeFileText(scope: ScopeFile): string {
	return `${JSON.stringify(scope)}\n`;
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every(s => typeof s === 'string');
const timeOrNull = (v: unknown): v is string | null => v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));

/** Reads a scope file for the case file; one-line errors name the file. */
export function readScopeFile(file: string): ScopeRecord {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		throw new ScopeError(`cannot read scope file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
	}
	let json: Partial<ScopeFile>;
	try {
		json = JSON.parse(text) as Partial<ScopeFile>;
	} catch (error) {
		throw new ScopeError(`scope file ${file} is not JSON: ${(error as Error).message}`);
	}
	if (json === null || typeof json !== 'object' || json.mfatrailScope !== 1) throw new ScopeError(`${file} is not an mfatrail scope file (no "mfatrailScope": 1)`);
	const {engine, query, accounts, regions, since, until, objects} = json;
	if (typeof engine !== 'string' || typeof query !== 'string' || !strings(accounts) || !strings(regions) || !strings(objects) || !timeOrNull(since) || !timeOrNull(until)) {
		throw new ScopeError(`scope file ${file} is damaged: engine, query, accounts, regions, since, until or objects missing or of the wrong type`);
	}
	return {engine, query, accounts, regions, since, until, objects, origin: file, sha256: crypto.createHash('sha256').update(text).digest('hex')};
}

/** The scope files an import names: --scope files, and mfatrail-scope.json at the top of a folder or given as a file. */
export function scopeFilesOf(inputs: string[]): string[] {
	const found: string[] = [];
	for (const input of inputs) {
		if (input === '-') continue;
		try {
			if (fs.statSync(input).isDirectory()) {
				const candidate = `${input.replace(/[/\\]+$/, '')}/${scopeFileName}`;
				if (fs.existsSync(candidate)) found.push(candidate);
			} else if (input.replaceAll('\\', '/').split('/').pop() === scopeFileName) found.push(input);
		} catch {
			// The importer reports missing inputs.
		}
	}
	return found;
}
