/** A part of the running service: created with its config and dependencies, then started and stopped. */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  /** Must finish in-flight work (no lost writes) before resolving. */
  stop(): Promise<void>;
}
