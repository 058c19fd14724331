/** The send side of a stream on its own: how writes become frames, in order, within the window. */
import { describe, expect, it } from 'vitest';
import { type Frame, MAX_DATA, Outbox, type SharedCredit, StreamResetError } from '../../protocol';

/** A shared credit by hand: `grant` adds bytes and wakes the waiting senders; counts the waits asked. */
function sharedCredit(initial: number) {
  let available = initial;
  let waiters: (() => void)[] = [];
  let waits = 0;
  const credit: SharedCredit = {
    available: () => available,
    waitForCredit: () => {
      waits++;
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
  return {
    credit,
    spend: (bytes: number) => (available -= bytes),
    grant: (bytes: number) => {
      available += bytes;
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
    waits: () => waits,
  };
}

function outbox(window: number, shared?: ReturnType<typeof sharedCredit>) {
  const frames: Frame[] = [];
  let ended = 0;
  let failed: Error | null = null;
  const box = new Outbox(7, window, {
    send: (frame) => {
      frames.push(frame);
      if (frame.type === 'DATA') shared?.spend(frame.data.length);
    },
    assertWritable: () => {
      if (failed) throw failed;
      if (ended > 0) throw new Error('already ended');
    },
    ended: () => ended++,
    ...(shared ? { shared: shared.credit } : {}),
  });
  const shape = () => frames.map((f) => (f.type === 'DATA' ? `DATA ${f.data.length}${f.end ? ' end' : ''}` : f.type));
  const fail = (error: Error) => {
    failed = error;
    box.window.fail(error);
  };
  return { box, frames, shape, ended: () => ended, fail };
}

describe('outbox', () => {
  it('splits a body chunk at MAX_DATA and puts END on the last frame only', async () => {
    const o = outbox(1 << 20);
    await o.box.write(new Uint8Array(MAX_DATA * 2 + 1), { end: true });
    expect(o.shape()).toEqual([`DATA ${MAX_DATA}`, `DATA ${MAX_DATA}`, 'DATA 1 end']);
    expect(o.ended()).toBe(1);
    expect(o.box.window.available).toBe((1 << 20) - MAX_DATA * 2 - 1);
  });

  it('sends nothing for an empty body chunk, and a lone END for an empty last one', async () => {
    const o = outbox(100);
    await o.box.write(new Uint8Array(0));
    expect(o.shape()).toEqual([]);
    await o.box.write(new Uint8Array(0), { end: true });
    expect(o.shape()).toEqual(['END']);
  });

  it('waits for credit at an empty window and keeps later writes behind', async () => {
    const o = outbox(4);
    const first = o.box.write(new Uint8Array(10));
    const end = o.box.write(new Uint8Array(2), { end: true });
    await Promise.resolve();
    expect(o.shape()).toEqual(['DATA 4']);
    o.box.window.grant(100);
    await first;
    await end;
    expect(o.shape()).toEqual(['DATA 4', 'DATA 6', 'DATA 2 end']);
    expect(o.box.window.available).toBe(92);
  });

  it('a write after the end rejects with what the stream throws', async () => {
    const o = outbox(100);
    await o.box.write(new Uint8Array(1), { end: true });
    await expect(o.box.write(new Uint8Array(1))).rejects.toThrow(/already ended/);
  });

  it('sends no more DATA than the shared credit allows, whatever its own window, and goes on when it grows', async () => {
    const shared = sharedCredit(1000);
    const o = outbox(1 << 30, shared);
    const write = o.box.write(new Uint8Array(2500), { end: true });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(o.shape()).toEqual(['DATA 1000']);
    // A WINDOW grant wakes the sender, but it waits again without asking the shared credit twice.
    for (let i = 0; i < 10; i++) {
      o.box.window.grant(1);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(shared.waits()).toBe(1);
    expect(o.shape()).toEqual(['DATA 1000']);
    shared.grant(1000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(o.shape()).toEqual(['DATA 1000', 'DATA 1000']);
    shared.grant(5000);
    await write;
    expect(o.shape()).toEqual(['DATA 1000', 'DATA 1000', 'DATA 500 end']);
  });

  it('a stream that fails while it waits for shared credit rejects its write at once', async () => {
    const shared = sharedCredit(0);
    const o = outbox(1 << 20, shared);
    const write = o.box.write(new Uint8Array(10));
    await new Promise((resolve) => setTimeout(resolve, 0));
    o.fail(new StreamResetError(1, 'viewer gone', false));
    await expect(write).rejects.toThrow(/viewer gone/);
    expect(o.shape()).toEqual([]);
  });
});
