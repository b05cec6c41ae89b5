"""The plain data passed between pipeline stages: PromptSite, Finding, Diagnostic.

Values resolved from source are ordinary Python values (str, int, float, bool, None, list,
dict) with two additions:

* ``Str`` - a ``str`` that remembers how many *holes* (unresolved parts such as an f-string
  ``{user_input}``) it contains; each hole is rendered as a ``{name}`` placeholder.
* ``UNKNOWN`` - a value the source does not let us know. Rules that need it do not fire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .fixes import Fix, NoCostModel


class _Unknown:
    """Singleton for a value that cannot be resolved statically."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


class Str(str):
    """A resolved string; ``holes`` counts the placeholders standing in for unknown parts.

    ``first_hole`` is the character offset of the first placeholder (None when there is
    none): the text before it is the stable, cacheable prefix.
    """

    holes: int
    first_hole: int | None

    def __new__(cls, text: str, holes: int = 0, first_hole: int | None = None) -> Str:
        obj = super().__new__(cls, text)
        obj.holes = holes
        obj.first_hole = first_hole if holes else None
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (Str, (str(self), self.holes, self.first_hole))

    @staticmethod
    def hole(name: str) -> Str:
        text = "{" + (name or "input") + "}"
        return Str(text, 1, 0)

    @staticmethod
    def concat(parts: list[str]) -> Str:
        text: list[str] = []
        holes = 0
        first: int | None = None
        offset = 0
        for part in parts:
            part_holes = getattr(part, "holes", 0)
            if part_holes and first is None:
                first = offset + (getattr(part, "first_hole", 0) or 0)
            holes += part_holes
            text.append(str(part))
            offset += len(part)
        return Str("".join(text), holes, first)


def stable_prefix(value: Any) -> str:
    """The part of a resolved string that does not vary between calls."""
    if not isinstance(value, str):
        return ""
    first = getattr(value, "first_hole", None)
    if getattr(value, "holes", 0) and first is not None:
        return str(value)[:first]
    return str(value)


@dataclass(frozen=True)
class Origin:
    """Where a value is written in the repository: path (repository-relative, POSIX) and line."""

    path: str
    line: int
    name: str = ""  # what the code calls the value there (``CLASSIFIER_MODEL``, ``llm.model``)
    cell: int | None = None  # in a notebook: the cell (``line`` is then within the cell)

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"path": self.path, "line": self.line}
        if self.cell is not None:
            found["cell"] = self.cell
        if self.name:
            found["name"] = self.name
        return found

    @property
    def where(self) -> str:
        """``path:line``, or ``path cell N:line`` in a notebook."""
        cell = "" if self.cell is None else f" cell {self.cell}"
        return f"{self.path}{cell}:{self.line}"


@dataclass(frozen=True)
class Candidate:
    """One value an argument can take, and where the code writes it."""

    value: Any
    origin: Origin | None = None
    # The value used when nothing overrides it (a parameter, CLI or config default).
    default: bool = False
    # The environment or the caller may replace it (an ``os.getenv`` default).
    overridable: bool = False


class Candidates(tuple[Candidate, ...]):
    """The set of values the code lets an argument take; never empty (that is UNKNOWN)."""

    def values(self) -> list[Any]:
        return [candidate.value for candidate in self]

    def default(self) -> Candidate | None:
        """The candidate the code uses by default: the marked one, or the only one."""
        marked = [candidate for candidate in self if candidate.default]
        if marked:
            return marked[0]
        return self[0] if len(self) == 1 else None


@dataclass(frozen=True)
class Span:
    line: int  # 1-based; in a notebook, the line within the cell
    column: int  # 1-based
    end_line: int | None = None
    end_column: int | None = None


@dataclass
class PromptSite:
    """One request to Claude as written in the source, normalized across front-ends."""

    path: str  # relative to the run directory, POSIX separators
    span: Span
    kind: str  # e.g. "messages.create", "messages.stream", "yaml-config"
    frontend: str = "python"  # python | notebook | jinja | yaml | prompty | dotprompt
    cell: int | None = None
    qualname: str = "<module>"  # enclosing function/class, for stable addresses
    ordinal: int = 0  # index among sites with the same qualname in the file
    # Resolved request arguments: name -> value (UNKNOWN where unresolvable).
    args: dict[str, Any] = field(default_factory=dict)
    # Arguments present in the call but hidden behind ** we could not resolve.
    opaque_kwargs: bool = False
    # Where each argument was written (for findings that point at a key, e.g. YAML).
    arg_spans: dict[str, Span] = field(default_factory=dict)
    # Arguments whose value comes from elsewhere or can take several values: every candidate
    # with where it is defined. ``args[name]`` then holds the default candidate's value (or
    # UNKNOWN when there is no default).
    candidates: dict[str, Candidates] = field(default_factory=dict)
    client_timeout: bool | None = None  # a timeout set on the client or call (None: can't see)
    repeated: bool = False  # inside a function, method or loop
    in_loop: bool = False
    # One request of a Message Batch (the batch discount applies to it).
    batched: bool = False
    # How `messages` is built (for resent-history): see extract.python.HistoryInfo.
    history: HistoryInfo | None = None
    # A loop over independent items in an offline job that reaches the call (batch-eligible).
    batch: BatchReach | None = None
    # Content that changes on every call placed inside or before a cache breakpoint.
    volatile: VolatilePart | None = None
    ignore: frozenset[str] | None = None  # suppression on the call's first line; {"*"} = all
    notes: list[str] = field(default_factory=list)
    # Filled by the count stage: "prefix" (stable cacheable prefix) and "input" (whole request).
    tokens: dict[str, TokenCount] = field(default_factory=dict)

    # Stamped by the extraction stage, once: the path relative to the repository root (how
    # usage files, baselines, SARIF and diffs name the file) and the call's normalised text
    # (what fingerprints are made of; see fingerprint.py).
    repo_path: str = ""
    call_text: str = ""
    # The source lines the call spans (and the lines its arguments are written on), by line
    # number, stamped by the extraction stage for the terminal's caret display. Never cached
    # (they can hold prompt text): on a cache hit they and ``call_text`` are stamped from the
    # bytes the stage read only when asked for (``load_source``), as most runs never ask.
    source_lines: dict[int, str] = field(default_factory=dict)
    pending_source: Any = field(default=None, repr=False, compare=False)

    def load_source(self) -> None:
        """Stamp ``call_text`` and ``source_lines`` now if a cache hit left them for later."""
        pending, self.pending_source = self.pending_source, None
        if pending is not None:
            pending(self)

    @property
    def address(self) -> str:
        """``path::qualname[#ordinal]``, run-relative."""
        return self.address_at(self.path)

    @property
    def repo_address(self) -> str:
        """The address relative to the repository root."""
        return self.address_at(self.repo_path or self.path)

    def address_at(self, path: str) -> str:
        base = f"{path}::{self.qualname}"
        return base if self.ordinal == 0 else f"{base}#{self.ordinal}"

    def get(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)

    @property
    def model(self) -> Any:
        return self.args.get("model", UNKNOWN if self.opaque_kwargs else None)


@dataclass
class HistoryInfo:
    """What the extractor learned about the value passed as ``messages``."""

    growing: bool = False  # a list appended to each turn / across calls
    whole: bool = False  # passed whole (not sliced, not through a trimming helper)
    windowed: bool = False  # sliced (history[-6:]) or passed through a helper
    cached: bool = False  # a cache breakpoint is put on the messages
    variable: str = ""  # the name as written, e.g. "self.history"
    growth_line: int | None = None
    turn_bound: int | None = None  # the loop that grows it runs at most this many times
    capped: bool = False  # that loop has an iteration limit (a counter checked against a cap)
    joined: bool = False  # earlier results joined into the prompt text, not sent as turns
    tool_loop: bool = False  # the loop repeats while the model asks for tools (stop_reason)
    opening_known: bool = False  # the list's first value (the task) is seen whole


@dataclass(frozen=True)
class BatchReach:
    """Why a call is batch-eligible: the loop over items that reaches it, and the offline entry."""

    loop: str  # what the loop goes over, as written (``rows``, ``df.iterrows()``)
    path: str  # the loop's file, relative to the project root (POSIX)
    line: int  # the loop's line (in a notebook: within its cell)
    entry: str  # what makes the job offline (``if __name__ == "__main__"``)
    cell: int | None = None
    depth: int = 0  # caller levels between the loop and the call (0: the call is in the loop)


@dataclass(frozen=True)
class VolatilePart:
    """Request content that changes on every call, placed inside or before a cache breakpoint."""

    what: str  # the source as written (``datetime.now()``, ``open(path).read()``)
    line: int  # where that value is made (in a notebook: within its cell)
    part: str  # tools | system | messages
    reason: str  # why it changes per call (``the current time``, ``a loop variable``)
    path: str = ""  # set when the value is made in another file (a caller), root-relative


@dataclass(frozen=True)
class TokenCount:
    count: int
    source: str  # "api" | "cache" | "estimate"


@dataclass
class Finding:
    rule: str
    name: str
    severity: str  # "error" | "warning" | "info"
    path: str
    line: int
    column: int
    message: str
    fix: str = ""
    cell: int | None = None
    tokens: TokenCount | None = None
    site: PromptSite | None = None
    # The typed fix, with its evidence, for later stages (pricing prices it by its kind).
    remedy: Fix = field(default_factory=NoCostModel)
    # Stamped once by the rule engine (or the cache replay): see fingerprint.py.
    fingerprint: str = ""
    # Where the value the finding is about is written, when that is not at the call itself
    # (a constant, a default, a config file): the place to change it.
    defined_at: Origin | None = None
    # The same finding on other call sites, folded into this one when they were listed as one
    # (``engine.collapse_identical``): each keeps its site, so pricing still counts its saving.
    folded: list[Finding] = field(default_factory=list, repr=False, compare=False)

    @property
    def repo_path(self) -> str:
        """The finding's file relative to the repository root."""
        return (self.site.repo_path if self.site is not None else "") or self.path

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "cell": self.cell,
            "message": self.message,
            "fix": self.fix,
            "tokens": (
                {"count": self.tokens.count, "source": self.tokens.source} if self.tokens else None
            ),
            **({"defined_at": self.defined_at.to_json()} if self.defined_at else {}),
        }


PARSE_ERROR = "parse-error"  # Diagnostic.kind: the file does not parse (fail closed on it)
UNKNOWN_SUPPRESSION = "unknown-suppression"  # Diagnostic.kind: a comment names no rule


@dataclass(frozen=True)
class Diagnostic:
    """A file costlint could not read fully. Only ``PARSE_ERROR`` diagnostics can change an
    exit code (``diff``, and ``check`` under pre-commit); the others never do."""

    path: str
    message: str
    kind: str = ""  # "" (a file skipped or read in part), PARSE_ERROR, UNKNOWN_SUPPRESSION
    line: int | None = None  # where, when known (1-based, in the file or notebook cell)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.kind:
            data["kind"] = self.kind
        if self.line is not None:
            data["line"] = self.line
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        line = data.get("line")
        if line is not None and not isinstance(line, int):
            raise ValueError("damaged diagnostic line")
        return cls(str(data["path"]), str(data["message"]), str(data.get("kind", "")), line)
