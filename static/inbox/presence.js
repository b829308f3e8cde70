/* An agent's presence while an inbox page is open: a heartbeat every 30 s that says whether the agent is
 * idle (no input for 5 minutes), an immediate one when they come back, and a button to be away by
 * choice. The server decides the status and says it in "hello" and "pong" frames. */

import { translationsFromPage } from "../shared/i18n.js";

const t = translationsFromPage();

const IDLE_MS = 5 * 60 * 1000;

/* menu: where the button goes; send(frame): send on the agent's socket; showState(text): the page's
 * connection line. */
export function createPresence({ menu, send, showState }) {
  let lastInput = Date.now();
  let status = "offline";
  const idle = () => Date.now() - lastInput > IDLE_MS;

  for (const name of ["keydown", "mousemove", "click", "focus"]) {
    window.addEventListener(
      name,
      () => {
        const wasIdle = idle();
        lastInput = Date.now();
        if (wasIdle) send({ type: "ping", idle: false });
      },
      { passive: true },
    );
  }

  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "secondary presence";
  toggle.hidden = true;
  toggle.addEventListener("click", () => {
    send({ type: "presence", status: status === "away" ? "online" : "away" });
  });
  if (menu) menu.prepend(toggle);

  function showLive() {
    showState(status === "away" ? t.gettext("Live (you are away)") : t.gettext("Live"));
  }

  return {
    /* The heartbeat frame (the socket sends it every 30 s while open). */
    heartbeat: () => ({ type: "ping", idle: idle() }),
    /* The status the server reported. */
    show(newStatus) {
      status = newStatus;
      toggle.hidden = false;
      toggle.textContent = status === "away" ? t.gettext("Away · go online") : t.gettext("Online · go away");
      showLive();
    },
    showLive,
  };
}
