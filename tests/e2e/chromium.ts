/**
 * Debian's Chromium as the browser tests run it: the test flags, the fake
 * microphone's WAV files, launching a browser of one's own. The e2e project's
 * global setup (global-setup.ts) launches one with these flags for every file
 * that can share it, and provides its address as `chromiumEndpoint`.
 */
import { writeFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Chromium's browser server (global-setup.ts), for `chromium.connect`. */
    chromiumEndpoint: string;
  }
}

/** A 440 Hz tone, 16-bit mono 48 kHz WAV: what every fake microphone says. */
export function writeToneWav(file: string, seconds = 3, hz = 440): void {
  writeWav(file, seconds, (t) => Math.sin(2 * Math.PI * hz * t) * 0.5);
}

/** A 16-bit mono 48 kHz WAV of `seconds`, each sample `sample(t)` (t in seconds, -1 to 1): a fake microphone's file (Chromium plays it in a loop). */
export function writeWav(file: string, seconds: number, sample: (t: number) => number): void {
  const rate = 48_000;
  const samples = rate * seconds;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, sample(i / rate))) * 32767), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(file, Buffer.concat([header, data]));
}

/**
 * The fake camera's frames a second, where the run sets PARLEY_TEST_CAMERA_FPS (the e2e project does: 10), else the
 * device's own 20. A test checks that frames flow, not how many, and half the frames halve what four pages' encoders
 * and decoders take from two cores (group-media.e2e's first two tests: 105 s at 20, 68 s at 10). The benchmarks keep
 * the device's 20: what a camera costs is what they measure.
 */
const fakeDevice = (fps: string | undefined) => (fps ? `--use-fake-device-for-media-stream=fps=${fps}` : '--use-fake-device-for-media-stream');

/**
 * The test flags (docs: DESIGN.md), with `wav` as the fake microphone. `env` is where the run's settings are read:
 * this process's, or the e2e project's in its global setup (which runs before the project's env is applied).
 */
export function chromiumArgs(wav: string, extra: string[] = [], env: Record<string, string | undefined> = process.env): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-ui-for-media-stream',
    fakeDevice(env.PARLEY_TEST_CAMERA_FPS),
    `--use-file-for-fake-audio-capture=${wav}`,
    '--autoplay-policy=no-user-gesture-required',
    '--allow-loopback-in-peer-connection',
    // The address bar's popup, a renderer of Chromium's own that each new window starts (and preloads): about 0.9 s of
    // CPU a window on these 2 cores, beside every test's pages and inside every page load a benchmark times. A person's
    // browser started it once, long before a page is opened.
    '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,PreloadTopChromeWebUI',
    ...extra,
  ];
}

/** Chromium with the test flags; `executablePath` may be a wrapper that runs it elsewhere (in a network namespace, say). */
export function launchChromium(wav: string, options: { executablePath?: string; args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: options.executablePath ?? CHROMIUM, args: chromiumArgs(wav, options.args) });
}

/**
 * Chromium with the test flags on a profile kept in `userDataDir`, as a person's browser is: unlike a context of
 * `launchChromium`'s browser (off the record, like an incognito window), it keeps V8's code cache between loads.
 */
export function launchPersistentChromium(userDataDir: string, wav: string, permissions: string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: chromiumArgs(wav), permissions });
}
