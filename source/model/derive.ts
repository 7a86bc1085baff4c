import {DeviceRegistry, isLifecycleEvent} from './lifecycle.js';
import {principalFromArn, principalOf} from './principals.js';
import {MfaStepTracker, signInKind, signInRecord} from './sign-ins.js';
import type {FactRow, Model, PrincipalInfo} from './types.js';

type PrincipalEntry = Model['principals'] extends Map<string, infer V> ? V : never;

function byTime(a: FactRow, b: FactRow): number {
	return a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.id - b.id;
}

/**
 * Derives the MFA model from the MFA-relevant rows in one pass in event-time order (ties by row
 * id): evidence arrives out of order and in pieces, so file order never matters. Rows already in
 * order (as the refresh query returns them) are not sorted again.
 */
export function deriveModel(input: Iterable<FactRow>): Model {
	const rows = [...input];
	for (let i = 1; i < rows.length; i++) {
		if (byTime(rows[i - 1], rows[i]) > 0) {
			rows.sort(byTime);
			break;
		}
	}
	const principals: Model['principals'] = new Map();
	const registry = new DeviceRegistry();
	const steps = new MfaStepTracker();
	const model: Model = {principals, devices: registry.devices, lifecycle: [], signIns: []};

	const note = (info: PrincipalInfo, time: string | null, counted: boolean): PrincipalEntry => {
		let entry = principals.get(info.arn);
		if (!entry) {
			entry = {...info, events: 0, firstSeen: null, lastSeen: null};
			principals.set(info.arn, entry);
		}
		if (counted && time) {
			// Events whose identity_arn is the principal are counted by SQL over all events; only
			// those keyed here (no arn in the record) are counted in this pass.
			entry.events++;
			if (!entry.firstSeen || time < entry.firstSeen) entry.firstSeen = time;
			if (!entry.lastSeen || time > entry.lastSeen) entry.lastSeen = time;
		}
		return entry;
	};

	// Most rows repeat a few identities: derive each once.
	const actors = new Map<string, PrincipalInfo | undefined>();
	const actorOf = (row: FactRow) => {
		const key = `${row.identityArn}|${row.identityType}|${row.identityUserName}|${row.identityAccountId}|${row.recipientAccountId}|${row.awsRegion}|${row.facts.onBehalfOfUserId}|${row.eventSource === 'signin.amazonaws.com'}`;
		if (actors.has(key)) return actors.get(key);
		const actor = principalOf(row);
		actors.set(key, actor);
		return actor;
	};

	for (const row of rows) {
		const actor = actorOf(row);
		if (actor) note(actor, row.eventTime, row.identityArn !== actor.arn);
		if (isLifecycleEvent(row.eventName)) {
			const record = registry.lifecycle(row, actor);
			model.lifecycle.push(record);
			if (record.ownerArn && !principals.has(record.ownerArn)) note(principalFromArn(record.ownerArn), null, false);
			continue;
		}
		const kind = signInKind(row);
		if (!kind || !actor) continue;
		const signIn = signInRecord(row, kind, actor.arn, actor.accountId);
		if (signIn.mfaIdentifier) {
			// Only a principal that signs in as itself owns the device it names.
			const owner = actor.type === 'IAMUser' || actor.type === 'Root' ? actor.arn : null;
			const device = registry.use(signIn.mfaIdentifier, row.eventTime, owner, signIn.result === 'Success', actor.accountId);
			signIn.deviceId = device?.id ?? null;
		}
		steps.record(signIn);
		model.signIns.push(signIn);
	}
	for (const device of registry.devices) {
		if (device.ownerArn && !principals.has(device.ownerArn)) note(principalFromArn(device.ownerArn), null, false);
	}
	return model;
}
