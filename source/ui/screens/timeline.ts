import type {TimelineEntry} from '../../db/queries.js';
import {isFailure} from '../data.js';
import {arnIn, hiddenIn, lifecycleResult, type ScreenModel, type TimelineSubject} from '../model.js';
import {callDetail, lifecycleCall} from './principal.js';
import {accountOfArn} from '../../model/principals.js';

export interface TimelineState {
	subject: TimelineSubject;
	failedOnly: boolean;
	since?: string;
	until?: string;
}

export const timelineLimit = 2000;

const text = (value: unknown): string | undefined => (value === null || value === undefined || value === '' ? undefined : String(value));

export function timelineModel(state: TimelineState, entries: TimelineEntry[]): ScreenModel {
	const shown = arnIn(accountOfArn(state.subject.principalArn) ?? accountOfArn(state.subject.deviceSerial));
	const filters = [state.failedOnly ? 'failed only' : 'all events', state.since ? `since ${state.since}` : '', state.until ? `until ${state.until}` : ''].filter(Boolean).join(', ');
	return {
		screen: 'timeline',
		title: `Timeline ${state.subject.label}`,
		header: [[[state.subject.principalArn ? 'principal' : 'device', state.subject.principalArn ?? state.subject.deviceSerial]], [['showing', filters]]],
		panes: [
			{
				name: `Events ${entries.length}`,
				// At 80 columns the device (detail) keeps ~20 columns: mfa/alice-phone and mfa/alice-backup read apart.
				columns: [
					{title: 'time', width: 19, time: true},
					{title: 'event', width: 20, fit: true},
					{title: 'result', width: 7, fit: true},
					{title: 'device / actor', width: 14, fit: true, id: true},
					{title: 'source IP', width: 9, fit: true, id: true},
					{title: 'user agent', width: 10, flex: true, drop: 1},
				],
				rows: entries.map(e => {
					const r = e as Record<string, unknown>;
					const lifecycle = e.kind === 'lifecycle';
					const result = lifecycle ? lifecycleResult(e) : (text(r.result) ?? text(r.errorCode) ?? (isFailure(r) ? 'Failure' : ''));
					const serial = text(r.serialNumber) ?? text(r.mfaIdentifier);
					const actor = text(r.actor) ?? text(r.principalArn);
					const ip = text(r.sourceIPAddress);
					const key = text(r.accessKeyId);
					return {
						cells: [e.eventTime, lifecycle ? lifecycleCall(e.eventName) : e.eventName, result, shown(serial ?? actor), ip, text(r.userAgent)],
						target: {screen: 'event' as const, eventId: e.eventId},
						hidden: hiddenIn(e.eventName, r.serialNumber, r.mfaIdentifier, r.actor, r.principalArn, r.sourceIPAddress, r.userAgent, r.errorCode, r.errorMessage),
						detail: callDetail({actor, serialNumber: serial, accessKeyId: key, sourceIPAddress: ip, eventId: e.eventId, userAgent: text(r.userAgent)}),
						pivots: {principal: actor, key, ip},
						time: e.eventTime,
					};
				}),
				empty: state.failedOnly ? 'no failed sign-in in this range' : 'no event in this range',
				note: entries.length >= timelineLimit ? `first ${timelineLimit} events: narrow the range with r` : undefined,
			},
		],
		export: {name: 'timeline', format: 'csv', json: entries},
	};
}
