/** A promise raced against a deadline, so a probe or a scrape never hangs on a stuck dependency. */
export class TookTooLong extends Error {
  constructor(ms: number) {
    super(`no answer in ${ms} ms`);
    this.name = 'TookTooLong';
  }
}

export async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TookTooLong(ms)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
