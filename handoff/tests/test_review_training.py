"""Confirmed reviews as the detector's examples, for companies that opted in: which messages with which
labels, masked; nothing from companies that did not opt in or from unconfirmed reviews; and default
training (nobody opted in, or no rows at all) is exactly the model it was."""

from __future__ import annotations

import pytest

from handoff.detection.corpus import Example, load_corpus
from handoff.detection.evaluation import reviewed_effect
from handoff.detection.model import DEFAULT_CONFIG, ModelConfig, corpus_version, train, training_version
from handoff.detection.store import current_version, detector_load, detector_save
from handoff.management.commands.detection_train import reviewed_summary
from handoff.models import ReviewSettings
from handoff.review.examples import REVIEW_DOMAIN, reviewed_training_examples
from handoff.review.services import review_confirm, review_correct, review_mark
from handoff.tests.review_support import bot_resolved, customer_seqs, handed_off
from handoff.tests.test_detection_model import TINY
from helpdesk.models import Contact, Membership

CONFIG = ModelConfig(threshold_folds=0)


@pytest.fixture
def desk(make_tenant, make_bot, make_agent):
    tenant = make_tenant("acme")
    return {
        "tenant": tenant,
        "bot": make_bot(tenant),
        "agent": make_agent(tenant, "alice"),
        "lead": make_agent(tenant, "lena", role=Membership.Role.LEAD),
    }


def opt_in(tenant, on: bool = True) -> None:
    ReviewSettings.objects.update_or_create(tenant=tenant, defaults={"train_detector": on})


def confirmed_reviews(desk) -> dict:
    bot, agent, lead = desk["bot"], desk["agent"], desk["lead"]
    late = handed_off(
        bot, ("How long does delivery take?", "Jo Bloggs here, and can I return a bike?", "agent")
    )
    Contact.objects.for_tenant(desk["tenant"]).filter(pk=late.contact_id).update(name="Jo Bloggs")
    review_correct(
        membership=lead, conversation=late, verdict="late", at_seq=customer_seqs(late)[1], signal="person"
    )
    unnecessary = handed_off(bot, ("How long does delivery take?", "talk to a human please"))
    review_mark(membership=agent, conversation=unnecessary, verdict="unnecessary")
    review_confirm(membership=lead, conversation=unnecessary)
    missed = bot_resolved(bot)
    review_correct(
        membership=lead,
        conversation=missed,
        verdict="missed",
        at_seq=customer_seqs(missed)[1],
        signal="low_confidence",  # the bot not knowing: not a message's signal
    )
    waiting = handed_off(bot, ("How long does delivery take?", "I need a person now"))
    review_mark(membership=agent, conversation=waiting, verdict="unnecessary")  # not confirmed
    return {"late": late, "unnecessary": unnecessary}


@pytest.mark.django_db
def test_an_opted_in_companys_confirmed_reviews_become_labelled_masked_examples(desk):
    confirmed_reviews(desk)
    opt_in(desk["tenant"])

    reviewed = reviewed_training_examples(TINY)

    assert (reviewed.companies, reviewed.left_out, reviewed.problem) == (1, 0, "")
    assert [(e.text, e.labels, e.domain, e.hard) for e in reviewed.examples] == [
        ("[name] [name] here, and can I return a bike?", ("person",), REVIEW_DOMAIN, False),
        ("talk to a human please", (), REVIEW_DOMAIN, True),
    ]
    assert reviewed_summary(reviewed) == (
        "Reviewed examples: 2 added from the confirmed reviews of 1 company that opted in."
    )


@pytest.mark.django_db
def test_nothing_is_taken_from_a_company_that_did_not_opt_in(desk, make_tenant):
    confirmed_reviews(desk)
    opt_in(make_tenant("globex"))  # another company opted in, with no reviews
    opt_in(desk["tenant"], on=False)

    reviewed = reviewed_training_examples(TINY)

    assert (reviewed.examples, reviewed.companies) == ([], 1)


@pytest.mark.django_db
def test_a_reviewed_text_the_corpus_already_has_keeps_the_corpus_label(desk):
    confirmed_reviews(desk)
    opt_in(desk["tenant"])
    corpus = [*TINY, Example("talk to a human please", ("person",), "en", "shop")]

    reviewed = reviewed_training_examples(corpus)

    assert [e.labels for e in reviewed.examples] == [("person",)] and reviewed.left_out == 1


@pytest.mark.django_db
def test_default_training_on_an_empty_database_has_the_version_it_always_had():
    corpus = load_corpus()
    reviewed = reviewed_training_examples(corpus)

    assert reviewed.examples == [] and reviewed.companies == 0
    assert reviewed_summary(reviewed).startswith("Reviewed examples: none (no company has switched on")
    assert training_version(corpus, DEFAULT_CONFIG, reviewed.examples) == current_version()


def test_a_model_with_reviewed_examples_says_so_and_still_loads_as_current(tmp_path):
    reviewed = [Example("this bot is a waste of my time", ("frustrated",), "en", REVIEW_DOMAIN)]
    plain = train(TINY, CONFIG)

    taught = train(TINY, CONFIG, reviewed=reviewed)

    assert plain.version == training_version(TINY, CONFIG)
    assert (
        taught.version.startswith(plain.version + "+reviews.")
        and corpus_version(taught.version) == plain.version
    )
    assert taught.counts["frustrated"] == plain.counts["frustrated"] + 1
    assert train(TINY, CONFIG, reviewed=reviewed).version == taught.version  # deterministic
    detector_save(taught, tmp_path / "model.joblib")
    assert detector_load(tmp_path / "model.joblib", plain.version).version == taught.version


def test_the_effect_of_reviewed_examples_is_judged_on_messages_each_model_did_not_see():
    reviewed = [
        Example("this bot is a waste of my time", ("frustrated",), "en", REVIEW_DOMAIN),
        Example("what a waste of my time this bot is", ("frustrated",), "en", REVIEW_DOMAIN),
        Example("can I get a human", ("person",), "en", REVIEW_DOMAIN),
        Example("which sizes do the shoes come in", (), "en", REVIEW_DOMAIN, hard=True),
    ]

    effect = reviewed_effect(TINY, reviewed, CONFIG, folds=2)

    assert effect["examples"] == 4
    for side in ("without", "with"):
        assert effect[side]["handoff"]["support"] == 3
        assert effect[side]["false_handoff_hard"]["lines"] == 1
    assert reviewed_effect(TINY, [], CONFIG) == {}
