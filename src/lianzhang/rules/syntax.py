"""The policy expression language: tokenizer, parser and syntax tree (never ``eval``).

Expressions are small and read like the legal text::

    rd_expense >= 100万元 and rd_expense >= revenue * 3%
    each_year(rd_expense >= revenue * 3%, 2)
    if revenue <= 5000万元 then 5% else 4%

Literals carry their unit: ``100万元``, ``2亿元``, ``500元`` are money, ``3%`` is the
fraction 0.03, ``"text"`` is text, ``true``/``false`` are booleans. Numbers are exact
fractions (``0.1`` is 1/10, not a binary float).

>>> node = parse("rd_expense >= 100万元")
>>> node.op, node.left.name, node.right.value, node.right.unit  # money literals are in fen
('>=', 'rd_expense', Fraction(100000000, 1), 'yuan')
>>> parse("revenue = 1")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
lianzhang.rules.syntax.ExprError: 第 1 行第 9 列：比较相等请写 ==（不是 =） / line 1, ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from lianzhang.core.errors import LianzhangError


class ExprError(LianzhangError):
    """A syntax or type error in an expression, with its line and column (1-based)."""

    def __init__(self, line: int, col: int, zh: str, en: str) -> None:
        self.line, self.col, self.reason_zh, self.reason_en = line, col, zh, en
        super().__init__(f"第 {line} 行第 {col} 列：{zh}", f"line {line}, column {col}: {en}")


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Node:
    line: int
    col: int


@dataclass(frozen=True)
class Num(Node):
    value: Fraction
    unit: str  # "yuan" (value in fen), "ratio" (written with %), or "" (a plain number)


@dataclass(frozen=True)
class Str(Node):
    value: str


@dataclass(frozen=True)
class BoolLit(Node):
    value: bool


@dataclass(frozen=True)
class Name(Node):
    name: str
    back: int  # years further back than the current one: revenue[-2] → 1


@dataclass(frozen=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-" or "not"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # + - * / and or
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    op: str  # >= > <= < == != in notin
    left: Node
    right: Node


@dataclass(frozen=True)
class If(Node):
    cond: Node
    then: Node
    other: Node


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...]


# ---------------------------------------------------------------- tokens

KEYWORDS = {"and", "or", "not", "in", "if", "then", "else", "true", "false"}
UNITS = {"万元": Fraction(10_000 * 100), "亿元": Fraction(100_000_000 * 100), "元": Fraction(100)}

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
  | (?P<num>\d+(?:\.\d+)?(?:万元|亿元|元|%)?)
  | (?P<str>"[^"\n]*"|'[^'\n]*')
  | (?P<name>[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff]*)
  | (?P<op>>=|<=|==|!=|≥|≤|[-+*/()\[\],<>=])
    """,
    re.VERBOSE,
)

#: Characters people type by habit, with what to write instead.
_HINTS = {
    "（": "(",
    "）": ")",
    "，": ",",
    "＞": ">",
    "＜": "<",
    "＝": "=",
    "“": '"',
    "”": '"',
    "％": "%",
    "&": "and",
    "|": "or",
    "!": "not",
}


@dataclass(frozen=True)
class Token:
    kind: str  # num, str, name, op, kw, end
    text: str
    line: int
    col: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        col = pos - line_start + 1
        if match is None:
            char = text[pos]
            hint = _HINTS.get(char)
            zh = f"无法识别的字符 {char!r}" + (f"，请改写为 {hint!r}" if hint else "")
            en = f"unexpected character {char!r}" + (f"; write {hint!r} instead" if hint else "")
            raise ExprError(line, col, zh, en)
        kind = match.lastgroup or ""
        value = match.group()
        if kind == "space":
            for offset, char in enumerate(value):
                if char == "\n":
                    line, line_start = line + 1, pos + offset + 1
        else:
            if kind == "name" and value in KEYWORDS:
                kind = "kw"
            value = {"≥": ">=", "≤": "<="}.get(value, value)
            tokens.append(Token(kind, value, line, col))
        pos = match.end()
    tokens.append(Token("end", "", line, pos - line_start + 1))
    return tokens


# ---------------------------------------------------------------- parser


def parse(text: str) -> Node:
    """Parse one expression; ExprError says where and what to write instead."""
    parser = _Parser(tokenize(text))
    node = parser.expr()
    parser.expect_end()
    return node


def number(text: str) -> Num:
    """Parse a literal like ``100万元``, ``3%`` or ``0.5`` (parameter values use this)."""
    node = parse(text.strip())
    if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Num):
        return Num(node.line, node.col, -node.operand.value, node.operand.unit)
    if not isinstance(node, Num):
        raise ExprError(
            1, 1, f"应为数值，如 100万元、3%、5：{text!r}", f"expected a number: {text!r}"
        )
    return node


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        return self.tok.kind in ("op", "kw") and self.tok.text in texts

    def expect(self, text: str, zh_what: str, en_what: str) -> Token:
        if not self.at(text):
            self.fail(f"此处应为 {text!r}（{zh_what}）", f"expected {text!r} ({en_what})")
        return self.take()

    def fail(self, zh: str, en: str) -> None:
        tok = self.tok
        shown = "表达式结尾" if tok.kind == "end" else repr(tok.text)
        shown_en = "the end of the expression" if tok.kind == "end" else repr(tok.text)
        raise ExprError(tok.line, tok.col, f"{zh}，遇到 {shown}", f"{en}, found {shown_en}")

    def expect_end(self) -> None:
        tok = self.tok
        if tok.kind != "end":
            hint = "; write a comparison like `a >= b`" if tok.text == "=" else ""
            raise ExprError(
                tok.line,
                tok.col,
                f"此处不应出现 {tok.text!r}",
                f"unexpected {tok.text!r}" + (hint or "; combine conditions with `and` / `or`"),
            )

    def expr(self) -> Node:
        if self.at("if"):
            tok = self.take()
            cond = self.expr()
            self.expect("then", "if 条件 then 值 else 值", "if COND then A else B")
            then = self.expr()
            self.expect("else", "if 条件 then 值 else 值", "if COND then A else B")
            return If(tok.line, tok.col, cond, then, self.expr())
        return self.or_()

    def or_(self) -> Node:
        node = self.and_()
        while self.at("or"):
            tok = self.take()
            node = Binary(tok.line, tok.col, "or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("and"):
            tok = self.take()
            node = Binary(tok.line, tok.col, "and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self.at("not"):
            tok = self.take()
            return Unary(tok.line, tok.col, "not", self.not_())
        return self.compare()

    def compare(self) -> Node:
        node = self.additive()
        if self.at(">=", ">", "<=", "<", "==", "!=", "in", "not", "="):
            tok = self.take()
            op = tok.text
            if op == "=" and self.at(">", "<"):
                meant = self.tok.text + "="
                raise ExprError(
                    tok.line,
                    tok.col,
                    f"请写 {meant}（不是 ={self.tok.text}）",
                    f"write {meant}, not ={self.tok.text}",
                )
            if op == "=":
                raise ExprError(
                    tok.line, tok.col, "比较相等请写 ==（不是 =）", "write == to compare, not ="
                )
            if op == "not":
                self.expect("in", "not in 列表", "not in LIST")
                op = "notin"
            node = Compare(tok.line, tok.col, op, node, self.additive())
            if self.at(">=", ">", "<=", "<", "==", "!="):
                self.fail(
                    "比较不能连写，请用 and 连接：a >= 1 and a < 5",
                    "comparisons do not chain; write a >= 1 and a < 5",
                )
        return node

    def additive(self) -> Node:
        node = self.term()
        while self.at("+", "-"):
            tok = self.take()
            node = Binary(tok.line, tok.col, tok.text, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            tok = self.take()
            node = Binary(tok.line, tok.col, tok.text, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("-"):
            tok = self.take()
            return Unary(tok.line, tok.col, "-", self.unary())
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        if self.at("["):
            if not isinstance(node, Name):
                self.fail("只有年度指标可以写 [-2] 取往年值", "only yearly fields take [-2]")
            assert isinstance(node, Name)
            self.take()
            self.expect("-", "往年写作 [-2]（前年）、[-3]", "earlier years are [-2], [-3]")
            tok = self.take()
            if tok.kind != "num" or not tok.text.isdigit() or int(tok.text) < 1:
                raise ExprError(
                    tok.line,
                    tok.col,
                    "往年写作 [-1]（上年度）、[-2]、[-3]",
                    "write [-1], [-2], [-3]",
                )
            self.expect("]", "往年写作 [-2]", "write [-2]")
            node = Name(node.line, node.col, node.name, node.back + int(tok.text) - 1)
        return node

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.take()
            return _num(tok)
        if tok.kind == "str":
            self.take()
            return Str(tok.line, tok.col, tok.text[1:-1])
        if self.at("true", "false"):
            self.take()
            return BoolLit(tok.line, tok.col, tok.text == "true")
        if self.at("("):
            self.take()
            node = self.expr()
            self.expect(")", "缺少右括号", "a closing parenthesis")
            return node
        if self.at("["):
            self.take()
            items: list[Node] = []
            while not self.at("]"):
                items.append(self.expr())
                if not self.at("]"):
                    self.expect(",", "列表项用逗号分隔", "list items separated by commas")
            self.take()
            return ListLit(tok.line, tok.col, tuple(items))
        if tok.kind == "name":
            self.take()
            if self.at("("):
                return self.call(tok)
            return Name(tok.line, tok.col, tok.text, 0)
        self.fail("此处应为数值、字段名、函数或括号", "expected a number, a field, a function or (")
        raise AssertionError  # fail() always raises

    def call(self, name: Token) -> Call:
        self.take()
        args: list[Node] = []
        kwargs: list[tuple[str, Node]] = []
        while not self.at(")"):
            tok = self.tok
            if tok.kind == "name" and self.tokens[self.i + 1].text == "=":
                self.i += 2
                kwargs.append((tok.text, self.expr()))
            else:
                if kwargs:
                    self.fail("位置参数须写在命名参数之前", "positional arguments go first")
                args.append(self.expr())
            if not self.at(")"):
                self.expect(",", "参数用逗号分隔", "arguments separated by commas")
        self.take()
        return Call(name.line, name.col, name.text, tuple(args), tuple(kwargs))


def _num(tok: Token) -> Num:
    text = tok.text
    for unit, factor in UNITS.items():
        if text.endswith(unit):
            value = Fraction(text.removesuffix(unit)) * factor
            if value.denominator != 1:
                raise ExprError(
                    tok.line,
                    tok.col,
                    f"金额最多精确到分：{text}",
                    f"money is exact to the fen: {text}",
                )
            return Num(tok.line, tok.col, value, "yuan")
    if text.endswith("%"):
        return Num(tok.line, tok.col, Fraction(text[:-1]) / 100, "ratio")
    return Num(tok.line, tok.col, Fraction(text), "")
