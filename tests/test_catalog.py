"""Tests for the model catalog: data, id resolution, user patch files, the JSON mirror."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from costlint import catalog as cat
from costlint.catalog import Catalog, CatalogError, load_catalog, mirror, validation


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cat.clear_cache()


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog()


def _model(catalog: Catalog, model_id: str) -> cat.ModelInfo:
    model = catalog.resolve(model_id)
    assert model is not None, model_id
    return model


# ------------------------------------------------------------------------------ resolution


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # canonical ids and aliases
        ("claude-opus-5-5", "claude-opus-5-5"),
        ("claude-haiku-5-5", "claude-haiku-5-5"),
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001"),
        ("claude-haiku-4-5", "claude-haiku-4-5-20251001"),
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929"),
        ("claude-opus-4-1", "claude-opus-4-1-20250805"),
        ("claude-opus-4-0", "claude-opus-4-20250514"),
        ("claude-sonnet-4-0", "claude-sonnet-4-20250514"),
        ("claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022"),
        # -latest aliases
        ("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022"),
        ("claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219"),
        ("claude-3-opus-latest", "claude-3-opus-20240229"),
        # Bedrock, with and without cross-region prefixes
        ("anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5-20251001"),
        ("us.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5-20251001"),
        ("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"),
        ("apac.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-20250514"),
        ("global.anthropic.claude-opus-4-5-20251101-v1:0", "claude-opus-4-5-20251101"),
        ("anthropic.claude-opus-4-6-v1", "claude-opus-4-6"),
        ("us.anthropic.claude-opus-4-6-v1", "claude-opus-4-6"),
        ("anthropic.claude-opus-5-5", "claude-opus-5-5"),
        ("global.anthropic.claude-sonnet-5-5", "claude-sonnet-5-5"),
        ("anthropic.claude-haiku-4-5", "claude-haiku-4-5-20251001"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022"),
        ("anthropic.claude-3-haiku-20240307-v1:0:200k", "claude-3-haiku-20240307"),
        (
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            "claude-3-haiku-20240307",
        ),
        ("bedrock/us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1-20250805"),
        # Vertex AI / Google Cloud
        ("claude-haiku-4-5@20251001", "claude-haiku-4-5-20251001"),
        ("claude-opus-4-1@20250805", "claude-opus-4-1-20250805"),
        ("claude-opus-4@20250514", "claude-opus-4-20250514"),
        ("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-20241022"),
        ("claude-3-haiku@20240307", "claude-3-haiku-20240307"),
        ("vertex_ai/claude-sonnet-4-5@20250929", "claude-sonnet-4-5-20250929"),
        # case and whitespace
        ("  Claude-Opus-5-5\n", "claude-opus-5-5"),
        ("US.ANTHROPIC.CLAUDE-HAIKU-4-5-20251001-V1:0", "claude-haiku-4-5-20251001"),
    ],
)
def test_resolve_every_written_form(catalog: Catalog, written: str, expected: str) -> None:
    assert _model(catalog, written).id == expected


@pytest.mark.parametrize(
    "unknown",
    [
        "claude-opus-9",
        "claude-opus-6",
        "claude-haiku-6",
        "claude-opus-5-5-20260922",  # a dated form of a dateless id is not a real id
        "claude-sonnet-4-5-20991231",  # an unknown snapshot of a known alias
        "claude-haiku-4-5@20990101",
        "claude-opus-5-5-latest",
        "anthropic.claude-opus-9-v1:0",
        "claude-3.5-sonnet",
        "gpt-4o",
        "",
        "   ",
    ],
)
def test_unknown_ids_are_none(catalog: Catalog, unknown: str) -> None:
    assert catalog.resolve(unknown) is None


def test_resolve_rejects_non_strings(catalog: Catalog) -> None:
    assert catalog.resolve(None) is None  # type: ignore[arg-type]
    assert not catalog.looks_like_claude(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("claude-opus-5-5", True),
        ("claude-opus-9", True),
        ("anthropic.claude-opus-9-v1:0", True),
        ("eu.anthropic.claude-fable-7", True),
        ("gpt-4o", False),
        ("gemini-2.5-pro", False),
        ("claude", False),
        ("", False),
    ],
)
def test_looks_like_claude(catalog: Catalog, model_id: str, expected: bool) -> None:
    assert catalog.looks_like_claude(model_id) is expected


# ------------------------------------------------------------------------------ the data


def test_catalog_holds_every_reference_model(catalog: Catalog) -> None:
    ids = [model.id for model in catalog.models()]
    assert len(ids) == len(set(ids)) == 31  # 26 + claude-2.x/instant + 5.2s
    assert catalog.verified == datetime.date(2026, 11, 21)
    assert catalog.prices_as_of == datetime.date(2026, 10, 10)
    assert catalog.sources["pricing"] == "https://platform.claude.com/docs/en/about-claude/pricing"


def test_opus_5_5_prices(catalog: Catalog) -> None:
    model = _model(catalog, "claude-opus-5-5")
    assert model.prices is not None
    assert (model.prices.input, model.prices.output) == (4, 20)
    assert model.prices.cache_read == pytest.approx(0.20)
    assert (model.prices.cache_write_5m, model.prices.cache_write_1h) == (5, 8)
    assert model.prices.batch_discount == 0.5
    assert model.is_top_tier and model.is_current
    assert (model.context_window, model.max_output) == (1_000_000, 128_000)


def test_haiku_5_5_long_prompt_tier(catalog: Catalog) -> None:
    prices = _model(catalog, "claude-haiku-5-5").prices
    assert prices is not None
    assert (prices.input, prices.output, prices.cache_read) == (0.10, 0.50, 0.01)
    assert prices.long_prompt_threshold == 100_000
    tier = prices.long_prompt_tier
    assert tier is not None
    assert (tier.input, tier.output) == (0.5, 2.5)
    assert (tier.cache_write_5m, tier.cache_write_1h, tier.cache_read) == (0.625, 1.0, 0.05)
    assert prices.for_prompt(100_000) is prices
    assert prices.for_prompt(100_001) is tier


def test_opus_4_1_retired_with_successor(catalog: Catalog) -> None:
    model = _model(catalog, "claude-opus-4-1")
    assert model.prices is not None
    assert (model.prices.input, model.prices.output) == (15, 75)
    assert model.status == "retired" and not model.is_current
    assert model.retirement == "2026-08-05"
    assert model.successor == "claude-opus-5-5"


def test_sonnet_4_5_deprecated(catalog: Catalog) -> None:
    model = _model(catalog, "claude-sonnet-4-5")
    assert model.status == "deprecated"
    assert model.deprecated == "2026-09-30"
    assert model.retirement == "2026-11-30"
    assert model.successor == "claude-sonnet-5-5"


def test_retirement_floor_is_separate_from_firm_dates(catalog: Catalog) -> None:
    model = _model(catalog, "claude-opus-4-6")
    assert model.retirement is None
    assert model.retirement_floor == "2027-02-05"


def test_unverified_prices_are_marked(catalog: Catalog) -> None:
    preview = _model(catalog, "claude-mythos-preview").prices
    assert preview is not None and preview.unverified
    assert preview.cache_read is None  # unknown, never priced as free
    assert not _model(catalog, "claude-opus-5-5").prices.unverified  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("model_id", "tokens"),
    [
        ("claude-opus-5-5", 512),
        ("claude-sonnet-5-5", 512),
        ("claude-haiku-5-5", 512),
        ("claude-fable-5-1", 512),
        ("claude-opus-4-8", 1024),
        ("claude-sonnet-4-6", 1024),
        ("claude-sonnet-4-5", 1024),
        ("claude-opus-4-7", 2048),
        ("claude-mythos-preview", 2048),
        ("claude-3-5-haiku-latest", 2048),
        ("claude-opus-4-6", 4096),
        ("claude-opus-4-5", 4096),
        ("claude-haiku-4-5", 4096),
        ("claude-3-sonnet-20240229", None),
    ],
)
def test_min_cacheable(catalog: Catalog, model_id: str, tokens: int | None) -> None:
    assert _model(catalog, model_id).min_cacheable == tokens


def test_current_per_family(catalog: Catalog) -> None:
    assert catalog.current("haiku").id == "claude-haiku-5-5"  # type: ignore[union-attr]
    assert catalog.current("sonnet").id == "claude-sonnet-5-5"  # type: ignore[union-attr]
    assert catalog.current("opus").id == "claude-opus-5-5"  # type: ignore[union-attr]
    assert catalog.current(" Mythos ").id == "claude-mythos-5-1"  # type: ignore[union-attr]
    assert catalog.current("gpt") is None


def test_successor_is_the_current_model_of_the_family(catalog: Catalog) -> None:
    for model in catalog.models():
        current = catalog.current(model.family)
        assert current is not None
        if model.prices is None and model.released is None:
            continue  # a known id without prices or dates (fable/mythos 5.2): no successor
        expected = None if model is current else current.id
        assert model.successor == expected, model.id


def test_tier_follows_family(catalog: Catalog) -> None:
    for model in catalog.models():
        assert model.tier == cat.FAMILY_TIERS[model.family], model.id


def test_new_tokenizer_is_claude_4_7_and_later(catalog: Catalog) -> None:
    new = {model.id for model in catalog.models() if model.new_tokenizer}
    assert new == {
        "claude-fable-5-2",
        "claude-mythos-5-2",
        "claude-fable-5-1",
        "claude-fable-5",
        "claude-mythos-5-1",
        "claude-mythos-5",
        "claude-mythos-preview",
        "claude-opus-5-5",
        "claude-opus-5",
        "claude-opus-4-8",
        "claude-opus-4-7",
        "claude-sonnet-5-5",
        "claude-sonnet-5",
        "claude-haiku-5-5",
    }


def test_every_model_is_priced_and_sourced(catalog: Catalog) -> None:
    for model in catalog.models():
        if model.id in ("claude-fable-5-2", "claude-mythos-5-2"):
            assert model.prices is None  # known ids, no published prices yet
        else:
            assert model.prices is not None, model.id
        assert model.sources and all(s.startswith("https://") for s in model.sources), model.id


def test_shipped_records_state_every_field() -> None:
    """Defaults exist for user files; the shipped catalog should not rely on them."""
    doc = json.loads(cat.JSON_PATH.read_text(encoding="utf-8"))
    required = validation.MODEL_KEYS - {"notes"}
    for record in doc["models"]:
        assert required <= record.keys(), (record["id"], required - record.keys())


def test_age_days(catalog: Catalog) -> None:
    assert catalog.age_days(datetime.date(2026, 11, 21)) == 0
    assert catalog.age_days(datetime.date(2027, 1, 20)) == 60
    assert catalog.age_days() == (datetime.date.today() - catalog.verified).days


# ------------------------------------------------------------------------------ JSON mirror


def test_models_json_matches_models_yaml() -> None:
    expected = mirror.render_json(cat.YAML_PATH)
    actual = cat.JSON_PATH.read_text(encoding="utf-8")
    assert json.loads(actual) == json.loads(expected), (
        "run: python -m costlint.catalog --regenerate"
    )
    assert actual == expected, "run: python -m costlint.catalog --regenerate"


def test_yaml_and_json_carry_the_same_facts() -> None:
    raw = YAML(typ="safe", pure=True).load(cat.YAML_PATH.read_text(encoding="utf-8"))
    doc = json.loads(cat.JSON_PATH.read_text(encoding="utf-8"))
    assert [m["id"] for m in raw["models"]] == [m["id"] for m in doc["models"]]
    assert doc["verified"] == "2026-11-21"


def test_check_command_reports_up_to_date() -> None:
    assert mirror.main(["--check"]) == 0


@pytest.mark.slow
def test_regenerate_writes_the_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "models.json"
    monkeypatch.setattr(mirror, "JSON_PATH", target)
    assert mirror.main(["--check"]) == 1
    assert mirror.main(["--regenerate"]) == 0
    assert target.read_text(encoding="utf-8") == mirror.render_json(cat.YAML_PATH)


def test_module_entry_point_checks_the_mirror() -> None:
    src = str(Path(cat.__file__).parents[2])
    done = subprocess.run(
        [sys.executable, "-m", "costlint.catalog", "--check"],
        env={"PYTHONPATH": src},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_runtime_load_does_not_import_yaml() -> None:
    code = (
        "import sys; from costlint.catalog import load_catalog; load_catalog();"
        "assert not any(m.startswith('ruamel') for m in sys.modules), 'ruamel imported'"
    )
    src = str(Path(cat.__file__).parents[2])  # .../src/costlint/catalog/__init__.py
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": src})


# ------------------------------------------------------------------------------ user files


def _write(tmp_path: Path, text: str, name: str = "models.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_adds_and_patches(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
models:
  - id: claude-opus-6
    family: opus
    released: 2027-01-15
    prices: {input: 3, output: 15, cache_read: 0.15}
    min_cacheable: 512
  - id: claude-haiku-4-5        # an alias: patches Claude Haiku 4.5
    aliases: [my-proxy-haiku]
    prices: {input: 0.9}
sources:
  internal: https://example.invalid/prices
""",
    )
    catalog = load_catalog(path)

    added = _model(catalog, "CLAUDE-OPUS-6")
    assert (added.family, added.tier, added.status, added.name) == (
        "opus",
        "top",
        "active",
        added.id,
    )
    assert added.prices is not None and added.prices.cache_write_5m is None
    assert catalog.current("opus") is added

    patched = _model(catalog, "anthropic.claude-haiku-4-5-20251001-v1:0")
    assert patched.prices is not None
    assert patched.prices.input == 0.9
    assert (patched.prices.output, patched.prices.cache_read) == (5, 0.1)  # deep merge kept these
    assert catalog.resolve("my-proxy-haiku") is patched
    assert catalog.resolve("claude-haiku-4-5") is patched  # original aliases kept
    assert catalog.sources["internal"] == "https://example.invalid/prices"

    builtin = load_catalog()
    assert builtin.resolve("claude-opus-6") is None
    assert _model(builtin, "claude-haiku-4-5").prices.input == 1  # type: ignore[union-attr]


def test_user_file_can_patch_the_long_prompt_tier(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "models:\n  - id: claude-haiku-5-5\n    prices: {long_prompt_tier: {input: 0.6}}\n",
    )
    prices = _model(load_catalog(path), "claude-haiku-5-5").prices
    assert prices is not None and prices.long_prompt_tier is not None
    assert prices.long_prompt_tier.input == 0.6
    assert prices.long_prompt_tier.output == 2.5
    assert prices.long_prompt_threshold == 100_000


def test_user_catalog_is_memoised_per_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "models:\n  - id: claude-opus-4-8\n    status: deprecated\n")
    assert load_catalog(path) is load_catalog(tmp_path / "." / "models.yaml")
    assert load_catalog() is load_catalog(None)
    assert load_catalog(path) is not load_catalog()


def test_empty_user_file_is_the_builtin_catalog(tmp_path: Path) -> None:
    catalog = load_catalog(_write(tmp_path, ""))
    assert [m.id for m in catalog.models()] == [m.id for m in load_catalog().models()]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("models:\n  - id: claude-opus-5-5\n    prices: {input: abc}\n", "prices.input"),
        ("models:\n  - id: claude-opus-5-5\n    prices: {input: -1}\n", "prices.input"),
        ("models:\n  - id: claude-opus-5-5\n    prise: {input: 1}\n", "prise"),
        ("models:\n  - id: claude-opus-5-5\n    prices: [1, 2]\n", "prices"),
        ("models:\n  - id: claude-opus-5-5\n    prices: {inptu: 1}\n", "prices.inptu"),
        ("models:\n  - id: claude-opus-5-5\n    status: gone\n", "status"),
        ("models:\n  - id: claude-opus-5-5\n    released: soon\n", "released"),
        ("models:\n  - id: claude-opus-5-5\n    new_tokenizer: 'yes'\n", "new_tokenizer"),
        ("models:\n  - id: claude-opus-5-5\n    context_window: 1.5\n", "context_window"),
        ("models:\n  - id: claude-opus-5-5\n    successor: claude-opus-9\n", "successor"),
        ("models:\n  - id: claude-new\n    prices: {input: 1, output: 2}\n", "family"),
        ("models:\n  - id: claude-new\n    family: gpt\n", "tier"),
        (
            "models:\n  - id: claude-new\n    family: opus\n    prices: {input: 1}\n",
            "prices.output",
        ),
        (
            "models:\n  - id: claude-new\n    family: opus\n    aliases: [claude-opus-5-5]\n",
            "aliases",
        ),
        ("models:\n  - family: opus\n", "id"),
        ("models:\n  - just-a-string\n", "models[0]"),
        ("models: {id: x}\n", "models"),
        ("model:\n  - id: claude-new\n", "model"),
        ("sources: [a, b]\n", "sources"),
        ("models:\n  - id: x\n  bad indent: [\n", "invalid YAML"),
    ],
)
def test_malformed_user_file_names_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = _write(tmp_path, text, name="my-models.yaml")
    with pytest.raises(CatalogError) as excinfo:
        load_catalog(path)
    message = str(excinfo.value)
    assert "my-models.yaml" in message
    assert key in message


def test_missing_user_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="absent.yaml"):
        load_catalog(tmp_path / "absent.yaml")


# ------------------------------------------------------------------------------ lifecycle


def _doc_with(record: dict) -> dict:
    return {"verified": "2026-11-21", "models": [record]}


def test_status_follows_the_dates_on_the_run_day() -> None:
    record = {
        "id": "claude-sonnet-9",
        "family": "sonnet",
        "status": "active",
        "deprecated": "2026-09-30",
        "retirement": "2026-11-30",
    }
    on = {
        "2026-09-01": "deprecated",  # a retirement date is announced: deprecated already
        "2026-11-29": "deprecated",
        "2026-11-30": "retired",
        "2027-01-01": "retired",
    }
    for day, expected in on.items():
        today = datetime.date.fromisoformat(day)
        catalog = cat.catalog_from_document(_doc_with(record), "test", today=today)
        assert catalog.resolve("claude-sonnet-9").status == expected, day


def test_deprecation_date_alone_deprecates_once_passed() -> None:
    record = {"id": "claude-haiku-9", "family": "haiku", "deprecated": "2026-12-01"}
    before = cat.catalog_from_document(_doc_with(record), "t", today=datetime.date(2026, 11, 1))
    after = cat.catalog_from_document(_doc_with(record), "t", today=datetime.date(2026, 12, 1))
    assert before.resolve("claude-haiku-9").status == "active"
    assert after.resolve("claude-haiku-9").status == "deprecated"


def test_refresh_of_2026_11_28(catalog: Catalog) -> None:
    opus = _model(catalog, "claude-opus-4-5")
    assert opus.retirement == "2027-01-22"
    assert any("deprecated_models.py" in s for s in opus.sources)
    mythos = _model(catalog, "claude-mythos-preview")
    assert mythos.retirement == "2026-06-30"
    assert _model(catalog, "claude-sonnet-4-5").retirement == "2026-11-30"
    on = datetime.date(2026, 11, 28)
    dated = cat.catalog_from_document(json.loads(cat.JSON_PATH.read_text()), "m", today=on)
    assert dated.resolve("claude-opus-4-5").status == "deprecated"
    assert dated.resolve("claude-mythos-preview").status == "retired"
    assert dated.resolve("claude-sonnet-4-5").status == "deprecated"
    later = cat.catalog_from_document(
        json.loads(cat.JSON_PATH.read_text()), "m", today=datetime.date(2026, 12, 1)
    )
    assert later.resolve("claude-sonnet-4-5").status == "retired"


def test_new_ids_are_known_but_unpriced(catalog: Catalog) -> None:
    for model_id in ("claude-fable-5-2", "claude-mythos-5-2"):
        model = _model(catalog, model_id)
        assert model.prices is None
        assert any("types/model.py" in s for s in model.sources)
    # an unpriced id without a release date never becomes the family's current model
    assert catalog.current("fable").id == "claude-fable-5-1"
