/**
 * Reading a password for a command-line tool: from a terminal without echo
 * (raw mode, restored whatever happens), or the first line of stdin when it
 * is piped (`--password-stdin`). Neither ever prints what was typed.
 */

/** Whether stdin is a terminal a person can type a password into. */
export function stdinIsTerminal(): boolean {
  try {
    return Deno.stdin.isTerminal();
  } catch {
    return false;
  }
}

/** Asks on stderr and reads one line from the terminal without echo; undefined on Ctrl-C / Ctrl-D. */
export async function promptSecret(question: string): Promise<string | undefined> {
  const enc = new TextEncoder();
  await Deno.stderr.write(enc.encode(question));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  const buf = new Uint8Array(64);
  try {
    for (;;) {
      const n = await Deno.stdin.read(buf);
      if (n === null) return undefined;
      for (const b of buf.subarray(0, n)) {
        if (b === 3 || b === 4) return undefined; // Ctrl-C, Ctrl-D
        if (b === 13 || b === 10) return new TextDecoder().decode(new Uint8Array(bytes));
        if (b === 127 || b === 8) bytes.pop();
        else bytes.push(b);
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(enc.encode("\n"));
  }
}

/** The first line of `text` (stdin's content), without its line ending. */
export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? "";
}

/** All of stdin as text. */
export async function readStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}
