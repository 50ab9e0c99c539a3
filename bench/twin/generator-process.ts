// The bench side of the load generator: forks load-generator.ts (with tsx, from the repository
// root) and turns its IPC messages into promises.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromGenerator, GeneratorConfig, LoadResult, LoadSpec, ToGenerator } from './load-protocol.ts';

const ENTRY = fileURLToPath(new URL('./load-generator.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

export class GeneratorProcess {
  private stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000); });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Forks the generator and connects its devices; resolves with how long the TLS connects took. */
  static async start(config: GeneratorConfig): Promise<{ generator: GeneratorProcess; connectMs: number }> {
    const child = fork(ENTRY, [], { cwd: REPO, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const generator = new GeneratorProcess(child);
    const connected = await generator.request({ type: 'connect', config }, 'connected');
    return { generator, connectMs: connected.connectMs };
  }

  /** Builds a run's messages in the generator, so that the run can be timed from its first publish. */
  async prepare(load: LoadSpec): Promise<void> {
    await this.request({ type: 'prepare', load }, 'prepared');
  }

  /** Publishes the prepared run; resolves with its result. */
  start(): Promise<LoadResult> {
    return this.request({ type: 'run' }, 'result').then((m) => m.result);
  }

  /** `prepare`, then `start`. */
  async run(load: LoadSpec): Promise<LoadResult> {
    await this.prepare(load);
    return this.start();
  }

  async stop(): Promise<void> {
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToGenerator);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  private request<T extends FromGenerator['type']>(message: ToGenerator, answer: T): Promise<Extract<FromGenerator, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FromGenerator): void => {
        cleanup();
        if (reply.type === answer) resolve(reply as Extract<FromGenerator, { type: T }>);
        else reject(new Error(`load generator: ${reply.type === 'error' ? reply.message : `unexpected ${reply.type}`}`));
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`load generator exited (${code}) before answering ${message.type}: ${this.stderr}`));
      };
      const cleanup = (): void => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
      this.child.send(message);
    });
  }
}
