/**
 * Which broker the dashboard talks to (`--broker auto|embedded|AMQP_URL`,
 * env `AMQP_URL`, `--mgmt-url`), and the AMQP handshake probe `auto` uses.
 * Pure but for the probe, so the choice is testable with a fake server.
 */
/** `--broker`: a URL to use, the embedded broker, or `auto` (a URL, else 5672, else embedded). */
export type BrokerFlag = { kind: "auto" } | { kind: "embedded" } | { kind: "url"; url: string };

/** What `auto` settled on before anything is started. */
export type BrokerChoice = { kind: "url"; url: string } | { kind: "embedded" };

export const PROBE_TIMEOUT_MS = 500;
const DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";
export const MGMT_PORT = 15672;

/** `--broker` text (or env AMQP_URL when the flag is absent) -> a flag; undefined text: auto. */
export function parseBrokerFlag(text: string | undefined): BrokerFlag | Error {
  if (text === undefined || text === "auto") return { kind: "auto" };
  if (text === "embedded") return { kind: "embedded" };
  const url = parseAmqpUrl(text);
  return url instanceof Error ? url : { kind: "url", url: text };
}

/** An `amqp://` or `amqps://` URL, or an Error that says what is wrong (never the password). */
export function parseAmqpUrl(text: string): URL | Error {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return new Error(`'${redactUrl(text)}' is not auto, embedded or an amqp:// URL`);
  }
  if (url.protocol !== "amqp:" && url.protocol !== "amqps:") {
    return new Error(`'${redactUrl(text)}' is not auto, embedded or an amqp:// URL`);
  }
  try {
    urlVhost(text);
  } catch {
    return new Error(`'${redactUrl(text)}': its vhost is not valid %-encoding (a '/' is %2F)`);
  }
  return url;
}

/**
 * The URL with its password replaced by `***`, for the screen and logs. Text
 * that is not a URL still loses whatever sits between `:` and `@`.
 */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = "***";
    return url.href.replace(/\/$/, "");
  } catch {
    return text.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
  }
}

/** The management API's URL: `--mgmt-url`, else the AMQP host on 15672 with its credentials. */
export function defaultMgmtUrl(amqpUrl: string, httpPort = MGMT_PORT): string {
  const amqp = new URL(amqpUrl);
  const mgmt = new URL(`http://${amqp.host.replace(/:\d+$/, "")}:${httpPort}`);
  mgmt.username = amqp.username || "guest";
  mgmt.password = amqp.password || "guest";
  return mgmt.href.replace(/\/$/, "");
}

/**
 * The vhost an AMQP URL names (`amqp://h/class1` -> `class1`, `%2F` -> `/`),
 * or undefined when it names none (then the panel reads every vhost). Throws
 * on a bad %-escape (`parseAmqpUrl` refuses such a URL up front).
 */
export function urlVhost(amqpUrl: string): string | undefined {
  const path = new URL(amqpUrl).pathname.replace(/^\//, "");
  return path === "" ? undefined : decodeURIComponent(path);
}

/** `host` and `port` of an AMQP URL (5672 / 5671 by scheme when absent). */
export function amqpAddress(amqpUrl: string): { hostname: string; port: number } {
  const url = new URL(amqpUrl);
  const port = url.port ? Number(url.port) : url.protocol === "amqps:" ? 5671 : 5672;
  return { hostname: url.hostname.replace(/^\[|\]$/g, ""), port };
}

/**
 * Does something at hostname:port speak AMQP 0-9-1? Sends the protocol
 * header and waits for a method frame on channel 0 that is connection.start
 * (class 10, method 10), then hangs up. A refused port, another protocol or
 * silence past `timeoutMs` is false.
 */
export async function probeAmqp(
  hostname: string,
  port: number,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      try {
        conn?.close();
      } catch { /* already closed */ }
      resolve(false);
    }, timeoutMs);
  });
  const attempt = (async () => {
    try {
      conn = await Deno.connect({ hostname, port });
      await conn.write(new Uint8Array([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]));
      // frame type 1, channel 0, size (4 bytes), class 10, method 10.
      const head = new Uint8Array(11);
      let got = 0;
      while (got < head.length) {
        const n = await conn.read(head.subarray(got));
        if (n === null) return false;
        got += n;
      }
      return head[0] === 1 && head[1] === 0 && head[2] === 0 &&
        head[7] === 0 && head[8] === 10 && head[9] === 0 && head[10] === 10;
    } catch {
      return false;
    }
  })();
  const answered = await Promise.race([attempt, timeout]);
  clearTimeout(timer);
  try {
    conn?.close();
  } catch { /* the timeout closed it */ }
  return answered;
}

/**
 * `auto`: a given URL; else a broker answering on 127.0.0.1:5672 within
 * 500 ms; else the embedded broker. `probe` is injectable for tests.
 */
export async function chooseBroker(
  flag: BrokerFlag,
  probe: (hostname: string, port: number) => Promise<boolean> = probeAmqp,
  local = DEFAULT_AMQP_URL,
): Promise<BrokerChoice> {
  if (flag.kind !== "auto") return flag;
  const { hostname, port } = amqpAddress(local);
  return (await probe(hostname, port)) ? { kind: "url", url: local } : { kind: "embedded" };
}
