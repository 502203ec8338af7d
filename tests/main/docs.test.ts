/**
 * The documentation against the repository: every relative link in the
 * Markdown guides leads to a file that exists (and a `#fragment` to a heading
 * there, slugged as GitHub does), the README stays short, and PROTOCOL.md
 * states the protocol version the code has, everywhere it states it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../signaling-server/src/protocol/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCS = [
  'README.md',
  'BENCHMARKS.md',
  'bench/results/NOTES.md',
  'signaling-server/PROTOCOL.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[^`\n][\s\S]*?\1/g, '');
}

/** GitHub's heading ids (github-slugger): lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, text] of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const plain = text!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, '') // inline HTML
      .replace(/[`*~]|(?<!\w)_|_(?!\w)/g, ''); // emphasis and code marks
    const base = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const [, id] of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) ids.add(id!);
  return ids;
}

/** Every link target in a Markdown file: inline links and images, reference definitions, HTML src/href. */
function links(markdown: string): string[] {
  const text = prose(markdown);
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!),
  ];
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t)); // not https:, mailto:, parley: …
}

/** Why `target` (as written in `file`) does not resolve, or undefined when it does. */
function brokenLink(file: string, target: string): string | undefined {
  const [pathPart = '', fragment] = target.split('#', 2);
  const path = decodeURIComponent(pathPart);
  const to = path === '' ? join(ROOT, file) : resolve(ROOT, path.startsWith('/') ? `.${path}` : join(dirname(file), path));
  if (!to.startsWith(ROOT) || !existsSync(to)) return `${relative(ROOT, to)} does not exist`;
  if (fragment === undefined || fragment === '') return undefined;
  if (statSync(to).isDirectory() || !to.endsWith('.md')) return `#${fragment} points into ${relative(ROOT, to)}, which has no headings`;
  if (!anchors(readFileSync(to, 'utf8')).has(decodeURIComponent(fragment).toLowerCase())) return `${relative(ROOT, to)} has no heading #${fragment}`;
  return undefined;
}

describe('links in the documentation', () => {
  it('the slugs are GitHub’s', () => {
    const ids = anchors('# Client → server events\n## `session:ready` and SessionReady\n## Self-hosting: TLS (nginx)\n## FAQ\n## FAQ\n```\n# not a heading\n```\n');
    expect([...ids]).toEqual(['client--server-events', 'sessionready-and-sessionready', 'self-hosting-tls-nginx', 'faq', 'faq-1']);
  });

  it('the check finds what is broken, and only that', () => {
    expect(links('[a](docs/a.md) ![b](b.png "title") [c](https://x.org) `[d](d.md)`\n```\n[e](e.md)\n```\n[f]: f.md\n<img src="g.png">')).toEqual([
      'docs/a.md',
      'b.png',
      'f.md',
      'g.png',
    ]);
    expect(brokenLink('README.md', 'docs/no-such-guide.md')).toBe('docs/no-such-guide.md does not exist');
    expect(brokenLink('docs/user-guide.md', 'self-hosting.md#no-such-heading')).toBe('docs/self-hosting.md has no heading #no-such-heading');
    expect(brokenLink('signaling-server/PROTOCOL.md', '#conventions')).toBeUndefined();
    expect(brokenLink('signaling-server/PROTOCOL.md', 'src/protocol/index.ts')).toBeUndefined();
  });

  it.each(DOCS)('%s: every relative link and #anchor resolves', (file) => {
    const problems = links(read(file))
      .map((target) => [target, brokenLink(file, target)] as const)
      .filter(([, why]) => why !== undefined)
      .map(([target, why]) => `${target}: ${why}`);
    expect(problems).toEqual([]);
  });
});

describe('README.md', () => {
  it('stays a front door of about 150 lines (guides live in docs/)', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(160);
  });
});

describe('PROTOCOL.md and the protocol version in the code', () => {
  const doc = read('signaling-server/PROTOCOL.md');

  it('its title and its statement of PROTOCOL_VERSION name the version the code has', () => {
    expect(doc.split('\n')[0]).toBe(`# Parley signaling protocol, version ${PROTOCOL_VERSION}`);
    expect(doc).toContain(`\`PROTOCOL_VERSION\` is \`${PROTOCOL_VERSION}\``);
  });

  it('every `protocol: number` it shows (ServerInfo, SessionReady) says the same', () => {
    const shown = [...doc.matchAll(/^\s*(?:interface (\w+)\b.*|protocol: number;\s*\/\/\s*(.*))$/gm)];
    const byInterface = new Map<string, string>();
    let current = '';
    for (const [, name, comment] of shown) {
      if (name !== undefined) current = name;
      else byInterface.set(current, comment!.trim());
    }
    expect([...byInterface.keys()]).toEqual(expect.arrayContaining(['ServerInfo', 'SessionReady']));
    for (const [name, comment] of byInterface) expect(comment, `${name}.protocol`).toBe(String(PROTOCOL_VERSION));
  });
});
