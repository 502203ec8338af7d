import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MediaRecovery, RESTART_AFTER_DISCONNECTED_MS, RETRY_RESTART_MS } from './media-recovery.js';

function setup(impolite = true) {
  let signaling = true;
  const restart = vi.fn();
  const recovery = new MediaRecovery({ impolite, canSignal: () => signaling, restart });
  return { recovery, restart, setSignaling: (up: boolean) => (signaling = up) };
}

describe('MediaRecovery: when the impolite side restarts ICE', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits a moment after `disconnected`, since the path may heal by itself', () => {
    const { recovery, restart } = setup();
    recovery.onPathState('connected');
    recovery.onPathState('disconnected');
    vi.advanceTimersByTime(RESTART_AFTER_DISCONNECTED_MS - 1);
    expect(restart).not.toHaveBeenCalled();
    recovery.onPathState('connected');
    vi.advanceTimersByTime(RETRY_RESTART_MS * 3);
    expect(restart).not.toHaveBeenCalled();
  });

  it('restarts after the wait when the path stays down, and retries until it is back', () => {
    const { recovery, restart } = setup();
    recovery.onPathState('connected');
    recovery.onPathState('disconnected');
    vi.advanceTimersByTime(RESTART_AFTER_DISCONNECTED_MS);
    expect(restart).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(RETRY_RESTART_MS);
    expect(restart).toHaveBeenCalledTimes(2);
    recovery.onPathState('connected');
    vi.advanceTimersByTime(RETRY_RESTART_MS * 3);
    expect(restart).toHaveBeenCalledTimes(2);
  });

  it('restarts at once on `failed`', () => {
    const { recovery, restart } = setup();
    recovery.onPathState('connected');
    recovery.onPathState('failed');
    expect(restart).toHaveBeenCalledTimes(1);
  });

  it('owes the restart while signaling is down and makes it the moment signaling is back', () => {
    const { recovery, restart, setSignaling } = setup();
    recovery.onPathState('connected');
    setSignaling(false);
    recovery.onPathState('failed');
    vi.advanceTimersByTime(RETRY_RESTART_MS * 3);
    expect(restart).not.toHaveBeenCalled();
    setSignaling(true);
    recovery.onSignalingRestored();
    expect(restart).toHaveBeenCalledTimes(1);
  });

  it('restarts when signaling comes back while the path is still down, even before the wait is over', () => {
    const { recovery, restart } = setup();
    recovery.onPathState('connected');
    recovery.onPathState('disconnected');
    recovery.onSignalingRestored();
    expect(restart).toHaveBeenCalledTimes(1);
  });

  it('restarts when signaling comes back even if the path still looks up (ICE notices a changed network only seconds later)', () => {
    const { recovery, restart } = setup();
    recovery.onPathState('connected');
    recovery.onSignalingRestored();
    expect(restart).toHaveBeenCalledTimes(1);
    // The old path works: no retries.
    vi.advanceTimersByTime(RETRY_RESTART_MS * 3);
    expect(restart).toHaveBeenCalledTimes(1);
  });

  it('makes one restart when both sides reconnect at once, and another for a later outage', () => {
    const { recovery, restart } = setup();
    recovery.onPathState('connected');
    recovery.onSignalingRestored(); // this side's resume
    recovery.onSignalingRestored(); // the peer's, a moment later
    expect(restart).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(RETRY_RESTART_MS);
    recovery.onSignalingRestored();
    expect(restart).toHaveBeenCalledTimes(2);
  });

  it('does nothing before the call has a path', () => {
    const { recovery, restart } = setup();
    recovery.onSignalingRestored();
    expect(restart).not.toHaveBeenCalled();
  });

  it('the polite side never restarts', () => {
    const { recovery, restart } = setup(false);
    recovery.onPathState('connected');
    recovery.onPathState('failed');
    recovery.onSignalingRestored();
    vi.advanceTimersByTime(RETRY_RESTART_MS * 3);
    expect(restart).not.toHaveBeenCalled();
  });

  it('stops for good once disposed', () => {
    const { recovery, restart } = setup();
    recovery.onPathState('disconnected');
    recovery.dispose();
    vi.advanceTimersByTime(RETRY_RESTART_MS * 3);
    recovery.onSignalingRestored();
    expect(restart).not.toHaveBeenCalled();
  });
});
