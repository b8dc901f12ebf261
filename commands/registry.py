"""The one list of features. A new slash command is one package under `commands/` and one line here."""

from __future__ import annotations

from collections.abc import Mapping

from commands import anwesenheit, dienst, homeoffice, meeting, rufumleitung
from commands.base import Feature

FEATURES: tuple[Feature, ...] = (
    homeoffice.FEATURE,
    anwesenheit.FEATURE,
    rufumleitung.FEATURE,
    meeting.FEATURE,
    dienst.FEATURE,
)

REGISTRY: Mapping[str, Feature] = {feature.kind: feature for feature in FEATURES}
