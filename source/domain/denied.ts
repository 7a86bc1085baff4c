/**
 * What "denied" means, defined once: the pivots, the rules and the SQL the findings load with all
 * read it. The bottom layer: imports nothing from the project.
 *
 * An API call is denied when its errorCode says it was not allowed:
 * - `AccessDenied` and every code containing it (`AccessDeniedException`, `Client.AccessDenied…`);
 * - every code ending in `UnauthorizedOperation` (EC2's `Client.UnauthorizedOperation`, and the
 *   bare form some exports keep).
 * Codes compare case-insensitively (exports differ in case; IAM's own codes do not).
 * A sign-in is denied when it failed (ConsoleLogin/CheckMfa `Failure`, an Identity Center
 * `CredentialVerification` `Failure`): the model records that as the sign-in's result, and
 * isDeniedSignIn reads it.
 */

const deniedCode = /accessdenied|unauthorizedoperation$/i;

export function isDenied(errorCode: string | null | undefined): boolean {
	return Boolean(errorCode && deniedCode.test(errorCode.trim()));
}

/** The same test in SQL (SQLite's LIKE is case-insensitive for ASCII), over a column expression. */
export function deniedSql(column: string): string {
	return `(${column} LIKE '%AccessDenied%' OR ${column} LIKE '%UnauthorizedOperation')`;
}

/** A sign-in's result as the model stores it ('Success', 'Failure' or null): denied is 'Failure'. */
export function isDeniedSignIn(result: string | null | undefined): boolean {
	return result === 'Failure';
}
