"""Every audit action code the areas record has plain words for the care console (``hearth.domain.audit.words``).

The codes are found by reading the source: each call of ``audit.record`` or ``audit.event`` gives its ``action``
as a string, a choice of two strings, a local variable set to strings, or a parameter of a helper; a helper's codes
are the strings its callers in the same module pass (with the helper's f-string prefix). The few codes built from
other values are listed in ``BUILT_CODES`` with the source they come from, so a new kind of code fails here too.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import hearth
from hearth.domain.audit import words

SOURCE = Path(hearth.__file__).parent

BUILT_CODES: dict[tuple[str, str], set[str]] = {
    # FlowFile.Kind labels: "D0010 meter readings", "Interval consumption CSV"
    ("domain/metering/flows.py", "f'{flow.get_kind_display()} file imported'"): {
        "D0010 meter readings file imported",
        "Interval consumption CSV file imported",
    },
    ("domain/metering/consent.py", "'half-hourly data consent ' + ('given' if granted else 'withdrawn')"): {
        "half-hourly data consent given",
        "half-hourly data consent withdrawn",
    },
    # ComplaintEvent.Kind codes, lower-cased, through complaints' _audit ("complaints.{action}")
    ("domain/complaints/operations.py", "kind.lower()"): {
        f"complaints.{kind}"
        for kind in (
            "received",
            "acknowledged",
            "note",
            "responded",
            "response_overdue",
            "eight_weeks",
            "resolved",
            "deadlock",
        )
    },
}


@dataclass
class Found:
    codes: dict[str, str]  # code -> where it is recorded
    built: set[tuple[str, str]]  # (file, expression) of codes the scan cannot read


def _is_audit_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"record", "event"}
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"audit", "audit_ops"}
    )


def _assigned_strings(function: ast.FunctionDef, name: str) -> set[str]:
    """Strings assigned to the local ``name`` (``name = "x"`` or ``name, other = "x", ...``)."""
    found = set()
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(target, ast.Name):
                pairs = [(target, node.value)]
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = list(zip(target.elts, node.value.elts, strict=False))
            for each, value in pairs:
                if isinstance(each, ast.Name) and each.id == name:
                    found |= _strings(value)
    return found


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def _parameter(node: ast.AST, parameters: list[str]) -> tuple[str, str] | None:
    """(parameter, prefix) when the action is a parameter, or an f-string of a prefix and a parameter."""
    if isinstance(node, ast.Name) and node.id in parameters:
        return node.id, ""
    if isinstance(node, ast.JoinedStr) and len(node.values) == 2:
        prefix, value = node.values
        formatted = value.value if isinstance(value, ast.FormattedValue) else None
        if isinstance(prefix, ast.Constant) and isinstance(formatted, ast.Name) and formatted.id in parameters:
            return formatted.id, str(prefix.value)
    return None


def _scan(path: Path, found: Found) -> None:
    tree = ast.parse(path.read_text())
    where = path.relative_to(SOURCE).as_posix()
    helpers: dict[str, tuple[ast.FunctionDef, str, str]] = {}
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        parameters = [arg.arg for arg in [*function.args.args, *function.args.kwonlyargs]]
        for call in (node for node in ast.walk(function) if _is_audit_call(node)):
            assert isinstance(call, ast.Call)
            for action in (keyword.value for keyword in call.keywords if keyword.arg == "action"):
                codes = _strings(action)
                if isinstance(action, ast.Name) and action.id not in parameters:
                    codes = _assigned_strings(function, action.id)
                parameter = _parameter(action, parameters)
                if parameter is not None:
                    helpers[function.name] = (function, *parameter)
                elif codes:
                    found.codes.update(dict.fromkeys(codes, f"{where}:{call.lineno}"))
                else:
                    found.built.add((where, ast.unparse(action)))
    for name, (function, helper_parameter, prefix) in helpers.items():
        positional = [arg.arg for arg in function.args.args]
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == name):
                continue
            given = [keyword.value for keyword in call.keywords if keyword.arg == helper_parameter]
            if helper_parameter in positional and len(call.args) > positional.index(helper_parameter):
                given.append(call.args[positional.index(helper_parameter)])
            for value in given:
                codes = _strings(value)
                found.codes.update({prefix + code: f"{where}:{call.lineno}" for code in codes})
                if not codes:
                    found.built.add((where, ast.unparse(value)))


def _found() -> Found:
    found = Found({}, set())
    for path in sorted(SOURCE.rglob("*.py")):
        _scan(path, found)
    for built in found.built & BUILT_CODES.keys():
        found.codes.update(dict.fromkeys(BUILT_CODES[built], f"{built[0]} (built)"))
    return found


FOUND = _found()


def _codes() -> Iterator[str]:
    yield from sorted(FOUND.codes)


def test_the_scan_finds_the_codes_of_each_kind_of_call():
    """Literal, two-way, helper-with-prefix and local-variable codes are all found (so the check below means
    something): one of each, from four areas."""
    assert "billing.payment_recorded" in FOUND.codes  # a literal
    assert {"reading.accepted", "reading.rejected"} <= FOUND.codes.keys()  # a choice of two
    assert "meter_services.visit_booked" in FOUND.codes  # a helper's f"meter_services.{action}"
    assert "payments.refund_paid" in FOUND.codes  # a helper's positional parameter
    assert {"payments.tariff_moved", "payments.tariff_move_cancelled"} <= FOUND.codes.keys()  # a local variable
    assert len(FOUND.codes) > 100


def test_every_code_built_from_other_values_is_listed_with_its_codes():
    assert FOUND.built == BUILT_CODES.keys(), "list the codes this expression makes in BUILT_CODES"


@pytest.mark.parametrize("code", list(_codes()))
def test_every_audit_action_code_has_plain_words(code):
    assert code in words.WORDS, f"{code} (recorded at {FOUND.codes[code]}) has no words in hearth.domain.audit.words"
    assert words.WORDS[code][0].isupper()


def test_no_words_are_kept_for_a_code_nothing_records():
    assert words.WORDS.keys() - FOUND.codes.keys() == set()


def test_a_code_without_words_is_still_readable():
    assert words.describe("billing.payment_recorded") == "Payment recorded"
    assert words.describe("gizmo.thing_done") == "Gizmo: thing done"
