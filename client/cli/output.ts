/**
 * The output contract every command keeps, in one place so that no command repeats it:
 *
 * - With `--json`: exactly one JSON value on stdout for a command (a list is one array), or one
 *   JSON object per line (NDJSON) for a stream (`dev`, `connect`); on failure the value, or the
 *   stream's last line, is `{"error": "<code>", "message": "<text>", …}` (a stream's also has
 *   `"event": "error"`). Nothing else goes to stdout.
 * - Without `--json`: the human answer on stdout, errors on stderr.
 * - Warnings (the answer is given, but something looks wrong) go to stderr either way, prefixed
 *   `porthole <command>: `; with `--json` they are also listed in the answer's `warnings`.
 * - Exit codes: 0 success; 1 refused, failed or timed out; 2 usage (unknown option, bad value,
 *   missing argument); 3 the session has ended (`session_ended`: ended by its operator, or expired).
 */
import { PortholeApiError } from '../net/http';
import { TunnelError } from '../tunnel/errors';
import { UsageError } from './options';

/** A failure a command reports with a stable code (exit 1), e.g. `timeout`; `fields` join the JSON answer. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    /** Stable, snake_case, e.g. `timeout`. */
    readonly code: string,
    message: string,
    /** Extra fields of the `--json` answer, e.g. `{port: 3000}`. */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A failure as the CLI reports it. */
export interface Failure {
  /** Stable code: `usage`, the gateway's or control socket's `error`, a local error's `code`, else `failed`. */
  code: string;
  message: string;
  /** 1 (refused, failed, timeout), 2 (usage) or 3 (the session has ended). */
  exit: 1 | 2 | 3;
  /** Extra fields of the `--json` answer. */
  fields: Record<string, unknown>;
}

const TUNNEL_CODES: Record<string, string> = {
  TunnelAuthError: 'tunnel_refused',
  TunnelVersionError: 'protocol_version',
  TunnelReplacedError: 'tunnel_replaced',
  TunnelTooManyPortsError: 'too_many_ports',
  TunnelSessionEndedError: 'session_ended',
  TunnelDroppedError: 'tunnel_dropped',
};

/** What any thrown value means for the CLI: decided by class and stable `code`, never by message text. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof UsageError) return { code: 'usage', message: error.message, exit: 2, fields: {} };
  if (error instanceof CliError) return { code: error.code, message: error.message, exit: 1, fields: error.fields };
  if (error instanceof PortholeApiError) {
    const exit = error.code === 'session_ended' ? 3 : 1;
    return { code: error.code, message: error.message, exit, fields: { status: error.status } };
  }
  if (error instanceof TunnelError) {
    const code = TUNNEL_CODES[error.name] ?? 'tunnel_error';
    return { code, message: error.message, exit: code === 'session_ended' ? 3 : 1, fields: {} };
  }
  if (error instanceof Error) {
    // Local errors with a stable snake_case code (unsafe_path, state_locked, no_client …); not errno's ENOENT.
    const code = (error as { code?: unknown }).code;
    const stable = typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code);
    return { code: stable ? code : 'failed', message: error.message, exit: 1, fields: {} };
  }
  return { code: 'failed', message: String(error), exit: 1, fields: {} };
}

/** Where a command's output goes; process.stdout / process.stderr unless a test says otherwise. */
export interface Streams {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processStreams: Streams = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** One command run's output, created by the CLI's entry point and handed to the command. */
export interface Output {
  /** Whether `--json` was given. */
  readonly json: boolean;
  /**
   * The answer: with `--json`, `value` as one line of JSON (an object gets `warnings` when any
   * were given); otherwise `human` (a newline is added when missing; '' prints nothing).
   */
  result(value: unknown, human: string): void;
  /** A warning line (without prefix): stderr always, and the answer's `warnings` with `--json`. */
  warn(line: string): void;
  /** Reports `error` (stdout as JSON with `--json`, else stderr) and returns the exit code (1, 2 or 3). */
  fail(error: unknown): number;
}

/** Whether `args` ask for JSON: `--json` (or `--json=…`) before any `--`. */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--json' || a.startsWith('--json='));
}

/** C1 controls and DEL, which JSON.stringify leaves as they are (it escapes only U+0000–U+001F). */
const C1 = /[\u007f-\u009f]/g;

/**
 * `value` as one line of JSON that is safe to print on a terminal: JSON.stringify's, with DEL and
 * the C1 controls (U+0080–U+009F: `\u009b` is CSI, which terminals that act on C1 controls, xterm
 * among them, read as ESC `[`) written as `\u00XX` escapes, so a path or body from a viewer cannot
 * drive the terminal of `porthole requests --json`. It parses to the same value.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(C1, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/**
 * The output of `porthole <command>`; `stream` for NDJSON commands (dev, connect), whose failure line
 * also carries `"event": "error"`.
 */
export function createOutput(command: string, json: boolean, stream = false, io: Streams = processStreams): Output {
  const warnings: string[] = [];
  const line = (value: unknown) => io.stdout(`${jsonText(value)}\n`);
  return {
    json,
    result(value, human) {
      if (!json) {
        if (human) io.stdout(human.endsWith('\n') ? human : `${human}\n`);
        return;
      }
      const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
      line(isObject && warnings.length > 0 ? { ...value, warnings } : value);
    },
    warn(text) {
      warnings.push(text);
      io.stderr(`porthole ${command}: ${text}\n`);
    },
    fail(error) {
      const failure = describeFailure(error);
      if (json) {
        const help = failure.exit === 2 ? { help: `porthole ${command} --help` } : {};
        line({
          ...(stream ? { event: 'error' } : {}),
          error: failure.code,
          message: failure.message,
          ...failure.fields,
          ...help,
          ...(warnings.length > 0 ? { warnings } : {}),
        });
      } else {
        const hint = failure.exit === 2 ? `\nRun 'porthole ${command} --help' for usage.` : '';
        io.stderr(`porthole ${command}: ${failure.message}${hint}\n`);
      }
      return failure.exit;
    },
  };
}
