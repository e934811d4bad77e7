"""A table for a colleague: French formats, notes and source, never the hidden number."""
from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from tlresearch.explore.xlsx import to_xlsx


def test_hidden_numbers_are_never_written(tmp_path):
    table = pd.DataFrame({"Estimation": ["CDI", "ETP"], "Vague": [2024, 2024],
                          "Valeur": [1234.5, 987654.321], "Taux de couverture": [0.563, 0.9],
                          "Secret": ["", "s"], "value": [1234.5, 987654.321],
                          "suppressed": [False, True]})
    table.attrs["note"] = "lieux connus : annuaire"
    path = to_xlsx(table, tmp_path / "t.xlsx", title="Un titre", notes=["Une note"])
    sheet = load_workbook(path).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert not any("987" in str(c) for c in cells)
    assert cells.count("s") >= 4 and 2024 in cells[cells.index("ETP"):]
    assert "Un titre" in cells and "Une note" in cells and "lieux connus : annuaire" in cells
    assert any(str(c).startswith("s : secret statistique") for c in cells)
    assert any(str(c).startswith("Source :") for c in cells)
    formats = {sheet.cell(4, k).value: sheet.cell(4, k).number_format for k in range(1, 8)}
    assert formats[1234.5] == "#,##0.0" and formats[0.563] == "0.0%"
