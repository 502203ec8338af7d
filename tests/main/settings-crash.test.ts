/**
 * A crash in the middle of saving the settings leaves the previous file or
 * the new one, never a torn one. A child Node process saves two large,
 * valid versions of settings.json in turn, as fast as it can, through the
 * real writeFileAtomically (src/main/atomic-file.ts, compiled as it is), and
 * is killed with SIGKILL at a random moment; twenty times. After each kill
 * the file is exactly one of the two versions and the real loadSettings
 * reads it without complaint.
 *
 * The control runs the same loop with a plain fs.writeFile (truncate, then
 * write) and shows that the same kills do tear that file, so the test can
 * tell the difference.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Preferences } from '../../src/shared/preferences.js';

vi.mock('electron', () => import('./fake-electron.js'));

const { loadSettings, SETTINGS_FILE } = await import('../../src/main/settings.js');

const KILLS = 20;

/** The child: saves the versions in turn, forever; says "writing" once it has saved each of them once. */
const WRITER = `
import * as fs from 'node:fs/promises';
import { writeFileAtomically } from './atomic-file.mjs';
const [file, how, ...sources] = process.argv.slice(2);
const versions = await Promise.all(sources.map((source) => fs.readFile(source)));
for (let i = 0; ; i++) {
  const data = versions[i % versions.length];
  if (how === 'atomic') await writeFileAtomically(fs, file, data, 0o600);
  else await fs.writeFile(file, data, { mode: 0o600 });
  if (i === versions.length) process.stdout.write('writing\\n');
}
`;

let work: string;
/** The two versions, as main's settings store writes them. */
const versions: { text: string; preferences: Preferences; idleAwayMinutes: number }[] = [];
const sources: string[] = [];

/** Settings as large as they validly get: 1000 favorites with the longest usernames, the longest device ids. */
async function makeVersion(tag: string, idleAwayMinutes: number): Promise<void> {
  const dir = await mkdtemp(join(work, `version-${tag}-`));
  const settings = await loadSettings({ dir });
  await settings.update({ idleAwayMinutes, incomingAlert: tag === 'a' ? 'popup' : 'notification' });
  const device = (kind: string) => `${tag}-${kind}-`.padEnd(256, tag);
  await settings.savePreferences({
    audio: {
      fileLimitMB: tag === 'a' ? 10 : 1024,
      fileAutoAcceptMB: tag === 'a' ? 0 : 25,
      microphoneId: device('mic'),
      speakerId: device('speaker'),
      ringtoneId: device('ring'),
      cameraId: device('cam'),
      echoCancellation: tag === 'a',
      noiseSuppression: tag === 'a' ? 'off' : 'strong',
      autoGainControl: true,
      ringtoneVolume: tag === 'a' ? 0.2 : 0.8,
      pushToTalk: tag === 'a',
      pushToTalkKey: tag === 'a' ? 'ControlRight' : 'F13',
      busyInCall: tag === 'a',
      transferUnanswered: tag === 'a' ? 'return' : 'end',
      connectWhileRinging: tag !== 'a',
    },
    favorites: Array.from({ length: 1000 }, (_, i) => `${tag}${String(i).padStart(4, '0')}`.padEnd(32, tag)),
  });
  await settings.flush();
  const source = join(dir, SETTINGS_FILE);
  versions.push({ text: await readFile(source, 'utf8'), preferences: settings.preferences(), idleAwayMinutes });
  sources.push(source);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'parley-settings-crash-'));
  // The real module, compiled as it is: it needs nothing but node:crypto and node:path.
  const source = await readFile(resolve(import.meta.dirname, '../../src/main/atomic-file.ts'), 'utf8');
  const compiled = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  await writeFile(join(work, 'atomic-file.mjs'), compiled.outputText);
  await writeFile(join(work, 'writer.mjs'), WRITER);
  await makeVersion('a', 5);
  await makeVersion('b', 15);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Starts the writer on `dir`'s settings file, kills it at a random moment once it is busy, and returns the file as it was left. */
async function writeAndKill(dir: string, how: 'atomic' | 'plain'): Promise<string> {
  const file = join(dir, SETTINGS_FILE);
  const child = spawn(process.execPath, [join(work, 'writer.mjs'), file, how, ...sources], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => done(signal)));
  try {
    await new Promise<void>((busy, failed) => {
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        if (text.includes('writing')) busy();
      });
      child.once('exit', () => failed(new Error(`the writer exited early: ${stderr}`)));
    });
    await new Promise((wait) => setTimeout(wait, Math.random() * 30));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  return readFile(file, 'utf8');
}

describe('settings.json when the process is killed mid-write', () => {
  it(`through writeFileAtomically: after each of ${KILLS} kills the file is one whole version, and main reads it`, async () => {
    const seen = { a: 0, b: 0, tempLeft: 0 };
    for (let kill = 0; kill < KILLS; kill++) {
      const dir = await mkdtemp(join(work, 'atomic-'));
      // The settings so far: version a.
      await writeFile(join(dir, SETTINGS_FILE), versions[0]!.text);
      const left = await writeAndKill(dir, 'atomic');
      const which = versions.findIndex((version) => version.text === left);
      expect(which, `kill ${kill}: the file is neither version (${left.length} bytes)`).not.toBe(-1);
      seen[which === 0 ? 'a' : 'b']++;
      if ((await readdir(dir)).length > 1) seen.tempLeft++;

      const settings = await loadSettings({ dir });
      expect(settings.takeNotice()).toBeNull();
      expect(settings.preferences()).toEqual(versions[which]!.preferences);
      expect(settings.get().idleAwayMinutes).toBe(versions[which]!.idleAwayMinutes);
      // The killed write's temp file is gone once main has started.
      expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
    }
    // The kills landed mid-write: both versions were left behind, and some kills left a temp file half-written.
    expect(seen.a).toBeGreaterThan(0);
    expect(seen.b).toBeGreaterThan(0);
    expect(seen.tempLeft).toBeGreaterThan(0);
  }, 60_000);

  it('control: the same kills tear a file written in place with fs.writeFile, and main loses the settings', async () => {
    const torn: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const dir = await mkdtemp(join(work, 'plain-'));
      await writeFile(join(dir, SETTINGS_FILE), versions[0]!.text);
      const left = await writeAndKill(dir, 'plain');
      if (versions.some((version) => version.text === left)) continue;
      torn.push(dir);
      if (torn.length === 1) {
        // Killed between the truncation and the write: main cannot read what is left.
        const settings = await loadSettings({ dir });
        expect(settings.takeNotice()).toMatch(/^Your settings file could not be read/);
        expect(settings.preferences().favorites).toEqual([]);
      }
    }
    expect(torn.length, `torn files after ${KILLS} kills`).toBeGreaterThan(0);
  }, 60_000);
});
