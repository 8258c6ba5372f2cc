/** The logging surface the roles need; Fastify's pino logger satisfies it. */
export interface Logger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
