"""The blocks of the trajectories page (``notebooks/60-trajectoires.ipynb``).

Coverage of the wave, totals for all known places beside the respondents' sums, the
change among the same places beside the change among all respondents, the life
course of places (Kaplan–Meier) and volunteer-run places becoming employers. Each
block takes the explorer's tables (French columns first) and publishes them with
the one table publisher; estimates under secrecy read « s ».
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tlresearch.core.formats import format_interval, format_number, format_percent, format_points
from tlresearch.report.blocks import HTMLBlock, figure_block, notice
from tlresearch.report.tables import publish_table
from tlresearch.secrecy.rules import SECRET

if TYPE_CHECKING:
    import pandas as pd


def coverage_block(table: "pd.DataFrame", *, caption: str, filename: str,
                   year: int) -> HTMLBlock:
    """Respondents, known places and coverage (one row, or one per category)."""
    frame = table[[c for c in table.columns if not c.startswith("code_")
                   and c not in {"Territoire", "Vague"}]].copy()
    frame["Répondants"] = frame["Répondants"].map(format_number)
    frame["Lieux connus"] = frame["Lieux connus"].map(format_number)
    frame["Taux de couverture"] = frame["Taux de couverture"].map(format_percent)
    return publish_table(frame, caption=caption, filename=filename, year=year,
                         notes=[table.attrs.get("note", "")])


def _decimals(unit: str) -> int:
    return 1 if unit in {"ETP", "part"} else 0


def estimates_block(table: "pd.DataFrame", *, caption: str, filename: str,
                    year: int) -> HTMLBlock:
    """Adjusted totals with their interval, beside the respondents' sums."""
    rows = []
    for row in table.to_dict("records"):
        share = row["unit"] == "part"
        decimals = _decimals(row["unit"])

        def show(value, share=share, decimals=decimals):
            return format_percent(value) if share else format_number(value, decimals)

        hidden = bool(row["suppressed"])
        rows.append({
            "Estimation": row["Estimation"],
            "Ensemble des lieux connus": SECRET if hidden else show(row["value"]),
            "Intervalle à 95 %": SECRET if hidden else format_interval(
                row["low"], row["high"], show),
            "Somme des répondants": (SECRET if hidden else "–" if share
                                     else show(row["respondents_sum"])),
            "Répondants": format_number(row["respondents"]),
            "Lieux connus": format_number(row["known_places"])})
    import pandas as pd

    method = table["method"].dropna()
    notes = [f"Méthode : {method.iloc[0]}." if len(method) and method.iloc[0] else "",
             *[n for n in table["note"].dropna().unique() if n and n != "secret statistique"]]
    return publish_table(pd.DataFrame(rows), caption=caption, filename=filename, year=year,
                         notes=[n for n in notes if n])


def paired_block(table: "pd.DataFrame", *, caption: str, filename: str) -> HTMLBlock:
    """The change among the same places beside the change among all respondents, with the
    sentence that says which row is which (:func:`paired_lead`)."""
    import pandas as pd

    from tlresearch.stats.paired_changes import SAME_PLACES

    rows = []
    for row in table.to_dict("records"):
        share = row["variable"] == "share_employers"
        level = (format_percent if share else (lambda v: format_number(v, 2)))
        change = (format_points if share else (lambda v: format_number(v, 2, signed=True)))
        # why the row is « s » (a text), or NA: printed (pandas reads None as NaN)
        hidden = isinstance(row.get("secret"), str) and bool(row["secret"])
        compared = (f"Parmi les lieux ayant répondu aux deux vagues "
                    f"(n = {format_number(row['n_from'])})" if row["sample"] == SAME_PLACES
                    else "Parmi tous les répondants")
        rows.append({"Indicateur": row["label"], "Lieux comparés": compared,
                     f"{row['from_wave']}": SECRET if hidden else level(row["value_from"]),
                     f"{row['to_wave']}": SECRET if hidden else level(row["value_to"]),
                     "Évolution": SECRET if hidden else change(row["change"]),
                     "Intervalle à 95 %": "" if hidden else format_interval(
                         row["low"], row["high"], change),
                     "Lieux": (format_number(row["n_from"]) if row["n_from"] == row["n_to"]
                               else f"{format_number(row['n_from'])} puis "
                                    f"{format_number(row['n_to'])}")})
    block = publish_table(pd.DataFrame(rows), caption=caption, filename=filename, notes=[
        "Mêmes lieux : les lieux ayant répondu aux deux vagues, leur écart moyen (intervalle de "
        "Student sur les écarts appariés). Tous les répondants : l'écart entre les moyennes des "
        "deux vagues, qui mêle les lieux qui embauchent et les lieux qui se mettent à répondre."])
    lead = paired_lead(table)
    return HTMLBlock(str(notice(lead)) + str(block)) if lead else block


def paired_lead(table: "pd.DataFrame") -> str:
    """The French sentence that says which change is which, with its bases.

    >>> import pandas as pd
    >>> from tlresearch.stats.paired_changes import ALL_RESPONDENTS, SAME_PLACES
    >>> t = pd.DataFrame({"sample": [SAME_PLACES, ALL_RESPONDENTS], "from_wave": [2024] * 2,
    ...                   "to_wave": [2025] * 2, "n_from": [180, 222], "n_to": [180, 235]})
    >>> "parmi les lieux ayant répondu aux deux vagues (n = 180)" in paired_lead(t)
    True
    >>> "parmi tous les répondants de chaque vague (222 en 2024, 235 en 2025)" in paired_lead(t)
    True
    """
    from tlresearch.stats.paired_changes import ALL_RESPONDENTS, SAME_PLACES

    same = table[table["sample"] == SAME_PLACES]
    every = table[table["sample"] == ALL_RESPONDENTS]
    if same.empty or every.empty:
        return ""
    a, b = int(same["from_wave"].iloc[0]), int(same["to_wave"].iloc[0])
    return (f"Deux évolutions de {a} à {b} : la première parmi les lieux ayant répondu aux deux "
            f"vagues (n = {format_number(same['n_from'].max())}), la seconde parmi tous les "
            f"répondants de chaque vague ({format_number(every['n_from'].max())} en {a}, "
            f"{format_number(every['n_to'].max())} en {b}), qui mêle les lieux qui embauchent "
            "et ceux qui se mettent à répondre ou cessent de le faire.")


def survival_block(curve: "pd.DataFrame", *, title: str, alt: str) -> HTMLBlock:
    """Kaplan–Meier step curves, one per group, with their bases in the legend."""
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    for group, rows in curve.groupby("group", sort=True):
        base = rows.iloc[0]
        axis.step(rows["time"], rows["survival"], where="post",
                  label=f"{group} ({int(base['places'])} lieux, "
                        f"{int(base['observed_events'])} événements)")
    axis.set_xlabel("Années depuis l'ouverture")
    axis.set_ylabel("Probabilité")
    axis.set_ylim(0, 1.02)
    axis.set_title(title)
    axis.legend(fontsize=8)
    block = figure_block(figure, alt)
    plt.close(figure)
    return block


def published_volunteers(responses: "pd.DataFrame", year: int) -> "pd.DataFrame":
    """Volunteer-run places becoming employers, wave after wave up to ``year``, read from
    each pair of waves' protected transitions (NA: « s »). ``responses`` are the region's
    places, as the professionalisation page's transitions read them."""
    import pandas as pd

    from tlresearch.stats.transition_secrecy import protected_volunteers

    return protected_volunteers(responses[(pd.to_numeric(responses["wave"]) <= int(year))
                                          .to_numpy()])


def volunteers_block(table: "pd.DataFrame", *, caption: str, filename: str) -> HTMLBlock:
    """Volunteer-run places becoming employers between consecutive waves, with bases
    (:func:`published_volunteers`: a missing figure reads « s »)."""
    import pandas as pd

    from tlresearch.core.formats import is_missing

    def shown(value, formatter=format_number):
        return SECRET if is_missing(value) else formatter(value)

    frame = pd.DataFrame({
        "Période": [f"{a} → {b}" for a, b in zip(table["from_wave"], table["to_wave"])],
        "Lieux bénévoles (base)": table["volunteer_run"].map(shown),
        "Devenus employeurs": table["became_employer"].map(shown),
        "Part": [SECRET if is_missing(n) or is_missing(base) else
                 format_percent(n / base) if base else "–"
                 for n, base in zip(table["became_employer"], table["volunteer_run"])],
        "Lieux suivis les deux vagues": table["linked_places"].map(format_number)})
    return publish_table(frame, caption=caption, filename=filename, notes=[
        "Lieux sans salarié mais avec des bénévoles à une vague, employeurs à la suivante, "
        "parmi les lieux ayant répondu aux deux vagues. Chiffres lus dans le tableau protégé "
        "des parcours des lieux, le même que celui de la page Professionnalisation."])
