// The logging surface the buffer needs: a pino logger fits it, and tests can pass nothing.
export interface BufferLogger {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

const ignore = (): void => undefined;

export const silentLogger: BufferLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
