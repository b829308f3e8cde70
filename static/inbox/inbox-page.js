/* The inbox page (inbox/templates/inbox/index.html): the Waiting, Mine and All open lists, kept live
 * from the agent's socket. Texts from customers are put in the page with textContent, never as HTML. */

import { connectAgent, conversationUrl } from "./agent.js";

const root = document.getElementById("inbox");
const me = Number(root.dataset.me || 0);

function rowFor(conversation) {
  const li = document.createElement("li");
  li.className = "conv-row status-" + conversation.status + " fresh";
  li.dataset.conversationId = conversation.id;
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
  status.textContent = conversation.status;
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

/* Waiting is oldest first, so a conversation joins at the bottom; the other lists are newest first. */
function placeRow(name, conversation) {
  const list = listOf(name);
  if (!list) return;
  const old = list.querySelector('[data-conversation-id="' + conversation.id + '"]');
  if (old) old.remove();
  const empty = list.querySelector(".empty");
  if (empty) empty.remove();
  if (name === "waiting") list.append(rowFor(conversation));
  else list.prepend(rowFor(conversation));
  recount();
}

function dropRow(name, id) {
  const list = listOf(name);
  const old = list && list.querySelector('[data-conversation-id="' + id + '"]');
  if (old) {
    old.remove();
    recount();
  }
}

function onConversation(conversation) {
  if (conversation.status === "waiting") placeRow("waiting", conversation);
  else dropRow("waiting", conversation.id);
  if (conversation.status === "assigned" && conversation.assignee_id === me) placeRow("mine", conversation);
  else dropRow("mine", conversation.id);
  if (conversation.status !== "resolved" && conversation.status !== "offline") placeRow("open", conversation);
  else dropRow("open", conversation.id);
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
        onConversation(frame.conversation);
        break;
    }
  },
});
