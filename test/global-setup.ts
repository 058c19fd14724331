/** Build the gateway bundle once for every test file that starts workerd. */
import { build } from '../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await build({ only: ['gateway'] });
}
