/** How a connection connects; see `ConnectionInput.connect`. */
export type ConnectMode = 'credentials' | 'oauth' | 'widget';

/** One bank connection of a customer, as a job's input gives it. */
export interface ConnectionInput {
  /** The member's external id (unique per customer; `[A-Za-z0-9_-]`, not starting `MBR-`). */
  id: string;
  /** Absent only for a `widget` connection, whose end user picks the bank. */
  institution_code?: string;
  /**
   * How the connection connects: `credentials` (the default when credentials are given), `oauth`
   * (the default without credentials at a bank that supports OAuth: the end user authorises), or
   * `widget` (the end user makes the member in MX's Connect widget).
   */
  connect?: ConnectMode;
  /**
   * Login values by credential field: `username`/`password`, or any field name the institution asks
   * for. Read when the member is created and never stored.
   */
  credentials?: Record<string, string>;
}

/** One customer line of a job's input. */
export interface CustomerInput {
  /** The user's external id (`[A-Za-z0-9_-]`, not starting `USR-`). */
  id: string;
  email?: string;
  metadata?: Record<string, unknown>;
  members: ConnectionInput[];
}

/** A row the reader could not use: where it is and what is wrong with it. */
export interface InputProblem {
  line: number;
  field: string;
  reason: string;
}

/**
 * A customer, a row the reader could not use, or a warning about the file that costs no row (a CSV
 * column nothing reads).
 */
export type InputRecord =
  | { line: number; customer: CustomerInput }
  | { line: number; problem: InputProblem }
  | { line: number; warning: InputProblem };
