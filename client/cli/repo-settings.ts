/**
 * The repository's settings for `porthole dev` and `porthole connect`: read
 * before the agent starts, handed to it as soon as it exists, watched for
 * the rest of the run. --no-settings leaves them unread. Also wraps the
 * command's event output for onAutoForward: no line for a `silent` port, a
 * browser for `openBrowser` (on a terminal, or with --open).
 */
import type { AgentOptions } from '../agent';
import type { EventSink } from '../events';
import type { Visibility } from '../../protocol';
import { agentTarget, type ExposingAgent, PreserveHost } from '../settings/agent-target';
import { AutoForward } from '../settings/auto-forward';
import { SettingsFilter } from '../settings/filter';
import { findOpener, openUrl } from '../settings/opener';
import { RepositorySettings } from '../settings/runtime';

export interface CliSettingsValues {
  'no-settings'?: boolean;
  open?: boolean;
  json?: boolean;
}

export interface CliSettings {
  /** Whether the origin of a port sees the public Host (--preserve-host and the settings' preserveHost). */
  preserveHost: (port: number) => boolean;
  /** The watch options with the settings' ignore rules in front of the flags' filter. */
  watch(watch: AgentOptions['watch']): AgentOptions['watch'];
  /** Who may open a new port: the flags' rule, else the settings' (porthole.json). */
  visibility(flags: (port: number) => Visibility | undefined): (port: number) => Visibility | undefined;
  /** The command's event output, with onAutoForward applied. */
  sink(output: EventSink): EventSink;
  /** Hand the settings to the agent (right after it is built, before it connects), and start watching. */
  attach(agent: ExposingAgent): void;
  stop(): void;
}

export function cliSettings(values: CliSettingsValues, preserveFlags: number[] | 'all'): CliSettings {
  const preserve = new PreserveHost(preserveFlags);
  let agent: ExposingAgent | null = null;
  const settings = values['no-settings'] ? null : new RepositorySettings({ emit: (event) => agent?.publish(event) });
  settings?.start();
  const json = values.json ?? false;
  const auto = settings
    ? new AutoForward({
        rules: () => settings.rules,
        allowed: values.open === true || (!json && process.stdout.isTTY === true),
        opener: findOpener(),
        launch: (opener, url) =>
          openUrl(opener, url, (error) =>
            agent?.publish({ event: 'error', message: `opening a browser: ${error.message}` }),
          ),
        say: (line) => agent?.publish({ event: 'error', message: line }),
      })
    : null;
  return {
    preserveHost: preserve.has,
    watch(watch) {
      if (!watch || !settings) return watch;
      return { ...watch, filter: new SettingsFilter(watch.filter, settings.rules) };
    },
    visibility(flags) {
      if (!settings) return flags;
      return (port) => flags(port) ?? settings.rules(port).visibility;
    },
    sink(output) {
      if (!auto) return output;
      // The live table shows every port (a row is no notification); only printed lines are held back.
      const table = !json && process.stdout.isTTY === true;
      return (event) => {
        auto.onEvent(event);
        if (json || (table && event.event === 'port.open') || auto.shouldPrint(event)) output(event);
      };
    },
    attach(target) {
      agent = target;
      settings?.attach(agentTarget(target, settings.rules, preserve));
    },
    stop() {
      settings?.stop();
    },
  };
}
