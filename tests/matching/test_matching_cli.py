"""The command line: output shape, bad input (exit 2, one line naming the field), no output."""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from buddy.matching.cli import main

GOOD: dict[str, Any] = {
    "districts": [{"id": "bilk", "name": "Bilk", "lat": 51.2066, "lon": 6.7828}],
    "newcomers": [
        {"id": "n-17", "languages": ["ar", "en"], "german_level": "A1", "district": "bilk",
         "availability": ["mon-evening", "sat-morning"], "mode": "either",
         "gender": "unspecified", "buddy_gender": "any", "waiting_days": 40},
        {"id": "n-4", "languages": ["ar"], "german_level": "A0", "district": "bilk",
         "availability": ["sun-evening"], "mode": "either"},
    ],
    "volunteers": [
        {"id": "v-3", "languages": ["ar"], "district": "bilk", "max_km": 5,
         "availability": ["sat-morning"], "capacity": 1, "mode": "either",
         "gender": "unspecified", "buddy_gender": "any"},
    ],
    "excluded": [["n-17", "v-9"]],
}


def run(tmp_path: Path, data: Any, *args: str, raw: bytes | None = None) -> Any:
    src = tmp_path / "instance.json"
    if raw is not None:
        src.write_bytes(raw)
    else:
        src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "buddy.matching", str(src), *args],
        capture_output=True, text=True, timeout=60,
    )


def test_stdout_result_shape(tmp_path: Path) -> None:
    proc = run(tmp_path, GOOD)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # not a terminal: no progress
    out = json.loads(proc.stdout)
    assert set(out) == {"pairs", "unmatched", "hints", "summary"}
    assert out["pairs"] == [{
        "newcomer": "n-17", "volunteer": "v-3", "score": pytest.approx(0.35 + 0.25 / 3 + 0.25
                                                                    + 0.15 * 40 / 180),
        "reasons": ["both speak Arabic", "1 common time: Saturday morning", "same district",
                    "waiting 40 days"],
    }]
    assert out["unmatched"] == [{"newcomer": "n-4", "reasons": ["no_common_time"]}]
    assert out["hints"] == [{"language": "ar", "district": "bilk", "slots": ["sun-evening"],
                             "newcomers": 1}]
    assert set(out["summary"]) == {"newcomers", "volunteers", "pairs", "total_score", "seconds"}
    assert out["summary"]["pairs"] == 1 and out["summary"]["newcomers"] == 2


def test_output_file_and_quiet(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    proc = run(tmp_path, GOOD, "-o", str(target), "--quiet")
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["pairs"] == 1


def _with(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is KeyError:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


BAD = [
    (_with("newcomers.0.availability.0", "mon-night"),
     "newcomers[0].availability[0]: unknown slot 'mon-night'"),
    (_with("newcomers.1.district", "atlantis"), "newcomers[1].district: unknown district"),
    (_with("volunteers.0.district", "atlantis"), "volunteers[0].district: unknown district"),
    (_with("newcomers.0.german_level", "A3"), "newcomers[0].german_level: unknown level 'A3'"),
    (_with("newcomers.0.mode", "phone"), "newcomers[0].mode: unknown mode 'phone'"),
    (_with("volunteers.0.mode", None), "volunteers[0].mode: unknown mode"),
    (_with("newcomers.0.gender", "x"), "newcomers[0].gender: unknown gender"),
    (_with("volunteers.0.buddy_gender", "diverse"), "volunteers[0].buddy_gender: unknown"),
    (_with("volunteers.0.capacity", -1), "volunteers[0].capacity: must be an integer"),
    (_with("volunteers.0.capacity", 1.5), "volunteers[0].capacity: must be an integer"),
    (_with("volunteers.0.capacity", "2"), "volunteers[0].capacity: must be an integer"),
    (_with("volunteers.0.capacity", True), "volunteers[0].capacity: must be an integer"),
    (_with("volunteers.0.max_km", -2), "volunteers[0].max_km: must be ≥ 0"),
    (_with("newcomers.1.id", "n-17"), "newcomers[1].id: duplicate id 'n-17'"),
    (_with("newcomers.0.languages", KeyError), "newcomers[0].languages: missing required field"),
    (_with("volunteers.0.capacity", KeyError), "volunteers[0].capacity: missing required field"),
    (_with("districts.0.lat", KeyError), "districts[0].lat: missing required field"),
    (_with("newcomers", KeyError), "instance.newcomers: missing required field"),
    (_with("weights", {"language": -0.1}), "weights.language: must be a number ≥ 0"),
    (_with("weights", {"time": "high"}), "weights.time: must be a number ≥ 0"),
    (_with("newcomers.0.availability", "mon-evening"),
     "newcomers[0].availability: expected a list"),
    (_with("newcomers.0.languages.0", "AR"), "newcomers[0].languages[0]: expected a lowercase"),
    (_with("excluded", [["n-17"]]), "excluded[0]: expected [newcomer id, volunteer id]"),
    ([1, 2], "instance: expected an object"),
]


@pytest.mark.parametrize(("data", "message"), BAD, ids=[m.split(":")[0] + str(k)
                                                       for k, (_, m) in enumerate(BAD)])
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, message: str
) -> None:
    src, target = tmp_path / "instance.json", tmp_path / "result.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main([str(src), "-o", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(message), lines[0]
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["instance.json"]


def test_bad_input_in_a_real_process(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    proc = run(tmp_path, BAD[0][0], "-o", str(target))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [BAD[0][1]]
    assert not target.exists()


@pytest.mark.parametrize("raw", [b"this is not json", b"", b"{\"districts\": [", b"\xff\xfe{}"])
def test_not_json_at_all(tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: bytes) -> None:
    src, target = tmp_path / "instance.json", tmp_path / "result.json"
    src.write_bytes(raw)
    assert main([str(src), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "instance.json" in err
    assert not target.exists()


def test_not_json_in_a_real_process(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    proc = run(tmp_path, None, "-o", str(target), raw=b"not json")
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not target.exists()


def test_missing_file(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "buddy.matching", str(tmp_path / "nope.json")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and "nope.json" in proc.stderr


def test_import_loads_neither_flask_nor_sqlalchemy() -> None:
    code = ("import sys, buddy.matching; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_city_round_does_not_load_the_compiled_kernels(tmp_path: Path) -> None:
    """300 newcomers take a few hundredths of a second: importing numba alone costs more."""
    rng = random.Random(3)
    slots = ["mon-evening", "tue-evening", "sat-morning", "sun-afternoon", "wed-morning"]
    news = [{"id": f"n{i}", "languages": [rng.choice(["ar", "uk", "fa", "ti"])],
             "german_level": rng.choice(["A0", "A1", "A2", "B1"]), "district": "bilk",
             "availability": rng.sample(slots, 2), "mode": "either"} for i in range(300)]
    vols = [{"id": f"v{j}", "languages": [rng.choice(["ar", "uk", "en"])], "district": "bilk",
             "max_km": 5, "availability": rng.sample(slots, 3), "capacity": rng.choice([1, 2]),
             "mode": "either"} for j in range(150)]
    src = tmp_path / "city.json"
    src.write_text(json.dumps({**GOOD, "newcomers": news, "volunteers": vols}))
    code = ("import json, sys; from buddy.matching import parse_instance, solve; "
            f"r = solve(parse_instance(json.load(open({str(src)!r})))); "
            "print(r.summary.pairs); sys.exit(1 if 'numba' in sys.modules else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert int(proc.stdout) > 100
