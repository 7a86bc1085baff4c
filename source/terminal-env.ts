/**
 * Settles the environment before anything loads chalk or Ink. Import this module first (for its
 * effect) and load the rest with dynamic imports: ESM imports are hoisted and chalk fixes its
 * colour level at import time.
 * - Neither Ink nor chalk reads NO_COLOR: map it to FORCE_COLOR=0.
 * - Ink renders only the last frame when it believes it runs in CI (any CI variable set); a person
 *   at a terminal must see the explorer whatever their environment says, so CI mode is off on a TTY.
 */
if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') process.env.FORCE_COLOR = '0';
if (process.stdin.isTTY && process.stdout.isTTY) process.env.CI = 'false';

export {};
