/** Real servers in child processes, for the port-detection tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startOrigin } from './harness';

export interface ChildServer {
  child: ChildProcess;
  port: number;
  /** Kill it and wait until it is gone (its socket closed). */
  stop(): Promise<void>;
}

const NODE_SERVER = `
const [port, host, text] = process.argv.slice(1);
require('http').createServer((req, res) => res.end(text)).listen(Number(port), host, () => console.log('listening'));
`;

function started(child: ChildProcess, port: number, ready: RegExp): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server on ${port} did not start`)), 20_000);
    const onLine = (line: string) => {
      if (!ready.test(line)) return;
      clearTimeout(timer);
      resolve({
        child,
        port,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
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

/** Ports nothing listens on right now (bound on 0, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const probe = await startOrigin(() => {}, '::');
    await probe.close();
    if (!ports.includes(probe.port)) ports.push(probe.port);
  }
  return ports;
}
