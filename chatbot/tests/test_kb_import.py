import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chatbot.kb_import import ImportFileError, parse_csv, parse_file, parse_json, parse_markdown
from chatbot.models import KnowledgeArticle
from tests.support.db import every_tenant


def test_markdown_takes_the_title_from_the_first_heading():
    rows = parse_markdown("# Gift wrap\n\nWe wrap any order for $4.\n", "gift.md")
    assert [(r.title, r.body, r.url, r.enabled) for r in rows] == [
        ("Gift wrap", "We wrap any order for $4.", "", True)
    ]


def test_markdown_front_matter_wins_and_can_disable():
    text = "---\ntitle: Store hours\nurl: https://shop.example/hours\nenabled: no\n---\n# Ignored?\nOpen 9-5."
    (row,) = parse_markdown(text, "hours.md")
    assert (row.title, row.url, row.enabled) == ("Store hours", "https://shop.example/hours", False)
    assert row.body == "# Ignored?\nOpen 9-5."


def test_markdown_without_heading_uses_the_file_name():
    (row,) = parse_markdown("Just the body.", "kb/opening-hours.md")
    assert row.title == "Opening hours"


def test_markdown_with_unclosed_front_matter_is_rejected():
    with pytest.raises(ImportFileError) as err:
        parse_markdown("---\ntitle: x\nurl: https://s.example/x", "x.md")
    assert err.value.line == 1
    assert "closing" in err.value.reason


def test_csv_reads_rows_with_their_optional_columns():
    text = 'title,body,url,enabled\nDelivery,"Two days, usually.",https://s.example/d,true\nGifts,Wrapped.,,false\n'
    rows = parse_csv(text, "kb.csv")
    assert [(r.title, r.body, r.url, r.enabled, r.line) for r in rows] == [
        ("Delivery", "Two days, usually.", "https://s.example/d", True, 2),
        ("Gifts", "Wrapped.", "", False, 3),
    ]


def test_csv_without_a_body_column_is_rejected_on_line_1():
    with pytest.raises(ImportFileError) as err:
        parse_csv("title,text\nA,B\n", "kb.csv")
    assert (err.value.line, "missing: body" in err.value.reason) == (1, True)


def test_csv_row_with_an_empty_body_names_its_line():
    with pytest.raises(ImportFileError) as err:
        parse_csv("title,body\nA,fine\nB,\n", "kb.csv")
    assert err.value.line == 3
    assert "no body" in err.value.reason


def test_csv_with_a_bad_url_is_rejected():
    with pytest.raises(ImportFileError) as err:
        parse_csv("title,body,url\nA,B,javascript:alert(1)\n", "kb.csv")
    assert "not an http(s) URL" in err.value.reason


def test_json_list_is_read():
    text = json.dumps([{"title": "A", "body": "Alpha"}, {"title": "B", "body": "Beta", "enabled": False}])
    assert [(r.title, r.enabled) for r in parse_json(text, "kb.json")] == [("A", True), ("B", False)]


def test_malformed_json_names_the_line():
    with pytest.raises(ImportFileError) as err:
        parse_json('[\n  {"title": "A", "body": "x"},\n  {"title": "B" "body": "y"}\n]', "kb.json")
    assert err.value.line == 3


def test_json_item_with_unknown_keys_names_its_line():
    text = '[\n  {"title": "A", "body": "x"},\n  {"title": "B", "bdy": "y"}\n]'
    with pytest.raises(ImportFileError) as err:
        parse_json(text, "kb.json")
    assert err.value.line == 3
    assert "bdy" in err.value.reason


def test_duplicate_titles_in_one_file_are_rejected(tmp_path):
    path = tmp_path / "kb.csv"
    path.write_text("title,body\nA,one\nA,two\n")
    with pytest.raises(ImportFileError) as err:
        parse_file(path)
    assert err.value.line == 3


def test_an_unsupported_file_type_is_rejected(tmp_path):
    path = tmp_path / "kb.txt"
    path.write_text("hello")
    with pytest.raises(ImportFileError) as err:
        parse_file(path)
    assert "unsupported" in err.value.reason


@pytest.mark.django_db
def test_the_command_imports_good_files_and_rejects_bad_ones_whole(tmp_path, make_tenant, make_bot, capsys):
    bot = make_bot(make_tenant("acme"), articles=[])
    (tmp_path / "gift.md").write_text("# Gift wrap\nWe wrap any order for $4.")
    (tmp_path / "faq.csv").write_text("title,body\nDelivery,Two days.\nPickup,At the store.\n")
    (tmp_path / "bad.json").write_text('[{"title": "Good one", "body": "fine"}, {"title": "", "body": "x"}]')
    with pytest.raises(CommandError) as err:
        call_command("kb_import", str(bot.pk), str(tmp_path), "--no-progress")
    assert "1 file(s) were rejected" in str(err.value)
    out, errors = capsys.readouterr()
    assert "3 created, 0 updated, 0 skipped (unchanged), 1 file(s) rejected" in out
    assert "bad.json, line 1: the title is empty" in errors
    assert sorted(every_tenant(KnowledgeArticle).filter(bot=bot).values_list("title", flat=True)) == [
        "Delivery",
        "Gift wrap",
        "Pickup",
    ]


@pytest.mark.django_db
def test_importing_again_skips_unchanged_and_updates_changed(tmp_path, make_tenant, make_bot, capsys):
    bot = make_bot(make_tenant("acme"), articles=[])
    path = tmp_path / "faq.csv"
    path.write_text("title,body\nDelivery,Two days.\nPickup,At the store.\n")
    call_command("kb_import", bot.public_key, str(path), "--no-progress")
    path.write_text("title,body\nDelivery,Three days.\nPickup,At the store.\n")
    capsys.readouterr()
    call_command("kb_import", bot.public_key, str(path), "--no-progress")
    assert "0 created, 1 updated, 1 skipped (unchanged)" in capsys.readouterr().out
    assert every_tenant(KnowledgeArticle).get(bot=bot, title="Delivery").body == "Three days."


@pytest.mark.django_db
def test_an_unknown_bot_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError) as err:
        call_command("kb_import", "pk_missing", str(tmp_path))
    assert "No bot" in str(err.value)


def test_markdown_front_matter_is_yaml():
    text = '---\ntitle: "Returns: how and when"\nenabled: true\n---\n\nWithin 30 days.'
    (row,) = parse_markdown(text, "returns.md")
    assert (row.title, row.body, row.enabled) == ("Returns: how and when", "Within 30 days.", True)


@pytest.mark.parametrize(
    ("text", "line"),
    [("---\ntitle: [unclosed\n---\nBody.", 3), ("---\n- a list\n- not keys\n---\nBody.", 2)],
)
def test_front_matter_that_is_not_key_value_lines_is_rejected_with_its_line(text, line):
    with pytest.raises(ImportFileError) as err:
        parse_markdown(text, "bad.md")
    assert err.value.line == line
    assert "front matter" in err.value.reason


def test_a_heading_after_front_matter_is_the_title_with_its_line_in_the_file():
    text = "---\nurl: https://shop.example/gift\n---\n\n# Gift wrap\nWe wrap any order."
    (row,) = parse_markdown(text, "gift.md")
    assert (row.title, row.line, row.body.strip()) == ("Gift wrap", 5, "We wrap any order.")
