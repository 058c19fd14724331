/**
 * ATTACK (issue 18): `POST /auth/logout` needs only an identity cookie, and a kept copy can be
 * posted again and again; each post tells every session the cookie lists (up to 32) that its sid
 * is signed out, and each session rewrote its whole signed-out map (up to 1,024 entries) every
 * time. A sign-out already recorded (same sid, no later end, nothing expired to prune) now writes
 * nothing; a new sid, a later end, or a pruning still writes.
 */
import { expect, it } from 'vitest';
import { type IdentityStorage, IdentityStore } from '../../../gateway/session/identity-store';

function memory() {
  const map = new Map<string, unknown>();
  let puts = 0;
  const storage = {
    async get<T>(key: string) {
      return structuredClone(map.get(key)) as T | undefined;
    },
    async put<T>(key: string, value: T) {
      puts++;
      map.set(key, structuredClone(value));
    },
  };
  return { storage: storage as IdentityStorage, puts: () => puts };
}

it('the same sign-out posted again writes nothing; a new one, or a later end, still does', async () => {
  const { storage, puts } = memory();
  const store = new IdentityStore(storage);
  const until = Math.floor(Date.now() / 1000) + 3600;
  await store.signOut('sid-a', until);
  expect(puts()).toBe(1);
  for (let i = 0; i < 100; i++) await store.signOut('sid-a', until);
  expect(puts()).toBe(1);
  expect(await store.isSignedOut('sid-a', 0)).toBe(true);
  await store.signOut('sid-a', until + 10);
  await store.signOut('sid-b', until);
  expect(puts()).toBe(3);
  expect(await store.isSignedOut('sid-b', 0)).toBe(true);
  // Read back by a new instance (the object restarted): as written.
  const again = new IdentityStore(storage);
  expect(await again.isSignedOut('sid-a', 0)).toBe(true);
  expect(await again.isSignedOut('sid-c', 0)).toBe(false);
});
