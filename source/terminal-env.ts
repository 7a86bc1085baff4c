/**
 * Settles the environment before anything loads chalk or Ink. Import this module first (for its
 * effect) and load the rest with dynamic imports: ESM imports are hoisted and chalk fixes its
 * colour level at import time.
 * - Neither Ink nor chalk reads NO_COLOR: map it to FORCE_COLOR=0.
 * - Ink renders only the last frame when it believes it runs in CI (any CI variable set); a person
 *   at a terminal must see the explorer (in colour) whatever their environment says, so the CI
 *   markers are dropped on a TTY.
 */
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') process.env.FORCE_COLOR = '0';
if (process.stdin.isTTY && process.stdout.isTTY) {
	// Removed rather than set to 'false': chalk's colour detection drops to no colour whenever a CI
	// variable exists at all, so only removing the CI markers keeps both Ink's frames and colour.
	for (const key of Object.keys(process.env)) {
		if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
	}
}

export {};
