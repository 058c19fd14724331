/** Signs port labels with the harness's key, as the gateway does, for tests that need a valid host. */
import { createHmac } from 'node:crypto';
import { base32 } from '../../gateway/routing/base32';
import { DOMAIN, type Harness } from './harness';

export function signLabelForTest(h: Harness, session: string, port: number, domain = DOMAIN): string {
  const sig = base32(createHmac('sha256', h.labelKey).update(`v1:${session}:${port}`).digest()).slice(0, 16);
  return `${port}-${session}-${sig}.${domain}`;
}
