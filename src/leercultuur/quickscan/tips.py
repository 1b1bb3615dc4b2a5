"""Feedback and tips per dimension for the report (content in ``tips.yaml``, Dutch and English)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from leercultuur.quickscan.items import Language

TIPS_FILE = Path(__file__).with_name("tips.yaml")
DIMENSIONS = ("nonformal", "informal", "variation", "autonomy", "supervisor")
FeedbackKey = Literal["lower", "comparable", "higher", "unknown"]


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    url: str | None = None
    via: str | None = None


class _Tip(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    sources: list[str]


class _Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lower: str
    comparable: str
    higher: str
    unknown: str


class _Lang(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    why: str
    feedback: _Feedback
    tips: list[_Tip]


class _Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nl: _Lang
    en: _Lang


class _TipsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: dict[str, _Source]
    dimensions: dict[str, _Dimension]

    @model_validator(mode="after")
    def _complete(self) -> _TipsFile:
        missing = [d for d in DIMENSIONS if d not in self.dimensions]
        if missing:
            raise ValueError(f"dimensions missing: {', '.join(missing)}")
        for name, dim in self.dimensions.items():
            if len(dim.nl.tips) != len(dim.en.tips):
                raise ValueError(
                    f"{name}: {len(dim.nl.tips)} Dutch tips, {len(dim.en.tips)} English"
                )
            for lang in (dim.nl, dim.en):
                for tip in lang.tips:
                    unknown = [s for s in tip.sources if s not in self.sources]
                    if unknown or not tip.sources:
                        raise ValueError(f"{name}: a tip cites unknown sources {unknown}")
        for key, src in self.sources.items():
            if src.via is not None and src.via not in self.sources:
                raise ValueError(f"source {key}: via {src.via!r} is not a source")
        return self


@dataclass(frozen=True)
class Source:
    key: str
    text: str
    url: str | None
    via: str | None


@dataclass(frozen=True)
class Tip:
    text: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class DimensionTips:
    dimension: str
    title: str
    why: str
    feedback: dict[str, str]
    tips: tuple[Tip, ...]

    def feedback_for(self, verdict: str) -> str:
        """The feedback that fits the dimension's verdict."""
        key = verdict if verdict in ("lower", "comparable", "higher") else "unknown"
        return self.feedback[key]


@lru_cache(maxsize=1)
def _load() -> _TipsFile:
    return _TipsFile.model_validate(yaml.safe_load(TIPS_FILE.read_text(encoding="utf-8")))


def sources() -> dict[str, Source]:
    data = _load()
    return {k: Source(k, s.text, s.url, s.via) for k, s in data.sources.items()}


def tips_for(dimension: str, lang: Language) -> DimensionTips:
    """Feedback and tips of one dimension in one language."""
    data = _load()
    src = sources()
    block = data.dimensions[dimension].nl if lang == "nl" else data.dimensions[dimension].en
    return DimensionTips(
        dimension=dimension,
        title=block.title,
        why=block.why,
        feedback=block.feedback.model_dump(),
        tips=tuple(Tip(t.text, tuple(src[s] for s in t.sources)) for t in block.tips),
    )
