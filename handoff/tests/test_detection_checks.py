"""A server without a usable handoff model refuses to start with a clear error (``handoff.checks``)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from handoff.checks import detector_check
from handoff.detection.store import detector_forget


@pytest.fixture
def model_at(monkeypatch, tmp_path):
    def point(content: bytes | None):
        path = tmp_path / "detector.joblib"
        if content is not None:
            path.write_bytes(content)
        monkeypatch.setenv("HANDOFF_DETECTOR_PATH", str(path))
        detector_forget()
        return path

    yield point
    detector_forget()


def test_a_missing_model_is_an_error_naming_the_file_and_the_command(model_at):
    path = model_at(None)

    (error,) = detector_check()

    assert error.id == "handoff.E001"
    assert "missing" in error.msg and str(path) in error.msg and "detection_train" in error.msg
    with pytest.raises(SystemCheckError, match="handoff.E001"):
        call_command("check")


def test_a_corrupt_model_is_an_error_too(model_at):
    model_at(b"not a model")

    (error,) = detector_check()

    assert "corrupt" in error.msg


def test_the_built_model_passes():
    detector_forget()

    assert detector_check() == []
