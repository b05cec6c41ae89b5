"""The jinja2 sandbox costlint renders templates in. Imported only when a template is rendered.

A scanned template can be hostile. It is compiled and rendered only by ``BoundedSandbox``
(a ``jinja2.sandbox.SandboxedEnvironment``), which refuses attribute access to Python
internals (``__class__``, ``__globals__``, ``mro`` ...) with a ``SecurityError``. On top of
the sandbox, a render is bounded:

* time: a trace function on the template's own frames stops a render past its deadline;
* size: output past ``max_chars`` is refused; ``*`` and ``**`` are intercepted so a template
  cannot build a huge string or number (not even by constant folding at compile time);
* memory: on Linux the address-space limit is lowered for the duration of the render, so a
  runaway allocation is a ``MemoryError`` instead of a dead machine;
* files: templates load only through ``RepoLoader``, inside the repository.

Variables the caller does not supply are ``Placeholder`` values: each renders as a marker
(``\\ue000<n>\\ue001``) that the caller turns into a ``{name}`` placeholder.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, TemplateNotFound, Undefined, pass_context
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.filters import do_default
from jinja2.runtime import missing
from jinja2.sandbox import SandboxedEnvironment

OPEN, CLOSE = "\ue000", "\ue001"
MARKER = re.compile(OPEN + r"(\d+)" + CLOSE)
MAX_REPEAT_CHARS = 4_000_000  # longest string or list `*` may build
MAX_INT_BITS = 100_000  # largest number `*` and `**` may build
# Attributes jinja and the sandbox probe on any value; a placeholder must not answer them.
_PROBED = frozenset(
    {
        "unsafe_callable",
        "alters_data",
        "jinja_pass_arg",
        "jinja_async_variant",
        "environmentfilter",
        "contextfilter",
        "evalcontextfilter",
        "environmentfunction",
        "contextfunction",
        "evalcontextfunction",
    }
)

# The names of the placeholders rendered by the current render, in marker order.
_NAMES: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "costlint_placeholders", default=None
)


class RenderTimeout(Exception):
    """The render ran past its deadline."""


class RenderTooLarge(Exception):
    """The render (or a value inside it) grew past the size limit."""


class OutsideRepository(TemplateNotFound):
    """An include/extends/import naming a file outside the repository (absolute or ``..``)."""


class Placeholder(Undefined):
    """A variable the caller does not supply: renders as a marker, never fails.

    Attribute and item access, calls and arithmetic give more placeholders; iteration yields
    one placeholder item (so a loop body renders once; an item unpacks as two, for
    ``{% for k, v in d.items() %}``); it is truthy, so optional sections render; comparisons
    are false. Unsafe attribute access is not softened: it raises ``SecurityError``.
    """

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: Any = None,
        exc: type[Exception] = UndefinedError,
    ) -> None:
        if isinstance(exc, type) and issubclass(exc, SecurityError):
            raise SecurityError(hint or f"access to {name!r} is unsafe")
        super().__init__(hint, obj, name, exc)  # type: ignore[arg-type]

    def _label(self) -> str:
        name = self._undefined_name
        if name is None:
            return "value"
        return name if isinstance(name, str) else f"[{name!r}]"

    def _child(self, suffix: str) -> Placeholder:
        return type(self)(name=(self._label() + suffix)[:60])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in _PROBED:
            raise AttributeError(name)
        return self._child("." + name)

    def __getitem__(self, key: Any) -> Placeholder:
        return self._child(f"[{key!r}]" if not isinstance(key, slice) else "[:]")

    def __call__(self, *args: Any, **kwargs: Any) -> Placeholder:
        return self

    def __str__(self) -> str:
        names = _NAMES.get()
        if names is None:
            return "{" + self._label() + "}"
        names.append(self._label())
        return f"{OPEN}{len(names) - 1}{CLOSE}"

    def __iter__(self) -> Iterator[Any]:
        if self._label().endswith("[]"):  # an item of a placeholder list: unpackable as k, v
            yield self._child("[0]")
            yield self._child("[1]")
            return
        yield self._child("[]")

    def __len__(self) -> int:
        return 1

    def __bool__(self) -> bool:
        return True

    def __int__(self) -> int:
        return 0

    def __float__(self) -> float:
        return 0.0

    def _same(self, *args: Any) -> Placeholder:
        return self

    def _false(self, *args: Any) -> bool:
        return False

    def __add__(self, other: Any) -> Any:
        return str(self) + other if isinstance(other, str) else self

    def __radd__(self, other: Any) -> Any:
        return other + str(self) if isinstance(other, str) else self

    __sub__ = __rsub__ = __mul__ = __rmul__ = __div__ = __rdiv__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _same
    __mod__ = __rmod__ = __pos__ = __neg__ = __pow__ = __rpow__ = _same
    __lt__ = __le__ = __gt__ = __ge__ = _false  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Placeholder({self._label()!r})"


def _default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """``|default``: a placeholder is a value the caller supplies, so it stays a placeholder."""
    if isinstance(value, Placeholder):
        return value
    return do_default(value, default_value, boolean)


def _defined(value: Any) -> bool:
    return isinstance(value, Placeholder) or not isinstance(value, Undefined)


def _dumps(value: Any, **kwargs: Any) -> str:
    return json.dumps(value, default=str, **kwargs)


class _Lenient(dict):  # type: ignore[type-arg]
    """Filters or tests by name; one the application registers (unknown here) is a stand-in.

    An unknown filter's output is a placeholder (its value varies as far as we can tell); an
    unknown test is false. The compiler looks names up with ``get``, the template with ``[]``.
    """

    def __init__(self, known: dict[str, Any], is_filter: bool) -> None:
        super().__init__(known)
        self.is_filter = is_filter

    def __missing__(self, name: str) -> Callable[..., Any]:
        # pass_context: never called at compile time (constant folding), only when rendering
        @pass_context
        def unknown(context: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.is_filter:
                return False
            label = value._label() if isinstance(value, Placeholder) else "value"
            return Placeholder(name=f"{label}|{name}"[:60])

        return unknown

    def get(self, name: str, default: Any = None) -> Any:
        return self[name]


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``*`` and ``**`` that would build a huge string, list or number."""
    if operator == "**":
        if isinstance(left, int | float) and isinstance(right, int | float):
            base_bits = abs(int(left)).bit_length() if isinstance(left, int) else 64
            if abs(right) > 64 and base_bits * abs(right) > MAX_INT_BITS:
                raise RenderTooLarge("a power too large to compute")
        return
    if operator != "*":
        return
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            if len(seq) * max(count, 0) > MAX_REPEAT_CHARS:
                raise RenderTooLarge("a repeated string or list over the size limit")
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise RenderTooLarge("a number too large to compute")


_SELF = re.compile(r"\bself\b")  # a template naming ``self`` may render its own name


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox with ``*`` and ``**`` checked (and so never folded at compile time).

    ``compiled`` holds the code compiled from template source. Every sandbox of a run is
    configured alike (``make_environment``), so they can share it: a template rendered from
    many modules (each with its own search path, so its own sandbox) is compiled once per run.
    Only the compile is shared; loading a template still goes through the sandbox's loader,
    which records the file as read.

    Jinja2 writes the template's name and file name into its code, but what the template
    renders sees them only through ``self`` (``{{ self }}`` shows the name); the loader's
    ``join_path`` ignores the including template. So code is kept by source alone, and a
    template file rendered from its text and loaded by name from Python is compiled once,
    unless its source says ``self`` (then by source, name and file name). A syntax error is
    raised from the compile and never kept, so its message still names the file.

    ``parsed`` holds trees parsed for a look before rendering (a template file's conversation
    loops): the first compile of that source takes its tree instead of parsing it again. The
    tree is then Jinja2's (its optimizer edits it), so it is handed over once.
    """

    intercepted_binops = frozenset({"*", "**"})
    compiled: dict[tuple[str, str | None, str | None, bool], Any]
    parsed: dict[str, Any]

    def compile(  # type: ignore[override]
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str):
            return super().compile(source, name, filename, raw, defer_init)
        key: tuple[str, str | None, str | None, bool] = (source, None, None, defer_init)
        if "self" in source and _SELF.search(source) is not None:  # ``in`` spares the regex
            key = (source, name, filename, defer_init)
        code = self.compiled.get(key)
        if code is None:
            tree = self.parsed.pop(source, None)
            code = super().compile(
                tree if tree is not None else source, name, filename, raw, defer_init
            )
            self.compiled[key] = code
        return code

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)


class RepoLoader(BaseLoader):
    """Loads templates by name from ``dirs`` (or ``mapping``), inside the repository only."""

    def __init__(
        self,
        dirs: Sequence[Path],
        read: Callable[[Path], str | None],
        mapping: dict[str, str] | None = None,
    ) -> None:
        self.dirs = list(dirs)
        self.read = read
        self.mapping = mapping or {}

    def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Any]:
        if template in self.mapping:
            return self.mapping[template], None, lambda: True
        name = template.replace("\\", "/")
        pieces = name.split("/")
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in pieces:
            raise OutsideRepository(template)
        pieces = [piece for piece in pieces if piece and piece != "."]
        if not pieces:
            raise TemplateNotFound(template)
        for base in self.dirs:
            candidate = base.joinpath(*pieces)
            text = self.read(candidate)  # None outside the repository, missing or too big
            if text is not None:
                return text, str(candidate), lambda: True
        raise TemplateNotFound(template)


def make_environment(
    loader: BaseLoader | None,
    compiled: dict[Any, Any] | None = None,
    parsed: dict[str, Any] | None = None,
) -> BoundedSandbox:
    """A sandbox reading templates through ``loader``; ``compiled`` and ``parsed``: code and
    trees shared with the run's other sandboxes (see ``BoundedSandbox``)."""
    env = BoundedSandbox(
        loader=loader,
        undefined=Placeholder,
        autoescape=False,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=400,
        extensions=["jinja2.ext.loopcontrols", "jinja2.ext.do"],
    )
    env.compiled = {} if compiled is None else compiled
    env.parsed = {} if parsed is None else parsed
    env.globals.pop("lipsum", None)  # unbounded text generator; a placeholder instead
    env.filters = _Lenient(env.filters, is_filter=True)
    env.filters["default"] = env.filters["d"] = _default
    env.tests = _Lenient(env.tests, is_filter=False)
    env.tests["defined"] = _defined
    env.tests["undefined"] = lambda value: not _defined(value)
    env.policies["json.dumps_function"] = _dumps
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return env


def render(
    env: BoundedSandbox,
    *,
    source: str | None,
    name: str | None,
    values: dict[str, Any],
    max_chars: int,
    seconds: float,
    memory_headroom: int,
) -> tuple[str, list[str]]:
    """Compile and render one template; return the text (with markers) and placeholder names.

    Raises whatever the render raised (the caller turns it into a diagnostic).
    """
    names: list[str] = []
    token = _NAMES.set(names)
    try:
        with _memory_cap(memory_headroom):
            # Loading and compiling run Jinja2's own code, which the deadline's trace never
            # stops (it stops only the template's frames): tracing them only slowed them.
            template = env.from_string(source) if source is not None else env.get_template(name)
            with _deadline(env, seconds):
                chunks = _generate(template, values, max_chars)
        return "".join(chunks), names
    finally:
        _NAMES.reset(token)


def _generate(template: Any, values: dict[str, Any], max_chars: int) -> list[str]:
    """The template's output in pieces, refused once it passes ``max_chars``."""
    chunks: list[str] = []
    size = 0
    for chunk in template.generate(values):
        size += len(chunk)
        if size > max_chars:
            raise RenderTooLarge(f"output over {max_chars:,} characters")
        chunks.append(chunk)
    return chunks


@contextlib.contextmanager
def _deadline(env: Any, seconds: float) -> Iterator[None]:
    """Trace the template's own frames and stop the render once ``seconds`` have passed."""
    deadline = time.monotonic() + seconds

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "line" and time.monotonic() > deadline:
            raise RenderTimeout(f"over the {seconds:g}s render time limit")
        return local

    def calls(frame: Any, event: str, arg: Any) -> Any:
        if frame.f_globals.get("environment") is env:
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        yield
    finally:
        sys.settrace(previous)


@contextlib.contextmanager
def _memory_cap(headroom: int) -> Iterator[None]:
    """Lower the address-space soft limit to the current size + ``headroom`` (Linux only)."""
    limits = _address_space_limits(headroom)
    if limits is None:
        yield
        return
    import resource

    old, new = limits
    try:
        resource.setrlimit(resource.RLIMIT_AS, new)
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, old)


def _address_space_limits(headroom: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    if headroom <= 0 or not sys.platform.startswith("linux"):
        return None
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError, IndexError):
        return None
    limit = current + headroom
    infinity = resource.RLIM_INFINITY
    if hard != infinity and limit > hard:
        return None
    if soft != infinity and soft <= limit:
        return None  # already at least as strict
    return (soft, hard), (limit, hard)
