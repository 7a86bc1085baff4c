import {identityCenterCreateEvents, identityCenterDeviceEvents, lifecycleEvents} from '../domain/mfa-events.js';
import {describeSerial, isPlausibleSerial, virtualSerial} from './devices.js';
import {unjoinedAssumeRootNote} from './links.js';
import {accountOfArn, credentialOf, identityCenterUserArn, ownerFromUserName, partitionOf, partitionOfRow, rootArn} from './principals.js';
import type {DeviceIncarnation, DeviceState, DeviceType, FactRow, LifecycleRecord, PrincipalInfo} from './types.js';

/** Device lifecycle calls, IAM and Identity Center (reads are not lifecycle). */
export function isLifecycleEvent(eventName: string | null): boolean {
	return eventName !== null && lifecycleEvents.has(eventName);
}

/**
 * Does the call itself say it was made in an AssumeRoot session? sessionContext.assumedRoot "true"
 * (a hint on either side), or a root session (ASIA key) doing what only an AssumeRoot session can:
 * DeactivateMFADevice, or (outside the console) a login-profile call, without a userName [C6][C8]. links.ts replaces the
 * note with the caller when the AssumeRoot call is in the evidence; without a hint and without
 * the call, nothing is claimed.
 */
export function assumeRootHint(row: FactRow, eventName: string): boolean {
	if (row.identityType !== 'Root') return false;
	if (row.facts.assumedRoot) return true;
	if (!row.accessKeyId?.startsWith('ASIA') || row.facts.userName || row.facts.requestParametersNull) return false;
	if (eventName === 'DeactivateMFADevice') return true;
	// A root console session may set its own password; a programmatic root session cannot.
	return /^(Create|Delete|Update)LoginProfile$/.test(eventName) && credentialOf(row) !== 'console';
}

/**
 * Device incarnations, built by feeding lifecycle calls and uses in event-time order. A serial has
 * at most one live incarnation; after deletion the next event naming it opens a new one, so a
 * reused name is never merged with the device that carried it before.
 */
export class DeviceRegistry {
	readonly devices: DeviceIncarnation[] = [];
	private readonly latest = new Map<string, DeviceIncarnation>();

	/** The incarnation of this serial that exists now (not deleted), if any. */
	live(serial: string): DeviceIncarnation | undefined {
		const device = this.latest.get(serial);
		return device && device.state !== 'deleted' ? device : undefined;
	}

	private open(serial: string, time: string, state: DeviceState, type?: DeviceType, accountId?: string | null): DeviceIncarnation {
		const described = describeSerial(serial);
		const previous = this.latest.get(serial);
		const device: DeviceIncarnation = {
			id: this.devices.length + 1,
			serialNumber: serial,
			incarnation: previous ? previous.incarnation + 1 : 1,
			name: described.name || null,
			type: type ?? described.type,
			accountId: described.accountId ?? accountId ?? null,
			ownerArn: null,
			creatorArn: null,
			state,
			createdAt: null,
			enabledAt: null,
			deactivatedAt: null,
			deletedAt: null,
			firstSeen: time,
			lastSeen: time,
			lastUsed: null,
			useCount: 0,
		};
		this.devices.push(device);
		this.latest.set(serial, device);
		return device;
	}

	/** Applies one lifecycle call (successful or not) and returns its lifecycle record. */
	lifecycle(row: FactRow, actor: PrincipalInfo | undefined): LifecycleRecord {
		const {facts, eventTime: time} = row;
		const eventName = row.eventName ?? '';
		const identityCenter = identityCenterDeviceEvents.has(eventName);
		const account = accountOfArn(facts.serialNumber) ?? row.recipientAccountId ?? row.identityAccountId;
		const partition = facts.serialNumber?.startsWith('arn:') ? partitionOf(facts.serialNumber) : partitionOfRow(row);
		let serial = identityCenter ? facts.deviceId : facts.serialNumber;
		if (!serial && eventName === 'CreateVirtualMFADevice' && facts.deviceName && account) {
			// A failed create has no response; the name still tells which serial it was after.
			serial = virtualSerial(partition, account, facts.deviceName, facts.devicePath);
		}
		const owner = this.ownerOf(row, eventName, actor, account, partition, identityCenter);
		const applied = row.errorCode ? 0 : 1;
		let device: DeviceIncarnation | undefined;
		if (serial && applied) device = this.apply(serial, eventName, time, owner, identityCenter, account);
		else if (serial) device = this.live(serial);
		if (device) {
			device.lastSeen = time;
			if (eventName === 'CreateVirtualMFADevice' && applied) device.creatorArn = actor?.arn ?? null;
		}
		return {
			event: row.id,
			eventId: row.eventId,
			deviceId: device?.id ?? null,
			ownerArn: owner ?? device?.ownerArn ?? null,
			actorArn: actor?.arn ?? null,
			eventName,
			eventTime: time,
			serialNumber: serial ?? null,
			accessKeyId: row.accessKeyId,
			credential: credentialOf(row),
			mfaAuthenticated: row.mfaAuthenticated,
			sourceIp: row.sourceIp,
			userAgent: row.userAgent,
			errorCode: row.errorCode,
			errorMessage: row.errorMessage,
			applied,
			cliCommand: facts.cliCommand ?? null,
			assumeRootEvent: null,
			actorNote: assumeRootHint(row, eventName) ? unjoinedAssumeRootNote : null,
		};
	}

	/**
	 * The device owner a call names: userName ('AWS ROOT USER' = root); Identity Center's target
	 * user; DeactivateMFADevice without userName is a root (AssumeRoot) request. CreateVirtualMFADevice
	 * names no owner: whoever creates a device need not be the one who enables it.
	 */
	private ownerOf(
		row: FactRow,
		eventName: string,
		actor: PrincipalInfo | undefined,
		account: string | null,
		partition: string,
		identityCenter: boolean,
	): string | null {
		const {facts} = row;
		if (!account || facts.requestParametersNull) return null;
		if (identityCenter) {
			const userId = facts.targetUserId ?? facts.onBehalfOfUserId;
			return userId ? identityCenterUserArn(partition, account, userId) : null;
		}
		if (facts.userName) return ownerFromUserName(facts.userName, account, partition);
		if (eventName === 'DeactivateMFADevice') return rootArn(partition, account);
		if ((eventName === 'EnableMFADevice' || eventName === 'ResyncMFADevice') && (actor?.type === 'IAMUser' || actor?.type === 'Root')) {
			return actor.arn;
		}
		return null;
	}

	private apply(
		serial: string,
		eventName: string,
		time: string,
		owner: string | null,
		identityCenter: boolean,
		account: string | null,
	): DeviceIncarnation {
		const type: DeviceType | undefined = identityCenter ? 'identity-center' : undefined;
		let device = this.live(serial);
		const claim = (d: DeviceIncarnation) => {
			if (owner) d.ownerArn = owner;
			return d;
		};
		if (eventName === 'CreateVirtualMFADevice' || identityCenterCreateEvents.has(eventName)) {
			// Creation always starts a new incarnation: a live one left means the evidence missed its deletion.
			device = this.open(serial, time, identityCenter ? 'enabled' : 'created', type, account);
			device.createdAt = time;
			if (identityCenter) device.enabledAt = time;
			return claim(device);
		}
		if (!device) {
			// Any other call proves the device existed before it, from an unknown start, except that
			// hardware tokens and security keys have no create call: enabling one registers it.
			device = this.open(serial, time, 'enabled', type, account);
			if (eventName === 'EnableMFADevice' && (device.type === 'hardware' || device.type === 'fido')) device.createdAt = time;
		}
		switch (eventName) {
			case 'EnableMFADevice':
				device.state = 'enabled';
				device.enabledAt = time;
				break;
			case 'ResyncMFADevice':
				if (device.state === 'created' || device.state === 'in-use') device.state = 'enabled';
				break;
			case 'DeactivateMFADevice':
				device.state = 'deactivated';
				device.deactivatedAt = time;
				break;
			case 'DeleteVirtualMFADevice':
			case 'DeleteMfaDeviceForUser':
				device.state = 'deleted';
				device.deletedAt = time;
				break;
			default:
				break;
		}
		return claim(device);
	}

	/**
	 * A sign-in or STS call naming the serial. A successful use of a serial without a live
	 * incarnation proves a device created before the evidence window: state in-use, start unknown.
	 */
	use(serial: string, time: string, ownerArn: string | null, successful: boolean, accountId: string | null): DeviceIncarnation | undefined {
		let device = this.live(serial);
		if (!device && successful && isPlausibleSerial(serial)) device = this.open(serial, time, 'in-use', undefined, accountId);
		if (!device) return undefined;
		device.lastSeen = time;
		if (successful) {
			device.lastUsed = time;
			device.useCount++;
			if (!device.ownerArn && ownerArn) device.ownerArn = ownerArn;
		}
		return device;
	}
}
