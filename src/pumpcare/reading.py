"""Reading the files people hand pumpcare (rule files, the saved plan) without letting a hostile one hang it,
fill its memory or overflow its stack.

Only regular files are read, and at most a limit plus one byte of them: a FIFO, a device or a symlink to
/dev/zero is refused before a byte is read. YAML is parsed into nodes first, and its shape checked (how many
nodes its aliases expand to, how deep it nests) before any Python object is built from it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any, ClassVar

from pumpcare.errors import PumpcareError, grouped
from pumpcare.i18n import gettext as _

# Not clinical: far more than any rule file or record holds (the shipped rules are about 2,000 nodes, 6 deep).
MAX_YAML_NODES = 100_000
MAX_YAML_DEPTH = 50


class UnreadableFileError(PumpcareError):
    """A file that cannot or must not be read; the message is the plain reason ("it is a folder").

    `kind` says which, whatever the language of the reason: "missing", "folder", "too large", "special" (a FIFO,
    a device, a socket), "loop", "permission", or "other" (the system's own reason, such as an I/O error).
    """

    def __init__(self, reason: str, *, kind: str = "other") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind

    @property
    def missing(self) -> bool:
        """There is no file at the path."""
        return self.kind == "missing"


class YamlShapeError(PumpcareError):
    """YAML whose aliases expand too far, that nests too deeply, or that refers to itself."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """A regular file's bytes; refuse folders, devices, FIFOs, sockets, symlink loops and anything over `limit`."""
    # O_NONBLOCK: opening a FIFO with no writer must not hang; it is refused once fstat says what it is.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise UnreadableFileError(_("no such file; check the path"), kind="missing") from None
    except IsADirectoryError:
        raise UnreadableFileError(_("it is a folder"), kind="folder") from None
    except OSError as err:
        raise _unreadable(err) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise UnreadableFileError(_("it is a folder"), kind="folder")
        if not stat.S_ISREG(mode):
            raise UnreadableFileError(_special(mode), kind="special")
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(descriptor, min(1 << 16, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise _unreadable(err) from None
    finally:
        os.close(descriptor)
    if size > limit:
        raise UnreadableFileError(_("it is larger than {limit} bytes").format(limit=grouped(limit)), kind="too large")
    return b"".join(chunks)


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return _("it is a FIFO, not a regular file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("it is a device, not a regular file")
    if stat.S_ISSOCK(mode):
        return _("it is a socket, not a regular file")
    return _("it is something else, not a regular file")


def _unreadable(err: OSError) -> UnreadableFileError:
    if err.errno == errno.ELOOP:
        return UnreadableFileError(_("it is a symbolic link loop; check the path"), kind="loop")
    if err.errno in (errno.EACCES, errno.EPERM):
        return UnreadableFileError(_("permission denied; check its permissions"), kind="permission")
    # The system's own words (strerror) are in English, as Python gives them: they name what went wrong.
    return UnreadableFileError(err.strerror.lower() if err.strerror else _("it cannot be read"))


class YamlSizeError(YamlShapeError):
    """YAML of more values than any file pumpcare reads holds, written out or through aliases."""


class YamlAliasError(YamlShapeError):
    """YAML that uses an alias where none is expected (pumpcare writes none into the saved plan)."""


def strict_loader(*, text_only: bool = False) -> Any:
    """A safe YAML loader (libyaml's when installed) that refuses a key given twice in one mapping.

    With `text_only`, every plain value is read as the text typed, for files that hold only text: YAML's own
    reading turns 0712345670 into 120179640 (octal), drops the + of +4420123456 and reads 0x1F as 31, and a
    clinic's phone number must reach the sheet as the clinic wrote it, or be refused, never changed.
    """
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):  # type: ignore[misc]
        if text_only:
            yaml_implicit_resolvers: ClassVar[dict[str, Any]] = {}

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            # PyYAML keeps the last of two equal keys; a clinic's second 'until' must not hide the first.
            # The keys' text is read from the parsed nodes, not constructed: that would double the load time.
            seen: set[str] = set()
            for key_node, _value in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        _("the key '{key}' is given twice in one mapping; keep one").format(key=key_node.value),
                        key_node.start_mark,
                    )
                seen.add(key_node.value)
            return super().construct_mapping(node, deep)

    return StrictLoader


def load_yaml(text: str, loader: Any, *, aliases: bool = True) -> Any:
    """Parse YAML with `loader` (a PyYAML loader class), checking its shape before building any object.

    yaml.YAMLError comes through for syntax errors; YamlShapeError for a document too large once its aliases
    are expanded (a few hundred bytes can stand for billions of nodes), too deep, or referring to itself.
    """
    instance = loader(text)
    try:
        node = instance.get_single_node()
        if node is None:
            return None
        _check_shape(node, aliases=aliases)
        return instance.construct_document(node)
    except RecursionError:
        raise YamlShapeError(_("it nests lists or mappings too deeply")) from None
    finally:
        instance.dispose()


def _check_shape(root: Any, *, aliases: bool = True) -> None:
    """Count the nodes a document expands to, and how deep it nests, each shared node once."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Any, depth: int) -> int:
        if depth > MAX_YAML_DEPTH:
            raise YamlShapeError(_("it nests lists or mappings more than {limit} deep").format(limit=MAX_YAML_DEPTH))
        key = id(node)
        if key in sizes:
            if not aliases:
                raise YamlAliasError(_("it uses a YAML alias"))
            return sizes[key]
        if key in open_nodes:
            raise YamlShapeError(_("an alias in it refers to itself"))
        open_nodes.add(key)
        total = 1
        value = node.value
        if isinstance(value, list):
            for item in value:
                children = item if isinstance(item, tuple) else (item,)
                for child in children:
                    total += size(child, depth + 1)
                    if total > MAX_YAML_NODES:
                        # Fewer nodes than it counts: some were counted more than once, through aliases.
                        aliased = len(sizes) + 1 < total
                        raise YamlSizeError(
                            (
                                _("its aliases expand it to more than {limit} values; write it out plainly")
                                if aliased
                                else _("it holds more than {limit} values")
                            ).format(limit=grouped(MAX_YAML_NODES))
                        )
        open_nodes.discard(key)
        sizes[key] = total
        return total

    size(root, 0)


def yaml_problem(err: Exception) -> str:
    """The parser's complaint with its line and column, and where the unclosed thing began."""

    # The parser's own words (problem, context) are PyYAML's, in English; pumpcare's words around them are not.
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or _("it is not valid YAML")
    context, context_mark = getattr(err, "context", None), getattr(err, "context_mark", None)
    if context and context_mark is not None and (mark is None or context_mark.line != mark.line):
        if mark is None:
            return _(
                "not valid YAML: {problem} ({context} started at line {start_line}, column {start_column})"
            ).format(
                problem=problem, context=context, start_line=context_mark.line + 1, start_column=context_mark.column + 1
            )
        return _(
            "not valid YAML at line {line}, column {column}: {problem} "
            "({context} started at line {start_line}, column {start_column})"
        ).format(
            line=mark.line + 1,
            column=mark.column + 1,
            problem=problem,
            context=context,
            start_line=context_mark.line + 1,
            start_column=context_mark.column + 1,
        )
    if mark is None:
        return _("not valid YAML: {problem}").format(problem=problem)
    return _("not valid YAML at line {line}, column {column}: {problem}").format(
        line=mark.line + 1, column=mark.column + 1, problem=problem
    )
