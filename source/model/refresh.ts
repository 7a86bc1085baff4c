import type {CaseFile} from '../db/open.js';

/** Rebuilds the MFA model (principals, devices, lifecycles, sign-ins) from the imported events. */
export function refreshModel(_db: CaseFile): void {
	// Implemented by the model issue.
}
