/* The inbox page (inbox/templates/inbox/index.html): the Waiting, Mine and All open lists, kept live
 * from the agent's socket. Texts from customers are put in the page with textContent, never as HTML. */

import { connectAgent, conversationUrl } from "./agent.js";

const root = document.getElementById("inbox");
const me = Number(root.dataset.me || 0);

/* "3 minutes", "1 hour, 5 minutes": how long a conversation has waited, as the server's rows say it. */
function waitedFor(iso, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60000));
  const unit = (n, word) => n + " " + word + (n === 1 ? "" : "s");
  if (minutes < 60) return unit(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return unit(hours, "hour") + (minutes % 60 ? ", " + unit(minutes % 60, "minute") : "");
  const days = Math.floor(hours / 24);
  return unit(days, "day") + (hours % 24 ? ", " + unit(hours % 24, "hour") : "");
}

/* What a row's status says: labels, never codes. An assigned row names its agent: "You", the name the
 * event brought (agentName), or the name the row already showed for the same agent. */
function statusText(conversation, agentName, old) {
  if (conversation.status === "assigned" && conversation.assignee_id) {
    if (conversation.assignee_id === me) return "You";
    if (agentName) return agentName;
    if (old && old.dataset.assigneeId === String(conversation.assignee_id)) {
      return old.querySelector(".status").textContent;
    }
  }
  if (conversation.status === "waiting" && conversation.waiting_since) {
    return "waiting " + waitedFor(conversation.waiting_since);
  }
  return conversation.status_label || conversation.status;
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
  who.textContent = conversation.contact.name || conversation.contact.email || "Visitor #" + conversation.contact.id;
  a.append(who);
  if (conversation.handoff_reason) {
    const badge = document.createElement("span");
    badge.className = "badge reason-" + conversation.handoff_reason;
    badge.textContent = conversation.handoff_reason_label || conversation.handoff_reason;
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

/* The waiting rows' "#2 · waiting 3 minutes": each row's place in its own queue, oldest first. */
function renumberWaiting() {
  const list = listOf("waiting");
  if (!list) return;
  const seen = new Map();
  list.querySelectorAll(".conv-row").forEach((row) => {
    if (!row.dataset.waitingSince) return;
    const position = (seen.get(row.dataset.queueId) || 0) + 1;
    seen.set(row.dataset.queueId, position);
    row.querySelector(".status").textContent = "#" + position + " · waiting " + waitedFor(row.dataset.waitingSince);
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
  if (name === "waiting") {
    const since = Date.parse(conversation.waiting_since);
    const later = Array.from(list.querySelectorAll(".conv-row")).find(
      (other) => other.dataset.waitingSince && Date.parse(other.dataset.waitingSince) > since,
    );
    list.insertBefore(row, later || null);
    renumberWaiting();
  } else list.prepend(row);
  recount();
}

function dropRow(name, id) {
  const list = listOf(name);
  const old = list && list.querySelector('[data-conversation-id="' + id + '"]');
  if (old) {
    old.remove();
    if (!list.querySelector(".conv-row")) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = "Nothing here.";
      list.append(empty);
    }
    if (name === "waiting") renumberWaiting();
    recount();
  }
}

/* agentName: the agent's name when the event is about their taking the conversation. */
function onConversation(conversation, agentName) {
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
  } catch (err) {
    /* the next reconnect tries again */
  }
}

connectAgent({
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
