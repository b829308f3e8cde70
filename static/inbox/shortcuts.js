/* Keyboard shortcuts of the agents' pages and their help dialog ("?").
 *
 * A page passes what its keys do; keys it leaves out are listed in the help as working elsewhere. A
 * shortcut never fires while the agent types (in an input, a textarea, a select or anything editable),
 * with Ctrl, Alt or Meta held, or while a dialog is open. The help is a modal <dialog>: the browser keeps
 * focus in it and Escape closes it. */

import { translationsFromPage } from "../shared/i18n.js";

const t = translationsFromPage();
const ON_CONVERSATION = t.gettext("on a conversation");

export const SHORTCUTS = [
  { key: "j", label: t.gettext("Next conversation") },
  { key: "k", label: t.gettext("Previous conversation") },
  { key: "c", label: t.gettext("Claim the conversation"), where: ON_CONVERSATION },
  { key: "r", label: t.gettext("Write a reply"), where: ON_CONVERSATION },
  { key: "n", label: t.gettext("Write a private note"), where: ON_CONVERSATION },
  { key: "e", label: t.gettext("Resolve the conversation"), where: ON_CONVERSATION },
  { key: "/", label: t.gettext("Search the inbox") },
  { key: "?", label: t.gettext("Show these shortcuts") },
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
  title.textContent = t.gettext("Keyboard shortcuts");
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
  note.textContent = t.gettext("Shortcuts do nothing while you type in a box. Escape closes this.");
  const form = document.createElement("form");
  form.method = "dialog";
  const close = document.createElement("button");
  close.type = "submit";
  close.textContent = t.gettext("Close");
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
    help.textContent = t.gettext("Shortcuts");
    help.title = t.gettext("Keyboard shortcuts (press ?)");
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
