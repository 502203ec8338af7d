/**
 * What a caller hears before recording when the callee recorded no greeting
 * of their own: the words on screen name the callee, and a short tone says
 * "speak now", as on every phone. (Synthesized speech is not used: it needs
 * voices a system may not have, and its end cannot always be heard.)
 */
export const defaultGreetingWords = (displayName: string): string => `${displayName} can't take your call. Leave a message after the tone.`;

const TONE_HZ = 1000;
const TONE_S = 0.4;

/** Plays the tone; resolves when it has played. */
export async function playTone(): Promise<void> {
  const context = new AudioContext();
  try {
    await context.resume();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = TONE_HZ;
    gain.gain.value = 0.2;
    oscillator.connect(gain).connect(context.destination);
    const ended = new Promise<void>((resolve) => oscillator.addEventListener('ended', () => resolve()));
    oscillator.start();
    oscillator.stop(context.currentTime + TONE_S);
    await ended;
  } finally {
    await context.close();
  }
}

/** Plays a recorded greeting to its end (or until it fails to play); `signal` stops it early (Skip). */
export function playGreeting(audio: Blob, signal: AbortSignal): Promise<void> {
  const url = URL.createObjectURL(audio);
  const element = new Audio(url);
  return new Promise<void>((resolve) => {
    const finish = () => {
      element.pause();
      URL.revokeObjectURL(url);
      resolve();
    };
    element.addEventListener('ended', finish, { once: true });
    element.addEventListener('error', finish, { once: true });
    signal.addEventListener('abort', finish, { once: true });
    element.play().catch(finish);
  });
}
