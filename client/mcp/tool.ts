/**
 * One MCP tool of `porthole mcp`: its name, what an agent reads about it, its input schema, and
 * how it runs against the client's control socket (as the CLI's `--json` would: result.ts).
 */
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { CliAnswer } from './result';

export interface PortholeTool<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** snake_case, e.g. `list_ports`. */
  name: string;
  title: string;
  /** For the agent: what it does, when to use it, units, and which CLI command prints the same JSON. */
  description: string;
  /** The input's fields (zod); `{}` for none. */
  input: Shape;
  /** Where structuredContent puts a list answer (`{"ports": […]}`); MCP wants an object there. */
  listKey?: string;
  annotations: ToolAnnotations;
  /** Runs the action against the control socket at `control`: the CLI's JSON, or its failure JSON. */
  run(input: z.infer<z.ZodObject<Shape>>, control: string): Promise<CliAnswer>;
}

/** Declares a tool (keeps `run`'s input typed by the shape). */
export function tool<Shape extends z.ZodRawShape>(definition: PortholeTool<Shape>): PortholeTool {
  return definition as unknown as PortholeTool;
}

/** `--name=value` when the value is given: the form parseArgs never mistakes for another option. */
export function flag(name: string, value: string | number | undefined): string[] {
  return value === undefined ? [] : [`--${name}=${value}`];
}
