import {accountOfArn} from './principals.js';
import type {DeviceType} from './types.js';

/**
 * What a serial says about its device: virtual 'arn:…:mfa/[PATH/]NAME', FIDO 'arn:…:u2f/user/USER/NAME-ID'
 * or 'arn:…:u2f/root/NAME-ID', hardware TOTP vendor serials such as 'GAHT12345678'.
 */
export function describeSerial(serial: string): {type: DeviceType; name: string; accountId: string | null} {
	const accountId = accountOfArn(serial);
	const resource = serial.startsWith('arn:') ? serial.split(':').slice(5).join(':') : '';
	if (resource.startsWith('mfa/')) return {type: 'virtual', name: resource.slice('mfa/'.length), accountId};
	if (resource === 'mfa') return {type: 'virtual', name: '', accountId};
	if (resource.startsWith('u2f/')) {
		const parts = resource.split('/');
		return {type: 'fido', name: parts[parts.length - 1], accountId};
	}
	if (/^[A-Z]{4}\d{8}$/.test(serial)) return {type: 'hardware', name: serial, accountId: null};
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
