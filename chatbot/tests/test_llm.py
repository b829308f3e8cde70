"""The Claude responder through the real anthropic SDK, against a mocked HTTP transport (no network).

The SDK accepts an ``httpx2.Client``; its ``MockTransport`` hands every request to a handler here, which
records it and answers like the Messages API would. Retries stay fast because the mocked errors carry
``retry-after-ms: 1``, which the responder obeys instead of its own backoff. The time-budget tests use
budgets of a second or two and real time; one of them uses a real local socket instead of the mock.
"""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from chatbot.llm import ANSWER_TOOL, HOUSE_RULES, ClaudeResponder, responder_cost_usd, retry_after_seconds
from chatbot.responders.base import BotProfile, BotReply, Passage, ReplyKind, Turn

KEY = "sk-ant-test-key-0001"
MODEL = "claude-sonnet-4-6"
BOT = BotProfile(name="Lumen Support", instructions="Sign off as the Lumen team.")
PASSAGES = [
    Passage(
        id="12:0",
        article_id=12,
        title="Refunds",
        text="Refunds are paid within 14 days of the return arriving.",
    ),
    Passage(
        id="12:1",
        article_id=12,
        title="Refunds",
        text="Shipping costs are not refunded & cannot be <waived>.",
    ),
]
QUESTION = "When do I get my refund?"
USAGE = {
    "input_tokens": 1500,
    "output_tokens": 200,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 1200,
}

Reply = Callable[[httpx2.Request], httpx2.Response]


def message(content: list[dict[str, Any]], stop_reason: str = "tool_use") -> Reply:
    body = {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": USAGE,
    }
    return lambda request: httpx2.Response(200, json=body)


def answer_call(**tool_input: Any) -> Reply:
    return message([{"type": "tool_use", "id": "toolu_01", "name": "answer", "input": tool_input}])


def good_answer(**overrides: Any) -> Reply:
    tool_input = {
        "answer": "Refunds are paid within 14 days of your return arriving.",
        "confidence": 0.86,
        "passage_ids": ["12:0"],
        "wants_human": False,
        "collected": {"order_number": "LL-123456"},
    }
    return answer_call(**{**tool_input, **overrides})


def api_error(status: int, error_type: str, headers: dict[str, str] | None = None) -> Reply:
    body = {"type": "error", "error": {"type": error_type, "message": "something went wrong"}}
    return lambda request: httpx2.Response(status, json=body, headers=headers)


def raises(exc_type: type[httpx2.TransportError]) -> Reply:
    def reply(request: httpx2.Request) -> httpx2.Response:
        raise exc_type("simulated", request=request)

    return reply


def responder_with(
    *replies: Reply,
    max_retries: int = 0,
    api_key: str = KEY,
    timeout: float = 5.0,
    total_budget: float = 20.0,
):
    """A responder whose HTTP calls get the replies in order (the last one repeats), and the requests seen."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return replies[min(len(seen), len(replies)) - 1](request)

    client = httpx2.Client(transport=httpx2.MockTransport(handler))
    responder = ClaudeResponder(
        api_key=api_key,
        model=MODEL,
        timeout=timeout,
        max_retries=max_retries,
        total_budget=total_budget,
        http_client=client,
    )
    return responder, seen


def ask(responder: ClaudeResponder, *, history: list[Turn] | None = None, bot: BotProfile = BOT) -> BotReply:
    return responder.respond(question=QUESTION, history=history or [], passages=PASSAGES, bot=bot)


def sent(request: httpx2.Request) -> dict[str, Any]:
    return json.loads(request.content)


def error(code: str, usage: dict[str, int] | None = None, *, attempts: int = 1) -> BotReply:
    return BotReply(
        text="",
        confidence=0.0,
        kind=ReplyKind.ERROR,
        error=code,
        responder="claude",
        usage=usage or {},
        model=MODEL,
        attempts=attempts,
    )


def test_answer_is_parsed_and_the_request_forces_the_tool_with_a_cached_system_prompt():
    responder, seen = responder_with(good_answer())
    history = [
        Turn(role="bot", text="Hi! How can I help?"),
        Turn(role="customer", text="I returned order LL-123456."),
        Turn(role="bot", text="Thanks, what would you like to know?"),
    ]

    reply = ask(responder, history=history)

    assert reply == BotReply(
        text="Refunds are paid within 14 days of your return arriving.",
        confidence=0.86,
        kind=ReplyKind.ANSWER,
        passage_ids=["12:0"],
        wants_human=False,
        collected={"order_number": "LL-123456"},
        usage=USAGE,
        responder="claude",
        model=MODEL,
        attempts=1,
    )
    assert len(seen) == 1
    request = seen[0]
    assert (request.method, request.url.path) == ("POST", "/v1/messages")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = sent(request)
    assert body["model"] == MODEL
    assert body["max_tokens"] == 1024
    assert body["tool_choice"] == {"type": "tool", "name": "answer"}
    assert body["tools"] == [ANSWER_TOOL]
    assert [block["cache_control"] for block in body["system"]] == [{"type": "ephemeral"}] * 2
    assert body["system"][0]["text"] == HOUSE_RULES
    assert "Sign off as the Lumen team." in body["system"][1]["text"]
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "I returned order LL-123456."}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Thanks, what would you like to know?"}]},
        {
            "role": "user",
            "content": [
                {
                    "type": "text",
                    "text": '<knowledge_passages>\n<passage id="12:0" title="Refunds">\n'
                    "Refunds are paid within 14 days of the return arriving.\n</passage>\n"
                    '<passage id="12:1" title="Refunds">\n'
                    "Shipping costs are not refunded &amp; cannot be &lt;waived&gt;.\n</passage>\n"
                    "</knowledge_passages>",
                },
                {"type": "text", "text": "<customer_message>\nWhen do I get my refund?\n</customer_message>"},
            ],
        },
    ]


def test_cached_prefix_is_identical_across_questions():
    responder, seen = responder_with(good_answer())

    ask(responder)
    responder.respond(question="Do you ship abroad?", history=[], passages=PASSAGES[:1], bot=BOT)

    first, second = sent(seen[0]), sent(seen[1])
    assert (first["tools"], first["system"]) == (second["tools"], second["system"])
    assert first["messages"] != second["messages"]


def test_history_keeps_the_last_ten_turns_and_does_not_repeat_the_question():
    responder, seen = responder_with(good_answer())
    history = [Turn(role="customer" if i % 2 == 0 else "bot", text=f"message {i}") for i in range(12)]
    history.append(Turn(role="customer", text=QUESTION))

    ask(responder, history=history)

    messages = sent(seen[0])["messages"]
    assert [m["content"][0]["text"] for m in messages[:-1]] == [f"message {i}" for i in range(2, 12)]
    assert [m["role"] for m in messages] == ["user", "assistant"] * 5 + ["user"]
    assert messages[-1]["content"][1]["text"] == f"<customer_message>\n{QUESTION}\n</customer_message>"


def test_bot_own_key_and_model_override_the_defaults():
    responder, seen = responder_with(good_answer())
    bot = BotProfile(name="Tenant bot", model_name="claude-haiku-4-5", api_key="sk-ant-tenant-own")

    reply = ask(responder, bot=bot)

    assert reply.kind == ReplyKind.ANSWER
    assert seen[0].headers["authorization"] == "Bearer sk-ant-tenant-own"
    assert sent(seen[0])["model"] == "claude-haiku-4-5"


def test_no_key_at_all_is_an_auth_error_without_a_request():
    responder, seen = responder_with(good_answer(), api_key="")

    assert ask(responder) == error("auth", attempts=0)
    assert seen == []


def test_low_confidence_is_returned_as_is():
    responder, _ = responder_with(
        good_answer(
            answer="I don't have details on that; I can connect you with a person.",
            confidence=0.12,
            passage_ids=[],
        )
    )

    reply = ask(responder)

    assert (reply.kind, reply.confidence, reply.passage_ids) == (ReplyKind.ANSWER, 0.12, [])


@pytest.mark.parametrize(("given", "expected"), [(1.7, 1.0), (-0.2, 0.0), (1, 1.0)])
def test_confidence_is_clamped_to_zero_one(given, expected):
    responder, _ = responder_with(good_answer(confidence=given))

    assert ask(responder).confidence == expected


def test_passage_ids_that_were_not_given_are_dropped():
    responder, _ = responder_with(good_answer(passage_ids=["99:9", "12:1", "12:0", "12:1"]))

    assert ask(responder).passage_ids == ["12:1", "12:0"]


def test_wants_human_and_collected_fields_are_kept_and_unknown_or_blank_fields_dropped():
    collected = {
        "order_number": " LL-123456 ",
        "email": "",
        "favourite_colour": "blue",
        "issue_summary": "Late refund.",
    }
    responder, _ = responder_with(good_answer(wants_human=True, collected=collected))

    reply = ask(responder)

    assert reply.wants_human is True
    assert reply.collected == {"order_number": "LL-123456", "issue_summary": "Late refund."}


def test_the_assistants_handoff_signals_are_read_and_missing_ones_stay_unknown():
    signals = {
        "sensitive_topic": "account_security",
        "frustrated": True,
        "refund_amount": 240.5,
        "refund_currency": "eur",
        "kb_answers": False,
    }
    responder, _ = responder_with(good_answer(signals=signals))

    reply = ask(responder)

    assert (reply.sensitive_topic, reply.frustrated, reply.kb_answers) == ("account_security", True, False)
    assert (reply.refund_amount, reply.refund_currency) == ("240.50", "EUR")
    plain = ask(responder_with(good_answer())[0])
    assert (plain.sensitive_topic, plain.frustrated, plain.refund_amount, plain.kb_answers) == (
        "",
        False,
        None,
        None,
    )


def test_overloaded_is_retried_a_bounded_number_of_times_then_an_error():
    responder, seen = responder_with(
        api_error(529, "overloaded_error", {"retry-after-ms": "1"}), max_retries=2
    )

    reply = ask(responder)

    assert reply == error("overloaded", attempts=3)
    assert [request.headers["x-stainless-retry-count"] for request in seen] == ["0", "1", "2"]


def test_overloaded_once_then_answered_on_retry():
    responder, seen = responder_with(
        api_error(529, "overloaded_error", {"retry-after-ms": "1"}), good_answer(), max_retries=2
    )

    assert ask(responder).kind == ReplyKind.ANSWER
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("status", "error_type", "code"),
    [
        (429, "rate_limit_error", "rate_limited"),
        (500, "api_error", "api_error"),
        (503, "api_error", "api_error"),
        (401, "authentication_error", "auth"),
        (403, "permission_error", "auth"),
        (400, "invalid_request_error", "bad_request"),
        (404, "not_found_error", "bad_request"),
    ],
)
def test_api_status_errors_map_to_codes(status, error_type, code):
    responder, seen = responder_with(api_error(status, error_type))

    assert ask(responder) == error(code)
    assert len(seen) == 1


def test_timeout_is_an_error_reply():
    responder, seen = responder_with(raises(httpx2.ReadTimeout))

    assert ask(responder) == error("timeout")
    assert len(seen) == 1


def test_connection_failure_is_an_error_reply():
    responder, _ = responder_with(raises(httpx2.ConnectError))

    assert ask(responder) == error("connection")


def test_refusal_is_an_error_reply_that_still_reports_usage():
    responder, _ = responder_with(message([], stop_reason="refusal"))

    assert ask(responder) == error("refusal", USAGE)


def test_text_without_a_tool_call_is_malformed():
    responder, _ = responder_with(message([{"type": "text", "text": "Refunds take 14 days."}], "end_turn"))

    assert ask(responder) == error("malformed", USAGE)


@pytest.mark.parametrize(
    "body",
    [
        {"text": "<html>proxy error</html>"},
        {"json": {"unexpected": True}},
    ],
)
def test_a_body_that_is_not_a_message_is_malformed(body):
    responder, _ = responder_with(lambda request: httpx2.Response(200, **body))

    assert ask(responder) == error("malformed")


@pytest.mark.parametrize(
    "tool_input",
    [
        {"confidence": 0.9, "passage_ids": [], "wants_human": False, "collected": {}},
        {"answer": "  ", "confidence": 0.9},
        {"answer": "Yes.", "confidence": "high"},
        {"answer": "Yes.", "confidence": True},
        {"answer": "Yes."},
        {"answer": "Yes.", "confidence": 0.9, "passage_ids": "12:0"},
        {"answer": "Yes.", "confidence": 0.9, "wants_human": "yes"},
        {"answer": "Yes.", "confidence": 0.9, "collected": ["LL-123456"]},
        {"answer": "Yes.", "confidence": 0.9, "collected": {"email": 42}},
        {"answer": "Yes.", "confidence": 0.9, "signals": ["legal"]},
        {"answer": "Yes.", "confidence": 0.9, "signals": {"sensitive_topic": "weather"}},
        {"answer": "Yes.", "confidence": 0.9, "signals": {"frustrated": "very"}},
        {"answer": "Yes.", "confidence": 0.9, "signals": {"refund_amount": "lots"}},
        {"answer": "Yes.", "confidence": 0.9, "signals": {"kb_answers": 1}},
    ],
)
def test_tool_input_that_does_not_fit_the_schema_is_malformed(tool_input):
    responder, _ = responder_with(answer_call(**tool_input))

    assert ask(responder) == error("malformed", USAGE)


def test_errors_are_logged_without_the_key_or_the_customer_text(caplog):
    responder, _ = responder_with(api_error(401, "authentication_error"))

    with caplog.at_level(logging.WARNING, logger="chatbot.llm"):
        ask(responder)

    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "error auth" in caplog.text
    assert KEY not in caplog.text
    assert QUESTION not in caplog.text


def test_cost_of_a_message_with_a_cache_hit_and_with_a_cache_write():
    cache_write = {**USAGE, "cache_creation_input_tokens": 1200, "cache_read_input_tokens": 0}

    assert responder_cost_usd("claude-sonnet-4-5", USAGE) == 0.00786
    assert responder_cost_usd("claude-sonnet-4-5", cache_write) == 0.012
    assert responder_cost_usd("claude-haiku-5-5", USAGE) == 0.000262


def test_cost_prices_a_dated_snapshot_as_its_alias_and_an_unknown_model_as_zero():
    assert responder_cost_usd("claude-sonnet-4-5-20250929", USAGE) == 0.00786
    assert responder_cost_usd("claude-unknown-9", USAGE) == 0.0


# One time budget per call ------------------------------------------------------------------------------

MARGIN = 0.4  # seconds of scheduling slack allowed over a budget


def hangs(timeouts: list[float]) -> Reply:
    """An endpoint that never answers: like a real transport, it gives up after the request's read
    timeout (httpx carries it in the request's extensions) and raises a read timeout."""

    def reply(request: httpx2.Request) -> httpx2.Response:
        read_timeout = request.extensions["timeout"]["read"]
        timeouts.append(read_timeout)
        time.sleep(read_timeout)
        raise httpx2.ReadTimeout("no response", request=request)

    return reply


def timed(responder: ClaudeResponder) -> tuple[BotReply, float]:
    started = time.monotonic()
    reply = ask(responder)
    return reply, time.monotonic() - started


def test_a_hanging_endpoint_hands_off_within_the_budget_not_after_every_retry():
    timeouts: list[float] = []
    responder, seen = responder_with(hangs(timeouts), timeout=5.0, max_retries=2, total_budget=1.0)

    reply, elapsed = timed(responder)

    assert reply == error("timeout", attempts=1)
    assert len(seen) == 1
    assert timeouts[0] <= 1.0
    assert 0.9 <= elapsed < 1.0 + MARGIN
    assert reply.duration_ms == pytest.approx(elapsed * 1000, abs=50)


def test_every_attempt_gets_at_most_the_time_left_of_the_budget():
    timeouts: list[float] = []
    responder, seen = responder_with(hangs(timeouts), timeout=0.3, max_retries=5, total_budget=1.5)

    reply, elapsed = timed(responder)

    assert (reply.kind, reply.error) == (ReplyKind.ERROR, "timeout")
    assert reply.attempts == len(seen) >= 2
    assert all(timeout <= 0.3 for timeout in timeouts)
    assert elapsed < 1.5 + MARGIN


def test_a_retry_after_longer_than_the_budget_left_fails_at_once_without_sleeping():
    responder, seen = responder_with(
        api_error(429, "rate_limit_error", {"retry-after": "70"}),
        good_answer(),
        max_retries=2,
        total_budget=2.0,
    )

    reply, elapsed = timed(responder)

    assert reply == error("rate_limited", attempts=1)
    assert len(seen) == 1
    assert elapsed < 0.2


def test_a_retry_after_above_the_cap_is_not_waited_for_even_with_budget_left():
    responder, seen = responder_with(
        api_error(429, "rate_limit_error", {"retry-after": "9"}),
        good_answer(),
        max_retries=2,
        total_budget=60.0,
    )

    reply, elapsed = timed(responder)

    assert reply == error("rate_limited", attempts=1)
    assert elapsed < 0.2


def test_a_retry_after_within_the_budget_is_honoured():
    responder, seen = responder_with(
        api_error(429, "rate_limit_error", {"retry-after-ms": "300"}),
        good_answer(),
        max_retries=2,
        total_budget=2.0,
    )

    reply, elapsed = timed(responder)

    assert (reply.kind, reply.attempts, reply.usage) == (ReplyKind.ANSWER, 2, USAGE)
    assert [request.headers["x-stainless-retry-count"] for request in seen] == ["0", "1"]
    assert 0.3 <= elapsed < 0.3 + MARGIN


def test_overloaded_without_retry_after_backs_off_within_the_budget():
    responder, seen = responder_with(api_error(529, "overloaded_error"), max_retries=10, total_budget=1.0)

    reply, elapsed = timed(responder)

    assert reply == error("overloaded", attempts=2)
    assert len(seen) == 2
    assert elapsed < 1.0


def test_the_servers_x_should_retry_false_is_obeyed():
    responder, seen = responder_with(
        api_error(529, "overloaded_error", {"x-should-retry": "false", "retry-after-ms": "1"}), max_retries=2
    )

    assert ask(responder) == error("overloaded", attempts=1)
    assert len(seen) == 1


QUICK_529 = api_error(529, "overloaded_error", {"retry-after-ms": "1"})


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        ((raises(httpx2.ReadTimeout), good_answer()), (ReplyKind.ANSWER, "", 2)),
        ((raises(httpx2.ReadTimeout),), (ReplyKind.ERROR, "timeout", 3)),
        ((raises(httpx2.ConnectError),), (ReplyKind.ERROR, "connection", 3)),
        (
            (api_error(429, "rate_limit_error", {"retry-after-ms": "1"}),),
            (ReplyKind.ERROR, "rate_limited", 3),
        ),
        ((QUICK_529,), (ReplyKind.ERROR, "overloaded", 3)),
        ((api_error(500, "api_error", {"retry-after-ms": "1"}),), (ReplyKind.ERROR, "api_error", 3)),
        ((api_error(401, "authentication_error"),), (ReplyKind.ERROR, "auth", 1)),
        ((api_error(400, "invalid_request_error"),), (ReplyKind.ERROR, "bad_request", 1)),
        ((QUICK_529, message([], stop_reason="refusal")), (ReplyKind.ERROR, "refusal", 2)),
        ((answer_call(answer="Yes."),), (ReplyKind.ERROR, "malformed", 1)),
        ((message([{"type": "text", "text": "Yes."}], "end_turn"),), (ReplyKind.ERROR, "malformed", 1)),
    ],
)
def test_every_error_kind_is_an_error_reply_within_the_budget_with_its_attempts(replies, expected):
    responder, seen = responder_with(*replies, max_retries=2, total_budget=3.0)

    reply, elapsed = timed(responder)

    assert (reply.kind, reply.error, reply.attempts) == expected
    assert (reply.model, len(seen)) == (MODEL, reply.attempts)
    assert elapsed < 3.0
    billed = reply.kind == ReplyKind.ANSWER or reply.error in ("refusal", "malformed")
    assert reply.usage == (USAGE if billed else {})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5", "retry-after-ms": "40"}, 0.04),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_headers_are_read_as_seconds(headers, expected):
    assert retry_after_seconds(httpx2.Headers(headers)) == expected


def test_a_retry_after_date_is_read_as_seconds_from_now():
    in_ten_seconds = email.utils.formatdate(time.time() + 10, usegmt=True)

    assert retry_after_seconds(httpx2.Headers({"retry-after": in_ten_seconds})) == pytest.approx(10, abs=1.5)


def test_a_real_socket_that_never_answers_is_given_up_on_within_the_budget(monkeypatch):
    """No mock transport here: the SDK's own httpx client connects to a local socket that never answers,
    so the timeout is enforced by the real transport."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        responder = ClaudeResponder(api_key=KEY, model=MODEL, timeout=5.0, max_retries=2, total_budget=1.0)

        reply, elapsed = timed(responder)

    assert reply == error("timeout", attempts=1)
    assert 0.9 <= elapsed < 1.0 + MARGIN
