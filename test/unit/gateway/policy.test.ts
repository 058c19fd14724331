import { describe, expect, it } from 'vitest';
import { allowed, effectiveVisibility, isPreflight, type Viewer } from '../../../gateway/access/policy';

const owner: Viewer = { kind: 'owner', epoch: 0, expiresAt: 0 };
const reviewer: Viewer = { kind: 'reviewer', link: 'abc', expiresAt: 0 };
const anyone: Viewer = { kind: 'anyone' };
const member: Viewer = { kind: 'member', email: 'bob@example.com', sid: null, expiresAt: 0 };

describe('the access policy (README: who gets through)', () => {
  it.each([
    ['private', owner, true],
    ['private', reviewer, false],
    ['private', anyone, false],
    ['link', owner, true],
    ['link', reviewer, true],
    ['link', anyone, false],
    ['public', owner, true],
    ['public', reviewer, true],
    ['public', anyone, true],
    ['private', member, false],
    ['org', owner, true],
    ['org', member, true],
    ['org', reviewer, true],
    ['org', anyone, false],
    ['link', member, false],
    ['public', member, true],
  ] as const)('%s port, %o → %s', (visibility, viewer, expected) => {
    expect(allowed(visibility, viewer)).toBe(expected);
  });
});

describe('isPreflight', () => {
  const req = (method: string, headers: Record<string, string>) =>
    new Request('http://x.localhost/', { method, headers });

  it('is OPTIONS with Origin and Access-Control-Request-Method, nothing less', () => {
    expect(isPreflight(req('OPTIONS', { origin: 'http://a.localhost', 'access-control-request-method': 'POST' }))).toBe(
      true,
    );
    expect(isPreflight(req('OPTIONS', { origin: 'http://a.localhost' }))).toBe(false);
    expect(isPreflight(req('OPTIONS', { 'access-control-request-method': 'POST' }))).toBe(false);
    expect(isPreflight(req('POST', { origin: 'http://a.localhost', 'access-control-request-method': 'POST' }))).toBe(
      false,
    );
  });

  it('carries no body: no Content-Length but 0, no Transfer-Encoding', () => {
    const ask = { origin: 'http://a.localhost', 'access-control-request-method': 'POST' };
    expect(isPreflight(req('OPTIONS', { ...ask, 'content-length': '0' }))).toBe(true);
    expect(isPreflight(req('OPTIONS', { ...ask, 'content-length': '5' }))).toBe(false);
    expect(isPreflight(req('OPTIONS', { ...ask, 'transfer-encoding': 'chunked' }))).toBe(false);
  });
});

describe("a port's effective visibility", () => {
  it("is the owner's choice, else the client's, else private", () => {
    expect(effectiveVisibility('public', 'private')).toBe('public');
    expect(effectiveVisibility('private', 'link')).toBe('private');
    expect(effectiveVisibility(undefined, 'link')).toBe('link');
    expect(effectiveVisibility(undefined, undefined)).toBe('private');
  });
});
