/* The widget's attachments: the paperclip (a file picker, and images pasted into the message box), the
 * files waiting to go with the next message, and the files of messages in the log.
 *
 * A chosen file is uploaded at once over HTTP (POST /api/v1/widget/attachments/, multipart, with the
 * visitor's token); the server reads what it is and refuses anything that is not an image or a PDF, or is
 * too large, with a code the widget turns into its own words. The message then carries the uploads' ids
 * (`attachment_ids`); a message may be files alone. A file in the log is shown through the widget's own
 * paths with the visitor's token in the query (an <img> cannot send headers, and the socket's URL carries
 * the same token): images as thumbnails opening the original, PDFs as links. Names and sizes go in as
 * text, never as HTML. */

export const ACCEPT = "image/png,image/jpeg,image/gif,image/webp,application/pdf";

const KB = 1024;
export function sizeText(bytes) {
  if (bytes >= KB * KB) return (bytes / (KB * KB)).toFixed(1).replace(/\.0$/, "") + " MB";
  if (bytes < KB) return bytes + " B";
  return Math.max(1, Math.round(bytes / KB)) + " KB";
}

function withToken(apiOrigin, path, token) {
  const url = new URL(path, apiOrigin + "/");
  if (token) url.searchParams.set("token", token);
  return url.href;
}

/* The files of a message: thumbnails that open the original, PDFs as links. */
export function attachmentList(attachments, { apiOrigin, token }) {
  const list = document.createElement("ul");
  list.className = "files";
  for (const a of attachments) {
    const item = document.createElement("li");
    item.className = "file" + (a.thumbnail_url ? " file-image" : " file-doc");
    const link = document.createElement("a");
    link.href = withToken(apiOrigin, a.url, token);
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    if (a.thumbnail_url) {
      const img = document.createElement("img");
      img.src = withToken(apiOrigin, a.thumbnail_url, token);
      img.alt = a.name;
      img.loading = "lazy";
      if (a.width && a.height) {
        // The thumbnail's box before it loads (at most 320 px a side, shown smaller by the CSS).
        const scale = Math.min(1, 320 / Math.max(a.width, a.height));
        img.width = Math.round(a.width * scale);
        img.height = Math.round(a.height * scale);
      }
      link.append(img);
    } else {
      const name = document.createElement("span");
      name.className = "file-name";
      name.textContent = a.name;
      const size = document.createElement("span");
      size.className = "file-size";
      size.textContent = sizeText(a.size);
      link.append(name, " ", size);
    }
    item.append(link);
    list.append(item);
  }
  return list;
}

/* The uploads waiting for the next message. strings(): the widget's words now; token(): the visitor's
 * token now; onChange(): the list changed (the form may now send files alone). */
export function createUploader({ apiOrigin, list, strings, token, onChange }) {
  const uploads = []; // {file, id, state: "uploading" | "ready" | "failed", error, row}

  function show(item) {
    const s = strings();
    const row = item.row || document.createElement("li");
    item.row = row;
    row.className = "pending-file pending-" + item.state;
    row.replaceChildren();
    const name = document.createElement("span");
    name.className = "pending-name";
    name.textContent = item.file.name || "image.png";
    const note = document.createElement("span");
    note.className = "pending-note";
    note.textContent = item.state === "uploading" ? s.uploading : item.state === "failed" ? item.error : sizeText(item.file.size);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "pending-remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", s.removeFile(item.file.name || "image.png"));
    remove.addEventListener("click", () => {
      uploads.splice(uploads.indexOf(item), 1);
      row.remove();
      onChange();
    });
    row.append(name, note, remove);
    if (!row.parentNode) list.append(row);
    list.hidden = !uploads.length;
  }

  function failure(code) {
    const s = strings();
    if (code === "too_large") return s.fileTooLarge;
    if (code === "unsupported_type") return s.fileWrongType;
    return s.fileFailed;
  }

  async function add(file) {
    const item = { file, id: null, state: "uploading", error: "", row: null };
    uploads.push(item);
    show(item);
    onChange();
    const body = new FormData();
    body.append("token", token() || "");
    body.append("file", file, file.name || "image.png");
    try {
      const response = await fetch(apiOrigin + "/api/v1/widget/attachments/", { method: "POST", body });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(failure(answer.error && answer.error.code));
      item.id = answer.id;
      item.state = "ready";
    } catch (err) {
      item.state = "failed";
      item.error = err.message && !(err instanceof TypeError) ? err.message : failure("");
    }
    if (uploads.includes(item)) show(item);
    onChange();
  }

  return {
    add,
    busy: () => uploads.some((u) => u.state === "uploading"),
    ids: () => uploads.filter((u) => u.state === "ready").map((u) => u.id),
    clear() {
      uploads.splice(0).forEach((u) => u.row && u.row.remove());
      list.hidden = true;
      onChange();
    },
  };
}
