/**
 * JSON with comments and trailing commas (the devcontainer.json dialect), read
 * with jsonc-parser, the parser VS Code and the devcontainer CLI use. Keeps
 * the syntax tree so that every problem names the file, the line:column of the
 * bad value and its key: `porthole.json:4:15: "visibility" must be … (got "open")`.
 */
import { type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';

export type { Node } from 'jsonc-parser';

/** Problems found in one file, each a line `<file>:<line>:<column>: <message>` (both 1-based). */
export class Problems {
  readonly list: string[] = [];
  readonly #file: string;
  readonly #lineStarts: number[];

  /** `file`: the name shown (a path relative to the working folder); `text`: the file's content. */
  constructor(file: string, text: string) {
    this.#file = file;
    this.#lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.#lineStarts.push(i + 1);
  }

  /** 1-based line and column of a character offset. */
  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.#lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#lineStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.#lineStarts[low] as number) + 1 };
  }

  /** A problem at a node (or offset): `key` is the JSON key it sits under, quoted in the message. */
  add(at: Node | number, key: string, message: string): void {
    const { line, column } = this.position(typeof at === 'number' ? at : at.offset);
    this.list.push(`${this.#file}:${line}:${column}: "${key}" ${message}`);
  }

  /** A problem that belongs to no key (a syntax error). */
  addPlain(offset: number, message: string): void {
    const { line, column } = this.position(offset);
    this.list.push(`${this.#file}:${line}:${column}: ${message}`);
  }
}

/** What a syntax error code means, in words (`CloseBraceExpected` → `close brace expected`). */
function describe(error: ParseError): string {
  return printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/**
 * Parse `text` as JSONC (comments and trailing commas allowed). Returns the
 * root object node, or null with the first syntax error (or "must hold one object") in `problems`.
 */
export function parseObject(text: string, problems: Problems): Node | null {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  // The first error only: the ones after it mostly follow from it.
  const [first] = errors;
  if (first) {
    problems.addPlain(first.offset, `not valid JSON: ${describe(first)}`);
    return null;
  }
  if (!root || root.type !== 'object') {
    problems.addPlain(root?.offset ?? 0, 'must hold one JSON object ({ … })');
    return null;
  }
  return root;
}

/** The [key node, value node] pairs of an object node, in file order. */
export function entries(object: Node): [string, Node, Node][] {
  const pairs: [string, Node, Node][] = [];
  for (const property of object.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key && value) pairs.push([String(key.value), key, value]);
  }
  return pairs;
}

/** A value as JSON shows it, for "(got …)" in a message; long ones are cut. */
export function shown(node: Node): string {
  const text = node.type === 'object' ? '{…}' : node.type === 'array' ? '[…]' : JSON.stringify(node.value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** "a, b or c". */
export function oneOf(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}
