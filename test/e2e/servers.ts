/** Real servers in child processes, for the port-detection tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterTest, startOrigin } from './harness';

export interface ChildServer {
  port: number;
  /** Kill it and wait until it is gone (its socket closed). */
  stop(): Promise<void>;
}

const NODE_SERVER = `
const [port, host, text] = process.argv.slice(1);
require('http').createServer((req, res) => res.end(text)).listen(Number(port), host, () => console.log('listening'));
`;

function stop(child: ChildProcess): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

/** Resolves once the child printed a line matching `ready`; started inside a test, it is killed when the test ends. */
function started(child: ChildProcess, port: number, ready: RegExp): Promise<ChildServer> {
  afterTest(() => stop(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server on ${port} did not start`)), 20_000);
    const onLine = (line: string) => {
      if (!ready.test(line)) return;
      clearTimeout(timer);
      resolve({ port, stop: () => stop(child) });
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => reject(new Error(`server on ${port} exited with ${code}`)));
  });
}

/** `node` serving `text` on host:port. */
export function nodeServer(port: number, host: string, text = `node on ${host}`): Promise<ChildServer> {
  const child = spawn(process.execPath, ['-e', NODE_SERVER, String(port), host, text], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return started(child, port, /^listening$/);
}

/** `python3 -m http.server` serving `dir` on host:port. */
export function pythonServer(port: number, host: string, dir: string): Promise<ChildServer> {
  const child = spawn('python3', ['-u', '-m', 'http.server', String(port), '--bind', host, '--directory', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return started(child, port, /Serving HTTP/);
}

/** `count` distinct ports nothing listens on right now: all bound on [::]:0 at once, then released. */
export async function freePorts(count: number): Promise<number[]> {
  // Held together, the probes cannot be given the same port: no retry loop is needed.
  const probes = await Promise.all(Array.from({ length: count }, () => startOrigin(() => {}, '::')));
  await Promise.all(probes.map((probe) => probe.close()));
  return probes.map((probe) => probe.port);
}
