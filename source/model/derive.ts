import {DeviceRegistry, isLifecycleEvent} from './lifecycle.js';
import {principalFromArn, principalOf} from './principals.js';
import {MfaStepTracker, signInKind, signInRecord} from './sign-ins.js';
import {accountEventRecord, accountEventRole} from './account-events.js';
import type {AccountEventRecord, DeviceIncarnation, FactRow, LifecycleRecord, Model, PrincipalInfo, SignInRecord} from './types.js';

type PrincipalEntry = Model['principals'] extends Map<string, infer V> ? V : never;

const maxCachedActors = 20_000;

function byTime(a: FactRow, b: FactRow): number {
	return a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.id - b.id;
}

/**
 * The derivation as a stream: rows go in one at a time in event-time order (ties by row id), and
 * each lifecycle call or sign-in comes out final at once (its device id and failed-at-MFA mark
 * depend only on earlier rows). Only the principals, the device incarnations and a little state
 * per principal and serial are held, so a full rebuild can write the records as they come instead
 * of holding every row and record of the case at once (source/model/refresh.ts).
 */
export class ModelDerivation {
	readonly principals: Model['principals'] = new Map();
	private readonly registry = new DeviceRegistry();
	private readonly steps = new MfaStepTracker();
	/** Most rows repeat a few identities: derive each once. */
	private readonly actors = new Map<string, PrincipalInfo | undefined>();

	get devices(): DeviceIncarnation[] {
		return this.registry.devices;
	}

	/** Derives the next row: its lifecycle record, sign-in or account event is pushed to the given list, if it is one. */
	add(row: FactRow, lifecycle: LifecycleRecord[], signIns: SignInRecord[], accountEvents: AccountEventRecord[]): void {
		const actor = this.actorOf(row);
		if (actor) this.note(actor, row.eventTime, row.identityArn !== actor.arn);
		const role = accountEventRole(row);
		if (role) {
			const record = accountEventRecord(row, role, actor);
			accountEvents.push(record);
			if (record.targetArn && !this.principals.has(record.targetArn)) this.note(principalFromArn(record.targetArn), null, false);
			return;
		}
		if (isLifecycleEvent(row.eventName)) {
			const record = this.registry.lifecycle(row, actor);
			lifecycle.push(record);
			if (record.ownerArn && !this.principals.has(record.ownerArn)) this.note(principalFromArn(record.ownerArn), null, false);
			return;
		}
		const kind = signInKind(row);
		if (!kind || !actor) return;
		const signIn = signInRecord(row, kind, actor.arn, actor.accountId);
		if (signIn.mfaIdentifier) {
			// Only a principal that signs in as itself owns the device it names.
			const owner = actor.type === 'IAMUser' || actor.type === 'Root' ? actor.arn : null;
			const device = this.registry.use(signIn.mfaIdentifier, row.eventTime, owner, signIn.result === 'Success', actor.accountId);
			signIn.deviceId = device?.id ?? null;
		}
		this.steps.record(signIn);
		signIns.push(signIn);
	}

	/** After the last row: device owners seen only as owners become principals too. */
	finish(): void {
		for (const device of this.registry.devices) {
			if (device.ownerArn && !this.principals.has(device.ownerArn)) this.note(principalFromArn(device.ownerArn), null, false);
		}
	}

	private note(info: PrincipalInfo, time: string | null, counted: boolean): PrincipalEntry {
		let entry = this.principals.get(info.arn);
		if (!entry) {
			entry = {...info, events: 0, firstSeen: null, lastSeen: null};
			this.principals.set(info.arn, entry);
		}
		if (counted && time) {
			// Events whose identity_arn is the principal are counted by SQL over all events; only
			// those keyed here (no arn in the record) are counted in this pass.
			entry.events++;
			if (!entry.firstSeen || time < entry.firstSeen) entry.firstSeen = time;
			if (!entry.lastSeen || time > entry.lastSeen) entry.lastSeen = time;
		}
		return entry;
	}

	private actorOf(row: FactRow): PrincipalInfo | undefined {
		const key = `${row.identityArn}|${row.identityType}|${row.identityUserName}|${row.identityAccountId}|${row.recipientAccountId}|${row.awsRegion}|${row.facts.onBehalfOfUserId}|${row.facts.idcUserName}|${row.eventSource === 'signin.amazonaws.com'}`;
		if (this.actors.has(key)) return this.actors.get(key);
		const actor = principalOf(row);
		// A cache, not state: bounded, so a case with many distinct callers does not hold them all.
		if (this.actors.size >= maxCachedActors) this.actors.clear();
		this.actors.set(key, actor);
		return actor;
	}
}

/**
 * Derives the MFA model from the MFA-relevant rows in one pass in event-time order (ties by row
 * id): evidence arrives out of order and in pieces, so file order never matters. Rows already in
 * order are not sorted again.
 */
export function deriveModel(input: Iterable<FactRow>): Model {
	const rows = [...input];
	for (let i = 1; i < rows.length; i++) {
		if (byTime(rows[i - 1], rows[i]) > 0) {
			rows.sort(byTime);
			break;
		}
	}
	const derivation = new ModelDerivation();
	const model: Model = {principals: derivation.principals, devices: derivation.devices, lifecycle: [], signIns: [], accountEvents: []};
	for (const row of rows) derivation.add(row, model.lifecycle, model.signIns, model.accountEvents);
	derivation.finish();
	return model;
}
