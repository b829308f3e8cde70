/* The inbox page (inbox/templates/inbox/index.html): the Waiting, Mine and All open lists, or one list
 * narrowed by the filters of the query string (inbox/filters.py), kept live from the agent's socket.
 * Texts from customers are put in the page with textContent, never as HTML.
 *
 * A filtered list takes a live row only if it matches the filters the page was rendered with (the
 * "inbox-filters" JSON): queue, status, assignee and reason are checked here; with a search, a row
 * already listed stays (while the other filters hold) and a new one is added only if the contact's name
 * or email contains the search text, since its messages are not here to search. Pages after the first
 * only update and drop their rows. */

import { interpolate, translationsFromPage } from "../shared/i18n.js";
import { ORDER_KEY, connectAgent, conversationUrl, statusLabel } from "./agent.js";
import { reasonLabel } from "./labels.js";
import { installShortcuts } from "./shortcuts.js";

const t = translationsFromPage();

const root = document.getElementById("inbox");
const me = Number(root.dataset.me || 0);
const filtersScript = document.getElementById("inbox-filters");
const filters = filtersScript ? JSON.parse(filtersScript.textContent) : null;

function matchesFilters(conversation) {
  const f = filters;
  if (f.status === "open") {
    if (conversation.status === "resolved" || conversation.status === "offline") return false;
  } else if (f.status && conversation.status !== f.status) return false;
  if (f.queue_id !== null && f.queue_id !== undefined && conversation.queue_id !== f.queue_id) return false;
  if (f.assignee === "me") {
    if (conversation.assignee_id !== me) return false;
  } else if (f.assignee === "none") {
    if (conversation.assignee_id) return false;
  } else if (f.assignee && String(conversation.assignee_id || "") !== f.assignee) return false;
  if (f.reason && conversation.handoff_reason !== f.reason) return false;
  return true;
}

function contactMatchesSearch(conversation) {
  const q = filters.q.toLowerCase();
  const contact = conversation.contact || {};
  return [contact.name, contact.email].some((text) => (text || "").toLowerCase().includes(q));
}

/* "3 minutes", "1 hour, 5 minutes": how long a conversation has waited, as the server's rows say it. */
function waitedFor(iso, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60000));
  const minutesText = (n) => interpolate(t.ngettext("%(count)s minute", "%(count)s minutes", n), { count: n });
  const hoursText = (n) => interpolate(t.ngettext("%(count)s hour", "%(count)s hours", n), { count: n });
  const daysText = (n) => interpolate(t.ngettext("%(count)s day", "%(count)s days", n), { count: n });
  if (minutes < 60) return minutesText(minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hoursText(hours) + (minutes % 60 ? ", " + minutesText(minutes % 60) : "");
  const days = Math.floor(hours / 24);
  return daysText(days) + (hours % 24 ? ", " + hoursText(hours % 24) : "");
}

/* "waiting 3 minutes", as the server's rows say it. */
function waitingText(iso) {
  return interpolate(t.gettext("waiting %(time)s"), { time: waitedFor(iso) });
}

/* What a row's status says: labels, never codes. An assigned row names its agent: "You", the name the
 * event brought (agentName), or the name the row already showed for the same agent. */
function statusText(conversation, agentName, old) {
  if (conversation.status === "assigned" && conversation.assignee_id) {
    if (conversation.assignee_id === me) return t.gettext("You");
    if (agentName) return agentName;
    if (old && old.dataset.assigneeId === String(conversation.assignee_id)) {
      return old.querySelector(".status").textContent;
    }
  }
  if (conversation.status === "waiting" && conversation.waiting_since) {
    return waitingText(conversation.waiting_since);
  }
  return statusLabel(conversation);
}

function rowFor(conversation, agentName, old) {
  const li = document.createElement("li");
  li.className = "conv-row status-" + conversation.status + " fresh";
  li.dataset.conversationId = conversation.id;
  li.dataset.queueId = conversation.queue_id || "";
  li.dataset.assigneeId = conversation.assignee_id || "";
  if (conversation.status === "waiting" && conversation.waiting_since) li.dataset.waitingSince = conversation.waiting_since;
  const a = document.createElement("a");
  a.href = conversationUrl(root, conversation.id);
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = conversation.contact.name || conversation.contact.email || interpolate(t.gettext("Visitor #%(id)s"), conversation.contact);
  a.append(who);
  if (conversation.handoff_reason) {
    const badge = document.createElement("span");
    badge.className = "badge reason-" + conversation.handoff_reason;
    badge.textContent = reasonLabel(conversation);
    a.append(badge);
  }
  const status = document.createElement("span");
  status.className = "status";
  status.textContent = statusText(conversation, agentName, old);
  a.append(status);
  li.append(a);
  return li;
}

const listOf = (name) => document.querySelector('[data-list="' + name + '"]');

function recount() {
  document.querySelectorAll("[data-count]").forEach((el) => {
    const list = listOf(el.dataset.count);
    el.textContent = list ? list.querySelectorAll(".conv-row").length : 0;
  });
}

/* The waiting rows' "#2 · waiting 3 minutes": each row's place in its own queue, oldest first. Only in
 * a list that holds every waiting conversation of its queues: the Waiting column, or a filtered list of
 * waiting ones narrowed by nothing but the queue. */
function positional(name) {
  return name === "waiting" || (name === "results" && filters && filters.positional);
}

function renumberWaiting(name) {
  const list = listOf(name);
  if (!list || !positional(name)) return;
  const seen = new Map();
  list.querySelectorAll(".conv-row").forEach((row) => {
    if (!row.dataset.waitingSince) return;
    const position = (seen.get(row.dataset.queueId) || 0) + 1;
    seen.set(row.dataset.queueId, position);
    row.querySelector(".status").textContent = "#" + position + " · " + waitingText(row.dataset.waitingSince);
  });
}

/* Waiting is oldest first (a conversation takes its place by the time it started waiting); the other
 * lists are newest first. */
function placeRow(name, conversation, agentName) {
  const list = listOf(name);
  if (!list) return;
  const old = list.querySelector('[data-conversation-id="' + conversation.id + '"]');
  const row = rowFor(conversation, agentName, old);
  if (old) old.remove();
  const empty = list.querySelector(".empty");
  if (empty) empty.remove();
  if (name === "waiting" || (list.dataset.order === "waiting" && conversation.waiting_since)) {
    const since = Date.parse(conversation.waiting_since);
    const later = Array.from(list.querySelectorAll(".conv-row")).find(
      (other) => other.dataset.waitingSince && Date.parse(other.dataset.waitingSince) > since,
    );
    list.insertBefore(row, later || null);
    renumberWaiting(name);
  } else list.prepend(row);
  recount();
  rememberOrder();
}

function dropRow(name, id) {
  const list = listOf(name);
  const old = list && list.querySelector('[data-conversation-id="' + id + '"]');
  if (old) {
    old.remove();
    if (!list.querySelector(".conv-row")) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = t.gettext("Nothing here.");
      list.append(empty);
    }
    renumberWaiting(name);
    recount();
    rememberOrder();
  }
}

/* A filtered list: see the top of this file. */
function onFiltered(conversation, agentName) {
  const list = listOf("results");
  if (!list) return;
  const listed = list.querySelector('[data-conversation-id="' + conversation.id + '"]');
  if (!matchesFilters(conversation)) dropRow("results", conversation.id);
  else if (listed) placeRow("results", conversation, agentName);
  else if (list.dataset.live === "insert" && (!filters.q || contactMatchesSearch(conversation))) {
    placeRow("results", conversation, agentName);
  }
}

/* agentName: the agent's name when the event is about their taking the conversation. */
function onConversation(conversation, agentName) {
  if (filters) {
    onFiltered(conversation, agentName);
    return;
  }
  if (conversation.status === "waiting") placeRow("waiting", conversation);
  else dropRow("waiting", conversation.id);
  if (conversation.status === "assigned" && conversation.assignee_id === me) placeRow("mine", conversation);
  else dropRow("mine", conversation.id);
  if (conversation.status !== "resolved" && conversation.status !== "offline") {
    placeRow("open", conversation, agentName);
  } else dropRow("open", conversation.id);
}

/* After a dropped socket or a resync the lists may have missed events: read them again from the server. */
async function refreshLists() {
  try {
    const response = await fetch(location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("inbox");
    if (fresh) root.replaceChildren(...fresh.childNodes);
    rememberOrder();
  } catch (err) {
    /* the next reconnect tries again */
  }
}

/* The conversations in the order the page lists them (each once), for j and k on a conversation page. */
function rememberOrder() {
  const ids = [];
  root.querySelectorAll(".conv-row[data-conversation-id]").forEach((row) => {
    const id = Number(row.dataset.conversationId);
    if (!ids.includes(id)) ids.push(id);
  });
  try {
    sessionStorage.setItem(ORDER_KEY, JSON.stringify(ids));
  } catch (err) {
    /* storage refused: j and k then work on this page only */
  }
}

/* j and k move through the rows (every list, top to bottom) from the focused or last selected one;
 * Enter opens the focused one. */
function moveFocus(step) {
  const links = Array.from(root.querySelectorAll(".conv-row > a"));
  if (!links.length) return;
  // From the focused row, else the one selected last (focus may have gone to the search box meanwhile).
  let at = links.indexOf(document.activeElement);
  if (at === -1) at = links.findIndex((link) => link.closest(".conv-row").classList.contains("selected"));
  const next = at === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
  root.querySelectorAll(".conv-row.selected").forEach((row) => row.classList.remove("selected"));
  links[next].closest(".conv-row").classList.add("selected");
  links[next].focus();
  links[next].scrollIntoView({ block: "nearest" });
}

const search = document.getElementById("search");

const agent = connectAgent({
  root,
  onReconnect: refreshLists,
  onFrame(frame) {
    switch (frame.type) {
      case "resync":
        // The server lost live events for a moment (its Redis connection dropped).
        refreshLists();
        break;
      case "handoff.created":
      case "handoff.reoffered":
      case "conversation.status":
      case "conversation.activity":
        onConversation(frame.conversation, frame.agent_name);
        break;
    }
  },
});

installShortcuts({
  menu: agent.menu,
  actions: {
    j: () => moveFocus(1),
    k: () => moveFocus(-1),
    "/": () => {
      if (search) {
        search.focus();
        search.select();
      }
    },
  },
});
rememberOrder();
// "/" on a conversation page comes here to search.
if (location.hash === "#search" && search) search.focus();
