import {accountOfArn} from './principals.js';
import type {DeviceType} from './types.js';

/**
 * What a serial says about its device: virtual 'arn:…:mfa/[PATH/]NAME', FIDO 'arn:…:u2f/user/USER/NAME-ID'
 * or 'arn:…:u2f/root/NAME-ID', hardware TOTP vendor serials such as 'GAHT12345678'.
 */
/**
 * A hardware TOTP token's serial: four letters and eight digits, as AWS's STS and IAM references
 * print them (GAHT12345678, GAKT12345678; docs/research/cloudtrail-mfa.md §1.3). Anything else
 * that is not an ARN stays 'unknown' rather than being guessed at.
 */
const hardwareSerial = /^[A-Z]{4}\d{8}$/;

export function describeSerial(serial: string): {type: DeviceType; name: string; accountId: string | null} {
	const accountId = accountOfArn(serial);
	const resource = serial.startsWith('arn:') ? serial.split(':').slice(5).join(':') : '';
	if (resource.startsWith('mfa/')) return {type: 'virtual', name: resource.slice('mfa/'.length), accountId};
	if (resource === 'mfa') return {type: 'virtual', name: '', accountId};
	if (resource.startsWith('u2f/')) {
		const parts = resource.split('/');
		return {type: 'fido', name: parts[parts.length - 1], accountId};
	}
	if (hardwareSerial.test(serial)) return {type: 'hardware', name: serial, accountId: null};
	if (!serial.startsWith('arn:')) return {type: 'unknown', name: serial, accountId: null};
	return {type: 'unknown', name: resource, accountId};
}

/** CreateVirtualMFADevice before its response is known: the serial AWS gives the new device. */
export function virtualSerial(partition: string, accountId: string, name: string, path?: string): string {
	const prefix = path && path !== '/' ? path.replace(/^\/+|\/+$/g, '') + '/' : '';
	return `arn:${partition}:iam::${accountId}:mfa/${prefix}${name}`;
}

/** Does the text look like a device serial (used to reject 'YourMFADeviceSerialNumber' as a device)? */
export function isPlausibleSerial(serial: string): boolean {
	return describeSerial(serial).type !== 'unknown' || /^arn:[^:]+:iam::\d{12}:mfa$/.test(serial);
}
