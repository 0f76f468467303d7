/**
 * What every command module shares with the dispatcher: the shape of a command and of a usage
 * problem. A leaf module, so a command never imports the dispatcher (which runs when loaded).
 */

/** What a command module exports as `command`. */
export interface Command {
  /** One line, shown by `mx-lifecycle --help`. */
  summary: string;
  /** The command's full usage, shown by `mx-lifecycle <command> --help`. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

/** Thrown (as plain data) by a command for bad usage: one line, exit 64. */
export interface UsageProblem {
  usage: string;
}
