export interface EngineHeartbeatOptions {
  /** The engine must have said something (a pong, or any message) within this long. */
  timeoutMs: number;
  /** Sends one ping; the engine answers from its event loop at once. */
  ping: (seq: number) => void;
  /** Called once, when the engine has been silent for longer than timeoutMs. */
  onUnresponsive: (silentMs: number) => void;
}

/** Pings often enough that a silent engine is noticed at most a quarter of the bound late. */
const maxPingIntervalMs = 5_000;

/**
 * The client's side of the heartbeat with one engine process: pings it on an interval and reports it
 * unresponsive when nothing has come back for longer than the bound (a stopped or wedged process).
 */
export class EngineHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  private seq = 0;

  constructor(private readonly options: EngineHeartbeatOptions) {}

  start(): void {
    this.stop();
    this.lastHeard = Date.now();
    const interval = Math.max(20, Math.min(maxPingIntervalMs, Math.floor(this.options.timeoutMs / 4)));
    this.timer = setInterval(() => this.tick(), interval);
    // A heartbeat alone never keeps the editor (or a test) alive.
    this.timer.unref();
  }

  /** The engine said something: it is alive. */
  heard(): void {
    this.lastHeard = Date.now();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const silentMs = Date.now() - this.lastHeard;
    if (silentMs > this.options.timeoutMs) {
      this.stop();
      this.options.onUnresponsive(silentMs);
      return;
    }
    this.options.ping(this.seq++);
  }
}
