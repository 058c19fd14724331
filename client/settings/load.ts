/**
 * Reads the files discover() found into one Settings. A file that does not
 * parse, or has a bad entry, is reported with every problem (file:line:column)
 * and its previous good settings stay in force (none, if it never was good):
 * a half-typed edit never drops a rule that was working.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { type DevcontainerPart, readDevcontainer } from './devcontainer';
import type { Found } from './discover';
import { parseObject, Problems } from './jsonc';
import { type PortholePart, readPortholeFile } from './porthole-file';
import { emptySettings, type Settings } from './types';

export interface LoadResult {
  /** What is in force: each file's good settings (this reading, or the last good one of a file that now has problems). */
  settings: Settings;
  /** Files with problems this time, each problem a `<file>:<line>:<column>: …` line. */
  errors: { file: string; problems: string[] }[];
  /** Things skipped that the user should know about (another host's port, several configurations). */
  warnings: string[];
  /** Whether the files found, or any of their contents, differ from the previous load. */
  changed: boolean;
}

interface Read<T> {
  text: string;
  /** The last good reading of this file, if there ever was one. */
  good?: T;
}

export class SettingsLoader {
  readonly #cwd: string;
  readonly #read = new Map<string, Read<DevcontainerPart | PortholePart>>();
  #last = '';

  /** `cwd`: file names in messages are relative to it. */
  constructor(cwd: string = process.cwd()) {
    this.#cwd = cwd;
  }

  /** Read (again) the files `found` names. Never throws: an unreadable file is an error of that file. */
  load(found: Found): LoadResult {
    const result: LoadResult = { settings: emptySettings(), errors: [], warnings: [...found.warnings], changed: false };
    const texts: string[] = [];
    const take = <T extends DevcontainerPart | PortholePart>(
      path: string,
      read: (root: NonNullable<ReturnType<typeof parseObject>>, problems: Problems, warnings: string[]) => T,
    ): T | undefined => {
      const name = relative(this.#cwd, path) || path;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        result.errors.push({
          file: name,
          problems: [`${name}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`],
        });
        const good = this.#read.get(path)?.good as T | undefined;
        if (good) result.settings.files.push(name);
        return good;
      }
      texts.push(`${path}\0${text}`);
      const problems = new Problems(name, text);
      const root = parseObject(text, problems);
      const part = root ? read(root, problems, result.warnings) : undefined;
      const before = this.#read.get(path);
      if (problems.list.length > 0 || !part) {
        result.errors.push({ file: name, problems: problems.list });
        this.#read.set(path, { text, good: before?.good });
        if (before?.good) result.settings.files.push(name);
        return before?.good as T | undefined;
      }
      this.#read.set(path, { text, good: part });
      result.settings.files.push(name);
      return part;
    };
    const devcontainer = found.devcontainer ? take(found.devcontainer, readDevcontainer) : undefined;
    const porthole = found.porthole
      ? take(found.porthole, (root, problems) => readPortholeFile(root, problems))
      : undefined;
    Object.assign(result.settings, devcontainer, porthole);
    // Forget files no longer found: a file that comes back is read afresh.
    for (const path of this.#read.keys())
      if (path !== found.devcontainer && path !== found.porthole) this.#read.delete(path);
    const key = texts.join('\0\0');
    result.changed = key !== this.#last;
    this.#last = key;
    return result;
  }
}
