/**
 * Promise.all that waits for every promise to settle before it rejects: a failure does not
 * leave its siblings running behind the caller's back (a write landing after the error was
 * reported). Rejects with the first failure, in the order given.
 *
 *   await settledAll([writeImage(a, img), writeGrayPng(b, mask)]);
 */
export async function settledAll(promises: ReadonlyArray<Promise<unknown> | undefined>): Promise<void> {
  const results = await Promise.allSettled(promises);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}
