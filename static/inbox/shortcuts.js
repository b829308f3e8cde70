/* Keyboard shortcuts of the agents' pages and their help dialog ("?").
 *
 * A page passes what its keys do; keys it leaves out are listed in the help as working elsewhere. A
 * shortcut never fires while the agent types (in an input, a textarea, a select or anything editable),
 * with Ctrl, Alt or Meta held, or while a dialog is open. The help is a modal <dialog>: the browser keeps
 * focus in it and Escape closes it. */

export const SHORTCUTS = [
  { key: "j", label: "Next conversation" },
  { key: "k", label: "Previous conversation" },
  { key: "c", label: "Claim the conversation", where: "on a conversation" },
  { key: "r", label: "Write a reply", where: "on a conversation" },
  { key: "n", label: "Write a private note", where: "on a conversation" },
  { key: "e", label: "Resolve the conversation", where: "on a conversation" },
  { key: "/", label: "Search the inbox" },
  { key: "?", label: "Show these shortcuts" },
];

function typing(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
}

function helpDialog() {
  let dialog = document.getElementById("shortcuts-help");
  if (dialog) return dialog;
  dialog = document.createElement("dialog");
  dialog.id = "shortcuts-help";
  dialog.className = "shortcuts-help";
  dialog.setAttribute("aria-labelledby", "shortcuts-title");
  const title = document.createElement("h2");
  title.id = "shortcuts-title";
  title.textContent = "Keyboard shortcuts";
  const list = document.createElement("dl");
  for (const shortcut of SHORTCUTS) {
    const dt = document.createElement("dt");
    const kbd = document.createElement("kbd");
    kbd.textContent = shortcut.key;
    dt.append(kbd);
    const dd = document.createElement("dd");
    dd.textContent = shortcut.label + (shortcut.where ? " (" + shortcut.where + ")" : "");
    list.append(dt, dd);
  }
  const note = document.createElement("p");
  note.className = "muted";
  note.textContent = "Shortcuts do nothing while you type in a box. Escape closes this.";
  const form = document.createElement("form");
  form.method = "dialog";
  const close = document.createElement("button");
  close.type = "submit";
  close.textContent = "Close";
  form.append(close);
  dialog.append(title, list, note, form);
  document.body.append(dialog);
  return dialog;
}

export function showShortcutsHelp() {
  const dialog = helpDialog();
  if (!dialog.open) dialog.showModal();
}

/* actions: {key: () => void} for the keys this page handles ("?" is always the help); menu: where the
 * "Shortcuts" button goes, so the help can be found without knowing "?". */
export function installShortcuts({ actions, menu }) {
  if (menu) {
    const help = document.createElement("button");
    help.type = "button";
    help.className = "secondary";
    help.id = "shortcuts-button";
    help.textContent = "Shortcuts";
    help.title = "Keyboard shortcuts (press ?)";
    help.setAttribute("aria-keyshortcuts", "?");
    help.addEventListener("click", showShortcutsHelp);
    menu.append(help);
  }
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    if (event.key === "?") {
      event.preventDefault();
      showShortcutsHelp();
      return;
    }
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault(); // "/" and "r" must not type themselves into the box they focus
    action();
  });
}
