"""The browser scripts' translations: one JSON catalog per language the product speaks."""

import pytest
from django.urls import reverse


def test_each_language_the_product_speaks_has_a_catalog(client, settings):
    for code, _ in settings.LANGUAGES:
        response = client.get(reverse("script-catalog", args=[code]))
        assert response.status_code == 200, code
        data = response.json()
        assert set(data) >= {"catalog", "formats", "plural"}
        assert "public" in response["Cache-Control"]


def test_a_language_the_product_does_not_speak_is_a_404_naming_those_it_does(client):
    response = client.get(reverse("script-catalog", args=["xx"]))
    assert response.status_code == 404
    assert "es" in response.json()["detail"] and "“xx”" in response.json()["detail"]


@pytest.mark.parametrize("lang", ["es-MX", "../../etc", "ES"])
def test_only_a_bare_supported_code_is_accepted(client, lang):
    assert client.get(f"/api/v1/widget/i18n/{lang}.json").status_code == 404


def test_a_customers_site_may_fetch_it(client):
    response = client.get(reverse("script-catalog", args=["fr"]), HTTP_ORIGIN="https://shop.example")
    assert response["Access-Control-Allow-Origin"] == "*"
