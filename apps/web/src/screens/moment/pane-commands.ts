/** What the inbox's shortcuts ask of the open moment (the pane fills these in when it mounts). */
export type PaneCommands = {
  readonly reply: () => void;
  readonly resolve: () => void;
  readonly assign: () => void;
  readonly focusThread: () => void;
  /** The customer 360 of whom the moment is with. */
  readonly openCustomer: () => void;
};
