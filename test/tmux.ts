import {execFileSync} from 'node:child_process';

/** The visible screen of a tmux session. */
export function screenOf(session: string): string {
	return execFileSync('tmux', ['capture-pane', '-p', '-t', session], {encoding: 'utf8'});
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
