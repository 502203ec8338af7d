// In a load-generator thread: whether each client has seen every contact it
// watches online, the finish line of a login storm as a person sees it ("my
// whole team is there"). Fed by the watch's answer and every change after it.

/** Clients of this thread still missing someone online. */
let missing = 0;
/** When (Date.now(), one clock for every thread) the last of them saw the last of theirs. */
let lastAt = 0;
let waiter = null;

/** Starts tracking a client about to connect: none of its contacts seen yet. */
export function track(c) {
  c.unseen = new Set(c.contacts ?? []);
  if (c.unseen.size > 0) missing++;
}

/** `username` is online as `c` sees it (a watch's answer, or a change). */
export function sawOnline(c, username) {
  if (!c.unseen?.delete(username) || c.unseen.size > 0) return;
  missing--;
  lastAt = Date.now();
  if (missing === 0) waiter?.();
}

/** Resolves once every client has seen all its contacts online, or at the timeout with how many have not. */
export function allSeen({ timeoutMs }) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      waiter = null;
      resolve({ lastSeenAt: lastAt, missing });
    };
    const timer = setTimeout(done, timeoutMs);
    waiter = done;
    if (missing === 0) done();
  });
}

/** A new phase: nothing tracked. */
export function resetSeen() {
  missing = 0;
  lastAt = 0;
}
