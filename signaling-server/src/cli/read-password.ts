/**
 * A password for an admin command: the first line of stdin when it is piped
 * (scripts), otherwise typed at a hidden prompt, twice.
 */
import { createInterface } from 'node:readline';

async function firstLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (ch === '\u0003') process.exit(130); // Ctrl-C
        if (ch === '\u007f') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export async function readPassword(question: string): Promise<string> {
  if (!process.stdin.isTTY) return firstLine();
  const first = await promptHidden(question);
  const again = await promptHidden('Again: ');
  if (first !== again) throw new Error('the two passwords differ');
  return first;
}
