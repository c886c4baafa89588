"""City data: Düsseldorf's 50 Stadtteile in 10 Stadtbezirke, and the CITY setting."""

import json
import math

import pytest

from buddy.services.city import CITIES, CityError, districts, load_city, read_city


def test_duesseldorf_has_50_districts_in_10_boroughs():
    data = json.loads((CITIES / "duesseldorf.json").read_text(encoding="utf-8"))
    assert len(data["districts"]) == 50
    assert len({d["borough"] for d in data["districts"]}) == 10
    assert len({d["id"] for d in data["districts"]}) == 50
    for d in data["districts"]:
        assert 51.10 < d["lat"] < 51.36 and 6.68 < d["lon"] < 6.95, d


def test_neighbours_are_close_and_the_city_is_small():
    data = read_city("duesseldorf")
    by_id = {d["id"]: d for d in data["districts"]}

    def km(a, b):
        p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
        dl = math.radians(b["lon"] - a["lon"])
        h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * 6371.0 * math.asin(math.sqrt(h))

    assert km(by_id["altstadt"], by_id["carlstadt"]) < 1.5
    assert 20 < km(by_id["angermund"], by_id["hellerhof"]) < 30


def test_load_city_is_idempotent(app):
    assert load_city("duesseldorf") == 50
    assert load_city("duesseldorf") == 50
    names = [d.name for d in districts("duesseldorf")]
    assert len(names) == 50 and "Düsseltal" in names and "Lörick" in names


def test_unknown_city_is_a_clear_error(app):
    with pytest.raises(CityError, match="CITY: no file atlantis.json"):
        read_city("atlantis")


def test_a_broken_city_file_names_the_field(tmp_path, monkeypatch):
    (tmp_path / "broken.json").write_text(
        json.dumps({"districts": [{"id": "a", "name": "A", "lat": "51", "lon": 6.7}]})
    )
    monkeypatch.setattr("buddy.services.city.CITIES", tmp_path)
    with pytest.raises(CityError, match=r"districts\[0\]\.lat"):
        read_city("broken")
