"""The « Méthode » page of the site: what the figures are, once, in words.

Tables and charts used to carry their method in every row (« intervalle de Newcombe
(score hybride) », « bootstrap percentile (2000 tirages) »). A reader wants the figure
in the table and the method in one place: this page, linked from every page's
navigation. It is written from the same sources as the figures — the indicator
catalogue (``vocab/indicators.yaml``: label, definition, base), the secrecy rule
(:class:`tlresearch.secrecy.rules.SecrecyRule`) and the data folder's settings (who
runs the survey) — so that it cannot describe another computation than the one made.
"""
from __future__ import annotations

from html import escape

from tlresearch.report.navigation import INDEX_PAGE

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.5;overflow-wrap:break-word}h1{font-size:1.6rem}
h2{margin-top:2rem;border-bottom:1px solid #ccc}dt{font-weight:bold;margin-top:.6em}
dd{margin-left:1em}.tl-banner{background:#fff4ce;border:2px solid #b58100;padding:.5em 1em;
font-weight:bold}.tl-nav a{color:#1f4e79}
"""


def _definitions() -> str:
    from tlresearch.stats.indicator_catalogue import catalogue

    rows = []
    for indicator in catalogue().values():
        if not indicator.definition:
            continue
        base = " ".join(str(indicator.base).split()).lstrip(": ")
        rows.append(f"<dt>{escape(indicator.label)}</dt><dd>{escape(indicator.definition)}"
                    + (f" <em>Base : {escape(base)}.</em>" if base else "") + "</dd>")
    return "<dl>" + "".join(rows) + "</dl>"


def method_html(*, credit: str, demo: bool, banner: str = "") -> str:
    """The method page (escaped; nothing loaded, nothing run)."""
    from tlresearch.secrecy.rules import SecrecyRule

    rule = SecrecyRule()
    dominance, threshold = f"{rule.dominance * 100:.0f}", rule.threshold
    parts = [
        "<!DOCTYPE html>", '<html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Méthode — enquête annuelle des tiers-lieux</title>",
        f"<style>{_CSS}</style></head><body><header>",
        f'<nav class="tl-nav" aria-label="Navigation du site"><a href="{INDEX_PAGE}">'
        "Tous les rapports</a></nav>",
        "<h1>Méthode</h1>",
        f'<p class="tl-banner">{escape(banner)}</p>' if demo and banner else "",
        "</header><main>",
        "<h2 id=\"source\">La source</h2>",
        f"<p>Les chiffres viennent de l'enquête annuelle des tiers-lieux ({escape(credit)}), "
        "remplie chaque année par les lieux eux-mêmes. Les exports de chaque vague sont "
        "harmonisés en un panel : une ligne par lieu et par vague, les mêmes variables chaque "
        "année. Une question qu'une vague n'a pas posée est une valeur manquante (« – »), "
        "jamais un zéro. Aucune ligne n'est écartée sans que sa raison soit consignée.</p>",
        "<h2 id=\"repondants\">Parmi les répondants</h2>",
        "<p>Sauf mention contraire, chaque chiffre porte sur les lieux qui ont répondu à la "
        "vague, et non sur tous les lieux du territoire : un total (salariés, bénévoles, ETP) "
        "additionne les réponses reçues. Quand le nombre de répondants change d'une vague à "
        "l'autre, une évolution mêle deux choses : les lieux qui changent et les lieux qui "
        "répondent ou non. La base de chaque chiffre (le nombre de lieux sur lequel il repose) "
        "est donnée à côté de lui.</p>",
        "<h2 id=\"definitions\">Définitions des indicateurs</h2>",
        _definitions(),
        "<h2 id=\"intervalles\">Intervalles de confiance</h2>",
        "<p>Les répondants d'une vague ne sont qu'une partie des lieux : chaque part ou moyenne "
        "est donnée avec un intervalle de confiance à 95 %. Parts : intervalle de Wilson. "
        "Moyennes, médianes et parts de postes : bootstrap percentile (tirages des lieux, "
        "graine fixe : le même panel donne les mêmes bornes). Évolution d'une part entre deux "
        "vagues : intervalle de Newcombe (score hybride). Une évolution est dite « stable » "
        "quand son intervalle contient zéro : l'écart reste dans la marge d'incertitude.</p>",
        "<h2 id=\"secret\">Secret statistique</h2>",
        f"<p>Un chiffre tiré des réponses (emplois, ETP, bénévoles, parts, moyennes) qui repose "
        f"sur moins de {threshold} lieux, ou sur moins de {threshold} lieux ayant une valeur "
        f"non nulle, ou dont un seul lieu fait plus de {dominance} % du total, est remplacé par "
        "« s ». D'autres cases sont masquées avec lui (secret secondaire) pour qu'il ne puisse "
        "pas être retrouvé par différence, d'une page à l'autre du site. Le nombre de lieux "
        "répondants, par type, par classe territoriale ou par statut juridique, est publié "
        "tel quel : la carte montre chacun des lieux.</p>",
        "<h2 id=\"territoires\">Territoires</h2>",
        "<p>Chaque lieu est rattaché à sa commune (code officiel géographique de l'Insee), "
        "à son intercommunalité (EPCI), à son département et à sa région. La classe "
        "territoriale (urbain, périurbain, rural) de la commune est établie d'après sa densité "
        "et sa population, en approchant la grille communale de densité de l'Insee. Sur les "
        "cartes, un lieu est placé au centre de sa commune, légèrement décalé : les adresses "
        "ne sont pas publiées.</p>",
    ]
    if demo:
        parts += ["<h2 id=\"demonstration\">Données de démonstration</h2>",
                  "<p>Ce site est construit sur des données fictives, produites par le "
                  "générateur de démonstration de tlresearch : les lieux, leurs noms et leurs "
                  "réponses n'existent pas. Leurs ordres de grandeur imitent ceux des Panoramas "
                  "publiés, pour que les pages se lisent comme de vraies pages.</p>"]
    parts.append("</main></body></html>\n")
    return "\n".join(p for p in parts if p)


__all__ = ["method_html"]
