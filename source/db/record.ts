/**
 * The shapes of what the store keeps, shared by the readers above (import/) and the store: they
 * live here, at the bottom, so db/ depends on nothing above it.
 */

/** A record ready to store: the indexed fields plus the original text, untouched. */
export interface NormalisedEvent {
	eventId: string;
	eventIdDerived: boolean;
	partial: boolean;
	eventTime: string;
	eventVersion: string | null;
	eventSource: string | null;
	eventName: string | null;
	eventType: string | null;
	recipientAccountId: string | null;
	awsRegion: string | null;
	identityType: string | null;
	identityArn: string | null;
	identityUserName: string | null;
	/** Only when the caller has neither ARN nor userName (the one case a reader falls back to it, db/report.ts). */
	identityPrincipalId: string | null;
	identityAccountId: string | null;
	accessKeyId: string | null;
	mfaAuthenticated: 0 | 1 | null;
	invokedBy: string | null;
	sourceIp: string | null;
	userAgent: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	readOnly: 0 | 1 | null;
	facts: string | null;
	/** The access key the call minted (domain/credentials.ts), indexed for the minting join. */
	mintedAccessKeyId: string | null;
	flags: string | null;
	/** The record exactly as it was in the evidence. */
	raw: string;
	/** Record index inside its source. */
	position: number;
}

/** A CloudTrail digest file, kept for offline validation. */
export interface DigestRow {
	accountId: string | null;
	region: string | null;
	digestStartTime: string | null;
	digestEndTime: string | null;
	s3Bucket: string | null;
	s3Object: string | null;
	previousHash: string | null;
	body: string;
}

/** JSON with keys sorted at every level: two serialisations of one record hash alike. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const keys = Object.keys(value as Record<string, unknown>).sort();
		return `{${keys.map(k => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}
