import zlib from 'node:zlib';

/**
 * Original records are stored verbatim, deflate-compressed against a preset dictionary of the
 * keys and values every CloudTrail record repeats: small records compress well only with it.
 * The dictionary is part of the case-file format (meta raw_codec): never edit it, add a new codec.
 */
export const rawCodec = 'deflate-raw-dict-1';

const dictionary = Buffer.from(
	[
		'"userAgent":"aws-cli/2.',
		'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/',
		'"sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"',
		'","mfaAuthenticated":"false"}}',
		'","mfaAuthenticated":"true"}}',
		'"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"',
		'"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"',
		'"readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"',
		'"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"',
		'","eventCategory":"Management"',
		'"requestParameters":null,"responseElements":null,',
		'"requestID":"',
		'","eventID":"',
		'"eventSource":"iam.amazonaws.com","eventName":"',
		'"eventSource":"sts.amazonaws.com","eventName":"',
		'"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"',
		'"awsRegion":"us-east-1","sourceIPAddress":"',
		'{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA',
		'","arn":"arn:aws:iam::',
		':user/',
		'","accountId":"',
		'","accessKeyId":"ASIA',
		'","accessKeyId":"AKIA',
		'","userName":"',
		'"type":"AssumedRole","principalId":"AROA',
		'arn:aws:sts::',
		':assumed-role/',
		'"sessionIssuer":{"type":"Role","principalId":"AROA',
		'"eventTime":"20',
		'T00:00:00Z","eventSource":"',
		'.amazonaws.com',
	].join(''),
);

export function packRaw(text: string): Buffer {
	return zlib.deflateRawSync(Buffer.from(text, 'utf8'), {dictionary, level: 6});
}

export function unpackRaw(blob: Buffer): string {
	return zlib.inflateRawSync(blob, {dictionary}).toString('utf8');
}
