import { describe, expect, it } from 'vitest';
import type { ApiPort } from '../../../protocol';
import { diffPorts } from '../../../gateway/session/port-events';

const port = (n: number, extra: Partial<ApiPort> = {}): ApiPort => ({
  port: n,
  url: `http://${n}-sig.s.localhost/`,
  visibility: 'private',
  listening: true,
  ...extra,
});

describe('diffPorts: the port events between two port lists', () => {
  it('nothing for the same list, or for a change of process, label or URL alone', () => {
    expect(diffPorts([port(3000)], [port(3000)])).toEqual([]);
    expect(diffPorts([port(3000)], [port(3000, { process: 'node', label: 'web', url: 'https://x/' })])).toEqual([]);
    expect(diffPorts([], [])).toEqual([]);
  });

  it('port.opened with the port as GET /ports gives it, port.closed with its number', () => {
    expect(diffPorts([], [port(3000)])).toEqual([{ type: 'port.opened', data: port(3000) }]);
    expect(diffPorts([port(3000)], [])).toEqual([{ type: 'port.closed', data: { port: 3000 } }]);
  });

  it('port.visibility when who may open a listening port changed', () => {
    const after = port(3000, { visibility: 'public' });
    expect(diffPorts([port(3000)], [after])).toEqual([{ type: 'port.visibility', data: after }]);
  });

  it('a port that opens with another visibility is one port.opened (its data says who may open it)', () => {
    const after = port(3000, { visibility: 'public' });
    expect(diffPorts([port(3000, { listening: false })], [after])).toEqual([{ type: 'port.opened', data: after }]);
  });

  it('a listening port that stops but keeps an owner choice is closed, whatever its visibility now', () => {
    const after = port(3000, { listening: false, visibility: 'link' });
    expect(diffPorts([port(3000)], [after])).toEqual([{ type: 'port.closed', data: { port: 3000 } }]);
  });

  it('the owner choosing for a port that is not listening: port.visibility with listening false', () => {
    const chosen = port(4000, { listening: false, visibility: 'public' });
    expect(diffPorts([], [chosen])).toEqual([{ type: 'port.visibility', data: chosen }]);
    const again = port(4000, { listening: false, visibility: 'link' });
    expect(diffPorts([chosen], [again])).toEqual([{ type: 'port.visibility', data: again }]);
  });

  it('several ports at once, in port order, closes before opens of the same port number', () => {
    const events = diffPorts([port(5000), port(3000)], [port(4000), port(3000, { visibility: 'org' })]);
    expect(events.map((e) => [e.type, e.data.port])).toEqual([
      ['port.visibility', 3000],
      ['port.opened', 4000],
      ['port.closed', 5000],
    ]);
  });
});
