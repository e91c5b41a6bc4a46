"""The accessibility statement and the feedback channel that the Act on the Provision of Digital Services
(306/2019) requires, linked from the footer of every page."""

from __future__ import annotations

import pytest

from kohtaamo.core.models import Feedback

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title"),
    [("", "Saavutettavuusseloste"), ("/sv", "Tillgänglighetsutlåtande"), ("/en", "Accessibility statement")],
)
def test_the_accessibility_statement_is_there_in_each_language(client, language, title):
    page = client.get(f"{language}/accessibility/").content.decode()
    assert f"<h1>{title}</h1>" in page
    assert "306/2019" in page
    assert f'href="{language}/feedback/"' in page


@pytest.mark.parametrize("path", ["/", "/sites/", "/accounts/login/", "/en/feedback/"])
def test_every_page_links_to_the_statement_and_the_feedback_form_in_its_footer(client, path):
    footer = client.get(path).content.decode().split('<footer class="site-footer">')[1]
    language = "/en" if path.startswith("/en/") else ""
    assert f'href="{language}/accessibility/"' in footer
    assert f'href="{language}/feedback/"' in footer


def test_staff_pages_link_to_the_statement_and_to_two_factor_settings(as_user, alice):
    footer = as_user(alice).get("/staff/sites/").content.decode().split('<footer class="site-footer">')[1]
    assert 'href="/accessibility/"' in footer and 'href="/accounts/2fa/"' in footer


def test_a_visitor_sends_feedback_without_logging_in(client):
    response = client.post(
        "/en/feedback/",
        {"topic": "accessibility", "message": "The opening hours table is hard to read with a screen reader."},
        follow=True,
    )
    assert "Thank you for your feedback." in response.content.decode()
    feedback = Feedback.objects.get()
    assert feedback.topic == "accessibility" and feedback.language == "en" and feedback.reply_to == ""


def test_feedback_may_leave_an_address_for_the_answer(client):
    client.post("/feedback/", {"topic": "other", "message": "Kiitos!", "reply_to": "kavija@example.org"})
    assert Feedback.objects.get().reply_to == "kavija@example.org"


@pytest.mark.parametrize(
    ("message", "refusal"),
    [
        ("Soittakaa minulle numeroon 040 123 4567", "Remove the phone number."),
        ("Asiakkaani 131052-308T ei päässyt sisään", "Remove the personal identity code"),
        ("Vastatkaa osoitteeseen matti@example.org", "Remove the e-mail address."),
    ],
)
def test_the_privacy_guard_refuses_personal_data_in_the_feedback_message(client, message, refusal):
    response = client.post("/en/feedback/", {"topic": "content", "message": message})
    assert response.status_code == 200
    assert refusal in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_privacy_guard_covers_the_page_field_too(client):
    response = client.post("/en/feedback/", {"topic": "content", "message": "Virhe", "page": "Pihlajakatu 5 B"})
    assert "Remove the street address" in response.content.decode()
    assert not Feedback.objects.exists()


def test_an_empty_message_is_refused_with_the_error_beside_the_field(client):
    page = client.post("/en/feedback/", {"topic": "content", "message": ""}).content.decode()
    assert 'class="error-summary"' in page and 'id="id_message_error"' in page
    assert not Feedback.objects.exists()
