/**
 * The scope of a scoped extract: the query that selected the evidence, its engine, accounts,
 * regions and time range, as recorded at import.
 * (Placeholder written by issue14 so the report can code against it; issue12 owns this module and
 * its table, and replaces it at merge.)
 */
import type {CaseFile} from './open.js';

export interface CaseScope {
	engine: string;
	query: string;
	accounts: string[];
	regions: string[];
	since: string | null;
	until: string | null;
	importedAt: string;
}

/** The scopes recorded for this case; empty when it holds everything it was given. */
export function caseScope(_db: CaseFile): CaseScope[] {
	return [];
}
