import {addEvents, at, describeCredential, localeOrder, describePrincipal, enableEvents, failed, finding, isDenied, lookup, modelIndex, ms, plural, removalEvents, sameArn, succeeded, target} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type LifecycleEntry, type ModelData, type PrincipalCall, type SignInEntry, type Thresholds} from '../types.js';

export const id = 'mfa-added-without-mfa-session';

/** AWS-2023-001: multiple devices launched 2022-11-16; fixed 2023-04-21 (AWS then required an MFA session). */
export const exploitableFrom = '2022-11-16T00:00:00Z';
export const fixedOn = '2023-04-22T00:00:00Z';


/**
 * Made with long-term access keys (AKIA, no sessionContext, not the console) or in a session whose
 * mfaAuthenticated is false. Root or console sessions with mfaAuthenticated true do not count.
 */
export function isUnprotectedAdd(entry: LifecycleEntry): boolean {
	if (!addEvents.has(entry.eventName)) return false;
	// A device is created by its future owner; created by someone else it is the enabling that matters.
	if (entry.eventName === 'CreateVirtualMFADevice' && entry.ownerArn && !sameArn(entry.ownerArn, entry.actorArn)) return false;
	return entry.credential === 'long-term' || entry.mfaAuthenticated === 0;
}

interface DeviceEvidence {
	eventId: string;
	eventTime: string;
	serial: string | null;
	what: string;
}

/**
 * The principal's enabled devices at `time`, other than `except`, as evidence rows: an applied
 * enabling, a console sign-in naming a device or with MFAUsed "Yes", a successful CheckMfa; each
 * cancelled by a later deactivation or deletion of that device (of any device, when the evidence
 * does not name it).
 */
export function deviceEvidence(model: ModelData, principal: string, time: string, except: string | null): DeviceEvidence[] {
	const limit = ms(time);
	const before = (t: string) => ms(t) < limit;
	const index = modelIndex(model);
	const ofPrincipal = lookup(index.lifecycleByTarget, principal, true);
	const removals = ofPrincipal.filter(e => e.applied && removalEvents.has(e.eventName) && before(e.eventTime));
	const removedSince = (serial: string | null, since: string) =>
		removals.some(r => ms(r.eventTime) >= ms(since) && (serial === null || r.serialNumber === null || r.serialNumber === serial));
	const found: DeviceEvidence[] = [];
	for (const e of ofPrincipal) {
		if (!e.applied || !enableEvents.has(e.eventName) || !before(e.eventTime)) continue;
		if (e.serialNumber === except || removedSince(e.serialNumber, e.eventTime)) continue;
		found.push({eventId: e.eventId, eventTime: e.eventTime, serial: e.serialNumber, what: `${e.eventName} at ${at(e.eventTime)}`});
	}
	for (const s of lookup(index.signInsByPrincipal, principal, true)) {
		if (!before(s.eventTime) || !succeeded(s)) continue;
		let evidence: DeviceEvidence | undefined;
		if (s.kind === 'console-login' && (s.mfaIdentifier || s.mfaUsed === 'Yes')) {
			evidence = {eventId: s.eventId, eventTime: s.eventTime, serial: s.mfaIdentifier, what: `a console sign-in with MFA at ${at(s.eventTime)}`};
		} else if (s.kind === 'mfa-check') {
			evidence = {eventId: s.eventId, eventTime: s.eventTime, serial: null, what: `a successful CheckMfa at ${at(s.eventTime)}`};
		}
		if (!evidence || (evidence.serial !== null && evidence.serial === except) || removedSince(evidence.serial, s.eventTime)) continue;
		found.push(evidence);
	}
	return found.sort((a, b) => localeOrder(a.eventTime, b.eventTime));
}

/** Unprotected adds for one principal, grouped into attempts (create + enable of one device). */
function attempts(entries: LifecycleEntry[], attemptGap: number): LifecycleEntry[][] {
	const out: LifecycleEntry[][] = [];
	for (const e of entries) {
		const recent = out.filter(a => ms(e.eventTime) - ms(a.at(-1)!.eventTime) <= attemptGap);
		const serialOf = (a: LifecycleEntry[]) => a.find(x => x.serialNumber)?.serialNumber ?? null;
		// Same device; or a call whose serial was not logged (denied calls log requestParameters null) joins the latest attempt.
		const joined = e.serialNumber ? recent.find(a => serialOf(a) === e.serialNumber || serialOf(a) === null) : recent.at(-1);
		if (joined) joined.push(e);
		else out.push([e]);
	}
	return out;
}

interface Attempt {
	principal: string;
	attempt: LifecycleEntry[];
	serial: string | null;
	prior: DeviceEvidence[];
	/** The applied enabling, when the add went through. */
	enabled: LifecycleEntry | undefined;
}

/** candidates() of a model, by the one threshold they depend on: callSpans (load.ts) and detect both ask. */
const computed = new WeakMap<ModelData, {runGapMs: number; attempts: Attempt[]}>();

/** Unprotected adds for principals who already had a device: the findings, before what followed. */
function candidates(model: ModelData, thresholds: Thresholds): Attempt[] {
	const known = computed.get(model);
	if (known?.runGapMs === thresholds.runGapMs) return known.attempts;
	const attempts = findCandidates(model, thresholds);
	computed.set(model, {runGapMs: thresholds.runGapMs, attempts});
	return attempts;
}

function findCandidates(model: ModelData, thresholds: Thresholds): Attempt[] {
	const byPrincipal = new Map<string, LifecycleEntry[]>();
	for (const e of model.lifecycle) {
		const principal = target(e);
		if (!principal || !isUnprotectedAdd(e)) continue;
		const list = byPrincipal.get(principal) ?? [];
		list.push(e);
		byPrincipal.set(principal, list);
	}
	const out: Attempt[] = [];
	for (const [principal, entries] of byPrincipal) {
		for (const attempt of attempts(entries, thresholds.runGapMs)) {
			const serial = attempt.find(e => e.serialNumber)?.serialNumber ?? null;
			const prior = deviceEvidence(model, principal, attempt[0].eventTime, serial);
			if (prior.length === 0) continue; // the principal's first device: normal enrolment
			out.push({principal, attempt, serial, prior, enabled: attempt.find(e => e.applied && enableEvents.has(e.eventName))});
		}
	}
	return out;
}

/**
 * The spans of the event table the follow-up needs (load.ts loads model.calls for these only):
 * per principal, from 30 days before its first successful unprotected add to 24 h after its last.
 */
export function callSpans(model: ModelData, thresholds: Thresholds = defaultThresholds): Map<string, {from: number; to: number}> {
	const spans = new Map<string, {from: number; to: number}>();
	for (const {principal, enabled} of candidates(model, thresholds)) {
		if (!enabled) continue;
		const t = ms(enabled.eventTime);
		const span = spans.get(principal);
		spans.set(principal, {from: Math.min(span?.from ?? t, t - thresholds.deniedLookbackMs), to: Math.max(span?.to ?? t, t + thresholds.followUpMs)});
	}
	return spans;
}

export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const out: KeyedFinding[] = [];
	for (const {principal, attempt, serial, prior, enabled} of candidates(model, thresholds)) {
		const start = attempt[0];
		const followUp = enabled ? followUps(model, principal, serial, enabled.eventTime, thresholds) : {evidence: [], text: '', context: []};
		const latest = prior.at(-1)!;
		const device = serial ?? '(serial not recorded)';
		const main = attempt.find(e => e.eventName !== 'CreateVirtualMFADevice') ?? start;
		const by = main.actorArn && !sameArn(main.actorArn, principal) ? `by ${describePrincipal(main.actorArn)} ` : '';
		const how = `${by}with ${describeCredential(main)}`;
		const had = `while ${latest.serial ? `device ${latest.serial}` : 'an MFA device'} was already in use (${latest.what}${prior.length > 1 ? `, and ${plural(prior.length - 1, 'earlier piece')} of device evidence` : ''})`;
		let outcome: string;
		if (enabled) {
			const t = ms(enabled.eventTime);
			if (t < ms(exploitableFrom)) {
				outcome = 'outside the AWS-2023-001 window (2022-11-16 to 2023-04-21), before users could have two devices: the earlier device was probably replaced; check the device evidence';
			} else if (t < ms(fixedOn)) {
				outcome = 'inside the AWS-2023-001 exploitable window (2022-11-16 to 2023-04-21): access keys alone reached MFA-level access';
			} else {
				outcome = 'outside the AWS-2023-001 window (2022-11-16 to 2023-04-21), after AWS began requiring an MFA session for this: check the device evidence and the caller';
			}
		} else {
			const errors = [...new Set(attempt.map(e => e.errorCode).filter(Boolean))].join(', ');
			const after = ms(start.eventTime) >= ms(fixedOn);
			outcome = `the enabling did not succeed${errors ? ` (${errors})` : ''}: an attempt${after ? ' blocked by the fix of 2023-04-21' : ''}`;
		}
		out.push(
			finding({
				rule: id,
				severity: 'high',
				principal,
				serialNumber: serial,
				evidence: [...attempt, ...followUp.evidence],
				context: [latest, ...followUp.context],
				incident: {run: ''},
				summary:
					`${describePrincipal(principal)}: ${attempt.map(e => `${e.eventName}${e.applied ? '' : ' (failed)'}`).join(', ')} of MFA device ${device} ` +
					`at ${at(start.eventTime)} ${how}, ${had}; ${outcome}${followUp.text}.`,
			}),
		);
	}
	return out;
}

/** GetSessionToken with the new serial, and calls denied before that succeed with MFA after. */
function followUps(
	model: ModelData,
	principal: string,
	serial: string | null,
	enabledAt: string,
	thresholds: Thresholds,
): {evidence: (SignInEntry | PrincipalCall)[]; text: string; context: PrincipalCall[]} {
	const from = ms(enabledAt);
	const within = (t: string) => ms(t) >= from && ms(t) - from <= thresholds.followUpMs;
	const session =
		serial === null
			? undefined
			: lookup(modelIndex(model).signInsBySerial, serial).find(s => s.kind === 'sts-mfa' && sameArn(s.principalArn, principal) && !failed(s) && within(s.eventTime));
	const calls = model.calls.get(principal) ?? [];
	const action = (c: PrincipalCall) => `${(c.eventSource ?? '').replace('.amazonaws.com', '')}:${c.eventName ?? ''}`;
	const denied = new Map<string, PrincipalCall>();
	for (const c of calls) {
		if (isDenied(c.errorCode) && ms(c.eventTime) < from && from - ms(c.eventTime) <= thresholds.deniedLookbackMs) denied.set(action(c), c);
	}
	const flipped = new Map<string, PrincipalCall>();
	for (const c of calls) {
		if (c.errorCode === null && c.mfaAuthenticated === 1 && within(c.eventTime) && denied.has(action(c)) && !flipped.has(action(c))) flipped.set(action(c), c);
	}
	const parts: string[] = [];
	if (session) parts.push(`${session.eventName} with the new device at ${at(session.eventTime)}`);
	if (flipped.size > 0) {
		const names = [...flipped.keys()];
		parts.push(`${plural(flipped.size, 'previously denied call')} now succeeding with mfaAuthenticated true (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`);
	}
	const text = parts.length > 0 ? `; followed by ${parts.join(' and ')}` : '; no GetSessionToken with the new device or newly allowed calls followed within 24 h in the evidence';
	const evidence: (SignInEntry | PrincipalCall)[] = [...(session ? [session] : []), ...flipped.values()];
	return {evidence, text, context: [...flipped.keys()].map(k => denied.get(k)!)};
}

