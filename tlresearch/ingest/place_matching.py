"""Matching one response to the places already known: keys, normalised names, the index.

:mod:`tlresearch.ingest.linkage` walks the waves; this module holds what it compares
(normalised names and addresses, SIRET, commune) and the index of known places that
answers "which place is this?" for one response, with the evidence used.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from tlresearch.core.errors import DataError
from tlresearch.core.quality_log import Issue
from tlresearch.core.text import fold

#: Default minimum fuzzy score (0-100) for a fuzzy name link.
DEFAULT_THRESHOLD = 88

#: Words respondents add or omit around a place's name: articles, linking words,
#: legal forms and "espace". Type words (coworking, fablab, café...) are kept: one
#: commune can have "Coworking X" and "Fablab X".
STOP_WORDS = frozenset(
    "le la les l un une de du des d et association asso scic scop sas sarl eurl espace".split()
)
#: Phrases dropped from names, as folded words.
STOP_PHRASES = ("tiers lieux", "tiers lieu")

def normalise_place_name(name: str | None) -> str:
    """The key a place name is compared on (``""`` when there is no name).

    Folded (lowercase, no accents, punctuation to spaces, St to saint), then the
    :data:`STOP_PHRASES` and :data:`STOP_WORDS` removed. A name made only of such
    words keeps them all, so "L'Espace" stays comparable.

    Examples
    --------
    >>> normalise_place_name("Bocal (Le) - Tiers-Lieu")
    'bocal'
    >>> normalise_place_name("La Ruche Numérique")
    'ruche numerique'
    >>> normalise_place_name("L'Espace")
    'l espace'
    """
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    folded = fold(name)
    text = f" {folded} "
    for phrase in STOP_PHRASES:
        text = text.replace(f" {phrase} ", " ")
    kept = [w for w in text.split() if w not in STOP_WORDS]
    return " ".join(kept) if kept else folded


def normalise_address(address) -> str:
    """Folded street address, or "" when it is too vague to identify a building.

    An address is evidence only with a number and a street ("12 rue de la Gare"):
    "Centre bourg" or "Mairie" is shared by many places.

    Examples
    --------
    >>> normalise_address("12, Rue de la Gare")
    '12 rue de la gare'
    >>> normalise_address("Le bourg")
    ''
    """
    if address is None or (not isinstance(address, str) and pd.isna(address)):
        return ""
    folded = fold(str(address))
    tokens = folded.split()
    if len(tokens) < 3 or not any(t.isdigit() for t in tokens):
        return ""
    return folded


def place_id_for(anchor_response_id: str) -> str:
    """Pseudonymous place id: ``TL`` + 10 hex characters of the anchor's SHA-256.

    The anchor is the place's first response, so the id is stable from one run to
    the next and says nothing about the place.
    """
    return "TL" + hashlib.sha256(str(anchor_response_id).encode("utf-8")).hexdigest()[:10]


# Slots, no per-instance dict: linkage holds one of these per response and one
# KnownPlace per place, a million of each for a national-scale wave.
@dataclass(frozen=True, slots=True)
class ResponseKeys:
    response_id: str
    wave: int
    name: str       # normalised; "" when missing
    commune: str    # "" when missing
    siret: str      # "" when missing
    address: str = ""  # folded street address; "" when missing or too vague
    file: str | None = None  # where a person finds the response, for the quality log
    row: int | None = None


@dataclass(slots=True)
class KnownPlace:
    last_wave: int
    #: The response the place's id was derived from (:func:`place_id_for`).
    anchor: str
    #: Most places have no SIRET: they share this empty one until they get their own.
    sirets: frozenset[str] = frozenset()


# A link: place_id, method, score, linked_to.
Link = tuple[str, str, float | None, str | None]

#: The places holding one key: most keys have one, kept as a ``(place_id, response_id)``
#: pair (a dict per key would cost a million dicts for a million places); a key shared
#: by several places holds a dict ``place_id -> response_id``.
Holders = tuple[str, str] | dict[str, str]


def add_holder(index: dict, key, place_id: str, response_id: str) -> None:
    """Record that ``place_id`` holds ``key``, its latest response being ``response_id``."""
    holders = index.get(key)
    if holders is None or (isinstance(holders, tuple) and holders[0] == place_id):
        index[key] = (place_id, response_id)
    elif isinstance(holders, tuple):
        index[key] = {holders[0]: holders[1], place_id: response_id}
    else:
        holders[place_id] = response_id


def holder_items(holders: Holders):
    """``(place_id, response_id)`` pairs of a key's holders."""
    return (holders,) if isinstance(holders, tuple) else holders.items()


class PlaceIndex:
    """Places known so far, indexed by SIRET, by (name, commune) and by commune.

    Each index maps a key to its holders, ``{place_id: latest response of that place
    with the key}`` (:data:`Holders`), which is what ``linked_to`` reports. A place
    given a response in the current wave has ``last_wave == wave`` and is no longer
    a candidate in it.
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.places: dict[str, KnownPlace] = {}
        self.by_siret: dict[str, Holders] = {}
        self.by_name: dict[tuple[str, str], Holders] = {}
        self.by_address: dict[tuple[str, str], Holders] = {}
        self.names_in: dict[str, list[str]] = defaultdict(list)  # fuzzy candidates
        self.links: dict[str, Link] = {}
        self.issues: list[Issue] = []

    def attach(self, response: ResponseKeys, place_id: str | None, method: str,
               score: float | None = None, linked_to: str | None = None) -> str:
        """Record a link (a new place when ``place_id`` is None) and add its keys."""
        if place_id is None:
            place_id = place_id_for(response.response_id)
            if place_id in self.places:
                raise DataError(f"place id {place_id} derived from two responses "
                                f"({self.places[place_id].anchor}, {response.response_id})",
                                column="response_id", rule="place_id_collision")
            self.places[place_id] = KnownPlace(response.wave, response.response_id)
        place = self.places[place_id]
        place.last_wave = response.wave
        if response.siret:
            place.sirets = place.sirets | {response.siret}
            add_holder(self.by_siret, response.siret, place_id, response.response_id)
        if response.name and response.commune:
            key = (response.name, response.commune)
            if key not in self.by_name:
                self.names_in[response.commune].append(response.name)
            add_holder(self.by_name, key, place_id, response.response_id)
        if response.address and response.commune:
            add_holder(self.by_address, (response.address, response.commune), place_id,
                       response.response_id)
        self.links[response.response_id] = (place_id, method, score, linked_to)
        return place_id

    def _pick(self, holders: Holders, response: ResponseKeys,
              check_siret: bool) -> tuple[str, str] | None:
        """The eligible holder seen most recently, then with the smallest place_id."""
        best = None
        for place_id, linked_to in holder_items(holders):
            place = self.places[place_id]
            if place.last_wave >= response.wave:
                continue  # already has a response in this wave
            if check_siret and response.siret and place.sirets \
                    and response.siret not in place.sirets:
                continue  # another legal entity
            rank = (-place.last_wave, place_id)
            if best is None or rank < best[0]:
                best = (rank, place_id, linked_to)
        return None if best is None else (best[1], best[2])

    def match(self, response: ResponseKeys, method: str) -> tuple[str, str, float, str] | None:
        """Place, linked response, score and matched name for one method, or None."""
        if method == "siret":
            holders = self.by_siret.get(response.siret) if response.siret else None
            found = holders and self._pick(holders, response, check_siret=False)
            return (*found, 100.0, response.name) if found else None
        if not (response.name and response.commune):
            return None
        if method == "name_commune":
            holders = self.by_name.get((response.name, response.commune))
            found = holders and self._pick(holders, response, check_siret=True)
            return (*found, 100.0, response.name) if found else None
        if method == "address_commune":
            holders = (self.by_address.get((response.address, response.commune))
                       if response.address else None)
            found = holders and self._pick(holders, response, check_siret=True)
            return (*found, 100.0, response.address) if found else None
        names = self.names_in.get(response.commune)
        if not names:
            return None
        # Every candidate above the threshold, not only extractOne's best: the best
        # may be ineligible (answered this wave, other SIRET) and ties need our order.
        hits = process.extract(response.name, names, scorer=fuzz.token_set_ratio,
                               processor=None, limit=None, score_cutoff=self.threshold)
        best = None
        for name, score, _ in hits:
            if name == response.name:
                continue  # the exact key was tried by the previous pass
            found = self._pick(self.by_name[(name, response.commune)], response,
                               check_siret=True)
            if found:
                rank = (-score, -self.places[found[0]].last_wave, found[0])
                if best is None or rank < best[0]:
                    best = (rank, found, float(score), name)
        return None if best is None else (*best[1], best[2], best[3])

    def link_automatically(self, pending: list[ResponseKeys]) -> None:
        """SIRET, then exact name, then fuzzy name, then a new place; each pass in order."""
        for method in ("siret", "name_commune", "address_commune", "fuzzy_name_commune"):
            unmatched = []
            for response in pending:
                found = self.match(response, method)
                if found is None:
                    unmatched.append(response)
                    continue
                place_id, linked_to, score, other_name = found
                self.attach(response, place_id, method, score, linked_to)
                if method == "address_commune":
                    self.issues.append(issue_about(
                        response, "address_link", "flagged", "address", response.name,
                        f"response {response.response_id} linked to {linked_to} "
                        f"(place {place_id}) by the same address in the same "
                        "commune under another name: a renamed place?"))
                if method == "fuzzy_name_commune":
                    self.issues.append(issue_about(
                        response, "fuzzy_link", "flagged", "place_name",
                        f"{response.name} ~ {other_name}",
                        f"response {response.response_id} linked to {linked_to} "
                        f"(place {place_id}) by a similar name in the same commune, "
                        f"score {score:.1f}"))
            pending = unmatched
        for response in pending:
            self.attach(response, None, "new")


def issue_about(response: ResponseKeys, rule: str, action: str, column: str, value: str,
                 message: str) -> Issue:
    """A quality-log entry about one response, located where a person can open it."""
    return Issue(rule, action, message, file=response.file, row=response.row,
                 column=column, value=value, wave=response.wave)
