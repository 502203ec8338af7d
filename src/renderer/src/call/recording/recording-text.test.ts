import { describe, expect, it } from 'vitest';
import { recordingFileName, recordingText } from './recording-text.js';

describe('recording text', () => {
  it('names who records, this side as "you", last', () => {
    expect(recordingText(false, [])).toBeNull();
    expect(recordingText(true, [])).toBe('You are recording this call');
    expect(recordingText(false, ['Alice'])).toBe('Alice is recording this call');
    expect(recordingText(true, ['Alice'])).toBe('Alice and you are recording this call');
    expect(recordingText(false, ['Alice', 'Bob', 'Carol'])).toBe('Alice, Bob and Carol are recording this call');
  });

  it('file names carry the call and the minute, and nothing a file system refuses', () => {
    const at = new Date(2026, 10, 23, 9, 5).getTime();
    expect(recordingFileName('Bob', at)).toBe('parley-bob-2026-11-23-0905.webm');
    expect(recordingFileName('Room team/../x: "y"', at)).toBe('parley-room-team-x-y-2026-11-23-0905.webm');
    expect(recordingFileName('', at)).toBe('parley-2026-11-23-0905.webm');
  });
});
