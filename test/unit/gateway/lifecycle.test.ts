/**
 * The session's lifecycle (gateway/session/lifecycle.ts) over a fake storage: the end empties it
 * and refuses every later write of the object's stores; asleep and awake write only on a change.
 */
import { describe, expect, it } from 'vitest';
import { type EndReason, Lifecycle } from '../../../gateway/session/lifecycle';
import type { SessionState } from '../../../protocol';

/** What every entry point of an ended session throws: 410 `session_ended` (a GatewayError). */
const ENDED = { status: 410, code: 'session_ended' };

function fakeStorage() {
  const data = new Map<string, unknown>();
  let alarm: number | null = null;
  const writes: string[] = [];
  const storage = {
    get: async <T>(key: string) => data.get(key) as T | undefined,
    put: async (key: string, value: unknown) => {
      writes.push(`put ${key}`);
      data.set(key, value);
    },
    delete: async (key: string) => {
      writes.push(`delete ${key}`);
      return data.delete(key);
    },
    deleteAll: async () => {
      writes.push('deleteAll');
      data.clear();
    },
    setAlarm: async (at: number) => {
      writes.push('setAlarm');
      alarm = at;
    },
    deleteAlarm: async () => {
      writes.push('deleteAlarm');
      alarm = null;
    },
  };
  return { storage, data, writes, alarm: () => alarm };
}

function lifecycle(created = true, until: number | null = null) {
  const fake = fakeStorage();
  const ended: EndReason[] = [];
  const states: SessionState[] = [];
  const life = new Lifecycle(fake.storage, {
    record: async () => (created ? { until } : null),
    ending: (reason) => ended.push(reason),
    stateChanged: (state) => states.push(state),
  });
  return { life, fake, ended, states };
}

describe('Lifecycle', () => {
  it('the end tells the hook once, deletes the alarm and every key, and refuses every later write', async () => {
    const { life, fake, ended } = lifecycle();
    const guarded = life.guard();
    await guarded.put('ports', [1]);
    await life.setAlarm(1000);
    expect(await life.end('expired')).toBe(true);
    expect(ended).toEqual(['expired']);
    expect(fake.data.size).toBe(0);
    expect(fake.alarm()).toBeNull();
    expect(await life.end('ended')).toBe(false);
    expect(ended).toEqual(['expired']);
    const before = fake.writes.length;
    await expect(guarded.put('ports', [2])).rejects.toMatchObject(ENDED);
    await expect(life.setAlarm(2000)).rejects.toMatchObject(ENDED);
    await expect(life.setState('asleep')).rejects.toMatchObject(ENDED);
    expect(fake.writes.length).toBe(before);
    await expect(life.live()).rejects.toMatchObject({ status: 410, code: 'session_ended' });
  });

  it('a session without its identity record is ended: 410, and no write', async () => {
    const { life, fake } = lifecycle(false);
    await expect(life.live()).rejects.toMatchObject({ status: 410, code: 'session_ended' });
    await expect(life.setState('asleep')).rejects.toMatchObject(ENDED);
    expect(fake.writes).toEqual([]);
  });

  it('a session found past its expiry is ended then: 410, storage emptied', async () => {
    const { life, fake, ended } = lifecycle(true, Math.floor(Date.now() / 1000) - 1);
    await life.guard().put('ports', [1]);
    await expect(life.live()).rejects.toMatchObject({ status: 410, code: 'session_ended' });
    expect(ended).toEqual(['expired']);
    expect(fake.data.size).toBe(0);
  });

  it('asleep and awake write and tell the hook only on a change', async () => {
    const { life, fake, states } = lifecycle();
    expect(await life.state()).toBe('active');
    await life.setState('active');
    expect(fake.writes).toEqual([]);
    await life.setState('asleep');
    await life.setState('asleep');
    expect(await life.state()).toBe('asleep');
    await life.setState('active');
    expect(states).toEqual(['asleep', 'active']);
    expect(fake.writes).toEqual(['put lifecycle-asleep', 'delete lifecycle-asleep']);
  });
});
