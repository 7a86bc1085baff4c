import {at, byTime, describePrincipal, finding, groupBy, isRootArn, removalEvents, runs, target} from '../lib.js';
import {defaultThresholds, type AccountEventEntry, type KeyedFinding, type LifecycleEntry, type ModelData, type Thresholds} from '../types.js';

export const id = 'root-credentials-removed-via-assume-root';

/** The task policy each change needs (mfa-2024-2026.md §3.4): another task joined to it is an inconsistency. */
const neededTask: Record<string, string> = {
	DeactivateMFADevice: 'IAMDeleteRootUserCredentials',
	DeleteVirtualMFADevice: 'IAMDeleteRootUserCredentials',
	DeleteLoginProfile: 'IAMDeleteRootUserCredentials',
	CreateLoginProfile: 'IAMCreateRootUserPassword',
};

type Change = (LifecycleEntry | AccountEventEntry) & {what: string};

function taskName(arn: string | null | undefined): string | null {
	return arn ? arn.replace(/^arn:[^:]+:iam::aws:policy\/root-task\//, '') : null;
}

/**
 * A root MFA device deactivated or deleted, or the root login profile deleted or created, in an
 * AssumeRoot session (a root session whose key an sts:AssumeRoot call minted, or whose record says
 * so). Changes of one root user within an hour (a session lasts 15 minutes) are one finding. The
 * summary names the management-account caller and the task policy, or says the call is not in the
 * evidence.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const calls = new Map(model.accountEvents.filter(a => a.role === 'assume-root').map(a => [a.event, a]));
	const changes: Change[] = [
		...model.lifecycle
			.filter(e => e.applied && e.actorNote && removalEvents.has(e.eventName) && isRootArn(target(e)))
			.map(e => ({...e, what: `MFA device ${e.serialNumber ?? '(serial not recorded)'} ${e.eventName === 'DeactivateMFADevice' ? 'deactivated' : 'deleted'}`})),
		...model.accountEvents
			.filter(a => a.actorNote && !a.errorCode && /^(Create|Delete)LoginProfile$/.test(a.eventName) && isRootArn(a.targetArn))
			.map(a => ({...a, what: a.eventName === 'CreateLoginProfile' ? 'root password (login profile) created' : 'root password (login profile) deleted'})),
	].sort(byTime);
	const rootOf = (c: Change) => ('ownerArn' in c ? target(c as LifecycleEntry) : (c as AccountEventEntry).targetArn);
	const out: KeyedFinding[] = [];
	for (const [root, list] of groupBy(changes, rootOf)) {
		for (const run of runs(list, thresholds.runGapMs)) {
			const first = run[0];
			const call = run.map(c => (c.assumeRootEvent !== null ? calls.get(c.assumeRootEvent) : undefined)).find(Boolean);
			const steps = run.map(c => `${c.what} at ${at(c.eventTime)}`).join(', ');
			let who: string;
			const context: {eventId: string; eventTime: string}[] = [];
			if (call) {
				context.push(call);
				const task = taskName(call.taskPolicy);
				const wrong = run.filter(c => task && neededTask[c.eventName] && neededTask[c.eventName] !== task).map(c => c.eventName);
				who = `${first.actorNote}, the AssumeRoot call made at ${at(call.eventTime)} from ${call.sourceIp ?? 'an unrecorded address'} with ${call.mfaAuthenticated === 1 ? 'an MFA session' : call.mfaAuthenticated === 0 ? 'a session without MFA' : 'MFA not recorded'}`;
				if (wrong.length > 0) who += `; inconsistent: task ${task} does not allow ${[...new Set(wrong)].join(', ')}`;
			} else {
				who = `${first.actorNote ?? 'an AssumeRoot session'}: the sts:AssumeRoot call that minted key ${first.accessKeyId ?? '(unknown)'} is not in the evidence (it is in the management or delegated-administrator account's trail, in the region of the STS endpoint), so the caller is unknown`;
			}
			out.push(
				finding({
					rule: id,
					severity: 'high',
					principal: root,
					serialNumber: run.map(c => ('serialNumber' in c ? c.serialNumber : null)).find(Boolean) ?? null,
					evidence: run,
					context,
					incident: {run: ''},
					summary: `Credentials of ${describePrincipal(root)} changed in an AssumeRoot session: ${steps}; ${who}.`,
				}),
			);
		}
	}
	return out;
}
