import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type {CaseFile} from '../../source/db/open.js';
import {EventStore} from '../../source/db/store.js';
import {importEvidence} from '../../source/pipeline.js';
import {dataToSign, digestRegion, parseDigest} from '../../source/verify/digest.js';

/**
 * A small trail in the S3 layout, built for the test: 3 log files and 3 digest files (each
 * chained to the one before; the last lists no log file), signed with a throwaway RSA key the way CloudTrail signs digests.
 */
export interface Trail {
	root: string;
	logFiles: string[]; // absolute paths
	digestFiles: string[];
	digestKeys: string[]; // S3 object keys of the digests
	/** {digest S3 key: hex signature}, as a responder would save x-amz-meta-signature. */
	signatures: Record<string, string>;
	publicKeyPem: string;
	/** `aws cloudtrail list-public-keys` output holding the key (base64 PKCS#1 DER). */
	listPublicKeysJson: string;
	otherKeyPem: string;
}

export const account = '111122223333';
const region = 'us-east-1';
const bucket = 'trail-bucket';

function record(n: number, hour: number): Record<string, unknown> {
	return {
		eventVersion: '1.08',
		userIdentity: {type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${account}:user/alice`, accountId: account, userName: 'alice'},
		eventTime: `2024-03-01T${String(hour).padStart(2, '0')}:0${n % 10}:00Z`,
		eventSource: 'iam.amazonaws.com',
		eventName: 'ListMFADevices',
		awsRegion: region,
		sourceIPAddress: '198.51.100.7',
		userAgent: 'aws-cli/2.15.0',
		requestParameters: {userName: 'alice'},
		responseElements: null,
		eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
		eventType: 'AwsApiCall',
		recipientAccountId: account,
	};
}

function sha256(data: Buffer | string): string {
	return crypto.createHash('sha256').update(data).digest('hex');
}

export function buildTrail(root: string): Trail {
	const {publicKey, privateKey} = crypto.generateKeyPairSync('rsa', {modulusLength: 2048});
	const other = crypto.generateKeyPairSync('rsa', {modulusLength: 1024});
	const logDir = `AWSLogs/${account}/CloudTrail/${region}/2024/03/01`;
	const digestDir = `AWSLogs/${account}/CloudTrail-Digest/${region}/2024/03/01`;
	fs.mkdirSync(path.join(root, logDir), {recursive: true});
	fs.mkdirSync(path.join(root, digestDir), {recursive: true});
	const logs: {key: string; content: string}[] = [];
	const suffixes = ['AbCdEfGh12345678', 'IjKlMnOp12345678', 'QrStUvWx12345678'];
	for (let i = 0; i < 3; i++) {
		const hour = i < 2 ? 10 : 11;
		const key = `${logDir}/${account}_CloudTrail_${region}_20240301T${hour}${i}5Z_${suffixes[i]}.json.gz`;
		const content = JSON.stringify({Records: [record(i * 2 + 1, hour), record(i * 2 + 2, hour)]});
		fs.writeFileSync(path.join(root, key), zlib.gzipSync(content));
		logs.push({key, content});
	}
	const digestKeys: string[] = [];
	const signatures: Record<string, string> = {};
	let previous: {key: string; content: string; signature: string} | null = null;
	for (const [hour, covered] of [
		[11, logs.slice(0, 2)],
		[12, logs.slice(2)],
		[13, []], // an hour without log files still gets a digest: the chain goes on
	] as const) {
		const key = `${digestDir}/${account}_CloudTrail-Digest_${region}_mytrail_${region}_20240301T${hour}0000Z.json.gz`;
		const digest: Record<string, unknown> = {
			awsAccountId: account,
			digestStartTime: `2024-03-01T${hour - 1}:00:00Z`,
			digestEndTime: `2024-03-01T${hour}:00:00Z`,
			digestS3Bucket: bucket,
			digestS3Object: key,
			digestPublicKeyFingerprint: '31e8b5433410dfb61a9dc45cc65b22ff',
			digestSignatureAlgorithm: 'SHA256withRSA',
			newestEventTime: `2024-03-01T${hour - 1}:59:00Z`,
			oldestEventTime: `2024-03-01T${hour - 1}:00:00Z`,
			previousDigestS3Bucket: previous ? bucket : null,
			previousDigestS3Object: previous ? previous.key : null,
			previousDigestHashValue: previous ? sha256(previous.content) : null,
			previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
			previousDigestSignature: previous ? previous.signature : null,
			logFiles: (covered as {key: string; content: string}[]).map(log => ({
				s3Bucket: bucket,
				s3Object: log.key,
				hashValue: sha256(log.content),
				hashAlgorithm: 'SHA-256',
				newestEventTime: '2024-03-01T10:59:00Z',
				oldestEventTime: '2024-03-01T10:00:00Z',
			})),
		};
		const content: string = JSON.stringify(digest);
		const signature = crypto.sign('sha256', Buffer.from(dataToSign(parseDigest(content), sha256(content))), privateKey).toString('hex');
		fs.writeFileSync(path.join(root, key), zlib.gzipSync(content));
		digestKeys.push(key);
		signatures[key] = signature;
		previous = {key, content, signature};
	}
	const der = publicKey.export({type: 'pkcs1', format: 'der'});
	return {
		root,
		logFiles: logs.map(l => path.join(root, l.key)),
		digestFiles: digestKeys.map(k => path.join(root, k)),
		digestKeys,
		signatures,
		publicKeyPem: publicKey.export({type: 'spki', format: 'pem'}).toString(),
		listPublicKeysJson: JSON.stringify({
			PublicKeyList: [{Value: der.toString('base64'), ValidityStartTime: '2024-01-01T00:00:00Z', ValidityEndTime: '2025-01-01T00:00:00Z', Fingerprint: '31e8b5433410dfb61a9dc45cc65b22ff'}],
		}),
		otherKeyPem: other.publicKey.export({type: 'spki', format: 'pem'}).toString(),
	};
}

/**
 * Imports the trail with the real importer. When the importer does not (yet) store digest files
 * in the digest table, the digests are stored here the way the import issue describes (a source
 * row with status 'digest' and the digest JSON as read), so verify can be tested on its own.
 * Returns whether the fallback was needed.
 */
export async function importTrail(db: CaseFile, inputs: string[]): Promise<{fallback: boolean}> {
	await importEvidence(db, inputs, {workers: 0});
	if ((db.prepare(`SELECT count(*) FROM digest`).pluck().get() as number) > 0) return {fallback: false};
	console.warn('importer stored no digest: verify tested on digests stored by the test fallback');
	const store = new EventStore(db, ['test-fallback'], '0.0.0');
	const digests = inputs.flatMap(input => walk(input)).filter(file => file.includes('CloudTrail-Digest'));
	for (const file of digests) {
		const bytes = fs.readFileSync(file);
		const content = zlib.gunzipSync(bytes);
		const body = content.toString('utf8');
		const digest = parseDigest(body);
		store.storeSource(
			{path: path.resolve(file), member: null, format: 'digest', byteSize: bytes.length, sha256: sha256(bytes), contentSize: content.length, contentSha256: sha256(content)},
			'digest',
			[],
			[],
			sourceId =>
				db
					.prepare(`INSERT INTO digest(source_id, account_id, region, digest_start_time, digest_end_time, s3_bucket, s3_object, previous_hash, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
					.run(sourceId, digest.accountId, digestRegion(digest), digest.digestStartTime, digest.digestEndTime, digest.s3Bucket, digest.s3Object, digest.previousHashValue, body),
		);
	}
	store.finishRun('done', {});
	return {fallback: true};
}

function walk(input: string): string[] {
	const stat = fs.statSync(input);
	if (!stat.isDirectory()) return [input];
	return fs.readdirSync(input).sort().flatMap(name => walk(path.join(input, name)));
}
