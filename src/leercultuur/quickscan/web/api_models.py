"""Response models of the JSON API: what /openapi.json promises, exactly (no extra fields).

Every successful JSON answer is declared here, so schemathesis' response-schema check compares
the answers with a real schema instead of "any object" (tests/load/run_schemathesis.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CsrfOut(Out):
    csrf_token: str


class UserOut(Out):
    id: int
    username: str
    role: Literal["admin", "hr"]
    organisation_id: int | None


class LoginOut(Out):
    user: UserOut
    csrf_token: str


class LogoutOut(Out):
    logged_out: bool


class OrganisationOut(Out):
    id: int
    name: str


class LinkOut(Out):
    """A one-time link (invitation or password reset); ``token`` for API clients."""

    url: str
    expires_at: str
    token: str


class ScanOut(Out):
    id: int
    public_id: str
    name: str
    sector: str
    size_class: str
    headcount: int
    languages: list[Literal["nl", "en"]]
    closes_on: str
    min_group_size: int
    open_link: bool
    teams: list[str]
    kind: Literal["employees", "employer"]
    status: Literal["open", "closed"]
    response_count: int


class ScanDetailOut(ScanOut):
    questionnaire_url: str


class CodeOut(Out):
    code: str
    url: str


class CodesOut(Out):
    codes: list[CodeOut]


class OptionOut(Out):
    code: int
    label: str


class ItemOut(Out):
    id: str
    block: str
    text: str
    required: bool
    options: list[OptionOut]


class BlockOut(Out):
    id: str
    title: str
    items: list[ItemOut]


class QuestionnaireOut(Out):
    name: str
    languages: list[Literal["nl", "en"]]
    needs_code: bool
    privacy_notice: list[str]
    blocks: list[BlockOut]


class SubmitOut(Out):
    status: Literal["stored", "duplicate"]
