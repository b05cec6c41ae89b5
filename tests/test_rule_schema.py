"""The rule loader validates each example's schema: a flag example says where and what."""

from __future__ import annotations

import pytest

from costlint.config import ConfigError
from costlint.ruleschema import Example, Expected, RuleError, parse_examples

CODE = "import anthropic\n"


def test_inline_and_list_forms_parse_to_expectations():
    parsed = parse_examples(
        {
            "flag": [
                {"line": 5, "column": 12, "message": "max_tokens=", "code": CODE},
                {
                    "filename": "config.yaml",
                    "code": "a: 1\n",
                    "expect": [{"line": 1, "message": "x"}, {"line": 2, "message": "y"}],
                },
            ],
            "pass": [{"code": CODE, "files": {"prompts/a.j2": "hi"}}],
        },
        "CL999-x.yaml",
    )
    assert parsed["flag"][0] == Example(CODE, expect=(Expected(5, "max_tokens=", 12),))
    assert parsed["flag"][1].expect == (Expected(1, "x"), Expected(2, "y"))
    assert parsed["flag"][1].all_files() == {"config.yaml": "a: 1\n"}
    assert parsed["pass"][0].all_files() == {"example.py": CODE, "prompts/a.j2": "hi"}
    assert parsed["pass"][0].expect == ()


@pytest.mark.parametrize(
    ("flag", "key"),
    [
        ({"code": CODE}, "examples.flag[0].line"),
        ({"code": CODE, "line": 3}, "examples.flag[0].message"),
        ({"code": CODE, "message": "m"}, "examples.flag[0].line"),
        ({"code": CODE, "line": 0, "message": "m"}, "examples.flag[0].line"),
        ({"code": CODE, "line": 2, "column": "x", "message": "m"}, "examples.flag[0].column"),
        ({"code": CODE, "line": 2, "message": "m", "expect": []}, "examples.flag[0]'"),
        ({"code": CODE, "expect": [{"line": 2}]}, "examples.flag[0].expect[0].message"),
        ({"code": CODE, "expect": [{"line": 2, "message": "m", "cell": 1}]}, ".expect[0].cell"),
        ({"code": CODE, "line": 2, "message": "m", "message_contains": "m"}, "message_contains"),
        ({"line": 2, "message": "m"}, "examples.flag[0].code"),
    ],
)
def test_bad_flag_examples_are_rule_errors_naming_file_and_key(flag, key):
    with pytest.raises(RuleError) as info:
        parse_examples({"flag": [flag], "pass": []}, "CL999-x.yaml")
    assert "CL999-x.yaml" in str(info.value) and key in str(info.value)


def test_pass_examples_cannot_expect_findings():
    with pytest.raises(RuleError, match=r"examples.pass\[0\].line"):
        parse_examples({"pass": [{"code": CODE, "line": 1}]}, "CL999-x.yaml")


def test_rule_error_is_a_config_error_so_the_cli_exits_2():
    assert issubclass(RuleError, ConfigError)
