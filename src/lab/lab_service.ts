/**
 * The lab's side of the protocol, independent of how messages travel: owns
 * the hub (real clock), runs demos, applies commands and builds coalesced
 * snapshots. `worker.ts` wires it to `postMessage`; tests can drive it
 * directly.
 */
import type {
  DemoStatus,
  HubSnapshot,
  LabCommand,
  LabMessage,
  TaskViewRequest,
} from "./protocol.ts";
import { sleep } from "./effects.ts";
import { Hub } from "./hub.ts";
import { startDemo } from "./demos/demo.ts";
import { DEMOS, findDemo } from "./demos/registry.ts";
import type { Task } from "./task.ts";
import {
  DEFAULT_VIEW,
  HeaderMeter,
  laneView,
  mergeView,
  taskDetail,
  taskWindow,
  warningRow,
} from "./telemetry.ts";
import { errorMessage } from "../util/error_message.ts";
import { SocketsService } from "./sockets_service.ts";
import { MqService } from "./mq_service.ts";

const OUTPUT_PER_SNAPSHOT = 200;
export const MIN_INTERVAL_MS = 100;
export const HEARTBEAT_MS = 1000;
const MAX_STRESS = 200_000;

export interface LabServiceOptions {
  hub?: Hub;
  post: (message: LabMessage) => void;
}

export class LabService {
  readonly hub: Hub;
  #post: (message: LabMessage) => void;
  #view: TaskViewRequest = DEFAULT_VIEW;
  #paused = false;
  #meter = new HeaderMeter();
  #seq = 0;
  #lastSent = -Infinity;
  #minInterval = MIN_INTERVAL_MS;
  #lastFingerprint = "";
  #viewChanged = true;
  #output: string[] = [];
  #outputLines = 0;
  #dropped = 0;
  #demo: DemoStatus | null = null;
  #demoTask: Task | null = null;
  #stress: Task[] = [];
  readonly sockets: SocketsService;
  readonly mq: MqService;

  /** See `watchdog` in the hello message (protocol.ts). */
  readonly watchdog = new SharedArrayBuffer(16);

  constructor(options: LabServiceOptions) {
    this.hub = options.hub ?? new Hub({ watchdog: new Float64Array(this.watchdog) });
    this.#post = options.post;
    this.sockets = new SocketsService(this.hub);
    this.mq = new MqService(this.hub);
  }

  hello(): void {
    this.#post({
      type: "hello",
      demos: DEMOS.map((d) => ({ name: d.name, description: d.description })),
      watchdog: this.watchdog,
    });
  }

  /** Applies one command from the UI; resolves once its reply is posted. */
  handle(command: LabCommand): Promise<void> {
    const ok = (message: string) => {
      this.#viewChanged = true;
      this.#post({ type: "reply", command: command.type, ok: true, message });
    };
    const failed = (error: unknown) => {
      const message = errorMessage(error);
      this.#post(
        { type: "reply", command: command?.type ?? "unknown", ok: false, message } as LabMessage,
      );
    };
    try {
      const result = this.#apply(command);
      // Starting and stopping servers waits for the kernel; the reply follows.
      if (typeof result !== "string") return result.then(ok, failed);
      ok(result);
    } catch (error) {
      failed(error);
    }
    return Promise.resolve();
  }

  #apply(command: LabCommand): string | Promise<string> {
    switch (command.type) {
      case "serve":
        return this.sockets.serve(command.model, command.port);
      case "load":
        return this.sockets.load(command.connections, command.size, command.ratePerS);
      case "stop-socket":
        return this.sockets.stop(command.name);
      case "compare":
        return this.sockets.compare(command.connections);
      case "sockets-view":
        this.#viewChanged = true;
        return this.sockets.setView(command.view);
      case "run-demo":
        return this.#runDemo(command.name, command.trace === true);
      case "stop-demo":
        return this.#stopDemo();
      case "kill-task": {
        const t = this.hub.task(command.id);
        if (t === undefined) throw new Error(`no task #${command.id}`);
        if (!this.hub.kill(t)) throw new Error(`task #${t.id} '${t.name}' has already finished`);
        return `killed #${t.id} '${t.name}'`;
      }
      case "clear-finished": {
        const n = this.hub.forgetFinished();
        this.#viewChanged = true;
        return n === 0 ? "no finished tasks to clear" : `cleared ${n} finished tasks`;
      }
      case "set-view":
        this.#view = mergeView(this.#view, command.view);
        this.#viewChanged = true;
        return "view updated";
      case "pause":
        this.#paused = command.paused;
        this.#viewChanged = true;
        return command.paused ? "paused" : "resumed";
      case "stress":
        return this.#setStress(command.tasks);
      case "mq-connect":
      case "mq-publish":
      case "mq-subscribe":
      case "mq-worker":
      case "mq-rpc-server":
      case "mq-rpc":
      case "mq-scenario":
      case "mq-stop":
        return this.mq.handle(command);
      case "shutdown":
        // every socket and AMQP connection closes before the hub goes
        return Promise.all([this.sockets.close(), this.mq.close()]).then(() => {
          this.hub.close();
          return "shut down";
        });
      default:
        throw new Error(`unknown command '${(command as { type: string }).type}'`);
    }
  }

  #print = (line: string): void => {
    this.#outputLines++;
    this.#output.push(line);
    if (this.#output.length > OUTPUT_PER_SNAPSHOT) {
      this.#output.shift();
      this.#dropped++;
    }
  };

  #runDemo(name: string, trace: boolean): string {
    const demo = findDemo(name);
    if (demo === undefined) {
      throw new Error(`no demo '${name}' (${DEMOS.map((d) => d.name).join(", ")})`);
    }
    if (this.#demo?.state === "running") this.#stopDemo();
    const status: DemoStatus = {
      name,
      state: "running",
      startedAtMs: this.hub.now(),
      error: null,
    };
    this.#demo = status;
    this.#print(`--- demo ${name} ---`);
    this.hub.trace = trace ? (line) => this.#print(`  · ${line}`) : null;
    const main = startDemo(demo, { hub: this.hub, print: this.#print });
    this.#demoTask = main;
    main.whenFinished().then(() => {
      if (this.#demo !== status) return;
      if (status.state === "running") {
        status.state = main.state === "done" || main.state === "failed" ? main.state : "stopped";
        if (main.state === "failed") {
          status.error = errorMessage(main.error);
        }
      }
      this.hub.trace = null;
    });
    return `running demo ${name}`;
  }

  #stopDemo(): string {
    const status = this.#demo;
    if (status === null || status.state !== "running") return "no demo running";
    status.state = "stopped";
    // a person stopped the demo, not its tasks: they are abandoned, not killed
    if (this.#demoTask !== null) this.hub.abandon(this.#demoTask, "demo stopped");
    // its children (same group) go with it
    const group: Task[] = [];
    this.hub.forEachLive((t) => {
      if (t.group === status.name) group.push(t);
    });
    for (const t of group) this.hub.abandon(t, "demo stopped");
    this.hub.trace = null;
    return `stopped demo ${status.name}`;
  }

  #setStress(count: number): string {
    const n = Math.max(0, Math.min(MAX_STRESS, Math.floor(count)));
    for (const t of this.#stress) this.hub.kill(t);
    this.#stress = [];
    for (let i = 0; i < n; i++) {
      const period = 200 + (i % 50) * 40;
      this.#stress.push(this.hub.spawn(`sleeper ${i + 1}`, function* () {
        for (;;) yield sleep(period);
      }, { group: "stress", parent: null }));
    }
    return n === 0 ? "stress tasks killed" : `spawned ${n} stress tasks`;
  }

  /**
   * Posts a snapshot if one is due: at most every MIN_INTERVAL_MS, only when
   * something changed, and at least every HEARTBEAT_MS. Returns whether it posted.
   */
  tick(nowReal = performance.now()): boolean {
    if (nowReal - this.#lastSent < this.#minInterval) return false;
    const s = this.hub.stats();
    const fingerprint =
      `${s.switches}/${s.spawned}/${s.done}/${s.failed}/${s.killed}/${s.abandoned}/${s.warnings}/${this.#outputLines}/${this.#demo?.state}/${this.sockets.fingerprint()}/${this.mq.fingerprint()}`;
    const changed = fingerprint !== this.#lastFingerprint || this.#viewChanged;
    if (!changed && nowReal - this.#lastSent < HEARTBEAT_MS) return false;
    this.#lastFingerprint = fingerprint;
    this.#viewChanged = false;
    this.#lastSent = nowReal;
    const started = performance.now();
    const snapshot = this.snapshot();
    // an expensive snapshot (sorting 100k rows by name) must not eat the hub:
    // keep telemetry under ~20% of the Worker's time
    const cost = performance.now() - started;
    this.#minInterval = Math.max(MIN_INTERVAL_MS, Math.min(HEARTBEAT_MS, cost * 5));
    this.#post({ type: "snapshot", snapshot });
    return true;
  }

  /** Builds a snapshot now (and consumes the pending output lines). */
  snapshot(): HubSnapshot {
    const hub = this.hub;
    if (this.#seq % 10 === 0) hub.scanWaits();
    const header = this.#meter.header(hub);
    const now = header.nowMs;
    const view = this.#view;
    const groups = hub.groups().filter((g) => g.live > 0).sort((a, b) => b.live - a.live)
      .slice(0, 20).map((g) => ({ name: g.name, live: g.live }));
    const selectedTask = view.selectedId === null ? undefined : hub.task(view.selectedId);
    const paused = this.#paused;
    const snapshot: HubSnapshot = {
      seq: ++this.#seq,
      sentAt: Date.now(),
      paused,
      header,
      groups,
      window: paused ? { request: view, total: 0, rows: [] } : taskWindow(hub, view, now),
      selected: paused || selectedTask === undefined ? null : taskDetail(hub, selectedTask, now),
      lanes: paused
        ? { fromMs: now, bucketMs: 0, buckets: 0, lanes: [] }
        : laneView(hub, view, now, selectedTask),
      warnings: { total: header.warnings, recent: hub.recentWarnings().slice(-10).map(warningRow) },
      demo: this.#demo === null ? null : { ...this.#demo },
      output: { lines: this.#output, dropped: this.#dropped, nextLine: this.#outputLines },
    };
    const sockets = this.sockets.snapshot();
    if (sockets !== undefined) snapshot.sockets = sockets;
    const mq = this.mq.snapshot();
    if (mq !== undefined) snapshot.mq = mq;
    this.#output = [];
    this.#dropped = 0;
    return snapshot;
  }
}
