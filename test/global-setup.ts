/** Build the gateway and CLI bundles once for every test file that starts them. */
import { build } from '../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await build({ only: ['gateway', 'cli', 'gateway-host'] });
}
