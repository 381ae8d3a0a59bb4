"""The QBO query language subset the sandbox answers: select, where/and, orderby, paging, count."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .faults import query_error

ENTITIES = {
    name.lower(): name
    for name in ("Vendor", "Item", "Class", "Account", "Term", "Department", "Bill", "BillPayment", "Attachable")
}
OPERATORS = ("<=", ">=", "!=", "=", "<", ">")
TOKEN = re.compile(
    r"\s*(?:(?P<op><=|>=|!=|=|<|>)|(?P<punct>[*(),])|(?P<num>-?\d+(?:\.\d+)?)(?![\w.])"
    r"|(?P<word>[A-Za-z_][\w.]*)|(?P<quote>'))"
)


@dataclass
class Query:
    """A parsed query: entity, conditions (field, op, value), ordering and paging."""

    entity: str
    count: bool = False
    conditions: list = field(default_factory=list)
    order_by: list = field(default_factory=list)
    start: int = 1
    limit: int = 100


def refuse_beyond_ascii(text):
    r"""Refuse a query holding any character outside ASCII, quoted or not, as QBO's parser does.

    QBO's query lexer (JavaCC) knows no character above U+007F: HTTP 400, code 4000, type ValidationFault,
    Message "Error parsing query", Detail `QueryParserError: Invalid content. Lexical error at line 1, column 43.
    Encountered: "\u2019" (8217), after : "\'%Fleur"` (two spaces after "column 43."). Public reports:
    ruckus/quickbooks-ruby #309 and #54 (’ in an Item name, the Detail verbatim, also as XML), #362 (ł: column 88,
    `after : "\'W"`), #368 (CJK in a DisplayName); intuit/QuickBooks-V3-PHP-SDK #397 (– in an Item name, column
    37) and #395 (as docs/quickbooks.md lists it). `after` is the token read so far: a string literal from its opening
    quote, escaped as JavaCC's addEscapes does (#345 shows `\'` and `\\`), else nothing, since the lexer ends a
    word at the character it cannot read. Columns count code points here (Java counts UTF-16 units, which differ
    only after a character beyond U+FFFF).
    """
    for pos, char in enumerate(text):
        if char.isascii():
            continue
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        opened = _open_quote(text[:pos])
        after = _javacc_escaped(text[opened:pos]) if opened is not None else ""
        # Java reports the first UTF-16 unit: the high surrogate for a character beyond U+FFFF.
        unit = ord(char) if ord(char) <= 0xFFFF else 0xD800 + ((ord(char) - 0x10000) >> 10)
        raise query_error(
            f"Invalid content. Lexical error at line {line}, column {column}.  "
            f'Encountered: "\\u{unit:04x}" ({unit}), after : "{after}"'
        )


def _open_quote(head):
    """Where the string literal still open at the end of `head` begins, or None when none is open."""
    opened, pos = None, 0
    while pos < len(head):
        if head[pos] == "\\" and opened is not None:
            pos += 2
            continue
        if head[pos] == "'":
            opened = pos if opened is None else None
        pos += 1
    return opened


def _javacc_escaped(text):
    # JavaCC's TokenMgrError.addEscapes: backslash, both quotes and controls escaped; the rest as it is.
    return "".join({"\\": "\\\\", "'": "\\'", '"': '\\"'}.get(c, c) for c in text)


def tokenize(text):
    """Split a query into (kind, value) tokens, e.g. "DisplayName = 'Rosa\\'s Farm'" → word, op, str."""
    refuse_beyond_ascii(text)
    tokens, pos = [], 0
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match:
            if text[pos:].strip() == "":
                break
            raise query_error(f'Encountered "{text[pos : pos + 10].strip()}" at line 1, column {pos + 1}.')
        kind = match.lastgroup
        pos = match.end()
        if kind == "quote":
            value, pos = _string(text, pos)
            tokens.append(("str", value))
        else:
            tokens.append((kind, match.group(kind)))
    return tokens


def _string(text, pos):
    chars = []
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text):
            chars.append(text[pos + 1])
            pos += 2
        elif char == "'":
            return "".join(chars), pos + 1
        else:
            chars.append(char)
            pos += 1
    raise query_error("Lexical error: unterminated string literal.")


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.pos = tokens, 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self, kind=None, word=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (word and str(tok[1]).lower() != word):
            wanted = word or kind
            raise query_error(f'Encountered "{tok[1] or "<EOF>"}" while expecting {wanted}.')
        self.pos += 1
        return tok[1]

    def at(self, word):
        tok = self.peek()
        return tok[0] == "word" and tok[1].lower() == word

    def value(self):
        kind, value = self.peek()
        self.pos += 1
        if kind == "str":
            return value
        if kind == "num":
            return Decimal(value)
        if kind == "word" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise query_error(f'Encountered "{value or "<EOF>"}" while expecting a value.')

    def condition(self):
        name = self.take("word")
        if self.at("in"):
            self.pos += 1
            self.take("punct")
            values = [self.value()]
            while self.peek() == ("punct", ","):
                self.pos += 1
                values.append(self.value())
            if self.take("punct") != ")":
                raise query_error("Expected ) after IN list.")
            return (name, "in", values)
        if self.at("like"):
            self.pos += 1
            return (name, "like", self.value())
        return (name, self.take("op"), self.value())


def parse(text):
    """Parse e.g. "select * from Vendor where DisplayName = 'Rosa\\'s Farm' maxresults 10"."""
    parser = _Parser(tokenize(text))
    parser.take("word", "select")
    count = False
    if parser.at("count"):
        parser.pos += 1
        for expected in ("(", "*", ")"):
            if parser.take("punct") != expected:
                raise query_error("Malformed COUNT(*).")
        count = True
    else:
        parser.take()
        while parser.peek() == ("punct", ","):
            parser.pos += 1
            parser.take("word")
    parser.take("word", "from")
    name = parser.take("word")
    if name.lower() not in ENTITIES:
        raise query_error(f"Entity {name} is not supported by this sandbox.")
    query = Query(entity=ENTITIES[name.lower()], count=count)
    if parser.at("where"):
        parser.pos += 1
        query.conditions.append(parser.condition())
        while parser.at("and"):
            parser.pos += 1
            query.conditions.append(parser.condition())
    _tail(parser, query)
    if parser.peek()[0] is not None:
        raise query_error(f'Encountered "{parser.peek()[1]}" after the end of the query.')
    return query


def _tail(parser, query):
    while parser.peek()[0] == "word":
        word = parser.take("word").lower()
        if word in ("order", "orderby"):
            if word == "order":
                parser.take("word", "by")
            query.order_by.append(parser.take("word"))
            if parser.at("asc") or parser.at("desc"):
                query.order_by[-1] += " " + parser.take("word").lower()
        elif word in ("startposition", "maxresults"):
            try:
                number = int(parser.take("num"))
            except (ValueError, InvalidOperation):
                raise query_error(f"{word.upper()} needs an integer.") from None
            # Intuit's query reference (Data queries, "Pagination"): STARTPOSITION is 1-based, and "the maximum
            # number of entities that can be returned in a response is 1000", hence the cap.
            if word == "startposition":
                query.start = max(1, number)
            else:
                query.limit = min(max(1, number), 1000)
        else:
            raise query_error(f'Encountered "{word}" at an unexpected place.')
