/* Attachments on a conversation page: the files of messages that arrive live, and the reply box's
 * paperclip (helpdesk/templates/helpdesk/_attach_button.html).
 *
 * Messages the server rendered show their files with helpdesk/_attachments.html; for a message that
 * arrives on the socket, conversation-page.js fires "message-rendered" on its list item (detail: the
 * message) and this draws the same list from the message's `attachments`.
 *
 * A chosen or pasted file is uploaded at once (POST to the conversation's attachments endpoint, with the
 * page's session and CSRF token); the server reads what it is and refuses what is too big or not an image
 * or a PDF, with the reason, which is shown beside the file. conversation-page.js fires "reply-compose"
 * (cancelable, detail: the frame) before it sends a reply: the ids of the uploaded files go in its
 * `attachment_ids`, and a reply waits while a file is still uploading. Names and sizes go in as text. */

import { interpolate, translationsFromPage } from "../shared/i18n.js";

const t = translationsFromPage();

const attach = document.getElementById("attach");
const input = document.getElementById("attach-input");
const pending = document.getElementById("attach-pending");
const form = document.getElementById("reply");
const replyError = document.getElementById("reply-error");
const uploads = []; // {file, id, state: "uploading" | "ready" | "failed", row}

const KB = 1024;
function sizeText(bytes) {
  if (bytes >= KB * KB) return (bytes / (KB * KB)).toFixed(1).replace(/\.0$/, "") + " MB";
  if (bytes < KB) return bytes + " B";
  return Math.max(1, Math.round(bytes / KB)) + " KB";
}

/* The list of a message's files: thumbnails that open the original, PDFs as downloads. */
export function attachmentList(attachments) {
  const list = document.createElement("ul");
  list.className = "attachments";
  for (const a of attachments) {
    const item = document.createElement("li");
    item.className = "attachment" + (a.thumbnail_url ? " attachment-image" : "");
    item.dataset.attachmentId = a.id;
    const link = document.createElement("a");
    link.href = a.url;
    if (a.thumbnail_url) {
      link.target = "_blank";
      link.rel = "noopener";
      link.title = a.name + " · " + sizeText(a.size);
      const img = document.createElement("img");
      img.src = a.thumbnail_url;
      img.alt = a.name;
      img.loading = "lazy";
      link.append(img);
    } else {
      link.className = "file";
      link.download = a.name;
      const type = document.createElement("span");
      type.className = "file-type";
      type.textContent = "PDF";
      const name = document.createElement("span");
      name.className = "file-name";
      name.textContent = a.name;
      const size = document.createElement("span");
      size.className = "file-size";
      size.textContent = sizeText(a.size);
      link.append(type, " ", name, " ", size);
    }
    item.append(link);
    list.append(item);
  }
  return list;
}

document.addEventListener("message-rendered", (event) => {
  const message = event.detail;
  if (!message || !Array.isArray(message.attachments) || !message.attachments.length) return;
  const li = event.target;
  if (li.querySelector(".attachments")) return;
  li.insertBefore(attachmentList(message.attachments), li.querySelector("time"));
});

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) return field.value;
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
}

function syncRequired() {
  // A reply may be files alone: the text box is required only while no file is attached.
  if (form && form.elements.text) form.elements.text.required = !uploads.some((u) => u.state !== "failed");
}

function showUpload(upload) {
  const row = upload.row || document.createElement("li");
  upload.row = row;
  row.className = "attach-item attach-" + upload.state;
  row.replaceChildren();
  const name = document.createElement("span");
  name.className = "attach-name";
  name.textContent = upload.file.name || t.gettext("pasted image");
  const note = document.createElement("span");
  note.className = "attach-note";
  note.textContent =
    upload.state === "uploading" ? t.gettext("uploading…") : upload.state === "failed" ? upload.error : sizeText(upload.file.size);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "attach-remove link";
  remove.textContent = "×";
  remove.setAttribute("aria-label", interpolate(t.gettext("Remove %(name)s"), { name: upload.file.name || t.gettext("file") }));
  remove.addEventListener("click", () => {
    uploads.splice(uploads.indexOf(upload), 1);
    row.remove();
    syncRequired();
  });
  row.append(name, " ", note, " ", remove);
  if (!row.parentNode) pending.append(row);
}

async function upload(file) {
  const item = { file, id: null, state: "uploading", error: "", row: null };
  uploads.push(item);
  showUpload(item);
  syncRequired();
  const body = new FormData();
  body.append("file", file, file.name || "pasted-image.png");
  try {
    const response = await fetch(attach.dataset.uploadUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((answer.error && answer.error.message) || interpolate(t.gettext("The upload failed (%(status)s)."), { status: response.status }));
    item.id = answer.id;
    item.state = "ready";
  } catch (err) {
    item.state = "failed";
    item.error = err.message || t.gettext("The upload failed.");
  }
  if (uploads.includes(item)) showUpload(item);
  syncRequired();
}

if (attach && input && form) {
  input.addEventListener("change", () => {
    for (const file of input.files) upload(file);
    input.value = "";
  });
  form.elements.text.addEventListener("paste", (event) => {
    const files = Array.from((event.clipboardData && event.clipboardData.files) || []);
    if (!files.length) return;
    event.preventDefault();
    files.forEach(upload);
  });
  form.addEventListener("reply-compose", (event) => {
    if (uploads.some((u) => u.state === "uploading")) {
      event.preventDefault();
      replyError.hidden = false;
      replyError.textContent = t.gettext("Wait until the files have uploaded.");
      return;
    }
    const ids = uploads.filter((u) => u.state === "ready").map((u) => u.id);
    if (ids.length) event.detail.attachment_ids = ids;
  });
  form.addEventListener("reply-sent", () => {
    uploads.splice(0).forEach((u) => u.row && u.row.remove());
    syncRequired();
  });
}
