"""Reads of the harness's database that tests assert on: what happened to each customer message."""

from __future__ import annotations

from dataclasses import dataclass

from tests.fault.harness import Database

ACCOUNTS_SQL = """
SELECT m.id, m.seq, m.client_msg_id,
       (SELECT count(*) FROM helpdesk_message b
         WHERE b.conversation_id = m.conversation_id AND b.author_kind = 'bot'
           AND b.data->>'reply_to' = m.id::text) AS answers,
       EXISTS (SELECT 1 FROM handoff_handoff h JOIN helpdesk_message t ON t.id = h.trigger_message_id
                WHERE h.conversation_id = m.conversation_id AND t.seq <= m.seq) AS handed
  FROM helpdesk_message m
 WHERE m.conversation_id = %s AND m.author_kind = 'customer'
 ORDER BY m.seq
"""


@dataclass(frozen=True)
class Account:
    """One stored customer message: how many bot answers name it, and whether a handoff covers it."""

    seq: int
    client_msg_id: str
    answers: int
    handed: bool

    @property
    def settled(self) -> bool:
        return self.answers == 1 or (self.answers == 0 and self.handed)


def accounts(database: Database, conversation_id: int) -> list[Account]:
    return [
        Account(seq=seq, client_msg_id=cid, answers=answers, handed=handed)
        for _, seq, cid, answers, handed in database.rows(ACCOUNTS_SQL, (conversation_id,))
    ]


def last_seq(database: Database, conversation_id: int) -> int:
    return database.value("SELECT last_seq FROM helpdesk_conversation WHERE id = %s", (conversation_id,))


def public_seqs(database: Database, conversation_id: int) -> list[int]:
    """The seqs a customer's socket delivers: every message but agents' private notes (such as the
    handoff's reason, which the customer never sees)."""
    rows = database.rows(
        "SELECT seq FROM helpdesk_message WHERE conversation_id = %s AND NOT private ORDER BY seq",
        (conversation_id,),
    )
    return [row[0] for row in rows]


def bot_told_at(database: Database, conversation_id: int, after_seq: int) -> list[tuple[int, str]]:
    """Messages the customer can see (bot or system, not private) after ``after_seq``."""
    return database.rows(
        "SELECT seq, body FROM helpdesk_message WHERE conversation_id = %s AND seq > %s "
        "AND author_kind IN ('bot', 'system') AND NOT private ORDER BY seq",
        (conversation_id, after_seq),
    )
