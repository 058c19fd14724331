import { describe, expect, it } from 'vitest';
import { readDevcontainer } from '../../../../client/settings/devcontainer';
import { parseObject, Problems } from '../../../../client/settings/jsonc';

function read(text: string) {
  const problems = new Problems('.devcontainer/devcontainer.json', text);
  const warnings: string[] = [];
  const part = readDevcontainer(parseObject(text, problems)!, problems, warnings);
  return { part, problems: problems.list, warnings };
}

describe('readDevcontainer', () => {
  it('reads forwardPorts, portsAttributes (port, range, host:port, regex) and otherPortsAttributes', () => {
    const { part, problems, warnings } = read(`{
      "name": "app", "image": "node:20", // other tools' keys are left alone
      "forwardPorts": [3000, "localhost:8080", "127.0.0.1:9000", "db:5432"],
      "portsAttributes": {
        "3000": { "label": "App", "onAutoForward": "openBrowser", "requireLocalPort": true },
        "40000-40010": { "onAutoForward": "ignore" },
        "localhost:5173": { "label": "Vite", "protocol": "https" },
        ".+\\\\/server.js": { "label": "Server" },
      },
      "otherPortsAttributes": { "onAutoForward": "silent" },
    }`);
    expect(problems).toEqual([]);
    expect(part.forwardPorts).toEqual([3000, 8080, 9000]);
    expect(warnings).toEqual([
      '"db:5432" is another host\'s port: Porthole serves only this machine\'s ports (localhost), so it is skipped',
      '"portsAttributes.localhost:5173.protocol" is https: Porthole speaks plain HTTP to the origin, so a TLS-only server will not answer',
    ]);
    expect(part.portsAttributes.map((e) => [e.match.kind, e.attributes])).toEqual([
      ['port', { label: 'App', onAutoForward: 'openBrowser' }],
      ['range', { onAutoForward: 'ignore' }],
      ['port', { label: 'Vite', protocol: 'https' }],
      ['regex', { label: 'Server' }],
    ]);
    expect(part.otherPortsAttributes).toEqual({ onAutoForward: 'silent' });
  });

  it('names the file, line:column and key of every bad entry', () => {
    const { problems } = read(`{
  "forwardPorts": [3000, 0, "x"],
  "portsAttributes": {
    "3000": { "label": 7, "onAutoForward": "popup", "protocol": "ftp" },
    "9-2": {},
    "(": {},
    "4000": "App"
  },
  "otherPortsAttributes": []
}`);
    const f = '.devcontainer/devcontainer.json';
    expect(problems).toEqual([
      `${f}:2:26: "forwardPorts" entries must be a port (1-65535) or "host:port" (got 0)`,
      `${f}:2:29: "forwardPorts" entries must be a port (1-65535) or "host:port" (got "x")`,
      `${f}:4:24: "portsAttributes.3000.label" must be a string (got 7)`,
      `${f}:4:44: "portsAttributes.3000.onAutoForward" must be notify, openBrowser, openBrowserOnce, openPreview, silent or ignore (got "popup")`,
      `${f}:4:65: "portsAttributes.3000.protocol" must be http or https (got "ftp")`,
      `${f}:5:5: "portsAttributes.9-2" is not a port range within 1-65535`,
      expect.stringMatching(
        /^\S+:6:5: "portsAttributes\.\(" is neither a port, a range nor a valid regular expression/,
      ),
      `${f}:7:13: "portsAttributes.4000" must be an object such as { "label": "App" } (got "App")`,
      `${f}:9:27: "otherPortsAttributes" must be an object such as { "label": "App" } (got […])`,
    ]);
  });

  it('refuses a forwardPorts that is not a list', () => {
    expect(read('{ "forwardPorts": 3000 }').problems).toEqual([
      '.devcontainer/devcontainer.json:1:19: "forwardPorts" must be a list of ports, e.g. [3000, "localhost:8080"] (got 3000)',
    ]);
  });
});
