import type {DeviceView} from '../../db/queries.js';
import type {Finding} from '../data.js';
import {arnIn, time, type ScreenModel} from '../model.js';
import {accountOfArn} from '../../model/principals.js';
import {findingsPane} from './findings.js';
import {lifecycleColumns, lifecycleRow, signInColumns, signInRow} from './principal.js';

export function deviceModel(view: DeviceView, findings: Finding[]): ScreenModel {
	const times = [
		['created', view.createdAt],
		['enabled', view.enabledAt],
		['deactivated', view.deactivatedAt],
		['deleted', view.deletedAt],
	].filter(([, t]) => t) as Array<[string, string]>;
	const uses = [...view.logins, ...view.mfaUses].sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.event - b.event));
	const account = accountOfArn(view.serialNumber) ?? accountOfArn(view.owner);
	const shown = arnIn(account);
	const incarnation = view.incarnation > 1 || view.otherIncarnations.length > 0 ? ` (incarnation ${view.incarnation} of ${view.otherIncarnations.length + 1})` : '';
	return {
		screen: 'device',
		title: view.name ?? view.serialNumber,
		header: [
			[['serial', `${view.serialNumber}${incarnation}`]],
			[
				['type', view.type],
				['state', view.state],
				['owner', view.owner ?? 'unknown'],
			],
			[...times.map(([label, t]) => [label, time(t)] as [string, unknown]), ['findings', findings.length ? `${findings.length} !` : 'none']],
		],
		panes: [
			{name: `Lifecycle ${view.lifecycle.length}`, columns: lifecycleColumns, rows: view.lifecycle.map(e => lifecycleRow(e, shown)), empty: 'no lifecycle call seen for this device'},
			{name: `Sign-ins & MFA uses ${uses.length}`, columns: signInColumns, rows: uses.map(signInRow), empty: 'no sign-in or MFA use named this device'},
			findingsPane(findings, account),
		],
		export: {name: 'device', format: 'json', json: {...view, findings}},
		timelineSubject: {deviceSerial: view.serialNumber, label: view.name ?? view.serialNumber},
		pivots: {principal: view.owner},
		copy: view.serialNumber,
	};
}
