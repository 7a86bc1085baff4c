/**
 * What a call did to credentials, defined once. The bottom layer: imports nothing from the project.
 */

/**
 * The access key a call minted: responseElements.credentials.accessKeyId, which STS writes on
 * GetSessionToken, AssumeRole, AssumeRoleWithSAML/WebIdentity, GetFederationToken and AssumeRoot.
 * A session is joined to its minting call on this key alone, in any account of the case (AssumeRoot
 * is recorded in the management account, its session in the member's), never on the caller's key:
 * AWS's AssumeRoot example prints the same placeholder for both (docs/research/mfa-2024-2026.md §3.1).
 */
export function mintedAccessKeyId(responseElements: unknown): string | null {
	if (responseElements === null || typeof responseElements !== 'object') return null;
	const credentials = (responseElements as Record<string, unknown>).credentials;
	if (credentials === null || typeof credentials !== 'object') return null;
	const key = (credentials as Record<string, unknown>).accessKeyId;
	return typeof key === 'string' && key.trim() !== '' ? key.trim() : null;
}
