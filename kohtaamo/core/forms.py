"""The feedback form: free text through the privacy guard, so nobody writes a visitor's details into it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kohtaamo.core.models import Feedback
from kohtaamo.lib import privacy

MESSAGE_MAX_LENGTH = 4000


class FeedbackForm(forms.Form):
    topic = forms.ChoiceField(label=_("What is your feedback about?"), choices=Feedback.Topic.choices)
    message = privacy.PrivateTextField(
        label=_("Your feedback"),
        max_length=MESSAGE_MAX_LENGTH,
        # The reply address has a field of its own; in the message it would be refused as personal data.
        help_text=_("Tell us what did not work or what you could not reach. Do not write anyone's personal details."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    page = privacy.PrivateTextField(label=_("Page the feedback is about (optional)"), max_length=500, required=False)
    reply_to = forms.EmailField(
        label=_("E-mail address for an answer (optional)"),
        required=False,
        help_text=_("Only if you want an answer. It is used for nothing else."),
    )
