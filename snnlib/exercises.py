"""Checking a learner's answer to a course exercise.

An exercise in the course has three parts (see docs/course.md, "Exercises"):

1. a **stub** cell (tag ``exercise``) that defines what the learner writes — a function whose body
   raises ``NotImplementedError`` until it is filled in, or a variable set to ``None``. The stub
   cell itself never raises, so *Run All* goes on to the end of the notebook in every front end;
2. a **solution** cell (tag ``solution``), present only in the instructor edition;
3. a **check** cell (tag ``exercise-check``) that calls :func:`check` with a test of the learner's
   answer against an independent computation, on inputs the learner did not see.

:func:`check` prints one line: ``Exercise N: correct`` only when the test passed on the learner's
code; otherwise what is wrong and a hint. It does not raise, so an unanswered or wrong exercise
never stops the notebook — except in *strict* mode (``SNNLIB_EXERCISES=strict``), used to run the
instructor edition in CI, where every check must pass and a failed one raises
:class:`ExerciseFailed`.

Example (a check cell)::

    def test():
        x = np.linspace(-3, 3, 7)
        assert np.allclose(psi(x), 0.3 * np.maximum(0, 1 - np.abs(x))), "psi is off"
    exercises.check(2, test, hint="ψ is a triangle of height γ and half-width 1")
"""
from __future__ import annotations

import os

STRICT_ENV = "SNNLIB_EXERCISES"

#: The line a passed check prints (``.format(number=...)``): the course's success line.
SUCCESS = "Exercise {number}: correct"


class ExerciseFailed(AssertionError):
    """An exercise's check did not pass in strict mode (the instructor edition in CI)."""


def strict() -> bool:
    """True when ``SNNLIB_EXERCISES=strict``: a failed check raises instead of printing advice."""
    value = os.environ.get(STRICT_ENV, "").strip().lower()
    if value not in ("", "strict", "learner"):
        raise ValueError(f"environment variable {STRICT_ENV}={os.environ[STRICT_ENV]!r} is not understood; "
                         "set it to 'strict' (every check must pass) or leave it unset")
    return value == "strict"


def _verdict(number, test) -> tuple[bool, str]:
    """Run ``test()`` and say whether it passed, with the reason when it did not."""
    try:
        test()
    except NotImplementedError:
        return False, "not answered yet: fill in the cell marked 'your code here' above and run it"
    except AssertionError as exc:
        reason = str(exc).strip() or "the answer does not match the independent computation"
        return False, f"not right yet: {reason}"
    except Exception as exc:  # the learner's code failed: say how, without a traceback
        return False, f"your code raised {type(exc).__name__}: {exc}"
    return True, SUCCESS.format(number=number)


def check(number, test, *, hint: str = "") -> bool:
    """Run ``test`` (a function of no arguments that asserts on the learner's answer) and report.

    Prints ``Exercise {number}: correct`` and returns True when ``test()`` returns without raising.
    Otherwise prints ``Exercise {number}: <what is wrong>`` and the hint, and returns False — or, in
    strict mode, raises :class:`ExerciseFailed` with the same text.
    """
    if not callable(test):
        raise TypeError(f"check(number, test): test must be a function of no arguments, not {type(test).__name__}")
    strict_mode = strict()  # read first, so a mistyped setting is reported whatever the answer
    passed, message = _verdict(number, test)
    if passed:
        print(message)
        return True
    text = f"Exercise {number}: {message}"
    if hint:
        text += f"\n  Hint: {hint}"
    if strict_mode:
        raise ExerciseFailed(text)
    print(text)
    return False
