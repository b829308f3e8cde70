import pytest
from django.core.exceptions import ValidationError

from helpdesk.models import validate_order_number_pattern


@pytest.mark.parametrize("pattern", [r"LL-\d{6}", r"#?\d{5,8}", r"[A-Z]{2}-\d+"])
def test_sensible_order_patterns_are_accepted(pattern):
    validate_order_number_pattern(pattern)


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\d*)*", r"(x{1,9})+", r"[unclosed", "x" * 121])
def test_dangerous_or_broken_order_patterns_are_refused(pattern):
    with pytest.raises(ValidationError):
        validate_order_number_pattern(pattern)
