/* What both agent pages (the inbox lists and a conversation) share: the agent's socket with presence,
 * the handoff alerts and the connection line. Each page module passes its own frame handler.
 *
 * The page's root element carries what the scripts need, rendered by the template:
 *   data-socket            the path of the agents' socket (config/routing.py)
 *   data-conversation-url  the URL of conversation 0; conversationUrl() puts another id in its place */

import { translationsFromPage } from "../shared/i18n.js";
import { CLOSE_NOT_ALLOWED, CLOSE_NOT_AUTHENTICATED, LiveSocket, socketUrl } from "../shared/socket.js";
import { createAlerts } from "./alerts.js";
import { createPresence } from "./presence.js";

const t = translationsFromPage();
const HEARTBEAT_MS = 30000; // presence counts a tab as gone after PRESENCE_TIMEOUT_SECONDS (90) without one
const HEARTBEAT_TIMEOUT_MS = 20000;
// The ids of the conversations the inbox page last listed, in order (sessionStorage): j and k on a
// conversation page go to the next and previous of them.
export const ORDER_KEY = "helpdesk-inbox-order";

/* A conversation's status in the page's language (an event's status_label is in the server's default). */
const STATUS_LABELS = {
  bot: t.gettext("With the bot"),
  waiting: t.gettext("Waiting for an agent"),
  assigned: t.gettext("With an agent"),
  resolved: t.gettext("Resolved"),
  offline: t.gettext("Sent to a ticket"),
};

export function statusLabel(conversation) {
  return STATUS_LABELS[conversation.status] || conversation.status_label || conversation.status;
}

export function conversationUrl(root, id) {
  const template = root.dataset.conversationUrl;
  const at = template.lastIndexOf("/0/");
  return template.slice(0, at) + "/" + id + "/" + template.slice(at + 3);
}

/* root: the page's root element (see above); resume: as for LiveSocket (a conversation page resumes
 * from its last seq); onFrame(frame): the page's frames; onReconnect(): after a reconnect, for what
 * the page may have missed meanwhile; onState(state): the socket's state, as LiveSocket reports it.
 * Returns {live, showState, showLive, menu} (menu: where a page adds controls of its own). */
/* The connection indicator in the top bar: a dot and a word ("Live", "Reconnecting…"), data-state the
 * socket's state for its colour; and the agent's controls (presence, sound, notifications, shortcuts),
 * inline on a desktop, behind a "Menu" button on a phone. */
function topBar() {
  const bar = document.querySelector(".topbar");
  const nav = bar && bar.querySelector("nav");
  const indicator = document.createElement("span");
  indicator.id = "live-state";
  indicator.className = "live-state";
  indicator.setAttribute("role", "status");
  indicator.dataset.state = "connecting";
  indicator.textContent = t.gettext("Connecting…");
  const controls = document.createElement("div");
  controls.className = "agent-controls";
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "secondary menu-toggle";
  toggle.textContent = t.gettext("Menu");
  toggle.setAttribute("aria-expanded", "false");
  toggle.setAttribute("aria-controls", "agent-menu");
  const menu = document.createElement("div");
  menu.id = "agent-menu";
  menu.className = "agent-menu";
  const setOpen = (open) => {
    controls.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => setOpen(!controls.classList.contains("open")));
  document.addEventListener("click", (event) => {
    if (!controls.contains(event.target)) setOpen(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && controls.classList.contains("open")) {
      setOpen(false);
      toggle.focus();
    }
  });
  controls.append(toggle, menu);
  if (nav) nav.prepend(indicator, controls);
  else document.body.prepend(indicator);
  return { indicator, menu };
}

export function connectAgent({ root, resume, onFrame, onReconnect, onState }) {
  const { indicator, menu } = topBar();
  const showState = (text) => {
    indicator.textContent = text;
  };
  const presence = createPresence({ menu, send: (frame) => live.send(frame), showState });
  const alerts = createAlerts({ menu, conversationUrl: (id) => conversationUrl(root, id) });
  let everConnected = false;

  const live = new LiveSocket({
    url: () => socketUrl(root.dataset.socket, location.origin),
    resume,
    heartbeat: { everyMs: HEARTBEAT_MS, frame: presence.heartbeat, timeoutMs: HEARTBEAT_TIMEOUT_MS },
    onOpen() {
      if (everConnected && onReconnect) onReconnect();
      everConnected = true;
    },
    onState(state, info) {
      indicator.dataset.state = state;
      if (state === "open") showState(t.gettext("Live"));
      else if (state === "reconnecting") showState(t.gettext("Reconnecting…"));
      if (onState) onState(state, info);
    },
    onClose(event) {
      if (event.code === CLOSE_NOT_AUTHENTICATED || event.code === CLOSE_NOT_ALLOWED) {
        // Logged out, or access removed or changed: reloading shows the login page, or the inbox as
        // the agent's membership now allows.
        indicator.dataset.state = "stopped";
        showState(t.gettext("Not allowed: please log in again."));
        setTimeout(() => location.reload(), 1500);
        return false;
      }
      return true;
    },
    onFrame(frame) {
      if (frame.type === "hello" || frame.type === "pong") presence.show(frame.presence);
      else if (frame.type === "handoff.created") alerts.announce(frame.conversation, false);
      else if (frame.type === "handoff.reoffered") alerts.announce(frame.conversation, true);
      onFrame(frame);
    },
  });
  live.start();
  return { live, showState, showLive: presence.showLive, menu };
}
