"""The demo city as a whole (:mod:`attendwise.demo.city`): the same spec gives the same files, and
progress is reported."""

from __future__ import annotations

from pathlib import Path

from attendwise.demo import CitySpec, generate_city


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    spec = CitySpec(pupils=1500, schools=6, seed=5)
    a = generate_city(tmp_path / "a", spec)
    b = generate_city(tmp_path / "b", spec)
    for name in ("schools", "pupils", "marks", "terms", "closures", "contacts", "cohorts"):
        assert a.paths[name].read_bytes() == b.paths[name].read_bytes(), name
    c = generate_city(tmp_path / "c", CitySpec(pupils=1500, schools=6, seed=6))
    assert c.paths["marks"].read_bytes() != a.paths["marks"].read_bytes()
    assert a.marks == sum(1 for _ in a.paths["marks"].open()) - 1


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    generate_city(tmp_path, CitySpec(pupils=800, schools=4), progress=lambda s, d, t: calls.append((s, d, t)))
    stages = [c[0] for c in calls]
    assert {"population", "marks", "writing"} <= set(stages)
    for stage in ("population", "marks", "writing"):
        done = [d for s, d, t in calls if s == stage]
        total = next(t for s, _, t in calls if s == stage)
        assert done == sorted(done) and done[0] == 0 and done[-1] == total
