import crypto from 'node:crypto';

/**
 * CloudTrail digest files, read offline. A digest lists the log files delivered in one hour with
 * the SHA-256 of each uncompressed log file, and links to the previous digest by the SHA-256 of
 * its uncompressed content and its signature. The digest's own signature is not inside it: it is
 * the S3 object metadata `x-amz-meta-signature` (hex), made with the region's key from
 * `aws cloudtrail list-public-keys` (cloudtrail-log-file-custom-validation).
 */
export interface DigestLogFile {
	s3Bucket: string | null;
	s3Object: string;
	hashValue: string | null;
	hashAlgorithm: string | null;
}

export interface Digest {
	accountId: string | null;
	digestStartTime: string | null;
	digestEndTime: string | null;
	s3Bucket: string | null;
	s3Object: string | null;
	publicKeyFingerprint: string | null;
	signatureAlgorithm: string | null;
	previousS3Bucket: string | null;
	previousS3Object: string | null;
	previousHashValue: string | null;
	previousHashAlgorithm: string | null;
	previousSignature: string | null;
	logFiles: DigestLogFile[];
}

function str(value: unknown): string | null {
	return typeof value === 'string' ? value : null;
}

/** The fields of a digest file's JSON text; throws with a reason when it is not a digest. */
export function parseDigest(body: string): Digest {
	let json: unknown;
	try {
		json = JSON.parse(body);
	} catch (error) {
		throw new Error(`digest is not valid JSON: ${(error as Error).message}`);
	}
	if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('digest is not a JSON object');
	const d = json as Record<string, unknown>;
	if (!('digestEndTime' in d) || !('logFiles' in d)) throw new Error('not a CloudTrail digest (no digestEndTime or logFiles)');
	const logFiles: DigestLogFile[] = [];
	for (const entry of Array.isArray(d.logFiles) ? d.logFiles : []) {
		const f = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
		const s3Object = str(f.s3Object);
		if (s3Object === null) continue;
		logFiles.push({s3Bucket: str(f.s3Bucket), s3Object, hashValue: str(f.hashValue), hashAlgorithm: str(f.hashAlgorithm)});
	}
	return {
		accountId: str(d.awsAccountId),
		digestStartTime: str(d.digestStartTime),
		digestEndTime: str(d.digestEndTime),
		s3Bucket: str(d.digestS3Bucket),
		s3Object: str(d.digestS3Object),
		publicKeyFingerprint: str(d.digestPublicKeyFingerprint),
		signatureAlgorithm: str(d.digestSignatureAlgorithm),
		previousS3Bucket: str(d.previousDigestS3Bucket),
		previousS3Object: str(d.previousDigestS3Object),
		previousHashValue: str(d.previousDigestHashValue),
		previousHashAlgorithm: str(d.previousDigestHashAlgorithm),
		previousSignature: str(d.previousDigestSignature),
		logFiles,
	};
}

/** Region from a digest's S3 key (…/CloudTrail-Digest/REGION/…), for the digest table. */
export function digestRegion(digest: Digest): string | null {
	return /\/CloudTrail-Digest\/([^/]+)\//.exec(digest.s3Object ?? '')?.[1] ?? null;
}

/**
 * The string CloudTrail signs: end time, bucket/object, hex SHA-256 of the uncompressed digest,
 * and the previous digest's hex signature ('null' for the first digest of a chain, as the AWS
 * implementations write it).
 */
export function dataToSign(digest: Digest, contentSha256Hex: string): string {
	return `${digest.digestEndTime}\n${digest.s3Bucket}/${digest.s3Object}\n${contentSha256Hex}\n${digest.previousSignature ?? 'null'}`;
}

export interface PublicKey {
	key: crypto.KeyObject;
	fingerprint: string | null;
}

function derKey(der: Buffer): crypto.KeyObject {
	// list-public-keys gives PKCS#1 RSAPublicKey DER; openssl usually writes SubjectPublicKeyInfo.
	try {
		return crypto.createPublicKey({key: der, format: 'der', type: 'pkcs1'});
	} catch {
		return crypto.createPublicKey({key: der, format: 'der', type: 'spki'});
	}
}

/**
 * Public keys from what a responder may have saved: PEM, binary DER, base64 DER, or the JSON
 * output of `aws cloudtrail list-public-keys` (several keys, each with its fingerprint).
 */
export function readPublicKeys(bytes: Buffer): PublicKey[] {
	const text = bytes.toString('utf8').trim();
	if (text.startsWith('{')) {
		const json = JSON.parse(text) as {PublicKeyList?: {Value?: string; Fingerprint?: string}[]};
		const list = Array.isArray(json.PublicKeyList) ? json.PublicKeyList : [];
		if (list.length === 0) throw new Error('no PublicKeyList in the key file');
		return list
			.filter(k => typeof k.Value === 'string')
			.map(k => ({key: derKey(Buffer.from(k.Value!, 'base64')), fingerprint: typeof k.Fingerprint === 'string' ? k.Fingerprint.toLowerCase() : null}));
	}
	if (text.includes('-----BEGIN')) return [{key: crypto.createPublicKey(text), fingerprint: null}];
	if (/^[A-Za-z0-9+/=\s]+$/.test(text)) return [{key: derKey(Buffer.from(text.replace(/\s+/g, ''), 'base64')), fingerprint: null}];
	return [{key: derKey(bytes), fingerprint: null}];
}

/**
 * Signatures (hex x-amz-meta-signature) by digest S3 key. Accepted: a JSON object mapping the
 * digest S3 object key (or bucket/key, or file name) to the hex signature or to the output of
 * `aws s3api head-object` ({Metadata: {signature}}); or a folder of `<digest file name>.sig` (hex)
 * and `<digest file name>.json` (head-object output) files.
 */
export class Signatures {
	private readonly byKey = new Map<string, string>();

	add(name: string, value: unknown): void {
		let hex: unknown = value;
		if (value !== null && typeof value === 'object') {
			const v = value as {Metadata?: Record<string, unknown>; signature?: unknown};
			hex = v.Metadata?.signature ?? v.Metadata?.['x-amz-meta-signature'] ?? v.signature;
		}
		if (typeof hex !== 'string') return;
		this.byKey.set(name.replace(/^s3:\/\//, ''), hex.trim().toLowerCase());
	}

	get size(): number {
		return this.byKey.size;
	}

	/** The signature for a digest, looked up by key, bucket/key or file name. */
	find(digest: Digest): string | undefined {
		const object = digest.s3Object ?? '';
		const base = object.split('/').pop() ?? '';
		return (
			this.byKey.get(object) ??
			this.byKey.get(`${digest.s3Bucket}/${object}`) ??
			this.byKey.get(base) ??
			this.byKey.get(base.replace(/\.gz$/, '')) ??
			this.byKey.get(base.replace(/\.json\.gz$/, ''))
		);
	}
}

export function verifySignature(digest: Digest, contentSha256Hex: string, signatureHex: string, keys: PublicKey[]): boolean {
	const fingerprint = digest.publicKeyFingerprint?.toLowerCase() ?? null;
	// Prefer the key whose fingerprint the digest names; without fingerprints, any supplied key may do.
	const candidates = keys.some(k => k.fingerprint !== null && k.fingerprint === fingerprint)
		? keys.filter(k => k.fingerprint === fingerprint)
		: keys;
	if (!/^(?:[0-9a-f]{2})+$/.test(signatureHex)) return false;
	const data = Buffer.from(dataToSign(digest, contentSha256Hex), 'utf8');
	const signature = Buffer.from(signatureHex, 'hex');
	return candidates.some(k => {
		try {
			return crypto.verify('sha256', data, k.key, signature);
		} catch {
			return false;
		}
	});
}
