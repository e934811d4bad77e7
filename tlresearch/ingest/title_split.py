"""Where a word such as « et » separates two job titles, and where it is inside one.

« Coordinatrice et animatrice » lists two jobs; « Responsable administratif et
financier » is one. A word separator cuts only when both sides are job titles the role
vocabulary recognises on their own *and* the right side starts with a word that names
a person's function (« animatrice », « comptable »), not an adjective or an activity
(« financier », « administratif », « communication »): those continue the title before.
"""
from __future__ import annotations

from functools import lru_cache

from tlresearch.ingest.cell_lists import split_titles
from tlresearch.ingest.roles import UNKNOWN, _match_form, _rule_role, _vocabulary
from tlresearch.ingest.title_normalise import normalise_title

#: First words of the vocabulary's phrases that are activities or adjectives, not people:
#: after « et » they continue the title before (« chargée d'accueil et communication »).
_NOT_A_PERSON = frozenset({
    "accueil", "administratif", "administration", "animation", "com", "communication",
    "coordination", "couteau", "cuisine", "digital", "entretien", "epn", "espace", "fab",
    "facilitation", "marketing", "mediation", "menage", "office", "paie", "reseau",
    "ressources", "rh", "secretariat", "service", "social", "web",
})


@lru_cache(maxsize=1)
def _person_words() -> frozenset[str]:
    """Words that begin a job title in the vocabulary and name a person (masculine form)."""
    _, rules = _vocabulary()
    firsts = {normalise_title(phrase.split()[0].rstrip("*")).split()[0]
              for rule in rules for phrase in (*rule.any, *rule.all) if phrase.strip()}
    return frozenset(firsts - _NOT_A_PERSON)


def _recognised(title: str) -> bool:
    _, rules = _vocabulary()
    return _rule_role(_match_form(normalise_title(title)), rules)[0] != UNKNOWN


def separates_titles(left: str, separator: str, right: str) -> bool:
    """Whether ``separator`` (« et ») between ``left`` and ``right`` separates two titles.

    Examples
    --------
    >>> separates_titles("Coordinatrice", " et ", "animatrice")
    True
    >>> separates_titles("Responsable administratif", " et ", "financier")
    False
    """
    words = normalise_title(right).split()
    if not words or not any(words[0].startswith(head) for head in _person_words()):
        return False
    return _recognised(left) and _recognised(right)




#: Separators a cell listing job titles may use, as the draft proposes them: one title
#: a line, « ; », « / » between spaces (« Animateur/animatrice » is one title), « , »,
#: « + » and « et » (cut only between two titles, see :func:`separates_titles`).
TITLE_SEPARATORS = ("\n", ";", " / ", ", ", " + ", " et ")


def title_separators(cells: list[str]) -> tuple[tuple[str, ...], int, int]:
    """The separators actually used in a column of job titles, for the draft.

    Returns ``(separators, cells cut, titles)``: each separator of
    :data:`TITLE_SEPARATORS` that cuts at least one cell into several titles, how many
    cells the whole list cuts, and how many titles they give.

    Examples
    --------
    >>> title_separators(["- Comptable\\n- Fabmanager", "Coordinatrice / Comptable",
    ...                   "Responsable administratif et financier"])
    (('\\n', ' / '), 2, 5)
    """
    used = tuple(separator for separator in TITLE_SEPARATORS
                 if any(len(split_titles(cell, (separator,), separates_titles)) > 1
                        for cell in cells))
    split = [split_titles(cell, used, separates_titles) for cell in cells] if used else []
    return used, sum(len(parts) > 1 for parts in split), sum(len(parts) for parts in split)


__all__ = ["separates_titles", "title_separators", "TITLE_SEPARATORS"]
