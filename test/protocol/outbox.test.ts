/** The send side of a stream on its own: how writes become frames, in order, within the window. */
import { describe, expect, it } from 'vitest';
import { type Frame, MAX_DATA, Outbox } from '../../protocol';

function outbox(window: number) {
  const frames: Frame[] = [];
  let ended = 0;
  const box = new Outbox(7, window, {
    send: (frame) => frames.push(frame),
    assertWritable: () => {
      if (ended > 0) throw new Error('already ended');
    },
    ended: () => ended++,
  });
  const shape = () => frames.map((f) => (f.type === 'DATA' ? `DATA ${f.data.length}${f.end ? ' end' : ''}` : f.type));
  return { box, frames, shape, ended: () => ended };
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
});
