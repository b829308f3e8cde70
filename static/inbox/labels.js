/* Why a conversation was handed off, in the page's language: an event's handoff_reason_label is English
 * (one event goes to agents of every language), so the scripts name each code themselves
 * (helpdesk.reasons.HandoffReason). */

import { translationsFromPage } from "../shared/i18n.js";

const t = translationsFromPage();

const REASON_LABELS = {
  explicit_request: t.gettext("Asked for a person"),
  sensitive_topic: t.gettext("Sensitive topic"),
  negative_sentiment: t.gettext("Negative sentiment"),
  repeated_failure: t.gettext("Repeated failure"),
  low_confidence: t.gettext("Low confidence"),
  bot_error: t.gettext("Bot error"),
  agent_takeover: t.gettext("Agent took over"),
  api: t.gettext("Requested through the API"),
};

export function reasonLabel(conversation) {
  const code = conversation.handoff_reason;
  return REASON_LABELS[code] || conversation.handoff_reason_label || code || "";
}
