/** The commit a benchmark measured: the short hash, with "+changes" when the sources differ from it. */
export function gitCommit(): string;
