/**
 * Per-story state shared by the story builders (stories.ts, stories-2024.ts): a random stream of
 * its own, a clock, and helpers that keep a story short.
 */
import {checkMfa, consoleLogin, identity, makeRole, makeUser, noiseCall, boto3Agent, type Role, type TrailEvent, type User} from './records.js';
import {Random} from './random.js';

export interface StoryContext {
	seed: string;
	/** The main account (123456789012 in the samples). */
	account: string;
	/** A second account with its own user named alice (210987654321 in the samples). */
	otherAccount: string;
	/** Milliseconds added to every time. */
	shift: number;
}

/** Per-story state: its random stream, its clock and helpers that keep the story short. */
export class Story {
	readonly rng: Random;
	readonly events: TrailEvent[] = [];

	constructor(readonly ctx: StoryContext, name: string) {
		this.rng = new Random(`${ctx.seed}:${name}`);
	}

	at(iso: string): number {
		return Date.parse(iso) + this.ctx.shift;
	}

	user(name: string, account = this.ctx.account): User {
		// Users are derived from their own stream so every story sees the same alice.
		return makeUser(new Random(`${this.ctx.seed}:user:${account}:${name}`), account, name);
	}

	role(name: string, account = this.ctx.account): Role {
		return makeRole(new Random(`${this.ctx.seed}:role:${account}:${name}`), account, name);
	}

	add(...events: TrailEvent[]): void {
		this.events.push(...events);
	}

	/** CheckMfa then ConsoleLogin with the device; returns the console session's identity. */
	signInWithMfa(user: User, time: number, serial: string, mfaType = 'Virtual MFA', checkStep = true): Record<string, unknown> {
		const step = {identity: identity.userSignInStep(user), account: user.account, ip: user.ip, userAgent: user.browser};
		if (checkStep) this.add(checkMfa(this.rng, {...step, time, success: true, mfaType}));
		const login = time + this.rng.int(8, 20) * 1000;
		this.add(consoleLogin(this.rng, {identity: identity.userSignIn(user), account: user.account, ip: user.ip, userAgent: user.browser, time: login, success: true, mfaUsed: 'Yes', mfaIdentifier: serial}));
		return identity.session(user, this.rng.iamId('ASIA'), login, true);
	}

	/** ConsoleLogin without MFA; returns the console session's identity. */
	signInWithoutMfa(user: User, time: number): Record<string, unknown> {
		this.add(consoleLogin(this.rng, {identity: identity.userSignIn(user), account: user.account, ip: user.ip, userAgent: user.browser, time, success: true, mfaUsed: 'No'}));
		return identity.session(user, this.rng.iamId('ASIA'), time, false);
	}

	rootSignIn(time: number, ip: string, browser: string, serial?: string, account = this.ctx.account): Record<string, unknown> {
		this.add(consoleLogin(this.rng, {identity: identity.rootSignIn(account), account, ip, userAgent: browser, time, success: true, mfaUsed: serial ? 'YES' : 'No', mfaIdentifier: serial}));
		return identity.rootSession(account, this.rng.iamId('ASIA'), time, serial !== undefined);
	}

	/** A few console page loads after a sign-in. */
	browse(who: Record<string, unknown>, start: number, ip: string, count: number, region = 'us-east-1'): void {
		let t = start;
		for (let i = 0; i < count; i++) {
			t += this.rng.int(15, 240) * 1000;
			this.add(noiseCall(this.rng, t, who, region, ip, 'AWS Internal', true));
		}
	}

	cli(who: Record<string, unknown>, start: number, ip: string, count: number, region: string, userAgent = boto3Agent): void {
		let t = start;
		for (let i = 0; i < count; i++) {
			t += this.rng.int(2, 90) * 1000;
			this.add(noiseCall(this.rng, t, who, region, ip, userAgent));
		}
	}
}

