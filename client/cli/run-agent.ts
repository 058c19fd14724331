/** Runs an agent (with its control API) until it stops or the user interrupts, printing its events. */
import { Agent, type AgentOptions } from '../agent';
import { ControlServer } from '../control/server';
import { type EventSink, human, ndjson } from '../events';
import type { TunnelError } from '../tunnel/errors';
import { liveTable } from './live-table';

/** NDJSON with --json, a live table on a terminal, plain log lines otherwise. */
export function sink(json: boolean, gateway: string): EventSink {
  const write = (line: string) => process.stdout.write(line);
  if (json) return ndjson(write);
  return process.stdout.isTTY ? liveTable(process.stdout, gateway) : human(write);
}

/**
 * Start the agent and its control socket; resolve when the agent ends:
 * null after Ctrl-C / SIGTERM or once `stopWhen` resolves, the fatal tunnel error otherwise.
 * `onAgent` is called with the agent as soon as it is built, before its first connection.
 */
export async function runAgent(
  options: AgentOptions,
  controlPath: string,
  stopWhen?: Promise<unknown>,
  onAgent?: (agent: Agent) => void,
): Promise<TunnelError | null> {
  // Before the agent dials: a second client on a busy socket would take the session over first.
  await ControlServer.claim(controlPath);
  const agent = new Agent(options);
  onAgent?.(agent);
  let control: ControlServer;
  try {
    control = await ControlServer.start(agent, controlPath);
  } catch (error) {
    agent.stop();
    throw error;
  }
  const stop = () => agent.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  void stopWhen?.then(stop);
  try {
    return await agent.done();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    agent.stop();
    control.close();
  }
}
