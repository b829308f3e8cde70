"""The links demo_setup prints use the address actually served: the port ``make run`` passes, else the
PORT environment variable, else SITE_URL; a wildcard bind prints as loopback; bad input is refused."""

import pytest
from django.core.management import CommandError, call_command

from helpdesk.models import Tenant

pytestmark = pytest.mark.django_db


def demo_links(capsys) -> list[str]:
    return [line.split(" : ", 1)[1] for line in capsys.readouterr().out.splitlines() if "http" in line]


def test_the_links_use_the_port_make_run_passes(capsys, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    call_command("demo_setup", "--host", "127.0.0.1", "--port", "8080")
    assert demo_links(capsys) == [
        "http://127.0.0.1:8080/chat/demo/pk_demo_northwind/",
        "http://127.0.0.1:8080/inbox/",
        "http://127.0.0.1:8080/admin/",
    ]


def test_without_a_port_argument_the_port_environment_variable_is_used(capsys, monkeypatch, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    monkeypatch.setenv("PORT", "9123")
    call_command("demo_setup")
    assert demo_links(capsys)[1] == "http://127.0.0.1:9123/inbox/"


def test_without_a_port_at_all_the_links_use_site_url(capsys, monkeypatch, settings):
    settings.SITE_URL = "https://help.example.com/"
    monkeypatch.delenv("PORT", raising=False)
    call_command("demo_setup")
    assert demo_links(capsys)[1] == "https://help.example.com/inbox/"


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("0.0.0.0", "http://127.0.0.1:8080"),
        ("::", "http://[::1]:8080"),
        ("::1", "http://[::1]:8080"),
        ("localhost", "http://localhost:8080"),
    ],
)
def test_a_wildcard_or_ipv6_bind_is_printed_as_an_address_a_browser_opens(capsys, host, site):
    call_command("demo_setup", "--host", host, "--port", "8080")
    assert demo_links(capsys)[2] == f"{site}/admin/"


@pytest.mark.parametrize(
    ("args", "env_port", "message"),
    [
        (["--port", "0"], None, "--port must be a port number"),
        (["--port", "70000"], None, "--port must be a port number"),
        (["--port", "eighty"], None, "--port must be a port number"),
        ([], "http", "The PORT environment variable must be a port number"),
        (["--host", "evil.example/path", "--port", "8080"], None, "--host must be a host name"),
    ],
)
def test_a_bad_port_or_host_is_refused_before_anything_is_loaded(monkeypatch, args, env_port, message):
    if env_port is None:
        monkeypatch.delenv("PORT", raising=False)
    else:
        monkeypatch.setenv("PORT", env_port)
    with pytest.raises(CommandError, match=message):
        call_command("demo_setup", *args)
    assert not Tenant.objects.exists()
