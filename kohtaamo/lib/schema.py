"""Types shared by the API schemas."""

from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

# PostgreSQL text cannot hold a NUL character: a "\0" in a filter answered 500 there (found by schemathesis).
# Django's forms refuse it by themselves; the API's schemas say so with this type.
PlainText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


class DetailOut(Schema):
    """Django Ninja's answer to a refused request: 404, or 422 with the invalid parameters."""

    detail: str | list = Field(description="What was wrong: a message, or the invalid parameters")
