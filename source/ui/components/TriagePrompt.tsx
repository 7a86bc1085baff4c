import {useInput} from 'ink';
import {useReducer, useRef} from 'react';
import {triageStatuses, type TriageStatus, type TriageTarget} from '../../db/triage.js';
import {displayWidth, terminalSafe} from '../../lib/terminal-text.js';
import type {ScreenModel, Target} from '../model.js';
import {shortArn} from '../model.js';
import type {ExplorerData} from '../data.js';
import {truncate, truncateStart} from '../text.js';

/**
 * The triage prompt: choose a status (←/→ or Tab) and type a note on one line; Enter appends the
 * decision to the case file's journal, Esc leaves it. Built as ink-ui builds its widgets: a pure
 * reducer, an input hook gated by isActive (so the explorer's own keys rest while it is open), and a
 * view (here a status-line text, which the Frame draws).
 */

export interface TriagePromptState {
	status: TriageStatus;
	note: string;
}

export type TriagePromptAction = {type: 'reset'; state: TriagePromptState} | {type: 'status'; step: 1 | -1} | {type: 'type'; text: string} | {type: 'erase'};

/** Notes are one line of plain text: controls typed or pasted are dropped, and a note is bounded. */
const maxNote = 2000;

export function triagePromptReducer(state: TriagePromptState, action: TriagePromptAction): TriagePromptState {
	switch (action.type) {
		case 'reset':
			return action.state;
		case 'status': {
			const at = triageStatuses.indexOf(state.status);
			return {...state, status: triageStatuses[(at + action.step + triageStatuses.length) % triageStatuses.length]};
		}
		case 'type': {
			const text = action.text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
			return text ? {...state, note: (state.note + text).slice(0, maxNote)} : state;
		}
		case 'erase':
			return {...state, note: [...state.note].slice(0, -1).join('')};
	}
}

export interface TriagePromptOptions {
	/**
	 * Whether keys are the prompt's, asked when each key arrives: keys sent in one tick with the key
	 * that opened the prompt (a fast typist, tmux send-keys) are the prompt's already, before React
	 * has rendered it open.
	 */
	isActive(): boolean;
	onSubmit(state: TriagePromptState): void;
	onCancel(): void;
	/** Ctrl-C: the explorer quits, prompt or not. */
	onInterrupt(): void;
}

/** The prompt's state and input; open() starts it over from a target's current state. */
export function useTriagePrompt({isActive, onSubmit, onCancel, onInterrupt}: TriagePromptOptions): {
	state: TriagePromptState;
	open(initial: TriagePromptState): void;
	/** True once after the prompt handled a key: the explorer's handler, called next, leaves that key alone. */
	tookKey(): boolean;
} {
	const [state, dispatch] = useReducer(triagePromptReducer, {status: 'needs-review', note: ''});
	// Keys arriving in one tick each see the previous one's effect (as the explorer's own state does).
	const current = useRef(state);
	current.current = state;
	const took = useRef(false);
	const apply = (action: TriagePromptAction) => {
		current.current = triagePromptReducer(current.current, action);
		dispatch(action);
	};
	// Ink calls input handlers in the order their hooks were declared: the explorer declares this one
	// before its own, so the key that opens the prompt reaches this handler while it is still inactive.
	useInput(
		(input, key) => {
			if (!isActive()) return;
			took.current = true;
			if (key.ctrl && input === 'c') return onInterrupt();
			if (key.escape) return onCancel();
			if (key.return) return onSubmit(current.current);
			if (key.leftArrow || (key.tab && key.shift)) return apply({type: 'status', step: -1});
			if (key.rightArrow || key.tab) return apply({type: 'status', step: 1});
			if (key.backspace || key.delete) return apply({type: 'erase'});
			if (!key.ctrl && !key.meta && !key.upArrow && !key.downArrow) apply({type: 'type', text: input});
		},
	);
	return {
		state,
		open(initial) {
			apply({type: 'reset', state: initial});
		},
		tookKey() {
			const taken = took.current;
			took.current = false;
			return taken;
		},
	};
}

/**
 * The prompt as one status line: target, the statuses with the chosen one bracketed, the note being
 * typed (its end in sight), and until a note is typed, the keys.
 */
export function triagePromptLine(state: TriagePromptState, label: string, width: number): string {
	const statuses = triageStatuses.map(s => (s === state.status ? `[${s}]` : s)).join(' ');
	const head = `triage ${truncate(terminalSafe(label), Math.max(10, Math.floor(width / 5)))}: ${statuses} · note: `;
	if (state.note === '') return truncate(`${head}█  ←→ status · type a note · Enter save · Esc cancel`, width);
	const room = Math.max(8, width - displayWidth(head) - 1);
	return truncate(`${head}${truncateStart(terminalSafe(state.note), room)}█`, width);
}

/** What the triage key marks on a screen: the selected finding in a findings list, else the screen's own subject. */
export interface TriageSubject {
	target: TriageTarget;
	label: string;
}

export function triageSubject(
	data: ExplorerData,
	view: {screen: ScreenModel['screen']; arn?: string; deviceId?: number; eventId?: string; findingId?: number},
	selected: Target | undefined,
): TriageSubject | undefined {
	const finding = (id: number): TriageSubject | undefined => {
		const f = data.finding(id);
		return f && {target: {kind: 'finding', target: f.key}, label: `finding #${f.id} ${f.rule}`};
	};
	switch (view.screen) {
		case 'findings':
			return selected?.screen === 'finding' ? finding(selected.findingId) : undefined;
		case 'finding':
			return view.findingId === undefined ? undefined : finding(view.findingId);
		case 'principal':
			return view.arn ? {target: {kind: 'principal', target: view.arn}, label: shortArn(view.arn)} : undefined;
		case 'device': {
			const device = view.deviceId === undefined ? undefined : data.device(view.deviceId);
			return device && {target: {kind: 'device', target: device.serialNumber}, label: shortArn(device.serialNumber)};
		}
		case 'event':
			return view.eventId ? {target: {kind: 'event', target: view.eventId}, label: `event ${view.eventId}`} : undefined;
		default:
			return undefined;
	}
}

/** The screen with its subject's triage state as a header line (the findings list shows it per row). */
export function withTriage(model: ScreenModel, data: ExplorerData, view: Parameters<typeof triageSubject>[1]): ScreenModel {
	if (view.screen === 'findings') return model;
	const subject = triageSubject(data, view, undefined);
	if (!subject) return model;
	const state = data.triage(subject.target);
	const text = `${state.status}${state.note ? ` — ${state.note}` : ''}${state.analyst ? ` (${state.analyst}, ${state.at})` : ''}`;
	return {...model, header: [...model.header, [['triage', text]]]};
}
