"""The options of a training run, declared once on the fields of the configuration dataclasses.

A field that is an option of ``python -m snnlib train`` (a flag, a config-file key and a stored option of a resumed
run) is declared with :func:`option` instead of a plain default::

    n_hidden: int = option(name="hidden", help="hidden LIF neurons N", option_default=64)
    delays: str = option("synaptic", help="input delays: ...", choices=DELAY_KINDS)

The field's metadata then holds the option's name (when it differs from the field's), its help text and its
choices; its default is the field's own default, its type the field's annotation (``X | None``: the value may be
left empty). :func:`collect` reads them back from a list of dataclasses as one table of :class:`Option`. One option
may set fields of several classes (``seed``, ``dt``): exactly one of them carries the help text, and all must
have the same default, type and choices. Standard library only: the lowest layers declare their options here.
"""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import MISSING, dataclass

#: The metadata key that marks a field as an option.
KEY = "option"
KINDS = (bool, int, float, str, dict)


def option(default=MISSING, *, help: str | None = None, name: str | None = None, choices: tuple | None = None,
           default_factory=MISSING, option_default=MISSING):
    """A dataclass field that is also an option of a run.

    ``default`` / ``default_factory`` as for :func:`dataclasses.field`; ``help``: the text of ``--help`` (given on
    exactly one of the fields an option sets); ``name``: the option's name when it is not the field's;
    ``choices``: the allowed values; ``option_default``: the option's default for a field that has none itself.
    """
    metadata = {KEY: {"name": name, "help": help, "choices": None if choices is None else tuple(choices)}}
    if option_default is not MISSING:
        metadata[KEY]["default"] = option_default
    return dataclasses.field(default=default, default_factory=default_factory, metadata=metadata)


@dataclass(frozen=True)
class Option:
    """One option: ``name`` (config-file key; the flag is ``--name`` with ``-`` for ``_``), ``kind`` (bool, int,
    float, str or dict), ``choices`` (or None), ``nullable`` (None allowed, meaning the default), ``default``,
    ``help``, ``fields``: the ``(dataclass, field name)`` pairs it sets, the one carrying the help first."""

    name: str
    kind: type
    choices: tuple | None
    nullable: bool
    default: object
    help: str
    fields: tuple

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def home(self) -> type:
        """The dataclass whose field carries the help text."""
        return self.fields[0][0]


def field_option(cls, field: dataclasses.Field, hints: dict | None = None) -> Option | None:
    """The option a field of ``cls`` declares (with only this field), or None. ``hints``: ``cls``'s type hints."""
    spec = field.metadata.get(KEY)
    if spec is None:
        return None
    where = f"{cls.__name__}.{field.name}"
    if field.default is not MISSING:
        default = field.default
    elif field.default_factory is not MISSING:
        default = field.default_factory()
    elif "default" in spec:
        default = spec["default"]
    else:
        raise TypeError(f"{where} is an option without a default: give it option_default=")
    hint = (typing.get_type_hints(cls) if hints is None else hints)[field.name]
    kinds = [k for k in typing.get_args(hint) if k is not type(None)] or [hint]
    nullable = type(None) in typing.get_args(hint)
    if len(kinds) != 1 or kinds[0] not in KINDS:
        raise TypeError(f"{where}: an option is one of {', '.join(k.__name__ for k in KINDS)} (or None), not {hint}")
    return Option(spec["name"] or field.name, kinds[0], spec["choices"], nullable, default, spec["help"],
                  ((cls, field.name),))


def collect(*classes) -> dict[str, Option]:
    """Every option the fields of ``classes`` declare, by name: ordered class by class (an option shared by
    several classes comes with the class whose field carries its help), fields in their order."""
    found: dict[str, Option] = {}
    order: list[tuple[int, int, str]] = []
    for ci, cls in enumerate(classes):
        hints = typing.get_type_hints(cls)
        for fi, field in enumerate(dataclasses.fields(cls)):
            new = field_option(cls, field, hints)
            if new is None:
                continue
            old = found.get(new.name)
            if old is None:
                found[new.name] = new
            else:
                for part in ("kind", "choices", "nullable", "default"):
                    if getattr(old, part) != getattr(new, part):
                        raise TypeError(f"option {new.name!r}: {cls.__name__}.{field.name} has another {part} "
                                        f"({getattr(new, part)!r}) than {old.home.__name__} "
                                        f"({getattr(old, part)!r})")
                if old.help is not None and new.help is not None:
                    raise TypeError(f"option {new.name!r}: help given twice (on {old.home.__name__} and "
                                    f"{cls.__name__}); give it once")
                first, second = (new, old) if new.help is not None else (old, new)
                found[new.name] = dataclasses.replace(first, fields=first.fields + second.fields)
            if new.help is not None:
                order.append((ci, fi, new.name))
    missing = sorted(name for name, o in found.items() if o.help is None)
    if missing:
        raise TypeError(f"options without a help text: {', '.join(missing)}")
    return {name: found[name] for _, _, name in sorted(order)}
