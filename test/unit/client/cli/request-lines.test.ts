import { describe, expect, it } from 'vitest';
import {
  bodyLines,
  recordLines,
  size,
  SUMMARY_HEADER,
  summaryLine,
  terminalSafe,
} from '../../../../client/cli/request-lines';
import type { RequestRecord, RequestSummary } from '../../../../client/requests/record';

const summary = (fields: Partial<RequestSummary> = {}): RequestSummary => ({
  id: 7,
  time: '2026-12-01T08:00:00.000Z',
  port: 3000,
  method: 'GET',
  path: '/',
  host: '3000-x.preview.localhost',
  viewer: { kind: 'owner' },
  upgrade: false,
  state: 'done',
  status: 200,
  headMs: 1.4,
  totalMs: 2.6,
  bytesIn: 0,
  bytesOut: 2048,
  ...fields,
});

describe('terminalSafe', () => {
  it('escapes C0, DEL and C1 controls; keeps tab and newline only when asked', () => {
    expect(terminalSafe('a\u001b[2Jb\u009b1m\u007f\tc\nd')).toBe('a\\x1b[2Jb\\x9b1m\\x7f\\x09c\\x0ad');
    expect(terminalSafe('a\u001bb\tc\nd', true)).toBe('a\\x1bb\tc\nd');
    expect(terminalSafe('héllo → ✓')).toBe('héllo → ✓');
  });
});

describe('summaryLine', () => {
  it('shows the id, viewer, method, path, status, timings and bytes in fixed columns', () => {
    const line = summaryLine(summary());
    expect(line).toMatch(/^\d\d:\d\d:\d\d\s+#7\s+owner\s+GET\s+\/\s+200\s+1\/3 ms\s+0 B → 2\.0 KiB$/);
    expect(summaryLine(summary({ id: 12345 })).indexOf('owner')).toBe(line.indexOf('owner'));
    // A real link id is 13 base32 characters: the columns after the viewer stay where they are.
    const link = summaryLine(summary({ viewer: { kind: 'link', link: '54bkqxxer5tys' } }));
    expect(link.indexOf(' GET ')).toBe(line.indexOf(' GET '));
    expect(link.indexOf(' GET ')).toBe(SUMMARY_HEADER.indexOf(' METHOD'));
  });

  it('names a link viewer by its link, a replay by its original, and an error by its code', () => {
    expect(summaryLine(summary({ viewer: { kind: 'link', link: 'ab12' } }))).toContain(' link:ab12 ');
    expect(summaryLine(summary({ viewer: { kind: 'replay' }, replayOf: 3 }))).toContain(' replay#3 ');
    const failed = summary({ state: 'failed', status: 502, error: { code: 'origin_unreachable', message: '' } });
    expect(summaryLine(failed)).toContain(' 502 origin_unreachable ');
    expect(summaryLine(summary({ state: 'open', status: null, headMs: null, totalMs: null }))).toContain(' …  ');
  });

  it('shows a WebSocket with its message counts and close code', () => {
    const ws = summary({ upgrade: true, status: 101, websocket: { messagesIn: 3, messagesOut: 2, closeCode: 1000 } });
    expect(summaryLine(ws)).toContain(' 101 ws 3↑ 2↓ closed 1000 ');
  });

  it('cuts a long path and escapes control characters in it', () => {
    const line = summaryLine(summary({ path: `/${'a'.repeat(100)}`, method: 'G\u001bT' }));
    expect(line).toContain(`/${'a'.repeat(46)}…`);
    expect(line).toContain('G\\x1bT');
  });
});

describe('bodies and records', () => {
  it('shows text as text, binary as size and SHA-256, and says what was cut', () => {
    expect(bodyLines('Body', undefined)).toEqual(['Body: none']);
    const text = { bytes: 5000, captured: 10, truncated: true, text: 'line1\nline2', sha256: 'ab' };
    expect(bodyLines('Body', text)).toEqual(['Body (4.9 KiB, text, the first 10 B kept):', '  line1', '  line2']);
    expect(bodyLines('Body', { ...text, truncated: false, bytes: 11, captured: 11 }, 3)).toEqual([
      'Body (11 B, text, the first 3 characters shown):',
      '  lin',
    ]);
    const binary = { bytes: 4, captured: 4, truncated: false, base64: 'AAEC/w==', sha256: 'cafe' };
    expect(bodyLines('Body', binary)).toEqual(['Body: 4 B, binary, sha256 cafe']);
  });

  it('shows a request Porthole answered: its error and no response', () => {
    const record: RequestRecord = {
      ...summary({
        state: 'failed',
        status: 502,
        error: { code: 'origin_unreachable', message: 'nothing\u001b answered' },
      }),
      request: { headers: [['cookie', 'sid=[redacted]']] },
      response: null,
    };
    const lines = recordLines(record);
    expect(lines[0]).toMatch(/^#7 {2}GET \/ {2}→ 502 origin_unreachable {2}\(owner, port 3000, /);
    expect(lines).toContain('Porthole: origin_unreachable: nothing\\x1b answered');
    expect(lines).toContain('  cookie: sid=[redacted]');
    expect(lines.at(-1)).toBe('Response: none (no response head came)');
  });

  it('sizes in B, KiB and MiB', () => {
    expect([size(0), size(1023), size(1536), size(5 * 1024 * 1024)]).toEqual(['0 B', '1023 B', '1.5 KiB', '5.0 MiB']);
  });
});
