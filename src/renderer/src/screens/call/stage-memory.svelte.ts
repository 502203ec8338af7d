/**
 * What the stage remembers about the current call beyond its own lifetime:
 * the shell may unmount and remount the stage (a window resized across its
 * one-column width, say), and the stage should come back as it was. Keyed
 * by call id, so nothing carries over to the next call.
 */
class StageMemory {
  /** The call whose Add person panel is open. */
  addingFor = $state<string | null>(null);
  /** The call whose Join code panel is open (the room's owner only). */
  joinCodeFor = $state<string | null>(null);
  /** The last call that was a group call while it went on (its ended view offers no Call again). */
  groupCall: string | null = null;
}

export const stageMemory = new StageMemory();
