"""The project's promises about itself: set-up, documentation and layering."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from conftest import ROOT

from dashboard.model import Actor, Article, Event, Participant, Place, SourceRef

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
DATA_DOC = (ROOT / "docs" / "DATA.md").read_text(encoding="utf-8")


def test_requirements_txt_matches_pyproject() -> None:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    reqs = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    assert sorted(reqs) == sorted(PYPROJECT["project"]["dependencies"])


def test_every_dependency_has_a_lower_bound() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    deps = PYPROJECT["project"]["dependencies"] + [d for x in extras.values() for d in x]
    # An extra of this project ("contact-atlas[spark]") is pinned where it is defined.
    own = [d for d in deps if d.startswith("contact-atlas[")]
    assert all(">=" in d for d in deps if d not in own), deps
    assert all(d.removeprefix("contact-atlas[").rstrip("]") in extras for d in own)


def test_readme_has_the_two_commands_and_ci_runs_the_test_one() -> None:
    assert "make run" in README
    assert "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_data_field_is_documented() -> None:
    for model in (Article, Actor, Place, Event, Participant, SourceRef):
        for name in model.model_fields:
            assert f"`{name}`" in DATA_DOC, f"{model.__name__}.{name} is not in docs/DATA.md"


def test_every_event_kind_is_documented() -> None:
    from dashboard.model import TAXONOMY  # noqa: PLC0415

    for kind, spec in TAXONOMY.items():
        assert re.search(
            rf"\| `{kind}` \|.*\| {spec.cameo} {spec.cameo_name}( \([0-9, ]+\))? \|", DATA_DOC
        ), kind


def test_streamlit_stays_in_the_ui_layer() -> None:
    for path in (ROOT / "dashboard").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "dashboard/app.py" or rel.startswith("dashboard/ui/"):
            continue
        assert not re.search(r"^\s*(import|from)\s+streamlit", path.read_text(encoding="utf-8"), re.M), rel


def test_every_environment_setting_is_documented() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "dashboard").rglob("*.py"))
    names = set(re.findall(r"""os\.environ(?:\.get\(|\[)\s*["']([A-Z_]+)["']""", code))
    assert {
        "DASHBOARD_DATA",
        "CONTACT_ATLAS_USER_AGENT",
        "CONTACT_ATLAS_CACHE",
        "CONTACT_ATLAS_TIMING",
    } <= names
    for name in names - {"XDG_CACHE_HOME"}:
        assert f"`{name}" in README, f"{name} is read by the code but not in README.md"


def test_the_map_borders_are_served_from_the_app() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert (ROOT / "dashboard" / "static" / "topojson" / "world_110m.json").stat().st_size > 100_000


def test_no_page_writes_by_magic() -> None:
    # Streamlit's "magic" is off (.streamlit/config.toml): a bare expression in a page would show
    # nothing, so a page writes only by calling st.*; a docstring or a call is the only bare
    # expression allowed.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    for path in [ROOT / "dashboard" / "app.py", *sorted((ROOT / "dashboard" / "ui").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call | ast.Await | ast.Yield):
                doc = isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                assert doc, f"{path.name}:{node.lineno}: a bare expression, shown only by magic"


def _top_level_modules() -> set[str]:
    here = ROOT / "dashboard"
    return {
        f"dashboard.{p.stem}"
        for p in here.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }


def test_the_import_contracts_place_every_module() -> None:
    # A new module must take its place in the layers (and, unless it is a page, stay off streamlit).
    contracts = {c["type"]: c for c in PYPROJECT["tool"]["importlinter"]["contracts"]}
    layered = [m.strip() for line in contracts["layers"]["layers"] for m in re.split(r"[|:]", line)]
    assert sorted(layered) == sorted(_top_level_modules())
    assert contracts["forbidden"]["forbidden_modules"] == ["streamlit"]
    assert set(contracts["forbidden"]["source_modules"]) == _top_level_modules() - {
        "dashboard.app",
        "dashboard.ui",
    }


def test_the_dashboard_has_no_import_cycle() -> None:
    import grimp  # noqa: PLC0415 - installed with import-linter (the test extra)

    import dashboard  # noqa: PLC0415

    assert (
        Path(dashboard.__file__).parent == ROOT / "dashboard"
    )  # this checkout's code, not an installed copy
    # Every import counts, those inside functions too: a cycle hidden in a function is still one.
    graph = grimp.build_graph("dashboard", cache_dir=None)
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            assert back is None, f"import cycle: {importer} -> {' -> '.join(back)}"
