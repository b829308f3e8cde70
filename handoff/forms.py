"""The reports page's filters: they check the shape of the input; the report's scope checks its meaning
(a reversed or too long range, a bot or queue of another company)."""

from __future__ import annotations

from django import forms

DATE_FORMAT = "%Y-%m-%d"


class ReportFilterForm(forms.Form):
    bot = forms.CharField(required=False, max_length=20)
    queue = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the date fields are named here, first.
        dates = {
            name: forms.DateField(
                required=False,
                input_formats=[DATE_FORMAT],
                error_messages={"invalid": "Enter a real date as YYYY-MM-DD."},
            )
            for name in ("from", "to")
        }
        self.fields = {**dates, **self.fields}
