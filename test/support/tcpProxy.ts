/**
 * A TCP proxy of the tests' own, between a client and a server on loopback, that can turn
 * the line bad on demand: delay every chunk, drop connections (FIN), reset them (RST), or
 * black-hole them (connections stay open and nothing gets through either way, as behind a
 * dead router). Only ever listens on 127.0.0.1.
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from "node:net";

export type LineFault = { kind: "none" } | { kind: "delay"; ms: number } | { kind: "drop" } | { kind: "reset" } | { kind: "black-hole" };

interface Pair {
  client: Socket;
  server: Socket;
}

export class TcpProxy {
  readonly #pairs = new Set<Pair>();
  #fault: LineFault = { kind: "none" };

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host?: string; port: number }, listenPort = 0): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(listenPort, "127.0.0.1", () => resolve());
    });
    const proxy = new TcpProxy(server, (server.address() as AddressInfo).port, { host: target.host ?? "127.0.0.1", port: target.port });
    server.on("connection", (client) => proxy.#accept(client));
    return proxy;
  }

  get fault(): LineFault {
    return this.#fault;
  }

  /** Applies to new connections and, for drop, reset and black-hole, to open ones too. */
  setFault(fault: LineFault): void {
    this.#fault = fault;
    if (fault.kind === "drop" || fault.kind === "reset") for (const pair of [...this.#pairs]) this.#end(pair, fault.kind);
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.#pairs.size;
  }

  async close(): Promise<void> {
    for (const pair of [...this.#pairs]) this.#end(pair, "drop");
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    client.on("error", () => undefined);
    if (this.#fault.kind === "drop") return void client.destroy();
    if (this.#fault.kind === "reset") return void client.resetAndDestroy();
    const server = connect(this.target);
    server.on("error", () => undefined);
    const pair = { client, server };
    this.#pairs.add(pair);
    this.#forward(client, server);
    this.#forward(server, client);
    const done = () => this.#end(pair, "drop");
    client.on("close", done);
    server.on("close", done);
  }

  #forward(from: Socket, to: Socket): void {
    from.on("data", (chunk: Buffer) => {
      const fault = this.#fault;
      if (fault.kind === "black-hole") return;
      if (fault.kind === "delay") {
        // Paused while the delayed chunk waits, so chunks keep their order.
        from.pause();
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
          from.resume();
        }, fault.ms);
        return;
      }
      if (!to.destroyed) to.write(chunk);
    });
  }

  #end(pair: Pair, how: "drop" | "reset"): void {
    if (!this.#pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.server]) {
      if (socket.destroyed) continue;
      if (how === "reset") socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
