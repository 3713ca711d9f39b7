// Kestra's state names and the rules between them (models/flows/State.java).
import type { TaskRun } from "./model.ts";
export const STATES = [
  "CREATED", "QUEUED", "RUNNING", "PAUSED", "RESTARTED", "KILLING", "RETRYING",
  "SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRIED", "SKIPPED",
] as const;

export type State = (typeof STATES)[number];

export const TERMINAL_STATES = ["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRIED", "SKIPPED"] as const;
const TERMINAL = new Set<string>(TERMINAL_STATES);
const FAILURE = new Set<string>(["FAILED", "KILLED", "CANCELLED"]);

export function isTerminal(state: string): boolean {
  return TERMINAL.has(state);
}

/** A terminal state that stops its siblings and triggers `errors`. */
export function isFailure(state: string): boolean {
  return FAILURE.has(state);
}

export function isState(s: string): s is State {
  return (STATES as readonly string[]).includes(s) || s === "CANCELED";
}

/** Normalise Kestra's old spelling. */
export function normaliseState(s: string): State {
  const up = s.toUpperCase();
  return (up === "CANCELED" ? "CANCELLED" : up) as State;
}

export interface StateHistory {
  state: string;
  date: string;
}

/** Append a state change (no-op when unchanged). */
export function withState(histories: StateHistory[], state: string, now: Date): StateHistory[] {
  if (histories.at(-1)?.state === state) return histories;
  return [...histories, { state, date: now.toISOString() }];
}

/** A run's current (last) attempt ends in `state`. */
export function endAttempt(run: Pick<TaskRun, "attempts">, state: string, now: Date): void {
  const a = run.attempts.at(-1);
  if (!a) return;
  a.state = { current: state, histories: withState(a.state.histories, state, now) };
  a.endDate = now.toISOString();
}

/** The worst of several terminal states, as a parent sees its children. */
export function worstState(states: Iterable<string>): State {
  let worst: State = "SUCCESS";
  const rank = (s: string) =>
    s === "KILLED" ? 5 : s === "FAILED" ? 4 : s === "CANCELLED" ? 3 : s === "WARNING" ? 2 : 1;
  for (const s of states) if (rank(s) > rank(worst)) worst = s as State;
  return worst;
}
