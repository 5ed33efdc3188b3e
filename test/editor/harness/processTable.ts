import { readFile, readdir } from "node:fs/promises";

/** One process as Linux's /proc/<pid>/stat describes it. */
export interface ProcessEntry {
  pid: number;
  parent: number;
  group: number;
  /** R, S, D, Z (a zombie: exited, not yet reaped), … */
  state: string;
}

/** Every process of the machine, from /proc (Linux only). */
export async function processTable(): Promise<ProcessEntry[]> {
  const entries: ProcessEntry[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => undefined);
    if (stat === undefined) continue; // it ended while we looked
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after its last ")".
    const [state, parent, group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    entries.push({ pid: Number(name), state: state!, parent: Number(parent), group: Number(group) });
  }
  return entries;
}

/** The processes of a process group that are still running (zombies have ended, only their entry is left). */
export async function liveProcessesOfGroup(group: number): Promise<ProcessEntry[]> {
  return (await processTable()).filter((entry) => entry.group === group && entry.state !== "Z");
}
