/**
 * The differential fidelity suite (issue 14): every row of cases.ts (the same both ways),
 * changes.ts (what differs on purpose) and kinds.ts (the kinds; a row still broken is `it.fails`) and world.ts (more real-world cases) is run
 * directly and through a preview by runner.ts, and the two runs compared. README "What a viewer
 * gets" links here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../harness';
import { cases } from './cases';
import { changes } from './changes';
import { kinds } from './kinds';
import { type Run, runCase } from './runner';
import { world } from './world';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** The run with what a row changes on purpose set aside: headers by name, `:target` the request target the origin saw. */
function compared(run: Run, changed: string[]) {
  const keep = ([name]: [string, string]) => !changed.includes(name);
  const origin = { ...run.origin, headers: run.origin.headers.filter(keep) };
  if (changed.includes(':target')) delete origin.url;
  return { ...run, headers: run.headers.filter(keep), origin };
}

/** What a run shows of one changed item. */
const shown = (run: Run, name: string) =>
  name === ':target'
    ? String(run.origin.url)
    : JSON.stringify([...run.headers, ...run.origin.headers].filter(([n]) => n === name));

describe('a preview answers as the origin does', () => {
  for (const c of [...cases, ...changes, ...kinds, ...world]) {
    (c.fails ? it.fails : it)(c.fails ? `${c.name} (fails today: ${c.fails})` : c.name, async () => {
      const { direct, preview } = await runCase(h, c);
      expect(direct.error).toBeUndefined();
      const changed = Object.keys(c.changes ?? {});
      expect(compared(preview, changed)).toEqual(compared(direct, changed));
      for (const name of changed) {
        expect(shown(preview, name), `${name}: ${c.changes![name]}`).not.toBe(shown(direct, name));
      }
    });
  }
});
