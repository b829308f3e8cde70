"""The one small interface both responders (Claude and local) implement.

Plain data in, plain data out: no ORM here, so responders are tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of a knowledge article."""

    id: str  # stable within a bot: "<article_id>:<index>"
    article_id: int
    title: str
    text: str
    url: str = ""
    score: float = 0.0  # retrieval score (BM25), filled by the retriever


@dataclass(frozen=True)
class Turn:
    """One earlier message of the conversation, as the responder sees it."""

    role: str  # "customer" | "bot" | "agent"
    text: str


@dataclass(frozen=True)
class BotProfile:
    """What a responder needs to know of the bot."""

    name: str
    instructions: str = ""
    model_name: str = ""
    api_key: str = ""
    confidence_threshold: float = 0.35
    order_number_pattern: str = ""
    currency: str = "USD"


class ReplyKind:
    ANSWER = "answer"  # an answer to a question (its confidence matters)
    GREETING = "greeting"  # small talk: hello
    THANKS = "thanks"  # small talk: thanks / that's all / bye
    ERROR = "error"  # the responder failed: API error, timeout, refusal, malformed output


@dataclass
class BotReply:
    text: str
    confidence: float  # in [0, 1]; for small talk 1.0
    kind: str = ReplyKind.ANSWER
    passage_ids: list[str] = field(default_factory=list)
    wants_human: bool = False  # the model read the customer as asking for a person
    collected: dict[str, str] = field(default_factory=dict)  # order_number, email, account_id, issue_summary
    # What the responder itself read in the message (Claude's answer tool); they add to the detector's.
    sensitive_topic: str = ""  # a sensitive category, or ""
    frustrated: bool = False
    refund_amount: str | None = None  # Decimal as string: the money the customer wants back
    refund_currency: str | None = None
    kb_answers: bool | None = None  # whether the knowledge base answers the question (None: not said)
    usage: dict[str, int] = field(default_factory=dict)  # input_tokens, output_tokens, cache_* tokens
    error: str = ""  # for kind == error: a short code ("timeout", "overloaded", "malformed", ...)
    responder: str = ""  # "claude" | "local"
    # How the reply was obtained, for accounting (chatbot.usage): the model asked, the HTTP attempts made
    # (0: no model was called) and the whole call's wall time. The time is a measurement, not content.
    model: str = ""
    attempts: int = 0
    duration_ms: int = field(default=0, compare=False)


class Responder(Protocol):
    name: str

    def respond(
        self, *, question: str, history: list[Turn], passages: list[Passage], bot: BotProfile
    ) -> BotReply: ...
