/**
 * One operation per environment at a time: a start and a delete of the same environment must
 * not interleave. Operations on different environments run in parallel.
 */
export class EnvLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(envId: string, op: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(envId) ?? Promise.resolve();
    const next = previous.then(op, op);
    const tail = next.catch(() => undefined);
    this.tails.set(envId, tail);
    void tail.then(() => {
      if (this.tails.get(envId) === tail) this.tails.delete(envId);
    });
    return next;
  }

  busy(envId: string): boolean {
    return this.tails.has(envId);
  }
}
