"""The agents' side through the REST API: replies, queues, agents' presence, canned replies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chatbot.services import api_conversation_start
from helpdesk.contacts import contact_find_or_create
from helpdesk.models import Conversation, Membership, Message
from helpdesk.tests.api_support import client_for
from inbox.models import AgentPresence, CannedReply
from inbox.presence import presence_connect
from tests.support.db import every_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(bot) -> Conversation:
    contact, _ = contact_find_or_create(tenant=bot.tenant, email="pat@example.com")
    return api_conversation_start(tenant=bot.tenant, bot=bot, contact=contact)


def reply(client, conversation, **body):
    return client.post(f"/api/v1/conversations/{conversation.pk}/replies/", body, format="json")


def test_a_key_replies_as_the_agent_it_names_and_the_reply_claims_the_conversation(
    api, acme, conversation, make_agent
):
    alice = make_agent(acme, "alice", name="Alice")
    response = reply(api, conversation, text="Hi, I'm Alice.", client_msg_id="r1", agent_id=alice.user_id)
    assert response.status_code == 201, response.content
    assert (response.json()["author_kind"], response.json()["author_name"]) == ("agent", "Alice")
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee_id) == ("assigned", alice.user_id)
    again = reply(api, conversation, text="Hi, I'm Alice.", client_msg_id="r1", agent_id=alice.user_id)
    assert (again.status_code, again.json()["id"]) == (200, response.json()["id"])


def test_a_key_must_name_an_agent_of_its_own_tenant(api, conversation, make_tenant, make_agent):
    missing = reply(api, conversation, text="Hello")
    assert (missing.status_code, list(missing.json()["error"]["fields"])) == (400, ["agent_id"])
    stranger = make_agent(make_tenant("globex"), "eve")
    foreign = reply(api, conversation, text="Hello", agent_id=stranger.user_id)
    assert (foreign.status_code, foreign.json()["error"]["fields"]) == (400, {"agent_id": ["Not found."]})
    assert not every_tenant(Message).filter(conversation=conversation, author_kind="agent").exists()


def test_a_session_replies_as_itself(acme, conversation, make_agent):
    bob, alice = make_agent(acme, "bob"), make_agent(acme, "alice")
    client = client_for(None)
    client.force_login(bob.user)
    assert reply(client, conversation, text="Hi", agent_id=alice.user_id).status_code == 400
    response = reply(client, conversation, text="Hi")
    assert response.status_code == 201
    assert every_tenant(Message).get(pk=response.json()["id"]).author_id == bob.user_id


def test_a_public_reply_to_another_agents_conversation_is_a_conflict_but_a_note_is_fine(
    api, acme, conversation, make_agent
):
    alice, bob = make_agent(acme, "alice"), make_agent(acme, "bob")
    reply(api, conversation, text="Mine", agent_id=alice.user_id)
    taken = reply(api, conversation, text="No, mine", agent_id=bob.user_id)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "conflict")
    note = reply(api, conversation, text="FYI: VIP", private=True, agent_id=bob.user_id)
    assert (note.status_code, note.json()["private"]) == (201, True)
    conversation.refresh_from_db()
    assert conversation.assignee_id == alice.user_id


def test_queues_show_and_change_their_members_and_policy(api, acme, bot, make_agent, make_tenant):
    alice = make_agent(acme, "alice")
    url = f"/api/v1/queues/{bot.queue_id}/"
    response = api.patch(url, {"member_ids": [alice.user_id], "assignment": "round_robin"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["member_ids"], response.json()["assignment"]) == ([alice.user_id], "round_robin")
    stranger = make_agent(make_tenant("globex"), "eve")
    refused = api.patch(url, {"member_ids": [alice.user_id, stranger.user_id]}, format="json")
    assert (refused.status_code, list(refused.json()["error"]["fields"])) == (400, ["member_ids"])
    assert api.get(url).json()["member_ids"] == [alice.user_id]


def test_agents_are_listed_with_their_live_presence(api, acme, make_agent):
    alice, bob = make_agent(acme, "alice", name="Alice"), make_agent(acme, "bob", name="Bob")
    carol = make_agent(acme, "carol", role=Membership.Role.ADMIN)
    presence_connect(membership=alice)
    presence_connect(membership=carol)
    every_tenant(AgentPresence).filter(user=carol.user).update(
        last_seen_at=timezone.now() - timedelta(hours=1)
    )
    rows = {a["id"]: a for a in api.get("/api/v1/agents/").json()["results"]}
    assert rows[alice.user_id]["status"] == "online"
    assert rows[bob.user_id]["status"] == "offline"
    assert rows[carol.user_id]["status"] == "offline"
    assert rows[carol.user_id]["role"] == "admin"
    online = api.get("/api/v1/agents/", {"status": "online"}).json()["results"]
    assert [a["id"] for a in online] == [alice.user_id]
    offline = api.get("/api/v1/agents/", {"status": "offline"}).json()["results"]
    assert {a["id"] for a in offline} == {bob.user_id, carol.user_id}
    assert api.get(f"/api/v1/agents/{alice.user_id}/").json()["name"] == "Alice"


def test_canned_replies_are_made_searched_changed_and_deleted(api):
    created = api.post(
        "/api/v1/canned-replies/",
        {"title": "Refunds", "shortcut": "refund", "body": "Refunds take 5 days."},
        format="json",
    )
    assert created.status_code == 201
    reply_id = created.json()["id"]
    clash = api.post("/api/v1/canned-replies/", {"title": "Refunds", "body": "x"}, format="json")
    assert (clash.status_code, list(clash.json()["error"]["fields"])) == (400, ["title"])
    assert [r["id"] for r in api.get("/api/v1/canned-replies/", {"q": "5 days"}).json()["results"]] == [
        reply_id
    ]
    changed = api.patch(
        f"/api/v1/canned-replies/{reply_id}/", {"body": "Refunds take 3 days."}, format="json"
    )
    assert changed.json()["body"] == "Refunds take 3 days."
    assert api.delete(f"/api/v1/canned-replies/{reply_id}/").status_code == 204
    assert not every_tenant(CannedReply).exists()
