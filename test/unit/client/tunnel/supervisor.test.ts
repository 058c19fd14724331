import { afterEach, describe, expect, it } from 'vitest';
import {
  TunnelAuthError,
  TunnelDroppedError,
  type TunnelError,
  TunnelReplacedError,
  TunnelVersionError,
} from '../../../../client/tunnel/errors';
import { Supervisor, type Tunnel } from '../../../../client/tunnel/supervisor';
import { ManualClock } from './manual-clock';

/** Items as they come, each awaited with a bound that names what was expected. */
class Queue<T> {
  readonly #items: T[] = [];
  readonly #waiters: ((item: T) => void)[] = [];

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  next(what: string, timeoutMs = 2000): Promise<T> {
    const ready = this.#items.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push((item) => {
        clearTimeout(timer);
        resolve(item);
      });
    });
  }

  get size(): number {
    return this.#items.length;
  }
}

class FakeTunnel implements Tunnel {
  closedWith: string | null = null;
  #end: (error: TunnelError) => void = () => {};
  readonly #ended = new Promise<TunnelError>((resolve) => {
    this.#end = resolve;
  });

  closed(): Promise<TunnelError> {
    return this.#ended;
  }

  close(reason = 'client shutting down'): void {
    this.closedWith = reason;
    this.#end(new TunnelDroppedError('closed by the client'));
  }

  /** The gateway ends the tunnel. */
  end(error: TunnelError): void {
    this.#end(error);
  }
}

interface Dial {
  resolve(tunnel: FakeTunnel): void;
  reject(error: unknown): void;
}

function start(options: { onUp?: (tunnel: FakeTunnel) => void } = {}) {
  const clock = new ManualClock();
  const dials = new Queue<Dial>();
  const ups = new Queue<FakeTunnel>();
  const downs = new Queue<{ error: TunnelError; retryInMs: number | null }>();
  const bugs: unknown[] = [];
  const supervisor = new Supervisor<FakeTunnel>({
    dial: () => new Promise<FakeTunnel>((resolve, reject) => dials.push({ resolve, reject })),
    clock,
    backoff: { baseMs: 250, capMs: 15_000, random: () => 0 },
    onUp: (tunnel) => {
      ups.push(tunnel);
      options.onUp?.(tunnel);
    },
    onDown: (error, retryInMs) => downs.push({ error, retryInMs }),
    onBug: (error) => bugs.push(error),
  });
  supervisors.push(supervisor);
  /** Dial successfully and wait until the supervisor called onUp. */
  const up = async (): Promise<FakeTunnel> => {
    const tunnel = new FakeTunnel();
    (await dials.next('dial')).resolve(tunnel);
    return ups.next('tunnel up');
  };
  return { clock, dials, ups, downs, bugs, supervisor, up };
}

const supervisors: Supervisor<FakeTunnel>[] = [];
afterEach(() => {
  for (const supervisor of supervisors.splice(0)) supervisor.stop();
});

describe('Supervisor: retry or give up, by error class', () => {
  const table: [string, () => TunnelError, boolean][] = [
    ['auth (401/403)', () => new TunnelAuthError('gateway answered 401'), false],
    ['version (400)', () => new TunnelVersionError('gateway answered 400'), false],
    ['replaced (4001)', () => new TunnelReplacedError('another client took over'), false],
    ['dropped', () => new TunnelDroppedError('the tunnel closed: code 1006'), true],
  ];

  for (const [name, make, retried] of table) {
    it(`${name} at dial: ${retried ? 'retries' : 'gives up'}`, async () => {
      const s = start();
      const error = make();
      (await s.dials.next('dial')).reject(error);
      const down = await s.downs.next('tunnel.down');
      expect(down.error).toBe(error);
      if (retried) {
        expect(down.retryInMs).toBe(125);
        s.clock.advance(125);
        await s.dials.next('a second dial');
      } else {
        expect(down.retryInMs).toBeNull();
        expect(await s.supervisor.done()).toBe(error);
      }
    });

    it(`${name} after the tunnel was up: ${retried ? 'retries' : 'gives up'}`, async () => {
      const s = start();
      const tunnel = await s.up();
      const error = make();
      tunnel.end(error);
      const down = await s.downs.next('tunnel.down');
      expect(down).toEqual({ error, retryInMs: retried ? 125 : null });
      if (!retried) expect(await s.supervisor.done()).toBe(error);
    });
  }

  it('decides by class, not by message text', async () => {
    const s = start();
    (await s.dials.next('dial')).reject(new TunnelDroppedError('401 unauthorized, version mismatch, replaced'));
    expect((await s.downs.next('tunnel.down')).retryInMs).toBe(125);
  });
});

describe('Supervisor: backoff resets only after a stable uptime', () => {
  it('keeps growing the delay for a gateway that accepts and drops at once', async () => {
    const s = start();
    const delays: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const tunnel = await s.up();
      tunnel.end(new TunnelDroppedError('dropped'));
      const { retryInMs } = await s.downs.next('tunnel.down');
      delays.push(retryInMs);
      s.clock.advance(retryInMs ?? 0);
    }
    expect(delays).toEqual([125, 250, 500, 1000]);
  });

  it('starts from the base again once a tunnel held 5 s, not after 4.999 s', async () => {
    const s = start();
    for (const expected of [125, 250]) {
      (await s.dials.next('dial')).reject(new TunnelDroppedError('refused'));
      const { retryInMs } = await s.downs.next('tunnel.down');
      expect(retryInMs).toBe(expected);
      s.clock.advance(expected);
    }
    let tunnel = await s.up();
    s.clock.advance(4999);
    tunnel.end(new TunnelDroppedError('dropped'));
    expect((await s.downs.next('tunnel.down')).retryInMs).toBe(500);
    s.clock.advance(500);
    tunnel = await s.up();
    s.clock.advance(5000);
    tunnel.end(new TunnelDroppedError('dropped'));
    expect((await s.downs.next('tunnel.down')).retryInMs).toBe(125);
  });
});

describe('Supervisor: bugs are reported and retried', () => {
  it('closes the tunnel whose up-handler threw, reports the error, and redials', async () => {
    const failure = new TypeError('HELLO could not be built');
    let first = true;
    const s = start({
      onUp: () => {
        if (first) {
          first = false;
          throw failure;
        }
      },
    });
    const tunnel = await s.up();
    const down = await s.downs.next('tunnel.down');
    expect(tunnel.closedWith).toBe('client error');
    expect(s.bugs).toEqual([failure]);
    expect(down.error).toBeInstanceOf(TunnelDroppedError);
    expect(down.error.cause).toBe(failure);
    expect(down.retryInMs).toBe(125);
    expect(s.supervisor.tunnel).toBeNull();
    s.clock.advance(125);
    await s.up();
  });

  it('reports a dial failure that is not a TunnelError, then retries', async () => {
    const s = start();
    const failure = new RangeError('bug in the dialer');
    (await s.dials.next('dial')).reject(failure);
    const down = await s.downs.next('tunnel.down');
    expect(s.bugs).toEqual([failure]);
    expect(down.retryInMs).toBe(125);
  });
});

describe('Supervisor: stop', () => {
  it('closes the live tunnel and resolves done() with null', async () => {
    const s = start();
    const tunnel = await s.up();
    s.supervisor.stop();
    expect(await s.supervisor.done()).toBeNull();
    expect(tunnel.closedWith).toBe('client shutting down');
    expect(s.downs.size).toBe(0);
  });

  it('wakes from a backoff wait without dialling again', async () => {
    const s = start();
    (await s.dials.next('dial')).reject(new TunnelDroppedError('refused'));
    await s.downs.next('tunnel.down');
    s.supervisor.stop();
    expect(await s.supervisor.done()).toBeNull();
    expect(s.dials.size).toBe(0);
  });
});
