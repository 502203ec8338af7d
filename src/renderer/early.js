// Before the app's scripts: a first visit's contact list and collator (src/directory/early-directory.ts says why).
// This same file is also the worker that loads the collator's data, off the page's main thread.
if (typeof document === 'undefined') {
  // The worker: ICU's collation data, once loaded, serves the page's own collator too (one renderer process).
  new Intl.Collator().compare('a', 'b');
  close();
} else {
  (() => {
    try {
      // A returning visit draws the list kept from the last one.
      if (localStorage.getItem('parley.directory.v1') !== null) return;
      // From the HTTP cache: this script was just loaded. Without it (a worker refused), the list's first sort loads the data.
      new Worker(document.currentScript.src);
      const session = JSON.parse(localStorage.getItem('parley.session.v1') ?? 'null');
      // The token goes only to a server named as the app would accept it (the app checks the rest itself).
      if (session?.expiresAt > Date.now() && /^https?:\/\/[^/]/.test(session.serverUrl) && typeof session.token === 'string') {
        window.parleyEarlyDirectory = {
          serverUrl: session.serverUrl,
          username: session.user?.username,
          answer: fetch(`${session.serverUrl}/api/directory?limit=500`, { headers: { authorization: `Bearer ${session.token}` } })
            .then((res) => (res.ok ? res.json() : null))
            .catch(() => null),
        };
      }
    } catch {
      // Storage disabled, a worker refused, or a malformed session: the app finds that out itself.
    }
  })();
}
