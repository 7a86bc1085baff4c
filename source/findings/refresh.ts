import type {CaseFile} from '../db/open.js';

/** Recomputes stored findings from the MFA model after an import. */
export function refreshFindings(_db: CaseFile): void {
	// Implemented by the findings issue.
}
