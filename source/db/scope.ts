/**
 * The scope of a scoped extract: which query chose the objects a case holds (source/scope/ writes
 * it as a scope file beside the download; import records it here). Absence-based findings and the
 * case's own description read it, through caseScope.
 */
import type {CaseFile} from './open.js';

/** One recorded scope, as every reader sees it. */
export interface CaseScope {
	/** What ran the query: 'athena', 'duckdb'. */
	engine: string;
	/** The statement text as run ('' when the plan was made without it). */
	query: string;
	/** Account IDs the query covered. */
	accounts: string[];
	regions: string[];
	/** ISO-8601 UTC bounds of the query; null when unbounded on that side. */
	since: string | null;
	until: string | null;
	importedAt: string;
}

/** A scope to record, with where it came from. */
export interface ScopeRecord extends Omit<CaseScope, 'importedAt'> {
	/** The log objects the query selected: S3 object keys (AWSLogs/…), or local paths for a local run. */
	objects: string[];
	origin: string | null;
	/** SHA-256 of the scope file's content: the same scope imported twice is one row. */
	sha256: string;
}

interface Row {
	engine: string;
	query: string;
	accounts: string;
	regions: string;
	since: string | null;
	until: string | null;
	imported_at: string;
}

/** The scopes of the case, oldest first; empty for a case that is not a scoped extract. */
export function caseScope(db: CaseFile): CaseScope[] {
	const rows = db.prepare('SELECT engine, query, accounts, regions, since, until, imported_at FROM scope ORDER BY imported_at, id').all() as Row[];
	return rows.map(r => ({
		engine: r.engine,
		query: r.query,
		accounts: JSON.parse(r.accounts) as string[],
		regions: JSON.parse(r.regions) as string[],
		since: r.since,
		until: r.until,
		importedAt: r.imported_at,
	}));
}

/** From AWSLogs/ on: the part of a path or S3 URI that is the same in the bucket and in a download. */
export function objectKey(pathOrUri: string): string {
	const normal = pathOrUri.replaceAll('\\', '/');
	if (normal.startsWith('AWSLogs/')) return normal;
	const at = normal.lastIndexOf('/AWSLogs/');
	return at >= 0 ? normal.slice(at + 1) : pathOrUri;
}

/** Every log object any scope of the case selected (verify tells these from files outside the extract). */
export function scopeObjects(db: CaseFile): Set<string> {
	const all = new Set<string>();
	for (const row of db.prepare('SELECT objects FROM scope').pluck().all() as string[]) for (const key of JSON.parse(row) as string[]) all.add(key);
	return all;
}

/** Whether the case holds a scoped extract. */
export function isScoped(db: CaseFile): boolean {
	return db.prepare('SELECT 1 FROM scope LIMIT 1').get() !== undefined;
}

/** Records a scope; returns false when the same scope file was recorded before. */
export function recordScope(db: CaseFile, scope: ScopeRecord, importedAt = new Date().toISOString()): boolean {
	const result = db
		.prepare(
			`INSERT INTO scope (engine, query, accounts, regions, since, until, objects, origin, sha256, imported_at)
			 VALUES (@engine, @query, @accounts, @regions, @since, @until, @objects, @origin, @sha256, @importedAt)
			 ON CONFLICT (sha256) DO NOTHING`,
		)
		.run({
			...scope,
			objects: JSON.stringify(scope.objects),
			accounts: JSON.stringify(scope.accounts),
			regions: JSON.stringify(scope.regions),
			importedAt,
		});
	return result.changes > 0;
}
