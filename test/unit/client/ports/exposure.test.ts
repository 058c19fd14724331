import { describe, expect, it } from 'vitest';
import { ExposedPorts } from '../../../../client/ports/exposed';
import { checkExpose, exposureOf, localGatewayPort } from '../../../../client/ports/exposure';
import { PortFilter } from '../../../../client/ports/filters';
import type { PortWatcher } from '../../../../client/ports/watcher';

const range: [number, number] = [32768, 60999];
/** A watcher whose last scan left out `leftOut` (port → process name). */
const watcher = (leftOut: Record<number, string> = {}) =>
  ({ leftOut: (port: number) => (port in leftOut ? { process: leftOut[port] } : null) }) as unknown as PortWatcher;

describe('exposureOf: why a port is not exposed', () => {
  it('names the rule that keeps each port out, and says nothing keeps out a port that is not listening yet', () => {
    const exposed = new ExposedPorts([8000]);
    exposed.change([{ port: 3000 }], []);
    exposed.unexpose(3000);
    exposed.setRules((port) => (port === 9000 ? { ignore: true } : undefined));
    const parts = {
      exposed,
      watcher: watcher({ 2222: 'sshd' }),
      filter: new PortFilter({ ignore: ['5432'], ephemeralRange: range }),
      excludePorts: [],
      gatewayPort: 8787,
    };
    const reason = (port: number) => {
      const e = exposureOf(port, parts);
      return e.exposed ? e.source : e.reason;
    };
    expect(reason(8000)).toBe('flag');
    expect(reason(3000)).toBe("it was unexposed ('porthole unexpose')");
    expect(reason(9000)).toBe('a port rule of the settings ignores it');
    expect(reason(5432)).toBe('an --ignore rule names it');
    expect(reason(2222)).toMatch(/private service/);
    expect(reason(40123)).toMatch(/ephemeral range \(32768-60999\)/);
    expect(reason(5173)).toBeNull();
    expect(exposureOf(8787, parts)).toEqual({
      port: 8787,
      exposed: false,
      reason: "it is the Porthole gateway's own port",
      canExpose: false,
    });
    expect(exposureOf(5173, { ...parts, watcher: null, filter: undefined })).toMatchObject({
      reason: expect.stringMatching(/--no-watch/),
    });
  });
});

describe('checkExpose and localGatewayPort', () => {
  it('takes any port 1-65535 but the gateway own, a label of 1-64 characters and a visibility', () => {
    expect(checkExpose(22, { label: 'SSH ✓', visibility: 'link' }, 8787)).toEqual({
      port: 22,
      label: 'SSH ✓',
      visibility: 'link',
    });
    expect(() => checkExpose(8787, {}, 8787)).toThrow(/gateway's own port/);
    expect(() => checkExpose(0, {}, 8787)).toThrow(/1 to 65535/);
    expect(() => checkExpose(3000, { label: '\u0007' }, 8787)).toThrow(/control characters/);
    expect(() => checkExpose(3000, { visibility: 'all' }, 8787)).toThrow(/private, org, link or public/);
  });

  it('finds the port of a gateway on this machine only', () => {
    expect(localGatewayPort('http://porthole.localhost:8787')).toBe(8787);
    expect(localGatewayPort('http://127.0.0.1:9000/')).toBe(9000);
    expect(localGatewayPort('http://[::1]:9001')).toBe(9001);
    expect(localGatewayPort('https://porthole.example.com')).toBeUndefined();
  });
});
