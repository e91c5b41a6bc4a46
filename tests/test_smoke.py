import pytest

pytestmark = pytest.mark.django_db


def test_public_pages_render_in_three_languages(client, tampere_site):
    for prefix in ("", "/sv", "/en"):
        for path in ("/", "/sites/", f"/sites/{tampere_site.pk}/", "/accounts/login/"):
            response = client.get(prefix + path)
            assert response.status_code == 200, (prefix + path, response.status_code)
