"""Reading a customer's emailed reply: parsing, the ticket reference, and stripping the quoted history.

Pure functions over bytes and dicts (no ORM); :func:`tickets.services.inbound_email_receive` does the
writing. Two input shapes are accepted:

- a raw RFC 822 message (what an MTA pipes, what an mbox holds);
- a provider's JSON post, this one documented shape (map your provider's fields onto it)::

      {"from": "Ann Lee <ann@example.com>",          required
       "to": ["support+T-1042@acme.example"],         string or list, optional
       "subject": "Re: [T-1042] Where is my bike?",   optional
       "text": "It arrived, thanks!",                 "text" or "html" required
       "html": "<p>It arrived, thanks!</p>",
       "headers": {"Message-ID": "<...>", "In-Reply-To": "<...>", "References": "<...> <...>"}}

Every refusal is an :class:`InboundRejected` with a code and a sentence; nothing is stored for it.

Attachments come along: a raw message's attachment parts (and inline images that are not its body), or
the JSON shape's ``"attachments": [{"filename", "content_type", "content": "<base64>"}]``. Each is kept as
read here (``InboundAttachment``); whether it is kept on the ticket is decided by the same checks as any
upload (:mod:`helpdesk.attachment_files`), and one that cannot even be read carries its ``problem``.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html import unescape

from django.utils.html import strip_tags

from helpdesk.errors import DomainError

# Our outgoing emails start with this line; everything from it down is what the customer quoted.
REPLY_ABOVE_MARKER = "-- Please reply above this line --"
TICKET_TOKEN = re.compile(r"\[\s*T-(\d{1,9})\s*\]", re.IGNORECASE)
PLUS_TOKEN = re.compile(r"\+T-(\d{1,9})@", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")

_QUOTE_HEADER = re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Forwarded message)\s*-{2,}", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\s*\*?From:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Sent|Date|To|Subject):\*?\s", re.IGNORECASE)
_SIGNATURE = re.compile(r"^-- ?$")

STATUS_FOR_CODE = {
    "missing_token": 401,
    "unknown_token": 403,
    "malformed": 400,
    "empty_body": 400,
    "too_large": 413,
    "unsupported_media_type": 415,
    "no_ticket_reference": 422,
    "unknown_ticket": 422,
    "sender_mismatch": 422,
}


class InboundRejected(DomainError):
    """An inbound email we refuse, with the reason in ``code`` and a sentence in ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.http_status = STATUS_FOR_CODE.get(code, 400)


@dataclass(frozen=True)
class InboundAttachment:
    """A file of an inbound email, as the mail gave it: its name and bytes, or why it could not be read."""

    name: str
    data: bytes
    problem: str = ""


@dataclass(frozen=True)
class InboundEmail:
    sender: str
    sender_name: str
    to: tuple[str, ...]
    subject: str
    text: str
    message_id: str
    thread_ids: tuple[str, ...]
    attachments: tuple[InboundAttachment, ...] = ()

    def ticket_number(self) -> int | None:
        """The ticket named by a "[T-1042]" subject token or a "+T-1042@" reply address, if any."""
        found = TICKET_TOKEN.search(self.subject)
        if found:
            return int(found.group(1))
        for address in self.to:
            found = PLUS_TOKEN.search(address)
            if found:
                return int(found.group(1))
        return None


def _address(value: str) -> tuple[str, str]:
    name, address = parseaddr(value or "")
    address = address.strip().lower()
    if "@" not in address or " " in address or address.startswith("@") or address.endswith("@"):
        raise InboundRejected("malformed", "The message has no valid From address.")
    return name.strip(), address


def _ids(*values: str) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        for found in MESSAGE_ID.findall(value or ""):
            if found not in seen:
                seen.append(found)
    return tuple(seen)


def html_to_text(html: str) -> str:
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", html)
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html)
    html = re.sub(r"(?is)<blockquote\b.*?</blockquote>", "", html)
    return unescape(strip_tags(html))


def reply_text(text: str) -> str:
    """The new part of a reply: cut at our marker, a "On ... wrote:" line, an "Original Message" rule,
    an Outlook "From:/Sent:" block or a signature, and drop ">"-quoted lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        two = line + " " + (lines[index + 1] if index + 1 < len(lines) else "")
        if REPLY_ABOVE_MARKER in line or _ORIGINAL.match(line) or _SIGNATURE.match(line):
            break
        if _QUOTE_HEADER.match(line) or (line.strip().startswith("On ") and _QUOTE_HEADER.match(two)):
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(n) for n in lines[index + 1 : index + 5]):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _built(
    *,
    sender: str,
    to: list[str],
    subject: str,
    body: str,
    headers: dict[str, str],
    attachments: tuple[InboundAttachment, ...] = (),
) -> InboundEmail:
    name, address = _address(sender)
    text = reply_text(body)
    if not text and attachments:
        text = "(no text: the email carried attachments only)"
    if not text:
        raise InboundRejected("empty_body", "The message has no text above the quoted history.")
    return InboundEmail(
        sender=address,
        sender_name=name,
        to=tuple(a for _, a in getaddresses(to) if a),
        subject=" ".join((subject or "").split()),
        text=text,
        message_id=next(iter(_ids(headers.get("message-id", ""))), ""),
        thread_ids=_ids(headers.get("in-reply-to", ""), headers.get("references", "")),
        attachments=attachments,
    )


def _body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_type() == "text/html" else content


def parse_rfc822(raw: bytes) -> InboundEmail:
    """Parse a raw message, or refuse it as ``malformed`` / ``empty_body`` with the reason."""
    if not raw or not raw.strip():
        raise InboundRejected("malformed", "The message is empty.")
    message = message_from_bytes(raw, policy=policy.default)
    if not message.keys() or message.get("From") is None:
        raise InboundRejected("malformed", "The message has no headers or no From header.")
    try:
        headers = {
            key.lower(): str(message.get(key, "")) for key in ("Message-ID", "In-Reply-To", "References")
        }
        sender, subject = str(message["From"]), str(message.get("Subject", ""))
        to = [str(v) for v in message.get_all("To", [])] + [
            str(v) for v in message.get_all("Delivered-To", [])
        ]
    except (ValueError, TypeError, IndexError) as exc:
        raise InboundRejected("malformed", f"A header could not be read: {exc}.") from exc
    return _built(
        sender=sender,
        to=to,
        subject=subject,
        body=_body_of(message),
        headers=headers,
        attachments=_attachments_of(message),
    )


def _attachments_of(message: EmailMessage) -> tuple[InboundAttachment, ...]:
    found = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue  # a forwarded message or an alternative: not a file
        name = part.get_filename() or ""
        try:
            data = part.get_payload(decode=True) or b""
        except (ValueError, TypeError, AssertionError) as exc:
            found.append(InboundAttachment(name=name, data=b"", problem=f"it could not be decoded ({exc})"))
            continue
        found.append(InboundAttachment(name=name, data=data))
    return tuple(found)


def _json_attachments(value: object) -> tuple[InboundAttachment, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InboundRejected("malformed", "attachments must be a list of objects.")
    found = []
    for item in value:
        name, content = item.get("filename") or "", item.get("content")
        if not isinstance(name, str) or not isinstance(content, str):
            raise InboundRejected(
                "malformed", "Each attachment needs a filename and base64 content (strings)."
            )
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            found.append(InboundAttachment(name=name, data=b"", problem="its content is not valid base64"))
            continue
        found.append(InboundAttachment(name=name, data=data))
    return tuple(found)


def parse_provider_json(data: object) -> InboundEmail:
    """Parse the documented JSON shape (see the module docstring), or refuse it with the field at fault."""
    if not isinstance(data, dict):
        raise InboundRejected("malformed", "The JSON body must be an object.")
    headers = data.get("headers") or {}
    to = data.get("to") or []
    if isinstance(to, str):
        to = [to]
    strings = {k: data.get(k) for k in ("from", "subject", "text", "html")}
    bad = [k for k, v in strings.items() if v is not None and not isinstance(v, str)]
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        bad.append("headers")
    if not isinstance(to, list) or not all(isinstance(v, str) for v in to):
        bad.append("to")
    if bad:
        raise InboundRejected("malformed", f"These fields have the wrong type: {', '.join(sorted(bad))}.")
    if not strings["from"]:
        raise InboundRejected("malformed", "The field 'from' is required.")
    body = strings["text"] or html_to_text(strings["html"] or "")
    return _built(
        sender=strings["from"],
        to=to,
        subject=strings["subject"] or "",
        body=body,
        headers={k.lower(): v for k, v in headers.items()},
        attachments=_json_attachments(data.get("attachments")),
    )
