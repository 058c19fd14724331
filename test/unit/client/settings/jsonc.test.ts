import { describe, expect, it } from 'vitest';
import { entries, parseObject, Problems } from '../../../../client/settings/jsonc';

describe('parseObject (JSONC)', () => {
  it('reads comments and trailing commas, as devcontainer.json allows', () => {
    const text = '{\n  // a comment\n  "a": 1, /* another */\n  "b": [1, 2,],\n}\n';
    const problems = new Problems('x.json', text);
    const root = parseObject(text, problems);
    expect(problems.list).toEqual([]);
    expect(entries(root!).map(([key, , value]) => [key, value.type])).toEqual([
      ['a', 'number'],
      ['b', 'array'],
    ]);
  });

  it('reports a syntax error with file:line:column, and no object', () => {
    const text = '{\n  "a": 1\n  "b": 2\n}';
    const problems = new Problems('.devcontainer/devcontainer.json', text);
    expect(parseObject(text, problems)).toBeNull();
    expect(problems.list).toEqual(['.devcontainer/devcontainer.json:3:3: not valid JSON: comma expected']);
  });

  it('refuses a file that is not one object', () => {
    const problems = new Problems('porthole.json', '[1]');
    expect(parseObject('[1]', problems)).toBeNull();
    expect(problems.list).toEqual(['porthole.json:1:1: must hold one JSON object ({ … })']);
  });

  it('counts lines and columns from 1', () => {
    const problems = new Problems('f', 'ab\ncd\n\nef');
    expect(problems.position(0)).toEqual({ line: 1, column: 1 });
    expect(problems.position(4)).toEqual({ line: 2, column: 2 });
    expect(problems.position(7)).toEqual({ line: 4, column: 1 });
  });
});
