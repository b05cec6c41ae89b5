"""The rule engine: loads ``rules/*.yaml``, runs each rule's check, applies config and suppressions.

There is no hand-kept registry: every YAML file in the rules folder is a rule, and its
``check:`` names a module in ``costlint.checks`` that defines ``check(site, ctx)``, or its
``when:`` is a declarative condition (costlint.conditions) with a ``message:`` template.
A project's own rules (``rules-dir``) are untrusted input: ``when:`` only, never ``check:``,
and loading them imports nothing they name.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .fingerprint import stamp_fingerprints
from .fixes import FIX_KINDS, Fix, NoCostModel
from .request import key_span
from .ruleschema import Example, RuleError, parse_examples
from .sdkpin import SdkPin
from .site import Finding, Origin, PromptSite, Span, TokenCount

if TYPE_CHECKING:  # the when: grammar is imported only by rules that have one
    from .conditions import Declared

RULE_ID = re.compile(r"^CL\d{3}$")
PROJECT_RULE_ID = re.compile(r"^[A-Z]{1,8}\d{3}$")  # CL### stays reserved for built-in rules
RULE_NAME = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")
SEVERITIES = ("error", "warning", "info")
REQUIRED_KEYS = ("id", "name", "severity", "category", "summary", "docs", "examples")
PROJECT_REQUIRED_KEYS = ("id", "name", "severity", "category", "summary", "docs", "when")
DOC_SECTIONS = ("what", "why", "example", "use_instead")
KNOWN_KEYS = frozenset(
    {*REQUIRED_KEYS, "check", "when", "message", "fix", "saving", "parameters"}
    | {"status", "since", "points_at"}
)
# The fix kinds a ``saving:`` may name (costlint.fixes.FIX_KINDS, less "none"), and the
# rule parameter each needs as evidence (the typed fix's required field).
SAVING_KINDS: dict[str, str | None] = {
    kind: next((f.name for f in fields(cls) if f.default is MISSING), None)
    for kind, cls in FIX_KINDS.items()
    if kind != NoCostModel.kind
}


@dataclass
class Report:
    """What a check says about one site; the engine turns it into a Finding."""

    message: str
    fix: str = ""
    tokens: TokenCount | None = None
    remedy: Fix = field(default_factory=NoCostModel)  # the typed fix (fix is its display text)
    span: Span | None = None  # defaults to the site's span (e.g. YAML findings point at a key)
    severity: str | None = None  # overrides the rule's default (e.g. retired vs deprecated)


@dataclass
class Rule:
    id: str
    name: str
    severity: str
    category: str
    check: str | None  # a module in costlint.checks; None for a declarative (when:) rule
    summary: str
    parameters: dict[str, Any]
    docs: dict[str, str]
    examples: dict[str, list[Example]]
    status: str = "stable"
    points_at: str | None = None  # in config files, findings point at this key's line
    path: Path | None = None
    declared: Declared | None = None
    project: bool = False  # from the project's rules-dir (untrusted input)
    _func: Callable[..., Iterable[Report]] | None = None

    def function(self) -> Callable[..., Iterable[Report]]:
        if self._func is None and self.declared is not None:
            self._func = functools.partial(_declared_check, self.declared)
        if self._func is None:
            if self.project or not self.check:  # never import what a project rule names
                raise RuleError(f"{self.id}: no check")
            module = importlib.import_module(f"costlint.checks.{self.check}")
            func = getattr(module, "check", None)
            if not callable(func):
                raise RuleError(f"{self.id}: costlint.checks.{self.check} has no check()")
            self._func = func
        return self._func

    def remedy_kinds(self) -> tuple[str, ...]:
        """The fix kinds this rule's check declares it yields (its module's ``REMEDIES``)."""
        if self.declared is not None:
            return (self.declared.saving or NoCostModel.kind,)
        self.function()
        module = importlib.import_module(f"costlint.checks.{self.check}")
        return tuple(remedy.kind for remedy in getattr(module, "REMEDIES", ()))


def _declared_check(declared: Declared, site: PromptSite, ctx: CheckContext) -> Iterator[Report]:
    """What a rule without Python says about ``site``: its message when ``when:`` holds."""
    from .conditions import SiteView, evaluate

    view = SiteView(site, ctx.model(site))
    if evaluate(declared.condition, view, ctx.params) is not True:
        return
    fix = declared.fix.render(view, ctx.params) if declared.fix else ""
    message = declared.message.render(view, ctx.params)
    yield Report(message, fix=fix, remedy=_declared_remedy(declared, site, ctx))


def _declared_remedy(declared: Declared, site: PromptSite, ctx: CheckContext) -> Fix:
    """The typed fix ``saving:`` names, its evidence from the rule's parameters and the site."""
    if declared.saving is None:
        return NoCostModel()
    return FIX_KINDS[declared.saving].from_site(site, ctx.params)


def rules_with_remedy(rules: Iterable[Rule], kind: str) -> list[str]:
    """The ids of the rules whose checks yield fixes of ``kind``, in id order."""
    return sorted(rule.id for rule in rules if kind in rule.remedy_kinds())


def rules_dir() -> Path:
    """The shipped rules: inside the installed package, or the repository's ``rules/``."""
    packaged = Path(__file__).parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


MIRROR = "rules.json"  # the YAML files parsed once; parsing YAML costs ~40 ms per run


def load_rules(directory: Path | None = None) -> list[Rule]:
    folder = directory or rules_dir()
    paths = sorted(folder.glob("*.yaml"))
    sources = {path.name: _digest(path) for path in paths}
    parsed = _read_mirror(folder, sources)
    if parsed is None:
        from .yamlio import load_yaml_file

        parsed = {path.name: load_yaml_file(path) for path in paths}
    rules = [_rule_from(parsed[path.name], path) for path in paths]
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RuleError(f"duplicate rule ids in {folder}")
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise RuleError(f"duplicate rule names in {folder}")
    return sorted(rules, key=lambda r: r.id)


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_mirror(folder: Path, sources: dict[str, str]) -> dict[str, Any] | None:
    """The mirror's parsed rules when it was built from exactly these YAML files."""
    import json

    try:
        mirror = json.loads((folder / MIRROR).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(mirror, dict) or mirror.get("sources") != sources:
        return None
    rules = mirror.get("rules")
    return rules if isinstance(rules, dict) else None


def write_mirror(folder: Path | None = None) -> Path:
    """Rewrite rules/rules.json from the YAML files (``python -m costlint.engine``)."""
    import json

    from .yamlio import load_yaml_file

    folder = folder or rules_dir()
    paths = sorted(folder.glob("*.yaml"))
    mirror = {
        "sources": {path.name: _digest(path) for path in paths},
        "rules": {path.name: load_yaml_file(path) for path in paths},
    }
    target = folder / MIRROR
    target.write_text(json.dumps(mirror, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def _rule_from(data: Any, path: Path, *, project: bool = False) -> Rule:
    where = str(path) if project else path.name
    if not isinstance(data, dict):
        raise RuleError(f"{where}: not a mapping")
    required = PROJECT_REQUIRED_KEYS if project else REQUIRED_KEYS
    missing = [key for key in required if key not in data]
    if missing:
        raise RuleError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(str(key) for key in data if key not in KNOWN_KEYS)
    if unknown:
        raise RuleError(
            f"{where}: unknown key '{unknown[0]}' (keys: {', '.join(sorted(KNOWN_KEYS))})"
        )
    pattern, shape = (
        (PROJECT_RULE_ID, "letters and 3 digits, not CL") if project else (RULE_ID, "CL###")
    )
    if not pattern.match(str(data["id"])) or (project and RULE_ID.match(str(data["id"]))):
        raise RuleError(f"{where}: 'id' {data['id']!r} is not {shape} (e.g. ACME001)")
    if not RULE_NAME.match(str(data["name"])):
        raise RuleError(f"{where}: 'name' {data['name']!r} is not kebab-case")
    if data["severity"] not in SEVERITIES:
        raise RuleError(f"{where}: 'severity' must be one of {SEVERITIES}")
    docs = data["docs"] or {}
    if not isinstance(docs, dict):
        raise RuleError(f"{where}: 'docs' must be a mapping")
    absent = [section for section in DOC_SECTIONS if not docs.get(section)]
    if absent:
        raise RuleError(f"{where}: docs missing {', '.join(absent)}")
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise RuleError(f"{where}: 'parameters' must be a mapping")
    points_at = data.get("points_at")
    if points_at is not None and not isinstance(points_at, str):
        raise RuleError(f"{where}: 'points_at' must be an argument name")
    return Rule(
        id=str(data["id"]),
        name=str(data["name"]),
        severity=str(data["severity"]),
        category=str(data["category"]),
        check=_check_module(data, where, project),
        summary=str(data["summary"]).strip(),
        parameters=dict(parameters),
        docs={k: str(v) for k, v in docs.items()},
        examples=parse_examples(data.get("examples") or {}, where),
        status=str(data.get("status", "stable")),
        points_at=points_at or None,
        path=path,
        declared=_declared(data, where, dict(parameters)),
        project=project,
    )


def _check_module(data: dict[str, Any], where: str, project: bool) -> str | None:
    if "check" in data and project:
        raise RuleError(
            f"{where}: 'check' is not allowed in a project rule (it would name Python code to "
            "import): write a 'when:' condition instead"
        )
    if ("check" in data) == ("when" in data):
        raise RuleError(f"{where}: a rule has either 'check' (a costlint.checks module) or 'when'")
    if "check" not in data:
        return None
    check = data["check"]
    if not isinstance(check, str) or not check.isidentifier():
        raise RuleError(f"{where}: 'check' must name a module in costlint.checks")
    for key in ("message", "fix", "saving"):
        if key in data:
            raise RuleError(f"{where}: '{key}' goes with 'when', not with 'check'")
    return check


def _declared(data: dict[str, Any], where: str, parameters: dict[str, Any]) -> Declared | None:
    if "when" not in data:
        return None
    if "message" not in data:
        raise RuleError(f"{where}: missing message (the finding's text, with {{field}} parts)")
    import json

    from .conditions import Declared, parse_condition, parse_template

    saving = data.get("saving")
    if saving is not None:
        if not isinstance(saving, str) or saving not in SAVING_KINDS:
            kinds = ", ".join(SAVING_KINDS)
            raise RuleError(f"{where}: 'saving' {saving!r} is not a fix kind ({kinds})")
        needed = SAVING_KINDS[saving]
        if needed is not None and needed not in parameters:
            raise RuleError(f"{where}: 'saving: {saving}' needs the parameter '{needed}'")
    condition = parse_condition(data["when"], where, parameters)
    message = parse_template(data["message"], f"{where}: 'message", parameters)
    fix = parse_template(data["fix"], f"{where}: 'fix", parameters) if "fix" in data else None
    keys = ("when", "message", "fix", "saving")
    source = json.dumps({key: data.get(key) for key in keys}, sort_keys=True, default=str)
    return Declared(condition, message, fix, saving, source)


def load_project_rules(folder: Path, builtin: list[Rule]) -> list[Rule]:
    """A project's ``rules-dir``: every ``*.yaml`` there is a ``when:`` rule (untrusted input)."""
    from .yamlio import YamlError, load_yaml_file

    rules = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = load_yaml_file(path)
        except YamlError as exc:
            raise RuleError(str(exc)) from None
        rules.append(_rule_from(data, path, project=True))
    taken = {r.id: r for r in builtin} | {r.name: r for r in builtin}
    seen: dict[str, Path] = {}
    for rule in rules:
        for key in (rule.id, rule.name):
            if key in taken:
                raise RuleError(
                    f"{rule.path}: '{key}' is already the built-in rule {taken[key].id}"
                )
            if key in seen:
                raise RuleError(f"{rule.path}: '{key}' is also defined in {seen[key]}")
            seen[key] = rule.path or folder
    return sorted(rules, key=lambda r: r.id)


class SuppressionOutcome(NamedTuple):
    """For the unused-suppression check, per site: the rules run on it (``active``) and those
    among them that found something the site's suppression comment then hid (``fired``).
    A NamedTuple, cheaper to define than a frozen dataclass."""

    fired: frozenset[str] = frozenset()
    active: tuple[Rule, ...] = ()


@dataclass
class CheckContext:
    """What a check may ask besides the site: its parameters and the model catalog."""

    params: dict[str, Any]
    catalog: Any = None
    sdk: SdkPin | None = None  # the anthropic SDK version the project pins (sdkpin)
    suppression: SuppressionOutcome = field(default_factory=SuppressionOutcome)

    def model(self, site: PromptSite) -> Any:
        model = site.get("model")
        if self.catalog is None or not isinstance(model, str):
            return None
        return self.catalog.resolve(str(model))


def matches(code_or_name: str, patterns: Iterable[str], rule: Rule) -> bool:
    """ruff-style selection: a pattern is ALL, an id prefix (CL00, CL002) or a rule name."""
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern:
            continue
        if pattern.upper() == "ALL" or rule.id.startswith(pattern.upper()) or pattern == rule.name:
            return True
    del code_or_name
    return False


PREVIEW = "preview"  # Rule.status of a rule that runs only when a selector names it


def selected(rule: Rule, select: list[str] | None) -> bool:
    """Whether ``select`` turns ``rule`` on. A preview rule is on only when a selector names
    it exactly (its id or name): never by default, ALL or a prefix."""
    if rule.status == PREVIEW:
        names = {pattern.strip() for pattern in select or ()}
        return rule.id in {n.upper() for n in names} or rule.name in names
    return select is None or matches(rule.id, select, rule)


def known_selector(pattern: str, rules: Iterable[Rule]) -> bool:
    """ALL, a prefix of some rule's id (CL, CL0, CL00, CL004) or a rule's name."""
    pattern = pattern.strip()
    upper = pattern.upper()
    if upper == "ALL":
        return True
    prefix = re.fullmatch(r"CL\d{0,3}", upper) is not None
    return any((prefix and rule.id.startswith(upper)) or pattern == rule.name for rule in rules)


UNUSED_SUPPRESSION = "unused_suppression"  # the check that needs the suppressed rules' results


class Engine:
    def __init__(
        self,
        rules: list[Rule],
        *,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        per_file_ignores: dict[str, list[str]] | None = None,
        ignores_base: str = "",
        rule_options: dict[str, dict[str, Any]] | None = None,
        catalog: Any = None,
        sdk: SdkPin | None = None,
    ):
        """``per_file_ignores`` patterns match paths relative to ``ignores_base`` (the config
        file's folder, relative to the repository root)."""
        self.catalog = catalog
        self.sdk = sdk
        self.per_file_ignores = per_file_ignores or {}
        self.ignores_base = ignores_base
        self.rules = [
            rule
            for rule in rules
            if selected(rule, select) and not matches(rule.id, ignore or [], rule)
        ]
        # What an unused-suppression check may run to see whether a comment hides anything.
        self.judgeable = [r for r in rules if r.status != PREVIEW and r.check != UNUSED_SUPPRESSION]
        options = rule_options or {}
        contexts = {
            rule.id: CheckContext(
                {**rule.parameters, **options.get(rule.id, {}), **options.get(rule.name, {})},
                catalog,
                sdk=sdk,
            )
            for rule in rules
        }
        self.contexts = {rule.id: contexts[rule.id] for rule in self.rules}
        self._judge_contexts = contexts

    def _rules_for(self, site: PromptSite, rules: list[Rule] | None = None) -> list[Rule]:
        rules = self.rules if rules is None else rules
        if not self.per_file_ignores:
            return rules
        path = site.repo_path or site.path
        if self.ignores_base:
            path = posixpath.relpath(path, self.ignores_base)
        ignored: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("/") + "/"):
                ignored.extend(codes)
        if not ignored:
            return rules
        return [rule for rule in rules if not matches(rule.id, ignored, rule)]

    def run(self, sites: Iterable[PromptSite]) -> list[Finding]:
        findings: list[Finding] = []
        cache: dict[str, list[Rule]] = {}
        for site in sites:
            if site.path not in cache:
                cache[site.path] = self._rules_for(site)
            active = cache[site.path]
            unused_rule = next((r for r in active if r.check == UNUSED_SUPPRESSION), None)
            for rule in active:
                if rule is unused_rule or _suppressed(site, rule):
                    continue
                findings.extend(self._apply(rule, site))
            if unused_rule is not None and site.ignore and not _suppressed(site, unused_rule):
                findings.extend(self._unused_suppressions(unused_rule, site))
        findings.sort(key=Engine.order)
        findings = collapse_identical(findings)
        stamp_fingerprints(findings)
        return findings

    def _unused_suppressions(self, unused_rule: Rule, site: PromptSite) -> Iterator[Finding]:
        """Run every rule the site's comment suppresses, selected or not (except those
        per-file-ignored there), and let the unused-suppression check judge the comment."""
        judged = [rule for rule in self._rules_for(site, self.judgeable) if _suppressed(site, rule)]
        fired = {rule.id for rule in judged if any(True for _ in self._apply(rule, site))}
        context = self.contexts[unused_rule.id]
        context.suppression = SuppressionOutcome(frozenset(fired), tuple(judged))
        yield from self._apply(unused_rule, site)

    @staticmethod
    def order(finding: Finding) -> tuple[str, int, int, int, str]:
        """How findings are listed: by file, cell, line, column, rule."""
        return (finding.path, finding.cell or 0, finding.line, finding.column, finding.rule)

    def _apply(self, rule: Rule, site: PromptSite) -> Iterator[Finding]:
        context = self.contexts.get(rule.id) or self._judge_contexts[rule.id]
        for report in rule.function()(site, context) or ():
            key = key_span(site, rule.points_at) if rule.points_at else None
            span = report.span or key or site.span
            yield Finding(
                rule=rule.id,
                name=rule.name,
                severity=report.severity or rule.severity,
                path=site.path,
                line=span.line,
                column=span.column,
                cell=site.cell,
                message=report.message,
                fix=report.fix,
                tokens=report.tokens,
                site=site,
                remedy=report.remedy,
                defined_at=definition(site, rule.points_at, report.message),
            )


def collapse_identical(findings: list[Finding]) -> list[Finding]:
    """One finding per place and message: a config that pairs each prompt with each provider
    makes one site per pair, and a model written once gives one finding on its line, not one
    per pair (the first is kept, with its site; the others are folded into it, so their
    savings still count)."""
    kept: dict[tuple[Any, ...], Finding] = {}
    for finding in findings:
        key = (
            finding.rule, finding.path, finding.cell, finding.line, finding.column,
            finding.message, finding.fix, finding.severity,
        )  # fmt: skip
        first = kept.setdefault(key, finding)
        if first is not finding:
            first.folded.append(finding)
    return list(kept.values())


def definition(site: PromptSite, argument: str | None, message: str) -> Origin | None:
    """Where the value of ``argument`` that a finding is about is written, when that is not
    at the call: the candidate the message names (else the default, else the only one)."""
    if argument is None:
        return None
    found = site.candidates.get(argument)
    if not found:
        return None
    named = [c for c in found if c.origin is not None and f"{c.value}" in message]
    chosen = named[0] if len(named) == 1 else found.default()
    if chosen is None or chosen.origin is None:
        return None
    origin = chosen.origin
    end = site.span.end_line or site.span.line
    same_place = origin.path == (site.repo_path or site.path) and origin.cell == site.cell
    if same_place and site.span.line <= origin.line <= end:
        return None  # written at the call itself: the finding's own location says it
    return origin


def _suppressed(site: PromptSite, rule: Rule) -> bool:
    if not site.ignore:
        return False
    return "*" in site.ignore or rule.id in site.ignore or rule.name.upper() in site.ignore


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write_mirror()}")
