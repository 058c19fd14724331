/** Input rules both API servers share (protocol/ids.ts portFrom, protocol/api.ts parseJsonObject). */
import { describe, expect, it } from 'vitest';
import { parseJsonObject, portFrom } from '../../protocol';

describe('portFrom: a port in an API request', () => {
  it('accepts a JSON number or a path segment of digits from 1 to 65535', () => {
    expect(portFrom(3000)).toBe(3000);
    expect(portFrom('3000')).toBe(3000);
    expect(portFrom('1')).toBe(1);
    expect(portFrom('65535')).toBe(65535);
    expect(portFrom('03000')).toBe(3000);
  });

  it('refuses what is not a port number', () => {
    for (const value of [
      0,
      '0',
      65536,
      '65536',
      '000003000',
      3000.5,
      '3000.5',
      '-1',
      ' 3000',
      '3e3',
      '',
      null,
      undefined,
      [3000],
    ])
      expect(portFrom(value), JSON.stringify(value)).toBeNull();
  });
});

describe('parseJsonObject: an API request body', () => {
  it('reads a JSON object, and a blank body as {}', () => {
    expect(parseJsonObject('{"port":3000,"ttl":60}')).toEqual({ port: 3000, ttl: 60 });
    expect(parseJsonObject('')).toEqual({});
    expect(parseJsonObject(' \n')).toEqual({});
  });

  it('refuses text that is not JSON, and JSON that is not an object', () => {
    for (const text of ['{', 'port=3000', '[]', '[1]', 'null', '"x"', '3', 'true'])
      expect(parseJsonObject(text), text).toBeNull();
  });
});
