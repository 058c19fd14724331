/** Runs an agent until it stops or the user interrupts, printing its events. */
import { Agent, type AgentOptions } from '../agent';
import { type EventSink, human, ndjson } from '../events';
import type { TunnelError } from '../tunnel/errors';

export function sink(json: boolean): EventSink {
  const write = (line: string) => process.stdout.write(line);
  return json ? ndjson(write) : human(write);
}

/**
 * Start the agent and resolve when it ends: null after Ctrl-C / SIGTERM,
 * the fatal tunnel error otherwise.
 */
export async function runAgent(options: AgentOptions, onStop?: () => Promise<void>): Promise<TunnelError | null> {
  const agent = new Agent(options);
  const stop = () => agent.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await agent.done();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    agent.stop();
    await onStop?.();
  }
}
