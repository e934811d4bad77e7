"""The provenance footer of a page: what it was built from, without any machine path.

A reader (or an auditor, years later) must be able to tell which data, which waves,
which code and which parameters gave a page, but a page must not publish where the
data folder sat on the machine that built it: a parameter that is a path is shown
relative to the data folder, and the data folder itself as « dossier de données ».
"""
from __future__ import annotations

import datetime as _dt
import html
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from tlresearch.core.formats import format_date

#: Labels of the provenance footer, in the order they are shown.
PROVENANCE_LABELS = {
    "credit": "Source",
    "licence": "Licence des tableaux",
    "data_hash": "Empreinte des données (SHA-256)",
    "waves": "Vagues d'enquête",
    "parameters": "Paramètres du rapport",
    "version": "Version de tlresearch",
    "commit": "Version du code (commit git)",
    "run_date": "Date d'exécution",
    "source_hash": "Empreinte du code de la bibliothèque (SHA-256)",
}
DATA_FOLDER = "dossier de données"


@lru_cache(maxsize=1)
def code_commit() -> str:
    """The git commit of the checkout tlresearch runs from (``inconnu`` outside git)."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "inconnu"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "inconnu"


def public_parameters(parameters: Mapping[str, Any]) -> dict[str, str]:
    """Parameters as published: paths relative to the data folder, never absolute.

    Examples
    --------
    >>> public_parameters({"year": 2025, "data_dir": "/home/lab/tl/data"})
    {'year': '2025', 'data_dir': 'dossier de données'}
    >>> public_parameters({"data_dir": "/srv/d", "graduates_file": "/srv/d/raw/g.csv"})
    {'data_dir': 'dossier de données', 'graduates_file': 'raw/g.csv'}
    """
    root = parameters.get("data_dir")
    out = {}
    for key, value in parameters.items():
        text = str(value)
        if key == "data_dir":
            out[key] = DATA_FOLDER
        elif os.path.isabs(text):
            try:
                out[key] = Path(text).relative_to(Path(str(root))).as_posix() if root else None
            except ValueError:
                out[key] = None
            out[key] = out[key] or Path(text).name
        else:
            out[key] = text
    return out


#: A report's parameters as a reader names them; the data folder is not one of them.
PARAMETER_LABELS = {"year": "Vague d'enquête", "territory": "Territoire", "region": "Région",
                    "graduates_file": "Fichier des diplômé·es"}


def reader_parameters(parameters: Mapping[str, Any]) -> dict[str, str]:
    """The parameters in words: French labels, territories by their names, no folder.

    Examples
    --------
    >>> reader_parameters({"year": 2026, "territory": "31", "region": "76",
    ...                    "data_dir": "/srv/d"})
    {"Vague d'enquête": '2026', 'Territoire': 'Haute-Garonne (31)', 'Région': 'Occitanie'}
    """
    from tlresearch.report.territory import territory_label

    public = public_parameters(parameters)
    region = str(parameters.get("region") or "")
    out = {}
    for key, value in public.items():
        if key == "data_dir":
            continue  # where the data sat says nothing to a reader
        if key in {"territory", "region"} and region:
            value = territory_label(value, region=region)
        out[PARAMETER_LABELS.get(key, key)] = value
    return out


def _value_html(key: str, value: Any) -> str:
    if key == "run_date" or isinstance(value, (_dt.date, _dt.datetime)):
        return html.escape(format_date(value))
    if isinstance(value, Mapping):
        shown = reader_parameters(value)
        if not shown:
            return "aucun"
        return "<br>".join(f"{html.escape(str(k))} : {html.escape(str(v))}"
                           for k, v in shown.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return html.escape(", ".join(map(str, items)))
    return html.escape(str(value))


def provenance_html(provenance: Mapping[str, Any]) -> str:
    """The footer: data fingerprint, waves, parameters, code version and commit, date."""
    from tlresearch.core.version import __version__

    facts = {"version": __version__, "commit": code_commit(), **dict(provenance)}
    keys = [k for k in PROVENANCE_LABELS if k in facts] + [k for k in facts
                                                           if k not in PROVENANCE_LABELS]
    rows = "\n".join(f"<dt>{html.escape(PROVENANCE_LABELS.get(k, str(k)))}</dt>"
                     f"<dd>{_value_html(k, facts[k])}</dd>" for k in keys)
    return (f'<footer class="tl-provenance"><h2>Provenance</h2>\n<dl>\n{rows}\n</dl>\n'
            "<p>Tableaux soumis au secret statistique avant publication.</p></footer>")


__all__ = ["provenance_html", "public_parameters", "reader_parameters", "code_commit",
           "PROVENANCE_LABELS", "PARAMETER_LABELS"]
