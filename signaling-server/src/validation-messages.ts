/**
 * zod's English messages, for what the server refuses (its `bad_request`
 * replies and its logs say which field and why). The protocol module leaves
 * them to the server: the app's bundle would carry them for its logs alone,
 * where describeIssues names each issue's code instead.
 */
import { en } from 'zod/locales';
import { z } from 'zod/mini';

z.config(en());
