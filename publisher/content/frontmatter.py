"""Split a story file into front matter and Markdown, keeping where each key was written.

YAML between ``---`` lines or TOML between ``+++`` lines. Positions are 1-based lines and
columns in the story file, so errors point at the key the user typed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml

from publisher.i18n import N_, _
from publisher.sourcepos import toml_error, toml_key_line, toml_limits
from publisher.validation import DATE_FORMS

try:
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _YamlLoader = yaml.SafeLoader

Position = tuple[int, int]


class FrontMatterError(Exception):
    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


@dataclass
class Parsed:
    meta: dict[str, Any]
    body: str
    body_line: int
    """Line number (1-based) of the body's first line in the file."""
    positions: dict[tuple, Position] = field(default_factory=dict)
    fmt: str = "yaml"

    def position(self, *path: str | int) -> Position:
        """Where ``path`` was written, or the nearest enclosing key, or line 1."""
        for n in range(len(path), 0, -1):
            if (found := self.positions.get(tuple(path[:n]))) is not None:
                return found
        return (1, 1)


def parse(text: str) -> Parsed:
    """Parse a story's text. Raises FrontMatterError with the line of the problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    fence = lines[0].rstrip("\r ") if lines else ""
    if fence not in ("---", "+++"):
        raise FrontMatterError(_("a story must start with front matter: '---' (YAML) or '+++' (TOML)"))
    for end in range(1, len(lines)):
        if lines[end].rstrip("\r ") == fence:
            break
    else:
        raise FrontMatterError(_("front matter opened with {fence!r} on line 1 is never closed").format(fence=fence))
    source = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1:])
    if fence == "---":
        meta, positions = _parse_yaml(source)
        fmt = "yaml"
    else:
        meta, positions = _parse_toml(source)
        fmt = "toml"
    return Parsed(meta, body, end + 2, positions, fmt)


MAX_DEPTH = 16
"""Front matter nests a few levels (``officer.honors``, ``extra``); deeper is a mistake or an attack."""
MAX_NUMBER_DIGITS = 40


YAML_PROBLEMS = (
    N_("could not find expected ':'"),
    N_("mapping values are not allowed in this context"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("found a tab character that violates indentation"),
    N_("found character that cannot start any token"),
    N_("did not find expected key"),
    N_("did not find expected node content"),
    N_("did not find expected '-' indicator"),
    N_("found unexpected end of stream"),
    N_("block sequence entries are not allowed in this context"),
    N_("found unknown escape character"),
    N_("did not find expected comment or line break"),
    N_("found undefined tag handle"),
)
"""libyaml's usual complaints (English), translated for the reader; others are shown as libyaml says them."""

_FULL_WIDTH_COLON = re.compile(r"^\s*-?\s*[A-Za-z_][A-Za-z0-9_]*[ \t]*(：)")
_FULL_WIDTH_DASH = re.compile(r"^[ \t]*([－—–])[ \t]*\S")
_EMPTY_KEY = re.compile(r"^[ \t]*-?[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*:[ \t]*(#.*)?$")


def _keyboard_slip(source: str, last_line: int | None = None, colons: bool = True) -> FrontMatterError | None:
    """A Chinese keyboard's punctuation where YAML wants ASCII, at its own line (YAML itself reports the
    line after): ``summary：好`` (a full-width colon after a key), ``－ 项目`` (a full-width dash starting a
    list item under an empty ``key:``). Only lines up to ``last_line`` (where YAML failed) count."""
    lines = source.split("\n")
    for index, line in enumerate(lines):
        number = index + 2  # the opening fence is line 1
        if last_line is not None and number > last_line:
            break
        if colons and (match := _FULL_WIDTH_COLON.match(line)):
            return FrontMatterError(_("line {line} uses a Chinese colon「：」; write an English colon「:」").format(
                line=number), number, match.start(1) + 1)
        if (match := _FULL_WIDTH_DASH.match(line)) and index and _EMPTY_KEY.match(lines[index - 1]):
            return FrontMatterError(_("line {line} starts a list item with a Chinese dash「{dash}」; write an "
                                      "English dash and a space「- 」").format(line=number, dash=match.group(1)),
                                    number, match.start(1) + 1)
    return None


def _parse_yaml(source: str) -> tuple[dict, dict[tuple, Position]]:
    slip = _keyboard_slip(source, colons=False)
    if slip is not None:
        raise slip
    try:
        loader = _YamlLoader(source)
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_nodes(node, 0, set())
            data = _construct(loader, node) if node is not None else {}
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 2, mark.column + 1) if mark else (1, 1)
        slip = _keyboard_slip(source, line)
        if slip is not None:
            raise slip from None
        problem = exc.problem or exc.context or ""
        problem = _(problem) if problem in YAML_PROBLEMS else problem
        raise FrontMatterError(_("malformed YAML front matter: {problem}").format(problem=problem), line,
                               col) from None
    except yaml.reader.ReaderError as exc:
        # libyaml counts bytes; the first character it refuses is the one it names.
        found = source.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line, col = _line_col(source, found if found >= 0 else exc.position)
        raise FrontMatterError(_("the front matter holds a character YAML does not allow (U+{code:04X}); "
                                 "remove it").format(code=exc.character), line, col) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(_("malformed YAML front matter: {problem}").format(problem=exc), 2, 1) from None
    if not isinstance(data, dict):
        raise _keyboard_slip(source) or FrontMatterError(_("front matter must be a mapping of keys to values"), 2, 1)
    positions: dict[tuple, Position] = {}
    _yaml_positions(node, (), positions)
    return data, positions


def _check_nodes(node: yaml.Node, depth: int, seen: set[int]) -> None:
    """Refuse, with the place, what a safe loader still lets through: aliases (a few hundred
    bytes of them expand to gigabytes), nesting deeper than :data:`MAX_DEPTH`, duplicate keys
    (the second would silently win), and absurdly long numbers."""
    if id(node) in seen:
        raise _node_error(node, _("YAML anchors and aliases (&name, *name) are not allowed in front matter; "
                                  "write the value out"))
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise _node_error(node, _("front matter nested more than {depth} levels deep").format(depth=MAX_DEPTH))
    if isinstance(node, yaml.MappingNode):
        keys: dict[str, yaml.Node] = {}
        for key, value in node.value:
            _check_nodes(key, depth + 1, seen)
            if isinstance(key, yaml.ScalarNode):
                if key.value in keys:
                    first = keys[key.value].start_mark.line + 2
                    raise _node_error(key, _("duplicate key {key!r} (first on line {first}); keep one").format(
                        key=key.value, first=first))
                keys[key.value] = key
            _check_nodes(value, depth + 1, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_nodes(item, depth + 1, seen)
    elif node.tag.endswith((":int", ":float")) and len(node.value) > MAX_NUMBER_DIGITS:
        raise _node_error(node, _("a number of {digits} digits; quote it if it is text").format(
            digits=len(node.value)))


def _construct(loader: Any, root: yaml.Node) -> Any:
    """Build the values; a value YAML cannot make (2021-02-30, 25:61, ``!!int x``) is an error at
    its own place, not a traceback."""
    try:
        return loader.construct_document(root)
    except Exception:  # PyYAML's constructors raise KeyError, AttributeError… on bad tagged values
        pass
    for node in _nodes(root):
        loader.constructed_objects, loader.recursive_objects = {}, {}
        try:
            loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise _node_error(node, f"{exc.problem or exc}") from None
        except Exception:
            if node.tag.endswith(":timestamp"):
                raise _node_error(node, _("{value!r} is not a valid date or time; write it like {forms}").format(
                    value=node.value, forms=_(DATE_FORMS))) from None
            raise _node_error(node, _("{value!r} is not a valid {what}").format(
                value=node.value, what=_tag_name(node.tag))) from None
    raise _node_error(root, _("the front matter cannot be read as YAML values"))


def _nodes(node: yaml.Node):
    """Every node, innermost first (so the error names the smallest value that fails)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _nodes(key)
            yield from _nodes(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _nodes(item)
    yield node


def _tag_name(tag: str) -> str:
    name = tag.rsplit(":", 1)[-1]
    return _(TAG_NAMES[name]) if name in TAG_NAMES else name


TAG_NAMES = {"timestamp": N_("date or time"), "int": N_("whole number"), "float": N_("number"),
             "bool": N_("true/false")}


def _node_error(node: yaml.Node, message: str) -> FrontMatterError:
    return FrontMatterError(message, node.start_mark.line + 2, node.start_mark.column + 1)


def _line_col(text: str, index: int) -> Position:
    before = text[:max(0, index)]
    return before.count("\n") + 2, index - (before.rfind("\n") + 1) + 1


def _yaml_positions(node: Any, prefix: tuple, out: dict[tuple, Position]) -> None:
    # Line offset +1 for 0-based marks, +1 for the opening fence line.
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, key.value)
            out[path] = (key.start_mark.line + 2, key.start_mark.column + 1)
            _yaml_positions(value, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*prefix, index)
            out[path] = (item.start_mark.line + 2, item.start_mark.column + 1)
            _yaml_positions(item, path, out)


def _parse_toml(source: str) -> tuple[dict, dict[tuple, Position]]:
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        message, line, col = toml_error(exc)
        raise FrontMatterError(_("malformed TOML front matter: {message}").format(message=message), line + 1,
                               col) from None
    except (ValueError, RecursionError) as exc:  # a 4,300-digit number, nesting thousands deep
        raise FrontMatterError(*toml_limits(source, exc)) from None
    positions: dict[tuple, Position] = {}

    def walk(value: Any, prefix: tuple) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                path = (*prefix, key)
                positions[path] = toml_key_line(source, path, first_line=2)
                walk(sub, path)

    walk(data, ())
    return data, positions


def comma_hint(name: str) -> str:
    """A hint when a list item holds a Chinese comma: ``[weibo，wechat]`` is one item to YAML."""
    if "，" in name or "、" in name:
        return _(" (a Chinese comma '，' or '、' joins two items into one: separate them with an English comma ',')")
    return ""
