/**
 * CPU time a process has used (all its threads), from /proc. Throughput
 * on a shared machine swings with the neighbours' load; the server's CPU
 * time per request does not, so it is the fairer measure of what a change
 * costs.
 *
 * @module
 */

// Linux reports utime/stime in clock ticks; USER_HZ is 100 on every
// mainstream architecture.
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU seconds used so far by process `pid` (NaN off Linux).
 *
 * @example
 * ```ts
 * const before = cpuSeconds(Deno.pid);
 * ```
 */
export function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name (field 2) may hold spaces; count after its ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}
