"""Read portfolio and config files into validated models, with every error located.

Files are data, never code: YAML is composed with the safe loader and walked by hand so that
duplicate keys are refused (never last-one-wins), every key keeps its line number, and alias
expansion is bounded.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ConfigError, ErrorItem, InputError, PortfolioError
from .portfolio import Portfolio

Loc = tuple[str | int, ...]
LineMap = dict[Loc, int]
M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=InputError)

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}
DEFAULT_MAX_BYTES = 10_000_000
MAX_NODES = 200_000  # YAML nodes after alias expansion: far above any real portfolio


class _DocumentError(Exception):
    def __init__(self, message: str, line: int | None = None, loc: Loc = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.loc = loc


def read_bytes(path: Path, max_bytes: int, error: type[E]) -> bytes:
    """The file's bytes, refusing what is missing, not a file, or too large."""
    name = str(path)
    if not path.exists():
        raise error(name, [ErrorItem("", "no such file")])
    if not path.is_file():
        raise error(name, [ErrorItem("", "not a file (a directory?)")])
    size = path.stat().st_size
    if size > max_bytes:
        raise error(
            name, [ErrorItem("", f"file is {size:,} bytes, above the limit of {max_bytes:,}")]
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise error(name, [ErrorItem("", f"cannot read: {exc.strerror or exc}")]) from None


def parse_document(data: bytes, fmt: str) -> tuple[Any, LineMap]:
    """Parse YAML, TOML or JSON bytes into plain data and a map of key paths to lines."""
    if not data.strip():
        raise _DocumentError("file is empty")
    if b"\x00" in data:
        raise _DocumentError("file is binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _DocumentError(f"not UTF-8 text (byte {exc.start})", line) from None
    if fmt == "yaml":
        return _parse_yaml(text)
    if fmt == "toml":
        return _parse_toml(text), {}
    return _parse_json(text), {}


def _parse_toml(text: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match[1]) if match else None
        raise _DocumentError(
            f"TOML syntax error: {re.sub(r' ?[(]at line.*[)]', '', message)}", line
        ) from None


def _parse_json(text: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _DocumentError(f"duplicate key {key!r}")
            out[key] = value
        return out

    def constant(name: str) -> float:
        raise _DocumentError(f"{name} is not valid JSON")

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise _DocumentError(f"JSON syntax error: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise _DocumentError("JSON nested too deeply") from None


_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _parse_yaml(text: str) -> tuple[Any, LineMap]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise _DocumentError(f"YAML syntax error: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise _DocumentError(f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        raise _DocumentError("file is empty")
    lines: LineMap = {}
    budget = [MAX_NODES]
    return _walk(loader, node, (), lines, budget), lines


def _walk(
    loader: yaml.SafeLoader, node: yaml.Node, loc: Loc, lines: LineMap, budget: list[int]
) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _DocumentError(
            f"document expands to more than {MAX_NODES:,} values (a YAML alias bomb?); refused",
            node.start_mark.line + 1,
        )
    line = node.start_mark.line + 1
    lines.setdefault(loc, line)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _DocumentError(f"YAML tag {node.tag!r} is not allowed in data files", line, loc)
        own = [(k, v) for k, v in node.value if k.tag != _MERGE]
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        if len(own) != len(node.value):
            try:
                loader.flatten_mapping(node)
            except yaml.MarkedYAMLError as exc:
                raise _DocumentError(f"YAML merge error: {exc.problem}", line, loc) from None
            merged = node.value[: len(node.value) - len(own)]
        result: dict[Any, Any] = {}
        for key_node, value_node in merged:
            key = _key(loader, key_node, loc)
            result[key] = _walk(loader, value_node, (*loc, key), lines, budget)
        seen: set[Any] = set()
        for key_node, value_node in own:
            key = _key(loader, key_node, loc)
            if key in seen:
                raise _DocumentError(
                    f"duplicate key {key!r} (also at an earlier line); keys must be unique",
                    key_node.start_mark.line + 1,
                    (*loc, key),
                )
            seen.add(key)
            lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = _walk(loader, value_node, (*loc, key), lines, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _DocumentError(f"YAML tag {node.tag!r} is not allowed in data files", line, loc)
        return [_walk(loader, item, (*loc, i), lines, budget) for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise _DocumentError(f"YAML: {exc.problem}", line, loc) from None
    except ValueError as exc:  # e.g. a timestamp such as 2025-13-45
        raise _DocumentError(f"YAML: cannot read {node.value!r}: {exc}", line, loc) from None


def _key(loader: yaml.SafeLoader, node: yaml.Node, loc: Loc) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise _DocumentError("a mapping key must be a plain value", node.start_mark.line + 1, loc)
    key = _walk(loader, node, loc, {}, [MAX_NODES])
    if not isinstance(key, str | int):
        return str(key)
    return key


def read_document(path: Path, max_bytes: int, error: type[E]) -> tuple[Any, LineMap, bytes]:
    """Read and parse one file, chosen by extension; errors are `error` naming the file."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise error(
            str(path),
            [ErrorItem("", f"unknown file type {path.suffix!r}; use .yaml, .yml, .toml or .json")],
        )
    data = read_bytes(path, max_bytes, error)
    try:
        parsed, lines = parse_document(data, fmt)
    except _DocumentError as exc:
        raise error(str(path), [ErrorItem(format_loc(exc.loc), exc.message, exc.line)]) from None
    return parsed, lines, data


def validate(model: type[M], data: Any, *, source: str | None, lines: LineMap, error: type[E]) -> M:
    """Validate data into `model`, turning every pydantic error into a located ErrorItem."""
    if not isinstance(data, Mapping):
        kind = type(data).__name__
        raise error(
            source, [ErrorItem("", f"expected a mapping of sections at the top, got {kind}")]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(source, located_errors(model, data, exc, lines)) from None
    except RecursionError:
        raise error(source, [ErrorItem("", "document nested too deeply")]) from None


def located_errors(
    model: type[BaseModel], data: Any, exc: ValidationError, lines: LineMap
) -> list[ErrorItem]:
    """Every problem in `exc`, located by field path (and line where known), sorted."""
    items: list[ErrorItem] = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(p for p in err["loc"] if not _is_type_tag(p))
        ctx = err.get("ctx") or {}
        kind = err["type"]
        if kind == "riskcore_many":
            for where, message in ctx["problems"]:
                full = (*loc, *where)
                items.append(ErrorItem(format_loc(full, data), message, _line(lines, full)))
            continue
        message = err["msg"]
        if kind == "riskcore":
            loc = (*loc, ctx["field"])
            message = ctx["msg"]
        elif kind == "extra_forbidden":
            message = f"unknown field {loc[-1]!r}" + _did_you_mean(model, loc)
        elif kind == "missing":
            message = "required field is missing"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        items.append(ErrorItem(format_loc(loc, data), message, _line(lines, loc)))
    unique = {(i.location, i.message, i.line): i for i in items}
    return sorted(unique.values(), key=lambda i: (i.line or 0, i.location, i.message))


def _is_type_tag(part: str | int) -> bool:
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "none"})


def _line(lines: LineMap, loc: Loc) -> int | None:
    for end in range(len(loc), -1, -1):
        found = lines.get(loc[:end])
        last = loc[end - 1] if end else None
        if found is None and isinstance(last, str) and last.isdigit():
            found = lines.get((*loc[: end - 1], int(last)))
        if found is not None:
            return found
    return None


def format_loc(loc: Sequence[str | int], data: Any = None) -> str:
    """`commitments[2].amount` for a list index, `.key` for a mapping key."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int) and (node is None or isinstance(node, list)):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            node = None
    return out


def _did_you_mean(model: type[BaseModel], loc: Loc) -> str:
    owner = _model_at(model, loc[:-1])
    if owner is None:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(owner.model_fields), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of: {', '.join(owner.model_fields)}"


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
            continue
        origin, args = typing.get_origin(current), typing.get_args(current)
        if origin is list and args:
            current = args[0]
        elif origin is dict and len(args) == 2:
            current = args[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(options) != 1:
                return tp
            tp = options[0]
        else:
            return tp


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(data: Any) -> bytes:
    """Canonical bytes of JSON-ready data: sorted keys, no spaces."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def load_portfolio_with_hash(
    source: str | Path | Mapping[str, Any] | Portfolio, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Portfolio, str]:
    """The validated portfolio and the sha256 of its file's bytes (or of its canonical JSON)."""
    if isinstance(source, Portfolio):
        return source, sha256_hex(canonical_json(source.model_dump(mode="json")))
    if isinstance(source, Mapping):
        portfolio = validate(Portfolio, source, source=None, lines={}, error=PortfolioError)
        return portfolio, sha256_hex(canonical_json(portfolio.model_dump(mode="json")))
    path = Path(source)
    data, lines, raw = read_document(path, max_bytes, PortfolioError)
    portfolio = validate(Portfolio, data, source=str(path), lines=lines, error=PortfolioError)
    return portfolio, sha256_hex(raw)


def load_portfolio(
    source: str | Path | Mapping[str, Any] | Portfolio, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Portfolio:
    """Load a portfolio from a path, a mapping or a model; problems raise PortfolioError."""
    return load_portfolio_with_hash(source, max_bytes=max_bytes)[0]


def read_config_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Any, LineMap]:
    """Parse a config file (TOML, YAML or JSON) into data, refusing non-mappings."""
    data, lines, _ = read_document(path, max_bytes, ConfigError)
    if not isinstance(data, Mapping):
        raise ConfigError(str(path), [ErrorItem("", "expected a mapping of sections at the top")])
    return data, lines
