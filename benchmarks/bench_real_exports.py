"""Issue 20, measured: two 2026 waves as real tools write them, and two hostile files.

Run: ``.venv/bin/python benchmarks/bench_real_exports.py [--places N]`` (default 400).

For a LimeSurvey-style wave (XLSX, code & text headings, ``[other]``, relevance blanks,
``lastpage``) and a Google-Forms-style wave (CSV, sentences as headers, « , »-joined
checkboxes, titles one a line), both written by tests/data/layouts/make_real_exports.py:
the seconds of ``codebook draft``, ``codebook check`` and ``ingest`` (the command line, as
a user runs it), jobs found against the titles the file lists, and the share of the
codebook's lines the draft got right without an edit (variable -> column, separators
of the job titles, ``blank: zero`` of the skipped counts).

Then, each in a process of its own (peak memory = VmHWM): a 5 MB XLSX whose sheet
inflates to 5 GB (before issue 20: exit 0 after peaking at 5,4 GB) and a 1,5 MB CSV of
200 000 columns (before: past 5 minutes, the header's duplicate check searched a list).
"""
from __future__ import annotations

import importlib.util
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = ROOT / "tests" / "data" / "layouts"

#: What a lab would keep of the draft: variable -> raw column, per layout.
EXPECTED = {
    "limesurvey": {
        "place_name": "G01Q01. Nom du tiers-lieu", "commune_name": "G01Q02. Commune",
        "postcode": "G01Q03. Code postal", "submitted_at": "submitdate. Date de soumission",
        "cdi": "G03Q02. Nombre de salariés en CDI", "cdd": "G03Q03. Nombre de salariés en CDD",
        "etp": "G03Q04. Équivalents temps plein (ETP)", "volunteers": "G03Q06. Nombre de bénévoles",
        "contact_name": "G04Q01. Nom et prénom du répondant",
        "contact_email": "G04Q02. Adresse électronique", "contact_phone": "G04Q03. Téléphone",
        "jobs": "G03Q05. Intitulés des postes salariés (un par ligne)",
        "contact_function": "G04Q04. Votre fonction",
        "autre": "G02Q05[other]. Type de lieu [Autre]",
    },
    "googleforms": {
        "submitted_at": "Horodateur", "contact_email": "Adresse e-mail",
        "place_name": "Nom de votre tiers-lieu", "commune_name": "Commune (et département)",
        "postcode": "Code postal", "place_types": "Quelles activités proposez-vous ?",
        "cdi": "Combien de salariés en CDI ?", "cdd": "Combien de salariés en CDD ?",
        "etp": "Combien d'équivalents temps plein (ETP) ?",
        "jobs": "Quels métiers exercent vos salariés ? (un par ligne)",
        "volunteers": "Combien de personnes bénévoles s'investissent dans le lieu ?",
        "surface_m2": "Quelle superficie fait votre lieu ?",
        "opening_year": "En quelle année votre lieu a-t-il ouvert ?",
        "contact_name": "Votre nom et prénom", "contact_phone": "Un numéro où vous joindre",
        "contact_function": "Votre fonction dans le lieu",
    },
}
SKIPPED = ("cdi", "cdd", "etp")


def _generator():
    spec = importlib.util.spec_from_file_location("make_real_exports",
                                                  LAYOUTS / "make_real_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cli(*argv: str) -> tuple[float, int]:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "tlresearch.cli", *argv], cwd=ROOT,
                         capture_output=True, text=True)
    if run.returncode not in (0, 1):
        print(run.stderr[-2000:])
    return time.perf_counter() - started, run.returncode


def wave(kind: str, places: int) -> None:
    from tlresearch.core.paths import DataPaths
    from tlresearch.spec.codebook import ColumnMapping, JobSlots, load_codebook

    generator = _generator()
    truth = generator.places(random.Random(2026), places)
    name, data = ((f"{kind}_2026.xlsx", generator.limesurvey_codes(truth)) if kind == "limesurvey"
                  else (f"{kind}_2026.csv", generator.google_forms(truth)))
    paths = DataPaths(Path(tempfile.mkdtemp()) / "data")
    _cli("init", str(paths.root))
    (paths.raw / "2026").mkdir(parents=True, exist_ok=True)
    (paths.raw / "2026" / name).write_bytes(data)
    folder = ["--data-dir", str(paths.root)]
    draft_s, _ = _cli(*folder, "codebook", "draft", str(paths.raw / "2026" / name), "--wave", "2026")
    check_s, check_rc = _cli(*folder, "codebook", "check", "2026")
    ingest_s, ingest_rc = _cli(*folder, "ingest")
    codebook = load_codebook(paths.codebook(2026))
    right, lines = 0, 0
    for variable, column in EXPECTED[kind].items():
        lines += 1
        mapping = codebook.variables.get(variable if variable != "autre" else "place_types")
        columns = mapping.raw_columns() if mapping is not None else []
        right += column in columns
    if kind == "limesurvey":  # the export's own id
        lines += 1
        right += codebook.response_id == "id. ID de la réponse"
    jobs = codebook.variables.get("jobs")
    lines += 1  # the separators of the titles
    used = {s for p in truth for s in ([p["join"].strip(" -") or "\n"] if len(p["titles"]) > 1
                                       else [])}
    if kind == "googleforms":
        used = {"\n"}
    right += isinstance(jobs, JobSlots) and used <= {s.strip(" ") or s for seps in
                                                     jobs.splits.values() for s in seps}
    for variable in SKIPPED:
        lines += 1
        mapping = codebook.variables.get(variable)
        right += isinstance(mapping, ColumnMapping) and mapping.blank == "zero"
    import pandas as pd

    staff = pd.read_parquet(paths.processed_table("staff")) if ingest_rc == 0 else pd.DataFrame()
    responses = pd.read_parquet(paths.processed_table("responses")) if ingest_rc == 0 else None
    kept = len(responses) if responses is not None else 0
    complete = [p for p in truth if p.get("complete", True) or kind == "googleforms"]
    listed = sum(len(p["titles"]) for p in complete)
    print(f"{kind:<12} {places} places: draft {draft_s:5.1f} s, check {check_s:5.1f} s "
          f"(exit {check_rc}), ingest {ingest_s:5.1f} s (exit {ingest_rc}); "
          f"{kept} responses kept; jobs found {len(staff)} / titles listed {listed}; "
          f"codebook lines right without edit {right}/{lines} ({100 * right / lines:.0f} %)")


_PROBE = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
outcome = "read"
try:
    from tlresearch.io.raw_tables import read_table
    table = read_table(sys.argv[1])
    outcome = f"read, {table.frame.shape[1]} columns"
    if len(sys.argv) > 2:
        sys.path.insert(0, "tests")
        from helpers.bad_inputs import run_wave
        result = run_wave(Path(sys.argv[2]), "wide.csv", source=sys.argv[1])
        outcome += f"; ingest_wave: {len(result.kept)} kept"
except Exception as error:  # the one-line refusal is the expected outcome
    outcome = f"refused: {error}"
status = Path("/proc/self/status").read_text().split("VmHWM:")[1]
print(json.dumps({"seconds": time.perf_counter() - started, "outcome": outcome,
                  "peak_mb": int(status.split()[0]) / 1024}))
"""


def _probe(*args: str) -> dict:
    run = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=ROOT, capture_output=True,
                         text=True, timeout=3600)
    return json.loads(run.stdout.strip().splitlines()[-1])


def inflating_xlsx(folder: Path) -> Path:
    """A real workbook whose sheet XML is 5 GB of repeated rows (deflated to a few MB)."""
    path = folder / "bomb.xlsx"
    source = zipfile.ZipFile(LAYOUTS.parent / "readers" / "hidden_sheet_first.xlsx")
    row = "".join(f'<c t="inlineStr"><is><t>{"x" * 90}</t></is></c>' for _ in range(50))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":
                target.writestr(info, source.read(info.filename))
                continue
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><sheetData>')
                block = (f"<row>{row}</row>" * 1000).encode()
                for _ in range(5_000_000_000 // len(block)):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return path


def wide_csv(folder: Path) -> Path:
    path = folder / "wide.csv"
    good = (ROOT / "tests" / "data" / "bad" / "good.csv").read_text(encoding="utf-8").splitlines()
    extra = 200_000 - good[0].count(";") - 1
    header = good[0] + ";" + ";".join(f"Q{i}" for i in range(extra))
    path.write_text("\n".join([header, *(line + ";" * extra for line in good[1:])]) + "\n",
                    encoding="utf-8")
    return path


def main() -> None:
    places = int(sys.argv[sys.argv.index("--places") + 1]) if "--places" in sys.argv else 400
    for kind in ("limesurvey", "googleforms"):
        wave(kind, places)
    folder = Path(tempfile.mkdtemp())
    started = time.perf_counter()
    bomb = inflating_xlsx(folder)
    inflated = sum(i.file_size for i in zipfile.ZipFile(bomb).infolist())
    print(f"hostile XLSX: {bomb.stat().st_size / 1e6:.1f} MB inflating to "
          f"{inflated / 1e9:.1f} GB (written in {time.perf_counter() - started:.0f} s)")
    result = _probe(str(bomb))
    print(f"  read_table: {result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB, "
          f"{result['outcome']}  (before: exit 0 after peaking at 5 400 MB)")
    wide = wide_csv(folder)
    print(f"hostile CSV: {wide.stat().st_size / 1e6:.1f} MB, 200 000 columns")
    result = _probe(str(wide), str(folder / "wave"))
    print(f"  read_table + ingest_wave: {result['seconds']:.1f} s, peak "
          f"{result['peak_mb']:.0f} MB, {result['outcome']}  (before: past 5 minutes)")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
