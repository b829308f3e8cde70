"""Validators shared by every app."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# A quantified group that is itself quantified, e.g. (a+)+ : the shape of catastrophic backtracking.
NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}]\)\s*[+*{]")
PATTERN_MAX = 200


def validate_safe_regex(value: str) -> None:
    """An admin's regular expression runs on every customer message, so it must compile, stay short and
    avoid nested quantifiers (Python's ``re`` has no timeout to save a worker from catastrophic
    backtracking)."""
    if len(value) > PATTERN_MAX:
        raise ValidationError(f"Keep the pattern under {PATTERN_MAX} characters.")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(f"Not a valid regular expression: {exc}.") from exc
    if NESTED_QUANTIFIER.search(value):
        raise ValidationError("Nested quantifiers such as (a+)+ can hang the bot; simplify the pattern.")


def validate_safe_regex_lines(value: str) -> None:
    """One pattern per line, each checked by :func:`validate_safe_regex`, naming the line that fails."""
    for number, line in enumerate(value.splitlines(), start=1):
        if line.strip():
            try:
                validate_safe_regex(line.strip())
            except ValidationError as exc:
                raise ValidationError(f"Line {number}: {exc.messages[0]}") from exc
