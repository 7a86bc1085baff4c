import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {hasTool} from './needs-tool.js';

/** Whether tmux is there (under CI=true its absence is a failing test: see needs-tool.ts). */
export function tmuxPresent(): boolean {
	return hasTool('tmux', spawnSync('tmux', ['-V']).status === 0, 'apt-get install -y tmux (.ci/run does)');
}

/**
 * Each test file (one process) drives its own tmux server, kept alive by an idle session until
 * stopTmux(): on one shared server, files running in parallel raced (a server exiting as its last
 * session was killed while another new-session connected: "server exited unexpectedly").
 */
const socketName = `mfatrail-test-${process.pid}`;
const socket = ['-L', socketName];
let started = false;

export function tmux(...args: string[]): string {
	if (!started) {
		execFileSync('tmux', [...socket, 'new-session', '-d', '-s', 'keep-alive', 'sleep 900']);
		started = true;
	}
	return execFileSync('tmux', [...socket, ...args], {encoding: 'utf8'});
}

/** A tmux command whose failure does not matter (kill-session of a session that may be gone). */
export function tmuxQuiet(...args: string[]): void {
	spawnSync('tmux', [...socket, ...args]);
}

/** Ends this file's tmux server and everything in it (afterAll). */
export function stopTmux(): void {
	if (started) {
		spawnSync('tmux', [...socket, 'kill-server']);
		// tmux leaves the socket file behind.
		fs.rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socketName), {force: true});
	}
	started = false;
}

/** The visible screen of a tmux session. */
export function screenOf(session: string, ...options: string[]): string {
	return tmux('capture-pane', '-p', ...options, '-t', session);
}

/** Polls the session's screen until the test holds; on timeout the error shows the screen. */
export async function waitForScreen(session: string, test: (text: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const text = screenOf(session);
		if (test(text)) return text;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}
