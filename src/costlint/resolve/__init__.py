"""The resolver library: turns Python expressions into values, statically, where the source allows.

Front-ends (``extract/``) call it; it never imports them. It never imports or runs scanned code.
It understands literals, module constants, names imported from other modules of the same project,
class attributes and dataclass defaults, local variables, f-strings and ``.format`` (unknown parts
become ``{name}`` placeholders), ``+``, ``"".join``, ``textwrap.dedent``, ``Path(...).read_text()``
and ``open(...).read()`` of files inside the project root, request dicts built with ``dict(...)``
or ``{...}`` (including later ``params["k"] = v``), and Jinja2 templates rendered in a sandbox.
Everything else is ``UNKNOWN``.

Modules, lowest first: ``syntax`` (AST helpers), ``scope`` (bindings per scope, one pass),
``dependencies`` (what an analysis read), ``repository`` (reading files inside the root),
``jinja_sandbox`` and ``templates`` (rendering), ``project`` (finding and caching modules),
``values`` (what expressions evaluate to), ``protocol`` (the ``Evaluator`` handlers are handed),
``strings`` / ``paths`` / ``containers`` / ``jinja_calls`` (handlers), ``handlers`` (their
tables), ``evaluator`` (the dispatching ``Resolver``), and on top ``callers`` (who calls a
function, per project) and ``flow`` (candidate sets with provenance: every value an argument
can take and where it is written, followed through functions, objects and config).
"""
