"""Whose survey the demo is: the settings ``tlresearch demo`` writes into its folder.

The regional demo reproduces the Nouvelle-Aquitaine survey of the Coopérative des
Tiers-Lieux, so its folder says so in ``reseau.yaml`` (:mod:`tlresearch.core.settings`)
and every page of ``make reports`` is credited as it always was. The national demo
(``--regions all``) adds a fictitious network for every other region, so that each
region's pages carry their own name and credit, and none is credited to the
Coopérative.
"""
from __future__ import annotations

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.core.settings import Settings, load_settings, settings_path, write_settings

#: The region of the regional demo.
DEMO_REGION = "75"
DEMO_PUBLISHER = "Coopérative des Tiers-Lieux"
DEMO_NETWORK = "Coopérative des Tiers-Lieux (Nouvelle-Aquitaine)"


def demo_settings(national: bool = False) -> Settings:
    """The demo's settings; with ``national``, a fictitious network per other region."""
    others = {}
    if national:
        from tlresearch.geo.names import of_region, region_codes

        others = {code: {"publisher": f"Réseau fictif des tiers-lieux {of_region(code)}",
                         "network": ""}
                  for code in region_codes() if code != DEMO_REGION}
    return Settings(region=DEMO_REGION, publisher=DEMO_PUBLISHER, network=DEMO_NETWORK,
                    other_regions=others)


def write_demo_settings(paths: DataPaths, national: bool = False) -> bool:
    """Write the demo's ``reseau.yaml``; refuse a folder whose settings name another region.

    Returns True when the file was written (it is rewritten when it differs: the
    demo's folder is the demo's).
    """
    path = settings_path(paths.root)
    if path.exists() and load_settings(paths.root).region != DEMO_REGION:
        raise UsageError(f"{path} says region {load_settings(paths.root).region}: this is a "
                         "lab's folder; write the demo into a folder of its own "
                         "(tlresearch --data-dir OTHER demo)")
    settings = demo_settings(national)
    if path.exists() and load_settings(paths.root) == settings:
        return False
    return write_settings(paths.root, settings, overwrite=True)
