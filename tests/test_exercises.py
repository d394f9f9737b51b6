"""The exercise checker: a wrong or missing answer is never reported as correct."""
import pytest

from snnlib import exercises


def _psi(x):
    return max(0.0, 1.0 - abs(x))


def test_correct_answer_prints_the_success_line(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_ENV, raising=False)

    def test():
        assert _psi(0.5) == 0.5

    assert exercises.check(3, test) is True
    assert capsys.readouterr().out.strip() == "Exercise 3: correct"


@pytest.mark.parametrize("answer, expected", [
    (lambda x: (_ for _ in ()).throw(NotImplementedError("Exercise 3")), "not answered yet"),
    (lambda x: 2.0, "not right yet: psi(0.5) should be 0.5"),
    (lambda x: 1 / 0, "your code raised ZeroDivisionError"),
])
def test_wrong_or_missing_answer_is_never_correct(answer, expected, capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_ENV, raising=False)

    def test():
        assert answer(0.5) == 0.5, "psi(0.5) should be 0.5"

    assert exercises.check(3, test, hint="a triangle") is False
    out = capsys.readouterr().out
    assert "correct" not in out.replace("not right yet", "")
    assert out.startswith("Exercise 3: ") and expected in out and "Hint: a triangle" in out


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv(exercises.STRICT_ENV, "strict")

    def test():
        assert False, "off by one"

    with pytest.raises(exercises.ExerciseFailed, match="Exercise 7: not right yet: off by one"):
        exercises.check(7, test)


def test_bad_mode_and_bad_test_are_refused(monkeypatch):
    monkeypatch.setenv(exercises.STRICT_ENV, "yes please")
    with pytest.raises(ValueError, match="SNNLIB_EXERCISES"):
        exercises.check(1, lambda: None)
    monkeypatch.delenv(exercises.STRICT_ENV)
    with pytest.raises(TypeError, match="function of no arguments"):
        exercises.check(1, 42)
