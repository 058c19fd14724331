/**
 * A tool's answer is what the CLI's `--json` prints for the same action: the CLI command runs
 * in this process with an Output whose stdout is captured here, so that the JSON, its
 * `warnings` and the failure shape `{error, message, …}` come from the CLI's own code
 * (client/cli/output.ts), never from a copy of it.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Command } from '../cli/command';
import { createOutput, type Output } from '../cli/output';

/** The JSON a command printed with `--json`, and whether it failed (exit code not 0). */
export interface CliAnswer {
  value: unknown;
  failed: boolean;
}

/**
 * Runs `action` as the CLI's `porthole <name> --json` would: its value printed through an Output
 * whose stdout is kept; a thrown error reported by `out.fail` (the CLI's failure JSON). Warnings
 * go to this process's stderr as the CLI's do (they are also in the value's `warnings`).
 */
async function capture(name: string, action: (out: Output) => Promise<number>): Promise<CliAnswer> {
  let stdout = '';
  const out = createOutput(name, true, false, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => process.stderr.write(text),
  });
  let exit: number;
  try {
    exit = await action(out);
  } catch (error) {
    exit = out.fail(error);
  }
  // Every command prints one JSON value with --json; a command that printed none is a bug, said so.
  if (stdout === '') return { value: { error: 'failed', message: `porthole ${name} answered nothing` }, failed: true };
  return { value: JSON.parse(stdout) as unknown, failed: exit !== 0 };
}

/**
 * Runs the CLI command `porthole <name> <args…> --json --control <control>`, in this process,
 * and answers what it printed.
 */
export function runCommand(command: Command, name: string, args: string[], control: string): Promise<CliAnswer> {
  return capture(name, (out) => command.run(['--json', `--control=${control}`, ...args], out));
}

/**
 * The MCP tool result of a CLI answer: the JSON as text (exactly what `--json` prints, without
 * the newline) and as structuredContent, which MCP wants to be an object: a list is put under
 * `listKey` (`{"ports": […]}`). A failure is `isError: true` with the CLI's failure JSON.
 */
export function toolResult(answer: CliAnswer, listKey = 'items'): CallToolResult {
  const { value, failed } = answer;
  const structured = Array.isArray(value) ? { [listKey]: value } : (value as Record<string, unknown>);
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: structured,
    ...(failed ? { isError: true } : {}),
  };
}
