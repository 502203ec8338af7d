/**
 * What the offline banner says: only what is known. The server cannot be
 * reached; if it said it was stopping (`server:closing`), it shut down. A
 * server does not know whether anyone will start it again, so the banner
 * never promises a restart.
 */
export function offlineText(host: string, shutDown: boolean, problem: string | null): string {
  const reach = `Can't reach the server at ${host}.`;
  if (shutDown) return `${reach} It was shut down; calls going on continue and come back here when it is up again.`;
  return problem ? `${reach} ${problem}` : reach;
}
