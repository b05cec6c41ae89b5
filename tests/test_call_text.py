"""The normalized call text behind fingerprints: the fast scan gives what the tokenizer pass
gives, character for character, and hands anything it does not mirror to the tokenizer."""

import io
import tokenize

import pytest

from costlint.fingerprint import _SKIP, _strip_tokens, normalize_call


def _tokenizer_pass(text: str) -> str:
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return "".join(tok.string for tok in tokens if tok.type not in _SKIP)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return "".join(text.split())


CALLS = [
    'client.messages.create(model="claude-x", max_tokens=10)',
    'create(\n    system="keep  these   blanks",  # a comment\n    messages=m,\n)',
    "create(system='''line one\n  line two''', x=1)",
    'create(system="""has "quotes" and \\""" inside""")',
    "create(s=\"esc \\\" quote\", t='it\\'s')",
    'create(s="continued \\\nstring")',
    "create(\\\n  model=m)",
    'create(s=f"{a[\'k\']} and {b}", r=rb"\\d+")',
    "create(a != b, c=1e-3j, d=x[1:2], **kw)",
    "create(é=1, name_ü='ü ü')",
]
ODD = [
    'create(s="unterminated)',  # tokenizer error token
    "create(a)) + (b",  # brackets close below zero
    "create(a\n",  # unbalanced at the end
    "create(`x`)",  # a character the tokenizer reports as an error (keeps the blank before)
    "create(a) \nother(b)",  # a second logical line
    "create(a\x0b)",  # whitespace the tokenizer does not skip
    "create(a)\\\n",  # ends in a continuation
]


@pytest.mark.parametrize("text", CALLS)
def test_fast_scan_matches_the_tokenizer(text):
    assert _strip_tokens(text) is not None
    assert normalize_call(text) == _tokenizer_pass(text)


@pytest.mark.parametrize("text", ODD)
def test_what_the_scan_does_not_mirror_goes_to_the_tokenizer(text):
    assert _strip_tokens(text) is None
    assert normalize_call(text) == _tokenizer_pass(text)
