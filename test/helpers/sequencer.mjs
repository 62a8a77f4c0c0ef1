// Jest's order of test files (jest.config.js `testSequencer`); plain JavaScript because Jest loads it untransformed.
//
// Jest runs the files that took longest last time first, so that no worker idles at the end
// while another finishes a long file. On a machine without that record (a fresh checkout, a
// new CI machine) it falls back on file size, and the whole-sitemap walk, a short file that
// renders every page of the sitemap, came last: it then ran alone for its last 100 s or so
// while the other worker had nothing left (jest 544 s on 2026-12-06). The files below are the
// longest ones of that run, with their seconds: they are what a machine without a record
// starts with. A recorded duration, where there is one, wins.
import Sequencer from '@jest/test-sequencer';

const KNOWN_SECONDS = {
  'integration/discovery/whole-sitemap.test.ts': 150,
  'e2e/pages.test.ts': 120,
  'e2e/citizen/links.test.ts': 39,
  'e2e/participation/proposals-flow.test.ts': 39,
  'integration/spending/mef-gasto-import.test.ts': 33,
  'integration/ops/server-process.test.ts': 28,
};

class KnownLongFirst extends Sequencer {
  sort(tests) {
    const known = (test) => {
      const key = Object.keys(KNOWN_SECONDS).find((k) => test.path.endsWith(`/test/${k}`));
      return key ? KNOWN_SECONDS[key] * 1000 : undefined;
    };
    const sorted = super.sort(tests);
    // Jest's own order where every file has a record; otherwise the known long files first.
    if (sorted.every((t) => this.time(t) !== undefined)) return sorted;
    const weight = (t) => this.time(t) ?? known(t) ?? -1;
    return sorted
      .map((t, i) => ({ t, i, w: weight(t) }))
      .sort((a, b) => (a.w > 0 || b.w > 0 ? b.w - a.w : a.i - b.i))
      .map((x) => x.t);
  }
}

export default KnownLongFirst;
