"""Reads a .docx with python-docx, an OOXML reader independent of copbot,
and prints what a reader of the document sees, one line per paragraph or
table row, tab-separated:

    meta	title	TITLE
    meta	language	fr-CA
    lang	VALUE                (each distinct w:lang of the runs)
    p	STYLE NAME	TEXT     (every paragraph outside tables, in order)
    table	COLUMNS
    row	CELL	CELL ...     (every row of that table)

Tabs and newlines inside a text are printed as spaces.
Usage: /usr/bin/python3 readdocx.py FILE.docx
"""
import sys

import docx
from docx.oxml.ns import qn


def clean(s):
    return s.replace("\t", " ").replace("\n", " ")


def main(path):
    d = docx.Document(path)
    out = []
    out.append(("meta", "title", d.core_properties.title))
    out.append(("meta", "language", d.core_properties.language))
    langs = set()
    for el in d.element.body.iter(qn("w:lang")):
        langs.add(el.get(qn("w:val")))
    for l in sorted(langs):
        out.append(("lang", l))
    body = d.element.body
    paragraphs = {p._p: p for p in d.paragraphs}
    tables = {t._tbl: t for t in d.tables}
    for child in body.iterchildren():
        if child in paragraphs:
            p = paragraphs[child]
            out.append(("p", p.style.name, clean(p.text)))
        elif child in tables:
            t = tables[child]
            out.append(("table", str(len(t.columns))))
            for r in t.rows:
                out.append(("row",) + tuple(clean(c.text) for c in r.cells))
    sys.stdout.write("".join("\t".join(x) + "\n" for x in out))


if __name__ == "__main__":
    main(sys.argv[1])
