import { describe, expect, it } from 'vitest';
import { parseObject, Problems } from '../../../../client/settings/jsonc';
import { readPortholeFile } from '../../../../client/settings/porthole-file';

function read(text: string) {
  const problems = new Problems('porthole.json', text);
  return { part: readPortholeFile(parseObject(text, problems)!, problems), problems: problems.list };
}

describe('readPortholeFile', () => {
  it('reads defaultVisibility, visibility rules, ignore rules and preserveHost', () => {
    const { part, problems } = read(`{
      "$schema": "https://example.invalid/porthole.schema.json",
      // the flags' names and syntax
      "defaultVisibility": "link",
      "visibility": { "8000": "public", "3000-3999": "private" },
      "ignore": ["5432", 6379, "9000-9100", "postgres"],
      "preserveHost": [3000, 5173],
    }`);
    expect(problems).toEqual([]);
    expect(part).toEqual({
      defaultVisibility: 'link',
      visibility: [
        { match: { kind: 'port', port: 8000 }, visibility: 'public' },
        { match: { kind: 'range', from: 3000, to: 3999 }, visibility: 'private' },
      ],
      ignore: ['5432', '6379', '9000-9100', 'postgres'],
      preserveHost: [3000, 5173],
    });
  });

  it('takes preserveHost "all" and ignore as one string', () => {
    expect(read('{ "preserveHost": "all", "ignore": "22,5432" }').part).toMatchObject({
      preserveHost: 'all',
      ignore: ['22,5432'],
    });
  });

  it('names the file, line:column and key of every bad entry', () => {
    const { problems } = read(`{
  "defaultVisibility": "open",
  "visibility": { "8000": "everyone", "x": "public", "db:5432": "link" },
  "ignore": ["no spaces", true],
  "preserveHost": [0, "3000"],
  "preserve-host": [3000]
}`);
    expect(problems).toEqual([
      'porthole.json:2:24: "defaultVisibility" must be private, org, link or public (got "open")',
      'porthole.json:3:27: "visibility.8000" must be private, org, link or public (got "everyone")',
      'porthole.json:3:39: "visibility.x" is not a port or a range (e.g. "8000", "3000-3999")',
      'porthole.json:3:54: "visibility.db:5432" names another host: use a port or a range',
      'porthole.json:4:14: "ignore" \'no spaces\' is neither a port, a range nor a process name',
      'porthole.json:4:27: "ignore" entries must be a port, a range or a process name (got true)',
      'porthole.json:5:20: "preserveHost" entries must be a port number (1-65535) (got 0)',
      'porthole.json:5:23: "preserveHost" entries must be a port number (1-65535) (got "3000")',
      'porthole.json:6:3: "preserve-host" is not a porthole.json setting (defaultVisibility, visibility, ignore or preserveHost)',
    ]);
  });

  it('refuses visibility and preserveHost of the wrong shape', () => {
    expect(read('{"visibility": "public", "preserveHost": true}').problems).toEqual([
      'porthole.json:1:16: "visibility" must be an object of port → visibility, e.g. { "8000": "public" } (got "public")',
      'porthole.json:1:42: "preserveHost" must be a list of ports or "all" (got true)',
    ]);
  });
});
