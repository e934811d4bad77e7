"""The rules of statistical secrecy (secret statistique) and the words a published table uses.

A cell is hidden when it rests on fewer places than the threshold (primary, counts and
magnitudes; for a magnitude, also fewer places with a value above 0) or when one place
holds more than the dominance share of its value
(primary, magnitudes only); other cells are hidden so that the first ones cannot be
worked out from the margins (secondary). :mod:`tlresearch.secrecy.protection` applies
them to tables; this module only says what they are.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlresearch.core.errors import UsageError

COUNT = "count"
MAGNITUDE = "magnitude"

PRIMARY_COUNT = "primary_count"
PRIMARY_DOMINANCE = "primary_dominance"
#: Every place of the cell gave the same answer (a share of 0 % or 100 %, a sum of 0):
#: the site names the places that answered, so the figure gives each one's answer.
PRIMARY_NAMED = "primary_named"
SECONDARY = "secondary"

#: What a hidden cell reads in a published table.
SECRET = "s"

#: Label of the margins (INSEE's usual word for a total).
TOTAL_LABEL = "Ensemble"

@dataclass(frozen=True)
class SecrecyRule:
    """Thresholds of the secrecy rules and of the audit, in one place.

    Parameters
    ----------
    threshold : int
        A cell resting on fewer places than this is hidden (French rule: 3).
    dominance : float
        A magnitude cell where one place makes more than this share is hidden (0.85).
    min_width : float
        The audit calls a hidden cell recoverable when its feasible interval is
        narrower than this, in the table's unit (1 place, 1 ETP...).
    protection : float
        If > 0, the feasible interval must also reach ``value × (1 ± protection)``:
        10 % by default, the protection level τ-Argus and INSEE use (no hidden cell
        may be bounded within ±10 % of its value).
    """

    threshold: int = 3
    dominance: float = 0.85
    min_width: float = 1.0
    protection: float = 0.10

    def __post_init__(self) -> None:
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, np.integer)) \
                or self.threshold < 1:
            raise UsageError(f"threshold must be a whole number >= 1, not {self.threshold!r}")
        if not 0 < self.dominance <= 1:
            raise UsageError(f"dominance must be a share in ]0, 1], not {self.dominance!r}")
        if self.min_width < 0 or self.protection < 0:
            raise UsageError("min_width and protection must be >= 0")


#: The audit also reports the hidden cells bounded within ±30 % of their value: allowed,
#: but close (a reader knows them to within a third).
REPORTED_PROTECTION = 0.30

#: Label of the rows whose category is blank.
NOT_GIVEN = "Non renseigné"


def footnote(rule: SecrecyRule | None = None, kind: str = MAGNITUDE) -> str:
    """The French footnote that explains ``s`` under a table.

    Examples
    --------
    >>> footnote(SecrecyRule(threshold=5), kind=COUNT)
    's : secret statistique (moins de 5 lieux)'
    """
    rule = rule or SecrecyRule()
    few = f"moins de {rule.threshold} lieux"
    if kind == COUNT:
        return f"s : secret statistique ({few})"
    share = ("%.6g" % (rule.dominance * 100)).replace(".", ",")
    return (f"s : secret statistique ({few}, ou de {rule.threshold} lieux de valeur non nulle, "
            f"ou un lieu représentant plus de {share} % de la valeur)")


#: Footnote of the default rules.
FOOTNOTE = footnote()
